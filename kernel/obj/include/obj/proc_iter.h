/*
 * Read-only views of the process tree and the CPUs, for observers such as
 * procfs.
 *
 * A process is "live" while it is linked in the process tree: from proc_create
 * until the parent reaps it (zombies included). Iteration walks the tree from
 * init under proc_tree_lock, so a process seen by a callback cannot be freed
 * during it (proc_find alone gives no such promise: a reaped process stays in
 * the pid table until proc_free). The snapshot calls copy what an observer
 * needs into plain structs and drop every lock before returning, so callers
 * never hold a kernel lock while formatting or copying to user space.
 *
 * This header is plain data on purpose (no <obj/proc.h>, no <core/sched.h>):
 * the portable layers above obj/ include it in their host builds too.
 */
#ifndef OBJ_PROC_ITER_H
#define OBJ_PROC_ITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct proc;

#define PROC_INFO_NAME_MAX 16 /* sizeof(struct proc.name) */

/* One process, as seen at one moment. */
struct proc_info {
	int pid;
	int ppid;		       /* 0 for init */
	char name[PROC_INFO_NAME_MAX]; /* NUL-terminated */
	char state;		       /* 'R' runnable, 'S' all threads parked, 'Z' zombie */
	int nthreads;
	unsigned cpu;			 /* CPU its first thread last ran on */
	uint64_t start_ns;		 /* hal_time_ns at creation */
	uint64_t vsize;			 /* bytes in its regions */
	unsigned long rss;		 /* resident pages */
	uint64_t brk_base, brk;		 /* heap */
	uint64_t stack_start, stack_end; /* the VM_STACK region, 0 if none */
};

/* One region of an address space. */
struct proc_region {
	uint64_t start, end;
	unsigned prot;	/* VM_R | VM_W | VM_X */
	unsigned flags; /* VM_SHARED, VM_STACK */
	bool heap;	/* the brk heap */
};

/* One CPU's counters. */
struct proc_cpu_info {
	unsigned id;
	unsigned hartid;
	bool online;
	unsigned long nr_queued; /* threads on its run queue */
	bool busy;		 /* running a thread now */
	uint64_t nr_switches, nr_syscalls, nr_irqs, idle_ns;
};

/* System-wide scheduler and process counts. */
struct proc_sys_info {
	unsigned long nr_procs;	  /* live processes */
	unsigned long nr_running; /* threads running or queued */
	unsigned long nr_parked;  /* user threads parked (sched_nr_parked) */
	int last_pid;		  /* highest live pid */
};

/*
 * Call fn(p, arg) for every live process, parents before children, holding
 * proc_tree_lock (fn must not sleep, must not take proc_tree_lock, and may take
 * only locks that come after it in docs/locking.md). Stops at the first non-zero
 * return of fn and returns it; 0 when every process was visited.
 */
int proc_foreach(int (*fn)(struct proc *p, void *arg), void *arg);
/* The same, for a caller that holds proc_tree_lock already. */
int proc_foreach_locked(int (*fn)(struct proc *p, void *arg), void *arg);

/* fn(p, arg) for the live process pid, under proc_tree_lock as above: fn's
 * result, or -ESRCH when no live process has that pid. */
int proc_with_pid(int pid, int (*fn)(struct proc *p, void *arg), void *arg);

/* Snapshot of process pid: 0 or -ESRCH. Takes the tree lock, then the
 * process's and its address space's locks; call with no lock held. */
int proc_info_get(int pid, struct proc_info *out);

/* Pid of the process the calling thread belongs to; 0 if none (kernel thread). */
int proc_self_pid(void);

/* Up to max live pids >= from into out[], ascending: how many were stored. */
int proc_pid_list(int from, int *out, int max);

/*
 * Up to max regions of process pid that end above addr, ascending: how many
 * were stored (0 for a process without an address space), or -ESRCH.
 */
int proc_regions(int pid, uint64_t addr, struct proc_region *out, int max);

/* Counters of CPUs 0..max-1 that were ever started: how many were stored. */
int proc_cpu_info(struct proc_cpu_info *out, int max);

void proc_sys_info(struct proc_sys_info *out);

/* The path of pid's running image and its argv strings (NUL-separated, copied
 * into cmd up to cmdmax bytes, the length in *cmdlen); "" and 0 before any exec.
 * 0 or -ESRCH. */
int proc_image(int pid, char *exe, size_t exemax, char *cmd, size_t cmdmax, size_t *cmdlen);

#endif
