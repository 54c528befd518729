//! iptables' command line (`do_parse` of xshared.c): commands, base
//! options, extension loading and option routing, with iptables' messages.

use crate::getopt::{Getopt, Got, HasArg, LongOpt, Val};
use nftwire::iptables::addr::{self, AddrMask};
use nftwire::iptables::ext::{Argv, Ctx, HasArg as XHasArg, OptCall, OptDef};
use nftwire::iptables::match_::Match;
use nftwire::iptables::num;
use nftwire::iptables::rule::{Iface, IptRule, Verdict};
use nftwire::iptables::target::Target;
use nftwire::iptables::{Family, IptError, Result};

/// Commands (`CMD_*`).
pub mod cmd {
    pub const INSERT: u32 = 1 << 0;
    pub const DELETE: u32 = 1 << 1;
    pub const DELETE_NUM: u32 = 1 << 2;
    pub const REPLACE: u32 = 1 << 3;
    pub const APPEND: u32 = 1 << 4;
    pub const LIST: u32 = 1 << 5;
    pub const FLUSH: u32 = 1 << 6;
    pub const ZERO: u32 = 1 << 7;
    pub const NEW_CHAIN: u32 = 1 << 8;
    pub const DELETE_CHAIN: u32 = 1 << 9;
    pub const SET_POLICY: u32 = 1 << 10;
    pub const RENAME_CHAIN: u32 = 1 << 11;
    pub const LIST_RULES: u32 = 1 << 12;
    pub const ZERO_NUM: u32 = 1 << 13;
    pub const CHECK: u32 = 1 << 14;
}

/// Options (`OPT_*`).
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
    pub const FRAGMENT: u32 = 1 << 11;
}

const OPTSTRING: &str = "A:C:D:E:F::I:L::M:N:P:R:S::VX::Z::c:d:i:j:o:p:s:t:vW::46fg:h::m:nw::x";

/// One base option of iptables' long option table.
const fn base(name: &'static str, has_arg: HasArg, c: char) -> LongOpt {
    LongOpt {
        name,
        has_arg,
        val: Val::Base(c),
    }
}

/// iptables' own long options (`original_opts`); extension options are
/// looked up after them, newest extension first.
const BASE_OPTS: &[LongOpt] = &[
    base("append", HasArg::Required, 'A'),
    base("delete", HasArg::Required, 'D'),
    base("check", HasArg::Required, 'C'),
    base("insert", HasArg::Required, 'I'),
    base("replace", HasArg::Required, 'R'),
    base("list", HasArg::Optional, 'L'),
    base("list-rules", HasArg::Optional, 'S'),
    base("flush", HasArg::Optional, 'F'),
    base("zero", HasArg::Optional, 'Z'),
    base("new-chain", HasArg::Required, 'N'),
    base("delete-chain", HasArg::Optional, 'X'),
    base("rename-chain", HasArg::Required, 'E'),
    base("policy", HasArg::Required, 'P'),
    base("source", HasArg::Required, 's'),
    base("destination", HasArg::Required, 'd'),
    base("src", HasArg::Required, 's'),
    base("dst", HasArg::Required, 'd'),
    base("protocol", HasArg::Required, 'p'),
    base("in-interface", HasArg::Required, 'i'),
    base("jump", HasArg::Required, 'j'),
    base("table", HasArg::Required, 't'),
    base("match", HasArg::Required, 'm'),
    base("numeric", HasArg::No, 'n'),
    base("out-interface", HasArg::Required, 'o'),
    base("verbose", HasArg::No, 'v'),
    base("wait", HasArg::Optional, 'w'),
    base("wait-interval", HasArg::Optional, 'W'),
    base("exact", HasArg::No, 'x'),
    base("fragments", HasArg::No, 'f'),
    base("version", HasArg::No, 'V'),
    base("help", HasArg::Optional, 'h'),
    base("line-numbers", HasArg::No, '0'),
    base("modprobe", HasArg::Required, 'M'),
    base("set-counters", HasArg::Required, 'c'),
    base("goto", HasArg::Required, 'g'),
    base("ipv4", HasArg::No, '4'),
    base("ipv6", HasArg::No, '6'),
];

/// A parsed command line.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// `CMD_*` bits.
    pub command: u32,
    /// `OPT_*` bits.
    pub options: u32,
    /// Chain argument.
    pub chain: Option<String>,
    /// Rule number (1-based; 0 = none).
    pub rulenum: i64,
    /// New name for `-E`.
    pub newname: Option<String>,
    /// Policy for `-P`.
    pub policy: Option<String>,
    /// Table.
    pub table: String,
    /// Verbosity.
    pub verbose: u32,
    /// The rule(s) (more than one with multiple `-s`/`-d` addresses).
    pub rules: Vec<IptRule>,
    /// How many `-s` addresses the rules combine (`rules` holds one rule
    /// per source and destination pair, source outermost).
    pub naddrs_src: usize,
    /// `-c P B` given.
    pub counters: Option<(u64, u64)>,
    /// The line was skipped (`-4`/`-6` in the other tool's restore).
    pub skipped: bool,
    /// Output requested by `-h`/`-V` (then nothing else is done).
    pub stdout: Option<String>,
}

struct LoadedMatch {
    m: Match,
    seen: u32,
    completed: bool,
    /// Index of the option slot (shared by clones).
    slot: usize,
}

enum Slot {
    Match,
    Target,
}

struct State {
    family: Family,
    table: String,
    /// Options of the loaded extensions, newest extension first (looked up
    /// after [`BASE_OPTS`]).
    ext_opts: Vec<LongOpt>,
    slots: Vec<(Slot, usize)>,
    matches: Vec<LoadedMatch>,
    target: Option<(Target, u32, usize)>,
    jumpto: String,
    goto: bool,
    protocol: Option<String>,
    proto_used: bool,
    proto: u8,
    invflags_proto: bool,
}

impl State {
    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            family: self.family,
            proto: self.proto,
            proto_inv: self.invflags_proto,
            table: &self.table,
        }
    }

    /// Merge an extension's options (newest first after the base ones).
    fn merge(&mut self, kind: Slot, opts: &'static [nftwire::iptables::ext::OptDef]) -> usize {
        let slot = self.slots.len();
        let new = opts.iter().enumerate().map(|(i, o)| LongOpt {
            name: o.name,
            has_arg: match o.has_arg {
                XHasArg::No => HasArg::No,
                XHasArg::Required => HasArg::Required,
                XHasArg::Optional => HasArg::Optional,
            },
            val: Val::Ext { ext: slot, opt: i },
        });
        self.ext_opts.splice(0..0, new);
        self.slots.push((kind, 0));
        slot
    }

    /// `xtables_find_match` + `-m` handling: load (or clone) a match.
    fn load_match(&mut self, name: &str) -> Option<()> {
        let name = match name {
            "icmpv6" | "ipv6-icmp" | "icmp6" => "icmp6",
            n => n,
        };
        let mut m = Match::load(name, &self.ctx())?;
        let mname = m.name();
        let f = self.family;
        let rev = crate::revision::pick(f, mname, &m.candidates(f), false)?;
        m.set_revision(rev);
        // a second instance shares the options of the first
        let existing = self
            .matches
            .iter()
            .find(|l| l.m.name() == mname)
            .map(|l| l.slot);
        for l in self.matches.iter_mut().filter(|l| l.m.name() == mname) {
            l.completed = true;
        }
        let slot = match existing {
            Some(s) => s,
            None => {
                let opts = m.options();
                self.merge(Slot::Match, opts)
            }
        };
        self.matches.push(LoadedMatch {
            m,
            seen: 0,
            completed: false,
            slot,
        });
        Some(())
    }
}

fn err_unknown(word: &str) -> IptError {
    IptError::param(format!("unknown option \"{word}\""))
}

fn cmd2char(c: u32) -> char {
    const F: [char; 15] = [
        'I', 'D', 'D', 'R', 'A', 'L', 'F', 'Z', 'N', 'X', 'P', 'E', 'S', 'Z', 'C',
    ];
    let i = if c == 0 {
        0
    } else {
        c.trailing_zeros() as usize
    };
    F.get(i).copied().unwrap_or('?')
}

fn add_command(p: &mut Parsed, newcmd: u32, othercmds: u32, invert: bool) -> Result<()> {
    if invert {
        return Err(IptError::param("unexpected '!' flag"));
    }
    if p.command & !othercmds != 0 {
        return Err(IptError::param(format!(
            "Cannot use -{} with -{}",
            cmd2char(newcmd),
            cmd2char(p.command & !othercmds)
        )));
    }
    p.command |= newcmd;
    Ok(())
}

fn option_name(o: u32) -> &'static str {
    match o {
        opt::NUMERIC => "--numeric",
        opt::SOURCE => "--source",
        opt::DESTINATION => "--destination",
        opt::PROTOCOL => "--protocol",
        opt::JUMP => "--jump",
        opt::VERBOSE => "--verbose",
        opt::EXPANDED => "--exact",
        opt::VIANAMEIN => "--in-interface",
        opt::VIANAMEOUT => "--out-interface",
        opt::LINENUMBERS => "--line-numbers",
        opt::COUNTERS => "--set-counters",
        opt::FRAGMENT => "--fragments",
        _ => "unknown option",
    }
}

pub(crate) fn set_option(options: &mut u32, o: u32, inv_ok: bool, invert: bool) -> Result<()> {
    if *options & o != 0 {
        return Err(IptError::param(format!(
            "multiple {} options not allowed",
            option_name(o)
        )));
    }
    *options |= o;
    if invert && !inv_ok {
        return Err(IptError::param(format!(
            "cannot have ! before {}",
            option_name(o)
        )));
    }
    Ok(())
}

fn parse_rulenumber(s: &str) -> Result<i64> {
    num::strtoui(s, 1, i32::MAX as u64)
        .map(|v| v as i64)
        .ok_or_else(|| IptError::param(format!("Invalid rule number `{s}'")))
}

fn c_strtol_full(s: &str) -> Option<i64> {
    let (v, n) = num::c_strtoul(s, 10);
    (n == s.len() && n > 0).then_some(v as i64)
}

fn parse_rule_range(p: &mut Parsed, a: &str) -> Result<()> {
    if a.contains(':') {
        return Err(IptError::param("Rule ranges are not supported"));
    }
    match c_strtol_full(a) {
        Some(v) if v != 0 => p.rulenum = v,
        _ => return Err(IptError::param(format!("Invalid rule number `{a}'"))),
    }
    Ok(())
}

pub(crate) fn xt_parse_target(name: &str) -> Result<String> {
    if name.is_empty() {
        return Err(IptError::param("Invalid target name (too short)"));
    }
    if name.len() >= 29 {
        return Err(IptError::param(format!(
            "Invalid target name `{name}' (28 chars max)"
        )));
    }
    if name.chars().any(|c| c.is_whitespace()) {
        return Err(IptError::param(format!("Invalid target name `{name}'")));
    }
    Ok(name.to_string())
}

/// `assert_valid_chain_name`.
pub fn assert_valid_chain_name(name: &str, family: Family) -> Result<()> {
    if name.len() >= 29 {
        return Err(IptError::param(format!(
            "chain name `{name}' too long (must be under 29 chars)"
        )));
    }
    if let Some(c) = name.chars().next().filter(|c| *c == '-' || *c == '!') {
        return Err(IptError::param(format!(
            "chain name not allowed to start with `{c}'"
        )));
    }
    let cx = Ctx {
        family,
        proto: 0,
        proto_inv: false,
        table: "filter",
    };
    if Target::load(name, &cx).is_some() || is_standard(name) {
        return Err(IptError::param("chain name may not clash with target name"));
    }
    if name.chars().any(|c| c.is_whitespace()) {
        return Err(IptError::param(format!("Invalid chain name `{name}'")));
    }
    Ok(())
}

fn is_standard(n: &str) -> bool {
    matches!(n, "ACCEPT" | "DROP" | "QUEUE" | "RETURN")
}

fn parse_interface(arg: &str) -> Result<String> {
    if arg.len() >= 16 {
        return Err(IptError::param(format!(
            "interface name `{arg}' must be shorter than 16 characters"
        )));
    }
    if arg.contains('/') || arg.contains(' ') {
        nftwire::iptables::warn::warn(format!("Warning: weird character in interface `{arg}' ('/' and ' ' are not allowed by the kernel)."));
    }
    Ok(arg.to_string())
}

/// Parse one command line (`args[0]` is the program name). `restore` is
/// set inside iptables-restore, `table` is the default table.
pub fn parse(
    family: Family,
    args: Vec<String>,
    table: &str,
    restore: bool,
    prog: &str,
) -> Result<Parsed> {
    let mut p = Parsed {
        table: table.to_string(),
        ..Default::default()
    };
    let mut st = State {
        family,
        table: table.to_string(),
        ext_opts: Vec::new(),
        slots: Vec::new(),
        matches: Vec::new(),
        target: None,
        jumpto: String::new(),
        goto: false,
        protocol: None,
        proto_used: false,
        proto: 0,
        invflags_proto: false,
    };
    let mut g = Getopt::new(args);
    let mut invert = false;
    let mut table_set = false;
    let mut wait_interval_set = false;
    let mut wait_given = false;
    let mut shost: Option<String> = None;
    let mut dhost: Option<String> = None;
    let (mut src_inv, mut dst_inv) = (false, false);
    let mut iniface = Iface::default();
    let mut outiface = Iface::default();
    let mut frag = (false, false);

    loop {
        let got = g.next(OPTSTRING, &[BASE_OPTS, &st.ext_opts]);
        let (val, optarg) = match got {
            Got::End => break,
            Got::NonOpt(a) => {
                if a == "!" {
                    if invert {
                        return Err(IptError::param("multiple consecutive ! not allowed"));
                    }
                    invert = true;
                    continue;
                }
                return Err(IptError::tryhelp(format!("Bad argument `{a}'")));
            }
            Got::Missing(word) => {
                if load_proto(&mut st, &mut g) {
                    continue;
                }
                return Err(IptError::param(format!(
                    "option \"{word}\" requires an argument"
                )));
            }
            Got::Unknown(c, word) => {
                if load_proto(&mut st, &mut g) {
                    continue;
                }
                return Err(err_unknown(&match c {
                    Some(ch) => format!("-{ch}"),
                    None => word,
                }));
            }
            Got::Opt(v, a) => (v, a),
        };
        let has_arg = |g: &Getopt| -> bool {
            g.args
                .get(g.optind)
                .is_some_and(|a| !a.starts_with('-') && !a.starts_with('!'))
        };
        match val {
            Val::Base(c) => match c {
                'A' | 'C' => {
                    add_command(
                        &mut p,
                        if c == 'A' { cmd::APPEND } else { cmd::CHECK },
                        0,
                        invert,
                    )?;
                    p.chain = optarg;
                }
                'D' => {
                    add_command(&mut p, cmd::DELETE, 0, invert)?;
                    p.chain = optarg;
                    if has_arg(&g) {
                        let a = g.args[g.optind].clone();
                        g.optind += 1;
                        parse_rule_range(&mut p, &a)?;
                        p.command = cmd::DELETE_NUM;
                    }
                }
                'R' => {
                    add_command(&mut p, cmd::REPLACE, 0, invert)?;
                    p.chain = optarg;
                    if has_arg(&g) {
                        let a = g.args[g.optind].clone();
                        g.optind += 1;
                        p.rulenum = parse_rulenumber(&a)?;
                    } else {
                        return Err(IptError::param("-R requires a rule number"));
                    }
                }
                'I' => {
                    add_command(&mut p, cmd::INSERT, 0, invert)?;
                    p.chain = optarg;
                    if has_arg(&g) {
                        let a = g.args[g.optind].clone();
                        g.optind += 1;
                        p.rulenum = parse_rulenumber(&a)?;
                    } else {
                        p.rulenum = 1;
                    }
                }
                'L' | 'S' => {
                    let c0 = if c == 'L' { cmd::LIST } else { cmd::LIST_RULES };
                    add_command(&mut p, c0, cmd::ZERO | cmd::ZERO_NUM, invert)?;
                    if optarg.is_some() {
                        p.chain = optarg;
                    } else if has_arg(&g) {
                        p.chain = Some(g.args[g.optind].clone());
                        g.optind += 1;
                    }
                    if has_arg(&g) {
                        let a = g.args[g.optind].clone();
                        g.optind += 1;
                        p.rulenum = parse_rulenumber(&a)?;
                    }
                }
                'F' | 'X' => {
                    let c0 = if c == 'F' {
                        cmd::FLUSH
                    } else {
                        cmd::DELETE_CHAIN
                    };
                    add_command(&mut p, c0, 0, invert)?;
                    if optarg.is_some() {
                        p.chain = optarg;
                    } else if has_arg(&g) {
                        p.chain = Some(g.args[g.optind].clone());
                        g.optind += 1;
                    }
                }
                'Z' => {
                    add_command(&mut p, cmd::ZERO, cmd::LIST | cmd::LIST_RULES, invert)?;
                    if optarg.is_some() {
                        p.chain = optarg;
                    } else if has_arg(&g) {
                        p.chain = Some(g.args[g.optind].clone());
                        g.optind += 1;
                    }
                    if has_arg(&g) {
                        let a = g.args[g.optind].clone();
                        g.optind += 1;
                        p.rulenum = parse_rulenumber(&a)?;
                        // 1.8.11 replaces the whole command here, so an
                        // earlier -L or -S is dropped (nothing is listed).
                        p.command = cmd::ZERO_NUM;
                    }
                }
                'N' => {
                    let a = optarg.unwrap_or_default();
                    assert_valid_chain_name(&a, family)?;
                    add_command(&mut p, cmd::NEW_CHAIN, 0, invert)?;
                    p.chain = Some(a);
                }
                'E' => {
                    add_command(&mut p, cmd::RENAME_CHAIN, 0, invert)?;
                    p.chain = optarg;
                    if has_arg(&g) {
                        p.newname = Some(g.args[g.optind].clone());
                        g.optind += 1;
                    } else {
                        return Err(IptError::param(
                            "-E requires old-chain-name and new-chain-name",
                        ));
                    }
                    assert_valid_chain_name(p.newname.as_deref().unwrap_or(""), family)?;
                }
                'P' => {
                    add_command(&mut p, cmd::SET_POLICY, 0, invert)?;
                    if has_arg(&g) {
                        p.chain = optarg;
                        p.policy = Some(g.args[g.optind].clone());
                        g.optind += 1;
                    } else {
                        return Err(IptError::param("-P requires a chain and a policy"));
                    }
                }
                'h' => {
                    // `-p NAME -h` without any match loads NAME's match
                    // (by name only: `-p 6` loads nothing).
                    if st.matches.is_empty() {
                        if let Some(proto) = st.protocol.clone() {
                            let _ = st.load_match(&proto);
                        }
                    }
                    let target = match &st.target {
                        Some((t, _, _)) => Some(t.name()),
                        None if !st.goto && crate::help::is_standard(&st.jumpto) => {
                            Some("standard")
                        }
                        None => None,
                    };
                    let matches: Vec<&str> = st.matches.iter().map(|l| l.m.name()).collect();
                    p.stdout = Some(crate::help::help(family, prog, target, &matches));
                    return Ok(p);
                }
                'p' => {
                    set_option(&mut p.options, opt::PROTOCOL, true, invert)?;
                    let a = optarg.unwrap_or_default().to_lowercase();
                    let proto = num::parse_protocol(&a).ok_or_else(|| {
                        IptError::param(format!("unknown protocol \"{a}\" specified"))
                    })?;
                    if proto == 0 && invert {
                        return Err(IptError::param("rule would never match protocol"));
                    }
                    if family == Family::V6 && matches!(proto, 43 | 44 | 51 | 60) && !invert {
                        nftwire::iptables::warn::warn(format!(
                            "Warning: never matched protocol: {a}. use extension match instead."
                        ));
                    }
                    st.proto = proto;
                    st.invflags_proto = invert;
                    st.protocol = Some(a);
                }
                's' => {
                    set_option(&mut p.options, opt::SOURCE, true, invert)?;
                    src_inv = invert;
                    shost = optarg;
                }
                'd' => {
                    set_option(&mut p.options, opt::DESTINATION, true, invert)?;
                    dst_inv = invert;
                    dhost = optarg;
                }
                'g' => {
                    set_option(&mut p.options, opt::JUMP, false, invert)?;
                    st.goto = true;
                    st.jumpto = xt_parse_target(&optarg.unwrap_or_default())?;
                }
                'j' => {
                    set_option(&mut p.options, opt::JUMP, false, invert)?;
                    let a = optarg.unwrap_or_default();
                    if a != "CONTINUE" {
                        st.jumpto = xt_parse_target(&a)?;
                        let cx = st.ctx();
                        let f = st.family;
                        let loaded = Target::load(&st.jumpto, &cx).and_then(|mut t| {
                            let cands = t.candidates(f);
                            let rev = crate::revision::pick(f, t.name(), &cands, true)?;
                            t.set_revision(rev);
                            Some(t)
                        });
                        if let Some(t) = loaded {
                            let opts = t.options();
                            let slot = st.merge(Slot::Target, opts);
                            st.target = Some((t, 0, slot));
                        }
                    }
                }
                'i' | 'o' => {
                    let a = optarg.unwrap_or_default();
                    if a.is_empty() {
                        return Err(IptError::param("Empty interface is likely to be undesired"));
                    }
                    let o = if c == 'i' {
                        opt::VIANAMEIN
                    } else {
                        opt::VIANAMEOUT
                    };
                    set_option(&mut p.options, o, true, invert)?;
                    let name = parse_interface(&a)?;
                    let i = Iface { name, inv: invert };
                    if c == 'i' {
                        iniface = i;
                    } else {
                        outiface = i;
                    }
                }
                'f' => {
                    if family == Family::V6 {
                        return Err(IptError::param(
                            "`-f' is not supported in IPv6, use -m frag instead",
                        ));
                    }
                    set_option(&mut p.options, opt::FRAGMENT, true, invert)?;
                    frag = (true, invert);
                }
                'v' => {
                    if p.verbose == 0 {
                        set_option(&mut p.options, opt::VERBOSE, false, invert)?;
                    }
                    p.verbose += 1;
                }
                'm' => {
                    if invert {
                        return Err(IptError::param("unexpected ! flag before --match"));
                    }
                    let a = optarg.unwrap_or_default();
                    if st.load_match(&a).is_none() {
                        return Err(IptError::param(format!(
                            "Couldn't load match `{a}':No such file or directory\n"
                        )));
                    }
                }
                'n' => set_option(&mut p.options, opt::NUMERIC, false, invert)?,
                't' => {
                    if invert {
                        return Err(IptError::param("unexpected ! flag before --table"));
                    }
                    if restore && table_set {
                        return Err(IptError::param(format!(
                            "The -t option cannot be used in {prog}.\n"
                        )));
                    }
                    let t = optarg.unwrap_or_default();
                    p.table = t.clone();
                    st.table = t;
                    table_set = true;
                }
                'x' => set_option(&mut p.options, opt::EXPANDED, false, invert)?,
                'V' => {
                    p.stdout = Some(if invert {
                        format!("Not {} ;-)\n", nftwire::iptables::VERSION_STRING)
                    } else {
                        format!("{prog} v{}\n", nftwire::iptables::VERSION_STRING)
                    });
                    return Ok(p);
                }
                'w' => {
                    if restore {
                        return Err(IptError::param("You cannot use `-w' from iptables-restore"));
                    }
                    let a = match optarg {
                        Some(a) => Some(a),
                        None if has_arg(&g) => {
                            g.optind += 1;
                            Some(g.args[g.optind - 1].clone())
                        }
                        None => None,
                    };
                    if let Some(a) = a {
                        if num::c_strtoul(a.trim_start(), 0).1 == 0 {
                            return Err(IptError::param("wait seconds not numeric"));
                        }
                    }
                    wait_given = true;
                }
                'W' => {
                    if restore {
                        return Err(IptError::param("You cannot use `-W' from iptables-restore"));
                    }
                    let a = match optarg {
                        Some(a) => a,
                        None if has_arg(&g) => {
                            g.optind += 1;
                            g.args[g.optind - 1].clone()
                        }
                        None => return Err(IptError::param("wait interval value required")),
                    };
                    let (v, n) = num::c_strtoul(a.trim_start(), 10);
                    if n == 0 {
                        return Err(IptError::param("wait interval not numeric"));
                    }
                    if v > 999_999 {
                        return Err(IptError::param(format!(
                            "too long usec wait {v} > 999999 usec"
                        )));
                    }
                    nftwire::iptables::warn::warn("Ignoring deprecated --wait-interval option.");
                    wait_interval_set = true;
                }
                '0' => set_option(&mut p.options, opt::LINENUMBERS, false, invert)?,
                'M' => {}
                'c' => {
                    set_option(&mut p.options, opt::COUNTERS, false, invert)?;
                    let a = optarg.unwrap_or_default();
                    let (pc, bc) = match a.find(',') {
                        Some(i) => (a[..i].to_string(), Some(a[i + 1..].to_string())),
                        None => (a.clone(), None),
                    };
                    let bc = match bc {
                        Some(b) => b,
                        None if has_arg(&g) => {
                            g.optind += 1;
                            g.args[g.optind - 1].clone()
                        }
                        None => {
                            return Err(IptError::param(
                                "--set-counters requires packet and byte counter",
                            ))
                        }
                    };
                    let sc = |s: &str| {
                        let t = s.trim_start();
                        let (v, n) = num::c_strtoul(t, 10);
                        (n > 0).then_some(v)
                    };
                    let pv = sc(&pc).ok_or_else(|| {
                        IptError::param("--set-counters packet counter not numeric")
                    })?;
                    let bv = sc(&bc).ok_or_else(|| {
                        IptError::param("--set-counters byte counter not numeric")
                    })?;
                    p.counters = Some((pv, bv));
                }
                '4' => {
                    if family != Family::V4 {
                        if restore {
                            p.skipped = true;
                            return Ok(p);
                        }
                        return Err(IptError::tryhelp(""));
                    }
                }
                '6' => {
                    if family != Family::V6 {
                        if restore {
                            p.skipped = true;
                            return Ok(p);
                        }
                        return Err(IptError::tryhelp(""));
                    }
                }
                _ => return Err(err_unknown(&format!("-{c}"))),
            },
            Val::Ext { ext, opt } => {
                let cx = Ctx {
                    family,
                    proto: st.proto,
                    proto_inv: st.invflags_proto,
                    table: &st.table,
                };
                let mut argv = Argv {
                    args: g.args.clone(),
                    optind: g.optind,
                };
                let table_name = st.table.clone();
                let _ = table_name;
                match &st.slots[ext].0 {
                    Slot::Target => {
                        if let Some((t, seen, _)) = st.target.as_mut() {
                            let def = option_entry(t.options(), opt, t.x6());
                            let mut call = OptCall {
                                def,
                                arg: optarg,
                                invert,
                                seen: *seen,
                                argv: &mut argv,
                            };
                            t.parse(&mut call, &cx)?;
                            *seen |= 1 << def.id;
                        }
                    }
                    Slot::Match => {
                        let Some(lm) = st
                            .matches
                            .iter_mut()
                            .find(|l| l.slot == ext && !l.completed)
                        else {
                            return Err(err_unknown(&g.args[g.optind - 1]));
                        };
                        let def = option_entry(lm.m.options(), opt, lm.m.x6());
                        let mut call = OptCall {
                            def,
                            arg: optarg,
                            invert,
                            seen: lm.seen,
                            argv: &mut argv,
                        };
                        lm.m.parse(&mut call, &cx)?;
                        lm.seen |= 1 << def.id;
                    }
                }
                g.optind = argv.optind;
            }
        }
        invert = false;
    }

    if p.table == "nat" && (p.policy.as_deref() == Some("DROP") || st.jumpto == "DROP") {
        return Err(IptError::param(
            "\nThe \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n",
        ));
    }
    if !wait_given && wait_interval_set {
        return Err(IptError::param(
            "--wait-interval only makes sense with --wait\n",
        ));
    }
    let cx = Ctx {
        family,
        proto: st.proto,
        proto_inv: st.invflags_proto,
        table: &st.table,
    };
    for lm in st.matches.iter_mut() {
        lm.m.check(lm.seen, &cx)?;
    }
    if let Some((t, seen, _)) = st.target.as_mut() {
        t.check(*seen, &cx)?;
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

    // post_parse
    let rulecmd = cmd::REPLACE | cmd::INSERT | cmd::DELETE | cmd::APPEND | cmd::CHECK;
    if p.command & rulecmd != 0 {
        let any = match family {
            Family::V4 => "0.0.0.0/0",
            Family::V6 => "::0/0",
        };
        let s = addr::parse_multiple(family, shost.as_deref().unwrap_or(any))?;
        let d = addr::parse_multiple(family, dhost.as_deref().unwrap_or(any))?;
        if (s.len() > 1 || d.len() > 1) && (src_inv || dst_inv) {
            return Err(IptError::param(
                "! not allowed with multiple source or destination IP addresses",
            ));
        }
        let verdict = match (&st.target, st.jumpto.as_str(), st.goto) {
            (Some((t, _, _)), _, _) => Verdict::Target(t.clone()),
            (None, "", _) => Verdict::None,
            (None, j, true) => Verdict::Goto(j.to_string()),
            (None, "ACCEPT", _) => Verdict::Accept,
            (None, "DROP", _) => Verdict::Drop,
            (None, "RETURN", _) => Verdict::Return,
            (None, j, false) => Verdict::Jump(j.to_string()),
        };
        // Exactly one rule per address pair (a restore keeps every line's
        // rules until COMMIT: no spare room).
        p.rules.reserve_exact(s.len() * d.len());
        p.naddrs_src = s.len();
        for a in &s {
            for b in &d {
                let mut r = IptRule::new(family);
                r.src = *a;
                r.src_inv = src_inv;
                r.dst = *b;
                r.dst_inv = dst_inv;
                r.iniface = iniface.clone();
                r.outiface = outiface.clone();
                r.proto = st.proto;
                r.proto_inv = st.invflags_proto;
                r.frag = frag.0;
                r.frag_inv = frag.1;
                r.matches = st.matches.iter().map(|l| l.m.clone()).collect();
                r.verdict = verdict.clone();
                if let Some((pc, bc)) = p.counters {
                    r.packets = pc;
                    r.bytes = bc;
                }
                p.rules.push(r);
            }
        }
    } else {
        let _ = AddrMask::default();
        if let Some(h) = &shost {
            addr::parse_multiple(family, h)?;
        }
        if let Some(h) = &dhost {
            addr::parse_multiple(family, h)?;
        }
    }

    // generic_opt_check
    let idrac = cmd::INSERT | cmd::DELETE | cmd::REPLACE | cmd::APPEND | cmd::CHECK;
    let allowed = |o: u32| -> u32 {
        match o {
            opt::NUMERIC | opt::EXPANDED | opt::LINENUMBERS => cmd::LIST,
            opt::VERBOSE => u32::MAX,
            opt::COUNTERS => cmd::INSERT | cmd::REPLACE | cmd::APPEND | cmd::SET_POLICY,
            _ => idrac,
        }
    };
    for i in 0..12 {
        let o = 1u32 << i;
        if p.options & o != 0 && allowed(o) & p.command != p.command {
            return Err(IptError::param(format!(
                "Illegal option `{}' with this command",
                option_name(o)
            )));
        }
    }
    if let Some(c) = &p.chain {
        if c.len() >= 29 {
            return Err(IptError::param(format!(
                "chain name `{c}' too long (must be under 29 chars)"
            )));
        }
    }
    if matches!(
        p.command,
        cmd::APPEND | cmd::DELETE | cmd::CHECK | cmd::INSERT | cmd::REPLACE
    ) {
        let chain = p.chain.as_deref().unwrap_or("");
        if (chain == "PREROUTING" || chain == "INPUT") && p.options & opt::VIANAMEOUT != 0 {
            return Err(IptError::param(format!(
                "Can't use --out-interface with {chain}"
            )));
        }
        if (chain == "POSTROUTING" || chain == "OUTPUT") && p.options & opt::VIANAMEIN != 0 {
            return Err(IptError::param(format!(
                "Can't use --in-interface with {chain}"
            )));
        }
    }
    Ok(p)
}

/// `load_proto` + `command_default`'s retry: load the `-p` protocol's
/// match on the first unknown option.
fn load_proto(st: &mut State, g: &mut Getopt) -> bool {
    let Some(proto) = st.protocol.clone() else {
        return false;
    };
    if st.proto_used {
        return false;
    }
    st.proto_used = true;
    let name = match num::strtoui(&proto, 0, 255) {
        Some(n) => match num::proto_to_name(n as u8, false) {
            Some(n) => n.to_string(),
            None => return false,
        },
        None => proto,
    };
    if st.load_match(&name).is_none() {
        return false;
    }
    g.optind -= 1;
    true
}

/// The entry an extension's option `opt` is handled as: for new-style
/// extensions libxtables looks the entry up by its id, so an alias is
/// named by the first option with the same id in messages (`--dport` is
/// udp's `--destination-port`, `--ttl` is `--ttl-eq`).
pub(crate) fn option_entry(opts: &'static [OptDef], opt: usize, x6: bool) -> &'static OptDef {
    let def = &opts[opt];
    if !x6 {
        return def;
    }
    opts.iter().find(|d| d.id == def.id).unwrap_or(def)
}
