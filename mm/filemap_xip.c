// SPDX-License-Identifier: GPL-2.0
/*
 * Execute-in-place file operations
 *
 * Read, write and map regular files straight from the memory of a block
 * device that implements ->direct_access, without ever using the page cache.
 * A filesystem provides a_ops->get_xip_page(), which returns the kernel
 * address and pfn of the block backing a file page and how many of the
 * following pages are contiguous in memory (a run, so that read, write,
 * fault-around and sync pay for a lookup once per extent), allocating zeroed
 * blocks on request, or -ENODATA for a hole.
 *
 * The life of a file page:
 *
 *   hole ----------------(read fault, any vma)-----------> zero page mapped
 *    |                                                         |
 *    +--(write(2), or a store: write fault, ->*_mkwrite)----+  |
 *                                                           v  v
 *                       block allocated, zero page mappings shot down
 *                                      |
 *                         (truncate below the page)
 *                                      v
 *                       PTEs removed, then block freed: a hole again
 *
 * Lock order (outermost first):
 *
 *   sb_start_write		(write(2) and truncate; ->access writes take
 *				 it with a trylock under mmap_lock)
 *   i_rwsem			(read: shared, write and truncate: exclusive)
 *     mmap_lock or VMA lock	(faults, also on user buffers during a copy;
 *				 ->access and uprobes run under it)
 *       sb_start_pagefault	(faults that may write the filesystem)
 *         mapping->invalidate_lock
 *				(faults: shared for lookup + PTE insertion,
 *				 exclusive to allocate a hole and shoot down
 *				 its zero page mappings; truncate and size
 *				 extension: exclusive)
 *           fs block mapping locks (ext2: truncate_mutex)
 *             driver locks under ->direct_access (brd: xa_lock; MTD:
 *				 the blktrans device's mutex)
 *           mapping->i_mmap_rwsem	(unmap_mapping_pages)
 *             page table lock
 *
 * xip_srcu read sections nest inside i_rwsem, on either side of
 * invalidate_lock (write(2) allocates holes inside one, ->access and EOF
 * zeroing open one inside invalidate_lock); they never wait for each other,
 * so xip_shutdown_sync(), which waits for them, must be called with none of
 * the locks above held.
 *
 * read(2) and write(2) hold i_rwsem across the copy, which keeps truncate
 * from freeing the block being copied.  They never hold invalidate_lock
 * across a user copy: the user buffer may be an XIP mapping of the same file,
 * and faulting it in takes mmap_lock and then invalidate_lock, the reverse
 * order.  Faults do not take i_rwsem; invalidate_lock keeps truncate and
 * hole allocation away while they look up a block and install its PTEs.
 * The copies of read(2) and write(2), from the block lookup on, run in an
 * SRCU read section (xip_srcu, xip_copy_begin()) (but for the end-of-file
 * page of a write, stored by xip_write_finish() under invalidate_lock
 * alone), as do the other copies
 * made through a kernel address, so that a filesystem whose device goes
 * away can wait for them and a page that a driver gives up is freed after
 * them (xip_free_page()).
 */

#include <linux/blkdev.h>
#include <linux/cacheflush.h>
#include <linux/fault-inject.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/pfn_t.h>
#include <linux/rmap.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/xip.h>

#ifdef CONFIG_FAIL_DIRECT_ACCESS
/*
 * fail_direct_access: make chosen bdev_direct_access() calls fail with -EIO
 * before the driver is asked, as a device that cannot map a sector would.
 * Armed through /sys/kernel/debug/fail_direct_access/ or
 * /proc/<pid>/fail-nth.
 */
static DECLARE_FAULT_ATTR(fail_direct_access);

static int __init fail_direct_access_debugfs(void)
{
	struct dentry *dir;

	dir = fault_create_debugfs_attr("fail_direct_access", NULL,
					&fail_direct_access);
	return PTR_ERR_OR_ZERO(dir);
}
late_initcall(fail_direct_access_debugfs);

static bool xip_fail_direct_access(long size)
{
	return should_fail(&fail_direct_access, size);
}
#else
static inline bool xip_fail_direct_access(long size)
{
	return false;
}
#endif /* CONFIG_FAIL_DIRECT_ACCESS */

/**
 * bdev_direct_access - find the memory behind a sector of a block device
 * @bdev: the block device (whole disk or partition)
 * @sector: page-aligned sector, relative to the start of @bdev
 * @kaddr: returns the kernel virtual address of @sector
 * @pfn: returns the page frame number of @sector
 * @size: number of bytes the caller wants to access
 *
 * Checks that @bdev's driver implements ->direct_access, that @sector is
 * page-aligned on the whole disk and that the range lies inside @bdev, then
 * asks the driver.  The driver may allocate backing memory.
 *
 * Context: may sleep.
 * Return: the number of bytes addressable from @kaddr, at most @size and at
 * least one page, or a negative errno: -EOPNOTSUPP without ->direct_access,
 * -EINVAL for a misaligned sector, -ERANGE outside the device, -EIO when
 * the fail_direct_access fault injection chose this call, or the driver's.
 */
long bdev_direct_access(struct block_device *bdev, sector_t sector,
			void **kaddr, unsigned long *pfn, long size)
{
	const struct block_device_operations *ops = bdev->bd_disk->fops;
	sector_t nr_sects = bdev_nr_sectors(bdev);
	long avail;

	if (!ops->direct_access)
		return -EOPNOTSUPP;
	if (size < PAGE_SIZE)
		return -EINVAL;
	if (sector >= nr_sects ||
	    (size >> SECTOR_SHIFT) > nr_sects - sector)
		return -ERANGE;
	sector += get_start_sect(bdev);
	if (sector & (PAGE_SECTORS - 1))
		return -EINVAL;
	if (xip_fail_direct_access(size))
		return -EIO;
	avail = ops->direct_access(bdev, sector, kaddr, pfn, size);
	if (avail < 0)
		return avail;
	if (avail < PAGE_SIZE)
		return -ERANGE;
	return min(avail, size);
}
EXPORT_SYMBOL_GPL(bdev_direct_access);

/**
 * bdev_xip_supported - can a filesystem on this block device use XIP?
 * @bdev: the block device
 *
 * Return: 0 if the driver implements ->direct_access and @bdev starts on a
 * page boundary, -EOPNOTSUPP or -EINVAL otherwise.
 */
int bdev_xip_supported(struct block_device *bdev)
{
	if (!bdev->bd_disk->fops->direct_access)
		return -EOPNOTSUPP;
	if (get_start_sect(bdev) & (PAGE_SECTORS - 1))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_GPL(bdev_xip_supported);

/**
 * bdev_xip_persistent - is the memory behind this block device persistent?
 * @bdev: a block device with ->direct_access
 *
 * Persistent memory (pmem) implements ->direct_access_flush; volatile memory
 * (the RAM disk, an s390 DCSS) does not.  Stores to persistent memory go
 * around the CPU caches and reads from it are machine-check safe; volatile
 * memory gets plain copies.
 *
 * Return: true if @bdev's driver implements ->direct_access_flush.
 */
bool bdev_xip_persistent(struct block_device *bdev)
{
	return bdev->bd_disk->fops->direct_access_flush;
}
EXPORT_SYMBOL_GPL(bdev_xip_persistent);

/**
 * bdev_xip_read_only - must the CPU not store to this device's memory?
 * @bdev: a block device with ->direct_access
 *
 * Flash (NOR behind an MTD block device) can be read and executed in place
 * but is written by program and erase cycles, not by CPU stores.  Its
 * driver says so with ->direct_access_read_only; a filesystem then allows
 * only read-only XIP mounts of it.  Whether the block device itself is
 * read-only is bdev_read_only()'s business.
 *
 * Return: true if @bdev's driver says its memory must not be stored to.
 */
bool bdev_xip_read_only(struct block_device *bdev)
{
	const struct block_device_operations *ops = bdev->bd_disk->fops;

	return ops->direct_access_read_only &&
	       ops->direct_access_read_only(bdev);
}
EXPORT_SYMBOL_GPL(bdev_xip_read_only);

/**
 * bdev_direct_access_flush - make CPU stores to device memory durable
 * @bdev: the block device @kaddr belongs to
 * @kaddr: an address returned by bdev_direct_access() for @bdev
 * @len: number of bytes from @kaddr
 *
 * Writes back the CPU caches for the range on persistent memory; does
 * nothing on volatile memory.  The device's own write cache is flushed
 * separately, by a REQ_PREFLUSH bio (blkdev_issue_flush()).
 *
 * Return: 0 or a negative errno from the driver.
 */
int bdev_direct_access_flush(struct block_device *bdev, void *kaddr,
			     size_t len)
{
	const struct block_device_operations *ops = bdev->bd_disk->fops;

	if (!ops->direct_access_flush)
		return 0;
	return ops->direct_access_flush(bdev, kaddr, len);
}
EXPORT_SYMBOL_GPL(bdev_direct_access_flush);

/*
 * How the memory of an XIP file is mapped into user space, by pfn:
 *
 * XIP_PTE_PAGE: a page of the page allocator whose driver gives it up when
 *	the filesystem frees its block (->direct_access_release: the RAM
 *	disk).  A normal PTE that holds a reference, as vm_insert_page()
 *	makes: get_user_pages() can pin it, and a pinned page is never the
 *	memory of another block, because the driver's next page for the
 *	block is a new one.
 * XIP_PTE_SPECIAL: everything else: memory without struct page (DCSS, raw
 *	pmem), ZONE_DEVICE pages of pmem (which cannot be given up, and for
 *	whose pins truncate, eviction and device removal would have to wait),
 *	reserved memory, flash.  A special PTE, which get_user_pages()
 *	refuses (EFAULT).
 */
enum xip_pte {
	XIP_PTE_SPECIAL,
	XIP_PTE_PAGE,
};

static enum xip_pte xip_pte_kind(struct block_device *bdev,
				 unsigned long pfn)
{
	struct page *page;

	if (!bdev || !bdev->bd_disk->fops->direct_access_release ||
	    !pfn_valid(pfn))
		return XIP_PTE_SPECIAL;
	page = pfn_to_page(pfn);
	if (is_zone_device_page(page) || PageReserved(page))
		return XIP_PTE_SPECIAL;
	return XIP_PTE_PAGE;
}

/**
 * bdev_direct_access_release - a filesystem is freeing blocks of its device
 * @bdev: the filesystem's block device, with ->direct_access
 * @sector: the first sector of @bdev, page aligned
 * @nr_sects: how many sectors, a multiple of a page
 *
 * Call when blocks of files are freed, before they can be allocated again,
 * once every mapping of them is gone and no kernel user of their memory is
 * left.  get_user_pages() may still hold a page of theirs that it pinned
 * through an XIP mapping (an O_DIRECT transfer, vmsplice), and that page
 * must not come to back another file's block: a driver whose pages XIP maps
 * with references (->direct_access_release, the RAM disk) gives them up.
 * Other memory is mapped with special PTEs, cannot be pinned and needs
 * nothing.
 *
 * Context: may sleep.
 */
void bdev_direct_access_release(struct block_device *bdev, sector_t sector,
				sector_t nr_sects)
{
	const struct block_device_operations *ops = bdev->bd_disk->fops;
	sector_t size = bdev_nr_sectors(bdev);

	if (!ops->direct_access || !ops->direct_access_release ||
	    sector >= size || ((sector | nr_sects) & (PAGE_SECTORS - 1)))
		return;
	nr_sects = min(nr_sects, size - sector);
	ops->direct_access_release(bdev, sector + get_start_sect(bdev),
				   nr_sects);
}
EXPORT_SYMBOL_GPL(bdev_direct_access_release);

/* The filesystem's device; a filesystem without one has volatile memory. */
static bool xip_persistent(struct address_space *mapping)
{
	struct block_device *bdev = mapping->host->i_sb->s_bdev;

	return bdev && bdev_xip_persistent(bdev);
}

/*
 * read(2) and write(2) copy to and from a kernel address of the device
 * outside invalidate_lock; they do it inside this SRCU read section, so
 * that xip_shutdown_sync() can wait for them before the device goes away.
 * The copies run with page faults disabled, and a user buffer that is not
 * mapped is faulted in after leaving the section: a fault can wait for long
 * (a frozen filesystem, userfaultfd), and the shutdown must not wait for it.
 */
DEFINE_STATIC_SRCU(xip_srcu);

/**
 * xip_copy_begin - start using the memory of an XIP block without a reference
 *
 * The XIP code reads and writes device memory through the kernel address
 * that ->direct_access returned, without a page reference; it does so, from
 * the block lookup to the end of the copy, between xip_copy_begin() and
 * xip_copy_end().  A filesystem that copies to such memory itself (ext2
 * zeroing new blocks) does the same.  Pages that a driver gives up
 * (xip_free_page()) are freed only after every such section that may have
 * found them has ended, and a device that goes away waits for them
 * (xip_shutdown_sync()).  Do not wait for user page faults inside.
 *
 * Return: a cookie for xip_copy_end().
 */
int xip_copy_begin(void)
	__acquires(&xip_srcu)
{
	return srcu_read_lock(&xip_srcu);
}
EXPORT_SYMBOL_GPL(xip_copy_begin);

/**
 * xip_copy_end - end a section started with xip_copy_begin()
 * @idx: its cookie
 */
void xip_copy_end(int idx)
	__releases(&xip_srcu)
{
	srcu_read_unlock(&xip_srcu, idx);
}
EXPORT_SYMBOL_GPL(xip_copy_end);

static void xip_free_page_cb(struct rcu_head *head)
{
	put_page(container_of(head, struct page, rcu_head));
}

/**
 * xip_free_page - drop a driver's reference to a page it gave up
 * @page: an order-0 page of the page allocator that ->direct_access handed
 *	out and that the driver has just removed from its device
 *
 * For ->direct_access_release: the XIP code may still be copying to or from
 * the page through a kernel address (a filesystem that is corrupt enough to
 * name a block in two files), so the driver's reference is dropped only
 * after every xip_copy_begin() section that may have looked the page up has
 * ended.  Holders of other references (pins) keep the page beyond that.
 *
 * Context: any; does not sleep.
 */
void xip_free_page(struct page *page)
{
	call_srcu(&xip_srcu, &page->rcu_head, xip_free_page_cb);
}
EXPORT_SYMBOL_GPL(xip_free_page);

/**
 * xip_shutdown_mapping - remove every mapping of a file's device memory
 * @mapping: the XIP address space of a file whose device is going away
 *
 * The filesystem first makes ->get_xip_page fail for the file (-EIO), then
 * calls this for each of its XIP files.  invalidate_lock excludes faults
 * while the PTEs go, so none can map the memory again; a later access gets
 * SIGBUS.  Private copies made by COW stay: they are anonymous memory.
 *
 * Context: may sleep; takes invalidate_lock.
 */
void xip_shutdown_mapping(struct address_space *mapping)
{
	filemap_invalidate_lock(mapping);
	unmap_mapping_range(mapping, 0, 0, 0);
	filemap_invalidate_unlock(mapping);
}
EXPORT_SYMBOL_GPL(xip_shutdown_mapping);

/**
 * xip_shutdown_sync - wait for read(2) and write(2) copies in progress
 *
 * After the filesystem has made ->get_xip_page fail, a read or write may
 * still be copying to or from a kernel address it got before.  Wait for
 * all of them; afterwards no XIP code touches the memory of the device
 * (together with xip_shutdown_mapping() for faults and mappings).
 *
 * Context: may sleep.
 */
void xip_shutdown_sync(void)
{
	synchronize_srcu(&xip_srcu);
}
EXPORT_SYMBOL_GPL(xip_shutdown_sync);

/* Pages one lookup covers at most: latency between cond_resched() calls. */
#define XIP_MAX_RUN		1024UL
/* Pages a read fault maps at most: the default fault_around_bytes. */
#define XIP_FAULT_AROUND	(SZ_64K >> PAGE_SHIFT)

/*
 * Look up (or, with @create, allocate) a run of up to *@nr pages from
 * @index.  On return *@nr is the number of pages mapped contiguously from
 * *@kaddr and *@pfn (return 0), or of holes (-ENODATA): at least one, at
 * most what was asked for.
 */
static int xip_get_run(struct address_space *mapping, pgoff_t index,
		       bool create, void **kaddr, unsigned long *pfn,
		       unsigned long *nr)
{
	unsigned long want = clamp(*nr, 1UL, XIP_MAX_RUN);
	int error;

	*nr = want;
	error = mapping->a_ops->get_xip_page(mapping, index, create, kaddr,
					     pfn, nr);
	if ((!error || error == -ENODATA) &&
	    WARN_ON_ONCE(!*nr || *nr > want))
		*nr = 1;
	return error;
}

static int xip_get_page(struct address_space *mapping, pgoff_t index,
			bool create, void **kaddr, unsigned long *pfn)
{
	unsigned long nr = 1;

	return xip_get_run(mapping, index, create, kaddr, pfn, &nr);
}

/*
 * Give the holes of a run of up to *@nr pages from @index blocks.  Every
 * mapping of the zero page in the run is shot down while invalidate_lock is
 * held exclusively, so no fault can map the zero page again once the blocks
 * exist.  Pages wholly beyond EOF (@beyond_eof) cannot be mapped at all:
 * faults check i_size under invalidate_lock, and i_size only grows under it
 * exclusively, after the data is in place.  They need neither.
 */
static int xip_fill_hole(struct address_space *mapping, pgoff_t index,
			 void **kaddr, unsigned long *pfn, unsigned long *nr,
			 bool beyond_eof)
{
	unsigned long want;
	int error;

	if (beyond_eof)
		return xip_get_run(mapping, index, true, kaddr, pfn, nr);

	filemap_invalidate_lock(mapping);
	want = *nr;
	error = xip_get_run(mapping, index, true, kaddr, pfn, nr);
	/*
	 * The filesystem may have allocated more blocks than are contiguous
	 * in memory (*nr): shoot the zero page down over all it may have
	 * allocated.
	 */
	if (!error)
		unmap_mapping_pages(mapping, index, want, false);
	filemap_invalidate_unlock(mapping);
	return error;
}

#ifndef arch_sync_icache_for_user
#define arch_sync_icache_for_user(start, end)	flush_icache_range(start, end)
#endif

/**
 * xip_flush_icache - make instructions written to XIP memory executable
 * @kaddr: kernel address of what was written (device memory of an XIP file)
 * @len: how many bytes
 *
 * Written file data may be a program that a mapping executes.  The page
 * cache keeps instruction caches coherent through flush_dcache_folio() and
 * the arch's PTE setup, which special PTEs skip (arm64); every store of the
 * kernel into XIP memory (write, zeroing, ptrace) calls this instead.  The
 * arch's arch_sync_icache_for_user() handles aliasing I-caches and sends no
 * IPI (arm64); the fallback is flush_icache_range(), a no-op where the
 * caches are coherent (x86, s390).
 */
void xip_flush_icache(void *kaddr, size_t len)
{
	if (len)
		arch_sync_icache_for_user((unsigned long)kaddr,
					  (unsigned long)kaddr + len);
}
EXPORT_SYMBOL_GPL(xip_flush_icache);

/* memset/memcpy into device memory, durable at once on persistent memory */
static void xip_memset(struct address_space *mapping, void *kaddr, int c,
		       size_t len)
{
	memset(kaddr, c, len);
	if (xip_persistent(mapping))
		bdev_direct_access_flush(mapping->host->i_sb->s_bdev, kaddr,
					 len);
	xip_flush_icache(kaddr, len);
}

static void xip_memcpy(struct address_space *mapping, void *kaddr,
		       const void *src, size_t len)
{
	if (xip_persistent(mapping))
		memcpy_flushcache(kaddr, src, len);
	else
		memcpy(kaddr, src, len);
}

/**
 * xip_zero_eof - zero the bytes of the EOF page that a size change exposes
 * @mapping: the XIP address space
 * @from: the old end of file (or the new one when shrinking)
 * @to: the end of the range that must read as zeroes
 *
 * Bytes stored through a shared mapping beyond EOF in the last page land on
 * the medium.  Before the file grows over them, zero [@from, @to) within the
 * page that contains @from.  The page is unmapped first, and the caller holds
 * invalidate_lock exclusively until i_size has changed, so no store through
 * a mapping can slip in between.
 *
 * Context: caller holds @mapping->invalidate_lock exclusively.
 * Return: 0 or a negative errno from ->get_xip_page.
 */
int xip_zero_eof(struct address_space *mapping, loff_t from, loff_t to)
{
	unsigned int offset = offset_in_page(from);
	pgoff_t index = from >> PAGE_SHIFT;
	unsigned long pfn;
	void *kaddr;
	size_t len;
	int error, idx;

	lockdep_assert_held_write(&mapping->invalidate_lock);
	if (!offset || to <= from)
		return 0;
	len = min_t(loff_t, PAGE_SIZE - offset, to - from);

	unmap_mapping_pages(mapping, index, 1, false);
	idx = srcu_read_lock(&xip_srcu);
	error = xip_get_page(mapping, index, false, &kaddr, &pfn);
	if (!error)
		xip_memset(mapping, kaddr + offset, 0, len);
	srcu_read_unlock(&xip_srcu, idx);
	return error == -ENODATA ? 0 : error;
}
EXPORT_SYMBOL_GPL(xip_zero_eof);

/**
 * xip_truncate_page - zero the part of the EOF page a size change uncovers
 * @mapping: the XIP address space
 * @oldsize: the file size before the change
 * @newsize: the file size after the change
 *
 * When shrinking, zero from @newsize to the end of its page, as the page
 * cache does for partial blocks.  When growing, zero from @oldsize up to
 * @newsize within the old EOF page, so that bytes stored through a mapping
 * beyond the old EOF never become file data.
 *
 * Context: caller holds @mapping->invalidate_lock exclusively, and changes
 * i_size before dropping it.
 * Return: 0 or a negative errno.
 */
int xip_truncate_page(struct address_space *mapping, loff_t oldsize,
		      loff_t newsize)
{
	if (newsize < oldsize)
		return xip_zero_eof(mapping, newsize, LLONG_MAX);
	return xip_zero_eof(mapping, oldsize, newsize);
}
EXPORT_SYMBOL_GPL(xip_truncate_page);

/*
 * Write-protect every PTE of a run in the shared mappings of the file, so
 * that the next store faults again (->pfn_mkwrite or ->page_mkwrite:
 * sb_start_pagefault(), file times), as folio_mkclean() does for the page
 * cache.
 */
static void xip_mkclean_run(struct address_space *mapping, pgoff_t index,
			    unsigned long nr, unsigned long pfn)
{
	struct vm_area_struct *vma;

	i_mmap_lock_read(mapping);
	vma_interval_tree_foreach(vma, &mapping->i_mmap, index,
				  index + nr - 1) {
		if (vma->vm_flags & VM_SHARED)
			pfn_mkclean_range(pfn, nr, index, vma);
		cond_resched();
	}
	i_mmap_unlock_read(mapping);
}

/**
 * xip_writeback_range - sync what mappings stored into a file range
 * @mapping: the XIP address space
 * @start: first byte of the range
 * @end: last byte of the range (inclusive), LLONG_MAX for the whole file
 *
 * For fsync, msync, syncfs and freeze.  Nothing records which pages a
 * mapping dirtied, so every allocated run of the range is visited, and only
 * if the file has shared writable mappings or lives on persistent memory:
 *
 * - its PTEs in shared mappings are write-protected, so that the next store
 *   faults again: mtime and ctime then change again after a sync, and a
 *   store to a frozen filesystem waits in sb_start_pagefault();
 * - on persistent memory the CPU caches are written back for it: write(2)
 *   copies there bypass the caches, but stores through mappings stay in
 *   them.
 *
 * Context: may sleep; takes invalidate_lock shared.
 * Return: 0 or a negative errno.
 */
int xip_writeback_range(struct address_space *mapping, loff_t start,
			loff_t end)
{
	struct inode *inode = mapping->host;
	struct block_device *bdev = inode->i_sb->s_bdev;
	bool persistent = xip_persistent(mapping);
	unsigned long nr;
	pgoff_t index, last;
	bool wrprotect;
	loff_t isize;
	int error = 0;

	if (end < start)
		return 0;
	filemap_invalidate_lock_shared(mapping);
	wrprotect = mapping_writably_mapped(mapping);
	isize = i_size_read(inode);
	if ((!wrprotect && !persistent) || !isize || start >= isize)
		goto out_unlock;
	last = (min(end, isize - 1)) >> PAGE_SHIFT;
	for (index = start >> PAGE_SHIFT; index <= last; index += nr) {
		unsigned long pfn;
		void *kaddr;

		nr = last - index + 1;
		error = xip_get_run(mapping, index, false, &kaddr, &pfn, &nr);
		if (error == -ENODATA) {
			error = 0;
			continue;
		}
		if (error)
			break;
		if (wrprotect)
			xip_mkclean_run(mapping, index, nr, pfn);
		if (persistent) {
			error = bdev_direct_access_flush(bdev, kaddr,
							 nr << PAGE_SHIFT);
			if (error)
				break;
		}
		cond_resched();
	}
out_unlock:
	filemap_invalidate_unlock_shared(mapping);
	return error;
}
EXPORT_SYMBOL_GPL(xip_writeback_range);

static ssize_t xip_file_do_read(struct kiocb *iocb, struct iov_iter *to)
{
	struct address_space *mapping = iocb->ki_filp->f_mapping;
	struct inode *inode = mapping->host;
	loff_t pos = iocb->ki_pos;
	loff_t isize = i_size_read(inode);
	bool persistent = xip_persistent(mapping);
	loff_t stalled = -1;
	ssize_t done = 0;
	int error = 0;
	int idx;

	while (iov_iter_count(to) && pos < isize) {
		size_t offset = offset_in_page(pos);
		size_t left = min_t(loff_t, iov_iter_count(to), isize - pos);
		unsigned long nr = DIV_ROUND_UP(offset + left, PAGE_SIZE);
		unsigned long pfn;
		size_t len, copied;
		void *kaddr;

		idx = srcu_read_lock(&xip_srcu);
		error = xip_get_run(mapping, pos >> PAGE_SHIFT, false, &kaddr,
				    &pfn, &nr);
		len = min(((size_t)nr << PAGE_SHIFT) - offset, left);
		copied = 0;
		if (!error) {
			/* never wait for a user fault in here: see xip_srcu */
			pagefault_disable();
			/* persistent memory may hold poison the CPU traps on */
			if (persistent)
				copied = _copy_mc_to_iter(kaddr + offset, len,
							  to);
			else
				copied = _copy_to_iter(kaddr + offset, len, to);
			pagefault_enable();
		}
		srcu_read_unlock(&xip_srcu, idx);
		if (error == -ENODATA) {
			/* a hole: no device memory, faults may wait here */
			error = 0;
			copied = iov_iter_zero(len, to);
			pos += copied;
			done += copied;
			if (copied < len) {
				error = -EFAULT;
				break;
			}
			continue;
		}
		if (error)
			break;
		pos += copied;
		done += copied;
		if (copied < len) {
			/*
			 * Fault the buffer in outside the section and go on.
			 * No progress twice at one place is a bad buffer or,
			 * on persistent memory, poison.
			 */
			if (pos == stalled) {
				error = persistent ? -EIO : -EFAULT;
				break;
			}
			if (fault_in_iov_iter_writeable(to, len - copied) ==
			    len - copied) {
				error = -EFAULT;
				break;
			}
			stalled = pos;
			continue;
		}
		if (fatal_signal_pending(current)) {
			error = -EINTR;
			break;
		}
		cond_resched();
	}
	iocb->ki_pos = pos;
	return done ? done : error;
}

/**
 * xip_file_read_iter - read from an XIP file without the page cache
 * @iocb: the I/O control block
 * @to: the destination
 *
 * Holes read as zeroes.  i_rwsem is held shared so truncate cannot free a
 * block while it is being copied.  IOCB_NOWAIT is honoured for i_rwsem (the
 * filesystem's block lookup may still read metadata); IOCB_DIRECT is
 * ignored, as every XIP access is direct.  As with the page cache, nothing
 * is read at or beyond the superblock's s_maxbytes.
 *
 * Return: the number of bytes read, or a negative errno.
 */
ssize_t xip_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	loff_t maxbytes = inode->i_sb->s_maxbytes;
	ssize_t ret;

	if (!iov_iter_count(to))
		return 0;
	/*
	 * As filemap_read(): nothing at or beyond s_maxbytes, even where a
	 * damaged inode claims a larger size.
	 */
	if (unlikely(iocb->ki_pos >= maxbytes))
		return 0;
	iov_iter_truncate(to, maxbytes - iocb->ki_pos);
	if (iocb->ki_flags & IOCB_NOWAIT) {
		if (!inode_trylock_shared(inode))
			return -EAGAIN;
	} else {
		inode_lock_shared(inode);
	}
	ret = xip_file_do_read(iocb, to);
	inode_unlock_shared(inode);
	file_accessed(iocb->ki_filp);
	return ret;
}
EXPORT_SYMBOL_GPL(xip_file_read_iter);

/*
 * The bytes of a write that fall into the page holding the old EOF, beyond
 * it, are collected here and stored only under invalidate_lock, with the
 * page unmapped, together with the i_size update: a store through a shared
 * mapping beyond EOF could otherwise land on them between the copy and the
 * size change, and the bytes the file then shows would be the store's.
 */
struct xip_eof_bounce {
	void *buf;		/* a page, or NULL */
	loff_t pos;		/* file position of buf[0] */
	size_t len;
};

/*
 * Finish a write of [@start, @end): store the bounced EOF-page bytes, zero
 * the rest of the old EOF page below the new data, raise i_size, all under
 * one exclusive invalidate_lock hold.  Returns how far the file is written
 * (@end, or where the bounced bytes began if they cannot be stored).
 */
static loff_t xip_write_finish(struct inode *inode, loff_t isize,
			       struct xip_eof_bounce *bounce, loff_t start,
			       loff_t end, int *error)
{
	struct address_space *mapping = inode->i_mapping;
	loff_t gap_end = bounce->len ? bounce->pos : end;
	unsigned long pfn;
	void *kaddr;

	/* nothing written, or nothing beyond EOF */
	if (end <= start || (!bounce->len && end <= isize))
		return end;

	filemap_invalidate_lock(mapping);
	*error = xip_zero_eof(mapping, isize, gap_end);
	if (!*error && bounce->len) {
		/* the page was unmapped by xip_zero_eof() if it had a gap */
		unmap_mapping_pages(mapping, bounce->pos >> PAGE_SHIFT, 1,
				    false);
		*error = xip_get_page(mapping, bounce->pos >> PAGE_SHIFT, true,
				      &kaddr, &pfn);
		if (!*error) {
			kaddr += offset_in_page(bounce->pos);
			xip_memcpy(mapping, kaddr, bounce->buf, bounce->len);
			xip_flush_icache(kaddr, bounce->len);
		}
	}
	/* on an error nothing beyond the old EOF becomes file data */
	if (*error)
		end = min(bounce->len ? bounce->pos : end, isize);
	if (end > isize)
		i_size_write(inode, end);
	filemap_invalidate_unlock(mapping);
	if (end > isize)
		mark_inode_dirty(inode);
	return end;
}

/**
 * __xip_file_write_iter - copy data into an XIP file
 * @iocb: the I/O control block, ki_pos is the file position
 * @from: the source
 *
 * Works a run of pages at a time: one ->get_xip_page call per extent,
 * blocks for a run of holes allocated at once (-EAGAIN instead under
 * IOCB_NOWAIT, as for a write that grows the file: both need locks that
 * may wait) under one exclusive invalidate_lock hold (none for pages
 * wholly beyond EOF, which nothing can map), one copy straight into the
 * device's memory, and i_size raised once at the end.  A short copy returns
 * the bytes written.  The caller has done generic_write_checks() and
 * kiocb_modified(); a filesystem that allocated beyond EOF for a copy that
 * then failed trims those blocks itself.
 *
 * Context: caller holds i_rwsem exclusively.
 * Return: the number of bytes written, or a negative errno.
 */
ssize_t __xip_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct address_space *mapping = iocb->ki_filp->f_mapping;
	struct inode *inode = mapping->host;
	bool persistent = xip_persistent(mapping);
	loff_t isize = i_size_read(inode);
	pgoff_t eof_index = isize >> PAGE_SHIFT;
	pgoff_t beyond = DIV_ROUND_UP(isize, PAGE_SIZE);
	bool eof_partial = offset_in_page(isize);
	struct xip_eof_bounce bounce = { };
	loff_t start = iocb->ki_pos;
	loff_t stalled = -1;
	loff_t pos = start;
	int error = 0, err2 = 0;
	int idx;

	lockdep_assert_held_write(&inode->i_rwsem);
	/* growing the file takes invalidate_lock: RWF_NOWAIT never waits */
	if ((iocb->ki_flags & IOCB_NOWAIT) && start + iov_iter_count(from) > isize)
		return -EAGAIN;
	while (iov_iter_count(from)) {
		size_t count = iov_iter_count(from);
		size_t offset = offset_in_page(pos);
		pgoff_t index = pos >> PAGE_SHIFT;
		unsigned long nr = DIV_ROUND_UP(offset + count, PAGE_SIZE);
		unsigned long pfn, want;
		size_t len, copied;
		void *kaddr;

		if (eof_partial && index == eof_index && pos + count > isize) {
			/* the old EOF page: see struct xip_eof_bounce */
			len = min(PAGE_SIZE - offset, count);
			bounce.buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
			if (!bounce.buf) {
				error = -ENOMEM;
				break;
			}
			bounce.pos = pos;
			copied = copy_from_iter(bounce.buf, len, from);
			bounce.len = copied;
			pos += copied;
			if (copied < len) {
				error = -EFAULT;
				break;
			}
			continue;
		}
		if (eof_partial && index < eof_index && pos + count > isize)
			nr = min_t(unsigned long, nr, eof_index - index);

		want = nr;
		idx = srcu_read_lock(&xip_srcu);
		error = xip_get_run(mapping, index, false, &kaddr, &pfn, &nr);
		if (error == -ENODATA) {
			/* allocate for all of the write, up to a mapped block */
			nr = want;
			if (iocb->ki_flags & IOCB_NOWAIT)
				error = -EAGAIN;
			else
				error = xip_fill_hole(mapping, index, &kaddr,
						      &pfn, &nr,
						      index >= beyond);
		}
		if (error) {
			srcu_read_unlock(&xip_srcu, idx);
			break;
		}
		len = min(((size_t)nr << PAGE_SHIFT) - offset, count);
		/* never wait for a user fault in here: see xip_srcu */
		pagefault_disable();
		/* persistent memory: durable without a later cache flush */
		if (persistent)
			copied = _copy_from_iter_flushcache(kaddr + offset,
							    len, from);
		else
			copied = _copy_from_iter(kaddr + offset, len, from);
		pagefault_enable();
		xip_flush_icache(kaddr + offset, copied);
		srcu_read_unlock(&xip_srcu, idx);
		pos += copied;
		if (copied < len) {
			/* fault the buffer in outside the section, go on */
			if (pos == stalled ||
			    fault_in_iov_iter_readable(from, len - copied) ==
			    len - copied) {
				error = -EFAULT;
				break;
			}
			stalled = pos;
			continue;
		}
		if (fatal_signal_pending(current)) {
			error = -EINTR;
			break;
		}
		cond_resched();
	}

	pos = xip_write_finish(inode, isize, &bounce, start, pos, &err2);
	kfree(bounce.buf);
	if (pos < start)	/* the write began beyond what could be stored */
		pos = start;
	iocb->ki_pos = pos;
	if (pos > start)
		return pos - start;
	return error ? error : err2;
}
EXPORT_SYMBOL_GPL(__xip_file_write_iter);

/**
 * xip_file_write_iter - write to an XIP file without the page cache
 * @iocb: the I/O control block
 * @from: the source
 *
 * Takes i_rwsem (or fails with -EAGAIN under IOCB_NOWAIT), applies the
 * generic write checks (O_APPEND, RLIMIT_FSIZE, s_maxbytes), strips
 * suid/sgid, updates the times, writes, and syncs for O_SYNC/O_DSYNC.
 *
 * Return: the number of bytes written, or a negative errno.
 */
ssize_t xip_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret;

	if (iocb->ki_flags & IOCB_NOWAIT) {
		if (!inode_trylock(inode))
			return -EAGAIN;
	} else {
		inode_lock(inode);
	}
	ret = generic_write_checks(iocb, from);
	if (ret > 0)
		ret = kiocb_modified(iocb);
	if (!ret)
		ret = __xip_file_write_iter(iocb, from);
	inode_unlock(inode);
	if (ret > 0)
		ret = generic_write_sync(iocb, ret);
	return ret;
}
EXPORT_SYMBOL_GPL(xip_file_write_iter);

/*
 * A hole reads as the zero page in every mapping, shared writable ones
 * included (mm/memory.c lets XIP mappings have it, as fs-DAX ones): a read
 * allocates nothing.  The first store to it faults (->pfn_mkwrite), which
 * allocates the block and replaces the zero page.  Where the zero page is
 * forbidden (s390 KVM hosts: mm_forbids_zeropage()), the block is allocated
 * at the first fault instead.
 */
static bool xip_zero_page_ok(struct vm_area_struct *vma)
{
	return !mm_forbids_zeropage(vma->vm_mm);
}

/*
 * Map @pfn at @addr of the faulting vma, writable and dirty with @write, in
 * the way xip_pte_kind() says.  A PTE that is already there is left alone,
 * or made writable if it maps the same memory (@write).
 */
static vm_fault_t xip_map_pfn(struct vm_fault *vmf, unsigned long addr,
			      unsigned long pfn, bool write)
{
	struct vm_area_struct *vma = vmf->vma;
	struct block_device *bdev = file_inode(vma->vm_file)->i_sb->s_bdev;
	pfn_t pfnt;
	int err;

	switch (xip_pte_kind(bdev, pfn)) {
	case XIP_PTE_PAGE:
		if (addr == (vmf->address & PAGE_MASK))
			return vmf_insert_page_mkwrite(vmf, pfn_to_page(pfn),
						       write);
		/* fault-around: read-only */
		err = vm_insert_page(vma, addr, pfn_to_page(pfn));
		if (!err || err == -EBUSY)
			return VM_FAULT_NOPAGE;
		return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	default:
		/* DCSS memory has no struct page */
		pfnt = __pfn_to_pfn_t(pfn, pfn_valid(pfn) ? 0 : PFN_DEV);
		break;
	}
	if (write)
		return vmf_insert_mixed_mkwrite(vma, addr, pfnt);
	return vmf_insert_mixed(vma, addr, pfnt);
}

/* Private write fault: fill vmf->cow_page and map it, all in one fault. */
static vm_fault_t xip_fault_cow(struct vm_fault *vmf, void *kaddr)
{
	vm_fault_t ret;

	if (kaddr) {
		void *dst = kmap_local_page(vmf->cow_page);
		unsigned long rem = copy_mc_to_kernel(dst, kaddr, PAGE_SIZE);

		kunmap_local(dst);
		if (rem)	/* poison in persistent memory */
			return VM_FAULT_SIGBUS;
	} else {
		clear_user_highpage(vmf->cow_page, vmf->address);
	}
	__folio_mark_uptodate(page_folio(vmf->cow_page));
	ret = finish_fault(vmf);
	return ret ? ret : VM_FAULT_DONE_COW;
}

/*
 * Fault-around: how many pages from vmf->pgoff a read fault may map, up to
 * the end of the aligned XIP_FAULT_AROUND window, of the vma and of the file.
 */
static unsigned long xip_fault_around_pages(struct vm_fault *vmf,
					    pgoff_t end_pgoff)
{
	struct vm_area_struct *vma = vmf->vma;
	pgoff_t end = ALIGN(vmf->pgoff + 1, XIP_FAULT_AROUND);

	end = min(end, vmf->pgoff + ((vma->vm_end - vmf->address) >> PAGE_SHIFT));
	return min(end, end_pgoff) - vmf->pgoff;
}

/*
 * Map the pages after the faulting one that the same lookup found: a run
 * is contiguous in memory, so page i is pfn + i.  A PTE that is already
 * there is left alone.  Runs under the locks of the fault.
 */
static void xip_map_around(struct vm_fault *vmf, unsigned long pfn,
			   unsigned long nr)
{
	unsigned long addr = vmf->address & PAGE_MASK;
	unsigned long i;

	for (i = 1; i < nr; i++)
		if (xip_map_pfn(vmf, addr + i * PAGE_SIZE, pfn + i,
				false) != VM_FAULT_NOPAGE)
			break;
}

/*
 * Look up (or, with @create, allocate) the block behind vmf->pgoff and map
 * it; a read fault also maps what follows of the run (fault-around).  Sets
 * *@need_block if the page is a hole that this vma cannot map as the zero
 * page.
 */
static vm_fault_t xip_fault_locked(struct vm_fault *vmf, bool create,
				   bool *need_block)
{
	struct vm_area_struct *vma = vmf->vma;
	struct address_space *mapping = vma->vm_file->f_mapping;
	struct inode *inode = mapping->host;
	pgoff_t end_pgoff = DIV_ROUND_UP(i_size_read(inode), PAGE_SIZE);
	bool around = !create && !vmf->cow_page &&
		      !(vmf->flags & FAULT_FLAG_WRITE);
	unsigned long pfn, nr = 1;
	vm_fault_t ret;
	void *kaddr;
	int error;

	if (vmf->pgoff >= end_pgoff)
		return VM_FAULT_SIGBUS;
	if (around)
		nr = xip_fault_around_pages(vmf, end_pgoff);

	error = xip_get_run(mapping, vmf->pgoff, create, &kaddr, &pfn, &nr);
	if (error == -ENODATA) {
		if (vmf->cow_page)
			return xip_fault_cow(vmf, NULL);
		if (((vmf->flags & FAULT_FLAG_WRITE) &&
		     (vma->vm_flags & VM_SHARED)) || !xip_zero_page_ok(vma)) {
			*need_block = true;
			return 0;
		}
		return vmf_insert_mixed(vma, vmf->address,
					pfn_to_pfn_t(my_zero_pfn(vmf->address)));
	}
	if (error)
		return vmf_error(error);
	if (create)
		unmap_mapping_pages(mapping, vmf->pgoff, 1, false);
	if (vmf->cow_page)
		return xip_fault_cow(vmf, kaddr);
	if (vmf->flags & FAULT_FLAG_WRITE)
		return xip_map_pfn(vmf, vmf->address & PAGE_MASK, pfn, true);
	ret = xip_map_pfn(vmf, vmf->address & PAGE_MASK, pfn, false);
	if (around && ret == VM_FAULT_NOPAGE)
		xip_map_around(vmf, pfn, nr);
	return ret;
}

/*
 * ->fault, and ->pfn_mkwrite or ->page_mkwrite (a PTE with a reference) for
 * the first store to a read-only PTE in a shared writable mapping.  A store
 * to a shared mapping runs under sb_start_pagefault() and updates the file
 * times, like a write(2).
 */
static vm_fault_t xip_file_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct file *file = vma->vm_file;
	struct address_space *mapping = file->f_mapping;
	struct super_block *sb = file_inode(file)->i_sb;
	bool shared_store = (vmf->flags & FAULT_FLAG_WRITE) &&
			    (vma->vm_flags & VM_SHARED);
	bool need_block = false;
	vm_fault_t ret;

	if (shared_store) {
		sb_start_pagefault(sb);
		file_update_time(file);
	}
	filemap_invalidate_lock_shared(mapping);
	ret = xip_fault_locked(vmf, false, &need_block);
	filemap_invalidate_unlock_shared(mapping);

	if (need_block && sb_rdonly(sb)) {
		/* no zero page allowed (s390 KVM) and nothing may allocate */
		ret = VM_FAULT_SIGBUS;
	} else if (need_block) {
		/* a store into a hole, or no zero page allowed: allocate */
		if (!shared_store)
			sb_start_pagefault(sb);
		filemap_invalidate_lock(mapping);
		need_block = false;
		ret = xip_fault_locked(vmf, true, &need_block);
		filemap_invalidate_unlock(mapping);
		if (!shared_store)
			sb_end_pagefault(sb);
		if (WARN_ON_ONCE(need_block))
			ret = VM_FAULT_SIGBUS;
	}
	if (shared_store)
		sb_end_pagefault(sb);
	return ret;
}

/*
 * ->access: ptrace and /proc/PID/mem cannot use get_user_pages() on the
 * special PTEs of an XIP mapping (memory that cannot be pinned, see
 * xip_pte_kind()); read the file's memory directly instead.
 * A write reaches here only for a shared mapping (a private one is COWed by
 * the fault that GUP takes, see __wp_page_copy_user()), and stores into the
 * file, as a write through the page cache's pages would; a hole there is
 * left to the store of the tracee itself.  __access_remote_vm() calls
 * ->access only with CONFIG_HAVE_IOREMAP_PROT, which s390 selects only
 * together with PCI; mm/memory.c calls it for a remote COW.
 */
static int xip_mapping_rw(struct address_space *mapping, loff_t pos,
			  void *buf, int len, bool write)
{
	pgoff_t pgoff = pos >> PAGE_SHIFT;
	unsigned int offset = offset_in_page(pos);
	unsigned long pfn;
	void *kaddr;
	int error, idx;

	len = min_t(int, len, PAGE_SIZE - offset);
	filemap_invalidate_lock_shared(mapping);
	idx = srcu_read_lock(&xip_srcu);
	if (pgoff >= DIV_ROUND_UP(i_size_read(mapping->host), PAGE_SIZE)) {
		error = -EFAULT;
		goto out_unlock;
	}
	error = xip_get_page(mapping, pgoff, false, &kaddr, &pfn);
	if (error == -ENODATA && !write) {
		memset(buf, 0, len);
		error = 0;
	} else if (error == -ENODATA) {
		error = -EFAULT;
	} else if (!error && write) {
		xip_memcpy(mapping, kaddr + offset, buf, len);
		xip_flush_icache(kaddr + offset, len);
	} else if (!error) {
		if (copy_mc_to_kernel(buf, kaddr + offset, len))
			error = -EIO;
	}
out_unlock:
	srcu_read_unlock(&xip_srcu, idx);
	filemap_invalidate_unlock_shared(mapping);
	return error ? error : len;
}

static int xip_file_access(struct vm_area_struct *vma, unsigned long addr,
			   void *buf, int len, int write)
{
	struct address_space *mapping = vma->vm_file->f_mapping;
	struct super_block *sb = mapping->host->i_sb;
	loff_t pos = (loff_t)linear_page_index(vma, addr) << PAGE_SHIFT;
	int ret;

	/* as for pages: only a shared mapping that may be written */
	if (write && (vma->vm_flags & (VM_SHARED | VM_WRITE)) !=
		     (VM_SHARED | VM_WRITE))
		return -EINVAL;
	/* a frozen filesystem must not change; do not wait for the thaw */
	if (write && !sb_start_write_trylock(sb))
		return -EAGAIN;
	ret = xip_mapping_rw(mapping, pos + offset_in_page(addr), buf, len,
			     write);
	if (write) {
		if (ret > 0)
			file_update_time(vma->vm_file);
		sb_end_write(sb);
	}
	return ret;
}

/**
 * xip_read_mapping - read bytes of an XIP file without its file operations
 * @mapping: the XIP address space of the file
 * @pos: the file offset
 * @buf: where to put the bytes
 * @len: how many; no more than to the end of the page at @pos are read
 *
 * For kernel readers that run under mmap_lock, where read(2) would take
 * i_rwsem in the wrong order: uprobes reads the instruction it replaces.  A
 * hole reads as zeroes.
 *
 * Context: may sleep; takes invalidate_lock shared.
 * Return: the number of bytes read, -EFAULT at or beyond the end of the
 * file, -EIO for a memory error or a device that went away.
 */
int xip_read_mapping(struct address_space *mapping, loff_t pos, void *buf,
		     size_t len)
{
	return xip_mapping_rw(mapping, pos, buf, min_t(size_t, len, PAGE_SIZE),
			      false);
}

/**
 * xip_process_vm_rw - copy between a local buffer and another mm's XIP mapping
 * @mm: the address space of the other process
 * @addr: the address in @mm
 * @len: the most bytes to copy; no more than to the end of the page at @addr
 *	are copied
 * @iter: the local buffer
 * @write: copy from @iter into @mm instead of from @mm into @iter
 *
 * process_vm_readv() and process_vm_writev() pin the pages of the other
 * process, and memory that XIP maps with special PTEs cannot be pinned
 * (DCSS, raw pmem, MTD).  They call this when pinning fails: it copies
 * through the XIP mapping's ->access, as ptrace does, with the mapping's
 * own rights (VM_READ to read; a shared mapping with VM_WRITE to write:
 * stores to private mappings copy the page and can be pinned).  @iter is
 * copied outside mmap_lock, since it may be an XIP mapping of @mm itself.
 *
 * Return: the number of bytes copied, or -EFAULT when @addr is not in an XIP
 * mapping that allows the access, or another negative errno.
 */
ssize_t xip_process_vm_rw(struct mm_struct *mm, unsigned long addr,
			  size_t len, struct iov_iter *iter, bool write)
{
	struct vm_area_struct *vma;
	void *buf;
	ssize_t ret;

	len = min_t(size_t, len, PAGE_SIZE - offset_in_page(addr));
	buf = kmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (write) {
		len = copy_from_iter(buf, len, iter);
		if (!len) {
			ret = -EFAULT;
			goto out;
		}
	}
	if (mmap_read_lock_killable(mm)) {
		ret = -EINTR;
		goto revert;
	}
	vma = vma_lookup(mm, addr);
	if (!vma || !vma_is_xip(vma) ||
	    !(vma->vm_flags & (write ? VM_WRITE : VM_READ)))
		ret = -EFAULT;
	else
		ret = xip_file_access(vma, addr, buf, len, write);
	mmap_read_unlock(mm);
	if (ret < 0)
		goto revert;
	if (!write)
		ret = copy_to_iter(buf, ret, iter);
	else if ((size_t)ret < len)
		iov_iter_revert(iter, len - ret);
	if (!ret)
		ret = -EFAULT;
	goto out;
revert:
	if (write)
		iov_iter_revert(iter, len);
out:
	kfree(buf);
	return ret;
}

/*
 * ->map_pages runs under the RCU read lock, and a block lookup may sleep, so
 * fault-around is done by ->fault itself (xip_map_around()).  The operation
 * is there so that the core calls ->fault under the per-VMA lock instead of
 * retrying every fault under mmap_lock (see vmf_can_call_fault()).
 */
static vm_fault_t xip_file_map_pages(struct vm_fault *vmf,
				     pgoff_t start_pgoff, pgoff_t end_pgoff)
{
	return 0;
}

static const struct vm_operations_struct xip_file_vm_ops = {
	.fault		= xip_file_fault,
	.map_pages	= xip_file_map_pages,
	.pfn_mkwrite	= xip_file_fault,
	.page_mkwrite	= xip_file_fault,
	.access		= xip_file_access,
};

/**
 * xip_file_mmap - map an XIP file
 * @file: the file
 * @vma: the new mapping
 *
 * The mapping is VM_MIXEDMAP: device memory is inserted by pfn (with a
 * reference where it can be pinned, see xip_pte_kind()), holes map the zero
 * page, and private stores copy the page in the fault that makes them.
 *
 * Return: 0, or -ENODEV if @file's mapping is not XIP.
 */
int xip_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!mapping_is_xip(file->f_mapping))
		return -ENODEV;
	file_accessed(file);
	vma->vm_ops = &xip_file_vm_ops;
	vm_flags_set(vma, VM_MIXEDMAP);
	return 0;
}
EXPORT_SYMBOL_GPL(xip_file_mmap);
