/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Classic execute-in-place (XIP) for file mappings.
 *
 * A block device whose storage is directly addressable by the CPU (a RAM
 * disk, an s390 DCSS, pmem) implements block_device_operations->direct_access.
 * A filesystem implements address_space_operations->get_xip_page on top of
 * it, and uses the file operations of mm/filemap_xip.c, which read, write and
 * map that memory directly: the page cache of an XIP file stays empty.
 */
#ifndef _LINUX_XIP_H
#define _LINUX_XIP_H

#include <linux/fs.h>
#include <linux/mm_types.h>

struct block_device;
struct kiocb;
struct iov_iter;
struct vm_area_struct;

#ifdef CONFIG_FS_XIP

long bdev_direct_access(struct block_device *bdev, sector_t sector,
			void **kaddr, unsigned long *pfn, long size);
int bdev_xip_supported(struct block_device *bdev);
bool bdev_xip_persistent(struct block_device *bdev);
bool bdev_xip_read_only(struct block_device *bdev);
int bdev_direct_access_flush(struct block_device *bdev, void *kaddr,
			     size_t len);
void bdev_direct_access_release(struct block_device *bdev, sector_t sector,
				sector_t nr_sects);
int xip_copy_begin(void);
void xip_copy_end(int idx);
void xip_free_page(struct page *page);

/**
 * mapping_is_xip - does this address space use execute-in-place?
 * @mapping: the address space
 *
 * Return: true if @mapping's operations provide ->get_xip_page.
 */
static inline bool mapping_is_xip(struct address_space *mapping)
{
	return !!mapping->a_ops->get_xip_page;
}

/**
 * vma_is_xip - is this a mapping of an XIP file?
 * @vma: the mapping
 *
 * Like fs-DAX mappings, XIP mappings may hold the shared zero page where a
 * store can later put a block, so GUP refuses read-only long-term pins of
 * them; a write pin of a private mapping pins the anonymous copy that its
 * write fault makes.
 *
 * Return: true if @vma maps a file whose address space is XIP.
 */
static inline bool vma_is_xip(const struct vm_area_struct *vma)
{
	return vma->vm_file && mapping_is_xip(vma->vm_file->f_mapping);
}

ssize_t xip_file_read_iter(struct kiocb *iocb, struct iov_iter *to);
ssize_t xip_file_write_iter(struct kiocb *iocb, struct iov_iter *from);
ssize_t __xip_file_write_iter(struct kiocb *iocb, struct iov_iter *from);
int xip_file_mmap(struct file *file, struct vm_area_struct *vma);
ssize_t xip_process_vm_rw(struct mm_struct *mm, unsigned long addr,
			  size_t len, struct iov_iter *iter, bool write);
int xip_read_mapping(struct address_space *mapping, loff_t pos, void *buf,
		     size_t len);
int xip_truncate_page(struct address_space *mapping, loff_t oldsize,
		      loff_t newsize);
int xip_zero_eof(struct address_space *mapping, loff_t from, loff_t to);
void xip_flush_icache(void *kaddr, size_t len);
int xip_writeback_range(struct address_space *mapping, loff_t start,
			loff_t end);
void xip_shutdown_mapping(struct address_space *mapping);
void xip_shutdown_sync(void);

#else /* !CONFIG_FS_XIP */

static inline long bdev_direct_access(struct block_device *bdev,
				      sector_t sector, void **kaddr,
				      unsigned long *pfn, long size)
{
	return -EOPNOTSUPP;
}

static inline int bdev_xip_supported(struct block_device *bdev)
{
	return -EOPNOTSUPP;
}

static inline bool bdev_xip_persistent(struct block_device *bdev)
{
	return false;
}

static inline bool bdev_xip_read_only(struct block_device *bdev)
{
	return false;
}

static inline bool mapping_is_xip(struct address_space *mapping)
{
	return false;
}

static inline bool vma_is_xip(const struct vm_area_struct *vma)
{
	return false;
}

static inline ssize_t xip_process_vm_rw(struct mm_struct *mm,
					unsigned long addr, size_t len,
					struct iov_iter *iter, bool write)
{
	return -EFAULT;
}

static inline int xip_read_mapping(struct address_space *mapping, loff_t pos,
				   void *buf, size_t len)
{
	return -EIO;
}

static inline int xip_writeback_range(struct address_space *mapping,
				      loff_t start, loff_t end)
{
	return 0;
}

static inline int xip_truncate_page(struct address_space *mapping,
				    loff_t oldsize, loff_t newsize)
{
	return 0;
}

static inline int xip_zero_eof(struct address_space *mapping, loff_t from,
			       loff_t to)
{
	return 0;
}

#endif /* CONFIG_FS_XIP */

#endif /* _LINUX_XIP_H */
