//! The library's error type.

use std::fmt;

/// Errors from nftwire's library.
#[derive(Debug)]
pub enum Error {
    /// A socket-level failure (socket, bind, send, recv).
    Io(std::io::Error),
    /// The kernel rejected a request; `op` names the operation
    /// (e.g. `RULE_APPEND`, `CHAIN_ADD`) and `what` the object.
    Kernel {
        /// errno (positive).
        errno: i32,
        /// Operation name as iptables-nft/libnftnl report it.
        op: String,
        /// The object the failing message was about (e.g. `chain INPUT`).
        what: String,
        /// Extended ack message from the kernel, when it sent one.
        ext_msg: Option<String>,
    },
    /// The ruleset generation changed under a batch (`ERESTART`) or during a
    /// dump; the caller should re-read and retry.
    GenerationChanged,
    /// Not permitted (no CAP_NET_ADMIN in this network namespace).
    Permission(String),
    /// The kernel sent something that could not be framed as netlink.
    Protocol(String),
    /// Bad user input (parse errors name the line).
    Input(String),
}

impl Error {
    /// errno of a kernel rejection, if this is one.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Kernel { errno, .. } => Some(*errno),
            Error::Io(e) => e.raw_os_error(),
            Error::GenerationChanged => Some(libc_erestart()),
            Error::Permission(_) => Some(1),
            _ => None,
        }
    }
}

/// `ERESTART` on Linux.
pub const ERESTART: i32 = 85;

fn libc_erestart() -> i32 {
    ERESTART
}

/// Text of an errno as strerror(3) gives it (the subset nf_tables returns;
/// others fall back to the OS message).
pub fn strerror(errno: i32) -> String {
    let s = match errno {
        1 => "Operation not permitted",
        2 => "No such file or directory",
        4 => "Interrupted system call",
        7 => "Argument list too long",
        9 => "Bad file descriptor",
        11 => "Resource temporarily unavailable",
        12 => "Cannot allocate memory",
        13 => "Permission denied",
        16 => "Device or resource busy",
        17 => "File exists",
        19 => "No such device",
        22 => "Invalid argument",
        23 => "Too many open files in system",
        28 => "No space left on device",
        34 => "Numerical result out of range",
        36 => "File name too long",
        39 => "Directory not empty",
        40 => "Too many levels of symbolic links",
        61 => "No data available",
        75 => "Value too large for defined data type",
        85 => "Interrupted system call should be restarted",
        90 => "Message too long",
        93 => "Protocol not supported",
        95 => "Operation not supported",
        105 => "No buffer space available",
        110 => "Connection timed out",
        31 => "Too many links",
        _ => {
            // The OS text without Rust's " (os error N)" suffix.
            let t = std::io::Error::from_raw_os_error(errno).to_string();
            return match t.rfind(" (os error ") {
                Some(i) => t[..i].to_string(),
                None => t,
            };
        }
    };
    s.to_string()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "netlink: {e}"),
            Error::Kernel {
                errno,
                op,
                what,
                ext_msg,
            } => {
                write!(f, "{op} failed ({}): {what}", strerror(*errno))?;
                if let Some(m) = ext_msg {
                    write!(f, " [{m}]")?;
                }
                Ok(())
            }
            Error::GenerationChanged => {
                f.write_str("ruleset changed concurrently (generation id mismatch)")
            }
            Error::Permission(m) => f.write_str(m),
            Error::Protocol(m) => write!(f, "netlink protocol error: {m}"),
            Error::Input(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// Result with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
