/*
 * Symbolised backtraces by frame-pointer walk (the kernel is built with
 * -fno-omit-frame-pointer: the saved ra sits at fp-8, the caller's fp at fp-16).
 * Names come from the table that the second link embeds (tools/mksyms.sh).
 */
#include <hal/context.h>
#include <arch/memlayout.h>
#include <core/klog.h>

extern const unsigned long ksyms_count;
extern const unsigned long ksyms_addrs[];
extern const unsigned int ksyms_offs[];
extern const char ksyms_names[];

const char *arch_symbolise(unsigned long pc, unsigned long *off)
{
	unsigned long lo = 0, hi = ksyms_count;

	if (!hi || pc < ksyms_addrs[0])
		return "?";
	while (hi - lo > 1) {
		unsigned long mid = (lo + hi) / 2;
		if (ksyms_addrs[mid] <= pc)
			lo = mid;
		else
			hi = mid;
	}
	*off = pc - ksyms_addrs[lo];
	return &ksyms_names[ksyms_offs[lo]];
}

static bool kernel_addr(unsigned long a)
{
	return a >= DIRECT_MAP_BASE && !(a & 7);
}

void hal_backtrace(unsigned long fp)
{
	for (int depth = 0; depth < 32 && kernel_addr(fp); depth++) {
		unsigned long ra = ((unsigned long *)fp)[-1], off = 0;
		unsigned long next = ((unsigned long *)fp)[-2];
		const char *name = arch_symbolise(ra, &off);
		kprintf("  [<%016lx>] %s+0x%lx\n", ra, name, off);
		if (next <= fp)
			break;
		fp = next;
	}
}
