//! Arbitrary text as a save file (what `nftwire restore` reads before
//! anything reaches the kernel): parsing never panics and never allocates
//! far more than the text could describe (run with libFuzzer's
//! `-rss_limit_mb`), and every file it accepts renders back to text that
//! parses to the same creation messages. Seeds: the files of
//! `tests/data/hostile/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(ops) = nftwire::save::parse(text) else {
        return;
    };
    let again = nftwire::save::render_ops(&ops).expect("accepted blocks render");
    let back = nftwire::save::parse(&again).expect("rendered text parses");
    assert_eq!(ops.len(), back.len());
    for (a, b) in ops.iter().zip(&back) {
        assert_eq!(a.msg, b.msg);
    }
});
