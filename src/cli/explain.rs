//! `nftwire explain` (not implemented yet).

/// Arguments of `nftwire explain`.
#[derive(clap::Args)]
pub struct Args {}

/// Run the subcommand; returns the exit code.
pub fn run(_a: Args) -> anyhow::Result<i32> {
    anyhow::bail!("explain is not implemented yet")
}
