//! `ebtables`, `ebtables-save` and `ebtables-restore` (also with `-nft`),
//! as ebtables-nft 1.8.11: commands on the bridge tables through the
//! shared table engine ([`crate::xfam`]).

pub mod exec;
pub mod parse;
pub mod save;

use crate::run::{connect, fail};
use nftwire::consts::family::BRIDGE;
use nftwire::ebtables::{tables, EbtRule};
use nftwire::iptables::IptError;
use nftwire::object::Rule;

/// The family of every object these tools touch.
pub const FAMILY: u8 = BRIDGE;

/// The decoder the table engine uses.
pub fn decode_rule(r: &Rule, sets: &crate::xfam::snapshot::SetMap) -> Result<EbtRule, String> {
    nftwire::ebtables::decode::decode_with_sets(r, r.table(), sets)
}

/// `ebtables ARGS...`.
pub fn main(args: Vec<String>) -> i32 {
    let prog = "ebtables";
    let p = match parse::parse(args, false, prog) {
        Ok(p) => p,
        Err(e) => return fail(&e, prog, None),
    };
    if let Some(s) = &p.stdout {
        print!("{s}");
        return 0;
    }
    let Some(t) = tables::table(&p.table) else {
        let e = IptError::version(format!("table '{}' does not exist", p.table));
        return fail(&e, prog, None);
    };
    let mut conn = match connect() {
        Ok(c) => c,
        Err(e) => return fail(&e, prog, None),
    };
    let r = crate::xfam::snapshot::transact(&mut conn, FAMILY, t, decode_rule, |s, out| {
        exec::run(s, &p, out)
    });
    match r {
        Ok((out, warnings)) => {
            print!("{out}");
            for w in warnings {
                eprintln!("{w}");
            }
            0
        }
        Err(e) => fail(&e, prog, None),
    }
}
