/*
 * Host tests for kernel/fs/locks.c: conflicts between owners, one owner's
 * ranges split by an unlock or a change of type in the middle and merged
 * when they touch, F_GETLK's answer, release by owner (close, exit) and with
 * the file (OFD, flock), flock and POSIX locks not seeing each other, and the
 * blocking path: a conflict parks a (fake) thread, a release wakes it, and a
 * second owner waiting for the first's lock gets -EDEADLK.
 */
#include "ht.h"
#include <core/waitq.h>
#include <fs/locks.h>
#include <stdlib.h>
#include <weft/errno.h>

void fs_test_setup(void);
extern unsigned long pipe_shim_wakes;

static int owner_a, owner_b; /* their addresses are the owners */
#define A ((void *)&owner_a)
#define B ((void *)&owner_b)

/* Never called: compared as a continuation only. */
long sched_cont_restart(struct thread *t)
{
	(void)t;
	return 0;
}

static struct file *mkfile(const char *path)
{
	struct file *f = NULL;

	fs_test_setup();
	HT_CHECK_EQ(vfs_open(vfs_root(), vfs_root(), path, VFS_O_CREAT | VFS_O_RDWR, 0644, &f), 0);
	return f;
}

static long set(struct file *f, void *owner, enum locks_type type, uint64_t s, uint64_t e,
		struct thread *t)
{
	struct locks_req r = {LOCKS_POSIX, type, s, e, owner, 1};

	return locks_set(f->vn, f, &r, t, sched_cont_restart);
}

/* What owner asking for type on [s, e] conflicts with: its range and type,
 * or type LOCKS_UN. */
static struct locks_req probe(struct file *f, void *owner, enum locks_type type, uint64_t s,
			      uint64_t e)
{
	struct locks_req r = {LOCKS_POSIX, type, s, e, owner, 2};

	locks_test(f->vn, &r);
	return r;
}

#define HT_CHECK_HELD(f, s, e, want_type, want_s, want_e)                                        \
	do {                                                                                       \
		struct locks_req got_ = probe(f, B, LOCKS_WR, s, e);                               \
		HT_CHECK_EQ(got_.type, want_type);                                                 \
		HT_CHECK_EQ(got_.start, want_s);                                                   \
		HT_CHECK_EQ(got_.end, want_e);                                                     \
	} while (0)

HT_TEST(split_and_merge)
{
	struct file *f = mkfile("/locks1");

	HT_CHECK_EQ(set(f, A, LOCKS_WR, 0, 99, NULL), 0);
	HT_CHECK_EQ(set(f, B, LOCKS_RD, 50, 50, NULL), -EAGAIN);
	HT_CHECK_EQ(probe(f, A, LOCKS_WR, 0, 99).type, LOCKS_UN); /* own locks never conflict */
	HT_CHECK_EQ(set(f, A, LOCKS_UN, 40, 59, NULL), 0);	   /* split in two */
	HT_CHECK_HELD(f, 30, 30, LOCKS_WR, 0, 39);
	HT_CHECK_HELD(f, 70, 70, LOCKS_WR, 60, 99);
	HT_CHECK_EQ(probe(f, B, LOCKS_WR, 40, 59).type, LOCKS_UN);
	HT_CHECK_EQ(set(f, A, LOCKS_RD, 200, 209, NULL), 0);
	HT_CHECK_EQ(set(f, A, LOCKS_RD, 210, 219, NULL), 0); /* touching: merged */
	HT_CHECK_HELD(f, 205, 205, LOCKS_RD, 200, 219);
	HT_CHECK_EQ(probe(f, B, LOCKS_RD, 200, 219).type, LOCKS_UN); /* readers share */
	HT_CHECK_EQ(set(f, A, LOCKS_WR, 300, 329, NULL), 0);
	HT_CHECK_EQ(set(f, A, LOCKS_RD, 310, 319, NULL), 0); /* a read lock in the middle */
	HT_CHECK_HELD(f, 305, 305, LOCKS_WR, 300, 309);
	HT_CHECK_HELD(f, 315, 315, LOCKS_RD, 310, 319);
	HT_CHECK_HELD(f, 325, 325, LOCKS_WR, 320, 329);
	HT_CHECK_EQ(set(f, A, LOCKS_WR, 500, LOCKS_EOF, NULL), 0);
	HT_CHECK_HELD(f, 1000000, 1000000, LOCKS_WR, 500, LOCKS_EOF);
	HT_CHECK_EQ(locks_nr_files(), 1);
	locks_release_owner(f->vn, A); /* a close by A */
	HT_CHECK_EQ(probe(f, B, LOCKS_WR, 0, LOCKS_EOF).type, LOCKS_UN);
	HT_CHECK_EQ(locks_nr_files(), 0);
	file_put(f);
}

HT_TEST(kinds_and_file_release)
{
	struct file *f = mkfile("/locks2"), *g = mkfile("/locks2");
	struct locks_req fl = {LOCKS_FLOCK, LOCKS_WR, 0, LOCKS_EOF, f, 1};
	struct locks_req ofd = {LOCKS_OFD, LOCKS_WR, 0, 9, g, -1};

	HT_CHECK_EQ(locks_set(f->vn, f, &fl, NULL, sched_cont_restart), 0);
	HT_CHECK_EQ(set(f, B, LOCKS_WR, 0, 0, NULL), 0); /* POSIX does not see flock */
	HT_CHECK_EQ(set(f, B, LOCKS_UN, 0, LOCKS_EOF, NULL), 0);
	fl.owner = g;
	HT_CHECK_EQ(locks_set(g->vn, g, &fl, NULL, sched_cont_restart), -EAGAIN);
	HT_CHECK_EQ(locks_set(g->vn, g, &ofd, NULL, sched_cont_restart), 0);
	HT_CHECK_EQ(set(g, A, LOCKS_RD, 5, 5, NULL), -EAGAIN); /* POSIX sees OFD */
	HT_CHECK(f->has_locks && g->has_locks);
	file_put(g); /* its OFD lock goes with it */
	HT_CHECK_EQ(set(f, A, LOCKS_RD, 5, 5, NULL), 0);
	locks_release_owner(NULL, A); /* exit */
	file_put(f);
	HT_CHECK_EQ(locks_nr_files(), 0);
}

HT_TEST(park_wake_and_deadlock)
{
	struct file *f = mkfile("/locks3");
	struct thread *ta = calloc(1, sizeof(*ta)), *tb = calloc(1, sizeof(*tb));
	unsigned long wakes;

	HT_CHECK_EQ(set(f, A, LOCKS_WR, 0, 0, NULL), 0);
	HT_CHECK_EQ(set(f, B, LOCKS_WR, 1, 1, NULL), 0);
	HT_CHECK_EQ(set(f, B, LOCKS_WR, 0, 0, tb), -EPARKED);	/* B waits for A */
	HT_CHECK_EQ(set(f, A, LOCKS_WR, 1, 1, ta), -EDEADLK);	/* A waiting for B: a cycle */
	wakes = pipe_shim_wakes;
	HT_CHECK_EQ(set(f, A, LOCKS_UN, 0, 0, NULL), 0);
	HT_CHECK_EQ(pipe_shim_wakes, wakes + 1);		/* B is woken to retry */
	HT_CHECK_EQ(set(f, B, LOCKS_WR, 0, 0, NULL), 0);
	locks_release_owner(NULL, B);
	HT_CHECK_EQ(locks_nr_files(), 0);
	file_put(f);
	free(ta);
	free(tb);
}

HT_MAIN(HT_CASE(split_and_merge), HT_CASE(kinds_and_file_release), HT_CASE(park_wake_and_deadlock))
