/*
 * Part of t_native.c: handles, rights, channels, transfer, waits and revoke.
 * Included once, after t_native.c's helpers.
 */

static void test_handles_and_stale(void)
{
	handle_t c[2], old, seen[256];
	struct weft_obj_info info;

	T_EQ(weft_channel_create(c), 0);
	T_EQ(weft_object_get_info(c[0], &info), 0);
	T_EQ(info.type, WEFT_OBJ_CHANNEL);
	old = c[0];
	T_EQ(weft_handle_close(old), 0);
	T_EQ(weft_handle_close(old), -EBADF);
	/* however many objects come after, the old value names none of them */
	for (int i = 0; i < 256; i++) {
		T_EQ(weft_lease_create(&seen[i]), 0);
		T_CHECK(seen[i] != old);
		T_EQ(weft_object_get_info(old, &info), -EBADF);
	}
	for (int i = 0; i < 256; i++)
		weft_handle_close(seen[i]);
	for (int i = 0; i < 2000; i++) {
		handle_t h;
		T_EQ(weft_lease_create(&h), 0);
		T_CHECK(h != old);
		weft_handle_close(h);
	}
	T_EQ(weft_object_get_info(old, &info), -EBADF);
	T_EQ(weft_object_get_info(0, &info), -EBADF);
	T_EQ(weft_object_get_info(0xffffffffu, &info), -EBADF);
	/* dup only shrinks; replace closes the old value */
	handle_t d, r;
	T_EQ(weft_handle_dup(c[1], WEFT_RIGHT_READ | WEFT_RIGHT_DUPLICATE | WEFT_RIGHT_INSPECT, 0, &d),
	     0);
	T_EQ(weft_handle_dup(d, WEFT_RIGHT_WRITE, 0, &r), -EINVAL);
	T_EQ(weft_handle_dup(d, WEFT_RIGHTS_SAME, 0, &r), 0);
	T_EQ(rights_of(r), WEFT_RIGHT_READ | WEFT_RIGHT_DUPLICATE | WEFT_RIGHT_INSPECT);
	handle_t r2;
	T_EQ(weft_handle_replace(r, WEFT_RIGHT_READ | WEFT_RIGHT_WRITE, &r2), -EINVAL);
	T_EQ(weft_handle_replace(r, WEFT_RIGHT_READ, &r2), 0);
	T_EQ(weft_object_get_info(r, &info), -EBADF);
	T_EQ(weft_handle_close(r2), 0);
	T_EQ(weft_handle_dup(c[1], WEFT_RIGHTS_SAME, 0, (handle_t *)8), -EFAULT);
	T_EQ(weft_object_get_info(c[1], (void *)0xffffffc000000000ul), -EFAULT);
	weft_handle_close(d);
	weft_handle_close(c[1]);
}

/* One call of the matrix: run it on h, return its result. */
typedef long (*mcall_t)(handle_t h, handle_t aux);

static long m_dup(handle_t h, handle_t aux)
{
	handle_t o;
	long r = weft_handle_dup(h, WEFT_RIGHTS_SAME, 0, &o);
	(void)aux;
	if (!r)
		weft_handle_close(o);
	return r;
}
static long m_info(handle_t h, handle_t aux)
{
	struct weft_obj_info i;
	(void)aux;
	return weft_object_get_info(h, &i);
}
static long m_wait(handle_t h, handle_t aux)
{
	(void)aux;
	return weft_object_wait_one(h, WEFT_SIG_USER(0), 0, NULL);
}
static long m_signal(handle_t h, handle_t aux)
{
	(void)aux;
	return weft_object_signal(h, WEFT_SIG_USER(1), 0);
}
static long m_attach(handle_t h, handle_t aux)
{
	return weft_lease_attach(h, aux);
}
static long m_dup_lease(handle_t h, handle_t aux)
{
	handle_t o;
	long r = weft_handle_dup(aux, WEFT_RIGHTS_SAME, h, &o);
	if (!r)
		weft_handle_close(o);
	return r;
}
static long m_revoke(handle_t h, handle_t aux)
{
	(void)aux;
	return weft_lease_revoke(h);
}
static long m_write(handle_t h, handle_t aux)
{
	(void)aux;
	return weft_channel_write(h, "m", 1, NULL, 0);
}
static long m_read(handle_t h, handle_t aux)
{
	char b[8];
	(void)aux;
	return weft_channel_read(h, b, sizeof(b), NULL, 0, NULL);
}
static long m_xfer(handle_t h, handle_t aux)
{
	struct weft_handle_xfer x = {h, WEFT_RIGHTS_SAME};
	long r = weft_channel_write(aux, "t", 1, &x, 1);
	return r;
}
static long m_status(handle_t h, handle_t aux)
{
	int64_t c;
	(void)aux;
	return weft_process_status(h, &c);
}
static long m_kill(handle_t h, handle_t aux)
{
	(void)aux;
	return weft_process_kill(h);
}
static long m_bind(handle_t h, handle_t aux)
{
	char name[40];
	static int n;
	snprintf(name, sizeof(name), "t.matrix.%d.%d", (int)getpid(), n++);
	return weft_name_bind(h, name, aux);
}
static long m_bind_obj(handle_t h, handle_t aux)
{
	char name[40];
	static int n;
	snprintf(name, sizeof(name), "t.matrixo.%d.%d", (int)getpid(), n++);
	return weft_name_bind(aux, name, h);
}
static long m_resolve(handle_t h, handle_t aux)
{
	handle_t o;
	long r = weft_name_resolve(h, "fs", WEFT_RIGHT_READ, &o);
	(void)aux;
	if (!r)
		weft_handle_close(o);
	return r;
}
static long m_root(handle_t h, handle_t aux)
{
	handle_t o;
	long r = weft_fs_root(h, WEFT_RIGHT_READ, &o);
	(void)aux;
	if (!r)
		weft_handle_close(o);
	return r;
}
static long m_lookup(handle_t h, handle_t aux)
{
	handle_t o;
	long r = weft_dir_lookup(h, "etc", WEFT_RIGHT_READ, &o);
	(void)aux;
	if (!r)
		weft_handle_close(o);
	return r;
}
static long m_fread(handle_t h, handle_t aux)
{
	char b[4];
	(void)aux;
	return weft_file_read(h, 0, b, sizeof(b));
}
static long m_fwrite(handle_t h, handle_t aux)
{
	(void)aux;
	return weft_file_write(h, 0, "w", 1);
}
static long m_spawn(handle_t h, handle_t aux)
{
	handle_t p;
	long r = weft_process_spawn(h, "exit=3", 6, NULL, 0, &p);
	(void)aux;
	if (!r) {
		wait_exit(p);
		weft_handle_close(p);
	}
	return r;
}

/* nat2's calls: VMOs, VMARs, timers, AsyncQ (one page, one mapping at a time) */
static long m_vmo_read(handle_t h, handle_t aux)
{
	char b[4];
	(void)aux;
	return weft_vmo_read(h, b, sizeof(b), 0);
}
static long m_vmo_write(handle_t h, handle_t aux)
{
	(void)aux;
	return weft_vmo_write(h, "w", 1, 0);
}
static long m_vmo_size(handle_t h, handle_t aux)
{
	uint64_t size;
	(void)aux;
	return weft_vmo_get_size(h, &size);
}
static long m_vmo_set_size(handle_t h, handle_t aux)
{
	(void)aux;
	return weft_vmo_set_size(h, 4096);
}
static long m_vmo_clone(handle_t h, handle_t aux)
{
	handle_t c;
	long r = weft_vmo_clone(h, 0, 4096, &c);
	(void)aux;
	if (!r)
		weft_handle_close(c);
	return r;
}
static long map_unmap(handle_t vmar, handle_t vmo)
{
	long a = weft_vmar_map(vmar, WEFT_VM_READ, 0, vmo, 0, 4096);
	if (a > 0)
		weft_vmar_unmap(vmar, (uintptr_t)a, 4096);
	return a > 0 ? 0 : a;
}
static long m_map(handle_t h, handle_t aux)
{
	return map_unmap(h, aux);
}
static long m_map_vmo(handle_t h, handle_t aux)
{
	return map_unmap(aux, h);
}
static long m_unmap(handle_t h, handle_t aux)
{
	(void)aux;
	return weft_vmar_unmap(h, 0x1000000, 4096);
}
static long m_protect(handle_t h, handle_t aux)
{
	(void)aux;
	return weft_vmar_protect(h, 0x1000000, 4096, WEFT_VM_READ);
}
static long m_tset(handle_t h, handle_t aux)
{
	(void)aux;
	return weft_timer_set(h, WEFT_TIME_INFINITE - 1, 0);
}
static long m_tcancel(handle_t h, handle_t aux)
{
	(void)aux;
	return weft_timer_cancel(h);
}
static long m_submit(handle_t h, handle_t aux)
{
	(void)aux;
	return weft_asyncq_submit(h, 0);
}
static long m_poll(handle_t h, handle_t aux)
{
	(void)aux;
	return weft_asyncq_poll(h, 0, 0);
}
static long m_aqcancel(handle_t h, handle_t aux)
{
	(void)aux;
	return weft_asyncq_cancel(h, 12345);
}

struct mcase {
	const char *name;
	mcall_t fn;
	int obj;	/* which object the handle names (enum below) */
	rights_t need;	/* rights the call needs on it */
	uint32_t type;	/* WEFT_OBJ_* the call insists on, 0 for any */
};

enum {
	O_CHAN,
	O_LEASE,
	O_PROC,
	O_NS,
	O_FSSVC,
	O_DIR,
	O_FILE,
	O_EXE,
	O_VMO,
	O_VMAR,
	O_TIMER,
	O_AQ,
	O_NOBJ
};

static const struct mcase mcases[] = {
    {"dup", m_dup, O_CHAN, WEFT_RIGHT_DUPLICATE, 0},
    {"get_info", m_info, O_LEASE, WEFT_RIGHT_INSPECT, 0},
    {"wait_one", m_wait, O_CHAN, WEFT_RIGHT_WAIT, 0},
    {"signal", m_signal, O_CHAN, WEFT_RIGHT_SIGNAL, 0},
    {"lease_attach", m_attach, O_LEASE, WEFT_RIGHT_WRITE, WEFT_OBJ_LEASE},
    {"dup_with_lease", m_dup_lease, O_LEASE, WEFT_RIGHT_WRITE, WEFT_OBJ_LEASE},
    {"channel_write", m_write, O_CHAN, WEFT_RIGHT_WRITE, WEFT_OBJ_CHANNEL},
    {"channel_read", m_read, O_CHAN, WEFT_RIGHT_READ, WEFT_OBJ_CHANNEL},
    {"transfer", m_xfer, O_LEASE, WEFT_RIGHT_TRANSFER, 0},
    {"process_status", m_status, O_PROC, WEFT_RIGHT_INSPECT, WEFT_OBJ_PROCESS},
    {"name_bind", m_bind, O_NS, WEFT_RIGHT_WRITE, WEFT_OBJ_NAMESERVICE},
    {"name_bind_obj", m_bind_obj, O_LEASE, WEFT_RIGHT_DUPLICATE, 0},
    {"name_resolve", m_resolve, O_NS, WEFT_RIGHT_READ, WEFT_OBJ_NAMESERVICE},
    {"fs_root", m_root, O_FSSVC, WEFT_RIGHT_READ, WEFT_OBJ_FSSVC},
    {"dir_lookup", m_lookup, O_DIR, WEFT_RIGHT_READ, WEFT_OBJ_DIR},
    {"file_read", m_fread, O_FILE, WEFT_RIGHT_READ, WEFT_OBJ_FILE},
    {"file_write", m_fwrite, O_FILE, WEFT_RIGHT_WRITE, WEFT_OBJ_FILE},
    {"spawn", m_spawn, O_EXE, WEFT_RIGHT_READ | WEFT_RIGHT_EXEC, WEFT_OBJ_FILE},
    {"vmo_read", m_vmo_read, O_VMO, WEFT_RIGHT_READ, WEFT_OBJ_VMO},
    {"vmo_write", m_vmo_write, O_VMO, WEFT_RIGHT_WRITE, WEFT_OBJ_VMO},
    {"vmo_get_size", m_vmo_size, O_VMO, WEFT_RIGHT_INSPECT, WEFT_OBJ_VMO},
    {"vmo_set_size", m_vmo_set_size, O_VMO, WEFT_RIGHT_WRITE, WEFT_OBJ_VMO},
    {"vmo_clone", m_vmo_clone, O_VMO, WEFT_RIGHT_READ | WEFT_RIGHT_DUPLICATE, WEFT_OBJ_VMO},
    {"vmar_map", m_map, O_VMAR, WEFT_RIGHT_MAP | WEFT_RIGHT_READ, WEFT_OBJ_VMAR},
    {"vmar_map_vmo", m_map_vmo, O_VMO, WEFT_RIGHT_MAP | WEFT_RIGHT_READ, WEFT_OBJ_VMO},
    {"vmar_unmap", m_unmap, O_VMAR, WEFT_RIGHT_MAP, WEFT_OBJ_VMAR},
    {"vmar_protect", m_protect, O_VMAR, WEFT_RIGHT_MAP | WEFT_RIGHT_READ, WEFT_OBJ_VMAR},
    {"timer_set", m_tset, O_TIMER, WEFT_RIGHT_WRITE, WEFT_OBJ_TIMER},
    {"timer_cancel", m_tcancel, O_TIMER, WEFT_RIGHT_WRITE, WEFT_OBJ_TIMER},
    {"asyncq_submit", m_submit, O_AQ, WEFT_RIGHT_WRITE, WEFT_OBJ_ASYNCQ},
    {"asyncq_poll", m_poll, O_AQ, WEFT_RIGHT_READ, WEFT_OBJ_ASYNCQ},
    {"asyncq_cancel", m_aqcancel, O_AQ, WEFT_RIGHT_WRITE, WEFT_OBJ_ASYNCQ},
    /* kill last: it ends the process the matrix uses */
    {"process_kill", m_kill, O_PROC, WEFT_RIGHT_MANAGE, WEFT_OBJ_PROCESS},
    {"lease_revoke", m_revoke, O_LEASE, WEFT_RIGHT_MANAGE, WEFT_OBJ_LEASE},
};

/* Full-rights handles of each kind, and an aux handle per case. */
static void matrix_objects(handle_t o[O_NOBJ], handle_t *chan_peer)
{
	handle_t c[2], fs, root;
	int fd;

	T_EQ(weft_channel_create(c), 0);
	o[O_CHAN] = c[0];
	*chan_peer = c[1];
	T_EQ(weft_lease_create(&o[O_LEASE]), 0);
	T_EQ(spawn("native/nat_hello", "spin", NULL, 0, &o[O_PROC]), 0);
	o[O_NS] = ns_handle(WEFT_RIGHTS_SAME);
	T_EQ(weft_name_resolve(0, "fs", WEFT_RIGHTS_SAME, &fs), 0);
	o[O_FSSVC] = fs;
	T_EQ(weft_fs_root(fs, WEFT_RIGHTS_SAME, &root), 0);
	o[O_DIR] = root;
	fd = open("/tmp/t_native.file", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	T_CHECK(fd >= 0 && write(fd, "data", 4) == 4);
	close(fd);
	T_EQ(weft_dir_lookup(root, "tmp/t_native.file", WEFT_RIGHTS_SAME, &o[O_FILE]), 0);
	o[O_EXE] = image("native/nat_hello", WEFT_RIGHTS_SAME);
	T_EQ(weft_vmo_create(4096, 0, &o[O_VMO]), 0);
	T_EQ(weft_vmar_root(&o[O_VMAR]), 0);
	T_EQ(weft_timer_create(0, &o[O_TIMER]), 0);
	struct weft_aq_info info;
	T_EQ(weft_asyncq_create(4, 0, &o[O_AQ], &info), 0);
}

static handle_t aux_for(const struct mcase *mc, handle_t peer)
{
	handle_t a = 0;

	if (mc->fn == m_attach || mc->fn == m_dup_lease || mc->fn == m_bind)
		T_EQ(weft_lease_create(&a), 0); /* a fresh object to attach, dup, bind */
	else if (mc->fn == m_bind_obj)
		a = ns_handle(WEFT_RIGHTS_SAME);
	else if (mc->fn == m_xfer)
		a = peer;
	else if (mc->fn == m_map)
		T_EQ(weft_vmo_create(4096, 0, &a), 0); /* a VMO to map, every right */
	else if (mc->fn == m_map_vmo)
		T_EQ(weft_vmar_root(&a), 0); /* where to map it */
	return a;
}

static void test_rights_matrix(void)
{
	handle_t o[O_NOBJ], peer, wrong;
	int checked = 0;

	matrix_objects(o, &peer);
	T_EQ(weft_lease_create(&wrong), 0);
	for (unsigned i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++) {
		const struct mcase *mc = &mcases[i];
		rights_t full = rights_of(o[mc->obj]);
		T_CHECK((full & mc->need) == mc->need);
		for (int b = 0; b < 10; b++) {
			rights_t bit = 1u << b;
			if (!(mc->need & bit))
				continue;
			handle_t h = dup_rights(o[mc->obj], full & ~bit), a = aux_for(mc, peer);
			long r = mc->fn(h, a);
			if (r != -EACCES)
				out_say("  matrix %s without right %#x: %ld\n", mc->name, bit, r);
			T_EQ(r, -EACCES);
			checked++;
			weft_handle_close(h);
			if (a && a != peer)
				weft_handle_close(a);
		}
		if (mc->type) {
			handle_t w = mc->type == WEFT_OBJ_LEASE ? peer : wrong;
			handle_t a = aux_for(mc, peer);
			long r = mc->fn(w, a);
			if (r != -EWRONGTYPE)
				out_say("  matrix %s on a wrong type: %ld\n", mc->name, r);
			T_EQ(r, -EWRONGTYPE);
			if (a && a != peer)
				weft_handle_close(a);
		}
		/* with every right the call is not refused for rights */
		handle_t h = mc->fn == m_xfer ? dup_rights(o[mc->obj], full) : o[mc->obj];
		handle_t a = aux_for(mc, peer);
		long r = mc->fn(h, a);
		T_CHECK(r != -EACCES && r != -EWRONGTYPE && r != -EBADF);
		if (a && a != peer)
			weft_handle_close(a);
	}
	T_CHECK(checked >= 20);
	/* a closed handle is -EBADF for every call */
	handle_t dead = dup_rights(o[O_CHAN], WEFT_RIGHTS_SAME);
	weft_handle_close(dead);
	for (unsigned i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++)
		if (mcases[i].fn != m_bind_obj && mcases[i].fn != m_dup_lease &&
		    mcases[i].fn != m_map_vmo) /* their first handle is the aux */
			T_EQ(mcases[i].fn(dead, peer), -EBADF);
	/* a revoked lease's handles fail with EREVOKED, not EBADF */
	T_EQ(weft_object_get_info(o[O_LEASE], &(struct weft_obj_info){0}), 0);
	T_EQ(wait_exit(o[O_PROC]), WEFT_EXIT_KILLED);
	for (int i = 0; i < O_NOBJ; i++)
		weft_handle_close(o[i]);
	weft_handle_close(peer);
	weft_handle_close(wrong);
	unlink("/tmp/t_native.file");
}

static void test_channels(void)
{
	static char big[WEFT_CHAN_MAX_BYTES + 1];
	handle_t c[2];
	uint32_t sizes[2], seen;
	char buf[64];

	T_EQ(weft_channel_create(c), 0);
	T_EQ(weft_channel_read(c[1], buf, sizeof(buf), NULL, 0, sizes), -EAGAIN);
	for (unsigned i = 0; i < WEFT_CHAN_MAX_MSGS; i++) {
		snprintf(buf, sizeof(buf), "msg %u", i);
		T_EQ(weft_channel_write(c[0], buf, (uint32_t)strlen(buf) + 1, NULL, 0), 0);
	}
	T_EQ(weft_channel_write(c[0], "full", 4, NULL, 0), -EAGAIN); /* bounded */
	T_EQ(weft_object_wait_one(c[0], WEFT_SIG_WRITABLE, 0, &seen), -ETIMEDOUT);
	T_EQ(weft_channel_read(c[1], buf, 2, NULL, 0, sizes), -EMSGSIZE);
	T_EQ(sizes[0], 6);
	T_EQ(sizes[1], 0);
	for (unsigned i = 0; i < WEFT_CHAN_MAX_MSGS; i++) { /* FIFO */
		char want[64];
		snprintf(want, sizeof(want), "msg %u", i);
		T_EQ(weft_channel_read(c[1], buf, sizeof(buf), NULL, 0, sizes), (long)strlen(want) + 1);
		T_CHECK(!strcmp(buf, want));
	}
	T_EQ(weft_channel_write(c[0], big, sizeof(big), NULL, 0), -EINVAL);
	T_EQ(weft_channel_write(c[0], big, sizeof(big) - 1, NULL, 0), 0);
	T_EQ(weft_channel_read(c[1], big, sizeof(big), NULL, 0, sizes), WEFT_CHAN_MAX_BYTES);
	T_EQ(sizes[0], WEFT_CHAN_MAX_BYTES);
	T_EQ(weft_channel_write(c[0], (void *)0x10, 8, NULL, 0), -EFAULT);
	T_EQ(weft_channel_write(c[0], (void *)0xffffffc000000000ul, 8, NULL, 0), -EFAULT);
	/* peer closed */
	T_EQ(weft_channel_write(c[1], "last", 5, NULL, 0), 0);
	T_EQ(weft_handle_close(c[1]), 0);
	T_EQ(weft_object_wait_one(c[0], WEFT_SIG_PEER_CLOSED, WEFT_TIME_INFINITE, &seen), 0);
	T_CHECK(seen & WEFT_SIG_PEER_CLOSED);
	T_EQ(weft_channel_write(c[0], "x", 1, NULL, 0), -EPIPE);
	T_EQ(weft_channel_read(c[0], buf, sizeof(buf), NULL, 0, sizes), 5); /* still delivered */
	T_EQ(weft_channel_read(c[0], buf, sizeof(buf), NULL, 0, sizes), -EPIPE);
	weft_handle_close(c[0]);
}

static void test_transfer(void)
{
	handle_t c[2], d[2], e[2], got[4], lease, l2;
	uint32_t sizes[2];
	char buf[16];

	T_EQ(weft_channel_create(c), 0);
	T_EQ(weft_channel_create(d), 0);
	T_EQ(weft_channel_create(e), 0);
	T_EQ(weft_lease_create(&lease), 0);
	T_EQ(weft_lease_attach(lease, d[0]), 0);
	/* rights reduced and kept; the lease travels with the handle */
	struct weft_handle_xfer x[2] = {{d[0], WEFT_RIGHT_READ | WEFT_RIGHT_WAIT | WEFT_RIGHT_INSPECT},
					{d[1], WEFT_RIGHTS_SAME}};
	rights_t d1 = rights_of(d[1]);
	T_EQ(weft_channel_write(c[0], "hs", 2, x, 2), 0);
	T_EQ(weft_object_get_info(d[0], &(struct weft_obj_info){0}), -EBADF);
	T_EQ(weft_object_get_info(d[1], &(struct weft_obj_info){0}), -EBADF);
	T_EQ(weft_channel_read(c[1], buf, sizeof(buf), got, 1, sizes), -EMSGSIZE);
	T_EQ(sizes[1], 2);
	T_EQ(weft_channel_read(c[1], buf, sizeof(buf), got, 4, sizes), 2);
	T_EQ(sizes[1], 2);
	T_EQ(rights_of(got[0]), WEFT_RIGHT_READ | WEFT_RIGHT_WAIT | WEFT_RIGHT_INSPECT);
	T_EQ(rights_of(got[1]), d1);
	T_EQ(weft_channel_write(got[1], "via", 4, NULL, 0), 0);
	T_EQ(weft_channel_read(got[0], buf, sizeof(buf), NULL, 0, sizes), 4);
	T_CHECK(!strcmp(buf, "via"));
	T_EQ(weft_lease_revoke(lease), 0);
	T_EQ(weft_channel_read(got[0], buf, sizeof(buf), NULL, 0, sizes), -EREVOKED);
	/* all or nothing: one bad handle (no TRANSFER) and none moves */
	handle_t nt = dup_rights(e[0], WEFT_RIGHT_READ);
	struct weft_handle_xfer y[2] = {{e[1], WEFT_RIGHTS_SAME}, {nt, WEFT_RIGHTS_SAME}};
	T_EQ(weft_channel_write(c[0], "no", 2, y, 2), -EACCES);
	T_EQ(rights_of(e[1]), d1);
	struct weft_handle_xfer z[2] = {{e[1], WEFT_RIGHTS_SAME}, {e[1], WEFT_RIGHTS_SAME}};
	T_EQ(weft_channel_write(c[0], "no", 2, z, 2), -EINVAL);
	struct weft_handle_xfer self = {c[1], WEFT_RIGHTS_SAME};
	T_EQ(weft_channel_write(c[0], "no", 2, &self, 1), -ENOTSUP); /* onto itself */
	struct weft_handle_xfer more = {e[1], WEFT_RIGHT_READ | WEFT_RIGHT_MANAGE};
	T_EQ(weft_channel_write(c[0], "no", 2, &more, 1), -EINVAL);
	T_EQ(weft_channel_read(c[1], buf, sizeof(buf), got, 4, sizes), -EAGAIN);
	/* a revoked handle cannot travel */
	T_EQ(weft_lease_create(&l2), 0);
	T_EQ(weft_lease_attach(l2, nt), 0);
	T_EQ(weft_lease_revoke(l2), 0);
	struct weft_handle_xfer rv = {nt, WEFT_RIGHTS_SAME};
	T_EQ(weft_channel_write(c[0], "no", 2, &rv, 1), -EREVOKED);
	/* handles in undelivered messages are closed when the channel dies */
	struct weft_handle_xfer w = {e[1], WEFT_RIGHTS_SAME};
	T_EQ(weft_channel_write(c[0], "die", 3, &w, 1), 0);
	T_EQ(weft_object_wait_one(e[0], WEFT_SIG_PEER_CLOSED, 0, NULL), -ETIMEDOUT);
	T_EQ(weft_handle_close(c[1]), 0);
	T_EQ(weft_object_wait_one(e[0], WEFT_SIG_PEER_CLOSED, now_ns() + 1000000000ull, NULL), 0);
	weft_handle_close(c[0]);
	weft_handle_close(e[0]);
	weft_handle_close(nt);
	weft_handle_close(got[0]);
	weft_handle_close(got[1]);
	weft_handle_close(lease);
	weft_handle_close(l2);
}

static handle_t waiter_ch;
static void *writer(void *arg)
{
	(void)arg;
	usleep(30000);
	weft_channel_write(waiter_ch, "wake", 5, NULL, 0);
	return NULL;
}

static void test_waits(void)
{
	handle_t c[2];
	uint32_t seen = 0;
	pthread_t th;

	T_EQ(weft_channel_create(c), 0);
	uint64_t t0 = now_ns();
	T_EQ(weft_object_wait_one(c[1], WEFT_SIG_READABLE, t0 + 30000000, &seen), -ETIMEDOUT);
	T_CHECK(now_ns() - t0 >= 30000000);
	T_EQ(seen, WEFT_SIG_WRITABLE);
	T_EQ(weft_object_wait_one(c[1], 0, WEFT_TIME_INFINITE, &seen), -EINVAL);
	/* woken by a write from another thread (parked, no kernel stack) */
	waiter_ch = c[0];
	T_EQ(pthread_create(&th, NULL, writer, NULL), 0);
	T_EQ(weft_object_wait_one(c[1], WEFT_SIG_READABLE, WEFT_TIME_INFINITE, &seen), 0);
	T_CHECK(seen & WEFT_SIG_READABLE);
	pthread_join(th, NULL);
	/* user signals */
	T_EQ(weft_object_signal(c[0], 0, WEFT_SIG_USER(2)), 0);
	T_EQ(weft_object_wait_one(c[0], WEFT_SIG_USER(2), 0, &seen), 0);
	T_EQ(weft_object_signal(c[0], 0, WEFT_SIG_READABLE), -EINVAL);
	weft_handle_close(c[0]);
	weft_handle_close(c[1]);
}

static void *echo_thread(void *arg)
{
	handle_t ch = *(handle_t *)arg;
	char buf[64];
	long r = weft_channel_call(ch, NULL, 0, buf, sizeof(buf), WEFT_TIME_INFINITE);

	while (r >= 0) /* reply and wait for the next request */
		r = weft_channel_call(ch, buf, (uint32_t)r, buf, sizeof(buf), WEFT_TIME_INFINITE);
	return (void *)(long)r;
}

static void test_channel_call(void)
{
	handle_t c[2];
	char buf[64];
	pthread_t th;
	void *res;

	T_EQ(weft_channel_create(c), 0);
	uint64_t t0 = now_ns();
	T_EQ(weft_channel_call(c[0], "q", 1, buf, sizeof(buf), t0 + 20000000), -ETIMEDOUT);
	T_CHECK(now_ns() - t0 >= 20000000);
	T_EQ(weft_channel_read(c[1], buf, sizeof(buf), NULL, 0, NULL), 1); /* it was sent */
	T_EQ(pthread_create(&th, NULL, echo_thread, &c[1]), 0);
	for (int i = 0; i < 100; i++) {
		char req[16], want[16];
		snprintf(req, sizeof(req), "call %d", i);
		strcpy(want, req);
		T_EQ(weft_channel_call(c[0], req, (uint32_t)strlen(req) + 1, buf, sizeof(buf),
				       WEFT_TIME_INFINITE),
		     (long)strlen(want) + 1);
		T_CHECK(!strcmp(buf, want));
	}
	/* a reply that does not fit stays queued for channel_read */
	T_EQ(weft_channel_call(c[0], "0123456789", 11, buf, 4, WEFT_TIME_INFINITE), -EMSGSIZE);
	T_EQ(weft_channel_read(c[0], buf, sizeof(buf), NULL, 0, NULL), 11);
	/* rights: READ always, WRITE only to send */
	handle_t ro = dup_rights(c[0], WEFT_RIGHT_READ);
	T_EQ(weft_channel_call(ro, "x", 1, buf, sizeof(buf), 0), -EACCES);
	T_EQ(weft_channel_call(ro, NULL, 0, buf, sizeof(buf), 0), -ETIMEDOUT);
	weft_handle_close(ro);
	handle_t wo = dup_rights(c[0], WEFT_RIGHT_WRITE);
	T_EQ(weft_channel_call(wo, NULL, 0, buf, sizeof(buf), 0), -EACCES);
	weft_handle_close(wo);
	T_EQ(weft_handle_close(c[0]), 0); /* the server's call ends with EPIPE */
	pthread_join(th, &res);
	T_EQ((long)res, -EPIPE);
	weft_handle_close(c[1]);
}

#define NREV 4
static handle_t rev_h;
static int rev_flag, rev_late_ok, rev_seen;

static void *rev_thread(void *arg)
{
	(void)arg;
	for (;;) {
		int after = __atomic_load_n(&rev_flag, __ATOMIC_ACQUIRE);
		long r = weft_object_get_info(rev_h, &(struct weft_obj_info){0});
		if (after && r == 0)
			__atomic_add_fetch(&rev_late_ok, 1, __ATOMIC_RELAXED);
		if (r == -EREVOKED) {
			__atomic_add_fetch(&rev_seen, 1, __ATOMIC_RELAXED);
			return NULL;
		}
	}
}

static void test_revoke_across_harts(void)
{
	pthread_t th[NREV];
	handle_t lease, c[2];

	T_EQ(weft_channel_create(c), 0);
	T_EQ(weft_lease_create(&lease), 0);
	T_EQ(weft_handle_dup(c[0], WEFT_RIGHTS_SAME, lease, &rev_h), 0);
	for (int i = 0; i < NREV; i++)
		T_EQ(pthread_create(&th[i], NULL, rev_thread, NULL), 0);
	usleep(50000);
	T_EQ(weft_lease_revoke(lease), 0);
	__atomic_store_n(&rev_flag, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < NREV; i++)
		pthread_join(th[i], NULL);
	T_EQ(rev_late_ok, 0); /* no use that began after revoke succeeded */
	T_EQ(rev_seen, NREV);
	T_EQ(weft_object_wait_one(lease, WEFT_SIG_SIGNALED, 0, NULL), 0);
	T_EQ(weft_handle_close(rev_h), 0); /* closing a revoked handle works */
	T_EQ(weft_object_get_info(c[0], &(struct weft_obj_info){0}), 0);
	weft_handle_close(lease);
	weft_handle_close(c[0]);
	weft_handle_close(c[1]);
}
