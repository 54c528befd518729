//! `-m comment` (revision 0, 256 bytes of NUL-padded text).

use crate::iptables::error::Result;
use crate::iptables::ext::{Ctx, OptCall, OptDef, XtExt, F_MAND};
use crate::iptables::text::save_string;
use crate::iptables::xlate::{XlCtx, Xlate};
use crate::iptables::xtbuf::all_zero;
use std::fmt::Write as _;

/// `struct xt_comment_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comment {
    /// The comment (at most 255 bytes), as raw bytes.
    pub text: Vec<u8>,
}

impl Comment {
    /// A comment with this text (truncated to 255 bytes).
    pub fn new(s: &str) -> Comment {
        let mut t = s.as_bytes().to_vec();
        t.truncate(255);
        Comment { text: t }
    }
    fn str(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }
}

const OPTS: &[OptDef] = &[OptDef::arg("comment", 0, F_MAND)];

impl XtExt for Comment {
    const NAME: &'static str = "comment";
    const REVISION: u32 = 0;
    const SIZE: usize = 256;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Comment::default()
    }

    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        *self = Comment::new(c.arg());
        Ok(())
    }

    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut v = self.text.clone();
        v.truncate(255);
        v.resize(256, 0);
        v
    }

    fn info_is(&self, _: &Ctx<'_>, info: &[u8]) -> bool {
        let n = self.text.len().min(255);
        info.len() == Self::SIZE && info[..n] == self.text[..n] && all_zero(&info[n..])
    }

    fn from_info(info: &[u8], rev: u32, _: &Ctx<'_>) -> Option<Self> {
        if rev != 0 || info.len() != Self::SIZE {
            return None;
        }
        let end = info.iter().position(|&c| c == 0).unwrap_or(255).min(255);
        if !all_zero(&info[end..]) {
            return None;
        }
        Some(Comment {
            text: info[..end].to_vec(),
        })
    }

    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        out.push_str(" --comment");
        save_string(&self.str(), out);
    }

    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        let _ = write!(out, " /* {} */", self.str());
    }

    fn xlate(&self, x: &mut Xlate, cx: &XlCtx) -> bool {
        let _ = cx;
        let end = self
            .text
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.text.len())
            .min(255);
        x.set_comment(&format!(
            "\"{}\"",
            String::from_utf8_lossy(&self.text[..end])
        ));
        true
    }
}
