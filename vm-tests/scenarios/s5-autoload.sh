#!/bin/sh
# vmtest-phase: early
# Scenario 5 - module autoload: the very first netfilter command after boot is nftwire's
# (`iptables` = nftwire-iptables), run while no nf_tables module is loaded yet; the kernel
# must autoload nfnetlink/nf_tables/nft_chain_filter... on demand (request_module ->
# /sbin/modprobe) and the command must still succeed (no ENOENT/EOPNOTSUPP races).
. /vmtest/lib.sh

if grep -qE '^(nf_tables|nfnetlink|x_tables) ' /proc/modules; then
	fail precondition "netfilter modules already loaded before the first command: $(grep -oE '^(nf_tables|nfnetlink|x_tables) ' /proc/modules | tr '\n' ' ')"
	finish
fi
pass precondition "nf_tables, nfnetlink, x_tables not loaded; modprobe path $(cat /proc/sys/kernel/modprobe)"

new_ns auto || { fail setup "ip netns add failed"; finish; }

# 1. the very first command: append a rule (creates table filter + chain INPUT)
xin auto iptables -A INPUT -j ACCEPT; rc=$RC; out=$OUT
# modules right after it (before Debian's nft runs and could autoload them itself)
loaded=$(grep -oE '^(nfnetlink|nf_tables|nft_compat|x_tables) ' /proc/modules | tr -d ' ' | sort | tr '\n' ' ' | sed 's/ $//')
grep -q '^nf_tables ' /proc/modules && auto=1 || auto=0
# 2. independent check with Debian's nft: the rule is really in the kernel
xin auto nft list chain ip filter INPUT
if [ $RC -eq 0 ] && printf '%s\n' "$OUT" | grep -q 'hook input' && [ "$(knrules auto ip filter INPUT)" = 1 ] &&
	krules auto ip filter INPUT | grep -qE '^(counter packets [0-9]+ bytes [0-9]+ )?accept$'; then
	kok=1
else
	kok=0
fi
if [ $rc -eq 0 ] && [ $kok = 1 ]; then
	pass first-command "iptables -A INPUT -j ACCEPT rc=0, rule in the kernel (nft)"
else
	fail first-command "iptables -A INPUT -j ACCEPT rc=$rc, rule in kernel=$kok: $(printf '%s' "$out" | head -2 | tr '\n' ' ')"
fi
if [ $auto = 1 ]; then pass autoloaded "loaded by that command: $loaded"
else fail autoloaded "nf_tables not loaded after the first command (loaded: ${loaded:-none})"; fi

# 3. the shim lists it back
xin auto iptables -S
if [ $RC -eq 0 ] && printf '%s\n' "$OUT" | grep -qx -- '-A INPUT -j ACCEPT'; then
	pass list "iptables -S shows -A INPUT -j ACCEPT"
else
	fail list "iptables -S rc=$RC, '-A INPUT -j ACCEPT' not in output"
fi
finish
