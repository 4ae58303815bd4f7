#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prepare build/src: base tree (Debian's linux-source-6.12 tarball, or KSRC)
# + patches/series applied with patch -p1 --fuzz=0 + the overlay files.
#
# - A stamp records a hash of the base and of patches/.  When it changes the
#   tree is rebuilt from the base in build/src.new and then synced into
#   build/src by content (rsync -c without -t): files whose content did not
#   change keep their mtime, changed files get a new one, so the O= kernel
#   builds stay incremental and never see a stale object.
# - Otherwise only the overlay is synced, again with rsync -c.
# - A file that left the overlay also forces a rebuild from the base.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

STAMP=$SRC/.xip-rig-stamp
MANIFEST=$SRC/.xip-rig-overlay
OVERRIDES=$SRC/.xip-rig-overrides

# --- base tree -------------------------------------------------------------
base_dir() {
	if [ -n "$KSRC" ]; then
		[ -f "$KSRC/Makefile" ] && [ -f "$KSRC/Kconfig" ] || die "KSRC=$KSRC is not a kernel tree"
		grep -q '^PATCHLEVEL = 12$' "$KSRC/Makefile" && grep -q '^VERSION = 6$' "$KSRC/Makefile" ||
			echo "WARNING: KSRC=$KSRC is not a 6.12 tree; patches may not apply" >&2
		[ -f "$KSRC/.config" ] && die "KSRC=$KSRC has a .config (built in-tree): O= builds need a clean tree (make mrproper there)"
		echo "$(cd "$KSRC" && pwd)"
		return
	fi
	[ -f "$KTARBALL" ] || die "$KTARBALL missing: run 'make deps' (package linux-source-6.12)"
	local id
	id="$KTARBALL $(stat -c '%s %Y' "$KTARBALL")"
	local touched=
	if [ -f "$PRISTINE/.xip-rig-tarball" ]; then
		# files keep the tarball's mtimes: a newer file means someone
		# edited or patched the pristine copy
		touched=$(find "$PRISTINE" -type f -newer "$PRISTINE/.xip-rig-tarball" -print -quit)
		[ -n "$touched" ] && echo "WARNING: $PRISTINE was modified ($touched); unpacking it again" >&2
	fi
	if [ -n "$touched" ] || [ ! -f "$PRISTINE/.xip-rig-tarball" ] ||
	   [ "$(cat "$PRISTINE/.xip-rig-tarball")" != "$id" ]; then
		note "unpacking $KTARBALL into $PRISTINE"
		rm -rf "$PRISTINE.tmp" "$PRISTINE"
		mkdir -p "$PRISTINE.tmp"
		tar -xf "$KTARBALL" -C "$PRISTINE.tmp" --strip-components=1
		echo "$id" > "$PRISTINE.tmp/.xip-rig-tarball"
		mv "$PRISTINE.tmp" "$PRISTINE"
	fi
	echo "$PRISTINE"
}

base_id() {
	if [ -n "$KSRC" ]; then
		echo "KSRC $1"
		git -C "$1" rev-parse HEAD 2>/dev/null || true
		git -C "$1" status --porcelain 2>/dev/null | sha256sum || true
	else
		cat "$1/.xip-rig-tarball"
	fi
}

# --- patches ---------------------------------------------------------------
series_patches() {
	[ -f "$ROOT/patches/series" ] || return 0
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e 's/^[[:space:]]*//' "$ROOT/patches/series" |
		grep -v '^$' || true
}

patches_hash() {
	{
		base_id "$1"
		if [ -d "$ROOT/patches" ]; then
			(cd "$ROOT/patches" && find . -type f ! -name '*~' ! -name '.*' -print0 | sort -z |
				xargs -0r sha256sum)
		fi
	} | sha256sum | cut -d' ' -f1
}

apply_patches() {
	local tree=$1 p n=0
	while read -r p; do
		[ -n "$p" ] || continue
		local f=$ROOT/patches/$p
		[ -f "$f" ] || die "patches/series lists '$p' but patches/$p does not exist"
		if ! out=$(patch -d "$tree" -p1 --fuzz=0 --batch --forward --no-backup-if-mismatch < "$f" 2>&1); then
			echo "$out" >&2
			die "patch patches/$p does not apply (patch -p1 --fuzz=0) to $(base_id "$BASE" | head -1); rejects left in $tree"
		fi
		n=$((n + 1))
	done < <(series_patches)
	note "applied $n patch(es) from patches/series"
}

# --- overlay ---------------------------------------------------------------
overlay_list() {
	local d
	cd "$ROOT"
	{
		for d in $OVERLAY_DIRS; do
			[ -d "$d" ] || continue
			if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
				git ls-files -co --exclude-standard -- "$d"
			else
				find "$d" -type f
			fi
		done
		for d in $OVERLAY_FILES; do echo "$d"; done
	} | sort -u | while read -r f; do [ -f "$f" ] && echo "$f"; done
}

sync_overlay() {
	local tree=$1 list=$2
	[ -s "$list" ] || return 0
	# -c: compare by checksum; no -t: a changed file gets a fresh mtime
	rsync -lpc --files-from="$list" "$ROOT/" "$tree/"
}

# ---------------------------------------------------------------------------
BASE=$(base_dir)
HASH=$(patches_hash "$BASE")
NEWLIST=$(mktemp)
trap 'rm -f "$NEWLIST"' EXIT
overlay_list > "$NEWLIST"

rebuild=0
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$HASH" ]; then
	rebuild=1
elif [ -f "$MANIFEST" ] && [ -n "$(comm -23 "$MANIFEST" "$NEWLIST")" ]; then
	note "files left the overlay: $(comm -23 "$MANIFEST" "$NEWLIST" | tr '\n' ' ')"
	rebuild=1
fi

# which overlay files replace a file of the base tree (should be a patch)
: > "$NEWLIST.over"
while read -r f; do
	[ -e "$BASE/$f" ] && echo "$f" >> "$NEWLIST.over"
done < "$NEWLIST"

if [ $rebuild = 1 ]; then
	note "building $SRC from $BASE + patches/series + overlay"
	NEW=$SRC.new
	rm -rf "$NEW"
	mkdir -p "$NEW"
	rsync -a --exclude=/.git --exclude=/.xip-rig-tarball "$BASE/" "$NEW/"
	apply_patches "$NEW"
	sync_overlay "$NEW" "$NEWLIST"
	if [ -d "$SRC" ]; then
		# keep mtimes of unchanged files; deleted files go away
		rsync -rlpc --delete --exclude='/.xip-rig-*' "$NEW/" "$SRC/"
		rm -rf "$NEW"
	else
		mv "$NEW" "$SRC"
	fi
	echo "$HASH" > "$STAMP"
else
	sync_overlay "$SRC" "$NEWLIST"
fi
cp "$NEWLIST" "$MANIFEST"
mv "$NEWLIST.over" "$OVERRIDES"
note "tree ready: $SRC ($(wc -l < "$MANIFEST") overlay file(s), $(series_patches | wc -l) patch(es))"
