#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'make bench': build a release-style guest kernel, boot it once and run
# scripts/guest/bench.sh in it (set-ups xip-brd, pagecache-brd, tmpfs,
# xip-pmem, dax-pmem, memcpy; see there), then write to build/bench/:
#   bench-ARCH.csv   setup,metric,value,unit (value: median of BENCH_REPS)
#   bench-ARCH.md    the values, their ratios to dax-pmem and to memcpy
#   bench-ARCH.png   the same as bar charts (gnuplot)
#   bench-ARCH.tap   the guest's TAP, with every sample (SAMPLES lines)
# and print the Markdown table.
#
# Variables (the Makefile passes them through):
#   BENCH_ARCH=x86_64|s390x  the guest (default x86_64; s390x has no pmem,
#                            so no xip-pmem/dax-pmem)
#   BENCH_KERNEL=release|debug  release (default on x86_64): build/ARCH-release,
#                            configs/release.config instead of debug.config;
#                            debug (default on s390x): the 'make test' kernel
#   BENCH_MIB=64 BENCH_WRITE_MIB=16 BENCH_MMAP_MIB=16 BENCH_SWEEP=1,16,256
#   BENCH_REPS=7 BENCH_SAMPLE_S=0.2
#                            file sizes (MiB), samples per metric (the median
#                            is reported), and the least time per sample (an
#                            operation repeats until then; one more sample
#                            first is a discarded warm-up).  s390x: smaller.
#
# Memory rows are exact.  Times are measured under QEMU TCG: they compare
# the set-ups in one guest (ratios), they are not hardware speeds.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ARCH=${BENCH_ARCH:-x86_64}
case $ARCH in
x86_64) dk=release; dm=64; dw=16; dp=16; ds=1,16,256; dn=7 ;;
s390x)	# s390x TCG (and its debug kernel) is ~10x slower: smaller files
	dk=debug; dm=16; dw=4; dp=4; ds=1,16,256; dn=5 ;;
*) die "BENCH_ARCH=$ARCH: x86_64 or s390x" ;;
esac
KERNEL=${BENCH_KERNEL:-$dk}
case $KERNEL in
release) export BUILD_FLAVOUR=release ;;
debug) export BUILD_FLAVOUR= ;;
*) die "BENCH_KERNEL=$KERNEL: release or debug" ;;
esac
BENCH_MIB=${BENCH_MIB:-$dm}
BENCH_WRITE_MIB=${BENCH_WRITE_MIB:-$dw}
BENCH_MMAP_MIB=${BENCH_MMAP_MIB:-$dp}
BENCH_SWEEP=${BENCH_SWEEP:-$ds}
BENCH_REPS=${BENCH_REPS:-$dn}
BENCH_SAMPLE_S=${BENCH_SAMPLE_S:-0.2}
OUTDIR=$BUILD/bench
mkdir -p "$OUTDIR"
TAP=$OUTDIR/bench-$ARCH.tap
CSV=$OUTDIR/bench-$ARCH.csv
MD=$OUTDIR/bench-$ARCH.md
PNG=$OUTDIR/bench-$ARCH.png
rm -f "$CSV" "$MD" "$PNG" "$TAP"
t0=$(date +%s)

"$ROOT/scripts/build-kernel.sh" "$ARCH" || {
	echo "make bench: the $ARCH ($KERNEL) kernel did not build" >&2
	exit 1
}
t1=$(date +%s)
# A 256 MiB file plus ext2's metadata does not fit on guest-run.sh's
# 256 MiB brd disks: 320 MiB for this boot.  xip-pmem and dax-pmem use the
# 512 MiB legacy pmem /dev/pmem0 of the brd provider.
export GUEST_PROVIDER=brd GUEST_BRD_KB=${GUEST_BRD_KB:-327680}
export GUEST_ENV="BENCH_MIB=$BENCH_MIB BENCH_WRITE_MIB=$BENCH_WRITE_MIB BENCH_MMAP_MIB=$BENCH_MMAP_MIB BENCH_SWEEP=$BENCH_SWEEP BENCH_REPS=$BENCH_REPS BENCH_SAMPLE_S=$BENCH_SAMPLE_S"
case $ARCH in x86_64) to=1200 ;; *) to=3600 ;; esac
export QEMU_TIMEOUT=${QEMU_TIMEOUT:-$to}
"$ROOT/scripts/guest-run.sh" "$ARCH" "$ROOT/scripts/guest/bench.sh" "$TAP"
grc=$?
t2=$(date +%s)

python3 - "$TAP" "$CSV" "$MD" "$OUTDIR/bench-$ARCH.gp" "$PNG" "$ARCH" "$KERNEL" \
	"$BENCH_MIB" "$BENCH_WRITE_MIB" "$BENCH_MMAP_MIB" "$BENCH_SWEEP" "$BENCH_REPS" "$BENCH_SAMPLE_S" <<'PY'
import sys, re
tap, csv, md, plot, png, arch, kernel, mib, wmib, pmib, sweep, reps, samp = sys.argv[1:]
SETUPS = ['xip-brd', 'pagecache-brd', 'tmpfs', 'xip-pmem', 'dax-pmem', 'memcpy']
vals, units, order, kver = {}, {}, [], '?'
for line in open(tap, errors='replace'):
    f = line.split()
    if line.startswith('# kernel '):
        kver = f[2]
    if len(f) == 6 and f[0] == '#' and f[1] == 'RESULT':
        _, _, setup, metric, value, unit = f
        vals[(setup, metric)] = float(value)
        units[metric] = unit
        if metric not in order:
            order.append(metric)
setups = [s for s in SETUPS if any(k[0] == s for k in vals)]
setups += sorted({k[0] for k in vals} - set(setups))

with open(csv, 'w') as o:
    o.write('setup,metric,value,unit\n')
    for s in setups:
        for m in order:
            if (s, m) in vals:
                o.write('%s,%s,%s,%s\n' % (s, m, '%g' % vals[(s, m)], units[m]))

def fmt(v):
    if v is None:
        return '-'
    if v == 0:
        return '0'
    if abs(v) >= 100:
        return '%.0f' % v
    if abs(v) >= 1:
        return '%.2f' % v
    return '%.3f' % v

def ratio(a, b):
    if a is None or b is None or b == 0:
        return '-'
    r = a / b
    return '%.2f' % r if r < 10 else '%.0f' % r

def memcpy_equiv(m):
    """memcpy's figure in metric m's unit: MB/s, or us per 4 KiB page."""
    mb = vals.get(('memcpy', 'read_MBps'))
    if mb is None:
        return None
    if units[m] == 'MB/s':
        return mb
    if m.startswith('read_us_per_page'):
        return 4096 / mb
    return None

perf = [m for m in order if units[m] != 'KiB']
mem = [m for m in order if units[m] == 'KiB']
fs = [s for s in setups if s != 'memcpy']
out = []
out.append('## make bench: %s, %s kernel %s, QEMU TCG' % (arch, kernel, kver))
out.append('')
out.append('Median of %s samples (each >= %s s of repeats, after a warm-up); read/mmap/exec file %s MiB, writes %s MiB, mmap tests touch %s MiB, '
           'per-page sweep %s MiB. TCG timings: compare ratios, not absolute speeds. '
           'MB/s: higher is better; us: lower is better; KiB: page cache (exact).' % (reps, samp, mib, wmib, pmib, sweep))
out.append('')
out.append('| metric | unit | ' + ' | '.join(setups) + ' |')
out.append('|---|---|' + '---:|' * len(setups))
for m in perf + mem:
    out.append('| %s | %s | ' % (m, units[m]) + ' | '.join(fmt(vals.get((s, m))) for s in setups) + ' |')
if 'dax-pmem' in setups:
    others = [s for s in fs if s != 'dax-pmem']
    out.append('')
    out.append('Ratios to dax-pmem (value / dax-pmem value; MB/s: <1 is slower than DAX, us: >1 is slower than DAX):')
    out.append('')
    out.append('| metric | ' + ' | '.join('%s / dax' % s for s in others) + ' |')
    out.append('|---|' + '---:|' * len(others))
    for m in perf:
        out.append('| %s | ' % m + ' | '.join(ratio(vals.get((s, m)), vals.get(('dax-pmem', m))) for s in others) + ' |')
if 'memcpy' in setups:
    rows = [m for m in perf if memcpy_equiv(m) is not None]
    out.append('')
    out.append('Ratios to memcpy (MB/s: fraction of memcpy bandwidth; read_us_per_page: multiple of the time '
               'memcpy takes for 4 KiB, %.3f us):' % memcpy_equiv('read_us_per_page_1M'))
    out.append('')
    out.append('| metric | ' + ' | '.join('%s / memcpy' % s for s in fs) + ' |')
    out.append('|---|' + '---:|' * len(fs))
    for m in rows:
        out.append('| %s | ' % m + ' | '.join(ratio(vals.get((s, m)), memcpy_equiv(m)) for s in fs) + ' |')
open(md, 'w').write('\n'.join(out) + '\n')

# gnuplot: a panel per unit, a cluster per metric, a bar per set-up
# (only the set-ups that have a value in that panel; one colour each)
COLOURS = dict(zip(SETUPS, ['#9400d3', '#009e73', '#56b4e9', '#e69f00', '#f0e442', '#0072b2']))
panels = [('throughput (MB/s, higher is better, log)', [m for m in perf if units[m] == 'MB/s'], True),
          ('latency: per call, per page, per exec (us, lower is better, log)',
           [m for m in perf if units[m] == 'us'], True),
          ('page cache held (KiB, exact)', mem, False)]
g = ['set terminal pngcairo noenhanced size 1400,1500 font "sans,10"',
     'set output "%s"' % png, 'set datafile missing "-"',
     'set style data histograms', 'set style histogram clustered gap 1',
     'set style fill solid 0.85 border -1', 'set boxwidth 0.9',
     'set key outside right top', 'set grid ytics', 'set xtics rotate by -20',
     'set multiplot layout %d,1 title "make bench, %s (%s kernel %s), QEMU TCG: medians of %s samples; compare ratios, not absolute speeds"'
     % (len(panels), arch, kernel, kver, reps)]
for i, (title, ms, log) in enumerate(panels):
    have = [s for s in setups if any((s, m) in vals for m in ms)]
    if not ms or not have:
        continue
    g.append('$d%d << EOD' % i)
    for m in ms:
        g.append(m + ' ' + ' '.join('%g' % vals[(s, m)] if (s, m) in vals else '-' for s in have))
    g.append('EOD')
    g.append('set title "%s"' % title)
    g.append('set xrange [-0.6:%g]' % (len(ms) - 0.4))
    g.append('set logscale y' if log else 'unset logscale y; set yrange [0:*]')
    g.append('plot ' + ', '.join('$d%d using %d:xtic(1) title "%s" lc rgb "%s"'
                                 % (i, j + 2, s, COLOURS.get(s, '#777777')) for j, s in enumerate(have)))
g.append('unset multiplot')
open(plot, 'w').write('\n'.join(g) + '\n')
PY
if [ -s "$CSV" ] && command -v gnuplot >/dev/null; then
	gnuplot "$OUTDIR/bench-$ARCH.gp" > "$OUTDIR/gnuplot.log" 2>&1 ||
		{ cat "$OUTDIR/gnuplot.log" >&2; echo "make bench: gnuplot failed" >&2; }
fi
t3=$(date +%s)

echo
cat "$MD" 2>/dev/null
echo
grep -E '^not ok' "$TAP" | sed 's/^/FAILED: /'
echo "make bench: $((t3 - t0)) s (kernel build $((t1 - t0)) s, guest $((t2 - t1)) s); $CSV, $MD, $PNG"
if [ $grc != 0 ]; then
	echo "make bench: the benchmark run failed (see $TAP)" >&2
	exit 1
fi
