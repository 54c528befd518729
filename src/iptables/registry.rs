//! The macro that turns a list of [`super::ext::XtExt`] types into an enum
//! with dynamic dispatch (used for matches and for targets).

/// Define an enum over extension types with the dispatch methods the
/// parser, encoder, decoder and printers need.
#[macro_export]
#[doc(hidden)]
macro_rules! xt_registry {
    ($(#[$m:meta])* $name:ident { $( $variant:ident($ty:path) ),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq)]
        pub enum $name {
            $( #[allow(missing_docs)] $variant($ty), )*
        }

        impl $name {
            /// Load an extension by its user-visible name for `family`.
            pub fn load(name: &str, cx: &$crate::iptables::ext::Ctx<'_>) -> Option<$name> {
                use $crate::iptables::ext::XtExt;
                $(
                    if name == <$ty as XtExt>::NAME
                        && <$ty as $crate::iptables::registry::Fam>::ok(cx.family)
                    {
                        return Some($name::$variant(<$ty as XtExt>::init(cx)));
                    }
                )*
                None
            }
            /// Every user-visible name (`-m`/`-j NAME`) known for `family`,
            /// in registry order, each once.
            pub fn names(family: $crate::iptables::family::Family) -> Vec<&'static str> {
                use $crate::iptables::ext::XtExt;
                let mut v: Vec<&'static str> = Vec::new();
                $(
                    if <$ty as $crate::iptables::registry::Fam>::ok(family)
                        && !v.contains(&<$ty as XtExt>::NAME)
                    {
                        v.push(<$ty as XtExt>::NAME);
                    }
                )*
                v
            }
            /// Decode a kernel `match`/`target` expression.
            pub fn from_xt(real: &str, rev: u32, info: &[u8], cx: &$crate::iptables::ext::Ctx<'_>) -> Option<$name> {
                use $crate::iptables::ext::XtExt;
                $(
                    if real == <$ty as XtExt>::kernel_name(rev)
                        && <$ty as $crate::iptables::registry::Fam>::ok(cx.family)
                    {
                        if let Some(x) = <$ty as XtExt>::from_info(info, rev, cx) {
                            if x.real_name_now() == real {
                                return Some($name::$variant(x));
                            }
                        }
                    }
                )*
                None
            }
            /// The user-visible extension name (`-m NAME`).
            pub fn name(&self) -> &'static str {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(_) => <$ty as XtExt>::NAME, )* }
            }
            /// The kernel name (of the revision this instance writes).
            pub fn real_name(&self) -> &'static str {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(x) => x.real_name_now(), )* }
            }
            /// The revisions the extension can write for `family`, highest
            /// first, each with its kernel name: what libxtables asks the
            /// kernel about.
            pub fn candidates(&self, family: $crate::iptables::family::Family) -> Vec<(&'static str, u32)> {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(_) => <$ty as XtExt>::revisions(family)
                    .iter()
                    .map(|&r| (<$ty as XtExt>::kernel_name(r), r))
                    .collect(), )* }
            }
            /// The revision this instance writes for `family`.
            pub fn revision(&self, family: $crate::iptables::family::Family) -> u32 {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(x) => x.revision_of(family), )* }
            }
            /// Every revision the extension can write for `family`, highest first.
            pub fn revisions(&self, family: $crate::iptables::family::Family) -> &'static [u32] {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(_) => <$ty as XtExt>::revisions(family), )* }
            }
            /// Switch a freshly loaded instance to revision `rev` (one of
            /// [`Self::revisions`]): libxtables' fallback to an older one.
            pub fn set_revision(&mut self, rev: u32) {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(x) => x.set_revision(rev), )* }
            }
            /// Options of this extension (of the revision it writes).
            pub fn options(&self) -> &'static [$crate::iptables::ext::OptDef] {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(x) => x.options_now(), )* }
            }
            /// New-style option handling.
            pub fn x6(&self) -> bool {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(_) => <$ty as XtExt>::X6, )* }
            }
            /// Handle one option (with libxtables' generic checks).
            pub fn parse(&mut self, c: &mut $crate::iptables::ext::OptCall<'_>, cx: &$crate::iptables::ext::Ctx<'_>) -> $crate::iptables::error::Result<()> {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(x) => {
                    if <$ty as XtExt>::X6 {
                        $crate::iptables::ext::x6_precheck(<$ty as XtExt>::NAME, c)?;
                    }
                    x.parse(c, cx)
                } )* }
            }
            /// Final checks after all options.
            pub fn check(&mut self, seen: u32, cx: &$crate::iptables::ext::Ctx<'_>) -> $crate::iptables::error::Result<()> {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(x) => {
                    x.check(seen, cx)?;
                    if <$ty as XtExt>::X6 {
                        $crate::iptables::ext::x6_fcheck(<$ty as XtExt>::NAME, seen, x.options_now())?;
                    }
                    Ok(())
                } )* }
            }
            /// The info blob.
            pub fn to_info(&self, cx: &$crate::iptables::ext::Ctx<'_>) -> Vec<u8> {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(x) => x.to_info(cx), )* }
            }
            /// Whether the info blob is `info` (`to_info(cx) == info`).
            pub fn info_is(&self, cx: &$crate::iptables::ext::Ctx<'_>, info: &[u8]) -> bool {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(x) => x.info_is(cx, info), )* }
            }
            /// What `-C`/`-D` compare: kernel name, blob size, userspace bytes.
            pub fn cmp_key(&self, cx: &$crate::iptables::ext::Ctx<'_>) -> (&'static str, usize, Vec<u8>) {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(x) => {
                    let info = x.to_info(cx);
                    let n = x.userspace_now().min(info.len());
                    (x.real_name_now(), info.len(), info[..n].to_vec())
                } )* }
            }
            /// Save-format options.
            pub fn save(&self, cx: &$crate::iptables::ext::Ctx<'_>, out: &mut String) {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(x) => x.save(cx, out), )* }
            }
            /// `-L` text.
            pub fn print(&self, cx: &$crate::iptables::ext::Ctx<'_>, numeric: bool, out: &mut String) {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(x) => x.print(cx, numeric, out), )* }
            }
            /// `iptables-translate` text; false when untranslatable.
            pub fn xlate(&self, x: &mut $crate::iptables::xlate::Xlate, cx: &$crate::iptables::xlate::XlCtx) -> bool {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(e) => e.xlate(x, cx), )* }
            }
            /// Name printed after `-m`/`-j`.
            pub fn alias(&self) -> &'static str {
                use $crate::iptables::ext::XtExt;
                match self { $( $name::$variant(x) => x.alias(), )* }
            }
        }
    };
}

/// Which families an extension exists for.
pub trait Fam {
    /// True if available for `f`.
    fn ok(f: super::family::Family) -> bool;
}

/// Implement [`Fam`] for both families.
#[macro_export]
#[doc(hidden)]
macro_rules! fam_any {
    ($($t:ty),*) => { $( impl $crate::iptables::registry::Fam for $t {
        fn ok(_: $crate::iptables::family::Family) -> bool { true }
    } )* };
}

/// Implement [`Fam`] for one family.
#[macro_export]
#[doc(hidden)]
macro_rules! fam_only {
    ($f:ident: $($t:ty),*) => { $( impl $crate::iptables::registry::Fam for $t {
        fn ok(f: $crate::iptables::family::Family) -> bool { f == $crate::iptables::family::Family::$f }
    } )* };
}
