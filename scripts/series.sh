#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make series: build/series/, a git repository of the base tree (Debian's
# linux-source-6.12 or KSRC=) with the work applied by 'git am' as the
# commits that scripts/series.map describes, and build/series/out/, the
# mails of 'git format-patch --cover-letter' with the cover letter from
# patches/cover-letter.txt and the latest 'make bench'/'make share' tables.
#
# Author, committer and Signed-off-by: SERIES_AUTHOR="Name <email>", or
# git config user.name/user.email.  Without either it stops: the rig never
# makes up an identity.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT=$BUILD/series
MAILS=$BUILD/series-mails

if [ -n "${SERIES_AUTHOR:-}" ]; then
	AUTHOR=$SERIES_AUTHOR
else
	name=$(git -C "$ROOT" config user.name || true)
	email=$(git -C "$ROOT" config user.email || true)
	[ -n "$name" ] && [ -n "$email" ] ||
		die "no identity for the series: set SERIES_AUTHOR='Name <email>' or git config user.name and user.email"
	AUTHOR="$name <$email>"
fi
case $AUTHOR in
*example.invalid*) die "'$AUTHOR' is the placeholder of patches/: set SERIES_AUTHOR or git config user.name/user.email" ;;
*" <"*@*">") ;;
*) die "SERIES_AUTHOR='$AUTHOR' is not 'Name <email>'" ;;
esac
A_NAME=${AUTHOR% <*}
A_EMAIL=${AUTHOR##*<}; A_EMAIL=${A_EMAIL%>}
export GIT_AUTHOR_NAME=$A_NAME GIT_AUTHOR_EMAIL=$A_EMAIL
export GIT_COMMITTER_NAME=$A_NAME GIT_COMMITTER_EMAIL=$A_EMAIL

XIP_RIG_LOCKED=1 with_lock "$ROOT/scripts/prepare-tree.sh"
BASE=${KSRC:-$PRISTINE}
BASE=$(cd "$BASE" && pwd)
python3 "$ROOT/scripts/series.py" --author "$AUTHOR" "$ROOT" "$BASE" \
	"$SRC/.xip-rig-overlay" "$MAILS"

# --- the base commit (kept while the base tree is the same) ---------------
base_id() {
	if [ -n "$KSRC" ]; then
		echo "KSRC $BASE $(git -C "$BASE" rev-parse HEAD 2>/dev/null || true)"
	else
		cat "$BASE/.xip-rig-tarball"
	fi
}
ver=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p; s/^SUBLEVEL = //p' "$BASE/Makefile" | paste -sd.)
if [ ! -f "$OUT/.git/xip-rig-base" ] || [ "$(cat "$OUT/.git/xip-rig-base")" != "$(base_id)" ]; then
	note "importing the base tree $BASE into $OUT (once per base)"
	rm -rf "$OUT"
	mkdir -p "$OUT"
	rsync -a --exclude=/.git --exclude='/.xip-rig-*' "$BASE/" "$OUT/"
	git -C "$OUT" init -q -b linux
	git -C "$OUT" config core.autocrlf false
	git -C "$OUT" add -A -f .
	git -C "$OUT" commit -q --no-verify -m "Linux $ver (base tree: $(base_id | head -1))"
	git -C "$OUT" tag -f base >/dev/null
	base_id > "$OUT/.git/xip-rig-base"
fi
git -C "$OUT" am --abort >/dev/null 2>&1 || true
git -C "$OUT" checkout -q -f -B xip base
git -C "$OUT" clean -q -fdx -e /out

# --- the commits -----------------------------------------------------------
for m in "$MAILS"/[0-9]*.patch; do
	git -C "$OUT" am -q --keep-cr "$m" ||
		die "git am $(basename "$m") failed on $ver (see git -C $OUT am --show-current-patch)"
done
note "$(git -C "$OUT" rev-list --count base..xip) commits on $ver in $OUT"

# --- the mails -------------------------------------------------------------
rm -rf "$OUT/out"
git -C "$OUT" format-patch -q --cover-letter --thread=shallow -o out base..xip
cover=$(ls "$OUT"/out/0000-cover-letter.patch)
python3 - "$cover" "$ROOT/patches/cover-letter.txt" "$BUILD" "$ver" <<'PY'
import os, sys
cover, text, build, ver = sys.argv[1:]
body = open(text).read()
subj, _, body = body.partition("\n")
assert subj.startswith("Subject: "), "cover-letter.txt: first line must be 'Subject: ...'"
subj = subj[len("Subject: "):].strip()

def table(path, what):
    if os.path.exists(path):
        return open(path).read().strip("\n")
    return "Not measured yet (no %s)." % what

body = body.replace("@BENCH@", table(os.path.join(build, "bench/bench-x86_64.md"),
                                     "build/bench/bench-x86_64.md: run 'make bench'"))
body = body.replace("@SHARE@", table(os.path.join(build, "share/share.txt"),
                                     "build/share/share.txt: run 'make share'"))
body = body.replace("@BASE@", ver)
mail = open(cover).read()
mail = mail.replace("*** SUBJECT HERE ***", subj, 1)
mail = mail.replace("*** BLURB HERE ***", body.strip("\n"), 1)
open(cover, "w").write(mail)
PY
note "mails: $OUT/out ($(ls "$OUT"/out | wc -l) files, author $AUTHOR)"
