#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Take the assembled tree's series back into this repository: the other way
# round from assemble.sh. Change the series in build/linux as in any kernel
# tree (commit --fixup, rebase -i --autosquash), then run this:
#   - every "file:" of the series is copied back from the tree's last commit;
#   - every "diff:" is made anew from the commit of its entry, limited to
#     the paths it already touches.
# The commits must still be one per entry, in order. Commit messages stay
# those of the manifest. assemble.sh afterwards gives the same tree.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cd "$TREE"
mapfile -t commits < <(git rev-list --reverse famfs-base..famfs)
mapfile -t entries < <(series_entries)
[ ${#commits[@]} -eq ${#entries[@]} ] ||
	die "${#commits[@]} commits in the tree, ${#entries[@]} series entries"

diff_paths() { sed -n 's|^diff --git a/\(.*\) b/.*|\1|p' "$1"; }

for i in "${!entries[@]}"; do
	c=${commits[i]}
	name=$(basename "${entries[i]}")
	files=()
	diffs=()
	while read -r kind path _; do
		case "$kind" in
		file:) files+=("$path") ;;
		diff:) diffs+=("$path") ;;
		esac
	done < <(entry_headers "${entries[i]}")

	# a path the commit changes that no header of its entry names goes
	# into its one diff; with several diffs, say where it belongs
	covered=$( (printf '%s\n' "${files[@]}"
		    for d in "${diffs[@]}"; do diff_paths "$FAMFS_TOP/$d"; done) | sort -u)
	extra=$(git diff --name-only "$c~1" "$c" | sort -u | comm -23 - <(echo "$covered"))
	if [ -n "$extra" ] && [ ${#diffs[@]} -ne 1 ]; then
		die "$name: the commit also changes $(echo $extra); name them in its entry"
	fi

	for f in "${files[@]}"; do
		git show "famfs:$f" > "$FAMFS_TOP/$f"
	done
	for d in "${diffs[@]}"; do
		mapfile -t paths < <(diff_paths "$FAMFS_TOP/$d")
		[ ${#diffs[@]} -eq 1 ] && paths+=($extra)
		# the identity of whoever assembled goes back to its token
		git diff "$c~1" "$c" -- "${paths[@]}" |
			T=$SERIES_IDENTITY_TOKEN I=$SERIES_IDENTITY \
			perl -pe 's/\Q$ENV{I}\E/$ENV{T}/g' > "$FAMFS_TOP/$d"
		[ -s "$FAMFS_TOP/$d" ] || die "$name: $d came back empty"
	done
done
say "took ${#entries[@]} patches back; check with: git -C $FAMFS_TOP diff"
