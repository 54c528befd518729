//! `nftwire backend` (not implemented yet).

/// Arguments of `nftwire backend`.
#[derive(clap::Args)]
pub struct Args {}

/// Run the subcommand; returns the exit code.
pub fn run(_a: Args) -> anyhow::Result<i32> {
    anyhow::bail!("backend is not implemented yet")
}
