#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make sure the pristine base tree exists as a git repository in the cache:
# Debian's linux-source package, downloaded once, committed once. Prints the
# path of the cached repository.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$CACHE/deb"

deb_file() { ls "$CACHE/deb/${KERNEL_DEB_PACKAGE}_$(echo "$1" | sed 's/:/%3a/')_all.deb" 2>/dev/null; }

if [ -z "$(deb_file "$KERNEL_DEB_VERSION")" ]; then
	say "downloading $KERNEL_DEB_PACKAGE $KERNEL_DEB_VERSION"
	command -v apt-get >/dev/null || die "apt-get is needed to fetch the kernel source"
	if ! (cd "$CACHE/deb" && apt-get download -q "$KERNEL_DEB_PACKAGE=$KERNEL_DEB_VERSION" >&2); then
		apt-get update -q >&2 || true
		if ! (cd "$CACHE/deb" && apt-get download -q "$KERNEL_DEB_PACKAGE=$KERNEL_DEB_VERSION" >&2); then
			newest=$(apt-cache madison "$KERNEL_DEB_PACKAGE" | awk '{print $3}' | sort -V | tail -n 1)
			[ -n "$newest" ] || die "no $KERNEL_DEB_PACKAGE package is served"
			cat >&2 <<EOF
******************************************************************************
WARNING: $KERNEL_DEB_PACKAGE $KERNEL_DEB_VERSION is no longer served.
WARNING: falling back to the newest one, $newest. Pin it in branch/base.conf
WARNING: once the series is checked against it.
******************************************************************************
EOF
			(cd "$CACHE/deb" && apt-get download -q "$KERNEL_DEB_PACKAGE=$newest" >&2)
			echo "$newest" > "$CACHE/deb/fallback-version"
		fi
	fi
fi

version=$KERNEL_DEB_VERSION
if [ -z "$(deb_file "$version")" ] && [ -f "$CACHE/deb/fallback-version" ]; then
	version=$(cat "$CACHE/deb/fallback-version")
	echo "WARNING: building on $KERNEL_DEB_PACKAGE $version, not the pinned $KERNEL_DEB_VERSION" >&2
fi
deb=$(deb_file "$version")
[ -n "$deb" ] || die "no cached package for $KERNEL_DEB_PACKAGE $version"

repo=$CACHE/base-$(echo "$version" | tr '~:' '__').git
if [ ! -f "$repo/famfs-base-ok" ]; then
	say "unpacking $(basename "$deb") into a base repository"
	rm -rf "$repo" "$repo.tmp"
	mkdir -p "$repo.tmp/deb" "$repo.tmp/src"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$repo.tmp/deb"
	tar -xJf "$repo.tmp/deb"/usr/src/linux-source-*.tar.xz -C "$repo.tmp/src" --strip-components=1
	rm -rf "$repo.tmp/deb"
	(
		cd "$repo.tmp/src"
		git init -q -b base
		git add -A -f
		GIT_AUTHOR_NAME="Debian kernel team" GIT_AUTHOR_EMAIL="debian-kernel@lists.debian.org" \
		GIT_COMMITTER_NAME="Debian kernel team" GIT_COMMITTER_EMAIL="debian-kernel@lists.debian.org" \
		GIT_AUTHOR_DATE="$SERIES_DATE" GIT_COMMITTER_DATE="$SERIES_DATE" \
			git commit -q -m "Linux $(make -s kernelversion) from Debian $KERNEL_DEB_PACKAGE $version"
	)
	git clone -q --bare "$repo.tmp/src" "$repo"
	rm -rf "$repo.tmp"
	echo "$version" > "$repo/famfs-base-ok"
fi
echo "$repo"
