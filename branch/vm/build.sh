#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build what the famfs VMs boot, from the assembled tree (build/linux):
#   - a kernel: tinyconfig + branch/vm/common.config + the flavour's
#     fragment, famfs =m: "debug" (the default; KASAN, kmemleak, lockdep,
#     the hung-task detector, the famfs KUnit suites as a module) for the
#     tests, "bench" (optimized, xfs) for the benchmarks;
#   - the famfs kselftest, linked statically against the tree's uAPI;
#   - an initramfs: busybox-static, famfs.ko, the tests, branch/vm/init,
#     and for "bench" the benchmark with fio and mkfs.xfs.
# Output in build/vm: bzImage, initramfs.cpio (debug) or bzImage-bench,
# initramfs-bench.cpio.
#
#   build.sh [debug|bench]
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

flavour=${1:-debug}
case "$flavour" in
debug) suffix= ;;
bench) suffix=-bench ;;
*) die "usage: $0 [debug|bench]" ;;
esac
VM=$BUILD/vm
KOBJ=$VM/kernel$suffix
FRAGS=("$FAMFS_TOP/branch/vm/common.config" "$FAMFS_TOP/branch/vm/$flavour.config")
MAKE=(make -s ARCH=x86_64 O="$KOBJ" CC="ccache gcc" -j"$JOBS")
BUSYBOX=/bin/busybox

[ -d "$TREE/fs/famfs" ] || die "no assembled tree in $TREE (run branch/assemble.sh)"
[[ "$(file -L "$BUSYBOX" 2> /dev/null)" == *"statically linked"* ]] ||
	die "$BUSYBOX is not static: install busybox-static"
mkdir -p "$KOBJ"
cd "$TREE"

# 1. The configuration. Written only when it changes, so that a warm
#    build stays incremental.
cfg=$(mktemp -d)
trap 'rm -rf "$cfg"' EXIT
make -s ARCH=x86_64 O="$cfg" tinyconfig
scripts/kconfig/merge_config.sh -m -O "$cfg" "$cfg/.config" "${FRAGS[@]}" > /dev/null
make -s ARCH=x86_64 O="$cfg" olddefconfig
# olddefconfig drops an option whose dependencies are missing, silently.
lost=0
while read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qx "$line" "$cfg/.config" || { echo "lost: $line" >&2; lost=1; } ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		grep -q "^$opt=" "$cfg/.config" && { echo "lost: $line" >&2; lost=1; } ;;
	esac
done < <(cat "${FRAGS[@]}")
[ $lost -eq 0 ] || die "the VM kernel configuration lost options (above)"
cmp -s "$cfg/.config" "$KOBJ/.config" || cp "$cfg/.config" "$KOBJ/.config"

# 2. The kernel, famfs.ko and the uAPI headers for the tests.
say "building the $flavour VM kernel in $KOBJ"
"${MAKE[@]}" bzImage modules
"${MAKE[@]}" headers_install INSTALL_HDR_PATH="$VM/usr" > /dev/null

# 3. The kselftest, static: the initramfs has no libc.
say "building the famfs kselftest"
mkdir -p "$VM/selftest"
make -s -C tools/testing/selftests/filesystems/famfs \
	OUTPUT="$VM/selftest" KHDR_INCLUDES="-isystem $VM/usr/include" \
	LDFLAGS=-static CC=gcc
# Its ioctl cases again as an i386 program, for the compat ioctl path
# (the harness casts pointers to uintmax_t, which -m32 warns about)
for t in famfs_test famfs_multidev; do
	gcc -m32 -static -Wall -Wno-pointer-to-int-cast -O2 -g -isystem "$VM/usr/include" \
		-o "$VM/selftest/${t}32" tools/testing/selftests/filesystems/famfs/$t.c
done

# 4. The initramfs.
root=$VM/root$suffix
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,mnt,lib/modules,famfs}
cp "$BUSYBOX" "$root/bin/busybox"
for app in $("$BUSYBOX" --list); do
	[ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
done
cp "$KOBJ/fs/famfs/famfs.ko" "$root/lib/modules/"
if [ "$flavour" = debug ]; then
	# the KUnit suites, and the D-state task that proves the hung-task
	# detector
	cp "$KOBJ/fs/famfs/famfs_test.ko" "$KOBJ/lib/test_lockup.ko" "$root/lib/modules/"
fi
cp "$VM"/selftest/famfs_test "$VM"/selftest/famfs_test32 "$VM"/selftest/famfs_stress "$VM"/selftest/famfs_fuzz \
	"$VM"/selftest/famfs_map "$VM"/selftest/famfs_multidev "$VM"/selftest/famfs_multidev32 \
	"$root/famfs/"
cp "$FAMFS_TOP/branch/vm/init" "$root/init"
chmod 755 "$root/init"
[ "$flavour" = bench ] && "$FAMFS_TOP/branch/bench/stage.sh" "$root"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet --reproducible) > "$VM/initramfs$suffix.cpio"
cp "$KOBJ/arch/x86/boot/bzImage" "$VM/bzImage$suffix"
say "$flavour VM kernel and initramfs ready in $VM"
