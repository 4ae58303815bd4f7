// SPDX-License-Identifier: GPL-2.0
/*
 * xip-demo: a small static helper for the guest demo (scripts/guest/demo.sh).
 *
 *   xip-demo cache FILE
 *	Prints "cache FILE pages=N total=M method=cachestat|mincore": how many
 *	of FILE's pages are in the page cache.  Uses cachestat(2) (syscall
 *	451, Linux 6.5+); falls back to mincore(2) on a fresh mapping.
 *
 *   xip-demo self
 *	Run this binary from the file system under test.  Finds the page of
 *	its own text that is executing, and prints where it is mapped from:
 *	the file and device (from /proc/self/maps), the physical frame
 *	(/proc/self/pagemap, root only), the /proc/iomem region that frame
 *	lies in, the kernel's page flags for it (/proc/kpageflags), and the
 *	block of the device that holds this page of the file (FIEMAP), whose
 *	bytes read from the device with O_DIRECT are compared with the
 *	executing bytes.
 *
 *   xip-demo devwrite FILE DEVICE
 *	Maps FILE read-only and shared, writes a new byte to the file's first
 *	block through DEVICE (O_DIRECT, bypassing the file's page cache) and
 *	reads the mapping again.  If the mapping shows the new byte, it maps
 *	the device's memory itself (XIP or DAX); a page-cache copy keeps the
 *	old byte.  Restores the old byte afterwards.
 *
 * Output is "key=value" words on one line per command, for the shell script
 * to pick apart, plus the verdict in plain words.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef __NR_cachestat
#define __NR_cachestat 451	/* same number on x86_64 and s390x */
#endif

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

static long page_size;

static int cmd_cache(const char *path)
{
	struct xip_cachestat_range range = { 0, 0 };	/* len 0: to EOF */
	struct xip_cachestat cs;
	struct stat st;
	unsigned long total;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "xip-demo: %s: %s\n", path, strerror(errno));
		return 1;
	}
	total = (st.st_size + page_size - 1) / page_size;
	memset(&cs, 0, sizeof(cs));
	if (syscall(__NR_cachestat, fd, &range, &cs, 0) == 0) {
		printf("cache %s pages=%" PRIu64 " total=%lu method=cachestat\n",
		       path, cs.nr_cache, total);
		return 0;
	}
	if (errno != ENOSYS) {
		fprintf(stderr, "xip-demo: cachestat %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* fallback: a fresh mapping has no ptes, so mincore asks the page cache */
	if (total) {
		unsigned char *vec = calloc(total, 1);
		void *p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		unsigned long i, n = 0;

		if (!vec || p == MAP_FAILED || mincore(p, st.st_size, vec) < 0) {
			fprintf(stderr, "xip-demo: mincore %s: %s\n", path, strerror(errno));
			return 1;
		}
		for (i = 0; i < total; i++)
			n += vec[i] & 1;
		printf("cache %s pages=%lu total=%lu method=mincore\n", path, n, total);
		return 0;
	}
	printf("cache %s pages=0 total=0 method=none\n", path);
	return 0;
}

/*
 * The /proc/iomem regions containing phys, outermost first, joined by '>'
 * (e.g. "Persistent_Memory_(legacy)>namespace0.0").  Needs root to see
 * real addresses.
 */
static void iomem_region(uint64_t phys, char *out, size_t outlen)
{
	char line[256], chain[8][64];
	int depth = 0, i;
	size_t used = 0;
	FILE *f = fopen("/proc/iomem", "r");

	snprintf(out, outlen, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		int indent = strspn(line, " ") / 2;
		char *name;

		if (indent >= 8 || indent > depth ||
		    sscanf(line, " %llx-%llx", &a, &b) != 2 || phys < a || phys > b)
			continue;
		name = strstr(line, " : ");
		if (!name)
			continue;
		name += 3;
		name[strcspn(name, "\n")] = 0;
		for (char *p = name; *p; p++)
			if (*p == ' ')
				*p = '_';
		snprintf(chain[indent], sizeof(chain[indent]), "%s", name);
		depth = indent + 1;
	}
	fclose(f);
	for (i = 0; i < depth && used < outlen; i++)
		used += snprintf(out + used, outlen - used, "%s%s", i ? ">" : "", chain[i]);
}

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

static const char *const kpf_names[] = {
	[0] = "LOCKED", [1] = "ERROR", [2] = "REFERENCED", [3] = "UPTODATE",
	[4] = "DIRTY", [5] = "LRU", [6] = "ACTIVE", [7] = "SLAB",
	[8] = "WRITEBACK", [9] = "RECLAIM", [10] = "BUDDY", [11] = "MMAP",
	[12] = "ANON", [13] = "SWAPCACHE", [14] = "SWAPBACKED",
	[15] = "COMPOUND_HEAD", [16] = "COMPOUND_TAIL", [17] = "HUGE",
	[18] = "UNEVICTABLE", [19] = "HWPOISON", [20] = "NOPAGE", [21] = "KSM",
	[22] = "THP", [23] = "OFFLINE", [24] = "ZERO_PAGE", [25] = "IDLE",
	[26] = "PGTABLE",
};

static void kpage_flags(uint64_t pfn, char *out, size_t outlen)
{
	uint64_t flags;
	size_t used = 0;
	int fd = open("/proc/kpageflags", O_RDONLY);

	snprintf(out, outlen, "unreadable");
	if (fd < 0)
		return;
	if (pread(fd, &flags, sizeof(flags), pfn * sizeof(flags)) == sizeof(flags)) {
		out[0] = 0;
		for (unsigned int i = 0; i < ARRAY_SIZE(kpf_names); i++) {
			if (!(flags & (1ULL << i)) || !kpf_names[i])
				continue;
			used += snprintf(out + used, outlen - used, "%s%s",
					 used ? "," : "", kpf_names[i]);
			if (used >= outlen)
				break;
		}
		if (!out[0])
			snprintf(out, outlen, "none");
	}
	close(fd);
}

/*
 * Device block (of page size) holding byte off of the file: FIEMAP, else
 * FIBMAP (ext2 -o dax has no bmap).  -1 if unknown.
 */
static long file_block(int fd, off_t off)
{
	struct fiemap *fm = calloc(1, sizeof(*fm) + sizeof(struct fiemap_extent));
	long blk = -1;
	int b;

	if (fm) {
		fm->fm_start = off;
		fm->fm_length = page_size;
		fm->fm_flags = FIEMAP_FLAG_SYNC;
		fm->fm_extent_count = 1;
		if (ioctl(fd, FS_IOC_FIEMAP, fm) == 0 && fm->fm_mapped_extents == 1) {
			struct fiemap_extent *e = &fm->fm_extents[0];

			if (!(e->fe_flags & (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_ENCODED)) &&
			    off >= (off_t)e->fe_logical)
				blk = (e->fe_physical + (off - e->fe_logical)) / page_size;
		}
		free(fm);
	}
	if (blk > 0)
		return blk;
	b = off / page_size;
	if (ioctl(fd, FIBMAP, &b) == 0 && b > 0)
		return b;
	return -1;
}

/* /dev name of a block device from sysfs (no udev in the guest) */
static void devname(unsigned int maj, unsigned int min, char *out, size_t outlen)
{
	char p[64], line[128];
	FILE *f;

	snprintf(out, outlen, "/dev/block/%u:%u", maj, min);
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/uevent", maj, min);
	f = fopen(p, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "DEVNAME=", 8)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(out, outlen, "/dev/%s", line + 8);
		}
	fclose(f);
}

static int cmd_self(void)
{
	uintptr_t addr = (uintptr_t)&cmd_self, page = addr & ~(uintptr_t)(page_size - 1);
	char line[512], path[256] = "", iomem[128], flags[256];
	unsigned long long start = 0, end = 0, off = 0, ino = 0;
	unsigned int maj = 0, min = 0;
	int found = 0, fd;
	uint64_t ent, pfn = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f) {
		perror("xip-demo: /proc/self/maps");
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char perms[8];
		int n = 0;

		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n",
			   &start, &end, perms, &off, &maj, &min, &ino, &n) < 7)
			continue;
		if (addr < start || addr >= end)
			continue;
		snprintf(path, sizeof(path), "%s", line + n);
		path[strcspn(path, "\n")] = 0;
		found = 1;
		break;
	}
	fclose(f);
	if (!found) {
		fprintf(stderr, "xip-demo: own text not found in /proc/self/maps\n");
		return 1;
	}
	off += page - start;	/* file offset of the executing page */

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &ent, 8, (page / page_size) * 8) != 8) {
		perror("xip-demo: /proc/self/pagemap");
		return 1;
	}
	close(fd);
	pfn = ent & ((1ULL << 55) - 1);
	iomem_region(pfn * page_size, iomem, sizeof(iomem));
	kpage_flags(pfn, flags, sizeof(flags));

	printf("self exe=%s dev=%u:%u offset=%llu vaddr=0x%lx present=%d file=%d pfn=0x%" PRIx64
	       " phys=0x%" PRIx64 " iomem=%s kpageflags=%s",
	       path, maj, min, off, (unsigned long)page, (int)(ent >> 63 & 1),
	       (int)(ent >> 61 & 1), pfn, pfn * page_size, iomem, flags);

	/* which device block holds this page of the file, and does it match? */
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		long blk = file_block(fd, off);

		if (blk > 0) {
			char dev[160];
			void *buf;
			int dfd;

			printf(" block=%ld", blk);
			devname(maj, min, dev, sizeof(dev));
			dfd = open(dev, O_RDONLY | O_DIRECT);
			if (dfd >= 0 && posix_memalign(&buf, page_size, page_size) == 0 &&
			    pread(dfd, buf, page_size, (off_t)blk * page_size) == page_size)
				printf(" device_bytes=%s",
				       memcmp(buf, (void *)page, page_size) ? "differ" : "match");
			if (dfd >= 0)
				close(dfd);
		}
		close(fd);
	}
	printf("\n");
	return 0;
}

static int cmd_devwrite(const char *file, const char *device)
{
	int fd = open(file, O_RDONLY), dfd;
	long blk;
	volatile unsigned char *map;
	unsigned char before, after, *buf;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < page_size) {
		fprintf(stderr, "xip-demo: %s: need a file of at least one page\n", file);
		return 1;
	}
	blk = file_block(fd, 0);
	if (blk <= 0) {
		fprintf(stderr, "xip-demo: %s: no device block found (FIEMAP, FIBMAP)\n", file);
		return 1;
	}
	map = mmap(NULL, page_size, PROT_READ, MAP_SHARED, fd, 0);
	dfd = open(device, O_RDWR | O_DIRECT);
	if (map == MAP_FAILED || dfd < 0 || posix_memalign((void **)&buf, page_size, page_size)) {
		fprintf(stderr, "xip-demo: devwrite setup: %s\n", strerror(errno));
		return 1;
	}
	before = map[0];
	if (pread(dfd, buf, page_size, (off_t)blk * page_size) != page_size)
		return perror("xip-demo: read device"), 1;
	buf[0] = before ^ 0xff;
	if (pwrite(dfd, buf, page_size, (off_t)blk * page_size) != page_size)
		return perror("xip-demo: write device"), 1;
	after = map[0];
	buf[0] = before;
	if (pwrite(dfd, buf, page_size, (off_t)blk * page_size) != page_size)
		return perror("xip-demo: restore device"), 1;
	printf("devwrite file=%s device=%s block=%ld ", file, device, blk);
	printf("before=0x%02x written=0x%02x seen=0x%02x mapping=%s\n",
	       before, before ^ 0xff, after,
	       after == (before ^ 0xff) ? "device" : "copy");
	return 0;
}

int main(int argc, char **argv)
{
	page_size = sysconf(_SC_PAGESIZE);
	if (argc == 3 && !strcmp(argv[1], "cache"))
		return cmd_cache(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "self"))
		return cmd_self();
	if (argc == 4 && !strcmp(argv[1], "devwrite"))
		return cmd_devwrite(argv[2], argv[3]);
	if (argc == 2 && !strcmp(argv[1], "hello")) {
		printf("hello from %s\n", argv[0]);
		return 0;
	}
	fprintf(stderr, "usage: xip-demo cache FILE | self | devwrite FILE DEVICE | hello\n");
	return 2;
}
