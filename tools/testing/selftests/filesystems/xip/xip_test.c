// SPDX-License-Identifier: GPL-2.0
/*
 * Functional tests of ext2 execute-in-place (mount -o xip): read/write paths,
 * mmap, holes, truncate, exec, and the rule that the page cache of an XIP
 * file always stays empty.
 *
 * Needs root and an ext2 filesystem mounted with -o xip at $XIP_DIR
 * (default /mnt/xip).  See xip_helpers.h.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <grp.h>
#include <elf.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <linux/aio_abi.h>
#include <linux/io_uring.h>

#include "xip_helpers.h"
/*
 * The harness is not -Wextra clean: an unused parameter, and TEST_F()
 * wrappers that trip -Wclobbered once a test body is inlined into them.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#pragma GCC diagnostic ignored "-Wclobbered"

#ifndef RWF_NOWAIT
#define RWF_NOWAIT	0x00000008
#endif
#ifndef RWF_DSYNC
#define RWF_DSYNC	0x00000002
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup	425
#endif
#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter	426
#endif

#define PS		((long)XIP_PAGE)
#define SZ(x)		((ssize_t)sizeof(x))
#define EXEC_CHILD_ARG	"--xip-exec-child"
#define UPROBE_CHILD_ARG	"--xip-uprobe-child"
#define NOBODY		65534

FIXTURE(xip) {
	char dir[PATH_MAX];
	bool relaxed;
};

FIXTURE_SETUP(xip)
{
	char fstype[64], opts[1024];
	char real[PATH_MAX];

	self->relaxed = xip_relaxed();
	ASSERT_EQ(PS, sysconf(_SC_PAGESIZE));
	ASSERT_NE(NULL, realpath(xip_dir(), real))
		TH_LOG("XIP_DIR %s: %s", xip_dir(), strerror(errno));
	if (!self->relaxed) {
		ASSERT_EQ(0, xip_mount_info(real, fstype, sizeof(fstype),
					    opts, sizeof(opts)))
			TH_LOG("no mount found for %s", real);
		ASSERT_STREQ("ext2", fstype);
		ASSERT_TRUE(xip_opt_has(opts, "xip"))
			TH_LOG("%s not mounted with -o xip: %s", real, opts);
	}
	ASSERT_GT(SZ(self->dir), snprintf(self->dir, sizeof(self->dir),
					  "%s/t.%d.%s", real, getpid(),
					  _metadata->name));
	ASSERT_EQ(0, mkdir(self->dir, 0755))
		TH_LOG("mkdir %s: %s", self->dir, strerror(errno));
	ASSERT_EQ(0, xip_catch_sigbus());
}

/*
 * Runs in the parent of the test process, so that it also runs after a
 * failed assertion.
 */
FIXTURE_TEARDOWN_PARENT(xip)
{
	if (self->dir[0])
		xip_rmtree(self->dir);
}

/* The page cache of the file behind @fd must be empty. */
#define ASSERT_NO_CACHE(fd) do {					\
	long __pages = xip_cached_pages(fd);				\
									\
	ASSERT_LE(0, __pages)						\
		TH_LOG("cachestat: %s", strerror(errno));		\
	if (__pages && self->relaxed) {					\
		TH_LOG("relaxed: %ld page-cache pages", __pages);	\
	} else {							\
		ASSERT_EQ(0, __pages)					\
			TH_LOG("XIP file has %ld page-cache pages",	\
			       __pages);				\
	}								\
} while (0)

/* Assert that [off, off + len) of the file is pattern @seed. */
#define ASSERT_FILE_PATTERN(fd, len, seed, off) do {			\
	unsigned int __seed = (seed);					\
	off_t __bad = xip_verify_pattern(fd, len, __seed, off);		\
									\
	ASSERT_EQ(-1, __bad)						\
		TH_LOG("file differs from pattern %u at %lld",		\
		       __seed, (long long)__bad);			\
} while (0)

/* Assert that [off, off + len) of the file reads as zeroes. */
#define ASSERT_FILE_ZERO(fd, len, off) do {				\
	size_t __len = (len);						\
	off_t __off = (off);						\
	char *__b = malloc(__len);					\
	ssize_t __bad;							\
									\
	ASSERT_NE(NULL, __b);						\
	ASSERT_EQ(0, xip_pread_all(fd, __b, __len, __off));		\
	__bad = xip_check_byte(__b, __len, 0);				\
	free(__b);							\
	ASSERT_EQ(-1, __bad)						\
		TH_LOG("expected zeroes at %lld",			\
		       (long long)__off + (long long)__bad);		\
} while (0)

static void tpath(char *buf, size_t len, FIXTURE_DATA(xip) * self,
		  const char *name)
{
	if (snprintf(buf, len, "%s/%s", self->dir, name) >= (int)len)
		abort();
}

static int tcreate(FIXTURE_DATA(xip) * self, const char *name, int flags)
{
	char path[PATH_MAX];

	tpath(path, sizeof(path), self, name);
	return open(path, O_RDWR | O_CREAT | O_EXCL | flags, 0644);
}

static off_t fsize(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return -1;
	return st.st_size;
}

static long long fblocks(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return -1;
	return st.st_blocks;
}

TEST_F(xip, mount_is_xip)
{
	char fstype[64], opts[1024];
	struct statfs sfs;

	if (self->relaxed)
		SKIP(return, "XIP_ALLOW_NONXIP set");
	ASSERT_EQ(0, xip_mount_info(self->dir, fstype, sizeof(fstype),
				    opts, sizeof(opts)));
	ASSERT_STREQ("ext2", fstype);
	ASSERT_TRUE(xip_opt_has(opts, "xip")) TH_LOG("options: %s", opts);
	ASSERT_FALSE(xip_opt_has(opts, "dax")) TH_LOG("options: %s", opts);
	ASSERT_EQ(0, statfs(self->dir, &sfs));
	ASSERT_EQ(PS, (long)sfs.f_bsize);
}

/* The measurement itself must be able to see page-cache pages. */
TEST_F(xip, cachestat_sees_page_cache)
{
	struct xip_cachestat_range range = { 0, 0 };
	struct xip_cachestat cs;
	char buf[4 * PS];
	int mfd, fd;

	mfd = memfd_create("xip-cachestat", 0);
	ASSERT_LE(0, mfd);
	xip_fill(buf, sizeof(buf), 1, 0);
	ASSERT_EQ(SZ(buf), write(mfd, buf, sizeof(buf)));
	ASSERT_LE(4, xip_cached_pages(mfd));
	if (syscall(__NR_cachestat, mfd, &range, &cs, 0))
		TH_LOG("cachestat(2) unavailable (%s), using mincore",
		       strerror(errno));
	close(mfd);

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(SZ(buf), write(fd, buf, sizeof(buf)));
	ASSERT_NO_CACHE(fd);
	close(fd);
}

TEST_F(xip, read_write)
{
	ssize_t len = 3 * PS + 1234;
	char *buf = malloc(len + PS), *rbuf = malloc(len + PS);
	char path[PATH_MAX];
	int fd;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, rbuf);
	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	xip_fill(buf, len, 1, 0);
	ASSERT_EQ(len, write(fd, buf, len));
	ASSERT_EQ(len, fsize(fd));
	ASSERT_NO_CACHE(fd);

	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	memset(rbuf, 0, len + PS);
	ASSERT_EQ(len, read(fd, rbuf, len + PS));
	ASSERT_EQ(0, memcmp(buf, rbuf, len));
	ASSERT_EQ(0, read(fd, rbuf, PS));

	/* unaligned pread across a page boundary */
	ASSERT_EQ(30, pread(fd, rbuf, 30, PS - 10));
	ASSERT_EQ(0, memcmp(buf + PS - 10, rbuf, 30));
	/* pread crossing EOF is short */
	ASSERT_EQ(234, pread(fd, rbuf, PS, len - 234));
	ASSERT_EQ(0, memcmp(buf + len - 234, rbuf, 234));

	/* overwrite in the middle, size unchanged */
	xip_fill(buf + PS + 5, 2 * PS, 2, PS + 5);
	ASSERT_EQ(2 * PS, pwrite(fd, buf + PS + 5, 2 * PS, PS + 5));
	ASSERT_EQ(len, fsize(fd));
	ASSERT_EQ(len, pread(fd, rbuf, len + PS, 0));
	ASSERT_EQ(0, memcmp(buf, rbuf, len));
	ASSERT_NO_CACHE(fd);
	close(fd);

	/* and again through a new open file */
	tpath(path, sizeof(path), self, "f");
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	memset(rbuf, 0, len);
	ASSERT_EQ(len, read(fd, rbuf, len));
	ASSERT_EQ(0, memcmp(buf, rbuf, len));
	ASSERT_NO_CACHE(fd);
	close(fd);
	free(buf);
	free(rbuf);
}

TEST_F(xip, readv_writev_preadv2)
{
	ssize_t len = 3 * PS + 107;
	char *model = calloc(1, len), *b = calloc(1, len);
	struct iovec iov[3];
	int fd;

	ASSERT_NE(NULL, model);
	ASSERT_NE(NULL, b);
	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);

	xip_fill(model, len, 3, 0);
	iov[0].iov_base = model;
	iov[0].iov_len = 100;
	iov[1].iov_base = model + 100;
	iov[1].iov_len = PS;
	iov[2].iov_base = model + 100 + PS;
	iov[2].iov_len = len - 100 - PS;
	ASSERT_EQ(len, writev(fd, iov, 3));
	ASSERT_EQ(len, fsize(fd));

	/* pwritev of two pieces at an unaligned offset */
	xip_fill(model + 50, 2 * PS, 4, 50);
	iov[0].iov_base = model + 50;
	iov[0].iov_len = PS - 1;
	iov[1].iov_base = model + 50 + PS - 1;
	iov[1].iov_len = PS + 1;
	ASSERT_EQ(2 * PS, pwritev(fd, iov, 2, 50));

	/* pwritev2 with RWF_DSYNC at the tail */
	xip_fill(model + len - 300, 300, 5, len - 300);
	iov[0].iov_base = model + len - 300;
	iov[0].iov_len = 300;
	ASSERT_EQ(300, pwritev2(fd, iov, 1, len - 300, RWF_DSYNC));
	ASSERT_EQ(len, fsize(fd));

	/* readv */
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	iov[0].iov_base = b;
	iov[0].iov_len = 7;
	iov[1].iov_base = b + 7;
	iov[1].iov_len = 2 * PS;
	iov[2].iov_base = b + 7 + 2 * PS;
	iov[2].iov_len = len - 7 - 2 * PS;
	ASSERT_EQ(len, readv(fd, iov, 3));
	ASSERT_EQ(0, memcmp(model, b, len));

	/* preadv, preadv2 without and with RWF_NOWAIT */
	memset(b, 0, len);
	ASSERT_EQ(len - 10, preadv(fd, iov, 3, 10));
	ASSERT_EQ(0, memcmp(model + 10, b, len - 10));
	memset(b, 0, len);
	ASSERT_EQ(len - 1, preadv2(fd, iov, 3, 1, 0));
	ASSERT_EQ(0, memcmp(model + 1, b, len - 1));
	ASSERT_NO_CACHE(fd);
	close(fd);
	free(model);
	free(b);
}

TEST_F(xip, preadv2_nowait)
{
	ssize_t len = 2 * PS + 99;
	char *model = malloc(len), *b = calloc(1, len + PS);
	struct iovec iov[2];
	int fd;

	ASSERT_NE(NULL, model);
	ASSERT_NE(NULL, b);
	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	xip_fill(model, len, 41, 0);
	ASSERT_EQ(len, write(fd, model, len));
	ASSERT_EQ(0, ftruncate(fd, len + 3 * PS));	/* and a hole */

	iov[0].iov_base = b;
	iov[0].iov_len = 10;
	iov[1].iov_base = b + 10;
	iov[1].iov_len = len - 10;
	ASSERT_EQ(len, preadv2(fd, iov, 2, 0, RWF_NOWAIT))
		TH_LOG("RWF_NOWAIT read: %s", strerror(errno));
	ASSERT_EQ(0, memcmp(model, b, len));
	iov[0].iov_len = PS;
	memset(b, 0xff, PS);
	ASSERT_EQ(PS, preadv2(fd, iov, 1, len + PS, RWF_NOWAIT))
		TH_LOG("RWF_NOWAIT read of a hole: %s", strerror(errno));
	ASSERT_EQ(-1, xip_check_byte(b, PS, 0));
	ASSERT_NO_CACHE(fd);
	close(fd);
	free(model);
	free(b);
}

/* O_DIRECT is accepted on XIP files and behaves like any other access. */
TEST_F(xip, o_direct)
{
	char *buf, *rbuf;
	int fd;

	buf = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	rbuf = buf + 2 * PS;
	fd = tcreate(self, "f", O_DIRECT);
	if (fd < 0 && errno == EINVAL)
		SKIP(return, "O_DIRECT refused on this filesystem");
	ASSERT_LE(0, fd);
	xip_fill(buf, 2 * PS, 42, 0);
	ASSERT_EQ(2 * PS, pwrite(fd, buf, 2 * PS, 0));
	ASSERT_EQ(2 * PS, fsize(fd));
	ASSERT_EQ(2 * PS, pread(fd, rbuf, 2 * PS, 0));
	ASSERT_EQ(0, memcmp(buf, rbuf, 2 * PS));
	ASSERT_NO_CACHE(fd);
	close(fd);
	munmap(buf, 4 * PS);
}

TEST_F(xip, append)
{
	char buf[6000], rbuf[7000];
	int fd;

	fd = tcreate(self, "f", O_APPEND);
	ASSERT_LE(0, fd);
	xip_fill(buf, sizeof(buf), 6, 0);
	ASSERT_EQ(100, write(fd, buf, 100));
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	ASSERT_EQ(5000, write(fd, buf + 100, 5000));
	ASSERT_EQ(5100, lseek(fd, 0, SEEK_CUR));
	ASSERT_EQ(10, lseek(fd, 10, SEEK_SET));
	ASSERT_EQ(900, write(fd, buf + 5100, 900));
	ASSERT_EQ(6000, fsize(fd));
	ASSERT_EQ(6000, pread(fd, rbuf, sizeof(rbuf), 0));
	ASSERT_EQ(0, memcmp(buf, rbuf, 6000));
	ASSERT_NO_CACHE(fd);
	close(fd);
}

TEST_F(xip, sync_writes)
{
	static const int flags[] = { O_SYNC, O_DSYNC };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		char name[16], buf[2 * PS + 17];
		char *m;
		int fd;

		snprintf(name, sizeof(name), "f%u", i);
		fd = tcreate(self, name, flags[i]);
		ASSERT_LE(0, fd);
		xip_fill(buf, sizeof(buf), 7 + i, 0);
		ASSERT_EQ(SZ(buf), write(fd, buf, sizeof(buf)));
		ASSERT_EQ(0, fsync(fd));
		ASSERT_EQ(0, fdatasync(fd));
		ASSERT_EQ(0, sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
		m = mmap(NULL, 3 * PS, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
		ASSERT_NE(MAP_FAILED, m);
		m[5] = 0x11;
		ASSERT_EQ(0, msync(m, 3 * PS, MS_SYNC));
		ASSERT_EQ(0, munmap(m, 3 * PS));
		ASSERT_EQ(0, syncfs(fd));
		ASSERT_EQ(SZ(buf), fsize(fd));
		ASSERT_EQ(1, pread(fd, buf, 1, 5));
		ASSERT_EQ(0x11, buf[0]);
		ASSERT_FILE_PATTERN(fd, 5, 7 + i, 0);
		ASSERT_FILE_PATTERN(fd, sizeof(buf) - 6, 7 + i, 6);
		ASSERT_NO_CACHE(fd);
		close(fd);
	}
}

static volatile sig_atomic_t xfsz_count;

static void xfsz_handler(int sig)
{
	(void)sig;
	xfsz_count++;
}

TEST_F(xip, rlimit_fsize)
{
	struct rlimit rl = { 10000, 10000 };
	char buf[8192];
	int fd;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_NE(SIG_ERR, signal(SIGXFSZ, xfsz_handler));
	ASSERT_EQ(0, setrlimit(RLIMIT_FSIZE, &rl));
	xip_fill(buf, sizeof(buf), 9, 0);
	ASSERT_EQ(8192, pwrite(fd, buf, 8192, 0));
	/* crossing the limit: short write up to the limit, no signal */
	xip_fill(buf, 4096, 9, 8192);
	ASSERT_EQ(10000 - 8192, pwrite(fd, buf, 4096, 8192));
	ASSERT_EQ(0, xfsz_count);
	/* at the limit: EFBIG and SIGXFSZ */
	errno = 0;
	ASSERT_EQ(-1, pwrite(fd, buf, 10, 10000));
	ASSERT_EQ(EFBIG, errno);
	ASSERT_EQ(1, xfsz_count);
	ASSERT_EQ(-1, pwrite(fd, buf, 10, 20000));
	ASSERT_EQ(EFBIG, errno);
	ASSERT_EQ(2, xfsz_count);
	ASSERT_EQ(10000, fsize(fd));
	ASSERT_FILE_PATTERN(fd, 10000, 9, 0);
	close(fd);
}

static int write_as_nobody(const char *path, const char *buf, size_t len)
{
	pid_t pid = fork();
	int status, fd;

	if (pid < 0)
		return -1;
	if (!pid) {
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(2);
		fd = open(path, O_WRONLY);
		if (fd < 0)
			_exit(3);
		if (write(fd, buf, len) != (ssize_t)len)
			_exit(4);
		_exit(close(fd) ? 5 : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(xip, suid_sgid_stripped_on_write)
{
	char path[PATH_MAX], buf[200];
	struct stat st;
	int fd;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	tpath(path, sizeof(path), self, "f");
	xip_fill(buf, sizeof(buf), 10, 0);
	ASSERT_EQ(SZ(buf), write(fd, buf, sizeof(buf)));
	ASSERT_EQ(0, fchmod(fd, 06777));

	/* a writer with CAP_FSETID keeps the bits */
	ASSERT_EQ(10, pwrite(fd, buf, 10, 0));
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_EQ(06777, (int)(st.st_mode & 07777));

	memset(buf, 0x5a, 10);
	ASSERT_EQ(0, write_as_nobody(path, buf, 10));
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_EQ(0, (int)(st.st_mode & (S_ISUID | S_ISGID)))
		TH_LOG("mode after write by uid %d: %o", NOBODY, st.st_mode);
	ASSERT_EQ(0777, (int)(st.st_mode & 07777));
	ASSERT_EQ(10, pread(fd, buf + 100, 10, 0));
	ASSERT_EQ(-1, xip_check_byte(buf + 100, 10, 0x5a));
	ASSERT_NO_CACHE(fd);
	close(fd);
}

/* Set old timestamps, then wait for the clock to pass the new ctime. */
static int age_file(int fd, struct stat *st)
{
	struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };

	if (futimens(fd, ts) || fstat(fd, st))
		return -1;
	if (st->st_mtime != 1000000000)
		return -1;
	return xip_wait_past(st->st_ctime);
}

TEST_F(xip, timestamps_write)
{
	char buf[PS];
	struct stat old, st;
	int fd;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	xip_fill(buf, sizeof(buf), 11, 0);
	ASSERT_EQ(PS, write(fd, buf, PS));
	ASSERT_EQ(0, age_file(fd, &old));
	ASSERT_EQ(10, pwrite(fd, buf, 10, 100));
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_LT(old.st_ctime, st.st_mtime);
	ASSERT_LT(old.st_ctime, st.st_ctime);
	close(fd);
}

TEST_F_TIMEOUT(xip, timestamps_mmap_store, 60)
{
	struct stat old, st;
	char buf[2 * PS];
	volatile char *m;
	int fd;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	xip_fill(buf, sizeof(buf), 12, 0);
	ASSERT_EQ(SZ(buf), write(fd, buf, sizeof(buf)));
	m = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	/* page 0 is read-faulted first, page 1 is never touched */
	ASSERT_EQ(buf[3], m[3]);

	ASSERT_EQ(0, age_file(fd, &old));
	m[7] = 0x42;
	ASSERT_EQ(0, msync((void *)m, 2 * PS, MS_SYNC));
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_LT(old.st_ctime, st.st_mtime) TH_LOG("store to read page");
	ASSERT_LT(old.st_ctime, st.st_ctime);

	ASSERT_EQ(0, age_file(fd, &old));
	m[PS + 9] = 0x43;
	ASSERT_EQ(0, msync((void *)m, 2 * PS, MS_SYNC));
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_LT(old.st_ctime, st.st_mtime) TH_LOG("store to new page");
	ASSERT_LT(old.st_ctime, st.st_ctime);

	ASSERT_EQ(1, pread(fd, buf, 1, PS + 9));
	ASSERT_EQ(0x43, buf[0]);
	ASSERT_NO_CACHE(fd);
	munmap((void *)m, 2 * PS);
	close(fd);
}

TEST_F(xip, sparse_holes)
{
	ssize_t len = 1 << 20;
	char buf[PS];
	long long b0, b1, b2;
	int fd;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, len));
	ASSERT_EQ(len, fsize(fd));
	b0 = fblocks(fd);
	ASSERT_EQ(0, b0);
	ASSERT_FILE_ZERO(fd, len, 0);

	xip_fill(buf, PS, 13, 512 << 10);
	ASSERT_EQ(PS, pwrite(fd, buf, PS, 512 << 10));
	b1 = fblocks(fd);
	ASSERT_LE(b0 + (long long)(PS / 512), b1);

	/* a small write into the middle of a hole block */
	xip_fill(buf, 100, 14, (768 << 10) + 50);
	ASSERT_EQ(100, pwrite(fd, buf, 100, (768 << 10) + 50));
	b2 = fblocks(fd);
	ASSERT_LE(b1 + (long long)(PS / 512), b2);
	ASSERT_EQ(len, fsize(fd));

	ASSERT_FILE_ZERO(fd, 512 << 10, 0);
	ASSERT_FILE_PATTERN(fd, PS, 13, 512 << 10);
	ASSERT_FILE_ZERO(fd, (768 << 10) + 50 - (512 << 10) - PS,
			 (512 << 10) + PS);
	ASSERT_FILE_PATTERN(fd, 100, 14, (768 << 10) + 50);
	ASSERT_FILE_ZERO(fd, len - (768 << 10) - 150, (768 << 10) + 150);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

/*
 * Newly allocated blocks must never expose old device contents: fill the
 * filesystem's free space with junk, free it, and write sparsely.
 */
TEST_F_TIMEOUT(xip, new_blocks_are_zeroed, 120)
{
	size_t junk_len = 4 << 20, len = 2 << 20, off;
	char path[PATH_MAX], buf[PS];
	volatile char *m;
	int fd, i;

	fd = tcreate(self, "junk", 0);
	ASSERT_LE(0, fd);
	memset(buf, 0xee, PS);
	for (off = 0; off < junk_len; off += PS)
		ASSERT_EQ(PS, write(fd, buf, PS));
	ASSERT_EQ(0, fsync(fd));
	close(fd);
	tpath(path, sizeof(path), self, "junk");
	ASSERT_EQ(0, unlink(path));
	sync();

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, len));
	/* even pages by write(2), odd pages by stores through a mapping */
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	for (i = 0; i < (int)(len / PS); i++) {
		if (i % 2)
			m[i * PS + 100] = 0x77;
		else
			ASSERT_EQ(1, pwrite(fd, "\x77", 1, i * PS + 100));
	}
	ASSERT_LE((long long)(len / 512), fblocks(fd));
	for (i = 0; i < (int)(len / PS); i++) {
		ASSERT_EQ(PS, pread(fd, buf, PS, i * PS));
		ASSERT_EQ(0x77, buf[100]);
		buf[100] = 0;
		ASSERT_EQ(-1, xip_check_byte(buf, PS, 0))
			TH_LOG("stale data in newly allocated page %d", i);
	}
	munmap((void *)m, len);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

TEST_F(xip, size_grows_by_written_only)
{
	char buf[100];
	int fd;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	xip_fill(buf, sizeof(buf), 15, 0);
	ASSERT_EQ(100, write(fd, buf, 100));
	ASSERT_EQ(100, fsize(fd));
	xip_fill(buf, 10, 15, 5000);
	ASSERT_EQ(10, pwrite(fd, buf, 10, 5000));
	ASSERT_EQ(5010, fsize(fd));
	ASSERT_EQ(0, pwrite(fd, buf, 0, 100000));
	ASSERT_EQ(5010, fsize(fd));
	ASSERT_FILE_PATTERN(fd, 100, 15, 0);
	ASSERT_FILE_ZERO(fd, 4900, 100);
	ASSERT_FILE_PATTERN(fd, 10, 15, 5000);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

TEST_F(xip, short_write_on_fault)
{
	char *buf, *rbuf = malloc(3 * PS);
	ssize_t ret;
	int fd;

	ASSERT_NE(NULL, rbuf);
	buf = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	xip_fill(buf, PS, 16, 0);
	ASSERT_EQ(0, mprotect(buf + PS, PS, PROT_NONE));

	/* page aligned file offset */
	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ret = write(fd, buf, 2 * PS);
	ASSERT_LT(0, ret) TH_LOG("write: %s", strerror(errno));
	ASSERT_GE(PS, ret);
	ASSERT_EQ(ret, fsize(fd));
	ASSERT_EQ(ret, pread(fd, rbuf, 3 * PS, 0));
	ASSERT_EQ(0, memcmp(buf, rbuf, ret));
	/* a write from an unreadable buffer fails and changes nothing */
	errno = 0;
	ASSERT_EQ(-1, pwrite(fd, buf + PS, PS, ret));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(ret, fsize(fd));
	ASSERT_NO_CACHE(fd);
	close(fd);

	/* unaligned file offset: the copy crosses a file page boundary */
	fd = tcreate(self, "g", 0);
	ASSERT_LE(0, fd);
	ret = pwrite(fd, buf, 2 * PS, 1000);
	ASSERT_LT(0, ret) TH_LOG("pwrite: %s", strerror(errno));
	ASSERT_GE(PS, ret);
	ASSERT_EQ(1000 + ret, fsize(fd));
	ASSERT_FILE_ZERO(fd, 1000, 0);
	ASSERT_EQ(ret, pread(fd, rbuf, 3 * PS, 1000));
	ASSERT_EQ(0, memcmp(buf, rbuf, ret));
	ASSERT_NO_CACHE(fd);
	close(fd);
	munmap(buf, 2 * PS);
	free(rbuf);
}

TEST_F(xip, sendfile_splice)
{
	ssize_t len = 3 * PS + 123, done;
	char *buf = malloc(len), *rbuf = malloc(len);
	int fd, mfd, p[2];
	off_t off;
	ssize_t n;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, rbuf);
	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	xip_fill(buf, len, 17, 0);
	ASSERT_EQ(len, write(fd, buf, len));

	/* sendfile to a memfd, whole file then a range */
	mfd = memfd_create("xip-sendfile", 0);
	ASSERT_LE(0, mfd);
	off = 0;
	for (done = 0; done < len; done += n) {
		n = sendfile(mfd, fd, &off, len - done);
		ASSERT_LT(0, n) TH_LOG("sendfile: %s", strerror(errno));
	}
	ASSERT_EQ(len, off);
	ASSERT_EQ(len, pread(mfd, rbuf, len, 0));
	ASSERT_EQ(0, memcmp(buf, rbuf, len));
	ASSERT_EQ(0, ftruncate(mfd, 0));
	ASSERT_EQ(0, lseek(mfd, 0, SEEK_SET));
	off = 100;
	ASSERT_EQ(5000, sendfile(mfd, fd, &off, 5000));
	ASSERT_EQ(5000, pread(mfd, rbuf, len, 0));
	ASSERT_EQ(0, memcmp(buf + 100, rbuf, 5000));
	close(mfd);

	/* splice to a pipe (the whole file fits in a default pipe) */
	ASSERT_EQ(0, pipe(p));
	off = 0;
	for (done = 0; done < len; done += n) {
		n = splice(fd, &off, p[1], NULL, len - done, 0);
		ASSERT_LT(0, n) TH_LOG("splice: %s", strerror(errno));
	}
	for (done = 0; done < len; done += n) {
		n = read(p[0], rbuf + done, len - done);
		ASSERT_LT(0, n);
	}
	ASSERT_EQ(0, memcmp(buf, rbuf, len));
	/* splice using the file position */
	ASSERT_EQ(PS + 1, lseek(fd, PS + 1, SEEK_SET));
	ASSERT_EQ(777, splice(fd, NULL, p[1], NULL, 777, 0));
	ASSERT_EQ(777, read(p[0], rbuf, 777));
	ASSERT_EQ(0, memcmp(buf + PS + 1, rbuf, 777));
	close(p[0]);
	close(p[1]);
	ASSERT_NO_CACHE(fd);
	close(fd);
	free(buf);
	free(rbuf);
}

TEST_F(xip, fadvise_willneed)
{
	ssize_t len = 8 * PS;
	int fd, ret;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, len, 18, 0));
	ret = posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
	if (ret == ENOSYS)
		SKIP(return, "no fadvise64 (CONFIG_ADVISE_SYSCALLS=n)");
	ASSERT_EQ(0, ret) TH_LOG("fadvise: %s", strerror(ret));
	ASSERT_EQ(0, posix_fadvise(fd, 0, len, POSIX_FADV_SEQUENTIAL));
	ASSERT_EQ(0, posix_fadvise(fd, PS, 2 * PS, POSIX_FADV_WILLNEED));
	ASSERT_NO_CACHE(fd);
	ASSERT_FILE_PATTERN(fd, len, 18, 0);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

TEST_F(xip, madvise_willneed_populate)
{
	ssize_t len = 8 * PS;
	char *m;
	int fd, ret;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, len, 18, 0));
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ret = madvise(m, len, MADV_WILLNEED);
	if (ret && errno == ENOSYS)
		SKIP(return, "no madvise (CONFIG_ADVISE_SYSCALLS=n)");
	ASSERT_EQ(0, ret) TH_LOG("MADV_WILLNEED: %s", strerror(errno));
	ASSERT_NO_CACHE(fd);
	ret = madvise(m, len / 2, MADV_POPULATE_READ);
	if (ret && errno == EINVAL) {
		TH_LOG("MADV_POPULATE_* not supported");
	} else {
		ASSERT_EQ(0, ret) TH_LOG("POPULATE_READ: %s", strerror(errno));
		ASSERT_EQ(0, madvise(m + len / 2, len / 2,
				     MADV_POPULATE_WRITE))
			TH_LOG("POPULATE_WRITE: %s", strerror(errno));
	}
	ASSERT_NO_CACHE(fd);
	ASSERT_EQ(-1, xip_check(m, len, 18, 0));
	munmap(m, len);
	ASSERT_FILE_PATTERN(fd, len, 18, 0);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

TEST_F(xip, mmap_shared_rw)
{
	ssize_t len = 3 * PS;
	char *m1, *m2, buf[PS];
	int fd;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, len, 19, 0));
	m1 = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m1);
	m2 = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m2);
	ASSERT_EQ(-1, xip_check(m1, len, 19, 0));
	ASSERT_NO_CACHE(fd);

	/* store through m1: read(2) and m2 see it without msync */
	memset(m1 + PS + 10, 0x11, 20);
	ASSERT_EQ(20, pread(fd, buf, 20, PS + 10));
	ASSERT_EQ(-1, xip_check_byte(buf, 20, 0x11));
	ASSERT_EQ(-1, xip_check_byte(m2 + PS + 10, 20, 0x11));

	/* write(2) is seen by both mappings */
	xip_fill(buf, PS, 20, 2 * PS);
	ASSERT_EQ(PS, pwrite(fd, buf, PS, 2 * PS));
	ASSERT_EQ(-1, xip_check(m1 + 2 * PS, PS, 20, 2 * PS));
	ASSERT_EQ(-1, xip_check(m2 + 2 * PS, PS, 20, 2 * PS));
	ASSERT_EQ(-1, xip_check(m2, PS, 19, 0));

	/* a store to a page only read so far through this mapping */
	m1[5] = 0x22;
	ASSERT_EQ(1, pread(fd, buf, 1, 5));
	ASSERT_EQ(0x22, buf[0]);
	ASSERT_EQ(0x22, m2[5]);
	ASSERT_EQ(0, msync(m1, len, MS_SYNC));
	ASSERT_NO_CACHE(fd);
	munmap(m1, len);
	munmap(m2, len);
	close(fd);
}

TEST_F(xip, mmap_private_cow)
{
	ssize_t len = 3 * PS;
	char *p, *s, buf[PS];
	int fd;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, len, 21, 0));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(-1, xip_check(p, len, 21, 0));

	/* private store to page 0 (read before), page 2 (never touched) */
	memset(p + 100, 0x33, 50);
	memset(p + 2 * PS + 7, 0x34, 9);
	ASSERT_EQ(-1, xip_check_byte(p + 100, 50, 0x33));
	ASSERT_FILE_PATTERN(fd, len, 21, 0);
	s = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, s);
	ASSERT_EQ(-1, xip_check(s, len, 21, 0));

	/* file updates: COWed pages keep private data, others follow */
	xip_fill(buf, PS, 22, 0);
	ASSERT_EQ(PS, pwrite(fd, buf, PS, 0));
	xip_fill(buf, PS, 22, PS);
	ASSERT_EQ(PS, pwrite(fd, buf, PS, PS));
	ASSERT_EQ(-1, xip_check_byte(p + 100, 50, 0x33));
	ASSERT_EQ(-1, xip_check(p, 100, 21, 0));
	ASSERT_EQ(-1, xip_check(p + PS, PS, 22, PS));
	ASSERT_EQ(-1, xip_check(s, PS, 22, 0));
	ASSERT_EQ(-1, xip_check_byte(p + 2 * PS + 7, 9, 0x34));
	ASSERT_EQ(-1, xip_check(s + 2 * PS, PS, 21, 2 * PS));
	munmap(p, len);
	munmap(s, len);
	ASSERT_FILE_PATTERN(fd, 2 * PS, 22, 0);
	ASSERT_FILE_PATTERN(fd, PS, 21, 2 * PS);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

/* Machine code for "return 42;" */
#if defined(__x86_64__) || defined(__i386__)
static const unsigned char ret42[] = { 0xb8, 0x2a, 0, 0, 0, 0xc3 };
#elif defined(__s390x__)
static const unsigned char ret42[] = { 0xa7, 0x29, 0x00, 0x2a, 0x07, 0xfe };
#elif defined(__aarch64__)
/* mov w0, #42; ret (little endian) */
static const unsigned char ret42[] = { 0x40, 0x05, 0x80, 0x52,
				       0xc0, 0x03, 0x5f, 0xd6 };
#else
static const unsigned char ret42[] = { 0 };
#define NO_RET42
#endif

static int call_ret42(unsigned char *code)
{
#ifdef NO_RET42
	return 42;	/* no machine code for this architecture */
#else
	int (*fn)(void) = (int (*)(void))code;

	__builtin___clear_cache((char *)code, (char *)code + sizeof(ret42));
	return fn();
#endif
}

TEST_F(xip, mmap_exec)
{
	static const int flags[] = { MAP_PRIVATE, MAP_SHARED };
	char buf[PS];
	unsigned int i;
	int fd;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	xip_fill(buf, PS, 23, 0);
	memcpy(buf + 64, ret42, sizeof(ret42));
	ASSERT_EQ(PS, write(fd, buf, PS));
	ASSERT_EQ(0, fsync(fd));

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		unsigned char *m = mmap(NULL, PS, PROT_READ | PROT_EXEC,
					flags[i], fd, 0);

		ASSERT_NE(MAP_FAILED, m) TH_LOG("%s", strerror(errno));
		ASSERT_EQ(0, memcmp(m, buf, PS));
		ASSERT_EQ(42, call_ret42(m + 64));
		munmap(m, PS);
	}
	ASSERT_NO_CACHE(fd);
	close(fd);
}

/* Machine code for "return @n;" into @code; returns its length, 0 if none */
static size_t put_ret(unsigned char *code, unsigned char n)
{
#if defined(__x86_64__) || defined(__i386__)
	const unsigned char c[] = { 0xb8, n, 0, 0, 0, 0xc3 };
#elif defined(__s390x__)
	const unsigned char c[] = { 0xa7, 0x29, 0x00, n, 0x07, 0xfe };
#elif defined(__aarch64__)
	const uint32_t mov = 0x52800000 | (uint32_t)n << 5;	/* mov w0, #n */
	const unsigned char c[] = { mov & 0xff, (mov >> 8) & 0xff,
				    (mov >> 16) & 0xff, mov >> 24,
				    0xc0, 0x03, 0x5f, 0xd6 };	/* ret */
#else
	const unsigned char c[] = { 0 };

	return 0;
#endif
	memcpy(code, c, sizeof(c));
	return sizeof(c);
}

/* map page 0 of @fd executable and call the code at offset 64 */
static int exec_at_64(int fd, int flags)
{
	unsigned char *m = mmap(NULL, PS, PROT_READ | PROT_EXEC, flags, fd, 0);
	int (*fn)(void);
	int ret;

	if (m == MAP_FAILED)
		return -1;
	/* no cache maintenance here: the kernel wrote the code */
	fn = (int (*)(void))(m + 64);
	ret = fn();
	munmap(m, PS);
	return ret;
}

/*
 * Code that the kernel writes into an XIP file runs in the next mapping
 * that executes it, with no cache maintenance by user space, as the page
 * cache guarantees (flush_dcache_folio() and the PTE setup): rewritten in
 * place by pwrite(2), and in a block that a deleted program freed.  arm64
 * I-caches are not coherent with data stores (QEMU's TCG does not model
 * that, real hardware does).
 */
TEST_F(xip, exec_sees_rewritten_code)
{
	static const int flags[] = { MAP_PRIVATE, MAP_SHARED };
	unsigned char buf[PS];
	char path[PATH_MAX];
	unsigned int i;
	size_t len;
	int fd;

	len = put_ret(buf + 64, 50);
	if (!len)
		SKIP(return, "no machine code for this architecture");
	fd = tcreate(self, "prog", 0);
	ASSERT_LE(0, fd);
	xip_fill(buf, 64, 60, 0);
	ASSERT_EQ(PS, write(fd, buf, PS));
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		ASSERT_EQ(50 + 2 * i, exec_at_64(fd, flags[i]));
		/* rewrite the instruction in place, run it again */
		put_ret(buf, 51 + 2 * i);
		ASSERT_EQ((ssize_t)len, pwrite(fd, buf, len, 64));
		ASSERT_EQ(51 + 2 * i, exec_at_64(fd, flags[i]));
		put_ret(buf, 52 + 2 * i);
		ASSERT_EQ((ssize_t)len, pwrite(fd, buf, len, 64));
	}
	ASSERT_NO_CACHE(fd);
	close(fd);

	/* the freed block holds a program another file's blocks may reuse */
	tpath(path, sizeof(path), self, "prog");
	ASSERT_EQ(0, unlink(path));
	fd = tcreate(self, "prog2", 0);
	ASSERT_LE(0, fd);
	memset(buf, 0, sizeof(buf));
	put_ret(buf + 64, 70);
	ASSERT_EQ(PS, write(fd, buf, PS));
	ASSERT_EQ(70, exec_at_64(fd, MAP_SHARED));
	ASSERT_NO_CACHE(fd);
	close(fd);
}

TEST_F(xip, fork_shared_mapping)
{
	ssize_t len = 2 * PS;
	int fd, status;
	char *m, buf[PS];
	pid_t pid;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, len, 24, 0));
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(-1, xip_check(m, PS, 24, 0));	/* page 0 mapped */

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (xip_check(m, len, 24, 0) != -1)
			_exit(1);
		xip_fill(m, len, 25, 0);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(-1, xip_check(m, len, 25, 0));
	ASSERT_FILE_PATTERN(fd, len, 25, 0);

	/* and the other way round */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		xip_fill(buf, PS, 26, PS);
		if (pwrite(fd, buf, PS, PS) != PS)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(-1, xip_check(m + PS, PS, 26, PS));
	ASSERT_NO_CACHE(fd);
	munmap(m, len);
	close(fd);
}

TEST_F(xip, sigbus_beyond_eof)
{
	volatile unsigned char *m;
	unsigned char v = 0xff;
	char buf[PS];
	int fd;

	/* 100 byte file: rest of page 0 reads zero, page 1 faults */
	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	xip_fill(buf, 100, 27, 0);
	ASSERT_EQ(100, write(fd, buf, 100));
	m = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, xip_probe_read(m + 99, &v));
	ASSERT_EQ((unsigned char)buf[99], v);
	ASSERT_EQ(0, xip_probe_read(m + 200, &v));
	ASSERT_EQ(0, v);
	ASSERT_EQ(1, xip_probe_read(m + PS, &v));
	ASSERT_EQ(1, xip_probe_write(m + PS + 5, 1));
	munmap((void *)m, 2 * PS);
	ASSERT_EQ(100, fsize(fd));
	close(fd);

	/* exactly one page: page 1 faults, read-only private too */
	fd = tcreate(self, "g", 0);
	ASSERT_LE(0, fd);
	xip_fill(buf, PS, 28, 0);
	ASSERT_EQ(PS, write(fd, buf, PS));
	m = mmap(NULL, 2 * PS, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, xip_probe_read(m + PS - 1, &v));
	ASSERT_EQ((unsigned char)buf[PS - 1], v);
	ASSERT_EQ(1, xip_probe_read(m + PS, &v));
	munmap((void *)m, 2 * PS);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

TEST_F(xip, proc_mem_read)
{
	ssize_t len = 2 * PS;
	char *m, buf[2 * PS];
	int fd, mem, status, to_child[2], from_child[2];
	uintptr_t addr;
	pid_t pid;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, len, 29, 0));

	/* own, never touched mapping */
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	mem = open("/proc/self/mem", O_RDONLY);
	ASSERT_LE(0, mem);
	ASSERT_EQ(len, pread(mem, buf, len, (uintptr_t)m))
		TH_LOG("/proc/self/mem: %s", strerror(errno));
	ASSERT_EQ(-1, xip_check(buf, len, 29, 0));
	close(mem);
	munmap(m, len);

	/* a child's private read-only mapping, as a debugger sees it */
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(from_child));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char c;

		m = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		addr = (uintptr_t)m;
		if (m == MAP_FAILED ||
		    write(from_child[1], &addr, sizeof(addr)) != sizeof(addr))
			_exit(1);
		if (read(to_child[0], &c, 1) != 1)
			_exit(2);
		_exit(0);
	}
	close(to_child[0]);
	close(from_child[1]);
	ASSERT_EQ(SZ(addr), read(from_child[0], &addr, sizeof(addr)));
	snprintf(buf, sizeof(buf), "/proc/%d/mem", pid);
	mem = open(buf, O_RDONLY);
	ASSERT_LE(0, mem);
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(len, pread(mem, buf, len, addr))
		TH_LOG("/proc/pid/mem: %s", strerror(errno));
	ASSERT_EQ(-1, xip_check(buf, len, 29, 0));
	close(mem);
	ASSERT_EQ(1, write(to_child[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_NO_CACHE(fd);
	close(fd);
}

/* PTRACE_PEEKDATA of a stopped child's never touched XIP text mapping */
TEST_F(xip, ptrace_peekdata)
{
	unsigned char buf[2 * PS];
	int fd, status, pfd[2];
	uintptr_t addr;
	long off;
	pid_t pid;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, 2 * PS, 43, 0));
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *m = mmap(NULL, 2 * PS, PROT_READ | PROT_EXEC,
			       MAP_PRIVATE, fd, 0);

		addr = (uintptr_t)m;
		if (m == MAP_FAILED ||
		    write(pfd[1], &addr, sizeof(addr)) != sizeof(addr))
			_exit(1);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(2);
		raise(SIGSTOP);
		_exit(3);
	}
	ASSERT_EQ(SZ(addr), read(pfd[0], &addr, sizeof(addr)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSTOPPED(status));
	for (off = 0; off < 2 * PS; off += sizeof(long)) {
		long word;

		errno = 0;
		word = ptrace(PTRACE_PEEKDATA, pid, (void *)(addr + off), NULL);
		ASSERT_EQ(0, errno) TH_LOG("PEEKDATA at +%ld: %s", off,
					   strerror(errno));
		memcpy(buf + off, &word, sizeof(word));
	}
	ASSERT_EQ(-1, xip_check(buf, 2 * PS, 43, 0));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_NO_CACHE(fd);
	close(fd);
}

/*
 * Start a child that maps @len bytes of @fd (@prot, @flags), reads every
 * byte of them, tells the parent the address and stops under ptrace.
 */
static pid_t xip_stopped_child(int fd, size_t len, int prot, int flags,
			       uintptr_t *addr)
{
	int pfd[2], status;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		volatile unsigned char *m = mmap(NULL, len, prot, flags, fd, 0);
		uintptr_t a = (uintptr_t)m;
		unsigned int sum = 0;
		size_t i;

		if (m == MAP_FAILED)
			_exit(1);
		for (i = 0; i < len; i++)	/* the tracee ran it */
			sum += m[i];
		if (write(pfd[1], &a, sizeof(a)) != sizeof(a))
			_exit(1);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(2);
		raise(SIGSTOP);
		_exit(sum == 0xffffffff ? 4 : 3);
	}
	close(pfd[1]);
	if (read(pfd[0], addr, sizeof(*addr)) != sizeof(*addr) ||
	    waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(pfd[0]);
	return pid;
}

/*
 * A gdb breakpoint: PTRACE_POKEDATA into private XIP text that the tracee
 * has already run copies the page for the tracee and never reaches the file.
 */
TEST_F(xip, ptrace_pokedata_into_run_text)
{
	long word = 0x5a5a5a5a, back;
	uintptr_t addr;
	int fd;
	pid_t pid;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, 2 * PS, 47, 0));
	pid = xip_stopped_child(fd, 2 * PS, PROT_READ | PROT_EXEC,
				MAP_PRIVATE, &addr);
	ASSERT_LT(0, pid);
	errno = 0;
	EXPECT_EQ(0, ptrace(PTRACE_POKEDATA, pid, (void *)(addr + PS + 8),
			    (void *)word))
		TH_LOG("POKEDATA: %s", strerror(errno));
	errno = 0;
	back = ptrace(PTRACE_PEEKDATA, pid, (void *)(addr + PS + 8), NULL);
	EXPECT_EQ(0, errno);
	EXPECT_EQ(word, back);
	back = ptrace(PTRACE_PEEKDATA, pid, (void *)(addr + PS), NULL);
	EXPECT_EQ(0, errno);
	EXPECT_EQ(-1, xip_check(&back, sizeof(back), 47, PS));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	ASSERT_FILE_PATTERN(fd, 2 * PS, 47, 0);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

/* /proc/PID/mem writes into a shared mapping reach the file, as with pages. */
TEST_F(xip, proc_pid_mem_write_shared_reaches_file)
{
	char path[64], buf[16], back[16];
	uintptr_t addr;
	int fd, mem;
	pid_t pid;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, PS, 48, 0));
	pid = xip_stopped_child(fd, PS, PROT_READ | PROT_WRITE, MAP_SHARED,
				&addr);
	ASSERT_LT(0, pid);
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	mem = open(path, O_RDWR);
	ASSERT_LE(0, mem);
	memset(buf, 0xc3, sizeof(buf));
	EXPECT_EQ(SZ(buf), pwrite(mem, buf, sizeof(buf), addr + 100))
		TH_LOG("/proc/pid/mem write: %s", strerror(errno));
	close(mem);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	ASSERT_EQ(SZ(back), pread(fd, back, sizeof(back), 100));
	EXPECT_EQ(0, memcmp(buf, back, sizeof(buf)));
	ASSERT_NO_CACHE(fd);
	close(fd);
}

/*
 * process_vm_readv() of a stopped child's XIP mappings (private text it
 * ran, a shared mapping), from an offset that is not page aligned and
 * across a page boundary, as from a page cache file.
 */
TEST_F(xip, process_vm_readv_of_xip_mappings)
{
	unsigned char buf[2 * PS];
	struct iovec local, remote;
	int fd, flags[] = { MAP_PRIVATE, MAP_SHARED }, i;
	uintptr_t addr;
	pid_t pid;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, 3 * PS, 53, 0));
	for (i = 0; i < 2; i++) {
		pid = xip_stopped_child(fd, 3 * PS, PROT_READ | PROT_EXEC,
					flags[i], &addr);
		ASSERT_LT(0, pid);
		memset(buf, 0, sizeof(buf));
		local.iov_base = buf;
		local.iov_len = sizeof(buf);
		remote.iov_base = (void *)(addr + PS / 2);
		remote.iov_len = sizeof(buf);
		EXPECT_EQ(SZ(buf), process_vm_readv(pid, &local, 1, &remote, 1, 0))
			TH_LOG("%s: %s", i ? "shared" : "private", strerror(errno));
		EXPECT_EQ(-1, xip_check(buf, sizeof(buf), 53, PS / 2));
		kill(pid, SIGKILL);
		ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	}
	ASSERT_NO_CACHE(fd);
	close(fd);
}

/*
 * process_vm_writev() into a child's shared writable XIP mapping reaches the
 * file; into its private mapping it copies the page and leaves the file
 * alone; into a read-only shared mapping it fails with EFAULT, as with
 * pages.  The local buffer is itself an XIP mapping.
 */
TEST_F(xip, process_vm_writev_into_xip_mappings)
{
	struct iovec local, remote;
	unsigned char back[64];
	int fd, src;
	uintptr_t addr;
	char *m;
	pid_t pid;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, 2 * PS, 54, 0));
	src = tcreate(self, "src", 0);
	ASSERT_LE(0, src);
	ASSERT_EQ(0, xip_write_pattern(src, PS, 55, 0));
	m = mmap(NULL, PS, PROT_READ, MAP_SHARED, src, 0);
	ASSERT_NE(MAP_FAILED, m);
	local.iov_base = m;
	local.iov_len = sizeof(back);

	/* shared, writable: the file changes, across a page boundary */
	pid = xip_stopped_child(fd, 2 * PS, PROT_READ | PROT_WRITE, MAP_SHARED,
				&addr);
	ASSERT_LT(0, pid);
	remote.iov_base = (void *)(addr + PS - 32);
	remote.iov_len = sizeof(back);
	EXPECT_EQ(SZ(back), process_vm_writev(pid, &local, 1, &remote, 1, 0))
		TH_LOG("shared: %s", strerror(errno));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	ASSERT_EQ(SZ(back), pread(fd, back, sizeof(back), PS - 32));
	EXPECT_EQ(-1, xip_check(back, sizeof(back), 55, 0));

	/* shared, read-only: refused, the file unchanged */
	ASSERT_EQ(0, xip_write_pattern(fd, 2 * PS, 54, 0));
	pid = xip_stopped_child(fd, 2 * PS, PROT_READ, MAP_SHARED, &addr);
	ASSERT_LT(0, pid);
	remote.iov_base = (void *)(addr + 8);
	EXPECT_EQ(-1, process_vm_writev(pid, &local, 1, &remote, 1, 0));
	EXPECT_EQ(EFAULT, errno);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));

	/* private, writable: the child sees the bytes, the file does not */
	pid = xip_stopped_child(fd, 2 * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE,
				&addr);
	ASSERT_LT(0, pid);
	remote.iov_base = (void *)(addr + 8);
	EXPECT_EQ(SZ(back), process_vm_writev(pid, &local, 1, &remote, 1, 0))
		TH_LOG("private: %s", strerror(errno));
	memset(back, 0, sizeof(back));
	local.iov_base = back;
	EXPECT_EQ(SZ(back), process_vm_readv(pid, &local, 1, &remote, 1, 0));
	EXPECT_EQ(-1, xip_check(back, sizeof(back), 55, 0));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	ASSERT_FILE_PATTERN(fd, 2 * PS, 54, 0);

	munmap(m, PS);
	ASSERT_NO_CACHE(fd);
	close(src);
	close(fd);
}

/* VmLck of this process in KiB, or -1. */
static long xip_vmlck_kb(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/*
 * mlock, MAP_LOCKED and mlockall on an XIP mapping are honoured as for the
 * page cache: counted in VmLck, and the mapping is populated.
 */
/* The kernel's taint flags (/proc/sys/kernel/tainted), or -1. */
static long kernel_taint(void)
{
	long t = -1;
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");

	if (f) {
		if (fscanf(f, "%ld", &t) != 1)
			t = -1;
		fclose(f);
	}
	return t;
}

/*
 * A mapping that is populated, then mlocked and unmapped without munlock
 * (a program that calls mlockall() and exits), of a file that is then
 * deleted: its memory goes back without a "Bad page" (taint B), and the
 * mlock leaves no Mlocked pages behind.
 */
TEST_F(xip, mlock_unmap_without_munlock_then_delete)
{
	const size_t len = 64 * PS;
	long taint, mlocked;
	char path[PATH_MAX];
	char *m;
	int fd;

	taint = kernel_taint();
	ASSERT_LE(0, taint);
	tpath(path, sizeof(path), self, "f");
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, len, 69, 0));
	mlocked = xip_meminfo_kb("Mlocked");
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(-1, xip_check(m, len, 69, 0));	/* populated */
	ASSERT_EQ(0, mlock(m, len));
	ASSERT_EQ(0, munmap(m, len));
	close(fd);
	ASSERT_EQ(0, unlink(path));
	sync();
	EXPECT_GE(mlocked + 4, xip_meminfo_kb("Mlocked"))
		TH_LOG("Mlocked %ld -> %ld KiB", mlocked,
		       xip_meminfo_kb("Mlocked"));
	EXPECT_EQ(taint & (1 << 5), kernel_taint() & (1 << 5))
		TH_LOG("the kernel is tainted with a bad page (B): see dmesg");
}

TEST_F(xip, mlock_counted_and_populated)
{
	const size_t len = 16 * PS;
	unsigned char vec[16];
	long base;
	char *m;
	int fd, i;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, len, 49, 0));
	base = xip_vmlck_kb();
	ASSERT_LE(0, base);

	m = mmap(NULL, len, PROT_READ, MAP_SHARED | MAP_LOCKED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(base + (long)(len >> 10), xip_vmlck_kb());
	ASSERT_EQ(0, mincore(m, len, vec));
	for (i = 0; i < 16; i++)
		EXPECT_TRUE(vec[i] & 1) TH_LOG("MAP_LOCKED left page %d out", i);
	ASSERT_EQ(0, munmap(m, len));
	EXPECT_EQ(base, xip_vmlck_kb());

	m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, mlock(m, len));
	EXPECT_EQ(base + (long)(len >> 10), xip_vmlck_kb());
	ASSERT_EQ(0, mincore(m, len, vec));
	for (i = 0; i < 16; i++)
		EXPECT_TRUE(vec[i] & 1) TH_LOG("mlock left page %d out", i);
	ASSERT_EQ(-1, xip_check(m, len, 49, 0));
	ASSERT_EQ(0, munlock(m, len));
	EXPECT_EQ(base, xip_vmlck_kb());

	ASSERT_EQ(0, mlockall(MCL_CURRENT));
	EXPECT_LE(base + (long)(len >> 10), xip_vmlck_kb());
	ASSERT_EQ(0, munlockall());
	ASSERT_EQ(0, munmap(m, len));
	ASSERT_NO_CACHE(fd);
	close(fd);
}

/* A debugger's write into private XIP text must COW, not reach the file. */
TEST_F(xip, proc_mem_write_private_cows)
{
	char *m, buf[PS];
	int fd, mem;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, PS, 30, 0));
	m = mmap(NULL, PS, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(-1, xip_check(m, PS, 30, 0));
	mem = open("/proc/self/mem", O_RDWR);
	ASSERT_LE(0, mem);
	memset(buf, 0xcc, 16);
	ASSERT_EQ(16, pwrite(mem, buf, 16, (uintptr_t)m + 32))
		TH_LOG("/proc/self/mem write: %s", strerror(errno));
	close(mem);
	ASSERT_EQ(-1, xip_check_byte(m + 32, 16, 0xcc));
	ASSERT_EQ(-1, xip_check(m, 32, 30, 0));
	ASSERT_FILE_PATTERN(fd, PS, 30, 0);
	munmap(m, PS);
	m = mmap(NULL, PS, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(-1, xip_check(m, PS, 30, 0));
	munmap(m, PS);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

/*
 * A hole read-faulted through a private or read-only mapping reads zero;
 * data written later into that hole must show through the same mapping.
 */
TEST_F(xip, hole_fault_then_write)
{
	static const struct {
		int prot, flags;
		const char *name;
	} kinds[] = {
		{ PROT_READ, MAP_PRIVATE, "private-ro" },
		{ PROT_READ | PROT_WRITE, MAP_PRIVATE, "private-rw" },
		{ PROT_READ, MAP_SHARED, "shared-ro" },
		{ PROT_READ | PROT_WRITE, MAP_SHARED, "shared-rw" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		char buf[PS];
		char *m, *w;
		int fd;

		fd = tcreate(self, kinds[i].name, 0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ftruncate(fd, 3 * PS));
		m = mmap(NULL, 3 * PS, kinds[i].prot, kinds[i].flags, fd, 0);
		ASSERT_NE(MAP_FAILED, m);
		ASSERT_EQ(-1, xip_check_byte(m, 3 * PS, 0));

		/* fill hole 0 by write(2) */
		xip_fill(buf, PS, 31, 0);
		ASSERT_EQ(PS, pwrite(fd, buf, PS, 0));
		ASSERT_EQ(-1, xip_check(m, PS, 31, 0))
			TH_LOG("%s: stale hole page after write(2)",
			       kinds[i].name);

		/* fill hole 1 through another, shared mapping */
		w = mmap(NULL, 3 * PS, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
		ASSERT_NE(MAP_FAILED, w);
		xip_fill(w + PS, PS, 32, PS);
		ASSERT_EQ(-1, xip_check(m + PS, PS, 32, PS))
			TH_LOG("%s: stale hole page after mmap store",
			       kinds[i].name);
		munmap(w, 3 * PS);

		/* partial write into hole 2 */
		ASSERT_EQ(3, pwrite(fd, "xyz", 3, 2 * PS + 10));
		ASSERT_EQ(0, memcmp(m + 2 * PS + 10, "xyz", 3))
			TH_LOG("%s: stale hole page after partial write",
			       kinds[i].name);
		ASSERT_EQ(-1, xip_check_byte(m + 2 * PS, 10, 0));

		if (kinds[i].flags == MAP_PRIVATE &&
		    (kinds[i].prot & PROT_WRITE)) {
			m[0] = ~m[0];
			ASSERT_FILE_PATTERN(fd, PS, 31, 0);
		}
		ASSERT_NO_CACHE(fd);
		munmap(m, 3 * PS);
		close(fd);
	}
}

TEST_F(xip, hole_shared_store_allocates)
{
	ssize_t len = 4 * PS;
	char *m, c = 0;
	long long b0;
	int fd;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, len));
	b0 = fblocks(fd);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, m[2 * PS + 1]);	/* read fault on the hole first */
	xip_fill(m + 2 * PS, PS, 33, 2 * PS);
	ASSERT_EQ(0, msync(m, len, MS_SYNC));
	ASSERT_LE(b0 + (long long)(PS / 512), fblocks(fd));
	ASSERT_FILE_PATTERN(fd, PS, 33, 2 * PS);
	ASSERT_FILE_ZERO(fd, 2 * PS, 0);
	ASSERT_FILE_ZERO(fd, PS, 3 * PS);
	ASSERT_EQ(len, fsize(fd));

	/* store into a never touched hole page */
	b0 = fblocks(fd);
	m[PS + 17] = 0x44;
	ASSERT_EQ(0, msync(m, len, MS_SYNC));
	ASSERT_LE(b0 + (long long)(PS / 512), fblocks(fd));
	ASSERT_EQ(1, pread(fd, &c, 1, PS + 17));
	ASSERT_EQ(0x44, c);
	munmap(m, len);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

TEST_F(xip, truncate_down_up)
{
	ssize_t len = 3 * PS;
	char path[PATH_MAX];
	int fd;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, len, 34, 0));
	ASSERT_EQ(0, ftruncate(fd, 5000));
	ASSERT_EQ(5000, fsize(fd));
	ASSERT_NO_CACHE(fd);
	ASSERT_EQ(0, ftruncate(fd, len + PS));
	ASSERT_EQ(len + PS, fsize(fd));
	ASSERT_FILE_PATTERN(fd, 5000, 34, 0);
	ASSERT_FILE_ZERO(fd, len + PS - 5000, 5000);
	ASSERT_NO_CACHE(fd);

	/* to a page boundary, to zero, and back */
	ASSERT_EQ(0, ftruncate(fd, PS));
	ASSERT_EQ(0, ftruncate(fd, 2 * PS));
	ASSERT_FILE_PATTERN(fd, PS, 34, 0);
	ASSERT_FILE_ZERO(fd, PS, PS);
	ASSERT_EQ(0, ftruncate(fd, 0));
	ASSERT_EQ(0, fblocks(fd));
	ASSERT_EQ(0, ftruncate(fd, 2 * PS));
	ASSERT_FILE_ZERO(fd, 2 * PS, 0);
	ASSERT_NO_CACHE(fd);
	close(fd);

	/* truncate(2) by path and open(O_TRUNC) */
	tpath(path, sizeof(path), self, "f");
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, len, 34, 0));
	ASSERT_EQ(0, truncate(path, 5000));
	ASSERT_EQ(0, truncate(path, len));
	ASSERT_FILE_PATTERN(fd, 5000, 34, 0);
	ASSERT_FILE_ZERO(fd, len - 5000, 5000);
	close(fd);
	fd = open(path, O_RDWR | O_TRUNC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fsize(fd));
	ASSERT_EQ(0, fblocks(fd));
	ASSERT_EQ(0, ftruncate(fd, PS));
	ASSERT_FILE_ZERO(fd, PS, 0);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

TEST_F(xip, truncate_mapped_sigbus)
{
	ssize_t len = 3 * PS;
	volatile unsigned char *m;
	unsigned char v;
	int fd, i;

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, len, 35, 0));
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	for (i = 0; i < 3; i++)		/* map every page */
		ASSERT_EQ(xip_pat(35, i * PS), m[i * PS]);

	ASSERT_EQ(0, ftruncate(fd, 100));
	ASSERT_EQ(0, xip_probe_read(m + 99, &v));
	ASSERT_EQ(xip_pat(35, 99), v);
	ASSERT_EQ(0, xip_probe_read(m + 100, &v));
	ASSERT_EQ(0, v);
	ASSERT_EQ(0, xip_probe_read(m + PS - 1, &v));
	ASSERT_EQ(0, v);
	ASSERT_EQ(1, xip_probe_read(m + PS, &v));
	ASSERT_EQ(1, xip_probe_read(m + 2 * PS + 5, &v));
	ASSERT_EQ(1, xip_probe_write(m + 2 * PS, 1));

	/* extend again: the old pages are holes now */
	ASSERT_EQ(0, ftruncate(fd, len));
	ASSERT_EQ(0, xip_probe_read(m + PS, &v));
	ASSERT_EQ(0, v);
	ASSERT_EQ(0, xip_probe_read(m + 2 * PS + 5, &v));
	ASSERT_EQ(0, v);
	ASSERT_FILE_ZERO(fd, len - 100, 100);
	munmap((void *)m, len);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

/*
 * Store junk through a shared mapping beyond EOF (offsets 100..4095) of a
 * 100 byte file, unmap, and return the open file.  Whatever then extends the
 * file must expose zeroes there.
 */
static int dirty_tail(FIXTURE_DATA(xip) * self, const char *name)
{
	char buf[100];
	char *m;
	int fd;

	fd = tcreate(self, name, 0);
	if (fd < 0)
		return -1;
	xip_fill(buf, 100, 36, 0);
	if (write(fd, buf, 100) != 100)
		return -1;
	m = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return -1;
	memset(m + 100, 0xaa, PS - 100);
	if (munmap(m, PS))
		return -1;
	return fd;
}

TEST_F(xip, eof_tail_zero_after_truncate_up)
{
	int fd = dirty_tail(self, "f");

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 2 * PS));
	ASSERT_FILE_PATTERN(fd, 100, 36, 0);
	ASSERT_FILE_ZERO(fd, 2 * PS - 100, 100);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

TEST_F(xip, eof_tail_zero_after_write_beyond)
{
	char *m;
	int fd = dirty_tail(self, "f");

	ASSERT_LE(0, fd);
	ASSERT_EQ(3, pwrite(fd, "abc", 3, 5000));
	ASSERT_EQ(5003, fsize(fd));
	ASSERT_FILE_PATTERN(fd, 100, 36, 0);
	ASSERT_FILE_ZERO(fd, 4900, 100);
	m = mmap(NULL, 2 * PS, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(-1, xip_check_byte(m + 100, 4900, 0));
	ASSERT_EQ(0, memcmp(m + 5000, "abc", 3));
	munmap(m, 2 * PS);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

TEST_F(xip, eof_tail_zero_after_write_in_page)
{
	int fd = dirty_tail(self, "f");

	ASSERT_LE(0, fd);
	ASSERT_EQ(200, lseek(fd, 200, SEEK_SET));
	ASSERT_EQ(3, write(fd, "abc", 3));
	ASSERT_EQ(203, fsize(fd));
	ASSERT_FILE_PATTERN(fd, 100, 36, 0);
	ASSERT_FILE_ZERO(fd, 100, 100);
	/* and once more extended: the rest of the page too */
	ASSERT_EQ(0, ftruncate(fd, PS));
	ASSERT_FILE_ZERO(fd, PS - 203, 203);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

/* Child mode of the suite binary, exec'd from the XIP mount. */
static int exec_child(void)
{
	char c;

	printf("xip-exec-child ok %lx\n", (unsigned long)(uintptr_t)exec_child);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}

static int copy_file(const char *src, const char *dst)
{
	char buf[65536];
	int in, out;
	ssize_t n;

	in = open(src, O_RDONLY);
	if (in < 0)
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0755);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			n = -1;
			break;
		}
	if (fchmod(out, 0755))
		n = -1;
	close(in);
	if (close(out))
		n = -1;
	return n ? -1 : 0;
}

/* Is @addr in a mapping of @path in /proc/@pid/maps? */
static bool addr_mapped_from(pid_t pid, uintptr_t addr, const char *path,
			     char *perms)
{
	char line[PATH_MAX + 256], file[32];
	unsigned long start, end;
	bool found = false;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%d/maps", pid);
	f = fopen(file, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *name = strchr(line, '/');

		if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) != 3 ||
		    !name)
			continue;
		name[strcspn(name, "\n")] = '\0';
		found = !strcmp(name, path) && addr >= start && addr < end;
	}
	fclose(f);
	return found;
}

/* The function the uprobe test probes; its callers count the calls. */
__attribute__((noinline, used)) int xip_uprobe_target(int x)
{
	__asm__ volatile("" : "+r" (x));
	return x + 1;
}

/*
 * Child mode for the uprobe test: say "ready" once running, wait for a byte
 * on stdin, then call the probed function five times.
 */
static int uprobe_child(void)
{
	int i, sum = 0;
	char c;

	printf("ready\n");
	fflush(stdout);
	if (read(0, &c, 1) != 1)
		return 2;
	for (i = 0; i < 5; i++)
		sum = xip_uprobe_target(sum);
	return sum == 5 ? 0 : 3;
}

/* The offset in this program's file of the code at @addr, or -1. */
static long self_file_offset(uintptr_t addr)
{
	Elf64_Phdr ph[64];
	Elf64_Ehdr eh;
	uintptr_t bias = 0;
	long ret = -1;
	int fd, i, n;

	fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0)
		return -1;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phnum > 64)
		goto out;
	n = eh.e_phnum;
	if (pread(fd, ph, n * sizeof(ph[0]), eh.e_phoff) !=
	    (ssize_t)(n * sizeof(ph[0])))
		goto out;
	for (i = 0; eh.e_type == ET_DYN && i < n; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
			bias = getauxval(AT_PHDR) - ph[i].p_vaddr - eh.e_phoff;
			break;
		}
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X) &&
		    addr - bias >= ph[i].p_vaddr &&
		    addr - bias < ph[i].p_vaddr + ph[i].p_filesz)
			ret = addr - bias - ph[i].p_vaddr + ph[i].p_offset;
out:
	close(fd);
	return ret;
}

/* Write @text to the tracefs file @name; 0 or -errno. */
static int tracefs_write(const char *name, const char *text)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/%s", name);
	fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ret = -errno;
	close(fd);
	return ret;
}

/* The hit count of uprobe @event (no group) in uprobe_profile, or -1. */
static long uprobe_hits(const char *event)
{
	char line[PATH_MAX + 128], name[128];
	long hits = -1, h;
	FILE *f = fopen("/sys/kernel/tracing/uprobe_profile", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %127s %ld", name, &h) == 2 &&
		    !strcmp(name, event))
			hits = h;
	fclose(f);
	return hits;
}

/* Exec @path in uprobe child mode; wait until it runs. */
static pid_t start_uprobe_child(const char *path, int *go)
{
	int in[2], out[2];
	char line[16] = "";
	pid_t pid;

	if (pipe(in) || pipe(out))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(path, path, UPROBE_CHILD_ARG, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (read(out[0], line, sizeof(line) - 1) <= 0 ||
	    strncmp(line, "ready", 5)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(out[0]);
	*go = in[1];
	return pid;
}

/* Let the uprobe child go; its exit status, or -1. */
static int finish_uprobe_child(pid_t pid, int go)
{
	int status;

	if (write(go, "x", 1) != 1)
		kill(pid, SIGKILL);
	close(go);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * A uprobe (uprobe_events, as perf and bpftrace set them) in a binary that
 * runs from the XIP mount: armed in a process already running it and in one
 * started afterwards, it hits each call, the programs compute the right
 * result, and the file itself never changes and gets no page cache.
 */
TEST_F_TIMEOUT(xip, uprobe_in_xip_binary, 120)
{
	char path[PATH_MAX], probe[PATH_MAX + 64];
	const char *event = "xiptest/target";
	int fd, self_fd, go_a, go_b, go_c;
	uint64_t h_self, h_copy;
	struct stat st;
	pid_t a, b, c;
	long off;

	off = self_file_offset((uintptr_t)xip_uprobe_target);
	ASSERT_LT(0, off);
	tpath(path, sizeof(path), self, "xip_uprobe_copy");
	ASSERT_EQ(0, copy_file("/proc/self/exe", path));
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	if (access("/sys/kernel/tracing/uprobe_events", W_OK))
		mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	ASSERT_EQ(0, access("/sys/kernel/tracing/uprobe_events", W_OK))
		TH_LOG("no uprobe_events: the kernel needs CONFIG_UPROBE_EVENTS");
	snprintf(probe, sizeof(probe), "p:%s %s:0x%lx\n", event, path, off);
	ASSERT_EQ(0, tracefs_write("uprobe_events", probe));

	a = start_uprobe_child(path, &go_a);
	ASSERT_LT(0, a);
	EXPECT_EQ(0, tracefs_write("events/xiptest/target/enable", "1"))
		TH_LOG("enabling the uprobe failed");
	b = start_uprobe_child(path, &go_b);
	EXPECT_LT(0, b);
	EXPECT_EQ(0, finish_uprobe_child(a, go_a));
	if (b > 0)
		EXPECT_EQ(0, finish_uprobe_child(b, go_b));
	EXPECT_EQ(10, uprobe_hits("target"));
	EXPECT_EQ(0, tracefs_write("events/xiptest/target/enable", "0"));
	EXPECT_EQ(0, tracefs_write("uprobe_events", "-:xiptest/target\n"));

	/* without the probe the original code runs */
	c = start_uprobe_child(path, &go_c);
	ASSERT_LT(0, c);
	EXPECT_EQ(0, finish_uprobe_child(c, go_c));

	self_fd = open("/proc/self/exe", O_RDONLY);
	ASSERT_LE(0, self_fd);
	ASSERT_EQ(0, fstat(self_fd, &st));
	ASSERT_EQ(0, xip_file_hash(self_fd, &h_self, st.st_size));
	ASSERT_EQ(0, xip_file_hash(fd, &h_copy, st.st_size));
	EXPECT_EQ(h_self, h_copy) TH_LOG("the probed file changed");
	close(self_fd);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

TEST_F_TIMEOUT(xip, exec_from_xip, 120)
{
	char path[PATH_MAX], line[128], perms[8] = "";
	int out[2], in[2], status, fd, pm, matched;
	unsigned long addr = 0;
	uint64_t entry = 0;
	ssize_t n, got = 0;
	pid_t pid;

	tpath(path, sizeof(path), self, "xip_exec_copy");
	ASSERT_EQ(0, copy_file("/proc/self/exe", path))
		TH_LOG("copy: %s", strerror(errno));
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_NO_CACHE(fd);

	ASSERT_EQ(0, pipe(out));
	ASSERT_EQ(0, pipe(in));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(path, path, EXEC_CHILD_ARG, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	while (got < (ssize_t)sizeof(line) - 1 &&
	       (n = read(out[0], line + got, sizeof(line) - 1 - got)) > 0) {
		got += n;
		if (memchr(line, '\n', got))
			break;
	}
	line[got] = '\0';
	matched = sscanf(line, "xip-exec-child ok %lx", &addr);
	ASSERT_EQ(1, matched)
		TH_LOG("child said: '%s'", line);

	/* the running text comes from the XIP file */
	ASSERT_TRUE(addr_mapped_from(pid, addr, path, perms))
		TH_LOG("%lx not mapped from %s", addr, path);
	ASSERT_EQ('x', perms[2]);
	snprintf(line, sizeof(line), "/proc/%d/pagemap", pid);
	pm = open(line, O_RDONLY);
	ASSERT_LE(0, pm);
	ASSERT_EQ(SZ(entry),
		  pread(pm, &entry, sizeof(entry), (addr / PS) * 8));
	close(pm);
	ASSERT_TRUE((entry >> 63) != 0)
		TH_LOG("text page not present: %llx",
		       (unsigned long long)entry);
	ASSERT_TRUE((entry & ((1ULL << 55) - 1)) != 0)
		TH_LOG("no PFN (need root): %llx", (unsigned long long)entry);
	ASSERT_NO_CACHE(fd);

	close(in[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	close(out[0]);
	ASSERT_NO_CACHE(fd);
	close(fd);
}

/* Reading a large XIP file must not grow the system page cache. */
TEST_F_TIMEOUT(xip, meminfo_cached_stable, 180)
{
	ssize_t len = 16 << 20, off;
	long before, after;
	char *buf = malloc(1 << 20), *m;
	unsigned long sum = 0;
	int fd, round;

	ASSERT_NE(NULL, buf);
	fd = tcreate(self, "big", 0);
	ASSERT_LE(0, fd);
	sync();
	before = xip_meminfo_kb("Cached");
	ASSERT_LT(0, before);
	ASSERT_EQ(0, xip_write_pattern(fd, len, 37, 0));
	for (round = 0; round < 2; round++) {
		ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
		for (off = 0; off < len; off += 1 << 20)
			ASSERT_EQ(1 << 20, read(fd, buf, 1 << 20));
	}
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	for (off = 0; off < len; off += PS)
		sum += (unsigned char)m[off];
	after = xip_meminfo_kb("Cached");
	munmap(m, len);
	TH_LOG("Cached: %ld kB -> %ld kB (sum %lu)", before, after, sum);
	if (!self->relaxed) {
		ASSERT_GT(before + 1024, after)
			TH_LOG("Cached grew by %ld kB", after - before);
	}
	ASSERT_NO_CACHE(fd);
	close(fd);
	free(buf);
}

static long sys_io_setup(unsigned int nr, aio_context_t *ctx)
{
	return syscall(__NR_io_setup, nr, ctx);
}

static long sys_io_submit(aio_context_t ctx, long n, struct iocb **iocbs)
{
	return syscall(__NR_io_submit, ctx, n, iocbs);
}

static long sys_io_getevents(aio_context_t ctx, long min, long max,
			     struct io_event *ev)
{
	return syscall(__NR_io_getevents, ctx, min, max, ev, NULL);
}

TEST_F(xip, aio_read_write)
{
	struct iocb cb[2], *cbs[2] = { &cb[0], &cb[1] };
	char *wbuf = malloc(2 * PS), *rbuf = malloc(3 * PS);
	struct io_event ev[2];
	aio_context_t ctx = 0;
	long ret;
	int fd, i;

	ASSERT_NE(NULL, wbuf);
	ASSERT_NE(NULL, rbuf);
	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, PS, 38, 0));
	ret = sys_io_setup(8, &ctx);
	if (ret && errno == ENOSYS)
		SKIP(return, "no native AIO");
	ASSERT_EQ(0, ret);

	xip_fill(wbuf, 2 * PS, 39, 100);
	memset(cb, 0, sizeof(cb));
	cb[0].aio_lio_opcode = IOCB_CMD_PWRITE;
	cb[0].aio_fildes = fd;
	cb[0].aio_buf = (uintptr_t)wbuf;
	cb[0].aio_nbytes = 2 * PS;
	cb[0].aio_offset = 100;
	ASSERT_EQ(1, sys_io_submit(ctx, 1, cbs));
	ASSERT_EQ(1, sys_io_getevents(ctx, 1, 1, ev));
	ASSERT_EQ(2 * PS, ev[0].res);
	ASSERT_EQ(2 * PS + 100, fsize(fd));

	memset(rbuf, 0, 3 * PS);
	cb[0].aio_lio_opcode = IOCB_CMD_PREAD;
	cb[0].aio_buf = (uintptr_t)rbuf;
	cb[0].aio_nbytes = 100;
	cb[0].aio_offset = 0;
	cb[1] = cb[0];
	cb[1].aio_buf = (uintptr_t)(rbuf + 100);
	cb[1].aio_nbytes = 3 * PS;	/* crosses EOF */
	cb[1].aio_offset = 100;
	ASSERT_EQ(2, sys_io_submit(ctx, 2, cbs));
	for (i = 0; i < 2; ) {
		ret = sys_io_getevents(ctx, 1, 2 - i, ev + i);
		ASSERT_LT(0, ret);
		i += ret;
	}
	for (i = 0; i < 2; i++) {
		struct iocb *c = (struct iocb *)(uintptr_t)ev[i].obj;

		ASSERT_EQ(c == &cb[0] ? 100 : 2 * PS, ev[i].res);
	}
	ASSERT_EQ(-1, xip_check(rbuf, 100, 38, 0));
	ASSERT_EQ(-1, xip_check(rbuf + 100, 2 * PS, 39, 100));
	ASSERT_EQ(0, syscall(__NR_io_destroy, ctx));
	ASSERT_NO_CACHE(fd);
	close(fd);
	free(wbuf);
	free(rbuf);
}

struct uring {
	int fd;
	void *sq, *cq;
	size_t sq_len, cq_len;
	struct io_uring_sqe *sqes;
	struct io_uring_params p;
};

static int uring_init(struct uring *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = syscall(__NR_io_uring_setup, 4, &r->p);
	if (r->fd < 0)
		return -1;
	r->sq_len = r->p.sq_off.array + r->p.sq_entries * sizeof(__u32);
	r->cq_len = r->p.cq_off.cqes +
		    r->p.cq_entries * sizeof(struct io_uring_cqe);
	r->sq = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	r->cq = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->p.sq_entries * sizeof(struct io_uring_sqe),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       r->fd, IORING_OFF_SQES);
	if (r->sq == MAP_FAILED || r->cq == MAP_FAILED ||
	    r->sqes == MAP_FAILED)
		return -2;
	return 0;
}

/* Submit one read/write and wait for it; returns the CQE result. */
static int uring_rw(struct uring *r, int op, int fd, void *buf, size_t len,
		    off_t off)
{
	unsigned int *sq_tail = r->sq + r->p.sq_off.tail;
	unsigned int *sq_mask = r->sq + r->p.sq_off.ring_mask;
	unsigned int *sq_array = r->sq + r->p.sq_off.array;
	unsigned int *cq_head = r->cq + r->p.cq_off.head;
	unsigned int *cq_tail = r->cq + r->p.cq_off.tail;
	unsigned int *cq_mask = r->cq + r->p.cq_off.ring_mask;
	struct io_uring_cqe *cqes = r->cq + r->p.cq_off.cqes;
	unsigned int tail = *sq_tail, idx = tail & *sq_mask, head;
	struct io_uring_sqe *sqe = &r->sqes[idx];
	int res;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = op;
	sqe->fd = fd;
	sqe->addr = (uintptr_t)buf;
	sqe->len = len;
	sqe->off = off;
	sqe->user_data = 0x1234;
	sq_array[idx] = idx;
	__atomic_store_n(sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1,
		    IORING_ENTER_GETEVENTS, NULL, 0) != 1)
		return -100000;
	head = *cq_head;
	if (__atomic_load_n(cq_tail, __ATOMIC_ACQUIRE) == head)
		return -100001;
	res = cqes[head & *cq_mask].res;
	if (cqes[head & *cq_mask].user_data != 0x1234)
		return -100002;
	__atomic_store_n(cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

TEST_F(xip, io_uring_read_write)
{
	char *wbuf = malloc(2 * PS), *rbuf = malloc(2 * PS);
	struct uring r;
	int fd, ret;

	ASSERT_NE(NULL, wbuf);
	ASSERT_NE(NULL, rbuf);
	ret = uring_init(&r);
	if (ret == -1 && (errno == ENOSYS || errno == EPERM))
		SKIP(return, "io_uring not available: %s", strerror(errno));
	ASSERT_EQ(0, ret) TH_LOG("io_uring setup: %s", strerror(errno));

	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, PS));	/* a hole to start with */
	xip_fill(wbuf, 2 * PS, 40, 300);
	ASSERT_EQ(2 * PS, uring_rw(&r, IORING_OP_WRITE, fd, wbuf, 2 * PS,
				   300));
	ASSERT_EQ(2 * PS + 300, fsize(fd));
	memset(rbuf, 0xff, 2 * PS);
	ASSERT_EQ(2 * PS, uring_rw(&r, IORING_OP_READ, fd, rbuf, 2 * PS, 0));
	ASSERT_EQ(-1, xip_check_byte(rbuf, 300, 0));
	ASSERT_EQ(-1, xip_check(rbuf + 300, 2 * PS - 300, 40, 300));
	ASSERT_EQ(300, uring_rw(&r, IORING_OP_READ, fd, rbuf, 2 * PS,
				2 * PS));
	ASSERT_EQ(-1, xip_check(rbuf, 300, 40, 2 * PS));
	ASSERT_NO_CACHE(fd);
	close(fd);
	close(r.fd);
	free(wbuf);
	free(rbuf);
}

/* ---- pinning: get_user_pages() on XIP mappings --------------------- */

static bool tpin(FIXTURE_DATA(xip) * self)
{
	return self->relaxed || xip_pinnable(self->dir);
}

/*
 * vmsplice() of shared and private mappings of a file hands its pages to a
 * pipe: where the memory can be pinned, the pipe delivers the file's data;
 * elsewhere vmsplice fails with EFAULT.
 */
TEST_F(xip, vmsplice_of_xip_mappings)
{
	int fd, p[2], i, flags[] = { MAP_SHARED, MAP_PRIVATE };
	unsigned char *m, *buf = malloc(4 * PS);
	bool pin = tpin(self);
	struct iovec iov;
	ssize_t n;

	ASSERT_NE(NULL, buf);
	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, 4 * PS, 61, 0));
	for (i = 0; i < 2; i++) {
		m = mmap(NULL, 4 * PS, PROT_READ, flags[i], fd, 0);
		ASSERT_NE(MAP_FAILED, m);
		ASSERT_EQ(0, pipe(p));
		iov.iov_base = m + 100;
		iov.iov_len = 3 * PS;
		errno = 0;
		n = vmsplice(p[1], &iov, 1, 0);
		if (!pin) {
			EXPECT_EQ(-1, n);
			EXPECT_EQ(EFAULT, errno);
		} else {
			ASSERT_EQ(3 * PS, n) TH_LOG("vmsplice (%s): %s",
						    i ? "private" : "shared",
						    strerror(errno));
			ASSERT_EQ(0, xip_read_full(p[0], buf, 3 * PS));
			EXPECT_EQ(-1, xip_check(buf, 3 * PS, 61, 100));
		}
		close(p[0]);
		close(p[1]);
		munmap(m, 4 * PS);
	}
	ASSERT_NO_CACHE(fd);
	close(fd);
	free(buf);
}

/*
 * O_DIRECT transfers between a block device and buffers that are XIP
 * mappings: a write from a mapping, a read into a shared mapping (the file
 * gets the data, as a store would put it there) and into a private one (the
 * file stays as it was).  Where the memory cannot be pinned, EFAULT.
 */
TEST_F(xip, o_direct_with_xip_mapped_buffers)
{
	const char *dev = getenv("XIP_SCRATCH_DEV");
	unsigned char *src, *dst, *priv;
	bool pin = tpin(self);
	int sfd, dfd, bfd;
	void *abuf;
	ssize_t n;

	if (!dev || !*dev)
		SKIP(return, "no scratch block device (XIP_SCRATCH_DEV)");
	bfd = open(dev, O_RDWR | O_DIRECT);
	ASSERT_LE(0, bfd) TH_LOG("%s: %s", dev, strerror(errno));
	ASSERT_EQ(0, posix_memalign(&abuf, PS, 4 * PS));
	sfd = tcreate(self, "src", 0);
	dfd = tcreate(self, "dst", 0);
	ASSERT_LE(0, sfd);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, xip_write_pattern(sfd, 4 * PS, 62, 0));
	ASSERT_EQ(0, xip_write_pattern(dfd, 2 * PS, 65, 0));
	ASSERT_EQ(0, ftruncate(dfd, 4 * PS));	/* the second half: holes */
	src = mmap(NULL, 4 * PS, PROT_READ, MAP_SHARED, sfd, 0);
	dst = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	priv = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE, sfd, 0);
	ASSERT_NE(MAP_FAILED, src);
	ASSERT_NE(MAP_FAILED, dst);
	ASSERT_NE(MAP_FAILED, priv);

	errno = 0;
	n = pwrite(bfd, src, 4 * PS, 0);
	if (!pin) {
		EXPECT_EQ(-1, n);
		EXPECT_EQ(EFAULT, errno);
		errno = 0;
		EXPECT_EQ(-1, pread(bfd, dst, 4 * PS, 0));
		EXPECT_EQ(EFAULT, errno);
		ASSERT_FILE_PATTERN(dfd, 2 * PS, 65, 0);
		goto out;
	}
	ASSERT_EQ(4 * PS, n) TH_LOG("O_DIRECT write from a mapping: %s",
				    strerror(errno));
	memset(abuf, 0, 4 * PS);
	ASSERT_EQ(4 * PS, pread(bfd, abuf, 4 * PS, 0));
	EXPECT_EQ(-1, xip_check(abuf, 4 * PS, 62, 0));

	/* into a shared mapping, over data and holes: the file has it */
	n = pread(bfd, dst, 4 * PS, 0);
	ASSERT_EQ(4 * PS, n) TH_LOG("O_DIRECT read into a mapping: %s",
				    strerror(errno));
	ASSERT_FILE_PATTERN(dfd, 4 * PS, 62, 0);
	EXPECT_EQ(4 * PS / 512, fblocks(dfd));

	/* into a private mapping: a copy, the file stays */
	memset(abuf, 0x5a, 4 * PS);
	ASSERT_EQ(4 * PS, pwrite(bfd, abuf, 4 * PS, 0));
	ASSERT_EQ(4 * PS, pread(bfd, priv, 4 * PS, 0));
	EXPECT_EQ(-1, xip_check_byte(priv, 4 * PS, 0x5a));
	ASSERT_FILE_PATTERN(sfd, 4 * PS, 62, 0);
out:
	munmap(src, 4 * PS);
	munmap(dst, 4 * PS);
	munmap(priv, 4 * PS);
	ASSERT_NO_CACHE(sfd);
	ASSERT_NO_CACHE(dfd);
	close(sfd);
	close(dfd);
	close(bfd);
	free(abuf);
}

/*
 * A page in a pipe (vmsplice) outlives the truncate of its file: a new file
 * written over the freed blocks does not show through it (the filesystem is
 * filled first, so the blocks are reused).
 */
TEST_F(xip, pinned_page_outlives_truncate)
{
	const char *err = xip_pin_vs_truncate(self->dir, tpin(self));

	ASSERT_EQ(NULL, err) TH_LOG("%s", err);
}

/*
 * io_uring fixed buffers take long-term pins.  As with the page cache, a
 * private mapping of a file can be registered (the pin is on the copy the
 * write fault makes, which a fixed read then fills), a shared one cannot
 * (EFAULT: it tracks dirtying).
 */
TEST_F(xip, io_uring_fixed_buffers_in_mappings)
{
	unsigned char *priv, *shared;
	struct iovec iov;
	struct uring r;
	int fd, gfd, ret;

	ret = uring_init(&r);
	if (ret == -1 && (errno == ENOSYS || errno == EPERM))
		SKIP(return, "io_uring not available: %s", strerror(errno));
	ASSERT_EQ(0, ret) TH_LOG("io_uring setup: %s", strerror(errno));
	fd = tcreate(self, "f", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, 2 * PS, 66, 0));
	priv = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	shared = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, priv);
	ASSERT_NE(MAP_FAILED, shared);

	iov.iov_base = shared;
	iov.iov_len = 2 * PS;
	errno = 0;
	ret = syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_BUFFERS,
		      &iov, 1);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EFAULT, errno) TH_LOG("shared: %s", strerror(errno));
	if (!ret)
		syscall(__NR_io_uring_register, r.fd,
			IORING_UNREGISTER_BUFFERS, NULL, 0);

	iov.iov_base = priv;
	ret = syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_BUFFERS,
		      &iov, 1);
	ASSERT_EQ(0, ret) TH_LOG("private: %s", strerror(errno));
	/* the registered buffer is the private copy of the file's data */
	EXPECT_EQ(-1, xip_check(priv, 2 * PS, 66, 0));
	/* a fixed read into it fills the copy, not the file */
	gfd = tcreate(self, "g", 0);
	ASSERT_LE(0, gfd);
	ASSERT_EQ(0, xip_write_pattern(gfd, 2 * PS, 68, 0));
	ASSERT_EQ(2 * PS, uring_rw(&r, IORING_OP_READ_FIXED, gfd, priv,
				   2 * PS, 0));
	EXPECT_EQ(-1, xip_check(priv, 2 * PS, 68, 0));
	ASSERT_FILE_PATTERN(fd, 2 * PS, 66, 0);
	close(gfd);
	ASSERT_EQ(0, syscall(__NR_io_uring_register, r.fd,
			     IORING_UNREGISTER_BUFFERS, NULL, 0));
	munmap(priv, 2 * PS);
	munmap(shared, 2 * PS);
	ASSERT_NO_CACHE(fd);
	close(fd);
	close(r.fd);
}

/*
 * The RAM disk gets the memory of freed blocks back: deleting a file
 * returns its pages to the system (they were the device's).
 */
TEST_F(xip, brd_frees_memory_of_deleted_files)
{
	const size_t len = 32 << 20;
	char path[PATH_MAX], src[512];
	long before, after = 0;
	int fd, i;

	if (xip_mount_source(self->dir, src, sizeof(src)) ||
	    strncmp(src, "/dev/ram", 8))
		SKIP(return, "not a RAM disk");
	tpath(path, sizeof(path), self, "big");
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, len, 67, 0));
	ASSERT_EQ(0, fsync(fd));
	close(fd);
	before = xip_meminfo_kb("MemFree");
	ASSERT_EQ(0, unlink(path));
	sync();
	/* brd frees the pages after an SRCU grace period: wait up to 10 s */
	for (i = 0; i < 1000; i++) {
		struct timespec d = { 0, 10 * 1000 * 1000 };

		after = xip_meminfo_kb("MemFree");
		if (after > before + (long)(len >> 11))
			break;
		nanosleep(&d, NULL);
	}
	TH_LOG("MemFree %ld -> %ld KiB after deleting %zu KiB", before,
	       after, len >> 10);
	EXPECT_LT(before + (long)(len >> 11), after)
		TH_LOG("the RAM disk kept the memory of a deleted file");
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], EXEC_CHILD_ARG))
		return exec_child();
	if (argc == 2 && !strcmp(argv[1], UPROBE_CHILD_ARG))
		return uprobe_child();
	return test_harness_run(argc, argv);
}
