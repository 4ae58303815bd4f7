// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only fake DCSS for the DCSS block driver
 *
 * For testing only (CONFIG_DCSSBLK_XIP_FAKE_SEGMENT): never enable this on a
 * production kernel.
 *
 * Loading a DCSS takes z/VM (DIAG 0x64), which QEMU does not emulate.  Booted
 * with "mem=SIZE dcssblk.fake_segment=NAME:START:LENGTH", the driver takes the
 * memory [START, START + LENGTH) above "mem=" as a segment NAME of type SW and
 * adds a device over it.  The kernel does not manage that memory and has no
 * struct page for it, as for a real DCSS.  Like segment_load(), the fake
 * claims the range in the iomem resources and maps it into the kernel's
 * identity mapping with vmem_add_mapping(); unlike it, the fake segment stays
 * mapped when it is unloaded (segment_unload() does nothing without z/VM), so
 * the device can be removed and added again.
 */

#define KMSG_COMPONENT "dcssblk"
#define pr_fmt(fmt) KMSG_COMPONENT ": " fmt

#include <linux/ctype.h>
#include <linux/init.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pgtable.h>
#include <linux/string.h>
#include <asm/extmem.h>
#include <asm/sclp.h>
#include <asm/setup.h>
#include "dcssblk_fake.h"

/* the parameter belongs to the driver: dcssblk.fake_segment= */
#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "dcssblk."

#define DCSSBLK_FAKE_PARM_LEN	64

static char dcssblk_fake_param[DCSSBLK_FAKE_PARM_LEN];
module_param_string(fake_segment, dcssblk_fake_param,
		    sizeof(dcssblk_fake_param), 0444);
MODULE_PARM_DESC(fake_segment,
		 "For testing only: NAME:START:LENGTH makes the memory [START, START + LENGTH) above mem= a DCSS NAME of type SW and adds a device over it");

static struct {
	char name[9];
	unsigned long start;
	unsigned long end;
	bool ready;
} dcssblk_fake;

static struct resource dcssblk_fake_res = {
	.name	= "DCSS fake segment (testing only)",
	.flags	= IORESOURCE_BUSY | IORESOURCE_MEM,
};

/* "NAME:START:LENGTH", START and LENGTH as for memparse() */
static int __init dcssblk_fake_parse(char *buf, unsigned long *start,
				     unsigned long *size)
{
	char *p = buf;
	int len = 0;

	while (*p && *p != ':') {
		if (len == 8 || isspace(*p))
			return -EINVAL;
		dcssblk_fake.name[len++] = toupper(*p++);
	}
	dcssblk_fake.name[len] = '\0';
	if (!len || *p++ != ':')
		return -EINVAL;
	*start = memparse(p, &p);
	if (*p++ != ':')
		return -EINVAL;
	*size = memparse(p, &p);
	if (*p && *p != '\n')
		return -EINVAL;
	return 0;
}

/**
 * dcssblk_fake_segment_setup() - set up the fake segment of the command line
 *
 * Parses "dcssblk.fake_segment=", checks that the range is page aligned, lies
 * in the machine's storage and has no struct page (is above "mem="), claims
 * it in the iomem resources and maps it with vmem_add_mapping().  Called once
 * by dcssblk_init().
 *
 * Return: the name of the segment, for the driver to add a device over it, or
 * %NULL if there is no fake segment or it cannot be set up.
 */
const char * __init dcssblk_fake_segment_setup(void)
{
	unsigned long storage = sclp.rnmax * sclp.rzm;
	unsigned long start, size, pfn;
	int rc;

	if (!dcssblk_fake_param[0])
		return NULL;
	if (MACHINE_IS_VM) {
		pr_err("fake_segment=%s ignored: z/VM can load real segments\n",
		       dcssblk_fake_param);
		return NULL;
	}
	if (dcssblk_fake_parse(dcssblk_fake_param, &start, &size) ||
	    !size || !PAGE_ALIGNED(start) || !PAGE_ALIGNED(size) ||
	    start + size < start) {
		pr_err("fake_segment=%s: not NAME:START:LENGTH with a name of 1 to 8 characters and a page-aligned range\n",
		       dcssblk_fake_param);
		return NULL;
	}
	if (start + size > storage) {
		pr_err("fake segment %s [%#lx-%#lx] is beyond the storage of the machine (%#lx)\n",
		       dcssblk_fake.name, start, start + size - 1, storage);
		return NULL;
	}
	for (pfn = PFN_DOWN(start); pfn < PFN_DOWN(start + size); pfn++) {
		if (pfn_valid(pfn)) {
			pr_err("fake segment %s: %#lx has a struct page: the range must be above mem=\n",
			       dcssblk_fake.name, PFN_PHYS(pfn));
			return NULL;
		}
	}
	dcssblk_fake_res.start = start;
	dcssblk_fake_res.end = start + size - 1;
	rc = request_resource(&iomem_resource, &dcssblk_fake_res);
	if (rc) {
		pr_err("fake segment %s [%#lx-%#lx] overlaps with memory in use\n",
		       dcssblk_fake.name, start, start + size - 1);
		return NULL;
	}
	rc = vmem_add_mapping(start, size);
	if (rc) {
		pr_err("fake segment %s [%#lx-%#lx] cannot be mapped: %d\n",
		       dcssblk_fake.name, start, start + size - 1, rc);
		release_resource(&dcssblk_fake_res);
		return NULL;
	}
	dcssblk_fake.start = start;
	dcssblk_fake.end = start + size - 1;
	dcssblk_fake.ready = true;
	pr_warn("fake segment %s of type SW at [%#lx-%#lx], for testing only\n",
		dcssblk_fake.name, start, dcssblk_fake.end);
	return dcssblk_fake.name;
}

static bool dcssblk_is_fake(const char *name)
{
	return dcssblk_fake.ready && !strcmp(name, dcssblk_fake.name);
}

/**
 * dcssblk_segment_load() - segment_load() that knows the fake segment
 * @name: name of the segment, upper case
 * @do_nonshared: %SEGMENT_SHARED or %SEGMENT_EXCLUSIVE
 * @addr: set to the first byte of the segment
 * @end: set to the last byte of the segment
 *
 * A fake segment is always loaded, in either mode; any other name is passed
 * to segment_load().
 *
 * Return: the segment type, or a negative error code as from segment_load().
 */
int dcssblk_segment_load(char *name, int do_nonshared, unsigned long *addr,
			 unsigned long *end)
{
	if (!dcssblk_is_fake(name))
		return segment_load(name, do_nonshared, addr, end);
	*addr = dcssblk_fake.start;
	*end = dcssblk_fake.end;
	return SEG_TYPE_SW;
}

/**
 * dcssblk_segment_modify_shared() - segment_modify_shared() that knows the
 *	fake segment
 * @name: name of the segment, upper case
 * @do_nonshared: %SEGMENT_SHARED or %SEGMENT_EXCLUSIVE
 *
 * The memory of a fake segment is the same, and writable, in either mode;
 * any other name is passed to segment_modify_shared().
 *
 * Return: 0, or a negative error code as from segment_modify_shared().
 */
int dcssblk_segment_modify_shared(char *name, int do_nonshared)
{
	if (!dcssblk_is_fake(name))
		return segment_modify_shared(name, do_nonshared);
	return 0;
}
