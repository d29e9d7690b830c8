/*
 * Native syscall dispatch. Only the statistics call exists so far; the
 * capability ABI (handles, channels, AsyncQ...) will fill this table.
 */
#include <native/native.h>
#include <weft/native.h>
#include <weft/errno.h>
#include <core/kstack.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <obj/proc.h>

static long kstat(unsigned long what)
{
	switch (what) {
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

long native_syscall(struct thread *t, unsigned long nr)
{
	switch (nr) {
	case WEFT_SYS_KSTAT:
		return kstat(hal_tf_arg(&t->tf, 0));
	default:
		return -ENOSYS;
	}
}
