/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ext2 execute-in-place (mount -o xip)
 */
#ifndef _EXT2_XIP_H
#define _EXT2_XIP_H

#include <linux/fs.h>

struct buffer_head;

extern const struct address_space_operations ext2_xip_aops;
extern const struct file_operations ext2_xip_file_operations;

#ifdef CONFIG_EXT2_FS_XIP

/* Include after ext2.h. */
static inline bool ext2_use_xip(struct super_block *sb)
{
	return test_opt(sb, XIP);
}

int ext2_xip_verify_sb(struct super_block *sb, unsigned long blocksize);
int ext2_xip_check_rw(struct super_block *sb, bool rdonly);
void ext2_xip_shutdown(struct super_block *sb);
void ext2_xip_sync_fs(struct super_block *sb);
int ext2_get_xip_page(struct address_space *mapping, pgoff_t index,
		      bool create, void **kaddr, unsigned long *pfn,
		      unsigned long *nr);
int ext2_xip_zero_blocks(struct inode *inode, unsigned long block,
			 unsigned long count);
void ext2_xip_release_blocks(struct super_block *sb,
			     struct buffer_head *bitmap_bh, unsigned long bit,
			     unsigned long block, unsigned long count);

/* Only regular files are XIP; directories and symlinks keep the page cache. */
static inline bool ext2_inode_is_xip(struct inode *inode)
{
	return S_ISREG(inode->i_mode) && ext2_use_xip(inode->i_sb);
}

#else

static inline bool ext2_use_xip(struct super_block *sb)
{
	return false;
}

static inline int ext2_xip_verify_sb(struct super_block *sb,
				     unsigned long blocksize)
{
	return 0;
}

static inline int ext2_xip_check_rw(struct super_block *sb, bool rdonly)
{
	return 0;
}

static inline bool ext2_inode_is_xip(struct inode *inode)
{
	return false;
}

static inline int ext2_xip_zero_blocks(struct inode *inode,
				       unsigned long block,
				       unsigned long count)
{
	return -EIO;
}

static inline void ext2_xip_sync_fs(struct super_block *sb)
{
}

static inline void ext2_xip_release_blocks(struct super_block *sb,
					   struct buffer_head *bitmap_bh,
					   unsigned long bit,
					   unsigned long block,
					   unsigned long count)
{
}

#define ext2_xip_shutdown	NULL

#endif /* CONFIG_EXT2_FS_XIP */

#endif /* _EXT2_XIP_H */
