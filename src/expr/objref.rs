//! `objref`: apply a named stateful object (counter, quota, limit, ct
//! helper, ...), either fixed or chosen through an object map.

use crate::attr_struct;
use crate::object::obj::ObjType;
use std::fmt;
use std::fmt::Write as _;

attr_struct! {
    /// `NFTA_OBJREF_*`, in the kernel's dump order: name then type for a
    /// fixed reference, sreg then set name for an object map.
    pub struct Objref {
        /// `NFTA_OBJREF_IMM_NAME`
        2 => imm_name: String,
        /// `NFTA_OBJREF_IMM_TYPE`
        1 => imm_type: ObjType,
        /// `NFTA_OBJREF_SET_SREG`
        3 => set_sreg: u32,
        /// `NFTA_OBJREF_SET_NAME`
        4 => set_name: String,
        /// `NFTA_OBJREF_SET_ID` (transaction-local set id)
        5 => set_id: u32,
    }
}

impl_expr!(Objref, "objref");

impl Objref {
    /// A reference to the object `name` of type `ty`.
    pub fn imm(ty: ObjType, name: &str) -> Self {
        Objref {
            imm_name: Some(name.into()),
            imm_type: Some(ty),
            ..Default::default()
        }
    }

    /// The object chosen by looking up `sreg` in the object map `set`.
    pub fn map(sreg: u32, set: &str) -> Self {
        Objref {
            set_sreg: Some(sreg),
            set_name: Some(set.into()),
            ..Default::default()
        }
    }

    /// The set name of an object map reference (`NFTA_OBJREF_SET_NAME`).
    pub fn set_name(&self) -> Option<String> {
        self.set_name.clone()
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        // libnftnl prints a missing name as glibc prints a NULL `%s`.
        if let Some(r) = self.set_sreg {
            write!(
                f,
                "objref sreg {r} set {}",
                self.set_name.as_deref().unwrap_or("(null)")
            )?;
        } else {
            write!(
                f,
                "objref type {} name {}",
                self.imm_type.map_or(0, |t| t.value()),
                self.imm_name.as_deref().unwrap_or("(null)")
            )?;
        }
        crate::expr::fmt_extras(f, self.extra())
    }
}
