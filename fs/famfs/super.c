// SPDX-License-Identifier: GPL-2.0
/*
 * famfs - a file system for memory that several hosts share (CXL
 * fabric-attached memory), exposed by a device-dax instance.
 *
 * famfs keeps no metadata on its device. User space replays a log kept in
 * the shared memory: it creates each file as on ramfs, then tells the file
 * which ranges of the device back it. This file holds the mount, the super
 * block and the namespace; file.c holds the data path, map.c the maps.
 */

#define pr_fmt(fmt) "famfs: " fmt

#include <linux/dax.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/magic.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include <linux/writeback.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "famfs_internal.h"

static const struct inode_operations famfs_dir_inode_operations;
static const struct inode_operations famfs_file_inode_operations;

/* What user space reads to know which ioctls it may use */
static int famfs_kabi_version = FAMFS_KABI_VERSION;
module_param(famfs_kabi_version, int, 0444);
MODULE_PARM_DESC(famfs_kabi_version, "famfs kernel ABI version");

/*
 * Directories and regular files are the only objects famfs metadata can
 * describe, so they are the only inodes famfs makes.
 */
VISIBLE_IF_KUNIT struct inode *famfs_get_inode(struct super_block *sb,
					       const struct inode *dir,
					       umode_t mode)
{
	struct inode *inode;

	if (!S_ISDIR(mode) && !S_ISREG(mode))
		return ERR_PTR(-EINVAL);

	inode = new_inode(sb);
	if (!inode)
		return ERR_PTR(-ENOMEM);

	inode->i_ino = get_next_ino();
	inode_init_owner(&nop_mnt_idmap, inode, dir, mode);
	simple_inode_init_ts(inode);
	if (S_ISDIR(mode)) {
		inode->i_op = &famfs_dir_inode_operations;
		inode->i_fop = &simple_dir_operations;
		/* "." */
		inc_nlink(inode);
	} else {
		inode->i_op = &famfs_file_inode_operations;
		inode->i_fop = &famfs_file_operations;
		inode->i_mapping->a_ops = &famfs_dax_aops;
	}
	return inode;
}
EXPORT_SYMBOL_IF_KUNIT(famfs_get_inode);

static int famfs_mknod(struct inode *dir, struct dentry *dentry, umode_t mode)
{
	struct inode *inode;
	int err;

	/* nothing new is placed on a device that is going away */
	if (test_bit(FAMFS_DEV_GONE, &FAMFS_SB(dir->i_sb)->flags))
		return -EIO;

	inode = famfs_get_inode(dir->i_sb, dir, mode);
	if (IS_ERR(inode))
		return PTR_ERR(inode);

	err = security_inode_init_security(inode, dir, &dentry->d_name,
					   NULL, NULL);
	if (err) {
		iput(inode);
		return err;
	}

	d_instantiate(dentry, inode);
	/* like ramfs, the namespace lives in the dcache: pin the dentry */
	dget(dentry);
	inode_set_mtime_to_ts(dir, inode_set_ctime_current(dir));
	return 0;
}

static int famfs_create(struct mnt_idmap *idmap, struct inode *dir,
			struct dentry *dentry, umode_t mode, bool excl)
{
	return famfs_mknod(dir, dentry, (mode & ~S_IFMT) | S_IFREG);
}

static int famfs_mkdir(struct mnt_idmap *idmap, struct inode *dir,
		       struct dentry *dentry, umode_t mode)
{
	int err;

	err = famfs_mknod(dir, dentry, (mode & ~S_IFMT) | S_IFDIR);
	if (!err)
		inc_nlink(dir);
	return err;
}

/*
 * No ->symlink, ->mknod or ->tmpfile: the VFS refuses symlinks, device
 * nodes, fifos and sockets with -EPERM and O_TMPFILE with -EOPNOTSUPP.
 */
static const struct inode_operations famfs_dir_inode_operations = {
	.create		= famfs_create,
	.lookup		= simple_lookup,
	.link		= simple_link,
	.unlink		= simple_unlink,
	.mkdir		= famfs_mkdir,
	.rmdir		= simple_rmdir,
	.rename		= simple_rename,
};

/*
 * The size of a famfs file is that of the memory it is given (by a map
 * ioctl); nothing else may change it.
 */
static int famfs_file_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
			      struct iattr *iattr)
{
	struct inode *inode = d_inode(dentry);

	if ((iattr->ia_valid & ATTR_SIZE) && iattr->ia_size != i_size_read(inode))
		return -EINVAL;
	return simple_setattr(idmap, dentry, iattr);
}

static const struct inode_operations famfs_file_inode_operations = {
	.setattr	= famfs_file_setattr,
	.getattr	= simple_getattr,
};

/* "daxdevN", the option that shows device N of a mount */
#define FAMFS_DAXDEV_OPT	"daxdev"

/*
 * The devices that FAMFSIOC_ADD_DAXDEV registered show as daxdevN=PATH,
 * so that an operator sees what a mount holds, and a remount that passes
 * the shown options back is accepted (famfs_parse_daxdev()).
 */
static int famfs_show_options(struct seq_file *m, struct dentry *root)
{
	struct famfs_fs_info *fsi = FAMFS_SB(root->d_sb);
	umode_t mode = READ_ONCE(fsi->root_mode);
	char key[sizeof(FAMFS_DAXDEV_OPT) + 10];
	u32 i, nr;

	if (mode != FAMFS_DEFAULT_MODE)
		seq_printf(m, ",mode=%o", mode);
	/* pairs with the release in famfs_add_dev() */
	nr = smp_load_acquire(&fsi->nr_devs);
	for (i = 1; i < nr; i++) {
		snprintf(key, sizeof(key), FAMFS_DAXDEV_OPT "%u", i);
		seq_show_option(m, key, fsi->devs[i]->name);
	}
	return 0;
}

/*
 * Drop the dax entries of a file without the check a truncation makes: it
 * warns about every page that has a reference besides the mapping's, and
 * a page of device-dax memory that another subsystem holds (vmsplice(),
 * O_DIRECT I/O) is neither the file's to wait for nor a bug. Such a page
 * is the device's: it outlives the file, and the device too, as it
 * outlives device-dax's own mappings. An invalidation does not warn but
 * keeps dirty entries, so clean them first: famfs has nothing to write
 * back, its files' memory is the storage.
 */
static void famfs_drop_dax_entries(struct inode *inode)
{
	struct writeback_control wbc = {
		.sync_mode	= WB_SYNC_ALL,
		.nr_to_write	= LONG_MAX,
		.range_end	= LLONG_MAX,
	};

	if (!famfs_inode_map(inode))
		return;
	dax_writeback_mapping_range(inode->i_mapping, famfs_flush_dax(inode),
				    &wbc);
	invalidate_inode_pages2(inode->i_mapping);
}

static void famfs_evict_inode(struct inode *inode)
{
	struct famfs_fs_info *fsi = FAMFS_SB(inode->i_sb);
	/* regular files keep their map there; directories nothing */
	struct famfs_map *map = inode->i_private;

	famfs_drop_dax_entries(inode);
	truncate_inode_pages_final(&inode->i_data);
	if (map) {
		spin_lock(&fsi->mapped_lock);
		list_del(&map->node);
		spin_unlock(&fsi->mapped_lock);
		/* famfs_dev_gone() may be waiting for this file */
		wake_up_var(&fsi->mapped);
	}
	clear_inode(inode);
	kfree(map);
}

static const struct super_operations famfs_super_ops = {
	.statfs		= simple_statfs,
	.drop_inode	= generic_delete_inode,
	.evict_inode	= famfs_evict_inode,
	.show_options	= famfs_show_options,
};

/**
 * struct famfs_walk - what to do with every regular file of a super block
 * @fn: called for each file, with a reference to it but no list lock held,
 *	so it may sleep
 * @arg: passed to @fn
 */
struct famfs_walk {
	void (*fn)(struct inode *inode, void *arg);
	void *arg;
};

/*
 * Files created during the walk may be missed: the callers set the flag
 * that new files check before they walk.
 */
static void famfs_walk_files(struct super_block *sb,
			     const struct famfs_walk *walk)
{
	struct inode *inode, *prev = NULL;

	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
		spin_lock(&inode->i_lock);
		if ((inode->i_state & (I_FREEING | I_WILL_FREE | I_NEW)) ||
		    !S_ISREG(inode->i_mode)) {
			spin_unlock(&inode->i_lock);
			continue;
		}
		__iget(inode);
		spin_unlock(&inode->i_lock);
		spin_unlock(&sb->s_inode_list_lock);

		walk->fn(inode, walk->arg);
		iput(prev);
		prev = inode;
		cond_resched();

		spin_lock(&sb->s_inode_list_lock);
	}
	spin_unlock(&sb->s_inode_list_lock);
	iput(prev);
}

/*
 * Take down the mappings of a file and drop its dax entries (they point at
 * struct pages that go away with the device), so that the next access
 * faults and fails instead of touching memory that is being removed. The
 * invalidate lock keeps a fault that resolved its address before the device
 * was marked gone from mapping it after that.
 */
static void famfs_file_gone(struct inode *inode, void *unused)
{
	filemap_invalidate_lock(inode->i_mapping);
	unmap_mapping_range(inode->i_mapping, 0, 0, 1);
	famfs_drop_dax_entries(inode);
	/* none is left; if one were, it must not outlive the device */
	truncate_inode_pages(inode->i_mapping, 0);
	filemap_invalidate_unlock(inode->i_mapping);
}

/*
 * The same for the parts of a file whose memory is on one device of
 * several: the rest of the file, on the other devices, keeps its mappings.
 */
static void famfs_file_dev_gone(struct inode *inode, void *arg)
{
	const struct famfs_daxdev *dd = arg;
	const struct famfs_map *map = famfs_inode_map(inode);
	struct address_space *mapping = inode->i_mapping;
	struct writeback_control wbc = {
		.sync_mode	= WB_SYNC_ALL,
		.nr_to_write	= LONG_MAX,
	};
	u64 start, end = 0;

	if (!map || !famfs_map_uses_dev(map, dd->index))
		return;
	filemap_invalidate_lock(mapping);
	while (!famfs_map_dev_range(map, dd->index, end, &start, &end)) {
		unmap_mapping_range(mapping, start, end - start, 1);
		wbc.range_start = start;
		wbc.range_end = end - 1;
		dax_writeback_mapping_range(mapping, famfs_flush_dax(inode),
					    &wbc);
		invalidate_inode_pages2_range(mapping, start >> PAGE_SHIFT,
					      (end - 1) >> PAGE_SHIFT);
		truncate_inode_pages_range(mapping, start, end - 1);
		cond_resched();
	}
	filemap_invalidate_unlock(mapping);
}

/* Whether a file with dax entries is being evicted */
static bool famfs_evicting(struct famfs_fs_info *fsi)
{
	struct famfs_map *map;
	bool found = false;

	spin_lock(&fsi->mapped_lock);
	list_for_each_entry(map, &fsi->mapped, node) {
		if (READ_ONCE(map->inode->i_state) & I_FREEING) {
			found = true;
			break;
		}
	}
	spin_unlock(&fsi->mapped_lock);
	return found;
}

/*
 * A device is going away: none of its memory may be reached from now on.
 * Device 0 is the mount's own, and takes all file data with it; another
 * device only what is on it. The walk cannot take a reference to a file
 * that is being evicted, and evict() takes a file off sb->s_inodes before
 * famfs_evict_inode() drops its dax entries: wait for those evictions, or
 * they would read the struct pages of the device's memory after the device
 * freed them. (A file evicted after the walk has no dax entries on the
 * device left: the walk dropped them, and the gone bit lets no fault add
 * one.)
 */
static void famfs_dev_gone(struct famfs_daxdev *dd)
{
	struct famfs_fs_info *fsi = FAMFS_SB(dd->sb);
	struct famfs_walk walk = { .fn = famfs_file_dev_gone, .arg = dd };
	u32 i;

	if (!dd->index) {
		/* no device is added, nothing new made, while this runs */
		mutex_lock(&fsi->devs_lock);
		set_bit(FAMFS_DEV_GONE, &fsi->flags);
		for (i = 0; i < fsi->nr_devs; i++)
			set_bit(FAMFS_DAXDEV_GONE, &fsi->devs[i]->flags);
		mutex_unlock(&fsi->devs_lock);
		walk.fn = famfs_file_gone;
	} else {
		set_bit(FAMFS_DAXDEV_GONE, &dd->flags);
	}
	famfs_walk_files(dd->sb, &walk);
	wait_var_event(&fsi->mapped, !famfs_evicting(fsi));
}

/* Memory that failed, and how the failure was reported */
struct famfs_bad_range {
	u32 dev;
	u64 offset;
	u64 end;
	int mf_flags;
};

/*
 * Take a failed page out of every mapping of this file, wherever the file
 * maps it, and signal the tasks memory-failure handling signals (the one
 * that hit the failure, and those that asked for early kill). fs-dax does
 * not record files in the struct pages of device-dax memory, which famfs
 * files and the device share, so famfs finds the files by device offset
 * itself. The other tasks fault on their next access, and get SIGBUS.
 */
static void famfs_file_kill_mappers(struct inode *inode, void *arg)
{
	const struct famfs_bad_range *bad = arg;
	const struct famfs_map *map = famfs_inode_map(inode);
	struct address_space *mapping = inode->i_mapping;
	u64 offset, from, pos;

	if (!map || !mapping_mapped(mapping))
		return;
	/* faults hold it shared: none maps the page again behind our back */
	filemap_invalidate_lock(mapping);
	for (offset = bad->offset; offset < bad->end; offset += PAGE_SIZE) {
		for (from = 0; !famfs_map_find(map, bad->dev, offset, from, &pos);
		     from = pos + PAGE_SIZE) {
			if (IS_ENABLED(CONFIG_MEMORY_FAILURE))
				mf_dax_kill_procs(mapping, pos >> PAGE_SHIFT, 1,
						  bad->mf_flags);
			unmap_mapping_range(mapping, pos, PAGE_SIZE, 0);
		}
		/*
		 * 6.12 reports one page at a time, but a report may cover a
		 * whole device: do not hog the CPU for it.
		 */
		cond_resched();
	}
	filemap_invalidate_unlock(mapping);
}

/*
 * Remember the failed pages: access to them fails from now on. Then deal
 * with the tasks that map them through famfs files.
 */
static void famfs_dev_bad_range(struct famfs_daxdev *dd, u64 offset, u64 len,
				int mf_flags)
{
	struct famfs_bad_range bad = { .dev = dd->index, .mf_flags = mf_flags };
	const struct famfs_walk walk = {
		.fn = famfs_file_kill_mappers,
		.arg = &bad,
	};

	if (offset >= dd->size || !len)
		return;
	if (check_add_overflow(offset, len, &bad.end) || bad.end > dd->size)
		bad.end = dd->size;
	bad.offset = round_down(offset, PAGE_SIZE);
	bad.end = round_up(bad.end, PAGE_SIZE);
	if (xa_err(xa_store_range(&dd->bad_pages, bad.offset >> PAGE_SHIFT,
				  (bad.end >> PAGE_SHIFT) - 1, xa_mk_value(0),
				  GFP_KERNEL))) {
		/* cannot tell the bad pages from the good: trust none */
		famfs_dev_gone(dd);
		return;
	}
	famfs_walk_files(dd->sb, &walk);
}

static void famfs_log_dev_gone(const struct famfs_daxdev *dd, dev_t devt)
{
	if (!dd->index)
		pr_err("dax %u:%u is going away: no more file data, no new files\n",
		       MAJOR(devt), MINOR(devt));
	else
		pr_err("dax %u:%u (device %u) is going away: no more file data on it\n",
		       MAJOR(devt), MINOR(devt), dd->index);
}

/*
 * A device told us (through dax_holder_notify_failure()) that some of its
 * memory failed, or that it is going away (MF_MEM_PRE_REMOVE from
 * kill_dax()). Access to the failed memory fails with -EIO from now on,
 * and no new map may include it; the rest keeps working, so that this host
 * can go on replaying the log that the other hosts append to. When a device
 * goes away, that is all of its memory; when device 0 does, famfs places
 * nothing new on any device. The tasks that map failed memory through
 * famfs files are signalled here; the device's own memory-failure handling
 * deals with the tasks that map it through the device.
 */
static int famfs_dax_notify_failure(struct dax_device *dax_dev, u64 offset,
				    u64 len, int mf_flags)
{
	struct famfs_daxdev *dd = dax_holder(dax_dev);
	dev_t devt = dax_inode(dax_dev)->i_rdev;
	struct famfs_fs_info *fsi;

	/* fs_put_dax() is ending the claim; it waits for us to return */
	if (!dd)
		return -EOPNOTSUPP;
	fsi = FAMFS_SB(dd->sb);

	/*
	 * Wait while ->kill_sb() evicts the inodes: their dax entries must be
	 * gone before the device's memory is.
	 */
	mutex_lock(&fsi->failure_lock);
	if (test_bit(FAMFS_SHUTDOWN, &fsi->flags)) {
		mutex_unlock(&fsi->failure_lock);
		return -EOPNOTSUPP;
	}
	if (mf_flags & MF_MEM_PRE_REMOVE) {
		/* unless device 0 went first, and took it down */
		if (!test_bit(FAMFS_DAXDEV_GONE, &dd->flags))
			famfs_log_dev_gone(dd, devt);
		famfs_dev_gone(dd);
	} else {
		pr_err("dax %u:%u (device %u): memory failure at %#llx, length %#llx: no file data there\n",
		       MAJOR(devt), MINOR(devt), dd->index, offset, len);
		famfs_dev_bad_range(dd, offset, len, mf_flags);
	}
	mutex_unlock(&fsi->failure_lock);
	return 0;
}

/* famfs/ in debugfs: a directory per mount, named after its device 0 */
static struct dentry *famfs_debugfs_root;

/*
 * The memory of a device that failed while it is mounted, one range of
 * byte offsets per line, "start-end" in hex, end exclusive; "all" once
 * the device is going away. famfs forgets it at umount: the device-dax
 * memory-failure handling keeps none either.
 */
static int famfs_failed_memory_show(struct seq_file *m, void *unused)
{
	struct famfs_daxdev *dd = m->private;
	XA_STATE(xas, &dd->bad_pages, 0);
	unsigned long start = 0, end = 0, first, nr;
	void *entry;

	if (test_bit(FAMFS_DAXDEV_GONE, &dd->flags)) {
		seq_puts(m, "all\n");
		return 0;
	}
	rcu_read_lock();
	xas_for_each(&xas, entry, ULONG_MAX) {
		if (xas_retry(&xas, entry))
			continue;
		/* xa_store_range() stores aligned multi-page entries */
		nr = 1UL << xas_get_order(&xas);
		first = xas.xa_index & ~(nr - 1);
		if (end && first == end) {
			end += nr;
			continue;
		}
		if (end)
			seq_printf(m, "%#llx-%#llx\n", (u64)start << PAGE_SHIFT,
				   (u64)end << PAGE_SHIFT);
		start = first;
		end = first + nr;
	}
	rcu_read_unlock();
	if (end)
		seq_printf(m, "%#llx-%#llx\n", (u64)start << PAGE_SHIFT,
			   (u64)end << PAGE_SHIFT);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(famfs_failed_memory);

/*
 * failed_memory for device 0, failed_memory.N for device N. No error
 * checks: debugfs is for the operator, famfs works without it.
 */
static void famfs_debugfs_add_dev(struct famfs_daxdev *dd)
{
	struct famfs_fs_info *fsi = FAMFS_SB(dd->sb);
	char name[sizeof("failed_memory.") + 10];

	if (dd->index)
		snprintf(name, sizeof(name), "failed_memory.%u", dd->index);
	else
		strscpy(name, "failed_memory");
	debugfs_create_file(name, 0400, fsi->debugfs, dd,
			    &famfs_failed_memory_fops);
}

static void famfs_debugfs_add(struct super_block *sb)
{
	struct famfs_fs_info *fsi = FAMFS_SB(sb);
	dev_t devt = dax_inode(fsi->devs[0]->dax_dev)->i_rdev;
	char name[24];

	snprintf(name, sizeof(name), "%u:%u", MAJOR(devt), MINOR(devt));
	fsi->debugfs = debugfs_create_dir(name, famfs_debugfs_root);
	famfs_debugfs_add_dev(fsi->devs[0]);
}

static const struct dax_holder_operations famfs_dax_holder_ops = {
	.notify_failure	= famfs_dax_notify_failure,
};

/*
 * Resolve the mount source to the number of the character device it names.
 * Kept apart so that KUnit can replace it: built-in tests run before there
 * is a /dev to look in, and a mock dax device has no node anyway.
 */
/*
 * The device number of the character device node at @name, which the
 * mount source and FAMFSIOC_ADD_DAXDEV name alike. Return: 0, or the
 * error of the lookup, -EINVAL for a node that is no character device,
 * -EACCES for one on a file system that forbids device access; *@why says
 * which in words.
 */
static int famfs_path_devt(const char *name, dev_t *devt, const char **why)
{
	struct inode *inode;
	struct path path;
	int err;

	err = kern_path(name, LOOKUP_FOLLOW, &path);
	if (err) {
		*why = err == -ENOENT ? "cannot be found" : "cannot be looked up";
		return err;
	}

	inode = d_backing_inode(path.dentry);
	if (!S_ISCHR(inode->i_mode)) {
		*why = "is not a character device";
		err = -EINVAL;
	} else if (!may_open_dev(&path)) {
		*why = "is on a file system that forbids device access";
		err = -EACCES;
	} else {
		*devt = inode->i_rdev;
	}
	path_put(&path);
	return err;
}

VISIBLE_IF_KUNIT int famfs_source_devt(struct fs_context *fc, dev_t *devt)
{
	const char *why;
	int err;

	KUNIT_STATIC_STUB_REDIRECT(famfs_source_devt, fc, devt);

	err = famfs_path_devt(fc->source, devt, &why);
	if (err == -EINVAL || err == -EACCES)
		errorfc(fc, "%s %s", fc->source, why);
	else if (err)
		errorfc(fc, "cannot find %s", fc->source);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(famfs_source_devt);

/*
 * How much memory the device has: the sum of what dax_direct_access() finds
 * from page 0 on (a device-dax instance may be made of several ranges).
 */
static u64 famfs_dax_size(struct dax_device *dax_dev)
{
	pgoff_t pgoff = 0;
	long avail;
	int id;

	id = dax_read_lock();
	do {
		avail = dax_direct_access(dax_dev, pgoff, LONG_MAX, DAX_ACCESS,
					  NULL, NULL);
		if (avail > 0)
			pgoff += avail;
	} while (avail > 0);
	dax_read_unlock(id);

	return (u64)pgoff << PAGE_SHIFT;
}

/*
 * Sets up the super block; on failure, ->kill_sb() tears down what was set
 * up, and the dax_dev of device 0 still holds dax_dev_get()'s reference.
 */
static int famfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct famfs_fs_info *fsi = FAMFS_SB(sb);
	struct famfs_daxdev *dd = fsi->devs[0];
	struct inode *root;
	int err;

	sb->s_magic = FAMFS_SUPER_MAGIC;
	sb->s_op = &famfs_super_ops;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_time_gran = 1;
	/*
	 * famfs keeps no xattrs, so a file without setuid or setgid bits has
	 * no privilege a write must drop: let file_remove_privs() remember
	 * that (S_NOSEC), and writers share the inode lock.
	 */
	sb->s_flags |= SB_NOSEC;

	/*
	 * The holder claim is what makes a device famfs' alone: a second
	 * mount, here or on another mount point, fails here.
	 */
	dd->sb = sb;
	err = fs_dax_get(dd->dax_dev, dd, &famfs_dax_holder_ops);
	if (err) {
		errorfc(fc, "%s is %s", fc->source,
			err == -EBUSY ? "in use by another holder" : "not alive");
		return err;
	}
	/* the claim holds a reference of its own */
	put_dax(dd->dax_dev);

	dd->size = famfs_dax_size(dd->dax_dev);
	if (!dd->size) {
		errorfc(fc, "%s has no memory", fc->source);
		return -ENODEV;
	}

	root = famfs_get_inode(sb, NULL, S_IFDIR | fsi->root_mode);
	if (IS_ERR(root))
		return PTR_ERR(root);
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;
	famfs_debugfs_add(sb);
	return 0;
}

static int famfs_get_tree(struct fs_context *fc)
{
	struct famfs_fs_info *fsi = fc->s_fs_info;
	struct dax_device *dax_dev;
	dev_t devt;
	int err;

	if (!fc->source)
		return invalfc(fc, "no source: give the path of a devdax device");

	/* refuse a bad source before a super block exists */
	err = famfs_source_devt(fc, &devt);
	if (err)
		return err;

	dax_dev = dax_dev_get(devt);
	if (dax_dev == ERR_PTR(-EOPNOTSUPP)) {
		errorfc(fc, "%s is not chosen for file systems (fs_dax in sysfs)",
			fc->source);
		return -EOPNOTSUPP;
	}
	if (IS_ERR(dax_dev)) {
		errorfc(fc, "%s is not a live dax device", fc->source);
		return PTR_ERR(dax_dev);
	}
	fsi->devs[0]->dax_dev = dax_dev;

	/*
	 * An anonymous super block, not one keyed on the character device
	 * number: that number is no block device and the anonymous-dev
	 * teardown must not free it. Exclusivity comes from the holder claim.
	 */
	return get_tree_nodev(fc, famfs_fill_super);
}

static struct famfs_daxdev *famfs_daxdev_alloc(u32 index)
{
	struct famfs_daxdev *dd = kzalloc(sizeof(*dd), GFP_KERNEL);

	if (dd) {
		dd->index = index;
		xa_init(&dd->bad_pages);
	}
	return dd;
}

static void famfs_daxdev_free(struct famfs_daxdev *dd)
{
	xa_destroy(&dd->bad_pages);
	kfree(dd);
}

/*
 * What FAMFSIOC_ADD_DAXDEV refuses is said in the log, and why; @arg is
 * NULL for a refusal before the argument is read.
 */
static void famfs_add_refused(struct famfs_fs_info *fsi,
			      const struct famfs_ioc_add_daxdev *arg,
			      const char *why)
{
	dev_t devt = dax_inode(fsi->devs[0]->dax_dev)->i_rdev;

	if (!arg) {
		pr_warn_ratelimited("famfs on dax %u:%u: cannot add a device: %s\n",
				    MAJOR(devt), MINOR(devt), why);
		return;
	}
	pr_warn_ratelimited("famfs on dax %u:%u: cannot add %.*s as device %u: %s\n",
			    MAJOR(devt), MINOR(devt), FAMFS_DEVNAME_LEN,
			    arg->name, arg->index, why);
}

/*
 * Claim the device at @devt as the mount claims its own, and publish it as
 * the next device. Called with devs_lock held, which a report that device 0
 * is going away takes inside the dax read lock: nothing here may wait for
 * the readers of that lock, as fs_put_dax() does, so every check is made
 * before the claim.
 */
static int famfs_add_dev(struct super_block *sb,
			 const struct famfs_ioc_add_daxdev *arg, dev_t devt)
{
	struct famfs_fs_info *fsi = FAMFS_SB(sb);
	dev_t devt0 = dax_inode(fsi->devs[0]->dax_dev)->i_rdev;
	struct dax_device *dax_dev;
	struct famfs_daxdev *dd;
	int err;

	dax_dev = dax_dev_get(devt);
	if (dax_dev == ERR_PTR(-EOPNOTSUPP)) {
		famfs_add_refused(fsi, arg, "not chosen for file systems (fs_dax in sysfs)");
		return -EOPNOTSUPP;
	}
	if (IS_ERR(dax_dev)) {
		famfs_add_refused(fsi, arg, "not a live dax device");
		return PTR_ERR(dax_dev);
	}

	dd = famfs_daxdev_alloc(fsi->nr_devs);
	if (!dd) {
		err = -ENOMEM;
		goto out_put;
	}
	dd->sb = sb;
	dd->dax_dev = dax_dev;
	strscpy(dd->name, arg->name);
	dd->size = famfs_dax_size(dax_dev);
	if (!dd->size || arg->size > dd->size) {
		famfs_add_refused(fsi, arg, dd->size ? "larger than the device" :
				  "the device has no memory");
		err = dd->size ? -ERANGE : -ENODEV;
		goto out_free;
	}

	err = fs_dax_get(dax_dev, dd, &famfs_dax_holder_ops);
	if (err) {
		famfs_add_refused(fsi, arg, err == -EBUSY ?
				  "in use by another holder" : "not alive");
		goto out_free;
	}
	/* the claim holds a reference of its own */
	put_dax(dax_dev);

	fsi->devs[dd->index] = dd;
	famfs_debugfs_add_dev(dd);
	/* a lockless reader of nr_devs may use every device below it */
	smp_store_release(&fsi->nr_devs, dd->index + 1);
	pr_info("famfs on dax %u:%u: device %u is dax %u:%u (%s), %llu bytes\n",
		MAJOR(devt0), MINOR(devt0), dd->index, MAJOR(devt), MINOR(devt),
		dd->name, dd->size);
	return 0;

out_free:
	famfs_daxdev_free(dd);
out_put:
	put_dax(dax_dev);
	return err;
}

/*
 * Whether the request names the device at @index, or a device the mount
 * already has elsewhere: 1 for a device known at this index, 0 for a new
 * device at the next index, or an error. Called with devs_lock held.
 */
static int famfs_add_known(struct famfs_fs_info *fsi,
			   const struct famfs_ioc_add_daxdev *arg, dev_t devt)
{
	u32 i;

	for (i = 0; i < fsi->nr_devs; i++) {
		if (dax_inode(fsi->devs[i]->dax_dev)->i_rdev != devt)
			continue;
		if (i != arg->index) {
			famfs_add_refused(fsi, arg, "the mount has it at another index");
			return -EEXIST;
		}
		if (arg->size > fsi->devs[i]->size) {
			famfs_add_refused(fsi, arg, "larger than the device");
			return -ERANGE;
		}
		return 1;
	}
	if (arg->index < fsi->nr_devs) {
		famfs_add_refused(fsi, arg, "the mount has another device there");
		return -EEXIST;
	}
	if (arg->index > fsi->nr_devs) {
		famfs_add_refused(fsi, arg, "devices are added in index order");
		return -EINVAL;
	}
	if (arg->index >= FAMFS_MAX_DAXDEVS) {
		famfs_add_refused(fsi, arg, "the mount has as many devices as famfs takes");
		return -ENOSPC;
	}
	return 0;
}

/**
 * famfs_ioc_add_daxdev() - FAMFSIOC_ADD_DAXDEV: one more device for a mount
 * @file: the superblock or log file of the mount, open in any mode
 * @uarg: the struct famfs_ioc_add_daxdev
 *
 * Log replay registers each device before the first map that names it,
 * and again on every replay: a device the mount has at the index asked for
 * is accepted and nothing changes. The superblock and log files take it
 * because they are the ones famfs user space keeps open while it replays,
 * and the superblock file it holds read-only; what guards it is
 * CAP_SYS_RAWIO, as for the maps, since the device's memory is handed out
 * by the maps that follow.
 *
 * Return: 0, or -EPERM without CAP_SYS_RAWIO, -EINVAL for another file, a
 * malformed request or an index past the next free one, the lookup error
 * of the path (-ENOENT, -EINVAL for no character device, -EACCES on a
 * nodev mount), -ENODEV for no live device-dax instance, -EOPNOTSUPP for
 * one not chosen for file systems, -EBUSY for a device another file system
 * or mount holds, -EEXIST for a device the mount has at another index or an
 * index it has another device at, -ERANGE for a size larger than the
 * device, -ENOSPC when the table is full, -EIO when device 0 is going away.
 */
int famfs_ioc_add_daxdev(struct file *file, void __user *uarg)
{
	const struct famfs_map *map = famfs_inode_map(file_inode(file));
	struct super_block *sb = file_inode(file)->i_sb;
	struct famfs_fs_info *fsi = FAMFS_SB(sb);
	struct famfs_ioc_add_daxdev arg;
	const char *why;
	dev_t devt;
	int err;

	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	if (!map || (map->file_type != FAMFS_SUPERBLOCK &&
		     map->file_type != FAMFS_LOG)) {
		famfs_add_refused(fsi, NULL,
				  "ADD_DAXDEV is taken on the superblock or log file");
		return -EINVAL;
	}
	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad || !arg.size || !arg.name[0] ||
	    !memchr(arg.name, '\0', sizeof(arg.name))) {
		famfs_add_refused(fsi, &arg, "malformed request");
		return -EINVAL;
	}
	err = famfs_path_devt(arg.name, &devt, &why);
	if (err) {
		famfs_add_refused(fsi, &arg, why);
		return err;
	}

	mutex_lock(&fsi->devs_lock);
	if (test_bit(FAMFS_DEV_GONE, &fsi->flags)) {
		famfs_add_refused(fsi, &arg, "device 0 is going away");
		err = -EIO;
		goto out;
	}
	err = famfs_add_known(fsi, &arg, devt);
	if (!err)
		err = famfs_add_dev(sb, &arg, devt);
out:
	mutex_unlock(&fsi->devs_lock);
	return err < 0 ? err : 0;
}

enum famfs_param {
	FAMFS_PARAM_MODE,
	FAMFS_PARAM_DAX,
};

enum famfs_dax_mode {
	FAMFS_DAX_ALWAYS,
};

static const struct constant_table famfs_dax_modes[] = {
	{ "always",	FAMFS_DAX_ALWAYS },
	{}
};

static const struct fs_parameter_spec famfs_fs_parameters[] = {
	fsparam_u32oct("mode",	FAMFS_PARAM_MODE),
	fsparam_enum("dax",	FAMFS_PARAM_DAX, famfs_dax_modes),
	{}
};

/*
 * daxdevN=PATH, as show_options() reports the devices: a remount may pass
 * it back (mount(8) passes what /proc/mounts shows), naming the device the
 * mount has at N by the path it was registered with. Devices are added by
 * FAMFSIOC_ADD_DAXDEV alone, so it is refused at mount, and for a device
 * the mount does not have.
 */
static int famfs_parse_daxdev(struct fs_context *fc, struct fs_parameter *param,
			      u32 index)
{
	struct famfs_fs_info *fsi;
	bool same;

	if (fc->purpose != FS_CONTEXT_FOR_RECONFIGURE)
		return invalfc(fc, "%s: devices are added after mount, by FAMFSIOC_ADD_DAXDEV",
			       param->key);
	if (param->type != fs_value_is_string)
		return invalfc(fc, "%s needs the path of the device", param->key);

	fsi = FAMFS_SB(fc->root->d_sb);
	mutex_lock(&fsi->devs_lock);
	same = index < fsi->nr_devs &&
	       !strcmp(fsi->devs[index]->name, param->string);
	mutex_unlock(&fsi->devs_lock);
	if (!same)
		return invalfc(fc, "a remount cannot change the devices: device %u is not %s",
			       index, param->string);
	return 0;
}

/* The N of "daxdevN", 1 and up, written as show_options() writes it */
static bool famfs_daxdev_key(const char *key, u32 *index)
{
	char canon[sizeof(FAMFS_DAXDEV_OPT) + 10];

	if (strncmp(key, FAMFS_DAXDEV_OPT, strlen(FAMFS_DAXDEV_OPT)) ||
	    kstrtou32(key + strlen(FAMFS_DAXDEV_OPT), 10, index) || !*index)
		return false;
	snprintf(canon, sizeof(canon), FAMFS_DAXDEV_OPT "%u", *index);
	return !strcmp(key, canon);
}

/*
 * Unknown keys (-ENOPARAM) go back to the VFS, which takes "source" and
 * refuses everything else.
 */
static int famfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct famfs_fs_info *fsi = fc->s_fs_info;
	struct fs_parse_result result;
	u32 index;
	int opt;

	if (famfs_daxdev_key(param->key, &index))
		return famfs_parse_daxdev(fc, param, index);

	opt = fs_parse(fc, famfs_fs_parameters, param, &result);
	if (opt < 0)
		return opt;

	switch (opt) {
	case FAMFS_PARAM_MODE:
		fsi->root_mode = result.uint_32 & S_IALLUGO;
		break;
	case FAMFS_PARAM_DAX:
		/* famfs files are always dax: "always" is the only value */
		break;
	}
	return 0;
}

/*
 * A remount changes the root directory's mode when it says "mode=", and
 * keeps every setting it does not mention: famfs' tools remount with no
 * data at all. The device cannot change.
 */
static int famfs_reconfigure(struct fs_context *fc)
{
	struct famfs_fs_info *new = fc->s_fs_info;
	struct super_block *sb = fc->root->d_sb;
	struct inode *root = d_inode(sb->s_root);

	if (fc->source)
		return invalfc(fc, "a remount cannot change the device (%s)",
			       fc->source);
	if (new->root_mode == FAMFS_MODE_KEEP)
		return 0;

	inode_lock(root);
	root->i_mode = (root->i_mode & S_IFMT) | new->root_mode;
	inode_set_ctime_current(root);
	/* famfs_show_options() reads it without a lock */
	WRITE_ONCE(FAMFS_SB(sb)->root_mode, new->root_mode);
	inode_unlock(root);
	return 0;
}

/* Runs only while the fs_context still owns famfs_fs_info (no super block) */
static void famfs_free_fc(struct fs_context *fc)
{
	struct famfs_fs_info *fsi = fc->s_fs_info;

	if (!fsi)
		return;
	if (fsi->devs[0]) {
		put_dax(fsi->devs[0]->dax_dev);
		famfs_daxdev_free(fsi->devs[0]);
	}
	mutex_destroy(&fsi->devs_lock);
	mutex_destroy(&fsi->failure_lock);
	kfree(fsi);
}

static const struct fs_context_operations famfs_context_ops = {
	.free		= famfs_free_fc,
	.parse_param	= famfs_parse_param,
	.get_tree	= famfs_get_tree,
	.reconfigure	= famfs_reconfigure,
};

static int famfs_init_fs_context(struct fs_context *fc)
{
	struct famfs_fs_info *fsi;

	fsi = kzalloc(sizeof(*fsi), GFP_KERNEL);
	if (!fsi)
		return -ENOMEM;

	if (fc->purpose == FS_CONTEXT_FOR_RECONFIGURE) {
		fsi->root_mode = FAMFS_MODE_KEEP;
	} else {
		fsi->root_mode = FAMFS_DEFAULT_MODE;
		fsi->devs[0] = famfs_daxdev_alloc(0);
		if (!fsi->devs[0]) {
			kfree(fsi);
			return -ENOMEM;
		}
		fsi->nr_devs = 1;
	}
	mutex_init(&fsi->devs_lock);
	mutex_init(&fsi->failure_lock);
	spin_lock_init(&fsi->mapped_lock);
	INIT_LIST_HEAD(&fsi->mapped);
	fc->s_fs_info = fsi;
	fc->ops = &famfs_context_ops;
	return 0;
}

/*
 * kill_litter_super() drops the dentries that famfs_mknod() pinned and
 * then shuts the super block down (generic_shutdown_super()). Only after
 * that, with no inode left, are the devices given back: each exactly once,
 * since this also runs for a super block whose famfs_fill_super() failed,
 * where device 0 holds a plain reference that fs_put_dax() drops all the
 * same.
 */
static void famfs_kill_sb(struct super_block *sb)
{
	struct famfs_fs_info *fsi = FAMFS_SB(sb);
	u32 i;

	/* a memory failure report now waits for the inodes to be gone */
	mutex_lock(&fsi->failure_lock);
	set_bit(FAMFS_SHUTDOWN, &fsi->flags);
	kill_litter_super(sb);
	mutex_unlock(&fsi->failure_lock);

	for (i = 0; i < fsi->nr_devs; i++)
		fs_put_dax(fsi->devs[i]->dax_dev, fsi->devs[i]);
	/* waits for its readers, before the devices they show are freed */
	debugfs_remove_recursive(fsi->debugfs);
	for (i = 0; i < fsi->nr_devs; i++)
		famfs_daxdev_free(fsi->devs[i]);
	mutex_destroy(&fsi->devs_lock);
	mutex_destroy(&fsi->failure_lock);
	kfree(fsi);
}

VISIBLE_IF_KUNIT struct file_system_type famfs_fs_type = {
	.owner		= THIS_MODULE,
	.name		= "famfs",
	.init_fs_context = famfs_init_fs_context,
	.parameters	= famfs_fs_parameters,
	.kill_sb	= famfs_kill_sb,
};
EXPORT_SYMBOL_IF_KUNIT(famfs_fs_type);
MODULE_ALIAS_FS("famfs");

static int __init famfs_init(void)
{
	int err;

	famfs_debugfs_root = debugfs_create_dir("famfs", NULL);
	err = register_filesystem(&famfs_fs_type);
	if (err)
		debugfs_remove_recursive(famfs_debugfs_root);
	return err;
}

static void __exit famfs_exit(void)
{
	unregister_filesystem(&famfs_fs_type);
	debugfs_remove_recursive(famfs_debugfs_root);
}

module_init(famfs_init);
module_exit(famfs_exit);

MODULE_DESCRIPTION("famfs: a file system for shared fabric-attached memory");
MODULE_LICENSE("GPL");
