# SPDX-License-Identifier: GPL-2.0
# Build / boot / test rig for the ext2 execute-in-place (XIP) series on
# Linux 6.12.  Everything it makes goes to build/ (ccache stays in
# $CCACHE_DIR, default ~/.cache/ccache).  'make help' lists the targets.
#
# Variables (all optional):
#   KSRC=/path/to/linux-6.12   base tree instead of Debian's linux-source-6.12
#                              tarball (copied, never modified)
#   KTARBALL=...               the tarball (default /usr/src/linux-source-6.12.tar.xz)
#   JOBS=N                     make -j (default: nproc)
#   S390_DCSSBLK=0             leave configs/s390x-dcssblk.config (DCSS + its KUnit test) out
#   QEMU_TIMEOUT=secs          before a guest is killed (default 600 x86_64, 1200 x86_64 debug kernel, s390x and aarch64)
#   DEMO_ARCH=x86_64|s390x|aarch64  the guest 'make demo' runs in (default x86_64)
#   BENCH_ARCH=x86_64|s390x    the guest 'make bench' runs in (default x86_64)
#   BENCH_KERNEL=release|debug 'make bench' kernel: build/ARCH-release (configs/release.config
#                              instead of debug.config; x86_64 default) or build/ARCH (s390x default)
#   BENCH_MIB= BENCH_WRITE_MIB= BENCH_MMAP_MIB= BENCH_SWEEP=1,16,256 BENCH_REPS=7 BENCH_SAMPLE_S=0.2
#                              'make bench' file sizes (MiB) and samples per metric (scripts/bench.sh)
#   XIP_CONFIG=, UM_KUNITCONFIG=  other config fragments (for testing the rig itself)

SHELL := /bin/bash
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
export ROOT
export KSRC KTARBALL JOBS S390_DCSSBLK QEMU_TIMEOUT XIP_CONFIG UM_KUNITCONFIG BENCH_ARCH DEMO_ARCH
export BENCH_KERNEL BENCH_MIB BENCH_WRITE_MIB BENCH_MMAP_MIB BENCH_SWEEP BENCH_REPS BENCH_SAMPLE_S

S := $(ROOT)/scripts
RESULTS := $(ROOT)/build/test-results
SELFTESTS := $(ROOT)/tools/testing/selftests/filesystems/xip

.DEFAULT_GOAL := demo
.PHONY: demo all help deps tree kernel-x86_64 kernel-s390x kernel-aarch64 kernels \
	kunit-um kunit-x86_64 kunit-s390 kunit-aarch64 guest-x86_64 guest-s390x guest-aarch64 checks \
	guest-x86_64-pmem guest-x86_64-mtd guest-s390x-dcssblk share soak fuzz \
	test test-debug summary bench series series-check clean distclean

demo: ## (default) build the x86_64 guest (DEMO_ARCH=), boot it, run an ELF from ext2 -o xip and show where it is mapped from
	@$(S)/demo.sh

all: demo

help: ## list the targets
	@echo "targets:"
	@grep -E '^[a-z0-9_-]+:.*## ' $(lastword $(MAKEFILE_LIST)) | \
		awk -F':.*## ' '{ printf "  %-14s %s\n", $$1, $$2 }'
	@echo "variables: KSRC=<6.12 tree> JOBS=N S390_DCSSBLK=0 QEMU_TIMEOUT=secs (see the top of the Makefile)"

deps: ## install missing packages with apt-get (and the s390x and arm64 guest busybox/e2fsck into build/)
	@$(S)/deps.sh

tree: ## prepare build/src: base tree + patches/series + overlay files
	@$(S)/prepare-tree.sh

kernel-x86_64: ## configure (tinyconfig + configs/) and build the x86_64 guest kernel in build/x86_64
	@$(S)/build-kernel.sh x86_64

kernel-s390x: ## configure and cross-build the s390x guest kernel in build/s390x
	@$(S)/build-kernel.sh s390x

kernel-aarch64: ## configure and cross-build the aarch64 guest kernel in build/aarch64
	@$(S)/build-kernel.sh aarch64

kernels: kernel-x86_64 kernel-s390x kernel-aarch64 ## all three guest kernels

kunit-um: ## KUnit on UML (kunit.py run, configs/kunit-um.kunitconfig) -> build/test-results/kunit-um.ktap
	@$(S)/kunit.sh um

kunit-x86_64: ## KUnit in the x86_64 guest kernel under QEMU (kunit.py exec) -> kunit-x86_64.ktap
	@$(S)/kunit.sh x86_64

kunit-s390: ## KUnit in the s390x guest kernel under QEMU, -cpu qemu,vx=off -> kunit-s390.ktap
	@$(S)/kunit.sh s390x

kunit-aarch64: ## KUnit in the aarch64 guest kernel under QEMU (-M virt -cpu max) -> kunit-aarch64.ktap
	@$(S)/kunit.sh aarch64

guest-x86_64: kernel-x86_64 ## run the XIP selftests (run_guest.sh) in an x86_64 guest -> guest-x86_64.tap
	@$(S)/guest-run.sh x86_64 $(SELFTESTS)/run_guest.sh $(RESULTS)/guest-x86_64.tap

guest-s390x: kernel-s390x ## run the XIP selftests in an s390x guest -> guest-s390x.tap
	@$(S)/guest-run.sh s390x $(SELFTESTS)/run_guest.sh $(RESULTS)/guest-s390x.tap

guest-aarch64: kernel-aarch64 ## run the XIP selftests in an aarch64 guest (-M virt, brd) -> guest-aarch64.tap
	@GUEST_PROVIDER=brd $(S)/guest-run.sh aarch64 $(SELFTESTS)/run_guest.sh $(RESULTS)/guest-aarch64.tap

soak: kernel-x86_64 ## (not in 'make test') the guest suite with SOAK_OPS (2000000) xip_random ops on x86_64 brd -> soak-x86_64.tap
	@GUEST_ENV="XIP_RANDOM_OPS=$(or $(SOAK_OPS),2000000) XIP_RANDOM_SEED=$(or $(SOAK_SEED),1)" \
		QEMU_TIMEOUT=$(or $(QEMU_TIMEOUT),3600) \
		$(S)/guest-run.sh x86_64 $(SELFTESTS)/run_guest.sh $(RESULTS)/soak-x86_64.tap

fuzz: kernel-x86_64 ## (not in 'make test', which runs 200) N (2000) hostile ext2 images from SEED (1), -o xip against a plain mount, x86_64 brd -> build/fuzz/fuzz-x86_64.tap
	@FUZZ_N=$(or $(N),2000) FUZZ_SEED=$(or $(SEED),1) FUZZ_FIRST=$(or $(FIRST),0) $(S)/fuzz.sh

guest-x86_64-pmem: kernel-x86_64 ## the XIP selftests on QEMU nvdimm raw namespaces (no struct page) -> guest-x86_64-pmem.tap
	@GUEST_PROVIDER=pmem $(S)/guest-run.sh x86_64 $(SELFTESTS)/run_guest.sh $(RESULTS)/guest-x86_64-pmem.tap

guest-x86_64-mtd: kernel-x86_64 ## the XIP selftests on phram over memmap=$ RAM (/dev/mtdblock0), and the MTD tests -> guest-x86_64-mtd.tap
	@GUEST_PROVIDER=mtd $(S)/guest-run.sh x86_64 $(SELFTESTS)/run_guest.sh $(RESULTS)/guest-x86_64-mtd.tap

guest-s390x-dcssblk: kernel-s390x ## the XIP selftests on a fake DCSS (no struct page) in the s390x guest -> guest-s390x-dcssblk.tap
	@GUEST_PROVIDER=dcssblk $(S)/guest-run.sh s390x $(SELFTESTS)/run_guest.sh $(RESULTS)/guest-s390x-dcssblk.tap

checks: ## checkpatch --strict, sparse, config and overlay checks -> checks.log (TAP)
	@$(S)/checks.sh

test: ## all of the above; prints per-suite counts and 'N passed, N failed'
	@$(S)/run-tests.sh

test-debug: ## (not in 'make test') the x86_64 debug kernel (configs/memcheck.config: KASAN, KFENCE, UBSAN, ...) in build/x86_64-debug and the whole guest suite on it, brd and pmem -> guest-x86_64-debug{,-pmem}.tap
	@BUILD_FLAVOUR=debug $(S)/build-kernel.sh x86_64; \
	BUILD_FLAVOUR=debug $(S)/guest-run.sh x86_64 $(SELFTESTS)/run_guest.sh $(RESULTS)/guest-x86_64-debug.tap; \
	BUILD_FLAVOUR=debug GUEST_PROVIDER=pmem $(S)/guest-run.sh x86_64 $(SELFTESTS)/run_guest.sh \
		$(RESULTS)/guest-x86_64-debug-pmem.tap; \
	python3 $(S)/summary.py $(RESULTS)/guest-x86_64-debug.tap $(RESULTS)/guest-x86_64-debug-pmem.tap

summary: ## re-print the summary of the last 'make test'
	@python3 $(S)/summary.py $(RESULTS)/kunit-um.ktap $(RESULTS)/kunit-x86_64.ktap \
		$(RESULTS)/kunit-s390.ktap $(RESULTS)/guest-x86_64.tap $(RESULTS)/guest-x86_64-pmem.tap \
		$(RESULTS)/guest-x86_64-mtd.tap $(RESULTS)/guest-x86_64-debug.tap \
		$(RESULTS)/guest-s390x.tap $(RESULTS)/guest-s390x-dcssblk.tap \
		$(RESULTS)/kunit-aarch64.ktap $(RESULTS)/guest-aarch64.tap $(RESULTS)/guest-aarch64-mtd.tap \
		$(RESULTS)/demo-x86_64.tap $(RESULTS)/fuzz-x86_64.tap $(RESULTS)/checks.log

bench: ## release-kernel guest: ext2 -o xip vs page cache, tmpfs, -o dax, memcpy (BENCH_ARCH=x86_64|s390x) -> build/bench/bench-ARCH.{csv,md,png}
	@$(S)/bench.sh

share: kernel-x86_64 ## one read-only ext2 image, K x86_64 guests (SHARE_GUESTS=3) on one shared nvdimm: host copies with -o xip vs page cache -> build/share/
	@$(S)/share.sh

series: ## git am the work onto the base tree as the commits of scripts/series.map -> build/series (repo) and build/series/out (mails + cover letter); needs SERIES_AUTHOR= or git config user.name/email
	@$(S)/series.sh

series-check: series ## (slow, not in 'make test') build every commit of build/series, then the final tree with other configs -> build/series-build/
	@$(S)/series-check.sh

clean: ## remove build outputs (trees, kernels, results); keeps ccache, the pristine tree and the s390x and arm64 debs
	@mkdir -p $(ROOT)/build
	@flock $(ROOT)/build/.kbuild.lock rm -rf $(ROOT)/build/src $(ROOT)/build/src.new \
		$(ROOT)/build/x86_64 $(ROOT)/build/s390x $(ROOT)/build/aarch64 $(ROOT)/build/kunit-um \
		$(ROOT)/build/x86_64-release $(ROOT)/build/s390x-release $(ROOT)/build/aarch64-release \
		$(ROOT)/build/x86_64-debug \
		$(ROOT)/build/bench \
		$(ROOT)/build/test-results $(ROOT)/build/guest $(ROOT)/build/logs $(ROOT)/build/bin

distclean: clean ## also remove the unpacked pristine tree and the s390x and arm64 userspace
	@flock $(ROOT)/build/.kbuild.lock rm -rf $(ROOT)/build/pristine $(ROOT)/build/debs \
		$(ROOT)/build/debs-s390x $(ROOT)/build/debs-arm64 \
		$(ROOT)/build/s390x-userspace $(ROOT)/build/aarch64-userspace
