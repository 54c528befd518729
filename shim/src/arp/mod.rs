//! `arptables`, `arptables-save` and `arptables-restore` (also with
//! `-nft`), as arptables-nft 1.8.11: commands on the `arp filter` table
//! through the shared table engine ([`crate::xfam`]).

pub mod exec;
pub mod parse;
pub mod save;

use crate::run::{connect, fail};
use nftwire::arptables::{decode::decode, tables, ArpRule};
use nftwire::consts::family::ARP;
use nftwire::iptables::IptError;
use nftwire::object::Rule;

/// The family of every object these tools touch.
pub const FAMILY: u8 = ARP;

/// The decoder the table engine uses.
pub fn decode_rule(r: &Rule, _sets: &crate::xfam::snapshot::SetMap) -> Result<ArpRule, String> {
    decode(r)
}

/// `arptables ARGS...`.
pub fn main(args: Vec<String>) -> i32 {
    let prog = "arptables";
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
