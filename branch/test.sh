#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every test and check of the famfs branch, in one run:
#   - the Debian packages of branch/packages;
#   - assemble the series on the pinned base and export it; its authorship,
#     git am of it onto the base, and its recipients (git send-email);
#   - checkpatch --strict on every exported patch;
#   - build every prefix of the series (bisectability);
#   - the KUnit suites (x86_64 under qemu) against the inventory of cases
#     (branch/kunit-cases), and a clean kernel log;
#   - sparse (C=2) and W=1 on fs/famfs and drivers/dax;
#   - in qemu VMs on the debug kernel (KASAN, kmemleak, lockdep, hung-task
#     detector): the famfs kselftest on a real device-dax instance, the
#     KUnit suites again as a module, two VMs sharing one memory file,
#     the races, the allocation and copy failures and the fuzzer.
# Each KUnit case and each check counts once. Each part has a time budget
# for a cold run (a new machine, empty caches), printed with its result; a
# part over its budget fails. The last line is "N passed, N failed"; the
# exit status is non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

KBUILD=$BUILD/kunit
LOGS=$BUILD/logs
SERIES_OUT=$BUILD/series-test
KUNIT=(python3 tools/testing/kunit/kunit.py)
KUNIT_ARGS=(--arch=x86_64 --kunitconfig=fs/famfs --build_dir="$KBUILD")
MAKE=(make -s ARCH=x86_64 O="$KBUILD" CC="ccache gcc" -j"$JOBS")
# the whole run, cold: well inside CI's 90 minutes
TOTAL_BUDGET=60

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

# count CMD...: take the PASS/FAIL lines CMD prints as checks
count() {
	local line
	while read -r line; do
		case "$line" in
		"PASS "*) pass "${line#PASS }" ;;
		"FAIL "*) fail "${line#FAIL }" ;;
		*) printf '%s\n' "$line" ;;
		esac
	done < <("$@")
}

mmss() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# part NAME MINUTES: what follows, up to the next part, is NAME, which may
# take MINUTES on a cold run
part_name=
part() {
	part_end
	part_name=$1
	part_budget=$2
	part_start=$SECONDS
}
part_end() {
	local took
	[ -n "$part_name" ] || return 0
	took=$((SECONDS - part_start))
	if [ $took -le $((part_budget * 60)) ]; then
		pass "time: $part_name took $(mmss $took) of its ${part_budget}m budget"
	else
		fail "time: $part_name took $(mmss $took), over its ${part_budget}m budget"
	fi
	part_name=
}

summary() {
	part_end
	if [ $SECONDS -le $((TOTAL_BUDGET * 60)) ]; then
		pass "time: make test took $(mmss $SECONDS) of its ${TOTAL_BUDGET}m budget"
	else
		fail "time: make test took $(mmss $SECONDS), over its ${TOTAL_BUDGET}m budget"
	fi
	echo
	echo "logs: $LOGS"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

# 0. The Debian packages of branch/packages (installed when run as root)
part "packages" 5
check "Debian packages for make test" "$FAMFS_TOP/branch/deps.sh" test || summary

# 1. The series
part "assembly and export of the series" 5
check "assemble the series" "$FAMFS_TOP/branch/assemble.sh" || summary
check "export the series" "$FAMFS_TOP/branch/export.sh" "$SERIES_OUT" || summary

# who the series is by, git am of it, and whom git send-email sends it to
part "the series as mail" 4
count "$FAMFS_TOP/branch/series-checks.sh" "$SERIES_OUT"

cd "$TREE"

# 2. checkpatch --strict: 0 errors, 0 warnings, 0 checks on every patch.
#    The only exceptions are those the cover letter lists, each with its
#    reason, as "- patch N: TYPE: reason".
part "checkpatch" 2
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
part "a build of every prefix of the series" 25
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

# 4. KUnit: every case of the inventory runs and passes; a skipped case,
#    a case without a result and a case the inventory lacks all fail.
part "KUnit under qemu" 3
if [ $bisect_ok -eq 1 ]; then
	"${KUNIT[@]}" run "${KUNIT_ARGS[@]}" --jobs="$JOBS" \
		--make_options CC="ccache gcc" --json="$LOGS/kunit.json" \
		> "$LOGS/kunit.log" 2>&1
	kunit_rc=$?
	count python3 "$FAMFS_TOP/branch/kunit-judge.py" "$LOGS/kunit.json" \
		"$FAMFS_TOP/branch/kunit-cases" builtin kunit
	if [ "$kunit_rc" -ne 0 ]; then
		fail "kunit.py run (exit $kunit_rc)" "$LOGS/kunit.log"
	fi
	# The suites passing is not enough: no warning, BUG, leak or lockdep
	# report may appear in the guest's log either.
	splats='WARNING:|BUG:|Oops|KASAN|kmemleak|possible recursive locking|circular locking|Busy inodes|still in use|Call Trace'
	if [ -s "$KBUILD/test.log" ] && ! grep -Eq "$splats" "$KBUILD/test.log"; then
		pass "kunit kernel log has no splat"
	else
		grep -En "$splats" "$KBUILD/test.log" > "$LOGS/splats.log" 2>&1
		fail "kunit kernel log has no splat (or there is no log)" "$LOGS/splats.log"
	fi
else
	fail "kunit (not run: the series does not build)"
fi

# 5. sparse and W=1 on our code: make succeeds and prints not a single
#    warning (a missing sparse is make's error 127, and a failure).
part "sparse and W=1" 2
STATIC_DIRS=(fs/famfs/ drivers/dax/)
no_warnings() {
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	[ $rc -eq 0 ] || { echo "make failed: exit $rc"; return 1; }
	! grep -Eq 'warning:|error:' <<< "$out"
}
check "sparse C=2 on ${STATIC_DIRS[*]}" no_warnings "${MAKE[@]}" C=2 "${STATIC_DIRS[@]}"
check "W=1 on ${STATIC_DIRS[*]}" no_warnings "${MAKE[@]}" W=1 "${STATIC_DIRS[@]}"

# 6. famfs on a real device-dax instance, in qemu on the debug kernel:
#    every kselftest case, every KUnit case again, every check of the
#    guests, no splat, no leak.
vm_run() {
	local out=$LOGS/vm-$1.log rc
	"$FAMFS_TOP/branch/vm/run.sh" "$@" > "$out" 2>&1
	rc=$?
	count grep -E '^(PASS|FAIL) ' "$out"
	if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
		fail "vm $1 (exit $rc, no result)" "$out"
	fi
}
part "the debug VM kernel, kselftest and initramfs" 22
if check "build the VM kernel, kselftest and initramfs" "$FAMFS_TOP/branch/vm/build.sh"; then
	part "the kselftest in the VM" 6
	vm_run selftest
	part "the kselftests' ioctl cases as i386 programs in the VM" 6
	vm_run compat
	part "famfs over several devices in the VM" 6
	vm_run multidev
	part "KUnit in the VM" 4
	vm_run kunit
	part "two hosts on one memory" 3
	vm_run twohost
	part "races in the VM" 8
	vm_run races
	part "allocation and copy failures in the VM" 6
	vm_run failnth
	part "the fuzzer in the VM" 6
	vm_run fuzz
else
	fail "vm (not run: the VM kernel does not build)"
fi

summary
