//! `nftwire install-shim` (not implemented yet).

/// Arguments of `nftwire install-shim`.
#[derive(clap::Args)]
pub struct Args {}

/// Run the subcommand; returns the exit code.
pub fn run(_a: Args) -> anyhow::Result<i32> {
    anyhow::bail!("install-shim is not implemented yet")
}
