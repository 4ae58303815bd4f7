/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the ext2 execute-in-place (XIP) selftests.
 *
 * Environment used by the tests:
 *   XIP_DIR           directory on an ext2 filesystem mounted with -o xip
 *                     (default /mnt/xip)
 *   XIP_ALLOW_NONXIP  if set to 1, XIP_DIR may be on any filesystem and the
 *                     "page cache stays empty" assertions only log.  Meant
 *                     for debugging the tests themselves on a host; never
 *                     set it when testing a kernel.
 */
#ifndef __XIP_HELPERS_H
#define __XIP_HELPERS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>

#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

#define XIP_PAGE	4096UL
#define XIP_DEFAULT_DIR	"/mnt/xip"

struct xip_cachestat_range {
	uint64_t off;
	uint64_t len;
};

struct xip_cachestat {
	uint64_t nr_cache;
	uint64_t nr_dirty;
	uint64_t nr_writeback;
	uint64_t nr_evicted;
	uint64_t nr_recently_evicted;
};

static inline const char *xip_dir(void)
{
	const char *d = getenv("XIP_DIR");

	return d && *d ? d : XIP_DEFAULT_DIR;
}

static inline bool xip_relaxed(void)
{
	const char *r = getenv("XIP_ALLOW_NONXIP");

	return r && !strcmp(r, "1");
}

/*
 * Number of page-cache pages of the whole file behind @fd, or -1 with errno
 * set.  Uses cachestat(2); if the kernel lacks it, falls back to mincore(2)
 * on a fresh, never-touched mapping (which reports page-cache residency).
 */
static inline long xip_cached_pages(int fd)
{
	struct xip_cachestat_range range = { 0, 0 };
	struct xip_cachestat cs;
	unsigned char *vec;
	struct stat st;
	size_t len, i;
	long n = 0;
	void *p;

	memset(&cs, 0, sizeof(cs));
	if (!syscall(__NR_cachestat, fd, &range, &cs, 0))
		return (long)cs.nr_cache;
	if (errno != ENOSYS)
		return -1;

	if (fstat(fd, &st))
		return -1;
	if (!st.st_size)
		return 0;
	len = (st.st_size + XIP_PAGE - 1) & ~(XIP_PAGE - 1);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	vec = calloc(len / XIP_PAGE, 1);
	if (!vec || mincore(p, len, vec)) {
		free(vec);
		munmap(p, len);
		return -1;
	}
	for (i = 0; i < len / XIP_PAGE; i++)
		n += vec[i] & 1;
	free(vec);
	munmap(p, len);
	return n;
}

/* Does the comma separated option list @opts contain @opt? */
static inline bool xip_opt_has(const char *opts, const char *opt)
{
	size_t l = strlen(opt);
	const char *s = opts;

	while (s && *s) {
		if (!strncmp(s, opt, l) && (s[l] == ',' || s[l] == '\0'))
			return true;
		s = strchr(s, ',');
		if (s)
			s++;
	}
	return false;
}

/*
 * Find the mount holding @path in /proc/self/mountinfo (by device number).
 * Fills @fstype and @opts (per-mount and per-superblock options joined by a
 * comma) and, if @src is not NULL, @src with its source (the device).
 * Returns 0, or -1 if not found.
 */
static inline int __xip_mount_info(const char *path, char *fstype,
				   size_t flen, char *opts, size_t olen,
				   char *src, size_t slen)
{
	char line[4096], mopts[1024], sopts[1024], fst[64], s[512];
	unsigned int maj, min;
	struct stat st;
	int ret = -1;
	FILE *f;

	if (stat(path, &st))
		return -1;
	f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *sep;

		if (sscanf(line, "%*d %*d %u:%u %*s %*s %1023s",
			   &maj, &min, mopts) != 3)
			continue;
		if (makedev(maj, min) != st.st_dev)
			continue;
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep, " - %63s %511s %1023s", fst, s,
				   sopts) != 3)
			continue;
		if (snprintf(fstype, flen, "%s", fst) >= (int)flen ||
		    snprintf(opts, olen, "%s,%s", mopts, sopts) >= (int)olen ||
		    (src && snprintf(src, slen, "%s", s) >= (int)slen))
			continue;
		ret = 0;
	}
	fclose(f);
	return ret;
}

static inline int xip_mount_info(const char *path, char *fstype, size_t flen,
				 char *opts, size_t olen)
{
	return __xip_mount_info(path, fstype, flen, opts, olen, NULL, 0);
}

/* The source (device) of the mount holding @path, as mountinfo says. */
static inline int xip_mount_source(const char *path, char *src, size_t len)
{
	char fstype[64], opts[2048];

	return __xip_mount_info(path, fstype, sizeof(fstype), opts,
				sizeof(opts), src, len);
}

/* Deterministic, position dependent test data: never all zero. */
static inline unsigned char xip_pat(unsigned int seed, uint64_t off)
{
	uint64_t x = off * 0x9E3779B97F4A7C15ULL + seed * 0xBF58476D1CE4E5B9ULL;

	x ^= x >> 29;
	return (unsigned char)((x & 0x7f) | 0x80);
}

static inline void xip_fill(void *buf, size_t len, unsigned int seed,
			    uint64_t off)
{
	unsigned char *b = buf;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = xip_pat(seed, off + i);
}

/* Returns -1 if @buf holds the pattern, else the first mismatching index. */
static inline ssize_t xip_check(const void *buf, size_t len, unsigned int seed,
				uint64_t off)
{
	const unsigned char *b = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != xip_pat(seed, off + i))
			return i;
	return -1;
}

/* Returns -1 if all of @buf is @c, else the first other index. */
static inline ssize_t xip_check_byte(const void *buf, size_t len,
				     unsigned char c)
{
	const unsigned char *b = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != c)
			return i;
	return -1;
}

static inline int xip_pwrite_all(int fd, const void *buf, size_t len,
				 off_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n <= 0)
			return -1;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static inline int xip_pread_all(int fd, void *buf, size_t len, off_t off)
{
	char *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, off);

		if (n <= 0)
			return -1;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* Write @len bytes of pattern @seed at file offset @off. */
static inline int xip_write_pattern(int fd, size_t len, unsigned int seed,
				    off_t off)
{
	size_t chunk = 1 << 20, done = 0;
	char *buf = malloc(chunk);
	int ret = 0;

	if (!buf)
		return -1;
	while (!ret && done < len) {
		size_t n = len - done < chunk ? len - done : chunk;

		xip_fill(buf, n, seed, off + done);
		ret = xip_pwrite_all(fd, buf, n, off + done);
		done += n;
	}
	free(buf);
	return ret;
}

/*
 * Compare @len bytes of the file at @off with pattern @seed.  Returns -1 if
 * equal, the offset of the first difference, or -2 on a read error.
 */
static inline off_t xip_verify_pattern(int fd, size_t len, unsigned int seed,
				       off_t off)
{
	size_t chunk = 1 << 20, done = 0;
	char *buf = malloc(chunk);
	off_t ret = -1;

	if (!buf)
		return -2;
	while (ret == -1 && done < len) {
		size_t n = len - done < chunk ? len - done : chunk;
		ssize_t bad;

		if (xip_pread_all(fd, buf, n, off + done)) {
			ret = -2;
			break;
		}
		bad = xip_check(buf, n, seed, off + done);
		if (bad >= 0)
			ret = off + done + bad;
		done += n;
	}
	free(buf);
	return ret;
}

/* 64-bit FNV-1a over @len bytes of the file from offset 0. */
static inline int xip_file_hash(int fd, uint64_t *hash, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t chunk = 1 << 16, done = 0;
	unsigned char *buf = malloc(chunk);

	if (!buf)
		return -1;
	while (done < len) {
		size_t n = len - done < chunk ? len - done : chunk, i;

		if (xip_pread_all(fd, buf, n, done)) {
			free(buf);
			return -1;
		}
		for (i = 0; i < n; i++) {
			h ^= buf[i];
			h *= 0x100000001b3ULL;
		}
		done += n;
	}
	free(buf);
	*hash = h;
	return 0;
}

static inline int __xip_rm_one(const char *path, const struct stat *st,
			       int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

/* rm -rf @path (no error if it does not exist). */
static inline int xip_rmtree(const char *path)
{
	if (access(path, F_OK) && errno == ENOENT)
		return 0;
	return nftw(path, __xip_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * SIGBUS catching that works per thread: xip_probe_read()/xip_probe_write()
 * return 1 if the access raised SIGBUS, 0 if it completed.
 */
static __thread sigjmp_buf * volatile xip_bus_env;
static __thread volatile int xip_bus_count;

static inline void xip_bus_handler(int sig)
{
	if (xip_bus_env) {
		xip_bus_count++;
		siglongjmp(*xip_bus_env, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static inline int xip_catch_sigbus(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = xip_bus_handler;
	sa.sa_flags = SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, NULL);
}

static inline int xip_probe_read(const volatile unsigned char *p,
				 unsigned char *val)
{
	sigjmp_buf env;

	if (sigsetjmp(env, 1)) {
		xip_bus_env = NULL;
		return 1;
	}
	xip_bus_env = &env;
	__asm__ __volatile__("" ::: "memory");
	*val = *p;
	__asm__ __volatile__("" ::: "memory");
	xip_bus_env = NULL;
	return 0;
}

static inline int xip_probe_write(volatile unsigned char *p, unsigned char val)
{
	sigjmp_buf env;

	if (sigsetjmp(env, 1)) {
		xip_bus_env = NULL;
		return 1;
	}
	xip_bus_env = &env;
	__asm__ __volatile__("" ::: "memory");
	*p = val;
	__asm__ __volatile__("" ::: "memory");
	xip_bus_env = NULL;
	return 0;
}

/* Copy @len bytes from a mapping, return 1 if that raised SIGBUS. */
static inline int xip_probe_copy(void *dst, const volatile void *src,
				 size_t len)
{
	const volatile unsigned char *s = src;
	unsigned char *d = dst;
	sigjmp_buf env;
	size_t i;

	if (sigsetjmp(env, 1)) {
		xip_bus_env = NULL;
		return 1;
	}
	xip_bus_env = &env;
	__asm__ __volatile__("" ::: "memory");
	for (i = 0; i < len; i++)
		d[i] = s[i];
	__asm__ __volatile__("" ::: "memory");
	xip_bus_env = NULL;
	return 0;
}

/*
 * ext2 keeps whole-second timestamps: wait (bounded, about 3s at most) until
 * the coarse clock that inode timestamps are taken from has passed @t, so
 * that a later update is observable.
 */
static inline int xip_wait_past(time_t t)
{
	struct timespec ts, d = { 0, 20 * 1000 * 1000 };
	int i;

	for (i = 0; i < 150; i++) {
		clock_gettime(CLOCK_REALTIME_COARSE, &ts);
		if (ts.tv_sec > t)
			return 0;
		nanosleep(&d, NULL);
	}
	return -1;
}

/* "MemTotal:" style field of /proc/meminfo in KiB, or -1. */
static inline long xip_meminfo_kb(const char *field)
{
	size_t l = strlen(field);
	char line[256];
	long v = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, l) && line[l] == ':') {
			v = strtol(line + l + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/*
 * Can get_user_pages() pin the memory of XIP mappings under @dir?  Yes where
 * the memory has struct page that XIP maps with a reference (the RAM disk)
 * or as fs-DAX does (pmem with pages); no on DCSS, raw pmem and MTD, where
 * pinning fails with EFAULT.  XIP_PIN=yes|no says so; without it, a RAM
 * disk says yes and anything else no.
 */
static inline bool xip_pinnable(const char *dir)
{
	const char *e = getenv("XIP_PIN");
	char src[512];

	if (e && *e)
		return !strcmp(e, "yes");
	return !xip_mount_source(dir, src, sizeof(src)) &&
	       !strncmp(src, "/dev/ram", 8);
}

static inline int xip_read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

/* The device block of each of the first @n blocks of @fd (FIBMAP). */
static inline int xip_fibmap(int fd, unsigned int *blocks, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		blocks[i] = i;
		if (ioctl(fd, FIBMAP, &blocks[i]))
			return -1;
	}
	return 0;
}

/*
 * A page pinned through a mapping (vmsplice into a pipe that nobody reads
 * yet) while another process truncates the file and fills the filesystem,
 * so that the freed blocks are allocated again: the pipe must still deliver
 * the old data, as with the page cache, and the new file must hold its own.
 * Where pages cannot be pinned (!@pin), vmsplice must fail with EFAULT.
 * Returns NULL or what went wrong.
 */
static inline const char *xip_pin_vs_truncate(const char *dir, bool pin)
{
	enum { NR = 8, LEFT = 24, MAXNEW = 64 };
	const size_t len = NR * 4096;
	unsigned int old[NR], new[MAXNEW];
	static char msg[256];
	char a[4096], b[4096], f[4096];
	unsigned char *m = MAP_FAILED, *buf = malloc(len), *zero;
	int fd = -1, ffd = -1, gfd, p[2] = { -1, -1 }, status, i, k, reused;
	const char *err = NULL;
	struct statfs sfs;
	struct iovec iov;
	off_t newsize;
	long long fill;
	ssize_t n;
	pid_t pid;

	snprintf(a, sizeof(a), "%s/pinned", dir);
	snprintf(b, sizeof(b), "%s/reuser", dir);
	snprintf(f, sizeof(f), "%s/filler", dir);
	zero = calloc(1, 1 << 20);
	if (!buf || !zero)
		return "no memory";
	/*
	 * Fill the filesystem, then free LEFT blocks again: the new file
	 * below must then take the blocks that the truncate frees.
	 */
	if (pin) {
		ffd = open(f, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (ffd < 0 || statfs(dir, &sfs) || sfs.f_bsize != 4096) {
			err = "set up the filler";
			goto out;
		}
		for (fill = 0; (n = write(ffd, zero, 1 << 20)) > 0; fill += n)
			;
		if (n < 0 && errno != ENOSPC) {
			err = "fill the filesystem";
			goto out;
		}
		if (fill < LEFT * 4096 || ftruncate(ffd, fill - LEFT * 4096)) {
			err = "make room in the full filesystem";
			goto out;
		}
	}
	fd = open(a, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || xip_write_pattern(fd, len, 63, 0) || fsync(fd) ||
	    xip_fibmap(fd, old, NR)) {
		err = "set up the file";
		goto out;
	}
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED || pipe(p)) {
		err = "mmap or pipe";
		goto out;
	}
	iov.iov_base = m;
	iov.iov_len = len;
	errno = 0;
	n = vmsplice(p[1], &iov, 1, 0);
	if (!pin) {
		if (n != -1 || errno != EFAULT) {
			snprintf(msg, sizeof(msg),
				 "vmsplice of unpinnable memory: %zd (%s)", n,
				 strerror(errno));
			err = msg;
		}
		goto out;
	}
	if (n != (ssize_t)len) {
		snprintf(msg, sizeof(msg), "vmsplice: %zd (%s)", n,
			 strerror(errno));
		err = msg;
		goto out;
	}
	munmap(m, len);
	m = MAP_FAILED;
	pid = fork();
	if (pid < 0) {
		err = "fork";
		goto out;
	}
	if (!pid) {
		/* truncate, then take every free block with a new file */
		if (ftruncate(fd, 0))
			_exit(1);
		gfd = open(b, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (gfd < 0)
			_exit(2);
		for (i = 0; i < MAXNEW; i++) {
			unsigned char page[4096];

			xip_fill(page, sizeof(page), 64, (uint64_t)i * 4096);
			if (pwrite(gfd, page, sizeof(page), i * 4096) != 4096)
				break;
		}
		_exit(fsync(gfd) ? 3 : 0);
	}
	if (waitpid(pid, &status, 0) != pid || xip_read_full(p[0], buf, len)) {
		err = "wait for the child or read the pipe";
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(msg, sizeof(msg), "truncating child failed: %#x",
			 status);
		err = msg;
		goto out;
	}
	if (xip_check(buf, len, 63, 0) != -1) {
		err = "the pinned page changed: it backs another block now";
		goto out;
	}
	gfd = open(b, O_RDONLY);
	newsize = gfd < 0 ? -1 : lseek(gfd, 0, SEEK_END);
	k = newsize / 4096;
	if (k > MAXNEW)
		k = MAXNEW;
	if (newsize < 4096 || xip_verify_pattern(gfd, newsize, 64, 0) != -1 ||
	    xip_fibmap(gfd, new, k)) {
		err = "the new file does not hold its data";
	} else {
		for (reused = 0, i = 0; i < k; i++)
			for (int j = 0; j < NR; j++)
				reused += new[i] == old[j];
		if (!reused)
			err = "no freed block was reused: the check proves nothing";
	}
	if (gfd >= 0)
		close(gfd);
out:
	if (m != MAP_FAILED)
		munmap(m, len);
	if (p[0] >= 0) {
		close(p[0]);
		close(p[1]);
	}
	if (fd >= 0)
		close(fd);
	if (ffd >= 0)
		close(ffd);
	unlink(a);
	unlink(b);
	unlink(f);
	free(buf);
	free(zero);
	return err;
}

#endif /* __XIP_HELPERS_H */
