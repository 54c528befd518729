//! Reading the legacy (x_tables) iptables tables of the current network
//! namespace without iptables binaries: the table names from
//! `/proc/net/ip_tables_names` / `ip6_tables_names`, then each table's
//! blob through the `IPT_SO_GET_INFO` / `IPT_SO_GET_ENTRIES` socket options
//! on a raw socket (`IP6T_*` for IPv6).
//!
//! Only tables listed in `/proc` are queried: asking the kernel for any
//! other table would load its module and instantiate the table in this
//! namespace, which is exactly the side effect of probes like
//! `iptables-legacy -t nat -S INPUT` that this reader must not have.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// `IPT_SO_GET_INFO` (also `IP6T_SO_GET_INFO`).
const SO_GET_INFO: i32 = 64;
/// `IPT_SO_GET_ENTRIES`.
const SO_GET_ENTRIES: i32 = 65;
/// `SOL_IP`.
const SOL_IP: i32 = 0;
/// `SOL_IPV6`.
const SOL_IPV6: i32 = 41;
/// `XT_TABLE_MAXNAMELEN`.
const NAMELEN: usize = 32;
/// Size of `struct ipt_getinfo`.
const GETINFO_LEN: usize = NAMELEN + 4 + 5 * 4 + 5 * 4 + 4 + 4;
/// Offset of the entries in `struct ipt_get_entries` (8-byte aligned).
const GET_ENTRIES_HDR: usize = 40;
/// Largest table blob read.
const MAX_BLOB: u32 = 64 << 20;

/// One chain of a legacy table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegacyChain {
    /// Chain name.
    pub name: String,
    /// True for builtin chains.
    pub builtin: bool,
    /// Policy of a builtin chain (`ACCEPT`, `DROP`).
    pub policy: Option<String>,
    /// Number of rules.
    pub rules: usize,
}

/// One legacy table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegacyTable {
    /// true for ip6tables.
    pub ipv6: bool,
    /// Table name.
    pub name: String,
    /// Its chains in blob order.
    pub chains: Vec<LegacyChain>,
}

impl LegacyTable {
    /// Rules in all chains.
    pub fn rules(&self) -> usize {
        self.chains.iter().map(|c| c.rules).sum()
    }
    /// User-defined chains.
    pub fn user_chains(&self) -> usize {
        self.chains.iter().filter(|c| !c.builtin).count()
    }
    /// Builtin chains whose policy is not ACCEPT.
    pub fn non_accept_policies(&self) -> Vec<&LegacyChain> {
        self.chains
            .iter()
            .filter(|c| c.builtin && c.policy.as_deref().is_some_and(|p| p != "ACCEPT"))
            .collect()
    }
    /// True when the table holds only its empty builtin chains with ACCEPT
    /// policies (what a mere probe leaves behind).
    pub fn is_pristine(&self) -> bool {
        self.rules() == 0 && self.user_chains() == 0 && self.non_accept_policies().is_empty()
    }
}

/// The legacy table names listed for a family (empty when the x_tables
/// module is not loaded).
///
/// The file is read through `/proc/thread-self/net`, so a thread that
/// entered another network namespace sees that namespace's tables
/// (`/proc/net` follows the process's main thread).
pub fn table_names(ipv6: bool) -> Vec<String> {
    let file = if ipv6 {
        "ip6_tables_names"
    } else {
        "ip_tables_names"
    };
    let dir = if std::path::Path::new("/proc/thread-self/net").exists() {
        "/proc/thread-self/net"
    } else {
        "/proc/net"
    };
    std::fs::read_to_string(std::path::Path::new(dir).join(file))
        .map(|s| {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn raw_socket(ipv6: bool) -> std::io::Result<OwnedFd> {
    let af = if ipv6 {
        nix::libc::AF_INET6
    } else {
        nix::libc::AF_INET
    };
    // SAFETY: plain socket(2) call; the result is checked before use.
    let fd = unsafe { nix::libc::socket(af, nix::libc::SOCK_RAW, nix::libc::IPPROTO_RAW) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` is a freshly created descriptor owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn getsockopt(fd: &OwnedFd, level: i32, opt: i32, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut len = buf.len() as nix::libc::socklen_t;
    // SAFETY: `buf` is valid for `len` bytes and outlives the call.
    let r = unsafe {
        nix::libc::getsockopt(
            fd.as_raw_fd(),
            level,
            opt,
            buf.as_mut_ptr() as *mut nix::libc::c_void,
            &mut len,
        )
    };
    if r < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(len as usize)
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    b.get(off..off + 4)
        .map(|x| u32::from_ne_bytes([x[0], x[1], x[2], x[3]]))
}

fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    b.get(off..off + 2)
        .map(|x| u16::from_ne_bytes([x[0], x[1]]))
}

fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

const HOOKS: [&str; 5] = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];

/// Read one legacy table.
pub fn read_table(ipv6: bool, name: &str) -> std::io::Result<LegacyTable> {
    if name.len() >= NAMELEN {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "table name too long",
        ));
    }
    let level = if ipv6 { SOL_IPV6 } else { SOL_IP };
    let fd = raw_socket(ipv6)?;
    let mut info = vec![0u8; GETINFO_LEN];
    info[..name.len()].copy_from_slice(name.as_bytes());
    getsockopt(&fd, level, SO_GET_INFO, &mut info)?;
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "malformed x_tables reply");
    let valid_hooks = u32_at(&info, NAMELEN).ok_or_else(bad)?;
    let hook_entry: Vec<u32> = (0..5)
        .map(|i| u32_at(&info, NAMELEN + 4 + 4 * i).unwrap_or(0))
        .collect();
    let underflow: Vec<u32> = (0..5)
        .map(|i| u32_at(&info, NAMELEN + 24 + 4 * i).unwrap_or(0))
        .collect();
    let size = u32_at(&info, NAMELEN + 48).ok_or_else(bad)?;
    if size > MAX_BLOB {
        return Err(bad());
    }
    let mut buf = vec![0u8; GET_ENTRIES_HDR + size as usize];
    buf[..name.len()].copy_from_slice(name.as_bytes());
    buf[NAMELEN..NAMELEN + 4].copy_from_slice(&size.to_ne_bytes());
    getsockopt(&fd, level, SO_GET_ENTRIES, &mut buf)?;
    let blob = &buf[GET_ENTRIES_HDR..];
    // ipt_entry: target_offset/next_offset after the ip header + nfcache.
    let (toff_at, noff_at) = if ipv6 { (140, 142) } else { (88, 90) };
    let mut chains: Vec<LegacyChain> = Vec::new();
    let mut off = 0usize;
    let mut in_user = false;
    while off < blob.len() {
        let e = &blob[off..];
        let toff = u16_at(e, toff_at).ok_or_else(bad)? as usize;
        let next = u16_at(e, noff_at).ok_or_else(bad)? as usize;
        if next == 0 || toff + 32 > next || next > e.len() {
            return Err(bad());
        }
        let t = &e[toff..next];
        let tname = cstr(&t[2..31]);
        let o = off as u32;
        if let Some(h) = (0..5).find(|&h| valid_hooks & (1 << h) != 0 && hook_entry[h] == o) {
            chains.push(LegacyChain {
                name: HOOKS[h].into(),
                builtin: true,
                policy: None,
                rules: 0,
            });
            in_user = false;
        }
        let policy_of = (0..5).find(|&h| valid_hooks & (1 << h) != 0 && underflow[h] == o);
        if tname == "ERROR" {
            let chain = cstr(t.get(32..64).unwrap_or(&[]));
            if chain != "ERROR" {
                chains.push(LegacyChain {
                    name: chain,
                    builtin: false,
                    policy: None,
                    rules: 0,
                });
                in_user = true;
            }
        } else if let Some(_h) = policy_of {
            let verdict = t
                .get(32..36)
                .map(|v| i32::from_ne_bytes([v[0], v[1], v[2], v[3]]));
            let p = match verdict {
                Some(-2) => "ACCEPT".to_string(),
                Some(-1) => "DROP".to_string(),
                Some(v) => format!("verdict {v}"),
                None => "?".into(),
            };
            if let Some(c) = chains.last_mut() {
                c.policy = Some(p);
            }
        } else if let Some(c) = chains.last_mut() {
            // The last entry of a user chain is its implicit RETURN.
            let is_return = in_user
                && tname.is_empty()
                && t.get(32..36)
                    .map(|v| i32::from_ne_bytes([v[0], v[1], v[2], v[3]]))
                    == Some(-5)
                && blob
                    .get(off + next..)
                    .and_then(|n| {
                        u16_at(n, toff_at)
                            .map(|to| cstr(n.get(to as usize + 2..to as usize + 31).unwrap_or(&[])))
                    })
                    .as_deref()
                    == Some("ERROR");
            if !is_return {
                c.rules += 1;
            }
        }
        off += next;
    }
    Ok(LegacyTable {
        ipv6,
        name: name.to_string(),
        chains,
    })
}

/// All legacy tables of this namespace (both families), with the tables
/// that could not be read and why.
pub fn read_all() -> (Vec<LegacyTable>, Vec<(bool, String, String)>) {
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    for ipv6 in [false, true] {
        for name in table_names(ipv6) {
            match read_table(ipv6, &name) {
                Ok(t) => ok.push(t),
                Err(e) => failed.push((ipv6, name, e.to_string())),
            }
        }
    }
    (ok, failed)
}
