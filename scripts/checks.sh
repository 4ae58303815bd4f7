#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Static checks, written as TAP to build/test-results/checks.log (one line
# per check, details as '# ' lines):
#   - scripts/checkpatch.pl --strict on every patch in patches/
#   - scripts/checkpatch.pl --strict -f on every new .c/.h file of the overlay
#   - sparse (make C=2) on the overlay's kernel objects, for each guest arch
#     whose build contains them: fails on any sparse warning in our files
#   - every option requested by the config fragments is in each .config
#   - overlay files are new files (edits to existing files belong in patches/)
#   - the series (scripts/series.map): applies, makes build/src, checkpatch
#     per mail, kernel-doc -Wall, and Sphinx (htmldocs) clean for our files
# Set CHECKS_BUILD=0 to use the kernels as they are instead of (re)building.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

OUT=$RESULTS/checks.log
mkdir -p "$RESULTS"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
n=0
fails=0
: > "$TMP/body"

emit() { # emit ok|notok DESCRIPTION [DETAILFILE]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2" >> "$TMP/body"
	else
		fails=$((fails + 1))
		echo "not ok $n - $2" >> "$TMP/body"
	fi
	if [ -n "${3:-}" ] && [ -s "$3" ]; then
		head -40 "$3" | sed 's/^/# /' >> "$TMP/body"
	fi
}

XIP_RIG_LOCKED=1 with_lock "$ROOT/scripts/prepare-tree.sh" || {
	emit notok "prepare build/src (base tree + patches/series + overlay)"
	{ echo "TAP version 13"; echo "1..$n"; cat "$TMP/body"; } > "$OUT"
	exit 1
}
MANIFEST=$SRC/.xip-rig-overlay

# --- checkpatch on the patches ------------------------------------------------------
# the patches: those listed in patches/series, plus any other *.patch/*.diff
# (a cover letter or notes in patches/ are not patches)
patch_files() {
	[ -f "$ROOT/patches/series" ] &&
		sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$ROOT/patches/series" | grep -v '^$'
	(cd "$ROOT/patches" && ls -1 -- *.patch *.diff 2>/dev/null)
}
if [ -d "$ROOT/patches" ]; then
	for b in $(patch_files | awk '!seen[$0]++'); do
		p=$ROOT/patches/$b
		[ -f "$p" ] || continue
		# UNKNOWN_COMMIT_ID: build/src has no git history for Fixes: tags
		if (cd "$SRC" && perl scripts/checkpatch.pl --strict --no-color --show-types -q \
			--ignore UNKNOWN_COMMIT_ID "$p") > "$TMP/cp" 2>&1; then
			emit ok "checkpatch --strict patches/$b"
		else
			emit notok "checkpatch --strict patches/$b" "$TMP/cp"
		fi
		grep -qxF "$b" <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$ROOT/patches/series" 2>/dev/null) ||
			echo "# note: patches/$b is not listed in patches/series" >> "$TMP/body"
	done
fi

# --- checkpatch -f on the new files -----------------------------------------------
# Userspace programs (selftests) use libc types, volatile sig_atomic_t,
# <inttypes.h> format macros, per-arch machine code and errno == ENOSYS
# checks after syscall(), and spell attributes out (no compiler_attributes.h):
# those checkpatch types are for kernel code only.
USER_IGNORE=PREFER_KERNEL_TYPES,VOLATILE,CAMELCASE,ARCH_DEFINES,ENOSYS,PREFER_DEFINED_ATTRIBUTE_MACRO
while read -r f; do
	case $f in *.c | *.h) ;; *) continue ;; esac
	ign=()
	case $f in tools/testing/selftests/* | scripts/*) ign=(--ignore "$USER_IGNORE") ;; esac
	if (cd "$SRC" && perl scripts/checkpatch.pl --strict --no-color --show-types -q "${ign[@]}" -f "$f") > "$TMP/cp" 2>&1; then
		emit ok "checkpatch --strict -f $f"
	else
		emit notok "checkpatch --strict -f $f" "$TMP/cp"
	fi
done < "$MANIFEST"

# --- overlay files must be new --------------------------------------------------------
if [ -s "$SRC/.xip-rig-overrides" ]; then
	{ echo "these overlay files replace files of the base tree; edits to existing"
	  echo "kernel files belong in patches/:"; cat "$SRC/.xip-rig-overrides"; } > "$TMP/ov"
	emit notok "overlay holds only new files" "$TMP/ov"
else
	emit ok "overlay holds only new files"
fi

# --- the series of 'make series' (scripts/series.map) --------------------------------
# Needs no git identity and makes no commit: the mails are built with the
# placeholder identity of patches/, and applied the way 'git am' applies
# them (git mailinfo, then git apply), onto a copy of the base versions of
# the files they touch.  'make series' does the real git am.
SER=$TMP/series
BASE=${KSRC:-$PRISTINE}
if python3 "$ROOT/scripts/series.py" "$ROOT" "$BASE" "$MANIFEST" "$SER" > "$TMP/ser" 2>&1; then
	emit ok "series: every patch and overlay file is in a commit of scripts/series.map"
	mkdir -p "$TMP/am"
	(cd "$BASE" && while read -r f; do [ -f "$f" ] && echo "$f"; done < "$SER/files") > "$TMP/basefiles"
	rsync -a --files-from="$TMP/basefiles" "$BASE/" "$TMP/am/"
	: > "$TMP/amlog"
	am_ok=1
	for m in "$SER"/[0-9]*.patch; do
		if ! git mailinfo "$TMP/msg" "$TMP/diff" < "$m" > "$TMP/info" 2>> "$TMP/amlog" ||
		   ! (cd "$TMP/am" && git apply --whitespace=error-all "$TMP/diff") >> "$TMP/amlog" 2>&1; then
			echo "$(basename "$m") does not apply" >> "$TMP/amlog"
			am_ok=0
			break
		fi
	done
	if [ $am_ok = 1 ]; then
		emit ok "series: the $(ls "$SER"/[0-9]*.patch | wc -l) mails apply (git mailinfo + git apply) to the base tree"
		# the tree they make must be build/src: the files they touch by
		# content, every other file by rsync's size+mtime quick check
		: > "$TMP/treediff"
		while read -r f; do
			if [ -e "$TMP/am/$f" ] || [ -e "$SRC/$f" ]; then
				cmp -s "$TMP/am/$f" "$SRC/$f" || echo "differs: $f" >> "$TMP/treediff"
			fi
		done < "$SER/files"
		# (checkpatch's CamelCase cache is left in the tree by the runs above)
		rsync -rlni --dry-run --delete --exclude='/.xip-rig-*' --exclude=/.git \
			--exclude='/.checkpatch-camelcase.*' \
			"$BASE/" "$SRC/" 2>&1 | awk '{ $1 = ""; sub(/^ /, ""); print }' |
			grep -v '/$' | grep -vxF -f "$SER/files" | sed 's/^/not in the series: /' >> "$TMP/treediff" || true
		if [ -s "$TMP/treediff" ]; then
			emit notok "series: the tree it makes differs from build/src" "$TMP/treediff"
		else
			emit ok "series: the tree it makes is build/src"
		fi
	else
		emit notok "series: the mails apply to the base tree" "$TMP/amlog"
		emit notok "series: the tree it makes is build/src # no tree"
	fi
	# FILE_PATH_CHANGES: new files are listed in MAINTAINERS by the
	# series' last patch, not by each patch that adds them.
	# UNKNOWN_COMMIT_ID: the rig has no upstream history to look up a
	# Fixes: hash in.
	for m in "$SER"/[0-9]*.patch; do
		ign=FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID
		grep -q '^+++ b/tools/testing/selftests/' "$m" && ign=$ign,$USER_IGNORE
		if (cd "$SRC" && perl scripts/checkpatch.pl --strict --no-color --show-types -q \
			--ignore "$ign" "$m") > "$TMP/cp" 2>&1; then
			emit ok "checkpatch --strict series/$(basename "$m")"
		else
			emit notok "checkpatch --strict series/$(basename "$m")" "$TMP/cp"
		fi
	done
	# kernel-doc -Wall on every C file the series adds or changes: no
	# warning that the base version of the file does not have
	: > "$TMP/kd"
	while read -r f; do
		case $f in tools/* | Documentation/*) continue ;; *.c | *.h) ;; *) continue ;; esac
		(cd "$SRC" && perl scripts/kernel-doc -none -Wall "$f") 2>&1 |
			sed -E 's/:[0-9]+:/:/' | sort -u > "$TMP/kd.new"
		: > "$TMP/kd.old"
		[ -f "$BASE/$f" ] && (cd "$BASE" && perl scripts/kernel-doc -none -Wall "$f") 2>&1 |
			sed -E 's/:[0-9]+:/:/' | sort -u > "$TMP/kd.old"
		comm -23 "$TMP/kd.new" "$TMP/kd.old" >> "$TMP/kd"
	done < "$SER/files"
	if [ -s "$TMP/kd" ]; then
		emit notok "kernel-doc -none -Wall: new warnings in the files of the series" "$TMP/kd"
	else
		emit ok "kernel-doc -none -Wall: no new warning in the $(grep -cE '^[^tD].*\.[ch]$' "$SER/files") C files of the series"
	fi
	# Sphinx (make htmldocs) over the directories holding our documents:
	# no warning that names a file of the series (the base tree's own
	# warnings in other files of these directories do not count)
	DOCDIRS="filesystems arch/s390"
	if ! command -v sphinx-build > /dev/null; then
		echo "sphinx-build not found: run 'make deps' (python3-sphinx)" > "$TMP/sph"
		emit notok "htmldocs SPHINXDIRS=\"$DOCDIRS\": Sphinx missing" "$TMP/sph"
	else
		sph_rc=0
		(cd "$SRC" && make O="$BUILD/htmldocs" SPHINXDIRS="$DOCDIRS" htmldocs) > "$TMP/sph" 2>&1 || sph_rc=$?
		# htmldocs generates the netlink .rst files into the source tree
		# even with O=: remove what the base tree does not have
		for g in "$SRC"/Documentation/networking/netlink_spec/*.rst; do
			[ -e "$BASE/${g#"$SRC"/}" ] || rm -f "$g"
		done
	fi
	if ! command -v sphinx-build > /dev/null; then
		:
	elif [ $sph_rc != 0 ]; then
		emit notok "htmldocs SPHINXDIRS=\"$DOCDIRS\": the build failed" "$TMP/sph"
	else
		src=$(cd "$SRC" && pwd)
		: > "$TMP/sphours"
		while read -r f; do
			grep -F "$src/$f:" "$TMP/sph" >> "$TMP/sphours" || true
		done < "$SER/files"
		if [ -s "$TMP/sphours" ]; then
			sort -u "$TMP/sphours" | sed "s|$src/||" > "$TMP/sph2"
			emit notok "htmldocs SPHINXDIRS=\"$DOCDIRS\": warnings in our files" "$TMP/sph2"
		else
			emit ok "htmldocs SPHINXDIRS=\"$DOCDIRS\": no Sphinx or kernel-doc warning in our files"
		fi
	fi
else
	emit notok "series: scripts/series.map covers every patch and overlay file" "$TMP/ser"
fi

# --- per arch: config check and sparse -----------------------------------------------
for arch in x86_64 s390x aarch64; do
	arch_vars "$arch"
	if [ "${CHECKS_BUILD:-1}" = 1 ]; then
		"$ROOT/scripts/build-kernel.sh" "$arch" > "$TMP/build" 2>&1
	fi
	if [ -f "$OBJ/config-check.txt" ] && [ -f "$OBJ/.config" ]; then
		if grep -q '^all .* requested options present' "$OBJ/config-check.txt"; then
			emit ok "kconfig $arch: every option requested by the fragments is in .config"
		else
			emit notok "kconfig $arch: requested options missing from .config" "$OBJ/config-check.txt"
		fi
	else
		emit notok "kconfig $arch: build/$arch was not configured" "$TMP/build"
	fi
	if [ ! -f "$OBJ/$IMAGE" ]; then
		emit notok "sparse $arch: no $arch kernel build to check against" "$TMP/build"
		continue
	fi
	objs=()
	notbuilt=()
	while read -r f; do
		case $f in tools/* | Documentation/*) continue ;; esac
		case $f in *.c) ;; *) continue ;; esac
		o=${f%.c}.o
		if [ -f "$OBJ/$o" ]; then objs+=("$o"); else notbuilt+=("$f"); fi
	done < "$MANIFEST"
	[ ${#notbuilt[@]} -gt 0 ] && echo "# sparse $arch: not built in this config: ${notbuilt[*]}" >> "$TMP/body"
	if [ ${#objs[@]} = 0 ]; then
		emit ok "sparse $arch: no overlay object in this build # SKIP"
		continue
	fi
	(cd "$SRC" && with_lock make "${KMAKE[@]}" C=2 CHECK=sparse "${objs[@]}") > "$TMP/sparse" 2>&1
	src=$(cd "$SRC" && pwd)
	: > "$TMP/ours"
	while read -r f; do
		grep -E "(^|/)$f:[0-9]+(:[0-9]+)?: (warning|error):" "$TMP/sparse" >> "$TMP/ours" || true
	done < "$MANIFEST"
	if ! grep -q 'CHECK' "$TMP/sparse"; then
		emit notok "sparse $arch: sparse did not run (${objs[*]})" "$TMP/sparse"
	elif [ -s "$TMP/ours" ]; then
		sort -u "$TMP/ours" | sed "s|$src/||" > "$TMP/ours2"
		emit notok "sparse $arch: $(wc -l < "$TMP/ours2") warning(s) in our files (${objs[*]})" "$TMP/ours2"
	else
		emit ok "sparse $arch: no warnings in our files (${objs[*]})"
	fi
done

{ echo "TAP version 13"; echo "1..$n"; cat "$TMP/body"; } > "$OUT"
echo "checks: $((n - fails)) ok, $fails not ok -> $OUT" >&2
[ $fails = 0 ]
