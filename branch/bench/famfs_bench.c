// SPDX-License-Identifier: GPL-2.0
/*
 * famfs_bench: famfs against the memory under it and against tmpfs, in one
 * boot, side by side. Runs as root in the benchmark VM (branch/bench/run.sh).
 *
 *   famfs_bench DEV FAMFS_MNT TMPFS_MNT RUNS
 *
 * DEV is a device-dax instance of 5 GiB or more, not mounted; FAMFS_MNT and
 * TMPFS_MNT are empty directories (famfs_bench mounts there itself; tmpfs
 * with huge=always). Every measurement is repeated RUNS times and printed
 * as one line:
 *
 *   RESULT <group> <case> <target> <unit> <value> <value>...
 *
 * plus "FAULTS" lines with the fault counts of first touches. The host
 * turns them into the table (min/median/max, ratios against the peers).
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

static const char *dev, *fmnt, *tmnt;
static int runs;

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
		printf(" %.4f", v[i]);
	printf("\n");
	fflush(stdout);
}

static char *path(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		die("asprintf");
	return p;
}

static void mount_famfs(void)
{
	if (mount(dev, fmnt, "famfs", MS_NOATIME, ""))
		die("mount famfs");
}

/* Huge pages for data; not for small files, where they cost 2 MiB each */
static void mount_tmpfs(bool huge)
{
	if (mount("tmpfs", tmnt, "tmpfs", 0,
		  huge ? "huge=always,size=3g" : "huge=never,size=3g"))
		die("mount tmpfs");
}

/* Map @fd shared; keep it open in *@fdp, or close it */
static void *map_fd(int fd, uint64_t size, int *fdp)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap");
	if (fdp)
		*fdp = fd;
	else
		close(fd);
	return p;
}

/* A famfs file of @size bytes at device offset @off, mapped shared */
static void *famfs_file(const char *name, uint64_t size, uint64_t off, int *fdp)
{
	char *f = path(fmnt, name);
	int fd;

	fd = famfs_create_mapped(f, size, off);
	if (fd < 0) {
		errno = -fd;
		die(f);
	}
	free(f);
	return map_fd(fd, size, fdp);
}

static void *tmpfs_file(const char *name, uint64_t size, int *fdp)
{
	char *f = path(tmnt, name);
	int fd;

	fd = open(f, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, size))
		die(f);
	free(f);
	return map_fd(fd, size, fdp);
}

static void *raw_map(uint64_t off, uint64_t size)
{
	void *p = famfs_dev_mmap(dev, off, size);

	if (p == MAP_FAILED)
		die("mmap dax");
	return p;
}

/* Bandwidth kernels: the same loops for every target */
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

static void write_all(void *p, size_t len, int run)
{
	memset(p, 0x30 + run, len);
}

static double gibps(uint64_t bytes, double secs)
{
	return bytes / secs / G1;
}

/* Sequential read and write of a faulted mapping, each run timed */
static void seq_bandwidth(void *p, uint64_t len, double *rd, double *wr)
{
	double t;
	int i;

	write_all(p, len, 0);		/* fault everything in first */
	for (i = 0; i < runs; i++) {
		t = now();
		read_all(p, len);
		rd[i] = gibps(len, now() - t);
		t = now();
		write_all(p, len, i);
		wr[i] = gibps(len, now() - t);
	}
}

/* 1. sequential bandwidth through mmap, with the mapping already faulted */
static void bench_mmap(const char *target, void *p, uint64_t len)
{
	double rd[MAX_RUNS], wr[MAX_RUNS];

	seq_bandwidth(p, len, rd, wr);
	result("mmap", "seq-read-1g", target, "GiB/s", rd);
	result("mmap", "seq-write-1g", target, "GiB/s", wr);
}

/* 2. read(2)/write(2) of a whole file in @bs pieces */
static void bench_rw(const char *target, int fd, uint64_t len, size_t bs,
		     void *raw)
{
	double rd[MAX_RUNS], wr[MAX_RUNS], t;
	char name[32];
	uint64_t pos;
	void *buf;
	int i;

	if (posix_memalign(&buf, 4096, bs))
		die("posix_memalign");
	memset(buf, 0x5a, bs);
	for (i = 0; i < runs; i++) {
		t = now();
		for (pos = 0; pos < len; pos += bs) {
			if (raw)
				memcpy(buf, (char *)raw + pos, bs);
			else if (pread(fd, buf, bs, pos) != (ssize_t)bs)
				die("pread");
		}
		rd[i] = gibps(len, now() - t);
		t = now();
		for (pos = 0; pos < len; pos += bs) {
			if (raw)
				memcpy((char *)raw + pos, buf, bs);
			else if (pwrite(fd, buf, bs, pos) != (ssize_t)bs)
				die("pwrite");
		}
		wr[i] = gibps(len, now() - t);
	}
	snprintf(name, sizeof(name), "read-%zuk", bs >> 10);
	result("rw", name, target, "GiB/s", rd);
	snprintf(name, sizeof(name), "write-%zuk", bs >> 10);
	result("rw", name, target, "GiB/s", wr);
	free(buf);
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

/* Map the first-touch target @k afresh: famfs, raw device or tmpfs */
static char *touch_map(unsigned int k, int *fd)
{
	char *p, *f;

	*fd = -1;
	if (k == 1)
		return famfs_dev_mmap(dev, 3 * G1, G1);
	if (k == 2)
		return tmpfs_file("touch", G1, fd);
	f = path(fmnt, "touch");
	*fd = open(f, O_RDWR);
	if (*fd < 0)
		die(f);
	free(f);
	p = mmap(NULL, G1, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	return p;
}

static void touch_unmap(unsigned int k, char *p, int fd)
{
	munmap(p, G1);
	if (fd >= 0)
		close(fd);
	if (k == 2)
		unlink(path(tmnt, "touch"));
}

/*
 * 3. first touch of a fresh 1 GiB mapping: time and faults taken. The
 * fs_dax tracepoints count famfs' faults by size in one more, untimed run:
 * tracing would slow the timed ones.
 */
static void bench_first_touch(void)
{
	static const char * const targets[] = { "famfs", "raw", "tmpfs" };
	unsigned long pmd = 0, pte = 0;
	double ms[MAX_RUNS], flt[MAX_RUNS], t;
	unsigned int k;
	uint64_t pos;
	int i, fd;
	char *p;

	for (k = 0; k < 3; k++) {
		for (i = 0; i < runs; i++) {
			long f0;

			p = touch_map(k, &fd);
			if (p == MAP_FAILED)
				die("mmap");
			f0 = minflt();
			t = now();
			for (pos = 0; pos < G1; pos += 4096)
				p[pos] = 1;
			ms[i] = (now() - t) * 1000;
			flt[i] = minflt() - f0;
			touch_unmap(k, p, fd);
		}
		result("touch", "first-touch-1g", targets[k], "ms", ms);
		result("touch", "faults-per-gib", targets[k], "faults", flt);
	}
	p = touch_map(0, &fd);
	if (p == MAP_FAILED)
		die("mmap");
	trace_on(1);
	for (pos = 0; pos < G1; pos += 4096)
		p[pos] = 1;
	trace_on(0);
	trace_count(&pmd, &pte);
	touch_unmap(0, p, fd);
	printf("FAULTS famfs pmd %lu pte %lu\n", pmd, pte);
}

/* 4. random 4 KiB reads through a faulted mapping */
static void bench_random(const char *target, const char *p, uint64_t len)
{
	const unsigned long ops = 200000;
	double v[MAX_RUNS], t;
	uint64_t x = 88172645463325252ULL;
	static char buf[4096];
	unsigned long n;
	int i;

	read_all(p, len);
	for (i = 0; i < runs; i++) {
		t = now();
		for (n = 0; n < ops; n++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(buf, p + (x % (len / 4096)) * 4096, 4096);
			sink += buf[n & 4095];
		}
		v[i] = ops / (now() - t) / 1000;
	}
	result("random", "read-4k-mmap", target, "kops/s", v);
}

/*
 * Create @nfiles files in a new directory of @mnt, as famfs user space
 * replays its log (create, then map: files share 512 extents, the device
 * holds 2560) or, on tmpfs, create and write a page. Files per second.
 */
static double create_files(const char *mnt, unsigned long nfiles, bool famfs)
{
	static char page[4096];
	char name[64], *d = path(mnt, "d");
	unsigned long n;
	double t;
	int fd;

	if (mkdir(d, 0755))
		die("mkdir");
	t = now();
	for (n = 0; n < nfiles; n++) {
		char *f;

		snprintf(name, sizeof(name), "d/f%lu", n);
		f = path(mnt, name);
		if (famfs) {
			fd = famfs_create_mapped(f, 4096, G1 + (n % 512) * M2);
			errno = fd < 0 ? -fd : 0;
		} else {
			fd = open(f, O_RDWR | O_CREAT | O_EXCL, 0644);
			if (fd >= 0 && write(fd, page, sizeof(page)) != sizeof(page))
				fd = -1;
		}
		if (fd < 0)
			die(f);
		close(fd);
		free(f);
	}
	free(d);
	return nfiles / (now() - t);
}

static double umount_ms(const char *mnt)
{
	double t = now();

	if (umount(mnt))
		die("umount");
	return (now() - t) * 1000;
}

/* 5. metadata: create N files; umount with them, and mount again */
static void bench_meta(unsigned long nfiles)
{
	double cr[MAX_RUNS], um[MAX_RUNS], mo[MAX_RUNS], tcr[MAX_RUNS], tum[MAX_RUNS];
	char name[64];
	double t;
	int i;

	for (i = 0; i < runs; i++) {
		mount_famfs();
		cr[i] = create_files(fmnt, nfiles, true);
		um[i] = umount_ms(fmnt);
		t = now();
		mount_famfs();
		mo[i] = (now() - t) * 1000;
		umount_ms(fmnt);

		mount_tmpfs(false);
		tcr[i] = create_files(tmnt, nfiles, false);
		tum[i] = umount_ms(tmnt);
	}
	snprintf(name, sizeof(name), "create-%lu", nfiles);
	result("meta", name, "famfs", "files/s", cr);
	result("meta", name, "tmpfs", "files/s", tcr);
	snprintf(name, sizeof(name), "umount-%lu", nfiles);
	result("meta", name, "famfs", "ms", um);
	result("meta", name, "tmpfs", "ms", tum);
	snprintf(name, sizeof(name), "mount-after-%lu", nfiles);
	result("meta", name, "famfs", "ms", mo);
}

/* 6. interleaved files against a simple extent, 256 MiB */
static void bench_interleave(void)
{
	static const unsigned int strips[] = { 0, 1, 4, 16 };
	const uint64_t size = 256ULL << 20;
	double rd[MAX_RUNS], wr[MAX_RUNS];
	uint64_t off[16];
	unsigned int k, s;
	char name[32];
	int fd;
	void *p;

	mount_famfs();
	for (k = 0; k < 4; k++) {
		snprintf(name, sizeof(name), "strips-%u", strips[k]);
		if (!strips[k]) {
			p = famfs_file(name, size, 2 * G1, NULL);
		} else {
			char *f = path(fmnt, name);

			for (s = 0; s < strips[k]; s++)
				off[s] = 2 * G1 + s * (size / strips[k] + 4 * M2);
			fd = open(f, O_RDWR | O_CREAT, 0644);
			if (fd < 0)
				die(f);
			errno = -famfs_map_interleaved(fd, size, M2, strips[k], off,
						       size / strips[k]);
			if (errno)
				die("MAP_CREATE_V2");
			p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (p == MAP_FAILED)
				die("mmap");
			close(fd);
			free(f);
		}
		seq_bandwidth(p, size, rd, wr);
		if (strips[k])
			snprintf(name, sizeof(name), "read-%u-strips", strips[k]);
		else
			snprintf(name, sizeof(name), "read-simple");
		result("interleave", name, "famfs", "GiB/s", rd);
		if (strips[k])
			snprintf(name, sizeof(name), "write-%u-strips", strips[k]);
		else
			snprintf(name, sizeof(name), "write-simple");
		result("interleave", name, "famfs", "GiB/s", wr);
		munmap(p, size);
	}
	if (umount(fmnt))
		die("umount famfs");
}

int main(int argc, char **argv)
{
	int ffd, tfd;
	void *f, *r, *t;

	if (argc != 5) {
		fprintf(stderr, "usage: famfs_bench DEV FAMFS_MNT TMPFS_MNT RUNS\n");
		return 2;
	}
	dev = argv[1];
	fmnt = argv[2];
	tmnt = argv[3];
	runs = atoi(argv[4]);
	if (runs < 1 || runs > MAX_RUNS)
		runs = 5;

	/* 1 GiB each: famfs at device offset 1 GiB, the raw device there too */
	mount_famfs();
	mount_tmpfs(true);
	f = famfs_file("big", G1, G1, &ffd);
	r = raw_map(G1, G1);
	t = tmpfs_file("big", G1, &tfd);
	bench_mmap("famfs", f, G1);
	bench_mmap("raw", r, G1);
	bench_mmap("tmpfs", t, G1);
	bench_random("famfs", f, G1);
	bench_random("raw", r, G1);
	bench_random("tmpfs", t, G1);
	bench_rw("famfs", ffd, G1, 1 << 20, NULL);
	bench_rw("raw", -1, G1, 1 << 20, r);
	bench_rw("tmpfs", tfd, G1, 1 << 20, NULL);
	bench_rw("famfs", ffd, G1, 4096, NULL);
	bench_rw("raw", -1, G1, 4096, r);
	bench_rw("tmpfs", tfd, G1, 4096, NULL);
	munmap(f, G1);
	munmap(r, G1);
	munmap(t, G1);
	close(ffd);
	close(tfd);
	unlink(path(tmnt, "big"));

	/*
	 * First touch: a 1 GiB famfs file at a 1 GiB boundary. The host backs
	 * the emulated memory with a sparse file: have it allocate the range
	 * first, or the first run measures the host.
	 */
	r = raw_map(3 * G1, G1);
	write_all(r, G1, 0);
	munmap(r, G1);
	f = famfs_file("touch", G1, 3 * G1, NULL);
	munmap(f, G1);
	bench_first_touch();
	if (umount(fmnt) || umount(tmnt))
		die("umount");

	bench_interleave();
	bench_meta(1000);
	bench_meta(10000);
	bench_meta(100000);
	printf("BENCH-DONE %llu\n", (unsigned long long)sink & 1);
	return 0;
}
