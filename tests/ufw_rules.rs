//! ufw's default rules (Debian's `ufw` package, IPv6 on) loaded as
//! `ufw-init` loads them: the chains its rules jump to are created, then
//! `user`, `before` and `after` rules are restored with `--noflush`, for
//! IPv4 and IPv6. Done once with the real iptables 1.8.11 and once with
//! the shim, each in its own network namespace; every exit code, message,
//! `iptables-save` and `-L -n -v` output must be the same (before6.rules
//! needs `-m rt --rt-type 0`). The package is fetched and unpacked, not
//! installed, by `tests/conformance/fetch-ufw.sh`.

mod oracle;

use std::path::{Path, PathBuf};
use std::process::Command;

/// `$1` = xtables-nft-multi, `$2` = directory of the rule files.
const LOAD: &str = r#"
X=$1; D=$2
for v in '' 6; do
  for c in $(cat "$D"/user$v.rules "$D"/before$v.rules "$D"/after$v.rules | grep -o -- '-j ufw6*-[a-z-]*' | sed 's/-j //' | sort -u); do
    $X ip${v}tables -N "$c" 2>/dev/null
  done
  for f in user$v before$v after$v; do
    $X ip${v}tables-restore -n < "$D/$f.rules"
    echo "ip${v}tables-restore -n $f.rules: exit $?"
  done
done
$X iptables-save | grep -v '^#'
$X ip6tables-save | grep -v '^#'
$X iptables -L -n -v
$X ip6tables -L -n -v
"#;

fn rules_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("bash")
        .arg(manifest.join("tests/conformance/fetch-ufw.sh"))
        .arg(manifest.join("target/ufw"))
        .output()
        .expect("run fetch-ufw.sh");
    assert!(
        out.status.success(),
        "fetching Debian's ufw package failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("usr/share/ufw")
}

fn load(bin: &Path, dir: &Path) -> String {
    let out = Command::new("unshare")
        .args(["-n", "sh", "-c", LOAD, "ufw-load"])
        .arg(bin.join("xtables-nft-multi"))
        .arg(dir)
        .output()
        .expect("run unshare");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn ufw_default_rules_load_as_with_iptables_1_8_11() {
    let env = oracle::env();
    assert!(
        env.root.is_some(),
        "iptables 1.8.11 (tests/oracle/setup-oracle.sh) is needed"
    );
    let dir = rules_dir();
    let real = load(&env.wrap_oracle, &dir);
    let shim = load(&env.wrap_shim, &dir);
    for f in ["user", "before", "after", "user6", "before6", "after6"] {
        let v = if f.ends_with('6') { "6" } else { "" };
        let line = format!("ip{v}tables-restore -n {f}.rules: exit 0");
        assert!(
            real.contains(&line),
            "1.8.11 did not load {f}.rules:\n{real}"
        );
    }
    assert!(
        shim.contains("-A ufw6-before-input -m rt --rt-type 0 -j DROP"),
        "the shim's ip6tables-save lacks before6.rules' rt rule:\n{shim}"
    );
    assert_eq!(
        real, shim,
        "ufw's rules load differently through the shim than through 1.8.11"
    );
}
