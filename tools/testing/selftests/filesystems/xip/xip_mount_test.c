// SPDX-License-Identifier: GPL-2.0
/*
 * Mount-time behaviour of ext2 execute-in-place (mount -o xip): which mounts
 * are refused, remount rules, a non-XIP control, and persistence of XIP
 * written data across umount, e2fsck and a new mount.
 *
 * Destroys the contents of a scratch brd device.  Environment:
 *   XIP_SCRATCH_DEV   scratch block device with direct_access (/dev/ram1)
 *   XIP_SCRATCH_MNT   mount point to use (/mnt/xip-scratch, created)
 *   XIP_MKE2FS        mke2fs command, may contain arguments ("mke2fs")
 *   XIP_E2FSCK        e2fsck command (default: e2fsck.static or e2fsck
 *                     found in PATH, /sbin or /usr/sbin)
 *   XIP_PMEM_DEV      a pmem device for the pmem tests, destroyed too
 *                     (they skip without one)
 *   XIP_PMEM_PAGES    "with" or "without": whether its memory has struct
 *                     page (legacy memmap= pmem has, a raw namespace not)
 *   XIP_PMEM_REMOVE_DEV  a pmem device to remove under a mount (it is gone
 *                     afterwards)
 *   XIP_MTD_NOR_PHRAM the phram parameter of a test-only NOR-type MTD to
 *                     add (NAME,START,LEN,ERASESIZE,nor); set in MTD
 *                     guests, whose mtdram and nandsim devices the MTD
 *                     tests also use (they skip without it)
 */
#define _GNU_SOURCE
#include <limits.h>
#include <mntent.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <linux/blkpg.h>
#include <linux/fs.h>
#include <linux/loop.h>

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

#define PS		((long)XIP_PAGE)
#define MAX_ARGS	32

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

/*
 * Run the command in environment variable @var (default @dflt, split at
 * blanks) with @args appended; its output goes to stderr so that it cannot
 * disturb the TAP stream.  Returns the exit status, or -1.
 */
static int run_cmd(const char *var, const char *dflt, const char *const *args)
{
	char *argv[MAX_ARGS + 1], *cmd, *tok, *save = NULL;
	int argc = 0, status;
	pid_t pid;

	cmd = strdup(env_or(var, dflt));
	if (!cmd)
		return -1;
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
		dup2(2, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "# cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	free(cmd);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int mkfs(const char *dev, const char *bs)
{
	const char * const args[] = { "-b", bs, dev, NULL };

	return run_cmd("XIP_MKE2FS", "mke2fs", args);
}

/* Find an e2fsck for the default command; "" if there is none. */
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
	return "";
}

static int fsck(const char *dev)
{
	const char * const args[] = { "-fn", dev, NULL };

	return run_cmd("XIP_E2FSCK", default_e2fsck(), args);
}

/* Options of the topmost mount at @mnt from /proc/self/mounts, or -1. */
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

FIXTURE(xip_mount) {
	char dev[PATH_MAX / 2];
	char mnt[PATH_MAX / 2];
	char sub[PATH_MAX];	/* mount point inside a tmpfs at mnt */
	char loopdev[32];	/* attached loop device, to detach */
};

FIXTURE_SETUP(xip_mount)
{
	struct stat st;

	snprintf(self->dev, sizeof(self->dev), "%s",
		 env_or("XIP_SCRATCH_DEV", "/dev/ram1"));
	snprintf(self->mnt, sizeof(self->mnt), "%s",
		 env_or("XIP_SCRATCH_MNT", "/mnt/xip-scratch"));
	ASSERT_EQ(0, stat(self->dev, &st))
		TH_LOG("scratch device %s: %s", self->dev, strerror(errno));
	ASSERT_TRUE(S_ISBLK(st.st_mode)) TH_LOG("%s: no block device",
						self->dev);
	if (mkdir(self->mnt, 0755))
		ASSERT_EQ(EEXIST, errno);
	umount_all(self->mnt);
	ASSERT_FALSE(is_mounted(self->mnt));
	ASSERT_EQ(0, xip_catch_sigbus());
}

/*
 * Runs in the parent of the test process, so that it also runs after a
 * failed assertion.
 */
FIXTURE_TEARDOWN_PARENT(xip_mount)
{
	if (self->sub[0])
		umount_all(self->sub);
	if (self->loopdev[0]) {
		int fd = open(self->loopdev, O_RDWR);

		if (fd >= 0) {
			ioctl(fd, LOOP_CLR_FD, 0);
			close(fd);
		}
	}
	umount_all(self->mnt);
}

#define ASSERT_MKFS(dev, bs) do {					\
	const char *__dev = (dev), *__bs = (bs);			\
									\
	ASSERT_EQ(0, mkfs(__dev, __bs))					\
		TH_LOG("mke2fs -b %s %s failed (set XIP_MKE2FS?)",	\
		       __bs, __dev);					\
} while (0)

#define ASSERT_XIP_MOUNTED(mnt) do {					\
	char __o[1024];							\
									\
	ASSERT_EQ(0, mount_opts(mnt, __o, sizeof(__o)));		\
	ASSERT_TRUE(xip_opt_has(__o, "xip")) TH_LOG("options: %s", __o); \
} while (0)

/* Set up @dev at @mnt: a fresh ext2, mounted -o xip. */
#define ASSERT_FRESH_XIP_MOUNT(dev, mnt) do {				\
	const char *__d = (dev), *__m = (mnt);				\
	struct stat __st;						\
									\
	ASSERT_EQ(0, stat(__d, &__st))					\
		TH_LOG("device %s: %s", __d, strerror(errno));		\
	ASSERT_TRUE(S_ISBLK(__st.st_mode));				\
	if (mkdir(__m, 0755))						\
		ASSERT_EQ(EEXIST, errno);				\
	umount_all(__m);						\
	ASSERT_EQ(0, xip_catch_sigbus());				\
	ASSERT_MKFS(__d, "4096");					\
	ASSERT_EQ(0, mount(__d, __m, "ext2", 0, "xip"))			\
		TH_LOG("mount -o xip %s: %s", __d, strerror(errno));	\
	ASSERT_XIP_MOUNTED(__m);					\
} while (0)

TEST_F(xip_mount, mount_xip)
{
	char path[PATH_MAX + 8], buf[PS];
	int fd;

	ASSERT_MKFS(self->dev, "4096");
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", 0, "xip"))
		TH_LOG("mount -o xip %s: %s", self->dev, strerror(errno));
	ASSERT_XIP_MOUNTED(self->mnt);

	snprintf(path, sizeof(path), "%s/f", self->mnt);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	ASSERT_LE(0, fd);
	xip_fill(buf, PS, 1, 0);
	ASSERT_EQ(PS, write(fd, buf, PS));
	ASSERT_EQ(PS, pread(fd, buf, PS, 0));
	ASSERT_EQ(0, xip_cached_pages(fd));
	close(fd);
	ASSERT_EQ(0, umount(self->mnt));
}

TEST_F(xip_mount, blocksize_1024_refused)
{
	errno = 0;
	ASSERT_MKFS(self->dev, "1024");
	ASSERT_EQ(-1, mount(self->dev, self->mnt, "ext2", 0, "xip"));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_FALSE(is_mounted(self->mnt));
	/* the filesystem itself is fine */
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", 0, NULL))
		TH_LOG("plain mount: %s", strerror(errno));
	ASSERT_EQ(0, umount(self->mnt));
}

TEST_F(xip_mount, xip_with_dax_refused)
{
	ASSERT_MKFS(self->dev, "4096");
	ASSERT_EQ(-1, mount(self->dev, self->mnt, "ext2", 0, "xip,dax"));
	ASSERT_FALSE(is_mounted(self->mnt));
	ASSERT_EQ(-1, mount(self->dev, self->mnt, "ext2", 0, "dax,xip"));
	ASSERT_FALSE(is_mounted(self->mnt));
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", 0, "xip"))
		TH_LOG("mount -o xip: %s", strerror(errno));
	ASSERT_EQ(0, umount(self->mnt));
}

/* A loop device on a tmpfs file has no direct_access. */
TEST_F(xip_mount, no_direct_access_refused)
{
	char img[PATH_MAX + 8], loopdev[32];
	int ctl, n, bfd, lfd, ret;

	ctl = open("/dev/loop-control", O_RDWR);
	if (ctl < 0)
		SKIP(return, "no loop devices (CONFIG_BLK_DEV_LOOP): %s",
		     strerror(errno));
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	ASSERT_LE(0, n) TH_LOG("LOOP_CTL_GET_FREE: %s", strerror(errno));
	snprintf(loopdev, sizeof(loopdev), "/dev/loop%d", n);

	ASSERT_EQ(0, mount("tmpfs", self->mnt, "tmpfs", 0, "size=80m"))
		TH_LOG("tmpfs: %s", strerror(errno));
	snprintf(img, sizeof(img), "%s/img", self->mnt);
	snprintf(self->sub, sizeof(self->sub), "%s/m", self->mnt);
	ASSERT_EQ(0, mkdir(self->sub, 0755));
	bfd = open(img, O_RDWR | O_CREAT | O_EXCL, 0600);
	ASSERT_LE(0, bfd);
	ASSERT_EQ(0, ftruncate(bfd, 64 << 20));
	lfd = open(loopdev, O_RDWR);
	ASSERT_LE(0, lfd) TH_LOG("%s: %s", loopdev, strerror(errno));
	ASSERT_EQ(0, ioctl(lfd, LOOP_SET_FD, bfd))
		TH_LOG("LOOP_SET_FD: %s", strerror(errno));
	snprintf(self->loopdev, sizeof(self->loopdev), "%s", loopdev);
	close(lfd);
	close(bfd);

	ASSERT_MKFS(loopdev, "4096");
	errno = 0;
	ret = mount(loopdev, self->sub, "ext2", 0, "xip");
	TH_LOG("mount -o xip on %s: %d (%s)", loopdev, ret, strerror(errno));
	ASSERT_EQ(-1, ret);
	ASSERT_FALSE(is_mounted(self->sub));
	ASSERT_EQ(0, mount(loopdev, self->sub, "ext2", 0, NULL))
		TH_LOG("plain mount: %s", strerror(errno));
	ASSERT_EQ(0, umount(self->sub));
}

TEST_F(xip_mount, remount_ro_rw_keeps_xip)
{
	char opts[1024], path[PATH_MAX + 8];
	int fd;

	ASSERT_MKFS(self->dev, "4096");
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", 0, "xip"));
	ASSERT_EQ(0, mount(NULL, self->mnt, NULL, MS_REMOUNT | MS_RDONLY,
			   NULL)) TH_LOG("remount,ro: %s", strerror(errno));
	ASSERT_EQ(0, mount_opts(self->mnt, opts, sizeof(opts)));
	ASSERT_TRUE(xip_opt_has(opts, "ro")) TH_LOG("options: %s", opts);
	ASSERT_TRUE(xip_opt_has(opts, "xip")) TH_LOG("options: %s", opts);

	ASSERT_EQ(0, mount(NULL, self->mnt, NULL, MS_REMOUNT, NULL))
		TH_LOG("remount,rw: %s", strerror(errno));
	ASSERT_EQ(0, mount_opts(self->mnt, opts, sizeof(opts)));
	ASSERT_TRUE(xip_opt_has(opts, "rw")) TH_LOG("options: %s", opts);
	ASSERT_TRUE(xip_opt_has(opts, "xip")) TH_LOG("options: %s", opts);

	/* remount naming xip again is no change either */
	ASSERT_EQ(0, mount(NULL, self->mnt, NULL, MS_REMOUNT, "xip"))
		TH_LOG("remount,xip: %s", strerror(errno));
	ASSERT_XIP_MOUNTED(self->mnt);

	snprintf(path, sizeof(path), "%s/f", self->mnt);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(3, write(fd, "abc", 3));
	ASSERT_EQ(0, xip_cached_pages(fd));
	close(fd);
	ASSERT_EQ(0, umount(self->mnt));
}

TEST_F(xip_mount, remount_cannot_clear_xip)
{
	static const char *const attempts[] = { "noxip", "dax" };
	char opts[1024], path[PATH_MAX + 8];
	unsigned int i;
	int fd, ret;

	ASSERT_MKFS(self->dev, "4096");
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", 0, "xip"));
	snprintf(path, sizeof(path), "%s/f", self->mnt);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(3, write(fd, "abc", 3));

	for (i = 0; i < ARRAY_SIZE(attempts); i++) {
		errno = 0;
		ret = mount(NULL, self->mnt, NULL, MS_REMOUNT, attempts[i]);
		TH_LOG("remount,%s: %d (%s)", attempts[i], ret,
		       strerror(errno));
		ASSERT_EQ(0, mount_opts(self->mnt, opts, sizeof(opts)));
		ASSERT_TRUE(xip_opt_has(opts, "xip"))
			TH_LOG("after remount,%s: %s", attempts[i], opts);
		ASSERT_FALSE(xip_opt_has(opts, "dax"))
			TH_LOG("after remount,%s: %s", attempts[i], opts);
	}
	/* the open file still works, without page cache */
	ASSERT_EQ(3, pwrite(fd, "xyz", 3, PS));
	ASSERT_EQ(PS + 3, lseek(fd, 0, SEEK_END));
	ASSERT_EQ(0, xip_cached_pages(fd));
	close(fd);
	ASSERT_EQ(0, umount(self->mnt));
}

/*
 * Control: a plain ext2 mount of the same device uses the page cache (so
 * that the empty page cache of XIP files means something), and a remount
 * cannot turn xip on.
 */
TEST_F(xip_mount, plain_mount_caches_and_remount_cannot_set_xip)
{
	char opts[1024], path[PATH_MAX + 8], buf[4 * PS];
	int fd, ret;

	ASSERT_MKFS(self->dev, "4096");
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", 0, NULL));
	snprintf(path, sizeof(path), "%s/f", self->mnt);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	ASSERT_LE(0, fd);
	xip_fill(buf, sizeof(buf), 2, 0);
	ASSERT_EQ((ssize_t)sizeof(buf), write(fd, buf, sizeof(buf)));
	ASSERT_EQ((ssize_t)sizeof(buf), pread(fd, buf, sizeof(buf), 0));
	ASSERT_LE(4, xip_cached_pages(fd));

	errno = 0;
	ret = mount(NULL, self->mnt, NULL, MS_REMOUNT, "xip");
	TH_LOG("remount,xip: %d (%s)", ret, strerror(errno));
	ASSERT_EQ(0, mount_opts(self->mnt, opts, sizeof(opts)));
	ASSERT_FALSE(xip_opt_has(opts, "xip")) TH_LOG("options: %s", opts);
	ASSERT_EQ(PS, pwrite(fd, buf, PS, 4 * PS));
	ASSERT_LE(5, xip_cached_pages(fd));
	close(fd);
	ASSERT_EQ(0, umount(self->mnt));
}

/* Persistence: what XIP wrote survives umount, e2fsck and a new mount. */
struct pfile {
	const char *name;
	off_t size;
	uint64_t hash;
	long long blocks;
};

static struct pfile pfiles[] = {
	{ .name = "small" }, { .name = "multi" }, { .name = "sparse" },
	{ .name = "mapped" }, { .name = "truncated" }, { .name = "big" },
	{ .name = "d1/d2/nested" }, { .name = "exe" },
};

static int pcreate(const char *mnt, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", mnt, name);
	return open(path, O_RDWR | O_CREAT | O_EXCL, 0755);
}

/* Write the persistence file set; returns 0 or the line that failed. */
static int pwrite_set(const char *mnt)
{
	char path[PATH_MAX + 64], buf[PS];
	char *m;
	int fd;

	fd = pcreate(mnt, "small");
	if (!(fd >= 0 && write(fd, "hello, xip\n", 11) == 11))
		return __LINE__;
	close(fd);

	fd = pcreate(mnt, "multi");
	if (!(fd >= 0 && !xip_write_pattern(fd, 3 * PS + 123, 3, 0)))
		return __LINE__;
	close(fd);

	fd = pcreate(mnt, "sparse");
	if (!(fd >= 0 && !ftruncate(fd, 1 << 20)))
		return __LINE__;
	if (xip_write_pattern(fd, 5000, 4, 300 << 10))
		return __LINE__;
	m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return __LINE__;
	xip_fill(m + (700 << 10), PS, 5, 700 << 10);
	if (!(!msync(m, 1 << 20, MS_SYNC) && !munmap(m, 1 << 20)))
		return __LINE__;
	close(fd);

	fd = pcreate(mnt, "mapped");
	if (!(fd >= 0 && !ftruncate(fd, 5 * PS)))
		return __LINE__;
	m = mmap(NULL, 5 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return __LINE__;
	xip_fill(m, 5 * PS, 6, 0);
	if (munmap(m, 5 * PS))
		return __LINE__;
	close(fd);

	fd = pcreate(mnt, "truncated");
	if (!(fd >= 0 && !xip_write_pattern(fd, 4 * PS, 7, 0)))
		return __LINE__;
	if (ftruncate(fd, 5000))
		return __LINE__;
	close(fd);

	/* free some blocks so that the big file reuses them */
	fd = pcreate(mnt, "junk");
	if (!(fd >= 0 && !xip_write_pattern(fd, 2 << 20, 8, 0)))
		return __LINE__;
	close(fd);
	snprintf(path, sizeof(path), "%s/junk", mnt);
	if (unlink(path))
		return __LINE__;

	fd = pcreate(mnt, "big");
	if (!(fd >= 0 && !xip_write_pattern(fd, 8 << 20, 9, 0)))
		return __LINE__;
	close(fd);

	snprintf(path, sizeof(path), "%s/d1", mnt);
	if (mkdir(path, 0755))
		return __LINE__;
	snprintf(path, sizeof(path), "%s/d1/d2", mnt);
	if (mkdir(path, 0755))
		return __LINE__;
	fd = pcreate(mnt, "d1/d2/nested");
	xip_fill(buf, PS, 10, 0);
	if (!(fd >= 0 && write(fd, buf, 1000) == 1000))
		return __LINE__;
	close(fd);

	fd = pcreate(mnt, "exe");
	if (fd < 0)
		return __LINE__;
	{
		int in = open("/proc/self/exe", O_RDONLY);
		ssize_t n;

		if (in < 0)
			return __LINE__;
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(fd, buf, n) != n)
				return __LINE__;
		close(in);
	}
	close(fd);
	return 0;
}

/* Record (@record) or compare the size, hash and blocks of the set. */
static int pscan_set(const char *mnt, bool record, char *why, size_t len)
{
	char path[PATH_MAX + 64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pfiles); i++) {
		struct pfile *p = &pfiles[i];
		struct stat st;
		uint64_t h;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", mnt, p->name);
		fd = open(path, O_RDONLY);
		if (fd < 0 || fstat(fd, &st) ||
		    xip_file_hash(fd, &h, st.st_size)) {
			snprintf(why, len, "%s: %s", p->name, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
		if (record) {
			p->size = st.st_size;
			p->hash = h;
			p->blocks = st.st_blocks;
			continue;
		}
		if (p->size != st.st_size || p->hash != h ||
		    p->blocks != (long long)st.st_blocks) {
			snprintf(why, len,
				 "%s: size %lld/%lld hash %llx/%llx blocks %lld/%lld",
				 p->name, (long long)p->size,
				 (long long)st.st_size,
				 (unsigned long long)p->hash,
				 (unsigned long long)h, p->blocks,
				 (long long)st.st_blocks);
			return -1;
		}
	}
	return 0;
}

TEST_F_TIMEOUT(xip_mount, persistence_and_fsck, 180)
{
	char why[512] = "", path[PATH_MAX + 8];
	const char *e2fsck = env_or("XIP_E2FSCK", default_e2fsck());
	int fd;

	ASSERT_NE(0, e2fsck[0]) TH_LOG("no e2fsck found: set XIP_E2FSCK");
	ASSERT_MKFS(self->dev, "4096");
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", 0, "xip"));
	ASSERT_EQ(0, pwrite_set(self->mnt)) TH_LOG("writing the file set");
	ASSERT_EQ(0, pscan_set(self->mnt, true, why, sizeof(why)))
		TH_LOG("%s", why);
	/* contents as written */
	snprintf(path, sizeof(path), "%s/big", self->mnt);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, xip_verify_pattern(fd, 8 << 20, 9, 0));
	close(fd);
	ASSERT_EQ(0, umount(self->mnt));

	ASSERT_EQ(0, fsck(self->dev)) TH_LOG("%s -fn %s", e2fsck, self->dev);

	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", 0, "xip"));
	ASSERT_XIP_MOUNTED(self->mnt);
	ASSERT_EQ(0, pscan_set(self->mnt, false, why, sizeof(why)))
		TH_LOG("after xip remount: %s", why);
	snprintf(path, sizeof(path), "%s/sparse", self->mnt);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, xip_verify_pattern(fd, 5000, 4, 300 << 10));
	ASSERT_EQ(-1, xip_verify_pattern(fd, PS, 5, 700 << 10));
	ASSERT_EQ(0, xip_cached_pages(fd));
	close(fd);
	ASSERT_EQ(0, umount(self->mnt));

	/* the same data through the page cache of a plain mount */
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", MS_RDONLY, NULL));
	ASSERT_EQ(0, pscan_set(self->mnt, false, why, sizeof(why)))
		TH_LOG("through a plain mount: %s", why);
	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, fsck(self->dev)) TH_LOG("second e2fsck");
}

/* ---- what a program observes, as with the page cache ------------------ */

FIXTURE(xip_sem) {
	char dev[PATH_MAX / 2];
	char mnt[PATH_MAX / 2];
	char file[PATH_MAX];
	int frozen_fd;		/* the mount, while frozen: thawed on teardown */
};

FIXTURE_SETUP(xip_sem)
{
	self->frozen_fd = -1;
	snprintf(self->dev, sizeof(self->dev), "%s",
		 env_or("XIP_SCRATCH_DEV", "/dev/ram1"));
	snprintf(self->mnt, sizeof(self->mnt), "%s",
		 env_or("XIP_SCRATCH_MNT", "/mnt/xip-scratch"));
	snprintf(self->file, sizeof(self->file), "%s/f", self->mnt);
	ASSERT_FRESH_XIP_MOUNT(self->dev, self->mnt);
}

FIXTURE_TEARDOWN_PARENT(xip_sem)
{
	int fd = open(self->mnt, O_RDONLY | O_DIRECTORY);

	/* a failed test may have left the filesystem frozen */
	if (fd >= 0) {
		ioctl(fd, FITHAW, 0);
		close(fd);
	}
	umount_all(self->mnt);
}

static int xip_freeze(const char *mnt, unsigned long req)
{
	int fd = open(mnt, O_RDONLY | O_DIRECTORY), ret;

	if (fd < 0)
		return -1;
	ret = ioctl(fd, req, 0);
	close(fd);
	return ret;
}

/* Fill the filesystem at @mnt with a file "filler", to the last block. */
static int xip_fill_fs(const char *mnt)
{
	char path[PATH_MAX + 8], *chunk = calloc(1, 1 << 20);
	size_t size = 1 << 20;
	int fd, ret = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/filler", mnt);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	if (!chunk || fd < 0)
		goto out;
	for (; size >= PS; size /= 16) {	/* 1 MiB, 64 KiB, 4 KiB */
		do {
			n = write(fd, chunk, size);
		} while (n > 0);
		if (errno != ENOSPC)
			goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(chunk);
	return ret;
}

/*
 * A sparse file of @len bytes at @path, mapped shared and writable: every
 * page of the mapping is a hole.  Returns the mapping, *@fd the file.
 */
static unsigned char *xip_sparse_shared_map(const char *path, size_t len,
					    int *fd)
{
	unsigned char *p;

	*fd = open(path, O_RDWR | O_CREAT, 0644);
	if (*fd < 0)
		return MAP_FAILED;
	if (ftruncate(*fd, len))
		return MAP_FAILED;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	return p;
}

/*
 * POSIX: a store through a shared mapping after msync(MS_SYNC) marks the
 * file for a time update again; the page cache does it at every first
 * store after writeback, so must XIP.
 */
TEST_F(xip_sem, msync_then_store_updates_mtime_again)
{
	struct stat st1, st2, st3;
	unsigned char *p;
	int fd;

	fd = open(self->file, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, 2 * PS, 9, 0));
	p = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[10] = 1;
	ASSERT_EQ(0, msync(p, 2 * PS, MS_SYNC));
	ASSERT_EQ(0, fstat(fd, &st1));

	ASSERT_EQ(0, xip_wait_past(st1.st_mtime));
	p[20] = 2;		/* the same page again */
	ASSERT_EQ(0, msync(p, 2 * PS, MS_SYNC));
	ASSERT_EQ(0, fstat(fd, &st2));
	EXPECT_GT(st2.st_mtime, st1.st_mtime)
		TH_LOG("a store after msync did not update mtime");
	EXPECT_GT(st2.st_ctime, st1.st_ctime);

	/* fsync() write-protects as well */
	ASSERT_EQ(0, fsync(fd));
	ASSERT_EQ(0, xip_wait_past(st2.st_mtime));
	p[30] = 3;
	ASSERT_EQ(0, fstat(fd, &st3));
	EXPECT_GT(st3.st_mtime, st2.st_mtime)
		TH_LOG("a store after fsync did not update mtime");
	munmap(p, 2 * PS);
	close(fd);
}

/*
 * FIFREEZE stops stores through a shared mapping that was already
 * written: the store waits for the thaw, and the frozen file system does
 * not change meanwhile.
 */
TEST_F(xip_sem, freeze_stops_stores_through_mappings)
{
	int ready[2], done[2];
	struct pollfd pfd;
	unsigned char *p;
	char c, buf[16];
	pid_t pid;
	int fd, status;

	fd = open(self->file, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, PS, 4, 0));
	p = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 0x11;		/* the PTE is writable now */
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));

	ASSERT_EQ(0, xip_freeze(self->mnt, FIFREEZE))
		TH_LOG("FIFREEZE: %s", strerror(errno));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		c = 'r';
		if (write(ready[1], &c, 1) != 1)
			_exit(2);
		p[0] = 0x22;
		c = 'd';
		_exit(write(done[1], &c, 1) == 1 ? 0 : 3);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	/* a store that does not wait would be done in microseconds */
	pfd.fd = done[0];
	pfd.events = POLLIN;
	EXPECT_EQ(0, poll(&pfd, 1, 1000))
		TH_LOG("a store through a mapping went through on a frozen fs");
	ASSERT_EQ(1, pread(fd, buf, 1, 0));
	EXPECT_EQ(0x11, (unsigned char)buf[0]);

	ASSERT_EQ(0, xip_freeze(self->mnt, FITHAW));
	alarm(30);
	ASSERT_EQ(1, read(done[0], &c, 1)) TH_LOG("store never completed");
	alarm(0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	EXPECT_EQ(0x22, p[0]);
	munmap(p, PS);
	close(fd);
}

/*
 * Reading holes through a shared writable mapping allocates nothing (the
 * zero page), and a store into one then allocates just its block.
 */
TEST_F(xip_sem, hole_read_through_shared_mapping_allocates_nothing)
{
	const size_t len = 1 << 20;
	unsigned char *p, *buf;
	struct stat st;
	int fd;

	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	p = xip_sparse_shared_map(self->file, len, &fd);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("%s: %s", self->file, strerror(errno));
	ASSERT_EQ(0, xip_probe_copy(buf, p, len));
	EXPECT_EQ(-1, xip_check_byte(buf, len, 0));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_blocks) TH_LOG("reading holes allocated %lld blocks",
					  (long long)st.st_blocks);
	EXPECT_EQ(0, xip_cached_pages(fd));

	p[5 * PS + 7] = 0x77;
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(PS / 512, st.st_blocks);
	ASSERT_EQ(1, pread(fd, buf, 1, 5 * PS + 7));
	EXPECT_EQ(0x77, buf[0]);
	EXPECT_EQ(0, p[5 * PS + 6]);
	EXPECT_EQ(0, p[6 * PS]);
	munmap(p, len);
	close(fd);
	free(buf);
}

/* That read also works on a full file system, with no SIGBUS. */
TEST_F(xip_sem, hole_read_works_on_full_fs)
{
	const size_t len = 256 << 10;
	unsigned char *p, *buf;
	int fd;

	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	p = xip_sparse_shared_map(self->file, len, &fd);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("%s: %s", self->file, strerror(errno));
	ASSERT_EQ(0, xip_fill_fs(self->mnt)) TH_LOG("filling the fs: %s",
						    strerror(errno));

	EXPECT_EQ(0, xip_probe_copy(buf, p, len))
		TH_LOG("reading a hole raised SIGBUS on a full file system");
	EXPECT_EQ(-1, xip_check_byte(buf, len, 0));
	munmap(p, len);
	close(fd);
	free(buf);
}

/* And it does not wait for a frozen file system to thaw. */
TEST_F(xip_sem, hole_read_does_not_wait_for_thaw)
{
	const size_t len = 256 << 10;
	unsigned char *p;
	int done[2], fd, status;
	struct stat st;
	pid_t pid;
	char c;

	p = xip_sparse_shared_map(self->file, len, &fd);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("%s: %s", self->file, strerror(errno));
	ASSERT_EQ(0, pipe(done));
	ASSERT_EQ(0, xip_freeze(self->mnt, FIFREEZE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		unsigned char *buf = malloc(len);

		if (!buf || xip_probe_copy(buf, p, len) ||
		    xip_check_byte(buf, len, 0) != -1)
			_exit(2);
		c = 'd';
		_exit(write(done[1], &c, 1) == 1 ? 0 : 3);
	}
	/* not a timing check: only a hang (a bug) runs into the alarm */
	alarm(60);
	EXPECT_EQ(1, read(done[0], &c, 1))
		TH_LOG("reading holes waited for the frozen file system");
	alarm(0);
	EXPECT_EQ(0, xip_freeze(self->mnt, FITHAW));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_blocks);
	munmap(p, len);
	close(fd);
}

/*
 * write(2) over holes that a shared mapping shows as the zero page: the
 * mapping then shows the data everywhere, and stores go through.  (A run
 * of blocks may be longer than the memory contiguous behind it: every
 * zero page of the run must go.)
 */
TEST_F(xip_sem, write_over_zero_page_holes_shows_data)
{
	const size_t len = 1 << 20;
	unsigned char *p, *buf;
	size_t i;
	int fd;

	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	p = xip_sparse_shared_map(self->file, len, &fd);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("%s: %s", self->file, strerror(errno));
	ASSERT_EQ(0, xip_probe_copy(buf, p, len));	/* all zero pages */
	ASSERT_EQ(0, xip_write_pattern(fd, len, 21, 0));
	ASSERT_EQ(0, xip_probe_copy(buf, p, len));
	EXPECT_EQ(-1, xip_check(buf, len, 21, 0))
		TH_LOG("the mapping still shows a zero page after write(2)");
	alarm(60);	/* a store that faults for ever is the bug */
	for (i = 0; i < len; i += PS)
		p[i + 1] = 0xee;
	alarm(0);
	ASSERT_EQ(1, pread(fd, buf, 1, len - PS + 1));
	EXPECT_EQ(0xee, buf[0]);
	munmap(p, len);
	close(fd);
	free(buf);
}

/* A write that fails for want of space leaves the size alone. */
TEST_F(xip_sem, failed_write_does_not_grow_file)
{
	struct stat st;
	char *chunk;
	int fd;

	chunk = calloc(1, 2 * PS);
	ASSERT_NE(NULL, chunk);
	fd = open(self->file, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 100));	/* page 0 is a hole */
	ASSERT_EQ(0, xip_fill_fs(self->mnt)) TH_LOG("filling the fs: %s",
						    strerror(errno));

	errno = 0;
	EXPECT_EQ(-1, pwrite(fd, "x", 1, 200));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(100, st.st_size);
	errno = 0;
	EXPECT_EQ(-1, pwrite(fd, chunk, 2 * PS, 3 * PS));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(100, st.st_size);
	close(fd);
	free(chunk);
}

/*
 * brd: while an XIP mount may map its pages, discard only zeroes them;
 * once the device is closed (unmounted), discard frees the memory again.
 */
TEST_F(xip_sem, brd_discard_frees_after_umount)
{
	const size_t len = 32 << 20;
	uint64_t range[2] = { 0, 0 };
	long before, after;
	int fd, bfd;

	if (strncmp(self->dev, "/dev/ram", 8))
		SKIP(return, "%.200s is not a RAM disk", self->dev);
	fd = open(self->file, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, len, 12, 0));
	close(fd);
	ASSERT_EQ(0, umount(self->mnt));

	bfd = open(self->dev, O_RDWR);
	ASSERT_LE(0, bfd);
	ASSERT_EQ(0, ioctl(bfd, BLKGETSIZE64, &range[1]));
	before = xip_meminfo_kb("MemFree");
	ASSERT_LT(0, before);
	ASSERT_EQ(0, ioctl(bfd, BLKDISCARD, range))
		TH_LOG("BLKDISCARD: %s", strerror(errno));
	close(bfd);
	after = xip_meminfo_kb("MemFree");
	TH_LOG("MemFree %ld -> %ld KiB", before, after);
	EXPECT_GE(after - before, (long)(len >> 10) * 3 / 4)
		TH_LOG("discard after umount did not free the RAM disk's memory");
}

/* ---- pmem: the kind of memory, durability paths, media errors ---------- */

/*
 * Last kernel message "EXT2-fs (NAME): xip: ..." for device @dev, copied to
 * @msg.  Returns 0 if one was found.
 */
static int xip_mount_msg(const char *dev, char *msg, size_t len)
{
	const char *name = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
	char key[PATH_MAX], *buf, *p, *last = NULL;
	int size, n;

	size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	if (size <= 0)
		return -1;
	buf = malloc(size + 1);
	if (!buf)
		return -1;
	n = klogctl(3, buf, size);	/* SYSLOG_ACTION_READ_ALL */
	if (n < 0) {
		free(buf);
		return -1;
	}
	buf[n] = 0;
	snprintf(key, sizeof(key), "EXT2-fs (%s): xip: ", name);
	for (p = strstr(buf, key); p; p = strstr(p + 1, key))
		last = p + strlen(key);
	if (last)
		snprintf(msg, len, "%.*s", (int)strcspn(last, "\n"), last);
	free(buf);
	return last ? 0 : -1;
}

/* The physical address behind a mapped user address, or 0. */
static uint64_t xip_phys(const void *addr)
{
	uint64_t ent = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &ent, sizeof(ent),
		  (uintptr_t)addr / XIP_PAGE * sizeof(ent)) != sizeof(ent))
		ent = 0;
	close(fd);
	if (!(ent >> 63))
		return 0;
	return (ent & ((1ULL << 55) - 1)) * XIP_PAGE;
}

/* Is @phys inside a "Persistent Memory" range of /proc/iomem? */
static bool xip_in_pmem_range(uint64_t phys)
{
	unsigned long long a, b;
	bool found = false;
	char line[256];
	FILE *f = fopen("/proc/iomem", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (strstr(line, "Persistent Memory") &&
		    sscanf(line, " %llx-%llx", &a, &b) == 2)
			found = phys >= a && phys <= b;
	fclose(f);
	return found;
}

FIXTURE(xip_pmem) {
	char dev[PATH_MAX / 2];
	char mnt[PATH_MAX / 2];
	char file[PATH_MAX];
	const char *pages;
};

FIXTURE_SETUP(xip_pmem)
{
	if (!getenv("XIP_PMEM_DEV") || !*getenv("XIP_PMEM_DEV"))
		SKIP(return, "no pmem device (XIP_PMEM_DEV) on this machine");
	snprintf(self->dev, sizeof(self->dev), "%s", getenv("XIP_PMEM_DEV"));
	snprintf(self->mnt, sizeof(self->mnt), "%s",
		 env_or("XIP_SCRATCH_MNT", "/mnt/xip-scratch"));
	snprintf(self->file, sizeof(self->file), "%s/f", self->mnt);
	self->pages = env_or("XIP_PMEM_PAGES", "");
	ASSERT_FRESH_XIP_MOUNT(self->dev, self->mnt);
}

FIXTURE_TEARDOWN_PARENT(xip_pmem)
{
	if (self->mnt[0])
		umount_all(self->mnt);
}

/*
 * The mount says which memory it got, and a mapping of a file is the
 * namespace's own memory: its physical address lies in the pmem range.
 */
TEST_F(xip_pmem, mount_reports_memory_kind)
{
	char msg[256], want[64];
	unsigned char *p;
	uint64_t phys;
	int fd;

	ASSERT_EQ(0, xip_mount_msg(self->dev, msg, sizeof(msg)))
		TH_LOG("no \"xip:\" mount message for %s", self->dev);
	TH_LOG("mount message: %s", msg);
	snprintf(want, sizeof(want), "persistent memory %s struct page",
		 self->pages);
	ASSERT_TRUE(*self->pages && strstr(msg, want))
		TH_LOG("expected \"%s\"", want);

	fd = open(self->file, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, PS, 7, 0));
	p = mmap(NULL, PS, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(xip_pat(7, 0), p[0]);
	phys = xip_phys(p);
	ASSERT_NE((uint64_t)0, phys) TH_LOG("no pfn in /proc/self/pagemap");
	TH_LOG("page 0 at physical 0x%llx", (unsigned long long)phys);
	EXPECT_TRUE(xip_in_pmem_range(phys))
		TH_LOG("0x%llx is not in a Persistent Memory range of /proc/iomem",
		       (unsigned long long)phys);
	EXPECT_EQ(0, xip_cached_pages(fd));
	munmap(p, PS);
	close(fd);
}

/*
 * pmem memory cannot be pinned, with struct page or without: XIP maps it
 * with special PTEs, since the memory cannot be given up when a block is
 * freed and truncate does not wait for pins.  vmsplice fails with EFAULT.
 */
TEST_F(xip_pmem, pinning_refused)
{
	const char *err;

	ASSERT_TRUE(!strcmp(self->pages, "with") ||
		    !strcmp(self->pages, "without"))
		TH_LOG("XIP_PMEM_PAGES is \"%s\"", self->pages);
	err = xip_pin_vs_truncate(self->mnt, false);
	ASSERT_EQ(NULL, err) TH_LOG("%s", err);
}

/*
 * write(2) + fsync, stores through a shared mapping + msync(MS_SYNC), and
 * O_SYNC writes reach the medium: they survive umount, e2fsck and a new
 * mount.  (QEMU cannot lose power, so this checks the paths, not the
 * cache flush instructions themselves.)
 */
TEST_F(xip_pmem, fsync_msync_osync_persist)
{
	unsigned char *p;
	int fd, i;

	fd = open(self->file, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, 8 * PS, 11, 0));
	ASSERT_EQ(0, fsync(fd));
	p = mmap(NULL, 8 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 4; i++)
		memset(p + i * PS + 100, 0xa0 + i, 200);
	ASSERT_EQ(0, msync(p, 8 * PS, MS_SYNC));
	munmap(p, 8 * PS);
	close(fd);
	fd = open(self->file, O_RDWR | O_SYNC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(5, pwrite(fd, "osync", 5, 6 * PS + 1));
	close(fd);

	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, fsck(self->dev)) TH_LOG("e2fsck -fn %s", self->dev);
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", 0, "xip"));
	fd = open(self->file, O_RDONLY);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 8 * PS, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0xa0 + i, p[i * PS + 100]);
		ASSERT_EQ(0xa0 + i, p[i * PS + 299]);
		ASSERT_EQ(xip_pat(11, i * PS + 300), p[i * PS + 300]);
	}
	ASSERT_EQ(0, memcmp(p + 6 * PS + 1, "osync", 5));
	ASSERT_EQ(xip_pat(11, 7 * PS), p[7 * PS]);
	munmap(p, 8 * PS);
	close(fd);
}

/*
 * A read-only device: a read-write mount is refused with a clear error,
 * a read-only XIP mount works.
 */
TEST_F(xip_pmem, readonly_device_refuses_rw_mount)
{
	int ro = 1, rw = 0, bfd, ret, err;

	ASSERT_EQ(0, umount(self->mnt));
	bfd = open(self->dev, O_RDONLY);
	ASSERT_LE(0, bfd);
	ASSERT_EQ(0, ioctl(bfd, BLKROSET, &ro));
	ret = mount(self->dev, self->mnt, "ext2", 0, "xip");
	err = errno;
	if (!ret)
		umount(self->mnt);
	EXPECT_EQ(-1, ret) TH_LOG("rw xip mount of a read-only device worked");
	EXPECT_TRUE(err == EACCES || err == EROFS)
		TH_LOG("rw mount of a read-only device: %s", strerror(err));
	ret = mount(self->dev, self->mnt, "ext2", MS_RDONLY, "xip");
	EXPECT_EQ(0, ret) TH_LOG("ro xip mount: %s", strerror(errno));
	if (!ret)
		EXPECT_EQ(0, umount(self->mnt));
	EXPECT_EQ(0, ioctl(bfd, BLKROSET, &rw));
	close(bfd);
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", 0, "xip"));
}

/*
 * A sector in the badblocks list: read(2) of its page gives EIO, a fault
 * on it SIGBUS, a write EIO; the pages around it still work.  Runs last:
 * QEMU cannot clear the poison, so the device keeps the bad sector.
 */
TEST_F(xip_pmem, badblocks_eio_and_sigbus)
{
	const char *name = strrchr(self->dev, '/') + 1;
	char path[PATH_MAX], line[64], buf[PS];
	unsigned char *p, v;
	int fd, bb, blk = 1;
	ssize_t n;

	fd = open(self->file, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, 3 * PS, 5, 0));
	ASSERT_EQ(0, fsync(fd));
	ASSERT_EQ(0, ioctl(fd, FIBMAP, &blk))
		TH_LOG("FIBMAP: %s", strerror(errno));
	ASSERT_LT(0, blk);

	snprintf(path, sizeof(path), "/sys/block/%s/badblocks", name);
	bb = open(path, O_WRONLY);
	ASSERT_LE(0, bb) TH_LOG("%s: %s", path, strerror(errno));
	n = snprintf(line, sizeof(line), "%llu 8\n",
		     (unsigned long long)blk * (PS / 512));
	ASSERT_EQ(n, write(bb, line, n)) TH_LOG("%s: %s", path,
						strerror(errno));
	close(bb);
	TH_LOG("page 1 of the file is block %d, now bad", blk);

	errno = 0;
	EXPECT_EQ(-1, pread(fd, buf, PS, PS));
	EXPECT_EQ(EIO, errno) TH_LOG("read of the bad page: %s",
				     strerror(errno));
	EXPECT_EQ(-1, pwrite(fd, buf, 16, PS + 8));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(PS, pread(fd, buf, PS, 0));
	EXPECT_EQ(-1, xip_check(buf, PS, 5, 0));
	ASSERT_EQ(PS, pread(fd, buf, PS, 2 * PS));
	EXPECT_EQ(-1, xip_check(buf, PS, 5, 2 * PS));

	p = mmap(NULL, 3 * PS, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, xip_probe_read(p, &v));
	EXPECT_EQ(xip_pat(5, 0), v);
	EXPECT_EQ(1, xip_probe_read(p + PS + 3, &v))
		TH_LOG("a fault on the bad page did not raise SIGBUS");
	EXPECT_EQ(0, xip_probe_read(p + 2 * PS, &v));
	munmap(p, 3 * PS);
	close(fd);
}

/*
 * Removing the device under a mounted XIP filesystem (unbinding the
 * namespace from nd_pmem, as "ndctl disable-namespace --force" does) cannot
 * be refused by the driver.  It must fail file I/O cleanly: read(2) and
 * write(2) give EIO, a mapping that was live raises SIGBUS, nothing touches
 * the memory any more, and the filesystem can still be unmounted.  The
 * device is gone afterwards, so it is one of its own.
 */
FIXTURE(xip_pmem_removal) {
	char dev[PATH_MAX / 2];
	char mnt[PATH_MAX / 2];
	char file[PATH_MAX];
};

FIXTURE_SETUP(xip_pmem_removal)
{
	if (!getenv("XIP_PMEM_REMOVE_DEV") || !*getenv("XIP_PMEM_REMOVE_DEV"))
		SKIP(return, "no pmem device to remove (XIP_PMEM_REMOVE_DEV)");
	snprintf(self->dev, sizeof(self->dev), "%s",
		 getenv("XIP_PMEM_REMOVE_DEV"));
	snprintf(self->mnt, sizeof(self->mnt), "/mnt/xip-removal");
	snprintf(self->file, sizeof(self->file), "%s/f", self->mnt);
	ASSERT_FRESH_XIP_MOUNT(self->dev, self->mnt);
}

FIXTURE_TEARDOWN_PARENT(xip_pmem_removal)
{
	if (self->mnt[0])
		umount_all(self->mnt);
}

TEST_F(xip_pmem_removal, device_removal_fails_cleanly)
{
	const char *name = strrchr(self->dev, '/') + 1;
	char path[PATH_MAX], link[PATH_MAX], buf[PS];
	const char *ns;
	unsigned char *p, v;
	int fd, u;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/block/%s/device", name);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n) TH_LOG("%s: %s", path, strerror(errno));
	link[n] = 0;
	ns = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	snprintf(path, sizeof(path), "/sys/block/%s/device/driver/unbind",
		 name);

	fd = open(self->file, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, 4 * PS, 3, 0));
	p = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, xip_probe_read(p + PS, &v));
	ASSERT_EQ(xip_pat(3, PS), v);
	ASSERT_EQ(0, xip_probe_write(p + 2 * PS, 0x5a));

	u = open(path, O_WRONLY);
	ASSERT_LE(0, u) TH_LOG("%s: %s", path, strerror(errno));
	TH_LOG("unbinding %s from its driver under the mount", ns);
	ASSERT_EQ((ssize_t)strlen(ns), write(u, ns, strlen(ns)))
		TH_LOG("unbind %s: %s", ns, strerror(errno));
	close(u);
	snprintf(path, sizeof(path), "/sys/block/%s", name);
	EXPECT_NE(0, access(path, F_OK)) TH_LOG("%s still exists", path);

	errno = 0;
	EXPECT_EQ(-1, pread(fd, buf, PS, 0));
	EXPECT_EQ(EIO, errno) TH_LOG("read after removal: %s",
				     strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, pwrite(fd, buf, PS, 0));
	EXPECT_EQ(EIO, errno) TH_LOG("write after removal: %s",
				     strerror(errno));
	EXPECT_EQ(1, xip_probe_read(p + PS, &v))
		TH_LOG("a mapping still reads the removed device");
	EXPECT_EQ(1, xip_probe_write(p + 3 * PS, 1))
		TH_LOG("a mapping still writes the removed device");
	munmap(p, 4 * PS);
	close(fd);
	EXPECT_EQ(0, umount(self->mnt)) TH_LOG("umount: %s", strerror(errno));
}

/* ---- MTD: flash read-only, RAM read-write, no point, removal ---------- */

/*
 * In an MTD guest (GUEST_PROVIDER=mtd, XIP_MTD_NOR_PHRAM set): phram gives
 * a test-only NOR-type MTD over reserved RAM (CONFIG_MTD_PHRAM_XIP_FAKE_NOR),
 * mtdram a vmalloc()ed RAM MTD, nandsim a NAND MTD, which cannot point.
 */
#define MTD_RAM_NAME	"mtdram test device"
#define MTD_NAND_NAME	"NAND simulator partition 0"
#define MTD_PART_NAME	"xipmtdpart"

/* Index of the MTD called @name in /proc/mtd, or -1. */
static int mtd_index(const char *name)
{
	char line[256], want[128];
	int idx, found = -1;
	FILE *f = fopen("/proc/mtd", "r");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "\"%s\"", name);
	while (found < 0 && fgets(line, sizeof(line), f))
		if (strstr(line, want) && sscanf(line, "mtd%d:", &idx) == 1)
			found = idx;
	fclose(f);
	return found;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* Does the kernel log hold @needle? */
static bool klog_has(const char *needle)
{
	int size = klogctl(10, NULL, 0), n;
	bool found = false;
	char *buf;

	if (size <= 0)
		return false;
	buf = malloc(size + 1);
	if (!buf)
		return false;
	n = klogctl(3, buf, size);
	if (n >= 0) {
		buf[n] = 0;
		found = strstr(buf, needle);
	}
	free(buf);
	return found;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in, out, ret = -1;
	ssize_t n;

	in = open(from, O_RDONLY);
	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (out >= 0) {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (xip_pwrite_all(out, buf, n, lseek(out, 0, SEEK_CUR)) ||
			    lseek(out, n, SEEK_CUR) < 0)
				break;
		if (!n && !fsync(out))
			ret = 0;
		close(out);
	}
	close(in);
	return ret;
}

/* Run "@path true" (a copy of busybox); its exit status, or -1. */
static int run_true(const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		execl(path, "busybox", "true", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* pwrite() one page at @off of block device @dev with O_DIRECT: -errno. */
static int dev_write_page(const char *dev, off_t off)
{
	void *buf;
	int fd, err = 0;

	if (posix_memalign(&buf, PS, PS))
		return -ENOMEM;
	memset(buf, 0x6b, PS);
	fd = open(dev, O_WRONLY | O_DIRECT);
	if (fd < 0) {
		err = -errno;
	} else {
		if (pwrite(fd, buf, PS, off) != PS)
			err = errno ? -errno : -EIO;
		close(fd);
	}
	free(buf);
	return err;
}

FIXTURE(xip_mtd) {
	char dev[64];
	char mnt[PATH_MAX / 2];
	char path[PATH_MAX];
	int part;		/* partition to delete, or -1 */
	int part_parent;
};

FIXTURE_SETUP(xip_mtd)
{
	self->part = -1;
	if (!getenv("XIP_MTD_NOR_PHRAM") || !*getenv("XIP_MTD_NOR_PHRAM"))
		SKIP(return, "not an MTD guest (GUEST_PROVIDER=mtd sets XIP_MTD_NOR_PHRAM)");
	snprintf(self->mnt, sizeof(self->mnt), "/mnt/xip-mtd");
	if (mkdir(self->mnt, 0755))
		ASSERT_EQ(EEXIST, errno);
	umount_all(self->mnt);
	ASSERT_EQ(0, xip_catch_sigbus());
}

FIXTURE_TEARDOWN_PARENT(xip_mtd)
{
	if (self->mnt[0])
		umount_all(self->mnt);
}

/* Set self->dev to the mtdblock device of MTD @name. */
#define ASSERT_MTD_DEV(name) do {					\
	const char *__n = (name);					\
	int __i = mtd_index(__n);					\
									\
	ASSERT_LE(0, __i) TH_LOG("no MTD \"%s\" in /proc/mtd", __n);	\
	snprintf(self->dev, sizeof(self->dev), "/dev/mtdblock%d", __i);	\
	TH_LOG("MTD \"%s\" is mtd%d, %s", __n, __i, self->dev);	\
} while (0)

/*
 * NOR flash: a read-write -o xip mount is refused with EACCES and says why;
 * populated through a plain mount, -o xip,ro maps, reads and executes it
 * without page cache, remount,rw is refused, and block writes to the flash
 * fail while the mount maps it, and work again after the umount.
 */
TEST_F(xip_mtd, nor_flash_is_read_only)
{
	char msg[256], buf[PS], type[32] = "";
	const char *nor = getenv("XIP_MTD_NOR_PHRAM");
	char name[64];
	unsigned char *p;
	int fd, err, ret;

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(nor, ","), nor);
	if (mtd_index(name) < 0)
		ASSERT_EQ(0, write_file("/sys/module/phram/parameters/phram",
					nor))
			TH_LOG("adding phram %s: %s", nor, strerror(errno));
	ASSERT_MTD_DEV(name);
	snprintf(self->path, sizeof(self->path), "/sys/class/mtd/mtd%d/type",
		 mtd_index(name));
	fd = open(self->path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, type, sizeof(type) - 1));
	close(fd);
	ASSERT_EQ(0, strncmp(type, "nor", 3)) TH_LOG("type %s", type);

	ASSERT_MKFS(self->dev, "4096");
	errno = 0;
	ret = mount(self->dev, self->mnt, "ext2", 0, "xip");
	err = errno;
	if (!ret)
		umount(self->mnt);
	ASSERT_EQ(-1, ret) TH_LOG("rw xip mount of NOR flash worked");
	EXPECT_EQ(EACCES, err) TH_LOG("rw xip mount: %s", strerror(err));
	ASSERT_EQ(0, xip_mount_msg(self->dev, msg, sizeof(msg)));
	TH_LOG("refusal: %s", msg);
	EXPECT_NE(NULL, strstr(msg, "cannot be written in place"));

	/* populate through the page cache, as flash is written */
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", 0, NULL))
		TH_LOG("plain rw mount: %s", strerror(errno));
	snprintf(self->path, sizeof(self->path), "%s/data", self->mnt);
	fd = open(self->path, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, 16 * PS, 9, 0));
	close(fd);
	snprintf(self->path, sizeof(self->path), "%s/bb", self->mnt);
	ASSERT_EQ(0, copy_file("/bin/busybox", self->path, 0755));
	ASSERT_EQ(0, umount(self->mnt));

	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", MS_RDONLY, "xip"))
		TH_LOG("ro xip mount: %s", strerror(errno));
	ASSERT_XIP_MOUNTED(self->mnt);
	ASSERT_EQ(0, xip_mount_msg(self->dev, msg, sizeof(msg)));
	TH_LOG("mount: %s", msg);
	EXPECT_NE(NULL, strstr(msg, "volatile memory without struct page"));
	snprintf(self->path, sizeof(self->path), "%s/data", self->mnt);
	fd = open(self->path, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, xip_verify_pattern(fd, 16 * PS, 9, 0));
	p = mmap(NULL, 16 * PS, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(xip_pat(9, 15 * PS + 7), p[15 * PS + 7]);
	ASSERT_EQ(PS, pread(fd, buf, PS, 3 * PS));
	EXPECT_EQ(0, memcmp(buf, p + 3 * PS, PS));
	EXPECT_EQ(0, xip_cached_pages(fd));
	munmap(p, 16 * PS);
	close(fd);
	snprintf(self->path, sizeof(self->path), "%s/bb", self->mnt);
	EXPECT_EQ(0, run_true(self->path)) TH_LOG("exec from the flash");
	fd = open(self->path, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, xip_cached_pages(fd));
	close(fd);

	errno = 0;
	EXPECT_EQ(-1, mount(NULL, self->mnt, NULL, MS_REMOUNT, "xip"));
	EXPECT_EQ(EACCES, errno) TH_LOG("remount,rw: %s", strerror(errno));
	/* mapped flash takes no program or erase cycle */
	EXPECT_EQ(-EIO, dev_write_page(self->dev, 0))
		TH_LOG("a block write to mapped flash did not fail with EIO");
	ASSERT_EQ(0, umount(self->mnt));
	EXPECT_EQ(0, fsck(self->dev)) TH_LOG("e2fsck -fn %s", self->dev);
	EXPECT_EQ(0, dev_write_page(self->dev, 0))
		TH_LOG("a block write to the flash after umount failed");
}

/*
 * mtdram: RAM (read-write XIP) whose vmalloc()ed memory is physically
 * contiguous only page by page, with struct page.
 */
TEST_F(xip_mtd, mtdram_read_write)
{
	char msg[256];
	unsigned char *p;
	int fd, i;

	ASSERT_MTD_DEV(MTD_RAM_NAME);
	ASSERT_FRESH_XIP_MOUNT(self->dev, self->mnt);
	ASSERT_EQ(0, xip_mount_msg(self->dev, msg, sizeof(msg)));
	TH_LOG("mount: %s", msg);
	EXPECT_NE(NULL, strstr(msg, "volatile memory with struct page"));
	snprintf(self->path, sizeof(self->path), "%s/f", self->mnt);
	fd = open(self->path, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, 64 * PS, 4, 0));
	p = mmap(NULL, 64 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 64; i += 7)
		p[i * PS + 1] = 0xc3;
	ASSERT_EQ(0, msync(p, 64 * PS, MS_SYNC));
	munmap(p, 64 * PS);
	EXPECT_EQ(0, xip_cached_pages(fd));
	close(fd);
	snprintf(self->path, sizeof(self->path), "%s/bb", self->mnt);
	ASSERT_EQ(0, copy_file("/bin/busybox", self->path, 0755));
	EXPECT_EQ(0, run_true(self->path)) TH_LOG("exec from mtdram");

	ASSERT_EQ(0, umount(self->mnt));
	ASSERT_EQ(0, fsck(self->dev)) TH_LOG("e2fsck -fn %s", self->dev);
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", MS_RDONLY, "xip"));
	snprintf(self->path, sizeof(self->path), "%s/f", self->mnt);
	fd = open(self->path, O_RDONLY);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 64 * PS, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 64; i++)
		EXPECT_EQ(i % 7 ? xip_pat(4, i * PS + 1) : 0xc3, p[i * PS + 1]);
	EXPECT_EQ(xip_pat(4, 63 * PS + 100), p[63 * PS + 100]);
	munmap(p, 64 * PS);
	close(fd);
	EXPECT_EQ(0, umount(self->mnt));
}

/* NAND (nandsim) cannot point: -o xip is refused, and both layers say why. */
TEST_F(xip_mtd, nand_refused)
{
	char msg[256], want[160];
	int ret;

	ASSERT_MTD_DEV(MTD_NAND_NAME);
	ASSERT_MKFS(self->dev, "4096");
	errno = 0;
	ret = mount(self->dev, self->mnt, "ext2", 0, "xip");
	TH_LOG("mount -o xip: %d (%s)", ret, strerror(errno));
	if (!ret)
		umount(self->mnt);
	ASSERT_EQ(-1, ret);
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, xip_mount_msg(self->dev, msg, sizeof(msg)));
	TH_LOG("ext2: %s", msg);
	EXPECT_NE(NULL, strstr(msg, "does not support direct access"));
	snprintf(want, sizeof(want),
		 "%s: no direct access (XIP) to MTD \"%s\": NAND flash is not mapped into memory",
		 self->dev + 5, MTD_NAND_NAME);
	EXPECT_TRUE(klog_has(want)) TH_LOG("no \"%s\" in the kernel log", want);
	ASSERT_EQ(0, mount(self->dev, self->mnt, "ext2", MS_RDONLY, NULL))
		TH_LOG("plain mount: %s", strerror(errno));
	EXPECT_EQ(0, umount(self->mnt));
}

static int mtd_blkpg(int parent, int op, int pno, long long start,
		     long long len, const char *name)
{
	struct blkpg_partition part = {
		.start = start, .length = len, .pno = pno,
	};
	struct blkpg_ioctl_arg arg = {
		.op = op, .datalen = sizeof(part), .data = &part,
	};
	char path[32];
	int fd, ret;

	snprintf(part.devname, sizeof(part.devname), "%s", name);
	snprintf(path, sizeof(path), "/dev/mtd%d", parent);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return -1;
	ret = ioctl(fd, BLKPG, &arg);
	close(fd);
	return ret;
}

/*
 * An MTD removed under a mount (a partition deleted with BLKPG, which
 * del_mtd_device() cannot refuse): the filesystem's ->shutdown stops every
 * use of the memory, read(2) and write(2) fail with EIO, live mappings get
 * SIGBUS, nothing oopses, and the filesystem can still be unmounted.
 */
TEST_F(xip_mtd, removal_under_mount)
{
	char path[PATH_MAX], buf[PS];
	unsigned char *p, v;
	int parent, part, fd;

	parent = mtd_index(MTD_RAM_NAME);
	ASSERT_LE(0, parent);
	part = mtd_index(MTD_PART_NAME);
	if (part < 0) {
		ASSERT_EQ(0, mtd_blkpg(parent, BLKPG_ADD_PARTITION, 0,
				       4 << 20, 4 << 20, MTD_PART_NAME))
			TH_LOG("BLKPG_ADD_PARTITION on mtd%d: %s", parent,
			       strerror(errno));
		part = mtd_index(MTD_PART_NAME);
	}
	ASSERT_MTD_DEV(MTD_PART_NAME);
	self->part = part;
	ASSERT_FRESH_XIP_MOUNT(self->dev, self->mnt);

	snprintf(self->path, sizeof(self->path), "%s/f", self->mnt);
	fd = open(self->path, O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xip_write_pattern(fd, 4 * PS, 3, 0));
	p = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, xip_probe_read(p + PS, &v));
	ASSERT_EQ(xip_pat(3, PS), v);
	ASSERT_EQ(0, xip_probe_write(p + 2 * PS, 0x5a));

	TH_LOG("deleting partition mtd%d under the mount", part);
	ASSERT_EQ(0, mtd_blkpg(parent, BLKPG_DEL_PARTITION, part, 0, 0, ""))
		TH_LOG("BLKPG_DEL_PARTITION: %s", strerror(errno));
	EXPECT_GT(0, mtd_index(MTD_PART_NAME));
	snprintf(path, sizeof(path), "/sys/block/%s", self->dev + 5);
	EXPECT_NE(0, access(path, F_OK)) TH_LOG("%s still exists", path);

	errno = 0;
	EXPECT_EQ(-1, pread(fd, buf, PS, 0));
	EXPECT_EQ(EIO, errno) TH_LOG("read after removal: %s",
				     strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, pwrite(fd, buf, PS, 0));
	EXPECT_EQ(EIO, errno) TH_LOG("write after removal: %s",
				     strerror(errno));
	EXPECT_EQ(1, xip_probe_read(p + PS, &v))
		TH_LOG("a mapping still reads the removed MTD");
	EXPECT_EQ(1, xip_probe_write(p + 3 * PS, 1))
		TH_LOG("a mapping still writes the removed MTD");
	munmap(p, 4 * PS);
	close(fd);
	EXPECT_EQ(0, umount(self->mnt)) TH_LOG("umount: %s", strerror(errno));
}

TEST_HARNESS_MAIN
