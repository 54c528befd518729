#!/bin/bash
# Unpack Debian 13's iptables 1.8.11 (and the libraries it needs) into a
# private root, without touching the system's apt state. Used by
# tests/shim_oracle.rs as the reference implementation.
# usage: setup-oracle.sh ROOTDIR        (prints ROOTDIR/usr/sbin/xtables-nft-multi)
set -eu
root=$1
mkdir -p "$(dirname "$root")"
# One setup at a time (tests run in parallel; explain_reality uses the same lock).
exec 9>"$root.lock"
flock 9
if [ -x "$root/usr/sbin/xtables-nft-multi" ]; then
	echo "$root/usr/sbin/xtables-nft-multi"
	exit 0
fi
work=$root.work
rm -rf "$work"
mkdir -p "$work/etc/sources.list.d" "$work/lists/partial" "$work/cache/archives/partial" "$work/state" "$work/debs"
touch "$work/state/status"
uri=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
[ -n "$uri" ] || uri=http://deb.debian.org/debian
echo "deb [trusted=yes] $uri trixie main" > "$work/etc/sources.list"
opts=(-o Dir::Etc::sourcelist="$work/etc/sources.list" -o Dir::Etc::sourceparts="$work/etc/sources.list.d"
      -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" -o Dir::State::status="$work/state/status"
      -o APT::Architecture=amd64 -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
apt-get "${opts[@]}" update >/dev/null
cd "$work/debs"
apt-get "${opts[@]}" download iptables libxtables12 libip4tc2 libip6tc2 libnftnl11 libmnl0 libc6 >/dev/null
mkdir -p "$root"
for d in *.deb; do dpkg-deb -x "$d" "$root"; done
rm -rf "$work"
echo "$root/usr/sbin/xtables-nft-multi"
