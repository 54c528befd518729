//! libxtables' revision choice: before a match or target is used the first
//! time in a process, the kernel is asked (`NFNL_SUBSYS_NFT_COMPAT` GET,
//! `nft_compatible_revision`) which of the revisions userspace can write it
//! has, highest first, and the highest one it has is used. EPERM (an
//! unprivileged user) counts as yes. When it has none of them, a lowest
//! revision 0 is still used after a warning; otherwise the extension is
//! unusable ("not supported, missing kernel module?").
//!
//! The kernel is asked through [`Probe`], so the choice can be tested
//! against a kernel that lacks revisions ([`choose`]). Each extension of the
//! library writes one revision today (`rev(family)`), so the shim offers
//! that one; an extension that learns to write older revisions only has to
//! be offered with them for the fallback to apply.

use nftwire::iptables::revision::probe;
use nftwire::iptables::Family;
use nftwire::netlink::Conn;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Mutex;

/// `EPERM`: the kernel refused to answer an unprivileged user.
const EPERM: i32 = 1;

/// The question libxtables asks the kernel.
pub trait Probe {
    /// Whether the kernel has revision `rev` of match (or target) `real_name`
    /// for `family`: `Ok(())`, or its errno (`None`: no answer at all).
    fn has(
        &mut self,
        family: Family,
        real_name: &str,
        rev: u32,
        target: bool,
    ) -> Result<(), Option<i32>>;
}

/// The running kernel, asked over one netlink socket opened on first use.
#[derive(Default)]
pub struct Kernel {
    conn: Option<Conn>,
    failed: bool,
}

impl Probe for Kernel {
    fn has(
        &mut self,
        family: Family,
        real_name: &str,
        rev: u32,
        target: bool,
    ) -> Result<(), Option<i32>> {
        if self.conn.is_none() && !self.failed {
            self.conn = Conn::open().ok();
            self.failed = self.conn.is_none();
        }
        let c = self.conn.as_mut().ok_or(None)?;
        probe(c, family, real_name, rev, target).map_err(|e| e.errno())
    }
}

/// Choose the revision of extension `name` (kernel name `real_name`) to use
/// among `revisions` (those userspace can write, highest first), asking
/// `p`; warnings as libxtables prints them go to `warn`. `None`: unusable.
pub fn choose(
    p: &mut dyn Probe,
    family: Family,
    name: &str,
    real_name: &str,
    revisions: &[u32],
    target: bool,
    warn: &mut dyn FnMut(String),
) -> Option<u32> {
    let mut answered_no = false;
    for &rev in revisions {
        match p.has(family, real_name, rev, target) {
            Ok(()) | Err(Some(EPERM)) => return Some(rev),
            Err(Some(_)) => answered_no = true,
            Err(None) => {}
        }
    }
    if answered_no && revisions.last() == Some(&0) {
        warn(format!(
            "Warning: Extension {real_name} revision 0 not supported, missing kernel module?"
        ));
        return Some(0);
    }
    warn(format!(
        "Warning: Extension {name} is not supported, missing kernel module?"
    ));
    None
}

type Key = (Family, String, u32, bool);

/// What was chosen for each extension asked about, for the whole process
/// (lines may be parsed on several threads, see [`speculating`]).
static CHOSEN: Mutex<Option<HashMap<Key, Option<u32>>>> = Mutex::new(None);

thread_local! {
    /// This thread's connection for the questions.
    static KERNEL: RefCell<Kernel> = RefCell::new(Kernel::default());
    /// Inside [`speculating`]: whether a choice was left to the caller.
    static SPECULATION: Cell<Option<bool>> = const { Cell::new(None) };
}

fn chosen(key: &Key) -> Option<Option<u32>> {
    let g = CHOSEN.lock().unwrap_or_else(|e| e.into_inner());
    g.as_ref().and_then(|m| m.get(key).copied())
}

fn remember(key: Key, v: Option<u32>) {
    let mut g = CHOSEN.lock().unwrap_or_else(|e| e.into_inner());
    g.get_or_insert_with(HashMap::new).insert(key, v);
}

/// Run `f` (the parse of one line, ahead of its turn on another thread),
/// returning None when it met an extension not asked about yet whose
/// answer prints a warning: when and where that warning is printed depends
/// on the lines before, so the caller parses that line again in order.
/// An extension the kernel has is remembered as usual.
pub fn speculating<T>(f: impl FnOnce() -> T) -> Option<T> {
    SPECULATION.with(|s| s.set(Some(false)));
    let r = f();
    let unsure = SPECULATION.with(|s| s.replace(None)) == Some(true);
    (!unsure).then_some(r)
}

/// Whether revision `rev` of extension `real_name` may be used, asking the
/// kernel once per process like libxtables and printing its warnings (the
/// "not supported" one again on every later use).
pub fn usable(family: Family, name: &str, real_name: &str, rev: u32, target: bool) -> bool {
    let key = (family, real_name.to_string(), rev, target);
    if let Some(v) = chosen(&key) {
        if v.is_none() {
            nftwire::iptables::warn::warn(format!(
                "Warning: Extension {name} is not supported, missing kernel module?"
            ));
        }
        return v.is_some();
    }
    let mut warnings = Vec::new();
    let chosen = KERNEL.with(|k| {
        let mut warn = |w: String| warnings.push(w);
        choose(
            &mut *k.borrow_mut(),
            family,
            name,
            real_name,
            &[rev],
            target,
            &mut warn,
        )
    });
    if !warnings.is_empty() && SPECULATION.with(|s| s.get().is_some()) {
        SPECULATION.with(|s| s.set(Some(true)));
        return false;
    }
    for w in warnings {
        nftwire::iptables::warn::warn(w);
    }
    remember(key, chosen);
    chosen == Some(rev)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kernel with a fixed set of `(name, revision, target)`, answering
    /// others with `no` (an errno) and recording what it was asked.
    struct Fake {
        has: Vec<(&'static str, u32, bool)>,
        no: Option<i32>,
        asked: Vec<u32>,
    }

    impl Fake {
        fn new(has: Vec<(&'static str, u32, bool)>, no: Option<i32>) -> Fake {
            Fake {
                has,
                no,
                asked: Vec::new(),
            }
        }
    }

    impl Probe for Fake {
        fn has(&mut self, _: Family, n: &str, rev: u32, t: bool) -> Result<(), Option<i32>> {
            self.asked.push(rev);
            if self
                .has
                .iter()
                .any(|&(hn, hr, ht)| hn == n && hr == rev && ht == t)
            {
                Ok(())
            } else {
                Err(self.no)
            }
        }
    }

    fn run(fake: &mut Fake, name: &str, revs: &[u32], target: bool) -> (Option<u32>, Vec<String>) {
        let mut w = Vec::new();
        let r = choose(fake, Family::V4, name, name, revs, target, &mut |s| {
            w.push(s)
        });
        (r, w)
    }

    const ENOENT: Option<i32> = Some(2);

    #[test]
    fn highest_the_kernel_has_wins() {
        let mut k = Fake::new(
            vec![("conntrack", 2, false), ("conntrack", 3, false)],
            ENOENT,
        );
        assert_eq!(
            run(&mut k, "conntrack", &[3, 2, 1], false),
            (Some(3), vec![])
        );
        assert_eq!(k.asked, [3]);
    }

    #[test]
    fn falls_back_to_a_lower_revision() {
        // A kernel without DNAT revision 2 (before Linux 4.19).
        let mut k = Fake::new(vec![("DNAT", 1, true), ("DNAT", 0, true)], ENOENT);
        assert_eq!(run(&mut k, "DNAT", &[2, 1, 0], true), (Some(1), vec![]));
        assert_eq!(k.asked, [2, 1]);
        // A match of the same name is not the target.
        let mut k = Fake::new(vec![("DNAT", 1, false)], ENOENT);
        assert_eq!(run(&mut k, "DNAT", &[2, 1], true).0, None);
    }

    #[test]
    fn none_supported() {
        let mut k = Fake::new(vec![], ENOENT);
        let unsupported = |n: &str| {
            vec![format!(
                "Warning: Extension {n} is not supported, missing kernel module?"
            )]
        };
        assert_eq!(run(&mut k, "TEE", &[1], true), (None, unsupported("TEE")));
        // Revision 0 is used anyway, with libxtables' warning.
        let (r, w) = run(&mut k, "LED", &[0], true);
        assert_eq!(r, Some(0));
        assert_eq!(
            w,
            ["Warning: Extension LED revision 0 not supported, missing kernel module?"]
        );
        let (r, _) = run(&mut k, "MARK", &[2, 1, 0], true);
        assert_eq!(r, Some(0));
        assert_eq!(k.asked, [1, 0, 2, 1, 0]);
    }

    #[test]
    fn unprivileged_and_unreachable() {
        // EPERM: the kernel did not answer an unprivileged user; yes.
        let mut k = Fake::new(vec![], Some(EPERM));
        assert_eq!(run(&mut k, "DNAT", &[2, 1], true), (Some(2), vec![]));
        // No netlink socket at all: unusable, even revision 0.
        let mut k = Fake::new(vec![], None);
        let (r, w) = run(&mut k, "limit", &[0], false);
        assert_eq!((r, w.len()), (None, 1), "{w:?}");
        assert!(w[0].starts_with("Warning: Extension limit is not supported"));
    }

    /// The running kernel (in a private network namespace): a revision it
    /// does not have (conntrack 99, MARK 7) falls back to one it has.
    #[test]
    fn real_kernel_falls_back() {
        let asks: [(Family, &str, &[u32], bool); 3] = [
            (Family::V4, "conntrack", &[99, 3, 2], false),
            (Family::V6, "MARK", &[7, 2], true),
            (Family::V4, "nosuch", &[3, 1], false),
        ];
        let (chosen, warnings) = nftwire::netns::in_new_netns(move || {
            let mut k = Kernel::default();
            let mut w = Vec::new();
            let chosen: Vec<Option<u32>> = asks
                .iter()
                .map(|&(f, n, revs, t)| choose(&mut k, f, n, n, revs, t, &mut |s| w.push(s)))
                .collect();
            (chosen, w)
        })
        .expect("a network namespace (needs root)");
        assert_eq!(chosen, [Some(3), Some(2), None]);
        assert_eq!(
            warnings,
            ["Warning: Extension nosuch is not supported, missing kernel module?"]
        );
    }
}
