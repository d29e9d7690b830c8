/*
 * The native capability ABI seen from a Linux process (which may make native
 * calls): the rights matrix of every call, wrong types, stale handles after
 * close, lease revocation seen by threads on other harts, channels (FIFO,
 * bound, sizes, peer closed, handle transfer with rights kept or reduced,
 * all-or-nothing moves, handles of undelivered messages closed), waiting with
 * deadlines, and native processes: one with no handles, exit codes, faults,
 * kill, a refused image, and the two demos (echo over a channel found by
 * name; a file read through the fs service with only the given handles).
 */
#include "t.h"
#include <pthread.h>
#include <fcntl.h>
#include <time.h>
#include <weft/sys.h>
#include <weft/vmo.h>
#include "demo.h"
#include "msg.h"

#define EWRONGTYPE EPROTOTYPE
#define EREVOKED   EKEYREVOKED

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static handle_t dup_rights(handle_t h, rights_t r)
{
	handle_t out = 0;

	T_EQ(weft_handle_dup(h, r, 0, &out), 0);
	return out;
}

static rights_t rights_of(handle_t h)
{
	struct weft_obj_info info;

	T_EQ(weft_object_get_info(h, &info), 0);
	return info.rights;
}

/* ---- native processes ---- */

static handle_t ns_handle(rights_t r);

static handle_t image(const char *path, rights_t r)
{
	handle_t fs, root, f = 0;

	T_EQ(weft_name_resolve(0, "fs", WEFT_RIGHTS_SAME, &fs), 0);
	T_EQ(weft_fs_root(fs, WEFT_RIGHTS_SAME, &root), 0);
	T_EQ(weft_dir_lookup(root, path, r, &f), 0);
	weft_handle_close(fs);
	weft_handle_close(root);
	return f;
}

static long spawn(const char *path, const char *args, const struct weft_handle_xfer *x,
		  uint32_t n, handle_t *proc)
{
	handle_t img = image(path, WEFT_RIGHT_READ | WEFT_RIGHT_EXEC);
	long r = weft_process_spawn(img, args, args ? (uint32_t)strlen(args) : 0, x, n, proc);

	weft_handle_close(img);
	return r;
}

/* Wait for proc to end (10 s at most) and return its exit code. */
static long wait_exit(handle_t proc)
{
	uint32_t seen = 0;
	int64_t code = -1;

	T_EQ(weft_object_wait_one(proc, WEFT_SIG_TERMINATED, now_ns() + 10000000000ull, &seen), 0);
	T_CHECK(seen & WEFT_SIG_TERMINATED);
	T_EQ(weft_process_status(proc, &code), 0);
	return (long)code;
}

/* The image may also be a VMO holding the ELF file's bytes (needs EXEC). */
static void test_spawn_from_vmo(void)
{
	static uint8_t elf[256 << 10];
	handle_t f = image("native/nat_hello", WEFT_RIGHT_READ), v, p;
	long n = weft_file_read(f, 0, elf, sizeof(elf));

	T_CHECK(n > 0 && n < (long)sizeof(elf));
	weft_handle_close(f);
	T_EQ(weft_raw_vmo_create(n, WEFT_VMO_EXECUTABLE, (long)&v, 0, 0, 0), 0);
	T_EQ(weft_raw_vmo_write(v, (long)elf, n, 0, 0, 0), 0);
	T_EQ(weft_process_spawn(v, "exit=9", 6, NULL, 0, &p), 0);
	T_EQ(wait_exit(p), 9);
	weft_handle_close(p);
	handle_t ro = dup_rights(v, WEFT_VMO_RIGHTS);
	T_EQ(weft_process_spawn(ro, "exit=9", 6, NULL, 0, &p), -EACCES); /* no EXEC */
	weft_handle_close(ro);
	weft_handle_close(v);
}

static void test_native_processes(void)
{
	handle_t p, q;
	int64_t code;

	T_EQ(spawn("native/nat_hello", NULL, NULL, 0, &p), 0);
	T_EQ(wait_exit(p), 42); /* a process with no handles can do nothing but exit */
	T_EQ(weft_handle_close(p), 0);
	T_EQ(spawn("native/nat_hello", "threads", NULL, 0, &p), 0);
	T_EQ(wait_exit(p), 10); /* four native threads, 1 + 2 + 3 + 4 */
	weft_handle_close(p);
	T_EQ(weft_thread_create((void (*)(void *))8, (void *)0x10000, NULL), -ENOTSUP);
	T_EQ(spawn("native/nat_hello", "exit=7", NULL, 0, &p), 0);
	T_EQ(wait_exit(p), 7);
	weft_handle_close(p);
	T_EQ(spawn("native/nat_hello", "fault", NULL, 0, &p), 0);
	T_EQ(wait_exit(p), WEFT_EXIT_KILLED);
	weft_handle_close(p);
	/* kill: a spinning process, with and without MANAGE */
	T_EQ(spawn("native/nat_hello", "spin", NULL, 0, &p), 0);
	T_EQ(weft_process_status(p, &code), -EAGAIN);
	q = dup_rights(p, WEFT_RIGHTS_ALL & ~WEFT_RIGHT_MANAGE & rights_of(p));
	T_EQ(weft_process_kill(q), -EACCES);
	T_EQ(weft_object_wait_one(p, WEFT_SIG_TERMINATED, now_ns() + 20000000, NULL), -ETIMEDOUT);
	T_EQ(weft_process_kill(p), 0);
	T_EQ(wait_exit(q), WEFT_EXIT_KILLED);
	T_EQ(weft_process_kill(p), -ESRCH);
	weft_handle_close(p);
	weft_handle_close(q);
	/* kill a process parked in object_wait_one (the echo server, idle) */
	char name[48];
	snprintf(name, sizeof(name), "t.parked.%d", (int)getpid());
	struct weft_handle_xfer xs = {ns_handle(WEFT_RIGHT_WRITE | WEFT_RIGHT_TRANSFER),
				      WEFT_RIGHTS_SAME};
	T_EQ(spawn("native/nat_echo_srv", name, &xs, 1, &p), 0);
	usleep(50000);
	T_EQ(weft_process_status(p, &code), -EAGAIN);
	T_EQ(weft_process_kill(p), 0);
	T_EQ(wait_exit(p), WEFT_EXIT_KILLED);
	weft_handle_close(p);
	/* images: a non-ELF file is refused and the handles stay here; no EXEC right */
	handle_t c[2], img;
	T_EQ(weft_channel_create(c), 0);
	struct weft_handle_xfer x = {c[1], WEFT_RIGHTS_SAME};
	img = image("test/manifest", WEFT_RIGHT_READ | WEFT_RIGHT_EXEC);
	T_EQ(weft_process_spawn(img, NULL, 0, &x, 1, &p), -ENOEXEC);
	T_EQ(weft_object_get_info(c[1], &(struct weft_obj_info){0}), 0);
	weft_handle_close(img);
	img = image("native/nat_hello", WEFT_RIGHT_READ);
	T_EQ(weft_process_spawn(img, NULL, 0, NULL, 0, &p), -EACCES);
	weft_handle_close(img);
	weft_handle_close(c[0]);
	weft_handle_close(c[1]);
	test_spawn_from_vmo();
}

/* ---- demos ---- */

static handle_t ns_handle(rights_t r)
{
	handle_t ns = 0;

	T_EQ(weft_name_resolve(0, "namesvc", r, &ns), 0);
	return ns;
}

static void test_echo_demo(void)
{
	char name[48];
	handle_t srv, cli;

	snprintf(name, sizeof(name), "%s.%d", DEMO_ECHO_NAME, (int)getpid());
	struct weft_handle_xfer xs = {ns_handle(WEFT_RIGHT_WRITE | WEFT_RIGHT_TRANSFER),
				      WEFT_RIGHTS_SAME};
	struct weft_handle_xfer xc = {ns_handle(WEFT_RIGHT_READ | WEFT_RIGHT_TRANSFER),
				      WEFT_RIGHT_READ};
	T_EQ(spawn("native/nat_echo_srv", name, &xs, 1, &srv), 0);
	/* the client may start before the server has bound the name: retry */
	for (int tries = 0; tries < 500; tries++) {
		handle_t probe;
		if (weft_name_resolve(0, name, WEFT_RIGHT_WRITE, &probe) == 0) {
			weft_handle_close(probe);
			break;
		}
		usleep(2000);
	}
	T_EQ(spawn("native/nat_echo_cli", name, &xc, 1, &cli), 0);
	T_EQ(wait_exit(cli), 0);
	T_EQ(wait_exit(srv), 0);
	weft_handle_close(cli);
	weft_handle_close(srv);
}

static void test_fs_demo(void)
{
	char want[256];
	uint8_t buf[8192];
	uint32_t sizes[2];
	handle_t c[2], p;
	struct msg_in in;
	const void *data;
	uint16_t len;
	uint64_t res[4];
	int fd = open("/etc/hostname", O_RDONLY);
	long wn = read(fd, want, sizeof(want));

	close(fd);
	T_CHECK(wn > 0);
	T_EQ(weft_channel_create(c), 0);
	struct weft_handle_xfer x[2] = {
	    {ns_handle(WEFT_RIGHT_READ | WEFT_RIGHT_TRANSFER), WEFT_RIGHT_READ},
	    {c[1], WEFT_RIGHT_WRITE},
	};
	T_EQ(spawn("native/nat_fs_cli", "etc/hostname", x, 2, &p), 0);
	T_EQ(wait_exit(p), 0);
	T_CHECK(weft_channel_read(c[0], buf, sizeof(buf), NULL, 0, sizes) > 0);
	T_EQ(msg_parse(&in, buf, sizes[0], DEMO_PROTO_REPORT, DEMO_VERSION), 0);
	T_EQ(msg_get_bytes(&in, DEMO_TAG_DATA, &data, &len), 0);
	T_EQ(len, wn);
	T_CHECK(len == wn && memcmp(data, want, (size_t)wn) == 0);
	for (int i = 0; i < 4; i++)
		T_EQ(msg_get_u64(&in, DEMO_TAG_ERR + i, &res[i]), 0);
	T_EQ((long)res[0], wn);
	T_EQ((long)res[1], -EACCES); /* read-only all the way down */
	T_EQ((long)res[2], 0);
	T_EQ((long)res[3], -ENOENT); /* ".." does not leave /etc */
	weft_handle_close(p);
	weft_handle_close(c[0]);
}

#include "t_native_abi.h"

int main(void)
{
	test_handles_and_stale();
	test_rights_matrix();
	test_channels();
	test_channel_call();
	test_transfer();
	test_waits();
	test_revoke_across_harts();
	test_native_processes();
	test_echo_demo();
	test_fs_demo();
	T_DONE();
}
