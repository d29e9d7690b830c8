/*
 * Saved machine state: the user trap frame, the FP state and the callee-saved
 * context of a kernel thread, plus the arch part of the per-CPU block that the
 * trap entry reaches through tp. Offsets are shared with trap.S (asm-offsets
 * are written out by hand below and checked by BUILD_ASSERTs in cpu.c).
 */
#ifndef ARCH_CONTEXT_H
#define ARCH_CONTEXT_H

#define TF_SEPC    0
#define TF_X(n)    ((n) * 8)
#define TF_SSTATUS 256
#define TF_SCAUSE  264
#define TF_STVAL   272
#define TF_SIZE    288

#define CPU_SCRATCH    0
#define CPU_KSTACK_TOP 8
#define CPU_UTF        16
#define CPU_STACK_LO   24
#define CPU_EMERG_TOP  32

#define KSTACK_FRAME 288	/* kernel trap frame on the stack: x1..x31, sepc, sstatus, stval, scause */

#ifndef __ASSEMBLY__
#include <stdint.h>

/* x[0] holds sepc (x0 needs no slot); x[i] is register xi. */
struct hal_trapframe {
	unsigned long x[32];
	unsigned long sstatus;
	unsigned long scause;
	unsigned long stval;
	unsigned long pad;
};

struct hal_fpstate {
	uint64_t f[32];
	uint64_t fcsr;
};

struct hal_kcontext {
	unsigned long ra, sp, s[12];
};

struct hal_cpu_arch {
	unsigned long scratch;		/* user sp while the entry saves registers */
	unsigned long kstack_top;	/* top of this CPU's stack (guarded) */
	struct hal_trapframe *utf;	/* frame of the user thread this CPU runs */
	unsigned long stack_lo;		/* lowest usable address of the stack in use */
	unsigned long emerg_top;	/* stack for reporting a kernel stack overflow */
	unsigned index;			/* 0..NCPU_MAX-1 */
	unsigned hartid;
	int irq_on;			/* sstatus.SIE, as hal_irq_* and the trap code set it */
};

#define REG_RA 1
#define REG_SP 2
#define REG_GP 3
#define REG_TP 4
#define REG_A0 10
#define REG_A7 17
#endif
#endif
