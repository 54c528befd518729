//! Kernel tests: `nftwire save` → `nft flush ruleset` → `nftwire restore`
//! brings back every handle and every order, for rulesets built with `nft`
//! in several steps (adds, deletes, inserts in the middle, replaced rules,
//! chain bindings `jump { ... }`, anonymous sets and maps, named sets and
//! verdict maps, objects), and for random multi-step histories
//! (seeded, bounded; `NFTWIRE_HANDLES_SEED`, `NFTWIRE_HANDLES_CASES`,
//! `NFTWIRE_HANDLES_STEPS`).
//!
//! For each ruleset: `nft -a list ruleset` (with handles) is the same after
//! the restore, but for table handles, which come from a per-namespace
//! counter no restore can set (see `restore_plan`); a second save is byte
//! for byte the first; and restoring the same file in a fresh namespace
//! gives the identical listing, table handles included, when the history
//! created its tables in order and deleted none.

mod common;

use nftwire::netlink::Conn;
use nftwire::ruleset::Ruleset;

/// `nft` with arguments (nft joins them with spaces); the output, or the
/// error text.
fn nft(args: &[&str]) -> Result<String, String> {
    let o = common::run("nft", args);
    if o.status.success() {
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    } else {
        Err(format!(
            "nft {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr)
        ))
    }
}

/// `nft` that must succeed.
fn nft_ok(cmd: &str) {
    let args: Vec<&str> = cmd.split(' ').collect();
    if let Err(e) = nft(&args) {
        panic!("{e}");
    }
}

/// `nft -a list ruleset`.
fn listing() -> String {
    nft(&["-a", "list", "ruleset"]).unwrap_or_else(|e| panic!("{e}"))
}

/// The listing with the handles of tables replaced by `_`.
fn mask_table_handles(s: &str) -> String {
    s.lines()
        .map(|l| match (l.starts_with("table "), l.find("{ # handle ")) {
            (true, Some(i)) => format!("{}{{ # handle _", &l[..i]),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `nftwire save`.
fn save() -> String {
    let o = common::run(common::bin("nftwire").to_str().unwrap(), &["save"]);
    assert!(
        o.status.success(),
        "nftwire save: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("save files are ASCII")
}

/// `nftwire restore -` of `text`, which must succeed without falling back
/// to the file's order (no warning).
fn restore(text: &str) {
    let o = common::run_stdin(
        common::bin("nftwire").to_str().unwrap(),
        &["restore", "-"],
        text,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "nftwire restore: {err}");
    assert!(err.is_empty(), "nftwire restore warned: {err}");
}

fn first_diff(a: &str, b: &str) -> String {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n- {x}\n+ {y}", i + 1);
        }
    }
    format!("{} vs {} lines", a.lines().count(), b.lines().count())
}

/// What a ruleset looked like, and its save file.
struct Saved {
    listing: String,
    text: String,
}

/// Save, flush, restore, and require the same listing (table handles
/// aside) and the same save file. Runs in the caller's namespace.
fn round_trip(label: &str) -> Saved {
    let before = listing();
    let text = save();
    assert_eq!(save(), text, "{label}: saving twice differs");
    nft_ok("flush ruleset");
    assert_eq!(listing(), "", "{label}: flush left something");
    restore(&text);
    let after = listing();
    let (b, a) = (mask_table_handles(&before), mask_table_handles(&after));
    assert!(
        a == b,
        "{label}: nft -a list ruleset differs after restore: {}\nbefore:\n{before}\nafter:\n{after}\nfile:\n{text}",
        first_diff(&b, &a)
    );
    let again = save();
    assert!(
        again == text,
        "{label}: second save differs: {}",
        first_diff(&text, &again)
    );
    Saved {
        listing: before,
        text,
    }
}

/// Restore `saved` in a fresh namespace: the listing must be identical,
/// table handles included.
fn fresh_namespace(label: &str, saved: Saved) {
    let label = label.to_string();
    common::netns(move || {
        restore(&saved.text);
        let after = listing();
        assert!(
            after == saved.listing,
            "{label}: listing in a fresh namespace differs: {}",
            first_diff(&saved.listing, &after)
        );
    });
}

/// Run `steps` (nft commands, one per line, `#` lines ignored) in a fresh
/// namespace, then check the round trip (and, with `fresh`, the fresh
/// namespace restore).
fn history(label: &str, steps: &str, fresh: bool) {
    let owned = steps.to_string();
    let l = label.to_string();
    let saved = common::netns(move || {
        for line in owned.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let o = common::run("sh", &["-c", &format!("nft {line}")]);
            assert!(
                o.status.success(),
                "{l}: nft {line}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        round_trip(&l)
    });
    if fresh {
        fresh_namespace(label, saved);
    }
}

#[test]
fn deletes_inserts_bindings_and_anonymous_sets() {
    history(
        "mixed",
        "add table ip t
         add chain ip t c
         add chain ip t x
         add rule ip t c counter
         add rule ip t c ip saddr '{ 10.0.0.0/8, 192.168.0.0/16 }' accept
         add set ip t s '{ type ipv4_addr; flags interval; }'
         add rule ip t c ip daddr @s drop
         delete chain ip t x
         add rule ip t c tcp dport '{ 22, 80 }' jump '{ counter; udp dport 53 accept; }'
         add counter ip t cnt
         insert rule ip t c position 3 meta mark 7 accept
         add rule ip t c position 3 meta mark 8 accept
         add map ip t vm '{ type ipv4_addr : verdict; flags interval; }'
         add chain ip t late
         add element ip t vm '{ 9.9.9.9 : jump late }'
         add rule ip t c ip saddr vmap @vm
         add rule ip t c meta l4proto vmap '{ tcp : jump late, udp : drop }'
         insert rule ip t c ip protocol icmp jump '{ counter; jump late; }'
         add rule ip t late counter name cnt
         delete rule ip t c handle 3
         add element ip t s '{ 1.2.3.4, 5.6.7.0/24 }'
         add table ip6 u
         add chain ip6 u in '{ type filter hook input priority 0; policy accept; }'
         add rule ip6 u in ip6 nexthdr '{ tcp, udp }' counter",
        true,
    );
}

#[test]
fn replaced_rules_that_need_later_objects() {
    // Each replace points a rule at something made after it: the restore
    // makes the rule empty first and replaces it once that exists.
    history(
        "replaced",
        "add table inet t
         add chain inet t c
         add rule inet t c counter
         add rule inet t c counter
         add rule inet t c counter
         add rule inet t c counter
         add chain inet t d
         add set inet t s '{ type inet_service; }'
         add counter inet t k
         replace rule inet t c handle 2 tcp dport @s jump d
         replace rule inet t c handle 3 tcp dport '{ 1, 2, 3 }' counter name k
         replace rule inet t c handle 4 udp dport 53 jump '{ counter; tcp dport 9 accept; }'
         add chain inet t e
         replace rule inet t c handle 5 iifname lo goto e
         add rule inet t e counter",
        true,
    );
}

#[test]
fn element_references_and_gaps_at_both_ends() {
    // Elements name chains and objects made after their set; handles 1-3
    // and the last ones were used by objects deleted since.
    history(
        "elements",
        "add table ip t
         add chain ip t gone1
         add chain ip t gone2
         add set ip t gone3 '{ type ipv4_addr; }'
         add map ip t vm '{ type ipv4_addr : verdict; flags interval; }'
         add map ip t om '{ type ipv4_addr : counter; flags interval; }'
         delete chain ip t gone1
         delete chain ip t gone2
         delete set ip t gone3
         add chain ip t target
         add counter ip t c1
         add element ip t vm '{ 10.0.0.0/8 : goto target, 1.1.1.1 : accept }'
         add element ip t om '{ 10.0.0.0/8 : \"c1\" }'
         add chain ip t main '{ type filter hook output priority 0; }'
         add rule ip t main ip daddr vmap @vm
         add rule ip t main counter name ip daddr map @om
         add chain ip t tail
         delete chain ip t tail",
        true,
    );
}

#[test]
fn quotas_and_several_families() {
    // (Flowtables are planned like sets; this kernel has no flowtable
    // support, restore_plan's unit tests cover them.)
    history(
        "families",
        "add table inet f
         add chain inet f fw '{ type filter hook forward priority 0; }'
         add quota inet f q '{ over 100 mbytes }'
         add rule inet f fw quota name q drop
         add table bridge b
         add chain bridge b c
         add chain bridge b d
         delete chain bridge b c
         add rule bridge b d ether type ip counter
         add table netdev n
         add chain netdev n c
         add rule netdev n c meta mark set 1",
        true,
    );
}

#[test]
fn large_gap_is_used_up() {
    // One batch adds and deletes 3,000 chains: the handle counter is 3,000
    // further on, and the restore uses those values up again.
    common::netns(|| {
        let mut script = String::from("add table ip t\nadd chain ip t first\n");
        for i in 0..3000 {
            script.push_str(&format!("add chain ip t x{i}\ndelete chain ip t x{i}\n"));
        }
        script.push_str("add chain ip t last\nadd rule ip t last counter\n");
        common::nft_load(&script);
        let saved = round_trip("large gap");
        assert!(saved.listing.contains("chain last { # handle 3002"));
    });
}

#[test]
fn table_deleted_and_recreated() {
    // Table handles are not restored; everything in the tables is.
    history(
        "tables",
        "add table ip a
         add table ip b
         delete table ip a
         add table ip a
         add chain ip a c
         add chain ip b c
         add rule ip b c counter",
        false,
    );
}

/// xorshift, seeded.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

/// The names of what one table holds, and its rules' handles by chain,
/// read with the library.
struct Model {
    /// `ip g` or `inet h`.
    table: &'static str,
    chains: Vec<String>,
    sets: Vec<String>,
    maps: Vec<String>,
    counters: Vec<String>,
    rules: Vec<(String, u64)>,
}

/// The tables the random histories work on.
const RANDOM_TABLES: [&str; 2] = ["ip g", "inet h"];

fn model(table: &'static str) -> Model {
    let rs = Ruleset::read(&mut Conn::open().expect("netlink"), 0).expect("read");
    let name = &table[table.find(' ').map_or(0, |i| i + 1)..];
    let family = if table.starts_with("inet") { 1 } else { 2 };
    let here = |f: u8, t: &str| f == family && t == name;
    let chains: Vec<String> = rs
        .chains
        .iter()
        .filter(|c| here(c.family, c.table()))
        .filter(|c| !c.name().starts_with("__chain"))
        .map(|c| c.name().to_string())
        .collect();
    let named = |map: bool| {
        rs.sets
            .iter()
            .filter(|s| here(s.set.family, s.set.table()))
            .filter(|s| !s.set.is_anonymous())
            .filter(|s| s.set.name().starts_with('m') == map)
            .map(|s| s.set.name().to_string())
            .collect::<Vec<_>>()
    };
    Model {
        table,
        sets: named(false),
        maps: named(true),
        counters: rs
            .objects
            .iter()
            .filter(|o| o.family == family && o.attrs.table.as_deref() == Some(name))
            .filter_map(|o| o.attrs.name.clone())
            .collect(),
        rules: rs
            .rules
            .iter()
            .filter(|r| here(r.family, r.table()))
            .filter(|r| chains.iter().any(|c| c == r.chain()))
            .filter_map(|r| Some((r.chain().to_string(), r.attrs.handle?)))
            .collect(),
        chains,
    }
}

/// A random statement for a rule, naming what the model has.
fn statement(r: &mut Rng, m: &Model) -> String {
    let chain = |r: &mut Rng| {
        m.chains
            .get(r.below(m.chains.len()))
            .cloned()
            .unwrap_or_default()
    };
    match r.below(11) {
        0 => "counter".into(),
        1 => format!("ip saddr 10.0.{}.0/24 accept", r.below(256)),
        2 => format!(
            "tcp dport {{ {}, {} }} counter accept",
            r.below(1000),
            1000 + r.below(1000)
        ),
        3 => format!(
            "meta l4proto vmap {{ tcp : jump {}, udp : drop }}",
            chain(r)
        ),
        4 => format!("meta mark {} jump {}", r.below(100), chain(r)),
        5 => format!(
            "tcp dport {} jump {{ counter; udp dport {{ 53, {} }} accept; }}",
            r.below(1000),
            100 + r.below(100)
        ),
        6 => match m.sets.first() {
            Some(_) => format!("ip daddr @{} drop", r.pick(&m.sets)),
            None => "drop".into(),
        },
        7 => match m.counters.first() {
            Some(_) => format!("counter name {}", r.pick(&m.counters)),
            None => "counter".into(),
        },
        8 => match m.maps.first() {
            Some(_) => format!("ip saddr vmap @{}", r.pick(&m.maps)),
            None => "accept".into(),
        },
        9 => format!(
            "ip saddr {{ 10.{}.0.0/16, 172.16.0.0/12 }} goto {}",
            r.below(256),
            chain(r)
        ),
        _ => format!("iifname lo{} return", r.below(10)),
    }
}

/// One random step on the model's table: the nft arguments.
fn step(r: &mut Rng, m: &Model, n: usize) -> String {
    let rule = |r: &mut Rng| m.rules.get(r.below(m.rules.len())).cloned();
    let chain = |r: &mut Rng| r.pick(&m.chains).clone();
    let t = m.table;
    if m.chains.is_empty() {
        return format!("add chain {t} c{n}");
    }
    match r.below(16) {
        0 => format!("add chain {t} c{n}"),
        1 => format!("add chain {t} b{n} {{ type filter hook input priority {n}; }}"),
        2 => format!("delete chain {t} {}", chain(r)),
        3..=5 => format!("add rule {t} {} {}", chain(r), statement(r, m)),
        6 => match rule(r) {
            Some((c, h)) => format!("insert rule {t} {c} position {h} {}", statement(r, m)),
            None => format!("insert rule {t} {} {}", chain(r), statement(r, m)),
        },
        7 => match rule(r) {
            Some((c, h)) => format!("add rule {t} {c} position {h} {}", statement(r, m)),
            None => format!("add rule {t} {} counter", chain(r)),
        },
        8 | 9 => match rule(r) {
            Some((c, h)) => format!("delete rule {t} {c} handle {h}"),
            None => format!("list table {t}"),
        },
        10 => match rule(r) {
            Some((c, h)) => format!("replace rule {t} {c} handle {h} {}", statement(r, m)),
            None => format!("list table {t}"),
        },
        11 => format!("add set {t} s{n} {{ type ipv4_addr; flags interval; }}"),
        12 => format!("add map {t} m{n} {{ type ipv4_addr : verdict; flags interval; }}"),
        13 => match (m.sets.first(), m.maps.first()) {
            (Some(_), _) if r.below(2) == 0 => format!(
                "add element {t} {} {{ 10.{}.0.0/16 }}",
                r.pick(&m.sets),
                r.below(256)
            ),
            (_, Some(_)) => format!(
                "add element {t} {} {{ 10.{}.0.0/16 : jump {} }}",
                r.pick(&m.maps),
                r.below(256),
                chain(r)
            ),
            _ => format!("add counter {t} k{n}"),
        },
        14 => format!("add counter {t} k{n}"),
        _ => match (m.sets.first(), m.counters.first()) {
            (Some(_), _) if r.below(2) == 0 => format!("delete set {t} {}", r.pick(&m.sets)),
            (_, Some(_)) => format!("delete counter {t} {}", r.pick(&m.counters)),
            _ => format!("add chain {t} c{n}"),
        },
    }
}

#[test]
fn random_histories_restore_with_their_handles() {
    let seed = env_u64("NFTWIRE_HANDLES_SEED", 0x5eed_0012) | 1;
    let cases = env_u64("NFTWIRE_HANDLES_CASES", 8);
    let steps = env_u64("NFTWIRE_HANDLES_STEPS", 40) as usize;
    for case in 0..cases {
        let label = format!("seed {seed:#x} case {case}");
        let l = label.clone();
        let saved = common::netns(move || {
            let mut r = Rng(seed ^ (case + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            for t in RANDOM_TABLES {
                nft_ok(&format!("add table {t}"));
                nft_ok(&format!("add chain {t} c0"));
            }
            let mut applied = 0;
            let mut log = Vec::new();
            for n in 1..=steps {
                let table = RANDOM_TABLES[r.below(RANDOM_TABLES.len())];
                let m = model(table);
                let s = step(&mut r, &m, n);
                let args: Vec<&str> = s.split(' ').collect();
                // The kernel refuses some random steps (a loop, a chain
                // still in use): nothing changes then.
                if nft(&args).is_ok() {
                    applied += 1;
                    log.push(s);
                }
            }
            assert!(applied > steps / 3, "{l}: only {applied} steps applied");
            eprintln!("{l}: {applied} steps:\n  {}", log.join("\n  "));
            round_trip(&l)
        });
        fresh_namespace(&label, saved);
    }
}

#[test]
fn inconsistent_handles_restore_in_file_order_with_a_warning() {
    // A hand-made file in which a chain and a rule claim the same handle:
    // the table is restored in the file's order, and restore says so.
    use nftwire::object::{Chain, Rule, Table};
    let mut c = Chain::regular(2, "t", "c");
    c.attrs.handle = Some(4);
    let mut r = Rule::new(2, "t", "c", Vec::new());
    r.attrs.handle = Some(4);
    let rs = Ruleset {
        tables: vec![Table::named(2, "t")],
        chains: vec![c],
        rules: vec![r],
        ..Default::default()
    };
    let text = nftwire::save::to_string(&rs);
    common::netns(move || {
        let o = common::run_stdin(
            common::bin("nftwire").to_str().unwrap(),
            &["restore", "-"],
            &text,
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{err}");
        assert!(
            err.contains("warning: <stdin>: table ip t: restored in the file's order")
                && err.contains("handle 4 is saved twice"),
            "{err}"
        );
        let l = listing();
        assert!(l.contains("chain c { # handle 1"), "{l}");
        assert!(l.contains("# handle 2"), "{l}");
    });
}
