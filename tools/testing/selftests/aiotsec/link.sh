#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# aiotsec link life cycle: creation and deletion, the lower device,
# network namespaces, module unload with links present.

set -euo pipefail
source "$(dirname "$0")/lib.sh"

CTL=$AIOTSEC_TOP/user/aiotsecctl/aiotsecctl

require_vm
trap cleanup_ns EXIT

# veth pair veth0/veth1 in a new namespace, stored in VAR
ns_with_veth() {
	make_ns "$1"
	ip -n "${!1}" link add veth0 type veth peer name veth1
	ip -n "${!1}" link set veth0 up
	ip -n "${!1}" link set veth1 up
}

link_gone() {
	! ip -n "$1" link show "$2" >/dev/null 2>&1
}

# a load of its own: the line of an earlier load may have left the ring
test_selftests_line() {
	local mark="aiotsec-test: load $$.$RANDOM" log
	unload_module
	echo "$mark" >/dev/kmsg
	load_module
	# no "dmesg | grep -q": with pipefail, grep leaving early makes the
	# pipeline fail once the log outgrows the pipe
	log=$(dmesg)
	log=${log#*"$mark"}
	[[ $log == *"aiotsec: self-tests: pass"* ]] ||
		fail "no 'aiotsec: self-tests: pass' in the kernel log after the load"
}

test_alias() {
	modinfo -F alias "$AIOTSEC_KO" | grep -qx "rtnl-link-aiotsec" ||
		fail "module has no rtnl-link-aiotsec alias"
}

test_create_delete() {
	local ns
	ns_with_veth ns
	ip -n "$ns" link add aiot0 link veth0 type aiotsec
	ip -n "$ns" -d link show aiot0 | grep -q "aiotsec" ||
		fail "aiot0 is not of kind aiotsec"
	ip -n "$ns" link show aiot0 | grep -q "aiot0@veth0" ||
		fail "aiot0 does not show veth0 as its link"
	ip -n "$ns" link show aiot0 | grep -q "mtu 256 " ||
		fail "default MTU is not 256"
	ip -n "$ns" link set aiot0 up
	wait_for 5 sh -c "ip -n $ns link show aiot0 | grep -q 'state UP'" ||
		fail "aiot0 not UP with its lower device up"
	ip -n "$ns" link set veth0 down
	wait_for 5 sh -c "ip -n $ns link show aiot0 | grep -q 'state LOWERLAYERDOWN'" ||
		fail "aiot0 does not follow its lower device down"
	ip -n "$ns" link del aiot0
	link_gone "$ns" aiot0 || fail "aiot0 still there after ip link del"
	# the lower device is free again
	ip -n "$ns" link add aiot1 link veth0 type aiotsec
	ip -n "$ns" link del aiot1
}

test_bad_create() {
	local ns
	ns_with_veth ns
	expect_err "a lower device is required" \
		ip -n "$ns" link add aiot0 type aiotsec
	expect_err "cannot stack on a loopback device" \
		ip -n "$ns" link add aiot0 link lo type aiotsec
	ip -n "$ns" link add aiot0 link veth0 type aiotsec
	expect_err "lower device already carries an aiotsec link" \
		ip -n "$ns" link add aiot1 link veth0 type aiotsec
	ip -n "$ns" link set veth1 mtu 300
	expect_err "MTU too large for the lower device" \
		ip -n "$ns" link add aiot2 mtu 1000 link veth1 type aiotsec
	# a dummy device goes below veth's 68 octets
	ip -n "$ns" link add dum0 mtu 25 type dummy
	expect_err "the lower device's MTU leaves no room for a payload" \
		ip -n "$ns" link add aiot3 link dum0 type aiotsec
	link_gone "$ns" aiot1 || fail "aiot1 exists after a refused create"
	link_gone "$ns" aiot2 || fail "aiot2 exists after a refused create"
	link_gone "$ns" aiot3 || fail "aiot3 exists after a refused create"
}

# rtlink NS ARGS...: rtlink.py in NS, its one line of output
rtlink() {
	local ns=$1
	shift
	ip netns exec "$ns" python3 "$(dirname "$0")/rtlink.py" "$@"
}

# max_sas_of NS LINK: the link's max-sas as the generic netlink API has it
max_sas_of() {
	[[ $($CTL -n "$1" link show "$2") =~ max-sas\ ([0-9]+) ]] &&
		echo "${BASH_REMATCH[1]}"
}

test_changelink() {
	local ns out
	ns_with_veth ns
	ip -n "$ns" link add aiot0 link veth0 type aiotsec
	[ "$(max_sas_of "$ns" aiot0)" = 1048576 ] ||
		fail "default max-sas is not 1048576"
	out=$(rtlink "$ns" aiot0 max-sas=5)
	[ "$out" = ok ] || fail "max-sas=5: $out"
	[ "$(max_sas_of "$ns" aiot0)" = 5 ] || fail "max-sas did not become 5"
	out=$(rtlink "$ns" aiot0 role=0)
	[ "$out" = ok ] || fail "the same role again: $out"
	# what the link refuses (the role, bad values) changes nothing
	out=$(rtlink "$ns" aiot0 role=1 max-sas=9)
	[ "$out" = 'errno=EOPNOTSUPP msg="aiotsec: the role is fixed at creation"' ] ||
		fail "role change: $out"
	out=$(rtlink "$ns" aiot0 max-sas=0)
	[ "$out" = 'errno=ERANGE msg="integer out of range"' ] ||
		fail "max-sas=0: $out"
	# validated strictly: too short or too long
	out=$(rtlink "$ns" aiot0 max-sas-u8=9)
	[ "$out" = 'errno=EINVAL msg="invalid attribute length"' ] ||
		fail "one-octet max-sas: $out"
	out=$(rtlink "$ns" aiot0 max-sas-u64=9)
	[ "$out" = 'errno=EINVAL msg="invalid attribute length"' ] ||
		fail "eight-octet max-sas: $out"
	out=$(rtlink "$ns" aiot0 role-u32=0 max-sas=9)
	[ "$out" = 'errno=EINVAL msg="invalid attribute length"' ] ||
		fail "four-octet role: $out"
	[ "$(max_sas_of "$ns" aiot0)" = 5 ] ||
		fail "a refused request changed max-sas"
	# rtnetlink reads back what generic netlink shows
	out=$(rtlink "$ns" aiot0 get)
	[ "$out" = "kind=aiotsec role=0 max-sas=5" ] ||
		fail "RTM_GETLINK: $out"
	$CTL -n "$ns" link show aiot0 | grep -q "role reader" ||
		fail "a refused request changed the role"
}

test_mtu() {
	local ns
	ns_with_veth ns
	ip -n "$ns" link add aiot0 link veth0 type aiotsec
	ip -n "$ns" link set aiot0 mtu 1000
	expect_err "mtu greater than device maximum" \
		ip -n "$ns" link set aiot0 mtu 1480
	ip -n "$ns" link set veth0 mtu 600
	ip -n "$ns" link show aiot0 | grep -q "mtu 575 " ||
		fail "aiot0 MTU did not shrink with its lower device"
}

test_lower_removal() {
	local ns
	ns_with_veth ns
	ip -n "$ns" link add aiot0 link veth0 type aiotsec
	ip -n "$ns" link del veth0
	wait_for 5 link_gone "$ns" aiot0 ||
		fail "aiot0 survived the removal of its lower device"
}

test_netns_move() {
	local ns1 ns2
	ns_with_veth ns1
	make_ns ns2
	ip -n "$ns1" link add aiot0 link veth0 type aiotsec
	ip -n "$ns1" link set aiot0 netns "$ns2"
	ip -n "$ns2" link show aiot0 >/dev/null ||
		fail "aiot0 not in the target namespace"
	link_gone "$ns1" aiot0 || fail "aiot0 still in the source namespace"
	# the lower device's namespace goes: the link goes with it
	ip netns del "$ns1"
	wait_for 10 link_gone "$ns2" aiot0 ||
		fail "aiot0 survived the deletion of its lower's namespace"
}

# sa_rx_ok NS DEV: the frames the SA 1 of DEV verified
sa_rx_ok() {
	[[ $($CTL -n "$1" -s sa show dev "$2" sid 1) =~ rx-ok\ ([0-9]+) ]] &&
		echo "${BASH_REMATCH[1]}"
}

rx_ok_is() {
	[ "$(sa_rx_ok "$1" "$2")" = "$3" ]
}

# A link may be given the largest ifindex: the dumps, which go on by
# ifindex, end after it (they started over from the first link, for
# ever, as the ifindex after it wrapped around)
test_ifindex_max() {
	local ns key out
	load_module
	ns_with_veth ns
	$CTL -n "$ns" link add aiotA link veth0 role reader
	ip -n "$ns" link add aiotM index 2147483647 link veth1 type aiotsec
	key=$(mktemp)
	head -c 16 /dev/urandom >"$key"
	$CTL -n "$ns" sa add dev aiotA sid 1 suite aes-gcm profile command \
		key-file "$key"
	$CTL -n "$ns" sa add dev aiotM sid 2 suite aes-gcm profile command \
		key-file "$key"
	rm -f "$key"
	out=$(timeout 20 $CTL -n "$ns" link show) ||
		fail "the link dump did not end: $out"
	expect_lines "links" "$out" 2
	out=$(timeout 20 $CTL -n "$ns" sa show) ||
		fail "the SA dump did not end: $out"
	expect_lines "SAs" "$out" 2
	[[ $out == *"aiotM sid 0x00000002 "* ]] || fail "no SA of aiotM: $out"
	out=$(timeout 20 $CTL -n "$ns" sa show dev aiotM) ||
		fail "the SA dump of aiotM did not end: $out"
	expect_lines "SAs of aiotM" "$out" 1
}

# expect_lines WHAT TEXT N: TEXT has N lines of links ("4: aiot0: ...")
# or of SAs ("aiot0 sid ...")
expect_lines() {
	[ "$(grep -cE '^([0-9]+: )?aiot' <<<"$2")" = "$3" ] ||
		fail "$1: want $3: $2"
}

# The lower device moves to another namespace: the link stays, with its
# SAs, and sends through it (to a device link on the veth's other end);
# the lower device's deletion there ends it.
test_lower_netns_move() {
	local ns1 ns2 key
	load_module
	ns_with_veth ns1
	make_ns ns2
	ip -n "$ns1" link add aiot0 link veth0 type aiotsec
	$CTL -n "$ns1" link add aiotD link veth1 role device
	ip -n "$ns1" link set aiot0 up
	ip -n "$ns1" link set aiotD up
	key=$(mktemp)
	head -c 16 /dev/urandom >"$key"
	$CTL -n "$ns1" sa add dev aiot0 sid 1 suite aes-gcm profile command \
		key-file "$key" \
		peer-mac "$(ip netns exec "$ns1" cat /sys/class/net/veth1/address)"
	$CTL -n "$ns1" sa add dev aiotD sid 1 suite aes-gcm profile command \
		key-file "$key"
	rm -f "$key"
	ip -n "$ns1" link set veth0 netns "$ns2"
	ip -n "$ns2" link set veth0 up
	ip -n "$ns1" link show aiot0 >/dev/null ||
		fail "aiot0 went with its lower device's move"
	[ "$($CTL -n "$ns1" sa show dev aiot0 | grep -c '^aiot0 sid')" = 1 ] ||
		fail "the SA did not stay: $($CTL -n "$ns1" sa show dev aiot0)"
	wait_for 5 $CTL -n "$ns1" frame send dev aiot0 type control sid 1 \
		payload c0ffee 2>/dev/null ||
		fail "aiot0 cannot send through its lower device in $ns2"
	wait_for 5 rx_ok_is "$ns1" aiotD 1 ||
		fail "the device link did not verify the frame: rx-ok $(sa_rx_ok "$ns1" aiotD)"
	ip -n "$ns2" link del veth0
	wait_for 10 link_gone "$ns1" aiot0 ||
		fail "aiot0 survived the deletion of its lower device elsewhere"
}

# live_is NAME N: the debugfs count NAME (live_links, live_sas) is N
live_is() {
	[ "$(cat "$DBG/$1")" = "$2" ]
}

# The namespace goes with a link and its SAs (one with two keys): every
# object is freed (the module's counts of live links and SAs come back).
test_netns_delete() {
	local ns key
	load_module
	[ -r "$DBG/live_sas" ] || { no_knob live_sas; return; }
	# the namespaces of earlier tests go in the background: none of
	# their links may be freed while this one counts
	wait_for 20 live_is live_links 0 ||
		fail "$(cat "$DBG/live_links") links of earlier tests still alive"
	wait_for 20 live_is live_sas 0 ||
		fail "$(cat "$DBG/live_sas") SAs of earlier tests still alive"
	ns_with_veth ns
	ip -n "$ns" link add aiot0 link veth0 type aiotsec
	ip -n "$ns" link set aiot0 up
	key=$(mktemp)
	head -c 16 /dev/urandom >"$key"
	$CTL -n "$ns" sa add dev aiot0 sid 1 suite aes-gcm profile inventory \
		key-file "$key"
	$CTL -n "$ns" sa add dev aiot0 sid 2 suite nia2 profile inventory \
		key-file "$key"
	$CTL -n "$ns" sa set dev aiot0 sid 2 key-file "$key"
	rm -f "$key"
	live_is live_links 1 && live_is live_sas 2 ||
		fail "the counts did not move: links $(cat "$DBG/live_links"), SAs $(cat "$DBG/live_sas")"
	ip netns del "$ns"
	wait_for 20 live_is live_links 0 ||
		fail "$(cat "$DBG/live_links") links left after the namespace went"
	wait_for 20 live_is live_sas 0 ||
		fail "$(cat "$DBG/live_sas") SAs left after the namespace went"
}

test_tx_without_sa() {
	local ns before after
	ns_with_veth ns
	ip -n "$ns" link add aiot0 link veth0 type aiotsec
	ip -n "$ns" link set aiot0 up
	before=$(ip netns exec "$ns" cat /sys/class/net/aiot0/statistics/tx_dropped)
	ip netns exec "$ns" python3 -c '
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("aiot0", 0))
s.send(bytes.fromhex("0201000012340200000000010800") + b"x" * 32)
'
	after=$(ip netns exec "$ns" cat /sys/class/net/aiot0/statistics/tx_dropped)
	[ "$after" -eq $((before + 1)) ] ||
		fail "tx_dropped went from $before to $after, expected +1"
}

test_unload_with_links() {
	local ns1 ns2
	ns_with_veth ns1
	ns_with_veth ns2
	ip -n "$ns1" link add aiot0 link veth0 type aiotsec
	ip -n "$ns2" link add aiot0 link veth1 type aiotsec
	ip -n "$ns2" link set aiot0 up
	rmmod aiotsec || fail "rmmod with links present failed"
	link_gone "$ns1" aiot0 || fail "aiot0 left in $ns1 after rmmod"
	link_gone "$ns2" aiot0 || fail "aiot0 left in $ns2 after rmmod"
	ip -n "$ns1" link show veth0 >/dev/null || fail "lower device gone"
	load_module
	ip -n "$ns1" link add aiot0 link veth0 type aiotsec ||
		fail "cannot create a link after reloading"
}

tap_plan "$(grep -c '^run_test ' "$0")"
run_test "self-tests line at load" test_selftests_line
run_test "module alias for ip link autoload" test_alias
run_test "create and delete a link" test_create_delete
run_test "bad creates refused with extack" test_bad_create
run_test "changelink: max-sas changes, the role does not" test_changelink
run_test "MTU bounded by the lower device" test_mtu
run_test "lower device removal removes the link" test_lower_removal
run_test "netns move, then lower netns deleted" test_netns_move
run_test "the lower device moves to another netns: link and SAs stay" \
	test_lower_netns_move
run_test "netns deleted with a link and SAs: every one freed" test_netns_delete
run_test "TX without a security association drops and counts" test_tx_without_sa
run_test "dumps end after a link at the largest ifindex" test_ifindex_max
run_test "module unload with links present" test_unload_with_links
tap_exit
