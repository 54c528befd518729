//! libxtables' revision choice: before a match or target is used the first
//! time in a process, the kernel is asked (`NFNL_SUBSYS_NFT_COMPAT` GET,
//! `nft_compatible_revision`) which of the revisions userspace can write it
//! has, highest first, and the highest one it has is used. EPERM (an
//! unprivileged user) counts as yes. When it has none of them, a lowest
//! revision 0 is still used after a warning; otherwise the extension is
//! unusable ("not supported, missing kernel module?").
//!
//! The kernel is asked through [`Probe`], so the choice can be tested
//! against a kernel that lacks revisions ([`choose`]). Each extension offers
//! every revision the library can write for it, each with its kernel name
//! (`candidates(family)`: `-m state` is `conntrack` 3 to 1, then `state`
//! 0), and the chosen one is set on the loaded instance, which then parses,
//! writes and prints that revision.

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

/// Choose the revision of extension `name` to use among `candidates`
/// (the revisions userspace can write, highest first, each with its
/// kernel name), asking `p`; warnings as libxtables prints them go to
/// `warn`. `None`: unusable.
pub fn choose(
    p: &mut dyn Probe,
    family: Family,
    name: &str,
    candidates: &[(&str, u32)],
    target: bool,
    warn: &mut dyn FnMut(String),
) -> Option<u32> {
    let mut answered_no = false;
    for &(real_name, rev) in candidates {
        match p.has(family, real_name, rev, target) {
            Ok(()) | Err(Some(EPERM)) => return Some(rev),
            Err(Some(_)) => answered_no = true,
            Err(None) => {}
        }
    }
    if let (true, Some(&(real_name, 0))) = (answered_no, candidates.last()) {
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

/// The test-only knob: `NFTWIRE_XT_REVISION_CAP=name:rev,...` makes the
/// shim believe the kernel lacks every revision of extension `name` (its
/// kernel name, case as written: `MARK` the target, `mark` the match)
/// above `rev`, so the libxtables fallback to an older revision can be
/// exercised on a kernel that has them all. It only ever removes
/// revisions; it loads nothing and names no path.
pub const CAP_ENV: &str = "NFTWIRE_XT_REVISION_CAP";

/// A [`Probe`] that answers `ENOENT` for revisions above a cap, asking
/// `inner` about the rest.
pub struct Capped<P> {
    /// The probe asked for revisions under the caps.
    pub inner: P,
    /// `(kernel name, highest revision the kernel is said to have)`.
    pub caps: Vec<(String, u32)>,
}

/// Parse the value of [`CAP_ENV`]: comma-separated `name:rev`; a malformed
/// item is an error naming it.
pub fn parse_caps(v: &str) -> Result<Vec<(String, u32)>, String> {
    v.split(',')
        .filter(|i| !i.is_empty())
        .map(|i| {
            let (n, r) = i.split_once(':').ok_or_else(|| i.to_string())?;
            let r = r.parse::<u32>().map_err(|_| i.to_string())?;
            if n.is_empty() {
                return Err(i.to_string());
            }
            Ok((n.to_string(), r))
        })
        .collect()
}

impl<P: Probe> Probe for Capped<P> {
    fn has(
        &mut self,
        family: Family,
        real_name: &str,
        rev: u32,
        target: bool,
    ) -> Result<(), Option<i32>> {
        if self
            .caps
            .iter()
            .any(|(n, cap)| n == real_name && rev > *cap)
        {
            return Err(Some(ENOENT));
        }
        self.inner.has(family, real_name, rev, target)
    }
}

/// `ENOENT`: the kernel has no such extension revision.
const ENOENT: i32 = 2;

/// Family, user-visible name, target.
type Key = (Family, String, bool);
/// What was chosen for each extension asked about, for the whole process
/// (restore parses long inputs on several threads, see [`speculating`]).
static CHOSEN: Mutex<Option<HashMap<Key, Option<u32>>>> = Mutex::new(None);

/// The caps of [`CAP_ENV`], read once per process (none when unset; a
/// malformed value is reported once and ignored entirely).
fn caps() -> Vec<(String, u32)> {
    static CAPS: std::sync::OnceLock<Vec<(String, u32)>> = std::sync::OnceLock::new();
    CAPS.get_or_init(|| match std::env::var(CAP_ENV) {
        Ok(v) => parse_caps(&v).unwrap_or_else(|bad| {
            eprintln!("Warning: ignoring {CAP_ENV}: malformed item \"{bad}\"");
            Vec::new()
        }),
        Err(_) => Vec::new(),
    })
    .clone()
}

thread_local! {
    /// This thread's connection for the questions, under the caps.
    static KERNEL: RefCell<Capped<Kernel>> = RefCell::new(Capped {
        inner: Kernel::default(),
        caps: caps(),
    });
    /// Inside [`speculating`]: whether a choice was left to the caller.
    static SPECULATION: Cell<Option<bool>> = const { Cell::new(None) };
}

/// Set by the translate tools: like 1.8.11's, they never ask the kernel
/// and take every extension as available.
static ASSUME_ALL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Take every extension revision as available from now on, without asking
/// the kernel (`iptables-translate`, as 1.8.11's `dummy_compat_rev`).
pub fn assume_all() {
    ASSUME_ALL.store(true, std::sync::atomic::Ordering::Relaxed);
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

/// The revision of extension `name` to use among `candidates` (highest
/// first, each with its kernel name), asking the kernel once per process
/// like libxtables and printing its warnings (the "not supported" one
/// again on every later use). `None`: unusable.
pub fn pick(family: Family, name: &str, candidates: &[(&str, u32)], target: bool) -> Option<u32> {
    if ASSUME_ALL.load(std::sync::atomic::Ordering::Relaxed) {
        return candidates.first().map(|c| c.1);
    }
    let key = (family, name.to_string(), target);
    if let Some(v) = chosen(&key) {
        if v.is_none() {
            nftwire::iptables::warn::warn(format!(
                "Warning: Extension {name} is not supported, missing kernel module?"
            ));
        }
        return v;
    }
    let mut warnings = Vec::new();
    let chosen = KERNEL.with(|k| {
        let mut warn = |w: String| warnings.push(w);
        choose(
            &mut *k.borrow_mut(),
            family,
            name,
            candidates,
            target,
            &mut warn,
        )
    });
    if !warnings.is_empty() && SPECULATION.with(|s| s.get().is_some()) {
        SPECULATION.with(|s| s.set(Some(true)));
        return None;
    }
    for w in warnings {
        nftwire::iptables::warn::warn(w);
    }
    remember(key, chosen);
    chosen
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
        let c: Vec<(&str, u32)> = revs.iter().map(|&r| (name, r)).collect();
        let r = choose(fake, Family::V4, name, &c, target, &mut |s| w.push(s));
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

    /// Load `-m`/`-j name` as the shim does against kernel `k`: the
    /// revision chosen among those the extension offers, then options
    /// parsed and checked; the revision and info blob written.
    fn load_and_write(
        k: &mut Fake,
        family: Family,
        name: &str,
        target: bool,
        opts: &[(&str, Option<&str>)],
    ) -> Result<(u32, Vec<u8>), String> {
        use nftwire::iptables::ext::{Argv, Ctx, OptCall};
        use nftwire::iptables::match_::Match;
        use nftwire::iptables::target::Target;
        let cx = Ctx {
            family,
            proto: 6,
            proto_inv: false,
            table: "mangle",
        };
        #[allow(clippy::large_enum_variant)]
        enum Ext {
            M(Match),
            T(Target),
        }
        let mut e = if target {
            Ext::T(Target::load(name, &cx).expect("target"))
        } else {
            Ext::M(Match::load(name, &cx).expect("match"))
        };
        let cands = match &e {
            Ext::M(m) => m.candidates(family),
            Ext::T(t) => t.candidates(family),
        };
        let rev = choose(k, family, name, &cands, target, &mut |_| {}).ok_or("unusable")?;
        let options = match &mut e {
            Ext::M(m) => {
                m.set_revision(rev);
                m.options()
            }
            Ext::T(t) => {
                t.set_revision(rev);
                t.options()
            }
        };
        let mut seen = 0u32;
        let mut argv = Argv::default();
        for (o, arg) in opts {
            let def = options
                .iter()
                .find(|d| d.name == *o)
                .ok_or_else(|| format!("unknown option \"--{o}\""))?;
            let mut c = OptCall {
                def,
                arg: arg.map(str::to_string),
                invert: false,
                seen,
                argv: &mut argv,
            };
            match &mut e {
                Ext::M(m) => m.parse(&mut c, &cx),
                Ext::T(t) => t.parse(&mut c, &cx),
            }
            .map_err(|e| e.to_string())?;
            seen |= 1 << def.id;
        }
        match &mut e {
            Ext::M(m) => {
                m.check(seen, &cx).map_err(|e| e.to_string())?;
                Ok((m.revision(family), m.to_info(&cx)))
            }
            Ext::T(t) => {
                t.check(seen, &cx).map_err(|e| e.to_string())?;
                Ok((t.revision(family), t.to_info(&cx)))
            }
        }
    }

    #[test]
    fn older_kernels_get_older_layouts() {
        // conntrack: the kernel has only revision 2, then only 1
        let mut k = Fake::new(vec![("conntrack", 2, false)], ENOENT);
        let (rev, info) = load_and_write(
            &mut k,
            Family::V4,
            "conntrack",
            false,
            &[("ctstate", Some("NEW")), ("ctorigdstport", Some("22"))],
        )
        .unwrap();
        assert_eq!((rev, info.len()), (2, 160));
        assert_eq!(k.asked, [3, 2]);
        assert_eq!(&info[140..142], &[0, 22], "big-endian port");
        assert_eq!(&info[146..148], &[1, 2], "STATE | ORIGDST_PORT");
        assert_eq!(&info[150..152], &[8, 0], "16-bit state mask");
        let mut k = Fake::new(vec![("conntrack", 1, false)], ENOENT);
        let (rev, info) = load_and_write(
            &mut k,
            Family::V6,
            "conntrack",
            false,
            &[("ctstate", Some("UNTRACKED,NEW"))],
        )
        .unwrap();
        assert_eq!((rev, info.len()), (1, 152));
        assert_eq!(
            info[150], 8,
            "UNTRACKED (1 << 8) does not fit revision 1's 8 bits"
        );
        let mut k = Fake::new(vec![("conntrack", 1, false)], ENOENT);
        let e = load_and_write(
            &mut k,
            Family::V4,
            "conntrack",
            false,
            &[("ctorigsrcport", Some("1:2"))],
        )
        .unwrap_err();
        assert!(
            e.contains("conntrack rev 1 does not support port ranges"),
            "{e}"
        );

        // MARK: revision 1 exists for IPv4 only; IPv6 goes from 2 to 0
        let mut k = Fake::new(vec![("MARK", 1, true), ("MARK", 0, true)], ENOENT);
        let (rev, info) = load_and_write(
            &mut k,
            Family::V4,
            "MARK",
            true,
            &[("or-mark", Some("0x10"))],
        )
        .unwrap();
        assert_eq!(rev, 1);
        let mut want = vec![0u8; 16];
        want[0] = 0x10;
        want[8] = 2; // XT_MARK_OR
        assert_eq!(info, want);
        let mut k = Fake::new(vec![("MARK", 1, true), ("MARK", 0, true)], ENOENT);
        let (rev, info) =
            load_and_write(&mut k, Family::V6, "MARK", true, &[("set-mark", Some("7"))]).unwrap();
        assert_eq!((rev, info), (0, vec![7, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(k.asked, [2, 0]);
        let mut k = Fake::new(vec![("MARK", 0, true)], ENOENT);
        let e = load_and_write(&mut k, Family::V4, "MARK", true, &[("and-mark", Some("1"))])
            .unwrap_err();
        assert!(
            e.contains("MARK target: kernel too old for --and-mark"),
            "{e}"
        );
        let mut k = Fake::new(vec![("MARK", 1, true)], ENOENT);
        let e = load_and_write(
            &mut k,
            Family::V4,
            "MARK",
            true,
            &[("set-xmark", Some("1"))],
        )
        .unwrap_err();
        assert_eq!(e, "unknown option \"--set-xmark\"");

        // NFQUEUE 1: balance kept, bypass dropped
        let mut k = Fake::new(vec![("NFQUEUE", 1, true)], ENOENT);
        let (rev, info) = load_and_write(
            &mut k,
            Family::V4,
            "NFQUEUE",
            true,
            &[("queue-balance", Some("4:7")), ("queue-bypass", None)],
        )
        .unwrap();
        assert_eq!((rev, info), (1, vec![4, 0, 4, 0, 0, 0, 0, 0]));

        // socket 0 (IPv4 only): no data; IPv6 has none below 1
        let mut k = Fake::new(vec![("socket", 0, false)], ENOENT);
        let (rev, info) = load_and_write(&mut k, Family::V4, "socket", false, &[]).unwrap();
        assert_eq!((rev, info), (0, vec![]));
        let mut k = Fake::new(vec![("socket", 0, false)], ENOENT);
        assert!(load_and_write(&mut k, Family::V6, "socket", false, &[]).is_err());
        assert_eq!(k.asked, [3, 2, 1]);

        // TPROXY 0: a 4-byte address, 16 bytes
        let mut k = Fake::new(vec![("TPROXY", 0, true)], ENOENT);
        let (rev, info) = load_and_write(
            &mut k,
            Family::V4,
            "TPROXY",
            true,
            &[("on-port", Some("8080")), ("on-ip", Some("10.0.0.1"))],
        )
        .unwrap();
        assert_eq!(
            (rev, info),
            (
                0,
                vec![0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1, 0x1f, 0x90, 0, 0]
            )
        );
    }

    #[test]
    fn more_older_layouts() {
        // IDLETIMER 0: no --alarm, 40 bytes
        let mut k = Fake::new(vec![("IDLETIMER", 0, true)], ENOENT);
        let (rev, info) = load_and_write(
            &mut k,
            Family::V4,
            "IDLETIMER",
            true,
            &[("timeout", Some("30")), ("label", Some("abc"))],
        )
        .unwrap();
        let mut want = vec![0u8; 40];
        want[0] = 30;
        want[4..7].copy_from_slice(b"abc");
        assert_eq!((rev, info), (0, want));
        let mut k = Fake::new(vec![("IDLETIMER", 0, true)], ENOENT);
        let e =
            load_and_write(&mut k, Family::V4, "IDLETIMER", true, &[("alarm", None)]).unwrap_err();
        assert_eq!(e, "unknown option \"--alarm\"");

        // nfacct 0: the same 40 bytes on 64-bit machines
        let mut k = Fake::new(vec![("nfacct", 0, false)], ENOENT);
        let (rev, info) = load_and_write(
            &mut k,
            Family::V6,
            "nfacct",
            false,
            &[("nfacct-name", Some("n"))],
        )
        .unwrap();
        assert_eq!((rev, info.len(), info[0]), (0, 40, b'n'));

        // DNAT: IPv4 has no revision 1, so 2 falls back to 0
        let mut k = Fake::new(vec![("DNAT", 1, true), ("DNAT", 0, true)], ENOENT);
        let (rev, info) = load_and_write(
            &mut k,
            Family::V4,
            "DNAT",
            true,
            &[("to-destination", Some("10.1.2.3"))],
        )
        .unwrap();
        assert_eq!(k.asked, [2, 0]);
        let mut want = vec![0u8; 24];
        want[0] = 1; // rangesize
        want[4] = 1; // NF_NAT_RANGE_MAP_IPS
        want[8..16].copy_from_slice(&[10, 1, 2, 3, 10, 1, 2, 3]);
        assert_eq!((rev, info), (0, want));

        // hashlimit 1: 56 bytes, the rate on revision 1's scale
        let mut k = Fake::new(vec![("hashlimit", 1, false)], ENOENT);
        let (rev, info) = load_and_write(
            &mut k,
            Family::V6,
            "hashlimit",
            false,
            &[
                ("hashlimit-upto", Some("5/min")),
                ("hashlimit-name", Some("a-long-name-over-15")),
            ],
        )
        .unwrap();
        assert_eq!((rev, info.len()), (1, 56));
        assert_eq!(&info[..16], b"a-long-name-ove\0");
        assert_eq!(&info[20..24], &120_000u32.to_le_bytes(), "10000 * 60 / 5");
        assert_eq!(&info[44..46], &[128, 128]);

        // CONNMARK 1: no shift options, the mode right after the masks
        let mut k = Fake::new(vec![("CONNMARK", 1, true)], ENOENT);
        let (rev, info) =
            load_and_write(&mut k, Family::V4, "CONNMARK", true, &[("save-mark", None)]).unwrap();
        assert_eq!((rev, info[12], info[14]), (1, 1, 0));
        let mut k = Fake::new(vec![("CONNMARK", 1, true)], ENOENT);
        let e = load_and_write(
            &mut k,
            Family::V4,
            "CONNMARK",
            true,
            &[("left-shift-mark", Some("1"))],
        )
        .unwrap_err();
        assert_eq!(e, "unknown option \"--left-shift-mark\"");
    }

    /// Revisions no kernel with nf_tables has any more: written in their
    /// own layouts all the same, with their own restrictions.
    #[test]
    fn revisions_zero_of_old_matches_and_targets() {
        let only = |n: &'static str, t: bool| Fake::new(vec![(n, 0, t)], ENOENT);
        // tos 0: IPv4 only, no mask but 0xff
        let (rev, info) = load_and_write(
            &mut only("tos", false),
            Family::V4,
            "tos",
            false,
            &[("tos", Some("0x10"))],
        )
        .unwrap();
        assert_eq!((rev, info), (0, vec![0x10, 0, 0, 0, 0, 0, 0, 0]));
        let e = load_and_write(
            &mut only("tos", false),
            Family::V4,
            "tos",
            false,
            &[("tos", Some("0x10/0x3f"))],
        )
        .unwrap_err();
        assert!(
            e.contains("too old to support anything besides /0xFF"),
            "{e}"
        );
        assert!(load_and_write(&mut only("tos", false), Family::V6, "tos", false, &[]).is_err());
        // TOS 0: --set-tos only
        let (rev, info) = load_and_write(
            &mut only("TOS", true),
            Family::V4,
            "TOS",
            true,
            &[("set-tos", Some("8"))],
        )
        .unwrap();
        assert_eq!((rev, info), (0, vec![8, 0, 0, 0, 0, 0, 0, 0]));
        let e = load_and_write(
            &mut only("TOS", true),
            Family::V4,
            "TOS",
            true,
            &[("or-tos", Some("8"))],
        )
        .unwrap_err();
        assert_eq!(e, "unknown option \"--or-tos\"");
        // iprange 0: 4-byte addresses
        let (rev, info) = load_and_write(
            &mut only("iprange", false),
            Family::V4,
            "iprange",
            false,
            &[("dst-range", Some("10.0.0.1-10.0.0.9"))],
        )
        .unwrap();
        let mut want = vec![0u8; 24];
        want[8..16].copy_from_slice(&[10, 0, 0, 1, 10, 0, 0, 9]);
        want[16] = 2; // IPRANGE_DST
        assert_eq!((rev, info), (0, want));
        // string 0: no --icase
        let e = load_and_write(
            &mut only("string", false),
            Family::V4,
            "string",
            false,
            &[("icase", None)],
        )
        .unwrap_err();
        assert_eq!(e, "Kernel doesn't support --icase");
        // connlimit 0: no --connlimit-daddr
        let e = load_and_write(
            &mut only("connlimit", false),
            Family::V6,
            "connlimit",
            false,
            &[("connlimit-daddr", None)],
        )
        .unwrap_err();
        assert_eq!(e, "xt_connlimit.0 does not support --connlimit-daddr");
        // SECMARK 0: the secid before the context
        let (rev, info) = load_and_write(
            &mut only("SECMARK", true),
            Family::V4,
            "SECMARK",
            true,
            &[("selctx", Some("ctx"))],
        )
        .unwrap();
        assert_eq!(
            (rev, info.len(), info[0], &info[8..12]),
            (0, 264, 1, &b"ctx\0"[..])
        );
        // MARK 1 is IPv4 only; NFQUEUE 0 keeps a queue number only
        let (rev, info) = load_and_write(
            &mut only("NFQUEUE", true),
            Family::V6,
            "NFQUEUE",
            true,
            &[("queue-num", Some("513")), ("queue-bypass", None)],
        )
        .unwrap();
        assert_eq!((rev, info), (0, vec![1, 2, 0, 0, 0, 0, 0, 0]));
    }

    /// `-m state` asks for conntrack 3, 2, 1, then the kernel's own
    /// `state` match revision 0.
    #[test]
    fn state_falls_back_to_the_state_match() {
        let mut k = Fake::new(vec![("state", 0, false)], ENOENT);
        let (rev, info) = load_and_write(
            &mut k,
            Family::V4,
            "state",
            false,
            &[("state", Some("RELATED"))],
        )
        .unwrap();
        assert_eq!((rev, info), (0, vec![4, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(k.asked, [3, 2, 1, 0]);
        // neither: revision 0 with libxtables' warning
        let mut k = Fake::new(vec![], ENOENT);
        let mut w = Vec::new();
        let c = [
            ("conntrack", 3),
            ("conntrack", 2),
            ("conntrack", 1),
            ("state", 0),
        ];
        assert_eq!(
            choose(&mut k, Family::V6, "state", &c, false, &mut |s| w.push(s)),
            Some(0)
        );
        assert_eq!(
            w,
            ["Warning: Extension state revision 0 not supported, missing kernel module?"]
        );
    }

    #[test]
    fn caps_only_remove_revisions() {
        assert_eq!(
            parse_caps("conntrack:2,MARK:0,"),
            Ok(vec![("conntrack".to_string(), 2), ("MARK".to_string(), 0)])
        );
        for bad in ["conntrack", "conntrack:x", ":1", "a:1,b"] {
            assert!(parse_caps(bad).is_err(), "{bad}");
        }
        let mut k = Capped {
            inner: Fake::new(
                vec![("conntrack", 3, false), ("conntrack", 2, false)],
                ENOENT,
            ),
            caps: parse_caps("conntrack:2").unwrap(),
        };
        assert_eq!(k.has(Family::V4, "conntrack", 3, false), Err(ENOENT));
        assert_eq!(k.has(Family::V4, "conntrack", 2, false), Ok(()));
        // below the cap the kernel still decides
        assert_eq!(k.has(Family::V4, "conntrack", 1, false), Err(ENOENT));
        assert_eq!(k.inner.asked, [2, 1]);
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
                .map(|&(f, n, revs, t)| {
                    let c: Vec<(&str, u32)> = revs.iter().map(|&r| (n, r)).collect();
                    choose(&mut k, f, n, &c, t, &mut |s| w.push(s))
                })
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
