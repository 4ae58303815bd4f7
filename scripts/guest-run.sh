#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# guest-run.sh ARCH SCRIPT OUT.tap
#
# GUEST_PROVIDER picks the memory the suite's XIP file system lives on:
#   brd      (default) /dev/ram0, scratch /dev/ram1: RAM with struct page
#   pmem     x86_64: three QEMU nvdimms (ACPI NFIT), raw namespaces
#            /dev/pmem0 (suite), /dev/pmem1 (scratch, pmem tests) and
#            /dev/pmem2 (removed under a mount): memory without struct page
#   dcssblk  s390x: a test-only fake DCSS segment over memory above mem=
#            (configs/s390x-dcssblk.config), /dev/dcssblk0: no struct page
#   mtd      x86_64 (aarch64: over RAM above mem=): phram over memmap=$
#            reserved RAM, /dev/mtdblock0: an
#            MTD without struct page (configs/mtd.config); the MTD tests
#            add a test-only NOR-type phram device next to it
# ARCH is x86_64, s390x or aarch64 (brd only: no pmem on the virt machine).
# It sets the QEMU machine, the kernel command line and XIP_DEV /
# XIP_SCRATCH_DEV for the guest script.  GUEST_ENV adds "VAR=value ..."
# words to the guest script's environment.  GUEST_FILES="FILE ..." puts host
# files into the guest's /data (the fuzzer's base images); GUEST_APPEND adds
# kernel command-line words.  GUEST_BRD_KB sets the size of
# each brd disk (default 262144 KiB = 256 MiB).  The kernel comes from
# build/ARCH, or build/ARCH-release with BUILD_FLAVOUR=release (lib.sh).
#
# Boot build/ARCH's kernel under QEMU (TCG) with an initramfs holding a
# static busybox, e2fsck.static, the XIP selftests (built static from
# tools/testing/selftests/filesystems/xip/*.c) and the demo helper; /init
# runs SCRIPT with busybox sh, prints its stdout (TAP) between unique
# markers, dumps dmesg and reboots (QEMU -no-reboot then exits).
#
# OUT.tap gets the TAP; OUT.console.log the whole console.  The exit status
# is non-zero, and a synthetic "not ok" line is appended to OUT.tap, when the
# markers are missing (crash, hang, timeout), when there is no test line at
# all, when a test failed, or when the kernel logged an oops, BUG, WARNING,
# KASAN, KFENCE, UBSAN, lockdep, list, page-state or stack report.  Without
# the end marker, '#' lines before that "not ok" give the diagnosis from
# scripts/qemu-diag.py: the reset reason (triple fault, guest reset after a
# panic or without one, poweroff, timeout), each CPU's registers where it
# stopped and the last 20 console lines.  An x86_64 guest that has not
# reached /init within GUEST_BOOT_DEADLINE seconds (the TCG hang at "ACPI:
# Enabled 4 GPEs") is booted once more, and a '#' line says so.
# BUILD_FLAVOUR=debug boots build/ARCH-debug with panic_on_warn=1.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ARCH=${1:?usage: guest-run.sh ARCH SCRIPT OUT.tap}
SCRIPT=${2:?usage: guest-run.sh ARCH SCRIPT OUT.tap}
OUT=${3:?usage: guest-run.sh ARCH SCRIPT OUT.tap}
arch_vars "$ARCH"
NAME=$(basename "$OUT" .tap)
PROVIDER=${GUEST_PROVIDER:-brd}
# XIP_PMEM_DEV: the pmem tests' device and whether its memory has struct page
case $PROVIDER in
brd)	PROVIDER_ENV="XIP_DEV=/dev/ram0 XIP_SCRATCH_DEV=/dev/ram1"
	# legacy memmap= pmem (x86_64 only), with ZONE_DEVICE pages
	[ "$ARCH" = x86_64 ] && PROVIDER_ENV+=" XIP_PMEM_DEV=/dev/pmem0 XIP_PMEM_PAGES=with XIP_PMEM_REMOVE_DEV=/dev/pmem1" ;;
pmem)	PROVIDER_ENV="XIP_DEV=/dev/pmem0 XIP_SCRATCH_DEV=/dev/pmem1 XIP_PMEM_DEV=/dev/pmem1 XIP_PMEM_PAGES=without XIP_PMEM_REMOVE_DEV=/dev/pmem2" ;;
dcssblk) PROVIDER_ENV="XIP_DEV=/dev/dcssblk0 XIP_SCRATCH_DEV=/dev/ram1" ;;
# XIP_MTD_NOR_PHRAM: the phram parameter of the NOR-type device that the
# MTD tests of xip_mount_test add at run time (phram takes one at boot)
mtd)	nor_base=0x90000000
	[ "$ARCH" = aarch64 ] && nor_base=0xf0000000
	PROVIDER_ENV="XIP_DEV=/dev/mtdblock0 XIP_SCRATCH_DEV=/dev/ram1 XIP_MTD_NOR_PHRAM=xipnor,$nor_base,128Mi,64ki,nor" ;;
*)	PROVIDER_ENV= ;;
esac
if [ -z "$QEMU_TIMEOUT" ]; then
	case $ARCH-${BUILD_FLAVOUR:-} in
	x86_64-debug) QEMU_TIMEOUT=1200 ;;	# the suite: 282 s (brd), 181 s (pmem)
	x86_64-*) QEMU_TIMEOUT=600 ;;
	*) QEMU_TIMEOUT=1200 ;;
	esac
fi
CONSOLE=${OUT%.tap}.console.log
GDIR=$BUILD/guest/$ARCH/$NAME   # per run name: two runs may go on at once
SELFTESTS=$ROOT/tools/testing/selftests/filesystems/xip
mkdir -p "$(dirname "$OUT")" "$GDIR"
rm -f "$OUT" "$CONSOLE"
PRE=$GDIR/pre.tap   # harness results gathered before the boot
: > "$PRE"

fail_early() {
	{ cat "$PRE"; echo "not ok - $NAME: $*"; } > "$OUT"
	echo "ERROR: $NAME: $*" >&2
	exit 1
}

[ -f "$SCRIPT" ] || fail_early "guest script $SCRIPT does not exist"
for f in ${GUEST_FILES:-}; do
	[ -f "$f" ] || fail_early "GUEST_FILES: $f does not exist"
done
[ -f "$OBJ/$IMAGE" ] || fail_early "no $ARCH kernel ($OBJ/$IMAGE): the kernel build failed or did not run"

# --- userspace for the guest --------------------------------------------------
case $ARCH in
x86_64) BUSYBOX=/bin/busybox; E2FSCK=/sbin/e2fsck.static ;;
s390x)  BUSYBOX=$BUILD/s390x-userspace/bin/busybox; E2FSCK=$BUILD/s390x-userspace/sbin/e2fsck.static ;;
aarch64) BUSYBOX=$BUILD/aarch64-userspace/bin/busybox; E2FSCK=$BUILD/aarch64-userspace/sbin/e2fsck.static ;;
esac
[ -x "$BUSYBOX" ] || fail_early "$BUSYBOX missing: run 'make deps'"
[ -x "$E2FSCK" ] || fail_early "$E2FSCK missing: run 'make deps'"

UDIR=$GDIR/userspace
rm -rf "$UDIR"
mkdir -p "$UDIR/xip"
cflags=(-static -O2 -Wall)
mkdir -p "$UDIR/bin"
for c in "$ROOT"/scripts/guest/*.c; do	# helpers: xip-demo, xip-bench
	"$UCC" "${cflags[@]}" -o "$UDIR/bin/$(basename "$c" .c)" "$c" ||
		fail_early "building scripts/guest/$(basename "$c") for $ARCH failed"
done
nprog=0
if [ -d "$SELFTESTS" ]; then
	inc=$SRC/tools/testing/selftests
	[ -d "$inc" ] || inc=$ROOT/tools/testing/selftests
	for c in "$SELFTESTS"/*.c; do
		[ -e "$c" ] || continue
		prog=$(basename "$c" .c)
		if "$UCC" "${cflags[@]}" -I"$inc" -I"$SELFTESTS" -o "$UDIR/xip/$prog" "$c" \
			> "$GDIR/cc-$prog.log" 2>&1; then
			nprog=$((nprog + 1))
		else
			cat "$GDIR/cc-$prog.log" >&2
			echo "not ok - $NAME: build $prog for $ARCH ($UCC -static) failed" >> "$PRE"
		fi
	done
	# scripts and data next to the binaries, as kselftest installs them
	find "$SELFTESTS" -maxdepth 1 -type f ! -name '*.c' ! -name '*.h' ! -name Makefile \
		! -name '.*' -exec cp {} "$UDIR/xip/" \;
fi
note "$NAME: $nprog selftest program(s) built for $ARCH"

# --- initramfs -----------------------------------------------------------------
GEN=$(gen_init_cpio) || fail_early "building gen_init_cpio failed"

NONCE=$(od -An -tx8 -N8 /dev/urandom | tr -d ' \n')
BEGIN="@@@XIPRIG-TAP-BEGIN-$NONCE@@@"
END="@@@XIPRIG-TAP-END-$NONCE"
cat > "$GDIR/init" <<EOF
#!/bin/busybox sh
export PATH=/sbin:/bin:/usr/sbin:/usr/bin:/xip
/bin/busybox mkdir -p /proc /sys /dev /tmp /mnt /run
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t tmpfs tmpfs /tmp
/bin/busybox --install -s /bin
export XIP_ARCH=$ARCH XIP_BIN_DIR=/xip HOME=/root XIP_PROVIDER=$PROVIDER $PROVIDER_ENV ${GUEST_ENV:-}
echo "XIPRIG: guest up: \$(uname -r) \$(uname -m), provider $PROVIDER, running $(basename "$SCRIPT")"
cd /xip
( /bin/sh /guest/run.sh; echo \$? > /tmp/.xiprig-rc ) | tee /tmp/.xiprig-out
# quiet console while the results are printed, so no printk splits a line
echo 1 > /proc/sys/kernel/printk
echo "$BEGIN"
cat /tmp/.xiprig-out
echo "$END rc=\$(cat /tmp/.xiprig-rc)@@@"
echo "@@@XIPRIG-DMESG-$NONCE@@@"
dmesg
echo "@@@XIPRIG-DONE-$NONCE@@@"
sync
# -no-reboot makes QEMU exit on reboot; poweroff needs working ACPI tables
reboot -f
EOF

{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	for d in proc sys tmp mnt run root etc bin sbin usr usr/bin guest xip data; do
		echo "dir /$d 0755 0 0"
	done
	echo "file /init $GDIR/init 0755 0 0"
	echo "file /bin/busybox $BUSYBOX 0755 0 0"
	echo "slink /bin/sh busybox 0777 0 0"
	echo "file /sbin/e2fsck.static $E2FSCK 0755 0 0"
	echo "slink /sbin/e2fsck e2fsck.static 0777 0 0"
	echo "file /guest/run.sh $(cd "$(dirname "$SCRIPT")" && pwd)/$(basename "$SCRIPT") 0755 0 0"
	for f in ${GUEST_FILES:-}; do
		echo "file /data/$(basename "$f") $(realpath "$f") 0644 0 0"
	done
	for f in "$UDIR"/bin/*; do
		echo "file /usr/bin/$(basename "$f") $f 0755 0 0"
	done
	for f in "$UDIR"/xip/*; do
		[ -e "$f" ] || continue
		mode=0644; [ -x "$f" ] && mode=0755
		echo "file /xip/$(basename "$f") $f $mode 0 0"
	done
} > "$GDIR/initramfs.list"
"$GEN" "$GDIR/initramfs.list" | gzip -6 > "$GDIR/$NAME.cpio.gz"

# --- boot ----------------------------------------------------------------------
APPEND="panic=-1 kunit.enable=0 brd.rd_nr=2 brd.rd_size=${GUEST_BRD_KB:-262144}${GUEST_APPEND:+ $GUEST_APPEND}"
# debug kernel (configs/memcheck.config): a checker's report is a WARN-level
# event, and panic_on_warn=1 makes the first one end the run
[ "${BUILD_FLAVOUR:-}" = debug ] && APPEND+=" panic_on_warn=1 debug_pagealloc=on"
case $ARCH-$PROVIDER in
x86_64-brd)
	# 3G guest: all RAM below QEMU's PCI hole (3.5G); the pmem ranges
	# memmap=512M!2G and 256M!2560M (legacy e820 pmem -> /dev/pmem0 and
	# /dev/pmem1, with struct page) lie inside it.
	QEMU=(qemu-system-x86_64 -m 3G -smp 2 -nographic -no-reboot
	      -kernel "$OBJ/$IMAGE" -initrd "$GDIR/$NAME.cpio.gz"
	      -append "console=ttyS0 memmap=512M!2G memmap=256M!2560M $APPEND") ;;
x86_64-pmem)
	# Three nvdimms in the hotplug area above 4G (suite, scratch, one to
	# remove under a mount): label-less, so each is a raw namespace,
	# mapped with memremap and without struct page.  The backing files
	# are sparse and removed after the run.
	nvdimm_args=()
	for i in 0 1 2; do
		rm -f "$GDIR/nvdimm$i.img"
		truncate -s 256M "$GDIR/nvdimm$i.img"
		nvdimm_args+=(-object "memory-backend-file,id=nvmem$i,share=on,mem-path=$GDIR/nvdimm$i.img,size=256M"
			      -device "nvdimm,id=nvdimm$i,memdev=nvmem$i")
	done
	QEMU=(qemu-system-x86_64 -machine pc,nvdimm=on -m 2G,slots=4,maxmem=6G
	      -smp 2 -nographic -no-reboot "${nvdimm_args[@]}"
	      -kernel "$OBJ/$IMAGE" -initrd "$GDIR/$NAME.cpio.gz"
	      -append "console=ttyS0 $APPEND") ;;
x86_64-mtd)
	# The x86_64-brd machine without pmem: memmap=384M$2G reserves
	# [2G, 2.375G) (three whole 128M memory sections: no struct page).
	# phram maps its first 256M as the MTD "xipram" (/dev/mtdblock0, the
	# suite's device); the tests add the NOR-type phram over the last
	# 128M at run time.  The mtdram device comes next (vmalloc()ed),
	# then nandsim's NAND, whose first partition is 256 erase blocks.
	QEMU=(qemu-system-x86_64 -m 3G -smp 2 -nographic -no-reboot
	      -kernel "$OBJ/$IMAGE" -initrd "$GDIR/$NAME.cpio.gz"
	      -append "console=ttyS0 memmap=384M\$0x80000000 phram.phram=xipram,0x80000000,256Mi nandsim.parts=256 $APPEND") ;;
s390x-brd)
	# vx=off: QEMU 7.2's emulated vector facility miscomputes (see
	# rig-notes: KUnit checksum tests); keep the guest on the same CPU model.
	QEMU=(qemu-system-s390x -M s390-ccw-virtio -cpu qemu,vx=off -smp 2 -m 2G
	      -nographic -no-reboot
	      -kernel "$OBJ/$IMAGE" -initrd "$GDIR/$NAME.cpio.gz"
	      -append "$APPEND") ;;
s390x-dcssblk)
	# The s390x-brd machine, but the kernel gets only the first 1536M
	# (mem=, a multiple of the 256M memory section: no memmap above).
	# CONFIG_DCSSBLK_XIP_FAKE_SEGMENT (test only) makes [1536M, 1792M),
	# as large as a brd disk here, the type SW segment XIPFAKE and
	# /dev/dcssblk0 over it: no struct page, s390 page tables.
	QEMU=(qemu-system-s390x -M s390-ccw-virtio -cpu qemu,vx=off -smp 2 -m 2G
	      -nographic -no-reboot
	      -kernel "$OBJ/$IMAGE" -initrd "$GDIR/$NAME.cpio.gz"
	      -append "mem=1536M dcssblk.fake_segment=XIPFAKE:1536M:256M $APPEND") ;;
aarch64-brd)
	# -M virt with QEMU's device tree, 4K pages.  -cpu max with QEMU's
	# own pointer-authentication algorithm (pauth-impdef): the
	# architected QARMA5 makes every PAC instruction slow under TCG.
	# (A provider over memory above mem= gets its own aarch64-NAME case.)
	QEMU=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -smp 2 -m 2G
	      -nographic -no-reboot
	      -kernel "$OBJ/$IMAGE" -initrd "$GDIR/$NAME.cpio.gz"
	      -append "console=ttyAMA0 $APPEND") ;;
aarch64-mtd)
	# The aarch64-brd machine with 3G of RAM at [1G, 4G), of which the
	# kernel gets the first 2560M (mem=): [3.5G, 3.875G) is outside the
	# linear map and has no struct page.  phram maps its first 256M as
	# "xipram" (/dev/mtdblock0); the tests add the NOR-type phram over the
	# last 128M at run time; then mtdram and nandsim as on x86_64.
	QEMU=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -smp 2 -m 3G
	      -nographic -no-reboot
	      -kernel "$OBJ/$IMAGE" -initrd "$GDIR/$NAME.cpio.gz"
	      -append "console=ttyAMA0 mem=2560M phram.phram=xipram,0xe0000000,256Mi nandsim.parts=256 $APPEND") ;;
*)
	fail_early "no provider '$PROVIDER' for $ARCH guests" ;;
esac
# Why a guest stopped (scripts/qemu-diag.py): a QMP client logs QEMU's
# events; -no-shutdown (and panic=pause) keep the stopped CPUs' registers
# for it to read before it quits QEMU; -d cpu_reset logs "Triple fault".
DIAG=(-qmp "unix:$GDIR/qmp.sock,server=on,wait=off" -no-shutdown -action panic=pause
      -d cpu_reset,guest_errors -D "$GDIR/qemu-debug.log")
# The known TCG x86 hang early in boot (console ends at "ACPI: Enabled 4
# GPEs", about 1 boot in 30): no /init start line within GUEST_BOOT_DEADLINE
# seconds (0: never) and the guest is booted once more, said in the TAP.
BOOT_DEADLINE=${GUEST_BOOT_DEADLINE:-}
if [ -z "$BOOT_DEADLINE" ]; then
	case $ARCH-${BUILD_FLAVOUR:-} in
	x86_64-debug) BOOT_DEADLINE=150 ;;
	x86_64-*) BOOT_DEADLINE=60 ;;
	*) BOOT_DEADLINE=0 ;;
	esac
fi
UP_LINE="XIPRIG: guest up:"
BOOTNOTES=()

boot_once() {	# boot_once ATTEMPT: sets qrc; returns 2 if the boot hung
	local qpid wpid t0 now wdead=
	rm -f "$GDIR/qmp.sock" "$GDIR"/qemu-events.log "$GDIR"/qemu-regs*.txt "$GDIR/qemu-debug.log"
	if [ "$PROVIDER" = pmem ]; then	# fresh nvdimms for each boot
		for f in "$GDIR"/nvdimm*.img; do
			rm -f "$f"; truncate -s 256M "$f"
		done
	fi
	note "$NAME: booting $ARCH guest${1:+ (attempt $1)} (timeout ${QEMU_TIMEOUT}s, console $CONSOLE)"
	timeout -k 10 "$QEMU_TIMEOUT" "${QEMU[@]}" "${DIAG[@]}" < /dev/null > "$CONSOLE" 2>&1 &
	qpid=$!
	python3 "$ROOT/scripts/qemu-diag.py" watch "$GDIR/qmp.sock" "$GDIR" 2>> "$GDIR/qemu-diag.err" &
	wpid=$!
	t0=$(date +%s)
	local booted=0 hung=0
	# a deadline, not a synchronisation: look once a second until QEMU ends
	while kill -0 "$qpid" 2>/dev/null; do
		now=$(date +%s)
		if [ $booted = 0 ]; then
			if grep -qF "$UP_LINE" "$CONSOLE"; then
				booted=1
				note "$NAME: /init started after $((now - t0)) s"
			elif [ "$BOOT_DEADLINE" -gt 0 ] && [ $((now - t0)) -ge "$BOOT_DEADLINE" ]; then
				hung=1
				kill -USR1 "$wpid" 2>/dev/null	# registers of the hung guest
				for _ in 1 2 3 4 5 6 7 8 9 10; do
					[ -s "$GDIR/qemu-regs-hang.txt" ] && break
					sleep 0.3
				done
				kill "$qpid" 2>/dev/null
				break
			fi
		fi
		# the QMP client quits QEMU when the guest stops; without it a
		# stopped guest would wait for the timeout
		if ! kill -0 "$wpid" 2>/dev/null; then
			[ -n "$wdead" ] || wdead=$now
			if [ $((now - wdead)) -ge 10 ]; then
				echo "qemu-diag watcher gone, QEMU still running after 10 s: killed" >> "$GDIR/qemu-diag.err"
				kill "$qpid" 2>/dev/null
				break
			fi
		fi
		sleep 1
	done
	qrc=0
	wait "$qpid" || qrc=$?
	kill "$wpid" 2>/dev/null || true
	wait "$wpid" 2>/dev/null || true
	[ $hung = 0 ] || return 2
	return 0
}

start=$(date +%s)
brc=0
boot_once "" || brc=$?
if [ $brc = 2 ]; then
	cp "$CONSOLE" "$GDIR/$NAME.hung-boot.console.log"
	BOOTNOTES+=("guest-run: boot 1 hung: no \"$UP_LINE\" within ${BOOT_DEADLINE}s, last kernel line: $(tr -cd '[:print:]\n' < "$CONSOLE" | grep -a '^\[ *[0-9]' | tail -1 | cut -c1-150); booted again (console of boot 1: $GDIR/$NAME.hung-boot.console.log)")
	python3 "$ROOT/scripts/qemu-diag.py" summarize "$GDIR" "$CONSOLE" "$OBJ/System.map" "$qrc" 0 |
		grep '^# hung:' | sed 's/^# /guest-run: boot 1 /' > "$GDIR/hung-regs.txt" || true
	mapfile -t -O ${#BOOTNOTES[@]} BOOTNOTES < "$GDIR/hung-regs.txt"
	note "$NAME: ${BOOTNOTES[0]}"
	brc=0
	boot_once 2 || brc=$?
	[ $brc = 2 ] && BOOTNOTES+=("guest-run: boot 2 hung as well (no \"$UP_LINE\" within ${BOOT_DEADLINE}s)")
fi
rm -f "$GDIR"/nvdimm*.img "$GDIR/qmp.sock"
note "$NAME: QEMU exited with $qrc after $(( $(date +%s) - start )) s"

# --- results ---------------------------------------------------------------------
# console lines end in \r\n; drop the \r
sed -i 's/\r$//' "$CONSOLE"
{
	cat "$PRE"
	awk -v b="$BEGIN" -v e="$END" 'index($0, e) == 1 { exit } on { print } $0 == b { on = 1 }' "$CONSOLE"
} > "$OUT"

problems=()
for n in "${BOOTNOTES[@]}"; do
	echo "# $n" >> "$OUT"
done
if ! grep -qxF "$BEGIN" "$CONSOLE" || ! grep -q "^$END rc=" "$CONSOLE"; then
	# the diagnosis: reset reason, registers, the last console lines
	python3 "$ROOT/scripts/qemu-diag.py" summarize "$GDIR" "$CONSOLE" "$OBJ/System.map" "$qrc" 20 >> "$OUT" ||
		echo "# guest-run: qemu-diag.py summarize failed" >> "$OUT"
	if [ $qrc = 124 ] || [ $qrc = 137 ]; then
		problems+=("guest timed out after ${QEMU_TIMEOUT}s before finishing (no end marker)")
	else
		problems+=("guest died before finishing (no end marker, QEMU exit $qrc, $(sed -n 's/^# reset reason: \([^(]*\).*/\1/p' "$OUT" | tail -1 | sed 's/ *$//')); see $(basename "$CONSOLE")")
	fi
else
	rc=$(sed -n "s/^$END rc=\([0-9]*\)@@@$/\1/p" "$CONSOLE" | head -1)
	[ "${rc:-1}" = 0 ] || note "$NAME: guest script exited with ${rc:-?}"
fi
# kernel reports: only lines with a printk timestamp (CONFIG_PRINTK_TIME)
# so test output that merely mentions a word cannot match; the timestamp
# may follow other output on the same console line (two CPUs printing)
KPAT='BUG:|WARNING:|Oops|Kernel panic|kernel BUG at|possible recursive locking|circular locking dependency|inconsistent lock state|suspicious RCU usage|possible irq lock inversion|lock held when returning|KASAN|KFENCE|UBSAN:|general protection fault|Unable to handle kernel|stack-protector|Kernel stack overflow|stack guard page|corrupted stack end|double fault|list_add corruption|list_del corruption|list corruption|Bad page state|Bad page map|Bad rss-counter|page dumped because'
if grep -E "(^|[^0-9])\[ *[0-9]+\.[0-9]{6}\] .*($KPAT)" "$CONSOLE" | sort -u > "$GDIR/$NAME.kernel-reports"; [ -s "$GDIR/$NAME.kernel-reports" ]; then
	problems+=("kernel report in console log: $(head -1 "$GDIR/$NAME.kernel-reports" | sed -E 's/^.*\[ *[0-9]+\.[0-9]{6}\] //')")
fi
if ! grep -qE '^[[:space:]]*(not ok|ok)\b' "$OUT"; then
	problems+=("no test results (no ok/not ok line)")
fi
for p in "${problems[@]}"; do
	echo "not ok - $NAME: $p" >> "$OUT"
done

# not ok lines (a SKIP/TODO directive makes them non-failing)
nfail=$(grep -E '^[[:space:]]*not ok\b' "$OUT" | grep -vciE '#[[:space:]]*(skip|todo)' || true)
npass=$(grep -E '^[[:space:]]*ok\b' "$OUT" | grep -vciE '#[[:space:]]*(skip|todo)' || true)
echo "$NAME: $npass ok, $nfail not ok -> $OUT" >&2
[ "$nfail" = 0 ] && [ ${#problems[@]} = 0 ]
