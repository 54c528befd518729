#!/bin/bash
# Fetch iptables 1.8.11's upstream source (Debian 13's orig tarball) and unpack it
# into DEST, without touching the system's apt state. Its test suites are our
# conformance suites: iptables-test.py with extensions/*.t, and
# iptables/tests/shell/testcases.
# usage: fetch-iptables-source.sh DEST     (prints DEST/iptables-1.8.11)
#
# The tarball's SHA-256 is checked against the signed trixie Sources index that
# apt verified; only the orig tarball is needed (Debian's packaging is not).
set -eu
dest=$1
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
tree=$dest/iptables-1.8.11
exec 9>"$dest/.lock"
flock 9
if [ -f "$tree/iptables-test.py" ] && [ -d "$tree/iptables/tests/shell/testcases" ]; then
	echo "$tree"
	exit 0
fi
command -v lz4 >/dev/null || {
	# apt keeps the Sources index lz4-compressed; apt-helper needs the decompressor.
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends lz4 >/dev/null
}
work=$dest/.apt
rm -rf "$work"
mkdir -p "$work/etc/sources.list.d" "$work/lists/partial" "$work/cache/archives/partial" "$work/state" "$work/dl"
touch "$work/state/status"
uri=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
[ -n "$uri" ] || uri=http://deb.debian.org/debian
echo "deb-src $uri trixie main" >"$work/etc/sources.list"
opts=(-o Dir::Etc::sourcelist="$work/etc/sources.list" -o Dir::Etc::sourceparts="$work/etc/sources.list.d"
	-o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" -o Dir::State::status="$work/state/status"
	-o Debug::NoLocking=1 -o APT::Sandbox::User=root)
apt-get "${opts[@]}" update >"$work/update.log" 2>&1 || {
	cat "$work/update.log" >&2
	echo "fetch-iptables-source: apt-get update of the trixie source index failed" >&2
	exit 1
}
index=$(ls "$work"/lists/*_trixie_main_source_Sources* | head -1)
want=$(/usr/lib/apt/apt-helper cat-file "$index" |
	awk '/^Package: iptables$/{p=1} p&&/^$/{exit} p&&/^Version:/{v=$2} p&&/^Checksums-Sha256:/{c=1;next} p&&c&&/^ /{if ($3 ~ /\.orig\.tar\./) print v, $1, $3; next} p&&c{c=0}')
read -r version sum file <<<"$want"
case $version in
1.8.11-*) ;;
*)
	echo "fetch-iptables-source: trixie has iptables '$version', not 1.8.11" >&2
	exit 1
	;;
esac
# apt-get source fetches .dsc, orig and debian tarballs; some mirrors serve only
# the orig tarball, which is all we need, so its failure on the others is fine.
(cd "$work/dl" && apt-get "${opts[@]}" source --download-only "iptables=$version" >"$work/source.log" 2>&1) || true
[ -f "$work/dl/$file" ] || {
	cat "$work/source.log" >&2
	echo "fetch-iptables-source: could not download $file" >&2
	exit 1
}
echo "$sum  $work/dl/$file" | sha256sum -c --quiet - || {
	echo "fetch-iptables-source: $file does not match the Sources index checksum" >&2
	exit 1
}
rm -rf "$tree"
tar -C "$dest" -xf "$work/dl/$file"
rm -rf "$work"
[ -f "$tree/iptables-test.py" ] || {
	echo "fetch-iptables-source: $file did not unpack to $tree" >&2
	exit 1
}
echo "$tree"
