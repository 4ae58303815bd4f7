#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 'make bench', inside the guest (busybox sh, see scripts/guest-run.sh).
#
# Runs /usr/bin/xip-bench once per set-up that this guest offers, each on a
# fresh file system (ext2 with 4K blocks, made just before):
#   xip-brd        ext2 -o xip on a brd RAM disk (/dev/ram0)
#   pagecache-brd  plain ext2 on the same RAM disk (the page cache)
#   tmpfs          tmpfs (page cache, no backing device)
#   xip-pmem       ext2 -o xip on legacy memmap= pmem ($XIP_PMEM_DEV, x86_64)
#   dax-pmem       ext2 -o dax on the same pmem device, mkfs'ed again
#   memcpy         no file system: memcpy of the same size (the limit)
# and prints xip-bench's RESULT/SAMPLES lines as TAP comments, one TAP
# result per set-up.  Sizes and sample counts come from the environment
# (scripts/bench.sh passes them through GUEST_ENV):
#   BENCH_MIB BENCH_WRITE_MIB BENCH_MMAP_MIB BENCH_SWEEP BENCH_REPS BENCH_SAMPLE_S
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
MIB=${BENCH_MIB:-64}
ARGS="-m $MIB -w ${BENCH_WRITE_MIB:-16} -p ${BENCH_MMAP_MIB:-16} -s ${BENCH_SWEEP:-1,16,256} -n ${BENCH_REPS:-7} -t ${BENCH_SAMPLE_S:-0.2}"
MNT=/mnt/bench
n=0
fails=0

fail() {	# fail SETUP WHY
	echo "not ok $n - $1: $2"
	fails=$((fails + 1))
}

run() {		# run SETUP: xip-bench on $MNT, then unmount it
	t0=$(date +%s)
	# shellcheck disable=SC2086
	if xip-bench $ARGS "$MNT" "$1" >/tmp/bench.log 2>&1; then
		sed 's/^/# /' /tmp/bench.log
		echo "ok $n - $1 ($(( $(date +%s) - t0 )) s)"
	else
		sed 's/^/# /' /tmp/bench.log
		fail "$1" "xip-bench failed"
	fi
	umount "$MNT"
}

ext2() {	# ext2 SETUP DEVICE MOUNTOPTS
	n=$((n + 1))
	if [ ! -b "$2" ]; then
		fail "$1" "no $2"
		return
	fi
	mkdir -p "$MNT"
	# brd: give the previous set-up's blocks back (brd frees discarded pages)
	case $2 in /dev/ram*) blkdiscard "$2" >/dev/null 2>&1 ;; esac
	if ! mke2fs -F -q -b 4096 "$2" >/tmp/bench.log 2>&1 ||
	   ! mount -t ext2 -o "$3" "$2" "$MNT" >>/tmp/bench.log 2>&1; then
		sed 's/^/# /' /tmp/bench.log
		fail "$1" "mke2fs and mount -o $3 $2"
		return
	fi
	opts=$(grep " $MNT " /proc/mounts)
	echo "# $1: $opts"
	case $3 in
	xip|dax) case ",$(echo "$opts" | cut -d' ' -f4)," in
		 *,$3,*) ;;
		 *) umount "$MNT"; fail "$1" "-o $3 not in /proc/mounts"; return ;;
		 esac ;;
	esac
	run "$1"
}

echo "TAP version 13"
echo "# kernel $(uname -r) on $(uname -m), $(grep -c ^processor /proc/cpuinfo) CPUs; xip-bench $ARGS"
ext2 xip-brd /dev/ram0 xip
ext2 pagecache-brd /dev/ram0 defaults

n=$((n + 1))
mkdir -p "$MNT"
if mount -t tmpfs -o size=1g tmpfs "$MNT"; then
	echo "# tmpfs: $(grep " $MNT " /proc/mounts)"
	run tmpfs
else
	fail tmpfs "mount -t tmpfs"
fi

if [ -n "${XIP_PMEM_DEV:-}" ]; then
	ext2 xip-pmem "$XIP_PMEM_DEV" xip
	ext2 dax-pmem "$XIP_PMEM_DEV" dax
fi

n=$((n + 1))
# shellcheck disable=SC2086
if xip-bench $ARGS -c memcpy >/tmp/bench.log 2>&1; then
	sed 's/^/# /' /tmp/bench.log
	echo "ok $n - memcpy"
else
	sed 's/^/# /' /tmp/bench.log
	fail memcpy "xip-bench -c failed"
fi
echo "1..$n"
[ $fails -eq 0 ]
