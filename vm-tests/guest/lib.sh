# vm-tests/guest/lib.sh - helpers for the scenario scripts (busybox sh), sourced as
#   . /vmtest/lib.sh
# Result lines: "VMTEST <scenario>/<case> PASS|FAIL|SKIP <detail>" on stdout (= serial console)
# and appended to $VMTEST_RESULTS, which /init checks.
VMTEST_SCEN=${VMTEST_SCEN:-$(basename "$0" .sh)}
VMTEST_RESULTS=${VMTEST_RESULTS:-/tmp/results.$VMTEST_SCEN}
CORPUS=/corpus
SCEN_DIR=/vmtest/scenarios
T=$(mktemp -d /tmp/"$VMTEST_SCEN".XXXXXX)
_NFAIL=0

_result() { # case verdict detail...
	c=$1 v=$2; shift 2
	line="VMTEST $VMTEST_SCEN/$c $v $*"
	echo "$line"
	echo "$line" >>"$VMTEST_RESULTS"
}
pass() { _result "$1" PASS "${2:-}"; }
fail() { _result "$1" FAIL "${2:-}"; _NFAIL=$((_NFAIL + 1)); }
skip() { _result "$1" SKIP "${2:-}"; }
# check CASE DETAIL COMMAND...: PASS if COMMAND succeeds
check() { c=$1 d=$2; shift 2; if "$@"; then pass "$c" "$d"; else fail "$c" "$d"; fi; }

# q CMD...: run silently (for use with check)
q() { "$@" >/dev/null 2>&1; }

# x CMD...: run, log "+ CMD", indented output and rc; output kept in $OUT, rc in $RC
x() {
	OUT=$("$@" 2>&1); RC=$?
	echo "+ $*"
	[ -n "$OUT" ] && printf '%s\n' "$OUT" | head -60 | sed 's/^/    | /'
	echo "    -> rc=$RC"
	return $RC
}
# xin NS CMD...: x inside network namespace NS
xin() { ns=$1; shift; x ip netns exec "$ns" "$@"; }
# sin NS 'shell code': run shell code inside NS (quiet, returns its rc)
sin() { ip netns exec "$1" sh -c "$2"; }

# new_ns NAME: fresh network namespace with lo up
new_ns() {
	ip netns del "$1" 2>/dev/null
	ip netns add "$1" && ip -n "$1" link set lo up
}

TAB=$(printf '\t')
# kchain NS FAMILY TABLE CHAIN: the chain exists in the kernel (checked with Debian's nft)
kchain() { ip netns exec "$1" nft list chain "$2" "$3" "$4" >/dev/null 2>&1; }
# krules NS FAMILY TABLE CHAIN: the chain's rules as Debian's nft prints them, one per line
krules() {
	ip netns exec "$1" nft list chain "$2" "$3" "$4" 2>/dev/null |
		grep "^$TAB$TAB" | grep -v "^$TAB${TAB}type .* hook " | sed "s/^$TAB$TAB//"
}
# knrules NS FAMILY TABLE CHAIN: number of rules in the chain
knrules() { krules "$@" | grep -c .; }

# norm_netlink: `nft --debug=netlink list ...` -> one line per rule, handles/positions dropped
#   "ip filter INPUT 5 12" + expression lines -> "ip filter INPUT|[ meta ... ]|[ cmp ... ]"
norm_netlink() {
	awk '
	/^(ip|ip6|inet|arp|bridge|netdev) [^ ]+ [^ ]+( [0-9]+)*$/ {
		if (b != "") print b
		b = $1 " " $2 " " $3; next }
	/^  \[/ || /^  userdata/ || /^\telement/ { if (b != "") b = b "|" $0; next }
	{ if (b != "") print b; b = "" }
	END { if (b != "") print b }'
}

# canon_netlink: norm_netlink output -> rules in order, then sets/maps as a sorted multiset
# of "set|element" lines (hash sets dump elements in hash order; set creation order is not
# part of the ruleset's meaning)
canon_netlink() {
	awk -F'|' '$1 !~ / @/' "$1"
	awk -F'|' '$1 ~ / @/ { if (NF == 1) print $1; else for (i = 2; i <= NF; i++) print $1 "|" $i }' "$1" | sort
}

# have_file FILE CASE: SKIP CASE with a clear message when a corpus/scenario file is missing
have_file() {
	[ -f "$1" ] && return 0
	skip "$2" "missing $1 (not copied into the initramfs)"
	return 1
}

# finish: exit status for /init (non-zero when any case failed)
finish() {
	rm -rf "$T"
	[ $_NFAIL -eq 0 ]
	exit $?
}

echo "== scenario $VMTEST_SCEN (iptables=$VMTEST_IPTABLES: $(readlink /usr/sbin/iptables))"
