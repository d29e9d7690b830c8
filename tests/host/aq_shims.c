/*
 * Stand-ins for the host test of AsyncQ (tests/host/test_asyncq.c): kernel
 * timers that fire only when the test says (aq_shim_fire), and vm_map_pager
 * that maps nothing (the test reads the rings through the queue's kernel
 * view, which is the same memory user space would see).
 */
#include <core/ktimer.h>
#include <core/vm.h>
#include <core/spinlock.h>
#include <weft/errno.h>
#include <stdlib.h>

#define MAX_ARMED 4096

static struct spinlock shim_lock;

__attribute__((constructor)) static void shim_init(void)
{
	spin_init(&shim_lock, "aq-shim");
}
static struct ktimer *armed[MAX_ARMED];
static unsigned armed_round[MAX_ARMED]; /* the fire round it was armed in */
static unsigned round;			/* shim_lock */
static int narmed;
static void *marker = &narmed; /* t->base while armed */
static struct ktimer *running; /* atomic: the callback in progress */

void ktimer_init(struct ktimer *t, ktimer_fn_t fn, void *arg)
{
	t->fn = fn;
	t->arg = arg;
	t->base = NULL;
	t->deadline = 0;
}

static bool unarm_locked(struct ktimer *t)
{
	for (int i = 0; i < narmed; i++)
		if (armed[i] == t) {
			armed_round[i] = armed_round[--narmed];
			armed[i] = armed[narmed];
			t->base = NULL;
			return true;
		}
	return false;
}

bool ktimer_cancel(struct ktimer *t)
{
	bool was;

	spin_lock(&shim_lock);
	was = unarm_locked(t);
	spin_unlock(&shim_lock);
	return was;
}

bool ktimer_cancel_sync(struct ktimer *t)
{
	bool was = false;

	do {
		was |= ktimer_cancel(t);
		while (__atomic_load_n(&running, __ATOMIC_ACQUIRE) == t)
			;
	} while (__atomic_load_n(&t->base, __ATOMIC_ACQUIRE));
	return was;
}

void ktimer_arm(struct ktimer *t, uint64_t deadline_ns)
{
	spin_lock(&shim_lock);
	unarm_locked(t);
	t->deadline = deadline_ns;
	t->base = marker;
	if (narmed == MAX_ARMED)
		abort();
	armed_round[narmed] = round;
	armed[narmed++] = t;
	spin_unlock(&shim_lock);
}

/* Fire every timer due at now that was armed before this call (earliest
 * first; one a callback re-arms waits for the next call): how many fired. */
int aq_shim_fire(uint64_t now)
{
	unsigned mine;
	int n = 0;

	spin_lock(&shim_lock);
	mine = round++;
	spin_unlock(&shim_lock);
	for (;;) {
		struct ktimer *t = NULL;
		spin_lock(&shim_lock);
		for (int i = 0; i < narmed; i++)
			if (armed_round[i] <= mine && armed[i]->deadline <= now &&
			    (!t || armed[i]->deadline < t->deadline))
				t = armed[i];
		if (t) {
			unarm_locked(t);
			__atomic_store_n(&running, t, __ATOMIC_RELEASE);
		}
		spin_unlock(&shim_lock);
		if (!t)
			return n;
		t->fn(t);
		__atomic_store_n(&running, NULL, __ATOMIC_RELEASE);
		n++;
	}
}

int aq_shim_armed(void)
{
	return narmed;
}

int vm_map_pager(struct vm_space *vm, uaddr_t *addr, size_t len, unsigned prot, unsigned flags,
		 const struct vm_pager_ops *pager, void *obj, uint64_t off)
{
	(void)vm, (void)len, (void)prot, (void)flags, (void)off;
	pager->get(obj);
	pager->put(obj); /* no region keeps it: the queue's own reference does */
	*addr = 0x10000000;
	return 0;
}

unsigned aq_shim_round(void)
{
	return __atomic_load_n(&round, __ATOMIC_RELAXED);
}
