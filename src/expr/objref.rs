//! `objref` expression. (STUB: attributes not typed yet; all kept raw.)

use crate::attr_struct;
use std::fmt;

attr_struct! {
    /// `NFTA_OBJREF_*`.
    pub struct Objref {
    }
}

impl_expr!(Objref, "objref");

impl Objref {
    fn debug_body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("objref")?;
        crate::expr::fmt_extras(f, &self.extra)
    }
}

impl Objref {
    /// The set name of an object map reference (`NFTA_OBJREF_SET_NAME`).
    pub fn set_name(&self) -> Option<String> {
        self.extra
            .iter()
            .find(|e| e.attr.kind() == 3)
            .and_then(|e| <String as crate::nla::Attribute>::decode(&e.attr.payload))
    }
}
