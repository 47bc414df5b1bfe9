/* SPDX-License-Identifier: GPL-2.0 */
/*
 * famfs - a file system for memory that several hosts share (CXL
 * fabric-attached memory), exposed by a device-dax instance.
 */
#ifndef _FAMFS_INTERNAL_H
#define _FAMFS_INTERNAL_H

#include <linux/famfs_ioctl.h>
#include <linux/fs.h>
#include <linux/iomap.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#define FAMFS_DEFAULT_MODE	0755
/* root_mode of a remount that does not say "mode=": no mode bits at all */
#define FAMFS_MODE_KEEP		((umode_t)S_IFMT)

/* The ABI's fixed unit of maps (famfs_ioctl.h); a PMD with 4 KiB pages */
#define FAMFS_ALIGN		SZ_2M

/**
 * struct famfs_map - where the bytes of a file are on the device
 * @size: bytes the extents map; at least i_size
 * @file_type: FAMFS_REG, FAMFS_SUPERBLOCK or FAMFS_LOG
 * @ext_type: FAMFS_EXT_SIMPLE or FAMFS_EXT_INTERLEAVE, as user space gave it
 * @nr_ext: extents in @ext
 * @nr_strips: strips in @strip
 * @ext: the extents, in file order. Extent i maps the @ext[i].nbytes file
 *	bytes from @ext[i].file_off; their chunks of @ext[i].chunk bytes go
 *	round-robin to the @ext[i].nstrips strips from @strip[@ext[i].first].
 *	A simple extent is one strip with one chunk as long as the extent.
 * @inode: the file
 * @node: on famfs_fs_info.mapped, until the eviction of @inode has dropped
 *	its dax entries
 * @strip: runs of device memory: the index of their device in
 *	famfs_fs_info.devs, offset and length in bytes
 *
 * A map never changes once it is published in inode->i_private, but for
 * @node, under famfs_fs_info.mapped_lock.
 */
struct famfs_map {
	struct inode *inode;
	struct list_head node;
	u64 size;
	u32 file_type;
	u32 ext_type;
	u32 nr_ext;
	u32 nr_strips;
	struct famfs_map_ext {
		u64 file_off;
		u64 nbytes;
		u64 chunk;
		u32 nstrips;
		u32 first;
	} ext[FAMFS_IOC_MAX_INTERLEAVED_EXTENTS];
	struct famfs_map_strip {
		u64 offset;
		u64 len;
		u32 dev;
	} strip[] __counted_by(nr_strips);
};

/**
 * struct famfs_map_req - a map as user space asks for it, in kernel memory:
 *	what both MAP_CREATE ioctls are turned into before they are checked
 * @file_size: the file's size
 * @file_type: as in struct famfs_map
 * @ext_type: as in struct famfs_map
 * @nr_ext: extents in @ext
 * @ext: each with @nbytes (the length, for a simple extent), @chunk (0 for a
 *	simple extent), @nstrips (1 for a simple extent) and its strips
 */
struct famfs_map_req {
	u64 file_size;
	u32 file_type;
	u32 ext_type;
	u32 nr_ext;
	struct famfs_map_req_ext {
		u64 nbytes;
		u64 chunk;
		u32 nstrips;
		struct famfs_ioc_simple_extent strip[FAMFS_MAX_STRIPS];
	} ext[FAMFS_IOC_MAX_INTERLEAVED_EXTENTS];
};

/* famfs_fs_info.flags */
enum {
	/*
	 * device 0 is going away, which takes the whole file system down:
	 * nothing new is placed on any device, no file data can be reached
	 */
	FAMFS_DEV_GONE,
	/* ->kill_sb() is tearing the super block down */
	FAMFS_SHUTDOWN,
};

/* famfs_daxdev.flags */
enum {
	/* the device is going away: none of its memory can be reached */
	FAMFS_DAXDEV_GONE,
};

/**
 * struct famfs_daxdev - a device whose memory a famfs mount hands out
 * @sb: the super block: the device's holder is this structure, so that a
 *	memory-failure report names the device as well as the mount
 * @dax_dev: the device-dax instance. For device 0, while the fs_context is
 *	being set up, it holds the reference of dax_dev_get(); once claimed,
 *	the claim's reference.
 * @size: bytes of memory the device has
 * @index: its index in famfs_fs_info.devs, by which extents name it
 * @flags: FAMFS_DAXDEV_* state bits
 * @bad_pages: page offsets that reported a memory failure: access to them
 *	fails, and no new map may include them
 * @name: for a device FAMFSIOC_ADD_DAXDEV registered, the path it gave,
 *	which show_options() reports; empty for device 0, the mount source
 */
struct famfs_daxdev {
	struct super_block *sb;
	struct dax_device *dax_dev;
	u64 size;
	u32 index;
	unsigned long flags;
	struct xarray bad_pages;
	char name[FAMFS_DEVNAME_LEN];
};

/**
 * struct famfs_fs_info - a famfs mount, and the options that make one
 * @devs: the devices: @devs[0] is the mounted one, set up with the
 *	fs_context; FAMFSIOC_ADD_DAXDEV adds the others in index order. A
 *	device stays until ->kill_sb().
 * @nr_devs: entries of @devs in use. Written under @devs_lock with a
 *	release, after the new entry is complete; lockless readers load it
 *	with an acquire, and may then use every entry below it.
 * @devs_lock: serializes FAMFSIOC_ADD_DAXDEV
 * @root_mode: mode of the root directory (mount option "mode"); in the
 *	fs_context of a remount, FAMFS_MODE_KEEP unless it says "mode="
 * @flags: FAMFS_* state bits
 * @debugfs: the mount's directory in debugfs, famfs/<major>:<minor>
 * @failure_lock: serializes memory-failure handling against the teardown of
 *	the super block, which must not race with a walk of its inodes
 * @mapped_lock: protects @mapped
 * @mapped: the maps of the files that have, or may have, dax entries:
 *	unlike sb->s_inodes, it keeps a file that is being evicted until its
 *	dax entries are gone
 */
struct famfs_fs_info {
	struct famfs_daxdev *devs[FAMFS_MAX_DAXDEVS];
	u32 nr_devs;
	struct mutex devs_lock;		/* FAMFSIOC_ADD_DAXDEV */
	umode_t root_mode;
	unsigned long flags;
	struct dentry *debugfs;
	struct mutex failure_lock;	/* failure reports vs ->kill_sb() */
	spinlock_t mapped_lock;
	struct list_head mapped;
};

static inline struct famfs_fs_info *FAMFS_SB(const struct super_block *sb)
{
	return sb->s_fs_info;
}

/* map.c */
struct famfs_map *famfs_map_build(const struct famfs_map_req *req,
				  struct famfs_daxdev *const *devs, u32 nr_devs);
int famfs_map_resolve(const struct famfs_map *map, u64 pos, u32 *dev,
		      u64 *offset, u64 *len);
int famfs_map_find(const struct famfs_map *map, u32 dev, u64 offset, u64 from,
		   u64 *pos);
bool famfs_map_uses_dev(const struct famfs_map *map, u32 dev);
int famfs_map_dev_range(const struct famfs_map *map, u32 dev, u64 from,
			u64 *start, u64 *end);

/* super.c */
int famfs_ioc_add_daxdev(struct file *file, void __user *uarg);

/* file.c */
extern const struct file_operations famfs_file_operations;
extern const struct address_space_operations famfs_dax_aops;
struct dax_device *famfs_flush_dax(struct inode *inode);

static inline const struct famfs_map *famfs_inode_map(const struct inode *inode)
{
	/* pairs with the smp_store_release() that publishes the map */
	return smp_load_acquire(&inode->i_private);
}

#if IS_ENABLED(CONFIG_KUNIT)
/* reached by the KUnit suites, which famfs_test.h gathers */
struct fs_context;
extern struct file_system_type famfs_fs_type;
struct inode *famfs_get_inode(struct super_block *sb, const struct inode *dir,
			      umode_t mode);
int famfs_source_devt(struct fs_context *fc, dev_t *devt);
#endif

#endif /* _FAMFS_INTERNAL_H */
