/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * famfs - a file system for memory that several hosts share.
 *
 * User space gives each famfs file its memory with these ioctls. The layouts
 * are those of famfs kernel ABI 42 and 43, which famfs' user-space tools
 * speak; they use fixed-size types, and padding is explicit and must be 0.
 *
 * Offsets and lengths are in units of 2 MiB on every architecture and page
 * size: a fixed rule of the ABI (the on-media format is shared by hosts),
 * which happens to be PMD_SIZE with 4 KiB pages, not derived from it.
 */
#ifndef _UAPI_LINUX_FAMFS_IOCTL_H
#define _UAPI_LINUX_FAMFS_IOCTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The newest ABI this kernel speaks; also reported by the famfs module */
#define FAMFS_KABI_VERSION	43

/* Limits of the fixed-size arrays below, and of what a map may hold */
#define FAMFS_MAX_EXTENTS			2
#define FAMFS_MAX_STRIPS			16
#define FAMFS_IOC_MAX_INTERLEAVED_EXTENTS	4

/* famfs_ioc_map.file_type, famfs_ioc_fmap.fioc_file_type */
#define FAMFS_REG		0	/* a regular file */
#define FAMFS_SUPERBLOCK	1	/* user space's superblock: may map offset 0 */
#define FAMFS_LOG		2	/* user space's metadata log */

/* famfs_ioc_map.extent_type, famfs_ioc_fmap.fioc_ext_type */
#define FAMFS_EXT_SIMPLE	0	/* (offset, length) runs of the device */
#define FAMFS_EXT_INTERLEAVE	1	/* chunks striped round-robin over strips */

/* ABI 42 */

/**
 * struct famfs_extent - a run of device memory (ABI 42)
 * @offset: byte offset in the device, 2 MiB aligned
 * @len: length in bytes, a multiple of 2 MiB but for the last extent
 */
struct famfs_extent {
	__u64 offset;
	__u64 len;
};

/**
 * struct famfs_ioc_map - the memory of a file (ABI 42)
 * @extent_type: FAMFS_EXT_SIMPLE; MAP_GET reports FAMFS_EXT_INTERLEAVE for
 *	an interleaved file, which has no ABI 42 form, nor has a file with
 *	memory on another device than 0
 * @file_type: FAMFS_REG, FAMFS_SUPERBLOCK or FAMFS_LOG
 * @file_size: size of the file in bytes; the extents must cover it
 * @ext_list_count: number of extents, 1 to FAMFS_MAX_EXTENTS; 0 in what
 *	MAP_GET reports for a file with no ABI 42 form
 * @ext_list: the extents; file byte x is at device offset
 *	ext_list[i].offset + (x - the lengths of the extents before i)
 */
struct famfs_ioc_map {
	__u32 extent_type;
	__u32 file_type;
	__u64 file_size;
	__u64 ext_list_count;
	struct famfs_extent ext_list[FAMFS_MAX_EXTENTS];
};

/* ABI 43 */

/**
 * struct famfs_ioc_simple_extent - a run of device memory (ABI 43)
 * @devindex: the device: 0 is the mounted one, others are those that
 *	FAMFSIOC_ADD_DAXDEV registered
 * @offset: byte offset in the device, 2 MiB aligned
 * @len: length in bytes, a multiple of 2 MiB but for the last extent
 */
struct famfs_ioc_simple_extent {
	__u64 devindex;
	__u64 offset;
	__u64 len;
};

/**
 * struct famfs_ioc_interleaved_ext - memory striped over strips (ABI 43)
 * @ie_nstrips: number of strips, 1 to FAMFS_MAX_STRIPS
 * @ie_chunk_size: bytes of a chunk, a power of two multiple of 2 MiB
 * @ie_nbytes: bytes of the file this extent maps
 * @ie_strips: user pointer to @ie_nstrips simple extents (MAP_CREATE_V2);
 *	0 in what MAP_GET_V2 returns
 *
 * Chunk n of the extent is chunk n / @ie_nstrips of strip n % @ie_nstrips.
 */
struct famfs_ioc_interleaved_ext {
	__u64 ie_nstrips;
	__u64 ie_chunk_size;
	__u64 ie_nbytes;
	__u64 ie_strips;
};

/**
 * struct famfs_ioc_fmap - the memory of a file (ABI 43, MAP_CREATE_V2)
 * @fioc_file_size: size of the file in bytes; the extents must cover it
 * @fioc_file_type: FAMFS_REG, FAMFS_SUPERBLOCK or FAMFS_LOG
 * @fioc_ext_type: FAMFS_EXT_SIMPLE or FAMFS_EXT_INTERLEAVE
 * @fioc_nextents: number of simple extents, 1 to FAMFS_MAX_EXTENTS
 * @fioc_niext: number of interleaved extents, 1 to
 *	FAMFS_IOC_MAX_INTERLEAVED_EXTENTS
 * @fioc_pad: must be 0
 * @kse: user pointer to @fioc_nextents simple extents
 * @kie: user pointer to @fioc_niext interleaved extents
 */
struct famfs_ioc_fmap {
	__u64 fioc_file_size;
	__u32 fioc_file_type;
	__u32 fioc_ext_type;
	union {
		__u32 fioc_nextents;
		__u32 fioc_niext;
	};
	__u32 fioc_pad;
	union {
		__u64 kse;
		__u64 kie;
	};
};

/**
 * struct famfs_ioc_get_fmap - the memory of a file, as MAP_GET_V2 returns it
 * @iocmap: as given to MAP_CREATE_V2, with the user pointers 0
 * @ikse: the simple extents (FAMFS_EXT_SIMPLE)
 * @ks: the interleaved extent and its strips (FAMFS_EXT_INTERLEAVE; a map
 *	of more than one interleaved extent cannot be returned here)
 */
struct famfs_ioc_get_fmap {
	struct famfs_ioc_fmap iocmap;
	union {
		struct famfs_ioc_simple_extent ikse[FAMFS_MAX_EXTENTS];
		struct {
			struct famfs_ioc_interleaved_ext ikie;
			struct famfs_ioc_simple_extent kie_strips[FAMFS_MAX_STRIPS];
		} ks;
	};
};

/* Devices of one mount, the mounted device included (see ADD_DAXDEV) */
#define FAMFS_MAX_DAXDEVS	64
/* The room for a device path in struct famfs_ioc_add_daxdev */
#define FAMFS_DEVNAME_LEN	64

/**
 * struct famfs_ioc_add_daxdev - one more device for a mount (ADD_DAXDEV)
 * @uuid: the device's uuid, as famfs user space records it; the kernel
 *	knows a device by its device number, and does not interpret this
 * @size: the bytes of the device the file system uses; no more than the
 *	device has
 * @index: the index that extents name it by (devindex): the next free one,
 *	or the index it already has
 * @name: path of the device's character device (/dev/daxX.Y), NUL
 *	terminated
 * @pad: must be 0
 *
 * 96 bytes, with the same offsets on every architecture: famfs user space's
 * draft of this structure put a uuid_le and no tail padding here, which is
 * 96 bytes on x86_64 but 92 on i386. This is that layout with its padding
 * made explicit, so 64-bit callers of the draft are callers of this.
 */
struct famfs_ioc_add_daxdev {
	__u8 uuid[16];
	__u64 size;
	__u32 index;
	char name[FAMFS_DEVNAME_LEN];
	__u32 pad;
};

#define FAMFSIOC_MAGIC		'u'

/* Give an empty, unmapped regular file its memory (needs CAP_SYS_RAWIO) */
#define FAMFSIOC_MAP_CREATE	_IOW(FAMFSIOC_MAGIC, 0x50, struct famfs_ioc_map)
/* The map of a file; fails for a file without one */
#define FAMFSIOC_MAP_GET	_IOR(FAMFSIOC_MAGIC, 0x51, struct famfs_ioc_map)
/*
 * Its extents, into an array of exactly ext_list_count famfs_extent (up to
 * 32 bytes), while the number says 16: the size of one, as famfs user space
 * fixed it. Fails for a file with no ABI 42 form.
 */
#define FAMFSIOC_MAP_GETEXT	_IOR(FAMFSIOC_MAGIC, 0x52, struct famfs_extent)
/* Succeeds on every famfs regular file: tells famfs files from others */
#define FAMFSIOC_NOP		_IO(FAMFSIOC_MAGIC, 0x53)
#define FAMFSIOC_MAP_CREATE_V2	_IOW(FAMFSIOC_MAGIC, 0x54, struct famfs_ioc_fmap)
/*
 * MAP_CREATE_V2 takes up to FAMFS_IOC_MAX_INTERLEAVED_EXTENTS interleaved
 * extents, but this answer holds one: for a file of more it fails with
 * E2BIG (and says why in the kernel log). The layout is ABI 43's.
 */
#define FAMFSIOC_MAP_GET_V2	_IOR(FAMFSIOC_MAGIC, 0x55, struct famfs_ioc_get_fmap)

/*
 * Register another device with the mount, on a file descriptor of the
 * superblock or log file (needs CAP_SYS_RAWIO). Registering a known device
 * at its index again does nothing. A kernel without it fails with ENOTTY:
 * it speaks ABI 43 all the same, and takes extents on device 0 only.
 */
#define FAMFSIOC_ADD_DAXDEV	_IOW(FAMFSIOC_MAGIC, 0x56, struct famfs_ioc_add_daxdev)
/* The highest device index the mount knows, on any famfs regular file */
#define FAMFSIOC_GET_MAX_DAXDEV	_IOR(FAMFSIOC_MAGIC, 0x57, __u32)

#endif /* _UAPI_LINUX_FAMFS_IOCTL_H */
