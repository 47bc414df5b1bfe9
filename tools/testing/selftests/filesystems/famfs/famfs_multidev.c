// SPDX-License-Identifier: GPL-2.0
/*
 * famfs over several real device-dax instances, from user space.
 *
 * Device 0 is $FAMFS_DEV; $FAMFS_DEVS names three or more other instances,
 * all chosen for file systems (fs_dax), and $FAMFS_DEV_PLAIN one that is
 * not. The cases overwrite their memory, poison a page of one for good
 * (until the next boot), and unbind and rebind their driver: without the
 * devices nothing runs and the test skips. Needs root, debugfs and
 * CONFIG_MEMORY_FAILURE.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "../../kselftest_harness.h"
#include "famfs_util.h"

#define M2		FAMFS_M2
#define NDEV		4
/* Memory of each device the cases use: past every superblock and log */
#define DATA_OFF	(64 * M2)
#define DEBUGFS		"/sys/kernel/debug/famfs"

/* The layout user space must follow, on every architecture */
static_assert(sizeof(struct famfs_ioc_add_daxdev) == 96, "ADD_DAXDEV size");
static_assert(offsetof(struct famfs_ioc_add_daxdev, size) == 16, "size");
static_assert(offsetof(struct famfs_ioc_add_daxdev, index) == 24, "index");
static_assert(offsetof(struct famfs_ioc_add_daxdev, name) == 28, "name");
static_assert(offsetof(struct famfs_ioc_add_daxdev, pad) == 92, "pad");
static_assert(FAMFSIOC_ADD_DAXDEV == 0x40607556, "ADD_DAXDEV number");
static_assert(FAMFSIOC_GET_MAX_DAXDEV == 0x80047557, "GET_MAX number");

static const char *dev_path[NDEV];
static const char *plain_dev;

/* FAMFS_DEV, three of FAMFS_DEVS, and FAMFS_DEV_PLAIN: all there? */
static bool find_devices(void)
{
	plain_dev = getenv("FAMFS_DEV_PLAIN");
	return famfs_dev_paths(dev_path, NDEV) && plain_dev;
}

/* Create @name in @dir, empty: an fd, or -errno */
static int create_in(const char *dir, const char *name)
{
	char *path = path_in(dir, name);
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);

	free(path);
	return fd < 0 ? -errno : fd;
}

/* What a debugfs file of the mount says, or "" */
static void mount_debugfs(const char *file, char *buf, size_t len)
{
	struct stat st;
	char path[128];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	if (stat(dev_path[0], &st))
		return;
	snprintf(path, sizeof(path), DEBUGFS "/%u:%u/%s", major(st.st_rdev),
		 minor(st.st_rdev), file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
}

/* The options /proc/mounts shows for @mpt, or "" */
static void mount_opts(const char *mpt, char *opts, size_t len)
{
	char line[1024], src[256], m[256], type[64], o[768];
	FILE *f = fopen("/proc/mounts", "r");

	opts[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %255s %63s %767s", src, m, type, o) == 4 &&
		    !strcmp(m, mpt))
			snprintf(opts, len, "%s", o);
	fclose(f);
}

/* Whether the kernel log since @since (a /dev/kmsg fd) has @text */
static bool kmsg_has(int fd, const char *text)
{
	char rec[2048];
	bool found = false;
	ssize_t n;

	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = '\0';
		if (strstr(rec, text))
			found = true;
	}
	return found;
}

static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * The mount as famfs user space makes it: device 0 mounted, its superblock
 * file at offset 0 and its log, then every other device registered on the
 * superblock file (read-only, as replay holds it) and given its own
 * superblock file, .superblock.N, as user space's plan lays them out.
 */
struct multi {
	char *mpt;
	int sb_fd;
	uint64_t size[NDEV];
};

FIXTURE(multi) {
	struct multi m;
};

static void mount_and_register(struct __test_metadata *_metadata,
			       struct multi *self)
{
	struct famfs_ioc_simple_extent sb = { .len = M2 };
	struct famfs_ioc_simple_extent log = { .offset = M2, .len = 8 * M2 };
	char name[32];
	int fd, i;

	ASSERT_EQ(0, mount(dev_path[0], self->mpt, "famfs", FAMFS_MOUNT_FLAGS, ""));
	fd = create_in(self->mpt, ".superblock");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, famfs_map_simple_v2(fd, FAMFS_SUPERBLOCK, M2, &sb, 1));
	close(fd);
	fd = create_in(self->mpt, ".log");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, famfs_map_simple_v2(fd, FAMFS_LOG, 8 * M2, &log, 1));
	close(fd);

	self->sb_fd = open(path_in(self->mpt, ".superblock"), O_RDONLY);
	ASSERT_LE(0, self->sb_fd);
	for (i = 1; i < NDEV; i++) {
		ASSERT_EQ(0, famfs_add_dev(self->sb_fd, dev_path[i], i, self->size[i]));
		snprintf(name, sizeof(name), ".superblock.%d", i);
		fd = create_in(self->mpt, name);
		ASSERT_LE(0, fd);
		sb.devindex = i;
		ASSERT_EQ(0, famfs_map_simple_v2(fd, FAMFS_SUPERBLOCK, M2, &sb, 1));
		close(fd);
	}
}

FIXTURE_SETUP(multi)
{
	int i;

	self->m.mpt = make_dir("multi");
	self->m.sb_fd = -1;
	for (i = 0; i < NDEV; i++) {
		self->m.size[i] = famfs_dev_size(dev_path[i]);
		ASSERT_LE(DATA_OFF + 420 * M2, self->m.size[i]);
	}
	mount_and_register(_metadata, &self->m);
}

static void unmount(struct multi *self)
{
	if (self->sb_fd >= 0)
		close(self->sb_fd);
	self->sb_fd = -1;
	umount(self->mpt);
}

FIXTURE_TEARDOWN(multi)
{
	unmount(&self->m);
	rmdir(self->m.mpt);
}

/*
 * Every device is registered, shows in /proc/mounts, and registering it
 * again, as every replay does, changes nothing.
 */
TEST_F(multi, devices_are_registered)
{
	char opts[768], want[128], buf[256];
	int fd, i;

	EXPECT_EQ(NDEV - 1, famfs_max_dev(self->m.sb_fd));
	mount_opts(self->m.mpt, opts, sizeof(opts));
	for (i = 1; i < NDEV; i++) {
		snprintf(want, sizeof(want), ",daxdev%d=%s", i, dev_path[i]);
		EXPECT_NE(NULL, strstr(opts, want)) TH_LOG("%s in %s", want, opts);
		EXPECT_EQ(0, famfs_add_dev(self->m.sb_fd, dev_path[i], i, self->m.size[i]));
		snprintf(want, sizeof(want), "failed_memory.%d", i);
		mount_debugfs(want, buf, sizeof(buf));
		EXPECT_STREQ("", buf);
	}
	EXPECT_EQ(0, famfs_add_dev(self->m.sb_fd, dev_path[0], 0, self->m.size[0]));
	/* any famfs file answers GET_MAX_DAXDEV, a fresh one too */
	fd = create_in(self->m.mpt, "plain");
	ASSERT_LE(0, fd);
	EXPECT_EQ(NDEV - 1, famfs_max_dev(fd));
	close(fd);
	/* a remount that passes the options back keeps them */
	ASSERT_NE(NULL, strstr(opts, "daxdev1="));
	EXPECT_EQ(0, mount(NULL, self->m.mpt, NULL, MS_REMOUNT | FAMFS_MOUNT_FLAGS,
			   strstr(opts, "daxdev1=")));
	mount_opts(self->m.mpt, buf, sizeof(buf));
	EXPECT_NE(NULL, strstr(buf, ",daxdev3=")) TH_LOG("%s", buf);
	snprintf(want, sizeof(want), "daxdev1=%s", dev_path[2]);
	EXPECT_EQ(-1, mount(NULL, self->m.mpt, NULL, MS_REMOUNT | FAMFS_MOUNT_FLAGS,
			    want));
	EXPECT_EQ(EINVAL, errno);
}

static void drop_rawio_and_add(void *arg)
{
	struct multi *self = arg;
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		_exit(20);
	d[CAP_SYS_RAWIO / 32].effective &= ~(1U << (CAP_SYS_RAWIO % 32));
	if (syscall(SYS_capset, &h, d))
		_exit(21);
	_exit(famfs_add_dev(self->sb_fd, dev_path[1], 1, self->size[1]) == -EPERM ? 0 : 22);
}

/* Each refusal, with its errno and a line in the kernel log */
TEST_F(multi, refusals)
{
	struct famfs_ioc_simple_extent sb = { .len = M2 };
	char *second = make_dir("second");
	int kmsg = kmsg_open(), fd;

	ASSERT_LE(0, kmsg);
	/* a regular file does not take it */
	fd = famfs_create_mapped(path_in(self->m.mpt, "regular"), M2, DATA_OFF);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, famfs_add_dev(fd, dev_path[1], 1, self->m.size[1]));
	close(fd);
	EXPECT_EQ(0, in_child(drop_rawio_and_add, &self->m));
	/* a gap: before the device is looked at (a known one is EEXIST) */
	EXPECT_EQ(-EINVAL, famfs_add_dev(self->m.sb_fd, plain_dev, NDEV + 1, M2));
	EXPECT_EQ(-ENOENT, famfs_add_dev(self->m.sb_fd, "/dev/famfs-no-such-dax", NDEV, M2));
	EXPECT_EQ(-EINVAL, famfs_add_dev(self->m.sb_fd, "/dev", NDEV, M2));
	EXPECT_EQ(-ENODEV, famfs_add_dev(self->m.sb_fd, "/dev/null", NDEV, M2));
	EXPECT_EQ(-EOPNOTSUPP, famfs_add_dev(self->m.sb_fd, plain_dev, NDEV, M2));
	EXPECT_EQ(-ERANGE, famfs_add_dev(self->m.sb_fd, dev_path[1], 1, self->m.size[1] + M2));
	EXPECT_EQ(-EEXIST, famfs_add_dev(self->m.sb_fd, dev_path[1], 2, M2));
	EXPECT_EQ(-EEXIST, famfs_add_dev(self->m.sb_fd, dev_path[2], 1, M2));
	EXPECT_EQ(-EEXIST, famfs_add_dev(self->m.sb_fd, dev_path[0], NDEV, M2));
	EXPECT_EQ(-EINVAL, famfs_add_dev(self->m.sb_fd, dev_path[1], 1, 0));
	EXPECT_TRUE(kmsg_has(kmsg, "cannot add /dev/famfs-no-such-dax as device"));

	/* a device another famfs mount holds */
	unmount(&self->m);
	ASSERT_EQ(0, mount(dev_path[3], second, "famfs", FAMFS_MOUNT_FLAGS, ""));
	ASSERT_EQ(0, mount(dev_path[0], self->m.mpt, "famfs", FAMFS_MOUNT_FLAGS, ""));
	fd = create_in(self->m.mpt, ".superblock");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, famfs_map_simple_v2(fd, FAMFS_SUPERBLOCK, M2, &sb, 1));
	EXPECT_EQ(0, famfs_add_dev(fd, dev_path[1], 1, self->m.size[1]));
	EXPECT_EQ(0, famfs_add_dev(fd, dev_path[2], 2, self->m.size[2]));
	EXPECT_EQ(-EBUSY, famfs_add_dev(fd, dev_path[3], 3, self->m.size[3]));
	EXPECT_EQ(0, umount(second));
	EXPECT_EQ(0, famfs_add_dev(fd, dev_path[3], 3, self->m.size[3]));
	close(fd);
	rmdir(second);
	close(kmsg);
}

/* Strips 0..3 of a striped file: one on each device */
static void stripes(struct famfs_ioc_simple_extent *st, uint64_t base,
		    uint64_t len)
{
	int i;

	memset(st, 0, NDEV * sizeof(*st));
	for (i = 0; i < NDEV; i++) {
		st[i].devindex = i;
		/* a different offset on each device */
		st[i].offset = base + i * 4 * M2;
		st[i].len = len;
	}
}

/*
 * A file @name striped over the four devices from @base on each (see
 * stripes()), @size bytes written with the pattern of @seed: an fd, or
 * -errno
 */
static int striped_file(struct multi *self, const char *name,
			struct famfs_ioc_simple_extent *st, uint64_t base,
			uint64_t size, uint64_t seed)
{
	uint8_t *buf = malloc(size);
	int fd, err;

	if (!buf)
		return -ENOMEM;
	stripes(st, base, size / NDEV);
	fd = create_in(self->mpt, name);
	err = fd < 0 ? fd : famfs_map_strips(fd, size, M2, st, NDEV);
	famfs_pattern_fill(buf, 0, size, seed);
	if (!err && pwrite(fd, buf, size, 0) != (ssize_t)size)
		err = -EIO;
	free(buf);
	if (err && fd >= 0)
		close(fd);
	return err ? err : fd;
}

/* Check every byte of a striped file of @size through each device */
static void check_on_devices(struct __test_metadata *_metadata,
			     const struct famfs_ioc_simple_extent *st,
			     uint64_t size, uint64_t seed)
{
	uint64_t chunk;

	for (chunk = 0; chunk < size / M2; chunk++) {
		const struct famfs_ioc_simple_extent *s = &st[chunk % NDEV];
		uint8_t *p = famfs_dev_mmap(dev_path[s->devindex],
					    s->offset + chunk / NDEV * M2, M2);

		ASSERT_NE(MAP_FAILED, p);
		EXPECT_EQ(-1, famfs_pattern_check(p, chunk * M2, M2, seed))
			TH_LOG("chunk %llu on device %llu",
			       (unsigned long long)chunk,
			       (unsigned long long)s->devindex);
		munmap(p, M2);
	}
}

/*
 * A file striped over the four devices: written with write(2), every byte
 * reads back through read(2), through mmap of the file, and through each
 * /dev/daxN.0 at the offset its map names; MAP_GET_V2 returns the devices.
 */
TEST_F(multi, striped_over_every_device)
{
	const uint64_t size = 16 * M2, seed = 0x5eed0001;
	struct famfs_ioc_simple_extent st[NDEV];
	struct famfs_ioc_get_fmap gm;
	uint8_t *buf = malloc(size), *p;
	int fd, i;

	ASSERT_NE(NULL, buf);
	fd = striped_file(&self->m, "striped", st, DATA_OFF, size, seed);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)size, pread(fd, buf, size, 0));
	EXPECT_EQ(-1, famfs_pattern_check(buf, 0, size, seed));
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, famfs_pattern_check(p, 0, size, seed));
	munmap(p, size);
	check_on_devices(_metadata, st, size, seed);

	memset(&gm, 0, sizeof(gm));
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GET_V2, &gm));
	EXPECT_EQ(NDEV, gm.ks.ikie.ie_nstrips);
	for (i = 0; i < NDEV; i++) {
		EXPECT_EQ(i, gm.ks.kie_strips[i].devindex);
		EXPECT_EQ(st[i].offset, gm.ks.kie_strips[i].offset);
	}
	close(fd);
	free(buf);
}

/*
 * Two simple extents on two devices, written through mmap: the bytes are
 * on each device where the map says, and read(2) returns them.
 */
TEST_F(multi, simple_extents_on_two_devices)
{
	const uint64_t seed = 0x5eed0002;
	struct famfs_ioc_simple_extent se[2] = {
		{ .devindex = 2, .offset = DATA_OFF + 40 * M2, .len = 2 * M2 },
		{ .devindex = 1, .offset = DATA_OFF + 44 * M2, .len = M2 },
	};
	struct famfs_ioc_map imap;
	uint8_t *p, *d, buf[4096];
	int fd;

	fd = create_in(self->m.mpt, "two");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, famfs_map_simple_v2(fd, FAMFS_REG, 3 * M2 - 100, se, 2));
	p = mmap(NULL, 3 * M2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	famfs_pattern_fill(p, 0, 3 * M2 - 100, seed);
	munmap(p, 3 * M2);

	d = famfs_dev_mmap(dev_path[2], se[0].offset, 2 * M2);
	ASSERT_NE(MAP_FAILED, d);
	EXPECT_EQ(-1, famfs_pattern_check(d, 0, 2 * M2, seed));
	munmap(d, 2 * M2);
	d = famfs_dev_mmap(dev_path[1], se[1].offset, M2);
	ASSERT_NE(MAP_FAILED, d);
	EXPECT_EQ(-1, famfs_pattern_check(d, 2 * M2, M2 - 100, seed));
	munmap(d, M2);
	ASSERT_EQ((ssize_t)sizeof(buf), pread(fd, buf, sizeof(buf), 2 * M2));
	EXPECT_EQ(-1, famfs_pattern_check(buf, 2 * M2, sizeof(buf), seed));

	/* ABI 42 cannot say where: the type and size, no extent */
	memset(&imap, 0xff, sizeof(imap));
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GET, &imap));
	EXPECT_EQ(0, imap.ext_list_count);
	EXPECT_EQ(3 * M2 - 100, imap.file_size);
	close(fd);
}

/*
 * A page of device 1 fails: the chunk of the striped file there fails,
 * through read(2) and mmap, and so does a new map of that page; the other
 * chunks, a file on device 2 at the same offset, and device 0's failure
 * list are untouched.
 */
TEST_F(multi, memory_failure_of_one_device)
{
	const uint64_t size = 8 * M2, seed = 0x5eed0003;
	struct famfs_ioc_simple_extent st[NDEV], se;
	struct dev_poison pz;
	char buf[256], expect[64];
	uint8_t *p, *data = malloc(size);
	int fd, fd2;

	ASSERT_NE(NULL, data);
	fd = striped_file(&self->m, "striped", st, DATA_OFF + 100 * M2, size, seed);
	ASSERT_LE(0, fd);
	famfs_pattern_fill(data, 0, size, seed);
	se = st[1];
	se.devindex = 2;
	fd2 = create_in(self->m.mpt, "on2");
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, famfs_map_simple_v2(fd2, FAMFS_REG, se.len, &se, 1));

	/* chunk 1 is the first of device 1's strip; poison its second page */
	pz.dev = dev_path[1];
	pz.off = st[1].offset + 4096;
	/* the task that poisons it maps it: it gets SIGBUS */
	EXPECT_EQ(128 + SIGBUS, in_child(poison_dev, &pz));
	EXPECT_EQ(-1, pread(fd, buf, 64, M2 + 4096));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(64, pread(fd, buf, 64, M2));
	EXPECT_EQ(64, pread(fd, buf, 64, 5 * M2 + 4096));
	EXPECT_EQ(64, pread(fd2, buf, 64, 4096));
	EXPECT_EQ(64, pwrite(fd, data, 64, 4096));
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(128 + SIGBUS, in_child(touch_byte, p + M2 + 4096));
	EXPECT_EQ(-1, famfs_pattern_check(p + 2 * M2, 2 * M2, M2, seed));
	munmap(p, size);

	mount_debugfs("failed_memory.1", buf, sizeof(buf));
	snprintf(expect, sizeof(expect), "%#llx-%#llx\n",
		 (unsigned long long)pz.off, (unsigned long long)pz.off + 4096);
	EXPECT_STREQ(expect, buf);
	mount_debugfs("failed_memory", buf, sizeof(buf));
	EXPECT_STREQ("", buf);
	mount_debugfs("failed_memory.2", buf, sizeof(buf));
	EXPECT_STREQ("", buf);

	/* no new map of the failed page; the same offset of device 2 maps */
	close(fd2);
	fd2 = create_in(self->m.mpt, "again");
	ASSERT_LE(0, fd2);
	se.devindex = 1;
	EXPECT_EQ(-EIO, famfs_map_simple_v2(fd2, FAMFS_REG, se.len, &se, 1));
	se.devindex = 3;
	EXPECT_EQ(0, famfs_map_simple_v2(fd2, FAMFS_REG, se.len, &se, 1));
	close(fd2);
	close(fd);
	free(data);
}

/* Read and write a file on device 0 and one on device 3 until killed */
struct busy {
	int fd0, fd3;
	uint64_t seed;
};

static void keep_busy(void *arg)
{
	const struct busy *b = arg;
	uint8_t buf[65536];

	for (;;) {
		if (pread(b->fd0, buf, sizeof(buf), 0) != sizeof(buf) ||
		    famfs_pattern_check(buf, 0, sizeof(buf), b->seed) != -1)
			_exit(40);
		if (pwrite(b->fd3, buf, sizeof(buf), M2) != sizeof(buf))
			_exit(41);
	}
}

/*
 * Device 2 is unbound while files on devices 0 and 3 are read and
 * written: the striped file's chunk on device 2 loses its mapping and
 * fails, its chunks on the others keep theirs and work, and so do the
 * other files. The device comes back after umount; a new mount registers
 * it again.
 */
TEST_F(multi, unbind_of_one_device)
{
	const uint64_t size = 8 * M2, seed = 0x5eed0004;
	struct famfs_ioc_simple_extent st[NDEV], se;
	struct busy b = { .seed = seed };
	uint8_t *p, *data = malloc(size), buf[64];
	int kmsg = kmsg_open(), fd, status, i;
	char text[128];
	pid_t pid;

	ASSERT_NE(NULL, data);
	ASSERT_LE(0, kmsg);
	fd = striped_file(&self->m, "striped", st, DATA_OFF + 200 * M2, size, seed);
	ASSERT_LE(0, fd);
	famfs_pattern_fill(data, 0, size, seed);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < (int)(size / M2); i++)
		touch_byte(p + i * M2);

	b.fd0 = famfs_create_mapped(path_in(self->m.mpt, "on0"), M2,
				    DATA_OFF + 220 * M2);
	ASSERT_LE(0, b.fd0);
	ASSERT_EQ(65536, pwrite(b.fd0, data, 65536, 0));
	b.fd3 = create_in(self->m.mpt, "on3");
	ASSERT_LE(0, b.fd3);
	se = (struct famfs_ioc_simple_extent){ 3, DATA_OFF + 220 * M2, 2 * M2 };
	ASSERT_EQ(0, famfs_map_simple_v2(b.fd3, FAMFS_REG, 2 * M2, &se, 1));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		keep_busy(&b);
	usleep(200000);
	ASSERT_EQ(0, famfs_dax_bind(dev_path[2], false));
	usleep(200000);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status)) TH_LOG("the busy task exited %d",
						WEXITSTATUS(status));

	/* chunks 2 and 6 are on device 2 */
	EXPECT_EQ(0, page_present(p + 2 * M2));
	EXPECT_EQ(1, page_present(p + 1 * M2));
	EXPECT_EQ(1, page_present(p + 3 * M2));
	EXPECT_EQ(128 + SIGBUS, in_child(touch_byte, p + 6 * M2));
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), 2 * M2));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, famfs_pattern_check(p + 3 * M2, 3 * M2, M2, seed));
	EXPECT_EQ((ssize_t)sizeof(buf), pread(fd, buf, sizeof(buf), 7 * M2));
	EXPECT_EQ((ssize_t)sizeof(buf), pwrite(b.fd3, buf, sizeof(buf), 0));
	mount_debugfs("failed_memory.2", (char *)data, 64);
	EXPECT_STREQ("all\n", (char *)data);
	mount_debugfs("failed_memory", (char *)data, 64);
	EXPECT_STREQ("", (char *)data);
	snprintf(text, sizeof(text), "(device 2) is going away");
	EXPECT_TRUE(kmsg_has(kmsg, text));
	/* nothing new on device 2; files and maps elsewhere are made */
	se.devindex = 2;
	i = create_in(self->m.mpt, "new2");
	ASSERT_LE(0, i);
	EXPECT_EQ(-EIO, famfs_map_simple_v2(i, FAMFS_REG, 2 * M2, &se, 1));
	se.devindex = 1;
	EXPECT_EQ(0, famfs_map_simple_v2(i, FAMFS_REG, 2 * M2, &se, 1));
	close(i);

	munmap(p, size);
	close(fd);
	close(b.fd0);
	close(b.fd3);
	unmount(&self->m);
	ASSERT_EQ(0, famfs_dax_bind(dev_path[2], true));
	/* the device came back: a new mount has all four again */
	mount_and_register(_metadata, &self->m);
	free(data);
	close(kmsg);
}

/*
 * What is written stays in the devices' memory: after umount, a new mount
 * that registers the devices in the same order and replays the same maps
 * reads the same bytes. And umount gave every device back: each can be
 * mounted on its own.
 */
TEST_F(multi, remount_replays_the_same_maps)
{
	const uint64_t size = 16 * M2, seed = 0x5eed0005;
	struct famfs_ioc_simple_extent st[NDEV];
	uint8_t *buf = malloc(size);
	int fd, i;

	ASSERT_NE(NULL, buf);
	fd = striped_file(&self->m, "kept", st, DATA_OFF + 300 * M2, size, seed);
	ASSERT_LE(0, fd);
	close(fd);
	unmount(&self->m);

	for (i = 0; i < NDEV; i++) {
		EXPECT_EQ(0, mount(dev_path[i], self->m.mpt, "famfs",
				   FAMFS_MOUNT_FLAGS, "")) TH_LOG("%s", dev_path[i]);
		umount(self->m.mpt);
	}

	mount_and_register(_metadata, &self->m);
	fd = create_in(self->m.mpt, "kept");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, famfs_map_strips(fd, size, M2, st, NDEV));
	memset(buf, 0, size);
	ASSERT_EQ((ssize_t)size, pread(fd, buf, size, 0));
	EXPECT_EQ(-1, famfs_pattern_check(buf, 0, size, seed));
	close(fd);
	free(buf);
}

/* Device 0 going away takes down the files on every device */
TEST_F(multi, unbind_of_device_0)
{
	struct famfs_ioc_simple_extent se = {
		.devindex = 3, .offset = DATA_OFF + 400 * M2, .len = M2,
	};
	char buf[64];
	int fd;

	fd = create_in(self->m.mpt, "on3");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, famfs_map_simple_v2(fd, FAMFS_REG, M2, &se, 1));
	EXPECT_EQ(64, pread(fd, buf, 64, 0));
	ASSERT_EQ(0, famfs_dax_bind(dev_path[0], false));
	EXPECT_EQ(-1, pread(fd, buf, 64, 0));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-EIO, famfs_add_dev(self->m.sb_fd, dev_path[1], 1, M2));
	EXPECT_EQ(-1, open(path_in(self->m.mpt, "new"), O_RDWR | O_CREAT, 0644));
	EXPECT_EQ(EIO, errno);
	mount_debugfs("failed_memory.3", buf, sizeof(buf));
	EXPECT_STREQ("all\n", buf);
	close(fd);
	unmount(&self->m);
	ASSERT_EQ(0, famfs_dax_bind(dev_path[0], true));
}

int main(int argc, char **argv)
{
	if (!find_devices() && !famfs_only_listing(argc, argv)) {
		ksft_print_header();
		ksft_exit_skip("%s %s\n",
			       "FAMFS_DEV, FAMFS_DEVS (three more) and FAMFS_DEV_PLAIN are not all set:",
			       "the tests overwrite, poison and unbind the devices they get: name ones that hold nothing of value");
	}
	return test_harness_run(argc, argv);
}
