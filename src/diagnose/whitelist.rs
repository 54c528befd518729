//! The expression whitelist iptables-nft applies before listing
//! (`nft_is_expr_compatible`, identical in 1.8.9, 1.8.10 and 1.8.11).
//!
//! `iptables -S`, `-L` and `iptables-save` refuse a table (or, with a chain
//! argument, a chain) in which any rule has an expression outside this list;
//! `-C` and `-D` never apply it.

use super::nlexpr::NlExpr;

/// Expression names accepted unconditionally.
pub const ALWAYS: [&str; 10] = [
    "match",
    "target",
    "payload",
    "meta",
    "cmp",
    "bitwise",
    "counter",
    "immediate",
    "lookup",
    "range",
];

/// `NFTA_LIMIT_TYPE`.
const LIMIT_TYPE: u16 = 4;
/// `NFTA_LIMIT_FLAGS`.
const LIMIT_FLAGS: u16 = 5;
/// `NFTA_LOG_GROUP`.
const LOG_GROUP: u16 = 1;

/// Why an expression fails the whitelist, or `None` when it passes.
pub fn rejects(e: &NlExpr) -> Option<String> {
    let name = e.name.as_str();
    if ALWAYS.contains(&name) {
        return None;
    }
    match name {
        "limit" => {
            let ty = e.u32(LIMIT_TYPE);
            let flags = e.u32(LIMIT_FLAGS);
            if ty == 0 && flags == 0 {
                None
            } else if ty != 0 {
                Some(
                    "a byte-based `limit` is not on iptables' list of supported expressions".into(),
                )
            } else {
                Some("an inverted (`over`) `limit` is not on iptables' list of supported expressions".into())
            }
        }
        "log" => {
            if e.is_set(LOG_GROUP) {
                None
            } else {
                Some("`log` without a group (syslog logging) is not on iptables' list of supported expressions".into())
            }
        }
        "" => Some("an expression without a name".into()),
        other => Some(format!(
            "`{other}` is not on iptables' list of supported expressions"
        )),
    }
}
