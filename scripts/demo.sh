#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'make': build the x86_64 guest kernel, boot it, run scripts/guest/demo.sh
# inside (ext2 -o xip on a brd RAM disk, a static binary run from it) and
# print what it found.  Fails, saying what is missing, when the kernel has no
# working XIP.  DEMO_ARCH=s390x|aarch64 runs it in that guest instead
# (-> demo-ARCH.tap; no fs-DAX comparison there).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ARCH=${DEMO_ARCH:-x86_64}
arch_vars "$ARCH"
mkdir -p "$RESULTS"
OUT=$RESULTS/demo-$ARCH.tap
"$ROOT/scripts/build-kernel.sh" "$ARCH"
brc=$?
if [ $brc = 3 ]; then
	echo "WARNING: the $ARCH kernel lacks requested options (above); booting it anyway" >&2
elif [ $brc != 0 ]; then
	echo "XIP demo: FAIL - the $ARCH kernel did not build (see $LOGS/build-$ARCH.log)"
	exit 1
fi
"$ROOT/scripts/guest-run.sh" "$ARCH" "$ROOT/scripts/guest/demo.sh" "$OUT"
grc=$?
echo
echo "---- guest output ($OUT; console: ${OUT%.tap}.console.log) ----"
cat "$OUT"
echo "----"
if [ $grc = 0 ] && [ $brc = 0 ] && grep -q '^# XIP demo: PASS' "$OUT"; then
	echo "XIP demo: PASS"
	exit 0
fi
echo "XIP demo: FAIL"
[ $brc = 3 ] && sed 's/^/  kernel config: /' "$OBJ/config-check.txt"
grep -E '^not ok' "$OUT" | sed 's/^/  /'
exit 1
