/*
 * The master list of Weft's native syscalls: X(number, name, nargs), numbers
 * relative to WEFT_SYS_BASE. The kernel's dispatch table and trace names
 * (kernel/native/nat_syscall.c) and the user-side numbers and raw stubs
 * (<weft/native.h>, user/lib/libsys) are all generated from this one list.
 * A listed call whose handler is not written yet returns -ENOSYS.
 *
 * Ranges, so that work on different objects does not collide:
 *     0 ..  15  system (statistics, debugging)
 *    16 ..  63  handles, leases, objects, processes, threads, channels,
 *               name service, file-system service
 *    64 .. 127  asyncq, timers, vmo, vmar
 */
#ifndef WEFT_NATIVE_SYSCALLS_H
#define WEFT_NATIVE_SYSCALLS_H

#define WEFT_NR_MAX 128 /* size of the dispatch table */

#define WEFT_SYSCALLS(X) WEFT_SYSCALLS_SYS(X) WEFT_SYSCALLS_OBJ(X) WEFT_SYSCALLS_ASYNC(X)

/* 0 .. 15: system */
#define WEFT_SYSCALLS_SYS(X) \
	X(0, kstat, 1)

/* 16 .. 63: handles, leases, objects, processes, threads, channels, names, files */
#define WEFT_SYSCALLS_OBJ(X) \
	X(16, handle_close, 1) \
	X(17, handle_dup, 4) \
	X(18, handle_replace, 3) \
	X(19, object_get_info, 2) \
	X(20, object_wait_one, 4) \
	X(21, object_signal, 3) \
	X(22, lease_create, 1) \
	X(23, lease_attach, 2) \
	X(24, lease_revoke, 1) \
	X(25, channel_create, 1) \
	X(26, channel_write, 5) \
	X(27, channel_read, 6) \
	X(28, process_spawn, 6) \
	X(29, process_exit, 1) \
	X(30, process_kill, 1) \
	X(31, process_status, 2) \
	X(32, process_self, 1) \
	X(33, name_bind, 3) \
	X(34, name_resolve, 4) \
	X(35, fs_root, 3) \
	X(36, dir_lookup, 4) \
	X(37, file_read, 4) \
	X(38, file_write, 4) \
	X(39, thread_create, 3) \
	X(40, thread_exit, 0) \
	X(41, channel_call, 6) \
	X(42, name_unbind, 2)


/* 64 .. 127: asyncq, timers, vmo, vmar */
#define WEFT_SYSCALLS_ASYNC(X) \
	X(64, vmo_create, 3) \
	X(65, vmo_read, 4) \
	X(66, vmo_write, 4) \
	X(67, vmo_get_size, 2) \
	X(68, vmo_set_size, 2) \
	X(69, vmo_clone, 4) \
	X(72, vmar_root, 1) \
	X(73, vmar_map, 6) \
	X(74, vmar_unmap, 3) \
	X(75, vmar_protect, 4) \
	X(76, vmar_allocate, 5) \
	X(80, timer_create, 2) \
	X(81, timer_set, 3) \
	X(82, timer_cancel, 1) \
	X(88, asyncq_create, 4) \
	X(89, asyncq_submit, 2) \
	X(90, asyncq_poll, 3) \
	X(91, asyncq_cancel, 2) \
	X(127, null, 0)

#endif
