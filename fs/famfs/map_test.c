// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of famfs file maps: what famfs_map_build() accepts and
 * refuses, and where famfs_map_resolve() finds each byte. No device is
 * needed: a map is checked against the sizes of devices only.
 */

#include <kunit/test.h>
#include <linux/build_bug.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "famfs_internal.h"

/* The ABI 42 and 43 layouts that famfs user space is built against */
static_assert(sizeof(struct famfs_extent) == 16);
static_assert(sizeof(struct famfs_ioc_map) == 56);
static_assert(offsetof(struct famfs_ioc_map, extent_type) == 0);
static_assert(offsetof(struct famfs_ioc_map, file_type) == 4);
static_assert(offsetof(struct famfs_ioc_map, file_size) == 8);
static_assert(offsetof(struct famfs_ioc_map, ext_list_count) == 16);
static_assert(offsetof(struct famfs_ioc_map, ext_list) == 24);
static_assert(sizeof(struct famfs_ioc_simple_extent) == 24);
static_assert(offsetof(struct famfs_ioc_simple_extent, offset) == 8);
static_assert(offsetof(struct famfs_ioc_simple_extent, len) == 16);
static_assert(sizeof(struct famfs_ioc_interleaved_ext) == 32);
static_assert(offsetof(struct famfs_ioc_interleaved_ext, ie_chunk_size) == 8);
static_assert(offsetof(struct famfs_ioc_interleaved_ext, ie_nbytes) == 16);
static_assert(offsetof(struct famfs_ioc_interleaved_ext, ie_strips) == 24);
static_assert(sizeof(struct famfs_ioc_fmap) == 32);
static_assert(offsetof(struct famfs_ioc_fmap, fioc_file_type) == 8);
static_assert(offsetof(struct famfs_ioc_fmap, fioc_ext_type) == 12);
static_assert(offsetof(struct famfs_ioc_fmap, fioc_nextents) == 16);
static_assert(offsetof(struct famfs_ioc_fmap, fioc_niext) == 16);
static_assert(offsetof(struct famfs_ioc_fmap, fioc_pad) == 20);
static_assert(offsetof(struct famfs_ioc_fmap, kse) == 24);
static_assert(offsetof(struct famfs_ioc_fmap, kie) == 24);
static_assert(sizeof(struct famfs_ioc_get_fmap) == 448);
static_assert(offsetof(struct famfs_ioc_get_fmap, ikse) == 32);
static_assert(offsetof(struct famfs_ioc_get_fmap, ks.ikie) == 32);
static_assert(offsetof(struct famfs_ioc_get_fmap, ks.kie_strips) == 64);
static_assert(FAMFSIOC_MAP_CREATE == 0x40387550);
static_assert(FAMFSIOC_MAP_GET == 0x80387551);
static_assert(FAMFSIOC_MAP_GETEXT == 0x80107552);
static_assert(FAMFSIOC_NOP == 0x00007553);
static_assert(FAMFSIOC_MAP_CREATE_V2 == 0x40207554);
static_assert(FAMFSIOC_MAP_GET_V2 == 0x81c07555);

#define DEV_SIZE	SZ_1G
#define M2		SZ_2M

/* What a map is checked against: the sizes of the mount's devices */
static struct famfs_daxdev famfs_test_dev0 = { .size = DEV_SIZE };
static struct famfs_daxdev *const famfs_test_devs[] = { &famfs_test_dev0 };

static struct famfs_map *famfs_test_build(const struct famfs_map_req *req)
{
	return famfs_map_build(req, famfs_test_devs,
			       ARRAY_SIZE(famfs_test_devs));
}

/* A mount of three devices of three sizes */
#define DEV1_SIZE	SZ_64M
#define DEV2_SIZE	SZ_32M
static struct famfs_daxdev famfs_test_dev1 = { .size = DEV1_SIZE };
static struct famfs_daxdev famfs_test_dev2 = { .size = DEV2_SIZE };
static struct famfs_daxdev *const famfs_test_devs3[] = {
	&famfs_test_dev0, &famfs_test_dev1, &famfs_test_dev2,
};

/* A strip (or simple extent) in the cases below, on device 0 or @d */
#define S(o, l)		{ .offset = (o), .len = (l) }
#define SD(d, o, l)	{ .devindex = (d), .offset = (o), .len = (l) }

struct famfs_map_case {
	const char *desc;
	u32 file_type;
	u32 ext_type;
	u64 file_size;
	u32 nr_ext;
	/* per extent: nbytes (interleave), chunk, nstrips, strips */
	struct {
		u64 nbytes;
		u64 chunk;
		u32 nstrips;
		struct famfs_ioc_simple_extent strip[4];
	} ext[3];
	int err;
};

#define SIMPLE1(type, size, o, l, e) {				\
	.file_type = (type), .ext_type = FAMFS_EXT_SIMPLE,		\
	.file_size = (size), .nr_ext = 1,				\
	.ext = { { .nstrips = 1, .strip = { S(o, l) } } },		\
	.err = (e) }

static const struct famfs_map_case famfs_map_cases[] = {
	/* valid edge cases */
	{ "superblock at offset 0", .file_type = FAMFS_SUPERBLOCK,
	  .ext_type = FAMFS_EXT_SIMPLE, .file_size = M2, .nr_ext = 1,
	  .ext = { { .nstrips = 1, .strip = { S(0, M2) } } } },
	SIMPLE1(FAMFS_LOG, 8 * M2, M2, 8 * M2, 0),
	SIMPLE1(FAMFS_REG, 1, 4 * M2, M2, 0),
	SIMPLE1(FAMFS_REG, M2, DEV_SIZE - M2, M2, 0),
	SIMPLE1(FAMFS_REG, 4096, 4 * M2, 4096, 0),
	{ "two extents, last one short", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_SIMPLE, .file_size = M2 + 8192, .nr_ext = 2,
	  .ext = { { .nstrips = 1, .strip = { S(8 * M2, M2) } },
		   { .nstrips = 1, .strip = { S(2 * M2, 8192) } } } },
	{ "interleave, 4 strips of 2 chunks", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = 8 * M2, .nr_ext = 1,
	  .ext = { { .nbytes = 8 * M2, .chunk = M2, .nstrips = 4,
		     .strip = { S(2 * M2, 2 * M2), S(8 * M2, 2 * M2),
				S(16 * M2, 2 * M2), S(32 * M2, 2 * M2) } } } },
	{ "interleave, uneven last stripe", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = 5 * M2, .nr_ext = 1,
	  .ext = { { .nbytes = 5 * M2, .chunk = M2, .nstrips = 2,
		     .strip = { S(2 * M2, 3 * M2), S(8 * M2, 2 * M2) } } } },
	{ "interleave, 4 MiB chunks", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = 3, .nr_ext = 1,
	  .ext = { { .nbytes = 2 * SZ_4M, .chunk = SZ_4M, .nstrips = 2,
		     .strip = { S(2 * M2, SZ_4M), S(8 * M2, SZ_4M) } } } },
	/* refused */
	SIMPLE1(FAMFS_REG, M2, 0, M2, -EINVAL),		/* offset 0, not sb */
	SIMPLE1(FAMFS_LOG, M2, 0, M2, -EINVAL),
	SIMPLE1(FAMFS_REG, M2, M2 + 4096, M2, -EINVAL),	/* unaligned */
	SIMPLE1(FAMFS_REG, 0, M2, M2, -EINVAL),		/* empty file */
	SIMPLE1(FAMFS_REG, M2, M2, 0, -EINVAL),		/* empty extent */
	SIMPLE1(FAMFS_REG, M2, M2, 100, -EINVAL),		/* not a page */
	SIMPLE1(3, M2, M2, M2, -EINVAL),			/* file type */
	SIMPLE1(FAMFS_REG, 2 * M2, M2, M2, -ENOSPC),		/* too short */
	SIMPLE1(FAMFS_REG, M2, DEV_SIZE, M2, -ERANGE),	/* past the end */
	SIMPLE1(FAMFS_REG, M2, DEV_SIZE - M2, 2 * M2, -ERANGE),
	SIMPLE1(FAMFS_REG, M2, U64_MAX - M2 + 1, M2, -EOVERFLOW),
	{ "devindex 1", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_SIMPLE, .file_size = M2, .nr_ext = 1,
	  .ext = { { .nstrips = 1,
		     .strip = { { .devindex = 1, .offset = M2, .len = M2 } } } },
	  .err = -EINVAL },
	{ "no extent", .file_type = FAMFS_REG, .ext_type = FAMFS_EXT_SIMPLE,
	  .file_size = M2, .nr_ext = 0, .err = -EINVAL },
	{ "three simple extents", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_SIMPLE, .file_size = M2, .nr_ext = 3,
	  .ext = { { .nstrips = 1, .strip = { S(M2, M2) } },
		   { .nstrips = 1, .strip = { S(2 * M2, M2) } },
		   { .nstrips = 1, .strip = { S(3 * M2, M2) } } },
	  .err = -E2BIG },
	{ "first extent not 2 MiB long", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_SIMPLE, .file_size = M2, .nr_ext = 2,
	  .ext = { { .nstrips = 1, .strip = { S(M2, 4096) } },
		   { .nstrips = 1, .strip = { S(2 * M2, M2) } } },
	  .err = -EINVAL },
	{ "unknown extent type", .file_type = FAMFS_REG, .ext_type = 2,
	  .file_size = M2, .nr_ext = 1,
	  .ext = { { .nstrips = 1, .strip = { S(M2, M2) } } },
	  .err = -EINVAL },
	{ "interleave, longer than its strips", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = M2, .nr_ext = 2,
	  .ext = { { .nbytes = U64_MAX - M2 + 1, .chunk = M2, .nstrips = 1,
		     .strip = { S(M2, M2) } },
		   { .nbytes = M2, .chunk = M2, .nstrips = 1,
		     .strip = { S(M2, M2) } } },
	  .err = -ENOSPC },
	{ "interleave, chunk not a power of 2", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = 6 * M2, .nr_ext = 1,
	  .ext = { { .nbytes = 6 * M2, .chunk = 3 * M2, .nstrips = 2,
		     .strip = { S(2 * M2, 3 * M2), S(8 * M2, 3 * M2) } } },
	  .err = -EINVAL },
	{ "interleave, chunk under 2 MiB", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = M2, .nr_ext = 1,
	  .ext = { { .nbytes = M2, .chunk = SZ_1M, .nstrips = 2,
		     .strip = { S(2 * M2, M2), S(8 * M2, M2) } } },
	  .err = -EINVAL },
	{ "interleave, no strip", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = M2, .nr_ext = 1,
	  .ext = { { .nbytes = M2, .chunk = M2, .nstrips = 0 } },
	  .err = -EINVAL },
	{ "interleave, 17 strips", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = M2, .nr_ext = 1,
	  .ext = { { .nbytes = M2, .chunk = M2, .nstrips = 17 } },
	  .err = -E2BIG },
	{ "interleave, strip too short", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = 5 * M2, .nr_ext = 1,
	  .ext = { { .nbytes = 5 * M2, .chunk = M2, .nstrips = 2,
		     .strip = { S(2 * M2, 2 * M2), S(8 * M2, 3 * M2) } } },
	  .err = -ENOSPC },
	{ "interleave, strip not 2 MiB long", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = M2, .nr_ext = 1,
	  .ext = { { .nbytes = M2, .chunk = M2, .nstrips = 1,
		     .strip = { S(2 * M2, M2 + 4096) } } },
	  .err = -EINVAL },
	{ "interleave, strip past the end", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = 2 * M2, .nr_ext = 1,
	  .ext = { { .nbytes = 2 * M2, .chunk = M2, .nstrips = 2,
		     .strip = { S(2 * M2, M2), S(DEV_SIZE, M2) } } },
	  .err = -ERANGE },
	{ "interleave, strip at offset 0", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = 2 * M2, .nr_ext = 1,
	  .ext = { { .nbytes = 2 * M2, .chunk = M2, .nstrips = 2,
		     .strip = { S(0, M2), S(8 * M2, M2) } } },
	  .err = -EINVAL },
	{ "interleave, no bytes", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = M2, .nr_ext = 1,
	  .ext = { { .nbytes = 0, .chunk = M2, .nstrips = 1,
		     .strip = { S(2 * M2, M2) } } },
	  .err = -EINVAL },
	{ "interleave, shorter than the file", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = 3 * M2, .nr_ext = 1,
	  .ext = { { .nbytes = 2 * M2, .chunk = M2, .nstrips = 2,
		     .strip = { S(2 * M2, M2), S(8 * M2, M2) } } },
	  .err = -ENOSPC },
	/* famfs' tools give an interleaved extent the exact file size */
	{ "interleave, ends 1 byte into a page", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = 2 * M2 + 4097,
	  .nr_ext = 1,
	  .ext = { { .nbytes = 2 * M2 + 4097, .chunk = M2, .nstrips = 3,
		     .strip = { S(2 * M2, M2), S(8 * M2, M2),
				S(16 * M2, M2) } } } },
	{ "interleave, inner extent ends inside 2 MiB", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = 2 * M2, .nr_ext = 2,
	  .ext = { { .nbytes = M2 + 4096, .chunk = M2, .nstrips = 1,
		     .strip = { S(2 * M2, 2 * M2) } },
		   { .nbytes = M2, .chunk = M2, .nstrips = 1,
		     .strip = { S(8 * M2, M2) } } },
	  .err = -EINVAL },
};

static void famfs_map_case_desc(const struct famfs_map_case *c, char *desc)
{
	if (c->desc)
		strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
	else
		snprintf(desc, KUNIT_PARAM_DESC_SIZE,
			 "type %u size %#llx at %#llx+%#llx: %d", c->file_type,
			 c->file_size, c->ext[0].strip[0].offset,
			 c->ext[0].strip[0].len, c->err);
}

KUNIT_ARRAY_PARAM(famfs_map, famfs_map_cases, famfs_map_case_desc);

/* Maps over the three devices of famfs_test_devs3 */
static const struct famfs_map_case famfs_map_dev_cases[] = {
	{ "simple extent on device 1", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_SIMPLE, .file_size = M2, .nr_ext = 1,
	  .ext = { { .nstrips = 1, .strip = { SD(1, M2, M2) } } } },
	{ "simple extent ending device 2", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_SIMPLE, .file_size = M2, .nr_ext = 1,
	  .ext = { { .nstrips = 1, .strip = { SD(2, DEV2_SIZE - M2, M2) } } } },
	{ "past the end of device 2, inside device 0", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_SIMPLE, .file_size = M2, .nr_ext = 1,
	  .ext = { { .nstrips = 1, .strip = { SD(2, DEV2_SIZE, M2) } } },
	  .err = -ERANGE },
	{ "device 3, which the mount does not have", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_SIMPLE, .file_size = M2, .nr_ext = 1,
	  .ext = { { .nstrips = 1, .strip = { SD(3, M2, M2) } } },
	  .err = -EINVAL },
	{ "device 1 + 2^32: no truncation to 1", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_SIMPLE, .file_size = M2, .nr_ext = 1,
	  .ext = { { .nstrips = 1, .strip = { SD(1ULL << 32 | 1, M2, M2) } } },
	  .err = -EINVAL },
	{ "superblock at 0 of device 2", .file_type = FAMFS_SUPERBLOCK,
	  .ext_type = FAMFS_EXT_SIMPLE, .file_size = M2, .nr_ext = 1,
	  .ext = { { .nstrips = 1, .strip = { SD(2, 0, M2) } } } },
	{ "regular file at 0 of device 1", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_SIMPLE, .file_size = M2, .nr_ext = 1,
	  .ext = { { .nstrips = 1, .strip = { SD(1, 0, M2) } } },
	  .err = -EINVAL },
	{ "two simple extents on devices 1 and 2", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_SIMPLE, .file_size = 2 * M2, .nr_ext = 2,
	  .ext = { { .nstrips = 1, .strip = { SD(1, M2, M2) } },
		   { .nstrips = 1, .strip = { SD(2, M2, M2) } } } },
	{ "interleave over devices 0, 1, 2, 1", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = 8 * M2, .nr_ext = 1,
	  .ext = { { .nbytes = 8 * M2, .chunk = M2, .nstrips = 4,
		     .strip = { SD(0, M2, 2 * M2), SD(1, M2, 2 * M2),
				SD(2, M2, 2 * M2), SD(1, 8 * M2, 2 * M2) } } } },
	{ "interleave, a strip past the end of device 1", .file_type = FAMFS_REG,
	  .ext_type = FAMFS_EXT_INTERLEAVE, .file_size = 4 * M2, .nr_ext = 1,
	  .ext = { { .nbytes = 4 * M2, .chunk = M2, .nstrips = 2,
		     .strip = { SD(0, M2, 2 * M2),
				SD(1, DEV1_SIZE - M2, 2 * M2) } } },
	  .err = -ERANGE },
};

KUNIT_ARRAY_PARAM_DESC(famfs_map_dev, famfs_map_dev_cases, desc);

/* The request either ioctl would make of @c */
static struct famfs_map_req *famfs_test_req(struct kunit *test,
					    const struct famfs_map_case *c)
{
	struct famfs_map_req *req;
	u32 i;

	req = kunit_kzalloc(test, sizeof(*req), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, req);
	req->file_size = c->file_size;
	req->file_type = c->file_type;
	req->ext_type = c->ext_type;
	req->nr_ext = c->nr_ext;
	for (i = 0; i < ARRAY_SIZE(c->ext); i++) {
		struct famfs_map_req_ext *re = &req->ext[i];

		re->nstrips = c->ext[i].nstrips;
		re->chunk = c->ext[i].chunk;
		re->nbytes = c->ext_type == FAMFS_EXT_INTERLEAVE ?
			     c->ext[i].nbytes : c->ext[i].strip[0].len;
		memcpy(re->strip, c->ext[i].strip, sizeof(c->ext[i].strip));
	}
	return req;
}

static void famfs_kfree_map(void *map)
{
	kfree(map);
}

static void famfs_map_build_test(struct kunit *test)
{
	const struct famfs_map_case *c = test->param_value;
	struct famfs_map *map;
	u64 total = 0;
	u32 i;

	map = famfs_test_build(famfs_test_req(test, c));
	if (c->err) {
		KUNIT_EXPECT_PTR_EQ(test, map, ERR_PTR(c->err));
		if (!IS_ERR(map))
			kfree(map);
		return;
	}
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, famfs_kfree_map, map));

	KUNIT_EXPECT_EQ(test, map->file_type, c->file_type);
	KUNIT_EXPECT_EQ(test, map->ext_type, c->ext_type);
	KUNIT_EXPECT_EQ(test, map->nr_ext, c->nr_ext);
	for (i = 0; i < map->nr_ext; i++) {
		KUNIT_EXPECT_EQ(test, map->ext[i].file_off, total);
		total += map->ext[i].nbytes;
	}
	KUNIT_EXPECT_EQ(test, map->size, total);
	KUNIT_EXPECT_GE(test, map->size, c->file_size);
}

/* Each map over three devices is built, or refused with its errno */
static void famfs_map_dev_build_test(struct kunit *test)
{
	const struct famfs_map_case *c = test->param_value;
	struct famfs_map *map;
	u32 i, j, n = 0;
	bool off0 = false;

	map = famfs_map_build(famfs_test_req(test, c), famfs_test_devs3,
			      ARRAY_SIZE(famfs_test_devs3));
	if (c->err) {
		KUNIT_EXPECT_PTR_EQ(test, map, ERR_PTR(c->err));
		if (!IS_ERR(map))
			kfree(map);
		return;
	}
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, famfs_kfree_map, map));
	/* every strip keeps the device it was given */
	for (i = 0; i < c->nr_ext; i++)
		for (j = 0; j < c->ext[i].nstrips; j++, n++) {
			KUNIT_EXPECT_EQ(test, map->strip[n].dev,
					c->ext[i].strip[j].devindex);
			off0 |= map->strip[n].dev != 0;
		}
	KUNIT_EXPECT_EQ(test, map->nr_strips, n);
	/* a map off device 0 is refused by a mount of device 0 alone */
	if (off0) {
		struct famfs_map *one = famfs_test_build(famfs_test_req(test, c));

		KUNIT_EXPECT_PTR_EQ(test, one, ERR_PTR(-EINVAL));
		if (!IS_ERR(one))
			kfree(one);
	}
}

static struct famfs_map *famfs_test_map3(struct kunit *test,
					 const struct famfs_map_case *c)
{
	struct famfs_map *map = famfs_map_build(famfs_test_req(test, c),
						famfs_test_devs3,
						ARRAY_SIZE(famfs_test_devs3));

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, famfs_kfree_map, map));
	return map;
}

static struct famfs_map *famfs_test_map(struct kunit *test,
					const struct famfs_map_case *c)
{
	struct famfs_map *map = famfs_test_build(famfs_test_req(test, c));

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, famfs_kfree_map, map));
	return map;
}

static void famfs_expect_resolve(struct kunit *test,
				 const struct famfs_map *map, u64 pos,
				 u64 offset, u64 len)
{
	u64 got_offset = 0, got_len = 0;
	u32 dev = U32_MAX;

	KUNIT_EXPECT_EQ_MSG(test, famfs_map_resolve(map, pos, &dev, &got_offset,
						    &got_len), 0,
			    "pos %#llx", pos);
	KUNIT_EXPECT_EQ_MSG(test, dev, 0, "pos %#llx", pos);
	KUNIT_EXPECT_EQ_MSG(test, got_offset, offset, "pos %#llx", pos);
	KUNIT_EXPECT_EQ_MSG(test, got_len, len, "pos %#llx", pos);
}

/* First and last byte of each simple extent, and the end of the map */
static void famfs_map_resolve_simple_test(struct kunit *test)
{
	static const struct famfs_map_case c = {
		.file_type = FAMFS_REG, .ext_type = FAMFS_EXT_SIMPLE,
		.file_size = 3 * M2 + 5, .nr_ext = 2,
		.ext = { { .nstrips = 1, .strip = { S(10 * M2, 2 * M2) } },
			 { .nstrips = 1, .strip = { S(4 * M2, 2 * M2) } } },
	};
	const struct famfs_map *map = famfs_test_map(test, &c);
	u64 offset, len;
	u32 dev;

	famfs_expect_resolve(test, map, 0, 10 * M2, 2 * M2);
	famfs_expect_resolve(test, map, 4097, 10 * M2 + 4097, 2 * M2 - 4097);
	famfs_expect_resolve(test, map, 2 * M2 - 1, 12 * M2 - 1, 1);
	famfs_expect_resolve(test, map, 2 * M2, 4 * M2, 2 * M2);
	famfs_expect_resolve(test, map, 4 * M2 - 1, 6 * M2 - 1, 1);
	KUNIT_EXPECT_EQ(test, famfs_map_resolve(map, 4 * M2, &dev, &offset, &len),
			-EIO);
	KUNIT_EXPECT_EQ(test, famfs_map_resolve(map, U64_MAX, &dev, &offset, &len),
			-EIO);
}

/*
 * Three strips, chunks of 2 MiB, 7 chunks: strip 0 holds chunks 0, 3, 6,
 * strip 1 chunks 1, 4 and strip 2 chunks 2, 5. Every chunk's first and
 * last byte.
 */
static void famfs_map_resolve_interleave_test(struct kunit *test)
{
	static const struct famfs_map_case c = {
		.file_type = FAMFS_REG, .ext_type = FAMFS_EXT_INTERLEAVE,
		.file_size = 7 * M2, .nr_ext = 1,
		.ext = { { .nbytes = 7 * M2, .chunk = M2, .nstrips = 3,
			   .strip = { S(100 * M2, 3 * M2), S(20 * M2, 2 * M2),
				      S(50 * M2, 2 * M2) } } },
	};
	static const u64 strip_off[] = { 100 * M2, 20 * M2, 50 * M2 };
	const struct famfs_map *map = famfs_test_map(test, &c);
	u64 chunk, offset, len;
	u32 dev;

	for (chunk = 0; chunk < 7; chunk++) {
		u64 at = strip_off[chunk % 3] + (chunk / 3) * M2;

		famfs_expect_resolve(test, map, chunk * M2, at, M2);
		famfs_expect_resolve(test, map, chunk * M2 + M2 - 1,
				     at + M2 - 1, 1);
	}
	KUNIT_EXPECT_EQ(test, famfs_map_resolve(map, 7 * M2, &dev, &offset, &len),
			-EIO);
}

/* Two interleaved extents: the second one starts where the first ends */
static void famfs_map_resolve_two_interleaves_test(struct kunit *test)
{
	static const struct famfs_map_case c = {
		.file_type = FAMFS_REG, .ext_type = FAMFS_EXT_INTERLEAVE,
		.file_size = 6 * M2, .nr_ext = 2,
		.ext = { { .nbytes = 4 * M2, .chunk = SZ_4M, .nstrips = 1,
			   .strip = { S(40 * M2, 4 * M2) } },
			 { .nbytes = 2 * M2, .chunk = M2, .nstrips = 2,
			   .strip = { S(60 * M2, M2), S(70 * M2, M2) } } },
	};
	const struct famfs_map *map = famfs_test_map(test, &c);

	famfs_expect_resolve(test, map, 0, 40 * M2, SZ_4M);
	famfs_expect_resolve(test, map, SZ_4M - 1, 40 * M2 + SZ_4M - 1, 1);
	famfs_expect_resolve(test, map, SZ_4M, 42 * M2, SZ_4M);
	famfs_expect_resolve(test, map, 4 * M2 - 1, 44 * M2 - 1, 1);
	famfs_expect_resolve(test, map, 4 * M2, 60 * M2, M2);
	famfs_expect_resolve(test, map, 5 * M2 - 1, 61 * M2 - 1, 1);
	famfs_expect_resolve(test, map, 5 * M2, 70 * M2, M2);
	famfs_expect_resolve(test, map, 6 * M2 - 1, 71 * M2 - 1, 1);
}

/*
 * famfs_map_find() inverts famfs_map_resolve(): every 4 KiB of the
 * interleaved maps above is found back from its device offset, and memory
 * no extent holds is not.
 */
static void famfs_expect_round_trip(struct kunit *test,
				    const struct famfs_map *map)
{
	u64 pos, offset, len, found;
	u32 dev;

	for (pos = 0; pos < map->size; pos += SZ_4K) {
		KUNIT_ASSERT_EQ(test, famfs_map_resolve(map, pos, &dev, &offset, &len), 0);
		KUNIT_EXPECT_EQ_MSG(test, famfs_map_find(map, 0, offset, 0, &found), 0,
				    "pos %#llx", pos);
		KUNIT_EXPECT_EQ_MSG(test, found, pos, "offset %#llx", offset);
		KUNIT_EXPECT_EQ(test, famfs_map_find(map, 0, offset, pos + 1, &found),
				-ENOENT);
	}
}

static void famfs_map_find_test(struct kunit *test)
{
	static const struct famfs_map_case three = {
		.file_type = FAMFS_REG, .ext_type = FAMFS_EXT_INTERLEAVE,
		.file_size = 7 * M2, .nr_ext = 1,
		.ext = { { .nbytes = 7 * M2, .chunk = M2, .nstrips = 3,
			   .strip = { S(100 * M2, 3 * M2), S(20 * M2, 2 * M2),
				      S(50 * M2, 4 * M2) } } },
	};
	static const struct famfs_map_case two = {
		.file_type = FAMFS_REG, .ext_type = FAMFS_EXT_INTERLEAVE,
		.file_size = 6 * M2 - 4096, .nr_ext = 2,
		.ext = { { .nbytes = 4 * M2, .chunk = SZ_4M, .nstrips = 1,
			   .strip = { S(40 * M2, 4 * M2) } },
			 { .nbytes = 2 * M2 - 4096, .chunk = M2, .nstrips = 2,
			   .strip = { S(60 * M2, M2), S(70 * M2, M2) } } },
	};
	const struct famfs_map *map = famfs_test_map(test, &three);
	u64 found;

	famfs_expect_round_trip(test, map);
	/* strip 2 is longer than its chunks: its tail is not in the file */
	KUNIT_EXPECT_EQ(test, famfs_map_find(map, 0, 52 * M2, 0, &found), -ENOENT);
	KUNIT_EXPECT_EQ(test, famfs_map_find(map, 0, 99 * M2, 0, &found), -ENOENT);
	KUNIT_EXPECT_EQ(test, famfs_map_find(map, 0, 103 * M2, 0, &found), -ENOENT);

	map = famfs_test_map(test, &two);
	famfs_expect_round_trip(test, map);
	/* the last page of the second strip is past the end of the file */
	KUNIT_EXPECT_EQ(test, famfs_map_find(map, 0, 71 * M2 - 4096, 0, &found),
			-ENOENT);
}

/* One file may hold the same memory twice: both places are found */
static void famfs_map_find_twice_test(struct kunit *test)
{
	static const struct famfs_map_case c = {
		.file_type = FAMFS_REG, .ext_type = FAMFS_EXT_SIMPLE,
		.file_size = 4 * M2, .nr_ext = 2,
		.ext = { { .nstrips = 1, .strip = { S(10 * M2, 2 * M2) } },
			 { .nstrips = 1, .strip = { S(10 * M2, 2 * M2) } } },
	};
	const struct famfs_map *map = famfs_test_map(test, &c);
	u64 found;

	KUNIT_ASSERT_EQ(test, famfs_map_find(map, 0, 10 * M2 + 8192, 0, &found), 0);
	KUNIT_EXPECT_EQ(test, found, 8192);
	KUNIT_ASSERT_EQ(test, famfs_map_find(map, 0, 10 * M2 + 8192, found + 1,
					     &found), 0);
	KUNIT_EXPECT_EQ(test, found, 2 * M2 + 8192);
	KUNIT_EXPECT_EQ(test, famfs_map_find(map, 0, 10 * M2 + 8192, found + 1,
					     &found), -ENOENT);
}

/*
 * An interleaved file that ends inside a page, as famfs' tools make them:
 * @nstrips strips of 2 MiB chunks, @size bytes. dax maps whole pages, so
 * the mapping at the tail must cover the page the file ends in.
 */
struct famfs_tail_case {
	const char *desc;
	u32 nstrips;
	u64 size;
};

static const struct famfs_tail_case famfs_tail_cases[] = {
	{ "1 byte past a page", 3, 3 * M2 + SZ_4K + 1 },
	{ "1 byte short of a chunk", 3, 3 * M2 - 1 },
	{ "in the last strip's first page", 4, 3 * M2 + 100 },
	{ "1 byte", 2, 1 },
};

KUNIT_ARRAY_PARAM_DESC(famfs_tail, famfs_tail_cases, desc);

/* Strip i of the tail cases is at 100 MiB + 16 MiB * i, two chunks long */
static u64 famfs_tail_dev_off(u32 nstrips, u64 pos)
{
	u64 n = pos / M2;

	return 100 * M2 + 8 * M2 * (n % nstrips) + (n / nstrips) * M2 +
	       pos % M2;
}

static void famfs_map_resolve_tail_test(struct kunit *test)
{
	const struct famfs_tail_case *t = test->param_value;
	struct famfs_map_case c = {
		.file_type = FAMFS_REG, .ext_type = FAMFS_EXT_INTERLEAVE,
		.file_size = t->size, .nr_ext = 1,
		.ext = { { .nbytes = t->size, .chunk = M2,
			   .nstrips = t->nstrips } },
	};
	u64 last = t->size - 1, page = round_down(last, PAGE_SIZE);
	u64 chunk = round_down(last, M2), offset, len, found;
	const struct famfs_map *map;
	u32 i, dev;

	for (i = 0; i < t->nstrips; i++)
		c.ext[0].strip[i] = (struct famfs_ioc_simple_extent)
			S(100 * M2 + 8 * M2 * i, 2 * M2);
	map = famfs_test_map(test, &c);
	KUNIT_EXPECT_EQ(test, map->size, t->size);

	/* the last chunk, from its start up to the end of the last page */
	famfs_expect_resolve(test, map, chunk,
			     famfs_tail_dev_off(t->nstrips, chunk),
			     page + PAGE_SIZE - chunk);
	/* the page the file ends in is mapped whole */
	famfs_expect_resolve(test, map, page,
			     famfs_tail_dev_off(t->nstrips, page), PAGE_SIZE);
	famfs_expect_resolve(test, map, last,
			     famfs_tail_dev_off(t->nstrips, last),
			     page + PAGE_SIZE - last);
	/* and nothing past the end of the file */
	KUNIT_EXPECT_EQ(test, famfs_map_resolve(map, t->size, &dev, &offset, &len),
			-EIO);
	/* a failure of that page is found in the file */
	KUNIT_EXPECT_EQ(test, famfs_map_find(map, 0,
					     famfs_tail_dev_off(t->nstrips, page),
					     0, &found), 0);
	KUNIT_EXPECT_EQ(test, found, page);
}

/*
 * Strips on three devices at the same device offsets: each chunk resolves
 * to its strip's device, and famfs_map_find() finds a device offset only
 * in the strips of its device.
 */
static void famfs_map_resolve_devs_test(struct kunit *test)
{
	static const struct famfs_map_case c = {
		.file_type = FAMFS_REG, .ext_type = FAMFS_EXT_INTERLEAVE,
		.file_size = 8 * M2, .nr_ext = 1,
		.ext = { { .nbytes = 8 * M2, .chunk = M2, .nstrips = 4,
			   .strip = { SD(0, 10 * M2, 2 * M2),
				      SD(1, 10 * M2, 2 * M2),
				      SD(2, 10 * M2, 2 * M2),
				      SD(1, 20 * M2, 2 * M2) } } },
	};
	static const u32 dev_of[4] = { 0, 1, 2, 1 };
	static const u64 off_of[4] = { 10 * M2, 10 * M2, 10 * M2, 20 * M2 };
	const struct famfs_map *map = famfs_test_map3(test, &c);
	u64 pos, offset, len, found;
	u32 chunk, dev;

	for (chunk = 0; chunk < 8; chunk++) {
		pos = chunk * M2 + 4096;
		KUNIT_ASSERT_EQ(test, famfs_map_resolve(map, pos, &dev, &offset,
							&len), 0);
		KUNIT_EXPECT_EQ_MSG(test, dev, dev_of[chunk % 4], "chunk %u", chunk);
		KUNIT_EXPECT_EQ_MSG(test, offset,
				    off_of[chunk % 4] + (chunk / 4) * M2 + 4096,
				    "chunk %u", chunk);
		KUNIT_EXPECT_EQ(test, len, M2 - 4096);
		/* and back, from the device and its offset */
		KUNIT_EXPECT_EQ(test, famfs_map_find(map, dev, offset, 0, &found),
				0);
		KUNIT_EXPECT_EQ(test, found, pos);
	}
	/* 10 * M2 is on devices 0, 1 and 2, each its own chunk */
	KUNIT_EXPECT_EQ(test, famfs_map_find(map, 2, 10 * M2, 0, &found), 0);
	KUNIT_EXPECT_EQ(test, found, 2 * M2);
	KUNIT_EXPECT_EQ(test, famfs_map_find(map, 2, 10 * M2, found + 1, &found),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, famfs_map_find(map, 1, 20 * M2, 0, &found), 0);
	KUNIT_EXPECT_EQ(test, found, 3 * M2);
	KUNIT_EXPECT_EQ(test, famfs_map_find(map, 2, 20 * M2, 0, &found),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, famfs_map_find(map, 3, 10 * M2, 0, &found),
			-ENOENT);
	KUNIT_EXPECT_TRUE(test, famfs_map_uses_dev(map, 0));
	KUNIT_EXPECT_TRUE(test, famfs_map_uses_dev(map, 2));
	KUNIT_EXPECT_FALSE(test, famfs_map_uses_dev(map, 3));
}

/* The runs of a file on each device, as a device going away takes them */
struct famfs_dev_run {
	u64 start, end;
};

static void famfs_expect_runs(struct kunit *test, const struct famfs_map *map,
			      u32 dev, u64 from, const struct famfs_dev_run *runs,
			      u32 nr)
{
	u64 start, end;
	u32 i;

	for (i = 0; i < nr; i++) {
		KUNIT_ASSERT_EQ_MSG(test, famfs_map_dev_range(map, dev, from,
							      &start, &end), 0,
				    "device %u, run %u", dev, i);
		KUNIT_EXPECT_EQ_MSG(test, start, runs[i].start,
				    "device %u, run %u", dev, i);
		KUNIT_EXPECT_EQ_MSG(test, end, runs[i].end,
				    "device %u, run %u", dev, i);
		from = end;
	}
	KUNIT_EXPECT_EQ_MSG(test, famfs_map_dev_range(map, dev, from, &start,
						      &end), -ENOENT,
			    "device %u, after %u runs", dev, nr);
}

/*
 * Two interleaved extents: chunks of the first on devices 0 1 1 2 0 1 1 2,
 * of the second (which ends 5 bytes into a page) on 1 1 1. Consecutive
 * chunks on one device make one run, across extents too; the last run ends
 * with the page the file ends in.
 */
static void famfs_map_dev_range_test(struct kunit *test)
{
	static const struct famfs_map_case c = {
		.file_type = FAMFS_REG, .ext_type = FAMFS_EXT_INTERLEAVE,
		.file_size = 10 * M2 + 5, .nr_ext = 2,
		.ext = { { .nbytes = 8 * M2, .chunk = M2, .nstrips = 4,
			   .strip = { SD(0, M2, 2 * M2), SD(1, M2, 2 * M2),
				      SD(1, 4 * M2, 2 * M2),
				      SD(2, M2, 2 * M2) } },
			 { .nbytes = 2 * M2 + 5, .chunk = M2, .nstrips = 2,
			   .strip = { SD(1, 8 * M2, 2 * M2),
				      SD(1, 12 * M2, M2) } } },
	};
	static const struct famfs_dev_run dev0[] = {
		{ 0, M2 }, { 4 * M2, 5 * M2 },
	};
	static const struct famfs_dev_run dev1[] = {
		{ M2, 3 * M2 }, { 5 * M2, 7 * M2 },
		{ 8 * M2, 10 * M2 + PAGE_SIZE },
	};
	static const struct famfs_dev_run dev2[] = {
		{ 3 * M2, 4 * M2 }, { 7 * M2, 8 * M2 },
	};
	static const struct famfs_dev_run dev1_from[] = {
		{ 2 * M2 + 12345, 3 * M2 }, { 5 * M2, 7 * M2 },
		{ 8 * M2, 10 * M2 + PAGE_SIZE },
	};
	const struct famfs_map *map = famfs_test_map3(test, &c);

	famfs_expect_runs(test, map, 0, 0, dev0, ARRAY_SIZE(dev0));
	famfs_expect_runs(test, map, 1, 0, dev1, ARRAY_SIZE(dev1));
	famfs_expect_runs(test, map, 2, 0, dev2, ARRAY_SIZE(dev2));
	famfs_expect_runs(test, map, 1, 2 * M2 + 12345, dev1_from,
			  ARRAY_SIZE(dev1_from));
	famfs_expect_runs(test, map, 3, 0, NULL, 0);
}

/* Simple extents on devices 1, 2 and 1 */
static void famfs_map_dev_range_simple_test(struct kunit *test)
{
	static const struct famfs_map_case c = {
		.file_type = FAMFS_REG, .ext_type = FAMFS_EXT_SIMPLE,
		.file_size = 3 * M2, .nr_ext = 2,
		.ext = { { .nstrips = 1, .strip = { SD(1, M2, M2) } },
			 { .nstrips = 1, .strip = { SD(2, M2, 2 * M2) } } },
	};
	static const struct famfs_dev_run dev1[] = { { 0, M2 } };
	static const struct famfs_dev_run dev2[] = { { M2, 3 * M2 } };
	const struct famfs_map *map = famfs_test_map3(test, &c);

	famfs_expect_runs(test, map, 1, 0, dev1, ARRAY_SIZE(dev1));
	famfs_expect_runs(test, map, 2, 0, dev2, ARRAY_SIZE(dev2));
	famfs_expect_runs(test, map, 0, 0, NULL, 0);
}

static struct kunit_case famfs_map_test_cases[] = {
	KUNIT_CASE_PARAM(famfs_map_build_test, famfs_map_gen_params),
	KUNIT_CASE(famfs_map_resolve_simple_test),
	KUNIT_CASE(famfs_map_resolve_interleave_test),
	KUNIT_CASE(famfs_map_resolve_two_interleaves_test),
	KUNIT_CASE_PARAM(famfs_map_resolve_tail_test, famfs_tail_gen_params),
	KUNIT_CASE(famfs_map_find_test),
	KUNIT_CASE(famfs_map_find_twice_test),
	KUNIT_CASE_PARAM(famfs_map_dev_build_test, famfs_map_dev_gen_params),
	KUNIT_CASE(famfs_map_resolve_devs_test),
	KUNIT_CASE(famfs_map_dev_range_test),
	KUNIT_CASE(famfs_map_dev_range_simple_test),
	{}
};

static struct kunit_suite famfs_map_test_suite = {
	.name = "famfs_map",
	.test_cases = famfs_map_test_cases,
};

kunit_test_suite(famfs_map_test_suite);
