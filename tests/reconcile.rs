//! Declarative reconciliation against the real kernel, each test in its own
//! network namespace; foreign rules are loaded with the real `nft`.

mod common;

use nftwire::consts::family::IPV4;
use nftwire::expr::Expr;
use nftwire::netlink::Conn;
use nftwire::reconcile::text::compile_rule;
use nftwire::reconcile::{
    self, canonical_exprs, Anchor, BaseChain, ChainKind, DeleteReason, Desired, DesiredRule,
    Placement, Step, Tag,
};

/// One rule of a chain as the kernel has it.
#[derive(Clone, Debug, PartialEq)]
struct Seen {
    handle: u64,
    tag: Option<Tag>,
    exprs: Vec<u8>,
    userdata: Option<Vec<u8>>,
    packets: Option<u64>,
}

fn view(conn: &mut Conn, table: &str, chain: &str) -> Vec<Seen> {
    let st = reconcile::read_chain(conn, IPV4, table, chain).expect("read chain");
    st.rules
        .iter()
        .map(|r| Seen {
            handle: r.attrs.handle.expect("handle"),
            tag: Tag::of_rule(r),
            exprs: canonical_exprs(r.exprs()),
            userdata: r.attrs.userdata.as_ref().map(|u| u.to_vec()),
            packets: r.exprs().iter().find_map(|e| match e {
                Expr::Counter(c) => c.packets,
                _ => None,
            }),
        })
        .collect()
}

/// `owner/key` for managed rules, `-` for foreign ones, in chain order.
fn layout(v: &[Seen]) -> Vec<String> {
    v.iter()
        .map(|s| s.tag.as_ref().map_or("-".to_string(), |t| t.to_string()))
        .collect()
}

fn foreign(v: &[Seen]) -> Vec<Seen> {
    v.iter().filter(|s| s.tag.is_none()).cloned().collect()
}

fn rule(key: &str, text: &str) -> DesiredRule {
    let (exprs, comment) = compile_rule(IPV4, text).expect("rule text");
    DesiredRule {
        key: key.into(),
        exprs,
        comment,
    }
}

fn desired(owner: &str, chain: &str, placement: Placement, rules: Vec<DesiredRule>) -> Desired {
    Desired {
        family: IPV4,
        table: "nat".into(),
        chain: chain.into(),
        kind: ChainKind::Regular,
        owner: owner.into(),
        placement,
        rules,
    }
}

fn calico() -> Vec<DesiredRule> {
    vec![
        rule(
            "web",
            "ip saddr 10.0.0.0/8 tcp dport 80 counter accept comment \"calico web\"",
        ),
        rule("dns", "udp dport 53 accept"),
        rule(
            "est",
            "ct state established,related iifname \"cali*\" mark 0x10 return",
        ),
    ]
}

fn kube_ovn() -> Vec<DesiredRule> {
    vec![
        rule("svc", "ip daddr 10.96.0.0/12 counter accept"),
        rule("pod", "ip saddr 10.16.0.0/16 ip daddr != 10.16.0.0/16 drop"),
    ]
}

const PREROUTING: &str = "table ip nat {
  chain PREROUTING {
    type nat hook prerouting priority dstnat; policy accept;
    iifname \"lo\" counter accept comment \"foreign one\"
    tcp dport 22 accept
    ip saddr 192.168.0.0/16 drop comment \"foreign three\"
  }
}
";

/// Every managed rule precedes every foreign rule.
fn all_managed_first(v: &[Seen]) -> bool {
    let first_foreign = v.iter().position(|s| s.tag.is_none()).unwrap_or(v.len());
    v[first_foreign..].iter().all(|s| s.tag.is_none())
}

#[test]
fn converges_from_empty_creating_table_and_chain() {
    common::netns(|| {
        let mut conn = Conn::open().unwrap();
        // A base chain that does not exist and has no hook: an error, and
        // nothing is created.
        let mut d = desired("calico", "PREROUTING", Placement::Head, calico());
        d.kind = ChainKind::Base(None);
        let g0 = conn.generation().unwrap();
        match reconcile::apply(&mut conn, &d) {
            Err(nftwire::Error::Input(m)) => assert!(m.contains("does not exist"), "{m}"),
            other => panic!("expected an input error, got {other:?}"),
        }
        assert_eq!(conn.generation().unwrap(), g0);
        let st = reconcile::read_chain(&mut conn, IPV4, "nat", "PREROUTING").unwrap();
        assert!(!st.table_exists && st.chain.is_none());

        // With its hook it is created, with the table, in the same batch.
        d.kind = ChainKind::Base(Some(BaseChain {
            chain_type: "nat".into(),
            hook: 0,
            priority: -100,
            policy: None,
            device: None,
        }));
        let a = reconcile::apply(&mut conn, &d).unwrap();
        assert_eq!(a.attempts, 1);
        let steps = &a.plans[0].steps;
        assert_eq!(steps[..2], [Step::CreateTable, Step::CreateChain]);
        assert_eq!(steps.len(), 5, "{steps:?}");
        let v = view(&mut conn, "nat", "PREROUTING");
        assert_eq!(layout(&v), ["calico/web", "calico/dns", "calico/est"]);
        for (s, r) in v.iter().zip(&d.rules) {
            assert_eq!(s.exprs, canonical_exprs(&r.exprs));
        }
        // nft sees a nat base chain, the comment, and nothing of the tag.
        let out = common::run("nft", &["list", "chain", "ip", "nat", "PREROUTING"]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("type nat hook prerouting priority dstnat"),
            "{text}"
        );
        assert!(
            text.contains("tcp dport 80 counter packets 0 bytes 0 accept comment \"calico web\""),
            "{text}"
        );
        assert!(text.contains("udp dport 53 accept"), "{text}");
        assert!(!text.contains("nfw1"), "{text}");

        // A regular chain in a new table.
        let d2 = Desired {
            table: "fresh".into(),
            ..desired("calico", "cali-x", Placement::Tail, kube_ovn())
        };
        reconcile::apply(&mut conn, &d2).unwrap();
        let v = view(&mut conn, "fresh", "cali-x");
        assert_eq!(layout(&v), ["calico/svc", "calico/pod"]);
    });
}

#[test]
fn second_apply_sends_nothing() {
    common::netns(|| {
        common::nft_load(PREROUTING);
        let mut conn = Conn::open().unwrap();
        let d = desired("calico", "PREROUTING", Placement::Head, calico());
        let first = reconcile::apply(&mut conn, &d).unwrap();
        assert!(first.changed());
        let before = view(&mut conn, "nat", "PREROUTING");
        let g = conn.generation().unwrap();
        for _ in 0..3 {
            let again = reconcile::apply(&mut conn, &d).unwrap();
            assert!(!again.changed(), "{:?}", again.plans[0].steps);
            assert_eq!(again.attempts, 1);
            assert_eq!(
                conn.generation().unwrap(),
                g,
                "an empty plan must send nothing"
            );
        }
        assert_eq!(view(&mut conn, "nat", "PREROUTING"), before);
    });
}

#[test]
fn foreign_rules_stay_in_place_and_unchanged() {
    common::netns(|| {
        common::nft_load(PREROUTING);
        let mut conn = Conn::open().unwrap();
        // Our rules interleaved with foreign ones, out of order, one
        // duplicated and a stale one twice: as a fighting controller leaves
        // them.
        put_tagged(&mut conn, "calico", "old", "drop", true);
        put_tagged(
            &mut conn,
            "calico",
            "est",
            "ct state established accept",
            false,
        );
        common::nft_load(
            "add rule ip nat PREROUTING udp dport 5353 accept comment \"foreign four\"",
        );
        put_tagged(&mut conn, "calico", "web", "tcp dport 80 accept", false);
        put_tagged(&mut conn, "calico", "old", "drop", false);
        put_tagged(&mut conn, "calico", "web", "tcp dport 80 accept", false);
        let mut d = desired("calico", "PREROUTING", Placement::Head, calico());

        let before = view(&mut conn, "nat", "PREROUTING");
        assert_eq!(
            layout(&before),
            [
                "calico/old",
                "-",
                "-",
                "-",
                "calico/est",
                "-",
                "calico/web",
                "calico/old",
                "calico/web"
            ]
        );
        let foreign_before = foreign(&before);

        let a = reconcile::apply(&mut conn, &d).unwrap();
        let after = view(&mut conn, "nat", "PREROUTING");
        assert_eq!(foreign(&after), foreign_before, "foreign rules changed");
        assert_eq!(
            layout(&after),
            ["calico/web", "calico/dns", "calico/est", "-", "-", "-", "-"]
        );
        // Stale (2) and duplicate (1) deleted; est and web (changed, and out
        // of place) re-created at the head; dns inserted.
        let steps = &a.plans[0].steps;
        let n = |why: DeleteReason| {
            steps
                .iter()
                .filter(|s| matches!(s, Step::Delete { reason, .. } if *reason == why))
                .count()
        };
        assert_eq!(
            (
                n(DeleteReason::Stale),
                n(DeleteReason::Duplicate),
                n(DeleteReason::Misplaced)
            ),
            (2, 1, 2),
            "{steps:?}"
        );
        assert_eq!(steps.len(), 5 + 3);

        // Changing our rules again still leaves the foreign ones alone.
        d.rules.remove(1);
        d.rules.push(rule("new", "tcp dport 443 accept"));
        reconcile::apply(&mut conn, &d).unwrap();
        let after2 = view(&mut conn, "nat", "PREROUTING");
        assert_eq!(foreign(&after2), foreign_before);
        assert_eq!(
            layout(&after2)[..3],
            ["calico/web", "calico/est", "calico/new"]
        );
        // nft still reads every rule, foreign comments included.
        let out = common::run("nft", &["list", "chain", "ip", "nat", "PREROUTING"]);
        let text = String::from_utf8_lossy(&out.stdout);
        for c in ["foreign one", "foreign three", "foreign four", "calico web"] {
            assert!(text.contains(c), "{c} missing:\n{text}");
        }
    });
}

#[test]
fn two_owners_wanting_the_head_settle() {
    common::netns(|| {
        common::nft_load(PREROUTING);
        let mut conn = Conn::open().unwrap();
        let a = desired("calico", "PREROUTING", Placement::Head, calico());
        let b = desired("kube-ovn", "PREROUTING", Placement::Head, kube_ovn());
        let foreign_before = foreign(&view(&mut conn, "nat", "PREROUTING"));
        // First round: both converge.
        assert!(reconcile::apply(&mut conn, &a).unwrap().changed());
        assert!(reconcile::apply(&mut conn, &b).unwrap().changed());
        let settled = view(&mut conn, "nat", "PREROUTING");
        let g = conn.generation().unwrap();
        // Later rounds, in either order: nothing sent, nothing moves.
        for round in 0..5 {
            let (x, y) = if round % 2 == 0 { (&a, &b) } else { (&b, &a) };
            for d in [x, y] {
                let r = reconcile::apply(&mut conn, d).unwrap();
                assert!(
                    !r.changed(),
                    "round {round}, {}: {:?}",
                    d.owner,
                    r.plans[0].steps
                );
            }
            assert_eq!(conn.generation().unwrap(), g, "round {round} sent a batch");
        }
        let v = view(&mut conn, "nat", "PREROUTING");
        assert_eq!(v, settled);
        // Each key exactly once, every managed rule ahead of the foreign
        // ones, each owner's rules in its order, foreign rules untouched.
        let l = layout(&v);
        assert_eq!(l.len(), 5 + 3);
        let mut sorted = l.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 5 + 1, "duplicates: {l:?}");
        assert!(all_managed_first(&v), "{l:?}");
        let own = |o: &str| {
            l.iter()
                .filter(|s| s.starts_with(o))
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(own("calico/"), ["calico/web", "calico/dns", "calico/est"]);
        assert_eq!(own("kube-ovn/"), ["kube-ovn/svc", "kube-ovn/pod"]);
        assert_eq!(foreign(&v), foreign_before);

        // A legacy tool that inserts at position 1 pushes a foreign rule to
        // the top: each owner moves its own rules back above it once, then
        // both are stable again.
        common::nft_load("insert rule ip nat PREROUTING meta mark 7 accept");
        reconcile::apply(&mut conn, &a).unwrap();
        reconcile::apply(&mut conn, &b).unwrap();
        let v = view(&mut conn, "nat", "PREROUTING");
        assert!(all_managed_first(&v), "{:?}", layout(&v));
        let g = conn.generation().unwrap();
        for d in [&a, &b, &a, &b] {
            assert!(!reconcile::apply(&mut conn, d).unwrap().changed());
        }
        assert_eq!(conn.generation().unwrap(), g);
    });
}

#[test]
fn concurrent_change_between_plan_and_apply_replans() {
    common::netns(|| {
        common::nft_load(PREROUTING);
        let mut conn = Conn::open().unwrap();
        let d = desired("calico", "PREROUTING", Placement::Head, calico());
        let mut short = d.clone();
        short.rules.truncate(2);
        reconcile::apply(&mut conn, &short).unwrap();

        // Another writer with its own socket, on its own thread in this
        // namespace (the socket is opened here, before the thread starts).
        let mut other = Conn::open().unwrap();
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let writer = std::thread::spawn(move || {
            go_rx.recv().unwrap();
            // At the top: a foreign rule; at the end: a copy of "dns".
            let st = reconcile::read_chain(&mut other, IPV4, "nat", "PREROUTING").unwrap();
            let top = nftwire::object::Rule::new(
                IPV4,
                "nat",
                "PREROUTING",
                compile_rule(IPV4, "tcp dport 8080 drop").unwrap().0,
            );
            let mut op_top =
                nftwire::ruleset::creation_op(top.to_msg(nftwire::consts::msg::NEWRULE, 0));
            op_top.msg.flags &= !netlink_append();
            let dns = st
                .rules
                .iter()
                .find(|r| Tag::of_rule(r).is_some_and(|t| t.key == "dns"))
                .unwrap();
            let mut copy =
                nftwire::object::Rule::new(IPV4, "nat", "PREROUTING", dns.exprs().to_vec());
            copy.attrs.userdata = dns.attrs.userdata.clone();
            let op_copy =
                nftwire::ruleset::creation_op(copy.to_msg(nftwire::consts::msg::NEWRULE, 0));
            other
                .batch(&[op_top, op_copy], Some(st.generation))
                .unwrap();
            done_tx.send(()).unwrap();
        });

        let mut seen_plans = Vec::new();
        let applied =
            reconcile::apply_with(&mut conn, std::slice::from_ref(&d), |attempt, plans| {
                seen_plans.push(plans[0].steps.clone());
                if attempt == 0 {
                    go_tx.send(()).unwrap();
                    done_rx.recv().unwrap();
                }
            })
            .unwrap();
        writer.join().unwrap();

        assert_eq!(applied.attempts, 2, "{seen_plans:?}");
        // The first plan only inserted "est"; the refused batch changed
        // nothing, and the second plan saw the other writer's rules.
        assert_eq!(seen_plans[0].len(), 1, "{:?}", seen_plans[0]);
        assert!(seen_plans[1].iter().any(|s| matches!(
            s,
            Step::Delete {
                reason: DeleteReason::Duplicate,
                ..
            }
        )));
        let v = view(&mut conn, "nat", "PREROUTING");
        assert_eq!(
            layout(&v),
            ["calico/web", "calico/dns", "calico/est", "-", "-", "-", "-"],
            "foreign rule kept, duplicate removed, ours back at the head"
        );
        assert!(reconcile::apply(&mut conn, &d).unwrap().attempts == 1);
    });
}

/// Add a rule tagged `owner/key` by hand (at the top or the end), as
/// another writer would.
fn put_tagged(conn: &mut Conn, owner: &str, key: &str, text: &str, top: bool) {
    let st = reconcile::read_chain(conn, IPV4, "nat", "PREROUTING").unwrap();
    let (exprs, comment) = compile_rule(IPV4, text).unwrap();
    let mut r = nftwire::object::Rule::new(IPV4, "nat", "PREROUTING", exprs);
    let u = Tag::new(owner, key)
        .unwrap()
        .userdata(comment.as_deref())
        .unwrap();
    r.attrs.userdata = Some(u.into());
    let mut op = nftwire::ruleset::creation_op(r.to_msg(nftwire::consts::msg::NEWRULE, 0));
    if top {
        op.msg.flags &= !netlink_append();
    }
    conn.batch(&[op], Some(st.generation)).unwrap();
}

fn netlink_append() -> u16 {
    0x800 // NLM_F_APPEND: without it, NEWRULE inserts at the top
}

#[test]
fn replaced_rule_keeps_its_place_and_handle() {
    common::netns(|| {
        common::nft_load(PREROUTING);
        let mut conn = Conn::open().unwrap();
        let mut d = desired("calico", "PREROUTING", Placement::Head, calico());
        reconcile::apply(&mut conn, &d).unwrap();
        let before = view(&mut conn, "nat", "PREROUTING");

        d.rules[1] = rule("dns", "udp dport 5353 counter drop comment \"changed\"");
        let a = reconcile::apply(&mut conn, &d).unwrap();
        let after = view(&mut conn, "nat", "PREROUTING");
        assert_eq!(
            a.plans[0].steps,
            [Step::Replace {
                handle: before[1].handle,
                key: "dns".into()
            }]
        );
        assert_eq!(layout(&after), layout(&before));
        let handles = |v: &[Seen]| v.iter().map(|s| s.handle).collect::<Vec<_>>();
        assert_eq!(handles(&after), handles(&before));
        assert_eq!(after[1].exprs, canonical_exprs(&d.rules[1].exprs));
        assert_ne!(after[1].exprs, before[1].exprs);
        let u = after[1].userdata.as_deref().unwrap();
        assert_eq!(
            nftwire::object::rule::udata_comment(u, 0).as_deref(),
            Some("changed")
        );
        assert_eq!(after[0], before[0]);
        assert_eq!(after[2..], before[2..]);
    });
}

#[test]
fn counters_survive_comment_changes_and_moves() {
    common::netns(|| {
        let o = common::run("ip", &["link", "set", "lo", "up"]);
        assert!(o.status.success());
        common::nft_load(
            "table ip nat {\n chain OUT {\n type filter hook output priority 0;\n tcp dport 1 accept\n }\n}\n",
        );
        let mut conn = Conn::open().unwrap();
        let mut d = desired(
            "calico",
            "OUT",
            Placement::Head,
            vec![rule("a", "udp dport 40999 counter"), rule("b", "counter")],
        );
        reconcile::apply(&mut conn, &d).unwrap();
        let rx = std::net::UdpSocket::bind("127.0.0.1:40999").unwrap();
        let tx = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        for _ in 0..3 {
            tx.send_to(b"x", "127.0.0.1:40999").unwrap();
        }
        let mut buf = [0u8; 4];
        for _ in 0..3 {
            rx.recv(&mut buf).unwrap();
        }
        let v = view(&mut conn, "nat", "OUT");
        assert_eq!((v[0].packets, v[1].packets), (Some(3), Some(3)));

        // Comment only: replaced in place, counters kept.
        d.rules[0].comment = Some("now with a comment".into());
        let a = reconcile::apply(&mut conn, &d).unwrap();
        assert!(
            matches!(a.plans[0].steps[..], [Step::Replace { .. }]),
            "{:?}",
            a.plans[0].steps
        );
        let after = view(&mut conn, "nat", "OUT");
        assert_eq!(after[0].handle, v[0].handle);
        assert_eq!((after[0].packets, after[1].packets), (Some(3), Some(3)));
        let u = after[0].userdata.as_deref().unwrap();
        assert_eq!(
            nftwire::object::rule::udata_comment(u, 0).as_deref(),
            Some("now with a comment")
        );

        // Order swapped: one rule moves (delete + insert), counters kept.
        d.rules.swap(0, 1);
        let a = reconcile::apply(&mut conn, &d).unwrap();
        assert_eq!(a.plans[0].steps.len(), 2, "{:?}", a.plans[0].steps);
        let v = view(&mut conn, "nat", "OUT");
        assert_eq!(layout(&v), ["calico/b", "calico/a", "-"]);
        assert_eq!((v[0].packets, v[1].packets), (Some(3), Some(3)));
    });
}

#[test]
fn tail_and_anchored_placements() {
    common::netns(|| {
        common::nft_load(PREROUTING);
        let mut conn = Conn::open().unwrap();
        let b = desired("kube-ovn", "PREROUTING", Placement::Tail, kube_ovn());
        reconcile::apply(&mut conn, &b).unwrap();
        let v = view(&mut conn, "nat", "PREROUTING");
        assert_eq!(layout(&v), ["-", "-", "-", "kube-ovn/svc", "kube-ovn/pod"]);

        let anchor = Anchor::Rule {
            owner: "kube-ovn".into(),
            key: "svc".into(),
        };
        let mut a = desired(
            "calico",
            "PREROUTING",
            Placement::After(anchor.clone()),
            calico(),
        );
        reconcile::apply(&mut conn, &a).unwrap();
        let v = view(&mut conn, "nat", "PREROUTING");
        assert_eq!(
            layout(&v),
            [
                "-",
                "-",
                "-",
                "kube-ovn/svc",
                "calico/web",
                "calico/dns",
                "calico/est",
                "kube-ovn/pod"
            ]
        );
        // kube-ovn's tail is still satisfied (only managed rules follow).
        assert!(!reconcile::apply(&mut conn, &b).unwrap().changed());

        a.placement = Placement::Before(Anchor::Comment("foreign three".into()));
        reconcile::apply(&mut conn, &a).unwrap();
        let v = view(&mut conn, "nat", "PREROUTING");
        assert_eq!(
            layout(&v),
            [
                "-",
                "-",
                "calico/web",
                "calico/dns",
                "calico/est",
                "-",
                "kube-ovn/svc",
                "kube-ovn/pod"
            ]
        );
        a.placement = Placement::After(Anchor::Comment("no such rule".into()));
        assert!(matches!(
            reconcile::apply(&mut conn, &a),
            Err(nftwire::Error::Input(_))
        ));
    });
}

#[test]
fn cli_dry_run_then_apply() {
    common::netns(|| {
        common::nft_load(PREROUTING);
        let dir = std::env::temp_dir().join(format!("nftwire-reconcile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("calico.rules");
        std::fs::write(
            &file,
            "# calico's rules\nchain ip nat PREROUTING owner=calico placement=head base\n\
             web: ip saddr 10.0.0.0/8 tcp dport 80 counter accept comment \"calico web\"\n\
             dns: udp dport 53 accept\n",
        )
        .unwrap();
        let bin = env!("CARGO_BIN_EXE_nftwire");
        let f = file.to_str().unwrap();
        let mut conn = Conn::open().unwrap();
        let g = conn.generation().unwrap();
        let o = common::run(bin, &["reconcile", "--dry-run", f]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(out.contains("would apply 2 changes"), "{out}");
        assert!(
            out.contains("insert web at the top: ip saddr 10.0.0.0/8"),
            "{out}"
        );
        assert_eq!(conn.generation().unwrap(), g, "dry run changed the ruleset");

        let o = common::run(bin, &["reconcile", f]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v = view(&mut conn, "nat", "PREROUTING");
        assert_eq!(layout(&v), ["calico/web", "calico/dns", "-", "-", "-"]);
        let o = common::run(bin, &["reconcile", f]);
        assert!(String::from_utf8_lossy(&o.stdout).contains("converged, nothing to do"));

        std::fs::write(
            &file,
            "chain ip nat PREROUTING owner=calico\nweb: tcp dport 99999 accept\n",
        )
        .unwrap();
        let o = common::run(bin, &["reconcile", f]);
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("line 2") && err.contains("bad port"), "{err}");
        std::fs::write(&file, "chain ip nat MISSING owner=calico base\n").unwrap();
        let o = common::run(bin, &["reconcile", f]);
        assert_eq!(o.status.code(), Some(2));
        std::fs::remove_dir_all(&dir).unwrap();
    });
}
