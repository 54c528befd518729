#!/usr/bin/env python3
"""A minimal CNI runtime, as libcni drives a network configuration list.

usage: cni-runtime.py ADD|CHECK|DEL CONTAINER_ID NETNS_PATH IFNAME < conflist.json

ADD runs every plugin of the list in order, each with the previous one's
result as prevResult, and caches the final result (as libcni does, here under
/run/cni/results, on the sandbox's tmpfs); CHECK runs them in order with the cached result; DEL
runs them in reverse order with the cached result, then drops the cache.
runtimeConfig carries the port mappings (the portMappings capability).
Prints one line per plugin call (type, exit code, error message) and the
result's IP addresses: nothing random (MAC addresses, veth names) so two runs
compare equal. Exit code: the first failing plugin's, else 0.
"""
import json
import os
import subprocess
import sys

PLUGIN_DIR = "/usr/lib/cni"
CACHE_DIR = "/run/cni/results"


def main():
    cmd, cid, netns, ifname = sys.argv[1:5]
    conflist = json.load(sys.stdin)
    name = conflist["name"]
    cache = os.path.join(CACHE_DIR, f"{name}-{cid}-{ifname}")
    runtime = conflist.pop("runtimeConfig", {})
    plugins = conflist["plugins"]
    prev = None
    if cmd in ("CHECK", "DEL") and os.path.exists(cache):
        with open(cache) as f:
            prev = json.load(f)
    order = list(reversed(plugins)) if cmd == "DEL" else plugins
    rc = 0
    for p in order:
        conf = dict(p)
        conf["cniVersion"] = conflist["cniVersion"]
        conf["name"] = name
        caps = conf.get("capabilities", {})
        rt = {k: v for k, v in runtime.items() if caps.get(k)}
        if rt:
            conf["runtimeConfig"] = rt
        if prev is not None:
            conf["prevResult"] = prev
        env = dict(os.environ, CNI_COMMAND=cmd, CNI_CONTAINERID=cid, CNI_NETNS=netns,
                   CNI_IFNAME=ifname, CNI_PATH=PLUGIN_DIR)
        r = subprocess.run([os.path.join(PLUGIN_DIR, conf["type"])], input=json.dumps(conf),
                           capture_output=True, text=True, env=env)
        msg = ""
        if r.returncode != 0:
            try:
                msg = json.loads(r.stdout).get("msg", r.stdout.strip())
            except ValueError:
                msg = r.stdout.strip()
            msg = f" {msg} {r.stderr.strip()}"
        print(f"{conf['type']} {cmd}: exit {r.returncode}{msg}")
        if r.returncode != 0:
            rc = rc or r.returncode
            if cmd != "DEL":
                break
        elif cmd == "ADD":
            prev = json.loads(r.stdout)
    if cmd == "ADD" and rc == 0:
        os.makedirs(CACHE_DIR, exist_ok=True)
        with open(cache, "w") as f:
            json.dump(prev, f)
        print("ips:", " ".join(ip["address"] for ip in prev.get("ips", [])))
    if cmd == "DEL" and os.path.exists(cache):
        os.unlink(cache)
    sys.exit(rc)


main()
