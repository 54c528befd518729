//! ebtables' command line: `do_parse` of xshared.c for the bridge family
//! (`ebt_original_options`, every match and watcher option loaded up
//! front as `ebt_load_match_extensions` does, intrapositioned `!`) and
//! `nft_bridge_post_parse`.

use crate::getopt::{Getopt, HasArg, LongOpt, Val};
use crate::parse::cmd;
use crate::xfam::args::{self, add_command, has_arg, intrapositioned, long_opt as o, rulenumber};
use nftwire::ebtables::ethertypes;
use nftwire::ebtables::ext::{Ext, Mac, MarkTarget, NatKind, NatTarget, OPTIONS};
use nftwire::ebtables::rule::{EbtRule, EbtVerdict, Proto};
use nftwire::iptables::num;
use nftwire::iptables::rule::Iface;
use nftwire::iptables::{IptError, Result};

/// `EBT_OPTSTRING` after the leading `-:`.
const OPTSTRING: &str = "A:C:D:E:F::I:L::M:N:P:R:S::VX::Z::c:d:i:j:o:p:s:t:vh";

const INIT_TABLE: char = '\u{b}';
const LMAC2: char = '\u{c}';
const CONCURRENT: char = '\u{d}';
const CHECK: char = '\u{e}';
const LOGICAL_IN: char = '\u{f}';
const LOGICAL_OUT: char = '\u{10}';
const LC: char = '\u{11}';
const LN: char = '\u{12}';
const LX: char = '\u{13}';

/// `ebt_original_options`.
const OPTS: &[LongOpt] = &[
    o("append", HasArg::Required, 'A'),
    o("insert", HasArg::Required, 'I'),
    o("delete", HasArg::Required, 'D'),
    o("list", HasArg::Optional, 'L'),
    o("Lc", HasArg::No, LC),
    o("Ln", HasArg::No, LN),
    o("Lx", HasArg::No, LX),
    o("Lmac2", HasArg::No, LMAC2),
    o("zero", HasArg::Optional, 'Z'),
    o("flush", HasArg::Optional, 'F'),
    o("policy", HasArg::Required, 'P'),
    o("in-interface", HasArg::Required, 'i'),
    o("in-if", HasArg::Required, 'i'),
    o("logical-in", HasArg::Required, LOGICAL_IN),
    o("logical-out", HasArg::Required, LOGICAL_OUT),
    o("out-interface", HasArg::Required, 'o'),
    o("out-if", HasArg::Required, 'o'),
    o("version", HasArg::No, 'V'),
    o("verbose", HasArg::No, 'v'),
    o("help", HasArg::No, 'h'),
    o("jump", HasArg::Required, 'j'),
    o("set-counters", HasArg::Required, 'c'),
    o("change-counters", HasArg::Required, 'C'),
    o("proto", HasArg::Required, 'p'),
    o("protocol", HasArg::Required, 'p'),
    o("db", HasArg::Required, 'b'),
    o("source", HasArg::Required, 's'),
    o("src", HasArg::Required, 's'),
    o("destination", HasArg::Required, 'd'),
    o("dst", HasArg::Required, 'd'),
    o("table", HasArg::Required, 't'),
    o("modprobe", HasArg::Required, 'M'),
    o("new-chain", HasArg::Required, 'N'),
    o("rename-chain", HasArg::Required, 'E'),
    o("delete-chain", HasArg::Optional, 'X'),
    o("init-table", HasArg::No, INIT_TABLE),
    o("concurrent", HasArg::No, CONCURRENT),
    o("check", HasArg::Required, CHECK),
];

/// `OPT_*` bits ebtables uses.
pub mod opt {
    pub const SOURCE: u32 = 1 << 1;
    pub const DESTINATION: u32 = 1 << 2;
    pub const PROTOCOL: u32 = 1 << 3;
    pub const JUMP: u32 = 1 << 4;
    pub const VERBOSE: u32 = 1 << 5;
    pub const VIANAMEIN: u32 = 1 << 7;
    pub const VIANAMEOUT: u32 = 1 << 8;
    pub const LINENUMBERS: u32 = 1 << 9;
    pub const COUNTERS: u32 = 1 << 10;
    pub const LOGICALIN: u32 = 1 << 18;
    pub const LOGICALOUT: u32 = 1 << 19;
    pub const LIST_C: u32 = 1 << 20;
    pub const LIST_X: u32 = 1 << 21;
    pub const LIST_MAC2: u32 = 1 << 22;
}

/// `CMD_INIT_TABLE`.
pub const CMD_INIT_TABLE: u32 = 1 << 16;
/// `CMD_CHANGE_COUNTERS` (`-C` of ebtables).
pub const CMD_CHANGE_COUNTERS: u32 = 1 << 15;

/// How `-C` changes a counter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CounterOp {
    /// Set it.
    #[default]
    Set,
    /// `+N`.
    Add,
    /// `-N`.
    Sub,
}

/// `parse_rule_range`: `N`, `N:M`, `N:`, `:M` (`rulenum_end` -1: to the
/// last rule).
fn rule_range(p: &mut EbtParsed, a: &str) -> Result<()> {
    let (lo, hi) = match a.split_once(':') {
        Some((x, y)) => (x, Some(y)),
        None => (a, None),
    };
    let num = |s: &str| -> Option<i64> {
        let (neg, t) = match s.strip_prefix('-') {
            Some(t) => (true, t),
            None => (false, s),
        };
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: i64 = t.parse().ok()?;
        Some(if neg { -v } else { v })
    };
    if let Some(h) = hi {
        p.rulenum_end = if h.is_empty() {
            -1
        } else {
            num(h)
                .filter(|&v| v != 0)
                .ok_or_else(|| IptError::param(format!("Invalid rule range end`{h}'")))?
        };
    }
    p.rulenum = if hi.is_some() && lo.is_empty() {
        1
    } else {
        num(lo)
            .filter(|&v| v != 0)
            .ok_or_else(|| IptError::param(format!("Invalid rule number `{lo}'")))?
    };
    if hi.is_none() {
        p.rulenum_end = p.rulenum;
    }
    Ok(())
}

/// `parse_change_counters_rule`: `[N[:M]] PCNT BCNT`, each counter with an
/// optional `+`/`-`.
fn change_counters_args(p: &mut EbtParsed, g: &mut Getopt) -> Result<()> {
    let argc = g.args.len();
    let is_opt = |s: &str| {
        let b = s.as_bytes();
        b.first() == Some(&b'-') && !b.get(1).is_some_and(|c| c.is_ascii_digit())
    };
    let i = g.optind;
    if i + 1 >= argc || is_opt(&g.args[i]) || is_opt(&g.args[i + 1]) {
        return Err(IptError::param("The command -C needs at least 2 arguments"));
    }
    if i + 2 < argc && !is_opt(&g.args[i + 2]) {
        if i + 3 != argc {
            return Err(IptError::param(
                "No extra options allowed with -C start_nr[:end_nr] pcnt bcnt",
            ));
        }
        let a = g.args[i].clone();
        g.optind += 1;
        rule_range(p, &a)?;
    }
    for k in 0..2 {
        let a = g.args[g.optind].clone();
        g.optind += 1;
        let (op, t) = match a.as_bytes().first() {
            Some(b'+') => (CounterOp::Add, &a[1..]),
            Some(b'-') => (CounterOp::Sub, &a[1..]),
            _ => (CounterOp::Set, a.as_str()),
        };
        let v = (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse::<u64>().ok())
            .flatten()
            .ok_or_else(|| IptError::param(format!("Packet counter '{a}' invalid")))?;
        p.counters[k] = (op, v);
    }
    Ok(())
}

fn option_name(o: u32) -> &'static str {
    match o {
        opt::SOURCE => "--source",
        opt::DESTINATION => "--destination",
        opt::PROTOCOL => "--protocol",
        opt::JUMP => "--jump",
        opt::VERBOSE => "--verbose",
        opt::VIANAMEIN => "--in-interface",
        opt::VIANAMEOUT => "--out-interface",
        opt::LINENUMBERS => "--Ln",
        opt::COUNTERS => "--set-counters",
        opt::LOGICALIN => "--logical-in",
        opt::LOGICALOUT => "--logical-out",
        opt::LIST_C => "--Lc",
        opt::LIST_X => "--Lx",
        opt::LIST_MAC2 => "--Lmac2",
        _ => "unknown option",
    }
}

/// A parsed ebtables command line.
#[derive(Clone, Debug, Default)]
pub struct EbtParsed {
    /// `CMD_*` bits.
    pub command: u32,
    /// `OPT_*` bits.
    pub options: u32,
    /// Chain.
    pub chain: Option<String>,
    /// Rule number (`-D N[:M]`, `-I N`, `-L`/`-S`/`-Z` number).
    pub rulenum: i64,
    /// End of a `-D N:M` range.
    pub rulenum_end: i64,
    /// `-C`: the packet and byte counters and how they apply.
    pub counters: [(CounterOp, u64); 2],
    /// `-E` new name.
    pub newname: Option<String>,
    /// `-P` policy.
    pub policy: Option<String>,
    /// Table.
    pub table: String,
    /// The rule.
    pub rule: EbtRule,
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
        | opt::LOGICALIN
        | opt::LOGICALOUT;
    if invert && o & invertible == 0 {
        return Err(IptError::param(format!(
            "cannot have ! before {}",
            option_name(o)
        )));
    }
    Ok(())
}

/// `xtables_parse_mac_and_mask` as ebtables' `-s`/`-d`.
pub fn mac_and_mask(s: &str) -> Option<Mac> {
    args::mac_and_mask(s).map(|(addr, mask)| Mac { addr, mask })
}

/// `nft_bridge_proto_parse`.
fn proto(s: &str) -> Result<Proto> {
    let (v, n) = num::c_strtoul(s, 16);
    if n == s.len() && n > 0 {
        if v > 0xffff {
            return Err(IptError::param("Problem with the specified protocol"));
        }
        if v < 0x0600 {
            return Err(IptError::param(
                "Sorry, protocols have values above or equal to 0x0600",
            ));
        }
        return Ok(Proto::Type(v as u16));
    }
    if s == "length" {
        return Ok(Proto::Length);
    }
    let t = ethertypes::by_name(s).ok_or_else(|| {
        IptError::param(format!(
            "Problem with the specified Ethernet protocol '{s}', perhaps /etc/ethertypes is missing"
        ))
    })?;
    if t < 0x0600 {
        return Err(IptError::param(
            "Sorry, protocols have values above or equal to 0x0600",
        ));
    }
    Ok(Proto::Type(t))
}

/// `assert_valid_chain_name` with ebtables' targets.
pub fn valid_chain_name(name: &str) -> Result<()> {
    args::valid_chain_name(name, is_target)
}

/// Names `-j` resolves to a target rather than a chain.
fn is_target(name: &str) -> bool {
    matches!(
        name,
        "ACCEPT"
            | "DROP"
            | "RETURN"
            | "CONTINUE"
            | "mark"
            | "log"
            | "nflog"
            | "standard"
            | "snat"
            | "dnat"
            | "redirect"
            | "arpreply"
    )
}

/// The target `-j` loaded, with options of its own.
enum Tgt {
    Mark(MarkTarget),
    Nat(NatTarget),
}

impl Tgt {
    /// The target's name, as its messages say it.
    fn name(&self) -> &'static str {
        match self {
            Tgt::Mark(_) => "mark",
            Tgt::Nat(n) => n.name(),
        }
    }

    fn options(&self) -> &'static [&'static str] {
        match self {
            Tgt::Mark(_) => MarkTarget::OPTIONS,
            Tgt::Nat(n) => NatTarget::options(n.kind),
        }
    }
}

/// The long options: ebtables' own, every extension's, the target's.
fn long_opts(target: Option<&Tgt>) -> Vec<LongOpt> {
    let mut v: Vec<LongOpt> = OPTIONS
        .iter()
        .enumerate()
        .map(|(i, (n, _, a))| LongOpt {
            name: n,
            has_arg: if *a { HasArg::Required } else { HasArg::No },
            val: Val::Ext { ext: 0, opt: i },
        })
        .collect();
    if let Some(t) = target {
        v.extend(t.options().iter().enumerate().map(|(i, n)| LongOpt {
            name: n,
            has_arg: if NatTarget::takes_arg(n) {
                HasArg::Required
            } else {
                HasArg::No
            },
            val: Val::Ext { ext: 1, opt: i },
        }));
    }
    v
}

/// Parse an ebtables command line (`args[0]` is the program name).
pub fn parse(args: Vec<String>, restore: bool, prog: &str) -> Result<EbtParsed> {
    let mut p = EbtParsed {
        table: "filter".into(),
        ..Default::default()
    };
    let mut g = Getopt::new(args);
    let mut invert = false;
    let mut table_set = false;
    let mut r = EbtRule::default();
    let (mut shost, mut dhost) = (None::<String>, None::<String>);
    let mut jumpto = String::new();
    let mut tgt: Option<Tgt> = None;
    let mut ext_opts = long_opts(None);
    // Extension options given so far (each at most once, xtables_option_parse).
    let mut seen: Vec<&'static str> = Vec::new();
    while let Some((val, mut optarg)) =
        args::next_option(&mut g, OPTSTRING, &[OPTS, &ext_opts], &mut invert)?
    {
        let c = match val {
            Val::Base(c) => c,
            Val::Ext { ext: 1, opt: i } => {
                intrapositioned(&mut optarg, &mut invert, &mut g)?;
                let arg = optarg.as_deref().unwrap_or("");
                // No option of an ebtables target is invertible
                // (xtables_option_parse without XTOPT_INVERT).
                if let (true, Some(t)) = (invert, tgt.as_ref()) {
                    return Err(IptError::param(format!(
                        "{}: option \"--{}\" cannot be inverted.\n",
                        t.name(),
                        nftwire::ebtables::ext::canonical(t.options()[i])
                    )));
                }
                match tgt.as_mut() {
                    Some(Tgt::Mark(m)) => m.parse(MarkTarget::OPTIONS[i], arg)?,
                    Some(Tgt::Nat(n)) => {
                        let o = NatTarget::options(n.kind)[i];
                        n.parse(o, arg)?
                    }
                    None => {}
                }
                invert = false;
                continue;
            }
            Val::Ext { opt: i, .. } => {
                intrapositioned(&mut optarg, &mut invert, &mut g)?;
                let (name, ext, _) = OPTIONS[i];
                let canon = nftwire::ebtables::ext::canonical(name);
                if seen.contains(&canon) {
                    return Err(IptError::param(format!(
                        "{ext}: option \"--{canon}\" can only be used once.\n"
                    )));
                }
                seen.push(canon);
                if invert && matches!(ext, "limit" | "log" | "nflog") {
                    return Err(IptError::param(format!(
                        "{ext}: option \"--{canon}\" cannot be inverted.\n"
                    )));
                }
                let at = match r.exts.iter().position(|e| e.name() == ext) {
                    Some(k) => k,
                    None => {
                        r.exts.push(
                            Ext::load(ext).ok_or_else(|| IptError::param("Unable to add match"))?,
                        );
                        r.exts.len() - 1
                    }
                };
                r.exts[at].parse(name, optarg.as_deref().unwrap_or(""), invert)?;
                invert = false;
                continue;
            }
        };
        match c {
            'A' | CHECK => {
                let c0 = if c == 'A' { cmd::APPEND } else { cmd::CHECK };
                add_command(&mut p.command, c0, 0, invert)?;
                p.chain = optarg;
            }
            'C' => {
                add_command(&mut p.command, CMD_CHANGE_COUNTERS, 0, invert)?;
                p.chain = optarg;
                change_counters_args(&mut p, &mut g)?;
            }
            'D' => {
                add_command(&mut p.command, cmd::DELETE, 0, invert)?;
                p.chain = optarg;
                if has_arg(&g) {
                    let a = g.args[g.optind].clone();
                    g.optind += 1;
                    rule_range(&mut p, &a)?;
                    p.command = cmd::DELETE_NUM;
                }
            }
            'I' => {
                add_command(&mut p.command, cmd::INSERT, 0, invert)?;
                p.chain = optarg;
                p.rulenum = if has_arg(&g) {
                    g.optind += 1;
                    rulenumber(&g.args[g.optind - 1])?
                } else {
                    1
                };
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
                add_command(&mut p.command, cmd::SET_POLICY, cmd::NEW_CHAIN, invert)?;
                if p.command & cmd::NEW_CHAIN != 0 {
                    p.policy = optarg;
                } else if has_arg(&g) {
                    p.chain = optarg;
                    p.policy = Some(g.args[g.optind].clone());
                    g.optind += 1;
                } else {
                    return Err(IptError::param("-P requires a chain and a policy"));
                }
            }
            INIT_TABLE => {
                if restore {
                    return Err(IptError::param(
                        "--init-table is not supported in daemon mode",
                    ));
                }
                add_command(&mut p.command, CMD_INIT_TABLE, 0, invert)?;
            }
            LMAC2 => set_option(&mut p.options, opt::LIST_MAC2, invert)?,
            CONCURRENT | 'M' | 'b' => {}
            LC => set_option(&mut p.options, opt::LIST_C, invert)?,
            LX => set_option(&mut p.options, opt::LIST_X, invert)?,
            LN => set_option(&mut p.options, opt::LINENUMBERS, invert)?,
            'h' => {
                p.stdout = Some(format!(
                    "{prog} {}\nUsage:\nebtables -[ADI] chain rule-specification [options]\n",
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
                r.proto = Some(proto(&optarg.unwrap_or_default().to_lowercase())?);
                r.proto_inv = invert;
            }
            's' | 'd' => {
                intrapositioned(&mut optarg, &mut invert, &mut g)?;
                if c == 's' {
                    set_option(&mut p.options, opt::SOURCE, invert)?;
                    shost = optarg;
                    r.src_inv = invert;
                } else {
                    set_option(&mut p.options, opt::DESTINATION, invert)?;
                    dhost = optarg;
                    r.dst_inv = invert;
                }
            }
            LOGICAL_IN | LOGICAL_OUT | 'i' | 'o' => {
                if matches!(c, 'i' | 'o') && optarg.as_deref() == Some("") {
                    return Err(IptError::param("Empty interface is likely to be undesired"));
                }
                intrapositioned(&mut optarg, &mut invert, &mut g)?;
                let (o, slot) = match c {
                    'i' => (opt::VIANAMEIN, &mut r.iniface),
                    'o' => (opt::VIANAMEOUT, &mut r.outiface),
                    LOGICAL_IN => (opt::LOGICALIN, &mut r.logical_in),
                    _ => (opt::LOGICALOUT, &mut r.logical_out),
                };
                set_option(&mut p.options, o, invert)?;
                *slot = Iface {
                    name: args::interface(&optarg.unwrap_or_default())?,
                    inv: invert,
                };
            }
            'j' => {
                set_option(&mut p.options, opt::JUMP, invert)?;
                let a = optarg.unwrap_or_default();
                if a != "CONTINUE" {
                    if a.is_empty() {
                        return Err(IptError::param("Invalid target name (too short)"));
                    }
                    if a.len() >= 29 {
                        return Err(IptError::param(format!(
                            "Invalid target name `{a}' (28 chars max)"
                        )));
                    }
                    jumpto = a;
                    tgt = match jumpto.as_str() {
                        "mark" => Some(Tgt::Mark(MarkTarget::new())),
                        "snat" => Some(Tgt::Nat(NatTarget::new(NatKind::Snat))),
                        "dnat" => Some(Tgt::Nat(NatTarget::new(NatKind::Dnat))),
                        "redirect" => Some(Tgt::Nat(NatTarget::new(NatKind::Redirect))),
                        "arpreply" => Some(Tgt::Nat(NatTarget::new(NatKind::ArpReply))),
                        _ => None,
                    };
                    ext_opts = long_opts(tgt.as_ref());
                }
            }
            'v' => {
                if p.options & opt::VERBOSE == 0 {
                    set_option(&mut p.options, opt::VERBOSE, invert)?;
                }
            }
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
            'c' => {
                set_option(&mut p.options, opt::COUNTERS, invert)?;
                (r.packets, r.bytes) = args::set_counters(&optarg.unwrap_or_default(), &mut g)?;
            }
            _ => return Err(IptError::param(format!("unknown option \"-{c}\""))),
        }
        invert = false;
    }
    for e in &r.exts {
        e.check()?;
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
    // nft_bridge_post_parse
    if let Some(h) = shost {
        r.src =
            Some(mac_and_mask(&h).ok_or_else(|| {
                IptError::param(format!("Problem with specified source mac '{h}'"))
            })?);
    }
    if let Some(h) = dhost {
        r.dst = Some(mac_and_mask(&h).ok_or_else(|| {
            IptError::param(format!("Problem with specified destination mac '{h}'"))
        })?);
    }
    if p.options & (opt::LIST_X | opt::LINENUMBERS) == opt::LIST_X | opt::LINENUMBERS {
        return Err(IptError::param("--Lx is not compatible with --Ln"));
    }
    if let Some(Tgt::Nat(n)) = &tgt {
        n.check()?;
    }
    r.verdict = match (tgt, jumpto.as_str()) {
        (Some(Tgt::Mark(m)), _) => EbtVerdict::Mark(m),
        (Some(Tgt::Nat(n)), _) => EbtVerdict::Nat(n),
        (None, "") => EbtVerdict::Continue,
        (None, "ACCEPT") => EbtVerdict::Accept,
        (None, "DROP") => EbtVerdict::Drop,
        (None, "RETURN") => EbtVerdict::Return,
        (None, j) => EbtVerdict::Jump(j.to_string()),
    };
    p.rule = r;
    generic_opt_check(&p)?;
    if let Some(c) = &p.chain {
        if c.len() >= 29 {
            return Err(IptError::param(format!(
                "chain name `{c}' too long (must be under 29 chars)"
            )));
        }
    }
    if [
        cmd::APPEND,
        cmd::DELETE,
        cmd::CHECK,
        cmd::INSERT,
        cmd::REPLACE,
    ]
    .contains(&p.command)
    {
        let chain = p.chain.as_deref().unwrap_or("");
        let reject = |o: u32| -> Result<()> {
            if p.options & o != 0 {
                return Err(IptError::param(format!(
                    "Can't use {} with {chain}",
                    option_name(o)
                )));
            }
            Ok(())
        };
        if chain == "PREROUTING" || chain == "INPUT" {
            reject(opt::VIANAMEOUT)?;
            reject(opt::LOGICALOUT)?;
        }
        if chain == "POSTROUTING" || chain == "OUTPUT" {
            reject(opt::VIANAMEIN)?;
            reject(opt::LOGICALIN)?;
        }
    }
    Ok(p)
}

/// `generic_opt_check` (`options_v_commands` for the bridge options).
fn generic_opt_check(p: &EbtParsed) -> Result<()> {
    let rule =
        cmd::INSERT | cmd::DELETE | cmd::REPLACE | cmd::APPEND | cmd::CHECK | CMD_CHANGE_COUNTERS;
    for i in 0..23 {
        let o = 1u32 << i;
        if p.options & o == 0 {
            continue;
        }
        let allowed = match o {
            opt::VERBOSE => u32::MAX,
            opt::LINENUMBERS | opt::LIST_C | opt::LIST_X | opt::LIST_MAC2 => cmd::LIST,
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
