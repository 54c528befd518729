//! Kernel tests of the netlink transport: consistent dumps and live
//! listings under concurrent change, atomic batches (failure, echo, stale
//! generation), and a batch and dump of 100k rules.

mod common;

use bytes::Bytes;
use netlink_packet_core::NLM_F_ECHO;
use nftwire::consts::msg;
use nftwire::data::VerdictCode;
use nftwire::expr::{Expr, Immediate};
use nftwire::netlink::{BatchOp, Conn, NfMsg};
use nftwire::object::{Chain, Obj, Rule, Table};
use nftwire::object::{ChainAttrs, RuleAttrs, TableAttrs};
use nftwire::ruleset::{creation_op, Ruleset};
use nftwire::Error;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn table(name: &str) -> BatchOp {
    creation_op(Table::named(2, name).to_msg(msg::NEWTABLE, 0))
}

fn chain(t: &str, name: &str) -> BatchOp {
    creation_op(Chain::regular(2, t, name).to_msg(msg::NEWCHAIN, 0))
}

fn rule(t: &str, c: &str, tag: u32) -> BatchOp {
    let mut r = Rule::new(
        2,
        t,
        c,
        vec![Expr::Immediate(Immediate::verdict(
            VerdictCode::Accept,
            None,
        ))],
    );
    r.attrs.userdata = Some(Bytes::copy_from_slice(&tag.to_be_bytes()));
    creation_op(r.to_msg(msg::NEWRULE, 0))
}

/// A message of type `ty` on chain `c` of ip table `t` that names them
/// only: `chain_attr` is the chain name's attribute number.
fn on_chain(ty: u16, op: &str, t: &str, chain_attr: u16, c: &str) -> BatchOp {
    BatchOp {
        msg: NfMsg::nft(
            ty,
            0,
            2,
            nftwire::object::selector(&[(1, t), (chain_attr, c)]),
        ),
        op: op.into(),
        what: format!("chain {c}"),
    }
}

/// Delete every rule of a chain (DELRULE with table and chain only).
fn flush_chain(t: &str, c: &str) -> BatchOp {
    on_chain(msg::DELRULE, "RULE_FLUSH", t, 2, c)
}

/// Delete a chain (DELCHAIN by table and name).
fn delete_chain(t: &str, c: &str) -> BatchOp {
    on_chain(msg::DELCHAIN, "CHAIN_DEL", t, 3, c)
}

/// Run `read` over and over while a writer thread (on `writer`) applies
/// `add`, then `del`, then `add` again, pausing `pause` after each batch:
/// for at least 3 s, and until 20 reads succeeded, both states were read
/// and the writer applied 20 batches (at most 60 s: on a loaded machine
/// the writer thread may get little CPU beside the reader). `read`
/// returns whether it saw the added state (true) or the deleted one
/// (false), and panics on anything in between. A read may give up with
/// `GenerationChanged` after its retries. Asserts that enough reads
/// succeeded, that both states were seen and that the writer kept up.
fn reads_under_change(
    what: &str,
    mut writer: Conn,
    add: Vec<BatchOp>,
    del: Vec<BatchOp>,
    pause: Duration,
    mut read: impl FnMut() -> nftwire::Result<bool>,
) {
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let written = Arc::new(AtomicUsize::new(0));
    let written2 = written.clone();
    let w = std::thread::spawn(move || {
        let mut batches = 0usize;
        while !stop2.load(Ordering::Relaxed) {
            writer.batch(&add, None).expect("writer add");
            std::thread::sleep(pause);
            writer.batch(&del, None).expect("writer delete");
            batches += 2;
            written2.store(batches, Ordering::Relaxed);
            std::thread::sleep(pause);
        }
        batches
    });
    let start = Instant::now();
    let (mut ok, mut changed, mut seen_full, mut seen_empty) = (0, 0, 0, 0);
    let enough = |ok: usize, full: usize, empty: usize| {
        ok >= 20 && full > 0 && empty > 0 && written.load(Ordering::Relaxed) >= 20
    };
    while start.elapsed() < Duration::from_secs(3)
        || (!enough(ok, seen_full, seen_empty) && start.elapsed() < Duration::from_secs(60))
    {
        match read() {
            Ok(full) => {
                ok += 1;
                if full {
                    seen_full += 1;
                } else {
                    seen_empty += 1;
                }
            }
            Err(Error::GenerationChanged) => changed += 1,
            Err(e) => panic!("{what} failed: {e}"),
        }
    }
    stop.store(true, Ordering::Relaxed);
    let batches = w.join().unwrap();
    eprintln!(
        "{ok} consistent {what}s ({seen_full} full, {seen_empty} empty), \
         {changed} gave up after retries, {batches} writer batches"
    );
    assert!(ok >= 20, "only {ok} consistent {what}s");
    assert!(seen_full > 0 && seen_empty > 0, "both states must be seen");
    assert!(
        batches >= 20,
        "writer too slow to test anything ({batches})"
    );
}

/// Create table `t` with chains `c0`..`c{n-1}` (on `writer`); returns the
/// chain names, the batch adding one rule to each and the batch flushing
/// them all.
fn chains_with_one_rule(writer: &mut Conn, n: usize) -> (Vec<String>, Vec<BatchOp>, Vec<BatchOp>) {
    let names: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
    let mut setup = vec![table("t")];
    setup.extend(names.iter().map(|c| chain("t", c)));
    writer.batch(&setup, None).unwrap();
    let add = names.iter().map(|c| rule("t", c, 7)).collect();
    let del = names.iter().map(|c| flush_chain("t", c)).collect();
    (names, add, del)
}

#[test]
fn dumps_are_consistent_while_another_thread_writes() {
    const N: usize = 40;
    common::netns(|| {
        // Both sockets are opened here, in the test's namespace; the writer
        // thread only uses its socket.
        let mut reader = Conn::open().unwrap();
        let mut writer = Conn::open().unwrap();
        writer.batch(&[table("t"), chain("t", "c")], None).unwrap();
        let add: Vec<BatchOp> = (0..N as u32).map(|i| rule("t", "c", i)).collect();
        let del = vec![flush_chain("t", "c")];
        reads_under_change("read", writer, add, del, Duration::from_micros(300), || {
            let rs = Ruleset::read(&mut reader, 0)?;
            assert_eq!(rs.tables.len(), 1);
            assert_eq!(rs.chains.len(), 1);
            let n = rs.rules.len();
            assert!(n == 0 || n == N, "inconsistent snapshot with {n} rules");
            // In order, each exactly once.
            for (i, r) in rs.rules.iter().enumerate() {
                let tag = r.attrs.userdata.as_deref().unwrap();
                assert_eq!(tag, &(i as u32).to_be_bytes());
            }
            Ok(n == N)
        });
    });
}

#[test]
fn streamed_save_is_one_snapshot_while_another_thread_writes() {
    // Enough chains for `save::save` to dump them on several connections
    // and render them on several threads.
    const CHAINS: usize = 300;
    common::netns(|| {
        let mut reader = Conn::open().unwrap();
        let mut writer = Conn::open().unwrap();
        let (names, add, del) = chains_with_one_rule(&mut writer, CHAINS);
        reads_under_change("save", writer, add, del, Duration::from_millis(2), || {
            let mut text = Vec::new();
            nftwire::save::save(&mut reader, 0, &mut text)?;
            let text = String::from_utf8(text).unwrap();
            let rules: Vec<&str> = text
                .lines()
                .filter_map(|l| l.strip_prefix("rule ip t "))
                .collect();
            if !rules.is_empty() {
                // Every chain's rule, once each, in chain order.
                assert_eq!(rules, names, "inconsistent snapshot");
            }
            Ok(!rules.is_empty())
        });
    });
}

/// The rule lines of each chain block of an `nftwire list` text, by chain
/// name, in the order the chains are listed.
fn listed_chains(text: &str) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for l in text.lines() {
        if let Some(rest) = l.strip_prefix("\tchain ") {
            let name = rest.split(' ').next().unwrap_or_default();
            out.push((name.to_string(), 0));
        } else if l == "\t\taccept" {
            out.last_mut().expect("a rule line outside a chain").1 += 1;
        }
    }
    out
}

#[test]
fn live_list_is_one_snapshot_while_another_thread_writes() {
    // Enough chains for the listing to dump and render them in parts on
    // several connections and threads.
    use nftwire::render::nft::live::{list, Format};
    use nftwire::render::nft::{Octx, Selection};
    const CHAINS: usize = 300;
    common::netns(|| {
        let mut writer = Conn::open().unwrap();
        let (names, add, del) = chains_with_one_rule(&mut writer, CHAINS);
        let sel = Selection::Ruleset(None);
        reads_under_change(
            "listing",
            writer,
            add,
            del,
            Duration::from_millis(2),
            || {
                let out = list(&sel, &Octx::default(), Format::Text)?;
                assert!(out.text.starts_with("table ip t {\n"), "{}", out.text);
                assert!(out.text.ends_with("\t}\n}\n"));
                let chains = listed_chains(&out.text);
                let listed: Vec<&str> = chains.iter().map(|c| c.0.as_str()).collect();
                assert_eq!(listed, names, "every chain, once, in order");
                let full = chains[0].1 == 1;
                for (name, rules) in &chains {
                    assert_eq!(*rules, usize::from(full), "inconsistent snapshot at {name}");
                }
                Ok(full)
            },
        );
    });
}

#[test]
fn live_chain_list_is_one_snapshot_while_another_thread_writes() {
    // One chain with enough rules to be decoded in parts on several
    // threads.
    use nftwire::render::nft::live::{list, Format};
    use nftwire::render::nft::{Octx, Selection};
    const RULES: usize = 1500;
    common::netns(|| {
        let mut writer = Conn::open().unwrap();
        writer
            .batch(&[table("t"), chain("t", "a"), chain("t", "c")], None)
            .unwrap();
        let add: Vec<BatchOp> = (0..RULES as u32).map(|i| rule("t", "c", i)).collect();
        let del = vec![flush_chain("t", "c")];
        let sel = Selection::Chain(2, "t".into(), "c".into());
        reads_under_change(
            "chain listing",
            writer,
            add,
            del,
            Duration::from_millis(2),
            || {
                let out = list(&sel, &Octx::default(), Format::Text)?;
                assert!(
                    out.text.starts_with("table ip t {\n\tchain c {\n"),
                    "{}",
                    out.text
                );
                assert!(out.text.ends_with("\t}\n}\n"));
                let chains = listed_chains(&out.text);
                assert_eq!(chains.len(), 1, "only the chain asked for");
                let n = chains[0].1;
                assert!(n == 0 || n == RULES, "inconsistent snapshot with {n} rules");
                Ok(n == RULES)
            },
        );
    });
}

#[test]
fn reads_retry_when_chains_vanish_under_them() {
    // Chains created and deleted while a read lists the chains and then
    // dumps each one's rules: a chain gone by the time its rules are
    // dumped (ENOENT) means the ruleset changed, so the read is retried,
    // never failed. Ruleset::read, save and the live listing all read this
    // way.
    use nftwire::render::nft::live::{list, Format};
    use nftwire::render::nft::{Octx, Selection};
    const CHAINS: usize = 300;
    let names: Vec<String> = (0..CHAINS).map(|i| format!("v{i}")).collect();
    let mut add: Vec<BatchOp> = names.iter().map(|c| chain("t", c)).collect();
    add.extend(names.iter().map(|c| rule("t", c, 1)));
    let del: Vec<BatchOp> = names.iter().map(|c| delete_chain("t", c)).collect();
    // Whether the snapshot has all the chains (true) or none (false).
    fn all_or_none(n: usize) -> bool {
        assert!(
            n == 0 || n == CHAINS,
            "inconsistent snapshot with {n} chains"
        );
        n == CHAINS
    }
    common::netns(move || {
        let mut reader = Conn::open().unwrap();
        // One writer per phase (each phase's writer thread takes its
        // socket); every phase ends with the chains deleted.
        let mut writers: Vec<Conn> = (0..3).map(|_| Conn::open().unwrap()).collect();
        writers[0].batch(&[table("t")], None).unwrap();
        let pause = Duration::from_millis(2);
        let mut next = || writers.remove(0);
        reads_under_change("read", next(), add.clone(), del.clone(), pause, || {
            let rs = Ruleset::read(&mut reader, 0)?;
            assert_eq!(rs.rules.len(), rs.chains.len());
            Ok(all_or_none(rs.chains.len()))
        });
        reads_under_change("save", next(), add.clone(), del.clone(), pause, || {
            let mut text = Vec::new();
            nftwire::save::save(&mut reader, 0, &mut text)?;
            let text = String::from_utf8(text).unwrap();
            let rules = text.lines().filter(|l| l.starts_with("rule ip t ")).count();
            Ok(all_or_none(rules))
        });
        let sel = Selection::Ruleset(None);
        reads_under_change("listing", next(), add, del, pause, || {
            let out = list(&sel, &Octx::default(), Format::Text)?;
            let chains = listed_chains(&out.text);
            assert!(chains.iter().all(|c| c.1 == 1), "a chain without its rule");
            Ok(all_or_none(chains.len()))
        });
    });
}

#[test]
fn failed_batch_applies_nothing_and_names_the_op() {
    common::netns(|| {
        let mut c = Conn::open().unwrap();
        let ops = vec![
            table("t"),
            chain("t", "good"),
            rule("t", "missing", 1),
            chain("t", "other"),
        ];
        let gen = c.generation().unwrap();
        match c.batch(&ops, None) {
            Err(Error::Kernel {
                errno, op, what, ..
            }) => {
                assert_eq!(errno, 2, "ENOENT for the missing chain");
                assert_eq!(op, "RULE_APPEND");
                assert_eq!(what, "rule in chain missing (table ip t)");
                let e = Error::Kernel {
                    errno,
                    op,
                    what,
                    ext_msg: None,
                };
                assert_eq!(
                    e.to_string(),
                    "RULE_APPEND failed (No such file or directory): rule in chain missing (table ip t)"
                );
            }
            other => panic!("expected a kernel error, got {other:?}"),
        }
        let rs = Ruleset::read(&mut c, 0).unwrap();
        assert!(rs.tables.is_empty() && rs.chains.is_empty(), "{rs:?}");
        assert_eq!(
            c.generation().unwrap(),
            gen,
            "an aborted batch changed the generation"
        );
        // The same batch without the bad op works on the same socket.
        let good: Vec<BatchOp> = ops
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 2)
            .map(|(_, o)| o.clone())
            .collect();
        c.batch(&good, None).unwrap();
        assert_eq!(Ruleset::read(&mut c, 0).unwrap().chains.len(), 2);
    });
}

#[test]
fn echo_returns_the_created_objects_with_handles() {
    common::netns(|| {
        let mut c = Conn::open().unwrap();
        let mut ops = vec![
            table("t"),
            chain("t", "c"),
            rule("t", "c", 7),
            rule("t", "c", 8),
        ];
        for o in &mut ops {
            o.msg.flags |= NLM_F_ECHO;
        }
        let gen = c.generation().unwrap();
        let reply = c.batch(&ops, None).unwrap();
        assert_eq!(reply.echoes.len(), 4);
        let now = c.generation().unwrap();
        assert_ne!(now, gen);
        assert_eq!(reply.generation, Some(now), "the NEWGEN echo");
        for e in &reply.echoes {
            assert_eq!(e.len(), 1, "one echo per op: {e:?}");
        }
        let t = Obj::<TableAttrs>::from_msg(&reply.echoes[0][0]).unwrap();
        let ch = Obj::<ChainAttrs>::from_msg(&reply.echoes[1][0]).unwrap();
        let r1 = Obj::<RuleAttrs>::from_msg(&reply.echoes[2][0]).unwrap();
        let r2 = Obj::<RuleAttrs>::from_msg(&reply.echoes[3][0]).unwrap();
        assert_eq!(reply.echoes[0][0].msg(), msg::NEWTABLE);
        assert_eq!(t.name(), "t");
        assert_eq!(ch.name(), "c");
        let rs = Ruleset::read(&mut c, 0).unwrap();
        assert_eq!(t.attrs.handle, rs.tables[0].attrs.handle);
        assert!(t.attrs.handle.is_some());
        assert_eq!(ch.attrs.handle, rs.chains[0].attrs.handle);
        assert_eq!(r1.attrs.handle, rs.rules[0].attrs.handle);
        assert_eq!(r2.attrs.handle, rs.rules[1].attrs.handle);
        assert_ne!(r1.attrs.handle, r2.attrs.handle);
        assert_eq!(r1.attrs.userdata.as_deref(), Some(&7u32.to_be_bytes()[..]));
        // Without the flag there are no echoes.
        let reply = c.batch(&[rule("t", "c", 9)], None).unwrap();
        assert!(reply.echoes[0].is_empty());
    });
}

#[test]
fn stale_generation_is_refused() {
    common::netns(|| {
        let mut c = Conn::open().unwrap();
        let gen = c.generation().unwrap();
        c.batch(&[table("a")], Some(gen)).unwrap();
        let after = c.generation().unwrap();
        assert_ne!(after, gen);
        match c.batch(&[table("b")], Some(gen)) {
            Err(Error::GenerationChanged) => {}
            other => panic!("expected GenerationChanged, got {other:?}"),
        }
        let rs = Ruleset::read(&mut c, 0).unwrap();
        assert_eq!(rs.tables.len(), 1, "the stale batch must not apply");
        c.batch(&[table("b")], Some(after)).unwrap();
        assert_eq!(Ruleset::read(&mut c, 0).unwrap().tables.len(), 2);
        // replace_ruleset reads the generation itself.
        nftwire::save::replace_ruleset(&mut c, &[table("z")]).unwrap();
        let rs = Ruleset::read(&mut c, 0).unwrap();
        assert_eq!(rs.tables.len(), 1);
        assert_eq!(rs.tables[0].name(), "z");
    });
}

#[test]
fn hundred_thousand_rules_batch_and_dump() {
    const N: u32 = 100_000;
    common::netns(|| {
        let mut c = Conn::open().unwrap();
        let mut ops = vec![table("big"), chain("big", "c")];
        ops.extend((0..N).map(|i| rule("big", "c", i)));
        let t = Instant::now();
        c.batch(&ops, None).expect("100k-rule batch");
        eprintln!("batch of {} ops: {:?}", ops.len(), t.elapsed());
        let t = Instant::now();
        let rs = Ruleset::read(&mut c, 0).expect("dump of 100k rules");
        eprintln!("dump: {:?}", t.elapsed());
        assert_eq!(rs.rules.len(), N as usize);
        for (i, r) in rs.rules.iter().enumerate() {
            assert_eq!(
                r.attrs.userdata.as_deref(),
                Some(&(i as u32).to_be_bytes()[..])
            );
        }
        // And the raw dump, a second time on the same socket.
        let raw = c.dump(msg::GETRULE, 2, Vec::new()).unwrap();
        assert_eq!(
            raw.iter().filter(|m| m.msg() == msg::NEWRULE).count(),
            N as usize
        );
        // A whole-ruleset replace of that size works too.
        let again = rs.create_ops();
        nftwire::save::replace_ruleset(&mut c, &again).expect("replace 100k rules");
        assert_eq!(Ruleset::read(&mut c, 0).unwrap().rules.len(), N as usize);
    });
}

#[test]
fn replace_ruleset_retries_while_another_thread_writes() {
    common::netns(|| {
        let mut c = Conn::open().unwrap();
        let mut writer = Conn::open().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let w = std::thread::spawn(move || {
            // Its own table, recreated each time (restores flush it).
            let add = vec![table("w"), chain("w", "c"), rule("w", "c", 1)];
            let del = vec![BatchOp {
                msg: NfMsg::nft(msg::DELTABLE, 0, 2, {
                    let mut b = nftwire::nla::Writer::new();
                    b.put(1, &"w".to_string());
                    b.buf
                }),
                op: "TABLE_DEL".into(),
                what: "table w".into(),
            }];
            let mut n = 0usize;
            while !stop2.load(Ordering::Relaxed) {
                n += usize::from(writer.batch(&add, None).is_ok());
                n += usize::from(writer.batch(&del, None).is_ok());
                std::thread::sleep(Duration::from_micros(100));
            }
            n
        });
        let target = vec![table("mine"), chain("mine", "c"), rule("mine", "c", 5)];
        let start = Instant::now();
        let mut restores = 0;
        while restores < 50 || start.elapsed() < Duration::from_secs(1) {
            nftwire::save::replace_ruleset(&mut c, &target).expect("restore under load");
            restores += 1;
        }
        stop.store(true, Ordering::Relaxed);
        let n = w.join().unwrap();
        eprintln!("{restores} restores, {n} concurrent changes");
        assert!(n > 50, "the writer made only {n} changes");
        let rs = Ruleset::read(&mut c, 0).unwrap();
        assert!(rs.tables.iter().any(|t| t.name() == "mine"));
        assert_eq!(rs.chain_rules(2, "mine", "c").count(), 1);
    });
}
