/*
 * The master list of Linux (asm-generic, riscv64) syscalls that Weft knows by
 * name: X(number, name). The kernel's dispatch table, the trace/ENOSYS names
 * and user-side stubs are all generated from this one list. A number not listed,
 * or listed without a handler, returns -ENOSYS and is counted.
 */
#ifndef WEFT_LINUX_SYSCALLS_H
#define WEFT_LINUX_SYSCALLS_H

#define LX_SYSCALLS(X)                                                                             \
	X(17, getcwd)                                                                              \
	X(23, dup)                                                                                 \
	X(24, dup3)                                                                                \
	X(25, fcntl)                                                                               \
	X(29, ioctl)                                                                               \
	X(34, mkdirat)                                                                             \
	X(35, unlinkat)                                                                            \
	X(48, faccessat)                                                                           \
	X(49, chdir)                                                                               \
	X(56, openat)                                                                              \
	X(57, close)                                                                               \
	X(61, getdents64)                                                                          \
	X(62, lseek)                                                                               \
	X(63, read)                                                                                \
	X(64, write)                                                                               \
	X(65, readv)                                                                               \
	X(66, writev)                                                                              \
	X(67, pread64)                                                                             \
	X(68, pwrite64)                                                                            \
	X(78, readlinkat)                                                                          \
	X(79, newfstatat)                                                                          \
	X(80, fstat)                                                                               \
	X(93, exit)                                                                                \
	X(94, exit_group)                                                                          \
	X(96, set_tid_address)                                                                     \
	X(99, set_robust_list)                                                                     \
	X(101, nanosleep)                                                                          \
	X(113, clock_gettime)                                                                      \
	X(114, clock_getres)                                                                       \
	X(115, clock_nanosleep)                                                                    \
	X(124, sched_yield)                                                                        \
	X(129, kill)                                                                               \
	X(134, rt_sigaction)                                                                       \
	X(135, rt_sigprocmask)                                                                     \
	X(142, reboot)                                                                             \
	X(160, uname)                                                                              \
	X(166, umask)                                                                              \
	X(168, getcpu)                                                                             \
	X(169, gettimeofday)                                                                       \
	X(172, getpid)                                                                             \
	X(173, getppid)                                                                            \
	X(174, getuid)                                                                             \
	X(175, geteuid)                                                                            \
	X(176, getgid)                                                                             \
	X(177, getegid)                                                                            \
	X(178, gettid)                                                                             \
	X(214, brk)                                                                                \
	X(215, munmap)                                                                             \
	X(220, clone)                                                                              \
	X(221, execve)                                                                             \
	X(222, mmap)                                                                               \
	X(226, mprotect)                                                                           \
	X(233, madvise)                                                                            \
	X(260, wait4)                                                                              \
	X(261, prlimit64)                                                                          \
	X(278, getrandom)                                                                          \
	X(293, rseq)

#define LX_NR_MAX 512

#endif
