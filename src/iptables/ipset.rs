//! The ipset socket options the `set` match needs: set index by name (with
//! its family) and set name by index (`SO_IP_SET` on a raw IPv4 socket,
//! as libxt_set does).

use super::error::{ExitCode, IptError, Result};

const SO_IP_SET: i32 = 83;
const SOL_IP: i32 = 0;
const IP_SET_OP_GET_BYNAME: u32 = 6;
const IP_SET_OP_GET_BYINDEX: u32 = 7;
const IP_SET_OP_GET_FNAME: u32 = 8;
const IP_SET_OP_VERSION: u32 = 0x100;
/// `IPSET_INVALID_ID`.
pub const INVALID_ID: u16 = 65535;
/// `IPSET_MAXNAMELEN`.
pub const MAXNAMELEN: usize = 32;

extern "C" {
    fn socket(domain: i32, ty: i32, proto: i32) -> i32;
    fn getsockopt(fd: i32, level: i32, name: i32, val: *mut u8, len: *mut u32) -> i32;
    fn close(fd: i32) -> i32;
}

struct Fd(i32);

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: closing a descriptor this struct owns.
        unsafe {
            close(self.0);
        }
    }
}

fn open() -> Result<(Fd, u32)> {
    // SAFETY: plain socket(2) call.
    let fd = unsafe { socket(2, 3 | 0o2000000, 255) };
    if fd < 0 {
        return Err(IptError::xt(
            ExitCode::Other,
            "Can't open socket to ipset.\n",
        ));
    }
    let fd = Fd(fd);
    let mut req = [0u8; 8];
    req[..4].copy_from_slice(&IP_SET_OP_VERSION.to_ne_bytes());
    call(&fd, &mut req)
        .map_err(|_| IptError::xt(ExitCode::Other, "Kernel module xt_set is not loaded in.\n"))?;
    let v = u32::from_ne_bytes([req[4], req[5], req[6], req[7]]);
    Ok((fd, v))
}

fn call(fd: &Fd, buf: &mut [u8]) -> std::result::Result<usize, i32> {
    let mut len = buf.len() as u32;
    // SAFETY: the buffer is valid for `len` bytes for the kernel to read/write.
    let r = unsafe { getsockopt(fd.0, SOL_IP, SO_IP_SET, buf.as_mut_ptr(), &mut len) };
    if r != 0 {
        return Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(0));
    }
    Ok(len as usize)
}

fn comm_err(errno: i32) -> IptError {
    IptError::xt(
        ExitCode::Other,
        format!("Problem when communicating with ipset, errno={errno}.\n"),
    )
}

/// `get_set_byname`: the index of set `name`, checking that its family
/// fits `nfproto` (2 or 10).
pub fn index_by_name(name: &str, nfproto: u8) -> Result<u16> {
    let (fd, version) = open()?;
    let mut req = [0u8; 12 + MAXNAMELEN];
    req[..4].copy_from_slice(&IP_SET_OP_GET_FNAME.to_ne_bytes());
    req[4..8].copy_from_slice(&version.to_ne_bytes());
    let nb = name.as_bytes();
    let n = nb.len().min(MAXNAMELEN - 1);
    req[12..12 + n].copy_from_slice(&nb[..n]);
    match call(&fd, &mut req) {
        Err(74) => {
            // EBADMSG: old kernels, name-only lookup
            let mut r2 = [0u8; 8 + MAXNAMELEN];
            r2[..4].copy_from_slice(&IP_SET_OP_GET_BYNAME.to_ne_bytes());
            r2[4..8].copy_from_slice(&version.to_ne_bytes());
            r2[8..8 + n].copy_from_slice(&nb[..n]);
            let len = call(&fd, &mut r2).map_err(comm_err)?;
            if len != r2.len() {
                return Err(size_err(r2.len(), len));
            }
            let idx = u16::from_ne_bytes([r2[8], r2[9]]);
            if idx == INVALID_ID {
                return Err(IptError::param(format!("Set {name} doesn't exist.\n")));
            }
            Ok(idx)
        }
        Err(e) => Err(comm_err(e)),
        Ok(len) => {
            if len != req.len() {
                return Err(size_err(req.len(), len));
            }
            let idx = u16::from_ne_bytes([req[12], req[13]]);
            if idx == INVALID_ID {
                return Err(IptError::param(format!("Set {name} doesn't exist.\n")));
            }
            let fam = u32::from_ne_bytes([req[8], req[9], req[10], req[11]]);
            if fam != nfproto as u32 && fam != 0 {
                return Err(IptError::param(format!(
                    "The protocol family of set {name} is {}, which is not applicable.\n",
                    if fam == 2 { "IPv4" } else { "IPv6" }
                )));
            }
            Ok(idx)
        }
    }
}

fn size_err(want: usize, got: usize) -> IptError {
    IptError::xt(
        ExitCode::Other,
        format!(
            "Incorrect return size from kernel during ipset lookup, (want {want}, got {got})\n"
        ),
    )
}

/// `get_set_byid`: the name of the set with index `idx`.
pub fn name_by_index(idx: u16) -> Result<String> {
    let (fd, version) = open()?;
    let mut req = [0u8; 8 + MAXNAMELEN];
    req[..4].copy_from_slice(&IP_SET_OP_GET_BYINDEX.to_ne_bytes());
    req[4..8].copy_from_slice(&version.to_ne_bytes());
    req[8..10].copy_from_slice(&idx.to_ne_bytes());
    let len = call(&fd, &mut req).map_err(comm_err)?;
    if len != req.len() {
        return Err(size_err(req.len(), len));
    }
    if req[8] == 0 {
        return Err(IptError::param(format!(
            "Set with index {idx} in kernel doesn't exist.\n"
        )));
    }
    let end = req[8..].iter().position(|&c| c == 0).unwrap_or(MAXNAMELEN);
    Ok(String::from_utf8_lossy(&req[8..8 + end]).into_owned())
}
