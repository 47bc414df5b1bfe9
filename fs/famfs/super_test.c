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
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/pfn_t.h>

#include "famfs_internal.h"

#define MOCK_DAX_SIZE	(2 * 1024 * 1024)

struct famfs_mock_dax {
	struct dax_device *dax_dev;
	void *mem;
};

/* What the stubbed source lookup answers: a device number or an error */
struct famfs_test_source {
	dev_t devt;
	int err;
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
	if (pfn)
		*pfn = phys_to_pfn_t(virt_to_phys(addr), PFN_MAP);
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
	free_pages_exact(mock->mem, MOCK_DAX_SIZE);
}

static struct famfs_mock_dax *mock_dax_create(struct kunit *test)
{
	struct famfs_mock_dax *mock;

	mock = kunit_kzalloc(test, sizeof(*mock), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mock);

	mock->mem = alloc_pages_exact(MOCK_DAX_SIZE, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, mock->mem);

	mock->dax_dev = alloc_dax(mock, &mock_dax_ops);
	if (IS_ERR(mock->dax_dev)) {
		free_pages_exact(mock->mem, MOCK_DAX_SIZE);
		KUNIT_FAIL_AND_ABORT(test, "alloc_dax: %ld",
				     PTR_ERR(mock->dax_dev));
	}
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

	if (src->err)
		return src->err;
	*devt = src->devt;
	return 0;
}

/* Point the mount source at @devt (or make its lookup fail with @err) */
static void famfs_test_source(struct kunit *test, dev_t devt, int err)
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
	src->err = err;
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

	famfs_test_source(test, mock_dax_devt(mock), 0);
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

static void famfs_inode_dir_test(struct kunit *test)
{
	struct vfsmount *mnt = famfs_test_mount_mock(test, NULL);
	struct super_block *sb = mnt->mnt_sb;
	struct timespec64 before;
	struct inode *inode;

	ktime_get_coarse_real_ts64(&before);
	inode = famfs_test_get_inode(test, sb, d_inode(sb->s_root),
				     S_IFDIR | 0750);
	famfs_inode_check(test, inode, sb, S_IFDIR | 0750, &before);
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
	struct vfsmount *mnt = famfs_test_mount_mock(test, NULL);
	struct super_block *sb = mnt->mnt_sb;
	struct timespec64 before;
	struct inode *inode;

	ktime_get_coarse_real_ts64(&before);
	inode = famfs_test_get_inode(test, sb, d_inode(sb->s_root),
				     S_IFREG | 0640);
	famfs_inode_check(test, inode, sb, S_IFREG | 0640, &before);
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
	fput(file);
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

	famfs_test_source(test, mock_dax_devt(mock), 0);
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
	famfs_test_source(test, mock_dax_devt(mock), 0);
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/mockdax", NULL),
			    ERR_PTR(-EBUSY));
	KUNIT_EXPECT_PTR_EQ(test, dax_holder(mock->dax_dev), (void *)&holder);
	fs_put_dax(mock->dax_dev, &holder);
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

struct famfs_source_case {
	const char *desc;
	int lookup_err;		/* answer of the stubbed path lookup */
	dev_t devt;		/* or the number it finds */
	int err;
};

static const struct famfs_source_case famfs_source_cases[] = {
	{ "missing path", -ENOENT, 0, -ENOENT },
	{ "no permission", -EACCES, 0, -EACCES },
	{ "/dev/null", 0, MKDEV(1, 3), -ENODEV },
	{ "no device", 0, 0, -ENODEV },
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

	famfs_test_source(test, c->devt, c->lookup_err);
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

	famfs_test_source(test, devt, 0);
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/x", NULL),
			    ERR_PTR(-ENODEV));
	KUNIT_EXPECT_PTR_EQ(test, dax_dev_get(devt), ERR_PTR(-ENODEV));
}

static void famfs_mount_dead_device_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = mock_dax_create(test);

	kill_dax(mock->dax_dev);
	famfs_test_source(test, mock_dax_devt(mock), 0);
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/mockdax", NULL),
			    ERR_PTR(-ENODEV));
	KUNIT_EXPECT_EQ(test, mock_dax_refs(mock), MOCK_REFS_IDLE);
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

	famfs_test_source(test, mock_dax_devt(mock), 0);
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
	KUNIT_EXPECT_FALSE(test, test_bit(FAMFS_DEV_FAILED, &fsi->flags));

	kill_dax(mock->dax_dev);
	KUNIT_EXPECT_TRUE(test, test_bit(FAMFS_DEV_FAILED, &fsi->flags));
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
	/* the pages themselves are left to the generic handling */
	KUNIT_EXPECT_EQ(test, dax_holder_notify_failure(mock->dax_dev,
							PAGE_SIZE, PAGE_SIZE,
							0),
			-EOPNOTSUPP);
	KUNIT_EXPECT_TRUE(test, test_bit(FAMFS_DEV_FAILED, &fsi->flags));
	KUNIT_EXPECT_EQ(test, famfs_test_mknod(mnt->mnt_root, "after",
					       S_IFREG | 0644), -EIO);
	/* a second report is recorded once, and still handled */
	KUNIT_EXPECT_EQ(test, dax_holder_notify_failure(mock->dax_dev, 0,
							PAGE_SIZE, 0),
			-EOPNOTSUPP);
	KUNIT_EXPECT_PTR_EQ(test, dax_holder(mock->dax_dev),
			    (void *)mnt->mnt_sb);
	dentry = famfs_test_lookup(mnt->mnt_root, "before");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dentry);
	dput(dentry);
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_lookup(mnt->mnt_root, "after"),
			    ERR_PTR(-ENOENT));
}

/* Mount, fill, unmount, many times: nothing accumulates on the device */
static void famfs_mount_cycles_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = mock_dax_create(test);
	struct vfsmount *mnt;
	int i;

	famfs_test_source(test, mock_dax_devt(mock), 0);
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
	KUNIT_CASE(famfs_mount_remount_test),
	KUNIT_CASE_PARAM(famfs_mount_bad_source_test, famfs_source_gen_params),
	KUNIT_CASE(famfs_mount_phantom_devt_test),
	KUNIT_CASE(famfs_mount_dead_device_test),
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

kunit_test_suites(&famfs_param_test_suite, &famfs_inode_test_suite,
		  &famfs_mount_test_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests for famfs");
MODULE_LICENSE("GPL");
