#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'make share': one ext2 image, K x86_64 guests, one copy in host memory (the
# z/VM DCSS picture: a read-only segment that every guest maps).
#
#  1. Build, in build/share/, a static program with ~8 MiB of text
#     (scripts/share-genprog.py) and an ext2 image (4K blocks, mke2fs -d)
#     holding a static busybox.
#  2. The administrator's step: one guest, alone, gets the image as a
#     read-write nvdimm, mounts it -o xip read-write, copies the program in,
#     writes manifest.sha1 and unmounts.  The host checks the image
#     (e2fsck -fn, the manifest) and makes it read-only.
#  3. For each mode (xip: mount -o xip,ro; pagecache: mount -o ro) and each
#     K = 1..SHARE_GUESTS: K guests at once, each with an nvdimm backed by
#     the image (memory-backend-file share=on,readonly=on; nvdimm unarmed=on,
#     so the guest's /dev/pmem0 is read-only).  Each guest first checks that
#     a read-write -o xip mount is refused, mounts, waits until all are up,
#     runs the programs SHARE_ROUNDS times each concurrently, measures its
#     page cache and waits while the host measures (fincore of the image,
#     Pss of each QEMU's mapping of it).
#  4. build/share/share.csv (mode,guests,metric,value), share.txt (table),
#     share.png (gnuplot: host memory for the image against K).
#
# Host memory holding the image = the image file's resident pages in the
# host page cache (one copy, mapped by every QEMU) + what each guest holds of
# it in its own page cache (file pages + block-device metadata pages: guest
# RAM, i.e. anonymous memory of that QEMU).  host_copies = that / image size.
#
# Host and guests meet over a second serial port per guest (a fifo pair,
# see scripts/guest/share.sh): no sleeps; every wait is bounded
# (SHARE_WAIT seconds per step, QEMU_TIMEOUT per guest); an EXIT trap kills
# every QEMU this script started.
#
# Variables: SHARE_GUESTS=K (3), SHARE_ROUNDS=N (3), SHARE_MODES ("xip
# pagecache"), SHARE_WAIT (300), SHARE_BOOT_WAIT (60: a guest that has not
# said HELLO by then is restarted once), QEMU_TIMEOUT (600),
# SHARE_GUEST_MEM (512M), SHARE_PROG="NFUNC NSTMT" (2048 120).
#
# Time on a 2-core host under TCG, K=3: 75-135 s for the 13 guest boots (the
# more the other jobs on the host, the longer), plus ~15 s the first time to
# compile the big program (cached in build/share/ by the generator's hash).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
arch_vars x86_64

K=${SHARE_GUESTS:-3}
ROUNDS=${SHARE_ROUNDS:-3}
MODES=${SHARE_MODES:-xip pagecache}
WAIT=${SHARE_WAIT:-300}
BOOT_WAIT=${SHARE_BOOT_WAIT:-60}
QTIMEOUT=${QEMU_TIMEOUT:-600}
GMEM=${SHARE_GUEST_MEM:-512M}
PROG=${SHARE_PROG:-2048 120}
OUT=$BUILD/share
CSV=$OUT/share.csv
TABLE=$OUT/share.txt
PNG=$OUT/share.png
IMG=$OUT/share.img
KERNEL=$OBJ/$IMAGE
BUSYBOX=/bin/busybox
T0=$(date +%s)

[[ $K =~ ^[1-9][0-9]?$ ]] || die "SHARE_GUESTS=$K: want 1..99"
[[ $ROUNDS =~ ^[1-9][0-9]?$ ]] || die "SHARE_ROUNDS=$ROUNDS: want 1..99"
for m in $MODES; do
	case $m in xip|pagecache) ;; *) die "SHARE_MODES: unknown mode '$m'" ;; esac
done

# --- tools: fail loudly ------------------------------------------------------
for t in qemu-system-x86_64 mke2fs e2fsck debugfs fincore gnuplot gcc python3 \
	 timeout mkfifo gzip sha1sum; do
	command -v "$t" >/dev/null || die "$t missing: run 'make deps'"
done
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing: run 'make deps'"
[ -f "$KERNEL" ] || die "no x86_64 kernel ($KERNEL): run 'make kernel-x86_64'"
grep -qx 'CONFIG_ACPI_NFIT=y' "$OBJ/.config" ||
	die "$OBJ/.config has no CONFIG_ACPI_NFIT=y: the guests would not see the nvdimm (configs/x86_64.config, make kernel-x86_64)"

# --- cleanup: every QEMU we started, by pid ------------------------------------
TPIDS=()	# the 'timeout' wrappers
QPIDFILES=()
RUNPID=		# the background subshell of the current run_share
cleanup() {
	local p f
	if [ -n "$RUNPID" ] && kill -0 "$RUNPID" 2>/dev/null; then
		kill -TERM "$RUNPID" 2>/dev/null	# its own EXIT trap kills its QEMUs
		wait "$RUNPID" 2>/dev/null
	fi
	RUNPID=
	for f in "${QPIDFILES[@]}"; do
		[ -s "$f" ] && p=$(cat "$f") && kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	done
	# a QEMU that has not written its pid file yet: timeout passes TERM
	# on to it (and KILLs it 5 s later)
	for p in "${TPIDS[@]}"; do
		kill -0 "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null
	done
	TPIDS=(); QPIDFILES=()
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT"
rm -f "$CSV" "$TABLE" "$PNG" "$OUT"/*.dat "$OUT"/run/*.hung-console.log
FAILS=$OUT/failures.txt
: > "$FAILS"
failed() { echo "$*" >> "$FAILS"; echo "FAILED: $*" >&2; }
# a snapshot: every guest of this run boots the same kernel, even if
# build/x86_64 is rebuilt meanwhile
cp "$KERNEL" "$OUT/bzImage"
KERNEL=$OUT/bzImage
note "share: K=1..$K guests, modes: $MODES, $ROUNDS rounds; output in $OUT"

# --- 1. userspace and the image -------------------------------------------------
GEN=$(gen_init_cpio) || die "building gen_init_cpio failed"
gcc -static -O2 -Wall -o "$OUT/xip-share" "$ROOT/scripts/guest/xip-share.c" ||
	die "building scripts/guest/xip-share.c failed"

# the big program: regenerated when the generator or its arguments change
stamp=$(sha1sum < "$ROOT/scripts/share-genprog.py" | cut -c1-12)-${PROG// /x}
if [ "$(cat "$OUT/big.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -x "$OUT/big" ]; then
	note "share: generating and compiling the big program ($PROG)"
	# shellcheck disable=SC2086
	python3 "$ROOT/scripts/share-genprog.py" $PROG > "$OUT/big.c"
	gcc -static -O0 -o "$OUT/big" "$OUT/big.c" || die "compiling $OUT/big.c failed"
	rm -f "$OUT/big.c"	# MiBs; the generator makes it again
	echo "$stamp" > "$OUT/big.stamp"
fi
text_kib=$(( $(size -A "$OUT/big" | awk '$1 == ".text" { print $2 }') / 1024 ))
note "share: big program: ${text_kib} KiB of text"

HOST_STAGE=$OUT/stage-host	# mke2fs -d: what the host puts in the image
ADMIN_STAGE=$OUT/stage-admin	# what the administrator's guest copies in
rm -rf "$HOST_STAGE" "$ADMIN_STAGE"
mkdir -p "$HOST_STAGE/bin" "$ADMIN_STAGE/bin"
cp "$BUSYBOX" "$HOST_STAGE/bin/busybox"
echo "make share image, built $(date -Is) by scripts/share.sh" > "$HOST_STAGE/README"
cp "$OUT/big" "$ADMIN_STAGE/bin/big"
"$OUT/big" > "$ADMIN_STAGE/bin/big.expect"

# A tight image: the files' blocks + ~3% (indirect blocks, directories,
# inode table) + 256 KiB, in whole MiB, so that host_copies is about copies.
data_kib=$(du -sk --apparent-size "$HOST_STAGE" "$ADMIN_STAGE" | awk '{ n += $1 } END { print n }')
img_mib=$(( (data_kib * 103 / 100 + 256 + 1023) / 1024 ))
rm -f "$IMG"
mke2fs -q -F -t ext2 -b 4096 -m 0 -N 64 -L share -d "$HOST_STAGE" "$IMG" "${img_mib}M" ||
	die "mke2fs -d $HOST_STAGE $IMG failed"
IMG_BYTES=$(stat -c %s "$IMG")
IMG_KIB=$((IMG_BYTES / 1024))
note "share: image $IMG: $IMG_KIB KiB for $data_kib KiB of files"

# initramfs: busybox, the helper, the guest script; the admin's with /stage
make_initramfs() {	# make_initramfs OUT.cpio.gz [STAGE]
	local list=$1.list f
	cat > "$OUT/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /mnt
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t tmpfs tmpfs /tmp
/bin/busybox --install -s /bin
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
echo "SHARE: guest up: $(uname -r), role $SHARE_ROLE, guest $SHARE_GUEST, mode $SHARE_MODE"
/bin/sh /guest/share.sh
echo "SHARE: guest script exited with $?"
echo 1 > /proc/sys/kernel/printk
dmesg | tail -40
reboot -f
EOF
	{
		echo "dir /dev 0755 0 0"
		echo "nod /dev/console 0600 0 0 c 5 1"
		for d in proc sys tmp mnt bin sbin usr usr/bin guest; do echo "dir /$d 0755 0 0"; done
		echo "file /init $OUT/init 0755 0 0"
		echo "file /bin/busybox $BUSYBOX 0755 0 0"
		echo "slink /bin/sh busybox 0777 0 0"
		echo "file /usr/bin/xip-share $OUT/xip-share 0755 0 0"
		echo "file /guest/share.sh $ROOT/scripts/guest/share.sh 0755 0 0"
		if [ -n "${2:-}" ]; then
			echo "dir /stage 0755 0 0"
			echo "dir /stage/bin 0755 0 0"
			for f in "$2"/bin/*; do
				echo "file /stage/bin/$(basename "$f") $f $(stat -c %a "$f") 0 0"
			done
		fi
	} > "$list"
	"$GEN" "$list" | gzip -1 > "$1" || die "building $1 failed"
}
make_initramfs "$OUT/share.cpio.gz"
make_initramfs "$OUT/admin.cpio.gz" "$ADMIN_STAGE"

# --- guests ------------------------------------------------------------------
declare -A M		# M[guest,key]=value from the guests' "M key value" lines
declare -A TO_G FROM_G	# fds of each guest's control fifos
GDIRS=()

start_guest() {	# start_guest N ROLE MODE RO(on|off) CPIO
	local n=$1 g=$OUT/run/guest$1
	rm -rf "$g"; mkdir -p "$g"
	mkfifo "$g/ctl.in" "$g/ctl.out"
	GDIRS[n]=$g
	# O_RDWR: opening never blocks, and a dead QEMU cannot leave us at EOF
	local to from
	exec {to}<>"$g/ctl.in" {from}<>"$g/ctl.out"
	TO_G[$n]=$to FROM_G[$n]=$from
	timeout -k 5 "$QTIMEOUT" qemu-system-x86_64 \
		-machine pc,nvdimm=on -m "$GMEM,slots=2,maxmem=4G" -smp 1 \
		-display none -monitor none -no-reboot -pidfile "$g/qemu.pid" \
		-serial "file:$g/console.log" -serial "pipe:$g/ctl" \
		-object "memory-backend-file,id=img,share=on,mem-path=$IMG,size=$IMG_BYTES,readonly=$4" \
		-device "nvdimm,id=nv0,memdev=img,unarmed=$4" \
		-kernel "$KERNEL" -initrd "$5" \
		-append "console=ttyS0 panic=-1 kunit.enable=0 SHARE_ROLE=$2 SHARE_GUEST=$n SHARE_MODE=$3 SHARE_ROUNDS=$ROUNDS SHARE_WAIT=$WAIT" \
		< /dev/null > "$g/qemu.log" 2>&1 &
	TPIDS+=($!)
	QPIDFILES+=("$g/qemu.pid")
	TPID[$n]=$!
}
declare -A TPID

guest_fail() {	# guest_fail N WHY
	local g=${GDIRS[$1]}
	echo "ERROR: guest $1: $2" >&2
	{ tail -5 "$g/qemu.log"; tail -25 "$g/console.log"; } 2>/dev/null | sed "s/^/    guest$1: /" >&2
	exit 1
}

# await N WORD [SECS]: read guest N's control lines until WORD (the first
# word of a line); records M lines, echoes INFO lines; bounded by SECS
# (default WAIT) seconds; with SECS, a timeout returns 1 instead of failing.
await() {
	local n=$1 want=$2 secs=${3:-$WAIT} line w rest left i deadline
	deadline=$(( $(date +%s) + secs ))
	for ((i = 0; i < 1000; i++)); do
		left=$(( deadline - $(date +%s) ))
		if [ $left -le 0 ]; then
			[ -z "${3:-}" ] || return 1
			guest_fail "$n" "no '$want' within ${secs}s"
		fi
		[ $left -le 5 ] || left=5
		if ! IFS= read -r -t "$left" -u "${FROM_G[$n]}" line; then
			# nothing for a while: is the guest still there?
			kill -0 "${TPID[$n]}" 2>/dev/null || guest_fail "$n" "QEMU exited before '$want'"
			continue
		fi
		line=${line%$'\r'}
		echo "$line" >> "${GDIRS[$n]}/ctl.log"
		read -r w rest <<< "$line"
		case $w in
		M) M[$n,${rest%% *}]=${rest#* } ;;
		INFO|HELLO) echo "    guest$n: $line" ;;
		FAIL) guest_fail "$n" "$rest" ;;
		esac
		[ "$w" = "$want" ] && return 0
	done
	guest_fail "$n" "too many lines before '$want'"
}

tell() { echo "$2" >&"${TO_G[$1]}"; }	# tell N LINE
close_fds() {	# close_fds N: the host ends of guest N's control fifos
	local to=${TO_G[$1]} from=${FROM_G[$1]}
	exec {to}>&- {from}>&-
}

# Now and then (a few boots in a hundred here, under load) a TCG guest stops
# early in ACPI init ("ACPI: Enabled 4 GPEs" is its last console line):
# such a guest is killed and started once more.  The retry is logged and
# counted (boot_retries in share.csv).
RETRIES=0
retry_guest() {	# retry_guest N ROLE MODE RO CPIO: after no HELLO within BOOT_WAIT
	local n=$1 qp
	echo "WARNING: guest $n did not come up within ${BOOT_WAIT}s (console ends: $(tail -1 "${GDIRS[$n]}/console.log" | tr -d '\r')); restarting it once" >&2
	RETRIES=$((RETRIES + 1))
	qp=$(cat "${GDIRS[$n]}/qemu.pid" 2>/dev/null) && kill -KILL "$qp" 2>/dev/null
	wait "${TPID[$n]}" 2>/dev/null || true
	close_fds "$n"
	cp "${GDIRS[$n]}/console.log" "$OUT/run/guest$n.hung-console.log" 2>/dev/null || true
	start_guest "$@"
	await "$n" HELLO "$BOOT_WAIT" || guest_fail "$n" "did not come up within ${BOOT_WAIT}s, twice"
}
boot_guest() {	# boot_guest N ROLE MODE RO CPIO
	start_guest "$@"
	await "$1" HELLO "$BOOT_WAIT" || retry_guest "$@"
}

stop_guests() {	# wait for the started guests' QEMUs (they reboot -f), close fds
	local n p rc=0
	for n in "${!TPID[@]}"; do
		p=${TPID[$n]}
		wait "$p" || rc=$?
		[ $rc = 0 ] || guest_fail "$n" "QEMU exited with $rc"
		close_fds "$n"
	done
	TPIDS=(); QPIDFILES=(); TPID=(); TO_G=(); FROM_G=()
}

# Drop the host page cache of the image (after writing back what a guest
# wrote through its shared mapping): every run starts with 0 resident.
drop_image_cache() {
	python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.fsync(fd)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$IMG"
}
resident_kib() { echo $(( $(fincore -b -n -o RES "$IMG") / 1024 )); }

# Pss (and Rss) of the image's mapping in QEMU pid $1, KiB
qemu_map_kib() {	# qemu_map_kib PID Pss|Rss
	awk -v path="$IMG" -v key="$2:" '
		/^[0-9a-f]+-[0-9a-f]+ / { on = ($NF == path) ; next }
		on && $1 == key { n += $2 }
		END { print n + 0 }' "/proc/$1/smaps"
}

# --- 2. the administrator populates the image ----------------------------------
note "share: administrator: populate the image read-write from one guest"
chmod 0644 "$IMG"
boot_guest 0 admin xip off "$OUT/admin.cpio.gz"
await 0 DONE
stop_guests
ADMIN_XIP=${M[0,admin_xip_rw]:-0}
e2fsck -fn "$IMG" > "$OUT/e2fsck.log" 2>&1 || { cat "$OUT/e2fsck.log" >&2; die "e2fsck -fn $IMG after the administrator's guest failed"; }
debugfs -R "cat /manifest.sha1" "$IMG" 2>/dev/null > "$OUT/manifest.sha1"
want=$( (cd "$ADMIN_STAGE" && find . -type f | sort | xargs sha1sum; cd "$HOST_STAGE" && find . -type f | sort | xargs sha1sum) | sort)
[ "$(sort "$OUT/manifest.sha1")" = "$want" ] || {
	diff <(sort "$OUT/manifest.sha1") <(echo "$want") >&2 || true
	die "the image's manifest.sha1 does not match the files the administrator copied"
}
chmod 0444 "$IMG"
[ "$ADMIN_XIP" = 1 ] || failed "administrator: mount -o xip read-write of the image's own nvdimm was refused (populated with a plain rw mount)"
note "share: image checked (e2fsck clean, $(wc -l < "$OUT/manifest.sha1") files as staged), now read-only; admin mount was $([ "$ADMIN_XIP" = 1 ] && echo '-o xip read-write' || echo 'plain read-write (xip refused!)')"

# --- 3. the share runs ------------------------------------------------------------
csv() { echo "$1,$2,$3,$4" >> "$CSV"; }
echo "mode,guests,metric,value" > "$CSV"
# run_share MODE K, in a background subshell (the parent waits with the
# interruptible 'wait' and passes INT/TERM on as TERM): a guest failure exits
# it, and its EXIT trap kills its QEMUs.
run_share() {
	local mode=$1 k=$2 n res pss rss pss_sum=0 max_pc=0 max_bd=0 guest_sum=0 refused=1 host
	trap cleanup EXIT
	trap 'exit 143' TERM
	RETRIES=0
	note "share: $mode, $k guest(s)"
	drop_image_cache
	res=$(resident_kib)
	M=()
	for ((n = 1; n <= k; n++)); do
		start_guest "$n" share "$mode" on "$OUT/share.cpio.gz"
	done
	for ((n = 1; n <= k; n++)); do
		await "$n" HELLO "$BOOT_WAIT" || retry_guest "$n" share "$mode" on "$OUT/share.cpio.gz"
	done
	for ((n = 1; n <= k; n++)); do await "$n" BOOTED; done
	for ((n = 1; n <= k; n++)); do tell "$n" RUN; done
	for ((n = 1; n <= k; n++)); do await "$n" READY; done
	# all guests hold their mounts and page cache: measure the host
	csv "$mode" "$k" host_resident_before_KiB "$res"
	res=$(resident_kib)
	for ((n = 1; n <= k; n++)); do
		pss=$(qemu_map_kib "$(cat "${GDIRS[$n]}/qemu.pid")" Pss)
		rss=$(qemu_map_kib "$(cat "${GDIRS[$n]}/qemu.pid")" Rss)
		pss_sum=$((pss_sum + pss))
		csv "$mode" "$k" "guest${n}_qemu_image_rss_KiB" "$rss"
		csv "$mode" "$k" "guest${n}_qemu_image_pss_KiB" "$pss"
	done
	for ((n = 1; n <= k; n++)); do tell "$n" GO; done
	for ((n = 1; n <= k; n++)); do await "$n" BYE; done
	stop_guests
	for ((n = 1; n <= k; n++)); do
		local pc=${M[$n,image_pagecache_KiB]} bd=${M[$n,bdev_pagecache_KiB]}
		[ "${M[$n,xip_rw_refused]}" = 1 ] || refused=0
		[ "$pc" -gt "$max_pc" ] && max_pc=$pc
		[ "$bd" -gt "$max_bd" ] && max_bd=$bd
		guest_sum=$((guest_sum + pc + bd))
		for key in image_pagecache_KiB bdev_pagecache_KiB cached_delta_KiB \
			   memavailable_delta_KiB xip_rw_refused runs runs_failed; do
			csv "$mode" "$k" "guest${n}_$key" "${M[$n,$key]}"
		done
	done
	host=$((res + guest_sum))
	csv "$mode" "$k" image_KiB "$IMG_KIB"
	csv "$mode" "$k" host_backing_resident_KiB "$res"
	csv "$mode" "$k" host_qemu_pss_KiB "$pss_sum"
	csv "$mode" "$k" guest_image_pagecache_KiB "$max_pc"
	csv "$mode" "$k" guest_bdev_pagecache_KiB "$max_bd"
	csv "$mode" "$k" guests_pagecache_sum_KiB "$guest_sum"
	csv "$mode" "$k" host_image_KiB "$host"
	csv "$mode" "$k" host_copies "$(awk -v a="$host" -v b="$IMG_KIB" 'BEGIN { printf "%.2f", a / b }')"
	csv "$mode" "$k" xip_rw_refused "$refused"
	csv "$mode" "$k" boot_retries "$RETRIES"
	[ $refused = 1 ] || failed "$mode K=$k: a read-write -o xip mount was not refused"
	if [ "$mode" = xip ] && [ "$max_pc" != 0 ]; then
		failed "xip K=$k: a guest holds $max_pc KiB of page cache for the image's files"
	fi
	note "share: $mode K=$k: host holds $host KiB for the $IMG_KIB KiB image ($res resident + $guest_sum in guests)"
}

for mode in $MODES; do
	for ((k = 1; k <= K; k++)); do
		run_share "$mode" "$k" &
		RUNPID=$!
		rc=0
		wait "$RUNPID" || rc=$?
		RUNPID=
		if [ $rc != 0 ]; then
			# a failed mode (e.g. no -o xip on pmem yet) does not stop the other
			failed "$mode K=$k: the run failed; $mode stopped (guest logs in $OUT/run/)"
			break
		fi
	done
done

# --- 4. table, plot ----------------------------------------------------------------
python3 - "$CSV" "$K" "$IMG_KIB" "$text_kib" "$ROUNDS" > "$TABLE" <<'PY'
import csv, sys
path, K, img, text, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
val, metrics = {}, []
for r in csv.DictReader(open(path)):
    val[(r['mode'], int(r['guests']), r['metric'])] = r['value']
    if r['metric'] not in metrics:
        metrics.append(r['metric'])
main = ['host_copies', 'host_image_KiB', 'host_backing_resident_KiB', 'host_qemu_pss_KiB',
        'guest_image_pagecache_KiB', 'guest_bdev_pagecache_KiB', 'guests_pagecache_sum_KiB',
        'xip_rw_refused', 'boot_retries']
per_guest = sorted({m.split('_', 1)[1] for m in metrics if m.startswith('guest') and m[5].isdigit()})
print('make share: one %s KiB ext2 image (busybox + a program with %s KiB of text), '
      'K guests, programs run %s times each per guest' % (img, text, rounds))
cols = [(m, k) for m in ('xip', 'pagecache') for k in range(1, K + 1)]
print('%-34s' % 'metric' + ''.join('%12s' % ('%s K=%d' % (m if m == 'xip' else 'pgcache', k)) for m, k in cols))
def row(name, get):
    print('%-34s' % name + ''.join('%12s' % get(m, k) for m, k in cols))
for metric in main:
    row(metric, lambda m, k: val.get((m, k, metric), '-'))
for metric in per_guest:
    # the largest (in magnitude) over the guests
    def g(m, k, metric=metric):
        v = [val[(m, k, 'guest%d_%s' % (n, metric))] for n in range(1, k + 1)
             if (m, k, 'guest%d_%s' % (n, metric)) in val]
        return max(v, key=lambda x: abs(float(x))) if v else '-'
    row('max_guest_%s' % metric, g)
PY
cat "$TABLE"

dat=$OUT/share.dat
awk -F, -v K="$K" '
	$3 == "host_image_KiB" { v[$1, $2] = $4 / 1024 }
	END { for (k = 1; k <= K; k++)
		printf "%d %s %s\n", k, ((("xip", k) in v) ? v["xip", k] : "NaN"),
			((("pagecache", k) in v) ? v["pagecache", k] : "NaN") }' "$CSV" > "$dat"
gnuplot > "$OUT/gnuplot.log" 2>&1 <<GNUPLOT || { cat "$OUT/gnuplot.log" >&2; failed "gnuplot"; }
set terminal png size 800,500 noenhanced
set output "$PNG"
set title "One ${IMG_KIB} KiB ext2 image shared by K x86_64 guests (QEMU nvdimm, share=on)"
set xlabel "guests K"
set ylabel "host memory holding the image (MiB)"
set xtics 1
set xrange [0.5:$K.5]
set yrange [0:*]
set key top left
set grid
plot "$dat" using 1:2 with linespoints lw 2 pt 7 title "mount -o xip,ro (device memory)", \
     "$dat" using 1:3 with linespoints lw 2 pt 5 title "mount -o ro (page cache in each guest)", \
     $IMG_KIB / 1024.0 * x with lines dt 2 title "K copies", \
     $IMG_KIB / 1024.0 with lines dt 3 title "one copy"
GNUPLOT
[ -s "$PNG" ] && note "share: plot $PNG"
note "share: $CSV, $TABLE; $(( $(date +%s) - T0 )) s"
if [ -s "$FAILS" ]; then
	echo "make share: FAILED:" >&2
	sed 's/^/  /' "$FAILS" >&2
	exit 1
fi
echo "make share: ok"
