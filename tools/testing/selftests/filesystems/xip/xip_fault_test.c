// SPDX-License-Identifier: GPL-2.0
/*
 * Injected faults and resource limits under ext2 execute-in-place (mount -o
 * xip): what the caller sees when the device's direct access, the page or
 * slab allocator, a bio, the free space, the quota or RLIMIT_FSIZE fail it,
 * and what the device's owner sees when it is made read-only, discarded,
 * zeroed or (dcssblk) removed under the mount.
 *
 * Every case asserts a clean result (an errno, a short write, SIGBUS for a
 * fault), that the file then holds what was acknowledged and, elsewhere, its
 * old data or zeroes (never stale blocks), that no block leaked (the free
 * count moves with the file's blocks), and that e2fsck -fn is clean and the
 * data is still there after a new mount.  Faults are injected only into the
 * test process (the fault_attr task filter, /proc/thread-self/fail-nth).
 *
 * Needs root, debugfs and CONFIG_FAULT_INJECTION_DEBUG_FS, FAILSLAB,
 * FAIL_PAGE_ALLOC, FAIL_MAKE_REQUEST, FAIL_DIRECT_ACCESS and QUOTA/QFMT_V2.
 * Destroys the device it runs on.  Environment:
 *   XIP_FAULT_DEV   block device with direct_access (default
 *                   $XIP_SCRATCH_DEV, else /dev/ram1): each case makes a
 *                   small ext2 on it
 *   XIP_FAULT_MNT   mount point (/mnt/xip-fault, created)
 *   XIP_MKE2FS      mke2fs command, may contain arguments ("mke2fs")
 *   XIP_E2FSCK      e2fsck command (e2fsck.static or e2fsck in PATH)
 */
#define _GNU_SOURCE
#include <endian.h>
#include <grp.h>
#include <limits.h>
#include <mntent.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/quota.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <linux/fs.h>

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

#ifndef QFMT_VFS_V0
#define QFMT_VFS_V0	2
#endif

#define PS		((long)XIP_PAGE)
#define FS_KIB		(64 << 10)	/* the test file systems: 64 MiB */
#define NOBODY		65534
#define DBG		"/sys/kernel/debug"
#define MAX_ARGS	32
#define SWEEP_MAX	400		/* fail-nth points per operation, at most */

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

/* ---- commands: mke2fs, e2fsck ---------------------------------------- */

/*
 * Run the command in environment variable @var (default @dflt, split at
 * blanks) with @args appended.  Its output is shown (as TAP comments on
 * stderr) only if it fails.  Returns the exit status, or -1.
 */
static int run_cmd(const char *var, const char *dflt, const char *const *args)
{
	char *argv[MAX_ARGS + 1], *cmd, *tok, *save = NULL, *out = NULL;
	size_t len = 0, cap = 0;
	int argc = 0, status, pfd[2];
	ssize_t n;
	pid_t pid;

	cmd = strdup(env_or(var, dflt));
	if (!cmd || pipe(pfd)) {
		free(cmd);
		return -1;
	}
	for (tok = strtok_r(cmd, " \t", &save); tok && argc < MAX_ARGS;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	while (*args && argc < MAX_ARGS)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		free(cmd);
		return -1;
	}
	if (!pid) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		if (len + 4096 > cap) {
			char *bigger = realloc(out, cap + 65536);

			if (!bigger)
				break;
			out = bigger;
			cap += 65536;
		}
		n = read(pfd[0], out + len, cap - len - 1);
		if (n <= 0)
			break;
		len += n;
	}
	close(pfd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		status = -1;
	else
		status = WEXITSTATUS(status);
	if (status && out) {
		out[len] = 0;
		fprintf(stderr, "# %s %s... exit status %d:\n", argv[0],
			argc > 1 ? argv[1] : "", status);
		for (tok = strtok_r(out, "\n", &save); tok;
		     tok = strtok_r(NULL, "\n", &save))
			fprintf(stderr, "#   %s\n", tok);
	}
	free(out);
	free(cmd);
	return status;
}

/* Is the mke2fs command busybox's (size in KiB) rather than e2fsprogs'? */
static bool mke2fs_is_busybox(void)
{
	char *cmd = strdup(env_or("XIP_MKE2FS", "mke2fs")), *first, *save;
	char dirs[4096], path[PATH_MAX], real[PATH_MAX], *dir, *dsave = NULL;
	bool bb = false;

	if (!cmd)
		return true;
	first = strtok_r(cmd, " \t", &save);
	if (first && strstr(first, "busybox")) {
		bb = true;
	} else if (first) {
		snprintf(dirs, sizeof(dirs), "%s", env_or("PATH", "/bin"));
		for (dir = strtok_r(dirs, ":", &dsave); dir;
		     dir = strtok_r(NULL, ":", &dsave)) {
			if (snprintf(path, sizeof(path), "%s/%s", dir, first) >=
			    (int)sizeof(path) || access(path, X_OK))
				continue;
			bb = realpath(path, real) && strstr(real, "busybox");
			break;
		}
	}
	free(cmd);
	return bb;
}

/* ext2 with 4 KiB blocks, FS_KIB large, on @dev. */
static int mkfs_small(const char *dev)
{
	char size[32];
	const char * const args[] = { "-b", "4096", dev, size, NULL };

	/* busybox takes the size in KiB, e2fsprogs in blocks */
	snprintf(size, sizeof(size), "%d",
		 mke2fs_is_busybox() ? FS_KIB : FS_KIB / 4);
	return run_cmd("XIP_MKE2FS", "mke2fs", args);
}

static const char *default_e2fsck(void)
{
	static const char *const names[] = { "e2fsck.static", "e2fsck" };
	static char found[PATH_MAX];
	char dirs[4096], *dir, *save = NULL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(dirs, sizeof(dirs), "%s:/sbin:/usr/sbin",
			 env_or("PATH", "/bin:/usr/bin"));
		for (dir = strtok_r(dirs, ":", &save); dir;
		     dir = strtok_r(NULL, ":", &save)) {
			if (snprintf(found, sizeof(found), "%s/%s", dir,
				     names[i]) >= (int)sizeof(found))
				continue;
			if (!access(found, X_OK))
				return found;
		}
	}
	return "e2fsck";
}

static int fsck(const char *dev)
{
	const char * const args[] = { "-fn", dev, NULL };

	return run_cmd("XIP_E2FSCK", default_e2fsck(), args);
}

/* ---- mounts ----------------------------------------------------------- */

static int mount_opts(const char *mnt, char *opts, size_t len)
{
	struct mntent *me;
	int ret = -1;
	FILE *f;

	f = setmntent("/proc/self/mounts", "r");
	if (!f)
		return -1;
	while ((me = getmntent(f))) {
		if (strcmp(me->mnt_dir, mnt))
			continue;
		snprintf(opts, len, "%s", me->mnt_opts);
		ret = 0;
	}
	endmntent(f);
	return ret;
}

static bool is_mounted(const char *mnt)
{
	char opts[1024];

	return !mount_opts(mnt, opts, sizeof(opts));
}

static void umount_all(const char *mnt)
{
	int i;

	for (i = 0; i < 8 && is_mounted(mnt); i++)
		if (umount2(mnt, 0))
			umount2(mnt, MNT_DETACH);
}

/* Mounted, with "xip" and "rw": an ext2_error() remounting ro shows here. */
static bool mounted_xip_rw(const char *mnt)
{
	char opts[1024];

	return !mount_opts(mnt, opts, sizeof(opts)) &&
	       xip_opt_has(opts, "xip") && xip_opt_has(opts, "rw");
}

/* ---- fault injection knobs --------------------------------------------- */

static int put_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

static int fi_set(const char *attr, const char *knob, long val)
{
	char path[256], v[32];

	snprintf(path, sizeof(path), DBG "/%s/%s", attr, knob);
	snprintf(v, sizeof(v), "%ld", val);
	return put_str(path, v);
}

static long fi_get(const char *attr, const char *knob)
{
	char path[256], v[32] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), DBG "/%s/%s", attr, knob);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return LONG_MIN;
	n = read(fd, v, sizeof(v) - 1);
	close(fd);
	if (n <= 0)
		return LONG_MIN;
	v[n] = 0;
	return strtol(v, NULL, 10);
}

static const char *const fi_attrs[] = {
	"fail_direct_access", "failslab", "fail_page_alloc",
	"fail_make_request",
};

/* Disarm every capability and put the allocator filters back. */
static int fi_reset(void)
{
	int ret = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fi_attrs); i++) {
		ret |= fi_set(fi_attrs[i], "probability", 0);
		ret |= fi_set(fi_attrs[i], "interval", 1);
		ret |= fi_set(fi_attrs[i], "times", 1);
		ret |= fi_set(fi_attrs[i], "space", 0);
		ret |= fi_set(fi_attrs[i], "verbose", 0);
		ret |= fi_set(fi_attrs[i], "task-filter", 1);
	}
	ret |= fi_set("failslab", "ignore-gfp-wait", 1);
	ret |= fi_set("fail_page_alloc", "ignore-gfp-wait", 1);
	ret |= fi_set("fail_page_alloc", "ignore-gfp-highmem", 1);
	ret |= fi_set("fail_page_alloc", "min-order", 1);
	return ret;
}

/*
 * Arm @attr for tasks with make-it-fail: fail with @probability percent
 * every @interval-th eligible call, @times times at most (-1: no limit).
 */
static int fi_arm(const char *attr, long probability, long interval,
		  long times)
{
	return fi_set(attr, "task-filter", 1) |
	       fi_set(attr, "verbose", 0) |
	       fi_set(attr, "space", 0) |
	       fi_set(attr, "times", times) |
	       fi_set(attr, "interval", interval) |
	       fi_set(attr, "probability", probability);
}

/*
 * Let the allocators fail sleeping and user page allocations too, of order
 * @min_order and up.
 */
static int fi_allocators_all(unsigned int min_order)
{
	return fi_set("failslab", "ignore-gfp-wait", 0) |
	       fi_set("fail_page_alloc", "ignore-gfp-wait", 0) |
	       fi_set("fail_page_alloc", "ignore-gfp-highmem", 0) |
	       fi_set("fail_page_alloc", "min-order", min_order);
}

/* /proc/thread-self/make-it-fail or fail-nth, already open. */
static int proc_put(int fd, unsigned int v)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%u", v);

	return pwrite(fd, buf, n, 0) == n ? 0 : -1;
}

static long proc_get(int fd)
{
	char buf[16];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

/* ---- files ------------------------------------------------------------ */

static long long fblocks(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : (long long)st.st_blocks;
}

static off_t fsize(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : st.st_size;
}

static long long free_blocks(const char *mnt)
{
	struct statvfs sv;

	return statvfs(mnt, &sv) ? -1 : (long long)sv.f_bfree;
}

/*
 * Does the file hold exactly @len bytes of @model?  Returns -1 if it does,
 * else the first differing offset (or the size, if that differs).
 */
static off_t model_diff(int fd, const unsigned char *model, size_t len)
{
	unsigned char *buf;
	off_t size = fsize(fd);
	size_t i;

	if (size != (off_t)len)
		return size < 0 ? 0 : size;
	buf = malloc(len + 1);
	if (!buf)
		return 0;
	if (len && xip_pread_all(fd, buf, len, 0)) {
		free(buf);
		return 0;
	}
	for (i = 0; i < len; i++)
		if (buf[i] != model[i])
			break;
	free(buf);
	return i < len ? (off_t)i : -1;
}

/* Write @len bytes of pattern @seed at @off into @model (grown as needed). */
static void model_write(unsigned char *model, size_t *size, unsigned int seed,
			off_t off, size_t len)
{
	if ((size_t)off > *size)
		memset(model + *size, 0, off - *size);
	xip_fill(model + off, len, seed, off);
	if (off + len > *size)
		*size = off + len;
}

/* The whole disk's name in /sys/block for @dev ("/dev/ram1" -> "ram1"). */
static const char *disk_name(const char *dev)
{
	const char *s = strrchr(dev, '/');

	return s ? s + 1 : dev;
}

/* A SIGBUS-safe fill of a mapping; 1 if SIGBUS was raised. */
static int probe_fill(volatile unsigned char *p, size_t len,
		      unsigned int seed, uint64_t off)
{
	sigjmp_buf env;
	size_t i;

	if (sigsetjmp(env, 1)) {
		xip_bus_env = NULL;
		return 1;
	}
	xip_bus_env = &env;
	__asm__ __volatile__("" ::: "memory");
	for (i = 0; i < len; i++)
		p[i] = xip_pat(seed, off + i);
	__asm__ __volatile__("" ::: "memory");
	xip_bus_env = NULL;
	return 0;
}

/* ---- the fixture -------------------------------------------------------- */

FIXTURE(xip_fault) {
	char dev[PATH_MAX / 2];
	char mnt[PATH_MAX / 2];
	char opts[64];
	int mif;		/* /proc/thread-self/make-it-fail */
	int nth;		/* /proc/thread-self/fail-nth */
	bool brd, dcss;
	bool ro_set;		/* BLKROSET was used: clear it */
	bool quota;		/* quota is on */
};

/* Make a fresh small ext2 on the device and mount it with @opts. */
static int fresh_mount(FIXTURE_DATA(xip_fault) * self, const char *opts,
		       char *why, size_t len)
{
	umount_all(self->mnt);
	if (mkfs_small(self->dev)) {
		snprintf(why, len, "mke2fs on %s failed (set XIP_MKE2FS?)",
			 self->dev);
		return -1;
	}
	if (mount(self->dev, self->mnt, "ext2", 0, opts)) {
		snprintf(why, len, "mount -o %s %s: %s", opts, self->dev,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* Unmount, e2fsck -fn, mount again with the fixture's options. */
static int remount_fsck(FIXTURE_DATA(xip_fault) * self, char *why, size_t len)
{
	int rc;

	if (umount(self->mnt)) {
		snprintf(why, len, "umount %s: %s", self->mnt, strerror(errno));
		return -1;
	}
	rc = fsck(self->dev);
	if (rc) {
		snprintf(why, len, "e2fsck -fn %s: exit status %d", self->dev,
			 rc);
		return -1;
	}
	if (mount(self->dev, self->mnt, "ext2", 0, self->opts)) {
		snprintf(why, len, "mount -o %s again: %s", self->opts,
			 strerror(errno));
		return -1;
	}
	return 0;
}

#define ASSERT_REMOUNT_FSCK() do {					\
	char __why[PATH_MAX];						\
									\
	ASSERT_EQ(0, remount_fsck(self, __why, sizeof(__why)))		\
		TH_LOG("%s", __why);					\
} while (0)

/* The test process alone fails its calls from now on (or not). */
#define FAIL_ON()	proc_put(self->mif, 1)
#define FAIL_OFF()	proc_put(self->mif, 0)

FIXTURE_SETUP(xip_fault)
{
	char why[PATH_MAX], path[PATH_MAX + 8];
	unsigned int i;
	struct stat st;

	snprintf(self->dev, sizeof(self->dev), "%s",
		 env_or("XIP_FAULT_DEV",
			env_or("XIP_SCRATCH_DEV", "/dev/ram1")));
	snprintf(self->mnt, sizeof(self->mnt), "%s",
		 env_or("XIP_FAULT_MNT", "/mnt/xip-fault"));
	snprintf(self->opts, sizeof(self->opts), "xip,errors=remount-ro");
	self->mif = -1;
	self->nth = -1;
	self->brd = !strncmp(disk_name(self->dev), "ram", 3);
	self->dcss = !strncmp(disk_name(self->dev), "dcssblk", 7);
	ASSERT_EQ(0, stat(self->dev, &st))
		TH_LOG("device %s: %s", self->dev, strerror(errno));
	ASSERT_TRUE(S_ISBLK(st.st_mode)) TH_LOG("%s: no block device",
						self->dev);
	if (mkdir(self->mnt, 0755))
		ASSERT_EQ(EEXIST, errno);

	if (access(DBG "/fail_direct_access", F_OK))
		mount("debugfs", DBG, "debugfs", 0, NULL);
	for (i = 0; i < ARRAY_SIZE(fi_attrs); i++) {
		snprintf(path, sizeof(path), DBG "/%s", fi_attrs[i]);
		ASSERT_EQ(0, access(path, F_OK))
			TH_LOG("%s: %s (kernel without CONFIG_%s?)", path,
			       strerror(errno),
			       i ? "FAILSLAB/FAIL_PAGE_ALLOC/FAIL_MAKE_REQUEST" :
			       "FAIL_DIRECT_ACCESS");
	}
	ASSERT_EQ(0, fi_reset());
	self->mif = open("/proc/thread-self/make-it-fail", O_RDWR);
	ASSERT_LE(0, self->mif) TH_LOG("make-it-fail: %s", strerror(errno));
	self->nth = open("/proc/thread-self/fail-nth", O_RDWR);
	ASSERT_LE(0, self->nth) TH_LOG("fail-nth: %s", strerror(errno));

	umount_all(self->mnt);
	if (self->brd) {
		/* give brd's memory back, so that direct access allocates */
		uint64_t range[2] = { 0, 0 };
		int bfd = open(self->dev, O_RDWR);

		ASSERT_LE(0, bfd);
		ASSERT_EQ(0, ioctl(bfd, BLKGETSIZE64, &range[1]));
		ASSERT_EQ(0, ioctl(bfd, BLKDISCARD, range))
			TH_LOG("BLKDISCARD %s: %s", self->dev, strerror(errno));
		close(bfd);
	}
	ASSERT_EQ(0, fresh_mount(self, self->opts, why, sizeof(why)))
		TH_LOG("%s", why);
	ASSERT_TRUE(mounted_xip_rw(self->mnt));
	ASSERT_EQ(0, xip_catch_sigbus());
}

FIXTURE_TEARDOWN_PARENT(xip_fault)
{
	char path[PATH_MAX];

	fi_reset();
	snprintf(path, sizeof(path), "/sys/block/%s/make-it-fail",
		 disk_name(self->dev));
	put_str(path, "0");
	if (self->ro_set) {
		int bfd = open(self->dev, O_RDONLY), rw = 0;

		if (bfd >= 0) {
			ioctl(bfd, BLKROSET, &rw);
			close(bfd);
		}
	}
	if (self->quota)
		quotactl(QCMD(Q_QUOTAOFF, USRQUOTA), self->dev, 0, NULL);
	umount_all(self->mnt);
}

/* Open (creating, truncating) @name on the test mount. */
static int fcreate(FIXTURE_DATA(xip_fault) * self, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", self->mnt, name);
	return open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
}

static int fopen_rw(FIXTURE_DATA(xip_fault) * self, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", self->mnt, name);
	return open(path, O_RDWR);
}

/*
 * Leave stale data in free blocks: a file of pattern @seed, unlinked.  A
 * new block that is not zeroed before it shows would show this.
 */
static int leave_stale_blocks(FIXTURE_DATA(xip_fault) * self, size_t len,
			      unsigned int seed)
{
	char path[PATH_MAX + 64];
	int fd;

	snprintf(path, sizeof(path), "%s/stale", self->mnt);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || xip_write_pattern(fd, len, seed, 0) || fsync(fd))
		return -1;
	close(fd);
	return unlink(path);
}

/* ---- fail_direct_access: the hook in bdev_direct_access() --------------- */

/*
 * read(2): the first lookup fails -> EIO; a later one -> a short read of
 * what was read before it.  The mount stays read-write under
 * errors=remount-ro: a device error is not filesystem damage.
 */
TEST_F(xip_fault, direct_access_fails_read)
{
	const size_t len = 64 << 10;	/* blocks 0-11 direct, 12-15 indirect */
	unsigned char *buf = malloc(len);
	long left1, left2;
	ssize_t r1, r2;
	int e1, fd;

	ASSERT_NE(NULL, buf);
	fd = fcreate(self, "f");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, len, 1, 0));
	memset(buf, 0, len);

	ASSERT_EQ(0, fi_arm("fail_direct_access", 100, 1, 1));
	FAIL_ON();
	r1 = pread(fd, buf, len, 0);
	e1 = errno;
	FAIL_OFF();
	left1 = fi_get("fail_direct_access", "times");
	/* the second lookup: blocks 12-15 lie behind the indirect block */
	ASSERT_EQ(0, fi_arm("fail_direct_access", 100, 2, 1));
	FAIL_ON();
	r2 = pread(fd, buf, len, 0);
	FAIL_OFF();
	left2 = fi_get("fail_direct_access", "times");
	fi_reset();

	EXPECT_EQ(0, left1) TH_LOG("the first lookup was not failed");
	EXPECT_EQ(-1, r1) TH_LOG("read with a failing lookup: %zd", r1);
	EXPECT_EQ(EIO, e1) TH_LOG("read: %s", strerror(e1));
	EXPECT_EQ(0, left2) TH_LOG("the second lookup was not failed");
	EXPECT_LT(0, r2);
	EXPECT_GT((ssize_t)len, r2) TH_LOG("no short read: %zd", r2);
	EXPECT_EQ(0, r2 % PS);
	if (r2 > 0)
		EXPECT_EQ(-1, xip_check(buf, r2, 1, 0));
	ASSERT_EQ((ssize_t)len, pread(fd, buf, len, 0));
	EXPECT_EQ(-1, xip_check(buf, len, 1, 0));
	EXPECT_TRUE(mounted_xip_rw(self->mnt))
		TH_LOG("a failed direct access remounted the fs read-only");
	close(fd);
	free(buf);
	ASSERT_REMOUNT_FSCK();
}

/*
 * write(2) over data: EIO with nothing changed, or a short write; into
 * holes: the first lookup of a new run is the zeroing of its new blocks,
 * and whichever fails, the blocks allocated for the failed part are given
 * back (the free count moves with the file's blocks) and the file shows
 * the written part and zeroes, never the stale data of its blocks.
 */
TEST_F(xip_fault, direct_access_fails_write)
{
	const size_t len = 64 << 10;
	unsigned char *buf = malloc(len), *model = malloc(len);
	long long free0, free1, blocks;
	long left[3];
	ssize_t r[3];
	int e[3], fd, i;
	size_t msize;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, model);
	ASSERT_EQ(0, leave_stale_blocks(self, 1 << 20, 99));

	/* over data: the first lookup fails, then the second */
	fd = fcreate(self, "over");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, len, 1, 0));
	xip_fill(buf, len, 2, 0);
	ASSERT_EQ(0, fi_arm("fail_direct_access", 100, 1, 1));
	FAIL_ON();
	r[0] = pwrite(fd, buf, len, 0);
	e[0] = errno;
	FAIL_OFF();
	left[0] = fi_get("fail_direct_access", "times");
	ASSERT_EQ(0, fi_arm("fail_direct_access", 100, 2, 1));
	FAIL_ON();
	r[1] = pwrite(fd, buf, len, 0);
	FAIL_OFF();
	left[1] = fi_get("fail_direct_access", "times");
	fi_reset();
	EXPECT_EQ(0, left[0]);
	EXPECT_EQ(-1, r[0]);
	EXPECT_EQ(EIO, e[0]) TH_LOG("write: %s", strerror(e[0]));
	EXPECT_EQ(0, left[1]);
	EXPECT_LT(0, r[1]);
	EXPECT_GT((ssize_t)len, r[1]);
	msize = 0;
	model_write(model, &msize, 1, 0, len);
	if (r[1] > 0)
		model_write(model, &msize, 2, 0, r[1]);
	EXPECT_EQ(-1, model_diff(fd, model, msize));
	close(fd);

	/*
	 * into holes: 1st lookup = zeroing blocks 0-11, 2nd = mapping them,
	 * 3rd = zeroing blocks 12-15 and their indirect block
	 */
	for (i = 0; i < 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "hole%d", i);
		fd = fcreate(self, name);
		ASSERT_LE(0, fd);
		free0 = free_blocks(self->mnt);
		xip_fill(buf, len, 3 + i, 0);
		ASSERT_EQ(0, fi_arm("fail_direct_access", 100, i + 1, 1));
		FAIL_ON();
		r[i] = pwrite(fd, buf, len, 0);
		e[i] = errno;
		FAIL_OFF();
		left[i] = fi_get("fail_direct_access", "times");
		fi_reset();
		free1 = free_blocks(self->mnt);
		blocks = fblocks(fd) / (PS / 512);
		TH_LOG("%s: write %zd (%s), %lld blocks, %lld free blocks used",
		       name, r[i], r[i] < 0 ? strerror(e[i]) : "-", blocks,
		       free0 - free1);
		EXPECT_EQ(0, left[i]);
		EXPECT_EQ(free0 - free1, blocks)
			TH_LOG("%s: blocks leaked by a failed allocation",
			       name);
		if (i < 2) {
			EXPECT_EQ(-1, r[i]);
			EXPECT_EQ(EIO, e[i]) TH_LOG("%s", strerror(e[i]));
			EXPECT_EQ(0, blocks);
		} else {
			/* fewer runs on brd, where memory may be in pieces */
			EXPECT_TRUE((r[i] == -1 && e[i] == EIO) ||
				    (r[i] > 0 && r[i] <= 12 * PS &&
				     !(r[i] % PS)))
				TH_LOG("write: %zd (%s)", r[i], strerror(e[i]));
		}
		msize = 0;
		if (r[i] > 0)
			model_write(model, &msize, 3 + i, 0, r[i]);
		EXPECT_EQ(-1, model_diff(fd, model, msize));
		/* the holes left read as zeroes once the file grows */
		ASSERT_EQ(1, pwrite(fd, "x", 1, len - 1));
		model_write(model, &msize, 0, len - 1, 1);
		model[len - 1] = 'x';
		EXPECT_EQ(-1, model_diff(fd, model, msize))
			TH_LOG("%s: not the written data and zeroes", name);
		close(fd);
	}
	EXPECT_TRUE(mounted_xip_rw(self->mnt));
	ASSERT_REMOUNT_FSCK();
	fd = fopen_rw(self, "hole2");
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, model_diff(fd, model, msize)) TH_LOG("after remount");
	close(fd);
	free(buf);
	free(model);
}

/*
 * Faults: a read fault whose lookup fails raises SIGBUS; so does a store
 * into a hole whose new block cannot be zeroed, which gives the block back.
 * Once the device works again, both go through.
 */
TEST_F(xip_fault, direct_access_fails_fault)
{
	long long free0, free1;
	long left1, left2;
	unsigned char *p, v = 0;
	int bus1, bus2, fd, hfd;

	fd = fcreate(self, "f");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, 4 * PS, 5, 0));
	p = mmap(NULL, 4 * PS, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, fi_arm("fail_direct_access", 100, 1, 1));
	FAIL_ON();
	bus1 = xip_probe_read(p + PS + 1, &v);
	FAIL_OFF();
	left1 = fi_get("fail_direct_access", "times");
	fi_reset();
	EXPECT_EQ(0, left1);
	EXPECT_EQ(1, bus1) TH_LOG("a read fault with a failing lookup: no SIGBUS");
	EXPECT_EQ(0, xip_probe_read(p + PS + 1, &v));
	EXPECT_EQ(xip_pat(5, PS + 1), v);
	munmap(p, 4 * PS);

	hfd = fcreate(self, "hole");
	ASSERT_LE(0, hfd);
	ASSERT_EQ(0, ftruncate(hfd, 16 * PS));
	p = mmap(NULL, 16 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, hfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, xip_probe_read(p + 3 * PS, &v));	/* the zero page */
	EXPECT_EQ(0, v);
	free0 = free_blocks(self->mnt);
	ASSERT_EQ(0, fi_arm("fail_direct_access", 100, 1, 1));
	FAIL_ON();
	bus2 = xip_probe_write(p + 3 * PS + 5, 0x5a);
	FAIL_OFF();
	left2 = fi_get("fail_direct_access", "times");
	fi_reset();
	free1 = free_blocks(self->mnt);
	EXPECT_EQ(0, left2);
	EXPECT_EQ(1, bus2) TH_LOG("a store whose block cannot be zeroed: no SIGBUS");
	EXPECT_EQ(free0, free1) TH_LOG("the failed store leaked %lld blocks",
				       free0 - free1);
	EXPECT_EQ(0, fblocks(hfd));
	EXPECT_EQ(0, xip_probe_read(p + 3 * PS + 5, &v));
	EXPECT_EQ(0, v);
	EXPECT_EQ(0, xip_probe_write(p + 3 * PS + 5, 0x5a));
	EXPECT_EQ(0x5a, p[3 * PS + 5]);
	ASSERT_EQ(1, pread(hfd, &v, 1, 3 * PS + 5));
	EXPECT_EQ(0x5a, v);
	munmap(p, 16 * PS);
	close(hfd);
	close(fd);
	EXPECT_TRUE(mounted_xip_rw(self->mnt));
	ASSERT_REMOUNT_FSCK();
}

/*
 * fsync with a shared writable mapping visits the file's runs (to
 * write-protect them again): a failing lookup is its EIO, and the next
 * fsync works.  ftruncate, which zeroes the EOF page in place, fails with
 * EIO and changes nothing.
 */
TEST_F(xip_fault, direct_access_fails_fsync_truncate)
{
	unsigned char *p, model[3 * PS];
	long left[3];
	int ret[3], e[3], fd;
	size_t msize = 0;

	fd = fcreate(self, "f");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, 10000, 6, 0));
	model_write(model, &msize, 6, 0, 10000);
	p = mmap(NULL, 3 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[100] = xip_pat(6, 100);

	ASSERT_EQ(0, fi_arm("fail_direct_access", 100, 1, 1));
	FAIL_ON();
	ret[0] = fsync(fd);
	e[0] = errno;
	FAIL_OFF();
	left[0] = fi_get("fail_direct_access", "times");
	ASSERT_EQ(0, fi_arm("fail_direct_access", 100, 1, 1));
	FAIL_ON();
	ret[1] = ftruncate(fd, 5000);
	e[1] = errno;
	FAIL_OFF();
	left[1] = fi_get("fail_direct_access", "times");
	ASSERT_EQ(0, fi_arm("fail_direct_access", 100, 1, 1));
	FAIL_ON();
	ret[2] = ftruncate(fd, 11000);
	e[2] = errno;
	FAIL_OFF();
	left[2] = fi_get("fail_direct_access", "times");
	fi_reset();

	EXPECT_EQ(0, left[0]);
	EXPECT_EQ(-1, ret[0]);
	EXPECT_EQ(EIO, e[0]) TH_LOG("fsync: %s", strerror(e[0]));
	EXPECT_EQ(0, fsync(fd));
	EXPECT_EQ(0, left[1]);
	EXPECT_EQ(-1, ret[1]);
	EXPECT_EQ(EIO, e[1]) TH_LOG("truncate down: %s", strerror(e[1]));
	EXPECT_EQ(0, left[2]);
	EXPECT_EQ(-1, ret[2]);
	EXPECT_EQ(EIO, e[2]) TH_LOG("truncate up: %s", strerror(e[2]));
	EXPECT_EQ(-1, model_diff(fd, model, msize))
		TH_LOG("a failed truncate changed the file");
	EXPECT_EQ(0, ftruncate(fd, 5000));
	EXPECT_EQ(0, ftruncate(fd, 11000));
	memset(model + 5000, 0, 6000);
	msize = 11000;
	EXPECT_EQ(-1, model_diff(fd, model, msize));
	munmap(p, 3 * PS);
	close(fd);
	EXPECT_TRUE(mounted_xip_rw(self->mnt));
	ASSERT_REMOUNT_FSCK();
}

/* The mount maps the superblock's page: if that fails, the mount fails. */
TEST_F(xip_fault, direct_access_fails_mount)
{
	long left;
	int ret, e;

	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, fi_arm("fail_direct_access", 100, 1, 1));
	FAIL_ON();
	ret = mount(self->dev, self->mnt, "ext2", 0, self->opts);
	e = errno;
	FAIL_OFF();
	left = fi_get("fail_direct_access", "times");
	fi_reset();
	if (!ret)
		umount(self->mnt);
	EXPECT_EQ(0, left);
	EXPECT_EQ(-1, ret) TH_LOG("mount with a failing direct access worked");
	EXPECT_EQ(EINVAL, e) TH_LOG("mount: %s", strerror(e));
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", 0, self->opts))
		TH_LOG("mount: %s", strerror(errno));
	ASSERT_TRUE(mounted_xip_rw(self->mnt));
}

/* ---- every fault point of an operation in turn (/proc/.../fail-nth) ---- */

#define SW_LEN		(64 << 10)	/* the largest file an operation uses */

struct sweep_op;

struct sweep {
	FIXTURE_DATA(xip_fault) * self;
	const struct sweep_op *op;
	int n;			/* the fault point failed */
	int fd;
	unsigned char *p;	/* the operation's mapping, or NULL */
	size_t plen;
	unsigned char *buf;	/* SW_LEN bytes, touched before the op */
	unsigned char *model;	/* what the file must hold afterwards */
	size_t msize;
	ssize_t r;		/* what the operation returned */
	int err;		/* its errno */
	int bus;		/* 1 if it raised SIGBUS */
};

struct sweep_op {
	const char *name;
	const char *file;	/* files are FILE.N, one per fault point */
	size_t base;		/* bytes of pattern 1 written first; 0: sparse */
	ssize_t full;		/* what the operation returns unfailed */
	/* map the file, fill the buffer: whatever the operation needs */
	int (*prep)(struct sweep *sw);
	/* the operation, with fail-nth armed: no allocation in user space */
	void (*run)(struct sweep *sw);
	/* the model of the base file -> of the result; -1 if it is bad */
	int (*model)(struct sweep *sw);
};

/* the file as prepared: the base pattern, or a sparse file of SW_LEN */
static void sw_base_model(struct sweep *sw)
{
	sw->msize = 0;
	if (sw->op->base) {
		model_write(sw->model, &sw->msize, 1, 0, sw->op->base);
	} else {
		memset(sw->model, 0, SW_LEN);
		sw->msize = SW_LEN;
	}
}

static int sw_open(struct sweep *sw, bool create)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s.%d", sw->self->mnt, sw->op->file,
		 sw->n);
	sw->fd = open(path, create ? O_RDWR | O_CREAT | O_TRUNC : O_RDONLY,
		      0644);
	if (sw->fd < 0 || !create)
		return sw->fd < 0 ? -1 : 0;
	if (sw->op->base)
		return xip_write_pattern(sw->fd, sw->op->base, 1, 0);
	return ftruncate(sw->fd, SW_LEN);
}

static int sw_map(struct sweep *sw, int prot, int flags)
{
	sw->plen = SW_LEN;
	sw->p = mmap(NULL, sw->plen, prot, flags, sw->fd, 0);
	if (sw->p == MAP_FAILED) {
		sw->p = NULL;
		return -1;
	}
	return 0;
}

/* a write(2) either wrote all, a part from its start, or nothing (errno) */
static bool sw_result_ok(struct sweep *sw, size_t len)
{
	if (sw->r == (ssize_t)len || (sw->r > 0 && sw->r < (ssize_t)len))
		return true;
	return sw->r == -1 && (sw->err == ENOMEM || sw->err == EIO);
}

/* over data, through the partial EOF page, into new blocks and beyond */
#define WEOF_OFF	3000
static int prep_write_eof(struct sweep *sw)
{
	xip_fill(sw->buf, SW_LEN - WEOF_OFF, 7, WEOF_OFF);
	return 0;
}

static void run_write_eof(struct sweep *sw)
{
	sw->r = pwrite(sw->fd, sw->buf, SW_LEN - WEOF_OFF, WEOF_OFF);
	sw->err = errno;
}

static int model_write_eof(struct sweep *sw)
{
	if (!sw_result_ok(sw, SW_LEN - WEOF_OFF))
		return -1;
	if (sw->r > 0)
		model_write(sw->model, &sw->msize, 7, WEOF_OFF, sw->r);
	return 0;
}

/* beyond EOF: the old EOF page's tail and the gap must read as zeroes */
#define WGAP_OFF	9000
static int prep_write_gap(struct sweep *sw)
{
	xip_fill(sw->buf, SW_LEN - WGAP_OFF, 8, WGAP_OFF);
	return 0;
}

static void run_write_gap(struct sweep *sw)
{
	sw->r = pwrite(sw->fd, sw->buf, SW_LEN - WGAP_OFF, WGAP_OFF);
	sw->err = errno;
}

static int model_write_gap(struct sweep *sw)
{
	if (!sw_result_ok(sw, SW_LEN - WGAP_OFF))
		return -1;
	if (sw->r > 0)
		model_write(sw->model, &sw->msize, 8, WGAP_OFF, sw->r);
	return 0;
}

static int prep_read(struct sweep *sw)
{
	memset(sw->buf, 0, SW_LEN);
	return 0;
}

static void run_read(struct sweep *sw)
{
	sw->r = pread(sw->fd, sw->buf, SW_LEN, 0);
	sw->err = errno;
}

static int model_read(struct sweep *sw)
{
	if (!sw_result_ok(sw, SW_LEN))
		return -1;
	if (sw->r > 0 && xip_check(sw->buf, sw->r, 1, 0) != -1)
		return -1;
	return 0;		/* the file is unchanged */
}

static int prep_nothing(struct sweep *sw)
{
	(void)sw;
	return 0;
}

/* truncate down into a page, whose tail is zeroed in place */
static void run_truncate_down(struct sweep *sw)
{
	sw->r = ftruncate(sw->fd, 6000);
	sw->err = errno;
}

static int model_truncate_down(struct sweep *sw)
{
	if (!sw->r)
		sw->msize = 6000;
	else if (sw->err != EIO && sw->err != ENOMEM)
		return -1;
	return 0;
}

/* truncate up: the old EOF page's tail is zeroed in place */
static void run_truncate_up(struct sweep *sw)
{
	sw->r = ftruncate(sw->fd, 30000);
	sw->err = errno;
}

static int model_truncate_up(struct sweep *sw)
{
	if (!sw->r) {
		memset(sw->model + sw->msize, 0, 30000 - sw->msize);
		sw->msize = 30000;
	} else if (sw->err != EIO && sw->err != ENOMEM) {
		return -1;
	}
	return 0;
}

static int prep_store_hole(struct sweep *sw)
{
	return sw_map(sw, PROT_READ | PROT_WRITE, MAP_SHARED);
}

/* a store into a hole behind an indirect block that does not exist yet */
static void run_store_hole(struct sweep *sw)
{
	sw->bus = probe_fill(sw->p + 12 * PS, PS, 9, 12 * PS);
}

static int model_store_hole(struct sweep *sw)
{
	if (!sw->bus)
		xip_fill(sw->model + 12 * PS, PS, 9, 12 * PS);
	return 0;
}

static int prep_fault_read(struct sweep *sw)
{
	memset(sw->buf, 0, SW_LEN);
	return sw_map(sw, PROT_READ, MAP_SHARED);
}

static void run_fault_read(struct sweep *sw)
{
	sw->bus = xip_probe_copy(sw->buf, sw->p, SW_LEN);
}

static int model_fault_read(struct sweep *sw)
{
	if (!sw->bus && xip_check(sw->buf, SW_LEN, 1, 0) != -1)
		return -1;
	return 0;
}

static int prep_cow(struct sweep *sw)
{
	return sw_map(sw, PROT_READ | PROT_WRITE, MAP_PRIVATE);
}

/* a private store: the page is copied, the file does not change */
static void run_cow(struct sweep *sw)
{
	sw->bus = xip_probe_write(sw->p + PS + 3, 0x33);
}

static int model_cow(struct sweep *sw)
{
	unsigned char v;

	if (!sw->p || sw->bus)
		return 0;
	if (xip_probe_read(sw->p + PS + 3, &v) || v != 0x33 ||
	    xip_probe_read(sw->p + PS + 4, &v) || v != xip_pat(1, PS + 4))
		return -1;
	return 0;
}

static const struct sweep_op sweep_write_eof = {
	"write over the EOF page into new blocks", "weof", 5000,
	SW_LEN - WEOF_OFF,
	prep_write_eof, run_write_eof, model_write_eof,
};

static const struct sweep_op sweep_write_gap = {
	"write beyond EOF", "wgap", 5000, SW_LEN - WGAP_OFF,
	prep_write_gap, run_write_gap, model_write_gap,
};

static const struct sweep_op sweep_read = {
	"read", "read", SW_LEN, SW_LEN, prep_read, run_read, model_read,
};

static const struct sweep_op sweep_truncate_down = {
	"truncate down", "tdown", 10000, 0,
	prep_nothing, run_truncate_down, model_truncate_down,
};

static const struct sweep_op sweep_truncate_up = {
	"truncate up", "tup", 10000, 0,
	prep_nothing, run_truncate_up, model_truncate_up,
};

static const struct sweep_op sweep_store_hole = {
	"store into a hole", "store", 0, 0,
	prep_store_hole, run_store_hole, model_store_hole,
};

static const struct sweep_op sweep_fault_read = {
	"read faults", "fault", SW_LEN, 0,
	prep_fault_read, run_fault_read, model_fault_read,
};

static const struct sweep_op sweep_cow = {
	"private store", "cow", 4 * PS, 0, prep_cow, run_cow, model_cow,
};

/* The outcome at one fault point, to check the file again after a remount. */
struct sweep_result {
	ssize_t r;
	int err;
	int bus;
};

/*
 * Fail the 1st, 2nd, ... fault point (slab, page allocator, direct access)
 * that the operation reaches, each time on a new file (so that brd
 * allocates), until it reaches no more.  Each time the result must be
 * clean, the file as the result says, and the free block count must have
 * moved exactly with the file's blocks.  Then unmount, e2fsck, mount again
 * and check every file once more.  Returns the number of fault points, or
 * -1 with @why.
 */
static int sweep(FIXTURE_DATA(xip_fault) * self, const struct sweep_op *op,
		 char *why, size_t wlen)
{
	struct sweep_result *res = calloc(SWEEP_MAX + 2, sizeof(*res));
	unsigned char *buf = malloc(SW_LEN), *model = malloc(SW_LEN);
	long long free0, free1, blocks0, blocks1;
	int n, points = -1, ret = -1;
	struct sweep sw;
	long left;
	off_t bad;

	if (!res || !buf || !model || fi_allocators_all(0)) {
		snprintf(why, wlen, "setup: %s", strerror(errno));
		goto out;
	}
	for (n = 1; n <= SWEEP_MAX && points < 0; n++) {
		memset(&sw, 0, sizeof(sw));
		sw.self = self;
		sw.op = op;
		sw.n = n;
		sw.buf = buf;
		sw.model = model;
		if (sw_open(&sw, true) || op->prep(&sw)) {
			snprintf(why, wlen, "%s, point %d: setting up: %s",
				 op->name, n, strerror(errno));
			goto out;
		}
		sw_base_model(&sw);
		free0 = free_blocks(self->mnt);
		blocks0 = fblocks(sw.fd);

		proc_put(self->nth, n);
		op->run(&sw);
		left = proc_get(self->nth);
		proc_put(self->nth, 0);

		free1 = free_blocks(self->mnt);
		blocks1 = fblocks(sw.fd);
		res[n].r = sw.r;
		res[n].err = sw.err;
		res[n].bus = sw.bus;
		if (left)
			points = n - 1;
		/* no fault injected: the operation must have worked */
		if (left && (sw.r != op->full || sw.bus)) {
			snprintf(why, wlen, "%s with no fault injected: result %zd (%s), SIGBUS %d",
				 op->name, sw.r, strerror(sw.err), sw.bus);
			goto out;
		}
		if (op->model(&sw)) {
			snprintf(why, wlen, "%s, point %d: result %zd (%s), SIGBUS %d",
				 op->name, n, sw.r, strerror(sw.err), sw.bus);
			goto out;
		}
		bad = model_diff(sw.fd, model, sw.msize);
		if (bad != -1) {
			snprintf(why, wlen, "%s, point %d: %zd (%s), SIGBUS %d: differs at %lld",
				 op->name, n, sw.r, strerror(sw.err), sw.bus,
				 (long long)bad);
			goto out;
		}
		if ((free0 - free1) * (PS / 512) != blocks1 - blocks0) {
			snprintf(why, wlen, "%s, point %d: %lld blocks used, file grew by %lld",
				 op->name, n, free0 - free1,
				 (blocks1 - blocks0) / (PS / 512));
			goto out;
		}
		if (!mounted_xip_rw(self->mnt)) {
			snprintf(why, wlen, "%s, point %d: the mount is no longer xip,rw",
				 op->name, n);
			goto out;
		}
		if (sw.p)
			munmap(sw.p, sw.plen);
		close(sw.fd);
	}
	if (points < 0) {
		snprintf(why, wlen, "%s: more than %d fault points", op->name,
			 SWEEP_MAX);
		goto out;
	}
	fi_reset();
	if (remount_fsck(self, why, wlen))
		goto out;
	/* every file still holds what its operation was acknowledged */
	for (n = 1; n <= points + 1; n++) {
		memset(&sw, 0, sizeof(sw));
		sw.self = self;
		sw.op = op;
		sw.n = n;
		sw.buf = buf;
		sw.model = model;
		sw.r = res[n].r;
		sw.err = res[n].err;
		sw.bus = res[n].bus;
		sw_base_model(&sw);
		if (sw_open(&sw, false)) {
			snprintf(why, wlen, "%s.%d after the remount: %s",
				 op->file, n, strerror(errno));
			goto out;
		}
		if (op->model != model_read && op->model != model_fault_read)
			op->model(&sw);
		bad = model_diff(sw.fd, model, sw.msize);
		close(sw.fd);
		if (bad != -1) {
			snprintf(why, wlen, "%s.%d differs at %lld after the remount",
				 op->file, n, (long long)bad);
			goto out;
		}
	}
	ret = points;
out:
	fi_reset();
	free(res);
	free(buf);
	free(model);
	return ret;
}

static void sweep_test(struct __test_metadata *_metadata,
		       FIXTURE_DATA(xip_fault) * self,
		       const struct sweep_op *op)
{
	char why[PATH_MAX];
	int points = sweep(self, op, why, sizeof(why));

	ASSERT_LE(0, points) TH_LOG("%s", why);
	TH_LOG("%s: %d fault points, each failed once", op->name, points);
	ASSERT_LT(0, points) TH_LOG("no fault point was reached");
}

TEST_F_TIMEOUT(xip_fault, fail_nth_write_over_eof, 600)
{
	sweep_test(_metadata, self, &sweep_write_eof);
}

TEST_F_TIMEOUT(xip_fault, fail_nth_write_beyond_eof, 600)
{
	sweep_test(_metadata, self, &sweep_write_gap);
}

TEST_F_TIMEOUT(xip_fault, fail_nth_read, 600)
{
	sweep_test(_metadata, self, &sweep_read);
}

TEST_F_TIMEOUT(xip_fault, fail_nth_truncate_down, 600)
{
	sweep_test(_metadata, self, &sweep_truncate_down);
}

TEST_F_TIMEOUT(xip_fault, fail_nth_truncate_up, 600)
{
	sweep_test(_metadata, self, &sweep_truncate_up);
}

TEST_F_TIMEOUT(xip_fault, fail_nth_store_into_hole, 600)
{
	sweep_test(_metadata, self, &sweep_store_hole);
}

TEST_F_TIMEOUT(xip_fault, fail_nth_read_faults, 600)
{
	sweep_test(_metadata, self, &sweep_fault_read);
}

TEST_F_TIMEOUT(xip_fault, fail_nth_private_store, 600)
{
	sweep_test(_metadata, self, &sweep_cow);
}

/* ---- the allocators under brd's direct_access and ext2's allocation ----- */

/*
 * brd allocates the memory for direct access in 16-page chunks; when a chunk
 * cannot be had (fail_page_alloc fails every allocation of order 4 and up)
 * it falls back to single pages: the write works all the same.
 */
TEST_F(xip_fault, brd_chunk_failure_falls_back_to_pages)
{
	const size_t len = 1 << 20;
	unsigned char *buf = malloc(len);
	long left;
	ssize_t r;
	int fd;

	if (!self->brd)
		SKIP(return, "%.200s is not a RAM disk", self->dev);
	ASSERT_NE(NULL, buf);
	fd = fcreate(self, "f");
	ASSERT_LE(0, fd);
	xip_fill(buf, len, 11, 0);
	ASSERT_EQ(0, fi_allocators_all(4));
	ASSERT_EQ(0, fi_arm("fail_page_alloc", 100, 1, 1000));
	FAIL_ON();
	r = pwrite(fd, buf, len, 0);
	FAIL_OFF();
	left = fi_get("fail_page_alloc", "times");
	fi_reset();
	TH_LOG("%ld chunk allocations failed", 1000 - left);
	EXPECT_LT(left, 1000) TH_LOG("no chunk allocation was tried");
	ASSERT_EQ((ssize_t)len, r) TH_LOG("write: %zd (%s)", r,
					  strerror(errno));
	ASSERT_EQ(-1, xip_verify_pattern(fd, len, 11, 0));
	close(fd);
	ASSERT_REMOUNT_FSCK();
	fd = fopen_rw(self, "f");
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, xip_verify_pattern(fd, len, 11, 0));
	close(fd);
	free(buf);
}

/*
 * No memory at all for brd: a write into holes fails with ENOMEM and gives
 * its blocks back; a store into a hole retries its fault (VM_FAULT_OOM, as
 * the page cache does) until memory comes back, then goes through.
 */
TEST_F(xip_fault, brd_no_memory_enomem_and_fault_retry)
{
	long long free0, free1;
	unsigned char *p, buf[8 * 4096];
	long left;
	ssize_t r;
	int e, bus, fd;

	if (!self->brd)
		SKIP(return, "%.200s is not a RAM disk", self->dev);
	fd = fcreate(self, "f");
	ASSERT_LE(0, fd);
	xip_fill(buf, sizeof(buf), 12, 0);
	free0 = free_blocks(self->mnt);
	ASSERT_EQ(0, fi_allocators_all(0));
	ASSERT_EQ(0, fi_arm("fail_page_alloc", 100, 1, -1));
	FAIL_ON();
	r = pwrite(fd, buf, sizeof(buf), 0);
	e = errno;
	FAIL_OFF();
	fi_reset();
	free1 = free_blocks(self->mnt);
	EXPECT_EQ(-1, r) TH_LOG("write without memory: %zd", r);
	EXPECT_EQ(ENOMEM, e) TH_LOG("write without memory: %s", strerror(e));
	EXPECT_EQ(0, fsize(fd));
	EXPECT_EQ(0, fblocks(fd));
	EXPECT_EQ(free0, free1) TH_LOG("%lld blocks leaked", free0 - free1);

	ASSERT_EQ(0, ftruncate(fd, 8 * PS));
	p = mmap(NULL, 8 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, fi_allocators_all(0));
	/* a few failures, then memory again: the fault is retried */
	ASSERT_EQ(0, fi_arm("fail_page_alloc", 100, 1, 5));
	FAIL_ON();
	bus = probe_fill(p + 2 * PS, PS, 12, 2 * PS);
	FAIL_OFF();
	left = fi_get("fail_page_alloc", "times");
	fi_reset();
	EXPECT_EQ(0, left) TH_LOG("%ld of 5 failures left", left);
	EXPECT_EQ(0, bus) TH_LOG("SIGBUS for a store brd had no memory for");
	ASSERT_EQ(PS, pread(fd, buf, PS, 2 * PS));
	EXPECT_EQ(-1, xip_check(buf, PS, 12, 2 * PS));
	munmap(p, 8 * PS);
	close(fd);
	ASSERT_REMOUNT_FSCK();
}

/*
 * failslab: every slab allocation of the writer fails while ext2 allocates
 * blocks for a new file and fills an EOF page (the bounce buffer).  The
 * write works (ext2 allocates without a reservation window) or fails
 * cleanly (brd cannot insert its pages); nothing leaks.
 */
TEST_F(xip_fault, failslab_in_block_allocation_and_eof_page)
{
	unsigned char buf[64 << 10], model[128 << 10];
	long long free0, free1, blocks;
	size_t msize = 0;
	ssize_t r[2];
	int e[2], fd;

	fd = fcreate(self, "f");
	ASSERT_LE(0, fd);
	xip_fill(buf, sizeof(buf), 13, 0);
	free0 = free_blocks(self->mnt);
	ASSERT_EQ(0, fi_allocators_all(0));
	ASSERT_EQ(0, fi_arm("failslab", 100, 1, -1));
	FAIL_ON();
	r[0] = pwrite(fd, buf, 5000, 0);
	e[0] = errno;
	FAIL_OFF();
	fi_reset();
	if (r[0] > 0)
		model_write(model, &msize, 13, 0, r[0]);
	ASSERT_EQ(-1, model_diff(fd, model, msize));
	ASSERT_EQ(0, ftruncate(fd, 0));
	ASSERT_EQ(5000, pwrite(fd, buf, 5000, 0));
	msize = 0;
	model_write(model, &msize, 13, 0, 5000);

	/* through the EOF page: its bytes beyond EOF bounce through kmalloc */
	xip_fill(buf, sizeof(buf), 14, 4000);
	ASSERT_EQ(0, fi_allocators_all(0));
	ASSERT_EQ(0, fi_arm("failslab", 100, 1, -1));
	FAIL_ON();
	r[1] = pwrite(fd, buf, sizeof(buf), 4000);
	e[1] = errno;
	FAIL_OFF();
	fi_reset();
	free1 = free_blocks(self->mnt);
	blocks = fblocks(fd) / (PS / 512);
	TH_LOG("new file: %zd (%s); through the EOF page: %zd (%s)", r[0],
	       r[0] < 0 ? strerror(e[0]) : "-", r[1],
	       r[1] < 0 ? strerror(e[1]) : "-");
	EXPECT_TRUE(r[0] == 5000 || (r[0] == -1 && e[0] == ENOMEM));
	/* page 0 is written in place; page 1 needs the bounce buffer */
	EXPECT_EQ(PS - 4000, r[1]) TH_LOG("write through the EOF page: %zd",
					  r[1]);
	if (r[1] > 0)
		model_write(model, &msize, 14, 4000, r[1]);
	EXPECT_EQ(-1, model_diff(fd, model, msize));
	EXPECT_EQ(free0 - free1, blocks) TH_LOG("blocks leaked");
	close(fd);
	ASSERT_REMOUNT_FSCK();
	fd = fopen_rw(self, "f");
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, model_diff(fd, model, msize));
	close(fd);
}

/* ---- fail_make_request: the metadata I/O of ext2 ------------------------ */

static int drop_all_caches(void)
{
	sync();
	return put_str("/proc/sys/vm/drop_caches", "3");
}

/*
 * Metadata still goes through bios: with every bio of the test process on
 * the disk failing, a lookup that must read a directory or inode block
 * fails with EIO, as on a plain mount.  File data does not: an XIP file
 * open before (its inode in memory) still reads and writes its direct
 * blocks, where a plain ext2 file must read its page cache back in and
 * gets EIO.  Everything works again afterwards, and e2fsck is clean.
 */
TEST_F(xip_fault, fail_make_request_metadata_only)
{
	char path[PATH_MAX + 16], mif[PATH_MAX], buf[16 << 10];
	int i, fd, ret[2][3], e[2][3];
	struct stat st;
	ssize_t r;

	snprintf(mif, sizeof(mif), "/sys/block/%s/make-it-fail",
		 disk_name(self->dev));
	ASSERT_EQ(0, access(mif, W_OK)) TH_LOG("%s: %s", mif,
					       strerror(errno));
	for (i = 0; i < 2; i++) {	/* 0: -o xip, 1: a plain mount */
		if (i) {
			char why[PATH_MAX];

			ASSERT_EQ(0, fresh_mount(self, "errors=continue", why,
						 sizeof(why)))
				TH_LOG("%s", why);
		} else {
			ASSERT_EQ(0, mount(NULL, self->mnt, NULL, MS_REMOUNT,
					   "xip,errors=continue"));
		}
		snprintf(path, sizeof(path), "%s/d", self->mnt);
		ASSERT_EQ(0, mkdir(path, 0755));
		snprintf(path, sizeof(path), "%s/d/f", self->mnt);
		fd = open(path, O_RDWR | O_CREAT, 0644);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, xip_write_pattern(fd, sizeof(buf), 15, 0));
		ASSERT_EQ(0, fsync(fd));
		ASSERT_EQ(0, drop_all_caches());

		ASSERT_EQ(0, put_str(mif, "1"));
		ASSERT_EQ(0, fi_arm("fail_make_request", 100, 1, -1));
		FAIL_ON();
		ret[i][0] = stat(path, &st);	/* inode and dentry cached */
		e[i][0] = errno;
		r = pread(fd, buf, sizeof(buf), 0);
		ret[i][1] = r == sizeof(buf) ? 0 : -1;
		e[i][1] = errno;
		snprintf(path, sizeof(path), "%s/d/none", self->mnt);
		ret[i][2] = stat(path, &st);	/* reads the directory */
		e[i][2] = errno;
		FAIL_OFF();
		fi_reset();
		put_str(mif, "0");
		TH_LOG("%s: stat %d (%s), read %zd (%s), lookup %d (%s)",
		       i ? "plain" : "xip", ret[i][0], strerror(e[i][0]), r,
		       strerror(e[i][1]), ret[i][2], strerror(e[i][2]));
		EXPECT_EQ(0, ret[i][0]);
		EXPECT_EQ(-1, ret[i][2]);
		EXPECT_EQ(EIO, e[i][2]) TH_LOG("lookup: %s",
					       strerror(e[i][2]));
		if (!i) {
			EXPECT_EQ(0, ret[i][1]) TH_LOG("XIP data read failed");
			EXPECT_EQ(-1, xip_check(buf, sizeof(buf), 15, 0));
		} else {
			EXPECT_EQ(-1, ret[i][1]);
			EXPECT_EQ(EIO, e[i][1]) TH_LOG("read: %s",
						       strerror(e[i][1]));
		}
		ASSERT_EQ(-1, xip_verify_pattern(fd, sizeof(buf), 15, 0));
		close(fd);
		ASSERT_EQ(0, umount(self->mnt));
		ASSERT_EQ(0, fsck(self->dev)) TH_LOG("e2fsck -fn %s",
						     self->dev);
	}
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", 0, self->opts));
}

/* ---- running out of space or quota in the middle ----------------------- */

/*
 * Fill the file system at @mnt but for about @leave_kib KiB: a file
 * "room" of that size is written first and removed after the rest is full.
 */
static int fill_but(const char *mnt, long leave_kib)
{
	char path[PATH_MAX + 16], *chunk = calloc(1, 1 << 20);
	size_t size = 1 << 20;
	int fd, room, ret = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/room", mnt);
	room = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (!chunk || room < 0 || xip_write_pattern(room, leave_kib << 10, 3, 0))
		goto out;
	close(room);
	snprintf(path, sizeof(path), "%s/filler", mnt);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		goto out;
	for (; size >= PS; size /= 16) {	/* 1 MiB, 64 KiB, 4 KiB */
		do {
			n = write(fd, chunk, size);
		} while (n > 0);
		if (errno != ENOSPC) {
			close(fd);
			goto out;
		}
	}
	close(fd);
	snprintf(path, sizeof(path), "%s/room", mnt);
	ret = unlink(path);
out:
	free(chunk);
	return ret;
}

/*
 * The result of writing @len bytes of pattern @seed at @off of @fd, then
 * once more, into too little space (or quota): the first write is short
 * and page-aligned at its end, the second fails with @err.  r[0], r[1]
 * and e[1] are returned for the caller's checks.
 */
static void write_into_limit(int fd, size_t len, unsigned int seed, off_t off,
			     ssize_t *r, int *e)
{
	unsigned char *buf = malloc(len);

	r[0] = -2;
	r[1] = -2;
	if (!buf)
		return;
	xip_fill(buf, len, seed, off);
	r[0] = pwrite(fd, buf, len, off);
	e[0] = errno;
	if (r[0] > 0) {
		r[1] = pwrite(fd, buf + r[0], len - r[0], off + r[0]);
		e[1] = errno;
	}
	free(buf);
}

/* Store pattern @seed page by page into a shared mapping until SIGBUS. */
static long store_until_sigbus(unsigned char *p, long pages, unsigned int seed)
{
	long i;

	for (i = 0; i < pages; i++)
		if (probe_fill(p + i * PS, PS, seed, i * PS))
			break;
	return i;
}

/* [0, @done) is pattern @seed, [@done, @size) zeroes (holes)? */
static off_t check_prefix(int fd, off_t done, off_t size, unsigned int seed)
{
	unsigned char *model = malloc(size);
	size_t msize = 0;
	off_t bad;

	if (!model)
		return 0;
	model_write(model, &msize, seed, 0, done);
	memset(model + done, 0, size - done);
	bad = model_diff(fd, model, size);
	free(model);
	return bad;
}

/*
 * ENOSPC in the middle of one large write: a short write of what fitted,
 * then ENOSPC; into a sparse file, the rest of the range stays a hole.  In
 * the middle of a store loop through a shared mapping: SIGBUS at the first
 * page that finds no block, the pages before it intact.  All of it
 * survives a remount, and e2fsck is clean.
 */
TEST_F_TIMEOUT(xip_fault, enospc_mid_write_and_mid_store, 300)
{
	const size_t len = 4 << 20;
	long pages, stored;
	ssize_t r[2], r2[2];
	int e[2], e2[2], fd, sfd, mfd;
	unsigned char *p;

	ASSERT_EQ(0, fill_but(self->mnt, 1024)) TH_LOG("filling: %s",
						       strerror(errno));
	fd = fcreate(self, "big");
	ASSERT_LE(0, fd);
	write_into_limit(fd, len, 21, 0, r, e);
	TH_LOG("write of %zu: %zd, then %zd (%s)", len, r[0], r[1],
	       strerror(e[1]));
	ASSERT_LT(0, r[0]) TH_LOG("nothing fitted: %s", strerror(e[0]));
	EXPECT_GT((ssize_t)len, r[0]);
	EXPECT_EQ(0, r[0] % PS);
	EXPECT_EQ(-1, r[1]);
	EXPECT_EQ(ENOSPC, e[1]);
	EXPECT_EQ(r[0], fsize(fd));
	EXPECT_EQ(-1, check_prefix(fd, r[0], r[0], 21));
	ASSERT_EQ(0, ftruncate(fd, 0));		/* room again */

	/* into a sparse file: the size stays, the rest stays a hole */
	sfd = fcreate(self, "sparse");
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, ftruncate(sfd, 2 * len));
	write_into_limit(sfd, len, 22, 0, r2, e2);
	ASSERT_LT(0, r2[0]);
	EXPECT_GT((ssize_t)len, r2[0]);
	EXPECT_EQ(-1, r2[1]);
	EXPECT_EQ(ENOSPC, e2[1]);
	EXPECT_EQ((off_t)(2 * len), fsize(sfd));
	EXPECT_EQ(-1, check_prefix(sfd, r2[0], 2 * len, 22));
	ASSERT_EQ(0, ftruncate(sfd, 0));

	/* a store loop through a shared mapping of a sparse file */
	mfd = fcreate(self, "mapped");
	ASSERT_LE(0, mfd);
	pages = len / PS;
	ASSERT_EQ(0, ftruncate(mfd, len));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	stored = store_until_sigbus(p, pages, 23);
	TH_LOG("%ld of %ld pages stored before SIGBUS", stored, pages);
	ASSERT_LT(0, stored);
	ASSERT_GT(pages, stored) TH_LOG("no SIGBUS on a full file system");
	/* the page that raised SIGBUS is still a hole, and still refused */
	EXPECT_EQ(0, p[stored * PS]);
	EXPECT_EQ(1, xip_probe_write(p + stored * PS, 1));
	EXPECT_EQ(0, msync(p, len, MS_SYNC));
	munmap(p, len);
	EXPECT_EQ(-1, check_prefix(mfd, stored * PS, len, 23));
	close(mfd);
	close(sfd);
	close(fd);

	ASSERT_REMOUNT_FSCK();
	mfd = fopen_rw(self, "mapped");
	ASSERT_LE(0, mfd);
	EXPECT_EQ(-1, check_prefix(mfd, stored * PS, len, 23))
		TH_LOG("stored pages lost by the remount");
	close(mfd);
}

/* An empty vfsv0 user quota file: header, info, an empty tree root. */
static int make_quota_file(const char *path)
{
	uint32_t q[512] = { 0 };	/* two 1 KiB quota blocks */
	int fd, ret;

	q[0] = htole32(0xd9c01f11);	/* V2 user quota magic */
	q[1] = htole32(0);		/* vfsv0 */
	q[2] = htole32(7 * 24 * 3600);	/* block grace */
	q[3] = htole32(7 * 24 * 3600);	/* inode grace */
	q[5] = htole32(2);		/* blocks in the file */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	ret = write(fd, q, sizeof(q)) == sizeof(q) && !fsync(fd) ? 0 : -1;
	close(fd);
	return ret;
}

struct quota_results {
	ssize_t r[2];
	int e[2];
	long stored, pages;
	long long blocks;	/* 512-byte blocks of the user's files */
	int failed_line;
};

/*
 * EDQUOT, as ENOSPC but for a user over its block quota (root ignores
 * quota limits, so a child runs as nobody): a short write then EDQUOT, a
 * store loop then SIGBUS; the quota charged is what the files hold.
 */
TEST_F_TIMEOUT(xip_fault, edquot_mid_write_and_mid_store, 300)
{
	const size_t len = 4 << 20;
	const long limit_kib = 1024;
	char qpath[PATH_MAX + 16], dir[PATH_MAX + 16], path[PATH_MAX + 32];
	struct quota_results *res;
	struct dqblk dq;
	struct stat st;
	int status, fd;
	pid_t pid;

	snprintf(qpath, sizeof(qpath), "%s/aquota.user", self->mnt);
	ASSERT_EQ(0, make_quota_file(qpath));
	ASSERT_EQ(0, quotactl(QCMD(Q_QUOTAON, USRQUOTA), self->dev,
			      QFMT_VFS_V0, (caddr_t)qpath))
		TH_LOG("Q_QUOTAON: %s (CONFIG_QUOTA, QFMT_V2?)",
		       strerror(errno));
	self->quota = true;
	memset(&dq, 0, sizeof(dq));
	dq.dqb_bhardlimit = limit_kib;
	dq.dqb_bsoftlimit = limit_kib;
	dq.dqb_valid = QIF_BLIMITS;
	ASSERT_EQ(0, quotactl(QCMD(Q_SETQUOTA, USRQUOTA), self->dev, NOBODY,
			      (caddr_t)&dq))
		TH_LOG("Q_SETQUOTA: %s", strerror(errno));
	snprintf(dir, sizeof(dir), "%s/nobody", self->mnt);
	ASSERT_EQ(0, mkdir(dir, 0755));
	ASSERT_EQ(0, chown(dir, NOBODY, NOBODY));

	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, res);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		unsigned char *p;
		int mfd;

#define CHILD_CHECK(cond) do {						\
	if (!(cond)) {							\
		res->failed_line = __LINE__;				\
		_exit(1);						\
	}								\
} while (0)
		CHILD_CHECK(!setgroups(0, NULL) && !setgid(NOBODY) &&
			    !setuid(NOBODY));
		snprintf(path, sizeof(path), "%s/big", dir);
		fd = open(path, O_RDWR | O_CREAT, 0644);
		CHILD_CHECK(fd >= 0);
		write_into_limit(fd, len, 24, 0, res->r, res->e);
		CHILD_CHECK(!ftruncate(fd, 0));
		snprintf(path, sizeof(path), "%s/mapped", dir);
		mfd = open(path, O_RDWR | O_CREAT, 0644);
		CHILD_CHECK(mfd >= 0 && !ftruncate(mfd, len));
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd,
			 0);
		CHILD_CHECK(p != MAP_FAILED);
		res->pages = len / PS;
		res->stored = store_until_sigbus(p, res->pages, 25);
		CHILD_CHECK(!msync(p, len, MS_SYNC) && !munmap(p, len));
		CHILD_CHECK(!fstat(mfd, &st));
		res->blocks = st.st_blocks;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("the child failed at line %d", res->failed_line);

	TH_LOG("write: %zd, then %zd (%s); %ld of %ld pages stored",
	       res->r[0], res->r[1], strerror(res->e[1]), res->stored,
	       res->pages);
	EXPECT_LT(0, res->r[0]);
	EXPECT_GT((ssize_t)len, res->r[0]);
	EXPECT_EQ(0, res->r[0] % PS);
	EXPECT_GE(limit_kib << 10, res->r[0]);
	/* up to the limit, less the directory's and an indirect block */
	EXPECT_LE((limit_kib << 10) - 3 * PS, res->r[0])
		TH_LOG("the write stopped %ld KiB short of the quota",
		       (long)((limit_kib << 10) - res->r[0]) >> 10);
	EXPECT_EQ(-1, res->r[1]);
	EXPECT_EQ(EDQUOT, res->e[1]) TH_LOG("%s", strerror(res->e[1]));
	EXPECT_LT(0, res->stored);
	EXPECT_GT(res->pages, res->stored) TH_LOG("no SIGBUS over quota");
	memset(&dq, 0, sizeof(dq));
	ASSERT_EQ(0, quotactl(QCMD(Q_GETQUOTA, USRQUOTA), self->dev, NOBODY,
			      (caddr_t)&dq));
	ASSERT_EQ(0, stat(dir, &st));	/* chown moved its block to nobody */
	TH_LOG("quota: %llu bytes charged, the files hold %lld blocks",
	       (unsigned long long)dq.dqb_curspace,
	       res->blocks + (long long)st.st_blocks);
	EXPECT_EQ((unsigned long long)(res->blocks + st.st_blocks) * 512,
		  (unsigned long long)dq.dqb_curspace)
		TH_LOG("quota charged for blocks the files do not hold");

	snprintf(path, sizeof(path), "%s/mapped", dir);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, check_prefix(fd, res->stored * PS, len, 25));
	close(fd);
	ASSERT_EQ(0, quotactl(QCMD(Q_QUOTAOFF, USRQUOTA), self->dev, 0, NULL));
	self->quota = false;
	ASSERT_REMOUNT_FSCK();
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, check_prefix(fd, res->stored * PS, len, 25));
	close(fd);
	munmap(res, sizeof(*res));
}

/* ---- RLIMIT_FSIZE through truncate and into holes ---------------------- */

static volatile int xfsz_count;

static void xfsz_handler(int sig)
{
	(void)sig;
	xfsz_count++;
}

/*
 * xip_test's rlimit_fsize covers appending writes.  Here: truncate beyond
 * the limit fails with EFBIG and SIGXFSZ (up to it works); a write into a
 * hole that crosses the limit is short at the limit, with no signal; an
 * O_APPEND write at the limit is EFBIG and SIGXFSZ.
 */
TEST_F(xip_fault, rlimit_fsize_truncate_and_holes)
{
	struct rlimit rl = { 10000, RLIM_INFINITY };
	unsigned char buf[8192], model[16384];
	size_t msize = 0;
	int fd, afd, ret;
	ssize_t r;

	fd = fcreate(self, "f");
	ASSERT_LE(0, fd);
	ASSERT_NE(SIG_ERR, signal(SIGXFSZ, xfsz_handler));
	ASSERT_EQ(0, setrlimit(RLIMIT_FSIZE, &rl));
	errno = 0;
	ret = ftruncate(fd, 20000);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EFBIG, errno);
	EXPECT_EQ(1, xfsz_count);
	EXPECT_EQ(0, fsize(fd));
	ASSERT_EQ(0, ftruncate(fd, 10000));
	EXPECT_EQ(-1, ftruncate(fd, 10001));
	EXPECT_EQ(2, xfsz_count);

	xip_fill(buf, sizeof(buf), 26, 4096);
	r = pwrite(fd, buf, sizeof(buf), 4096);
	EXPECT_EQ(10000 - 4096, r) TH_LOG("write across the limit: %zd", r);
	EXPECT_EQ(2, xfsz_count);
	memset(model, 0, 10000);
	msize = 10000;
	if (r > 0)
		model_write(model, &msize, 26, 4096, r);
	EXPECT_EQ(-1, model_diff(fd, model, msize));

	afd = fopen_rw(self, "f");
	ASSERT_LE(0, afd);
	ASSERT_EQ(0, fcntl(afd, F_SETFL, O_APPEND));
	errno = 0;
	EXPECT_EQ(-1, write(afd, buf, 10));
	EXPECT_EQ(EFBIG, errno);
	EXPECT_EQ(3, xfsz_count);
	EXPECT_EQ(-1, model_diff(fd, model, msize));
	close(afd);
	close(fd);
	ASSERT_REMOUNT_FSCK();
	fd = fopen_rw(self, "f");
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, model_diff(fd, model, msize));
	close(fd);
}

/* ---- the device changed under the mount --------------------------------- */

struct ro_outcome {
	ssize_t write_old;	/* write(2) into an existing file */
	int store_bus;		/* store through a live shared mapping */
	ssize_t write_new;	/* create and write a new file */
	int fsync_ret;
	int remount_rw;		/* remount,ro then remount,rw */
	int remount_err;
};

/*
 * Make the device read-only (BLKROSET) under a mounted file system and use
 * it.  The block layer lets writes to a read-only device through (once
 * warning), so a mounted ext2 goes on writing, and so does XIP, whose data
 * never becomes bios; only a new read-write mount or remount is refused.
 */
static int ro_under_mount(FIXTURE_DATA(xip_fault) * self,
			  struct ro_outcome *o)
{
	unsigned char buf[8192], *p;
	int fd, nfd, bfd, ro = 1;

	fd = fcreate(self, "old");
	if (fd < 0 || xip_write_pattern(fd, 4 * PS, 31, 0) || fsync(fd))
		return __LINE__;
	p = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return __LINE__;
	p[0] = xip_pat(31, 0);		/* a writable PTE */
	bfd = open(self->dev, O_RDONLY);
	if (bfd < 0 || ioctl(bfd, BLKROSET, &ro))
		return __LINE__;
	self->ro_set = true;

	xip_fill(buf, sizeof(buf), 32, 0);
	o->write_old = pwrite(fd, buf, sizeof(buf), 0);
	o->store_bus = probe_fill(p + 3 * PS, 100, 33, 3 * PS);
	nfd = fcreate(self, "new");
	o->write_new = nfd < 0 ? -1 : pwrite(nfd, buf, sizeof(buf), 0);
	o->fsync_ret = fsync(fd) | (nfd < 0 ? -1 : fsync(nfd));
	munmap(p, 4 * PS);
	close(fd);
	if (nfd >= 0)
		close(nfd);
	o->remount_rw = mount(NULL, self->mnt, NULL, MS_REMOUNT | MS_RDONLY,
			      NULL);
	if (!o->remount_rw) {
		o->remount_rw = mount(NULL, self->mnt, NULL, MS_REMOUNT, NULL);
		o->remount_err = errno;
	}
	ro = 0;
	if (ioctl(bfd, BLKROSET, &ro))
		return __LINE__;
	self->ro_set = false;
	close(bfd);
	if (o->remount_rw && mount(NULL, self->mnt, NULL, MS_REMOUNT, NULL))
		return __LINE__;
	return 0;
}

TEST_F(xip_fault, readonly_device_under_mount)
{
	struct ro_outcome xip = { 0 }, plain = { 0 };
	char why[PATH_MAX];
	int fd, line;

	line = ro_under_mount(self, &xip);
	ASSERT_EQ(0, line) TH_LOG("xip: setting up failed at line %d: %s",
				  line, strerror(errno));
	ASSERT_REMOUNT_FSCK();
	fd = fopen_rw(self, "old");
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, xip_verify_pattern(fd, 8192, 32, 0));
	EXPECT_EQ(-1, xip_verify_pattern(fd, 100, 33, 3 * PS));
	close(fd);
	fd = fopen_rw(self, "new");
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, xip_verify_pattern(fd, 8192, 32, 0));
	close(fd);

	/* the same on a plain mount of the device */
	ASSERT_EQ(0, fresh_mount(self, "", why, sizeof(why))) TH_LOG("%s", why);
	line = ro_under_mount(self, &plain);
	ASSERT_EQ(0, line) TH_LOG("plain: setting up failed at line %d: %s",
				  line, strerror(errno));
	TH_LOG("xip: write %zd, store SIGBUS %d, new file %zd, fsync %d, remount rw %d (%s)",
	       xip.write_old, xip.store_bus, xip.write_new, xip.fsync_ret,
	       xip.remount_rw, strerror(xip.remount_err));
	TH_LOG("plain: write %zd, store SIGBUS %d, new file %zd, fsync %d, remount rw %d (%s)",
	       plain.write_old, plain.store_bus, plain.write_new,
	       plain.fsync_ret, plain.remount_rw,
	       strerror(plain.remount_err));
	EXPECT_EQ(8192, xip.write_old);
	EXPECT_EQ(0, xip.store_bus);
	EXPECT_EQ(8192, xip.write_new);
	EXPECT_EQ(0, xip.fsync_ret);
	EXPECT_EQ(-1, xip.remount_rw);
	EXPECT_EQ(EACCES, xip.remount_err);
	EXPECT_EQ(plain.write_old, xip.write_old);
	EXPECT_EQ(plain.store_bus, xip.store_bus);
	EXPECT_EQ(plain.write_new, xip.write_new);
	EXPECT_EQ(plain.fsync_ret, xip.fsync_ret);
	EXPECT_EQ(plain.remount_rw, xip.remount_rw);
	EXPECT_EQ(plain.remount_err, xip.remount_err);
	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, fsck(self->dev));
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", 0, self->opts));
}

/*
 * The device block range of a file's first @nr blocks, if contiguous on
 * the device: FIBMAP.
 */
static int file_extent(int fd, int nr, uint64_t range[2])
{
	int i, first = 0, blk;

	for (i = 0; i < nr; i++) {
		blk = i;
		if (ioctl(fd, FIBMAP, &blk) || !blk)
			return -1;
		if (!i)
			first = blk;
		else if (blk != first + i)
			return -1;
	}
	range[0] = (uint64_t)first * PS;
	range[1] = (uint64_t)nr * PS;
	return 0;
}

/*
 * BLKDISCARD and BLKZEROOUT of a file's blocks while it is mounted and
 * mapped (an administrator's mistake, which the block layer allows: only
 * the page cache of the range is dropped).  The file then reads as zeroes
 * at once, through read(2) and the live mapping alike: XIP data is the
 * device's memory, there is no stale copy.  brd only zeroes the discarded
 * pages (they may be mapped), pmem and dcssblk have no discard.  Other
 * files and the metadata are untouched: e2fsck is clean.
 */
TEST_F(xip_fault, discard_and_zeroout_under_mount)
{
	const int nr = 256;	/* 1 MiB: brd freeing it would show */
	unsigned char *p, *buf = malloc(nr * PS);
	long memfree0, memfree1;
	uint64_t range[2], all[2] = { 0, 0 };
	int i, fd, gfd, bfd, ret, err;
	const char *what[2] = { "BLKDISCARD", "BLKZEROOUT" };

	ASSERT_NE(NULL, buf);
	gfd = fcreate(self, "other");
	ASSERT_LE(0, gfd);
	ASSERT_EQ(0, xip_write_pattern(gfd, 64 << 10, 41, 0));
	bfd = open(self->dev, O_RDWR);
	ASSERT_LE(0, bfd) TH_LOG("%s: %s", self->dev, strerror(errno));
	for (i = 0; i < 2; i++) {
		char name[16];

		snprintf(name, sizeof(name), "f%d", i);
		fd = fcreate(self, name);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, xip_write_pattern(fd, nr * PS, 42 + i, 0));
		ASSERT_EQ(0, fsync(fd));
		ASSERT_EQ(0, file_extent(fd, 12, range))
			TH_LOG("%s: its direct blocks are not contiguous",
			       name);
		p = mmap(NULL, nr * PS, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
		ASSERT_NE(MAP_FAILED, p);
		ASSERT_EQ(xip_pat(42 + i, PS), p[PS]);	/* mapped */

		memfree0 = xip_meminfo_kb("MemFree");
		errno = 0;
		ret = ioctl(bfd, i ? BLKZEROOUT : BLKDISCARD, range);
		err = errno;
		memfree1 = xip_meminfo_kb("MemFree");
		TH_LOG("%s of blocks %llu-%llu: %d (%s), MemFree %ld -> %ld KiB",
		       what[i], (unsigned long long)range[0] / PS,
		       (unsigned long long)(range[0] + range[1]) / PS - 1,
		       ret, strerror(err), memfree0, memfree1);
		if (!i && !self->brd) {
			EXPECT_EQ(-1, ret);
			EXPECT_EQ(EOPNOTSUPP, err);
		} else {
			EXPECT_EQ(0, ret) TH_LOG("%s: %s", what[i],
						 strerror(err));
		}
		if (!ret) {
			/* the 12 blocks read as zeroes, at once */
			memset(buf, 0xff, nr * PS);
			ASSERT_EQ(0, xip_pread_all(fd, buf, nr * PS, 0));
			EXPECT_EQ(-1, xip_check_byte(buf, 12 * PS, 0));
			EXPECT_EQ(-1, xip_check(buf + 12 * PS, (nr - 12) * PS,
						42 + i, 12 * PS));
			EXPECT_EQ(0, xip_probe_copy(buf, p, 12 * PS));
			EXPECT_EQ(-1, xip_check_byte(buf, 12 * PS, 0))
				TH_LOG("the mapping does not show the zeroes");
			/* and the memory is still the file's */
			EXPECT_EQ(0, xip_probe_write(p + 5 * PS, 0x77));
			ASSERT_EQ(1, pread(fd, buf, 1, 5 * PS));
			EXPECT_EQ(0x77, buf[0]);
		}
		if (self->brd)
			EXPECT_GT(memfree0 + 512, memfree1)
				TH_LOG("brd freed memory that is mapped");
		munmap(p, nr * PS);
		close(fd);
	}
	/* a discard of the whole device is refused while it is mounted */
	ASSERT_EQ(0, ioctl(bfd, BLKGETSIZE64, &all[1]));
	errno = 0;
	ret = ioctl(bfd, BLKDISCARD, all);
	err = errno;
	TH_LOG("BLKDISCARD of the whole mounted device: %d (%s)", ret,
	       strerror(err));
	EXPECT_EQ(-1, ret);
	EXPECT_TRUE(err == EBUSY || (!self->brd && err == EOPNOTSUPP))
		TH_LOG("%s", strerror(err));
	close(bfd);
	EXPECT_EQ(-1, xip_verify_pattern(gfd, 64 << 10, 41, 0));
	close(gfd);
	ASSERT_REMOUNT_FSCK();
	gfd = fopen_rw(self, "other");
	ASSERT_LE(0, gfd);
	EXPECT_EQ(-1, xip_verify_pattern(gfd, 64 << 10, 41, 0));
	close(gfd);
	free(buf);
}

/* ---- dcssblk: removing the segment of a mounted device ------------------ */

static int dcss_attr(const char *attr, const char *val)
{
	char path[PATH_MAX];
	int fd, ret;

	snprintf(path, sizeof(path), "/sys/devices/dcssblk/%s", attr);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

/*
 * Removing the segment (or switching it between shared and exclusive) is
 * refused with EBUSY while the device is mounted, and the mount goes on
 * working, a live mapping included.  After the umount the segment can be
 * removed and added again, and the file system is still on it.  The last
 * test: the device comes back under its name, but nothing else needs it.
 */
TEST_F(xip_fault, dcssblk_remove_while_mounted)
{
	char link[PATH_MAX], seg[64], attr[128], path[PATH_MAX];
	const char *name = disk_name(self->dev);
	int fd, ret[3], err[3], i;
	unsigned char *p, v;
	ssize_t n;

	if (!self->dcss)
		SKIP(return, "%.200s is not a DCSS block device", self->dev);
	snprintf(path, sizeof(path), "/sys/block/%s/device", name);
	ASSERT_NE(NULL, realpath(path, link)) TH_LOG("%s: %s", path,
						     strerror(errno));
	snprintf(seg, sizeof(seg), "%s", strrchr(link, '/') + 1);
	TH_LOG("%s is segment %s", self->dev, seg);

	fd = fcreate(self, "f");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, 8 * PS, 51, 0));
	p = mmap(NULL, 8 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, xip_probe_read(p + PS, &v));

	errno = 0;
	ret[0] = dcss_attr("remove", seg);
	err[0] = errno;
	snprintf(attr, sizeof(attr), "%s/shared", seg);
	errno = 0;
	ret[1] = dcss_attr(attr, "0");
	err[1] = errno;
	errno = 0;
	ret[2] = dcss_attr(attr, "1");
	err[2] = errno;
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(-1, ret[i]) TH_LOG("attribute %d worked in use", i);
		EXPECT_EQ(EBUSY, err[i]) TH_LOG("attribute %d: %s", i,
						strerror(err[i]));
	}
	snprintf(path, sizeof(path), "/sys/block/%s", name);
	EXPECT_EQ(0, access(path, F_OK));
	EXPECT_EQ(0, xip_probe_write(p + 2 * PS + 1, 0x5a));
	EXPECT_EQ(0, xip_probe_read(p + 7 * PS, &v));
	EXPECT_EQ(xip_pat(51, 7 * PS), v);
	EXPECT_EQ(-1, xip_verify_pattern(fd, PS, 51, 3 * PS));
	munmap(p, 8 * PS);
	close(fd);
	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, fsck(self->dev));

	/* not in use: remove, add again, the file system is still there */
	ASSERT_EQ(0, dcss_attr("remove", seg))
		TH_LOG("remove: %s", strerror(errno));
	EXPECT_NE(0, access(path, F_OK)) TH_LOG("%s still exists", path);
	ASSERT_EQ(0, dcss_attr("add", seg))
		TH_LOG("add %s: %s", seg, strerror(errno));
	ASSERT_EQ(0, access(path, F_OK)) TH_LOG("%s did not come back as %s",
						seg, name);
	/* devtmpfs makes the node before the add returns */
	ASSERT_EQ(0, access(self->dev, F_OK)) TH_LOG("%s: %s", self->dev,
						     strerror(errno));
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", 0, self->opts))
		TH_LOG("mount after re-adding: %s", strerror(errno));
	fd = fopen_rw(self, "f");
	ASSERT_LE(0, fd);
	n = pread(fd, &v, 1, 2 * PS + 1);
	EXPECT_EQ(1, n);
	EXPECT_EQ(0x5a, v);
	EXPECT_EQ(-1, xip_verify_pattern(fd, PS, 51, 3 * PS));
	close(fd);
}

TEST_HARNESS_MAIN
