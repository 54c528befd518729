//! Developer aid: checks decode→encode on every dumped message in the
//! current namespace and reports typed structures with extras.
use nftwire::consts::msg;
use nftwire::netlink::Conn;
use nftwire::object::*;

fn main() {
    let mut c = Conn::open().unwrap();
    let mut bad = 0;
    for t in [
        msg::GETTABLE,
        msg::GETCHAIN,
        msg::GETRULE,
        msg::GETSET,
        msg::GETOBJ,
    ] {
        for m in c.dump(t, 0, Vec::new()).unwrap() {
            let enc = match t {
                msg::GETTABLE => Obj::<TableAttrs>::from_msg(&m).map(|o| o.body()),
                msg::GETCHAIN => Obj::<ChainAttrs>::from_msg(&m).map(|o| o.body()),
                msg::GETRULE => Obj::<RuleAttrs>::from_msg(&m).map(|o| o.body()),
                msg::GETSET => Obj::<SetAttrs>::from_msg(&m).map(|o| o.body()),
                _ => Obj::<ObjectAttrs>::from_msg(&m).map(|o| o.body()),
            };
            if enc.as_deref() != Some(&m.body[..]) {
                bad += 1;
                println!("MISMATCH {}", msg::name(t));
            }
        }
    }
    let rs = nftwire::ruleset::Ruleset::read(&mut c, 0).unwrap();
    for r in &rs.rules {
        for e in r.exprs() {
            println!("{} {} {e}", r.table(), r.chain());
        }
    }
    for s in &rs.sets {
        println!("set {:?} elems={}", s.set, s.elems.len());
        for e in &s.elems {
            assert_eq!(e.body().len() > 0, true);
        }
    }
    for ch in &rs.chains {
        if !ch.extra().is_empty() || !ch.wire_order().is_empty() {
            println!(
                "chain {} extra {:?} order {:?}",
                ch.name(),
                ch.extra(),
                ch.wire_order()
            );
        }
    }
    for t in &rs.tables {
        if !t.extra().is_empty() || !t.wire_order().is_empty() {
            println!(
                "table {} extra {:?} order {:?}",
                t.name(),
                t.extra(),
                t.wire_order()
            );
        }
    }
    // Recreate from scratch.
    let ops = rs.create_ops();
    let flush = nftwire::netlink::BatchOp {
        msg: nftwire::netlink::NfMsg::nft(msg::DELTABLE, 0, 0, Vec::new()),
        op: "TABLE_DEL".into(),
        what: "all".into(),
    };
    let mut all = vec![flush];
    all.extend(ops);
    let g = c.generation().unwrap();
    c.batch(&all, Some(g)).unwrap();
    let rs2 = nftwire::ruleset::Ruleset::read(&mut c, 0).unwrap();
    let strip = |rs: &nftwire::ruleset::Ruleset| -> Vec<String> {
        rs.rules
            .iter()
            .map(|r| {
                r.exprs()
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    };
    assert_eq!(strip(&rs), strip(&rs2));
    println!("mismatches: {bad}; recreate ok, {} rules", rs2.rules.len());
}
