/*
 * A native program started with no handles: it checks that it can do
 * nothing but exit. Linux calls are -ENOSYS, the name service cannot be
 * reached without a handle, no handle value but its own "self" and its root
 * VMAR names anything, and its self handle cannot kill. Exit code 42 when
 * every check holds, else the number of the first that failed.
 *
 * Its args select other behaviours for the tests: "spin" loops until killed,
 * "fault" writes to address 0 (the kernel kills it), "exit=N" exits with N,
 * "threads" runs NTHREADS threads that each add to a counter and exits with
 * the sum once all have ended (the main thread spins: there is no futex),
 * "vmar" maps a VMO into itself through the root VMAR it was given (exit 0
 * when every check holds, else 100 + the number of the first that failed).
 */
#include <weft/sys.h>
#include <weft/errno.h>
#include <weft/vmo.h>

static long linux_call(long nr)
{
	return weft_syscall6(nr, 1, 0, 0, 0, 0, 0);
}

static int is(const struct weft_startinfo *si, const char *word)
{
	const char *a = (const char *)si->args;
	uint32_t i = 0;

	for (; word[i]; i++)
		if (i >= si->args_len || a[i] != word[i])
			return 0;
	return 1;
}

static int checks(const struct weft_startinfo *si)
{
	static const long linux_nrs[] = {
	    64 /* write */,  63 /* read */,  56 /* openat */,	  172 /* getpid */,
	    220 /* clone */, 222 /* mmap */, 94 /* exit_group */, 129 /* kill */};
	struct weft_obj_info info;
	handle_t h;
	int n = 1;

	if (si->version != 2 || si->nhandles != 0)
		return n;
	n++;
	for (unsigned i = 0; i < sizeof(linux_nrs) / sizeof(linux_nrs[0]); i++)
		if (linux_call(linux_nrs[i]) != -ENOSYS)
			return n;
	n++;
	if (weft_name_resolve(0, "fs", WEFT_RIGHTS_SAME, &h) != -EBADF)
		return n;
	n++;
	if (weft_object_get_info(si->self, &info) || info.type != WEFT_OBJ_PROCESS)
		return n;
	n++;
	if (weft_process_kill(si->self) != -EACCES)
		return n;
	n++;
	/* every other handle value is nothing */
	for (uint32_t v = 1; v < (1u << 20); v += 257)
		if (v != si->self && v != si->vmar && weft_object_get_info(v, &info) != -EBADF)
			return n;
	return 42;
}

#define NTHREADS 4
static uint8_t stacks[NTHREADS][8192] __attribute__((aligned(16)));
static int counter, finished;

static void worker(void *arg)
{
	__atomic_add_fetch(&counter, (int)(uintptr_t)arg, __ATOMIC_RELAXED);
	__atomic_add_fetch(&finished, 1, __ATOMIC_RELEASE);
}

static int threads(void)
{
	for (int i = 0; i < NTHREADS; i++)
		if (weft_thread_start(worker, (void *)(uintptr_t)(i + 1), stacks[i],
				      sizeof(stacks[i])) <= 0)
			return 1;
	while (__atomic_load_n(&finished, __ATOMIC_ACQUIRE) < NTHREADS)
		;
	return __atomic_load_n(&counter, __ATOMIC_RELAXED); /* 1 + 2 + 3 + 4 */
}

#define PG 4096

/* Map a two-page VMO through the root VMAR, write through the mapping and
 * read back through the VMO (and the other way), refuse W+X, protect it
 * read-only, unmap it, and map it again at exactly the freed address. */
static int vmar(const struct weft_startinfo *si)
{
	struct weft_obj_info info;
	uint64_t got = 0, val = 0x5eed;
	handle_t v;
	int n = 100;

	if (weft_object_get_info(si->vmar, &info) || info.type != WEFT_OBJ_VMAR)
		return n;
	n++;
	if (weft_raw_vmo_create(2 * PG, 0, WEFT_L(&v), 0, 0, 0))
		return n;
	n++;
	long addr = weft_raw_vmar_map(si->vmar, WEFT_VM_READ | WEFT_VM_WRITE, 0, v, 0, 2 * PG);
	if (addr <= 0)
		return n;
	n++;
	volatile uint64_t *p = (volatile uint64_t *)addr;
	p[PG / 8] = 77;
	if (weft_raw_vmo_read(v, WEFT_L(&got), 8, PG, 0, 0) || got != 77)
		return n;
	n++;
	if (weft_raw_vmo_write(v, WEFT_L(&val), 8, 0, 0, 0) || p[0] != 0x5eed)
		return n;
	n++;
	if (weft_raw_vmar_protect(si->vmar, addr, PG, WEFT_VM_READ | WEFT_VM_WRITE | WEFT_VM_EXEC, 0,
				  0) != -EPERM)
		return n;
	n++;
	if (weft_raw_vmar_protect(si->vmar, addr, 2 * PG, WEFT_VM_READ, 0, 0) || p[PG / 8] != 77)
		return n;
	n++;
	if (weft_raw_vmar_unmap(si->vmar, addr, 2 * PG, 0, 0, 0))
		return n;
	n++;
	long again = weft_raw_vmar_map(si->vmar, WEFT_VM_READ | WEFT_VM_SPECIFIC, addr, v, 0, PG);
	if (again != addr || p[0] != 0x5eed)
		return n;
	n++;
	if (weft_raw_vmar_unmap(si->vmar, addr, PG, 0, 0, 0) || weft_handle_close(v))
		return n;
	return 0;
}

int main(const struct weft_startinfo *si)
{
	if (is(si, "vmar"))
		return vmar(si);
	if (is(si, "threads"))
		return threads();
	if (is(si, "spin"))
		for (;;)
			;
	if (is(si, "fault"))
		*(volatile int *)0 = 1;
	if (is(si, "exit=")) {
		int code = 0;
		for (uint32_t i = 5; i < si->args_len; i++)
			code = code * 10 + (((const char *)si->args)[i] - '0');
		return code;
	}
	return checks(si);
}
