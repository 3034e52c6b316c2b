#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The protected data path: a reader link and a device link on the two ends
# of a veth pair, for every suite; tampering, replays, reordering, unknown
# sessions, wrong keys, key rollover, soft and hard limits, profiles, and
# interop with the userspace implementation (aiot-frame, OpenSSL).

set -euo pipefail
source "$(dirname "$0")/lib.sh"

require_vm
require_module

here=$(cd "$(dirname "$0")" && pwd)
CTL=$AIOTSEC_TOP/user/aiotsecctl/aiotsecctl
FRAME=$AIOTSEC_TOP/user/aiot-frame/aiot-frame
PKT="python3 $here/aiotpkt.py"
SID=0x1234
CMD_TO_DEV=02:02:00:00:12:34	# reader -> device, command
RSP_TO_READER=02:03:00:00:12:34	# device -> reader, response
INV_TO_DEV=02:01:00:00:12:34	# reader -> device, inventory
SUITES="nia2-nea2 nia2 aes-ccm aes-gcm"

tmp=$(mktemp -d)
trap 'cleanup_ns; rm -rf "$tmp"' EXIT

# keyfile NAME LEN: a fresh random key file
keyfile() {
	(umask 077 && head -c "$2" /dev/urandom >"$tmp/$1")
	echo "$tmp/$1"
}

key_len() {
	[ "$1" = nia2-nea2 ] && echo 32 || echo 16
}

profile_for() {
	[ "$1" = nia2 ] && echo inventory || echo command
}

# pair VAR: namespace with veth0/veth1, aiotR (reader) on veth0 and aiotD
# (device) on veth1, all up
pair() {
	local _pns
	make_ns _pns
	ip -n "$_pns" link add veth0 type veth peer name veth1
	ip -n "$_pns" link set veth0 up
	ip -n "$_pns" link set veth1 up
	$CTL -n "$_pns" link add aiotR link veth0 role reader
	$CTL -n "$_pns" link add aiotD link veth1 role device
	ip -n "$_pns" link set aiotR up
	ip -n "$_pns" link set aiotD up
	printf -v "$1" '%s' "$_pns"
}

# sa_both NS SUITE PROFILE KEYFILE [ARGS...]: the same SA on both links
sa_both() {
	local ns=$1 suite=$2 profile=$3 key=$4
	shift 4
	$CTL -n "$ns" sa add dev aiotR sid $SID suite "$suite" \
		profile "$profile" key-file "$key" "$@"
	$CTL -n "$ns" sa add dev aiotD sid $SID suite "$suite" \
		profile "$profile" key-file "$key" "$@"
}

# word_after TEXT NAME: the word that follows NAME in TEXT (text output of
# aiotsecctl, "name value" pairs; no python: it is slow to start in TCG)
word_after() {
	[[ " $1 " =~ [[:space:]]$2[[:space:]]+([^[:space:]]+) ]] ||
		fail "no '$2' in: $1"
	echo "${BASH_REMATCH[1]}"
}

# sa_stat NS DEV NAME: one counter or field of the SA
sa_stat() {
	word_after "$($CTL -n "$1" -s sa show dev "$2" sid $SID)" "$3"
}

sa_field() {
	sa_stat "$@"
}

rx_at_least() {
	[ "$(sa_stat "$1" "$2" rx-ok)" -ge "$3" ]
}

# lower_rx NS DEV: the packets DEV has received
lower_rx() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"
}

# lower_rx_from NS DEV BASE N: DEV has received N packets since it had
# BASE, for wait_for
lower_rx_from() {
	[ "$(lower_rx "$1" "$2")" -ge $(($3 + $4)) ]
}

# stat_is NS DEV NAME VALUE: for wait_for
stat_is() {
	[ "$(sa_stat "$1" "$2" "$3")" = "$4" ]
}

# monitor NS FILE [GROUP]: aiotsecctl -j monitor GROUP (events) in the
# background, and wait until it has joined; its pid in $monitor_pid
monitor() {
	$CTL -n "$1" -j monitor "${3:-events}" >"$2" 2>&1 &
	monitor_pid=$!
	tap_pids+=("$monitor_pid")
	wait_for 10 ip netns exec "$1" awk -v pid="$monitor_pid" \
		'$2 == 16 && $3 == pid && $4 != "00000000" { found = 1 }
		 END { exit !found }' /proc/net/netlink ||
		fail "monitor did not start"
}

link_stat() {
	word_after "$($CTL -n "$1" -s link show "$2")" "$3"
}

link_stat_is() {
	[ "$(link_stat "$1" "$2" "$3")" = "$4" ]
}

dev_stat() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got $2, want $3"
}

# xfer NS TX RX DST COUNT [ARGS...]: JSON result of aiotpkt.py xfer
xfer() {
	local ns=$1 tx=$2 rx=$3 dst=$4 count=$5
	shift 5
	ip netns exec "$ns" $PKT xfer "$tx" "$rx" "$dst" 68656c6c6f \
		--count "$count" "$@"
}

# json_get XFER_OUTPUT KEY: a value of aiotpkt.py xfer's KEY=VALUE output
json_get() {
	[[ " $1 " =~ [[:space:]]$2=([^[:space:]]*) ]] || fail "no $2 in: $1"
	echo "${BASH_REMATCH[1]}"
}

# capture NS IFACE COUNT CMD...: run CMD while capturing COUNT frames (at
# most; one hex line each).  Fails when the capture or CMD does: in a
# command substitution errexit is off, so each step returns by itself,
# and says why on stderr (the output is the caller's variable).
capture() {
	local ns=$1 iface=$2 count=$3 ready=$tmp/ready.$RANDOM cpid
	shift 3
	ip netns exec "$ns" $PKT capture "$iface" "$count" --timeout 10 \
		--ready "$ready" >"$tmp/cap" &
	cpid=$!
	wait_for 10 test -e "$ready" ||
		{ kill "$cpid"; fail "capture did not start" >&2; return 1; }
	"$@" || { kill "$cpid"; fail "$* failed" >&2; return 1; }
	wait "$cpid" || { fail "the capture failed" >&2; return 1; }
	cat "$tmp/cap"
}

test_exchange() {
	local suite=$1 ns key out profile
	pair ns
	profile=$(profile_for "$suite")
	key=$(keyfile k "$(key_len "$suite")")
	sa_both "$ns" "$suite" "$profile" "$key"
	if [ "$profile" = command ]; then
		out=$(xfer "$ns" aiotR aiotD $CMD_TO_DEV 20)
		expect_eq "downlink lost" "$(json_get "$out" lost)" 0
		expect_eq "downlink corrupt" "$(json_get "$out" corrupt)" 0
		expect_eq "downlink source" "$(json_get "$out" src)" \
			02:02:00:00:12:34
		expect_eq "delivered ethertype" "$(json_get "$out" ethertype)" 0x88b5
		out=$(xfer "$ns" aiotD aiotR $RSP_TO_READER 20)
	else
		out=$(xfer "$ns" aiotR aiotD $INV_TO_DEV 20)
		expect_eq "downlink lost" "$(json_get "$out" lost)" 0
		out=$(xfer "$ns" aiotD aiotR 02:01:00:00:12:34 20)
	fi
	expect_eq "uplink lost" "$(json_get "$out" lost)" 0
	expect_eq "uplink corrupt" "$(json_get "$out" corrupt)" 0
	expect_eq "reader tx-ok" "$(sa_stat "$ns" aiotR tx-ok)" 20
	expect_eq "reader rx-ok" "$(sa_stat "$ns" aiotR rx-ok)" 20
	expect_eq "device rx-ok" "$(sa_stat "$ns" aiotD rx-ok)" 20
	expect_eq "device rx-bytes" "$(sa_stat "$ns" aiotD rx-bytes)" $((20 * 9))
	expect_eq "device tx-ok" "$(sa_stat "$ns" aiotD tx-ok)" 20
	# no plaintext on the wire (the body "hello" is ciphered) unless nia2
	out=$(capture "$ns" veth1 1 ip netns exec "$ns" $PKT send aiotR \
		$INV_TO_DEV 68656c6c6f)
	[ -n "$out" ] && [ "$(wc -l <<<"$out")" = 1 ] ||
		fail "not the one frame on the wire: $out"
	case $out in
	*68656c6c6f*) [ "$suite" = nia2 ] || fail "plaintext on the wire: $out" ;;
	*) [ "$suite" != nia2 ] || fail "nia2 frame should carry the body in clear" ;;
	esac
}

test_interop() {
	local suite=$1 ns key out frame hdr payload got
	pair ns
	key=$(keyfile k "$(key_len "$suite")")
	sa_both "$ns" "$suite" inventory "$key"
	# kernel -> userspace
	out=$(capture "$ns" veth1 1 ip netns exec "$ns" $PKT send aiotR \
		$INV_TO_DEV 0102030405)
	[ -n "$out" ] || fail "nothing captured"
	got=$($FRAME unprotect "$suite" "$key" --dir down "${out:28}") ||
		fail "userspace refused the kernel's frame: $got"
	expect_eq "userspace view" "$got" \
		"type inventory sid 0x00001234 counter 0 phase 0 payload 0102030405"
	# userspace -> kernel, uplink counter 7
	frame=$($FRAME protect "$suite" "$key" --type inventory --sid $SID \
		--dir up --counter 7 a1a2a3)
	hdr=ffffffffffff02000000000188b5
	payload=$(capture "$ns" aiotR 1 ip netns exec "$ns" $PKT inject veth1 \
		"$hdr$frame")
	[ -n "$payload" ] || fail "kernel delivered nothing from userspace's frame"
	expect_eq "kernel delivered" "${payload:28}" a1a2a3
	expect_eq "kernel source" "${payload:12:12}" 020100001234
	# a frame with a flipped tag bit is refused by both
	frame=$($FRAME protect "$suite" "$key" --type inventory --sid $SID \
		--dir up --counter 8 a1a2a3)
	frame=${frame:0:-2}$(printf %02x $((0x${frame: -2} ^ 1)))
	if $FRAME unprotect "$suite" "$key" --dir up "$frame" >/dev/null; then
		fail "userspace accepted a bad tag"
	fi
	ip netns exec "$ns" $PKT inject veth1 "$hdr$frame"
	wait_for 5 stat_is "$ns" aiotR rx-bad-mac 1 ||
		fail "tampered frame not counted as rx-bad-mac"
}

# Frames below the Ethernet minimum go out in the short header form, with
# their body length; padded to 60 octets, as a NIC pads them, they still
# open (the padding is not taken for the tag).  A long-form frame padded
# the same way does not.
test_short_padded() {
	local ns key out frame payload hdr=ffffffffffff02000000000188b5
	pair ns
	key=$(keyfile k 16)
	sa_both "$ns" aes-gcm command "$key"
	out=$(capture "$ns" veth1 1 ip netns exec "$ns" $PKT send aiotR \
		$CMD_TO_DEV 0102030405)
	# octet 0: V=1, COMMAND, C, D; SID, counter 0, body length 5
	expect_eq "kernel's short header" "${out:28:20}" 53000012340000000005
	frame=$($FRAME protect aes-gcm "$key" --type response --sid $SID \
		--dir up --counter 3 a1a2a3)
	expect_eq "userspace's short header" "${frame:0:20}" 5a000012340000000303
	payload=$(capture "$ns" aiotR 1 ip netns exec "$ns" $PKT inject veth1 \
		"$(pad60 "$hdr$frame")")
	expect_eq "padded short frame delivered" "${payload:28}" a1a2a3
	frame=$($FRAME protect aes-gcm "$key" --type response --sid $SID \
		--dir up --counter 4 --long a1a2a3)
	expect_eq "long header" "${frame:0:18}" 1a0000123400000004
	ip netns exec "$ns" $PKT inject veth1 "$(pad60 "$hdr$frame")"
	wait_for 5 stat_is "$ns" aiotR rx-bad-mac 1 ||
		fail "padded long-form frame not counted as rx-bad-mac"
	expect_eq "rx-ok" "$(sa_stat "$ns" aiotR rx-ok)" 1
}

# pad60 HEX: the Ethernet frame HEX padded with zeros to 60 octets
pad60() {
	local f=$1
	while [ ${#f} -lt 120 ]; do
		f+=00
	done
	echo "$f"
}

# One captured frame, every single bit of its AIoT part flipped: all dropped.
test_tamper() {
	local ns key out bits dropped0 auth0
	pair ns
	key=$(keyfile k 16)
	$CTL -n "$ns" sa add dev aiotR sid $SID suite aes-ccm profile command \
		key-file "$key" tag-len 4 ctr-bits 16
	# captured before the device has the SA: the frame is still fresh
	out=$(capture "$ns" veth1 1 ip netns exec "$ns" $PKT send aiotR \
		$CMD_TO_DEV 6869)
	[ -n "$out" ] || fail "nothing captured"
	$CTL -n "$ns" sa add dev aiotD sid $SID suite aes-ccm profile command \
		key-file "$key" tag-len 4 ctr-bits 16
	dropped0=$(dev_stat "$ns" aiotD rx_dropped)
	auth0=$(link_stat "$ns" aiotD rx-auth)
	bits=$(ip netns exec "$ns" $PKT flips veth0 "$out")
	# each flipped frame is dropped and counted once, except the one
	# whose type became "auth": that one is handed to the daemon
	wait_for 10 tampered_counted "$ns" $((dropped0 + auth0 + bits)) ||
		fail "$bits flips: rx_dropped $dropped0 -> $(dev_stat "$ns" aiotD rx_dropped), rx-auth $auth0 -> $(link_stat "$ns" aiotD rx-auth)"
	expect_eq "rx-ok after the flips" "$(sa_stat "$ns" aiotD rx-ok)" 0
	[ "$(sa_stat "$ns" aiotD rx-bad-mac)" -ge 64 ] ||
		fail "body and tag flips not all bad MACs"
	[ "$(link_stat "$ns" aiotD rx-malformed)" -gt 0 ] || fail "no rx-malformed"
	[ "$(link_stat "$ns" aiotD rx-unknown-session)" -gt 0 ] ||
		fail "no rx-unknown-session"
	# forged frames did not move the window: the original still verifies,
	# once
	ip netns exec "$ns" $PKT inject veth0 "$out" "$out"
	wait_for 5 stat_is "$ns" aiotD rx-replay 1 ||
		fail "duplicate not counted as rx-replay"
	expect_eq "rx-ok" "$(sa_stat "$ns" aiotD rx-ok)" 1
}

tampered_counted() {
	[ $(($(dev_stat "$1" aiotD rx_dropped) + $(link_stat "$1" aiotD rx-auth))) -eq "$2" ]
}

# Frames captured while the device had no SA, then played in any order.
test_window() {
	local ns key out lines
	pair ns
	key=$(keyfile k 16)
	$CTL -n "$ns" sa add dev aiotR sid $SID suite aes-gcm profile command \
		key-file "$key" ctr-bits 16
	out=$(capture "$ns" veth1 60 ip netns exec "$ns" $PKT send aiotR \
		$CMD_TO_DEV 6869 --count 60)
	mapfile -t lines <<<"$out"
	expect_eq "captured" "${#lines[@]}" 60
	expect_eq "unknown session" "$(link_stat "$ns" aiotD rx-unknown-session)" 60
	$CTL -n "$ns" sa add dev aiotD sid $SID suite aes-gcm profile command \
		key-file "$key" ctr-bits 16 replay-window 32
	# 50, then 40 and 45 (behind, inside the window), 59, then 20 (too
	# old: 40 behind), then 40 again (duplicate)
	ip netns exec "$ns" $PKT inject veth0 "${lines[50]}" "${lines[40]}" \
		"${lines[45]}" "${lines[59]}" "${lines[20]}" "${lines[40]}"
	wait_for 5 window_counted "$ns" 6 || fail "not all 6 frames were counted"
	expect_eq "rx-ok" "$(sa_stat "$ns" aiotD rx-ok)" 4
	expect_eq "rx-too-old" "$(sa_stat "$ns" aiotD rx-too-old)" 1
	expect_eq "rx-replay" "$(sa_stat "$ns" aiotD rx-replay)" 1
	expect_eq "rx-bad-mac" "$(sa_stat "$ns" aiotD rx-bad-mac)" 0
}

# The reader's SA learns its peer's address from the newest frame of its
# transmit key only: a fresh frame behind the top, which anybody who saw
# it on the air could send again from elsewhere, verifies and is
# delivered but moves nothing.  A frame in a VLAN (its tag stripped on
# receipt) is not the link's: it is left to the stack, not even counted;
# one with a priority tag only (VLAN 0) is.
test_peer_vlan() {
	local ns key a=02000000000a b=02000000000b f7 f5 f9 f20 f21 f22 vlan
	pair ns
	key=$(keyfile k 16)
	sa_both "$ns" aes-gcm command "$key"
	for c in 5 7 9 20 21 22; do
		printf -v "f$c" '%s' "$($FRAME protect aes-gcm "$key" \
			--type response --sid $SID --dir up --counter $c a1a2)"
	done
	ip netns exec "$ns" $PKT inject veth1 "ffffffffffff${a}88b5$f7"
	wait_for 5 stat_is "$ns" aiotR rx-ok 1 || fail "frame 7 not received"
	expect_eq "peer after 7 from A" "$(sa_field "$ns" aiotR peer)" \
		02:00:00:00:00:0a
	# 5: fresh but behind the top; from B
	ip netns exec "$ns" $PKT inject veth1 "ffffffffffff${b}88b5$f5"
	wait_for 5 stat_is "$ns" aiotR rx-ok 2 || fail "frame 5 not received"
	expect_eq "peer after 5 from B" "$(sa_field "$ns" aiotR peer)" \
		02:00:00:00:00:0a
	ip netns exec "$ns" $PKT inject veth1 "ffffffffffff${b}88b5$f9"
	wait_for 5 stat_is "$ns" aiotR rx-ok 3 || fail "frame 9 not received"
	expect_eq "peer after 9 from B" "$(sa_field "$ns" aiotR peer)" \
		02:00:00:00:00:0b
	# 20 in VLAN 5, then untagged: only the untagged one is the link's;
	# 21 last, so that the two before it were handled once it is
	vlan="ffffffffffff${a}81000005""88b5$f20"
	ip netns exec "$ns" $PKT inject veth1 "$vlan" "ffffffffffff${b}88b5$f20" \
		"ffffffffffff${b}88b5$f21"
	wait_for 5 stat_is "$ns" aiotR rx-ok 5 ||
		fail "untagged frames 20 and 21 not received: rx-ok $(sa_stat "$ns" aiotR rx-ok)"
	expect_eq "rx-replay (the tagged copy was not taken)" \
		"$(sa_stat "$ns" aiotR rx-replay)" 0
	expect_eq "peer (the tagged copy came from A)" \
		"$(sa_field "$ns" aiotR peer)" 02:00:00:00:00:0b
	# a priority tag (VLAN 0, priority 5) is no VLAN: the link's
	ip netns exec "$ns" $PKT inject veth1 "ffffffffffff${a}8100a000""88b5$f22"
	wait_for 5 stat_is "$ns" aiotR rx-ok 6 ||
		fail "priority-tagged frame 22 not received"
	expect_eq "peer after 22 from A" "$(sa_field "$ns" aiotR peer)" \
		02:00:00:00:00:0a
}

window_counted() {
	local out
	out=$($CTL -n "$1" -s sa show dev aiotD sid $SID)
	[ $(($(word_after "$out" rx-ok) + $(word_after "$out" rx-too-old) +
	     $(word_after "$out" rx-replay))) -eq "$2" ]
}

# A frame of the key phase whose slot is empty: dropped as rx-no-key,
# before any crypto; the same frame in the phase of the key opens
test_no_key() {
	local ns key hdr f0 f1
	pair ns
	key=$(keyfile k 16)
	$CTL -n "$ns" sa add dev aiotD sid $SID suite aes-gcm profile command \
		key-file "$key"
	hdr=ffffffffffff02000000000188b5
	f1=$($FRAME protect aes-gcm "$key" --type command --sid $SID \
		--dir down --counter 1 --phase 1 a1a2a3)
	f0=$($FRAME protect aes-gcm "$key" --type command --sid $SID \
		--dir down --counter 1 a1a2a3)
	ip netns exec "$ns" $PKT inject veth0 "$hdr$f1" "$hdr$f0"
	wait_for 5 stat_is "$ns" aiotD rx-ok 1 ||
		fail "the frame of key phase 0 did not open: rx-ok $(sa_stat "$ns" aiotD rx-ok)"
	expect_eq "rx-no-key" "$(sa_stat "$ns" aiotD rx-no-key)" 1
	expect_eq "rx-bad-mac" "$(sa_stat "$ns" aiotD rx-bad-mac)" 0
}

test_wrong_key() {
	local ns out
	pair ns
	$CTL -n "$ns" sa add dev aiotR sid $SID suite nia2-nea2 profile command \
		key-file "$(keyfile k1 32)"
	$CTL -n "$ns" sa add dev aiotD sid $SID suite nia2-nea2 profile command \
		key-file "$(keyfile k2 32)"
	out=$(xfer "$ns" aiotR aiotD $CMD_TO_DEV 10 --timeout 1)
	expect_eq "received" "$(json_get "$out" received)" 0
	expect_eq "rx-bad-mac" "$(sa_stat "$ns" aiotD rx-bad-mac)" 10
	expect_eq "rx-ok" "$(sa_stat "$ns" aiotD rx-ok)" 0
}

test_unknown_session() {
	local ns out
	pair ns
	sa_both "$ns" aes-gcm command "$(keyfile k 16)"
	monitor "$ns" "$tmp/mon"
	out=$(xfer "$ns" aiotR aiotD 02:02:00:00:99:99 5 --timeout 1)
	expect_eq "received" "$(json_get "$out" received)" 0
	expect_eq "tx-no-sa" "$(link_stat "$ns" aiotR tx-no-sa)" 5
	# a frame for session 0x9999 made with the right key still goes nowhere
	$CTL -n "$ns" sa add dev aiotR sid 0x9999 suite aes-gcm profile command \
		key-file "$tmp/k"
	out=$(xfer "$ns" aiotR aiotD 02:02:00:00:99:99 5 --timeout 1)
	expect_eq "received" "$(json_get "$out" received)" 0
	expect_eq "rx-unknown-session" \
		"$(link_stat "$ns" aiotD rx-unknown-session)" 5
	wait_for 5 grep -q unknown-session "$tmp/mon" ||
		fail "no unknown-session event: $(cat "$tmp/mon")"
	kill "$monitor_pid"
}

# alarms_at_least N: the monitor printed N replay alarms of SA 0x1234 on
# aiotD, key phase 0
alarms_at_least() {
	[ "$(grep -c '^{"event":"replay-alarm","dev":"aiotD","ifindex":[0-9]*,"sid":4660,"key-phase":0}$' "$tmp/mon")" -ge "$1" ]
}

# Each duplicate is dropped and counted, and raises the replay-alarm
# event, at most 10 a second per link
test_replay_alarm() {
	local ns key out t0 t n
	pair ns
	key=$(keyfile k 16)
	$CTL -n "$ns" sa add dev aiotR sid $SID suite aes-gcm profile command \
		key-file "$key"
	out=$(capture "$ns" veth1 1 ip netns exec "$ns" $PKT send aiotR \
		$CMD_TO_DEV 6869)
	[ -n "$out" ] || fail "nothing captured"
	$CTL -n "$ns" sa add dev aiotD sid $SID suite aes-gcm profile command \
		key-file "$key"
	monitor "$ns" "$tmp/mon"
	# on one CPU, and t as in test_daemon_limits
	t0=$SECONDS
	ip netns exec "$ns" taskset -c 0 $PKT inject veth0 "26*$out"
	wait_for 10 stat_is "$ns" aiotD rx-replay 25 ||
		fail "rx-replay $(sa_stat "$ns" aiotD rx-replay), want 25"
	t=$((SECONDS - t0 + 1))
	expect_eq "rx-ok" "$(sa_stat "$ns" aiotD rx-ok)" 1
	# 10 in the first second, which the burst fits in unless it took
	# longer: then at most 10 more a second
	wait_for 5 alarms_at_least 10 ||
		fail "not 10 replay-alarm events: $(cat "$tmp/mon")"
	n=$(grep -c "replay-alarm" "$tmp/mon")
	[ "$n" -le $((10 * t)) ] ||
		fail "$n replay-alarm events in at most $t s, want at most $((10 * t))"
	kill "$monitor_pid"
}

# Frames for unknown sessions (anybody can forge them) and AUTH frames go
# to the daemon under separate rate limits: a flood of the former past
# its limit crowds out no AUTH frame that follows it.
# the unknown-session frames (of the flood, SID 0x9999) passed up so far
passed_up() {
	grep -c '"frame":"command".*"sid":39321,' "$tmp/mon" || true
}

passed_up_is() {
	[ "$(passed_up)" = "$1" ]
}

test_daemon_limits() {
	local ns hdr unknown auth dropped t0 t
	pair ns
	# room for every frame passed up in the monitor's buffer
	rmem_max=$(sysctl -n net.core.rmem_max)
	trap 'sysctl -qw net.core.rmem_max=$rmem_max; cleanup_ns' EXIT
	sysctl -qw net.core.rmem_max=$((16 << 20))
	monitor "$ns" "$tmp/mon" frames
	hdr=ffffffffffff02000000000188b5
	unknown=$($FRAME protect aes-gcm "$(keyfile k 16)" --type command \
		--sid 0x9999 --dir up --counter 1 a1a2a3)
	auth=00000000420000$(printf 'ab%.0s' {1..40})
	# on one CPU: the limiter counts a frame it finds locked by another
	# CPU as over the limit.  t: the limit's windows the flood can have
	# touched, from the injection's start until the frames were counted
	# (SECONDS is whole seconds: one more)
	t0=$SECONDS
	ip netns exec "$ns" taskset -c 0 $PKT inject veth1 "2500*$hdr$unknown" \
		"$hdr$auth"
	wait_for 10 link_stat_is "$ns" aiotR rx-unknown-session 2500 ||
		fail "rx-unknown-session $(link_stat "$ns" aiotR rx-unknown-session), want 2500"
	t=$((SECONDS - t0 + 1))
	# 1000 a second passed up, the rest dropped: the flood fits in one
	# window of the limit if the injection takes less than a second,
	# else in at most one window per second it took, and one more
	dropped=$(link_stat "$ns" aiotR rx-to-daemon-dropped)
	wait_for 10 passed_up_is "$((2500 - dropped))" ||
		fail "$(passed_up) unknown-session frames passed up, want $((2500 - dropped)) ($dropped dropped)"
	[ "$dropped" -ge 1500 ] || [ "$dropped" -ge $((2500 - 1000 * t)) ] ||
		fail "$dropped frames dropped in at most $t s, want at least $((2500 - 1000 * t))"
	[ "$dropped" -le 1500 ] ||
		fail "$dropped frames dropped: fewer than the 1000 a second passed up"
	# the AUTH frame came while that limit was spent: its own
	wait_for 10 grep -q '"frame":"auth"' "$tmp/mon" ||
		fail "the AUTH frame after the flood did not come up"
	! grep -q "notifications lost" "$tmp/mon" ||
		fail "the monitor lost notifications"
	expect_eq "rx-auth" "$(link_stat "$ns" aiotR rx-auth)" 1
	kill "$monitor_pid"
}

test_rollover() {
	local ns k1 k2 out
	pair ns
	k1=$(keyfile k1 32)
	k2=$(keyfile k2 32)
	sa_both "$ns" nia2-nea2 command "$k1"
	xfer "$ns" aiotR aiotD $CMD_TO_DEV 600 --gap 10 --timeout 30 >"$tmp/x" &
	wait_for 20 rx_at_least "$ns" aiotD 50 || fail "traffic did not start"
	# receiver first, then the sender switches
	$CTL -n "$ns" sa set dev aiotD sid $SID key-file "$k2"
	$CTL -n "$ns" sa set dev aiotR sid $SID key-file "$k2" switch
	wait $! || fail "xfer failed"
	out=$(cat "$tmp/x")
	expect_eq "lost during rollover" "$(json_get "$out" lost)" 0
	[ "$(sa_stat "$ns" aiotR tx-ok)" -eq 600 ] || fail "not all sent"
	# frames flowed under both keys
	$CTL -n "$ns" sa show dev aiotD sid $SID | grep -q "key 0: .*rx-counter [0-9]" ||
		fail "no frame under the first key"
	$CTL -n "$ns" sa show dev aiotD sid $SID | grep -q "key 1: .*rx-counter [0-9]" ||
		fail "no frame under the second key"
	expect_eq "corrupt" "$(json_get "$out" corrupt)" 0
	expect_eq "reader tx-key-phase" "$(sa_field "$ns" aiotR tx-key-phase)" 1
	expect_eq "device tx-key-phase" "$(sa_field "$ns" aiotD tx-key-phase)" 1
	expect_eq "device rx-bad-mac" "$(sa_stat "$ns" aiotD rx-bad-mac)" 0
	# the device now answers with the new key
	out=$(xfer "$ns" aiotD aiotR $RSP_TO_READER 10)
	expect_eq "uplink lost" "$(json_get "$out" lost)" 0
}

test_limits() {
	local ns key out frame hdr=ffffffffffff02000000000288b5
	pair ns
	key=$(keyfile k 16)
	monitor "$ns" "$tmp/mon"
	$CTL -n "$ns" sa add dev aiotR sid $SID suite aes-gcm profile command \
		key-file "$key" soft-limit 5 hard-limit 10
	$CTL -n "$ns" sa add dev aiotD sid $SID suite aes-gcm profile command \
		key-file "$key" hard-limit 8
	out=$(xfer "$ns" aiotR aiotD $CMD_TO_DEV 4 --timeout 2)
	expect_eq "received" "$(json_get "$out" received)" 4
	# a marker event after them (a frame for an unknown session): once
	# it is in, a soft-expire of those four would be in before it
	frame=$($FRAME protect aes-gcm "$key" --type command --sid 0x4242 \
		--dir down --counter 0 a1)
	ip netns exec "$ns" $PKT inject veth0 "$hdr$frame"
	wait_for 5 grep -q unknown-session "$tmp/mon" ||
		fail "no unknown-session marker: $(cat "$tmp/mon")"
	! grep -q soft-expire "$tmp/mon" ||
		fail "soft-expire before the limit: $(cat "$tmp/mon")"
	out=$(xfer "$ns" aiotR aiotD $CMD_TO_DEV 8 --timeout 1)
	# counters 4..7 arrive; 8 and 9 reach the device's hard limit; 10+
	# never leave the reader
	expect_eq "received" "$(json_get "$out" received)" 4
	expect_eq "reader tx-ok" "$(sa_stat "$ns" aiotR tx-ok)" 10
	expect_eq "reader tx-expired" "$(sa_stat "$ns" aiotR tx-expired)" 2
	expect_eq "device rx-expired" "$(sa_stat "$ns" aiotD rx-expired)" 2
	wait_for 5 grep -q soft-expire "$tmp/mon" ||
		fail "no soft-expire event: $(cat "$tmp/mon")"
	wait_for 5 grep -q hard-expire "$tmp/mon" ||
		fail "no hard-expire event: $(cat "$tmp/mon")"
	kill "$monitor_pid"
}

# A forged frame whose counter is past both limits is dropped before any
# crypto, counted, and raises no expiry event: only verified counters do
# (the daemon ends an SA on hard expiry).
test_forged_expiry() {
	local ns key other frame out hdr=ffffffffffff02000000000288b5
	pair ns
	key=$(keyfile k 16)
	other=$(keyfile o 16)
	monitor "$ns" "$tmp/mon"
	$CTL -n "$ns" sa add dev aiotR sid $SID suite aes-gcm profile command \
		key-file "$key"
	$CTL -n "$ns" sa add dev aiotD sid $SID suite aes-gcm profile command \
		key-file "$key" soft-limit 3 hard-limit 100
	frame=$($FRAME protect aes-gcm "$other" --type command --sid $SID \
		--dir down --counter 5000 a1a2a3)
	ip netns exec "$ns" $PKT inject veth0 "$hdr$frame"
	wait_for 5 stat_is "$ns" aiotD rx-expired 1 ||
		fail "forged frame past the hard limit not counted as rx-expired"
	# verified counters 0..2: the soft limit, the one event to come
	out=$(xfer "$ns" aiotR aiotD $CMD_TO_DEV 3)
	expect_eq "received" "$(json_get "$out" received)" 3
	wait_for 5 grep -q soft-expire "$tmp/mon" ||
		fail "no soft-expire event: $(cat "$tmp/mon")"
	kill "$monitor_pid"
	expect_eq "expiry events" "$(grep -c expire "$tmp/mon")" 1
}

# A link that is down takes no frame (the lower device drops them), and
# nothing is sent through it; once up, frames flow again.
test_link_down() {
	local ns key out base
	pair ns
	key=$(keyfile k 16)
	sa_both "$ns" aes-gcm command "$key"
	ip -n "$ns" link set aiotD down
	base=$(lower_rx "$ns" veth1)
	ip netns exec "$ns" $PKT send aiotR $CMD_TO_DEV 0102 --count 3
	wait_for 5 lower_rx_from "$ns" veth1 "$base" 3 ||
		fail "the frames did not reach the lower device"
	expect_eq "rx-ok while down" "$(sa_stat "$ns" aiotD rx-ok)" 0
	expect_eq "rx-bad-mac while down" "$(sa_stat "$ns" aiotD rx-bad-mac)" 0
	if out=$($CTL -n "$ns" frame send dev aiotD type response sid $SID \
		payload 01 2>&1); then
		fail "frame send on a link that is down succeeded"
	fi
	expect_eq "frame send error" "$out" "Error: aiotsec: the link is down"
	ip -n "$ns" link set aiotD up
	out=$(xfer "$ns" aiotR aiotD $CMD_TO_DEV 3)
	expect_eq "received once up" "$(json_get "$out" received)" 3
}

test_profiles() {
	local ns key out
	pair ns
	key=$(keyfile k 16)
	sa_both "$ns" nia2 inventory "$key"
	out=$(xfer "$ns" aiotR aiotD $CMD_TO_DEV 3 --timeout 1)
	expect_eq "commands received" "$(json_get "$out" received)" 0
	expect_eq "tx-not-allowed" "$(sa_stat "$ns" aiotR tx-not-allowed)" 3
	out=$(xfer "$ns" aiotR aiotD $INV_TO_DEV 3)
	expect_eq "inventory received" "$(json_get "$out" received)" 3
	# a device may not send commands, even on a command SA
	$CTL -n "$ns" sa del dev aiotR sid $SID
	$CTL -n "$ns" sa del dev aiotD sid $SID
	sa_both "$ns" aes-ccm command "$key"
	out=$(xfer "$ns" aiotD aiotR 02:02:00:00:12:34 2 --timeout 1)
	expect_eq "device commands received" "$(json_get "$out" received)" 0
	expect_eq "device tx-not-allowed" "$(sa_stat "$ns" aiotD tx-not-allowed)" 2
	# the receiver enforces its own profile: command SA at the reader,
	# inventory SA at the device
	$CTL -n "$ns" sa del dev aiotD sid $SID
	$CTL -n "$ns" sa add dev aiotD sid $SID suite aes-ccm profile inventory \
		key-file "$key"
	out=$(xfer "$ns" aiotR aiotD $CMD_TO_DEV 2 --timeout 1)
	expect_eq "received" "$(json_get "$out" received)" 0
	expect_eq "rx-not-allowed" "$(sa_stat "$ns" aiotD rx-not-allowed)" 2
	# AUTH and CONTROL frames are the daemon's: not through the device
	expect_eq "tx-malformed before" "$(link_stat "$ns" aiotR tx-malformed)" 0
	ip netns exec "$ns" $PKT send aiotR 02:04:00:00:12:34 0a0b0c --count 2
	ip netns exec "$ns" $PKT send aiotR 02:00:00:00:12:34 0a0b0c
	expect_eq "tx-malformed" "$(link_stat "$ns" aiotR tx-malformed)" 3
	expect_eq "reader tx-ok" "$(sa_stat "$ns" aiotR tx-ok)" 2
}

# A frame the lower device drops is not counted as sent, and FRAME_SEND
# reports it.
test_lower_refuses() {
	local ns out
	pair ns
	sa_both "$ns" aes-gcm command "$(keyfile k 16)"
	ip netns exec "$ns" tc qdisc add dev veth0 clsact
	ip netns exec "$ns" tc filter add dev veth0 egress matchall action drop
	out=$(xfer "$ns" aiotR aiotD $CMD_TO_DEV 3 --timeout 1)
	expect_eq "received" "$(json_get "$out" received)" 0
	expect_eq "tx-ok" "$(sa_stat "$ns" aiotR tx-ok)" 0
	expect_eq "tx-error" "$(sa_stat "$ns" aiotR tx-error)" 3
	expect_eq "tx_dropped" "$(dev_stat "$ns" aiotR tx_dropped)" 3
	expect_eq "tx_packets" "$(dev_stat "$ns" aiotR tx_packets)" 0
	out=$($CTL -n "$ns" frame send dev aiotR type command sid $SID \
		payload 01 2>&1) && fail "frame send succeeded: $out"
	expect_eq "frame send" "$out" "Error: No buffer space available"
	out=$($CTL -n "$ns" frame send dev aiotR type auth sid 7 payload 01 \
		2>&1) && fail "auth frame send succeeded: $out"
	expect_eq "auth frame send" "$out" "Error: No buffer space available"
	expect_eq "tx-error after frame send" \
		"$(sa_stat "$ns" aiotR tx-error)" 4
	ip netns exec "$ns" tc qdisc del dev veth0 clsact
	out=$(xfer "$ns" aiotR aiotD $CMD_TO_DEV 3)
	expect_eq "received once the filter is gone" \
		"$(json_get "$out" received)" 3
	expect_eq "tx-ok once the filter is gone" \
		"$(sa_stat "$ns" aiotR tx-ok)" 3
}

test_teardown_with_sas() {
	local ns1 ns2 i
	pair ns1
	pair ns2
	for i in $(seq 1 50); do
		$CTL -n "$ns1" sa add dev aiotR sid "$i" suite aes-gcm \
			profile command key-file "$(keyfile k 16)"
		$CTL -n "$ns2" sa add dev aiotD sid "$i" suite nia2-nea2 \
			profile command key-file "$(keyfile k2 32)"
	done
	xfer "$ns1" aiotR aiotD 02:02:00:00:00:07 5 --timeout 1 >/dev/null
	ip netns del "$ns2"
	rmmod aiotsec || fail "rmmod with live SAs failed"
	load_module
	ip netns del "$ns1"
}

# a packet tap on the lower device sees each protected frame with its
# headers in place (the core complains of a "buggy" protocol otherwise)
test_tap_headers() {
	local ns log tpid mark="aiotsec-test: tap $$.$RANDOM"
	pair ns
	sa_both "$ns" aes-gcm command "$(keyfile k 16)"
	echo "$mark" >/dev/kmsg
	ip netns exec "$ns" tcpdump -i veth0 -c 3 -w "$tmp/tap.pcap" \
		ether proto 0x88b5 2>"$tmp/tap.err" &
	tpid=$!
	tap_pids+=("$tpid")
	wait_for 10 grep -q listening "$tmp/tap.err" || fail "tcpdump did not start"
	# from the upper device, and from the daemon's FRAME_SEND (an
	# unprotected AUTH frame and a protected CONTROL frame)
	ip netns exec "$ns" $PKT send aiotR $CMD_TO_DEV 68656c6c6f
	$CTL -n "$ns" frame send dev aiotR type auth sid 0x77 payload 0101
	$CTL -n "$ns" frame send dev aiotR type control sid $SID payload 0202
	# tcpdump -c 3 ends once it has seen the three
	wait_for 10 sh -c "! kill -0 $tpid 2>/dev/null" ||
		fail "the tap did not see 3 frames"
	wait "$tpid" || fail "tcpdump failed: $(cat "$tmp/tap.err")"
	# one line per frame with its ethertype (and its octets after it)
	[ "$(tcpdump -r "$tmp/tap.pcap" 2>/dev/null | grep -c '(0x88b5)')" = 3 ] ||
		fail "not 3 frames in the capture: $(tcpdump -r "$tmp/tap.pcap" 2>&1)"
	log=$(dmesg)
	log=${log#*"$mark"}
	[[ $log != *"protocol 88b5 is buggy"* ]] ||
		fail "the kernel found the frames' headers wrong"
}

# The largest frames (MTU 1024, the most a body may carry), whose 128-NIA2
# message fills most of the CMAC buffer inside the per-frame context:
# both ways, and the userspace implementation agrees with the kernel's
# frame.  (The separately allocated buffer for longer messages has a
# self-test of its own.)
test_large() {
	local s ns key out body got frame malformed rxok txok
	# xfer appends a 4-octet sequence number
	body=$(head -c 1020 /dev/urandom | od -An -tx1 -v | tr -d ' \n')
	for s in $SUITES; do
		pair ns
		ip -n "$ns" link set aiotR mtu 1024
		ip -n "$ns" link set aiotD mtu 1024
		key=$(keyfile k "$(key_len "$s")")
		sa_both "$ns" "$s" inventory "$key"
		out=$(ip netns exec "$ns" $PKT xfer aiotR aiotD $INV_TO_DEV \
			"$body" --count 5)
		expect_eq "$s: downlink lost" "$(json_get "$out" lost)" 0
		expect_eq "$s: downlink corrupt" "$(json_get "$out" corrupt)" 0
		out=$(ip netns exec "$ns" $PKT xfer aiotD aiotR \
			02:01:00:00:12:34 "$body" --count 5)
		expect_eq "$s: uplink lost" "$(json_get "$out" lost)" 0
		expect_eq "$s: uplink corrupt" "$(json_get "$out" corrupt)" 0
		out=$(capture "$ns" veth1 1 ip netns exec "$ns" $PKT send aiotR \
			$INV_TO_DEV "${body}a1a2a3a4")
		[ -n "$out" ] || fail "$s: nothing captured"
		got=$($FRAME unprotect "$s" "$key" --dir down "${out:28}") ||
			fail "$s: userspace refused the kernel's large frame"
		[ "${got##* payload }" = "${body}a1a2a3a4" ] ||
			fail "$s: userspace read another payload"
		# sealed in userspace: a 1024-octet body opens; one octet
		# longer is malformed, unopened
		malformed=$(link_stat "$ns" aiotD rx-malformed)
		rxok=$(sa_stat "$ns" aiotD rx-ok)
		frame=$($FRAME protect "$s" "$key" --type inventory --sid $SID \
			--dir down --counter 100 "${body}a1a2a3a4")
		ip netns exec "$ns" $PKT inject veth0 \
			"ffffffffffff02000000000188b5$frame"
		wait_for 5 stat_is "$ns" aiotD rx-ok $((rxok + 1)) ||
			fail "$s: the 1024-octet body sealed in userspace not opened"
		frame=$($FRAME protect "$s" "$key" --type inventory --sid $SID \
			--dir down --counter 101 "${body}a1a2a3a4a5")
		ip netns exec "$ns" $PKT inject veth0 \
			"ffffffffffff02000000000188b5$frame"
		wait_for 5 link_stat_is "$ns" aiotD rx-malformed \
			$((malformed + 1)) || fail "$s: 1025-octet body not malformed"
		expect_eq "$s: rx-ok" "$(sa_stat "$ns" aiotD rx-ok)" $((rxok + 1))
		expect_eq "$s: rx-bad-mac" "$(sa_stat "$ns" aiotD rx-bad-mac)" 0
		# a packet socket may write a VLAN's 4 octets past the MTU: a
		# 1028-octet body is not sent
		txok=$(sa_stat "$ns" aiotR tx-ok)
		ip netns exec "$ns" $PKT inject aiotR \
			"020100001234020000000001""8100${body}a1a2a3a4a5a6a7a8"
		wait_for 5 link_stat_is "$ns" aiotR tx-malformed 1 ||
			fail "$s: a 1028-octet body not malformed on transmit"
		expect_eq "$s: tx-ok" "$(sa_stat "$ns" aiotR tx-ok)" "$txok"
		cleanup_ns
	done
}

# A tap on the receiving lower device shares every frame with the receive
# handler, which must open a private copy: each suite delivers the frames
# intact while the tap's frames still carry the ciphertext (nia2: the
# body in clear, and a MAC the tap sees unchanged either way).
test_shared_rx() {
	local s ns key out cap
	for s in $SUITES; do
		pair ns
		key=$(keyfile k "$(key_len "$s")")
		sa_both "$ns" "$s" inventory "$key"
		ip netns exec "$ns" $PKT capture veth1 20 --timeout 10 \
			--ready "$tmp/ready.$s" >"$tmp/cap.$s" &
		wait_for 10 test -e "$tmp/ready.$s" || fail "capture did not start"
		out=$(xfer "$ns" aiotR aiotD $INV_TO_DEV 20)
		wait $! || true
		expect_eq "$s: lost" "$(json_get "$out" lost)" 0
		expect_eq "$s: corrupt" "$(json_get "$out" corrupt)" 0
		expect_eq "$s: frames the tap saw" "$(wc -l <"$tmp/cap.$s")" 20
		cap=$(cat "$tmp/cap.$s")
		case $cap in
		*68656c6c6f*)
			[ "$s" = nia2 ] ||
				fail "$s: the tap saw the deciphered body" ;;
		*)
			[ "$s" != nia2 ] ||
				fail "nia2: the tap lost the body in clear" ;;
		esac
		# every frame the tap kept verifies under the key
		while read -r out; do
			$FRAME unprotect "$s" "$key" --dir down "${out:28}" \
				>/dev/null || fail "$s: the tap's frame changed: $out"
		done <"$tmp/cap.$s"
		cleanup_ns
	done
}

# debugfs knobs of the module: every crypto step forced through cryptd
async_off() {
	[ -w "$DBG/force_async" ] && echo 0 >"$DBG/force_async" || true
}

# install_held NS DEV KEY ERRFILE [MS]: sa set of DEV's SA to KEY in the
# background, held in the kernel for MS (3000) ms (install_delay_ms) where
# it sets the key up without the link's lock; returns once it is held
# there.  Its pid in $held_pid, its standard error in ERRFILE.
install_held() {
	read -r held_n0 <"$DBG/install_delays"
	echo "${5:-3000}" >"$DBG/install_delay_ms"
	$CTL -n "$1" sa set dev "$2" sid $SID key-file "$3" 2>"$4" &
	held_pid=$!
	wait_for 10 install_delayed || fail "sa set was not held"
	# the request read the delay before it counted itself: only it waits
	echo 0 >"$DBG/install_delay_ms"
}

# install_delayed: a request was held since install_held began (no fork)
install_delayed() {
	local n
	read -r n <"$DBG/install_delays"
	[ "$n" -gt "$held_n0" ]
}

# still_held WHAT: the held request has not resumed yet, so WHAT happened
# while it was held (else the hold was too short for this machine)
still_held() {
	kill -0 "$held_pid" 2>/dev/null ||
		fail "the hold ended before $1: too slow a machine for this test"
}

# held_failed ERRFILE MESSAGE: the held sa set failed with MESSAGE
held_failed() {
	local rc=0
	wait "$held_pid" || rc=$?
	[ "$rc" = 1 ] && [ "$(cat "$1")" = "$2" ] ||
		fail "held sa set: status $rc, '$(cat "$1")', want '$2'"
}

# SA_SET sets a new key up without the link's lock (that may load
# modules, and link deletion takes the lock under RTNL): what changed
# meanwhile is found when it takes the lock again, and nothing leaks.
test_install_meanwhile() {
	local ns k1 k2 k3 out
	[ -w "$DBG/install_delay_ms" ] ||
		{ no_knob install_delay_ms; return; }
	trap 'echo 0 >"$DBG/install_delay_ms"; cleanup_ns' EXIT
	k1=$(keyfile k1 16)
	k2=$(keyfile k2 16)
	k3=$(keyfile k3 16)
	pair ns
	sa_both "$ns" aes-gcm command "$k1"
	# another request changed the SA meanwhile: it stands, and the held
	# one changes nothing (no next key, not its limits)
	install_held "$ns" aiotD "$k2" "$tmp/held"
	$CTL -n "$ns" sa set dev aiotD sid $SID soft-limit 500 hard-limit 1000
	still_held "the limits were changed"
	held_failed "$tmp/held" \
		"Error: aiotsec: another request changed the SA meanwhile; retry"
	expect_eq "hard limit set meanwhile" \
		"$(sa_field "$ns" aiotD hard-limit)" 1000
	! $CTL -n "$ns" sa show dev aiotD sid $SID | grep -q "key 1:" ||
		fail "the held request installed its key"
	# the SA deleted meanwhile
	install_held "$ns" aiotD "$k2" "$tmp/held"
	$CTL -n "$ns" sa del dev aiotD sid $SID
	still_held "the SA was deleted"
	held_failed "$tmp/held" "Error: aiotsec: the SA was deleted meanwhile"
	# its link deleted meanwhile (the deletion waits for the request, so
	# it is checked to have begun, not to have ended)
	install_held "$ns" aiotR "$k2" "$tmp/held"
	$CTL -n "$ns" link del aiotR &
	wait_for 3 sh -c "! ip -n $ns link show aiotR >/dev/null 2>&1" ||
		fail "link del did not begin"
	still_held "the link was deleted"
	wait $! || fail "link del failed"
	held_failed "$tmp/held" "Error: aiotsec: the SA was deleted meanwhile"
	# the next key promoted meanwhile, by a frame under it (a frame under
	# the first key first, so that its replacement shows below)
	pair ns
	sa_both "$ns" aes-gcm command "$k1"
	out=$(xfer "$ns" aiotR aiotD $CMD_TO_DEV 1)
	expect_eq "frame under the first key lost" "$(json_get "$out" lost)" 0
	$CTL -n "$ns" sa set dev aiotD sid $SID key-file "$k2"
	$CTL -n "$ns" sa set dev aiotR sid $SID key-file "$k2" switch
	install_held "$ns" aiotD "$k3" "$tmp/held" 9000
	out=$(xfer "$ns" aiotR aiotD $CMD_TO_DEV 1)
	still_held "the frame under the next key came"
	expect_eq "frame under the next key lost" "$(json_get "$out" lost)" 0
	held_failed "$tmp/held" \
		"Error: aiotsec: the next key was promoted meanwhile; retry"
	expect_eq "device tx-key-phase" "$(sa_field "$ns" aiotD tx-key-phase)" 1
	# the retry replaces the first key, the one slot that is free now
	$CTL -n "$ns" sa show dev aiotD sid $SID | grep -q "key 0: rx-only .*rx-counter 0$" ||
		fail "slot 0 does not hold the first key: $($CTL -n "$ns" sa show dev aiotD sid $SID)"
	$CTL -n "$ns" sa set dev aiotD sid $SID key-file "$k3"
	$CTL -n "$ns" sa show dev aiotD sid $SID | grep -q "key 0: rx-only .*rx-counter none" ||
		fail "the retried key is not in slot 0: $($CTL -n "$ns" sa show dev aiotD sid $SID)"
}

# dump_held NS DEV OUT ERR: sa show of DEV in the background, held in the
# kernel before its second part (dump_delay_ms); returns once it is held
# there.  Its pid in $held_pid.
dump_held() {
	read -r held_n0 <"$DBG/dump_delays"
	echo 3000 >"$DBG/dump_delay_ms"
	$CTL -n "$1" sa show dev "$2" >"$3" 2>"$4" &
	held_pid=$!
	wait_for 10 dumps_held_since "$held_n0" || fail "sa show was not held"
	echo 0 >"$DBG/dump_delay_ms"
}

# An SA dump that spans several parts is marked inconsistent
# (NLM_F_DUMP_INTR, aiotsecctl's warning) when the SAs of its namespace
# change between two parts, and only then: not for a change in another
# namespace.
test_dump_consistency() {
	local ns ns2 key i warn
	[ -w "$DBG/dump_delay_ms" ] ||
		{ no_knob dump_delay_ms; return; }
	trap 'echo 0 >"$DBG/dump_delay_ms"; cleanup_ns' EXIT
	warn="Warning: the SAs changed during the dump; run again for a consistent view"
	key=$(keyfile k 16)
	pair ns
	pair ns2
	# more than one part of a dump holds (32 KiB at most each)
	for i in $(seq 1 300); do
		$CTL -n "$ns" sa add dev aiotR sid "$i" suite nia2 \
			profile inventory key-file "$key"
	done
	dump_held "$ns" aiotR "$tmp/show" "$tmp/err"
	$CTL -n "$ns2" sa add dev aiotR sid 7 suite nia2 profile inventory \
		key-file "$key"
	still_held "the other namespace's SA was added"
	wait "$held_pid" || fail "sa show failed: $(cat "$tmp/err")"
	[ ! -s "$tmp/err" ] ||
		fail "a change in another namespace marked the dump: $(cat "$tmp/err")"
	expect_eq "SAs dumped" "$(grep -c '^aiotR sid' "$tmp/show")" 300
	# an SA of the first part deleted: the next parts shift, and one is
	# missed; the dump says so
	dump_held "$ns" aiotR "$tmp/show" "$tmp/err"
	$CTL -n "$ns" sa del dev aiotR sid 1
	still_held "the SA was deleted"
	wait "$held_pid" || fail "sa show failed: $(cat "$tmp/err")"
	expect_eq "warning" "$(cat "$tmp/err")" "$warn"
}

# The asynchronous road (cryptd, completion callbacks) on the data path:
# every suite both ways with nothing lost, then frames in flight when the
# links go away and the module is unloaded.
test_async() {
	local s ns key out before after
	[ -w "$DBG/force_async" ] ||
		{ no_knob force_async; return; }
	trap 'async_off; cleanup_ns' EXIT
	before=$(cat "$DBG/async_completions")
	echo 1 >"$DBG/force_async"
	for s in $SUITES; do
		pair ns
		key=$(keyfile k "$(key_len "$s")")
		sa_both "$ns" "$s" inventory "$key"
		out=$(xfer "$ns" aiotR aiotD $INV_TO_DEV 50)
		expect_eq "$s downlink lost" "$(json_get "$out" lost)" 0
		expect_eq "$s downlink corrupt" "$(json_get "$out" corrupt)" 0
		out=$(xfer "$ns" aiotD aiotR 02:01:00:00:12:34 50)
		expect_eq "$s uplink lost" "$(json_get "$out" lost)" 0
		expect_eq "$s reader rx-ok" "$(sa_stat "$ns" aiotR rx-ok)" 50
		expect_eq "$s device rx-ok" "$(sa_stat "$ns" aiotD rx-ok)" 50
		expect_eq "$s bad MACs" "$(sa_stat "$ns" aiotD rx-bad-mac)" 0
		ip netns del "$ns"
	done
	after=$(cat "$DBG/async_completions")
	# 4 suites x 100 frames, each sealed and opened: at least one
	# completion through the callback per frame and side
	[ $((after - before)) -ge 800 ] ||
		fail "only $((after - before)) asynchronous completions"
	# FRAME_SEND waits for a frame sealed asynchronously: the lower
	# device's refusal is its answer, as it is for one sealed at once
	pair ns
	sa_both "$ns" aes-gcm command "$(keyfile k 16)"
	ip netns exec "$ns" tc qdisc add dev veth0 clsact
	ip netns exec "$ns" tc filter add dev veth0 egress matchall action drop
	out=$($CTL -n "$ns" frame send dev aiotR type command sid $SID \
		payload 01 2>&1) && fail "frame send succeeded: $out"
	expect_eq "frame send, sealed asynchronously" "$out" \
		"Error: No buffer space available"
	expect_eq "tx-error" "$(sa_stat "$ns" aiotR tx-error)" 1
	[ "$(cat "$DBG/async_completions")" -gt "$after" ] ||
		fail "the frame was not sealed asynchronously"
	ip netns exec "$ns" tc qdisc del dev veth0 clsact
	$CTL -n "$ns" frame send dev aiotR type command sid $SID payload 01 ||
		fail "frame send failed without the filter"
	wait_for 5 stat_is "$ns" aiotD rx-ok 1 ||
		fail "the frame sent asynchronously did not arrive"
	ip netns del "$ns"
	after=$(cat "$DBG/async_completions")
	# frames in flight while the links, then the module, go away
	pair ns
	sa_both "$ns" aes-gcm command "$(keyfile k 16)"
	ip netns exec "$ns" $PKT send aiotR $CMD_TO_DEV 68656c6c6f \
		--count 2000 &
	wait_for 10 sh -c "[ \$(cat $DBG/async_completions) -gt $after ]" ||
		fail "no traffic"
	ip netns del "$ns"
	wait || true
	async_off
	rmmod aiotsec || fail "rmmod after frames in flight failed"
	load_module
}

# the cases below, and the two per suite of the loops
read -ra suites <<<"$SUITES"
tap_plan $(($(grep -c '^run_test ' "$0") + 2 * ${#suites[@]}))
for s in $SUITES; do
	run_test "$s: protected exchange both ways" test_exchange "$s"
done
for s in $SUITES; do
	run_test "$s: interop with the userspace implementation" test_interop "$s"
done
run_test "short frames: short header form, padded to 60 octets still open" test_short_padded
run_test "every tampered bit dropped and counted; duplicate dropped" test_tamper
run_test "reordering inside the window, too old, duplicate" test_window
run_test "the peer moves with the newest frame only; VLAN frames not taken" \
	test_peer_vlan
run_test "wrong key dropped as bad MAC" test_wrong_key
run_test "a frame of an empty key slot dropped as rx-no-key" test_no_key
run_test "unknown session dropped, counted and reported" test_unknown_session
run_test "duplicates counted, replay alarms rate-limited" test_replay_alarm
run_test "a flood of unknown-session frames crowds no AUTH frame out" \
	test_daemon_limits
run_test "key rollover with traffic flowing loses nothing" test_rollover
run_test "soft limit event, hard limit stops TX and RX" test_limits
run_test "forged counters past the limits: counted, no expiry event" test_forged_expiry
run_test "a link that is down takes and sends nothing" test_link_down
run_test "profile and role enforcement" test_profiles
run_test "frames the lower device drops: not counted as sent, FRAME_SEND fails" \
	test_lower_refuses
run_test "module unload and netns deletion with live SAs" test_teardown_with_sas
run_test "a tap on the lower device sees well-formed frames" test_tap_headers
run_test "1024-octet bodies (the largest), every suite both ways; longer malformed" test_large
run_test "frames shared with a tap: opened on a copy, the tap's intact" \
	test_shared_rx
run_test "SA_SET: the SA changed, deleted, its link deleted, its next key promoted meanwhile" \
	test_install_meanwhile
run_test "SA dumps: marked inconsistent by a change in their namespace only" \
	test_dump_consistency
run_test "asynchronous crypto (forced through cryptd): both ways, FRAME_SEND, teardown in flight" test_async
run_test "module loaded after the tests" load_module
tap_exit
