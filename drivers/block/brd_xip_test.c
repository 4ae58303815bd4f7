// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the RAM disk's direct_access operation: the contract that
 * execute-in-place relies on.  They use the last pages of /dev/ram0, which
 * brd has registered by the time built-in suites run.
 */

#include <kunit/test.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/major.h>
#include <linux/mm.h>
#include <linux/xip.h>

struct brd_xip_ctx {
	struct file *bdev_file;
	struct block_device *bdev;
};

static int brd_xip_test_init(struct kunit *test)
{
	struct brd_xip_ctx *ctx;
	struct file *f;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	f = bdev_file_open_by_dev(MKDEV(RAMDISK_MAJOR, 0),
				  BLK_OPEN_READ | BLK_OPEN_WRITE, NULL, NULL);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(f), "cannot open /dev/ram0: %ld",
			       PTR_ERR(f));
	ctx->bdev_file = f;
	ctx->bdev = file_bdev(f);
	test->priv = ctx;
	return 0;
}

static void brd_xip_test_exit(struct kunit *test)
{
	struct brd_xip_ctx *ctx = test->priv;

	if (ctx && ctx->bdev_file)
		fput(ctx->bdev_file);
}

static sector_t brd_last_page_sector(struct block_device *bdev)
{
	return round_down(bdev_nr_sectors(bdev) - 1, PAGE_SECTORS);
}

static void brd_xip_rejects_bad_arguments(struct kunit *test)
{
	struct brd_xip_ctx *ctx = test->priv;
	sector_t nr = bdev_nr_sectors(ctx->bdev);
	const struct block_device_operations *ops;
	unsigned long pfn;
	void *kaddr;

	KUNIT_EXPECT_EQ(test, bdev_direct_access(ctx->bdev, 1, &kaddr, &pfn,
						 PAGE_SIZE), -EINVAL);
	KUNIT_EXPECT_EQ(test, bdev_direct_access(ctx->bdev, 0, &kaddr, &pfn,
						 PAGE_SIZE / 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, bdev_direct_access(ctx->bdev, nr, &kaddr, &pfn,
						 PAGE_SIZE), -ERANGE);
	KUNIT_EXPECT_EQ(test, bdev_direct_access(ctx->bdev,
						 brd_last_page_sector(ctx->bdev),
						 &kaddr, &pfn, 2 * PAGE_SIZE),
			-ERANGE);
	/* The driver checks its own bounds too. */
	ops = ctx->bdev->bd_disk->fops;
	KUNIT_EXPECT_EQ(test, ops->direct_access(ctx->bdev, nr, &kaddr, &pfn,
						 PAGE_SIZE), -ERANGE);
}

static void brd_xip_maps_lowmem_pages(struct kunit *test)
{
	struct brd_xip_ctx *ctx = test->priv;
	/* Four pages inside the device, clear of the other cases' pages. */
	sector_t sector = brd_last_page_sector(ctx->bdev) - 8 * PAGE_SECTORS;
	unsigned long pfn, pfn2, i;
	void *kaddr, *kaddr2;
	long ret;

	ret = bdev_direct_access(ctx->bdev, sector, &kaddr, &pfn,
				 4 * PAGE_SIZE);
	/* a run of whole, physically contiguous low-memory pages */
	KUNIT_ASSERT_GE(test, ret, (long)PAGE_SIZE);
	KUNIT_ASSERT_LE(test, ret, (long)(4 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, ret % PAGE_SIZE, 0);
	for (i = 0; i < ret / PAGE_SIZE; i++) {
		KUNIT_EXPECT_TRUE(test, pfn_valid(pfn + i));
		KUNIT_EXPECT_FALSE(test, PageHighMem(pfn_to_page(pfn + i)));
		KUNIT_EXPECT_PTR_EQ(test, kaddr + i * PAGE_SIZE,
				    page_address(pfn_to_page(pfn + i)));
	}

	ret = bdev_direct_access(ctx->bdev, sector, &kaddr2, &pfn2, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, ret, (long)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, pfn, pfn2);
	KUNIT_EXPECT_PTR_EQ(test, kaddr, kaddr2);
}

/*
 * Direct access to a chunk of 16 pages that holds nothing yet allocates it
 * in one piece: the run covers what was asked for, and every page of it is
 * what the device reads and writes.  (A machine too fragmented for an
 * order-4 allocation falls back to single pages; then the run is shorter,
 * which is reported, but its pages must still be right.)
 */
static void brd_xip_run_of_new_chunk(struct kunit *test)
{
	struct brd_xip_ctx *ctx = test->priv;
	sector_t chunk = 16 * PAGE_SECTORS;
	sector_t sector = round_down(bdev_nr_sectors(ctx->bdev) / 2, chunk);
	unsigned long pfn, pfn2, i;
	void *kaddr, *kaddr2;
	long ret, got;

	ret = bdev_direct_access(ctx->bdev, sector, &kaddr, &pfn,
				 16 * PAGE_SIZE);
	KUNIT_ASSERT_GE(test, ret, (long)PAGE_SIZE);
	KUNIT_ASSERT_LE(test, ret, (long)(16 * PAGE_SIZE));
	if (ret < 16 * PAGE_SIZE)
		kunit_info(test, "only %ld of 16 pages contiguous", ret / PAGE_SIZE);
	memset(kaddr, 0x3c, ret);
	for (i = 0; i < ret / PAGE_SIZE; i++) {
		got = bdev_direct_access(ctx->bdev, sector + i * PAGE_SECTORS,
					 &kaddr2, &pfn2, PAGE_SIZE);
		KUNIT_ASSERT_EQ(test, got, (long)PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, pfn2, pfn + i);
		KUNIT_EXPECT_PTR_EQ(test, kaddr2, kaddr + i * PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, ((u8 *)kaddr2)[PAGE_SIZE - 1], 0x3c);
	}
	/* a run never reaches past the end of the device */
	ret = bdev_direct_access(ctx->bdev, brd_last_page_sector(ctx->bdev),
				 &kaddr, &pfn, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ret, (long)PAGE_SIZE);
}

/* Data stored through direct_access is what a bio reads from the device. */
static void brd_xip_coherent_with_bio(struct kunit *test)
{
	struct brd_xip_ctx *ctx = test->priv;
	sector_t sector = brd_last_page_sector(ctx->bdev) - PAGE_SECTORS;
	struct bio_vec bvec;
	struct page *page;
	struct bio bio;
	unsigned long pfn;
	void *kaddr;
	u8 *buf;

	KUNIT_ASSERT_EQ(test, bdev_direct_access(ctx->bdev, sector, &kaddr,
						 &pfn, PAGE_SIZE),
			(long)PAGE_SIZE);
	memset(kaddr, 0x5a, PAGE_SIZE);

	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, page);
	bio_init(&bio, ctx->bdev, &bvec, 1, REQ_OP_READ);
	bio.bi_iter.bi_sector = sector;
	__bio_add_page(&bio, page, PAGE_SIZE, 0);
	KUNIT_EXPECT_EQ(test, submit_bio_wait(&bio), 0);
	bio_uninit(&bio);

	buf = kmap_local_page(page);
	KUNIT_EXPECT_EQ(test, buf[0], 0x5a);
	KUNIT_EXPECT_EQ(test, buf[PAGE_SIZE - 1], 0x5a);
	kunmap_local(buf);
	__free_page(page);
}

/*
 * A discard (an administrator's, of blocks a mounted filesystem may use)
 * must not free a page that direct_access handed out: the XIP code reads
 * and writes it without a reference.  It zeroes it in place.
 */
static void brd_xip_discard_keeps_page(struct kunit *test)
{
	struct brd_xip_ctx *ctx = test->priv;
	sector_t sector = brd_last_page_sector(ctx->bdev) - 2 * PAGE_SECTORS;
	unsigned long pfn, pfn2;
	void *kaddr, *kaddr2;
	u8 *p;

	KUNIT_ASSERT_EQ(test, bdev_direct_access(ctx->bdev, sector, &kaddr,
						 &pfn, PAGE_SIZE),
			(long)PAGE_SIZE);
	memset(kaddr, 0xa5, PAGE_SIZE);
	get_page(pfn_to_page(pfn));	/* survive a buggy free for the check */

	KUNIT_ASSERT_EQ(test, blkdev_issue_discard(ctx->bdev, sector,
						   PAGE_SECTORS, GFP_KERNEL), 0);
	/* Still owned by brd: our reference is not the only one. */
	KUNIT_EXPECT_GT(test, page_count(pfn_to_page(pfn)), 1);
	p = kaddr;
	KUNIT_EXPECT_EQ(test, p[0], 0);
	KUNIT_EXPECT_EQ(test, p[PAGE_SIZE - 1], 0);

	KUNIT_ASSERT_EQ(test, bdev_direct_access(ctx->bdev, sector, &kaddr2,
						 &pfn2, PAGE_SIZE),
			(long)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, pfn, pfn2);
	put_page(pfn_to_page(pfn));
}

/*
 * Once the filesystem releases freed blocks, brd drops its pages: a page
 * that someone still holds (a pin through a mapping) keeps its contents and
 * is no longer the device's; the sector gets a new, zeroed page.
 */
static void brd_xip_release_drops_pinned_page(struct kunit *test)
{
	struct brd_xip_ctx *ctx = test->priv;
	sector_t sector = brd_last_page_sector(ctx->bdev) - 3 * PAGE_SECTORS;
	unsigned long pfn, pfn2;
	void *kaddr, *kaddr2;
	struct page *page;
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, ctx->bdev->bd_disk->fops->direct_access_release);
	KUNIT_ASSERT_EQ(test, bdev_direct_access(ctx->bdev, sector, &kaddr,
						 &pfn, PAGE_SIZE),
			(long)PAGE_SIZE);
	page = pfn_to_page(pfn);
	memset(kaddr, 0x3c, PAGE_SIZE);
	get_page(page);			/* the "pin" */
	KUNIT_ASSERT_EQ(test, page_count(page), 2);

	bdev_direct_access_release(ctx->bdev, sector, PAGE_SECTORS);
	/* brd's reference goes after an SRCU grace period (xip_free_page()) */
	KUNIT_EXPECT_LE(test, page_count(page), 2);
	KUNIT_EXPECT_GE(test, page_count(page), 1);
	p = page_address(page);
	KUNIT_EXPECT_EQ(test, p[0], 0x3c);
	KUNIT_EXPECT_EQ(test, p[PAGE_SIZE - 1], 0x3c);

	KUNIT_ASSERT_EQ(test, bdev_direct_access(ctx->bdev, sector, &kaddr2,
						 &pfn2, PAGE_SIZE),
			(long)PAGE_SIZE);
	KUNIT_EXPECT_NE(test, pfn, pfn2);
	p = kaddr2;
	KUNIT_EXPECT_EQ(test, p[0], 0);
	KUNIT_EXPECT_EQ(test, p[PAGE_SIZE - 1], 0);
	put_page(page);			/* frees it, now or with brd's */
}

static struct kunit_case brd_xip_test_cases[] = {
	KUNIT_CASE(brd_xip_rejects_bad_arguments),
	KUNIT_CASE(brd_xip_maps_lowmem_pages),
	KUNIT_CASE(brd_xip_run_of_new_chunk),
	KUNIT_CASE(brd_xip_coherent_with_bio),
	KUNIT_CASE(brd_xip_discard_keeps_page),
	KUNIT_CASE(brd_xip_release_drops_pinned_page),
	{}
};

static struct kunit_suite brd_xip_test_suite = {
	.name = "brd_direct_access",
	.init = brd_xip_test_init,
	.exit = brd_xip_test_exit,
	.test_cases = brd_xip_test_cases,
};

kunit_test_suite(brd_xip_test_suite);

MODULE_DESCRIPTION("KUnit tests of the RAM disk's direct_access operation");
MODULE_LICENSE("GPL");
