#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 'make share', inside each guest (busybox sh; /init of scripts/share.sh).
#
# The guest talks to the host over its second serial port, /dev/ttyS1 (a
# fifo pair on the host): it sends lines, and waits for the host's go-ahead
# lines, so host and guests meet without sleeping.  Every wait is bounded
# by SHARE_WAIT seconds.  The console (ttyS0) only logs.
#
# SHARE_ROLE=admin: /dev/pmem0 is the image, read-write and for this guest
#   alone.  Mount it -o xip read-write, copy /stage/* into it, write
#   manifest.sha1, unmount; then "DONE rc".
# SHARE_ROLE=share: /dev/pmem0 is the image, read-only and shared by all
#   guests (nvdimm unarmed=on on a readonly memory backend).
#   1. a read-write -o xip mount must be refused ("M xip_rw_refused 1")
#   2. mount it -o xip,ro (SHARE_MODE=xip) or -o ro (SHARE_MODE=pagecache)
#   3. "BOOTED", wait for "RUN" (all guests are up)
#   4. run the image's programs, SHARE_ROUNDS times each, all at once:
#      bin/big (checks its output) and bin/busybox sha1sum -c manifest.sha1
#   5. measure: page cache of the image's files and of the block device,
#      Cached and MemAvailable against before the mount; "M key value" lines
#   6. "READY", wait for "GO" (the host measures meanwhile), unmount, "BYE"
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
DEV=/dev/pmem0
MNT=/mnt/image
WAIT=${SHARE_WAIT:-300}
ROUNDS=${SHARE_ROUNDS:-3}
MODE=${SHARE_MODE:-pagecache}

exec 3<>/dev/ttyS1 || { echo "share: no /dev/ttyS1"; exit 1; }
stty raw -echo <&3
say() { echo "$*" >&3; echo "share: -> $*"; }
await() {	# await WORD: the host's next line must be WORD
	line=
	read -r -t "$WAIT" line <&3
	echo "share: <- $line"
	[ "$line" = "$1" ] && return 0
	say "FAIL waiting for $1, got '${line:-nothing in ${WAIT}s}'"
	exit 1
}
fail() { say "FAIL $*"; dmesg | tail -5 | sed 's/^/share: dmesg: /'; exit 1; }
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# the kernel finishes async probing (libnvdimm) before it starts /init
[ -b $DEV ] || fail "no $DEV (ACPI NFIT nvdimm): $(ls /sys/bus/nd/devices 2>&1 | tr '\n' ' ')"
mkdir -p $MNT
say "HELLO $SHARE_ROLE guest=${SHARE_GUEST:-0} mode=$MODE $(uname -r) $DEV ro=$(cat /sys/block/pmem0/ro) size=$(cat /sys/block/pmem0/size)"

if [ "$SHARE_ROLE" = admin ]; then
	opts=xip
	out=$(xip-share mount-rw $DEV $MNT xip) || {
		say "M admin_xip_rw 0"
		say "INFO admin: $out; falling back to a plain read-write mount"
		opts=rw
		out=$(xip-share mount-rw $DEV $MNT "") || fail "admin: $out"
	}
	[ $opts = xip ] && say "M admin_xip_rw 1"
	say "INFO admin: $(grep " $MNT " /proc/mounts)"
	cp -a /stage/. $MNT/ || fail "admin: copying /stage into the image"
	(cd $MNT && find . -type f ! -name manifest.sha1 | sort | xargs sha1sum > manifest.sha1) ||
		fail "admin: writing the manifest"
	say "INFO admin: $(cd $MNT && find . -type f | wc -l) files, $(du -sk $MNT | cut -f1) KiB"
	umount $MNT || fail "admin: umount"
	say "DONE 0"
	exit 0
fi

# --- a sharing guest ---------------------------------------------------------
cached0=$(meminfo Cached); avail0=$(meminfo MemAvailable)

# 1. read-write -o xip on the read-only shared nvdimm
if out=$(xip-share mount-rw $DEV $MNT xip); then
	umount $MNT
	say "M xip_rw_refused 0"
	fail "a read-write -o xip mount of the shared read-only $DEV succeeded"
fi
case $out in
*"(errno 13)"|*"(errno 30)") ;;	# EACCES, EROFS: refused because read-only
*) say "M xip_rw_refused 0"; fail "read-write -o xip mount failed, but not as read-only: $out" ;;
esac
say "M xip_rw_refused 1"
say "INFO $out; $DEV is read-only (ro=$(cat /sys/block/pmem0/ro))"

# 2. the read-only mount
case $MODE in
xip) opts=xip,ro ;;
pagecache) opts=ro ;;
*) fail "unknown SHARE_MODE $MODE" ;;
esac
mount -t ext2 -o $opts $DEV $MNT 2>/tmp/mount.err || fail "mount -o $opts $DEV: $(cat /tmp/mount.err)"
mline=$(grep " $MNT " /proc/mounts)
say "INFO mounted: $mline"
if [ "$MODE" = xip ]; then
	case ",$(echo "$mline" | cut -d' ' -f4)," in
	*,xip,*) ;;
	*) fail "mount -o xip,ro did not give an xip mount: $mline" ;;
	esac
fi
[ -x $MNT/bin/big ] && [ -s $MNT/manifest.sha1 ] || fail "the image lacks bin/big or manifest.sha1"
cached1=$(meminfo Cached)

# 3. all guests up
say BOOTED
await RUN

# 4. the programs, concurrently
expect=$(cat $MNT/bin/big.expect)
nfiles=$(wc -l < $MNT/manifest.sha1)
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	$MNT/bin/big > /tmp/big.$r 2>&1 &
	(cd $MNT && ./bin/busybox sha1sum -c manifest.sha1) > /tmp/sum.$r 2>&1 &
done
wait
bad=0
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	[ "$(cat /tmp/big.$r)" = "$expect" ] || { bad=$((bad + 1)); say "INFO big run $r: '$(cat /tmp/big.$r)', expected '$expect'"; }
	[ "$(grep -c ': OK$' /tmp/sum.$r)" = "$nfiles" ] ||
		{ bad=$((bad + 1)); say "INFO sha1sum run $r: $(grep -v ': OK$' /tmp/sum.$r | head -3 | tr '\n' ' ')"; }
done
say "M runs $((ROUNDS * 2))"
say "M runs_failed $bad"

# 5. measurements
files=$(find $MNT -type f)
# shellcheck disable=SC2086
fkib=$(xip-share cachestat $files | awk '{ n += $2 } END { print n * 4 }')
[ -n "$fkib" ] || fail "cachestat of the image's files"
bkib=$(xip-share cachestat $DEV | awk '{ print $2 * 4 }')
cached2=$(meminfo Cached); avail2=$(meminfo MemAvailable)
say "M image_files_KiB $(du -sk $MNT | cut -f1)"
say "M image_pagecache_KiB $fkib"
say "M bdev_pagecache_KiB $bkib"
say "M cached_delta_KiB $((cached2 - cached0))"
say "M cached_delta_after_mount_KiB $((cached2 - cached1))"
say "M memavailable_delta_KiB $((avail2 - avail0))"
[ $bad = 0 ] || fail "$bad program run(s) gave wrong results"

# 6. the host measures while we hold the mount
say READY
await GO
umount $MNT || fail "umount"
say BYE
exit 0
