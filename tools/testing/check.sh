#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test command behind `make check` (which installs and builds first):
#   1. the native unit tests (tools/testing/unit/build/test_*) and the
#      check of the YAML netlink spec against the uapi header,
#   2. checkpatch on the kernel code,
#   3. the kselftests in tools/testing/selftests/aiotsec, in one QEMU VM.
# Every TAP test case counts; a program that dies without reporting a
# failure counts as one failure, and so does a skipped test case: make
# check installed and built all that the tests need, so a skip hides a
# missing piece.  The last line is "N passed, N failed"; the exit status
# is non-zero when anything failed or nothing ran.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# every test, on the module built here (run.sh passes AIOTSEC_* on)
unset AIOTSEC_TESTS AIOTSEC_KO

passed=0
failed=0
skipped=0
failures=()

# tally NAME RC TAPFILE
tally() {
	local name=$1 rc=$2 file=$3 p f s plan
	p=$(grep -cE '^ok [0-9]+' "$file" | head -n1)
	s=$(grep -cE '^ok [0-9]+.*# SKIP' "$file" | head -n1)
	f=$(grep -cE '^not ok [0-9]+' "$file" | head -n1)
	p=$((p - s))
	plan=$(grep -oE '^1\.\.[0-9]+' "$file" | head -n1 | cut -d. -f3)
	if [ -n "$plan" ] && [ "$plan" -ne $((p + s + f)) ] &&
	   [ "$plan" -ne 0 ]; then
		echo "# $name: planned $plan tests, ran $((p + s + f))"
		f=$((f + 1))
	fi
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "# $name: exited with status $rc without a failed test case"
	fi
	# a whole script skipped (status 4, or a plan of "1..0 # SKIP")
	if [ "$p" -eq 0 ] && [ "$s" -eq 0 ] && [ "$f" -eq 0 ] &&
	   { [ "$rc" -eq 4 ] || grep -qE '^1\.\.0 # SKIP' "$file"; }; then
		s=1
	fi
	grep -E '^not ok [0-9]+' "$file" | sed "s|^|# FAILED $name: |"
	if [ "$s" -gt 0 ]; then
		grep -E '^(ok [0-9]+.*|1\.\.0 )# SKIP' "$file" |
			sed "s|^|# SKIPPED (counted as failed) $name: |"
		f=$((f + s))
	fi
	[ "$f" -gt 0 ] && failures+=("$name")
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== unit tests (native)"
for t in tools/testing/unit/build/test_*; do
	[ -x "$t" ] || continue
	name=unit/${t##*/}
	echo "# $name"
	"$t" >"$work/unit.tap" 2>&1
	rc=$?
	cat "$work/unit.tap"
	tally "$name" "$rc" "$work/unit.tap"
done

echo "== the netlink spec against the uapi header"
# Debian's python3, for which setup-deps.sh installed python3-yaml (a
# python3 earlier in PATH may lack it)
py=/usr/bin/python3
[ -x "$py" ] || py=python3
"$py" tools/testing/unit/spec_check.py >"$work/spec.tap" 2>&1
rc=$?
cat "$work/spec.tap"
tally spec_check "$rc" "$work/spec.tap"

echo "== checkpatch --strict"
if tools/checkpatch.sh >"$work/checkpatch.out" 2>&1; then
	echo "ok 1 checkpatch --strict --no-tree clean" >"$work/checkpatch.tap"
	rc=0
else
	rc=1
	{ echo "not ok 1 checkpatch --strict --no-tree clean"
	  sed 's/^/# /' "$work/checkpatch.out"; } >"$work/checkpatch.tap"
fi
cat "$work/checkpatch.tap"
tally checkpatch "$rc" "$work/checkpatch.tap"

echo "== kselftests (QEMU VM)"
mkdir -p "$work/vm"
# make check built the module with its test knobs: a test that finds
# none fails rather than skips
AIOTSEC_REQUIRE_KNOBS=1 AIOTSEC_VM_OUT="$work/vm" \
	tools/testing/vm/run.sh -t 1500 -- \
	tools/testing/selftests/aiotsec/run_tests.sh
vmrc=$?
for tap in "$work"/vm/*.tap; do
	[ -f "$tap" ] || continue
	name=${tap##*/}
	name=${name%.tap}
	rc=$(cat "$work/vm/$name.rc" 2>/dev/null || echo 1)
	tally "kselftest/$name" "$rc" "$tap"
done
if [ "$vmrc" -ne 0 ] && [ "$vmrc" -ne 1 ]; then
	# 1 is a failed script, counted above; anything else is the VM
	echo "# the test VM failed (status $vmrc): oops, WARN, hang or crash"
	failed=$((failed + 1))
	failures+=("vm")
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "# failed: ${failures[*]}"
fi
echo "$skipped skipped (counted as failed)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
