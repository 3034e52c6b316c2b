#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the aiotsec kselftests (every *.sh here but lib.sh and this file),
# in the style of the kselftest runner: one top-level TAP line per script,
# each script's own TAP indented as diagnostics.  With AIOTSEC_VM_OUT set,
# each script's raw TAP also goes to $AIOTSEC_VM_OUT/NAME.tap and its exit
# status to $AIOTSEC_VM_OUT/NAME.rc.
#
#   run_tests.sh [SCRIPT...]
set -uo pipefail

dir=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
	set --
	for t in "$dir"/*.sh; do
		case ${t##*/} in
		lib.sh | run_tests.sh) ;;
		*) set -- "$@" "${t##*/}" ;;
		esac
	done
fi

echo "TAP version 13"
echo "1..$#"
n=0
failed=0
for t in "$@"; do
	n=$((n + 1))
	name=${t%.sh}
	out=${AIOTSEC_VM_OUT:-}
	echo "# selftests: aiotsec: $t"
	if [ -n "$out" ]; then
		"$dir/$t" >"$out/$name.tap" 2>&1
		rc=$?
		echo "$rc" >"$out/$name.rc"
		sed 's/^/# /' "$out/$name.tap"
	else
		"$dir/$t" 2>&1 | sed 's/^/# /'
		rc=${PIPESTATUS[0]}
	fi
	case $rc in
	0) echo "ok $n selftests: aiotsec: $t" ;;
	4) echo "ok $n selftests: aiotsec: $t # SKIP" ;;
	*) echo "not ok $n selftests: aiotsec: $t # exit=$rc"; failed=1 ;;
	esac
done
exit $failed
