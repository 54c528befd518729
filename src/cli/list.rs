//! `nftwire list` (not implemented yet).

/// Arguments of `nftwire list`.
#[derive(clap::Args)]
pub struct Args {}

/// Run the subcommand; returns the exit code.
pub fn run(_a: Args) -> anyhow::Result<i32> {
    anyhow::bail!("list is not implemented yet")
}
