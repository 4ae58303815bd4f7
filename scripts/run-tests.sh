#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'make test': every suite, in an order that builds each kernel once and
# reuses it (KUnit x86_64/s390 boot the guest kernels).  Goes on through all
# suites when one fails, so that every result file exists, then prints the
# summary and fails naming what failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
SELFTESTS=$ROOT/tools/testing/selftests/filesystems/xip
GUEST_SCRIPT=$SELFTESTS/run_guest.sh
declare -a STEPS=()
T0=$(date +%s)

step() { # step NAME COMMAND...
	local name=$1 t rc
	shift
	echo "=== $name ===" >&2
	t=$(date +%s)
	"$@"
	rc=$?
	STEPS+=("$(printf '%-16s %5ss  %s' "$name" $(( $(date +%s) - t )) "$([ $rc = 0 ] && echo ok || echo "FAILED ($rc)")")")
	return $rc
}

step deps "$ROOT/scripts/deps.sh"

# x86_64: one kernel for KUnit, the selftests and the demo
step build-x86_64 "$ROOT/scripts/build-kernel.sh" x86_64
step kunit-x86_64 env SKIP_BUILD=1 "$ROOT/scripts/kunit.sh" x86_64
step guest-x86_64 "$ROOT/scripts/guest-run.sh" x86_64 "$GUEST_SCRIPT" "$RESULTS/guest-x86_64.tap"
step guest-x86_64-pmem env GUEST_PROVIDER=pmem "$ROOT/scripts/guest-run.sh" x86_64 "$GUEST_SCRIPT" "$RESULTS/guest-x86_64-pmem.tap"
step guest-x86_64-mtd env GUEST_PROVIDER=mtd "$ROOT/scripts/guest-run.sh" x86_64 "$GUEST_SCRIPT" "$RESULTS/guest-x86_64-mtd.tap"
step demo-x86_64 "$ROOT/scripts/guest-run.sh" x86_64 "$ROOT/scripts/guest/demo.sh" "$RESULTS/demo-x86_64.tap"
# hostile ext2 images, -o xip against a plain mount (a fixed seeded set)
step fuzz-x86_64 env FUZZ_N=200 FUZZ_SEED=1 FUZZ_FIRST=0 "$ROOT/scripts/fuzz.sh" "$RESULTS/fuzz-x86_64.tap"

# x86_64 debug kernel (build/x86_64-debug, configs/memcheck.config: KASAN,
# KFENCE, DEBUG_PAGEALLOC, UBSAN, panic_on_warn=1): the whole guest suite
# again on brd, with 20000 instead of 100000 xip_random ops to fit the CI
# budget (DEBUG_GUEST_ENV replaces that GUEST_ENV); 'make test-debug' runs
# the whole suite on brd and pmem
step build-x86_64-debug env BUILD_FLAVOUR=debug "$ROOT/scripts/build-kernel.sh" x86_64
step guest-x86_64-debug env BUILD_FLAVOUR=debug GUEST_ENV="${DEBUG_GUEST_ENV:-XIP_RANDOM_OPS=20000}" \
	"$ROOT/scripts/guest-run.sh" x86_64 "$GUEST_SCRIPT" "$RESULTS/guest-x86_64-debug.tap"

# s390x: the same, cross-compiled
step build-s390x "$ROOT/scripts/build-kernel.sh" s390x
step kunit-s390 env SKIP_BUILD=1 "$ROOT/scripts/kunit.sh" s390x
step guest-s390x "$ROOT/scripts/guest-run.sh" s390x "$GUEST_SCRIPT" "$RESULTS/guest-s390x.tap"
step guest-s390x-dcssblk env GUEST_PROVIDER=dcssblk "$ROOT/scripts/guest-run.sh" s390x "$GUEST_SCRIPT" "$RESULTS/guest-s390x-dcssblk.tap"

# aarch64: the same on arm64 page tables (-M virt, 4K pages)
step build-aarch64 "$ROOT/scripts/build-kernel.sh" aarch64
step kunit-aarch64 env SKIP_BUILD=1 "$ROOT/scripts/kunit.sh" aarch64
step guest-aarch64 env GUEST_PROVIDER=brd "$ROOT/scripts/guest-run.sh" aarch64 "$GUEST_SCRIPT" "$RESULTS/guest-aarch64.tap"
step guest-aarch64-mtd env GUEST_PROVIDER=mtd "$ROOT/scripts/guest-run.sh" aarch64 "$GUEST_SCRIPT" "$RESULTS/guest-aarch64-mtd.tap"

# UML KUnit (its own build) and the static checks
step kunit-um "$ROOT/scripts/kunit.sh" um
step checks env CHECKS_BUILD=0 "$ROOT/scripts/checks.sh"

echo >&2
echo "step timings (total $(( $(date +%s) - T0 ))s):" >&2
printf '  %s\n' "${STEPS[@]}" >&2
echo >&2
exec python3 "$ROOT/scripts/summary.py" \
	"$RESULTS/kunit-um.ktap" "$RESULTS/kunit-x86_64.ktap" "$RESULTS/kunit-s390.ktap" \
	"$RESULTS/guest-x86_64.tap" "$RESULTS/guest-x86_64-pmem.tap" "$RESULTS/guest-x86_64-mtd.tap" \
	"$RESULTS/guest-x86_64-debug.tap" \
	"$RESULTS/guest-s390x.tap" "$RESULTS/guest-s390x-dcssblk.tap" \
	"$RESULTS/kunit-aarch64.ktap" "$RESULTS/guest-aarch64.tap" "$RESULTS/guest-aarch64-mtd.tap" \
	"$RESULTS/demo-x86_64.tap" \
	"$RESULTS/fuzz-x86_64.tap" "$RESULTS/checks.log"
