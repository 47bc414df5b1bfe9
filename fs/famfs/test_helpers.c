// SPDX-License-Identifier: GPL-2.0
/*
 * The fixtures of the famfs KUnit suites.
 *
 * The mounts are real (fc_mount() of famfs_fs_type) on a real dax_device
 * from alloc_dax() whose operations reach kernel memory. Only the step from
 * the mount source path to a device number is stubbed, since a mock device
 * has no node in /dev (and built-in tests run before there is a /dev).
 */

#include "famfs_test.h"

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

const struct dax_operations famfs_mock_dax_ops = {
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

struct famfs_mock_dax *famfs_mock_dax_create(struct kunit *test)
{
	struct famfs_mock_dax *mock;

	mock = kunit_kzalloc(test, sizeof(*mock), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mock);

	mock->mem = vzalloc(MOCK_DAX_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, mock->mem);

	mock->dax_dev = alloc_dax(mock, &famfs_mock_dax_ops);
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

dev_t famfs_mock_dax_devt(struct famfs_mock_dax *mock)
{
	return dax_inode(mock->dax_dev)->i_rdev;
}

/* References on the mock device: alloc_dax()'s own, plus famfs' */
int famfs_mock_dax_refs(struct famfs_mock_dax *mock)
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
void famfs_test_source(struct kunit *test, dev_t devt)
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
struct vfsmount *famfs_test_mount(struct kunit *test, const char *source,
				  const char *opts)
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

void famfs_test_umount(struct kunit *test, struct vfsmount *mnt)
{
	kunit_release_action(test, famfs_test_unmount, mnt);
}

/* @name in @parent, with @parent locked as for a change, or an ERR_PTR */
static struct dentry *famfs_test_lock_lookup(struct dentry *parent,
					     const char *name)
{
	struct dentry *dentry;

	inode_lock_nested(d_inode(parent), I_MUTEX_PARENT);
	dentry = lookup_one_len(name, parent, strlen(name));
	if (IS_ERR(dentry))
		inode_unlock(d_inode(parent));
	return dentry;
}

/* Create @name in @parent: a directory, a regular file or other types */
int famfs_test_mknod(struct dentry *parent, const char *name, umode_t mode)
{
	struct inode *dir = d_inode(parent);
	struct dentry *dentry;
	int err;

	dentry = famfs_test_lock_lookup(parent, name);
	if (IS_ERR(dentry))
		return PTR_ERR(dentry);

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
struct dentry *famfs_test_lookup(struct dentry *parent, const char *name)
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

int famfs_test_unlink(struct dentry *parent, const char *name)
{
	struct inode *dir = d_inode(parent);
	struct dentry *dentry;
	int err;

	dentry = famfs_test_lock_lookup(parent, name);
	if (IS_ERR(dentry))
		return PTR_ERR(dentry);
	if (d_is_dir(dentry))
		err = vfs_rmdir(&nop_mnt_idmap, dir, dentry);
	else
		err = vfs_unlink(&nop_mnt_idmap, dir, dentry, NULL);
	dput(dentry);
	inode_unlock(dir);
	return err;
}

int famfs_test_link(struct dentry *parent, const char *old, const char *new)
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

int famfs_test_rename(struct dentry *parent, const char *old, const char *new)
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

/* A mounted famfs on a fresh mock device, torn down by the test */
struct vfsmount *famfs_test_mount_mock(struct kunit *test,
				       struct famfs_mock_dax **mockp)
{
	struct famfs_mock_dax *mock = famfs_mock_dax_create(test);
	struct vfsmount *mnt;

	famfs_test_source(test, famfs_mock_dax_devt(mock));
	mnt = famfs_test_mount(test, "/dev/mockdax", NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mnt);
	if (mockp)
		*mockp = mock;
	return mnt;
}

void famfs_test_kill_put_dax(void *dax_dev)
{
	kill_dax(dax_dev);
	put_dax(dax_dev);
}

/*
 * A dax device of @ops without memory, a character device if @chardev,
 * which every source a mount names stands for; gone with the test.
 */
struct dax_device *famfs_test_source_dax(struct kunit *test,
					 const struct dax_operations *ops,
					 bool chardev)
{
	struct dax_device *dax_dev = alloc_dax(NULL, ops);
	int err;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dax_dev);
	err = kunit_add_action_or_reset(test, famfs_test_kill_put_dax, dax_dev);
	KUNIT_ASSERT_EQ(test, err, 0);
	if (chardev)
		set_dax_chardev(dax_dev);
	famfs_test_source(test, dax_inode(dax_dev)->i_rdev);
	return dax_dev;
}

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
const char *famfs_test_node(struct kunit *test, const char *path, umode_t mode,
			    dev_t devt, const char *target)
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

/* famfs' ->reconfigure() as reconfigure_super() calls it: s_umount held */
int famfs_test_reconfigure(struct vfsmount *mnt, const char *key,
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

static void famfs_fput(void *file)
{
	/* synchronous: the mount must be idle when the test unmounts it */
	__fput_sync(file);
}

/* Create (if needed) and open @name in the root of @mnt */
struct file *famfs_test_open(struct kunit *test, struct vfsmount *mnt,
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

/* Close a file famfs_test_open() opened, before the test ends */
void famfs_test_close(struct kunit *test, struct file *file)
{
	kunit_release_action(test, famfs_fput, file);
}

/* User memory for ioctl arguments, holding a copy of @data */
void __user *famfs_test_user(struct kunit *test, const void *data, size_t len)
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

long famfs_test_ioctl(struct file *file, unsigned int cmd, void __user *arg)
{
	return vfs_ioctl(file, cmd, (unsigned long)arg);
}

static void famfs_vfree(void *buf)
{
	vfree(buf);
}

/* MAP_CREATE_V2 with one interleaved extent of @nstrips strips */
long famfs_test_map_interleaved(struct kunit *test, struct file *file,
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

/* A zeroed buffer of @len bytes, more than kmalloc() gives */
u8 *famfs_test_buf(struct kunit *test, size_t len)
{
	u8 *buf = vzalloc(len);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, famfs_vfree,
							   buf));
	return buf;
}

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests for famfs");
MODULE_LICENSE("GPL");
