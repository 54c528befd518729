//! rustables (0.9, GPL-3.0, test-only) as a second peer. It is a
//! dev-dependency of this unpublished test crate only; building it needs
//! libclang (`apt-get install libclang-dev`):
//!
//!     cargo test -p nftwire-interop --test rustables
//!
//! In a fresh network namespace:
//! * rules rustables builds, read back from the kernel, decode in nftwire
//!   with no `Expr::Raw` and re-encode byte for byte; rustables' own
//!   request bytes (its finalized batch) decode and re-encode byte for
//!   byte too;
//! * nftwire builds the same rules with its typed API; the kernel dumps
//!   them with the same expression bytes as rustables' rules, and rustables
//!   lists (decodes) the nftwire-built chains to the same expressions.
#[path = "../../tests/common/mod.rs"]
mod common;

use bytes::Bytes;
use common::netns;
use nftwire::consts::{family, msg};
use nftwire::data::{Data, VerdictCode};
use nftwire::expr::bitwise::Bitwise;
use nftwire::expr::ct::{Ct, CtKey};
use nftwire::expr::log::Log as NwLog;
use nftwire::expr::masq::Masq;
use nftwire::expr::nat::{Nat as NwNat, NatType as NwNatType};
use nftwire::expr::reject::Reject as NwReject;
use nftwire::expr::{
    Cmp as NwCmp, CmpOp as NwCmpOp, Counter as NwCounter, Expr, Immediate as NwImmediate,
    Lookup as NwLookup, Meta as NwMeta, MetaKey, Payload, PayloadBase, NAME_WITHOUT_NUL,
};
use nftwire::netlink::message::split;
use nftwire::netlink::{BatchOp, Conn};
use nftwire::nla::Writer;
use nftwire::object::{Chain as NwChain, Rule as NwRule};
use rustables::expr::{
    Bitwise as RtBitwise, Cmp, CmpOp, Conntrack, ConntrackKey, Counter, Immediate, Log, Lookup,
    Meta, MetaType, Nat, NatType, Register, Reject, RejectType, VerdictKind,
};
use rustables::set::SetBuilder;
use rustables::{
    list_rules_for_chain, Batch, Chain, ChainPolicy, ChainType, Hook, HookClass, MsgType, Protocol,
    ProtocolFamily, Rule, Table,
};
use std::net::{IpAddr, Ipv4Addr};

const NLM_F_CREATE: u16 = 0x400;
const NLM_F_APPEND: u16 = 0x800;
const TABLE: &str = "rt";

/// Rules in regular chains: rustables builds chain `rN`, nftwire builds
/// `nN` with the same expressions (plus one pair each in `rpost`/`npost`
/// and `rpre`/`npre`, the nat base chains).
const FILTER_RULES: usize = 6;

fn rt_table() -> Table {
    Table::new(ProtocolFamily::Ipv4).with_name(TABLE)
}

fn rt_chain(table: &Table, name: &str) -> Chain {
    Chain::new(table).with_name(name)
}

fn rt_base_chain(table: &Table, name: &str, class: HookClass, prio: i32, ty: ChainType) -> Chain {
    Chain::new(table)
        .with_name(name)
        .with_hook(Hook::new(class, prio))
        .with_policy(ChainPolicy::Accept)
        .with_type(ty)
}

/// The rustables side: table, chains, a set, and rules using every
/// expression rustables can build.
fn rustables_batch() -> Batch {
    let table = rt_table();
    let mut batch = Batch::new();
    batch.add(&table, MsgType::Add);
    batch.add(&rt_chain(&table, "aux"), MsgType::Add);
    for p in ["r", "n"] {
        for i in 0..FILTER_RULES {
            batch.add(&rt_chain(&table, &format!("{p}{i}")), MsgType::Add);
        }
    }
    batch.add(
        &rt_base_chain(&table, "rpost", HookClass::PostRouting, 100, ChainType::Nat),
        MsgType::Add,
    );
    batch.add(
        &rt_base_chain(&table, "npost", HookClass::PostRouting, 101, ChainType::Nat),
        MsgType::Add,
    );
    batch.add(
        &rt_base_chain(&table, "rpre", HookClass::PreRouting, -100, ChainType::Nat),
        MsgType::Add,
    );
    batch.add(
        &rt_base_chain(&table, "npre", HookClass::PreRouting, -101, ChainType::Nat),
        MsgType::Add,
    );

    let mut sb = SetBuilder::<Ipv4Addr>::new("blk", &table).unwrap();
    sb.add(&Ipv4Addr::new(192, 0, 2, 1));
    sb.add(&Ipv4Addr::new(192, 0, 2, 2));
    let (set, elems) = sb.finish();
    let mut set = set.with_id(7u32);
    // SetBuilder leaves the set's family unset (the element list gets the
    // table's); without it the kernel looks for the table in family 0.
    set.family = ProtocolFamily::Ipv4;
    batch.add(&set, MsgType::Add);
    batch.add(&elems, MsgType::Add);

    let c = |n: usize| rt_chain(&table, &format!("r{n}"));
    let rules = vec![
        Rule::new(&c(0))
            .unwrap()
            .saddr(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)))
            .dport(22, Protocol::TCP)
            .with_expr(Counter::default())
            .accept(),
        Rule::new(&c(1))
            .unwrap()
            .established()
            .unwrap()
            .iiface("lo")
            .unwrap()
            .with_expr(Log::new(Some(3), Some("rt: ")).unwrap())
            .drop(),
        Rule::new(&c(2))
            .unwrap()
            .with_expr(Meta::new(MetaType::NfProto))
            .with_expr(Cmp::new(CmpOp::Eq, [2u8]))
            .with_expr(
                rustables::expr::HighLevelPayload::Network(
                    rustables::expr::NetworkHeaderField::IPv4(
                        rustables::expr::IPv4HeaderField::Saddr,
                    ),
                )
                .build(),
            )
            .with_expr(Lookup::new(&set).unwrap())
            .with_expr(Immediate::new_verdict(VerdictKind::Jump {
                chain: "aux".into(),
            })),
        Rule::new(&c(3))
            .unwrap()
            .with_expr(Conntrack::new(ConntrackKey::Mark))
            .with_expr(RtBitwise::new(0xffu32.to_ne_bytes(), 0u32.to_ne_bytes()).unwrap())
            .with_expr(Cmp::new(CmpOp::Gt, 4u32.to_ne_bytes()))
            .with_expr(Immediate::new_verdict(VerdictKind::Goto {
                chain: "aux".into(),
            })),
        Rule::new(&c(4)).unwrap().protocol(Protocol::UDP).with_expr(
            Reject::default()
                .with_type(RejectType::IcmpxUnreach)
                .with_icmp_code(rustables::expr::IcmpCode::AdminProhibited),
        ),
        Rule::new(&c(5))
            .unwrap()
            .with_expr(Immediate::new_data(
                0x2au32.to_ne_bytes().to_vec(),
                Register::Reg1,
            ))
            .with_expr(Conntrack::default().with_mark_value(Register::Reg1))
            .with_expr(Immediate::new_verdict(VerdictKind::Return)),
        Rule::new(&rt_chain(&table, "rpost"))
            .unwrap()
            .oiface("eth0")
            .unwrap()
            .masquerade(),
        Rule::new(&rt_chain(&table, "rpre"))
            .unwrap()
            .dport(80, Protocol::TCP)
            .with_expr(Immediate::new_data(vec![10, 2, 0, 1], Register::Reg1))
            .with_expr(Immediate::new_data(
                8080u16.to_be_bytes().to_vec(),
                Register::Reg2,
            ))
            .with_expr(
                Nat::default()
                    .with_nat_type(NatType::DNat)
                    .with_family(ProtocolFamily::Ipv4)
                    .with_ip_register(Register::Reg1)
                    .with_port_register(Register::Reg2),
            ),
    ];
    for r in rules {
        batch.add(&r, MsgType::Add);
    }
    batch
}

/// The same rules with nftwire's typed API, into the `n*` chains.
fn nftwire_rules() -> Vec<NwRule> {
    let f = family::IPV4;
    let load = |base, off, len| Expr::from(Payload::load(base, off, len, 1));
    let cmp = |op, v: Vec<u8>| Expr::from(NwCmp::new(1, op, v));
    let meta = |k| Expr::from(NwMeta::load(k, 1));
    let verdict = |c, chain: Option<&str>| Expr::from(NwImmediate::verdict(c, chain));
    let imm = |reg, v: Vec<u8>| {
        Expr::from(NwImmediate {
            dreg: Some(reg),
            data: Some(Data::value(v)),
            ..Default::default()
        })
    };
    let rule = |chain: &str, exprs: Vec<Expr>| NwRule::new(f, TABLE, chain, exprs);
    vec![
        rule(
            "n0",
            vec![
                meta(MetaKey::NfProto),
                cmp(NwCmpOp::Eq, vec![2]),
                load(PayloadBase::Network, 12, 4),
                cmp(NwCmpOp::Eq, vec![10, 0, 0, 1]),
                meta(MetaKey::L4Proto),
                cmp(NwCmpOp::Eq, vec![6]),
                load(PayloadBase::Transport, 2, 2),
                cmp(NwCmpOp::Eq, 22u16.to_be_bytes().to_vec()),
                NwCounter::default().into(),
                verdict(VerdictCode::Accept, None),
            ],
        ),
        rule(
            "n1",
            vec![
                Ct::load(CtKey::State, 1).into(),
                Bitwise::mask_xor(1, 1, 4, 2u32.to_le_bytes().to_vec(), vec![0; 4]).into(),
                cmp(NwCmpOp::Neq, vec![0; 4]),
                meta(MetaKey::IifName),
                cmp(NwCmpOp::Eq, b"lo\0".to_vec()),
                NwLog::new().group(3).prefix("rt: ").into(),
                verdict(VerdictCode::Drop, None),
            ],
        ),
        rule(
            "n2",
            vec![
                meta(MetaKey::NfProto),
                cmp(NwCmpOp::Eq, vec![2]),
                load(PayloadBase::Network, 12, 4),
                NwLookup {
                    set: Some("blk".into()),
                    sreg: Some(1),
                    ..Default::default()
                }
                .into(),
                verdict(VerdictCode::Jump, Some("aux")),
            ],
        ),
        rule(
            "n3",
            vec![
                Ct::load(CtKey::Mark, 1).into(),
                Bitwise::mask_xor(1, 1, 4, 0xffu32.to_ne_bytes().to_vec(), vec![0; 4]).into(),
                cmp(NwCmpOp::Gt, 4u32.to_ne_bytes().to_vec()),
                verdict(VerdictCode::Goto, Some("aux")),
            ],
        ),
        rule(
            "n4",
            vec![
                meta(MetaKey::L4Proto),
                cmp(NwCmpOp::Eq, vec![17]),
                NwReject {
                    reject_type: Some(nftwire::expr::reject::RejectType::IcmpxUnreach),
                    icmp_code: Some(3),
                    ..Default::default()
                }
                .into(),
            ],
        ),
        rule(
            "n5",
            vec![
                imm(1, 0x2au32.to_ne_bytes().to_vec()),
                Ct::set(CtKey::Mark, 1).into(),
                verdict(VerdictCode::Return, None),
            ],
        ),
        rule(
            "npost",
            vec![
                meta(MetaKey::OifName),
                cmp(NwCmpOp::Eq, b"eth0\0".to_vec()),
                Masq::default().into(),
            ],
        ),
        rule(
            "npre",
            vec![
                meta(MetaKey::L4Proto),
                cmp(NwCmpOp::Eq, vec![6]),
                load(PayloadBase::Transport, 2, 2),
                cmp(NwCmpOp::Eq, 80u16.to_be_bytes().to_vec()),
                imm(1, vec![10, 2, 0, 1]),
                imm(2, 8080u16.to_be_bytes().to_vec()),
                NwNat {
                    nat_type: Some(NwNatType::Dnat),
                    family: Some(2),
                    reg_addr_min: Some(1),
                    reg_proto_min: Some(2),
                    ..Default::default()
                }
                .into(),
            ],
        ),
    ]
}

/// The rule's expressions nftwire could not type.
fn raw_exprs(r: &NwRule) -> Vec<String> {
    r.exprs()
        .iter()
        .filter(|e| e.is_raw())
        .map(|e| format!("{e:?}"))
        .collect()
}

/// All rules in the namespace: (chain, rule, message body).
fn dump_rules(conn: &mut Conn) -> Vec<(String, NwRule, Bytes)> {
    conn.dump(msg::GETRULE, family::IPV4, Vec::new())
        .expect("rule dump")
        .into_iter()
        .filter(|m| m.msg() == msg::NEWRULE)
        .map(|m| {
            let r = NwRule::from_msg(&m).expect("rule decodes");
            (r.chain().to_string(), r, m.body.clone())
        })
        .collect()
}

/// The NFTA_RULE_EXPRESSIONS bytes of a rule, as nftwire re-encodes them.
fn expr_bytes(r: &NwRule) -> Vec<u8> {
    let mut w = Writer::new();
    for e in r.exprs() {
        e.write_elem(&mut w);
    }
    w.buf
}

fn pair_name(chain: &str) -> Option<String> {
    let rest = chain.strip_prefix('r')?;
    (rest.chars().next()?.is_ascii_digit() || rest == "post" || rest == "pre")
        .then(|| format!("n{rest}"))
}

#[test]
fn rustables_rules_decode_typed_and_byte_exact_and_nftwire_rules_match() {
    netns(|| {
        // rustables' request bytes: every message nftwire understands
        // decodes and re-encodes byte for byte.
        let req = Bytes::from(rustables_batch().finalize());
        let msgs = split(&req).expect("rustables batch frames");
        let mut rule_msgs = 0;
        for m in &msgs {
            let Some(nf) = m.to_nf() else { continue };
            if nf.subsys() != 10 || nf.msg() != msg::NEWRULE {
                continue;
            }
            rule_msgs += 1;
            let r = NwRule::from_msg(&nf).expect("rustables NEWRULE decodes");
            let mut w = Writer::new();
            r.attrs.write_attrs(&mut w);
            assert_eq!(
                w.buf,
                nf.body.to_vec(),
                "rustables request re-encodes differently: {r:?}"
            );
        }
        assert_eq!(rule_msgs, 8);

        // rustables creates everything.
        rustables_batch().send().expect("rustables batch accepted");

        // nftwire adds the mirror rules.
        let mut conn = Conn::open().expect("socket");
        let ops: Vec<BatchOp> = nftwire_rules()
            .into_iter()
            .map(|r| BatchOp {
                msg: r.to_msg(msg::NEWRULE, NLM_F_CREATE | NLM_F_APPEND),
                op: "RULE_APPEND".into(),
                what: format!("rule in {}", r.chain()),
            })
            .collect();
        conn.batch(&ops, None)
            .expect("kernel accepts nftwire's rules");

        let rules = dump_rules(&mut conn);
        assert_eq!(
            rules.len(),
            16,
            "rules in the kernel: {:?}",
            rules.iter().map(|r| &r.0).collect::<Vec<_>>()
        );
        for (chain, r, body) in &rules {
            // Typed, no leftovers, byte-exact.
            assert!(
                raw_exprs(r).is_empty(),
                "{chain}: raw expressions {:?}",
                raw_exprs(r)
            );
            let mut w = Writer::new();
            r.attrs.write_attrs(&mut w);
            assert_eq!(w.buf, body.to_vec(), "{chain}: re-encoding differs");
            let dbg = format!("{r:?}");
            for key in ["extra: [", "wire_order: ["] {
                assert_eq!(
                    dbg.matches(key).count(),
                    dbg.matches(&format!("{key}]")).count(),
                    "{chain}: unknown or reordered attributes: {dbg}"
                );
            }
        }
        // Each rustables rule and its nftwire twin are the same bytes in
        // the kernel.
        let mut pairs = 0;
        for (chain, r, _) in rules.iter().filter(|x| pair_name(&x.0).is_some()) {
            pairs += 1;
            let twin = pair_name(chain).unwrap();
            let (_, n, _) = rules
                .iter()
                .find(|x| x.0 == twin)
                .unwrap_or_else(|| panic!("no rule in {twin}"));
            assert_eq!(
                expr_bytes(r),
                expr_bytes(n),
                "{chain} (rustables) and {twin} (nftwire) differ:\n{}\n{}",
                r.exprs()
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
                n.exprs()
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }

        assert_eq!(pairs, 8);

        // rustables decodes the nftwire-built rules to the same expressions
        // as its own.
        let table = rt_table();
        for i in 0..FILTER_RULES {
            let mine = list_rules_for_chain(&rt_chain(&table, &format!("r{i}")))
                .expect("rustables lists its chain");
            let theirs = list_rules_for_chain(&rt_chain(&table, &format!("n{i}")))
                .expect("rustables lists the nftwire chain");
            assert_eq!(mine.len(), 1);
            assert_eq!(theirs.len(), 1);
            assert_eq!(
                mine[0].get_expressions(),
                theirs[0].get_expressions(),
                "chain r{i} vs n{i}"
            );
        }
        for (r, n) in [("rpost", "npost"), ("rpre", "npre")] {
            let mine = list_rules_for_chain(&rt_chain(&table, r)).expect("rustables lists");
            let theirs =
                list_rules_for_chain(&rt_chain(&table, n)).expect("rustables lists nftwire's");
            assert_eq!(
                mine[0].get_expressions(),
                theirs[0].get_expressions(),
                "chain {r} vs {n}"
            );
        }
    });
}

/// Userspace (libmnl, rustables) sets `NLA_F_NESTED` on every nest, the
/// kernel never does in dumps, and rustables writes strings (expression
/// names too) without their NUL. nftwire keeps such requests byte-exact
/// (see above) and still decodes their expressions typed: the flags of the
/// list element and of `NFTA_EXPR_DATA`, and the missing NULs, are kept
/// with the expression.
#[test]
fn rustables_request_bytes_decode_typed() {
    let req = Bytes::from(rustables_batch().finalize());
    let mut raw = Vec::new();
    let (mut rules, mut exprs, mut flagged) = (0, 0, 0);
    for m in split(&req).expect("frames") {
        let Some(nf) = m.to_nf() else { continue };
        if nf.subsys() == 10 && nf.msg() == msg::NEWRULE {
            let r = NwRule::from_msg(&nf).expect("decodes");
            rules += 1;
            // The NUL-less table and chain names decode too.
            assert_eq!(r.attrs.table.as_deref(), Some(TABLE));
            assert!(
                r.attrs.chain.is_some() && r.attrs.extra().is_empty(),
                "{r:?}"
            );
            raw.extend(raw_exprs(&r));
            for e in r.exprs() {
                exprs += 1;
                // Every attribute is a typed field (the debug form shows
                // unknown ones as `attrN=`): set names, log prefixes and
                // verdict chains included.
                let text = e.to_string();
                assert!(!text.contains(" attr"), "untyped attribute: {text} {e:?}");
                // rustables' element and DATA nests carry NLA_F_NESTED
                // (0x8001, 0x8002) and its names have no NUL.
                flagged += usize::from(e.outer_flags() == 0b10_00_10 | NAME_WITHOUT_NUL);
            }
        }
    }
    assert_eq!(rules, 8);
    assert!(exprs > 8);
    assert_eq!(flagged, exprs, "every element as rustables writes it");
    assert!(
        raw.is_empty(),
        "{} raw expressions in rustables' requests: {raw:?}",
        raw.len()
    );
}

/// nftwire adds a chain and a rule to a table rustables created; rustables
/// lists them.
#[test]
fn rustables_lists_an_nftwire_chain_rule() {
    netns(|| {
        let table = rt_table();
        let mut b = Batch::new();
        b.add(&table, MsgType::Add);
        b.send().expect("rustables creates the table");
        let mut conn = Conn::open().expect("socket");
        let chain: NwChain = NwChain::regular(family::IPV4, TABLE, "from_nftwire");
        let rule = NwRule::new(
            family::IPV4,
            TABLE,
            "from_nftwire",
            vec![
                NwCounter::default().into(),
                NwImmediate::verdict(VerdictCode::Accept, None).into(),
            ],
        );
        let ops = vec![
            BatchOp {
                msg: chain.to_msg(msg::NEWCHAIN, NLM_F_CREATE),
                op: "CHAIN_ADD".into(),
                what: String::new(),
            },
            BatchOp {
                msg: rule.to_msg(msg::NEWRULE, NLM_F_CREATE | NLM_F_APPEND),
                op: "RULE_APPEND".into(),
                what: String::new(),
            },
        ];
        conn.batch(&ops, None).expect("nftwire batch");
        let listed =
            list_rules_for_chain(&rt_chain(&table, "from_nftwire")).expect("rustables lists");
        assert_eq!(listed.len(), 1);
        let exprs: Vec<_> = listed[0]
            .get_expressions()
            .unwrap()
            .iter()
            .map(|e| e.get_name().cloned())
            .collect();
        assert_eq!(
            exprs,
            vec![Some("counter".to_string()), Some("immediate".to_string())]
        );
    });
}
