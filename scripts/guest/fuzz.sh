#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the guest (scripts/fuzz.sh boots it): xip_fuzz on the base images in
# /data, FUZZ_N images from FUZZ_SEED starting at FUZZ_FIRST, on XIP_DEV.
# Prints the TAP of xip_fuzz.
#
# Hostile images make ext2 log ext2_error() lines by the ten thousand (a
# truncate of a garbage indirect tree logs one per pointer), and a serial
# console prints about 100 KiB/s under TCG.  So the console shows only
# KERN_ALERT and above while xip_fuzz runs (its per-image markers are
# KERN_ALERT; an oops or a panic turns the console verbose); xip_fuzz reads
# every record from /dev/kmsg itself (log_buf_len=4M on the command line).
# A panic replays the whole log on the console (panic_print=0x20), so a
# report that panics (panic_on_warn) is still on the console.

echo on > /proc/sys/kernel/printk_devkmsg || echo "# cannot turn printk_devkmsg on"
[ -w /proc/sys/kernel/panic_print ] && echo 32 > /proc/sys/kernel/panic_print
set -- /data/base-*.img
if [ ! -f "$1" ] || [ ! -f /data/exec.expected ]; then
	echo "TAP version 13"
	echo "1..1"
	echo "not ok 1 - fuzz: no base images in /data (run scripts/fuzz.sh on the host)"
	exit 1
fi
saved=$(cat /proc/sys/kernel/printk)
echo 2 > /proc/sys/kernel/printk
/xip/xip_fuzz -d "${XIP_DEV:-/dev/ram0}" -n "${FUZZ_N:-200}" \
	-s "${FUZZ_SEED:-1}" -f "${FUZZ_FIRST:-0}" -e /data/exec.expected "$@" \
	> /tmp/fuzz.tap
rc=$?
echo "$saved" > /proc/sys/kernel/printk
cat /tmp/fuzz.tap
# The rig dumps the kernel log after the run: megabytes of ext2 errors, a
# minute on the serial console.  Keep what matters in the TAP instead.
if [ "$rc" = 0 ] && grep -q '^# fuzz: kernel log records lost 0$' /tmp/fuzz.tap; then
	echo "# fuzz: kernel log cleared (nothing to report)"
else
	echo "# fuzz: the kernel log without its EXT2-fs lines:"
	dmesg | grep -v 'EXT2-fs (' | sed 's/^/# dmesg: /'
fi
dmesg -c > /dev/null
[ "$rc" = 0 ]
