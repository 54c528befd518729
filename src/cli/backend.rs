//! `nftwire backend`: decide whether this network namespace uses
//! iptables-nft, iptables-legacy or neither, with the evidence (see
//! [`nftwire::diagnose::backend`] for the decision rules).

use anyhow::Context;
use nftwire::diagnose::backend::{decide, gather};
use nftwire::netlink::Conn;
use nftwire::ruleset::Ruleset;

/// Arguments of `nftwire backend`.
#[derive(clap::Args)]
pub struct Args {
    /// Print `{"backend": ..., "evidence": [...]}`.
    #[arg(long)]
    pub json: bool,
}

/// Run the subcommand; returns the exit code.
pub fn run(a: Args) -> anyhow::Result<i32> {
    let mut conn = Conn::open().context("cannot open a netlink socket")?;
    let rs = Ruleset::read(&mut conn, 0).context("cannot read the nf_tables ruleset")?;
    let v = decide(&gather(rs));
    if a.json {
        println!("{}", v.to_json().to_pretty());
        return Ok(0);
    }
    println!("backend: {}", v.backend.as_str());
    for e in &v.evidence {
        let tag = match e.supports {
            Some(b) => format!("[{}]", b.as_str()),
            None => "[-]".into(),
        };
        println!("  {tag:<9} {}", e.detail);
    }
    Ok(0)
}
