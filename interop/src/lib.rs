//! Test-only crate: interop tests of nftwire against peer libraries live in
//! `tests/` (rustables). Nothing here is part of nftwire.
