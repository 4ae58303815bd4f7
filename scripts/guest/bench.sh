#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 'make bench', inside the guest (busybox sh, see scripts/guest-run.sh).
#
# Runs /usr/bin/xip-bench on a fresh ext2 (4K blocks) for each file system
# set-up that this guest offers:
#   xip        ext2 -o xip on a brd RAM disk (/dev/ram0)
#   pagecache  plain ext2 on the same RAM disk (the page cache)
#   dax        ext2 -o dax on legacy pmem (/dev/pmem0, x86_64 only)
# and prints its RESULT lines as TAP comments, one TAP result per set-up.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
MIB=${XIP_BENCH_MIB:-64}
MNT=/mnt/bench
n=0
fails=0

bench() {	# bench LABEL DEVICE MOUNTOPTS
	n=$((n + 1))
	if [ ! -b "$2" ]; then
		echo "not ok $n - $1: no $2"
		fails=$((fails + 1))
		return
	fi
	mkdir -p "$MNT"
	if ! mke2fs -F -q -b 4096 "$2" >/tmp/bench.log 2>&1 ||
	   ! mount -t ext2 -o "$3" "$2" "$MNT" >>/tmp/bench.log 2>&1; then
		sed 's/^/# /' /tmp/bench.log
		echo "not ok $n - $1: mke2fs and mount -o $3 $2"
		fails=$((fails + 1))
		return
	fi
	echo "# $1: $(grep " $MNT " /proc/mounts)"
	if xip-bench "$MNT" "$1" "$MIB" >/tmp/bench.log 2>&1; then
		sed 's/^/# /' /tmp/bench.log
		echo "ok $n - $1"
	else
		sed 's/^/# /' /tmp/bench.log
		echo "not ok $n - $1: xip-bench failed"
		fails=$((fails + 1))
	fi
	umount "$MNT"
}

echo "TAP version 13"
echo "# kernel $(uname -r) on $(uname -m), $(grep -c ^processor /proc/cpuinfo) CPUs, file of $MIB MiB"
bench xip /dev/ram0 xip
bench pagecache /dev/ram0 defaults
if [ "$(uname -m)" = x86_64 ]; then
	bench dax /dev/pmem0 dax
fi
echo "1..$n"
[ $fails -eq 0 ]
