#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'make': build the x86_64 guest kernel, boot it, run scripts/guest/demo.sh
# inside (ext2 -o xip on a brd RAM disk, a static binary run from it) and
# print what it found.  Fails, saying what is missing, when the kernel has no
# working XIP.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$RESULTS"
OUT=$RESULTS/demo-x86_64.tap
"$ROOT/scripts/build-kernel.sh" x86_64
brc=$?
if [ $brc = 3 ]; then
	echo "WARNING: the x86_64 kernel lacks requested options (above); booting it anyway" >&2
elif [ $brc != 0 ]; then
	echo "XIP demo: FAIL - the x86_64 kernel did not build (see $LOGS/build-x86_64.log)"
	exit 1
fi
"$ROOT/scripts/guest-run.sh" x86_64 "$ROOT/scripts/guest/demo.sh" "$OUT"
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
[ $brc = 3 ] && sed 's/^/  kernel config: /' "$BUILD/x86_64/config-check.txt"
grep -E '^not ok' "$OUT" | sed 's/^/  /'
exit 1
