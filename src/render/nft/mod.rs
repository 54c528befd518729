//! `nft list` text output: nft's delinearization (expressions back into
//! statements), post-processing and printing, reimplemented on nftwire's
//! object model so that `nftwire list` prints what `nft list` prints for
//! the same kernel state, and still prints (in a raw or iptables-like
//! form) what nft cannot.
//!
//! Entry point: [`render`].

pub mod attrs;
pub mod delinearize;
pub mod dtype;
pub mod expr;
pub mod exthdr;
pub mod keys;
pub mod live;
pub mod model;
pub mod num;
pub mod obj;
pub mod octx;
pub mod payload;
pub mod postprocess;
pub mod print;
pub mod proto;
pub mod set;
pub mod stmt;
pub mod sysdb;
pub mod text;
pub mod typeof_key;
pub mod udata;
pub mod value;
pub mod wire_rule;
pub mod xt;

pub use octx::Octx;

use crate::ruleset::Ruleset;
use model::Model;

/// What to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// All tables (of one family when given).
    Ruleset(Option<u8>),
    /// One table.
    Table(u8, String),
    /// One chain.
    Chain(u8, String, String),
    /// One set (or map).
    Set(u8, String, String),
}

/// A rendered listing: what goes to stdout, and the warnings nft writes to
/// stderr (`# Warning: table … is managed by iptables-nft`).
#[derive(Clone, Debug, Default)]
pub struct Output {
    /// The listing.
    pub text: String,
    /// Warnings.
    pub warnings: String,
}

/// Error of a selection that names something absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotFound(pub String);

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Render a listing as `nft list …` would.
pub fn render(rs: &Ruleset, sel: &Selection, oc: &Octx) -> Result<Output, NotFound> {
    let mut out = Output {
        text: String::with_capacity(rs.rules.len() * 96 + 1024),
        warnings: String::new(),
    };
    match sel {
        Selection::Ruleset(fam) => {
            let m = Model::build(rs, &|f, _| fam.map(|x| x == f).unwrap_or(true));
            text::model(&m, oc, &mut out.text, &mut out.warnings);
        }
        Selection::Table(fam, name) => {
            let m = Model::build(rs, &|f, n| f == *fam && n == name);
            if m.tables.is_empty() {
                return Err(NotFound(format!(
                    "No such table: {} {}",
                    text::family_name(*fam),
                    name
                )));
            }
            text::model(&m, oc, &mut out.text, &mut out.warnings);
        }
        Selection::Chain(fam, table, chain) => {
            let m = Model::build(rs, &|f, n| f == *fam && n == table);
            let Some(t) = m.tables.first() else {
                return Err(NotFound(format!(
                    "No such table: {} {}",
                    text::family_name(*fam),
                    table
                )));
            };
            let Some(c) = t.chains.iter().find(|c| c.chain.name() == chain) else {
                return Err(NotFound(format!("No such chain: {chain}")));
            };
            if let Some(w) = text::xt_warning(t) {
                out.warnings.push_str(&w);
            }
            out.text.push_str(&format!(
                "table {} {} {{\n",
                text::family_name(*fam),
                t.table.name()
            ));
            text::chain(&mut out.text, c, oc);
            out.text.push_str("}\n");
        }
        Selection::Set(fam, table, name) => {
            let m = Model::build(rs, &|f, n| f == *fam && n == table);
            let Some(t) = m.tables.first() else {
                return Err(NotFound(format!(
                    "No such table: {} {}",
                    text::family_name(*fam),
                    table
                )));
            };
            let Some(s) = t.sets.get(name) else {
                return Err(NotFound(format!("No such set: {name}")));
            };
            out.text
                .push_str(&format!("table {} {} {{\n", text::family_name(*fam), table));
            text::set(&mut out.text, s, oc);
            out.text.push_str("}\n");
        }
    }
    Ok(out)
}
