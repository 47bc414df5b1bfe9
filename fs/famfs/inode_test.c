// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of famfs' inodes: the namespace, before files have memory.
 */

#include "famfs_test.h"

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

kunit_test_suite(famfs_inode_test_suite);
