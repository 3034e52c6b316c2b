# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the aiotsec kselftests: TAP output, unique network
# namespaces, module loading and polling.  Source it; it sets a cleanup
# trap that removes every namespace made with make_ns.

ksft_pass=0
ksft_fail=1
ksft_skip=4

AIOTSEC_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
AIOTSEC_KO=${AIOTSEC_KO:-$AIOTSEC_TOP/kernel/aiotsec.ko}

tap_n=0
tap_failed=0
tap_ns=()

tap_plan() {
	echo "TAP version 13"
	echo "1..$1"
}

# run_test DESCRIPTION FUNCTION [ARGS...]
# Runs FUNCTION in a subshell with errexit set, so the first failing
# command fails the test; namespaces it made are removed when it ends.
# Its output becomes TAP diagnostics.
# Exit 0: ok, 4: skip (the last line of output is the reason), else not ok.
# AIOTSEC_TESTS=REGEX runs only the tests whose command matches (the
# others are skipped), to iterate on one test.
run_test() {
	local desc=$1 out rc start=$SECONDS
	shift
	tap_n=$((tap_n + 1))
	if [ -n "${AIOTSEC_TESTS:-}" ] && ! [[ "$*" =~ $AIOTSEC_TESTS ]]; then
		echo "ok $tap_n $desc # SKIP not in AIOTSEC_TESTS"
		return 0
	fi
	set +e
	out=$( (set -e; trap cleanup_ns EXIT; "$@") 2>&1)
	rc=$?
	set -e
	out=${out:+$out$'\n'}"time: $((SECONDS - start)) s"
	case $rc in
	0)
		echo "ok $tap_n $desc"
		echo "#   ${out##*$'\n'}" ;;
	"$ksft_skip")
		out=${out%$'\n'*}
		echo "ok $tap_n $desc # SKIP ${out##*$'\n'}" ;;
	*)
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n $desc"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /' ;;
	esac
	return 0
}

tap_exit() {
	[ "$tap_failed" -eq 0 ] && exit "$ksft_pass"
	exit "$ksft_fail"
}

fail() {
	echo "FAIL: $*"
	return 1
}

# make_ns VAR: create a namespace with a unique name, store it in VAR.
make_ns() {
	local name
	name="aiot-$$-$RANDOM-${#tap_ns[@]}"
	ip netns add "$name"
	ip -n "$name" link set lo up
	tap_ns+=("$name")
	printf -v "$1" '%s' "$name"
}

# reader_on_veth NS VETH PEER LINK: the veth pair VETH/PEER, both up, and
# the aiotsec reader link LINK on VETH, up ($CTL: the caller's aiotsecctl)
reader_on_veth() {
	ip -n "$1" link add "$2" type veth peer name "$3"
	ip -n "$1" link set "$2" up
	ip -n "$1" link set "$3" up
	$CTL -n "$1" link add "$4" link "$2" role reader
	ip -n "$1" link set "$4" up
}

# The test knobs of the module (debugfs)
DBG=/sys/kernel/debug/aiotsec

# the knobs are in a module built with make AIOTSEC_DEBUG=1: without
# them a test skips, or fails when AIOTSEC_REQUIRE_KNOBS is set (make
# check, which builds that module)
no_knob() {
	echo "no $DBG/$1: the module was not built with AIOTSEC_DEBUG=1"
	[ -z "${AIOTSEC_REQUIRE_KNOBS:-}" ] || return 1
	return "$ksft_skip"
}

# dumps_held_since N: dump_delay_ms has held more SA dumps than N
dumps_held_since() {
	local n
	read -r n <"$DBG/dump_delays"
	[ "$n" -gt "$1" ]
}

# add_sas NS COUNT: SAs 1..COUNT on aiotR (nia2, inventory, one random
# key), through one netlink socket: one aiotsecctl each takes minutes
add_sas() {
	local key out i
	key=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
	out=$(for i in $(seq 1 "$2"); do
		echo "sa-new ifname=aiotR sa=(sid=$i,suite=nia2,profile=inventory,key=$key)"
	done | python3 "$AIOTSEC_TOP/tools/testing/selftests/aiotsec/nlraw.py" \
		--netns "$1" --batch)
	[ "$(grep -c '^ok$' <<<"$out")" = "$2" ] ||
		fail "adding $2 SAs: $(grep -v '^ok$' <<<"$out" | head -3)"
}

# Background helpers of a test (tap_pids): killed at its end, before its
# namespaces go, which a helper's socket in them would keep alive.
tap_pids=()
cleanup_ns() {
	local ns pid
	for pid in "${tap_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	tap_pids=()
	for ns in "${tap_ns[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	tap_ns=()
}

# The pid of a daemon a test started in the background ($dpid), and its
# stop: for the test's exit trap.
dpid=
stop_daemon() {
	if [ -n "$dpid" ]; then
		kill "$dpid" 2>/dev/null || true
		# a test may have stopped it (SIGSTOP): SIGTERM waits for this
		kill -CONT "$dpid" 2>/dev/null || true
		wait "$dpid" 2>/dev/null || true
		dpid=
	fi
}

# wait_for TIMEOUT_SECONDS CMD...: poll until CMD succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

module_loaded() {
	[ -d /sys/module/aiotsec ]
}

# Load the module under test (a no-op when it is loaded).
load_module() {
	module_loaded && return 0
	[ -f "$AIOTSEC_KO" ] || { echo "no module at $AIOTSEC_KO"; return 1; }
	modprobe -q aesni_intel 2>/dev/null || true
	insmod "$AIOTSEC_KO"
}

# The module must load for a script's tests to mean anything.
require_module() {
	if ! load_module; then
		echo "Bail out! cannot load $AIOTSEC_KO"
		exit "$ksft_fail"
	fi
}

unload_module() {
	module_loaded || return 0
	rmmod aiotsec
}

# require_vm: the tests load a module, so they only ever run in the
# test VM (tools/testing/vm/run.sh) unless the caller insists.
require_vm() {
	if [ -z "${AIOTSEC_VM:-}" ] && [ -z "${AIOTSEC_ALLOW_HOST:-}" ]; then
		echo "1..0 # SKIP not in the aiotsec test VM (tools/testing/vm/run.sh)"
		exit "$ksft_skip"
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "1..0 # SKIP needs root"
		exit "$ksft_skip"
	fi
}

# expect_err "MESSAGE" CMD...: CMD must fail and print MESSAGE.
expect_err() {
	local want=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "'$*' succeeded, expected: $want"
		return 1
	fi
	case $out in
	*"$want"*) return 0 ;;
	esac
	fail "'$*' printed '$out', expected '$want'"
}
