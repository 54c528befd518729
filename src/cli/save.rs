//! `nftwire save` (not implemented yet).

/// Arguments of `nftwire save`.
#[derive(clap::Args)]
pub struct Args {}

/// Run the subcommand; returns the exit code.
pub fn run(_a: Args) -> anyhow::Result<i32> {
    anyhow::bail!("save is not implemented yet")
}
