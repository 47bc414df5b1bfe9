/* SPDX-License-Identifier: GPL-2.0 */
/*
 * famfs - a file system for memory that several hosts share (CXL
 * fabric-attached memory), exposed by a device-dax instance.
 */
#ifndef _FAMFS_INTERNAL_H
#define _FAMFS_INTERNAL_H

#include <linux/fs.h>

#define FAMFS_DEFAULT_MODE	0755

/* famfs_fs_info.flags */
enum {
	/* the device reported a memory failure or is going away */
	FAMFS_DEV_FAILED,
};

/**
 * struct famfs_fs_info - a famfs mount, and the options that make one
 * @dax_dev: the device-dax instance whose memory backs the files. While the
 *	fs_context is being set up it holds the reference of dax_dev_get();
 *	once the super block claimed the device, the claim's reference.
 * @root_mode: mode of the root directory (mount option "mode")
 * @flags: FAMFS_* state bits
 */
struct famfs_fs_info {
	struct dax_device *dax_dev;
	umode_t root_mode;
	unsigned long flags;
};

static inline struct famfs_fs_info *FAMFS_SB(const struct super_block *sb)
{
	return sb->s_fs_info;
}

#if IS_ENABLED(CONFIG_KUNIT)
/* reached by fs/famfs/super_test.c */
struct fs_context;
extern struct file_system_type famfs_fs_type;
struct inode *famfs_get_inode(struct super_block *sb, const struct inode *dir,
			      umode_t mode);
int famfs_source_devt(struct fs_context *fc, dev_t *devt);
#endif

#endif /* _FAMFS_INTERNAL_H */
