/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the famfs KUnit suites share: a mock device-dax instance, real famfs
 * mounts on it, and namespace calls made the way the VFS makes them.
 */
#ifndef _FAMFS_TEST_H
#define _FAMFS_TEST_H

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

/* One reference is alloc_dax()'s; famfs holds one more while mounted */
#define MOCK_REFS_IDLE		1
#define MOCK_REFS_MOUNTED	2

extern const struct dax_operations famfs_mock_dax_ops;
struct famfs_mock_dax *famfs_mock_dax_create(struct kunit *test);
dev_t famfs_mock_dax_devt(struct famfs_mock_dax *mock);
int famfs_mock_dax_refs(struct famfs_mock_dax *mock);
void famfs_test_source(struct kunit *test, dev_t devt);
struct vfsmount *famfs_test_mount(struct kunit *test, const char *source,
				  const char *opts);
void famfs_test_umount(struct kunit *test, struct vfsmount *mnt);
int famfs_test_mknod(struct dentry *parent, const char *name, umode_t mode);
struct dentry *famfs_test_lookup(struct dentry *parent, const char *name);
int famfs_test_unlink(struct dentry *parent, const char *name);
int famfs_test_link(struct dentry *parent, const char *old, const char *new);
int famfs_test_rename(struct dentry *parent, const char *old, const char *new);
struct vfsmount *famfs_test_mount_mock(struct kunit *test,
				       struct famfs_mock_dax **mockp);
void famfs_test_kill_put_dax(void *dax_dev);
struct dax_device *famfs_test_source_dax(struct kunit *test,
					 const struct dax_operations *ops,
					 bool chardev);
const char *famfs_test_node(struct kunit *test, const char *path, umode_t mode,
			    dev_t devt, const char *target);
int famfs_test_reconfigure(struct vfsmount *mnt, const char *key,
			   const char *value);
struct file *famfs_test_open(struct kunit *test, struct vfsmount *mnt,
			     const char *name, int flags);
void famfs_test_close(struct kunit *test, struct file *file);
void __user *famfs_test_user(struct kunit *test, const void *data, size_t len);
long famfs_test_ioctl(struct file *file, unsigned int cmd, void __user *arg);
long famfs_test_map_interleaved(struct kunit *test, struct file *file,
				u64 file_size, u64 chunk,
				const struct famfs_ioc_simple_extent *strip,
				u32 nstrips);
u8 *famfs_test_buf(struct kunit *test, size_t len);

#endif /* _FAMFS_TEST_H */
