#!/bin/sh
# Scenario 4 - `nftwire backend` detection, each case in its own netns:
#   only legacy tables holding rules (Debian's iptables-legacy)   -> "legacy"
#   only nf_tables iptables rules (Debian's iptables-nft)          -> "nft"
# (first output line "X" or "backend: X"), plus `nftwire backend --json` with "backend": "X".
. /vmtest/lib.sh

backend_case() { # case ns expected
	c=$1 ns=$2 want=$3
	xin $ns nftwire backend
	# first line: the backend, optionally as "backend: X" (further lines = evidence)
	got=$(printf '%s\n' "$OUT" | head -1 | sed 's/^backend:[[:space:]]*//' | tr -d ' \t')
	[ $RC -eq 0 ] && [ "$got" = "$want" ] && pass "$c" "nftwire backend -> $want" ||
		fail "$c" "expected '$want', got rc=$RC '$got'"
	xin $ns nftwire backend --json
	[ $RC -eq 0 ] && printf '%s' "$OUT" | grep -q '^[[:space:]]*{' &&
		printf '%s' "$OUT" | grep -qE "\"backend\"[[:space:]]*:[[:space:]]*\"$want\"" &&
		pass "$c-json" "--json has \"backend\": \"$want\"" || fail "$c-json" "rc=$RC, no JSON \"backend\": \"$want\""
}

new_ns leg || { fail setup "ip netns add failed"; finish; }
if xin leg iptables-legacy -A INPUT -s 192.0.2.1/32 -j ACCEPT && xin leg iptables-legacy -t nat -A POSTROUTING -o eth9 -j MASQUERADE; then
	xin leg cat /proc/net/ip_tables_names
	if [ -n "$(ip netns exec leg nft list tables 2>/dev/null)" ]; then
		fail legacy "setup: nf_tables tables exist in the legacy-only netns"
	else
		backend_case legacy leg legacy
	fi
else
	fail legacy "setup: iptables-legacy -A failed (rc=$RC)"
fi

new_ns nf || { fail setup "ip netns add failed"; finish; }
if xin nf iptables-nft -A INPUT -s 192.0.2.1/32 -j ACCEPT && xin nf iptables-nft -t nat -A POSTROUTING -o eth9 -j MASQUERADE; then
	if [ -n "$(ip netns exec nf cat /proc/net/ip_tables_names 2>/dev/null)" ]; then
		fail nft "setup: legacy tables exist in the nft-only netns"
	else
		backend_case nft nf nft
	fi
else
	fail nft "setup: iptables-nft -A failed (rc=$RC)"
fi
finish
