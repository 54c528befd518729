//! Harness for the real-client tests (`tests/clients_*.rs`): a Debian
//! package's program (ufw, ferm, fail2ban, the CNI plugins, dockerd) runs a
//! sequence of steps once with the real iptables-nft 1.8.11 and once with
//! `nftwire-iptables`, each in its own sandbox, and after every step the
//! exit code, output, `nft list ruleset` and 1.8.11's `iptables-save` /
//! `ip6tables-save` of both runs are compared.
//!
//! A sandbox is a private network, mount and PID namespace made by
//! `unshare` (the PID namespace makes every daemon a step starts die with
//! the sandbox). Inside it `/run` is a fresh tmpfs and
//! `/usr/sbin/xtables-nft-multi` — the file every `iptables*`/`ip6tables*`
//! name of Debian's iptables package resolves to, through
//! update-alternatives' symlinks — is bind-mounted over by the
//! implementation under test, so a client finds it whether it searches
//! `PATH`, hard-codes `/usr/sbin/iptables` or `/sbin/iptables`; the legacy
//! tools are made non-executable, so nothing falls back to them. Clients'
//! configuration and state directories are replaced by private copies
//! (`Sandbox::private`), so nothing on the host is read back or written.
//!
//! Differences that are known gaps are listed in
//! `tests/clients/expected-diffs.txt`; the tests print them visibly and
//! fail when a listed difference no longer occurs, so the list only shrinks.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// Which iptables the client runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Impl {
    /// Debian 13's iptables-nft 1.8.11 (`tests/oracle/setup-oracle.sh`).
    Oracle,
    /// `nftwire-iptables`.
    Shim,
}

impl Impl {
    fn name(self) -> &'static str {
        match self {
            Impl::Oracle => "oracle",
            Impl::Shim => "shim",
        }
    }
}

/// Paths of the implementations and helpers, prepared once per process.
pub struct Tools {
    /// Script running 1.8.11's `xtables-nft-multi` from the oracle root
    /// with the name it was called by.
    pub oracle_multi: PathBuf,
    /// The built `nftwire-iptables`.
    pub shim: PathBuf,
    /// Directory holding `iptables-save`/`ip6tables-save` links to
    /// `oracle_multi`: the state is always read back with 1.8.11.
    pub oracle_bin: PathBuf,
    /// `nftwire` (loads and saves the native rules losslessly).
    pub nftwire: PathBuf,
    /// Scratch directory of the sandboxes (`target/clients`).
    pub work: PathBuf,
}

#[path = "../oracle/mod.rs"]
mod oracle;

/// The implementations, built / unpacked on first use. A missing
/// prerequisite panics with what to run.
pub fn tools() -> &'static Tools {
    static T: OnceLock<Tools> = OnceLock::new();
    T.get_or_init(|| {
        // The shim build and the oracle root of the shim's oracle tests.
        let e = oracle::env();
        let root = e.root.clone().expect(
            "the real iptables 1.8.11 is needed (tests/oracle/setup-oracle.sh failed, see above)",
        );
        let shim = e.shim.clone();
        let tdir = root.parent().expect("target dir").to_path_buf();
        let work = tdir.join("clients");
        let oracle_bin = work.join("oracle-bin");
        std::fs::create_dir_all(&oracle_bin).expect("mkdir target/clients");
        let lib = root.join("usr/lib/x86_64-linux-gnu");
        let script = format!(
            "#!/bin/sh\n# iptables 1.8.11 from the oracle root, under the name it was called by\n\
             exec env XTABLES_LIBDIR={lib}/xtables {lib}/ld-linux-x86-64.so.2 --library-path {lib} \
             --argv0 \"$0\" {root}/usr/sbin/xtables-nft-multi \"$@\"\n",
            lib = lib.display(),
            root = root.display()
        );
        let oracle_multi = work.join("xtables-nft-multi-1.8.11");
        // Write beside and rename: another test process may be running it.
        let tmp = work.join(format!("xtables-nft-multi-1.8.11.{}", std::process::id()));
        std::fs::write(&tmp, script).expect("write oracle wrapper");
        chmod_x(&tmp);
        std::fs::rename(&tmp, &oracle_multi).expect("rename oracle wrapper");
        for t in ["iptables-save", "ip6tables-save", "iptables", "ip6tables"] {
            let l = oracle_bin.join(t);
            let _ = std::fs::remove_file(&l);
            std::os::unix::fs::symlink(&oracle_multi, &l).expect("symlink");
        }
        Tools {
            oracle_multi,
            shim,
            oracle_bin,
            nftwire: PathBuf::from(env!("CARGO_BIN_EXE_nftwire")),
            work,
        }
    })
}

fn chmod_x(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// Panic unless every path exists: the client's Debian package is missing.
pub fn require(package: &str, paths: &[&str]) {
    for p in paths {
        assert!(
            Path::new(p).exists(),
            "{p} missing: install Debian's `{package}` (scripts/setup-clients.sh does, \
             called by scripts/test-all)"
        );
    }
}

/// What a command in the sandbox produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// Exit code (128 + signal when killed).
    pub rc: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// A private network + mount + PID namespace with the chosen iptables.
pub struct Sandbox {
    holder: Child,
    pid: u32,
    /// Scratch directory of this sandbox (private copies live under `root/`).
    pub dir: PathBuf,
    /// The iptables in use.
    pub imp: Impl,
}

impl Sandbox {
    /// A fresh sandbox labelled `label` (its scratch directory is
    /// `target/clients/LABEL-IMPL`), `lo` up.
    pub fn new(label: &str, imp: Impl) -> Sandbox {
        let t = tools();
        let dir = t.work.join(format!("{label}-{}", imp.name()));
        if dir.exists() {
            // A previous run's copies (maybe with a bind mount left by a
            // killed run: those only ever lived in a dead mount namespace).
            std::fs::remove_dir_all(&dir).expect("clean sandbox dir");
        }
        std::fs::create_dir_all(dir.join("root")).expect("sandbox dir");
        let mut holder = Command::new("unshare")
            .args([
                "--net",
                "--mount",
                "--pid",
                "--fork",
                "--kill-child",
                "--propagation",
                "private",
                "--mount-proc",
                "--",
                "sh",
                "-c",
                "echo ready; exec sleep 100000",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("unshare (util-linux)");
        let mut line = String::new();
        BufReader::new(holder.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read from sandbox");
        assert_eq!(line.trim(), "ready", "sandbox did not start");
        let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", holder.id()))
            .expect("children of unshare");
        let pid: u32 = children
            .split_whitespace()
            .next()
            .and_then(|p| p.parse().ok())
            .expect("sandbox init pid");
        let sb = Sandbox {
            holder,
            pid,
            dir,
            imp,
        };
        let multi = match imp {
            Impl::Oracle => &t.oracle_multi,
            Impl::Shim => &t.shim,
        };
        // The legacy tools are hidden (a non-executable file over them):
        // ferm, for one, prefers `iptables-legacy` when it is installed,
        // and the test would silently compare two legacy runs.
        sb.ok(&format!(
            "mount -t tmpfs tmpfs /run && mount --bind {} /usr/sbin/xtables-nft-multi && \
             if [ -e /usr/sbin/xtables-legacy-multi ]; then \
                 mount --bind /dev/null /usr/sbin/xtables-legacy-multi; fi && \
             ip link set lo up",
            multi.display()
        ));
        // Proof that the sandbox's iptables is the one under test.
        let v = sb.ok("/usr/sbin/iptables --version");
        match imp {
            Impl::Oracle => assert!(v.contains("v1.8.11"), "oracle says {v}"),
            Impl::Shim => assert!(v.contains("nf_tables"), "shim says {v}"),
        }
        sb
    }

    /// Replace `path` (a file or directory of the host) inside the sandbox
    /// by a private copy, so the client reads the package's files but its
    /// writes stay in the sandbox's scratch directory.
    pub fn private(&self, path: &str) -> PathBuf {
        let copy = self.dir.join("root").join(path.trim_start_matches('/'));
        std::fs::create_dir_all(copy.parent().expect("parent")).expect("mkdir");
        let st = Command::new("cp")
            .arg("-a")
            .arg(path)
            .arg(&copy)
            .status()
            .expect("cp");
        assert!(st.success(), "cp -a {path}");
        self.ok(&format!("mount --bind {} {path}", copy.display()));
        copy
    }

    /// Run `script` with `sh -c` inside the sandbox.
    pub fn sh(&self, script: &str, env: &[(&str, &str)], stdin: Option<&str>) -> Output {
        let mut c = Command::new("nsenter");
        c.arg("-t")
            .arg(self.pid.to_string())
            .args(["-m", "-n", "-p", "--", "sh", "-c", script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Fixed hash seeds: ferm (Perl) and ufw/fail2ban (Python) walk
            // hashes, and the order of their commands — so of the chains in
            // the kernel — must be the same in both runs.
            .env("PERL_HASH_SEED", "0")
            .env("PERL_PERTURB_KEYS", "0")
            .env("PYTHONHASHSEED", "0");
        for (k, v) in env {
            c.env(k, v);
        }
        let mut child = c.spawn().expect("nsenter (util-linux)");
        let mut input = child.stdin.take().expect("stdin");
        let text = stdin.unwrap_or("").to_string();
        let writer = std::thread::spawn(move || {
            let _ = input.write_all(text.as_bytes());
        });
        let o = child.wait_with_output().expect("wait");
        let _ = writer.join();
        use std::os::unix::process::ExitStatusExt;
        Output {
            rc: o
                .status
                .code()
                .unwrap_or_else(|| 128 + o.status.signal().unwrap_or(0)),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Run `script`, panicking unless it exits 0; its standard output.
    pub fn ok(&self, script: &str) -> String {
        let o = self.sh(script, &[], None);
        assert!(
            o.rc == 0,
            "[{}] `{script}` failed ({}):\n{}{}",
            self.imp.name(),
            o.rc,
            o.stdout,
            o.stderr
        );
        o.stdout
    }

    /// The kernel state: `nft list ruleset` and 1.8.11's `iptables-save`
    /// and `ip6tables-save` (dates normalized).
    pub fn snapshot(&self) -> Snapshot {
        let b = &tools().oracle_bin;
        let save = self.sh(
            &format!(
                "{b}/iptables-save; echo \"exit $?\"; {b}/ip6tables-save; echo \"exit $?\"",
                b = b.display()
            ),
            &[],
            None,
        );
        Snapshot {
            nft: mask_counters(&self.ok("nft list ruleset")),
            save: mask_counters(&normalize(&format!("{}{}", save.stdout, save.stderr))),
        }
    }

    /// The whole ruleset in nftwire's lossless save format.
    pub fn lossless(&self) -> String {
        self.ok(&format!("{} save", tools().nftwire.display()))
    }

    /// Load `tests/data/clients/netbird-native.save` (on an empty ruleset).
    pub fn load_netbird(&self) {
        let f =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/clients/netbird-native.save");
        self.ok(&format!(
            "{} restore {}",
            tools().nftwire.display(),
            f.display()
        ));
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // unshare --kill-child: SIGKILL to the sandbox's init, which ends
        // every process of its PID namespace.
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
}

/// Kernel state after a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// `nft list ruleset`.
    pub nft: String,
    /// 1.8.11's `iptables-save` then `ip6tables-save`, with exit codes.
    pub save: String,
}

/// Blank out the dates of save headers.
pub fn normalize(s: &str) -> String {
    let mut out = String::new();
    for l in s.lines() {
        if let Some(p) = l.find("# Completed on ") {
            out.push_str(&l[..p]);
            out.push_str("# Completed on DATE");
        } else if let (true, Some(p)) = (l.starts_with("# Generated by "), l.rfind(" on ")) {
            out.push_str(&l[..p]);
            out.push_str(" on DATE");
        } else {
            out.push_str(l);
        }
        out.push('\n');
    }
    out
}

/// Replace packet and byte counts (`packets N bytes M` of nft, `[N:M]` of
/// iptables-save) by `#`: the kernel's own traffic in the sandboxes (IPv6
/// neighbour discovery on new interfaces) counts differently from run to run.
pub fn mask_counters(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    loop {
        let p = rest.find("packets ");
        let q = rest.find('[');
        match (p, q) {
            (Some(p), q) if q.is_none_or(|q| p < q) => {
                out.push_str(&rest[..p]);
                let tail = &rest[p + 8..];
                let n = tail.bytes().take_while(u8::is_ascii_digit).count();
                if n > 0 && tail[n..].starts_with(" bytes ") {
                    let t2 = &tail[n + 7..];
                    let m = t2.bytes().take_while(u8::is_ascii_digit).count();
                    out.push_str("packets # bytes #");
                    rest = &t2[m..];
                } else {
                    out.push_str("packets ");
                    rest = tail;
                }
            }
            (_, Some(q)) => {
                out.push_str(&rest[..q]);
                let tail = &rest[q + 1..];
                let n = tail.bytes().take_while(u8::is_ascii_digit).count();
                let t2 = &tail[n..];
                let m = t2
                    .strip_prefix(':')
                    .map_or(0, |t| t.bytes().take_while(u8::is_ascii_digit).count());
                if n > 0 && m > 0 && t2[1 + m..].starts_with(']') {
                    out.push_str("[#:#]");
                    rest = &t2[2 + m..];
                } else {
                    out.push('[');
                    rest = tail;
                }
            }
            _ => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

/// One step of a client scenario: a shell command run in the sandbox.
#[derive(Clone, Debug)]
pub struct Step {
    /// Short name used in reports and in `expected-diffs.txt`.
    pub name: String,
    /// `sh -c` script.
    pub script: String,
    /// Environment variables.
    pub env: Vec<(String, String)>,
    /// Standard input.
    pub stdin: Option<String>,
    /// The exit code 1.8.11's run must give (checks the scenario itself).
    pub expect_rc: i32,
    /// Lines 1.8.11's `iptables-save`/`ip6tables-save` must show after the
    /// step in 1.8.11's run (checks the client really did its work).
    pub expect_saved: Vec<String>,
}

impl Step {
    /// A step running `script`.
    pub fn new(name: &str, script: &str) -> Step {
        Step {
            name: name.into(),
            script: script.into(),
            env: Vec::new(),
            stdin: None,
            expect_rc: 0,
            expect_saved: Vec::new(),
        }
    }

    /// 1.8.11's run must show `line` in iptables-save after this step.
    pub fn saved(mut self, line: &str) -> Step {
        self.expect_saved.push(line.into());
        self
    }

    /// Renamed.
    pub fn named(mut self, name: &str) -> Step {
        self.name = name.into();
        self
    }

    /// Expected to exit `rc` with 1.8.11.
    pub fn rc(mut self, rc: i32) -> Step {
        self.expect_rc = rc;
        self
    }

    /// With standard input.
    pub fn stdin(mut self, s: &str) -> Step {
        self.stdin = Some(s.into());
        self
    }

    /// With environment variables.
    pub fn env(mut self, vars: &[(&str, &str)]) -> Step {
        self.env
            .extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self
    }
}

/// What one step did.
#[derive(Clone, Debug)]
pub struct Record {
    /// The step's name.
    pub step: String,
    /// Its output.
    pub out: Output,
    /// The state after it.
    pub state: Snapshot,
    /// For runs with NetBird's rules: the native rules missing or changed
    /// after this step (empty when all survived).
    pub lost_native: Vec<String>,
}

/// Run `steps` in a new sandbox prepared by `setup` (after NetBird's
/// native rules were loaded, when `netbird`).
pub fn run<S: Fn(&Sandbox)>(
    label: &str,
    imp: Impl,
    netbird: bool,
    setup: &S,
    steps: &[Step],
) -> Vec<Record> {
    let sb = Sandbox::new(label, imp);
    let native = netbird.then(|| {
        sb.load_netbird();
        native_blocks(&sb.lossless())
    });
    setup(&sb);
    let mut recs = Vec::new();
    for s in steps {
        let env: Vec<(&str, &str)> = s
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let out = sb.sh(&s.script, &env, s.stdin.as_deref());
        let state = sb.snapshot();
        let lost_native = match &native {
            Some(n) => lost(n, &native_blocks(&sb.lossless())),
            None => Vec::new(),
        };
        recs.push(Record {
            step: s.name.clone(),
            out,
            state,
            lost_native,
        });
    }
    recs
}

/// The blocks of a lossless save that belong to NetBird: every block of a
/// table iptables does not own, and every rule block carrying userdata
/// (NetBird tags each of its rules) in the tables iptables does own —
/// keyed by header and body, in order.
fn native_blocks(save: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut cur: Option<(String, String)> = None;
    let push = |c: Option<(String, String)>, out: &mut Vec<(String, String)>| {
        if let Some((h, b)) = c {
            let words: Vec<&str> = h.split_whitespace().collect();
            let iptables_table = words.len() >= 3
                && matches!(words[1], "ip" | "ip6")
                && matches!(words[2], "filter" | "nat" | "mangle" | "raw" | "security");
            // Rule userdata: attribute NFTA_RULE_USERDATA (7).
            let tagged = words[0] == "rule" && has_rule_userdata(&b);
            if !iptables_table || tagged {
                out.push((h, b));
            }
        }
    };
    for l in save.lines() {
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') || l.starts_with("nftwire-save") {
            continue;
        }
        if !l.starts_with(' ') {
            push(cur.take(), &mut out);
            cur = Some((l.to_string(), String::new()));
        } else if let (Some((_, b)), Some(hex)) = (cur.as_mut(), t.strip_prefix("body ")) {
            b.push_str(hex);
        }
    }
    push(cur.take(), &mut out);
    out
}

fn has_rule_userdata(body_hex: &str) -> bool {
    // Walk the top-level attributes of the (expanded) body.
    let bytes = match unhex(body_hex) {
        Some(b) => b,
        None => return false,
    };
    let mut i = 0;
    while i + 4 <= bytes.len() {
        let len = u16::from_ne_bytes([bytes[i], bytes[i + 1]]) as usize;
        let ty = u16::from_ne_bytes([bytes[i + 2], bytes[i + 3]]) & 0x3fff;
        if ty == 7 {
            return true;
        }
        if len < 4 {
            return false;
        }
        i += (len + 3) & !3;
    }
    false
}

/// Hex of the save format (with `(N)` zero runs) to bytes.
fn unhex(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'(' {
            let end = s[i..].find(')')? + i;
            let n: usize = s[i + 1..end].parse().ok()?;
            out.extend(std::iter::repeat_n(0u8, n));
            i = end + 1;
        } else {
            out.push(u8::from_str_radix(s.get(i..i + 2)?, 16).ok()?);
            i += 2;
        }
    }
    Some(out)
}

/// The blocks of `before` missing from `after`, or out of their order
/// within their chain / table.
fn lost(before: &[(String, String)], after: &[(String, String)]) -> Vec<String> {
    let mut missing = Vec::new();
    let mut heads: BTreeSet<&str> = BTreeSet::new();
    for (h, _) in before {
        heads.insert(h);
    }
    for head in heads {
        let want: Vec<&str> = before
            .iter()
            .filter(|(h, _)| h == head)
            .map(|(_, b)| b.as_str())
            .collect();
        let have: Vec<&str> = after
            .iter()
            .filter(|(h, _)| h == head)
            .map(|(_, b)| b.as_str())
            .collect();
        // `want` must be a subsequence of `have`.
        let mut it = have.iter();
        for w in &want {
            if !it.any(|h| h == w) {
                missing.push(format!("{head}: body {}", &w[..w.len().min(120)]));
                break;
            }
        }
    }
    missing
}

/// A difference found between the two runs (or a lost native rule).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diff {
    /// Client (with `+netbird` for the runs with NetBird's rules).
    pub client: String,
    /// Step name.
    pub step: String,
    /// `rc`, `stdout`, `stderr`, `nft`, `save` or `native`.
    pub what: String,
}

/// Line diff of two texts, `-`/`+` lines only (LCS based).
pub fn line_diff(a: &str, b: &str) -> String {
    let x: Vec<&str> = a.lines().collect();
    let y: Vec<&str> = b.lines().collect();
    let (n, m) = (x.len(), y.len());
    let mut l = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            l[i][j] = if x[i] == y[j] {
                l[i + 1][j + 1] + 1
            } else {
                l[i + 1][j].max(l[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = String::new();
    while i < n || j < m {
        if i < n && j < m && x[i] == y[j] {
            i += 1;
            j += 1;
        } else if j < m && (i == n || l[i][j + 1] >= l[i + 1][j]) {
            out.push_str(&format!("+ {}\n", y[j]));
            j += 1;
        } else {
            out.push_str(&format!("- {}\n", x[i]));
            i += 1;
        }
    }
    out
}

/// Differences found, with a readable report of each.
#[derive(Default)]
pub struct Findings {
    /// The differences.
    pub diffs: Vec<Diff>,
    /// What each one is, in order.
    pub report: String,
}

impl Findings {
    /// Record that `what` differs at `step` of `client`; `legend` says
    /// which runs the `-`/`+` lines of `text` come from.
    fn add(&mut self, client: &str, step: &str, what: &str, legend: &str, text: &str) {
        self.diffs.push(Diff {
            client: client.into(),
            step: step.into(),
            what: what.into(),
        });
        self.report.push_str(&format!(
            "--- {client} step `{step}`: {what} differs ({legend})\n{text}"
        ));
    }

    /// Compare exit codes and standard output (and standard error when
    /// `stderr`) of one step of two runs.
    fn outcomes(&mut self, client: &str, legend: &str, o: &Record, s: &Record, stderr: bool) {
        if o.out.rc != s.out.rc {
            let text = format!(
                "- exit {}\n+ exit {}\n  - stderr: {}\n  + stderr: {}\n",
                o.out.rc, s.out.rc, o.out.stderr, s.out.stderr
            );
            self.add(client, &o.step, "rc", legend, &text);
        }
        if o.out.stdout != s.out.stdout {
            let text = line_diff(&o.out.stdout, &s.out.stdout);
            self.add(client, &o.step, "stdout", legend, &text);
        }
        if stderr && o.out.stderr != s.out.stderr {
            let text = line_diff(&o.out.stderr, &s.out.stderr);
            self.add(client, &o.step, "stderr", legend, &text);
        }
    }
}

/// Compare the oracle's and the shim's records of `client`: every
/// difference, with a report. A state difference is reported at the step
/// where it appears or changes, not again at every later step.
pub fn compare(client: &str, oracle: &[Record], shim: &[Record]) -> Findings {
    compare_opts(client, oracle, shim, false)
}

/// Sort the `table` blocks of an `nft list ruleset` listing by their
/// header: for clients whose order of table creation is not theirs to
/// choose (the CNI firewall plugin sets up IPv4 and IPv6 in Go map order).
pub fn sort_tables(listing: &str) -> String {
    let mut blocks: Vec<String> = Vec::new();
    for l in listing.lines() {
        if l.starts_with("table ") || blocks.is_empty() {
            blocks.push(String::new());
        }
        let b = blocks.last_mut().expect("a block");
        b.push_str(l);
        b.push('\n');
    }
    blocks.sort();
    blocks.concat()
}

/// [`compare`], with the tables of the nft listings in a canonical order
/// when `sorted_tables`.
pub fn compare_opts(
    client: &str,
    oracle: &[Record],
    shim: &[Record],
    sorted_tables: bool,
) -> Findings {
    const LEGEND: &str = "- 1.8.11, + shim";
    let mut f = Findings::default();
    let mut prev_nft = String::new();
    let mut prev_save = String::new();
    let mut notes = Vec::new();
    assert_eq!(oracle.len(), shim.len());
    for (o, s) in oracle.iter().zip(shim) {
        f.outcomes(client, LEGEND, o, s, true);
        let nd = if sorted_tables {
            line_diff(&sort_tables(&o.state.nft), &sort_tables(&s.state.nft))
        } else {
            line_diff(&o.state.nft, &s.state.nft)
        };
        if nd != prev_nft {
            if !nd.is_empty() {
                f.add(client, &o.step, "nft", LEGEND, &nd);
            } else {
                notes.push(format!(
                    "--- {client} step `{}`: nft list ruleset equal again\n",
                    o.step
                ));
            }
            prev_nft = nd;
        }
        let sd = line_diff(&o.state.save, &s.state.save);
        if sd != prev_save {
            if !sd.is_empty() {
                f.add(client, &o.step, "save", LEGEND, &sd);
            }
            prev_save = sd;
        }
    }
    f.report.extend(notes);
    f
}

/// Check a run with NetBird's rules against the plain 1.8.11 run: same
/// exit codes and output at every step, and every native rule survives.
pub fn compare_netbird(client: &str, plain: &[Record], nb: &[Record]) -> Findings {
    const LEGEND: &str = "- 1.8.11 without NetBird's rules, + shim with them";
    let mut f = Findings::default();
    let mut lost_before = false;
    for (o, s) in plain.iter().zip(nb) {
        f.outcomes(client, LEGEND, o, s, false);
        let lost_now = !s.lost_native.is_empty();
        if lost_now && !lost_before {
            let text = format!("native rules lost:\n{}\n", s.lost_native.join("\n"));
            f.add(client, &o.step, "native", LEGEND, &text);
        }
        lost_before = lost_now;
    }
    f
}

/// One line of `expected-diffs.txt`.
#[derive(Clone, Debug)]
struct Expected {
    line: usize,
    diff: Diff,
    text: String,
}

impl Expected {
    /// Whether this line covers `d` (`*` as step or what: any).
    fn covers(&self, d: &Diff) -> bool {
        self.diff.client == d.client
            && (self.diff.step == "*" || self.diff.step == d.step)
            && (self.diff.what == "*" || self.diff.what == d.what)
    }
}

fn expected() -> Vec<Expected> {
    let f = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/expected-diffs.txt");
    let text = std::fs::read_to_string(&f).expect("tests/clients/expected-diffs.txt");
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = l.split('|').map(str::trim).collect();
        assert!(
            f.len() >= 5,
            "expected-diffs.txt line {}: want `client | step | what | issue | reason`",
            i + 1
        );
        out.push(Expected {
            line: i + 1,
            diff: Diff {
                client: f[0].into(),
                step: f[1].into(),
                what: f[2].into(),
            },
            text: l.to_string(),
        });
    }
    out
}

/// Fail on every difference not listed in `expected-diffs.txt` and on
/// every listed difference of `clients` that did not occur; print the
/// listed ones that did.
pub fn verdict(clients: &[&str], diffs: &[Diff], report: &str) {
    let exp = expected();
    let mut unexpected = Vec::new();
    // Per listed line, the `step what` it covered this time.
    let mut covered: Vec<(&Expected, Vec<String>)> = Vec::new();
    for d in diffs {
        match exp.iter().find(|e| e.covers(d)) {
            Some(e) => {
                let item = format!("{} {}", d.step, d.what);
                match covered.iter_mut().find(|(c, _)| c.line == e.line) {
                    Some((_, items)) => items.push(item),
                    None => covered.push((e, vec![item])),
                }
            }
            None => unexpected.push(d),
        }
    }
    // Straight to stderr, past the test harness' capture: visible in every
    // run, passing or not.
    for (e, items) in &covered {
        let _ = writeln!(
            std::io::stderr(),
            "EXPECTED DIFFERENCE (tests/clients/expected-diffs.txt:{}): {}\n    seen at: {}",
            e.line,
            e.text,
            items.join("; ")
        );
    }
    let gone: Vec<&Expected> = exp
        .iter()
        .filter(|e| clients.contains(&e.diff.client.as_str()) && !diffs.iter().any(|d| e.covers(d)))
        .collect();
    eprintln!("{report}");
    let mut msg = String::new();
    for d in &unexpected {
        msg.push_str(&format!(
            "unexpected difference: {} | {} | {}\n",
            d.client, d.step, d.what
        ));
    }
    for e in &gone {
        msg.push_str(&format!(
            "listed difference no longer occurs, delete expected-diffs.txt:{}: {}\n",
            e.line, e.text
        ));
    }
    assert!(msg.is_empty(), "{msg}(full report above)");
}

/// Run a client scenario four ways — 1.8.11 and the shim, each without and
/// with NetBird's native rules (those runs in parallel) — and judge it.
/// `client` names it in reports and `expected-diffs.txt` (`CLIENT` and
/// `CLIENT+netbird`).
pub fn check<S: Fn(&Sandbox) + Sync>(client: &str, setup: S, steps: &[Step]) {
    check_opts(client, false, setup, steps)
}

/// [`check`], comparing the nft listings with their tables sorted
/// ([`sort_tables`]) when `sorted_tables`.
pub fn check_opts<S: Fn(&Sandbox) + Sync>(
    client: &str,
    sorted_tables: bool,
    setup: S,
    steps: &[Step],
) {
    let nb = format!("{client}+netbird");
    let (oracle, shim, shim_nb) = std::thread::scope(|sc| {
        let o = sc.spawn(|| run(client, Impl::Oracle, false, &setup, steps));
        let s = sc.spawn(|| run(client, Impl::Shim, false, &setup, steps));
        let n = sc.spawn(|| run(&nb, Impl::Shim, true, &setup, steps));
        (
            o.join().expect("oracle run"),
            s.join().expect("shim run"),
            n.join().expect("shim+netbird run"),
        )
    });
    assert!(
        oracle.iter().any(|r| !r.state.nft.trim().is_empty()),
        "[{client}] the scenario itself is broken: no step left anything in nf_tables"
    );
    for (r, s) in oracle.iter().zip(steps) {
        assert_eq!(
            r.out.rc, s.expect_rc,
            "[{client}] the scenario itself is broken: step `{}` exits {} with 1.8.11, not {}:\n{}{}",
            r.step, r.out.rc, s.expect_rc, r.out.stdout, r.out.stderr
        );
    }
    for (r, s) in oracle.iter().zip(steps) {
        for l in &s.expect_saved {
            assert!(
                r.state.save.lines().any(|x| x == l),
                "[{client}] the scenario itself is broken: after step `{}` 1.8.11's save lacks `{l}`:\n{}",
                r.step,
                r.state.save
            );
        }
    }
    for r in &oracle {
        eprintln!(
            "[{client}] step `{}`: 1.8.11 exit {}, shim exit {}",
            r.step,
            r.out.rc,
            shim.iter()
                .find(|s| s.step == r.step)
                .map_or(-1, |s| s.out.rc)
        );
    }
    let mut f = compare_opts(client, &oracle, &shim, sorted_tables);
    let f2 = compare_netbird(&nb, &oracle, &shim_nb);
    f.diffs.extend(f2.diffs);
    f.report.push_str(&f2.report);
    verdict(&[client, &nb], &f.diffs, &f.report);
}
