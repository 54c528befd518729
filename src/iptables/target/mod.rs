//! Target extensions (`-j NAME` other than verdicts and chains).

pub mod audit;
pub mod checksum;
pub mod classify;
pub mod connmark;
pub mod ct;
pub mod dscp;
pub mod ecn;
pub mod hmark;
pub mod idletimer;
pub mod led;
pub mod log;
pub mod mark;
pub mod nat;
pub mod netmap;
pub mod nflog;
pub mod nfqueue;
pub mod npt;
pub mod rateest;
pub mod reject;
pub mod secmark;
pub mod set;
pub mod synproxy;
pub mod tcpmss;
pub mod tcpoptstrip;
pub mod tee;
pub mod tos;
pub mod tproxy;
pub mod trace;
pub mod ttl;

crate::fam_any!(
    log::Log,
    mark::MarkTarget,
    nat::Snat,
    nat::Dnat,
    nat::Masquerade,
    nat::Redirect,
    nflog::Nflog,
    reject::Reject,
    trace::Trace,
    checksum::Checksum,
    connmark::ConnmarkTarget,
    dscp::DscpTarget,
    tcpmss::Tcpmss,
    ct::Ct,
    ct::Notrack,
    netmap::Netmap,
    tos::TosTarget,
    nfqueue::Nfqueue,
    classify::Classify,
    audit::Audit,
    secmark::Secmark,
    secmark::Connsecmark,
    synproxy::Synproxy,
    tcpoptstrip::Tcpoptstrip,
    tee::Tee,
    tproxy::Tproxy,
    idletimer::Idletimer,
    led::Led,
    hmark::Hmark,
    set::SetTarget,
    rateest::Rateest
);
crate::fam_only!(V4: ttl::Ttl, ecn::EcnTarget);
crate::fam_only!(V6: ttl::Hl, npt::Snpt, npt::Dnpt);

crate::xt_registry! {
    /// A target extension of a rule.
    Target {
        Log(log::Log),
        Nflog(nflog::Nflog),
        Reject(reject::Reject),
        Mark(mark::MarkTarget),
        Snat(nat::Snat),
        Dnat(nat::Dnat),
        Masquerade(nat::Masquerade),
        Redirect(nat::Redirect),
        Trace(trace::Trace),
        Checksum(checksum::Checksum),
        Connmark(connmark::ConnmarkTarget),
        Dscp(dscp::DscpTarget),
        Tcpmss(tcpmss::Tcpmss),
        Notrack(ct::Notrack),
        Ct(ct::Ct),
        Netmap(netmap::Netmap),
        Tos(tos::TosTarget),
        Ttl(ttl::Ttl),
        Hl(ttl::Hl),
        Ecn(ecn::EcnTarget),
        Nfqueue(nfqueue::Nfqueue),
        Classify(classify::Classify),
        Audit(audit::Audit),
        Secmark(secmark::Secmark),
        Connsecmark(secmark::Connsecmark),
        Synproxy(synproxy::Synproxy),
        Tcpoptstrip(tcpoptstrip::Tcpoptstrip),
        Tee(tee::Tee),
        Tproxy(tproxy::Tproxy),
        Snpt(npt::Snpt),
        Dnpt(npt::Dnpt),
        Idletimer(idletimer::Idletimer),
        Led(led::Led),
        Hmark(hmark::Hmark),
        Set(set::SetTarget),
        Rateest(rateest::Rateest),
    }
}
