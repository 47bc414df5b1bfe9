#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Export the assembled series with a cover letter, ready for git send-email:
#   git send-email build/series/*.patch
# Each patch carries, as To: and Cc: headers, whom scripts/get_maintainer.pl
# names for it (people To, lists Cc); the cover letter carries them all.
# The cover letter's subject and text come from branch/cover-letter.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:-$BUILD/series}
cover=$FAMFS_TOP/branch/cover-letter

git -C "$TREE" rev-parse -q --verify famfs-base >/dev/null ||
	die "no assembled tree: run branch/assemble.sh first"

rm -rf "$out"
git -C "$TREE" format-patch -q --cover-letter --thread=shallow \
	--subject-prefix="$(sed -n 's/^Subject-Prefix: //p' "$cover")" \
	-o "$out" famfs-base..famfs

# Fill in the cover letter: its subject is the first line after the
# header, its text the rest. (No "| head" under pipefail: head leaves
# early and the writer dies of SIGPIPE once its output passes a pipe
# buffer, which failed this script one run in five, silently.)
subject=$(sed '1,/^$/d' "$cover" | sed -n 1p)
blurb=$(mktemp)
trap 'rm -f "$blurb"' EXIT
sed '1,/^$/d' "$cover" | tail -n +3 > "$blurb"
letter=$(ls "$out"/0000-cover-letter.patch)
python3 - "$letter" "$subject" "$blurb" <<'EOF'
import sys
path, subject, blurb = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
text = open(path).read()
text = text.replace("*** SUBJECT HERE ***", subject, 1)
text = text.replace("*** BLURB HERE ***", blurb.rstrip("\n"), 1)
open(path, "w").write(text)
EOF
grep -q '\*\*\*' "$letter" && die "cover letter still has placeholders"

# A series to send must be signed off by the one who sends it
author=$(git -C "$TREE" log -1 --format='%an <%ae>' famfs)
if [ "${FAMFS_SENDER:-0}" = 1 ] && [ "$author" != "$SERIES_IDENTITY" ]; then
	die "the tree was assembled as $author, not as you: run make series"
fi

# The recipients of each patch, and all of them for the cover letter
all=$(mktemp)
trap 'rm -f "$blurb" "$all"' EXIT
add_recipients() {
	python3 -c '
import sys
path = sys.argv[1]
names = [l.strip() for l in sys.stdin if l.strip()]
head, sep, body = open(path).read().partition("\n\n")
lines = ["%s: %s" % ("To" if "<" in n else "Cc", n) for n in names]
open(path, "w").write("\n".join([head] + lines) + sep + body)
' "$1"
}
for p in "$out"/0*.patch; do
	[ "$p" = "$letter" ] && continue
	maintainers_of "$p" | grep -vxF "$SERIES_IDENTITY" |
		tee -a "$all" | add_recipients "$p"
done
awk '!seen[$0]++' "$all" | add_recipients "$letter"
say "exported $(ls "$out"/*.patch | wc -l) files to $out"
