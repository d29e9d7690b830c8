/*
 * Linux syscall dispatch. The table is generated from the master list in
 * <weft/linux_syscalls.h>; each handler is a weak reference, so a listed call
 * whose handler is not written yet dispatches to NULL and returns -ENOSYS like
 * an unlisted one. Every -ENOSYS is counted per number and reported by name at
 * shutdown, so we know what programs wanted next.
 */
#include <linux/lx.h>
#include <weft/linux_syscalls.h>
#include <core/klog.h>
#include <lib/string.h>

#define DECLARE(nr, name) extern long lx_sys_##name(struct thread *t, const unsigned long *a) \
	__attribute__((weak));
LX_SYSCALLS(DECLARE)
#undef DECLARE

#define ENTRY(nr, name) [nr] = lx_sys_##name,
static lx_handler_t const table[LX_NR_MAX] = { LX_SYSCALLS(ENTRY) };
#undef ENTRY

#define NAME(nr, name) [nr] = #name,
static const char *const names[LX_NR_MAX] = { LX_SYSCALLS(NAME) };
#undef NAME

static unsigned long enosys_count[LX_NR_MAX + 1];	/* last slot: numbers out of range */

/* strace=NAME on the command line: log every syscall of processes so named. */
char lx_strace_name[16];

static void trace(struct thread *t, unsigned long nr, const unsigned long *a, long r)
{
	pr_info("strace %d/%d %s(%lx, %lx, %lx, %lx) = %ld", t->proc->pid, t->tid,
		nr < LX_NR_MAX && names[nr] ? names[nr] : "?", a[0], a[1], a[2], a[3], r);
}

long lx_syscall(struct thread *t, unsigned long nr)
{
	/* Spelled out: GCC keeps a loop here, six more translated blocks per
	 * syscall under QEMU (docs/profile.md). */
	unsigned long a[6] = {
	    hal_tf_arg(&t->tf, 0), hal_tf_arg(&t->tf, 1), hal_tf_arg(&t->tf, 2),
	    hal_tf_arg(&t->tf, 3), hal_tf_arg(&t->tf, 4), hal_tf_arg(&t->tf, 5),
	};
	long r;

	if (nr >= LX_NR_MAX || !table[nr]) {
		__atomic_add_fetch(&enosys_count[nr < LX_NR_MAX ? nr : LX_NR_MAX], 1,
				   __ATOMIC_RELAXED);
		r = -ENOSYS;
	} else {
		r = table[nr](t, a);
	}
	if (r == -ERESTARTSYS) { /* -EINTR, or the call again if no handler runs */
		lx_interrupted(t);
		r = -EINTR;
	}
	if (__builtin_expect(lx_strace_name[0] != 0, 0) && !strcmp(t->proc->name, lx_strace_name))
		trace(t, nr, a, r);
	return r;
}

void lx_enosys_report(void)
{
	for (unsigned long nr = 0; nr <= LX_NR_MAX; nr++) {
		if (!enosys_count[nr])
			continue;
		if (nr == LX_NR_MAX)
			pr_info("enosys: out-of-range numbers: %lu calls", enosys_count[nr]);
		else
			pr_info("enosys: %lu (%s): %lu calls", nr, names[nr] ? names[nr] : "?",
				enosys_count[nr]);
	}
}
