//! arptables' command line: `do_parse` of xshared.c with the ARP family's
//! option table (`xtables-arp.c`), intrapositioned `!`, and
//! `nft_arp_post_parse`. Commands and their bits are iptables' own.

use crate::getopt::{Getopt, HasArg, LongOpt, Val};
use crate::parse::cmd;
use crate::xfam::args::{self, add_command, has_arg, intrapositioned, long_opt as o, rulenumber};
use nftwire::arptables::rule::{ArpRule, ArpVerdict, Field16, Ip4Mask, MacMask};
use nftwire::arptables::target::{self, ArpTarget};
use nftwire::iptables::addr;
use nftwire::iptables::num;
use nftwire::iptables::rule::Iface;
use nftwire::iptables::{Family, IptError, Result};

/// `-:A:C:...` of `ARPT_OPTSTRING`, after the leading `-:`.
const OPTSTRING: &str = "A:C:D:E:F::I:L::M:N:P:R:S::VX::Z::c:d:i:j:o:p:s:t:vh::l:nx";

// arptables' private option codes, as characters.
const SRC_MAC: char = '\u{2}';
const DST_MAC: char = '\u{3}';
const OPCODE: char = '\u{4}';
const HTYPE: char = '\u{5}';
const PTYPE: char = '\u{6}';
const PLEN: char = '\u{8}';

/// `original_opts` of xtables-arp.c.
const OPTS: &[LongOpt] = &[
    o("append", HasArg::Required, 'A'),
    o("delete", HasArg::Required, 'D'),
    o("check", HasArg::Required, 'C'),
    o("insert", HasArg::Required, 'I'),
    o("replace", HasArg::Required, 'R'),
    o("list", HasArg::Optional, 'L'),
    o("list-rules", HasArg::Optional, 'S'),
    o("flush", HasArg::Optional, 'F'),
    o("zero", HasArg::Optional, 'Z'),
    o("new-chain", HasArg::Required, 'N'),
    o("delete-chain", HasArg::Optional, 'X'),
    o("rename-chain", HasArg::Required, 'E'),
    o("policy", HasArg::Required, 'P'),
    o("source-ip", HasArg::Required, 's'),
    o("destination-ip", HasArg::Required, 'd'),
    o("src-ip", HasArg::Required, 's'),
    o("dst-ip", HasArg::Required, 'd'),
    o("source-mac", HasArg::Required, SRC_MAC),
    o("destination-mac", HasArg::Required, DST_MAC),
    o("src-mac", HasArg::Required, SRC_MAC),
    o("dst-mac", HasArg::Required, DST_MAC),
    o("h-length", HasArg::Required, 'l'),
    o("p-length", HasArg::Required, PLEN),
    o("opcode", HasArg::Required, OPCODE),
    o("h-type", HasArg::Required, HTYPE),
    o("proto-type", HasArg::Required, PTYPE),
    o("in-interface", HasArg::Required, 'i'),
    o("jump", HasArg::Required, 'j'),
    o("table", HasArg::Required, 't'),
    o("match", HasArg::Required, 'm'),
    o("numeric", HasArg::No, 'n'),
    o("out-interface", HasArg::Required, 'o'),
    o("verbose", HasArg::No, 'v'),
    o("exact", HasArg::No, 'x'),
    o("version", HasArg::No, 'V'),
    o("help", HasArg::Optional, 'h'),
    o("line-numbers", HasArg::No, '0'),
    o("modprobe", HasArg::Required, 'M'),
    o("set-counters", HasArg::Required, 'c'),
];

/// Options (`OPT_*` of xshared.h, the ones arptables uses).
pub mod opt {
    pub const NUMERIC: u32 = 1 << 0;
    pub const SOURCE: u32 = 1 << 1;
    pub const DESTINATION: u32 = 1 << 2;
    pub const PROTOCOL: u32 = 1 << 3;
    pub const JUMP: u32 = 1 << 4;
    pub const VERBOSE: u32 = 1 << 5;
    pub const EXPANDED: u32 = 1 << 6;
    pub const VIANAMEIN: u32 = 1 << 7;
    pub const VIANAMEOUT: u32 = 1 << 8;
    pub const LINENUMBERS: u32 = 1 << 9;
    pub const COUNTERS: u32 = 1 << 10;
    pub const S_MAC: u32 = 1 << 12;
    pub const D_MAC: u32 = 1 << 13;
    pub const H_LENGTH: u32 = 1 << 14;
    pub const OPCODE: u32 = 1 << 15;
    pub const H_TYPE: u32 = 1 << 16;
    pub const P_TYPE: u32 = 1 << 17;
}

fn option_name(o: u32) -> &'static str {
    match o {
        opt::NUMERIC => "--numeric",
        opt::SOURCE => "--source-ip",
        opt::DESTINATION => "--destination-ip",
        opt::PROTOCOL => "--protocol",
        opt::JUMP => "--jump",
        opt::VERBOSE => "--verbose",
        opt::EXPANDED => "--exact",
        opt::VIANAMEIN => "--in-interface",
        opt::VIANAMEOUT => "--out-interface",
        opt::LINENUMBERS => "--line-numbers",
        opt::COUNTERS => "--set-counters",
        opt::S_MAC => "--source-mac",
        opt::D_MAC => "--destination-mac",
        opt::H_LENGTH => "--h-length",
        opt::OPCODE => "--opcode",
        opt::H_TYPE => "--h-type",
        opt::P_TYPE => "--proto-type",
        _ => "unknown option",
    }
}

/// A parsed arptables command line.
#[derive(Clone, Debug, Default)]
pub struct ArpParsed {
    /// `CMD_*` bits (iptables' values).
    pub command: u32,
    /// `OPT_*` bits.
    pub options: u32,
    /// Chain.
    pub chain: Option<String>,
    /// Rule number.
    pub rulenum: i64,
    /// `-E` new name.
    pub newname: Option<String>,
    /// `-P` policy.
    pub policy: Option<String>,
    /// Table.
    pub table: String,
    /// The rules (one per source/destination pair).
    pub rules: Vec<ArpRule>,
    /// Text for stdout instead of a command (`-V`, `-h`).
    pub stdout: Option<String>,
}

fn set_option(options: &mut u32, o: u32, invert: bool) -> Result<()> {
    if *options & o != 0 {
        return Err(IptError::param(format!(
            "multiple {} options not allowed",
            option_name(o)
        )));
    }
    *options |= o;
    let invertible = opt::SOURCE
        | opt::DESTINATION
        | opt::PROTOCOL
        | opt::VIANAMEIN
        | opt::VIANAMEOUT
        | opt::S_MAC
        | opt::D_MAC
        | opt::H_LENGTH
        | opt::OPCODE
        | opt::H_TYPE
        | opt::P_TYPE;
    if invert && o & invertible == 0 {
        return Err(IptError::param(format!(
            "cannot have ! before {}",
            option_name(o)
        )));
    }
    Ok(())
}

/// `getlength_and_mask`/`get16_and_mask`: `V[/M]` in `base`.
fn val_mask(s: &str, base: u32, max: u64) -> Option<(u64, u64)> {
    let one = |t: &str| {
        let (v, n) = num::c_strtoul(t, base);
        (n == t.len() && !t.starts_with('-') && v <= max).then_some(v)
    };
    match s.rsplit_once('/') {
        Some((v, m)) => Some((one(v)?, one(m)?)),
        None => Some((one(s)?, max)),
    }
}

/// `xtables_parse_mac_and_mask` as arptables' MAC test.
fn mac_and_mask(s: &str) -> Option<MacMask> {
    args::mac_and_mask(s).map(|(addr, mask)| MacMask { addr, mask })
}

/// Parse an arptables command line (`args[0]` is the program name).
pub fn parse(args: Vec<String>, restore: bool, prog: &str) -> Result<ArpParsed> {
    let mut p = ArpParsed {
        table: "filter".into(),
        ..Default::default()
    };
    let mut g = Getopt::new(args);
    let mut invert = false;
    let mut table_set = false;
    let mut r = ArpRule::default();
    let (mut shost, mut dhost) = (None::<String>, None::<String>);
    let (mut src_mac, mut dst_mac) = (None::<String>, None::<String>);
    let (mut hlen, mut opcode, mut htype, mut ptype) = (None, None, None, None);
    let mut jumpto = String::new();
    let mut tgt: Option<(ArpTarget, Vec<(String, String)>)> = None;
    let mut ext: Vec<LongOpt> = Vec::new();
    let mut counters = (0u64, 0u64);
    while let Some((val, mut optarg)) =
        args::next_option(&mut g, OPTSTRING, &[OPTS, &ext], &mut invert)?
    {
        let c = match val {
            Val::Base(c) => c,
            Val::Ext { opt: i, .. } => {
                intrapositioned(&mut optarg, &mut invert, &mut g)?;
                if let Some((_, given)) = tgt.as_mut() {
                    let name = target::options(given_name(&jumpto))[i];
                    given.push((name.to_string(), optarg.unwrap_or_default()));
                }
                invert = false;
                continue;
            }
        };
        match c {
            'A' | 'C' => {
                let c0 = if c == 'A' { cmd::APPEND } else { cmd::CHECK };
                add_command(&mut p.command, c0, 0, invert)?;
                p.chain = optarg;
            }
            'D' => {
                add_command(&mut p.command, cmd::DELETE, 0, invert)?;
                p.chain = optarg;
                if has_arg(&g) {
                    let a = g.args[g.optind].clone();
                    g.optind += 1;
                    if a.contains(':') {
                        return Err(IptError::param("Rule ranges are not supported"));
                    }
                    let (v, n) = num::c_strtoul(&a, 10);
                    if n != a.len() || v == 0 {
                        return Err(IptError::param(format!("Invalid rule number `{a}'")));
                    }
                    p.rulenum = v as i64;
                    p.command = cmd::DELETE_NUM;
                }
            }
            'R' | 'I' => {
                let c0 = if c == 'R' { cmd::REPLACE } else { cmd::INSERT };
                add_command(&mut p.command, c0, 0, invert)?;
                p.chain = optarg;
                if has_arg(&g) {
                    let a = g.args[g.optind].clone();
                    g.optind += 1;
                    p.rulenum = rulenumber(&a)?;
                } else if c == 'R' {
                    return Err(IptError::param("-R requires a rule number"));
                } else {
                    p.rulenum = 1;
                }
            }
            'L' | 'S' | 'F' | 'X' | 'Z' => args::list_like(
                c,
                (&mut p.command, &mut p.chain, &mut p.rulenum),
                optarg,
                &mut g,
                invert,
            )?,
            'N' | 'E' => {
                let names = (&mut p.command, &mut p.chain, &mut p.newname);
                args::new_or_rename(c, names, optarg, (&mut g, invert), valid_chain_name)?
            }
            'P' => {
                add_command(&mut p.command, cmd::SET_POLICY, 0, invert)?;
                if !has_arg(&g) {
                    return Err(IptError::param("-P requires a chain and a policy"));
                }
                p.chain = optarg;
                p.policy = Some(g.args[g.optind].clone());
                g.optind += 1;
            }
            'h' => {
                p.stdout = Some(format!(
                    "{prog} v{}\n\nUsage: {prog} -[ACD] chain rule-specification [options]\n",
                    nftwire::iptables::VERSION_STRING
                ));
                return Ok(p);
            }
            'V' => {
                p.stdout = Some(args::version(prog, invert));
                return Ok(p);
            }
            'p' => {
                intrapositioned(&mut optarg, &mut invert, &mut g)?;
                set_option(&mut p.options, opt::PROTOCOL, invert)?;
            }
            's' | 'd' | SRC_MAC | DST_MAC | 'l' | OPCODE | HTYPE | PTYPE => {
                intrapositioned(&mut optarg, &mut invert, &mut g)?;
                let (o, slot) = match c {
                    's' => (opt::SOURCE, &mut shost),
                    'd' => (opt::DESTINATION, &mut dhost),
                    SRC_MAC => (opt::S_MAC, &mut src_mac),
                    DST_MAC => (opt::D_MAC, &mut dst_mac),
                    'l' => (opt::H_LENGTH, &mut hlen),
                    OPCODE => (opt::OPCODE, &mut opcode),
                    HTYPE => (opt::H_TYPE, &mut htype),
                    _ => (opt::P_TYPE, &mut ptype),
                };
                set_option(&mut p.options, o, invert)?;
                *slot = optarg;
                match c {
                    's' => r.inv.src = invert,
                    'd' => r.inv.dst = invert,
                    SRC_MAC => r.inv.src_mac = invert,
                    DST_MAC => r.inv.dst_mac = invert,
                    'l' => r.inv.hlen = invert,
                    OPCODE => r.inv.op = invert,
                    HTYPE => r.inv.htype = invert,
                    _ => r.inv.ptype = invert,
                }
            }
            PLEN => return Err(IptError::param("not supported")),
            'j' => {
                set_option(&mut p.options, opt::JUMP, invert)?;
                let a = optarg.unwrap_or_default();
                if a != "CONTINUE" {
                    jumpto = args::target_name(&a)?;
                    if let Some(t) = ArpTarget::load(&jumpto) {
                        ext = target::options(&jumpto)
                            .iter()
                            .enumerate()
                            .map(|(i, n)| LongOpt {
                                name: n,
                                has_arg: HasArg::Required,
                                val: Val::Ext { ext: 0, opt: i },
                            })
                            .collect();
                        tgt = Some((t, Vec::new()));
                    }
                }
            }
            'i' | 'o' => {
                let a = optarg.clone().unwrap_or_default();
                if a.is_empty() {
                    eprint!("Empty interface is likely to be undesired");
                }
                intrapositioned(&mut optarg, &mut invert, &mut g)?;
                let a = optarg.unwrap_or_default();
                let o = if c == 'i' {
                    opt::VIANAMEIN
                } else {
                    opt::VIANAMEOUT
                };
                set_option(&mut p.options, o, invert)?;
                if a.len() >= 16 {
                    return Err(IptError::param(format!(
                        "interface name `{a}' must be shorter than 16 characters"
                    )));
                }
                if a.contains('/') || a.contains(' ') {
                    eprintln!(
                        "Warning: weird character in interface `{a}' ('/' and ' ' are not allowed by the kernel)."
                    );
                }
                let i = Iface {
                    name: a,
                    inv: invert,
                };
                if c == 'i' {
                    r.iniface = i;
                } else {
                    r.outiface = i;
                }
            }
            'v' => {
                if p.options & opt::VERBOSE == 0 {
                    set_option(&mut p.options, opt::VERBOSE, invert)?;
                }
            }
            'm' => {
                let a = optarg.unwrap_or_default();
                return Err(IptError::param(format!(
                    "Couldn't load match `{a}':No such file or directory\n"
                )));
            }
            'n' => set_option(&mut p.options, opt::NUMERIC, invert)?,
            'x' => set_option(&mut p.options, opt::EXPANDED, invert)?,
            '0' => set_option(&mut p.options, opt::LINENUMBERS, invert)?,
            't' => {
                if invert {
                    return Err(IptError::param("unexpected ! flag before --table"));
                }
                if restore && table_set {
                    return Err(IptError::param(format!(
                        "The -t option cannot be used in {prog}.\n"
                    )));
                }
                p.table = optarg.unwrap_or_default();
                table_set = true;
            }
            'M' => {}
            'c' => {
                set_option(&mut p.options, opt::COUNTERS, invert)?;
                counters = args::set_counters(&optarg.unwrap_or_default(), &mut g)?;
            }
            _ => return Err(IptError::param(format!("unknown option \"-{c}\""))),
        }
        invert = false;
    }
    if g.optind < g.args.len() {
        return Err(IptError::param("unknown arguments found on commandline"));
    }
    if p.command == 0 {
        return Err(IptError::param("no command specified"));
    }
    if invert {
        return Err(IptError::param("nothing appropriate following !"));
    }
    post_parse(
        &mut p,
        r,
        [shost, dhost],
        [src_mac, dst_mac],
        [hlen, opcode, htype, ptype],
        jumpto,
        tgt,
        counters,
    )?;
    generic_opt_check(&p)?;
    if let Some(c) = &p.chain {
        if c.len() >= 29 {
            return Err(IptError::param(format!(
                "chain name `{c}' too long (must be under 29 chars)"
            )));
        }
    }
    let rulecmd = [
        cmd::APPEND,
        cmd::DELETE,
        cmd::CHECK,
        cmd::INSERT,
        cmd::REPLACE,
    ];
    if rulecmd.contains(&p.command) {
        let chain = p.chain.as_deref().unwrap_or("");
        if chain == "INPUT" && p.options & opt::VIANAMEOUT != 0 {
            return Err(IptError::param("Can't use --out-interface with INPUT"));
        }
        if chain == "OUTPUT" && p.options & opt::VIANAMEIN != 0 {
            return Err(IptError::param("Can't use --in-interface with OUTPUT"));
        }
    }
    Ok(p)
}

fn given_name(jumpto: &str) -> &str {
    jumpto
}

/// `assert_valid_chain_name` with arptables' targets.
pub fn valid_chain_name(name: &str) -> Result<()> {
    args::valid_chain_name(name, |n| {
        ArpTarget::load(n).is_some() || matches!(n, "ACCEPT" | "DROP" | "QUEUE" | "RETURN")
    })
}

/// `generic_opt_check` with the ARP options.
fn generic_opt_check(p: &ArpParsed) -> Result<()> {
    let rule = cmd::INSERT | cmd::DELETE | cmd::REPLACE | cmd::APPEND | cmd::CHECK;
    for i in 0..18 {
        let o = 1u32 << i;
        if p.options & o == 0 {
            continue;
        }
        let allowed = match o {
            opt::NUMERIC | opt::EXPANDED | opt::LINENUMBERS => cmd::LIST,
            opt::VERBOSE => u32::MAX,
            opt::COUNTERS => cmd::INSERT | cmd::REPLACE | cmd::APPEND | cmd::SET_POLICY,
            _ => rule,
        };
        if allowed & p.command != p.command {
            return Err(IptError::param(format!(
                "Illegal option `{}' with this command",
                option_name(o)
            )));
        }
    }
    Ok(())
}

/// `nft_arp_post_parse` and the rule (one per address pair).
#[allow(clippy::too_many_arguments)]
fn post_parse(
    p: &mut ArpParsed,
    mut r: ArpRule,
    hosts: [Option<String>; 2],
    macs: [Option<String>; 2],
    fields: [Option<String>; 4],
    jumpto: String,
    tgt: Option<(ArpTarget, Vec<(String, String)>)>,
    counters: (u64, u64),
) -> Result<()> {
    let rulecmd = cmd::REPLACE | cmd::INSERT | cmd::DELETE | cmd::APPEND | cmd::CHECK;
    let any = "0.0.0.0/0".to_string();
    let [shost, dhost] = hosts;
    let (shost, dhost) = if p.command & rulecmd != 0 {
        (
            Some(shost.unwrap_or(any.clone())),
            Some(dhost.unwrap_or(any)),
        )
    } else {
        (shost, dhost)
    };
    let s = match &shost {
        Some(h) => addr::parse_multiple(Family::V4, h)?,
        None => Vec::new(),
    };
    let d = match &dhost {
        Some(h) => addr::parse_multiple(Family::V4, h)?,
        None => Vec::new(),
    };
    if (s.len() > 1 || d.len() > 1) && (r.inv.src || r.inv.dst) {
        return Err(IptError::param(
            "! not allowed with multiple source or destination IP addresses",
        ));
    }
    let [smac, dmac] = macs;
    if let Some(m) = smac {
        r.src_mac =
            mac_and_mask(&m).ok_or_else(|| IptError::param("Problem with specified source mac"))?;
    }
    if let Some(m) = dmac {
        r.dst_mac = mac_and_mask(&m)
            .ok_or_else(|| IptError::param("Problem with specified destination mac"))?;
    }
    let [hlen, opcode, htype, ptype] = fields;
    if let Some(h) = hlen {
        // 1.8.11 ignores a malformed value here (and so keeps 6/255).
        if let Some((v, m)) = val_mask(&h, 10, 255) {
            r.hlen = (v as u8, m as u8);
        }
        if r.hlen.0 != 6 {
            return Err(IptError::param(
                "Only hardware address length of 6 is supported currently.",
            ));
        }
    }
    let f16 = |v: (u64, u64)| Field16 {
        val: v.0 as u16,
        mask: v.1 as u16,
    };
    if let Some(o) = opcode {
        r.op = match val_mask(&o, 10, 0xffff) {
            Some(v) => f16(v),
            None => {
                let i = nftwire::arptables::text::OPCODES
                    .iter()
                    .position(|n| n.eq_ignore_ascii_case(&o))
                    .ok_or_else(|| IptError::param("Problem with specified opcode"))?;
                Field16 {
                    val: i as u16 + 1,
                    mask: r.op.mask,
                }
            }
        };
    }
    if let Some(h) = htype {
        r.htype = match val_mask(&h, 16, 0xffff) {
            Some(v) => f16(v),
            None if h.eq_ignore_ascii_case("Ethernet") => Field16 {
                val: 1,
                mask: r.htype.mask,
            },
            None => return Err(IptError::param("Problem with specified hardware type")),
        };
    }
    if let Some(t) = ptype {
        r.ptype = match val_mask(&t, 0, 0xffff) {
            Some(v) => f16(v),
            None if t.eq_ignore_ascii_case("ipv4") => Field16 {
                val: 0x800,
                mask: r.ptype.mask,
            },
            None => return Err(IptError::param("Problem with specified protocol type")),
        };
    }
    r.verdict = match (tgt, jumpto.as_str()) {
        (Some((mut t, given)), _) => {
            for (o, a) in &given {
                // The target sees the rule as initialised (length 6/255), not
                // the parsed header options, as in 1.8.11.
                t.parse(o, a, (6, 255, false))?;
            }
            t.check(given.len())?;
            ArpVerdict::Target(t)
        }
        (None, "") => ArpVerdict::None,
        (None, "ACCEPT") => ArpVerdict::Accept,
        (None, "DROP") => ArpVerdict::Drop,
        (None, "RETURN") => ArpVerdict::Return,
        (None, j) => ArpVerdict::Jump(j.to_string()),
    };
    (r.packets, r.bytes) = counters;
    if p.command & rulecmd != 0 {
        for a in &s {
            for b in &d {
                let mut x = r.clone();
                x.src = ip4(a);
                x.dst = ip4(b);
                p.rules.push(x);
            }
        }
    }
    Ok(())
}

fn ip4(a: &addr::AddrMask) -> Ip4Mask {
    let mut m = Ip4Mask::default();
    m.addr.copy_from_slice(&a.addr[..4]);
    m.mask.copy_from_slice(&a.mask[..4]);
    m
}
