#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the kernel's checkpatch.pl (--strict --no-tree) on the module and the
# uapi header.  The script comes from Debian's linux-source-6.1 tarball and
# is unpacked once into a cache directory.
#
#   tools/checkpatch.sh [FILE...]     default: kernel/* and include/uapi/*
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/aiotsec-checkpatch
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1 || true)

if [ ! -x "$cache/scripts/checkpatch.pl" ]; then
	if [ -z "$tarball" ]; then
		echo "checkpatch: linux-source-6.1 is not installed (tools/setup-deps.sh)" >&2
		exit 2
	fi
	mkdir -p "$cache"
	tar -xf "$tarball" -C "$cache" --strip-components=1 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi

cd "$top"
if [ $# -eq 0 ]; then
	set -- $(ls kernel/*.[ch] | grep -v "\.mod\.c$") include/uapi/linux/*.h
fi
exec "$cache/scripts/checkpatch.pl" --strict --no-tree --quiet \
	-f "$@"
