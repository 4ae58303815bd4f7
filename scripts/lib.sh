# SPDX-License-Identifier: GPL-2.0
# Common settings for the rig scripts.  Sourced, not executed.
#
# Every path can be overridden from the environment (the Makefile exports
# the same names), so the scripts also work when called by hand.

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-$ROOT/build}
SRC=${SRC:-$BUILD/src}                 # patched tree + overlay
PRISTINE=${PRISTINE:-$BUILD/pristine}  # unpacked tarball, never modified
KTARBALL=${KTARBALL:-/usr/src/linux-source-6.12.tar.xz}
KSRC=${KSRC:-}                         # optional base tree instead of the tarball
RESULTS=${RESULTS:-$BUILD/test-results}
LOGS=${LOGS:-$BUILD/logs}
LOCK=${LOCK:-$BUILD/.kbuild.lock}      # shared with the kernel team: one kernel build at a time
JOBS=${JOBS:-$(nproc)}
XIP_CONFIG=${XIP_CONFIG:-$ROOT/configs/xip.config}
DEBUG_CONFIG=${DEBUG_CONFIG:-$ROOT/configs/debug.config}
# BUILD_FLAVOUR=release (used by 'make bench' only): the kernel goes to
# build/ARCH-release and gets RELEASE_CONFIG instead of DEBUG_CONFIG (no
# lockdep, DEBUG_VM or KASAN).  Unset or empty: build/ARCH with DEBUG_CONFIG.
BUILD_FLAVOUR=${BUILD_FLAVOUR:-}
RELEASE_CONFIG=${RELEASE_CONFIG:-$ROOT/configs/release.config}
# BUILD_FLAVOUR=debug ('make test-debug'): build/ARCH-debug, DEBUG_CONFIG plus
# MEMCHECK_CONFIG (KASAN, KFENCE, DEBUG_PAGEALLOC, UBSAN, ...).
MEMCHECK_CONFIG=${MEMCHECK_CONFIG:-$ROOT/configs/memcheck.config}
UM_KUNITCONFIG=${UM_KUNITCONFIG:-$ROOT/configs/kunit-um.kunitconfig}
# s390 DCSS block driver and its KUnit test: configs/s390x-dcssblk.config is
# merged into the s390x kernel unless S390_DCSSBLK=0.
S390_DCSSBLK=${S390_DCSSBLK:-1}
# seconds before a guest is killed; the s390x suite needs ~8 min under TCG
QEMU_TIMEOUT=${QEMU_TIMEOUT:-}

# ccache: hash paths relative to the checkout and not the working directory,
# so that another clone (CI) can reuse what this one compiled.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$ROOT}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}

# Overlay: new files that sit at their in-tree path in the repo root.
OVERLAY_DIRS="mm fs drivers include Documentation tools block arch lib"
OVERLAY_FILES="Kconfig.xip"

mkdir -p "$BUILD" "$LOGS"

die() { echo "ERROR: $*" >&2; exit 1; }
note() { echo ">>> $*" >&2; }

# arch_vars ARCH: sets KARCH, OBJ (build/ARCH, or build/ARCH-release with
# BUILD_FLAVOUR=release), IMAGE, KCC, CROSS, UCC (static userspace
# compiler) and KMAKE (array of make arguments for the kernel build).
arch_vars() {
	case "$1" in
	x86_64)
		KARCH=x86_64; CROSS=; KCC="ccache gcc"; UCC=gcc
		IMAGE=arch/x86/boot/bzImage; ARCH_CONFIG=$ROOT/configs/x86_64.config ;;
	s390x)
		KARCH=s390; CROSS=s390x-linux-gnu-; KCC="ccache s390x-linux-gnu-gcc"
		UCC=s390x-linux-gnu-gcc
		IMAGE=arch/s390/boot/bzImage; ARCH_CONFIG=$ROOT/configs/s390x.config ;;
	aarch64)
		# Image.gz: arm64's default target, which QEMU -kernel and
		# kunit.py's qemu_configs/arm64.py boot
		KARCH=arm64; CROSS=aarch64-linux-gnu-; KCC="ccache aarch64-linux-gnu-gcc"
		UCC=aarch64-linux-gnu-gcc
		IMAGE=arch/arm64/boot/Image.gz; ARCH_CONFIG=$ROOT/configs/aarch64.config ;;
	*) die "unknown arch '$1' (x86_64, s390x or aarch64)" ;;
	esac
	case ${BUILD_FLAVOUR:-} in
	"") OBJ=$BUILD/$1 ;;
	release) OBJ=$BUILD/$1-release ;;
	debug) OBJ=$BUILD/$1-debug ;;
	*) die "unknown BUILD_FLAVOUR '$BUILD_FLAVOUR' (empty, release or debug)" ;;
	esac
	KMAKE=(ARCH="$KARCH" O="$OBJ" CC="$KCC")
	[ -n "$CROSS" ] && KMAKE+=(CROSS_COMPILE="$CROSS")
	return 0
}

# The fragments merged on top of tinyconfig for ARCH, in order.
arch_fragments() {
	arch_vars "$1"
	echo "$ARCH_CONFIG"
	echo "$XIP_CONFIG"
	if [ "${BUILD_FLAVOUR:-}" = release ]; then
		echo "$RELEASE_CONFIG"
	else
		echo "$DEBUG_CONFIG"
	fi
	[ "${BUILD_FLAVOUR:-}" = debug ] && echo "$MEMCHECK_CONFIG"
	if [ "$1" = s390x ] && [ "$S390_DCSSBLK" = 1 ]; then
		echo "$ROOT/configs/s390x-dcssblk.config"
	fi
	# MTD block devices as an XIP provider (GUEST_PROVIDER=mtd)
	case $1 in x86_64 | aarch64) echo "$ROOT/configs/mtd.config" ;; esac
}

# gen_init_cpio: build the kernel's usr/gen_init_cpio into build/bin once
# and print its path; non-zero (with a message) if that fails.
gen_init_cpio() {
	local gen=$BUILD/bin/gen_init_cpio gsrc
	if [ ! -x "$gen" ]; then
		mkdir -p "$BUILD/bin"
		gsrc=$SRC/usr/gen_init_cpio.c
		[ -f "$gsrc" ] || gsrc=$PRISTINE/usr/gen_init_cpio.c
		if [ ! -f "$gsrc" ]; then
			echo "no usr/gen_init_cpio.c in $SRC or $PRISTINE: run 'make tree'" >&2
			return 1
		fi
		gcc -O2 -o "$gen" "$gsrc" || return 1
	fi
	echo "$gen"
}

# Run a command under the shared kernel-build lock.
with_lock() {
	mkdir -p "$(dirname "$LOCK")"
	flock "$LOCK" "$@"
}
