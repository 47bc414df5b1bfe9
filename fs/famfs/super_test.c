// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of famfs' mount options, inodes and mount lifecycle.
 *
 * The mounts are real (fc_mount() of famfs_fs_type) on a real dax_device
 * from alloc_dax() whose operations reach kernel memory. Only the step from
 * the mount source path to a device number is stubbed, since a mock device
 * has no node in /dev (and built-in tests run before there is a /dev).
 */

#include <kunit/resource.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/dax.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/pfn_t.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "famfs_internal.h"

/* big enough for a few 2 MiB aligned files, and a superblock at 0 */
#define MOCK_DAX_SIZE	SZ_32M

struct famfs_mock_dax {
	struct dax_device *dax_dev;
	void *mem;
};

/* What the stubbed source lookup answers: a device number or an error */
struct famfs_test_source {
	dev_t devt;
};

static long mock_dax_direct_access(struct dax_device *dax_dev, pgoff_t pgoff,
				   long nr_pages, enum dax_access_mode mode,
				   void **kaddr, pfn_t *pfn)
{
	struct famfs_mock_dax *mock = dax_get_private(dax_dev);
	long size = MOCK_DAX_SIZE >> PAGE_SHIFT;
	void *addr;

	if (!mock)
		return -ENXIO;
	if (pgoff >= size)
		return -ERANGE;

	addr = mock->mem + (pgoff << PAGE_SHIFT);
	if (kaddr)
		*kaddr = addr;
	/* only read and write are tested here: no fault needs a pfn run */
	if (pfn)
		*pfn = page_to_pfn_t(vmalloc_to_page(addr));
	return min(nr_pages, size - (long)pgoff);
}

static int mock_dax_zero_page_range(struct dax_device *dax_dev, pgoff_t pgoff,
				    size_t nr_pages)
{
	void *kaddr;
	long avail;

	avail = mock_dax_direct_access(dax_dev, pgoff, nr_pages, DAX_ACCESS,
				       &kaddr, NULL);
	if (avail < 0)
		return avail;
	memset(kaddr, 0, nr_pages << PAGE_SHIFT);
	return 0;
}

static const struct dax_operations mock_dax_ops = {
	.direct_access = mock_dax_direct_access,
	.zero_page_range = mock_dax_zero_page_range,
};

/* kill_dax() first: the last put_dax() of a live device warns */
static void mock_dax_destroy(void *data)
{
	struct famfs_mock_dax *mock = data;

	kill_dax(mock->dax_dev);
	put_dax(mock->dax_dev);
	vfree(mock->mem);
}

static struct famfs_mock_dax *mock_dax_create(struct kunit *test)
{
	struct famfs_mock_dax *mock;

	mock = kunit_kzalloc(test, sizeof(*mock), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mock);

	mock->mem = vzalloc(MOCK_DAX_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, mock->mem);

	mock->dax_dev = alloc_dax(mock, &mock_dax_ops);
	if (IS_ERR(mock->dax_dev)) {
		vfree(mock->mem);
		KUNIT_FAIL_AND_ABORT(test, "alloc_dax: %ld",
				     PTR_ERR(mock->dax_dev));
	}
	/* a character device, as device-dax instances are */
	set_dax_chardev(mock->dax_dev);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, mock_dax_destroy, mock));
	return mock;
}

static dev_t mock_dax_devt(struct famfs_mock_dax *mock)
{
	return dax_inode(mock->dax_dev)->i_rdev;
}

/* References on the mock device: alloc_dax()'s own, plus famfs' */
static int mock_dax_refs(struct famfs_mock_dax *mock)
{
	return atomic_read(&dax_inode(mock->dax_dev)->i_count);
}

static int stub_source_devt(struct fs_context *fc, dev_t *devt)
{
	struct famfs_test_source *src = kunit_get_current_test()->priv;

	*devt = src->devt;
	return 0;
}

/* Point the mount source at @devt, whatever path it names */
static void famfs_test_source(struct kunit *test, dev_t devt)
{
	struct famfs_test_source *src = test->priv;

	if (!src) {
		src = kunit_kzalloc(test, sizeof(*src), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, src);
		test->priv = src;
		kunit_activate_static_stub(test, famfs_source_devt,
					   stub_source_devt);
	}
	src->devt = devt;
}

static void famfs_test_unmount(void *mnt)
{
	kern_unmount(mnt);
}

/*
 * Mount famfs with @source and the comma-separated @opts ("key=value").
 * SB_KERNMOUNT makes the final mntput() synchronous, so when
 * famfs_test_umount() returns ->kill_sb() has run.
 */
static struct vfsmount *famfs_test_mount(struct kunit *test,
					 const char *source, const char *opts)
{
	struct fs_context *fc;
	struct vfsmount *mnt;
	char *options, *opt, *value;
	int err = 0;

	fc = fs_context_for_mount(&famfs_fs_type, SB_KERNMOUNT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fc);

	if (source)
		err = vfs_parse_fs_string(fc, "source", source, strlen(source));

	options = kunit_kstrdup(test, opts ?: "", GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, options);
	while (!err && (opt = strsep(&options, ",")) != NULL) {
		if (!*opt)
			continue;
		value = strchr(opt, '=');
		if (value)
			*value++ = '\0';
		err = vfs_parse_fs_string(fc, opt, value,
					  value ? strlen(value) : 0);
	}

	mnt = err ? ERR_PTR(err) : fc_mount(fc);
	put_fs_context(fc);
	if (!IS_ERR(mnt))
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test,
							  famfs_test_unmount,
							  mnt));
	return mnt;
}

static void famfs_test_umount(struct kunit *test, struct vfsmount *mnt)
{
	kunit_release_action(test, famfs_test_unmount, mnt);
}

/* Create @name in @parent: a directory, a regular file or other types */
static int famfs_test_mknod(struct dentry *parent, const char *name,
			    umode_t mode)
{
	struct inode *dir = d_inode(parent);
	struct dentry *dentry;
	int err;

	inode_lock_nested(dir, I_MUTEX_PARENT);
	dentry = lookup_one_len(name, parent, strlen(name));
	if (IS_ERR(dentry)) {
		inode_unlock(dir);
		return PTR_ERR(dentry);
	}

	if (S_ISDIR(mode))
		err = vfs_mkdir(&nop_mnt_idmap, dir, dentry, mode & ~S_IFMT);
	else if (S_ISREG(mode))
		err = vfs_create(&nop_mnt_idmap, dir, dentry, mode & ~S_IFMT,
				 true);
	else if (S_ISLNK(mode))
		err = vfs_symlink(&nop_mnt_idmap, dir, dentry, "target");
	else
		err = vfs_mknod(&nop_mnt_idmap, dir, dentry, mode,
				S_ISCHR(mode) || S_ISBLK(mode) ? MKDEV(1, 3) : 0);
	dput(dentry);
	inode_unlock(dir);
	return err;
}

/* The dentry of @name in @parent, with a reference, or an ERR_PTR */
static struct dentry *famfs_test_lookup(struct dentry *parent,
					const char *name)
{
	struct dentry *dentry;

	inode_lock_shared(d_inode(parent));
	dentry = lookup_one_len(name, parent, strlen(name));
	inode_unlock_shared(d_inode(parent));
	if (!IS_ERR(dentry) && d_really_is_negative(dentry)) {
		dput(dentry);
		return ERR_PTR(-ENOENT);
	}
	return dentry;
}

static int famfs_test_unlink(struct dentry *parent, const char *name)
{
	struct inode *dir = d_inode(parent);
	struct dentry *dentry;
	int err;

	inode_lock_nested(dir, I_MUTEX_PARENT);
	dentry = lookup_one_len(name, parent, strlen(name));
	if (IS_ERR(dentry)) {
		err = PTR_ERR(dentry);
	} else {
		if (d_is_dir(dentry))
			err = vfs_rmdir(&nop_mnt_idmap, dir, dentry);
		else
			err = vfs_unlink(&nop_mnt_idmap, dir, dentry, NULL);
		dput(dentry);
	}
	inode_unlock(dir);
	return err;
}

static int famfs_test_link(struct dentry *parent, const char *old,
			   const char *new)
{
	struct inode *dir = d_inode(parent);
	struct dentry *old_dentry, *new_dentry;
	int err;

	old_dentry = famfs_test_lookup(parent, old);
	if (IS_ERR(old_dentry))
		return PTR_ERR(old_dentry);

	inode_lock_nested(dir, I_MUTEX_PARENT);
	new_dentry = lookup_one_len(new, parent, strlen(new));
	if (IS_ERR(new_dentry)) {
		err = PTR_ERR(new_dentry);
	} else {
		err = vfs_link(old_dentry, &nop_mnt_idmap, dir, new_dentry,
			       NULL);
		dput(new_dentry);
	}
	inode_unlock(dir);
	dput(old_dentry);
	return err;
}

static int famfs_test_rename(struct dentry *parent, const char *old,
			     const char *new)
{
	struct renamedata rd = {
		.old_mnt_idmap = &nop_mnt_idmap,
		.new_mnt_idmap = &nop_mnt_idmap,
		.old_dir = d_inode(parent),
		.new_dir = d_inode(parent),
	};
	struct dentry *trap;
	int err;

	trap = lock_rename(parent, parent);
	if (IS_ERR(trap))
		return PTR_ERR(trap);
	rd.old_dentry = lookup_one_len(old, parent, strlen(old));
	if (IS_ERR(rd.old_dentry)) {
		err = PTR_ERR(rd.old_dentry);
		goto out;
	}
	rd.new_dentry = lookup_one_len(new, parent, strlen(new));
	if (IS_ERR(rd.new_dentry)) {
		err = PTR_ERR(rd.new_dentry);
	} else {
		err = vfs_rename(&rd);
		dput(rd.new_dentry);
	}
	dput(rd.old_dentry);
out:
	unlock_rename(parent, parent);
	return err;
}

/* Mount options */

struct famfs_param_case {
	const char *desc;
	const char *key;
	const char *value;
	int err;
	umode_t mode;
};

static const struct famfs_param_case famfs_param_cases[] = {
	{ "no options", NULL, NULL, 0, 0755 },
	{ "mode 0700", "mode", "0700", 0, 0700 },
	{ "mode without leading 0", "mode", "711", 0, 0711 },
	{ "mode with sticky bit", "mode", "1777", 0, 01777 },
	{ "mode with all special bits", "mode", "7777", 0, 07777 },
	{ "mode 0", "mode", "0", 0, 0 },
	{ "mode with type bits is masked", "mode", "40755", 0, 0755 },
	{ "mode not octal", "mode", "0789", -EINVAL, 0755 },
	{ "mode not a number", "mode", "rwx", -EINVAL, 0755 },
	{ "mode negative", "mode", "-1", -EINVAL, 0755 },
	{ "mode overflowing u32", "mode", "77777777777", -EINVAL, 0755 },
	{ "mode empty", "mode", "", -EINVAL, 0755 },
	{ "mode without value", "mode", NULL, -EINVAL, 0755 },
	{ "dax=always", "dax", "always", 0, 0755 },
	{ "dax=never", "dax", "never", -EINVAL, 0755 },
	{ "dax=inode", "dax", "inode", -EINVAL, 0755 },
	{ "dax=ALWAYS", "dax", "ALWAYS", -EINVAL, 0755 },
	{ "dax empty", "dax", "", -EINVAL, 0755 },
	{ "dax without value", "dax", NULL, -EINVAL, 0755 },
	{ "unknown key", "size", "1G", -EINVAL, 0755 },
	{ "unknown flag", "huge", NULL, -EINVAL, 0755 },
	{ "source is left to the VFS", "source", "/dev/dax0.0", 0, 0755 },
};

static void famfs_param_case_desc(const struct famfs_param_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(famfs_param, famfs_param_cases, famfs_param_case_desc);

static void famfs_put_fc(void *fc)
{
	put_fs_context(fc);
}

static void famfs_param_test(struct kunit *test)
{
	const struct famfs_param_case *c = test->param_value;
	struct famfs_fs_info *fsi;
	struct fs_context *fc;
	int err = 0;

	fc = fs_context_for_mount(&famfs_fs_type, SB_KERNMOUNT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fc);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, famfs_put_fc, fc));

	if (c->key)
		err = vfs_parse_fs_string(fc, c->key, c->value,
					  c->value ? strlen(c->value) : 0);
	KUNIT_EXPECT_EQ(test, err, c->err);

	fsi = fc->s_fs_info;
	KUNIT_ASSERT_NOT_NULL(test, fsi);
	KUNIT_EXPECT_EQ(test, fsi->root_mode, c->mode);
	KUNIT_EXPECT_NULL(test, fsi->dax_dev);
	if (c->key && !strcmp(c->key, "source"))
		KUNIT_EXPECT_STREQ(test, fc->source, c->value);
}

/* A parameter seen twice: the last one wins, an error stops parsing */
static void famfs_param_repeat_test(struct kunit *test)
{
	struct fs_context *fc;

	fc = fs_context_for_mount(&famfs_fs_type, SB_KERNMOUNT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fc);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, famfs_put_fc, fc));

	KUNIT_EXPECT_EQ(test, 0, vfs_parse_fs_string(fc, "mode", "0700", 4));
	KUNIT_EXPECT_EQ(test, 0, vfs_parse_fs_string(fc, "mode", "0750", 4));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			vfs_parse_fs_string(fc, "mode", "0999", 4));
	KUNIT_EXPECT_EQ(test, ((struct famfs_fs_info *)fc->s_fs_info)->root_mode,
			0750);
}

static struct kunit_case famfs_param_test_cases[] = {
	KUNIT_CASE_PARAM(famfs_param_test, famfs_param_gen_params),
	KUNIT_CASE(famfs_param_repeat_test),
	{}
};

static struct kunit_suite famfs_param_test_suite = {
	.name = "famfs_param",
	.test_cases = famfs_param_test_cases,
};

/* Inodes */

/* A mounted famfs on a fresh mock device, torn down by the test */
static struct vfsmount *famfs_test_mount_mock(struct kunit *test,
					      struct famfs_mock_dax **mockp)
{
	struct famfs_mock_dax *mock = mock_dax_create(test);
	struct vfsmount *mnt;

	famfs_test_source(test, mock_dax_devt(mock));
	mnt = famfs_test_mount(test, "/dev/mockdax", NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mnt);
	if (mockp)
		*mockp = mock;
	return mnt;
}

static void famfs_iput(void *inode)
{
	iput(inode);
}

static struct inode *famfs_test_get_inode(struct kunit *test,
					  struct super_block *sb,
					  const struct inode *dir,
					  umode_t mode)
{
	struct inode *inode = famfs_get_inode(sb, dir, mode);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, inode);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, famfs_iput, inode));
	return inode;
}

/* @before: the coarse clock that stamps inodes, read before creating it */
static void famfs_inode_check(struct kunit *test, struct inode *inode,
			      struct super_block *sb, umode_t mode,
			      const struct timespec64 *before)
{
	struct timespec64 ctime = inode_get_ctime(inode);
	struct timespec64 mtime = inode_get_mtime(inode);
	struct timespec64 atime = inode_get_atime(inode);

	KUNIT_EXPECT_EQ(test, inode->i_mode, mode);
	KUNIT_EXPECT_PTR_EQ(test, inode->i_sb, sb);
	KUNIT_EXPECT_NOT_NULL(test, inode->i_op);
	KUNIT_EXPECT_NOT_NULL(test, inode->i_fop);
	KUNIT_EXPECT_NE(test, inode->i_ino, 0);
	KUNIT_EXPECT_EQ(test, i_size_read(inode), 0);
	KUNIT_EXPECT_TRUE(test, uid_eq(inode->i_uid, current_fsuid()));
	KUNIT_EXPECT_TRUE(test, gid_eq(inode->i_gid, current_fsgid()));
	KUNIT_EXPECT_GE(test, timespec64_compare(&ctime, before), 0);
	KUNIT_EXPECT_EQ(test, timespec64_compare(&ctime, &mtime), 0);
	KUNIT_EXPECT_EQ(test, timespec64_compare(&ctime, &atime), 0);
}

/* A new inode of @mode in the root of a fresh mount, checked as such */
static struct inode *famfs_test_new_inode(struct kunit *test, umode_t mode)
{
	struct vfsmount *mnt = famfs_test_mount_mock(test, NULL);
	struct super_block *sb = mnt->mnt_sb;
	struct timespec64 before;
	struct inode *inode;

	ktime_get_coarse_real_ts64(&before);
	inode = famfs_test_get_inode(test, sb, d_inode(sb->s_root), mode);
	famfs_inode_check(test, inode, sb, mode, &before);
	return inode;
}

static void famfs_inode_dir_test(struct kunit *test)
{
	struct inode *inode = famfs_test_new_inode(test, S_IFDIR | 0750);

	KUNIT_EXPECT_EQ(test, inode->i_nlink, 2);
	KUNIT_EXPECT_PTR_EQ(test, inode->i_fop, &simple_dir_operations);
	KUNIT_EXPECT_NOT_NULL(test, inode->i_op->lookup);
	KUNIT_EXPECT_NOT_NULL(test, inode->i_op->create);
	KUNIT_EXPECT_NOT_NULL(test, inode->i_op->mkdir);
	KUNIT_EXPECT_NULL(test, inode->i_op->symlink);
	KUNIT_EXPECT_NULL(test, inode->i_op->mknod);
	KUNIT_EXPECT_NULL(test, inode->i_op->tmpfile);
}

static void famfs_inode_file_test(struct kunit *test)
{
	struct inode *inode = famfs_test_new_inode(test, S_IFREG | 0640);

	KUNIT_EXPECT_EQ(test, inode->i_nlink, 1);
	KUNIT_EXPECT_NOT_NULL(test, inode->i_fop->read_iter);
	KUNIT_EXPECT_NOT_NULL(test, inode->i_fop->write_iter);
	KUNIT_EXPECT_NOT_NULL(test, inode->i_fop->mmap);
	KUNIT_EXPECT_NULL(test, inode->i_op->lookup);
}

static void famfs_inode_root_test(struct kunit *test)
{
	struct timespec64 before;
	struct vfsmount *mnt;
	struct inode *root;

	ktime_get_coarse_real_ts64(&before);
	mnt = famfs_test_mount_mock(test, NULL);
	root = d_inode(mnt->mnt_root);
	famfs_inode_check(test, root, mnt->mnt_sb, S_IFDIR | 0755, &before);
	KUNIT_EXPECT_EQ(test, root->i_nlink, 2);
}

/* A set-group-ID directory passes its group, and the bit to directories */
static void famfs_inode_setgid_test(struct kunit *test)
{
	struct vfsmount *mnt = famfs_test_mount_mock(test, NULL);
	struct super_block *sb = mnt->mnt_sb;
	struct inode *dir, *sub, *file;

	dir = famfs_test_get_inode(test, sb, NULL, S_IFDIR | S_ISGID | 0775);
	dir->i_gid = KGIDT_INIT(4242);

	sub = famfs_test_get_inode(test, sb, dir, S_IFDIR | 0755);
	KUNIT_EXPECT_TRUE(test, gid_eq(sub->i_gid, KGIDT_INIT(4242)));
	KUNIT_EXPECT_TRUE(test, sub->i_mode & S_ISGID);

	file = famfs_test_get_inode(test, sb, dir, S_IFREG | 0644);
	KUNIT_EXPECT_TRUE(test, gid_eq(file->i_gid, KGIDT_INIT(4242)));
	KUNIT_EXPECT_FALSE(test, file->i_mode & S_ISGID);
}

static void famfs_inode_ino_unique_test(struct kunit *test)
{
	struct vfsmount *mnt = famfs_test_mount_mock(test, NULL);
	struct super_block *sb = mnt->mnt_sb;
	unsigned long ino[64];
	int i, j;

	for (i = 0; i < ARRAY_SIZE(ino); i++) {
		umode_t mode = i % 2 ? S_IFREG | 0644 : S_IFDIR | 0755;

		ino[i] = famfs_test_get_inode(test, sb, NULL, mode)->i_ino;
		KUNIT_EXPECT_NE(test, ino[i], d_inode(sb->s_root)->i_ino);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, ino[i], ino[j]);
	}
}

struct famfs_type_case {
	const char *desc;
	umode_t mode;
	int err;	/* from famfs_get_inode() */
	int vfs_err;	/* from the VFS call that would create one */
};

static const struct famfs_type_case famfs_type_cases[] = {
	{ "symlink", S_IFLNK | 0777, -EINVAL, -EPERM },
	{ "character device", S_IFCHR | 0644, -EINVAL, -EPERM },
	{ "block device", S_IFBLK | 0644, -EINVAL, -EPERM },
	{ "fifo", S_IFIFO | 0644, -EINVAL, -EPERM },
	{ "socket", S_IFSOCK | 0644, -EINVAL, -EPERM },
	{ "no type", 0644, -EINVAL, 0 },
};

static void famfs_type_case_desc(const struct famfs_type_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(famfs_type, famfs_type_cases, famfs_type_case_desc);

static void famfs_inode_type_refused_test(struct kunit *test)
{
	const struct famfs_type_case *c = test->param_value;
	struct vfsmount *mnt = famfs_test_mount_mock(test, NULL);
	struct dentry *root = mnt->mnt_root;

	KUNIT_EXPECT_PTR_EQ(test, famfs_get_inode(mnt->mnt_sb, NULL, c->mode),
			    ERR_PTR(c->err));
	/* vfs_mknod() without a type makes a regular file: not refused */
	if (!c->vfs_err)
		return;
	KUNIT_EXPECT_EQ(test, famfs_test_mknod(root, "obj", c->mode),
			c->vfs_err);
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_lookup(root, "obj"),
			    ERR_PTR(-ENOENT));
}

/* Until a file has memory, it has no data: I/O fails, size cannot change */
static void famfs_inode_file_io_refused_test(struct kunit *test)
{
	struct vfsmount *mnt = famfs_test_mount_mock(test, NULL);
	struct path path = { .mnt = mnt };
	struct file *file;
	loff_t pos = 0;
	char buf[8] = "famfs";

	KUNIT_ASSERT_EQ(test, 0, famfs_test_mknod(mnt->mnt_root, "f",
						  S_IFREG | 0644));
	path.dentry = famfs_test_lookup(mnt->mnt_root, "f");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, path.dentry);

	file = dentry_open(&path, O_RDWR, current_cred());
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	KUNIT_EXPECT_EQ(test, kernel_read(file, buf, sizeof(buf), &pos),
			-ENODATA);
	KUNIT_EXPECT_EQ(test, kernel_write(file, buf, sizeof(buf), &pos),
			-ENODATA);
	KUNIT_EXPECT_EQ(test, vfs_truncate(&path, PAGE_SIZE), -EINVAL);
	KUNIT_EXPECT_EQ(test, vfs_truncate(&path, 0), 0);
	KUNIT_EXPECT_EQ(test, i_size_read(d_inode(path.dentry)), 0);
	__fput_sync(file);
	dput(path.dentry);
}

static struct kunit_case famfs_inode_test_cases[] = {
	KUNIT_CASE(famfs_inode_dir_test),
	KUNIT_CASE(famfs_inode_file_test),
	KUNIT_CASE(famfs_inode_root_test),
	KUNIT_CASE(famfs_inode_setgid_test),
	KUNIT_CASE(famfs_inode_ino_unique_test),
	KUNIT_CASE_PARAM(famfs_inode_type_refused_test, famfs_type_gen_params),
	KUNIT_CASE(famfs_inode_file_io_refused_test),
	{}
};

static struct kunit_suite famfs_inode_test_suite = {
	.name = "famfs_inode",
	.test_cases = famfs_inode_test_cases,
};

/* Mount lifecycle */

/* One reference is alloc_dax()'s; famfs holds one more while mounted */
#define MOCK_REFS_IDLE		1
#define MOCK_REFS_MOUNTED	2

static void famfs_mount_basic_test(struct kunit *test)
{
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);
	struct super_block *sb = mnt->mnt_sb;

	KUNIT_EXPECT_EQ(test, sb->s_magic, FAMFS_SUPER_MAGIC);
	KUNIT_EXPECT_EQ(test, sb->s_blocksize, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, sb->s_blocksize_bits, PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, sb->s_maxbytes, MAX_LFS_FILESIZE);
	KUNIT_EXPECT_EQ(test, sb->s_time_gran, 1);
	KUNIT_EXPECT_EQ(test, d_inode(sb->s_root)->i_mode, S_IFDIR | 0755);
	KUNIT_EXPECT_PTR_EQ(test, dax_holder(mock->dax_dev), (void *)sb);
	KUNIT_EXPECT_PTR_EQ(test, FAMFS_SB(sb)->dax_dev, mock->dax_dev);
	KUNIT_EXPECT_EQ(test, mock_dax_refs(mock), MOCK_REFS_MOUNTED);

	famfs_test_umount(test, mnt);
	KUNIT_EXPECT_NULL(test, dax_holder(mock->dax_dev));
	KUNIT_EXPECT_EQ(test, mock_dax_refs(mock), MOCK_REFS_IDLE);
}

static void famfs_mount_mode_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = mock_dax_create(test);
	struct vfsmount *mnt;

	famfs_test_source(test, mock_dax_devt(mock));
	mnt = famfs_test_mount(test, "/dev/mockdax", "mode=0710,dax=always");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mnt);
	KUNIT_EXPECT_EQ(test, d_inode(mnt->mnt_root)->i_mode, S_IFDIR | 0710);
}

/* A second mount fails in famfs_fill_super(), on a half-built super block */
static void famfs_mount_busy_test(struct kunit *test)
{
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);
	struct vfsmount *again;

	again = famfs_test_mount(test, "/dev/mockdax", NULL);
	KUNIT_EXPECT_PTR_EQ(test, again, ERR_PTR(-EBUSY));
	KUNIT_EXPECT_PTR_EQ(test, dax_holder(mock->dax_dev),
			    (void *)mnt->mnt_sb);
	KUNIT_EXPECT_EQ(test, mock_dax_refs(mock), MOCK_REFS_MOUNTED);

	/* the first mount is unharmed */
	KUNIT_EXPECT_EQ(test, 0, famfs_test_mknod(mnt->mnt_root, "d",
						  S_IFDIR | 0755));

	famfs_test_umount(test, mnt);
	KUNIT_EXPECT_EQ(test, mock_dax_refs(mock), MOCK_REFS_IDLE);
	KUNIT_EXPECT_NULL(test, dax_holder(mock->dax_dev));
}

/* A device held by someone else: famfs does not take it over */
static void famfs_mount_held_elsewhere_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = mock_dax_create(test);
	static const struct dax_holder_operations no_hops = {};
	int holder;

	KUNIT_ASSERT_EQ(test, 0, fs_dax_get(mock->dax_dev, &holder, &no_hops));
	famfs_test_source(test, mock_dax_devt(mock));
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/mockdax", NULL),
			    ERR_PTR(-EBUSY));
	KUNIT_EXPECT_PTR_EQ(test, dax_holder(mock->dax_dev), (void *)&holder);
	fs_put_dax(mock->dax_dev, &holder);
	KUNIT_EXPECT_EQ(test, mock_dax_refs(mock), MOCK_REFS_IDLE);
}

/*
 * famfs' only exclusivity is the dax holder claim, and an umount releases
 * it while a new mount may take it. A claim taken while another holder lets
 * go must come with its own operations: memory failures and the device's
 * removal are told to it.
 */
#define HANDOVER_CLAIMS 100

struct famfs_handover {
	struct dax_device *dax_dev;
	atomic_t told;
};

static int handover_notify(struct dax_device *dax_dev, u64 offset, u64 len,
			   int mf_flags)
{
	struct famfs_handover *h = dax_holder(dax_dev);

	atomic_inc(&h->told);
	return 0;
}

static const struct dax_holder_operations handover_hops = {
	.notify_failure = handover_notify,
};

/* The other holder: claims and releases as fast as it can */
static int handover_rival(void *data)
{
	struct famfs_handover *h = data;
	int rival;

	while (!kthread_should_stop()) {
		if (!fs_dax_get(h->dax_dev, &rival, &handover_hops))
			fs_put_dax(h->dax_dev, &rival);
		cond_resched();
	}
	return 0;
}

static void famfs_mount_holder_handover_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = mock_dax_create(test);
	struct famfs_handover h = { .dax_dev = mock->dax_dev };
	struct task_struct *rival;
	int claims = 0, busy = 0, told;

	rival = kthread_run(handover_rival, &h, "famfs-kunit-rival");
	KUNIT_ASSERT_FALSE(test, IS_ERR(rival));
	while (claims < HANDOVER_CLAIMS) {
		cond_resched();
		if (fs_dax_get(mock->dax_dev, &h, &handover_hops)) {
			busy++;
			continue;
		}
		claims++;
		told = atomic_read(&h.told);
		KUNIT_EXPECT_EQ(test, 0,
				dax_holder_notify_failure(mock->dax_dev, 0,
							  PAGE_SIZE, 0));
		/* and still, after the rival's release has had time to end */
		usleep_range(200, 400);
		KUNIT_EXPECT_EQ(test, 0,
				dax_holder_notify_failure(mock->dax_dev, 0,
							  PAGE_SIZE, 0));
		KUNIT_EXPECT_EQ(test, atomic_read(&h.told), told + 2);
		fs_put_dax(mock->dax_dev, &h);
	}
	kthread_stop(rival);
	kunit_info(test, "%d claims, %d refused while the rival held it",
		   claims, busy);
	KUNIT_EXPECT_NULL(test, dax_holder(mock->dax_dev));
	KUNIT_EXPECT_EQ(test, mock_dax_refs(mock), MOCK_REFS_IDLE);
}

static void famfs_mount_remount_test(struct kunit *test)
{
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);

	famfs_test_umount(test, mnt);
	mnt = famfs_test_mount(test, "/dev/mockdax", "mode=0700");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mnt);
	KUNIT_EXPECT_PTR_EQ(test, dax_holder(mock->dax_dev),
			    (void *)mnt->mnt_sb);
	/* a fresh mount is empty: famfs keeps nothing on the device */
	KUNIT_EXPECT_EQ(test, d_inode(mnt->mnt_root)->i_mode, S_IFDIR | 0700);
	KUNIT_EXPECT_EQ(test, d_inode(mnt->mnt_root)->i_nlink, 2);
}

/* famfs' ->reconfigure() as reconfigure_super() calls it: s_umount held */
static int famfs_test_reconfigure(struct vfsmount *mnt, const char *key,
				  const char *value)
{
	struct super_block *sb = mnt->mnt_sb;
	struct fs_context *fc;
	int err = 0;

	fc = fs_context_for_reconfigure(mnt->mnt_root, 0, 0);
	if (IS_ERR(fc))
		return PTR_ERR(fc);
	if (key)
		err = vfs_parse_fs_string(fc, key, value, strlen(value));
	if (!err) {
		down_write(&sb->s_umount);
		err = fc->ops->reconfigure(fc);
		up_write(&sb->s_umount);
	}
	put_fs_context(fc);
	return err;
}

/* A remount applies "mode=", keeps what it does not say, not the device */
static void famfs_mount_reconfigure_test(struct kunit *test)
{
	struct vfsmount *mnt = famfs_test_mount_mock(test, NULL);
	struct famfs_fs_info *fsi = FAMFS_SB(mnt->mnt_sb);
	struct inode *root = d_inode(mnt->mnt_root);

	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(mnt, "mode", "0700"), 0);
	KUNIT_EXPECT_EQ(test, root->i_mode, S_IFDIR | 0700);
	KUNIT_EXPECT_EQ(test, fsi->root_mode, 0700);

	/* famfs mount -R: no data, and nothing changes */
	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(mnt, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, root->i_mode, S_IFDIR | 0700);
	KUNIT_EXPECT_EQ(test, fsi->root_mode, 0700);
	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(mnt, "dax", "always"), 0);
	KUNIT_EXPECT_EQ(test, root->i_mode, S_IFDIR | 0700);

	/* what it cannot change, or does not know, is refused */
	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(mnt, "source",
						     "/dev/other"), -EINVAL);
	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(mnt, "size", "1"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(mnt, "mode", "bad"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, root->i_mode, S_IFDIR | 0700);
	KUNIT_EXPECT_EQ(test, fsi->root_mode, 0700);
}

struct famfs_source_case {
	const char *desc;
	dev_t devt;		/* the number the stubbed lookup finds */
	int err;
};

/*
 * What the lookup finds is real from here on. Its own refusals are not
 * stubbed: a missing path is famfs_mount_source_lookup_test's, a node on a
 * nodev mount the kselftest's (KUnit cannot make such a mount).
 */
static const struct famfs_source_case famfs_source_cases[] = {
	{ "/dev/null", MKDEV(1, 3), -ENODEV },
	{ "no device", 0, -ENODEV },
};

static void famfs_source_case_desc(const struct famfs_source_case *c,
				   char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(famfs_source, famfs_source_cases, famfs_source_case_desc);

static void famfs_mount_bad_source_test(struct kunit *test)
{
	const struct famfs_source_case *c = test->param_value;

	famfs_test_source(test, c->devt);
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/x", NULL),
			    ERR_PTR(c->err));
}

/*
 * A number in the dax range that no device was allocated for: refused, and
 * no phantom dax device is created for it (a second look finds none).
 */
static void famfs_mount_phantom_devt_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = mock_dax_create(test);
	dev_t devt = MKDEV(MAJOR(mock_dax_devt(mock)), MINORMASK);

	famfs_test_source(test, devt);
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/x", NULL),
			    ERR_PTR(-ENODEV));
	KUNIT_EXPECT_PTR_EQ(test, dax_dev_get(devt), ERR_PTR(-ENODEV));
}

static void famfs_mount_dead_device_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = mock_dax_create(test);

	kill_dax(mock->dax_dev);
	famfs_test_source(test, mock_dax_devt(mock));
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/mockdax", NULL),
			    ERR_PTR(-ENODEV));
	KUNIT_EXPECT_EQ(test, mock_dax_refs(mock), MOCK_REFS_IDLE);
}

static void famfs_test_kill_put_dax(void *dax_dev)
{
	kill_dax(dax_dev);
	put_dax(dax_dev);
}

/*
 * The device dies (kill_dax()) while a rival claims and releases it: a
 * claim that still holds when kill_dax() has returned was told that the
 * device is going away, and no claim is taken after that. kill_dax() reads
 * the holder under the lock that claims and releases take, so no claim
 * slips in between its look at the holder and the device's death.
 */
#define KILL_ROUNDS 50

struct famfs_kill_race {
	struct dax_device *dax_dev;
	atomic_t told;
	bool killed;
	int claims, untold, late;
};

static int kill_notify(struct dax_device *dax_dev, u64 offset, u64 len,
		       int mf_flags)
{
	struct famfs_kill_race *k = dax_holder(dax_dev);

	/* as for any holder: fs_put_dax() is ending the claim */
	if (!k)
		return -EOPNOTSUPP;
	if (mf_flags & MF_MEM_PRE_REMOVE)
		atomic_inc(&k->told);
	return 0;
}

static const struct dax_holder_operations kill_hops = {
	.notify_failure = kill_notify,
};

static int kill_rival(void *data)
{
	struct famfs_kill_race *k = data;
	bool dead;
	int told;

	while (!kthread_should_stop()) {
		/* pairs with the smp_store_release() after kill_dax() */
		dead = smp_load_acquire(&k->killed);
		told = atomic_read(&k->told);
		if (!fs_dax_get(k->dax_dev, k, &kill_hops)) {
			k->claims++;
			if (dead)
				k->late++;
			/* a release waits for SRCU: hold for about as long */
			usleep_range(500, 1000);
			/* pairs with the smp_store_release() after kill_dax() */
			if (smp_load_acquire(&k->killed) &&
			    atomic_read(&k->told) == told)
				k->untold++;
			fs_put_dax(k->dax_dev, k);
		}
		cond_resched();
	}
	return 0;
}

static void famfs_mount_kill_vs_claims_test(struct kunit *test)
{
	struct famfs_kill_race k;
	struct task_struct *rival;
	int round, claims = 0, told = 0;

	for (round = 0; round < KILL_ROUNDS; round++) {
		memset(&k, 0, sizeof(k));
		k.dax_dev = alloc_dax(NULL, &mock_dax_ops);
		KUNIT_ASSERT_FALSE(test, IS_ERR(k.dax_dev));
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test,
							  famfs_test_kill_put_dax,
							  k.dax_dev));
		rival = kthread_run(kill_rival, &k, "famfs-kunit-kill");
		KUNIT_ASSERT_FALSE(test, IS_ERR(rival));
		usleep_range(50 + round * 10, 100 + round * 10);
		kill_dax(k.dax_dev);
		/* what kill_dax() told the rival is seen with this */
		smp_store_release(&k.killed, true);
		usleep_range(200, 400);
		kthread_stop(rival);
		KUNIT_EXPECT_EQ_MSG(test, k.untold, 0, "round %d", round);
		KUNIT_EXPECT_EQ_MSG(test, k.late, 0, "round %d", round);
		KUNIT_EXPECT_NULL(test, dax_holder(k.dax_dev));
		claims += k.claims;
		told += atomic_read(&k.told);
	}
	kunit_info(test, "%d rounds: %d claims, %d told the device was going away",
		   KILL_ROUNDS, claims, told);
}

/*
 * The dax device of a block device (pmem, dm) shares the number space of
 * device-dax, but belongs to the file system on that block device: famfs
 * must not find it by number.
 */
static void famfs_mount_block_dax_test(struct kunit *test)
{
	struct dax_device *dax_dev = alloc_dax(NULL, &mock_dax_ops);
	int err;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dax_dev);
	err = kunit_add_action_or_reset(test, famfs_test_kill_put_dax, dax_dev);
	KUNIT_ASSERT_EQ(test, err, 0);
	famfs_test_source(test, dax_inode(dax_dev)->i_rdev);
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/pmem0", NULL),
			    ERR_PTR(-ENODEV));
	KUNIT_EXPECT_NULL(test, dax_holder(dax_dev));
}

/*
 * A device-dax instance nobody chose for file systems (fs_dax) is alive but
 * has no dax_operations: refused with its own errno, and left unclaimed.
 */
static void famfs_mount_unchosen_device_test(struct kunit *test)
{
	struct dax_device *dax_dev = alloc_dax(NULL, NULL);
	int err;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dax_dev);
	err = kunit_add_action_or_reset(test, famfs_test_kill_put_dax, dax_dev);
	KUNIT_ASSERT_EQ(test, err, 0);
	set_dax_chardev(dax_dev);
	famfs_test_source(test, dax_inode(dax_dev)->i_rdev);
	KUNIT_EXPECT_PTR_EQ(test, dax_dev_get(dax_inode(dax_dev)->i_rdev),
			    ERR_PTR(-EOPNOTSUPP));
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/dax9.0", NULL),
			    ERR_PTR(-EOPNOTSUPP));
	KUNIT_EXPECT_NULL(test, dax_holder(dax_dev));
	KUNIT_EXPECT_EQ(test, atomic_read(&dax_inode(dax_dev)->i_count), 1);
}

static void famfs_mount_no_source_test(struct kunit *test)
{
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, NULL, NULL),
			    ERR_PTR(-EINVAL));
}

/* The real source lookup, on paths that exist before any /dev does */
static void famfs_mount_source_lookup_test(struct kunit *test)
{
	KUNIT_EXPECT_PTR_EQ(test,
			    famfs_test_mount(test, "/famfs-no-such-file", NULL),
			    ERR_PTR(-ENOENT));
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/", NULL),
			    ERR_PTR(-EINVAL));
}

/*
 * Device nodes in the root file system (rootfs, which exists before any
 * initcall runs), so that the real path lookup of famfs_source_devt() is
 * exercised: node type, links, and the device number it yields.
 */

/* Remove the node made by famfs_test_node(); @data is its path */
static void famfs_test_node_remove(void *data)
{
	const char *name = (const char *)data + 1;
	struct dentry *dentry;
	struct path parent;

	if (kern_path("/", 0, &parent))
		return;
	inode_lock_nested(d_inode(parent.dentry), I_MUTEX_PARENT);
	dentry = lookup_one_len(name, parent.dentry, strlen(name));
	if (!IS_ERR(dentry)) {
		if (d_is_positive(dentry))
			vfs_unlink(&nop_mnt_idmap, d_inode(parent.dentry),
				   dentry, NULL);
		dput(dentry);
	}
	inode_unlock(d_inode(parent.dentry));
	path_put(&parent);
}

/* Make @path ("/NAME"): a device node for @devt, or a symlink to @target */
static const char *famfs_test_node(struct kunit *test, const char *path,
				   umode_t mode, dev_t devt, const char *target)
{
	struct dentry *dentry;
	struct path parent;
	char *name;
	int err;

	name = kunit_kstrdup(test, path, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, name);

	dentry = kern_path_create(AT_FDCWD, name, &parent, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dentry);
	if (target)
		err = vfs_symlink(&nop_mnt_idmap, d_inode(parent.dentry),
				  dentry, target);
	else
		err = vfs_mknod(&nop_mnt_idmap, d_inode(parent.dentry), dentry,
				mode, devt);
	done_path_create(&parent, dentry);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = kunit_add_action_or_reset(test, famfs_test_node_remove, name);
	KUNIT_ASSERT_EQ(test, err, 0);
	return name;
}

static void famfs_mount_source_path_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = mock_dax_create(test);
	const char *dax, *link, *null, *fifo;
	struct vfsmount *mnt;

	dax = famfs_test_node(test, "/famfs-kunit-dax", S_IFCHR | 0600,
			      mock_dax_devt(mock), NULL);
	link = famfs_test_node(test, "/famfs-kunit-link", 0, 0, dax);
	null = famfs_test_node(test, "/famfs-kunit-null", S_IFCHR | 0600,
			       MKDEV(1, 3), NULL);
	fifo = famfs_test_node(test, "/famfs-kunit-fifo", S_IFIFO | 0600,
			       0, NULL);

	mnt = famfs_test_mount(test, dax, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mnt);
	KUNIT_EXPECT_PTR_EQ(test, dax_holder(mock->dax_dev),
			    (void *)mnt->mnt_sb);
	/* the same device through a symlink: followed, and busy */
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, link, NULL),
			    ERR_PTR(-EBUSY));
	famfs_test_umount(test, mnt);

	mnt = famfs_test_mount(test, link, NULL);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, mnt);
	if (!IS_ERR(mnt))
		famfs_test_umount(test, mnt);

	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, null, NULL),
			    ERR_PTR(-ENODEV));
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, fifo, NULL),
			    ERR_PTR(-EINVAL));
	KUNIT_EXPECT_EQ(test, mock_dax_refs(mock), MOCK_REFS_IDLE);
}

static void famfs_mount_bad_option_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = mock_dax_create(test);

	famfs_test_source(test, mock_dax_devt(mock));
	KUNIT_EXPECT_PTR_EQ(test,
			    famfs_test_mount(test, "/dev/mockdax", "dax=never"),
			    ERR_PTR(-EINVAL));
	KUNIT_EXPECT_PTR_EQ(test,
			    famfs_test_mount(test, "/dev/mockdax", "size=1G"),
			    ERR_PTR(-EINVAL));
	KUNIT_EXPECT_NULL(test, dax_holder(mock->dax_dev));
	KUNIT_EXPECT_EQ(test, mock_dax_refs(mock), MOCK_REFS_IDLE);
}

/* Build a small tree, change it, unmount: no dentry or inode stays busy */
static void famfs_populate(struct kunit *test, struct dentry *root)
{
	struct dentry *dir;

	KUNIT_ASSERT_EQ(test, 0, famfs_test_mknod(root, ".meta",
						  S_IFDIR | 0700));
	dir = famfs_test_lookup(root, ".meta");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dir);
	KUNIT_EXPECT_EQ(test, 0, famfs_test_mknod(dir, ".superblock",
						  S_IFREG | 0444));
	KUNIT_EXPECT_EQ(test, 0, famfs_test_mknod(dir, ".log",
						  S_IFREG | 0600));
	KUNIT_EXPECT_EQ(test, 0, famfs_test_mknod(dir, "sub",
						  S_IFDIR | 0755));
	dput(dir);

	KUNIT_EXPECT_EQ(test, 0, famfs_test_mknod(root, "a", S_IFREG | 0644));
	KUNIT_EXPECT_EQ(test, 0, famfs_test_mknod(root, "b", S_IFREG | 0644));
	KUNIT_EXPECT_EQ(test, -EEXIST,
			famfs_test_mknod(root, "b", S_IFREG | 0644));
	KUNIT_EXPECT_EQ(test, 0, famfs_test_link(root, "a", "a2"));
	KUNIT_EXPECT_EQ(test, 0, famfs_test_rename(root, "b", "c"));
	KUNIT_EXPECT_EQ(test, 0, famfs_test_mknod(root, "gone",
						  S_IFDIR | 0755));
	KUNIT_EXPECT_EQ(test, 0, famfs_test_unlink(root, "gone"));
	KUNIT_EXPECT_EQ(test, 0, famfs_test_unlink(root, "a"));
	KUNIT_EXPECT_EQ(test, -ENOTEMPTY, famfs_test_unlink(root, ".meta"));
}

static void famfs_mount_populated_umount_test(struct kunit *test)
{
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);
	struct dentry *dentry;

	famfs_populate(test, mnt->mnt_root);

	dentry = famfs_test_lookup(mnt->mnt_root, "a2");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dentry);
	KUNIT_EXPECT_EQ(test, d_inode(dentry)->i_nlink, 1);
	dput(dentry);
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_lookup(mnt->mnt_root, "b"),
			    ERR_PTR(-ENOENT));
	/* root: ".", "..", ".meta" */
	KUNIT_EXPECT_EQ(test, d_inode(mnt->mnt_root)->i_nlink, 3);

	famfs_test_umount(test, mnt);
	KUNIT_EXPECT_NULL(test, dax_holder(mock->dax_dev));
	KUNIT_EXPECT_EQ(test, mock_dax_refs(mock), MOCK_REFS_IDLE);
}

/* The device goes away while mounted: famfs is told and stops creating */
static void famfs_mount_device_killed_test(struct kunit *test)
{
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);
	struct famfs_fs_info *fsi = FAMFS_SB(mnt->mnt_sb);

	KUNIT_ASSERT_EQ(test, 0, famfs_test_mknod(mnt->mnt_root, "before",
						  S_IFREG | 0644));
	KUNIT_EXPECT_FALSE(test, test_bit(FAMFS_DEV_GONE, &fsi->flags));

	kill_dax(mock->dax_dev);
	KUNIT_EXPECT_TRUE(test, test_bit(FAMFS_DEV_GONE, &fsi->flags));
	KUNIT_EXPECT_NULL(test, dax_holder(mock->dax_dev));
	KUNIT_EXPECT_EQ(test, famfs_test_mknod(mnt->mnt_root, "after",
					       S_IFREG | 0644), -EIO);
	KUNIT_EXPECT_EQ(test, famfs_test_mknod(mnt->mnt_root, "dir",
					       S_IFDIR | 0755), -EIO);
	/* what exists can still be found and removed */
	KUNIT_EXPECT_EQ(test, 0, famfs_test_unlink(mnt->mnt_root, "before"));

	famfs_test_umount(test, mnt);
	KUNIT_EXPECT_EQ(test, mock_dax_refs(mock), MOCK_REFS_IDLE);
}

/* A memory failure on the device, reported to its holder */
static void famfs_mount_memory_failure_test(struct kunit *test)
{
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);
	struct famfs_fs_info *fsi = FAMFS_SB(mnt->mnt_sb);
	struct dentry *dentry;

	KUNIT_ASSERT_EQ(test, 0, famfs_test_mknod(mnt->mnt_root, "before",
						  S_IFREG | 0644));
	/* famfs deals with the report: the files' mappers are its business */
	KUNIT_EXPECT_EQ(test, dax_holder_notify_failure(mock->dax_dev,
							PAGE_SIZE, PAGE_SIZE,
							0),
			0);
	/* one bad page does not stop the namespace */
	KUNIT_EXPECT_FALSE(test, test_bit(FAMFS_DEV_GONE, &fsi->flags));
	KUNIT_EXPECT_EQ(test, famfs_test_mknod(mnt->mnt_root, "after",
					       S_IFREG | 0644), 0);
	KUNIT_EXPECT_EQ(test, famfs_test_mknod(mnt->mnt_root, "dir",
					       S_IFDIR | 0755), 0);
	/* a second report is handled too */
	KUNIT_EXPECT_EQ(test, dax_holder_notify_failure(mock->dax_dev, 0,
							PAGE_SIZE, 0),
			0);
	KUNIT_EXPECT_PTR_EQ(test, dax_holder(mock->dax_dev),
			    (void *)mnt->mnt_sb);
	dentry = famfs_test_lookup(mnt->mnt_root, "before");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dentry);
	dput(dentry);
	dentry = famfs_test_lookup(mnt->mnt_root, "after");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dentry);
	dput(dentry);
}

/* Mount, fill, unmount, many times: nothing accumulates on the device */
static void famfs_mount_cycles_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = mock_dax_create(test);
	struct vfsmount *mnt;
	int i;

	famfs_test_source(test, mock_dax_devt(mock));
	for (i = 0; i < 100; i++) {
		mnt = famfs_test_mount(test, "/dev/mockdax", NULL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mnt);
		famfs_populate(test, mnt->mnt_root);
		famfs_test_umount(test, mnt);
		KUNIT_ASSERT_EQ_MSG(test, mock_dax_refs(mock), MOCK_REFS_IDLE,
				    "cycle %d", i);
		KUNIT_ASSERT_NULL_MSG(test, dax_holder(mock->dax_dev),
				      "cycle %d", i);
	}
}

static struct kunit_case famfs_mount_test_cases[] = {
	KUNIT_CASE(famfs_mount_basic_test),
	KUNIT_CASE(famfs_mount_mode_test),
	KUNIT_CASE(famfs_mount_busy_test),
	KUNIT_CASE(famfs_mount_held_elsewhere_test),
	KUNIT_CASE(famfs_mount_holder_handover_test),
	KUNIT_CASE(famfs_mount_kill_vs_claims_test),
	KUNIT_CASE(famfs_mount_remount_test),
	KUNIT_CASE(famfs_mount_reconfigure_test),
	KUNIT_CASE_PARAM(famfs_mount_bad_source_test, famfs_source_gen_params),
	KUNIT_CASE(famfs_mount_phantom_devt_test),
	KUNIT_CASE(famfs_mount_dead_device_test),
	KUNIT_CASE(famfs_mount_block_dax_test),
	KUNIT_CASE(famfs_mount_unchosen_device_test),
	KUNIT_CASE(famfs_mount_no_source_test),
	KUNIT_CASE(famfs_mount_source_lookup_test),
	KUNIT_CASE(famfs_mount_source_path_test),
	KUNIT_CASE(famfs_mount_bad_option_test),
	KUNIT_CASE(famfs_mount_populated_umount_test),
	KUNIT_CASE(famfs_mount_device_killed_test),
	KUNIT_CASE(famfs_mount_memory_failure_test),
	KUNIT_CASE_SLOW(famfs_mount_cycles_test),
	{}
};

static struct kunit_suite famfs_mount_test_suite = {
	.name = "famfs_mount",
	.test_cases = famfs_mount_test_cases,
};

/* The data path: map ioctls, read and write through the mock device */

#define M2	SZ_2M

static void famfs_fput(void *file)
{
	/* synchronous: the mount must be idle when the test unmounts it */
	__fput_sync(file);
}

/* Create (if needed) and open @name in the root of @mnt */
static struct file *famfs_test_open(struct kunit *test, struct vfsmount *mnt,
				    const char *name, int flags)
{
	struct path path = { .mnt = mnt };
	struct file *file;

	path.dentry = famfs_test_lookup(mnt->mnt_root, name);
	if (IS_ERR(path.dentry)) {
		KUNIT_ASSERT_EQ(test, 0, famfs_test_mknod(mnt->mnt_root, name,
							  S_IFREG | 0644));
		path.dentry = famfs_test_lookup(mnt->mnt_root, name);
	}
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, path.dentry);

	file = dentry_open(&path, flags, current_cred());
	dput(path.dentry);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, famfs_fput,
							   file));
	return file;
}

/* User memory for ioctl arguments, holding a copy of @data */
static void __user *famfs_test_user(struct kunit *test, const void *data,
				    size_t len)
{
	unsigned long addr;

	addr = kunit_vm_mmap(test, NULL, 0, PAGE_ALIGN(len ?: 1),
			     PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	KUNIT_ASSERT_NE(test, addr, 0);
	if (data)
		KUNIT_ASSERT_EQ(test, 0, copy_to_user((void __user *)addr,
						      data, len));
	return (void __user *)addr;
}

static long famfs_test_ioctl(struct file *file, unsigned int cmd,
			     void __user *arg)
{
	return vfs_ioctl(file, cmd, (unsigned long)arg);
}

/* MAP_CREATE (ABI 42) saying it has @nr of the extents @ext */
static long famfs_test_map(struct kunit *test, struct file *file,
			   u32 file_type, u64 file_size,
			   const struct famfs_extent ext[FAMFS_MAX_EXTENTS],
			   u64 nr)
{
	struct famfs_ioc_map imap = {
		.extent_type = FAMFS_EXT_SIMPLE,
		.file_type = file_type,
		.file_size = file_size,
		.ext_list_count = nr,
	};

	memcpy(imap.ext_list, ext, sizeof(imap.ext_list));
	return famfs_test_ioctl(file, FAMFSIOC_MAP_CREATE,
				famfs_test_user(test, &imap, sizeof(imap)));
}

/* MAP_CREATE_V2 with one interleaved extent of @nstrips strips */
static long famfs_test_map_interleaved(struct kunit *test, struct file *file,
				       u64 file_size, u64 chunk,
				       const struct famfs_ioc_simple_extent *strip,
				       u32 nstrips)
{
	struct famfs_ioc_interleaved_ext ie = {
		.ie_nstrips = nstrips,
		.ie_chunk_size = chunk,
		.ie_nbytes = file_size,
	};
	struct famfs_ioc_fmap fmap = {
		.fioc_file_size = file_size,
		.fioc_file_type = FAMFS_REG,
		.fioc_ext_type = FAMFS_EXT_INTERLEAVE,
		.fioc_niext = 1,
	};

	ie.ie_strips = (u64)(uintptr_t)famfs_test_user(test, strip,
						       nstrips * sizeof(*strip));
	fmap.kie = (u64)(uintptr_t)famfs_test_user(test, &ie, sizeof(ie));
	return famfs_test_ioctl(file, FAMFSIOC_MAP_CREATE_V2,
				famfs_test_user(test, &fmap, sizeof(fmap)));
}

static void famfs_vfree(void *buf)
{
	vfree(buf);
}

/* A zeroed buffer of @len bytes, more than kmalloc() gives */
static u8 *famfs_test_buf(struct kunit *test, size_t len)
{
	u8 *buf = vzalloc(len);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, famfs_vfree,
							   buf));
	return buf;
}

/* A pattern that differs at every byte and from test to test */
static u8 *famfs_test_pattern(struct kunit *test, size_t len, u8 seed)
{
	u8 *buf = famfs_test_buf(test, len);
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (u8)(i * 7 + i / 4093 + seed);
	return buf;
}

static void famfs_file_rw_simple_test(struct kunit *test)
{
	static const struct famfs_extent ext[] = {
		{ .offset = 4 * M2, .len = 2 * M2 },
		{ .offset = 10 * M2, .len = 2 * M2 },
	};
	const size_t size = 3 * M2 + 100;
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);
	struct file *file = famfs_test_open(test, mnt, "f", O_RDWR);
	struct inode *inode = file_inode(file);
	u8 *data = famfs_test_pattern(test, size, 1);
	u8 *back = famfs_test_buf(test, size + 10);
	loff_t pos = 0;

	KUNIT_ASSERT_EQ(test, 0, famfs_test_map(test, file, FAMFS_REG, size,
						ext, 2));
	KUNIT_EXPECT_EQ(test, i_size_read(inode), size);
	KUNIT_EXPECT_TRUE(test, IS_DAX(inode));

	KUNIT_EXPECT_EQ(test, kernel_write(file, data, size, &pos), size);
	/* file byte x is device byte offset + x, extent after extent */
	KUNIT_EXPECT_EQ(test, 0, memcmp(mock->mem + 4 * M2, data, 2 * M2));
	KUNIT_EXPECT_EQ(test, 0, memcmp(mock->mem + 10 * M2, data + 2 * M2,
					size - 2 * M2));

	pos = 0;
	KUNIT_EXPECT_EQ(test, kernel_read(file, back, size + 10, &pos), size);
	KUNIT_EXPECT_EQ(test, 0, memcmp(back, data, size));
	/* at the end: nothing to read, no room to write */
	KUNIT_EXPECT_EQ(test, kernel_read(file, back, 10, &pos), 0);
	KUNIT_EXPECT_EQ(test, kernel_write(file, data, 10, &pos), -ENOSPC);
	/* across the end: cut short there */
	pos = size - 4;
	KUNIT_EXPECT_EQ(test, kernel_write(file, data, 10, &pos), 4);
	KUNIT_EXPECT_EQ(test, i_size_read(inode), size);
	/* a read across an extent boundary */
	pos = 2 * M2 - 3;
	KUNIT_EXPECT_EQ(test, kernel_read(file, back, 6, &pos), 6);
	KUNIT_EXPECT_EQ(test, 0, memcmp(back, data + 2 * M2 - 3, 6));
}

/* Chunks of 2 MiB round-robin over three strips, seen on the device */
static void famfs_file_rw_interleaved_test(struct kunit *test)
{
	static const struct famfs_ioc_simple_extent strip[] = {
		{ .offset = 2 * M2, .len = 2 * M2 },
		{ .offset = 8 * M2, .len = 2 * M2 },
		{ .offset = 12 * M2, .len = M2 },
	};
	const size_t size = 5 * M2;
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);
	struct file *file = famfs_test_open(test, mnt, "striped", O_RDWR);
	u8 *data = famfs_test_pattern(test, size, 2);
	u8 *back = famfs_test_buf(test, size);
	loff_t pos = 0;
	int chunk;

	KUNIT_ASSERT_EQ(test, 0, famfs_test_map_interleaved(test, file, size,
							    M2, strip, 3));
	KUNIT_EXPECT_EQ(test, kernel_write(file, data, size, &pos), size);
	for (chunk = 0; chunk < 5; chunk++) {
		u64 dev = strip[chunk % 3].offset + (chunk / 3) * M2;

		KUNIT_EXPECT_EQ_MSG(test, 0, memcmp(mock->mem + dev,
						    data + chunk * M2, M2),
				    "chunk %d", chunk);
	}
	pos = 0;
	KUNIT_EXPECT_EQ(test, kernel_read(file, back, size, &pos), size);
	KUNIT_EXPECT_EQ(test, 0, memcmp(back, data, size));
}

/* Every form of the map reads back as it was given */
static void famfs_file_map_get_test(struct kunit *test)
{
	static const struct famfs_extent ext[] = {
		{ .offset = 4 * M2, .len = 2 * M2 },
		{ .offset = 12 * M2, .len = M2 },
	};
	static const struct famfs_ioc_simple_extent strip[] = {
		{ .offset = 2 * M2, .len = M2 },
		{ .offset = 8 * M2, .len = M2 },
	};
	struct vfsmount *mnt = famfs_test_mount_mock(test, NULL);
	struct file *file = famfs_test_open(test, mnt, "f", O_RDWR);
	struct file *striped = famfs_test_open(test, mnt, "s", O_RDWR);
	struct famfs_ioc_get_fmap *gmap;
	struct famfs_ioc_map imap;
	struct famfs_extent got[3];
	void __user *u;

	KUNIT_ASSERT_EQ(test, 0, famfs_test_map(test, file, FAMFS_LOG,
						3 * M2, ext, 2));

	u = famfs_test_user(test, NULL, sizeof(imap));
	KUNIT_ASSERT_EQ(test, 0, famfs_test_ioctl(file, FAMFSIOC_MAP_GET, u));
	KUNIT_ASSERT_EQ(test, 0, copy_from_user(&imap, u, sizeof(imap)));
	KUNIT_EXPECT_EQ(test, imap.extent_type, FAMFS_EXT_SIMPLE);
	KUNIT_EXPECT_EQ(test, imap.file_type, FAMFS_LOG);
	KUNIT_EXPECT_EQ(test, imap.file_size, 3 * M2);
	KUNIT_EXPECT_EQ(test, imap.ext_list_count, 2);
	KUNIT_EXPECT_EQ(test, 0, memcmp(imap.ext_list, ext, sizeof(ext)));

	/* GETEXT writes exactly ext_list_count extents, not one more */
	memset(got, 0xa5, sizeof(got));
	u = famfs_test_user(test, got, sizeof(got));
	KUNIT_ASSERT_EQ(test, 0, famfs_test_ioctl(file, FAMFSIOC_MAP_GETEXT,
						  u));
	KUNIT_ASSERT_EQ(test, 0, copy_from_user(got, u, sizeof(got)));
	KUNIT_EXPECT_EQ(test, 0, memcmp(got, ext, sizeof(ext)));
	KUNIT_EXPECT_EQ(test, got[2].offset, 0xa5a5a5a5a5a5a5a5ULL);

	gmap = kunit_kzalloc(test, sizeof(*gmap), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, gmap);
	u = famfs_test_user(test, NULL, sizeof(*gmap));
	KUNIT_ASSERT_EQ(test, 0, famfs_test_ioctl(file, FAMFSIOC_MAP_GET_V2,
						  u));
	KUNIT_ASSERT_EQ(test, 0, copy_from_user(gmap, u, sizeof(*gmap)));
	KUNIT_EXPECT_EQ(test, gmap->iocmap.fioc_file_size, 3 * M2);
	KUNIT_EXPECT_EQ(test, gmap->iocmap.fioc_file_type, FAMFS_LOG);
	KUNIT_EXPECT_EQ(test, gmap->iocmap.fioc_ext_type, FAMFS_EXT_SIMPLE);
	KUNIT_EXPECT_EQ(test, gmap->iocmap.fioc_nextents, 2);
	KUNIT_EXPECT_EQ(test, gmap->iocmap.kse, 0);
	KUNIT_EXPECT_EQ(test, gmap->ikse[1].devindex, 0);
	KUNIT_EXPECT_EQ(test, gmap->ikse[1].offset, 12 * M2);
	KUNIT_EXPECT_EQ(test, gmap->ikse[1].len, M2);

	KUNIT_ASSERT_EQ(test, 0, famfs_test_map_interleaved(test, striped,
							    2 * M2, M2,
							    strip, 2));
	KUNIT_ASSERT_EQ(test, 0, famfs_test_ioctl(striped, FAMFSIOC_MAP_GET_V2,
						  u));
	KUNIT_ASSERT_EQ(test, 0, copy_from_user(gmap, u, sizeof(*gmap)));
	KUNIT_EXPECT_EQ(test, gmap->iocmap.fioc_ext_type, FAMFS_EXT_INTERLEAVE);
	KUNIT_EXPECT_EQ(test, gmap->iocmap.fioc_niext, 1);
	KUNIT_EXPECT_EQ(test, gmap->ks.ikie.ie_nstrips, 2);
	KUNIT_EXPECT_EQ(test, gmap->ks.ikie.ie_chunk_size, M2);
	KUNIT_EXPECT_EQ(test, gmap->ks.ikie.ie_nbytes, 2 * M2);
	KUNIT_EXPECT_EQ(test, gmap->ks.ikie.ie_strips, 0);
	KUNIT_EXPECT_EQ(test, 0, memcmp(gmap->ks.kie_strips, strip,
					sizeof(strip)));
	/* an interleaved map has no ABI 42 extent list */
	KUNIT_EXPECT_EQ(test, famfs_test_ioctl(striped, FAMFSIOC_MAP_GETEXT, u),
			-EINVAL);
	/* but MAP_GET succeeds, with its type and no simple extent */
	memset(&imap, 0xa5, sizeof(imap));
	u = famfs_test_user(test, &imap, sizeof(imap));
	KUNIT_ASSERT_EQ(test, 0, famfs_test_ioctl(striped, FAMFSIOC_MAP_GET, u));
	KUNIT_ASSERT_EQ(test, 0, copy_from_user(&imap, u, sizeof(imap)));
	KUNIT_EXPECT_EQ(test, imap.extent_type, FAMFS_EXT_INTERLEAVE);
	KUNIT_EXPECT_EQ(test, imap.file_size, 2 * M2);
	KUNIT_EXPECT_EQ(test, imap.ext_list_count, 0);
	KUNIT_EXPECT_EQ(test, imap.ext_list[1].len, 0);
}

/* A file without a map: a famfs file all the same, but without data */
static void famfs_file_unmapped_test(struct kunit *test)
{
	struct vfsmount *mnt = famfs_test_mount_mock(test, NULL);
	struct file *file = famfs_test_open(test, mnt, "f", O_RDWR);
	void __user *u = famfs_test_user(test, NULL, PAGE_SIZE);
	unsigned long addr;

	KUNIT_EXPECT_EQ(test, famfs_test_ioctl(file, FAMFSIOC_NOP, NULL), 0);
	KUNIT_EXPECT_EQ(test, famfs_test_ioctl(file, FAMFSIOC_MAP_GET, u),
			-ENODATA);
	KUNIT_EXPECT_EQ(test, famfs_test_ioctl(file, FAMFSIOC_MAP_GETEXT, u),
			-ENODATA);
	KUNIT_EXPECT_EQ(test, famfs_test_ioctl(file, FAMFSIOC_MAP_GET_V2, u),
			-ENODATA);
	KUNIT_EXPECT_EQ(test, famfs_test_ioctl(file, _IO('u', 0x60), u),
			-ENOTTY);
	addr = vm_mmap(file, 0, M2, PROT_READ, MAP_SHARED, 0);
	KUNIT_EXPECT_EQ(test, (long)addr, -ENODATA);
}

/* A mapped file is mapped 2 MiB aligned, and keeps its size */
static void famfs_file_mapped_test(struct kunit *test)
{
	static const struct famfs_extent ext[FAMFS_MAX_EXTENTS] = {
		{ .offset = 4 * M2, .len = 2 * M2 },
	};
	struct vfsmount *mnt = famfs_test_mount_mock(test, NULL);
	struct file *file = famfs_test_open(test, mnt, "f", O_RDWR);
	unsigned long addr;

	KUNIT_ASSERT_EQ(test, 0, famfs_test_map(test, file, FAMFS_REG, 2 * M2,
						ext, 1));
	KUNIT_EXPECT_EQ(test, famfs_test_ioctl(file, FAMFSIOC_NOP, NULL), 0);

	addr = kunit_vm_mmap(test, file, 0, 2 * M2, PROT_READ | PROT_WRITE,
			     MAP_SHARED, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr));
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(addr, PMD_SIZE));

	KUNIT_EXPECT_EQ(test, vfs_truncate(&file->f_path, M2), -EINVAL);
	KUNIT_EXPECT_EQ(test, vfs_truncate(&file->f_path, 4 * M2), -EINVAL);
	KUNIT_EXPECT_EQ(test, vfs_truncate(&file->f_path, 2 * M2), 0);
	KUNIT_EXPECT_EQ(test, i_size_read(file_inode(file)), 2 * M2);
	/* a second map of the same file */
	KUNIT_EXPECT_EQ(test, famfs_test_map(test, file, FAMFS_REG, 2 * M2,
					     ext, 1), -EEXIST);
}

/* Refusals that need the ioctl path: privilege, mode, user memory */
static void famfs_file_map_refused_test(struct kunit *test)
{
	static const struct famfs_extent ext[FAMFS_MAX_EXTENTS] = {
		{ .offset = 4 * M2, .len = 2 * M2 },
	};
	static const struct famfs_ioc_simple_extent strip[17] = {};
	struct vfsmount *mnt = famfs_test_mount_mock(test, NULL);
	struct file *file = famfs_test_open(test, mnt, "f", O_RDWR);
	struct file *rdonly = famfs_test_open(test, mnt, "f", O_RDONLY);
	struct famfs_ioc_fmap fmap = {
		.fioc_file_size = M2,
		.fioc_ext_type = FAMFS_EXT_SIMPLE,
		.fioc_nextents = 1,
		.fioc_pad = 1,
	};
	const struct cred *old;
	struct cred *cred;

	KUNIT_EXPECT_EQ(test, famfs_test_map(test, rdonly, FAMFS_REG, 2 * M2,
					     ext, 1), -EBADF);

	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	cap_lower(cred->cap_effective, CAP_SYS_RAWIO);
	old = override_creds(cred);
	KUNIT_EXPECT_EQ(test, famfs_test_map(test, file, FAMFS_REG, 2 * M2,
					     ext, 1), -EPERM);
	revert_creds(old);
	put_cred(cred);

	KUNIT_EXPECT_EQ(test, famfs_test_map(test, file, FAMFS_REG, 2 * M2,
					     ext, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, famfs_test_map(test, file, FAMFS_REG,
					     (u64)MAX_LFS_FILESIZE + 1, ext, 1),
			-EFBIG);
	KUNIT_EXPECT_EQ(test, famfs_test_map(test, file, FAMFS_REG, 2 * M2,
					     ext, 3), -E2BIG);
	KUNIT_EXPECT_EQ(test, famfs_test_ioctl(file, FAMFSIOC_MAP_CREATE_V2,
					       famfs_test_user(test, &fmap,
							       sizeof(fmap))),
			-EINVAL);
	/* a bad user pointer to the extents */
	fmap.fioc_pad = 0;
	fmap.kse = 16;
	KUNIT_EXPECT_EQ(test, famfs_test_ioctl(file, FAMFSIOC_MAP_CREATE_V2,
					       famfs_test_user(test, &fmap,
							       sizeof(fmap))),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, famfs_test_map_interleaved(test, file, M2, M2,
							 strip, 17), -E2BIG);
	KUNIT_EXPECT_EQ(test, famfs_test_ioctl(file, FAMFSIOC_MAP_CREATE, NULL),
			-EFAULT);

	/* nothing stuck: the file is still empty and can be mapped */
	KUNIT_EXPECT_EQ(test, i_size_read(file_inode(file)), 0);
	KUNIT_EXPECT_EQ(test, famfs_test_map(test, file, FAMFS_REG, 2 * M2,
					     ext, 1), 0);
}

/* A memory failure: the affected part of a file fails, the rest works */
static void famfs_file_memory_failure_test(struct kunit *test)
{
	static const struct famfs_extent a[FAMFS_MAX_EXTENTS] = {
		{ .offset = 4 * M2, .len = 2 * M2 },
	};
	static const struct famfs_extent b[FAMFS_MAX_EXTENTS] = {
		{ .offset = 8 * M2, .len = 2 * M2 },
	};
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);
	struct file *fa = famfs_test_open(test, mnt, "a", O_RDWR);
	struct file *fb = famfs_test_open(test, mnt, "b", O_RDWR);
	struct file *fc = famfs_test_open(test, mnt, "c", O_RDWR);
	u8 buf[64];
	loff_t pos;

	KUNIT_ASSERT_EQ(test, 0, famfs_test_map(test, fa, FAMFS_REG, 2 * M2,
						a, 1));
	KUNIT_ASSERT_EQ(test, 0, famfs_test_map(test, fb, FAMFS_REG, 2 * M2,
						b, 1));

	dax_holder_notify_failure(mock->dax_dev, 4 * M2 + PAGE_SIZE, PAGE_SIZE,
				  0);
	pos = PAGE_SIZE + 8;
	KUNIT_EXPECT_EQ(test, kernel_read(fa, buf, sizeof(buf), &pos), -EIO);
	pos = PAGE_SIZE + 8;
	KUNIT_EXPECT_EQ(test, kernel_write(fa, buf, sizeof(buf), &pos), -EIO);
	pos = 0;
	KUNIT_EXPECT_EQ(test, kernel_read(fa, buf, sizeof(buf), &pos),
			sizeof(buf));
	pos = PAGE_SIZE + 8;
	KUNIT_EXPECT_EQ(test, kernel_read(fb, buf, sizeof(buf), &pos),
			sizeof(buf));
	/* no new map may include the failed page; other memory maps */
	KUNIT_EXPECT_EQ(test, famfs_test_map(test, fc, FAMFS_REG, 2 * M2,
					     a, 1), -EIO);
	KUNIT_EXPECT_EQ(test, famfs_test_map(test, fc, FAMFS_REG, 2 * M2,
					     b, 1), 0);
}

/* The device going away: no file data can be reached any more */
static void famfs_file_device_gone_test(struct kunit *test)
{
	static const struct famfs_extent a[FAMFS_MAX_EXTENTS] = {
		{ .offset = 4 * M2, .len = 2 * M2 },
	};
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);
	struct file *fa = famfs_test_open(test, mnt, "a", O_RDWR);
	u8 buf[64];
	loff_t pos = 0;

	KUNIT_ASSERT_EQ(test, 0, famfs_test_map(test, fa, FAMFS_REG, 2 * M2,
						a, 1));
	KUNIT_EXPECT_EQ(test, kernel_read(fa, buf, sizeof(buf), &pos),
			sizeof(buf));
	kill_dax(mock->dax_dev);
	pos = 0;
	KUNIT_EXPECT_EQ(test, kernel_read(fa, buf, sizeof(buf), &pos), -EIO);
	KUNIT_EXPECT_EQ(test, kernel_write(fa, buf, sizeof(buf), &pos), -EIO);
}

static long empty_dax_direct_access(struct dax_device *dax_dev, pgoff_t pgoff,
				    long nr_pages, enum dax_access_mode mode,
				    void **kaddr, pfn_t *pfn)
{
	return -ERANGE;
}

static int empty_dax_zero_page_range(struct dax_device *dax_dev,
				     pgoff_t pgoff, size_t nr_pages)
{
	return -ERANGE;
}

static const struct dax_operations empty_dax_ops = {
	.direct_access = empty_dax_direct_access,
	.zero_page_range = empty_dax_zero_page_range,
};

/* A device without memory: refused after the claim, which is given back */
static void famfs_file_empty_device_test(struct kunit *test)
{
	struct dax_device *dax_dev = alloc_dax(NULL, &empty_dax_ops);
	int err;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dax_dev);
	err = kunit_add_action_or_reset(test, famfs_test_kill_put_dax, dax_dev);
	KUNIT_ASSERT_EQ(test, err, 0);
	set_dax_chardev(dax_dev);

	famfs_test_source(test, dax_inode(dax_dev)->i_rdev);
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/dax9.0", NULL),
			    ERR_PTR(-ENODEV));
	KUNIT_EXPECT_NULL(test, dax_holder(dax_dev));
	KUNIT_EXPECT_EQ(test, atomic_read(&dax_inode(dax_dev)->i_count), 1);
}

#if IS_BUILTIN(CONFIG_FAMFS) && IS_BUILTIN(CONFIG_FAMFS_KUNIT_TEST)
/*
 * famfs user space refuses to run without /sys/module/famfs. A modular
 * famfs has it once loaded; a built-in one only because it has a module
 * parameter and its objects are named famfs: check the kobject behind the
 * directory.
 */
static void famfs_file_sys_module_test(struct kunit *test)
{
	struct kobject *kobj = kset_find_obj(module_kset, "famfs");

	KUNIT_ASSERT_NOT_NULL(test, kobj);
	kobject_put(kobj);
}
#endif

static struct kunit_case famfs_file_test_cases[] = {
	KUNIT_CASE(famfs_file_rw_simple_test),
	KUNIT_CASE(famfs_file_rw_interleaved_test),
	KUNIT_CASE(famfs_file_map_get_test),
	KUNIT_CASE(famfs_file_unmapped_test),
	KUNIT_CASE(famfs_file_mapped_test),
	KUNIT_CASE(famfs_file_map_refused_test),
	KUNIT_CASE(famfs_file_memory_failure_test),
	KUNIT_CASE(famfs_file_device_gone_test),
	KUNIT_CASE(famfs_file_empty_device_test),
#if IS_BUILTIN(CONFIG_FAMFS) && IS_BUILTIN(CONFIG_FAMFS_KUNIT_TEST)
	KUNIT_CASE(famfs_file_sys_module_test),
#endif
	{}
};

static struct kunit_suite famfs_file_test_suite = {
	.name = "famfs_file",
	.test_cases = famfs_file_test_cases,
};

kunit_test_suites(&famfs_param_test_suite, &famfs_inode_test_suite,
		  &famfs_mount_test_suite, &famfs_file_test_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests for famfs");
MODULE_LICENSE("GPL");
