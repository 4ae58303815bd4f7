// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the DCSS block driver
 *
 * This file is included at the end of dcssblk.c (CONFIG_DCSSBLK_KUNIT_TEST),
 * so the tests can reach the driver's static functions.
 *
 * Loading a real DCSS takes z/VM (DIAG 0x64), which QEMU does not emulate:
 * segment_load() fails with -ENOSYS there.  Tests that need a device
 * redirect dcssblk_load_segment() with a KUnit static stub to "segments" of
 * memory the test owns: kernel pages, or memory above "mem=" that the kernel
 * does not manage and that has no struct page, as a real DCSS.  The latter
 * needs a boot such as
 *
 *	kunit.py run --arch=s390 --kernel_args=mem=768M ...
 *
 * (kunit.py starts QEMU with 1 GiB); without it those cases are skipped.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/errname.h>
#include <linux/file.h>
#include <linux/ioport.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/memblock.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>
#include <linux/xip.h>
#include <asm/sclp.h>
#include <asm/setup.h>

/* Fake physical range for the pure arithmetic tests: never accessed. */
#define DT_START	(256UL << 20)
#define DT_PAGES	16

static struct dcssblk_dev_info *
dcssblk_test_dev_info(struct kunit *test, unsigned long start,
		      unsigned long pages)
{
	struct dcssblk_dev_info *dev_info;

	dev_info = kunit_kzalloc(test, sizeof(*dev_info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev_info);
	INIT_LIST_HEAD(&dev_info->seg_list);
	dev_info->start = start;
	dev_info->end = start + pages * PAGE_SIZE - 1;
	return dev_info;
}

/* A block device that is just enough for ->direct_access. */
static struct block_device *dcssblk_test_bdev(struct kunit *test,
					      struct dcssblk_dev_info *dev_info)
{
	struct block_device *bdev;
	struct gendisk *disk;

	bdev = kunit_kzalloc(test, sizeof(*bdev), GFP_KERNEL);
	disk = kunit_kzalloc(test, sizeof(*disk), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bdev);
	KUNIT_ASSERT_NOT_NULL(test, disk);
	disk->private_data = dev_info;
	bdev->bd_disk = disk;
	return bdev;
}

/* ---- direct_access: sector -> kaddr/pfn, length, range and alignment ---- */

struct dcssblk_da_case {
	const char *desc;
	sector_t sector;
	long size;
	long ret;		/* expected return value */
	unsigned long page;	/* expected page of kaddr and pfn if ret >= 0 */
};

static const struct dcssblk_da_case dcssblk_da_cases[] = {
	{ "first page", 0, PAGE_SIZE, PAGE_SIZE, 0 },
	{ "whole device", 0, DT_PAGES * PAGE_SIZE, DT_PAGES * PAGE_SIZE, 0 },
	{ "page 1 to the device end", PAGE_SECTORS, LONG_MAX,
	  (DT_PAGES - 1) * PAGE_SIZE, 1 },
	{ "clamped to the device end", 14 * PAGE_SECTORS, 4 * PAGE_SIZE,
	  2 * PAGE_SIZE, 14 },
	{ "clamped to a size that is no page multiple", 3 * PAGE_SECTORS, 5000,
	  5000, 3 },
	{ "last page", (DT_PAGES - 1) * PAGE_SECTORS, PAGE_SIZE, PAGE_SIZE,
	  DT_PAGES - 1 },
	{ "size 0", 2 * PAGE_SECTORS, 0, 0, 2 },
	{ "first page past the end", DT_PAGES * PAGE_SECTORS, PAGE_SIZE,
	  -ERANGE },
	{ "far past the end", round_down(ULLONG_MAX, PAGE_SECTORS), PAGE_SIZE,
	  -ERANGE },
	{ "misaligned by one sector", 1, PAGE_SIZE, -EINVAL },
	{ "misaligned in the last page", (DT_PAGES - 1) * PAGE_SECTORS + 4,
	  PAGE_SIZE, -EINVAL },
	{ "misaligned past the end", DT_PAGES * PAGE_SECTORS + 1, PAGE_SIZE,
	  -EINVAL },
	{ "negative size", 0, -1, -EINVAL },
};

static void dcssblk_da_desc(const struct dcssblk_da_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dcssblk_da, dcssblk_da_cases, dcssblk_da_desc);

static void dcssblk_test_direct_access(struct kunit *test)
{
	const struct dcssblk_da_case *c = test->param_value;
	struct dcssblk_dev_info *dev_info;
	struct block_device *bdev;
	void *kaddr = ERR_PTR(-EFAULT);
	unsigned long pfn = ULONG_MAX;
	long ret;

	dev_info = dcssblk_test_dev_info(test, DT_START, DT_PAGES);
	bdev = dcssblk_test_bdev(test, dev_info);

	ret = dcssblk_devops.direct_access(bdev, c->sector, &kaddr, &pfn,
					   c->size);
	KUNIT_EXPECT_EQ(test, ret, c->ret);
	if (ret < 0) {
		/* Nothing is returned for a refused sector. */
		KUNIT_EXPECT_PTR_EQ(test, kaddr, ERR_PTR(-EFAULT));
		KUNIT_EXPECT_EQ(test, pfn, ULONG_MAX);
		return;
	}
	KUNIT_EXPECT_PTR_EQ(test, kaddr,
			    __va(DT_START + c->page * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, pfn, PFN_DOWN(DT_START) + c->page);
}

static void dcssblk_test_direct_access_no_device(struct kunit *test)
{
	struct block_device *bdev = dcssblk_test_bdev(test, NULL);
	unsigned long pfn;
	void *kaddr;

	KUNIT_EXPECT_EQ(test, dcssblk_direct_access(bdev, 0, &kaddr, &pfn,
						    PAGE_SIZE), -ENODEV);
}

/* The DAX operation shares the range check and returns pages. */
static void dcssblk_test_dax_direct_access(struct kunit *test)
{
	struct dcssblk_dev_info *dev_info;
	struct block_device *bdev;
	unsigned long pfn;
	void *kaddr, *xkaddr;
	pgoff_t pgoff;
	pfn_t dpfn;

	dev_info = dcssblk_test_dev_info(test, DT_START, DT_PAGES);
	bdev = dcssblk_test_bdev(test, dev_info);

	for (pgoff = 0; pgoff < DT_PAGES; pgoff++) {
		KUNIT_EXPECT_EQ(test, __dcssblk_direct_access(dev_info, pgoff,
							      1, &kaddr, &dpfn),
				DT_PAGES - pgoff);
		KUNIT_EXPECT_EQ(test, pfn_t_to_pfn(dpfn),
				PFN_DOWN(DT_START) + pgoff);
		KUNIT_EXPECT_EQ(test, dpfn.val & PFN_FLAGS_MASK,
				PFN_DEV | PFN_SPECIAL);
		/* XIP sees the same memory. */
		KUNIT_EXPECT_EQ(test,
				dcssblk_direct_access(bdev,
						      pgoff * PAGE_SECTORS,
						      &xkaddr, &pfn,
						      PAGE_SIZE),
				PAGE_SIZE);
		KUNIT_EXPECT_PTR_EQ(test, xkaddr, kaddr);
		KUNIT_EXPECT_EQ(test, pfn, pfn_t_to_pfn(dpfn));
	}
	/* Out of range used to return a negative page count, not an error. */
	KUNIT_EXPECT_EQ(test, __dcssblk_direct_access(dev_info, DT_PAGES, 1,
						      &kaddr, &dpfn), -ERANGE);
	KUNIT_EXPECT_EQ(test, __dcssblk_direct_access(dev_info, ULONG_MAX, 1,
						      &kaddr, &dpfn), -ERANGE);
	/* kaddr and pfn are optional for DAX. */
	KUNIT_EXPECT_EQ(test, __dcssblk_direct_access(dev_info, 3, 1, NULL,
						      NULL), DT_PAGES - 3);
}

/* A device of several segments is one range from the lowest to the highest. */
static void dcssblk_test_direct_access_multi(struct kunit *test)
{
	struct dcssblk_dev_info *dev_info;
	struct segment_info *seg;
	struct block_device *bdev;
	unsigned long pfn;
	void *kaddr;
	int i;

	dev_info = dcssblk_test_dev_info(test, 0, 1);
	/* three segments of 4 pages, listed out of order */
	for (i = 0; i < 3; i++) {
		seg = kunit_kzalloc(test, sizeof(*seg), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, seg);
		seg->start = DT_START + ((i + 1) % 3) * 4 * PAGE_SIZE;
		seg->end = seg->start + 4 * PAGE_SIZE - 1;
		list_add_tail(&seg->lh, &dev_info->seg_list);
	}
	dev_info->num_of_segments = 3;
	KUNIT_ASSERT_EQ(test, dcssblk_is_continuous(dev_info), 0);
	dev_info->start = dcssblk_find_lowest_addr(dev_info);
	dev_info->end = dcssblk_find_highest_addr(dev_info);
	KUNIT_EXPECT_EQ(test, dev_info->start, DT_START);
	KUNIT_EXPECT_EQ(test, dev_info->end, DT_START + 12 * PAGE_SIZE - 1);

	bdev = dcssblk_test_bdev(test, dev_info);
	/* from the second segment across the third */
	KUNIT_EXPECT_EQ(test, dcssblk_direct_access(bdev, 6 * PAGE_SECTORS,
						    &kaddr, &pfn, SZ_1M),
			6 * PAGE_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, kaddr, __va(DT_START + 6 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, dcssblk_direct_access(bdev, 12 * PAGE_SECTORS,
						    &kaddr, &pfn, PAGE_SIZE),
			-ERANGE);
}

/* ---- segment names written to the add attribute ---- */

struct dcssblk_name_case {
	const char *desc;
	const char *buf;
	size_t count;		/* 0: strlen(buf) */
	int rc;			/* 0, or the error that ends the list */
	const char *names[4];	/* the names returned before that */
};

static const struct dcssblk_name_case dcssblk_name_cases[] = {
	{ "one name", "dcss1", 0, 0, { "DCSS1" } },
	{ "newline ends the list", "dcss1\ngarbage", 0, 0, { "DCSS1" } },
	{ "NUL ends the list", "a\0b", 3, 0, { "A" } },
	{ "count ends the list", "abcdef", 3, 0, { "ABC" } },
	{ "upper-cased, 8 characters", "MyDcss08", 0, 0, { "MYDCSS08" } },
	{ "three names", "a:bb:ccc\n", 0, 0, { "A", "BB", "CCC" } },
	{ "nine characters", "dcss12345", 0, -ENAMETOOLONG },
	{ "second name too long", "a:123456789", 0, -ENAMETOOLONG, { "A" } },
	{ "trailing colon", "a:", 0, -ENAMETOOLONG },
	{ "trailing colon before newline", "a:b:\n", 0, -ENAMETOOLONG,
	  { "A" } },
	{ "trailing colon at count", "a:b", 2, -ENAMETOOLONG },
	{ "empty name in the middle", "a::b", 0, -ENAMETOOLONG, { "A" } },
	{ "leading colon", ":a", 0, -ENAMETOOLONG },
	{ "empty input", "", 0, 0 },
	{ "only a newline", "\n", 0, 0 },
};

static void dcssblk_name_desc(const struct dcssblk_name_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dcssblk_name, dcssblk_name_cases, dcssblk_name_desc);

static void dcssblk_test_segment_names(struct kunit *test)
{
	const struct dcssblk_name_case *c = test->param_value;
	size_t count = c->count ? c->count : strlen(c->buf);
	char name[16];
	size_t pos = 0;
	int n = 0, rc;

	for (;;) {
		memset(name, 0xa5, sizeof(name));
		rc = dcssblk_next_segment_name(c->buf, count, &pos, name);
		/* never more than 8 characters and a NUL */
		KUNIT_EXPECT_EQ(test, name[9], (char)0xa5);
		if (rc <= 0)
			break;
		KUNIT_ASSERT_LT(test, n, (int)ARRAY_SIZE(c->names));
		KUNIT_ASSERT_NOT_NULL(test, c->names[n]);
		KUNIT_EXPECT_STREQ(test, name, c->names[n]);
		KUNIT_EXPECT_EQ(test, rc, strlen(c->names[n]));
		KUNIT_EXPECT_LE(test, pos, count);
		n++;
	}
	KUNIT_EXPECT_EQ(test, rc, c->rc);
	KUNIT_EXPECT_TRUE(test, n == ARRAY_SIZE(c->names) || !c->names[n]);
}

/* ---- contiguity of the segments of one device ---- */

struct dcssblk_test_seg {
	unsigned long first, last;	/* pages */
	int type;
};

struct dcssblk_cont_case {
	const char *desc;
	int rc;
	int nr;
	struct dcssblk_test_seg segs[4];
};

static const struct dcssblk_cont_case dcssblk_cont_cases[] = {
	{ "single segment", 0, 1, { { 0, 3, SEG_TYPE_SR } } },
	{ "two in order", 0, 2,
	  { { 0, 3, SEG_TYPE_SW }, { 4, 7, SEG_TYPE_SW } } },
	{ "two in reverse order", 0, 2,
	  { { 4, 7, SEG_TYPE_SR }, { 0, 3, SEG_TYPE_SR } } },
	{ "three shuffled", 0, 3,
	  { { 8, 8, SEG_TYPE_SC }, { 0, 3, SEG_TYPE_SC },
	    { 4, 7, SEG_TYPE_SC } } },
	{ "one page gap", -EINVAL, 2,
	  { { 0, 3, SEG_TYPE_SW }, { 5, 7, SEG_TYPE_SW } } },
	{ "overlap", -EINVAL, 2,
	  { { 0, 3, SEG_TYPE_SW }, { 3, 7, SEG_TYPE_SW } } },
	{ "gap after sorting", -EINVAL, 3,
	  { { 9, 12, SEG_TYPE_EW }, { 0, 3, SEG_TYPE_EW },
	    { 4, 7, SEG_TYPE_EW } } },
	{ "EW and EN", 0, 2,
	  { { 0, 3, SEG_TYPE_EW }, { 4, 7, SEG_TYPE_EN } } },
	{ "EN and EW/EN mixed", 0, 2,
	  { { 0, 3, SEG_TYPE_EN }, { 4, 7, SEG_TYPE_EWEN } } },
	{ "ER and ER", 0, 2,
	  { { 0, 3, SEG_TYPE_ER }, { 4, 7, SEG_TYPE_ER } } },
	{ "EW and ER", -EINVAL, 2,
	  { { 0, 3, SEG_TYPE_EW }, { 4, 7, SEG_TYPE_ER } } },
	{ "SW and EW", -EINVAL, 2,
	  { { 0, 3, SEG_TYPE_SW }, { 4, 7, SEG_TYPE_EW } } },
	{ "SR and SW", -EINVAL, 2,
	  { { 0, 3, SEG_TYPE_SR }, { 4, 7, SEG_TYPE_SW } } },
	{ "SN and SW", -EINVAL, 2,
	  { { 0, 3, SEG_TYPE_SN }, { 4, 7, SEG_TYPE_SW } } },
	{ "SC and SR", -EINVAL, 2,
	  { { 0, 3, SEG_TYPE_SC }, { 4, 7, SEG_TYPE_SR } } },
};

static void dcssblk_cont_desc(const struct dcssblk_cont_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dcssblk_cont, dcssblk_cont_cases, dcssblk_cont_desc);

static void dcssblk_test_is_continuous(struct kunit *test)
{
	const struct dcssblk_cont_case *c = test->param_value;
	unsigned long lowest = ULONG_MAX, highest = 0;
	struct dcssblk_dev_info *dev_info;
	struct segment_info *seg;
	int i;

	dev_info = dcssblk_test_dev_info(test, 0, 1);
	for (i = 0; i < c->nr; i++) {
		seg = kunit_kzalloc(test, sizeof(*seg), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, seg);
		snprintf(seg->segment_name, sizeof(seg->segment_name),
			 "SEG%d", i);
		seg->start = DT_START + c->segs[i].first * PAGE_SIZE;
		seg->end = DT_START + (c->segs[i].last + 1) * PAGE_SIZE - 1;
		seg->segment_type = c->segs[i].type;
		list_add_tail(&seg->lh, &dev_info->seg_list);
		lowest = min(lowest, seg->start);
		highest = max(highest, seg->end);
	}
	dev_info->num_of_segments = c->nr;

	KUNIT_EXPECT_EQ(test, dcssblk_is_continuous(dev_info), c->rc);
	KUNIT_EXPECT_EQ(test, dcssblk_find_lowest_addr(dev_info), lowest);
	KUNIT_EXPECT_EQ(test, dcssblk_find_highest_addr(dev_info), highest);
	/* the device's own list is left as it was */
	i = 0;
	list_for_each_entry(seg, &dev_info->seg_list, lh) {
		KUNIT_EXPECT_EQ(test, seg->start,
				DT_START + c->segs[i].first * PAGE_SIZE);
		i++;
	}
}

static struct kunit_case dcssblk_pure_cases[] = {
	KUNIT_CASE_PARAM(dcssblk_test_direct_access, dcssblk_da_gen_params),
	KUNIT_CASE(dcssblk_test_direct_access_no_device),
	KUNIT_CASE(dcssblk_test_dax_direct_access),
	KUNIT_CASE(dcssblk_test_direct_access_multi),
	KUNIT_CASE_PARAM(dcssblk_test_segment_names, dcssblk_name_gen_params),
	KUNIT_CASE_PARAM(dcssblk_test_is_continuous, dcssblk_cont_gen_params),
	{}
};

static struct kunit_suite dcssblk_pure_suite = {
	.name = "dcssblk",
	.test_cases = dcssblk_pure_cases,
};

/* ---- the add and remove attributes without z/VM ---- */

static int dcssblk_test_nr_devices(void)
{
	struct dcssblk_dev_info *dev_info;
	int n = 0;

	down_read(&dcssblk_devices_sem);
	list_for_each_entry(dev_info, &dcssblk_devices, lh)
		n++;
	up_read(&dcssblk_devices_sem);
	return n;
}

static ssize_t dcssblk_test_add(const char *buf)
{
	return dcssblk_add_store(dcssblk_root_dev, NULL, buf, strlen(buf));
}

static ssize_t dcssblk_test_remove(const char *buf)
{
	return dcssblk_remove_store(dcssblk_root_dev, NULL, buf, strlen(buf));
}

static int dcssblk_nozvm_init(struct kunit *test)
{
	if (MACHINE_IS_VM)
		kunit_skip(test, "running under z/VM: segments can be loaded");
	if (!dcssblk_root_dev)
		kunit_skip(test, "the driver did not initialise");
	return 0;
}

/* The error of segment_load() without z/VM, "function not implemented". */
static int dcssblk_test_nozvm_rc(void)
{
	unsigned long start = 1, end = 1;
	char name[] = "KUNIT1";

	return segment_load(name, SEGMENT_SHARED, &start, &end);
}

static void dcssblk_test_segment_load_nozvm(struct kunit *test)
{
	char name[] = "KUNIT1";
	int rc;

	rc = dcssblk_test_nozvm_rc();
	KUNIT_EXPECT_LT(test, rc, 0);
	if (IS_ENABLED(CONFIG_SYMBOLIC_ERRNAME))
		KUNIT_EXPECT_STREQ(test, errname(rc), "-ENOSYS");
	KUNIT_EXPECT_EQ(test, segment_type(name), rc);
}

#define DCSSBLK_NOZVM	1	/* expect the error of segment_load() */

struct dcssblk_add_case {
	const char *desc;
	const char *buf;
	int rc;
};

static const struct dcssblk_add_case dcssblk_add_cases[] = {
	{ "one segment", "kunit1\n", DCSSBLK_NOZVM },
	{ "two segments", "kunit1:kunit2", DCSSBLK_NOZVM },
	{ "empty", "", -ENAMETOOLONG },
	{ "newline only", "\n", -ENAMETOOLONG },
	{ "name too long", "kunit1234", -ENAMETOOLONG },
	{ "trailing colon", "kunit1:", -ENAMETOOLONG },
	{ "empty second name", "kunit1::kunit2", DCSSBLK_NOZVM },
};

static void dcssblk_add_desc(const struct dcssblk_add_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dcssblk_add, dcssblk_add_cases, dcssblk_add_desc);

/* Without z/VM an add fails without leaving a device or segment behind. */
static void dcssblk_test_add_nozvm(struct kunit *test)
{
	const struct dcssblk_add_case *c = test->param_value;
	int rc = c->rc == DCSSBLK_NOZVM ? dcssblk_test_nozvm_rc() : c->rc;
	int before = dcssblk_test_nr_devices();
	char name[] = "KUNIT1";

	KUNIT_EXPECT_EQ(test, dcssblk_test_add(c->buf), rc);
	KUNIT_EXPECT_EQ(test, dcssblk_test_nr_devices(), before);
	down_read(&dcssblk_devices_sem);
	KUNIT_EXPECT_NULL(test, dcssblk_get_segment_by_name(name));
	up_read(&dcssblk_devices_sem);
}

static void dcssblk_test_add_remove_args(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, dcssblk_add_store(NULL, NULL, "kunit1", 6),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, dcssblk_remove_store(NULL, NULL, "kunit1", 6),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, dcssblk_test_remove("kunit1\n"), -ENODEV);
	KUNIT_EXPECT_EQ(test, dcssblk_test_remove("\n"), -ENAMETOOLONG);
	KUNIT_EXPECT_EQ(test, dcssblk_test_remove("kunit1234"), -ENAMETOOLONG);
}

/* "segments=" at boot, where every load fails */
static void dcssblk_test_check_params_nozvm(struct kunit *test)
{
	char saved[DCSSBLK_PARM_LEN];
	int before = dcssblk_test_nr_devices();

	memcpy(saved, dcssblk_segments, sizeof(saved));
	strscpy(dcssblk_segments, "kunit1,kunit2:kunit3(local),kunit4",
		sizeof(dcssblk_segments));
	dcssblk_check_params();
	memcpy(dcssblk_segments, saved, sizeof(saved));
	KUNIT_EXPECT_EQ(test, dcssblk_test_nr_devices(), before);
}

static struct kunit_case dcssblk_nozvm_cases[] = {
	KUNIT_CASE(dcssblk_test_segment_load_nozvm),
	KUNIT_CASE_PARAM(dcssblk_test_add_nozvm, dcssblk_add_gen_params),
	KUNIT_CASE(dcssblk_test_add_remove_args),
	KUNIT_CASE(dcssblk_test_check_params_nozvm),
	{}
};

static struct kunit_suite dcssblk_nozvm_suite = {
	.name = "dcssblk_nozvm",
	.init = dcssblk_nozvm_init,
	.test_cases = dcssblk_nozvm_cases,
};

/* ---- devices over fake segments ---- */

#define DCSSBLK_FAKE_SEGS	8

struct dcssblk_fake_seg {
	char name[9];
	unsigned long start, end;
	int type;
};

struct dcssblk_fake {
	struct dcssblk_fake_seg segs[DCSSBLK_FAKE_SEGS];
	int nr_segs;
	char loads[128];	/* names asked for, separated by spaces */
};

static void dcssblk_fake_add_seg(struct kunit *test, const char *name,
				 unsigned long start, unsigned long size,
				 int type)
{
	struct dcssblk_fake *fake = test->priv;
	struct dcssblk_fake_seg *seg;

	KUNIT_ASSERT_LT(test, fake->nr_segs, DCSSBLK_FAKE_SEGS);
	seg = &fake->segs[fake->nr_segs++];
	strscpy(seg->name, name, sizeof(seg->name));
	seg->start = start;
	seg->end = start + size - 1;
	seg->type = type;
}

static struct dcssblk_fake_seg *dcssblk_fake_find(struct dcssblk_fake *fake,
						  const char *name)
{
	int i;

	for (i = 0; i < fake->nr_segs; i++)
		if (!strcmp(fake->segs[i].name, name))
			return &fake->segs[i];
	return NULL;
}

/* Replaces dcssblk_load_segment(): segment_load() of a fake segment. */
static int dcssblk_fake_load_segment(char *name, struct segment_info **seg_info)
{
	struct kunit *test = kunit_get_current_test();
	struct dcssblk_fake *fake = test->priv;
	struct dcssblk_fake_seg *seg;

	if (fake->loads[0])
		strlcat(fake->loads, " ", sizeof(fake->loads));
	strlcat(fake->loads, name, sizeof(fake->loads));

	down_read(&dcssblk_devices_sem);
	*seg_info = dcssblk_get_segment_by_name(name);
	up_read(&dcssblk_devices_sem);
	if (*seg_info)
		return -EEXIST;
	seg = dcssblk_fake_find(fake, name);
	if (!seg) {
		segment_warning(-ENOENT, name);
		return -ENOENT;
	}
	*seg_info = kzalloc(sizeof(**seg_info), GFP_KERNEL);
	if (!*seg_info)
		return -ENOMEM;
	strscpy((*seg_info)->segment_name, name,
		sizeof((*seg_info)->segment_name));
	(*seg_info)->start = seg->start;
	(*seg_info)->end = seg->end;
	(*seg_info)->segment_type = seg->type;
	INIT_LIST_HEAD(&(*seg_info)->lh);
	return seg->type;
}

static struct dcssblk_dev_info *dcssblk_test_find_device(const char *name)
{
	struct dcssblk_dev_info *dev_info;
	char buf[DCSS_BUS_ID_SIZE];

	strscpy(buf, name, sizeof(buf));
	down_read(&dcssblk_devices_sem);
	dev_info = dcssblk_get_device_by_name(buf);
	up_read(&dcssblk_devices_sem);
	return dev_info;
}

/* Remove every device that a failed test left over one of its segments. */
static void dcssblk_fake_cleanup(void *data)
{
	struct dcssblk_fake *fake = data;
	int i;

	for (i = 0; i < fake->nr_segs; i++)
		if (dcssblk_test_find_device(fake->segs[i].name))
			dcssblk_test_remove(fake->segs[i].name);
}

static int dcssblk_fake_init(struct kunit *test)
{
	struct dcssblk_fake *fake;

	if (MACHINE_IS_VM)
		kunit_skip(test, "running under z/VM: fake segments could collide");
	if (!dcssblk_root_dev)
		kunit_skip(test, "the driver did not initialise");
	fake = kunit_kzalloc(test, sizeof(*fake), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fake);
	test->priv = fake;
	kunit_activate_static_stub(test, dcssblk_load_segment,
				   dcssblk_fake_load_segment);
	return kunit_add_action_or_reset(test, dcssblk_fake_cleanup, fake);
}

struct dcssblk_test_mem {
	void *mem;
	size_t size;
};

static void dcssblk_test_free_pages(void *data)
{
	struct dcssblk_test_mem *m = data;

	free_pages_exact(m->mem, m->size);
}

/* Physically contiguous kernel memory: a segment with struct pages. */
static void *dcssblk_test_kernel_memory(struct kunit *test, size_t size)
{
	struct dcssblk_test_mem *m;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->size = size;
	m->mem = alloc_pages_exact(size, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, m->mem);
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test, dcssblk_test_free_pages,
						  m), 0);
	return m->mem;
}

static void dcssblk_test_release(struct file *bdev_file)
{
	fput(bdev_file);
	/* a kernel thread's fput() is delayed */
	flush_delayed_fput();
}

/* Add, open, direct_access, I/O, busy checks and remove of one device. */
static void dcssblk_test_add_remove(struct kunit *test)
{
	struct dcssblk_fake *fake = test->priv;
	struct dcssblk_dev_info *dev_info;
	struct block_device *bdev;
	struct file *bdev_file;
	unsigned long pfn;
	char *mem, *buf;
	void *kaddr;
	loff_t pos;
	int i;

	mem = dcssblk_test_kernel_memory(test, 4 * PAGE_SIZE);
	dcssblk_fake_add_seg(test, "KUNITA", virt_to_phys(mem), 4 * PAGE_SIZE,
			     SEG_TYPE_SW);

	KUNIT_ASSERT_EQ(test, dcssblk_test_add("kunita\n"), 7);
	KUNIT_EXPECT_STREQ(test, fake->loads, "KUNITA");
	dev_info = dcssblk_test_find_device("KUNITA");
	KUNIT_ASSERT_NOT_NULL(test, dev_info);
	KUNIT_EXPECT_EQ(test, dev_info->start, virt_to_phys(mem));
	KUNIT_EXPECT_EQ(test, get_capacity(dev_info->gd), 4 * PAGE_SECTORS);
	KUNIT_EXPECT_EQ(test, dev_info->is_shared, 1);
	KUNIT_EXPECT_FALSE(test, get_disk_ro(dev_info->gd));
	KUNIT_EXPECT_EQ(test, strncmp(dev_info->gd->disk_name, "dcssblk", 7),
			0);
	/* the same segment cannot be added twice */
	KUNIT_EXPECT_EQ(test, dcssblk_test_add("KUNITA"), -EEXIST);

	bdev_file = bdev_file_open_by_dev(disk_devt(dev_info->gd),
					  BLK_OPEN_READ, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(bdev_file));
	bdev = file_bdev(bdev_file);
	KUNIT_EXPECT_EQ(test, atomic_read(&dev_info->use_count), 1);

	/* the device serves the memory of its segment */
	KUNIT_EXPECT_EQ(test,
			bdev->bd_disk->fops->direct_access(bdev,
							   2 * PAGE_SECTORS,
							   &kaddr, &pfn,
							   SZ_1M),
			2 * PAGE_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, kaddr, (void *)(mem + 2 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, pfn, PFN_DOWN(virt_to_phys(mem)) + 2);
	if (IS_ENABLED(CONFIG_FS_XIP)) {
		KUNIT_EXPECT_EQ(test, bdev_direct_access(bdev, 3 * PAGE_SECTORS,
							 &kaddr, &pfn,
							 PAGE_SIZE),
				PAGE_SIZE);
		KUNIT_EXPECT_PTR_EQ(test, kaddr, (void *)(mem + 3 * PAGE_SIZE));
		KUNIT_EXPECT_EQ(test, bdev_xip_supported(bdev), 0);
	}

	/* block I/O reads the same memory */
	buf = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < PAGE_SIZE; i++)
		mem[PAGE_SIZE + i] = i * 7;
	pos = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, kernel_read(bdev_file, buf, PAGE_SIZE, &pos),
			PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, memcmp(buf, mem + PAGE_SIZE, PAGE_SIZE), 0);

	/* no removal and no change of the access mode while in use */
	KUNIT_EXPECT_EQ(test, dcssblk_test_remove("KUNITA"), -EBUSY);
	KUNIT_EXPECT_EQ(test, dcssblk_shared_store(&dev_info->dev, NULL, "0",
						   1), -EBUSY);
	KUNIT_EXPECT_EQ(test, dcssblk_shared_store(&dev_info->dev, NULL, "1",
						   1), -EBUSY);

	dcssblk_test_release(bdev_file);
	KUNIT_EXPECT_EQ(test, atomic_read(&dev_info->use_count), 0);
	KUNIT_EXPECT_EQ(test, dcssblk_test_remove("kunita\n"), 7);
	KUNIT_EXPECT_NULL(test, dcssblk_test_find_device("KUNITA"));
	/* and it can be added again */
	KUNIT_EXPECT_EQ(test, dcssblk_test_add("KUNITA"), 6);
	KUNIT_EXPECT_EQ(test, dcssblk_test_remove("KUNITA"), 6);
}

/* dcssblk_open() refuses a device that is no longer listed (being removed). */
static void dcssblk_test_open_unlisted(struct kunit *test)
{
	char *mem = dcssblk_test_kernel_memory(test, PAGE_SIZE);
	struct dcssblk_dev_info *gone, *dev_info;
	struct block_device *bdev;

	gone = dcssblk_test_dev_info(test, virt_to_phys(mem), 1);
	strscpy(gone->segment_name, "KUNITA", sizeof(gone->segment_name));
	bdev = dcssblk_test_bdev(test, gone);
	KUNIT_EXPECT_EQ(test, dcssblk_open(bdev->bd_disk, BLK_OPEN_READ),
			-ENODEV);

	/* nor does a listed device of the same name make it valid */
	dcssblk_fake_add_seg(test, "KUNITA", virt_to_phys(mem), PAGE_SIZE,
			     SEG_TYPE_SW);
	KUNIT_ASSERT_EQ(test, dcssblk_test_add("kunita"), 6);
	dev_info = dcssblk_test_find_device("KUNITA");
	KUNIT_ASSERT_NOT_NULL(test, dev_info);
	KUNIT_EXPECT_EQ(test, dcssblk_open(bdev->bd_disk, BLK_OPEN_READ),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, atomic_read(&gone->use_count), 0);

	KUNIT_EXPECT_EQ(test, dcssblk_open(dev_info->gd, BLK_OPEN_READ), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&dev_info->use_count), 1);
	dcssblk_release(dev_info->gd);
	KUNIT_EXPECT_EQ(test, atomic_read(&dev_info->use_count), 0);
	KUNIT_EXPECT_EQ(test, dcssblk_test_remove("kunita"), 6);
}

struct dcssblk_test_opener {
	struct gendisk *disk;
	struct completion done;
	int rc;
};

static int dcssblk_test_open_thread(void *data)
{
	struct dcssblk_test_opener *o = data;

	o->rc = dcssblk_open(o->disk, BLK_OPEN_READ);
	complete(&o->done);
	return 0;
}

/*
 * An open waits while add, shared or remove holds the device list: it cannot
 * slip in between their use_count check and the change they make.
 */
static void dcssblk_test_open_waits(struct kunit *test)
{
	char *mem = dcssblk_test_kernel_memory(test, PAGE_SIZE);
	struct dcssblk_dev_info *dev_info;
	struct dcssblk_test_opener o;
	struct task_struct *task;

	dcssblk_fake_add_seg(test, "KUNITA", virt_to_phys(mem), PAGE_SIZE,
			     SEG_TYPE_SW);
	KUNIT_ASSERT_EQ(test, dcssblk_test_add("kunita"), 6);
	dev_info = dcssblk_test_find_device("KUNITA");
	KUNIT_ASSERT_NOT_NULL(test, dev_info);

	o.disk = dev_info->gd;
	o.rc = 1;
	init_completion(&o.done);
	down_write(&dcssblk_devices_sem);
	task = kthread_run(dcssblk_test_open_thread, &o, "dcssblk-kunit");
	if (IS_ERR(task)) {
		up_write(&dcssblk_devices_sem);
		KUNIT_FAIL_AND_ABORT(test, "kthread_run: %ld", PTR_ERR(task));
	}
	KUNIT_EXPECT_EQ(test, wait_for_completion_timeout(&o.done,
							  HZ / 5), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&dev_info->use_count), 0);
	up_write(&dcssblk_devices_sem);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&o.done, 10 * HZ),
			0);
	KUNIT_EXPECT_EQ(test, o.rc, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&dev_info->use_count), 1);
	dcssblk_release(dev_info->gd);
	KUNIT_EXPECT_EQ(test, dcssblk_test_remove("kunita"), 6);
}

/* A failed add unloads the segments it had loaded. */
static void dcssblk_test_add_unwind(struct kunit *test)
{
	struct dcssblk_fake *fake = test->priv;
	char *mem = dcssblk_test_kernel_memory(test, 4 * PAGE_SIZE);
	phys_addr_t start = virt_to_phys(mem);
	int before = dcssblk_test_nr_devices();

	dcssblk_fake_add_seg(test, "KUNITA", start, PAGE_SIZE, SEG_TYPE_SW);
	dcssblk_fake_add_seg(test, "KUNITB", start + 2 * PAGE_SIZE, PAGE_SIZE,
			     SEG_TYPE_SW);
	dcssblk_fake_add_seg(test, "KUNITC", start + PAGE_SIZE, PAGE_SIZE,
			     SEG_TYPE_SR);

	/* not contiguous */
	KUNIT_EXPECT_EQ(test, dcssblk_test_add("kunita:kunitb"), -EINVAL);
	/* incompatible types */
	KUNIT_EXPECT_EQ(test, dcssblk_test_add("kunita:kunitc"), -EINVAL);
	/* no such segment */
	KUNIT_EXPECT_EQ(test, dcssblk_test_add("kunita:nosuch"), -ENOENT);
	/* an empty name stops the add after the first load */
	KUNIT_EXPECT_EQ(test, dcssblk_test_add("kunita::kunitc"),
			-ENAMETOOLONG);
	/* a trailing colon is refused before anything is loaded */
	KUNIT_EXPECT_EQ(test, dcssblk_test_add("kunita:"), -ENAMETOOLONG);
	KUNIT_EXPECT_STREQ(test, fake->loads,
			   "KUNITA KUNITB KUNITA KUNITC KUNITA NOSUCH KUNITA");
	KUNIT_EXPECT_EQ(test, dcssblk_test_nr_devices(), before);

	/* two contiguous segments of compatible types make one device */
	KUNIT_EXPECT_EQ(test, dcssblk_test_add("kunitc:kunita"), -EINVAL);
	fake->segs[2].type = SEG_TYPE_SW;
	KUNIT_EXPECT_EQ(test, dcssblk_test_add("kunitc:kunita:kunitb"), 20);
	KUNIT_EXPECT_EQ(test, dcssblk_test_nr_devices(), before + 1);
	KUNIT_EXPECT_EQ(test, get_capacity(dcssblk_test_find_device("KUNITC")->gd),
			3 * PAGE_SECTORS);
	/* a segment of a device cannot be used by another one */
	KUNIT_EXPECT_EQ(test, dcssblk_test_add("kunitb"), -EEXIST);
	KUNIT_EXPECT_EQ(test, dcssblk_test_remove("kunitc"), 6);
}

struct dcssblk_ro_case {
	const char *desc;
	int type;
	bool ro;
};

static const struct dcssblk_ro_case dcssblk_ro_cases[] = {
	{ "SW", SEG_TYPE_SW, false },
	{ "EW", SEG_TYPE_EW, false },
	{ "SR", SEG_TYPE_SR, true },
	{ "ER", SEG_TYPE_ER, true },
	{ "SN", SEG_TYPE_SN, false },
	{ "EN", SEG_TYPE_EN, false },
	{ "SC", SEG_TYPE_SC, true },
};

static void dcssblk_ro_desc(const struct dcssblk_ro_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dcssblk_ro, dcssblk_ro_cases, dcssblk_ro_desc);

/* Segments loaded shared are read-only unless their type is writable. */
static void dcssblk_test_read_only_types(struct kunit *test)
{
	const struct dcssblk_ro_case *c = test->param_value;
	char *mem = dcssblk_test_kernel_memory(test, PAGE_SIZE);
	struct dcssblk_dev_info *dev_info;

	dcssblk_fake_add_seg(test, "KUNITRO", virt_to_phys(mem), PAGE_SIZE,
			     c->type);
	KUNIT_ASSERT_EQ(test, dcssblk_test_add("kunitro"), 7);
	dev_info = dcssblk_test_find_device("KUNITRO");
	KUNIT_ASSERT_NOT_NULL(test, dev_info);
	KUNIT_EXPECT_EQ(test, dev_info->segment_type, c->type);
	KUNIT_EXPECT_EQ(test, !!get_disk_ro(dev_info->gd), c->ro);
	if (c->type == SEG_TYPE_SC)
		/* SC segments cannot be loaded exclusive-writable */
		KUNIT_EXPECT_EQ(test, dcssblk_shared_store(&dev_info->dev, NULL,
							   "0\n", 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, dcssblk_test_remove("kunitro"), 7);
}

struct dcssblk_params_case {
	const char *desc;
	const char *segments;
	const char *loads;	/* names passed to segment load */
	const char *devices;	/* devices that result */
};

static const struct dcssblk_params_case dcssblk_params_cases[] = {
	{ "sets and (local)", "p1,p2:p3(local),p4", "P1 P2 P3 P4",
	  "P1 P2 P4" },
	{ "empty", "", "", "" },
	{ "upper case", "P1", "P1", "P1" },
	{ "set that is not contiguous", "p1:p4,p2", "P1 P4 P2", "P2" },
	{ "name too long", "p1,verylongname,p4", "P1 P4", "P1 P4" },
	{ "empty set", "p1,,p4", "P1 P4", "P1 P4" },
	{ "segment given twice", "p1,p1", "P1 P1", "P1" },
	{ "(local) on a single segment", "p4,p2(local)", "P4 P2", "P4 P2" },
	{ "unknown segment", "p1,nosuch,p4", "P1 NOSUCH P4", "P1 P4" },
};

static void dcssblk_params_desc(const struct dcssblk_params_case *c,
				char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dcssblk_params, dcssblk_params_cases, dcssblk_params_desc);

static char dcssblk_test_saved_segments[DCSSBLK_PARM_LEN];

static void dcssblk_test_restore_segments(void *unused)
{
	memcpy(dcssblk_segments, dcssblk_test_saved_segments,
	       sizeof(dcssblk_segments));
}

/*
 * "segments=" as at boot.  Only SC segments get "(local)" here: for other
 * types it reloads them through segment_modify_shared(), which knows no fake
 * segment.  For SC the reload is refused, so the device stays shared and
 * read-only.
 */
static void dcssblk_test_check_params(struct kunit *test)
{
	const struct dcssblk_params_case *c = test->param_value;
	struct dcssblk_fake *fake = test->priv;
	char *mem = dcssblk_test_kernel_memory(test, 16 * PAGE_SIZE);
	phys_addr_t start = virt_to_phys(mem);
	struct dcssblk_dev_info *dev_info;
	char devices[64] = "";
	int i;

	dcssblk_fake_add_seg(test, "P1", start, 2 * PAGE_SIZE, SEG_TYPE_SW);
	dcssblk_fake_add_seg(test, "P2", start + 4 * PAGE_SIZE, 2 * PAGE_SIZE,
			     SEG_TYPE_SC);
	dcssblk_fake_add_seg(test, "P3", start + 6 * PAGE_SIZE, 2 * PAGE_SIZE,
			     SEG_TYPE_SC);
	dcssblk_fake_add_seg(test, "P4", start + 10 * PAGE_SIZE, 2 * PAGE_SIZE,
			     SEG_TYPE_EW);

	memcpy(dcssblk_test_saved_segments, dcssblk_segments,
	       sizeof(dcssblk_segments));
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test,
						  dcssblk_test_restore_segments,
						  NULL), 0);
	strscpy(dcssblk_segments, c->segments, sizeof(dcssblk_segments));
	dcssblk_check_params();

	KUNIT_EXPECT_STREQ(test, fake->loads, c->loads);
	down_read(&dcssblk_devices_sem);
	list_for_each_entry(dev_info, &dcssblk_devices, lh) {
		if (!dcssblk_fake_find(fake, dev_info->segment_name))
			continue;
		if (devices[0])
			strlcat(devices, " ", sizeof(devices));
		strlcat(devices, dev_info->segment_name, sizeof(devices));
		if (!strcmp(dev_info->segment_name, "P2")) {
			KUNIT_EXPECT_EQ(test, dev_info->is_shared, 1);
			KUNIT_EXPECT_TRUE(test, get_disk_ro(dev_info->gd));
		}
	}
	up_read(&dcssblk_devices_sem);
	KUNIT_EXPECT_STREQ(test, devices, c->devices);
	for (i = 0; i < fake->nr_segs; i++)
		if (dcssblk_test_find_device(fake->segs[i].name))
			KUNIT_EXPECT_GT(test,
					dcssblk_test_remove(fake->segs[i].name),
					0);
}

/* ---- ext2 -o xip on a fake segment ---- */

#define XT_SIZE		SZ_4M
#define XT_BLOCKS	(XT_SIZE / PAGE_SIZE)
#define XT_INODES	64		/* two blocks of 128-byte inodes */
#define XT_FIRST_INO	11		/* inodes 1..10 are reserved */
#define XT_GDT		1		/* block of the group descriptors */
#define XT_BBITMAP	2
#define XT_IBITMAP	3
#define XT_ITABLE	4
#define XT_ROOTDIR	6
#define XT_USED		7		/* blocks 0..6 are used */
#define XT_DEV_PATH	"/dcssblk-kunit"

static void xt_set_bits(u8 *map, unsigned int from, unsigned int to)
{
	for (; from < to; from++)
		map[from / 8] |= 1 << (from % 8);
}

/*
 * Write an empty ext2 file system into @mem: revision 0 (128-byte inodes, no
 * feature flags), 4 KiB blocks, one block group.  Offsets are those of the
 * on-disk structures (struct ext2_super_block, ext2_group_desc, ext2_inode,
 * ext2_dir_entry_2 in fs/ext2/ext2.h), all little-endian.
 */
static void dcssblk_test_mkfs(void *mem)
{
	void *sb = mem + 1024;
	void *gd = mem + XT_GDT * PAGE_SIZE;
	void *root = mem + XT_ITABLE * PAGE_SIZE + 128;	/* inode 2 */
	u8 *dir = mem + XT_ROOTDIR * PAGE_SIZE;

	memset(mem, 0, XT_USED * PAGE_SIZE);

	put_unaligned_le32(XT_INODES, sb + 0);		/* s_inodes_count */
	put_unaligned_le32(XT_BLOCKS, sb + 4);		/* s_blocks_count */
	put_unaligned_le32(XT_BLOCKS - XT_USED, sb + 12); /* s_free_blocks_count */
	put_unaligned_le32(XT_INODES - XT_FIRST_INO + 1,
			   sb + 16);			/* s_free_inodes_count */
	put_unaligned_le32(0, sb + 20);			/* s_first_data_block */
	put_unaligned_le32(PAGE_SHIFT - 10, sb + 24);	/* s_log_block_size */
	put_unaligned_le32(PAGE_SHIFT - 10, sb + 28);	/* s_log_frag_size */
	put_unaligned_le32(PAGE_SIZE * 8, sb + 32);	/* s_blocks_per_group */
	put_unaligned_le32(PAGE_SIZE * 8, sb + 36);	/* s_frags_per_group */
	put_unaligned_le32(XT_INODES, sb + 40);		/* s_inodes_per_group */
	put_unaligned_le16(0xffff, sb + 54);		/* s_max_mnt_count: -1 */
	put_unaligned_le16(0xef53, sb + 56);		/* s_magic */
	put_unaligned_le16(1, sb + 58);			/* s_state: valid */
	put_unaligned_le16(1, sb + 60);			/* s_errors: continue */

	put_unaligned_le32(XT_BBITMAP, gd + 0);		/* bg_block_bitmap */
	put_unaligned_le32(XT_IBITMAP, gd + 4);		/* bg_inode_bitmap */
	put_unaligned_le32(XT_ITABLE, gd + 8);		/* bg_inode_table */
	put_unaligned_le16(XT_BLOCKS - XT_USED, gd + 12); /* free blocks */
	put_unaligned_le16(XT_INODES - XT_FIRST_INO + 1, gd + 14);
	put_unaligned_le16(1, gd + 16);			/* bg_used_dirs_count */

	/* used blocks and inodes, and the bits past the end of the group */
	xt_set_bits(mem + XT_BBITMAP * PAGE_SIZE, 0, XT_USED);
	xt_set_bits(mem + XT_BBITMAP * PAGE_SIZE, XT_BLOCKS, PAGE_SIZE * 8);
	xt_set_bits(mem + XT_IBITMAP * PAGE_SIZE, 0, XT_FIRST_INO - 1);
	xt_set_bits(mem + XT_IBITMAP * PAGE_SIZE, XT_INODES, PAGE_SIZE * 8);

	put_unaligned_le16(S_IFDIR | 0755, root + 0);	/* i_mode */
	put_unaligned_le32(PAGE_SIZE, root + 4);	/* i_size */
	put_unaligned_le16(2, root + 26);		/* i_links_count */
	put_unaligned_le32(PAGE_SIZE >> 9, root + 28);	/* i_blocks */
	put_unaligned_le32(XT_ROOTDIR, root + 40);	/* i_block[0] */

	put_unaligned_le32(2, dir + 0);			/* "." */
	put_unaligned_le16(12, dir + 4);
	dir[6] = 1;
	dir[8] = '.';
	put_unaligned_le32(2, dir + 12);		/* ".." */
	put_unaligned_le16(PAGE_SIZE - 12, dir + 16);
	dir[18] = 2;
	dir[20] = '.';
	dir[21] = '.';
}

static void *dcssblk_test_xip_kernel_memory(struct kunit *test,
					    phys_addr_t *start)
{
	void *mem = dcssblk_test_kernel_memory(test, XT_SIZE);

	*start = virt_to_phys(mem);
	return mem;
}

static phys_addr_t dcssblk_test_unmanaged_start;

static void dcssblk_test_unmap(void *unused)
{
	vmem_remove_mapping(dcssblk_test_unmanaged_start, XT_SIZE);
	release_mem_region(dcssblk_test_unmanaged_start, XT_SIZE);
}

/*
 * Memory the machine has but the kernel does not use ("mem="): no struct
 * page, mapped into the kernel's identity map the way segment_load() maps a
 * DCSS.
 */
static void *dcssblk_test_xip_unmanaged_memory(struct kunit *test,
					       phys_addr_t *start)
{
	unsigned long storage = sclp.rnmax * sclp.rzm;
	phys_addr_t first = round_up(PFN_PHYS(max_pfn), SZ_1M);
	int rc;

	if (first + XT_SIZE > storage)
		kunit_skip(test, "no memory above the kernel's %lu of %lu MiB: boot with mem=",
			   (unsigned long)(first >> 20), storage >> 20);
	if (pfn_valid(PFN_DOWN(first)))
		kunit_skip(test, "memory at %pa has a struct page", &first);
	if (!request_mem_region(first, XT_SIZE, "dcssblk KUnit"))
		kunit_skip(test, "memory at %pa is in use", &first);
	rc = vmem_add_mapping(first, XT_SIZE);
	if (rc) {
		release_mem_region(first, XT_SIZE);
		KUNIT_FAIL_AND_ABORT(test, "vmem_add_mapping: %d", rc);
	}
	dcssblk_test_unmanaged_start = first;
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test, dcssblk_test_unmap,
						  NULL), 0);
	*start = first;
	return __va(first);
}

static void dcssblk_test_unlink_node(void *unused)
{
	struct path parent;
	struct dentry *dentry;

	dentry = kern_path_locked(XT_DEV_PATH, &parent);
	if (IS_ERR(dentry))
		return;
	if (d_is_positive(dentry))
		vfs_unlink(&nop_mnt_idmap, d_inode(parent.dentry), dentry,
			   NULL);
	dput(dentry);
	inode_unlock(d_inode(parent.dentry));
	path_put(&parent);
}

/* A device node for mount: built-in tests run before /dev exists. */
static void dcssblk_test_mknod(struct kunit *test, dev_t devt)
{
	struct dentry *dentry;
	struct path path;
	int err;

	dentry = kern_path_create(AT_FDCWD, XT_DEV_PATH, &path, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(dentry), "kern_path_create: %ld",
			       PTR_ERR(dentry));
	err = vfs_mknod(&nop_mnt_idmap, d_inode(path.dentry), dentry,
			S_IFBLK | 0600, devt);
	done_path_create(&path, dentry);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test,
						  dcssblk_test_unlink_node,
						  NULL), 0);
}

static struct vfsmount *dcssblk_test_mount(struct kunit *test, int flags)
{
	struct file_system_type *type = get_fs_type("ext2");
	char options[] = "xip";		/* parsed in place */
	struct vfsmount *mnt;

	KUNIT_ASSERT_NOT_NULL(test, type);
	/* an internal mount is released at once by its last mntput() */
	mnt = vfs_kern_mount(type, flags | SB_KERNMOUNT, XT_DEV_PATH, options);
	put_filesystem(type);
	return mnt;
}

/*
 * fput() is delayed in kernel threads, and the file of the block device is
 * only put once the super block is gone: wait until the device is closed.
 */
static void dcssblk_test_wait_closed(struct kunit *test,
				     struct dcssblk_dev_info *dev_info)
{
	int i;

	for (i = 0; i < 100 && atomic_read(&dev_info->use_count); i++) {
		flush_delayed_fput();
		msleep(20);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&dev_info->use_count), 0);
}

static void dcssblk_test_umount(struct kunit *test, struct vfsmount *mnt,
				struct dcssblk_dev_info *dev_info)
{
	mntput(mnt);
	dcssblk_test_wait_closed(test, dev_info);
}

static void dcssblk_test_xip_add(struct kunit *test, int type,
				 struct dcssblk_dev_info **dev_info)
{
	struct dcssblk_fake *fake = test->priv;

	fake->segs[0].type = type;
	KUNIT_ASSERT_EQ(test, dcssblk_test_add("kunitx"), 6);
	*dev_info = dcssblk_test_find_device("KUNITX");
	KUNIT_ASSERT_NOT_NULL(test, *dev_info);
}

struct dcssblk_xip_case {
	const char *desc;
	void *(*memory)(struct kunit *test, phys_addr_t *start);
};

static const struct dcssblk_xip_case dcssblk_xip_cases[] = {
	{ "kernel pages", dcssblk_test_xip_kernel_memory },
	{ "memory above mem=", dcssblk_test_xip_unmanaged_memory },
};

static void dcssblk_xip_desc(const struct dcssblk_xip_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dcssblk_xip, dcssblk_xip_cases, dcssblk_xip_desc);

/*
 * mount -o xip on a dcssblk device; read, write and map a file; check that
 * the data sits in the segment and never in the page cache; then load the
 * same memory as a read-only segment type.
 */
static void dcssblk_test_xip(struct kunit *test)
{
	const struct dcssblk_xip_case *c = test->param_value;
	struct dcssblk_dev_info *dev_info;
	unsigned long addr, paddr;
	char *mem, *buf, *tmp;
	sector_t block0, block1, block4;
	struct vfsmount *mnt;
	struct file *file;
	phys_addr_t start;
	loff_t pos;
	int i;

	if (!IS_ENABLED(CONFIG_EXT2_FS_XIP))
		kunit_skip(test, "needs CONFIG_EXT2_FS_XIP");
	mem = c->memory(test, &start);
	/* stale contents that must never show up in a file */
	memset(mem, 0x5a, XT_SIZE);
	dcssblk_test_mkfs(mem);
	buf = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	tmp = kunit_kmalloc(test, 2 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, tmp);
	for (i = 0; i < 2 * PAGE_SIZE; i++)
		buf[i] = i % 251;

	dcssblk_fake_add_seg(test, "KUNITX", start, XT_SIZE, SEG_TYPE_SW);
	dcssblk_test_xip_add(test, SEG_TYPE_SW, &dev_info);
	dcssblk_test_mknod(test, disk_devt(dev_info->gd));

	mnt = dcssblk_test_mount(test, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(mnt), "mount -o xip: %ld",
			       PTR_ERR(mnt));
	KUNIT_EXPECT_PTR_EQ(test, mnt->mnt_sb->s_bdev->bd_disk, dev_info->gd);
	file = file_open_root_mnt(mnt, "file", O_CREAT | O_RDWR, 0644);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "open: %ld", PTR_ERR(file));
	KUNIT_EXPECT_TRUE(test, mapping_is_xip(file->f_mapping));

	/* write(2) goes straight to the segment */
	pos = 0;
	KUNIT_EXPECT_EQ(test, kernel_write(file, buf, 2 * PAGE_SIZE, &pos),
			2 * PAGE_SIZE);
	pos = 4 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, kernel_write(file, "end", 3, &pos), 3);
	block0 = 0;
	block1 = 1;
	block4 = 4;
	KUNIT_ASSERT_EQ(test, bmap(file_inode(file), &block0), 0);
	KUNIT_ASSERT_EQ(test, bmap(file_inode(file), &block1), 0);
	KUNIT_ASSERT_EQ(test, bmap(file_inode(file), &block4), 0);
	KUNIT_ASSERT_TRUE(test, block0 >= XT_USED && block0 < XT_BLOCKS);
	KUNIT_ASSERT_TRUE(test, block1 >= XT_USED && block1 < XT_BLOCKS);
	KUNIT_ASSERT_TRUE(test, block4 >= XT_USED && block4 < XT_BLOCKS);
	KUNIT_EXPECT_EQ(test, memcmp(mem + block0 * PAGE_SIZE, buf, PAGE_SIZE),
			0);
	KUNIT_EXPECT_EQ(test, memcmp(mem + block1 * PAGE_SIZE, buf + PAGE_SIZE,
				     PAGE_SIZE), 0);
	/* a new block is zeroed before it is used */
	KUNIT_EXPECT_EQ(test, memcmp(mem + block4 * PAGE_SIZE, "end", 3), 0);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(mem + block4 * PAGE_SIZE + 3, 0,
					    PAGE_SIZE - 3));

	/* read(2): data, and zeroes for the hole */
	pos = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, kernel_read(file, tmp, 2 * PAGE_SIZE, &pos),
			2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, memcmp(tmp, buf + PAGE_SIZE, PAGE_SIZE), 0);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(tmp + PAGE_SIZE, 0, PAGE_SIZE));

	/* a shared mapping maps the segment itself */
	addr = kunit_vm_mmap(test, file, 0, 2 * PAGE_SIZE,
			     PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	KUNIT_ASSERT_TRUE_MSG(test, addr && !IS_ERR_VALUE(addr),
			      "mmap: %ld", (long)addr);
	KUNIT_EXPECT_EQ(test, copy_from_user(tmp, (void __user *)addr,
					     2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, memcmp(tmp, buf, 2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, copy_to_user((void __user *)addr + 100,
					   "mapped", 6), 0);
	KUNIT_EXPECT_EQ(test, memcmp(mem + block0 * PAGE_SIZE + 100, "mapped",
				     6), 0);
	mem[block1 * PAGE_SIZE + 7] = 'S';
	KUNIT_EXPECT_EQ(test, copy_from_user(tmp, (void __user *)addr +
					     PAGE_SIZE + 7, 1), 0);
	KUNIT_EXPECT_EQ(test, tmp[0], 'S');

	/* a private mapping copies on write */
	paddr = kunit_vm_mmap(test, file, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE, 0);
	KUNIT_ASSERT_TRUE_MSG(test, paddr && !IS_ERR_VALUE(paddr),
			      "mmap: %ld", (long)paddr);
	KUNIT_EXPECT_EQ(test, copy_to_user((void __user *)paddr, "private", 7),
			0);
	KUNIT_EXPECT_EQ(test, memcmp(mem + block0 * PAGE_SIZE, buf, 7), 0);
	KUNIT_EXPECT_EQ(test, copy_from_user(tmp, (void __user *)paddr, 7), 0);
	KUNIT_EXPECT_EQ(test, memcmp(tmp, "private", 7), 0);

	/* none of this went through the page cache */
	KUNIT_EXPECT_EQ(test, file->f_mapping->nrpages, 0);

	KUNIT_EXPECT_EQ(test, vm_munmap(addr, 2 * PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, vm_munmap(paddr, PAGE_SIZE), 0);
	fput(file);
	dcssblk_test_umount(test, mnt, dev_info);
	KUNIT_ASSERT_EQ(test, dcssblk_test_remove("kunitx"), 6);

	/*
	 * The same memory as a segment of type SR: dcssblk makes the disk
	 * read-only and the VFS refuses to mount it read-write.
	 */
	dcssblk_test_xip_add(test, SEG_TYPE_SR, &dev_info);
	KUNIT_EXPECT_TRUE(test, get_disk_ro(dev_info->gd));
	mnt = dcssblk_test_mount(test, 0);
	KUNIT_EXPECT_PTR_EQ(test, mnt, ERR_PTR(-EACCES));
	if (!IS_ERR(mnt))
		mntput(mnt);
	dcssblk_test_wait_closed(test, dev_info);

	mnt = dcssblk_test_mount(test, SB_RDONLY);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(mnt), "mount -o ro,xip: %ld",
			       PTR_ERR(mnt));
	file = file_open_root_mnt(mnt, "file", O_RDWR, 0);
	KUNIT_EXPECT_PTR_EQ(test, file, ERR_PTR(-EROFS));
	file = file_open_root_mnt(mnt, "file", O_RDONLY, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "open: %ld", PTR_ERR(file));
	KUNIT_EXPECT_TRUE(test, mapping_is_xip(file->f_mapping));
	pos = 0;
	KUNIT_EXPECT_EQ(test, kernel_read(file, tmp, PAGE_SIZE, &pos),
			PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, memcmp(tmp + 100, "mapped", 6), 0);
	KUNIT_EXPECT_EQ(test, memcmp(tmp, buf, 100), 0);

	/* no shared writable mapping of a read-only file */
	addr = vm_mmap(file, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       0);
	KUNIT_EXPECT_EQ(test, (long)addr, -EACCES);
	if (!IS_ERR_VALUE(addr))
		vm_munmap(addr, PAGE_SIZE);
	/* a private one copies before the first store */
	paddr = kunit_vm_mmap(test, file, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE, 0);
	KUNIT_ASSERT_TRUE_MSG(test, paddr && !IS_ERR_VALUE(paddr),
			      "mmap: %ld", (long)paddr);
	KUNIT_EXPECT_EQ(test, copy_from_user(tmp, (void __user *)paddr, 6), 0);
	KUNIT_EXPECT_EQ(test, memcmp(tmp, buf, 6), 0);
	KUNIT_EXPECT_EQ(test, copy_to_user((void __user *)paddr, "cow", 3), 0);
	KUNIT_EXPECT_EQ(test, memcmp(mem + block0 * PAGE_SIZE, buf, 3), 0);
	KUNIT_EXPECT_EQ(test, file->f_mapping->nrpages, 0);

	KUNIT_EXPECT_EQ(test, vm_munmap(paddr, PAGE_SIZE), 0);
	fput(file);
	dcssblk_test_umount(test, mnt, dev_info);
	KUNIT_EXPECT_EQ(test, dcssblk_test_remove("kunitx"), 6);
}

static struct kunit_case dcssblk_fake_cases[] = {
	KUNIT_CASE(dcssblk_test_add_remove),
	KUNIT_CASE(dcssblk_test_add_unwind),
	KUNIT_CASE(dcssblk_test_open_unlisted),
	KUNIT_CASE(dcssblk_test_open_waits),
	KUNIT_CASE_PARAM(dcssblk_test_read_only_types, dcssblk_ro_gen_params),
	KUNIT_CASE_PARAM(dcssblk_test_check_params, dcssblk_params_gen_params),
	KUNIT_CASE_PARAM(dcssblk_test_xip, dcssblk_xip_gen_params),
	{}
};

static struct kunit_suite dcssblk_fake_suite = {
	.name = "dcssblk_fake_segment",
	.init = dcssblk_fake_init,
	.test_cases = dcssblk_fake_cases,
};

kunit_test_suites(&dcssblk_pure_suite, &dcssblk_nozvm_suite,
		  &dcssblk_fake_suite);
