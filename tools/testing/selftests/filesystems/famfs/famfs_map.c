// SPDX-License-Identifier: GPL-2.0
/*
 * famfs_map: the smallest part of famfs user space, for scripts.
 *
 *   famfs_map map FILE SIZE OFF:LEN[,OFF:LEN]
 *	create FILE and give it simple extents (FAMFSIOC_MAP_CREATE)
 *   famfs_map imap FILE SIZE CHUNK STRIP_LEN OFF[,OFF...]
 *	create FILE and give it one interleaved extent (MAP_CREATE_V2)
 *   famfs_map fill FILE SEED
 *	write(2) a pattern made from SEED over all of FILE
 *   famfs_map verify FILE SEED
 *	check the pattern through read(2) and through mmap
 *   famfs_map post DEV OFF VALUE
 *   famfs_map wait DEV OFF VALUE SECONDS
 *	store, or wait for, a 64-bit VALUE at OFF of the dax device DEV:
 *	hosts that share the device meet there
 *
 * Numbers take a K, M or G suffix. The exit status is 0 on success.
 */
#define _GNU_SOURCE
#include <time.h>
#include "../../kselftest.h"
#include "famfs_util.h"

static const char *prog = "famfs_map";

static void help(void)
{
	fprintf(stderr,
		"usage: %s map FILE SIZE OFF:LEN[,OFF:LEN]\n"
		"       %s imap FILE SIZE CHUNK STRIP_LEN OFF[,OFF...]\n"
		"       %s fill|verify FILE SEED\n"
		"       %s post DEV OFF VALUE\n"
		"       %s wait DEV OFF VALUE SECONDS\n",
		prog, prog, prog, prog, prog);
	exit(2);
}

static uint64_t number(const char *s)
{
	uint64_t v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		help();
	if (*end) {
		const char *units = "KMG", *u = strchr(units, *end);

		if (!u)
			help();
		v <<= 10 * (u - units + 1);
		end++;
	}
	if (*end)
		help();
	return v;
}

/* Split "a,b,c" in place; returns how many there were */
static unsigned int split(char *s, char **parts, unsigned int max)
{
	unsigned int n = 0;
	char *tok, *save;

	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == max)
			help();
		parts[n++] = tok;
	}
	return n;
}

static int create(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);

	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		exit(1);
	}
	return fd;
}

static int cmd_map(char **argv)
{
	struct famfs_extent ext[FAMFS_MAX_EXTENTS];
	char *parts[FAMFS_MAX_EXTENTS];
	uint64_t size = number(argv[1]);
	unsigned int i, n;
	int fd, err;

	n = split(argv[2], parts, FAMFS_MAX_EXTENTS);
	for (i = 0; i < n; i++) {
		char *colon = strchr(parts[i], ':');

		if (!colon)
			help();
		*colon = '\0';
		ext[i].offset = number(parts[i]);
		ext[i].len = number(colon + 1);
	}
	fd = create(argv[0]);
	err = famfs_map_simple(fd, FAMFS_REG, size, ext, n);
	if (err) {
		fprintf(stderr, "%s: map %s: %s\n", prog, argv[0], strerror(-err));
		return 1;
	}
	return close(fd) ? 1 : 0;
}

static int cmd_imap(char **argv)
{
	uint64_t off[FAMFS_MAX_STRIPS];
	char *parts[FAMFS_MAX_STRIPS];
	unsigned int i, n;
	int fd, err;

	n = split(argv[4], parts, FAMFS_MAX_STRIPS);
	for (i = 0; i < n; i++)
		off[i] = number(parts[i]);
	fd = create(argv[0]);
	err = famfs_map_interleaved(fd, number(argv[1]), number(argv[2]), n,
				    off, number(argv[3]));
	if (err) {
		fprintf(stderr, "%s: imap %s: %s\n", prog, argv[0], strerror(-err));
		return 1;
	}
	return close(fd) ? 1 : 0;
}

#define BUF_SIZE	(1024 * 1024)

static int cmd_fill(char **argv)
{
	uint64_t seed = number(argv[1]), pos = 0;
	static uint8_t buf[BUF_SIZE];
	struct stat st;
	int fd;

	fd = open(argv[0], O_WRONLY);
	if (fd < 0 || fstat(fd, &st))
		goto err;
	while (pos < (uint64_t)st.st_size) {
		size_t len = st.st_size - pos < BUF_SIZE ? st.st_size - pos : BUF_SIZE;
		ssize_t done;

		famfs_pattern_fill(buf, pos, len, seed);
		done = pwrite(fd, buf, len, pos);
		if (done <= 0)
			goto err;
		pos += done;
	}
	if (close(fd))
		goto err;
	return 0;
err:
	fprintf(stderr, "%s: fill %s: %s\n", prog, argv[0], strerror(errno));
	return 1;
}

static int cmd_verify(char **argv)
{
	uint64_t seed = number(argv[1]), pos = 0;
	static uint8_t buf[BUF_SIZE];
	struct stat st;
	int64_t bad;
	uint8_t *p;
	int fd;

	fd = open(argv[0], O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		goto err;
	while (pos < (uint64_t)st.st_size) {
		ssize_t done = pread(fd, buf, BUF_SIZE, pos);

		if (done <= 0)
			goto err;
		bad = famfs_pattern_check(buf, pos, done, seed);
		if (bad >= 0) {
			fprintf(stderr, "%s: %s: read(2) differs at byte %llu\n",
				prog, argv[0], (unsigned long long)(pos + bad));
			return 1;
		}
		pos += done;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto err;
	bad = famfs_pattern_check(p, 0, st.st_size, seed);
	munmap(p, st.st_size);
	close(fd);
	if (bad >= 0) {
		fprintf(stderr, "%s: %s: mmap differs at byte %lld\n",
			prog, argv[0], (long long)bad);
		return 1;
	}
	printf("%s: %llu bytes as written (read(2) and mmap)\n",
	       argv[0], (unsigned long long)st.st_size);
	return 0;
err:
	fprintf(stderr, "%s: verify %s: %s\n", prog, argv[0], strerror(errno));
	return 1;
}

/* The 64-bit word at @off of the device, mapped through its 2 MiB page */
static uint64_t *dev_word(const char *dev, uint64_t off)
{
	uint8_t *p = famfs_dev_mmap(dev, off & ~(FAMFS_M2 - 1), FAMFS_M2);

	if (p == MAP_FAILED) {
		fprintf(stderr, "%s: mmap %s: %s\n", prog, dev, strerror(errno));
		exit(1);
	}
	return (uint64_t *)(p + (off & (FAMFS_M2 - 1) & ~7ULL));
}

static int cmd_post(char **argv)
{
	uint64_t *w = dev_word(argv[0], number(argv[1]));

	__atomic_store_n(w, number(argv[2]), __ATOMIC_SEQ_CST);
	return 0;
}

static int cmd_wait(char **argv)
{
	uint64_t *w = dev_word(argv[0], number(argv[1]));
	uint64_t want = number(argv[2]);
	time_t end = time(NULL) + number(argv[3]);
	const struct timespec nap = { .tv_nsec = 20 * 1000 * 1000 };

	while (__atomic_load_n(w, __ATOMIC_SEQ_CST) != want) {
		if (time(NULL) > end) {
			fprintf(stderr, "%s: no %#llx at %s+%s in %s s\n",
				prog, (unsigned long long)want, argv[0], argv[1],
				argv[3]);
			return 1;
		}
		nanosleep(&nap, NULL);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int nargs;
		int (*fn)(char **argv);
	} cmds[] = {
		{ "map", 3, cmd_map },
		{ "imap", 5, cmd_imap },
		{ "fill", 2, cmd_fill },
		{ "verify", 2, cmd_verify },
		{ "post", 3, cmd_post },
		{ "wait", 4, cmd_wait },
	};
	unsigned int i;

	if (argc < 2)
		help();
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			if (argc - 2 != cmds[i].nargs)
				help();
			return cmds[i].fn(argv + 2);
		}
	help();
	return 2;
}
