# SPDX-License-Identifier: GPL-2.0
#
# aiotsec top-level Makefile.
#
#   make              build kernel/aiotsec.ko and the userspace programs
#   make check        install dependencies, build, run unit tests natively
#                     and the kselftests in a QEMU VM
#   make demo         the end-to-end demo in a QEMU VM
#   make bench        pktgen benchmarks next to MACsec, reject paths and SA
#                     scale in a QEMU VM; tables in bench-results/
#   make checkpatch   kernel style check of kernel/ and the uapi header
#
# make AIOTSEC_DEBUG=1 builds the module with its test knobs in debugfs
# (CONFIG_AIOTSEC_DEBUG); make check does, the other targets do not.
#
# KDIR defaults to the headers of the Debian 6.1 test kernel when they are
# installed, else to the running kernel's; override with make KDIR=...

KVER ?= $(shell $(CURDIR)/tools/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build
# No vmlinux in a headers package: skip the BTF step instead of warning.
KBUILD_OPTS := CONFIG_DEBUG_INFO_BTF_MODULES=

.PHONY: all module user unit deps check demo bench checkpatch clean

all: module user

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_OPTS) modules

user:
	$(MAKE) -C user

unit:
	$(MAKE) -C tools/testing/unit

deps:
	tools/setup-deps.sh

# the tests want the module's test knobs (debugfs): a debug build
check: deps
	$(MAKE) all unit AIOTSEC_DEBUG=1
	tools/testing/check.sh

demo: deps
	$(MAKE) all
	tools/demo.sh

bench: deps
	$(MAKE) all
	$(MAKE) -C tools/testing/aiotsec/bench
	tools/bench.sh

checkpatch:
	tools/checkpatch.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C user clean
	$(MAKE) -C tools/testing/unit clean
