#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kunit.sh um|x86_64|s390x|aarch64
#
# um:     tools/testing/kunit/kunit.py run on UML with configs/kunit-um.kunitconfig
#         (build dir build/kunit-um, ccache).
# x86_64, s390x, aarch64: reuse the guest kernel of build/ARCH (its fragments carry
#         CONFIG_KUNIT and the XIP test symbols; KUnit stays off at guest
#         boots) and run it with 'kunit.py exec', which boots that bzImage
#         with kunit.py's own QEMU arguments and parses the results.  'exec'
#         never reconfigures or rebuilds, so the build is done once, by
#         scripts/build-kernel.sh.
#         s390x runs with '-cpu qemu,vx=off': QEMU 7.2's emulated vector
#         facility breaks the lib/checksum tests (rig-notes).
#         aarch64 boots Image.gz with kunit.py's qemu_configs/arm64.py
#         (-M virt -cpu max,pauth-impdef=on, console ttyAMA0).
#
# Writes build/test-results/kunit-SUITE.ktap (raw KTAP, from the kernel
# log) and kunit-SUITE.log (kunit.py's report).  Exit status non-zero on a
# failed or missing result, or a kernel oops/BUG/WARNING/lockdep report.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ARCH=${1:?usage: kunit.sh um|x86_64|s390x|aarch64}
case $ARCH in
um) SUITE=um ;;
x86_64) SUITE=x86_64 ;;
s390x | s390) ARCH=s390x; SUITE=s390 ;;
aarch64 | arm64) ARCH=aarch64; SUITE=aarch64 ;;
*) die "unknown KUnit arch $ARCH" ;;
esac
mkdir -p "$RESULTS"
KTAP=$RESULTS/kunit-$SUITE.ktap
REPORT=$RESULTS/kunit-$SUITE.log
rm -f "$KTAP" "$REPORT"
KUNIT=$SRC/tools/testing/kunit/kunit.py
: "${KUNIT_TIMEOUT:=600}"

finish_fail() {
	echo "not ok - kunit-$SUITE: $*" >> "$KTAP"
	echo "ERROR: kunit-$SUITE: $*" >&2
	exit 1
}

start=$(date +%s)
if [ "$ARCH" = um ]; then
	KDIR=$BUILD/kunit-um
	mkdir -p "$KDIR"
	rm -f "$KDIR/test.log"
	set +e
	XIP_RIG_LOCKED=1 with_lock "$ROOT/scripts/prepare-tree.sh" &&
		with_lock python3 "$KUNIT" run --kunitconfig="$UM_KUNITCONFIG" --build_dir="$KDIR" \
			--make_options "CC=ccache gcc" --jobs="$JOBS" --timeout="$KUNIT_TIMEOUT" \
			--json="$RESULTS/kunit-$SUITE.json" > "$REPORT" 2>&1
	krc=$?
	set -e
else
	arch_vars "$ARCH"
	KDIR=$OBJ
	brc=0
	if [ "${SKIP_BUILD:-0}" != 1 ]; then
		set +e
		"$ROOT/scripts/build-kernel.sh" "$ARCH"
		brc=$?
		set -e
	fi
	[ -f "$OBJ/$IMAGE" ] || brc=1
	if [ $brc != 0 ] && [ $brc != 3 ]; then
		: > "$KTAP"
		finish_fail "$ARCH kernel build failed (see $LOGS/build-$ARCH.log)"
	fi
	rm -f "$KDIR/test.log"
	qargs=()
	# mem=768M: kunit.py gives the guest 1 GiB; the dcssblk fake-segment
	# test puts a segment in the unmanaged [768M, 1G), memory without
	# struct page like a real DCSS.
	[ "$ARCH" = s390x ] && qargs=(--qemu_args='-cpu qemu,vx=off' --kernel_args=mem=768M)
	set +e
	python3 "$KUNIT" exec --arch="$KARCH" ${CROSS:+--cross_compile="$CROSS"} \
		--build_dir="$KDIR" "${qargs[@]}" --timeout="$KUNIT_TIMEOUT" \
		--json="$RESULTS/kunit-$SUITE.json" > "$REPORT" 2>&1
	krc=$?
	set -e
fi
note "kunit-$SUITE: kunit.py exited $krc after $(( $(date +%s) - start )) s (report $REPORT)"

: > "$KTAP"
if [ -s "$KDIR/test.log" ]; then
	cp "$KDIR/test.log" "$RESULTS/kunit-$SUITE.console.log"
	python3 "$KUNIT" parse --raw_output=kunit "$KDIR/test.log" > "$KTAP" 2> /dev/null || true
fi
tail -15 "$REPORT" >&2 || true

problems=()
if ! grep -qE '^[[:space:]]*(not ok|ok)\b' "$KTAP"; then
	why=$(grep -E 'Missing:|ERROR|Error|error:' "$REPORT" | head -3 | tr '\n' ' ' || true)
	problems+=("no KUnit results (kunit.py exit $krc) ${why}")
fi
KPAT='BUG:|WARNING:|Oops|Kernel panic|kernel BUG at|possible recursive locking|circular locking dependency|inconsistent lock state|suspicious RCU usage|possible irq lock inversion|KASAN|UBSAN:|general protection fault|Unable to handle kernel'
if [ -s "$KDIR/test.log" ] && grep -qE "$KPAT" "$KDIR/test.log"; then
	problems+=("kernel report in the KUnit log: $(grep -E "$KPAT" "$KDIR/test.log" | head -1)")
fi
count_fail() { grep -E '^[[:space:]]*not ok\b' "$KTAP" | grep -vciE '#[[:space:]]*(skip|todo)' || true; }
if [ $krc != 0 ] && [ ${#problems[@]} = 0 ] && [ "$(count_fail)" = 0 ]; then
	problems+=("kunit.py reported a failure (exit $krc) that the KTAP does not show; see $(basename "$REPORT")")
fi
for p in "${problems[@]}"; do
	echo "not ok - kunit-$SUITE: $p" >> "$KTAP"
done
nfail=$(count_fail)
echo "kunit-$SUITE: $nfail not-ok line(s) -> $KTAP" >&2
[ "$nfail" = 0 ] && [ ${#problems[@]} = 0 ]
