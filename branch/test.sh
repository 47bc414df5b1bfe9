#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every test and check of the famfs branch, in one run:
#   - assemble the series on the pinned base and export it;
#   - checkpatch --strict on every exported patch;
#   - build every prefix of the series (bisectability);
#   - the KUnit suites (x86_64 under qemu) and a clean kernel log;
#   - sparse (C=2) and W=1 on fs/famfs and drivers/dax;
#   - the famfs kselftest in a qemu VM on the debug kernel (KASAN,
#     kmemleak, lockdep) with a real device-dax instance, and two VMs
#     sharing one memory file.
# Each KUnit case and each check counts once. The last line is
# "N passed, N failed"; the exit status is non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

KBUILD=$BUILD/kunit
LOGS=$BUILD/logs
SERIES_OUT=$BUILD/series
KUNIT=(python3 tools/testing/kunit/kunit.py)
KUNIT_ARGS=(--arch=x86_64 --kunitconfig=fs/famfs --build_dir="$KBUILD")
MAKE=(make -s ARCH=x86_64 O="$KBUILD" CC="ccache gcc" -j"$JOBS")

passed=0
failed=0
rm -rf "$LOGS"
mkdir -p "$LOGS"

pass() { passed=$((passed + 1)); printf 'PASS %s\n' "$1"; }
fail() {
	failed=$((failed + 1))
	printf 'FAIL %s\n' "$1"
	[ -n "${2:-}" ] && [ -f "$2" ] && tail -n 40 "$2" | sed 's/^/    /'
	return 0
}

# check NAME CMD...: one check, its output kept in $LOGS/NAME.log
check() {
	local name=$1 log
	shift
	log=$LOGS/$(echo "$name" | tr ' /' '__').log
	if "$@" > "$log" 2>&1; then
		pass "$name"
	else
		fail "$name" "$log"
		return 1
	fi
}

summary() {
	echo
	echo "logs: $LOGS"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

# 0. The Debian packages of branch/packages (installed when run as root)
check "Debian packages for make test" "$FAMFS_TOP/branch/deps.sh" test || summary

# 1. The series
check "assemble the series" "$FAMFS_TOP/branch/assemble.sh" || summary
check "export the series" "$FAMFS_TOP/branch/export.sh" "$SERIES_OUT" || summary

cd "$TREE"

# 2. checkpatch --strict: 0 errors, 0 warnings, 0 checks on every patch.
#    The only exceptions are those the cover letter lists, each with its
#    reason, as "- patch N: TYPE: reason".
checkpatch_clean() {
	local out
	out=$(scripts/checkpatch.pl --strict --showfile ${2:+--ignore "$2"} "$1")
	echo "$out"
	grep -q "total: 0 errors, 0 warnings, 0 checks" <<< "$out"
}
for p in "$SERIES_OUT"/0*.patch; do
	case "$p" in *0000-cover-letter.patch) continue ;; esac
	n=$((10#$(basename "$p" | cut -c1-4)))
	ignore=$(sed -n "s/^- patch $n: \([A-Z_]*\): .*/\1/p" "$FAMFS_TOP/branch/cover-letter" | paste -sd, -)
	check "checkpatch $(basename "$p")" checkpatch_clean "$p" "$ignore"
done

# 3. Every prefix of the series builds, with the KUnit configuration
#    (famfs, its tests, device-dax and fs-dax all enabled where they exist).
check "kunit config" "${KUNIT[@]}" config "${KUNIT_ARGS[@]}" || summary
cp "$KBUILD/.config" "$LOGS/famfs.config"

build_at() {
	git checkout -q "$1" &&
	cp "$LOGS/famfs.config" "$KBUILD/.config" &&
	"${MAKE[@]}" olddefconfig &&
	"${MAKE[@]}" all
}
bisect_ok=1
n=0
for c in $(git rev-list --reverse famfs-base..famfs); do
	n=$((n + 1))
	check "build patch $n: $(git log -1 --format=%s "$c")" build_at "$c" || bisect_ok=0
done
git checkout -q famfs
cp "$LOGS/famfs.config" "$KBUILD/.config"

# 4. KUnit: every case counts; a skipped case is a failure.
if [ $bisect_ok -eq 1 ]; then
	"${KUNIT[@]}" run "${KUNIT_ARGS[@]}" --jobs="$JOBS" \
		--make_options CC="ccache gcc" --json="$LOGS/kunit.json" \
		> "$LOGS/kunit.log" 2>&1
	kunit_rc=$?
	sed -n '/Starting KUnit Kernel/,$p' "$LOGS/kunit.log" | grep -E '\[(PASSED|FAILED|SKIPPED|CRASHED)\]|Testing complete'
	counts=$(python3 - "$LOGS/kunit.json" <<'EOF'
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print("0 0")
    sys.exit()
ok = bad = 0
def walk(t):
    global ok, bad
    cases = t.get("test_cases", [])
    subs = t.get("sub_groups", [])
    for c in cases:
        if c.get("status") == "PASS":
            ok += 1
        else:
            bad += 1
    for s in subs:
        walk(s)
walk(doc)
print(ok, bad)
EOF
)
	read -r kok kbad <<< "$counts"
	passed=$((passed + kok))
	failed=$((failed + kbad))
	if [ "$kunit_rc" -ne 0 ] || [ "$kok" -eq 0 ]; then
		fail "kunit.py run (exit $kunit_rc, $kok cases passed)" "$LOGS/kunit.log"
	fi
	# The suites passing is not enough: no warning, BUG, leak or lockdep
	# report may appear in the guest's log either.
	splats='WARNING:|BUG:|Oops|KASAN|kmemleak|possible recursive locking|circular locking|Busy inodes|still in use|Call Trace'
	if [ -f "$KBUILD/test.log" ] && ! grep -Eq "$splats" "$KBUILD/test.log"; then
		pass "kunit kernel log has no splat"
	else
		grep -En "$splats" "$KBUILD/test.log" > "$LOGS/splats.log" 2>&1
		fail "kunit kernel log has no splat" "$LOGS/splats.log"
	fi
else
	fail "kunit (not run: the series does not build)"
fi

# 5. sparse and W=1 on our code: not a single warning.
STATIC_DIRS=(fs/famfs/ drivers/dax/)
no_warnings() {
	"$@" 2>&1 | tee /dev/stderr | grep -E 'warning:|error:' && return 1
	return 0
}
check "sparse C=2 on ${STATIC_DIRS[*]}" no_warnings "${MAKE[@]}" C=2 "${STATIC_DIRS[@]}"
check "W=1 on ${STATIC_DIRS[*]}" no_warnings "${MAKE[@]}" W=1 "${STATIC_DIRS[@]}"

# 6. famfs on a real device-dax instance, in qemu on the debug kernel:
#    every kselftest case, every check of the guests, no splat, no leak.
vm_run() {
	local out=$LOGS/vm-$1.log rc
	"$FAMFS_TOP/branch/vm/run.sh" "$@" > "$out" 2>&1
	rc=$?
	grep -E '^(PASS|FAIL) ' "$out"
	passed=$((passed + $(grep -c '^PASS ' "$out")))
	failed=$((failed + $(grep -c '^FAIL ' "$out")))
	if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
		fail "vm $1 (exit $rc, no result)" "$out"
	fi
}
if check "build the VM kernel, kselftest and initramfs" "$FAMFS_TOP/branch/vm/build.sh"; then
	vm_run selftest
	vm_run twohost
else
	fail "vm (not run: the VM kernel does not build)"
fi

summary
