#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the famfs debug kernel (branch/vm/build.sh) in qemu with an emulated
# persistent-memory device, and judge the run from the guest's console.
#
#   run.sh selftest         the famfs kselftest in one VM
#   run.sh compat           its ioctl cases built as an i386 program (compat),
#                           and those of famfs_multidev
#   run.sh multidev         famfs over several devices (famfs_multidev):
#                           five nvdimms, four chosen for file systems
#   run.sh kunit            the famfs KUnit suites, as a module of the debug
#                           kernel (KASAN, kmemleak, lockdep)
#   run.sh races            the famfs races (famfs_stress -f race)
#   run.sh failnth          allocation and user-copy failures, swept
#   run.sh fuzz             the famfs fuzzer
#   run.sh twohost [demo]   two VMs on one memory file: host A writes, host B
#                           reads and answers, host A reads the answer
#   run.sh bench            the benchmarks, on the benchmark kernel
#                           (build.sh bench), in two boots: icount and
#                           wall (FAMFS_BENCH_MODES); consoles in
#                           $OUT/bench-icount.log and bench-wall.log;
#                           FAMFS_BENCH_CASES=C,... some cases only
#
# Prints "PASS name" / "FAIL name" per case and check (kselftest and KUnit
# results, the guest's own checks, no kernel splat, kmemleak) and exits
# non-zero on any failure. Every case the kselftest or the KUnit inventory
# (branch/kunit-cases) has and the run does not report is a failure too.
# qemu runs under TCG; FAMFS_KVM=1 asks for KVM. FAMFS_STRESS_SCALE=N
# multiplies the rounds of the races and the fuzzer's calls (default 1);
# FAMFS_FUZZ_SEED=S (or "random") seeds the fuzzer. FAMFS_VM_APPEND adds to
# the guests' kernel command line (kasan_multi_shot, say).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

VM=$BUILD/vm
OUT=$VM/run
mode=${1:-selftest}
demo=${2:-}
mkdir -p "$OUT"

suffix=
[ "$mode" = bench ] && suffix=-bench
[ -f "$VM/bzImage$suffix" ] && [ -f "$VM/initramfs$suffix.cpio" ] ||
	die "no VM kernel in $VM: run branch/vm/build.sh${suffix:+ bench}"
VM_RAM=2G
VM_PMEM2=
VM_ICOUNT=
# 1 GiB nvdimms besides the first, for famfs over several devices
VM_PMEM_MORE=()

pids=()
cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		kill "$pid" 2> /dev/null && wait "$pid" 2> /dev/null
	done
	pids=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A fresh sparse 5 GiB memory file per run: famfs user space wants 4 GiB
# or more after the namespace's own 2 MiB.
new_memory() {
	rm -f "$1"
	truncate -s 5G "$1"
}

# Four more sparse 1 GiB memory files, for famfs over several devices
more_memory() {
	local i
	for i in 1 2 3 4; do
		rm -f "$VM/pmem-$mode-$i.img"
		truncate -s 1G "$VM/pmem-$mode-$i.img"
		VM_PMEM_MORE+=("$VM/pmem-$mode-$i.img")
	done
}

# How long a VM may run; the guest dumps every task's stack a little
# before (famfs_deadline), so that a hang shows where it is.
timeout_of() {
	local t=${FAMFS_VM_TIMEOUT:-$1}
	echo "$t"
}

# start_vm NAME MEMFILE SMP TIMEOUT ARGS...: boot in the background,
# console to $OUT/NAME.log
start_vm() {
	local name=$1 mem=$2 smp=$3 timeout=$4 accel=(-accel tcg)
	shift 4
	if [ "${FAMFS_KVM:-0}" = 1 ]; then
		accel=(-accel kvm -cpu host)
	elif [ -n "$VM_ICOUNT" ]; then
		# guest time is instructions executed: 1 ns each, idle time
		# skipped, the vCPUs run one at a time
		accel+=(-icount shift=0,sleep=off)
	fi
	local second=() i=3 f
	if [ -n "$VM_PMEM2" ]; then
		second=(-object memory-backend-file,id=mem2,share=on,mem-path="$VM_PMEM2",size=2G,align=2M
			-device nvdimm,memdev=mem2,id=nv2)
	fi
	for f in "${VM_PMEM_MORE[@]}"; do
		second+=(-object memory-backend-file,id=mem$i,share=on,mem-path="$f",size=1G,align=2M
			-device nvdimm,memdev=mem$i,id=nv$i)
		i=$((i + 1))
	done
	rm -f "$OUT/$name.log"
	qemu-system-x86_64 "${accel[@]}" \
		-machine pc,nvdimm=on -smp "$smp" \
		-m "$VM_RAM",slots=8,maxmem=16G \
		-object memory-backend-file,id=mem1,share=on,mem-path="$mem",size=5G,align=2M \
		-device nvdimm,memdev=mem1,id=nv1 "${second[@]}" \
		-kernel "$VM/bzImage$suffix" -initrd "$VM/initramfs$suffix.cpio" \
		-append "console=ttyS0 panic=-1 oops=panic panic_on_warn=1 kasan.fault=panic loglevel=6 famfs_deadline=$((timeout * 9 / 10)) $* ${FAMFS_VM_APPEND:-}" \
		-nodefaults -display none -monitor none -serial file:"$OUT/$name.log" \
		-no-reboot &
	pids+=($!)
}

# wait_vms SECONDS: until every VM has powered off, or the time is up
wait_vms() {
	local end=$((SECONDS + $1)) pid alive
	while :; do
		alive=0
		for pid in "${pids[@]}"; do
			kill -0 "$pid" 2> /dev/null && alive=1
		done
		[ $alive -eq 0 ] && break
		if [ $SECONDS -ge $end ]; then
			say "VMs still running after $1 s: killing them"
			cleanup
			return 1
		fi
		sleep 2
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2> /dev/null
	done
	pids=()
}

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# Anything the kernel says when it finds a bug in itself.
SPLATS='WARNING:|BUG:|Busy inodes|Oops|KASAN|unreferenced object|possible recursive locking|circular locking|inconsistent lock state|suspicious RCU|Call Trace|Kernel panic|general protection|INFO: task .* blocked'

# The console without carriage returns and printk timestamps
console() { tr -d '\r' < "$1" | sed 's/^\[ *[0-9.]*\] //'; }

# The names of the cases of a kselftest program ($1, default famfs_test),
# as its TAP lines give them (fixture[.variant].test), those of fixture $2
# only if given: -l prints the fixtures, variants and tests side by side in
# columns, and the harness runs every test of a fixture once per variant.
selftest_cases() {
	"$VM/selftest/${1:-famfs_test}" -l 2>&1 > /dev/null |
		FIXTURE=${2:-} ONLY=${3:-} python3 -c '
import os
import sys
# ONLY: harness filters "-f FIXTURE" and "-t TEST", a case is in if any says so
only_args = os.environ["ONLY"].split()
only_f = {only_args[i + 1] for i in range(0, len(only_args), 2) if only_args[i] == "-f"}
only_t = {only_args[i + 1] for i in range(0, len(only_args), 2) if only_args[i] == "-t"}
fixtures = []
for line in sys.stdin:
    line = line.rstrip("\n")
    if not line.strip() or line.startswith(("# FIXTURE", "----")):
        continue
    if line[0] != " ":
        name = line.split()[0]
        fixtures.append((name, [], []))
        rest = line[max(20, len(name)) + 1:]
    else:
        rest = line[21:]
    words = rest.split()
    if rest[:1] not in ("", " "):
        fixtures[-1][1].append(words.pop(0))
    if words:
        fixtures[-1][2].append(words[0])
only = os.environ["FIXTURE"]
for name, variants, tests in fixtures:
    if only and name != only:
        continue
    for v in variants or [""]:
        for t in tests:
            if only_args and name not in only_f and t not in only_t:
                continue
            print(name + ("." + v if v else "") + "." + t)
'
}

# The cases the 32-bit builds of the kselftests run (famfs_run=compat):
# their harness filters, as branch/vm/init gives them
compat_filter() { sed -n "s/^${1:-COMPAT_FILTER}=\"\(.*\)\"\$/\1/p" "$FAMFS_TOP/branch/vm/init"; }

# The cases the run of VM $1 must report (TAP), or "none" if it runs no
# TAP program
expected_cases() {
	case "$1" in
	selftest) selftest_cases famfs_test ;;
	compat)
		selftest_cases famfs_test32 "" "$(compat_filter)"
		selftest_cases famfs_multidev32 "" "$(compat_filter MULTIDEV_COMPAT_FILTER)"
		;;
	multidev) selftest_cases famfs_multidev ;;
	races) selftest_cases famfs_stress race ;;
	failnth) selftest_cases famfs_stress failnth ;;
	fuzz) echo famfs_fuzz ;;
	*) echo none ;;
	esac
}

# judge NAME: the verdict of the VM NAME from its console. (Every grep
# reads a file: under pipefail, "... | grep -q" fails when grep's early
# exit kills the writer, and a match would read as none.)
judge() {
	local name=$1 log=$OUT/$1.log line case expected seen text rest
	if [ ! -s "$log" ]; then
		fail "$name: the VM wrote its console ($log is empty or missing)"
		return
	fi
	text=$(mktemp)
	rest=$(mktemp)
	seen=$(mktemp)
	console "$log" > "$text"
	expected=$(expected_cases "$name")
	# the cases of the VM's TAP program, if it runs one, and the guest's
	# own checks
	while read -r line; do
		case "$line" in
		"1..0 # SKIP"* | "ok "* | "not ok "*)
			[ "$expected" != none ] || continue ;;
		"FAMFS-CHECK: "*) ;;
		*) continue ;;
		esac
		case "$line" in
		"1..0 # SKIP"*) fail "$name: the kselftest ran (it skipped all: ${line#1..0 # SKIP })" ;;
		"ok "*"# SKIP"*) fail "$name: ${line#ok } (a skip is a failure)" ;;
		"ok "*) case=${line#ok [0-9]* }; pass "$name: $case" ;;
		"not ok "*) case=${line#not ok [0-9]* }; fail "$name: $case" ;;
		"FAMFS-CHECK: PASS "*) pass "$name: ${line#FAMFS-CHECK: PASS }" ;;
		"FAMFS-CHECK: FAIL "*) fail "$name: ${line#FAMFS-CHECK: FAIL }" ;;
		esac
		case "$line" in
		"ok "* | "not ok "*) case=${line#*ok [0-9]* }; echo "${case%% # *}" >> "$seen" ;;
		esac
	done < "$text"
	# a program that stops halfway reports nothing for the rest
	if [ -z "$expected" ]; then
		fail "$name: the program lists its cases"
	fi
	if [ "$expected" != none ]; then
		for case in $expected; do
			grep -qxF "$case" "$seen" || fail "$name: $case (no result: not run)"
		done
	fi
	if [ "$mode" = kunit ]; then
		judge_kunit "$text"
	fi
	if grep -q "^FAMFS-VM-END rc=0" "$text"; then
		pass "$name: the guest finished its run"
	else
		fail "$name: the guest finished its run"
		grep -q "^FAMFS-VM-DEADLINE" "$text" &&
			echo "    (it hit its deadline: every task's stack is in $log)"
		tail -n 30 "$text" | sed 's/^/    /'
	fi
	# what the guest provoked on purpose is the expected result there,
	# and a splat anywhere else
	if grep -q "^FAMFS-EXPECT-SPLAT-BEGIN hung task" "$text"; then
		sed -n '/^FAMFS-EXPECT-SPLAT-BEGIN hung task/,/^FAMFS-EXPECT-SPLAT-END/p' "$text" > "$rest"
		if grep -q 'INFO: task insmod:[0-9]* blocked for more than' "$rest"; then
			pass "$name: the hung-task detector reports a task stuck in D state"
		else
			fail "$name: the hung-task detector reports a task stuck in D state"
		fi
	fi
	sed '/^FAMFS-EXPECT-SPLAT-BEGIN/,/^FAMFS-EXPECT-SPLAT-END/d' "$text" > "$rest"
	if grep -Eq "$SPLATS" "$rest"; then
		fail "$name: no kernel splat"
		grep -En -A12 "$SPLATS" "$rest" | sed -n '1,60s/^/    /p'
	else
		pass "$name: no kernel splat"
	fi
	rm -f "$text" "$rest" "$seen"
}

# The KUnit suites' results (the FAMFS-KUNIT: lines), parsed by kunit.py
# and held against the inventory of cases
judge_kunit() {
	local ktap=$OUT/kunit.ktap json=$OUT/kunit.json line
	sed -n 's/^FAMFS-KUNIT: //p' "$1" > "$ktap"
	rm -f "$json"
	python3 "$TREE/tools/testing/kunit/kunit.py" parse --json="$json" "$ktap" > "$OUT/kunit-parse.log" 2>&1
	while read -r line; do
		case "$line" in
		"PASS "*) pass "${line#PASS }" ;;
		"FAIL "*) fail "${line#FAIL }" ;;
		esac
	done < <(python3 "$FAMFS_TOP/branch/kunit-judge.py" "$json" "$FAMFS_TOP/branch/kunit-cases" module kunit-vm)
}

nonce=$(( ($(date +%s) % 100000) * 100 + RANDOM % 100 ))
case "$mode" in
selftest | compat | kunit | multidev)
	new_memory "$VM/pmem-$mode.img"
	[ "$mode" = compat ] || [ "$mode" = multidev ] && more_memory
	t=$(timeout_of $([ "$mode" = selftest ] && echo 2400 || echo 1200))
	start_vm "$mode" "$VM/pmem-$mode.img" 2 "$t" famfs_run=$mode famfs_nonce=$nonce
	wait_vms "$t"
	judge "$mode"
	rm -f "$VM/pmem-$mode.img" "${VM_PMEM_MORE[@]}"
	;;
races | failnth | fuzz)
	new_memory "$VM/pmem-$mode.img"
	more_memory
	t=$(timeout_of 1800)
	start_vm "$mode" "$VM/pmem-$mode.img" 2 "$t" famfs_run=$mode \
		famfs_scale=${FAMFS_STRESS_SCALE:-1} famfs_seed=${FAMFS_FUZZ_SEED:-1}
	wait_vms "$t"
	judge "$mode"
	rm -f "$VM/pmem-$mode.img" "${VM_PMEM_MORE[@]}"
	;;
twohost)
	flags="famfs_nonce=$nonce${demo:+ famfs_demo=1}"
	new_memory "$VM/pmem-shared.img"
	t=$(timeout_of 1200)
	start_vm hostA "$VM/pmem-shared.img" 1 "$t" famfs_run=hostA $flags
	start_vm hostB "$VM/pmem-shared.img" 1 "$t" famfs_run=hostB $flags
	wait_vms "$t"
	if [ -n "$demo" ]; then
		# the story, turn by turn
		grep -h '^famfs-demo: ' "$OUT/hostA.log" "$OUT/hostB.log" |
			tr -d '\r' | sed 's/^famfs-demo: //' | sort -s -n -k1,1 |
			cut -d' ' -f2-
	fi
	judge hostA
	judge hostB
	rm -f "$VM/pmem-shared.img"
	;;
bench)
	# icount: the single-task cases, on 1 vCPU (a second one would run
	# its tasks on the same clock); wall: the parallel cases, on 2
	VM_RAM=6G
	VM_PMEM2=$VM/pmem-xfs.img
	for bmode in ${FAMFS_BENCH_MODES:-icount wall}; do
		new_memory "$VM/pmem-bench.img"
		rm -f "$VM_PMEM2"
		truncate -s 2G "$VM_PMEM2"
		t=$(timeout_of 5400)
		smp=2
		VM_ICOUNT=
		if [ "$bmode" = icount ]; then
			smp=1
			VM_ICOUNT=1
		fi
		start_vm bench-$bmode "$VM/pmem-bench.img" $smp "$t" famfs_run=bench \
			famfs_bench_mode=$bmode famfs_runs=${FAMFS_BENCH_RUNS:-5} \
			${FAMFS_BENCH_CASES:+famfs_bench_cases=$FAMFS_BENCH_CASES}
		wait_vms "$t"
		rm -f "$VM/pmem-bench.img" "$VM_PMEM2"
		log=$OUT/bench-$bmode.log
		grep -q '^BENCH-DONE' "$log" && grep -q 'FAMFS-VM-END rc=0' "$log" ||
			{ tail -n 40 "$log"; die "the benchmark ($bmode) did not finish"; }
		tr -d '\r' < "$log" | grep -E '^(RESULT|FAULTS|BENCH-ENV) ' |
			sed "s/^/$bmode /"
	done
	exit 0
	;;
*)
	die "usage: $0 selftest | compat | multidev | kunit | races | failnth | fuzz | twohost [demo] | bench"
	;;
esac
echo "vm $mode: $passed passed, $failed failed"
[ $failed -eq 0 ]
