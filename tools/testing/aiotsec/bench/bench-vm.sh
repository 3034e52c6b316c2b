#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-vm.sh - the aiotsec benchmark, run as root inside the test VM
# (tools/bench.sh boots it; never run it on a host you care about: it
# loads modules).  See Documentation/performance.rst.
#
# Every measurement gets its own network namespace with a veth pair
# veth0 (52:54:00:aa:00:01) <-> veth1 (52:54:00:aa:00:02):
#
#   tx-veth      pktgen on veth0; veth1 drops (tc sink)
#   tx-macsec    pktgen on macsec0 (GCM-AES-128, encrypt on) over veth0
#   tx-SUITE     pktgen on aiotR (reader role) over veth0
#   full-macsec  pktgen on macsec0 -> veth -> macsec1 verifies, decrypts
#   full-SUITE   pktgen on aiotR -> veth -> aiotD (device role) verifies,
#                deciphers, delivers
#   rej-SUITE    aiotblast on veth0 floods aiotD with frames it rejects
#   rej-none     aiotblast on veth0, nothing on veth1: the generator's ceiling
#   rej-rps      aiotblast on CPU 0 floods aiotD with unknown-session frames,
#                whose receive side RPS steers to CPU 1: drops per second
#                of CPU 1's busy time
#   scale        full-aes-gcm again, with 100k SAs installed on each link
#   scale1       full-aes-gcm again with its one SA, measured next to scale
#   mem          kernel memory per SA, for every suite
#
# A tc clsact/matchall "drop" sink on the device where frames end (veth1
# for TX only, the receiving macsec or aiotsec device for the full path)
# makes the last step equally cheap for all.  Rates are taken from device
# counters over a steady window (after a warm-up), never from pktgen's own
# count: an aiotsec device reports NETDEV_TX_OK for frames it drops.
#
# Results go to $AIOTSEC_VM_OUT (copied to the host by run.sh):
#   raw.tsv      section config payload run pps frames usec extra
#                (sections tx, full, reject, reject-ref: the valid full
#                path measured next to each flood, scale-1, scale-n)
#   scale.json   one JSON object per line: SA installs and removals
#   memory.tsv   suite count slab_kib percpu_kib memfree_kib
#   slab-top.txt the slab caches that grew with the 100k SAs
#   perf-*.txt   kernel profiles of CPU 0, flat, (.graph) with callers,
#                (.children) inclusive of callees and (.tree) the calls
#                below each stack's transmit and receive entry points;
#                perf-sa-install.txt: all CPUs while SAs are installed
#   counters/    aiotsecctl -s sa/link show of every namespace
#   meta.txt     kernel, CPU, the crypto drivers in use, parameters
#
# Environment (all optional):
#   AIOTSEC_BENCH_SECONDS  measuring window per run (default 2)
#   AIOTSEC_BENCH_WARMUP   seconds before the window opens (default 0.5)
#   AIOTSEC_BENCH_RUNS     runs per measurement; medians are taken (5)
#   AIOTSEC_BENCH_SIZES    payload sizes (default "16 64 256")
#   AIOTSEC_BENCH_REJECT_SIZE  payload of the reject floods (64)
#   AIOTSEC_BENCH_SA_COUNT SAs for the scale test (100000; 0 skips it)
#   AIOTSEC_BENCH_SA_SIDES both | device: links that get them (both)
#   AIOTSEC_BENCH_MEM_COUNT SAs per suite for the memory table (2000)
#   AIOTSEC_BENCH_BLAST_MODE mmsg | ring (aiotblast -m; default mmsg)
#   AIOTSEC_BENCH_PERF     1: profile with perf (default 1)
#   AIOTSEC_BENCH_PERF_SCENARIOS  path scenarios to profile (default
#                          "full-aes-gcm full-nia2-nea2 full-macsec"; also
#                          tx-aes-gcm, tx-macsec, ...)
#   AIOTSEC_BENCH_ONLY     space-separated sections to run (default all:
#                          path reject scale mem perf)
#   AIOTSEC_BENCH_SCENARIOS  path scenarios to measure (default all; e.g.
#                          "tx-aes-gcm tx-macsec"); the others are still
#                          set up, for the profiles and the reject paths
#   AIOTSEC_BENCH_IPS      an extended regular expression: also write, per
#                          profile, FILE.ips, the samples per instruction
#                          (symbol+offset) of the symbols it matches
#   AIOTSEC_BENCH_CALLERS  an extended regular expression: also write, per
#                          profile, FILE.callers, the samples whose leaf
#                          function it matches, by their first 5 frames
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../../../.." && pwd)
self=$here/bench-vm.sh
CTL=$top/user/aiotsecctl/aiotsecctl
FRAME=$top/user/aiot-frame/aiot-frame
BIN=${AIOTSEC_BENCH_BIN:-$top/bench-results/bin}
KO=${AIOTSEC_KO:-$top/kernel/aiotsec.ko}

SECS=${AIOTSEC_BENCH_SECONDS:-2}
WARM=${AIOTSEC_BENCH_WARMUP:-0.5}
RUNS=${AIOTSEC_BENCH_RUNS:-5}
SIZES=${AIOTSEC_BENCH_SIZES:-16 64 256}
REJ_SIZE=${AIOTSEC_BENCH_REJECT_SIZE:-64}
SA_COUNT=${AIOTSEC_BENCH_SA_COUNT:-100000}
SA_SIDES=${AIOTSEC_BENCH_SA_SIDES:-both}
MEM_COUNT=${AIOTSEC_BENCH_MEM_COUNT:-2000}
BLAST_MODE=${AIOTSEC_BENCH_BLAST_MODE:-mmsg}
PERF=${AIOTSEC_BENCH_PERF:-1}
ONLY=${AIOTSEC_BENCH_ONLY:-path reject scale mem perf}
ONLY_SCENARIOS=${AIOTSEC_BENCH_SCENARIOS:-}

MAC0=52:54:00:aa:00:01
MAC1=52:54:00:aa:00:02
SID=0x1234
SUITES="aes-gcm aes-ccm nia2-nea2 nia2"
PG=/proc/net/pktgen

log() {
	printf '[%6ds] %s\n' "$SECONDS" "$*" >&2
}

die() {
	log "FATAL: $*"
	exit 1
}

# --- run inside a namespace (ip netns exec NS bench-vm.sh __cmd ...) -------

# The helpers below fork as little as they can: under TCG, and with other
# VMs on the host, every fork and exec costs tens of milliseconds.

# now_us VAR: the time ($EPOCHREALTIME) in microseconds, into VAR
now_us() {
	local t=$EPOCHREALTIME
	printf -v "$1" '%s' $((10#${t%.*} * 1000000 + 10#${t#*.}))
}

# stat_into VAR DEV STAT: a counter of DEV's statistics, into VAR
stat_into() {
	read -r "$1" <"/sys/class/net/$2/statistics/$3"
}

pgset() {
	local file=$PG/$1 line
	local -a lines
	echo "$2" >"$file"
	[ "$1" != pgctrl ] || return 0
	mapfile -t lines <"$file"
	for line in "${lines[@]}"; do
		case $line in
		"Result: OK"* | "Result: Idle"*) return 0 ;;
		Result:*) die "pktgen $1: '$2': $line" ;;
		esac
	done
}

# pktgen_start DEV PKT_SIZE DST_MAC: start pktgen on DEV, endless; its
# controlling writer's pid in $pg_pid (pktgen_stop ends it)
pktgen_start() {
	local dev=$1 size=$2 dst=$3 i
	pgset kpktgend_0 rem_device_all
	pgset kpktgend_0 "add_device $dev"
	pgset "$dev" "count 0"
	pgset "$dev" "clone_skb 0"
	pgset "$dev" "burst 1"
	pgset "$dev" "delay 0"
	pgset "$dev" "pkt_size $size"
	pgset "$dev" "dst_mac $dst"
	pgset "$dev" "flag NO_TIMESTAMP"
	echo start >"$PG/pgctrl" &
	pg_pid=$!
	# the writer only waits 125 ms for the thread to take the start: on
	# a busy vCPU it can return before the device runs.  Wait for it, so
	# that the warm-up and the window see a running generator, and a
	# stop cannot land before the start (pktgen handles a pending stop
	# before a pending start, and would then run on).
	for i in $(seq 1 200); do
		pg_running && return 0
		sleep 0.05
	done
	die "pktgen did not start on $dev"
}

# the device of kpktgend_0 is running (its "Running:" line is not empty)
pg_running() {
	local line
	read -r line <"$PG/kpktgend_0"
	[ "$line" != "Running:" ]
}

pktgen_stop() {
	local i
	# repeat the stop until the generator has stopped and the start's
	# writer has returned; only then may the device be removed (a running
	# one makes pktgen warn)
	for i in $(seq 1 100); do
		echo stop >"$PG/pgctrl"
		if ! pg_running && ! kill -0 "$pg_pid" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	wait "$pg_pid" || true
	pg_running && die "pktgen does not stop"
	pgset kpktgend_0 rem_device_all
}

# __pktgen DEV CDEV STAT PKT_SIZE DST_MAC: run pktgen on DEV, print
# "pps frames usec bytes_per_frame" counted by CDEV's STAT (rx_packets ...)
ns_pktgen() {
	local dev=$1 cdev=$2 stat=$3 size=$4 dst=$5 c0 c1 b0 b1 t0 t1 bstat
	local d0 d1 s0 s1
	bstat=${stat/packets/bytes}
	pktgen_start "$dev" "$size" "$dst"
	sleep "$WARM"
	softnet_into d0 s0
	stat_into b0 "$cdev" "$bstat"
	stat_into c0 "$cdev" "$stat"
	now_us t0
	sleep "$SECS"
	stat_into c1 "$cdev" "$stat"
	now_us t1
	stat_into b1 "$cdev" "$bstat"
	softnet_into d1 s1
	pktgen_stop
	print_rate "$((c1 - c0))" "$((t1 - t0))" "$((b1 - b0))" \
		"$((d1 - d0))" "$((s1 - s0))"
}

# softnet_into DROPS SQUEEZED: CPU 0's backlog drops and the times its
# receive softirq ran out of budget (/proc/net/softnet_stat), into VARs
softnet_into() {
	local line f
	read -r line </proc/net/softnet_stat
	read -ra f <<<"$line"
	printf -v "$1" '%d' "0x${f[1]}"
	printf -v "$2" '%d' "0x${f[2]}"
}

print_rate() {
	local frames=$1 us=$2 bytes=$3 bpf=0
	[ "$frames" -gt 0 ] && bpf=$((bytes / frames))
	echo "$((frames * 1000000 / us)) $frames $us $bpf $4 $5"
}

# cpu_idle_into VAR CPU: the time CPU has spent idle, in USER_HZ ticks,
# into VAR.  Busy time is the window less this: a tickless CPU's idle time
# is measured exactly, its busy time only sampled by the tick.
cpu_idle_into() {
	local name user nice sys idle iowait rest
	while read -r name user nice sys idle iowait rest; do
		if [ "$name" = "cpu$2" ]; then
			printf -v "$1" '%s' $((idle + iowait))
			return
		fi
	done </proc/stat
	die "no cpu$2 in /proc/stat"
}

# __blast IFACE HEXFRAME CDEV STAT [CPU]: flood IFACE with the frame; print
# the rate counted by CDEV's STAT, and the generator's own rate.  With
# CPU, the generator is kept off it (the receive side is steered there by
# RPS) and CPU's busy time in the window is printed too.
ns_blast() {
	local iface=$1 frame=$2 cdev=$3 stat=$4 cpu=${5:-} pid c0 c1 t0 t1
	local total out b0 b1 extra pin=()
	# the flood outlasts the window by a margin (bash has no float math)
	total=$((${WARM%.*} + ${SECS%.*} + 1))
	[ -z "$cpu" ] || pin=(taskset -c "$((1 - cpu))")
	"${pin[@]}" "$BIN/aiotblast" -i "$iface" -d "$total" -m "$BLAST_MODE" \
		-j "$frame" >"/tmp/blast.$$" &
	pid=$!
	sleep "$WARM"
	[ -z "$cpu" ] || cpu_idle_into b0 "$cpu"
	stat_into c0 "$cdev" "$stat"
	now_us t0
	sleep "$SECS"
	stat_into c1 "$cdev" "$stat"
	now_us t1
	[ -z "$cpu" ] || cpu_idle_into b1 "$cpu"
	wait "$pid" || die "aiotblast failed"
	read -r out <"/tmp/blast.$$"
	rm -f "/tmp/blast.$$"
	[[ $out =~ \"pps\":([0-9]+) ]] || die "aiotblast said: $out"
	extra="gen_pps=${BASH_REMATCH[1]}"
	[ -z "$cpu" ] || extra+=" cpu_busy_us=$((t1 - t0 - (b1 - b0) * 1000000 / $(getconf CLK_TCK)))"
	echo "$(((c1 - c0) * 1000000 / (t1 - t0))) $((c1 - c0)) $((t1 - t0)) $extra"
}

# __perf FILE DEV PKT_SIZE DST_MAC: a kernel profile of CPU 0 (where
# pktgen's thread and, inline, the whole receive path run) while pktgen
# runs on DEV: FILE flat, FILE.graph with the callers of the top entries,
# FILE.children with the time spent in each function and its callees,
# FILE.tree with the calls below each stack's transmit and receive entry
TREE_SYMS=aiotsec_start_xmit,aiotsec_handle_frame,macsec_start_xmit,macsec_handle_frame
ns_perf() {
	local file=$1 data=/tmp/perf.$$
	pktgen_start "$2" "$3" "$4"
	sleep "$WARM"
	# no build ids: collecting them reads every binary over 9p (minutes)
	perf record -q -B -N -g -e cpu-clock -C 0 -o "$data" -- \
		sleep "$SECS" >/dev/null 2>&1 || true
	pktgen_stop
	if [ -s "$data" ]; then
		perf report -q -i "$data" --stdio --no-children -g none \
			--sort sym --percent-limit 0.5 2>/dev/null |
			grep -v '^$' | head -n 50 >"$file" || true
		perf report -q -i "$data" --stdio --no-children \
			-g caller,0.5,callee,function,percent --sort sym \
			--percent-limit 4 2>/dev/null | grep -v '^$' |
			head -n 400 >"$file.graph" || true
		perf report -q -i "$data" --stdio --children -g none \
			--sort sym --percent-limit 1 2>/dev/null | grep -v '^$' |
			head -n 120 >"$file.children" || true
		# (perf report -S trips over the namespace here: filter)
		perf report -q -i "$data" --stdio --children \
			-g graph,0.5,caller,function,percent --sort sym \
			--percent-limit 0.5 2>/dev/null | grep -v '^$' |
			awk -v syms="$TREE_SYMS" '
				BEGIN { n = split(syms, s, ",") }
				/^ +[0-9.]+% +[0-9.]+% / {
					keep = 0
					for (i = 1; i <= n; i++)
						if ($NF == s[i]) keep = 1
				}
				keep' | head -n 400 >"$file.tree" || true
		if [ -n "${AIOTSEC_BENCH_IPS:-}" ]; then
			perf script -G -i "$data" -F ip,sym,symoff 2>/dev/null |
				awk '{print $2}' | grep -E "$AIOTSEC_BENCH_IPS" |
				sort | uniq -c | sort -rn >"$file.ips" || true
		fi
		if [ -n "${AIOTSEC_BENCH_CALLERS:-}" ]; then
			perf script -i "$data" -F ip,sym 2>/dev/null |
				awk -v re="$AIOTSEC_BENCH_CALLERS" '
					/^$/ { if (n > 0) print chain; n = 0; chain = ""; next }
					{ n++; if (n == 1 && $2 !~ re) { n = -100 }
					  if (n > 0 && n <= 5) chain = chain " < " $2 }' |
				sort | uniq -c | sort -rn | head -n 60 >"$file.callers" || true
		fi
	fi
	rm -f "$data"
}

case ${1:-} in
__pktgen) shift; ns_pktgen "$@"; exit 0 ;;
__blast) shift; ns_blast "$@"; exit 0 ;;
__perf) shift; ns_perf "$@"; exit 0 ;;
esac

# --- setup -----------------------------------------------------------------

[ -n "${AIOTSEC_VM:-}" ] || die "runs only in the test VM (tools/bench.sh)"
[ "$(id -u)" -eq 0 ] || die "needs root"
OUT=${AIOTSEC_VM_OUT:-/tmp/aiotsec-bench}
mkdir -p "$OUT/counters"
RAW=$OUT/raw.tsv
: >"$RAW"
tmp=$(mktemp -d)
namespaces=()

cleanup() {
	local ns
	for ns in "${namespaces[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

want() {
	[[ " $ONLY " == *" $1 "* ]]
}

for p in "$CTL" "$FRAME" "$BIN/aiotblast" "$BIN/sa-bulk" "$KO"; do
	[ -e "$p" ] || die "missing $p (make; make -C tools/testing/aiotsec/bench)"
done

log "loading modules"
for m in veth pktgen macsec aesni_intel sch_ingress cls_matchall act_gact; do
	modprobe "$m" || log "warning: modprobe $m failed"
done
insmod "$KO"
dmesg | grep -q "aiotsec: self-tests: pass" || log "warning: no self-test line"

# keyfile SUITE: a random key of the suite's length; its path
keyfile() {
	local len=16 f=$tmp/key.$1
	[ "$1" = nia2-nea2 ] && len=32
	[ -e "$f" ] || (umask 077 && head -c "$len" /dev/urandom >"$f")
	echo "$f"
}

profile_of() {
	[ "$1" = nia2 ] && echo inventory || echo command
}

# the AIoT frame type the reader sends: command, inventory for nia2
ftype_of() {
	[ "$1" = nia2 ] && echo 1 || echo 2
}

ftype_name() {
	[ "$1" = nia2 ] && echo inventory || echo command
}

dst_of() {
	printf '02:%02x:00:00:12:34' "$(ftype_of "$1")"
}

# tag_args SUITE ARRAY: the SA's tag arguments (aes-ccm: an 8-octet tag)
tag_args() {
	local -n _t=$2
	_t=()
	if [ "$1" = aes-ccm ]; then
		_t=(tag-len 8)
	fi
}

# new_ns NAME: a namespace with veth0/veth1 up
new_ns() {
	local ns=bench-$1
	ip netns add "$ns"
	namespaces+=("$ns")
	ip -n "$ns" link set lo up
	ip -n "$ns" link add veth0 address $MAC0 type veth peer name veth1 \
		address $MAC1
	ip -n "$ns" link set veth0 up
	ip -n "$ns" link set veth1 up
}

# sink NS DEV: drop everything arriving on DEV as early as tc can
sink() {
	ip netns exec "bench-$1" tc qdisc add dev "$2" clsact
	ip netns exec "bench-$1" tc filter add dev "$2" ingress matchall \
		action drop
}

# aiot_link NS NAME LOWER ROLE SUITE PEER_MAC: a link and the SA of $SID
aiot_link() {
	local ns=bench-$1 suite=$5 tag
	tag_args "$suite" tag
	$CTL -n "$ns" link add "$2" link "$3" role "$4"
	ip -n "$ns" link set "$2" up
	$CTL -n "$ns" sa add dev "$2" sid $SID suite "$suite" \
		profile "$(profile_of "$suite")" key-file "$(keyfile "$suite")" \
		"${tag[@]}" peer-mac "$6"
}

MACSEC_KEY=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')

macsec_tx() {
	local ns=bench-$1
	ip -n "$ns" link add link veth0 macsec0 type macsec encrypt on
	ip -n "$ns" macsec add macsec0 tx sa 0 pn 1 on key 01 "$MACSEC_KEY"
	ip -n "$ns" link set macsec0 up
}

macsec_rx() {
	local ns=bench-$1
	ip -n "$ns" link add link veth1 macsec1 type macsec encrypt on \
		replay on window 512
	ip -n "$ns" macsec add macsec1 rx port 1 address $MAC0
	ip -n "$ns" macsec add macsec1 rx port 1 address $MAC0 sa 0 pn 1 on \
		key 01 "$MACSEC_KEY"
	ip -n "$ns" link set macsec1 up
}

settle() {
	# carrier and operstate of stacked devices follow asynchronously
	sleep 1
}

# --- the data path: TX only and the full path ---------------------------------

# scenario table: NAME PKTGEN_DEV COUNT_DEV DST
declare -A S_DEV S_CDEV S_DST
scenarios=()

add_scenario() {
	scenarios+=("$1")
	S_DEV[$1]=$2
	S_CDEV[$1]=$3
	S_DST[$1]=$4
}

setup_path() {
	local s
	log "setting up the data-path namespaces"
	new_ns tx-veth
	sink tx-veth veth1
	add_scenario tx-veth veth0 veth1 $MAC1

	new_ns tx-macsec
	macsec_tx tx-macsec
	sink tx-macsec veth1
	add_scenario tx-macsec macsec0 veth1 $MAC1

	new_ns full-macsec
	macsec_tx full-macsec
	macsec_rx full-macsec
	sink full-macsec macsec1
	add_scenario full-macsec macsec0 macsec1 $MAC1

	for s in $SUITES; do
		new_ns "tx-$s"
		aiot_link "tx-$s" aiotR veth0 reader "$s" $MAC1
		sink "tx-$s" veth1
		add_scenario "tx-$s" aiotR veth1 "$(dst_of "$s")"

		new_ns "full-$s"
		aiot_link "full-$s" aiotR veth0 reader "$s" $MAC1
		aiot_link "full-$s" aiotD veth1 device "$s" $MAC0
		sink "full-$s" aiotD
		add_scenario "full-$s" aiotR aiotD "$(dst_of "$s")"
	done
	# the measuring order: MACsec between the two suites with targets, so
	# that each target's pair is measured back to back in every run
	scenarios=(tx-nia2 tx-aes-ccm tx-veth tx-aes-gcm tx-macsec
		tx-nia2-nea2 full-nia2-nea2 full-macsec full-aes-gcm
		full-aes-ccm full-nia2)
	if [ -n "$ONLY_SCENARIOS" ]; then
		local keep=()
		for s in "${scenarios[@]}"; do
			[[ " $ONLY_SCENARIOS " == *" $s "* ]] && keep+=("$s")
		done
		scenarios=("${keep[@]}")
	fi
	settle
}

# measure SECTION SCENARIO PAYLOAD RUN: one pktgen run, a line of raw.tsv
measure() {
	local sec=$1 sc=$2 payload=$3 run=$4 res pps frames us bpf drops sq
	res=$(ip netns exec "bench-$sc" "$self" __pktgen "${S_DEV[$sc]}" \
		"${S_CDEV[$sc]}" rx_packets $((payload + 14)) "${S_DST[$sc]}")
	read -r pps frames us bpf drops sq <<<"$res"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\tbytes_per_frame=%s backlog_drops=%s squeezed=%s\n' \
		"$sec" "${sc#*-}" "$payload" "$run" "$pps" "$frames" "$us" \
		"$bpf" "$drops" "$sq" >>"$RAW"
	log "$sec ${sc#*-} payload $payload run $run: $pps pps (backlog drops $drops, squeezed $sq)"
}

# The host's speed drifts, and jumps between a fast and a slow mode every
# few tens of seconds (other VMs): a ratio is only meaningful between two
# measurements taken back to back.  The order runs forwards, then
# backwards (each pair swaps its order, drift cancels), and the report
# takes the median of the ratios of each run.
run_path() {
	local run size i k=0 n=${#scenarios[@]} sc sec
	for run in $(seq 1 "$RUNS"); do
		for size in $SIZES; do
			for i in $(seq 0 $((n - 1))); do
				if ((k % 2)); then
					sc=${scenarios[n - 1 - i]}
				else
					sc=${scenarios[i]}
				fi
				sec=${sc%%-*}
				measure "$sec" "$sc" "$size" "$run"
			done
			k=$((k + 1))
		done
	done
}

# --- the reject paths ----------------------------------------------------------

# frame_hex SUITE SID COUNTER: an Ethernet frame veth0 -> veth1 carrying a
# protected downlink frame of REJ_SIZE zero octets
frame_hex() {
	local suite=$1 tag=() body
	[ "$suite" = aes-ccm ] && tag=(--tag-len 8)
	body=$(printf '%*s' $((REJ_SIZE * 2)) '' | tr ' ' 0)
	printf '%s%s88b5%s' "${MAC1//:/}" "${MAC0//:/}" \
		"$("$FRAME" protect "$suite" "$(keyfile "$suite")" \
			--type "$(ftype_name "$suite")" --sid "$2" --dir down \
			--counter "$3" --ctr-bits 32 "${tag[@]}" "$body")"
}

# flip_last_bit HEX
flip_last_bit() {
	local h=$1 last
	last=${h: -2}
	printf '%s%02x' "${h:0:${#h}-2}" $((0x$last ^ 1))
}

word_after() {
	[[ " $1 " =~ [[:space:]]$2[[:space:]]+([^[:space:]]+) ]] || {
		echo "?"
		return
	}
	echo "${BASH_REMATCH[1]}"
}

blast() {
	local sec=$1 cfg=$2 ns=$3 frame=$4 cdev=$5 stat=$6 run=$7 cpu=${8:-}
	local pps frames us extra res
	res=$(ip netns exec "bench-$ns" "$self" __blast veth0 "$frame" \
		"$cdev" "$stat" $cpu)
	read -r pps frames us extra <<<"$res"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$sec" "$cfg" "$REJ_SIZE" \
		"$run" "$pps" "$frames" "$us" "$extra" >>"$RAW"
	log "$sec $cfg run $run: $pps pps ($extra)"
}

run_reject() {
	local s run ok valid unknown f rps
	declare -A bad
	log "setting up the reject namespaces"
	new_ns rej-none
	for s in $SUITES; do
		new_ns "rej-$s"
		aiot_link "rej-$s" aiotD veth1 device "$s" $MAC0
	done
	# the capacity of one CPU for dropping: the generator on CPU 0, the
	# receive side steered to CPU 1 (RPS), whose busy time is measured
	rps=0
	[ "$(nproc)" -lt 2 ] || rps=1
	if [ "$rps" = 1 ]; then
		new_ns rej-rps
		aiot_link rej-rps aiotD veth1 device aes-gcm $MAC0
		ip netns exec bench-rej-rps sh -c \
			'echo 2 >/sys/class/net/veth1/queues/rx-0/rps_cpus'
	fi
	settle
	unknown=$(frame_hex aes-gcm 0x00dead00 1000)
	for s in $SUITES; do
		# sanity: the valid frame is accepted once (then replays), so a
		# flipped bit is all that makes the flood fail verification
		valid=$(frame_hex "$s" $SID 1)
		ip netns exec "bench-rej-$s" "$BIN/aiotblast" -i veth0 -d 0.2 \
			"$valid" >/dev/null
		ok=$(word_after "$($CTL -n "bench-rej-$s" -s sa show dev aiotD \
			sid $SID)" rx-ok)
		[ "$ok" = 1 ] || die "rej-$s: the valid frame gave rx-ok $ok"
		bad[$s]=$(flip_last_bit "$(frame_hex "$s" $SID 1000)")
	done
	# each flood next to the valid full path it is compared with
	for run in $(seq 1 "$RUNS"); do
		blast reject generator-ceiling rej-none "$unknown" veth1 \
			rx_packets "$run"
		blast reject unknown-session rej-aes-gcm "$unknown" aiotD \
			rx_dropped "$run"
		measure reject-ref full-aes-gcm "$REJ_SIZE" "$run"
		[ "$rps" = 0 ] ||
			blast reject unknown-session-rps rej-rps "$unknown" \
				aiotD rx_dropped "$run" 1
		for s in $SUITES; do
			[ "$s" = aes-gcm ] ||
				measure reject-ref "full-$s" "$REJ_SIZE" "$run"
			blast reject "bad-mac-$s" "rej-$s" "${bad[$s]}" aiotD \
				rx_dropped "$run"
		done
	done
	for s in $SUITES; do
		f=$OUT/counters/rej-$s.txt
		{ $CTL -n "bench-rej-$s" -s link show
		  $CTL -n "bench-rej-$s" -s sa show; } >"$f" 2>&1 || true
	done
}

# --- SA scale ------------------------------------------------------------------

meminfo_kib() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}

slab_snapshot() {
	# name active_objs num_objs objsize
	awk 'NR > 2 { print $1, $2, $3, $4 }' /proc/slabinfo >"$1"
}

# quiesce: let deferred work (RCU frees, hash table resizes) finish
quiesce() {
	sleep 2
	echo 1 >/proc/sys/vm/compact_memory 2>/dev/null || true
}

run_scale() {
	local run s0 p0 f0 s1 p1 f1 out sides dev n ns
	log "setting up the SA-scale namespaces"
	# scale gets the SAs; scale1 keeps its one SA, for the comparison
	for ns in scale scale1; do
		new_ns $ns
		aiot_link $ns aiotR veth0 reader aes-gcm $MAC1
		aiot_link $ns aiotD veth1 device aes-gcm $MAC0
		sink $ns aiotD
		add_scenario $ns aiotR aiotD "$(dst_of aes-gcm)"
	done
	settle

	sides=aiotD
	[ "$SA_SIDES" = both ] && sides="aiotD aiotR"
	quiesce
	s0=$(meminfo_kib Slab)
	p0=$(meminfo_kib Percpu)
	f0=$(meminfo_kib MemFree)
	slab_snapshot "$tmp/slab0"
	for dev in $sides; do
		log "installing $SA_COUNT aes-gcm SAs on $dev"
		out=$(ip netns exec bench-scale "$BIN/sa-bulk" -d "$dev" \
			-c "$SA_COUNT" -s aes-gcm -j) || die "sa-bulk: $out"
		echo "${out%\}},\"dev\":\"$dev\"}" >>"$OUT/scale.json"
		log "$out"
	done
	quiesce
	s1=$(meminfo_kib Slab)
	p1=$(meminfo_kib Percpu)
	f1=$(meminfo_kib MemFree)
	slab_snapshot "$tmp/slab1"
	n=$((SA_COUNT * $(wc -w <<<"$sides")))
	printf 'aes-gcm-scale\t%s\t%s\t%s\t%s\n' "$n" $((s1 - s0)) \
		$((p1 - p0)) $((f0 - f1)) >>"$OUT/memory.tsv"
	# the caches that grew, largest first
	awk 'NR == FNR { b[$1] = $3 * $4; next }
	     { d = $3 * $4 - b[$1]; if (d > 0) printf "%-28s %12d\n", $1, d }' \
		"$tmp/slab0" "$tmp/slab1" | sort -k2 -nr | head -n 20 \
		>"$OUT/slab-top.txt"
	$CTL -n bench-scale link show >"$OUT/counters/scale-links.txt" 2>&1 ||
		true

	# the link with all the SAs and the one with one SA, back to back
	for run in $(seq 1 "$RUNS"); do
		if ((run % 2)); then
			measure scale-n scale 64 "$run"
			measure scale-1 scale1 64 "$run"
		else
			measure scale-1 scale1 64 "$run"
			measure scale-n scale 64 "$run"
		fi
	done

	for dev in $sides; do
		log "removing them from $dev"
		out=$(ip netns exec bench-scale "$BIN/sa-bulk" -d "$dev" \
			-c "$SA_COUNT" -D -j) || die "sa-bulk -D: $out"
		echo "${out%\}},\"dev\":\"$dev\"}" >>"$OUT/scale.json"
		log "$out"
	done
	$CTL -n bench-scale -s sa show >"$OUT/counters/scale.txt" 2>&1 || true
}

run_mem() {
	local s s0 p0 f0 s1 p1 f1 out
	new_ns mem
	$CTL -n bench-mem link add aiotD link veth1 role device
	for s in $SUITES; do
		quiesce
		s0=$(meminfo_kib Slab)
		p0=$(meminfo_kib Percpu)
		f0=$(meminfo_kib MemFree)
		out=$(ip netns exec bench-mem "$BIN/sa-bulk" -d aiotD \
			-c "$MEM_COUNT" -s "$s" -f 0x20000000 -j) ||
			die "sa-bulk: $out"
		echo "${out%\}},\"dev\":\"aiotD\",\"suite\":\"$s\"}" \
			>>"$OUT/scale.json"
		quiesce
		s1=$(meminfo_kib Slab)
		p1=$(meminfo_kib Percpu)
		f1=$(meminfo_kib MemFree)
		printf '%s\t%s\t%s\t%s\t%s\n' "$s" "$MEM_COUNT" $((s1 - s0)) \
			$((p1 - p0)) $((f0 - f1)) >>"$OUT/memory.tsv"
		log "memory $s: slab +$((s1 - s0)) KiB, percpu +$((p1 - p0)) KiB for $MEM_COUNT SAs"
		ip netns exec bench-mem "$BIN/sa-bulk" -d aiotD -c "$MEM_COUNT" \
			-f 0x20000000 -D >/dev/null
	done
}

# --- profiles ------------------------------------------------------------------

run_perf() {
	local sc
	if ! perf version >/dev/null 2>&1; then
		log "no usable perf in the VM: no profiles"
		return 0
	fi
	for sc in ${AIOTSEC_BENCH_PERF_SCENARIOS:-full-aes-gcm full-nia2-nea2 full-macsec}; do
		[ -n "${S_DEV[$sc]:-}" ] || continue
		log "profiling $sc"
		ip netns exec "bench-$sc" "$self" __perf "$OUT/perf-$sc.txt" \
			"${S_DEV[$sc]}" 78 "${S_DST[$sc]}"
	done
	# where SA_NEW spends its time: all CPUs, while sa-bulk installs
	log "profiling SA installs"
	new_ns perfsa
	$CTL -n bench-perfsa link add aiotD link veth1 role device
	perf record -q -B -N -g -e cpu-clock -a -o "$tmp/perf.sa" -- \
		ip netns exec bench-perfsa "$BIN/sa-bulk" -d aiotD \
		-c "$MEM_COUNT" -s aes-gcm >/dev/null 2>&1 || true
	if [ -s "$tmp/perf.sa" ]; then
		perf report -q -i "$tmp/perf.sa" --stdio --no-children -g none \
			--sort sym --percent-limit 0.5 2>/dev/null |
			grep -v '^$' | head -n 50 >"$OUT/perf-sa-install.txt" || true
		perf report -q -i "$tmp/perf.sa" --stdio --children -g none \
			--sort sym --percent-limit 2 2>/dev/null | grep -v '^$' |
			head -n 80 >"$OUT/perf-sa-install.txt.children" || true
	fi
}

# --- main ------------------------------------------------------------------------

{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "kernel: $(uname -r)"
	echo "cpus: $(nproc)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
	echo "aes-ni: $(grep -qw aes /proc/cpuinfo && echo yes || echo no)"
	echo "seconds: $SECS"
	echo "warmup: $WARM"
	echo "runs: $RUNS"
	echo "sizes: $SIZES"
	echo "reject_size: $REJ_SIZE"
	echo "blast_mode: $BLAST_MODE"
	echo "sa_count: $SA_COUNT"
	echo "sa_sides: $SA_SIDES"
	echo "mem_count: $MEM_COUNT"
	echo "git: $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)"
} >"$OUT/meta.txt"

start=$SECONDS
if want path || want perf || want reject; then
	setup_path
fi
{
	echo "crypto drivers instantiated (name driver):"
	awk '/^name/ { n = $3 } /^driver/ { d = $3 }
	     /^refcnt/ { if ($3 > 1) print "  " n, d }' /proc/crypto | sort -u
} >>"$OUT/meta.txt"
want path && run_path
want reject && run_reject
want scale && [ "$SA_COUNT" -gt 0 ] && run_scale
want mem && run_mem
if want perf && [ "$PERF" = 1 ]; then
	run_perf
fi
for ns in "${namespaces[@]}"; do
	case $ns in
	bench-tx-veth | bench-*macsec | bench-rej-* | bench-scale) continue ;;
	esac
	{ $CTL -n "$ns" -s link show
	  $CTL -n "$ns" -s sa show; } >"$OUT/counters/${ns#bench-}.txt" 2>&1 ||
		true
done
echo "elapsed: $((SECONDS - start)) s" >>"$OUT/meta.txt"
log "done in $((SECONDS - start)) s"
