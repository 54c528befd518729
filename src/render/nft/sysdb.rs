//! The system databases nft consults while printing: `/etc/protocols`,
//! the iproute2 tables (`rt_marks`, `rt_realms`, `group`), connlabel.conf
//! and interface names. Files are read once; nothing is executed.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// `getprotobynumber(n)->p_name`: the first entry with that number.
pub fn proto_name(n: u8) -> Option<&'static str> {
    static T: OnceLock<Vec<Option<String>>> = OnceLock::new();
    let t = T.get_or_init(|| {
        let mut v: Vec<Option<String>> = vec![None; 256];
        for line in read("/etc/protocols").lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut it = line.split_whitespace();
            let (Some(name), Some(num)) = (it.next(), it.next()) else {
                continue;
            };
            if let Ok(num) = num.parse::<u8>() {
                if v[num as usize].is_none() {
                    v[num as usize] = Some(name.to_string());
                }
            }
        }
        v
    });
    t[n as usize].as_deref()
}

/// An iproute2-style table (`NUMBER NAME` lines, hex or decimal).
pub type RtTable = Vec<(u32, String)>;

fn parse_rt_table(path: &str) -> RtTable {
    let mut v = Vec::new();
    for line in read(path).lines() {
        let line = line.trim_start_matches([' ', '\t']);
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let mut it = line.split_whitespace();
        let (Some(num), Some(name)) = (it.next(), it.next()) else {
            break;
        };
        let val = if let Some(h) = num.strip_prefix("0x") {
            u32::from_str_radix(h, 16).ok()
        } else {
            num.parse::<u32>().ok()
        };
        match val {
            Some(val) => v.push((val, name.to_string())),
            None => break,
        }
    }
    v
}

/// `/etc/iproute2/rt_marks`.
pub fn marks() -> &'static RtTable {
    static T: OnceLock<RtTable> = OnceLock::new();
    T.get_or_init(|| parse_rt_table("/etc/iproute2/rt_marks"))
}

/// `/etc/iproute2/rt_realms`.
pub fn realms() -> &'static RtTable {
    static T: OnceLock<RtTable> = OnceLock::new();
    T.get_or_init(|| parse_rt_table("/etc/iproute2/rt_realms"))
}

/// `/etc/iproute2/group`.
pub fn devgroups() -> &'static RtTable {
    static T: OnceLock<RtTable> = OnceLock::new();
    T.get_or_init(|| parse_rt_table("/etc/iproute2/group"))
}

/// `/etc/connlabel.conf`.
pub fn ct_labels() -> &'static RtTable {
    static T: OnceLock<RtTable> = OnceLock::new();
    T.get_or_init(|| parse_rt_table("/etc/connlabel.conf"))
}

extern "C" {
    fn if_indextoname(ifindex: u32, ifname: *mut std::ffi::c_char) -> *mut std::ffi::c_char;
}

/// Interface name of an index in the calling thread's network namespace.
pub fn ifname(index: u32) -> Option<String> {
    static CACHE: OnceLock<Mutex<HashMap<u32, Option<String>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Ok(c) = cache.lock() {
        if let Some(v) = c.get(&index) {
            return v.clone();
        }
    }
    let mut buf = [0 as std::ffi::c_char; 32];
    // SAFETY: the buffer is larger than IF_NAMESIZE (16) as required.
    let r = unsafe { if_indextoname(index, buf.as_mut_ptr()) };
    let name = if r.is_null() {
        None
    } else {
        let bytes: Vec<u8> = buf
            .iter()
            .take_while(|&&c| c != 0)
            .map(|&c| c as u8)
            .collect();
        Some(String::from_utf8_lossy(&bytes).into_owned())
    };
    if let Ok(mut c) = cache.lock() {
        c.insert(index, name.clone());
    }
    name
}

/// Path of a cgroupv2 id below `/sys/fs/cgroup` (without the prefix).
pub fn cgroup_path(id: u64) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    fn walk(dir: &std::path::Path, id: u64, depth: usize) -> Option<std::path::PathBuf> {
        if depth > 32 {
            return None;
        }
        for ent in std::fs::read_dir(dir).ok()?.flatten() {
            let p = ent.path();
            let md = std::fs::symlink_metadata(&p).ok()?;
            if md.ino() == id {
                return Some(p);
            }
            if md.is_dir() {
                if let Some(x) = walk(&p, id, depth + 1) {
                    return Some(x);
                }
            }
        }
        None
    }
    let root = std::path::Path::new("/sys/fs/cgroup");
    let p = walk(root, id, 0)?;
    p.strip_prefix(root)
        .ok()
        .map(|r| r.to_string_lossy().into_owned())
}

fn proc_comm(pid: u64) -> Option<String> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let start = s.find('(')? + 1;
    let end = s[start..].find(')')? + start;
    Some(s[start..end].to_string())
}

fn pid_has_socket(pid: u64, inode: u64) -> bool {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    let want = format!("socket:[{inode}]");
    dir.flatten().any(|e| {
        std::fs::read_link(e.path())
            .map(|l| l.to_string_lossy() == want)
            .unwrap_or(false)
    })
}

/// Name of the process owning the netlink socket with port id `portid`
/// (nft's `get_progname`, for tables with the owner flag).
pub fn progname(portid: u32) -> Option<String> {
    let text = read("/proc/net/netlink");
    let mut inode = None;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 10 {
            continue;
        }
        let (Ok(prot), Ok(pid)) = (f[1].parse::<i32>(), f[2].parse::<u32>()) else {
            continue;
        };
        if prot == 12 && pid == portid {
            inode = f[9].parse::<u64>().ok();
            break;
        }
    }
    let inode = inode?;
    if pid_has_socket(portid as u64, inode) {
        return proc_comm(portid as u64);
    }
    for e in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u64>() else {
            continue;
        };
        if pid <= 1 || pid == portid as u64 {
            continue;
        }
        if pid_has_socket(pid, inode) {
            return proc_comm(pid);
        }
    }
    None
}
