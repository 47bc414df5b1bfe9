#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the famfs debug kernel (branch/vm/build.sh) in qemu with an emulated
# persistent-memory device, and judge the run from the guest's console.
#
#   run.sh selftest         the famfs kselftest in one VM
#   run.sh twohost [demo]   two VMs on one memory file: host A writes, host B
#                           reads and answers, host A reads the answer
#   run.sh bench            the benchmarks, on the benchmark kernel
#                           (build.sh bench); console in $OUT/bench.log
#
# Prints "PASS name" / "FAIL name" per case and check (kselftest results,
# the guest's own checks, no kernel splat, kmemleak) and exits non-zero on
# any failure. qemu runs under TCG; FAMFS_KVM=1 asks for KVM.
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

# start_vm NAME MEMFILE SMP ARGS...: boot in the background, console to
# $OUT/NAME.log
start_vm() {
	local name=$1 mem=$2 smp=$3 accel=(-accel tcg)
	shift 3
	if [ "${FAMFS_KVM:-0}" = 1 ]; then
		accel=(-accel kvm -cpu host)
	fi
	local second=()
	if [ -n "$VM_PMEM2" ]; then
		second=(-object memory-backend-file,id=mem2,share=on,mem-path="$VM_PMEM2",size=2G,align=2M
			-device nvdimm,memdev=mem2,id=nv2)
	fi
	rm -f "$OUT/$name.log"
	qemu-system-x86_64 "${accel[@]}" \
		-machine pc,nvdimm=on -smp "$smp" \
		-m "$VM_RAM",slots=4,maxmem=16G \
		-object memory-backend-file,id=mem1,share=on,mem-path="$mem",size=5G,align=2M \
		-device nvdimm,memdev=mem1,id=nv1 "${second[@]}" \
		-kernel "$VM/bzImage$suffix" -initrd "$VM/initramfs$suffix.cpio" \
		-append "console=ttyS0 panic=-1 oops=panic panic_on_warn=1 kasan.fault=panic loglevel=6 $*" \
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
SPLATS='WARNING:|BUG:|Oops|KASAN|unreferenced object|possible recursive locking|circular locking|inconsistent lock state|suspicious RCU|Call Trace|Kernel panic|general protection|INFO: task .* blocked'

judge() {
	local name=$1 log=$OUT/$1.log
	# kselftest cases (TAP) and the guest's own checks
	while read -r line; do
		case "$line" in
		"ok "*"# SKIP"*) fail "$name: ${line#ok } (a skip is a failure)" ;;
		"ok "*) pass "$name: ${line#ok [0-9]* }" ;;
		"not ok "*) fail "$name: ${line#not ok [0-9]* }" ;;
		"FAMFS-CHECK: PASS "*) pass "$name: ${line#FAMFS-CHECK: PASS }" ;;
		"FAMFS-CHECK: FAIL "*) fail "$name: ${line#FAMFS-CHECK: FAIL }" ;;
		esac
	done < <(tr -d '\r' < "$log" | sed 's/^\[ *[0-9.]*\] //')
	if grep -q "FAMFS-VM-END rc=0" "$log"; then
		pass "$name: the guest finished its run"
	else
		fail "$name: the guest finished its run"
		tail -n 30 "$log" | sed 's/^/    /'
	fi
	if grep -Eq "$SPLATS" "$log"; then
		fail "$name: no kernel splat"
		grep -En -A12 "$SPLATS" "$log" | head -n 60 | sed 's/^/    /'
	else
		pass "$name: no kernel splat"
	fi
}

nonce=$(( ($(date +%s) % 100000) * 100 + RANDOM % 100 ))
case "$mode" in
selftest)
	new_memory "$VM/pmem-selftest.img"
	start_vm selftest "$VM/pmem-selftest.img" 2 famfs_run=selftest famfs_nonce=$nonce
	wait_vms "${FAMFS_VM_TIMEOUT:-2400}"
	judge selftest
	rm -f "$VM/pmem-selftest.img"
	;;
twohost)
	flags="famfs_nonce=$nonce${demo:+ famfs_demo=1}"
	new_memory "$VM/pmem-shared.img"
	start_vm hostA "$VM/pmem-shared.img" 1 famfs_run=hostA $flags
	start_vm hostB "$VM/pmem-shared.img" 1 famfs_run=hostB $flags
	wait_vms "${FAMFS_VM_TIMEOUT:-1200}"
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
	VM_RAM=6G
	VM_PMEM2=$VM/pmem-xfs.img
	new_memory "$VM/pmem-bench.img"
	rm -f "$VM_PMEM2"
	truncate -s 2G "$VM_PMEM2"
	start_vm bench "$VM/pmem-bench.img" 2 famfs_run=bench famfs_runs=${FAMFS_BENCH_RUNS:-5}
	wait_vms "${FAMFS_VM_TIMEOUT:-5400}"
	rm -f "$VM/pmem-bench.img" "$VM_PMEM2"
	grep -q '^BENCH-DONE' "$OUT/bench.log" && grep -q 'FAMFS-VM-END rc=0' "$OUT/bench.log" ||
		{ tail -n 40 "$OUT/bench.log"; die "the benchmark did not finish"; }
	tr -d '\r' < "$OUT/bench.log" | grep -E '^(RESULT|FAULTS|BENCH-ENV) '
	exit 0
	;;
*)
	die "usage: $0 selftest | twohost [demo] | bench"
	;;
esac
echo "vm $mode: $passed passed, $failed failed"
[ $failed -eq 0 ]
