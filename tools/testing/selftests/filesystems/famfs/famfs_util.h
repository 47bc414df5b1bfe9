/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the famfs kselftest and its helper share: giving files their memory
 * through the famfs uAPI, reaching the device directly, test patterns.
 */
#ifndef FAMFS_UTIL_H
#define FAMFS_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/famfs_ioctl.h>

#define FAMFS_M2	(2ULL << 20)
#define FAMFS_G1	(512 * FAMFS_M2)

/* The mount(2) call famfs' own tools make */
#define FAMFS_MOUNT_FLAGS	(MS_NOATIME | MS_NOSUID | MS_NOEXEC | MS_NODEV)

/* The device the tests may use: named by the caller, never guessed */
static inline const char *famfs_dev_path(void)
{
	return getenv("FAMFS_DEV");
}

#define FAMFS_NO_DEVICE "FAMFS_DEV is not set: the tests overwrite, poison and unbind the device-dax instance they get: name one that holds nothing of value"

/* Listing or asking for help touches nothing: anything else needs a device */
static inline bool famfs_only_listing(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-l") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

/* Bytes of the device, the way famfs' tools size it: from sysfs */
static inline uint64_t famfs_dev_size(const char *dev)
{
	unsigned long long size = 0;
	char path[64];
	struct stat st;
	FILE *f;

	if (stat(dev, &st) || !S_ISCHR(st.st_mode))
		return 0;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/size",
		 major(st.st_rdev), minor(st.st_rdev));
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &size) != 1)
		size = 0;
	fclose(f);
	return size;
}

/* ABI 42: up to two simple extents. Returns 0 or -errno. */
static inline int famfs_map_simple(int fd, uint32_t file_type, uint64_t size,
				   const struct famfs_extent *ext,
				   unsigned int n)
{
	struct famfs_ioc_map map;

	memset(&map, 0, sizeof(map));
	map.extent_type = FAMFS_EXT_SIMPLE;
	map.file_type = file_type;
	map.file_size = size;
	map.ext_list_count = n;
	memcpy(map.ext_list, ext, n * sizeof(*ext));
	return ioctl(fd, FAMFSIOC_MAP_CREATE, &map) ? -errno : 0;
}

/*
 * The devices besides FAMFS_DEV that the tests may use, from FAMFS_DEVS
 * (paths separated by spaces), into @paths[1..n-1]; @paths[0] is
 * FAMFS_DEV. Whether there are that many.
 */
static inline bool famfs_dev_paths(const char **paths, int n)
{
	char *devs = getenv("FAMFS_DEVS"), *save, *tok;
	int i = 1;

	paths[0] = famfs_dev_path();
	if (!paths[0] || !devs)
		return false;
	devs = strdup(devs);
	for (tok = strtok_r(devs, " ", &save); tok && i < n;
	     tok = strtok_r(NULL, " ", &save))
		paths[i++] = tok;
	return i == n;
}

/* FAMFSIOC_ADD_DAXDEV of @path at @index on @fd: 0 or -errno */
static inline int famfs_add_dev(int fd, const char *path, uint32_t index,
				uint64_t size)
{
	struct famfs_ioc_add_daxdev arg;

	memset(&arg, 0, sizeof(arg));
	memset(arg.uuid, 0xa5, sizeof(arg.uuid));
	arg.size = size;
	arg.index = index;
	snprintf(arg.name, sizeof(arg.name), "%s", path);
	return ioctl(fd, FAMFSIOC_ADD_DAXDEV, &arg) ? -errno : 0;
}

/* FAMFSIOC_GET_MAX_DAXDEV: the highest device index, or -errno */
static inline int64_t famfs_max_dev(int fd)
{
	uint32_t max;

	return ioctl(fd, FAMFSIOC_GET_MAX_DAXDEV, &max) ? -errno : max;
}

/* ABI 43: simple extents, each on its device; 0 or -errno */
static inline int famfs_map_simple_v2(int fd, uint32_t file_type, uint64_t size,
				      const struct famfs_ioc_simple_extent *se,
				      uint32_t n)
{
	struct famfs_ioc_fmap fmap;

	memset(&fmap, 0, sizeof(fmap));
	fmap.fioc_file_size = size;
	fmap.fioc_file_type = file_type;
	fmap.fioc_ext_type = FAMFS_EXT_SIMPLE;
	fmap.fioc_nextents = n;
	fmap.kse = (uintptr_t)se;
	return ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &fmap) ? -errno : 0;
}

/* ABI 43: one interleaved extent of @chunk chunks over @strips; 0 or -errno */
static inline int famfs_map_strips(int fd, uint64_t size, uint64_t chunk,
				   const struct famfs_ioc_simple_extent *strips,
				   uint32_t n)
{
	struct famfs_ioc_interleaved_ext ie;
	struct famfs_ioc_fmap fmap;

	memset(&ie, 0, sizeof(ie));
	ie.ie_nstrips = n;
	ie.ie_chunk_size = chunk;
	ie.ie_nbytes = size;
	ie.ie_strips = (uintptr_t)strips;
	memset(&fmap, 0, sizeof(fmap));
	fmap.fioc_file_size = size;
	fmap.fioc_file_type = FAMFS_REG;
	fmap.fioc_ext_type = FAMFS_EXT_INTERLEAVE;
	fmap.fioc_niext = 1;
	fmap.kie = (uintptr_t)&ie;
	return ioctl(fd, FAMFSIOC_MAP_CREATE_V2, &fmap) ? -errno : 0;
}

/*
 * ABI 43: one interleaved extent of @nstrips strips of device 0, each
 * @strip_len bytes at @strip_off[i]. Returns 0 or -errno.
 */
static inline int famfs_map_interleaved(int fd, uint64_t size, uint64_t chunk,
					unsigned int nstrips,
					const uint64_t *strip_off,
					uint64_t strip_len)
{
	struct famfs_ioc_simple_extent strips[FAMFS_MAX_STRIPS + 1];
	unsigned int i;

	if (nstrips > FAMFS_MAX_STRIPS + 1)
		return -E2BIG;
	memset(strips, 0, sizeof(strips));
	for (i = 0; i < nstrips; i++) {
		strips[i].offset = strip_off[i];
		strips[i].len = strip_len;
	}
	return famfs_map_strips(fd, size, chunk, strips, nstrips);
}

/* Where file byte @pos of an interleaved extent lives on the device */
static inline uint64_t famfs_interleaved_dev_off(uint64_t pos, uint64_t chunk,
						 unsigned int nstrips,
						 const uint64_t *strip_off)
{
	uint64_t n = pos / chunk;

	return strip_off[n % nstrips] + (n / nstrips) * chunk + pos % chunk;
}

/* Create @path empty and give it one simple extent; returns an fd or -errno */
static inline int famfs_create_mapped(const char *path, uint64_t size,
				      uint64_t dev_off)
{
	struct famfs_extent ext = {
		.offset = dev_off,
		.len = (size + FAMFS_M2 - 1) & ~(FAMFS_M2 - 1),
	};
	int fd, err;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return -errno;
	err = famfs_map_simple(fd, FAMFS_REG, size, &ext, 1);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/* MAP_SHARED the device itself at @off (2 MiB aligned) */
static inline void *famfs_dev_mmap(const char *dev, uint64_t off, size_t len)
{
	void *p;
	int fd;

	fd = open(dev, O_RDWR);
	if (fd < 0)
		return MAP_FAILED;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	close(fd);
	return p;
}

/* Load a byte: in a child (in_child()), a fault shows as its signal */
static inline void touch_byte(void *p)
{
	__atomic_load_n((char *)p, __ATOMIC_RELAXED);
}

/* A page of a device to poison, by its offset */
struct dev_poison {
	const char *dev;
	uint64_t off;
};

/*
 * Poison the device's page at @off through a mapping of the device (of
 * the 2 MiB around it: device-dax maps no less), in a child:
 * memory-failure handling ends it with SIGBUS, since it maps the page.
 */
static inline void poison_dev(void *arg)
{
	const struct dev_poison *dp = arg;
	uint64_t in = dp->off % FAMFS_M2;
	uint8_t *p = famfs_dev_mmap(dp->dev, dp->off - in, FAMFS_M2);

	if (p == MAP_FAILED)
		_exit(30);
	p[in] = 1;
	if (madvise(p + in, 4096, MADV_HWPOISON))
		_exit(31);
	_exit(32);
}

/* A new directory under /tmp, named after @tag */
static inline char *make_dir(const char *tag)
{
	char *dir;

	if (asprintf(&dir, "/tmp/famfs-%s.XXXXXX", tag) < 0)
		return NULL;
	return mkdtemp(dir);
}

/* "@dir/@name", allocated */
static inline char *path_in(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

/* The number of entries of directory @path but "." and "..", or -1 */
static inline int dir_entries(const char *path)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* Run @fn in a child; its exit status, or 128 + the signal that ended it */
static inline int in_child(void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		fn(arg);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/*
 * Write @s to the sysfs, procfs, tracefs or debugfs file @path, opened with
 * @flags (O_TRUNC, or O_APPEND for a list such as kprobe_events): 0, or the
 * -errno of open(2) or write(2).
 */
static inline int write_file_flags(const char *path, const char *s, int flags)
{
	int fd = open(path, O_WRONLY | flags);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = n < 0 ? -errno : n == (ssize_t)strlen(s) ? 0 : -EIO;
	close(fd);
	return err;
}

static inline int write_file(const char *path, const char *s)
{
	return write_file_flags(path, s, O_TRUNC);
}

/* Unbind or bind the device-dax driver of @dev (a /dev/daxX.Y path) */
static inline int famfs_dax_bind(const char *dev, bool bind)
{
	const char *slash = strrchr(dev, '/');

	return write_file(bind ? "/sys/bus/dax/drivers/device_dax/bind" :
				 "/sys/bus/dax/drivers/device_dax/unbind",
			  slash ? slash + 1 : dev);
}

/* Whether the page at @addr is in this task's page tables (1), or not (0) */
static inline int page_present(void *addr)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t e;
	int fd, n;

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return -1;
	n = pread(fd, &e, sizeof(e), (uintptr_t)addr / pg * sizeof(e));
	close(fd);
	return n == sizeof(e) ? (int)(e >> 63) : -1;
}

/* A byte pattern that differs with @seed and with the position */
static inline uint8_t famfs_pattern_byte(uint64_t seed, uint64_t pos)
{
	uint64_t x = (pos >> 3) * 0x9e3779b97f4a7c15ULL ^ seed;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 32;
	return x >> ((pos & 7) * 8);
}

static inline void famfs_pattern_fill(void *buf, uint64_t pos, size_t len,
				      uint64_t seed)
{
	uint8_t *b = buf;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = famfs_pattern_byte(seed, pos + i);
}

/* The offset of the first byte that is not the pattern, or -1 */
static inline int64_t famfs_pattern_check(const void *buf, uint64_t pos,
					  size_t len, uint64_t seed)
{
	const uint8_t *b = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != famfs_pattern_byte(seed, pos + i))
			return i;
	return -1;
}

#endif /* FAMFS_UTIL_H */
