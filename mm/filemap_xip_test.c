// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the execute-in-place file operations of mm/filemap_xip.c
 *
 * The tests run against a small pseudo filesystem that lives entirely in
 * this file.  Its one regular file is backed by memory the test owns, one
 * physically contiguous "device" of XIP_TEST_NR_PAGES pages: file page N is
 * device page N once it has a block (bit N of ctx->present), and a hole
 * otherwise.  ->get_xip_page hands out runs of present pages (or of holes),
 * allocates zeroed blocks for holes when asked to, counts its calls and
 * allocations, and can fail with an injected error.  The file's operations
 * are the XIP ones, so read(2), write(2) and mmap(2) of that file exercise
 * mm/filemap_xip.c; the test then looks at the device pages to see where
 * the bytes went.
 *
 * Page faults are taken through a mapping made with kunit_vm_mmap() in the
 * mm that KUnit attaches to the test's kthread, by copy_{from,to}_user() on
 * that mapping.
 */

#include <kunit/test.h>
#include <linux/bvec.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/pseudo_fs.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/xip.h>

#define XIP_TEST_MAGIC		0x78697074	/* "xipt" */
#define XIP_TEST_NR_PAGES	8

/*
 * File data written by the tests follows xip_test_byte(), whose values are
 * 1..251.  Two other byte values can therefore never be mistaken for file
 * data: XIP_TEST_POISON fills destination buffers before a read and plays
 * the part of garbage stored beyond EOF, XIP_TEST_DATA is written over
 * existing data.
 */
#define XIP_TEST_POISON		0xfd
#define XIP_TEST_DATA		0xfe

struct xip_test_ctx {
	struct vfsmount *mnt;
	struct inode *inode;
	struct file *file;
	struct page *dev;		/* XIP_TEST_NR_PAGES contiguous pages */
	struct mutex lock;		/* protects the fields below */
	unsigned long present;		/* bit N: file page N has a block */
	unsigned int nr_calls;		/* calls of ->get_xip_page */
	bool hole_runs_of_one;		/* report holes one page at a time */
	unsigned int nr_allocs;		/* blocks allocated by ->get_xip_page */
	unsigned long error_pages;	/* bit N: file page N fails ... */
	int error;			/* ... with this errno */
};

static u8 xip_test_byte(loff_t pos)
{
	return pos % 251 + 1;
}

static bool xip_test_present(struct xip_test_ctx *ctx, pgoff_t index)
{
	return index < XIP_TEST_NR_PAGES && (ctx->present & BIT(index));
}

static bool xip_test_fails(struct xip_test_ctx *ctx, pgoff_t index)
{
	return ctx->error && (ctx->error_pages & BIT(index));
}

/*
 * A run ends at the end of the device, at a page that fails, and where
 * present pages and holes meet.  With @create, the holes of the run get
 * zeroed blocks and the run is returned as allocated.
 */
static int xip_test_get_xip_page(struct address_space *mapping, pgoff_t index,
				 bool create, void **kaddr, unsigned long *pfn,
				 unsigned long *nr)
{
	struct xip_test_ctx *ctx = mapping->host->i_private;
	unsigned long want = *nr, n;
	bool hole;
	int error = 0;

	mutex_lock(&ctx->lock);
	ctx->nr_calls++;
	if (index >= XIP_TEST_NR_PAGES) {
		/* Beyond the "device": a hole that cannot be filled. */
		*nr = 1;
		error = create ? -ENOSPC : -ENODATA;
		goto out;
	}
	if (xip_test_fails(ctx, index)) {
		error = ctx->error;
		goto out;
	}
	hole = !xip_test_present(ctx, index);
	for (n = 1; n < want && index + n < XIP_TEST_NR_PAGES; n++)
		if (xip_test_fails(ctx, index + n) ||
		    xip_test_present(ctx, index + n) == hole)
			break;
	if (hole && !create && ctx->hole_runs_of_one)
		n = 1;		/* as ext2 does */
	*nr = n;
	if (hole && !create) {
		error = -ENODATA;
		goto out;
	}
	if (hole) {
		memset(page_address(ctx->dev + index), 0, n * PAGE_SIZE);
		ctx->present |= GENMASK(index + n - 1, index);
		ctx->nr_allocs += n;
	}
	*kaddr = page_address(ctx->dev + index);
	*pfn = page_to_pfn(ctx->dev + index);
out:
	mutex_unlock(&ctx->lock);
	return error;
}

static const struct address_space_operations xip_test_aops = {
	.get_xip_page	= xip_test_get_xip_page,
};

/* An address space without ->get_xip_page, for the mmap refusal test. */
static const struct address_space_operations xip_test_plain_aops = {
};

static const struct file_operations xip_test_fops = {
	.llseek		= generic_file_llseek,
	.read_iter	= xip_file_read_iter,
	.write_iter	= xip_file_write_iter,
	.mmap		= xip_file_mmap,
	.splice_read	= copy_splice_read,
};

static int xip_test_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, XIP_TEST_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type xip_test_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "xip_kunit",
	.init_fs_context	= xip_test_init_fs_context,
	.kill_sb		= kill_anon_super,
};

static int xip_test_init(struct kunit *test)
{
	struct xip_test_ctx *ctx;
	struct inode *inode;
	struct file *file;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	mutex_init(&ctx->lock);
	test->priv = ctx;
	ctx->dev = alloc_pages(GFP_KERNEL, ilog2(XIP_TEST_NR_PAGES));
	if (!ctx->dev)
		return -ENOMEM;
	/*
	 * Contiguous, but each page on its own, as brd's chunks: without
	 * special PTEs (UML) a mapping takes a reference on every page.
	 */
	split_page(ctx->dev, ilog2(XIP_TEST_NR_PAGES));
	/* poison what no block owns yet: a hole must never read it */
	memset(page_address(ctx->dev), XIP_TEST_POISON,
	       XIP_TEST_NR_PAGES * PAGE_SIZE);

	ctx->mnt = kern_mount(&xip_test_fs_type);
	if (IS_ERR(ctx->mnt))
		return PTR_ERR(ctx->mnt);

	inode = new_inode(ctx->mnt->mnt_sb);
	if (!inode)
		return -ENOMEM;
	inode->i_ino = get_next_ino();
	inode->i_mode = S_IFREG | 0600;
	inode->i_fop = &xip_test_fops;
	inode->i_mapping->a_ops = &xip_test_aops;
	inode->i_private = ctx;
	simple_inode_init_ts(inode);

	/* The file takes over our reference to the inode. */
	file = alloc_file_pseudo(inode, ctx->mnt, "xip_kunit", O_RDWR,
				 &xip_test_fops);
	if (IS_ERR(file)) {
		iput(inode);
		return PTR_ERR(file);
	}
	ctx->inode = inode;
	ctx->file = file;
	return 0;
}

static void xip_test_exit(struct kunit *test)
{
	struct xip_test_ctx *ctx = test->priv;
	unsigned int i;

	if (!ctx)
		return;
	if (ctx->file) {
		/* Whatever a test did, the page cache must have stayed empty. */
		KUNIT_EXPECT_EQ(test, ctx->inode->i_mapping->nrpages, 0UL);
		fput(ctx->file);
		/* This kthread's fput() is deferred: run it now. */
		flush_delayed_fput();
	}
	if (!IS_ERR_OR_NULL(ctx->mnt))
		kern_unmount(ctx->mnt);
	/*
	 * If a test failed with a mapping still in place, its mm is torn down
	 * when the test's kthread exits.  The PTEs it has left either hold a
	 * page reference (insert_page() without pte_special) or are special
	 * and never touch the page, so freeing the pages here is safe.
	 */
	for (i = 0; ctx->dev && i < XIP_TEST_NR_PAGES; i++)
		__free_page(ctx->dev + i);
}

/* Helpers */

static struct xip_test_ctx *xip_test_ctx(struct kunit *test)
{
	return test->priv;
}

static struct address_space *xip_test_mapping(struct kunit *test)
{
	return xip_test_ctx(test)->inode->i_mapping;
}

static void xip_test_set_size(struct kunit *test, loff_t size)
{
	i_size_write(xip_test_ctx(test)->inode, size);
}

static loff_t xip_test_size(struct kunit *test)
{
	return i_size_read(xip_test_ctx(test)->inode);
}

static unsigned int xip_test_nr_allocs(struct kunit *test)
{
	struct xip_test_ctx *ctx = xip_test_ctx(test);
	unsigned int nr;

	mutex_lock(&ctx->lock);
	nr = ctx->nr_allocs;
	mutex_unlock(&ctx->lock);
	return nr;
}

/* The memory of the block behind file page @index, or NULL for a hole. */
static u8 *xip_test_block(struct kunit *test, pgoff_t index)
{
	struct xip_test_ctx *ctx = xip_test_ctx(test);
	bool present;

	mutex_lock(&ctx->lock);
	present = xip_test_present(ctx, index);
	mutex_unlock(&ctx->lock);
	return present ? page_address(ctx->dev + index) : NULL;
}

/* Give file page @index a block that holds the data pattern. */
static u8 *xip_test_new_block(struct kunit *test, pgoff_t index)
{
	struct xip_test_ctx *ctx = xip_test_ctx(test);
	size_t i;
	u8 *kaddr;

	KUNIT_ASSERT_LT(test, index, (pgoff_t)XIP_TEST_NR_PAGES);
	KUNIT_ASSERT_NULL(test, xip_test_block(test, index));
	kaddr = page_address(ctx->dev + index);
	for (i = 0; i < PAGE_SIZE; i++)
		kaddr[i] = xip_test_byte((loff_t)index * PAGE_SIZE + i);

	mutex_lock(&ctx->lock);
	ctx->present |= BIT(index);
	mutex_unlock(&ctx->lock);
	return kaddr;
}

static unsigned int xip_test_nr_calls(struct kunit *test)
{
	struct xip_test_ctx *ctx = xip_test_ctx(test);
	unsigned int nr;

	mutex_lock(&ctx->lock);
	nr = ctx->nr_calls;
	mutex_unlock(&ctx->lock);
	return nr;
}

static void xip_test_inject_error(struct kunit *test, unsigned long pages,
				  int error)
{
	struct xip_test_ctx *ctx = xip_test_ctx(test);

	mutex_lock(&ctx->lock);
	ctx->error_pages = pages;
	ctx->error = error;
	mutex_unlock(&ctx->lock);
}

/* A kernel buffer filled with XIP_TEST_POISON. */
static u8 *xip_test_buf(struct kunit *test, size_t len)
{
	u8 *buf = kunit_kmalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, XIP_TEST_POISON, len);
	return buf;
}

/* A kernel buffer holding the data pattern of file offsets [@pos, +@len). */
static u8 *xip_test_pattern_buf(struct kunit *test, loff_t pos, size_t len)
{
	u8 *buf = xip_test_buf(test, len);
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = xip_test_byte(pos + i);
	return buf;
}

/*
 * Check @len bytes of @buf, which hold file offsets [@pos, @pos + @len):
 * bytes in [@zero_start, @zero_end) must be zero, all others must hold the
 * data pattern.  Reports the first wrong byte.
 */
static void xip_test_expect_range(struct kunit *test, const u8 *buf,
				  loff_t pos, size_t len, loff_t zero_start,
				  loff_t zero_end)
{
	size_t i;

	for (i = 0; i < len; i++) {
		loff_t off = pos + i;
		u8 want = off >= zero_start && off < zero_end ?
			  0 : xip_test_byte(off);

		if (buf[i] != want) {
			KUNIT_FAIL(test,
				   "file offset %lld: byte 0x%02x, expected 0x%02x",
				   off, buf[i], want);
			return;
		}
	}
}

static void xip_test_expect_pattern(struct kunit *test, const u8 *buf,
				    loff_t pos, size_t len)
{
	xip_test_expect_range(test, buf, pos, len, 0, 0);
}

static void xip_test_expect_fill(struct kunit *test, const u8 *buf, int c,
				 size_t len)
{
	KUNIT_EXPECT_NULL_MSG(test, memchr_inv(buf, c, len),
			      "expected %zu bytes of 0x%02x", len, c);
}

static ssize_t xip_test_read(struct kunit *test, void *buf, size_t len,
			     loff_t *pos)
{
	return kernel_read(xip_test_ctx(test)->file, buf, len, pos);
}

static ssize_t xip_test_write(struct kunit *test, const void *buf, size_t len,
			      loff_t *pos)
{
	return kernel_write(xip_test_ctx(test)->file, buf, len, pos);
}

/* Read [@pos, @pos + @len) of the file into a new buffer, all of it. */
static u8 *xip_test_read_all(struct kunit *test, loff_t pos, size_t len)
{
	u8 *buf = xip_test_buf(test, len);

	KUNIT_ASSERT_EQ(test, xip_test_read(test, buf, len, &pos),
			(ssize_t)len);
	return buf;
}

/*
 * Map the test file at offset 0 into the test's mm.  kunit_vm_mmap()
 * returns 0 if it could not set up an mm, and vm_mmap()'s error otherwise.
 */
static unsigned long xip_test_try_mmap(struct kunit *test, size_t len,
				       unsigned long prot, unsigned long flags)
{
	unsigned long addr;

	addr = kunit_vm_mmap(test, xip_test_ctx(test)->file, 0, len, prot,
			     flags, 0);
	KUNIT_ASSERT_NE_MSG(test, addr, 0UL, "could not create a user mm");
	return addr;
}

static u8 __user *xip_test_mmap(struct kunit *test, size_t len,
				unsigned long prot, unsigned long flags)
{
	unsigned long addr = xip_test_try_mmap(test, len, prot, flags);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr), "vm_mmap: %ld",
			       (long)addr);
	KUNIT_ASSERT_LT(test, addr, (unsigned long)TASK_SIZE);
	return (u8 __user *)addr;
}

/*
 * Unmap while the test's memory is alive.  (If a test stops early, the
 * mapping goes away with the mm when the test's kthread exits.)
 */
static void xip_test_munmap(struct kunit *test, u8 __user *uaddr, size_t len)
{
	KUNIT_EXPECT_EQ(test, vm_munmap((unsigned long)uaddr, len), 0);
}

/* read(2) */

static void xip_test_read_full_page(struct kunit *test)
{
	u8 *buf = xip_test_buf(test, PAGE_SIZE);
	loff_t pos = PAGE_SIZE;

	xip_test_new_block(test, 1);
	xip_test_set_size(test, 2 * PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, xip_test_read(test, buf, PAGE_SIZE, &pos),
			(ssize_t)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, pos, (loff_t)(2 * PAGE_SIZE));
	xip_test_expect_pattern(test, buf, PAGE_SIZE, PAGE_SIZE);
}

static void xip_test_read_partial_page(struct kunit *test)
{
	u8 *buf = xip_test_buf(test, PAGE_SIZE);
	loff_t pos = 1000;

	xip_test_new_block(test, 0);
	xip_test_set_size(test, PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, xip_test_read(test, buf, 100, &pos), 100L);
	KUNIT_EXPECT_EQ(test, pos, 1100LL);
	xip_test_expect_pattern(test, buf, 1000, 100);
	/* Nothing is copied past the requested length. */
	xip_test_expect_fill(test, buf + 100, XIP_TEST_POISON, PAGE_SIZE - 100);
}

static void xip_test_read_across_pages(struct kunit *test)
{
	size_t len = PAGE_SIZE + 100;
	u8 *buf = xip_test_buf(test, len);
	loff_t pos = PAGE_SIZE - 50;

	xip_test_new_block(test, 0);
	xip_test_new_block(test, 1);
	xip_test_new_block(test, 2);
	xip_test_set_size(test, 3 * PAGE_SIZE);

	/* Spans the end of page 0, all of page 1 and the start of page 2. */
	KUNIT_EXPECT_EQ(test, xip_test_read(test, buf, len, &pos),
			(ssize_t)len);
	KUNIT_EXPECT_EQ(test, pos, (loff_t)(2 * PAGE_SIZE + 50));
	xip_test_expect_pattern(test, buf, PAGE_SIZE - 50, len);
}

static void xip_test_read_at_eof(struct kunit *test)
{
	u8 *buf = xip_test_buf(test, 100);
	loff_t pos;

	xip_test_new_block(test, 0);
	xip_test_new_block(test, 1);
	xip_test_set_size(test, 1000);

	pos = 1000;
	KUNIT_EXPECT_EQ(test, xip_test_read(test, buf, 100, &pos), 0L);
	KUNIT_EXPECT_EQ(test, pos, 1000LL);
	pos = PAGE_SIZE + 8;
	KUNIT_EXPECT_EQ(test, xip_test_read(test, buf, 100, &pos), 0L);
	KUNIT_EXPECT_EQ(test, pos, (loff_t)(PAGE_SIZE + 8));
	xip_test_expect_fill(test, buf, XIP_TEST_POISON, 100);

	/* One byte before EOF reads exactly that byte. */
	pos = 999;
	KUNIT_EXPECT_EQ(test, xip_test_read(test, buf, 100, &pos), 1L);
	KUNIT_EXPECT_EQ(test, pos, 1000LL);
	KUNIT_EXPECT_EQ(test, buf[0], xip_test_byte(999));
	xip_test_expect_fill(test, buf + 1, XIP_TEST_POISON, 99);
}

static void xip_test_read_stops_at_isize(struct kunit *test)
{
	u8 *buf = xip_test_buf(test, 2 * PAGE_SIZE);
	loff_t pos = 0;

	xip_test_new_block(test, 0);
	xip_test_new_block(test, 1);
	xip_test_set_size(test, PAGE_SIZE + 10);

	KUNIT_EXPECT_EQ(test, xip_test_read(test, buf, 2 * PAGE_SIZE, &pos),
			(ssize_t)(PAGE_SIZE + 10));
	KUNIT_EXPECT_EQ(test, pos, (loff_t)(PAGE_SIZE + 10));
	xip_test_expect_pattern(test, buf, 0, PAGE_SIZE + 10);
	/* The block's bytes beyond EOF are not returned. */
	xip_test_expect_fill(test, buf + PAGE_SIZE + 10, XIP_TEST_POISON,
			     PAGE_SIZE - 10);
}

static void xip_test_read_hole(struct kunit *test)
{
	u8 *buf = xip_test_buf(test, 3 * PAGE_SIZE);
	loff_t pos = 0;

	xip_test_new_block(test, 1);
	xip_test_set_size(test, 3 * PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, xip_test_read(test, buf, 3 * PAGE_SIZE, &pos),
			(ssize_t)(3 * PAGE_SIZE));
	xip_test_expect_fill(test, buf, 0, PAGE_SIZE);
	xip_test_expect_pattern(test, buf + PAGE_SIZE, PAGE_SIZE, PAGE_SIZE);
	xip_test_expect_fill(test, buf + 2 * PAGE_SIZE, 0, PAGE_SIZE);

	/* Reading a hole allocates nothing. */
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);
	KUNIT_EXPECT_NULL(test, xip_test_block(test, 0));
	KUNIT_EXPECT_NULL(test, xip_test_block(test, 2));
}

static void xip_test_read_bvec(struct kunit *test)
{
	u8 *dst0 = xip_test_buf(test, PAGE_SIZE);
	u8 *dst1 = xip_test_buf(test, PAGE_SIZE);
	struct bio_vec bv[2];
	struct iov_iter iter;
	loff_t pos = 300;
	ssize_t ret;

	xip_test_new_block(test, 0);
	xip_test_new_block(test, 1);
	xip_test_set_size(test, 2 * PAGE_SIZE);

	/* Two segments, the first unaligned, across the file's page 0/1. */
	bvec_set_virt(&bv[0], dst0 + 10, PAGE_SIZE - 10);
	bvec_set_virt(&bv[1], dst1, 200);
	iov_iter_bvec(&iter, ITER_DEST, bv, 2, PAGE_SIZE + 190);

	ret = vfs_iter_read(xip_test_ctx(test)->file, &iter, &pos, 0);
	KUNIT_EXPECT_EQ(test, ret, (ssize_t)(PAGE_SIZE + 190));
	KUNIT_EXPECT_EQ(test, pos, (loff_t)(PAGE_SIZE + 490));
	xip_test_expect_fill(test, dst0, XIP_TEST_POISON, 10);
	xip_test_expect_pattern(test, dst0 + 10, 300, PAGE_SIZE - 10);
	xip_test_expect_pattern(test, dst1, PAGE_SIZE + 290, 200);
	xip_test_expect_fill(test, dst1 + 200, XIP_TEST_POISON,
			     PAGE_SIZE - 200);
}

static void xip_test_read_error(struct kunit *test)
{
	u8 *buf = xip_test_buf(test, 2 * PAGE_SIZE);
	loff_t pos = 0;

	xip_test_new_block(test, 0);
	xip_test_new_block(test, 1);
	xip_test_set_size(test, 2 * PAGE_SIZE);

	/* An error on the first page is returned as it is. */
	xip_test_inject_error(test, BIT(0), -EIO);
	KUNIT_EXPECT_EQ(test, xip_test_read(test, buf, 2 * PAGE_SIZE, &pos),
			(ssize_t)-EIO);
	KUNIT_EXPECT_EQ(test, pos, 0LL);

	/* An error after some progress makes a short read. */
	xip_test_inject_error(test, BIT(1), -EIO);
	KUNIT_EXPECT_EQ(test, xip_test_read(test, buf, 2 * PAGE_SIZE, &pos),
			(ssize_t)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, pos, (loff_t)PAGE_SIZE);
	xip_test_expect_pattern(test, buf, 0, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, xip_test_read(test, buf, PAGE_SIZE, &pos),
			(ssize_t)-EIO);
}

/* write(2) */

static void xip_test_write_hole_allocates(struct kunit *test)
{
	loff_t start = PAGE_SIZE + 10;
	u8 *data = xip_test_pattern_buf(test, start, 100);
	loff_t pos = start;
	u8 *block;

	xip_test_set_size(test, 3 * PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, xip_test_write(test, data, 100, &pos), 100L);
	KUNIT_EXPECT_EQ(test, pos, start + 100);

	/* Exactly one zeroed block, holding exactly the bytes written. */
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 1U);
	KUNIT_EXPECT_NULL(test, xip_test_block(test, 0));
	KUNIT_EXPECT_NULL(test, xip_test_block(test, 2));
	block = xip_test_block(test, 1);
	KUNIT_ASSERT_NOT_NULL(test, block);
	xip_test_expect_range(test, block, PAGE_SIZE, 110, PAGE_SIZE, start);
	xip_test_expect_fill(test, block + 110, 0, PAGE_SIZE - 110);

	/* Writing inside the file leaves i_size alone. */
	KUNIT_EXPECT_EQ(test, xip_test_size(test), (loff_t)(3 * PAGE_SIZE));
}

static void xip_test_write_grows_file(struct kunit *test)
{
	loff_t far = 2 * PAGE_SIZE + 5;
	loff_t pos = 0;
	u8 *buf;

	KUNIT_EXPECT_EQ(test, xip_test_write(test,
					     xip_test_pattern_buf(test, 0, 300),
					     300, &pos), 300L);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), 300LL);

	/* Past EOF, leaving page 1 a hole. */
	pos = far;
	KUNIT_EXPECT_EQ(test, xip_test_write(test,
					     xip_test_pattern_buf(test, far, 10),
					     10, &pos), 10L);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), far + 10);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 2U);
	KUNIT_EXPECT_NULL(test, xip_test_block(test, 1));

	buf = xip_test_read_all(test, 0, far + 10);
	xip_test_expect_range(test, buf, 0, far + 10, 300, far);
}

static void xip_test_write_inside_keeps_size(struct kunit *test)
{
	u8 data[10];
	loff_t pos = 500;
	u8 *block;

	memset(data, XIP_TEST_DATA, sizeof(data));
	block = xip_test_new_block(test, 0);
	xip_test_set_size(test, 1000);

	KUNIT_EXPECT_EQ(test, xip_test_write(test, data, 10, &pos), 10L);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), 1000LL);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);
	xip_test_expect_pattern(test, block, 0, 500);
	xip_test_expect_fill(test, block + 500, XIP_TEST_DATA, 10);
	xip_test_expect_pattern(test, block + 510, 510, PAGE_SIZE - 510);
}

/* A write ending exactly at EOF, and one ending one byte beyond it. */
static void xip_test_write_size_exact(struct kunit *test)
{
	u8 data[16];
	loff_t pos;

	memset(data, XIP_TEST_DATA, sizeof(data));
	xip_test_new_block(test, 0);
	xip_test_set_size(test, 1000);

	pos = 1000 - 16;
	KUNIT_EXPECT_EQ(test, xip_test_write(test, data, 16, &pos), 16L);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), 1000LL);
	pos = 1000 - 15;
	KUNIT_EXPECT_EQ(test, xip_test_write(test, data, 16, &pos), 16L);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), 1001LL);
}

static void xip_test_write_across_pages(struct kunit *test)
{
	loff_t start = PAGE_SIZE / 2;
	size_t len = 2 * PAGE_SIZE;
	loff_t pos = start;
	pgoff_t index;
	u8 *block;

	KUNIT_EXPECT_EQ(test, xip_test_write(test,
					     xip_test_pattern_buf(test, start,
								  len),
					     len, &pos), (ssize_t)len);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), start + (loff_t)len);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 3U);

	for (index = 0; index < 3; index++) {
		block = xip_test_block(test, index);
		KUNIT_ASSERT_NOT_NULL(test, block);
		xip_test_expect_range(test, block, index * PAGE_SIZE,
				      index < 2 ? PAGE_SIZE : PAGE_SIZE / 2,
				      0, start);
	}
	/* The rest of the last block is as allocated: zero. */
	xip_test_expect_fill(test, block + PAGE_SIZE / 2, 0, PAGE_SIZE / 2);
}

static void xip_test_write_error(struct kunit *test)
{
	u8 *data = xip_test_pattern_buf(test, 0, 2 * PAGE_SIZE);
	loff_t pos = 0;

	/* The error of ->get_xip_page is returned as it is. */
	xip_test_inject_error(test, BIT(0), -EIO);
	KUNIT_EXPECT_EQ(test, xip_test_write(test, data, 100, &pos),
			(ssize_t)-EIO);
	KUNIT_EXPECT_EQ(test, pos, 0LL);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), 0LL);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);

	/* After some progress: a short write, i_size covers what was done. */
	xip_test_inject_error(test, BIT(1), -EIO);
	KUNIT_EXPECT_EQ(test, xip_test_write(test, data, 2 * PAGE_SIZE, &pos),
			(ssize_t)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, pos, (loff_t)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), (loff_t)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 1U);
}

/* The allocation's error (here: a full "device") is returned as well. */
static void xip_test_write_enospc(struct kunit *test)
{
	u8 data[10] = { 1 };
	loff_t pos = (loff_t)XIP_TEST_NR_PAGES * PAGE_SIZE;

	KUNIT_EXPECT_EQ(test, xip_test_write(test, data, 10, &pos),
			(ssize_t)-ENOSPC);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), 0LL);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);
}

/* IOCB_NOWAIT: a hole would need an allocation, so -EAGAIN. */
static void xip_test_write_nowait(struct kunit *test)
{
	struct file *file = xip_test_ctx(test)->file;
	u8 data[10];
	struct kvec kvec = { .iov_base = data, .iov_len = sizeof(data) };
	struct iov_iter iter;
	struct kiocb kiocb;
	u8 *block;

	memset(data, XIP_TEST_DATA, sizeof(data));
	block = xip_test_new_block(test, 0);
	xip_test_set_size(test, 2 * PAGE_SIZE);
	/* Keep kiocb_modified() from failing the NOWAIT write itself. */
	file->f_mode |= FMODE_NOCMTIME;

	init_sync_kiocb(&kiocb, file);
	kiocb.ki_flags |= IOCB_NOWAIT | IOCB_DIRECT;
	kiocb.ki_pos = PAGE_SIZE + 10;
	iov_iter_kvec(&iter, ITER_SOURCE, &kvec, 1, sizeof(data));
	KUNIT_EXPECT_EQ(test, file->f_op->write_iter(&kiocb, &iter),
			(ssize_t)-EAGAIN);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);
	KUNIT_EXPECT_NULL(test, xip_test_block(test, 1));

	/* An existing block needs no allocation. */
	init_sync_kiocb(&kiocb, file);
	kiocb.ki_flags |= IOCB_NOWAIT | IOCB_DIRECT;
	kiocb.ki_pos = 10;
	iov_iter_kvec(&iter, ITER_SOURCE, &kvec, 1, sizeof(data));
	KUNIT_EXPECT_EQ(test, file->f_op->write_iter(&kiocb, &iter),
			(ssize_t)sizeof(data));
	xip_test_expect_fill(test, block + 10, XIP_TEST_DATA, sizeof(data));

	/* Growing the file takes invalidate_lock: not under NOWAIT. */
	xip_test_set_size(test, 100);
	init_sync_kiocb(&kiocb, file);
	kiocb.ki_flags |= IOCB_NOWAIT | IOCB_DIRECT;
	kiocb.ki_pos = 95;
	iov_iter_kvec(&iter, ITER_SOURCE, &kvec, 1, sizeof(data));
	KUNIT_EXPECT_EQ(test, file->f_op->write_iter(&kiocb, &iter),
			(ssize_t)-EAGAIN);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), 100LL);
}

/*
 * Extending the file must not expose bytes stored beyond EOF in the old
 * EOF page.  Here the pattern beyond EOF plays that garbage.
 */
static void xip_test_write_extend_zeroes_gap(struct kunit *test)
{
	loff_t pos = 200;
	u8 *buf;

	xip_test_new_block(test, 0);
	xip_test_set_size(test, 100);

	KUNIT_EXPECT_EQ(test, xip_test_write(test,
					     xip_test_pattern_buf(test, 200, 10),
					     10, &pos), 10L);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), 210LL);
	buf = xip_test_read_all(test, 0, 210);
	xip_test_expect_range(test, buf, 0, 210, 100, 200);
}

/* The same when the write lands in a later page. */
static void xip_test_write_extend_zeroes_next_page(struct kunit *test)
{
	loff_t start = PAGE_SIZE + 20;
	loff_t pos = start;
	u8 *buf;

	xip_test_new_block(test, 0);
	xip_test_set_size(test, 100);

	KUNIT_EXPECT_EQ(test, xip_test_write(test,
					     xip_test_pattern_buf(test, start,
								  10),
					     10, &pos), 10L);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), start + 10);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 1U);
	buf = xip_test_read_all(test, 0, start + 10);
	xip_test_expect_range(test, buf, 0, start + 10, 100, start);
}

/* An old EOF page that is a hole needs no zeroing, and gets no block. */
static void xip_test_write_extend_over_hole(struct kunit *test)
{
	loff_t start = PAGE_SIZE + 20;
	loff_t pos = start;
	u8 *buf;

	xip_test_set_size(test, 100);

	KUNIT_EXPECT_EQ(test, xip_test_write(test,
					     xip_test_pattern_buf(test, start,
								  10),
					     10, &pos), 10L);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), start + 10);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 1U);
	KUNIT_EXPECT_NULL(test, xip_test_block(test, 0));
	buf = xip_test_read_all(test, 0, start + 10);
	xip_test_expect_range(test, buf, 0, start + 10, 0, start);
}

/* A write that starts below EOF in the EOF page and runs past it. */
static void xip_test_write_straddles_eof(struct kunit *test)
{
	size_t len = PAGE_SIZE + 10 - 50;
	loff_t pos = 50;
	u8 *data, *buf;

	xip_test_new_block(test, 0);
	xip_test_set_size(test, 100);
	data = xip_test_buf(test, len);
	memset(data, XIP_TEST_DATA, len);

	KUNIT_EXPECT_EQ(test, xip_test_write(test, data, len, &pos),
			(ssize_t)len);
	KUNIT_EXPECT_EQ(test, pos, (loff_t)PAGE_SIZE + 10);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), (loff_t)PAGE_SIZE + 10);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 1U);
	buf = xip_test_read_all(test, 0, PAGE_SIZE + 10);
	xip_test_expect_pattern(test, buf, 0, 50);
	xip_test_expect_fill(test, buf + 50, XIP_TEST_DATA, len);
}

/* An EOF page that is a hole gets a block, zeroed up to the write. */
static void xip_test_write_eof_page_hole(struct kunit *test)
{
	loff_t pos = 200;
	u8 *block, *buf;

	xip_test_set_size(test, 100);

	KUNIT_EXPECT_EQ(test, xip_test_write(test,
					     xip_test_pattern_buf(test, 200, 10),
					     10, &pos), 10L);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), 210LL);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 1U);
	block = xip_test_block(test, 0);
	KUNIT_ASSERT_NOT_NULL(test, block);
	buf = xip_test_read_all(test, 0, 210);
	xip_test_expect_range(test, buf, 0, 210, 0, 200);
}

/*
 * An error part way through a write beyond EOF: i_size covers exactly what
 * was written, and the old EOF page is zeroed beyond the old EOF.
 */
static void xip_test_write_beyond_eof_error(struct kunit *test)
{
	loff_t start = PAGE_SIZE;
	loff_t pos = start;
	u8 *buf;

	xip_test_new_block(test, 0);
	xip_test_set_size(test, 100);
	xip_test_inject_error(test, BIT(2), -EIO);

	KUNIT_EXPECT_EQ(test, xip_test_write(test,
					     xip_test_pattern_buf(test, start,
								  2 * PAGE_SIZE),
					     2 * PAGE_SIZE, &pos),
			(ssize_t)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, pos, (loff_t)(2 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, xip_test_size(test), (loff_t)(2 * PAGE_SIZE));
	xip_test_inject_error(test, 0, 0);
	buf = xip_test_read_all(test, 0, 2 * PAGE_SIZE);
	xip_test_expect_range(test, buf, 0, 2 * PAGE_SIZE, 100, PAGE_SIZE);
}

/*
 * A write over holes and a block inside the file: the holes it covers get
 * blocks (filled in one batch), the block keeps its place, and holes the
 * write does not reach stay holes.
 */
static void xip_test_write_fill_batch(struct kunit *test)
{
	size_t len = 3 * PAGE_SIZE;
	loff_t pos = 0;
	u8 *block1, *data, *buf;

	block1 = xip_test_new_block(test, 1);
	xip_test_set_size(test, 4 * PAGE_SIZE);
	data = xip_test_buf(test, len);
	memset(data, XIP_TEST_DATA, len);

	KUNIT_EXPECT_EQ(test, xip_test_write(test, data, len, &pos),
			(ssize_t)len);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), (loff_t)(4 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 2U);
	KUNIT_EXPECT_PTR_EQ(test, xip_test_block(test, 1), block1);
	KUNIT_EXPECT_NULL(test, xip_test_block(test, 3));
	buf = xip_test_read_all(test, 0, 4 * PAGE_SIZE);
	xip_test_expect_fill(test, buf, XIP_TEST_DATA, len);
	xip_test_expect_fill(test, buf + len, 0, PAGE_SIZE);
}

/* An error while zeroing the old EOF page fails the write. */
static void xip_test_write_extend_error(struct kunit *test)
{
	loff_t pos = PAGE_SIZE + 20;
	u8 data[10] = { 1 };

	xip_test_new_block(test, 0);
	xip_test_set_size(test, 100);
	xip_test_inject_error(test, BIT(0), -EIO);

	KUNIT_EXPECT_EQ(test, xip_test_write(test, data, 10, &pos),
			(ssize_t)-EIO);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), 100LL);
}

/* xip_truncate_page() as a setattr would call it. */
static int xip_test_truncate(struct kunit *test, loff_t newsize)
{
	struct address_space *mapping = xip_test_mapping(test);
	int ret;

	filemap_invalidate_lock(mapping);
	ret = xip_truncate_page(mapping, xip_test_size(test), newsize);
	if (!ret)
		xip_test_set_size(test, newsize);
	filemap_invalidate_unlock(mapping);
	return ret;
}

static void xip_test_truncate_grow(struct kunit *test)
{
	u8 *buf;

	xip_test_new_block(test, 0);
	xip_test_set_size(test, 100);

	KUNIT_EXPECT_EQ(test, xip_test_truncate(test, PAGE_SIZE + 50), 0);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), (loff_t)(PAGE_SIZE + 50));
	/* Page 0 is zeroed from the old EOF on, page 1 stays a hole. */
	buf = xip_test_read_all(test, 0, PAGE_SIZE + 50);
	xip_test_expect_range(test, buf, 0, PAGE_SIZE + 50, 100,
			      PAGE_SIZE + 50);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);
	KUNIT_EXPECT_NULL(test, xip_test_block(test, 1));
}

static void xip_test_truncate_shrink(struct kunit *test)
{
	u8 *block;

	block = xip_test_new_block(test, 0);
	xip_test_set_size(test, 3000);

	KUNIT_EXPECT_EQ(test, xip_test_truncate(test, 100), 0);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), 100LL);
	/* The tail of the new EOF page is zero in the block itself. */
	xip_test_expect_range(test, block, 0, PAGE_SIZE, 100, PAGE_SIZE);
}

/* Table-driven xip_zero_eof() and xip_truncate_page() */

enum xip_test_zero_op {
	XIP_TEST_ZERO_EOF,
	XIP_TEST_TRUNCATE,
};

struct xip_test_zero_case {
	const char *desc;
	enum xip_test_zero_op op;
	loff_t a;		/* @from, or @oldsize */
	loff_t b;		/* @to, or @newsize */
	int hole;		/* page 0..2 without a block, or -1 */
	loff_t zero_start;	/* [zero_start, zero_end) must become zero */
	loff_t zero_end;
};

static const struct xip_test_zero_case xip_test_zero_cases[] = {
	{
		.desc = "zero_eof page aligned from is a no-op",
		.op = XIP_TEST_ZERO_EOF,
		.a = PAGE_SIZE, .b = PAGE_SIZE + 100, .hole = -1,
	},
	{
		.desc = "zero_eof from 0 is a no-op",
		.op = XIP_TEST_ZERO_EOF,
		.a = 0, .b = 100, .hole = -1,
	},
	{
		.desc = "zero_eof mid-page",
		.op = XIP_TEST_ZERO_EOF,
		.a = 100, .b = 300, .hole = -1,
		.zero_start = 100, .zero_end = 300,
	},
	{
		.desc = "zero_eof stops at the end of the page",
		.op = XIP_TEST_ZERO_EOF,
		.a = PAGE_SIZE + 5, .b = 3 * PAGE_SIZE, .hole = -1,
		.zero_start = PAGE_SIZE + 5, .zero_end = 2 * PAGE_SIZE,
	},
	{
		.desc = "zero_eof to LLONG_MAX",
		.op = XIP_TEST_ZERO_EOF,
		.a = 2 * PAGE_SIZE + 1, .b = LLONG_MAX, .hole = -1,
		.zero_start = 2 * PAGE_SIZE + 1, .zero_end = 3 * PAGE_SIZE,
	},
	{
		.desc = "zero_eof last byte of a page",
		.op = XIP_TEST_ZERO_EOF,
		.a = PAGE_SIZE - 1, .b = PAGE_SIZE + 10, .hole = -1,
		.zero_start = PAGE_SIZE - 1, .zero_end = PAGE_SIZE,
	},
	{
		.desc = "zero_eof to before from is a no-op",
		.op = XIP_TEST_ZERO_EOF,
		.a = 300, .b = 100, .hole = -1,
	},
	{
		.desc = "zero_eof empty range is a no-op",
		.op = XIP_TEST_ZERO_EOF,
		.a = 300, .b = 300, .hole = -1,
	},
	{
		.desc = "zero_eof hole page is a no-op",
		.op = XIP_TEST_ZERO_EOF,
		.a = PAGE_SIZE + 100, .b = PAGE_SIZE + 200, .hole = 1,
	},
	{
		.desc = "truncate grow mid-page",
		.op = XIP_TEST_TRUNCATE,
		.a = 100, .b = 200, .hole = -1,
		.zero_start = 100, .zero_end = 200,
	},
	{
		.desc = "truncate grow into later pages",
		.op = XIP_TEST_TRUNCATE,
		.a = 100, .b = 3 * PAGE_SIZE, .hole = -1,
		.zero_start = 100, .zero_end = PAGE_SIZE,
	},
	{
		.desc = "truncate grow from page aligned size",
		.op = XIP_TEST_TRUNCATE,
		.a = PAGE_SIZE, .b = PAGE_SIZE + 50, .hole = -1,
	},
	{
		.desc = "truncate same size",
		.op = XIP_TEST_TRUNCATE,
		.a = 100, .b = 100, .hole = -1,
	},
	{
		.desc = "truncate shrink mid-page",
		.op = XIP_TEST_TRUNCATE,
		.a = 2 * PAGE_SIZE + 10, .b = PAGE_SIZE + 100, .hole = -1,
		.zero_start = PAGE_SIZE + 100, .zero_end = 2 * PAGE_SIZE,
	},
	{
		.desc = "truncate shrink to page aligned size",
		.op = XIP_TEST_TRUNCATE,
		.a = 2 * PAGE_SIZE + 10, .b = PAGE_SIZE, .hole = -1,
	},
	{
		.desc = "truncate shrink onto a hole",
		.op = XIP_TEST_TRUNCATE,
		.a = PAGE_SIZE + 10, .b = 100, .hole = 0,
	},
};

KUNIT_ARRAY_PARAM_DESC(xip_test_zero, xip_test_zero_cases, desc);

static void xip_test_zero_range(struct kunit *test)
{
	const struct xip_test_zero_case *p = test->param_value;
	struct address_space *mapping = xip_test_mapping(test);
	pgoff_t index;
	u8 *block;
	int ret;

	for (index = 0; index < 3; index++)
		if ((int)index != p->hole)
			xip_test_new_block(test, index);
	xip_test_set_size(test, 3 * PAGE_SIZE);

	filemap_invalidate_lock(mapping);
	if (p->op == XIP_TEST_ZERO_EOF)
		ret = xip_zero_eof(mapping, p->a, p->b);
	else
		ret = xip_truncate_page(mapping, p->a, p->b);
	filemap_invalidate_unlock(mapping);

	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);
	for (index = 0; index < 3; index++) {
		block = xip_test_block(test, index);
		if ((int)index == p->hole) {
			KUNIT_EXPECT_NULL(test, block);
			continue;
		}
		KUNIT_ASSERT_NOT_NULL(test, block);
		xip_test_expect_range(test, block, index * PAGE_SIZE,
				      PAGE_SIZE, p->zero_start, p->zero_end);
	}
}

/* An error of ->get_xip_page on the EOF page is passed on. */
static void xip_test_zero_eof_error(struct kunit *test)
{
	struct address_space *mapping = xip_test_mapping(test);
	int ret;

	xip_test_new_block(test, 0);
	xip_test_inject_error(test, BIT(0), -EIO);

	filemap_invalidate_lock(mapping);
	ret = xip_zero_eof(mapping, 100, 200);
	filemap_invalidate_unlock(mapping);
	KUNIT_EXPECT_EQ(test, ret, -EIO);
}

/* mmap(2) and page faults */

static void xip_test_mmap_shared_read(struct kunit *test)
{
	size_t len = 2 * PAGE_SIZE;
	u8 *buf = xip_test_buf(test, len);
	u8 __user *uaddr;

	xip_test_new_block(test, 0);
	xip_test_new_block(test, 1);
	xip_test_set_size(test, len);

	uaddr = xip_test_mmap(test, len, PROT_READ | PROT_WRITE, MAP_SHARED);
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr, len), 0UL);
	xip_test_expect_pattern(test, buf, 0, len);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);
	xip_test_munmap(test, uaddr, len);
}

static void xip_test_mmap_shared_store(struct kunit *test)
{
	u8 *data = xip_test_buf(test, 50);
	u8 __user *uaddr;
	u8 *block;
	u8 *buf;

	memset(data, XIP_TEST_DATA, 50);
	block = xip_test_new_block(test, 0);
	xip_test_set_size(test, PAGE_SIZE);

	uaddr = xip_test_mmap(test, PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_SHARED);
	/* The first store faults, the second finds the PTE in place. */
	KUNIT_EXPECT_EQ(test, copy_to_user(uaddr + 100, data, 50), 0UL);
	KUNIT_EXPECT_EQ(test, copy_to_user(uaddr + 2000, data, 50), 0UL);
	xip_test_munmap(test, uaddr, PAGE_SIZE);

	/* The stores went straight to the block. */
	xip_test_expect_pattern(test, block, 0, 100);
	xip_test_expect_fill(test, block + 100, XIP_TEST_DATA, 50);
	xip_test_expect_pattern(test, block + 150, 150, 2000 - 150);
	xip_test_expect_fill(test, block + 2000, XIP_TEST_DATA, 50);
	buf = xip_test_read_all(test, 100, 50);
	xip_test_expect_fill(test, buf, XIP_TEST_DATA, 50);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);
}

static void xip_test_mmap_shared_store_after_read(struct kunit *test)
{
	u8 *buf = xip_test_buf(test, 16);
	u8 data[16];
	u8 __user *uaddr;
	u8 *block;

	memset(data, XIP_TEST_DATA, sizeof(data));
	block = xip_test_new_block(test, 0);
	xip_test_set_size(test, PAGE_SIZE);

	uaddr = xip_test_mmap(test, PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_SHARED);
	/* The read fault maps the block read-only; the store upgrades it. */
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr + 64, 16), 0UL);
	xip_test_expect_pattern(test, buf, 64, 16);
	KUNIT_EXPECT_EQ(test, copy_to_user(uaddr + 64, data, 16), 0UL);
	xip_test_munmap(test, uaddr, PAGE_SIZE);

	xip_test_expect_fill(test, block + 64, XIP_TEST_DATA, 16);
}

/*
 * A hole in a shared writable mapping reads as the zero page; the first
 * store to it (a write fault, or ->pfn_mkwrite on the zero page) allocates.
 */
static void xip_test_mmap_shared_hole_allocates(struct kunit *test)
{
	u8 *buf = xip_test_buf(test, PAGE_SIZE);
	u8 data[16];
	u8 __user *uaddr;
	u8 *block;

	memset(data, XIP_TEST_DATA, sizeof(data));
	xip_test_set_size(test, 2 * PAGE_SIZE);

	uaddr = xip_test_mmap(test, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_SHARED);

	/* A read fault maps the zero page and allocates nothing. */
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr, PAGE_SIZE), 0UL);
	xip_test_expect_fill(test, buf, 0, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);
	KUNIT_EXPECT_NULL(test, xip_test_block(test, 0));

	/* A store replaces the zero page by a new block, which it reaches. */
	KUNIT_EXPECT_EQ(test, copy_to_user(uaddr + 8, data, 16), 0UL);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 1U);
	block = xip_test_block(test, 0);
	KUNIT_ASSERT_NOT_NULL(test, block);
	xip_test_expect_fill(test, block, 0, 8);
	xip_test_expect_fill(test, block + 8, XIP_TEST_DATA, 16);
	/* and the mapping shows the block now, not the zero page */
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr, PAGE_SIZE), 0UL);
	xip_test_expect_fill(test, buf + 8, XIP_TEST_DATA, 16);

	/* A write fault on the second hole. */
	KUNIT_EXPECT_EQ(test, copy_to_user(uaddr + PAGE_SIZE + 8, data, 16),
			0UL);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 2U);
	block = xip_test_block(test, 1);
	KUNIT_ASSERT_NOT_NULL(test, block);
	xip_test_expect_fill(test, block, 0, 8);
	xip_test_expect_fill(test, block + 8, XIP_TEST_DATA, 16);
	xip_test_expect_fill(test, block + 24, 0, PAGE_SIZE - 24);
	xip_test_munmap(test, uaddr, 2 * PAGE_SIZE);
}

static void xip_test_mmap_private_store(struct kunit *test)
{
	u8 *buf = xip_test_buf(test, PAGE_SIZE);
	u8 data[50];
	u8 __user *uaddr;
	u8 *block;

	memset(data, XIP_TEST_DATA, sizeof(data));
	block = xip_test_new_block(test, 0);
	xip_test_set_size(test, PAGE_SIZE);

	uaddr = xip_test_mmap(test, PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE);
	/* Read first, so the store has to copy the mapped block. */
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr, 16), 0UL);
	xip_test_expect_pattern(test, buf, 0, 16);
	KUNIT_EXPECT_EQ(test, copy_to_user(uaddr + 100, data, 50), 0UL);

	/* The mapping sees its private copy, the block is untouched. */
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr, PAGE_SIZE), 0UL);
	xip_test_expect_pattern(test, buf, 0, 100);
	xip_test_expect_fill(test, buf + 100, XIP_TEST_DATA, 50);
	xip_test_expect_pattern(test, buf + 150, 150, PAGE_SIZE - 150);
	xip_test_expect_pattern(test, block, 0, PAGE_SIZE);
	xip_test_munmap(test, uaddr, PAGE_SIZE);
}

/* A store as the first access: the copy is made in the fault itself. */
static void xip_test_mmap_private_store_first(struct kunit *test)
{
	u8 *buf = xip_test_buf(test, 2 * PAGE_SIZE);
	u8 data[50];
	u8 __user *uaddr;
	u8 *block;

	memset(data, XIP_TEST_DATA, sizeof(data));
	block = xip_test_new_block(test, 0);
	xip_test_set_size(test, 2 * PAGE_SIZE);

	uaddr = xip_test_mmap(test, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE);
	KUNIT_EXPECT_EQ(test, copy_to_user(uaddr + 100, data, 50), 0UL);
	/* On the hole of page 1: no block for a private store. */
	KUNIT_EXPECT_EQ(test, copy_to_user(uaddr + PAGE_SIZE + 100, data, 50),
			0UL);
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr, 2 * PAGE_SIZE), 0UL);
	xip_test_munmap(test, uaddr, 2 * PAGE_SIZE);

	xip_test_expect_pattern(test, buf, 0, 100);
	xip_test_expect_fill(test, buf + 100, XIP_TEST_DATA, 50);
	xip_test_expect_pattern(test, buf + 150, 150, PAGE_SIZE - 150);
	xip_test_expect_fill(test, buf + PAGE_SIZE, 0, 100);
	xip_test_expect_fill(test, buf + PAGE_SIZE + 100, XIP_TEST_DATA, 50);
	xip_test_expect_fill(test, buf + PAGE_SIZE + 150, 0, PAGE_SIZE - 150);

	xip_test_expect_pattern(test, block, 0, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);
	KUNIT_EXPECT_NULL(test, xip_test_block(test, 1));
}

/* A read fault on a hole of a private mapping maps the zero page. */
static void xip_test_mmap_private_hole_read(struct kunit *test)
{
	u8 *buf = xip_test_buf(test, PAGE_SIZE);
	u8 __user *uaddr;

	xip_test_set_size(test, PAGE_SIZE);

	uaddr = xip_test_mmap(test, PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE);
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr, PAGE_SIZE), 0UL);
	xip_test_munmap(test, uaddr, PAGE_SIZE);

	xip_test_expect_fill(test, buf, 0, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);
	KUNIT_EXPECT_NULL(test, xip_test_block(test, 0));
}

/*
 * hole -> zero page mapped -> write(2) allocates the block: the zero page
 * must be shot down, or the mapping would keep reading zeroes.
 */
static void xip_test_mmap_hole_then_write(struct kunit *test)
{
	u8 *buf = xip_test_buf(test, 100);
	u8 __user *uaddr;
	loff_t pos = 500;

	xip_test_set_size(test, PAGE_SIZE);

	uaddr = xip_test_mmap(test, PAGE_SIZE, PROT_READ, MAP_PRIVATE);
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr + 500, 100), 0UL);
	xip_test_expect_fill(test, buf, 0, 100);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);

	KUNIT_EXPECT_EQ(test, xip_test_write(test,
					     xip_test_pattern_buf(test, 500,
								  100),
					     100, &pos), 100L);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 1U);

	memset(buf, XIP_TEST_POISON, 100);
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr + 500, 100), 0UL);
	xip_test_expect_pattern(test, buf, 500, 100);
	xip_test_munmap(test, uaddr, PAGE_SIZE);
}

static void xip_test_mmap_beyond_eof(struct kunit *test)
{
	u8 *buf = xip_test_buf(test, PAGE_SIZE);
	u8 data[16];
	u8 __user *uaddr;

	memset(data, XIP_TEST_DATA, sizeof(data));
	xip_test_new_block(test, 0);
	xip_test_new_block(test, 1);
	xip_test_set_size(test, 100);

	uaddr = xip_test_mmap(test, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_SHARED);
	/* The whole EOF page is mapped, as with the page cache. */
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr, PAGE_SIZE), 0UL);
	xip_test_expect_pattern(test, buf, 0, PAGE_SIZE);
	/* The page after it is not, even though it has a block. */
	KUNIT_EXPECT_NE(test, copy_from_user(buf, uaddr + PAGE_SIZE, 16), 0UL);
	KUNIT_EXPECT_NE(test, copy_to_user(uaddr + PAGE_SIZE, data, 16), 0UL);
	xip_test_munmap(test, uaddr, 2 * PAGE_SIZE);

	xip_test_expect_pattern(test, xip_test_block(test, 1), PAGE_SIZE,
				PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);
}

/* No block is allocated for a fault beyond EOF, shared or private. */
static void xip_test_mmap_beyond_eof_hole(struct kunit *test)
{
	u8 data[16];
	u8 __user *shared;
	u8 __user *private;

	memset(data, XIP_TEST_DATA, sizeof(data));
	xip_test_set_size(test, PAGE_SIZE);

	shared = xip_test_mmap(test, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_SHARED);
	private = xip_test_mmap(test, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE);
	KUNIT_EXPECT_NE(test, copy_to_user(shared + PAGE_SIZE, data, 16), 0UL);
	KUNIT_EXPECT_NE(test, copy_to_user(private + PAGE_SIZE, data, 16),
			0UL);
	KUNIT_EXPECT_NE(test, copy_from_user(data, private + PAGE_SIZE, 16),
			0UL);
	xip_test_munmap(test, shared, 2 * PAGE_SIZE);
	xip_test_munmap(test, private, 2 * PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);
}

static void xip_test_mmap_fault_error(struct kunit *test)
{
	u8 *buf = xip_test_buf(test, 16);
	u8 __user *uaddr;

	xip_test_new_block(test, 0);
	xip_test_set_size(test, PAGE_SIZE);
	xip_test_inject_error(test, BIT(0), -EIO);

	uaddr = xip_test_mmap(test, PAGE_SIZE, PROT_READ, MAP_SHARED);
	KUNIT_EXPECT_NE(test, copy_from_user(buf, uaddr, 16), 0UL);

	/* Nothing was mapped: once the error is gone, the fault succeeds. */
	xip_test_inject_error(test, 0, 0);
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr, 16), 0UL);
	xip_test_expect_pattern(test, buf, 0, 16);
	xip_test_munmap(test, uaddr, PAGE_SIZE);
}

/*
 * A store through a shared mapping beyond EOF lands in the block.  A write
 * further out must zero it before the file grows over it, and the mapping
 * must then see the zeroes too.
 */
static void xip_test_mmap_store_beyond_eof_then_write(struct kunit *test)
{
	u8 *garbage = xip_test_buf(test, 100);
	u8 *buf = xip_test_buf(test, 100);
	u8 __user *uaddr;
	loff_t pos = 1000;
	u8 *block;

	block = xip_test_new_block(test, 0);
	xip_test_set_size(test, 100);

	uaddr = xip_test_mmap(test, PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_SHARED);
	KUNIT_EXPECT_EQ(test, copy_to_user(uaddr + 300, garbage, 100), 0UL);
	xip_test_expect_fill(test, block + 300, XIP_TEST_POISON, 100);

	KUNIT_EXPECT_EQ(test, xip_test_write(test,
					     xip_test_pattern_buf(test, 1000,
								  10),
					     10, &pos), 10L);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), 1010LL);

	xip_test_expect_range(test, xip_test_read_all(test, 0, 1010), 0, 1010,
			      100, 1000);
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr + 300, 100), 0UL);
	xip_test_expect_fill(test, buf, 0, 100);
	xip_test_munmap(test, uaddr, PAGE_SIZE);
}

/* The same, growing the file with xip_truncate_page(). */
static void xip_test_mmap_store_beyond_eof_then_grow(struct kunit *test)
{
	u8 *garbage = xip_test_buf(test, 100);
	u8 *buf = xip_test_buf(test, 100);
	u8 __user *uaddr;

	xip_test_new_block(test, 0);
	xip_test_set_size(test, 100);

	uaddr = xip_test_mmap(test, PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_SHARED);
	KUNIT_EXPECT_EQ(test, copy_to_user(uaddr + 300, garbage, 100), 0UL);

	KUNIT_EXPECT_EQ(test, xip_test_truncate(test, 2000), 0);
	xip_test_expect_range(test, xip_test_read_all(test, 0, 2000), 0, 2000,
			      100, 2000);
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr + 300, 100), 0UL);
	xip_test_expect_fill(test, buf, 0, 100);
	xip_test_munmap(test, uaddr, PAGE_SIZE);
}

/* xip_file_mmap() refuses an address space without ->get_xip_page. */
static void xip_test_mmap_not_xip(struct kunit *test)
{
	struct address_space *mapping = xip_test_mapping(test);
	unsigned long addr;

	xip_test_set_size(test, PAGE_SIZE);
	mapping->a_ops = &xip_test_plain_aops;
	addr = xip_test_try_mmap(test, PAGE_SIZE, PROT_READ, MAP_SHARED);
	mapping->a_ops = &xip_test_aops;

	KUNIT_EXPECT_EQ(test, (long)addr, (long)-ENODEV);
	if (!IS_ERR_VALUE(addr))
		xip_test_munmap(test, (u8 __user *)addr, PAGE_SIZE);
}

/*
 * access_remote_vm(), as used by ptrace and /proc/PID/mem.  Where
 * get_user_pages() cannot handle the XIP PTEs, this goes through the
 * mapping's ->access.  access_remote_vm() is not exported to modules.
 */
static void xip_test_mmap_remote_access(struct kunit *test)
{
#if IS_BUILTIN(CONFIG_FS_XIP_KUNIT_TEST)
	u8 *buf = xip_test_buf(test, 200);
	unsigned long addr;
	u8 __user *uaddr;

	/*
	 * get_user_pages() fails on special PTEs, and mm/memory.c only
	 * calls ->access under CONFIG_HAVE_IOREMAP_PROT (s390: with PCI).
	 */
	if (IS_ENABLED(CONFIG_ARCH_HAS_PTE_SPECIAL) &&
	    !IS_ENABLED(CONFIG_HAVE_IOREMAP_PROT))
		kunit_skip(test, "->access is not called without HAVE_IOREMAP_PROT");

	xip_test_new_block(test, 0);
	xip_test_set_size(test, PAGE_SIZE + 300);

	uaddr = xip_test_mmap(test, 3 * PAGE_SIZE, PROT_READ, MAP_PRIVATE);
	addr = (unsigned long)uaddr;

	KUNIT_EXPECT_EQ(test, access_remote_vm(current->mm, addr + 10, buf,
					       100, 0), 100);
	xip_test_expect_pattern(test, buf, 10, 100);
	/* Page 1 is a hole. */
	KUNIT_EXPECT_EQ(test, access_remote_vm(current->mm,
					       addr + PAGE_SIZE + 10,
					       buf, 200, 0), 200);
	xip_test_expect_fill(test, buf, 0, 200);
	/* Page 2 is beyond EOF. */
	KUNIT_EXPECT_EQ(test, access_remote_vm(current->mm,
					       addr + 2 * PAGE_SIZE,
					       buf, 16, 0), 0);
	xip_test_munmap(test, uaddr, 3 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);
#else
	kunit_skip(test, "access_remote_vm() is not available to modules");
#endif
}

/* The page cache stays empty through every kind of access. */
static void xip_test_page_cache_empty(struct kunit *test)
{
	struct address_space *mapping = xip_test_mapping(test);
	u8 *buf = xip_test_buf(test, 2 * PAGE_SIZE);
	u8 __user *shared;
	u8 __user *private;
	loff_t pos = 0;

	xip_test_new_block(test, 0);
	xip_test_set_size(test, PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, xip_test_read(test, buf, PAGE_SIZE, &pos),
			(ssize_t)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, xip_test_write(test, buf, 2 * PAGE_SIZE, &pos),
			(ssize_t)(2 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, xip_test_size(test), (loff_t)(3 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, xip_test_truncate(test, 5000), 0);
	xip_test_set_size(test, 4 * PAGE_SIZE);

	shared = xip_test_mmap(test, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_SHARED);
	private = xip_test_mmap(test, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE);
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, shared, PAGE_SIZE), 0UL);
	KUNIT_EXPECT_EQ(test, copy_to_user(shared + PAGE_SIZE, buf, 10), 0UL);
	KUNIT_EXPECT_EQ(test, copy_to_user(shared + 3 * PAGE_SIZE, buf, 10),
			0UL);
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, private, 2 * PAGE_SIZE),
			0UL);
	KUNIT_EXPECT_EQ(test, copy_to_user(private + 2 * PAGE_SIZE, buf, 10),
			0UL);
	KUNIT_EXPECT_EQ(test, mapping->nrpages, 0UL);
	xip_test_munmap(test, shared, 4 * PAGE_SIZE);
	xip_test_munmap(test, private, 4 * PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, mapping->nrpages, 0UL);
	KUNIT_EXPECT_TRUE(test, mapping_empty(mapping));
}

/* ---- runs and fault-around ---------------------------------------------- */

/* Give file pages [0, XIP_TEST_NR_PAGES) blocks, except those in @holes. */
static void xip_test_fill_all(struct kunit *test, unsigned long holes)
{
	pgoff_t index;

	for (index = 0; index < XIP_TEST_NR_PAGES; index++)
		if (!(holes & BIT(index)))
			xip_test_new_block(test, index);
}

/* One read of a run of present pages is one lookup; holes stop a run. */
static void xip_test_read_runs(struct kunit *test)
{
	size_t len = XIP_TEST_NR_PAGES * PAGE_SIZE;
	u8 *buf = xip_test_buf(test, len);
	unsigned int calls;
	loff_t pos = 0;

	xip_test_fill_all(test, BIT(3));
	xip_test_set_size(test, len);
	calls = xip_test_nr_calls(test);
	KUNIT_EXPECT_EQ(test, xip_test_read(test, buf, len, &pos), (ssize_t)len);
	/* pages 0-2, the hole 3, pages 4-7 */
	KUNIT_EXPECT_EQ(test, xip_test_nr_calls(test) - calls, 3U);
	xip_test_expect_pattern(test, buf, 0, 3 * PAGE_SIZE);
	xip_test_expect_fill(test, buf + 3 * PAGE_SIZE, 0, PAGE_SIZE);
	xip_test_expect_pattern(test, buf + 4 * PAGE_SIZE, 4 * PAGE_SIZE,
				4 * PAGE_SIZE);
}

/* EOF inside a run: the read ends there, after one lookup. */
static void xip_test_read_run_eof(struct kunit *test)
{
	size_t size = 5 * PAGE_SIZE + 100;
	size_t len = XIP_TEST_NR_PAGES * PAGE_SIZE;
	u8 *buf = xip_test_buf(test, len);
	unsigned int calls;
	loff_t pos = 0;

	xip_test_fill_all(test, 0);
	xip_test_set_size(test, size);
	calls = xip_test_nr_calls(test);
	KUNIT_EXPECT_EQ(test, xip_test_read(test, buf, len, &pos),
			(ssize_t)size);
	KUNIT_EXPECT_EQ(test, xip_test_nr_calls(test) - calls, 1U);
	xip_test_expect_pattern(test, buf, 0, size);
}

/* A write over a run of holes allocates it with one call, after one lookup. */
static void xip_test_write_runs(struct kunit *test)
{
	size_t len = XIP_TEST_NR_PAGES * PAGE_SIZE;
	u8 *buf = xip_test_buf(test, len);
	unsigned int calls;
	loff_t pos = 0;
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = xip_test_byte(i);
	calls = xip_test_nr_calls(test);
	KUNIT_EXPECT_EQ(test, xip_test_write(test, buf, len, &pos),
			(ssize_t)len);
	KUNIT_EXPECT_EQ(test, xip_test_nr_calls(test) - calls, 2U);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), XIP_TEST_NR_PAGES);
	KUNIT_EXPECT_EQ(test, xip_test_size(test), (loff_t)len);
	for (i = 0; i < XIP_TEST_NR_PAGES; i++)
		xip_test_expect_pattern(test, xip_test_block(test, i),
					i * PAGE_SIZE, PAGE_SIZE);
}

/*
 * A filesystem that reports holes one page at a time (ext2) still gets the
 * whole run of holes allocated by one call.
 */
static void xip_test_write_runs_single_holes(struct kunit *test)
{
	struct xip_test_ctx *ctx = xip_test_ctx(test);
	size_t len = XIP_TEST_NR_PAGES * PAGE_SIZE;
	u8 *buf = xip_test_buf(test, len);
	unsigned int calls;
	loff_t pos = 0;

	memset(buf, XIP_TEST_DATA, len);
	mutex_lock(&ctx->lock);
	ctx->hole_runs_of_one = true;
	mutex_unlock(&ctx->lock);
	calls = xip_test_nr_calls(test);
	KUNIT_EXPECT_EQ(test, xip_test_write(test, buf, len, &pos),
			(ssize_t)len);
	KUNIT_EXPECT_EQ(test, xip_test_nr_calls(test) - calls, 2U);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), XIP_TEST_NR_PAGES);
	xip_test_expect_fill(test, xip_test_block(test, 7), XIP_TEST_DATA,
			     PAGE_SIZE);
}

/* A read fault maps the rest of the run: the other pages do not fault. */
static void xip_test_fault_around(struct kunit *test)
{
	size_t len = XIP_TEST_NR_PAGES * PAGE_SIZE;
	u8 *buf = xip_test_buf(test, len);
	unsigned int calls;
	u8 __user *uaddr;

	xip_test_fill_all(test, 0);
	xip_test_set_size(test, len);
	uaddr = xip_test_mmap(test, len, PROT_READ, MAP_SHARED);
	calls = xip_test_nr_calls(test);
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr, 1), 0UL);
	KUNIT_EXPECT_EQ(test, xip_test_nr_calls(test) - calls, 1U);
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr, len), 0UL);
	KUNIT_EXPECT_EQ(test, xip_test_nr_calls(test) - calls, 1U);
	xip_test_expect_pattern(test, buf, 0, len);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);
	xip_test_munmap(test, uaddr, len);
}

/*
 * Fault-around stops at a hole (which a private mapping reads as zeroes
 * when it faults itself) and maps again after it.
 */
static void xip_test_fault_around_hole(struct kunit *test)
{
	size_t len = XIP_TEST_NR_PAGES * PAGE_SIZE;
	u8 *buf = xip_test_buf(test, len);
	unsigned int calls;
	u8 __user *uaddr;

	xip_test_fill_all(test, BIT(3));
	xip_test_set_size(test, len);
	uaddr = xip_test_mmap(test, len, PROT_READ, MAP_PRIVATE);
	calls = xip_test_nr_calls(test);
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr, 3 * PAGE_SIZE), 0UL);
	KUNIT_EXPECT_EQ(test, xip_test_nr_calls(test) - calls, 1U);
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr, len), 0UL);
	/* the hole, then pages 4-7 in one fault */
	KUNIT_EXPECT_EQ(test, xip_test_nr_calls(test) - calls, 3U);
	xip_test_expect_pattern(test, buf, 0, 3 * PAGE_SIZE);
	xip_test_expect_fill(test, buf + 3 * PAGE_SIZE, 0, PAGE_SIZE);
	xip_test_expect_pattern(test, buf + 4 * PAGE_SIZE, 4 * PAGE_SIZE,
				4 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, xip_test_nr_allocs(test), 0U);
	xip_test_munmap(test, uaddr, len);
}

/* Fault-around maps the EOF page, never a page beyond it. */
static void xip_test_fault_around_eof(struct kunit *test)
{
	size_t len = XIP_TEST_NR_PAGES * PAGE_SIZE;
	u8 *buf = xip_test_buf(test, len);
	unsigned int calls;
	u8 __user *uaddr;

	xip_test_fill_all(test, 0);
	xip_test_set_size(test, 5 * PAGE_SIZE + 100);
	uaddr = xip_test_mmap(test, len, PROT_READ, MAP_SHARED);
	calls = xip_test_nr_calls(test);
	KUNIT_EXPECT_EQ(test, copy_from_user(buf, uaddr, 6 * PAGE_SIZE), 0UL);
	KUNIT_EXPECT_EQ(test, xip_test_nr_calls(test) - calls, 1U);
	xip_test_expect_pattern(test, buf, 0, 6 * PAGE_SIZE);
	KUNIT_EXPECT_NE(test, copy_from_user(buf, uaddr + 6 * PAGE_SIZE, 1),
			0UL);
	KUNIT_EXPECT_EQ(test, xip_test_nr_calls(test) - calls, 1U);
	xip_test_munmap(test, uaddr, len);
}

static struct kunit_case xip_test_cases[] = {
	KUNIT_CASE(xip_test_read_runs),
	KUNIT_CASE(xip_test_read_run_eof),
	KUNIT_CASE(xip_test_write_runs),
	KUNIT_CASE(xip_test_write_runs_single_holes),
	KUNIT_CASE(xip_test_fault_around),
	KUNIT_CASE(xip_test_fault_around_hole),
	KUNIT_CASE(xip_test_fault_around_eof),
	KUNIT_CASE(xip_test_read_full_page),
	KUNIT_CASE(xip_test_read_partial_page),
	KUNIT_CASE(xip_test_read_across_pages),
	KUNIT_CASE(xip_test_read_at_eof),
	KUNIT_CASE(xip_test_read_stops_at_isize),
	KUNIT_CASE(xip_test_read_hole),
	KUNIT_CASE(xip_test_read_bvec),
	KUNIT_CASE(xip_test_read_error),
	KUNIT_CASE(xip_test_write_hole_allocates),
	KUNIT_CASE(xip_test_write_grows_file),
	KUNIT_CASE(xip_test_write_inside_keeps_size),
	KUNIT_CASE(xip_test_write_size_exact),
	KUNIT_CASE(xip_test_write_across_pages),
	KUNIT_CASE(xip_test_write_error),
	KUNIT_CASE(xip_test_write_enospc),
	KUNIT_CASE(xip_test_write_nowait),
	KUNIT_CASE(xip_test_write_extend_zeroes_gap),
	KUNIT_CASE(xip_test_write_extend_zeroes_next_page),
	KUNIT_CASE(xip_test_write_extend_over_hole),
	KUNIT_CASE(xip_test_write_extend_error),
	KUNIT_CASE(xip_test_write_straddles_eof),
	KUNIT_CASE(xip_test_write_eof_page_hole),
	KUNIT_CASE(xip_test_write_beyond_eof_error),
	KUNIT_CASE(xip_test_write_fill_batch),
	KUNIT_CASE(xip_test_truncate_grow),
	KUNIT_CASE(xip_test_truncate_shrink),
	KUNIT_CASE_PARAM(xip_test_zero_range, xip_test_zero_gen_params),
	KUNIT_CASE(xip_test_zero_eof_error),
	KUNIT_CASE(xip_test_mmap_shared_read),
	KUNIT_CASE(xip_test_mmap_shared_store),
	KUNIT_CASE(xip_test_mmap_shared_store_after_read),
	KUNIT_CASE(xip_test_mmap_shared_hole_allocates),
	KUNIT_CASE(xip_test_mmap_private_store),
	KUNIT_CASE(xip_test_mmap_private_store_first),
	KUNIT_CASE(xip_test_mmap_private_hole_read),
	KUNIT_CASE(xip_test_mmap_hole_then_write),
	KUNIT_CASE(xip_test_mmap_beyond_eof),
	KUNIT_CASE(xip_test_mmap_beyond_eof_hole),
	KUNIT_CASE(xip_test_mmap_fault_error),
	KUNIT_CASE(xip_test_mmap_store_beyond_eof_then_write),
	KUNIT_CASE(xip_test_mmap_store_beyond_eof_then_grow),
	KUNIT_CASE(xip_test_mmap_not_xip),
	KUNIT_CASE(xip_test_mmap_remote_access),
	KUNIT_CASE(xip_test_page_cache_empty),
	{}
};

static struct kunit_suite xip_test_suite = {
	.name		= "filemap_xip",
	.init		= xip_test_init,
	.exit		= xip_test_exit,
	.test_cases	= xip_test_cases,
};

kunit_test_suite(xip_test_suite);

MODULE_DESCRIPTION("KUnit tests for the execute-in-place file operations");
MODULE_LICENSE("GPL");
