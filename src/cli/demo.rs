//! `nftwire demo`: the NetBird + kube-router conflict (k3s #11493,
//! kube-router #1788, netbird #2926) reproduced in a throwaway network
//! namespace with nftwire's library alone.
//!
//! kube-router's iptables-nft rule and NetBird's native `ct state` rule are
//! written side by side into `ip filter FORWARD`; then nftwire predicts what
//! Debian's iptables would answer (it never runs iptables — nftwire executes
//! no programs), explains the culprit, and shows how nftwire's iptables model
//! (the shim's library) reads the same chain. Nothing outside the throwaway
//! namespace is touched.

use anyhow::{anyhow, Context};
use nftwire::data::{Data, VerdictCode};
use nftwire::diagnose::explain::{
    self, incompatible_message, CheckOutcome, Explanation, ListOutcome,
};
use nftwire::diagnose::extprint::IptablesModel;
use nftwire::diagnose::version::default_version;
use nftwire::diagnose::{IptVersion, Options};
use nftwire::expr::ct::{Ct, CtKey};
use nftwire::expr::{Bitwise, Cmp, CmpOp, Counter, Expr, Immediate, Meta, MetaKey};
use nftwire::iptables::decode::{decode, Decoded};
use nftwire::iptables::encode::{encode, Purpose};
use nftwire::iptables::match_::comment::Comment;
use nftwire::iptables::match_::Match;
use nftwire::iptables::rule::Verdict;
use nftwire::iptables::save::{rule_line, Counters};
use nftwire::iptables::{Family, IptRule};
use nftwire::netlink::{BatchOp, Conn};
use nftwire::object::chain::Hook;
use nftwire::object::{Chain, Rule, Table};
use nftwire::ruleset::Ruleset;
use std::fmt::Write;

/// Arguments of `nftwire demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Model this iptables-nft release instead of the host's (1.8.9,
    /// 1.8.10, 1.8.11).
    #[arg(long = "iptables-version", value_name = "VERSION")]
    pub iptables_version: Option<String>,
}

const KUBE_COMMENT: &str = "kube-router netpol - TEMCG2JMHZYE7H7T";
const KUBE_CHAIN: &str = "KUBE-ROUTER-FORWARD";
const WG: &str = "wt0";

/// The kube-router rule as an iptables rule.
fn kube_router_rule() -> IptRule {
    let mut r = IptRule::new(Family::V4);
    r.matches.push(Match::Comment(Comment::new(KUBE_COMMENT)));
    r.verdict = Verdict::Jump(KUBE_CHAIN.into());
    r
}

/// kube-router's pod-network rule in its own chain.
fn pod_rule() -> IptRule {
    let mut r = IptRule::new(Family::V4);
    r.src.addr[..4].copy_from_slice(&[10, 42, 0, 0]);
    r.src.mask[..2].copy_from_slice(&[255, 255]);
    r.verdict = Verdict::Accept;
    r
}

/// NetBird's `insertForwardOifEstablishedRule` as its nftables manager
/// writes it: the ct state goes to register 2, userdata is a raw string.
fn netbird_rule() -> Rule {
    let mut name = [0u8; 16];
    name[..WG.len()].copy_from_slice(WG.as_bytes());
    let bitwise = Bitwise {
        sreg: Some(2),
        dreg: Some(2),
        len: Some(4),
        mask: Some(Data::value((2u32 | 4u32).to_le_bytes().to_vec())),
        xor: Some(Data::value(vec![0u8; 4])),
        ..Default::default()
    };
    let mut r = Rule::new(
        2,
        "filter",
        "FORWARD",
        vec![
            Expr::Meta(Meta::load(MetaKey::OifName, 1)),
            Expr::Cmp(Cmp::new(1, CmpOp::Eq, name.to_vec())),
            Expr::Ct(Ct::load(CtKey::State, 2)),
            bitwise.into(),
            Expr::Cmp(Cmp::new(2, CmpOp::Neq, vec![0u8; 4])),
            Expr::Counter(Counter::new(0, 0)),
            Expr::Immediate(Immediate::verdict(VerdictCode::Accept, None)),
        ],
    );
    r.attrs.userdata = Some(bytes::Bytes::from_static(b"frwacceptoif"));
    r
}

fn op(what: &str, msg: nftwire::netlink::NfMsg) -> BatchOp {
    BatchOp {
        msg,
        op: what.into(),
        what: what.into(),
    }
}

/// Build the scene in the current (throwaway) namespace.
fn build() -> nftwire::Result<Ruleset> {
    use netlink_packet_core::{NLM_F_APPEND, NLM_F_CREATE};
    use nftwire::consts::msg;
    let mut conn = Conn::open()?;
    let table = Table::named(2, "filter");
    let mut forward = Chain::regular(2, "filter", "FORWARD");
    forward.attrs.hook = Some(Hook {
        num: Some(2),
        priority: Some(0),
        ..Default::default()
    });
    forward.attrs.chain_type = Some("filter".into());
    forward.attrs.policy = Some(1);
    let user = Chain::regular(2, "filter", KUBE_CHAIN);
    let kube = kube_router_rule();
    let enc = encode(&kube, "filter", Purpose::Add)
        .map_err(|e| nftwire::Error::Input(format!("cannot encode the kube-router rule: {e:?}")))?;
    let mut jump = Rule::new(2, "filter", "FORWARD", enc.exprs);
    jump.attrs.compat = Some(enc.compat);
    let enc = encode(&pod_rule(), "filter", Purpose::Add)
        .map_err(|e| nftwire::Error::Input(format!("cannot encode the pod rule: {e:?}")))?;
    let mut pod_rule = Rule::new(2, "filter", KUBE_CHAIN, enc.exprs);
    pod_rule.attrs.compat = Some(enc.compat);
    let create = NLM_F_CREATE;
    conn.batch(
        &[
            op("TABLE_ADD", table.to_msg(msg::NEWTABLE, create)),
            op("CHAIN_ADD", forward.to_msg(msg::NEWCHAIN, create)),
            op("CHAIN_ADD", user.to_msg(msg::NEWCHAIN, create)),
            op(
                "RULE_APPEND",
                jump.to_msg(msg::NEWRULE, create | NLM_F_APPEND),
            ),
            op(
                "RULE_APPEND",
                pod_rule.to_msg(msg::NEWRULE, create | NLM_F_APPEND),
            ),
        ],
        None,
    )?;
    // NetBird inserts its rule at the head of FORWARD (no position).
    conn.batch(
        &[op(
            "RULE_INSERT",
            netbird_rule().to_msg(msg::NEWRULE, create),
        )],
        None,
    )?;
    Ruleset::read(&mut conn, 0)
}

/// What `iptables -C FORWARD <kube-router rule>` does, predicted: the
/// chain is walked in order and stops at the first rule the reader rejects
/// or at the match.
fn predict_check(ex: &Explanation, found_handle: Option<u64>) -> String {
    for r in ex.rules.iter().filter(|r| r.chain == "FORWARD") {
        if r.check == CheckOutcome::Error {
            let errs: Vec<String> = r
                .errors
                .iter()
                .map(|e| format!("Error: {}", e.message))
                .collect();
            return format!(
                "exit 3: {} / iptables v{} (nf_tables): Parsing nftables rule failed / Perhaps iptables or your kernel needs to be upgraded.",
                errs.join(" / "),
                ex.version
            );
        }
        if r.handle.is_some() && r.handle == found_handle {
            return "exit 0 (found)".into();
        }
    }
    "exit 1: iptables: Bad rule (does a matching rule exist in that chain?).".into()
}

fn prediction(
    rs: &Ruleset,
    v: IptVersion,
    kube_handle: Option<u64>,
    o: &mut String,
) -> Explanation {
    let opts = Options {
        version: v,
        family: Some(2),
        table: Some("filter".into()),
        chain: None,
        ifname: &explain::if_indextoname,
        ext: &IptablesModel,
    };
    let ex = explain::explain(rs, &opts);
    let list = ex.rules.iter().any(|r| r.list == ListOutcome::Incompatible);
    let _ = writeln!(o, "  iptables-nft {v}:");
    if list {
        let _ = writeln!(
            o,
            "    $ iptables -S        -> exit 1: {}",
            incompatible_message(v, 2, "filter", None)
        );
        let _ = writeln!(
            o,
            "    $ iptables -L FORWARD -> exit 1: {}",
            incompatible_message(v, 2, "filter", Some("FORWARD"))
        );
        let _ = writeln!(o, "    $ iptables-save      -> exit 0, prints only: # Table `filter' is incompatible, use 'nft' tool.");
    } else {
        let _ = writeln!(o, "    $ iptables -S        -> works");
    }
    let _ = writeln!(
        o,
        "    $ iptables -C FORWARD -m comment --comment \"{KUBE_COMMENT}\" -j {KUBE_CHAIN}\n                         -> {}",
        predict_check(&ex, kube_handle)
    );
    ex
}

/// Run the subcommand; returns the exit code.
pub fn run(a: Args) -> anyhow::Result<i32> {
    let version = match a.iptables_version.as_deref() {
        Some(v) => IptVersion::parse(v).ok_or_else(|| {
            anyhow!(nftwire::Error::Input(format!(
                "unsupported --iptables-version `{v}' (use 1.8.9, 1.8.10 or 1.8.11)"
            )))
        })?,
        None => default_version(),
    };
    let host_source = super::explain::pick_version(a.iptables_version.as_deref())
        .map(|(v, s)| super::explain::describe_source(v, &s))
        .unwrap_or_else(|_| format!("iptables-nft {version}"));
    let rs = nftwire::netns::in_new_netns(build)
        .context("cannot create the throwaway network namespace")?
        .context("cannot build the demo ruleset")?;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "nftwire demo: NetBird and kube-router sharing ip filter FORWARD"
    );
    let _ = writeln!(
        o,
        "Everything below happened in a throwaway network namespace (gone now); nothing on this host was touched and no program was run.\n"
    );
    let _ = writeln!(o, "1. Built with nftwire's library:");
    let _ = writeln!(
        o,
        "   kube-router (iptables-nft encoding, via nftwire::iptables):"
    );
    let kube_handle = rs
        .rules
        .iter()
        .find(|r| r.chain() == "FORWARD" && r.attrs.userdata.is_none())
        .and_then(|r| r.attrs.handle);
    let _ = writeln!(
        o,
        "     {}",
        rule_line(&kube_router_rule(), "FORWARD", "filter", Counters::None)
    );
    let _ = writeln!(
        o,
        "     {}",
        rule_line(&pod_rule(), KUBE_CHAIN, "filter", Counters::None)
    );
    let _ = writeln!(
        o,
        "   NetBird inserts at the head of FORWARD, as its nftables manager writes it:\n     oifname \"{WG}\" ct state established,related counter accept   (ct state in register 2, userdata \"frwacceptoif\")"
    );
    let _ = writeln!(o, "   The chain, in nft's debug form:");
    for r in rs.rules.iter().filter(|r| r.chain() == "FORWARD") {
        let exprs: Vec<String> = r.exprs().iter().map(|e| e.to_string()).collect();
        let _ = writeln!(
            o,
            "     handle {}: {}",
            r.attrs.handle.unwrap_or(0),
            exprs.join(" ")
        );
    }

    let _ = writeln!(
        o,
        "\n2. What Debian's iptables would say. PREDICTION from nftwire's model of the iptables-nft reader; iptables was not run:"
    );
    let mut versions = vec![version];
    for v in [IptVersion::V1_8_9, IptVersion::V1_8_11] {
        if !versions.contains(&v) {
            versions.push(v);
        }
    }
    let mut main = None;
    for v in versions {
        let ex = prediction(&rs, v, kube_handle, &mut o);
        if main.is_none() {
            main = Some(ex);
        }
    }
    let _ = writeln!(
        o,
        "   kube-router treats the -C failure as fatal (\"Failed to verify rule exists in FORWARD chain\"), which is the k3s crash loop."
    );

    let Some(ex) = main else {
        return Ok(1);
    };
    let _ = writeln!(o, "\n3. nftwire explain (prediction for {host_source}):");
    for l in super::explain::render(&ex, &format!("iptables-nft {}", ex.version), false).lines() {
        let _ = writeln!(o, "   {l}");
    }

    let _ = writeln!(
        o,
        "\n4. The shim (nftwire-iptables) reads the same chain through nftwire::iptables, which reports foreign rules instead of failing:"
    );
    let _ = writeln!(o, "   -S FORWARD:");
    let _ = writeln!(o, "     -P FORWARD ACCEPT");
    let want = kube_router_rule();
    let mut found = None;
    for r in rs.rules.iter().filter(|r| r.chain() == "FORWARD") {
        match decode(r, "filter") {
            Decoded::Rule(mut ir) => {
                let _ = writeln!(
                    o,
                    "     {}",
                    rule_line(&ir, "FORWARD", "filter", Counters::None)
                );
                ir.packets = 0;
                ir.bytes = 0;
                if ir == want && found.is_none() {
                    found = r.attrs.handle;
                }
            }
            Decoded::Foreign(why) => {
                let _ = writeln!(
                    o,
                    "     (handle {}: not an iptables rule, {why}; left alone)",
                    r.attrs.handle.unwrap_or(0)
                );
            }
        }
    }
    let _ = writeln!(
        o,
        "   -C FORWARD -m comment --comment \"{KUBE_COMMENT}\" -j {KUBE_CHAIN}: {}",
        match found {
            Some(h) => format!("found (handle {h}), exit 0"),
            None => "not found, exit 1".into(),
        }
    );
    let _ = writeln!(
        o,
        "   (These lines come from the shim's library model; the nftwire-iptables binary itself is not run here.)"
    );
    print!("{o}");
    Ok(if found.is_some() { 0 } else { 1 })
}
