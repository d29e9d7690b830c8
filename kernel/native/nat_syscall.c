/*
 * Native syscall dispatch. The table is generated from the master list in
 * <weft/native_syscalls.h>: each handler, nat_sys_<name>(t, args), is a weak
 * reference, so a listed call whose handler is not written yet dispatches to
 * NULL and returns -ENOSYS like an unlisted number. `strace=NAME` on the kernel
 * command line logs native calls by name too.
 */
#include <native/native.h>
#include <weft/native.h>
#include <weft/errno.h>
#include <core/klog.h>
#include <core/kstack.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <lib/string.h>
#include <obj/proc.h>

typedef long (*nat_handler_t)(struct thread *t, const unsigned long *a);

#define DECLARE(nr, name, nargs) \
	extern long nat_sys_##name(struct thread *t, const unsigned long *a) __attribute__((weak));
WEFT_SYSCALLS(DECLARE)
#undef DECLARE

#define ENTRY(nr, name, nargs) [nr] = nat_sys_##name,
static nat_handler_t const table[WEFT_NR_MAX] = {WEFT_SYSCALLS(ENTRY)};
#undef ENTRY

#define NAME(nr, name, nargs) [nr] = #name,
static const char *const names[WEFT_NR_MAX] = {WEFT_SYSCALLS(NAME)};
#undef NAME

/* strace=NAME on the command line (set by init, like the Linux side's). */
char nat_strace_name[16];

long nat_sys_kstat(struct thread *t, const unsigned long *a)
{
	(void)t;
	switch (a[0]) {
	case WEFT_KSTAT_KSTACKS:
		return (long)kstack_in_use();
	case WEFT_KSTAT_FREE_PAGES:
		return (long)pmm_free_pages();
	case WEFT_KSTAT_SLAB_BYTES:
		return (long)kmem_stats(NULL, NULL);
	case WEFT_KSTAT_PARKED:
		return (long)sched_nr_parked();
	case WEFT_KSTAT_NCPU:
		return (long)ncpu_online;
	case WEFT_KSTAT_PROCS:
		return (long)proc_count();
	default:
		return -EINVAL;
	}
}

const char *native_syscall_name(unsigned long nr)
{
	nr -= WEFT_SYS_BASE;
	return nr < WEFT_NR_MAX ? names[nr] : NULL;
}

long native_syscall(struct thread *t, unsigned long nr)
{
	unsigned long a[6];
	unsigned long i = nr - WEFT_SYS_BASE;
	long r;

	for (int k = 0; k < 6; k++)
		a[k] = hal_tf_arg(&t->tf, k);
	r = i < WEFT_NR_MAX && table[i] ? table[i](t, a) : -ENOSYS;
	if (__builtin_expect(nat_strace_name[0] != 0, 0) && !strcmp(t->proc->name, nat_strace_name))
		pr_info("strace %d/%d weft_%s(%lx, %lx, %lx, %lx) = %ld", t->proc->pid, t->tid,
			i < WEFT_NR_MAX && names[i] ? names[i] : "?", a[0], a[1], a[2], a[3], r);
	return r;
}
