// SPDX-License-Identifier: GPL-2.0
/*
 * Guest helper of 'make share' (scripts/guest/share.sh).
 *
 *   xip-share cachestat FILE...
 *	prints "FILE CACHED_PAGES TOTAL_PAGES" for each file or block device:
 *	the pages of it in this kernel's page cache, from cachestat(2), or
 *	from mincore(2) over a fresh shared mapping where cachestat is missing.
 *   xip-share mount-rw DEV DIR OPTIONS
 *	mount(2) DEV on DIR as ext2 read-write with OPTIONS, without the
 *	read-only fallback of mount(8); prints the errno on failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

struct cs_range { unsigned long long off, len; };
struct cs_stat {
	unsigned long long cache, dirty, writeback, evicted, recently_evicted;
};

static long cached_pages(int fd, off_t size, const char *how[])
{
	long psz = sysconf(_SC_PAGESIZE), n = 0, i, pages = (size + psz - 1) / psz;
	struct cs_range r = { 0, 0 };	/* len 0: to the end of the file */
	struct cs_stat cs;
	unsigned char *vec;
	void *p;

	if (syscall(__NR_cachestat, fd, &r, &cs, 0) == 0) {
		*how = "cachestat";
		return cs.cache;
	}
	if (errno != ENOSYS)
		return -1;
	*how = "mincore";
	if (!pages)
		return 0;
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	vec = malloc(pages);
	if (p == MAP_FAILED || !vec || mincore(p, size, vec))
		return -1;
	for (i = 0; i < pages; i++)
		n += vec[i] & 1;
	munmap(p, size);
	free(vec);
	return n;
}

int main(int argc, char **argv)
{
	long psz = sysconf(_SC_PAGESIZE);
	const char *how = "";
	int i, rc = 0;

	if (argc == 5 && !strcmp(argv[1], "mount-rw")) {
		if (mount(argv[2], argv[3], "ext2", 0, argv[4]) == 0) {
			printf("mounted %s read-write with -o %s\n", argv[2], argv[4]);
			return 0;
		}
		printf("refused: mount -o %s (read-write) of %s: %s (errno %d)\n",
		       argv[4], argv[2], strerror(errno), errno);
		return 1;
	}
	if (argc < 3 || strcmp(argv[1], "cachestat")) {
		fprintf(stderr, "usage: xip-share cachestat FILE... | mount-rw DEV DIR OPTIONS\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		off_t size = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
		long n = size < 0 ? -1 : cached_pages(fd, size, &how);

		if (n < 0) {
			fprintf(stderr, "xip-share: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
		} else {
			printf("%s %ld %lld %s\n", argv[i], n,
			       (long long)((size + psz - 1) / psz), how);
		}
		if (fd >= 0)
			close(fd);
	}
	return rc;
}
