//! Rule tracing: arm `meta nftrace set 1` in nftwire's own base chains,
//! follow `NFNLGRP_NFTRACE`, and decode each trace message.
//!
//! The arming table is `inet nftwire-trace-PID`, with chains on prerouting
//! and output at the lowest priority (so before every other chain), each
//! holding one rule whose userdata comment says `nftwire trace`. It is
//! deleted on exit; a table left by a killed run (its pid no longer alive) is
//! deleted by the next run. No other table is ever touched.

use crate::consts::{family, msg};
use crate::error::{Error, Result};
use crate::expr::{meta::MetaKey, Expr, Immediate, Meta};
use crate::netlink::{BatchOp, Conn, NfMsg};
use crate::object::chain::Hook;
use crate::object::{Chain, Rule, Table, TableAttrs};
use netlink_packet_core::NLM_F_CREATE;

/// `NFNLGRP_NFTRACE`.
pub const NFNLGRP_NFTRACE: u32 = 9;
/// Name prefix of arming tables.
pub const TABLE_PREFIX: &str = "nftwire-trace-";
/// Comment of the arming rules.
pub const RULE_COMMENT: &str = "nftwire trace";

/// `NFT_TRACETYPE_*` (policy 1, return 2, rule 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceType {
    /// A rule matched.
    Rule,
    /// The end of a chain was reached (return to the caller).
    Return,
    /// A base chain's policy applied.
    Policy,
    /// Anything else.
    Other(u32),
}

/// One trace message.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceEvent {
    /// Packet trace id (all messages of one packet share it).
    pub id: u32,
    /// Table family.
    pub family: u8,
    /// Table.
    pub table: String,
    /// Chain.
    pub chain: String,
    /// What happened.
    pub kind: TraceType,
    /// Handle of the matched rule.
    pub rule_handle: Option<u64>,
    /// Verdict code (`NF_ACCEPT` 1, `NF_DROP` 0, `NFT_CONTINUE` -1,
    /// `NFT_JUMP` -3, `NFT_GOTO` -4, `NFT_RETURN` -5).
    pub verdict: Option<i32>,
    /// Jump/goto target.
    pub verdict_chain: Option<String>,
    /// Policy verdict.
    pub policy: Option<u32>,
    /// Input interface index.
    pub iif: Option<u32>,
    /// Output interface index.
    pub oif: Option<u32>,
    /// Packet mark.
    pub mark: Option<u32>,
    /// The network header (first message of a packet).
    pub network_header: Option<Vec<u8>>,
    /// The transport header.
    pub transport_header: Option<Vec<u8>>,
    /// The packet's conntrack view, sent by kernels 6.17 and later with the
    /// packet headers (once per base chain); `None` before that or when
    /// conntrack has not seen the packet.
    pub ct: Option<TraceCt>,
}

/// The conntrack view of a traced packet (`NFTA_TRACE_CT_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TraceCt {
    /// State bits as `ct state` matches them (`NF_CT_STATE_*_BIT`:
    /// invalid 1, established 2, related 4, new 8, untracked 64).
    pub state: Option<u32>,
    /// 0 original, 1 reply.
    pub direction: Option<u8>,
    /// The entry's status bits (`IPS_*`: `SRC_NAT`, `DST_NAT_DONE`, ...).
    pub status: Option<u32>,
    /// The entry's id, as ctnetlink reports it (`conntrack -L -o id`).
    pub id: Option<u32>,
}

impl TraceCt {
    /// `ct state` in nft's words (`new`, `established`, ...).
    pub fn state_text(&self) -> Option<String> {
        let s = self.state?;
        let names = [
            (1, "invalid"),
            (2, "established"),
            (4, "related"),
            (8, "new"),
            (64, "untracked"),
        ];
        let mut w: Vec<String> = names
            .iter()
            .filter(|(b, _)| s & b != 0)
            .map(|(_, n)| n.to_string())
            .collect();
        let rest = s & !names.iter().fold(0, |a, (b, _)| a | b);
        if rest != 0 {
            w.push(format!("{rest:#x}"));
        }
        Some(if w.is_empty() {
            "0".into()
        } else {
            w.join(",")
        })
    }

    /// `original` or `reply`.
    pub fn direction_text(&self) -> Option<String> {
        self.direction.map(|d| match d {
            0 => "original".into(),
            1 => "reply".into(),
            n => format!("direction {n}"),
        })
    }

    /// The status bits by name, as `nftwire conntrack` prints them.
    pub fn status_names(&self) -> Vec<String> {
        crate::conntrack::entry::status_bit_names(self.status.unwrap_or(0))
    }

    /// The NAT the connection is under: `snat`, `dnat`, both, or none.
    pub fn nat(&self) -> Vec<&'static str> {
        let s = self.status.unwrap_or(0);
        // IPS_SRC_NAT bit 4, IPS_DST_NAT bit 5.
        [(1 << 4, "snat"), (1 << 5, "dnat")]
            .into_iter()
            .filter(|(b, _)| s & b != 0)
            .map(|(_, n)| n)
            .collect()
    }

    /// `ct direction original ct state new ct status ... ct id N`, the
    /// parts the kernel sent.
    pub fn text(&self) -> String {
        let mut p = Vec::new();
        if let Some(d) = self.direction_text() {
            p.push(format!("ct direction {d}"));
        }
        if let Some(s) = self.state_text() {
            p.push(format!("ct state {s}"));
        }
        if self.status.is_some() {
            p.push(format!("ct status {}", self.status_names().join(",")));
        }
        if let Some(i) = self.id {
            p.push(format!("ct id {i}"));
        }
        p.join(" ")
    }
}

fn be32(v: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(v.get(..4)?.try_into().ok()?))
}

fn string(v: &[u8]) -> String {
    String::from_utf8_lossy(v.strip_suffix(&[0]).unwrap_or(v)).into_owned()
}

impl TraceEvent {
    /// Decode an `NFT_MSG_TRACE` message; `None` if it is another message
    /// or lacks the id, table or chain.
    pub fn decode(m: &NfMsg) -> Option<TraceEvent> {
        if m.subsys() != crate::consts::NFNL_SUBSYS_NFTABLES || m.msg() != msg::TRACE {
            return None;
        }
        let mut e = TraceEvent {
            id: 0,
            family: m.family,
            table: String::new(),
            chain: String::new(),
            kind: TraceType::Other(0),
            rule_handle: None,
            verdict: None,
            verdict_chain: None,
            policy: None,
            iif: None,
            oif: None,
            mark: None,
            network_header: None,
            transport_header: None,
            ct: None,
        };
        let mut ct = TraceCt::default();
        let (mut id, mut table, mut chain) = (None, None, None);
        for (k, v) in crate::nla::SliceIter::new(&m.body) {
            match k & crate::nla::NLA_TYPE_MASK {
                1 => table = Some(string(v)),
                2 => chain = Some(string(v)),
                3 => {
                    e.rule_handle = v
                        .get(..8)
                        .map(|b| u64::from_be_bytes(b.try_into().unwrap_or([0; 8])))
                }
                4 => {
                    e.kind = match be32(v) {
                        Some(1) => TraceType::Policy,
                        Some(2) => TraceType::Return,
                        Some(3) => TraceType::Rule,
                        Some(n) => TraceType::Other(n),
                        None => TraceType::Other(0),
                    }
                }
                5 => {
                    for (vk, vv) in crate::nla::SliceIter::new(v) {
                        match vk & crate::nla::NLA_TYPE_MASK {
                            1 => e.verdict = be32(vv).map(|x| x as i32),
                            2 => e.verdict_chain = Some(string(vv)),
                            _ => {}
                        }
                    }
                }
                6 => id = be32(v),
                8 => e.network_header = Some(v.to_vec()),
                9 => e.transport_header = Some(v.to_vec()),
                10 => e.iif = be32(v),
                12 => e.oif = be32(v),
                14 => e.mark = be32(v),
                16 => e.policy = be32(v),
                // Big-endian, as ctnetlink's CTA_ID (checked against
                // `conntrack -L -o id` on 6.18).
                18 => ct.id = be32(v),
                19 => ct.direction = v.first().copied(),
                20 => ct.status = be32(v),
                21 => ct.state = be32(v),
                _ => {}
            }
        }
        if ct != TraceCt::default() {
            e.ct = Some(ct);
        }
        e.id = id?;
        e.table = table?;
        e.chain = chain?;
        Some(e)
    }

    /// The verdict in nft's words (`accept`, `continue`, `jump X`, ...).
    pub fn verdict_text(&self) -> Option<String> {
        let v = match self.kind {
            TraceType::Policy => self.policy.map(|p| p as i32).or(self.verdict)?,
            _ => self.verdict?,
        };
        let chain = self.verdict_chain.as_deref().unwrap_or("?");
        Some(match v {
            0 => "drop".into(),
            1 => "accept".into(),
            2 => "stolen".into(),
            3 => "queue".into(),
            -1 => "continue".into(),
            -2 => "break".into(),
            -3 => format!("jump {chain}"),
            -4 => format!("goto {chain}"),
            -5 => "return".into(),
            n => format!("verdict {n}"),
        })
    }
}

/// Delete arming tables whose process is gone (a killed earlier run).
/// Returns their names.
pub fn remove_stale(conn: &mut Conn) -> Result<Vec<String>> {
    let msgs = conn.dump(msg::GETTABLE, family::INET, Vec::new())?;
    let tables = crate::object::parse_msgs::<TableAttrs>(msgs, msg::NEWTABLE)?;
    let mut gone = Vec::new();
    for t in tables {
        let Some(pid) = t.name().strip_prefix(TABLE_PREFIX) else {
            continue;
        };
        let alive = pid
            .parse::<u32>()
            .is_ok_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let m = Table::named(family::INET, t.name()).to_msg(msg::DELTABLE, 0);
            conn.batch(
                &[BatchOp {
                    msg: m,
                    op: "TABLE_DEL".into(),
                    what: format!("table inet {}", t.name()),
                }],
                None,
            )?;
            gone.push(t.name().to_string());
        }
    }
    Ok(gone)
}

/// An armed trace: its table exists until [`Armed::disarm`] (or drop).
pub struct Armed {
    table: String,
    done: bool,
}

/// `table inet nftwire-trace-PID` with a prerouting and an output chain at
/// the lowest priority, each with `MATCH meta nftrace set 1` (`matches` are
/// the compiled match expressions). One atomic batch.
pub fn arm(conn: &mut Conn, matches: &[Expr]) -> Result<Armed> {
    let table = format!("{TABLE_PREFIX}{}", std::process::id());
    let mut ops = vec![BatchOp {
        msg: Table::named(family::INET, &table).to_msg(msg::NEWTABLE, NLM_F_CREATE),
        op: "TABLE_ADD".into(),
        what: format!("table inet {table}"),
    }];
    // NF_INET_PRE_ROUTING 0, NF_INET_LOCAL_OUT 3.
    for (name, hook) in [("prerouting", 0u32), ("output", 3)] {
        let mut c = Chain::regular(family::INET, &table, name);
        c.attrs.hook = Some(Hook {
            num: Some(hook),
            priority: Some(i32::MIN),
            ..Default::default()
        });
        c.attrs.chain_type = Some("filter".into());
        ops.push(BatchOp {
            msg: c.to_msg(msg::NEWCHAIN, NLM_F_CREATE),
            op: "CHAIN_ADD".into(),
            what: format!("chain inet {table} {name}"),
        });
        let mut exprs = matches.to_vec();
        exprs.push(
            Immediate {
                dreg: Some(1),
                data: Some(crate::data::Data::value(vec![1u8, 0, 0, 0])),
                ..Default::default()
            }
            .into(),
        );
        exprs.push(
            Meta {
                key: Some(MetaKey::NfTrace),
                sreg: Some(1),
                ..Default::default()
            }
            .into(),
        );
        let mut r = Rule::new(family::INET, &table, name, exprs);
        let mut u = vec![0u8, (RULE_COMMENT.len() + 1) as u8];
        u.extend_from_slice(RULE_COMMENT.as_bytes());
        u.push(0);
        r.attrs.userdata = Some(u.into());
        ops.push(BatchOp {
            msg: r.to_msg(
                msg::NEWRULE,
                NLM_F_CREATE | netlink_packet_core::NLM_F_APPEND,
            ),
            op: "RULE_APPEND".into(),
            what: format!("rule in chain {name}"),
        });
    }
    conn.batch(&ops, None).map_err(|e| match e {
        Error::Kernel { errno: 1 | 13, .. } => {
            Error::Permission("cannot arm tracing: permission denied (you must be root)".into())
        }
        other => other,
    })?;
    Ok(Armed { table, done: false })
}

impl Armed {
    /// The arming table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Delete the arming table.
    pub fn disarm(mut self) -> Result<()> {
        self.done = true;
        disarm_table(&self.table)
    }
}

/// Delete arming table `name` over a new connection.
pub fn disarm_table(name: &str) -> Result<()> {
    let mut conn = Conn::open()?;
    let m = Table::named(family::INET, name).to_msg(msg::DELTABLE, 0);
    conn.batch(
        &[BatchOp {
            msg: m,
            op: "TABLE_DEL".into(),
            what: format!("table inet {name}"),
        }],
        None,
    )?;
    Ok(())
}

impl Drop for Armed {
    fn drop(&mut self) {
        if !self.done {
            let _ = disarm_table(&self.table);
        }
    }
}

/// A subscription to trace messages.
pub struct TraceWatch {
    conn: Conn,
}

impl TraceWatch {
    /// Subscribe in the current network namespace.
    pub fn open() -> Result<TraceWatch> {
        let mut conn = Conn::open()?;
        conn.join_group(NFNLGRP_NFTRACE)?;
        Ok(TraceWatch { conn })
    }

    /// Block until trace messages arrive.
    pub fn next_events(&mut self) -> Result<Vec<TraceEvent>> {
        Ok(self
            .conn
            .recv_msgs()?
            .iter()
            .filter_map(|r| r.to_nf())
            .filter_map(|m| TraceEvent::decode(&m))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nla::Writer;

    fn message() -> NfMsg {
        let mut w = Writer::new();
        w.put(1, &"nat".to_string());
        w.put(2, &"PREROUTING".to_string());
        w.put(3, &bytes::Bytes::copy_from_slice(&7u64.to_be_bytes()));
        w.put(4, &bytes::Bytes::copy_from_slice(&3u32.to_be_bytes()));
        let mut v = Writer::new();
        v.put(1, &bytes::Bytes::copy_from_slice(&(-3i32).to_be_bytes()));
        v.put(2, &"KUBE-SVC".to_string());
        w.put(5 | crate::nla::NLA_F_NESTED, &bytes::Bytes::from(v.buf));
        w.put(6, &bytes::Bytes::copy_from_slice(&0xabcdu32.to_be_bytes()));
        NfMsg::nft(msg::TRACE, 0, family::IPV4, w.buf)
    }

    #[test]
    fn decodes_a_rule_event_and_survives_damage() {
        let e = TraceEvent::decode(&message()).unwrap();
        assert_eq!(
            (e.id, e.table.as_str(), e.chain.as_str()),
            (0xabcd, "nat", "PREROUTING")
        );
        assert_eq!(e.kind, TraceType::Rule);
        assert_eq!(e.rule_handle, Some(7));
        assert_eq!(e.verdict_text().as_deref(), Some("jump KUBE-SVC"));
        let m = message();
        for cut in 0..m.body.len() {
            let mut t = m.clone();
            t.body = m.body.slice(..cut);
            if let Some(e) = TraceEvent::decode(&t) {
                let _ = e.verdict_text();
            }
        }
        for i in 0..m.body.len() {
            let mut b = m.body.to_vec();
            b[i] ^= 0xff;
            let mut t = m.clone();
            t.body = b.into();
            let _ = TraceEvent::decode(&t).map(|e| e.verdict_text());
        }
    }

    #[test]
    fn decodes_mark_and_conntrack_view() {
        let mut m = message();
        let mut w = Writer::new();
        w.put(14, &bytes::Bytes::copy_from_slice(&5u32.to_be_bytes()));
        w.put(21, &bytes::Bytes::copy_from_slice(&8u32.to_be_bytes()));
        w.put(19, &bytes::Bytes::copy_from_slice(&[1u8]));
        w.put(18, &bytes::Bytes::copy_from_slice(&1234u32.to_be_bytes()));
        // CONFIRMED (3) | DST_NAT (5) | DST_NAT_DONE (8)
        let status: u32 = (1 << 3) | (1 << 5) | (1 << 8);
        w.put(20, &bytes::Bytes::copy_from_slice(&status.to_be_bytes()));
        let mut b = m.body.to_vec();
        b.extend_from_slice(&w.buf);
        m.body = b.into();
        let e = TraceEvent::decode(&m).unwrap();
        assert_eq!(e.mark, Some(5));
        let ct = e.ct.unwrap();
        assert_eq!(
            ct.text(),
            "ct direction reply ct state new ct status CONFIRMED,DST_NAT,DST_NAT_DONE ct id 1234"
        );
        assert_eq!(ct.nat(), vec!["dnat"]);
        assert_eq!(TraceEvent::decode(&message()).unwrap().ct, None);
    }
}
