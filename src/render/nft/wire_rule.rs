//! A rule read straight from its netlink message (no intermediate typed
//! expressions): the listing decodes expressions from the message bytes.

use super::attrs::{iter, Attrs};
use super::delinearize::{Ctx, Sets};
use super::model::RuleM;
use super::postprocess::postprocess;
use super::udata;
use crate::expr::{Expr as KExpr, NFTA_LIST_ELEM};
use crate::netlink::NfMsg;
use std::borrow::Cow;

/// The parts of a `NEWRULE` message the listing needs.
pub struct RuleView<'a> {
    /// Family.
    pub family: u8,
    /// Table name.
    pub table: Cow<'a, str>,
    /// Chain name.
    pub chain: Cow<'a, str>,
    /// Handle.
    pub handle: u64,
    /// Expression list elements: full attribute type and payload.
    pub exprs: Vec<(u16, &'a [u8])>,
    /// Userdata.
    pub userdata: Option<&'a [u8]>,
}

fn name(p: &[u8]) -> Cow<'_, str> {
    let end = p.iter().position(|&c| c == 0).unwrap_or(p.len());
    String::from_utf8_lossy(&p[..end])
}

fn raw_elems(mut b: &[u8]) -> Vec<(u16, &[u8])> {
    let mut v = Vec::with_capacity(8);
    while b.len() >= 4 {
        let len = u16::from_ne_bytes([b[0], b[1]]) as usize;
        let ty = u16::from_ne_bytes([b[2], b[3]]);
        if len < 4 || len > b.len() {
            break;
        }
        v.push((ty, &b[4..len]));
        b = &b[crate::nla::align(len).min(b.len())..];
    }
    v
}

impl<'a> RuleView<'a> {
    /// Read a `NEWRULE` message.
    pub fn parse(m: &'a NfMsg) -> RuleView<'a> {
        let mut v = RuleView {
            family: m.family,
            table: Cow::Borrowed(""),
            chain: Cow::Borrowed(""),
            handle: 0,
            exprs: Vec::new(),
            userdata: None,
        };
        for (k, p) in iter(&m.body) {
            match k {
                1 => v.table = name(p),
                2 => v.chain = name(p),
                3 => {
                    if let Ok(b) = <[u8; 8]>::try_from(p) {
                        v.handle = u64::from_be_bytes(b);
                    }
                }
                4 => v.exprs = raw_elems(p),
                7 => v.userdata = Some(p),
                _ => {}
            }
        }
        v
    }

    fn raw_text(&self, i: usize) -> String {
        match self.exprs.get(i) {
            Some((ty, p)) => KExpr::parse_elem(*ty, bytes::Bytes::copy_from_slice(p)).to_string(),
            None => String::new(),
        }
    }

    /// Decode into statements; also tells whether it has xt expressions.
    pub fn decode(&self, sets: &Sets) -> (RuleM, bool) {
        let mut ctx = Ctx::new(self.family, sets, self.exprs.len());
        for (i, (ty, p)) in self.exprs.iter().enumerate() {
            let a = if *ty == NFTA_LIST_ELEM {
                Attrs::from_elem(p)
            } else {
                Attrs::from_elem(&[])
            };
            ctx.parse_attrs(i, &a, &|| self.raw_text(i));
        }
        let has_xt = ctx.has_xt;
        let (stmts, raw) = ctx.finish_with(&|i| self.raw_text(i));
        let stmts = postprocess(self.family, stmts);
        let comment = udata::comment_opt(self.userdata, 0);
        (
            RuleM {
                handle: self.handle,
                stmts,
                comment,
                raw,
                nexprs: self.exprs.len(),
            },
            has_xt,
        )
    }
}
