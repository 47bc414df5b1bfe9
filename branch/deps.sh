#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make sure the Debian packages that TARGET (demo, test or bench) needs are
# installed: the list is branch/packages. As root, install what is missing
# with apt-get; as another user, print the apt-get line that would and
# fail.
#
#   deps.sh demo|test|bench
set -euo pipefail
. "$(dirname "$0")/lib.sh"

target=${1:-}
case "$target" in
demo | test | bench) ;;
*) die "usage: $0 demo|test|bench" ;;
esac

wanted=$(awk -v t="$target" '
	/^[ \t]*(#|$)/ { next }
	{ for (i = 2; i <= NF; i++) if ($i == t || $i == "all") { print $1; break } }
' "$FAMFS_TOP/branch/packages")
[ -n "$wanted" ] || die "branch/packages names no package for $target"

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2> /dev/null)" = "install ok installed" ]
}

missing=()
for p in $wanted; do
	installed "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	printf 'error: make %s needs Debian packages that are not installed; as root, run:\n    %s\n' \
		"$target" "$line" >&2
	exit 1
fi
say "installing what make $target needs: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } > "$log" 2>&1; then
	tail -n 30 "$log" >&2
	die "apt-get could not install ${missing[*]}"
fi
for p in "${missing[@]}"; do
	installed "$p" || die "apt-get did not install $p"
done
