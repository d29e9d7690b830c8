/*
 * procfs per-process files: /proc/<pid>/{stat,status,statm,cmdline,comm,maps}
 * and the descriptor list behind /proc/<pid>/fd.
 *
 * Each generator takes one snapshot of the process (obj/proc_iter.h) and
 * prints it in Linux's format. What Weft does not track yet prints as Linux
 * would for an idle, uncharged task: no CPU time, no faults, no signals, pid
 * as its own process group and session, no terminal. cmdline is the process
 * name until exec keeps argv.
 */
#include <fs/vfs.h>
#include <core/slab.h>
#include <core/vm.h>
#include <hal/mmu.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "procfs_impl.h"

procfs_fd_hook_t procfs_fd_hook;
procfs_fd_name_t procfs_fd_name_hook;

int procfs_pid_info(int pid, struct proc_info *out)
{
	return proc_info_get ? proc_info_get(pid, out) : -ESRCH;
}

static int alive_visit(struct proc *p, void *arg)
{
	return 0;
}

bool procfs_pid_alive(int pid)
{
	return proc_with_pid && proc_with_pid(pid, alive_visit, NULL) == 0;
}

struct fds_ctx {
	int from, max;
	struct procfs_fd *out;
};

static int fds_visit(struct proc *p, void *arg)
{
	struct fds_ctx *c = arg;
	procfs_fd_hook_t hook = __atomic_load_n(&procfs_fd_hook, __ATOMIC_ACQUIRE);

	return hook ? hook(p, c->from, c->out, c->max) : 0;
}

int procfs_pid_fds(int pid, int from, struct procfs_fd *out, int max, bool names)
{
	procfs_fd_name_t name = __atomic_load_n(&procfs_fd_name_hook, __ATOMIC_ACQUIRE);
	struct fds_ctx c = {from, max < PROCFS_FD_MAX ? max : PROCFS_FD_MAX, out};
	int n = proc_with_pid ? proc_with_pid(pid, fds_visit, &c) : -ESRCH, err = 0;

	/* The tree lock is dropped: naming may climb directories of any fs. */
	for (int i = 0; i < n; i++) {
		if (!out[i].file)
			continue;
		if (names && !err)
			err = name ? name(out[i].file, out[i].target, sizeof(out[i].target))
				   : -ENOENT;
		file_put(out[i].file);
		out[i].file = NULL;
	}
	return err ? err : n;
}

static const char *state_name(char state)
{
	switch (state) {
	case 'R':
		return "R (running)";
	case 'Z':
		return "Z (zombie)";
	default:
		return "S (sleeping)";
	}
}

static unsigned long ticks(uint64_t ns)
{
	return (unsigned long)(ns / (1000000000ull / PROCFS_USER_HZ));
}

int procfs_gen_pid_stat(struct procfs_buf *b, int pid)
{
	struct proc_info pi;
	int err = procfs_pid_info(pid, &pi);

	if (err)
		return err;
	/* Fields 1-13: ids, state, terminal, flags, fault counts. */
	procfs_printf(b, "%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 ", pi.pid, pi.name, pi.state, pi.ppid,
		      pi.pid, pi.pid);
	/* 14-25: times, priority, nice, threads, itrealvalue, start, vsize, rss, rsslim. */
	procfs_printf(b, "0 0 0 0 20 0 %d 0 %lu %lu %lu 18446744073709551615 ", pi.nthreads,
		      ticks(pi.start_ns), (unsigned long)pi.vsize, pi.rss);
	/* 26-37: code, stack, registers, signal masks, wchan, swap. */
	procfs_printf(b, "0 0 %lu 0 0 0 0 0 0 0 0 0 ", (unsigned long)pi.stack_end);
	/* 38-52: exit signal, cpu, scheduling, I/O, guest, data, brk, args, exit code. */
	procfs_printf(b, "17 %u 0 0 0 0 0 0 0 %lu 0 0 0 0 0\n", pi.cpu, (unsigned long)pi.brk_base);
	return 0;
}

int procfs_gen_pid_status(struct procfs_buf *b, int pid)
{
	struct proc_info pi;
	int err = procfs_pid_info(pid, &pi);
	unsigned long kib = PAGE_SIZE / 1024;

	if (err)
		return err;
	procfs_printf(b, "Name:\t%s\nUmask:\t0022\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n",
		      pi.name, state_name(pi.state), pi.pid, pi.pid);
	procfs_printf(b, "PPid:\t%d\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n", pi.ppid);
	procfs_printf(b, "FDSize:\t256\nGroups:\t\n");
	if (pi.state != 'Z') {
		procfs_printf(b, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\n",
			      (unsigned long)pi.vsize / 1024, (unsigned long)pi.vsize / 1024);
		procfs_printf(b, "VmRSS:\t%8lu kB\nVmStk:\t%8lu kB\n", pi.rss * kib,
			      (unsigned long)(pi.stack_end - pi.stack_start) / 1024);
	}
	procfs_printf(b, "Threads:\t%d\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n",
		      pi.nthreads);
	procfs_printf(b, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n"
			 "SigCgt:\t0000000000000000\n");
	return 0;
}

int procfs_gen_pid_statm(struct procfs_buf *b, int pid)
{
	struct proc_info pi;
	int err = procfs_pid_info(pid, &pi);

	if (err)
		return err;
	procfs_printf(b, "%lu %lu 0 0 0 0 0\n", (unsigned long)(pi.vsize / PAGE_SIZE), pi.rss);
	return 0;
}

int procfs_gen_pid_cmdline(struct procfs_buf *b, int pid)
{
	struct proc_info pi;
	int err = procfs_pid_info(pid, &pi);

	if (err)
		return err;
	if (pi.state == 'Z') /* Linux: a zombie has no arguments */
		return 0;
	char exe[8], cmd[1024];
	size_t n = 0;
	if (proc_image && proc_image(pid, exe, sizeof(exe), cmd, sizeof(cmd), &n) == 0 && n) {
		for (size_t i = 0; i < n; i++)
			procfs_putc(b, cmd[i]);
		return 0;
	}
	procfs_printf(b, "%s", pi.name);
	procfs_putc(b, 0);
	return 0;
}

int procfs_gen_pid_comm(struct procfs_buf *b, int pid)
{
	struct proc_info pi;
	int err = procfs_pid_info(pid, &pi);

	if (!err)
		procfs_printf(b, "%s\n", pi.name);
	return err;
}

#define MAPS_BATCH 16

static void maps_line(struct procfs_buf *b, const struct proc_region *r)
{
	size_t start = b->len;

	procfs_printf(b, "%08lx-%08lx %c%c%c%c 00000000 00:00 0 ", (unsigned long)r->start,
		      (unsigned long)r->end, (r->prot & VM_R) ? 'r' : '-',
		      (r->prot & VM_W) ? 'w' : '-', (r->prot & VM_X) ? 'x' : '-',
		      (r->flags & VM_SHARED) ? 's' : 'p');
	if (!(r->flags & VM_STACK) && !r->heap) {
		procfs_putc(b, '\n');
		return;
	}
	/* Linux pads the name to column 73. */
	while (!b->overflow && b->len - start < 73)
		procfs_putc(b, ' ');
	procfs_printf(b, "%s\n", r->heap ? "[heap]" : "[stack]");
}

int procfs_gen_pid_maps(struct procfs_buf *b, int pid)
{
	struct proc_region *r;
	uint64_t at = 0;
	int n, err = 0;

	if (!proc_regions)
		return -ESRCH;
	r = kmalloc(MAPS_BATCH * sizeof(*r));
	if (!r)
		return -ENOMEM;
	do {
		n = proc_regions(pid, at, r, MAPS_BATCH);
		if (n < 0)
			err = n;
		for (int i = 0; i < n; i++)
			maps_line(b, &r[i]);
		if (n > 0)
			at = r[n - 1].end;
	} while (n == MAPS_BATCH && !b->overflow);
	kfree(r);
	return err;
}

const struct procfs_entry procfs_pid_files[] = {
    {"cmdline", procfs_gen_pid_cmdline, NULL}, {"comm", procfs_gen_pid_comm, NULL},
    {"maps", procfs_gen_pid_maps, NULL},       {"stat", procfs_gen_pid_stat, NULL},
    {"statm", procfs_gen_pid_statm, NULL},     {"status", procfs_gen_pid_status, NULL},
};
const unsigned procfs_npid_files = sizeof(procfs_pid_files) / sizeof(procfs_pid_files[0]);
