//! `nftwire explain`: predict what iptables-nft does with every rule of the
//! iptables tables (listing and `-C`/`-D`), and why.

use anyhow::Context;
use nftwire::diagnose::explain::{
    incompatible_message, prog, CheckOutcome, Explanation, ListOutcome, RuleReport,
};
use nftwire::diagnose::extprint::IptablesModel;
use nftwire::diagnose::layout::{self, family_str};
use nftwire::diagnose::version::{host_iptables, HostIptables};
use nftwire::diagnose::{explain, IptVersion, Options};
use nftwire::netlink::Conn;
use nftwire::ruleset::Ruleset;
use std::fmt::Write;

/// Arguments of `nftwire explain`.
#[derive(clap::Args)]
pub struct Args {
    /// Print a JSON array, one object per rule.
    #[arg(long)]
    pub json: bool,
    /// The iptables-nft release to model: 1.8.9, 1.8.10 or 1.8.11 (default:
    /// the host's iptables if it is iptables-nft, else 1.8.11).
    #[arg(long = "iptables-version", value_name = "VERSION")]
    pub iptables_version: Option<String>,
    /// Only this family: ip, ip6, bridge (ebtables) or arp (arptables).
    #[arg(long, value_name = "F")]
    pub family: Option<String>,
    /// Only this table (filter, nat, mangle, raw, security).
    #[arg(long, value_name = "T")]
    pub table: Option<String>,
    /// Only this chain.
    #[arg(long, value_name = "C")]
    pub chain: Option<String>,
    /// Also list the rules iptables reads correctly.
    #[arg(long, short = 'a')]
    pub all: bool,
}

/// Where the modelled release came from.
pub enum VersionSource {
    /// `--iptables-version`.
    Flag,
    /// The host's iptables-nft.
    Host(HostIptables),
    /// No host iptables-nft: the default.
    Default(Option<HostIptables>),
}

/// Resolve `--iptables-version` or the host default.
pub fn pick_version(flag: Option<&str>) -> anyhow::Result<(IptVersion, VersionSource)> {
    if let Some(v) = flag {
        let Some(v) = IptVersion::parse(v) else {
            return Err(nftwire::Error::Input(format!(
                "unsupported --iptables-version `{v}' (use 1.8.9, 1.8.10 or 1.8.11)"
            ))
            .into());
        };
        return Ok((v, VersionSource::Flag));
    }
    let host = host_iptables();
    if let Some(h) = &host {
        if let Some(v) = h.model() {
            return Ok((v, VersionSource::Host(h.clone())));
        }
    }
    Ok((IptVersion::V1_8_11, VersionSource::Default(host)))
}

/// One line saying which release is modelled and why.
pub fn describe_source(v: IptVersion, src: &VersionSource) -> String {
    match src {
        VersionSource::Flag => format!("iptables-nft {v} (as requested)"),
        VersionSource::Host(h) => {
            let chain: Vec<String> = h.chain.iter().map(|p| p.display().to_string()).collect();
            format!(
                "iptables-nft {v}, the host's iptables ({}; release read from the binary, not run){}",
                chain.join(" -> "),
                match h.release.as_deref() {
                    Some(r) if r != v.as_str() => format!(", modelled as {v}"),
                    _ => String::new(),
                }
            )
        }
        VersionSource::Default(None) => {
            format!("iptables-nft {v} (default: no iptables on this host)")
        }
        VersionSource::Default(Some(h)) => format!(
            "iptables-nft {v} (default: the host's iptables at {} is {})",
            h.path.display(),
            match h.nft {
                Some(false) => "iptables-legacy",
                _ => "not recognised",
            }
        ),
    }
}

fn parse_family(f: Option<&str>) -> anyhow::Result<Option<u8>> {
    match f {
        None => Ok(None),
        Some("ip") | Some("ipv4") => Ok(Some(layout::FAMILY_IP)),
        Some("ip6") | Some("ipv6") => Ok(Some(layout::FAMILY_IP6)),
        Some("bridge") => Ok(Some(nftwire::diagnose::ebtarp::FAMILY_BRIDGE)),
        Some("arp") => Ok(Some(nftwire::diagnose::ebtarp::FAMILY_ARP)),
        Some(x) => Err(nftwire::Error::Input(format!(
            "--family must be ip, ip6 (iptables), bridge (ebtables) or arp (arptables), not `{x}'"
        ))
        .into()),
    }
}

/// Run the subcommand; returns the exit code.
pub fn run(a: Args) -> anyhow::Result<i32> {
    let (version, source) = pick_version(a.iptables_version.as_deref())?;
    let family = parse_family(a.family.as_deref())?;
    if let Some(t) = &a.table {
        if layout::builtin_table(layout::FAMILY_IP, t).is_none()
            && !nftwire::diagnose::ebtarp::managed(nftwire::diagnose::ebtarp::FAMILY_BRIDGE, t)
        {
            return Err(nftwire::Error::Input(format!(
                "--table must be one of raw, mangle, filter, security, nat, broute, not `{t}'"
            ))
            .into());
        }
    }
    let mut conn = Conn::open().context("cannot open a netlink socket")?;
    let rs = Ruleset::read(&mut conn, 0).context("cannot read the ruleset")?;
    let opts = Options {
        version,
        family,
        table: a.table.clone(),
        chain: a.chain.clone(),
        ifname: &nftwire::diagnose::explain::if_indextoname,
        ext: &IptablesModel,
    };
    let ex = explain(&rs, &opts);
    if a.json {
        println!("{}", ex.to_json().to_pretty());
    } else {
        print!("{}", render(&ex, &describe_source(version, &source), a.all));
    }
    Ok(if ex.all_readable() { 0 } else { 1 })
}

fn rule_ref(r: &RuleReport) -> String {
    match r.handle {
        Some(h) => format!("{} handle {h}", r.chain),
        None => r.chain.clone(),
    }
}

fn status(r: &RuleReport) -> &'static str {
    if r.hidden_by.is_some() {
        "hidden"
    } else if r.list == ListOutcome::Incompatible {
        "INCOMPATIBLE"
    } else if r.list == ListOutcome::Error || r.check == CheckOutcome::Error {
        "ERROR"
    } else if r.misread {
        "MISREAD"
    } else {
        "ok"
    }
}

/// The human report.
pub fn render(ex: &Explanation, source: &str, all: bool) -> String {
    let mut o = String::new();
    let v = ex.version;
    let _ = writeln!(o, "Prediction for {source}.");
    if ex.rules.is_empty() && ex.base_chains.is_empty() {
        let _ = writeln!(
            o,
            "No rules in iptables tables (ip/ip6 raw, mangle, filter, security, nat)."
        );
        return o;
    }
    for t in &ex.tables {
        let f = t.family;
        let tool = prog(f);
        let xfam = nftwire::diagnose::ebtarp::managed(f, &t.table);
        let _ = writeln!(o, "\n{} {}", family_str(f), t.table);
        if t.tainted {
            let _ = writeln!(
                o,
                "  listings start with: # Table `{}' contains incompatible base-chains, use 'nft' tool to list them.",
                t.table
            );
            for b in ex
                .base_chains
                .iter()
                .filter(|b| b.family == f && b.table == t.table)
            {
                let _ = writeln!(
                    o,
                    "    base chain {}: {}; iptables ignores it and its {} rule(s){}",
                    b.chain,
                    b.problem,
                    b.rules,
                    if b.builtin_name {
                        format!(
                            ", and `{tool} -t {} -A {}` fails with `CHAIN_ADD failed (Operation not supported)`",
                            t.table, b.chain
                        )
                    } else {
                        String::new()
                    }
                );
            }
        }
        if let Some(i) = t.first_incompatible {
            let _ = writeln!(
                o,
                "  {tool} -S / -L: exit 1, \"{}\"",
                incompatible_message(v, f, &t.table, None)
            );
            let _ = writeln!(
                o,
                "  {tool}-save: prints \"# Table `{}' is incompatible, use 'nft' tool.\" instead of the table (exit 0)",
                t.table
            );
            let _ = writeln!(o, "    (first culprit: {})", rule_ref(&ex.rules[i]));
        } else if let Some(i) = t.first_error {
            let r = &ex.rules[i];
            let _ = writeln!(
                o,
                "  {tool} -S / -L / {tool}-save: exit 3 at {}: Error: {} / Parsing nftables rule failed",
                rule_ref(r),
                r.error().unwrap_or("?")
            );
        } else {
            let _ = writeln!(o, "  {tool} -S / -L / {tool}-save: work");
        }
        // -C/-D per chain: the first rule whose reading fails stops them.
        let mut chains: Vec<&str> = Vec::new();
        for r in ex
            .rules
            .iter()
            .filter(|r| r.family == f && r.table == t.table)
        {
            if !chains.contains(&r.chain.as_str()) {
                chains.push(&r.chain);
            }
        }
        for c in &chains {
            let rules: Vec<&RuleReport> = ex
                .rules
                .iter()
                .filter(|r| r.family == f && r.table == t.table && &r.chain == c)
                .collect();
            // ebtables' -C changes counters; only -D searches by spec there.
            let search = if xfam { "-D" } else { "-C/-D" };
            if let Some(r) = rules.iter().find(|r| r.check == CheckOutcome::Error) {
                let _ = writeln!(
                    o,
                    "  {tool} {search} {c}: exit 3 for any rule not found before {}: Error: {}",
                    rule_ref(r),
                    r.error().unwrap_or("(undefined behaviour)")
                );
            }
            let mut fine = 0;
            let mut hidden = 0;
            for r in &rules {
                if r.hidden_by.is_some() && !all {
                    hidden += 1;
                    continue;
                }
                if r.readable() && !all {
                    fine += 1;
                    continue;
                }
                let _ = writeln!(o, "  {:<24} {}", rule_ref(r), status(r));
                if r.readable() {
                    if let Some(l) = &r.iptables {
                        let _ = writeln!(o, "      {l}");
                    }
                    continue;
                }
                let _ = writeln!(o, "      why: {}", r.reason);
                if r.hidden_by.is_none() {
                    if let Some(c) = &r.culprit {
                        let _ = writeln!(o, "      culprit: expression #{} {}", c.index, c.raw);
                    }
                    if !r.errors.is_empty() {
                        let lines: Vec<String> = r
                            .errors
                            .iter()
                            .map(|e| format!("Error: {}", e.message))
                            .collect();
                        let _ = writeln!(o, "      {tool} prints: {}", lines.join(" | "));
                    }
                    for f in r.findings.iter().skip(1) {
                        let _ = writeln!(o, "      also: expression #{}: {}", f.expr, f.text);
                    }
                }
                match &r.suggestion {
                    Some(s) => {
                        let _ = writeln!(
                            o,
                            "      suggestion (an iptables-compatible equivalent; not applied):"
                        );
                        for l in &s.rules {
                            let _ = writeln!(o, "        {tool} -t {} {}", t.table, l);
                        }
                        for n in &s.notes {
                            let _ = writeln!(o, "        note: {n}");
                        }
                    }
                    None if r.hidden_by.is_none() && !xfam => {
                        let _ = writeln!(
                            o,
                            "      suggestion: none ({})",
                            r.no_suggestion
                                .as_deref()
                                .unwrap_or("no iptables equivalent known")
                        );
                    }
                    None => {}
                }
            }
            if fine > 0 {
                let _ = writeln!(o, "  {c}: {fine} rule(s) read correctly");
            }
            if hidden > 0 {
                let _ = writeln!(
                    o,
                    "  {c}: {hidden} rule(s) invisible to iptables (their base chain is ignored)"
                );
            }
        }
    }
    let bad = ex
        .rules
        .iter()
        .filter(|r| !r.readable() || r.hidden_by.is_some())
        .count();
    let tables = ex.tables.len();
    let _ = writeln!(
        o,
        "\n{} rule(s) in {tables} table(s); {bad} not read correctly by {} {v}{}.",
        ex.rules.len(),
        if ex
            .rules
            .iter()
            .any(|r| nftwire::diagnose::ebtarp::managed(r.family, &r.table))
        {
            "iptables/ebtables/arptables"
        } else {
            "iptables"
        },
        if ex.base_chains.is_empty() {
            String::new()
        } else {
            format!(", {} incompatible base chain(s)", ex.base_chains.len())
        }
    );
    o
}
