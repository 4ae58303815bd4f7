/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Execute-in-place (XIP) on persistent memory: pmem's direct_access block
 * operations, see drivers/nvdimm/pmem_xip.c.
 */
#ifndef __NVDIMM_PMEM_XIP_H__
#define __NVDIMM_PMEM_XIP_H__

#include <linux/blkdev.h>

#ifdef CONFIG_BLK_DEV_PMEM_XIP
long pmem_xip_direct_access(struct block_device *bdev, sector_t sector,
			    void **kaddr, unsigned long *pfn, long size);
int pmem_xip_flush(struct block_device *bdev, void *kaddr, size_t len);
#else
#define pmem_xip_direct_access	NULL
#define pmem_xip_flush		NULL
#endif

#endif /* __NVDIMM_PMEM_XIP_H__ */
