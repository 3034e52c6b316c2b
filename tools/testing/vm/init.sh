#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init (PID 1) of the aiotsec test VM.  run.sh, beside this file, copies it
# into the busybox initramfs it builds; it is not meant to run anywhere else.
#
# What it does:
#   1. insmod the modules listed, in order, in /modules/order (virtio PCI
#      and 9p, taken from the host's /lib/modules/$KVER by run.sh);
#   2. mount the host's root file system read-only (9p tag "hostroot") on
#      /newroot and the run's writable results share (9p tag "results", a
#      fresh temporary directory on the host) on /share;
#   3. in the new root: tmpfs on /tmp, /run and /var/tmp (keeping the
#      caller's working directory visible if it lies below one of them),
#      proc, sysfs, devtmpfs, devpts, /dev/shm, debugfs, tracefs, bpffs,
#      and the results share again on /run/aiotsec-vm;
#   4. set the host name, bring up "lo", make the kernel's module
#      autoloading use the host's modprobe in the new root;
#   5. chroot into the host root and run /run/aiotsec-vm/cmd.sh (written by
#      run.sh) with bash and an empty environment, stdin from /dev/null,
#      stdout and stderr appended to the share's "stdout" and "stderr";
#   6. write the command's exit status to the share's "status" file and
#      power the VM off.
#
# Errors before the command ran are reported on the console and in the
# share's "error" file; the VM is then powered off without a "status" file,
# which run.sh turns into exit status 125.  PID 1 must never exit (that
# panics the kernel), hence no "set -e" and an explicit power-off on every
# path.

PATH=/bin
export PATH

R=/newroot
S=/share

msg() {
	echo "aiotsec-vm: $*"
}

off() {
	sync
	poweroff -f
	echo o >/proc/sysrq-trigger
	while :; do
		sleep 3600
	done
}

die() {
	msg "error: $*"
	echo "$*" >>"$S/error" 2>/dev/null
	off
}

# Mount 9p tag $1 on $2 with extra options $3; the virtio device may need a
# moment to show up after the driver is loaded.
mount9p() {
	i=0
	while ! mount -t 9p -o "trans=virtio,version=9p2000.L,msize=262144$3" \
		"$1" "$2" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 50 ] || return 1
		sleep 0.1
	done
}

mount -t devtmpfs devtmpfs /dev || die "cannot mount devtmpfs"
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc || die "cannot mount proc"
mount -t sysfs sysfs /sys || die "cannot mount sysfs"

while read -r m; do
	insmod "/modules/$m" || die "insmod $m failed"
done </modules/order

# cache=loose: the host root is read-only here and the VM short-lived, and
# page/dentry caching makes exec and file look-ups about twice as fast.
mount9p hostroot "$R" ,ro,cache=loose ||
	die "cannot mount the host root (9p tag hostroot)"
mount9p results "$S" "" || die "cannot mount the results share (9p tag results)"

# The caller's working directory, to be kept visible in the VM.
cwd=
[ -r "$S/cwd" ] && IFS= read -r cwd <"$S/cwd"
keep=
for d in /tmp /run /var/tmp; do
	case $cwd in
	"$d"/?*) keep=$d ;;
	esac
done
if [ -n "$keep" ]; then
	if ! mount -o bind "$R$cwd" /keep; then
		keep=
	fi
fi

for d in /tmp /var/tmp; do
	[ -d "$R$d" ] || continue
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R$d" ||
		die "cannot mount tmpfs on $d"
done
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$R/run" ||
	die "cannot mount tmpfs on /run"
mkdir -p "$R/run/lock" "$R/run/aiotsec-vm"

if [ -n "$keep" ]; then
	mkdir -p "$R$cwd"
	if ! mount -o move /keep "$R$cwd"; then
		msg "warning: cannot keep $cwd visible"
	fi
fi

mount -t proc proc "$R/proc" || die "cannot mount proc"
mount -t sysfs sysfs "$R/sys" || die "cannot mount sysfs"
mount -t devtmpfs devtmpfs "$R/dev" || die "cannot mount devtmpfs"
mkdir -p "$R/dev/pts" "$R/dev/shm"
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts "$R/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm"
ln -sfn /proc/self/fd "$R/dev/fd"
ln -sfn /proc/self/fd/0 "$R/dev/stdin"
ln -sfn /proc/self/fd/1 "$R/dev/stdout"
ln -sfn /proc/self/fd/2 "$R/dev/stderr"
mount -t debugfs debugfs "$R/sys/kernel/debug" 2>/dev/null
mount -t tracefs tracefs "$R/sys/kernel/tracing" 2>/dev/null
mount -t bpf bpf "$R/sys/fs/bpf" 2>/dev/null
mount -o bind "$S" "$R/run/aiotsec-vm" ||
	die "cannot bind the results share on /run/aiotsec-vm"

hostname aiotsec-vm
ip link set lo up

# The kernel runs its module loader (request_module: crypto algorithms,
# "ip link add ... type X", genetlink families) in the root of PID 1, which
# is this initramfs; point it at the host's modprobe inside the new root.
printf '#!/bin/sh\nexec /bin/chroot %s /sbin/modprobe "$@"\n' "$R" \
	>/bin/modprobe-newroot
chmod 755 /bin/modprobe-newroot
echo /bin/modprobe-newroot >/proc/sys/kernel/modprobe

msg "running the command"
env -i /bin/chroot "$R" /bin/bash /run/aiotsec-vm/cmd.sh \
	</dev/null >>"$S/stdout" 2>>"$S/stderr"
rc=$?
msg "command exited with status $rc"
if ! { echo "$rc" >"$S/status.tmp" && mv "$S/status.tmp" "$S/status"; }; then
	die "cannot write the exit status"
fi
off
