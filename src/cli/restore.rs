//! `nftwire restore` (not implemented yet).

/// Arguments of `nftwire restore`.
#[derive(clap::Args)]
pub struct Args {}

/// Run the subcommand; returns the exit code.
pub fn run(_a: Args) -> anyhow::Result<i32> {
    anyhow::bail!("restore is not implemented yet")
}
