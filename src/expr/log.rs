//! `log`: log the packet to the kernel log (syslog levels) or to an
//! nfnetlink_log group.

use crate::{attr_struct, wire_enum};
use std::fmt;
use std::fmt::Write as _;

wire_enum! {
    /// `NFT_LOGLEVEL_*` (syslog levels, plus audit).
    pub enum LogLevel: u32 {
        /// emergency
        Emerg = 0,
        /// alert
        Alert = 1,
        /// critical
        Crit = 2,
        /// error
        Err = 3,
        /// warning (nft's default)
        Warning = 4,
        /// notice
        Notice = 5,
        /// informational
        Info = 6,
        /// debug
        Debug = 7,
        /// audit log instead of the kernel log
        Audit = 8,
    }
}

impl LogLevel {
    /// nft's keyword for the level (`emerg` ... `debug`, `audit`).
    /// libnftnl's debug form prints the number instead.
    pub fn debug_name(self) -> String {
        match self {
            LogLevel::Emerg => "emerg".into(),
            LogLevel::Alert => "alert".into(),
            LogLevel::Crit => "crit".into(),
            LogLevel::Err => "err".into(),
            LogLevel::Warning => "warn".into(),
            LogLevel::Notice => "notice".into(),
            LogLevel::Info => "info".into(),
            LogLevel::Debug => "debug".into(),
            LogLevel::Audit => "audit".into(),
            LogLevel::Unknown(n) => format!("level{n}"),
        }
    }
}

/// `NF_LOG_TCPSEQ`: log TCP sequence numbers.
pub const LOG_F_TCPSEQ: u32 = 0x01;
/// `NF_LOG_TCPOPT`: log TCP options.
pub const LOG_F_TCPOPT: u32 = 0x02;
/// `NF_LOG_IPOPT`: log IP options.
pub const LOG_F_IPOPT: u32 = 0x04;
/// `NF_LOG_UID`: log the socket's uid.
pub const LOG_F_UID: u32 = 0x08;
/// `NF_LOG_MACDECODE`: decode the MAC header.
pub const LOG_F_MACDECODE: u32 = 0x20;
/// Every flag (`log flags all`).
pub const LOG_F_ALL: u32 = LOG_F_TCPSEQ | LOG_F_TCPOPT | LOG_F_IPOPT | LOG_F_UID | LOG_F_MACDECODE;

attr_struct! {
    /// `NFTA_LOG_*`, in the kernel's dump order: prefix, then group,
    /// snaplen and queue threshold (nfnetlink_log), or level and flags
    /// (kernel log).
    pub struct Log {
        /// `NFTA_LOG_PREFIX`
        2 => prefix: String,
        /// `NFTA_LOG_GROUP` (`NLA_U16`, big-endian)
        1 => group: u16,
        /// `NFTA_LOG_SNAPLEN`
        3 => snaplen: u32,
        /// `NFTA_LOG_QTHRESHOLD` (`NLA_U16`, big-endian)
        4 => qthreshold: u16,
        /// `NFTA_LOG_LEVEL`
        5 => level: LogLevel,
        /// `NFTA_LOG_FLAGS` (`LOG_F_*`)
        6 => flags: u32,
    }
}

impl_expr!(Log, "log");

impl Log {
    /// A plain `log` (the kernel reports level `warn`).
    pub fn new() -> Self {
        Log::default()
    }

    /// Set the prefix.
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Log to nfnetlink_log group `group` instead of the kernel log.
    pub fn group(mut self, group: u16) -> Self {
        self.group = Some(group);
        self
    }

    /// Copy at most `snaplen` bytes of the packet (group logging).
    pub fn snaplen(mut self, snaplen: u32) -> Self {
        self.snaplen = Some(snaplen);
        self
    }

    /// Batch `qthreshold` packets before sending (group logging).
    pub fn qthreshold(mut self, qthreshold: u16) -> Self {
        self.qthreshold = Some(qthreshold);
        self
    }

    /// Set the level (kernel log).
    pub fn level(mut self, level: LogLevel) -> Self {
        self.level = Some(level);
        self
    }

    /// Set the `LOG_F_*` flags (kernel log).
    pub fn flags(mut self, flags: u32) -> Self {
        self.flags = Some(flags);
        self
    }

    fn debug_body(&self, f: &mut String) -> fmt::Result {
        f.write_str("log")?;
        if let Some(p) = &self.prefix {
            write!(f, " prefix {p}")?;
        }
        if let Some(g) = self.group {
            write!(
                f,
                " group {g} snaplen {} qthreshold {}",
                self.snaplen.unwrap_or(0),
                self.qthreshold.unwrap_or(0)
            )?;
        } else {
            if let Some(l) = self.level {
                write!(f, " level {}", l.value())?;
            }
            if let Some(fl) = self.flags {
                for (bit, name) in [
                    (LOG_F_TCPSEQ, "tcpseq"),
                    (LOG_F_TCPOPT, "tcpopt"),
                    (LOG_F_IPOPT, "ipopt"),
                    (LOG_F_UID, "uid"),
                    (LOG_F_MACDECODE, "macdecode"),
                ] {
                    if fl & bit != 0 {
                        write!(f, " {name}")?;
                    }
                }
            }
        }
        crate::expr::fmt_extras(f, self.extra())
    }
}
