#!/usr/bin/env bash
# Installs the Debian packages of the real-client tests (tests/clients_*.rs):
# the CNI plugins, ufw, ferm, fail2ban, docker.io. Their maintainer scripts would start
# services (fail2ban, docker) on install: a policy-rc.d that denies every start is put
# in place for the install when the machine has none. Checks that the host's
# ruleset is the same before and after (ufw/ferm/fail2ban must only ever act
# inside the tests' private namespaces).
set -euo pipefail
pkgs=(containernetworking-plugins ufw ferm fail2ban docker.io)
need=()
for p in "${pkgs[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
[ "${#need[@]}" -gt 0 ] || exit 0

before=$(nft list ruleset | sha256sum)
own_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# scripts/setup-clients.sh: no service starts while installing\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
fi
trap '[ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
after=$(nft list ruleset | sha256sum)
if [ "$before" != "$after" ]; then
    echo "scripts/setup-clients.sh: installing ${need[*]} changed the host's ruleset" >&2
    exit 1
fi
