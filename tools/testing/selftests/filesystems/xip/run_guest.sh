#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the ext2 execute-in-place selftests inside a test guest, as root.
#
# Needs two brd RAM disks with direct_access (brd.rd_nr=2, /dev/ram0 holds
# the XIP filesystem under test, /dev/ram1 is scratch for the mount tests),
# mke2fs (busybox's is fine), e2fsck (e2fsck.static preferred) and the test
# programs xip_test, xip_random, xip_stress_test, xip_mount_test and, at
# the end on $XIP_DEV itself, xip_fault_test: in $XIP_BIN_DIR, next to this
# script, in the current directory or in PATH (XIP_PROGS="..." runs only
# those).
#
# Prints one TAP version 13 stream: the script's own checks and every result
# of the programs, renumbered, with the plan at the end.  Program output
# other than results becomes TAP comments.  Exit status 0 only if nothing
# failed.

XIP_DEV=${XIP_DEV:-/dev/ram0}
XIP_MNT=${XIP_MNT:-/mnt/xip}
SCRATCH_DEV=${XIP_SCRATCH_DEV:-/dev/ram1}
SCRATCH_MNT=${XIP_SCRATCH_MNT:-/mnt/xip-scratch}
PROG_TIMEOUT=${XIP_PROG_TIMEOUT:-3600}
PROGS=${XIP_PROGS:-"xip_test xip_random xip_stress_test xip_mount_test"}

case "$0" in
*/*)	SCRIPT_DIR=${0%/*} ;;
*)	SCRIPT_DIR=. ;;
esac

N=0
FAILS=0
SKIPS=0

echo "TAP version 13"
# taint flags at the start: the tests must add none (W, B, D, ...)
TAINT0=$(cat /proc/sys/kernel/tainted 2>/dev/null || echo unknown)

ok() {
	N=$((N + 1))
	echo "ok $N $*"
}

not_ok() {
	N=$((N + 1))
	FAILS=$((FAILS + 1))
	echo "not ok $N $*"
}

# check DESCRIPTION COMMAND...: one TAP line from a command's exit status
check() {
	desc=$1
	shift
	if "$@" >"$LOG" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
	comment_file "$LOG"
}

comment_file() {
	while IFS= read -r l; do
		echo "# $l"
	done <"$1"
}

finish() {
	echo "1..$N"
	echo "# xip: $((N - FAILS - SKIPS)) passed, $FAILS failed, $SKIPS skipped"
	[ "$FAILS" -eq 0 ]
	exit $?
}

# Where to keep a log; the root filesystem of a test guest may be odd.
LOG=
for d in "${TMPDIR:-/tmp}" /tmp /dev/shm /run /dev; do
	if mkdir -p "$d" 2>/dev/null && : >"$d/xip-run.$$.log" 2>/dev/null
	then
		LOG="$d/xip-run.$$.log"
		break
	fi
done
if [ -z "$LOG" ]; then
	not_ok "setup: no writable directory for a log"
	finish
fi

find_prog() {
	for d in ${XIP_BIN_DIR:+"$XIP_BIN_DIR"} "$SCRIPT_DIR" "$PWD" \
		 /bin /usr/bin /sbin /usr/sbin; do
		if [ -f "$d/$1" ] && [ -x "$d/$1" ]; then
			echo "$d/$1"
			return 0
		fi
	done
	command -v "$1" 2>/dev/null
}

has_opt() {	# has_opt OPTIONS OPTION
	case ",$1," in
	*",$2,"*) return 0 ;;
	esac
	return 1
}

# Options of the topmost mount at $1 in /proc/mounts ("" if none).
mnt_opts() {
	opts=
	while read -r _dev _dir _type _opts _rest; do
		[ "$_dir" = "$1" ] && opts=$_opts
	done </proc/mounts
	echo "$opts"
}

umount_all() {
	i=0
	while [ $i -lt 8 ] && [ -n "$(mnt_opts "$1")" ]; do
		umount "$1" 2>/dev/null || umount -l "$1" 2>/dev/null
		i=$((i + 1))
	done
}

# ---- tools --------------------------------------------------------------

if [ "$(id -u 2>/dev/null)" != 0 ]; then
	not_ok "setup: must run as root"
	finish
fi

MKE2FS=
if command -v mke2fs >/dev/null 2>&1; then
	MKE2FS=$(command -v mke2fs)
elif command -v mkfs.ext2 >/dev/null 2>&1; then
	MKE2FS=$(command -v mkfs.ext2)
elif busybox mke2fs --help >/dev/null 2>&1 ||
     busybox --list 2>/dev/null | grep -qx mke2fs; then
	MKE2FS="busybox mke2fs"
fi
if [ -n "$MKE2FS" ]; then
	ok "setup: mke2fs found ($MKE2FS)"
else
	not_ok "setup: mke2fs found (neither mke2fs nor busybox mke2fs)"
fi

E2FSCK=
for c in e2fsck.static /sbin/e2fsck.static /usr/sbin/e2fsck.static \
	 /bin/e2fsck.static e2fsck /sbin/e2fsck /usr/sbin/e2fsck; do
	p=$(command -v "$c" 2>/dev/null)
	if [ -n "$p" ] && [ -x "$p" ]; then
		E2FSCK=$p
		break
	fi
done
if [ -n "$E2FSCK" ]; then
	ok "setup: e2fsck found ($E2FSCK)"
else
	not_ok "setup: e2fsck found (no e2fsck.static or e2fsck)"
fi

TIMEOUT=
if timeout 5 true >/dev/null 2>&1; then
	TIMEOUT="timeout $PROG_TIMEOUT"
fi

export XIP_DIR="$XIP_MNT"
export XIP_SCRATCH_DEV="$SCRATCH_DEV"
export XIP_SCRATCH_MNT="$SCRATCH_MNT"
[ -n "$MKE2FS" ] && export XIP_MKE2FS="$MKE2FS"
[ -n "$E2FSCK" ] && export XIP_E2FSCK="$E2FSCK"
unset XIP_ALLOW_NONXIP

# ---- the XIP filesystem under test -----------------------------------------

for dev in "$XIP_DEV" "$SCRATCH_DEV"; do
	if [ -b "$dev" ]; then
		ok "setup: $dev is a block device"
	else
		not_ok "setup: $dev is a block device (brd.rd_nr=2?)"
	fi
done
if [ ! -b "$XIP_DEV" ] || [ -z "$MKE2FS" ]; then
	echo "Bail out! cannot create the XIP filesystem"
	finish
fi

mkdir -p "$XIP_MNT" "$SCRATCH_MNT"
umount_all "$XIP_MNT"
umount_all "$SCRATCH_MNT"
[ -e /etc/mtab ] || ln -s /proc/mounts /etc/mtab 2>/dev/null

# $MKE2FS may be "busybox mke2fs": split it
# shellcheck disable=SC2086
check "setup: mke2fs -b 4096 $XIP_DEV" $MKE2FS -b 4096 "$XIP_DEV" </dev/null
check "setup: mount -t ext2 -o xip $XIP_DEV $XIP_MNT" \
	mount -t ext2 -o xip "$XIP_DEV" "$XIP_MNT"

opts=$(mnt_opts "$XIP_MNT")
echo "# $XIP_MNT: $opts"
if has_opt "$opts" xip; then
	ok "mount: /proc/mounts shows xip"
else
	not_ok "mount: /proc/mounts shows xip"
	echo "Bail out! $XIP_MNT is not an XIP mount"
	finish
fi

# A plain busybox/util-linux remount keeps xip.
mount -o remount,ro "$XIP_MNT" >"$LOG" 2>&1
rc=$?
comment_file "$LOG"
opts=$(mnt_opts "$XIP_MNT")
echo "# after remount,ro: $opts"
if [ $rc -eq 0 ] && has_opt "$opts" ro && has_opt "$opts" xip; then
	ok "mount: remount,ro keeps xip"
else
	not_ok "mount: remount,ro keeps xip"
fi
mount -o remount,rw "$XIP_MNT" >"$LOG" 2>&1
rc=$?
comment_file "$LOG"
opts=$(mnt_opts "$XIP_MNT")
echo "# after remount,rw: $opts"
if [ $rc -eq 0 ] && has_opt "$opts" rw && has_opt "$opts" xip; then
	ok "mount: remount,rw keeps xip"
else
	not_ok "mount: remount,rw keeps xip"
fi
# Trying to drop xip on remount fails or leaves it on.
mount -o remount,noxip "$XIP_MNT" >"$LOG" 2>&1
echo "# remount,noxip exit status $?"
comment_file "$LOG"
opts=$(mnt_opts "$XIP_MNT")
if has_opt "$opts" xip && has_opt "$opts" rw; then
	ok "mount: remount,noxip leaves xip on"
else
	not_ok "mount: remount,noxip leaves xip on ($opts)"
fi
if ! has_opt "$opts" rw; then
	mount -o remount,rw "$XIP_MNT" >/dev/null 2>&1
fi

# ---- the test programs -----------------------------------------------------

# Fold one program's TAP into ours.  Reads "<output>" then "__XIP_EXIT__ rc";
# prints TAP on fd 3 and "N FAILS SKIPS" at the end on stdout.
fold_tap() {
	name=$1
	n=$2
	fails=0
	skips=0
	seen=0
	plan=
	rc=
	bad=0
	t_prev=$(date +%s)
	while IFS= read -r line; do
		case "$line" in
		"__XIP_EXIT__ "*)
			rc=${line#__XIP_EXIT__ }
			continue
			;;
		"ok "[0-9]*)
			st="ok"
			rest=${line#ok }
			;;
		"not ok "[0-9]*)
			st="not ok"
			rest=${line#not ok }
			;;
		"1.."[0-9]*)
			plan=${line#1..}
			echo "# $name: plan $line" >&3
			continue
			;;
		"TAP version"*)
			continue
			;;
		*)
			echo "# $line" >&3
			continue
			;;
		esac
		case "$rest" in
		*" "*)	rest=${rest#* } ;;
		*)	rest= ;;
		esac
		n=$((n + 1))
		seen=$((seen + 1))
		t_now=$(date +%s)
		echo "# $name: result $seen after $((t_now - t_prev)) s" >&3
		t_prev=$t_now
		if [ "$st" = "not ok" ]; then
			fails=$((fails + 1))
			bad=1
		else
			case "$rest" in
			*"# SKIP"* | *"# skip"*) skips=$((skips + 1)) ;;
			esac
		fi
		echo "$st $n $name: $rest" >&3
	done
	if [ -n "$plan" ] && [ "$seen" -ne "$plan" ]; then
		n=$((n + 1))
		fails=$((fails + 1))
		bad=1
		echo "not ok $n $name: only $seen of $plan results (crash or timeout?)" >&3
	elif [ "$seen" -eq 0 ]; then
		n=$((n + 1))
		fails=$((fails + 1))
		bad=1
		echo "not ok $n $name: no results" >&3
	fi
	case "$rc" in
	0 | 4) ;;
	*)
		if [ $bad -eq 0 ]; then
			n=$((n + 1))
			fails=$((fails + 1))
			echo "not ok $n $name: exit status ${rc:-unknown}" >&3
		fi
		;;
	esac
	echo "$n $fails $skips"
}

run_prog() {
	name=$1
	path=$(find_prog "$name")
	if [ -z "$path" ]; then
		not_ok "$name: program not found (XIP_BIN_DIR, next to $0, cwd, PATH)"
		return
	fi
	echo "# running $path"
	exec 3>&1
	res=$( { $TIMEOUT "$path" </dev/null 3>&- 2>&1; echo "__XIP_EXIT__ $?"; } |
		fold_tap "$name" "$N")
	exec 3>&-
	# shellcheck disable=SC2086
	set -- $res
	if [ $# -ne 3 ]; then
		not_ok "$name: lost track of results"
		return
	fi
	N=$1
	FAILS=$((FAILS + $2))
	SKIPS=$((SKIPS + $3))
}

for prog in $PROGS; do
	[ "$prog" = xip_fault_test ] || run_prog "$prog"
done

# ---- the filesystem after all of it ----------------------------------------

umount_all "$SCRATCH_MNT"
check "final: umount $XIP_MNT" umount "$XIP_MNT"
if [ -n "$E2FSCK" ]; then
	check "final: e2fsck -fn $XIP_DEV after the tests" \
		"$E2FSCK" -fn "$XIP_DEV"
else
	not_ok "final: e2fsck -fn $XIP_DEV after the tests (no e2fsck)"
fi
check "final: mount -o xip $XIP_DEV again" \
	mount -t ext2 -o xip "$XIP_DEV" "$XIP_MNT"
umount_all "$XIP_MNT"

# ---- injected faults and limits, on the suite's device --------------------

# Once the suite's file system is checked, xip_fault_test makes a small ext2
# of its own on $XIP_DEV for each case: so it runs on every provider (brd,
# pmem, dcssblk), not only on the scratch device.
case " ${XIP_PROGS:-xip_fault_test} " in
*" xip_fault_test "*)
	export XIP_FAULT_DEV="$XIP_DEV" XIP_FAULT_MNT="$XIP_MNT"
	run_prog xip_fault_test
	umount_all "$XIP_MNT"
	;;
esac

# Deferred work (freed pages, RCU callbacks) may show a problem late: this
# is checked last.  A taint the kernel had at the start does not count.
taint=$(cat /proc/sys/kernel/tainted 2>/dev/null || echo unknown)
if [ "$taint" = "$TAINT0" ] && [ "$taint" != unknown ]; then
	ok "final: no new kernel taint ($taint)"
else
	not_ok "final: no new kernel taint (was $TAINT0, now $taint)"
	dmesg 2>/dev/null | grep -E -A12 "BUG|WARNING|Bad page" | head -60 >"$LOG"
	comment_file "$LOG"
fi
rm -f "$LOG"
finish
