#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Assemble the famfs branch in build/linux: the pristine base commit, then one
# commit per entry of branch/series/, in order.
#
# A series entry is a file: header lines, a blank line, the commit message.
#   file: PATH    copy PATH from this repository into the tree (whole file)
#   file: PATH minus DIFF...
#                 the same, less what the later DIFFs of the series change in
#                 PATH: the file as it was before those patches
#   diff: PATH    apply the diff PATH (relative to this repository) to the tree
# Every kernel file of this repository must be brought by some entry, and the
# assembled tree must hold it byte for byte: the series is the repository.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base_repo=$("$FAMFS_TOP/branch/fetch.sh")
base_rev=$(git -C "$base_repo" rev-parse base)

if [ ! -d "$TREE/.git" ] || ! git -C "$TREE" cat-file -e "$base_rev" 2>/dev/null; then
	say "cloning the base tree into $TREE"
	rm -rf "$TREE"
	mkdir -p "$BUILD"
	git clone -q --shared --no-checkout "$base_repo" "$TREE"
fi

cd "$TREE"
git config user.name "$SERIES_AUTHOR_NAME"
git config user.email "$SERIES_AUTHOR_EMAIL"
git config core.abbrev 12
git checkout -q -f -B famfs "$base_rev"
git reset -q --hard "$base_rev"
git clean -q -fdx
git tag -f famfs-base "$base_rev" >/dev/null

export GIT_AUTHOR_DATE="$SERIES_DATE" GIT_COMMITTER_DATE="$SERIES_DATE"

# The MAINTAINERS entry of the diffs names whoever assembles the series
with_identity() {
	T=$SERIES_IDENTITY_TOKEN I=$SERIES_IDENTITY perl -pe 's/\Q$ENV{T}\E/$ENV{I}/g'
}

brought=$(mktemp)
trap 'rm -f "$brought"' EXIT

n=0
while read -r entry; do
	n=$((n + 1))
	while read -r kind path rest; do
		case "$kind" in
		file:)
			[ -f "$FAMFS_TOP/$path" ] || die "$(basename "$entry"): no file $path"
			mkdir -p "$(dirname "$path")"
			cp "$FAMFS_TOP/$path" "$path"
			later=()
			case "$rest" in
			"") ;;
			minus\ *) read -r -a later <<< "${rest#minus }" ;;
			*) die "$(basename "$entry"): bad header 'file: $path $rest'" ;;
			esac
			# take the later changes off, the last one first
			for ((i = ${#later[@]} - 1; i >= 0; i--)); do
				git apply -R --include="$path" "$FAMFS_TOP/${later[i]}" ||
					die "$(basename "$entry"): ${later[i]} does not come off $path"
			done
			git add -f "$path"
			echo "$path" >> "$brought"
			;;
		diff:)
			[ -f "$FAMFS_TOP/$path" ] || die "$(basename "$entry"): no diff $path"
			with_identity < "$FAMFS_TOP/$path" |
				git apply --index --whitespace=nowarn ||
				die "$(basename "$entry"): $path does not apply"
			;;
		*)
			die "$(basename "$entry"): unknown header '$kind $path'"
			;;
		esac
	done < <(entry_headers "$entry")
	entry_message "$entry" | git commit -q -s -F - ||
		die "$(basename "$entry"): nothing to commit"
done < <(series_entries)

# The repository's kernel files and the assembled tree must agree.
status=0
while read -r path; do
	if ! grep -qxF "$path" "$brought"; then
		echo "error: $path is in the repository but no series entry brings it" >&2
		status=1
	elif ! cmp -s "$FAMFS_TOP/$path" "$TREE/$path"; then
		echo "error: $path differs between the repository and the assembled tree" >&2
		status=1
	fi
done < <(cd "$FAMFS_TOP" && git ls-files --cached --others --exclude-standard \
		fs include drivers Documentation tools MAINTAINERS 2>/dev/null)
[ $status -eq 0 ] || exit 1

say "assembled $n patches on $(git log -1 --format=%s famfs-base) in $TREE"
