//! `hash` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_HASH_*`.
    pub struct Hash {
    }
}

impl_expr!(Hash, "hash");

impl Hash {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("hash")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}
