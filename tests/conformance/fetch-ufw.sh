#!/bin/bash
# Fetch Debian's ufw package (with the host's apt sources) and unpack it into
# DEST, without installing it: its default rule files (usr/share/ufw/
# {before,after,user}{,6}.rules, which ufw copies to /etc/ufw) are loaded by
# tests/ufw_rules.rs through the real iptables 1.8.11 and through the shim.
# usage: fetch-ufw.sh DEST     (prints DEST/root)
set -eu
dest=$1
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
exec 9>"$dest/.lock"
flock 9
if [ -f "$dest/root/usr/share/ufw/before6.rules" ]; then
	echo "$dest/root"
	exit 0
fi
rm -rf "$dest/dl" "$dest/root"
mkdir -p "$dest/dl"
(cd "$dest/dl" && apt-get download ufw >"$dest/download.log" 2>&1) || {
	apt-get update -qq >/dev/null 2>&1 || true
	(cd "$dest/dl" && apt-get download ufw >"$dest/download.log" 2>&1) || {
		cat "$dest/download.log" >&2
		echo "fetch-ufw: apt-get download ufw failed" >&2
		exit 1
	}
}
deb=$(ls "$dest"/dl/ufw_*.deb | head -1)
dpkg-deb -x "$deb" "$dest/root"
rm -rf "$dest/dl"
[ -f "$dest/root/usr/share/ufw/before6.rules" ] || {
	echo "fetch-ufw: $deb has no usr/share/ufw/before6.rules" >&2
	exit 1
}
echo "$dest/root"
