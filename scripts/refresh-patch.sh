#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# refresh-patch.sh patches/NNNN-name.patch [FILE...]
#
# Regenerate the diff of one patch of patches/series from the edited tree:
# for every file the patch touches (and each FILE given, for a file the
# patch starts to touch), the diff between build/pristine and build/src.
# The mail header and commit message are kept; the diffstat is recomputed.
# Every kernel file is touched by one patch only, so no patch has to be
# replayed.  Edit the files in build/src, run this, then 'make tree'.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

P=${1:?usage: refresh-patch.sh patches/NNNN-name.patch [FILE...]}
shift
[ -f "$P" ] || die "$P does not exist"
mapfile -t FILES < <( { grep "^+++ b/" "$P" | sed "s|^+++ b/||" || true; [ $# = 0 ] || printf "%s\n" "$@"; } | sort -u)
[ ${#FILES[@]} -gt 0 ] || die "$P touches no file and none was given"
for f in "${FILES[@]}"; do
	other=$(grep -l "^+++ b/$f\$" "$ROOT"/patches/*.patch | xargs -r realpath | grep -vxF "$(realpath "$P")" || true)
	[ -z "$other" ] || die "$f is also touched by $other: refresh by hand"
done

tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.diff" "$tmp.one"' EXIT
: > "$tmp.diff"
for f in "${FILES[@]}"; do
	a=$PRISTINE/$f; b=$SRC/$f
	[ -f "$a" ] || a=/dev/null
	[ -f "$b" ] || die "$SRC/$f missing"
	# git's own diff (full function names in hunk headers, index line),
	# with the paths made relative to the tree
	(cd / && git diff --no-index --no-color --src-prefix=a/ --dst-prefix=b/ \
		"$a" "$b") > "$tmp.one" && die "$f: no change against the base"
	[ $? = 1 ] || die "diff $f failed"
	sed -e "1,4s|a${PRISTINE}/$f|a/$f|g" -e "1,4s|b${SRC}/$f|b/$f|g" \
		-e "1,4s|a/dev/null|/dev/null|" -e "1,4s|^diff --git /dev/null b/|diff --git a/$f b/|" \
		"$tmp.one" >> "$tmp.diff"
done
# header and message: everything up to the first line that is exactly ---
awk '{ print } $0 == "---" { exit }' "$P" > "$tmp"
git apply --stat "$tmp.diff" >> "$tmp"
echo >> "$tmp"
cat "$tmp.diff" >> "$tmp"
cp "$tmp" "$P"
note "refreshed $P (${#FILES[@]} file(s))"
