// SPDX-License-Identifier: GPL-2.0
/*
 * famfs_bench: famfs against xfs-dax, tmpfs and the raw device, in one
 * boot, run by run. Runs as root in the benchmark VM (branch/bench/run.sh).
 *
 *   famfs_bench icount|wall DEV FAMFS_MNT TMPFS_MNT XFS_MNT RUNS [CASE...]
 *
 * "icount" runs the single-task cases (mmap, rw, touch, interleave, meta),
 * for a VM whose clock counts instructions; "wall" the parallel one
 * (writers), for a VM on wall time. CASE names some of them only.
 *
 * DEV is a device-dax instance of 5 GiB or more, not mounted; FAMFS_MNT and
 * TMPFS_MNT are empty directories (famfs_bench mounts there itself);
 * XFS_MNT is xfs with dax=always, mounted, with 1.5 GiB free. Every figure
 * is measured RUNS times; within a run the targets take turns, in an order
 * that rotates from run to run, so that no target always runs first. Each
 * figure is printed as one line:
 *
 *   RESULT <group> <case> <target> <unit> <value> <value>...
 *
 * plus a "FAULTS" line with the fault counts of one famfs first touch.
 * The host turns them into the tables (branch/bench/report.py).
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <time.h>
#include "../../tools/testing/selftests/filesystems/famfs/famfs_util.h"

#define M2		FAMFS_M2
#define G1		FAMFS_G1
#define TRACEFS		"/sys/kernel/tracing"
#define MAX_RUNS	16

enum { FAMFS, XFS, TMPFS, RAW, NR_TARGETS };
#define ALL	((1U << NR_TARGETS) - 1)
#define FILES	(ALL & ~(1U << RAW))

static const char * const tname[NR_TARGETS] = {
	"famfs", "xfs-dax", "tmpfs", "raw"
};
static const char *dev, *mnt[NR_TARGETS];
static int runs;

/* Device offsets: the data files, first touch, interleaved files */
#define BIG_OFF		G1
#define TOUCH_OFF	(3 * G1)
#define STRIP_OFF	(2 * G1)

static void die(const char *what)
{
	fprintf(stderr, "famfs_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void result(const char *group, const char *name, const char *target,
		   const char *unit, const double *v)
{
	int i;

	printf("RESULT %s %s %s %s", group, name, target, unit);
	for (i = 0; i < runs; i++)
		printf(" %.6g", v[i]);
	printf("\n");
	fflush(stdout);
}

/*
 * One figure for the targets in @mask: @one(target, run, arg) measures one
 * run of one target. Run by run the targets take turns, each run starting
 * with the next one. With no @name, @one keeps its figures itself.
 */
static void compare(const char *group, const char *name, const char *unit,
		    unsigned int mask,
		    double (*one)(int target, int run, const void *arg),
		    const void *arg)
{
	static double v[NR_TARGETS][MAX_RUNS];
	int i, j, k;

	for (i = 0; i < runs; i++) {
		for (j = 0; j < NR_TARGETS; j++) {
			k = (i + j) % NR_TARGETS;
			if (mask & (1U << k))
				v[k][i] = one(k, i, arg);
		}
	}
	for (k = 0; k < NR_TARGETS && name; k++)
		if (mask & (1U << k))
			result(group, name, tname[k], unit, v[k]);
}

static char *path(int target, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", mnt[target], name) < 0)
		die("asprintf");
	return p;
}

static void mount_famfs(void)
{
	if (mount(dev, mnt[FAMFS], "famfs", MS_NOATIME, ""))
		die("mount famfs");
}

/* Huge pages for data; not for small files, where they cost 2 MiB each */
static void mount_tmpfs(bool huge)
{
	if (mount("tmpfs", mnt[TMPFS], "tmpfs", MS_NOATIME,
		  huge ? "huge=always,size=3g" : "huge=never,size=3g"))
		die("mount tmpfs");
}

static void unmount(int target)
{
	if (umount(mnt[target]))
		die("umount");
}

static void *map_fd(int fd, uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static void *raw_map(uint64_t off, uint64_t size)
{
	void *p = famfs_dev_mmap(dev, off, size);

	if (p == MAP_FAILED)
		die("mmap dax");
	return p;
}

/* Every byte of a file written once, in 2 MiB pieces */
static void fill(int fd, uint64_t size)
{
	static char buf[M2];
	uint64_t pos;

	memset(buf, 0x5a, sizeof(buf));
	for (pos = 0; pos < size; pos += M2)
		if (pwrite(fd, buf, M2, pos) != M2)
			die("pwrite (fill)");
	if (fsync(fd))
		die("fsync");
}

/*
 * A data file of @size bytes on @target, ready as famfs' files are when
 * user space has replayed its log: famfs maps it at device offset @off;
 * xfs preallocates it. Each is written once, untimed: then no timed run
 * allocates or converts an xfs extent or a tmpfs page, nor makes the host
 * allocate the memory behind an emulated NVDIMM (a sparse file).
 */
static int data_file(int target, const char *name, uint64_t size, uint64_t off)
{
	char *f = path(target, name);
	int fd;

	unlink(f);
	if (target == FAMFS) {
		fd = famfs_create_mapped(f, size, off);
		errno = fd < 0 ? -fd : 0;
	} else {
		fd = open(f, O_RDWR | O_CREAT | O_EXCL, 0644);
		if (fd >= 0 && target == XFS && fallocate(fd, 0, 0, size))
			fd = -1;
		if (fd >= 0 && ftruncate(fd, size))
			fd = -1;
	}
	if (fd < 0)
		die(f);
	fill(fd, size);
	free(f);
	return fd;
}

/* The 1 GiB data file of each target, open and mapped */
static int big_fd[NR_TARGETS];
static char *big[NR_TARGETS];

static void big_files(bool make)
{
	int k;

	for (k = 0; k < NR_TARGETS; k++) {
		if (!make) {
			munmap(big[k], G1);
			if (k != RAW)
				close(big_fd[k]);
			continue;
		}
		if (k == RAW) {
			big[k] = raw_map(BIG_OFF, G1);
			continue;
		}
		big_fd[k] = data_file(k, "big", G1, BIG_OFF);
		big[k] = map_fd(big_fd[k], G1);
	}
}

/* Loads and stores of the same kind for every target */
static uint64_t sink;

static void read_all(const void *p, size_t len)
{
	const uint64_t *w = p;
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < len / 8; i += 4)
		s += w[i] ^ w[i + 1] ^ w[i + 2] ^ w[i + 3];
	sink += s;
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* 1. the mapping, once faulted: the same pages and PMDs for all */
struct mmap_case {
	bool write, random;
};

static double mmap_one(int k, int run, const void *arg)
{
	const struct mmap_case *c = arg;
	const unsigned long ops = 50000;
	static char buf[4096];
	uint64_t x = 88172645463325252ULL;
	unsigned long n;
	double t;

	t = now();
	if (c->random) {
		for (n = 0; n < ops; n++) {
			memcpy(buf, big[k] + (xorshift(&x) % (G1 / 4096)) * 4096,
			       4096);
			sink += buf[n & 4095];
		}
		return ops / (now() - t) / 1000;
	}
	if (c->write)
		memset(big[k], 0x30 + run, G1);
	else
		read_all(big[k], G1);
	return G1 / (now() - t) / G1;
}

static void bench_mmap(void)
{
	static const struct mmap_case rd = { false, false }, wr = { true, false },
				      rnd = { false, true };
	int k;

	for (k = 0; k < NR_TARGETS; k++)
		memset(big[k], 1, G1);		/* fault everything in */
	compare("mmap", "seq-read-1g", "GiB/s", ALL, mmap_one, &rd);
	compare("mmap", "seq-write-1g", "GiB/s", ALL, mmap_one, &wr);
	compare("mmap", "rand-read-4k", "kops/s", ALL, mmap_one, &rnd);
}

/*
 * 2. read(2) and write(2) of @bs bytes at a time, sequential or at random
 * @bs-aligned offsets of the 1 GiB file; for the raw device, memcpy from or
 * to its mapping. 1 byte gives the fixed cost of a call (ns per call),
 * larger sizes a rate.
 */
struct rw_case {
	bool write, random;
	size_t bs;
	unsigned long ops;
};

static double rw_one(int k, int run, const void *arg)
{
	const struct rw_case *c = arg;
	static char buf[1 << 16] __attribute__((aligned(4096)));
	uint64_t x = 88172645463325252ULL, pos = 0;
	unsigned long n;
	double t;

	memset(buf, 0x40 + run, c->bs);
	t = now();
	for (n = 0; n < c->ops; n++) {
		if (c->random)
			pos = (xorshift(&x) % (G1 / c->bs)) * c->bs;
		if (k == RAW && c->write)
			memcpy(big[k] + pos, buf, c->bs);
		else if (k == RAW)
			memcpy(buf, big[k] + pos, c->bs);
		else if (c->write && pwrite(big_fd[k], buf, c->bs, pos) != (ssize_t)c->bs)
			die("pwrite");
		else if (!c->write && pread(big_fd[k], buf, c->bs, pos) != (ssize_t)c->bs)
			die("pread");
		if (!c->random)
			pos = (pos + c->bs) % G1;
	}
	t = now() - t;
	sink += buf[0];
	if (c->bs == 1)
		return t / c->ops * 1e9;
	return c->ops * c->bs / t / G1;
}

static void bench_rw(void)
{
	static const size_t sizes[] = { 1, 4096, 65536 };
	struct rw_case c;
	unsigned int s, w, r;
	char name[32];

	for (s = 0; s < 3; s++) {
		for (r = 0; r < 2; r++) {
			for (w = 0; w < 2; w++) {
				c.write = w;
				c.random = r;
				c.bs = sizes[s];
				c.ops = sizes[s] == 65536 ? 4096 : 20000;
				if (sizes[s] == 1)
					snprintf(name, sizeof(name), "%s-%s-1b",
						 w ? "write" : "read", r ? "rand" : "seq");
				else
					snprintf(name, sizeof(name), "%s-%s-%zuk",
						 w ? "write" : "read", r ? "rand" : "seq",
						 sizes[s] >> 10);
				compare("rw", name, sizes[s] == 1 ? "ns/call" : "GiB/s",
					ALL, rw_one, &c);
			}
		}
	}
}

/* fs_dax fault counts from the tracepoints */
static int trace_write(const char *file, const char *s)
{
	char p[128];
	int fd, n;

	snprintf(p, sizeof(p), TRACEFS "/%s", file);
	fd = open(p, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (int)strlen(s) ? 0 : -1;
}

static void trace_on(int on)
{
	const char *v = on ? "1" : "0";

	if (on)
		trace_write("trace", "");
	trace_write("events/fs_dax/dax_pmd_fault_done/enable", v);
	trace_write("events/fs_dax/dax_pte_fault_done/enable", v);
	trace_write("tracing_on", v);
}

static void trace_count(unsigned long *pmd, unsigned long *pte)
{
	char line[512];
	FILE *f;

	*pmd = *pte = 0;
	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "dax_pmd_fault_done:") && strstr(line, "NOPAGE"))
			(*pmd)++;
		else if (strstr(line, "dax_pte_fault_done:"))
			(*pte)++;
	}
	fclose(f);
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* A store per 4 KiB of @len bytes: ms, and the faults taken in *@flt */
static double touch(char *p, uint64_t len, double *flt)
{
	long f0 = minflt();
	uint64_t pos;
	double t;

	t = now();
	for (pos = 0; pos < len; pos += 4096)
		p[pos] = 1;
	t = now() - t;
	if (flt)
		*flt = minflt() - f0;
	return t * 1000;
}

/*
 * 3. first touch of 1 GiB: a new file every run (famfs: created and mapped;
 * xfs: preallocated and written; tmpfs: empty, its pages come with the
 * faults), or a new mapping of the device.
 */
static double touch_faults[NR_TARGETS][MAX_RUNS];

static double touch_one(int k, int run, const void *arg)
{
	double ms;
	char *p;
	int fd = -1;

	if (k == RAW) {
		p = raw_map(TOUCH_OFF, G1);
	} else if (k == TMPFS) {
		char *f = path(k, "touch");

		unlink(f);
		fd = open(f, O_RDWR | O_CREAT | O_EXCL, 0644);
		if (fd < 0 || ftruncate(fd, G1))
			die(f);
		free(f);
		p = map_fd(fd, G1);
	} else {
		fd = data_file(k, "touch", G1, TOUCH_OFF);
		p = map_fd(fd, G1);
	}
	ms = touch(p, G1, &touch_faults[k][run]);
	munmap(p, G1);
	if (fd >= 0)
		close(fd);
	return ms;
}

static void bench_touch(void)
{
	unsigned long pmd, pte;
	double ms;
	char *p;
	int k, fd;

	/*
	 * The host backs the emulated memory with a sparse file: have it
	 * allocate the range first, or the first run measures the host.
	 */
	p = raw_map(TOUCH_OFF, G1);
	memset(p, 0, G1);
	munmap(p, G1);

	compare("touch", "first-touch-1g", "ms", ALL, touch_one, NULL);
	for (k = 0; k < NR_TARGETS; k++)
		result("touch", "faults-per-gib", tname[k], "faults",
		       touch_faults[k]);

	/* the fault sizes, in one more famfs run: tracing slows the faults */
	fd = data_file(FAMFS, "touch", G1, TOUCH_OFF);
	p = map_fd(fd, G1);
	trace_on(1);
	ms = touch(p, G1, NULL);
	trace_on(0);
	trace_count(&pmd, &pte);
	munmap(p, G1);
	close(fd);
	printf("FAULTS famfs pmd %lu pte %lu ms %.1f\n", pmd, pte, ms);
}

/*
 * 4. first touch of an interleaved file of 256 MiB in 2 MiB chunks, 1, 4
 * or 16 strips, against a simple extent: a new file every run.
 */
static double strips_one(int k, int run, const void *arg)
{
	const uint64_t size = 256ULL << 20;
	unsigned int strips = *(const unsigned int *)arg, s;
	char *f = path(FAMFS, "strips");
	uint64_t off[16];
	double ms;
	char *p;
	int fd;

	unlink(f);
	if (!strips) {
		fd = famfs_create_mapped(f, size, STRIP_OFF);
		errno = fd < 0 ? -fd : 0;
	} else {
		for (s = 0; s < strips; s++)
			off[s] = STRIP_OFF + s * (size / strips + 4 * M2);
		fd = open(f, O_RDWR | O_CREAT | O_EXCL, 0644);
		if (fd >= 0) {
			errno = -famfs_map_interleaved(fd, size, M2, strips, off,
						       size / strips);
			if (errno)
				fd = -1;
		}
	}
	if (fd < 0)
		die(f);
	free(f);
	p = map_fd(fd, size);
	ms = touch(p, size, NULL);
	munmap(p, size);
	close(fd);
	return ms;
}

static void bench_interleave(void)
{
	static const unsigned int strips[] = { 0, 1, 4, 16 };
	char name[32];
	unsigned int s;

	for (s = 0; s < 4; s++) {
		if (strips[s])
			snprintf(name, sizeof(name), "touch-%u-strips", strips[s]);
		else
			snprintf(name, sizeof(name), "touch-simple");
		compare("interleave", name, "ms", 1U << FAMFS, strips_one,
			&strips[s]);
	}
}

/* Slab memory in bytes, with the per-CPU counters folded in */
static double slab_bytes(void)
{
	char line[256];
	double kb = -1;
	FILE *f;
	int fd;

	fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1)
		die("stat_refresh");
	close(fd);
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %lf kB", &kb) == 1)
			break;
	fclose(f);
	if (kb < 0)
		die("no Slab in /proc/meminfo");
	return kb * 1024;
}

/*
 * 5. metadata: @n files in a new directory, as famfs user space replays
 * its log (famfs: create, then map; the files share 512 extents of the
 * device), against tmpfs files with no data. Microseconds per file, the
 * slab memory each file costs, and the umount that frees them.
 */
struct meta_case {
	unsigned long n;
	int what;	/* 0: create, 1: memory, 2: umount */
};

static double meta_figure[NR_TARGETS][3][MAX_RUNS];

static double meta_one(int k, int run, const void *arg)
{
	const struct meta_case *c = arg;
	char name[64], *d;
	double t, slab;
	unsigned long i;
	int fd;

	if (k == FAMFS)
		mount_famfs();
	else
		mount_tmpfs(false);
	d = path(k, "d");
	if (mkdir(d, 0755))
		die("mkdir");
	free(d);
	slab = slab_bytes();
	t = now();
	for (i = 0; i < c->n; i++) {
		char *f;

		snprintf(name, sizeof(name), "d/f%lu", i);
		f = path(k, name);
		if (k == FAMFS) {
			fd = famfs_create_mapped(f, 4096, BIG_OFF + (i % 512) * M2);
			errno = fd < 0 ? -fd : 0;
		} else {
			fd = open(f, O_RDWR | O_CREAT | O_EXCL, 0644);
		}
		if (fd < 0)
			die(f);
		close(fd);
		free(f);
	}
	t = now() - t;
	meta_figure[k][0][run] = t / c->n * 1e6;
	meta_figure[k][1][run] = (slab_bytes() - slab) / c->n;
	t = now();
	unmount(k);
	meta_figure[k][2][run] = (now() - t) * 1000;
	return 0;
}

static void bench_meta(unsigned long n)
{
	const unsigned int both = 1U << FAMFS | 1U << TMPFS;
	struct meta_case c = { .n = n };
	char name[64];
	int k;

	compare("meta", NULL, NULL, both, meta_one, &c);
	for (k = 0; k < NR_TARGETS; k++) {
		if (!(both & (1U << k)))
			continue;
		snprintf(name, sizeof(name), "create-%lu", n);
		result("meta", name, tname[k], "us/file", meta_figure[k][0]);
		/*
		 * A thousand files fit in the per-CPU slabs and in the
		 * partial slabs that earlier runs freed: their figure would
		 * be that noise.
		 */
		snprintf(name, sizeof(name), "slab-per-file-%lu", n);
		if (n >= 10000)
			result("meta", name, tname[k], "bytes", meta_figure[k][1]);
		snprintf(name, sizeof(name), "umount-%lu", n);
		result("meta", name, tname[k], "ms", meta_figure[k][2]);
	}
}

/*
 * 6. (wall time) writers to disjoint halves of one 512 MiB file, 64 KiB
 * write(2) calls, eight passes over the half: one writer, and two at once.
 * GiB/s of all writers together; in each run one and two writers take
 * turns at going first.
 */
#define WR_SIZE		(512ULL << 20)
#define WR_BS		(64 << 10)
#define WR_PASSES	8

static int wr_fd[NR_TARGETS];
static double wr_figure[NR_TARGETS][2][MAX_RUNS];

static void writer(int fd, uint64_t from, uint64_t len, int go)
{
	static char buf[WR_BS];
	uint64_t pos;
	char c;
	int i;

	memset(buf, 0x77, sizeof(buf));
	if (read(go, &c, 1) != 1)
		_exit(1);
	for (i = 0; i < WR_PASSES; i++)
		for (pos = from; pos < from + len; pos += WR_BS)
			if (pwrite(fd, buf, WR_BS, pos) != WR_BS)
				_exit(2);
	_exit(0);
}

static double writers_rate(int k, unsigned int n)
{
	const uint64_t len = WR_SIZE / 2;
	int go[2], status, bad = 0;
	unsigned int i;
	pid_t pid[2];
	double t;

	if (pipe(go))
		die("pipe");
	for (i = 0; i < n; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			die("fork");
		if (!pid[i]) {
			close(go[1]);
			writer(wr_fd[k], i * len, len, go[0]);
		}
	}
	close(go[0]);
	t = now();
	if (write(go[1], "gg", n) != (ssize_t)n)
		die("write (go)");
	for (i = 0; i < n; i++)
		if (waitpid(pid[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			bad = 1;
	t = now() - t;
	close(go[1]);
	if (bad) {
		errno = EIO;
		die("writer");
	}
	return (double)n * len * WR_PASSES / t / G1;
}

static double writers_one(int k, int run, const void *arg)
{
	int first = run % 2;

	wr_figure[k][first][run] = writers_rate(k, first + 1);
	wr_figure[k][!first][run] = writers_rate(k, 2 - first);
	return 0;
}

static void bench_writers(void)
{
	const unsigned int both = 1U << FAMFS | 1U << XFS;
	int k;

	mount_famfs();
	wr_fd[FAMFS] = data_file(FAMFS, "writers", WR_SIZE, BIG_OFF);
	wr_fd[XFS] = data_file(XFS, "writers", WR_SIZE, 0);
	compare("writers", NULL, NULL, both, writers_one, NULL);
	for (k = 0; k < NR_TARGETS; k++) {
		if (!(both & (1U << k)))
			continue;
		result("writers", "one-writer", tname[k], "GiB/s", wr_figure[k][0]);
		result("writers", "two-writers", tname[k], "GiB/s", wr_figure[k][1]);
	}
	close(wr_fd[FAMFS]);
	close(wr_fd[XFS]);
	unlink(path(XFS, "writers"));
	unmount(FAMFS);
}

static bool wanted(int argc, char **argv, const char *name)
{
	int i;

	if (argc == 7)
		return true;
	for (i = 7; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	bool icount;

	if (argc < 7 || (strcmp(argv[1], "icount") && strcmp(argv[1], "wall"))) {
		fprintf(stderr, "usage: famfs_bench icount|wall DEV FAMFS_MNT TMPFS_MNT XFS_MNT RUNS [CASE...]\n");
		return 2;
	}
	icount = !strcmp(argv[1], "icount");
	dev = argv[2];
	mnt[FAMFS] = argv[3];
	mnt[TMPFS] = argv[4];
	mnt[XFS] = argv[5];
	runs = atoi(argv[6]);
	if (runs < 1 || runs > MAX_RUNS)
		runs = 5;

	if (!icount) {
		if (wanted(argc, argv, "writers"))
			bench_writers();
		printf("BENCH-DONE %llu\n", (unsigned long long)sink & 1);
		return 0;
	}

	if (wanted(argc, argv, "mmap") || wanted(argc, argv, "rw")) {
		mount_famfs();
		mount_tmpfs(true);
		big_files(true);
		if (wanted(argc, argv, "mmap"))
			bench_mmap();
		if (wanted(argc, argv, "rw"))
			bench_rw();
		big_files(false);
		unlink(path(XFS, "big"));
		unmount(FAMFS);
		unmount(TMPFS);
	}
	if (wanted(argc, argv, "touch")) {
		mount_famfs();
		mount_tmpfs(true);
		bench_touch();
		unlink(path(XFS, "touch"));
		unmount(FAMFS);
		unmount(TMPFS);
	}
	if (wanted(argc, argv, "interleave")) {
		mount_famfs();
		bench_interleave();
		unmount(FAMFS);
	}
	if (wanted(argc, argv, "meta")) {
		bench_meta(1000);
		bench_meta(10000);
		bench_meta(100000);
	}
	printf("BENCH-DONE %llu\n", (unsigned long long)sink & 1);
	return 0;
}
