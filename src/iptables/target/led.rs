//! `-j LED` (revision 0, `struct xt_led_info`, 40 bytes; the kernel's
//! pointer after the first 32 is not compared): blink an LED trigger
//! named `netfilter-ID`.

use crate::iptables::error::{IptError, Result};
use crate::iptables::ext::{decode_exact, Ctx, OptCall, OptDef, XtExt, F_MAND};
use crate::iptables::num::strtoui;
use crate::iptables::xtbuf::Blob;
use std::fmt::Write as _;

/// Size of `id`.
const ID_SIZE: usize = 27;
/// What iptables puts before the user's id.
const PREFIX: &str = "netfilter-";

/// `struct xt_led_info`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Led {
    /// Trigger name, with the `netfilter-` prefix.
    pub id: String,
    /// Blink even if already on.
    pub always_blink: u8,
    /// Milliseconds on (`u32::MAX`: forever).
    pub delay: u32,
}

const OPTS: &[OptDef] = &[
    OptDef::arg("led-trigger-id", 0, F_MAND),
    OptDef::arg("led-delay", 1, 0),
    OptDef::flag("led-always-blink", 2, 0),
];

impl Led {
    fn quoted_id(&self, out: &mut String) {
        out.push('"');
        for c in self.id.get(PREFIX.len()..).unwrap_or("").chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
}

impl XtExt for Led {
    const NAME: &'static str = "LED";
    const REVISION: u32 = 0;
    const SIZE: usize = 40;
    const USERSPACE: usize = 32;
    const OPTIONS: &'static [OptDef] = OPTS;

    fn init(_: &Ctx<'_>) -> Self {
        Led::default()
    }
    fn parse(&mut self, c: &mut OptCall<'_>, _: &Ctx<'_>) -> Result<()> {
        let arg = c.arg();
        match c.def.id {
            0 => {
                let max = ID_SIZE - PREFIX.len() - 1;
                if arg.len() > max {
                    return Err(IptError::param(format!(
                        "Argument must have a maximum length of {max} characters\n"
                    )));
                }
                self.id = format!("{PREFIX}{arg}");
            }
            1 => {
                self.delay = if arg.len() >= 3 && arg[..3].eq_ignore_ascii_case("inf") {
                    u32::MAX
                } else {
                    strtoui(arg, 0, u32::MAX as u64).ok_or_else(|| {
                        IptError::param(format!("Delay value must be within range 0..{}", u32::MAX))
                    })? as u32
                }
            }
            _ => self.always_blink = 1,
        }
        Ok(())
    }
    fn to_info(&self, _: &Ctx<'_>) -> Vec<u8> {
        let mut b = Blob::new(Self::SIZE);
        b.str(0, ID_SIZE, &self.id)
            .u8(27, self.always_blink)
            .u32(28, self.delay);
        b.into_vec()
    }
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self> {
        decode_exact(info, rev, cx, |r| {
            Some(Led {
                id: r.str(0, ID_SIZE)?,
                always_blink: r.u8(27)?,
                delay: r.u32(28)?,
            })
        })
    }
    fn save(&self, _: &Ctx<'_>, out: &mut String) {
        out.push_str(" --led-trigger-id ");
        self.quoted_id(out);
        if self.delay == u32::MAX {
            out.push_str(" --led-delay inf");
        } else if self.delay != 0 {
            let _ = write!(out, " --led-delay {}", self.delay as i32);
        }
        if self.always_blink != 0 {
            out.push_str(" --led-always-blink");
        }
    }
    fn print(&self, _: &Ctx<'_>, _: bool, out: &mut String) {
        out.push_str(" led-trigger-id:");
        self.quoted_id(out);
        if self.delay == u32::MAX {
            out.push_str(" led-delay:inf");
        } else {
            let _ = write!(out, " led-delay:{}ms", self.delay as i32);
        }
        if self.always_blink != 0 {
            out.push_str(" led-always-blink");
        }
    }
}
