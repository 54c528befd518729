//! `nftwire install-shim DIR`: create the iptables, ebtables and arptables
//! tool names as symlinks to the `nftwire-iptables` multi-call binary, as a
//! container image or a NAT gateway would install it.

use anyhow::{bail, Context};
use std::path::{Path, PathBuf};

/// The names the multi-call binary answers to.
pub const TOOL_NAMES: &[&str] = &[
    "iptables",
    "iptables-save",
    "iptables-restore",
    "ip6tables",
    "ip6tables-save",
    "ip6tables-restore",
    "iptables-nft",
    "iptables-nft-save",
    "iptables-nft-restore",
    "ip6tables-nft",
    "ip6tables-nft-save",
    "ip6tables-nft-restore",
    "ebtables",
    "ebtables-save",
    "ebtables-restore",
    "ebtables-nft",
    "ebtables-nft-save",
    "ebtables-nft-restore",
    "arptables",
    "arptables-save",
    "arptables-restore",
    "arptables-nft",
    "arptables-nft-save",
    "arptables-nft-restore",
    "iptables-xml",
];

/// Arguments of `nftwire install-shim`.
#[derive(clap::Args)]
pub struct Args {
    /// Directory to create the symlinks in (e.g. /usr/local/sbin).
    pub dir: PathBuf,
    /// Path of the nftwire-iptables binary (default: next to this nftwire).
    #[arg(long)]
    pub shim: Option<PathBuf>,
    /// Replace existing files of the same names.
    #[arg(long)]
    pub force: bool,
}

fn default_shim() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe().context("cannot locate the nftwire binary")?;
    let dir = me.parent().unwrap_or(Path::new("."));
    Ok(dir.join("nftwire-iptables"))
}

/// Run the subcommand; returns the exit code.
pub fn run(a: Args) -> anyhow::Result<i32> {
    let shim = match a.shim {
        Some(p) => p,
        None => default_shim()?,
    };
    match std::fs::metadata(&shim) {
        Ok(m) if m.is_dir() => bail!(
            "{} is a directory, not the nftwire-iptables binary; pass --shim PATH/nftwire-iptables",
            shim.display()
        ),
        Ok(m) if !m.is_file() => bail!(
            "{} is not a regular file (the nftwire-iptables binary is)",
            shim.display()
        ),
        Ok(_) => {}
        Err(_) => bail!(
            "{} not found; build it with `cargo build --release -p nftwire-iptables` or pass --shim",
            shim.display()
        ),
    }
    let shim = shim
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", shim.display()))?;
    std::fs::create_dir_all(&a.dir)
        .with_context(|| format!("cannot create {}", a.dir.display()))?;
    // Every name is checked before any link is made, so a refusal leaves
    // the directory as it was.
    if !a.force {
        let taken: Vec<&str> = TOOL_NAMES
            .iter()
            .copied()
            .filter(|n| a.dir.join(n).symlink_metadata().is_ok())
            .collect();
        if !taken.is_empty() {
            bail!(
                "{} already exist{} in {} (use --force to replace them); nothing was installed",
                taken.join(", "),
                if taken.len() == 1 { "s" } else { "" },
                a.dir.display()
            );
        }
    }
    for name in TOOL_NAMES {
        let link = a.dir.join(name);
        if link.symlink_metadata().is_ok() {
            std::fs::remove_file(&link)
                .with_context(|| format!("cannot remove {}", link.display()))?;
        }
        std::os::unix::fs::symlink(&shim, &link)
            .with_context(|| format!("cannot create {}", link.display()))?;
        println!("{} -> {}", link.display(), shim.display());
    }
    Ok(0)
}
