// SPDX-License-Identifier: GPL-2.0
/*
 * Execute-in-place (XIP) on persistent memory
 *
 * pmem's block_device_operations->direct_access hands the memory behind a
 * sector to an XIP filesystem (ext2 "mount -o xip").  It works for every
 * kind of namespace: raw namespaces, whose memory is only memremap()ed and
 * has no struct page (fs-DAX refuses them), as well as fsdax namespaces and
 * legacy memmap= pmem, whose memory has ZONE_DEVICE pages.  Either way XIP
 * maps the memory by pfn.
 *
 * Persistence: the XIP code writes with cache-bypassing copies and reads
 * with machine-check-safe ones because ->direct_access_flush is present.
 * Stores through shared mappings are written back by ->direct_access_flush
 * at fsync/msync; the REQ_PREFLUSH bio that follows (pmem_submit_bio())
 * calls nvdimm_flush() for the platform's write queues.
 *
 * Media errors: a range that holds a known bad sector (the badblocks list,
 * /sys/block/pmemN/badblocks) is refused with -EHWPOISON, so read(2) gets
 * EIO and a fault SIGBUS instead of touching poison.
 */

#include <linux/blkdev.h>
#include <linux/dax.h>
#include <linux/libnvdimm.h>
#include <linux/pfn_t.h>
#include "pmem.h"
#include "pmem_xip.h"

/**
 * pmem_xip_direct_access - find the memory behind a sector of a pmem disk
 * @bdev: the pmem block device
 * @sector: page-aligned sector of the whole disk
 * @kaddr: returns the kernel virtual address of @sector
 * @pfn: returns the page frame number of @sector
 * @size: number of bytes the caller wants, at least a page
 *
 * A namespace is one contiguous range of memory, so everything up to the
 * end of the device is addressable, unless the badblocks list holds a bad
 * sector: then the run ends before the page that holds it.
 *
 * Return: bytes addressable from @kaddr, or -EINVAL for a misaligned
 * sector or namespace, -ERANGE beyond the device, -EHWPOISON for a range
 * with a known media error.
 */
long pmem_xip_direct_access(struct block_device *bdev, sector_t sector,
			    void **kaddr, unsigned long *pfn, long size)
{
	struct pmem_device *pmem = bdev->bd_disk->private_data;
	long nr_pages = DIV_ROUND_UP(size, PAGE_SIZE);
	pfn_t pfnt;
	long avail;

	if (sector & (PAGE_SECTORS - 1))
		return -EINVAL;
	if (sector >= get_capacity(bdev->bd_disk))
		return -ERANGE;
	/* A pfn for a namespace that starts inside a page would be wrong. */
	if (!PAGE_ALIGNED(pmem->phys_addr + pmem->data_offset))
		return -EINVAL;

	/*
	 * A run that reaches a bad sector ends before the page that holds
	 * it; only a request whose first page is bad is refused.
	 */
	if (pmem->bb.count) {
		sector_t first_bad;
		int num_bad;

		nr_pages = min_t(long, nr_pages, INT_MAX >> PAGE_SECTORS_SHIFT);
		if (badblocks_check(&pmem->bb, sector,
				    nr_pages << PAGE_SECTORS_SHIFT,
				    &first_bad, &num_bad)) {
			if (first_bad < sector + PAGE_SECTORS)
				return -EHWPOISON;
			nr_pages = (first_bad - sector) >> PAGE_SECTORS_SHIFT;
		}
	}
	avail = __pmem_direct_access(pmem, sector >> PAGE_SECTORS_SHIFT,
				     nr_pages, DAX_ACCESS, kaddr, &pfnt);
	if (avail < 0)
		return avail;
	*pfn = pfn_t_to_pfn(pfnt);
	return avail << PAGE_SHIFT;
}

/**
 * pmem_xip_flush - write back the CPU caches for XIP stores to pmem
 * @bdev: the pmem block device
 * @kaddr: an address returned by pmem_xip_direct_access()
 * @len: number of bytes
 *
 * Return: 0.
 */
int pmem_xip_flush(struct block_device *bdev, void *kaddr, size_t len)
{
	arch_wb_cache_pmem(kaddr, len);
	return 0;
}
