// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of direct access (XIP) on MTD block devices
 * (drivers/mtd/mtdblock_xip.c): which MTDs the CPU may store to, the run
 * and page frame derived from mtd_point(), and, with mtdblock built in, an
 * MTD over test memory seen through its /dev/mtdblockN: the point held
 * until the last close, the read-only answer and refused writes for a
 * NOR-type MTD, an MTD that cannot point, and removal while open.
 */

#include <kunit/test.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/major.h>
#include <linux/mm.h>
#include <linux/mtd/blktrans.h>
#include <linux/mtd/mtd.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/xip.h>
#include "mtdblock_xip.h"

/* ---- the decisions, on MTDs that are never registered -------------- */

/* An unregistered MTD (struct mtd_info is too large for the stack). */
static struct mtd_info *xt_mtd_info(struct kunit *test, u_char type,
				    u32 flags)
{
	struct mtd_info *mtd = kunit_kzalloc(test, sizeof(*mtd), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mtd);
	mtd->type = type;
	mtd->flags = flags;
	return mtd;
}

static void mtdblock_xip_test_stores_allowed(struct kunit *test)
{
	struct mtd_info *mtd = xt_mtd_info(test, MTD_RAM, MTD_CAP_RAM);

	KUNIT_EXPECT_TRUE(test, mtdblock_xip_stores_allowed(mtd));
	mtd->flags = MTD_CAP_RAM & ~MTD_WRITEABLE;
	KUNIT_EXPECT_FALSE(test, mtdblock_xip_stores_allowed(mtd));
	/* RAM that says it needs erase cycles */
	mtd->flags = MTD_CAP_RAM & ~MTD_NO_ERASE;
	KUNIT_EXPECT_FALSE(test, mtdblock_xip_stores_allowed(mtd));
	mtd->type = MTD_NORFLASH;
	mtd->flags = MTD_CAP_NORFLASH;
	KUNIT_EXPECT_FALSE(test, mtdblock_xip_stores_allowed(mtd));
	/* NOR with MTD_NO_ERASE set still is flash */
	mtd->flags = MTD_CAP_RAM;
	KUNIT_EXPECT_FALSE(test, mtdblock_xip_stores_allowed(mtd));
	mtd->type = MTD_ROM;
	mtd->flags = MTD_CAP_ROM;
	KUNIT_EXPECT_FALSE(test, mtdblock_xip_stores_allowed(mtd));
	mtd->type = MTD_NANDFLASH;
	mtd->flags = MTD_CAP_NANDFLASH;
	KUNIT_EXPECT_FALSE(test, mtdblock_xip_stores_allowed(mtd));
}

static int mtdblock_xip_test_nop_point(struct mtd_info *mtd, loff_t from,
				       size_t len, size_t *retlen, void **virt,
				       resource_size_t *phys)
{
	return -EINVAL;
}

static void mtdblock_xip_test_unsupported(struct kunit *test)
{
	struct mtd_info *mtd = xt_mtd_info(test, MTD_RAM, MTD_CAP_RAM);
	struct mtd_blktrans_ops tr = { .linear = true };
	struct mtd_blktrans_dev dev = { .tr = &tr, .mtd = mtd };

	/* an MTD without a parent is its own master */
	KUNIT_EXPECT_NOT_NULL(test, mtdblock_xip_unsupported(&dev));
	mtd->_point = mtdblock_xip_test_nop_point;
	KUNIT_EXPECT_NULL(test, mtdblock_xip_unsupported(&dev));
	tr.linear = false;	/* a flash translation layer */
	KUNIT_EXPECT_NOT_NULL(test, mtdblock_xip_unsupported(&dev));
	tr.linear = true;
	mtd->type = MTD_NANDFLASH;
	KUNIT_EXPECT_NOT_NULL(test, mtdblock_xip_unsupported(&dev));
	mtd->type = MTD_MLCNANDFLASH;
	KUNIT_EXPECT_NOT_NULL(test, mtdblock_xip_unsupported(&dev));
	mtd->type = MTD_NORFLASH;
	KUNIT_EXPECT_NULL(test, mtdblock_xip_unsupported(&dev));
}

static void mtdblock_xip_test_run(struct kunit *test)
{
	struct page *page = alloc_pages(GFP_KERNEL, 2);
	unsigned long pfn = 0;
	void *virt, *kaddr = NULL, *vmem;
	resource_size_t phys;

	KUNIT_ASSERT_NOT_NULL(test, page);
	virt = page_address(page);
	phys = page_to_phys(page);

	/* the run is what was pointed, capped by the request */
	KUNIT_EXPECT_EQ(test, mtdblock_xip_run(virt, phys, 4 * PAGE_SIZE,
					       2 * PAGE_SIZE, &kaddr, &pfn),
			(long)(2 * PAGE_SIZE));
	KUNIT_EXPECT_PTR_EQ(test, kaddr, virt);
	KUNIT_EXPECT_EQ(test, pfn, page_to_pfn(page));
	/* in whole pages (mtdram stops at the first discontiguous page) */
	KUNIT_EXPECT_EQ(test, mtdblock_xip_run(virt, phys, 3 * PAGE_SIZE - 1,
					       4 * PAGE_SIZE, &kaddr, &pfn),
			(long)(2 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, mtdblock_xip_run(virt, phys, PAGE_SIZE - 1,
					       4 * PAGE_SIZE, &kaddr, &pfn),
			(long)-ERANGE);
	KUNIT_EXPECT_EQ(test, mtdblock_xip_run(virt + 512, phys + 512,
					       PAGE_SIZE, PAGE_SIZE, &kaddr,
					       &pfn), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, mtdblock_xip_run(virt, phys + 512, PAGE_SIZE,
					       PAGE_SIZE, &kaddr, &pfn),
			(long)-EINVAL);

	/* no physical address: the linear map gives it, vmalloc() does not */
	pfn = 0;
	KUNIT_EXPECT_EQ(test, mtdblock_xip_run(virt + PAGE_SIZE, 0, PAGE_SIZE,
					       PAGE_SIZE, &kaddr, &pfn),
			(long)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, pfn, page_to_pfn(page) + 1);
	vmem = vmalloc(PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, vmem);
	KUNIT_EXPECT_EQ(test, mtdblock_xip_run(vmem, 0, PAGE_SIZE, PAGE_SIZE,
					       &kaddr, &pfn),
			(long)-EOPNOTSUPP);
	vfree(vmem);
	__free_pages(page, 2);
}

/* ---- an MTD over test memory, through its mtdblock device ----------- */

#define XT_ORDER	4
#define XT_PAGES	BIT(XT_ORDER)
#define XT_SIZE		(XT_PAGES * PAGE_SIZE)

struct xt_mtd {
	struct mtd_info mtd;
	struct page *pages;
	void *mem;
	atomic_t points;	/* points not yet unpointed */
	atomic_t calls;		/* point calls */
};

static struct xt_mtd *xt_of(struct mtd_info *mtd)
{
	return container_of(mtd, struct xt_mtd, mtd);
}

static int xt_point(struct mtd_info *mtd, loff_t from, size_t len,
		    size_t *retlen, void **virt, resource_size_t *phys)
{
	struct xt_mtd *xt = xt_of(mtd);

	*virt = xt->mem + from;
	if (phys)
		*phys = page_to_phys(xt->pages) + from;
	*retlen = len;
	atomic_inc(&xt->points);
	atomic_inc(&xt->calls);
	return 0;
}

static int xt_unpoint(struct mtd_info *mtd, loff_t from, size_t len)
{
	atomic_dec(&xt_of(mtd)->points);
	return 0;
}

static int xt_read(struct mtd_info *mtd, loff_t from, size_t len,
		   size_t *retlen, u_char *buf)
{
	memcpy(buf, xt_of(mtd)->mem + from, len);
	*retlen = len;
	return 0;
}

static int xt_write(struct mtd_info *mtd, loff_t to, size_t len,
		    size_t *retlen, const u_char *buf)
{
	memcpy(xt_of(mtd)->mem + to, buf, len);
	*retlen = len;
	return 0;
}

static int xt_erase(struct mtd_info *mtd, struct erase_info *instr)
{
	memset(xt_of(mtd)->mem + instr->addr, 0xff, instr->len);
	return 0;
}

/* Register a test MTD; @type MTD_RAM or MTD_NORFLASH, @point if mappable. */
static struct xt_mtd *xt_add(struct kunit *test, u_char type, bool point)
{
	struct xt_mtd *xt;

	if (!IS_BUILTIN(CONFIG_MTD_BLOCK))
		kunit_skip(test, "needs mtdblock built in (CONFIG_MTD_BLOCK=y)");
	xt = kzalloc(sizeof(*xt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, xt);
	xt->pages = alloc_pages(GFP_KERNEL | __GFP_ZERO, XT_ORDER);
	if (!xt->pages) {
		kfree(xt);
		KUNIT_FAIL_AND_ABORT(test, "no memory for a test MTD");
	}
	xt->mem = page_address(xt->pages);
	xt->mtd.name = "mtdblock_xip_test";
	xt->mtd.type = type;
	xt->mtd.flags = type == MTD_RAM ? MTD_CAP_RAM : MTD_CAP_NORFLASH;
	xt->mtd.size = XT_SIZE;
	xt->mtd.erasesize = PAGE_SIZE;
	xt->mtd.writesize = 1;
	xt->mtd.owner = THIS_MODULE;
	if (point) {
		xt->mtd._point = xt_point;
		xt->mtd._unpoint = xt_unpoint;
	}
	xt->mtd._read = xt_read;
	xt->mtd._write = xt_write;
	xt->mtd._erase = xt_erase;
	if (mtd_device_register(&xt->mtd, NULL, 0)) {
		__free_pages(xt->pages, XT_ORDER);
		kfree(xt);
		KUNIT_FAIL_AND_ABORT(test, "cannot register a test MTD");
	}
	return xt;
}

/* Remove a test MTD whose block device is closed, and free it. */
static void xt_del(struct xt_mtd *xt)
{
	mtd_device_unregister(&xt->mtd);
	__free_pages(xt->pages, XT_ORDER);
	kfree(xt);
}

static struct file *xt_open(struct kunit *test, struct xt_mtd *xt,
			    blk_mode_t mode)
{
	struct file *f;

	f = bdev_file_open_by_dev(MKDEV(MTD_BLOCK_MAJOR, xt->mtd.index), mode,
				  NULL, NULL);
	KUNIT_EXPECT_FALSE_MSG(test, IS_ERR(f), "cannot open mtdblock%d: %ld",
			       xt->mtd.index, PTR_ERR(f));
	return IS_ERR(f) ? NULL : f;
}

/* Close, and wait for the release: a kthread's fput() is delayed. */
static void xt_close(struct file *f)
{
	fput(f);
	flush_delayed_fput();
}

/* The driver's own direct_access of a page, without the helper's checks. */
static long xt_da(struct block_device *bdev, sector_t sector)
{
	unsigned long pfn;
	void *kaddr;

	return bdev->bd_disk->fops->direct_access(bdev, sector, &kaddr, &pfn,
						  PAGE_SIZE);
}

/* Write a page filled with @val to the first page of @bdev. */
static int xt_write_page(struct kunit *test, struct block_device *bdev,
			 blk_opf_t opf, int val)
{
	struct page *page = alloc_page(GFP_KERNEL);
	struct bio_vec bvec;
	struct bio bio;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, page);
	memset(page_address(page), val, PAGE_SIZE);
	bio_init(&bio, bdev, &bvec, 1, REQ_OP_WRITE | opf);
	bio.bi_iter.bi_sector = 0;
	__bio_add_page(&bio, page, PAGE_SIZE, 0);
	err = submit_bio_wait(&bio);
	bio_uninit(&bio);
	__free_page(page);
	return err;
}

static void mtdblock_xip_test_ram(struct kunit *test)
{
	struct xt_mtd *xt = xt_add(test, MTD_RAM, true);
	struct block_device *bdev;
	unsigned long pfn;
	struct file *f;
	void *kaddr;

	f = xt_open(test, xt, BLK_OPEN_READ | BLK_OPEN_WRITE);
	if (!f)
		goto out;
	bdev = file_bdev(f);
	KUNIT_EXPECT_EQ(test, bdev_xip_supported(bdev), 0);
	KUNIT_EXPECT_FALSE(test, bdev_xip_read_only(bdev));
	KUNIT_EXPECT_EQ(test, atomic_read(&xt->points), 0);

	KUNIT_EXPECT_EQ(test, bdev_direct_access(bdev, 0, &kaddr, &pfn,
						 XT_SIZE), (long)XT_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, kaddr, xt->mem);
	KUNIT_EXPECT_EQ(test, pfn, page_to_pfn(xt->pages));
	KUNIT_EXPECT_EQ(test, bdev_direct_access(bdev, PAGE_SECTORS, &kaddr,
						 &pfn, 2 * PAGE_SIZE),
			(long)(2 * PAGE_SIZE));
	KUNIT_EXPECT_PTR_EQ(test, kaddr, xt->mem + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, pfn, page_to_pfn(xt->pages) + 1);
	KUNIT_EXPECT_EQ(test, xt_da(bdev, 1), (long)-EINVAL);
	KUNIT_EXPECT_EQ(test, xt_da(bdev, XT_SIZE >> SECTOR_SHIFT),
			(long)-ERANGE);
	/* the whole-MTD point is held; each call's own point is dropped */
	KUNIT_EXPECT_EQ(test, atomic_read(&xt->points), 1);

	/* RAM takes block writes while it is held, at once (no cache) */
	KUNIT_EXPECT_EQ(test, xt_write_page(test, bdev, 0, 0x33), 0);
	KUNIT_EXPECT_EQ(test, ((u8 *)xt->mem)[PAGE_SIZE - 1], 0x33);
	KUNIT_EXPECT_EQ(test, blkdev_issue_flush(bdev), 0);

	xt_close(f);
	KUNIT_EXPECT_EQ(test, atomic_read(&xt->points), 0);
out:
	xt_del(xt);
}

static void mtdblock_xip_test_nor(struct kunit *test)
{
	struct xt_mtd *xt = xt_add(test, MTD_NORFLASH, true);
	struct block_device *bdev;
	unsigned long pfn;
	struct file *f;
	void *kaddr;

	f = xt_open(test, xt, BLK_OPEN_READ | BLK_OPEN_WRITE);
	if (!f)
		goto out;
	bdev = file_bdev(f);
	KUNIT_EXPECT_TRUE(test, bdev_xip_read_only(bdev));
	KUNIT_EXPECT_FALSE(test, bdev_read_only(bdev));
	/* not held yet: a write goes through mtdblock's erase-block cache */
	KUNIT_EXPECT_EQ(test, xt_write_page(test, bdev, 0, 0x5a), 0);

	/* the first direct access writes the cache back, then holds */
	KUNIT_EXPECT_EQ(test, bdev_direct_access(bdev, 0, &kaddr, &pfn,
						 PAGE_SIZE), (long)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ((u8 *)xt->mem)[0], 0x5a);
	KUNIT_EXPECT_EQ(test, atomic_read(&xt->points), 1);
	/* held flash takes no write, and a flush has nothing to do */
	KUNIT_EXPECT_EQ(test, xt_write_page(test, bdev, 0, 0x11), -EIO);
	KUNIT_EXPECT_EQ(test, blkdev_issue_flush(bdev), 0);
	KUNIT_EXPECT_EQ(test, ((u8 *)xt->mem)[0], 0x5a);
	xt_close(f);
	KUNIT_EXPECT_EQ(test, atomic_read(&xt->points), 0);

	/* released: writes work again */
	f = xt_open(test, xt, BLK_OPEN_READ | BLK_OPEN_WRITE);
	if (!f)
		goto out;
	KUNIT_EXPECT_EQ(test, xt_write_page(test, file_bdev(f), REQ_SYNC,
					    0x22), 0);
	xt_close(f);
	KUNIT_EXPECT_EQ(test, ((u8 *)xt->mem)[0], 0x22);
out:
	xt_del(xt);
}

static void mtdblock_xip_test_no_point(struct kunit *test)
{
	struct xt_mtd *xt = xt_add(test, MTD_RAM, false);
	unsigned long pfn;
	struct file *f;
	void *kaddr;

	f = xt_open(test, xt, BLK_OPEN_READ);
	if (!f)
		goto out;
	KUNIT_EXPECT_EQ(test, bdev_direct_access(file_bdev(f), 0, &kaddr, &pfn,
						 PAGE_SIZE), (long)-EOPNOTSUPP);
	KUNIT_EXPECT_FALSE(test, bdev_xip_read_only(file_bdev(f)));
	xt_close(f);
out:
	xt_del(xt);
}

static void mtdblock_xip_test_removal(struct kunit *test)
{
	struct xt_mtd *xt = xt_add(test, MTD_RAM, true);
	struct block_device *bdev;
	unsigned long pfn;
	struct file *f;
	void *kaddr;

	f = xt_open(test, xt, BLK_OPEN_READ);
	if (!f) {
		xt_del(xt);
		return;
	}
	bdev = file_bdev(f);
	KUNIT_EXPECT_EQ(test, bdev_direct_access(bdev, 0, &kaddr, &pfn,
						 PAGE_SIZE), (long)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, atomic_read(&xt->points), 1);

	/* the MTD goes away under the open device: the point is dropped */
	mtd_device_unregister(&xt->mtd);
	KUNIT_EXPECT_EQ(test, atomic_read(&xt->points), 0);
	KUNIT_EXPECT_EQ(test, xt_da(bdev, 0), (long)-ENXIO);
	KUNIT_EXPECT_FALSE(test, bdev_xip_read_only(bdev));
	xt_close(f);
	KUNIT_EXPECT_EQ(test, atomic_read(&xt->points), 0);
	__free_pages(xt->pages, XT_ORDER);
	kfree(xt);
}

static struct kunit_case mtdblock_xip_test_cases[] = {
	KUNIT_CASE(mtdblock_xip_test_stores_allowed),
	KUNIT_CASE(mtdblock_xip_test_unsupported),
	KUNIT_CASE(mtdblock_xip_test_run),
	KUNIT_CASE(mtdblock_xip_test_ram),
	KUNIT_CASE(mtdblock_xip_test_nor),
	KUNIT_CASE(mtdblock_xip_test_no_point),
	KUNIT_CASE(mtdblock_xip_test_removal),
	{}
};

static struct kunit_suite mtdblock_xip_test_suite = {
	.name = "mtdblock_xip",
	.test_cases = mtdblock_xip_test_cases,
};

kunit_test_suite(mtdblock_xip_test_suite);
