// SPDX-License-Identifier: GPL-2.0
/*
 * xip-bench: what execute-in-place costs and saves, measured in a test guest
 * (scripts/guest/bench.sh, 'make bench').
 *
 *   xip-bench [OPTIONS] DIR SETUP
 *	Runs every measurement on files in DIR, the root of a freshly made
 *	file system (ext2 -o xip, plain ext2, ext2 -o dax, tmpfs).
 *   xip-bench [OPTIONS] -c SETUP
 *	The limit: memcpy of the same size from anonymous memory into the
 *	same 1 MiB buffer that read(2) fills (read_MBps only).
 *   xip-bench noop
 *	Exits at once; what the exec benchmark runs.
 *
 * Options (sizes in MiB):
 *   -m MIB   the read/mmap/exec file (default 64)
 *   -w MIB   what each write test writes (default 16)
 *   -p MIB   the part of the file that the mmap tests touch (default 16)
 *   -s LIST  file sizes of the per-page read cost sweep (default 1,16,256)
 *   -n N     samples per metric, the median is reported (default 7)
 *   -t SEC   a sample repeats its operation for at least SEC s (default 0.2);
 *            one more sample before them is thrown away (warm-up)
 *
 * Output, one line per metric (the median of N samples), and the samples:
 *
 *   RESULT <setup> <metric> <value> <unit>
 *   SAMPLES <setup> <metric> <v1> <v2> ...
 *
 * Everything runs on CPU 0 (exec children too), except the two readers of
 * read_2readers_MBps, which run on CPUs 0 and 1.
 *
 * Memory metrics are exact: page-cache pages of the file (cachestat(2)) and
 * the growth of "Cached" in /proc/meminfo.  Time metrics under QEMU TCG are
 * emulation speeds, only good for comparing the set-ups measured in the
 * same guest.  "cold" and "first touch" samples follow a drop_caches.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef __NR_cachestat
#define __NR_cachestat	451
#endif

#define MIB		(1024UL * 1024)
#define CHUNK		MIB
#define PAGE		4096UL
#define MAX_SAMPLES	64
#define RAND_OPS	2048	/* random 4 KiB preads per rand4k sample */

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

static const char *setup;
static int failed;
static int nsamples = 7;
static char *buf;	/* CHUNK bytes of 0x5a */

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

static void print_value(double v)
{
	if (v >= 100 || v <= -100)
		printf(" %.0f", v);
	else if (v >= 1 || v <= -1)
		printf(" %.2f", v);
	else
		printf(" %.4f", v);
}

static void result(const char *metric, double value, const char *unit)
{
	printf("RESULT %s %s", setup, metric);
	print_value(value);
	printf(" %s\n", unit);
	fflush(stdout);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Report the median of @n samples (and the samples themselves). */
static void result_median(const char *metric, double *v, int n,
			  const char *unit)
{
	double s[MAX_SAMPLES];
	int i;

	printf("SAMPLES %s %s", setup, metric);
	for (i = 0; i < n; i++)
		print_value(v[i]);
	printf("\n");
	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	result(metric, n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2, unit);
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

/*
 * Write @size bytes in @chunk calls to @path opened with @flags (at offset
 * 0, or at EOF with O_APPEND), fsync and close.  Returns the seconds taken,
 * open to close.
 */
static double write_file(const char *path, int flags, size_t size,
			 size_t chunk)
{
	double t = now();
	size_t done;
	int fd;

	fd = open(path, O_WRONLY | flags, 0644);
	if (fd < 0)
		die(path);
	for (done = 0; done < size; done += chunk)
		if (write(fd, buf, chunk) != (ssize_t)chunk)
			die("write");
	if (fsync(fd))
		die("fsync");
	close(fd);
	return now() - t;
}

static void create_file(const char *path, size_t size)
{
	unlink(path);
	write_file(path, O_CREAT | O_TRUNC, size, CHUNK);
}

static double read_all(int fd, size_t size, char *dst)
{
	double t = now();
	size_t done;

	for (done = 0; done < size; done += CHUNK)
		if (pread(fd, dst, CHUNK, done) != (ssize_t)CHUNK)
			die("read");
	return now() - t;
}

static int open_ro(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die(path);
	return fd;
}

/*
 * The operations measured.  Each returns the seconds it took; set-up work
 * (drop_caches, re-creating a file, mmap/munmap) is not timed.
 */
struct op {
	const char *path;
	size_t size;		/* bytes per call */
	size_t chunk;		/* bytes per read/write call */
	int fd;
};

static double op_write_new(struct op *o)
{
	unlink(o->path);
	return write_file(o->path, O_CREAT | O_TRUNC, o->size, o->chunk);
}

static double op_overwrite(struct op *o)
{
	return write_file(o->path, 0, o->size, o->chunk);
}

/* append to a file that already holds 1 MiB */
static double op_append(struct op *o)
{
	create_file(o->path, MIB);
	return write_file(o->path, O_APPEND, o->size, o->chunk);
}

static double op_read(struct op *o)
{
	return read_all(o->fd, o->size, buf);
}

static double op_read_cold(struct op *o)
{
	double t;
	int fd;

	drop_page_cache();
	fd = open_ro(o->path);
	t = read_all(fd, o->size, buf);
	close(fd);
	return t;
}

static unsigned long rand_state = 12345;

static double op_rand(struct op *o)
{
	unsigned long pages = o->size / PAGE;
	double t = now();
	off_t off;
	int j;

	for (j = 0; j < RAND_OPS; j++) {
		rand_state = rand_state * 6364136223846793005UL +
			     1442695040888963407UL;
		off = ((rand_state >> 33) % pages) * PAGE;
		if (pread(o->fd, buf, PAGE, off) != (ssize_t)PAGE)
			die("pread");
	}
	return now() - t;
}

/* two processes read all of the file at once */
/* Run on CPU @cpu only (ignored if the guest has no such CPU). */
static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static double op_2readers(struct op *o)
{
	int go[2], i, status;
	double t;
	pid_t pid;

	if (pipe(go))
		die("pipe");
	for (i = 0; i < 2; i++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			char *dst = malloc(CHUNK), c;
			int fd = open_ro(o->path);

			pin(i);		/* one reader per CPU */
			close(go[1]);
			if (!dst || read(go[0], &c, 1) != 0)
				_exit(1);
			read_all(fd, o->size, dst);
			_exit(0);
		}
	}
	close(go[0]);
	t = now();
	close(go[1]);		/* EOF: both start */
	for (i = 0; i < 2; i++)
		if (wait(&status) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			fprintf(stderr, "xip-bench: a reader failed\n");
			exit(1);
		}
	return now() - t;
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

static double op_mmap_first(struct op *o)
{
	double t;
	int fd;

	drop_page_cache();
	fd = open_ro(o->path);
	t = touch_mapping(fd, o->size);
	close(fd);
	return t;
}

static double op_mmap_again(struct op *o)
{
	return touch_mapping(o->fd, o->size);
}

static double op_exec(struct op *o)
{
	char *const argv[] = { (char *)o->path, "noop", NULL };
	char *const envp[] = { NULL };
	double t = now();
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		execve(o->path, argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "xip-bench: %s noop failed\n", o->path);
		exit(1);
	}
	return now() - t;
}

static double min_sample = 0.2;	/* seconds a sample lasts at least */

/* Seconds per call of @fn, called for at least min_sample seconds. */
static double sample(double (*fn)(struct op *), struct op *o)
{
	double start = now(), timed = 0;
	long n = 0;

	do {
		timed += fn(o);
		n++;
	} while (now() - start < min_sample);
	return timed / n;
}

/*
 * Report the median of nsamples samples of @fn, after one sample that is
 * thrown away (warm-up): @work / (seconds per call) if @rate (MB/s), else
 * (seconds per call) * @work (us per page or per call).
 */
static void measure(const char *metric, const char *unit,
		    double (*fn)(struct op *), struct op *o, double work,
		    int rate)
{
	double v[MAX_SAMPLES], t;
	int i;

	sample(fn, o);
	for (i = 0; i < nsamples; i++) {
		t = sample(fn, o);
		v[i] = rate ? work / t : t * work;
	}
	result_median(metric, v, nsamples, unit);
}

static void bench_write(const char *dir, size_t size)
{
	char path[4096];
	struct op o = { path, size, CHUNK, -1 };

	snprintf(path, sizeof(path), "%s/write.dat", dir);
	measure("write_new_MBps", "MB/s", op_write_new, &o, size / 1e6, 1);
	create_file(path, size);
	measure("overwrite_MBps", "MB/s", op_overwrite, &o, size / 1e6, 1);
	o.chunk = PAGE;
	measure("append_4k_MBps", "MB/s", op_append, &o, size / 1e6, 1);
	o.chunk = CHUNK;
	measure("append_1m_MBps", "MB/s", op_append, &o, size / 1e6, 1);
	unlink(path);
}

static void bench_read(const char *path, size_t size, size_t mmap_size)
{
	struct op o = { path, size, CHUNK, -1 };
	long cached_kb;
	int fd;

	/* memory: what one cold read leaves in the page cache */
	drop_page_cache();
	cached_kb = meminfo_kb("Cached");
	fd = open_ro(path);
	read_all(fd, size, buf);
	result("read_cached_growth_KiB", meminfo_kb("Cached") - cached_kb,
	       "KiB");
	result("read_file_pagecache_KiB", cached_pages(fd) * (PAGE / 1024.0),
	       "KiB");
	close(fd);

	measure("read_cold_MBps", "MB/s", op_read_cold, &o, size / 1e6, 1);
	o.fd = open_ro(path);
	measure("read_MBps", "MB/s", op_read, &o, size / 1e6, 1);
	measure("rand4k_us", "us", op_rand, &o, 1e6 / RAND_OPS, 0);
	measure("read_2readers_MBps", "MB/s", op_2readers, &o,
		2 * size / 1e6, 1);

	o.size = mmap_size;
	measure("mmap_fault_us_per_page", "us", op_mmap_first, &o,
		1e6 / (mmap_size / PAGE), 0);
	measure("mmap_refault_us_per_page", "us", op_mmap_again, &o,
		1e6 / (mmap_size / PAGE), 0);
	result("mmap_file_pagecache_KiB", cached_pages(o.fd) * (PAGE / 1024.0),
	       "KiB");
	close(o.fd);
}

static void copy_self(const char *dst)
{
	char b[65536];
	ssize_t n;
	int in, out;

	in = open("/proc/self/exe", O_RDONLY);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (in < 0 || out < 0)
		die("copy of /proc/self/exe");
	while ((n = read(in, b, sizeof(b))) > 0)
		if (write(out, b, n) != n)
			die("write of the binary copy");
	if (n < 0 || fsync(out))
		die("copy of /proc/self/exe");
	close(in);
	close(out);
}

static void bench_exec(const char *path)
{
	struct op o = { path, 0, 0, -1 };
	long cached_kb;
	int fd;

	copy_self(path);
	drop_page_cache();
	cached_kb = meminfo_kb("Cached");
	measure("exec_us", "us", op_exec, &o, 1e6, 0);
	result("exec_cached_growth_KiB", meminfo_kb("Cached") - cached_kb,
	       "KiB");
	fd = open_ro(path);
	result("exec_file_pagecache_KiB", cached_pages(fd) * (PAGE / 1024.0),
	       "KiB");
	close(fd);
	unlink(path);
}

/* Warm sequential read cost per 4 KiB page of a file of @mib MiB. */
static void bench_sweep_one(const char *dir, unsigned long mib)
{
	size_t size = mib * MIB;
	struct statvfs st;
	char path[4096], metric[64];
	struct op o = { path, size, CHUNK, -1 };

	if (statvfs(dir, &st))
		die("statvfs");
	if ((double)st.f_bavail * st.f_frsize < size * 1.01) {
		printf("# %s: a %lu MiB file does not fit (%.0f MiB free): no read_us_per_page_%luM\n",
		       setup, mib, (double)st.f_bavail * st.f_frsize / MIB, mib);
		failed = 1;
		return;
	}
	snprintf(path, sizeof(path), "%s/sweep.dat", dir);
	snprintf(metric, sizeof(metric), "read_us_per_page_%luM", mib);
	create_file(path, size);
	o.fd = open_ro(path);
	measure(metric, "us", op_read, &o, 1e6 / (size / PAGE), 0);
	close(o.fd);
	unlink(path);
}

static void bench_sweep(const char *dir, const char *list)
{
	char *copy = strdup(list), *tok, *save;

	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (strtoul(tok, NULL, 10))
			bench_sweep_one(dir, strtoul(tok, NULL, 10));
	free(copy);
}

/*
 * The limit for read(2): copy from memory into the same 1 MiB buffer, with
 * the instruction the kernel's copy_to_user() uses on QEMU's default x86_64
 * CPU (rep movsq: no ERMS/FSRM there).  Under TCG that is much faster than
 * glibc's vector memcpy (also reported, as a comment line).
 */
static void copy_chunk(void *dst, const void *src, size_t n, int libc)
{
#if defined(__x86_64__)
	size_t q = n / 8;

	if (!libc) {
		__asm__ __volatile__("rep movsq"
				     : "+D"(dst), "+S"(src), "+c"(q)
				     : : "memory");
		return;
	}
#endif
	memcpy(dst, src, n);
	__asm__ __volatile__("" : : "r"(dst) : "memory");	/* keep the copy */
}

static char *copy_src;
static int copy_libc;

static double op_copy(struct op *o)
{
	double t = now();
	size_t off;

	for (off = 0; off < o->size; off += CHUNK)
		copy_chunk(buf, copy_src + off, CHUNK, copy_libc);
	return now() - t;
}

static void bench_memcpy(size_t size)
{
	struct op o = { NULL, size, CHUNK, -1 };
	double t;

	copy_src = malloc(size);
	if (!copy_src)
		die("malloc");
	memset(copy_src, 0x5a, size);
	measure("read_MBps", "MB/s", op_copy, &o, size / 1e6, 1);
	copy_libc = 1;
	sample(op_copy, &o);
	t = sample(op_copy, &o);
#if defined(__x86_64__)
	printf("# %s: glibc memcpy() %.0f MB/s (read_MBps: rep movsq, as copy_to_user() here)\n",
	       setup, size / 1e6 / t);
#else
	printf("# %s: read_MBps is glibc memcpy() (%.0f MB/s again)\n",
	       setup, size / 1e6 / t);
#endif
	free(copy_src);
}

static void usage(void)
{
	fprintf(stderr, "usage: xip-bench [-m MIB] [-w MIB] [-p MIB] [-s LIST] [-n N] [-t SEC] DIR SETUP\n"
			"       xip-bench [-m MIB] [-n N] [-t SEC] -c SETUP\n"
			"       xip-bench noop\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long mib = 64, write_mib = 16, mmap_mib = 16;
	const char *sweep = "1,16,256";
	char data[4096], bin[4096];
	int opt, copy = 0;

	if (argc == 2 && !strcmp(argv[1], "noop"))
		return 0;
	while ((opt = getopt(argc, argv, "m:w:p:s:n:t:c")) != -1) {
		switch (opt) {
		case 'm': mib = strtoul(optarg, NULL, 10); break;
		case 'w': write_mib = strtoul(optarg, NULL, 10); break;
		case 'p': mmap_mib = strtoul(optarg, NULL, 10); break;
		case 's': sweep = optarg; break;
		case 'n': nsamples = atoi(optarg); break;
		case 't': min_sample = atof(optarg); break;
		case 'c': copy = 1; break;
		default: usage();
		}
	}
	if (argc - optind != (copy ? 1 : 2) || !mib || !write_mib ||
	    !mmap_mib || nsamples < 1 || nsamples > MAX_SAMPLES)
		usage();
	if (mmap_mib > mib)
		mmap_mib = mib;
	setup = argv[argc - 1];

	buf = malloc(CHUNK);
	if (!buf)
		die("malloc");
	memset(buf, 0x5a, CHUNK);
	/*
	 * Everything but the two readers on one CPU: under TCG each guest CPU
	 * is a host thread, and a fork/exec or wake-up across guest CPUs
	 * costs whatever the host scheduler makes it cost.
	 */
	pin(0);

	if (copy) {
		bench_memcpy(mib * MIB);
		return 0;
	}
	snprintf(data, sizeof(data), "%s/bench.dat", argv[optind]);
	snprintf(bin, sizeof(bin), "%s/xip-bench", argv[optind]);

	bench_write(argv[optind], write_mib * MIB);
	create_file(data, mib * MIB);
	bench_read(data, mib * MIB, mmap_mib * MIB);
	unlink(data);
	bench_exec(bin);
	bench_sweep(argv[optind], sweep);
	free(buf);
	return failed;
}
