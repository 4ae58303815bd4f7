#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'make bench': boot the guest kernel of BENCH_ARCH (default x86_64) and run
# scripts/guest/bench.sh in it, then print one table: a row per metric, a
# column per file system set-up (xip, pagecache, dax).  The table also goes
# to build/bench/bench-ARCH.txt, the raw TAP next to it.
#
# Memory rows are exact.  Times are measured under QEMU TCG: they compare
# the set-ups in one guest, they are not hardware speeds.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ARCH=${BENCH_ARCH:-x86_64}
OUTDIR=$BUILD/bench
mkdir -p "$OUTDIR"
TAP=$OUTDIR/bench-$ARCH.tap
TABLE=$OUTDIR/bench-$ARCH.txt

"$ROOT/scripts/build-kernel.sh" "$ARCH" || {
	echo "make bench: the $ARCH kernel did not build" >&2
	exit 1
}
"$ROOT/scripts/guest-run.sh" "$ARCH" "$ROOT/scripts/guest/bench.sh" "$TAP"
grc=$?

python3 - "$TAP" "$ARCH" > "$TABLE" <<'PY'
import sys
tap, arch = sys.argv[1], sys.argv[2]
rows, labels, units = {}, [], {}
for line in open(tap, errors='replace'):
    f = line.split()
    if len(f) == 6 and f[0] == '#' and f[1] == 'RESULT':
        _, _, label, metric, value, unit = f
        if label not in labels:
            labels.append(label)
        rows.setdefault(metric, {})[label] = value
        units[metric] = unit
print('make bench on %s (QEMU TCG guest; times compare set-ups, memory is exact)' % arch)
print('%-30s %-6s' % ('metric', 'unit') + ''.join('%14s' % l for l in labels))
for metric in rows:
    print('%-30s %-6s' % (metric, units[metric]) +
          ''.join('%14s' % rows[metric].get(l, '-') for l in labels))
PY
cat "$TABLE"
grep -E '^not ok' "$TAP" | sed 's/^/FAILED: /'
if [ $grc != 0 ]; then
	echo "make bench: the benchmark run failed (see $TAP)" >&2
	exit 1
fi
