#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job (make demo): boots the test VM and runs tools/demo-vm.sh in
# it: aiotsecd on a reader link and 100 simulated devices (aiot-devsim)
# authenticate, rekey and send protected frames, attacks are refused,
# and the counters are printed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
exec tools/testing/vm/run.sh -t 900 -- tools/demo-vm.sh
