// SPDX-License-Identifier: GPL-2.0
/*
 * ext2 execute-in-place (mount -o xip)
 *
 * Regular files of an XIP mount are read, written and mapped straight from
 * the memory of the block device (see mm/filemap_xip.c); directories,
 * symlinks and metadata keep using the buffer and page caches.
 */

#include <linux/blkdev.h>
#include <linux/buffer_head.h>
#include <linux/fs.h>
#include <linux/quotaops.h>
#include <linux/uio.h>
#include <linux/xip.h>
#include "ext2.h"
#include "xip.h"

/*
 * Nothing checks the block pointers of a damaged filesystem on the way in:
 * one may point at the superblock, or beyond the end of the filesystem (the
 * mount made sure that the filesystem fits the device, not that its
 * pointers stay inside it).  The page cache would read such a block through
 * the block layer; XIP would map it into user space.  A run that starts
 * outside the data zone is an ext2 error and -EIO, and a run that starts
 * inside it is cut at the end of the filesystem, so only blocks of the
 * filesystem are ever mapped.
 */
static int ext2_xip_check_run(struct inode *inode, struct buffer_head *bh)
{
	struct ext2_sb_info *sbi = EXT2_SB(inode->i_sb);
	ext2_fsblk_t first = bh->b_blocknr;
	ext2_fsblk_t end = le32_to_cpu(sbi->s_es->s_blocks_count);

	if (!ext2_data_block_valid(sbi, first, 1)) {
		ext2_error(inode->i_sb, "ext2_get_xip_page",
			   "inode %lu: block %llu is outside the data zone",
			   inode->i_ino, (unsigned long long)first);
		return -EIO;
	}
	if (first + (bh->b_size >> PAGE_SHIFT) > end)
		bh->b_size = (end - first) << PAGE_SHIFT;
	return 0;
}

/**
 * ext2_get_xip_page - find the memory behind a run of pages of an ext2 file
 * @mapping: the file's address space
 * @index: first page index in the file
 * @create: allocate blocks for holes
 * @kaddr: returns the kernel address of the block of @index
 * @pfn: returns the page frame number of the block of @index
 * @nr: in: pages wanted from @index; out: pages contiguous in memory from
 *	@kaddr (or, for -ENODATA, pages of hole; always 1 here)
 *
 * The block size of an XIP mount is PAGE_SIZE, so a page is one block.  One
 * block-tree walk (ext2_get_block() for *@nr blocks, allocating a run of
 * them with @create, a shorter one if the quota refuses the run) and one
 * bdev_direct_access() serve the whole run.  A newly allocated block is
 * zeroed before it is linked into the inode's block tree (ext2_get_blocks()),
 * so no racing lookup can see stale data.
 *
 * Return: 0, -ENODATA for a hole when !@create, -EIO if the block lies
 * outside the filesystem's data zone or is not addressable on the device
 * (both reported as filesystem damage), holds a media
 * error, the device failed the access, or the device is gone, -ENOMEM if the
 * device could not allocate backing memory, or another negative errno from
 * the allocator.
 */
int ext2_get_xip_page(struct address_space *mapping, pgoff_t index,
		      bool create, void **kaddr, unsigned long *pfn,
		      unsigned long *nr)
{
	struct inode *inode = mapping->host;
	struct buffer_head bh = { .b_size = *nr << PAGE_SHIFT };
	sector_t sector;
	long avail;
	int error;

	if (READ_ONCE(EXT2_SB(inode->i_sb)->s_xip_dead))
		return -EIO;
	error = ext2_get_block(inode, index, &bh, create);
	/*
	 * The quota is charged for the blocks of a run all at once, all or
	 * nothing: near the limit, ask for fewer, down to the one block that
	 * a write through the page cache would allocate.
	 */
	while (error == -EDQUOT && create && bh.b_size > PAGE_SIZE) {
		bh.b_size = round_down(bh.b_size / 2, PAGE_SIZE);
		error = ext2_get_block(inode, index, &bh, create);
	}
	if (error)
		return error;
	if (!buffer_mapped(&bh)) {
		*nr = 1;
		return -ENODATA;
	}
	error = ext2_xip_check_run(inode, &bh);
	if (error)
		return error;

	sector = (sector_t)bh.b_blocknr << (PAGE_SHIFT - SECTOR_SHIFT);
	avail = bdev_direct_access(inode->i_sb->s_bdev, sector, kaddr, pfn,
				   bh.b_size);
	if (avail == -ENOMEM)
		return avail;
	if (avail == -ERANGE || avail == -EINVAL) {
		/* a block the device does not have: a damaged file system */
		ext2_error(inode->i_sb, __func__,
			   "inode %lu: no direct access to block %llu: %ld",
			   inode->i_ino, (unsigned long long)bh.b_blocknr,
			   avail);
		return -EIO;
	}
	if (avail < 0) {
		/*
		 * A media or I/O error of the device, not a damaged file
		 * system: like a failed data bio, no ext2_error(), which
		 * could remount read-only or panic (errors=).
		 */
		pr_err_ratelimited("EXT2-fs (%s): xip: %s in blocks %llu-%llu of inode %lu\n",
				   inode->i_sb->s_id,
				   avail == -EHWPOISON ? "media error" :
				   "I/O error",
				   (unsigned long long)bh.b_blocknr,
				   (unsigned long long)bh.b_blocknr +
				   (bh.b_size >> PAGE_SHIFT) - 1,
				   inode->i_ino);
		return -EIO;
	}
	*nr = avail >> PAGE_SHIFT;
	return 0;
}

/**
 * ext2_xip_zero_blocks - zero new blocks of an XIP file in place
 * @inode: the file the blocks were allocated for
 * @block: the first block
 * @count: how many blocks
 *
 * ext2_get_blocks() zeroes blocks for DAX and XIP files before linking them
 * into the block tree.  On an XIP mount the device's memory is addressable,
 * so the blocks are cleared through direct access (and written back on
 * persistent memory), not with a write bio.
 *
 * Context: called with EXT2_I(@inode)->truncate_mutex held; may sleep.
 * Return: 0, -ENOMEM if the device could not allocate backing memory, or
 * -EIO if the blocks are not addressable.
 */
int ext2_xip_zero_blocks(struct inode *inode, unsigned long block,
			 unsigned long count)
{
	struct block_device *bdev = inode->i_sb->s_bdev;
	unsigned long pfn;
	void *kaddr;
	long avail;

	while (count) {
		sector_t sector = (sector_t)block << (PAGE_SHIFT - SECTOR_SHIFT);
		int idx = xip_copy_begin();

		avail = bdev_direct_access(bdev, sector, &kaddr, &pfn,
					   count << PAGE_SHIFT);
		if (avail == -EHWPOISON) {
			xip_copy_end(idx);
			/* a bio write clears poison where the device can */
			if (sb_issue_zeroout(inode->i_sb, block, 1, GFP_NOIO))
				return -EIO;
			block++;
			count--;
			continue;
		}
		if (avail < 0) {
			xip_copy_end(idx);
			return avail == -ENOMEM ? -ENOMEM : -EIO;
		}
		memset(kaddr, 0, avail);
		bdev_direct_access_flush(bdev, kaddr, avail);
		/* a block may have held a program that some mapping ran */
		xip_flush_icache(kaddr, avail);
		xip_copy_end(idx);
		avail >>= PAGE_SHIFT;
		block += avail;
		count -= avail;
		cond_resched();
	}
	return 0;
}

/**
 * ext2_xip_release_blocks - tell the device that blocks are being freed
 * @sb: an XIP super block
 * @bitmap_bh: the block bitmap of their group
 * @bit: the bit of @block in it
 * @block: the first block
 * @count: how many, all in this group
 *
 * ext2_free_blocks() calls this for the blocks of an XIP file, after its
 * checks and before it clears their bits, so before they can be allocated
 * again: a page of theirs that get_user_pages() pinned through a mapping
 * must not become another file's block (see bdev_direct_access_release()).
 * Only runs of blocks whose bit is still set are released: a corrupt block
 * pointer to a block that is free already must not drop memory that
 * another file may have by then.  The mappings are gone by then (truncate
 * unmaps first, an evicted inode has none), and i_rwsem or invalidate_lock
 * keeps the file's kernel copies away.
 *
 * Context: may sleep.
 */
void ext2_xip_release_blocks(struct super_block *sb,
			     struct buffer_head *bitmap_bh, unsigned long bit,
			     unsigned long block, unsigned long count)
{
	const unsigned int shift = PAGE_SHIFT - SECTOR_SHIFT;
	unsigned long i = 0, start;

	while (i < count) {
		while (i < count && !ext2_test_bit(bit + i, bitmap_bh->b_data))
			i++;
		start = i;
		while (i < count && ext2_test_bit(bit + i, bitmap_bh->b_data))
			i++;
		if (i > start)
			bdev_direct_access_release(sb->s_bdev,
						   (sector_t)(block + start) << shift,
						   (sector_t)(i - start) << shift);
	}
}

/**
 * ext2_xip_verify_sb - check that an XIP mount can work
 * @sb: the super block being mounted with -o xip
 * @blocksize: the filesystem block size
 *
 * Return: 0, or -EACCES (a read-write mount of flash, see
 * ext2_xip_check_rw()) or -EINVAL after logging why the mount is refused.
 */
int ext2_xip_verify_sb(struct super_block *sb, unsigned long blocksize)
{
	struct block_device *bdev = sb->s_bdev;
	unsigned long pfn;
	void *kaddr;
	long avail;
	int error;

	if (!ext2_use_xip(sb))
		return 0;
	if (test_opt(sb, DAX)) {
		ext2_msg(sb, KERN_ERR, "xip and dax cannot be used together");
		return -EINVAL;
	}
	if (blocksize != PAGE_SIZE) {
		ext2_msg(sb, KERN_ERR,
			 "xip needs a block size of %lu, not %lu",
			 PAGE_SIZE, blocksize);
		return -EINVAL;
	}
	error = bdev_xip_supported(bdev);
	if (error == -EOPNOTSUPP) {
		ext2_msg(sb, KERN_ERR,
			 "xip: device does not support direct access");
		return -EINVAL;
	}
	if (error) {
		ext2_msg(sb, KERN_ERR,
			 "xip: partition does not start on a page boundary");
		return -EINVAL;
	}
	error = ext2_xip_check_rw(sb, sb_rdonly(sb));
	if (error)
		return error;
	/* The superblock sits in the first page: the device must map it. */
	avail = bdev_direct_access(bdev, 0, &kaddr, &pfn, PAGE_SIZE);
	if (avail == -EOPNOTSUPP) {
		/* a driver that can map some of its devices only (MTD) */
		ext2_msg(sb, KERN_ERR,
			 "xip: device does not support direct access");
		return -EINVAL;
	}
	if (avail < 0) {
		ext2_msg(sb, KERN_ERR, "xip: direct access failed: %ld", avail);
		return -EINVAL;
	}
	/*
	 * Memory without struct page (a DCSS, a raw pmem namespace) cannot be
	 * pinned by get_user_pages(); say which kind this is.
	 */
	ext2_msg(sb, KERN_INFO, "xip: %s memory %s struct page",
		 bdev_xip_persistent(bdev) ? "persistent" : "volatile",
		 pfn_valid(pfn) ? "with" : "without");
	return 0;
}

/**
 * ext2_xip_check_rw - may this XIP mount be read-write?
 * @sb: the super block of an XIP mount being mounted or remounted
 * @rdonly: whether the mount is to be read-only
 *
 * Flash (NOR behind an MTD block device) can be executed in place but is
 * not written by CPU stores (bdev_xip_read_only()): a read-write XIP mount
 * of it is refused with the same error as one of a read-only device.
 *
 * Return: 0, or -EACCES after logging why.
 */
int ext2_xip_check_rw(struct super_block *sb, bool rdonly)
{
	if (!ext2_use_xip(sb) || rdonly || !bdev_xip_read_only(sb->s_bdev))
		return 0;
	ext2_msg(sb, KERN_ERR,
		 "xip: the device's memory cannot be written in place (flash): mount it read-only");
	return -EACCES;
}

/* Call @fn for the address space of every XIP file in memory. */
static void ext2_xip_for_each_file(struct super_block *sb,
				   void (*fn)(struct address_space *mapping))
{
	struct inode *inode, *done = NULL;

	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
		spin_lock(&inode->i_lock);
		if ((inode->i_state & (I_FREEING | I_WILL_FREE | I_NEW)) ||
		    !ext2_inode_is_xip(inode)) {
			spin_unlock(&inode->i_lock);
			continue;
		}
		__iget(inode);
		spin_unlock(&inode->i_lock);
		spin_unlock(&sb->s_inode_list_lock);

		fn(inode->i_mapping);
		/* the list cursor stays valid while @inode is held */
		iput(done);
		done = inode;
		cond_resched();
		spin_lock(&sb->s_inode_list_lock);
	}
	spin_unlock(&sb->s_inode_list_lock);
	iput(done);
}

/**
 * ext2_xip_shutdown - the device under an XIP mount is going away
 * @sb: the super block
 *
 * Called through ->shutdown when the block device is removed under the
 * mount (a pmem namespace disabled, a driver unbound).  Its memory is about
 * to be unmapped, so every access to file data must stop first: from now on
 * ->get_xip_page fails with -EIO, every mapping of an XIP file is removed
 * (a later access raises SIGBUS) and copies in progress are waited for.
 * The mount stays until it is unmounted; metadata I/O fails as on any dead
 * device.
 */
void ext2_xip_shutdown(struct super_block *sb)
{
	if (!ext2_use_xip(sb) || READ_ONCE(EXT2_SB(sb)->s_xip_dead))
		return;
	WRITE_ONCE(EXT2_SB(sb)->s_xip_dead, true);
	ext2_xip_for_each_file(sb, xip_shutdown_mapping);
	xip_shutdown_sync();
	ext2_msg(sb, KERN_ERR,
		 "xip: device removed, file data is no longer accessible");
}

static void ext2_xip_writeback_file(struct address_space *mapping)
{
	xip_writeback_range(mapping, 0, LLONG_MAX);
}

/**
 * ext2_xip_sync_fs - sync(2), syncfs(2) and freeze for an XIP mount
 * @sb: the super block
 *
 * Every XIP file with shared writable mappings (or on persistent memory)
 * gets xip_writeback_range(): its PTEs are write-protected, so the next
 * store faults, updates the file times and, on a frozen filesystem (freeze
 * syncs after SB_FREEZE_PAGEFAULT), waits for the thaw.
 */
void ext2_xip_sync_fs(struct super_block *sb)
{
	if (ext2_use_xip(sb) && !READ_ONCE(EXT2_SB(sb)->s_xip_dead))
		ext2_xip_for_each_file(sb, ext2_xip_writeback_file);
}

static ssize_t ext2_xip_write_iter(struct kiocb *iocb, struct iov_iter *from)
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
	if (!ret) {
		loff_t end = iocb->ki_pos + iov_iter_count(from);

		ret = __xip_file_write_iter(iocb, from);
		/*
		 * Give back blocks allocated beyond EOF for a write that was
		 * cut short (ext2_write_failed() trims only beyond i_size).
		 */
		if (iocb->ki_pos < end && ret != -EAGAIN)
			ext2_write_failed(inode->i_mapping, end);
	}
	inode_unlock(inode);
	if (ret > 0)
		ret = generic_write_sync(iocb, ret);
	return ret;
}

static int ext2_xip_file_open(struct inode *inode, struct file *filp)
{
	/*
	 * Every XIP access is direct: O_DIRECT is accepted and ignored.  Reads
	 * and writes honour IOCB_NOWAIT (RWF_NOWAIT, io_uring, aio).
	 */
	filp->f_mode |= FMODE_CAN_ODIRECT | FMODE_NOWAIT;
	return dquot_file_open(inode, filp);
}

static int ext2_xip_release_file(struct inode *inode, struct file *filp)
{
	if (filp->f_mode & FMODE_WRITE) {
		mutex_lock(&EXT2_I(inode)->truncate_mutex);
		ext2_discard_reservation(inode);
		mutex_unlock(&EXT2_I(inode)->truncate_mutex);
	}
	return 0;
}

/*
 * Stores through shared mappings: write-protect them again, so that the
 * next store updates the file times, and on persistent memory write back
 * the CPU caches; ext2_fsync() then flushes the device's write cache.
 */
static int ext2_xip_fsync(struct file *file, loff_t start, loff_t end,
			  int datasync)
{
	int error = xip_writeback_range(file->f_mapping, start, end);

	if (error)
		return error;
	return ext2_fsync(file, start, end, datasync);
}

const struct file_operations ext2_xip_file_operations = {
	.llseek		= generic_file_llseek,
	.read_iter	= xip_file_read_iter,
	.write_iter	= ext2_xip_write_iter,
	.unlocked_ioctl	= ext2_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl	= ext2_compat_ioctl,
#endif
	.mmap		= xip_file_mmap,
	.open		= ext2_xip_file_open,
	.release	= ext2_xip_release_file,
	.fsync		= ext2_xip_fsync,
	.splice_read	= copy_splice_read,
	.splice_write	= iter_file_splice_write,
	.fop_flags	= FOP_BUFFER_WASYNC,
};

static sector_t ext2_xip_bmap(struct address_space *mapping, sector_t block)
{
	return generic_block_bmap(mapping, block, ext2_get_block);
}

/*
 * No ->read_folio or ->readahead: readahead, fadvise/madvise WILLNEED and
 * swapon then leave the page cache alone.  ->dirty_folio is called
 * unconditionally by folio_mark_dirty(), so it must exist.
 */
const struct address_space_operations ext2_xip_aops = {
	.get_xip_page	= ext2_get_xip_page,
	.bmap		= ext2_xip_bmap,
	.dirty_folio	= noop_dirty_folio,
};
