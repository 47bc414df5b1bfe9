#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Checks of the exported series as mail: who it is by, that git am gives
# the assembled tree back, and whom git send-email would send each patch
# to. Prints a PASS or FAIL line per check. Runs on the series make test
# exports, which carries the placeholder identity.
#   branch/series-checks.sh SERIES_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"

out=$1
tmp=$(mktemp -d)
trap 'git -C "$TREE" worktree remove -f "$tmp/am" 2>/dev/null; rm -rf "$tmp"' EXIT

verdict() { if [ "$2" = ok ]; then echo "PASS $1"; else echo "FAIL $1: $2"; fi; }

# 1. make series wants a real identity: with none configured it stops
msg=$(GIT_DIR=/nonexistent GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
      FAMFS_SENDER=1 bash -c ". '$FAMFS_TOP/branch/lib.sh'" 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q "git config user.name" <<< "$msg"; then
	verdict "series: make series refuses without a git identity" ok
else
	verdict "series: make series refuses without a git identity" "exit $rc: $msg"
fi

# 2. The tests' series is the placeholder's, in From: and Signed-off-by
bad=
for p in "$out"/0*.patch; do
	case "$p" in *0000-cover-letter.patch) continue ;; esac
	# the From: header, unfolded
	from=$(sed '/^$/q' "$p" | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n[ \t]\+/ /g' |
	       sed -n 's/^From: //p')
	sobs=$(grep '^Signed-off-by: ' "$p" | sed 's/^Signed-off-by: //' | sort -u)
	if [ "$from" != "$SERIES_IDENTITY" ] || [ "$sobs" != "$SERIES_IDENTITY" ]; then
		bad+=" $(basename "$p")"
	fi
done
verdict "series: every patch is from and signed off by '$SERIES_IDENTITY'" \
	"${bad:-ok}"

# 3. git am of the exported series on a pristine base gives the tree
if git -C "$TREE" worktree add -q --detach "$tmp/am" famfs-base 2>"$tmp/wt.log" &&
   GIT_COMMITTER_NAME=$SERIES_AUTHOR_NAME GIT_COMMITTER_EMAIL=$SERIES_AUTHOR_EMAIL \
   git -C "$tmp/am" am -q $(ls "$out"/0*.patch | grep -v 0000-cover-letter) \
	> "$tmp/am.log" 2>&1; then
	got=$(git -C "$tmp/am" rev-parse 'HEAD^{tree}')
	want=$(git -C "$TREE" rev-parse 'famfs^{tree}')
	n=$(git -C "$tmp/am" rev-list --count famfs-base..HEAD)
	if [ "$got" = "$want" ]; then
		verdict "series: git am of the $n exported patches gives the assembled tree" ok
	else
		verdict "series: git am of the exported patches gives the assembled tree" \
			"tree $got, assembled $want"
	fi
else
	verdict "series: git am of the exported patches gives the assembled tree" \
		"$(cat "$tmp/wt.log" "$tmp/am.log" 2>/dev/null | sed -n 1,3p | tr '\n' ' ')"
fi

# 4. git send-email sends each patch to whom get_maintainer.pl names for
#    it, and the cover letter to all of them. Beside those, only the
#    sender and the Cc: trailers of the patch itself may appear.
addrs() { grep -o '[^<> ,]*@[^<> ,]*' | sort -u; }
: > "$tmp/all"
for p in "$out"/0*.patch; do
	case "$p" in *0000-cover-letter.patch) continue ;; esac
	maintainers_of "$p" | addrs |
		tee -a "$tmp/all" > "$tmp/$(basename "$p").want"
done
for p in "$out"/0*.patch; do
	t=$tmp/$(basename "$p")
	case "$p" in
	*0000-cover-letter.patch) sort -u "$tmp/all" > "$t.want"; what="the cover letter" ;;
	*) what="patch $((10#$(basename "$p" | cut -c1-4)))" ;;
	esac
	if ! git send-email --dry-run --confirm=never --from="$SERIES_IDENTITY" \
		"$p" < /dev/null > "$t.send" 2>&1; then
		verdict "series: git send-email --dry-run of $what" \
			"$(grep -m1 -iE 'error|fatal|failed|unable' "$t.send" || tail -1 "$t.send")"
		continue
	fi
	sed -n 's/^RCPT TO:<\(.*\)>$/\1/p' "$t.send" | sort -u > "$t.got"
	# the sender, and the Cc: trailers of the body (after the headers)
	{ echo "$SERIES_AUTHOR_EMAIL"; sed '1,/^$/d' "$p" | grep '^Cc: '; } |
		addrs > "$t.extra"
	missing=$(comm -23 "$t.want" "$t.got" | paste -sd' ')
	unasked=$(comm -13 "$t.want" "$t.got" | comm -23 - "$t.extra" | paste -sd' ')
	if [ ! -s "$t.want" ]; then
		verdict "series: $what has recipients" "get_maintainer.pl names nobody"
	elif [ -z "$missing$unasked" ]; then
		verdict "series: git send-email sends $what to the $(wc -l < "$t.want") recipients get_maintainer.pl names" ok
	else
		verdict "series: git send-email sends $what to whom get_maintainer.pl names" \
			"missing: ${missing:-none}; not asked for: ${unasked:-none}"
	fi
done
