//! `nftwire demo` (not implemented yet).

/// Arguments of `nftwire demo`.
#[derive(clap::Args)]
pub struct Args {}

/// Run the subcommand; returns the exit code.
pub fn run(_a: Args) -> anyhow::Result<i32> {
    anyhow::bail!("demo is not implemented yet")
}
