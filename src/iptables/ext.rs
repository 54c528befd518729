//! The extension framework: option tables, the option-call checks libxtables
//! performs before an extension sees an option, and the [`XtExt`] trait every
//! match and target implements (CLI options → typed struct → xt info blob →
//! typed struct → save/list text).

use super::error::{IptError, Result};
use super::family::Family;

/// Whether a long option takes an argument (`struct option.has_arg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HasArg {
    /// No argument.
    No,
    /// A required argument (`--opt x` or `--opt=x`).
    Required,
    /// An optional argument (only `--opt=x`).
    Optional,
}

/// The option may be preceded by `!`.
pub const F_INVERT: u8 = 1;
/// The option may be given more than once.
pub const F_MULTI: u8 = 2;
/// The option is mandatory.
pub const F_MAND: u8 = 4;

/// One option of an extension.
#[derive(Clone, Copy, Debug)]
pub struct OptDef {
    /// Long name without dashes.
    pub name: &'static str,
    /// Argument requirement.
    pub has_arg: HasArg,
    /// Extension-local id (bit index in the seen-flags word).
    pub id: u8,
    /// `F_*` flags (used by new-style extensions only).
    pub flags: u8,
    /// Ids (as bits) that must also be given (new-style only).
    pub also: u32,
    /// Ids (as bits) that must not be given together (new-style only).
    pub excl: u32,
}

impl OptDef {
    /// An option with a required argument.
    pub const fn arg(name: &'static str, id: u8, flags: u8) -> OptDef {
        OptDef {
            name,
            has_arg: HasArg::Required,
            id,
            flags,
            also: 0,
            excl: 0,
        }
    }
    /// An option without argument.
    pub const fn flag(name: &'static str, id: u8, flags: u8) -> OptDef {
        OptDef {
            name,
            has_arg: HasArg::No,
            id,
            flags,
            also: 0,
            excl: 0,
        }
    }
    /// With an exclusion mask.
    pub const fn excl(mut self, excl: u32) -> OptDef {
        self.excl = excl;
        self
    }
    /// With an "also requires" mask.
    pub const fn also(mut self, also: u32) -> OptDef {
        self.also = also;
        self
    }
}

/// The remaining command line, for extensions that consume extra words
/// (`--tcp-flags MASK COMP`).
#[derive(Clone, Debug, Default)]
pub struct Argv {
    /// All arguments (argv[0] included).
    pub args: Vec<String>,
    /// Index of the next argument (getopt's `optind`).
    pub optind: usize,
}

impl Argv {
    /// The next word if it does not look like an option (`xs_has_arg`).
    pub fn has_arg(&self) -> bool {
        self.args
            .get(self.optind)
            .is_some_and(|a| !a.starts_with('-') && !a.starts_with('!'))
    }
    /// The word at `optind`, if any.
    pub fn peek(&self) -> Option<&str> {
        self.args.get(self.optind).map(String::as_str)
    }
    /// Take the word at `optind`.
    pub fn take(&mut self) -> Option<String> {
        let a = self.args.get(self.optind).cloned();
        if a.is_some() {
            self.optind += 1;
        }
        a
    }
}

/// What an extension knows about the rule while parsing or printing.
#[derive(Clone, Copy, Debug)]
pub struct Ctx<'a> {
    /// Address family.
    pub family: Family,
    /// The `-p` protocol (0 = any).
    pub proto: u8,
    /// `! -p`.
    pub proto_inv: bool,
    /// Table name.
    pub table: &'a str,
}

/// The revision methods of an extension that keeps the revision it writes
/// in a `rev: u32` field ([`XtExt::revision_of`], [`XtExt::set_revision`]).
#[macro_export]
#[doc(hidden)]
macro_rules! revision_in_field {
    () => {
        fn revision_of(&self, _: $crate::iptables::family::Family) -> u32 {
            self.rev
        }
        fn set_revision(&mut self, rev: u32) {
            self.rev = rev;
        }
    };
}

/// One option occurrence passed to an extension.
#[derive(Debug)]
pub struct OptCall<'a> {
    /// The option's definition.
    pub def: &'static OptDef,
    /// Its argument, if any.
    pub arg: Option<String>,
    /// Preceded by `!`.
    pub invert: bool,
    /// Ids seen before this one (bits).
    pub seen: u32,
    /// The command line (for extensions reading extra words).
    pub argv: &'a mut Argv,
}

impl OptCall<'_> {
    /// The argument, or "" (new-style checks guarantee it when required).
    pub fn arg(&self) -> &str {
        self.arg.as_deref().unwrap_or("")
    }
    /// Whether option `id` was seen before.
    pub fn seen(&self, id: u8) -> bool {
        self.seen & (1 << id) != 0
    }
}

/// The checks `xtables_option_parse` makes before a new-style extension
/// handles an option: repetition, inversion, missing argument.
pub fn x6_precheck(ext: &str, c: &OptCall<'_>) -> Result<()> {
    let bit = 1u32 << c.def.id;
    if (c.def.flags & F_MULTI == 0 || c.def.excl & bit != 0) && c.seen & bit != 0 {
        return Err(IptError::param(format!(
            "{ext}: option \"--{}\" can only be used once.\n",
            c.def.name
        )));
    }
    if c.invert && c.def.flags & F_INVERT == 0 {
        return Err(IptError::param(format!(
            "{ext}: option \"--{}\" cannot be inverted.\n",
            c.def.name
        )));
    }
    if c.def.has_arg != HasArg::No && c.arg.is_none() {
        return Err(IptError::param(format!(
            "{ext}: option \"--{}\" requires an argument.\n",
            c.def.name
        )));
    }
    Ok(())
}

/// `xtables_options_fcheck`: mandatory options, "also requires" and
/// exclusions, after all options were parsed.
pub fn x6_fcheck(ext: &str, seen: u32, table: &[OptDef]) -> Result<()> {
    for e in table {
        let ef = 1u32 << e.id;
        if e.flags & F_MAND != 0 && seen & ef == 0 {
            return Err(IptError::param(format!(
                "{ext}: option \"--{}\" must be specified\n",
                e.name
            )));
        }
        if seen & ef == 0 {
            continue;
        }
        for i in 0..32u8 {
            if i == e.id {
                continue;
            }
            let Some(other) = table.iter().find(|o| o.id == i) else {
                continue;
            };
            let of = 1u32 << i;
            if e.also & of != 0 && seen & of == 0 {
                return Err(IptError::param(format!(
                    "{ext}: option \"--{}\" also requires \"--{}\".\n",
                    e.name, other.name
                )));
            }
            if e.excl & of != 0 && seen & (ef | of) == (ef | of) {
                return Err(IptError::param(format!(
                    "{ext}: option \"--{}\" cannot be used together with \"--{}\".\n",
                    e.name, other.name
                )));
            }
        }
    }
    Ok(())
}

/// Every revision number an xt extension can have (`0..=255`), to lend a
/// one-element slice of.
const EVERY_REVISION: [u32; 256] = {
    let mut a = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        a[i] = i as u32;
        i += 1;
    }
    a
};

/// A match or target extension.
pub trait XtExt: Clone + PartialEq + std::fmt::Debug + Sized {
    /// Name as the user writes it after `-m`/`-j`.
    const NAME: &'static str;
    /// Name in the kernel (`u.user.name`), when it differs (aliases).
    const REAL_NAME: &'static str = Self::NAME;
    /// Revision used on current kernels.
    const REVISION: u32;
    /// `XT_ALIGN(sizeof(info))`.
    const SIZE: usize;
    /// Bytes compared by `-C`/`-D` (`userspacesize`).
    const USERSPACE: usize = Self::SIZE;
    /// New-style (x6) option handling: the generic checks apply.
    const X6: bool = true;
    /// Options.
    const OPTIONS: &'static [OptDef];

    /// A fresh instance (after `init`).
    fn init(cx: &Ctx<'_>) -> Self;
    /// Handle one option.
    fn parse(&mut self, c: &mut OptCall<'_>, cx: &Ctx<'_>) -> Result<()>;
    /// Final check after all options (`x6_fcheck`/`final_check`).
    fn check(&mut self, _seen: u32, _cx: &Ctx<'_>) -> Result<()> {
        Ok(())
    }
    /// The info blob (exactly `SIZE` bytes, or more for variable ones).
    fn to_info(&self, cx: &Ctx<'_>) -> Vec<u8>;
    /// Whether [`XtExt::to_info`] gives `info` (override to avoid building
    /// the blob).
    fn info_is(&self, cx: &Ctx<'_>, info: &[u8]) -> bool {
        self.to_info(cx) == info
    }
    /// Decode an info blob of revision `rev`.
    fn from_info(info: &[u8], rev: u32, cx: &Ctx<'_>) -> Option<Self>;
    /// Save-format options (each starting with a space).
    fn save(&self, cx: &Ctx<'_>, out: &mut String);
    /// `-L` text (each part starting with a space).
    fn print(&self, cx: &Ctx<'_>, numeric: bool, out: &mut String);
    /// Revision for a family (most extensions use one for both).
    fn rev(_f: Family) -> u32 {
        Self::REVISION
    }
    /// Name printed after `-m`/`-j` in save output (aliases).
    fn alias(&self) -> &'static str {
        Self::NAME
    }
    /// Every revision this extension can write for a family, highest
    /// first (libxtables' registrations of the name): the list the
    /// kernel is asked about before the extension is used.
    fn revisions(f: Family) -> &'static [u32] {
        // the revision is a u8 in the kernel's xt structures
        let r = (Self::rev(f) as usize).min(255);
        &EVERY_REVISION[r..=r]
    }
    /// The revision this instance writes (and was read at).
    fn revision_of(&self, f: Family) -> u32 {
        Self::rev(f)
    }
    /// Switch a fresh instance to revision `rev`, one of
    /// [`XtExt::revisions`] (the fallback when the kernel lacks the
    /// higher ones). Extensions with one revision ignore it.
    fn set_revision(&mut self, _rev: u32) {}
    /// The kernel name of revision `rev` (`REAL_NAME`, except for an
    /// extension whose revisions are different kernel extensions: `-m
    /// state` is `conntrack` from revision 1 up and `state` at 0).
    fn kernel_name(_rev: u32) -> &'static str {
        Self::REAL_NAME
    }
    /// The kernel name this instance writes.
    fn real_name_now(&self) -> &'static str {
        Self::REAL_NAME
    }
    /// Bytes compared by `-C`/`-D` for the revision this instance writes.
    fn userspace_now(&self) -> usize {
        Self::USERSPACE
    }
    /// The options of the revision this instance writes (an older
    /// revision may know fewer).
    fn options_now(&self) -> &'static [OptDef] {
        Self::OPTIONS
    }
    /// `iptables-translate`'s text for this extension; false when it has
    /// none (1.8.11 then prints the rule as an `nft #` comment).
    fn xlate(
        &self,
        _x: &mut crate::iptables::xlate::Xlate,
        _cx: &crate::iptables::xlate::XlCtx,
    ) -> bool {
        false
    }
}

/// Decode a blob with `read`, accepting it only if it has `T`'s revision
/// and size and encodes back to exactly the same bytes (so nothing in the
/// kernel's copy is lost or misread).
pub fn decode_exact<T: XtExt>(
    info: &[u8],
    rev: u32,
    cx: &Ctx<'_>,
    read: impl Fn(super::xtbuf::Rd<'_>) -> Option<T>,
) -> Option<T> {
    if rev != T::rev(cx.family) || info.len() != T::SIZE {
        return None;
    }
    let t = read(super::xtbuf::Rd(info))?;
    t.info_is(cx, info).then_some(t)
}
