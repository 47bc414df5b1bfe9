# SPDX-License-Identifier: GPL-2.0
# Shared settings of the famfs branch tooling; sourced, not run.

FAMFS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=base.conf
. "$FAMFS_TOP/branch/base.conf"

# Everything built lives outside the tracked files: build/ is ignored, the
# caches survive fresh clones (CI on this machine then runs warm).
BUILD=${FAMFS_BUILD:-$FAMFS_TOP/build}
TREE=$BUILD/linux
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/famfs
SERIES_DIR=$FAMFS_TOP/branch/series

export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
# Paths below the clone are hashed relative to it, so a clone in another
# directory reuses the objects of this one.
export CCACHE_BASEDIR=$FAMFS_TOP
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
export CCACHE_NOHASHDIR=1
export KBUILD_BUILD_TIMESTAMP="$SERIES_DATE"
export KBUILD_BUILD_USER=famfs KBUILD_BUILD_HOST=famfs

JOBS=${JOBS:-$(nproc)}

# The kernel's python scripts (checkpatch's spdxcheck.py needs ply) want
# Debian's python3 and its packages, not another python3 found first.
export PATH=/usr/bin:$PATH

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The series, in order: one manifest file per patch.
series_entries() {
	find "$SERIES_DIR" -maxdepth 1 -type f -name '[0-9][0-9][0-9][0-9]-*' | sort
}

# Header lines of a manifest entry ("file: PATH" / "diff: PATH"), up to the
# first blank line; the rest is the commit message.
entry_headers() { sed -n '1,/^$/p' "$1" | sed '/^$/d'; }
entry_message() { sed '1,/^$/d' "$1"; }

base_tag() { echo "base-$KERNEL_DEB_VERSION" | tr '~' '_'; }
