/*
 * Copies to and from user memory with sstatus.SUM set only inside the routine.
 * A fault on an instruction between uaccess_start and uaccess_end is sent by
 * trap_kernel to uaccess_fixup, which clears SUM and returns -EFAULT (14).
 * Byte-wise loops keep the fault point exact; the caller prefaults pages, so a
 * fault here only happens when a page vanished under a concurrent unmap.
 */
#define SSTATUS_SUM (1 << 18)
	.text
	.global uaccess_start, uaccess_end, uaccess_fixup
uaccess_start:

/* int hal_user_copy(void *dst, const void *src, unsigned long n) */
	.global hal_user_copy
hal_user_copy:
	li	t6, SSTATUS_SUM
	csrs	sstatus, t6
	/* Word copy when both are 8-byte aligned. */
	or	t0, a0, a1
	andi	t0, t0, 7
	bnez	t0, 2f
1:	li	t1, 8
	bltu	a2, t1, 2f
	ld	t2, 0(a1)
	sd	t2, 0(a0)
	addi	a0, a0, 8
	addi	a1, a1, 8
	addi	a2, a2, -8
	j	1b
2:	beqz	a2, 3f
	lbu	t2, 0(a1)
	sb	t2, 0(a0)
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	j	2b
3:	csrc	sstatus, t6
	li	a0, 0
	ret

/* int hal_user_set(void *dst, int c, unsigned long n) */
	.global hal_user_set
hal_user_set:
	li	t6, SSTATUS_SUM
	csrs	sstatus, t6
1:	beqz	a2, 2f
	sb	a1, 0(a0)
	addi	a0, a0, 1
	addi	a2, a2, -1
	j	1b
2:	csrc	sstatus, t6
	li	a0, 0
	ret

/* long hal_user_strnlen(const void *src, unsigned long max) */
	.global hal_user_strnlen
hal_user_strnlen:
	li	t6, SSTATUS_SUM
	csrs	sstatus, t6
	mv	t0, a0
	add	t1, a0, a1
1:	beq	t0, t1, 2f
	lbu	t2, 0(t0)
	beqz	t2, 2f
	addi	t0, t0, 1
	j	1b
2:	csrc	sstatus, t6
	sub	a0, t0, a0
	ret
uaccess_end:

uaccess_fixup:
	li	t6, SSTATUS_SUM
	csrc	sstatus, t6
	li	a0, -14
	ret
