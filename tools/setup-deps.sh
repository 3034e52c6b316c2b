#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package that aiotsec's build, tests and demo need.
# Does nothing when they are all installed already.  Needs root (or sudo)
# when something is missing.
set -euo pipefail

PKGS=(
	build-essential pkg-config bc cpio gzip xz-utils kmod
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	qemu-system-x86 busybox-static
	iproute2 ethtool tcpdump
	libmnl-dev libsqlite3-dev libssl-dev
	python3 python3-yaml
	linux-perf
)

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "setup-deps: installing: ${missing[*]}" >&2
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $SUDO apt-get update -q &&
       $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; \
     } >"$log" 2>&1; then
	cat "$log" >&2
	echo "setup-deps: apt-get failed" >&2
	exit 1
fi
