// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency tests of ext2 execute-in-place (mount -o xip): racing hole
 * fills through write(2) and shared mappings, truncate racing with faults
 * and reads, concurrent O_APPEND writers.
 *
 * Every loop is bounded by an iteration count and threads start together on
 * a pthread barrier; nothing sleeps.  Needs an XIP mount at $XIP_DIR.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>

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

FIXTURE(xip_stress) {
	char dir[PATH_MAX];
	bool relaxed;
};

FIXTURE_SETUP(xip_stress)
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
	ASSERT_GT((int)sizeof(self->dir),
		  snprintf(self->dir, sizeof(self->dir), "%s/s.%d.%s", real,
			   getpid(), _metadata->name));
	ASSERT_EQ(0, mkdir(self->dir, 0755))
		TH_LOG("mkdir %s: %s", self->dir, strerror(errno));
	ASSERT_EQ(0, xip_catch_sigbus());
}

/*
 * Runs in the parent of the test process, so that it also runs after a
 * failed assertion.
 */
FIXTURE_TEARDOWN_PARENT(xip_stress)
{
	if (self->dir[0])
		xip_rmtree(self->dir);
}

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

static int screate(FIXTURE_DATA(xip_stress) * self, const char *name,
		   int flags)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", self->dir, name) >=
	    (int)sizeof(path))
		return -1;
	return open(path, O_RDWR | O_CREAT | flags, 0644);
}

/* Small per-thread PRNG. */
static unsigned int lcg(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/*
 * Hole fill race: NPAGES hole pages, each split in NFILL slots; thread t
 * writes slot t of every page (even t by pwrite, odd t by stores through its
 * own shared mapping), each thread in a different page order.  A checker
 * re-reads every slot whose write has completed.  No slot may ever read
 * back as anything but its writer's data once written.
 */
#define NFILL		8
#define NPAGES		256
#define SLOT		(XIP_PAGE / NFILL)
#define FILL_ROUNDS	6
#define CHECK_PASSES	64

struct fill_shared {
	int fd;
	unsigned int round;
	pthread_barrier_t barrier;
	unsigned char done[NFILL][NPAGES];
	unsigned char expect[NPAGES * XIP_PAGE];	/* what each slot gets */
	int errors;		/* failed syscalls */
	int violations;		/* completed slot read back wrong */
	long first_bad;		/* file offset of the first violation */
};

struct fill_arg {
	struct fill_shared *sh;
	int id;
};

static unsigned int fill_seed(unsigned int round, int t)
{
	return 1000 + round * NFILL + t;
}

/* Slot t of every page gets pattern fill_seed(round, t). */
static void fill_expect(struct fill_shared *sh)
{
	int pg, t;

	for (pg = 0; pg < NPAGES; pg++)
		for (t = 0; t < NFILL; t++) {
			off_t off = (off_t)pg * PS + t * SLOT;

			xip_fill(sh->expect + off, SLOT,
				 fill_seed(sh->round, t), off);
		}
}

static void *fill_thread(void *p)
{
	struct fill_arg *a = p;
	struct fill_shared *sh = a->sh;
	char *m = NULL;
	int i;

	if (a->id % 2) {
		m = mmap(NULL, NPAGES * PS, PROT_READ | PROT_WRITE, MAP_SHARED,
			 sh->fd, 0);
		if (m == MAP_FAILED) {
			__atomic_add_fetch(&sh->errors, 1, __ATOMIC_RELAXED);
			m = NULL;
		}
	}
	pthread_barrier_wait(&sh->barrier);
	for (i = 0; i < NPAGES; i++) {
		int pg = (i * (2 * a->id + 1) + a->id * 37) % NPAGES;
		off_t off = (off_t)pg * PS + a->id * SLOT;

		if (m) {
			memcpy(m + off, sh->expect + off, SLOT);
		} else if (pwrite(sh->fd, sh->expect + off, SLOT, off) != SLOT) {
			__atomic_add_fetch(&sh->errors, 1, __ATOMIC_RELAXED);
			continue;
		}
		__atomic_store_n(&sh->done[a->id][pg], 1, __ATOMIC_RELEASE);
	}
	if (m)
		munmap(m, NPAGES * PS);
	return NULL;
}

static void fill_violation(struct fill_shared *sh, long off)
{
	if (__atomic_add_fetch(&sh->violations, 1, __ATOMIC_RELAXED) == 1)
		sh->first_bad = off;
}

static void *check_thread(void *p)
{
	struct fill_shared *sh = p;
	unsigned char data[SLOT];
	int pass, pg, t, pending = 1;
	char *m;

	m = mmap(NULL, NPAGES * PS, PROT_READ, MAP_SHARED, sh->fd, 0);
	if (m == MAP_FAILED) {
		__atomic_add_fetch(&sh->errors, 1, __ATOMIC_RELAXED);
		m = NULL;
	}
	pthread_barrier_wait(&sh->barrier);
	for (pass = 0; pass < CHECK_PASSES && pending; pass++) {
		pending = 0;
		for (pg = 0; pg < NPAGES; pg++) {
			for (t = 0; t < NFILL; t++) {
				off_t off = (off_t)pg * PS + t * SLOT;

				if (!__atomic_load_n(&sh->done[t][pg],
						     __ATOMIC_ACQUIRE)) {
					pending = 1;
					continue;
				}
				if (m && (pass + pg) % 2) {
					if (memcmp(m + off, sh->expect + off,
						   SLOT))
						fill_violation(sh, off);
					continue;
				}
				if (pread(sh->fd, data, SLOT, off) != SLOT) {
					__atomic_add_fetch(&sh->errors, 1,
							   __ATOMIC_RELAXED);
					continue;
				}
				if (memcmp(data, sh->expect + off, SLOT))
					fill_violation(sh, off);
			}
		}
	}
	if (m)
		munmap(m, NPAGES * PS);
	return NULL;
}

TEST_F_TIMEOUT(xip_stress, concurrent_hole_fill, 300)
{
	pthread_t th[NFILL + 1];
	struct fill_arg args[NFILL];
	struct fill_shared *sh;
	unsigned int round;
	char name[32];
	int i, t, pg;

	sh = calloc(1, sizeof(*sh));
	ASSERT_NE(NULL, sh);
	for (round = 0; round < FILL_ROUNDS; round++) {
		struct stat st;
		char *m;

		memset(sh, 0, sizeof(*sh));
		sh->round = round;
		fill_expect(sh);
		snprintf(name, sizeof(name), "fill%u", round);
		sh->fd = screate(self, name, O_EXCL);
		ASSERT_LE(0, sh->fd);
		ASSERT_EQ(0, ftruncate(sh->fd, NPAGES * PS));
		ASSERT_EQ(0, pthread_barrier_init(&sh->barrier, NULL,
						  NFILL + 1));
		for (i = 0; i < NFILL; i++) {
			args[i].sh = sh;
			args[i].id = i;
			ASSERT_EQ(0, pthread_create(&th[i], NULL, fill_thread,
						    &args[i]));
		}
		ASSERT_EQ(0, pthread_create(&th[NFILL], NULL, check_thread,
					    sh));
		for (i = 0; i <= NFILL; i++)
			ASSERT_EQ(0, pthread_join(th[i], NULL));
		pthread_barrier_destroy(&sh->barrier);

		ASSERT_EQ(0, sh->errors);
		ASSERT_EQ(0, sh->violations)
			TH_LOG("round %u: %d completed slots read back wrong, first at %ld",
			       round, sh->violations, sh->first_bad);

		/* every slot of every page holds its writer's data */
		ASSERT_EQ(0, fstat(sh->fd, &st));
		ASSERT_EQ(NPAGES * PS, st.st_size);
		ASSERT_LE(NPAGES * PS / 512, st.st_blocks);
		m = mmap(NULL, NPAGES * PS, PROT_READ, MAP_SHARED, sh->fd, 0);
		ASSERT_NE(MAP_FAILED, m);
		for (pg = 0; pg < NPAGES; pg++) {
			for (t = 0; t < NFILL; t++) {
				off_t off = (off_t)pg * PS + t * SLOT;
				unsigned int seed = fill_seed(round, t);

				ASSERT_EQ(-1, xip_verify_pattern(sh->fd, SLOT,
								 seed, off))
					TH_LOG("round %u page %d slot %d",
					       round, pg, t);
				ASSERT_EQ(-1, xip_check(m + off, SLOT, seed,
							off));
			}
		}
		munmap(m, NPAGES * PS);
		ASSERT_NO_CACHE(sh->fd);
		close(sh->fd);
	}
	free(sh);
}

/*
 * Truncate racing with faults and reads.  The racing file only ever holds
 * pattern RACE_SEED (or zeroes where it was cut and regrown), so every
 * successful read must see pattern or zero bytes.  A churn thread keeps
 * allocating, checking and freeing blocks of another file: a store through
 * a stale mapping into a freed block would show up there.
 */
#define RACE_LEN	(1024L * 1024)	/* 1 MiB */
#define RACE_SEED	50
#define CANARY_SEED	51
#define CHURN_SEED	52
#define CHURN_LEN	(64L << 10)
#define RACE_ITERS	200
#define RACE_MAX_LOOPS	2000000
#define RACE_THREADS	6	/* truncater, 2 mmap readers, pread, storer, churn */

struct race_shared {
	unsigned char pat[RACE_LEN];	/* pattern RACE_SEED */
	int fd;
	int churn_dir_fd;
	pthread_barrier_t barrier;
	int stop;
	int errors;
	int violations;
	long first_bad;
	long sigbus;
	long reads;
	int churn_bad;
};

static void race_violation(struct race_shared *sh, long off)
{
	if (__atomic_add_fetch(&sh->violations, 1, __ATOMIC_RELAXED) == 1)
		sh->first_bad = off;
}

static bool race_byte_ok(struct race_shared *sh, unsigned char c, long off)
{
	return c == 0 || c == sh->pat[off];
}

static void *truncate_thread(void *p)
{
	static const long sizes[] = {
		0, RACE_LEN / 3 + 5, 7 * XIP_PAGE + 123, RACE_LEN,
		XIP_PAGE, 100, RACE_LEN - 1, 2 * XIP_PAGE,
	};
	struct race_shared *sh = p;
	int i;

	pthread_barrier_wait(&sh->barrier);
	for (i = 0; i < RACE_ITERS; i++) {
		long sz = sizes[i % ARRAY_SIZE(sizes)];

		if (ftruncate(sh->fd, sz))
			__atomic_add_fetch(&sh->errors, 1, __ATOMIC_RELAXED);
		/* rewrite all on odd rounds, grow by truncate on even ones */
		if (i % 2) {
			if (xip_pwrite_all(sh->fd, sh->pat, RACE_LEN, 0))
				__atomic_add_fetch(&sh->errors, 1,
						   __ATOMIC_RELAXED);
		} else if (ftruncate(sh->fd, RACE_LEN)) {
			__atomic_add_fetch(&sh->errors, 1, __ATOMIC_RELAXED);
		}
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *map_reader_thread(void *p)
{
	struct race_shared *sh = p;
	unsigned int seed = (unsigned int)(uintptr_t)&seed;
	unsigned char buf[64];
	long loops, bus = 0, reads = 0;
	char *m;
	int i;

	m = mmap(NULL, RACE_LEN, PROT_READ, MAP_SHARED, sh->fd, 0);
	if (m == MAP_FAILED)
		__atomic_add_fetch(&sh->errors, 1, __ATOMIC_RELAXED);
	pthread_barrier_wait(&sh->barrier);
	if (m == MAP_FAILED)
		return NULL;
	for (loops = 0; loops < RACE_MAX_LOOPS &&
	     !__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE); loops++) {
		long off = (lcg(&seed) % (RACE_LEN / 64)) * 64;

		if (xip_probe_copy(buf, m + off, sizeof(buf))) {
			bus++;
			continue;
		}
		reads++;
		for (i = 0; i < (int)sizeof(buf); i++)
			if (!race_byte_ok(sh, buf[i], off + i)) {
				race_violation(sh, off + i);
				break;
			}
	}
	munmap(m, RACE_LEN);
	__atomic_add_fetch(&sh->sigbus, bus, __ATOMIC_RELAXED);
	__atomic_add_fetch(&sh->reads, reads, __ATOMIC_RELAXED);
	return NULL;
}

static void *pread_thread(void *p)
{
	struct race_shared *sh = p;
	unsigned int seed = 4242;
	unsigned char buf[XIP_PAGE];
	long loops, reads = 0;
	ssize_t n, i;

	pthread_barrier_wait(&sh->barrier);
	for (loops = 0; loops < RACE_MAX_LOOPS &&
	     !__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE); loops++) {
		long off = lcg(&seed) % RACE_LEN;

		n = pread(sh->fd, buf, sizeof(buf), off);
		if (n < 0) {
			__atomic_add_fetch(&sh->errors, 1, __ATOMIC_RELAXED);
			continue;
		}
		reads++;
		for (i = 0; i < n; i++)
			if (!race_byte_ok(sh, buf[i], off + i)) {
				race_violation(sh, off + i);
				break;
			}
	}
	__atomic_add_fetch(&sh->reads, reads, __ATOMIC_RELAXED);
	return NULL;
}

/* Stores pattern bytes through a shared mapping, faulting pages in. */
static void *map_store_thread(void *p)
{
	struct race_shared *sh = p;
	unsigned int seed = 777;
	long loops, bus = 0;
	unsigned char *m;

	m = mmap(NULL, RACE_LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
		 sh->fd, 0);
	if (m == MAP_FAILED)
		__atomic_add_fetch(&sh->errors, 1, __ATOMIC_RELAXED);
	pthread_barrier_wait(&sh->barrier);
	if (m == MAP_FAILED)
		return NULL;
	for (loops = 0; loops < RACE_MAX_LOOPS &&
	     !__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE); loops++) {
		long off = lcg(&seed) % RACE_LEN;

		bus += xip_probe_write(m + off, sh->pat[off]);
	}
	munmap(m, RACE_LEN);
	__atomic_add_fetch(&sh->sigbus, bus, __ATOMIC_RELAXED);
	return NULL;
}

/* Allocate, verify and free blocks of other files while the race runs. */
static void *churn_thread(void *p)
{
	struct race_shared *sh = p;
	long loops;
	char name[32];

	pthread_barrier_wait(&sh->barrier);
	for (loops = 0; loops < RACE_MAX_LOOPS &&
	     !__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE); loops++) {
		unsigned int seed = CHURN_SEED + loops % 1000;
		int fd;

		snprintf(name, sizeof(name), "churn%ld", loops % 4);
		fd = openat(sh->churn_dir_fd, name,
			    O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || xip_write_pattern(fd, CHURN_LEN, seed, 0)) {
			__atomic_add_fetch(&sh->errors, 1, __ATOMIC_RELAXED);
		} else if (xip_verify_pattern(fd, CHURN_LEN, seed, 0) != -1) {
			__atomic_add_fetch(&sh->churn_bad, 1,
					   __ATOMIC_RELAXED);
		}
		if (fd >= 0)
			close(fd);
		unlinkat(sh->churn_dir_fd, name, 0);
	}
	return NULL;
}

TEST_F_TIMEOUT(xip_stress, truncate_vs_fault_and_read, 600)
{
	void *(*fns[RACE_THREADS])(void *) = {
		truncate_thread, map_reader_thread, map_reader_thread,
		pread_thread, map_store_thread, churn_thread,
	};
	pthread_t th[RACE_THREADS];
	struct race_shared *sh;
	int canary, i;
	char *m;

	sh = calloc(1, sizeof(*sh));
	ASSERT_NE(NULL, sh);
	xip_fill(sh->pat, RACE_LEN, RACE_SEED, 0);
	canary = screate(self, "canary", O_EXCL);
	ASSERT_LE(0, canary);
	ASSERT_EQ(0, xip_write_pattern(canary, RACE_LEN, CANARY_SEED, 0));
	sh->fd = screate(self, "race", O_EXCL);
	ASSERT_LE(0, sh->fd);
	ASSERT_EQ(0, xip_write_pattern(sh->fd, RACE_LEN, RACE_SEED, 0));
	sh->churn_dir_fd = open(self->dir, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, sh->churn_dir_fd);

	ASSERT_EQ(0, pthread_barrier_init(&sh->barrier, NULL,
					  RACE_THREADS));
	for (i = 0; i < RACE_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, fns[i], sh));
	for (i = 0; i < RACE_THREADS; i++)
		ASSERT_EQ(0, pthread_join(th[i], NULL));
	pthread_barrier_destroy(&sh->barrier);
	TH_LOG("%ld reads, %ld SIGBUS caught", sh->reads, sh->sigbus);

	ASSERT_EQ(0, sh->errors);
	ASSERT_EQ(0, sh->violations)
		TH_LOG("%d reads saw foreign bytes, first at %ld",
		       sh->violations, sh->first_bad);
	ASSERT_EQ(0, sh->churn_bad)
		TH_LOG("another file's blocks were overwritten");

	/* settle: full size, full pattern, through read(2) and a mapping */
	ASSERT_EQ(0, ftruncate(sh->fd, RACE_LEN));
	ASSERT_EQ(0, xip_write_pattern(sh->fd, RACE_LEN, RACE_SEED, 0));
	ASSERT_EQ(-1, xip_verify_pattern(sh->fd, RACE_LEN, RACE_SEED, 0));
	m = mmap(NULL, RACE_LEN, PROT_READ, MAP_SHARED, sh->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(-1, xip_check(m, RACE_LEN, RACE_SEED, 0));
	munmap(m, RACE_LEN);
	ASSERT_EQ(-1, xip_verify_pattern(canary, RACE_LEN, CANARY_SEED, 0))
		TH_LOG("canary file corrupted");
	ASSERT_NO_CACHE(sh->fd);
	ASSERT_NO_CACHE(canary);
	close(sh->churn_dir_fd);
	close(sh->fd);
	close(canary);
	free(sh);
}

/* Concurrent O_APPEND writers: no record lost, torn or overwritten. */
#define APP_THREADS	4
#define APP_RECORDS	300
#define APP_REC		100

struct app_arg {
	char path[PATH_MAX];
	pthread_barrier_t *barrier;
	int id;
	int errors;
};

static void app_record(unsigned char *rec, int t, int seq)
{
	xip_fill(rec, APP_REC, 60 + t, (uint64_t)seq * APP_REC);
	rec[0] = t;
	rec[1] = seq & 0xff;
	rec[2] = seq >> 8;
}

static void *append_thread(void *p)
{
	struct app_arg *a = p;
	unsigned char rec[APP_REC];
	int fd, seq;

	fd = open(a->path, O_WRONLY | O_APPEND);
	if (fd < 0)
		a->errors++;
	pthread_barrier_wait(a->barrier);
	if (fd < 0)
		return NULL;
	for (seq = 0; seq < APP_RECORDS; seq++) {
		app_record(rec, a->id, seq);
		if (write(fd, rec, APP_REC) != APP_REC)
			a->errors++;
	}
	close(fd);
	return NULL;
}

TEST_F_TIMEOUT(xip_stress, concurrent_append, 120)
{
	struct app_arg args[APP_THREADS];
	pthread_t th[APP_THREADS];
	pthread_barrier_t barrier;
	int next[APP_THREADS] = { 0 };
	unsigned char rec[APP_REC], want[APP_REC];
	int fd, i, t, seq;
	struct stat st;

	fd = screate(self, "log", O_EXCL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pthread_barrier_init(&barrier, NULL, APP_THREADS));
	for (i = 0; i < APP_THREADS; i++) {
		ASSERT_GT((int)sizeof(args[i].path),
			  snprintf(args[i].path, sizeof(args[i].path),
				   "%s/log", self->dir));
		args[i].barrier = &barrier;
		args[i].id = i;
		args[i].errors = 0;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, append_thread,
					    &args[i]));
	}
	for (i = 0; i < APP_THREADS; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		ASSERT_EQ(0, args[i].errors);
	}
	pthread_barrier_destroy(&barrier);

	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_EQ((long)APP_THREADS * APP_RECORDS * APP_REC, st.st_size);
	for (i = 0; i < APP_THREADS * APP_RECORDS; i++) {
		ASSERT_EQ(APP_REC, pread(fd, rec, APP_REC, (off_t)i * APP_REC));
		t = rec[0];
		ASSERT_GT(APP_THREADS, t) TH_LOG("record %d: bad writer", i);
		seq = rec[1] | rec[2] << 8;
		/* each writer's records appear in order */
		ASSERT_EQ(next[t], seq) TH_LOG("record %d of writer %d", i, t);
		app_record(want, t, seq);
		ASSERT_EQ(0, memcmp(rec, want, APP_REC))
			TH_LOG("record %d torn", i);
		next[t]++;
	}
	ASSERT_NO_CACHE(fd);
	close(fd);
}

TEST_HARNESS_MAIN
