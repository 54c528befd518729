//! Arbitrary bytes as the body of every object kind (table, chain, rule,
//! set, set elements, object, flowtable, generation), as nested attribute
//! types and as an expression list: no panic, and every accepted decode
//! re-encodes to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(m) = nftwire_fuzz::check_all(data) {
        panic!("{m}");
    }
});
