#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-kernel.sh ARCH   (x86_64 | s390x | aarch64)
# BUILD_FLAVOUR=release builds build/ARCH-release with configs/release.config
# instead of configs/debug.config (see lib.sh; used by 'make bench').
#
# Prepare build/src, configure build/ARCH as tinyconfig + configs fragments
# (merge_config.sh -m, then olddefconfig), check that every requested option
# survived, and build the kernel out of tree with ccache, under the shared
# kernel-build lock.
#
# Exit status: 0 built and config complete; 1 build (or tree) failed;
# 3 built, but requested options are missing from .config (listed in
# build/ARCH/config-check.txt).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ARCH=${1:?usage: build-kernel.sh x86_64|s390x|aarch64}
arch_vars "$ARCH"

if [ -z "${XIP_RIG_LOCKED:-}" ]; then
	note "waiting for the kernel-build lock $LOCK"
	exec env XIP_RIG_LOCKED=1 flock "$LOCK" "$0" "$@"
fi

"$ROOT/scripts/prepare-tree.sh"

mkdir -p "$OBJ"
LOG=$LOGS/build-$ARCH${BUILD_FLAVOUR:+-$BUILD_FLAVOUR}.log
mapfile -t FRAGS < <(arch_fragments "$ARCH")
for f in "${FRAGS[@]}"; do [ -f "$f" ] || die "config fragment $f missing"; done

cd "$SRC"
cfg=$OBJ/.config
prev=$OBJ/.config.rig-prev
rm -f "$prev"
[ -f "$cfg" ] && cp -p "$cfg" "$prev"
{
	echo "== config $(date -Is): tinyconfig + ${FRAGS[*]}"
	make -s "${KMAKE[@]}" tinyconfig
	scripts/kconfig/merge_config.sh -m -O "$OBJ" "$cfg" "${FRAGS[@]}"
	make -s "${KMAKE[@]}" olddefconfig
} >> "$LOG" 2>&1 || { tail -20 "$LOG" >&2; die "configuring $ARCH failed (see $LOG)"; }
if [ -f "$prev" ] && cmp -s "$cfg" "$prev"; then
	cp -p "$prev" "$cfg"    # unchanged: keep the old mtime, no syncconfig
fi
rm -f "$prev"

config_ok=1
if ! python3 "$ROOT/scripts/check-config.py" "$cfg" "${FRAGS[@]}" > "$OBJ/config-check.txt"; then
	config_ok=0
	echo "ERROR: $ARCH kernel config: requested options did not survive:" >&2
	sed 's/^/    /' "$OBJ/config-check.txt" >&2
fi

# The same options as a .kunitconfig, so that a manual
# 'kunit.py run --build_dir=build/ARCH --arch=...' sees its config satisfied.
grep -hE '^(CONFIG_\w+=|# CONFIG_\w+ is not set)' "${FRAGS[@]}" > "$OBJ/.kunitconfig"
cp "$OBJ/.kunitconfig" "$OBJ/last_used_kunitconfig"

note "building $ARCH kernel (make -j$JOBS, log $LOG)"
start=$(date +%s)
if ! make "${KMAKE[@]}" -j"$JOBS" >> "$LOG" 2>&1; then
	# never let a guest or KUnit run boot an image older than the sources
	rm -f "$OBJ/$IMAGE"
	grep -E 'error|Error' "$LOG" | tail -30 >&2 || true
	die "$ARCH kernel build failed (see $LOG)"
fi
end=$(date +%s)
echo "$ARCH${BUILD_FLAVOUR:+-$BUILD_FLAVOUR} build: $((end - start)) s wall ($(date -Is))" | tee -a "$LOGS/build-times.log" >&2
[ -f "$OBJ/$IMAGE" ] || die "$OBJ/$IMAGE missing after build"
[ $config_ok = 1 ] || exit 3
exit 0
