#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Show famfs doing what it is for: two hosts sharing memory. Assemble the
# branch, build the VM kernel (famfs as a module) and boot two qemu VMs whose
# emulated persistent memory is the same host file. Host A turns it into
# /dev/dax0.0, mounts famfs, creates files with their memory and writes
# them; host B mounts the same device, creates the same files with the same
# memory, reads what A wrote and answers; A reads the answer.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$FAMFS_TOP/branch/deps.sh" demo
"$FAMFS_TOP/branch/assemble.sh"
"$FAMFS_TOP/branch/vm/build.sh"
say "booting host A and host B on one memory file (qemu, TCG: about a minute)"
"$FAMFS_TOP/branch/vm/run.sh" twohost demo
