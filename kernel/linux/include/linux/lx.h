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
	int hi;					/* lock: slots from hi on were never filled */
};

static inline void lx_fd_set_cloexec_locked(struct lx_files *fs, int fd, bool on)
{
	if (on)
		fs->cloexec[fd / 64] |= 1ull << (fd % 64);
	else
		fs->cloexec[fd / 64] &= ~(1ull << (fd % 64));
}

/* Put f into slot fd (every slot is filled here: see hi). */
static inline void lx_fd_fill_locked(struct lx_files *fs, int fd, struct file *f, bool cloexec)
{
	fs->fd[fd] = f;
	lx_fd_set_cloexec_locked(fs, fd, cloexec);
	if (fd >= fs->hi)
		fs->hi = fd + 1;
}

#define LX_NSIG 64
typedef uint64_t lx_sigset_t;			/* bit (sig - 1) */
#define LX_SIGBIT(sig) (1ull << ((sig) - 1))

/* Lowest signal in a non-empty set (the kernel links no libgcc for ffs). */
static inline int lx_first_sig(lx_sigset_t s)
{
	int sig = 1;

	while (!(s & 1)) {
		s >>= 1;
		sig++;
	}
	return sig;
}

struct lx_sigaction {
	uint64_t handler;			/* SIG_DFL 0, SIG_IGN 1, or a function */
	uint64_t flags;
	lx_sigset_t mask;
};

/* What a pending signal carries into siginfo. */
struct lx_sigsrc {
	int code, pid, status;
	uint64_t addr;
};

/* Working directory, root and umask: a process's own, or shared by the
 * processes one clone(CLONE_FS) made (threads share their process's). */
struct lx_fs {
	struct spinlock lock;			/* guards cwd (chdir runs concurrently) */
	int refs;				/* atomic */
	struct vnode *cwd;			/* a reference (lock): use lx_cwd_get */
	struct vnode *root;			/* a reference, immutable */
	uint32_t umask;				/* atomic */
};

struct lx_proc {
	struct lx_files *files;			/* may be shared (CLONE_FILES) */
	struct lx_fs *fs;			/* may be shared (CLONE_FS) */
	struct vnode *exe;			/* the running image's file: a reference and
						 * a write denial (ETXTBSY); exec and exit */
	uint32_t uid[3], gid[3];		/* real, effective, saved (single user: root) */
	struct spinlock siglock;		/* guards the signal fields below and every
						 * thread's lx->pending/blocked of this process */
	struct lx_sigaction act[LX_NSIG + 1];
	lx_sigset_t pending;			/* sent to the process */
	struct lx_sigsrc src[LX_NSIG + 1];
	bool stopped;				/* siglock: a stop signal stopped it */
	int stopsig;				/* tree lock: for wait4's WUNTRACED */
	bool stop_report, cont_report;		/* tree lock: events wait4 has not reported */
	struct ktimer itimer;			/* ITIMER_REAL (lx_itimer.c) */
	uint64_t it_deadline, it_interval_ns;	/* siglock: 0 deadline = not armed */
	/* ITIMER_VIRTUAL [0] and ITIMER_PROF [1]: expiry on the process's CPU
	 * clock (0 = off) and interval, in ns (siglock). */
	uint64_t it_cpu_expires[2], it_cpu_interval[2];
	bool it_cpu_armed;			/* siglock; read locklessly: either is set */
};

/* Per-thread Linux state (t->lx). */
struct lx_thread {
	uaddr_t clear_tid;			/* set_tid_address / CLONE_CHILD_CLEARTID */
	uaddr_t robust_list;			/* set_robust_list (kept, not walked) */
	size_t robust_len;
	lx_sigset_t blocked, pending;		/* siglock */
	struct lx_sigsrc src;			/* siglock: of the last thread-directed signal */
	lx_sigset_t saved_mask;			/* rt_sigsuspend's mask to restore */
	bool has_saved_mask;
	lx_sigset_t waitset;			/* rt_sigtimedwait: signals it waits for */
	bool restart;				/* a restartable call was interrupted */
	uint64_t restart_a0;			/* its first argument, to restart it */
	uint64_t ss_sp, ss_size;		/* sigaltstack */
	int ss_flags;
};

/* Signals (lx_signal.c). */
#define LX_SIGCHLD 17
#define LX_SIGPIPE 13
/* Send sig to process p or thread t (one of them NULL) from src. 0 or -errno. */
int lx_send_signal(struct proc *p, struct thread *t, int sig, const struct lx_sigsrc *src);
/* Stop p's interval timer (exit). */
void lx_itimer_stop(struct proc *p);
/* Send SIGVTALRM / SIGPROF if p's CPU time passed an armed ITIMER_VIRTUAL /
 * ITIMER_PROF (on the way to user mode; no lock held). */
void lx_itimer_cpu_check(struct proc *p);
/* A CPU-time sum in ns: user time, plus system time if with_sys. */
uint64_t lx_cputime_ns(struct cputime c, bool with_sys);
/* Map the sigreturn trampoline into a new image: 0 or -ENOMEM. */
int lx_map_sigtramp(struct vm_space *vm);
/* Reset handled signals to default (exec). */
void lx_signals_exec(struct proc *p);
/* A restartable call of t was interrupted by a wake with -EINTR. */
void lx_interrupted(struct thread *t);
/* Does t ignore (SIG_IGN) or block sig? (Job control's exceptions.) */
bool lx_sig_ignored_or_blocked(struct thread *t, int sig);
/* Send sig to every process of group pgid (any context; takes the tree lock). */
void lx_signal_group(int pgid, int sig);
/* List descriptors in /proc/<pid>/fd (lx_procfd.c). */
void lx_procfd_init(void);
/* Route console input through the tty line discipline. */
void lx_tty_init(void);
/* Session sid's leader exits: if the console is its controlling tty, it
 * leaves the session; returns its foreground group (to hang up), else 0. */
int lx_tty_session_gone(int sid);
/* proc_ops->exit_tree (lx_orphan.c): a session leader's hangup and the
 * orphaned process groups of an exit (proc_tree_lock held). */
void lx_orphan_exit_locked(struct proc *p);
/* Is p's process group orphaned? (Takes the tree lock.) */
bool lx_pgrp_orphaned(struct proc *p);
/* p is exiting (no lock held): a session leader hangs up its terminal. */
void lx_orphan_leader_exit(struct proc *p);
/* Deliver pending signals to t about to return to user (may not return). */
void lx_deliver_signals(struct thread *t);

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
/* A new reference to lp's working directory; lx_cwd_set puts dir (whose
 * reference it takes) in its place and drops the old one. */
struct vnode *lx_cwd_get(struct lx_proc *lp);
void lx_cwd_set(struct lx_proc *lp, struct vnode *dir);
/* Drop a reference to a cwd/root/umask block (NULL: nothing). */
void lx_fs_put(struct lx_fs *fs);
/* The child's Linux state: a copy of the parent's, sharing the fd table
 * when share_files (CLONE_FILES), the cwd, root and umask when share_fs
 * (CLONE_FS). */
int lx_proc_fork(struct proc *parent, struct proc *child, bool share_files, bool share_fs);
/* Give p an fd table of its own if it shares one (execve does). */
int lx_files_unshare(struct proc *p);
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
/* The file at fd for the rest of the calling thread's syscall, with a new
 * reference only if *ref (then lx_fd_return drops it): none is needed while
 * the caller is the only thread using the table. NULL if fd is not open. */
struct file *lx_fd_borrow(struct proc *p, int fd, bool *ref);
static inline void lx_fd_return(struct file *f, bool ref)
{
	if (ref)
		file_put(f);
}
int lx_fd_install(struct proc *p, struct file *f, bool cloexec);	/* fd or -EMFILE */
void lx_files_put(struct lx_files *fs);
struct lx_files *lx_files_dup(struct lx_files *fs);
void lx_files_close_on_exec(struct proc *p);
/* Drop p's reference to f, just taken out of p's table (f may be NULL): a
 * close of any descriptor of a file drops p's POSIX record locks on it. */
void lx_fd_closed(struct proc *p, struct file *f);
/* open(2) of a /proc/<pid>/fd/<n> magic link (lx_procfd.c): 0 and the new
 * file in *out, a negative errno, or 1 when path is no such link. */
int lx_procfd_open(struct thread *t, struct vnode *dir, const char *path, unsigned flags,
		   struct file **out);
/* fcntl's lock commands (lx_lock.c): is cmd one, and run it on f. */
bool lx_is_lock_cmd(int cmd);
long lx_fcntl_lock(struct thread *t, struct file *f, int cmd, uaddr_t ufl);

/* The pager of file mappings (lx_mm.c): the object is a vnode, whose pages
 * come from vfs_getpage; exec maps program segments with it too. */
extern const struct vm_pager_ops lx_vnode_pager;

/* The running image of p becomes vn, whose reference and write denial
 * (vnode_deny_write) p takes over; the old one's are dropped (NULL: none). */
void lx_exe_set(struct proc *p, struct vnode *vn);

/* Exec (lx_exec.c): replace the current image. */
long lx_execve(struct thread *t, const char *path, char *const *argv, int argc,
	       char *const *envp, int envc);

/* After a read/write said -EAGAIN: park t on the file's wait queue (-EPARKED),
 * or 0 if the file became ready meanwhile (retry), or -EAGAIN if it cannot wait. */
long lx_park_on_file(struct thread *t, struct file *f, bool want_write);
/* The same with another continuation than "restart the call". */
long lx_park_on_file_cont(struct thread *t, struct file *f, bool want_write, thread_cont_t cont);
/* r is a write's result: on -EPIPE, raise SIGPIPE at t (as every path writing
 * to a pipe or socket without readers must). Returns r. */
long lx_epipe(struct thread *t, long r);

/* Power off after reporting (defined by the boot code). */
void weft_shutdown(int failure) __attribute__((noreturn));

/* Linux wait-status encodings. */
#define LX_W_EXITED(code) (((code) & 0xff) << 8)
#define LX_W_SIGNALED(sig) ((sig) & 0x7f)

#endif
