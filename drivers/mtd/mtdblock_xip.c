// SPDX-License-Identifier: GPL-2.0
/*
 * Execute-in-place (XIP) on MTD block devices
 *
 * mtdblock and mtdblock_ro present an MTD as a block device sector for
 * sector: the memory behind sector N is the MTD's own memory at byte
 * N * 512.  Where the MTD can be mapped with mtd_point() (phram, slram,
 * mtdram, map_ram and map_rom, CFI NOR flash behind physmap), the
 * block_device_operations->direct_access of mtd_blkdevs.c hands that memory
 * to an XIP filesystem (ext2 "mount -o xip").  Other MTDs (NAND, SPI NOR,
 * DataFlash, block2mtd) and the flash translation layers that share the
 * operations refuse with -EOPNOTSUPP, and say why once per device.
 *
 * Lifetime of the mapping: user space may map the memory with PTEs that hold
 * no reference, long after ->direct_access returned, so the memory must stay
 * pointed for as long as the device is open.  The first ->direct_access
 * points the whole MTD, after the translation layer wrote back what it
 * caches, and that point is held until the last opener closes the block
 * device (a mount holds it open while any of its files is mapped) or the
 * MTD goes away; only then mtd_unpoint() runs.  A CFI chip stays in
 * read-array mode while it is pointed.  Each ->direct_access points its own
 * range on top of that, to learn the physical address and how much of the
 * range is physically contiguous (mtdram's vmalloc()ed memory is not), and
 * unpoints it at once.
 *
 * Removal: del_mtd_blktrans_dev() deletes the disk first, and del_gendisk()
 * calls the filesystem's ->shutdown, which removes every mapping of the
 * memory and waits for the copies in progress.  The held point is dropped
 * after that and before the MTD reference is put; ->direct_access then
 * fails with -ENXIO.
 *
 * Flash: only RAM that needs no erase (MTD_RAM with MTD_NO_ERASE and
 * MTD_WRITEABLE) may be stored to by the CPU.  Flash is written by program
 * and erase cycles, so ->direct_access_read_only says true for it and the
 * filesystem allows read-only XIP mounts only.  While flash is held pointed,
 * writes and discards through the block device fail and flushes have
 * nothing to do: a CFI chip cannot be programmed, erased or synced while its
 * array is mapped, and such a request would wait for the unpoint with the
 * device's lock held, which the unpoint needs.
 *
 * Locking: everything runs under the blktrans device's lock, which also
 * serialises the translation layer's I/O, open, release and removal.
 */

#include <linux/blkdev.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mtd/blktrans.h>
#include <linux/mtd/mtd.h>
#include "mtdblock_xip.h"

/**
 * mtdblock_xip_stores_allowed - may the CPU store to this MTD's memory?
 * @mtd: the MTD
 *
 * RAM that needs no erase cycle before a write is written by plain stores;
 * NOR flash, ROM and RAM that says it needs erasing are not.
 *
 * Return: true for writeable RAM-type MTDs without erase cycles.
 */
bool mtdblock_xip_stores_allowed(const struct mtd_info *mtd)
{
	const u32 ram = MTD_WRITEABLE | MTD_NO_ERASE;

	return mtd->type == MTD_RAM && (mtd->flags & ram) == ram;
}

/**
 * mtdblock_xip_unsupported - why this device has no direct access, if so
 * @dev: the blktrans device, with its MTD
 *
 * Return: NULL if the device's memory may be mapped, else the reason.
 */
const char *mtdblock_xip_unsupported(const struct mtd_blktrans_dev *dev)
{
	struct mtd_info *mtd = dev->mtd;

	if (!dev->tr->linear)
		return "a flash translation layer remaps the sectors";
	if (mtd_type_is_nand(mtd))
		return "NAND flash is not mapped into memory";
	if (!mtd_get_master(mtd)->_point)
		return "the MTD driver cannot map it (no point)";
	return NULL;
}

/**
 * mtdblock_xip_run - the direct_access result for an mtd_point() result
 * @virt: kernel address that mtd_point() returned
 * @phys: physical address that mtd_point() returned, 0 if it gave none
 * @retlen: bytes that mtd_point() mapped from @virt
 * @size: bytes the caller asked for
 * @kaddr: returns @virt
 * @pfn: returns the page frame number of @virt
 *
 * A driver that reports no physical address can still be used if its
 * memory lies in the kernel's linear map.
 *
 * Return: the bytes from @virt in whole pages, at most @size; -EOPNOTSUPP
 * without a physical address, -EINVAL if @virt or @phys is not page
 * aligned, -ERANGE if less than a page is mapped.
 */
long mtdblock_xip_run(void *virt, resource_size_t phys, size_t retlen,
		      size_t size, void **kaddr, unsigned long *pfn)
{
	if (!phys) {
		if (!virt_addr_valid(virt))
			return -EOPNOTSUPP;
		phys = virt_to_phys(virt);
	}
	if (offset_in_page(virt) || (phys & ~PAGE_MASK))
		return -EINVAL;
	retlen = min(retlen, size) & PAGE_MASK;
	if (!retlen)
		return -ERANGE;
	*kaddr = virt;
	*pfn = PHYS_PFN(phys);
	return retlen;
}

/* Say once per device why it has no direct access. */
static void mtdblock_xip_refuse(struct mtd_blktrans_dev *dev, const char *why,
				long err)
{
	if (dev->xip_warned)
		return;
	dev->xip_warned = true;
	if (err)
		pr_notice("%s: no direct access (XIP) to MTD \"%s\": %s (%ld)\n",
			  dev->disk->disk_name, dev->mtd->name, why, err);
	else
		pr_notice("%s: no direct access (XIP) to MTD \"%s\": %s\n",
			  dev->disk->disk_name, dev->mtd->name, why);
}

/* Point the whole MTD, for as long as the device stays open. */
static int mtdblock_xip_hold(struct mtd_blktrans_dev *dev)
{
	struct mtd_info *mtd = dev->mtd;
	size_t retlen;
	void *virt;
	int err;

	lockdep_assert_held(&dev->lock);
	if (dev->xip_len)
		return 0;
	if (mtd->size > SIZE_MAX)
		return -EFBIG;
	/* What the translation layer caches must be in the MTD first. */
	if (dev->tr->flush) {
		err = dev->tr->flush(dev);
		if (err)
			return err;
	}
	err = mtd_point(mtd, 0, mtd->size, &retlen, &virt, NULL);
	if (err)
		return err;
	if (retlen != mtd->size) {
		if (retlen)
			mtd_unpoint(mtd, 0, retlen);
		return -ERANGE;
	}
	dev->xip_len = retlen;
	return 0;
}

/**
 * mtdblock_xip_direct_access - find the memory behind a sector of an MTD
 * @bdev: an open mtdblock or mtdblock_ro device
 * @sector: page-aligned sector of the whole disk
 * @kaddr: returns the kernel virtual address of @sector
 * @pfn: returns the page frame number of @sector
 * @size: number of bytes the caller wants, at least a page
 *
 * The first call points the whole MTD until the device is closed or
 * removed (see the top of this file).
 *
 * Context: may sleep; takes the blktrans device's lock.
 * Return: bytes physically contiguous from @kaddr, at most @size;
 * -EOPNOTSUPP if this MTD cannot be mapped, -EINVAL for a misaligned
 * sector or MTD, -ERANGE beyond the device, -ENXIO once the MTD is gone,
 * or an error from the MTD driver.
 */
long mtdblock_xip_direct_access(struct block_device *bdev, sector_t sector,
				void **kaddr, unsigned long *pfn, long size)
{
	struct mtd_blktrans_dev *dev = bdev->bd_disk->private_data;
	loff_t from = (loff_t)sector << SECTOR_SHIFT;
	size_t len, retlen;
	resource_size_t phys;
	struct mtd_info *mtd;
	const char *why;
	void *virt;
	long ret;

	if (sector & (PAGE_SECTORS - 1))
		return -EINVAL;
	if (size < PAGE_SIZE)
		return -EINVAL;

	mutex_lock(&dev->lock);
	mtd = dev->mtd;
	ret = -ENXIO;
	if (!mtd || !dev->open)
		goto out;
	why = mtdblock_xip_unsupported(dev);
	ret = -EOPNOTSUPP;
	if (why) {
		if (dev->tr->linear)
			mtdblock_xip_refuse(dev, why, 0);
		goto out;
	}
	ret = -ERANGE;
	if (from >= mtd->size)
		goto out;
	ret = mtdblock_xip_hold(dev);
	if (ret) {
		mtdblock_xip_refuse(dev, "cannot point the whole MTD", ret);
		ret = -EOPNOTSUPP;
		goto out;
	}

	len = min_t(u64, size, mtd->size - from);
	ret = mtd_point(mtd, from, len, &retlen, &virt, &phys);
	if (ret)
		goto out;
	ret = mtdblock_xip_run(virt, phys, retlen, len, kaddr, pfn);
	if (retlen)
		mtd_unpoint(mtd, from, retlen);
	if (ret == -EOPNOTSUPP)
		mtdblock_xip_refuse(dev, "the MTD driver reports no physical address", 0);
	else if (ret == -EINVAL)
		mtdblock_xip_refuse(dev, "the MTD is not page aligned in memory", 0);
out:
	mutex_unlock(&dev->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(mtdblock_xip_direct_access);

/**
 * mtdblock_xip_read_only - is this MTD mapped memory the CPU must not write?
 * @bdev: an mtdblock or mtdblock_ro device
 *
 * Flash and ROM can be executed in place but not stored to: an XIP
 * filesystem on them must be mounted read-only.
 *
 * Context: may sleep; takes the blktrans device's lock.
 * Return: true for an MTD with direct access whose memory is not RAM.
 */
bool mtdblock_xip_read_only(struct block_device *bdev)
{
	struct mtd_blktrans_dev *dev = bdev->bd_disk->private_data;
	bool ro;

	mutex_lock(&dev->lock);
	ro = dev->mtd && !mtdblock_xip_unsupported(dev) &&
	     !mtdblock_xip_stores_allowed(dev->mtd);
	mutex_unlock(&dev->lock);
	return ro;
}
EXPORT_SYMBOL_GPL(mtdblock_xip_read_only);

/**
 * mtdblock_xip_unpoint - drop the point that direct access holds
 * @dev: the blktrans device, at its last close or at its removal
 *
 * No one may use the memory any more: the last opener has gone, or the
 * filesystem's ->shutdown stopped every use of it.
 *
 * Context: the blktrans device's lock is held.
 */
void mtdblock_xip_unpoint(struct mtd_blktrans_dev *dev)
{
	lockdep_assert_held(&dev->lock);
	if (!dev->xip_len)
		return;
	mtd_unpoint(dev->mtd, 0, dev->xip_len);
	dev->xip_len = 0;
}
EXPORT_SYMBOL_GPL(mtdblock_xip_unpoint);

/**
 * mtdblock_xip_flash_held - is this device flash that direct access holds?
 * @dev: the blktrans device
 *
 * While it is, the translation layer must not write, erase or sync it.
 *
 * Context: the blktrans device's lock is held.
 * Return: true if the MTD is held pointed and is not RAM.
 */
bool mtdblock_xip_flash_held(struct mtd_blktrans_dev *dev)
{
	lockdep_assert_held(&dev->lock);
	return dev->xip_len && dev->mtd &&
	       !mtdblock_xip_stores_allowed(dev->mtd);
}
EXPORT_SYMBOL_GPL(mtdblock_xip_flash_held);
