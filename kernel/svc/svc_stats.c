/*
 * Fault injection and the /proc/services file.
 *
 * /proc/services shows one line per service with its counters; writing an
 * injection spec to it ("fs:every:50:panic", "fs:nth:3:badptr",
 * "fs:every:7:change:illegal", "fs:off")
 * changes that service's injection, and resets its injection count. The same
 * spec may be given at boot as svc.inject=... (applied when the service
 * starts).
 */
#include <core/klog.h>
#include <fs/bcache.h>
#include <fs/procfs.h>
#include <hal/cpu.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "svc_impl.h"

static char boot_spec[64]; /* svc.inject= from the command line, applied at start */

static const char *const kind_names[] = {
    [SVC_INJ_NONE] = "off",	   [SVC_INJ_PANIC] = "panic", [SVC_INJ_BADPTR] = "badptr",
    [SVC_INJ_ILLEGAL] = "illegal", [SVC_INJ_SPIN] = "spin",
};

static struct service *find(const char *name, size_t len)
{
	struct service *found = NULL;
	struct list *it;

	spin_lock(&svc_list_lock);
	list_for_each(it, &svc_list) {
		struct service *s = list_entry(it, struct service, all);
		if (strlen(s->name) == len && !strncmp(s->name, name, len))
			found = s;
	}
	spin_unlock(&svc_list_lock);
	return found;
}

/* Split "a:b:c:d:e" (trailing newline ignored) into at most 5 fields. */
static int split(const char *spec, const char *f[5], size_t n[5])
{
	int k = 0;

	while (k < 5) {
		f[k] = spec;
		while (*spec && *spec != ':' && *spec != '\n')
			spec++;
		n[k] = (size_t)(spec - f[k]);
		k++;
		if (*spec != ':')
			break;
		spec++;
	}
	return *spec && *spec != '\n' ? -1 : k;
}

static bool word_is(const char *f, size_t n, const char *w)
{
	return strlen(w) == n && !strncmp(f, w, n);
}

int svc_inject_parse(const char *spec)
{
	const char *f[5];
	size_t n[5];
	int k = split(spec, f, n);
	struct service *s = k > 0 ? find(f[0], n[0]) : NULL;
	enum svc_fault_kind kind = SVC_INJ_NONE;
	unsigned long every_n = 0;

	if (!s)
		return -EINVAL;
	if (k == 2 && word_is(f[1], n[1], "off")) {
		kind = SVC_INJ_NONE;
	} else if ((k == 4 || (k == 5 && word_is(f[3], n[3], "change"))) &&
		   (word_is(f[1], n[1], "every") || word_is(f[1], n[1], "nth"))) {
		char num[24];
		if (!n[2] || n[2] >= sizeof(num))
			return -EINVAL;
		memcpy(num, f[2], n[2]);
		num[n[2]] = 0;
		const char *end;
		every_n = lib_strtoul(num, &end, 10);
		if (*end || !every_n)
			return -EINVAL;
		for (unsigned i = SVC_INJ_PANIC; i <= SVC_INJ_SPIN; i++)
			if (word_is(f[k - 1], n[k - 1], kind_names[i]))
				kind = i;
		if (kind == SVC_INJ_NONE)
			return -EINVAL;
		if (kind == SVC_INJ_SPIN && (!s->watchdog_ns || k == 5))
			return -EINVAL; /* nothing would end the spin (where a block changes,
					 * interrupts may be off) */
	} else {
		return -EINVAL;
	}
	if (k == 5)
		bcache_change_hook = svc_change_point; /* stays: it costs a test per change */
	spin_lock(&s->lock);
	s->inj_kind = kind;
	s->inj_at_change = k == 5;
	s->inj_every = k >= 4 && f[1][0] == 'e';
	s->inj_n = every_n;
	s->inj_count = 0;
	spin_unlock(&s->lock);
	pr_info("svc %s: fault injection %s", s->name, spec);
	return 0;
}

void svc_inject_boot(const char *spec)
{
	strlcpy(boot_spec, spec, sizeof(boot_spec));
}

void svc_inject_started(struct service *s)
{
	size_t n = strlen(s->name);

	if (boot_spec[0] && !strncmp(boot_spec, s->name, n) && boot_spec[n] == ':')
		svc_inject_parse(boot_spec);
}

void svc_inject_maybe(struct service *s, struct svc_worker *w)
{
	enum svc_fault_kind kind = SVC_INJ_NONE;

	if (__atomic_load_n(&s->inj_kind, __ATOMIC_RELAXED) == SVC_INJ_NONE)
		return; /* no injection set: the common case takes no lock */
	spin_lock(&s->lock);
	if (s->inj_kind != SVC_INJ_NONE) {
		s->inj_count++;
		if (s->inj_every ? s->inj_count % s->inj_n == 0 : s->inj_count == s->inj_n)
			kind = s->inj_kind;
	}
	bool at_change = s->inj_at_change;
	spin_unlock(&s->lock);
	if (kind == SVC_INJ_NONE)
		return;
	if (at_change)
		w->armed = kind;
	else
		svc_inject_fault(s, kind);
}

void svc_inject_fault(struct service *s, enum svc_fault_kind kind)
{
	__atomic_add_fetch(&s->nr_injected, 1, __ATOMIC_RELAXED);
	switch (kind) {
	case SVC_INJ_PANIC:
		panic("svc %s: injected panic", s->name);
	case SVC_INJ_BADPTR:
		*(volatile unsigned long *)(uintptr_t)0x18 = 1; /* unmapped: a page fault */
		break;
	case SVC_INJ_ILLEGAL:
		__asm__ volatile(".4byte 0"); /* all-zero: an illegal instruction */
		break;
	case SVC_INJ_SPIN:
		for (;;)
			hal_cpu_relax(); /* interrupts on: the watchdog ends it */
	default:
		break;
	}
}

static int gen_services(struct procfs_buf *b, int pid)
{
	struct list *it;

	(void)pid;
	procfs_printf(b, "%-8s %7s %9s %9s %7s %7s %8s %8s %8s %6s  %s\n", "service", "workers",
		      "requests", "completed", "failed", "faults", "restarts", "timeouts",
		      "injected", "queued", "inject");
	spin_lock(&svc_list_lock);
	list_for_each(it, &svc_list) {
		struct service *s = list_entry(it, struct service, all);
		procfs_printf(b, "%-8s %7u %9lu %9lu %7lu %7lu %8lu %8lu %8lu %6u  ", s->name,
			      svc_monolithic() ? 0 : s->nworkers, (unsigned long)s->nr_requests,
			      (unsigned long)s->nr_completed, (unsigned long)s->nr_failed,
			      (unsigned long)s->nr_faults, (unsigned long)s->nr_restarts,
			      (unsigned long)s->nr_timeouts, (unsigned long)s->nr_injected,
			      s->queued);
		if (s->inj_kind != SVC_INJ_NONE) /* as the spec that set it */
			procfs_printf(b, "%s:%lu:%s", s->inj_every ? "every" : "nth",
				      (unsigned long)s->inj_n, s->inj_at_change ? "change:" : "");
		procfs_printf(b, "%s", kind_names[s->inj_kind]);
		procfs_printf(b, "\n");
	}
	spin_unlock(&svc_list_lock);
	return 0;
}

static int write_services(const char *text, size_t len)
{
	(void)len;
	return svc_inject_parse(text);
}

void svc_procfs_init(void)
{
	int err = procfs_register("services", gen_services, write_services);

	if (err)
		pr_warn("svc: /proc/services not registered (%d)", err);
}
