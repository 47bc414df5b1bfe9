// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of famfs' mount options and mount lifecycle.
 */

#include "famfs_test.h"

/* Mount options */

struct famfs_param_case {
	const char *desc;
	const char *key;
	const char *value;
	int err;
	umode_t mode;
};

static const struct famfs_param_case famfs_param_cases[] = {
	{ "no options", NULL, NULL, 0, 0755 },
	{ "mode 0700", "mode", "0700", 0, 0700 },
	{ "mode without leading 0", "mode", "711", 0, 0711 },
	{ "mode with sticky bit", "mode", "1777", 0, 01777 },
	{ "mode with all special bits", "mode", "7777", 0, 07777 },
	{ "mode 0", "mode", "0", 0, 0 },
	{ "mode with type bits is masked", "mode", "40755", 0, 0755 },
	{ "mode not octal", "mode", "0789", -EINVAL, 0755 },
	{ "mode not a number", "mode", "rwx", -EINVAL, 0755 },
	{ "mode negative", "mode", "-1", -EINVAL, 0755 },
	{ "mode overflowing u32", "mode", "77777777777", -EINVAL, 0755 },
	{ "mode empty", "mode", "", -EINVAL, 0755 },
	{ "mode without value", "mode", NULL, -EINVAL, 0755 },
	{ "dax=always", "dax", "always", 0, 0755 },
	{ "dax=never", "dax", "never", -EINVAL, 0755 },
	{ "dax=inode", "dax", "inode", -EINVAL, 0755 },
	{ "dax=ALWAYS", "dax", "ALWAYS", -EINVAL, 0755 },
	{ "dax empty", "dax", "", -EINVAL, 0755 },
	{ "dax without value", "dax", NULL, -EINVAL, 0755 },
	{ "unknown key", "size", "1G", -EINVAL, 0755 },
	{ "unknown flag", "huge", NULL, -EINVAL, 0755 },
	{ "source is left to the VFS", "source", "/dev/dax0.0", 0, 0755 },
};

static void famfs_param_case_desc(const struct famfs_param_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(famfs_param, famfs_param_cases, famfs_param_case_desc);

static void famfs_put_fc(void *fc)
{
	put_fs_context(fc);
}

static void famfs_param_test(struct kunit *test)
{
	const struct famfs_param_case *c = test->param_value;
	struct famfs_fs_info *fsi;
	struct fs_context *fc;
	int err = 0;

	fc = fs_context_for_mount(&famfs_fs_type, SB_KERNMOUNT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fc);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, famfs_put_fc, fc));

	if (c->key)
		err = vfs_parse_fs_string(fc, c->key, c->value,
					  c->value ? strlen(c->value) : 0);
	KUNIT_EXPECT_EQ(test, err, c->err);

	fsi = fc->s_fs_info;
	KUNIT_ASSERT_NOT_NULL(test, fsi);
	KUNIT_EXPECT_EQ(test, fsi->root_mode, c->mode);
	KUNIT_ASSERT_NOT_NULL(test, fsi->devs[0]);
	KUNIT_EXPECT_NULL(test, fsi->devs[0]->dax_dev);
	KUNIT_EXPECT_EQ(test, fsi->nr_devs, 1);
	if (c->key && !strcmp(c->key, "source"))
		KUNIT_EXPECT_STREQ(test, fc->source, c->value);
}

/* A parameter seen twice: the last one wins, an error stops parsing */
static void famfs_param_repeat_test(struct kunit *test)
{
	struct fs_context *fc;

	fc = fs_context_for_mount(&famfs_fs_type, SB_KERNMOUNT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, fc);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, famfs_put_fc, fc));

	KUNIT_EXPECT_EQ(test, 0, vfs_parse_fs_string(fc, "mode", "0700", 4));
	KUNIT_EXPECT_EQ(test, 0, vfs_parse_fs_string(fc, "mode", "0750", 4));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			vfs_parse_fs_string(fc, "mode", "0999", 4));
	KUNIT_EXPECT_EQ(test, ((struct famfs_fs_info *)fc->s_fs_info)->root_mode,
			0750);
}

static struct kunit_case famfs_param_test_cases[] = {
	KUNIT_CASE_PARAM(famfs_param_test, famfs_param_gen_params),
	KUNIT_CASE(famfs_param_repeat_test),
	{}
};

static struct kunit_suite famfs_param_test_suite = {
	.name = "famfs_param",
	.test_cases = famfs_param_test_cases,
};

static void famfs_mount_basic_test(struct kunit *test)
{
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);
	struct super_block *sb = mnt->mnt_sb;

	KUNIT_EXPECT_EQ(test, sb->s_magic, FAMFS_SUPER_MAGIC);
	KUNIT_EXPECT_EQ(test, sb->s_blocksize, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, sb->s_blocksize_bits, PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, sb->s_maxbytes, MAX_LFS_FILESIZE);
	KUNIT_EXPECT_EQ(test, sb->s_time_gran, 1);
	KUNIT_EXPECT_EQ(test, d_inode(sb->s_root)->i_mode, S_IFDIR | 0755);
	KUNIT_EXPECT_PTR_EQ(test, dax_holder(mock->dax_dev),
			    (void *)FAMFS_SB(sb)->devs[0]);
	KUNIT_EXPECT_PTR_EQ(test, FAMFS_SB(sb)->devs[0]->dax_dev, mock->dax_dev);
	KUNIT_EXPECT_PTR_EQ(test, FAMFS_SB(sb)->devs[0]->sb, sb);
	KUNIT_EXPECT_EQ(test, famfs_mock_dax_refs(mock), MOCK_REFS_MOUNTED);

	famfs_test_umount(test, mnt);
	KUNIT_EXPECT_NULL(test, dax_holder(mock->dax_dev));
	KUNIT_EXPECT_EQ(test, famfs_mock_dax_refs(mock), MOCK_REFS_IDLE);
}

static void famfs_mount_mode_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = famfs_mock_dax_create(test);
	struct vfsmount *mnt;

	famfs_test_source(test, famfs_mock_dax_devt(mock));
	mnt = famfs_test_mount(test, "/dev/mockdax", "mode=0710,dax=always");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mnt);
	KUNIT_EXPECT_EQ(test, d_inode(mnt->mnt_root)->i_mode, S_IFDIR | 0710);
}

/* A second mount fails in famfs_fill_super(), on a half-built super block */
static void famfs_mount_busy_test(struct kunit *test)
{
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);
	struct vfsmount *again;

	again = famfs_test_mount(test, "/dev/mockdax", NULL);
	KUNIT_EXPECT_PTR_EQ(test, again, ERR_PTR(-EBUSY));
	KUNIT_EXPECT_PTR_EQ(test, dax_holder(mock->dax_dev),
			    (void *)FAMFS_SB(mnt->mnt_sb)->devs[0]);
	KUNIT_EXPECT_EQ(test, famfs_mock_dax_refs(mock), MOCK_REFS_MOUNTED);

	/* the first mount is unharmed */
	KUNIT_EXPECT_EQ(test, 0, famfs_test_mknod(mnt->mnt_root, "d",
						  S_IFDIR | 0755));

	famfs_test_umount(test, mnt);
	KUNIT_EXPECT_EQ(test, famfs_mock_dax_refs(mock), MOCK_REFS_IDLE);
	KUNIT_EXPECT_NULL(test, dax_holder(mock->dax_dev));
}

/* A device held by someone else: famfs does not take it over */
static void famfs_mount_held_elsewhere_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = famfs_mock_dax_create(test);
	static const struct dax_holder_operations no_hops = {};
	int holder;

	KUNIT_ASSERT_EQ(test, 0, fs_dax_get(mock->dax_dev, &holder, &no_hops));
	famfs_test_source(test, famfs_mock_dax_devt(mock));
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/mockdax", NULL),
			    ERR_PTR(-EBUSY));
	KUNIT_EXPECT_PTR_EQ(test, dax_holder(mock->dax_dev), (void *)&holder);
	fs_put_dax(mock->dax_dev, &holder);
	KUNIT_EXPECT_EQ(test, famfs_mock_dax_refs(mock), MOCK_REFS_IDLE);
}

/*
 * famfs' only exclusivity is the dax holder claim, and an umount releases
 * it while a new mount may take it. A claim taken while another holder lets
 * go must come with its own operations: memory failures and the device's
 * removal are told to it.
 */
#define HANDOVER_CLAIMS 100

struct famfs_handover {
	struct dax_device *dax_dev;
	atomic_t told;
};

static int handover_notify(struct dax_device *dax_dev, u64 offset, u64 len,
			   int mf_flags)
{
	struct famfs_handover *h = dax_holder(dax_dev);

	atomic_inc(&h->told);
	return 0;
}

static const struct dax_holder_operations handover_hops = {
	.notify_failure = handover_notify,
};

/* The other holder: claims and releases as fast as it can */
static int handover_rival(void *data)
{
	struct famfs_handover *h = data;
	int rival;

	while (!kthread_should_stop()) {
		if (!fs_dax_get(h->dax_dev, &rival, &handover_hops))
			fs_put_dax(h->dax_dev, &rival);
		cond_resched();
	}
	return 0;
}

static void famfs_mount_holder_handover_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = famfs_mock_dax_create(test);
	struct famfs_handover h = { .dax_dev = mock->dax_dev };
	struct task_struct *rival;
	int claims = 0, busy = 0, told;

	rival = kthread_run(handover_rival, &h, "famfs-kunit-rival");
	KUNIT_ASSERT_FALSE(test, IS_ERR(rival));
	while (claims < HANDOVER_CLAIMS) {
		cond_resched();
		if (fs_dax_get(mock->dax_dev, &h, &handover_hops)) {
			busy++;
			continue;
		}
		claims++;
		told = atomic_read(&h.told);
		KUNIT_EXPECT_EQ(test, 0,
				dax_holder_notify_failure(mock->dax_dev, 0,
							  PAGE_SIZE, 0));
		/* and still, after the rival's release has had time to end */
		usleep_range(200, 400);
		KUNIT_EXPECT_EQ(test, 0,
				dax_holder_notify_failure(mock->dax_dev, 0,
							  PAGE_SIZE, 0));
		KUNIT_EXPECT_EQ(test, atomic_read(&h.told), told + 2);
		fs_put_dax(mock->dax_dev, &h);
	}
	kthread_stop(rival);
	kunit_info(test, "%d claims, %d refused while the rival held it",
		   claims, busy);
	KUNIT_EXPECT_NULL(test, dax_holder(mock->dax_dev));
	KUNIT_EXPECT_EQ(test, famfs_mock_dax_refs(mock), MOCK_REFS_IDLE);
}

static void famfs_mount_remount_test(struct kunit *test)
{
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);

	famfs_test_umount(test, mnt);
	mnt = famfs_test_mount(test, "/dev/mockdax", "mode=0700");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mnt);
	KUNIT_EXPECT_PTR_EQ(test, dax_holder(mock->dax_dev),
			    (void *)FAMFS_SB(mnt->mnt_sb)->devs[0]);
	/* a fresh mount is empty: famfs keeps nothing on the device */
	KUNIT_EXPECT_EQ(test, d_inode(mnt->mnt_root)->i_mode, S_IFDIR | 0700);
	KUNIT_EXPECT_EQ(test, d_inode(mnt->mnt_root)->i_nlink, 2);
}

/* A remount applies "mode=", keeps what it does not say, not the device */
static void famfs_mount_reconfigure_test(struct kunit *test)
{
	struct vfsmount *mnt = famfs_test_mount_mock(test, NULL);
	struct famfs_fs_info *fsi = FAMFS_SB(mnt->mnt_sb);
	struct inode *root = d_inode(mnt->mnt_root);

	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(mnt, "mode", "0700"), 0);
	KUNIT_EXPECT_EQ(test, root->i_mode, S_IFDIR | 0700);
	KUNIT_EXPECT_EQ(test, fsi->root_mode, 0700);

	/* famfs mount -R: no data, and nothing changes */
	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(mnt, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, root->i_mode, S_IFDIR | 0700);
	KUNIT_EXPECT_EQ(test, fsi->root_mode, 0700);
	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(mnt, "dax", "always"), 0);
	KUNIT_EXPECT_EQ(test, root->i_mode, S_IFDIR | 0700);

	/* what it cannot change, or does not know, is refused */
	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(mnt, "source",
						     "/dev/other"), -EINVAL);
	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(mnt, "size", "1"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, famfs_test_reconfigure(mnt, "mode", "bad"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, root->i_mode, S_IFDIR | 0700);
	KUNIT_EXPECT_EQ(test, fsi->root_mode, 0700);
}

struct famfs_source_case {
	const char *desc;
	dev_t devt;		/* the number the stubbed lookup finds */
	int err;
};

/*
 * What the lookup finds is real from here on. Its own refusals are not
 * stubbed: a missing path is famfs_mount_source_lookup_test's, a node on a
 * nodev mount the kselftest's (KUnit cannot make such a mount).
 */
static const struct famfs_source_case famfs_source_cases[] = {
	{ "/dev/null", MKDEV(1, 3), -ENODEV },
	{ "no device", 0, -ENODEV },
};

static void famfs_source_case_desc(const struct famfs_source_case *c,
				   char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(famfs_source, famfs_source_cases, famfs_source_case_desc);

static void famfs_mount_bad_source_test(struct kunit *test)
{
	const struct famfs_source_case *c = test->param_value;

	famfs_test_source(test, c->devt);
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/x", NULL),
			    ERR_PTR(c->err));
}

/*
 * A number in the dax range that no device was allocated for: refused, and
 * no phantom dax device is created for it (a second look finds none).
 */
static void famfs_mount_phantom_devt_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = famfs_mock_dax_create(test);
	dev_t devt = MKDEV(MAJOR(famfs_mock_dax_devt(mock)), MINORMASK);

	famfs_test_source(test, devt);
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/x", NULL),
			    ERR_PTR(-ENODEV));
	KUNIT_EXPECT_PTR_EQ(test, dax_dev_get(devt), ERR_PTR(-ENODEV));
}

static void famfs_mount_dead_device_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = famfs_mock_dax_create(test);

	kill_dax(mock->dax_dev);
	famfs_test_source(test, famfs_mock_dax_devt(mock));
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/mockdax", NULL),
			    ERR_PTR(-ENODEV));
	KUNIT_EXPECT_EQ(test, famfs_mock_dax_refs(mock), MOCK_REFS_IDLE);
}

/*
 * The device dies (kill_dax()) while a rival claims and releases it: a
 * claim that still holds when kill_dax() has returned was told that the
 * device is going away, and no claim is taken after that. kill_dax() reads
 * the holder under the lock that claims and releases take, so no claim
 * slips in between its look at the holder and the device's death.
 */
#define KILL_ROUNDS 50

struct famfs_kill_race {
	struct dax_device *dax_dev;
	atomic_t told;
	bool killed;
	int claims, untold, late;
};

static int kill_notify(struct dax_device *dax_dev, u64 offset, u64 len,
		       int mf_flags)
{
	struct famfs_kill_race *k = dax_holder(dax_dev);

	/* as for any holder: fs_put_dax() is ending the claim */
	if (!k)
		return -EOPNOTSUPP;
	if (mf_flags & MF_MEM_PRE_REMOVE)
		atomic_inc(&k->told);
	return 0;
}

static const struct dax_holder_operations kill_hops = {
	.notify_failure = kill_notify,
};

static int kill_rival(void *data)
{
	struct famfs_kill_race *k = data;
	bool dead;
	int told;

	while (!kthread_should_stop()) {
		/* pairs with the smp_store_release() after kill_dax() */
		dead = smp_load_acquire(&k->killed);
		told = atomic_read(&k->told);
		if (!fs_dax_get(k->dax_dev, k, &kill_hops)) {
			k->claims++;
			if (dead)
				k->late++;
			/* a release waits for SRCU: hold for about as long */
			usleep_range(500, 1000);
			/* pairs with the smp_store_release() after kill_dax() */
			if (smp_load_acquire(&k->killed) &&
			    atomic_read(&k->told) == told)
				k->untold++;
			fs_put_dax(k->dax_dev, k);
		}
		cond_resched();
	}
	return 0;
}

static void famfs_mount_kill_vs_claims_test(struct kunit *test)
{
	struct famfs_kill_race k;
	struct task_struct *rival;
	int round, claims = 0, told = 0;

	for (round = 0; round < KILL_ROUNDS; round++) {
		memset(&k, 0, sizeof(k));
		k.dax_dev = alloc_dax(NULL, &famfs_mock_dax_ops);
		KUNIT_ASSERT_FALSE(test, IS_ERR(k.dax_dev));
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test,
							  famfs_test_kill_put_dax,
							  k.dax_dev));
		rival = kthread_run(kill_rival, &k, "famfs-kunit-kill");
		KUNIT_ASSERT_FALSE(test, IS_ERR(rival));
		usleep_range(50 + round * 10, 100 + round * 10);
		kill_dax(k.dax_dev);
		/* what kill_dax() told the rival is seen with this */
		smp_store_release(&k.killed, true);
		usleep_range(200, 400);
		kthread_stop(rival);
		KUNIT_EXPECT_EQ_MSG(test, k.untold, 0, "round %d", round);
		KUNIT_EXPECT_EQ_MSG(test, k.late, 0, "round %d", round);
		KUNIT_EXPECT_NULL(test, dax_holder(k.dax_dev));
		claims += k.claims;
		told += atomic_read(&k.told);
	}
	kunit_info(test, "%d rounds: %d claims, %d told the device was going away",
		   KILL_ROUNDS, claims, told);
}

/*
 * The dax device of a block device (pmem, dm) shares the number space of
 * device-dax, but belongs to the file system on that block device: famfs
 * must not find it by number.
 */
static void famfs_mount_block_dax_test(struct kunit *test)
{
	struct dax_device *dax_dev;

	dax_dev = famfs_test_source_dax(test, &famfs_mock_dax_ops, false);
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/pmem0", NULL),
			    ERR_PTR(-ENODEV));
	KUNIT_EXPECT_NULL(test, dax_holder(dax_dev));
}

/*
 * A device-dax instance nobody chose for file systems (fs_dax) is alive but
 * has no dax_operations: refused with its own errno, and left unclaimed.
 */
static void famfs_mount_unchosen_device_test(struct kunit *test)
{
	struct dax_device *dax_dev = famfs_test_source_dax(test, NULL, true);

	KUNIT_EXPECT_PTR_EQ(test, dax_dev_get(dax_inode(dax_dev)->i_rdev),
			    ERR_PTR(-EOPNOTSUPP));
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/dax9.0", NULL),
			    ERR_PTR(-EOPNOTSUPP));
	KUNIT_EXPECT_NULL(test, dax_holder(dax_dev));
	KUNIT_EXPECT_EQ(test, atomic_read(&dax_inode(dax_dev)->i_count), 1);
}

static void famfs_mount_no_source_test(struct kunit *test)
{
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, NULL, NULL),
			    ERR_PTR(-EINVAL));
}

/* The real source lookup, on paths that exist before any /dev does */
static void famfs_mount_source_lookup_test(struct kunit *test)
{
	KUNIT_EXPECT_PTR_EQ(test,
			    famfs_test_mount(test, "/famfs-no-such-file", NULL),
			    ERR_PTR(-ENOENT));
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/", NULL),
			    ERR_PTR(-EINVAL));
}

/*
 * Device nodes in the root file system (rootfs, which exists before any
 * initcall runs), so that the real path lookup of famfs_source_devt() is
 * exercised: node type, links, and the device number it yields.
 */
static void famfs_mount_source_path_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = famfs_mock_dax_create(test);
	const char *dax, *link, *null, *fifo;
	struct vfsmount *mnt;

	dax = famfs_test_node(test, "/famfs-kunit-dax", S_IFCHR | 0600,
			      famfs_mock_dax_devt(mock), NULL);
	link = famfs_test_node(test, "/famfs-kunit-link", 0, 0, dax);
	null = famfs_test_node(test, "/famfs-kunit-null", S_IFCHR | 0600,
			       MKDEV(1, 3), NULL);
	fifo = famfs_test_node(test, "/famfs-kunit-fifo", S_IFIFO | 0600,
			       0, NULL);

	mnt = famfs_test_mount(test, dax, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mnt);
	KUNIT_EXPECT_PTR_EQ(test, dax_holder(mock->dax_dev),
			    (void *)FAMFS_SB(mnt->mnt_sb)->devs[0]);
	/* the same device through a symlink: followed, and busy */
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, link, NULL),
			    ERR_PTR(-EBUSY));
	famfs_test_umount(test, mnt);

	mnt = famfs_test_mount(test, link, NULL);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, mnt);
	if (!IS_ERR(mnt))
		famfs_test_umount(test, mnt);

	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, null, NULL),
			    ERR_PTR(-ENODEV));
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, fifo, NULL),
			    ERR_PTR(-EINVAL));
	KUNIT_EXPECT_EQ(test, famfs_mock_dax_refs(mock), MOCK_REFS_IDLE);
}

static void famfs_mount_bad_option_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = famfs_mock_dax_create(test);

	famfs_test_source(test, famfs_mock_dax_devt(mock));
	KUNIT_EXPECT_PTR_EQ(test,
			    famfs_test_mount(test, "/dev/mockdax", "dax=never"),
			    ERR_PTR(-EINVAL));
	KUNIT_EXPECT_PTR_EQ(test,
			    famfs_test_mount(test, "/dev/mockdax", "size=1G"),
			    ERR_PTR(-EINVAL));
	KUNIT_EXPECT_NULL(test, dax_holder(mock->dax_dev));
	KUNIT_EXPECT_EQ(test, famfs_mock_dax_refs(mock), MOCK_REFS_IDLE);
}

/* Build a small tree, change it, unmount: no dentry or inode stays busy */
static void famfs_populate(struct kunit *test, struct dentry *root)
{
	struct dentry *dir;

	KUNIT_ASSERT_EQ(test, 0, famfs_test_mknod(root, ".meta",
						  S_IFDIR | 0700));
	dir = famfs_test_lookup(root, ".meta");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dir);
	KUNIT_EXPECT_EQ(test, 0, famfs_test_mknod(dir, ".superblock",
						  S_IFREG | 0444));
	KUNIT_EXPECT_EQ(test, 0, famfs_test_mknod(dir, ".log",
						  S_IFREG | 0600));
	KUNIT_EXPECT_EQ(test, 0, famfs_test_mknod(dir, "sub",
						  S_IFDIR | 0755));
	dput(dir);

	KUNIT_EXPECT_EQ(test, 0, famfs_test_mknod(root, "a", S_IFREG | 0644));
	KUNIT_EXPECT_EQ(test, 0, famfs_test_mknod(root, "b", S_IFREG | 0644));
	KUNIT_EXPECT_EQ(test, -EEXIST,
			famfs_test_mknod(root, "b", S_IFREG | 0644));
	KUNIT_EXPECT_EQ(test, 0, famfs_test_link(root, "a", "a2"));
	KUNIT_EXPECT_EQ(test, 0, famfs_test_rename(root, "b", "c"));
	KUNIT_EXPECT_EQ(test, 0, famfs_test_mknod(root, "gone",
						  S_IFDIR | 0755));
	KUNIT_EXPECT_EQ(test, 0, famfs_test_unlink(root, "gone"));
	KUNIT_EXPECT_EQ(test, 0, famfs_test_unlink(root, "a"));
	KUNIT_EXPECT_EQ(test, -ENOTEMPTY, famfs_test_unlink(root, ".meta"));
}

static void famfs_mount_populated_umount_test(struct kunit *test)
{
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);
	struct dentry *dentry;

	famfs_populate(test, mnt->mnt_root);

	dentry = famfs_test_lookup(mnt->mnt_root, "a2");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dentry);
	KUNIT_EXPECT_EQ(test, d_inode(dentry)->i_nlink, 1);
	dput(dentry);
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_lookup(mnt->mnt_root, "b"),
			    ERR_PTR(-ENOENT));
	/* root: ".", "..", ".meta" */
	KUNIT_EXPECT_EQ(test, d_inode(mnt->mnt_root)->i_nlink, 3);

	famfs_test_umount(test, mnt);
	KUNIT_EXPECT_NULL(test, dax_holder(mock->dax_dev));
	KUNIT_EXPECT_EQ(test, famfs_mock_dax_refs(mock), MOCK_REFS_IDLE);
}

/* The device goes away while mounted: famfs is told and stops creating */
static void famfs_mount_device_killed_test(struct kunit *test)
{
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);
	struct famfs_fs_info *fsi = FAMFS_SB(mnt->mnt_sb);

	KUNIT_ASSERT_EQ(test, 0, famfs_test_mknod(mnt->mnt_root, "before",
						  S_IFREG | 0644));
	KUNIT_EXPECT_FALSE(test, test_bit(FAMFS_DEV_GONE, &fsi->flags));

	kill_dax(mock->dax_dev);
	KUNIT_EXPECT_TRUE(test, test_bit(FAMFS_DEV_GONE, &fsi->flags));
	KUNIT_EXPECT_NULL(test, dax_holder(mock->dax_dev));
	KUNIT_EXPECT_EQ(test, famfs_test_mknod(mnt->mnt_root, "after",
					       S_IFREG | 0644), -EIO);
	KUNIT_EXPECT_EQ(test, famfs_test_mknod(mnt->mnt_root, "dir",
					       S_IFDIR | 0755), -EIO);
	/* what exists can still be found and removed */
	KUNIT_EXPECT_EQ(test, 0, famfs_test_unlink(mnt->mnt_root, "before"));

	famfs_test_umount(test, mnt);
	KUNIT_EXPECT_EQ(test, famfs_mock_dax_refs(mock), MOCK_REFS_IDLE);
}

/* A memory failure on the device, reported to its holder */
static void famfs_mount_memory_failure_test(struct kunit *test)
{
	struct famfs_mock_dax *mock;
	struct vfsmount *mnt = famfs_test_mount_mock(test, &mock);
	struct famfs_fs_info *fsi = FAMFS_SB(mnt->mnt_sb);
	struct dentry *dentry;

	KUNIT_ASSERT_EQ(test, 0, famfs_test_mknod(mnt->mnt_root, "before",
						  S_IFREG | 0644));
	/* famfs deals with the report: the files' mappers are its business */
	KUNIT_EXPECT_EQ(test, dax_holder_notify_failure(mock->dax_dev,
							PAGE_SIZE, PAGE_SIZE,
							0),
			0);
	/* one bad page does not stop the namespace */
	KUNIT_EXPECT_FALSE(test, test_bit(FAMFS_DEV_GONE, &fsi->flags));
	KUNIT_EXPECT_EQ(test, famfs_test_mknod(mnt->mnt_root, "after",
					       S_IFREG | 0644), 0);
	KUNIT_EXPECT_EQ(test, famfs_test_mknod(mnt->mnt_root, "dir",
					       S_IFDIR | 0755), 0);
	/* a second report is handled too */
	KUNIT_EXPECT_EQ(test, dax_holder_notify_failure(mock->dax_dev, 0,
							PAGE_SIZE, 0),
			0);
	KUNIT_EXPECT_PTR_EQ(test, dax_holder(mock->dax_dev),
			    (void *)FAMFS_SB(mnt->mnt_sb)->devs[0]);
	dentry = famfs_test_lookup(mnt->mnt_root, "before");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dentry);
	dput(dentry);
	dentry = famfs_test_lookup(mnt->mnt_root, "after");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dentry);
	dput(dentry);
}

/* Mount, fill, unmount, many times: nothing accumulates on the device */
static void famfs_mount_cycles_test(struct kunit *test)
{
	struct famfs_mock_dax *mock = famfs_mock_dax_create(test);
	struct vfsmount *mnt;
	int i;

	famfs_test_source(test, famfs_mock_dax_devt(mock));
	for (i = 0; i < 100; i++) {
		mnt = famfs_test_mount(test, "/dev/mockdax", NULL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, mnt);
		famfs_populate(test, mnt->mnt_root);
		famfs_test_umount(test, mnt);
		KUNIT_ASSERT_EQ_MSG(test, famfs_mock_dax_refs(mock), MOCK_REFS_IDLE,
				    "cycle %d", i);
		KUNIT_ASSERT_NULL_MSG(test, dax_holder(mock->dax_dev),
				      "cycle %d", i);
	}
}

static long empty_dax_direct_access(struct dax_device *dax_dev, pgoff_t pgoff,
				    long nr_pages, enum dax_access_mode mode,
				    void **kaddr, pfn_t *pfn)
{
	return -ERANGE;
}

static int empty_dax_zero_page_range(struct dax_device *dax_dev,
				     pgoff_t pgoff, size_t nr_pages)
{
	return -ERANGE;
}

static const struct dax_operations empty_dax_ops = {
	.direct_access = empty_dax_direct_access,
	.zero_page_range = empty_dax_zero_page_range,
};

/* A device without memory: refused after the claim, which is given back */
static void famfs_mount_empty_device_test(struct kunit *test)
{
	struct dax_device *dax_dev;

	dax_dev = famfs_test_source_dax(test, &empty_dax_ops, true);
	KUNIT_EXPECT_PTR_EQ(test, famfs_test_mount(test, "/dev/dax9.0", NULL),
			    ERR_PTR(-ENODEV));
	KUNIT_EXPECT_NULL(test, dax_holder(dax_dev));
	KUNIT_EXPECT_EQ(test, atomic_read(&dax_inode(dax_dev)->i_count), 1);
}

static struct kunit_case famfs_mount_test_cases[] = {
	KUNIT_CASE(famfs_mount_basic_test),
	KUNIT_CASE(famfs_mount_mode_test),
	KUNIT_CASE(famfs_mount_busy_test),
	KUNIT_CASE(famfs_mount_held_elsewhere_test),
	KUNIT_CASE(famfs_mount_holder_handover_test),
	KUNIT_CASE(famfs_mount_kill_vs_claims_test),
	KUNIT_CASE(famfs_mount_remount_test),
	KUNIT_CASE(famfs_mount_reconfigure_test),
	KUNIT_CASE_PARAM(famfs_mount_bad_source_test, famfs_source_gen_params),
	KUNIT_CASE(famfs_mount_phantom_devt_test),
	KUNIT_CASE(famfs_mount_dead_device_test),
	KUNIT_CASE(famfs_mount_block_dax_test),
	KUNIT_CASE(famfs_mount_unchosen_device_test),
	KUNIT_CASE(famfs_mount_empty_device_test),
	KUNIT_CASE(famfs_mount_no_source_test),
	KUNIT_CASE(famfs_mount_source_lookup_test),
	KUNIT_CASE(famfs_mount_source_path_test),
	KUNIT_CASE(famfs_mount_bad_option_test),
	KUNIT_CASE(famfs_mount_populated_umount_test),
	KUNIT_CASE(famfs_mount_device_killed_test),
	KUNIT_CASE(famfs_mount_memory_failure_test),
	KUNIT_CASE_SLOW(famfs_mount_cycles_test),
	{}
};

static struct kunit_suite famfs_mount_test_suite = {
	.name = "famfs_mount",
	.test_cases = famfs_mount_test_cases,
};

kunit_test_suites(&famfs_param_test_suite, &famfs_mount_test_suite);
