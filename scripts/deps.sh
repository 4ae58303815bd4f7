#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the rig needs from Debian's apt mirrors, only when something
# is missing, and unpack s390x and arm64 guest userspace (busybox, e2fsck)
# into build/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

export DEBIAN_FRONTEND=noninteractive

# package -> a file or command that proves it is installed
declare -A CHECK=(
	[linux-source-6.12]=/usr/src/linux-source-6.12.tar.xz
	[qemu-system-x86]=qemu-system-x86_64
	[qemu-system-s390x]=qemu-system-s390x
	[qemu-system-data]=/usr/share/qemu/qboot.rom
	[gcc-s390x-linux-gnu]=s390x-linux-gnu-gcc
	[libc6-dev-s390x-cross]=/usr/s390x-linux-gnu/lib/libc.a
	[qemu-system-arm]=qemu-system-aarch64
	[gcc-aarch64-linux-gnu]=aarch64-linux-gnu-gcc
	[libc6-dev-arm64-cross]=/usr/aarch64-linux-gnu/lib/libc.a
	[busybox-static]=/bin/busybox
	[e2fsprogs]=mke2fs
	[e2fsck-static]=/sbin/e2fsck.static
	[sparse]=sparse
	[ccache]=ccache
	[build-essential]=/usr/share/build-essential/list
	[flex]=flex
	[bison]=bison
	[bc]=bc
	[libelf-dev]=/usr/include/libelf.h
	[libssl-dev]=/usr/include/openssl/ssl.h
	[cpio]=cpio
	[kmod]=depmod
	[python3]=python3
	[rsync]=rsync
	[xz-utils]=xz
	[util-linux]=flock
	[coreutils]=timeout
	[gzip]=gzip
	[perl]=perl
	[gnuplot-nox]=gnuplot
	# make checks: Sphinx for the htmldocs check of our documents
	[python3-sphinx]=sphinx-build
	[python3-sphinx-rtd-theme]=/usr/lib/python3/dist-packages/sphinx_rtd_theme
	# make series-check: Debian's kernel configuration (distro build)
	[linux-config-6.12]=/usr/src/linux-config-6.12/config.amd64_none_amd64.xz
	# make series: git am, git format-patch
	[git]=git
)

have() {
	case "$1" in
	/*) [ -e "$1" ] ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

missing=()
for pkg in "${!CHECK[@]}"; do
	have "${CHECK[$pkg]}" || missing+=("$pkg")
done

updated=0
apt_update() {
	[ $updated = 1 ] && return 0
	note "apt-get update"
	apt-get update -qq
	updated=1
}

if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}) and not root: install them with apt-get"
	apt_update
	note "apt-get install ${missing[*]}"
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Guest userspace for the cross guests: static busybox and e2fsck from
# Debian's debs of the guest's architecture, unpacked into build/ARCH-userspace.
# guest_userspace DEBARCH DIR
guest_userspace() {
	local debarch=$1 root=$2 debs=$BUILD/debs-$1
	[ -x "$root/bin/busybox" ] && [ -x "$root/sbin/e2fsck.static" ] && return 0
	if ! dpkg --print-foreign-architectures | grep -qx "$debarch"; then
		[ "$(id -u)" = 0 ] || die "need root for dpkg --add-architecture $debarch"
		note "dpkg --add-architecture $debarch"
		dpkg --add-architecture "$debarch"
		updated=0
	fi
	apt_update
	rm -rf "$debs" "$root.tmp"
	mkdir -p "$debs" "$root.tmp"
	(cd "$debs" && apt-get download -qq "busybox-static:$debarch" "e2fsck-static:$debarch")
	for d in "$debs"/*.deb; do
		dpkg-deb -x "$d" "$root.tmp"
	done
	rm -rf "$root"
	mv "$root.tmp" "$root"
}
S390_ROOT=$BUILD/s390x-userspace
AARCH64_ROOT=$BUILD/aarch64-userspace
guest_userspace s390x "$S390_ROOT"
guest_userspace arm64 "$AARCH64_ROOT"

# Final check: everything is there now.
fail=0
for pkg in "${!CHECK[@]}"; do
	if ! have "${CHECK[$pkg]}"; then
		echo "ERROR: $pkg still missing (${CHECK[$pkg]})" >&2
		fail=1
	fi
done
for f in "$S390_ROOT/bin/busybox" "$S390_ROOT/sbin/e2fsck.static"; do
	if ! file -b "$f" 2>/dev/null | grep -q 'IBM S/390'; then
		# 'file' may be absent on a minimal host: fall back to the ELF machine byte
		m=$(od -An -tx1 -j18 -N2 "$f" 2>/dev/null | tr -d ' \n')
		[ "$m" = 0016 ] || { echo "ERROR: $f is not an s390x binary" >&2; fail=1; }
	fi
done
for f in "$AARCH64_ROOT/bin/busybox" "$AARCH64_ROOT/sbin/e2fsck.static"; do
	# e_machine EM_AARCH64 (183), little endian
	m=$(od -An -tx1 -j18 -N2 "$f" 2>/dev/null | tr -d ' \n')
	[ "$m" = b700 ] || { echo "ERROR: $f is not an aarch64 binary" >&2; fail=1; }
done
[ $fail = 0 ] || exit 1
echo "deps: all present"
