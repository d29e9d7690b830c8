/*
 * Trap entry and exit.
 *
 * While a hart runs user code, sscratch holds its per-CPU block; while it runs
 * kernel code, sscratch is 0. The entry swaps tp with sscratch to tell the two
 * apart. A user trap saves every register into the running thread's trap frame
 * (cpu->utf), then calls trap_user() on the per-CPU stack from its top: a user
 * thread owns no kernel stack, and nothing on the per-CPU stack outlives the
 * trap. A kernel trap pushes a frame on the current stack, after checking that
 * the stack has room (else it reports the overflow on an emergency stack).
 */
#include <arch/csr.h>
#include <arch/context.h>

	.text
	.balign 4
	.global trap_vector
trap_vector:
	csrrw	tp, sscratch, tp
	beqz	tp, kernel_entry

	/* From user mode: tp = per-CPU block, sscratch = user tp. */
	sd	sp, CPU_SCRATCH(tp)
	ld	sp, CPU_UTF(tp)
	sd	x1, TF_X(1)(sp)
	sd	x3, TF_X(3)(sp)
	.irp	n, 5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, TF_X(\n)(sp)
	.endr
	ld	t0, CPU_SCRATCH(tp)
	sd	t0, TF_X(2)(sp)
	/* Few CSR accesses: under QEMU's TCG each one ends a translation block
	 * and goes back to the main loop (see docs/profile.md). One swap takes
	 * the user tp and leaves sscratch 0, and an ecall's stval (always 0)
	 * is not read. */
	csrrw	t0, sscratch, zero
	sd	t0, TF_X(4)(sp)
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	li	t1, EXC_ECALL_U
	mv	t2, zero
	beq	t0, t1, 2f
	csrr	t2, stval
2:	sd	t2, TF_STVAL(sp)
	mv	a0, sp
	ld	sp, CPU_KSTACK_TOP(tp)
	mv	s0, zero
	call	trap_user
1:	j	1b

kernel_entry:
	/* From kernel mode: restore tp (sscratch is 0 again). */
	csrrw	tp, sscratch, tp
	/* Overflow check: the frame must fit above the stack's limit. */
	sd	t0, CPU_SCRATCH(tp)
	ld	t0, CPU_STACK_LO(tp)
	addi	t0, t0, KSTACK_FRAME + 256
	bltu	sp, t0, kernel_stack_overflow
	ld	t0, CPU_SCRATCH(tp)
	addi	sp, sp, -KSTACK_FRAME
	sd	x1, 0(sp)
	.irp	n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, ((\n - 1) * 8)(sp)
	.endr
	addi	t0, sp, KSTACK_FRAME
	sd	t0, 8(sp)		/* x2: sp before the trap */
	csrr	t0, sepc
	sd	t0, 248(sp)
	csrr	t0, sstatus
	sd	t0, 256(sp)
	csrr	t0, stval
	sd	t0, 264(sp)
	csrr	t0, scause
	sd	t0, 272(sp)
	mv	a0, sp
	call	trap_kernel
	ld	t0, 248(sp)
	csrw	sepc, t0
	ld	t0, 256(sp)
	csrw	sstatus, t0
	ld	x1, 0(sp)
	.irp	n, 3,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, ((\n - 1) * 8)(sp)
	.endr
	/* tp (x4) is not restored: a kernel thread may have moved to another CPU. */
	addi	sp, sp, KSTACK_FRAME
	sret

kernel_stack_overflow:
	csrr	a0, sepc
	mv	a1, sp
	csrr	a2, stval
	ld	sp, CPU_EMERG_TOP(tp)
	call	trap_stack_overflow
2:	j	2b

/* void hal_return_to_user(struct hal_trapframe *tf): interrupts are off. */
	.global hal_return_to_user
hal_return_to_user:
	csrw	sscratch, tp
	sd	a0, CPU_UTF(tp)
	ld	t0, TF_SEPC(a0)
	csrw	sepc, t0
	ld	t0, TF_SSTATUS(a0)
	csrw	sstatus, t0
	ld	x1, TF_X(1)(a0)
	.irp	n, 2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, TF_X(\n)(a0)
	.endr
	ld	a0, TF_X(10)(a0)
	sret

/* void hal_kctx_switch(struct hal_kcontext *from, struct hal_kcontext *to) */
	.global hal_kctx_switch
hal_kctx_switch:
	sd	ra, 0(a0)
	sd	sp, 8(a0)
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11
	sd	s\n, (16 + \n * 8)(a0)
	.endr
	mv	a0, a1
	/* fall through */
	.global hal_kctx_load
hal_kctx_load:
	ld	ra, 0(a0)
	ld	sp, 8(a0)
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11
	ld	s\n, (16 + \n * 8)(a0)
	.endr
	ret

/* A new kernel thread starts here: s1 = fn, s2 = arg (see hal_kctx_init). */
	.global kthread_trampoline
kthread_trampoline:
	mv	a0, s2
	mv	s0, zero
	jalr	s1
	call	kthread_exit_current
3:	j	3b

/* void hal_run_on_cpu_stack(void (*fn)(void)) */
	.global hal_run_on_cpu_stack
hal_run_on_cpu_stack:
	ld	sp, CPU_KSTACK_TOP(tp)
	ld	t0, CPU_KSTACK_TOP(tp)
	li	t1, 16384
	sub	t0, t0, t1
	sd	t0, CPU_STACK_LO(tp)
	mv	s0, zero
	jr	a0
