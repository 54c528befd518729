//! Reading the few objects a command needs, and building batch operations.

use nftwire::consts::msg;
use nftwire::netlink::{BatchOp, Conn, NfMsg};
use nftwire::object::selector as body;
use nftwire::object::{Chain, Kind, Obj, Rule, Table};
use nftwire::ruleset::SetWithElems;
use nftwire::{Error, Result};

/// `NLM_F_REPLACE`.
pub const F_REPLACE: u16 = 0x100;
/// `NLM_F_NONREC`.
pub const F_NONREC: u16 = 0x100;
/// `NLM_F_EXCL`.
pub const F_EXCL: u16 = 0x200;
/// `NLM_F_CREATE`.
pub const F_CREATE: u16 = 0x400;
/// `NLM_F_APPEND`.
pub const F_APPEND: u16 = 0x800;

fn get_one<T: Kind>(conn: &mut Conn, m: NfMsg) -> Result<Option<Obj<T>>> {
    match conn.request(m) {
        Ok(v) => Ok(v
            .iter()
            .find(|x| x.msg() == T::NEW)
            .and_then(Obj::<T>::from_msg)),
        Err(Error::Kernel { errno: 2, .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `GETTABLE` for one table.
pub fn get_table(conn: &mut Conn, family: u8, name: &str) -> Result<Option<Table>> {
    get_one(
        conn,
        NfMsg::nft(msg::GETTABLE, 0, family, body(&[(1, name)])),
    )
}

/// `GETCHAIN` for one chain.
pub fn get_chain(conn: &mut Conn, family: u8, table: &str, name: &str) -> Result<Option<Chain>> {
    get_one(
        conn,
        NfMsg::nft(msg::GETCHAIN, 0, family, body(&[(1, table), (3, name)])),
    )
}

fn parse_all<T: Kind>(v: Vec<NfMsg>) -> Result<Vec<Obj<T>>> {
    nftwire::object::parse_msgs(v, T::NEW)
}

/// All chains of a table.
pub fn dump_chains(conn: &mut Conn, family: u8, table: &str) -> Result<Vec<Chain>> {
    Ok(dump_chains_of(conn, family, &[table])?
        .pop()
        .unwrap_or_default())
}

/// The chains of each of the named tables (in the order of `tables`), each
/// list in the kernel's order, from one dump.
pub fn dump_chains_of(conn: &mut Conn, family: u8, tables: &[&str]) -> Result<Vec<Vec<Chain>>> {
    // The kernel dumps the chains of every table whatever the request
    // names: only these tables' are decoded.
    let filter = match tables {
        [one] => body(&[(1, one)]),
        _ => Vec::new(),
    };
    let index = |name: &[u8]| tables.iter().position(|t| t.as_bytes() == name);
    let mut out: Vec<Vec<Chain>> = tables.iter().map(|_| Vec::new()).collect();
    match nftwire::netlink::parallel::dump_objects_where::<nftwire::object::ChainAttrs>(
        conn,
        family,
        filter,
        |b| nftwire::object::raw_name(b, 1).and_then(index).is_some(),
    ) {
        Ok(v) => {
            for c in v {
                if let Some(i) = index(c.table().as_bytes()) {
                    out[i].push(c);
                }
            }
            Ok(out)
        }
        Err(Error::Kernel { errno: 2, .. }) => Ok(out),
        Err(e) => Err(e),
    }
}

/// The names of the family's tables (one `GETTABLE` dump).
pub fn table_names(conn: &mut Conn, family: u8) -> Result<Vec<String>> {
    let v = conn.dump(msg::GETTABLE, family, Vec::new())?;
    Ok(v.iter()
        .filter(|m| m.msg() == msg::NEWTABLE)
        .filter_map(|m| nftwire::object::raw_name(&m.body, 1))
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect())
}

/// Rules of a table, or of one chain.
pub fn dump_rules(
    conn: &mut Conn,
    family: u8,
    table: &str,
    chain: Option<&str>,
) -> Result<Vec<Rule>> {
    let mut a = vec![(1u16, table)];
    if let Some(c) = chain {
        a.push((2, c));
    }
    let v = match conn.dump(msg::GETRULE, family, body(&a)) {
        Ok(v) => v,
        Err(Error::Kernel { errno: 2, .. }) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(parse_all::<nftwire::object::RuleAttrs>(v)?
        .into_iter()
        .filter(|r| r.table() == table && chain.is_none_or(|c| r.chain() == c))
        .collect())
}

/// The rules of one chain as model entries, each already decoded as an
/// iptables rule. With `overlap`, the decoding runs on worker threads while
/// the dump is still being received (`nftwire::netlink::parallel::map_dump`),
/// so a long chain costs little more than its dump; without it (callers
/// that already spread chains over threads) it runs right here.
pub fn dump_chain_entries(
    conn: &mut Conn,
    family: u8,
    table: &str,
    chain: &str,
    overlap: bool,
) -> Result<Vec<crate::model::Entry>> {
    let shared: std::sync::Arc<str> = std::sync::Arc::from(table);
    let sel = body(&[(1, table), (2, chain)]);
    let v = if overlap {
        nftwire::netlink::parallel::map_dump(conn, msg::GETRULE, family, sel.into(), |m| {
            match m.to_nf() {
                Some(nf) => entry_of(nf, chain, &shared),
                None => Ok(None),
            }
        })
    } else {
        conn.dump(msg::GETRULE, family, sel).and_then(|v| {
            let mut out = Vec::with_capacity(v.len());
            for nf in v {
                out.extend(entry_of(nf, chain, &shared)?);
            }
            Ok(out)
        })
    };
    match v {
        Ok(v) => Ok(v),
        Err(Error::Kernel { errno: 2, .. }) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// The model entry of one dumped message of `chain` (None for other
/// messages). iptables rules keep only their message (the model uses their
/// decoded form); foreign rules keep the typed rule, which prints them.
fn entry_of(
    nf: NfMsg,
    chain: &str,
    table: &std::sync::Arc<str>,
) -> Result<Option<crate::model::Entry>> {
    use crate::model::Entry;
    use nftwire::iptables::decode::Decoded;
    use nftwire::object::RuleAttrs;
    if nf.msg() != msg::NEWRULE {
        return Ok(None);
    }
    let r = nftwire::object::decode_msg::<RuleAttrs>(&nf)?;
    if r.table() != &**table || r.chain() != chain {
        return Ok(None);
    }
    let d = crate::model::decode_rule(&r, table);
    Ok(Some(match d {
        Decoded::Rule(_) => Entry::from_dump(nf, r.attrs.handle, table.clone(), d),
        Decoded::Foreign(_) => Entry::new(r, table.clone(), d),
    }))
}

/// The sets of a table with their elements (to print foreign rules that
/// look them up).
pub fn dump_sets(conn: &mut Conn, family: u8, table: &str) -> Result<Vec<SetWithElems>> {
    let v = match conn.dump(msg::GETSET, family, body(&[(1, table)])) {
        Ok(v) => v,
        Err(Error::Kernel { errno: 2, .. }) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for set in parse_all::<nftwire::object::SetAttrs>(v)? {
        if set.table() != table {
            continue;
        }
        let elems = match nftwire::object::element::dump_elements(conn, family, table, set.name()) {
            Ok(v) => v,
            Err(Error::Kernel { errno: 2, .. }) => Vec::new(),
            Err(e) => return Err(e),
        };
        out.push(SetWithElems { set, elems });
    }
    Ok(out)
}

/// A batch operation.
pub fn op(m: NfMsg, op: &str, what: String) -> BatchOp {
    BatchOp {
        msg: m,
        op: op.to_string(),
        what,
    }
}

/// `NEWTABLE` (CREATE) with just the name.
pub fn table_add(family: u8, name: &str) -> BatchOp {
    op(
        Table::named(family, name).to_msg(msg::NEWTABLE, F_CREATE),
        "TABLE_ADD",
        format!("table {name}"),
    )
}

/// Whether the table holds anything besides chains and rules that
/// iptables would lose by deleting it: sets, stateful objects, flowtables,
/// table flags (dormant, owner, persist) or userdata (an nft comment).
pub fn table_holds_other_objects(conn: &mut Conn, family: u8, table: &str) -> Result<bool> {
    let Some(t) = get_table(conn, family, table)? else {
        return Ok(false);
    };
    if t.attrs.flags.unwrap_or(0) != 0 || t.attrs.userdata.is_some() {
        return Ok(true);
    }
    for get in [msg::GETSET, msg::GETOBJ, msg::GETFLOWTABLE] {
        // Each dump is filtered by table (attribute 1 is the table name of
        // sets, objects and flowtables alike).
        match conn.dump(get, family, body(&[(1, table)])) {
            Ok(v) if v.iter().any(|m| m.msg() == get - 1) => return Ok(true),
            Ok(_) | Err(Error::Kernel { errno: 2, .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}
