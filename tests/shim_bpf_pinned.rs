//! `-m bpf --object-pinned PATH`: a tiny socket-filter program is loaded
//! and pinned in a bpffs mounted in the test's own mount namespace (in its
//! own network namespace); the shim adds a rule with it, and the real
//! iptables 1.8.11 lists it as the shim does.

mod common;
mod oracle;

use nix::libc;
use oracle::{Impl, Step};
use std::process::Command;

/// `bpf(cmd, attr)` with a zeroed 128-byte attribute buffer prefixed by
/// `head`; the result or the errno.
fn bpf(cmd: libc::c_long, head: &[u8]) -> Result<i64, i32> {
    let mut attr = [0u8; 128];
    attr[..head.len()].copy_from_slice(head);
    // SAFETY: a valid, initialized attribute buffer of the size passed;
    // pointers inside it point to live buffers of the caller.
    let r = unsafe { libc::syscall(libc::SYS_bpf, cmd, attr.as_ptr(), attr.len()) };
    if r < 0 {
        Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))
    } else {
        Ok(r)
    }
}

/// `mount(2)`; the errno on failure.
fn mount(
    src: Option<&str>,
    target: &str,
    fstype: Option<&str>,
    flags: libc::c_ulong,
) -> Result<(), i32> {
    let c = |s: Option<&str>| s.map(|s| std::ffi::CString::new(s).unwrap());
    let (src, target, fstype) = (c(src), c(Some(target)).unwrap(), c(fstype));
    let p = |s: &Option<std::ffi::CString>| s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
    // SAFETY: NUL-terminated strings (or null) that outlive the call.
    let r = unsafe {
        libc::mount(
            p(&src),
            target.as_ptr(),
            p(&fstype),
            flags,
            std::ptr::null(),
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))
    }
}

/// Load `r0 = 1; exit` as a socket filter and pin it at `path`.
fn load_and_pin(path: &str) {
    // BPF_MOV64_IMM(R0, 1), BPF_EXIT_INSN()
    let insns: [u8; 16] = [0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0];
    let license = b"GPL\0";
    let mut head = Vec::new();
    head.extend_from_slice(&1u32.to_ne_bytes()); // BPF_PROG_TYPE_SOCKET_FILTER
    head.extend_from_slice(&2u32.to_ne_bytes()); // insn_cnt
    head.extend_from_slice(&(insns.as_ptr() as u64).to_ne_bytes());
    head.extend_from_slice(&(license.as_ptr() as u64).to_ne_bytes());
    let fd = bpf(5, &head).expect("BPF_PROG_LOAD of a socket filter"); // BPF_PROG_LOAD
    let cpath = std::ffi::CString::new(path).unwrap();
    let mut head = Vec::new();
    head.extend_from_slice(&(cpath.as_ptr() as u64).to_ne_bytes());
    head.extend_from_slice(&(fd as u32).to_ne_bytes());
    bpf(6, &head).expect("BPF_OBJ_PIN"); // BPF_OBJ_PIN
}

#[test]
fn object_pinned_is_added_and_listed_like_1_8_11() {
    let env = oracle::env();
    common::netns(move || {
        // A private mount namespace: the bpffs is seen by this thread and
        // the programs it starts only.
        nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS).expect("mount namespace");
        mount(None, "/", None, libc::MS_REC | libc::MS_PRIVATE).expect("make mounts private");
        let dir = std::env::temp_dir().join(format!("nftwire-bpffs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mount point");
        mount(Some("bpf"), dir.to_str().unwrap(), Some("bpf"), 0).expect("mount a bpffs");
        let prog = dir.join("prog");
        let prog = prog.to_str().unwrap().to_string();
        load_and_pin(&prog);

        let shim = |args: &[&str]| {
            let o = Command::new(&env.shim)
                .arg0_iptables()
                .args(args)
                .output()
                .expect("shim");
            (
                o.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&o.stdout).into_owned(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        };
        let (rc, _, err) = shim(&[
            "-A",
            "INPUT",
            "-m",
            "bpf",
            "--object-pinned",
            &prog,
            "-j",
            "ACCEPT",
        ]);
        assert_eq!((rc, err.as_str()), (0, ""));
        // a path that holds no object fails as in 1.8.11
        let missing = format!("{prog}-missing");
        let (rc, _, err) = shim(&["-A", "INPUT", "-m", "bpf", "--object-pinned", &missing]);
        let o = oracle::run_step(
            env,
            Impl::Oracle,
            &Step::new(
                "iptables",
                &["-A", "INPUT", "-m", "bpf", "--object-pinned", &missing],
            ),
        );
        assert_eq!((rc, err.as_str()), (o.rc, o.stderr.as_str()));
        assert_eq!(rc, 2);

        let want_s = format!("-P INPUT ACCEPT\n-A INPUT -m bpf --object-pinned {prog} -j ACCEPT\n");
        for args in [&["-S", "INPUT"][..], &["-L", "INPUT", "-n"][..]] {
            let o = oracle::run_step(env, Impl::Oracle, &Step::new("iptables", args));
            let (rc, out, err) = shim(args);
            assert_eq!((rc, err.as_str()), (0, ""));
            assert_eq!((o.rc, o.stderr.as_str()), (0, ""));
            assert_eq!(oracle::normalize(&out), o.stdout, "{args:?}");
        }
        assert_eq!(shim(&["-S", "INPUT"]).1, want_s);
        // 1.8.11 deletes the shim's rule (it opens the object again)
        let o = oracle::run_step(
            env,
            Impl::Oracle,
            &Step::new(
                "iptables",
                &[
                    "-D",
                    "INPUT",
                    "-m",
                    "bpf",
                    "--object-pinned",
                    &prog,
                    "-j",
                    "ACCEPT",
                ],
            ),
        );
        assert_eq!((o.rc, o.stderr.as_str()), (0, ""));
        assert_eq!(shim(&["-S", "INPUT"]).1, "-P INPUT ACCEPT\n");
        let d = std::ffi::CString::new(dir.to_str().unwrap()).unwrap();
        // SAFETY: a NUL-terminated path.
        unsafe { libc::umount(d.as_ptr()) };
        let _ = std::fs::remove_dir(&dir);
    });
}

/// `Command::arg0("iptables")`.
trait Arg0 {
    fn arg0_iptables(&mut self) -> &mut Self;
}

impl Arg0 for Command {
    fn arg0_iptables(&mut self) -> &mut Self {
        std::os::unix::process::CommandExt::arg0(self, "iptables")
    }
}
