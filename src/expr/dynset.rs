//! `dynset`: add or update set elements from the packet path.

use crate::attr_struct;
use crate::expr::ExprList;
use crate::object::lists::ExprAttr;
use std::fmt;
use std::fmt::Write as _;

attr_struct! {
    /// `NFTA_DYNSET_*`, in the kernel's dump order.
    pub struct Dynset {
        /// `NFTA_DYNSET_SREG_KEY`
        4 => sreg_key: u32,
        /// `NFTA_DYNSET_SREG_DATA`
        5 => sreg_data: u32,
        /// `NFTA_DYNSET_OP` (0 add, 1 update, 2 delete)
        3 => op: u32,
        /// `NFTA_DYNSET_SET_NAME`
        1 => set: String,
        /// `NFTA_DYNSET_TIMEOUT` (ms)
        6 => timeout: u64,
        /// `NFTA_DYNSET_EXPR`
        7 => expr: ExprAttr,
        /// `NFTA_DYNSET_EXPRESSIONS`
        10 => exprs: ExprList,
        /// `NFTA_DYNSET_FLAGS` (1 = inverted)
        9 => flags: u32,
        /// `NFTA_DYNSET_SET_ID`
        2 => set_id: u32,
    }
}

impl_expr!(Dynset, "dynset");

impl Dynset {
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        let op = match self.op.unwrap_or(0) {
            0 => "add",
            1 => "update",
            2 => "delete",
            _ => "unknown",
        };
        write!(f, "dynset {op} reg_key {}", self.sreg_key.unwrap_or(0))?;
        write!(
            f,
            " set {}",
            self.set
                .as_deref()
                .unwrap_or(crate::expr::nftnl_fmt::NULL_STR)
        )?;
        if let Some(d) = self.sreg_data {
            write!(f, " sreg_data {d}")?;
        }
        // The kernel always dumps the timeout; libnftnl prints it when
        // present, `timeout 0ms` included.
        if let Some(t) = self.timeout {
            write!(f, " timeout {t}ms")?;
        }
        if let Some(e) = &self.expr {
            write!(f, " expr {}", e.0)?;
        }
        if let Some(l) = &self.exprs {
            for e in &l.0 {
                write!(f, " expr {e}")?;
            }
        }
        crate::expr::fmt_extras(f, self.extra())
    }
}
