#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run inside the test VM by tools/demo.sh (make demo).
#
# A reader link and a device link on the two ends of a veth pair, in their
# own network namespaces.  100 simulated devices, half inventory-only
# (nia2: integrity and replay protection) and half command devices
# (nia2-nea2 or aes-gcm: integrity, confidentiality, replay protection),
# each with its own session and key.  The reader runs an inventory round
# and a command round; the devices answer; a key rollover runs on ten
# sessions with traffic flowing; an attacker replays, tampers with and
# forges frames.  A table of what happened closes the run.
#
# Not here yet: the authentication exchange (aiotsecd) and the OpenSSL
# device simulator; the session keys are installed directly.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
CTL=$top/user/aiotsecctl/aiotsecctl
PKT="python3 $top/tools/testing/selftests/aiotsec/aiotpkt.py"
N=${AIOTSEC_DEMO_DEVICES:-100}
R=demo-reader
D=demo-devices
tmp=$(mktemp -d)

cleanup() {
	ip netns del $R 2>/dev/null || true
	ip netns del $D 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

say() {
	printf '\n== %s\n' "$*"
}

sid_of() {
	printf '0x%08x' $((0xa10000 + $1))
}

# AIoT address of frame type $1 for device $2
addr_of() {
	printf '02:%02x:00:%02x:%02x:%02x' "$1" $((0xa1)) $(($2 >> 8 & 0xff)) $(($2 & 0xff))
}

suite_of() {
	if [ $(($1 % 2)) -eq 0 ]; then
		echo "nia2 inventory"
	elif [ $(($1 % 4)) -eq 1 ]; then
		echo "nia2-nea2 command"
	else
		echo "aes-gcm command"
	fi
}

say "loading aiotsec.ko"
modprobe -q veth
insmod "$top/kernel/aiotsec.ko"
dmesg | grep -o "aiotsec: self-tests: pass"

say "reader and device links"
ip netns add $R
ip netns add $D
ip link add veth-r netns $R type veth peer name veth-d netns $D
ip -n $R link set veth-r up
ip -n $D link set veth-d up
$CTL -n $R link add aiot0 link veth-r role reader
$CTL -n $D link add aiot0 link veth-d role device
ip -n $R link set aiot0 up
ip -n $D link set aiot0 up
$CTL -n $R link show
$CTL -n $D link show

say "installing $N sessions (one per device) on both ends"
for i in $(seq 1 "$N"); do
	read -r suite profile <<<"$(suite_of "$i")"
	len=16
	[ "$suite" = nia2-nea2 ] && len=32
	(umask 077 && head -c $len /dev/urandom >"$tmp/k$i")
	for ns in $R $D; do
		$CTL -n $ns sa add dev aiot0 sid "$(sid_of "$i")" suite "$suite" \
			profile "$profile" key-file "$tmp/k$i" ctr-bits 16
	done
done
$CTL -n $R sa show dev aiot0 sid "$(sid_of 1)"
$CTL -n $R sa show dev aiot0 sid "$(sid_of 2)"

# send_round NS FROM_IFACE TYPE COUNT_PER_DEVICE [FILTER]
send_round() {
	local ns=$1 type=$2 per=$3 filter=$4 i frames=()
	for i in $(seq 1 "$N"); do
		case "$filter:$(suite_of "$i")" in
		command:*inventory) continue ;;
		esac
		frames+=("$(addr_of "$type" "$i")")
	done
	ip netns exec "$ns" python3 - "$per" "${frames[@]}" <<'PY'
import socket, sys
per = int(sys.argv[1])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("aiot0", 0))
for n in range(per):
    for dst in sys.argv[2:]:
        mac = bytes(int(x, 16) for x in dst.split(":"))
        s.send(mac + b"\x02\x00\x00\x00\x00\x01\x88\xb5" + b"msg %d to %s" % (n, dst[-5:].encode()))
PY
}

say "inventory round: the reader polls every device 5 times, every device answers"
send_round $R 1 5 all
send_round $D 1 5 all

say "command round: Read and Write to the command devices, responses back"
send_round $R 2 3 command
send_round $D 3 3 command

say "key rollover on ten sessions, traffic flowing"
for i in $(seq 1 10); do
	read -r suite profile <<<"$(suite_of "$i")"
	len=16
	[ "$suite" = nia2-nea2 ] && len=32
	(umask 077 && head -c $len /dev/urandom >"$tmp/n$i")
	$CTL -n $D sa set dev aiot0 sid "$(sid_of "$i")" key-file "$tmp/n$i"
	$CTL -n $R sa set dev aiot0 sid "$(sid_of "$i")" key-file "$tmp/n$i" switch
done
send_round $R 1 2 all
send_round $D 1 2 all

say "attacks: replayed, tampered, reflected and forged frames at the reader"
# capture_round NS IFACE FILE CMD...: frames seen on IFACE while CMD runs
capture_round() {
	local ns=$1 iface=$2 file=$3
	shift 3
	rm -f "$tmp/ready"
	ip netns exec "$ns" $PKT capture "$iface" 5 --timeout 3 \
		--ready "$tmp/ready" >"$file" &
	while [ ! -e "$tmp/ready" ]; do sleep 0.05; done
	"$@"
	wait
}
capture_round $R veth-r "$tmp/up" send_round $D 1 1 all
capture_round $D veth-d "$tmp/down" send_round $R 1 1 all
mapfile -t up <"$tmp/up"
mapfile -t down <"$tmp/down"
echo "injecting ${#up[@]} replayed uplink frames, ${#up[@]} with a moved counter,"
echo "${#up[@]} with a forged session ID, ${#down[@]} reflected downlink frames"
ip netns exec $D python3 - "${#up[@]}" "${up[@]}" "${down[@]}" <<'PY'
import socket, sys
n = int(sys.argv[1])
up, down = sys.argv[2:2 + n], sys.argv[2 + n:]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("veth-d", 0))
for h in up:
    f = bytearray.fromhex(h)
    s.send(bytes(f))                    # replayed: already received
    g = bytearray(f)
    g[20] ^= 0x40                       # counter moved on, MAC not
    s.send(bytes(g))
    g = bytearray(f)
    g[15:19] = b"\xde\xad\xbe\xef"      # forged session ID
    s.send(bytes(g))
for h in down:
    f = bytearray.fromhex(h)
    f[0:12] = f[6:12] + f[0:6]          # the reader's own frame, reflected
    f[14] &= 0xfe                       # as if it came from the device
    s.send(bytes(f))
PY
while [ "$($CTL -n $R -s link show aiot0 | grep -o 'rx-unknown-session [0-9]*')" != \
	"rx-unknown-session ${#up[@]}" ]; do
	sleep 0.05
done

say "results"
ip netns exec $R cat /sys/class/net/aiot0/statistics/rx_packets >/dev/null
$CTL -n $R -s link show aiot0
$CTL -n $D -s link show aiot0
$CTL -n $R -s -j sa show dev aiot0 >"$tmp/r.json"
$CTL -n $D -s -j sa show dev aiot0 >"$tmp/d.json"
python3 - "$tmp/r.json" "$tmp/d.json" "$N" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
d = json.load(open(sys.argv[2]))
n = int(sys.argv[3])

def tot(sas, key, profile=None):
    return sum(s["stats"][key] for s in sas
               if profile is None or s["profile"] == profile)

print()
print("%-44s %10s %10s" % ("", "reader", "devices"))
rows = [
    ("sessions (inventory / command)",
     "%d / %d" % (sum(s["profile"] == "inventory" for s in r),
                  sum(s["profile"] == "command" for s in r)),
     "%d / %d" % (sum(s["profile"] == "inventory" for s in d),
                  sum(s["profile"] == "command" for s in d))),
    ("frames protected and sent", tot(r, "tx-ok"), tot(d, "tx-ok")),
    ("frames verified and delivered", tot(r, "rx-ok"), tot(d, "rx-ok")),
    ("sessions rolled over to a new key",
     sum(s["tx-key-phase"] == 1 for s in r),
     sum(s["tx-key-phase"] == 1 for s in d)),
]
for key in ("rx-bad-mac", "rx-replay", "rx-too-old", "rx-not-allowed",
            "rx-no-key", "rx-expired", "tx-not-allowed", "tx-expired"):
    rows.append(("dropped: " + key, tot(r, key), tot(d, key)))
for label, a, b in rows:
    print("%-44s %10s %10s" % (label, a, b))
lost = (tot(r, "tx-ok") - tot(d, "rx-ok")) + (tot(d, "tx-ok") - tot(r, "rx-ok"))
print()
print("devices: %d; frames lost on the link: %d" % (n, lost))
print("not in this demo yet: authentication (aiotsecd), T-ID rotation, the")
print("OpenSSL device simulator; keys were installed directly.")
sys.exit(1 if lost or tot(r, "rx-ok") == 0 else 0)
PY
