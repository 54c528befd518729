//! `nftwire`: save, restore, list and diagnose nf_tables rulesets over
//! netlink, without the `nft` or `iptables` binaries.

mod cli;

use clap::{Parser, Subcommand};

/// Lossless nf_tables netlink manager.
#[derive(Parser)]
#[command(name = "nftwire", version, about)]
struct Top {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Write the whole ruleset (all families) in the lossless save format.
    Save(cli::save::Args),
    /// Replace the whole ruleset with a saved one, in one atomic batch.
    Restore(cli::restore::Args),
    /// List the ruleset (nft syntax, JSON, or raw expressions).
    List(cli::list::Args),
    /// Explain which rules iptables-nft cannot read, and why.
    Explain(cli::explain::Args),
    /// Decide which iptables backend (nft or legacy) is in use here.
    Backend(cli::backend::Args),
    /// Demonstrate the NetBird + kube-router conflict in a throwaway namespace.
    Demo(cli::demo::Args),
    /// Create iptables/ip6tables/... symlinks to nftwire-iptables in DIR.
    InstallShim(cli::install_shim::Args),
    /// Print nf_tables events (new/deleted tables, chains, rules, ...).
    Monitor(cli::monitor::Args),
    /// Converge chains to the rules an owner declares, touching no one else's.
    Reconcile(cli::reconcile::Args),
    /// List or follow conntrack entries, with the NAT each applies in words.
    Conntrack(cli::conntrack::Args),
    /// Print the packets NFLOG rules send to a log group.
    Log(cli::log::Args),
    /// Trace matching packets through every chain and rule, with verdicts.
    Trace(cli::trace::Args),
}

fn main() {
    // A closed standard output ends the process quietly (SIGPIPE), as it
    // ends C tools, instead of a panic or an error.
    nftwire::sigpipe::restore_default();
    let top = Top::parse();
    let r = match top.cmd {
        Cmd::Save(a) => cli::save::run(a),
        Cmd::Restore(a) => cli::restore::run(a),
        Cmd::List(a) => cli::list::run(a),
        Cmd::Explain(a) => cli::explain::run(a),
        Cmd::Backend(a) => cli::backend::run(a),
        Cmd::Demo(a) => cli::demo::run(a),
        Cmd::InstallShim(a) => cli::install_shim::run(a),
        Cmd::Monitor(a) => cli::monitor::run(a),
        Cmd::Reconcile(a) => cli::reconcile::run(a),
        Cmd::Conntrack(a) => cli::conntrack::run(a),
        Cmd::Log(a) => cli::log::run(a),
        Cmd::Trace(a) => cli::trace::run(a),
    };
    match r {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("nftwire: {}", cli::clip(&format!("{e:#}")));
            std::process::exit(cli::exit_code(&e));
        }
    }
}
