/*
 * libsys: one thin wrapper per native syscall. Header-only (static inline),
 * so Linux programs (musl, glibc) and freestanding native programs use it
 * alike. Numbers come from <weft/native.h>, which is generated from the one
 * master list <weft/native_syscalls.h>; weft_raw_<name>(a0..a5) exists for
 * every listed call (the generated stubs), and typed wrappers sit on top.
 * Every call returns 0 (or a count) or a negative error (-EBADF, ...): no
 * errno is touched.
 */
#ifndef WEFT_SYS_H
#define WEFT_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <weft/handle.h>
#include <weft/native.h>
#include <weft/spawn.h>

static inline long weft_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a3 __asm__("a3") = a3;
	register long r_a4 __asm__("a4") = a4;
	register long r_a5 __asm__("a5") = a5;
	register long r_a7 __asm__("a7") = nr;

	__asm__ volatile("ecall"
			 : "+r"(r_a0)
			 : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5), "r"(r_a7)
			 : "memory");
	return r_a0;
}

/* The generated raw stubs: weft_raw_<name>(a0, .., a5). */
#define WEFT_RAW_STUB_(nr, name, nargs)                                                            \
	static inline long __attribute__((unused)) weft_raw_##name(long a0, long a1, long a2,     \
								   long a3, long a4, long a5)     \
	{                                                                                          \
		return weft_syscall6(WEFT_SYS_##name, a0, a1, a2, a3, a4, a5);                     \
	}
WEFT_SYSCALLS(WEFT_RAW_STUB_)
#undef WEFT_RAW_STUB_

#define WEFT_L(x) ((long)(uintptr_t)(x))

static inline long weft_kstat(long what)
{
	return weft_raw_kstat(what, 0, 0, 0, 0, 0);
}

/* ---- handles and objects ---- */
static inline long weft_handle_close(handle_t h)
{
	return weft_raw_handle_close(h, 0, 0, 0, 0, 0);
}
/* A copy of h with `rights` (a subset, or WEFT_RIGHTS_SAME), attached to
 * lease (0: none, or h's own). Needs DUPLICATE. */
static inline long weft_handle_dup(handle_t h, rights_t rights, handle_t lease, handle_t *out)
{
	return weft_raw_handle_dup(h, rights, lease, WEFT_L(out), 0, 0);
}
static inline long weft_handle_replace(handle_t h, rights_t rights, handle_t *out)
{
	return weft_raw_handle_replace(h, rights, WEFT_L(out), 0, 0, 0);
}
static inline long weft_object_get_info(handle_t h, struct weft_obj_info *info)
{
	return weft_raw_object_get_info(h, WEFT_L(info), 0, 0, 0, 0);
}
/* Wait until one of `signals` is asserted on h, or the absolute monotonic
 * deadline (WEFT_TIME_INFINITE: none): 0, -ETIMEDOUT, -EINTR. Needs WAIT. */
static inline long weft_object_wait_one(handle_t h, uint32_t signals, uint64_t deadline,
					uint32_t *observed)
{
	return weft_raw_object_wait_one(h, signals, (long)deadline, WEFT_L(observed), 0, 0);
}
/* Clear then set user signal bits (WEFT_SIG_USER_ALL) on h. Needs SIGNAL. */
static inline long weft_object_signal(handle_t h, uint32_t clear, uint32_t set)
{
	return weft_raw_object_signal(h, clear, set, 0, 0, 0);
}

/* ---- leases ---- */
static inline long weft_lease_create(handle_t *out)
{
	return weft_raw_lease_create(WEFT_L(out), 0, 0, 0, 0, 0);
}
static inline long weft_lease_attach(handle_t lease, handle_t h)
{
	return weft_raw_lease_attach(lease, h, 0, 0, 0, 0);
}
static inline long weft_lease_revoke(handle_t lease)
{
	return weft_raw_lease_revoke(lease, 0, 0, 0, 0, 0);
}

/* ---- channels ---- */
static inline long weft_channel_create(handle_t out[2])
{
	return weft_raw_channel_create(WEFT_L(out), 0, 0, 0, 0, 0);
}
static inline long weft_channel_write(handle_t ch, const void *bytes, uint32_t n,
				      const struct weft_handle_xfer *handles, uint32_t nh)
{
	return weft_raw_channel_write(ch, WEFT_L(bytes), n, WEFT_L(handles), nh, 0);
}
/* Read the first message: its byte count. sizes (optional) gets {bytes,
 * handles} of the message read, or of the one that did not fit (-EMSGSIZE;
 * it stays queued). -EAGAIN: empty; -EPIPE: empty and the peer is gone. */
static inline long weft_channel_read(handle_t ch, void *bytes, uint32_t cap, handle_t *handles,
				     uint32_t hcap, uint32_t sizes[2])
{
	return weft_raw_channel_read(ch, WEFT_L(bytes), cap, WEFT_L(handles), hcap, WEFT_L(sizes));
}

/* Write req (unless NULL; bytes only), then wait until a message can be read
 * or the deadline passes, and read it: the reply's length. A server passes
 * its reply and gets the next request; NULL just waits and reads. */
static inline long weft_channel_call(handle_t ch, const void *req, uint32_t n, void *reply,
				     uint32_t cap, uint64_t deadline)
{
	return weft_raw_channel_call(ch, WEFT_L(req), n, WEFT_L(reply), cap, (long)deadline);
}

/* ---- processes ---- */
static inline long weft_process_spawn(handle_t image, const void *args, uint32_t args_len,
				      const struct weft_handle_xfer *handles, uint32_t nh,
				      handle_t *out)
{
	return weft_raw_process_spawn(image, WEFT_L(args), args_len, WEFT_L(handles), nh,
				      WEFT_L(out));
}
static inline long weft_process_exit(int code)
{
	return weft_raw_process_exit(code, 0, 0, 0, 0, 0);
}
static inline long weft_process_kill(handle_t proc)
{
	return weft_raw_process_kill(proc, 0, 0, 0, 0, 0);
}
static inline long weft_process_status(handle_t proc, int64_t *code)
{
	return weft_raw_process_status(proc, WEFT_L(code), 0, 0, 0, 0);
}
static inline long weft_process_self(handle_t *out)
{
	return weft_raw_process_self(WEFT_L(out), 0, 0, 0, 0, 0);
}

/* Native processes only: a thread at entry(arg) on the stack whose top is
 * `stack` (16-byte aligned); gp and tp are the caller's. Its id, or -errno.
 * weft_thread_start (crt.c) wraps it so that fn's return ends the thread. */
static inline long weft_thread_create(void (*entry)(void *), void *stack, void *arg)
{
	return weft_raw_thread_create(WEFT_L(entry), WEFT_L(stack), WEFT_L(arg), 0, 0, 0);
}
static inline long weft_thread_exit(void)
{
	return weft_raw_thread_exit(0, 0, 0, 0, 0, 0);
}
long weft_thread_start(void (*fn)(void *), void *arg, void *stack, size_t size);

/* ---- name service and file-system service ---- */
/* ns 0: the name service with every right (Linux processes only). */
static inline long weft_name_bind(handle_t ns, const char *name, handle_t h)
{
	return weft_raw_name_bind(ns, WEFT_L(name), h, 0, 0, 0);
}
/* A child VMAR of len bytes: its address (flags: WEFT_VM_READ/WRITE/EXEC it
 * may map with, WEFT_VM_SPECIFIC), the handle in *out. */
static inline long weft_vmar_allocate(handle_t vmar, uint32_t flags, uintptr_t addr, size_t len,
				      handle_t *out)
{
	return weft_raw_vmar_allocate(vmar, flags, (long)addr, (long)len, WEFT_L(out), 0);
}
static inline long weft_name_unbind(handle_t ns, const char *name)
{
	return weft_raw_name_unbind(ns, WEFT_L(name), 0, 0, 0, 0);
}
static inline long weft_name_resolve(handle_t ns, const char *name, rights_t rights,
				     handle_t *out)
{
	return weft_raw_name_resolve(ns, WEFT_L(name), rights, WEFT_L(out), 0, 0);
}
static inline long weft_fs_root(handle_t fs, rights_t rights, handle_t *out)
{
	return weft_raw_fs_root(fs, rights, WEFT_L(out), 0, 0, 0);
}
static inline long weft_dir_lookup(handle_t dir, const char *path, rights_t rights,
				   handle_t *out)
{
	return weft_raw_dir_lookup(dir, WEFT_L(path), rights, WEFT_L(out), 0, 0);
}
static inline long weft_file_read(handle_t f, uint64_t off, void *buf, size_t len)
{
	return weft_raw_file_read(f, (long)off, WEFT_L(buf), (long)len, 0, 0);
}
static inline long weft_file_write(handle_t f, uint64_t off, const void *buf, size_t len)
{
	return weft_raw_file_write(f, (long)off, WEFT_L(buf), (long)len, 0, 0);
}

#include <weft/sys_async.h>

#endif
