/*
 * weftprof: a QEMU TCG plugin (system emulation, QEMU 7.2 plugin API version
 * 1) that profiles the guest: how many times each guest instruction ran,
 * keyed by (virtual address, encoding), optionally only inside marked windows,
 * plus two optional views of cost that instruction counts do not show:
 *
 *   time=on   a host thread samples, every interval= microseconds of CPU
 *             time used by a vCPU's thread (wall=on: of wall-clock time), which
 *             translation block that vCPU last entered (with wall=on, also
 *             whether it idled in WFI). Under TCG the time spent in QEMU helpers
 *             (CSR writes, TLB refills after a flush, exceptions, MMIO) shows
 *             up on the block that caused it, so this is the nearest thing to
 *             a time profile. Costs a helper call per executed block.
 *   mem=on    counts, per instruction, the memory accesses that hit an I/O
 *             region (device MMIO: UART, CLINT, PLIC, virtio), each a slow
 *             path through the device model. Costs a callback per access.
 *
 * Windows: the guest marks a region by executing "slti x0, x0, 0x571" (open)
 * and "slti x0, x0, 0x572" (close), HINT encodings that the RISC-V spec
 * leaves to custom use and that run as no-ops anywhere. bench/wbench.c puts
 * them around each repetition of a figure. Everything every vCPU runs while a
 * window is open counts, kernel and other processes included. A window is a
 * snapshot of the cumulative counters at open, subtracted at close, so the
 * counting itself stays an inline add.
 *
 * Arguments (-plugin weftprof.so,out=FILE,time=on,...): out= (default
 * weftprof.out), time=on|off, wall=on|off, interval=N (us, default 100),
 * mem=on|off.
 *
 * Output, written when QEMU exits normally (guest power-off, SIGTERM; not
 * SIGKILL): "# weftprof 1", then "key value" lines (windows, interval_us,
 * idle, unknown and marker-snapshot samples as "total in_windows"), then one line per executed
 * instruction: "i VADDR RAW SIZE COUNT COUNT_WIN IO IO_WIN SAMPLES SAMPLES_WIN
 * TB_START LAST_RAW LAST_SIZE" (VADDR, RAW and LAST_RAW in hex; TB_START 1
 * if it ever began a block, and then LAST_* is that block's last instruction
 * in its latest translation). tools/prof/report.py reads it.
 *
 * Threads: translation, instruction callbacks and markers run on vCPU
 * threads; the table is guarded by a mutex. The inline counters are not
 * atomic, so at -smp > 1 a few counts may be lost; profile at -smp 1.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MARK_OPEN  0x57102013u /* slti x0, x0, 0x571 */
#define MARK_CLOSE 0x57202013u /* slti x0, x0, 0x572 */

enum { C_EXEC, C_IO, C_SAMPLE, NCOUNT };

/* One guest instruction seen by the translator. Records never move: TCG
 * code holds the address of c[C_EXEC]. */
struct rec {
	uint64_t c[NCOUNT];    /* cumulative */
	uint64_t base[NCOUNT]; /* c[] when the open window opened */
	uint64_t win[NCOUNT];  /* sums over closed windows */
	uint64_t vaddr;
	uint32_t raw;
	uint8_t size;
	uint8_t tb_start; /* has begun a translation block */
	uint8_t last_size; /* of the block's last instruction (tb_start) */
	uint32_t last_raw;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct rec **table; /* open addressing, power-of-two size */
static size_t table_size, table_used;
/* Time samples not in a guest block: WFI, unknown, the marker snapshots. */
static struct rec idle_rec, unknown_rec, marker_rec;

static int window_open;
static uint64_t windows;

static const char *out_path = "weftprof.out";
static int opt_time, opt_mem;
static long interval_us = 100;

static struct rec *volatile *cur; /* per vCPU: first insn of the last block */
static int n_vcpus;
static int opt_wall; /* sample wall-clock time instead of vCPU thread time */
/* Per vCPU, for thread-time sampling: the thread's CPU clock (valid once
 * clk_ok is set, by the thread itself) and the time already sampled. */
static clockid_t *clk;
static int *clk_ok;
static uint64_t *clk_done;
static pthread_t sampler;
static int sampler_running, sampler_stop;

static size_t hash(uint64_t vaddr, uint32_t raw)
{
	uint64_t h = (vaddr ^ ((uint64_t)raw << 17)) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 20);
}

static void table_put(struct rec **t, size_t size, struct rec *r)
{
	size_t i = hash(r->vaddr, r->raw) & (size - 1);

	while (t[i])
		i = (i + 1) & (size - 1);
	t[i] = r;
}

/* Double the table (lock held). Returns 0, or -1 when out of memory. */
static int table_grow(void)
{
	size_t size = table_size ? table_size * 2 : 1 << 16;
	struct rec **t = calloc(size, sizeof(*t));

	if (!t)
		return -1;
	for (size_t i = 0; i < table_size; i++)
		if (table[i])
			table_put(t, size, table[i]);
	free(table);
	table = t;
	table_size = size;
	return 0;
}

/* The record of (vaddr, raw), made if new (lock held); NULL if out of memory. */
static struct rec *rec_get(uint64_t vaddr, uint32_t raw, uint8_t size)
{
	struct rec *r;
	size_t i;

	if (table_used * 2 >= table_size && table_grow() < 0)
		return NULL;
	for (i = hash(vaddr, raw) & (table_size - 1); table[i]; i = (i + 1) & (table_size - 1))
		if (table[i]->vaddr == vaddr && table[i]->raw == raw)
			return table[i];
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->vaddr = vaddr;
	r->raw = raw;
	r->size = size;
	table[i] = r;
	table_used++;
	return r;
}

static uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void rec_open(struct rec *r)
{
	for (int k = 0; k < NCOUNT; k++)
		r->base[k] = load(&r->c[k]);
}

static void rec_close(struct rec *r)
{
	for (int k = 0; k < NCOUNT; k++)
		r->win[k] += load(&r->c[k]) - r->base[k];
}

/* Open or close the window: snapshot every record. */
static void set_window(int open)
{
	void (*fn)(struct rec *) = open ? rec_open : rec_close;

	pthread_mutex_lock(&lock);
	if (open != window_open) {
		for (size_t i = 0; i < table_size; i++)
			if (table[i])
				fn(table[i]);
		fn(&idle_rec);
		fn(&unknown_rec);
		fn(&marker_rec);
		window_open = open;
		windows += !open;
	}
	pthread_mutex_unlock(&lock);
}

static void on_mark(unsigned int vcpu, void *udata)
{
	struct rec *was = (int)vcpu < n_vcpus ? cur[vcpu] : NULL;

	/* The snapshot walks every record: its time is the profiler's own. */
	if ((int)vcpu < n_vcpus)
		cur[vcpu] = &marker_rec;
	set_window(udata != NULL);
	if ((int)vcpu < n_vcpus)
		cur[vcpu] = was;
}

static void on_tb_exec(unsigned int vcpu, void *udata)
{
	if ((int)vcpu >= n_vcpus)
		return;
	cur[vcpu] = udata;
	if (!__atomic_load_n(&clk_ok[vcpu], __ATOMIC_RELAXED) &&
	    pthread_getcpuclockid(pthread_self(), &clk[vcpu]) == 0)
		__atomic_store_n(&clk_ok[vcpu], 1, __ATOMIC_RELEASE);
}

static void on_mem(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
	struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
	struct rec *r = udata;

	(void)vcpu;
	if (hw && qemu_plugin_hwaddr_is_io(hw))
		__atomic_fetch_add(&r->c[C_IO], 1, __ATOMIC_RELAXED);
}

static void on_idle(qemu_plugin_id_t id, unsigned int vcpu)
{
	(void)id;
	if ((int)vcpu < n_vcpus)
		cur[vcpu] = &idle_rec;
}

static void on_resume(qemu_plugin_id_t id, unsigned int vcpu)
{
	(void)id;
	if ((int)vcpu < n_vcpus)
		cur[vcpu] = NULL;
}

static uint32_t insn_raw(const struct qemu_plugin_insn *insn, size_t size)
{
	const uint8_t *p = qemu_plugin_insn_data(insn);
	uint32_t raw = 0;

	for (size_t i = 0; i < size && i < 4; i++)
		raw |= (uint32_t)p[i] << (8 * i);
	return raw;
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);
	struct rec *first = NULL;
	uint32_t raw = 0;
	size_t size = 0;

	(void)id;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		struct rec *r;

		size = qemu_plugin_insn_size(insn);
		raw = insn_raw(insn, size);
		r = rec_get(qemu_plugin_insn_vaddr(insn), raw, (uint8_t)size);

		if (!r)
			break;
		if (!first) {
			first = r;
			r->tb_start = 1;
		}
		qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
							   &r->c[C_EXEC], 1);
		if (raw == MARK_OPEN || raw == MARK_CLOSE)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_NO_REGS,
							       raw == MARK_OPEN ? r : NULL);
		if (opt_mem)
			qemu_plugin_register_vcpu_mem_cb(insn, on_mem, QEMU_PLUGIN_CB_NO_REGS,
							 QEMU_PLUGIN_MEM_RW, r);
	}
	if (first) { /* how the block ends: what its time is spent leaving by */
		first->last_raw = raw;
		first->last_size = (uint8_t)size;
	}
	pthread_mutex_unlock(&lock);
	if (opt_time && first)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_tb_exec, QEMU_PLUGIN_CB_NO_REGS, first);
}

static void add_samples(int v, uint64_t n)
{
	struct rec *r = cur[v];

	__atomic_fetch_add(&(r ? r : &unknown_rec)->c[C_SAMPLE], n, __ATOMIC_RELAXED);
}

/* Samples owed to vCPU v: one per interval_us of CPU time its thread used
 * since the last ones (time a busy host takes from QEMU is not counted). */
static uint64_t thread_samples(int v)
{
	uint64_t step = (uint64_t)interval_us * 1000, now, n;
	struct timespec ts;

	if (!__atomic_load_n(&clk_ok[v], __ATOMIC_ACQUIRE) || clock_gettime(clk[v], &ts) < 0)
		return 0;
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (!clk_done[v])
		clk_done[v] = now;
	n = (now - clk_done[v]) / step;
	clk_done[v] += n * step;
	return n;
}

/*
 * The sampling thread. By default it wakes every interval_us / 4 and gives
 * each vCPU's current block one sample per interval_us of CPU time that the
 * vCPU's thread used (a WFI-idle vCPU uses none); with wall=on, one sample
 * per vCPU every interval_us of wall-clock time, idle or not.
 */
static void *sample_loop(void *arg)
{
	long nap = opt_wall ? interval_us : (interval_us + 3) / 4;
	struct timespec ts;

	(void)arg;
	while (!__atomic_load_n(&sampler_stop, __ATOMIC_RELAXED)) {
		ts.tv_sec = nap / 1000000;
		ts.tv_nsec = (nap % 1000000) * 1000;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		for (int v = 0; v < n_vcpus; v++) {
			uint64_t n = opt_wall ? 1 : thread_samples(v);
			if (n)
				add_samples(v, n);
		}
	}
	return NULL;
}

static void write_rec(FILE *f, const struct rec *r, int in_window)
{
	const uint64_t *w = in_window ? r->win : r->c;

	fprintf(f, "i %llx %x %u %llu %llu %llu %llu %llu %llu %u %x %u\n",
		(unsigned long long)r->vaddr,
		r->raw, r->size, (unsigned long long)r->c[C_EXEC], (unsigned long long)w[C_EXEC],
		(unsigned long long)r->c[C_IO], (unsigned long long)w[C_IO],
		(unsigned long long)r->c[C_SAMPLE], (unsigned long long)w[C_SAMPLE], r->tb_start,
		r->last_raw, r->last_size);
}

static void on_qemu_exit(qemu_plugin_id_t id, void *udata)
{
	FILE *f;

	(void)id;
	(void)udata;
	if (sampler_running) {
		__atomic_store_n(&sampler_stop, 1, __ATOMIC_RELAXED);
		pthread_join(sampler, NULL);
		sampler_running = 0;
	}
	set_window(0);
	f = fopen(out_path, "w");
	if (!f) {
		fprintf(stderr, "weftprof: cannot write %s: %s\n", out_path, strerror(errno));
		return;
	}
	pthread_mutex_lock(&lock);
	fprintf(f, "# weftprof 1\n");
	fprintf(f, "windows %llu\n", (unsigned long long)windows);
	fprintf(f, "time %d\nmem %d\ninterval_us %ld\nwall %d\n", opt_time, opt_mem, interval_us,
		opt_wall);
	fprintf(f, "idle_samples %llu %llu\n", (unsigned long long)idle_rec.c[C_SAMPLE],
		(unsigned long long)idle_rec.win[C_SAMPLE]);
	fprintf(f, "unknown_samples %llu %llu\n", (unsigned long long)unknown_rec.c[C_SAMPLE],
		(unsigned long long)unknown_rec.win[C_SAMPLE]);
	fprintf(f, "marker_samples %llu %llu\n", (unsigned long long)marker_rec.c[C_SAMPLE],
		(unsigned long long)marker_rec.win[C_SAMPLE]);
	for (size_t i = 0; i < table_size; i++)
		if (table[i] && table[i]->c[C_EXEC])
			write_rec(f, table[i], windows > 0);
	pthread_mutex_unlock(&lock);
	if (fclose(f) != 0)
		fprintf(stderr, "weftprof: error writing %s\n", out_path);
}

/* Parse one "name=value" argument; -1 if unknown or malformed. */
static int parse_arg(const char *arg)
{
	const char *eq = strchr(arg, '=');
	bool b;

	if (!eq)
		return -1;
	if (!strncmp(arg, "out=", 4)) {
		out_path = eq + 1;
		return 0;
	}
	if (!strncmp(arg, "interval=", 9)) {
		char *end;
		interval_us = strtol(eq + 1, &end, 10);
		return (*end || interval_us <= 0) ? -1 : 0;
	}
	if (!strncmp(arg, "time=", 5))
		return qemu_plugin_bool_parse("time", eq + 1, &b) ? (opt_time = b, 0) : -1;
	if (!strncmp(arg, "wall=", 5))
		return qemu_plugin_bool_parse("wall", eq + 1, &b) ? (opt_wall = b, 0) : -1;
	if (!strncmp(arg, "mem=", 4))
		return qemu_plugin_bool_parse("mem", eq + 1, &b) ? (opt_mem = b, 0) : -1;
	return -1;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
					   char **argv)
{
	for (int i = 0; i < argc; i++)
		if (parse_arg(argv[i]) < 0) {
			fprintf(stderr, "weftprof: bad argument '%s' (out=, time=, wall=, interval=, mem=)\n",
				argv[i]);
			return -1;
		}
	if (!info->system_emulation || strcmp(info->target_name, "riscv64")) {
		fprintf(stderr, "weftprof: needs qemu-system-riscv64\n");
		return -1;
	}
	n_vcpus = info->system.max_vcpus;
	cur = calloc(n_vcpus, sizeof(*cur));
	clk = calloc(n_vcpus, sizeof(*clk));
	clk_ok = calloc(n_vcpus, sizeof(*clk_ok));
	clk_done = calloc(n_vcpus, sizeof(*clk_done));
	if (!cur || !clk || !clk_ok || !clk_done || table_grow() < 0)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
	qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
	if (opt_time) {
		qemu_plugin_register_vcpu_idle_cb(id, on_idle);
		qemu_plugin_register_vcpu_resume_cb(id, on_resume);
		if (pthread_create(&sampler, NULL, sample_loop, NULL) != 0)
			return -1;
		sampler_running = 1;
	}
	return 0;
}
