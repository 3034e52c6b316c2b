#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# aiotsecctl, the operator's command line tool: links, security
# associations, frames and the monitor, and the exact error text and exit
# status of bad input, whether the CLI or the kernel refuses it.

set -euo pipefail
source "$(dirname "$0")/lib.sh"

require_vm

CTL=$AIOTSEC_TOP/user/aiotsecctl/aiotsecctl
HINT='Try "aiotsecctl sa help".'

tmpd=$(mktemp -d)
trap 'cleanup_ns; rm -rf "$tmpd"' EXIT

# Key files, private to root; hex text (with white space) and raw octets.
umask 077
K16=$tmpd/k16.hex
K16B=$tmpd/k16b.hex
K32=$tmpd/k32.hex
K16RAW=$tmpd/k16.raw
printf '00112233445566778899aabbccddeeff\n' >"$K16"
printf 'fedcba98 76543210\nfedcba98 76543210\n' >"$K16B"
printf '%s\n%s\n' 000102030405060708090a0b0c0d0e0f \
	101112131415161718191a1b1c1d1e1f >"$K32"
printf '\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf' \
	>"$K16RAW"
# every key above, as the hex that must never be printed
KEY_HEX=(00112233445566778899aabbccddeeff fedcba9876543210
	 000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f
	 a0a1a2a3a4a5a6a7a8a9aaabacadaeaf)

# the defaults of the kernel: limits of the NIA2 suites and of the AEADs
NIA2_HARD=4294967296
NIA2_SOFT=3758096384
AEAD_HARD=9223372036854775808
AEAD_SOFT=8070450532247928832

# ctl ARGS...: aiotsecctl in the namespace $ns of the calling test
ctl() {
	"$CTL" -n "$ns" "$@"
}

# ns_with_link VAR [ROLE]: a namespace with veth0/veth1 up and an aiotsec
# link aiot0 on veth0, made with aiotsecctl, up
ns_with_link() {
	make_ns "$1"
	ip -n "${!1}" link add veth0 type veth peer name veth1
	ip -n "${!1}" link set veth0 up
	ip -n "${!1}" link set veth1 up
	"$CTL" -n "${!1}" link add aiot0 link veth0 role "${2:-reader}"
	ip -n "${!1}" link set aiot0 up
}

ifindex_of() {
	ip -n "$ns" -o link show "$1" | cut -d: -f1
}

# expect_out EXPECTED CMD...: CMD succeeds and prints exactly EXPECTED on
# stdout and nothing on stderr
expect_out() {
	local want=$1 out rc=0
	shift
	out=$("$@" 2>"$tmpd/stderr") || rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "'$*' exited with $rc: $(cat "$tmpd/stderr")"
		return 1
	fi
	if [ -s "$tmpd/stderr" ]; then
		fail "'$*' printed on stderr: $(cat "$tmpd/stderr")"
		return 1
	fi
	if [ "$out" != "$want" ]; then
		fail "'$*' printed:"$'\n'"$out"$'\n'"expected:"$'\n'"$want"
		return 1
	fi
}

# expect_fail STATUS MESSAGE CMD...: CMD exits with STATUS, prints exactly
# MESSAGE on stderr and nothing on stdout
expect_fail() {
	local want_rc=$1 want=$2 out err rc=0
	shift 2
	out=$("$@" 2>"$tmpd/stderr") || rc=$?
	err=$(cat "$tmpd/stderr")
	if [ "$rc" -ne "$want_rc" ]; then
		fail "'$*' exited with $rc, expected $want_rc (stderr: $err)"
		return 1
	fi
	if [ "$err" != "$want" ]; then
		fail "'$*' printed on stderr:"$'\n'"$err"$'\n'"expected:"$'\n'"$want"
		return 1
	fi
	if [ -n "$out" ]; then
		fail "'$*' printed on stdout: $out"
		return 1
	fi
}

# no_key_in TEXT: TEXT shows none of the test keys
no_key_in() {
	local k
	for k in "${KEY_HEX[@]}"; do
		case ${1,,} in
		*"$k"*)
			fail "key $k appears in: $1"
			return 1 ;;
		esac
	done
}

test_link() {
	local ns idx
	ns_with_link ns device
	idx=$(ifindex_of aiot0)
	ip -n "$ns" -d link show aiot0 | grep -q "aiotsec" ||
		fail "aiot0 is not of kind aiotsec"
	ip -n "$ns" link show aiot0 | grep -q "aiot0@veth0" ||
		fail "aiot0 does not show veth0 as its link"
	expect_out "$idx: aiot0: role device sa-count 0 max-sas 1048576" ctl link show aiot0
	expect_out "$idx: aiot0: role device sa-count 0 max-sas 1048576" ctl link show
	# ip(8)'s words before the name
	expect_out "$idx: aiot0: role device sa-count 0 max-sas 1048576" ctl link show dev aiot0
	expect_out "$idx: aiot0: role device sa-count 0 max-sas 1048576
    rx-malformed 0 rx-unknown-session 0 rx-auth 0 rx-to-daemon-dropped 0
    tx-no-sa 0 tx-malformed 0" ctl -s link show aiot0
	expect_out "[{\"ifindex\":$idx,\"dev\":\"aiot0\",\"role\":\"device\",\"sa-count\":0,\"max-sas\":1048576}]" \
		ctl -j link show
	ctl -j -s link show aiot0 | python3 -c '
import json, sys
links = json.loads(sys.stdin.read())
assert len(links) == 1 and links[0]["role"] == "device", links
assert links[0]["stats"]["rx-malformed"] == 0, links
'
	# reader is the default; mtu is passed on
	"$CTL" -n "$ns" link add name aiot1 link veth1 mtu 300
	expect_out "$(ifindex_of aiot1): aiot1: role reader sa-count 0 max-sas 1048576" \
		ctl link show aiot1
	ip -n "$ns" link show aiot1 | grep -q "mtu 300 " ||
		fail "aiot1 was not created with mtu 300"
	ctl link del dev aiot0
	! ip -n "$ns" link show aiot0 >/dev/null 2>&1 ||
		fail "aiot0 still there after link del"
	expect_fail 1 "Error: aiotsec: no such device (IFINDEX/IFNAME) (attribute IFNAME)" \
		ctl link show aiot0
	expect_fail 1 "Error: aiotsec: lower device already carries an aiotsec link (attribute LINK)" \
		ctl link add aiot2 link veth1
}

test_link_max_sas() {
	local ns idx
	ns_with_link ns
	idx=$(ifindex_of aiot0)
	ctl link set aiot0 max-sas 2
	expect_out "$idx: aiot0: role reader sa-count 0 max-sas 2" \
		ctl link show aiot0
	ip -n "$ns" -d link show aiot0 | grep -q "aiotsec" ||
		fail "aiot0 is no longer an aiotsec link"
	ctl sa add dev aiot0 sid 1 suite aes-gcm profile inventory key-file "$K16"
	ctl sa add dev aiot0 sid 2 suite nia2 profile inventory key-file "$K16"
	expect_fail 1 "Error: aiotsec: the link holds as many SAs as its max-sas allows (attribute SA)" \
		ctl sa add dev aiot0 sid 3 suite aes-gcm profile inventory key-file "$K16"
	[ "$(ctl sa show dev aiot0 | grep -c '^aiot0 sid')" -eq 2 ] ||
		fail "the refused SA is listed: $(ctl sa show dev aiot0)"
	# a lower limit removes none; the SAs go one by one
	ctl link set aiot0 max-sas 1
	expect_out "$idx: aiot0: role reader sa-count 2 max-sas 1" \
		ctl link show aiot0
	ctl sa del dev aiot0 sid 1
	expect_fail 1 "Error: aiotsec: the link holds as many SAs as its max-sas allows (attribute SA)" \
		ctl sa add dev aiot0 sid 3 suite aes-gcm profile inventory key-file "$K16"
	ctl sa del dev aiot0 sid 2
	ctl sa add dev aiot0 sid 3 suite aes-gcm profile inventory key-file "$K16"
	# given at creation
	ctl link add aiot1 link veth1 role device max-sas 7
	expect_out "$(ifindex_of aiot1): aiot1: role device sa-count 0 max-sas 7" \
		ctl link show aiot1
	ctl -j link show aiot1 | python3 -c '
import json, sys
assert json.loads(sys.stdin.read())[0]["max-sas"] == 7
'
	# bad input: the CLI's own checks, the kernel's policy, the role
	expect_fail 2 "Error: link set: max-sas must be at least 1
Try \"aiotsecctl link help\"." ctl link set aiot0 max-sas 0
	expect_fail 2 "Error: link set: missing \"max-sas\"
Try \"aiotsecctl link help\"." ctl link set aiot0
	expect_fail 1 "Error: aiotsec: device is not an aiotsec link (IFINDEX/IFNAME) (attribute IFNAME)" \
		ctl link set veth1 max-sas 5
	expect_fail 2 "Error: link add: max-sas must be at least 1
Try \"aiotsecctl link help\"." ctl link add aiot2 link veth1 max-sas 0
	return 0
}

test_link_del_other() {
	local ns
	ns_with_link ns
	expect_fail 1 "Error: aiotsec: device is not an aiotsec link (IFINDEX/IFNAME) (attribute IFNAME)" \
		ctl link del veth1
	ip -n "$ns" link show veth1 >/dev/null || fail "veth1 was deleted"
}

test_sa_suites() {
	local ns
	ns_with_link ns
	ctl sa add dev aiot0 sid 0x1234 suite nia2-nea2 profile command key-file "$K32"
	ctl sa add dev aiot0 sid 2 suite nia2 profile inventory key-file "$K16"
	ctl sa add dev aiot0 sid 3 suite aes-ccm profile command key-file "$K16"
	ctl sa add dev aiot0 sid 0xfffffffe suite aes-gcm profile inventory key-file "$K16"
	expect_out "aiot0 sid 0x00001234 suite nia2-nea2 profile command tag-len 4 ctr-bits 32 replay-window 512
    peer ff:ff:ff:ff:ff:ff tx-key-phase 0 soft-limit $NIA2_SOFT hard-limit $NIA2_HARD
    key 0: tx tx-counter 0 rx-counter none" ctl sa show dev aiot0 sid 4660
	expect_out "aiot0 sid 0x00000002 suite nia2 profile inventory tag-len 4 ctr-bits 32 replay-window 512
    peer ff:ff:ff:ff:ff:ff tx-key-phase 0 soft-limit $NIA2_SOFT hard-limit $NIA2_HARD
    key 0: tx tx-counter 0 rx-counter none" ctl sa show dev aiot0 sid 2
	expect_out "aiot0 sid 0x00000003 suite aes-ccm profile command tag-len 8 ctr-bits 32 replay-window 512
    peer ff:ff:ff:ff:ff:ff tx-key-phase 0 soft-limit $AEAD_SOFT hard-limit $AEAD_HARD
    key 0: tx tx-counter 0 rx-counter none" ctl sa show sid 3
	expect_out "aiot0 sid 0xfffffffe suite aes-gcm profile inventory tag-len 16 ctr-bits 32 replay-window 512
    peer ff:ff:ff:ff:ff:ff tx-key-phase 0 soft-limit $AEAD_SOFT hard-limit $AEAD_HARD
    key 0: tx tx-counter 0 rx-counter none" ctl sa show dev aiot0 sid 0xfffffffe
	# a dump lists them in creation order
	[ "$(ctl sa show dev aiot0 | grep -c '^aiot0 sid')" -eq 4 ] ||
		fail "sa show dev aiot0 does not list 4 SAs"
	[ "$(ctl sa show | grep '^aiot0 sid' | cut -d' ' -f3 | tr '\n' ' ')" = \
	  "0x00001234 0x00000002 0x00000003 0xfffffffe " ] ||
		fail "sa show does not list the SAs in creation order"
	expect_out "$(ifindex_of aiot0): aiot0: role reader sa-count 4 max-sas 1048576" \
		ctl link show aiot0
}

test_sa_json() {
	local ns
	ns_with_link ns
	ctl sa add dev aiot0 sid 0x1234 suite nia2-nea2 profile command key-file "$K32"
	ctl sa add dev aiot0 sid 2 suite nia2 profile inventory key-file "$K16"
	ctl sa add dev aiot0 sid 3 suite aes-ccm profile command key-file "$K16"
	ctl sa add dev aiot0 sid 4 suite aes-gcm profile inventory key-file "$K16"
	ctl -j sa show | python3 -c '
import json, sys
sas = json.loads(sys.stdin.read())
assert [s["sid"] for s in sas] == [0x1234, 2, 3, 4], sas
assert [s["suite"] for s in sas] == ["nia2-nea2", "nia2", "aes-ccm", "aes-gcm"], sas
assert [s["tag-len"] for s in sas] == [4, 4, 8, 16], sas
s = sas[0]
for k in ("sid", "ifindex", "tag-len", "ctr-bits", "replay-window",
	  "tx-key-phase", "soft-limit", "hard-limit"):
	assert type(s[k]) is int, (k, s)
assert s["dev"] == "aiot0" and s["profile"] == "command", s
assert s["peer"] == "ff:ff:ff:ff:ff:ff", s
assert s["soft-limit"] == 3758096384 and s["hard-limit"] == 1 << 32, s
assert s["keys"] == [{"phase": 0, "tx": True, "tx-counter": 0,
		      "rx-counter": None, "soft-expired": False,
		      "hard-expired": False}], s
assert "stats" not in s, s
'
	ctl -j -s sa show dev aiot0 sid 3 | python3 -c '
import json, sys
sas = json.loads(sys.stdin.read())
assert len(sas) == 1, sas
names = ["rx-ok", "rx-bytes", "rx-bad-mac", "rx-replay", "rx-too-old",
	 "rx-not-allowed", "rx-no-key", "rx-expired", "tx-ok", "tx-bytes",
	 "tx-not-allowed", "tx-expired", "tx-error"]
assert list(sas[0]["stats"]) == names, sas
assert all(v == 0 for v in sas[0]["stats"].values()), sas
'
	"$CTL" -n "$ns" link add aiot1 link veth1
	expect_out "[]" ctl -j sa show dev aiot1
	# a name that is not UTF-8 (the kernel allows any octets): valid JSON
	ip -n "$ns" link set aiot1 name $'ai\xff\xc3('
	ctl -j link show | python3 -c '
import json, sys
names = [l["dev"] for l in json.loads(sys.stdin.buffer.read())]
assert sorted(names) == ["aiot0", "ai\ufffd\ufffd("], names
'
}

test_sa_options() {
	local ns out
	ns_with_link ns
	ctl sa add dev aiot0 sid 7 suite aes-ccm profile command key-file "$K16" \
		tag-len 16 ctr-bits 16 replay-window 64 soft-limit 100 \
		hard-limit 200 peer-mac 02:11:22:33:44:55
	expect_out "aiot0 sid 0x00000007 suite aes-ccm profile command tag-len 16 ctr-bits 16 replay-window 64
    peer 02:11:22:33:44:55 tx-key-phase 0 soft-limit 100 hard-limit 200
    key 0: tx tx-counter 0 rx-counter none" ctl sa show dev aiot0 sid 7
	# a raw binary key file, and a key on standard input
	ctl sa add dev aiot0 sid 8 suite aes-gcm profile inventory key-file "$K16RAW"
	ctl sa add dev aiot0 sid 9 suite nia2-nea2 profile command key-file - <"$K32"
	ctl sa show dev aiot0 sid 9 | grep -q "suite nia2-nea2" ||
		fail "no SA 9 from a key on standard input"
	# a key file others may read: a warning, and the SA is added
	cp "$K16" "$tmpd/open.key"
	chmod 0644 "$tmpd/open.key"
	out=$(ctl sa add dev aiot0 sid 10 suite aes-gcm profile inventory \
		key-file "$tmpd/open.key" 2>&1)
	[ "$out" = "Warning: key file \"$tmpd/open.key\" is accessible to group or others (mode 0644)" ] ||
		fail "no mode warning, got: $out"
	ctl sa show dev aiot0 sid 10 >/dev/null || fail "SA 10 not added"
}

test_sa_no_keys() {
	local ns out
	ns_with_link ns
	ctl sa add dev aiot0 sid 1 suite nia2-nea2 profile command key-file "$K32"
	ctl sa add dev aiot0 sid 2 suite aes-gcm profile inventory key-file "$K16"
	ctl sa add dev aiot0 sid 3 suite aes-ccm profile inventory key-file "$K16RAW"
	ctl sa set dev aiot0 sid 2 key-file "$K16B"
	# each output on its own: errexit sees an aiotsecctl that fails
	out=$(ctl sa show)
	no_key_in "$out"
	out=$(ctl -s sa show)
	no_key_in "$out"
	out=$(ctl -j -s sa show)
	no_key_in "$out"
	out=$(ctl sa show dev aiot0 sid 1)
	no_key_in "$out"
	# nor as raw octets: no key's hex in the output's hex
	ctl -s -j sa show >"$tmpd/out"
	no_key_in "$(od -An -tx1 -v "$tmpd/out" | tr -d ' \n')"
}

test_sa_stats() {
	local ns
	ns_with_link ns
	ctl sa add dev aiot0 sid 5 suite aes-gcm profile inventory key-file "$K16"
	expect_out "aiot0 sid 0x00000005 suite aes-gcm profile inventory tag-len 16 ctr-bits 32 replay-window 512
    peer ff:ff:ff:ff:ff:ff tx-key-phase 0 soft-limit $AEAD_SOFT hard-limit $AEAD_HARD
    key 0: tx tx-counter 0 rx-counter none
    rx-ok 0 rx-bytes 0 rx-bad-mac 0 rx-replay 0 rx-too-old 0 rx-not-allowed 0 rx-no-key 0 rx-expired 0
    tx-ok 0 tx-bytes 0 tx-not-allowed 0 tx-expired 0 tx-error 0" \
		ctl -s sa show dev aiot0 sid 5
	ctl frame send dev aiot0 type inventory sid 5 payload 0102030405
	ctl frame send dev aiot0 type control sid 5 payload 0a0b0c \
		peer-mac 02:00:00:00:00:01
	expect_out "aiot0 sid 0x00000005 suite aes-gcm profile inventory tag-len 16 ctr-bits 32 replay-window 512
    peer 02:00:00:00:00:01 tx-key-phase 0 soft-limit $AEAD_SOFT hard-limit $AEAD_HARD
    key 0: tx tx-counter 2 rx-counter none
    rx-ok 0 rx-bytes 0 rx-bad-mac 0 rx-replay 0 rx-too-old 0 rx-not-allowed 0 rx-no-key 0 rx-expired 0
    tx-ok 2 tx-bytes 8 tx-not-allowed 0 tx-expired 0 tx-error 0" \
		ctl -s sa show dev aiot0 sid 5
}

test_sa_set() {
	local ns
	ns_with_link ns
	ctl sa add dev aiot0 sid 0x42 suite aes-gcm profile inventory key-file "$K16"
	ctl frame send dev aiot0 type inventory sid 0x42 payload 00
	# the next key: receive-only, phase 0 still transmits
	ctl sa set dev aiot0 sid 0x42 key-file "$K16B"
	expect_out "aiot0 sid 0x00000042 suite aes-gcm profile inventory tag-len 16 ctr-bits 32 replay-window 512
    peer ff:ff:ff:ff:ff:ff tx-key-phase 0 soft-limit $AEAD_SOFT hard-limit $AEAD_HARD
    key 0: tx tx-counter 1 rx-counter none
    key 1: rx-only tx-counter 0 rx-counter none" ctl sa show dev aiot0 sid 0x42
	# with switch, the new key transmits at once
	ctl sa set dev aiot0 sid 0x42 key-file "$K16" switch
	expect_out "aiot0 sid 0x00000042 suite aes-gcm profile inventory tag-len 16 ctr-bits 32 replay-window 512
    peer ff:ff:ff:ff:ff:ff tx-key-phase 1 soft-limit $AEAD_SOFT hard-limit $AEAD_HARD
    key 0: rx-only tx-counter 1 rx-counter none
    key 1: tx tx-counter 0 rx-counter none" ctl sa show dev aiot0 sid 0x42
	# limits and peer; the limits apply to keys installed afterwards
	ctl sa set dev aiot0 sid 0x42 soft-limit 1000 hard-limit 2000 \
		peer-mac 02:aa:bb:cc:dd:ee replay-window 128
	expect_out "aiot0 sid 0x00000042 suite aes-gcm profile inventory tag-len 16 ctr-bits 32 replay-window 128
    peer 02:aa:bb:cc:dd:ee tx-key-phase 1 soft-limit 1000 hard-limit 2000
    key 0: rx-only tx-counter 1 rx-counter none
    key 1: tx tx-counter 0 rx-counter none" ctl sa show dev aiot0 sid 0x42
	expect_fail 2 "Error: sa set: \"switch\" needs \"key-file\""$'\n'"$HINT" \
		ctl sa set dev aiot0 sid 0x42 switch
	expect_fail 2 "Error: sa set: nothing to change (key-file, replay-window, soft-limit, hard-limit or peer-mac)"$'\n'"$HINT" \
		ctl sa set dev aiot0 sid 0x42
}

test_sa_del() {
	local ns
	ns_with_link ns
	ctl sa add dev aiot0 sid 11 suite aes-gcm profile inventory key-file "$K16"
	ctl sa add dev aiot0 sid 12 suite aes-gcm profile inventory key-file "$K16"
	ctl sa del dev aiot0 sid 11
	[ "$(ctl sa show dev aiot0 | grep '^aiot0' | cut -d' ' -f3)" = 0x0000000c ] ||
		fail "sa show after del: $(ctl sa show dev aiot0)"
	expect_fail 1 "Error: aiotsec: no SA with this SID on the link (attribute SA.SID)" \
		ctl sa show dev aiot0 sid 11
	expect_fail 1 "Error: no SA with SID 0x0000000b on any aiotsec link" \
		ctl sa show sid 11
	ctl sa del dev aiot0 sid 0xc
	expect_out "" ctl sa show
	expect_out "$(ifindex_of aiot0): aiot0: role reader sa-count 0 max-sas 1048576" \
		ctl link show aiot0
}

test_sa_many() {
	local ns i n
	ns_with_link ns
	for i in $(seq 1 200); do
		ctl sa add dev aiot0 sid "$i" suite aes-gcm profile inventory \
			key-file "$K16"
	done
	n=$(ctl sa show dev aiot0 | grep -c '^aiot0 sid')
	[ "$n" -eq 200 ] || fail "sa show dev aiot0 listed $n SAs, expected 200"
	n=$(ctl -j -s sa show | python3 -c '
import json, sys
print(len(json.loads(sys.stdin.read())))
')
	[ "$n" -eq 200 ] || fail "sa show -j -s listed $n SAs, expected 200"
}

test_sa_dump_two_links() {
	local ns
	ns_with_link ns
	"$CTL" -n "$ns" link add aiot1 link veth1 role device
	ip -n "$ns" link set aiot1 up
	ctl sa add dev aiot0 sid 1 suite aes-gcm profile inventory key-file "$K16"
	ctl sa add dev aiot0 sid 2 suite aes-gcm profile inventory key-file "$K16"
	ctl sa add dev aiot1 sid 1 suite aes-gcm profile inventory key-file "$K16"
	# nothing changes during the dump: it is not flagged interrupted
	ctl sa show >/dev/null 2>"$tmpd/dump.err"
	[ ! -s "$tmpd/dump.err" ] ||
		fail "sa show over two links: $(cat "$tmpd/dump.err")"
}

# rx_ok_is N: SA 5 of aiot1 counted N verified frames
rx_ok_is() {
	ctl -s sa show dev aiot1 sid 5 | grep -q " rx-ok $1 "
}

test_rx_counter() {
	local ns mac
	ns_with_link ns
	mac=$(ip -n "$ns" link show veth0 | awk '/link\/ether/ { print $2 }')
	"$CTL" -n "$ns" link add aiot1 link veth1 role device
	ip -n "$ns" link set aiot1 up
	ctl sa add dev aiot0 sid 5 suite aes-gcm profile inventory key-file "$K16"
	ctl sa add dev aiot1 sid 5 suite aes-gcm profile inventory key-file "$K16"
	ctl frame send dev aiot0 type inventory sid 5 payload 01
	ctl frame send dev aiot0 type inventory sid 5 payload 02
	wait_for 5 rx_ok_is 2 || fail "aiot1 did not verify 2 frames: $(ctl -s sa show dev aiot1)"
	# counters 0 and 1 were received: the highest is 1 (uapi:
	# AIOTSEC_KEY_A_RX_COUNTER "highest counter verified"); the peer's
	# address was learnt from them
	expect_out "aiot1 sid 0x00000005 suite aes-gcm profile inventory tag-len 16 ctr-bits 32 replay-window 512
    peer $mac tx-key-phase 0 soft-limit $AEAD_SOFT hard-limit $AEAD_HARD
    key 0: tx tx-counter 0 rx-counter 1" ctl sa show dev aiot1 sid 5
}

# bad_input STATUS MESSAGE ARGS...: on a fresh link aiot0 (reader, on
# veth0) holding SA 0x10 (nia2-nea2), "aiotsecctl ARGS" exits with STATUS
# and prints exactly MESSAGE; SA 0x10 stays the only SA.
bad_input() {
	local ns want_rc=$1 want=$2
	shift 2
	ns_with_link ns
	ctl sa add dev aiot0 sid 0x10 suite nia2-nea2 profile command key-file "$K32"
	expect_fail "$want_rc" "$want" ctl "$@"
	[ "$(ctl sa show | grep -c '^aiot0 sid')" -eq 1 ] ||
		fail "SAs changed: $(ctl sa show)"
}

# usage_err MESSAGE: the two lines of a usage error, "OBJECT CMD: ..."
usage_err() {
	printf 'Error: %s\nTry "aiotsecctl %s help".' "$1" "${1%% *}"
}

test_unprivileged() {
	local out rc=0
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$CTL" sa show 2>&1) || rc=$?
	[ "$rc" -eq 1 ] || fail "exit status $rc, expected 1"
	[ "$out" = "Error: Operation not permitted" ] ||
		fail "printed '$out', expected 'Error: Operation not permitted'"
	rc=0
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$CTL" monitor 2>&1) || rc=$?
	[ "$rc" -eq 1 ] || fail "monitor: exit status $rc, expected 1"
	[ "$out" = 'Error: cannot join multicast group "events": Operation not permitted' ] ||
		fail "monitor printed '$out'"
	# reading links needs no privilege
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$CTL" link show >/dev/null || fail "link show refused to nobody"
}

test_frame_send() {
	local ns
	ns_with_link ns
	ctl sa add dev aiot0 sid 5 suite aes-gcm profile inventory key-file "$K16"
	ctl frame send dev aiot0 type inventory sid 5 payload 0a0b0c0d
	ctl frame send dev aiot0 type auth sid 77 payload 0a0b0c0d \
		peer-mac 02:00:00:00:00:09
	expect_fail 1 "Error: aiotsec: FRAME_TYPE not allowed by the SA's profile or the link's role (attribute FRAME_TYPE)" \
		ctl frame send dev aiot0 type command sid 5 payload 00
	expect_fail 1 "Error: aiotsec: no SA with this SID on the link (attribute SID)" \
		ctl frame send dev aiot0 type inventory sid 6 payload 00
	expect_fail 1 "Error: aiotsec: PAYLOAD longer than the link's MTU (attribute PAYLOAD)" \
		ctl frame send dev aiot0 type inventory sid 5 payload "$(printf '%0514d' 0)"
	expect_fail 2 "$(usage_err 'frame send: payload "abc" is not hex (an even number of hex digits)')" \
		ctl frame send dev aiot0 type inventory sid 5 payload abc
	expect_fail 2 "$(usage_err 'frame send: unknown type "beacon" (one of: auth, inventory, command, response, control)')" \
		ctl frame send dev aiot0 type beacon sid 5 payload 00
}

# monitor_subscribed OUT: make a key-switch event; true once OUT shows one
monitor_subscribed() {
	ctl sa set dev aiot0 sid 0x99 key-file "$K16B" switch
	grep -q '"event":"key-switch"' "$1"
}

test_monitor_events() {
	local ns out=$tmpd/events.json mpid rc=0 line
	ns_with_link ns
	ctl sa add dev aiot0 sid 0x99 suite aes-gcm profile inventory key-file "$K16"
	"$CTL" -n "$ns" -j monitor events >"$out" 2>&1 &
	mpid=$!
	# shellcheck disable=SC2064 # the pid now: the local is gone at exit
	trap "kill $mpid 2>/dev/null || true; cleanup_ns" EXIT
	wait_for 10 monitor_subscribed "$out" ||
		fail "the monitor reported no key-switch event: $(cat "$out")"

	ctl sa add dev aiot0 sid 0x1234 suite nia2-nea2 profile inventory \
		key-file "$K32" soft-limit 2
	ctl frame send dev aiot0 type inventory sid 0x1234 payload 01020304
	ctl frame send dev aiot0 type inventory sid 0x1234 payload 01020304
	line="{\"event\":\"soft-expire\",\"dev\":\"aiot0\",\"ifindex\":$(ifindex_of aiot0),\"sid\":4660,\"key-phase\":0}"
	wait_for 5 grep -qFx "$line" "$out" ||
		fail "no line $line in the monitor's output: $(cat "$out")"
	ctl sa show dev aiot0 sid 0x1234 | grep -q "key 0: tx tx-counter 2 rx-counter none soft-expired" ||
		fail "key not shown soft-expired: $(ctl sa show dev aiot0 sid 0x1234)"

	kill -TERM "$mpid"
	wait "$mpid" || rc=$?
	[ "$rc" -eq 0 ] || fail "monitor exited with $rc on SIGTERM"
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
	json.loads(line)
' "$out" || fail "monitor output is not one JSON object per line"
}

# monitor_sees_auth OUT: send an AUTH frame from aiot0; true once OUT shows it
monitor_sees_auth() {
	ctl frame send dev aiot0 type auth sid 7 payload 0a0b0c0d
	grep -q '^frame auth' "$1"
}

test_monitor_frames() {
	local ns out=$tmpd/frames.txt mpid rc=0 mac
	ns_with_link ns
	"$CTL" -n "$ns" link add aiot1 link veth1 role device
	ip -n "$ns" link set aiot1 up
	ctl sa add dev aiot0 sid 5 suite aes-gcm profile inventory key-file "$K16"
	ctl sa add dev aiot1 sid 5 suite aes-gcm profile inventory key-file "$K16"
	"$CTL" -n "$ns" monitor >"$out" 2>&1 &
	mpid=$!
	# shellcheck disable=SC2064 # the pid now: the local is gone at exit
	trap "kill $mpid 2>/dev/null || true; cleanup_ns" EXIT
	wait_for 10 monitor_sees_auth "$out" ||
		fail "the monitor reported no AUTH frame: $(cat "$out")"
	mac=$(ip -n "$ns" link show veth0 | awk '/link\/ether/ { print $2 }')
	grep -qFx "frame auth dev aiot1 sid 0x00000007 counter 0 from $mac len 4 payload 0a0b0c0d" "$out" ||
		fail "unexpected AUTH frame line: $(cat "$out")"
	# a CONTROL frame that verifies goes to the daemon, marked verified
	ctl frame send dev aiot0 type control sid 5 payload c0ffee
	wait_for 5 grep -qFx "frame control dev aiot1 sid 0x00000005 counter 0 from $mac len 3 verified payload c0ffee" "$out" ||
		fail "no verified CONTROL frame line: $(cat "$out")"

	kill -INT "$mpid"
	wait "$mpid" || rc=$?
	[ "$rc" -eq 0 ] || fail "monitor exited with $rc on SIGINT"
}

# last: unloads the module
# provisioning: aiotsecctl device on a store, no daemon and no module
test_device() {
	local db=$tmpd/dev.db J out
	rm -f "$db"*
	J='"k":"000102030405060708090a0b0c0d0e0f","opc":"101112131415161718191a1b1c1d1e1f"'
	# a command that fails leaves no store it created; an empty file, or
	# another program's database, is no store
	expect_fail 1 "Error: device import: $tmpd/none.csv: No such file or directory (nothing imported)" \
		"$CTL" device import "$tmpd/none.csv" --db "$db"
	[ ! -e "$db" ] || fail "a failed import left a store behind"
	: >"$db"
	expect_fail 1 "Error: store: $db: not an aiotsec store (empty)" \
		"$CTL" device list --db "$db"
	[ ! -s "$db" ] || fail "listing an empty file wrote to it"
	rm -f "$db"
	# a new store is created, and said so: a mistyped --db shows
	expect_fail 0 "Created the store \"$db\"" \
		"$CTL" device add m-1 --k-file "$K16" --opc-file "$K16B" \
		--profile command --db "$db"
	# a key file of text that is not hex is no raw key; 0X is hex
	printf '000102030405060708090a0b0c0d0e0g' >"$tmpd/typo.key"
	expect_fail 1 "Error: key file \"$tmpd/typo.key\": text that is not hex (a raw key file holds the octets themselves)" \
		"$CTL" device add m-t --k-file "$tmpd/typo.key" \
		--opc-file "$K16B" --profile command --db "$db"
	printf '0X000102030405060708090a0b0c0d0e0f\n' >"$tmpd/upper.key"
	"$CTL" device add m-x --k-file "$tmpd/upper.key" --opc-file "$K16B" \
		--profile command --db "$db"
	"$CTL" device del m-x --db "$db"
	# a store others can read: a warning, the command goes on
	chmod 0644 "$db"
	expect_fail 0 "Warning: store \"$db\" is accessible to group or others (mode 0644), and holds every device's K and OPc" \
		"$CTL" device disable m-1 --db "$db"
	chmod 0600 "$db"
	"$CTL" device enable m-1 --db "$db"
	# a NUL octet: nothing imported, not even the lines before it
	printf 'n-1,000102030405060708090a0b0c0d0e0f,101112131415161718191a1b1c1d1e1f,command,-\n\0n-2,x\n' \
		>"$tmpd/nul.csv"
	expect_fail 1 "Error: device import: $tmpd/nul.csv: a NUL octet at offset 80: not CSV or JSON text (nothing imported)" \
		"$CTL" device import "$tmpd/nul.csv" --db "$db"
	expect_fail 1 'Error: device add: a device with PID "m-1" exists' \
		"$CTL" device add m-1 --k-file "$K16" --opc-file "$K16B" \
		--profile command --db "$db"
	expect_fail 1 "Error: key file \"$K32\": 32 octets, K needs 16" \
		"$CTL" device add m-2 --k-file "$K32" --opc-file "$K16B" \
		--profile command --db "$db"
	expect_fail 2 'Error: device add: unknown profile "lamp" (inventory or command)
Try "aiotsecctl device help".' \
		"$CTL" device add m-2 --k-file "$K16" --opc-file "$K16B" \
		--profile lamp --db "$db"
	# JSON import: all or nothing, the element named
	printf '[{"pid":"j-1",%s,"profile":"inventory","tid":"cc000000000000000000000000000001"},\n {"pid":"j-2",%s,"profile":"command","colour":"red"}]\n' \
		"$J" "$J" >"$tmpd/devices.json"
	expect_fail 1 "Error: device import: $tmpd/devices.json: device 1: unknown member \"colour\" (nothing imported)" \
		"$CTL" device import "$tmpd/devices.json" --db "$db"
	sed -i 's/,"colour":"red"//' "$tmpd/devices.json"
	expect_fail 0 "2 devices imported" \
		"$CTL" device import "$tmpd/devices.json" --db "$db"
	expect_fail 1 "Error: device import: $tmpd/devices.json: device 0: a device with PID \"j-1\" exists (nothing imported)" \
		"$CTL" device import "$tmpd/devices.json" --db "$db"
	"$CTL" device disable j-2 --db "$db"
	expect_out "j-1 profile inventory sqn 1 amf 8000 tid cc000000000000000000000000000001 tid-previous -
j-2 profile command sqn 1 amf 8000 tid - tid-previous - disabled
m-1 profile command sqn 1 amf 8000 tid - tid-previous -" "$CTL" device list --db "$db"
	"$CTL" device enable j-2 --db "$db"
	"$CTL" device del j-1 --db "$db"
	expect_out '[{"pid":"j-2","profile":"command","sqn":1,"amf":"8000","tid":null,"tid-previous":null,"disabled":false,"session":null,"link":null},{"pid":"m-1","profile":"command","sqn":1,"amf":"8000","tid":null,"tid-previous":null,"disabled":false,"session":null,"link":null}]' \
		"$CTL" -j device list --db "$db"
	expect_fail 1 'Error: device disable: no device with PID "nobody"' \
		"$CTL" device disable nobody --db "$db"
	expect_fail 1 'Error: device del: no device with PID "j-1"' \
		"$CTL" device del j-1 --db "$db"
	# a PID from the command line is shown escaped
	expect_fail 1 'Error: device del: no device with PID "\x1b[2Jx\x5c"' \
		"$CTL" device del $'\e[2Jx\\' --db "$db"
	# K and OPc: one standard input, and their lengths named
	expect_fail 2 "$(usage_err 'device add: --k-file and --opc-file cannot both be standard input')" \
		"$CTL" device add m-s --k-file - --opc-file - --profile command \
		--db "$db"
	printf '0x0x000102030405060708090a0b0c0d0e0f\n' >"$tmpd/twice.key"
	expect_fail 1 "Error: key file \"$tmpd/twice.key\": not a key (hex text of at most 32 octets, or raw octets)" \
		"$CTL" device add m-s --k-file "$tmpd/twice.key" --opc-file "$K16" \
		--profile command --db "$db"
	# CSV import: all or nothing, the line named; then all
	cat >"$tmpd/devices.csv" <<-EOF
	# pid,k,opc,profile,tid[,amf]
	c-1,000102030405060708090a0b0c0d0e0f,101112131415161718191a1b1c1d1e1f,inventory,-
	c-2,000102030405060708090a0b0c0d0e0f,101112131415161718191a1b1c1d1e,command,cc000000000000000000000000000002,9000
	EOF
	expect_fail 1 "Error: device import: $tmpd/devices.csv: line 3: OPc must be 16 octets, not 15 (nothing imported)" \
		"$CTL" device import "$tmpd/devices.csv" --db "$db"
	sed -i 's/1e,command/1e1f,command/' "$tmpd/devices.csv"
	expect_fail 0 "2 devices imported" \
		"$CTL" device import "$tmpd/devices.csv" --db "$db"
	expect_out "c-1 profile inventory sqn 1 amf 8000 tid - tid-previous -
c-2 profile command sqn 1 amf 9000 tid cc000000000000000000000000000002 tid-previous -" \
		sh -c '"$0" device list --db "$1" | grep "^c-"' "$CTL" "$db"
	# list is the default, also before an option
	out=$("$CTL" device --db "$db")
	[ -n "$out" ] && [ "$out" = "$("$CTL" device list --db "$db")" ] ||
		fail "device --db PATH is not device list: $out"
	# only add and import create a store: a mistyped path is an error
	expect_fail 1 "Error: store: $tmpd/typo.db: No such file or directory" \
		"$CTL" device list --db "$tmpd/typo.db"
	[ ! -e "$tmpd/typo.db" ] || fail "device list created a store"
	# nothing a terminal acts on, nothing that breaks JSON
	expect_fail 1 'Error: device add: PID must be printable ASCII without spaces' \
		"$CTL" device add $'m-\e[31m' --k-file "$K16" --opc-file "$K16B" \
		--profile command --db "$db"
	# "--" ends the options: a PID may start with "--"
	"$CTL" device add --profile command --k-file "$K16" --opc-file "$K16B" \
		--db "$db" -- --m-3
	"$CTL" device del --db "$db" -- --m-3
	# a failed write of -j output is an error too
	expect_fail 1 'Error: writing output: No space left on device' \
		sh -c '"$0" -j device list --db "$1" >/dev/full' "$CTL" "$db"
	# and of the version and the help texts
	local arg
	for arg in -V help "device help"; do
		expect_fail 1 'Error: writing output: No space left on device' \
			sh -c '"$0" $1 >/dev/full' "$CTL" "$arg"
	done
}

test_not_loaded() {
	# loaded again whatever happens: the later tests need it
	trap 'load_module >/dev/null 2>&1 || true; cleanup_ns' EXIT
	wait_for 10 rmmod aiotsec 2>/dev/null ||
		fail "cannot unload the module: refcnt $(cat /sys/module/aiotsec/refcnt)"
	expect_fail 1 "Error: the aiotsec module is not loaded (generic netlink family aiotsec not found)" \
		"$CTL" link show
	expect_fail 1 "Error: the aiotsec module is not loaded (generic netlink family aiotsec not found)" \
		"$CTL" sa show
	# usage errors are found before netlink is asked for anything
	expect_fail 2 "$(usage_err 'sa add: peer-mac "zz" is not a MAC address (xx:xx:xx:xx:xx:xx)')" \
		"$CTL" sa add dev aiot0 sid 1 suite nia2 profile inventory \
		key-file "$K16" peer-mac zz
	expect_fail 2 "$(usage_err 'sa set: replay-window "abc" is not a number (decimal or 0x hex)')" \
		"$CTL" sa set dev aiot0 sid 1 replay-window abc
	load_module
}

# veth and the crypto of the suites, where modules are not autoloaded
modprobe -qa veth aesni_intel cmac ctr ccm gcm ghash_clmulni_intel ghash_generic \
	2>/dev/null || true
require_module
[ -x "$CTL" ] || { echo "1..0 # SKIP no $CTL (make -C user)"; exit "$ksft_skip"; }

tap_plan "$(grep -c '^run_test ' "$0")"
run_test "link add/show/del (also with dev and name)" test_link
run_test "link max-sas: add, set, SA_NEW refused beyond it" test_link_max_sas
run_test "link del refuses a device that is not an aiotsec link" test_link_del_other
run_test "sa add of each suite, sa show" test_sa_suites
run_test "sa show -j is JSON" test_sa_json
run_test "sa add options, raw and stdin key files, mode warning" test_sa_options
run_test "sa show never shows a key" test_sa_no_keys
run_test "sa show -s counts frames sent" test_sa_stats
run_test "sa set key, switch, limits, peer" test_sa_set
run_test "sa del" test_sa_del
run_test "sa show of 200 SAs (multi-part dump)" test_sa_many
run_test "sa show over two links: no inconsistent-dump warning" test_sa_dump_two_links
run_test "rx-counter is the highest counter verified" test_rx_counter
run_test "bad input: missing key-file" bad_input 2 \
	"$(usage_err 'sa add: missing "key-file"')" \
	sa add dev aiot0 sid 1 suite aes-gcm profile inventory
run_test "bad input: unknown suite" bad_input 2 \
	"$(usage_err 'sa add: unknown suite "aes-xts" (one of: nia2-nea2, nia2, aes-ccm, aes-gcm)')" \
	sa add dev aiot0 sid 1 suite aes-xts profile inventory key-file "$K16"
run_test "bad input: SID not a number" bad_input 2 \
	"$(usage_err 'sa add: sid "12ab" is not a number (decimal or 0x hex)')" \
	sa add dev aiot0 sid 12ab suite aes-gcm profile inventory key-file "$K16"
run_test "bad input: tag-len no suite has" bad_input 2 \
	"$(usage_err 'sa add: tag-len "300" is not 4, 8 or 16')" \
	sa add dev aiot0 sid 1 suite aes-ccm profile inventory key-file "$K16" \
	tag-len 300
run_test "bad input: 16-octet key for nia2-nea2" bad_input 1 \
	"Error: key file \"$K16\": 16 octets, suite nia2-nea2 needs 32 (K_enc || K_int)" \
	sa add dev aiot0 sid 1 suite nia2-nea2 profile command key-file "$K16"
run_test "bad input: 32-octet key for aes-gcm" bad_input 1 \
	"Error: key file \"$K32\": 32 octets, suite aes-gcm needs 16" \
	sa add dev aiot0 sid 1 suite aes-gcm profile inventory key-file "$K32"
run_test "bad input: 16-octet next key for a nia2-nea2 SA (kernel)" bad_input 1 \
	"Error: aiotsec: KEY must be 32 octets (K_enc || K_int) for suite nia2-nea2 (attribute SA.KEY)" \
	sa set dev aiot0 sid 0x10 key-file "$K16"
run_test "bad input: duplicate SID" bad_input 1 \
	"Error: aiotsec: an SA with this SID exists on the link (attribute SA.SID)" \
	sa add dev aiot0 sid 16 suite aes-gcm profile inventory key-file "$K16"
run_test "bad input: sa del of a missing SID" bad_input 1 \
	"Error: aiotsec: no SA with this SID on the link (attribute SA.SID)" \
	sa del dev aiot0 sid 0x11
run_test "bad input: profile command with suite nia2" bad_input 1 \
	"Error: aiotsec: SUITE nia2 has no confidentiality, which PROFILE command requires (attribute SA.SUITE)" \
	sa add dev aiot0 sid 1 suite nia2 profile command key-file "$K16"
run_test "bad input: tag-len 8 with aes-gcm (the kernel's word)" bad_input 1 \
	"Error: aiotsec: TAG_LEN must be 4, 8 or 16 for aes-ccm, 16 for aes-gcm, 4 for nia2 suites (attribute SA.TAG_LEN)" \
	sa add dev aiot0 sid 1 suite aes-gcm profile command key-file "$K16" tag-len 8
run_test "bad input: ctr-bits 24 (before netlink)" bad_input 2 \
	"$(usage_err 'sa add: ctr-bits "24" is not 16 or 32')" \
	sa add dev aiot0 sid 1 suite aes-gcm profile inventory key-file "$K16" ctr-bits 24
run_test "bad input: hard-limit above 2^32 for nia2" bad_input 1 \
	"Error: aiotsec: HARD_LIMIT exceeds the suite's counter space (attribute SA.HARD_LIMIT)" \
	sa add dev aiot0 sid 1 suite nia2 profile inventory key-file "$K16" hard-limit 4294967297
run_test "bad input: soft-limit above hard-limit" bad_input 1 \
	"Error: aiotsec: SOFT_LIMIT above HARD_LIMIT (attribute SA.SOFT_LIMIT)" \
	sa add dev aiot0 sid 1 suite aes-gcm profile inventory key-file "$K16" soft-limit 200 hard-limit 100
run_test "bad input: replay-window 1 (policy), attribute named" bad_input 1 \
	"Error: integer out of range (attribute SA.REPLAY_WINDOW)" \
	sa add dev aiot0 sid 1 suite aes-gcm profile inventory key-file "$K16" replay-window 1
run_test "bad input: SID 0" bad_input 2 \
	"$(usage_err 'sa add: sid 0 is no session (1 to 4294967295)')" \
	sa add dev aiot0 sid 0 suite aes-gcm profile inventory key-file "$K16"
run_test "bad input: dev not an aiotsec link" bad_input 1 \
	"Error: aiotsec: device is not an aiotsec link (IFINDEX/IFNAME) (attribute IFNAME)" \
	sa add dev veth1 sid 1 suite aes-gcm profile inventory key-file "$K16"
run_test "bad input: no such dev" bad_input 1 \
	"Error: aiotsec: no such device (IFINDEX/IFNAME) (attribute IFNAME)" \
	sa del dev nosuch0 sid 1
run_test "unprivileged user refused" test_unprivileged
run_test "frame send, and its errors" test_frame_send
run_test "monitor events -j: soft-expire" test_monitor_events
run_test "monitor: AUTH and verified CONTROL frames" test_monitor_frames
run_test "device: add, import CSV and JSON, disable, del, and their errors" test_device
run_test "module not loaded" test_not_loaded
tap_exit
