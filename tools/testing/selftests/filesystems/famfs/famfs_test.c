// SPDX-License-Identifier: GPL-2.0
/*
 * famfs on a real device-dax instance, from user space.
 *
 * The device is $FAMFS_DEV, at least 5 GiB, with no famfs mounted on it.
 * The cases overwrite its memory, poison a page of it for good (until the
 * next boot), unbind and rebind its driver, and unload and reload famfs
 * from $FAMFS_MODULE (default: where modules_install puts famfs.ko for the
 * running kernel; famfs must be modular): without $FAMFS_DEV, nothing runs
 * and the test skips. Needs
 * root, tracefs (fault counting) and CONFIG_MEMORY_FAILURE; see config.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "../../kselftest_harness.h"
#include "famfs_util.h"

#define M2	FAMFS_M2
#define G1	FAMFS_G1
#define TRACEFS	"/sys/kernel/tracing"

/* Device memory the cases use: well past user space's superblock and log */
#define DATA_OFF	(64 * M2)

static int famfs_mount(const char *src, const char *mpt, unsigned long flags,
		       const char *data)
{
	return mount(src, mpt, "famfs", flags, data) ? -errno : 0;
}

/* The /proc/mounts line of @mpt, split in its first three fields */
static bool mount_entry(const char *mpt, char *src, char *type, char *opts)
{
	char line[1024], m[512];
	bool found = false;
	FILE *f;

	f = fopen("/proc/mounts", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %511s %63s %255s", src, m, type, opts) == 4 &&
		    !strcmp(m, mpt))
			found = true;
	fclose(f);
	return found;
}

/* Tasks a case left running: the teardown ends them, they hold the mount */
static pid_t helpers[4];

static pid_t add_helper(pid_t pid)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(helpers); i++)
		if (!helpers[i]) {
			helpers[i] = pid;
			break;
		}
	return pid;
}

static void end_helpers(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(helpers); i++)
		if (helpers[i] > 0) {
			kill(helpers[i], SIGKILL);
			waitpid(helpers[i], NULL, 0);
			helpers[i] = 0;
		}
}

/*
 * A case that leaves a file open would leave the device claimed for every
 * case after it: it fails, and its mount is detached, to go away with the
 * case's process.
 */
static void umount_fresh(struct __test_metadata *_metadata, char *mpt)
{
	if (!mpt)
		return;
	end_helpers();
	if (umount(mpt) && errno != EINVAL) {
		TH_LOG("umount %s: %s", mpt, strerror(errno));
		umount2(mpt, MNT_DETACH);
		_metadata->exit_code = KSFT_FAIL;
	}
	rmdir(mpt);
}

/* ----------------------------------------------------------------------- */
/* Mounting */

/* Whether /proc/kallsyms has the function @name of module @mod */
static bool kallsyms_has(const char *name, const char *mod)
{
	char line[512], want[256];
	bool found = false;
	FILE *f;

	snprintf(want, sizeof(want), " %s\t[%s]\n", name, mod);
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');

		/* "ADDRESS TYPE NAME\t[MODULE]": a text symbol, t or T */
		found = sp && (sp[1] == 't' || sp[1] == 'T') &&
			!strcmp(sp + 2, want);
	}
	fclose(f);
	return found;
}

TEST(module_is_visible)
{
	char kabi[16] = "";
	struct stat st;
	int fd;

	/* famfs mount refuses to run without this directory */
	ASSERT_EQ(0, stat("/sys/module/famfs", &st));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
	fd = open("/sys/module/famfs/parameters/famfs_kabi_version", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, kabi, sizeof(kabi) - 1));
	close(fd);
	EXPECT_EQ(FAMFS_KABI_VERSION, atoi(kabi));
	/*
	 * The newest tools choose standalone famfs (not famfs over FUSE) by
	 * this function of the famfs module in /proc/kallsyms: its name is
	 * part of the contract
	 */
	EXPECT_TRUE(kallsyms_has("famfs_create", "famfs"));
}

TEST(mount_as_famfs_tools_do)
{
	char src[256], type[64], opts[256];
	char *mpt = make_dir("mnt");
	struct stat st;

	ASSERT_NE(NULL, mpt);
	/* the exact call of famfs' tools: MS_NODEV on the new mount, data "" */
	ASSERT_EQ(0, famfs_mount(famfs_dev_path(), mpt, FAMFS_MOUNT_FLAGS, ""));
	ASSERT_TRUE(mount_entry(mpt, src, type, opts));
	EXPECT_STREQ(famfs_dev_path(), src);
	EXPECT_STREQ("famfs", type);
	EXPECT_NE(NULL, strstr(opts, "nodev"));
	EXPECT_NE(NULL, strstr(opts, "noexec"));
	EXPECT_NE(NULL, strstr(opts, "noatime"));
	EXPECT_EQ(0, dir_entries(mpt));
	ASSERT_EQ(0, stat(mpt, &st));
	EXPECT_EQ(0755, st.st_mode & 07777);
	/* famfs mount -R */
	EXPECT_EQ(0, famfs_mount(famfs_dev_path(), mpt,
				 FAMFS_MOUNT_FLAGS | MS_REMOUNT, ""));
	EXPECT_EQ(0, umount(mpt));
	rmdir(mpt);
}

TEST(mount_through_symlink_shows_the_link)
{
	char src[256], type[64], opts[256];
	char *mpt = make_dir("mnt"), *link = path_in("/tmp", "famfs-dax-link");

	ASSERT_NE(NULL, mpt);
	unlink(link);
	ASSERT_EQ(0, symlink(famfs_dev_path(), link));
	ASSERT_EQ(0, famfs_mount(link, mpt, FAMFS_MOUNT_FLAGS, ""));
	ASSERT_TRUE(mount_entry(mpt, src, type, opts));
	/* the tools find their mount by the source they passed, verbatim */
	EXPECT_STREQ(link, src);
	EXPECT_EQ(0, umount(mpt));
	unlink(link);
	rmdir(mpt);
}

TEST(second_mount_is_busy)
{
	char *a = make_dir("a"), *b = make_dir("b");

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, famfs_mount(famfs_dev_path(), a, 0, ""));
	EXPECT_EQ(-EBUSY, famfs_mount(famfs_dev_path(), a, 0, ""));
	EXPECT_EQ(-EBUSY, famfs_mount(famfs_dev_path(), b, 0, ""));
	EXPECT_EQ(0, umount(a));
	/* the claim went with the umount */
	EXPECT_EQ(0, famfs_mount(famfs_dev_path(), b, 0, ""));
	EXPECT_EQ(0, umount(b));
	rmdir(a);
	rmdir(b);
}

FIXTURE(refused) {
	char *mpt;
};

FIXTURE_VARIANT(refused) {
	const char *source;	/* NULL: the dax device */
	const char *data;
	int error;
};

FIXTURE_VARIANT_ADD(refused, dev_null) {
	.source = "/dev/null", .data = "", .error = ENODEV,
};

FIXTURE_VARIANT_ADD(refused, directory) {
	.source = "/tmp", .data = "", .error = EINVAL,
};

FIXTURE_VARIANT_ADD(refused, regular_file) {
	.source = "/proc/self/exe", .data = "", .error = EINVAL,
};

FIXTURE_VARIANT_ADD(refused, missing_path) {
	.source = "/dev/no-such-dax", .data = "", .error = ENOENT,
};

FIXTURE_VARIANT_ADD(refused, unknown_option) {
	.data = "size=1G", .error = EINVAL,
};

FIXTURE_VARIANT_ADD(refused, bad_mode) {
	.data = "mode=0999", .error = EINVAL,
};

FIXTURE_VARIANT_ADD(refused, bad_dax) {
	.data = "dax=never", .error = EINVAL,
};

FIXTURE_SETUP(refused)
{
	self->mpt = make_dir("mnt");
	ASSERT_NE(NULL, self->mpt);
}

FIXTURE_TEARDOWN(refused)
{
	umount_fresh(_metadata, self->mpt);
}

TEST_F(refused, with_documented_errno)
{
	const char *src = variant->source ? variant->source : famfs_dev_path();

	EXPECT_EQ(-variant->error, famfs_mount(src, self->mpt, 0, variant->data));
	/* and nothing is left claimed: the device mounts */
	EXPECT_EQ(0, famfs_mount(famfs_dev_path(), self->mpt, 0, ""));
}

TEST(good_options)
{
	char *mpt = make_dir("mnt");
	struct stat st;

	ASSERT_NE(NULL, mpt);
	ASSERT_EQ(0, famfs_mount(famfs_dev_path(), mpt, 0, "mode=0700,dax=always"));
	ASSERT_EQ(0, stat(mpt, &st));
	EXPECT_EQ(0700, st.st_mode & 07777);
	EXPECT_EQ(0, umount(mpt));
	rmdir(mpt);
}

/*
 * A remount: "mode=" changes the root's mode and what /proc/mounts shows,
 * one with no data (as famfs mount -R does it) keeps every setting, and
 * what a remount cannot change or does not know is refused.
 */
TEST(remount)
{
	char src[256], type[64], opts[256], msg[256];
	char *mpt = make_dir("mnt");
	struct stat st;
	ssize_t n;
	int fc;

	ASSERT_NE(NULL, mpt);
	ASSERT_EQ(0, famfs_mount(famfs_dev_path(), mpt, 0, "mode=0711"));
	ASSERT_EQ(0, famfs_mount(NULL, mpt, MS_REMOUNT, "mode=0700"));
	ASSERT_EQ(0, stat(mpt, &st));
	EXPECT_EQ(0700, st.st_mode & 07777);
	ASSERT_TRUE(mount_entry(mpt, src, type, opts));
	EXPECT_NE(NULL, strstr(opts, ",mode=700"));

	ASSERT_EQ(0, famfs_mount(NULL, mpt, MS_REMOUNT, NULL));
	ASSERT_EQ(0, stat(mpt, &st));
	EXPECT_EQ(0700, st.st_mode & 07777);
	ASSERT_TRUE(mount_entry(mpt, src, type, opts));
	EXPECT_NE(NULL, strstr(opts, ",mode=700"));
	EXPECT_STREQ(famfs_dev_path(), src);

	EXPECT_EQ(-EINVAL, famfs_mount(NULL, mpt, MS_REMOUNT, "size=1"));
	EXPECT_EQ(-EINVAL, famfs_mount(NULL, mpt, MS_REMOUNT, "mode=bad"));

	/* the new mount API can name a device: refused, with the reason */
	fc = syscall(SYS_fspick, AT_FDCWD, mpt, FSPICK_CLOEXEC);
	ASSERT_LE(0, fc);
	EXPECT_EQ(0, syscall(SYS_fsconfig, fc, FSCONFIG_SET_STRING, "source",
			     "/dev/null", 0));
	EXPECT_EQ(-1, syscall(SYS_fsconfig, fc, FSCONFIG_CMD_RECONFIGURE,
			      NULL, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	n = read(fc, msg, sizeof(msg) - 1);
	msg[n > 0 ? n - 1 : 0] = '\0';
	EXPECT_STREQ("e famfs: a remount cannot change the device (/dev/null)",
		     msg);
	close(fc);

	ASSERT_EQ(0, stat(mpt, &st));
	EXPECT_EQ(0700, st.st_mode & 07777);
	EXPECT_EQ(0, umount(mpt));
	rmdir(mpt);
}

/*
 * Create a famfs super block from @source through the new mount API;
 * returns 0 or -errno, with the first message of the fs_context's log in
 * @msg (or "").
 */
static int fsconfig_create(const char *source, char *msg, size_t size)
{
	int fc, err = 0;
	ssize_t n;

	msg[0] = '\0';
	fc = syscall(SYS_fsopen, "famfs", FSOPEN_CLOEXEC);
	if (fc < 0)
		return -errno;
	if (syscall(SYS_fsconfig, fc, FSCONFIG_SET_STRING, "source", source, 0) ||
	    syscall(SYS_fsconfig, fc, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		err = -errno;
	n = read(fc, msg, size - 1);
	msg[n > 0 ? n : 0] = '\0';
	if (n > 0 && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	close(fc);
	return err;
}

/*
 * famfs says why it refuses a mount, in the fs_context's log, in words of
 * its own (not only fs_parser's): what fsconfig users and dmesg-less tools
 * show the operator.
 */
TEST(refusal_is_explained)
{
	char msg[256], want[512], *mpt = make_dir("mnt");
	const char *dev = famfs_dev_path();
	int fc;

	ASSERT_NE(NULL, mpt);
	EXPECT_EQ(-ENODEV, fsconfig_create("/dev/null", msg, sizeof(msg)));
	EXPECT_STREQ("e famfs: /dev/null is not a live dax device", msg);
	EXPECT_EQ(-EINVAL, fsconfig_create("/tmp", msg, sizeof(msg)));
	EXPECT_STREQ("e famfs: /tmp is not a character device", msg);
	EXPECT_EQ(-ENOENT, fsconfig_create("/dev/no-such-dax", msg, sizeof(msg)));
	EXPECT_STREQ("e famfs: cannot find /dev/no-such-dax", msg);

	ASSERT_EQ(0, famfs_mount(dev, mpt, 0, ""));
	EXPECT_EQ(-EBUSY, fsconfig_create(dev, msg, sizeof(msg)));
	snprintf(want, sizeof(want), "e famfs: %s is in use by another holder", dev);
	EXPECT_STREQ(want, msg);
	EXPECT_EQ(0, umount(mpt));
	rmdir(mpt);

	/* a bad value, in fs_parser's words */
	fc = syscall(SYS_fsopen, "famfs", FSOPEN_CLOEXEC);
	ASSERT_LE(0, fc);
	EXPECT_EQ(-1, syscall(SYS_fsconfig, fc, FSCONFIG_SET_STRING, "dax",
			      "never", 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_LT(0, read(fc, msg, sizeof(msg) - 1));
	EXPECT_EQ('e', msg[0]);
	close(fc);
}

/* ----------------------------------------------------------------------- */
/* The two kinds of device-dax instance */

/* The name of @dev in sysfs: dax0.0 */
static char *dax_name(const char *dev)
{
	const char *slash = strrchr(dev, '/');

	return strdup(slash ? slash + 1 : dev);
}

/* A counter of /proc/vmstat, or -1 */
static long vmstat_value(const char *name)
{
	char key[64];
	long val;
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &val) == 2)
		if (!strcmp(key, name)) {
			fclose(f);
			return val;
		}
	fclose(f);
	return -1;
}

static int dax_attr(const char *name, const char *attr, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/%s", name, attr);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

static int set_fs_dax(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/dax/devices/%s/fs_dax", name);
	return write_file(path, val);
}

static int dax_bind(const char *name, bool bind)
{
	return write_file(bind ? "/sys/bus/dax/drivers/device_dax/bind" :
				 "/sys/bus/dax/drivers/device_dax/unbind", name);
}

/*
 * Rebind @name with fs_dax set to @val; the number of memmap pages that
 * binding it costs, or -errno.
 */
static long rebind_as(const char *name, const char *val)
{
	long unbound;
	int err;

	err = dax_bind(name, false);
	if (!err)
		err = set_fs_dax(name, val);
	unbound = vmstat_value("nr_memmap_pages");
	if (!err)
		err = dax_bind(name, true);
	if (err)
		return err;
	return vmstat_value("nr_memmap_pages") - unbound;
}

/* Times device-dax's memory-failure hook ran, counted by a kprobe */
#define MF_PROBE	"famfs_test_mf"

static int mf_probe(bool on)
{
	int err;

	if (!on) {
		write_file(TRACEFS "/events/kprobes/" MF_PROBE "/enable", "0");
		return write_file_flags(TRACEFS "/kprobe_events",
					"-:" MF_PROBE "\n", O_APPEND);
	}
	err = write_file_flags(TRACEFS "/kprobe_events",
			       "p:" MF_PROBE " dev_dax_memory_failure\n",
			       O_APPEND);
	if (!err)
		err = write_file(TRACEFS "/events/kprobes/" MF_PROBE "/enable",
				 "1");
	return err;
}

static long mf_probe_hits(void)
{
	char name[64];
	long hits, misses;
	FILE *f;

	f = fopen(TRACEFS "/kprobe_profile", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld %ld", name, &hits, &misses) == 3)
		if (!strcmp(name, MF_PROBE)) {
			fclose(f);
			return hits;
		}
	fclose(f);
	return -1;
}

/*
 * What device-dax sets up for file systems is chosen per instance, while it
 * is unbound (fs_dax), and an instance nobody chose keeps its 6.12 costs
 * and paths: a memmap of compound pages (its vmemmap a quarter of base
 * pages' at a 2 MiB alignment), no dax_operations (famfs refuses it, with
 * a message and an errno of its own), no memory-failure hook. The choice
 * cannot change while the driver is bound. The case leaves the device as
 * it found it: chosen.
 */
TEST(device_kinds)
{
	char buf[64], msg[256], want[512], *mpt = make_dir("kinds");
	const char *dev = famfs_dev_path();
	char *name = dax_name(dev);
	uint64_t size = famfs_dev_size(dev);
	struct dev_poison plain_mf = { dev, 4 * G1 + 100 * M2 };
	struct dev_poison chosen_mf = { dev, 4 * G1 + 102 * M2 };
	long chosen, plain, hits;

	ASSERT_NE(NULL, mpt);
	ASSERT_LE(5ULL * G1 - M2, size);
	ASSERT_EQ(0, dax_attr(name, "fs_dax", buf, sizeof(buf)));
	ASSERT_STREQ("1", buf);
	ASSERT_EQ(0, dax_attr(name, "align", buf, sizeof(buf)));
	ASSERT_STREQ("2097152", buf);
	/* bound: the same choice may be written again, another may not */
	EXPECT_EQ(0, set_fs_dax(name, "1"));
	EXPECT_EQ(-EBUSY, set_fs_dax(name, "0"));
	EXPECT_EQ(-EINVAL, set_fs_dax(name, "maybe"));

	chosen = rebind_as(name, "1");
	plain = rebind_as(name, "0");
	TH_LOG("memmap of %llu MiB: %ld pages chosen, %ld plain",
	       (unsigned long long)size >> 20, chosen, plain);
	/*
	 * 64 bytes of struct page per base page, 8 pages per 2 MiB; the
	 * memmap also covers what the namespace keeps before the instance
	 * (its info block, 2 MiB here)
	 */
	EXPECT_LE((long)(size / M2 * 8), chosen);
	EXPECT_GE((long)(size / M2 * 8 + 8 * 8), chosen);
	/* compound: the head's vmemmap page and one shared by the tails */
	EXPECT_EQ(chosen / 4, plain);
	ASSERT_EQ(0, dax_attr(name, "fs_dax", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);

	/* a plain instance: no file system on it */
	EXPECT_EQ(-EOPNOTSUPP, fsconfig_create(dev, msg, sizeof(msg)));
	snprintf(want, sizeof(want),
		 "e famfs: %s is not chosen for file systems (fs_dax in sysfs)",
		 dev);
	EXPECT_STREQ(want, msg);
	EXPECT_EQ(-EOPNOTSUPP, famfs_mount(dev, mpt, FAMFS_MOUNT_FLAGS, ""));
	/* its memory failures take the generic path alone */
	ASSERT_EQ(0, mf_probe(true));
	hits = mf_probe_hits();
	ASSERT_LE(0, hits);
	EXPECT_EQ(128 + SIGBUS, in_child(poison_dev, &plain_mf));
	EXPECT_EQ(hits, mf_probe_hits());

	/* chosen again, as an operator does it, with its hook */
	EXPECT_EQ(chosen, rebind_as(name, "1"));
	hits = mf_probe_hits();
	EXPECT_EQ(128 + SIGBUS, in_child(poison_dev, &chosen_mf));
	EXPECT_EQ(hits + 1, mf_probe_hits());
	EXPECT_EQ(0, mf_probe(false));
	ASSERT_EQ(0, famfs_mount(dev, mpt, FAMFS_MOUNT_FLAGS, ""));
	EXPECT_EQ(0, umount(mpt));
	rmdir(mpt);
	free(name);
}

/*
 * may_open_dev() looks at the mount that holds the device node: a node on
 * a nodev mount is refused, the same node elsewhere is not, and the new
 * mount's own MS_NODEV does not matter.
 */
TEST(device_node_on_nodev_mount)
{
	char *nodev = make_dir("nodev"), *dev = make_dir("dev"), *mpt = make_dir("mnt");
	char *n1 = path_in(nodev, "dax"), *n2 = path_in(dev, "dax");
	struct stat st;

	ASSERT_NE(NULL, nodev);
	ASSERT_NE(NULL, dev);
	ASSERT_NE(NULL, mpt);
	ASSERT_EQ(0, stat(famfs_dev_path(), &st));
	ASSERT_EQ(0, mount("tmpfs", nodev, "tmpfs", MS_NODEV, ""));
	ASSERT_EQ(0, mount("tmpfs", dev, "tmpfs", 0, ""));
	ASSERT_EQ(0, mknod(n1, S_IFCHR | 0600, st.st_rdev));
	ASSERT_EQ(0, mknod(n2, S_IFCHR | 0600, st.st_rdev));
	EXPECT_EQ(-EACCES, famfs_mount(n1, mpt, 0, ""));
	EXPECT_EQ(0, famfs_mount(n2, mpt, MS_NODEV, ""));
	EXPECT_EQ(0, umount(mpt));
	umount(nodev);
	umount(dev);
	rmdir(nodev);
	rmdir(dev);
	rmdir(mpt);
}

/* Whether /proc/filesystems lists famfs */
static bool famfs_registered(void)
{
	char line[256];
	bool found = false;
	FILE *f;

	f = fopen("/proc/filesystems", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "nodev\tfamfs\n"))
			found = true;
	fclose(f);
	return found;
}

static void mount_in_userns(void *mpt)
{
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		_exit(10);
	/* the namespace can mount a file system that allows it */
	if (mount("tmpfs", mpt, "tmpfs", 0, "") || umount(mpt))
		_exit(11);
	/* all capabilities, but in a user namespace: famfs is not for that */
	_exit(famfs_mount(famfs_dev_path(), mpt, 0, "") == -EPERM ? 0 : 12);
}

/*
 * famfs has no FS_USERNS_MOUNT: root of a user namespace, who may mount
 * tmpfs there, may not mount famfs. (An unprivileged task of the initial
 * namespace is refused by the VFS before famfs is asked.)
 */
TEST(unprivileged_mount_refused)
{
	char *mpt = make_dir("mnt");

	ASSERT_NE(NULL, mpt);
	ASSERT_TRUE(famfs_registered());
	ASSERT_EQ(0, chmod(mpt, 0777));
	EXPECT_EQ(0, in_child(mount_in_userns, mpt));
	rmdir(mpt);
}

/* ----------------------------------------------------------------------- */
/* A mounted famfs */

FIXTURE(famfs) {
	char *mpt;
	const char *dev;
	uint64_t dev_size;
};

static void mount_fresh(struct __test_metadata *_metadata, char **mpt,
			uint64_t *dev_size)
{
	*dev_size = famfs_dev_size(famfs_dev_path());
	ASSERT_LE(5ULL * G1 - M2, *dev_size);
	*mpt = make_dir("mnt");
	ASSERT_NE(NULL, *mpt);
	ASSERT_EQ(0, famfs_mount(famfs_dev_path(), *mpt, FAMFS_MOUNT_FLAGS, ""));
}

FIXTURE_SETUP(famfs)
{
	self->dev = famfs_dev_path();
	mount_fresh(_metadata, &self->mpt, &self->dev_size);
}

FIXTURE_TEARDOWN(famfs)
{
	umount_fresh(_metadata, self->mpt);
}

TEST_F(famfs, namespace_calls_of_the_tools)
{
	char *dir = path_in(self->mpt, ".meta"), *f = path_in(dir, ".log");
	struct stat st;
	int fd;

	ASSERT_EQ(0, mkdir(dir, 0700));
	umask(022);
	fd = open(f, O_RDWR | O_CREAT, 0666);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0644, st.st_mode & 07777);
	EXPECT_EQ(0, fchown(fd, 1000, 1000));
	EXPECT_EQ(0, fchmod(fd, 0600));
	ASSERT_EQ(0, stat(f, &st));
	EXPECT_EQ(1000, st.st_uid);
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(1, dir_entries(dir));
	close(fd);
	EXPECT_EQ(-1, rmdir(dir));
	EXPECT_EQ(ENOTEMPTY, errno);
	EXPECT_EQ(0, unlink(f));
	EXPECT_EQ(0, rmdir(dir));
	EXPECT_EQ(0, dir_entries(self->mpt));
}

TEST_F(famfs, unsupported_nodes_refused)
{
	char *f = path_in(self->mpt, "x");

	EXPECT_EQ(-1, symlink("/tmp", f));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, mknod(f, S_IFIFO | 0600, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, open(self->mpt, O_TMPFILE | O_RDWR, 0600));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(0, dir_entries(self->mpt));
}

TEST_F(famfs, nop_tells_famfs_files)
{
	char *f = path_in(self->mpt, "unmapped"), *g = path_in(self->mpt, "mapped");
	int fd, gd, td;

	fd = open(f, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ioctl(fd, FAMFSIOC_NOP, 0));
	gd = famfs_create_mapped(g, M2, DATA_OFF);
	ASSERT_LE(0, gd);
	EXPECT_EQ(0, ioctl(gd, FAMFSIOC_NOP, 0));
	/* a file elsewhere is not a famfs file */
	td = open("/tmp", O_RDWR | O_TMPFILE, 0600);
	ASSERT_LE(0, td);
	EXPECT_EQ(-1, ioctl(td, FAMFSIOC_NOP, 0));
	EXPECT_EQ(ENOTTY, errno);
	close(td);
	close(fd);
	close(gd);
}

TEST_F(famfs, unmapped_file_has_no_data)
{
	struct famfs_ioc_get_fmap gm;
	struct famfs_ioc_map map;
	struct famfs_extent ext;
	char *f = path_in(self->mpt, "empty");
	char buf[16] = "data";
	int fd;

	fd = open(f, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(-1, write(fd, buf, sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, M2, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_GET, &map));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_GETEXT, &ext));
	EXPECT_EQ(ENODATA, errno);
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_GET_V2, &gm));
	EXPECT_EQ(ENODATA, errno);
	close(fd);
}

TEST_F(famfs, map_is_returned_as_given)
{
	const struct famfs_extent ext[2] = {
		{ .offset = DATA_OFF + 8 * M2, .len = 2 * M2 },
		{ .offset = DATA_OFF, .len = M2 },
	};
	const uint64_t size = 3 * M2 - 4096 + 1;
	char *f = path_in(self->mpt, "two");
	long pg = sysconf(_SC_PAGESIZE);
	struct famfs_ioc_get_fmap gm;
	struct famfs_ioc_map map;
	struct famfs_extent *out;
	struct stat st;
	char *guard;
	int fd;

	fd = open(f, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, famfs_map_simple(fd, FAMFS_REG, size, ext, 2));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(size, st.st_size);

	memset(&map, 0xff, sizeof(map));
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GET, &map));
	EXPECT_EQ(FAMFS_EXT_SIMPLE, map.extent_type);
	EXPECT_EQ(FAMFS_REG, map.file_type);
	EXPECT_EQ(size, map.file_size);
	EXPECT_EQ(2, map.ext_list_count);

	/*
	 * MAP_GETEXT fills exactly ext_list_count extents: the buffer ends
	 * where an inaccessible page begins.
	 */
	guard = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, guard);
	ASSERT_EQ(0, mprotect(guard + pg, pg, PROT_NONE));
	out = (struct famfs_extent *)(guard + pg) - 2;
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GETEXT, out));
	EXPECT_EQ(0, memcmp(out, ext, sizeof(ext)));
	/* one extent short of room: refused, not overrun */
	out = (struct famfs_extent *)(guard + pg) - 1;
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_GETEXT, out));
	EXPECT_EQ(EFAULT, errno);
	munmap(guard, 2 * pg);

	memset(&gm, 0xff, sizeof(gm));
	ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GET_V2, &gm));
	EXPECT_EQ(size, gm.iocmap.fioc_file_size);
	EXPECT_EQ(FAMFS_EXT_SIMPLE, gm.iocmap.fioc_ext_type);
	EXPECT_EQ(2, gm.iocmap.fioc_nextents);
	EXPECT_EQ(ext[0].offset, gm.ikse[0].offset);
	EXPECT_EQ(ext[1].len, gm.ikse[1].len);
	EXPECT_EQ(0, gm.ikse[1].devindex);
	close(fd);
}

TEST_F(famfs, size_never_changes)
{
	const uint64_t size = M2 + 100;
	char *f = path_in(self->mpt, "fixed");
	char buf[256];
	struct stat st;
	int fd;

	fd = famfs_create_mapped(f, size, DATA_OFF);
	ASSERT_LE(0, fd);
	memset(buf, 'x', sizeof(buf));
	EXPECT_EQ(-1, ftruncate(fd, 2 * M2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ftruncate(fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, truncate(f, 1));
	EXPECT_EQ(EINVAL, errno);
	/* O_TRUNC is a truncate too: refused, the data stays */
	EXPECT_EQ(-1, open(f, O_RDWR | O_TRUNC));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, fallocate(fd, 0, 0, 4 * M2));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, pwrite(fd, buf, sizeof(buf), size));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pwrite(fd, buf, sizeof(buf), size + 4096));
	EXPECT_EQ(ENOSPC, errno);
	/* a write across the end stops there */
	EXPECT_EQ(10, pwrite(fd, buf, sizeof(buf), size - 10));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(size, st.st_size);
	close(fd);
}

/* In a child without CAP_FSETID: a RWF_NOWAIT write that must drop setuid */
static void nowait_write_on_setuid(void *arg)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct cap[2];
	char byte = 'n';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	int fd = *(int *)arg;

	if (syscall(SYS_capget, &hdr, cap))
		_exit(10);
	cap[CAP_FSETID / 32].effective &= ~(1U << (CAP_FSETID % 32));
	if (syscall(SYS_capset, &hdr, cap))
		_exit(11);
	/* dropping the bit is a metadata change: not without waiting */
	if (pwritev2(fd, &iov, 1, 0, RWF_NOWAIT) != -1)
		_exit(12);
	if (errno != EAGAIN)
		_exit(13);
	if (pwrite(fd, &byte, 1, 0) != 1)
		_exit(14);
	_exit(0);
}

/*
 * IOCB_NOWAIT (RWF_NOWAIT, io_uring) is honoured: a read or write that would
 * have to wait for the inode lock or change metadata returns -EAGAIN.
 */
TEST_F(famfs, nowait_io_does_not_block)
{
	char *f = path_in(self->mpt, "nowait");
	char buf[16] = "nowait";
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct stat st;
	int fd;

	fd = famfs_create_mapped(f, M2, DATA_OFF);
	ASSERT_LE(0, fd);
	/* nothing to change: both go through */
	EXPECT_EQ(sizeof(buf), pwrite(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(sizeof(buf), preadv2(fd, &iov, 1, 0, RWF_NOWAIT));
	EXPECT_EQ(0, strcmp(buf, "nowait"));

	ASSERT_EQ(0, fchmod(fd, 04755));
	EXPECT_EQ(0, in_child(nowait_write_on_setuid, &fd));
	/* the blocking write that followed dropped the bit */
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_mode & S_ISUID);
	buf[0] = 0;
	EXPECT_EQ(1, pread(fd, buf, 1, 0));
	EXPECT_EQ('n', buf[0]);
	close(fd);
}

TEST_F(famfs, flock_works)
{
	char *f = path_in(self->mpt, "lock");
	int a, b;

	a = famfs_create_mapped(f, M2, DATA_OFF);
	ASSERT_LE(0, a);
	b = open(f, O_RDWR);
	ASSERT_LE(0, b);
	EXPECT_EQ(0, flock(a, LOCK_EX));
	EXPECT_EQ(-1, flock(b, LOCK_EX | LOCK_NB));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(0, flock(a, LOCK_UN));
	EXPECT_EQ(0, flock(b, LOCK_EX));
	close(a);
	close(b);
}

/*
 * The superblock file is 2 MiB and the tools map it with the log's length:
 * an mmap longer than the file is fine, touching past its end is SIGBUS.
 */
/*
 * A write through a private mapping copies the page: the file's bytes and
 * times stay as they were. A write through a shared mapping changes both.
 */
TEST_F(famfs, private_write_leaves_the_file)
{
	char *f = path_in(self->mpt, "private");
	struct stat before, after;
	uint8_t *p, *q, b;
	int fd;

	fd = famfs_create_mapped(f, M2, DATA_OFF + 58 * M2);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pwrite(fd, "a", 1, 4096));
	ASSERT_EQ(0, fstat(fd, &before));
	p = mmap(NULL, M2, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	usleep(10000);
	p[4096] = 'p';
	ASSERT_EQ(0, fstat(fd, &after));
	EXPECT_EQ(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
	EXPECT_EQ(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
	ASSERT_EQ(1, pread(fd, &b, 1, 4096));
	EXPECT_EQ('a', b);
	/* the shared mapping writes the file, and its time */
	q = mmap(NULL, M2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, q);
	usleep(10000);
	q[8192] = 's';
	ASSERT_EQ(0, fstat(fd, &after));
	EXPECT_NE(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
	ASSERT_EQ(1, pread(fd, &b, 1, 8192));
	EXPECT_EQ('s', b);
	munmap(p, M2);
	munmap(q, M2);
	close(fd);
}

TEST_F(famfs, mmap_longer_than_file)
{
	const struct famfs_extent sb = { .offset = 0, .len = M2 };
	char *dir = path_in(self->mpt, ".meta"), *f = path_in(dir, ".superblock");
	char *p, *q;
	int fd;

	ASSERT_EQ(0, mkdir(dir, 0700));
	fd = open(f, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, famfs_map_simple(fd, FAMFS_SUPERBLOCK, M2, &sb, 1));
	p = mmap(NULL, 4 * M2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = mmap(NULL, 4 * M2, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, q);
	p[0] = 'f';
	EXPECT_EQ('f', q[0]);
	EXPECT_EQ(0, in_child(touch_byte, p + M2 - 1));
	EXPECT_EQ(128 + SIGBUS, in_child(touch_byte, p + M2));
	EXPECT_EQ(128 + SIGBUS, in_child(touch_byte, q + 3 * M2));
	munmap(p, 4 * M2);
	munmap(q, 4 * M2);
	close(fd);
}

/* ----------------------------------------------------------------------- */
/* Refused maps: each row one call, from user space */

#define DEV_END	(~0ULL)		/* the last 2 MiB of the device */

FIXTURE(bad_map) {
	char *mpt;
	uint64_t dev_size;
};

FIXTURE_VARIANT(bad_map) {
	bool v2;
	uint32_t file_type;
	uint32_t ext_type;
	uint64_t size;
	unsigned int n;
	struct famfs_ioc_simple_extent ext[3];
	/* interleaved */
	uint64_t chunk;
	unsigned int nstrips;
	uint64_t strip_len;
	uint32_t pad;
	int error;
};

#define SE(o, l)	{ .offset = (o), .len = (l) }

FIXTURE_VARIANT_ADD(bad_map, no_extent) {
	.size = M2, .n = 0, .error = EINVAL,
};

FIXTURE_VARIANT_ADD(bad_map, extents_shorter_than_file) {
	.size = 4 * M2, .n = 1, .ext = { SE(DATA_OFF, 2 * M2) }, .error = ENOSPC,
};

FIXTURE_VARIANT_ADD(bad_map, three_extents) {
	.size = M2, .n = 3, .error = E2BIG,
	.ext = { SE(DATA_OFF, M2), SE(DATA_OFF + M2, M2), SE(DATA_OFF + 2 * M2, M2) },
};

FIXTURE_VARIANT_ADD(bad_map, unknown_file_type) {
	.file_type = 3, .size = M2, .n = 1, .ext = { SE(DATA_OFF, M2) }, .error = EINVAL,
};

FIXTURE_VARIANT_ADD(bad_map, unknown_extent_type) {
	.ext_type = 2, .size = M2, .n = 1, .ext = { SE(DATA_OFF, M2) }, .error = EINVAL,
};

FIXTURE_VARIANT_ADD(bad_map, size_zero) {
	.size = 0, .n = 1, .ext = { SE(DATA_OFF, M2) }, .error = EINVAL,
};

FIXTURE_VARIANT_ADD(bad_map, size_past_s_maxbytes) {
	.size = (uint64_t)INT64_MAX + 1, .n = 1, .ext = { SE(DATA_OFF, M2) },
	.error = EFBIG,
};

FIXTURE_VARIANT_ADD(bad_map, misaligned_offset) {
	.size = M2, .n = 1, .ext = { SE(DATA_OFF + 4096, M2) }, .error = EINVAL,
};

FIXTURE_VARIANT_ADD(bad_map, inner_extent_not_2m) {
	.size = 3 * M2, .n = 2, .error = EINVAL,
	.ext = { SE(DATA_OFF, M2 + 4096), SE(DATA_OFF + 4 * M2, 2 * M2) },
};

FIXTURE_VARIANT_ADD(bad_map, last_extent_not_pages) {
	.size = 100, .n = 1, .ext = { SE(DATA_OFF, 100) }, .error = EINVAL,
};

FIXTURE_VARIANT_ADD(bad_map, offset_zero_for_regular_file) {
	.size = M2, .n = 1, .ext = { SE(0, M2) }, .error = EINVAL,
};

FIXTURE_VARIANT_ADD(bad_map, past_the_device) {
	.size = 2 * M2, .n = 1, .ext = { SE(DEV_END, 2 * M2) }, .error = ERANGE,
};

FIXTURE_VARIANT_ADD(bad_map, offset_overflows) {
	.size = M2, .n = 1, .ext = { SE(~(M2 - 1), 2 * M2) }, .error = EOVERFLOW,
};

FIXTURE_VARIANT_ADD(bad_map, v2_nonzero_pad) {
	.v2 = true, .size = M2, .n = 1, .ext = { SE(DATA_OFF, M2) }, .pad = 1,
	.error = EINVAL,
};

FIXTURE_VARIANT_ADD(bad_map, v2_nonzero_devindex) {
	.v2 = true, .size = M2, .n = 1, .error = EINVAL,
	.ext = { { .devindex = 1, .offset = DATA_OFF, .len = M2 } },
};

FIXTURE_VARIANT_ADD(bad_map, v2_chunk_not_power_of_two) {
	.v2 = true, .ext_type = FAMFS_EXT_INTERLEAVE, .size = 6 * M2,
	.chunk = 3 * M2, .nstrips = 2, .strip_len = 6 * M2, .error = EINVAL,
};

FIXTURE_VARIANT_ADD(bad_map, v2_chunk_below_2m) {
	.v2 = true, .ext_type = FAMFS_EXT_INTERLEAVE, .size = 4 * M2,
	.chunk = M2 / 2, .nstrips = 2, .strip_len = 4 * M2, .error = EINVAL,
};

FIXTURE_VARIANT_ADD(bad_map, v2_too_many_strips) {
	.v2 = true, .ext_type = FAMFS_EXT_INTERLEAVE, .size = 17 * M2,
	.chunk = M2, .nstrips = 17, .strip_len = M2, .error = E2BIG,
};

FIXTURE_VARIANT_ADD(bad_map, v2_no_strips) {
	.v2 = true, .ext_type = FAMFS_EXT_INTERLEAVE, .size = M2,
	.chunk = M2, .nstrips = 0, .strip_len = M2, .error = EINVAL,
};

FIXTURE_VARIANT_ADD(bad_map, v2_strips_too_short) {
	.v2 = true, .ext_type = FAMFS_EXT_INTERLEAVE, .size = 8 * M2,
	.chunk = M2, .nstrips = 2, .strip_len = 2 * M2, .error = ENOSPC,
};

FIXTURE_SETUP(bad_map)
{
	mount_fresh(_metadata, &self->mpt, &self->dev_size);
}

FIXTURE_TEARDOWN(bad_map)
{
	umount_fresh(_metadata, self->mpt);
}

TEST_F(bad_map, refused)
{
	struct famfs_ioc_simple_extent se[3], strips[17];
	struct famfs_ioc_interleaved_ext ie;
	struct famfs_ioc_fmap fmap;
	char *f = path_in(self->mpt, "bad");
	struct stat st;
	unsigned int i;
	int fd, rc;

	memcpy(se, variant->ext, sizeof(se));
	for (i = 0; i < 3; i++)
		if (se[i].offset == DEV_END)
			se[i].offset = (self->dev_size & ~(M2 - 1)) - M2;
	fd = open(f, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);

	if (!variant->v2) {
		struct famfs_ioc_map map;

		memset(&map, 0, sizeof(map));
		map.extent_type = variant->ext_type;
		map.file_type = variant->file_type;
		map.file_size = variant->size;
		map.ext_list_count = variant->n;
		for (i = 0; i < variant->n && i < FAMFS_MAX_EXTENTS; i++) {
			map.ext_list[i].offset = se[i].offset;
			map.ext_list[i].len = se[i].len;
		}
		rc = ioctl(fd, FAMFSIOC_MAP_CREATE, &map);
	} else {
		memset(&fmap, 0, sizeof(fmap));
		fmap.fioc_file_size = variant->size;
		fmap.fioc_file_type = variant->file_type;
		fmap.fioc_ext_type = variant->ext_type;
		fmap.fioc_pad = variant->pad;
		if (variant->ext_type == FAMFS_EXT_INTERLEAVE) {
			for (i = 0; i < 17; i++) {
				strips[i].devindex = 0;
				strips[i].offset = DATA_OFF + i * 8 * M2;
				strips[i].len = variant->strip_len;
			}
			memset(&ie, 0, sizeof(ie));
			ie.ie_nstrips = variant->nstrips;
			ie.ie_chunk_size = variant->chunk;
			ie.ie_nbytes = variant->size;
			ie.ie_strips = (uintptr_t)strips;
			fmap.fioc_niext = 1;
			fmap.kie = (uintptr_t)&ie;
		} else {
			fmap.fioc_nextents = variant->n;
			fmap.kse = (uintptr_t)se;
		}
		rc = ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &fmap);
	}
	EXPECT_EQ(-1, rc);
	EXPECT_EQ(variant->error, errno);
	/* a refused map leaves the file as it was: empty, without data */
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_GET_V2, &fmap));
	EXPECT_EQ(ENODATA, errno);
	close(fd);
}

TEST_F(famfs, map_refused_by_caller)
{
	const struct famfs_extent ext = { .offset = DATA_OFF, .len = M2 };
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct cap[2];
	char *f = path_in(self->mpt, "f");
	struct famfs_ioc_map map;
	int fd, ro, pid, status;

	fd = open(f, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ro = open(f, O_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EBADF, famfs_map_simple(ro, FAMFS_REG, M2, &ext, 1));
	/* an unreadable argument */
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_CREATE, (void *)16));
	EXPECT_EQ(EFAULT, errno);
	memset(&map, 0, sizeof(map));
	EXPECT_EQ(-1, ioctl(fd, FAMFSIOC_MAP_CREATE_V2, (void *)16));
	EXPECT_EQ(EFAULT, errno);

	/* without CAP_SYS_RAWIO */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (syscall(SYS_capget, &hdr, cap))
			_exit(10);
		cap[CAP_SYS_RAWIO / 32].effective &= ~(1U << (CAP_SYS_RAWIO % 32));
		if (syscall(SYS_capset, &hdr, cap))
			_exit(11);
		_exit(famfs_map_simple(fd, FAMFS_REG, M2, &ext, 1) == -EPERM ? 0 : 12);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	EXPECT_EQ(0, famfs_map_simple(fd, FAMFS_REG, M2, &ext, 1));
	/* a file gets one map, once */
	EXPECT_EQ(-EEXIST, famfs_map_simple(fd, FAMFS_REG, M2, &ext, 1));
	close(ro);
	close(fd);
}

/* ----------------------------------------------------------------------- */
/* Data: every path to the bytes agrees, and they are where the map says */

FIXTURE(data) {
	char *mpt;
	uint64_t dev_size;
};

/* A file's map: simple extents, or one interleaved extent */
struct layout {
	uint64_t size;
	unsigned int n;			/* simple extents */
	struct famfs_extent ext[2];
	unsigned int nstrips;		/* or one interleaved extent */
	uint64_t chunk;
	uint64_t strip_len;
};

FIXTURE_VARIANT(data) {
	struct layout l;
};

FIXTURE_VARIANT_ADD(data, one_extent) {
	.l = {
		.size = 5 * M2 + 123, .n = 1, .ext = { { DATA_OFF, 6 * M2 } },
	},
};

FIXTURE_VARIANT_ADD(data, two_extents) {
	.l = {
		.size = 7 * M2 + 5, .n = 2,
		.ext = { { DATA_OFF + 64 * M2, 4 * M2 }, { DATA_OFF + 8 * M2, 4 * M2 } },
	},
};

FIXTURE_VARIANT_ADD(data, interleaved_4_strips) {
	.l = {
		.size = 16 * M2 - 4096, .nstrips = 4, .chunk = M2, .strip_len = 4 * M2,
	},
};

FIXTURE_VARIANT_ADD(data, interleaved_16_strips_4m_chunks) {
	.l = {
		.size = 40 * M2 + 4096, .nstrips = 16, .chunk = 2 * M2, .strip_len = 4 * M2,
	},
};

/* Sizes famfs' tools give interleaved files: any byte count */
FIXTURE_VARIANT_ADD(data, interleaved_3_strips_5m_plus_1) {
	.l = {
		.size = 5 * (M2 / 2) + 1, .nstrips = 3, .chunk = M2, .strip_len = M2,
	},
};

FIXTURE_VARIANT_ADD(data, interleaved_2_strips_3m_plus_17) {
	.l = {
		.size = 3 * (M2 / 2) + 17, .nstrips = 2, .chunk = M2, .strip_len = M2,
	},
};

FIXTURE_SETUP(data)
{
	mount_fresh(_metadata, &self->mpt, &self->dev_size);
}

FIXTURE_TEARDOWN(data)
{
	umount_fresh(_metadata, self->mpt);
}

static uint64_t strip_offset(unsigned int i)
{
	/* strips out of order, and apart, to catch any mix-up */
	return DATA_OFF + ((i * 7) % 16) * 16 * M2;
}

/* Device offset of file byte @pos for the variant's map */
static uint64_t data_dev_off(const struct layout *v, uint64_t pos)
{
	uint64_t strips[FAMFS_MAX_STRIPS];
	unsigned int i;

	if (v->nstrips) {
		for (i = 0; i < v->nstrips; i++)
			strips[i] = strip_offset(i);
		return famfs_interleaved_dev_off(pos, v->chunk, v->nstrips, strips);
	}
	for (i = 0; pos >= v->ext[i].len; i++)
		pos -= v->ext[i].len;
	return v->ext[i].offset + pos;
}

/* Every byte of the file, as the device holds it */
static void check_device(struct __test_metadata *_metadata,
			 const struct layout *v, uint64_t seed)
{
	uint64_t pos, lo = ~0ULL, hi = 0, off;
	uint8_t *dev;

	for (pos = 0; pos < v->size; pos += 4096) {
		off = data_dev_off(v, pos);
		lo = off < lo ? off : lo;
		hi = off + 4096 > hi ? off + 4096 : hi;
	}
	lo &= ~(M2 - 1);
	hi = (hi + M2 - 1) & ~(M2 - 1);
	dev = famfs_dev_mmap(famfs_dev_path(), lo, hi - lo);
	ASSERT_NE(MAP_FAILED, dev);
	for (pos = 0; pos < v->size; pos++) {
		off = data_dev_off(v, pos) - lo;
		if (dev[off] != famfs_pattern_byte(seed, pos)) {
			TH_LOG("file byte %llu is not at device offset %#llx",
			       (unsigned long long)pos,
			       (unsigned long long)(off + lo));
			ASSERT_TRUE(false);
		}
	}
	munmap(dev, hi - lo);
}

TEST_F_TIMEOUT(data, all_paths_agree, 300)
{
	char *f = path_in(self->mpt, "data");
	uint64_t seed = getpid(), strips[FAMFS_MAX_STRIPS];
	const struct layout *l = &variant->l;
	const size_t chunk = 1024 * 1024;
	struct stat st;
	unsigned int i;
	uint8_t *buf, *p;
	uint64_t pos, end;
	int fd;

	buf = malloc(chunk);
	ASSERT_NE(NULL, buf);
	fd = open(f, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	if (l->nstrips) {
		for (i = 0; i < l->nstrips; i++)
			strips[i] = strip_offset(i);
		ASSERT_EQ(0, famfs_map_interleaved(fd, l->size, l->chunk,
						   l->nstrips, strips,
						   l->strip_len));
	} else {
		ASSERT_EQ(0, famfs_map_simple(fd, FAMFS_REG, l->size,
					      l->ext, l->n));
	}
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_EQ(l->size, st.st_size);
	if (l->nstrips) {
		struct famfs_ioc_map map;

		/* famfs check calls MAP_GET on every file: no simple extent */
		memset(&map, 0xa5, sizeof(map));
		ASSERT_EQ(0, ioctl(fd, FAMFSIOC_MAP_GET, &map));
		EXPECT_EQ(FAMFS_EXT_INTERLEAVE, map.extent_type);
		EXPECT_EQ(l->size, map.file_size);
		EXPECT_EQ(0, map.ext_list_count);
	}

	/* write(2) in, then read(2), mmap and the device out */
	for (pos = 0; pos < l->size; pos += chunk) {
		size_t len = l->size - pos < chunk ? l->size - pos : chunk;

		famfs_pattern_fill(buf, pos, len, seed);
		ASSERT_EQ(len, pwrite(fd, buf, len, pos));
	}
	for (pos = 0; pos < l->size; pos += chunk) {
		size_t len = l->size - pos < chunk ? l->size - pos : chunk;

		ASSERT_EQ(len, pread(fd, buf, chunk, pos));
		ASSERT_EQ(-1, famfs_pattern_check(buf, pos, len, seed));
	}
	p = mmap(NULL, l->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(-1, famfs_pattern_check(p, 0, l->size, seed));
	check_device(_metadata, l, seed);

	/* mmap in, then read(2) and the device out */
	seed = ~seed;
	famfs_pattern_fill(p, 0, l->size, seed);
	for (pos = 0; pos < l->size; pos += chunk) {
		size_t len = l->size - pos < chunk ? l->size - pos : chunk;

		ASSERT_EQ(len, pread(fd, buf, chunk, pos));
		ASSERT_EQ(-1, famfs_pattern_check(buf, pos, len, seed));
	}
	check_device(_metadata, l, seed);
	munmap(p, l->size);

	/* at and past the end of the file */
	pos = l->size - 1;
	famfs_pattern_fill(buf, pos, 2, seed);
	EXPECT_EQ(1, pwrite(fd, buf, 2, pos));
	EXPECT_EQ(-1, pwrite(fd, buf, 1, l->size));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(1, pread(fd, buf, 2, pos));
	EXPECT_EQ(famfs_pattern_byte(seed, pos), buf[0]);
	EXPECT_EQ(0, pread(fd, buf, 1, l->size));
	/* the page the file ends in is mapped whole; the next one is not */
	end = (l->size + 4095) & ~4095ULL;
	p = mmap(NULL, end + 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, in_child(touch_byte, p + end - 1));
	EXPECT_EQ(famfs_pattern_byte(seed, pos), p[pos]);
	EXPECT_EQ(128 + SIGBUS, in_child(touch_byte, p + end));
	munmap(p, end + 4096);
	close(fd);
	free(buf);
}

/* ----------------------------------------------------------------------- */
/* Faults, counted by the fs_dax tracepoints */

static int set_fault_events(int on)
{
	static const char * const ev[] = {
		"dax_pmd_fault_done", "dax_pte_fault_done",
	};
	char path[128];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), TRACEFS "/events/fs_dax/%s/enable", ev[i]);
		if (write_file(path, on ? "1" : "0"))
			return -1;
	}
	return write_file(TRACEFS "/tracing_on", on ? "1" : "0");
}

struct fault_counts {
	unsigned int pmd_nopage, pmd_other, pte;
};

static void count_faults(struct fault_counts *fc)
{
	char line[512];
	FILE *f;

	memset(fc, 0, sizeof(*fc));
	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "dax_pmd_fault_done:")) {
			if (strstr(line, " NOPAGE"))
				fc->pmd_nopage++;
			else
				fc->pmd_other++;
		} else if (strstr(line, "dax_pte_fault_done:")) {
			fc->pte++;
		}
	}
	fclose(f);
}

/* Touch every page of @p (a load, or a store) and count the faults taken */
static int touch_counted(char *p, uint64_t len, bool store,
			 struct fault_counts *fc)
{
	uint64_t pos;

	if (write_file(TRACEFS "/trace", "") || set_fault_events(1))
		return -1;
	for (pos = 0; pos < len; pos += 4096) {
		if (store)
			__atomic_store_n(p + pos, 1, __ATOMIC_RELAXED);
		else
			__atomic_load_n(p + pos, __ATOMIC_RELAXED);
	}
	if (set_fault_events(0))
		return -1;
	count_faults(fc);
	return 0;
}

TEST_F_TIMEOUT(famfs, huge_faults_one_gib, 300)
{
	char *f = path_in(self->mpt, "gib");
	struct fault_counts fc;
	int fd, store;
	char *p;

	/* 1 GiB of memory at a 1 GiB boundary */
	fd = famfs_create_mapped(f, G1, G1);
	ASSERT_LE(0, fd);
	p = mmap(NULL, G1, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* famfs places the mapping for huge pages */
	ASSERT_EQ(0, (uintptr_t)p & (M2 - 1));

	/* reads map each 2 MiB read-only, then writes fault again */
	for (store = 0; store < 2; store++) {
		ASSERT_EQ(0, touch_counted(p, G1, store, &fc));
		TH_LOG("%s of 1 GiB: %u PMD faults, %u PTE faults, %u PMD fallbacks",
		       store ? "write" : "read", fc.pmd_nopage, fc.pte,
		       fc.pmd_other);
		EXPECT_EQ(512, fc.pmd_nopage);
		EXPECT_EQ(0, fc.pte);
		EXPECT_EQ(0, fc.pmd_other);
	}
	munmap(p, G1);
	close(fd);
}

/* A file smaller than 2 MiB, or a mapping not 2 MiB aligned, takes PTEs */
TEST_F(famfs, small_file_takes_pte_faults)
{
	char *f = path_in(self->mpt, "small");
	struct fault_counts fc;
	char *p;
	int fd;

	fd = famfs_create_mapped(f, 8 * 4096, DATA_OFF);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 8 * 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, touch_counted(p, 8 * 4096, false, &fc));
	TH_LOG("8 pages: %u PTE faults, %u PMD faults", fc.pte, fc.pmd_nopage);
	EXPECT_EQ(8, fc.pte);
	EXPECT_EQ(0, fc.pmd_nopage);
	munmap(p, 8 * 4096);
	close(fd);
}

/* ----------------------------------------------------------------------- */
/* The same memory through /dev/dax and through files (famfs' tools do it) */

static void fill(void *p, size_t len, uint64_t seed)
{
	famfs_pattern_fill(p, 0, len, seed);
}

static bool same(const void *p, size_t len, uint64_t seed)
{
	return famfs_pattern_check(p, 0, len, seed) == -1;
}

TEST_F(famfs, device_first_then_file)
{
	char *f = path_in(self->mpt, "after-dev");
	uint8_t *dev, *p;
	int fd;

	dev = famfs_dev_mmap(self->dev, DATA_OFF, 2 * M2);
	ASSERT_NE(MAP_FAILED, dev);
	fill(dev, 2 * M2, 1);		/* device-dax faults the pages first */
	fd = famfs_create_mapped(f, 2 * M2, DATA_OFF);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 2 * M2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(same(p, 2 * M2, 1));
	fill(p + 4096, 4096, 2);
	EXPECT_TRUE(same(dev + 4096, 4096, 2));
	munmap(p, 2 * M2);
	munmap(dev, 2 * M2);
	close(fd);
}

TEST_F(famfs, file_first_then_device)
{
	char *f = path_in(self->mpt, "before-dev");
	uint8_t *dev, *p;
	char buf[4096];
	int fd;

	fd = famfs_create_mapped(f, 2 * M2, DATA_OFF + 2 * M2);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 2 * M2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill(p, 2 * M2, 3);		/* famfs faults the pages first */
	dev = famfs_dev_mmap(self->dev, DATA_OFF + 2 * M2, 2 * M2);
	ASSERT_NE(MAP_FAILED, dev);
	EXPECT_TRUE(same(dev, 2 * M2, 3));
	fill(dev, 4096, 4);
	ASSERT_EQ(4096, pread(fd, buf, 4096, 0));
	EXPECT_TRUE(same(buf, 4096, 4));
	/* the file goes, the device mapping stays; a new file maps it again */
	munmap(p, 2 * M2);
	close(fd);
	ASSERT_EQ(0, unlink(f));
	fd = famfs_create_mapped(f, 2 * M2, DATA_OFF + 2 * M2);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 2 * M2, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(same(p, 4096, 4));
	munmap(p, 2 * M2);
	munmap(dev, 2 * M2);
	close(fd);
}

/* famfs clone: two files, one extent */
TEST_F(famfs, two_files_share_an_extent)
{
	char *a = path_in(self->mpt, "a"), *b = path_in(self->mpt, "b");
	uint8_t *pa, *pb;
	char buf[4096];
	int fa, fb;

	fa = famfs_create_mapped(a, 4 * M2, DATA_OFF + 8 * M2);
	ASSERT_LE(0, fa);
	fb = famfs_create_mapped(b, 4 * M2, DATA_OFF + 8 * M2);
	ASSERT_LE(0, fb);
	pa = mmap(NULL, 4 * M2, PROT_READ | PROT_WRITE, MAP_SHARED, fa, 0);
	ASSERT_NE(MAP_FAILED, pa);
	pb = mmap(NULL, 4 * M2, PROT_READ | PROT_WRITE, MAP_SHARED, fb, 0);
	ASSERT_NE(MAP_FAILED, pb);
	fill(pa, 4 * M2, 5);
	EXPECT_TRUE(same(pb, 4 * M2, 5));
	fill(pb + M2, 4096, 6);
	ASSERT_EQ(4096, pread(fa, buf, 4096, M2));
	EXPECT_TRUE(same(buf, 4096, 6));
	/* one goes away while the other stays mapped */
	munmap(pa, 4 * M2);
	close(fa);
	ASSERT_EQ(0, unlink(a));
	fill(pb, 4096, 7);
	ASSERT_EQ(4096, pread(fb, buf, 4096, 0));
	EXPECT_TRUE(same(buf, 4096, 7));
	munmap(pb, 4 * M2);
	close(fb);
}

/* Both ways at once, across umount and mount, in every order */
TEST_F(famfs, sharing_survives_remount)
{
	char *a = path_in(self->mpt, "a"), *b = path_in(self->mpt, "b");
	uint8_t *dev, *pa, *pb;
	int round, fa, fb;

	dev = famfs_dev_mmap(self->dev, DATA_OFF + 16 * M2, 2 * M2);
	ASSERT_NE(MAP_FAILED, dev);
	for (round = 0; round < 4; round++) {
		if (round & 1)
			fill(dev, 2 * M2, 10 + round);
		fa = famfs_create_mapped(a, 2 * M2, DATA_OFF + 16 * M2);
		ASSERT_LE(0, fa);
		fb = famfs_create_mapped(b, 2 * M2, DATA_OFF + 16 * M2);
		ASSERT_LE(0, fb);
		pa = mmap(NULL, 2 * M2, PROT_READ | PROT_WRITE, MAP_SHARED, fa, 0);
		ASSERT_NE(MAP_FAILED, pa);
		pb = mmap(NULL, 2 * M2, PROT_READ, MAP_SHARED, fb, 0);
		ASSERT_NE(MAP_FAILED, pb);
		if (!(round & 1))
			fill(pa, 2 * M2, 10 + round);
		EXPECT_TRUE(same(pa, 2 * M2, 10 + round));
		EXPECT_TRUE(same(pb, 2 * M2, 10 + round));
		EXPECT_TRUE(same(dev, 2 * M2, 10 + round));
		if (round < 2) {
			munmap(pa, 2 * M2);
			munmap(pb, 2 * M2);
		}
		close(fa);
		close(fb);
		/* rounds 2 and 3 umount with the files still mapped: busy */
		if (round >= 2) {
			EXPECT_EQ(-1, umount(self->mpt));
			EXPECT_EQ(EBUSY, errno);
			munmap(pa, 2 * M2);
			munmap(pb, 2 * M2);
		}
		ASSERT_EQ(0, umount(self->mpt));
		ASSERT_EQ(0, famfs_mount(self->dev, self->mpt, FAMFS_MOUNT_FLAGS, ""));
	}
	munmap(dev, 2 * M2);
}

/*
 * What famfs user space does on a second mount: read its log through the
 * device, recreate .meta, replay the log, and read the files' bytes.
 */
struct log_entry {
	char name[32];
	uint64_t size;
	uint64_t offset;
	uint64_t seed;
};

#define LOG_OFF		M2
#define LOG_LEN		(4 * M2)
#define LOG_MAGIC	0x46414d46534c4f47ULL	/* "FAMFSLOG" */

static void replay(struct __test_metadata *_metadata, const char *mpt,
		   const char *dev, bool first)
{
	const struct famfs_extent sbx = { 0, M2 }, logx = { LOG_OFF, LOG_LEN };
	char *meta = path_in(mpt, ".meta");
	char *sb = path_in(meta, ".superblock"), *lg = path_in(meta, ".log");
	struct log_entry *e;
	uint64_t *log, i, n;
	uint8_t *raw;
	int fd, lfd;

	ASSERT_EQ(0, mkdir(meta, 0700));
	fd = open(sb, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, famfs_map_simple(fd, FAMFS_SUPERBLOCK, M2, &sbx, 1));
	close(fd);
	lfd = open(lg, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, famfs_map_simple(lfd, FAMFS_LOG, LOG_LEN, &logx, 1));
	ASSERT_EQ(0, flock(lfd, LOCK_EX));
	log = mmap(NULL, LOG_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, lfd, 0);
	ASSERT_NE(MAP_FAILED, log);
	e = (struct log_entry *)(log + 2);

	if (first) {
		/* the first host writes files and logs them */
		const uint64_t sizes[] = { 1, 4096, 3 * M2 + 17, 8 * M2 };

		log[0] = LOG_MAGIC;
		log[1] = 4;
		for (i = 0; i < 4; i++) {
			char *f;

			snprintf(e[i].name, sizeof(e[i].name), "file%u", (unsigned int)i);
			e[i].size = sizes[i];
			e[i].offset = DATA_OFF + 32 * M2 + i * 8 * M2;
			e[i].seed = 0x5eed0000 + i + getpid();
			f = path_in(mpt, e[i].name);
			fd = famfs_create_mapped(f, e[i].size, e[i].offset);
			ASSERT_LE(0, fd);
			raw = mmap(NULL, e[i].size, PROT_WRITE, MAP_SHARED, fd, 0);
			ASSERT_NE(MAP_FAILED, raw);
			famfs_pattern_fill(raw, 0, e[i].size, e[i].seed);
			munmap(raw, e[i].size);
			close(fd);
			free(f);
		}
	} else {
		/* the log as the device holds it */
		raw = famfs_dev_mmap(dev, LOG_OFF, LOG_LEN);
		ASSERT_NE(MAP_FAILED, raw);
		ASSERT_EQ(0, memcmp(raw, log, LOG_LEN));
		munmap(raw, LOG_LEN);
		ASSERT_EQ(LOG_MAGIC, log[0]);
		n = log[1];
		ASSERT_EQ(4, n);
		for (i = 0; i < n; i++) {
			char *f = path_in(mpt, e[i].name);
			struct stat st;
			char *buf;

			fd = famfs_create_mapped(f, e[i].size, e[i].offset);
			ASSERT_LE(0, fd);
			ASSERT_EQ(0, fstat(fd, &st));
			EXPECT_EQ(e[i].size, st.st_size);
			buf = malloc(e[i].size);
			ASSERT_NE(NULL, buf);
			/* one read(2) of the whole file */
			ASSERT_EQ(e[i].size, read(fd, buf, e[i].size));
			EXPECT_EQ(-1, famfs_pattern_check(buf, 0, e[i].size, e[i].seed));
			free(buf);
			close(fd);
			free(f);
		}
	}
	munmap(log, LOG_LEN);
	close(lfd);
	free(meta);
	free(sb);
	free(lg);
}

TEST_F(famfs, log_replay_on_second_mount)
{
	replay(_metadata, self->mpt, self->dev, true);
	ASSERT_EQ(0, umount(self->mpt));
	ASSERT_EQ(0, famfs_mount(self->dev, self->mpt, FAMFS_MOUNT_FLAGS, ""));
	EXPECT_EQ(0, dir_entries(self->mpt));
	replay(_metadata, self->mpt, self->dev, false);
}

/* ----------------------------------------------------------------------- */
/* Lifecycle */

FIXTURE(unmounted) {
	char *mpt;
};

FIXTURE_SETUP(unmounted)
{
	self->mpt = make_dir("mnt");
	ASSERT_NE(NULL, self->mpt);
}

FIXTURE_TEARDOWN(unmounted)
{
	umount_fresh(_metadata, self->mpt);
}

TEST_F_TIMEOUT(unmounted, mount_cycles, 900)
{
	char *d = path_in(self->mpt, "dir"), *f = path_in(d, "file");
	char buf[4096];
	int i, fd;

	memset(buf, 0x5a, sizeof(buf));
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, famfs_mount(famfs_dev_path(), self->mpt,
					 FAMFS_MOUNT_FLAGS, ""));
		ASSERT_EQ(0, mkdir(d, 0755));
		fd = famfs_create_mapped(f, M2, DATA_OFF + (i % 64) * M2);
		ASSERT_LE(0, fd);
		ASSERT_EQ(sizeof(buf), pwrite(fd, buf, sizeof(buf), i));
		close(fd);
		ASSERT_EQ(0, umount(self->mpt));
	}
}

/* $FAMFS_MODULE, or famfs.ko where modules_install puts it */
static const char *module_path(void)
{
	const char *m = getenv("FAMFS_MODULE");
	static char path[320];
	struct utsname u;

	if (m)
		return m;
	if (uname(&u))
		return "";
	snprintf(path, sizeof(path), "/lib/modules/%s/kernel/fs/famfs/famfs.ko",
		 u.release);
	return path;
}

TEST_F(unmounted, module_unload_and_reload)
{
	char *mpt = self->mpt;
	struct stat st;
	int fd;

	/* the module to load again, before famfs is gone */
	fd = open(module_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0 && !getenv("FAMFS_MODULE"))
		SKIP(return, "no famfs module at %s: set FAMFS_MODULE",
		     module_path());
	ASSERT_LE(0, fd) {
		TH_LOG("FAMFS_MODULE=%s: %s", module_path(), strerror(errno));
	}
	ASSERT_EQ(0, famfs_mount(famfs_dev_path(), mpt, 0, ""));
	/* the mount holds the module */
	EXPECT_EQ(-1, syscall(SYS_delete_module, "famfs", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	ASSERT_EQ(0, umount(mpt));
	ASSERT_EQ(0, syscall(SYS_delete_module, "famfs", O_NONBLOCK));
	EXPECT_EQ(-1, stat("/sys/module/famfs", &st));
	EXPECT_EQ(-ENODEV, famfs_mount(famfs_dev_path(), mpt, 0, ""));
	ASSERT_EQ(0, syscall(SYS_finit_module, fd, "", 0));
	close(fd);
	EXPECT_EQ(0, stat("/sys/module/famfs", &st));
	ASSERT_EQ(0, famfs_mount(famfs_dev_path(), mpt, 0, ""));
	EXPECT_EQ(0, umount(mpt));
}

/* ----------------------------------------------------------------------- */
/* Failures */

static void poison(void *p)
{
	/* the kernel's software injection of a hardware memory error */
	if (madvise(p, 4096, MADV_HWPOISON))
		_exit(20);
	_exit(21);
}

struct mapping {
	void *addr;
	size_t len;
};

/*
 * A task that asked for early kill maps @p and waits: memory-failure
 * handling must find it and kill it with SIGBUS when the page fails. It
 * first unmaps the @nr mappings @drop it inherited, so that it maps the
 * page only the way the caller means: through one file, or the device.
 */
static pid_t early_kill_mapper(void *p, int ready, const struct mapping *drop,
			       unsigned int nr)
{
	pid_t pid = fork();
	unsigned int i;

	if (pid)
		return add_helper(pid);
	for (i = 0; i < nr; i++)
		if (munmap(drop[i].addr, drop[i].len))
			_exit(9);
	if (prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0))
		_exit(10);
	__atomic_load_n((char *)p, __ATOMIC_RELAXED);
	if (write(ready, "", 1) != 1)
		_exit(11);
	sleep(60);
	_exit(12);
}

static int wait_status(pid_t pid)
{
	unsigned int i;
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	for (i = 0; i < ARRAY_SIZE(helpers); i++)
		if (helpers[i] == pid)
			helpers[i] = 0;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* Whether famfs' debugfs file of the failed memory of @dev has @line */
static int failed_memory_lists(const char *dev, const char *line)
{
	char path[96], buf[256];
	struct stat st;
	int found = 0;
	FILE *f;

	if (stat(dev, &st))
		return -1;
	snprintf(path, sizeof(path), "/sys/kernel/debug/famfs/%u:%u/failed_memory",
		 major(st.st_rdev), minor(st.st_rdev));
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, line, strlen(line)) &&
		    buf[strlen(line)] == '\n')
			found = 1;
	fclose(f);
	return found;
}

/*
 * A poisoned page, mapped through two famfs files and through the device:
 * the task that hits it gets SIGBUS, and so do the tasks that map it
 * through the other file and through the device and asked for early kill
 * (famfs finds its files' mappers, device-dax its own); famfs takes the
 * page out of every mapping of its files, refuses it from then on (a new
 * map of it too), lists it in debugfs, and keeps serving the rest: new
 * files and directories, and maps of other memory, included.
 */
TEST_F(famfs, memory_failure_is_contained)
{
	char *f = path_in(self->mpt, "poisoned"), *g = path_in(self->mpt, "new");
	char *c = path_in(self->mpt, "clone"), *sib = path_in(self->mpt, "sibling");
	char *d = path_in(self->mpt, "dir");
	const struct famfs_extent bad = { DATA_OFF + 41 * M2, M2 };
	const struct famfs_extent good = { DATA_OFF + 44 * M2, M2 };
	uint8_t *p, *q, *dev;
	pid_t by_file, by_dev;
	int fd, cd, sd, gd, pipefd[2];
	char buf[4096];

	fd = famfs_create_mapped(f, 4 * M2, DATA_OFF + 40 * M2);
	ASSERT_LE(0, fd);
	cd = famfs_create_mapped(c, 4 * M2, DATA_OFF + 40 * M2);
	ASSERT_LE(0, cd);
	sd = famfs_create_mapped(sib, M2, DATA_OFF + 48 * M2);
	ASSERT_LE(0, sd);
	p = mmap(NULL, 4 * M2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = mmap(NULL, 4 * M2, PROT_READ, MAP_SHARED, cd, 0);
	ASSERT_NE(MAP_FAILED, q);
	dev = famfs_dev_mmap(self->dev, DATA_OFF + 41 * M2, M2);
	ASSERT_NE(MAP_FAILED, dev);
	fill(p, 4 * M2, 9);
	/* the clone and the device see the same bytes */
	EXPECT_EQ(-1, famfs_pattern_check(q, 0, 4 * M2, 9));
	EXPECT_EQ(p[M2], dev[0]);
	ASSERT_EQ(1, page_present(p + M2));
	ASSERT_EQ(1, page_present(q + M2));

	ASSERT_EQ(0, pipe(pipefd));
	/* one maps it through the clone only, the other through the device */
	by_file = early_kill_mapper(q + M2, pipefd[1], (struct mapping[]) {
		{ p, 4 * M2 }, { dev, M2 } }, 2);
	ASSERT_LT(0, by_file);
	by_dev = early_kill_mapper(dev, pipefd[1], (struct mapping[]) {
		{ p, 4 * M2 }, { q, 4 * M2 } }, 2);
	ASSERT_LT(0, by_dev);
	/* both have the page mapped */
	ASSERT_EQ(1, read(pipefd[0], buf, 1));
	ASSERT_EQ(1, read(pipefd[0], buf, 1));

	/* the task that hits the failure is told at once */
	EXPECT_EQ(128 + SIGBUS, in_child(poison, p + M2));
	/* and every task that maps the page and asked to be told early */
	EXPECT_EQ(128 + SIGBUS, wait_status(by_file));
	EXPECT_EQ(128 + SIGBUS, wait_status(by_dev));
	/* no mapping of the page through a famfs file is left */
	EXPECT_EQ(0, page_present(p + M2));
	EXPECT_EQ(0, page_present(q + M2));
	/* famfs refuses the failed memory, through either file */
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), M2));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, pread(cd, buf, sizeof(buf), M2 + 100));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(128 + SIGBUS, in_child(touch_byte, p + M2));
	EXPECT_EQ(128 + SIGBUS, in_child(touch_byte, q + M2));
	/* and serves the rest */
	ASSERT_EQ(4096, pread(fd, buf, sizeof(buf), 0));
	EXPECT_TRUE(same(buf, 4096, 9));
	EXPECT_EQ(0, in_child(touch_byte, p + 3 * M2));
	ASSERT_EQ(4096, pwrite(sd, buf, sizeof(buf), 0));
	/* one bad page does not stop the file system: a new file maps */
	gd = open(g, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, gd);
	/* other memory, but not memory that failed */
	EXPECT_EQ(-EIO, famfs_map_simple(gd, FAMFS_REG, M2, &bad, 1));
	EXPECT_EQ(0, famfs_map_simple(gd, FAMFS_REG, M2, &good, 1));
	close(gd);
	EXPECT_EQ(0, mkdir(d, 0755));
	/* and the operator sees what failed */
	EXPECT_EQ(1, failed_memory_lists(self->dev, "0xd200000-0xd201000"));
	munmap(p, 4 * M2);
	munmap(q, 4 * M2);
	munmap(dev, M2);
	close(pipefd[0]);
	close(pipefd[1]);
	close(fd);
	close(cd);
	close(sd);
	/* and still unmounts: the fixture does that, and the next case mounts */
}

/*
 * The pfns that memory-failure handling names, read off two kprobes in a
 * trace instance of their own: the pfn device-dax's hook was told failed,
 * and the pfn of each kill of the tasks that map it, as mm's
 * unmap_and_kill() gets it: the page that mf_dax_kill_procs() has just
 * marked HWPoison.
 */
#define PFN_TRACE	TRACEFS "/instances/famfs_test_pfn"
#define PFN_FAILED	"famfs_test_failed"
#define PFN_KILLED	"famfs_test_killed"

struct pfns_seen {
	unsigned int nr_failed, nr_killed, nr_other;
	unsigned long long failed, other;
};

static void pfn_probes_off(void)
{
	write_file(PFN_TRACE "/events/kprobes/" PFN_FAILED "/enable", "0");
	write_file(PFN_TRACE "/events/kprobes/" PFN_KILLED "/enable", "0");
	rmdir(PFN_TRACE);
	write_file_flags(TRACEFS "/kprobe_events", "-:" PFN_FAILED "\n",
			 O_APPEND);
	write_file_flags(TRACEFS "/kprobe_events", "-:" PFN_KILLED "\n",
			 O_APPEND);
}

static int pfn_probes_on(void)
{
	int err;

	pfn_probes_off();
	err = write_file_flags(TRACEFS "/kprobe_events", "p:" PFN_FAILED
			       " dev_dax_memory_failure pfn=$arg2:x64\n",
			       O_APPEND);
	if (!err)
		err = write_file_flags(TRACEFS "/kprobe_events", "p:" PFN_KILLED
				       " unmap_and_kill pfn=$arg2:x64\n",
				       O_APPEND);
	if (!err && mkdir(PFN_TRACE, 0755))
		err = -errno;
	if (!err)
		err = write_file(PFN_TRACE "/events/kprobes/" PFN_FAILED
				 "/enable", "1");
	if (!err)
		err = write_file(PFN_TRACE "/events/kprobes/" PFN_KILLED
				 "/enable", "1");
	return err;
}

static void pfn_probes_read(struct pfns_seen *seen)
{
	unsigned long long pfn;
	char line[512], *at;
	FILE *f;

	memset(seen, 0, sizeof(*seen));
	f = fopen(PFN_TRACE "/trace", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		at = strstr(line, " pfn=0x");
		if (line[0] == '#' || !at)
			continue;
		pfn = strtoull(at + 5, NULL, 16);
		if (strstr(line, PFN_FAILED ":")) {
			seen->nr_failed++;
			seen->failed = pfn;
		} else if (strstr(line, PFN_KILLED ":")) {
			seen->nr_killed++;
			if (pfn != seen->failed) {
				seen->nr_other++;
				seen->other = pfn;
			}
		}
	}
	fclose(f);
}

static void *sigbus_want;

/* The poisoning task's SIGBUS: for the failed page, of a 2 MiB mapping */
static void check_sigbus(int sig, siginfo_t *si, void *uc)
{
	if (si->si_code != BUS_MCEERR_AR)
		_exit(41);
	if (si->si_addr != sigbus_want)
		_exit(42);
	_exit(si->si_addr_lsb == 21 ? 40 : 43);
}

static void poison_and_check_sigbus(void *p)
{
	struct sigaction sa = {
		.sa_sigaction = check_sigbus,
		.sa_flags = SA_SIGINFO,
	};

	sigbus_want = p;
	if (sigaction(SIGBUS, &sa, NULL))
		_exit(44);
	poison(p);
}

/*
 * A failed page in a file that a PMD maps: the task that hits it is told
 * the address of that page, and of a 2 MiB mapping; the kill, and the
 * HWPoison mark, name the pfn that failed, not the first of its 2 MiB.
 */
TEST_F(famfs, memory_failure_names_the_failed_page)
{
	char *f = path_in(self->mpt, "pmd");
	struct pfns_seen seen;
	uint8_t *p;
	int fd, st;

	fd = famfs_create_mapped(f, M2, DATA_OFF + 43 * M2);
	ASSERT_LE(0, fd);
	p = mmap(NULL, M2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* 2 MiB aligned, so that a PMD maps it */
	ASSERT_EQ(0, (uintptr_t)p & (M2 - 1));
	ASSERT_EQ(0, pfn_probes_on());
	st = in_child(poison_and_check_sigbus, p + 8192);
	pfn_probes_read(&seen);
	pfn_probes_off();
	EXPECT_EQ(40, st) {
		TH_LOG("SIGBUS: 41 wrong si_code, 42 wrong address, 43 wrong si_addr_lsb");
	}
	EXPECT_EQ(1, seen.nr_failed);
	EXPECT_LE(1, seen.nr_killed);
	EXPECT_EQ(0, seen.nr_other) {
		TH_LOG("the page %#llx failed, the kill named %#llx",
		       seen.failed, seen.other);
	}
	munmap(p, M2);
	close(fd);
}

/*
 * A memory failure after a lazy umount, while one task maps the page
 * through a famfs file and another through the device: the detached file
 * system lives on, the device still its own, until its last file goes;
 * both tasks get SIGBUS. The claim on the device ends with the task that
 * held the file system: the device mounts again at once.
 */
TEST_F(famfs, memory_failure_after_lazy_umount)
{
	char *f = path_in(self->mpt, "detached");
	const uint64_t off = DATA_OFF + 42 * M2;
	pid_t by_file, by_dev;
	int fd, pipefd[2];
	uint8_t *p, *dev;
	char c;

	fd = famfs_create_mapped(f, M2, off);
	ASSERT_LE(0, fd);
	p = mmap(NULL, M2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	dev = famfs_dev_mmap(self->dev, off, M2);
	ASSERT_NE(MAP_FAILED, dev);
	ASSERT_EQ(0, pipe(pipefd));
	by_file = early_kill_mapper(p + 8192, pipefd[1], (struct mapping[]) {
		{ dev, M2 } }, 1);
	ASSERT_LT(0, by_file);
	by_dev = early_kill_mapper(dev + 8192, pipefd[1], (struct mapping[]) {
		{ p, M2 } }, 1);
	ASSERT_LT(0, by_dev);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	/* from here on, only by_file's mapping keeps the file system */
	ASSERT_EQ(0, munmap(p, M2));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, umount2(self->mpt, MNT_DETACH));
	/* detached, it still holds the device */
	EXPECT_EQ(-EBUSY, famfs_mount(self->dev, self->mpt, FAMFS_MOUNT_FLAGS, ""));

	EXPECT_EQ(128 + SIGBUS, in_child(poison, dev + 8192));
	EXPECT_EQ(128 + SIGBUS, wait_status(by_file));
	EXPECT_EQ(128 + SIGBUS, wait_status(by_dev));
	/*
	 * by_file's exit ran the last fput() and, with it, the detached
	 * file system's ->kill_sb(), before its parent could reap it
	 */
	EXPECT_EQ(0, famfs_mount(self->dev, self->mpt, FAMFS_MOUNT_FLAGS, ""));
	munmap(dev, M2);
	close(pipefd[0]);
	close(pipefd[1]);
	/* the fixture unmounts the new mount */
}

/* The device driver unbound under a mounted famfs, then bound again */
TEST_F(famfs, device_goes_away_while_mounted)
{
	char *f = path_in(self->mpt, "gone"), *name = dax_name(self->dev);
	char buf[4096];
	uint8_t *p;
	int fd;

	fd = famfs_create_mapped(f, 2 * M2, DATA_OFF);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 2 * M2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill(p, 2 * M2, 11);
	ASSERT_EQ(1, page_present(p));
	ASSERT_EQ(1, page_present(p + M2 + 4096));
	ASSERT_EQ(0, write_file("/sys/bus/dax/drivers/device_dax/unbind", name));
	/*
	 * famfs took its mappings down: none is left in this task's page
	 * tables (a forked child would fault afresh whether or not they
	 * were), and the memory is gone: a new fault gets SIGBUS
	 */
	EXPECT_EQ(0, page_present(p));
	EXPECT_EQ(0, page_present(p + M2 + 4096));
	EXPECT_EQ(128 + SIGBUS, in_child(touch_byte, p));
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(EIO, errno);
	munmap(p, 2 * M2);
	close(fd);
	EXPECT_EQ(0, umount(self->mpt));
	ASSERT_EQ(0, write_file("/sys/bus/dax/drivers/device_dax/bind", name));
	/* back: it mounts, and the bytes are still in the memory */
	ASSERT_EQ(0, famfs_mount(self->dev, self->mpt, FAMFS_MOUNT_FLAGS, ""));
	fd = famfs_create_mapped(f, 2 * M2, DATA_OFF);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4096, pread(fd, buf, sizeof(buf), 0));
	EXPECT_TRUE(same(buf, 4096, 11));
	close(fd);
}

/*
 * A page of a famfs file that something else holds (here a pipe, through
 * vmsplice(): it takes a reference to the page, as O_DIRECT I/O does):
 * famfs drops the file's dax entries at eviction without the warning of a
 * truncation. The page is the device's, and is still good: the pipe reads
 * it afterwards.
 */
static int pin_in_pipe(int pipefd[2], void *p)
{
	struct iovec iov = { .iov_base = p, .iov_len = 4096 };

	if (pipe(pipefd))
		return -errno;
	return vmsplice(pipefd[1], &iov, 1, 0) == 4096 ? 0 : -errno;
}

TEST_F(famfs, pinned_page_at_umount)
{
	char *f = path_in(self->mpt, "pinned");
	int fd, pipefd[2];
	uint8_t buf[4096];
	uint8_t *p;

	fd = famfs_create_mapped(f, M2, DATA_OFF + 60 * M2);
	ASSERT_LE(0, fd);
	p = mmap(NULL, M2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill(p, M2, 13);
	ASSERT_EQ(0, pin_in_pipe(pipefd, p + 8192));
	munmap(p, M2);
	close(fd);
	/* the eviction of every file, the pinned one's too */
	ASSERT_EQ(0, umount(self->mpt));
	ASSERT_EQ(sizeof(buf), read(pipefd[0], buf, sizeof(buf)));
	EXPECT_EQ(-1, famfs_pattern_check(buf, 8192, sizeof(buf), 13));
	close(pipefd[0]);
	close(pipefd[1]);
}

/*
 * The device goes away while a page of a famfs file is held: famfs takes
 * its mappings and dax entries down without a warning and without
 * waiting, as device-dax does for its own mappings. The held page
 * outlives the device, as it does for device-dax: letting go of it would
 * touch the struct page of memory that is gone (or, after a rebind,
 * drop a reference nobody took), so its holder keeps it until the VM
 * powers off.
 */
static void hold_pipe_forever(int pipefd[2])
{
	pid_t pid = fork();

	if (!pid) {
		for (;;)
			pause();
	}
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_F(famfs, pinned_page_at_device_removal)
{
	char *f = path_in(self->mpt, "pinned"), *name = dax_name(self->dev);
	int fd, pipefd[2];
	char buf[4096];
	uint8_t *p;

	fd = famfs_create_mapped(f, M2, DATA_OFF + 62 * M2);
	ASSERT_LE(0, fd);
	p = mmap(NULL, M2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	fill(p, M2, 14);
	ASSERT_EQ(0, pin_in_pipe(pipefd, p + 4096));
	ASSERT_EQ(0, write_file("/sys/bus/dax/drivers/device_dax/unbind", name));
	EXPECT_EQ(0, page_present(p + 4096));
	EXPECT_EQ(128 + SIGBUS, in_child(touch_byte, p));
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(EIO, errno);
	munmap(p, M2);
	close(fd);
	EXPECT_EQ(0, umount(self->mpt));
	ASSERT_EQ(0, write_file("/sys/bus/dax/drivers/device_dax/bind", name));
	hold_pipe_forever(pipefd);
	/* the device is back, and famfs mounts it */
	ASSERT_EQ(0, famfs_mount(self->dev, self->mpt, FAMFS_MOUNT_FLAGS, ""));
}

int main(int argc, char **argv)
{
	if (!famfs_dev_path() && !famfs_only_listing(argc, argv)) {
		ksft_print_header();
		ksft_exit_skip(FAMFS_NO_DEVICE "\n");
	}
	return test_harness_run(argc, argv);
}
