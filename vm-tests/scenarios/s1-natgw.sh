#!/bin/sh
# Scenario 1 - VPC NAT gateway (Kube-OVN vpc-nat-gateway style, cf. tests/data/corpus/kube-ovn.sh),
# configured ONLY through `iptables` (= nftwire-iptables, or Debian's iptables-nft with
# VMTEST_IPTABLES=debian), with real traffic through it:
#
#   ns c (inner)                         ns gw                           ns s (external)
#   eth0 10.0.7.10/24 (shared SNAT)  <-> eth0 10.0.7.1/24
#        10.0.7.6/24  (EIP host)         net1 172.20.0.2/24  <-> eth0 172.20.0.100/24, .101/24
#                                             + EIPs 172.20.0.37 (DNAT/SNAT), .39 (shared SNAT)
# s has no route back to 10.0.7.0/24: only translated traffic works.  Each side runs busybox
# httpd with a CGI that answers "<ns> <REMOTE_ADDR>", i.e. the source address the server saw.
. /vmtest/lib.sh

setup() {
	for n in c gw s; do new_ns $n || return 1; done
	ip link add eth0 netns c type veth peer name eth0 netns gw || return 1
	ip link add net1 netns gw type veth peer name eth0 netns s || return 1
	ip -n c addr add 10.0.7.10/24 dev eth0
	ip -n c addr add 10.0.7.6/24 dev eth0
	ip -n gw addr add 10.0.7.1/24 dev eth0
	ip -n gw addr add 172.20.0.2/24 dev net1
	ip -n gw addr add 172.20.0.37/24 dev net1
	ip -n gw addr add 172.20.0.39/24 dev net1
	ip -n s addr add 172.20.0.100/24 dev eth0
	ip -n s addr add 172.20.0.101/24 dev eth0
	for n in c gw s; do ip -n $n link set eth0 up || return 1; done
	ip -n gw link set net1 up || return 1
	# per-destination source selection inside c: .100 is reached from 10.0.7.10, .101 from 10.0.7.6
	ip -n c route add 172.20.0.100/32 via 10.0.7.1 src 10.0.7.10 || return 1
	ip -n c route add 172.20.0.101/32 via 10.0.7.1 src 10.0.7.6 || return 1
	sin gw 'echo 1 > /proc/sys/net/ipv4/ip_forward' || return 1
	for n in c s; do
		mkdir -p "$T/www-$n/cgi-bin"
		# busybox httpd listens on [::] and reports v4 clients as [::ffff:a.b.c.d]
		cat >"$T/www-$n/cgi-bin/ip" <<-EOF
		#!/bin/sh
		echo "Content-Type: text/plain"
		echo
		echo "$n \$(echo "\$REMOTE_ADDR" | sed 's/^\[::ffff://; s/\]\$//')"
		EOF
		chmod 755 "$T/www-$n/cgi-bin/ip"
		ip netns exec $n httpd -f -p 8080 -h "$T/www-$n" &
	done
	sleep 1
}
# fetch NS URL: prints the CGI answer ("" on failure); 4 s budget
fetch() { ip netns exec "$1" timeout 4 wget -q -O - "$2" 2>/dev/null | head -1; }
ipt() { xin gw iptables "$@"; }   # the gateway's iptables (logged)

if ! setup; then fail setup "namespaces/veth/httpd setup failed"; finish; fi
pass setup "3 netns + 2 veth pairs, httpd in c and s"

# sanity: plain routing works on the directly connected links
check link-c-gw "c can ping the gateway" q ip netns exec c ping -c1 -W2 10.0.7.1
check link-s-gw "s can ping the gateway" q ip netns exec s ping -c1 -W2 172.20.0.2

# without NAT rules the server cannot answer (no route back) -> proves translation below
r=$(fetch c http://172.20.0.100:8080/cgi-bin/ip)
if [ -z "$r" ]; then pass no-nat-baseline "c -> s fails without NAT (as expected)"
else fail no-nat-baseline "c -> s worked without NAT rules: '$r' (topology broken)"; fi

# ---- nat-gateway.sh init(): chains + jumps, in the order kube-ovn creates them
NATCHAINS="DNAT_FILTER SNAT_FILTER EXCLUSIVE_DNAT EXCLUSIVE_SNAT SHARED_DNAT SHARED_SNAT HAIRPIN_SNAT"
ok=1
for ch in $NATCHAINS; do ipt -t nat -N $ch || ok=0; done
ipt -t mangle -N VPC_MARK || ok=0
ipt -t nat -A PREROUTING -j DNAT_FILTER || ok=0
ipt -t nat -A DNAT_FILTER -j EXCLUSIVE_DNAT || ok=0
ipt -t nat -A DNAT_FILTER -j SHARED_DNAT || ok=0
ipt -t nat -A POSTROUTING -j SNAT_FILTER || ok=0
ipt -t nat -A SNAT_FILTER -j EXCLUSIVE_SNAT || ok=0
ipt -t nat -A SNAT_FILTER -j SHARED_SNAT || ok=0
ipt -t nat -A SNAT_FILTER -j HAIRPIN_SNAT || ok=0
ipt -t mangle -A PREROUTING -j VPC_MARK || ok=0
ipt -t mangle -A VPC_MARK -i eth0 -j MARK --set-xmark 0x1/0x1 || ok=0
# verify in the kernel with Debian's nft (a command that returns 0 but does nothing fails here)
kok=1
for ch in $NATCHAINS; do kchain gw ip nat $ch || { kok=0; echo "    kernel: chain ip nat $ch missing"; }; done
krules gw ip nat PREROUTING | grep -q 'jump DNAT_FILTER$' || { kok=0; echo "    kernel: no jump DNAT_FILTER in PREROUTING"; }
[ "$(knrules gw ip nat SNAT_FILTER)" = 3 ] || { kok=0; echo "    kernel: SNAT_FILTER does not hold 3 jumps"; }
[ "$(knrules gw ip mangle VPC_MARK)" = 1 ] || { kok=0; echo "    kernel: VPC_MARK does not hold the MARK rule"; }
if [ $ok = 1 ] && [ $kok = 1 ]; then pass init-chains "nat/mangle chains and jumps created (verified with nft)"
else fail init-chains "iptables rc ok=$ok, kernel state ok=$kok"; fi

# check_inited: `iptables-save -t nat | grep SNAT_FILTER | grep SHARED_SNAT`
xin gw iptables-save -t nat
if [ $RC -eq 0 ] && printf '%s\n' "$OUT" | grep SNAT_FILTER | grep -q SHARED_SNAT; then
	pass check-inited "iptables-save -t nat shows -A SNAT_FILTER -j SHARED_SNAT"
else
	fail check-inited "iptables-save -t nat rc=$RC without the SNAT_FILTER -> SHARED_SNAT jump"
fi

# ---- EIP 172.20.0.37 <-> 10.0.7.6, shared SNAT of 10.0.7.0/25 to 172.20.0.39
ok=1
ipt -t nat -A EXCLUSIVE_DNAT -d 172.20.0.37 -j DNAT --to-destination 10.0.7.6 || ok=0
ipt -t nat -A EXCLUSIVE_SNAT -s 10.0.7.6 -j SNAT --to-source 172.20.0.37 || ok=0
ipt -t nat -I SHARED_SNAT 1 -o net1 -s 10.0.7.0/25 -j SNAT --to-source 172.20.0.39 --random-fully || ok=0
# kernel: one rule each, mentioning the translated address (native nat expr or xt target)
kok=1
for spec in EXCLUSIVE_DNAT:10.0.7.6 EXCLUSIVE_SNAT:172.20.0.37 SHARED_SNAT:172.20.0.39; do
	r=$(krules gw ip nat ${spec%%:*})
	printf '%s\n' "$r" | grep -qE "${spec#*:}|xt target" && [ "$(printf '%s\n' "$r" | grep -c .)" = 1 ] ||
		{ kok=0; echo "    kernel: ${spec%%:*} does not hold exactly one rule for ${spec#*:}"; }
done
RULES_IN_KERNEL=$kok
if [ $ok = 1 ] && [ $kok = 1 ]; then pass add-nat-rules "DNAT/SNAT rules added (verified with nft)"
else fail add-nat-rules "iptables rc ok=$ok, kernel state ok=$kok"; fi

xin gw iptables-save -t nat
want='-A EXCLUSIVE_DNAT -d 172.20.0.37/32 -j DNAT --to-destination 10.0.7.6
-A EXCLUSIVE_SNAT -s 10.0.7.6/32 -j SNAT --to-source 172.20.0.37
-A SHARED_SNAT -s 10.0.7.0/25 -o net1 -j SNAT --to-source 172.20.0.39 --random-fully'
miss=$(printf '%s\n' "$want" | while IFS= read -r l; do printf '%s\n' "$OUT" | grep -qxF -- "$l" || echo "[$l]"; done)
if [ $RC -eq 0 ] && [ -z "$miss" ]; then pass save-format "iptables-save prints the rules in iptables-nft format"
else fail save-format "iptables-save rc=$RC, missing: $miss"; fi

# ---- real traffic
TRAFFIC=0
r=$(fetch c http://172.20.0.100:8080/cgi-bin/ip)
if [ "$r" = "s 172.20.0.39" ]; then pass snat-shared "10.0.7.10 -> 172.20.0.100 seen as 172.20.0.39"; TRAFFIC=$((TRAFFIC + 1))
else fail snat-shared "expected 's 172.20.0.39', got '${r:-<no answer>}'"; fi
r=$(fetch c http://172.20.0.101:8080/cgi-bin/ip)
if [ "$r" = "s 172.20.0.37" ]; then pass snat-exclusive "10.0.7.6 -> 172.20.0.101 seen as EIP 172.20.0.37"; EXCL=1
else fail snat-exclusive "expected 's 172.20.0.37', got '${r:-<no answer>}'"; EXCL=0; fi
r=$(fetch s http://172.20.0.37:8080/cgi-bin/ip)
if [ "$r" = "c 172.20.0.100" ]; then pass dnat-eip "172.20.0.100 -> EIP 172.20.0.37:8080 reaches 10.0.7.6 (c)"; TRAFFIC=$((TRAFFIC + 1))
else fail dnat-eip "expected 'c 172.20.0.100', got '${r:-<no answer>}'"; fi
check ping-snat "ICMP c -> s through SNAT" q ip netns exec c ping -c1 -W2 172.20.0.100

# ---- the gateway's conntrack table, read by `nftwire conntrack --nat` (ctnetlink), names each
# translation of the flows above; only translated flows are listed (the baseline fetch before the
# rules and the pings to the gateway itself are not)
xin gw nftwire conntrack --nat
CT=$OUT
if [ $RC -ne 0 ]; then
	fail conntrack-nat "nftwire conntrack --nat rc=$RC"
else
	miss=
	for re in \
		'^tcp [A-Z_]+ 10\.0\.7\.10:[0-9]+ -> 172\.20\.0\.100:8080 SNAT as 172\.20\.0\.39:[0-9]+ reply 172\.20\.0\.100:8080 -> 172\.20\.0\.39:[0-9]+ ' \
		'^tcp [A-Z_]+ 10\.0\.7\.6:[0-9]+ -> 172\.20\.0\.101:8080 SNAT as 172\.20\.0\.37:[0-9]+ reply 172\.20\.0\.101:8080 -> 172\.20\.0\.37:[0-9]+ ' \
		'^tcp [A-Z_]+ 172\.20\.0\.100:[0-9]+ -> 172\.20\.0\.37:8080 DNAT to 10\.0\.7\.6:8080 reply 10\.0\.7\.6:8080 -> 172\.20\.0\.100:[0-9]+ ' \
		'^icmp .*10\.0\.7\.10[^ ]* -> 172\.20\.0\.100[^ ]* SNAT as 172\.20\.0\.39'; do
		printf '%s\n' "$CT" | grep -qE -- "$re" || miss="$miss [$re]"
	done
	untranslated=$(printf '%s\n' "$CT" | grep . | grep -vE ' (SNAT as|DNAT to) ')
	if [ -z "$miss" ] && [ -z "$untranslated" ]; then
		pass conntrack-nat "nftwire conntrack --nat shows the shared and exclusive SNAT and the EIP DNAT with their addresses"
	else
		fail conntrack-nat "missing:${miss:- none}; untranslated lines listed: ${untranslated:-none}"
	fi
fi

# ---- removing the rules stops the traffic (only meaningful when the rules worked)
ipt -t nat -D SHARED_SNAT -o net1 -s 10.0.7.0/25 -j SNAT --to-source 172.20.0.39 --random-fully; rc1=$RC
ipt -t nat -D EXCLUSIVE_DNAT -d 172.20.0.37 -j DNAT --to-destination 10.0.7.6; rc2=$RC
if [ $RULES_IN_KERNEL = 0 ]; then
	skip delete-rules "rules were never in the kernel; -D not testable (rc $rc1/$rc2)"
elif [ $rc1 = 0 ] && [ $rc2 = 0 ] && [ "$(knrules gw ip nat SHARED_SNAT)" = 0 ] && [ "$(knrules gw ip nat EXCLUSIVE_DNAT)" = 0 ] &&
	[ "$(knrules gw ip nat EXCLUSIVE_SNAT)" = 1 ]; then
	pass delete-rules "iptables -D removed exactly the two rules (verified with nft)"
else
	fail delete-rules "rc $rc1/$rc2, kernel rules SHARED_SNAT=$(knrules gw ip nat SHARED_SNAT) EXCLUSIVE_DNAT=$(knrules gw ip nat EXCLUSIVE_DNAT) EXCLUSIVE_SNAT=$(knrules gw ip nat EXCLUSIVE_SNAT)"
fi
if [ $TRAFFIC = 2 ]; then
	r=$(fetch c http://172.20.0.100:8080/cgi-bin/ip)
	[ -z "$r" ] && pass snat-removed "c -> s fails again after -D" || fail snat-removed "still answered: '$r'"
	r=$(fetch s http://172.20.0.37:8080/cgi-bin/ip)
	[ -z "$r" ] && pass dnat-removed "EIP no longer forwarded after -D" || fail dnat-removed "still answered: '$r'"
else
	skip traffic-removed "translation never worked, so 'traffic stops after -D' is not testable"
fi
if [ $EXCL = 1 ]; then
	r=$(fetch c http://172.20.0.101:8080/cgi-bin/ip)
	[ "$r" = "s 172.20.0.37" ] && pass other-rule-kept "exclusive SNAT still works after deleting the others" ||
		fail other-rule-kept "expected 's 172.20.0.37', got '${r:-<no answer>}'"
fi

# ---- flush + delete chains; the kernel view (Debian nft) must have no rules/user chains left
ok=1
for t in nat mangle; do ipt -t $t -F || ok=0; ipt -t $t -X || ok=0; done
left=$( { ip netns exec gw nft list table ip nat; ip netns exec gw nft list table ip mangle; } 2>/dev/null |
	grep -E "^$TAB$TAB|^${TAB}chain" | grep -vE "^${TAB}chain (PREROUTING|INPUT|OUTPUT|POSTROUTING|FORWARD) |^$TAB${TAB}type " | tr -d '\t' | tr '\n' ';')
if [ $RULES_IN_KERNEL = 0 ]; then
	skip flush "nothing was ever added to the kernel; -F/-X not testable (ok=$ok)"
elif [ $ok = 1 ] && [ -z "$left" ]; then
	pass flush "iptables -F/-X left no rules or user chains in ip nat/mangle (checked with nft)"
else
	fail flush "rc ok=$ok, left in kernel: ${left:-nothing}"
fi
if [ $EXCL = 1 ]; then
	r=$(fetch c http://172.20.0.101:8080/cgi-bin/ip)
	[ -z "$r" ] && pass all-removed "no translation after flush" || fail all-removed "still answered: '$r'"
fi

finish
