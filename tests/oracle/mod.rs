//! The oracle harness shared by the shim tests: runs command sequences
//! with Debian 13's iptables 1.8.11 (unpacked privately, see
//! `setup-oracle.sh`) and with `nftwire-iptables`, each in a fresh network
//! namespace, and compares exit codes, output and the resulting kernel
//! state (rules via the library, handles aside).
#![allow(dead_code)]

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Which implementation runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Impl {
    /// iptables 1.8.11 (or the host's iptables-nft as fallback).
    Oracle,
    /// nftwire-iptables.
    Shim,
}

/// Where the implementations are.
#[derive(Clone, Debug)]
pub struct Env {
    /// The oracle's root (None = host binaries).
    pub root: Option<PathBuf>,
    /// The shim binary.
    pub shim: PathBuf,
    /// Wrapper directories (tool names → implementation) for scripts.
    pub wrap_oracle: PathBuf,
    /// Same for the shim.
    pub wrap_shim: PathBuf,
    /// Same for the host's iptables-nft (an older version), if installed.
    pub wrap_host: Option<PathBuf>,
}

/// One command: tool, arguments, optional stdin.
#[derive(Clone, Debug)]
pub struct Step {
    /// `iptables`, `ip6tables-save`, ...
    pub tool: String,
    /// Arguments.
    pub args: Vec<String>,
    /// Standard input.
    pub stdin: Option<String>,
}

impl Step {
    /// A step from a tool and words.
    pub fn new(tool: &str, args: &[&str]) -> Step {
        Step {
            tool: tool.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            stdin: None,
        }
    }
}

/// What a step produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Exit status.
    pub rc: i32,
    /// Standard output (date lines normalized).
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test exe");
    exe.parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf()
}

/// The test environment, set up once per test process (tests run in
/// parallel threads and must not race on the oracle root or the wrappers).
pub fn env() -> &'static Env {
    static ENV: std::sync::OnceLock<Env> = std::sync::OnceLock::new();
    ENV.get_or_init(setup_env)
}

/// Build the shim (release-less debug build next to the tests) and set up
/// the oracle root under `target/oracle-root`.
fn setup_env() -> Env {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let st = Command::new(env!("CARGO"))
        .args(["build", "-q", "-p", "nftwire-iptables"])
        .current_dir(manifest)
        .status()
        .expect("cargo build");
    assert!(st.success(), "building nftwire-iptables failed");
    let tdir = target_dir();
    let shim = tdir.join("debug/nftwire-iptables");
    assert!(shim.exists(), "{} missing", shim.display());
    let rootdir = tdir.join("oracle-root");
    let out = Command::new("bash")
        .arg(manifest.join("tests/oracle/setup-oracle.sh"))
        .arg(&rootdir)
        .output()
        .expect("setup-oracle.sh");
    let root = if out.status.success() {
        Some(rootdir)
    } else {
        eprintln!(
            "oracle 1.8.11 unavailable ({}); falling back to the host's iptables-nft",
            String::from_utf8_lossy(&out.stderr)
        );
        None
    };
    let wrap_oracle = tdir.join("oracle-wrap/oracle");
    let wrap_shim = tdir.join("oracle-wrap/shim");
    for d in [&wrap_oracle, &wrap_shim] {
        std::fs::create_dir_all(d).expect("wrapper dir");
    }
    let tools = [
        "iptables",
        "ip6tables",
        "iptables-save",
        "ip6tables-save",
        "iptables-restore",
        "ip6tables-restore",
        "iptables-nft",
        "iptables-nft-save",
        "iptables-nft-restore",
        "xtables-nft-multi",
        "iptables-xml",
    ];
    for t in tools {
        let ws = wrap_shim.join(t);
        let _ = std::fs::remove_file(&ws);
        std::os::unix::fs::symlink(&shim, &ws).expect("symlink");
        let wo = wrap_oracle.join(t);
        let script = match &root {
            Some(r) => format!(
                "#!/bin/sh\nR={}\nexec env XTABLES_LIBDIR=$R/usr/lib/x86_64-linux-gnu/xtables $R/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 --library-path $R/usr/lib/x86_64-linux-gnu --argv0 \"${{0##*/}}\" $R/usr/sbin/xtables-nft-multi \"$@\"\n",
                r.display()
            ),
            None => "#!/bin/sh\nexec -a \"${0##*/}\" /usr/sbin/xtables-nft-multi \"$@\"\n".to_string(),
        };
        std::fs::write(&wo, script).expect("wrapper");
        let mut p = std::fs::metadata(&wo).expect("meta").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut p, 0o755);
        std::fs::set_permissions(&wo, p).expect("chmod");
    }
    let host = Path::new("/usr/sbin/xtables-nft-multi");
    let wrap_host = (root.is_some() && host.exists()).then(|| tdir.join("oracle-wrap/host"));
    if let Some(d) = &wrap_host {
        std::fs::create_dir_all(d).expect("wrapper dir");
        for t in tools {
            let w = d.join(t);
            let _ = std::fs::remove_file(&w);
            std::os::unix::fs::symlink(host, &w).expect("symlink");
        }
    }
    Env {
        root,
        shim,
        wrap_oracle,
        wrap_shim,
        wrap_host,
    }
}

/// Normalize output: the dates of save headers.
pub fn normalize(s: &str) -> String {
    s.lines()
        .map(|l| {
            if let Some(p) = l.find("# Completed on ") {
                return format!("{}# Completed on DATE", &l[..p]);
            }
            if l.contains("# Generated by ") {
                if let Some(p) = l.rfind(" on ") {
                    return format!("{} on DATE", &l[..p]);
                }
            }
            l.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Run one step (in the calling thread's network namespace).
pub fn run_step(env: &Env, which: Impl, s: &Step) -> Outcome {
    if s.tool == "@state" {
        // Not a command: the kernel state at this point (rules as bytes).
        return Outcome {
            rc: 0,
            stdout: state(),
            stderr: String::new(),
        };
    }
    let mut c = match (which, &env.root) {
        (Impl::Shim, _) => {
            let mut c = Command::new(&env.shim);
            c.arg0(&s.tool);
            c
        }
        (Impl::Oracle, Some(r)) => {
            let lib = r.join("usr/lib/x86_64-linux-gnu");
            let mut c = Command::new(lib.join("ld-linux-x86-64.so.2"));
            c.env("XTABLES_LIBDIR", lib.join("xtables"))
                .arg("--library-path")
                .arg(&lib)
                .arg("--argv0")
                .arg(&s.tool)
                .arg(r.join("usr/sbin/xtables-nft-multi"));
            c
        }
        (Impl::Oracle, None) => {
            let mut c = Command::new("/usr/sbin/xtables-nft-multi");
            c.arg0(&s.tool);
            c
        }
    };
    c.args(&s.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    if let Some(mut i) = child.stdin.take() {
        let _ = i.write_all(s.stdin.as_deref().unwrap_or("").as_bytes());
    }
    let o = child.wait_with_output().expect("wait");
    Outcome {
        rc: o.status.code().unwrap_or(-1),
        stdout: normalize(&String::from_utf8_lossy(&o.stdout)),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// The kernel state as text: tables, chains (without handles) and rules
/// (expressions in `nft --debug=netlink` form), per family.
pub fn state() -> String {
    use nftwire::netlink::Conn;
    use nftwire::ruleset::Ruleset;
    let mut conn = match Conn::open() {
        Ok(c) => c,
        Err(e) => return format!("no connection: {e}"),
    };
    let rs = match Ruleset::read(&mut conn, 0) {
        Ok(r) => r,
        Err(e) => return format!("no ruleset: {e}"),
    };
    let mut out = String::new();
    let mut tables: Vec<_> = rs
        .tables
        .iter()
        .map(|t| (t.family, t.name().to_string()))
        .collect();
    tables.sort();
    for (f, t) in tables {
        out.push_str(&format!("table {f} {t}\n"));
        let mut chains: Vec<_> = rs
            .chains
            .iter()
            .filter(|c| c.family == f && c.table() == t)
            .collect();
        chains.sort_by_key(|c| c.name().to_string());
        for c in chains {
            let a = &c.attrs;
            out.push_str(&format!(
                "  chain {} hook={:?} prio={:?} type={:?} policy={:?}\n",
                c.name(),
                a.hook.as_ref().and_then(|h| h.num),
                a.hook.as_ref().and_then(|h| h.priority),
                a.chain_type,
                a.policy
            ));
            for r in rs.chain_rules(f, &t, c.name()) {
                let e: Vec<String> = r.exprs().iter().map(|x| x.to_string()).collect();
                out.push_str(&format!("    rule {}\n", e.join(" ")));
                // The bytes too: xt match/target info is not in the text.
                if let Some(l) = &r.attrs.exprs {
                    let mut w = nftwire::nla::Writer::new();
                    nftwire::nla::Attribute::encode(l, &mut w);
                    out.push_str(&format!("      bytes {}\n", hex(&w.buf)));
                }
                if let Some(u) = &r.attrs.userdata {
                    out.push_str(&format!("      userdata {}\n", hex(u)));
                }
                if let Some(c) = &r.attrs.compat {
                    out.push_str(&format!("      compat {:?} {:?}\n", c.proto, c.flags));
                }
            }
        }
    }
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Run steps in a fresh namespace: outcomes and final state.
pub fn run_case(
    env: &Env,
    which: Impl,
    steps: &[Step],
    setup: Option<&str>,
) -> (Vec<Outcome>, String) {
    let env = env.clone();
    let steps = steps.to_vec();
    let setup = setup.map(str::to_owned);
    nftwire::netns::in_new_netns(move || {
        if let Some(s) = setup {
            let _ = Command::new("bash").arg("-c").arg(s).output();
        }
        let outs: Vec<Outcome> = steps.iter().map(|s| run_step(&env, which, s)).collect();
        (outs, state())
    })
    .expect("netns")
}

/// Compare oracle and shim on `steps`; the first difference, if any.
pub fn compare(env: &Env, steps: &[Step], setup: Option<&str>) -> Option<String> {
    let (oo, os) = run_case(env, Impl::Oracle, steps, setup);
    let (so, ss) = run_case(env, Impl::Shim, steps, setup);
    for (i, (a, b)) in oo.iter().zip(&so).enumerate() {
        if a != b {
            return Some(format!(
                "step {i} `{} {}`:\n  oracle rc={} out={:?} err={:?}\n  shim   rc={} out={:?} err={:?}",
                steps[i].tool,
                steps[i].args.join(" "),
                a.rc,
                a.stdout,
                a.stderr,
                b.rc,
                b.stdout,
                b.stderr
            ));
        }
    }
    if os != ss {
        return Some(format!("state differs:\n--- oracle\n{os}--- shim\n{ss}"));
    }
    None
}

/// Split a command line into words (double quotes group, backslash
/// escapes inside them).
pub fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut have = false;
    let mut q: Option<char> = None;
    let mut esc = false;
    for c in line.chars() {
        if esc {
            cur.push(c);
            esc = false;
            continue;
        }
        match q {
            Some(qc) => {
                if c == qc {
                    q = None;
                } else if c == '\\' && qc == '"' {
                    esc = true;
                } else {
                    cur.push(c);
                }
            }
            None => match c {
                '"' | '\'' => {
                    q = Some(c);
                    have = true;
                }
                '\\' => esc = true,
                ' ' | '\t' => {
                    if have || !cur.is_empty() {
                        out.push(std::mem::take(&mut cur));
                        have = false;
                    }
                }
                _ => cur.push(c),
            },
        }
    }
    if have || !cur.is_empty() {
        out.push(cur);
    }
    out
}
