/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Execute-in-place (XIP) on MTD block devices (mtdblock, mtdblock_ro): the
 * direct_access block operations, see drivers/mtd/mtdblock_xip.c.
 */
#ifndef __MTD_MTDBLOCK_XIP_H__
#define __MTD_MTDBLOCK_XIP_H__

#include <linux/blkdev.h>
#include <linux/mtd/blktrans.h>
#include <linux/mtd/mtd.h>

#ifdef CONFIG_MTD_BLOCK_XIP
long mtdblock_xip_direct_access(struct block_device *bdev, sector_t sector,
				void **kaddr, unsigned long *pfn, long size);
bool mtdblock_xip_read_only(struct block_device *bdev);
void mtdblock_xip_unpoint(struct mtd_blktrans_dev *dev);
bool mtdblock_xip_flash_held(struct mtd_blktrans_dev *dev);

/* for the KUnit tests (mtdblock_xip_test.c) */
bool mtdblock_xip_stores_allowed(const struct mtd_info *mtd);
const char *mtdblock_xip_unsupported(const struct mtd_blktrans_dev *dev);
long mtdblock_xip_run(void *virt, resource_size_t phys, size_t retlen,
		      size_t size, void **kaddr, unsigned long *pfn);
#else
#define mtdblock_xip_direct_access	NULL
#define mtdblock_xip_read_only		NULL

static inline void mtdblock_xip_unpoint(struct mtd_blktrans_dev *dev)
{
}

static inline bool mtdblock_xip_flash_held(struct mtd_blktrans_dev *dev)
{
	return false;
}
#endif

#endif /* __MTD_MTDBLOCK_XIP_H__ */
