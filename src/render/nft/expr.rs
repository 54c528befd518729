//! nft's expression tree, as `netlink_delinearize` builds it: every node
//! carries a datatype, byte order, length in bits and flags, like nft's
//! `struct expr`, so the post-processing and printing rules can be applied
//! as nft applies them.

use super::dtype::{Bo, Dt};
use super::num::Num;
use super::stmt::Stmt;

/// Expression flags (`EXPR_F_*`).
pub mod flags {
    /// Constant.
    pub const CONSTANT: u16 = 0x1;
    /// Singleton (a single value).
    pub const SINGLETON: u16 = 0x2;
    /// Describes the upper layer protocol.
    pub const PROTOCOL: u16 = 0x4;
    /// Set member that ends an interval.
    pub const INTERVAL_END: u16 = 0x8;
    /// Left side of a boolean comparison.
    pub const BOOLEAN: u16 = 0x10;
    /// Map data is an interval.
    pub const INTERVAL: u16 = 0x20;
    /// Element read from the kernel.
    pub const KERNEL: u16 = 0x40;
}

/// Operators (`enum ops`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[allow(missing_docs)]
pub enum Op {
    Invalid,
    Implicit,
    Hton,
    Ntoh,
    Lshift,
    Rshift,
    And,
    Xor,
    Or,
    Eq,
    Neq,
    Lt,
    Gt,
    Lte,
    Gte,
    Neg,
}

impl Op {
    /// The symbol nft prints (`None` for the implicit operator).
    pub fn symbol(self) -> Option<&'static str> {
        Some(match self {
            Op::Invalid => "invalid",
            Op::Implicit => return None,
            Op::Hton => "hton",
            Op::Ntoh => "ntoh",
            Op::Lshift => "<<",
            Op::Rshift => ">>",
            Op::And => "&",
            Op::Xor => "^",
            Op::Or => "|",
            Op::Eq => "==",
            Op::Neq => "!=",
            Op::Lt => "<",
            Op::Gt => ">",
            Op::Lte => "<=",
            Op::Gte => ">=",
            Op::Neg => "!",
        })
    }

    /// Binary operator precedence used for parentheses.
    pub fn precedence(self) -> u8 {
        match self {
            Op::Lshift | Op::Rshift => 1,
            Op::And => 2,
            Op::Xor => 3,
            Op::Or => 4,
            _ => 0,
        }
    }
}

/// A protocol header base (`PROTO_BASE_*`).
pub type Base = u8;
/// `PROTO_BASE_INVALID`
pub const BASE_INVALID: Base = 0;
/// `PROTO_BASE_LL_HDR`
pub const BASE_LL: Base = 1;
/// `PROTO_BASE_NETWORK_HDR`
pub const BASE_NETWORK: Base = 2;
/// `PROTO_BASE_TRANSPORT_HDR`
pub const BASE_TRANSPORT: Base = 3;
/// `PROTO_BASE_INNER_HDR`
pub const BASE_INNER: Base = 4;

/// A payload expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Payload {
    /// Header base.
    pub base: Base,
    /// Offset in bits.
    pub offset: u32,
    /// Protocol description, when known.
    pub desc: Option<super::proto::ProtoId>,
    /// Template index within the description.
    pub tmpl: Option<usize>,
    /// Raw (from set `typeof` with an unknown protocol).
    pub is_raw: bool,
}

/// Extension header kinds (`NFT_EXTHDR_OP_*`).
pub type ExthdrOp = u32;

/// An exthdr expression (IPv6 extension headers, TCP/IP options, SCTP chunks).
#[derive(Clone, Debug, PartialEq)]
pub struct Exthdr {
    /// `NFT_EXTHDR_OP_*`
    pub op: ExthdrOp,
    /// Raw header/option type.
    pub raw_type: u8,
    /// Offset in bits.
    pub offset: u32,
    /// `NFT_EXTHDR_F_*`
    pub flags: u32,
    /// Description id (see [`super::exthdr`]).
    pub desc: Option<super::exthdr::DescId>,
    /// Template index within the description (`None` = unknown template).
    pub tmpl: Option<usize>,
}

/// A set referenced by a rule.
#[derive(Clone, Debug, PartialEq)]
pub struct SetRef {
    /// Set name.
    pub name: String,
    /// `NFT_SET_*` flags.
    pub flags: u32,
    /// Data type of a map (for `vmap`).
    pub data_dt: Option<Dt>,
    /// Data of the map is an interval.
    pub data_interval: bool,
    /// Data length in bits.
    pub data_len: u32,
    /// Key datatype/byteorder/length.
    pub key: Box<Expr>,
    /// Data expression template (maps).
    pub data: Option<Box<Expr>>,
    /// Object type of an object map.
    pub objtype: u32,
    /// `NFTA_SET_DESC_SIZE`
    pub size: u32,
    /// The elements (anonymous sets are printed inline).
    pub init: Option<Box<Expr>>,
}

impl SetRef {
    /// Anonymous set.
    pub fn anonymous(&self) -> bool {
        self.flags & 1 != 0
    }
    /// Meter (anonymous + eval).
    pub fn meter(&self) -> bool {
        self.flags & 0x21 == 0x21
    }
}

/// A set element (key plus per-element properties).
#[derive(Clone, Debug, PartialEq)]
pub struct SetElem {
    /// The key.
    pub key: Expr,
    /// Timeout in ms.
    pub timeout: u64,
    /// Expiration in ms.
    pub expiration: u64,
    /// Comment from element userdata.
    pub comment: Option<String>,
    /// Element statements (counters, …).
    pub stmts: Vec<Stmt>,
}

/// The kinds of expressions.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum Kind {
    Value(Num),
    Verdict {
        code: i32,
        chain: Option<String>,
    },
    Payload(Payload),
    Exthdr(Exthdr),
    Meta {
        key: u32,
        base: Base,
    },
    Ct {
        key: u32,
        dir: i8,
        nfproto: u8,
        base: Base,
    },
    Rt {
        key: u32,
    },
    Socket {
        key: u32,
        level: u32,
    },
    Osf {
        ttl: u8,
        flags: u32,
    },
    Fib {
        flags: u32,
        result: u32,
    },
    Numgen {
        ty: u32,
        modulus: u32,
        offset: u32,
    },
    Hash {
        ty: u32,
        modulus: u32,
        seed: Option<u32>,
        offset: u32,
        expr: Option<Box<Expr>>,
    },
    Xfrm {
        key: u32,
        dir: u8,
        spnum: u32,
    },
    Prefix {
        expr: Box<Expr>,
        plen: u32,
    },
    Range(Box<Expr>, Box<Expr>),
    Concat(Vec<Expr>),
    List(Vec<Expr>),
    Set {
        elems: Vec<Expr>,
        set_flags: u32,
    },
    SetRef(Box<SetRef>),
    SetElem(Box<SetElem>),
    Catchall,
    Mapping(Box<Expr>, Box<Expr>),
    Map(Box<Expr>, Box<Expr>),
    Unary(Box<Expr>),
    Binop(Box<Expr>, Box<Expr>),
    Relational(Box<Expr>, Box<Expr>),
    FlagCmp {
        expr: Box<Expr>,
        mask: Box<Expr>,
        value: Box<Expr>,
    },
    /// A typeof data placeholder that only prints its name (`verdict`).
    Symbol(String),
}

/// One expression node.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// Datatype.
    pub dt: Dt,
    /// Byte order of the value.
    pub bo: Bo,
    /// Length in bits.
    pub len: u32,
    /// `EXPR_F_*`
    pub flags: u16,
    /// Operator (binop, relational, unary, flagcmp).
    pub op: Op,
    /// What it is.
    pub kind: Kind,
}

impl Expr {
    /// A node with default type information.
    pub fn new(kind: Kind, dt: Dt, bo: Bo, len: u32) -> Expr {
        Expr {
            dt,
            bo,
            len,
            flags: 0,
            op: Op::Invalid,
            kind,
        }
    }

    /// A constant value (`constant_expr_alloc`).
    pub fn value(dt: Dt, bo: Bo, len: u32, v: Num) -> Expr {
        let mut e = Expr::new(Kind::Value(v), dt, bo, len);
        e.flags = flags::CONSTANT | flags::SINGLETON;
        e
    }

    /// A value imported from netlink data (`netlink_alloc_value`).
    pub fn from_data(b: &[u8]) -> Expr {
        Expr::value(
            Dt::Invalid,
            Bo::Invalid,
            b.len() as u32 * 8,
            Num::from_be(b),
        )
    }

    /// The value of a constant.
    pub fn num(&self) -> Option<&Num> {
        match &self.kind {
            Kind::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Mutable value of a constant.
    pub fn num_mut(&mut self) -> Option<&mut Num> {
        match &mut self.kind {
            Kind::Value(v) => Some(v),
            _ => None,
        }
    }

    /// `binop_expr_alloc`: type from the left side, length 0.
    pub fn binop(op: Op, l: Expr, r: Expr) -> Expr {
        let mut e = Expr::new(
            Kind::Binop(Box::new(l), Box::new(r)),
            Dt::Invalid,
            Bo::Invalid,
            0,
        );
        if let Kind::Binop(l, _) = &e.kind {
            e.dt = l.dt;
            e.bo = l.bo;
        }
        e.op = op;
        e
    }

    /// `relational_expr_alloc`.
    pub fn relational(op: Op, mut l: Expr, r: Expr) -> Expr {
        if r.dt == Dt::Boolean {
            l.flags |= flags::BOOLEAN;
        }
        let mut e = Expr::new(
            Kind::Relational(Box::new(l), Box::new(r)),
            Dt::Verdict,
            Bo::Invalid,
            0,
        );
        e.op = op;
        e
    }

    /// `prefix_expr_alloc`.
    pub fn prefix(inner: Expr, plen: u32) -> Expr {
        Expr::new(
            Kind::Prefix {
                expr: Box::new(inner),
                plen,
            },
            Dt::Invalid,
            Bo::Invalid,
            0,
        )
    }

    /// `range_expr_alloc`.
    pub fn range(l: Expr, r: Expr) -> Expr {
        Expr::new(
            Kind::Range(Box::new(l), Box::new(r)),
            Dt::Invalid,
            Bo::Invalid,
            0,
        )
    }

    /// `set_elem_expr_alloc`.
    pub fn set_elem(key: Expr) -> Expr {
        let (dt, bo, len) = (key.dt, key.bo, key.len);
        Expr::new(
            Kind::SetElem(Box::new(SetElem {
                key,
                timeout: 0,
                expiration: 0,
                comment: None,
                stmts: Vec::new(),
            })),
            dt,
            bo,
            len,
        )
    }

    /// `mapping_expr_alloc`.
    pub fn mapping(l: Expr, r: Expr) -> Expr {
        let (dt, bo) = (l.dt, l.bo);
        Expr::new(Kind::Mapping(Box::new(l), Box::new(r)), dt, bo, 0)
    }

    /// `map_expr_alloc`.
    pub fn map(key: Expr, mappings: Expr) -> Expr {
        Expr::new(
            Kind::Map(Box::new(key), Box::new(mappings)),
            Dt::Invalid,
            Bo::Invalid,
            0,
        )
    }

    /// `expr_set_type`, with the per-kind `set_type` hooks of nft.
    pub fn set_type(&mut self, dt: Dt, bo: Bo) {
        match &mut self.kind {
            Kind::Prefix { expr, .. } => expr.set_type(dt, bo),
            Kind::Range(l, r) => {
                l.set_type(dt, bo);
                r.set_type(dt, bo);
            }
            Kind::Set { elems, .. } => {
                for e in elems {
                    e.set_type(dt, bo);
                }
            }
            Kind::Mapping(l, _) => l.set_type(dt, bo),
            _ => {
                self.dt = dt;
                self.bo = bo;
            }
        }
    }

    /// Constant single value (`expr_is_singleton`).
    pub fn is_singleton(&self) -> bool {
        self.flags & flags::SINGLETON != 0
    }

    /// True for `EXPR_VALUE`.
    pub fn is_value(&self) -> bool {
        matches!(self.kind, Kind::Value(_))
    }

    /// The value of `expr_value()` in interval handling (element key).
    pub fn elem_key(&self) -> &Expr {
        match &self.kind {
            Kind::Mapping(l, _) => l.elem_key(),
            Kind::SetElem(se) => &se.key,
            _ => self,
        }
    }

    /// Run `f` on the element key (see [`Expr::elem_key`]).
    pub fn with_key<R>(&mut self, f: impl FnOnce(&mut Expr) -> R) -> R {
        match &mut self.kind {
            Kind::Mapping(l, _) => l.with_key(f),
            Kind::SetElem(se) => f(&mut se.key),
            _ => f(self),
        }
    }

    /// Export the value as a little-endian u64 after writing it in the
    /// expression's byte order into `len` bits worth of bytes (how nft
    /// compares values with symbol tables).
    pub fn export_u64(&self) -> u64 {
        let v = self.num().copied().unwrap_or(Num::ZERO);
        export_u64(&v, self.bo, self.len.div_ceil(8) as usize)
    }
}

/// Export `v` in byte order `bo` into `len` bytes and read them as a
/// little-endian integer (nft's `mpz_export_data` into a host integer).
pub fn export_u64(v: &Num, bo: Bo, len: usize) -> u64 {
    let len = len.min(8);
    let bytes = match bo {
        Bo::Host => v.to_le(len),
        _ => v.to_be(len),
    };
    let mut out = 0u64;
    for (i, b) in bytes.iter().enumerate() {
        out |= (*b as u64) << (8 * i);
    }
    out
}
