/*
 * Process objects: what a handle to a process names (WEFT_OBJ_PROCESS).
 *
 * struct proc (obj/proc.h) lives and dies with the process tree; the process
 * object outlives it for as long as handles name it, keeping the exit code.
 * A live process holds one reference to its object (p->pobj); procobj_exited,
 * called by proc_exit, records the code, asserts WEFT_SIG_TERMINATED and drops
 * that reference. The object is created on demand (spawn, process_self).
 *
 * Exit codes: a process that ended by exit(code) reports code & 0xff; one
 * killed (process_kill, a fault, a fatal signal) reports WEFT_EXIT_KILLED.
 *
 * Locking: po->lock guards p and the exit fields; it nests inside p->lock
 * (procobj_get) and takes the handle and signal locks below it.
 */
#ifndef OBJ_PROCESS_H
#define OBJ_PROCESS_H

#include <obj/proc.h>

struct procobj {
	struct kobject obj;
	struct spinlock lock;
	struct proc *p;	  /* lock: the live process, NULL once it exited */
	bool exited;	  /* lock */
	long code;	  /* lock: exit code once exited */
};

/* The object of p (created if it has none): a new reference in *out. 0 or
 * -ENOMEM, -ESRCH if p is already exiting. */
int procobj_get(struct proc *p, struct procobj **out);

/* p is ending with wait status `status` (proc_exit calls this). */
void procobj_exited(struct proc *p, int status);

/* The exit code: 0 and *code, or -EAGAIN while the process runs. */
int procobj_status(struct procobj *po, long *code);

/* Kill the process: every thread dies on its way back to user mode. 0, or
 * -ESRCH if it has exited already. */
int procobj_kill(struct procobj *po);

/* Make every thread of p except self leave its park or user mode, so that it
 * notices p->group_exit. */
void proc_kick_threads(struct proc *p, struct thread *self);

struct procobj *procobj_from_obj(struct kobject *o);

#endif
