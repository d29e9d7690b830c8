/*
 * Lifetimes in the native ABI, seen from a Linux process: closing, replacing
 * or sending away the handle a wait goes through ends that wait with
 * -ECANCELED (object_wait_one, channel_call, AsyncQ WAIT ops) while waits
 * through other handles to the same object go on, and a wait racing with the
 * close ends one way or the other, never hanging; a channel refuses to carry
 * its own endpoints (-ENOTSUP, nothing moves); name bindings go away with
 * name_unbind (only by the process that bound them) and when that process
 * exits; a native process maps a VMO into itself through the root VMAR it
 * is given at spawn; sub-VMARs (vmar_allocate) keep their mappings inside
 * their range and within their protections, and their free space faults.
 */
#include "t_nat.h"
#include <pthread.h>
#include <sys/wait.h>
#include <signal.h>
#include <weft/sys.h>
#include <weft/spawn.h>

#define MS 1000000ull

struct waiter {
	handle_t h;
	int kind; /* 0: object_wait_one, 1: channel_call */
	int go;	  /* the thread spins until this is 1 */
	long r;	  /* 1 until the call returned */
	uint64_t done_ns;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	char buf[16];
	long r;

	while (!__atomic_load_n(&w->go, __ATOMIC_ACQUIRE))
		;
	if (w->kind == 0)
		r = weft_object_wait_one(w->h, WEFT_SIG_USER(0), n_now() + 5000 * MS, NULL);
	else
		r = weft_channel_call(w->h, "q", 1, buf, sizeof(buf), n_now() + 5000 * MS);
	w->done_ns = n_now();
	__atomic_store_n(&w->r, r, __ATOMIC_RELEASE);
	return NULL;
}

static void start(pthread_t *th, struct waiter *w, handle_t h, int kind)
{
	*w = (struct waiter){.h = h, .kind = kind, .r = 1, .go = 1};
	T_EQ(pthread_create(th, NULL, wait_thread, w), 0);
}

static long pending(struct waiter *w)
{
	return __atomic_load_n(&w->r, __ATOMIC_ACQUIRE);
}

static handle_t dup_of(handle_t h)
{
	handle_t out = 0;

	T_EQ(weft_handle_dup(h, WEFT_RIGHTS_SAME, 0, &out), 0);
	return out;
}

/* Close h while a thread waits through it: -ECANCELED, at once. */
static void test_close_cancels_wait(void)
{
	handle_t c[2], d, r2, carrier[2];
	struct waiter a, b;
	pthread_t ta, tb;

	T_EQ(weft_channel_create(c), 0);
	d = dup_of(c[0]);
	start(&ta, &a, c[0], 0);
	start(&tb, &b, d, 0);
	usleep(50000); /* both parked */
	T_EQ(pending(&a), 1);
	uint64_t t0 = n_now();
	T_EQ(weft_handle_close(c[0]), 0);
	pthread_join(ta, NULL);
	T_EQ(a.r, -ECANCELED);
	T_CHECK(a.done_ns - t0 < 1000 * MS);
	usleep(20000);
	T_EQ(pending(&b), 1); /* the wait through the other handle goes on */
	T_EQ(weft_object_signal(d, 0, WEFT_SIG_USER(0)), 0);
	pthread_join(tb, NULL);
	T_EQ(b.r, 0);
	T_EQ(weft_object_signal(d, WEFT_SIG_USER(0), 0), 0);
	/* replace: the old value's waits end, the new handle works */
	start(&ta, &a, d, 0);
	usleep(50000);
	T_EQ(weft_handle_replace(d, WEFT_RIGHTS_SAME, &r2), 0);
	pthread_join(ta, NULL);
	T_EQ(a.r, -ECANCELED);
	T_EQ(weft_object_wait_one(r2, WEFT_SIG_WRITABLE, 0, NULL), 0);
	/* sent away in a message: it left this process */
	T_EQ(weft_channel_create(carrier), 0);
	start(&ta, &a, r2, 0);
	usleep(50000);
	struct weft_handle_xfer x = {r2, WEFT_RIGHTS_SAME};
	T_EQ(weft_channel_write(carrier[0], "h", 1, &x, 1), 0);
	pthread_join(ta, NULL);
	T_EQ(a.r, -ECANCELED);
	/* channel_call parked for its reply */
	d = dup_of(c[1]);
	start(&ta, &a, d, 1);
	usleep(50000);
	T_EQ(pending(&a), 1);
	T_EQ(weft_handle_close(d), 0);
	pthread_join(ta, NULL);
	T_EQ(a.r, -ECANCELED);
	weft_handle_close(c[1]);
	weft_handle_close(carrier[0]);
	weft_handle_close(carrier[1]);
}

/* A wait that starts while its handle is being closed ends either way:
 * -ECANCELED (it was parked first) or -EBADF (the close came first), never
 * a wait that nothing ends (that would be -ETIMEDOUT after 5 s). */
static void test_close_races_wait(void)
{
	handle_t c[2];
	int cancelled = 0, badf = 0, rounds = 200;

	T_EQ(weft_channel_create(c), 0);
	for (int i = 0; i < rounds; i++) {
		struct waiter w;
		pthread_t th;
		handle_t h = dup_of(c[0]);

		w = (struct waiter){.h = h, .r = 1};
		T_EQ(pthread_create(&th, NULL, wait_thread, &w), 0);
		usleep(1000); /* let it reach its spin */
		__atomic_store_n(&w.go, 1, __ATOMIC_RELEASE);
		for (volatile int k = 0; k < (i % 50) * 1000; k++) /* vary who wins */
			;
		T_EQ(weft_handle_close(h), 0);
		pthread_join(th, NULL);
		if (w.r == -ECANCELED)
			cancelled++;
		else if (w.r == -EBADF)
			badf++;
		else
			T_EQ(w.r, -ECANCELED);
	}
	T_EQ(cancelled + badf, rounds);
	printf("t_natlife: close vs wait: %d cancelled, %d bad handle\n", cancelled, badf);
	weft_handle_close(c[0]);
	weft_handle_close(c[1]);
}

/* An AsyncQ WAIT op through a handle that is then closed completes with
 * -ECANCELED; one through another handle stays armed; one submitted after
 * the close fails with -EBADF. */
static void test_close_cancels_aq_wait(void)
{
	struct weft_aq_cqe c;
	struct weft_aq_sqe *s;
	handle_t ch[2], h;
	struct tq q;

	T_EQ(tq_open(&q, 8), 0);
	T_EQ(weft_channel_create(ch), 0);
	h = dup_of(ch[0]);
	s = tq_sqe(&q, WEFT_AQ_OP_WAIT, 1);
	s->handle = h;
	s->arg = WEFT_SIG_USER(1);
	tq_push(&q);
	s = tq_sqe(&q, WEFT_AQ_OP_WAIT, 2);
	s->handle = ch[0];
	s->arg = WEFT_SIG_USER(1);
	tq_push(&q);
	T_EQ(tq_submit(&q, 2), 2);
	T_ERR(tq_poll(&q, 1, n_now() + 10 * MS), ETIMEDOUT); /* both armed */
	T_EQ(weft_handle_close(h), 0);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.token, 1);
	T_EQ(c.result, -ECANCELED);
	T_ERR(tq_poll(&q, 1, n_now() + 20 * MS), ETIMEDOUT); /* token 2 still armed */
	T_EQ(weft_object_signal(ch[0], 0, WEFT_SIG_USER(1)), 0);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.token, 2);
	T_CHECK(c.result > 0 && (c.signals & WEFT_SIG_USER(1)));
	s = tq_sqe(&q, WEFT_AQ_OP_WAIT, 3);
	s->handle = h;
	s->arg = WEFT_SIG_USER(2);
	tq_push(&q);
	T_EQ(tq_submit(&q, 1), 1);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.token, 3);
	T_EQ(c.result, -EBADF);
	/* a channel receive op whose handle is closed ends with -EBADF */
	char buf[8];
	h = dup_of(ch[1]);
	s = tq_sqe(&q, WEFT_AQ_OP_CHAN_RECV, 4);
	s->handle = h;
	s->addr = (uint64_t)(uintptr_t)buf;
	s->len = sizeof(buf);
	tq_push(&q);
	T_EQ(tq_submit(&q, 1), 1);
	T_ERR(tq_poll(&q, 1, n_now() + 10 * MS), ETIMEDOUT);
	T_EQ(weft_handle_close(h), 0);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.token, 4);
	T_EQ(c.result, -EBADF);
	weft_handle_close(ch[0]);
	weft_handle_close(ch[1]);
	tq_close(&q);
}

/* Neither endpoint of a channel can travel in it; nothing moves. */
static void test_channel_refuses_itself(void)
{
	handle_t c[2], e[2];
	char buf[8];

	T_EQ(weft_channel_create(c), 0);
	T_EQ(weft_channel_create(e), 0);
	struct weft_handle_xfer peer = {c[1], WEFT_RIGHTS_SAME}, self = {c[0], WEFT_RIGHTS_SAME};
	T_EQ(weft_channel_write(c[0], "p", 1, &peer, 1), -ENOTSUP);
	T_EQ(weft_channel_write(c[0], "s", 1, &self, 1), -ENOTSUP);
	struct weft_handle_xfer two[2] = {{e[0], WEFT_RIGHTS_SAME}, {c[1], WEFT_RIGHTS_SAME}};
	T_EQ(weft_channel_write(c[0], "2", 1, two, 2), -ENOTSUP);
	T_EQ(weft_object_get_info(e[0], &(struct weft_obj_info){0}), 0); /* still here */
	T_EQ(weft_object_get_info(c[1], &(struct weft_obj_info){0}), 0);
	T_EQ(weft_channel_read(c[1], buf, sizeof(buf), NULL, 0, NULL), -EAGAIN);
	T_EQ(weft_channel_read(c[0], buf, sizeof(buf), NULL, 0, NULL), -EAGAIN);
	/* a dup of an endpoint is the same endpoint */
	handle_t d = dup_of(c[1]);
	struct weft_handle_xfer dx = {d, WEFT_RIGHTS_SAME};
	T_EQ(weft_channel_write(c[1], "d", 1, &dx, 1), -ENOTSUP);
	/* another channel's endpoint is fine */
	struct weft_handle_xfer other = {e[0], WEFT_RIGHTS_SAME};
	T_EQ(weft_channel_write(c[0], "o", 1, &other, 1), 0);
	weft_handle_close(d);
	weft_handle_close(c[0]);
	weft_handle_close(c[1]);
	weft_handle_close(e[1]);
}

/* ---- names ---- */

static handle_t ns_handle(rights_t r)
{
	handle_t ns = 0;

	T_EQ(weft_name_resolve(0, "namesvc", r, &ns), 0);
	return ns;
}

static long resolve(const char *name)
{
	handle_t h;
	long r = weft_name_resolve(0, name, WEFT_RIGHTS_SAME, &h);

	if (!r)
		weft_handle_close(h);
	return r;
}

static handle_t image(const char *path)
{
	handle_t fs, root, f = 0;

	T_EQ(weft_name_resolve(0, "fs", WEFT_RIGHTS_SAME, &fs), 0);
	T_EQ(weft_fs_root(fs, WEFT_RIGHTS_SAME, &root), 0);
	T_EQ(weft_dir_lookup(root, path, WEFT_RIGHT_READ | WEFT_RIGHT_EXEC, &f), 0);
	weft_handle_close(fs);
	weft_handle_close(root);
	return f;
}

static long wait_exit(handle_t proc)
{
	int64_t code = -1;

	T_EQ(weft_object_wait_one(proc, WEFT_SIG_TERMINATED, n_now() + 10000 * MS, NULL), 0);
	T_EQ(weft_process_status(proc, &code), 0);
	return (long)code;
}

static void test_name_unbind(void)
{
	char name[48], name2[48], name3[48];
	handle_t c[2];
	int st;

	snprintf(name, sizeof(name), "t.unbind.%d", (int)getpid());
	snprintf(name2, sizeof(name2), "t.child.%d", (int)getpid());
	snprintf(name3, sizeof(name3), "t.natsrv.%d", (int)getpid());
	T_EQ(weft_channel_create(c), 0);
	T_EQ(weft_name_bind(0, name, c[0]), 0);
	T_EQ(resolve(name), 0);
	/* another process may not unbind it */
	pid_t pid = fork();
	if (pid == 0)
		_exit(weft_name_unbind(0, name) == -EPERM ? 0 : 1);
	T_EQ(waitpid(pid, &st, 0), pid);
	T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	T_EQ(resolve(name), 0);
	handle_t ro = ns_handle(WEFT_RIGHT_READ);
	T_EQ(weft_name_unbind(ro, name), -EACCES);
	weft_handle_close(ro);
	T_EQ(weft_name_unbind(0, ""), -EINVAL);
	T_EQ(weft_name_unbind(0, "fs"), -EPERM); /* the kernel's names stay */
	T_EQ(weft_name_unbind(0, name), 0);
	T_EQ(resolve(name), -ENOENT);
	T_EQ(weft_name_unbind(0, name), -ENOENT);
	T_EQ(weft_name_bind(0, name, c[0]), 0); /* free again */
	T_EQ(weft_name_unbind(0, name), 0);
	/* a binding goes when the process that made it exits */
	pid = fork();
	if (pid == 0) { /* handles are not inherited: the child makes its own */
		handle_t own[2];
		_exit(weft_channel_create(own) == 0 && weft_name_bind(0, name2, own[0]) == 0 &&
			      resolve(name2) == 0
			  ? 0
			  : 1);
	}
	T_EQ(waitpid(pid, &st, 0), pid);
	T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	T_EQ(resolve(name2), -ENOENT);
	/* ... a native server's too, even killed */
	handle_t img = image("native/nat_echo_srv"), p;
	struct weft_handle_xfer xs = {ns_handle(WEFT_RIGHT_WRITE | WEFT_RIGHT_TRANSFER),
				      WEFT_RIGHTS_SAME};
	T_EQ(weft_process_spawn(img, name3, (uint32_t)strlen(name3), &xs, 1, &p), 0);
	weft_handle_close(img);
	int tries = 0;
	while (resolve(name3) != 0 && tries++ < 1000)
		usleep(2000);
	T_EQ(resolve(name3), 0);
	T_EQ(weft_process_kill(p), 0);
	T_EQ(wait_exit(p), WEFT_EXIT_KILLED);
	T_EQ(resolve(name3), -ENOENT);
	weft_handle_close(p);
	weft_handle_close(c[0]);
	weft_handle_close(c[1]);
}

/* A native process maps a VMO into itself through its root VMAR. */
static void test_spawn_root_vmar(void)
{
	handle_t img = image("native/nat_hello"), p;

	T_EQ(weft_process_spawn(img, "vmar", 4, NULL, 0, &p), 0);
	T_EQ(wait_exit(p), 0);
	weft_handle_close(p);
	T_EQ(weft_process_spawn(img, NULL, 0, NULL, 0, &p), 0);
	T_EQ(wait_exit(p), 42); /* self and the VMAR are its only handles */
	weft_handle_close(p);
	weft_handle_close(img);
}

#define KB 1024ul

static long map_in(handle_t vmar, unsigned flags, uintptr_t addr, handle_t vmo, size_t len)
{
	return weft_raw_vmar_map(vmar, flags, (long)addr, vmo, 0, (long)len);
}

/* Sub-VMARs: placement, bounds, protections, nesting, unmap back to free
 * space, and free space that faults. */
static void test_vmar_allocate(void)
{
	const unsigned RW = WEFT_VM_READ | WEFT_VM_WRITE;
	handle_t root, sub, leaf, v;
	struct weft_obj_info info;
	int st;

	T_EQ(n_vmar_root(&root), 0);
	T_EQ(n_vmo_create(64 * KB, 0, &v), 0);
	long base = weft_vmar_allocate(root, RW, 0, 64 * KB, &sub);
	T_CHECK(base > 0 && base % 4096 == 0);
	T_EQ(weft_object_get_info(sub, &info), 0);
	T_EQ(info.type, WEFT_OBJ_VMAR);
	T_EQ(info.rights & (WEFT_RIGHT_READ | WEFT_RIGHT_WRITE | WEFT_RIGHT_EXEC),
	     WEFT_RIGHT_READ | WEFT_RIGHT_WRITE);
	/* the kernel's choice lands inside; a specific place inside works once */
	long a = map_in(sub, RW, 0, v, 16 * KB);
	T_CHECK(a >= base && a + 16 * KB <= (unsigned long)base + 64 * KB);
	T_EQ(map_in(sub, RW | WEFT_VM_SPECIFIC, base + 32 * KB, v, 8 * KB), base + 32 * KB);
	T_EQ(map_in(sub, RW | WEFT_VM_SPECIFIC, base + 36 * KB, v, 8 * KB), -EEXIST);
	T_EQ(map_in(sub, RW | WEFT_VM_SPECIFIC, base + 60 * KB, v, 8 * KB), -EINVAL); /* past it */
	T_EQ(map_in(sub, RW | WEFT_VM_SPECIFIC, base - 4 * KB, v, 4 * KB), -EINVAL);
	/* the root never places anything in it, not even at a hint inside */
	for (int i = 0; i < 4; i++) {
		long r = map_in(root, RW, base + 48 * KB, v, 4 * KB);
		T_CHECK(r > 0 && (r + 4 * (long)KB <= base || r >= base + 64 * (long)KB));
	}
	T_EQ(map_in(root, RW | WEFT_VM_SPECIFIC, base + 48 * KB, v, 4 * KB), -EEXIST);
	/* bytes go through */
	volatile uint32_t *p = (volatile uint32_t *)(base + 32 * KB);
	p[0] = 0xfeed;
	uint32_t got = 0;
	T_EQ(n_vmo_read(v, &got, 4, 0), 0);
	T_EQ(got, 0xfeed);
	/* its protections bound what maps and protects in it */
	handle_t vx;
	T_EQ(n_vmo_create(4 * KB, WEFT_VMO_EXECUTABLE, &vx), 0);
	T_EQ(map_in(sub, WEFT_VM_READ | WEFT_VM_EXEC, 0, vx, 4 * KB), -EACCES);
	T_EQ(n_vmar_protect(sub, base + 32 * KB, 4 * KB, WEFT_VM_READ | WEFT_VM_EXEC), -EACCES);
	T_EQ(n_vmar_protect(sub, base + 32 * KB, 4 * KB, WEFT_VM_READ), 0);
	T_EQ(n_vmar_protect(sub, base + 32 * KB, 4 * KB, RW), 0);
	/* a free page of it cannot be opened by protect, from the root either */
	T_EQ(n_vmar_protect(root, base + 56 * KB, 4 * KB, RW), -EACCES);
	T_EQ(weft_vmar_allocate(sub, RW | WEFT_VM_EXEC, 0, 4 * KB, &leaf), -EACCES);
	/* nesting: a read-only child at a specific place */
	T_EQ(weft_vmar_allocate(sub, WEFT_VM_READ | WEFT_VM_SPECIFIC, base + 48 * KB, 8 * KB, &leaf),
	     base + 48 * KB);
	T_EQ(map_in(leaf, RW, 0, v, 4 * KB), -EACCES);
	T_EQ(map_in(leaf, WEFT_VM_READ, 0, v, 4 * KB), base + 48 * KB);
	T_EQ(map_in(sub, RW | WEFT_VM_SPECIFIC, base + 48 * KB, v, 4 * KB), -EEXIST); /* leaf's */
	T_EQ(weft_vmar_allocate(sub, WEFT_VM_READ, 0, 64 * KB, &(handle_t){0}), -ENOMEM);
	/* unmap gives the space back to the VMAR */
	T_EQ(n_vmar_unmap(sub, base + 32 * KB, 8 * KB), 0);
	T_EQ(map_in(sub, RW | WEFT_VM_SPECIFIC, base + 32 * KB, v, 8 * KB), base + 32 * KB);
	T_EQ(n_vmar_unmap(sub, base + 64 * KB, 4 * KB), -EINVAL);
	T_EQ(n_vmar_unmap(sub, base + 40 * KB, 16 * KB), -EACCES); /* holds leaf's range */
	/* free space in it faults (in a child, so that the fault kills only it) */
	pid_t pid = fork();
	if (pid == 0) {
		*(volatile int *)(base + 44 * KB) = 1;
		_exit(0);
	}
	T_EQ(waitpid(pid, &st, 0), pid);
	T_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	/* closing the handles leaves the reservation; unmapping it through the root ends it */
	handle_t keep = n_restrict(sub, WEFT_VMAR_RIGHTS & ~WEFT_RIGHT_EXEC);
	T_EQ(n_close(leaf), 0);
	T_EQ(n_close(sub), 0);
	T_EQ(map_in(root, RW | WEFT_VM_SPECIFIC, base + 56 * KB, v, 4 * KB), -EEXIST);
	T_EQ(n_vmar_unmap(root, base, 64 * KB), 0);
	T_EQ(map_in(root, RW | WEFT_VM_SPECIFIC, base + 56 * KB, v, 4 * KB), base + 56 * KB);
	/* ... and the ended child can neither take back nor map over the root's */
	T_EQ(n_vmar_unmap(keep, base + 56 * KB, 4 * KB), -EACCES);
	T_EQ(map_in(keep, RW, 0, v, 4 * KB), -ENOMEM);
	p = (volatile uint32_t *)(base + 56 * KB);
	p[1] = 0xbeef;
	T_EQ(n_vmo_read(v, &got, 4, 4), 0);
	T_EQ(got, 0xbeef);
	T_EQ(n_vmar_unmap(root, base + 56 * KB, 4 * KB), 0);
	n_close(keep);
	n_close(vx);
	n_close(v);
	n_close(root);
}

int main(void)
{
	test_close_cancels_wait();
	test_close_races_wait();
	test_close_cancels_aq_wait();
	test_channel_refuses_itself();
	test_name_unbind();
	test_spawn_root_vmar();
	test_vmar_allocate();
	T_DONE();
}
