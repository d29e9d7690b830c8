/*
 * Error numbers shared by kernel, user space and the host build: Linux's
 * asm-generic values, so the Linux personality passes them through unchanged.
 * Kernel functions return 0 or -E...; a native call returns the same negatives.
 */
#ifndef WEFT_ERRNO_H
#define WEFT_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define ENOTBLK 15
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define ETXTBSY 26
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EMLINK 31
#define EPIPE 32
#define EDOM 33
#define ERANGE 34
#define EDEADLK 35
#define ENAMETOOLONG 36
#define ENOLCK 37
#define ENOSYS 38
#define ENOTEMPTY 39
#define ELOOP 40
#define ENOMSG 42
#define EIDRM 43
#define ENODATA 61
#define ETIME 62
#define EOVERFLOW 75
#define EBADFD 77
#define EILSEQ 84
#define ERESTART 85
#define ENOTSOCK 88
#define EMSGSIZE 90
#define EPROTOTYPE 91
#define EPROTO 71
#define EPROTONOSUPPORT 93
#define EOPNOTSUPP 95
#define EADDRINUSE 98
#define ENOBUFS 105
#define ETIMEDOUT 110
#define ECONNREFUSED 111
#define EALREADY 114
#define EINPROGRESS 115
#define ESTALE 116
#define EUCLEAN 117
#define EDQUOT 122
#define ECANCELED 125
#define EKEYREVOKED 128
#define EOWNERDEAD 130
#define EWOULDBLOCK EAGAIN
#define ENOTSUP EOPNOTSUPP

/* Kernel-internal codes, never returned to user space. */
#define ERESTARTSYS 512	/* restart the syscall after a signal handler (or -EINTR) */
#define EPARKED 513		/* the thread parked; its continuation finishes the call */
#define EJUSTRETURN 514	/* the call set every register itself (sigreturn) */

#endif
