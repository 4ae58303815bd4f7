#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make series-check (slow; not part of 'make test'): build what 'make series'
# made in build/series, out of tree in build/series-build/, with ccache and
# under the shared kernel-build lock (one kernel build at a time):
#   1. every commit, x86_64 guest config (tinyconfig + configs/x86_64.config
#      + xip.config + debug.config), one incremental build dir;
#   2. every commit from the first s390 one on, s390x guest config;
#   3. the final tree: ext2, brd and pmem as modules; FS_XIP=n (EXT2_FS_XIP
#      off); FS_DAX=n; each with W=1, no warning in a file of the series;
#   4. the final tree in Debian's configuration (linux-config-6.12 if
#      installed, else the x86_64 defconfig) with EXT2_FS=m,
#      EXT2_FS_XIP=y, BLK_DEV_RAM=m, BLK_DEV_XIP=y, BLK_DEV_PMEM=m,
#      BLK_DEV_PMEM_XIP=y: only mm/ fs/ext2/ drivers/block/ drivers/nvdimm/
#      and modpost (SERIES_CHECK_FULL_DISTRO=1 builds everything).
# Results: build/series-build/series-check.tap; exit status 0 if all ok.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

REPO=$BUILD/series
SB=$BUILD/series-build
TAP=$SB/series-check.tap
mkdir -p "$SB"
[ -d "$REPO/.git" ] || die "no $REPO: run 'make series' first"
git -C "$REPO" rev-parse -q --verify xip >/dev/null || die "$REPO has no branch xip"
FILES=$(git -C "$REPO" diff --name-only base xip)
n=0; fails=0; : > "$TAP.body"
emit() { n=$((n + 1)); if [ "$1" = ok ]; then echo "ok $n - $2"; else fails=$((fails + 1)); echo "not ok $n - $2"; fi >> "$TAP.body"; [ -n "${3:-}" ] && [ -s "$3" ] && head -30 "$3" | sed 's/^/# /' >> "$TAP.body"; return 0; }
start_all=$(date +%s)

# kbuild ARCH OBJ LOG [make args...]: build under the lock
kbuild() {
	local arch=$1 obj=$2 log=$3; shift 3
	arch_vars "$arch"
	KMAKE=(ARCH="$KARCH" O="$obj" CC="$KCC")
	[ -n "$CROSS" ] && KMAKE+=(CROSS_COMPILE="$CROSS")
	(cd "$REPO" && with_lock make -s "${KMAKE[@]}" -j"$JOBS" "$@") >> "$log" 2>&1
}
# guest_config ARCH OBJ [extra fragment...]
guest_config() {
	local arch=$1 obj=$2; shift 2
	mkdir -p "$obj"
	mapfile -t FRAGS < <(arch_fragments "$arch")
	arch_vars "$arch"
	KMAKE=(ARCH="$KARCH" O="$obj" CC="$KCC")
	[ -n "$CROSS" ] && KMAKE+=(CROSS_COMPILE="$CROSS")
	(cd "$REPO" && make -s "${KMAKE[@]}" tinyconfig &&
	 scripts/kconfig/merge_config.sh -m -O "$obj" "$obj/.config" "${FRAGS[@]}" "$@" &&
	 make -s "${KMAKE[@]}" olddefconfig) > "$obj/config.log" 2>&1
}
# our_warnings LOG: warnings in files of the series
our_warnings() {
	local f
	for f in $FILES; do grep -E "(^|/)$f:[0-9]+:[0-9]+: warning:" "$1"; done | sort -u
}

commits=$(git -C "$REPO" rev-list --reverse base..xip)
first_s390=$(git -C "$REPO" log --reverse --format=%H base..xip -- drivers/s390 | head -1)
trap 'git -C "$REPO" checkout -q -f xip' EXIT
for arch in x86_64 s390x; do
	obj=$SB/$arch
	on=0
	[ "$arch" = x86_64 ] && on=1
	i=0
	for c in $commits; do
		i=$((i + 1))
		[ "$c" = "$first_s390" ] && on=1
		[ $on = 1 ] || continue
		git -C "$REPO" checkout -q -f "$c"
		subj=$(git -C "$REPO" log -1 --format=%s "$c")
		log=$SB/$arch-$(printf %02d $i).log
		: > "$log"
		t0=$(date +%s)
		if guest_config "$arch" "$obj" && kbuild "$arch" "$obj" "$log"; then
			emit ok "$arch commit $i builds: $subj ($(( $(date +%s) - t0 )) s)"
		else
			cat "$obj/config.log" >> "$log"
			grep -E 'error|Error' "$log" | head -20 > "$log.err"
			emit notok "$arch commit $i builds: $subj" "$log.err"
		fi
	done
done
git -C "$REPO" checkout -q -f xip

# --- the final tree in other configurations, W=1 --------------------------
variant() { # NAME FRAGMENT-TEXT
	local name=$1 obj=$SB/x86_64-$1 log=$SB/x86_64-$1.log frag=$SB/$1.config
	printf '%s\n' "$2" > "$frag"
	: > "$log"
	t0=$(date +%s)
	if guest_config x86_64 "$obj" "$frag" && kbuild x86_64 "$obj" "$log" W=1; then
		our_warnings "$log" > "$log.ours"
		if [ -s "$log.ours" ]; then
			emit notok "x86_64 $name: W=1 warnings in our files" "$log.ours"
		else
			emit ok "x86_64 $name builds, no W=1 warning in our files ($(( $(date +%s) - t0 )) s)"
		fi
	else
		grep -E 'error|Error' "$log" | head -20 > "$log.err"
		emit notok "x86_64 $name builds" "$log.err"
	fi
}
variant modules "CONFIG_MODULES=y
CONFIG_EXT2_FS=m
CONFIG_BLK_DEV_RAM=m
CONFIG_BLK_DEV_PMEM=m
CONFIG_FS_XIP_KUNIT_TEST=m
CONFIG_EXT2_FS_XIP_KUNIT_TEST=m
CONFIG_BLK_DEV_XIP_KUNIT_TEST=m"
variant no-xip "# CONFIG_EXT2_FS_XIP is not set"
variant no-dax "# CONFIG_FS_DAX is not set"

# --- a distribution's configuration ---------------------------------------
obj=$SB/x86_64-distro
log=$SB/x86_64-distro.log
: > "$log"
mkdir -p "$obj"
dcfg=$(ls /usr/src/linux-config-6.12/config.amd64_none_amd64.xz 2>/dev/null | head -1)
t0=$(date +%s)
(
	cd "$REPO" || exit 1
	if [ -n "$dcfg" ]; then
		xz -dc "$dcfg" > "$obj/.config"; echo "config: $dcfg"
	else
		make -s ARCH=x86_64 O="$obj" defconfig; echo "config: x86_64 defconfig (linux-config-6.12 not installed)"
	fi
	printf '%s\n' CONFIG_MODULES=y CONFIG_EXT2_FS=m CONFIG_EXT2_FS_XIP=y \
		CONFIG_BLK_DEV_RAM=m CONFIG_BLK_DEV_XIP=y CONFIG_LIBNVDIMM=m \
		CONFIG_BLK_DEV_PMEM=m CONFIG_BLK_DEV_PMEM_XIP=y \
		'# CONFIG_MODULE_SIG is not set' '# CONFIG_DEBUG_INFO_BTF is not set' \
		'CONFIG_SYSTEM_TRUSTED_KEYS=""' > "$obj/xip.frag"
	scripts/kconfig/merge_config.sh -m -O "$obj" "$obj/.config" "$obj/xip.frag" &&
	make -s ARCH=x86_64 O="$obj" CC="ccache gcc" olddefconfig
) >> "$log" 2>&1
ok=1
for s in CONFIG_EXT2_FS=m CONFIG_EXT2_FS_XIP=y CONFIG_FS_XIP=y CONFIG_BLK_DEV_RAM=m CONFIG_BLK_DEV_XIP=y CONFIG_BLK_DEV_PMEM=m CONFIG_BLK_DEV_PMEM_XIP=y; do
	grep -qx "$s" "$obj/.config" || { echo "missing $s" >> "$log.err"; ok=0; }
done
if [ $ok = 1 ]; then
	if [ "${SERIES_CHECK_FULL_DISTRO:-0}" = 1 ]; then
		kbuild x86_64 "$obj" "$log"
	else
		# vmlinux (the built-in XIP code and the symbols the modules
		# need), then only the modules of the series, each through
		# modpost (single-module targets), not the distribution's
		# thousands of others
		# (with the modules they need where the configuration has
		# those as modules: modpost resolves only against vmlinux
		# and the modules built with them)
		deps=()
		grep -qx CONFIG_FS_MBCACHE=m "$obj/.config" && deps+=(fs/mbcache.ko)
		grep -qx CONFIG_LIBNVDIMM=m "$obj/.config" && deps+=(drivers/nvdimm/libnvdimm.ko)
		grep -qx CONFIG_ND_BTT=m "$obj/.config" && deps+=(drivers/nvdimm/nd_btt.ko)
		kbuild x86_64 "$obj" "$log" vmlinux &&
		kbuild x86_64 "$obj" "$log" "${deps[@]}" fs/ext2/ext2.ko \
			drivers/block/brd.ko drivers/nvdimm/nd_pmem.ko
	fi || ok=0
fi
if [ $ok = 1 ] && ls "$obj"/fs/ext2/ext2.ko "$obj"/drivers/block/brd.ko "$obj"/drivers/nvdimm/nd_pmem.ko >/dev/null 2>&1; then
	emit ok "x86_64 distro config ($(head -1 "$log" | sed 's/^config: //')): ext2, brd, nd_pmem link as modules ($(( $(date +%s) - t0 )) s)"
else
	grep -E 'error|Error|undefined|missing' "$log" "$log.err" 2>/dev/null | head -20 > "$log.e2"
	emit notok "x86_64 distro config: ext2, brd, nd_pmem as modules" "$log.e2"
fi

{ echo "TAP version 13"; echo "1..$n"; cat "$TAP.body"; } > "$TAP"
rm -f "$TAP.body"
secs=$(( $(date +%s) - start_all ))
echo "series-check: $((n - fails)) ok, $fails not ok in ${secs} s ($(date -Is)) -> $TAP" | tee -a "$SB/history.log" >&2
[ $fails = 0 ]
