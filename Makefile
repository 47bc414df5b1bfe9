# famfs branch tooling. The kernel tree is not here: it is assembled in
# build/linux from Debian's linux-source-6.12 and our series.

.PHONY: all demo test vm-test bench series assemble clean

all: series

# Show famfs working: two VMs share one memory; host A writes a file
# through famfs, host B reads it through famfs and answers.
demo:
	@branch/demo.sh

# Every test and check; the last line is "N passed, N failed".
test:
	@branch/test.sh

# Only the VM part of the tests: the famfs kselftest on a real devdax
# device, the KUnit suites as a module and the two-host test (the branch
# must be assembled).
vm-test:
	@branch/vm/build.sh && branch/vm/run.sh selftest && branch/vm/run.sh kunit && \
		branch/vm/run.sh twohost

# famfs against the raw device, tmpfs and xfs-dax, in one VM boot: writes
# bench/results.md and bench/bench.png. Not part of the tests.
bench:
	@branch/bench/run.sh

# The branch as a git tree in build/linux, and the exported series in
# build/series, signed off by you (git config user.name and user.email):
# send it with git send-email build/series/*.patch.
series:
	@FAMFS_SENDER=1 branch/assemble.sh && FAMFS_SENDER=1 branch/export.sh

assemble:
	@branch/assemble.sh

clean:
	rm -rf build
