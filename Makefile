# famfs branch tooling. The kernel tree is not here: it is assembled in
# build/linux from Debian's linux-source-6.12 and our series.

.PHONY: all demo test series assemble clean

all: series

# Show famfs working: assemble, build and boot the KUnit kernel, and run
# the mount lifecycle suite against a mock dax device.
demo:
	@branch/demo.sh

# Every test and check; the last line is "N passed, N failed".
test:
	@branch/test.sh

# The branch as a git tree in build/linux, and the exported series in
# build/series.
series: assemble
	@branch/export.sh

assemble:
	@branch/assemble.sh

clean:
	rm -rf build
