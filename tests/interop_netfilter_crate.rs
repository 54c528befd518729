//! Interop with `netlink-packet-netfilter`'s nf_tables types: rules the
//! kernel dumps (loaded by nft in a private namespace) and rules nftwire
//! encodes are parsed by the crate with the same table, chain and
//! expression names as nftwire's decoder sees; what the crate re-emits
//! has the same attributes and payloads (it drops `NLA_F_NESTED`, which
//! nftwire keeps) and decodes in nftwire to a rule of the same table, chain
//! and length.

mod common;

use netlink_packet_core::{Emitable, ParseableParametrized};
use netlink_packet_netfilter::nftables::{
    ExpressionAttribute, ListAttribute, NfTablesMessage, RuleAttribute,
};
use nftwire::consts::{family, msg};
use nftwire::object::{Obj, Rule, RuleAttrs};

/// (table, chain, expression names) as the crate reads a NEWRULE body.
fn crate_view(body: &[u8]) -> (String, String, Vec<String>, Vec<u8>) {
    let m = NfTablesMessage::parse_with_param(body, msg::NEWRULE as u8).expect("crate parses");
    let NfTablesMessage::NewRule(r) = &m else {
        panic!("not a rule: {m:?}")
    };
    let (mut table, mut chain, mut names) = (String::new(), String::new(), Vec::new());
    for a in &r.attributes {
        match a {
            RuleAttribute::Table(t) => table = t.clone(),
            RuleAttribute::Chain(c) => chain = c.clone(),
            RuleAttribute::Expressions(list) => {
                for e in list {
                    if let ListAttribute::Element(attrs) = e {
                        for x in attrs {
                            if let ExpressionAttribute::Name(n) = x {
                                names.push(n.clone());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut again = vec![0u8; m.buffer_len()];
    m.emit(&mut again);
    (table, chain, names, again)
}

fn check(r: &Rule, body: &[u8]) {
    let (table, chain, names, again) = crate_view(body);
    assert_eq!(table, r.table());
    assert_eq!(chain, r.chain());
    let ours: Vec<String> = r.exprs().iter().map(|e| e.name()).collect();
    assert_eq!(names, ours);
    // The crate's re-encoding carries the same attributes and payloads;
    // it differs only in dropping NLA_F_NESTED on nested attributes
    // (which nftwire, being lossless, keeps apart).
    same_but_nested_flags(body, &again);
    let back: Obj<RuleAttrs> = Obj {
        family: r.family,
        attrs: <RuleAttrs as nftwire::object::Kind>::parse_body(&bytes::Bytes::from(again))
            .expect("nftwire decodes the crate's encoding"),
    };
    assert_eq!((back.table(), back.chain()), (r.table(), r.chain()));
    assert_eq!(back.exprs().len(), r.exprs().len());
}

fn same_but_nested_flags(a: &[u8], b: &[u8]) {
    use nftwire::nla::{SliceIter, NLA_F_NESTED, NLA_TYPE_MASK};
    let (x, y): (Vec<_>, Vec<_>) = (SliceIter::new(a).collect(), SliceIter::new(b).collect());
    assert_eq!(x.len(), y.len(), "attribute counts differ");
    for ((ka, va), (kb, vb)) in x.into_iter().zip(y) {
        assert_eq!(ka & NLA_TYPE_MASK, kb & NLA_TYPE_MASK);
        if (ka | kb) & NLA_F_NESTED != 0 {
            same_but_nested_flags(va, vb);
        } else {
            assert_eq!(va, vb, "payload of attribute {}", ka & NLA_TYPE_MASK);
        }
    }
}

#[test]
fn nftwire_encoded_rule_through_the_crate() {
    let (exprs, _) = nftwire::reconcile::text::compile_rule(
        family::IPV4,
        "ip saddr 10.0.0.0/24 tcp dport 443 counter accept",
    )
    .unwrap();
    let r = Rule::new(family::IPV4, "filter", "FORWARD", exprs);
    check(&r, &r.body());
}

#[test]
fn kernel_dumped_rules_through_the_crate() {
    common::netns(|| {
        common::nft_load(
            "table ip gw {\n chain pre {\n type nat hook prerouting priority dstnat;\n \
             ip daddr 198.51.100.1 tcp dport 8080 counter dnat to 10.0.0.5:80\n }\n \
             chain forward_in {\n type filter hook forward priority 0;\n \
             ct state established,related accept\n iifname \"g1\" meta mark set 0x5 jump mid\n }\n \
             chain mid {\n ip saddr { 10.0.0.1, 10.0.0.2 } drop\n }\n}\n",
        );
        let mut conn = nftwire::netlink::Conn::open().unwrap();
        let msgs = conn.dump(msg::GETRULE, family::IPV4, Vec::new()).unwrap();
        let rules: Vec<_> = msgs.iter().filter(|m| m.msg() == msg::NEWRULE).collect();
        assert_eq!(rules.len(), 4);
        for m in rules {
            let r: Rule = Obj::from_msg(m).expect("nftwire decodes");
            check(&r, &m.body);
        }
    });
}
