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
step demo-x86_64 "$ROOT/scripts/guest-run.sh" x86_64 "$ROOT/scripts/guest/demo.sh" "$RESULTS/demo-x86_64.tap"

# s390x: the same, cross-compiled
step build-s390x "$ROOT/scripts/build-kernel.sh" s390x
step kunit-s390 env SKIP_BUILD=1 "$ROOT/scripts/kunit.sh" s390x
step guest-s390x "$ROOT/scripts/guest-run.sh" s390x "$GUEST_SCRIPT" "$RESULTS/guest-s390x.tap"
step guest-s390x-dcssblk env GUEST_PROVIDER=dcssblk "$ROOT/scripts/guest-run.sh" s390x "$GUEST_SCRIPT" "$RESULTS/guest-s390x-dcssblk.tap"

# UML KUnit (its own build) and the static checks
step kunit-um "$ROOT/scripts/kunit.sh" um
step checks env CHECKS_BUILD=0 "$ROOT/scripts/checks.sh"

echo >&2
echo "step timings (total $(( $(date +%s) - T0 ))s):" >&2
printf '  %s\n' "${STEPS[@]}" >&2
echo >&2
exec python3 "$ROOT/scripts/summary.py" \
	"$RESULTS/kunit-um.ktap" "$RESULTS/kunit-x86_64.ktap" "$RESULTS/kunit-s390.ktap" \
	"$RESULTS/guest-x86_64.tap" "$RESULTS/guest-x86_64-pmem.tap" \
	"$RESULTS/guest-s390x.tap" "$RESULTS/guest-s390x-dcssblk.tap" "$RESULTS/demo-x86_64.tap" \
	"$RESULTS/checks.log"
