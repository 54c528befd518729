//! `-m nfacct` (revision 1, `struct xt_nfacct_match_info_v1`, 40 bytes;
//! the kernel's pointer after the first 32 is not compared): count in a
//! named `nfacct` object. Where the kernel lacks revision 1, revision 0
//! (`xt_nfacct_match_info`: on 64-bit machines the same 40 bytes, the
//! pointer being 8-aligned either way).

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_MAND};
use crate::iptables::family::Family;
use crate::iptables::text::save_string;
use crate::iptables::xtbuf::{Blob, Rd};

/// `NFACCT_NAME_MAX`.
const NAME_MAX: usize = 32;

/// `struct xt_nfacct_match_info_v1`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Nfacct {
    /// Accounting object name.
    pub name: String,
    /// The revision written (0 or 1).
    pub rev: u32,
}

const OPTS: &[OptDef] = &[OptDef::arg("nfacct-name", 0, F_MAND)];

impl Nfacct {
    fn dump(&self, prefix: &str, out: &mut String) {
        out.push(' ');
        out.push_str(prefix);
        out.push_str("nfacct-name ");
        save_string(&self.name, out);
    }
}

impl XtExt for Nfacct {
    const NAME: &'static str = "nfacct";
    const REVISION: u32 = 1;
    const SIZE: usize = 40;
    const USERSPACE: usize = 32;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Nfacct {
            rev: 1,
            ..Nfacct::default()
        }
    }
    fn revisions(_: Family) -> &'static [u32] {
        &[1, 0]
    }
    crate::revision_in_field!();
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let arg = c.arg();
        if arg.is_empty() {
            return Err(IptError::param(
                "Argument must have a minimum length of 1 characters\n",
            ));
        }
        if arg.contains('\n') {
            return Err(IptError::param("Newlines not allowed in --nfacct-name"));
        }
        let b = arg.as_bytes();
        self.name = String::from_utf8_lossy(&b[..b.len().min(NAME_MAX - 1)]).into_owned();
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.str(0, NAME_MAX, &self.name);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        if rev > 1 || info.len() != Self::SIZE {
            return None;
        }
        let n = Nfacct {
            name: Rd(info).str(0, NAME_MAX)?,
            rev,
        };
        (n.to_info(cx) == info).then_some(n)
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        self.dump("--", out);
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        self.dump("", out);
    }
}
