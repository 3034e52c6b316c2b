#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark (make bench, which installs and builds first): boots the
# test VM once and runs tools/testing/aiotsec/bench/bench-vm.sh in it --
# pktgen TX only and full-path rates next to MACsec and plain veth, the
# reject paths, SA scale -- then turns the raw numbers into a table (text
# and JSON) under bench-results/<UTC time>/, with bench-results/latest
# pointing at it, and prints the table.  See Documentation/performance.rst.
#
# Environment: AIOTSEC_BENCH_* (see bench-vm.sh) reach the VM;
# AIOTSEC_BENCH_TIMEOUT (s, default 2400) and AIOTSEC_BENCH_VM_MEM
# (default 4G) size the VM.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bench=tools/testing/aiotsec/bench

for f in kernel/aiotsec.ko user/aiotsecctl/aiotsecctl user/aiot-frame/aiot-frame \
	bench-results/bin/aiotblast bench-results/bin/sa-bulk; do
	[ -e "$f" ] || {
		echo "bench: $f is missing: run make bench (or make all and make -C $bench)" >&2
		exit 1
	}
done

stamp=$(date -u +%Y%m%d-%H%M%S)
out=bench-results/$stamp
mkdir -p "$out"
echo "bench: results in $out (the VM's log in $out/log.txt)"
# TCG shares the host's CPUs: a busy host makes every rate noisy
echo "before: $(cat /proc/loadavg)" >"$out/host-load.txt"
set +e
AIOTSEC_VM_OUT=$top/$out AIOTSEC_VM_LOG=$top/$out/console.log \
	tools/testing/vm/run.sh -t "${AIOTSEC_BENCH_TIMEOUT:-2400}" \
	-m "${AIOTSEC_BENCH_VM_MEM:-4G}" -- "$bench/bench-vm.sh" \
	2>&1 | tee "$out/log.txt"
rc=${PIPESTATUS[0]}
set -e
echo "after: $(cat /proc/loadavg)" >>"$out/host-load.txt"
if [ ! -s "$out/raw.tsv" ]; then
	# a run of profiles only (AIOTSEC_BENCH_ONLY=perf) has no rates
	if compgen -G "$out/perf-*.txt" >/dev/null; then
		echo "bench: profiles only, in $out"
		exit "$rc"
	fi
	echo "bench: the VM produced no results (status $rc)" >&2
	exit 1
fi
ln -sfn "$stamp" bench-results/latest
python3 "$bench/report.py" "$out"
if [ "$rc" -ne 0 ]; then
	echo "bench: the VM run failed (status $rc); the table may be partial" >&2
fi
exit "$rc"
