#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Export the assembled series with a cover letter, ready for git send-email:
#   git send-email --to=linux-fsdevel@vger.kernel.org build/series/*.patch
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
# header, its text the rest.
subject=$(sed '1,/^$/d' "$cover" | head -n 1)
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
say "exported $(ls "$out"/*.patch | wc -l) files to $out"
