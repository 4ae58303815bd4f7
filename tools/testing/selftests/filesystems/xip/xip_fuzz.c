// SPDX-License-Identifier: GPL-2.0
/*
 * xip_fuzz - hostile ext2 images against ext2 execute-in-place
 *
 *	xip_fuzz [-d DEV] [-m MNT] [-n N] [-s SEED] [-f FIRST] [-e EXPECTED]
 *		 BASE.img...
 *
 * Takes small valid ext2 images (made by mke2fs, see scripts/fuzz.sh) and
 * derives N hostile ones from them: image K is base image and mutations
 * drawn from a PRNG seeded with (SEED, K), so any image can be made again
 * from its number alone (-f K -n 1).  The mutations hit superblock fields,
 * group descriptors, bitmaps, inode fields, block pointers (direct,
 * indirect, double and triple indirect; beyond the device, beyond the
 * filesystem, at metadata, at each other), directory entries, and random
 * bytes.  Every 40th image is a control: the base image unchanged.
 *
 * Each image is written to DEV (a brd disk), mounted "-o xip" with
 * errors=continue, nodev, nosuid and noatime, and a fixed workload runs on
 * it in a child process: walk the tree (lstat, readdir, readlink), read
 * every regular file (windows at the start, at the first single, double
 * and triple indirect blocks and at the end), read failed pages again,
 * mmap the same windows and touch every page (SIGBUS is an outcome), run
 * bin/prog (as nobody, with an alarm), then write, append, store through
 * a mapping, truncate, create, make holes, unlink, rename, syncfs; then
 * umount.  The same image, made again from the seed, then gets the same
 * workload on a plain mount.  Every outcome is a record; the records of
 * the two mounts are compared.
 *
 * An image is "not ok" when
 *   - the kernel logged a report (oops, BUG, WARNING, KASAN, lockdep, ...)
 *     while it ran (read from /dev/kmsg; a marker "xip_fuzz: image K" is
 *     written there before each mount so that a report in the console can
 *     be tied to its image);
 *   - the workload hung, died, or the filesystem did not unmount;
 *   - the XIP mount read data that differs from what the plain mount read,
 *     or read data where the plain mount failed;
 *   - the XIP mount failed an access that the plain mount served, without
 *     an ext2 error being reported (EIO after ext2_error() is allowed);
 *   - one mount worked and the other did not, except that XIP refuses block
 *     sizes other than the page size;
 *   - bin/prog of an intact image ran differently under XIP;
 *   - data written through the XIP mount read back wrong where the plain
 *     mount read it back right, without an ext2 error.
 * Results of the writing part otherwise may differ (allocation differs) and
 * are only counted.  The last lines are "# fuzz:" statistics: how many
 * images mounted at all, per kind of mutation.
 *
 * Plain TAP, one result per image.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/poll.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>

#define PG		4096L
#define SB_OFF		1024
#define MAX_BASES	8
#define MAX_GROUPS	64
#define MAX_USED	512
#define MAX_LOCS	8192
#define MAX_BLKS	4096
#define MAX_MUTS	4
#define MAX_RECS	50000
#define MAX_DEPTH	6
#define MAX_ENTRIES	400
#define MAX_FILES	64
#define WORK_TIMEOUT	120	/* s, one mount's workload */
#define CONTROL_EVERY	40
#define DIAG_MAX	8

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- deterministic randomness ------------------------------------------ */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnd(r) % n) : 0;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		h = (h ^ *c++) * 0x100000001b3ULL;
	return h;
}

#define FNV0	0xcbf29ce484222325ULL

/* ---- little-endian fields ------------------------------------------------ */

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

/* ---- the base images ----------------------------------------------------- */

/* where a block pointer of the base image lives */
enum loc_kind {
	L_DIRECT,	/* i_block[0..11] */
	L_IND,		/* i_block[12] */
	L_DIND,		/* i_block[13] */
	L_TIND,		/* i_block[14] */
	L_IN_IND,	/* an entry of an indirect block: a data block */
	L_IN_DIND,	/* an entry of a double indirect block */
	L_IN_TIND,	/* an entry of a triple indirect block */
	L_KINDS
};

static const char * const loc_name[L_KINDS] = {
	"direct", "ind", "dind", "tind", "in-ind", "in-dind", "in-tind",
};

struct loc {
	uint32_t off;		/* byte offset of the pointer in the image */
	uint32_t ino;
	uint8_t kind;
};

struct base {
	char name[64];
	uint8_t *img;
	size_t size;
	uint32_t bs, blocks, first_data, bpg, ipg, ngroups, inodes;
	uint32_t inode_size, sb_block, gdt_block, itable_blocks;
	uint32_t bbitmap[MAX_GROUPS], ibitmap[MAX_GROUPS], itable[MAX_GROUPS];
	uint32_t used[MAX_USED];	/* inodes in use */
	uint32_t nused;
	uint32_t files[MAX_USED];	/* regular files among them */
	uint32_t nfiles;
	uint32_t dirs[MAX_USED];
	uint32_t ndirs;
	struct loc locs[MAX_LOCS];
	uint32_t nlocs, nloc_kind[L_KINDS];
	uint32_t data[MAX_BLKS];	/* data blocks of files */
	uint32_t ndata;
	uint32_t ind[MAX_BLKS];		/* indirect blocks of any level */
	uint32_t nind;
	uint32_t dirblk[MAX_BLKS];	/* directory blocks */
	uint32_t ndirblk;
};

static struct base bases[MAX_BASES];
static int nbases;
static uint64_t dev_size;
static int fails_total;

static void die(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

static uint8_t *inode_at(struct base *b, uint8_t *img, uint32_t ino)
{
	uint32_t g = (ino - 1) / b->ipg, i = (ino - 1) % b->ipg;

	return img + (size_t)b->itable[g] * b->bs + (size_t)i * b->inode_size;
}

static void add_loc(struct base *b, uint32_t off, uint32_t ino, int kind)
{
	if (b->nlocs >= MAX_LOCS)
		return;
	b->locs[b->nlocs].off = off;
	b->locs[b->nlocs].ino = ino;
	b->locs[b->nlocs].kind = kind;
	b->nlocs++;
	b->nloc_kind[kind]++;
}

static void add_blk(uint32_t *arr, uint32_t *n, uint32_t blk)
{
	if (*n < MAX_BLKS)
		arr[(*n)++] = blk;
}

/* Record the pointers of indirect block @blk (@level 1..3) and below. */
static void scan_ind(struct base *b, uint32_t ino, uint32_t blk, int level,
		     bool isdir)
{
	uint32_t p = b->bs / 4, i, zeros = 0;
	static const int kind[] = { 0, L_IN_IND, L_IN_DIND, L_IN_TIND };

	if (!blk || blk >= b->blocks)
		return;
	add_blk(b->ind, &b->nind, blk);
	for (i = 0; i < p; i++) {
		uint32_t off = blk * b->bs + 4 * i;
		uint32_t v = get32(b->img + off);

		/* every pointer in use and a few holes after them */
		if (v || zeros++ < 4)
			add_loc(b, off, ino, kind[level]);
		if (!v)
			continue;
		if (level > 1)
			scan_ind(b, ino, v, level - 1, isdir);
		else if (isdir)
			add_blk(b->dirblk, &b->ndirblk, v);
		else
			add_blk(b->data, &b->ndata, v);
	}
}

static void load_base(const char *path)
{
	struct base *b = &bases[nbases];
	const uint8_t *sb;
	uint32_t g, ino;
	struct stat st;
	int fd;

	if (nbases == MAX_BASES)
		die("more than %d base images", MAX_BASES);
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die("%s: %s", path, strerror(errno));
	b->size = st.st_size;
	b->img = malloc(b->size);
	if (!b->img || read(fd, b->img, b->size) != (ssize_t)b->size)
		die("%s: cannot read it", path);
	close(fd);
	snprintf(b->name, sizeof(b->name), "%s", strrchr(path, '/') ?
		 strrchr(path, '/') + 1 : path);
	if (strstr(b->name, ".img"))
		*strstr(b->name, ".img") = 0;

	sb = b->img + SB_OFF;
	if (b->size < 2048 || get16(sb + 56) != 0xef53)
		die("%s: not ext2", path);
	b->inodes = get32(sb + 0);
	b->blocks = get32(sb + 4);
	b->first_data = get32(sb + 20);
	b->bs = 1024U << get32(sb + 24);
	b->bpg = get32(sb + 32);
	b->ipg = get32(sb + 40);
	b->inode_size = get32(sb + 76) ? get16(sb + 88) : 128;
	b->ngroups = (b->blocks - b->first_data + b->bpg - 1) / b->bpg;
	b->sb_block = SB_OFF / b->bs;
	b->gdt_block = b->first_data + 1;
	b->itable_blocks = b->ipg * b->inode_size / b->bs;
	if (b->ngroups > MAX_GROUPS || (size_t)b->blocks * b->bs > b->size)
		die("%s: %u groups, %u blocks: not a small image", path,
		    b->ngroups, b->blocks);
	for (g = 0; g < b->ngroups; g++) {
		const uint8_t *d = b->img + b->gdt_block * b->bs + 32 * g;

		b->bbitmap[g] = get32(d);
		b->ibitmap[g] = get32(d + 4);
		b->itable[g] = get32(d + 8);
	}
	for (ino = 1; ino <= b->inodes && b->nused < MAX_USED; ino++) {
		uint8_t *in = inode_at(b, b->img, ino);
		uint16_t mode = get16(in);
		bool isdir = (mode & 0xf000) == 0x4000;
		bool isreg = (mode & 0xf000) == 0x8000;
		bool slowlink = (mode & 0xf000) == 0xa000 && get32(in + 28);
		int i;

		if (!mode || !get16(in + 26))
			continue;
		b->used[b->nused++] = ino;
		if (isreg)
			b->files[b->nfiles++] = ino;
		if (isdir)
			b->dirs[b->ndirs++] = ino;
		if (!isreg && !isdir && !slowlink)
			continue;
		for (i = 0; i < 12; i++) {
			uint32_t v = get32(in + 40 + 4 * i);

			add_loc(b, in + 40 + 4 * i - b->img, ino, L_DIRECT);
			if (v)
				add_blk(isdir ? b->dirblk : b->data,
					isdir ? &b->ndirblk : &b->ndata, v);
		}
		for (i = 0; i < 3; i++) {
			add_loc(b, in + 88 + 4 * i - b->img, ino, L_IND + i);
			scan_ind(b, ino, get32(in + 88 + 4 * i), i + 1, isdir);
		}
	}
	printf("# base %s: %u blocks of %u, %u groups, %u inodes, %u files, %u pointers (",
	       b->name, b->blocks, b->bs, b->ngroups, b->nused, b->nfiles,
	       b->nlocs);
	for (g = 0; g < L_KINDS; g++)
		printf("%s%s %u", g ? ", " : "", loc_name[g], b->nloc_kind[g]);
	printf("), %u data, %u indirect, %u directory blocks\n", b->ndata,
	       b->nind, b->ndirblk);
	nbases++;
}

/* ---- mutations ------------------------------------------------------------- */

enum mut_kind {
	M_SB, M_GDT, M_BITMAP, M_INODE, M_PTR, M_RUN, M_DIRENT, M_BYTES,
	M_KINDS
};

static const char * const mut_name[M_KINDS] = {
	"sb", "gdt", "bitmap", "inode", "ptr", "run", "dirent", "bytes",
};

/* weights of the kinds */
static const int mut_weight[M_KINDS] = { 14, 9, 7, 15, 30, 6, 8, 11 };

struct image {
	uint32_t nr;
	struct base *b;
	uint8_t *img;
	int nmuts;
	unsigned int kinds;	/* bit per enum mut_kind */
	char desc[1024];
};

static void describe(struct image *im, const char *fmt, ...)
{
	size_t len = strlen(im->desc);
	va_list ap;

	if (len && len + 2 < sizeof(im->desc)) {
		strcat(im->desc, "; ");
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(im->desc + len, sizeof(im->desc) - len, fmt, ap);
	va_end(ap);
}

static uint32_t dev_blocks(struct base *b)
{
	return dev_size / b->bs;
}

/* A value for a block pointer (or a metadata location); @self is the block
 * holding the pointer (0 if it is in an inode), @orig its current value.
 */
static uint32_t pick_block(struct base *b, struct rng *r, uint32_t self,
			   uint32_t orig, const char **why)
{
	uint32_t db = dev_blocks(b), g = below(r, b->ngroups);
	static const uint32_t far[] = {
		0xffffffff, 0x80000000, 0x7fffffff, 0xfffffffe, 0x10000000,
	};

	switch (below(r, 15)) {
	case 0:
		*why = "beyond-dev";
		return db + below(r, 4);
	case 1:
		*why = "far";
		return below(r, 2) ? far[below(r, ARRAY_SIZE(far))] :
			(uint32_t)rnd(r) | db;
	case 2:
		*why = "dev-last";
		return db - 1;
	case 3:
		*why = "beyond-fs";
		return b->blocks + below(r, 3);
	case 4:
		*why = "fs-last";
		return b->blocks - 1;
	case 5:
		*why = "sb";
		return b->sb_block ? b->sb_block : b->first_data + 1;
	case 6:
		*why = "gdt";
		return b->gdt_block;
	case 7:
		*why = "bitmap";
		return below(r, 2) ? b->bbitmap[g] : b->ibitmap[g];
	case 8:
		*why = "itable";
		return b->itable[g] + below(r, b->itable_blocks);
	case 9:
		*why = "self";
		if (self)
			return self;
		if (b->nind)
			return b->ind[below(r, b->nind)];
		return orig;
	case 10:
		*why = "other-data";
		return b->ndata ? b->data[below(r, b->ndata)] : orig + 1;
	case 11:
		*why = "other-ind";
		return b->nind ? b->ind[below(r, b->nind)] : orig + 1;
	case 12:
		*why = "dir";
		return b->ndirblk ? b->dirblk[below(r, b->ndirblk)] : 2;
	case 13:
		*why = "off-by-one";
		return below(r, 2) ? orig + 1 : orig - 1;
	default:
		*why = "zero";
		return 0;
	}
}

/* an "interesting" 32-bit value for a count or a size */
static uint32_t pick_u32(struct base *b, struct rng *r, uint32_t orig)
{
	static const uint32_t fixed[] = {
		0, 1, 0xffffffff, 0x7fffffff, 0x80000000,
	};
	uint32_t k = below(r, 12);

	if (k < ARRAY_SIZE(fixed))
		return fixed[k];
	switch (k) {
	case 5:
		return orig + 1;
	case 6:
		return orig - 1;
	case 7:
		return orig * 2;
	case 8:
		return orig / 2;
	case 9:
		return orig ^ (1U << below(r, 32));
	case 10:
		return dev_blocks(b) + below(r, 2);
	default:
		return (uint32_t)rnd(r);
	}
}

struct field {
	uint16_t off;
	uint8_t size;
	const char *name;
};

static const struct field sb_fields[] = {
	{ 0, 4, "s_inodes_count" }, { 4, 4, "s_blocks_count" },
	{ 8, 4, "s_r_blocks_count" }, { 12, 4, "s_free_blocks_count" },
	{ 16, 4, "s_free_inodes_count" }, { 20, 4, "s_first_data_block" },
	{ 24, 4, "s_log_block_size" }, { 28, 4, "s_log_frag_size" },
	{ 32, 4, "s_blocks_per_group" }, { 36, 4, "s_frags_per_group" },
	{ 40, 4, "s_inodes_per_group" }, { 52, 2, "s_mnt_count" },
	{ 54, 2, "s_max_mnt_count" }, { 58, 2, "s_state" },
	{ 60, 2, "s_errors" }, { 62, 2, "s_minor_rev_level" },
	{ 76, 4, "s_rev_level" }, { 84, 4, "s_first_ino" },
	{ 88, 2, "s_inode_size" }, { 90, 2, "s_block_group_nr" },
	{ 92, 4, "s_feature_compat" }, { 96, 4, "s_feature_incompat" },
	{ 100, 4, "s_feature_ro_compat" }, { 204, 1, "s_prealloc_blocks" },
	{ 205, 1, "s_prealloc_dir_blocks" }, { 206, 2, "s_reserved_gdt_blocks" },
	{ 256, 4, "s_default_mount_opts" }, { 260, 4, "s_first_meta_bg" },
};

static uint32_t get_field(const uint8_t *p, int size)
{
	return size == 4 ? get32(p) : size == 2 ? get16(p) : *p;
}

static void put_field(uint8_t *p, int size, uint32_t v)
{
	if (size == 4)
		put32(p, v);
	else if (size == 2)
		put16(p, v);
	else
		*p = v;
}

static void mut_sb(struct image *im, struct rng *r)
{
	struct base *b = im->b;
	uint8_t *sb = im->img + SB_OFF;
	const struct field *f = &sb_fields[below(r, ARRAY_SIZE(sb_fields))];
	uint32_t o, v;

	/* the magic, rarely: most images should get past it */
	if (!below(r, 50)) {
		put16(sb + 56, get16(sb + 56) ^ (1U << below(r, 16)));
		describe(im, "sb.s_magic=%#x", get16(sb + 56));
		return;
	}
	o = get_field(sb + f->off, f->size);
	if (!strcmp(f->name, "s_log_block_size") ||
	    !strcmp(f->name, "s_log_frag_size")) {
		static const uint32_t lg[] = { 0, 1, 2, 3, 4, 6, 16, 32, 0xffffffff };

		v = below(r, 3) ? o ^ 2 : lg[below(r, ARRAY_SIZE(lg))];
	} else if (strstr(f->name, "feature") ||
		   !strcmp(f->name, "s_default_mount_opts")) {
		v = o ^ (below(r, 4) ? 1U << below(r, 8) : 1U << below(r, 32));
	} else if (!strcmp(f->name, "s_rev_level")) {
		v = below(r, 2) ? !o : pick_u32(b, r, o);
	} else if (!strcmp(f->name, "s_inode_size")) {
		static const uint32_t isz[] = { 0, 64, 127, 129, 256, 512, 1024, 4096, 8192 };

		v = isz[below(r, ARRAY_SIZE(isz))];
	} else {
		v = pick_u32(b, r, o);
	}
	put_field(sb + f->off, f->size, v);
	describe(im, "sb.%s=%#x (was %#x)", f->name,
		 get_field(sb + f->off, f->size), o);
}

static void mut_gdt(struct image *im, struct rng *r)
{
	struct base *b = im->b;
	uint32_t g = below(r, b->ngroups), o, v;
	uint8_t *d = im->img + b->gdt_block * b->bs + 32 * g;
	static const struct field gf[] = {
		{ 0, 4, "bg_block_bitmap" }, { 4, 4, "bg_inode_bitmap" },
		{ 8, 4, "bg_inode_table" }, { 12, 2, "bg_free_blocks_count" },
		{ 14, 2, "bg_free_inodes_count" }, { 16, 2, "bg_used_dirs_count" },
		{ 18, 2, "bg_flags" },
	};
	const struct field *f = &gf[below(r, ARRAY_SIZE(gf))];
	const char *why = "value";

	o = get_field(d + f->off, f->size);
	if (f->size == 4)
		v = pick_block(b, r, 0, o, &why);
	else
		v = pick_u32(b, r, o);
	put_field(d + f->off, f->size, v);
	describe(im, "gdt[%u].%s=%#x (%s, was %#x)", g, f->name,
		 get_field(d + f->off, f->size), why, o);
}

static void mut_bitmap(struct image *im, struct rng *r)
{
	struct base *b = im->b;
	uint32_t g = below(r, b->ngroups), n, i;
	bool inode = below(r, 2);
	uint8_t *p = im->img + (size_t)(inode ? b->ibitmap[g] : b->bbitmap[g]) * b->bs;
	uint32_t bits = inode ? b->ipg : b->bpg;

	switch (below(r, 4)) {
	case 0:
		memset(p, 0, bits / 8);
		describe(im, "%sbitmap[%u] all free", inode ? "i" : "b", g);
		break;
	case 1:
		memset(p, 0xff, bits / 8);
		describe(im, "%sbitmap[%u] all used", inode ? "i" : "b", g);
		break;
	default:
		n = 1 + below(r, 8);
		for (i = 0; i < n; i++) {
			uint32_t bit = below(r, bits);

			p[bit / 8] ^= 1 << (bit % 8);
		}
		describe(im, "%sbitmap[%u] %u bits flipped", inode ? "i" : "b",
			 g, n);
	}
}

static void mut_inode(struct image *im, struct rng *r)
{
	struct base *b = im->b;
	uint32_t ino = below(r, 3) && b->nfiles ? b->files[below(r, b->nfiles)] :
		b->used[below(r, b->nused)];
	uint8_t *in = inode_at(b, im->img, ino);
	const char *why = "value";
	uint32_t o, v;

	switch (below(r, 10)) {
	case 0: {	/* the file type */
		static const uint16_t types[] = {
			0x8000, 0x4000, 0xa000, 0x2000, 0x6000, 0x1000, 0xc000,
			0x0000, 0xf000,
		};
		o = get16(in);
		v = (o & 0x0fff) | types[below(r, ARRAY_SIZE(types))];
		put16(in, v);
		describe(im, "ino%u.i_mode=%#o (was %#o)", ino, v, o);
		break;
	}
	case 1:		/* permission bits, setuid */
		o = get16(in);
		v = o ^ (1U << below(r, 12));
		put16(in, v);
		describe(im, "ino%u.i_mode=%#o (was %#o)", ino, v, o);
		break;
	case 2:
	case 3: {	/* i_size, i_size_high */
		/* 2 TiB (0x200 << 32) is about s_maxbytes of 4 KiB blocks */
		static const uint32_t hi[] = {
			1, 0x100, 0x1ff, 0x200, 0x7fffffff, 0x80000000,
			0xffffffff,
		};
		bool high = below(r, 2);

		o = get32(in + (high ? 108 : 4));
		if (high) {
			v = hi[below(r, ARRAY_SIZE(hi))];
		} else {
			switch (below(r, 6)) {
			case 0:
				v = o + b->bs;
				break;
			case 1:
				v = o - 1;
				break;
			case 2:
				v = o / 3;
				break;
			case 3:
				v = o * 4096;
				break;
			default:
				v = pick_u32(b, r, o);
			}
		}
		put32(in + (high ? 108 : 4), v);
		describe(im, "ino%u.%s=%#x (was %#x)", ino,
			 high ? "i_size_high" : "i_size", v, o);
		break;
	}
	case 4:
		o = get32(in + 28);
		v = pick_u32(b, r, o);
		put32(in + 28, v);
		describe(im, "ino%u.i_blocks=%#x (was %#x)", ino, v, o);
		break;
	case 5: {
		static const uint16_t links[] = { 0, 1, 2, 0xffff, 0x8000 };

		o = get16(in + 26);
		v = links[below(r, ARRAY_SIZE(links))];
		put16(in + 26, v);
		describe(im, "ino%u.i_links_count=%u (was %u)", ino, v, o);
		break;
	}
	case 6:
		o = get32(in + 32);
		v = o ^ (1U << below(r, 20));
		put32(in + 32, v);
		describe(im, "ino%u.i_flags=%#x (was %#x)", ino, v, o);
		break;
	case 7:
		o = get32(in + 104);
		v = pick_block(b, r, 0, o, &why);
		put32(in + 104, v);
		describe(im, "ino%u.i_file_acl=%#x (%s)", ino, v, why);
		break;
	case 8:
		o = get32(in + 20);
		v = below(r, 2) ? 1700000000 : pick_u32(b, r, o);
		put32(in + 20, v);
		describe(im, "ino%u.i_dtime=%#x", ino, v);
		break;
	default: {	/* all of i_block[] */
		int i = below(r, 15);

		o = get32(in + 40 + 4 * i);
		v = pick_block(b, r, 0, o, &why);
		put32(in + 40 + 4 * i, v);
		describe(im, "ino%u.i_block[%d]=%#x (%s, was %#x)", ino, i, v,
			 why, o);
	}
	}
}

static void mut_ptr(struct image *im, struct rng *r)
{
	struct base *b = im->b;
	const struct loc *l;
	const char *why;
	uint32_t o, v;
	int kind, tries;

	/* a kind first, so that the rare triple indirect pointers get hit */
	for (tries = 0; tries < 16; tries++) {
		kind = below(r, L_KINDS);
		if (b->nloc_kind[kind])
			break;
	}
	do {
		l = &b->locs[below(r, b->nlocs)];
	} while (l->kind != kind && tries++ < 100000);
	o = get32(im->img + l->off);
	v = pick_block(b, r, l->kind >= L_IN_IND ? l->off / b->bs : 0, o, &why);
	put32(im->img + l->off, v);
	describe(im, "ino%u %s@%u=%#x (%s, was %#x)", l->ino, loc_name[l->kind],
		 l->off, v, why, o);
}

/* three pointers in a row that make one contiguous run across the end of
 * the filesystem or of the device
 */
static void mut_run(struct image *im, struct rng *r)
{
	struct base *b = im->b;
	const struct loc *l = NULL;
	uint32_t start, i, n = 3;
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		l = &b->locs[below(r, b->nlocs)];
		if ((l->kind == L_IN_IND || l->kind == L_DIRECT) &&
		    (l->off % b->bs) + 4 * n <= b->bs)
			break;
	}
	/* a run in i_block[] must end at i_block[11] */
	if (l->kind == L_DIRECT && (l->off % b->inode_size - 40) / 4 > 9)
		n = 1;
	start = below(r, 2) ? b->blocks - 1 - below(r, 2) :
		dev_blocks(b) - 1 - below(r, 2);
	for (i = 0; i < n; i++)
		put32(im->img + l->off + 4 * i, start + i);
	describe(im, "ino%u %s@%u..+%u=%#x.. (run over the %s end)", l->ino,
		 loc_name[l->kind], l->off, n, start,
		 start >= b->blocks - 2 ? "fs" : "device");
}

static void mut_dirent(struct image *im, struct rng *r)
{
	struct base *b = im->b;
	uint32_t blk, pos = 0, n = 0, k, o, v;
	uint8_t *p, *e;

	if (!b->ndirblk)
		return;
	blk = b->dirblk[below(r, b->ndirblk)];
	p = im->img + (size_t)blk * b->bs;
	/* count the entries, then pick one */
	while (pos + 8 <= b->bs && get16(p + pos + 4) >= 8 && n < 256) {
		n++;
		pos += get16(p + pos + 4);
	}
	k = below(r, n ? n : 1);
	for (pos = 0; k--; )
		pos += get16(p + pos + 4);
	e = p + pos;
	switch (below(r, 5)) {
	case 0: {
		static const uint32_t inos[] = { 0, 1, 2, 7, 11, 0xffffffff, 129, 100000 };

		o = get32(e);
		v = below(r, 2) && b->ndirs ? b->dirs[below(r, b->ndirs)] :
			inos[below(r, ARRAY_SIZE(inos))];
		put32(e, v);
		describe(im, "dirent blk%u+%u inode=%u (was %u)", blk, pos, v, o);
		break;
	}
	case 1: {
		static const uint16_t lens[] = { 0, 1, 4, 8, 12, 13, 1024, 4096, 0xfffc };

		o = get16(e + 4);
		v = below(r, 2) ? lens[below(r, ARRAY_SIZE(lens))] : o + 4;
		put16(e + 4, v);
		describe(im, "dirent blk%u+%u rec_len=%u (was %u)", blk, pos, v, o);
		break;
	}
	case 2:
		o = e[6];
		v = below(r, 2) ? 255 : o + 1 + below(r, 8);
		e[6] = v;
		describe(im, "dirent blk%u+%u name_len=%u (was %u)", blk, pos, v, o);
		break;
	case 3:
		o = e[7];
		v = below(r, 256);
		e[7] = v;
		describe(im, "dirent blk%u+%u file_type=%u (was %u)", blk, pos, v, o);
		break;
	default:
		e[8 + below(r, 4)] ^= 1U << below(r, 8);
		describe(im, "dirent blk%u+%u name flipped", blk, pos);
	}
}

static void mut_bytes(struct image *im, struct rng *r)
{
	struct base *b = im->b;
	uint32_t n = 1 + below(r, 4), i, g;
	size_t off;
	char first[48] = "";

	for (i = 0; i < n; i++) {
		switch (below(r, 6)) {
		case 0:		/* the superblock, not its magic */
			do
				off = SB_OFF + below(r, 264);
			while (off == SB_OFF + 56 || off == SB_OFF + 57);
			break;
		case 1:
			off = (size_t)b->gdt_block * b->bs + below(r, 32 * b->ngroups);
			break;
		case 2:
		case 3:
			g = below(r, b->ngroups);
			off = (size_t)b->itable[g] * b->bs +
				below(r, b->itable_blocks * b->bs);
			break;
		case 4:
			off = b->nind ? (size_t)b->ind[below(r, b->nind)] * b->bs +
				below(r, b->bs) : SB_OFF;
			break;
		default:
			off = b->ndirblk ? (size_t)b->dirblk[below(r, b->ndirblk)] *
				b->bs + below(r, b->bs) : SB_OFF;
		}
		if (off >= b->size)
			continue;
		im->img[off] ^= 1U << below(r, 8);
		if (!i)
			snprintf(first, sizeof(first), "@%zu", off);
	}
	describe(im, "%u byte flips from %s", n, first);
}

static void (* const mutate[M_KINDS])(struct image *, struct rng *) = {
	mut_sb, mut_gdt, mut_bitmap, mut_inode, mut_ptr, mut_run, mut_dirent,
	mut_bytes,
};

/* Image @nr of the run with @seed: always the same bytes. */
static void make_image(struct image *im, uint64_t seed, uint32_t nr)
{
	struct rng r = { .s = seed * 0x9e3779b97f4a7c15ULL ^ (nr + 1) * 0xd1b54a32d192ed03ULL };
	int i, total = 0, w, k;
	uint32_t x;

	rnd(&r);
	/* 4 KiB bases (XIP-mountable) twice as often as the 1 KiB one */
	for (i = 0; i < nbases; i++)
		total += bases[i].bs == 1024 ? 1 : 2;
	x = below(&r, total);
	for (i = 0; i < nbases; i++) {
		w = bases[i].bs == 1024 ? 1 : 2;
		if (x < (uint32_t)w)
			break;
		x -= w;
	}
	im->nr = nr;
	im->b = &bases[i];
	memcpy(im->img, im->b->img, im->b->size);
	im->desc[0] = 0;
	im->kinds = 0;
	if (nr % CONTROL_EVERY == 0) {
		im->nmuts = 0;
		describe(im, "control (no mutation)");
		return;
	}
	/* mostly one mutation: most images should still mount */
	x = below(&r, 100);
	im->nmuts = x < 60 ? 1 : x < 85 ? 2 : x < 95 ? 3 : 4;
	for (i = 0; i < im->nmuts; i++) {
		total = 0;
		for (k = 0; k < M_KINDS; k++)
			total += mut_weight[k];
		x = below(&r, total);
		for (k = 0; k < M_KINDS - 1; k++) {
			if (x < (uint32_t)mut_weight[k])
				break;
			x -= mut_weight[k];
		}
		im->kinds |= 1U << k;
		mutate[k](im, &r);
	}
}

/* ---- kernel log ---------------------------------------------------------------- */

static int kmsg_rd = -1, kmsg_wr = -1;

/* what scripts/guest-run.sh calls a kernel report */
static const char * const report_pat[] = {
	"BUG:", "WARNING:", "Oops", "Kernel panic", "kernel BUG at",
	"possible recursive locking", "circular locking dependency",
	"inconsistent lock state", "suspicious RCU usage",
	"possible irq lock inversion", "lock held when returning", "KASAN",
	"KFENCE", "UBSAN:", "general protection fault",
	"Unable to handle kernel", "stack-protector", "Kernel stack overflow",
	"stack guard page", "corrupted stack end", "double fault",
	"list_add corruption", "list_del corruption", "list corruption",
	"Bad page state", "Bad page map", "Bad rss-counter",
	"page dumped because",
};

struct klog {
	int ext2_errors;
	int reports;
	int lost;
	bool bs_refused;	/* "xip needs a block size of" */
	char first_report[200];
	char first_error[200];
};

static void kmsg_open(void)
{
	kmsg_rd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	kmsg_wr = open("/dev/kmsg", O_WRONLY);
	if (kmsg_rd < 0 || kmsg_wr < 0)
		die("/dev/kmsg: %s", strerror(errno));
}

static void kmsg_mark(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	lseek(kmsg_rd, 0, SEEK_END);
	/* KERN_ALERT: printed on a console that hides ext2's errors */
	n = snprintf(buf, sizeof(buf), "<1>xip_fuzz: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (write(kmsg_wr, buf, n) != n)
		die("writing to /dev/kmsg: %s", strerror(errno));
}

/* Add what was logged since the last call or kmsg_mark() to @k. */
static void kmsg_scan(struct klog *k)
{
	char rec[8192], *msg, *nl;
	ssize_t n;
	size_t i;

	for (;;) {
		n = read(kmsg_rd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE) {
			k->lost++;
			continue;
		}
		if (n <= 0)
			break;
		rec[n] = 0;
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = 0;
		if (strstr(msg, "EXT2-fs (") && strstr(msg, "): error: ")) {
			if (!k->ext2_errors++)
				snprintf(k->first_error, sizeof(k->first_error),
					 "%s", msg);
		}
		if (strstr(msg, "xip needs a block size of"))
			k->bs_refused = true;
		if (!strncmp(msg, "xip_fuzz: ", 10))
			continue;
		for (i = 0; i < ARRAY_SIZE(report_pat); i++) {
			if (strstr(msg, report_pat[i])) {
				if (!k->reports++)
					snprintf(k->first_report,
						 sizeof(k->first_report), "%s",
						 msg);
				break;
			}
		}
	}
}

/* ---- the workload (a child process) ------------------------------------------ */

static FILE *wlog;
static unsigned char buf[65536];
static sigjmp_buf fault_jmp;
static volatile sig_atomic_t faults_armed;

static void on_fault(int sig)
{
	if (faults_armed)
		siglongjmp(fault_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static const char *ename(int e)
{
	const char *s = strerrorname_np(e);
	static char num[16];

	if (s)
		return s;
	snprintf(num, sizeof(num), "E%d", e);
	return num;
}

static void rec(const char *op, const char *path, long long off,
		const char *fmt, ...)
{
	char safe[PATH_MAX];
	va_list ap;
	size_t i;

	/* names from a hostile image may hold anything */
	for (i = 0; path[i] && i < sizeof(safe) - 1; i++)
		safe[i] = path[i] > ' ' && path[i] < 0x7f ? path[i] : '?';
	safe[i] = 0;
	fprintf(wlog, "%s %s %lld\t", op, safe, off);
	va_start(ap, fmt);
	vfprintf(wlog, fmt, ap);
	va_end(ap);
	fputc('\n', wlog);
}

struct wfile {
	char path[PATH_MAX];
	long long size;
};

static struct wfile wfiles[MAX_FILES];
static int nwfiles, nentries;

static void walk(const char *dir, int depth)
{
	char path[PATH_MAX];
	uint64_t h = FNV0;
	struct dirent *de;
	struct stat st;
	int count = 0;
	ssize_t n;
	DIR *d;

	d = opendir(dir[0] ? dir : ".");
	if (!d) {
		rec("D", dir, 0, "err %s", ename(errno));
		return;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		h = fnv(h, de->d_name, strlen(de->d_name) + 1);
		count++;
		if (++nentries > MAX_ENTRIES)
			continue;
		snprintf(path, sizeof(path), "%s%s%s", dir, dir[0] ? "/" : "",
			 de->d_name);
		if (lstat(path, &st)) {
			rec("S", path, 0, "err %s", ename(errno));
			continue;
		}
		rec("S", path, 0, "ok %o %lld %lu", st.st_mode & 0170000,
		    (long long)st.st_size, (unsigned long)st.st_nlink);
		if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH) {
			walk(path, depth + 1);
		} else if (S_ISLNK(st.st_mode)) {
			n = readlink(path, (char *)buf, PG);
			if (n < 0)
				rec("L", path, 0, "err %s", ename(errno));
			else
				rec("L", path, 0, "ok %016" PRIx64 " %zd",
				    fnv(FNV0, buf, n), n);
		} else if (S_ISREG(st.st_mode) && nwfiles < MAX_FILES) {
			snprintf(wfiles[nwfiles].path, PATH_MAX, "%s", path);
			wfiles[nwfiles++].size = st.st_size;
		}
	}
	if (errno)
		rec("D", dir, 0, "err %s after %d", ename(errno), count);
	else
		rec("D", dir, 0, "ok %016" PRIx64 " %d", h, count);
	closedir(d);
}

struct win {
	long long start, end;
};

/* Page-aligned windows of a file of @size: its start, the first single,
 * double and triple indirect blocks, its end.
 */
static int windows(long long size, long bs, struct win *w)
{
	long long p = bs / 4, at[3], s, e;
	int n = 0, i, j;

	if (size <= 0)
		return 0;
	at[0] = 12 * bs;
	at[1] = (12 + p) * bs;
	at[2] = (12 + p + p * p) * bs;
	w[n].start = 0;
	w[n++].end = size < 262144 ? size : 262144;
	for (i = 0; i < 3; i++) {
		if (at[i] < size) {
			w[n].start = at[i] & ~(PG - 1);
			w[n].end = at[i] + 16384 < size ? at[i] + 16384 : size;
			n++;
		}
	}
	s = ((size - 1) & ~(PG - 1)) - 3 * PG;
	w[n].start = s < 0 ? 0 : s;
	w[n++].end = size;
	/* sort (insertion), then merge overlaps */
	for (i = 1; i < n; i++) {
		struct win t = w[i];

		for (j = i; j > 0 && w[j - 1].start > t.start; j--)
			w[j] = w[j - 1];
		w[j] = t;
	}
	for (i = 1, j = 0; i < n; i++) {
		if (w[i].start <= w[j].end) {
			e = w[i].end > w[j].end ? w[i].end : w[j].end;
			w[j].end = e;
		} else {
			w[++j] = w[i];
		}
	}
	return j + 1;
}

static int open_reg(const char *path, int flags)
{
	struct stat st;
	int fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EBADFD;
	}
	return fd;
}

/* read the pages of [s, e) of @fd, one record per page */
static int read_window(int fd, const char *op, const char *path,
		       long long s, long long e, long long *errs, int nerrs)
{
	long long pos = s;
	ssize_t n, q;

	while (pos < e) {
		size_t want = e - pos < (long long)sizeof(buf) ?
			(size_t)(e - pos) : sizeof(buf);

		n = pread(fd, buf, want, pos);
		if (n < 0) {
			rec(op, path, pos, "err %s", ename(errno));
			if (errs && nerrs < 4)
				errs[nerrs++] = pos;
			pos = (pos & ~(PG - 1)) + PG;
			continue;
		}
		if (n == 0) {
			rec(op, path, pos, "eof");
			break;
		}
		for (q = 0; q < n; q += PG) {
			size_t l = n - q < PG ? n - q : PG;

			rec(op, path, pos + q, "ok %016" PRIx64 " %zu",
			    fnv(FNV0, buf + q, l), l);
		}
		pos += n;
	}
	return nerrs;
}

static void read_file(struct wfile *f, long bs)
{
	struct win w[8];
	long long errs[4];
	int fd, n, i, nerrs = 0;

	fd = open_reg(f->path, O_RDONLY);
	if (fd < 0) {
		rec("O", f->path, 0, "err %s", ename(-fd));
		return;
	}
	n = windows(f->size, bs, w);
	for (i = 0; i < n; i++)
		nerrs = read_window(fd, "R", f->path, w[i].start, w[i].end,
				    errs, nerrs);
	/* a failed page fails again: nothing got mapped in between */
	for (i = 0; i < nerrs; i++)
		read_window(fd, "RR", f->path, errs[i] & ~(PG - 1),
			    (errs[i] & ~(PG - 1)) + PG, NULL, 0);
	close(fd);
}

/* what probe() touches: in globals, which siglongjmp() cannot clobber */
static struct {
	const unsigned char *p;
	long long len;
	uint64_t hash;
	long long tail;
} pr;

/*
 * Touch pr.len bytes at pr.p (one byte if pr.len <= 0): 0 with their hash in
 * pr.hash and in pr.tail the offset of the first non-zero byte after them in
 * the page (PG if none), or the signal that the access raised.
 */
static int probe(void)
{
	int sig;

	faults_armed = 1;
	sig = sigsetjmp(fault_jmp, 1);
	if (sig) {
		faults_armed = 0;
		return sig;
	}
	pr.tail = PG;
	if (pr.len <= 0) {
		pr.hash = fnv(FNV0, pr.p, 1);
	} else {
		pr.hash = fnv(FNV0, pr.p, pr.len);
		for (pr.tail = pr.len; pr.tail < PG; pr.tail++)
			if (pr.p[pr.tail])
				break;
	}
	faults_armed = 0;
	return 0;
}

static void map_file(struct wfile *f, long bs)
{
	struct win w[8];
	int fd, n, i, sig;
	long long off;

	fd = open_reg(f->path, O_RDONLY);
	if (fd < 0)
		return;
	n = windows(f->size, bs, w);
	for (i = 0; i < n; i++) {
		long long len = ((w[i].end + PG - 1) & ~(PG - 1)) - w[i].start;
		unsigned char *m;

		/* one page more at the end: beyond EOF is SIGBUS */
		if (w[i].end == f->size)
			len += PG;
		m = mmap(NULL, len, PROT_READ, i & 1 ? MAP_PRIVATE : MAP_SHARED,
			 fd, w[i].start);
		if (m == MAP_FAILED) {
			rec("MM", f->path, w[i].start, "err %s", ename(errno));
			continue;
		}
		for (off = 0; off < len; off += PG) {
			long long at = w[i].start + off;
			long long l = f->size - at < PG ? f->size - at : PG;

			pr.p = m + off;
			pr.len = l;
			sig = probe();
			if (sig)
				rec("M", f->path, at, "sig %d", sig);
			else if (l <= 0)
				rec("M", f->path, at, "ok-beyond-eof");
			else
				rec("M", f->path, at, "ok %016" PRIx64 " %lld",
				    pr.hash, l);
			if (!sig && l > 0 && l < PG)
				rec("MT", f->path, at, pr.tail < PG ? "nonzero" : "zero");
		}
		munmap(m, len);
	}
	close(fd);
}

static const char *expected;

/* bin/prog as nobody, no new processes, an alarm */
static void exec_prog(const char *path)
{
	int out[2], err[2], status, e;
	char o[512];
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(out) || pipe2(err, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		struct rlimit rl = { 0, 0 };
		char *const argv[] = { (char *)path, NULL };
		char *const envp[] = { NULL };

		dup2(out[1], 1);
		dup2(out[1], 2);
		close(out[0]);
		if (setgid(65534) || setuid(65534))
			_exit(126);
		personality(ADDR_NO_RANDOMIZE);
		setrlimit(RLIMIT_NPROC, &rl);
		rl.rlim_cur = 5;
		rl.rlim_max = 5;
		setrlimit(RLIMIT_CPU, &rl);
		alarm(10);
		execve(path, argv, envp);
		e = errno;
		if (write(err[1], &e, sizeof(e)) != sizeof(e))
			_exit(125);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	while ((n = read(out[0], o + got, sizeof(o) - 1 - got)) > 0)
		got += n;
	o[got] = 0;
	close(out[0]);
	n = read(err[0], &e, sizeof(e));
	close(err[0]);
	waitpid(pid, &status, 0);
	if (n == sizeof(e))
		rec("X", path, 0, "err %s", ename(e));
	else if (WIFSIGNALED(status))
		rec("X", path, 0, "sig %d", WTERMSIG(status));
	else
		rec("X", path, 0, "exit %d %s", WEXITSTATUS(status),
		    expected && !strcmp(o, expected) ? "intact" :
		    got ? "changed" : "silent");
}

/* a pattern for writes: different for every offset */
static void fill(unsigned char *p, size_t n, long long off)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)((off + i) * 131 + ((off + i) >> 12));
}

/* read back [off, off + n) of @fd and say whether it is the pattern */
static void verify(const char *op, const char *path, int fd, long long off,
		   size_t n)
{
	static unsigned char want[65536];
	ssize_t got;

	fill(want, n, off);
	got = pread(fd, buf, n, off);
	if (got < 0)
		rec(op, path, off, "err %s", ename(errno));
	else
		rec(op, path, off, got == (ssize_t)n && !memcmp(buf, want, n) ?
		    "match" : "mismatch");
}

static void rec_ret(const char *op, const char *path, long long off, long ret)
{
	if (ret < 0)
		rec(op, path, off, "err %s", ename(errno));
	else
		rec(op, path, off, "ok %ld", ret);
}

static void store_map(const char *op, const char *path, int fd, long long off,
		      size_t len)
{
	unsigned char *m;
	int sig;

	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (m == MAP_FAILED) {
		rec(op, path, off, "err %s", ename(errno));
		return;
	}
	faults_armed = 1;
	sig = sigsetjmp(fault_jmp, 1);
	if (!sig) {
		fill(m, len, off);
		faults_armed = 0;
		rec_ret(op, path, off, msync(m, len, MS_SYNC));
	} else {
		faults_armed = 0;
		rec(op, path, off, "sig %d", sig);
	}
	munmap(m, len);
}

static void modify(void)
{
	long long size;
	struct stat st;
	int fd;

	/* append */
	fd = open_reg("rw.txt", O_WRONLY | O_APPEND);
	if (fd >= 0) {
		fill(buf, 10000, 0);
		rec_ret("WA", "rw.txt", 0, write(fd, buf, 10000));
		rec_ret("WAS", "rw.txt", 0, fsync(fd));
		close(fd);
		fd = open_reg("rw.txt", O_RDONLY);
	}
	if (fd >= 0) {
		if (!fstat(fd, &st) && st.st_size >= 10000) {
			static unsigned char want[10000];

			fill(want, 10000, 0);
			if (pread(fd, buf, 10000, st.st_size - 10000) == 10000)
				rec("VA", "rw.txt", 0, memcmp(buf, want, 10000) ?
				    "mismatch" : "match");
			else
				rec("VA", "rw.txt", 0, "err %s", ename(errno));
		}
		close(fd);
	}
	/* overwrite in place, across mutated pointers */
	fd = open_reg("single", O_RDWR);
	if (fd >= 0) {
		fill(buf, 8192, 100000);
		if (pwrite(fd, buf, 8192, 100000) == 8192)
			verify("VO", "single", fd, 100000, 8192);
		else
			rec("WO", "single", 100000, "err-or-short %s", ename(errno));
		close(fd);
	}
	/* stores through a shared mapping */
	fd = open_reg("pattern", O_RDWR);
	if (fd >= 0) {
		store_map("WM", "pattern", fd, PG, PG);
		verify("VM", "pattern", fd, PG, PG);
		close(fd);
	}
	/* truncate down and up, then look at the cut */
	fd = open_reg("sparse", O_RDWR);
	if (fd >= 0) {
		rec_ret("TD", "sparse", 50000, ftruncate(fd, 50000));
		rec_ret("TU", "sparse", 700000, ftruncate(fd, 700000));
		size = pread(fd, buf, PG, 49152);
		rec("TR", "sparse", 49152, size < 0 ? "err" : "ok %016" PRIx64,
		    fnv(FNV0, buf, size < 0 ? 0 : size));
		close(fd);
	}
	/* free a whole tree of (mutated) indirect blocks */
	rec_ret("T0", "indirect", 0, truncate("indirect", 0));
	/* a new file: block allocation, runs, fsync, read and map it back */
	fd = open("new.bin", O_CREAT | O_EXCL | O_RDWR, 0644);
	if (fd < 0) {
		rec("CN", "new.bin", 0, "err %s", ename(errno));
	} else {
		long long off;

		for (off = 0; off < 196608; off += 65536) {
			fill(buf, 65536, off);
			if (pwrite(fd, buf, 65536, off) != 65536) {
				rec("CW", "new.bin", off, "err-or-short %s", ename(errno));
				break;
			}
		}
		rec_ret("CS", "new.bin", 0, fsync(fd));
		if (off == 196608) {
			verify("VN", "new.bin", fd, 0, 65536);
			verify("VN", "new.bin", fd, 131072, 65536);
		}
		close(fd);
	}
	/* a hole, filled through a mapping and by write */
	fd = open("hole.bin", O_CREAT | O_EXCL | O_RDWR, 0644);
	if (fd < 0) {
		rec("CH", "hole.bin", 0, "err %s", ename(errno));
	} else {
		rec_ret("CHT", "hole.bin", 0, ftruncate(fd, 1 << 20));
		store_map("CHM", "hole.bin", fd, 0, PG);
		fill(buf, PG, 524288);
		rec_ret("CHW", "hole.bin", 524288, pwrite(fd, buf, PG, 524288));
		verify("VH", "hole.bin", fd, 0, PG);
		verify("VH", "hole.bin", fd, 524288, PG);
		close(fd);
	}
	rec_ret("UN", "docs/a.txt", 0, unlink("docs/a.txt"));
	rec_ret("UN", "pattern", 0, unlink("pattern"));
	rec_ret("RD", "emptydir", 0, rmdir("emptydir"));
	rec_ret("MK", "newdir", 0, mkdir("newdir", 0755));
	rec_ret("RN", "hello.txt", 0, rename("hello.txt", "docs/renamed"));
	fd = open(".", O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		rec_ret("SY", ".", 0, syncfs(fd));
		close(fd);
	}
}

static int workload(const char *mnt, const char *logpath)
{
	struct sigaction sa = { .sa_handler = on_fault };
	struct statvfs sv;
	long bs = PG;
	int i;

	alarm(WORK_TIMEOUT);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	wlog = fopen(logpath, "w");
	if (!wlog || chdir(mnt))
		return 2;
	if (!statvfs(".", &sv) && sv.f_bsize >= 1024 && sv.f_bsize <= 65536)
		bs = sv.f_bsize;
	nwfiles = 0;
	nentries = 0;
	walk("", 0);
	for (i = 0; i < nwfiles; i++)
		read_file(&wfiles[i], bs);
	for (i = 0; i < nwfiles; i++)
		map_file(&wfiles[i], bs);
	for (i = 0; i < nwfiles; i++)
		if (!strcmp(wfiles[i].path, "bin/prog"))
			exec_prog("bin/prog");
	modify();
	if (fclose(wlog))
		return 3;
	return 0;
}

/* ---- one mount of one image ----------------------------------------------------- */

struct recd {
	char *key;
	char *val;
};

struct phase {
	bool xip;
	int mount_err;		/* 0: mounted */
	uint32_t claimed_bs;	/* block size the superblock claims */
	struct klog k;
	char problem[256];	/* hang, death, umount failure */
	struct recd *recs;
	int nrecs;
	char *text;
	long ms;		/* how long it took */
	long stage_ms[4];	/* image written, mounted, workload, umount */
};

static const char *dev_path = "/dev/ram0";
static const char *mnt_path = "/mnt/fuzz";

static void pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
	ssize_t w;

	while (n) {
		w = pwrite(fd, p, n, off);
		if (w <= 0)
			die("writing %s: %s", dev_path, strerror(errno));
		p = (const char *)p + w;
		n -= w;
		off += w;
	}
}

static bool zero_page(const uint8_t *p)
{
	size_t i;

	for (i = 0; i < PG; i += 8)
		if (*(const uint64_t *)(p + i))
			return false;
	return true;
}

/*
 * The device gets the image and zeroes after it, for every image alike: a
 * discard of the whole device (brd then reads zeroes), then the pages of
 * the image that are not zero.  Without discard, everything is written.
 */
static void write_image(struct image *im)
{
	uint64_t range[2] = { 0, dev_size };
	static unsigned char zero[65536];
	static bool no_discard;
	size_t off, end;
	int fd = open(dev_path, O_RDWR);

	if (fd < 0)
		die("%s: %s", dev_path, strerror(errno));
	if (!no_discard && ioctl(fd, BLKDISCARD, range))
		no_discard = true;
	if (no_discard) {
		pwrite_all(fd, im->img, im->b->size, 0);
		for (off = im->b->size; off < dev_size; off += sizeof(zero))
			pwrite_all(fd, zero, sizeof(zero), off);
	} else {
		for (off = 0; off < im->b->size; off = end) {
			while (off < im->b->size && zero_page(im->img + off))
				off += PG;
			for (end = off; end < im->b->size &&
			     !zero_page(im->img + end); end += PG)
				;
			if (end > off)
				pwrite_all(fd, im->img + off, end - off, off);
		}
	}
	if (fsync(fd) || ioctl(fd, BLKFLSBUF, 0))
		die("flushing %s: %s", dev_path, strerror(errno));
	close(fd);
}

static int cmp_rec(const void *a, const void *b)
{
	return strcmp(((const struct recd *)a)->key,
		      ((const struct recd *)b)->key);
}

static void load_recs(struct phase *ph, const char *logpath)
{
	FILE *f = fopen(logpath, "r");
	char *line, *tab;
	long sz;

	ph->nrecs = 0;
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	ph->text = malloc(sz + 1);
	if (!ph->text || fread(ph->text, 1, sz, f) != (size_t)sz)
		die("reading %s", logpath);
	ph->text[sz] = 0;
	fclose(f);
	ph->recs = calloc(MAX_RECS, sizeof(*ph->recs));
	for (line = strtok(ph->text, "\n"); line && ph->nrecs < MAX_RECS;
	     line = strtok(NULL, "\n")) {
		tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = 0;
		ph->recs[ph->nrecs].key = line;
		ph->recs[ph->nrecs++].val = tab + 1;
	}
	qsort(ph->recs, ph->nrecs, sizeof(*ph->recs), cmp_rec);
}

static void free_phase(struct phase *ph)
{
	free(ph->recs);
	free(ph->text);
	ph->recs = NULL;
	ph->text = NULL;
}

/* SIGCHLD wakes the poll() in run_phase() through this pipe */
static int chld_pipe[2];

static void on_chld(int sig)
{
	int e = errno;
	char c = sig;

	if (write(chld_pipe[1], &c, 1) < 0)
		errno = e;
	errno = e;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
		(now.tv_nsec - t0->tv_nsec) / 1000000;
}

static void run_phase(struct image *im, uint64_t seed, bool xip,
		      struct phase *ph)
{
	const char *logpath = xip ? "/tmp/xip_fuzz.xip" : "/tmp/xip_fuzz.plain";
	unsigned long flags = MS_NODEV | MS_NOSUID | MS_NOATIME;
	struct timespec t0, now;
	int status, rc;
	char drain[64];
	pid_t pid;

	memset(ph, 0, sizeof(*ph));
	ph->xip = xip;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* made again from the seed: the XIP mount may have written to it */
	make_image(im, seed, im->nr);
	ph->claimed_bs = get32(im->img + SB_OFF + 24) < 8 ?
		1024U << get32(im->img + SB_OFF + 24) : 0;
	write_image(im);
	ph->stage_ms[0] = ms_since(&t0);
	unlink(logpath);
	kmsg_mark("image %u phase %s begin (seed %llu, %s)", im->nr,
		  xip ? "xip" : "plain", (unsigned long long)seed, im->b->name);
	if (mount(dev_path, mnt_path, "ext2", flags,
		  xip ? "xip,errors=continue" : "errors=continue")) {
		ph->mount_err = errno;
		kmsg_scan(&ph->k);
		return;
	}
	ph->stage_ms[1] = ms_since(&t0);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		signal(SIGCHLD, SIG_DFL);
		close(chld_pipe[0]);
		close(chld_pipe[1]);
		_exit(workload(mnt_path, logpath));
	}
	/* read the kernel log while waiting: it may hold less than one run */
	for (;;) {
		struct pollfd pf[2] = {
			{ .fd = kmsg_rd, .events = POLLIN },
			{ .fd = chld_pipe[0], .events = POLLIN },
		};
		long left;

		kmsg_scan(&ph->k);
		rc = waitpid(pid, &status, WNOHANG);
		if (rc)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (WORK_TIMEOUT + 30 - (now.tv_sec - t0.tv_sec)) * 1000;
		if (left <= 0)
			break;
		poll(pf, 2, left < 1000 ? left : 1000);
		while (read(chld_pipe[0], drain, sizeof(drain)) > 0)
			;
	}
	if (rc == 0) {
		kill(pid, SIGKILL);
		poll(&(struct pollfd){ .fd = chld_pipe[0], .events = POLLIN },
		     1, 30000);
		if (waitpid(pid, &status, WNOHANG) != pid) {
			printf("not ok %u - image %u: %s workload hangs (unkillable)\n",
			       im->nr + 1, im->nr, xip ? "xip" : "plain");
			printf("# image %u: %s\n", im->nr, im->desc);
			die("image %u hangs", im->nr);
		}
		snprintf(ph->problem, sizeof(ph->problem),
			 "workload hung for %d s (killed)", WORK_TIMEOUT + 30);
	} else if (WIFSIGNALED(status)) {
		snprintf(ph->problem, sizeof(ph->problem),
			 "workload died of signal %d", WTERMSIG(status));
	} else if (WEXITSTATUS(status)) {
		snprintf(ph->problem, sizeof(ph->problem),
			 "workload exit status %d", WEXITSTATUS(status));
	}
	ph->stage_ms[2] = ms_since(&t0);
	if (umount(mnt_path)) {
		snprintf(ph->problem + strlen(ph->problem),
			 sizeof(ph->problem) - strlen(ph->problem),
			 "%sumount: %s", ph->problem[0] ? ", " : "",
			 strerror(errno));
		umount2(mnt_path, MNT_DETACH);
	}
	ph->stage_ms[3] = ms_since(&t0);
	kmsg_scan(&ph->k);
	load_recs(ph, logpath);
	ph->ms = ms_since(&t0);
}

/* ---- comparing the two mounts --------------------------------------------------- */

struct stats {
	unsigned int images, xip_mounted, plain_mounted, both, controls;
	unsigned int xip_errors, stricter, tail_differs, modify_differs;
	unsigned int readback_differs, fails, records, lost;
	unsigned int kind_images[M_KINDS], kind_mounted[M_KINDS];
	unsigned int base_images[MAX_BASES], base_mounted[MAX_BASES];
};

static struct stats st;

struct verdict {
	int fails;
	char diag[DIAG_MAX][300];
	int ndiag;
};

static void note(struct verdict *v, bool fail, const char *fmt, ...)
{
	va_list ap;

	if (fail)
		v->fails++;
	if (v->ndiag >= DIAG_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(v->diag[v->ndiag++], sizeof(v->diag[0]), fmt, ap);
	va_end(ap);
}

static bool is_ok(const char *val)
{
	return !strncmp(val, "ok", 2);
}

/* keys of records made before anything was written */
static bool read_only_op(const char *key)
{
	static const char * const ops[] = {
		"D ", "S ", "L ", "R ", "RR ", "M ", "X ", "O ", "MM ",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		if (!strncmp(key, ops[i], strlen(ops[i])))
			return true;
	return false;
}

static void compare(struct phase *x, struct phase *p, struct verdict *v)
{
	int i = 0, j = 0, c, only_x = 0, only_p = 0;
	bool errs = x->k.ext2_errors > 0;

	while (i < x->nrecs || j < p->nrecs) {
		struct recd *a = i < x->nrecs ? &x->recs[i] : NULL;
		struct recd *b = j < p->nrecs ? &p->recs[j] : NULL;

		c = !a ? 1 : !b ? -1 : strcmp(a->key, b->key);
		if (c < 0) {
			only_x++;
			i++;
			continue;
		}
		if (c > 0) {
			only_p++;
			j++;
			continue;
		}
		i++;
		j++;
		st.records++;
		if (!strcmp(a->val, b->val))
			continue;
		if (!strncmp(a->key, "MT ", 3)) {
			st.tail_differs++;
			continue;
		}
		if (!strncmp(a->key, "X ", 2)) {
			if (strstr(b->val, "intact")) {
				if (errs)
					st.stricter++;
				note(v, !errs, "%s: xip '%s', plain '%s'%s",
				     a->key, a->val, b->val,
				     errs ? " (after an ext2 error)" : "");
			}
			continue;
		}
		if (!strncmp(a->key, "V", 1)) {
			if (!strcmp(b->val, "match")) {
				st.readback_differs++;
				note(v, !errs, "%s: xip '%s', plain 'match'%s",
				     a->key, a->val,
				     errs ? " (after an ext2 error)" : "");
			}
			continue;
		}
		if (!read_only_op(a->key)) {
			st.modify_differs++;
			continue;
		}
		if (is_ok(a->val) && is_ok(b->val)) {
			note(v, true, "%s: xip read '%s', plain read '%s'",
			     a->key, a->val, b->val);
		} else if (is_ok(a->val)) {
			note(v, true, "%s: xip read '%s' where plain got '%s'",
			     a->key, a->val, b->val);
		} else if (is_ok(b->val)) {
			if (errs) {
				st.stricter++;
				note(v, false, "%s: xip '%s' after an ext2 error, plain read '%s'",
				     a->key, a->val, b->val);
			} else {
				note(v, true, "%s: xip '%s' without an ext2 error, plain read '%s'",
				     a->key, a->val, b->val);
			}
		}
		/* both failed, maybe differently: fine */
	}
	if (only_x || only_p)
		note(v, false, "%d records only under xip, %d only under plain (the walks differ)",
		     only_x, only_p);
}

static void describe_phase(char *out, size_t n, struct phase *ph)
{
	if (ph->mount_err)
		snprintf(out, n, "mount %s", ename(ph->mount_err));
	else
		snprintf(out, n, "mounted (%d ext2 errors, %d records, %ld.%02ld s)",
			 ph->k.ext2_errors, ph->nrecs, ph->ms / 1000,
			 ph->ms % 1000 / 10);
}

static void one_image(struct image *im, uint64_t seed, uint32_t tapnr)
{
	struct phase x, p;
	struct verdict v = { 0 };
	char xs[96], ps[96];
	int k;

	run_phase(im, seed, true, &x);
	run_phase(im, seed, false, &p);

	st.images++;
	st.base_images[im->b - bases]++;
	if (!im->nmuts)
		st.controls++;
	for (k = 0; k < M_KINDS; k++)
		if (im->kinds & (1U << k))
			st.kind_images[k]++;
	if (!x.mount_err) {
		st.xip_mounted++;
		st.base_mounted[im->b - bases]++;
		for (k = 0; k < M_KINDS; k++)
			if (im->kinds & (1U << k))
				st.kind_mounted[k]++;
		if (x.k.ext2_errors)
			st.xip_errors++;
	}
	if (!p.mount_err)
		st.plain_mounted++;
	if (!x.mount_err && !p.mount_err)
		st.both++;

	if (x.k.reports)
		note(&v, true, "kernel report under xip: %s", x.k.first_report);
	if (p.k.reports)
		note(&v, true, "kernel report under plain: %s", p.k.first_report);
	st.lost += x.k.lost + p.k.lost;
	if (x.k.lost || p.k.lost)
		note(&v, false, "kernel log records lost: %d, %d", x.k.lost, p.k.lost);
	if (x.problem[0])
		note(&v, true, "xip: %s", x.problem);
	if (p.problem[0])
		note(&v, true, "plain: %s", p.problem);
	if (x.mount_err && !p.mount_err) {
		/* XIP refuses block sizes other than the page size */
		bool refused = x.claimed_bs != PG &&
			(x.k.bs_refused || x.mount_err == EINVAL);

		note(&v, !refused, "xip mount %s (%s), plain mounted",
		     ename(x.mount_err), refused ?
		     "block size is not the page size" : "unexpected");
	} else if (!x.mount_err && p.mount_err) {
		note(&v, true, "xip mounted, plain mount %s", ename(p.mount_err));
	} else if (!x.mount_err && !p.mount_err) {
		compare(&x, &p, &v);
	}
	if (!im->nmuts && (x.k.ext2_errors || p.k.ext2_errors || p.mount_err ||
			   (x.mount_err && im->b->bs == PG)))
		note(&v, true, "control image: %d/%d ext2 errors, xip mount %s",
		     x.k.ext2_errors, p.k.ext2_errors, ename(x.mount_err));
	if (x.k.ext2_errors)
		note(&v, false, "first ext2 error under xip: %s", x.k.first_error);
	/* slow ones: where the time went */
	if (x.ms + p.ms > 2000)
		note(&v, false, "ms write/mount/work/umount %ld/%ld/%ld/%ld, plain %ld/%ld/%ld/%ld",
		     x.stage_ms[0], x.stage_ms[1], x.stage_ms[2], x.stage_ms[3],
		     p.stage_ms[0], p.stage_ms[1], p.stage_ms[2], p.stage_ms[3]);

	describe_phase(xs, sizeof(xs), &x);
	describe_phase(ps, sizeof(ps), &p);
	printf("%s %u - image %u %s: xip %s, plain %s\n", v.fails ? "not ok" : "ok",
	       tapnr, im->nr, im->b->name, xs, ps);
	printf("# image %u: %s\n", im->nr, im->desc);
	for (k = 0; k < v.ndiag; k++)
		printf("# image %u: %s\n", im->nr, v.diag[k]);
	if (v.fails) {
		fails_total++;
		printf("# image %u: again: xip_fuzz -s %llu -f %u -n 1 ...\n",
		       im->nr, (unsigned long long)seed, im->nr);
	}
	fflush(stdout);
	free_phase(&x);
	free_phase(&p);
}

int main(int argc, char **argv)
{
	const char *expected_path = NULL;
	unsigned long n = 200, first = 0, i;
	unsigned long long seed = 1;
	struct image im;
	size_t maxsize = 0;
	struct timespec t0, t1;
	int opt, fd, k;
	static char exp_buf[256];

	while ((opt = getopt(argc, argv, "d:m:n:s:f:e:")) != -1) {
		switch (opt) {
		case 'd':
			dev_path = optarg;
			break;
		case 'm':
			mnt_path = optarg;
			break;
		case 'n':
			n = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'f':
			first = strtoul(optarg, NULL, 0);
			break;
		case 'e':
			expected_path = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-d DEV] [-m MNT] [-n N] [-s SEED] [-f FIRST]\n"
				"\t\t[-e EXPECTED] BASE.img...\n", argv[0]);
			return 2;
		}
	}
	printf("TAP version 13\n");
	printf("1..%lu\n", n);
	if (optind == argc)
		die("no base images");
	fd = open(dev_path, O_RDONLY);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &dev_size))
		die("%s: %s", dev_path, strerror(errno));
	close(fd);
	for (; optind < argc; optind++)
		load_base(argv[optind]);
	for (k = 0; k < nbases; k++) {
		if (bases[k].size > dev_size)
			die("%s is larger than %s", bases[k].name, dev_path);
		if (bases[k].size > maxsize)
			maxsize = bases[k].size;
	}
	if (expected_path) {
		fd = open(expected_path, O_RDONLY);
		if (fd < 0 || read(fd, exp_buf, sizeof(exp_buf) - 1) <= 0)
			die("%s: %s", expected_path, strerror(errno));
		close(fd);
		expected = exp_buf;
	}
	im.img = malloc(maxsize);
	if (!im.img)
		die("out of memory");
	mkdir(mnt_path, 0755);
	umount2(mnt_path, MNT_DETACH);
	kmsg_open();
	if (pipe2(chld_pipe, O_NONBLOCK | O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	signal(SIGCHLD, on_chld);
	printf("# device %s, %llu MiB; seed %llu, images %lu..%lu\n", dev_path,
	       (unsigned long long)(dev_size >> 20), seed, first, first + n - 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		im.nr = first + i;
		one_image(&im, seed, i + 1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# fuzz: %u images (seed %llu, from %lu) in %ld s: mounted: xip %u, plain %u,",
	       st.images, seed, first, (long)(t1.tv_sec - t0.tv_sec),
	       st.xip_mounted, st.plain_mounted);
	printf(" both %u; controls %u\n", st.both, st.controls);
	printf("# fuzz: xip mounts with ext2 errors %u; records compared %u\n",
	       st.xip_errors, st.records);
	printf("# fuzz: xip failed after an ext2 error where plain read: %u\n",
	       st.stricter);
	printf("# fuzz: allowed differences: bytes after EOF %u, write results %u, readback %u\n",
	       st.tail_differs, st.modify_differs, st.readback_differs);
	printf("# fuzz: xip mounted by base:");
	for (k = 0; k < nbases; k++)
		printf(" %s %u/%u", bases[k].name, st.base_mounted[k],
		       st.base_images[k]);
	printf("\n# fuzz: xip mounted by mutation kind:");
	for (k = 0; k < M_KINDS; k++)
		printf(" %s %u/%u", mut_name[k], st.kind_mounted[k],
		       st.kind_images[k]);
	printf("\n# fuzz: kernel log records lost %u\n", st.lost);
	printf("# fuzz: %d of %u images not ok\n", fails_total, st.images);
	return fails_total ? 1 : 0;
}
