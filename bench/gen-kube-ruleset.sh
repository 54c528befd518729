#!/usr/bin/env bash
# Write an iptables-restore file shaped like kube-proxy's iptables mode
# (Kubernetes 1.29+): per Service one KUBE-SVC chain and two KUBE-SEP
# chains, 8 rules (cluster-IP jump, masquerade mark, two statistic/plain
# endpoint jumps, two SNAT marks, two DNATs), plus the fixed chains.
# With the default 5000 Services that is 40,000 service rules and 15,000
# service chains.
#
# With a second argument "moved", every 100th Service (1%) has its two
# endpoints at other addresses (10.246/10.247 instead of 10.244/10.245):
# the same chains, 6 of their 8 rules changed, as after a rollout.
#
# usage: gen-kube-ruleset.sh [SERVICES [moved]] > ruleset.iptables
set -euo pipefail
services=${1:-5000}
moved=0
[ "${2:-}" = moved ] && moved=1

awk -v n="$services" -v moved="$moved" '
function chainid(kind, i,    s, x, k) {
	# 16 characters from the alphabet kube-proxy uses (base32 of a hash);
	# a 32-bit LCG keeps every intermediate exact in awk doubles.
	x = (i * 40503 + kind * 977 + 12345) % 4294967296
	s = ""
	for (k = 0; k < 16; k++) {
		x = (x * 69069 + 1) % 4294967296
		s = s substr(A, int(x / 134217728) + 1, 1)
	}
	return s
}
function ip(base, i) { return base "." int(i / 256) % 256 "." i % 256 }
BEGIN {
	A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	print "*filter"
	print ":INPUT ACCEPT [0:0]"
	print ":FORWARD ACCEPT [0:0]"
	print ":OUTPUT ACCEPT [0:0]"
	print ":KUBE-EXTERNAL-SERVICES - [0:0]"
	print ":KUBE-FIREWALL - [0:0]"
	print ":KUBE-FORWARD - [0:0]"
	print ":KUBE-NODEPORTS - [0:0]"
	print ":KUBE-PROXY-CANARY - [0:0]"
	print ":KUBE-PROXY-FIREWALL - [0:0]"
	print ":KUBE-SERVICES - [0:0]"
	print "-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL"
	print "-A INPUT -m comment --comment \"kubernetes health check service ports\" -j KUBE-NODEPORTS"
	print "-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES"
	print "-A INPUT -j KUBE-FIREWALL"
	print "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL"
	print "-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD"
	print "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"
	print "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES"
	print "-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL"
	print "-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"
	print "-A OUTPUT -j KUBE-FIREWALL"
	print "-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment \"block incoming localnet connections\" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP"
	print "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP"
	print "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark 0x4000/0x4000 -j ACCEPT"
	print "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
	print "COMMIT"
	print "*nat"
	print ":PREROUTING ACCEPT [0:0]"
	print ":INPUT ACCEPT [0:0]"
	print ":OUTPUT ACCEPT [0:0]"
	print ":POSTROUTING ACCEPT [0:0]"
	print ":KUBE-MARK-MASQ - [0:0]"
	print ":KUBE-NODEPORTS - [0:0]"
	print ":KUBE-POSTROUTING - [0:0]"
	print ":KUBE-PROXY-CANARY - [0:0]"
	print ":KUBE-SERVICES - [0:0]"
	for (i = 0; i < n; i++) {
		svc[i] = chainid(1, i); sa[i] = chainid(2, i); sb[i] = chainid(3, i)
		print ":KUBE-SVC-" svc[i] " - [0:0]"
		print ":KUBE-SEP-" sa[i] " - [0:0]"
		print ":KUBE-SEP-" sb[i] " - [0:0]"
	}
	print "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"
	print "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"
	print "-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING"
	print "-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000"
	print "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN"
	print "-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000"
	print "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully"
	for (i = 0; i < n; i++) {
		name = "ns" (i % 64) "/svc-" i ":http"
		cip = ip("10.96", i); port = 80 + (i % 7) * 1000
		if (moved && i % 100 == 0) { epa = ip("10.246", 2 * i + 1); epb = ip("10.247", 2 * i + 2) }
		else { epa = ip("10.244", 2 * i + 1); epb = ip("10.245", 2 * i + 2) }
		printf "-A KUBE-SERVICES -d %s/32 -p tcp -m comment --comment \"%s cluster IP\" -m tcp --dport %d -j KUBE-SVC-%s\n", cip, name, port, svc[i]
		printf "-A KUBE-SVC-%s ! -s 10.244.0.0/14 -d %s/32 -p tcp -m comment --comment \"%s cluster IP\" -m tcp --dport %d -j KUBE-MARK-MASQ\n", svc[i], cip, name, port
		printf "-A KUBE-SVC-%s -m comment --comment \"%s -> %s:8080\" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-%s\n", svc[i], name, epa, sa[i]
		printf "-A KUBE-SVC-%s -m comment --comment \"%s -> %s:8080\" -j KUBE-SEP-%s\n", svc[i], name, epb, sb[i]
		printf "-A KUBE-SEP-%s -s %s/32 -m comment --comment \"%s\" -j KUBE-MARK-MASQ\n", sa[i], epa, name
		printf "-A KUBE-SEP-%s -p tcp -m comment --comment \"%s\" -m tcp -j DNAT --to-destination %s:8080\n", sa[i], name, epa
		printf "-A KUBE-SEP-%s -s %s/32 -m comment --comment \"%s\" -j KUBE-MARK-MASQ\n", sb[i], epb, name
		printf "-A KUBE-SEP-%s -p tcp -m comment --comment \"%s\" -m tcp -j DNAT --to-destination %s:8080\n", sb[i], name, epb
	}
	print "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS"
	print "COMMIT"
}'
