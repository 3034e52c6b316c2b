#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - run a command as root inside a throw-away QEMU VM that boots the
# Debian kernel aiotsec is tested against, never on the host's own kernel.
#
# Usage:
#   tools/testing/vm/run.sh [-t SECONDS] [-m MEM] [-k KVER] [-- CMD ARGS...]
#
#   -t SECONDS  wall-clock limit for the whole VM, boot included (default 600)
#   -m MEM      guest memory, as QEMU's -m takes it (default 2G)
#   -k KVER     kernel release to boot: /boot/vmlinuz-KVER with the modules of
#               /lib/modules/KVER (default: what tools/kver.sh prints)
#   -h          print this help
#   CMD ARGS    the command to run, as root (default: uname -a)
#
# The guest sees the host's root file system read-only at the same paths, so
# CMD runs in the caller's working directory (the repository is at the same
# path inside).  tmpfs is mounted on /tmp, /run and /var/tmp (the caller's
# working directory stays visible if it lies below one of them); proc, sysfs,
# devtmpfs, devpts, debugfs, tracefs and bpffs are mounted; "lo" is up; the
# host name is aiotsec-vm.  `modprobe` loads the host's modules for KVER.
#
# CMD's environment holds only PATH, HOME=/root, TERM=dumb, AIOTSEC_VM=1,
# AIOTSEC_VM_OUT (see below) and every exported host variable whose name
# starts with AIOTSEC_.  Its stdin is /dev/null; its stdout and stderr come
# out on run.sh's stdout and stderr (streamed while it runs).  The kernel's
# console log is kept apart and shown on stderr only when something failed.
#
# Inside the VM, $AIOTSEC_VM_OUT names a writable directory.  When the VM has
# ended, the files left there are copied into the host directory named by
# the caller's $AIOTSEC_VM_OUT (created if missing), or discarded if the
# caller did not set it.  If the caller sets AIOTSEC_VM_LOG, the kernel
# console log is also copied to that host file.
#
# Exit status:
#   CMD's own exit status, if it finished and the kernel logged no problem;
#   non-zero if the kernel log shows an oops, WARNING, BUG, panic, general
#     protection fault, call trace, kmemleak, hung task, KASAN, UBSAN,
#     refcount_t or unregister_netdevice report: CMD's status if that was
#     non-zero, else 125 (the report is printed on stderr);
#   124 if the VM did not finish within the time limit (QEMU is killed);
#   125 if the VM ended without reporting CMD's status (crash, panic, boot
#     failure) or run.sh itself failed, including bad usage.
#
# Each run uses its own temporary directory, so runs may go in parallel.  The
# initramfs (busybox, init.sh as /init, the virtio/9p modules) is built once
# per kernel release into ${XDG_CACHE_HOME:-$HOME/.cache}/aiotsec-vm/ and
# rebuilt when it is missing or older than this script, init.sh, busybox or
# the kernel's modules.dep.  The uncompressed kernel is extracted there too
# (about 66 MB) and booted through its PVH entry point, which saves the
# seconds the kernel would spend decompressing itself under TCG.  QEMU uses
# KVM when /dev/kvm can run a vCPU of -cpu max (a probe of QEMU's start,
# without booting), else TCG.  The guest caches the host root
# loosely: host files changed while the VM runs may look unchanged inside.
#
# Needs: qemu-system-x86_64, busybox (static), cpio, gzip, xz, GNU coreutils.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prog=${0##*/}

usage() {
	cat <<EOF
Usage: $prog [-t SECONDS] [-m MEM] [-k KVER] [-- CMD ARGS...]
Run CMD ARGS (default: uname -a) as root inside a QEMU VM booting the test
kernel, in the same working directory, with the host root read-only.

  -t SECONDS  time limit for the whole VM (default 600); on expiry exit 124
  -m MEM      guest memory (default 2G)
  -k KVER     kernel release to boot (default: tools/kver.sh)
  -h          show this help

Inside, \$AIOTSEC_VM_OUT is a writable directory whose files are copied to the
host directory \$AIOTSEC_VM_OUT names, if set.  Exit status: CMD's; 125 when
the kernel logged an oops/WARNING/BUG (and CMD succeeded) or the VM died;
124 on timeout.  See the header of $here/run.sh.
EOF
}

err() {
	echo "$prog: $*" >&2
}

die() {
	err "$*"
	exit 125
}

timeout_s=600
mem=2G
kver=
while getopts ':t:m:k:h' opt; do
	case $opt in
	t) timeout_s=$OPTARG ;;
	m) mem=$OPTARG ;;
	k) kver=$OPTARG ;;
	h)
		usage
		exit 0
		;;
	:) die "option -$OPTARG needs an argument (see -h)" ;;
	*) die "unknown option -$OPTARG (see -h)" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- uname -a
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "-t wants a positive number of seconds"
[ -n "$kver" ] || kver=$("$here/../../kver.sh") || die "tools/kver.sh failed"

kernel=/boot/vmlinuz-$kver
moddir=/lib/modules/$kver
[ -r "$kernel" ] || die "no kernel $kernel"
[ -r "$moddir/modules.dep" ] || die "no modules in $moddir"
for tool in qemu-system-x86_64 cpio gzip tail timeout; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
busybox=$(command -v busybox) || die "busybox not found"
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is not static: apt-get install busybox-static"
fi

# Everything of this run lives in $work; the trap removes it and stops QEMU.
work=$(mktemp -d "${TMPDIR:-/tmp}/aiotsec-vm.XXXXXX")
qpid=
tails=()
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
	local p
	if [ -n "$qpid" ]; then
		# timeout(1) passes the signal on to QEMU, and KILLs it 5 s later.
		kill "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	for p in "${tails[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE

# --- the initramfs -----------------------------------------------------------

# Modules the init needs, by name; their dependencies come from modules.dep.
wanted=(virtio_pci 9pnet_virtio 9p)

declare -A moddeps=() seen=()
order=()

# Add module file $1 (relative to $moddir) after its dependencies.
add_mod_file() {
	local f=$1 d
	[ -z "${seen[$f]:-}" ] || return 0
	seen[$f]=1
	for d in ${moddeps[$f]}; do
		add_mod_file "$d"
	done
	order+=("$f")
}

build_initramfs() {
	local img=$1 stage f name dest a line n=0
	while IFS= read -r line; do
		moddeps[${line%%:*}]=${line#*:}
	done <"$moddir/modules.dep"
	for name in "${wanted[@]}"; do
		f=
		for a in "${!moddeps[@]}"; do
			if [[ ${a##*/} =~ ^${name//[-_]/[-_]}\.ko(\.(xz|gz|zst))?$ ]]; then
				f=$a
				break
			fi
		done
		if [ -n "$f" ]; then
			add_mod_file "$f"
		elif ! grep -Eq "/${name//[-_]/[-_]}\.ko$" "$moddir/modules.builtin"; then
			die "module $name is neither in $moddir nor built in"
		fi
	done

	stage=$work/initramfs
	mkdir -p "$stage"/{bin,dev,proc,sys,newroot,share,keep,modules}
	cp "$busybox" "$stage/bin/busybox"
	for a in $("$busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$stage/bin/$a"
	done
	cp "$here/init.sh" "$stage/init"
	chmod 755 "$stage/init"
	for f in "${order[@]}"; do
		n=$((n + 1))
		name=${f##*/}
		dest=$(printf '%02d-%s.ko' "$n" "${name%%.ko*}")
		case $f in
		*.ko) cp "$moddir/$f" "$stage/modules/$dest" ;;
		*.ko.xz) xz -dc "$moddir/$f" >"$stage/modules/$dest" ;;
		*.ko.gz) gzip -dc "$moddir/$f" >"$stage/modules/$dest" ;;
		*.ko.zst) zstd -qdc "$moddir/$f" >"$stage/modules/$dest" ;;
		*) die "cannot handle module file $f" ;;
		esac
		echo "$dest" >>"$stage/modules/order"
	done
	touch "$stage/modules/order"

	mkdir -p "${img%/*}"
	(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$img.$$"
	# Atomic, so that parallel runs never see half an image.
	mv -f "$img.$$" "$img"
}

cache=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/aiotsec-vm
initrd=$cache/initramfs-$kver.cpio.gz
if [ ! -s "$initrd" ] || [ "$here/run.sh" -nt "$initrd" ] ||
	[ "$here/init.sh" -nt "$initrd" ] || [ "$busybox" -nt "$initrd" ] ||
	[ "$moddir/modules.dep" -nt "$initrd" ]; then
	build_initramfs "$initrd"
fi

# Booting the uncompressed kernel through its PVH entry point skips the
# kernel's self-decompression, which takes seconds under TCG.  Fall back to
# the bzImage when the kernel lacks PVH or cannot be extracted.
extract_vmlinux() {
	local out=$1 magic unpack off tmp=$1.$$
	grep -qx 'CONFIG_PVH=y' "/boot/config-$kver" 2>/dev/null || return 1
	for magic in $'\xfd7zXZ:xz' $'\x28\xb5\x2f\xfd:zstd' $'\x1f\x8b\x08:gzip'; do
		unpack=${magic##*:}
		command -v "$unpack" >/dev/null || continue
		off=$(LC_ALL=C grep -abo -m1 "${magic%:*}" "$kernel" | head -n1) || true
		[ -n "$off" ] || continue
		mkdir -p "${out%/*}"
		tail -c +"$((${off%%:*} + 1))" "$kernel" |
			"$unpack" -dcq >"$tmp" 2>/dev/null || true
		if [ "$(LC_ALL=C head -c 4 "$tmp")" = $'\x7fELF' ]; then
			mv -f "$tmp" "$out"
			return 0
		fi
		rm -f "$tmp"
	done
	return 1
}

vmlinux=$cache/vmlinux-$kver
if [ ! -s "$vmlinux" ] || [ "$kernel" -nt "$vmlinux" ]; then
	extract_vmlinux "$vmlinux" || rm -f "$vmlinux"
fi
if [ -s "$vmlinux" ]; then
	kernel=$vmlinux
fi

# --- the command -------------------------------------------------------------

share=$work/share
mkdir -p "$share/out"
: >"$share/stdout"
: >"$share/stderr"
printf '%s\n' "$PWD" >"$share/cwd"
{
	echo '# Generated by run.sh; run by the VM init with bash in the host root.'
	while IFS= read -r v; do
		case $v in
		AIOTSEC_VM | AIOTSEC_VM_OUT) ;;
		AIOTSEC_*) printf 'export %s=%q\n' "$v" "${!v}" ;;
		esac
	done < <(compgen -e)
	echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
	echo 'export HOME=/root TERM=dumb AIOTSEC_VM=1'
	echo 'export AIOTSEC_VM_OUT=/run/aiotsec-vm/out'
	printf 'cd -- %q || exit 125\n' "$PWD"
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} >"$share/cmd.sh"

# --- the VM ------------------------------------------------------------------

console=$work/console.log
qlog=$work/qemu.log
: >"$console"
# KVM only if QEMU can reset a vCPU of this model on it: a nested /dev/kvm
# may refuse one of -cpu max's MSRs, and QEMU then aborts at the reset.
# The probe stops at once (-S, then "quit" on the monitor); an abort
# leaves no core file.
kvm_probe() {
	(
		ulimit -c 0
		echo quit | timeout -k 5 20 qemu-system-x86_64 -nodefaults \
			-no-user-config -display none -accel kvm -cpu max \
			-m 64M -S -monitor stdio
	) >"$work/kvm-probe.log" 2>&1
}
accel=tcg
if [ ! -e /dev/kvm ]; then
	:
elif ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	err "/dev/kvm is not readable and writable here: running with TCG"
elif kvm_probe; then
	accel=kvm
else
	why=$(sed -n '/warning:/d; s/.*qemu-system-x86_64: //p' \
		"$work/kvm-probe.log" | head -n 1)
	err "/dev/kvm cannot start a vCPU of -cpu max (${why:-no reason given}): running with TCG"
fi
append="console=ttyS0 panic=-1 oops=panic panic_on_warn=0 8250.nr_uarts=1"
append+=" mitigations=off random.trust_cpu=on"

timeout -k 5 "$timeout_s" qemu-system-x86_64 \
	-nodefaults -no-user-config -display none -no-reboot \
	-accel "$accel" -cpu max -m "$mem" -smp 2 \
	-serial "file:$console" \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=root,mount_tag=hostroot \
	-fsdev "local,id=results,path=$share,security_model=none" \
	-device virtio-9p-pci,fsdev=results,mount_tag=results \
	</dev/null >"$qlog" 2>&1 &
qpid=$!

# Stream CMD's output; tail drains the file and quits once QEMU is gone.
tail -s 0.1 -c +1 -f --pid="$qpid" "$share/stdout" &
tails+=($!)
tail -s 0.1 -c +1 -f --pid="$qpid" "$share/stderr" >&2 &
tails+=($!)

qrc=0
wait "$qpid" || qrc=$?
qpid=
for p in "${tails[@]}"; do
	wait "$p" || true
done
tails=()

# --- the verdict -------------------------------------------------------------

if [ -n "${AIOTSEC_VM_OUT:-}" ]; then
	mkdir -p "$AIOTSEC_VM_OUT"
	cp -R "$share/out/." "$AIOTSEC_VM_OUT/" ||
		err "cannot copy the VM's output files into $AIOTSEC_VM_OUT"
fi
if [ -n "${AIOTSEC_VM_LOG:-}" ]; then
	cp "$console" "$AIOTSEC_VM_LOG" || err "cannot copy the console log"
fi

problems='Oops|WARNING:|BUG:|Kernel panic|general protection fault'
problems+='|Call Trace:|kmemleak|hung_task|blocked for more than|KASAN'
problems+='|UBSAN|refcount_t:|unregister_netdevice: waiting for'

# Report the problems the kernel logged, with the console log around the
# first one, on stderr; false if there are none.
show_problem() {
	local first from
	first=$(grep -n -m1 -E "$problems" "$console" | cut -d: -f1) || return 1
	[ -n "$first" ] || return 1
	from=$((first > 10 ? first - 10 : 1))
	err "FAIL: the kernel logged a problem:"
	grep -E "$problems" "$console" | head -n 10 | sed 's/^/    /' >&2
	err "kernel console log from line $from:"
	sed -n "$from,$((first + 80))p" "$console" >&2
	err "(end of the kernel console log excerpt)"
}

show_tail() {
	err "last lines of the kernel console log:"
	tail -n 40 "$console" >&2 || true
	if [ -s "$qlog" ]; then
		err "QEMU said:"
		cat "$qlog" >&2
	fi
}

if [ -s "$share/status" ]; then
	rc=$(cat "$share/status")
	[[ $rc =~ ^[0-9]+$ ]] || die "bad exit status '$rc' from the VM"
	if show_problem; then
		err "FAIL: the command exited with status $rc, but the kernel logged a problem"
		[ "$rc" -ne 0 ] || rc=125
	fi
	exit "$rc"
fi

if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	err "FAIL: timeout: the VM did not finish within $timeout_s s; QEMU killed"
	show_problem || show_tail
	exit 124
fi

if [ -s "$share/error" ]; then
	err "VM setup failed: $(cat "$share/error")"
fi
if ! show_problem; then
	show_tail
fi
err "FAIL: the VM ended without reporting the command's exit status"
exit 125
