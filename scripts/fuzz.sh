#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fuzz.sh [OUT.tap]: hostile ext2 images against ext2 -o xip, in an x86_64 guest.
#
# 1. Makes the base images in build/fuzz/images with mke2fs -d on the host:
#    base-4k (rev 1, 256-byte inodes, sparse_super, filetype, ...), base-4k-min
#    (revision 0: 128-byte inodes, no features) and base-1k (1 KiB blocks,
#    not XIP-mountable unless a mutation says 4 KiB), each 4 MiB in 4 groups,
#    holding small files, holes, files that need single, double and triple
#    indirect blocks, a directory tree, fast and slow symlinks, a hard link, a
#    FIFO and the static program scripts/fuzz-exec.c.
# 2. Boots the guest (scripts/guest-run.sh x86_64 scripts/guest/fuzz.sh) with
#    the images in /data; xip_fuzz (tools/testing/selftests/filesystems/xip)
#    mutates FUZZ_N images from FUZZ_SEED, each one written to XIP_DEV and
#    run with -o xip and then, mutated again from the seed, with a plain
#    mount: one TAP line per image.
# 3. Ties every kernel report in the console to the image whose marker
#    ("xip_fuzz: image N") preceded it: that image's line becomes "not ok",
#    and an image that the guest died in (crash, hang) gets a "not ok" line.
#
# Environment: FUZZ_N (200), FUZZ_SEED (1), FUZZ_FIRST (0: first image
# index, to re-run one image: FUZZ_FIRST=17 FUZZ_N=1), BUILD_FLAVOUR
# (debug: build/x86_64-debug), QEMU_TIMEOUT (default 120 s + 3 s per image,
# 12 s on the debug kernel).  OUT.tap defaults to build/fuzz/fuzz-x86_64.tap
# (fuzz-x86_64-debug.tap with BUILD_FLAVOUR=debug).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

FUZZ_N=${FUZZ_N:-200}
FUZZ_SEED=${FUZZ_SEED:-1}
FUZZ_FIRST=${FUZZ_FIRST:-0}
OUT=${1:-$BUILD/fuzz/fuzz-x86_64${BUILD_FLAVOUR:+-$BUILD_FLAVOUR}.tap}
PER_IMAGE=3
[ "${BUILD_FLAVOUR:-}" = debug ] && PER_IMAGE=12
IMG=$BUILD/fuzz/images
for v in FUZZ_N FUZZ_SEED FUZZ_FIRST; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, not '${!v}'"
done
[ "$FUZZ_N" -ge 1 ] || die "FUZZ_N must be at least 1"
command -v mke2fs >/dev/null || die "mke2fs missing: run 'make deps'"

# ---- base images -------------------------------------------------------------
# patterned data: every 4 KiB page different (a wrong block shows), and
# compressible (the images travel in the gzip'd initramfs)
pattern() { # pattern FILE OFFSET BYTES TAG: write BYTES of TAG's pattern at OFFSET
	python3 - "$@" <<'EOF'
import sys
path, off, n, tag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
out = bytearray()
page = off // 4096
while len(out) < n:
    line = ("%s page %d\n" % (tag, page)).encode()
    out += (line * (4096 // len(line) + 1))[:4096]
    page += 1
with open(path, "r+b" if __import__("os").path.exists(path) else "wb") as f:
    f.seek(off)
    f.write(out[:n])
EOF
}

make_tree() { # make_tree DIR BLOCKSIZE
	local d=$1 bs=$2 p=$(($2 / 4)) f
	rm -rf "$d"
	mkdir -p "$d/docs/sub/deep" "$d/emptydir" "$d/bin"
	printf 'hello, xip\n' > "$d/hello.txt"
	: > "$d/empty"
	printf 'append here\n' > "$d/rw.txt"
	for f in a b c; do printf 'doc %s\n' "$f" > "$d/docs/$f.txt"; done
	printf 'sub\n' > "$d/docs/sub/s.txt"
	printf 'deep\n' > "$d/docs/sub/deep/d.txt"
	ln "$d/hello.txt" "$d/docs/hard"
	ln -s hello.txt "$d/link-short"
	ln -s docs/sub/deep/d.txt-a-target-name-long-enough-for-a-slow-symlink-in-a-block "$d/link-long"
	ln -s .. "$d/docs/up"
	ln -s /nowhere "$d/dangling"
	mkfifo "$d/fifo"
	pattern "$d/pattern" 0 81920 pattern		# 20 pages: direct + single (4k)
	pattern "$d/single" 0 307200 single		# 75 pages: single (4k), double (1k)
	# holes: data, hole, data, hole up to the size
	pattern "$d/sparse" 0 4096 sparse
	pattern "$d/sparse" 204800 4096 sparse
	truncate -s 614400 "$d/sparse"
	# data at the first direct, single, double and triple indirect blocks
	pattern "$d/indirect" 0 "$bs" indirect
	pattern "$d/indirect" $((12 * bs)) "$bs" indirect
	pattern "$d/indirect" $(((12 + p) * bs)) $((3 * bs)) indirect
	pattern "$d/indirect" $(((12 + p + p * p) * bs)) $((2 * bs)) indirect
	truncate -s $(((12 + p + p * p + 2) * bs + 100)) "$d/indirect"
	cp "$IMG/exec" "$d/bin/prog"
	chmod 0755 "$d/bin" "$d/bin/prog"
	find "$d" -exec touch -h -d @1700000000 {} +
}

make_images() {
	local t
	mkdir -p "$IMG"
	rm -f "$IMG"/*.img
	gcc -static -nostdlib -fno-pie -no-pie -fno-stack-protector \
		-fno-asynchronous-unwind-tables -O2 -Wall -o "$IMG/exec" \
		"$ROOT/scripts/fuzz-exec.c" || die "building scripts/fuzz-exec.c failed"
	"$IMG/exec" > "$IMG/exec.expected" || die "$IMG/exec does not run"
	export E2FSPROGS_FAKE_TIME=1700000000
	local common=(-q -F -t ext2 -m 0 -N 128 -E root_owner=0:0,hash_seed=7d3a95b6-7a42-4c6e-9a3d-2c0e4a6f1b11
		      -U 5b0c8f0e-3f1e-4e2c-8d59-5f4d2f3e9a01)
	for t in base-4k:4096:"-I 256 -g 256" base-4k-min:4096:"-O none -I 128 -g 256" base-1k:1024:"-I 128 -g 1024"; do
		local name=${t%%:*} rest=${t#*:}
		local bs=${rest%%:*} opts=${rest#*:}
		make_tree "$IMG/tree-$bs" "$bs"
		rm -f "$IMG/$name.img"
		# shellcheck disable=SC2086
		mke2fs "${common[@]}" -b "$bs" $opts -d "$IMG/tree-$bs" "$IMG/$name.img" 4M \
			> "$IMG/$name.log" 2>&1 || { cat "$IMG/$name.log" >&2; die "mke2fs for $name failed"; }
		e2fsck -fn "$IMG/$name.img" > "$IMG/$name.fsck" 2>&1 ||
			{ cat "$IMG/$name.fsck" >&2; die "$name.img is not clean"; }
	done
	rm -rf "$IMG"/tree-*
}

make_images
note "fuzz: base images in $IMG: $(cd "$IMG" && ls ./*.img | tr '\n' ' ')"

# ---- the guest run -----------------------------------------------------------
mkdir -p "$(dirname "$OUT")"
files="$IMG/base-4k.img $IMG/base-4k-min.img $IMG/base-1k.img $IMG/exec.expected"
start=$(date +%s)
# a kernel log that holds the ext2 errors of one image (xip_fuzz reads them)
GUEST_FILES=$files GUEST_BRD_KB=${GUEST_BRD_KB:-16384} GUEST_APPEND="log_buf_len=4M" \
GUEST_ENV="FUZZ_N=$FUZZ_N FUZZ_SEED=$FUZZ_SEED FUZZ_FIRST=$FUZZ_FIRST" \
QEMU_TIMEOUT=${QEMU_TIMEOUT:-$((120 + PER_IMAGE * FUZZ_N))} \
	"$ROOT/scripts/guest-run.sh" x86_64 "$ROOT/scripts/guest/fuzz.sh" "$OUT"
grc=$?

# ---- kernel reports, per image ---------------------------------------------
# the report patterns of guest-run.sh, on timestamped kernel lines only
KPAT=$(sed -n "s/^KPAT='\(.*\)'$/\1/p" "$ROOT/scripts/guest-run.sh")
[ -n "$KPAT" ] || die "no KPAT= line in scripts/guest-run.sh"
python3 - "$OUT" "${OUT%.tap}.console.log" "$FUZZ_FIRST" "$KPAT" <<'EOF'
import re, sys
tap_path, console_path, first = sys.argv[1], sys.argv[2], int(sys.argv[3])
kpat = re.compile(r'(^|[^0-9])\[ *\d+\.\d{6}\] .*(' + sys.argv[4] + ')')
marker = re.compile(r'(^|[^0-9])\[ *\d+\.\d{6}\] xip_fuzz: image (\d+) ')
try:
    console = open(console_path, errors='replace').read().splitlines()
except OSError:
    console = []
reports, current = {}, None
for line in console:
    m = marker.search(line)
    if m:
        current = int(m.group(2))
        continue
    if current is not None and kpat.search(line):
        reports.setdefault(current, [])
        text = re.sub(r'^.*?\[ *\d+\.\d{6}\] ', '', line)
        if text not in reports[current]:
            reports[current].append(text)
lines = open(tap_path).read().splitlines()
result = re.compile(r'^(not ok|ok) (\d+)( .*)?$')
seen = set()
out = []
for line in lines:
    m = result.match(line)
    if m and int(m.group(2)) - 1 + first in reports:
        k = int(m.group(2)) - 1 + first
        seen.add(k)
        out.append('not ok %s%s (kernel report)' % (m.group(2), m.group(3) or ''))
        out += ['# image %d: kernel report: %s' % (k, r) for r in reports[k][:5]]
        continue
    if m:
        seen.add(int(m.group(2)) - 1 + first)
    out.append(line)
for k in sorted(set(reports) - seen):
    out.append('not ok %d - image %d: no result, the guest failed during it: %s'
               % (k + 1 - first, k, reports[k][0]))
    out += ['# image %d: kernel report: %s' % (k, r) for r in reports[k][:5]]
if not reports and current is not None and current not in seen:
    # died or hung without a report: blame the image in progress
    out.append('not ok %d - image %d: no result (guest died or hung during it)'
               % (current + 1 - first, current))
open(tap_path, 'w').write('\n'.join(out) + '\n')
for k in sorted(reports):
    print('fuzz: image %d: %s' % (k, reports[k][0]), file=sys.stderr)
EOF
note "fuzz: $FUZZ_N images (seed $FUZZ_SEED) in $(( $(date +%s) - start )) s -> $OUT"
grep -E '^# fuzz:' "$OUT" >&2
! grep -qE '^not ok' "$OUT" && [ $grc = 0 ]
