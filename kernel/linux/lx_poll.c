/*
 * ppoll and pselect6: wait until one of several files is ready.
 *
 * The thread begins one park, links a waiter node on each file's wait queue(s),
 * and only then tests the files: a file that becomes ready after the test wakes
 * the park through its node, and one that was ready before is seen by the test
 * (which then cancels the park itself). The continuation unlinks every node and
 * tests again; it parks anew if nothing is ready yet and neither the deadline
 * nor a signal ended the wait. pselect6 is ppoll over an array built from the
 * fd_sets. A temporary signal mask is installed for the wait, as sigsuspend does.
 */
#include <linux/lx.h>
#include <core/slab.h>
#include <core/waitq.h>
#include <lib/string.h>

#define POLLIN   0x001
#define POLLPRI  0x002
#define POLLOUT  0x004
#define POLLERR  0x008
#define POLLHUP  0x010
#define POLLNVAL 0x020
#define POLL_MAX 1024

struct lx_pollfd {
	int32_t fd;
	int16_t events, revents;
};

/* One wait in progress; lives in t->wait[0] while the thread is parked. */
struct poll_wait {
	struct lx_pollfd *fds;
	unsigned nfds;
	uaddr_t ufds;			/* where revents go (ppoll), 0 for pselect */
	uaddr_t sets[3];		/* pselect's in/out/except sets */
	unsigned nbits;
	uint64_t deadline;
	struct waiter *nodes;
	struct file **node_files;	/* a reference per node: its queue lives in the file */
	unsigned nnodes;
};

/* Test every fd; fill revents; return how many have events. */
static int scan(struct thread *t, struct poll_wait *pw)
{
	int ready = 0;

	for (unsigned i = 0; i < pw->nfds; i++) {
		struct lx_pollfd *p = &pw->fds[i];
		struct file *f;

		p->revents = 0;
		if (p->fd < 0)
			continue;
		f = lx_fd_get(t->proc, p->fd);
		if (!f) {
			p->revents = POLLNVAL;
		} else {
			unsigned m = vfs_poll(f);
			p->revents = (int16_t)(m & ((unsigned)p->events | POLLERR | POLLHUP));
			file_put(f);
		}
		ready += p->revents != 0;
	}
	return ready;
}

static void unlink_nodes(struct poll_wait *pw)
{
	for (unsigned i = 0; i < pw->nnodes; i++) {
		waitq_remove(&pw->nodes[i]);
		file_put(pw->node_files[i]);
	}
	kfree(pw->nodes);
	kfree(pw->node_files);
	pw->nodes = NULL;
	pw->node_files = NULL;
	pw->nnodes = 0;
}

static void link_on(struct poll_wait *pw, struct file *f, struct waitq *wq, struct thread *t,
		    uint64_t gen)
{
	if (!wq)
		return;
	pw->node_files[pw->nnodes] = file_get(f);
	spin_lock(&wq->lock);
	waitq_add_locked(wq, &pw->nodes[pw->nnodes++], t, gen);
	spin_unlock(&wq->lock);
}

/* Link a node on each queue the fds could wake us through. */
static int link_nodes(struct thread *t, struct poll_wait *pw, uint64_t gen)
{
	pw->nodes = kzalloc(2 * pw->nfds * sizeof(struct waiter) + 1);
	pw->node_files = kzalloc(2 * pw->nfds * sizeof(struct file *) + 1);
	if (!pw->nodes || !pw->node_files) {
		kfree(pw->nodes);
		kfree(pw->node_files);
		pw->nodes = NULL;
		pw->node_files = NULL;
		return -ENOMEM;
	}
	for (unsigned i = 0; i < pw->nfds; i++) {
		struct file *f = pw->fds[i].fd >= 0 ? lx_fd_get(t->proc, pw->fds[i].fd) : NULL;
		if (!f)
			continue;
		if (f->fops->wait_queue) {
			if (pw->fds[i].events & (POLLIN | POLLPRI))
				link_on(pw, f, f->fops->wait_queue(f, false), t, gen);
			if (pw->fds[i].events & POLLOUT) {
				struct waitq *wr = f->fops->wait_queue(f, true);
				if (wr != f->fops->wait_queue(f, false) || !(pw->fds[i].events & POLLIN))
					link_on(pw, f, wr, t, gen);
			}
		}
		file_put(f);
	}
	return 0;
}

static int put_fd_sets(struct poll_wait *pw);

/* Report the results and end the call: the count, or -EFAULT. */
static long finish(struct thread *t, struct poll_wait *pw, int ready)
{
	long r = ready;

	if (pw->ufds) {
		for (unsigned i = 0; i < pw->nfds && r >= 0; i++)
			if (copy_to_user(pw->ufds + i * sizeof(struct lx_pollfd) + 6,
					 &pw->fds[i].revents, 2))
				r = -EFAULT;
	} else if (put_fd_sets(pw)) {
		r = -EFAULT;
	} else {
		r = 0;	/* select counts bits, not fds */
		for (unsigned i = 0; i < pw->nfds; i++)
			r += !!(pw->fds[i].revents & (POLLIN | POLLHUP | POLLERR)) +
			     !!(pw->fds[i].revents & (POLLOUT | POLLERR)) * 0 +
			     !!(pw->fds[i].revents & POLLOUT);
	}
	kfree(pw->fds);
	kfree(pw);
	t->wait[0] = 0;
	if (t->lx->has_saved_mask && r != -EINTR) {
		t->lx->blocked = t->lx->saved_mask;
		t->lx->has_saved_mask = false;
	}
	return r;
}

static long poll_cont(struct thread *t);

/* Park until an fd may be ready: -EPARKED, or the result if one already is. */
static long wait_ready(struct thread *t, struct poll_wait *pw)
{
	uint64_t gen = thread_park_begin(t, poll_cont);
	int ready;

	t->wait[0] = (uint64_t)pw;
	if (link_nodes(t, pw, gen)) {
		if (thread_cancel_park(t, gen)) {
			unlink_nodes(pw);
			return finish(t, pw, -ENOMEM);
		}
		return -EPARKED;
	}
	ready = scan(t, pw);
	if (ready || (pw->deadline && pw->deadline <= hal_time_ns())) {
		if (thread_cancel_park(t, gen)) {
			unlink_nodes(pw);
			return finish(t, pw, ready);
		}
		return -EPARKED;	/* a waker got there first: the continuation reports */
	}
	if (pw->deadline)
		thread_park_timeout(t, gen, pw->deadline);
	return -EPARKED;
}

static long poll_cont(struct thread *t)
{
	struct poll_wait *pw = (struct poll_wait *)t->wait[0];
	long r = t->wake_result;
	int ready;

	unlink_nodes(pw);
	ready = scan(t, pw);
	if (!ready && r != -ETIMEDOUT && r != -EINTR &&
	    !(pw->deadline && pw->deadline <= hal_time_ns()))
		return wait_ready(t, pw);
	hal_tf_set_ret(&t->tf, ready ? finish(t, pw, ready) : finish(t, pw, r == -EINTR ? -EINTR : 0));
	return 0;
}

static int get_timeout(uaddr_t uts, uint64_t *deadline, bool *immediate)
{
	int64_t ts[2];

	*deadline = 0;
	*immediate = false;
	if (!uts)
		return 0;
	if (copy_from_user(ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
		return -EINVAL;
	*immediate = !ts[0] && !ts[1];
	*deadline = hal_time_ns() + (uint64_t)ts[0] * 1000000000ull + (uint64_t)ts[1];
	return 0;
}

/* Install a temporary signal mask for the wait (restored when it ends). */
static int set_mask(struct thread *t, uaddr_t umask, size_t size)
{
	lx_sigset_t m;

	if (!umask)
		return 0;
	if (size != sizeof(m))
		return -EINVAL;
	if (copy_from_user(&m, umask, sizeof(m)))
		return -EFAULT;
	t->lx->saved_mask = t->lx->blocked;
	t->lx->has_saved_mask = true;
	t->lx->blocked = m & ~(LX_SIGBIT(9) | LX_SIGBIT(19));
	return 0;
}

static long run(struct thread *t, struct poll_wait *pw, uaddr_t uts, uaddr_t umask, size_t msize)
{
	bool immediate;
	int ready, err = get_timeout(uts, &pw->deadline, &immediate);

	if (!err)
		err = set_mask(t, umask, msize);
	if (err) {
		kfree(pw->fds);
		kfree(pw);
		return err;
	}
	ready = scan(t, pw);
	if (ready || immediate)
		return finish(t, pw, ready);
	return wait_ready(t, pw);
}

long lx_sys_ppoll(struct thread *t, const unsigned long *a)
{
	unsigned nfds = (unsigned)a[1];
	struct poll_wait *pw;

	if (nfds > POLL_MAX)
		return -EINVAL;
	pw = kzalloc(sizeof(*pw));
	if (!pw)
		return -ENOMEM;
	pw->fds = kmalloc(nfds * sizeof(struct lx_pollfd) + 1);
	if (!pw->fds || copy_from_user(pw->fds, a[0], nfds * sizeof(struct lx_pollfd))) {
		long err = pw->fds ? -EFAULT : -ENOMEM;
		kfree(pw->fds);
		kfree(pw);
		return err;
	}
	pw->nfds = nfds;
	pw->ufds = a[0];
	return run(t, pw, a[2], a[3], a[4]);
}

/* ---- pselect6: fd_sets to and from a pollfd array ---- */

static int get_fd_sets(struct poll_wait *pw, uint64_t bits[3][POLL_MAX / 64])
{
	size_t bytes = (pw->nbits + 63) / 64 * 8;

	for (int k = 0; k < 3; k++) {
		memset(bits[k], 0, sizeof(bits[k]));
		if (pw->sets[k] && copy_from_user(bits[k], pw->sets[k], bytes))
			return -EFAULT;
	}
	return 0;
}

static int put_fd_sets(struct poll_wait *pw)
{
	uint64_t out[3][POLL_MAX / 64];
	size_t bytes = (pw->nbits + 63) / 64 * 8;

	memset(out, 0, sizeof(out));
	for (unsigned i = 0; i < pw->nfds; i++) {
		int fd = pw->fds[i].fd;
		int16_t ev = pw->fds[i].revents, want = pw->fds[i].events;
		if ((want & POLLIN) && (ev & (POLLIN | POLLHUP | POLLERR)))
			out[0][fd / 64] |= 1ull << (fd % 64);
		if ((want & POLLOUT) && (ev & (POLLOUT | POLLERR)))
			out[1][fd / 64] |= 1ull << (fd % 64);
		if ((want & POLLPRI) && (ev & POLLPRI))
			out[2][fd / 64] |= 1ull << (fd % 64);
	}
	for (int k = 0; k < 3; k++)
		if (pw->sets[k] && copy_to_user(pw->sets[k], out[k], bytes))
			return -EFAULT;
	return 0;
}

long lx_sys_pselect6(struct thread *t, const unsigned long *a)
{
	uint64_t bits[3][POLL_MAX / 64], sig[2] = { 0, 0 };
	struct poll_wait *pw;
	unsigned n = (unsigned)a[0];
	int err;

	if ((int)a[0] < 0 || n > POLL_MAX)
		return -EINVAL;
	if (a[5] && copy_from_user(sig, a[5], sizeof(sig)))
		return -EFAULT;
	pw = kzalloc(sizeof(*pw));
	if (!pw)
		return -ENOMEM;
	pw->nbits = n;
	pw->sets[0] = a[1];
	pw->sets[1] = a[2];
	pw->sets[2] = a[3];
	pw->fds = kmalloc(n * sizeof(struct lx_pollfd) + 1);
	err = pw->fds ? get_fd_sets(pw, bits) : -ENOMEM;
	for (unsigned fd = 0; !err && fd < n; fd++) {
		int16_t ev = 0;
		if (bits[0][fd / 64] & (1ull << (fd % 64)))
			ev |= POLLIN;
		if (bits[1][fd / 64] & (1ull << (fd % 64)))
			ev |= POLLOUT;
		if (bits[2][fd / 64] & (1ull << (fd % 64)))
			ev |= POLLPRI;
		if (ev)
			pw->fds[pw->nfds++] = (struct lx_pollfd){ (int32_t)fd, ev, 0 };
	}
	for (unsigned i = 0; !err && i < pw->nfds; i++) {
		struct file *f = lx_fd_get(t->proc, pw->fds[i].fd);
		if (!f)
			err = -EBADF;
		else
			file_put(f);
	}
	if (err) {
		kfree(pw->fds);
		kfree(pw);
		return err;
	}
	return run(t, pw, a[4], sig[0], sig[1]);
}
