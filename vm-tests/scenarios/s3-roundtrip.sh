#!/bin/sh
# Scenario 3 - lossless round trip of foreign rulesets, per corpus file in its own netns:
#   nft -f FILE; nftwire save > a; nft flush ruleset; nftwire restore a; nftwire save > b
#   cmp a b   AND   the kernel state is the same before/after as seen by Debian's nft
#   (`nft list ruleset` text and `nft --debug=netlink list ruleset`, handles dropped; rules
#   compared in order, set elements as a multiset).
# The *-exact.py byte-exact variants need python3 and are not run in the guest.
. /vmtest/lib.sh

roundtrip() { # case-name ns
	c=$1 ns=$2 d=$T/$1
	mkdir -p "$d"
	ip netns exec $ns nft list ruleset >"$d/n1" 2>&1
	ip netns exec $ns nft --debug=netlink list ruleset 2>&1 | norm_netlink >"$d/l1"
	xin $ns sh -c "nftwire save > $d/a"; rc_save=$RC
	if [ $rc_save -ne 0 ] || [ ! -s "$d/a" ]; then
		fail "$c" "nftwire save rc=$rc_save, $(wc -c <"$d/a" 2>/dev/null || echo 0) bytes"
		return
	fi
	echo "    saved $(wc -c <"$d/a") bytes:"; head -15 "$d/a" | tr -cd '\11\12\40-\176' | cut -c1-160 | sed 's/^/    | /'
	xin $ns nft flush ruleset
	if [ -n "$(ip netns exec $ns nft list ruleset 2>/dev/null)" ]; then fail "$c" "nft flush ruleset left rules"; return; fi
	xin $ns nftwire restore "$d/a"
	if [ $RC -ne 0 ]; then fail "$c" "nftwire restore rc=$RC: $(printf '%s' "$OUT" | head -2 | tr '\n' ' ')"; return; fi
	xin $ns sh -c "nftwire save > $d/b"
	if ! cmp -s "$d/a" "$d/b"; then
		fail "$c" "nftwire save differs after restore (rc=$RC):"; diff "$d/a" "$d/b" | head -20 | sed 's/^/    | /'; return
	fi
	ip netns exec $ns nft list ruleset >"$d/n2" 2>&1
	ip netns exec $ns nft --debug=netlink list ruleset 2>&1 | norm_netlink >"$d/l2"
	if ! cmp -s "$d/n1" "$d/n2"; then
		fail "$c" "save/restore cmp ok but 'nft list ruleset' differs:"; diff "$d/n1" "$d/n2" | head -20 | sed 's/^/    | /'; return
	fi
	canon_netlink "$d/l1" >"$d/c1"; canon_netlink "$d/l2" >"$d/c2"
	if ! cmp -s "$d/c1" "$d/c2"; then
		fail "$c" "save/restore cmp ok but netlink expressions differ:"; diff "$d/c1" "$d/c2" | head -20 | sed 's/^/    | /'; return
	fi
	note=
	cmp -s "$d/l1" "$d/l2" || note=" (set order/hash element order differ, contents equal)"
	pass "$c" "save=restore=save ($(wc -c <"$d/a") bytes), nft text + netlink identical, $(wc -l <"$d/l1") rules/sets$note"
}

for f in netbird.nft tailscale.nft firewalld.nft docker-nft.nft kube-proxy-nft.nft; do
	have_file "$CORPUS/$f" "$f" || continue
	new_ns rt || { fail "$f" "ip netns add failed"; continue; }
	if ! xin rt nft -f "$CORPUS/$f"; then
		skip "$f" "Debian nft 1.0.6 could not load it on kernel $(uname -r) (rc=$RC) - not an nftwire failure"
	else
		roundtrip "$f" rt
	fi
	ip netns del rt
done

# flowtable (needs nf_flow_table_inet and two devices)
new_ns ft
ip -n ft link add ftv0 type veth peer name ftv1 && ip -n ft link set ftv0 up && ip -n ft link set ftv1 up
cat >"$T/flowtable.nft" <<'EOF'
table inet ft {
	flowtable f {
		hook ingress priority filter; devices = { ftv0, ftv1 };
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		ip protocol { tcp, udp } flow add @f
		ct state established,related counter accept
	}
}
EOF
if ! xin ft nft -f "$T/flowtable.nft"; then
	skip flowtable "kernel/nft cannot create a flowtable here (rc=$RC)"
else
	roundtrip flowtable ft
fi
ip netns del ft
finish
