#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Put what the benchmark VM runs into its initramfs root ($1): famfs_bench
# (static), and Debian's fio and mkfs.xfs with the shared libraries they
# load. Called by branch/vm/build.sh bench.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

root=$1
for tool in /usr/bin/fio /usr/sbin/mkfs.xfs; do
	[ -x "$tool" ] || die "$tool is missing: apt-get install fio xfsprogs"
done

gcc -Wall -O2 -static -isystem "$BUILD/vm/usr/include" \
	-o "$root/famfs/famfs_bench" "$FAMFS_TOP/branch/bench/famfs_bench.c"

# a dynamic binary and every library it loads, at the same paths
add_dynamic() {
	local lib
	mkdir -p "$root$(dirname "$1")"
	cp -L "$1" "$root$1"
	for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
add_dynamic /usr/bin/fio
add_dynamic /usr/sbin/mkfs.xfs
