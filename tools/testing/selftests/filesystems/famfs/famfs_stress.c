// SPDX-License-Identifier: GPL-2.0
/*
 * famfs under races and allocation failures, from user space.
 *
 * The device is $FAMFS_DEV, at least 5 GiB, with no famfs mounted on it and
 * nothing of value in it: the cases overwrite its memory, unbind and rebind
 * its driver, and poison pages of its last 512 MiB for good (until the next
 * boot; each case poisons pages of its own part of that range, one per
 * round). Without $FAMFS_DEV nothing runs and the test skips.
 *
 *   race.*     two or more tasks at once, in bounded loops; each task checks
 *              that every call answers as documented, never half done
 *   failnth.*  the 1st, 2nd, ... allocation or user copy of a call fails
 *              (/proc/thread-self/fail-nth), until the call no longer
 *              reaches the next one; each failure must return its errno
 *              and leave nothing half done
 *
 * $FAMFS_STRESS_SCALE (default 1) multiplies the rounds of the races (the
 * poisoning ones stop at the pages their part of the device has). Needs
 * root, debugfs and the fault-injection options in config.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/mount.h>

#include "../../kselftest_harness.h"
#include "famfs_util.h"

#define M2	FAMFS_M2
#define G1	FAMFS_G1

/* Device memory the races write: past user space's superblock and log */
#define DATA_OFF	(64 * M2)
/* The last 512 MiB are for poison: 80 chunks of 2 MiB per poisoning case */
#define POISON_SPAN	(256 * M2)
#define POISON_CHUNKS	80

static unsigned int scale(void)
{
	const char *s = getenv("FAMFS_STRESS_SCALE");
	int n = s ? atoi(s) : 1;

	return n > 0 ? n : 1;
}

static int famfs_mount(const char *mpt)
{
	return mount(famfs_dev_path(), mpt, "famfs", FAMFS_MOUNT_FLAGS, "") ?
		-errno : 0;
}

/* The 2 MiB chunk @round of the poison range of case @slice (0, 1, 2) */
static uint64_t poison_chunk(uint64_t dev_size, unsigned int slice,
			     unsigned int round)
{
	uint64_t base = (dev_size - POISON_SPAN) & ~(M2 - 1);

	return base + ((uint64_t)slice * POISON_CHUNKS + round) * M2;
}

/* In a child: map @off of the device and poison its page (SIGBUS ends it) */
static void poison_dev_page(void *arg)
{
	uint64_t off = *(uint64_t *)arg;
	uint8_t *p;

	p = famfs_dev_mmap(famfs_dev_path(), off & ~(M2 - 1), M2);
	if (p == MAP_FAILED)
		_exit(20);
	__atomic_load_n(p + (off & (M2 - 1)), __ATOMIC_RELAXED);
	if (madvise(p + (off & (M2 - 1)), 4096, MADV_HWPOISON))
		_exit(21);
	_exit(22);
}

/*
 * A task that maps the page at @off through the device. With @go < 0 it
 * asked for early kill and waits: when the page fails it must get SIGBUS,
 * whoever holds the device then. Otherwise it poisons the page once it
 * reads a byte from @go, so that the poison lands when the caller says,
 * not a fork and a fault later. It holds no famfs file (it closes @fd,
 * which it inherits), so that it keeps no file system alive. Returns once
 * it has the page mapped.
 */
static pid_t dev_task(uint64_t off, int fd, int go)
{
	int ready[2];
	pid_t pid;
	char c;

	if (pipe(ready))
		return -1;
	pid = fork();
	if (!pid) {
		uint8_t *p;

		/* if the case fails before it says go, do not wait forever */
		alarm(60);
		close(ready[0]);
		if (fd >= 0)
			close(fd);
		if (go < 0 &&
		    prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0))
			_exit(10);
		p = famfs_dev_mmap(famfs_dev_path(), off & ~(M2 - 1), M2);
		if (p == MAP_FAILED)
			_exit(11);
		p += off & (M2 - 1);
		__atomic_load_n(p, __ATOMIC_RELAXED);
		if (write(ready[1], "", 1) != 1)
			_exit(12);
		if (go < 0) {
			pause();
			_exit(13);
		}
		if (read(go, &c, 1) != 1)
			_exit(14);
		madvise(p, 4096, MADV_HWPOISON);
		_exit(15);
	}
	close(ready[1]);
	if (pid > 0 && read(ready[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(ready[0]);
	return pid;
}

/*
 * How the task @pid ended (128 + its signal, or its exit status), waiting
 * up to 10 s for it to end; -1 if it had not by then (it is killed).
 */
static int end_of(pid_t pid)
{
	int status, i;

	for (i = 0; i < 1000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
						     WEXITSTATUS(status);
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static int dax_bind(bool bind)
{
	return famfs_dax_bind(famfs_dev_path(), bind);
}

/* Fill @len bytes of the device at @off with the pattern of @seed */
static int dev_fill(uint64_t off, size_t len, uint64_t seed)
{
	void *p = famfs_dev_mmap(famfs_dev_path(), off, len);

	if (p == MAP_FAILED)
		return -errno;
	famfs_pattern_fill(p, off, len, seed);
	munmap(p, len);
	return 0;
}

/* ----------------------------------------------------------------------- */
/* Races */

FIXTURE(race) {
	char *mpt;
	uint64_t dev_size;
};

FIXTURE_SETUP(race)
{
	self->dev_size = famfs_dev_size(famfs_dev_path());
	ASSERT_LE(5ULL * G1 - M2, self->dev_size);
	self->mpt = make_dir("stress");
	ASSERT_NE(NULL, self->mpt);
}

FIXTURE_TEARDOWN(race)
{
	if (umount(self->mpt) && errno != EINVAL) {
		TH_LOG("umount %s: %s", self->mpt, strerror(errno));
		umount2(self->mpt, MNT_DETACH);
		_metadata->exit_code = KSFT_FAIL;
	}
	rmdir(self->mpt);
}

/*
 * A SIGBUS in a thread that touches mapped memory on purpose: it jumps
 * back and the thread counts it.
 */
static __thread void *bus_jmp;

static void on_sigbus(int sig)
{
	if (bus_jmp)
		siglongjmp(*(sigjmp_buf *)bus_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Read the byte at @p; false if that raised SIGBUS */
static bool load_byte(const uint8_t *p, uint8_t *val)
{
	sigjmp_buf env;

	if (sigsetjmp(env, 1)) {
		bus_jmp = NULL;
		return false;
	}
	bus_jmp = &env;
	*val = __atomic_load_n(p, __ATOMIC_RELAXED);
	bus_jmp = NULL;
	return true;
}

/*
 * MAP_CREATE against users of the file. The file is 4 MiB in two pieces of
 * device memory (two simple extents, or two interleaved strips), so that a
 * half-made map shows: each user must see "no map" (ENODATA), or all of it
 * with the device's bytes.
 */
#define MC_SIZE		(2 * M2)
#define MC_USERS	4

struct mc_race {
	int fd;
	bool interleaved;
	uint64_t off[2];
	int done;
	pthread_barrier_t start;
	/* per user: calls that saw no map, calls that saw the map, wrong */
	unsigned long none[MC_USERS], seen[MC_USERS], wrong[MC_USERS];
	char why[MC_USERS][128];
};

static uint64_t mc_dev_off(const struct mc_race *r, uint64_t pos)
{
	if (r->interleaved)
		return famfs_interleaved_dev_off(pos, M2, 2, r->off);
	return pos < M2 ? r->off[0] + pos : r->off[1] + pos - M2;
}

static void mc_wrong(struct mc_race *r, int u, const char *what, long ret,
		     int err)
{
	if (!r->wrong[u]++)
		snprintf(r->why[u], sizeof(r->why[u]), "%s: %ld (%s)", what,
			 ret, strerror(err));
}

/* One use of the file by user @u: false if it saw no map */
static bool mc_use(struct mc_race *r, int u, unsigned int n)
{
	uint64_t pos = (n * 4096ULL * 37) % MC_SIZE;
	uint8_t buf[4096], b;
	struct famfs_ioc_get_fmap gm;
	ssize_t ret;
	uint8_t *p;

	switch (u) {
	case 0:	/* read(2): the device's bytes */
		ret = pread(r->fd, buf, sizeof(buf), pos);
		if (ret < 0 && errno == ENODATA)
			return false;
		/* a page never crosses a piece: its bytes are contiguous */
		if (ret != sizeof(buf) ||
		    famfs_pattern_check(buf, mc_dev_off(r, pos), 4096, 1) != -1)
			mc_wrong(r, u, "pread", ret, errno);
		return true;
	case 1:	/* write(2) of the bytes that are there already */
		famfs_pattern_fill(buf, mc_dev_off(r, pos), 4096, 1);
		ret = pwrite(r->fd, buf, sizeof(buf), pos);
		if (ret < 0 && errno == ENODATA)
			return false;
		if (ret != sizeof(buf))
			mc_wrong(r, u, "pwrite", ret, errno);
		return true;
	case 2:	/* mmap and a fault in each half: no SIGBUS inside the file */
		p = mmap(NULL, MC_SIZE, PROT_READ, MAP_SHARED, r->fd, 0);
		if (p == MAP_FAILED && errno == ENODATA)
			return false;
		if (p == MAP_FAILED) {
			mc_wrong(r, u, "mmap", -1, errno);
			return true;
		}
		if (!load_byte(p + M2 - 1, &b) ||
		    b != famfs_pattern_byte(1, mc_dev_off(r, M2 - 1)) ||
		    !load_byte(p + MC_SIZE - 1, &b) ||
		    b != famfs_pattern_byte(1, mc_dev_off(r, MC_SIZE - 1)))
			mc_wrong(r, u, "fault", 0, 0);
		munmap(p, MC_SIZE);
		return true;
	default: /* MAP_GET_V2: the whole map or none */
		memset(&gm, 0, sizeof(gm));
		ret = ioctl(r->fd, FAMFSIOC_MAP_GET_V2, &gm);
		if (ret < 0 && errno == ENODATA)
			return false;
		if (ret || gm.iocmap.fioc_file_size != MC_SIZE)
			mc_wrong(r, u, "MAP_GET_V2", ret, errno);
		else if (r->interleaved ?
			 gm.ks.ikie.ie_nstrips != 2 ||
			 gm.ks.kie_strips[0].offset != r->off[0] ||
			 gm.ks.kie_strips[1].offset != r->off[1] :
			 gm.iocmap.fioc_nextents != 2 ||
			 gm.ikse[0].offset != r->off[0] ||
			 gm.ikse[1].offset != r->off[1] ||
			 gm.ikse[1].len != M2)
			mc_wrong(r, u, "MAP_GET_V2: a partial map", 0, 0);
		return true;
	}
}

struct mc_user {
	struct mc_race *race;
	int u;
};

static void *mc_user(void *arg)
{
	struct mc_user *me = arg;
	struct mc_race *r = me->race;
	unsigned int n = 0;

	pthread_barrier_wait(&r->start);
	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE)) {
		if (mc_use(r, me->u, n++))
			r->seen[me->u]++;
		else if (r->seen[me->u])
			/* "no map" after the map was seen: it went away */
			mc_wrong(r, me->u, "no map after the map", -1, ENODATA);
		else
			r->none[me->u]++;
	}
	/* after MAP_CREATE returned, everybody sees the whole map */
	if (!mc_use(r, me->u, n))
		mc_wrong(r, me->u, "no map after MAP_CREATE", -1, ENODATA);
	return NULL;
}

TEST_F_TIMEOUT(race, map_create_vs_users, 600)
{
	unsigned int rounds = 100 * scale(), i, u;
	unsigned long none = 0, seen = 0;
	struct mc_user users[MC_USERS];
	pthread_t tid[MC_USERS];
	struct mc_race r;
	char name[32];
	char *f;

	ASSERT_EQ(0, dev_fill(DATA_OFF, 16 * M2, 1));
	ASSERT_EQ(0, famfs_mount(self->mpt));
	signal(SIGBUS, on_sigbus);
	for (i = 0; i < rounds; i++) {
		memset(&r, 0, sizeof(r));
		r.interleaved = i & 1;
		/* the second piece below the first: they are not one run */
		r.off[0] = DATA_OFF + (8 + i % 4) * M2;
		r.off[1] = DATA_OFF + (i % 4) * M2;
		snprintf(name, sizeof(name), "mc%u", i);
		f = path_in(self->mpt, name);
		r.fd = open(f, O_RDWR | O_CREAT | O_EXCL, 0644);
		ASSERT_LE(0, r.fd);
		ASSERT_EQ(0, pthread_barrier_init(&r.start, NULL, MC_USERS + 1));
		for (u = 0; u < MC_USERS; u++) {
			users[u].race = &r;
			users[u].u = u;
			ASSERT_EQ(0, pthread_create(&tid[u], NULL, mc_user,
						    &users[u]));
		}
		pthread_barrier_wait(&r.start);
		usleep(i % 7 * 100);
		if (r.interleaved) {
			ASSERT_EQ(0, famfs_map_interleaved(r.fd, MC_SIZE, M2, 2,
							   r.off, M2));
		} else {
			const struct famfs_extent ext[2] = {
				{ r.off[0], M2 }, { r.off[1], M2 },
			};

			ASSERT_EQ(0, famfs_map_simple(r.fd, FAMFS_REG, MC_SIZE,
						      ext, 2));
		}
		__atomic_store_n(&r.done, 1, __ATOMIC_RELEASE);
		for (u = 0; u < MC_USERS; u++) {
			pthread_join(tid[u], NULL);
			if (r.wrong[u])
				TH_LOG("round %u, user %u: %s", i, u, r.why[u]);
			EXPECT_EQ(0, r.wrong[u]);
			none += r.none[u];
			seen += r.seen[u];
		}
		pthread_barrier_destroy(&r.start);
		close(r.fd);
		ASSERT_EQ(0, unlink(f));
		free(f);
	}
	ksft_print_msg("map_create_vs_users: %u rounds, %lu calls saw no map, %lu the whole map\n",
		       rounds, none, seen);
	/* both outcomes happened, or the race was not run */
	EXPECT_LT(0, none);
	EXPECT_LT(0, seen);
}

/*
 * The last close and the unlink of a mapped file while another task keeps
 * faulting and reading it: the file lives on, with its bytes, until its
 * last mapping goes; then it is evicted (with its dax entries) while the
 * next round's file is being set up.
 */
struct uc_race {
	uint8_t *p;
	int fd;
	uint64_t dev_off;
	int done;
	unsigned long wrong, loads;
};

static void *uc_faulter(void *arg)
{
	struct uc_race *r = arg;
	unsigned int n = 0;
	uint64_t pos;
	uint8_t b;

	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) || n < 64) {
		pos = (n * 4096ULL * 13 + n) % (2 * M2);
		if (!load_byte(r->p + pos, &b) ||
		    b != famfs_pattern_byte(2, r->dev_off + pos))
			r->wrong++;
		/* fault afresh next time */
		if (!(n % 16))
			madvise(r->p, 2 * M2, MADV_DONTNEED);
		r->loads++;
		n++;
	}
	return NULL;
}

TEST_F_TIMEOUT(race, unlink_and_close_vs_faults, 600)
{
	unsigned int rounds = 200 * scale(), i;
	unsigned long loads = 0;
	struct uc_race r;
	pthread_t tid;
	uint8_t buf[4096];
	char name[32];
	char *f;
	int fd2;

	ASSERT_EQ(0, dev_fill(DATA_OFF, 16 * M2, 2));
	ASSERT_EQ(0, famfs_mount(self->mpt));
	signal(SIGBUS, on_sigbus);
	for (i = 0; i < rounds; i++) {
		memset(&r, 0, sizeof(r));
		r.dev_off = DATA_OFF + (i % 8) * 2 * M2;
		snprintf(name, sizeof(name), "uc%u", i);
		f = path_in(self->mpt, name);
		r.fd = famfs_create_mapped(f, 2 * M2, r.dev_off);
		ASSERT_LE(0, r.fd);
		fd2 = open(f, O_RDONLY);
		ASSERT_LE(0, fd2);
		r.p = mmap(NULL, 2 * M2, PROT_READ, MAP_SHARED, r.fd, 0);
		ASSERT_NE(MAP_FAILED, r.p);
		ASSERT_EQ(0, pthread_create(&tid, NULL, uc_faulter, &r));
		usleep(i % 5 * 200);
		/* half the rounds unlink first, half close first */
		if (i & 1) {
			ASSERT_EQ(0, unlink(f));
			ASSERT_EQ(0, close(r.fd));
		} else {
			ASSERT_EQ(0, close(r.fd));
			ASSERT_EQ(0, unlink(f));
		}
		/* the open file still reads, after its name is gone */
		ASSERT_EQ(sizeof(buf), pread(fd2, buf, sizeof(buf), M2));
		EXPECT_EQ(-1, famfs_pattern_check(buf, r.dev_off + M2,
						  sizeof(buf), 2));
		ASSERT_EQ(0, close(fd2));
		__atomic_store_n(&r.done, 1, __ATOMIC_RELEASE);
		pthread_join(tid, NULL);
		EXPECT_EQ(0, r.wrong);
		loads += r.loads;
		/* the last reference: the file is evicted here */
		ASSERT_EQ(0, munmap(r.p, 2 * M2));
		free(f);
	}
	EXPECT_EQ(0, dir_entries(self->mpt));
	ksft_print_msg("unlink_and_close_vs_faults: %u rounds, %lu loads\n",
		       rounds, loads);
}

/*
 * rename and unlink in a directory while other tasks walk it: every name
 * readdir returns either stats or is gone (ENOENT), and in the end the
 * directory holds exactly what the renamers say they left.
 */
#define RW_NAMES	64
#define RW_MOVERS	2
#define RW_WALKERS	2

struct rw_race {
	const char *dir;
	int done;
	unsigned int ops;
	/* per mover: whether its name i exists at the end, as "a" or "b" */
	char left[RW_MOVERS][RW_NAMES];
	unsigned long wrong, walks, stats;
};

struct rw_task {
	struct rw_race *race;
	int id;
};

static void *rw_mover(void *arg)
{
	struct rw_task *me = arg;
	struct rw_race *r = me->race;
	char a[300], b[300];
	unsigned int n, k;
	int fd;

	for (n = 0; n < r->ops; n++) {
		k = (n * 7 + me->id) % RW_NAMES;
		snprintf(a, sizeof(a), "%s/m%d-a%u", r->dir, me->id, k);
		snprintf(b, sizeof(b), "%s/m%d-b%u", r->dir, me->id, k);
		switch (r->left[me->id][k]) {
		case 0:		/* none: create "a" */
			fd = open(a, O_RDWR | O_CREAT | O_EXCL, 0644);
			if (fd < 0 || close(fd))
				r->wrong++;
			r->left[me->id][k] = 'a';
			break;
		case 'a':	/* "a" to "b" */
			if (rename(a, b))
				r->wrong++;
			r->left[me->id][k] = 'b';
			break;
		default:	/* "b" goes, or back to "a" over nothing */
			if (n & 1 ? unlink(b) : rename(b, a))
				r->wrong++;
			r->left[me->id][k] = n & 1 ? 0 : 'a';
		}
	}
	return NULL;
}

static void *rw_walker(void *arg)
{
	struct rw_race *r = ((struct rw_task *)arg)->race;
	struct dirent *de;
	struct stat st;
	DIR *d;

	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE)) {
		d = opendir(r->dir);
		if (!d) {
			r->wrong++;
			continue;
		}
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if (fstatat(dirfd(d), de->d_name, &st, 0)) {
				if (errno != ENOENT)
					r->wrong++;
			} else if (!S_ISREG(st.st_mode)) {
				r->wrong++;
			}
			r->stats++;
		}
		closedir(d);
		r->walks++;
	}
	return NULL;
}

TEST_F_TIMEOUT(race, rename_and_unlink_vs_walkers, 600)
{
	struct rw_task tasks[RW_MOVERS + RW_WALKERS];
	pthread_t tid[RW_MOVERS + RW_WALKERS];
	unsigned int i, k, expected = 0;
	struct rw_race r;
	char want[300];
	struct stat st;

	ASSERT_EQ(0, famfs_mount(self->mpt));
	memset(&r, 0, sizeof(r));
	r.dir = path_in(self->mpt, "dir");
	r.ops = 3000 * scale();
	ASSERT_EQ(0, mkdir(r.dir, 0755));
	for (i = 0; i < RW_MOVERS + RW_WALKERS; i++) {
		tasks[i].race = &r;
		tasks[i].id = i;
		ASSERT_EQ(0, pthread_create(&tid[i], NULL,
					    i < RW_MOVERS ? rw_mover : rw_walker,
					    &tasks[i]));
	}
	for (i = 0; i < RW_MOVERS; i++)
		pthread_join(tid[i], NULL);
	__atomic_store_n(&r.done, 1, __ATOMIC_RELEASE);
	for (; i < RW_MOVERS + RW_WALKERS; i++)
		pthread_join(tid[i], NULL);
	EXPECT_EQ(0, r.wrong);
	EXPECT_LT(0, r.walks);
	for (i = 0; i < RW_MOVERS; i++)
		for (k = 0; k < RW_NAMES; k++) {
			if (!r.left[i][k])
				continue;
			snprintf(want, sizeof(want), "%s/m%u-%c%u", r.dir, i,
				 r.left[i][k], k);
			EXPECT_EQ(0, stat(want, &st));
			expected++;
		}
	EXPECT_EQ(expected, dir_entries(r.dir));
	ksft_print_msg("rename_and_unlink_vs_walkers: %u moves, %lu walks, %lu stats, %u left\n",
		       RW_MOVERS * r.ops, r.walks, r.stats, expected);
}

/*
 * The device goes away (its driver is unbound) while several processes
 * read, write and fault famfs files: each one's I/O fails with EIO, or its
 * fault with SIGBUS, and nothing else; famfs unmounts; after the driver is
 * bound again famfs mounts and serves the bytes that were there.
 */
enum ub_kind { UB_READ, UB_WRITE, UB_FAULT, UB_NKIND };

/* exit status of a worker: how its loop ended */
#define UB_EIO		0	/* I/O failed with EIO (a fault: SIGBUS) */
#define UB_NEVER	1	/* the device never went away */
#define UB_ERRNO	2	/* another errno */
#define UB_BYTES	3	/* wrong bytes while the device was there */

static void ub_worker(enum ub_kind kind, const char *file, uint64_t dev_off,
		      int ready)
{
	uint8_t buf[4096];
	time_t end = time(NULL) + 120;
	unsigned int n;
	uint64_t pos;
	uint8_t *p = NULL;
	int fd;

	fd = open(file, kind == UB_READ ? O_RDONLY : O_RDWR);
	if (fd < 0)
		_exit(UB_ERRNO);
	if (kind == UB_FAULT) {
		p = mmap(NULL, 4 * M2, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 0);
		if (p == MAP_FAILED)
			_exit(UB_ERRNO);
	}
	if (write(ready, "", 1) != 1)
		_exit(UB_ERRNO);
	for (n = 0; time(NULL) < end; n++) {
		pos = (n * 4096ULL * 29) % (4 * M2);
		switch (kind) {
		case UB_READ:
			if (pread(fd, buf, sizeof(buf), pos) != sizeof(buf))
				_exit(errno == EIO ? UB_EIO : UB_ERRNO);
			if (famfs_pattern_check(buf, dev_off + pos, sizeof(buf),
						3) != -1)
				_exit(UB_BYTES);
			break;
		case UB_WRITE:
			memset(buf, n, sizeof(buf));
			if (pwrite(fd, buf, sizeof(buf), pos) != sizeof(buf))
				_exit(errno == EIO ? UB_EIO : UB_ERRNO);
			break;
		default:
			/* a store and a load, each on a fresh fault at times */
			p[pos] = n;
			if (p[pos] != (uint8_t)n)
				_exit(UB_BYTES);
			if (!(n % 8))
				madvise(p, 4 * M2, MADV_DONTNEED);
		}
	}
	_exit(UB_NEVER);
}

static int ub_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
		WEXITSTATUS(status);
}

TEST_F_TIMEOUT(race, unbind_vs_io, 900)
{
	static const char * const names[UB_NKIND] = { "keep", "scratch", "mapped" };
	unsigned int rounds = 3 * scale(), i, k, w;
	const unsigned int per_kind = 2;
	pid_t pid[UB_NKIND * 2];
	char *f[UB_NKIND], c;
	uint8_t buf[4096];
	int ready[2], fd, st;

	for (k = 0; k < UB_NKIND; k++)
		f[k] = path_in(self->mpt, names[k]);
	/* "keep" is only read: its bytes must be there after the rebind */
	ASSERT_EQ(0, dev_fill(DATA_OFF, 4 * M2, 3));
	for (i = 0; i < rounds; i++) {
		ASSERT_EQ(0, famfs_mount(self->mpt));
		for (k = 0; k < UB_NKIND; k++) {
			fd = famfs_create_mapped(f[k], 4 * M2,
						 DATA_OFF + k * 4 * M2);
			ASSERT_LE(0, fd);
			close(fd);
		}
		ASSERT_EQ(0, pipe(ready));
		for (w = 0; w < UB_NKIND * per_kind; w++) {
			k = w % UB_NKIND;
			pid[w] = fork();
			ASSERT_LE(0, pid[w]);
			if (!pid[w])
				ub_worker(k, f[k], DATA_OFF + k * 4 * M2,
					  ready[1]);
		}
		for (w = 0; w < UB_NKIND * per_kind; w++)
			ASSERT_EQ(1, read(ready[0], &c, 1));
		close(ready[0]);
		close(ready[1]);
		usleep(1000 + i * 3000);
		ASSERT_EQ(0, dax_bind(false));
		for (w = 0; w < UB_NKIND * per_kind; w++) {
			k = w % UB_NKIND;
			st = ub_status(pid[w]);
			/* I/O ends with EIO, a fault with SIGBUS */
			EXPECT_EQ(k == UB_FAULT ? 128 + SIGBUS : UB_EIO, st) {
				TH_LOG("round %u: the %s worker ended with %d",
				       i, names[k], st);
			}
		}
		/* every file is closed: famfs lets go of the dead device */
		ASSERT_EQ(0, umount(self->mpt));
		ASSERT_EQ(0, dax_bind(true));
		ASSERT_EQ(0, famfs_mount(self->mpt));
		fd = famfs_create_mapped(f[0], 4 * M2, DATA_OFF);
		ASSERT_LE(0, fd);
		ASSERT_EQ(sizeof(buf), pread(fd, buf, sizeof(buf), 3 * M2));
		EXPECT_EQ(-1, famfs_pattern_check(buf, DATA_OFF + 3 * M2,
						  sizeof(buf), 3));
		close(fd);
		ASSERT_EQ(0, umount(self->mpt));
	}
	ksft_print_msg("unbind_vs_io: %u rounds of %u workers\n", rounds,
		       UB_NKIND * per_kind);
}

/*
 * The device goes away while an unlinked file with dax entries is being
 * evicted: famfs must wait for that eviction to drop the entries before
 * it lets the device go, or the eviction reads struct pages that the
 * device's removal freed (an Oops, or KASAN).
 */
struct ue_race {
	int fd;
	int result;
	pthread_barrier_t start;
};

static void *ue_close(void *arg)
{
	struct ue_race *r = arg;

	pthread_barrier_wait(&r->start);
	r->result = close(r->fd) ? -errno : 0;
	return NULL;
}

TEST_F_TIMEOUT(race, unbind_vs_eviction, 900)
{
	unsigned int rounds = 20 * scale(), i, k;
	char *f = path_in(self->mpt, "evicted");
	struct ue_race r;
	pthread_t tid;
	uint8_t *p;

	for (i = 0; i < rounds; i++) {
		ASSERT_EQ(0, famfs_mount(self->mpt));
		memset(&r, 0, sizeof(r));
		r.fd = famfs_create_mapped(f, 8 * M2, DATA_OFF);
		ASSERT_LE(0, r.fd);
		/* dax entries: a PMD fault in each 2 MiB */
		p = mmap(NULL, 8 * M2, PROT_READ | PROT_WRITE, MAP_SHARED,
			 r.fd, 0);
		ASSERT_NE(MAP_FAILED, p);
		for (k = 0; k < 8; k++)
			p[k * M2] = i;
		ASSERT_EQ(0, munmap(p, 8 * M2));
		ASSERT_EQ(0, unlink(f));
		ASSERT_EQ(0, pthread_barrier_init(&r.start, NULL, 2));
		ASSERT_EQ(0, pthread_create(&tid, NULL, ue_close, &r));
		pthread_barrier_wait(&r.start);
		usleep(i % 5 * 100);
		ASSERT_EQ(0, dax_bind(false));
		pthread_join(tid, NULL);
		pthread_barrier_destroy(&r.start);
		EXPECT_EQ(0, r.result);
		ASSERT_EQ(0, umount(self->mpt));
		ASSERT_EQ(0, dax_bind(true));
	}
	ksft_print_msg("unbind_vs_eviction: %u rounds\n", rounds);
	free(f);
}

/*
 * A memory failure while famfs unmounts, and while it evicts an unlinked
 * file whose dax entries point at the failed page. The page is poisoned
 * through the device's own mapping (famfs has no file open, or only the
 * one going away); each round poisons a new page. Another task maps the
 * page through the device and asked for early kill: it gets SIGBUS in
 * every round, whether famfs still holds the device, is letting it go, or
 * is gone.
 */
struct hp_race {
	const char *mpt;
	const char *file;
	int fd;
	int result;
	pthread_barrier_t start;
};

static void *hp_umount(void *arg)
{
	struct hp_race *r = arg;

	pthread_barrier_wait(&r->start);
	r->result = umount(r->mpt) ? -errno : 0;
	return NULL;
}

static void *hp_evict(void *arg)
{
	struct hp_race *r = arg;

	pthread_barrier_wait(&r->start);
	/* the last reference to an unlinked file: evicted right here */
	r->result = close(r->fd) ? -errno : 0;
	return NULL;
}

static unsigned int poison_rounds(void)
{
	unsigned int n = 20 * scale();

	return n < POISON_CHUNKS ? n : POISON_CHUNKS;
}

static void hp_race(struct __test_metadata *_metadata, const char *mpt,
		    uint64_t dev_size, bool evict)
{
	unsigned int rounds = poison_rounds(), i;
	char *f = path_in(mpt, "victim");
	struct hp_race r;
	pthread_t tid;
	uint64_t off;
	uint8_t *p;
	pid_t mapper, poisoner;
	int go[2];

	for (i = 0; i < rounds; i++) {
		off = poison_chunk(dev_size, evict, i);
		memset(&r, 0, sizeof(r));
		r.mpt = mpt;
		ASSERT_EQ(0, famfs_mount(mpt));
		r.fd = famfs_create_mapped(f, M2, off);
		ASSERT_LE(0, r.fd);
		/* give the file dax entries for the page: fault it in */
		p = mmap(NULL, M2, PROT_READ | PROT_WRITE, MAP_SHARED, r.fd, 0);
		ASSERT_NE(MAP_FAILED, p);
		p[4096 + i] = i;
		ASSERT_EQ(0, munmap(p, M2));
		/* what is left to the racing thread: the close, or umount */
		ASSERT_EQ(0, evict ? unlink(f) : close(r.fd));
		mapper = dev_task(off + 4096, evict ? r.fd : -1, -1);
		ASSERT_LT(0, mapper);
		ASSERT_EQ(0, pipe(go));
		poisoner = dev_task(off + 4096, evict ? r.fd : -1, go[0]);
		ASSERT_LT(0, poisoner);
		ASSERT_EQ(0, pthread_barrier_init(&r.start, NULL, 2));
		ASSERT_EQ(0, pthread_create(&tid, NULL,
					    evict ? hp_evict : hp_umount, &r));
		pthread_barrier_wait(&r.start);
		/* from before the umount or close starts to after it ends */
		usleep(i % 8 * 100);
		ASSERT_EQ(1, write(go[1], "", 1));
		pthread_join(tid, NULL);
		pthread_barrier_destroy(&r.start);
		close(go[0]);
		close(go[1]);
		/* the poisoning task is told at once, whoever holds the page */
		EXPECT_EQ(128 + SIGBUS, end_of(poisoner));
		/* and so is the one that maps it through the device */
		EXPECT_EQ(128 + SIGBUS, end_of(mapper));
		EXPECT_EQ(0, r.result);
		/* after the umount race, nothing is mounted there */
		ASSERT_EQ(evict ? 0 : -EINVAL, umount(mpt) ? -errno : 0);
	}
	ksft_print_msg("memory failure during %s: %u rounds\n",
		       evict ? "eviction" : "umount", rounds);
	free(f);
}

TEST_F_TIMEOUT(race, memory_failure_vs_umount, 600)
{
	hp_race(_metadata, self->mpt, self->dev_size, false);
}

TEST_F_TIMEOUT(race, memory_failure_vs_eviction, 600)
{
	hp_race(_metadata, self->mpt, self->dev_size, true);
}

/*
 * Two mounts of the device at once, then an umount racing a third mount:
 * the device has one holder at a time. The first race has exactly one
 * winner and one EBUSY; the second mount gets the device (0) or EBUSY.
 * In a sample of the rounds the winner must still get the device's
 * notices: a memory failure (a new page each time), or the device's
 * removal.
 */
struct mm_race {
	const char *mpt[2];
	int result[2];
	pthread_barrier_t start;
	bool umount;
};

struct mm_task {
	struct mm_race *race;
	int id;
};

static void *mm_task(void *arg)
{
	struct mm_task *me = arg;
	struct mm_race *r = me->race;

	pthread_barrier_wait(&r->start);
	if (r->umount && !me->id)
		r->result[0] = umount(r->mpt[0]) ? -errno : 0;
	else
		r->result[me->id] = famfs_mount(r->mpt[me->id]);
	return NULL;
}

/* Both sides of one race, started together */
static void mm_round(struct mm_race *r, bool umount)
{
	struct mm_task t[2] = { { r, 0 }, { r, 1 } };
	pthread_t tid[2];
	int i;

	r->umount = umount;
	for (i = 0; i < 2; i++)
		pthread_create(&tid[i], NULL, mm_task, &t[i]);
	for (i = 0; i < 2; i++)
		pthread_join(tid[i], NULL);
}

/* The winner gets a memory-failure notice: reading the page fails */
static void mm_notice_failure(struct __test_metadata *_metadata,
			      const char *mpt, uint64_t off)
{
	char *f = path_in(mpt, "sample");
	uint8_t buf[4096];
	uint64_t bad = off + 8192;
	int fd;

	fd = famfs_create_mapped(f, M2, off);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(buf), pread(fd, buf, sizeof(buf), 8192));
	EXPECT_EQ(128 + SIGBUS, in_child(poison_dev_page, &bad));
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), 8192));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(sizeof(buf), pread(fd, buf, sizeof(buf), 0));
	close(fd);
	free(f);
}

/* The winner gets the device's removal: its mappings go, I/O fails */
static void mm_notice_removal(struct __test_metadata *_metadata,
			      const char *mpt)
{
	char *f = path_in(mpt, "sample");
	uint8_t buf[4096];
	uint8_t *p;
	int fd;

	fd = famfs_create_mapped(f, M2, DATA_OFF);
	ASSERT_LE(0, fd);
	p = mmap(NULL, M2, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	__atomic_load_n(p, __ATOMIC_RELAXED);
	ASSERT_EQ(1, page_present(p));
	ASSERT_EQ(0, dax_bind(false));
	EXPECT_EQ(0, page_present(p));
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(EIO, errno);
	munmap(p, M2);
	close(fd);
	free(f);
}

TEST_F_TIMEOUT(race, mount_vs_mount_and_umount, 900)
{
	unsigned int rounds = 1000 * scale(), i, failures = 0, removals = 0;
	unsigned int second_won = 0, busy_after_umount = 0, w;
	struct mm_race r;

	memset(&r, 0, sizeof(r));
	r.mpt[0] = self->mpt;
	r.mpt[1] = make_dir("stress2");
	ASSERT_NE(NULL, r.mpt[1]);
	ASSERT_EQ(0, pthread_barrier_init(&r.start, NULL, 2));
	for (i = 0; i < rounds; i++) {
		mm_round(&r, false);
		/* one holder: exactly one mount succeeded, the other is busy */
		ASSERT_TRUE((!r.result[0] && r.result[1] == -EBUSY) ||
			    (!r.result[1] && r.result[0] == -EBUSY)) {
			TH_LOG("round %u: mounts returned %d and %d", i,
			       r.result[0], r.result[1]);
		}
		w = r.result[0] ? 1 : 0;
		second_won += w;
		if (i % 100 == 50 && failures < POISON_CHUNKS) {
			mm_notice_failure(_metadata, r.mpt[w],
					  poison_chunk(self->dev_size, 2,
						       failures));
			failures++;
		}
		if (i % 250 == 125) {
			mm_notice_removal(_metadata, r.mpt[w]);
			ASSERT_EQ(0, umount(r.mpt[w]));
			ASSERT_EQ(0, dax_bind(true));
			removals++;
			continue;
		}
		/* now the holder unmounts while a mount elsewhere tries */
		if (w) {
			ASSERT_EQ(0, umount(r.mpt[1]));
			ASSERT_EQ(0, famfs_mount(r.mpt[0]));
		}
		mm_round(&r, true);
		ASSERT_EQ(0, r.result[0]);
		ASSERT_TRUE(!r.result[1] || r.result[1] == -EBUSY) {
			TH_LOG("round %u: the mount beside umount returned %d",
			       i, r.result[1]);
		}
		if (r.result[1])
			busy_after_umount++;
		else
			ASSERT_EQ(0, umount(r.mpt[1]));
	}
	pthread_barrier_destroy(&r.start);
	rmdir(r.mpt[1]);
	ksft_print_msg("mount_vs_mount_and_umount: %u rounds, the second mount won %u\n",
		       rounds, second_won);
	ksft_print_msg("mount beside umount busy %u times; %u failure and %u removal notices\n",
		       busy_after_umount, failures, removals);
}

/*
 * Several tasks create, mkdir, rename, unlink and rmdir names in one
 * directory at once, 10k names in all; then one walk of the directory
 * must find exactly the names the tasks say they left, of the right kind.
 */
#define NS_TASKS	4

static void ns_name(char *buf, size_t size, int task, unsigned int n,
		    const char *kind)
{
	snprintf(buf, size, "%s-%d-%u", kind, task, n);
}

/* What name @n of a task ends as: 'f' file, 'r' renamed file, 'd' dir */
static char ns_fate(unsigned int n)
{
	static const char fate[5] = { 'f', 'r', 0, 'd', 0 };

	return fate[n % 5];
}

static void ns_worker(int dfd, int task, unsigned int names)
{
	char a[64], b[64];
	unsigned int n;
	int fd;

	for (n = 0; n < names; n++) {
		switch (n % 5) {
		case 0:	/* a file that stays */
		case 1:	/* a file renamed */
		case 2:	/* a file unlinked */
			ns_name(a, sizeof(a), task, n, "f");
			fd = openat(dfd, a, O_RDWR | O_CREAT | O_EXCL, 0644);
			if (fd < 0 || close(fd))
				_exit(1);
			if (n % 5 == 1) {
				ns_name(b, sizeof(b), task, n, "r");
				if (renameat(dfd, a, dfd, b))
					_exit(2);
			}
			if (n % 5 == 2 && unlinkat(dfd, a, 0))
				_exit(3);
			break;
		default: /* a directory that stays, or goes */
			ns_name(a, sizeof(a), task, n, "d");
			if (mkdirat(dfd, a, 0755))
				_exit(4);
			if (n % 5 == 4 && unlinkat(dfd, a, AT_REMOVEDIR))
				_exit(5);
		}
	}
	_exit(0);
}

TEST_F_TIMEOUT(race, namespace_in_one_directory, 900)
{
	unsigned int names = 10000 * scale() / NS_TASKS, n, found = 0;
	unsigned int expected = 0;
	char *dir, name[64];
	pid_t pid[NS_TASKS];
	struct dirent *de;
	int t, dfd, kind;
	struct stat st;
	char *seen;
	DIR *d;

	ASSERT_EQ(0, famfs_mount(self->mpt));
	dir = path_in(self->mpt, "ns");
	ASSERT_EQ(0, mkdir(dir, 0755));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dfd);
	for (t = 0; t < NS_TASKS; t++) {
		pid[t] = fork();
		ASSERT_LE(0, pid[t]);
		if (!pid[t])
			ns_worker(dfd, t, names);
	}
	for (t = 0; t < NS_TASKS; t++)
		EXPECT_EQ(0, ub_status(pid[t]));
	/* the walk: every name once, of its kind, and nothing else */
	seen = calloc(NS_TASKS, names);
	ASSERT_NE(NULL, seen);
	d = fdopendir(dfd);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		char k;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		found++;
		if (sscanf(de->d_name, "%c-%d-%u", &k, &t, &n) != 3 ||
		    t < 0 || t >= NS_TASKS || n >= names || ns_fate(n) != k ||
		    seen[t * names + n]++) {
			TH_LOG("unexpected name %s", de->d_name);
			EXPECT_TRUE(false);
			continue;
		}
		ASSERT_EQ(0, fstatat(dirfd(d), de->d_name, &st, 0));
		kind = k == 'd' ? S_IFDIR : S_IFREG;
		EXPECT_EQ(kind, st.st_mode & S_IFMT);
	}
	for (t = 0; t < NS_TASKS; t++)
		for (n = 0; n < names; n++)
			if (ns_fate(n)) {
				expected++;
				if (!seen[t * names + n]) {
					ns_name(name, sizeof(name), t, n, "?");
					TH_LOG("missing: %s (%c)", name,
					       ns_fate(n));
					EXPECT_TRUE(false);
				}
			}
	EXPECT_EQ(expected, found);
	/* the directory's link count: its subdirectories and itself */
	ASSERT_EQ(0, stat(dir, &st));
	EXPECT_EQ(2 + NS_TASKS * (names / 5 + (names % 5 > 3)), st.st_nlink);
	closedir(d);
	free(seen);
	free(dir);
	ksft_print_msg("namespace_in_one_directory: %u tasks, %u names, %u left\n",
		       NS_TASKS, NS_TASKS * names, found);
}

/*
 * Several devices: tasks register the same devices at once, as replays on
 * one host may, while others give files memory on them. Every registration
 * succeeds (the same device at its index is a no-op), and a map naming a
 * device succeeds exactly when the device was known before the call ended:
 * never before it is known, and always after. Then umount gives every
 * device back.
 */
#define AD_DEVS		4
#define AD_ADDERS	2
#define AD_MAPPERS	2

struct ad_race {
	const char *dev[AD_DEVS];
	uint64_t size[AD_DEVS];
	const char *mpt;
	int sb_fd;
	pthread_barrier_t start;
	unsigned int round, wrong, early, late, ids;
};

static void *ad_adder(void *arg)
{
	struct ad_race *r = arg;
	int i, err;

	pthread_barrier_wait(&r->start);
	for (i = 1; i < AD_DEVS; i++) {
		err = famfs_add_dev(r->sb_fd, r->dev[i], i, r->size[i]);
		if (err) {
			ksft_print_msg("round %u: ADD_DAXDEV %d: %s\n", r->round,
				       i, strerror(-err));
			__atomic_add_fetch(&r->wrong, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

static void *ad_mapper(void *arg)
{
	struct ad_race *r = arg;
	struct famfs_ioc_simple_extent se = { .len = M2 };
	unsigned int n, id = __atomic_fetch_add(&r->ids, 1, __ATOMIC_RELAXED);
	int64_t before, after;
	char name[64];
	int fd, err;

	pthread_barrier_wait(&r->start);
	for (n = 0; n < 3 * AD_DEVS; n++) {
		se.devindex = 1 + n % (AD_DEVS - 1);
		se.offset = DATA_OFF + (id * 64 + n) % 256 * M2;
		snprintf(name, sizeof(name), "%s/m%u.%u.%u", r->mpt, r->round,
			 id, n);
		fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0644);
		if (fd < 0) {
			__atomic_add_fetch(&r->wrong, 1, __ATOMIC_RELAXED);
			continue;
		}
		before = famfs_max_dev(fd);
		err = famfs_map_simple_v2(fd, FAMFS_REG, M2, &se, 1);
		after = famfs_max_dev(fd);
		if (err == -EINVAL && after < (int64_t)se.devindex) {
			__atomic_add_fetch(&r->early, 1, __ATOMIC_RELAXED);
		} else if (!err && after >= (int64_t)se.devindex) {
			__atomic_add_fetch(&r->late, 1, __ATOMIC_RELAXED);
		} else if (!(err == -EINVAL && before < (int64_t)se.devindex)) {
			ksft_print_msg("round %u: a map on device %llu: %s, known %lld then %lld\n",
				       r->round, (unsigned long long)se.devindex,
				       strerror(-err), (long long)before,
				       (long long)after);
			__atomic_add_fetch(&r->wrong, 1, __ATOMIC_RELAXED);
		}
		close(fd);
	}
	return NULL;
}

TEST_F_TIMEOUT(race, add_daxdev_vs_maps, 900)
{
	unsigned int rounds = 20 * scale(), i, t;
	pthread_t tasks[AD_ADDERS + AD_MAPPERS];
	struct famfs_ioc_simple_extent sb = { .len = M2 };
	struct ad_race r;
	char *sb_path;
	int fd;

	memset(&r, 0, sizeof(r));
	ASSERT_TRUE(famfs_dev_paths(r.dev, AD_DEVS))
		TH_LOG("FAMFS_DEVS names fewer than %d devices", AD_DEVS - 1);
	for (i = 1; i < AD_DEVS; i++) {
		r.size[i] = famfs_dev_size(r.dev[i]);
		ASSERT_LE(DATA_OFF + 300 * M2, r.size[i]);
	}
	r.mpt = self->mpt;
	sb_path = path_in(self->mpt, ".superblock");
	ASSERT_EQ(0, pthread_barrier_init(&r.start, NULL, AD_ADDERS + AD_MAPPERS));
	for (i = 0; i < rounds; i++) {
		r.round = i;
		ASSERT_EQ(0, famfs_mount(self->mpt));
		fd = open(sb_path, O_RDWR | O_CREAT | O_EXCL, 0644);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, famfs_map_simple_v2(fd, FAMFS_SUPERBLOCK, M2, &sb, 1));
		r.sb_fd = fd;
		for (t = 0; t < AD_ADDERS + AD_MAPPERS; t++)
			ASSERT_EQ(0, pthread_create(&tasks[t], NULL,
						    t < AD_ADDERS ? ad_adder : ad_mapper,
						    &r));
		for (t = 0; t < AD_ADDERS + AD_MAPPERS; t++)
			pthread_join(tasks[t], NULL);
		EXPECT_EQ(AD_DEVS - 1, famfs_max_dev(fd));
		close(fd);
		ASSERT_EQ(0, umount(self->mpt));
		/* every device was given back: each mounts on its own */
		for (t = 1; t < AD_DEVS; t++) {
			ASSERT_EQ(0, mount(r.dev[t], self->mpt, "famfs",
					   FAMFS_MOUNT_FLAGS, ""))
				TH_LOG("round %u: %s", i, r.dev[t]);
			ASSERT_EQ(0, umount(self->mpt));
		}
	}
	pthread_barrier_destroy(&r.start);
	EXPECT_EQ(0, r.wrong);
	ksft_print_msg("add_daxdev_vs_maps: %u rounds: %u maps before their device, %u after\n",
		       rounds, r.early, r.late);
	free(sb_path);
}

/*
 * Device 2 of four goes away while tasks read files on every device: each
 * read returns the file's bytes, or, on device 2 and only once it is
 * going away, EIO; files on the other devices never fail. Umount, rebind,
 * and again.
 */
#define UO_READERS	3

struct uo_race {
	int fd[UO_READERS];
	unsigned int dev[UO_READERS];
	uint64_t seed;
	int stop;
	unsigned int wrong, eio_on_2;
};

static void *uo_reader(void *arg)
{
	struct uo_race *r = ((void **)arg)[0];
	unsigned int t = (uintptr_t)((void **)arg)[1];
	uint8_t buf[16384];
	ssize_t n;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		n = pread(r->fd[t], buf, sizeof(buf), M2 / 2);
		if (n == (ssize_t)sizeof(buf) &&
		    famfs_pattern_check(buf, M2 / 2, sizeof(buf), r->seed + t) == -1)
			continue;
		if (n < 0 && errno == EIO && r->dev[t] == 2) {
			/* device 2 going away: from now on, every time */
			__atomic_add_fetch(&r->eio_on_2, 1, __ATOMIC_RELAXED);
			continue;
		}
		__atomic_add_fetch(&r->wrong, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST_F_TIMEOUT(race, unbind_of_one_device_vs_reads, 900)
{
	unsigned int rounds = 5 * scale(), i, t, eio = 0;
	struct famfs_ioc_simple_extent se = { .len = M2 }, sb = { .len = M2 };
	const char *dev[AD_DEVS];
	pthread_t tasks[UO_READERS];
	void *args[UO_READERS][2];
	uint8_t *data = malloc(M2);
	struct uo_race r;
	char name[64];
	int fd;

	ASSERT_NE(NULL, data);
	ASSERT_TRUE(famfs_dev_paths(dev, AD_DEVS));
	for (i = 0; i < rounds; i++) {
		memset(&r, 0, sizeof(r));
		r.seed = 0x5eed0100 + i * 8;
		ASSERT_EQ(0, famfs_mount(self->mpt));
		fd = open(path_in(self->mpt, ".superblock"), O_RDWR | O_CREAT, 0644);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, famfs_map_simple_v2(fd, FAMFS_SUPERBLOCK, M2, &sb, 1));
		for (t = 1; t < AD_DEVS; t++)
			ASSERT_EQ(0, famfs_add_dev(fd, dev[t], t,
						   famfs_dev_size(dev[t])));
		close(fd);
		for (t = 0; t < UO_READERS; t++) {
			/* devices 0, 2, 3 */
			r.dev[t] = t ? t + 1 : 0;
			se.devindex = r.dev[t];
			se.offset = DATA_OFF + (10 + t) * M2;
			snprintf(name, sizeof(name), "%s/r%u", self->mpt, t);
			r.fd[t] = open(name, O_RDWR | O_CREAT | O_EXCL, 0644);
			ASSERT_LE(0, r.fd[t]);
			ASSERT_EQ(0, famfs_map_simple_v2(r.fd[t], FAMFS_REG, M2,
							 &se, 1));
			famfs_pattern_fill(data, 0, M2, r.seed + t);
			ASSERT_EQ((ssize_t)M2, pwrite(r.fd[t], data, M2, 0));
			args[t][0] = &r;
			args[t][1] = (void *)(uintptr_t)t;
			ASSERT_EQ(0, pthread_create(&tasks[t], NULL, uo_reader,
						    args[t]));
		}
		usleep(100000);
		ASSERT_EQ(0, famfs_dax_bind(dev[2], false));
		usleep(100000);
		__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
		for (t = 0; t < UO_READERS; t++)
			pthread_join(tasks[t], NULL);
		/* after the removal, device 2's file fails, the others work */
		EXPECT_EQ(-1, pread(r.fd[1], data, 64, 0));
		EXPECT_EQ(64, pread(r.fd[0], data, 64, 0));
		EXPECT_EQ(64, pread(r.fd[2], data, 64, 0));
		EXPECT_EQ(0, r.wrong) TH_LOG("round %u", i);
		eio += r.eio_on_2;
		for (t = 0; t < UO_READERS; t++)
			close(r.fd[t]);
		ASSERT_EQ(0, umount(self->mpt));
		ASSERT_EQ(0, famfs_dax_bind(dev[2], true));
	}
	free(data);
	ksft_print_msg("unbind_of_one_device_vs_reads: %u rounds, %u failed reads of device 2\n",
		       rounds, eio);
}

/* ----------------------------------------------------------------------- */
/* Allocation and user-copy failures */

#define FI	"/sys/kernel/debug/"

/*
 * Every kind of failure fail-nth can inject, set to fail what it is asked
 * to: the defaults would make a sweep pass without testing anything
 * (sleeping allocations and order-0 pages are left alone), and every
 * injected failure would print a stack.
 */
static const char * const fi_knobs[][2] = {
	{ FI "failslab/ignore-gfp-wait", "N" },
	{ FI "failslab/verbose", "0" },
	{ FI "fail_page_alloc/ignore-gfp-wait", "N" },
	{ FI "fail_page_alloc/min-order", "0" },
	{ FI "fail_page_alloc/verbose", "0" },
	{ FI "fail_usercopy/verbose", "0" },
};

struct failnth_ctx {
	char *mpt;
	char *file, *other;
	int fd;		/* the file the ioctls run on */
	int nth;	/* /proc/thread-self/fail-nth */
};

/* One kind of call, swept */
struct failnth_call {
	/* before each try: what the call needs (may be NULL) */
	int (*prepare)(struct failnth_ctx *c);
	/* the call: 0 or -errno */
	int (*call)(struct failnth_ctx *c);
	/* after a try that failed: nothing is half done (0), or -errno */
	int (*undone)(struct failnth_ctx *c);
	/* after a try that succeeded: it is done (0); then clean up */
	int (*done)(struct failnth_ctx *c);
};

static int fi_mount(struct failnth_ctx *c)
{
	return famfs_mount(c->mpt);
}

/* The device is not held: it mounts, and unmounts */
static int fi_device_free(struct failnth_ctx *c)
{
	int err = famfs_mount(c->mpt);

	if (err)
		return err;
	return umount(c->mpt) ? -errno : 0;
}

static int fi_umount(struct failnth_ctx *c)
{
	return umount(c->mpt) ? -errno : 0;
}

/* The new mount API, step by step: each step may be the one that fails */
static int fi_fsmount(struct failnth_ctx *c)
{
	int fs, mnt, err = 0;

	fs = syscall(SYS_fsopen, "famfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "source",
		    famfs_dev_path(), 0) ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode", "0755", 0) ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		err = -errno;
		goto out;
	}
	mnt = syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOATIME);
	if (mnt < 0) {
		err = -errno;
		goto out;
	}
	if (syscall(SYS_move_mount, mnt, "", AT_FDCWD, c->mpt,
		    MOVE_MOUNT_F_EMPTY_PATH))
		err = -errno;
	close(mnt);
out:
	close(fs);
	return err;
}

/* A new, empty, unmapped file for the ioctls */
static int fi_new_file(struct failnth_ctx *c)
{
	c->fd = open(c->file, O_RDWR | O_CREAT | O_EXCL, 0644);
	return c->fd < 0 ? -errno : 0;
}

static int fi_drop_file(struct failnth_ctx *c)
{
	close(c->fd);
	c->fd = -1;
	return unlink(c->file) ? -errno : 0;
}

static const struct famfs_extent fi_ext[2] = {
	{ DATA_OFF, 2 * M2 }, { DATA_OFF + 8 * M2, M2 },
};

static const uint64_t fi_strips[4] = {
	DATA_OFF, DATA_OFF + 16 * M2, DATA_OFF + 32 * M2, DATA_OFF + 48 * M2,
};

static int fi_map_create(struct failnth_ctx *c)
{
	return famfs_map_simple(c->fd, FAMFS_REG, 3 * M2 - 4096, fi_ext, 2);
}

static int fi_map_create_v2(struct failnth_ctx *c)
{
	return famfs_map_interleaved(c->fd, 16 * M2, 2 * M2, 4, fi_strips,
				     4 * M2);
}

/*
 * A failed MAP_CREATE left the file as it was: no map, no size, and it
 * takes the map now.
 */
static int fi_unmapped_then_maps(struct failnth_ctx *c,
				 int (*map)(struct failnth_ctx *c))
{
	struct famfs_ioc_map m;
	struct stat st;
	int err;

	if (!ioctl(c->fd, FAMFSIOC_MAP_GET, &m))
		return -EEXIST;
	if (errno != ENODATA)
		return -errno;
	if (fstat(c->fd, &st))
		return -errno;
	if (st.st_size)
		return -EFBIG;
	err = map(c);
	if (err)
		return err;
	return fi_drop_file(c);
}

static int fi_map_create_undone(struct failnth_ctx *c)
{
	return fi_unmapped_then_maps(c, fi_map_create);
}

static int fi_map_create_v2_undone(struct failnth_ctx *c)
{
	return fi_unmapped_then_maps(c, fi_map_create_v2);
}

/* A MAP_CREATE that succeeded: the map is there, returned as given */
static int fi_mapped(struct failnth_ctx *c)
{
	struct famfs_ioc_get_fmap gm;

	memset(&gm, 0, sizeof(gm));
	if (ioctl(c->fd, FAMFSIOC_MAP_GET_V2, &gm))
		return -errno;
	if (gm.iocmap.fioc_ext_type == FAMFS_EXT_SIMPLE ?
	    gm.iocmap.fioc_nextents != 2 || gm.ikse[1].offset != fi_ext[1].offset :
	    gm.ks.ikie.ie_nstrips != 4 ||
	    gm.ks.kie_strips[3].offset != fi_strips[3])
		return -EBADE;
	return fi_drop_file(c);
}

/* The getters run on one mapped file, which must not change */
static int fi_mapped_file(struct failnth_ctx *c)
{
	int err;

	if (c->fd >= 0)
		return 0;
	err = fi_new_file(c);
	return err ? err : fi_map_create(c);
}

static int fi_map_get(struct failnth_ctx *c)
{
	struct famfs_ioc_map m;

	return ioctl(c->fd, FAMFSIOC_MAP_GET, &m) ? -errno : 0;
}

static int fi_map_getext(struct failnth_ctx *c)
{
	struct famfs_extent e[2];

	return ioctl(c->fd, FAMFSIOC_MAP_GETEXT, e) ? -errno : 0;
}

static int fi_map_get_v2(struct failnth_ctx *c)
{
	struct famfs_ioc_get_fmap gm;

	return ioctl(c->fd, FAMFSIOC_MAP_GET_V2, &gm) ? -errno : 0;
}

/* The map is still the one given */
static int fi_map_unchanged(struct failnth_ctx *c)
{
	struct famfs_ioc_map m;

	memset(&m, 0, sizeof(m));
	if (ioctl(c->fd, FAMFSIOC_MAP_GET, &m))
		return -errno;
	if (m.ext_list_count != 2 || m.file_size != 3 * M2 - 4096 ||
	    memcmp(m.ext_list, fi_ext, sizeof(fi_ext)))
		return -EBADE;
	return 0;
}

static int fi_create(struct failnth_ctx *c)
{
	int fd = open(c->file, O_RDWR | O_CREAT | O_EXCL, 0644);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int fi_mkdir(struct failnth_ctx *c)
{
	return mkdir(c->file, 0755) ? -errno : 0;
}

/* A failed create or mkdir left no name behind */
static int fi_no_name(struct failnth_ctx *c)
{
	struct stat st;

	if (!lstat(c->file, &st))
		return -EEXIST;
	return errno == ENOENT ? 0 : -errno;
}

static int fi_remove(struct failnth_ctx *c)
{
	struct stat st;

	if (lstat(c->file, &st))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return rmdir(c->file) ? -errno : 0;
	return unlink(c->file) ? -errno : 0;
}

static int fi_rename_prepare(struct failnth_ctx *c)
{
	return fi_create(c);
}

static int fi_rename(struct failnth_ctx *c)
{
	return rename(c->file, c->other) ? -errno : 0;
}

/* The rename did not happen: the old name is there, the new one is not */
static int fi_not_renamed(struct failnth_ctx *c)
{
	struct stat st;

	if (lstat(c->file, &st))
		return -errno;
	if (!lstat(c->other, &st))
		return -EEXIST;
	return fi_remove(c);
}

static int fi_renamed(struct failnth_ctx *c)
{
	struct stat st;

	if (!lstat(c->file, &st))
		return -EEXIST;
	return unlink(c->other) ? -errno : 0;
}

/* Device 1 of FAMFS_DEVS and its size, found before the sweep's calls */
static const char *fi_dev1;
static uint64_t fi_dev1_size;

/*
 * ADD_DAXDEV, on the superblock file, which prepare makes once. What the
 * call needs is looked up here: fail-nth counts every allocation the task
 * makes, those of a stat() or fopen() too.
 */
static int fi_superblock(struct failnth_ctx *c)
{
	static const struct famfs_extent sb = { 0, FAMFS_M2 };
	const char *dev[2];

	if (!fi_dev1) {
		fi_dev1 = famfs_dev_paths(dev, 2) ? dev[1] : "/dev/famfs-no-FAMFS_DEVS";
		fi_dev1_size = famfs_dev_size(fi_dev1);
	}
	if (c->fd >= 0)
		return 0;
	c->fd = open(c->file, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (c->fd < 0)
		return -errno;
	return famfs_map_simple(c->fd, FAMFS_SUPERBLOCK, FAMFS_M2, &sb, 1);
}

static int fi_add_daxdev(struct failnth_ctx *c)
{
	return famfs_add_dev(c->fd, fi_dev1, 1, fi_dev1_size);
}

/* Not added: the mount knows device 0 alone, and device 1 is not held */
static int fi_add_daxdev_undone(struct failnth_ctx *c)
{
	char *mpt;
	int err;

	if (famfs_max_dev(c->fd) != 0)
		return -EEXIST;
	mpt = make_dir("failnth-dev1");
	err = mount(fi_dev1, mpt, "famfs", FAMFS_MOUNT_FLAGS, "") ? -errno : 0;
	if (!err)
		err = umount(mpt) ? -errno : 0;
	rmdir(mpt);
	free(mpt);
	return err;
}

/* Added; then a new mount for the next try, which has device 0 alone */
static int fi_add_daxdev_done(struct failnth_ctx *c)
{
	if (famfs_max_dev(c->fd) != 1)
		return -ENXIO;
	close(c->fd);
	c->fd = -1;
	if (umount(c->mpt))
		return -errno;
	return famfs_mount(c->mpt);
}

FIXTURE(failnth) {
	struct failnth_ctx c;
	char saved[ARRAY_SIZE(fi_knobs)][32];
	bool mounted;
};

FIXTURE_VARIANT(failnth) {
	const char *what;
	struct failnth_call call;
	bool unmounted;		/* the call mounts: the case does not */
};

FIXTURE_VARIANT_ADD(failnth, mount) {
	.what = "mount(2)",
	.unmounted = true,
	.call = { NULL, fi_mount, fi_device_free, fi_umount },
};

FIXTURE_VARIANT_ADD(failnth, fsopen_fsconfig_fsmount) {
	.what = "fsopen+fsconfig+fsmount+move_mount",
	.unmounted = true,
	.call = { NULL, fi_fsmount, fi_device_free, fi_umount },
};

FIXTURE_VARIANT_ADD(failnth, map_create) {
	.what = "MAP_CREATE",
	.call = { fi_new_file, fi_map_create, fi_map_create_undone, fi_mapped },
};

FIXTURE_VARIANT_ADD(failnth, map_create_v2_interleaved) {
	.what = "MAP_CREATE_V2 (interleaved)",
	.call = { fi_new_file, fi_map_create_v2, fi_map_create_v2_undone,
		  fi_mapped },
};

FIXTURE_VARIANT_ADD(failnth, map_get) {
	.what = "MAP_GET",
	.call = { fi_mapped_file, fi_map_get, fi_map_unchanged,
		  fi_map_unchanged },
};

FIXTURE_VARIANT_ADD(failnth, map_getext) {
	.what = "MAP_GETEXT",
	.call = { fi_mapped_file, fi_map_getext, fi_map_unchanged,
		  fi_map_unchanged },
};

FIXTURE_VARIANT_ADD(failnth, map_get_v2) {
	.what = "MAP_GET_V2",
	.call = { fi_mapped_file, fi_map_get_v2, fi_map_unchanged,
		  fi_map_unchanged },
};

FIXTURE_VARIANT_ADD(failnth, create) {
	.what = "create",
	.call = { NULL, fi_create, fi_no_name, fi_remove },
};

FIXTURE_VARIANT_ADD(failnth, mkdir) {
	.what = "mkdir",
	.call = { NULL, fi_mkdir, fi_no_name, fi_remove },
};

FIXTURE_VARIANT_ADD(failnth, rename) {
	.what = "rename",
	.call = { fi_rename_prepare, fi_rename, fi_not_renamed, fi_renamed },
};

FIXTURE_VARIANT_ADD(failnth, add_daxdev) {
	.what = "ADD_DAXDEV",
	.call = { fi_superblock, fi_add_daxdev, fi_add_daxdev_undone,
		  fi_add_daxdev_done },
};

static int read_knob(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

FIXTURE_SETUP(failnth)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fi_knobs); i++) {
		ASSERT_EQ(0, read_knob(fi_knobs[i][0], self->saved[i],
				       sizeof(self->saved[i]))) {
			TH_LOG("%s: fault injection is not there (config)",
			       fi_knobs[i][0]);
		}
		ASSERT_EQ(0, write_file(fi_knobs[i][0], fi_knobs[i][1]));
	}
	self->c.fd = -1;
	self->c.mpt = make_dir("failnth");
	ASSERT_NE(NULL, self->c.mpt);
	self->c.file = path_in(self->c.mpt, "name");
	self->c.other = path_in(self->c.mpt, "other");
	self->c.nth = open("/proc/thread-self/fail-nth", O_RDWR);
	ASSERT_LE(0, self->c.nth);
	if (!variant->unmounted) {
		ASSERT_EQ(0, famfs_mount(self->c.mpt));
		self->mounted = true;
	}
}

FIXTURE_TEARDOWN(failnth)
{
	unsigned int i;

	if (self->c.fd >= 0)
		close(self->c.fd);
	if (umount(self->c.mpt) && errno != EINVAL) {
		TH_LOG("umount %s: %s", self->c.mpt, strerror(errno));
		umount2(self->c.mpt, MNT_DETACH);
		_metadata->exit_code = KSFT_FAIL;
	}
	rmdir(self->c.mpt);
	for (i = 0; i < ARRAY_SIZE(fi_knobs); i++)
		if (self->saved[i][0])
			write_file(fi_knobs[i][0], self->saved[i]);
}

/*
 * Reading and writing fail-nth copy to and from user space, which counts
 * too: while a count is left, the copy can be the point that fails
 * (EFAULT). A write that fails that way still used the count up, so it is
 * tried again.
 */
static int set_fail_nth(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n), i;

	for (i = 0; i < 3; i++) {
		if (pwrite(fd, buf, len, 0) == len)
			return 0;
		if (errno != EFAULT)
			break;
	}
	return -errno;
}

/* What is left of the count: 0 once the nth point was reached */
static int get_fail_nth(int fd)
{
	char buf[16];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0 && errno == EFAULT)
		return 1;	/* the read's own copy was the last point */
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return atoi(buf);
}

/*
 * The sweep: fail point n = 1, 2, ... of the call until the call no
 * longer reaches point n (fail-nth is left unconsumed). Each failure must
 * be ENOMEM or EFAULT and leave nothing half done; a call may also absorb
 * a failure (a fallback) and succeed, which must then be whole.
 */
TEST_F_TIMEOUT(failnth, each_failure_is_clean, 900)
{
	const struct failnth_call *call = &variant->call;
	unsigned int n, failed = 0, absorbed = 0;
	struct failnth_ctx *c = &self->c;
	int ret, left, err;

	for (n = 1; n < 100000; n++) {
		if (call->prepare)
			ASSERT_EQ(0, call->prepare(c));
		ASSERT_EQ(0, set_fail_nth(c->nth, n));
		ret = call->call(c);
		left = get_fail_nth(c->nth);
		ASSERT_EQ(0, set_fail_nth(c->nth, 0));
		ASSERT_LE(0, left);
		if (left) {
			/* the call completed without reaching point n */
			ASSERT_EQ(0, ret) {
				TH_LOG("point %u not reached, and still %s", n,
				       strerror(-ret));
			}
			ASSERT_EQ(0, call->done(c));
			break;
		}
		if (!ret) {
			absorbed++;
			err = call->done(c);
			ASSERT_EQ(0, err) {
				TH_LOG("point %u failed and the call succeeded, but not wholly: %s",
				       n, strerror(-err));
			}
			continue;
		}
		failed++;
		EXPECT_TRUE(ret == -ENOMEM || ret == -EFAULT) {
			TH_LOG("point %u: %s", n, strerror(-ret));
		}
		err = call->undone(c);
		ASSERT_EQ(0, err) {
			TH_LOG("after point %u failed (%s), the call is half done: %s",
			       n, strerror(-ret), strerror(-err));
		}
	}
	ASSERT_LT(1, n);
	/* nothing is left over: the namespace is as it was */
	if (!variant->unmounted)
		EXPECT_EQ(c->fd >= 0 ? 1 : 0, dir_entries(c->mpt));
	ksft_print_msg("%s: %u fault points: %u failed the call, %u were absorbed\n",
		       variant->what, n - 1, failed, absorbed);
}

int main(int argc, char **argv)
{
	if (!famfs_dev_path() && !famfs_only_listing(argc, argv)) {
		ksft_print_header();
		ksft_exit_skip(FAMFS_NO_DEVICE "\n");
	}
	return test_harness_run(argc, argv);
}
