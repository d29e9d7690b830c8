/*
 * Advisory file locks: POSIX record locks (fcntl F_SETLK and friends),
 * open-file-description locks (F_OFD_*) and flock(2) locks, kept per vnode.
 *
 * A lock covers the byte range [start, end] (end LOCKS_EOF: to the end of the
 * file and beyond) with a type (shared read or exclusive write) and belongs to
 * an owner: the process for POSIX locks (an opaque pointer the caller gives),
 * the struct file for OFD and flock locks. POSIX and OFD locks see each other;
 * flock locks only see flock locks (as on Linux). Locks of one owner never
 * conflict with each other: setting a range replaces the owner's locks there,
 * splitting and merging ranges as needed (adjacent ranges of one type merge).
 *
 * Waiting is the caller's: locks_set with a thread parks it (continuation
 * cont, normally "restart the call") on one wait queue shared by every lock,
 * woken whenever any lock goes away. Before parking a POSIX waiter, the chain
 * "owner waits for the holder, who waits for ..." is followed through the
 * parked waiters: reaching the caller again is -EDEADLK. A parked waiter keeps
 * its owner and the owner it waits for in t->wait[4] and t->wait[5], which the
 * caller must leave alone while parked.
 *
 * Lifetime: every lock holds a reference to its vnode. POSIX locks go when
 * their owner calls locks_release_owner (a close of any fd of the file, and
 * at exit with vn NULL); OFD and flock locks when their file is released
 * (file_put calls locks_file_released for files marked f->has_locks).
 *
 * Locking: one global spinlock over every lock list, then the wait queue's
 * lock; nothing is called with them held but the allocator.
 */
#ifndef FS_LOCKS_H
#define FS_LOCKS_H

#include <stdint.h>
#include <fs/vfs.h>
#include <core/sched.h>

#define LOCKS_EOF UINT64_MAX

enum locks_type { LOCKS_RD = 0, LOCKS_WR = 1, LOCKS_UN = 2 }; /* F_RDLCK, F_WRLCK, F_UNLCK */
enum locks_kind { LOCKS_POSIX, LOCKS_OFD, LOCKS_FLOCK };

struct locks_req {
	enum locks_kind kind;
	enum locks_type type;
	uint64_t start, end; /* inclusive */
	void *owner;	     /* the process (POSIX) or the struct file (OFD, flock) */
	int pid;	     /* reported by F_GETLK (-1 for OFD locks) */
};

/*
 * Set (or with LOCKS_UN clear) r's range for r's owner on vn. f is the file
 * the request came through (marked has_locks for OFD and flock). When another
 * owner holds a conflicting lock: -EAGAIN if t is NULL, else -EDEADLK (POSIX
 * only) or park t with cont and -EPARKED. -ENOMEM when a split needs memory.
 */
long locks_set(struct vnode *vn, struct file *f, const struct locks_req *r, struct thread *t,
	       thread_cont_t cont);

/* F_GETLK: 0 and *r unchanged except type LOCKS_UN when nothing conflicts,
 * else the first conflicting lock in *r (kind, type, range, owner, pid). */
void locks_test(struct vnode *vn, struct locks_req *r);

/* Drop every POSIX lock of owner on vn (every vnode when vn is NULL). */
void locks_release_owner(struct vnode *vn, void *owner);

/* f's last reference is gone: drop its OFD and flock locks. */
void locks_file_released(struct file *f);

/* Number of vnodes with locks (for tests and the fast path of close). */
unsigned long locks_nr_files(void);

#endif
