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

static int famfs_show_options(struct seq_file *m, struct dentry *root)
{
	umode_t mode = READ_ONCE(FAMFS_SB(root->d_sb)->root_mode);

	if (mode != FAMFS_DEFAULT_MODE)
		seq_printf(m, ",mode=%o", mode);
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
	dax_writeback_mapping_range(inode->i_mapping,
				    FAMFS_SB(inode->i_sb)->dax_dev, &wbc);
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
 * invalidate lock keeps a fault that resolved its address before
 * FAMFS_DEV_GONE from mapping it after that.
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
 * The device is going away: no file data may be reached from now on. The
 * walk cannot take a reference to a file that is being evicted, and
 * evict() takes a file off sb->s_inodes before famfs_evict_inode() drops
 * its dax entries: wait for those evictions, or they would read the
 * struct pages of the device's memory after the device freed them. (A
 * file evicted after the walk has no dax entries left: the walk dropped
 * them, and FAMFS_DEV_GONE lets no fault add one.)
 */
static void famfs_dev_gone(struct super_block *sb)
{
	const struct famfs_walk walk = { .fn = famfs_file_gone };
	struct famfs_fs_info *fsi = FAMFS_SB(sb);

	set_bit(FAMFS_DEV_GONE, &fsi->flags);
	famfs_walk_files(sb, &walk);
	wait_var_event(&fsi->mapped, !famfs_evicting(fsi));
}

/* Memory that failed, and how the failure was reported */
struct famfs_bad_range {
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
		for (from = 0; !famfs_map_find(map, offset, from, &pos);
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
static void famfs_dev_bad_range(struct super_block *sb, u64 offset, u64 len,
				int mf_flags)
{
	struct famfs_fs_info *fsi = FAMFS_SB(sb);
	struct famfs_bad_range bad = { .mf_flags = mf_flags };
	const struct famfs_walk walk = {
		.fn = famfs_file_kill_mappers,
		.arg = &bad,
	};

	if (offset >= fsi->dev_size || !len)
		return;
	if (check_add_overflow(offset, len, &bad.end) ||
	    bad.end > fsi->dev_size)
		bad.end = fsi->dev_size;
	bad.offset = round_down(offset, PAGE_SIZE);
	bad.end = round_up(bad.end, PAGE_SIZE);
	if (xa_err(xa_store_range(&fsi->bad_pages, bad.offset >> PAGE_SHIFT,
				  (bad.end >> PAGE_SHIFT) - 1, xa_mk_value(0),
				  GFP_KERNEL))) {
		/* cannot tell the bad pages from the good: trust none */
		famfs_dev_gone(sb);
		return;
	}
	famfs_walk_files(sb, &walk);
}

/*
 * The device told us (through dax_holder_notify_failure()) that some of its
 * memory failed, or that it is going away (MF_MEM_PRE_REMOVE from
 * kill_dax()). Access to the failed memory fails with -EIO from now on,
 * and no new map may include it; the rest keeps working, so that this host
 * can go on replaying the log that the other hosts append to. When the
 * device goes away, that is all of its memory, and famfs places nothing
 * new on it. The tasks that map failed memory through famfs files are
 * signalled here; the device's own memory-failure handling deals with the
 * tasks that map it through the device.
 */
static int famfs_dax_notify_failure(struct dax_device *dax_dev, u64 offset,
				    u64 len, int mf_flags)
{
	struct super_block *sb = dax_holder(dax_dev);
	dev_t devt = dax_inode(dax_dev)->i_rdev;

	/* fs_put_dax() is ending the claim; it waits for us to return */
	if (!sb)
		return -EOPNOTSUPP;

	/*
	 * Wait while ->kill_sb() evicts the inodes: their dax entries must be
	 * gone before the device's memory is.
	 */
	mutex_lock(&FAMFS_SB(sb)->failure_lock);
	if (test_bit(FAMFS_SHUTDOWN, &FAMFS_SB(sb)->flags)) {
		mutex_unlock(&FAMFS_SB(sb)->failure_lock);
		return -EOPNOTSUPP;
	}
	if (mf_flags & MF_MEM_PRE_REMOVE) {
		if (!test_bit(FAMFS_DEV_GONE, &FAMFS_SB(sb)->flags))
			pr_err("dax %u:%u is going away: no more file data, no new files\n",
			       MAJOR(devt), MINOR(devt));
		famfs_dev_gone(sb);
	} else {
		pr_err("dax %u:%u: memory failure at %#llx, length %#llx: no file data there\n",
		       MAJOR(devt), MINOR(devt), offset, len);
		famfs_dev_bad_range(sb, offset, len, mf_flags);
	}
	mutex_unlock(&FAMFS_SB(sb)->failure_lock);
	return 0;
}

/* famfs/ in debugfs: a directory per mount, named after its device */
static struct dentry *famfs_debugfs_root;

/*
 * The memory of the device that failed while it is mounted, one range of
 * byte offsets per line, "start-end" in hex, end exclusive; "all" once
 * the device is going away. famfs forgets it at umount: the device-dax
 * memory-failure handling keeps none either.
 */
static int famfs_failed_memory_show(struct seq_file *m, void *unused)
{
	struct famfs_fs_info *fsi = m->private;
	XA_STATE(xas, &fsi->bad_pages, 0);
	unsigned long start = 0, end = 0, first, nr;
	void *entry;

	if (test_bit(FAMFS_DEV_GONE, &fsi->flags)) {
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

/* No error checks: debugfs is for the operator, famfs works without it */
static void famfs_debugfs_add(struct super_block *sb)
{
	struct famfs_fs_info *fsi = FAMFS_SB(sb);
	dev_t devt = dax_inode(fsi->dax_dev)->i_rdev;
	char name[24];

	snprintf(name, sizeof(name), "%u:%u", MAJOR(devt), MINOR(devt));
	fsi->debugfs = debugfs_create_dir(name, famfs_debugfs_root);
	debugfs_create_file("failed_memory", 0400, fsi->debugfs, fsi,
			    &famfs_failed_memory_fops);
}

static const struct dax_holder_operations famfs_dax_holder_ops = {
	.notify_failure	= famfs_dax_notify_failure,
};

/*
 * Resolve the mount source to the number of the character device it names.
 * Kept apart so that KUnit can replace it: built-in tests run before there
 * is a /dev to look in, and a mock dax device has no node anyway.
 */
VISIBLE_IF_KUNIT int famfs_source_devt(struct fs_context *fc, dev_t *devt)
{
	struct inode *inode;
	struct path path;
	int err;

	KUNIT_STATIC_STUB_REDIRECT(famfs_source_devt, fc, devt);

	err = kern_path(fc->source, LOOKUP_FOLLOW, &path);
	if (err) {
		errorfc(fc, "cannot find %s", fc->source);
		return err;
	}

	inode = d_backing_inode(path.dentry);
	if (!S_ISCHR(inode->i_mode)) {
		err = invalfc(fc, "%s is not a character device", fc->source);
	} else if (!may_open_dev(&path)) {
		errorfc(fc, "%s is on a file system that forbids device access",
			fc->source);
		err = -EACCES;
	} else {
		*devt = inode->i_rdev;
	}
	path_put(&path);
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
 * up, and famfs_fs_info->dax_dev still holds dax_dev_get()'s reference.
 */
static int famfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct famfs_fs_info *fsi = FAMFS_SB(sb);
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
	err = fs_dax_get(fsi->dax_dev, sb, &famfs_dax_holder_ops);
	if (err) {
		errorfc(fc, "%s is %s", fc->source,
			err == -EBUSY ? "in use by another holder" : "not alive");
		return err;
	}
	/* the claim holds a reference of its own */
	put_dax(fsi->dax_dev);

	fsi->dev_size = famfs_dax_size(fsi->dax_dev);
	if (!fsi->dev_size) {
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
	fsi->dax_dev = dax_dev;

	/*
	 * An anonymous super block, not one keyed on the character device
	 * number: that number is no block device and the anonymous-dev
	 * teardown must not free it. Exclusivity comes from the holder claim.
	 */
	return get_tree_nodev(fc, famfs_fill_super);
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
 * Unknown keys (-ENOPARAM) go back to the VFS, which takes "source" and
 * refuses everything else.
 */
static int famfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct famfs_fs_info *fsi = fc->s_fs_info;
	struct fs_parse_result result;
	int opt;

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

	if (fsi)
		put_dax(fsi->dax_dev);
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

	fsi->root_mode = fc->purpose == FS_CONTEXT_FOR_RECONFIGURE ?
			 FAMFS_MODE_KEEP : FAMFS_DEFAULT_MODE;
	xa_init(&fsi->bad_pages);
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
 * that, with no inode left, is the device given back: exactly once, since
 * this also runs for a super block whose famfs_fill_super() failed, where
 * famfs_fs_info->dax_dev holds a plain reference that fs_put_dax() drops
 * all the same.
 */
static void famfs_kill_sb(struct super_block *sb)
{
	struct famfs_fs_info *fsi = FAMFS_SB(sb);

	/* a memory failure report now waits for the inodes to be gone */
	mutex_lock(&fsi->failure_lock);
	set_bit(FAMFS_SHUTDOWN, &fsi->flags);
	kill_litter_super(sb);
	mutex_unlock(&fsi->failure_lock);

	fs_put_dax(fsi->dax_dev, sb);
	/* waits for its readers */
	debugfs_remove_recursive(fsi->debugfs);
	xa_destroy(&fsi->bad_pages);
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
