#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the release string of the kernel that aiotsec is built and tested
# against: the newest installed Debian 6.1 amd64 kernel that has headers,
# or, when there is none, the running kernel.  AIOTSEC_KVER overrides.
set -euo pipefail

if [ -n "${AIOTSEC_KVER:-}" ]; then
	echo "$AIOTSEC_KVER"
	exit 0
fi
best=$(for d in /lib/modules/6.1.*-amd64; do
	[ -e "$d/build/Makefile" ] && echo "${d##*/}"
done | sort -V | tail -n1)
echo "${best:-$(uname -r)}"
