/*
 * In-kernel test of the service framework (`ktest=svc` on the command line):
 * a kernel thread sends 1,000 requests to a test service with a fault
 * injected into every 50th, the kind changing every 250 requests (panic, bad
 * pointer, illegal instruction, a spin the watchdog must end). Exactly the
 * injected requests must fail with -EIO and every other one must return its
 * own value; the service's fault, restart and timeout counters and its
 * recover hook must agree. Then a request that faults while holding a
 * spinlock, followed by one that takes the same lock (it would deadlock if
 * the lock had not been released). Prints one PASS/FAIL line and powers off.
 *
 * In the monolithic build nothing is contained, so only the plain requests
 * run (with no injection) and the line says so.
 */
#include <core/klog.h>
#include <core/kthread.h>
#include <core/spinlock.h>
#include <hal/cpu.h>
#include <lib/fmt.h>
#include <svc/svc.h>
#include <weft/errno.h>
#include "ktest.h"

#define REQUESTS 1000
#define EVERY	 50

static unsigned recovered;
static struct spinlock test_lock = SPINLOCK_INIT("ktest-svc");

static void test_recover(struct service *s)
{
	(void)s;
	recovered++;
}

static struct service test_svc = {
    .name = "ktest",
    .nworkers = 1,
    .watchdog_ns = 200ull * 1000 * 1000,
    .recover = test_recover,
};

static long echo(struct svc_req *r)
{
	spin_lock(&test_lock);
	long v = (long)(uintptr_t)r->arg * 3;
	spin_unlock(&test_lock);
	return v;
}

static long fault_holding_lock(struct svc_req *r)
{
	(void)r;
	spin_lock(&test_lock);
	*(volatile unsigned long *)(uintptr_t)0x20 = 1;
	spin_unlock(&test_lock);
	return 0;
}

static void client(void *arg)
{
	static const char *const kinds[] = {"panic", "badptr", "illegal", "spin"};
	unsigned wrong = 0, failed = 0;
	bool mono = svc_monolithic();
	char spec[48];
	long r;

	(void)arg;
	for (unsigned i = 1; i <= REQUESTS; i++) {
		if (!mono && i % 250 == 1) {
			fmt_snprintf(spec, sizeof(spec), "ktest:every:%u:%s", EVERY, kinds[i / 250]);
			if (svc_inject_parse(spec))
				wrong++;
		}
		r = svc_call(&test_svc, echo, (void *)(uintptr_t)i);
		bool injected = !mono && (i - 1) % 250 % EVERY == EVERY - 1;
		if (r == -EIO)
			failed++;
		if (injected ? r != -EIO : r != (long)i * 3) {
			if (wrong++ < 5)
				kprintf("ktest svc: request %u returned %ld\n", i, r);
		}
	}
	if (!mono) {
		svc_inject_parse("ktest:off");
		r = svc_call(&test_svc, fault_holding_lock, NULL);
		if (r != -EIO)
			wrong++;
	}
	r = svc_call(&test_svc, echo, (void *)7);
	if (r != 21)
		wrong++;
	unsigned expect = mono ? 0 : REQUESTS / EVERY;
	unsigned faults = (unsigned)test_svc.nr_faults;
	bool ok = !wrong && failed == expect && faults == expect + !mono &&
		  test_svc.nr_restarts == faults && recovered == faults &&
		  test_svc.nr_timeouts == (mono ? 0 : REQUESTS / 4 / EVERY) &&
		  test_svc.nr_injected == expect;
	kprintf("ktest svc (%s): %u requests, %u failed with EIO (%u expected), faults %u, restarts "
		"%lu, recovered %u, timeouts %lu, injected %lu, wrong %u: %s\n",
		mono ? "monolithic" : "hybrid", REQUESTS + 1 + !mono, failed, expect, faults,
		(unsigned long)test_svc.nr_restarts, recovered, (unsigned long)test_svc.nr_timeouts,
		(unsigned long)test_svc.nr_injected, wrong, ok ? "PASS" : "FAIL");
	weft_shutdown(!ok);
}

void ktest_svc(void)
{
	if (svc_start(&test_svc) || !kthread_create("ktest-client", client, NULL))
		panic("ktest svc: cannot start");
}
