//! `nftwire reconcile FILE [--dry-run]`: converge chains to the rules an
//! owner declares (format: [`nftwire::reconcile::text`]), in one atomic,
//! generation-guarded batch, touching no one else's rules.

use anyhow::Context;
use nftwire::netlink::Conn;
use nftwire::reconcile::text::{parse_file, Section};
use nftwire::reconcile::{self, Plan, Step};
use std::io::Read;

/// Arguments of `nftwire reconcile`.
#[derive(clap::Args)]
pub struct Args {
    /// The file declaring the desired rules (standard input when `-`).
    pub file: std::path::PathBuf,
    /// Print the plan without changing anything.
    #[arg(long)]
    pub dry_run: bool,
}

/// Run the subcommand; returns the exit code.
pub fn run(a: Args) -> anyhow::Result<i32> {
    let (label, bytes) = if a.file.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .context("cannot read standard input")?;
        ("<stdin>".to_string(), b)
    } else {
        let b =
            std::fs::read(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
        (a.file.display().to_string(), b)
    };
    let text = super::utf8_text(&label, bytes).map_err(nftwire::Error::Input)?;
    let sections = parse_file(&text).with_context(|| label.clone())?;
    let mut conn = Conn::open()?;
    if a.dry_run {
        for s in &sections {
            let d = &s.desired;
            let st = reconcile::read_chain(&mut conn, d.family, &d.table, &d.chain)?;
            let p = reconcile::plan(&st, d).with_context(|| d.describe())?;
            print_plan(s, &p, true);
        }
        return Ok(0);
    }
    let desired: Vec<_> = sections.iter().map(|s| s.desired.clone()).collect();
    let applied = reconcile::apply_all(&mut conn, &desired)?;
    for (s, p) in sections.iter().zip(applied.plans.iter()) {
        print_plan(s, p, false);
    }
    Ok(0)
}

fn print_plan(s: &Section, p: &Plan, dry: bool) {
    let d = &s.desired;
    if p.is_empty() {
        println!("{}: converged, nothing to do", d.describe());
        return;
    }
    let n = p.steps.len();
    let verb = if dry { "would apply" } else { "applied" };
    println!(
        "{}: {verb} {n} change{}",
        d.describe(),
        if n == 1 { "" } else { "s" }
    );
    for step in &p.steps {
        let src = match step {
            Step::Insert { key, .. } | Step::Replace { key, .. } => d
                .rules
                .iter()
                .position(|r| r.key == *key)
                .and_then(|i| s.sources.get(i))
                .map(|(_, t)| format!(": {t}"))
                .unwrap_or_default(),
            _ => String::new(),
        };
        println!("  {step}{src}");
    }
}
