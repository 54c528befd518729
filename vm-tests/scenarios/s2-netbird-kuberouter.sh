#!/bin/sh
# Scenario 2 - NetBird + kube-router: NetBird's native nftables rules in `ip filter` (loaded
# with Debian's nft from netbird-mini.nft) next to kube-router's netpol iptables calls
# (cf. tests/data/corpus/kube-router-netpol.sh): -S <chain> 1 / -N / -C / -I / -S / iptables-save
# -t filter / iptables-restore --wait -T filter (full replace of table filter).
# Required: the shim works, and the native rules the shim lists as foreign (NetBird's
# commented and ct-state rules) survive unchanged (as the shim lists them), while plain
# native rules iptables 1.8.11 reads correctly are iptables rules to the shim (shim/README)
# and must read the same in iptables-save afterwards;
# Debian's own iptables-nft fails on that table as documented ("is incompatible", rc 1).
. /vmtest/lib.sh

NB=$SCEN_DIR/netbird-mini.nft
have_file "$NB" setup || finish
new_ns nb || { fail setup "ip netns add failed"; finish; }
if ! xin nb nft -f "$NB"; then fail setup "nft -f netbird-mini.nft rc=$RC"; finish; fi
pass setup "netbird-mini.nft loaded with Debian nft"

ipt() { xin nb iptables "$@"; }
snap() { # $1 = prefix: normalized netlink dump of ip filter + text of ip netbird
	ip netns exec nb nft --debug=netlink list table ip filter 2>&1 | norm_netlink >"$T/$1.filter.nl"
	# the shim's view: foreign rules (as comment lines, handles left out) and the
	# native rules it reads as iptables rules (their iptables-save lines)
	ip netns exec nb iptables-save -t filter 2>/dev/null | grep 'not an iptables rule' |
		sed 's/ handle [0-9]*: / /' >"$T/$1.foreign"
	ip netns exec nb iptables-save -t filter 2>/dev/null | grep -e '-i lo' -e 'FLANNEL-FWD' | grep '^-A' >"$T/$1.plain"
	ip netns exec nb nft list table ip netbird >"$T/$1.netbird.nft" 2>&1
	echo "+ nftwire list --raw ($1, informational)"
	{ ip netns exec nb nftwire list --raw 2>/dev/null || ip netns exec nb nftwire list 2>&1; } | head -40 | sed 's/^/    | /'
}
snap before
echo "native rules before:"; sed 's/^/    | /' "$T/before.filter.nl"

# Debian's iptables-nft cannot handle the table (the bug nftwire exists for)
xin nb iptables-nft -S
if [ $RC -eq 1 ] && printf '%s\n' "$OUT" | grep -q 'is incompatible'; then
	pass debian-iptables-nft-fails "iptables-nft -S: rc 1 '... is incompatible, use 'nft' tool.'"
else
	fail debian-iptables-nft-fails "expected rc 1 + 'is incompatible', got rc=$RC"
fi

# ---- kube-router ensureTopLevelChains() via go-iptables conventions
# every step is verified against the kernel with Debian's nft (krules/kchain), so a command
# that exits 0 without doing anything fails.
ID_I=4IA2OSFRMVNDXBVV ID_F=I7XZWDOL6VPNTJKD ID_O=VVFA5U3D2EC4QYZO
JUMP_F="-m comment --comment \"kube-router netpol - $ID_F\" -j KUBE-ROUTER-FORWARD"
xin nb iptables -t filter -S KUBE-ROUTER-FORWARD 1 --wait
[ $RC -eq 1 ] && pass chain-absent "ChainExists probe (-S KUBE-ROUTER-FORWARD 1): rc 1 = absent" ||
	fail chain-absent "-S KUBE-ROUTER-FORWARD 1 on an absent chain: rc=$RC (go-iptables wants 1)"
ok=1 kok=1
for c in KUBE-ROUTER-INPUT KUBE-ROUTER-FORWARD KUBE-ROUTER-OUTPUT; do
	ipt -t filter -N $c --wait || ok=0
	kchain nb ip filter $c || kok=0
done
[ $ok = 1 ] && [ $kok = 1 ] && pass new-chains "-N KUBE-ROUTER-{INPUT,FORWARD,OUTPUT} (in kernel)" ||
	fail new-chains "iptables -N rc ok=$ok, chains in kernel ok=$kok"

eval "ipt -t filter -C FORWARD $JUMP_F --wait"
[ $RC -eq 1 ] && pass check-absent "-C FORWARD (absent rule, native rules in chain): rc 1" ||
	fail check-absent "-C FORWARD: rc=$RC (1 expected; 3 = k3s #11493 crash)"
ok=1
ipt -t filter -I INPUT 1 -m comment --comment "kube-router netpol - $ID_I" -j KUBE-ROUTER-INPUT --wait || ok=0
eval "ipt -t filter -I FORWARD 1 $JUMP_F --wait" || ok=0
ipt -t filter -I OUTPUT 1 -m comment --comment "kube-router netpol - $ID_O" -j KUBE-ROUTER-OUTPUT --wait || ok=0
kfirst() { krules nb ip filter "$1" | head -1; }
kok=1
for c in INPUT FORWARD OUTPUT; do
	kfirst $c | grep -q "jump KUBE-ROUTER-$c" || { kok=0; echo "    kernel: first rule of $c is not the jump: $(kfirst $c)"; }
done
INSERTED=$kok
[ $ok = 1 ] && [ $kok = 1 ] && pass insert "-I INPUT/FORWARD/OUTPUT 1 jump rules (position 1 in kernel)" ||
	fail insert "iptables -I rc ok=$ok, kernel position ok=$kok"
eval "ipt -t filter -C FORWARD $JUMP_F --wait"
if [ $RC -eq 0 ] && [ $INSERTED = 1 ]; then pass check-present "-C FORWARD finds the inserted rule"
elif [ $RC -eq 0 ]; then fail check-present "-C says present but the kernel has no such rule"
else fail check-present "-C FORWARD rc=$RC"; fi

ipt -t filter -S FORWARD --wait
first=$(printf '%s\n' "$OUT" | grep -m1 '^-A FORWARD')
if [ $RC -eq 0 ] && [ "$first" = "-A FORWARD -m comment --comment \"kube-router netpol - $ID_F\" -j KUBE-ROUTER-FORWARD" ]; then
	pass list "-S FORWARD rc 0, kube-router jump at position 1"
else
	fail list "-S FORWARD rc=$RC, first rule: ${first:-<none>}"
fi

ok=1
ipt -t filter -I KUBE-ROUTER-INPUT 1 -d 10.43.0.0/16 -m comment --comment "allow traffic to primary/secondary cluster IP range - TZZOAXOCHPHEHX7M" -j RETURN --wait || ok=0
ipt -t filter -I KUBE-ROUTER-INPUT 2 -p tcp -m comment --comment "allow LOCAL TCP traffic to node ports - LR7XO7NXDBGQJD2M" -m addrtype --dst-type LOCAL -m multiport --dports 30000:32767 -j RETURN --wait || ok=0
for c in KUBE-ROUTER-INPUT KUBE-ROUTER-FORWARD KUBE-ROUTER-OUTPUT; do
	spec="-m comment --comment \"rule to explicitly ACCEPT traffic that comply to network policies\" -m mark --mark 0x20000/0x20000 -j ACCEPT"
	eval "ipt -t filter -C $c $spec --wait"
	if [ $RC -eq 1 ]; then eval "ipt -t filter -A $c $spec --wait" || ok=0
	elif [ $RC -ne 0 ]; then ok=0; fi
done
n_in=$(knrules nb ip filter KUBE-ROUTER-INPUT) n_fw=$(knrules nb ip filter KUBE-ROUTER-FORWARD) n_out=$(knrules nb ip filter KUBE-ROUTER-OUTPUT)
[ $ok = 1 ] && [ "$n_in/$n_fw/$n_out" = 3/1/1 ] && pass kube-router-rules "addrtype/multiport/mark/comment rules via -I/-C/-A (kernel 3/1/1)" ||
	fail kube-router-rules "rc ok=$ok, kernel rules INPUT/FORWARD/OUTPUT=$n_in/$n_fw/$n_out (want 3/1/1)"

# ---- fullPolicySync: iptables-save -t filter -> edit -> iptables-restore --wait -T filter
xin nb iptables-save -t filter
saved=$OUT
if [ $RC -eq 0 ] && ! printf '%s\n' "$saved" | grep -q incompatible &&
	printf '%s\n' "$saved" | grep -qxF ":KUBE-ROUTER-FORWARD - [0:0]" &&
	printf '%s\n' "$saved" | grep -qxF -- "-A FORWARD -m comment --comment \"kube-router netpol - $ID_F\" -j KUBE-ROUTER-FORWARD"; then
	pass save "iptables-save -t filter rc 0 with kube-router chains/rules, no 'incompatible'"
else
	fail save "iptables-save -t filter rc=$RC, incomplete or 'incompatible'"
fi
POD=KUBE-POD-FW-OW2Z6ZGHXAX6NAMY
{
	printf '%s\n' "$saved" | sed '/^COMMIT/d'
	echo ":$POD"
	echo "-I $POD 1 -m comment --comment \"rule for stateful firewall for pod\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
	echo "-A $POD -m comment --comment \"rule to drop invalid state for pod\" -m conntrack --ctstate INVALID -j DROP"
	echo "-A $POD -m comment --comment \"rule to permit the traffic traffic to pods when source is the pod's local node\" -m addrtype --src-type LOCAL -d 10.42.0.15/32 -j ACCEPT"
	echo "-A $POD -m comment --comment \"rule to log dropped traffic POD name:web-0 namespace: default\" -m mark ! --mark 0x10000/0x10000 -m limit --limit 10/min --limit-burst 10 -j NFLOG --nflog-group 100"
	echo "-A $POD -m comment --comment \"rule to REJECT traffic destined for POD name:web-0 namespace: default\" -m mark ! --mark 0x10000/0x10000 -j REJECT --reject-with icmp-port-unreachable"
	echo "-A $POD -j MARK --set-xmark 0x0/0x10000"
	echo "-A KUBE-ROUTER-FORWARD -d 10.42.0.15/32 -m comment --comment \"rule to jump traffic destined to POD name:web-0 namespace: default to chain $POD\" -j $POD"
} >"$T/edited"
# cleanupStaleRules() rebuild, verbatim kube-router quirk: ":" lines get " - [0:0]" appended
awk '/^COMMIT/ || /^#/ {next}
	/^:/ {chains = chains $0 " - [0:0]\n"; next}
	/^-/ {rules = rules $0 "\n"}
	END {printf "*filter\n%s%sCOMMIT\n", chains, rules}' "$T/edited" >"$T/restore"
echo "restore input:"; sed 's/^/    < /' "$T/restore"
x ip netns exec nb sh -c "iptables-restore --wait -T filter < $T/restore"; rrc=$RC
n_pod=$(knrules nb ip filter $POD)
APPLIED=0
[ "$n_pod" = 6 ] && APPLIED=1
[ $rrc -eq 0 ] && [ $APPLIED = 1 ] && pass restore "iptables-restore --wait -T filter rc 0, $POD has 6 rules in the kernel" ||
	fail restore "iptables-restore rc=$rrc, kernel: $POD has ${n_pod:-0} rules (want 6)"
xin nb nft list chain ip filter FORWARD   # for the log
ipt -t filter -S $POD --wait
[ $RC -eq 0 ] && [ "$(printf '%s\n' "$OUT" | grep -c "^-A $POD ")" -eq 6 ] &&
	pass restore-listed "-S $POD lists the 6 restored rules" || fail restore-listed "-S $POD rc=$RC, rules missing"
eval "ipt -t filter -C FORWARD $JUMP_F --wait"
kfirst FORWARD | grep -q 'jump KUBE-ROUTER-FORWARD' && jk=1 || jk=0
if [ $RC -eq 0 ] && [ $jk = 1 ]; then pass check-after-restore "-C FORWARD still finds the jump (first rule in kernel)"
else fail check-after-restore "-C rc=$RC, jump first in kernel FORWARD=$jk"; fi

# ---- the native rules survived, expression for expression, in their order
snap after
if [ $APPLIED = 0 ]; then
	skip native-survive "the kube-router sync never reached the kernel; survival of native rules not tested"
elif [ -s "$T/before.foreign" ] && cmp -s "$T/before.foreign" "$T/after.foreign" &&
	[ -s "$T/before.plain" ] && grep -Fxf "$T/before.plain" "$T/after.plain" | cmp -s "$T/before.plain" -; then
	pass native-survive "all $(wc -l <"$T/before.foreign") foreign NetBird rules in ip filter unchanged, same order; the $(wc -l <"$T/before.plain") plain native rules read the same in iptables-save"
	cmp -s "$T/before.netbird.nft" "$T/after.netbird.nft" && pass netbird-table "table ip netbird untouched" ||
		fail netbird-table "table ip netbird changed"
	check nft-lists "Debian nft can still list the whole ruleset" q ip netns exec nb nft list ruleset
else
	fail native-survive "native ip filter rules changed or lost:"
	diff "$T/before.foreign" "$T/after.foreign" | sed 's/^/    | /' | head -30
	diff "$T/before.plain" "$T/after.plain" | sed 's/^/    | /' | head -30
fi
xin nb iptables-nft -S   # informational: still incompatible because NetBird's ct rule is still there
finish
