//! A model of iptables-nft's rule reader (`nft_rule_to_iptables_command_state`
//! and the family parsers it calls), per release, register by register.
//!
//! The reader walks the expressions in order. `payload`, `meta` and data
//! `immediate`s record in a register slot what they loaded; `bitwise`
//! attaches a mask to a slot; `cmp` and `range` consume a slot and turn it
//! into an iptables field or match; verdict `immediate`s, `match`,
//! `target`, `limit` and `log` fill in matches and the target. Every other
//! expression — including `lookup` for ip/ip6 — is skipped without a word.
//! Errors are collected per expression (`Error: <text>` on stderr) and make
//! the whole command fail with exit status 3 after the rule is read.
//!
//! Besides reproducing what iptables does, the model records where its
//! reading silently differs from what the rule does in the kernel
//! ([`Finding`]s): skipped statements and set lookups, compare operators
//! read as equality, registers whose content iptables misattributes, and
//! its known fall-through bugs.
//!
//! Version differences modelled: 1.8.9 only understands `meta nftrace set`
//! (`meta sreg key not supported` otherwise) while 1.8.10+ also turns
//! `meta mark set` into `-j MARK`; 1.8.9 shares one tcp/udp match per rule
//! through a pointer while 1.8.10+ looks the match up by name (so a native
//! port test can land in an xt `tcp` match); the wording of the
//! `meta nftrace` errors changed in 1.8.10.

use super::cstate::*;
use super::nlexpr::{value_u16_be, value_u32_host, value_u8, DataReg, NlExpr};
use super::version::IptVersion;
use crate::expr::Expr;

/// What the reader needs besides the rule.
pub struct ReadContext<'a> {
    /// The release to model.
    pub version: IptVersion,
    /// true for ip6 tables.
    pub ipv6: bool,
    /// The table name.
    pub table: &'a str,
    /// `if_indextoname` in the namespace where iptables would run.
    pub ifname: &'a dyn Fn(u32) -> Option<String>,
}

/// One `Error: ...` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Index of the expression being read.
    pub expr: usize,
    /// The text after `Error: `.
    pub message: String,
}

/// A place where iptables' reading silently differs from the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Index of the expression concerned.
    pub expr: usize,
    /// One sentence.
    pub text: String,
}

/// The result of reading one rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reading {
    /// The rule as iptables understood it.
    pub state: CommandState,
    /// Parse errors in order (non-empty means exit status 3).
    pub errors: Vec<ParseError>,
    /// Silent misreadings.
    pub findings: Vec<Finding>,
    /// Set when iptables' behaviour is undefined for this rule (it reads
    /// uninitialised memory, overflows a field or divides by zero).
    pub undefined: Option<Finding>,
}

// Attribute numbers (kernel UAPI).
const CMP_SREG: u16 = 1;
const CMP_OP: u16 = 2;
const CMP_DATA: u16 = 3;
const META_DREG: u16 = 1;
const META_KEY: u16 = 2;
const META_SREG: u16 = 3;
const PAYLOAD_DREG: u16 = 1;
const PAYLOAD_BASE: u16 = 2;
const PAYLOAD_OFFSET: u16 = 3;
const PAYLOAD_LEN: u16 = 4;
const PAYLOAD_SREG: u16 = 5;
const BITWISE_SREG: u16 = 1;
const BITWISE_DREG: u16 = 2;
const BITWISE_MASK: u16 = 4;
const BITWISE_XOR: u16 = 5;
const RANGE_SREG: u16 = 1;
const RANGE_OP: u16 = 2;
const RANGE_FROM: u16 = 3;
const RANGE_TO: u16 = 4;
const IMM_DREG: u16 = 1;
const IMM_DATA: u16 = 2;
const LIMIT_RATE: u16 = 1;
const LIMIT_UNIT: u16 = 2;
const LIMIT_BURST: u16 = 3;
const LIMIT_TYPE: u16 = 4;
const LIMIT_FLAGS: u16 = 5;
const LOG_GROUP: u16 = 1;
const LOG_PREFIX: u16 = 2;
const LOG_SNAPLEN: u16 = 3;
const LOG_QTHRESHOLD: u16 = 4;
const LOOKUP_SET: u16 = 1;
const LOOKUP_DREG: u16 = 3;
const LOOKUP_FLAGS: u16 = 5;
const XT_NAME: u16 = 1;
const XT_REV: u16 = 2;
const XT_INFO: u16 = 3;
const COUNTER_BYTES: u16 = 1;
const COUNTER_PACKETS: u16 = 2;

// Operators, keys, bases, verdicts.
const OP_EQ: u32 = 0;
const OP_NEQ: u32 = 1;
const OP_LT: u32 = 2;
const OP_LTE: u32 = 3;
const OP_GT: u32 = 4;
const OP_GTE: u32 = 5;
const KEY_MARK: u32 = 3;
const KEY_IIF: u32 = 4;
const KEY_OIF: u32 = 5;
const KEY_IIFNAME: u32 = 6;
const KEY_OIFNAME: u32 = 7;
const KEY_NFTRACE: u32 = 12;
const KEY_L4PROTO: u32 = 16;
const KEY_BRI_IIFNAME: u32 = 17;
const KEY_BRI_OIFNAME: u32 = 18;
const KEY_PKTTYPE: u32 = 19;
const KEY_BRI_BROUTE: u32 = 35;
const BASE_LL: u32 = 0;
const BASE_NETWORK: u32 = 1;
const BASE_TRANSPORT: u32 = 2;
const NF_DROP: i32 = 0;
const NF_ACCEPT: i32 = 1;
const NFT_CONTINUE: i32 = -1;
const NFT_JUMP: i32 = -3;
const NFT_GOTO: i32 = -4;
const NFT_RETURN: i32 = -5;
const IPPROTO_ICMP: u8 = 1;
const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;
const IPPROTO_ICMPV6: u8 = 58;

/// `XT_LIMIT_SCALE`.
const LIMIT_SCALE: u64 = 10000;
/// `NF_LOG_PREFIXLEN`.
const LOG_PREFIXLEN: usize = 128;
/// Size of the comment match's buffer.
const COMMENT_LEN: usize = 256;

/// Extension names iptables ships for both families (libxt_*).
const EXT_XT: &[&str] = &[
    "AUDIT",
    "CHECKSUM",
    "CLASSIFY",
    "CONNMARK",
    "CONNSECMARK",
    "CT",
    "DSCP",
    "HMARK",
    "IDLETIMER",
    "LED",
    "LOG",
    "MARK",
    "NFLOG",
    "NFQUEUE",
    "RATEEST",
    "SECMARK",
    "SET",
    "SYNPROXY",
    "TCPMSS",
    "TCPOPTSTRIP",
    "TEE",
    "TOS",
    "TPROXY",
    "TRACE",
    "DNAT",
    "SNAT",
    "MASQUERADE",
    "REDIRECT",
    "NETMAP",
    "NOTRACK",
    "addrtype",
    "bpf",
    "cgroup",
    "cluster",
    "comment",
    "connbytes",
    "connlabel",
    "connlimit",
    "connmark",
    "conntrack",
    "cpu",
    "dccp",
    "devgroup",
    "dscp",
    "ecn",
    "esp",
    "hashlimit",
    "helper",
    "ipcomp",
    "iprange",
    "ipvs",
    "length",
    "limit",
    "mac",
    "mark",
    "multiport",
    "nfacct",
    "osf",
    "owner",
    "physdev",
    "pkttype",
    "policy",
    "quota",
    "rateest",
    "recent",
    "rpfilter",
    "sctp",
    "set",
    "socket",
    "standard",
    "state",
    "statistic",
    "string",
    "tcp",
    "tcpmss",
    "time",
    "tos",
    "u32",
    "udp",
];
/// IPv4-only extensions (libipt_*).
const EXT_IPT: &[&str] = &[
    "CLUSTERIP",
    "ECN",
    "NETMAP",
    "REJECT",
    "TTL",
    "ULOG",
    "ah",
    "icmp",
    "realm",
    "ttl",
];
/// IPv6-only extensions (libip6t_*).
const EXT_IP6T: &[&str] = &[
    "DNPT",
    "HL",
    "NETMAP",
    "REJECT",
    "SNPT",
    "ah",
    "dst",
    "eui64",
    "frag",
    "hbh",
    "hl",
    "icmp6",
    "ipv6header",
    "mh",
    "rt",
    "srh",
];

fn extension_known(name: &str, ipv6: bool) -> bool {
    EXT_XT.contains(&name)
        || if ipv6 {
            EXT_IP6T.contains(&name)
        } else {
            EXT_IPT.contains(&name)
        }
}

/// Expressions that only load a register (harmless when skipped; a later
/// compare of that register is what goes wrong), with their DREG attribute
/// and the attribute whose presence makes them a store instead.
fn load_only(name: &str) -> Option<(u16, Option<u16>)> {
    Some(match name {
        "ct" => (1, Some(4)),
        "fib" => (1, None),
        "rt" => (1, None),
        "numgen" => (1, None),
        "hash" => (2, None),
        "socket" => (2, None),
        "osf" => (1, None),
        "xfrm" => (1, None),
        "tunnel" => (2, None),
        "exthdr" => (1, Some(7)),
        "byteorder" => (2, None),
        _ => return None,
    })
}

/// What a register slot holds in iptables' model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Held {
    #[default]
    Undef,
    Payload {
        base: u32,
        offset: u32,
        len: u32,
    },
    Immediate {
        data: [u8; 16],
    },
    Meta {
        key: u32,
    },
}

#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    held: Held,
    mask: [u8; 16],
    xor: [u8; 16],
    bitwise: bool,
    // Diagnosis only: an expression iptables skips wrote this register
    // after the load iptables recorded.
    stale: Option<usize>,
    // Diagnosis only: the last bitwise on this slot had a non-zero xor.
    xor_used: bool,
    // Diagnosis only: where the recorded value was loaded.
    loaded_at: usize,
}

/// Which compares have been applied to one port field (for findings).
#[derive(Clone, Copy, Debug, Default)]
struct PortOps {
    exact: bool,
    low: bool,
    high: bool,
}

struct Reader<'a, 'b> {
    ctx: &'a ReadContext<'b>,
    cs: CommandState,
    regs: [Slot; 17],
    errmsg: Option<String>,
    errors: Vec<ParseError>,
    findings: Vec<Finding>,
    undefined: Option<Finding>,
    cur: usize,
    // 1.8.9: the tcp/udp match shared by all port tests of the rule.
    tcpudp: Option<usize>,
    // Diagnosis only.
    src_set: bool,
    dst_set: bool,
    proto_set: bool,
    in_set: bool,
    out_set: bool,
    sport_ops: PortOps,
    dport_ops: PortOps,
    // Diagnosis only: an address field already compared as part of a range.
    src_range: bool,
    dst_range: bool,
    // Diagnosis only: the compare at this index reads a misattributed register.
    misattributed: Option<usize>,
}

/// Read one rule as the given iptables release would.
pub fn read(exprs: &[Expr], userdata: Option<&[u8]>, ctx: &ReadContext<'_>) -> Reading {
    let mut r = Reader {
        ctx,
        cs: CommandState {
            ipv6: ctx.ipv6,
            ..Default::default()
        },
        regs: [Slot::default(); 17],
        errmsg: None,
        errors: Vec::new(),
        findings: Vec::new(),
        undefined: None,
        cur: 0,
        tcpudp: None,
        src_set: false,
        dst_set: false,
        proto_set: false,
        in_set: false,
        out_set: false,
        sport_ops: PortOps::default(),
        dport_ops: PortOps::default(),
        src_range: false,
        dst_range: false,
        misattributed: None,
    };
    for (i, e) in exprs.iter().enumerate() {
        r.cur = i;
        let n = NlExpr::of(e);
        match n.name.as_str() {
            "counter" => r.cs.counters = (n.u64(COUNTER_PACKETS), n.u64(COUNTER_BYTES)),
            "payload" => r.payload(&n),
            "meta" => r.meta(&n),
            "bitwise" => r.bitwise(&n),
            "cmp" => r.cmp(&n),
            "immediate" => r.immediate(&n),
            "match" => r.xt_match(&n),
            "target" => r.xt_target(&n),
            "limit" => r.limit(&n),
            "lookup" => r.lookup(&n),
            "log" => r.log(&n),
            "range" => r.range(&n),
            other => r.skipped(other, &n),
        }
        if let Some(m) = r.errmsg.take() {
            r.errors.push(ParseError {
                expr: i,
                message: m,
            });
        }
    }
    if let Some(u) = userdata {
        r.cur = exprs.len();
        if let Some(c) = r.comment(u) {
            r.cs.matches.push(MatchInfo::Comment(c));
        }
    }
    Reading {
        state: r.cs,
        errors: r.errors,
        findings: r.findings,
        undefined: r.undefined,
    }
}

fn op_word(op: u32) -> &'static str {
    match op {
        OP_EQ => "==",
        OP_NEQ => "!=",
        OP_LT => "<",
        OP_LTE => "<=",
        OP_GT => ">",
        OP_GTE => ">=",
        _ => "an unknown operator",
    }
}

fn meta_key_name(key: u32) -> String {
    crate::expr::MetaKey::from_value(key)
        .debug_name()
        .to_owned()
}

impl Reader<'_, '_> {
    fn find(&mut self, text: impl Into<String>) {
        let text = text.into();
        if self.misattributed == Some(self.cur) {
            // The compare is already explained as reading the wrong value.
            return;
        }
        if !self
            .findings
            .iter()
            .any(|f| f.expr == self.cur && f.text == text)
        {
            self.findings.push(Finding {
                expr: self.cur,
                text,
            });
        }
    }

    fn undefined(&mut self, text: impl Into<String>) {
        if self.undefined.is_none() {
            self.undefined = Some(Finding {
                expr: self.cur,
                text: text.into(),
            });
        }
    }

    /// `nft_xt_ctx_get_sreg`: the slot for a register number.
    fn sreg(&mut self, reg: u32) -> Option<usize> {
        match reg {
            0 => Some(0),
            1 => Some(1),
            2 => Some(5),
            3 => Some(9),
            4 => Some(13),
            8..=23 => Some((reg - 8) as usize),
            _ => {
                self.errmsg = Some("Unknown register requested".into());
                None
            }
        }
    }

    /// `nft_xt_ctx_get_dreg`: the slot, cleared (its mask bytes survive).
    fn dreg(&mut self, reg: u32) -> Option<usize> {
        let i = self.sreg(reg)?;
        let s = &mut self.regs[i];
        s.held = Held::Undef;
        s.bitwise = false;
        s.stale = None;
        s.xor_used = false;
        s.loaded_at = self.cur;
        Some(i)
    }

    /// What iptables thinks a slot holds, for messages.
    fn describe(&self, s: &Slot) -> String {
        match s.held {
            Held::Undef => "nothing".into(),
            Held::Meta { key } => format!("meta {}", meta_key_name(key)),
            Held::Immediate { .. } => "an immediate value".into(),
            Held::Payload { base, offset, len } => {
                let b = match base {
                    BASE_LL => "link",
                    BASE_NETWORK => "network",
                    BASE_TRANSPORT => "transport",
                    _ => "other",
                };
                format!("{len} byte(s) at {b} header + {offset}")
            }
        }
    }

    fn note_stale(&mut self, slot: usize) {
        let s = self.regs[slot];
        if let (Some(w), true) = (s.stale, s.held != Held::Undef) {
            let what = self.describe(&s);
            self.find(format!(
                "this compare tests what expression {w} (skipped by iptables) loaded, but iptables \
                 applies it to {what} loaded by expression {}",
                s.loaded_at
            ));
            self.misattributed = Some(self.cur);
        }
    }

    fn payload(&mut self, n: &NlExpr) {
        if n.is_set(PAYLOAD_SREG) {
            self.find(
                "a payload write (packet mangling) is read as a load into the verdict register \
                 and otherwise ignored",
            );
        }
        let Some(i) = self.dreg(n.u32(PAYLOAD_DREG)) else {
            return;
        };
        self.regs[i].held = Held::Payload {
            base: n.u32(PAYLOAD_BASE),
            offset: n.u32(PAYLOAD_OFFSET),
            len: n.u32(PAYLOAD_LEN),
        };
    }

    fn meta(&mut self, n: &NlExpr) {
        if n.is_set(META_SREG) {
            self.meta_set(n);
            return;
        }
        let Some(i) = self.dreg(n.u32(META_DREG)) else {
            return;
        };
        self.regs[i].held = Held::Meta {
            key: n.u32(META_KEY),
        };
    }

    fn meta_set(&mut self, n: &NlExpr) {
        let Some(i) = self.sreg(n.u32(META_SREG)) else {
            return;
        };
        let s = self.regs[i];
        let key = n.u32(META_KEY);
        let imm = match s.held {
            Held::Immediate { data } => Some(data),
            _ => None,
        };
        if self.ctx.version == IptVersion::V1_8_9 {
            if key != KEY_NFTRACE {
                self.errmsg = Some("meta sreg key not supported".into());
                return;
            }
            let Some(data) = imm else {
                self.errmsg = Some("meta nftrace but reg not immediate".into());
                return;
            };
            if u32::from_ne_bytes([data[0], data[1], data[2], data[3]]) == 0 {
                self.errmsg = Some("trace is cleared".into());
                return;
            }
            self.set_target(TargetInfo::Trace, "TRACE");
            return;
        }
        match key {
            KEY_NFTRACE => {
                let Some(data) = imm else {
                    self.errmsg = Some("meta sreg is not an immediate".into());
                    return;
                };
                if u32::from_ne_bytes([data[0], data[1], data[2], data[3]]) == 0 {
                    self.errmsg = Some("meta sreg immediate is 0".into());
                    return;
                }
                self.set_target(TargetInfo::Trace, "TRACE");
            }
            KEY_BRI_BROUTE => {
                if imm.is_none() {
                    self.errmsg = Some("meta sreg is not an immediate".into());
                    return;
                }
                self.cs.jumpto = "DROP".into();
                self.find("`meta broute set` is read as DROP (an ebtables idiom)");
            }
            KEY_MARK => {
                let Some(data) = imm else {
                    self.errmsg = Some("meta sreg is not an immediate".into());
                    return;
                };
                let mark = u32::from_ne_bytes([data[0], data[1], data[2], data[3]]);
                let mask = if s.bitwise {
                    u32::from_ne_bytes([s.mask[0], s.mask[1], s.mask[2], s.mask[3]])
                } else {
                    u32::MAX
                };
                if s.bitwise {
                    self.find(
                        "a mask applied to the immediate is read as the MARK target's xmark mask",
                    );
                }
                self.set_target(TargetInfo::Mark { mark, mask }, "MARK");
            }
            _ => self.errmsg = Some("meta sreg key not supported".into()),
        }
    }

    fn set_target(&mut self, t: TargetInfo, name: &str) {
        if self.cs.target.is_some() || !self.cs.jumpto.is_empty() {
            self.find("a second target replaces the first one");
        }
        self.cs.target = Some(t);
        self.cs.jumpto = name.into();
    }

    fn bitwise(&mut self, n: &NlExpr) {
        let sregnum = n.u32(BITWISE_SREG);
        let dregnum = n.u32(BITWISE_DREG);
        let Some(si) = self.sreg(sregnum) else {
            return;
        };
        let mut di = si;
        if sregnum != dregnum {
            let Some(d) = self.sreg(dregnum) else {
                return;
            };
            di = d;
            self.regs[di] = self.regs[si];
        }
        if !n.has_value(BITWISE_XOR) || !n.has_value(BITWISE_MASK) {
            self.undefined(
                "a bitwise without mask/xor (a shift): iptables copies from an unset attribute \
                 with an uninitialised length",
            );
            return;
        }
        let xor = n.value(BITWISE_XOR);
        if xor.len() > 16 {
            self.errmsg = Some("bitwise xor too large".into());
            return;
        }
        self.regs[di].xor[..xor.len()].copy_from_slice(&xor);
        let mask = n.value(BITWISE_MASK);
        if mask.len() > 16 {
            self.errmsg = Some("bitwise mask too large".into());
            return;
        }
        self.regs[di].mask[..mask.len()].copy_from_slice(&mask);
        self.regs[di].bitwise = true;
        self.regs[di].xor_used = xor.iter().any(|&b| b != 0);
    }

    fn cmp(&mut self, n: &NlExpr) {
        let Some(i) = self.sreg(n.u32(CMP_SREG)) else {
            return;
        };
        let s = self.regs[i];
        match s.held {
            Held::Undef => {
                self.errmsg = Some("cmp sreg undef".into());
            }
            Held::Meta { key } => {
                self.note_stale(i);
                self.family_meta(i, key, n);
            }
            Held::Payload { base, offset, len } => {
                self.note_stale(i);
                match base {
                    BASE_LL => {
                        self.find("a link-layer header compare is skipped by the ip/ip6 reader")
                    }
                    BASE_NETWORK => self.family_payload(i, offset, len, n),
                    BASE_TRANSPORT => self.transport(n),
                    _ => self.find("a compare on an inner/tunnel header is skipped"),
                }
            }
            Held::Immediate { .. } => {
                self.errmsg = Some("cmp sreg has unknown type".into());
            }
        }
    }

    fn check_op(&mut self, op: u32, what: &str) {
        if op != OP_EQ && op != OP_NEQ {
            self.find(format!(
                "{what} compared with `{}` is read as an exact match",
                op_word(op)
            ));
        }
    }

    fn check_mask(&mut self, slot: usize, what: &str) {
        let s = self.regs[slot];
        if s.bitwise {
            self.find(format!("the mask applied to {what} is ignored"));
        }
    }

    fn check_xor(&mut self, slot: usize, what: &str) {
        if self.regs[slot].bitwise && self.regs[slot].xor_used {
            self.find(format!("the xor applied to {what} is ignored"));
        }
    }

    fn family_meta(&mut self, slot: usize, key: u32, n: &NlExpr) {
        let op = n.u32(CMP_OP);
        let data = n.value(CMP_DATA);
        if key == KEY_L4PROTO {
            self.check_op(op, "the layer 4 protocol");
            self.check_mask(slot, "the layer 4 protocol");
            if data.len() != 1 {
                self.find("the protocol value is not one byte long; iptables reads protocol 0");
            }
            if self.proto_set {
                self.find("a second protocol test replaces the first one");
            }
            self.proto_set = true;
            self.cs.proto = value_u8(&data) as u16;
            if op == OP_NEQ {
                self.cs.invflags |= INV_PROTO;
            }
            return;
        }
        if !self.common_meta(slot, key, op, &data) {
            self.errmsg = Some(if self.ctx.ipv6 {
                "unknown ipv6 meta key".into()
            } else {
                "unknown ipv4 meta key".into()
            });
        }
    }

    /// `parse_meta`: false for keys iptables does not know.
    fn common_meta(&mut self, slot: usize, key: u32, op: u32, data: &[u8]) -> bool {
        let masks = self.ctx.version != IptVersion::V1_8_11;
        match key {
            KEY_IIF | KEY_OIF => {
                let input = key == KEY_IIF;
                let what = if input {
                    "the input interface"
                } else {
                    "the output interface"
                };
                self.check_op(op, what);
                self.check_mask(slot, what);
                self.iface_twice(input);
                if op == OP_NEQ {
                    self.cs.invflags |= if input { INV_VIA_IN } else { INV_VIA_OUT };
                }
                let index = value_u32_host(data);
                match (self.ctx.ifname)(index) {
                    Some(name) => {
                        let field = if input {
                            &mut self.cs.iniface
                        } else {
                            &mut self.cs.outiface
                        };
                        *field = [0; IFNAMSIZ];
                        let b = name.as_bytes();
                        let l = b.len().min(IFNAMSIZ - 1);
                        field[..l].copy_from_slice(&b[..l]);
                    }
                    None => self.find(format!(
                        "interface index {index} does not exist here, so iptables cannot name it"
                    )),
                }
                if masks {
                    let field = if input {
                        self.cs.iniface
                    } else {
                        self.cs.outiface
                    };
                    let l = (ifname_str(&field).len() + 1).min(IFNAMSIZ);
                    let m = if input {
                        &mut self.cs.iniface_mask
                    } else {
                        &mut self.cs.outiface_mask
                    };
                    m[..l].fill(0xff);
                }
                true
            }
            KEY_IIFNAME | KEY_OIFNAME | KEY_BRI_IIFNAME | KEY_BRI_OIFNAME => {
                let input = key == KEY_IIFNAME || key == KEY_BRI_IIFNAME;
                let what = if input {
                    "the input interface name"
                } else {
                    "the output interface name"
                };
                self.check_op(op, what);
                self.check_mask(slot, what);
                self.iface_twice(input);
                if op == OP_NEQ {
                    self.cs.invflags |= if input { INV_VIA_IN } else { INV_VIA_OUT };
                }
                if data.len() > IFNAMSIZ {
                    self.undefined(
                        "an interface name compare longer than 16 bytes overflows iptables' field",
                    );
                }
                self.parse_ifname(data, input, masks);
                self.invalid_iface(input, masks);
                true
            }
            KEY_MARK => {
                self.check_op(op, "the packet mark");
                self.check_xor(slot, "the packet mark");
                if data.len() != 4 {
                    self.find("the mark value is not 4 bytes long; iptables reads 0");
                }
                let s = self.regs[slot];
                let mask = if s.bitwise {
                    u32::from_ne_bytes([s.mask[0], s.mask[1], s.mask[2], s.mask[3]])
                } else {
                    u32::MAX
                };
                self.cs.matches.push(MatchInfo::Mark {
                    mark: value_u32_host(data),
                    mask,
                    invert: op == OP_NEQ,
                });
                true
            }
            KEY_PKTTYPE => {
                self.check_op(op, "the packet type");
                self.check_mask(slot, "the packet type");
                if data.len() != 1 {
                    self.find("the packet type value is not one byte long; iptables reads 0");
                }
                self.cs.matches.push(MatchInfo::Pkttype {
                    pkttype: value_u8(data),
                    invert: op == OP_NEQ,
                });
                true
            }
            _ => false,
        }
    }

    fn iface_twice(&mut self, input: bool) {
        let seen = if input {
            &mut self.in_set
        } else {
            &mut self.out_set
        };
        let twice = *seen;
        *seen = true;
        if twice {
            self.find("a second interface test overwrites the first one");
        }
    }

    /// `parse_ifname`.
    fn parse_ifname(&mut self, data: &[u8], input: bool, masks: bool) {
        let len = data.len().min(IFNAMSIZ);
        if len == 0 {
            return;
        }
        let (field, mask) = if input {
            (&mut self.cs.iniface, &mut self.cs.iniface_mask)
        } else {
            (&mut self.cs.outiface, &mut self.cs.outiface_mask)
        };
        field[..len].copy_from_slice(&data[..len]);
        if data[len - 1] == 0 {
            if masks {
                let l = (ifname_str(data).len() + 1).min(IFNAMSIZ);
                mask[..l].fill(0xff);
            }
            return;
        }
        if len >= IFNAMSIZ {
            return;
        }
        let mut l = len;
        field[l] = b'+';
        l += 1;
        if l >= IFNAMSIZ {
            return;
        }
        field[l] = 0;
        l += 1;
        if masks {
            mask[..l - 2].fill(0xff);
        }
    }

    /// `parse_invalid_iface`: nft's `INVAL/D` stands for `! -i +`.
    fn invalid_iface(&mut self, input: bool, masks: bool) {
        let bit = if input { INV_VIA_IN } else { INV_VIA_OUT };
        let (field, mask) = if input {
            (&mut self.cs.iniface, &mut self.cs.iniface_mask)
        } else {
            (&mut self.cs.outiface, &mut self.cs.outiface_mask)
        };
        if self.cs.invflags & bit != 0 || ifname_str(field) != "INVAL/D" {
            return;
        }
        self.cs.invflags |= bit;
        field[0] = b'+';
        field[1] = 0;
        if masks {
            *mask = [0; IFNAMSIZ];
            mask[0] = 0xff;
            mask[1] = 0xff;
        }
    }

    fn family_payload(&mut self, slot: usize, offset: u32, len: u32, n: &NlExpr) {
        let op = n.u32(CMP_OP);
        let data = n.value(CMP_DATA);
        let s = self.regs[slot];
        let alen: usize = if self.ctx.ipv6 { 16 } else { 4 };
        let (src_off, dst_off, proto_off, hl_off) = if self.ctx.ipv6 {
            (8, 24, 6, 7)
        } else {
            (12, 16, 9, 8)
        };
        if offset == src_off || offset == dst_off {
            let src = offset == src_off;
            let what = if src {
                "the source address"
            } else {
                "the destination address"
            };
            let ranged = if src { self.src_range } else { self.dst_range };
            let is_range = op != OP_EQ && op != OP_NEQ;
            if is_range && !ranged {
                self.find(format!(
                    "{what} range (compared with `{}`) is read as one exact address, the last \
                     bound compared",
                    op_word(op)
                ));
            }
            self.check_xor(slot, what);
            let seen = if src {
                &mut self.src_set
            } else {
                &mut self.dst_set
            };
            let twice = *seen;
            *seen = true;
            if twice && !(is_range && ranged) {
                self.find(format!("a second test of {what} replaces the first one"));
            }
            if is_range {
                if src {
                    self.src_range = true;
                } else {
                    self.dst_range = true;
                }
            }
            if !s.bitwise && data.len() < (len as usize).min(alen) {
                self.find(format!(
                    "{what} is compared on fewer bytes than were loaded; iptables widens the prefix"
                ));
            }
            let mut addr = [0u8; 16];
            let l = data.len().min(alen);
            addr[..l].copy_from_slice(&data[..l]);
            let (a, m) = if src {
                (&mut self.cs.src, &mut self.cs.smsk)
            } else {
                (&mut self.cs.dst, &mut self.cs.dmsk)
            };
            a[..alen].copy_from_slice(&addr[..alen]);
            if s.bitwise {
                m[..alen].copy_from_slice(&s.mask[..alen]);
            } else {
                let l = (len as usize).min(alen);
                m[..l].fill(0xff);
            }
            if op == OP_NEQ {
                self.cs.invflags |= if src { INV_SRCIP } else { INV_DSTIP };
            }
            return;
        }
        if offset == proto_off {
            self.check_op(op, "the protocol");
            self.check_mask(slot, "the protocol");
            if self.proto_set {
                self.find("a second protocol test replaces the first one");
            }
            self.proto_set = true;
            self.cs.proto = data.first().copied().unwrap_or(0) as u16;
            if op == OP_NEQ {
                self.cs.invflags |= INV_PROTO;
            }
            if self.ctx.ipv6 {
                // iptables' ip6 reader falls through into the hop-limit case.
                self.find(
                    "`ip6 nexthdr` is also read as a hop-limit match on the same value \
                     (a missing `break` in iptables' ip6 reader)",
                );
                self.hl(slot, n);
            }
            return;
        }
        if !self.ctx.ipv6 && offset == 6 {
            let exact = len == 2
                && s.bitwise
                && s.mask[..2] == [0x1f, 0xff]
                && !s.xor_used
                && data.as_ref() == [0, 0]
                && (op == OP_EQ || op == OP_NEQ);
            if !exact {
                self.find("a test of the fragment field is read as `-f`");
            }
            self.cs.frag = true;
            if s.bitwise && op == OP_EQ {
                self.cs.invflags |= INV_FRAG;
            }
            return;
        }
        if offset == hl_off {
            self.hl(slot, n);
            return;
        }
        self.errmsg = Some("unknown payload offset".into());
    }

    /// `nft_parse_hl`.
    fn hl(&mut self, slot: usize, n: &NlExpr) {
        let data = n.value(CMP_DATA);
        let mut hl = value_u8(&data);
        let op = n.u32(CMP_OP);
        self.check_mask(slot, "the ttl/hop limit");
        let mode = match op {
            OP_NEQ => 1,
            OP_EQ => 0,
            OP_LT => 2,
            OP_GT => 3,
            OP_LTE => {
                if hl == 255 {
                    self.errmsg = Some("invalid ttl field match".into());
                    return;
                }
                hl += 1;
                2
            }
            OP_GTE => {
                if hl == 0 {
                    self.errmsg = Some("invalid ttl field match".into());
                    return;
                }
                hl -= 1;
                3
            }
            _ => {
                self.errmsg = Some("invalid ttl field match".into());
                return;
            }
        };
        self.cs.matches.push(MatchInfo::Ttl {
            v6: self.ctx.ipv6,
            mode,
            value: hl,
        });
    }

    fn l4proto(&self) -> u8 {
        self.cs.proto as u8
    }

    fn transport(&mut self, n: &NlExpr) {
        let proto = self.l4proto();
        let data = n.value(CMP_DATA);
        let len = data.len();
        let op = n.u32(CMP_OP);
        let Some(i) = self.sreg(n.u32(CMP_SREG)) else {
            return;
        };
        let s = self.regs[i];
        let Held::Payload { offset, .. } = s.held else {
            self.errmsg = Some("sgreg not payload".into());
            return;
        };
        match proto {
            IPPROTO_TCP | IPPROTO_UDP => {}
            IPPROTO_ICMP | IPPROTO_ICMPV6 => {
                self.icmp(i, offset, op, &data);
                return;
            }
            _ => {
                self.errmsg = Some("unsupported layer 4 protocol value".into());
                return;
            }
        }
        match (offset, len) {
            (0, 2) => {
                self.check_mask(i, "the source port");
                let port = value_u16_be(&data);
                self.port_ops(true, op);
                self.th_port(proto, Some(port), None, op);
            }
            (0, 4) => {
                self.check_mask(i, "the port pair");
                if op == OP_NEQ {
                    self.find("`(sport, dport) != (S, D)` is read as `sport != S and dport != D`");
                } else if op != OP_EQ {
                    self.find("a port pair compared as one number is read port by port");
                }
                self.port_ops(true, op);
                self.port_ops(false, op);
                let v = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
                self.th_port(proto, Some((v >> 16) as u16), Some((v & 0xffff) as u16), op);
            }
            (2, 2) => {
                self.check_mask(i, "the destination port");
                let port = value_u16_be(&data);
                self.port_ops(false, op);
                self.th_port(proto, None, Some(port), op);
            }
            (13, 1) if proto == IPPROTO_TCP => {
                let flags = data[0];
                let mask = if s.bitwise { s.mask[0] } else { 0xff };
                if op != OP_EQ && op != OP_NEQ {
                    self.find(format!(
                        "the TCP flags compared with `{}` are read as an exact match",
                        op_word(op)
                    ));
                }
                self.check_xor(i, "the TCP flags");
                self.with_tcp(|t| {
                    if let MatchInfo::Tcp {
                        flg_mask,
                        flg_cmp,
                        invflags,
                        ..
                    } = t
                    {
                        if op == OP_NEQ {
                            *invflags |= TCP_INV_FLAGS;
                        }
                        *flg_cmp = flags;
                        *flg_mask = mask;
                    }
                });
            }
            _ => self.find(format!(
                "a compare of {len} byte(s) at transport header + {offset} is skipped"
            )),
        }
    }

    fn port_ops(&mut self, src: bool, op: u32) {
        let ops = if src {
            &mut self.sport_ops
        } else {
            &mut self.dport_ops
        };
        let before = *ops;
        let ok = match op {
            OP_EQ | OP_NEQ => {
                let ok = !before.exact && !before.low && !before.high;
                ops.exact = true;
                ok
            }
            OP_GT | OP_GTE => {
                let ok = !before.exact && !before.low;
                ops.low = true;
                ok
            }
            OP_LT | OP_LTE => {
                let ok = !before.exact && !before.high;
                ops.high = true;
                ok
            }
            _ => false,
        };
        if !ok {
            self.find(if src {
                "a further source port test is merged into the first one"
            } else {
                "a further destination port test is merged into the first one"
            });
        }
    }

    /// The rule's tcp or udp match for a port/flag test, created on first
    /// use (per-release lookup rules).
    fn tcpudp_index(&mut self, tcp: bool) -> usize {
        let name = if tcp { "tcp" } else { "udp" };
        if self.ctx.version == IptVersion::V1_8_9 {
            if let Some(i) = self.tcpudp {
                if self.cs.matches[i].name() != name {
                    self.undefined("tcp and udp port tests in one rule share one match in 1.8.9");
                }
                return i;
            }
        } else if let Some(i) = self.cs.matches.iter().position(|m| m.name() == name) {
            if let MatchInfo::Compat { info, .. } = &self.cs.matches[i] {
                let converted = compat_ports(info, tcp);
                self.cs.matches[i] = converted;
            }
            return i;
        }
        self.cs.matches.push(if tcp {
            MatchInfo::new_tcp()
        } else {
            MatchInfo::new_udp()
        });
        let i = self.cs.matches.len() - 1;
        if self.ctx.version == IptVersion::V1_8_9 {
            self.tcpudp = Some(i);
        }
        i
    }

    fn with_tcp(&mut self, f: impl FnOnce(&mut MatchInfo)) {
        let i = self.tcpudp_index(true);
        f(&mut self.cs.matches[i]);
    }

    fn th_port(&mut self, proto: u8, sport: Option<u16>, dport: Option<u16>, op: u32) {
        let tcp = match proto {
            IPPROTO_TCP => true,
            IPPROTO_UDP => false,
            _ => {
                self.errmsg = Some("unknown layer 4 protocol for TH match".into());
                return;
            }
        };
        for port in [sport, dport] {
            let Some(p) = port else { continue };
            if (op == OP_LT && p <= 1) || (op == OP_GT && p == u16::MAX) {
                self.find("a port bound at the edge of the port range is read off by one");
            }
        }
        let i = self.tcpudp_index(tcp);
        let m = &mut self.cs.matches[i];
        let (spts, dpts, inv) = match m {
            MatchInfo::Tcp {
                spts,
                dpts,
                invflags,
                ..
            }
            | MatchInfo::Udp {
                spts,
                dpts,
                invflags,
            } => (spts, dpts, invflags),
            _ => return,
        };
        single_to_range(spts, inv, op, sport, PORT_INV_SRC);
        single_to_range(dpts, inv, op, dport, PORT_INV_DST);
    }

    fn icmp(&mut self, slot: usize, offset: u32, op: u32, data: &[u8]) {
        if op != OP_EQ {
            self.find(format!(
                "the ICMP test with `{}` is read as an exact match",
                op_word(op)
            ));
        }
        self.check_mask(slot, "the ICMP field");
        let mut ty = 0xffu8;
        let mut code = [0u8, 0xff];
        if data.is_empty() {
            self.errmsg = Some("unexpected RHS data length".into());
            return;
        }
        let mut d = data;
        match offset {
            0 => {
                ty = d[0];
                if d.len() > 1 {
                    d = &d[1..];
                    if d.len() > 1 {
                        self.errmsg = Some("unexpected RHS data length".into());
                        return;
                    }
                    code = [d[0], d[0]];
                }
            }
            1 => {
                if d.len() > 1 {
                    self.errmsg = Some("unexpected RHS data length".into());
                    return;
                }
                code = [d[0], d[0]];
            }
            _ => {
                self.errmsg = Some("unexpected payload offset".into());
                return;
            }
        }
        if self.ctx.ipv6 && ty == 0xff {
            self.errmsg = Some("icmp6 code with any type match not supported".into());
            return;
        }
        if !self.ctx.ipv6 && ty == 0xff && self.ctx.version == IptVersion::V1_8_9 {
            self.find("an ICMP code test without a type is printed as `--icmp-type any`");
        }
        self.cs.matches.push(MatchInfo::Icmp {
            v6: self.ctx.ipv6,
            ty,
            code,
            invflags: 0,
        });
    }

    fn range(&mut self, n: &NlExpr) {
        let reg = n.u32(RANGE_SREG);
        let Some(i) = self.sreg(reg) else {
            self.undefined(
                "a range on a register iptables does not know makes it dereference NULL",
            );
            return;
        };
        let s = self.regs[i];
        match s.held {
            Held::Undef => self.errmsg = Some("range sreg undef".into()),
            Held::Payload {
                base: BASE_TRANSPORT,
                offset,
                ..
            } => {
                self.note_stale(i);
                self.transport_range(i, offset, n);
            }
            Held::Payload { .. } => {
                self.errmsg = Some("range with unknown payload base".into());
            }
            _ => self.errmsg = Some("range sreg type unsupported".into()),
        }
    }

    fn transport_range(&mut self, slot: usize, offset: u32, n: &NlExpr) {
        let proto = self.l4proto();
        let from = n.value(RANGE_FROM);
        if from.len() != 2 {
            self.find("a range on a field that is not 2 bytes long is skipped");
            return;
        }
        let op = n.u32(RANGE_OP);
        let lo = value_u16_be(&from);
        let hi = value_u16_be(&n.value(RANGE_TO));
        let tcp = match proto {
            IPPROTO_TCP => true,
            IPPROTO_UDP => false,
            _ => {
                self.find("a port range without a tcp/udp protocol test is skipped");
                return;
            }
        };
        let src = match offset {
            0 => true,
            2 => false,
            _ => {
                self.find(format!("a range at transport header + {offset} is skipped"));
                return;
            }
        };
        self.check_mask(slot, "the port");
        if op != OP_EQ && op != OP_NEQ {
            self.find("a range with an unknown operator is skipped");
        }
        self.port_ops(src, OP_EQ);
        let i = self.tcpudp_index(tcp);
        if let MatchInfo::Tcp {
            spts,
            dpts,
            invflags,
            ..
        }
        | MatchInfo::Udp {
            spts,
            dpts,
            invflags,
        } = &mut self.cs.matches[i]
        {
            let (pts, bit) = if src {
                (spts, PORT_INV_SRC)
            } else {
                (dpts, PORT_INV_DST)
            };
            match op {
                OP_NEQ => {
                    *invflags |= bit;
                    *pts = [lo, hi];
                }
                OP_EQ => *pts = [lo, hi],
                _ => {}
            }
        }
    }

    fn immediate(&mut self, n: &NlExpr) {
        match n.data(IMM_DATA) {
            Some(DataReg::Value(v)) => {
                let Some(i) = self.dreg(n.u32(IMM_DREG)) else {
                    return;
                };
                if v.len() > 16 {
                    self.errmsg = Some("oversized immediate data".into());
                    return;
                }
                let mut data = [0u8; 16];
                data[..v.len()].copy_from_slice(&v);
                self.regs[i].held = Held::Immediate { data };
            }
            Some(DataReg::Verdict { code, chain }) => self.verdict(code, chain),
            None => {
                // No data at all: libnftnl reads verdict 0, i.e. DROP.
                self.find("an immediate without data is read as DROP");
                self.verdict(NF_DROP, None);
            }
        }
    }

    fn verdict(&mut self, code: i32, chain: Option<String>) {
        let name = match code {
            NF_ACCEPT => {
                if self.ctx.version >= IptVersion::V1_8_10
                    && !self.cs.jumpto.is_empty()
                    && self.ctx.table == "broute"
                {
                    return;
                }
                "ACCEPT"
            }
            NF_DROP => "DROP",
            NFT_RETURN => "RETURN",
            NFT_GOTO | NFT_JUMP if chain.is_none() => {
                self.undefined(
                    "libnftnl cannot parse a jump/goto without a chain; iptables drops the whole rule from its view",
                );
                return;
            }
            NFT_GOTO | NFT_JUMP => {
                if code == NFT_GOTO {
                    self.cs.goto = true;
                }
                if !self.cs.jumpto.is_empty() {
                    self.find("a second verdict replaces the first one");
                }
                self.cs.jumpto = chain.unwrap_or_default();
                return;
            }
            NFT_CONTINUE => return,
            // NF_QUEUE and NFT_BREAK: libnftnl accepts them, iptables has no name for them.
            3 | -2 => {
                self.find(format!(
                    "the verdict `{}` is dropped",
                    crate::data::VerdictCode::from_value(code).keyword()
                ));
                return;
            }
            other => {
                self.undefined(format!(
                    "libnftnl cannot parse verdict code {other}; iptables drops the whole rule from its view"
                ));
                return;
            }
        };
        if !self.cs.jumpto.is_empty() {
            self.find("a second verdict replaces the first one");
        }
        self.cs.target = Some(TargetInfo::Standard);
        self.cs.jumpto = name.into();
    }

    fn xt_match(&mut self, n: &NlExpr) {
        let name = n.str(XT_NAME).unwrap_or_default();
        if !extension_known(&name, self.ctx.ipv6) {
            self.errmsg = Some("match extension not found".into());
            return;
        }
        self.cs.matches.push(MatchInfo::Compat {
            name,
            rev: n.u32(XT_REV),
            info: n.raw(XT_INFO).cloned().unwrap_or_default(),
        });
    }

    fn xt_target(&mut self, n: &NlExpr) {
        let name = n.str(XT_NAME).unwrap_or_default();
        if !extension_known(&name, self.ctx.ipv6) {
            self.errmsg = Some("target extension not found".into());
            return;
        }
        let t = TargetInfo::Compat {
            name: name.clone(),
            rev: n.u32(XT_REV),
            info: n.raw(XT_INFO).cloned().unwrap_or_default(),
        };
        self.set_target(t, &name);
    }

    fn limit(&mut self, n: &NlExpr) {
        let rate = n.u64(LIMIT_RATE);
        let unit = n.u64(LIMIT_UNIT);
        if n.u32(LIMIT_TYPE) != 0 {
            self.find("a byte rate limit is read as a packet rate limit");
        }
        if n.u32(LIMIT_FLAGS) != 0 {
            self.find("an inverted (`over`) limit is read as a plain limit");
        }
        if rate == 0 {
            self.undefined("a limit with rate 0 makes iptables divide by zero");
            return;
        }
        let avg = (LIMIT_SCALE.wrapping_mul(unit) / rate) as u32;
        self.cs.matches.push(MatchInfo::Limit {
            avg,
            burst: n.u32(LIMIT_BURST),
        });
    }

    fn log(&mut self, n: &NlExpr) {
        if !n.is_set(LOG_GROUP) {
            self.find("syslog logging (`log` without group) is read as `-j NFLOG` to group 0");
        }
        let (len, flags) = if n.is_set(LOG_SNAPLEN) {
            (n.u32(LOG_SNAPLEN), 1)
        } else {
            (0, 0)
        };
        let mut prefix = n.str(LOG_PREFIX).unwrap_or_default();
        while prefix.len() > LOG_PREFIXLEN - 1 {
            prefix.pop();
        }
        let t = TargetInfo::Nflog {
            len,
            group: n.u16(LOG_GROUP),
            threshold: n.u16(LOG_QTHRESHOLD),
            flags,
            prefix,
        };
        self.set_target(t, "NFLOG");
    }

    fn lookup(&mut self, n: &NlExpr) {
        let set = n.str(LOOKUP_SET).unwrap_or_default();
        let named = if set.contains('%') || set.starts_with("__") {
            "an anonymous set".to_string()
        } else {
            format!("set @{set}")
        };
        let inverted = n.u32(LOOKUP_FLAGS) & 1 != 0;
        if n.is_set(LOOKUP_DREG) {
            let dreg = n.u32(LOOKUP_DREG);
            if dreg == 0 {
                self.find(format!(
                    "the verdict map ({named}) is dropped, so is its verdict"
                ));
            } else {
                self.find(format!("the map lookup ({named}) is dropped"));
                if let Some(i) = self.sreg_quiet(dreg) {
                    self.regs[i].stale = Some(self.cur);
                }
            }
        } else {
            self.find(format!(
                "the {}lookup in {named} is dropped: iptables shows the rule without this match",
                if inverted { "negated " } else { "" }
            ));
        }
    }

    /// The slot for a register without recording an error (diagnosis).
    fn sreg_quiet(&self, reg: u32) -> Option<usize> {
        match reg {
            0 => Some(0),
            1 => Some(1),
            2 => Some(5),
            3 => Some(9),
            4 => Some(13),
            8..=23 => Some((reg - 8) as usize),
            _ => None,
        }
    }

    fn skipped(&mut self, name: &str, n: &NlExpr) {
        if name == "last" {
            return;
        }
        if let Some((dreg_attr, store_attr)) = load_only(name) {
            let is_store = store_attr.is_some_and(|a| n.is_set(a));
            if !is_store {
                if let Some(i) = self.sreg_quiet(n.u32(dreg_attr)) {
                    self.regs[i].stale = Some(self.cur);
                }
                return;
            }
        }
        self.find(format!(
            "`{name}` is skipped: iptables reads the rule as if it were not there"
        ));
    }

    /// `get_comment`: the first well-formed comment TLV in nft's userdata.
    fn comment(&mut self, u: &[u8]) -> Option<String> {
        let mut found: Option<&[u8]> = None;
        let mut pos = 0usize;
        while pos < u.len() {
            let ty = u[pos];
            let Some(&len) = u.get(pos + 1) else {
                self.undefined("rule userdata ends inside a TLV header");
                break;
            };
            let len = len as usize;
            if ty == 0 {
                let Some(v) = u.get(pos + 2..pos + 2 + len).filter(|v| !v.is_empty()) else {
                    self.undefined("a comment TLV runs past the end of the rule userdata");
                    break;
                };
                if v[len - 1] != 0 {
                    return None;
                }
                found = Some(v);
            }
            pos += 2 + len;
        }
        let v = found?;
        let mut s = ifname_str(v);
        while s.len() > COMMENT_LEN - 1 {
            s.pop();
        }
        Some(s)
    }
}

/// `port_match_single_to_range`.
fn single_to_range(ports: &mut [u16; 2], inv: &mut u8, op: u32, port: Option<u16>, bit: u8) {
    let Some(p) = port else { return };
    match op {
        OP_NEQ => {
            *inv |= bit;
            *ports = [p, p];
        }
        OP_EQ => *ports = [p, p],
        OP_LT => ports[1] = p.saturating_sub(1).max(1),
        OP_LTE => ports[1] = p,
        OP_GT => ports[0] = p.saturating_add(1),
        OP_GTE => ports[0] = p,
        _ => {}
    }
}

/// An xt `tcp`/`udp` info blob (host byte order) as the native match type.
fn compat_ports(info: &[u8], tcp: bool) -> MatchInfo {
    let u = |i: usize| -> u16 {
        info.get(i..i + 2)
            .map(|b| u16::from_ne_bytes([b[0], b[1]]))
            .unwrap_or(0)
    };
    let b = |i: usize| info.get(i).copied().unwrap_or(0);
    if tcp {
        MatchInfo::Tcp {
            spts: [u(0), u(2)],
            dpts: [u(4), u(6)],
            option: b(8),
            flg_mask: b(9),
            flg_cmp: b(10),
            invflags: b(11),
        }
    } else {
        MatchInfo::Udp {
            spts: [u(0), u(2)],
            dpts: [u(4), u(6)],
            invflags: b(8),
        }
    }
}
