//! `nftwire-iptables`: an iptables-nft 1.8.11 compatible multi-call binary
//! on the nftwire library. Called as `iptables`, `ip6tables`,
//! `iptables-save`, `ip6tables-save`, `iptables-restore`,
//! `ip6tables-restore`, `arptables`, `arptables-save`,
//! `arptables-restore`, `ebtables`, `ebtables-save`, `ebtables-restore`,
//! the translate tools (`iptables-translate`, `ip6tables-translate`,
//! `iptables-restore-translate`, `ip6tables-restore-translate`)
//! (also with `-nft` suffix), or under its own name (or
//! `xtables-nft-multi`) with the tool as first argument.

mod arp;
mod ebt;
mod exec;
mod fastline;
mod getopt;
mod help;
mod kernel;
mod model;
mod noflush;
mod parse;
mod prefetch;
mod refusals;
mod restore;
mod resync;
mod revision;
mod rulekey;
mod run;
mod save;
mod show;
mod xfam;
mod xlate;
mod xml;

use nftwire::iptables::Family;

fn dispatch(name: &str, args: Vec<String>) -> Option<i32> {
    let base = name.strip_suffix("-nft").unwrap_or(name);
    let base = match base {
        "iptables-nft-save" => "iptables-save",
        "ip6tables-nft-save" => "ip6tables-save",
        "iptables-nft-restore" => "iptables-restore",
        "ip6tables-nft-restore" => "ip6tables-restore",
        "arptables-nft-save" => "arptables-save",
        "arptables-nft-restore" => "arptables-restore",
        "ebtables-nft-save" => "ebtables-save",
        "ebtables-nft-restore" => "ebtables-restore",
        b => b,
    };
    Some(match base {
        "iptables" => run::main(Family::V4, args),
        "ip6tables" => run::main(Family::V6, args),
        "iptables-save" => save::main(Family::V4, name, args),
        "ip6tables-save" => save::main(Family::V6, name, args),
        "iptables-restore" => restore::main(Family::V4, name, args),
        "ip6tables-restore" => restore::main(Family::V6, name, args),
        "iptables-xml" => xml::main(args),
        "iptables-translate" => xlate::main(Family::V4, args),
        "ip6tables-translate" => xlate::main(Family::V6, args),
        "iptables-restore-translate" => xlate::restore_main(Family::V4, args),
        "ip6tables-restore-translate" => xlate::restore_main(Family::V6, args),
        "ebtables-translate" => xlate::ebt::main(args),
        "arptables-translate" => xlate::arp::main(args),
        "arptables" => arp::main(args),
        "arptables-save" => arp::save::main(name, args),
        "arptables-restore" => arp::save::restore_main(name, args),
        "ebtables" => ebt::main(args),
        "ebtables-save" => ebt::save::main(name, args),
        "ebtables-restore" => ebt::save::restore_main(name, args),
        _ => return None,
    })
}

fn main() {
    // Killed quietly by SIGPIPE on a closed standard output, as iptables-nft
    // 1.8.11 is (`iptables-save | grep -q X`).
    nftwire::sigpipe::restore_default();
    let args: Vec<String> = std::env::args().collect();
    let argv0 = args.first().cloned().unwrap_or_default();
    let name = std::path::Path::new(&argv0)
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(rc) = dispatch(&name, args.clone()) {
        std::process::exit(rc);
    }
    // multi-call: the first argument names the tool
    if args.len() >= 2 {
        let tool = std::path::Path::new(&args[1])
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(rc) = dispatch(&tool, args[1..].to_vec()) {
            std::process::exit(rc);
        }
    }
    if args.len() >= 2 && (args[1] == "--version" || args[1] == "-V") {
        println!("{name} v{}", nftwire::iptables::VERSION_STRING);
        std::process::exit(0);
    }
    eprintln!(
        "ERROR: No valid subcommand given.\nValid subcommands:\n * iptables\n * ip6tables\n * iptables-save\n * ip6tables-save\n * iptables-restore\n * ip6tables-restore\n * arptables\n * arptables-save\n * arptables-restore\n * ebtables\n * ebtables-save\n * ebtables-restore\n * iptables-xml\n * iptables-translate\n * ip6tables-translate\n * iptables-restore-translate\n * ip6tables-restore-translate\n * arptables-translate\n * ebtables-translate"
    );
    std::process::exit(1);
}
