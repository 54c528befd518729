//! Opening a pinned BPF object (`BPF_OBJ_GET` on a path in a bpffs), as
//! `-m bpf --object-pinned PATH` needs: the kernel's xt_bpf takes the
//! program from the file descriptor written in the match, which must be
//! open in the process that sends the rule.

use std::os::fd::{FromRawFd, OwnedFd};

/// `BPF_OBJ_GET`.
const BPF_OBJ_GET: nix::libc::c_long = 7;
/// `BPF_F_RDONLY`.
const BPF_F_RDONLY: u32 = 1 << 3;

/// The `BPF_OBJ_*` part of `union bpf_attr`.
#[repr(C)]
struct ObjAttr {
    pathname: u64,
    bpf_fd: u32,
    file_flags: u32,
}

/// Open the object pinned at `path`, read-only first and read-write when
/// the kernel refuses that (before Linux 4.15). The errno on failure.
pub fn obj_get(path: &str) -> Result<OwnedFd, i32> {
    let c = std::ffi::CString::new(path).map_err(|_| nix::libc::EINVAL)?;
    let mut last = 0;
    for flags in [BPF_F_RDONLY, 0] {
        let attr = ObjAttr {
            pathname: c.as_ptr() as u64,
            bpf_fd: 0,
            file_flags: flags,
        };
        // SAFETY: `attr` is a valid, initialized `bpf_attr` prefix of the
        // size passed, and `pathname` points to a NUL-terminated string
        // that outlives the call; the syscall returns a new descriptor
        // (owned from here on, closed on exec by the kernel's default
        // O_CLOEXEC for BPF_OBJ_GET) or -1.
        let fd = unsafe {
            nix::libc::syscall(
                nix::libc::SYS_bpf,
                BPF_OBJ_GET,
                &attr as *const ObjAttr,
                std::mem::size_of::<ObjAttr>(),
            )
        };
        if fd >= 0 {
            // SAFETY: a descriptor the kernel just returned to us.
            return Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) });
        }
        last = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
    }
    Err(last)
}
