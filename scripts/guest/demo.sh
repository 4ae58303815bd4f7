#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# XIP demo, run inside the guest by busybox sh (see scripts/guest-run.sh).
#
# Puts ext2 (4K blocks) on a brd RAM disk, mounts it -o xip, copies a static
# binary onto it and runs it from there, and shows:
#   - the mount line from /proc/mounts,
#   - the binary's page-cache page count before and after running it,
#   - the physical frame its executing text page is mapped from,
#   - whether a mapping of a file on the mount sees a write made through the
#     block device at once (it maps the device's memory) or keeps a copy.
# The same is shown for two comparison points: plain ext2 on the other RAM
# disk (page cache: the negative control) and, where /dev/pmem0 exists,
# ext2 -o dax on legacy pmem (stock fs-DAX).
#
# Output is TAP; human-readable lines are TAP comments ("# ...").
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
HELPER=/usr/bin/xip-demo
n=0
fails=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $* # SKIP"; }
say() { echo "# $*"; }
check() { # check COND-EXIT-STATUS DESCRIPTION
	if [ "$1" = 0 ]; then ok "$2"; else notok "$2"; fi
}
field() { # field KEY LINE -> value of KEY=value in LINE
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1
}

say "kernel $(uname -r) on $(uname -m)"
if [ -r /proc/config.gz ]; then
	for opt in CONFIG_FS_XIP CONFIG_EXT2_FS_XIP CONFIG_BLK_DEV_XIP CONFIG_FS_DAX; do
		v=$(zcat /proc/config.gz | sed -n "s/^$opt=//p")
		say "$opt=${v:-(not set)}"
	done
fi

# fs_case LABEL DEVICE MOUNTOPTS: mkfs, mount, copy, run, measure.
# Sets: MOUNTED RUN_OK CACHE_BEFORE CACHE_AFTER SELF DEVWRITE
fs_case() {
	label=$1 dev=$2 opts=$3 mnt=/mnt/$1
	MOUNTED=0 RUN_OK=0 CACHE_BEFORE= CACHE_AFTER= SELF= DEVWRITE=
	say ""
	say "=== $label: ext2 on $dev, mount -o $opts ==="
	if [ ! -b "$dev" ]; then
		notok "$label: $dev exists"
		return 1
	fi
	if ! mke2fs -F -b 4096 "$dev" > /tmp/mkfs.log 2>&1; then
		sed 's/^/# /' /tmp/mkfs.log
		notok "$label: mke2fs -b 4096 $dev"
		return 1
	fi
	mkdir -p "$mnt"
	if ! mount -t ext2 -o "$opts" "$dev" "$mnt" 2> /tmp/mount.err; then
		say "mount -t ext2 -o $opts $dev $mnt failed: $(cat /tmp/mount.err)"
		dmesg | grep -iE 'ext2|xip|dax' | tail -3 | sed 's/^/# dmesg: /'
		notok "$label: mount -t ext2 -o $opts $dev"
		return 1
	fi
	MOUNTED=1
	line=$(grep " $mnt " /proc/mounts)
	say "/proc/mounts: $line"
	cp "$HELPER" "$mnt/xip-demo"
	dd if=/dev/urandom of="$mnt/data" bs=4096 count=4 2> /dev/null
	sync
	echo 3 > /proc/sys/vm/drop_caches
	CACHE_BEFORE=$(field pages "$("$HELPER" cache "$mnt/xip-demo")")
	say "page cache pages of $mnt/xip-demo before running it: $CACHE_BEFORE"
	if out=$("$mnt/xip-demo" hello) && SELF=$("$mnt/xip-demo" self); then
		RUN_OK=1
		say "$out"
		say "executing text page: $(echo "$SELF" | sed 's/^self //')"
	else
		say "running $mnt/xip-demo failed"
	fi
	CACHE_AFTER=$(field pages "$("$HELPER" cache "$mnt/xip-demo")")
	say "page cache pages of $mnt/xip-demo after running it: $CACHE_AFTER"
	DEVWRITE=$("$HELPER" devwrite "$mnt/data" "$dev" 2>&1) || true
	say "$DEVWRITE"
	return 0
}

fs_done() { # fs_done LABEL DEVICE
	umount "/mnt/$1" || notok "$1: umount"
	if e2fsck.static -fn "$2" > /tmp/fsck.log 2>&1; then
		ok "$1: e2fsck -fn $2 clean after the run"
	else
		sed 's/^/# /' /tmp/fsck.log | tail -5
		notok "$1: e2fsck -fn $2 clean after the run"
	fi
}

# --- control: plain ext2 through the page cache -----------------------------------
if fs_case pagecache /dev/ram1 rw; then
	check $((1 - RUN_OK)) "pagecache: binary runs from plain ext2"
	[ "${CACHE_AFTER:-0}" -gt 0 ] 2> /dev/null
	check $? "pagecache: control shows page-cache pages after running ($CACHE_AFTER)"
	case $DEVWRITE in *mapping=copy*) r=0 ;; *) r=1 ;; esac
	check $r "pagecache: control mapping keeps its copy when the device is written (mapping=copy)"
	fs_done pagecache /dev/ram1
fi

# --- comparison: fs-DAX on legacy pmem (x86 only) ---------------------------------
if [ -b /dev/pmem0 ]; then
	if fs_case dax /dev/pmem0 dax; then
		check $((1 - RUN_OK)) "dax: binary runs from ext2 -o dax"
		[ "$CACHE_AFTER" = 0 ]
		check $? "dax: no page-cache pages (before $CACHE_BEFORE, after $CACHE_AFTER)"
		case $SELF in *iomem=Persistent_Memory*) r=0 ;; *) r=1 ;; esac
		check $r "dax: text page frame lies in the pmem range of /proc/iomem"
		case $DEVWRITE in *mapping=device*) r=0 ;; *) r=1 ;; esac
		check $r "dax: mapping sees a write to the device at once (mapping=device)"
		fs_done dax /dev/pmem0
	fi
else
	say "no /dev/pmem0: fs-DAX comparison not available on $(uname -m)"
fi

# --- XIP on brd -----------------------------------------------------------------------
XIP_OK=0
if fs_case xip /dev/ram0 xip; then
	line=$(grep " /mnt/xip " /proc/mounts)
	case ",$(echo "$line" | cut -d' ' -f4)," in
	*,xip,*) ok "xip: /proc/mounts shows the xip option" ;;
	*) notok "xip: /proc/mounts shows the xip option (got: $line)" ;;
	esac
	check $((1 - RUN_OK)) "xip: binary runs from ext2 -o xip"
	[ "$CACHE_BEFORE" = 0 ] && [ "$CACHE_AFTER" = 0 ]
	check $? "xip: no page-cache pages for the binary (before $CACHE_BEFORE, after $CACHE_AFTER)"
	case $SELF in *present=1*) r=0 ;; *) r=1 ;; esac
	check $r "xip: executing text page is mapped (pfn $(field pfn "$SELF"), $(field iomem "$SELF"))"
	case $DEVWRITE in *mapping=device*) r=0 ;; *) r=1 ;; esac
	check $r "xip: mapping sees a write to the device at once (mapping=device)"
	fs_done xip /dev/ram0
	[ $fails = 0 ] && XIP_OK=1
else
	say "XIP is not available in this kernel: 'mount -o xip' on ext2 was refused."
	say "Needed: CONFIG_FS_XIP, CONFIG_EXT2_FS_XIP (ext2 'xip' mount option) and"
	say "CONFIG_BLK_DEV_XIP (brd direct_access) from the patch series."
fi

say ""
if [ $XIP_OK = 1 ]; then
	say "XIP demo: PASS - the binary ran from ext2 -o xip without entering the page cache"
else
	say "XIP demo: FAIL - see the 'not ok' lines above"
fi
echo "1..$n"
[ $fails = 0 ]
