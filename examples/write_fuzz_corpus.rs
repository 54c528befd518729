//! Writes the fuzz seeds (`fuzz/src/lib.rs`, the inputs `tests/fuzz_decode`
//! mutates) as the starting corpus of the cargo-fuzz targets, one file per
//! seed under `fuzz/corpus/<target>/`:
//! `cargo run --example write_fuzz_corpus` (from the repository root).

#[path = "../fuzz/src/lib.rs"]
mod seeds;

fn main() -> std::io::Result<()> {
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    for target in ["decode_objects", "decode_exprs"] {
        let dir = base.join(target);
        std::fs::create_dir_all(&dir)?;
        for (i, s) in seeds::all_seeds().iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{i:03}")), s)?;
        }
    }
    println!("corpus written to {}", base.display());
    Ok(())
}
