#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run inside the test VM by tools/demo.sh (make demo).
#
# The reader side: a reader link (aiot0) on a veth in its own network
# namespace, and aiotsecd with a fresh SQLite store provisioned with 100
# devices, half inventory-only, half command devices, every tenth without
# a temporary identifier (it conceals its permanent one, SUCI).  The
# device side: aiot-devsim, the OpenSSL implementation of the devices, on
# the other end of the veth in a second namespace.  The devices
# authenticate (one-way or mutual), adopt a new T-ID, send protected
# inventory frames and answer the reader's commands; a longer stream of
# frames takes every key past its soft limit, and the daemon rekeys the
# SAs in place; then an attacker replays responses, forges T-IDs and uses
# wrong keys.  A table closes it.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
CTL=$top/user/aiotsecctl/aiotsecctl
DAEMON=$top/user/aiotsecd/aiotsecd
SIM=$top/user/aiot-devsim/aiot-devsim
N=${AIOTSEC_DEMO_DEVICES:-100}
SOFT=24		# frames per key before the daemon rekeys
R=demo-reader
D=demo-devices
# the home network key pair of the ECIES profile A vector (TS 33.501 C.4.3)
HN_PRIV=c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d
HN_PUB=5a8d38864820197c3394b92613b20b91633cbd897119273bf8e4a6f4eec0a650
tmp=$(mktemp -d)
dpid=

cleanup() {
	[ -z "$dpid" ] || kill "$dpid" 2>/dev/null || true
	wait 2>/dev/null || true
	# AIOTSEC_VM_OUT=DIR make demo keeps the reports and the daemon's log
	[ -z "${AIOTSEC_VM_OUT:-}" ] ||
		cp "$tmp"/*.json "$tmp"/*.log "$AIOTSEC_VM_OUT"/ 2>/dev/null || true
	ip netns del $R 2>/dev/null || true
	ip netns del $D 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

say() {
	printf '\n== %s\n' "$*"
}

# json FILE KEY: a number from a report
json() {
	[[ $(cat "$1") =~ \"$2\":([0-9]+) ]] && echo "${BASH_REMATCH[1]}" || echo 0
}

say "loading aiotsec.ko"
modprobe -q veth
insmod "$top/kernel/aiotsec.ko"
dmesg | grep -o "aiotsec: self-tests: pass"

say "reader link and device side"
ip netns add $R
ip netns add $D
ip link add veth-r netns $R type veth peer name veth-d netns $D
ip -n $R link set veth-r up
ip -n $D link set veth-d up
$CTL -n $R link add aiot0 link veth-r role reader
ip -n $R link set aiot0 up
$CTL -n $R link show

say "provisioning $N devices"
python3 - "$N" >"$tmp/devices.csv" <<'PY'
import os, sys
print("# pid,k,opc,profile,tid")
for i in range(int(sys.argv[1])):
    k, opc, tid = (os.urandom(16).hex() for _ in range(3))
    print("demo-device-%03d,%s,%s,%s,%s" % (
        i, k, opc, "command" if i % 2 else "inventory",
        "-" if i % 10 == 9 else tid))
PY
(umask 077 && echo $HN_PRIV >"$tmp/hn.key")
echo $HN_PUB >"$tmp/hn.pub"
$CTL device import "$tmp/devices.csv" --db "$tmp/aiotsec.db"
$CTL device list --db "$tmp/aiotsec.db" >"$tmp/list"
head -4 "$tmp/list"
echo "..."

say "starting aiotsecd"
ip netns exec $R "$DAEMON" --db "$tmp/aiotsec.db" --dev aiot0 \
	--hn-key "$tmp/hn.key" --soft-limit $SOFT 2>"$tmp/aiotsecd.log" &
dpid=$!
for _ in $(seq 100); do
	grep -q "serving" "$tmp/aiotsecd.log" 2>/dev/null && break
	sleep 0.1
done

say "the devices authenticate, adopt new T-IDs, send inventory frames and answer commands"
ip netns exec $D "$SIM" --dev veth-d --devices "$tmp/devices.csv" \
	--hn-pub "$tmp/hn.pub" --frames 5 --linger 4 --state "$tmp/sim.state" \
	-j >"$tmp/run1.json" &
spid=$!
# the reader sends a Read command to every command device once it has
# its session (the SIDs are the kernel's)
sleep 3
for _ in $(seq 40); do
	n=$($CTL -n $R link show aiot0 | grep -o 'sa-count [0-9]*' | cut -d' ' -f2)
	[ "$n" -ge "$N" ] && break
	sleep 0.25
done
$CTL -n $R sa show dev aiot0 | awk '/profile command/ { print $3 }' >"$tmp/cmd-sids"
ip netns exec $R python3 - "$tmp/cmd-sids" <<'PY'
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("aiot0", 0))
for sid in open(sys.argv[1]).read().split():
    v = int(sid, 16)
    dst = bytes([2, 2]) + v.to_bytes(4, "big")
    s.send(dst + b"\x02\x00\x00\x00\x00\x01\x88\xb5" + b"READ 0001")
PY
wait $spid || true

say "a second round: the devices come back with the T-IDs they were given and"
say "send a stream of frames; every key reaches its soft limit ($SOFT frames) and is rekeyed in place"
ip netns exec $D "$SIM" --dev veth-d --devices "$tmp/devices.csv" \
	--hn-pub "$tmp/hn.pub" --frames 40 --interval 20 --linger 3 \
	--state "$tmp/sim.state" -j >"$tmp/run2.json" || true

say "attacks: wrong keys, forged T-IDs, replayed responses"
for a in wrong-key forged-tid replay; do
	ip netns exec $D "$SIM" --dev veth-d --devices "$tmp/devices.csv" \
		--hn-pub "$tmp/hn.pub" --count 10 --frames 2 --attack $a \
		-j >"$tmp/$a.json" || true
done

say "results"
$CTL -n $R -s link show aiot0
$CTL -n $R -s -j sa show dev aiot0 >"$tmp/sas.json"
python3 - "$tmp" "$N" <<'PY'
import json, os, sys
d, n = sys.argv[1], int(sys.argv[2])
def rep(name):
    return json.load(open(os.path.join(d, name)))
r1, r2 = rep("run1.json"), rep("run2.json")
log = open(os.path.join(d, "aiotsecd.log")).read()
sas = json.load(open(os.path.join(d, "sas.json")))
tot = lambda k: sum(s["stats"][k] for s in sas)
rows = [
    ("devices provisioned", n),
    ("authenticated, first round (one-way / mutual)",
     "%d (%d / %d)" % (r1["authenticated"], r1["one_way"], r1["mutual"])),
    ("  of which by concealed identity (SUCI)", r1["suci_hellos"]),
    ("T-IDs rotated (first / second round)",
     "%d / %d" % (r1["tid_assigned"], r2["tid_assigned"])),
    ("authenticated, second round with new T-IDs", r2["authenticated"]),
    ("rekeys in the live SA, second round (failed)",
     "%d (%d)" % (r2["rekeys"], r2["rekeys_failed"])),
    ("  key switches the kernel reported", log.count("transmitting with key phase")),
    ("frames protected device -> reader (sent)",
     r1["frames_tx"] + r2["frames_tx"]),
    ("frames verified at the reader (SAs now live)", tot("rx-ok")),
    ("commands answered by the devices", r1["commands"]),
]
for a, cause in (("wrong-key", None), ("forged-tid", "unknown-identity"),
                 ("replay", None)):
    x = rep(a + ".json")
    rows.append(("attack %-12s (10 devices) rejections" % a,
                 ", ".join("%s %d" % kv for kv in
                           sorted(x["rejected"].items())) or "none"))
for k in ("rx-bad-mac", "rx-too-old", "rx-not-allowed", "rx-expired"):
    rows.append(("dropped: " + k, tot(k)))
print()
for label, v in rows:
    print("%-48s %s" % (label, v))
ok = (r1["authenticated"] == n and r2["authenticated"] == n and
      r2["rekeys"] >= n and not r2["rekeys_failed"])
print()
print("demo: %s" % ("all devices authenticated and rekeyed" if ok
                    else "SOME DEVICES FAILED"))
sys.exit(0 if ok else 1)
PY
