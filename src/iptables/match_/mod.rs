//! Match extensions (`-m NAME`), one file each.

pub mod addrtype;
pub mod bpf;
pub mod cgroup;
pub mod cluster;
pub mod comment;
pub mod connbytes;
pub mod connlabel;
pub mod connlimit;
pub mod connmark;
pub mod conntrack;
pub mod cpu;
pub mod dccp;
pub mod devgroup;
pub mod dscp;
pub mod ecn;
pub mod eui64;
pub mod frag;
pub mod hashlimit;
pub mod helper;
pub mod icmp;
pub mod idrange;
pub mod ip6opts;
pub mod iprange;
pub mod ipsec;
pub mod ipv6header;
pub mod ipvs;
pub mod length;
pub mod limit;
pub mod lmap;
pub mod mac;
pub mod mark;
pub mod mh;
pub mod multiport;
pub mod nfacct;
pub mod osf;
pub mod owner;
pub mod physdev;
pub mod pkttype;
pub mod policy;
pub mod quota;
pub mod rateest;
pub mod realm;
pub mod recent;
pub mod rpfilter;
pub mod rt;
pub mod sctp;
pub mod set;
pub mod socket;
pub mod srh;
pub mod statistic;
pub mod string;
pub mod tcp;
pub mod tcpmss;
pub mod time;
pub mod tos;
pub mod ttl;
pub mod u32;
pub mod udp;

crate::fam_any!(
    addrtype::Addrtype,
    comment::Comment,
    conntrack::Conntrack,
    conntrack::State,
    limit::Limit,
    mark::Mark,
    multiport::Multiport,
    physdev::Physdev,
    set::Set,
    statistic::Statistic,
    tcp::Tcp,
    udp::Udp,
    connlimit::Connlimit,
    connmark::Connmark,
    dscp::Dscp,
    iprange::Iprange,
    length::Length,
    mac::Mac,
    owner::Owner,
    pkttype::Pkttype,
    tos::Tos,
    recent::Recent,
    socket::Socket,
    hashlimit::Hashlimit,
    rpfilter::Rpfilter,
    ipsec::Esp,
    ipsec::Ipcomp,
    ecn::Ecn,
    sctp::Sctp,
    dccp::Dccp,
    connbytes::Connbytes,
    quota::Quota,
    cpu::Cpu,
    helper::Helper,
    cgroup::Cgroup,
    tcpmss::TcpmssMatch,
    string::StringMatch,
    policy::Policy,
    cluster::Cluster,
    nfacct::Nfacct,
    connlabel::Connlabel,
    time::Time,
    bpf::Bpf,
    u32::U32,
    ipvs::Ipvs,
    rateest::RateestMatch,
    devgroup::Devgroup
);
crate::fam_only!(V4: icmp::Icmp, ttl::Ttl, ipsec::Ah, realm::Realm, osf::Osf);
crate::fam_only!(V6: icmp::Icmp6, ttl::Hl, rt::Rt, frag::Frag, ipsec::Ah6, ip6opts::Hbh, ip6opts::Dst, mh::Mh, ipv6header::Ipv6Header, eui64::Eui64, srh::Srh);

crate::xt_registry! {
    /// A match extension of a rule.
    Match {
        Tcp(tcp::Tcp),
        Udp(udp::Udp),
        Icmp(icmp::Icmp),
        Icmp6(icmp::Icmp6),
        Comment(comment::Comment),
        State(conntrack::State),
        Conntrack(conntrack::Conntrack),
        Mark(mark::Mark),
        Multiport(multiport::Multiport),
        Addrtype(addrtype::Addrtype),
        Statistic(statistic::Statistic),
        Set(set::Set),
        Physdev(physdev::Physdev),
        Limit(limit::Limit),
        Connlimit(connlimit::Connlimit),
        Connmark(connmark::Connmark),
        Dscp(dscp::Dscp),
        Iprange(iprange::Iprange),
        Length(length::Length),
        Mac(mac::Mac),
        Owner(owner::Owner),
        Pkttype(pkttype::Pkttype),
        Tos(tos::Tos),
        Ttl(ttl::Ttl),
        Hl(ttl::Hl),
        Recent(recent::Recent),
        Socket(socket::Socket),
        Hashlimit(hashlimit::Hashlimit),
        Rpfilter(rpfilter::Rpfilter),
        Rt(rt::Rt),
        Frag(frag::Frag),
        Esp(ipsec::Esp),
        Ah(ipsec::Ah),
        Ah6(ipsec::Ah6),
        Ipcomp(ipsec::Ipcomp),
        Hbh(ip6opts::Hbh),
        Dst(ip6opts::Dst),
        Mh(mh::Mh),
        Ipv6Header(ipv6header::Ipv6Header),
        Eui64(eui64::Eui64),
        Ecn(ecn::Ecn),
        Sctp(sctp::Sctp),
        Dccp(dccp::Dccp),
        Connbytes(connbytes::Connbytes),
        Quota(quota::Quota),
        Cpu(cpu::Cpu),
        Helper(helper::Helper),
        Cgroup(cgroup::Cgroup),
        Tcpmss(tcpmss::TcpmssMatch),
        String(string::StringMatch),
        Policy(policy::Policy),
        Cluster(cluster::Cluster),
        Nfacct(nfacct::Nfacct),
        Realm(realm::Realm),
        Devgroup(devgroup::Devgroup),
        Osf(osf::Osf),
        Connlabel(connlabel::Connlabel),
        Time(time::Time),
        Bpf(bpf::Bpf),
        U32(u32::U32),
        Ipvs(ipvs::Ipvs),
        Rateest(rateest::RateestMatch),
        Srh(srh::Srh),
    }
}
