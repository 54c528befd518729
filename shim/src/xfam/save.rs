//! The save text of an `arp` or `bridge` table, as `arptables-save` and
//! `ebtables-save` print it.

use super::Snapshot;

/// The save text of the table (empty when it does not exist): the
/// tainted note and header, a `:CHAIN POLICY` line per shown chain (a
/// user chain's policy from `user_policy`), each chain's rules written
/// by `rules`, and the trailer.
pub fn save_text<R: Clone>(
    s: &Snapshot<R>,
    prog: &str,
    user_policy: impl Fn(&str) -> &'static str,
    mut rules: impl FnMut(&str, &mut String),
) -> String {
    if !s.exists {
        return String::new();
    }
    let mut out = s.tainted_note();
    out += &super::args::save_header(prog, &s.table);
    let names = s.shown(None);
    for n in &names {
        let pol = match s.builtin.chain(n) {
            Some(_) => s.chain(n).and_then(|c| c.policy()).unwrap_or("ACCEPT"),
            None => user_policy(n),
        };
        out.push_str(&format!(":{n} {pol}\n"));
    }
    for n in &names {
        rules(n, &mut out);
    }
    out.push_str(&format!("# Completed on {}\n", crate::show::ctime_now()));
    out
}
