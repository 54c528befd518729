//! `immediate`: load constant data or a verdict into a register.

use crate::attr_struct;
use crate::data::Data;
use std::fmt;

attr_struct! {
    /// `NFTA_IMMEDIATE_*`.
    pub struct Immediate {
        /// destination register (0 = verdict register)
        1 => dreg: u32,
        /// the data or verdict
        2 => data: Data,
    }
}

impl_expr!(Immediate, "immediate");

impl Immediate {
    /// A verdict immediate (`accept`, `jump CHAIN`, ...).
    pub fn verdict(code: crate::data::VerdictCode, chain: Option<&str>) -> Self {
        Immediate {
            dreg: Some(0),
            data: Some(Data::verdict(code, chain)),
            ..Default::default()
        }
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        f.push_str("immediate reg ");
        crate::util::push_decimal(f, self.dreg.unwrap_or(0).into());
        crate::data::write_spaced(f, self.data.as_ref())?;
        crate::expr::fmt_extras(f, self.extra())
    }
}
