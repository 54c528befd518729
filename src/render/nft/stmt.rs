//! nft statements: what a rule is printed as.

use super::expr::Expr;

/// A decoded xtables extension (iptables-nft `match`/`target`).
#[derive(Clone, Debug, PartialEq)]
pub struct Xt {
    /// True for targets.
    pub target: bool,
    /// Extension name.
    pub name: String,
    /// Revision.
    pub rev: u32,
    /// The info blob.
    pub info: Vec<u8>,
    /// Table family.
    pub family: u8,
}

/// A statement. Rare fields that are expressions are boxed so that a
/// statement stays small (rules move and collect many of them).
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum Stmt {
    /// A match (relational expression).
    Expr(Expr),
    /// A verdict.
    Verdict(Expr),
    Counter {
        packets: u64,
        bytes: u64,
    },
    Payload {
        expr: Expr,
        val: Box<Expr>,
    },
    Exthdr {
        expr: Expr,
        val: Box<Expr>,
    },
    Meta {
        key: u32,
        expr: Expr,
    },
    Ct {
        key: u32,
        dir: i8,
        expr: Expr,
    },
    Notrack,
    FlowOffload {
        table: String,
    },
    Connlimit {
        count: u32,
        flags: u32,
    },
    Log(Log),
    Limit {
        rate: u64,
        unit: u64,
        ty: u32,
        burst: u32,
        flags: u32,
    },
    Quota {
        bytes: u64,
        used: u64,
        flags: u32,
    },
    Reject {
        ty: u32,
        code: u8,
        family: u8,
        verbose: bool,
        expr_dt: super::dtype::Dt,
    },
    Nat(Box<Nat>),
    Tproxy {
        family: u32,
        table_family: u8,
        addr: Option<Box<Expr>>,
        port: Option<Box<Expr>>,
    },
    Dup {
        to: Option<Box<Expr>>,
        dev: Option<Box<Expr>>,
    },
    Fwd {
        dev: Option<Box<Expr>>,
        addr: Option<Box<Expr>>,
        family: u32,
    },
    Queue {
        queue: Option<Expr>,
        flags: u16,
    },
    /// `add/update/delete @set { key stmts }`
    Set {
        op: u32,
        set: Box<Expr>,
        key: Box<Expr>,
        stmts: Vec<Stmt>,
    },
    /// `add/update @map { key stmts : data }`
    Map {
        op: u32,
        set: Box<Expr>,
        key: Box<Expr>,
        data: Box<Expr>,
        stmts: Vec<Stmt>,
    },
    /// `meter NAME size N { key stmt }`
    Meter {
        set: Box<Expr>,
        key: Box<Expr>,
        stmt: Box<Stmt>,
        size: u32,
    },
    Objref {
        ty: u32,
        expr: Expr,
    },
    Synproxy {
        mss: u16,
        wscale: u8,
        flags: u32,
    },
    Optstrip(Expr),
    Xt(Xt),
    /// Something nft cannot express: printed as the raw expression(s).
    Raw(String),
    /// `jump { … }` / `goto { … }`: a binding chain printed inline.
    Chain {
        /// Verdict code (jump -3, goto -4).
        code: i32,
        /// Rules of the bound chain: statements and comment.
        rules: Vec<(Vec<Stmt>, Option<String>)>,
    },
}

/// A log statement.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Log {
    /// Prefix.
    pub prefix: Option<String>,
    /// NFLOG group.
    pub group: Option<u16>,
    /// Snap length.
    pub snaplen: Option<u32>,
    /// Queue threshold.
    pub qthreshold: Option<u16>,
    /// Syslog level.
    pub level: Option<u32>,
    /// `NF_LOG_*` flags.
    pub logflags: u32,
}

/// NAT types (`NFT_NAT_*` plus masquerade/redirect).
pub mod nat_type {
    /// snat
    pub const SNAT: u32 = 0;
    /// dnat
    pub const DNAT: u32 = 1;
    /// masquerade
    pub const MASQ: u32 = 2;
    /// redirect
    pub const REDIR: u32 = 3;
}

/// A NAT statement.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Nat {
    /// [`nat_type`]
    pub ty: u32,
    /// Address family to print (`ip`/`ip6`), 0 for none.
    pub family: u8,
    /// Address (value, range, prefix or map).
    pub addr: Option<Expr>,
    /// Port (value or range).
    pub proto: Option<Expr>,
    /// `NF_NAT_RANGE_*`
    pub flags: u32,
    /// `STMT_NAT_F_*` (interval 1, prefix 2, concat 4)
    pub type_flags: u32,
}

impl Stmt {
    /// True for plain expression statements (dependency tracking).
    pub fn is_expr(&self) -> bool {
        matches!(self, Stmt::Expr(_))
    }
}
