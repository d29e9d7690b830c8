/*
 * HAL: thread contexts. A user thread's registers live in a struct hal_trapframe
 * inside its thread block (there is no kernel stack to keep them on); a kernel
 * thread's callee-saved registers live in a struct hal_kcontext while it is
 * switched out. The per-CPU stack is reset every time the scheduler loop is
 * entered, so nothing below it survives a park.
 */
#ifndef HAL_CONTEXT_H
#define HAL_CONTEXT_H

#include <stdint.h>
#include <stdbool.h>
#include <arch/context.h>

struct cpu;

static inline unsigned long hal_tf_arg(const struct hal_trapframe *tf, int n)
{
	return tf->x[REG_A0 + n];
}
static inline void hal_tf_set_ret(struct hal_trapframe *tf, long v)
{
	tf->x[REG_A0] = (unsigned long)v;
}
static inline unsigned long hal_tf_sysno(const struct hal_trapframe *tf)
{
	return tf->x[REG_A7];
}
static inline unsigned long hal_tf_pc(const struct hal_trapframe *tf)
{
	return tf->x[0];
}
static inline void hal_tf_set_pc(struct hal_trapframe *tf, unsigned long pc)
{
	tf->x[0] = pc;
}
static inline unsigned long hal_tf_sp(const struct hal_trapframe *tf)
{
	return tf->x[REG_SP];
}
static inline void hal_tf_set_sp(struct hal_trapframe *tf, unsigned long sp)
{
	tf->x[REG_SP] = sp;
}
static inline void hal_tf_set_tp(struct hal_trapframe *tf, unsigned long tp)
{
	tf->x[REG_TP] = tp;
}

/* A fresh frame that enters user mode at pc with stack sp, all else zero. */
void hal_tf_init_user(struct hal_trapframe *tf, unsigned long pc, unsigned long sp);

/* Leave the kernel for user mode with tf's registers. Interrupts must be off. */
void hal_return_to_user(struct hal_trapframe *tf) __attribute__((noreturn));

/* Prepare ctx so that switching to it runs fn(arg) on the stack ending at stack_top. */
void hal_kctx_init(struct hal_kcontext *ctx, void *stack_top, void (*fn)(void *), void *arg);
/* Save the caller's callee-saved state in from, resume to. */
void hal_kctx_switch(struct hal_kcontext *from, struct hal_kcontext *to);
/* Resume to without saving anything (the current stack is abandoned). */
void hal_kctx_load(struct hal_kcontext *to) __attribute__((noreturn));
/* Abandon the current stack and call fn on this CPU's own stack, from its top. */
void hal_run_on_cpu_stack(void (*fn)(void)) __attribute__((noreturn));
/* Tell the overflow check which stack is in use: [lo, ...). */
void hal_set_stack_limit(unsigned long lo);

/* FP state of user threads: save if the hardware marked it dirty, restore. */
bool hal_fp_dirty(const struct hal_trapframe *tf);
void hal_fp_save(struct hal_fpstate *fp, struct hal_trapframe *tf);
void hal_fp_restore(const struct hal_fpstate *fp, struct hal_trapframe *tf);

/* Enable interrupts, wait for one, disable them again. */
void hal_wait_for_interrupt(void);
/* Interrupt CPU index cpu (its software interrupt). */
void hal_send_ipi(unsigned cpu);
/* Program this CPU's timer to fire at hal_time_ns() >= deadline_ns. */
void hal_timer_arm(uint64_t deadline_ns);

/* Per-CPU block of the caller. */
struct cpu *hal_this_cpu(void);

/* Print a backtrace starting from frame pointer fp. */
void hal_backtrace(unsigned long fp);
#endif
