#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Show famfs at work as far as the branch goes today: assemble the series,
# build the KUnit kernel and boot it under qemu, where famfs is mounted on a
# dax device, filled, refused a second mount, its files given memory by the
# map ioctls, written and read back through dax (the bytes checked on the
# device), told that its memory failed or its device went away, and
# unmounted, with the result of every step.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$FAMFS_TOP/branch/assemble.sh"
cd "$TREE"
python3 tools/testing/kunit/kunit.py run --arch=x86_64 --kunitconfig=fs/famfs \
	--build_dir="$BUILD/kunit" --jobs="$JOBS" --make_options CC="ccache gcc" \
	'famfs_*' | grep -E '^\[[0-9:]+\] (=|\[|Testing)|famfs'
