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

for i in "${!entries[@]}"; do
	c=${commits[i]}
	while read -r kind path _; do
		case "$kind" in
		file:)
			git show "famfs:$path" > "$FAMFS_TOP/$path"
			;;
		diff:)
			mapfile -t paths < <(sed -n 's|^diff --git a/\(.*\) b/.*|\1|p' "$FAMFS_TOP/$path")
			git diff "$c~1" "$c" -- "${paths[@]}" > "$FAMFS_TOP/$path"
			[ -s "$FAMFS_TOP/$path" ] ||
				die "$(basename "${entries[i]}"): $path came back empty"
			;;
		esac
	done < <(entry_headers "${entries[i]}")
done
say "took ${#entries[@]} patches back; check with: git -C $FAMFS_TOP diff"
