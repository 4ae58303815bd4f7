// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of ext2 execute-in-place (mount -o xip) on a RAM disk.
 *
 * Each test writes a small, empty ext2 file system onto /dev/ram1 with bios,
 * creates a device node for it (built-in suites run before /dev is mounted)
 * and mounts it as an internal mount.  The tests call the ->get_xip_page of
 * files on that mount and compare what it returns with the memory that the
 * RAM disk hands out for the same blocks.  /dev/ram0 belongs to the brd
 * direct_access tests.
 *
 * ext2_get_xip_page() is not exported: when this suite is a module it is
 * reached through file->f_mapping->a_ops->get_xip_page.
 */

#include <kunit/test.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/major.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/xip.h>
#include "ext2.h"
#include "xip.h"

#define XT_DEVT		MKDEV(RAMDISK_MAJOR, 1)
#define XT_NODE_NAME	"ext2-xip-test-ram1"
#define XT_NODE		"/" XT_NODE_NAME
#define XT_FALLBACK	"/dev/ram1"
#define XT_MAX_BYTES	(8UL << 20)	/* one block group of 4 KiB blocks */
#define XT_MIN_BLOCKS	64
#define XT_INODES	64
#define XT_INODE_SIZE	EXT2_GOOD_OLD_INODE_SIZE
#define XT_POISON	0xa5		/* free blocks: must never show through */

/*
 * Layout of the image, one block group:
 *   [first]	superblock (at byte 1024; with 1 KiB blocks block 0 is the
 *		boot block and first = 1, otherwise first = 0)
 *   first + 1	group descriptor table
 *   first + 2	block bitmap
 *   first + 3	inode bitmap
 *   first + 4	inode table (itb blocks)
 *   root_blk	the root directory: "." and ".."
 * Every other block is free and filled with XT_POISON.
 */
struct xt_geom {
	unsigned int bs;
	u32 blocks;
	u32 first;
	u32 per_group;
	u32 inodes;
	u32 itb;
	u32 root_blk;
};

struct xt_ctx {
	const char *node;	/* device node that mount looks up */
	bool made_node;		/* ... and that this test has to remove */
	struct xt_geom geom;	/* of the image last written */
	struct vfsmount *mnt;
	struct file *files[2];
};

static u32 xt_gdt_blk(const struct xt_geom *g)
{
	return g->first + 1;
}

static u32 xt_bbitmap_blk(const struct xt_geom *g)
{
	return g->first + 2;
}

static u32 xt_ibitmap_blk(const struct xt_geom *g)
{
	return g->first + 3;
}

static u32 xt_itable_blk(const struct xt_geom *g)
{
	return g->first + 4;
}

static void xt_geom_init(struct xt_geom *g, unsigned int bs, u64 dev_bytes)
{
	g->bs = bs;
	g->first = bs == BLOCK_SIZE ? 1 : 0;
	/* bg_free_blocks_count is 16 bits: e2fsck allows 65528 per group */
	g->per_group = min_t(u32, bs * 8, 65528);
	g->blocks = min_t(u64, dev_bytes, XT_MAX_BYTES) / bs;
	g->blocks = min_t(u32, g->blocks, g->per_group + g->first);
	/* at least one block of inodes */
	g->inodes = max_t(u32, XT_INODES, bs / XT_INODE_SIZE);
	g->itb = g->inodes * XT_INODE_SIZE / bs;
	g->root_blk = xt_itable_blk(g) + g->itb;
}

static u32 xt_free_blocks(const struct xt_geom *g)
{
	return g->blocks - 1 - g->root_blk;
}

static u32 xt_free_inodes(const struct xt_geom *g)
{
	return g->inodes - (EXT2_GOOD_OLD_FIRST_INO - 1);
}

static void xt_set_bits(u8 *map, unsigned long from, unsigned long to)
{
	for (; from < to; from++)
		__set_bit_le(from, map);
}

/*
 * Fill @img, the first (root_blk + 1) blocks of the device, with the
 * metadata of an empty revision 1 file system: 128-byte inodes, no optional
 * features, no lost+found.  Everything is little-endian on disk.
 */
static void xt_build_meta(const struct xt_geom *g, u8 *img)
{
	struct ext2_super_block *es = (void *)(img + BLOCK_SIZE);
	struct ext2_group_desc *gd = (void *)(img + xt_gdt_blk(g) * g->bs);
	u8 *bbitmap = img + xt_bbitmap_blk(g) * g->bs;
	u8 *ibitmap = img + xt_ibitmap_blk(g) * g->bs;
	struct ext2_inode *root = (void *)(img + xt_itable_blk(g) * g->bs +
					   (EXT2_ROOT_INO - 1) * XT_INODE_SIZE);
	struct ext2_dir_entry_2 *dot = (void *)(img + g->root_blk * g->bs);
	struct ext2_dir_entry_2 *dotdot;
	__le32 now = cpu_to_le32(lower_32_bits(ktime_get_real_seconds()));

	memset(img, 0, (g->root_blk + 1) * g->bs);

	es->s_inodes_count = cpu_to_le32(g->inodes);
	es->s_blocks_count = cpu_to_le32(g->blocks);
	es->s_free_blocks_count = cpu_to_le32(xt_free_blocks(g));
	es->s_free_inodes_count = cpu_to_le32(xt_free_inodes(g));
	es->s_first_data_block = cpu_to_le32(g->first);
	es->s_log_block_size = cpu_to_le32(ilog2(g->bs) - BLOCK_SIZE_BITS);
	es->s_log_frag_size = es->s_log_block_size;
	es->s_blocks_per_group = cpu_to_le32(g->per_group);
	es->s_frags_per_group = es->s_blocks_per_group;
	es->s_inodes_per_group = cpu_to_le32(g->inodes);
	es->s_wtime = now;
	es->s_max_mnt_count = cpu_to_le16(0xffff);	/* -1: never check */
	es->s_magic = cpu_to_le16(EXT2_SUPER_MAGIC);
	es->s_state = cpu_to_le16(EXT2_VALID_FS);
	es->s_errors = cpu_to_le16(EXT2_ERRORS_CONTINUE);
	es->s_lastcheck = now;
	es->s_creator_os = cpu_to_le32(EXT2_OS_LINUX);
	es->s_rev_level = cpu_to_le32(EXT2_DYNAMIC_REV);
	es->s_first_ino = cpu_to_le32(EXT2_GOOD_OLD_FIRST_INO);
	es->s_inode_size = cpu_to_le16(XT_INODE_SIZE);
	get_random_bytes(es->s_uuid, sizeof(es->s_uuid));
	memcpy(es->s_volume_name, "ext2-xip-test", 13);

	gd->bg_block_bitmap = cpu_to_le32(xt_bbitmap_blk(g));
	gd->bg_inode_bitmap = cpu_to_le32(xt_ibitmap_blk(g));
	gd->bg_inode_table = cpu_to_le32(xt_itable_blk(g));
	gd->bg_free_blocks_count = cpu_to_le16(xt_free_blocks(g));
	gd->bg_free_inodes_count = cpu_to_le16(xt_free_inodes(g));
	gd->bg_used_dirs_count = cpu_to_le16(1);

	/* bit n of the block bitmap is block first + n */
	xt_set_bits(bbitmap, 0, g->root_blk + 1 - g->first);
	xt_set_bits(bbitmap, g->blocks - g->first, g->bs * 8);
	/* inodes 1 to 10 are reserved; inode n is bit n - 1 */
	xt_set_bits(ibitmap, 0, EXT2_GOOD_OLD_FIRST_INO - 1);
	xt_set_bits(ibitmap, g->inodes, g->bs * 8);

	root->i_mode = cpu_to_le16(S_IFDIR | 0755);
	root->i_size = cpu_to_le32(g->bs);
	root->i_atime = now;
	root->i_ctime = now;
	root->i_mtime = now;
	root->i_links_count = cpu_to_le16(2);
	root->i_blocks = cpu_to_le32(g->bs >> SECTOR_SHIFT);
	root->i_block[0] = cpu_to_le32(g->root_blk);

	dot->inode = cpu_to_le32(EXT2_ROOT_INO);
	dot->rec_len = cpu_to_le16(EXT2_DIR_REC_LEN(1));
	dot->name_len = 1;
	memcpy(dot->name, ".", 1);
	dotdot = (void *)dot + EXT2_DIR_REC_LEN(1);
	dotdot->inode = cpu_to_le32(EXT2_ROOT_INO);
	dotdot->rec_len = cpu_to_le16(g->bs - EXT2_DIR_REC_LEN(1));
	dotdot->name_len = 2;
	memcpy(dotdot->name, "..", 2);
}

/* Write or read one page of the RAM disk with a bio, past any cache. */
static int xt_rw_page(struct block_device *bdev, blk_opf_t op,
		      unsigned long index, struct page *page)
{
	struct bio_vec bvec;
	struct bio bio;
	int err;

	bio_init(&bio, bdev, &bvec, 1, op);
	bio.bi_iter.bi_sector = (sector_t)index << (PAGE_SHIFT - SECTOR_SHIFT);
	__bio_add_page(&bio, page, PAGE_SIZE, 0);
	err = submit_bio_wait(&bio);
	bio_uninit(&bio);
	return err;
}

static struct file *xt_open_ram(struct kunit *test, void *holder)
{
	struct file *f;

	f = bdev_file_open_by_dev(XT_DEVT, BLK_OPEN_READ | BLK_OPEN_WRITE,
				  holder, NULL);
	if (IS_ERR(f))
		return f;
	if (bdev_is_partition(file_bdev(f))) {
		/* brd.max_part > 1 makes minor 1 a partition of ram0 */
		__fput_sync(f);
		return ERR_PTR(-ENXIO);
	}
	return f;
}

/*
 * Format /dev/ram1 with blocks of @bs bytes: the metadata, then XT_POISON in
 * every free block, so that a block handed out without being zeroed shows.
 * The bios bypass the block device's page cache; invalidate_bdev() drops
 * whatever an earlier mount may have left in it.
 */
static int xt_write_image(struct kunit *test, unsigned int bs)
{
	struct xt_ctx *ctx = test->priv;
	struct xt_geom *g = &ctx->geom;
	unsigned long i, nr_pages, meta_pages;
	struct block_device *bdev;
	struct page *page;
	struct file *f;
	u8 *img;
	int err = 0;

	f = xt_open_ram(test, NULL);
	if (IS_ERR(f)) {
		kunit_err(test, "cannot open /dev/ram1 (brd, minor 1): %ld",
			  PTR_ERR(f));
		return PTR_ERR(f);
	}
	bdev = file_bdev(f);
	xt_geom_init(g, bs, bdev_nr_bytes(bdev));
	if (g->blocks < g->root_blk + XT_MIN_BLOCKS) {
		kunit_err(test, "/dev/ram1 is too small: %llu bytes",
			  bdev_nr_bytes(bdev));
		err = -ENOSPC;
		goto out_put;
	}

	meta_pages = DIV_ROUND_UP((g->root_blk + 1) * bs, PAGE_SIZE);
	nr_pages = (unsigned long)g->blocks * bs / PAGE_SIZE;
	img = kvmalloc(meta_pages * PAGE_SIZE, GFP_KERNEL);
	page = alloc_page(GFP_KERNEL);
	if (!img || !page) {
		err = -ENOMEM;
		goto out_free;
	}
	memset(img, XT_POISON, meta_pages * PAGE_SIZE);
	xt_build_meta(g, img);

	for (i = 0; i < nr_pages && !err; i++) {
		if (i < meta_pages)
			memcpy(page_address(page), img + i * PAGE_SIZE,
			       PAGE_SIZE);
		else if (i == meta_pages)
			memset(page_address(page), XT_POISON, PAGE_SIZE);
		err = xt_rw_page(bdev, REQ_OP_WRITE, i, page);
	}
	if (err)
		kunit_err(test, "writing the image to /dev/ram1: %d", err);
	invalidate_bdev(bdev);
out_free:
	if (page)
		__free_page(page);
	kvfree(img);
out_put:
	__fput_sync(f);
	return err;
}

static int xt_mknod(void)
{
	struct dentry *dentry;
	struct path path;
	int err;

	dentry = kern_path_create(AT_FDCWD, XT_NODE, &path, 0);
	if (IS_ERR(dentry))
		return PTR_ERR(dentry);
	err = vfs_mknod(mnt_idmap(path.mnt), d_inode(path.dentry), dentry,
			S_IFBLK | 0600, XT_DEVT);
	done_path_create(&path, dentry);
	return err;
}

static int xt_unlink_node(void)
{
	struct dentry *dentry;
	struct path parent;
	struct inode *dir;
	int err;

	err = kern_path("/", LOOKUP_DIRECTORY, &parent);
	if (err)
		return err;
	err = mnt_want_write(parent.mnt);
	if (err)
		goto out_put;
	dir = d_inode(parent.dentry);
	inode_lock_nested(dir, I_MUTEX_PARENT);
	dentry = lookup_one_len(XT_NODE_NAME, parent.dentry,
				strlen(XT_NODE_NAME));
	if (IS_ERR(dentry)) {
		err = PTR_ERR(dentry);
	} else {
		if (d_really_is_positive(dentry))
			err = vfs_unlink(mnt_idmap(parent.mnt), dir, dentry,
					 NULL);
		else
			err = -ENOENT;
		dput(dentry);
	}
	inode_unlock(dir);
	mnt_drop_write(parent.mnt);
out_put:
	path_put(&parent);
	return err;
}

/*
 * A block device node for the mount to look up.  Built-in suites run before
 * devtmpfs is mounted on /dev, so make one in the root directory; where that
 * is not possible (a module on a read-only root), use /dev/ram1.
 */
static int xt_make_node(struct kunit *test)
{
	struct xt_ctx *ctx = test->priv;
	dev_t dev;
	int err;

	err = xt_mknod();
	if (err == -EEXIST) {
		/* left behind by an earlier run that crashed */
		err = xt_unlink_node();
		if (!err)
			err = xt_mknod();
	}
	if (!err) {
		ctx->node = XT_NODE;
		ctx->made_node = true;
		return 0;
	}
	if (!lookup_bdev(XT_FALLBACK, &dev) && dev == XT_DEVT) {
		ctx->node = XT_FALLBACK;
		return 0;
	}
	kunit_err(test, "cannot create the device node %s: %d, and %s is not /dev/ram1",
		  XT_NODE, err, XT_FALLBACK);
	return err;
}

/*
 * mount -t ext2 -o @opts as an internal mount: kern_unmount() then releases
 * the super block before it returns.
 */
static struct vfsmount *xt_mount(struct kunit *test, const char *opts)
{
	struct xt_ctx *ctx = test->priv;
	struct file_system_type *type;
	struct vfsmount *mnt;
	char data[32];

	type = get_fs_type("ext2");
	if (!type)
		return ERR_PTR(-ENODEV);
	strscpy(data, opts, sizeof(data));
	mnt = vfs_kern_mount(type, SB_KERNMOUNT, ctx->node, data);
	module_put(type->owner);	/* put_filesystem() is not exported */
	return mnt;
}

/* Mount -o @opts and keep the mount for the test's exit to undo. */
static struct vfsmount *xt_mount_ok(struct kunit *test, const char *opts)
{
	struct xt_ctx *ctx = test->priv;
	struct vfsmount *mnt;

	mnt = xt_mount(test, opts);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(mnt),
			       "mount -t ext2 -o \"%s\" %s (/dev/ram1) failed: %ld",
			       opts, ctx->node, PTR_ERR(mnt));
	ctx->mnt = mnt;
	return mnt;
}

static struct file *xt_open(struct kunit *test, const char *name, int flags)
{
	struct xt_ctx *ctx = test->priv;
	struct file *file;
	int i;

	for (i = 0; i < ARRAY_SIZE(ctx->files) && ctx->files[i]; i++)
		;
	KUNIT_ASSERT_LT(test, i, ARRAY_SIZE(ctx->files));
	file = file_open_root_mnt(ctx->mnt, name, flags, 0644);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "open %s: %ld", name,
			       PTR_ERR(file));
	ctx->files[i] = file;
	return file;
}

/*
 * Close now, not from a work item: fput() in a kernel thread is deferred,
 * and the file would keep the mount busy past kern_unmount().
 */
static void xt_close_all(struct xt_ctx *ctx)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(ctx->files); i++) {
		if (ctx->files[i])
			__fput_sync(ctx->files[i]);
		ctx->files[i] = NULL;
	}
}

static void xt_umount(struct xt_ctx *ctx)
{
	xt_close_all(ctx);
	if (ctx->mnt)
		kern_unmount(ctx->mnt);
	ctx->mnt = NULL;
}

/*
 * ->get_xip_page for a run of up to *@nr pages, with the locks a fault
 * takes: exclusive to allocate.
 */
static int xt_get_run(struct file *file, pgoff_t index, bool create,
		      void **kaddr, unsigned long *pfn, unsigned long *nr)
{
	struct address_space *mapping = file->f_mapping;
	int ret;

	*kaddr = NULL;
	*pfn = 0;
	if (create)
		filemap_invalidate_lock(mapping);
	else
		filemap_invalidate_lock_shared(mapping);
	ret = mapping->a_ops->get_xip_page(mapping, index, create, kaddr, pfn,
					   nr);
	if (create)
		filemap_invalidate_unlock(mapping);
	else
		filemap_invalidate_unlock_shared(mapping);
	return ret;
}

/* ->get_xip_page for one page. */
static int xt_get_page(struct file *file, pgoff_t index, bool create,
		       void **kaddr, unsigned long *pfn)
{
	unsigned long nr = 1;

	return xt_get_run(file, index, create, kaddr, pfn, &nr);
}

/*
 * @kaddr and @pfn, returned for page @index of @file, must be the RAM disk's
 * own page for the block that ->bmap finds.
 */
static void xt_expect_device_page(struct kunit *test, struct file *file,
				  pgoff_t index, void *kaddr, unsigned long pfn)
{
	struct xt_ctx *ctx = test->priv;
	struct inode *inode = file_inode(file);
	sector_t block = index;
	unsigned long dev_pfn;
	void *dev_kaddr;
	long avail;

	KUNIT_ASSERT_EQ(test, bmap(inode, &block), 0);
	KUNIT_ASSERT_NE_MSG(test, block, (sector_t)0,
			    "bmap: no block behind page %lu", index);
	KUNIT_EXPECT_GT(test, block, (sector_t)ctx->geom.root_blk);
	KUNIT_EXPECT_LT(test, block, (sector_t)ctx->geom.blocks);

	avail = bdev_direct_access(inode->i_sb->s_bdev,
				   block << (PAGE_SHIFT - SECTOR_SHIFT),
				   &dev_kaddr, &dev_pfn, PAGE_SIZE);
	KUNIT_ASSERT_GE(test, avail, (long)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, pfn, dev_pfn);
	KUNIT_EXPECT_PTR_EQ(test, kaddr, dev_kaddr);
	/* brd hands out lowmem pages, so kaddr is the page's address */
	KUNIT_ASSERT_TRUE(test, pfn_valid(pfn));
	KUNIT_EXPECT_PTR_EQ(test, kaddr, page_address(pfn_to_page(pfn)));
}

static void xt_fill(u8 *buf, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = seed + i * 7 + (i >> 12);
}

static void ext2_xip_mount_is_xip(struct kunit *test)
{
	struct vfsmount *mnt = xt_mount_ok(test, "xip");
	struct super_block *sb = mnt->mnt_sb;
	struct inode *root = d_inode(mnt->mnt_root);
	struct xt_ctx *ctx = test->priv;
	unsigned long pfn;
	struct file *file;
	sector_t last;
	void *kaddr;

	KUNIT_EXPECT_EQ(test, sb->s_magic, (unsigned long)EXT2_SUPER_MAGIC);
	KUNIT_EXPECT_EQ(test, sb->s_blocksize, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, sb->s_bdev->bd_dev, XT_DEVT);
	KUNIT_EXPECT_FALSE(test, sb_rdonly(sb));
	/* Directories keep the page cache. */
	KUNIT_EXPECT_TRUE(test, S_ISDIR(root->i_mode));
	KUNIT_EXPECT_FALSE(test, mapping_is_xip(root->i_mapping));
	/*
	 * The device memory shows what the bios wrote: free blocks hold
	 * XT_POISON, so the zeroes of a new block come from ext2.
	 */
	last = (sector_t)(ctx->geom.blocks - 1) << (PAGE_SHIFT - SECTOR_SHIFT);
	KUNIT_ASSERT_GE(test, bdev_direct_access(sb->s_bdev, last, &kaddr,
						 &pfn, PAGE_SIZE),
			(long)PAGE_SIZE);
	KUNIT_EXPECT_NULL(test, memchr_inv(kaddr, XT_POISON, PAGE_SIZE));

	file = xt_open(test, "file", O_RDWR | O_CREAT | O_EXCL);
	KUNIT_EXPECT_TRUE_MSG(test, mapping_is_xip(file->f_mapping),
			      "a regular file of an xip mount has no ->get_xip_page");
	KUNIT_EXPECT_NOT_NULL(test, file->f_mapping->a_ops->bmap);
	/* No page cache reads behind the file system's back. */
	KUNIT_EXPECT_NULL(test, file->f_mapping->a_ops->read_folio);
#if IS_BUILTIN(CONFIG_EXT2_FS) && IS_BUILTIN(CONFIG_EXT2_FS_XIP_KUNIT_TEST)
	KUNIT_EXPECT_TRUE(test, file->f_mapping->a_ops->get_xip_page ==
				ext2_get_xip_page);
#endif
}

/*
 * A hole is -ENODATA until get_xip_page allocates it; the new block is
 * zeroed (free blocks hold XT_POISON), is the RAM disk's page for the
 * block, and later lookups find the same memory.
 */
static void ext2_xip_hole_then_allocate(struct kunit *test)
{
	struct file *file;
	unsigned long pfn, pfn2;
	void *kaddr, *kaddr2;

	xt_mount_ok(test, "xip");
	file = xt_open(test, "file", O_RDWR | O_CREAT | O_EXCL);

	KUNIT_EXPECT_EQ(test, xt_get_page(file, 0, false, &kaddr, &pfn),
			-ENODATA);
	KUNIT_EXPECT_EQ(test, xt_get_page(file, 3, false, &kaddr, &pfn),
			-ENODATA);

	/* holes inside i_size too */
	KUNIT_ASSERT_EQ(test, vfs_truncate(&file->f_path, 2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, xt_get_page(file, 0, false, &kaddr, &pfn),
			-ENODATA);
	KUNIT_EXPECT_EQ(test, xt_get_page(file, 1, false, &kaddr, &pfn),
			-ENODATA);
	KUNIT_EXPECT_EQ(test, file_inode(file)->i_blocks, (blkcnt_t)0);

	KUNIT_ASSERT_EQ(test, xt_get_page(file, 0, true, &kaddr, &pfn), 0);
	KUNIT_ASSERT_NOT_NULL(test, kaddr);
	KUNIT_EXPECT_NULL_MSG(test, memchr_inv(kaddr, 0, PAGE_SIZE),
			      "a new block is not zeroed");
	xt_expect_device_page(test, file, 0, kaddr, pfn);
	KUNIT_EXPECT_EQ(test, file_inode(file)->i_blocks,
			(blkcnt_t)(PAGE_SIZE >> SECTOR_SHIFT));

	KUNIT_ASSERT_EQ(test, xt_get_page(file, 0, false, &kaddr2, &pfn2), 0);
	KUNIT_EXPECT_PTR_EQ(test, kaddr2, kaddr);
	KUNIT_EXPECT_EQ(test, pfn2, pfn);
	/* create on a block that exists returns it too */
	KUNIT_ASSERT_EQ(test, xt_get_page(file, 0, true, &kaddr2, &pfn2), 0);
	KUNIT_EXPECT_PTR_EQ(test, kaddr2, kaddr);
	KUNIT_EXPECT_EQ(test, pfn2, pfn);
	/* the neighbour is still a hole */
	KUNIT_EXPECT_EQ(test, xt_get_page(file, 1, false, &kaddr2, &pfn2),
			-ENODATA);
	KUNIT_EXPECT_EQ(test, file->f_mapping->nrpages, 0UL);
}

/*
 * write(2) stores into the RAM disk's memory and read(2) reads from it, in
 * both directions, and nothing enters the file's page cache.
 */
static void ext2_xip_write_lands_in_device_memory(struct kunit *test)
{
	const size_t len = 2 * PAGE_SIZE + 100;
	struct file *file;
	unsigned long pfn;
	pgoff_t index;
	void *kaddr;
	loff_t pos;
	u8 *buf, *back;

	buf = kunit_kmalloc(test, len, GFP_KERNEL);
	back = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, back);
	xt_fill(buf, len, 0x11);

	xt_mount_ok(test, "xip");
	file = xt_open(test, "data", O_RDWR | O_CREAT | O_EXCL);
	pos = 0;
	KUNIT_ASSERT_EQ(test, kernel_write(file, buf, len, &pos), (ssize_t)len);
	KUNIT_EXPECT_EQ(test, i_size_read(file_inode(file)), (loff_t)len);

	for (index = 0; index < DIV_ROUND_UP(len, PAGE_SIZE); index++) {
		size_t n = min_t(size_t, PAGE_SIZE, len - index * PAGE_SIZE);

		KUNIT_ASSERT_EQ(test,
				xt_get_page(file, index, false, &kaddr, &pfn),
				0);
		KUNIT_EXPECT_EQ_MSG(test,
				    memcmp(kaddr, buf + index * PAGE_SIZE, n),
				    0, "page %lu differs from what was written",
				    index);
		/* the tail of the EOF page was zeroed, not left poisoned */
		KUNIT_EXPECT_NULL(test, memchr_inv(kaddr + n, 0,
						   PAGE_SIZE - n));
		xt_expect_device_page(test, file, index, kaddr, pfn);
	}
	KUNIT_EXPECT_EQ(test, file->f_mapping->nrpages, 0UL);

	/* a store into the device memory is what read(2) returns */
	KUNIT_ASSERT_EQ(test, xt_get_page(file, 1, false, &kaddr, &pfn), 0);
	memset(kaddr, 0x3c, PAGE_SIZE);
	memset(buf + PAGE_SIZE, 0x3c, PAGE_SIZE);
	pos = 0;
	KUNIT_ASSERT_EQ(test, kernel_read(file, back, len, &pos), (ssize_t)len);
	KUNIT_EXPECT_EQ(test, memcmp(back, buf, len), 0);
	KUNIT_EXPECT_EQ(test, file->f_mapping->nrpages, 0UL);
}

/* A hole between two written pages stays a hole, also after a read. */
static void ext2_xip_sparse_hole_stays_hole(struct kunit *test)
{
	/* page 20 needs the indirect block: 12 direct blocks */
	static const pgoff_t written[] = { 0, 2, 20 };
	static const pgoff_t holes[] = { 1, 3, 11, 12, 19, 21 };
	struct file *file;
	unsigned long pfn;
	void *kaddr;
	loff_t pos;
	u8 *buf;
	int i;

	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	xt_mount_ok(test, "xip");
	file = xt_open(test, "sparse", O_RDWR | O_CREAT | O_EXCL);
	for (i = 0; i < ARRAY_SIZE(written); i++) {
		xt_fill(buf, PAGE_SIZE, i);
		pos = (loff_t)written[i] * PAGE_SIZE;
		KUNIT_ASSERT_EQ(test, kernel_write(file, buf, PAGE_SIZE, &pos),
				(ssize_t)PAGE_SIZE);
	}
	/* three data blocks and one indirect block */
	KUNIT_EXPECT_EQ(test, file_inode(file)->i_blocks,
			(blkcnt_t)(4 * (PAGE_SIZE >> SECTOR_SHIFT)));

	for (i = 0; i < ARRAY_SIZE(holes); i++) {
		KUNIT_EXPECT_EQ_MSG(test, xt_get_page(file, holes[i], false,
						      &kaddr, &pfn),
				    -ENODATA, "page %lu", holes[i]);
		/* read(2) of a hole gives zeroes and allocates nothing */
		pos = (loff_t)holes[i] * PAGE_SIZE;
		if (pos < i_size_read(file_inode(file))) {
			memset(buf, 0xff, PAGE_SIZE);
			KUNIT_EXPECT_EQ(test,
					kernel_read(file, buf, PAGE_SIZE, &pos),
					(ssize_t)PAGE_SIZE);
			KUNIT_EXPECT_NULL(test, memchr_inv(buf, 0, PAGE_SIZE));
		}
		KUNIT_EXPECT_EQ_MSG(test, xt_get_page(file, holes[i], false,
						      &kaddr, &pfn),
				    -ENODATA, "page %lu after read", holes[i]);
	}
	for (i = 0; i < ARRAY_SIZE(written); i++) {
		KUNIT_ASSERT_EQ(test, xt_get_page(file, written[i], false,
						  &kaddr, &pfn), 0);
		xt_fill(buf, PAGE_SIZE, i);
		KUNIT_EXPECT_EQ(test, memcmp(kaddr, buf, PAGE_SIZE), 0);
		xt_expect_device_page(test, file, written[i], kaddr, pfn);
	}
	KUNIT_EXPECT_EQ(test, file_inode(file)->i_blocks,
			(blkcnt_t)(4 * (PAGE_SIZE >> SECTOR_SHIFT)));
	KUNIT_EXPECT_EQ(test, file->f_mapping->nrpages, 0UL);
}

/*
 * The same file system with 1 KiB blocks mounts without xip, and -o xip
 * refuses it: a block must be a page.
 */
static void ext2_xip_refuses_small_blocks(struct kunit *test)
{
	struct xt_ctx *ctx = test->priv;
	struct vfsmount *mnt;

	KUNIT_ASSERT_EQ(test, xt_write_image(test, BLOCK_SIZE), 0);

	mnt = xt_mount_ok(test, "");
	KUNIT_EXPECT_EQ(test, mnt->mnt_sb->s_blocksize, (unsigned long)BLOCK_SIZE);
	xt_umount(ctx);

	mnt = xt_mount(test, "xip");
	if (!IS_ERR(mnt))
		kern_unmount(mnt);
	KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(mnt), -EINVAL,
			    "-o xip with 1 KiB blocks on %lu-byte pages",
			    PAGE_SIZE);
}

/*
 * "xip,dax" is refused, in either order and also without CONFIG_FS_DAX.
 * "dax" alone still mounts: brd has no dax_device, so ext2 turns DAX off
 * again, and files are neither DAX nor XIP.
 */
static void ext2_xip_refuses_dax(struct kunit *test)
{
	static const char * const opts[] = { "xip,dax", "dax,xip" };
	struct vfsmount *mnt;
	struct file *file;
	int i;

	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		mnt = xt_mount(test, opts[i]);
		if (!IS_ERR(mnt))
			kern_unmount(mnt);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(mnt), -EINVAL,
				    "-o %s", opts[i]);
	}

	xt_mount_ok(test, "dax");
	file = xt_open(test, "file", O_RDWR | O_CREAT | O_EXCL);
	KUNIT_EXPECT_FALSE(test, mapping_is_xip(file->f_mapping));
	KUNIT_EXPECT_FALSE(test, IS_DAX(file_inode(file)));
}

/*
 * After kern_unmount() the super block has let go of /dev/ram1, the file
 * system was left clean, and what was written through xip is on the
 * device for a mount without xip.  Then the device node goes away.
 */
static void ext2_xip_unmount_releases_everything(struct kunit *test)
{
	const size_t len = PAGE_SIZE + 512;
	struct xt_ctx *ctx = test->priv;
	struct file *file, *bdev_file;
	struct ext2_super_block *es;
	struct vfsmount *mnt;
	struct page *page;
	unsigned long pfn;
	void *kaddr;
	loff_t pos;
	dev_t dev;
	u8 *buf, *back;
	int err;

	buf = kunit_kmalloc(test, len, GFP_KERNEL);
	back = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, back);
	xt_fill(buf, len, 0x77);

	xt_mount_ok(test, "xip");
	file = xt_open(test, "kept", O_RDWR | O_CREAT | O_EXCL);
	pos = 0;
	KUNIT_ASSERT_EQ(test, kernel_write(file, buf, len, &pos), (ssize_t)len);
	KUNIT_ASSERT_EQ(test, xt_get_page(file, 1, false, &kaddr, &pfn), 0);
	xt_umount(ctx);

	/* The exclusive claim of the super block is gone. */
	bdev_file = xt_open_ram(test, test);
	KUNIT_EXPECT_FALSE_MSG(test, IS_ERR(bdev_file),
			       "/dev/ram1 still claimed after unmount: %ld",
			       PTR_ERR(bdev_file));
	if (!IS_ERR(bdev_file)) {
		/* unmounted cleanly: valid, mounted once */
		page = alloc_page(GFP_KERNEL);
		KUNIT_EXPECT_NOT_NULL(test, page);
		if (page) {
			KUNIT_EXPECT_EQ(test, xt_rw_page(file_bdev(bdev_file),
							 REQ_OP_READ, 0, page),
					0);
			es = page_address(page) + BLOCK_SIZE;
			KUNIT_EXPECT_EQ(test, le16_to_cpu(es->s_magic),
					EXT2_SUPER_MAGIC);
			KUNIT_EXPECT_EQ(test, le16_to_cpu(es->s_state),
					EXT2_VALID_FS);
			KUNIT_EXPECT_EQ(test, le16_to_cpu(es->s_mnt_count), 1);
			__free_page(page);
		}
		__fput_sync(bdev_file);
	}

	/* The data is on the device: read it back without xip. */
	mnt = xt_mount_ok(test, "");
	KUNIT_EXPECT_EQ(test, mnt->mnt_sb->s_bdev->bd_dev, XT_DEVT);
	file = xt_open(test, "kept", O_RDONLY);
	KUNIT_EXPECT_FALSE(test, mapping_is_xip(file->f_mapping));
	KUNIT_EXPECT_EQ(test, i_size_read(file_inode(file)), (loff_t)len);
	pos = 0;
	KUNIT_EXPECT_EQ(test, kernel_read(file, back, len, &pos), (ssize_t)len);
	KUNIT_EXPECT_EQ(test, memcmp(back, buf, len), 0);
	xt_umount(ctx);

	if (!ctx->made_node)
		return;
	err = xt_unlink_node();
	KUNIT_EXPECT_EQ(test, err, 0);
	if (!err)
		ctx->made_node = false;
	KUNIT_EXPECT_EQ(test, lookup_bdev(XT_NODE, &dev), -ENOENT);
}

/*
 * ->shutdown, as del_gendisk() calls it when the device goes away under the
 * mount: afterwards no file data is reachable (get_xip_page, read, write
 * fail with -EIO), metadata still is, and the mount can be unmounted.  The
 * RAM disk itself cannot go away while open, so call it directly.
 */
static void ext2_xip_shutdown_stops_file_data(struct kunit *test)
{
	struct xt_ctx *ctx = test->priv;
	struct super_block *sb;
	struct file *file;
	unsigned long pfn;
	void *kaddr;
	loff_t pos;
	u8 *buf;

	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	xt_fill(buf, PAGE_SIZE, 0x31);

	xt_mount_ok(test, "xip");
	sb = ctx->mnt->mnt_sb;
	KUNIT_ASSERT_NOT_NULL(test, sb->s_op->shutdown);
	file = xt_open(test, "doomed", O_RDWR | O_CREAT | O_EXCL);
	pos = 0;
	KUNIT_ASSERT_EQ(test, kernel_write(file, buf, PAGE_SIZE, &pos),
			(ssize_t)PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, xt_get_page(file, 0, false, &kaddr, &pfn), 0);

	sb->s_op->shutdown(sb);
	KUNIT_EXPECT_TRUE(test, EXT2_SB(sb)->s_xip_dead);
	KUNIT_EXPECT_EQ(test, xt_get_page(file, 0, false, &kaddr, &pfn), -EIO);
	KUNIT_EXPECT_EQ(test, xt_get_page(file, 1, true, &kaddr, &pfn), -EIO);
	pos = 0;
	KUNIT_EXPECT_EQ(test, kernel_read(file, buf, PAGE_SIZE, &pos),
			(ssize_t)-EIO);
	pos = 0;
	KUNIT_EXPECT_EQ(test, kernel_write(file, buf, PAGE_SIZE, &pos),
			(ssize_t)-EIO);
	/* metadata is not file data: the inode is still there */
	KUNIT_EXPECT_EQ(test, i_size_read(file_inode(file)), (loff_t)PAGE_SIZE);
	/* a second call (a later device event) is harmless */
	sb->s_op->shutdown(sb);
	xt_umount(ctx);
}

/*
 * One call describes a run: a hole run allocated with create is one
 * allocation of contiguous blocks, zeroed; a lookup of written data
 * returns up to the pages asked for, each page of the run at pfn + i, and
 * never more than asked or past a hole.
 */
static void ext2_xip_runs(struct kunit *test)
{
	unsigned long pfn, pfn2, nr, i;
	void *kaddr, *kaddr2;
	struct file *file;
	loff_t pos;
	u8 *buf;

	buf = kunit_kmalloc(test, 16 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	xt_mount_ok(test, "xip");
	file = xt_open(test, "runs", O_RDWR | O_CREAT | O_EXCL);

	/* a run of 8 holes, allocated at once */
	KUNIT_ASSERT_EQ(test, vfs_truncate(&file->f_path, 16 * PAGE_SIZE), 0);
	nr = 8;
	KUNIT_ASSERT_EQ(test, xt_get_run(file, 0, true, &kaddr, &pfn, &nr), 0);
	KUNIT_EXPECT_GE(test, nr, 1UL);
	KUNIT_EXPECT_LE(test, nr, 8UL);
	KUNIT_EXPECT_NULL_MSG(test, memchr_inv(kaddr, 0, nr * PAGE_SIZE),
			      "new blocks are not zeroed");
	/* the blocks of a run; the memory behind them may be less contiguous */
	KUNIT_EXPECT_GE(test, file_inode(file)->i_blocks,
			(blkcnt_t)(nr * (PAGE_SIZE >> SECTOR_SHIFT)));
	KUNIT_EXPECT_LE(test, file_inode(file)->i_blocks,
			(blkcnt_t)(8 * (PAGE_SIZE >> SECTOR_SHIFT)));
	for (i = 0; i < nr; i++) {
		KUNIT_ASSERT_EQ(test, xt_get_page(file, i, false, &kaddr2,
						  &pfn2), 0);
		KUNIT_EXPECT_EQ(test, pfn2, pfn + i);
		KUNIT_EXPECT_PTR_EQ(test, kaddr2, kaddr + i * PAGE_SIZE);
	}
	/* the hole after the allocated run stops a lookup there */
	nr = 16;
	KUNIT_ASSERT_EQ(test, xt_get_run(file, 0, false, &kaddr, &pfn, &nr), 0);
	KUNIT_EXPECT_LE(test, nr, 8UL);
	nr = 4;
	KUNIT_EXPECT_EQ(test, xt_get_run(file, 8, false, &kaddr, &pfn, &nr),
			-ENODATA);
	KUNIT_EXPECT_EQ(test, nr, 1UL);

	/* written data: a run is never longer than asked */
	xt_fill(buf, 16 * PAGE_SIZE, 0x42);
	pos = 0;
	KUNIT_ASSERT_EQ(test, kernel_write(file, buf, 16 * PAGE_SIZE, &pos),
			(ssize_t)(16 * PAGE_SIZE));
	nr = 3;
	KUNIT_ASSERT_EQ(test, xt_get_run(file, 9, false, &kaddr, &pfn, &nr), 0);
	KUNIT_EXPECT_GE(test, nr, 1UL);
	KUNIT_EXPECT_LE(test, nr, 3UL);
	KUNIT_EXPECT_EQ(test, memcmp(kaddr, buf + 9 * PAGE_SIZE,
				     nr * PAGE_SIZE), 0);
	xt_expect_device_page(test, file, 9, kaddr, pfn);
}

static int ext2_xip_test_init(struct kunit *test)
{
	struct xt_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	KUNIT_ASSERT_EQ_MSG(test, xt_write_image(test, PAGE_SIZE), 0,
			    "cannot write an ext2 image to /dev/ram1 (brd)");
	KUNIT_ASSERT_EQ_MSG(test, xt_make_node(test), 0,
			    "no device node for /dev/ram1 to mount");
	return 0;
}

static void ext2_xip_test_exit(struct kunit *test)
{
	struct xt_ctx *ctx = test->priv;

	if (!ctx)
		return;
	xt_umount(ctx);
	if (ctx->made_node && xt_unlink_node())
		kunit_err(test, "cannot remove %s", XT_NODE);
}

static struct kunit_case ext2_xip_test_cases[] = {
	KUNIT_CASE(ext2_xip_mount_is_xip),
	KUNIT_CASE(ext2_xip_hole_then_allocate),
	KUNIT_CASE(ext2_xip_write_lands_in_device_memory),
	KUNIT_CASE(ext2_xip_sparse_hole_stays_hole),
	KUNIT_CASE(ext2_xip_refuses_small_blocks),
	KUNIT_CASE(ext2_xip_refuses_dax),
	KUNIT_CASE(ext2_xip_runs),
	KUNIT_CASE(ext2_xip_shutdown_stops_file_data),
	KUNIT_CASE(ext2_xip_unmount_releases_everything),
	{}
};

static struct kunit_suite ext2_xip_test_suite = {
	.name = "ext2_xip",
	.init = ext2_xip_test_init,
	.exit = ext2_xip_test_exit,
	.test_cases = ext2_xip_test_cases,
};

kunit_test_suite(ext2_xip_test_suite);

MODULE_DESCRIPTION("KUnit tests of ext2 execute-in-place on a RAM disk");
MODULE_LICENSE("GPL");
