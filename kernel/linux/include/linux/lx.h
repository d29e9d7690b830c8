/*
 * The Linux personality's internal interface: per-process state (file
 * descriptors, working directory, umask), the handler signature, and helpers
 * shared by the lx_*.c files. Every handler is thin: decode and check the
 * arguments, then call the objects (vm, proc, vfs).
 */
#ifndef LINUX_LX_H
#define LINUX_LX_H

#include <obj/proc.h>
#include <fs/vfs.h>
#include <core/uaccess.h>
#include <weft/errno.h>

#define LX_NFD 256

struct lx_files {
	struct spinlock lock;
	int refs;				/* atomic */
	struct file *fd[LX_NFD];		/* lock */
	uint64_t cloexec[LX_NFD / 64];		/* lock */
};

struct lx_proc {
	struct lx_files *files;
	struct vnode *cwd, *root;		/* references; changed by the process itself */
	uint32_t umask;
};

/* Per-thread Linux state (t->lx). */
struct lx_thread {
	uaddr_t clear_tid;			/* set_tid_address / CLONE_CHILD_CLEARTID */
	uaddr_t robust_list;			/* set_robust_list (kept, not walked) */
	size_t robust_len;
};

static inline struct lx_proc *lx_of(struct proc *p)
{
	return p->lx;
}

/* A syscall handler: a[0..5] are the argument registers. Returns the result,
 * or -EPARKED when the thread parked (its continuation finishes the call). */
typedef long (*lx_handler_t)(struct thread *t, const unsigned long *a);

long lx_syscall(struct thread *t, unsigned long nr);
void lx_enosys_report(void);

/* Process state. */
int lx_proc_fork(struct proc *parent, struct proc *child);
int lx_setup_init(struct proc *p);
/* A new user thread of p with its Linux state; NULL when out of memory. */
struct thread *lx_new_thread(struct proc *p);
/* End thread t (group: the whole process) with wait status `status`.
 * Always returns -EPARKED: t must not run again. */
long lx_thread_exit(struct thread *t, int status, bool group);
/* A fatal fault: end the process with signal signo. */
long lx_fault(struct thread *t, int signo, unsigned long addr);
/* Before returning to user: a thread whose process is exiting dies here. */
void lx_before_user(struct thread *t);

/* File descriptors. */
struct file *lx_fd_get(struct proc *p, int fd);	/* new reference or NULL */
int lx_fd_install(struct proc *p, struct file *f, bool cloexec);	/* fd or -EMFILE */
void lx_files_put(struct lx_files *fs);
struct lx_files *lx_files_dup(struct lx_files *fs);
void lx_files_close_on_exec(struct lx_files *fs);

/* Exec (lx_exec.c): replace the current image. */
long lx_execve(struct thread *t, const char *path, char *const *argv, int argc,
	       char *const *envp, int envc);

/* After a read/write said -EAGAIN: park t on the file's wait queue (-EPARKED),
 * or 0 if the file became ready meanwhile (retry), or -EAGAIN if it cannot wait. */
long lx_park_on_file(struct thread *t, struct file *f, bool want_write);

/* Power off after reporting (defined by the boot code). */
void weft_shutdown(int failure) __attribute__((noreturn));

/* Linux wait-status encodings. */
#define LX_W_EXITED(code) (((code) & 0xff) << 8)
#define LX_W_SIGNALED(sig) ((sig) & 0x7f)

#endif
