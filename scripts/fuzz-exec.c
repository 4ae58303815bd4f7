// SPDX-License-Identifier: GPL-2.0
/*
 * The executable in the fuzzer's base images (scripts/fuzz.sh): x86_64,
 * static, no libc.  It hashes its own text and an 80 KiB read-only table
 * (so that its image spans direct and indirect blocks), prints
 * "xip-fuzz-exec <hash>" and exits 0.  A corrupted copy prints something
 * else or dies; the fuzzer compares that between an XIP and a plain mount.
 * Only write and exit are used, so that a damaged copy running garbage can
 * do little; xip_fuzz runs it as nobody with an alarm.
 */

extern const unsigned int fuzz_table[];
extern const char __executable_start[], __etext[];

#define TABLE_WORDS 20480

/* a table that is different in every page: i * 2654435761 mod 2^32 */
asm(".section .rodata\n"
    ".balign 4096\n"
    ".globl fuzz_table\n"
    "fuzz_table:\n"
    ".set fz_i, 0\n"
    ".rept 20480\n"
    ".long (fz_i * 2654435761) & 0xffffffff\n"
    ".set fz_i, fz_i + 1\n"
    ".endr\n"
    ".previous\n");

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c)
		     : "rcx", "r11", "memory");
	return ret;
}

__attribute__((force_align_arg_pointer, noreturn)) void _start(void)
{
	unsigned long h = 0xcbf29ce484222325UL;
	char out[] = "xip-fuzz-exec 0000000000000000\n";
	const char *p;
	int i;

	for (p = __executable_start; p < __etext; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3UL;
	for (i = 0; i < TABLE_WORDS; i++)
		h = (h ^ fuzz_table[i]) * 0x100000001b3UL;
	for (i = 0; i < 16; i++)
		out[14 + i] = "0123456789abcdef"[(h >> (60 - 4 * i)) & 15];
	sys3(1, 1, (long)out, sizeof(out) - 1);		/* write */
	for (;;)
		sys3(231, 0, 0, 0);			/* exit_group */
}
