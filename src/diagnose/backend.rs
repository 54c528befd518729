//! Which iptables backend this network namespace uses: `nft`
//! (iptables-nft, rules in nf_tables), `legacy` (x_tables) or `none`.
//!
//! Evidence is gathered without running any iptables binary:
//!
//! * legacy tables: the names in `/proc/net/ip_tables_names` and
//!   `ip6_tables_names`, each read through `IPT_SO_GET_INFO` /
//!   `IPT_SO_GET_ENTRIES` ([`super::legacy`]); rules, user chains and
//!   non-ACCEPT policies are counted. Tables holding nothing else than
//!   their empty builtin chains with ACCEPT policies are what a probe such as
//!   `iptables-legacy -t nat -S INPUT` creates, and are not evidence of use.
//! * iptables-nft tables: ip/ip6 tables named raw, mangle, filter, security
//!   or nat in nf_tables; the rules iptables-nft can read (per
//!   [`mod@super::explain`]), user chains and non-ACCEPT base-chain policies are
//!   counted. Rules written there by other nftables tools are reported
//!   separately and count for neither backend.
//! * native nftables: all other tables (other names or families).
//! * the kubelet's marker chains `KUBE-IPTABLES-HINT` and
//!   `KUBE-KUBELET-CANARY` (kubelet creates them with the backend it uses).
//! * where the host's `iptables` command resolves (symlinks only).
//!
//! Decision rules, in order:
//!
//! 1. If kubelet's marker chains exist in exactly one backend, that
//!    backend (kubelet's choice is what kube-proxy and CNI plugins follow).
//! 2. Otherwise, if only one backend is in use (rules, user chains or
//!    non-ACCEPT policies), that backend.
//! 3. If both are, the one with more use (rules + user chains + policies);
//!    on a tie the host's `iptables` symlink decides (nft when unknown).
//! 4. If neither is: `none` (native nftables tables, if any, are listed as
//!    evidence; they are not iptables).

use super::explain::{self, Options};
use super::json::Json;
use super::layout::{self, family_str};
use super::legacy::{self, LegacyTable};
use super::save::NoExtensions;
use super::version::{self, HostIptables, IptVersion};
use crate::ruleset::Ruleset;

/// The decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// iptables-nft.
    Nft,
    /// iptables-legacy.
    Legacy,
    /// No iptables in use.
    None,
}

impl Backend {
    /// `nft` / `legacy` / `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Nft => "nft",
            Backend::Legacy => "legacy",
            Backend::None => "none",
        }
    }
}

/// One piece of evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// What kind (`legacy-table`, `nft-table`, `kubelet-marker`,
    /// `native-table`, `host-iptables`, `decision`, ...).
    pub kind: &'static str,
    /// The backend it points to, if any.
    pub supports: Option<Backend>,
    /// One sentence.
    pub detail: String,
}

impl Evidence {
    fn new(kind: &'static str, supports: Option<Backend>, detail: impl Into<String>) -> Evidence {
        Evidence {
            kind,
            supports,
            detail: detail.into(),
        }
    }

    /// JSON form.
    pub fn to_json(&self) -> Json {
        Json::obj(vec![
            ("kind", Json::s(self.kind)),
            ("supports", Json::opt_s(self.supports.map(|b| b.as_str()))),
            ("detail", Json::s(&self.detail)),
        ])
    }
}

/// The decision with its evidence.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// The backend.
    pub backend: Backend,
    /// Everything that was found, the decisive rule last.
    pub evidence: Vec<Evidence>,
}

impl Verdict {
    /// `{"backend": ..., "evidence": [...]}`.
    pub fn to_json(&self) -> Json {
        Json::obj(vec![
            ("backend", Json::s(self.backend.as_str())),
            (
                "evidence",
                Json::Arr(self.evidence.iter().map(|e| e.to_json()).collect()),
            ),
        ])
    }
}

const MARKERS: [&str; 2] = ["KUBE-IPTABLES-HINT", "KUBE-KUBELET-CANARY"];

/// What was found, before deciding.
#[derive(Clone, Debug, Default)]
pub struct Findings {
    /// Legacy tables.
    pub legacy: Vec<LegacyTable>,
    /// Legacy tables that could not be read: (ipv6, name, error).
    pub legacy_errors: Vec<(bool, String, String)>,
    /// The nf_tables ruleset.
    pub ruleset: Ruleset,
    /// The host's iptables command.
    pub host: Option<HostIptables>,
}

/// Per-table use counts on the nft side.
struct NftTable {
    family: u8,
    name: String,
    readable: usize,
    foreign: usize,
    user_chains: Vec<String>,
    policies: Vec<String>,
}

fn nft_tables(rs: &Ruleset) -> Vec<NftTable> {
    let none = |_: u32| None;
    let opts = Options {
        version: IptVersion::V1_8_11,
        family: None,
        table: None,
        chain: None,
        ifname: &none,
        ext: &NoExtensions,
    };
    let ex = explain::explain(rs, &opts);
    let mut out: Vec<NftTable> = Vec::new();
    for t in &rs.tables {
        if layout::builtin_table(t.family, t.name()).is_none() {
            continue;
        }
        let rules: Vec<_> = ex
            .rules
            .iter()
            .filter(|r| r.family == t.family && r.table == t.name())
            .collect();
        let readable = rules
            .iter()
            .filter(|r| r.readable() && r.hidden_by.is_none())
            .count();
        let user_chains = rs
            .chains
            .iter()
            .filter(|c| c.family == t.family && c.table() == t.name() && !c.is_base())
            .map(|c| c.name().to_string())
            .collect();
        let policies = rs
            .chains
            .iter()
            .filter(|c| {
                c.family == t.family
                    && c.table() == t.name()
                    && c.is_base()
                    && layout::check_base_chain(c).is_none()
                    && c.attrs.policy == Some(0)
            })
            .map(|c| format!("{} DROP", c.name()))
            .collect();
        out.push(NftTable {
            family: t.family,
            name: t.name().to_string(),
            readable,
            foreign: rules.len() - readable,
            user_chains,
            policies,
        });
    }
    out
}

/// Gather the evidence of the current network namespace.
pub fn gather(rs: Ruleset) -> Findings {
    let (legacy, legacy_errors) = legacy::read_all();
    Findings {
        legacy,
        legacy_errors,
        ruleset: rs,
        host: version::host_iptables(),
    }
}

fn legacy_label(t: &LegacyTable) -> String {
    format!("{} {}", if t.ipv6 { "ip6" } else { "ip" }, t.name)
}

/// Decide from the findings.
pub fn decide(f: &Findings) -> Verdict {
    let mut ev = Vec::new();
    let mut legacy_use = 0usize;
    let mut legacy_marker = Vec::new();
    for t in &f.legacy {
        let label = legacy_label(t);
        for c in t
            .chains
            .iter()
            .filter(|c| MARKERS.contains(&c.name.as_str()))
        {
            legacy_marker.push(format!("{} in legacy {label}", c.name));
        }
        if t.is_pristine() {
            ev.push(Evidence::new(
                "legacy-table",
                None,
                format!(
                    "legacy table {label} exists but holds only empty builtin chains with ACCEPT \
                     policies (as a probe like `iptables-legacy -t {} -S` leaves it): not evidence of use",
                    t.name
                ),
            ));
            continue;
        }
        let policies: Vec<String> = t
            .non_accept_policies()
            .iter()
            .map(|c| format!("{} {}", c.name, c.policy.as_deref().unwrap_or("?")))
            .collect();
        let n = t.rules() + t.user_chains() + policies.len();
        legacy_use += n;
        let users: Vec<&str> = t
            .chains
            .iter()
            .filter(|c| !c.builtin)
            .map(|c| c.name.as_str())
            .collect();
        ev.push(Evidence::new(
            "legacy-table",
            Some(Backend::Legacy),
            format!(
                "legacy table {label}: {} rule(s), {} user chain(s){}{}",
                t.rules(),
                t.user_chains(),
                if users.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", short_list(&users))
                },
                if policies.is_empty() {
                    String::new()
                } else {
                    format!(", policies {}", policies.join(", "))
                }
            ),
        ));
    }
    for (ipv6, name, err) in &f.legacy_errors {
        ev.push(Evidence::new(
            "legacy-table",
            None,
            format!(
                "legacy table {} {name} is listed but could not be read: {err}",
                if *ipv6 { "ip6" } else { "ip" }
            ),
        ));
    }
    let mut nft_use = 0usize;
    let mut nft_marker = Vec::new();
    for t in nft_tables(&f.ruleset) {
        let label = format!("{} {}", family_str(t.family), t.name);
        for c in t
            .user_chains
            .iter()
            .filter(|c| MARKERS.contains(&c.as_str()))
        {
            nft_marker.push(format!("{c} in iptables-nft {label}"));
        }
        let n = t.readable + t.user_chains.len() + t.policies.len();
        nft_use += n;
        let users: Vec<&str> = t.user_chains.iter().map(String::as_str).collect();
        ev.push(Evidence::new(
            "nft-table",
            (n > 0).then_some(Backend::Nft),
            format!(
                "iptables-nft table {label}: {} rule(s) iptables-nft reads, {} user chain(s){}{}",
                t.readable,
                t.user_chains.len(),
                if users.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", short_list(&users))
                },
                if t.policies.is_empty() {
                    String::new()
                } else {
                    format!(", policies {}", t.policies.join(", "))
                }
            ),
        ));
        if t.foreign > 0 {
            ev.push(Evidence::new(
                "foreign-rules",
                None,
                format!(
                    "{label} also holds {} rule(s) written by another nftables tool that iptables \
                     cannot read correctly (see `nftwire explain`)",
                    t.foreign
                ),
            ));
        }
    }
    for t in &f.ruleset.tables {
        if layout::builtin_table(t.family, t.name()).is_some() {
            continue;
        }
        let rules = f
            .ruleset
            .rules
            .iter()
            .filter(|r| r.family == t.family && r.table() == t.name())
            .count();
        ev.push(Evidence::new(
            "native-table",
            None,
            format!(
                "native nftables table {} {} ({rules} rule(s)); not iptables",
                crate::object::family_name(t.family),
                t.name()
            ),
        ));
    }
    let host_choice =
        f.host.as_ref().and_then(|h| h.nft).map(
            |nft| {
                if nft {
                    Backend::Nft
                } else {
                    Backend::Legacy
                }
            },
        );
    if let Some(h) = &f.host {
        let chain: Vec<String> = h.chain.iter().map(|p| p.display().to_string()).collect();
        ev.push(Evidence::new(
            "host-iptables",
            host_choice,
            format!(
                "the host's iptables resolves {} ({}{}); used only to break ties",
                chain.join(" -> "),
                match h.nft {
                    Some(true) => "iptables-nft",
                    Some(false) => "iptables-legacy",
                    None => "unknown variant",
                },
                h.release
                    .as_deref()
                    .map(|r| format!(" {r}"))
                    .unwrap_or_default()
            ),
        ));
    } else {
        ev.push(Evidence::new(
            "host-iptables",
            None,
            "no iptables command on this host",
        ));
    }
    for m in &legacy_marker {
        ev.push(Evidence::new(
            "kubelet-marker",
            Some(Backend::Legacy),
            format!("kubelet marker chain {m}"),
        ));
    }
    for m in &nft_marker {
        ev.push(Evidence::new(
            "kubelet-marker",
            Some(Backend::Nft),
            format!("kubelet marker chain {m}"),
        ));
    }
    let (backend, why) = match (legacy_marker.is_empty(), nft_marker.is_empty()) {
        (false, true) => (
            Backend::Legacy,
            "kubelet's marker chains are in the legacy tables only".to_string(),
        ),
        (true, false) => (
            Backend::Nft,
            "kubelet's marker chains are in the iptables-nft tables only".to_string(),
        ),
        (both_empty_l, both_empty_n) => {
            let prefix = if !both_empty_l && !both_empty_n {
                "kubelet's marker chains are in both backends; "
            } else {
                ""
            };
            match (legacy_use, nft_use) {
                (0, 0) => (Backend::None, format!("{prefix}neither backend holds rules, user chains or non-ACCEPT policies")),
                (l, 0) => (Backend::Legacy, format!("{prefix}only the legacy tables are in use ({l} rules/chains/policies)")),
                (0, n) => (Backend::Nft, format!("{prefix}only the iptables-nft tables are in use ({n} rules/chains/policies)")),
                (l, n) if l > n => (Backend::Legacy, format!("{prefix}both backends are in use; legacy has more ({l} vs {n})")),
                (l, n) if n > l => (Backend::Nft, format!("{prefix}both backends are in use; iptables-nft has more ({n} vs {l})")),
                (l, _) => {
                    let b = host_choice.unwrap_or(Backend::Nft);
                    (b, format!("{prefix}both backends are equally in use ({l} each); the host's iptables decides: {}", b.as_str()))
                }
            }
        }
    };
    ev.push(Evidence::new("decision", Some(backend), why));
    Verdict {
        backend,
        evidence: ev,
    }
}

fn short_list(v: &[&str]) -> String {
    if v.len() <= 5 {
        v.join(", ")
    } else {
        format!("{}, ... {} more", v[..5].join(", "), v.len() - 5)
    }
}
