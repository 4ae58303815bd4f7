/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-only fake DCSS for the DCSS block driver
 * (CONFIG_DCSSBLK_XIP_FAKE_SEGMENT, drivers/s390/block/dcssblk_fake.c)
 */
#ifndef _DCSSBLK_FAKE_H
#define _DCSSBLK_FAKE_H

#include <asm/extmem.h>

#if IS_ENABLED(CONFIG_DCSSBLK_XIP_FAKE_SEGMENT)
const char *dcssblk_fake_segment_setup(void);
int dcssblk_segment_load(char *name, int do_nonshared, unsigned long *addr,
			 unsigned long *end);
int dcssblk_segment_modify_shared(char *name, int do_nonshared);
#else
static inline const char *dcssblk_fake_segment_setup(void)
{
	return NULL;
}

static inline int dcssblk_segment_load(char *name, int do_nonshared,
				       unsigned long *addr, unsigned long *end)
{
	return segment_load(name, do_nonshared, addr, end);
}

static inline int dcssblk_segment_modify_shared(char *name, int do_nonshared)
{
	return segment_modify_shared(name, do_nonshared);
}
#endif

#endif /* _DCSSBLK_FAKE_H */
