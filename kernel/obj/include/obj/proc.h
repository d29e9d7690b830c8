/*
 * Processes: an address space, a set of threads, a place in the process tree,
 * and an exit status for the parent to collect.
 *
 * proc_tree_lock guards every parent/children/sibling link and each process's
 * state and exit status. A process that exits becomes a zombie until its parent
 * reaps it; its children are handed to init (pid 1). Personality state (file
 * descriptors, signal handlers) hangs off p->lx and is released through the
 * ops the personality registers.
 */
#ifndef OBJ_PROC_H
#define OBJ_PROC_H

#include <core/sched.h>
#include <core/waitq.h>
#include <core/vm.h>
#include <obj/handle.h>

enum proc_state { PROC_ALIVE, PROC_ZOMBIE };

struct proc {
	int pid;
	char name[16];
	struct proc *parent;		/* tree lock */
	int ppid;			/* parent's pid: written under the tree lock, read atomically */
	struct list children;		/* tree lock */
	struct list sibling;		/* tree lock: in parent->children */
	struct list hash_link;		/* pid table lock */
	enum proc_state state;		/* tree lock */
	int exit_status;		/* tree lock: wait-status encoding */
	struct waitq child_wait;	/* the parent's wait4 parks here */
	struct spinlock lock;		/* guards threads, nthreads, group_exit */
	struct list threads;
	int nthreads;			/* live threads */
	bool group_exit;		/* exit_group or a fatal signal: threads die */
	int group_status;		/* wait status once group_exit is set */
	int pgid, sid;			/* tree lock */
	struct waitq vfork_wait;	/* a vfork parent parks here */
	bool vfork_done;		/* vfork_wait.lock: exec'd or exited */
	struct vm_space *vm;		/* replaced only by exec, by the process itself */
	struct handle_table handles;	/* native handles (closed at exit) */
	struct kobject *pobj;		/* lock: its process object (obj/process.h), or NULL */
	void *lx;			/* personality state */
	char *exe;			/* path of the running image (kmalloc'd, exec) */
	char *cmdline;			/* argv strings, NUL-separated (kmalloc'd, exec) */
	size_t cmdline_len;
	uint64_t start_ns;
	struct cputime cputime;		/* lock: its dead threads' CPU time (sched.h) */
	struct cputime cputime_reported; /* lock: what proc_cputime last said */
	struct cputime child_cputime;	/* tree lock: of reaped children (and theirs) */
};

extern struct spinlock proc_tree_lock;

/* A new empty process (no threads, no vm) with a fresh pid, child of parent. */
struct proc *proc_create(struct proc *parent, const char *name);
/* A user thread of p, not yet runnable; the first one's tid is the pid, later
 * ones get fresh ids from the pid space. NULL when out of memory or ids. */
struct thread *proc_new_thread(struct proc *p);
/* Thread blocks (zeroed), from a cache of their exact size. */
struct thread *proc_thread_alloc(void);
void proc_thread_free(struct thread *t);
/* The thread with this tid (any process), NULL if none. Borrowed: valid while
 * the caller holds proc_tree_lock. */
struct thread *proc_find_thread(int tid);
/* t leaves p, its CPU time added to p's; returns the number of threads p
 * still has (0: p must exit). */
int proc_thread_gone(struct proc *p, struct thread *t);
/* p's CPU time: its dead threads' and its live ones' so far. */
struct cputime proc_cputime(struct proc *p);
struct proc *proc_find(int pid);	/* borrowed: valid under the tree lock */
struct proc *proc_init(void);		/* pid 1, once it exists */
/* End p with wait status `status`: release its resources, become a zombie, hand
 * children to init, wake the parent. Called by p's last thread. */
void proc_exit(struct proc *p, int status);
/* p exec'd or is exiting: release a parent waiting in vfork. */
void proc_vfork_release(struct proc *p);
/* Record the image path and argument strings of an exec (copied). */
void proc_set_image(struct proc *p, const char *exe, char *const *argv, int argc);
/* The parent reaps zombie c: its CPU time joins the parent's children's
 * (tree lock held). */
void proc_reap_times_locked(struct proc *parent, struct proc *c);
/* Free a zombie the parent has reaped (tree lock not held). */
void proc_free(struct proc *p);
unsigned long proc_count(void);

/* Hooks of the personality that owns p->lx. */
struct proc_ops {
	void (*exit)(struct proc *p);	/* drop files etc. before the zombie stage */
	void (*free)(struct proc *p);	/* last: free p->lx */
	void (*thread_free)(struct thread *t);	/* free t->lx */
	/* child became a zombie; called under proc_tree_lock. */
	void (*child_exited)(struct proc *parent, struct proc *child);
	/* p is exiting: called under proc_tree_lock, before p's children go to
	 * init and p becomes a zombie (job control's orphaned groups). */
	void (*exit_tree)(struct proc *p);
};
extern const struct proc_ops *proc_ops;

#endif
