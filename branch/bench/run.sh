#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: famfs against xfs-dax, tmpfs and the raw device, measured run
# by run in two boots of the benchmark VM (branch/vm/build.sh bench: an
# optimized kernel without debug options), one on an instruction-counting
# clock and one on wall time (branch/vm/run.sh bench). Writes
# bench/results.md (the tables, with the kernel, qemu and CPU they ran on)
# and bench/bench.png, and prints the tables. FAMFS_BENCH_RUNS sets the
# runs per figure (default 5).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

out=$FAMFS_TOP/bench
mkdir -p "$out"
"$FAMFS_TOP/branch/deps.sh" bench
"$FAMFS_TOP/branch/assemble.sh"
"$FAMFS_TOP/branch/vm/build.sh" bench
say "running the benchmarks (qemu, TCG, two boots: about 10 minutes)"
raw=$BUILD/vm/run/bench-results.txt
mkdir -p "$(dirname "$raw")"
"$FAMFS_TOP/branch/vm/run.sh" bench > "$raw"
python3 "$FAMFS_TOP/branch/bench/report.py" "$raw" "$out" \
	"$(qemu-system-x86_64 --version | sed -n 1p)" \
	"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
cat "$out/results.md"
