#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# aiotsecd, the authentication daemon, on a reader link (aiotR on veth0)
# with a probe on the device side (raw frames on veth1, authprobe.py):
# HELLO -> CHALLENGE with the attempt ID, retransmitted HELLO -> the same
# CHALLENGE, SQN committed, unknown T-ID -> REJECT unknown-identity,
# malformed and replayed messages, rate limits, the audit trail, the
# start-up reconciliation of SAs and a clean exit on SIGTERM.
#
# Also the full exchange against the probe (ACCEPT, SA, T-ID-ASSIGN and
# its retransmission); devices.sh runs it with the device simulator.

set -euo pipefail
source "$(dirname "$0")/lib.sh"

require_vm
require_module

here=$(cd "$(dirname "$0")" && pwd)
CTL=$AIOTSEC_TOP/user/aiotsecctl/aiotsecctl
DAEMON=$AIOTSEC_TOP/user/aiotsecd/aiotsecd
PROBE="python3 $here/authprobe.py"

# MILENAGE test set 1 (TS 35.208); any key does for HELLO -> CHALLENGE
K=465b5ce8b199b49faa5f0a2ee238a6bc
OPC=cd63cb71954a9f4e48a5994e37a02baf
TID_CMD=c0000000000000000000000000000001
TID_INV=c0000000000000000000000000000002
TID_RATE=c0000000000000000000000000000003
TID_UNKNOWN=deadbeefdeadbeefdeadbeefdeadbeef

tmp=$(mktemp -d)
trap 'stop_daemon; cleanup_ns; rm -rf "$tmp"' EXIT

[ -x "$DAEMON" ] || { echo "1..0 # SKIP $DAEMON not built (make -C user)"; exit "$ksft_skip"; }

# setup NS: veth0/veth1, aiotR (reader) on veth0; a store with devices
setup() {
	local _sns
	make_ns _sns
	reader_on_veth "$_sns" veth0 veth1 aiotR
	rm -f "$tmp"/db*
	(umask 077 && echo $K >"$tmp/k" && echo $OPC >"$tmp/opc")
	cat >"$tmp/devices.csv" <<-EOF
	# pid,k,opc,profile,tid
	cmd-1,$K,$OPC,command,$TID_CMD
	inv-1,$K,$OPC,inventory,$TID_INV
	rate-1,$K,$OPC,inventory,$TID_RATE
	EOF
	$CTL device import "$tmp/devices.csv" --db "$tmp/db" 2>/dev/null
	printf -v "$1" '%s' "$_sns"
}

# start_daemon NS [ARGS...]
start_daemon() {
	local ns=$1
	shift
	ip netns exec "$ns" "$DAEMON" --db "$tmp/db" --dev aiotR \
		--log-level debug "$@" 2>"$tmp/log" &
	dpid=$!
	wait_for 10 grep -q "serving aiotR" "$tmp/log" ||
		{ cat "$tmp/log"; fail "aiotsecd did not start"; }
}

probe() {
	local ns=$1
	shift
	ip netns exec "$ns" $PROBE "$@"
}

audit_has() {
	$PROBE audit "$tmp/db" | grep -q -- "$1"
}

# unanswered NS PROBE-ARGS...: the probe waits in vain (exit 3), and
# prints nothing
unanswered() {
	local rc=0 out
	out=$(probe "$@") || rc=$?
	[ "$rc" = 3 ] && [ -z "$out" ] && return 0
	echo "probe: exit $rc (3: no answer): $out"
	return 1
}

sqn_of() {
	$CTL device list --db "$tmp/db" | awk -v p="$1" '$1 == p { print $5 }'
}

test_challenge() {
	local ns out
	setup ns
	start_daemon "$ns"
	out=$(probe "$ns" hello veth1 0a0b0c0d --tid $TID_CMD --k $K --opc $OPC)
	echo "$out"
	[[ $out == "type=challenge attempt=0a0b0c0d mode=mutual "*" autn="* ]] ||
		fail "no mutual CHALLENGE for attempt 0a0b0c0d"
	[[ $out == *" sqn=1" ]] || fail "the first SQN is not 1"
	# committed in blocks of 32: the store holds the first SQN past it
	[ "$(sqn_of cmd-1)" = 33 ] || fail "SQN not committed: $(sqn_of cmd-1)"
	out=$(probe "$ns" hello veth1 0a0b0c0e --tid $TID_CMD --k $K --opc $OPC)
	[[ $out == *" sqn=2" ]] || fail "the next SQN is not 2: $out"
	[ "$(sqn_of cmd-1)" = 33 ] || fail "a SQN of the block was written"
	# a restart skips the rest of the block, never reuses a SQN of it
	stop_daemon
	start_daemon "$ns"
	out=$(probe "$ns" hello veth1 0a0b0c0f --tid $TID_CMD --k $K --opc $OPC)
	[[ $out == *" sqn=33" ]] || fail "after a restart: $out"
	[ "$(sqn_of cmd-1)" = 65 ] || fail "next block not committed: $(sqn_of cmd-1)"
	out=$(probe "$ns" hello veth1 1a1b1c1d --tid $TID_INV)
	echo "$out"
	[[ $out == "type=challenge attempt=1a1b1c1d mode=one-way "* ]] ||
		fail "no one-way CHALLENGE for an inventory device"
	[[ $out != *autn=* ]] || fail "one-way CHALLENGE with AUTN"
	[ "$(sqn_of inv-1)" = 1 ] || fail "one-way used a SQN"
	out=$(probe "$ns" hello veth1 2a2b2c2d --tid $TID_INV --caps 1)
	[[ $out == *"mode=mutual"* ]] || fail "capability bit 0 must give mutual"
}

test_retransmit() {
	local ns out first second
	setup ns
	start_daemon "$ns"
	out=$(probe "$ns" hello veth1 00000042 --tid $TID_CMD --repeat 2 \
		--rand-d a0a1a2a3a4a5a6a7a8a9aaabacadaeaf)
	echo "$out"
	first=$(sed -n 1p <<<"$out")
	second=$(sed -n 2p <<<"$out")
	[ -n "$first" ] && [ "$first" = "$second" ] ||
		fail "a retransmitted HELLO got another answer"
	# another HELLO with that attempt ID (another RAND_d): no answer, and
	# the device's own HELLO is still answered
	unanswered "$ns" hello veth1 00000042 --tid $TID_CMD --timeout 1 \
		--rand-d 0102030405060708090a0b0c0d0e0f10 ||
		fail "another HELLO with the attempt's ID was answered"
	out=$(probe "$ns" hello veth1 00000042 --tid $TID_CMD \
		--rand-d a0a1a2a3a4a5a6a7a8a9aaabacadaeaf)
	[ "$out" = "$first" ] || fail "the device's own HELLO, once more: $out"
	# none of them took a SQN of its own: a new attempt gets the second
	out=$(probe "$ns" hello veth1 00000043 --tid $TID_CMD --k $K --opc $OPC)
	[[ $out == *" sqn=2" ]] || fail "the retransmissions used SQNs: $out"
}

# A SYNC_FAILURE answering a one-way CHALLENGE is not authenticated (no
# AUTN was sent): ignored, so that a forged one ends nothing, and the
# first of the attempt audited; the attempt still takes its RESPONSE
test_sync_one_way() {
	local ns out
	setup ns
	start_daemon "$ns"
	out=$(probe "$ns" hello veth1 00000047 --tid $TID_INV)
	[[ $out == "type=challenge attempt=00000047 mode=one-way "* ]] ||
		fail "no one-way CHALLENGE: $out"
	unanswered "$ns" raw veth1 00000047 \
		0401000102030405060708090a0b0c0d --timeout 1 ||
		fail "a SYNC_FAILURE to a one-way CHALLENGE was answered"
	unanswered "$ns" raw veth1 00000047 0401ffffffffffffffffffffffffffff \
		--timeout 1 || fail "the second SYNC_FAILURE was answered"
	wait_for 3 audit_has "inv-1 one-way ignored sync-failure" ||
		fail "not audited: $($PROBE audit "$tmp/db")"
	[ "$($PROBE audit "$tmp/db" | grep -c "ignored sync-failure")" = 1 ] ||
		fail "audited more than once: $($PROBE audit "$tmp/db")"
}

# A HELLO replayed over and over: the attempt answers ANSWER_COPIES_MAX
# (10) copies, then none; another attempt of the device is answered.
test_repeat_bound() {
	local ns out n
	setup ns
	start_daemon "$ns"
	out=$(probe "$ns" hello veth1 00000043 --tid $TID_CMD --repeat 13 \
		--timeout 0.5) || true
	n=$(grep -c "^type=challenge attempt=00000043 " <<<"$out" || true)
	[ "$n" = 10 ] || fail "$n answers to 13 copies of a HELLO, not 10"
	[ "$(sort -u <<<"$out" | wc -l)" = 1 ] || fail "answers differ: $out"
	[ "$(grep -c "attempt 00000043: .*copies of a HELLO answered: no more" "$tmp/log")" = 1 ] ||
		fail "the end of the answers not logged once: $(cat "$tmp/log")"
	out=$(probe "$ns" hello veth1 00000044 --tid $TID_CMD)
	[[ $out == "type=challenge attempt=00000044 "* ]] ||
		fail "the device's next attempt not answered: $out"
	# each message has answers of its own: a HELLO replayed 12 times
	# after the ACCEPT leaves those of the RESPONSE that the device
	# repeats (it lost the ACCEPT)
	out=$(probe "$ns" auth veth1 00000045 --tid $TID_CMD --k $K --opc $OPC \
		--hello-copies 12 --repeat-response 2) ||
		fail "the repeated RESPONSE went unanswered: $out"
	[ "$(sed -n 4p <<<"$out")" = "$(sed -n 2p <<<"$out")" ] ||
		fail "not the same ACCEPT again: $out"
}

test_unknown() {
	local ns out suci
	setup ns
	start_daemon "$ns"
	out=$(probe "$ns" hello veth1 00001111 --tid $TID_UNKNOWN)
	echo "$out"
	[ "$out" = "type=reject attempt=00001111 cause=unknown-identity" ] ||
		fail "unknown T-ID not rejected"
	wait_for 3 audit_has "tid:$TID_UNKNOWN - reject unknown-identity" ||
		fail "no audit row: $($PROBE audit "$tmp/db")"
	# a well-formed SUCI (key id 0, an ephemeral key, a 1-octet concealed
	# PID, its tag), to a daemon without a home network key
	suci=00$(printf '09%.0s' {1..32})01aa$(printf '00%.0s' {1..8})
	out=$(probe "$ns" hello veth1 00002222 --raw-id "02$suci")
	echo "$out"
	[ "$out" = "type=reject attempt=00002222 cause=bad-suci" ] ||
		fail "SUCI without a home network key not rejected bad-suci"
	# the same with a concealed PID of 0 octets (the tag still there)
	out=$(probe "$ns" hello veth1 00002223 \
		--raw-id "02${suci:0:66}00$(printf '00%.0s' {1..8})")
	[ "$out" = "type=reject attempt=00002223 cause=malformed" ] ||
		fail "a SUCI with an empty concealed PID not malformed: $out"
}

test_malformed_replayed() {
	local ns out
	setup ns
	start_daemon "$ns"
	out=$(probe "$ns" raw veth1 00003333 0101ff)
	echo "$out"
	[ "$out" = "type=reject attempt=00003333 cause=malformed" ] ||
		fail "malformed HELLO not rejected"
	# a well-formed HELLO with the invalid attempt ID 0
	out=$(probe "$ns" hello veth1 00000000 --tid $TID_INV)
	echo "$out"
	[ "$out" = "type=reject attempt=00000000 cause=malformed" ] ||
		fail "HELLO with attempt ID 0 not rejected"
	out=$(probe "$ns" response veth1 00004444 0011223344556677)
	echo "$out"
	[ "$out" = "type=reject attempt=00004444 cause=replayed-response" ] ||
		fail "RESPONSE for no attempt not rejected"
	probe "$ns" hello veth1 00005555 --tid $TID_INV >/dev/null
	out=$(probe "$ns" response veth1 00005555 0011223344556677)
	echo "$out"
	[ "$out" = "type=reject attempt=00005555 cause=bad-response" ] ||
		fail "wrong RES not rejected"
	wait_for 3 audit_has "inv-1 one-way reject bad-response" ||
		fail "no audit row for bad-response"
	out=$(probe "$ns" response veth1 00005555 0011223344556677)
	[ "$out" = "type=reject attempt=00005555 cause=bad-response" ] ||
		fail "a retransmitted RESPONSE got another answer: $out"
}

test_rate() {
	local ns out i rc
	setup ns
	start_daemon "$ns"
	# HELLOs with one device's T-ID, as anybody who saw it may send them:
	# each is challenged, and none locks the device out
	for i in 1 2 3 4 5 6 7 8; do
		out=$(probe "$ns" hello veth1 0000700$i --tid $TID_RATE)
		[[ $out == *type=challenge* ]] || fail "attempt $i: $out"
	done
	out=$(probe "$ns" auth veth1 00007010 --tid $TID_RATE --k $K --opc $OPC)
	echo "$out"
	[[ $(sed -n 2p <<<"$out") == "type=accept attempt=00007010 "* ]] ||
		fail "the device was locked out by HELLOs with its T-ID"
	# one open challenge per device: a new attempt supersedes the one
	# that waits for its RESPONSE, which gets no answer
	rc=0
	out=$(probe "$ns" auth veth1 00007020 --tid $TID_INV --k $K --opc $OPC \
		--timeout 2 --before-response \
		"$PROBE hello veth1 00007021 --tid $TID_INV >$tmp/hello2") || rc=$?
	echo "$out"
	[ "$rc" = 3 ] || fail "a superseded attempt was answered (exit $rc)"
	[[ $out == "type=challenge attempt=00007020 "* ]] ||
		fail "the first attempt was not challenged: $out"
	[[ $(cat "$tmp/hello2") == "type=challenge attempt=00007021 "* ]] ||
		fail "the second attempt was not challenged: $(cat "$tmp/hello2")"
	[ "$(wc -l <<<"$out")" = 1 ] ||
		fail "a superseded attempt was answered: $out"
	wait_for 3 audit_has "^inv-1 one-way superseded -$" ||
		fail "no audit row for the superseded attempt"
	out=$(probe "$ns" auth veth1 00007022 --tid $TID_INV --k $K --opc $OPC)
	[[ $(sed -n 2p <<<"$out") == "type=accept attempt=00007022 "* ]] ||
		fail "no ACCEPT after a superseded attempt: $out"
	stop_daemon
	# global bucket: 1 per second
	start_daemon "$ns" --max-rate 1
	out=$(probe "$ns" hello veth1 00008001 --tid $TID_INV --burst 3)
	echo "$out"
	[[ $out == *"cause=rate-limited"* ]] ||
		fail "global token bucket not applied"
	# answered one by one, audited as one row: the burst's first HELLO
	# took the one token
	wait_for 5 audit_has "^over-rate:2 - reject rate-limited$" ||
		fail "no over-rate row: $($PROBE audit "$tmp/db" | tail -n 3)"
	[ "$($PROBE audit "$tmp/db" | grep -c "^- - reject rate-limited$")" = 0 ] ||
		fail "over-rate rejects audited one by one"
}

# --audit-keep: the trail keeps that many rows, the newest (pruned at
# start, then once a minute)
# --audit-keep: rejections, which anybody on the air can cause, go first,
# then the oldest of the rest: a flood does not push an accept out
test_audit_keep() {
	local ns i
	setup ns
	start_daemon "$ns"
	probe "$ns" auth veth1 00008001 --tid $TID_CMD --k $K --opc $OPC \
		>/dev/null || fail "no full exchange"
	for i in 1 2 3 4 5; do
		probe "$ns" hello veth1 0000900$i \
			--tid 00112233445566778899aabbccddee0$i >/dev/null
	done
	stop_daemon
	[ "$($PROBE audit "$tmp/db" | wc -l)" = 6 ] ||
		fail "audit rows, want 6: $($PROBE audit "$tmp/db")"
	start_daemon "$ns" --audit-keep 2
	wait_for 5 sh -c "[ \$($PROBE audit $tmp/db | wc -l) = 2 ]" ||
		fail "audit rows, want 2: $($PROBE audit "$tmp/db")"
	$PROBE audit "$tmp/db" | head -n 1 | grep -q "^cmd-1 mutual accept -$" ||
		fail "the accept is gone: $($PROBE audit "$tmp/db")"
	$PROBE audit "$tmp/db" | tail -n 1 | grep -q "^tid:.*ee05 - reject unknown-identity$" ||
		fail "the newest row is gone: $($PROBE audit "$tmp/db")"
	stop_daemon
	start_daemon "$ns" --audit-keep 1
	wait_for 5 sh -c "[ \$($PROBE audit $tmp/db | wc -l) = 1 ]" ||
		fail "audit rows, want 1: $($PROBE audit "$tmp/db")"
	$PROBE audit "$tmp/db" | grep -q "^cmd-1 mutual accept -$" ||
		fail "the accept is gone: $($PROBE audit "$tmp/db")"
}

# no_sas NS LINK: the link holds no SA
no_sas() {
	local out

	# an aiotsecctl that fails shows no SA either: that is no pass
	out=$($CTL -n "$1" sa show dev "$2") || return 2
	[ -z "$out" ]
}

# no_session PID: the store has no session of the device
no_session() {
	[ -z "$(dev_field "$1" 13)" ]
}

# dev_field PID N: field N of the device's "device list" line
dev_field() {
	$CTL device list --db "$tmp/db" | awk -v p="$1" -v n="$2" '$1 == p { print $n }'
}

# The suite of an SA: --suite for a command device that states no
# capability or offers it, else the first it offers of aes-gcm, aes-ccm,
# nia2-nea2; nia2 for an inventory device; --ctr-bits for all.  The
# kernel's SA is the one the ACCEPT announced.
test_suite_choice() {
	local ns out caps want attempt=0000e000
	setup ns
	start_daemon "$ns" --suite nia2-nea2 --ctr-bits 16
	# caps (bit 0 asks for mutual; 2 nia2-nea2, 4 aes-ccm, 8 aes-gcm)
	for caps in 0:1 1:1 0x0b:1 0x09:4 0x05:3 0x0d:4; do
		want=${caps#*:}
		attempt=$(printf %08x $((0x$attempt + 1)))
		out=$(probe "$ns" auth veth1 $attempt --tid $TID_CMD --k $K \
			--opc $OPC --caps "${caps%:*}") ||
			{ echo "$out"; fail "caps ${caps%:*}: no full exchange"; }
		[[ $(sed -n 2p <<<"$out") =~ ^type=accept\ attempt=$attempt\ sid=([0-9a-f]{8})\ suite=$want\ ctr_bits=16$ ]] ||
			fail "caps ${caps%:*}: want suite $want: $out"
		suite_of_sa "$ns" "${BASH_REMATCH[1]}" "$want"
	done
	out=$(probe "$ns" auth veth1 0000e100 --tid $TID_INV --k $K --opc $OPC \
		--caps 0x0e) || { echo "$out"; fail "inventory: no full exchange"; }
	[[ $(sed -n 2p <<<"$out") =~ ^type=accept\ attempt=0000e100\ sid=([0-9a-f]{8})\ suite=2\ ctr_bits=16$ ]] ||
		fail "inventory: want nia2: $out"
	suite_of_sa "$ns" "${BASH_REMATCH[1]}" 2
}

# suite_of_sa NS SID SUITE: the kernel's SA SID has SUITE (a number) and
# 16-bit counters
suite_of_sa() {
	local names=(- nia2-nea2 nia2 aes-ccm aes-gcm) out
	out=$($CTL -n "$1" sa show dev aiotR sid "0x$2")
	[[ $out == *" suite ${names[$3]} "*" ctr-bits 16 "* ]] ||
		fail "the kernel's SA $2 is not ${names[$3]}, 16-bit: $out"
}

# An attempt that gets no RESPONSE ends after 30 s, audited as a
# timeout; a RESPONSE after that finds no attempt
test_attempt_timeout() {
	local ns out
	setup ns
	start_daemon "$ns"
	out=$(probe "$ns" hello veth1 0000d0d0 --tid $TID_CMD)
	[[ $out == "type=challenge attempt=0000d0d0 mode=mutual "* ]] ||
		fail "no CHALLENGE: $out"
	! audit_has "cmd-1 mutual reject timeout" ||
		fail "a timeout audited at once"
	wait_for 40 audit_has "^cmd-1 mutual reject timeout$" ||
		fail "no timeout audited: $($PROBE audit "$tmp/db")"
	grep -q "attempt 0000d0d0 on aiotR: cmd-1: timeout" "$tmp/log" ||
		fail "no timeout logged"
	out=$(probe "$ns" response veth1 0000d0d0 0011223344556677)
	[ "$out" = "type=reject attempt=0000d0d0 cause=replayed-response" ] ||
		fail "a RESPONSE after the timeout: $out"
}

test_accept() {
	local ns out sid sid2
	setup ns
	start_daemon "$ns"
	out=$(probe "$ns" auth veth1 0000abcd --tid $TID_CMD --k $K --opc $OPC \
		--repeat-response 2) || { echo "$out"; fail "no full exchange"; }
	echo "$out"
	[[ $(sed -n 2p <<<"$out") =~ ^type=accept\ attempt=0000abcd\ sid=([0-9a-f]{8})\ suite=4\ ctr_bits=32$ ]] ||
		fail "no ACCEPT (aes-gcm, 32-bit counters)"
	sid=${BASH_REMATCH[1]}
	[[ $(sed -n 3p <<<"$out") == "type=control sid=$sid "* ]] ||
		fail "no CONTROL frame (T-ID-ASSIGN) on session $sid"
	[ "$(sed -n 4p <<<"$out")" = "$(sed -n 2p <<<"$out")" ] ||
		fail "a retransmitted RESPONSE got another ACCEPT"
	$CTL -n "$ns" sa show dev aiotR sid 0x$sid >/dev/null ||
		fail "no SA $sid in the kernel"
	[ "$(dev_field cmd-1 13)" = "0x$sid" ] || fail "session not stored"
	[ "$(dev_field cmd-1 11)" = "$TID_CMD" ] || fail "T-ID not rotated"
	[ "$(dev_field cmd-1 9)" != "$TID_CMD" ] || fail "T-ID not rotated"
	wait_for 3 audit_has "cmd-1 mutual accept" || fail "no audit row"
	# the previous T-ID still works; the old session is replaced
	out=$(probe "$ns" auth veth1 0000abce --tid $TID_CMD --k $K --opc $OPC)
	echo "$out"
	[[ $(sed -n 2p <<<"$out") =~ sid=([0-9a-f]{8}) ]] ||
		fail "no second ACCEPT"
	sid2=${BASH_REMATCH[1]}
	$CTL -n "$ns" sa show dev aiotR sid 0x$sid2 >/dev/null ||
		fail "no SA $sid2"
	! $CTL -n "$ns" sa show dev aiotR sid 0x$sid >/dev/null 2>&1 ||
		fail "the old SA $sid is still there"
	[ "$(dev_field cmd-1 11)" = "$TID_CMD" ] ||
		fail "the unconfirmed T-ID pushed the device's T-ID out"
}

test_tid_retransmit() {
	local ns out n
	setup ns
	start_daemon "$ns"
	# no T-ID-CONFIRM: T-ID-ASSIGN again after 1 s, then 2 s later (the
	# next, 4 s later still, is past the watch): a schedule of 1 s steps
	# would give 4
	out=$(probe "$ns" auth veth1 0000abcf --tid $TID_INV --k $K --opc $OPC \
		--watch-control 4.5) || { echo "$out"; fail "no full exchange"; }
	echo "$out"
	[[ $(tail -n 1 <<<"$out") =~ ^control_frames=([0-9]+)$ ]] ||
		fail "no count of control frames"
	n=${BASH_REMATCH[1]}
	[ "$n" = 2 ] ||
		fail "$n retransmissions of T-ID-ASSIGN in 4.5 s, want 2"
}

# T-ID-ASSIGN given up (four retransmissions, the fifth check 23 s after
# it): a RESPONSE of the attempt after that gets its ACCEPT again, but no
# T-ID-ASSIGN, which a newer assignment on the SA (a rekey's) may have
# replaced meanwhile
test_tid_assign_given_up() {
	local ns out first
	setup ns
	start_daemon "$ns"
	out=$(probe "$ns" auth veth1 0000abd0 --tid $TID_INV --k $K --opc $OPC \
		--watch-control 25 --late-response 2) ||
		{ echo "$out"; fail "no full exchange"; }
	echo "$out"
	grep -q "T-ID-ASSIGN never confirmed" "$tmp/log" ||
		fail "the daemon did not give the T-ID-ASSIGN up in 25 s"
	first=$(sed -n 2p <<<"$out")
	[ "$(grep -c "^control_frames=4$" <<<"$out")" = 1 ] ||
		fail "not 4 retransmissions of T-ID-ASSIGN"
	[ "$(tail -n 2 <<<"$out" | head -n 1)" = "$first" ] ||
		fail "the late RESPONSE did not get the same ACCEPT"
	[ "$(tail -n 1 <<<"$out")" = "late_control_frames=0" ] ||
		fail "a T-ID-ASSIGN after the retransmissions ended"
}

# a device replaced (deleted, and another added, which SQLite gives the
# same id), then one disabled, then one deleted, while its attempt is
# open: its correct RESPONSE gets a REJECT, and no SA
test_changed_midway() {
	local ns out
	setup ns
	start_daemon "$ns"
	# rate-1 has the highest id, which SQLite gives the next device added
	(umask 077 && echo 00112233445566778899aabbccddeeff >"$tmp/k2")
	out=$(probe "$ns" auth veth1 0000de2e --tid $TID_RATE --k $K --opc $OPC \
		--before-response "$CTL device del rate-1 --db $tmp/db &&
			$CTL device add new-1 --k-file $tmp/k2 --opc-file $tmp/opc \
			--profile inventory --db $tmp/db") || true
	echo "$out"
	[ "$(sed -n 2p <<<"$out")" = "type=reject attempt=0000de2e cause=unknown-identity" ] ||
		fail "no REJECT unknown-identity for a device replaced mid-attempt"
	out=$(probe "$ns" auth veth1 0000d15a --tid $TID_CMD --k $K --opc $OPC \
		--before-response "$CTL device disable cmd-1 --db $tmp/db") || true
	echo "$out"
	[ "$(sed -n 2p <<<"$out")" = "type=reject attempt=0000d15a cause=disabled" ] ||
		fail "no REJECT disabled for a device disabled mid-attempt"
	out=$(probe "$ns" auth veth1 0000de1e --tid $TID_INV --k $K --opc $OPC \
		--before-response "$CTL device del inv-1 --db $tmp/db") || true
	echo "$out"
	[ "$(sed -n 2p <<<"$out")" = "type=reject attempt=0000de1e cause=unknown-identity" ] ||
		fail "no REJECT unknown-identity for a device deleted mid-attempt"
	no_sas "$ns" aiotR || fail "an SA was installed"
	wait_for 3 audit_has "cmd-1 mutual reject disabled" ||
		fail "no audit row for the disabled device"
}

# one daemon, two links: each attempt runs on its own link (the same
# attempt ID from two devices is two attempts, from one device heard on
# both links one), the SA goes where the device is, and a device that
# moves to the other link loses its SA on the first
test_two_links() {
	local ns out sid n
	setup ns
	reader_on_veth "$ns" veth2 veth3 aiotR2
	start_daemon "$ns" --dev aiotR2
	grep -q "serving aiotR (ifindex [0-9]*), aiotR2 (ifindex [0-9]*)," "$tmp/log" ||
		fail "not serving both links: $(grep serving "$tmp/log")"
	out=$(probe "$ns" hello veth1 0000a77a --tid $TID_INV)
	[[ $out == "type=challenge attempt=0000a77a "* ]] || fail "link 1: $out"
	out=$(probe "$ns" hello veth3 0000a77a --tid $TID_RATE)
	[[ $out == "type=challenge attempt=0000a77a "* ]] ||
		fail "the same attempt ID on link 2: $out"
	out=$(probe "$ns" auth veth3 0000b001 --tid $TID_CMD --k $K --opc $OPC)
	echo "$out"
	[[ $(sed -n 2p <<<"$out") =~ ^type=accept\ attempt=0000b001\ sid=([0-9a-f]{8}) ]] ||
		fail "no ACCEPT on link 2"
	sid=${BASH_REMATCH[1]}
	[ -n "$($CTL -n "$ns" sa show dev aiotR2 sid "0x$sid")" ] ||
		fail "no SA on link 2"
	no_sas "$ns" aiotR || fail "an SA on link 1"
	# the device moves to link 1 (its T-ID of before is the previous one)
	out=$(probe "$ns" auth veth1 0000b002 --tid $TID_CMD --k $K --opc $OPC)
	echo "$out"
	[[ $(sed -n 2p <<<"$out") == "type=accept attempt=0000b002 "* ]] ||
		fail "no ACCEPT on link 1"
	no_sas "$ns" aiotR2 ||
		fail "the SA on link 2 outlived the move"
	[ "$($CTL -n "$ns" sa show dev aiotR | grep -c '^aiotR sid')" = 1 ] ||
		fail "no SA on link 1: $($CTL -n "$ns" sa show dev aiotR)"
	# a session on each link: a restart's reconciliation keeps both
	out=$(probe "$ns" auth veth3 0000b003 --tid $TID_INV --k $K --opc $OPC)
	[[ $(sed -n 2p <<<"$out") == "type=accept attempt=0000b003 "* ]] ||
		fail "no ACCEPT of inv-1 on link 2: $out"
	stop_daemon
	start_daemon "$ns" --dev aiotR2
	grep -q "reconciled with the kernel: 2 SAs kept (0 past their soft limit: rekeyed), 0 deleted, 0 stale sessions removed" "$tmp/log" ||
		fail "$(grep reconciled "$tmp/log")"
	[ -n "$($CTL -n "$ns" sa show dev aiotR2)" ] && [ -n "$($CTL -n "$ns" sa show dev aiotR)" ] ||
		fail "an SA was lost to the reconciliation"
	[ "$(dev_field inv-1 15)" = aiotR2 ] ||
		fail "inv-1's session link: $($CTL device list --db "$tmp/db" | grep inv-1)"
	# restarted without link 2: its session is not taken for stale
	stop_daemon
	start_daemon "$ns"
	grep -q "1 stored sessions are on links not served: kept" "$tmp/log" ||
		fail "$(grep -i "reconciled\|not served" "$tmp/log")"
	[ "$(dev_field inv-1 15)" = aiotR2 ] || fail "inv-1's session was forgotten"
	stop_daemon
	start_daemon "$ns" --dev aiotR2
	# one device heard on both links (the same address): its attempt
	# runs on the first, the copy on the second gets no answer
	ip -n "$ns" link set veth3 address "$(ip netns exec "$ns" cat /sys/class/net/veth1/address)"
	out=$(probe "$ns" hello veth1 0000c001 --tid $TID_RATE)
	[[ $out == "type=challenge attempt=0000c001 "* ]] || fail "link 1: $out"
	unanswered "$ns" hello veth3 0000c001 --tid $TID_RATE --timeout 1 ||
		fail "the copy on link 2 was answered"
	wait_for 5 grep -q "attempt 0000c001: heard on aiotR2 too: ignored there" "$tmp/log" ||
		fail "the copy on link 2 was not recognised"
	# link 2 deleted, with its SAs: the daemon sees it go and forgets
	# the session of link 2's device (nothing else changed: no other
	# reconciliation would)
	$CTL -n "$ns" link del aiotR2
	wait_for 5 grep -q "aiotR2 is gone, with its SAs" "$tmp/log" ||
		fail "$(grep aiotR2 "$tmp/log" | tail -n 3)"
	wait_for 5 no_session inv-1 ||
		fail "the session on the deleted link 2 was kept"
	# a device disabled: the reconciliation deletes its SA on link 1
	$CTL device disable cmd-1 --db "$tmp/db"
	wait_for 10 no_sas "$ns" aiotR ||
		fail "cmd-1's SA on link 1 outlived its device"
	# the next reconciliation finds it still gone, which is no error
	n=$(grep -c "reconciled with the kernel" "$tmp/log")
	$CTL device enable cmd-1 --db "$tmp/db"
	wait_for 5 sh -c "[ \$(grep -c 'reconciled with the kernel' $tmp/log) -gt $n ]" ||
		fail "no reconciliation after a change of the store"
	! grep -q "dumping the SAs of aiotR2" "$tmp/log" ||
		fail "$(grep "dumping the SAs" "$tmp/log" | tail -n 1)"
	# created again: served again at once, under its new ifindex
	$CTL -n "$ns" link add aiotR2 link veth2 role reader
	ip -n "$ns" link set aiotR2 up
	wait_for 5 grep -q "aiotR2 is there (ifindex [0-9]*)" "$tmp/log" ||
		fail "link 2 was not taken up again"
	ip -n "$ns" link set veth3 address 02:00:00:00:33:33
	out=$(probe "$ns" hello veth3 0000c002 --tid $TID_INV)
	[[ $out == "type=challenge attempt=0000c002 "* ]] ||
		fail "the link created again: $out"
}

# a link named with --dev that does not exist yet: the daemon starts,
# says so, and serves the link once it is created, and after a rename; a
# name given twice, or one no link can have, is refused
test_link_later() {
	local ns out n
	setup ns
	start_daemon "$ns" --dev aiotR2
	grep -q "dev aiotR2: no such link yet: served once it exists" "$tmp/log" ||
		fail "no warning: $(head -n 3 "$tmp/log")"
	grep -q "serving aiotR (ifindex [0-9]*), aiotR2 (not there)," "$tmp/log" ||
		fail "$(grep serving "$tmp/log")"
	reader_on_veth "$ns" veth2 veth3 aiotR2
	wait_for 5 grep -q "aiotR2 is there (ifindex [0-9]*)" "$tmp/log" ||
		fail "the new link was not taken up"
	out=$(probe "$ns" auth veth3 0000e001 --tid $TID_CMD --k $K --opc $OPC)
	echo "$out"
	[[ $(sed -n 2p <<<"$out") == "type=accept attempt=0000e001 "* ]] ||
		fail "no ACCEPT on the new link"
	[ "$($CTL -n "$ns" sa show dev aiotR2 | grep -c '^aiotR2 sid')" = 1 ] ||
		fail "no SA on the new link"
	# renamed, the link is still served; one that takes its old name is
	# not, and its notifications start no reconciliation
	n=$(grep -c "reconciled with the kernel" "$tmp/log")
	ip -n "$ns" link set aiotR2 down
	ip -n "$ns" link set aiotR2 name aiotX
	ip -n "$ns" link set aiotX up
	reader_on_veth "$ns" veth4 veth5 aiotR2
	out=$(probe "$ns" hello veth3 0000e002 --tid $TID_INV)
	[[ $out == "type=challenge attempt=0000e002 "* ]] ||
		fail "the renamed link: $out"
	[ "$(grep -c "reconciled with the kernel" "$tmp/log")" = "$n" ] ||
		fail "reconciled for a link under the old name: $(tail -n 3 "$tmp/log")"
	stop_daemon
	out=$(ip netns exec "$ns" timeout 5 "$DAEMON" --db "$tmp/db" \
		--dev aiotR --dev aiotR 2>&1) && fail "a link given twice was taken"
	[[ $out == *"--dev aiotR: given twice"* ]] || fail "$out"
	out=$(ip netns exec "$ns" timeout 5 "$DAEMON" --db "$tmp/db" \
		--dev aiotR --dev a23456789012345678 2>&1) &&
		fail "a name no link can have was taken"
	[[ $out == *"--dev 'a23456789012345678': not a valid link name"* ]] ||
		fail "$out"
}

# options the kernel would refuse for every SA, and retry pauses out of
# range: refused at once (exit 2)
test_bad_limits() {
	local out rc=0
	# timeout: a daemon that took the options would serve for ever
	out=$(timeout 5 "$DAEMON" --db "$tmp/db" --dev aiotR \
		--hard-limit 4294967297 2>&1) || rc=$?
	[ "$rc" = 2 ] || fail "--hard-limit 2^32 + 1: exit status $rc"
	[[ $out == *"--hard-limit: at most 4294967296 (the frames of a nia2 key, which inventory devices use)"* ]] ||
		fail "$out"
	rc=0
	out=$(timeout 5 "$DAEMON" --db "$tmp/db" --dev aiotR --soft-limit 5 \
		--hard-limit 4 2>&1) || rc=$?
	[ "$rc" = 2 ] && [[ $out == *"--soft-limit above --hard-limit"* ]] ||
		fail "soft above hard: exit status $rc: $out"
	for v in 3601 -1 2s ""; do
		rc=0
		out=$(timeout 5 "$DAEMON" --db "$tmp/db" --dev aiotR \
			--rekey-retry "$v" 2>&1) || rc=$?
		[ "$rc" = 2 ] &&
			[[ $out == *"--rekey-retry: 0 (no retry) to 3600 seconds"* ]] ||
			fail "--rekey-retry '$v': exit status $rc: $out"
	done
}

# the link's max-sas reached: a correct RESPONSE gets no SA and no
# answer (the device times out), audited as an error
test_max_sas() {
	local ns out rc=0
	setup ns
	$CTL -n "$ns" link set aiotR max-sas 1
	start_daemon "$ns"
	out=$(probe "$ns" auth veth1 0000f001 --tid $TID_CMD --k $K --opc $OPC) ||
		{ echo "$out"; fail "the first device was not accepted"; }
	out=$(probe "$ns" auth veth1 0000f002 --tid $TID_INV --k $K --opc $OPC \
		--timeout 2) || rc=$?
	echo "$out"
	[ "$rc" = 3 ] && [ "$(wc -l <<<"$out")" -eq 1 ] &&
		[[ $out == "type=challenge "* ]] ||
		fail "the second device got an answer to its RESPONSE"
	[ "$($CTL -n "$ns" sa show dev aiotR | grep -c '^aiotR sid')" -eq 1 ] ||
		fail "not exactly one SA: $($CTL -n "$ns" sa show dev aiotR)"
	grep -q "inv-1: installing the SA: aiotsec: the link holds as many SAs as its max-sas allows" "$tmp/log" ||
		fail "no log line for the refused SA"
	wait_for 3 audit_has "inv-1 [a-z-]* error" || fail "no audit row"
	[ -z "$(dev_field inv-1 13)" ] || fail "a session was stored"
}

test_reconcile_exit() {
	local ns rc
	setup ns
	head -c 16 /dev/urandom >"$tmp/sakey"
	$CTL -n "$ns" sa add dev aiotR sid 0x77 suite aes-gcm profile command \
		key-file "$tmp/sakey"
	start_daemon "$ns"
	wait_for 3 grep -q "SA 00000077 of aiotR unknown to the store: deleted" "$tmp/log" ||
		fail "unknown SA kept"
	! $CTL -n "$ns" sa show dev aiotR sid 0x77 >/dev/null 2>&1 ||
		fail "SA 0x77 still there"
	probe "$ns" hello veth1 00009999 --tid $TID_UNKNOWN >/dev/null
	kill -TERM "$dpid"
	rc=0
	wait "$dpid" || rc=$?
	dpid=
	[ "$rc" = 0 ] || fail "aiotsecd exit status $rc on SIGTERM"
	audit_has "reject unknown-identity" || fail "audit not flushed at exit"
	! grep -qi "$K\|$OPC" "$tmp/log" || fail "a key in the log"
}

# hard_expire NS SID: a next key with a hard limit of 1 for SA SID, in
# use at once, and one frame that uses it up (the daemon not listening)
hard_expire() {
	head -c 16 /dev/urandom >"$tmp/sakey"
	$CTL -n "$1" sa set dev aiotR sid "0x$2" hard-limit 1 \
		key-file "$tmp/sakey" switch
	$CTL -n "$1" frame send dev aiotR type inventory sid "0x$2" payload 01
	$CTL -n "$1" -s sa show dev aiotR sid "0x$2" | grep -q hard-expired ||
		fail "the key did not reach its hard limit"
}

# session_gone NS SID: neither the SA nor inv-1's session SID remains
session_gone() {
	! $CTL -n "$1" sa show dev aiotR sid "0x$2" >/dev/null 2>&1 ||
		fail "SA $2 still there"
	[ "$(dev_field inv-1 13)" != "0x$2" ] || fail "session $2 still stored"
}

# An SA whose key reached its hard limit while no daemon listened (or
# whose event was lost) is deleted by the reconciliation, with its session.
test_reconcile_hard() {
	local ns out sid
	setup ns
	start_daemon "$ns"
	out=$(probe "$ns" auth veth1 0000ba5e --tid $TID_INV --k $K --opc $OPC) ||
		{ echo "$out"; fail "no full exchange"; }
	[[ $(sed -n 2p <<<"$out") =~ sid=([0-9a-f]{8}) ]] || fail "no ACCEPT"
	sid=${BASH_REMATCH[1]}
	stop_daemon
	hard_expire "$ns" "$sid"
	start_daemon "$ns"
	wait_for 3 grep -q "session $sid: hard expiry: SA deleted from aiotR" "$tmp/log" ||
		fail "hard-expired SA kept"
	session_gone "$ns" "$sid"
}

# Frames and events on sockets of their own (--rcvbuf 4096, the daemon
# stopped): frames from the air that overrun theirs are logged and cost
# no reconciliation; events that overrun theirs (a burst of hard expiries
# of SAs the store does not know) are reconciled, which also deletes the
# SA whose hard expiry was among them.
test_overrun() {
	local ns out sid n i
	setup ns
	start_daemon "$ns" --rcvbuf 4096
	out=$(probe "$ns" auth veth1 0000b0f0 --tid $TID_INV --k $K --opc $OPC) ||
		{ echo "$out"; fail "no full exchange"; }
	[[ $(sed -n 2p <<<"$out") =~ sid=([0-9a-f]{8}) ]] || fail "no ACCEPT"
	sid=${BASH_REMATCH[1]}
	n=$(grep -c "reconciled with the kernel" "$tmp/log")
	kill -STOP "$dpid"
	probe "$ns" hello veth1 0000b0f1 --tid $TID_UNKNOWN --burst 30 \
		--timeout 0.05 >/dev/null || true
	kill -CONT "$dpid"
	wait_for 5 grep -q "frames lost to [0-9]* overruns of the receive buffer" \
		"$tmp/log" || fail "no frames overrun noticed"
	out=$(probe "$ns" hello veth1 0000c0f2 --tid $TID_CMD)
	[[ $out == "type=challenge attempt=0000c0f2 "* ]] ||
		fail "no CHALLENGE after the overrun: $out"
	[ "$(grep -c "reconciled with the kernel" "$tmp/log")" = "$n" ] ||
		fail "a frames overrun was reconciled"
	! grep -q "notifications lost" "$tmp/log" ||
		fail "a frames overrun lost events"
	head -c 16 /dev/urandom >"$tmp/sakey"
	kill -STOP "$dpid"
	for i in 1 2 3 4 5 6 7 8; do
		$CTL -n "$ns" sa add dev aiotR sid "0x7$i" suite nia2 \
			profile inventory key-file "$tmp/sakey"
		hard_expire "$ns" "7$i"
	done
	hard_expire "$ns" "$sid"
	kill -CONT "$dpid"
	wait_for 5 grep -q "notifications lost (receive buffer overrun): reconciling" \
		"$tmp/log" || fail "no events overrun noticed"
	wait_for 5 grep -q "session $sid: hard expiry: SA deleted from aiotR" "$tmp/log" ||
		fail "hard-expired SA kept"
	wait_for 5 grep -q "reconciled with the kernel: 0 SAs kept (0 past their soft limit: rekeyed), 9 deleted" \
		"$tmp/log" || fail "the reconciliation did not delete the SAs: $(grep reconciled "$tmp/log")"
	session_gone "$ns" "$sid"
}

# The start-up dump of a link whose SAs change meanwhile (held in the
# kernel by dump_delay_ms, one SA deleted under it) is marked
# inconsistent: the daemon dumps again and reconciles with that.
test_dump_retry() {
	local ns n0 t0
	[ -w "$DBG/dump_delay_ms" ] || { no_knob dump_delay_ms; return; }
	trap 'echo 0 >"$DBG/dump_delay_ms"; stop_daemon; cleanup_ns' EXIT
	setup ns
	add_sas "$ns" 300	# more than one part of a dump
	read -r n0 <"$DBG/dump_delays"
	echo 5000 >"$DBG/dump_delay_ms"
	ip netns exec "$ns" "$DAEMON" --db "$tmp/db" --dev aiotR \
		--log-level debug 2>"$tmp/log" &
	dpid=$!
	wait_for 10 dumps_held_since "$n0" || fail "the daemon's dump was not held"
	t0=$SECONDS
	echo 0 >"$DBG/dump_delay_ms"
	$CTL -n "$ns" sa del dev aiotR sid 1
	[ $((SECONDS - t0)) -lt 4 ] ||
		fail "the hold may have ended before the SA was deleted: too slow a machine for this test"
	wait_for 15 grep -q "serving aiotR" "$tmp/log" ||
		fail "aiotsecd did not start: $(cat "$tmp/log")"
	grep -q "aiotR: the SAs changed during their dump: again" "$tmp/log" ||
		fail "no second dump: $(grep -v "unknown to the store" "$tmp/log")"
	grep -q "reconciled with the kernel: 0 SAs kept (0 past their soft limit: rekeyed), 299 deleted" \
		"$tmp/log" || fail "$(grep reconciled "$tmp/log")"
	no_sas "$ns" aiotR || fail "SAs left"
}

# Every dump at start changed under it, three in a row: the daemon serves
# all the same, deletes nothing and forgets no session (a device's, with
# its SA), and reconciles 10 s later.  An SA deleted during each hold makes
# each dump inconsistent.
test_dump_fails_start() {
	local ns n sid=0 left out session
	[ -w "$DBG/dump_delay_ms" ] || { no_knob dump_delay_ms; return; }
	trap 'echo 0 >"$DBG/dump_delay_ms"; stop_daemon; cleanup_ns' EXIT
	setup ns
	# a session of the store with its SA, which must outlive it all
	start_daemon "$ns"
	out=$(probe "$ns" auth veth1 0000d001 --tid $TID_INV --k $K --opc $OPC) ||
		fail "no full exchange: $out"
	[[ $(sed -n 2p <<<"$out") =~ sid=([0-9a-f]{8}) ]] || fail "no ACCEPT: $out"
	session=${BASH_REMATCH[1]}
	stop_daemon
	add_sas "$ns" 300
	read -r n <"$DBG/dump_delays"
	# each hold long enough for an aiotsecctl to land in it
	echo 2000 >"$DBG/dump_delay_ms"
	ip netns exec "$ns" "$DAEMON" --db "$tmp/db" --dev aiotR \
		--log-level debug 2>"$tmp/log" &
	dpid=$!
	held_or_failed() {
		grep -q "dumping the SAs of aiotR" "$tmp/log" ||
			dumps_held_since "$n"
	}
	while wait_for 10 held_or_failed; do
		grep -q "dumping the SAs of aiotR" "$tmp/log" && break
		read -r n <"$DBG/dump_delays"
		sid=$((sid + 1))
		$CTL -n "$ns" sa del dev aiotR sid "$sid"
	done
	echo 0 >"$DBG/dump_delay_ms"
	grep -q "dumping the SAs of aiotR: Interrupted system call (again in 10 s)" \
		"$tmp/log" || fail "no failed dump: $(grep -v unknown "$tmp/log")"
	wait_for 10 grep -q "serving aiotR" "$tmp/log" ||
		fail "aiotsecd did not start: $(grep -v unknown "$tmp/log")"
	grep -q "reconciled with the kernel: 0 SAs kept (0 past their soft limit: rekeyed), 0 deleted, 0 stale sessions removed; not the links that could not be dumped" \
		"$tmp/log" || fail "$(grep reconciled "$tmp/log")"
	left=$((300 - sid))
	[ "$($CTL -n "$ns" sa show dev aiotR | grep -c '^aiotR sid')" = $((left + 1)) ] ||
		fail "SAs deleted before a dump succeeded"
	[ "$(dev_field inv-1 13)" = "0x$session" ] ||
		fail "the session was forgotten before a dump succeeded"
	wait_for 15 grep -q "reconciled with the kernel: 1 SAs kept (0 past their soft limit: rekeyed), $left deleted, 0 stale sessions removed$" \
		"$tmp/log" || fail "not reconciled again: $(grep reconciled "$tmp/log")"
	[ "$($CTL -n "$ns" sa show dev aiotR | grep -c '^aiotR sid')" = 1 ] &&
		$CTL -n "$ns" sa show dev aiotR sid "0x$session" >/dev/null ||
		fail "not the session's SA alone left"
	[ "$(dev_field inv-1 13)" = "0x$session" ] || fail "the session was forgotten"
	kill -0 "$dpid" || fail "aiotsecd exited"
}

# in run_test's subshell: the daemon goes with the test's namespaces
with_daemon() {
	trap 'stop_daemon; cleanup_ns' EXIT
	"$@"
}

tap_plan "$(grep -c '^run_test ' "$0")"
run_test "auth: HELLO -> CHALLENGE (mutual, one-way), SQN committed" with_daemon test_challenge
run_test "auth: retransmitted HELLO -> same CHALLENGE; another with its ID: none" with_daemon test_retransmit
run_test "auth: a HELLO copied over and over: 10 answers, no more" with_daemon test_repeat_bound
run_test "auth: a SYNC_FAILURE to a one-way CHALLENGE: ignored, audited once" with_daemon test_sync_one_way
run_test "auth: unknown T-ID -> REJECT unknown-identity, audited" with_daemon test_unknown
run_test "auth: malformed, replayed and wrong RESPONSE rejected" with_daemon test_malformed_replayed
run_test "auth: one open challenge per device, no lockout; global rate" with_daemon test_rate
run_test "auth: --audit-keep prunes rejections first, then the oldest rows" \
	with_daemon test_audit_keep
run_test "auth: HELLO, RESPONSE -> ACCEPT, SA, T-ID-ASSIGN" with_daemon test_accept
run_test "auth: the suite from --suite and the device's capabilities" \
	with_daemon test_suite_choice
run_test "auth: an unanswered CHALLENGE times out after 30 s, audited" \
	with_daemon test_attempt_timeout
run_test "auth: T-ID-ASSIGN retransmitted until confirmed" with_daemon test_tid_retransmit
run_test "auth: no T-ID-ASSIGN for a RESPONSE after it was given up" with_daemon test_tid_assign_given_up
run_test "auth: device disabled or deleted mid-attempt -> REJECT, no SA" with_daemon test_changed_midway
run_test "auth: link max-sas reached -> no SA, no answer, audited" with_daemon test_max_sas
run_test "auth: limits no nia2 key can have, bad retry pauses: refused" test_bad_limits
run_test "auth: one daemon, two links; a device moves between them" with_daemon test_two_links
run_test "auth: a link created after the daemon started" with_daemon test_link_later
run_test "auth: start-up SA reconciliation, clean exit on SIGTERM" with_daemon test_reconcile_exit
run_test "auth: reconciliation deletes a hard-expired SA" with_daemon test_reconcile_hard
run_test "auth: a dump the SAs changed under is taken again" with_daemon test_dump_retry
run_test "auth: no dump at start: served all the same, reconciled later" with_daemon test_dump_fails_start
run_test "auth: frames overrun: logged; events overrun: reconciled" with_daemon test_overrun
tap_exit
