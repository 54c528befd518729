//! `inner`: run a payload or meta expression on the packet inside a tunnel
//! (VXLAN, Geneve, ...).

use crate::expr::Expr;
use crate::object::lists::ExprAttr;
use crate::{attr_struct, wire_enum};
use std::fmt;
use std::fmt::Write as _;

wire_enum! {
    /// `NFT_INNER_*` tunnel types.
    pub enum InnerType: u32 {
        /// unspecified
        Unspec = 0,
        /// VXLAN
        Vxlan = 1,
        /// Geneve
        Geneve = 2,
    }
}

impl InnerType {
    /// nft's name for the tunnel type (`vxlan`, `geneve`, ...).
    pub fn debug_name(self) -> String {
        match self {
            InnerType::Unspec => "unspec".into(),
            InnerType::Vxlan => "vxlan".into(),
            InnerType::Geneve => "geneve".into(),
            InnerType::Unknown(n) => format!("type{n}"),
        }
    }
}

/// `NFT_INNER_HDRSIZE`: the tunnel header has a fixed size (`hdrsize`).
pub const INNER_F_HDRSIZE: u32 = 1;
/// `NFT_INNER_LL`: the inner packet has a link-layer header.
pub const INNER_F_LL: u32 = 2;
/// `NFT_INNER_NH`: parse the inner network header.
pub const INNER_F_NH: u32 = 4;
/// `NFT_INNER_TH`: parse the inner transport header.
pub const INNER_F_TH: u32 = 8;

attr_struct! {
    /// `NFTA_INNER_*`, in the kernel's dump order.
    pub struct Inner {
        /// `NFTA_INNER_NUM` (tunnel nesting level; only 0 is supported)
        1 => num: u32,
        /// `NFTA_INNER_TYPE`
        2 => ty: InnerType,
        /// `NFTA_INNER_FLAGS` (`INNER_F_*`)
        3 => flags: u32,
        /// `NFTA_INNER_HDRSIZE` (tunnel header size in bytes)
        4 => hdrsize: u32,
        /// `NFTA_INNER_EXPR` (a payload or meta expression)
        5 => expr: ExprAttr,
    }
}

impl_expr!(Inner, "inner");

impl Inner {
    /// Run `expr` on the inner packet of a tunnel of type `ty`.
    pub fn new(ty: InnerType, hdrsize: u32, flags: u32, expr: impl Into<Expr>) -> Self {
        Inner {
            num: Some(0),
            ty: Some(ty),
            flags: Some(flags),
            hdrsize: Some(hdrsize),
            expr: Some(ExprAttr(Box::new(expr.into()))),
            ..Default::default()
        }
    }

    /// The form of libnftnl 1.2.5 and later (1.2.4 does not know `inner`):
    /// `inner type 1 hdrsize 8 flags f [ payload load ... ]`.
    fn debug_body(&self, f: &mut String) -> fmt::Result {
        write!(
            f,
            "inner type {} hdrsize {} flags {:x}",
            self.ty.map_or(0, |t| t.value()),
            self.hdrsize.unwrap_or(0),
            self.flags.unwrap_or(0)
        )?;
        if let Some(e) = &self.expr {
            write!(f, " {}", e.0)?;
        }
        crate::expr::fmt_extras(f, self.extra())
    }
}
