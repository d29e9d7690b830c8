/*
 * procfs text generation: the snapshot buffer and the system-wide files.
 *
 * A generator prints into a fixed buffer; if the text does not fit, the buffer
 * is marked overflowed and procfs_generate runs the generator again with one
 * twice as large, so each file is one consistent snapshot of the state it
 * read (generators copy kernel state into locals first and print after).
 * Formats are Linux's (proc(5)); values Weft does not track print as 0.
 *
 * Times: CPU time is what idle_ns leaves of the time since boot, shown as
 * system time (Weft keeps no per-mode counters). The load averages are
 * exponential averages of the runnable-thread count, updated when loadavg is
 * read: the count seen at a read stands for the whole interval since the last
 * one, with Linux's 5-second decay constants.
 */
#include <fs/vfs.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <core/spinlock.h>
#include <hal/cpu.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "procfs_impl.h"

void procfs_printf(struct procfs_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = fmt_vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len)
		b->overflow = true;
	else
		b->len += (size_t)n;
}

void procfs_putc(struct procfs_buf *b, char c)
{
	if (b->overflow || b->len + 1 >= b->cap)
		b->overflow = true;
	else
		b->data[b->len++] = c;
}

void procfs_put_escaped(struct procfs_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			procfs_printf(b, "\\%03o", (unsigned char)*s);
		else
			procfs_putc(b, *s);
	}
}

int procfs_generate(procfs_gen_t gen, int pid, struct procfs_snap **out)
{
	size_t size = PAGE_SIZE;

	for (; size <= PROCFS_SNAP_MAX; size *= 2) {
		struct procfs_snap *s = kmalloc(size);
		struct procfs_buf b = {0};
		int err;

		if (!s)
			return -ENOMEM;
		b.data = s->data;
		b.cap = size - sizeof(*s);
		err = gen(&b, pid);
		if (!err && !b.overflow) {
			s->len = b.len;
			*out = s;
			return 0;
		}
		kfree(s);
		if (err)
			return err;
	}
	return -EFBIG;
}

/* ---- memory ---- */

static void meminfo_line(struct procfs_buf *b, const char *name, unsigned long kib)
{
	procfs_printf(b, "%-16s%8lu kB\n", name, kib);
}

int procfs_gen_meminfo(struct procfs_buf *b, int pid)
{
	unsigned long total = pmm_total_pages() * (PAGE_SIZE / 1024);
	unsigned long free = pmm_free_pages() * (PAGE_SIZE / 1024);
	unsigned long slab = (unsigned long)(kmem_stats(NULL, NULL) / 1024);
	static const char *const zero[] = {
	    "SwapCached:", "Active:",	 "Inactive:",  "SwapTotal:", "SwapFree:",
	    "Dirty:",	   "Writeback:", "AnonPages:", "Mapped:",    "Shmem:",
	};

	meminfo_line(b, "MemTotal:", total);
	meminfo_line(b, "MemFree:", free);
	meminfo_line(b, "MemAvailable:", free);
	meminfo_line(b, "Buffers:", 0);
	meminfo_line(b, "Cached:", 0);
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		meminfo_line(b, zero[i], 0);
	meminfo_line(b, "Slab:", slab);
	meminfo_line(b, "SReclaimable:", 0);
	meminfo_line(b, "SUnreclaim:", slab);
	return 0;
}

static void slabinfo_line(const struct kmem_stat *st, void *arg)
{
	procfs_printf(arg, "%-20s %8lu %8lu %6lu\n", st->name, st->inuse, st->total,
		      (unsigned long)st->objsize);
}

/* /proc/slabinfo: each cache's objects in use and room, and object size. */
int procfs_gen_slabinfo(struct procfs_buf *b, int pid)
{
	(void)pid;
	procfs_printf(b, "%-20s %8s %8s %6s\n", "# name", "active", "total", "size");
	size_t bytes = kmem_stats(slabinfo_line, b);
	procfs_printf(b, "# %lu bytes in use, large kmallocs included\n", (unsigned long)bytes);
	return 0;
}

/* ---- CPUs and time ---- */

/* CPU counters; 0 CPUs when process objects are not linked in (host). */
static int cpus_get(struct proc_cpu_info *ci)
{
	return proc_cpu_info ? proc_cpu_info(ci, NCPU_MAX) : 0;
}

int procfs_gen_cpuinfo(struct procfs_buf *b, int pid)
{
	struct proc_cpu_info ci[NCPU_MAX];
	int n = cpus_get(ci);

	for (int i = 0; i < n; i++) {
		if (!ci[i].online)
			continue;
		procfs_printf(b,
			      "processor\t: %u\nhart\t\t: %u\nisa\t\t: rv64imafdc\n"
			      "mmu\t\t: sv39\n\n",
			      ci[i].id, ci[i].hartid);
	}
	return 0;
}

/* ns as "seconds.hundredths". */
static void put_centis(struct procfs_buf *b, uint64_t ns)
{
	uint64_t cs = ns / 10000000;

	procfs_printf(b, "%lu.%02lu", (unsigned long)(cs / 100), (unsigned long)(cs % 100));
}

int procfs_gen_uptime(struct procfs_buf *b, int pid)
{
	struct proc_cpu_info ci[NCPU_MAX];
	uint64_t idle = 0, now = hal_time_ns();
	int n = cpus_get(ci);

	for (int i = 0; i < n; i++)
		idle += ci[i].idle_ns;
	put_centis(b, now);
	procfs_putc(b, ' ');
	put_centis(b, idle);
	procfs_putc(b, '\n');
	return 0;
}

#define LOAD_FSHIFT 11
#define LOAD_FIXED1 (1ul << LOAD_FSHIFT)
#define LOAD_PERIOD 5000000000ull /* one decay step: 5 s */

static const unsigned long load_exp[3] = {1884, 2014, 2037}; /* 1, 5, 15 minutes */
static struct spinlock load_lock = SPINLOCK_INIT("procfs-load");
static unsigned long load_avg[3]; /* load_lock: fixed point, LOAD_FSHIFT bits */
static uint64_t load_last_ns;	  /* load_lock: time of the last step taken */

/* Advance the averages to now with `running` as the count since the last read. */
static void load_update(unsigned long running, unsigned long out[3])
{
	uint64_t now = hal_time_ns();
	unsigned steps = 0;

	spin_lock(&load_lock);
	while (now - load_last_ns >= LOAD_PERIOD && steps++ < 1024) {
		load_last_ns += LOAD_PERIOD;
		for (int i = 0; i < 3; i++)
			load_avg[i] = (load_avg[i] * load_exp[i] +
				       running * LOAD_FIXED1 * (LOAD_FIXED1 - load_exp[i])) >>
				      LOAD_FSHIFT;
	}
	if (now - load_last_ns >= LOAD_PERIOD) /* long quiet: restart the clock */
		load_last_ns = now;
	memcpy(out, load_avg, sizeof(load_avg));
	spin_unlock(&load_lock);
}

static void sys_get(struct proc_sys_info *si)
{
	*si = (struct proc_sys_info){0};
	if (proc_sys_info)
		proc_sys_info(si);
}

int procfs_gen_loadavg(struct procfs_buf *b, int pid)
{
	struct proc_sys_info si;
	unsigned long avg[3];

	sys_get(&si);
	load_update(si.nr_running, avg);
	for (int i = 0; i < 3; i++) {
		unsigned long centi = (avg[i] * 100 + LOAD_FIXED1 / 2) >> LOAD_FSHIFT;
		procfs_printf(b, "%lu.%02lu ", centi / 100, centi % 100);
	}
	procfs_printf(b, "%lu/%lu %d\n", si.nr_running, si.nr_procs, si.last_pid);
	return 0;
}

/* One "cpu" line: busy time as system time, the rest idle (USER_HZ ticks). */
static void stat_cpu_line(struct procfs_buf *b, const char *name, uint64_t up_ns, uint64_t idle_ns)
{
	uint64_t busy = up_ns > idle_ns ? up_ns - idle_ns : 0;
	uint64_t tick = 1000000000ull / PROCFS_USER_HZ;

	procfs_printf(b, "%s 0 0 %lu %lu 0 0 0 0 0 0\n", name, (unsigned long)(busy / tick),
		      (unsigned long)(idle_ns / tick));
}

int procfs_gen_stat(struct procfs_buf *b, int pid)
{
	struct proc_cpu_info ci[NCPU_MAX];
	struct proc_sys_info si;
	uint64_t now = hal_time_ns(), idle = 0, ctxt = 0, irqs = 0;
	int n = cpus_get(ci);
	char name[16];

	sys_get(&si);
	for (int i = 0; i < n; i++) {
		idle += ci[i].idle_ns;
		ctxt += ci[i].nr_switches;
		irqs += ci[i].nr_irqs;
	}
	stat_cpu_line(b, "cpu ", now * (uint64_t)(n ? n : 1), idle);
	for (int i = 0; i < n; i++) {
		fmt_snprintf(name, sizeof(name), "cpu%u", ci[i].id);
		stat_cpu_line(b, name, now, ci[i].idle_ns);
	}
	procfs_printf(b, "intr %lu\nctxt %lu\nbtime 0\nprocesses %d\n", (unsigned long)irqs,
		      (unsigned long)ctxt, si.last_pid);
	procfs_printf(b, "procs_running %lu\nprocs_blocked %lu\n", si.nr_running, si.nr_parked);
	return 0;
}

int procfs_gen_version(struct procfs_buf *b, int pid)
{
	procfs_printf(b, "Linux version " PROCFS_RELEASE " (weft@weft) (gcc version " __VERSION__
			 ") #1 SMP Weft\n");
	return 0;
}

struct procfs_entry procfs_sys_files[PROCFS_SYS_MAX] = {
    {"cpuinfo", procfs_gen_cpuinfo, NULL}, {"filesystems", procfs_gen_filesystems, NULL},
    {"loadavg", procfs_gen_loadavg, NULL}, {"meminfo", procfs_gen_meminfo, NULL},
    {"slabinfo", procfs_gen_slabinfo, NULL},
    {"mounts", procfs_gen_mounts, NULL},   {"stat", procfs_gen_stat, NULL},
    {"uptime", procfs_gen_uptime, NULL},   {"version", procfs_gen_version, NULL},
};
unsigned procfs_nsys_files = 9;

int procfs_register(const char *name, procfs_gen_t gen, procfs_write_t write)
{
	static struct spinlock lock = SPINLOCK_INIT("procfs-reg");
	int err = 0;

	spin_lock(&lock);
	for (unsigned i = 0; i < procfs_nsys_files; i++)
		if (!strcmp(procfs_sys_files[i].name, name))
			err = -EEXIST;
	if (!err && procfs_nsys_files == PROCFS_SYS_MAX)
		err = -ENOMEM;
	if (!err) {
		procfs_sys_files[procfs_nsys_files] = (struct procfs_entry){name, gen, write};
		__atomic_store_n(&procfs_nsys_files, procfs_nsys_files + 1, __ATOMIC_RELEASE);
	}
	spin_unlock(&lock);
	return err;
}
