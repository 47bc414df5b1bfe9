// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of a famfs mount over several devices: FAMFSIOC_ADD_DAXDEV and
 * GET_MAX_DAXDEV, what they refuse, the devices in the mount options, file
 * data striped over mock devices, and each device failing on its own.
 *
 * The mount source is stubbed as elsewhere; the devices added later are
 * found by the real path lookup, through nodes in the root file system.
 */

#include "famfs_test.h"

#define M2	SZ_2M

/* A mount of mock device 0, its superblock file, and devices to add */
struct famfs_devs_fixture {
	struct vfsmount *mnt;
	struct famfs_mock_dax *mock[4];
	const char *node[4];
	struct file *sb_file;
};

static const char * const famfs_test_dev_nodes[] = {
	"/famfs-kunit-dev0", "/famfs-kunit-dev1", "/famfs-kunit-dev2",
	"/famfs-kunit-dev3",
};

static struct famfs_fs_info *famfs_fx_fsi(struct famfs_devs_fixture *fx)
{
	return FAMFS_SB(fx->mnt->mnt_sb);
}

/* MAP_CREATE_V2 of simple extents, as log replay makes the meta files */
static long famfs_test_map_simple(struct kunit *test, struct file *file,
				  u32 file_type, u64 size,
				  const struct famfs_ioc_simple_extent *se, u32 nr)
{
	struct famfs_ioc_fmap fmap = {
		.fioc_file_size = size,
		.fioc_file_type = file_type,
		.fioc_ext_type = FAMFS_EXT_SIMPLE,
		.fioc_nextents = nr,
	};

	fmap.kse = (u64)(uintptr_t)famfs_test_user(test, se, nr * sizeof(*se));
	return famfs_test_ioctl(file, FAMFSIOC_MAP_CREATE_V2,
				famfs_test_user(test, &fmap, sizeof(fmap)));
}

/*
 * Mount mock device 0, with four mock devices (0 too) behind device nodes,
 * and a superblock file mapped as famfs user space maps it.
 */
static void famfs_devs_setup(struct kunit *test, struct famfs_devs_fixture *fx)
{
	static const struct famfs_ioc_simple_extent sb = { .len = M2 };
	u32 i;

	fx->mnt = famfs_test_mount_mock(test, &fx->mock[0]);
	for (i = 0; i < ARRAY_SIZE(fx->mock); i++) {
		if (i)
			fx->mock[i] = famfs_mock_dax_create(test);
		fx->node[i] = famfs_test_node(test, famfs_test_dev_nodes[i],
					      S_IFCHR | 0600,
					      famfs_mock_dax_devt(fx->mock[i]),
					      NULL);
	}
	fx->sb_file = famfs_test_open(test, fx->mnt, "superblock", O_RDWR);
	KUNIT_ASSERT_EQ(test, 0, famfs_test_map_simple(test, fx->sb_file,
						       FAMFS_SUPERBLOCK, M2,
						       &sb, 1));
}

static struct famfs_ioc_add_daxdev famfs_add_arg(const char *name, u32 index)
{
	struct famfs_ioc_add_daxdev arg = {
		.size = MOCK_DAX_SIZE,
		.index = index,
	};

	strscpy(arg.name, name);
	memset(arg.uuid, 0x5a, sizeof(arg.uuid));
	return arg;
}

static long famfs_test_add(struct kunit *test, struct file *file,
			   const struct famfs_ioc_add_daxdev *arg)
{
	return famfs_test_ioctl(file, FAMFSIOC_ADD_DAXDEV,
				famfs_test_user(test, arg, sizeof(*arg)));
}

static long famfs_test_add_dev(struct kunit *test,
			       struct famfs_devs_fixture *fx, u32 mock,
			       u32 index)
{
	struct famfs_ioc_add_daxdev arg = famfs_add_arg(fx->node[mock], index);

	return famfs_test_add(test, fx->sb_file, &arg);
}

static long famfs_test_max_dev(struct kunit *test, struct file *file, u32 *max)
{
	void __user *u = famfs_test_user(test, NULL, sizeof(*max));
	long err = famfs_test_ioctl(file, FAMFSIOC_GET_MAX_DAXDEV, u);

	if (!err && copy_from_user(max, u, sizeof(*max)))
		err = -EFAULT;
	return err;
}

/* What show_options() writes for the mount */
static char *famfs_test_options(struct kunit *test, struct vfsmount *mnt)
{
	struct seq_file m = { .size = PAGE_SIZE };

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	KUNIT_ASSERT_EQ(test, 0,
			mnt->mnt_sb->s_op->show_options(&m, mnt->mnt_root));
	KUNIT_ASSERT_LT(test, m.count, m.size);
	return m.buf;
}

/*
 * Devices are added in index order, again as often as replay likes, and
 * each is claimed until umount, then given back exactly once.
 */
static void famfs_daxdev_add_test(struct kunit *test)
{
	struct famfs_devs_fixture fx = {};
	struct file *log, *rdonly, *plain;
	struct famfs_fs_info *fsi;
	struct famfs_ioc_add_daxdev arg;
	u32 max = U32_MAX, i;

	famfs_devs_setup(test, &fx);
	fsi = famfs_fx_fsi(&fx);
	plain = famfs_test_open(test, fx.mnt, "plain", O_RDONLY);

	KUNIT_EXPECT_EQ(test, famfs_test_max_dev(test, plain, &max), 0);
	KUNIT_EXPECT_EQ(test, max, 0);

	KUNIT_EXPECT_EQ(test, famfs_test_add_dev(test, &fx, 1, 1), 0);
	KUNIT_EXPECT_EQ(test, famfs_test_max_dev(test, plain, &max), 0);
	KUNIT_EXPECT_EQ(test, max, 1);
	/* replay registers it again, and the mount's own device too */
	KUNIT_EXPECT_EQ(test, famfs_test_add_dev(test, &fx, 1, 1), 0);
	KUNIT_EXPECT_EQ(test, famfs_test_add_dev(test, &fx, 0, 0), 0);
	/* a size smaller than the device is the file system's business */
	arg = famfs_add_arg(fx.node[1], 1);
	arg.size = M2;
	KUNIT_EXPECT_EQ(test, famfs_test_add(test, fx.sb_file, &arg), 0);
	KUNIT_EXPECT_EQ(test, fsi->nr_devs, 2);

	/* on the log file too, and on a read-only descriptor */
	log = famfs_test_open(test, fx.mnt, "log", O_RDWR);
	{
		static const struct famfs_ioc_simple_extent l = {
			.offset = M2, .len = 4 * M2,
		};

		KUNIT_ASSERT_EQ(test, 0, famfs_test_map_simple(test, log,
							       FAMFS_LOG,
							       4 * M2, &l, 1));
	}
	arg = famfs_add_arg(fx.node[2], 2);
	KUNIT_EXPECT_EQ(test, famfs_test_add(test, log, &arg), 0);
	rdonly = famfs_test_open(test, fx.mnt, "superblock", O_RDONLY);
	arg = famfs_add_arg(fx.node[3], 3);
	KUNIT_EXPECT_EQ(test, famfs_test_add(test, rdonly, &arg), 0);
	KUNIT_EXPECT_EQ(test, famfs_test_max_dev(test, rdonly, &max), 0);
	KUNIT_EXPECT_EQ(test, max, 3);

	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_PTR_EQ(test, fsi->devs[i]->dax_dev,
				    fx.mock[i]->dax_dev);
		KUNIT_EXPECT_PTR_EQ(test, dax_holder(fx.mock[i]->dax_dev),
				    (void *)fsi->devs[i]);
		KUNIT_EXPECT_PTR_EQ(test, fsi->devs[i]->sb, fx.mnt->mnt_sb);
		KUNIT_EXPECT_EQ(test, fsi->devs[i]->index, i);
		KUNIT_EXPECT_EQ(test, fsi->devs[i]->size, MOCK_DAX_SIZE);
		KUNIT_EXPECT_EQ(test, famfs_mock_dax_refs(fx.mock[i]),
				MOCK_REFS_MOUNTED);
	}
	KUNIT_EXPECT_STREQ(test, famfs_test_options(test, fx.mnt),
			   ",daxdev1=/famfs-kunit-dev1,daxdev2=/famfs-kunit-dev2,daxdev3=/famfs-kunit-dev3");

	famfs_test_close(test, plain);
	famfs_test_close(test, log);
	famfs_test_close(test, rdonly);
	famfs_test_close(test, fx.sb_file);
	famfs_test_umount(test, fx.mnt);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_NULL(test, dax_holder(fx.mock[i]->dax_dev));
		KUNIT_EXPECT_EQ(test, famfs_mock_dax_refs(fx.mock[i]),
				MOCK_REFS_IDLE);
	}
}

/* A device of its own kind for a refusal, gone with the test */
static const char *famfs_test_odd_dax(struct kunit *test,
				      const struct dax_operations *ops,
				      const char *node)
{
	struct dax_device *dax_dev = alloc_dax(NULL, ops);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dax_dev);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   famfs_test_kill_put_dax,
							   dax_dev));
	set_dax_chardev(dax_dev);
	return famfs_test_node(test, node, S_IFCHR | 0600,
			       dax_inode(dax_dev)->i_rdev, NULL);
}

static const struct dax_holder_operations famfs_rival_ops = {};

static void famfs_test_rival_put(void *dax_dev)
{
	fs_put_dax(dax_dev, (void *)&famfs_rival_ops);
}

/* One refusal: a state to make, a request that it refuses, its errno */
struct famfs_refusal {
	const char *desc;
	/* makes the state, changes @arg, may pick the file in *@file */
	void (*prepare)(struct kunit *test, struct famfs_devs_fixture *fx,
			struct famfs_ioc_add_daxdev *arg, struct file **file);
	int err;
	/* devices the mount has when it refuses */
	u32 nr_devs;
	/* the caller lacks CAP_SYS_RAWIO */
	bool no_rawio;
};

static void refuse_regular_file(struct kunit *test,
				struct famfs_devs_fixture *fx,
				struct famfs_ioc_add_daxdev *arg,
				struct file **file)
{
	static const struct famfs_ioc_simple_extent se = {
		.offset = 4 * M2, .len = M2,
	};

	*file = famfs_test_open(test, fx->mnt, "regular", O_RDWR);
	KUNIT_ASSERT_EQ(test, 0, famfs_test_map_simple(test, *file, FAMFS_REG,
						       M2, &se, 1));
}

static void refuse_unmapped_file(struct kunit *test,
				 struct famfs_devs_fixture *fx,
				 struct famfs_ioc_add_daxdev *arg,
				 struct file **file)
{
	*file = famfs_test_open(test, fx->mnt, "unmapped", O_RDWR);
}

static void refuse_pad(struct kunit *test, struct famfs_devs_fixture *fx,
		       struct famfs_ioc_add_daxdev *arg, struct file **file)
{
	arg->pad = 1;
}

static void refuse_size_0(struct kunit *test, struct famfs_devs_fixture *fx,
			  struct famfs_ioc_add_daxdev *arg, struct file **file)
{
	arg->size = 0;
}

static void refuse_empty_name(struct kunit *test, struct famfs_devs_fixture *fx,
			      struct famfs_ioc_add_daxdev *arg,
			      struct file **file)
{
	memset(arg->name, 0, sizeof(arg->name));
}

static void refuse_unterminated(struct kunit *test,
				struct famfs_devs_fixture *fx,
				struct famfs_ioc_add_daxdev *arg,
				struct file **file)
{
	memset(arg->name, '/', sizeof(arg->name));
}

static void refuse_gap(struct kunit *test, struct famfs_devs_fixture *fx,
		       struct famfs_ioc_add_daxdev *arg, struct file **file)
{
	arg->index = 2;
}

static void refuse_no_path(struct kunit *test, struct famfs_devs_fixture *fx,
			   struct famfs_ioc_add_daxdev *arg, struct file **file)
{
	strscpy(arg->name, "/famfs-kunit-no-such-dev");
}

static void refuse_directory(struct kunit *test, struct famfs_devs_fixture *fx,
			     struct famfs_ioc_add_daxdev *arg,
			     struct file **file)
{
	strscpy(arg->name, "/");
}

static void refuse_not_dax(struct kunit *test, struct famfs_devs_fixture *fx,
			   struct famfs_ioc_add_daxdev *arg, struct file **file)
{
	strscpy(arg->name, famfs_test_node(test, "/famfs-kunit-devnull",
					   S_IFCHR | 0600, MKDEV(1, 3), NULL));
}

static void refuse_not_chosen(struct kunit *test, struct famfs_devs_fixture *fx,
			      struct famfs_ioc_add_daxdev *arg,
			      struct file **file)
{
	strscpy(arg->name, famfs_test_odd_dax(test, NULL,
					      "/famfs-kunit-nofsdax"));
}

static void refuse_no_memory(struct kunit *test, struct famfs_devs_fixture *fx,
			     struct famfs_ioc_add_daxdev *arg,
			     struct file **file)
{
	/* the mock's operations, with no memory behind them */
	strscpy(arg->name, famfs_test_odd_dax(test, &famfs_mock_dax_ops,
					      "/famfs-kunit-nomem"));
}

static void refuse_held(struct kunit *test, struct famfs_devs_fixture *fx,
			struct famfs_ioc_add_daxdev *arg, struct file **file)
{
	struct dax_device *dax_dev = fx->mock[1]->dax_dev;

	KUNIT_ASSERT_EQ(test, 0, fs_dax_get(dax_dev, (void *)&famfs_rival_ops,
					    &famfs_rival_ops));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   famfs_test_rival_put,
							   dax_dev));
}

static void refuse_too_large(struct kunit *test, struct famfs_devs_fixture *fx,
			     struct famfs_ioc_add_daxdev *arg,
			     struct file **file)
{
	arg->size = MOCK_DAX_SIZE + PAGE_SIZE;
}

static void refuse_known_too_large(struct kunit *test,
				   struct famfs_devs_fixture *fx,
				   struct famfs_ioc_add_daxdev *arg,
				   struct file **file)
{
	KUNIT_ASSERT_EQ(test, 0, famfs_test_add_dev(test, fx, 1, 1));
	arg->size = MOCK_DAX_SIZE + PAGE_SIZE;
}

static void refuse_other_index(struct kunit *test,
			       struct famfs_devs_fixture *fx,
			       struct famfs_ioc_add_daxdev *arg,
			       struct file **file)
{
	KUNIT_ASSERT_EQ(test, 0, famfs_test_add_dev(test, fx, 1, 1));
	arg->index = 2;
}

static void refuse_dev0_elsewhere(struct kunit *test,
				  struct famfs_devs_fixture *fx,
				  struct famfs_ioc_add_daxdev *arg,
				  struct file **file)
{
	strscpy(arg->name, fx->node[0]);
}

static void refuse_other_device(struct kunit *test,
				struct famfs_devs_fixture *fx,
				struct famfs_ioc_add_daxdev *arg,
				struct file **file)
{
	KUNIT_ASSERT_EQ(test, 0, famfs_test_add_dev(test, fx, 2, 1));
}

static void refuse_nothing(struct kunit *test, struct famfs_devs_fixture *fx,
			   struct famfs_ioc_add_daxdev *arg, struct file **file)
{
}

/* famfs cannot be given 64 mock devices here: fill the table instead */
static void famfs_test_untable(void *fsi_ptr)
{
	struct famfs_fs_info *fsi = fsi_ptr;

	fsi->nr_devs = 2;
}

static void refuse_full(struct kunit *test, struct famfs_devs_fixture *fx,
			struct famfs_ioc_add_daxdev *arg, struct file **file)
{
	struct famfs_fs_info *fsi = famfs_fx_fsi(fx);
	u32 i;

	KUNIT_ASSERT_EQ(test, 0, famfs_test_add_dev(test, fx, 1, 1));
	for (i = 2; i < FAMFS_MAX_DAXDEVS; i++)
		fsi->devs[i] = fsi->devs[1];
	fsi->nr_devs = FAMFS_MAX_DAXDEVS;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   famfs_test_untable,
							   fsi));
	strscpy(arg->name, fx->node[2]);
	arg->index = FAMFS_MAX_DAXDEVS;
}

static void refuse_dev0_gone(struct kunit *test, struct famfs_devs_fixture *fx,
			     struct famfs_ioc_add_daxdev *arg,
			     struct file **file)
{
	kill_dax(fx->mock[0]->dax_dev);
}

static const struct famfs_refusal famfs_refusals[] = {
	{ "the file is a regular file", refuse_regular_file, -EINVAL, 1 },
	{ "the file has no map", refuse_unmapped_file, -EINVAL, 1 },
	{ "padding", refuse_pad, -EINVAL, 1 },
	{ "size 0", refuse_size_0, -EINVAL, 1 },
	{ "empty path", refuse_empty_name, -EINVAL, 1 },
	{ "path without its NUL", refuse_unterminated, -EINVAL, 1 },
	{ "a gap in the indices", refuse_gap, -EINVAL, 1 },
	{ "no such path", refuse_no_path, -ENOENT, 1 },
	{ "not a character device", refuse_directory, -EINVAL, 1 },
	{ "a character device, not dax", refuse_not_dax, -ENODEV, 1 },
	{ "not chosen for file systems", refuse_not_chosen, -EOPNOTSUPP, 1 },
	{ "a device without memory", refuse_no_memory, -ENODEV, 1 },
	{ "held by another holder", refuse_held, -EBUSY, 1 },
	{ "larger than the device", refuse_too_large, -ERANGE, 1 },
	{ "known device, larger", refuse_known_too_large, -ERANGE, 2 },
	{ "known device at another index", refuse_other_index, -EEXIST, 2 },
	{ "device 0 at index 1", refuse_dev0_elsewhere, -EEXIST, 1 },
	{ "another device at a known index", refuse_other_device, -EEXIST, 2 },
	{ "no CAP_SYS_RAWIO", refuse_nothing, -EPERM, 1, true },
	{ "the table is full", refuse_full, -ENOSPC, FAMFS_MAX_DAXDEVS },
	{ "device 0 is going away", refuse_dev0_gone, -EIO, 1 },
};

KUNIT_ARRAY_PARAM_DESC(famfs_refusal, famfs_refusals, desc);

/*
 * Each refusal leaves the table as it was and the device unclaimed (but
 * by a rival that holds it), and umount releases what was added.
 */
static void famfs_daxdev_refused_test(struct kunit *test)
{
	const struct famfs_refusal *r = test->param_value;
	struct famfs_devs_fixture fx = {};
	struct famfs_ioc_add_daxdev arg;
	const struct cred *old = NULL;
	struct cred *cred;
	struct file *file;
	u32 i;

	famfs_devs_setup(test, &fx);
	file = fx.sb_file;
	arg = famfs_add_arg(fx.node[1], 1);
	r->prepare(test, &fx, &arg, &file);

	if (r->no_rawio) {
		cred = prepare_creds();
		KUNIT_ASSERT_NOT_NULL(test, cred);
		cap_lower(cred->cap_effective, CAP_SYS_RAWIO);
		old = override_creds(cred);
	}
	KUNIT_EXPECT_EQ(test, famfs_test_add(test, file, &arg), r->err);
	if (old) {
		revert_creds(old);
		put_cred(cred);
	}
	KUNIT_EXPECT_EQ(test, famfs_fx_fsi(&fx)->nr_devs, r->nr_devs);
	if (r->prepare != refuse_held && r->nr_devs == 1)
		KUNIT_EXPECT_NULL(test, dax_holder(fx.mock[1]->dax_dev));
	for (i = 2; i < ARRAY_SIZE(fx.mock); i++)
		if (r->prepare != refuse_other_device || i != 2)
			KUNIT_EXPECT_NULL(test, dax_holder(fx.mock[i]->dax_dev));
	/* nothing half-added either */
	for (i = r->nr_devs; i < FAMFS_MAX_DAXDEVS; i++)
		KUNIT_EXPECT_NULL(test, famfs_fx_fsi(&fx)->devs[i]);
}

static void famfs_daxdev_bad_pointer_test(struct kunit *test)
{
	struct famfs_devs_fixture fx = {};

	famfs_devs_setup(test, &fx);
	KUNIT_EXPECT_EQ(test, famfs_test_ioctl(fx.sb_file, FAMFSIOC_ADD_DAXDEV,
					       NULL), -EFAULT);
	KUNIT_EXPECT_EQ(test, famfs_test_ioctl(fx.sb_file,
					       FAMFSIOC_GET_MAX_DAXDEV, NULL),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, famfs_fx_fsi(&fx)->nr_devs, 1);
}

/*
 * A remount may pass back the daxdevN= options that /proc/mounts shows; it
 * cannot change a device, and a new mount takes none.
 */
static void famfs_daxdev_remount_test(struct kunit *test)
{
	struct famfs_devs_fixture fx = {};
	struct famfs_mock_dax *other = famfs_mock_dax_create(test);

	famfs_devs_setup(test, &fx);
	KUNIT_ASSERT_EQ(test, 0, famfs_test_add_dev(test, &fx, 1, 1));

	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(fx.mnt, "daxdev1",
						     fx.node[1]), 0);
	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(fx.mnt, "daxdev1",
						     fx.node[2]), -EINVAL);
	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(fx.mnt, "daxdev2",
						     fx.node[2]), -EINVAL);
	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(fx.mnt, "daxdev01",
						     fx.node[1]), -EINVAL);
	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(fx.mnt, "daxdev0",
						     fx.node[0]), -EINVAL);
	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(fx.mnt, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(fx.mnt, "mode", "0700"),
			0);
	KUNIT_EXPECT_EQ(test, famfs_fx_fsi(&fx)->nr_devs, 2);
	KUNIT_EXPECT_PTR_EQ(test, dax_holder(fx.mock[1]->dax_dev),
			    (void *)famfs_fx_fsi(&fx)->devs[1]);
	KUNIT_EXPECT_STREQ(test, famfs_test_options(test, fx.mnt),
			   ",mode=700,daxdev1=/famfs-kunit-dev1");

	/* a new mount: refused, and nothing of it stays claimed */
	famfs_test_source(test, famfs_mock_dax_devt(other));
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/mockdax",
						   "daxdev1=/famfs-kunit-dev2"),
			    ERR_PTR(-EINVAL));
	KUNIT_EXPECT_NULL(test, dax_holder(other->dax_dev));
	KUNIT_EXPECT_NULL(test, dax_holder(fx.mock[2]->dax_dev));
}

/*
 * A file striped over devices 0, 1 and 2, and one of simple extents on 1
 * and 2: bytes written land on each device at the offset the map says,
 * read back, and the maps come back from MAP_GET_V2 with their devices.
 */
static void famfs_daxdev_rw_test(struct kunit *test)
{
	static const struct famfs_ioc_simple_extent strips[3] = {
		{ .devindex = 0, .offset = 4 * M2, .len = 2 * M2 },
		{ .devindex = 1, .offset = 4 * M2, .len = 2 * M2 },
		{ .devindex = 2, .offset = 6 * M2, .len = 2 * M2 },
	};
	static const struct famfs_ioc_simple_extent se[2] = {
		{ .devindex = 2, .offset = 10 * M2, .len = M2 },
		{ .devindex = 1, .offset = 10 * M2, .len = M2 },
	};
	const size_t size = 6 * M2;
	struct famfs_devs_fixture fx = {};
	struct famfs_ioc_get_fmap *gmap;
	struct famfs_ioc_map imap;
	struct file *f, *g;
	void __user *u;
	u8 *data, *back;
	loff_t pos;
	u32 chunk;

	famfs_devs_setup(test, &fx);
	KUNIT_ASSERT_EQ(test, 0, famfs_test_add_dev(test, &fx, 1, 1));
	KUNIT_ASSERT_EQ(test, 0, famfs_test_add_dev(test, &fx, 2, 2));

	f = famfs_test_open(test, fx.mnt, "striped", O_RDWR);
	KUNIT_ASSERT_EQ(test, 0,
			famfs_test_map_interleaved(test, f, size, M2, strips,
						   3));
	data = famfs_test_buf(test, size);
	back = famfs_test_buf(test, size);
	for (chunk = 0; chunk < size; chunk++)
		data[chunk] = (u8)(chunk * 13 + chunk / 4091);
	pos = 0;
	KUNIT_ASSERT_EQ(test, kernel_write(f, data, size, &pos), size);
	for (chunk = 0; chunk < 6; chunk++) {
		const struct famfs_ioc_simple_extent *st = &strips[chunk % 3];
		u8 *mem = fx.mock[st->devindex]->mem + st->offset +
			  (chunk / 3) * M2;

		KUNIT_EXPECT_EQ_MSG(test, memcmp(mem, data + chunk * M2, M2), 0,
				    "chunk %u on device %llu", chunk,
				    st->devindex);
	}
	pos = 0;
	KUNIT_EXPECT_EQ(test, kernel_read(f, back, size, &pos), size);
	KUNIT_EXPECT_EQ(test, memcmp(back, data, size), 0);

	g = famfs_test_open(test, fx.mnt, "simple", O_RDWR);
	KUNIT_ASSERT_EQ(test, 0, famfs_test_map_simple(test, g, FAMFS_REG,
						       2 * M2, se, 2));
	pos = 0;
	KUNIT_ASSERT_EQ(test, kernel_write(g, data, 2 * M2, &pos), 2 * M2);
	KUNIT_EXPECT_EQ(test, memcmp(fx.mock[2]->mem + 10 * M2, data, M2), 0);
	KUNIT_EXPECT_EQ(test, memcmp(fx.mock[1]->mem + 10 * M2, data + M2, M2),
			0);

	/* ABI 43 says where; ABI 42 cannot, and says no extent */
	u = famfs_test_user(test, NULL, sizeof(*gmap));
	KUNIT_ASSERT_EQ(test, famfs_test_ioctl(g, FAMFSIOC_MAP_GET_V2, u), 0);
	gmap = kunit_kzalloc(test, sizeof(*gmap), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, gmap);
	KUNIT_ASSERT_EQ(test, 0, copy_from_user(gmap, u, sizeof(*gmap)));
	KUNIT_EXPECT_EQ(test, gmap->ikse[0].devindex, 2);
	KUNIT_EXPECT_EQ(test, gmap->ikse[1].devindex, 1);
	KUNIT_EXPECT_EQ(test, gmap->ikse[1].offset, 10 * M2);
	KUNIT_ASSERT_EQ(test, famfs_test_ioctl(f, FAMFSIOC_MAP_GET_V2, u), 0);
	KUNIT_ASSERT_EQ(test, 0, copy_from_user(gmap, u, sizeof(*gmap)));
	KUNIT_EXPECT_EQ(test, gmap->ks.kie_strips[1].devindex, 1);
	KUNIT_EXPECT_EQ(test, gmap->ks.kie_strips[2].devindex, 2);
	u = famfs_test_user(test, NULL, sizeof(imap));
	KUNIT_ASSERT_EQ(test, famfs_test_ioctl(g, FAMFSIOC_MAP_GET, u), 0);
	KUNIT_ASSERT_EQ(test, 0, copy_from_user(&imap, u, sizeof(imap)));
	KUNIT_EXPECT_EQ(test, imap.ext_list_count, 0);
	KUNIT_EXPECT_EQ(test, imap.file_size, 2 * M2);
	KUNIT_EXPECT_EQ(test, famfs_test_ioctl(g, FAMFSIOC_MAP_GETEXT, u),
			-EINVAL);
}

/* Maps are checked against the device they name */
static void famfs_daxdev_map_refused_test(struct kunit *test)
{
	struct famfs_ioc_simple_extent se = {
		.devindex = 2, .offset = 4 * M2, .len = M2,
	};
	struct famfs_devs_fixture fx = {};
	struct file *f;

	famfs_devs_setup(test, &fx);
	KUNIT_ASSERT_EQ(test, 0, famfs_test_add_dev(test, &fx, 1, 1));
	f = famfs_test_open(test, fx.mnt, "f", O_RDWR);

	/* device 2 is not registered yet */
	KUNIT_EXPECT_EQ(test, famfs_test_map_simple(test, f, FAMFS_REG, M2,
						    &se, 1), -EINVAL);
	se.devindex = 1;
	se.offset = MOCK_DAX_SIZE - M2;
	se.len = 2 * M2;
	KUNIT_EXPECT_EQ(test, famfs_test_map_simple(test, f, FAMFS_REG, M2,
						    &se, 1), -ERANGE);
	se.len = M2;
	KUNIT_EXPECT_EQ(test, famfs_test_map_simple(test, f, FAMFS_REG, M2,
						    &se, 1), 0);
}

/* Read 64 bytes at @pos: the byte count, or the error */
static ssize_t famfs_test_peek(struct file *file, loff_t pos)
{
	u8 buf[64];

	return kernel_read(file, buf, sizeof(buf), &pos);
}

/*
 * The fixture with devices 1 and 2 added, and a file "f" of three chunks,
 * one on each device at the same offset
 */
static struct file *famfs_devs_three(struct kunit *test,
				     struct famfs_devs_fixture *fx)
{
	static const struct famfs_ioc_simple_extent strips[3] = {
		{ .devindex = 0, .offset = 4 * M2, .len = M2 },
		{ .devindex = 1, .offset = 4 * M2, .len = M2 },
		{ .devindex = 2, .offset = 4 * M2, .len = M2 },
	};
	struct file *f;

	famfs_devs_setup(test, fx);
	KUNIT_ASSERT_EQ(test, 0, famfs_test_add_dev(test, fx, 1, 1));
	KUNIT_ASSERT_EQ(test, 0, famfs_test_add_dev(test, fx, 2, 2));
	f = famfs_test_open(test, fx->mnt, "f", O_RDWR);
	KUNIT_ASSERT_EQ(test, 0,
			famfs_test_map_interleaved(test, f, 3 * M2, M2, strips,
						   3));
	return f;
}

/*
 * The same device offset on three devices, in three chunks of one file: a
 * memory failure of device 1 fails only its chunk, and only maps of device
 * 1's memory are refused after it.
 */
static void famfs_daxdev_memory_failure_test(struct kunit *test)
{
	struct famfs_ioc_simple_extent se = {
		.devindex = 1, .offset = 4 * M2, .len = M2,
	};
	struct famfs_devs_fixture fx = {};
	struct famfs_fs_info *fsi;
	struct file *f, *g;

	f = famfs_devs_three(test, &fx);
	fsi = famfs_fx_fsi(&fx);

	dax_holder_notify_failure(fx.mock[1]->dax_dev, 4 * M2 + PAGE_SIZE,
				  PAGE_SIZE, 0);
	KUNIT_EXPECT_FALSE(test, xa_empty(&fsi->devs[1]->bad_pages));
	KUNIT_EXPECT_TRUE(test, xa_empty(&fsi->devs[0]->bad_pages));
	KUNIT_EXPECT_TRUE(test, xa_empty(&fsi->devs[2]->bad_pages));
	KUNIT_EXPECT_EQ(test, famfs_test_peek(f, PAGE_SIZE), 64);
	KUNIT_EXPECT_EQ(test, famfs_test_peek(f, M2 + PAGE_SIZE), -EIO);
	KUNIT_EXPECT_EQ(test, famfs_test_peek(f, M2), 64);
	KUNIT_EXPECT_EQ(test, famfs_test_peek(f, 2 * M2 + PAGE_SIZE), 64);

	g = famfs_test_open(test, fx.mnt, "g", O_RDWR);
	KUNIT_EXPECT_EQ(test, famfs_test_map_simple(test, g, FAMFS_REG, M2,
						    &se, 1), -EIO);
	se.devindex = 2;
	KUNIT_EXPECT_EQ(test, famfs_test_map_simple(test, g, FAMFS_REG, M2,
						    &se, 1), 0);
}

/*
 * Device 1 goes away: what is on it fails, what is on the others works,
 * and the mount goes on (new files, new devices). Then device 0 goes, and
 * the whole file system with it. Umount gives every device back.
 */
static void famfs_daxdev_gone_test(struct kunit *test)
{
	struct famfs_ioc_simple_extent se = {
		.devindex = 1, .offset = 6 * M2, .len = M2,
	};
	struct famfs_devs_fixture fx = {};
	struct famfs_fs_info *fsi;
	struct file *f, *g;
	u32 i;

	f = famfs_devs_three(test, &fx);
	fsi = famfs_fx_fsi(&fx);

	kill_dax(fx.mock[1]->dax_dev);
	KUNIT_EXPECT_TRUE(test, test_bit(FAMFS_DAXDEV_GONE,
					 &fsi->devs[1]->flags));
	KUNIT_EXPECT_FALSE(test, test_bit(FAMFS_DEV_GONE, &fsi->flags));
	KUNIT_EXPECT_EQ(test, famfs_test_peek(f, 0), 64);
	KUNIT_EXPECT_EQ(test, famfs_test_peek(f, M2), -EIO);
	KUNIT_EXPECT_EQ(test, famfs_test_peek(f, 2 * M2), 64);
	g = famfs_test_open(test, fx.mnt, "g", O_RDWR);
	KUNIT_EXPECT_EQ(test, famfs_test_map_simple(test, g, FAMFS_REG, M2,
						    &se, 1), -EIO);
	se.devindex = 2;
	KUNIT_EXPECT_EQ(test, famfs_test_map_simple(test, g, FAMFS_REG, M2,
						    &se, 1), 0);
	KUNIT_EXPECT_EQ(test, famfs_test_add_dev(test, &fx, 3, 3), 0);

	kill_dax(fx.mock[0]->dax_dev);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_TRUE(test, test_bit(FAMFS_DAXDEV_GONE,
						 &fsi->devs[i]->flags));
	KUNIT_EXPECT_EQ(test, famfs_test_peek(f, 2 * M2), -EIO);
	KUNIT_EXPECT_EQ(test, famfs_test_peek(g, 0), -EIO);
	KUNIT_EXPECT_EQ(test, famfs_test_mknod(fx.mnt->mnt_root, "new",
					       S_IFREG | 0644), -EIO);

	famfs_test_close(test, f);
	famfs_test_close(test, g);
	famfs_test_close(test, fx.sb_file);
	famfs_test_umount(test, fx.mnt);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_NULL(test, dax_holder(fx.mock[i]->dax_dev));
		KUNIT_EXPECT_EQ(test, famfs_mock_dax_refs(fx.mock[i]),
				MOCK_REFS_IDLE);
	}
}

static struct kunit_case famfs_daxdev_test_cases[] = {
	KUNIT_CASE(famfs_daxdev_add_test),
	KUNIT_CASE_PARAM(famfs_daxdev_refused_test, famfs_refusal_gen_params),
	KUNIT_CASE(famfs_daxdev_bad_pointer_test),
	KUNIT_CASE(famfs_daxdev_remount_test),
	KUNIT_CASE(famfs_daxdev_rw_test),
	KUNIT_CASE(famfs_daxdev_map_refused_test),
	KUNIT_CASE(famfs_daxdev_memory_failure_test),
	KUNIT_CASE(famfs_daxdev_gone_test),
	{}
};

static struct kunit_suite famfs_daxdev_test_suite = {
	.name = "famfs_daxdev",
	.test_cases = famfs_daxdev_test_cases,
};

kunit_test_suite(famfs_daxdev_test_suite);
