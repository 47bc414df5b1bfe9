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
# A script under set -e that dies of a failed command says which one, so
# that a log is never empty (a silent SIGPIPE once failed CI that way).
case $- in
*e*) trap 'printf "error: %s: line %s: \"%s\" failed (exit %s)\n" \
	"${0##*/}" "$LINENO" "$BASH_COMMAND" "$?" >&2' ERR ;;
esac

# Who the series is by. Authorship, the Signed-off-by of every patch and the
# famfs entry of MAINTAINERS name a real person, who certifies the DCO: the
# one who runs "make series", from git's configuration (user.name and
# user.email, as git commit takes them). Everything else (make test, make
# demo) assembles the series with a placeholder that no mail system accepts,
# so that a tree or a series made by the tests cannot be mistaken for one
# to send. FAMFS_SENDER=1 asks for the real identity, and fails without it.
SERIES_PLACEHOLDER_NAME="NOT FOR SENDING"
SERIES_PLACEHOLDER_EMAIL="not-for-sending@placeholder.invalid"
# In the repository's diffs the MAINTAINERS entry holds this token instead
SERIES_IDENTITY_TOKEN="@FAMFS_SENDER@"
series_identity() {
	if [ "${FAMFS_SENDER:-0}" != 1 ]; then
		SERIES_AUTHOR_NAME=$SERIES_PLACEHOLDER_NAME
		SERIES_AUTHOR_EMAIL=$SERIES_PLACEHOLDER_EMAIL
		return
	fi
	SERIES_AUTHOR_NAME=$(git -C "$FAMFS_TOP" config user.name || true)
	SERIES_AUTHOR_EMAIL=$(git -C "$FAMFS_TOP" config user.email || true)
	[ -n "$SERIES_AUTHOR_NAME" ] && [ -n "$SERIES_AUTHOR_EMAIL" ] ||
		die "make series signs every patch off in your name: set it with git config user.name and git config user.email"
	[ "$SERIES_AUTHOR_EMAIL" != "$SERIES_PLACEHOLDER_EMAIL" ] ||
		die "git's user.email is the tests' placeholder: set your own"
}
series_identity
SERIES_IDENTITY="$SERIES_AUTHOR_NAME <$SERIES_AUTHOR_EMAIL>"

# Whom scripts/get_maintainer.pl names for the patch $1, one per line
maintainers_of() {
	(cd "$TREE" && perl scripts/get_maintainer.pl --no-git --no-git-fallback \
		--no-rolestats --no-fixes "$1")
}

# The series, in order: one manifest file per patch.
series_entries() {
	find "$SERIES_DIR" -maxdepth 1 -type f -name '[0-9][0-9][0-9][0-9]-*' | sort
}

# Header lines of a manifest entry ("file: PATH" / "diff: PATH"), up to the
# first blank line; the rest is the commit message.
entry_headers() { sed -n '1,/^$/p' "$1" | sed '/^$/d'; }
entry_message() { sed '1,/^$/d' "$1"; }

base_tag() { echo "base-$KERNEL_DEB_VERSION" | tr '~' '_'; }
