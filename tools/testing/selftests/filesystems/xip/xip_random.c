// SPDX-License-Identifier: GPL-2.0
/*
 * Seeded random tester of ext2 execute-in-place (mount -o xip).
 *
 * XIP_RANDOM_PROCS processes (forked) each own one file on $XIP_DIR and
 * keep an exact model of its contents and size.  Each runs its share of
 * XIP_RANDOM_OPS random operations from a PRNG seeded with
 * (XIP_RANDOM_SEED, process index): read(2)/pread(2), write(2)/pwrite(2),
 * O_APPEND writes, ftruncate(2) up and down, loads and stores through a
 * long lived MAP_SHARED mapping of the largest file size and through fresh
 * shared and private mappings at random file offsets, a forked child storing
 * through the inherited shared mapping, msync(2), fsync(2) and SIGBUS
 * beyond the EOF page.  Every result is compared with the model; the first
 * difference prints the seed, the process, the op number and the last ops.
 *
 * Rules of the model: bytes past EOF read as zero once the file grows
 * (truncate or write), even if they were stored through a mapping of the
 * EOF page while beyond EOF; private stores never reach the file; pages of
 * a private mapping not stored to follow the file.
 *
 * Plain TAP: one result per process, one for the final verification of all
 * files by the parent after every process has exited.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdarg.h>

#include "xip_helpers.h"

#define PS		((long)XIP_PAGE)
#define MAX_PAGES	32
#define MAXSZ		(MAX_PAGES * PS)
#define MAXLEN		(3 * PS)
#define RING		20
#define DEF_OPS		100000UL
#define DEF_SEED	1U
#define DEF_PROCS	3
#define MAX_PROCS	16

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define RND_UP(x)	(((x) + PS - 1) & ~(PS - 1))
#define RND_DOWN(x)	((x) & ~(PS - 1))

/* Shared with the parent (MAP_SHARED | MAP_ANONYMOUS), one per process. */
struct proc_state {
	unsigned char model[MAXSZ];
	long size;
	unsigned long ops_done;
	unsigned long fail_op;
	int failed;
	char path[PATH_MAX];
};

struct oprec {
	unsigned long nr;
	const char *name;
	long off;
	long len;
	long size;
};

struct ctx {
	int idx;
	unsigned int seed;
	uint64_t rng;
	int fd;
	int afd;		/* O_APPEND */
	unsigned char *map;	/* MAP_SHARED, MAXSZ, for the whole run */
	struct proc_state *st;
	struct oprec ring[RING];
	unsigned long nr;
	unsigned char wbuf[MAXLEN];
	unsigned char rbuf[MAXSZ];
};

static inline long lmin(long a, long b)
{
	return a < b ? a : b;
}

/* splitmix64 */
static uint64_t rnd(struct ctx *c)
{
	uint64_t z = (c->rng += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static long rnd_below(struct ctx *c, long n)
{
	return n > 0 ? (long)(rnd(c) % (uint64_t)n) : 0;
}

static void fill_random(struct ctx *c, unsigned char *b, long len)
{
	uint64_t r = 0;
	long i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			r = rnd(c);
		b[i] = (unsigned char)r ? (unsigned char)r : 0xa5;
		r >>= 8;
	}
}

static long pick_len(struct ctx *c)
{
	switch (rnd_below(c, 4)) {
	case 0:
		return 1 + rnd_below(c, 16);
	case 1:
		return 1 + rnd_below(c, 512);
	case 2:
		return 1 + rnd_below(c, PS);
	default:
		return 1 + rnd_below(c, MAXLEN);
	}
}

/* An offset in [0, limit], biased to EOF and page boundaries. */
static long pick_off(struct ctx *c, long limit)
{
	long size = c->st->size, o;

	switch (rnd_below(c, 4)) {
	case 0:
		o = rnd_below(c, limit + 1);
		break;
	case 1:
		o = size - 64 + rnd_below(c, 128);
		break;
	case 2:
		o = rnd_below(c, limit / PS + 1) * PS - 8 + rnd_below(c, 16);
		break;
	default:
		o = rnd_below(c, size + 1);
		break;
	}
	return o < 0 ? 0 : o > limit ? limit : o;
}

static void log_op(struct ctx *c, const char *name, long off, long len)
{
	struct oprec *r = &c->ring[c->nr % RING];

	r->nr = c->nr;
	r->name = name;
	r->off = off;
	r->len = len;
	r->size = c->st->size;
}

static int fail(struct ctx *c, const char *fmt, ...)
{
	char msg[8192];
	unsigned long i;
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg),
		     "# xip_random: MISMATCH seed %u proc %d op %lu: ",
		     c->seed, c->idx, c->nr);
	va_start(ap, fmt);
	n += vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	n += snprintf(msg + n, sizeof(msg) - n,
		      "\n# xip_random: proc %d last ops (size is before the op):\n",
		      c->idx);
	i = c->nr >= RING ? c->nr - RING + 1 : 0;
	for (; i <= c->nr && n < (int)sizeof(msg) - 128; i++) {
		struct oprec *r = &c->ring[i % RING];

		n += snprintf(msg + n, sizeof(msg) - n,
			      "#   op %lu %s off %ld len %ld size %ld\n",
			      r->nr, r->name, r->off, r->len, r->size);
	}
	fflush(stdout);
	if (write(STDOUT_FILENO, msg, lmin(n, (int)sizeof(msg) - 1)) < 0)
		perror("write");
	c->st->failed = 1;
	c->st->fail_op = c->nr;
	return -1;
}

/* Compare @len bytes seen at file offset @off with the model. */
static int cmp_model(struct ctx *c, const char *what, const unsigned char *got,
		     long off, long len)
{
	const unsigned char *m = c->st->model;
	long i;

	for (i = 0; i < len; i++)
		if (got[i] != m[off + i])
			return fail(c, "%s: offset %ld: got 0x%02x not 0x%02x (%ld+%ld, size %ld)",
				    what, off + i, got[i], m[off + i], off, len,
				    c->st->size);
	return 0;
}

/* pread [off, off + len) clipped to EOF and compare with the model. */
static int check_range(struct ctx *c, const char *what, long off, long len)
{
	long exp = off >= c->st->size ? 0 : lmin(len, c->st->size - off);
	ssize_t n;

	if (len <= 0)
		return 0;
	n = pread(c->fd, c->rbuf, len, off);
	if (n != exp)
		return fail(c, "%s: pread %ld at %ld returned %zd, expected %ld: %s",
			    what, len, off, n, exp, n < 0 ? strerror(errno) : "");
	return cmp_model(c, what, c->rbuf, off, exp);
}

static int check_fsize(struct ctx *c, const char *what)
{
	struct stat sb;

	if (fstat(c->fd, &sb))
		return fail(c, "%s: fstat: %s", what, strerror(errno));
	if (sb.st_size != c->st->size)
		return fail(c, "%s: st_size %lld, expected %ld", what,
			    (long long)sb.st_size, c->st->size);
	return 0;
}

/* Load [off, off + len) of the file through mapping @m of file offset @base. */
static int check_map(struct ctx *c, const char *what,
		     const unsigned char *m, long base, long off, long len)
{
	if (len <= 0)
		return 0;
	if (xip_probe_copy(c->rbuf, m + off - base, len))
		return fail(c, "%s: SIGBUS loading %ld+%ld (size %ld)", what,
			    off, len, c->st->size);
	return cmp_model(c, what, c->rbuf, off, len);
}

/* Store wbuf to [off, off + len) of mapping @m; update the model if shared. */
static int store_map(struct ctx *c, const char *what, unsigned char *m,
		     long base, long off, long len, bool shared)
{
	long size = c->st->size;

	if (xip_probe_copy(m + off - base, c->wbuf, len))
		return fail(c, "%s: SIGBUS storing %ld+%ld (size %ld)", what,
			    off, len, size);
	/* bytes beyond EOF are not file data: the model keeps zero */
	if (shared && off < size)
		memcpy(c->st->model + off, c->wbuf, lmin(len, size - off));
	return 0;
}

/* Model of a write of wbuf at [off, off + len) */
static void model_write(struct ctx *c, long off, long len)
{
	memcpy(c->st->model + off, c->wbuf, len);
	if (off + len > c->st->size)
		c->st->size = off + len;
}

static int op_read(struct ctx *c, bool positional)
{
	const char *name = positional ? "pread" : "read";
	long off = pick_off(c, MAXSZ + PS), len = pick_len(c), exp;
	ssize_t n;

	log_op(c, name, off, len);
	exp = off >= c->st->size ? 0 : lmin(len, c->st->size - off);
	if (positional) {
		n = pread(c->fd, c->rbuf, len, off);
	} else {
		if (lseek(c->fd, off, SEEK_SET) != off)
			return fail(c, "lseek %ld: %s", off, strerror(errno));
		n = read(c->fd, c->rbuf, len);
	}
	if (n != exp)
		return fail(c, "%s returned %zd, expected %ld: %s", name, n,
			    exp, n < 0 ? strerror(errno) : "");
	return cmp_model(c, name, c->rbuf, off, exp);
}

static int op_write(struct ctx *c, int kind)
{
	static const char * const names[] = { "write", "pwrite", "append" };
	long old = c->st->size, off, len;
	ssize_t n;

	if (kind == 2) {
		off = old;
		if (off >= MAXSZ)
			off = MAXSZ;
	} else {
		off = pick_off(c, MAXSZ - 1);
	}
	len = lmin(pick_len(c), MAXSZ - off);
	log_op(c, names[kind], off, len);
	if (!len)
		return 0;
	fill_random(c, c->wbuf, len);
	switch (kind) {
	case 0:
		if (lseek(c->fd, off, SEEK_SET) != off)
			return fail(c, "lseek %ld: %s", off, strerror(errno));
		n = write(c->fd, c->wbuf, len);
		break;
	case 1:
		n = pwrite(c->fd, c->wbuf, len, off);
		break;
	default:
		n = write(c->afd, c->wbuf, len);
		break;
	}
	if (n != len)
		return fail(c, "%s %ld at %ld returned %zd: %s", names[kind],
			    len, off, n, n < 0 ? strerror(errno) : "");
	model_write(c, off, len);
	if (kind == 2 && lseek(c->afd, 0, SEEK_CUR) != c->st->size)
		return fail(c, "append: file position %lld, expected %ld",
			    (long long)lseek(c->afd, 0, SEEK_CUR),
			    c->st->size);
	if (check_fsize(c, names[kind]))
		return -1;
	/* the old EOF page (a gap there must be zero) and the new data */
	if (check_range(c, names[kind], RND_DOWN(lmin(old, off)),
			off + len - RND_DOWN(lmin(old, off))))
		return -1;
	return check_map(c, names[kind], c->map, 0, off, len);
}

static int op_truncate(struct ctx *c)
{
	long old = c->st->size, ns;

	if (rnd_below(c, 2))
		ns = rnd_below(c, old + 1);
	else
		ns = old + rnd_below(c, MAXSZ - old + 1);
	if (!rnd_below(c, 4))
		ns = RND_DOWN(ns);
	log_op(c, ns < old ? "truncate down" : "truncate up", ns, 0);
	if (ftruncate(c->fd, ns))
		return fail(c, "ftruncate %ld: %s", ns, strerror(errno));
	if (ns < old)
		memset(c->st->model + ns, 0, old - ns);
	c->st->size = ns;
	if (check_fsize(c, "truncate"))
		return -1;
	/* the page of the lower EOF, both through read and the mapping */
	old = RND_DOWN(lmin(old, ns));
	if (check_range(c, "truncate", old, 2 * PS))
		return -1;
	return check_map(c, "truncate (map)", c->map, 0, old,
			 lmin(2 * PS, c->st->size - old));
}

static int op_map_load(struct ctx *c)
{
	long size = c->st->size, off, len;

	off = size ? rnd_below(c, size) : 0;
	len = lmin(pick_len(c), size - off);
	log_op(c, "map load", off, len);
	return check_map(c, "map load", c->map, 0, off, len);
}

static int op_map_store(struct ctx *c)
{
	long lim = RND_UP(c->st->size), off, len;

	off = lim ? rnd_below(c, lim) : 0;
	len = lmin(pick_len(c), lim - off);
	log_op(c, "map store", off, len);
	if (!len)
		return 0;
	fill_random(c, c->wbuf, len);
	if (store_map(c, "map store", c->map, 0, off, len, true))
		return -1;
	return check_range(c, "map store", off, len);
}

/* A fresh shared mapping of random pages: load, store, maybe msync. */
static int op_fresh_shared(struct ctx *c)
{
	long size = c->st->size, pages = RND_UP(size) / PS, pg, np, base;
	long mlen, off, len;
	unsigned char *m;

	pg = rnd_below(c, pages);
	np = 1 + rnd_below(c, pages - pg);
	base = pg * PS;
	mlen = np * PS;
	off = base + rnd_below(c, mlen);
	len = lmin(pick_len(c), base + mlen - off);
	log_op(c, "shared map", off, len);
	if (!pages)
		return 0;
	m = mmap(NULL, mlen, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, base);
	if (m == MAP_FAILED)
		return fail(c, "mmap shared %ld+%ld: %s", base, mlen,
			    strerror(errno));
	if (check_map(c, "shared map load", m, base, base,
		      lmin(mlen, size - base)))
		goto err;
	fill_random(c, c->wbuf, len);
	if (store_map(c, "shared map store", m, base, off, len, true))
		goto err;
	if (rnd_below(c, 2) && msync(m, mlen, MS_SYNC)) {
		fail(c, "msync: %s", strerror(errno));
		goto err;
	}
	munmap(m, mlen);
	if (check_range(c, "shared map store", off, len))
		return -1;
	return check_map(c, "shared map store (map)", c->map, 0, off,
			 lmin(len, size - off));
err:
	munmap(m, mlen);
	return -1;
}

/*
 * A private mapping: loads match the file, stores stay private, pages not
 * stored to still follow the file.
 */
static int op_private(struct ctx *c)
{
	long size = c->st->size, pages = RND_UP(size) / PS, pg, np, base;
	long mlen, off, len, lo, hi, q, qoff, qlen, qend;
	unsigned char *m;

	pg = rnd_below(c, pages);
	np = 1 + rnd_below(c, pages - pg);
	base = pg * PS;
	mlen = np * PS;
	off = base + rnd_below(c, mlen);
	len = lmin(pick_len(c), base + mlen - off);
	log_op(c, "private map", off, len);
	if (!pages)
		return 0;
	m = mmap(NULL, mlen, PROT_READ | PROT_WRITE, MAP_PRIVATE, c->fd, base);
	if (m == MAP_FAILED)
		return fail(c, "mmap private %ld+%ld: %s", base, mlen,
			    strerror(errno));
	if (rnd_below(c, 2) &&
	    check_map(c, "private map load", m, base, base,
		      lmin(mlen, size - base)))
		goto err;
	fill_random(c, c->wbuf, len);
	if (store_map(c, "private map store", m, base, off, len, false))
		goto err;
	if (memcmp(m + off - base, c->wbuf, len)) {
		fail(c, "private map: stored bytes not read back");
		goto err;
	}
	if (check_range(c, "private map store (file)", off, len) ||
	    check_map(c, "private map store (shared map)", c->map, 0, off,
		      lmin(len, size - off)))
		goto err;
	/* a page not stored to: a write(2) to it shows in the mapping */
	lo = (off - base) / PS;
	hi = (off + len - 1 - base) / PS;
	q = rnd_below(c, np);
	if (q < lo || q > hi) {
		qend = lmin(base + (q + 1) * PS, size);
		qoff = base + q * PS;
		if (qoff < qend) {
			qoff += rnd_below(c, qend - qoff);
			qlen = lmin(pick_len(c), qend - qoff);
			fill_random(c, c->wbuf, qlen);
			if (pwrite(c->fd, c->wbuf, qlen, qoff) != qlen) {
				fail(c, "pwrite %ld at %ld under the private map: %s",
				     qlen, qoff,
				     strerror(errno));
				goto err;
			}
			model_write(c, qoff, qlen);
			if (check_map(c, "private map, untouched page", m,
				      base, base + q * PS,
				      qend - base - q * PS))
				goto err;
		}
	}
	munmap(m, mlen);
	return 0;
err:
	munmap(m, mlen);
	return -1;
}

/* A child stores through the inherited shared mapping. */
static int op_fork(struct ctx *c)
{
	long lim = RND_UP(c->st->size), off, len;
	int status;
	pid_t pid;

	off = lim ? rnd_below(c, lim) : 0;
	len = lmin(pick_len(c), lim - off);
	log_op(c, "fork store", off, len);
	if (!len)
		return 0;
	fill_random(c, c->wbuf, len);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return fail(c, "fork: %s", strerror(errno));
	if (!pid)
		_exit(xip_probe_copy(c->map + off, c->wbuf, len) ? 2 : 0);
	if (waitpid(pid, &status, 0) != pid)
		return fail(c, "waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return fail(c, "fork store: child status 0x%x", status);
	if (off < c->st->size)
		memcpy(c->st->model + off, c->wbuf,
		       lmin(len, c->st->size - off));
	if (check_map(c, "fork store (parent map)", c->map, 0, off,
		      lmin(len, c->st->size - off)))
		return -1;
	return check_range(c, "fork store", off, len);
}

static int op_sync(struct ctx *c)
{
	switch (rnd_below(c, 3)) {
	case 0:
		log_op(c, "msync", 0, MAXSZ);
		if (msync(c->map, MAXSZ, rnd_below(c, 2) ? MS_SYNC : MS_ASYNC))
			return fail(c, "msync: %s", strerror(errno));
		return 0;
	case 1:
		log_op(c, "fsync", 0, 0);
		if (fsync(c->fd))
			return fail(c, "fsync: %s", strerror(errno));
		return 0;
	default:
		log_op(c, "fdatasync", 0, 0);
		if (fdatasync(c->fd))
			return fail(c, "fdatasync: %s", strerror(errno));
		return 0;
	}
}

/* A load from a page beyond the EOF page raises SIGBUS. */
static int op_sigbus(struct ctx *c)
{
	long lim = RND_UP(c->st->size), off;
	unsigned char v;

	off = lim + rnd_below(c, MAXSZ - lim);
	log_op(c, "sigbus load", off, 1);
	if (lim >= MAXSZ)
		return 0;
	if (!xip_probe_read(c->map + off, &v))
		return fail(c, "load at %ld beyond EOF page (size %ld) did not raise SIGBUS",
			    off, c->st->size);
	return 0;
}

static int verify_all(struct ctx *c, const char *what)
{
	if (check_fsize(c, what) || check_range(c, what, 0, MAXSZ))
		return -1;
	return check_map(c, what, c->map, 0, 0, c->st->size);
}

static int run_proc(struct ctx *c, unsigned long nops)
{
	static const struct {
		int weight;
		int op;
	} mix[] = {
		{ 12, 0 }, { 12, 1 }, { 10, 2 }, { 10, 3 }, { 5, 4 },
		{ 8, 5 }, { 12, 6 }, { 12, 7 }, { 5, 8 }, { 5, 9 },
		{ 2, 10 }, { 4, 11 }, { 2, 12 },
	};
	int total = 0, i, w, ret = 0;

	for (i = 0; i < (int)ARRAY_SIZE(mix); i++)
		total += mix[i].weight;
	for (c->nr = 0; !ret && c->nr < nops; c->nr++) {
		w = (int)rnd_below(c, total);
		for (i = 0; w >= mix[i].weight; i++)
			w -= mix[i].weight;
		switch (mix[i].op) {
		case 0:
			ret = op_read(c, false);
			break;
		case 1:
			ret = op_read(c, true);
			break;
		case 2:
		case 3:
		case 4:
			ret = op_write(c, mix[i].op - 2);
			break;
		case 5:
			ret = op_truncate(c);
			break;
		case 6:
			ret = op_map_load(c);
			break;
		case 7:
			ret = op_map_store(c);
			break;
		case 8:
			ret = op_fresh_shared(c);
			break;
		case 9:
			ret = op_private(c);
			break;
		case 10:
			ret = op_fork(c);
			break;
		case 11:
			ret = op_sync(c);
			break;
		default:
			ret = op_sigbus(c);
			break;
		}
		c->st->ops_done = c->nr + (ret ? 0 : 1);
	}
	if (!ret) {
		log_op(c, "final verify", 0, c->st->size);
		ret = verify_all(c, "final verify");
	}
	return ret;
}

static int child(int idx, unsigned int seed, unsigned long nops,
		 struct proc_state *st)
{
	struct ctx *c;

	c = calloc(1, sizeof(*c));
	if (!c) {
		printf("# proc %d: out of memory\n", idx);
		return 1;
	}
	c->idx = idx;
	c->seed = seed;
	c->rng = ((uint64_t)seed << 32) ^ (0x632BE59BD9B4E019ULL * (idx + 1));
	c->st = st;
	c->fd = open(st->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	c->afd = open(st->path, O_WRONLY | O_APPEND);
	if (c->fd < 0 || c->afd < 0) {
		printf("# proc %d: open %s: %s\n", idx, st->path,
		       strerror(errno));
		return 1;
	}
	c->map = mmap(NULL, MAXSZ, PROT_READ | PROT_WRITE, MAP_SHARED,
		      c->fd, 0);
	if (c->map == MAP_FAILED) {
		printf("# proc %d: mmap: %s\n", idx, strerror(errno));
		return 1;
	}
	if (xip_catch_sigbus()) {
		printf("# proc %d: sigaction: %s\n", idx, strerror(errno));
		return 1;
	}
	return run_proc(c, nops) ? 1 : 0;
}

/* The parent, after all processes exited: the file against the model. */
static int final_check(struct proc_state *st, int idx, bool relaxed)
{
	unsigned char *buf = NULL, *m = MAP_FAILED;
	struct stat sb;
	long i, pages;
	int fd, ret = -1;

	fd = open(st->path, O_RDONLY);
	if (fd < 0 || fstat(fd, &sb)) {
		printf("# final: proc %d: %s: %s\n", idx, st->path,
		       strerror(errno));
		goto out;
	}
	if (sb.st_size != st->size) {
		printf("# final: proc %d: size %lld, expected %ld\n", idx,
		       (long long)sb.st_size, st->size);
		goto out;
	}
	buf = malloc(MAXSZ);
	if (!buf || (st->size && xip_pread_all(fd, buf, st->size, 0))) {
		printf("# final: proc %d: read failed\n", idx);
		goto out;
	}
	for (i = 0; i < st->size; i++) {
		if (buf[i] != st->model[i]) {
			printf("# final: proc %d: offset %ld: read 0x%02x, expected 0x%02x\n",
			       idx, i, buf[i], st->model[i]);
			goto out;
		}
	}
	if (st->size) {
		m = mmap(NULL, st->size, PROT_READ, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED || memcmp(m, st->model, st->size)) {
			printf("# final: proc %d: mapping differs from the model\n",
			       idx);
			goto out;
		}
	}
	pages = xip_cached_pages(fd);
	if (pages && !relaxed) {
		printf("# final: proc %d: %ld page-cache pages (%s)\n", idx,
		       pages, pages < 0 ? strerror(errno) : "XIP file");
		goto out;
	}
	ret = 0;
out:
	if (m != MAP_FAILED)
		munmap(m, st->size);
	free(buf);
	if (fd >= 0)
		close(fd);
	return ret;
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *s = getenv(name);
	unsigned long v;
	char *end;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtoul(s, &end, 0);
	return errno || *end ? def : v;
}

int main(void)
{
	unsigned long total = env_ul("XIP_RANDOM_OPS", DEF_OPS);
	unsigned int seed = (unsigned int)env_ul("XIP_RANDOM_SEED", DEF_SEED);
	int nprocs = (int)env_ul("XIP_RANDOM_PROCS", DEF_PROCS);
	char real[PATH_MAX], fstype[64], opts[1024];
	bool relaxed = xip_relaxed();
	struct proc_state *st;
	pid_t pids[MAX_PROCS];
	unsigned long nops;
	int i, status = 0, fails = 0, final_fails = 0;

	if (nprocs < 1 || nprocs > MAX_PROCS)
		nprocs = DEF_PROCS;
	printf("TAP version 13\n");
	printf("# xip_random: seed %u, %lu ops, %d processes, files up to %ld KiB\n",
	       seed, total, nprocs, MAXSZ / 1024);
	printf("# (XIP_RANDOM_SEED, XIP_RANDOM_OPS, XIP_RANDOM_PROCS)\n");
	printf("1..%d\n", nprocs + 1);
	if (sysconf(_SC_PAGESIZE) != PS || !realpath(xip_dir(), real) ||
	    (!relaxed &&
	     (xip_mount_info(real, fstype, sizeof(fstype), opts, sizeof(opts)) ||
	      strcmp(fstype, "ext2") || !xip_opt_has(opts, "xip")))) {
		printf("# %s is not an ext2 -o xip mount, or the page size is not %ld\n",
		       xip_dir(), PS);
		for (i = 0; i <= nprocs; i++)
			printf("not ok %d setup\n", i + 1);
		return 1;
	}
	st = mmap(NULL, nprocs * sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED) {
		printf("Bail out! mmap: %s\n", strerror(errno));
		return 1;
	}
	fflush(stdout);
	for (i = 0; i < nprocs; i++) {
		nops = total / nprocs + ((unsigned long)i < total % nprocs);
		if (snprintf(st[i].path, sizeof(st[i].path),
			     "%s/xip_random.%d.%d", real, (int)getpid(), i) >=
		    (int)sizeof(st[i].path)) {
			printf("Bail out! path too long\n");
			return 1;
		}
		pids[i] = fork();
		if (pids[i] < 0) {
			printf("Bail out! fork: %s\n", strerror(errno));
			return 1;
		}
		if (!pids[i]) {
			status = child(i, seed, nops, &st[i]);
			fflush(stdout);
			_exit(status);
		}
	}
	for (i = 0; i < nprocs; i++) {
		bool ok;

		nops = total / nprocs + ((unsigned long)i < total % nprocs);
		ok = waitpid(pids[i], &status, 0) == pids[i] &&
		     WIFEXITED(status) && !WEXITSTATUS(status) &&
		     !st[i].failed && st[i].ops_done == nops;
		if (!ok) {
			fails++;
			printf("# proc %d: status 0x%x, %lu of %lu ops done%s\n",
			       i, status, st[i].ops_done, nops,
			       st[i].failed ? ", mismatch" : "");
		}
		printf("%sok %d proc %d seed %u ops %lu\n", ok ? "" : "not ",
		       i + 1, i, seed, nops);
		fflush(stdout);
	}
	for (i = 0; i < nprocs; i++) {
		if (final_check(&st[i], i, relaxed))
			final_fails++;
		unlink(st[i].path);
	}
	printf("%sok %d final verification of %d files\n",
	       final_fails ? "not " : "", nprocs + 1, nprocs);
	return fails || final_fails;
}
