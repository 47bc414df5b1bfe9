// SPDX-License-Identifier: GPL-2.0
/*
 * famfs - the file data path: the map ioctls, read and write (a copy to or
 * from the device's memory), and mmap through fs-dax iomap.
 *
 * A famfs file gets its memory once, from user space, and keeps it: nothing
 * here allocates, and nothing changes the size of a file. Until it has a map
 * a file has no data, and every access to its data fails with -ENODATA.
 */

#define pr_fmt(fmt) "famfs: " fmt

#include <linux/capability.h>
#include <linux/dax.h>
#include <linux/fs.h>
#include <linux/huge_mm.h>
#include <linux/iomap.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "famfs_internal.h"

/* Memory the device reported failed (or the whole device, going away) */
static bool famfs_dev_range_failed(struct famfs_daxdev *dd, u64 offset,
				   u64 len)
{
	unsigned long first = offset >> PAGE_SHIFT;

	if (test_bit(FAMFS_DAXDEV_GONE, &dd->flags))
		return true;
	/* the common case, on every read and write: nothing failed */
	if (xa_empty(&dd->bad_pages))
		return false;
	return xa_find(&dd->bad_pages, &first,
		       (offset + len - 1) >> PAGE_SHIFT, XA_PRESENT);
}

/*
 * Never a zero-length mapping: past the end of the map there is no memory,
 * and that is an error (-EIO), which iomap and the fault handlers pass on.
 */
static int famfs_iomap_begin(struct inode *inode, loff_t pos, loff_t length,
			     unsigned int flags, struct iomap *iomap,
			     struct iomap *srcmap)
{
	struct famfs_fs_info *fsi = FAMFS_SB(inode->i_sb);
	const struct famfs_map *map = famfs_inode_map(inode);
	struct famfs_daxdev *dd;
	u64 offset, len;
	u32 dev;
	int err;

	if (!map)
		return -ENODATA;

	err = famfs_map_resolve(map, pos, &dev, &offset, &len);
	if (err)
		return err;
	len = min_t(u64, len, length);
	dd = fsi->devs[dev];
	if (famfs_dev_range_failed(dd, offset, len))
		return -EIO;

	iomap->type = IOMAP_MAPPED;
	iomap->flags = 0;
	iomap->offset = pos;
	iomap->length = len;
	iomap->addr = offset;
	iomap->dax_dev = dd->dax_dev;
	iomap->bdev = NULL;
	return 0;
}

static const struct iomap_ops famfs_iomap_ops = {
	.iomap_begin	= famfs_iomap_begin,
};

/*
 * Copy @count bytes between @iter and the file from iocb->ki_pos on. This
 * is what dax_iomap_rw() does for a file that is mapped from end to end:
 * a famfs file has no holes, no unwritten or shared extents and never
 * grows, so each piece is a lookup of the map and a copy, and famfs does
 * not build a struct iomap for it. The dax read lock orders the copy
 * against the removal of the device (kill_dax()); the copies are the
 * device's own (dax_copy_{to,from}_iter()): machine-check safe reads,
 * writes that reach memory another host can see.
 */
static ssize_t famfs_dax_copy(struct kiocb *iocb, struct iov_iter *iter,
			      const struct famfs_map *map, size_t count)
{
	struct famfs_fs_info *fsi = FAMFS_SB(file_inode(iocb->ki_filp)->i_sb);
	bool write = iov_iter_rw(iter) == WRITE;
	loff_t pos = iocb->ki_pos;
	ssize_t done = 0;
	int err = 0, id;

	id = dax_read_lock();
	while (done < count) {
		size_t n, xfer, in_page;
		struct famfs_daxdev *dd;
		u64 offset, len;
		pgoff_t pgoff;
		void *kaddr;
		u32 dev;
		long nr;

		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		err = famfs_map_resolve(map, pos, &dev, &offset, &len);
		if (err)
			break;
		n = min_t(u64, len, count - done);
		dd = fsi->devs[dev];
		if (famfs_dev_range_failed(dd, offset, n)) {
			err = -EIO;
			break;
		}
		pgoff = PHYS_PFN(offset);
		in_page = offset_in_page(offset);
		nr = dax_direct_access(dd->dax_dev, pgoff,
				       PHYS_PFN(in_page + n + PAGE_SIZE - 1),
				       DAX_ACCESS, &kaddr, NULL);
		if (nr < 0) {
			err = nr == -EHWPOISON ? -EIO : nr;
			break;
		}
		n = min_t(size_t, n, PFN_PHYS(nr) - in_page);
		if (write)
			xfer = dax_copy_from_iter(dd->dax_dev, pgoff,
						  kaddr + in_page, n, iter);
		else
			xfer = dax_copy_to_iter(dd->dax_dev, pgoff,
						kaddr + in_page, n, iter);
		pos += xfer;
		done += xfer;
		/* a fault on the user buffer, or a machine check */
		if (xfer < n) {
			err = -EFAULT;
			break;
		}
	}
	dax_read_unlock(id);

	iocb->ki_pos = pos;
	return done ? done : err;
}

/*
 * No inode lock: once a file has its map, neither the map nor the size
 * changes, and a read orders itself against the device going away by the
 * dax read lock. Like direct I/O, a read that overlaps a write may see
 * some of its bytes.
 */
static ssize_t famfs_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	const struct famfs_map *map = famfs_inode_map(inode);
	loff_t size = i_size_read(inode);
	ssize_t ret;

	if (!map)
		return -ENODATA;
	if (!iov_iter_count(to) || iocb->ki_pos >= size)
		return 0;

	ret = famfs_dax_copy(iocb, to, map,
			     min_t(u64, iov_iter_count(to), size - iocb->ki_pos));
	file_accessed(iocb->ki_filp);
	return ret;
}

/*
 * Writes go to the memory the file has: up to its size and no further. A
 * write that starts at or past the end fails with -ENOSPC; one that crosses
 * it is cut short there.
 *
 * A write changes no metadata but the times, so writers share the inode
 * lock, as ext4's direct I/O overwrites do: only one that must drop setuid
 * or setgid bits (file_remove_privs()) takes it exclusively.
 */
static ssize_t famfs_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	const struct famfs_map *map = famfs_inode_map(inode);
	bool shared = true;
	loff_t size;
	ssize_t ret;

	if (!map)
		return -ENODATA;

relock:
	if (iocb->ki_flags & IOCB_NOWAIT) {
		if (shared ? !inode_trylock_shared(inode) : !inode_trylock(inode))
			return -EAGAIN;
	} else if (shared) {
		inode_lock_shared(inode);
	} else {
		inode_lock(inode);
	}
	if (shared && !IS_NOSEC(inode)) {
		inode_unlock_shared(inode);
		shared = false;
		goto relock;
	}

	ret = generic_write_checks(iocb, from);
	if (ret <= 0)
		goto out_unlock;

	size = i_size_read(inode);
	if (iocb->ki_pos >= size) {
		ret = -ENOSPC;
		goto out_unlock;
	}

	/* -EAGAIN under IOCB_NOWAIT if privileges or times need changing */
	ret = kiocb_modified(iocb);
	if (!ret)
		ret = famfs_dax_copy(iocb, from, map,
				     min_t(u64, iov_iter_count(from),
					   size - iocb->ki_pos));
out_unlock:
	if (shared)
		inode_unlock_shared(inode);
	else
		inode_unlock(inode);
	if (ret > 0)
		ret = generic_write_sync(iocb, ret);
	return ret;
}

/*
 * The invalidate lock orders a fault against the device going away (see
 * famfs_dev_gone()): either the fault maps memory that is then unmapped, or
 * it finds the device gone.
 */
static vm_fault_t famfs_dax_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	struct inode *inode = file_inode(vmf->vma->vm_file);
	/* a write to a private mapping copies the page: the file is not written */
	bool write = (vmf->flags & FAULT_FLAG_WRITE) &&
		     (vmf->vma->vm_flags & VM_SHARED);
	vm_fault_t ret;

	if (write) {
		sb_start_pagefault(inode->i_sb);
		file_update_time(vmf->vma->vm_file);
	}
	filemap_invalidate_lock_shared(inode->i_mapping);
	/* no MAP_SYNC (famfs has no FOP_MMAP_SYNC): no pfn to finish a sync fault */
	ret = dax_iomap_fault(vmf, order, NULL, NULL, &famfs_iomap_ops);
	filemap_invalidate_unlock_shared(inode->i_mapping);
	if (write)
		sb_end_pagefault(inode->i_sb);
	return ret;
}

static vm_fault_t famfs_dax_fault(struct vm_fault *vmf)
{
	return famfs_dax_huge_fault(vmf, 0);
}

static const struct vm_operations_struct famfs_dax_vm_ops = {
	.fault		= famfs_dax_fault,
	.huge_fault	= famfs_dax_huge_fault,
	.page_mkwrite	= famfs_dax_fault,
	.pfn_mkwrite	= famfs_dax_fault,
};

static int famfs_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!famfs_inode_map(file_inode(file)))
		return -ENODATA;

	file_accessed(file);
	vma->vm_ops = &famfs_dax_vm_ops;
	/* the memory is 2 MiB aligned: let faults map it with PMDs */
	vm_flags_set(vma, VM_HUGEPAGE);
	return 0;
}

/* Whether memory of @map failed, or a device of it is going away */
static bool famfs_map_failed(struct famfs_fs_info *fsi,
			     const struct famfs_map *map)
{
	u32 i;

	for (i = 0; i < map->nr_strips; i++)
		if (famfs_dev_range_failed(fsi->devs[map->strip[i].dev],
					   map->strip[i].offset,
					   map->strip[i].len))
			return true;
	return false;
}

/* Give @inode the map @req describes; checks everything but privilege */
static int famfs_set_map(struct inode *inode, const struct famfs_map_req *req)
{
	struct famfs_fs_info *fsi = FAMFS_SB(inode->i_sb);
	struct famfs_map *map;
	int err = 0;

	if (req->file_size > inode->i_sb->s_maxbytes)
		return -EFBIG;
	/* pairs with the release in famfs_add_dev(): devs[] below it is set */
	map = famfs_map_build(req, fsi->devs, smp_load_acquire(&fsi->nr_devs));
	if (IS_ERR(map))
		return PTR_ERR(map);

	inode_lock(inode);
	if (famfs_inode_map(inode) || i_size_read(inode)) {
		err = -EEXIST;
	} else if (famfs_map_failed(fsi, map)) {
		/* famfs cannot give a file memory that failed */
		err = -EIO;
	} else {
		i_size_write(inode, req->file_size);
		inode_set_flags(inode, S_DAX, S_DAX);
		inode_set_mtime_to_ts(inode, inode_set_ctime_current(inode));
		map->inode = inode;
		spin_lock(&fsi->mapped_lock);
		list_add(&map->node, &fsi->mapped);
		spin_unlock(&fsi->mapped_lock);
		/* readers look the map up without the inode lock */
		smp_store_release(&inode->i_private, map);
		map = NULL;
	}
	inode_unlock(inode);

	kfree(map);
	return err;
}

/* MAP_CREATE hands out raw device memory: only to CAP_SYS_RAWIO, for writing */
static int famfs_may_map(struct file *file)
{
	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	return 0;
}

static int famfs_ioc_map_create(struct file *file, void __user *uarg)
{
	struct famfs_map_req *req;
	struct famfs_ioc_map imap;
	u32 i;
	int err;

	err = famfs_may_map(file);
	if (err)
		return err;
	if (copy_from_user(&imap, uarg, sizeof(imap)))
		return -EFAULT;
	if (imap.extent_type != FAMFS_EXT_SIMPLE)
		return -EINVAL;
	if (!imap.ext_list_count)
		return -EINVAL;
	if (imap.ext_list_count > FAMFS_MAX_EXTENTS)
		return -E2BIG;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	req->file_size = imap.file_size;
	req->file_type = imap.file_type;
	req->ext_type = FAMFS_EXT_SIMPLE;
	req->nr_ext = imap.ext_list_count;
	for (i = 0; i < req->nr_ext; i++) {
		req->ext[i].nbytes = imap.ext_list[i].len;
		req->ext[i].nstrips = 1;
		req->ext[i].strip[0].offset = imap.ext_list[i].offset;
		req->ext[i].strip[0].len = imap.ext_list[i].len;
	}

	err = famfs_set_map(file_inode(file), req);
	kfree(req);
	return err;
}

/* The extents MAP_CREATE_V2 points to, copied in and counted */
static int famfs_copy_v2_extents(struct famfs_map_req *req,
				 const struct famfs_ioc_fmap *fmap)
{
	struct famfs_ioc_interleaved_ext ie[FAMFS_IOC_MAX_INTERLEAVED_EXTENTS];
	struct famfs_ioc_simple_extent se[FAMFS_MAX_EXTENTS];
	u32 i;

	if (fmap->fioc_ext_type == FAMFS_EXT_SIMPLE) {
		if (fmap->fioc_nextents > FAMFS_MAX_EXTENTS)
			return -E2BIG;
		if (copy_from_user(se, u64_to_user_ptr(fmap->kse),
				   fmap->fioc_nextents * sizeof(se[0])))
			return -EFAULT;
		for (i = 0; i < fmap->fioc_nextents; i++) {
			req->ext[i].nbytes = se[i].len;
			req->ext[i].nstrips = 1;
			req->ext[i].strip[0] = se[i];
		}
		return 0;
	}

	if (fmap->fioc_niext > FAMFS_IOC_MAX_INTERLEAVED_EXTENTS)
		return -E2BIG;
	if (copy_from_user(ie, u64_to_user_ptr(fmap->kie),
			   fmap->fioc_niext * sizeof(ie[0])))
		return -EFAULT;
	for (i = 0; i < fmap->fioc_niext; i++) {
		if (!ie[i].ie_nstrips)
			return -EINVAL;
		if (ie[i].ie_nstrips > FAMFS_MAX_STRIPS)
			return -E2BIG;
		req->ext[i].nbytes = ie[i].ie_nbytes;
		req->ext[i].chunk = ie[i].ie_chunk_size;
		req->ext[i].nstrips = ie[i].ie_nstrips;
		if (copy_from_user(req->ext[i].strip,
				   u64_to_user_ptr(ie[i].ie_strips),
				   ie[i].ie_nstrips * sizeof(req->ext[i].strip[0])))
			return -EFAULT;
	}
	return 0;
}

static int famfs_ioc_map_create_v2(struct file *file, void __user *uarg)
{
	struct famfs_map_req *req;
	struct famfs_ioc_fmap fmap;
	int err;

	err = famfs_may_map(file);
	if (err)
		return err;
	if (copy_from_user(&fmap, uarg, sizeof(fmap)))
		return -EFAULT;
	if (fmap.fioc_pad)
		return -EINVAL;
	if (fmap.fioc_ext_type != FAMFS_EXT_SIMPLE &&
	    fmap.fioc_ext_type != FAMFS_EXT_INTERLEAVE)
		return -EINVAL;
	if (!fmap.fioc_nextents)
		return -EINVAL;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	req->file_size = fmap.fioc_file_size;
	req->file_type = fmap.fioc_file_type;
	req->ext_type = fmap.fioc_ext_type;
	req->nr_ext = fmap.fioc_nextents;
	err = famfs_copy_v2_extents(req, &fmap);
	if (!err)
		err = famfs_set_map(file_inode(file), req);
	kfree(req);
	return err;
}

/* Whether ABI 42, which has no device index, can describe @map */
static bool famfs_map_on_dev0(const struct famfs_map *map)
{
	u32 i;

	for (i = 0; i < map->nr_strips; i++)
		if (map->strip[i].dev)
			return false;
	return true;
}

static int famfs_ioc_map_get(struct inode *inode, void __user *uarg)
{
	const struct famfs_map *map = famfs_inode_map(inode);
	struct famfs_ioc_map imap = {};
	u32 i;

	if (!map)
		return -ENODATA;

	imap.extent_type = map->ext_type;
	imap.file_type = map->file_type;
	imap.file_size = i_size_read(inode);
	/*
	 * An interleaved map, or one with memory on another device than 0,
	 * has no ABI 42 form: it is reported by its type alone, with no
	 * simple extent, rather than refused, because famfs check calls
	 * MAP_GET on every file and counts a failure as damage.
	 */
	if (map->ext_type == FAMFS_EXT_SIMPLE && famfs_map_on_dev0(map)) {
		imap.ext_list_count = map->nr_ext;
		for (i = 0; i < map->nr_ext; i++) {
			imap.ext_list[i].offset = map->strip[i].offset;
			imap.ext_list[i].len = map->strip[i].len;
		}
	}
	return copy_to_user(uarg, &imap, sizeof(imap)) ? -EFAULT : 0;
}

/* Exactly ext_list_count extents: the caller's buffer holds no more */
static int famfs_ioc_map_getext(struct inode *inode, void __user *uarg)
{
	const struct famfs_map *map = famfs_inode_map(inode);
	struct famfs_extent ext[FAMFS_MAX_EXTENTS] = {};
	u32 i;

	if (!map)
		return -ENODATA;
	if (map->ext_type != FAMFS_EXT_SIMPLE || !famfs_map_on_dev0(map))
		return -EINVAL;

	for (i = 0; i < map->nr_ext; i++) {
		ext[i].offset = map->strip[i].offset;
		ext[i].len = map->strip[i].len;
	}
	return copy_to_user(uarg, ext, map->nr_ext * sizeof(ext[0])) ?
	       -EFAULT : 0;
}

static int famfs_ioc_map_get_v2(struct inode *inode, void __user *uarg)
{
	const struct famfs_map *map = famfs_inode_map(inode);
	struct famfs_ioc_get_fmap *gmap;
	u32 i;
	int err = 0;

	if (!map)
		return -ENODATA;
	/*
	 * Its fixed-size answer holds one interleaved extent at most, while
	 * MAP_CREATE_V2 takes up to FAMFS_IOC_MAX_INTERLEAVED_EXTENTS: the
	 * ABI 43 layout, which famfs user space fixed, cannot say more.
	 */
	if (map->ext_type == FAMFS_EXT_INTERLEAVE && map->nr_ext > 1) {
		pr_info_ratelimited("inode %lu: MAP_GET_V2 cannot return its %u interleaved extents, its answer holds one\n",
				    inode->i_ino, map->nr_ext);
		return -E2BIG;
	}

	gmap = kzalloc(sizeof(*gmap), GFP_KERNEL);
	if (!gmap)
		return -ENOMEM;

	gmap->iocmap.fioc_file_size = i_size_read(inode);
	gmap->iocmap.fioc_file_type = map->file_type;
	gmap->iocmap.fioc_ext_type = map->ext_type;
	gmap->iocmap.fioc_nextents = map->nr_ext;
	if (map->ext_type == FAMFS_EXT_SIMPLE) {
		for (i = 0; i < map->nr_ext; i++) {
			gmap->ikse[i].devindex = map->strip[i].dev;
			gmap->ikse[i].offset = map->strip[i].offset;
			gmap->ikse[i].len = map->strip[i].len;
		}
	} else {
		gmap->ks.ikie.ie_nstrips = map->ext[0].nstrips;
		gmap->ks.ikie.ie_chunk_size = map->ext[0].chunk;
		gmap->ks.ikie.ie_nbytes = map->ext[0].nbytes;
		for (i = 0; i < map->ext[0].nstrips; i++) {
			gmap->ks.kie_strips[i].devindex = map->strip[i].dev;
			gmap->ks.kie_strips[i].offset = map->strip[i].offset;
			gmap->ks.kie_strips[i].len = map->strip[i].len;
		}
	}

	if (copy_to_user(uarg, gmap, sizeof(*gmap)))
		err = -EFAULT;
	kfree(gmap);
	return err;
}

static long famfs_file_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct inode *inode = file_inode(file);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case FAMFSIOC_NOP:
		return 0;
	case FAMFSIOC_MAP_CREATE:
		return famfs_ioc_map_create(file, uarg);
	case FAMFSIOC_MAP_CREATE_V2:
		return famfs_ioc_map_create_v2(file, uarg);
	case FAMFSIOC_MAP_GET:
		return famfs_ioc_map_get(inode, uarg);
	case FAMFSIOC_MAP_GETEXT:
		return famfs_ioc_map_getext(inode, uarg);
	case FAMFSIOC_MAP_GET_V2:
		return famfs_ioc_map_get_v2(inode, uarg);
	case FAMFSIOC_ADD_DAXDEV:
		return famfs_ioc_add_daxdev(file, uarg);
	case FAMFSIOC_GET_MAX_DAXDEV:
		/* pairs with the release in famfs_add_dev() */
		return put_user(smp_load_acquire(&FAMFS_SB(inode->i_sb)->nr_devs) - 1,
				(__u32 __user *)uarg);
	default:
		return -ENOTTY;
	}
}

/*
 * IOCB_NOWAIT only has to try the inode lock (see fop_flags below);
 * generic_file_open() refuses a file over 2 GiB to a caller without
 * O_LARGEFILE.
 */
static int famfs_file_open(struct inode *inode, struct file *file)
{
	file->f_mode |= FMODE_NOWAIT;
	return generic_file_open(inode, file);
}

const struct file_operations famfs_file_operations = {
	.open		= famfs_file_open,
	/* a copy to or from memory: reads and writes never wait for I/O */
	.fop_flags	= FOP_BUFFER_RASYNC | FOP_BUFFER_WASYNC,
	.llseek		= generic_file_llseek,
	.read_iter	= famfs_file_read_iter,
	.write_iter	= famfs_file_write_iter,
	.mmap		= famfs_file_mmap,
	/* no page cache to splice from: copy through read_iter */
	.splice_read	= copy_splice_read,
	.get_unmapped_area = thp_get_unmapped_area,
	.unlocked_ioctl	= famfs_file_ioctl,
	/* fixed-size types: the same layouts for 32-bit callers */
	.compat_ioctl	= compat_ptr_ioctl,
	.fsync		= noop_fsync,
};

/**
 * famfs_flush_dax() - the device whose cache flushes a file's writeback needs
 * @inode: the file
 *
 * dax_writeback_mapping_range() flushes every dirty entry of a mapping as
 * one device would, and that device says only whether to flush at all
 * (dax_write_cache_enabled()). A file on several devices is flushed as the
 * first of them that asks for it: a flush a device does not need costs time,
 * one it needs and does not get loses data.
 */
struct dax_device *famfs_flush_dax(struct inode *inode)
{
	const struct famfs_map *map = famfs_inode_map(inode);
	struct famfs_fs_info *fsi = FAMFS_SB(inode->i_sb);
	u32 i;

	if (!map)
		return fsi->devs[0]->dax_dev;
	for (i = 0; i < map->nr_strips; i++) {
		struct dax_device *dax_dev = fsi->devs[map->strip[i].dev]->dax_dev;

		if (dax_write_cache_enabled(dax_dev))
			return dax_dev;
	}
	return fsi->devs[map->strip[0].dev]->dax_dev;
}

static int famfs_dax_writepages(struct address_space *mapping,
				struct writeback_control *wbc)
{
	return dax_writeback_mapping_range(mapping,
					   famfs_flush_dax(mapping->host), wbc);
}

const struct address_space_operations famfs_dax_aops = {
	.writepages	= famfs_dax_writepages,
	.dirty_folio	= noop_dirty_folio,
};
