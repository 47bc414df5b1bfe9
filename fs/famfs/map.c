// SPDX-License-Identifier: GPL-2.0
/*
 * famfs - file maps: checking what user space asks for, and resolving a file
 * offset to a device offset.
 *
 * Both map shapes (simple extents, and extents whose chunks are striped over
 * strips) become one struct famfs_map, so one resolver serves both: a simple
 * extent is a single strip with a single chunk as long as the extent.
 */

#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "famfs_internal.h"

/* Where the checks of a map request find the devices */
struct famfs_map_devs {
	struct famfs_daxdev *const *devs;
	u32 nr;
};

/*
 * A strip (or a simple extent) of device memory: on a device of the mount,
 * 2 MiB aligned, a multiple of 2 MiB long unless it ends the file (then a
 * multiple of pages), only a superblock file at offset 0 (where user space
 * keeps the superblock of each device), and all of it on the device.
 */
static int famfs_check_strip(const struct famfs_ioc_simple_extent *se,
			     u32 file_type, bool ends_file,
			     const struct famfs_map_devs *devs)
{
	u64 end;

	if (se->devindex >= devs->nr)
		return -EINVAL;
	if (!se->len || !IS_ALIGNED(se->offset, FAMFS_ALIGN))
		return -EINVAL;
	if (!IS_ALIGNED(se->len, ends_file ? PAGE_SIZE : FAMFS_ALIGN))
		return -EINVAL;
	if (!se->offset && file_type != FAMFS_SUPERBLOCK)
		return -EINVAL;
	if (check_add_overflow(se->offset, se->len, &end))
		return -EOVERFLOW;
	if (end > devs->devs[se->devindex]->size)
		return -ERANGE;
	return 0;
}

/*
 * An interleaved extent: a power of two chunk of 2 MiB or more, at most
 * FAMFS_MAX_STRIPS strips, each long enough for the chunks it gets.
 */
static int famfs_check_interleave(const struct famfs_map_req_ext *re)
{
	u64 chunks, per_strip;
	u32 i;

	if (!re->nstrips)
		return -EINVAL;
	if (re->nstrips > FAMFS_MAX_STRIPS)
		return -E2BIG;
	/* not is_power_of_2(): that takes an unsigned long */
	if (re->chunk < FAMFS_ALIGN || (re->chunk & (re->chunk - 1)))
		return -EINVAL;

	chunks = div64_u64(re->nbytes, re->chunk) +
		 !!(re->nbytes & (re->chunk - 1));
	per_strip = DIV_ROUND_UP_ULL(chunks, re->nstrips);
	for (i = 0; i < re->nstrips; i++) {
		/* strip i gets chunks i, i + nstrips, ... */
		u64 need = (i < chunks % re->nstrips || !(chunks % re->nstrips)) ?
			   per_strip : per_strip - 1;

		if (div64_u64(re->strip[i].len, re->chunk) < need)
			return -ENOSPC;
	}
	return 0;
}

static int famfs_check_req(const struct famfs_map_req *req,
			   const struct famfs_map_devs *devs)
{
	u64 total = 0;
	u32 i, j;
	int err;

	if (req->file_type > FAMFS_LOG)
		return -EINVAL;
	if (req->ext_type != FAMFS_EXT_SIMPLE &&
	    req->ext_type != FAMFS_EXT_INTERLEAVE)
		return -EINVAL;
	if (!req->file_size)
		return -EINVAL;
	if (!req->nr_ext)
		return -EINVAL;
	if (req->nr_ext > (req->ext_type == FAMFS_EXT_SIMPLE ?
			   FAMFS_MAX_EXTENTS : FAMFS_IOC_MAX_INTERLEAVED_EXTENTS))
		return -E2BIG;

	for (i = 0; i < req->nr_ext; i++) {
		const struct famfs_map_req_ext *re = &req->ext[i];
		bool last = i == req->nr_ext - 1;

		if (req->ext_type == FAMFS_EXT_INTERLEAVE) {
			/*
			 * An inner extent ends on 2 MiB, so that the next one
			 * starts where a PMD can map it. The last one may end
			 * on any byte: famfs' tools give the exact file size,
			 * and its strips hold whole chunks.
			 */
			if (!re->nbytes ||
			    (!last && !IS_ALIGNED(re->nbytes, FAMFS_ALIGN)))
				return -EINVAL;
			err = famfs_check_interleave(re);
			if (err)
				return err;
		} else if (re->nstrips != 1 || re->nbytes != re->strip[0].len) {
			/* famfs' own ioctl code builds these: never user input */
			return -EINVAL;
		}

		for (j = 0; j < re->nstrips; j++) {
			err = famfs_check_strip(&re->strip[j], req->file_type,
						last && req->ext_type == FAMFS_EXT_SIMPLE,
						devs);
			if (err)
				return err;
		}
		if (check_add_overflow(total, re->nbytes, &total))
			return -EOVERFLOW;
	}

	/* the extents must hold the whole file */
	if (total < req->file_size)
		return -ENOSPC;
	return 0;
}

/**
 * famfs_map_build() - check a map request and make the map
 * @req: the request, from either MAP_CREATE ioctl
 * @devs: the devices of the mount, which extents name by index
 * @nr_devs: entries in @devs
 *
 * Return: the map, to be freed with kfree(), or an ERR_PTR: -EINVAL for a
 * malformed request, one with no extent or one that names a device index
 * the mount does not have, -ENOSPC for extents smaller than the file,
 * -E2BIG for too many extents or strips, -ERANGE for memory past the end of
 * its device, -EOVERFLOW for offsets or lengths that overflow, -ENOMEM.
 */
struct famfs_map *famfs_map_build(const struct famfs_map_req *req,
				  struct famfs_daxdev *const *devs, u32 nr_devs)
{
	const struct famfs_map_devs md = { .devs = devs, .nr = nr_devs };
	struct famfs_map *map;
	u32 i, j, nr_strips = 0;
	u64 file_off = 0;
	int err;

	err = famfs_check_req(req, &md);
	if (err)
		return ERR_PTR(err);

	for (i = 0; i < req->nr_ext; i++)
		nr_strips += req->ext[i].nstrips;

	map = kzalloc(struct_size(map, strip, nr_strips), GFP_KERNEL);
	if (!map)
		return ERR_PTR(-ENOMEM);

	map->file_type = req->file_type;
	map->ext_type = req->ext_type;
	map->nr_ext = req->nr_ext;
	map->nr_strips = nr_strips;

	nr_strips = 0;
	for (i = 0; i < req->nr_ext; i++) {
		const struct famfs_map_req_ext *re = &req->ext[i];
		struct famfs_map_ext *me = &map->ext[i];

		me->file_off = file_off;
		me->nbytes = re->nbytes;
		me->chunk = re->chunk ?: re->nbytes;
		me->nstrips = re->nstrips;
		me->first = nr_strips;
		for (j = 0; j < re->nstrips; j++, nr_strips++) {
			map->strip[nr_strips].offset = re->strip[j].offset;
			map->strip[nr_strips].len = re->strip[j].len;
			map->strip[nr_strips].dev = re->strip[j].devindex;
		}
		file_off += re->nbytes;
	}
	map->size = file_off;
	return map;
}
EXPORT_SYMBOL_IF_KUNIT(famfs_map_build);

/**
 * famfs_map_resolve() - where a byte of a file is, on which device
 * @map: the file's map
 * @pos: offset in the file
 * @dev: the index of the device that holds @pos
 * @offset: the device offset of @pos
 * @len: how many bytes from there on are contiguous on the device: to the
 *	end of the chunk, or of the extent. The last extent may end inside a
 *	page; there @len runs to the end of that page, which its strip holds
 *	(strips hold whole chunks), since dax maps no less than a page.
 *
 * A binary search over at most FAMFS_IOC_MAX_INTERLEAVED_EXTENTS extents,
 * then arithmetic: O(1) in the size of the file.
 *
 * Return: 0, or -EIO if @pos is past what @map maps.
 */
int famfs_map_resolve(const struct famfs_map *map, u64 pos, u32 *dev,
		      u64 *offset, u64 *len)
{
	const struct famfs_map_strip *st;
	const struct famfs_map_ext *me;
	u32 lo = 0, hi = map->nr_ext;
	u64 rel, chunk_nr, in_chunk, end;
	u32 strip;

	if (pos >= map->size)
		return -EIO;

	/* the last extent that starts at or before pos */
	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (map->ext[mid].file_off <= pos)
			lo = mid;
		else
			hi = mid;
	}
	me = &map->ext[lo];

	rel = pos - me->file_off;
	chunk_nr = div64_u64_rem(rel, me->chunk, &in_chunk);
	/* chunk n is chunk n / nstrips of strip n % nstrips */
	strip = do_div(chunk_nr, me->nstrips);

	st = &map->strip[me->first + strip];
	*dev = st->dev;
	*offset = st->offset + chunk_nr * me->chunk + in_chunk;
	end = me->nbytes;
	if (lo == map->nr_ext - 1)
		end = round_up(end, PAGE_SIZE);
	*len = min(me->chunk - in_chunk, end - rel);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(famfs_map_resolve);

/**
 * famfs_map_find() - where a file maps a byte of a device
 * @map: the file's map
 * @dev: the index of the device
 * @offset: the device offset
 * @from: the first file offset to consider
 * @pos: the file offset found
 *
 * The inverse of famfs_map_resolve(), for the few callers that start from
 * the device: memory-failure reports. A map may hold the same memory more
 * than once; call again with @from past the last @pos to find every place.
 * Each strip holds @offset at most once, so this is O(number of strips).
 *
 * Return: 0 with the lowest file offset at or after @from that maps
 * @offset in @pos, or -ENOENT.
 */
int famfs_map_find(const struct famfs_map *map, u32 dev, u64 offset, u64 from,
		   u64 *pos)
{
	u64 best = U64_MAX;
	u32 i, s;

	for (i = 0; i < map->nr_ext; i++) {
		const struct famfs_map_ext *me = &map->ext[i];
		u64 chunks = div64_u64(me->nbytes + me->chunk - 1, me->chunk);

		for (s = 0; s < me->nstrips; s++) {
			const struct famfs_map_strip *st = &map->strip[me->first + s];
			u64 rel, in_chunk, n, p;

			if (st->dev != dev || offset < st->offset ||
			    offset - st->offset >= st->len)
				continue;
			rel = offset - st->offset;
			/* chunk rel / chunk of strip s is chunk n of the extent */
			n = div64_u64_rem(rel, me->chunk, &in_chunk);
			if (n >= chunks)
				continue;
			n = n * me->nstrips + s;
			if (n >= chunks)
				continue;
			p = n * me->chunk + in_chunk;
			if (p >= me->nbytes)
				continue;
			p += me->file_off;
			if (p >= from && p < best)
				best = p;
		}
	}
	if (best == U64_MAX)
		return -ENOENT;
	*pos = best;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(famfs_map_find);

/**
 * famfs_map_uses_dev() - whether any memory of a file is on a device
 * @map: the file's map
 * @dev: the index of the device
 */
bool famfs_map_uses_dev(const struct famfs_map *map, u32 dev)
{
	u32 i;

	for (i = 0; i < map->nr_strips; i++)
		if (map->strip[i].dev == dev)
			return true;
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(famfs_map_uses_dev);

/* The first chunk at or after chunk @n of @me whose strip is on @dev */
static u64 famfs_ext_next_chunk(const struct famfs_map *map,
				const struct famfs_map_ext *me, u32 dev, u64 n)
{
	u64 best = U64_MAX;
	u32 s, at;

	at = do_div(n, me->nstrips);
	/* n is now the round of chunks, at the strip chunk n started in */
	for (s = 0; s < me->nstrips; s++) {
		u64 c;

		if (map->strip[me->first + s].dev != dev)
			continue;
		c = (n + (s < at)) * me->nstrips + s;
		best = min(best, c);
	}
	return best;
}

/**
 * famfs_map_dev_range() - the next run of a file whose memory is on a device
 * @map: the file's map
 * @dev: the index of the device
 * @from: the first file offset to consider
 * @start: the first file offset of the run
 * @end: the file offset past the run, up to a page boundary
 *
 * For taking down the parts of a file that a device held: a run is a chunk,
 * or consecutive chunks, on @dev. The last run of a file that ends inside a
 * page runs to the end of that page, which its strip holds. Call again with
 * @from = @end for the next run.
 *
 * Return: 0 with the first run at or after @from, or -ENOENT if there is
 * none.
 */
int famfs_map_dev_range(const struct famfs_map *map, u32 dev, u64 from,
			u64 *start, u64 *end)
{
	bool found = false;
	u32 i;

	for (i = 0; i < map->nr_ext; i++) {
		const struct famfs_map_ext *me = &map->ext[i];
		u64 ext_end = me->file_off + me->nbytes;
		u64 n, c, s, e;

		if (i == map->nr_ext - 1)
			ext_end = round_up(ext_end, PAGE_SIZE);
		if (ext_end <= from)
			continue;
		n = from > me->file_off ?
		    div64_u64(from - me->file_off, me->chunk) : 0;
		c = famfs_ext_next_chunk(map, me, dev, n);
		if (c == U64_MAX || c * me->chunk >= ext_end - me->file_off) {
			if (found)
				break;
			continue;
		}
		s = max(from, me->file_off + c * me->chunk);
		if (found && s != *end)
			break;
		if (!found)
			*start = s;
		/* the chunks that follow on @dev, without a gap */
		do {
			e = min(ext_end, me->file_off + (c + 1) * me->chunk);
			c++;
		} while (e < ext_end && famfs_ext_next_chunk(map, me, dev, c) == c);
		*end = e;
		found = true;
		if (e < ext_end)
			break;
		from = e;
	}
	return found ? 0 : -ENOENT;
}
EXPORT_SYMBOL_IF_KUNIT(famfs_map_dev_range);
