// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of famfs' data path: the map ioctls, read and write.
 */

#include "famfs_test.h"

/* The data path: map ioctls, read and write through the mock device */

#define M2	SZ_2M

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

/* Another task, holding the inode lock of a file until the test ends */
struct famfs_lock_holder {
	struct inode *inode;
	bool shared;
	struct completion held;
	struct task_struct *task;
};

static int famfs_lock_holder_fn(void *data)
{
	struct famfs_lock_holder *h = data;

	if (h->shared)
		inode_lock_shared(h->inode);
	else
		inode_lock(h->inode);
	complete(&h->held);
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	if (h->shared)
		inode_unlock_shared(h->inode);
	else
		inode_unlock(h->inode);
	return 0;
}

static void famfs_lock_holder_stop(void *data)
{
	struct famfs_lock_holder *h = data;

	kthread_stop(h->task);
	put_task_struct(h->task);
}

static void famfs_test_hold_lock(struct kunit *test, struct inode *inode,
				 bool shared)
{
	struct famfs_lock_holder *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, h);
	h->inode = inode;
	h->shared = shared;
	init_completion(&h->held);
	h->task = kthread_run(famfs_lock_holder_fn, h, "famfs-kunit-lock");
	KUNIT_ASSERT_FALSE(test, IS_ERR(h->task));
	get_task_struct(h->task);
	wait_for_completion(&h->held);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, famfs_lock_holder_stop, h));
}

/* A read or write of @len bytes at 0 that must not wait (RWF_NOWAIT) */
static ssize_t famfs_test_nowait(struct file *file, void *buf, size_t len,
				 bool write)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter iter;
	struct kiocb kiocb;

	init_sync_kiocb(&kiocb, file);
	kiocb.ki_flags |= IOCB_NOWAIT;
	iov_iter_kvec(&iter, write ? ITER_SOURCE : ITER_DEST, &kv, 1, len);
	if (write)
		return file->f_op->write_iter(&kiocb, &iter);
	return file->f_op->read_iter(&kiocb, &iter);
}

/*
 * Who waits for whom: a read takes no inode lock, writers share it, and a
 * write that may have to drop setuid or setgid bits takes it alone. Under
 * IOCB_NOWAIT a write that would wait for the lock returns -EAGAIN.
 */
static void famfs_file_lock_test(struct kunit *test)
{
	static const struct famfs_extent ext[FAMFS_MAX_EXTENTS] = {
		{ .offset = 4 * M2, .len = M2 },
	};
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);
	struct file *shared = famfs_test_open(test, mnt, "shared", O_RDWR);
	struct file *alone = famfs_test_open(test, mnt, "alone", O_RDWR);
	struct file *suid = famfs_test_open(test, mnt, "suid", O_RDWR);
	u8 *data = famfs_test_pattern(test, 64, 3);
	u8 *back = famfs_test_buf(test, 64);
	loff_t pos = 0;

	KUNIT_ASSERT_EQ(test, 0, famfs_test_map(test, shared, FAMFS_REG, M2,
						ext, 1));
	KUNIT_ASSERT_EQ(test, 0, famfs_test_map(test, alone, FAMFS_REG, M2,
						ext, 1));
	KUNIT_ASSERT_EQ(test, 0, famfs_test_map(test, suid, FAMFS_REG, M2,
						ext, 1));
	/* times to update would make a write under IOCB_NOWAIT wait too */
	shared->f_mode |= FMODE_NOCMTIME;
	alone->f_mode |= FMODE_NOCMTIME;
	suid->f_mode |= FMODE_NOCMTIME;
	/* the first write finds that the file has no privileges to drop */
	KUNIT_ASSERT_EQ(test, kernel_write(shared, data, 1, &pos), 1);
	KUNIT_EXPECT_TRUE(test, IS_NOSEC(file_inode(shared)));

	famfs_test_hold_lock(test, file_inode(shared), true);
	KUNIT_EXPECT_EQ(test, famfs_test_nowait(shared, data, 64, true), 64);
	KUNIT_EXPECT_EQ(test, 0, memcmp(mock->mem + 4 * M2, data, 64));
	KUNIT_EXPECT_EQ(test, famfs_test_nowait(shared, back, 64, false), 64);
	KUNIT_EXPECT_EQ(test, 0, memcmp(back, data, 64));

	famfs_test_hold_lock(test, file_inode(alone), false);
	KUNIT_EXPECT_EQ(test, famfs_test_nowait(alone, data, 64, true), -EAGAIN);
	memset(back, 0, 64);
	KUNIT_EXPECT_EQ(test, famfs_test_nowait(alone, back, 64, false), 64);
	KUNIT_EXPECT_EQ(test, 0, memcmp(back, data, 64));

	/* setuid: the bit may have to go, which takes the lock alone */
	pos = 0;
	KUNIT_ASSERT_EQ(test, kernel_write(suid, data, 1, &pos), 1);
	inode_lock(file_inode(suid));
	file_inode(suid)->i_mode |= S_ISUID;
	file_inode(suid)->i_flags &= ~S_NOSEC;
	inode_unlock(file_inode(suid));
	famfs_test_hold_lock(test, file_inode(suid), true);
	KUNIT_EXPECT_EQ(test, famfs_test_nowait(suid, data, 64, true), -EAGAIN);
	KUNIT_EXPECT_EQ(test, famfs_test_nowait(suid, back, 64, false), 64);
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
	KUNIT_CASE(famfs_file_lock_test),
#if IS_BUILTIN(CONFIG_FAMFS) && IS_BUILTIN(CONFIG_FAMFS_KUNIT_TEST)
	KUNIT_CASE(famfs_file_sys_module_test),
#endif
	{}
};

static struct kunit_suite famfs_file_test_suite = {
	.name = "famfs_file",
	.test_cases = famfs_file_test_cases,
};

kunit_test_suite(famfs_file_test_suite);
