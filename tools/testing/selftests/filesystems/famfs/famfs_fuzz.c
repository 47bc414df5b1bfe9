// SPDX-License-Identifier: GPL-2.0
/*
 * famfs_fuzz: a seeded, bounded fuzzer of famfs, from user space.
 *
 *   famfs_fuzz DEV MNT
 *
 * DEV is the device-dax instance the famfs kselftest uses ($FAMFS_DEV: at
 * least 5 GiB, with no famfs mounted on it) and MNT an existing empty
 * directory. Run as root, the program mounts famfs from DEV on MNT (the
 * mount(2) call of famfs' tools), makes FAMFS_FUZZ_CALLS calls (default
 * 100000) that a pseudo-random generator seeded with FAMFS_FUZZ_SEED picks
 * (default 1; "random" picks a seed and prints it; a seed replays the same
 * calls on the same kernel and device), then unmaps and closes everything
 * and unmounts, which must succeed.
 *
 * FAMFS_DEVS names up to three more device-dax instances chosen for file
 * systems, which the fuzzer registers with ADD_DAXDEV (and maps name) as
 * it goes; without it, ADD_DAXDEV meets device 0 and bad paths only.
 *
 * The calls: the famfs ioctls with valid maps, maps with one field changed,
 * random bytes and bad pointers (NULL, unmapped, read-only, ending on a
 * guard page); other ioctl numbers; open, mkdir, rename, link, truncate,
 * fallocate and the other namespace calls; pread, pwrite, mmap and loads and
 * stores in what mmap maps. They go to famfs files with and without a map,
 * famfs directories and names, and to objects elsewhere: a file and a
 * directory under /tmp, /dev/null, a pipe and a socket pair, with every
 * open mode.
 *
 * Every answer is checked against allowed[] below (the errnos famfs.rst
 * documents and those of the VFS), and famfs' answers also against what
 * famfs.rst says they must be: a valid map is accepted, once (then EEXIST);
 * the map ioctls return it as given; a mapped file's size never changes;
 * reads and writes stop at its end; faults raise SIGBUS past its end, and
 * nowhere else. Valid maps use only device memory that the other famfs
 * tests leave alone (see LOW_RESERVED): from 64 MiB to 256 MiB before 5 GiB
 * at most; a damaged map that famfs accepts anyway is only read, never
 * written.
 *
 * Output is TAP. A failure prints the seed, the step, the call with its
 * arguments and answer, and the 16 calls before it; the run stops after 10.
 * The exit status is 0 only if every call answered as allowed.
 *
 * FAMFS_FUZZ_NOMOUNT=1 is a dry run of the fuzzer itself: nothing is
 * mounted, DEV may be anything and MNT is used as it is. The famfs ioctls
 * then meet files of another file system and must answer ENOTTY, and the
 * rows of allowed[] for objects outside famfs apply.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "famfs_util.h"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC		0x80000
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE	1
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE		2
#endif
#ifndef RENAME_WHITEOUT
#define RENAME_WHITEOUT		4
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define M2		FAMFS_M2
#define MIB		(1024ULL * 1024)
#define GIB		(1024 * MIB)

/*
 * Device memory other tests use, that valid maps leave alone: user space's
 * superblock and log below 64 MiB; from 256 MiB before the end of the
 * first 5 GiB on, and the last 512 MiB of the device, where famfs_stress
 * poisons pages; and the pages famfs_test's memory-failure cases poison,
 * at 210 and 212 MiB.
 */
#define LOW_RESERVED	(64 * MIB)
#define HIGH_RESERVED	(256 * MIB)
#define STRESS_POISON	(512 * MIB)
#define POISON_OFF	(208 * MIB)
#define POISON_LEN	(8 * MIB)
/* famfs_test's own floor */
#define MIN_DEV_SIZE	(5 * GIB - M2)
/* What a dry run pretends the device has */
#define DRY_DEV_SIZE	(8 * GIB)

/* Nothing this program maps lies below this, or at or above USER_TOP */
#define LOW_UNMAPPED	0x10000ULL
#define USER_TOP	0x800000000000ULL

#define NR_TOP		40	/* MNT/fNN */
#define NR_DIRS		4	/* MNT/dN */
#define NR_SUB		6	/* MNT/dN/fN */
#define NR_PATHS	(NR_TOP + NR_DIRS + NR_DIRS * NR_SUB)
#define NR_FDS		48
#define NR_REGIONS	8
#define NR_SLOTS	6
#define REC_BITS	16
#define NR_RECS		65536	/* 2 ^ REC_BITS */
#define RING		16
#define MAX_FAILS	10
#define IOBUF		(4 * MIB)
#define SCRATCH		(16 * 1024)
/* Regular files outside famfs are kept about this small */
#define X_MAX		(4 * MIB)

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

/* ----------------------------------------------------------------------- */
/* The generator: splitmix64, so that a seed replays a run */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0 to n - 1 */
static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* lo to hi, both included */
static uint64_t between(uint64_t lo, uint64_t hi)
{
	return lo + below(hi - lo + 1);
}

static bool pct(unsigned int p)
{
	return below(100) < p;
}

/* ----------------------------------------------------------------------- */
/* Answers: a set of errnos, bit 0 for success */

/* A set of answers is a __uint128_t: bit e for errno e, bit 0 for success */
#define EB(e)	((__uint128_t)1 << (e))
#define OK	EB(0)
#define E_ANY	(~(__uint128_t)0)
#define NR_ERRNO	128

static __uint128_t rbit(int err)
{
	return err >= 0 && err < NR_ERRNO ? EB(err) : 0;
}

static const char *errname(int err)
{
	static char buf[4][16];
	static unsigned int n;
	const char *s;

	if (!err)
		return "0";
	s = strerrorname_np(err);
	if (s)
		return s;
	n = (n + 1) % 4;
	snprintf(buf[n], sizeof(buf[n]), "errno %d", err);
	return buf[n];
}

static const char *mask_str(__uint128_t m)
{
	static char buf[2][512];
	static unsigned int n;
	size_t len = 0;
	int e;

	n ^= 1;
	buf[n][0] = 0;
	if (m == E_ANY)
		return "anything";
	for (e = 0; e < NR_ERRNO; e++)
		if ((m & EB(e)) && len < sizeof(buf[n]) - 32)
			len += snprintf(buf[n] + len, sizeof(buf[n]) - len,
					"%s%s", len ? " " : "",
					e ? errname(e) : "success");
	return len ? buf[n] : "nothing";
}

/* ----------------------------------------------------------------------- */
/* The verdict table */

/* What a call meets: a path (before the call) or a file descriptor */
enum kind {
	K_ABSENT,	/* no such name, in a famfs directory */
	K_XABSENT,	/* no such name, in a directory elsewhere */
	K_NOPARENT,	/* no such name, nor its directory */
	K_NOTDIR,	/* a component of the path is no directory */
	K_FREG,		/* a famfs regular file without a map */
	K_FMAP,		/* a famfs regular file with a map */
	K_FDIR,		/* a famfs directory */
	K_XREG,		/* a regular file elsewhere (tmpfs) */
	K_XDIR,		/* a directory elsewhere */
	K_CHR,		/* /dev/null */
	K_PIPE,		/* an end of a pipe */
	K_SOCK,		/* an end of a socket pair */
	K_OTHER,	/* anything else: fifos, symlinks... in a dry run */
	K_OPATH,	/* any of them, opened O_PATH (calls on an fd) */
	NR_KINDS
};

static const char *const kind_name[NR_KINDS] = {
	[K_ABSENT] = "no name in famfs", [K_XABSENT] = "no name elsewhere",
	[K_NOPARENT] = "no directory", [K_NOTDIR] = "path through a file",
	[K_FREG] = "famfs file without map", [K_FMAP] = "mapped famfs file",
	[K_FDIR] = "famfs directory", [K_XREG] = "file elsewhere",
	[K_XDIR] = "directory elsewhere", [K_CHR] = "/dev/null",
	[K_PIPE] = "pipe", [K_SOCK] = "socket", [K_OTHER] = "other object",
	[K_OPATH] = "O_PATH fd",
};

enum call {
	C_MAP_CREATE, C_MAP_CREATE_V2, C_MAP_GET, C_MAP_GETEXT,
	C_MAP_GET_V2, C_NOP, C_ADD_DAXDEV, C_GET_MAX_DAXDEV,
	C_IOC_OTHER,	/* another 'u' 0x50-0x5f number, or a random one */
	/* on a path */
	C_OPEN, C_OPEN_CREAT, C_OPEN_TMPFILE, C_MKDIR, C_RMDIR, C_UNLINK,
	C_RENAME, C_LINK, C_SYMLINK, C_MKNOD, C_MKNOD_REG, C_TRUNCATE,
	C_CHMOD, C_STAT,
	/* on a file descriptor */
	C_FTRUNCATE, C_FALLOCATE, C_FSTAT, C_GETDENTS, C_PREAD, C_PWRITE,
	C_MMAP, C_CLOSE,
	/* on a mapping */
	C_TOUCH, C_MUNMAP,
	NR_CALLS
};

static const char *const call_name[NR_CALLS] = {
	[C_MAP_CREATE] = "MAP_CREATE", [C_MAP_CREATE_V2] = "MAP_CREATE_V2",
	[C_MAP_GET] = "MAP_GET", [C_MAP_GETEXT] = "MAP_GETEXT",
	[C_MAP_GET_V2] = "MAP_GET_V2", [C_NOP] = "NOP",
	[C_ADD_DAXDEV] = "ADD_DAXDEV", [C_GET_MAX_DAXDEV] = "GET_MAX_DAXDEV",
	[C_IOC_OTHER] = "other ioctl", [C_OPEN] = "open",
	[C_OPEN_CREAT] = "open O_CREAT", [C_OPEN_TMPFILE] = "open O_TMPFILE",
	[C_MKDIR] = "mkdir", [C_RMDIR] = "rmdir", [C_UNLINK] = "unlink",
	[C_RENAME] = "rename", [C_LINK] = "link", [C_SYMLINK] = "symlink",
	[C_MKNOD] = "mknod", [C_MKNOD_REG] = "mknod S_IFREG",
	[C_TRUNCATE] = "truncate", [C_CHMOD] = "chmod", [C_STAT] = "stat",
	[C_FTRUNCATE] = "ftruncate", [C_FALLOCATE] = "fallocate",
	[C_FSTAT] = "fstat", [C_GETDENTS] = "getdents64", [C_PREAD] = "pread",
	[C_PWRITE] = "pwrite", [C_MMAP] = "mmap", [C_CLOSE] = "close",
	[C_TOUCH] = "touch", [C_MUNMAP] = "munmap",
};

#define ROW(...)	{ [0 ... NR_KINDS - 1] = 0, __VA_ARGS__ }
#define ALL(v)		{ [0 ... NR_KINDS - 1] = (v) }

/*
 * The VFS' answers to a path that does not lead anywhere (path_resolution(7)):
 * no such name, or a name under a file.
 */
#define LOOKUP_ROWS(...)						\
	[K_ABSENT] = EB(ENOENT) | (__VA_ARGS__),			\
	[K_XABSENT] = EB(ENOENT) | (__VA_ARGS__),			\
	[K_NOPARENT] = EB(ENOENT) | (__VA_ARGS__),			\
	[K_NOTDIR] = EB(ENOTDIR) | (__VA_ARGS__)

/* What creating a name answers where a name is already (EEXIST) */
#define EXIST_ROWS(...)							\
	[K_FREG] = EB(EEXIST) | (__VA_ARGS__),				\
	[K_FMAP] = EB(EEXIST) | (__VA_ARGS__),				\
	[K_FDIR] = EB(EEXIST) | (__VA_ARGS__),				\
	[K_XREG] = EB(EEXIST) | (__VA_ARGS__),				\
	[K_XDIR] = EB(EEXIST) | (__VA_ARGS__),				\
	[K_CHR] = EB(EEXIST) | (__VA_ARGS__),				\
	[K_OTHER] = E_ANY

/*
 * famfs.rst, "Giving a file its memory": the errnos of a refused map. The
 * caller is root, so EPERM (no CAP_SYS_RAWIO) should not come, but is
 * documented.
 */
#define E_MAP_CREATE	(OK | EB(EPERM) | EB(EBADF) | EB(EEXIST) |	\
			 EB(ENOSPC) | EB(E2BIG) | EB(EINVAL) | EB(ERANGE) | \
			 EB(EOVERFLOW) | EB(EFAULT) | EB(EIO) | EB(EFBIG))

#define E_ADD_DAXDEV	(OK | EB(EPERM) | EB(EINVAL) | EB(ENOENT) |	\
			 EB(EACCES) | EB(ENODEV) | EB(EOPNOTSUPP) |	\
			 EB(EBUSY) | EB(EEXIST) | EB(ERANGE) | EB(ENOSPC) | \
			 EB(EIO) | EB(EFAULT) | EB(ENOTDIR) | EB(ELOOP) | \
			 EB(ENAMETOOLONG))

/*
 * An ioctl on a file famfs does not own: vfs_ioctl() answers ENOTTY for a
 * file without ->unlocked_ioctl (famfs and tmpfs directories, tmpfs files,
 * /dev/null), and pipes and AF_UNIX sockets know no number of type 'u' nor
 * the random ones (which avoid the types the VFS, ttys, pipes and sockets
 * handle themselves). ioctl(2) on an O_PATH fd is EBADF.
 */
#define IOCTL_ROW(freg, fmap)						\
	ROW([K_FREG] = (freg), [K_FMAP] = (fmap),			\
	    [K_FDIR] = EB(ENOTTY), [K_XREG] = EB(ENOTTY),		\
	    [K_XDIR] = EB(ENOTTY), [K_CHR] = EB(ENOTTY),		\
	    [K_PIPE] = EB(ENOTTY), [K_SOCK] = EB(ENOTTY),		\
	    [K_OTHER] = E_ANY, [K_OPATH] = EB(EBADF))

/* What mmap(2) documents for arguments and modes; ENODEV: no ->mmap */
#define E_MMAP		(EB(EINVAL) | EB(EACCES) | EB(EPERM) |	\
			 EB(EOPNOTSUPP) | EB(ENOMEM) | EB(EOVERFLOW))

/* read(2), pread(2) and preadv2(2): modes, offsets, buffers and flags */
#define E_RW		(EB(EBADF) | EB(EINVAL) | EB(EFAULT) |	\
			 EB(EOPNOTSUPP))

/*
 * allowed[call][kind]: every answer a call may give. An empty entry is a
 * combination the fuzzer should never make, and fails. Each entry says
 * where its answers come from: famfs.rst (Documentation/filesystems/) for
 * famfs' own behaviour, the man page or generic VFS behaviour for the rest.
 * K_OTHER exists only in a dry run and is not judged.
 */
static const __uint128_t allowed[NR_CALLS][NR_KINDS] = {
	/* famfs.rst "Giving a file its memory" (EEXIST: once only) */
	[C_MAP_CREATE] = IOCTL_ROW(E_MAP_CREATE, E_MAP_CREATE),
	[C_MAP_CREATE_V2] = IOCTL_ROW(E_MAP_CREATE, E_MAP_CREATE),
	/*
	 * famfs.rst: the map as it was given, or ENODATA for a file without a
	 * map. Not in famfs.rst but famfs' code: EFAULT (an unwritable
	 * argument), EINVAL (MAP_GETEXT of an interleaved map), E2BIG
	 * (MAP_GET_V2 of more than one interleaved extent, see the uAPI
	 * header).
	 */
	[C_MAP_GET] = IOCTL_ROW(EB(ENODATA), OK | EB(EFAULT)),
	[C_MAP_GETEXT] = IOCTL_ROW(EB(ENODATA), OK | EB(EFAULT) | EB(EINVAL)),
	[C_MAP_GET_V2] = IOCTL_ROW(EB(ENODATA), OK | EB(EFAULT) | EB(E2BIG)),
	/* famfs.rst: NOP succeeds on every famfs regular file */
	[C_NOP] = IOCTL_ROW(OK, OK),
	/*
	 * famfs.rst "Several devices": ADD_DAXDEV on the superblock or log
	 * file, EINVAL on any other; the path's lookup errors besides the
	 * documented ones (ENOTDIR, ELOOP, ENAMETOOLONG: path_resolution(7))
	 */
	[C_ADD_DAXDEV] = IOCTL_ROW(EB(EINVAL), E_ADD_DAXDEV),
	/* GET_MAX_DAXDEV on any famfs regular file */
	[C_GET_MAX_DAXDEV] = IOCTL_ROW(OK | EB(EFAULT), OK | EB(EFAULT)),
	/* famfs' ioctl handler answers ENOTTY to numbers it does not know */
	[C_IOC_OTHER] = IOCTL_ROW(EB(ENOTTY), EB(ENOTTY)),

	/*
	 * open(2). ENOTDIR: O_DIRECTORY on a non-directory; EISDIR: a
	 * directory for writing or O_TRUNC; EINVAL: O_DIRECT where the file
	 * system has no direct I/O (famfs, directories, /dev/null), and, for
	 * a mapped famfs file, O_TRUNC (famfs.rst: truncation to another size
	 * fails with EINVAL).
	 */
	[C_OPEN] = ROW(LOOKUP_ROWS(0),
		       [K_FREG] = OK | EB(ENOTDIR) | EB(EINVAL),
		       [K_FMAP] = OK | EB(ENOTDIR) | EB(EINVAL),
		       [K_FDIR] = OK | EB(EISDIR) | EB(EINVAL),
		       [K_XREG] = OK | EB(ENOTDIR) | EB(EINVAL),
		       [K_XDIR] = OK | EB(EISDIR) | EB(EINVAL),
		       [K_CHR] = OK | EB(ENOTDIR) | EB(EINVAL),
		       [K_OTHER] = E_ANY),
	/*
	 * open(2) with O_CREAT: also EEXIST (O_EXCL), EINVAL (O_CREAT with
	 * O_DIRECTORY), EIO in famfs (famfs.rst: no new files after a
	 * memory failure).
	 */
	[C_OPEN_CREAT] = ROW([K_ABSENT] = OK | EB(EIO) | EB(EINVAL),
			     [K_XABSENT] = OK | EB(EINVAL),
			     [K_NOPARENT] = EB(ENOENT) | EB(EINVAL),
			     [K_NOTDIR] = EB(ENOTDIR) | EB(EINVAL),
			     [K_FREG] = OK | EB(EEXIST) | EB(EINVAL),
			     [K_FMAP] = OK | EB(EEXIST) | EB(EINVAL),
			     [K_FDIR] = EB(EEXIST) | EB(EISDIR) | EB(EINVAL),
			     [K_XREG] = OK | EB(EEXIST) | EB(EINVAL),
			     [K_XDIR] = EB(EEXIST) | EB(EISDIR) | EB(EINVAL),
			     [K_CHR] = OK | EB(EEXIST) | EB(EINVAL),
			     [K_OTHER] = E_ANY),
	/*
	 * famfs.rst "Not supported": O_TMPFILE fails with EOPNOTSUPP.
	 * open(2): EINVAL for O_TMPFILE without write access, ENOTDIR on a
	 * file.
	 */
	[C_OPEN_TMPFILE] = ROW(LOOKUP_ROWS(EB(EINVAL)),
			       [K_FREG] = EB(ENOTDIR) | EB(EINVAL),
			       [K_FMAP] = EB(ENOTDIR) | EB(EINVAL),
			       [K_FDIR] = EB(EOPNOTSUPP) | EB(EINVAL),
			       [K_XREG] = EB(ENOTDIR) | EB(EINVAL),
			       [K_XDIR] = OK | EB(EOPNOTSUPP) | EB(EINVAL),
			       [K_CHR] = EB(ENOTDIR) | EB(EINVAL),
			       [K_OTHER] = E_ANY),
	/* mkdir(2); famfs.rst: EIO after a memory failure */
	[C_MKDIR] = ROW([K_ABSENT] = OK | EB(EIO), [K_XABSENT] = OK,
			[K_NOPARENT] = EB(ENOENT), [K_NOTDIR] = EB(ENOTDIR),
			EXIST_ROWS(0)),
	/* rmdir(2) */
	[C_RMDIR] = ROW(LOOKUP_ROWS(0),
			[K_FREG] = EB(ENOTDIR), [K_FMAP] = EB(ENOTDIR),
			[K_FDIR] = OK | EB(ENOTEMPTY),
			[K_XREG] = EB(ENOTDIR),
			[K_XDIR] = OK | EB(ENOTEMPTY),
			[K_OTHER] = E_ANY),
	/* unlink(2): EISDIR for a directory (Linux) */
	[C_UNLINK] = ROW(LOOKUP_ROWS(0),
			 [K_FREG] = OK, [K_FMAP] = OK, [K_FDIR] = EB(EISDIR),
			 [K_XREG] = OK, [K_XDIR] = EB(EISDIR),
			 [K_OTHER] = E_ANY),
	/*
	 * rename(2) and renameat2(2), by the kind of the source: the target's
	 * lookup (ENOENT, ENOTDIR), EXDEV across mounts, EINVAL for bad
	 * flags, RENAME_WHITEOUT in famfs (simple_rename()) and a directory
	 * into itself, EEXIST (RENAME_NOREPLACE), ENOENT (RENAME_EXCHANGE
	 * with no target), EISDIR/ENOTDIR for a file over a directory and
	 * back, ENOTEMPTY for a target directory with entries or an
	 * ancestor of the source.
	 */
	[C_RENAME] = ROW(LOOKUP_ROWS(EB(ENOENT) | EB(ENOTDIR) | EB(EXDEV) |
				     EB(EINVAL)),
			 [K_FREG] = OK | EB(ENOENT) | EB(ENOTDIR) |
				    EB(EISDIR) | EB(EEXIST) | EB(ENOTEMPTY) |
				    EB(EXDEV) | EB(EINVAL),
			 [K_FMAP] = OK | EB(ENOENT) | EB(ENOTDIR) |
				    EB(EISDIR) | EB(EEXIST) | EB(ENOTEMPTY) |
				    EB(EXDEV) | EB(EINVAL),
			 [K_FDIR] = OK | EB(ENOENT) | EB(ENOTDIR) |
				    EB(EEXIST) | EB(ENOTEMPTY) | EB(EXDEV) |
				    EB(EINVAL),
			 [K_XREG] = OK | EB(ENOENT) | EB(ENOTDIR) |
				    EB(EISDIR) | EB(EEXIST) | EB(ENOTEMPTY) |
				    EB(EXDEV) | EB(EINVAL) | EB(EPERM),
			 [K_XDIR] = OK | EB(ENOENT) | EB(ENOTDIR) |
				    EB(EEXIST) | EB(ENOTEMPTY) | EB(EXDEV) |
				    EB(EINVAL) | EB(EPERM),
			 [K_OTHER] = E_ANY),
	/*
	 * link(2), by the kind of the source: EPERM for a directory, and
	 * the new name's EEXIST, ENOENT, ENOTDIR and EXDEV.
	 */
	[C_LINK] = ROW(LOOKUP_ROWS(0),
		       [K_FREG] = OK | EB(EEXIST) | EB(ENOENT) |
				  EB(ENOTDIR) | EB(EXDEV),
		       [K_FMAP] = OK | EB(EEXIST) | EB(ENOENT) |
				  EB(ENOTDIR) | EB(EXDEV),
		       [K_FDIR] = EB(EPERM) | EB(EEXIST) | EB(ENOENT) |
				  EB(ENOTDIR) | EB(EXDEV),
		       [K_XREG] = OK | EB(EEXIST) | EB(ENOENT) |
				  EB(ENOTDIR) | EB(EXDEV),
		       [K_XDIR] = EB(EPERM) | EB(EEXIST) | EB(ENOENT) |
				  EB(ENOTDIR) | EB(EXDEV),
		       [K_OTHER] = E_ANY),
	/* famfs.rst "Not supported": symlink(2) fails with EPERM */
	[C_SYMLINK] = ROW([K_ABSENT] = EB(EPERM), [K_XABSENT] = OK,
			  [K_NOPARENT] = EB(ENOENT), [K_NOTDIR] = EB(ENOTDIR),
			  EXIST_ROWS(0)),
	/*
	 * famfs.rst "Not supported": mknod(2) of a device node, fifo or
	 * socket fails with EPERM. mknod(2): EPERM for S_IFDIR, EINVAL for
	 * an unknown type, both before the lookup.
	 */
	[C_MKNOD] = ROW([K_ABSENT] = EB(EPERM) | EB(EINVAL),
			[K_XABSENT] = OK | EB(EPERM) | EB(EINVAL),
			[K_NOPARENT] = EB(ENOENT) | EB(EPERM) | EB(EINVAL),
			[K_NOTDIR] = EB(ENOTDIR) | EB(EPERM) | EB(EINVAL),
			EXIST_ROWS(EB(EPERM) | EB(EINVAL))),
	/*
	 * mknod(2) of S_IFREG (or type 0) creates a regular file, as creat()
	 * does (not in famfs.rst, which says mknod fails with EPERM).
	 */
	[C_MKNOD_REG] = ROW([K_ABSENT] = OK | EB(EIO), [K_XABSENT] = OK,
			    [K_NOPARENT] = EB(ENOENT),
			    [K_NOTDIR] = EB(ENOTDIR), EXIST_ROWS(0)),
	/*
	 * truncate(2): famfs.rst: to any size but the file's own, EINVAL;
	 * EISDIR for a directory, EINVAL for a negative length or a
	 * non-regular file.
	 */
	[C_TRUNCATE] = ROW(LOOKUP_ROWS(EB(EINVAL)),
			   [K_FREG] = OK | EB(EINVAL),
			   [K_FMAP] = OK | EB(EINVAL),
			   [K_FDIR] = EB(EISDIR) | EB(EINVAL),
			   [K_XREG] = OK | EB(EINVAL) | EB(EFBIG),
			   [K_XDIR] = EB(EISDIR) | EB(EINVAL),
			   [K_CHR] = EB(EINVAL), [K_OTHER] = E_ANY),
	/* chmod(2) and stat(2): lookup errors only */
	[C_CHMOD] = ROW(LOOKUP_ROWS(0), [K_FREG] = OK, [K_FMAP] = OK,
			[K_FDIR] = OK, [K_XREG] = OK, [K_XDIR] = OK,
			[K_OTHER] = E_ANY),
	[C_STAT] = ROW(LOOKUP_ROWS(0), [K_FREG] = OK, [K_FMAP] = OK,
		       [K_FDIR] = OK, [K_XREG] = OK, [K_XDIR] = OK,
		       [K_CHR] = OK, [K_OTHER] = E_ANY),

	/*
	 * ftruncate(2): as truncate; EINVAL for an fd not open for writing
	 * or not a regular file, EBADF for O_PATH.
	 */
	[C_FTRUNCATE] = ROW([K_FREG] = OK | EB(EINVAL),
			    [K_FMAP] = OK | EB(EINVAL),
			    [K_FDIR] = EB(EINVAL),
			    [K_XREG] = OK | EB(EINVAL) | EB(EFBIG),
			    [K_XDIR] = EB(EINVAL), [K_CHR] = EB(EINVAL),
			    [K_PIPE] = EB(EINVAL), [K_SOCK] = EB(EINVAL),
			    [K_OTHER] = E_ANY,
			    [K_OPATH] = EB(EBADF) | EB(EINVAL)),
	/*
	 * famfs.rst "Not supported": fallocate(2) fails with EOPNOTSUPP;
	 * fallocate(2) checks its arguments first: EINVAL, EOPNOTSUPP (bad
	 * mode), EBADF (not for writing), EFBIG, then ESPIPE (pipe), EISDIR,
	 * ENODEV (not a regular file).
	 */
	[C_FALLOCATE] = ROW([K_FREG] = EB(EOPNOTSUPP) | EB(EINVAL) |
				       EB(EBADF) | EB(EFBIG),
			    [K_FMAP] = EB(EOPNOTSUPP) | EB(EINVAL) |
				       EB(EBADF) | EB(EFBIG),
			    [K_FDIR] = EB(EISDIR) | EB(EOPNOTSUPP) |
				       EB(EINVAL) | EB(EBADF),
			    [K_XREG] = OK | EB(EOPNOTSUPP) | EB(EINVAL) |
				       EB(EBADF) | EB(EFBIG) | EB(ENOSPC),
			    [K_XDIR] = EB(EISDIR) | EB(EOPNOTSUPP) |
				       EB(EINVAL) | EB(EBADF),
			    [K_CHR] = EB(ENODEV) | EB(EOPNOTSUPP) |
				      EB(EINVAL) | EB(EBADF),
			    [K_PIPE] = EB(ESPIPE) | EB(EOPNOTSUPP) |
				       EB(EINVAL) | EB(EBADF),
			    [K_SOCK] = EB(ENODEV) | EB(EOPNOTSUPP) |
				       EB(EINVAL) | EB(EBADF),
			    [K_OTHER] = E_ANY, [K_OPATH] = EB(EBADF)),
	/* fstat(2) works on every fd, O_PATH too */
	[C_FSTAT] = ALL(OK),
	/*
	 * getdents64(2): EINVAL for a buffer too small for an entry, EFAULT
	 * for a bad one, ENOENT for a directory that was removed, ENOTDIR
	 * for a non-directory, EBADF for O_PATH.
	 */
	[C_GETDENTS] = ROW([K_FREG] = EB(ENOTDIR), [K_FMAP] = EB(ENOTDIR),
			   [K_FDIR] = OK | EB(EINVAL) | EB(EFAULT) |
				      EB(ENOENT),
			   [K_XREG] = EB(ENOTDIR),
			   [K_XDIR] = OK | EB(EINVAL) | EB(EFAULT) |
				      EB(ENOENT),
			   [K_CHR] = EB(ENOTDIR), [K_PIPE] = EB(ENOTDIR),
			   [K_SOCK] = EB(ENOTDIR), [K_OTHER] = E_ANY,
			   [K_OPATH] = EB(EBADF)),
	/*
	 * pread(2)/preadv2(2): famfs.rst: a file without a map has no data,
	 * ENODATA (a zero-length preadv2 returns 0 before famfs sees it);
	 * a mapped file reads up to its end, EIO on failed memory (famfs.rst
	 * "The dax holder"); EAGAIN for RWF_NOWAIT; ESPIPE for pipes and
	 * sockets; EISDIR for directories; E_RW for the arguments.
	 */
	[C_PREAD] = ROW([K_FREG] = OK | EB(ENODATA) | E_RW,
			[K_FMAP] = OK | EB(EIO) | EB(EAGAIN) | E_RW,
			[K_FDIR] = OK | EB(EISDIR) | E_RW,
			[K_XREG] = OK | EB(EAGAIN) | E_RW,
			[K_XDIR] = OK | EB(EISDIR) | E_RW,
			[K_CHR] = OK | EB(EAGAIN) | E_RW,
			[K_PIPE] = EB(ESPIPE) | E_RW,
			[K_SOCK] = EB(ESPIPE) | E_RW, [K_OTHER] = E_ANY,
			[K_OPATH] = EB(EBADF) | EB(EINVAL)),
	/*
	 * pwrite(2)/pwritev2(2): famfs.rst: ENODATA without a map, ENOSPC for
	 * a write at or past the end; EAGAIN for RWF_NOWAIT (time stamps
	 * need updating); the rest as for reads.
	 */
	[C_PWRITE] = ROW([K_FREG] = OK | EB(ENODATA) | E_RW,
			 [K_FMAP] = OK | EB(ENOSPC) | EB(EIO) | EB(EAGAIN) |
				    E_RW,
			 [K_FDIR] = E_RW,
			 [K_XREG] = OK | EB(EAGAIN) | EB(EFBIG) | EB(ENOSPC) |
				    E_RW,
			 [K_XDIR] = E_RW,
			 [K_CHR] = OK | EB(EAGAIN) | E_RW,
			 [K_PIPE] = EB(ESPIPE) | E_RW,
			 [K_SOCK] = EB(ESPIPE) | E_RW, [K_OTHER] = E_ANY,
			 [K_OPATH] = EB(EBADF) | EB(EINVAL)),
	/*
	 * mmap(2): famfs.rst: ENODATA for a file without a map. EPERM for
	 * PROT_EXEC on the noexec famfs mount, EOPNOTSUPP for MAP_SYNC
	 * (famfs does not offer it), ENODEV for a file without ->mmap.
	 */
	[C_MMAP] = ROW([K_FREG] = EB(ENODATA) | E_MMAP,
		       [K_FMAP] = OK | E_MMAP,
		       [K_FDIR] = EB(ENODEV) | E_MMAP,
		       [K_XREG] = OK | E_MMAP,
		       [K_XDIR] = EB(ENODEV) | E_MMAP,
		       [K_CHR] = EB(ENODEV) | E_MMAP,
		       [K_PIPE] = EB(ENODEV) | E_MMAP,
		       [K_SOCK] = EB(ENODEV) | E_MMAP, [K_OTHER] = E_ANY,
		       [K_OPATH] = EB(EBADF) | EB(EINVAL)),
	/* close(2) of an fd the fuzzer holds, munmap(2) of what it mapped */
	[C_CLOSE] = ALL(OK),
	[C_MUNMAP] = ALL(OK),
	/* loads and stores: judged by where they are, see op_touch() */
	[C_TOUCH] = ALL(OK),
};

/* ----------------------------------------------------------------------- */
/* The run */

static const char *dev_path, *mnt;

/*
 * The devices: xdev[0] is dev_path, the others come from FAMFS_DEVS. The
 * mount knows nr_known of them: index i is xdev[known[i]].
 */
#define NR_XDEVS	4
static const char *xdev[NR_XDEVS];
static uint64_t xdev_size[NR_XDEVS];
static unsigned int nr_xdevs = 1, nr_known = 1, known[NR_XDEVS];
static bool dry_run;
static uint64_t seed, nr_calls, step;
static uint64_t dev_size, usable_hi;
static uint64_t pg;
static dev_t famfs_dev;
static bool have_famfs;

static char tmp_dir[64], tmp_file[96], tmp_sub[96], tmp_target[128];
static mode_t mnt_mode;

/* What the current call is, and what it answered; the last RING calls */
static char desc[1536];
static char result[128];
static struct {
	uint64_t step;
	char text[512];
} ring[RING];

static unsigned int nr_fail;
static bool stop;
static uint64_t nr_ok, nr_refused, nr_sigbus, nr_faults_allowed;
static uint64_t by_errno[NR_ERRNO];

static void describe(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	result[0] = 0;
}

static void describe_more(const char *fmt, ...)
{
	size_t len = strlen(desc);
	va_list ap;

	if (len >= sizeof(desc) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(desc + len, sizeof(desc) - len, fmt, ap);
	va_end(ap);
}

static void set_result(long long ret, int err)
{
	if (ret < 0)
		snprintf(result, sizeof(result), "-1 %s", errname(err));
	else
		snprintf(result, sizeof(result), "%lld", ret);
}

static void ring_push(void)
{
	unsigned int i = step % RING;

	ring[i].step = step;
	snprintf(ring[i].text, sizeof(ring[i].text), "%.440s = %.48s",
		 desc, result[0] ? result : "?");
}

static void print_ring(void)
{
	uint64_t s;

	printf("# the calls before it:\n");
	for (s = step > RING ? step - RING : 1; s < step; s++) {
		unsigned int i = s % RING;

		if (ring[i].step == s)
			printf("#   step %llu: %s\n", (unsigned long long)s,
			       ring[i].text);
	}
}

static void fail(const char *fmt, ...)
{
	char why[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("# not ok: seed %llu step %llu: %s = %s: %s\n",
	       (unsigned long long)seed, (unsigned long long)step, desc,
	       result[0] ? result : "?", why);
	print_ring();
	fflush(stdout);
	if (++nr_fail >= MAX_FAILS)
		stop = true;
}

/* The main call of a step answered @err (0: success) */
static void count(int err)
{
	if (!err) {
		nr_ok++;
	} else {
		nr_refused++;
		if (err > 0 && err < NR_ERRNO)
			by_errno[err]++;
	}
}

/*
 * Judge an answer: it must be in allowed[], and, where the fuzzer knows
 * exactly what famfs.rst says must happen (@exp, 0 if it does not), in
 * @exp too.
 */
static void verdict(enum call c, enum kind k, int err, __uint128_t exp)
{
	__uint128_t bit = rbit(err), ok = allowed[c][k];

	if (!ok) {
		fail("%s on a %s: no entry in allowed[]", call_name[c],
		     kind_name[k]);
		return;
	}
	if (!(ok & bit)) {
		fail("%s on a %s may answer %s, not %s", call_name[c],
		     kind_name[k], mask_str(ok), errname(err));
		return;
	}
	if (exp && !(exp & bit))
		fail("%s on a %s: expected %s, not %s", call_name[c],
		     kind_name[k], mask_str(exp), errname(err));
}

/* ----------------------------------------------------------------------- */
/*
 * Argument memory. Slots of two writable pages, each followed by a
 * PROT_NONE guard page; read-only pages, each followed by a guard; one more
 * PROT_NONE page; a scratch buffer and the I/O buffer, each followed by a
 * guard. The fuzzer knows what every page of it is, so it can tell, as the
 * kernel will find out, whether an argument can be read.
 */

static uint8_t *arena;
static uint64_t arena_len;
static uint8_t *page_prot;	/* PROT_* of each page of the arena */
static uint8_t *slot_rw[NR_SLOTS], *slot_ro[NR_SLOTS];
static uint8_t *none_page, *scratch, *iobuf;

static uint8_t *slot_end(unsigned int slot)
{
	return slot_rw[slot] + 2 * pg;
}

static int arena_part(uint64_t *page, uint64_t pages, int prot)
{
	uint8_t *p = arena + *page * pg;
	uint64_t i;

	for (i = 0; i < pages; i++)
		page_prot[*page + i] = prot;
	*page += pages + 1;	/* and the guard */
	if (prot != PROT_NONE && mprotect(p, pages * pg, prot))
		return -1;
	return 0;
}

static int arena_setup(void)
{
	uint64_t pages, page = 0;
	unsigned int i;
	int err = 0;

	pages = NR_SLOTS * 3 + NR_SLOTS * 2 + 1 + SCRATCH / pg + 1 +
		IOBUF / pg + 1;
	arena_len = pages * pg;
	arena = mmap(NULL, arena_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	page_prot = calloc(pages, 1);
	if (arena == MAP_FAILED || !page_prot)
		return -1;
	for (i = 0; i < NR_SLOTS; i++) {
		slot_rw[i] = arena + page * pg;
		err |= arena_part(&page, 2, PROT_READ | PROT_WRITE);
	}
	for (i = 0; i < NR_SLOTS; i++) {
		slot_ro[i] = arena + page * pg;
		err |= arena_part(&page, 1, PROT_READ);
	}
	none_page = arena + page * pg;
	page++;
	scratch = arena + page * pg;
	err |= arena_part(&page, SCRATCH / pg, PROT_READ | PROT_WRITE);
	iobuf = arena + page * pg;
	err |= arena_part(&page, IOBUF / pg, PROT_READ | PROT_WRITE);
	return err;
}

/* Whether the kernel can read @n bytes at user address @addr */
enum reach { R_YES, R_NO, R_UNKNOWN };

static enum reach reach(uint64_t addr, uint64_t n)
{
	uint64_t end, lo = (uintptr_t)arena, hi = lo + arena_len, a;
	bool unknown = false;

	if (!n)
		return R_YES;
	if (__builtin_add_overflow(addr, n, &end) || end > USER_TOP - pg ||
	    addr < LOW_UNMAPPED)
		return R_NO;
	for (a = addr & ~(pg - 1); a < end; a += pg) {
		if (a < lo || a >= hi)
			unknown = true;
		else if (!(page_prot[(a - lo) / pg] & PROT_READ))
			return R_NO;
	}
	return unknown ? R_UNKNOWN : R_YES;
}

/* Read what the kernel would read */
static enum reach fetch(uint64_t addr, void *out, uint64_t n)
{
	enum reach r = reach(addr, n);

	if (r == R_YES)
		memcpy(out, (void *)(uintptr_t)addr, n);
	return r;
}

/* Where an argument goes */
enum place {
	P_GOOD,		/* a writable slot */
	P_END,		/* its last byte the last before a guard page */
	P_SHORT,	/* one byte further: the last byte is on the guard */
	P_RO,		/* a read-only page */
	P_NULL,
	P_BAD,		/* memory no one maps */
	P_RANDOM,	/* a random value that is not a user address */
	NR_PLACES
};

static const char *const place_name[NR_PLACES] = {
	"good", "end", "short", "ro", "null", "bad", "random",
};

static uint64_t bad_addr(void)
{
	switch (below(6)) {
	case 0:
		return 0;
	case 1:
		return 0x1000;
	case 2:
		return (uintptr_t)none_page + below(pg);
	case 3:
		return (uintptr_t)slot_end(below(NR_SLOTS)) + below(pg);
	case 4:
		return 0xffff888000000000ULL;	/* kernel memory */
	default:
		return 1ULL << 63;		/* not canonical */
	}
}

static enum place pick_place(void)
{
	static const enum place bad[] = {
		P_END, P_SHORT, P_RO, P_NULL, P_BAD, P_RANDOM,
	};

	return bad[below(ARRAY_SIZE(bad))];
}

/* Put @len bytes at @p in @slot: the address the kernel gets */
static uint64_t place(enum place p, unsigned int slot, const void *src,
		      size_t len)
{
	uint8_t *end = slot_end(slot);

	switch (p) {
	case P_GOOD:
		memcpy(slot_rw[slot], src, len);
		return (uintptr_t)slot_rw[slot];
	case P_END:
		memcpy(end - len, src, len);
		return (uintptr_t)(end - len);
	case P_SHORT:
		memcpy(end - len + 1, src, len - 1);
		return (uintptr_t)(end - len + 1);
	case P_RO:
		if (mprotect(slot_ro[slot], pg, PROT_READ | PROT_WRITE))
			return 0;
		memcpy(slot_ro[slot], src, len);
		mprotect(slot_ro[slot], pg, PROT_READ);
		return (uintptr_t)slot_ro[slot];
	case P_NULL:
		return 0;
	case P_BAD:
		return bad_addr();
	default:
		return rnd() | (1ULL << 63);
	}
}

/*
 * Where the kernel writes an answer of up to @len bytes: how many bytes
 * from there it may write (@room), filled with 0xa5 to see what it wrote.
 */
static uint8_t *place_out(enum place p, unsigned int slot, size_t len,
			  size_t *room)
{
	uint8_t *end = slot_end(slot);

	switch (p) {
	case P_GOOD:
		*room = 2 * pg;
		memset(slot_rw[slot], 0xa5, *room);
		return slot_rw[slot];
	case P_END:
		*room = len;
		memset(end - len, 0xa5, len);
		return end - len;
	case P_SHORT:
		*room = len - 1;
		memset(end - len + 1, 0xa5, len - 1);
		return end - len + 1;
	case P_RO:
		*room = 0;
		return slot_ro[slot];
	default:
		*room = 0;
		return (uint8_t *)(uintptr_t)bad_addr();
	}
}

/* ----------------------------------------------------------------------- */
/* What the fuzzer knows of famfs inodes: whether, and how, they are mapped */

struct expect {
	uint32_t ext_type;
	uint32_t nr_ext;
	bool v1_ok;			/* ABI 42 can describe it */
	bool v2_ok;			/* MAP_GET_V2 can return it */
	struct famfs_ioc_map v1;	/* what MAP_GET returns */
	struct famfs_ioc_get_fmap v2;	/* what MAP_GET_V2 returns */
};

struct rec {
	uint64_t ino;
	uint64_t size;
	bool used, mapped, tainted;
	struct expect *exp;	/* NULL: mapped with what is not known */
};

static struct rec recs[NR_RECS];
static unsigned int nr_recs;

static struct rec *rec_get(uint64_t ino)
{
	unsigned int i = (ino * 0x9e3779b97f4a7c15ULL) >> (64 - REC_BITS);

	while (recs[i].used && recs[i].ino != ino)
		i = (i + 1) % NR_RECS;
	if (!recs[i].used) {
		/* full enough: stop learning new inodes */
		if (nr_recs >= NR_RECS / 4 * 3)
			return NULL;
		recs[i].used = true;
		recs[i].ino = ino;
		nr_recs++;
	}
	return &recs[i];
}

/* ----------------------------------------------------------------------- */
/* Names and file descriptors */

/* MNT/fNN, MNT/dN, MNT/dN/fN: every object the fuzzer makes is one */
static char *paths[NR_PATHS];
static int parent_of[NR_PATHS];	/* index in paths[], -1 for MNT */

struct target {
	const char *path;
	const char *parent;	/* NULL: a directory that always exists */
	bool famfs_parent;	/* ... and is famfs' */
	bool pool;		/* one of paths[] */
};

static void pool_target(struct target *t, unsigned int i)
{
	t->path = paths[i];
	t->parent = parent_of[i] < 0 ? NULL : paths[parent_of[i]];
	t->famfs_parent = have_famfs;
	t->pool = true;
}

static void pick_pool(struct target *t)
{
	pool_target(t, below(NR_PATHS));
}

static void special_target(struct target *t, const char *path)
{
	t->path = path;
	t->parent = NULL;
	t->famfs_parent = have_famfs && path == mnt;
	t->pool = false;
}

struct ofd {
	int fd;			/* -1: a free entry */
	int flags;		/* as opened */
	enum kind hint;		/* what it was when last looked at */
	bool opath;
	const char *name;
};

static struct ofd fds[NR_FDS];

static bool fd_readable(const struct ofd *o)
{
	return !o->opath && (o->flags & O_ACCMODE) != O_WRONLY;
}

static bool fd_writable(const struct ofd *o)
{
	return !o->opath && (o->flags & O_ACCMODE) != O_RDONLY;
}

static const char *fd_desc(const struct ofd *o)
{
	static char buf[2][256];
	static unsigned int n;
	int acc = o->flags & O_ACCMODE;

	n ^= 1;
	snprintf(buf[n], sizeof(buf[n]), "fd %d %s %s%s%s", o->fd, o->name,
		 o->opath ? "O_PATH" : acc == O_RDONLY ? "O_RDONLY" :
		 acc == O_WRONLY ? "O_WRONLY" : "O_RDWR",
		 o->flags & O_APPEND ? "|O_APPEND" : "",
		 o->flags & O_DIRECTORY ? "|O_DIRECTORY" : "");
	return buf[n];
}

/* A famfs regular file, checked against what the fuzzer knows of it */
static enum kind famfs_reg_kind(const struct stat *st, struct rec **recp)
{
	struct rec *r = rec_get(st->st_ino);

	*recp = r;
	if (!r)
		return st->st_size ? K_FMAP : K_FREG;
	if (r->mapped) {
		if ((uint64_t)st->st_size != r->size)
			fail("famfs inode %llu: st_size %lld, not %llu as its map made it",
			     (unsigned long long)st->st_ino,
			     (long long)st->st_size,
			     (unsigned long long)r->size);
		return K_FMAP;
	}
	if (st->st_size)
		fail("famfs inode %llu has no map but st_size %lld",
		     (unsigned long long)st->st_ino, (long long)st->st_size);
	return K_FREG;
}

static enum kind kind_of(const struct stat *st, bool fd, struct rec **recp)
{
	bool famfs = have_famfs && st->st_dev == famfs_dev;

	*recp = NULL;
	if (S_ISREG(st->st_mode))
		return famfs ? famfs_reg_kind(st, recp) : K_XREG;
	if (S_ISDIR(st->st_mode))
		return famfs ? K_FDIR : K_XDIR;
	if (famfs)
		fail("famfs holds a node of mode %#o: not a directory or regular file",
		     st->st_mode);
	if (S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3))
		return K_CHR;
	if (fd && S_ISFIFO(st->st_mode))
		return K_PIPE;
	if (fd && S_ISSOCK(st->st_mode))
		return K_SOCK;
	return K_OTHER;
}

/* What @o is now (fstat), K_OPATH for O_PATH */
static enum kind classify_fd(struct ofd *o, struct stat *st, struct rec **recp)
{
	enum kind k;

	*recp = NULL;
	if (fstat(o->fd, st)) {
		fail("fstat(%s): %s", fd_desc(o), errname(errno));
		memset(st, 0, sizeof(*st));
		return K_OTHER;
	}
	k = kind_of(st, true, recp);
	o->hint = k;
	return o->opath ? K_OPATH : k;
}

/* What a path leads to now (lstat) */
static enum kind classify_path(const struct target *t, struct stat *st,
			       struct rec **recp)
{
	struct stat pst;

	*recp = NULL;
	if (!lstat(t->path, st))
		return kind_of(st, false, recp);
	memset(st, 0, sizeof(*st));
	if (errno == ENOTDIR)
		return K_NOTDIR;
	if (errno != ENOENT) {
		fail("lstat(%s): %s", t->path, errname(errno));
		return K_OTHER;
	}
	if (!t->parent)
		return t->famfs_parent ? K_ABSENT : K_XABSENT;
	if (lstat(t->parent, &pst))
		return K_NOPARENT;
	return have_famfs && pst.st_dev == famfs_dev ? K_ABSENT : K_XABSENT;
}

static bool is_famfs_reg(enum kind k)
{
	return k == K_FREG || k == K_FMAP;
}

/* Whether lstat() found something */
static bool exists(enum kind k)
{
	return k != K_ABSENT && k != K_XABSENT && k != K_NOPARENT &&
	       k != K_NOTDIR;
}

/* ----------------------------------------------------------------------- */
/* Maps */

/* Device memory for @len bytes of a valid map: clear of what others use */
static uint64_t pick_dev_off(uint64_t len)
{
	uint64_t lo1 = LOW_RESERVED, hi1 = POISON_OFF;
	uint64_t lo2 = POISON_OFF + POISON_LEN, hi2 = usable_hi;
	uint64_t lo, hi;

	len = (len + M2 - 1) & ~(M2 - 1);
	if (hi1 - lo1 >= len && (hi2 - lo2 < len ||
				 below(hi1 - lo1 + hi2 - lo2) < hi1 - lo1)) {
		lo = lo1;
		hi = hi1;
	} else {
		lo = lo2;
		hi = hi2;
	}
	if (hi - lo < len)	/* more than the device has: never valid */
		return lo;
	return lo + M2 * below((hi - lo - len) / M2 + 1);
}

/* Whether [off, off + len) touches memory that valid maps leave alone */
static bool reserved(uint64_t off, uint64_t len)
{
	uint64_t end;

	if (__builtin_add_overflow(off, len, &end) || end > usable_hi ||
	    off < LOW_RESERVED)
		return true;
	return off < POISON_OFF + POISON_LEN && end > POISON_OFF;
}

/*
 * The device of a strip of @len bytes of a valid map, and its offset
 * there: mostly device 0, sometimes another device the mount knows.
 */
static void pick_strip(struct famfs_ioc_simple_extent *se, uint64_t len)
{
	uint64_t room, size;

	se->devindex = 0;
	se->len = len;
	if (nr_known > 1 && pct(30)) {
		se->devindex = between(1, nr_known - 1);
		size = xdev_size[known[se->devindex]];
		room = (len + M2 - 1) & ~(M2 - 1);
		if (room + M2 <= size) {
			/* not offset 0: a superblock's place */
			se->offset = M2 * between(1, (size - room) / M2);
			return;
		}
		se->devindex = 0;
	}
	se->offset = pick_dev_off(len);
}

/* A multiple of 2 MiB, mostly small */
static uint64_t pick_len(void)
{
	unsigned int r = below(100);

	if (r < 35)
		return M2;
	if (r < 65)
		return 2 * M2;
	if (r < 92)
		return between(1, 8) * M2;
	if (r < 99)
		return between(9, 256) * M2;
	return between(257, 640) * M2;
}

/* A file size for extents of @total bytes, the last of @last bytes */
static uint64_t pick_size(uint64_t total, uint64_t last)
{
	unsigned int r = below(100);

	if (r < 50)
		return total;
	if (r < 80)
		return total - below(last);
	return between(1, total);
}

static uint32_t pick_file_type(void)
{
	if (pct(90))
		return FAMFS_REG;
	return pct(50) ? FAMFS_SUPERBLOCK : FAMFS_LOG;
}

/* Chunks of an interleaved extent strip @j of @ns gets */
static uint64_t strip_chunks(uint64_t chunks, uint64_t ns, uint64_t j)
{
	return chunks / ns + (j < chunks % ns);
}

/* What a MAP_CREATE or MAP_CREATE_V2 call is made of */
struct mapbuild {
	bool v2;
	struct famfs_ioc_map m1;
	struct famfs_ioc_fmap f;
	union {
		struct famfs_ioc_simple_extent kse[FAMFS_MAX_EXTENTS + 1];
		struct famfs_ioc_interleaved_ext
			kie[FAMFS_IOC_MAX_INTERLEAVED_EXTENTS + 1];
	} a;
	struct famfs_ioc_simple_extent
		strips[FAMFS_IOC_MAX_INTERLEAVED_EXTENTS][FAMFS_MAX_STRIPS + 1];
	bool interleaved;	/* as built */
	enum place ptop, parr, pstrip[FAMFS_IOC_MAX_INTERLEAVED_EXTENTS];
	char how[160];		/* what was done to it */
};

static void gen_simple(struct famfs_ioc_simple_extent *se, uint32_t *n,
		       uint64_t *size)
{
	uint64_t total = 0, len = 0;
	uint32_t i;

	*n = pct(70) ? 1 : 2;
	for (i = 0; i < *n; i++) {
		len = pick_len();
		/* the last extent may end on any page */
		if (i == *n - 1 && pct(30))
			len = len - M2 + pg * between(1, M2 / pg);
		pick_strip(&se[i], len);
		total += len;
	}
	*size = pick_size(total, len);
}

static void gen_interleaved(struct mapbuild *b, uint32_t *n, uint64_t *size)
{
	uint64_t total = 0, nbytes = 0;
	uint32_t i, j;

	*n = pct(60) ? 1 : between(2, FAMFS_IOC_MAX_INTERLEAVED_EXTENTS);
	for (i = 0; i < *n; i++) {
		struct famfs_ioc_interleaved_ext *ie = &b->a.kie[i];
		uint64_t ns, chunk, chunks;

		ns = pct(60) ? between(1, 4) : between(1, FAMFS_MAX_STRIPS);
		chunk = M2 << (pct(80) ? below(3) : below(6));
		chunks = between(1, ns * 3);
		if (chunks * chunk > 512 * MIB)
			chunks = 512 * MIB / chunk;
		nbytes = chunks * chunk;
		/* the last interleaved extent may end on any byte */
		if (i == *n - 1)
			nbytes -= below(chunk);
		for (j = 0; j < ns; j++) {
			uint64_t slen = strip_chunks(chunks, ns, j) * chunk;

			if (!slen)
				slen = M2;
			if (pct(15))
				slen += between(1, 2) * M2;
			pick_strip(&b->strips[i][j], slen);
		}
		ie->ie_nstrips = ns;
		ie->ie_chunk_size = chunk;
		ie->ie_nbytes = nbytes;
		ie->ie_strips = 0;
		total += nbytes;
	}
	*size = pick_size(total, nbytes);
}

/* A valid map, of either ABI */
static void gen_map(struct mapbuild *b, bool v2)
{
	uint64_t size;
	uint32_t n, i;

	memset(b, 0, sizeof(*b));
	b->v2 = v2;
	if (!v2) {
		struct famfs_ioc_simple_extent se[FAMFS_MAX_EXTENTS];

		gen_simple(se, &n, &size);
		b->m1.extent_type = FAMFS_EXT_SIMPLE;
		b->m1.file_type = pick_file_type();
		b->m1.file_size = size;
		b->m1.ext_list_count = n;
		for (i = 0; i < n; i++) {
			b->m1.ext_list[i].offset = se[i].offset;
			b->m1.ext_list[i].len = se[i].len;
		}
		return;
	}
	b->interleaved = pct(70);
	if (b->interleaved)
		gen_interleaved(b, &n, &size);
	else
		gen_simple(b->a.kse, &n, &size);
	b->f.fioc_file_size = size;
	b->f.fioc_file_type = pick_file_type();
	b->f.fioc_ext_type = b->interleaved ? FAMFS_EXT_INTERLEAVE :
					      FAMFS_EXT_SIMPLE;
	b->f.fioc_nextents = n;
}

/* A value near @v, or at an edge */
static uint64_t mutate(uint64_t v, unsigned int width)
{
	uint64_t mask = width == 4 ? 0xffffffffULL : ~0ULL;

	switch (below(15)) {
	case 0:
		v = rnd();
		break;
	case 1:
		v = 0;
		break;
	case 2:
		v = ~0ULL;
		break;
	case 3:
		v += 1;
		break;
	case 4:
		v -= 1;
		break;
	case 5:
		v = 1ULL << (width * 8 - 1);
		break;
	case 6:
		v += M2;
		break;
	case 7:
		v -= M2;
		break;
	case 8:
		v *= 2;
		break;
	case 9:
		v += pg;
		break;
	case 10:
		v = dev_size - below(3) * M2;
		break;
	case 11:
		v = below(20);
		break;
	case 12:
		v ^= 1ULL << below(width * 8);
		break;
	case 13:
		v = 0ULL - M2;
		break;
	default:
		v = usable_hi + below(2) * M2;
		break;
	}
	return v & mask;
}

struct field {
	void *p;
	unsigned int width;
	char name[40];
};

static unsigned int add_field(struct field *f, unsigned int n, void *p,
			      unsigned int width, const char *fmt, ...)
{
	va_list ap;

	f[n].p = p;
	f[n].width = width;
	va_start(ap, fmt);
	vsnprintf(f[n].name, sizeof(f[n].name), fmt, ap);
	va_end(ap);
	return n + 1;
}

#define MAX_FIELDS	(8 + 3 * 3 + 5 * 3 + 4 * 17 * 3)

/* The numbers of a map, pointers aside; those the kernel ignores too */
static unsigned int map_fields(struct mapbuild *b, struct field *f)
{
	unsigned int n = 0, i, j;

	if (!b->v2) {
		struct famfs_ioc_map *m = &b->m1;

		n = add_field(f, n, &m->extent_type, 4, "extent_type");
		n = add_field(f, n, &m->file_type, 4, "file_type");
		n = add_field(f, n, &m->file_size, 8, "file_size");
		n = add_field(f, n, &m->ext_list_count, 8, "ext_list_count");
		for (i = 0; i < FAMFS_MAX_EXTENTS; i++) {
			n = add_field(f, n, &m->ext_list[i].offset, 8,
				      "ext_list[%u].offset", i);
			n = add_field(f, n, &m->ext_list[i].len, 8,
				      "ext_list[%u].len", i);
		}
		return n;
	}
	n = add_field(f, n, &b->f.fioc_file_size, 8, "fioc_file_size");
	n = add_field(f, n, &b->f.fioc_file_type, 4, "fioc_file_type");
	n = add_field(f, n, &b->f.fioc_ext_type, 4, "fioc_ext_type");
	n = add_field(f, n, &b->f.fioc_nextents, 4, "fioc_nextents");
	n = add_field(f, n, &b->f.fioc_pad, 4, "fioc_pad");
	if (!b->interleaved) {
		for (i = 0; i <= FAMFS_MAX_EXTENTS; i++) {
			struct famfs_ioc_simple_extent *se = &b->a.kse[i];

			n = add_field(f, n, &se->devindex, 8,
				      "kse[%u].devindex", i);
			n = add_field(f, n, &se->offset, 8,
				      "kse[%u].offset", i);
			n = add_field(f, n, &se->len, 8, "kse[%u].len", i);
		}
		return n;
	}
	for (i = 0; i <= FAMFS_IOC_MAX_INTERLEAVED_EXTENTS; i++) {
		struct famfs_ioc_interleaved_ext *ie = &b->a.kie[i];
		uint64_t ns = ie->ie_nstrips;

		n = add_field(f, n, &ie->ie_nstrips, 8,
			      "kie[%u].ie_nstrips", i);
		n = add_field(f, n, &ie->ie_chunk_size, 8,
			      "kie[%u].ie_chunk_size", i);
		n = add_field(f, n, &ie->ie_nbytes, 8, "kie[%u].ie_nbytes", i);
		if (i == FAMFS_IOC_MAX_INTERLEAVED_EXTENTS)
			break;
		if (ns > FAMFS_MAX_STRIPS)
			ns = FAMFS_MAX_STRIPS;
		for (j = 0; j <= ns; j++) {
			struct famfs_ioc_simple_extent *s = &b->strips[i][j];

			n = add_field(f, n, &s->devindex, 8,
				      "kie[%u].strip[%u].devindex", i, j);
			n = add_field(f, n, &s->offset, 8,
				      "kie[%u].strip[%u].offset", i, j);
			n = add_field(f, n, &s->len, 8,
				      "kie[%u].strip[%u].len", i, j);
		}
	}
	return n;
}

static void fill_random(void *p, size_t len)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = rnd();
}

/* A value for a pointer field that is no user address */
static uint64_t not_user(void)
{
	return rnd() | (1ULL << 63);
}

enum damage {
	D_NONE,		/* a valid map, well placed */
	D_FIELD,	/* one number changed */
	D_PLACE,	/* the argument or an array it points to misplaced */
	D_POINTER,	/* a pointer changed like a number */
	D_RANDOM,	/* random bytes */
};

/* Bytes the kernel reads at the array the ABI 43 argument points to */
static size_t arr_bytes(const struct famfs_ioc_fmap *f)
{
	uint32_t n = f->fioc_nextents;

	if (f->fioc_ext_type == FAMFS_EXT_SIMPLE)
		return n >= 1 && n <= FAMFS_MAX_EXTENTS ?
		       n * sizeof(struct famfs_ioc_simple_extent) :
		       sizeof(struct famfs_ioc_simple_extent);
	return n >= 1 && n <= FAMFS_IOC_MAX_INTERLEAVED_EXTENTS ?
	       n * sizeof(struct famfs_ioc_interleaved_ext) :
	       sizeof(struct famfs_ioc_interleaved_ext);
}

static size_t strip_bytes(uint64_t ns)
{
	return (ns >= 1 && ns <= FAMFS_MAX_STRIPS ? ns : 1) *
	       sizeof(struct famfs_ioc_simple_extent);
}

/*
 * Damage the map as @d says, lay it out in the arena and return the
 * argument of the ioctl. Slot 0 holds the argument, 1 the array it points
 * to, 2 to 5 the strips of the interleaved extents.
 */
static uint64_t marshal(struct mapbuild *b, enum damage d)
{
	struct field fl[MAX_FIELDS];
	__u64 *ptrfield = NULL;
	uint64_t ptrval = 0, arg;
	int ptrlevel = -1;	/* -1: none, 0: f.kse, 1 + i: kie[i] strips */
	unsigned int nf, i;

	b->ptop = P_GOOD;
	b->parr = P_GOOD;
	for (i = 0; i < FAMFS_IOC_MAX_INTERLEAVED_EXTENTS; i++)
		b->pstrip[i] = P_GOOD;
	snprintf(b->how, sizeof(b->how), "valid");

	switch (d) {
	case D_NONE:
		/* a valid map may sit right before a guard, or be read-only */
		if (pct(10))
			b->ptop = pct(50) ? P_END : P_RO;
		if (b->v2 && pct(10))
			b->parr = pct(50) ? P_END : P_RO;
		break;
	case D_FIELD: {
		struct field *f;
		uint64_t old = 0, v;

		nf = map_fields(b, fl);
		f = &fl[below(nf)];
		memcpy(&old, f->p, f->width);
		v = mutate(old, f->width);
		memcpy(f->p, &v, f->width);
		snprintf(b->how, sizeof(b->how), "%s %#llx -> %#llx", f->name,
			 (unsigned long long)old, (unsigned long long)v);
		break;
	}
	case D_PLACE: {
		unsigned int which = b->v2 ? below(b->interleaved ? 6 : 2) : 0;

		if (!which)
			b->ptop = pick_place();
		else if (which == 1)
			b->parr = pick_place();
		else
			b->pstrip[which - 2] = pick_place();
		snprintf(b->how, sizeof(b->how), "%s placed %s",
			 !which ? "argument" : which == 1 ? "array" : "strips",
			 place_name[!which ? b->ptop : which == 1 ? b->parr :
				    b->pstrip[which - 2]]);
		break;
	}
	case D_POINTER:
		if (!b->v2) {
			b->ptop = pick_place();
			snprintf(b->how, sizeof(b->how), "argument placed %s",
				 place_name[b->ptop]);
			break;
		}
		ptrlevel = b->interleaved ?
			   below(1 + b->f.fioc_nextents) : 0;
		break;
	case D_RANDOM:
		snprintf(b->how, sizeof(b->how), "random bytes");
		if (!b->v2) {
			fill_random(&b->m1, sizeof(b->m1));
			if (pct(50)) {
				b->m1.extent_type = FAMFS_EXT_SIMPLE;
				b->m1.ext_list_count = between(1, 2);
			}
			break;
		}
		fill_random(&b->f, sizeof(b->f));
		fill_random(&b->a, sizeof(b->a));
		fill_random(b->strips, sizeof(b->strips));
		if (pct(50)) {
			b->f.fioc_ext_type = below(2);
			b->f.fioc_nextents = between(1, 4);
			b->f.fioc_pad = 0;
		}
		b->interleaved = b->f.fioc_ext_type == FAMFS_EXT_INTERLEAVE;
		for (i = 0; i < FAMFS_IOC_MAX_INTERLEAVED_EXTENTS; i++) {
			if (pct(50))
				b->a.kie[i].ie_nstrips = between(1, 16);
			b->pstrip[i] = pct(50) ? P_GOOD : P_RANDOM;
		}
		b->parr = pct(70) ? P_GOOD : P_RANDOM;
		break;
	}

	if (!b->v2)
		return place(b->ptop, 0, &b->m1, sizeof(b->m1));

	/* strips first, then the array that points to them, then the top */
	if (b->interleaved) {
		for (i = 0; i < FAMFS_IOC_MAX_INTERLEAVED_EXTENTS; i++) {
			struct famfs_ioc_interleaved_ext *ie = &b->a.kie[i];
			size_t len = strip_bytes(ie->ie_nstrips);

			if (b->pstrip[i] == P_GOOD)
				len = sizeof(b->strips[i]);
			ie->ie_strips = place(b->pstrip[i], 2 + i,
					      b->strips[i], len);
			if (ptrlevel == (int)i + 1)
				ptrfield = &ie->ie_strips;
		}
	}
	if (ptrfield) {
		ptrval = *ptrfield;
		*ptrfield = pct(50) ? mutate(ptrval, 8) : not_user();
		snprintf(b->how, sizeof(b->how),
			 "kie[%d].ie_strips %#llx -> %#llx", ptrlevel - 1,
			 (unsigned long long)ptrval,
			 (unsigned long long)*ptrfield);
	}
	b->f.kse = place(b->parr, 1, &b->a,
			 b->parr == P_GOOD ? sizeof(b->a) : arr_bytes(&b->f));
	if (ptrlevel == 0) {
		ptrval = b->f.kse;
		b->f.kse = pct(50) ? mutate(ptrval, 8) : not_user();
		snprintf(b->how, sizeof(b->how), "kse/kie %#llx -> %#llx",
			 (unsigned long long)ptrval,
			 (unsigned long long)b->f.kse);
	}
	arg = place(b->ptop, 0, &b->f, sizeof(b->f));
	return arg;
}

/*
 * What famfs.rst says of a map: the errnos it is to be refused with (any
 * of them: the kernel reports one), or none, and then the map as the map
 * ioctls will return it. The model reads the argument where the kernel
 * will, so a damaged pointer or an extent type changed under the arrays
 * is judged on what is really there; memory the fuzzer cannot vouch for
 * makes the outcome unknown.
 */
struct model {
	__uint128_t why;
	bool unknown;
	bool tainted;		/* it names memory that valid maps avoid */
	uint64_t size;
	struct expect exp;
};

static void model_common(struct model *m, uint32_t ft, uint64_t size)
{
	if (ft > FAMFS_LOG)	/* an unknown file type */
		m->why |= EB(EINVAL);
	if (!size)		/* a file size of 0 */
		m->why |= EB(EINVAL);
	if (size > INT64_MAX)	/* past s_maxbytes */
		m->why |= EB(EFBIG);
}

static void model_strip(struct model *m, uint64_t devindex, uint64_t off,
			uint64_t len, uint32_t ft, bool ends_file)
{
	uint64_t end, size = dev_size;

	if (devindex >= nr_known)		/* a device the mount lacks */
		m->why |= EB(EINVAL);
	else
		size = xdev_size[known[devindex]];
	if (!len || off % M2)			/* not 2 MiB aligned */
		m->why |= EB(EINVAL);
	if (len % (ends_file ? pg : M2))	/* a bad length */
		m->why |= EB(EINVAL);
	if (!off && ft != FAMFS_SUPERBLOCK)	/* offset 0 */
		m->why |= EB(EINVAL);
	if (__builtin_add_overflow(off, len, &end))
		m->why |= EB(EOVERFLOW);
	else if (end > size)			/* past the device */
		m->why |= EB(ERANGE);
	/* only device 0 has memory that other tests use */
	if (!devindex && reserved(off, len))
		m->tainted = true;
}

static void model_total(struct model *m, uint64_t *total, uint64_t n,
			bool *ovf)
{
	if (__builtin_add_overflow(*total, n, total)) {
		m->why |= EB(EOVERFLOW);
		*ovf = true;
	}
}

static void model_v1(struct model *m, uint64_t arg)
{
	struct famfs_ioc_map im;
	uint64_t total = 0, i, n;
	bool ovf = false;

	memset(m, 0, sizeof(*m));
	switch (fetch(arg, &im, sizeof(im))) {
	case R_NO:
		m->why |= EB(EFAULT);
		return;
	case R_UNKNOWN:
		m->unknown = true;
		return;
	default:
		break;
	}
	n = im.ext_list_count;
	if (im.extent_type != FAMFS_EXT_SIMPLE)
		m->why |= EB(EINVAL);
	if (!n)
		m->why |= EB(EINVAL);		/* no extent */
	else if (n > FAMFS_MAX_EXTENTS)
		m->why |= EB(E2BIG);
	model_common(m, im.file_type, im.file_size);
	if (!n || n > FAMFS_MAX_EXTENTS)
		return;
	for (i = 0; i < n; i++) {
		model_strip(m, 0, im.ext_list[i].offset, im.ext_list[i].len,
			    im.file_type, i == n - 1);
		model_total(m, &total, im.ext_list[i].len, &ovf);
	}
	if (!ovf && total < im.file_size)	/* extents hold fewer bytes */
		m->why |= EB(ENOSPC);
	if (m->why)
		return;

	m->size = im.file_size;
	m->exp.ext_type = FAMFS_EXT_SIMPLE;
	m->exp.nr_ext = n;
	m->exp.v1_ok = true;
	m->exp.v2_ok = true;
	m->exp.v1 = im;
	m->exp.v2.iocmap.fioc_file_size = im.file_size;
	m->exp.v2.iocmap.fioc_file_type = im.file_type;
	m->exp.v2.iocmap.fioc_ext_type = FAMFS_EXT_SIMPLE;
	m->exp.v2.iocmap.fioc_nextents = n;
	for (i = n; i < FAMFS_MAX_EXTENTS; i++)
		memset(&m->exp.v1.ext_list[i], 0, sizeof(struct famfs_extent));
	for (i = 0; i < n; i++) {
		m->exp.v2.ikse[i].offset = im.ext_list[i].offset;
		m->exp.v2.ikse[i].len = im.ext_list[i].len;
	}
}

/* An interleaved extent; false if its strips cannot be read */
static bool model_iext(struct model *m,
		       const struct famfs_ioc_interleaved_ext *ie,
		       struct famfs_ioc_simple_extent *s, uint32_t ft,
		       bool last)
{
	uint64_t ns = ie->ie_nstrips, chunk = ie->ie_chunk_size, j;

	/* no bytes, or an inner extent that does not end on 2 MiB */
	if (!ie->ie_nbytes || (!last && ie->ie_nbytes % M2))
		m->why |= EB(EINVAL);
	if (!ns) {
		m->why |= EB(EINVAL);
		return false;
	}
	if (ns > FAMFS_MAX_STRIPS) {
		m->why |= EB(E2BIG);
		return false;
	}
	switch (fetch(ie->ie_strips, s, ns * sizeof(*s))) {
	case R_NO:
		m->why |= EB(EFAULT);
		return false;
	case R_UNKNOWN:
		m->unknown = true;
		return false;
	default:
		break;
	}
	/* a power of two of 2 MiB or more */
	if (chunk < M2 || (chunk & (chunk - 1))) {
		m->why |= EB(EINVAL);
	} else {
		uint64_t chunks = ie->ie_nbytes / chunk +
				  !!(ie->ie_nbytes % chunk);

		/* a strip too short for the chunks it holds */
		for (j = 0; j < ns; j++)
			if (s[j].len / chunk < strip_chunks(chunks, ns, j))
				m->why |= EB(ENOSPC);
	}
	for (j = 0; j < ns; j++)
		model_strip(m, s[j].devindex, s[j].offset, s[j].len, ft, false);
	return true;
}

static void model_v2(struct model *m, uint64_t arg)
{
	struct famfs_ioc_simple_extent
		s[FAMFS_IOC_MAX_INTERLEAVED_EXTENTS][FAMFS_MAX_STRIPS];
	struct famfs_ioc_interleaved_ext ie[FAMFS_IOC_MAX_INTERLEAVED_EXTENTS];
	struct famfs_ioc_simple_extent se[FAMFS_MAX_EXTENTS];
	struct famfs_ioc_fmap f;
	uint64_t total = 0;
	bool ovf = false, complete = true;
	uint32_t i, j, n;

	memset(m, 0, sizeof(*m));
	switch (fetch(arg, &f, sizeof(f))) {
	case R_NO:
		m->why |= EB(EFAULT);
		return;
	case R_UNKNOWN:
		m->unknown = true;
		return;
	default:
		break;
	}
	n = f.fioc_nextents;
	if (f.fioc_pad)
		m->why |= EB(EINVAL);
	model_common(m, f.fioc_file_type, f.fioc_file_size);
	if (f.fioc_ext_type != FAMFS_EXT_SIMPLE &&
	    f.fioc_ext_type != FAMFS_EXT_INTERLEAVE) {
		m->why |= EB(EINVAL);
		return;
	}
	if (!n) {				/* no extent */
		m->why |= EB(EINVAL);
		return;
	}
	if (n > (f.fioc_ext_type == FAMFS_EXT_SIMPLE ? FAMFS_MAX_EXTENTS :
		 FAMFS_IOC_MAX_INTERLEAVED_EXTENTS)) {
		m->why |= EB(E2BIG);
		return;
	}
	switch (fetch(f.kse, f.fioc_ext_type == FAMFS_EXT_SIMPLE ?
		      (void *)se : (void *)ie, arr_bytes(&f))) {
	case R_NO:
		m->why |= EB(EFAULT);
		return;
	case R_UNKNOWN:
		m->unknown = true;
		return;
	default:
		break;
	}
	for (i = 0; i < n; i++) {
		bool last = i == n - 1;

		if (f.fioc_ext_type == FAMFS_EXT_SIMPLE) {
			model_strip(m, se[i].devindex, se[i].offset, se[i].len,
				    f.fioc_file_type, last);
			model_total(m, &total, se[i].len, &ovf);
			continue;
		}
		if (!model_iext(m, &ie[i], s[i], f.fioc_file_type, last))
			complete = false;
		model_total(m, &total, ie[i].ie_nbytes, &ovf);
	}
	if (m->unknown)
		return;
	if (complete && !ovf && total < f.fioc_file_size)
		m->why |= EB(ENOSPC);
	if (m->why)
		return;

	m->size = f.fioc_file_size;
	m->exp.ext_type = f.fioc_ext_type;
	m->exp.nr_ext = n;
	m->exp.v1.extent_type = f.fioc_ext_type;
	m->exp.v1.file_type = f.fioc_file_type;
	m->exp.v1.file_size = f.fioc_file_size;
	/*
	 * MAP_GET reports a map that ABI 42 cannot describe (interleaved, or
	 * with memory off device 0) with no simple extent
	 */
	m->exp.v1_ok = f.fioc_ext_type == FAMFS_EXT_SIMPLE;
	for (i = 0; m->exp.v1_ok && i < n; i++)
		if (se[i].devindex)
			m->exp.v1_ok = false;
	m->exp.v1.ext_list_count = m->exp.v1_ok ? n : 0;
	m->exp.v2.iocmap.fioc_file_size = f.fioc_file_size;
	m->exp.v2.iocmap.fioc_file_type = f.fioc_file_type;
	m->exp.v2.iocmap.fioc_ext_type = f.fioc_ext_type;
	m->exp.v2.iocmap.fioc_nextents = n;
	if (f.fioc_ext_type == FAMFS_EXT_SIMPLE) {
		m->exp.v2_ok = true;
		for (i = 0; i < n; i++) {
			if (m->exp.v1_ok) {
				m->exp.v1.ext_list[i].offset = se[i].offset;
				m->exp.v1.ext_list[i].len = se[i].len;
			}
			m->exp.v2.ikse[i].devindex = se[i].devindex;
			m->exp.v2.ikse[i].offset = se[i].offset;
			m->exp.v2.ikse[i].len = se[i].len;
		}
		return;
	}
	/* MAP_GET_V2 has room for one interleaved extent */
	m->exp.v2_ok = n == 1;
	if (n != 1)
		return;
	m->exp.v2.ks.ikie.ie_nstrips = ie[0].ie_nstrips;
	m->exp.v2.ks.ikie.ie_chunk_size = ie[0].ie_chunk_size;
	m->exp.v2.ks.ikie.ie_nbytes = ie[0].ie_nbytes;
	for (j = 0; j < ie[0].ie_nstrips; j++) {
		m->exp.v2.ks.kie_strips[j].devindex = s[0][j].devindex;
		m->exp.v2.ks.kie_strips[j].offset = s[0][j].offset;
		m->exp.v2.ks.kie_strips[j].len = s[0][j].len;
	}
}

/* A map, shortly, as the fuzzer built it */
static void describe_map(const struct mapbuild *b, uint64_t arg)
{
	uint32_t i, j, n;

	if (!b->v2) {
		const struct famfs_ioc_map *m = &b->m1;

		describe_more("{type %u ftype %u size %#llx n %llu",
			      m->extent_type, m->file_type,
			      (unsigned long long)m->file_size,
			      (unsigned long long)m->ext_list_count);
		for (i = 0; i < FAMFS_MAX_EXTENTS; i++)
			describe_more(" %#llx+%#llx",
				      (unsigned long long)m->ext_list[i].offset,
				      (unsigned long long)m->ext_list[i].len);
		describe_more("} at %#llx (%s)", (unsigned long long)arg,
			      b->how);
		return;
	}
	describe_more("{size %#llx ftype %u etype %u n %u pad %u ptr %#llx",
		      (unsigned long long)b->f.fioc_file_size,
		      b->f.fioc_file_type, b->f.fioc_ext_type,
		      b->f.fioc_nextents, b->f.fioc_pad,
		      (unsigned long long)b->f.kse);
	n = b->f.fioc_nextents;
	if (!b->interleaved) {
		for (i = 0; i < FAMFS_MAX_EXTENTS && i < n; i++)
			describe_more(" [%llu %#llx+%#llx]",
				      (unsigned long long)b->a.kse[i].devindex,
				      (unsigned long long)b->a.kse[i].offset,
				      (unsigned long long)b->a.kse[i].len);
	} else {
		for (i = 0; i < FAMFS_IOC_MAX_INTERLEAVED_EXTENTS && i < n;
		     i++) {
			const struct famfs_ioc_interleaved_ext *ie;
			const struct famfs_ioc_simple_extent *s = b->strips[i];

			ie = &b->a.kie[i];
			describe_more(" [ns %llu chunk %#llx nbytes %#llx",
				      (unsigned long long)ie->ie_nstrips,
				      (unsigned long long)ie->ie_chunk_size,
				      (unsigned long long)ie->ie_nbytes);
			describe_more(" at %#llx:",
				      (unsigned long long)ie->ie_strips);
			for (j = 0; j < FAMFS_MAX_STRIPS &&
			     j < ie->ie_nstrips; j++)
				describe_more(" %#llx+%#llx",
					      (unsigned long long)s[j].offset,
					      (unsigned long long)s[j].len);
			describe_more("]");
		}
	}
	describe_more("} at %#llx (%s)", (unsigned long long)arg, b->how);
}

/* ----------------------------------------------------------------------- */
/* The fd pool and the mappings */

enum want { W_ANY, W_FAMFS, W_UNMAPPED, W_MAPPED, W_DIR };

static bool wanted(const struct ofd *o, enum want w)
{
	switch (w) {
	case W_FAMFS:
		return is_famfs_reg(o->hint);
	case W_UNMAPPED:
		return o->hint == K_FREG && fd_writable(o);
	case W_MAPPED:
		return (o->hint == K_FMAP || o->hint == K_XREG) && !o->opath;
	case W_DIR:
		return o->hint == K_FDIR || o->hint == K_XDIR;
	default:
		return true;
	}
}

/* Mostly one that is what the caller wants, if there is one */
static struct ofd *pick_fd(enum want w)
{
	unsigned int good[NR_FDS], all[NR_FDS], ng = 0, na = 0, i;

	for (i = 0; i < NR_FDS; i++) {
		if (fds[i].fd < 0)
			continue;
		all[na++] = i;
		if (wanted(&fds[i], w))
			good[ng++] = i;
	}
	if (ng && pct(85))
		return &fds[good[below(ng)]];
	return na ? &fds[all[below(na)]] : NULL;
}

static void fd_close(struct ofd *o)
{
	if (close(o->fd))
		fail("close(%s): %s", fd_desc(o), errname(errno));
	o->fd = -1;
}

/* A free entry, closing one if need be */
static struct ofd *fd_slot(void)
{
	unsigned int i;

	for (i = 0; i < NR_FDS; i++)
		if (fds[i].fd < 0)
			return &fds[i];
	i = below(NR_FDS);
	fd_close(&fds[i]);
	return &fds[i];
}

static struct ofd *fd_add(int fd, int flags, const char *name)
{
	struct ofd *o = fd_slot();
	struct stat st;
	struct rec *r;

	o->fd = fd;
	o->flags = flags;
	o->opath = flags & O_PATH;
	o->name = name;
	classify_fd(o, &st, &r);
	return o;
}

struct region {
	bool used;
	uint8_t *addr;
	uint64_t len, off;
	int prot, flags, fd;	/* fd: a dup of the one mapped */
	bool famfs, tainted, direct;
	uint64_t size;		/* of the famfs file */
	const char *name;
};

static struct region regions[NR_REGIONS];

static void region_unmap(struct region *r)
{
	if (munmap(r->addr, r->len))
		fail("munmap(%p, %#llx) of %s: %s", r->addr,
		     (unsigned long long)r->len, r->name, errname(errno));
	if (close(r->fd))
		fail("close(dup of %s): %s", r->name, errname(errno));
	r->used = false;
}

static struct region *pick_region(void)
{
	unsigned int used[NR_REGIONS], n = 0, i;

	for (i = 0; i < NR_REGIONS; i++)
		if (regions[i].used)
			used[n++] = i;
	return n ? &regions[used[below(n)]] : NULL;
}

static struct region *region_slot(void)
{
	unsigned int i;

	for (i = 0; i < NR_REGIONS; i++)
		if (!regions[i].used)
			return &regions[i];
	i = below(NR_REGIONS);
	region_unmap(&regions[i]);
	return &regions[i];
}

/* ----------------------------------------------------------------------- */
/* Faults: only loads and stores of op_touch() may fault, and only SIGBUS */

static sigjmp_buf touch_jmp;
static int in_touch, fault_sig;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	if (__atomic_load_n(&in_touch, __ATOMIC_RELAXED)) {
		__atomic_store_n(&in_touch, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&fault_sig, sig, __ATOMIC_RELAXED);
		siglongjmp(touch_jmp, 1);
	}
	printf("# not ok: seed %llu step %llu: %s = %s: %s at %p, not in a load or store\n",
	       (unsigned long long)seed, (unsigned long long)step, desc,
	       result[0] ? result : "?", strsignal(sig), si->si_addr);
	print_ring();
	printf("not ok 1 famfs_fuzz # seed %llu, %llu calls\n",
	       (unsigned long long)seed, (unsigned long long)step);
	fflush(stdout);
	if (have_famfs)
		umount2(mnt, MNT_DETACH);
	_exit(KSFT_FAIL);
}

static int setup_signals(void)
{
	const struct rlimit fsize = { RLIM_INFINITY, RLIM_INFINITY };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	/* siglongjmp() out of the handler: SIGBUS must not stay blocked */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) || sigaction(SIGSEGV, &sa, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	/* writes far into famfs files must meet famfs, not RLIMIT_FSIZE */
	setrlimit(RLIMIT_FSIZE, &fsize);
	return 0;
}

/* A load, and maybe a store, at @p: 0, or the signal it raised */
static int probe(uint8_t *p, bool load, bool store, uint8_t val, uint8_t *got)
{
	__atomic_store_n(&fault_sig, 0, __ATOMIC_RELAXED);
	if (sigsetjmp(touch_jmp, 0))
		return __atomic_load_n(&fault_sig, __ATOMIC_RELAXED);
	__atomic_store_n(&in_touch, 1, __ATOMIC_RELAXED);
	/* the handler must see in_touch set before the access faults */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (load)
		*got = __atomic_load_n(p, __ATOMIC_RELAXED);
	if (store)
		__atomic_store_n(p, val, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&in_touch, 0, __ATOMIC_RELAXED);
	return 0;
}

/* ----------------------------------------------------------------------- */
/* famfs ioctls */

static bool same_v1(const struct famfs_ioc_map *a,
		    const struct famfs_ioc_map *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* @m as "{type T ftype F size S n N off+len off+len}" */
static const char *v1_str(const struct famfs_ioc_map *m, char *buf, size_t n)
{
	snprintf(buf, n, "{type %u ftype %u size %#llx n %llu %#llx+%#llx %#llx+%#llx}",
		 m->extent_type, m->file_type,
		 (unsigned long long)m->file_size,
		 (unsigned long long)m->ext_list_count,
		 (unsigned long long)m->ext_list[0].offset,
		 (unsigned long long)m->ext_list[0].len,
		 (unsigned long long)m->ext_list[1].offset,
		 (unsigned long long)m->ext_list[1].len);
	return buf;
}

static void fail_v1(const char *what, const struct famfs_ioc_map *got,
		    const struct famfs_ioc_map *want)
{
	char g[160], w[160];

	fail("%s returned %s, not the map as given %s", what,
	     v1_str(got, g, sizeof(g)), v1_str(want, w, sizeof(w)));
}

static void fail_v2(const char *what, const struct famfs_ioc_get_fmap *got,
		    const struct famfs_ioc_get_fmap *want)
{
	const uint64_t *g = (const void *)got, *w = (const void *)want;
	unsigned int i;

	for (i = 0; i < sizeof(*got) / 8 && g[i] == w[i]; i++)
		;
	fail("%s: another map, byte %u %#llx, not %#llx (size %#llx ftype %u etype %u n %u)",
	     what, i * 8, (unsigned long long)g[i], (unsigned long long)w[i],
	     (unsigned long long)want->iocmap.fioc_file_size,
	     want->iocmap.fioc_file_type, want->iocmap.fioc_ext_type,
	     want->iocmap.fioc_nextents);
}

/* After a map was accepted: the file and the map ioctls say what it is */
static void check_mapped(struct ofd *o, const struct rec *r)
{
	struct famfs_ioc_get_fmap g2;
	struct famfs_ioc_map g1;
	struct famfs_extent ge[FAMFS_MAX_EXTENTS];
	const struct expect *e = r->exp;
	struct stat st;
	int ret;

	if (fstat(o->fd, &st) || (uint64_t)st.st_size != r->size)
		fail("after MAP_CREATE: st_size %lld, not the map's %llu",
		     (long long)st.st_size, (unsigned long long)r->size);
	if (!e)
		return;
	memset(&g1, 0xa5, sizeof(g1));
	ret = ioctl(o->fd, FAMFSIOC_MAP_GET, &g1);
	if (ret)
		fail("MAP_GET after MAP_CREATE: %s", errname(errno));
	else if (!same_v1(&g1, &e->v1))
		fail_v1("MAP_GET after MAP_CREATE", &g1, &e->v1);
	memset(&g2, 0xa5, sizeof(g2));
	ret = ioctl(o->fd, FAMFSIOC_MAP_GET_V2, &g2) ? errno : 0;
	if (ret != (e->v2_ok ? 0 : E2BIG))
		fail("MAP_GET_V2 after MAP_CREATE: %s, not %s", errname(ret),
		     errname(e->v2_ok ? 0 : E2BIG));
	else if (!ret && memcmp(&g2, &e->v2, sizeof(g2)))
		fail_v2("MAP_GET_V2 after MAP_CREATE", &g2, &e->v2);
	memset(ge, 0xa5, sizeof(ge));
	ret = ioctl(o->fd, FAMFSIOC_MAP_GETEXT, ge) ? errno : 0;
	if (!e->v1_ok) {
		if (ret != EINVAL)
			fail("MAP_GETEXT of a map ABI 42 cannot describe: %s, not EINVAL",
			     errname(ret));
	} else if (ret) {
		fail("MAP_GETEXT after MAP_CREATE: %s", errname(ret));
	} else if (memcmp(ge, e->v1.ext_list, e->nr_ext * sizeof(ge[0]))) {
		fail("MAP_GETEXT after MAP_CREATE: [%#llx+%#llx ...], not [%#llx+%#llx ...]",
		     (unsigned long long)ge[0].offset,
		     (unsigned long long)ge[0].len,
		     (unsigned long long)e->v1.ext_list[0].offset,
		     (unsigned long long)e->v1.ext_list[0].len);
	}
}

/* After a map was refused: nothing changed */
static void check_unchanged(struct ofd *o, const struct rec *r)
{
	struct famfs_ioc_map g1;
	int ret;

	if (o->opath)
		return;
	ret = ioctl(o->fd, FAMFSIOC_MAP_GET, &g1) ? errno : 0;
	if (!r || !r->mapped) {
		if (ret != ENODATA)
			fail("a refused map left the file mapped: MAP_GET %s, not ENODATA",
			     errname(ret));
	} else if (ret) {
		fail("a refused map: MAP_GET of the file's old map: %s",
		     errname(ret));
	} else if (r->exp && !same_v1(&g1, &r->exp->v1)) {
		fail_v1("MAP_GET after a refused map", &g1, &r->exp->v1);
	}
}

static void op_map_create(bool v2)
{
	enum call c = v2 ? C_MAP_CREATE_V2 : C_MAP_CREATE;
	struct mapbuild b;
	struct model m;
	struct ofd *o = pick_fd(W_UNMAPPED);
	enum damage d;
	struct stat st;
	struct rec *r;
	enum kind k;
	uint64_t arg;
	__uint128_t exp = 0;
	int ret, err;
	unsigned int p = below(100);

	if (!o)
		return;
	gen_map(&b, v2);
	d = p < 45 ? D_NONE : p < 75 ? D_FIELD : p < 85 ? D_PLACE :
	    p < 92 ? D_POINTER : D_RANDOM;
	arg = marshal(&b, d);
	if (v2)
		model_v2(&m, arg);
	else
		model_v1(&m, arg);
	describe("ioctl(%s, %s, ", fd_desc(o), call_name[c]);
	describe_map(&b, arg);
	describe_more(")");

	k = classify_fd(o, &st, &r);
	ret = ioctl(o->fd, v2 ? FAMFSIOC_MAP_CREATE_V2 : FAMFSIOC_MAP_CREATE,
		    (void *)(uintptr_t)arg);
	err = ret < 0 ? errno : 0;
	set_result(ret, err);
	count(err);
	if (ret > 0)
		fail("ioctl returned %d", ret);
	if (is_famfs_reg(k) && !m.unknown) {
		__uint128_t why = m.why;

		if (!fd_writable(o))
			why |= EB(EBADF);	/* not open for writing */
		if (k == K_FMAP)
			why |= EB(EEXIST);	/* a map already */
		/* EIO: the device has failed */
		exp = (why ? why : OK) | EB(EIO);
	}
	verdict(c, k, err, exp);
	if (!is_famfs_reg(k))
		return;
	if (err) {
		check_unchanged(o, r);
		return;
	}
	o->hint = K_FMAP;
	if (!r)
		return;
	r->mapped = true;
	if (m.unknown || m.why || k == K_FMAP) {
		/* accepted what famfs.rst refuses: failed above */
		fstat(o->fd, &st);
		r->size = st.st_size;
		r->tainted = true;
		r->exp = NULL;
		return;
	}
	r->size = m.size;
	r->tainted = m.tainted;
	r->exp = malloc(sizeof(*r->exp));
	if (r->exp)
		*r->exp = m.exp;
	check_mapped(o, r);
}

static void op_map_get(enum call c)
{
	struct ofd *o = pick_fd(W_FAMFS);
	size_t len, need = 0, room;
	enum place pl = P_GOOD;
	const struct expect *e;
	unsigned int p = below(100);
	unsigned long cmd;
	const void *want = NULL;
	struct stat st;
	struct rec *r;
	enum kind k;
	uint8_t *dst;
	__uint128_t exp = 0;
	int ret, err;

	if (!o)
		return;
	k = classify_fd(o, &st, &r);
	e = r && r->mapped ? r->exp : NULL;
	switch (c) {
	case C_MAP_GET:
		cmd = FAMFSIOC_MAP_GET;
		need = sizeof(struct famfs_ioc_map);
		len = need;
		want = e ? (const void *)&e->v1 : NULL;
		break;
	case C_MAP_GET_V2:
		cmd = FAMFSIOC_MAP_GET_V2;
		need = sizeof(struct famfs_ioc_get_fmap);
		len = need;
		want = e && e->v2_ok ? (const void *)&e->v2 : NULL;
		break;
	default:
		cmd = FAMFSIOC_MAP_GETEXT;
		/* exactly ext_list_count extents, or a wrong size */
		need = (e ? e->nr_ext : 1) * sizeof(struct famfs_extent);
		len = need;
		if (pct(30))
			len = pct(50) ? need + sizeof(struct famfs_extent) :
			      between(1, 2 * sizeof(struct famfs_extent));
		want = e ? (const void *)e->v1.ext_list : NULL;
		break;
	}
	if (p >= 50)
		pl = p < 75 ? P_END : p < 87 ? P_SHORT : p < 93 ? P_RO :
		     pct(50) ? P_NULL : P_BAD;
	dst = place_out(pl, 0, len, &room);
	describe("ioctl(%s, %s, %p: %zu bytes %s)", fd_desc(o), call_name[c],
		 dst, len, place_name[pl]);
	ret = ioctl(o->fd, cmd, dst);
	err = ret < 0 ? errno : 0;
	set_result(ret, err);
	count(err);
	if (ret > 0)
		fail("ioctl returned %d", ret);

	if (is_famfs_reg(k) && r) {
		if (!r->mapped)
			exp = EB(ENODATA);
		else if (c == C_MAP_GETEXT && e && !e->v1_ok)
			exp = EB(EINVAL);
		else if (c == C_MAP_GET_V2 && e && !e->v2_ok)
			exp = EB(E2BIG);
		else if (e)
			exp = need <= room ? OK : EB(EFAULT);
	}
	verdict(c, k, err, exp);
	if (err || !want || need > room)
		return;
	if (memcmp(dst, want, need)) {
		if (c == C_MAP_GET)
			fail_v1("MAP_GET", (const void *)dst, want);
		else if (c == C_MAP_GET_V2)
			fail_v2("MAP_GET_V2", (const void *)dst, want);
		else
			fail("MAP_GETEXT returned other extents than given");
	} else if (c == C_MAP_GETEXT && room > need) {
		size_t i;

		/* "exactly as many extents as the map has" */
		for (i = need; i < room && i < need + 64; i++)
			if (dst[i] != 0xa5) {
				fail("MAP_GETEXT wrote past its %u extents (byte %zu)",
				     e->nr_ext, i);
				break;
			}
	}
}

static void op_nop(void)
{
	struct ofd *o = pick_fd(W_FAMFS);
	struct stat st;
	struct rec *r;
	enum kind k;
	int ret, err;

	if (!o)
		return;
	k = classify_fd(o, &st, &r);
	describe("ioctl(%s, NOP)", fd_desc(o));
	ret = ioctl(o->fd, FAMFSIOC_NOP);
	err = ret < 0 ? errno : 0;
	set_result(ret, err);
	count(err);
	if (ret > 0)
		fail("ioctl returned %d", ret);
	verdict(C_NOP, k, err, 0);
}

/* The map of a famfs file is of user space's superblock or log file */
static bool meta_file(const struct rec *r)
{
	return r && r->mapped && r->exp &&
	       (r->exp->v1.file_type == FAMFS_SUPERBLOCK ||
		r->exp->v1.file_type == FAMFS_LOG);
}

/* The path of an ADD_DAXDEV, and what its lookup gives: which xdev, or -errno */
static const char *pick_add_path(int *what)
{
	static const struct {
		const char *path;
		int what;
	} odd[] = {
		{ "/dev/null", -ENODEV },
		{ "/dev/famfs-fuzz-no-such-dax", -ENOENT },
		{ "/", -EINVAL },
		{ "/dev/null/x", -ENOTDIR },
	};
	unsigned int i;

	if (pct(75)) {
		i = below(nr_xdevs);
		*what = i;
		return xdev[i];
	}
	i = below(ARRAY_SIZE(odd));
	*what = odd[i].what;
	return odd[i].path;
}

/*
 * What ADD_DAXDEV of @a must answer, in the order famfs checks; @lookup:
 * pick_add_path()'s answer.
 */
static __uint128_t model_add(const struct famfs_ioc_add_daxdev *a, int lookup)
{
	unsigned int i;

	if (a->pad || !a->size || !a->name[0] ||
	    !memchr(a->name, 0, sizeof(a->name)))
		return EB(EINVAL);
	/* a path that leads to no character device */
	if (lookup < 0 && lookup != -ENODEV)
		return EB(-lookup);
	for (i = 0; lookup >= 0 && i < nr_known; i++) {
		if (known[i] != (unsigned int)lookup)
			continue;
		if (a->index != i)
			return EB(EEXIST);
		return a->size > xdev_size[lookup] ? EB(ERANGE) : OK;
	}
	if (a->index < nr_known)
		return EB(EEXIST);
	if (a->index > nr_known)
		return EB(EINVAL);
	if (a->index >= FAMFS_MAX_DAXDEVS)
		return EB(ENOSPC);
	/* a character device, but no device-dax instance */
	if (lookup < 0)
		return EB(ENODEV);
	return a->size > xdev_size[lookup] ? EB(ERANGE) : OK;
}

static void op_add_daxdev(void)
{
	struct ofd *o = pick_fd(W_FAMFS);
	struct famfs_ioc_add_daxdev a;
	enum place pl = P_GOOD;
	__uint128_t exp = 0;
	int lookup, ret, err;
	const char *path;
	struct stat st;
	struct rec *r;
	enum kind k;
	uint64_t arg;

	if (!o)
		return;
	memset(&a, 0, sizeof(a));
	path = pick_add_path(&lookup);
	snprintf(a.name, sizeof(a.name), "%s", path);
	a.index = pct(80) ? below(nr_known + 2) : (uint32_t)rnd();
	a.size = lookup >= 0 ? xdev_size[lookup] : M2;
	if (pct(20))
		a.size = pct(50) ? below(a.size) : a.size + M2 * between(1, 4);
	if (pct(5))
		a.pad = rnd() | 1;
	if (pct(5))
		memset(a.name, 'x', sizeof(a.name));
	if (pct(15))
		pl = pick_place();
	arg = place(pl, 0, &a, sizeof(a));
	k = classify_fd(o, &st, &r);
	describe("ioctl(%s, ADD_DAXDEV, {%s index %u size %#llx pad %u} %s)",
		 fd_desc(o), a.name[sizeof(a.name) - 1] ? "(no NUL)" : a.name,
		 a.index, (unsigned long long)a.size, a.pad, place_name[pl]);
	ret = ioctl(o->fd, FAMFSIOC_ADD_DAXDEV, (void *)(uintptr_t)arg);
	err = ret < 0 ? errno : 0;
	set_result(ret, err);
	count(err);
	if (ret > 0)
		fail("ioctl returned %d", ret);
	if (is_famfs_reg(k) && !o->opath) {
		/* a file whose map the fuzzer does not know: any answer */
		if (!r || (r->mapped && !r->exp))
			exp = 0;
		else if (!meta_file(r))
			exp = EB(EINVAL);
		else if (pl != P_GOOD)
			exp = reach(arg, sizeof(a)) == R_NO ? EB(EFAULT) :
			      reach(arg, sizeof(a)) == R_YES ?
			      model_add(&a, lookup) : 0;
		else
			exp = model_add(&a, lookup);
	}
	verdict(C_ADD_DAXDEV, k, err, exp);
	/* a device at the next index is the mount's now, known or not */
	if (!err && is_famfs_reg(k) && lookup >= 0 && a.index == nr_known &&
	    (pl == P_GOOD || pl == P_END || pl == P_RO) &&
	    nr_known < NR_XDEVS)
		known[nr_known++] = lookup;
}

static void op_get_max_daxdev(void)
{
	struct ofd *o = pick_fd(W_FAMFS);
	enum place pl = pct(80) ? P_GOOD : pick_place();
	__uint128_t exp = 0;
	size_t room;
	uint32_t *dst;
	struct stat st;
	struct rec *r;
	enum kind k;
	int ret, err;

	if (!o)
		return;
	dst = (uint32_t *)place_out(pl, 0, sizeof(*dst), &room);
	k = classify_fd(o, &st, &r);
	describe("ioctl(%s, GET_MAX_DAXDEV, %p %s)", fd_desc(o), dst,
		 place_name[pl]);
	ret = ioctl(o->fd, FAMFSIOC_GET_MAX_DAXDEV, dst);
	err = ret < 0 ? errno : 0;
	set_result(ret, err);
	count(err);
	if (ret > 0)
		fail("ioctl returned %d", ret);
	if (is_famfs_reg(k) && !o->opath)
		exp = room >= sizeof(*dst) ? OK : EB(EFAULT);
	verdict(C_GET_MAX_DAXDEV, k, err, exp);
	if (!err && room >= sizeof(*dst) && *dst != nr_known - 1)
		fail("GET_MAX_DAXDEV says %u, the mount has devices 0 to %u",
		     *dst, nr_known - 1);
}

static bool famfs_cmd(unsigned long cmd)
{
	return cmd == FAMFSIOC_MAP_CREATE || cmd == FAMFSIOC_MAP_GET ||
	       cmd == FAMFSIOC_MAP_GETEXT || cmd == FAMFSIOC_NOP ||
	       cmd == FAMFSIOC_MAP_CREATE_V2 || cmd == FAMFSIOC_MAP_GET_V2 ||
	       cmd == FAMFSIOC_ADD_DAXDEV || cmd == FAMFSIOC_GET_MAX_DAXDEV;
}

/*
 * Types of ioctl numbers that something may handle on these fds: the
 * VFS' own (do_vfs_ioctl(): 0x00, 'T', 'X', 'f', 0x15, 0x94), block
 * devices (0x12), sockets (0x89, and 0x8b: wireless extensions), pipes
 * ('W') and 'u' (famfs: done apart). Random numbers avoid them, so that
 * ENOTTY is the answer.
 */
static bool generic_type(unsigned int type)
{
	static const unsigned char types[] = {
		0x00, 0x12, 0x15, 'T', 'W', 'X', 'f', 'u', 0x89, 0x8b, 0x94,
	};
	unsigned int i;

	for (i = 0; i < sizeof(types); i++)
		if (type == types[i])
			return true;
	return false;
}

static void op_ioc_other(void)
{
	struct ofd *o = pick_fd(pct(50) ? W_FAMFS : W_ANY);
	unsigned long cmd;
	struct stat st;
	struct rec *r;
	enum kind k;
	void *arg;
	int ret, err;

	if (!o)
		return;
	if (pct(60)) {
		/* famfs' own range, any direction and size */
		do {
			cmd = _IOC(below(4), FAMFSIOC_MAGIC, 0x50 + below(16),
				   pct(50) ? between(0, 64) : below(1 << 14));
		} while (famfs_cmd(cmd));
	} else {
		do {
			cmd = (uint32_t)rnd();
		} while (generic_type(_IOC_TYPE(cmd)));
	}
	switch (below(4)) {
	case 0:
		arg = NULL;
		break;
	case 1:
		arg = (void *)(uintptr_t)bad_addr();
		break;
	case 2:
		arg = (void *)(uintptr_t)below(1024);
		break;
	default:
		arg = scratch;
		break;
	}
	k = classify_fd(o, &st, &r);
	describe("ioctl(%s, %#lx, %p)", fd_desc(o), cmd, arg);
	ret = ioctl(o->fd, cmd, arg);
	err = ret < 0 ? errno : 0;
	set_result(ret, err);
	count(err);
	verdict(C_IOC_OTHER, k, err, k == K_OPATH ? EB(EBADF) : EB(ENOTTY));
}

/* ----------------------------------------------------------------------- */
/* Namespace calls */

/* The flags open(2) keeps for O_PATH */
#define O_PATH_KEEPS	(O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

static int pick_open_flags(void)
{
	unsigned int r = below(100);
	int flags;

	flags = (r < 30 ? O_RDONLY : r < 48 ? O_WRONLY : r < 88 ? O_RDWR :
		 O_PATH) | O_CLOEXEC;
	if (pct(8))
		flags |= O_TRUNC;
	if (pct(10))
		flags |= O_APPEND;
	if (pct(8))
		flags |= O_DIRECTORY;
	if (pct(4))
		flags |= O_NONBLOCK;
	if (pct(4))
		flags |= O_NOATIME;
	if (pct(4))
		flags |= O_SYNC;
	if (pct(3))
		flags |= O_DIRECT;
	if (pct(3))
		flags |= O_NOFOLLOW;
	return flags;
}

static void flags_desc(int flags)
{
	static const struct {
		int flag;
		const char *name;
	} names[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" },
		{ O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" },
		{ O_DIRECTORY, "O_DIRECTORY" }, { O_NONBLOCK, "O_NONBLOCK" },
		{ O_NOATIME, "O_NOATIME" }, { O_DSYNC, "O_DSYNC" },
		{ O_DIRECT, "O_DIRECT" }, { O_NOFOLLOW, "O_NOFOLLOW" },
	};
	unsigned int i;
	int acc = flags & O_ACCMODE;

	if ((flags & __O_TMPFILE) == __O_TMPFILE)
		describe_more("O_TMPFILE|");
	if (flags & O_PATH)
		describe_more("O_PATH");
	else
		describe_more("%s", acc == O_RDONLY ? "O_RDONLY" :
			      acc == O_WRONLY ? "O_WRONLY" : "O_RDWR");
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if ((flags & names[i].flag) == names[i].flag)
			describe_more("|%s", names[i].name);
}

/*
 * What famfs.rst and open(2) say an open of a famfs name must answer; 0 for
 * names elsewhere (allowed[] alone judges those).
 */
static __uint128_t open_exp(enum kind k, int flags, bool creat)
{
	int acc = flags & O_ACCMODE;
	bool excl = creat && (flags & O_EXCL);
	__uint128_t why = 0;

	if (creat && (flags & O_DIRECTORY))
		return EB(EINVAL);
	switch (k) {
	case K_ABSENT:
		if (!creat)
			return EB(ENOENT);
		/* created, but famfs does no direct I/O */
		return (flags & O_DIRECT ? EB(EINVAL) : OK) | EB(EIO);
	case K_NOPARENT:
		return EB(ENOENT);
	case K_NOTDIR:
		return EB(ENOTDIR);
	case K_FREG:
	case K_FMAP:
		if (excl)
			return EB(EEXIST);
		if (flags & O_DIRECTORY)
			why |= EB(ENOTDIR);
		if (flags & O_PATH)
			return why ? why : OK;
		if (flags & O_DIRECT)
			why |= EB(EINVAL);
		/* famfs.rst: a mapped file's size never changes */
		if (k == K_FMAP && (flags & O_TRUNC))
			why |= EB(EINVAL);
		return why ? why : OK;
	case K_FDIR:
		if (excl)
			return EB(EEXIST);
		if (creat)
			return EB(EISDIR);
		if (flags & O_PATH)
			return OK;
		if (acc != O_RDONLY || (flags & O_TRUNC))
			why |= EB(EISDIR);
		if (flags & O_DIRECT)
			why |= EB(EINVAL);
		return why ? why : OK;
	default:
		return 0;
	}
}

/* A new pipe or socket pair */
static void open_pair(bool sock)
{
	int p[2], ret;

	if (sock) {
		describe("socketpair(AF_UNIX, SOCK_STREAM)");
		ret = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p);
	} else {
		describe("pipe2(O_NONBLOCK)");
		ret = pipe2(p, O_NONBLOCK | O_CLOEXEC);
	}
	set_result(ret, errno);
	count(ret ? errno : 0);
	/* a kernel without networking (CONFIG_NET=n) has no sockets */
	if (ret && sock && errno != EMFILE && errno != ENFILE &&
	    errno != ENOMEM) {
		static bool said;

		if (!said)
			printf("# no socket pair on this kernel (%s): sockets are left out\n",
			       strerror(errno));
		said = true;
		return;
	}
	if (ret) {
		fail("no %s", sock ? "socket pair" : "pipe");
		return;
	}
	fd_add(p[0], sock ? O_RDWR : O_RDONLY, sock ? "socket[0]" : "pipe[0]");
	fd_add(p[1], sock ? O_RDWR : O_WRONLY, sock ? "socket[1]" : "pipe[1]");
}

static void op_open(void)
{
	unsigned int r = below(100);
	struct target t;
	struct stat st;
	struct rec *rec;
	bool mk;
	enum kind k, k2;
	enum call c;
	int flags, fd, err;
	mode_t mode = below(010000);

	if (r < 80) {
		pick_pool(&t);
	} else if (r < 85) {
		special_target(&t, tmp_file);
	} else if (r < 89) {
		special_target(&t, tmp_sub);
	} else if (r < 92) {
		special_target(&t, "/dev/null");
	} else if (r < 96) {
		special_target(&t, mnt);
	} else {
		open_pair(pct(50));
		return;
	}
	flags = pick_open_flags();
	mk = !(flags & O_PATH) && pct(45);
	if (mk)
		flags |= O_CREAT | (pct(50) ? O_EXCL : 0);
	if (flags & O_PATH)
		flags &= O_PATH_KEEPS;
	k = classify_path(&t, &st, &rec);
	if (k == K_OTHER)	/* a fifo would block: dry runs only */
		flags |= O_NONBLOCK | O_NOFOLLOW;
	c = mk ? C_OPEN_CREAT : C_OPEN;
	describe("open(%s, ", t.path);
	flags_desc(flags);
	describe_more(", %#o)", mode);
	if (mk && pct(10) && !(flags & O_EXCL)) {
		flags = O_CREAT | O_WRONLY | O_TRUNC;
		describe("creat(%s, %#o)", t.path, mode);
		fd = creat(t.path, mode);
	} else {
		fd = open(t.path, flags, mode);
	}
	err = fd < 0 ? errno : 0;
	set_result(fd, err);
	count(err);
	verdict(c, k, err, open_exp(k, flags, mk));
	if (fd < 0)
		return;
	flags &= ~O_CREAT;
	k2 = fd_add(fd, flags, t.path)->hint;
	/* what was opened is what was there, or a new empty file */
	if (k == K_ABSENT ? k2 != K_FREG :
	    (k != K_XABSENT && k != K_OTHER && k2 != k))
		fail("opened a %s where there was a %s", kind_name[k2],
		     kind_name[k]);
}

static void op_tmpfile(void)
{
	unsigned int r = below(100);
	struct target t;
	struct stat st;
	struct rec *rec;
	enum kind k;
	__uint128_t exp = 0;
	int flags, fd, err;

	if (r < 50)
		pool_target(&t, NR_TOP + below(NR_DIRS));
	else if (r < 70)
		special_target(&t, mnt);
	else if (r < 85)
		special_target(&t, tmp_sub);
	else
		pick_pool(&t);
	r = below(100);
	flags = O_TMPFILE | O_CLOEXEC |
		(r < 45 ? O_RDWR : r < 90 ? O_WRONLY : O_RDONLY);
	if (pct(20))
		flags |= O_EXCL;
	k = classify_path(&t, &st, &rec);
	describe("open(%s, ", t.path);
	flags_desc(flags);
	describe_more(", 0600)");
	fd = open(t.path, flags, 0600);
	err = fd < 0 ? errno : 0;
	set_result(fd, err);
	count(err);
	/* O_TMPFILE without write access is EINVAL before any lookup */
	if ((flags & O_ACCMODE) == O_RDONLY)
		exp = EB(EINVAL);
	else if (k == K_FDIR)
		exp = EB(EOPNOTSUPP);
	else if (is_famfs_reg(k))
		exp = EB(ENOTDIR);
	else if (k == K_ABSENT || k == K_NOPARENT)
		exp = EB(ENOENT);
	verdict(C_OPEN_TMPFILE, k, err, exp);
	if (fd >= 0)
		fd_add(fd, flags & ~(O_TMPFILE | O_EXCL), "O_TMPFILE");
}

/* What a call that makes a famfs name answers: EEXIST, lookup errors */
static __uint128_t create_exp(enum kind k, __uint128_t absent)
{
	switch (k) {
	case K_ABSENT:
		return absent;
	case K_NOPARENT:
		return EB(ENOENT);
	case K_NOTDIR:
		return EB(ENOTDIR);
	case K_FREG:
	case K_FMAP:
	case K_FDIR:
		return EB(EEXIST);
	default:
		return 0;
	}
}

/* A dry run keeps no special files: remove what tmpfs let be made */
static void drop_special(const char *path)
{
	struct stat st;

	if (!lstat(path, &st) && !S_ISREG(st.st_mode) &&
	    !S_ISDIR(st.st_mode) && unlink(path))
		fail("unlink(%s) of a special file: %s", path, errname(errno));
}

static void op_mkdir(void)
{
	mode_t mode = below(010000);
	struct target t;
	struct stat st;
	struct rec *rec;
	enum kind k;
	int ret, err;

	if (pct(60))
		pool_target(&t, NR_TOP + below(NR_DIRS));
	else
		pick_pool(&t);
	k = classify_path(&t, &st, &rec);
	describe("mkdir(%s, %#o)", t.path, mode);
	ret = mkdir(t.path, mode);
	err = ret ? errno : 0;
	set_result(ret, err);
	count(err);
	verdict(C_MKDIR, k, err, create_exp(k, OK | EB(EIO)));
}

/* After a name went away */
static void check_gone(const char *path)
{
	struct stat st;

	if (!lstat(path, &st))
		fail("%s is still there", path);
	else if (errno != ENOENT)
		fail("lstat(%s) after it went away: %s", path, errname(errno));
}

static void op_remove(bool dir)
{
	struct target t;
	struct stat st;
	struct rec *rec;
	enum kind k;
	__uint128_t exp = 0;
	int ret, err;

	if (dir && pct(60))
		pool_target(&t, NR_TOP + below(NR_DIRS));
	else
		pick_pool(&t);
	k = classify_path(&t, &st, &rec);
	describe("%s(%s)", dir ? "rmdir" : "unlink", t.path);
	ret = dir ? rmdir(t.path) : unlink(t.path);
	err = ret ? errno : 0;
	set_result(ret, err);
	count(err);
	switch (k) {
	case K_ABSENT:
	case K_NOPARENT:
		exp = EB(ENOENT);
		break;
	case K_NOTDIR:
		exp = EB(ENOTDIR);
		break;
	case K_FREG:
	case K_FMAP:
		exp = dir ? EB(ENOTDIR) : OK;
		break;
	case K_FDIR:
		exp = dir ? OK | EB(ENOTEMPTY) : EB(EISDIR);
		break;
	default:
		break;
	}
	verdict(dir ? C_RMDIR : C_UNLINK, k, err, exp);
	if (!ret)
		check_gone(t.path);
}

/* The new name of a rename or link: mostly in famfs, or across mounts */
static void pick_second(struct target *t)
{
	if (pct(10))
		special_target(t, tmp_target);
	else
		pick_pool(t);
}

static void op_rename(void)
{
	static const unsigned int some[] = {
		0, 0, 0, 0, 0, RENAME_NOREPLACE, RENAME_NOREPLACE,
		RENAME_EXCHANGE, RENAME_EXCHANGE, RENAME_WHITEOUT,
		RENAME_EXCHANGE | RENAME_NOREPLACE,
	};
	struct stat st, st2, after;
	struct target s, t;
	struct rec *rec;
	unsigned int flags;
	enum kind k;
	long ret;
	int err;

	pick_pool(&s);
	if (pct(3))
		t = s;
	else
		pick_second(&t);
	flags = pct(95) ? some[below(ARRAY_SIZE(some))] :
		(unsigned int)rnd();
	k = classify_path(&s, &st, &rec);
	classify_path(&t, &st2, &rec);
	describe("renameat2(%s, %s, %#x)", s.path, t.path, flags);
	ret = syscall(SYS_renameat2, AT_FDCWD, s.path, AT_FDCWD, t.path,
		      flags);
	err = ret ? errno : 0;
	set_result(ret, err);
	count(err);
	verdict(C_RENAME, k, err, 0);
	if (ret)
		return;
	if (dry_run && (flags & RENAME_WHITEOUT))
		drop_special(s.path);
	/* the source is now under the new name, and the target swapped */
	if (lstat(t.path, &after) || after.st_ino != st.st_ino)
		fail("after the rename %s is not the source (inode %llu)",
		     t.path, (unsigned long long)st.st_ino);
	if (flags & RENAME_EXCHANGE) {
		if (lstat(s.path, &after) || after.st_ino != st2.st_ino)
			fail("after the exchange %s is not the old %s",
			     s.path, t.path);
	} else if (!(flags & RENAME_WHITEOUT) && st.st_ino != st2.st_ino) {
		check_gone(s.path);
	}
}

static void op_link(void)
{
	struct stat st, after;
	struct target s, t;
	struct rec *rec;
	enum kind k;
	int ret, err;

	pick_pool(&s);
	pick_second(&t);
	k = classify_path(&s, &st, &rec);
	describe("link(%s, %s)", s.path, t.path);
	ret = link(s.path, t.path);
	err = ret ? errno : 0;
	set_result(ret, err);
	count(err);
	verdict(C_LINK, k, err, 0);
	if (!ret && (lstat(t.path, &after) || after.st_ino != st.st_ino))
		fail("after the link %s is not inode %llu", t.path,
		     (unsigned long long)st.st_ino);
}

static void op_symlink(void)
{
	struct target t, to;
	struct stat st;
	struct rec *rec;
	enum kind k;
	int ret, err;

	pick_pool(&t);
	pick_pool(&to);
	k = classify_path(&t, &st, &rec);
	describe("symlink(%s, %s)", to.path, t.path);
	ret = symlink(to.path, t.path);
	err = ret ? errno : 0;
	set_result(ret, err);
	count(err);
	/* famfs.rst: symlink(2) fails with EPERM */
	verdict(C_SYMLINK, k, err, create_exp(k, EB(EPERM)));
	if (!ret)
		drop_special(t.path);
}

static void op_mknod(void)
{
	static const mode_t types[] = {
		S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK, S_IFDIR, 0170000,
		S_IFREG, 0,
	};
	mode_t type = types[below(ARRAY_SIZE(types))];
	mode_t mode = type | below(01000);
	dev_t dev = type == S_IFBLK ? makedev(7, 0) : makedev(1, 3);
	bool reg = type == S_IFREG || !type;
	struct target t;
	struct stat st;
	struct rec *rec;
	enum kind k;
	__uint128_t exp;
	int ret, err;

	pick_pool(&t);
	k = classify_path(&t, &st, &rec);
	describe("mknod(%s, %#o, %u:%u)", t.path, mode, major(dev),
		 minor(dev));
	ret = mknod(t.path, mode, dev);
	err = ret ? errno : 0;
	set_result(ret, err);
	count(err);
	if (type == S_IFDIR)
		exp = EB(EPERM);	/* mknod(2), before the lookup */
	else if (type == 0170000)
		exp = EB(EINVAL);	/* no such type */
	else if (reg)
		exp = create_exp(k, OK | EB(EIO));
	else
		exp = create_exp(k, EB(EPERM));	/* famfs.rst */
	verdict(reg ? C_MKNOD_REG : C_MKNOD, k, err, exp);
	if (!ret)
		drop_special(t.path);
}

/* A length to truncate a file of @size bytes to */
static long long pick_trunc_len(uint64_t size, bool small)
{
	unsigned int r = below(100);

	if (r < 25)
		return 0;
	if (r < 50)
		return size;
	if (r < 65)
		return size + 1 - 2 * below(2);
	if (r < 70)
		return -1 - (long long)below(2);
	if (small)
		return below(X_MAX);
	if (r < 90)
		return below(4 * GIB);
	return pct(50) ? 1LL << 62 : LLONG_MAX;
}

/* What truncating a famfs file of kind @k to @len answers (famfs.rst) */
static __uint128_t trunc_exp(enum kind k, long long len, const struct rec *r)
{
	if (len < 0)
		return EB(EINVAL);
	switch (k) {
	case K_FREG:
		return len == 0 ? OK : EB(EINVAL);
	case K_FMAP:
		if (!r)
			return 0;
		return (uint64_t)len == r->size ? OK : EB(EINVAL);
	case K_FDIR:
		return EB(EISDIR);
	case K_ABSENT:
	case K_NOPARENT:
		return EB(ENOENT);
	case K_NOTDIR:
		return EB(ENOTDIR);
	default:
		return 0;
	}
}

static void op_truncate(void)
{
	unsigned int r = below(100);
	struct target t;
	struct stat st;
	struct rec *rec;
	long long len;
	enum kind k;
	int ret, err;

	if (r < 88)
		pick_pool(&t);
	else if (r < 93)
		special_target(&t, tmp_file);
	else if (r < 97)
		special_target(&t, "/dev/null");
	else
		special_target(&t, mnt);
	k = classify_path(&t, &st, &rec);
	len = pick_trunc_len(st.st_size, k == K_XREG || k == K_OTHER);
	describe("truncate(%s, %lld)", t.path, len);
	ret = truncate(t.path, len);
	err = ret ? errno : 0;
	set_result(ret, err);
	count(err);
	verdict(C_TRUNCATE, k, err, trunc_exp(k, len, rec));
}

static void op_chmod(void)
{
	unsigned int r = below(100);
	mode_t mode = below(010000);
	struct target t;
	struct stat st;
	struct rec *rec;
	enum kind k;
	int ret, err;

	if (r < 90)
		pick_pool(&t);
	else if (r < 95)
		special_target(&t, tmp_file);
	else
		special_target(&t, mnt);
	k = classify_path(&t, &st, &rec);
	describe("chmod(%s, %#o)", t.path, mode);
	ret = chmod(t.path, mode);
	err = ret ? errno : 0;
	set_result(ret, err);
	count(err);
	verdict(C_CHMOD, k, err, 0);
	if (!ret && !lstat(t.path, &st) && (st.st_mode & 07777) != mode)
		fail("mode %#o after chmod", st.st_mode & 07777);
}

static void op_stat(void)
{
	unsigned int r = below(100);
	struct stat st, st2;
	struct target t;
	struct rec *rec;
	enum kind k;
	int ret, err;

	if (r < 85)
		pick_pool(&t);
	else if (r < 90)
		special_target(&t, tmp_file);
	else if (r < 95)
		special_target(&t, "/dev/null");
	else
		special_target(&t, mnt);
	k = classify_path(&t, &st, &rec);
	describe("stat(%s)", t.path);
	ret = stat(t.path, &st2);
	err = ret ? errno : 0;
	set_result(ret, err);
	count(err);
	verdict(C_STAT, k, err, 0);
	if (!ret && exists(k) && k != K_OTHER &&
	    (st2.st_ino != st.st_ino || st2.st_size != st.st_size))
		fail("stat and lstat disagree: inode %llu size %lld, inode %llu size %lld",
		     (unsigned long long)st2.st_ino, (long long)st2.st_size,
		     (unsigned long long)st.st_ino, (long long)st.st_size);
}

/* ----------------------------------------------------------------------- */
/* Calls on file descriptors */

/* The size famfs gave a file, or the one it has */
static uint64_t file_size(const struct stat *st, const struct rec *r)
{
	return r && r->mapped ? r->size : (uint64_t)st->st_size;
}

static void op_ftruncate(void)
{
	struct ofd *o = pick_fd(W_FAMFS);
	struct stat st;
	struct rec *r;
	long long len;
	enum kind k;
	__uint128_t exp = 0;
	int ret, err;

	if (!o)
		return;
	k = classify_fd(o, &st, &r);
	len = pick_trunc_len(file_size(&st, r), o->hint == K_XREG ||
			     o->hint == K_OTHER);
	describe("ftruncate(%s, %lld)", fd_desc(o), len);
	ret = ftruncate(o->fd, len);
	err = ret ? errno : 0;
	set_result(ret, err);
	count(err);
	if (len < 0)
		exp = EB(EINVAL);
	else if (k == K_OPATH)
		exp = EB(EBADF);
	else if (is_famfs_reg(k))
		exp = fd_writable(o) ? trunc_exp(k, len, r) : EB(EINVAL);
	verdict(C_FTRUNCATE, k, err, exp);
}

static void op_fallocate(void)
{
	static const int modes[] = {
		0, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE,
		FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_ZERO_RANGE, FALLOC_FL_COLLAPSE_RANGE,
		FALLOC_FL_INSERT_RANGE, FALLOC_FL_UNSHARE_RANGE,
	};
	struct ofd *o = pick_fd(W_FAMFS);
	long long off, len, end;
	struct stat st;
	struct rec *r;
	unsigned int p = below(100);
	enum kind k;
	__uint128_t why = 0;
	int mode, ret, err;

	if (!o)
		return;
	mode = pct(90) ? modes[below(ARRAY_SIZE(modes))] :
	       (int)rnd();
	off = below(X_MAX);
	len = between(1, MIB);
	if (p < 5)
		len = 0;
	else if (p < 10)
		off = -1;
	else if (p < 15)
		len = -(long long)below(4096);
	else if (p < 20)
		off = LLONG_MAX - below(4096);
	k = classify_fd(o, &st, &r);
	describe("fallocate(%s, %#x, %lld, %lld)", fd_desc(o), mode, off, len);
	ret = fallocate(o->fd, mode, off, len);
	err = ret ? errno : 0;
	set_result(ret, err);
	count(err);
	if (k == K_OPATH) {
		why = EB(EBADF);
	} else if (is_famfs_reg(k)) {
		/* vfs_fallocate()'s checks, then famfs.rst: EOPNOTSUPP */
		if (off < 0 || len <= 0)
			why |= EB(EINVAL);
		if (!fd_writable(o))
			why |= EB(EBADF);
		if (off >= 0 && len > 0 &&
		    __builtin_add_overflow(off, len, &end))
			why |= EB(EFBIG);
		why |= EB(EOPNOTSUPP);
	}
	verdict(C_FALLOCATE, k, err, why);
}

static void op_fstat(void)
{
	struct ofd *o = pick_fd(W_ANY);
	struct stat st;
	struct rec *r;
	enum kind k;

	if (!o)
		return;
	describe("fstat(%s)", fd_desc(o));
	/* classify_fd() checks the size of famfs files */
	k = classify_fd(o, &st, &r);
	set_result(0, 0);
	count(0);
	verdict(C_FSTAT, k, 0, 0);
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static void op_getdents(void)
{
	struct ofd *o = pick_fd(W_DIR);
	unsigned int p = below(100);
	size_t count_ = between(4096, 65536), room = count_;
	uint8_t *buf = iobuf;
	struct stat st;
	struct rec *r;
	enum kind k;
	__uint128_t exp = 0;
	long ret;
	int err;

	if (!o)
		return;
	k = classify_fd(o, &st, &r);
	if (pct(30) && (k == K_FDIR || k == K_XDIR) &&
	    lseek(o->fd, 0, SEEK_SET))
		fail("lseek(%s, 0) of a directory: %s", fd_desc(o),
		     errname(errno));
	if (p < 10) {
		count_ = between(0, 24);	/* too small for an entry */
		room = count_;
	} else if (p < 15) {
		room = below(64);	/* the buffer ends on a guard */
		buf = iobuf + IOBUF - room;
	} else if (p < 20) {
		buf = (uint8_t *)(uintptr_t)bad_addr();
		room = 0;
	}
	describe("getdents64(%s, %p, %zu)", fd_desc(o), buf, count_);
	ret = syscall(SYS_getdents64, o->fd, buf, count_);
	err = ret < 0 ? errno : 0;
	set_result(ret, err);
	count(err);
	if (k == K_OPATH)
		exp = EB(EBADF);
	else if (is_famfs_reg(k))
		exp = EB(ENOTDIR);
	verdict(C_GETDENTS, k, err, exp);
	/* the padding of the last entry need not be written */
	if (ret > 0 && (size_t)ret > room + 7) {
		fail("getdents64 returned %ld bytes into %zu", ret, room);
	} else if (ret > 0 && buf == iobuf) {
		size_t name_off = offsetof(struct linux_dirent64, d_name);
		long pos = 0;

		while (pos < ret) {
			struct linux_dirent64 *d = (void *)(buf + pos);

			if (d->d_reclen < name_off + 2 ||
			    d->d_reclen > ret - pos ||
			    !memchr(d->d_name, 0, d->d_reclen - name_off)) {
				fail("a bad entry at %ld of what getdents64 returned",
				     pos);
				break;
			}
			pos += d->d_reclen;
		}
	}
}

/* Where a read or write goes */
enum rwbuf { B_GOOD, B_GUARD, B_BAD, B_RO };

static const char *const rwbuf_name[] = { "good", "guard", "bad", "ro" };

#define RWF_BOGUS	0x40000000	/* no such flag */

/*
 * What famfs.rst and the VFS say a read or write of a famfs file must
 * answer, and how many bytes it moves (@n) when it succeeds.
 */
static __uint128_t rw_exp(struct ofd *o, enum kind k, const struct rec *r,
			  bool write, bool vec, int flags, long long pos,
			  uint64_t count_, bool loose, uint64_t *n)
{
	bool append = (o->flags & O_APPEND) || (vec && (flags & RWF_APPEND));
	__uint128_t hard = 0, soft = loose ? EB(EFAULT) : 0, exp;
	uint64_t epos, size;
	long long end;

	*n = 0;
	if (k == K_OPATH)
		return pos < 0 ? EB(EINVAL) : EB(EBADF);
	if (!is_famfs_reg(k))
		return 0;
	if (pos < 0 ||
	    (count_ && __builtin_add_overflow(pos, (long long)count_, &end)))
		hard |= EB(EINVAL);
	if (!(write ? fd_writable(o) : fd_readable(o)))
		hard |= EB(EBADF);
	if (vec && (flags & RWF_BOGUS))
		hard |= EB(EOPNOTSUPP);
	/* a zero-length preadv2/pwritev2 returns before most checks */
	if (hard)
		return hard | soft | (vec && !count_ ? OK : 0);
	/* famfs.rst: a file without a map has no data */
	if (k == K_FREG)
		return EB(ENODATA) | soft | (!count_ ? OK : 0);
	if (!r || !r->mapped)
		return 0;
	size = r->size;
	epos = write && append ? size : (uint64_t)pos;
	exp = OK;
	/* famfs.rst: a write that starts at or past the end: ENOSPC */
	if (write && count_ && epos >= size)
		exp = EB(ENOSPC);
	*n = epos >= size ? 0 : size - epos;
	if (*n > count_)
		*n = count_;
	if (flags & RWF_NOWAIT)
		exp |= EB(EAGAIN);
	if (r->tainted)		/* memory that may have failed */
		exp |= EB(EIO);
	return exp | soft;
}

static void op_rw(bool write)
{
	static const int rwf[] = {
		0, RWF_NOWAIT, RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_APPEND,
		RWF_NOWAIT | RWF_APPEND, RWF_BOGUS,
	};
	unsigned int p = below(100);
	struct ofd *o = pick_fd(W_MAPPED);
	uint64_t size, count_, room = 0, n;
	enum rwbuf bt = B_GOOD;
	bool vec = pct(30), famfs;
	struct stat st;
	struct rec *r;
	long long pos;
	uint8_t *buf = iobuf;
	enum kind k;
	__uint128_t exp;
	int flags = 0, err;
	ssize_t ret;

	if (!o)
		return;
	k = classify_fd(o, &st, &r);
	famfs = is_famfs_reg(o->hint);
	size = file_size(&st, r);

	if (p < 5)
		count_ = 0;
	else if (p < 45)
		count_ = between(1, 4096);
	else if (p < 88)
		count_ = between(4097, 65536);
	else if (p < 98)
		count_ = between(65537, MIB);
	else
		count_ = between(MIB, IOBUF);
	p = below(100);
	if (p < 50)
		pos = below(size + 1);
	else if (p < 62)
		pos = size + 1 - below(3);
	else if (p < 70)
		pos = size + below(4 * MIB);
	else if (p < 78)
		pos = below(1ULL << 32);
	else if (p < 84)
		pos = 1LL << 62;
	else if (p < 88)
		pos = LLONG_MAX - below(4096);
	else if (p < 92)
		pos = -2 - (long long)below(2);
	else
		pos = 0;
	if (pos == -1)		/* preadv2's "the file position" */
		pos = -2;
	if (!famfs) {
		/* keep files elsewhere small */
		if (count_ > 65536)
			count_ = 65536;
		if (pos > (long long)X_MAX)
			pos = below(X_MAX);
		if (size > X_MAX)
			write = false;
	}
	/* memory valid maps avoid is only read */
	if (write && famfs && (!r || r->tainted) && count_ && pos >= 0 &&
	    (uint64_t)pos < size)
		pos = size + below(M2);
	p = below(100);
	if (p < 5) {
		bt = B_GUARD;	/* the kernel runs into the guard */
		room = below(count_ < IOBUF ? count_ : IOBUF);
		buf = iobuf + IOBUF - room;
	} else if (p < 8) {
		bt = B_BAD;
		buf = (uint8_t *)(uintptr_t)bad_addr();
	} else if (p < 10) {
		bt = B_RO;
		buf = slot_ro[below(NR_SLOTS)];
		if (count_ > pg)
			count_ = pg;
	} else if (count_ > IOBUF) {
		count_ = IOBUF;
	}
	if (vec)
		flags = pct(5) ? RWF_BOGUS : rwf[below(write ? 7 : 3)];
	describe("%s(%s, %p (%s), %llu, %lld",
		 vec ? (write ? "pwritev2" : "preadv2") :
		 (write ? "pwrite" : "pread"), fd_desc(o), buf,
		 rwbuf_name[bt], (unsigned long long)count_, pos);
	if (vec)
		describe_more(", %#x", flags);
	describe_more(") size %llu", (unsigned long long)size);
	if (vec) {
		struct iovec iov = { .iov_base = buf, .iov_len = count_ };

		ret = write ? pwritev2(o->fd, &iov, 1, pos, flags) :
			      preadv2(o->fd, &iov, 1, pos, flags);
	} else {
		ret = write ? pwrite(o->fd, buf, count_, pos) :
			      pread(o->fd, buf, count_, pos);
	}
	err = ret < 0 ? errno : 0;
	set_result(ret, err);
	count(err);
	if (ret > 0 && (uint64_t)ret > count_)
		fail("%zd bytes of %llu", ret, (unsigned long long)count_);
	exp = rw_exp(o, k, r, write, vec, flags, pos, count_, bt != B_GOOD,
		     &n);
	verdict(write ? C_PWRITE : C_PREAD, k, err, exp);
	/*
	 * famfs.rst: reads and writes stop at the end of the file, and move
	 * all they can before it: fewer only for a bad buffer, RWF_NOWAIT
	 * or memory that may have failed
	 */
	if (k == K_FMAP && r && r->mapped && exp && ret >= 0 &&
	    (bt != B_GOOD || (flags & RWF_NOWAIT) || r->tainted ?
	     (uint64_t)ret > n : (uint64_t)ret != n))
		fail("%zd bytes, not %llu (file size %llu)", ret,
		     (unsigned long long)n, (unsigned long long)size);
}

static uint64_t round_up_pg(uint64_t x)
{
	return (x + pg - 1) & ~(pg - 1);
}

/* What mmap(2) and famfs.rst say a mapping of a famfs file must answer */
static __uint128_t mmap_exp(struct ofd *o, enum kind k, uint64_t len,
			    uint64_t off, int prot, int flags)
{
	uint64_t alen = (len + pg - 1) & ~(pg - 1), end;
	int type = flags & MAP_TYPE;
	__uint128_t why = 0;

	if (k != K_OPATH && !is_famfs_reg(k))
		return 0;
	if ((off & (pg - 1)) || !len)
		why |= EB(EINVAL);
	if (k == K_OPATH)
		return why | EB(EBADF);
	/* no room: more than TASK_SIZE, or a length that wraps */
	if (len && (alen < len || alen > USER_TOP - pg - LOW_UNMAPPED))
		why |= EB(ENOMEM);
	if (__builtin_add_overflow(off, alen, &end) || end > LLONG_MAX)
		why |= EB(EOVERFLOW);
	if (type == MAP_SHARED_VALIDATE && (flags & MAP_SYNC))
		why |= EB(EOPNOTSUPP);	/* famfs has no MAP_SYNC */
	if (!fd_readable(o))
		why |= EB(EACCES);
	if (type != MAP_PRIVATE && (prot & PROT_WRITE) && !fd_writable(o))
		why |= EB(EACCES);
	if (prot & PROT_EXEC)
		why |= EB(EPERM);		/* famfs is mounted noexec */
	if (k == K_FREG)
		why |= EB(ENODATA);		/* famfs.rst */
	return why ? why : OK;
}

static void op_mmap(void)
{
	static const int prots[] = {
		PROT_READ, PROT_READ, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_WRITE,
		PROT_NONE, PROT_READ | PROT_EXEC,
	};
	struct ofd *o = pick_fd(W_MAPPED);
	unsigned int p = below(100);
	uint64_t size, len, off;
	struct region *rg;
	struct stat st;
	struct rec *r;
	enum kind k;
	int prot, flags, err, fd;
	void *addr;

	if (!o)
		return;
	k = classify_fd(o, &st, &r);
	size = file_size(&st, r);
	if (p < 35)
		len = M2;
	else if (p < 60)
		len = 2 * M2;
	else if (p < 78)
		len = pg * between(1, 256);
	else if (p < 88)
		len = between(3, 8) * M2;
	else if (p < 93)
		len = size > 2 * M2 && size <= 3 * GIB ?
		      round_up_pg(size) : 4 * M2;
	else if (p < 95)
		len = 0;
	else if (p < 98)
		len = USER_TOP;			/* more than there is */
	else
		len = 0 - pg / 2;		/* overflows page alignment */
	if (!is_famfs_reg(o->hint) && len > 2 * M2 && len < USER_TOP)
		len = 2 * M2;
	p = below(100);
	if (p < 35 || !size)
		off = 0;
	else if (p < 55)
		off = below(size) & ~(M2 - 1);
	else if (p < 70)
		off = below(size) & ~(pg - 1);
	else if (p < 80)
		off = round_up_pg(size) + pg * below(4);
	else if (p < 88)
		off = below(2 * size) & ~(pg - 1);
	else if (p < 93)
		off = between(1, pg - 1) + (below(size) & ~(pg - 1));
	else
		off = pct(50) ? 1ULL << 62 : 0 - pg;
	prot = prots[below(ARRAY_SIZE(prots))];
	p = below(100);
	flags = p < 55 ? MAP_SHARED : p < 90 ? MAP_PRIVATE :
		p < 95 ? MAP_SHARED_VALIDATE : MAP_SHARED_VALIDATE | MAP_SYNC;
	if (pct(3) && len <= 2 * M2)
		flags |= MAP_POPULATE;
	describe("mmap(%#llx, %s%s%s, %s%s%s, %s, %#llx) size %llu",
		 (unsigned long long)len, prot & PROT_READ ? "R" : "",
		 prot & PROT_WRITE ? "W" : "", prot & PROT_EXEC ? "X" : "",
		 (flags & MAP_TYPE) == MAP_PRIVATE ? "PRIVATE" :
		 (flags & MAP_TYPE) == MAP_SHARED ? "SHARED" :
		 "SHARED_VALIDATE", flags & MAP_SYNC ? "|SYNC" : "",
		 flags & MAP_POPULATE ? "|POPULATE" : "", fd_desc(o),
		 (unsigned long long)off, (unsigned long long)size);
	addr = (void *)syscall(SYS_mmap, NULL, len, prot, flags, o->fd, off);
	err = addr == MAP_FAILED ? errno : 0;
	if (err)
		set_result(-1, err);
	else
		snprintf(result, sizeof(result), "%p", addr);
	count(err);
	verdict(C_MMAP, k, err, mmap_exp(o, k, len, off, prot, flags));
	if (err)
		return;
	rg = region_slot();
	fd = dup(o->fd);
	if (fd < 0) {
		fail("dup(%s): %s", fd_desc(o), errname(errno));
		munmap(addr, len);
		return;
	}
	rg->used = true;
	rg->addr = addr;
	rg->len = len;
	rg->off = off;
	rg->prot = prot;
	rg->flags = flags;
	rg->fd = fd;
	rg->direct = o->flags & O_DIRECT;
	rg->famfs = is_famfs_reg(o->hint);
	rg->tainted = rg->famfs && (!r || r->tainted);
	rg->size = size;
	rg->name = o->name;
}

/*
 * Loads and stores in a mapping. Past the page that holds the end of the
 * file they must raise SIGBUS; below it they must not (famfs: a mapped
 * file's memory is all there, up to the end of its last page). Stores go
 * only below the end of the file, and never to memory that valid maps
 * avoid. A shared mapping and pread(2) must see the same bytes.
 */
static void op_touch(void)
{
	struct region *rg = pick_region();
	uint64_t size, eof, delta, fo;
	unsigned int i, n, bus = 0, inside = 0;
	bool checked = false;
	struct stat st;
	int sig;

	if (!rg)
		return;
	size = rg->size;
	if (!rg->famfs) {
		if (fstat(rg->fd, &st)) {
			fail("fstat(dup of %s): %s", rg->name, errname(errno));
			return;
		}
		size = st.st_size;
	}
	eof = round_up_pg(size);
	n = between(1, 8);
	describe("touch %s%s mapping of %s at %#llx, %#llx bytes from %#llx, file size %llu:",
		 (rg->flags & MAP_TYPE) == MAP_PRIVATE ? "private" : "shared",
		 rg->tainted ? " read-only" : "", rg->name,
		 (unsigned long long)(uintptr_t)rg->addr,
		 (unsigned long long)rg->len, (unsigned long long)rg->off,
		 (unsigned long long)size);
	for (i = 0; i < n && !stop; i++) {
		bool load = rg->prot & PROT_READ, store, must, may;
		uint8_t got = 0, val = rnd();
		unsigned int p = below(100);

		if (!(rg->prot & (PROT_READ | PROT_WRITE)))
			break;
		delta = below(rg->len);
		/* the edges: the last byte, the page end, the next page */
		if (p < 10 && size - 1 >= rg->off &&
		    size - 1 - rg->off < rg->len)
			delta = size - 1 - rg->off;
		else if (p < 20 && eof - 1 >= rg->off &&
			 eof - 1 - rg->off < rg->len)
			delta = eof - 1 - rg->off;
		else if (p < 30 && eof >= rg->off && eof - rg->off < rg->len)
			delta = eof - rg->off;
		fo = rg->off + delta;
		must = fo >= eof;
		may = must || rg->tainted;
		store = (rg->prot & PROT_WRITE) && fo < size && !rg->tainted &&
			(!load || pct(40));
		if (!load && !store)
			continue;
		sig = probe(rg->addr + delta, load, store, val, &got);
		describe_more(" %s+%#llx%s", store ? "w" : "r",
			      (unsigned long long)delta,
			      sig == SIGBUS ? "!BUS" : sig ? "!SEGV" : "");
		if (sig == SIGBUS) {
			bus++;
			inside += !must;
		}
		if (sig == SIGSEGV) {
			fail("SIGSEGV at file offset %#llx of a mapping with prot %#x",
			     (unsigned long long)fo, rg->prot);
		} else if (sig && !may) {
			fail("SIGBUS at file offset %#llx, inside the file (size %llu)",
			     (unsigned long long)fo, (unsigned long long)size);
		} else if (!sig && must) {
			fail("no SIGBUS at file offset %#llx, past the end of the file (size %llu)",
			     (unsigned long long)fo, (unsigned long long)size);
		} else if (!sig && !checked && fo < size && !rg->tainted &&
			   !rg->direct &&
			   (rg->flags & MAP_TYPE) != MAP_PRIVATE) {
			uint8_t b = 0, want = store ? val : got;

			checked = true;
			if (pread(rg->fd, &b, 1, fo) != 1)
				fail("pread of a mapped byte at %#llx: %s",
				     (unsigned long long)fo, errname(errno));
			else if (b != want)
				fail("pread sees %#x at %#llx, the mapping %#x",
				     b, (unsigned long long)fo, want);
		}
	}
	if (bus) {
		nr_sigbus++;
		/* only where a damaged map named memory others use */
		if (inside)
			nr_faults_allowed++;
		snprintf(result, sizeof(result), "%u SIGBUS", bus);
	} else {
		nr_ok++;
		snprintf(result, sizeof(result), "ok");
	}
}

static void op_munmap(void)
{
	struct region *rg = pick_region();

	if (!rg)
		return;
	describe("munmap(%p, %#llx) of %s", rg->addr,
		 (unsigned long long)rg->len, rg->name);
	region_unmap(rg);
	set_result(0, 0);
	count(0);
}

static void op_close(void)
{
	struct ofd *o = pick_fd(W_ANY);

	if (!o)
		return;
	describe("close(%s)", fd_desc(o));
	fd_close(o);
	set_result(0, 0);
	count(0);
}

/* ----------------------------------------------------------------------- */
/* The steps */

static void op_map_create_v1(void) { op_map_create(false); }
static void op_map_create_v2(void) { op_map_create(true); }
static void op_get(void) { op_map_get(C_MAP_GET); }
static void op_getext(void) { op_map_get(C_MAP_GETEXT); }
static void op_get_v2(void) { op_map_get(C_MAP_GET_V2); }
static void op_unlink(void) { op_remove(false); }
static void op_rmdir(void) { op_remove(true); }
static void op_pread(void) { op_rw(false); }
static void op_pwrite(void) { op_rw(true); }

static const struct {
	void (*fn)(void);
	unsigned int weight;
} ops[] = {
	{ op_map_create_v1, 7 }, { op_map_create_v2, 9 }, { op_get, 4 },
	{ op_getext, 3 }, { op_get_v2, 4 }, { op_nop, 2 },
	{ op_add_daxdev, 3 }, { op_get_max_daxdev, 1 },
	{ op_ioc_other, 5 },
	{ op_open, 9 }, { op_tmpfile, 1 }, { op_mkdir, 2 }, { op_rmdir, 2 },
	{ op_unlink, 3 }, { op_rename, 3 }, { op_link, 2 },
	{ op_symlink, 1 }, { op_mknod, 1 }, { op_truncate, 2 },
	{ op_chmod, 1 }, { op_stat, 2 },
	{ op_ftruncate, 2 }, { op_fallocate, 2 }, { op_fstat, 1 },
	{ op_getdents, 2 },
	{ op_pread, 7 }, { op_pwrite, 6 }, { op_mmap, 6 }, { op_touch, 10 },
	{ op_munmap, 3 }, { op_close, 3 },
};

#define NR_OPS	(ARRAY_SIZE(ops))

/* One call: an operation that finds nothing to work on yields to open */
static void do_step(void)
{
	unsigned int total = 0, i, try;
	uint64_t x;

	for (i = 0; i < NR_OPS; i++)
		total += ops[i].weight;
	for (try = 0; try < 3; try++) {
		desc[0] = 0;
		result[0] = 0;
		x = below(total);
		for (i = 0; x >= ops[i].weight; i++)
			x -= ops[i].weight;
		ops[i].fn();
		if (result[0])
			return;
	}
	op_open();
}

/* ----------------------------------------------------------------------- */
/* Setting up and tearing down */

static void rm_tree(const char *path, unsigned int depth)
{
	struct dirent *de;
	struct stat st;
	char sub[PATH_MAX];
	DIR *d;

	if (lstat(path, &st))
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	d = depth < 16 ? opendir(path) : NULL;
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		rm_tree(sub, depth + 1);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

static int setup_paths(void)
{
	unsigned int i, j, n = 0;
	int err = 0;

	for (i = 0; i < NR_TOP; i++, n++) {
		err |= asprintf(&paths[n], "%s/f%02u", mnt, i) < 0;
		parent_of[n] = -1;
	}
	for (i = 0; i < NR_DIRS; i++, n++) {
		err |= asprintf(&paths[n], "%s/d%u", mnt, i) < 0;
		parent_of[n] = -1;
	}
	for (i = 0; i < NR_DIRS; i++)
		for (j = 0; j < NR_SUB; j++, n++) {
			err |= asprintf(&paths[n], "%s/d%u/f%u", mnt, i, j) < 0;
			parent_of[n] = NR_TOP + i;
		}
	return err ? -1 : 0;
}

/* The objects the calls start with */
static int setup_objects(void)
{
	unsigned int i;
	int fd;

	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/famfs_fuzz.XXXXXX");
	if (!mkdtemp(tmp_dir))
		return -1;
	snprintf(tmp_file, sizeof(tmp_file), "%s/file", tmp_dir);
	snprintf(tmp_sub, sizeof(tmp_sub), "%s/dir", tmp_dir);
	snprintf(tmp_target, sizeof(tmp_target), "%s/t", tmp_sub);
	if (mkdir(tmp_sub, 0755))
		return -1;
	fd = open(tmp_file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, MIB + 123))
		return -1;
	fd_add(fd, O_RDWR, tmp_file);

	for (i = 0; i < NR_DIRS; i++)
		if (mkdir(paths[NR_TOP + i], 0755))
			return -1;
	for (i = 0; i < 4; i++) {
		fd = open(paths[i], O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
			  0644);
		if (fd < 0)
			return -1;
		fd_add(fd, O_RDWR, paths[i]);
	}
	fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	fd_add(fd, O_RDONLY | O_DIRECTORY, mnt);
	fd = open(tmp_sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	fd_add(fd, O_RDONLY | O_DIRECTORY, tmp_sub);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	fd_add(fd, O_RDWR, "/dev/null");
	open_pair(false);
	open_pair(true);
	return nr_fail ? -1 : 0;
}

static void teardown(void)
{
	unsigned int i;

	step++;
	for (i = 0; i < NR_REGIONS; i++)
		if (regions[i].used)
			region_unmap(&regions[i]);
	for (i = 0; i < NR_FDS; i++)
		if (fds[i].fd >= 0)
			fd_close(&fds[i]);
	if (!dry_run) {
		describe("umount(%s)", mnt);
		if (umount(mnt)) {
			set_result(-1, errno);
			fail("famfs must unmount once its files are closed");
			umount2(mnt, MNT_DETACH);
		}
	} else {
		for (i = 0; i < NR_TOP + NR_DIRS; i++)
			rm_tree(paths[i], 0);
		/* chmod() may have changed MNT itself */
		chmod(mnt, mnt_mode);
	}
	if (tmp_dir[0])
		rm_tree(tmp_dir, 0);
}

static void summary(void)
{
	char by[1024] = "";
	size_t len = 0;
	int e;

	for (e = 1; e < NR_ERRNO; e++)
		if (by_errno[e] && len < sizeof(by) - 40)
			len += snprintf(by + len, sizeof(by) - len, "%s%s %llu",
					len ? ", " : "", errname(e),
					(unsigned long long)by_errno[e]);
	printf("# famfs_fuzz: seed %llu, %llu calls: %llu ok, %llu refused, %llu SIGBUS\n",
	       (unsigned long long)seed, (unsigned long long)nr_calls,
	       (unsigned long long)nr_ok, (unsigned long long)nr_refused,
	       (unsigned long long)nr_sigbus);
	printf("# refused by errno: %s; SIGBUS allowed inside a file: %llu\n",
	       len ? by : "none", (unsigned long long)nr_faults_allowed);
}

static bool started;

static int finish(int status, const char *why)
{
	if (status == KSFT_SKIP)
		printf("ok 1 famfs_fuzz # SKIP %s\n", why);
	else if (!started)
		printf("not ok 1 famfs_fuzz # %s\n", why);
	else
		printf("%sok 1 famfs_fuzz # seed %llu, %llu calls%s%s\n",
		       status ? "not " : "", (unsigned long long)seed,
		       (unsigned long long)nr_calls, why ? ": " : "",
		       why ? why : "");
	fflush(stdout);
	return status;
}

static bool env_number(const char *name, uint64_t *v)
{
	const char *s = getenv(name);
	char *end;

	if (!s || !*s)
		return true;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end && *s != '-';
}

int main(int argc, char **argv)
{
	const char *s = getenv("FAMFS_FUZZ_SEED");
	char why[256];
	struct stat st;
	int fd;

	printf("TAP version 13\n1..1\n");
	if (argc != 3) {
		fprintf(stderr,
			"usage: %s DEV MNT\n"
			"  mounts famfs from the device-dax instance DEV on the empty directory MNT\n"
			"  FAMFS_FUZZ_CALLS=N   calls to make (100000)\n"
			"  FAMFS_FUZZ_SEED=S    seed, or \"random\" (1)\n"
			"  FAMFS_FUZZ_NOMOUNT=1 a dry run: mount nothing, use MNT as it is\n",
			argv[0]);
		return finish(KSFT_FAIL, "usage: famfs_fuzz DEV MNT");
	}
	dev_path = argv[1];
	mnt = argv[2];
	s = getenv("FAMFS_FUZZ_NOMOUNT");
	dry_run = s && strcmp(s, "") && strcmp(s, "0");
	nr_calls = 100000;
	if (!env_number("FAMFS_FUZZ_CALLS", &nr_calls))
		return finish(KSFT_FAIL, "FAMFS_FUZZ_CALLS is not a number");
	seed = 1;
	s = getenv("FAMFS_FUZZ_SEED");
	if (s && !strcmp(s, "random")) {
		if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
			seed = time(NULL) ^ ((uint64_t)getpid() << 32);
	} else if (!env_number("FAMFS_FUZZ_SEED", &seed)) {
		return finish(KSFT_FAIL,
			      "FAMFS_FUZZ_SEED is no number nor \"random\"");
	}
	rng = seed;
	pg = sysconf(_SC_PAGESIZE);

	if (stat(mnt, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(why, sizeof(why), "%s is not a directory", mnt);
		return finish(KSFT_FAIL, why);
	}
	mnt_mode = st.st_mode & 07777;
	if (dry_run) {
		dev_size = DRY_DEV_SIZE;
	} else {
		if (geteuid())
			return finish(KSFT_SKIP, "famfs_fuzz needs root");
		dev_size = famfs_dev_size(dev_path);
		if (dev_size < MIN_DEV_SIZE) {
			snprintf(why, sizeof(why),
				 "%s is no device-dax instance of 5 GiB or more",
				 dev_path);
			return finish(KSFT_SKIP, why);
		}
		if (mount(dev_path, mnt, "famfs", FAMFS_MOUNT_FLAGS, "")) {
			snprintf(why, sizeof(why), "mount(%s, %s, famfs): %s",
				 dev_path, mnt, errname(errno));
			return finish(KSFT_FAIL, why);
		}
		if (stat(mnt, &st)) {
			umount2(mnt, MNT_DETACH);
			return finish(KSFT_FAIL, "stat of the famfs root");
		}
		famfs_dev = st.st_dev;
		have_famfs = true;
	}
	xdev[0] = dev_path;
	xdev_size[0] = dev_size;
	s = getenv("FAMFS_DEVS");
	if (s && !dry_run) {
		char *list = strdup(s), *save, *tok;

		for (tok = strtok_r(list, " ", &save); tok && nr_xdevs < NR_XDEVS;
		     tok = strtok_r(NULL, " ", &save)) {
			xdev[nr_xdevs] = tok;
			xdev_size[nr_xdevs++] = famfs_dev_size(tok);
		}
	}
	usable_hi = dev_size - STRESS_POISON;
	if (usable_hi > 5 * GIB - HIGH_RESERVED)
		usable_hi = 5 * GIB - HIGH_RESERVED;
	usable_hi &= ~(M2 - 1);
	printf("# famfs_fuzz: %s on %s%s, seed %llu (FAMFS_FUZZ_SEED=%llu), %llu calls\n",
	       dev_path, mnt, dry_run ? " (dry run: not mounted)" : "",
	       (unsigned long long)seed, (unsigned long long)seed,
	       (unsigned long long)nr_calls);
	fflush(stdout);

	started = true;
	for (fd = 0; fd < NR_FDS; fd++)
		fds[fd].fd = -1;
	describe("setting up");
	if (arena_setup() || setup_signals() || setup_paths() ||
	    setup_objects()) {
		fail("setting up: %s", errname(errno));
		teardown();
		return finish(KSFT_FAIL, "setting up");
	}
	/* the pipe and socket pair of the set-up are no calls */
	nr_ok = 0;

	for (step = 1; step <= nr_calls && !stop; step++) {
		do_step();
		ring_push();
		if (!(step % 10000)) {
			printf("# step %llu\n", (unsigned long long)step);
			fflush(stdout);
		}
	}
	nr_calls = step - 1;
	teardown();
	summary();
	return finish(nr_fail ? KSFT_FAIL : KSFT_PASS, NULL);
}
