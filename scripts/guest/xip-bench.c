// SPDX-License-Identifier: GPL-2.0
/*
 * xip-bench: what execute-in-place costs and saves, measured in a test guest
 * (scripts/guest/bench.sh, 'make bench').
 *
 *   xip-bench DIR LABEL [MIB]
 *
 * Works on a file of MIB MiB (default 64) and on a copy of this binary in
 * DIR, which must be the root of a freshly made ext2 file system, and prints
 * one line per measurement:
 *
 *   RESULT <label> <metric> <value> <unit>
 *
 * Memory metrics are exact: page-cache pages of the file (cachestat(2)) and
 * the growth of "Cached" in /proc/meminfo.  Time metrics under QEMU TCG are
 * emulation speeds, only good for comparing the file systems measured in the
 * same guest.  "cold" runs follow a drop_caches (root only).
 *
 *   xip-bench noop
 *	Exits at once; what the exec benchmark runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef __NR_cachestat
#define __NR_cachestat	451
#endif

#define CHUNK		(1024UL * 1024)
#define EXEC_RUNS	100
#define PAGE		4096UL

struct cachestat_range {
	uint64_t off;
	uint64_t len;
};

struct cachestat {
	uint64_t nr_cache;
	uint64_t nr_dirty;
	uint64_t nr_writeback;
	uint64_t nr_evicted;
	uint64_t nr_recently_evicted;
};

static const char *label;
static int failed;

static void die(const char *what)
{
	fprintf(stderr, "xip-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void result(const char *metric, double value, const char *unit)
{
	printf("RESULT %s %s %.1f %s\n", label, metric, value, unit);
	fflush(stdout);
}

/* Page-cache pages of @fd, or -1 (reported) if cachestat(2) fails. */
static long cached_pages(int fd)
{
	struct cachestat_range range = { 0, 0 };
	struct cachestat cs;

	if (syscall(__NR_cachestat, fd, &range, &cs, 0)) {
		fprintf(stderr, "xip-bench: cachestat: %s\n", strerror(errno));
		failed = 1;
		return -1;
	}
	return cs.nr_cache;
}

static long meminfo_kb(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long kb = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			kb = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return kb;
}

static void drop_page_cache(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd < 0 || write(fd, "3\n", 2) != 2)
		die("drop_caches (needs root)");
	close(fd);
}

static void bench_write(const char *path, size_t size, char *buf)
{
	double t;
	size_t done;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(path);
	t = now();
	for (done = 0; done < size; done += CHUNK)
		if (write(fd, buf, CHUNK) != (ssize_t)CHUNK)
			die("write");
	if (fsync(fd))
		die("fsync");
	t = now() - t;
	close(fd);
	result("write_MBps", size / t / 1e6, "MB/s");
}

static double read_all(int fd, size_t size, char *buf)
{
	double t = now();
	size_t done;

	for (done = 0; done < size; done += CHUNK)
		if (pread(fd, buf, CHUNK, done) != (ssize_t)CHUNK)
			die("read");
	return now() - t;
}

static void bench_read(const char *path, size_t size, char *buf)
{
	long cached_kb;
	double t;
	int fd;

	drop_page_cache();
	cached_kb = meminfo_kb("Cached");
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	t = read_all(fd, size, buf);
	result("read_cold_MBps", size / t / 1e6, "MB/s");
	result("read_cached_growth_KiB", meminfo_kb("Cached") - cached_kb,
	       "KiB");
	result("read_file_pagecache_KiB", cached_pages(fd) * (PAGE / 1024.0),
	       "KiB");
	t = read_all(fd, size, buf);
	result("read_warm_MBps", size / t / 1e6, "MB/s");
	close(fd);
}

/* Touch one byte of every page of a fresh shared mapping. */
static double touch_mapping(int fd, size_t size)
{
	volatile unsigned char *m;
	double t;
	size_t off;

	m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	t = now();
	for (off = 0; off < size; off += PAGE)
		(void)m[off];	/* volatile: the load is made */
	t = now() - t;
	munmap((void *)m, size);
	return t;
}

static void bench_mmap(const char *path, size_t size)
{
	double pages = size / PAGE;
	double t;
	int fd;

	drop_page_cache();
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	t = touch_mapping(fd, size);
	result("mmap_fault_cold_us_per_page", t * 1e6 / pages, "us");
	t = touch_mapping(fd, size);
	result("mmap_fault_warm_us_per_page", t * 1e6 / pages, "us");
	result("mmap_file_pagecache_KiB", cached_pages(fd) * (PAGE / 1024.0),
	       "KiB");
	close(fd);
}

static void copy_self(const char *dst)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	in = open("/proc/self/exe", O_RDONLY);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (in < 0 || out < 0)
		die("copy of /proc/self/exe");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			die("write of the binary copy");
	if (n < 0 || fsync(out))
		die("copy of /proc/self/exe");
	close(in);
	close(out);
}

static void bench_exec(const char *path)
{
	char *const argv[] = { (char *)path, "noop", NULL };
	char *const envp[] = { NULL };
	long cached_kb;
	double t;
	int i, fd, status;
	pid_t pid;

	drop_page_cache();
	cached_kb = meminfo_kb("Cached");
	t = now();
	for (i = 0; i < EXEC_RUNS; i++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			execve(path, argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			fprintf(stderr, "xip-bench: %s noop failed\n", path);
			exit(1);
		}
	}
	t = now() - t;
	result("exec_us", t * 1e6 / EXEC_RUNS, "us");
	result("exec_cached_growth_KiB", meminfo_kb("Cached") - cached_kb,
	       "KiB");
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	result("exec_file_pagecache_KiB", cached_pages(fd) * (PAGE / 1024.0),
	       "KiB");
	close(fd);
}

int main(int argc, char **argv)
{
	char data[4096], bin[4096];
	size_t size;
	char *buf;

	if (argc == 2 && !strcmp(argv[1], "noop"))
		return 0;
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: xip-bench DIR LABEL [MIB] | xip-bench noop\n");
		return 2;
	}
	label = argv[2];
	size = (argc == 4 ? strtoul(argv[3], NULL, 10) : 64) * CHUNK;
	if (!size)
		size = 64 * CHUNK;
	snprintf(data, sizeof(data), "%s/bench.dat", argv[1]);
	snprintf(bin, sizeof(bin), "%s/xip-bench", argv[1]);

	buf = malloc(CHUNK);
	if (!buf)
		die("malloc");
	memset(buf, 0x5a, CHUNK);

	bench_write(data, size, buf);
	bench_read(data, size, buf);
	bench_mmap(data, size);
	copy_self(bin);
	bench_exec(bin);
	unlink(data);
	unlink(bin);
	free(buf);
	return failed;
}
