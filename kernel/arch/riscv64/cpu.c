/*
 * The CPU half of the HAL on RISC-V: per-CPU block through tp, interrupt
 * masking, time (rdtime scaled by the device tree's timebase), IPIs and the
 * timer through SBI, FP save/restore, kernel-thread contexts, and the start of
 * secondary harts through SBI HSM.
 */
#include <hal/cpu.h>
#include <hal/context.h>
#include <hal/irq.h>
#include <arch/csr.h>
#include <arch/sbi.h>
#include <arch/memlayout.h>
#include <core/sched.h>
#include <core/klog.h>
#include <core/kstack.h>

BUILD_ASSERT(sizeof(struct hal_trapframe) == TF_SIZE);
BUILD_ASSERT(__builtin_offsetof(struct hal_trapframe, sstatus) == TF_SSTATUS);
BUILD_ASSERT(__builtin_offsetof(struct hal_trapframe, scause) == TF_SCAUSE);
BUILD_ASSERT(__builtin_offsetof(struct hal_trapframe, stval) == TF_STVAL);
BUILD_ASSERT(__builtin_offsetof(struct hal_cpu_arch, kstack_top) == CPU_KSTACK_TOP);
BUILD_ASSERT(__builtin_offsetof(struct hal_cpu_arch, utf) == CPU_UTF);
BUILD_ASSERT(__builtin_offsetof(struct hal_cpu_arch, stack_lo) == CPU_STACK_LO);
BUILD_ASSERT(__builtin_offsetof(struct hal_cpu_arch, emerg_top) == CPU_EMERG_TOP);
BUILD_ASSERT(__builtin_offsetof(struct cpu, arch) == 0);

uint64_t arch_timebase_hz = 10000000;
void (*hal_console_hook)(const char *s, unsigned long n);

static inline struct hal_cpu_arch *arch_cpu(void)
{
	struct hal_cpu_arch *p;
	__asm__ volatile("mv %0, tp" : "=r"(p));
	return p;
}

unsigned hal_cpu_id(void)
{
	struct hal_cpu_arch *p = arch_cpu();
	return p ? p->index : 0;
}

struct cpu *hal_this_cpu(void)
{
	return (struct cpu *)arch_cpu();
}

/*
 * sstatus.SIE is mirrored in the per-CPU irq_on, so that saving the state
 * with interrupts already off (every lock taken in a syscall, which runs with
 * them off) reads memory instead of the CSR: under QEMU's TCG every CSR
 * access ends the translated block. Every change of SIE goes through here or
 * through the trap code, which sets irq_on on entry (off) and on exit (what
 * sret restores, trap_kernel).
 */
unsigned long hal_irq_save(void)
{
	struct hal_cpu_arch *a = arch_cpu();
	unsigned long flags;

	if (a && !a->irq_on)
		return 0;
	flags = csr_read_clear(sstatus, SSTATUS_SIE) & SSTATUS_SIE;
	if (a)	/* NULL early in boot, before the per-CPU blocks */
		a->irq_on = false;
	return flags;
}

void hal_irq_restore(unsigned long flags)
{
	if (flags & SSTATUS_SIE)
		hal_irq_enable();
}

void hal_irq_enable(void)
{
	struct hal_cpu_arch *a = arch_cpu();

	if (a)
		a->irq_on = true;
	csr_set(sstatus, SSTATUS_SIE);
}

void hal_cpu_relax(void)
{
	__asm__ volatile("nop; nop; nop; nop" ::: "memory");
}

static inline uint64_t rdtime(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

uint64_t hal_time_ns(void)
{
	uint64_t t = rdtime(), hz = arch_timebase_hz;
	return t / hz * 1000000000ull + t % hz * 1000000000ull / hz;
}

void hal_timer_arm(uint64_t deadline_ns)
{
	uint64_t hz = arch_timebase_hz;
	uint64_t ticks = deadline_ns / 1000000000ull * hz + deadline_ns % 1000000000ull * hz / 1000000000ull;

	sbi_set_timer(ticks);
}

void hal_send_ipi(unsigned cpu)
{
	sbi_send_ipi(1UL << (cpus[cpu].arch.hartid % 64), cpus[cpu].arch.hartid / 64 * 64);
}

/* wfi runs with SIE still clear: an interrupt that is pending (and enabled in
 * sie) ends the wait whatever SIE says, and is taken once SIE opens after it.
 * Opening SIE before the wfi would let an interrupt that arrived after the
 * caller's last look at its run queue be handled first, and the wfi then
 * sleep through the thread it woke, until the next timer. */
void hal_wait_for_interrupt(void)
{
	__asm__ volatile("wfi" ::: "memory");
	csr_set(sstatus, SSTATUS_SIE);
	csr_clear(sstatus, SSTATUS_SIE);
	arch_cpu()->irq_on = false;	/* an interrupt taken in between set it */
}

void hal_console_write(const char *s, unsigned long n)
{
	if (hal_console_hook) {
		hal_console_hook(s, n);
		return;
	}
	for (unsigned long i = 0; i < n; i++)
		sbi_console_putchar(s[i]);
}

void hal_poweroff(int failure)
{
	sbi_shutdown(failure);
}

void hal_halt(void)
{
	sbi_shutdown(1);
}

void hal_set_stack_limit(unsigned long lo)
{
	arch_cpu()->stack_lo = lo;
}

void hal_tf_init_user(struct hal_trapframe *tf, unsigned long pc, unsigned long sp)
{
	__builtin_memset(tf, 0, sizeof(*tf));
	tf->x[0] = pc;
	tf->x[REG_SP] = sp;
	/* Return to U-mode with interrupts enabled there and the FPU usable. */
	tf->sstatus = SSTATUS_SPIE | SSTATUS_FS_INITIAL;
}

extern char kthread_trampoline[];

void hal_kctx_init(struct hal_kcontext *ctx, void *stack_top, void (*fn)(void *), void *arg)
{
	__builtin_memset(ctx, 0, sizeof(*ctx));
	ctx->ra = (unsigned long)kthread_trampoline;
	ctx->sp = (unsigned long)stack_top;
	ctx->s[1] = (unsigned long)fn;
	ctx->s[2] = (unsigned long)arg;
}

bool hal_fp_dirty(const struct hal_trapframe *tf)
{
	return (tf->sstatus & SSTATUS_FS) == SSTATUS_FS_DIRTY;
}

extern void arch_fp_save(struct hal_fpstate *fp);
extern void arch_fp_load(const struct hal_fpstate *fp);

void hal_fp_save(struct hal_fpstate *fp, struct hal_trapframe *tf)
{
	csr_set(sstatus, SSTATUS_FS_INITIAL);
	arch_fp_save(fp);
	csr_clear(sstatus, SSTATUS_FS);
	tf->sstatus = (tf->sstatus & ~SSTATUS_FS) | SSTATUS_FS_CLEAN;
}

__attribute__((noinline)) void hal_fp_restore(const struct hal_fpstate *fp, struct hal_trapframe *tf)
{
	csr_set(sstatus, SSTATUS_FS_INITIAL);
	arch_fp_load(fp);
	csr_clear(sstatus, SSTATUS_FS);
	tf->sstatus = (tf->sstatus & ~SSTATUS_FS) | SSTATUS_FS_CLEAN;
}

extern char secondary_entry[];

/* Start the hart of c (set up by arch_cpu_setup); it enters secondary_main. */
int arch_start_hart(struct cpu *c)
{
	unsigned long entry_pa = (unsigned long)secondary_entry - KERNEL_OFFSET;

	return sbi_hart_start(c->arch.hartid, entry_pa, (unsigned long)c) ? -1 : 0;
}

/* Per-CPU stacks: the scheduler/trap stack and a small emergency stack. */
int arch_cpu_setup(struct cpu *c, unsigned index, unsigned hartid)
{
	void *stack = kstack_alloc(), *emerg = kstack_alloc();

	if (!stack || !emerg)
		return -1;
	c->arch.index = index;
	c->arch.hartid = hartid;
	c->arch.kstack_top = (unsigned long)stack + KSTACK_SIZE;
	c->arch.emerg_top = (unsigned long)emerg + KSTACK_SIZE;
	c->arch.stack_lo = (unsigned long)stack;
	return 0;
}

extern char trap_vector[];

/* Per-hart trap setup: vector, sscratch = 0 (in kernel), interrupts enabled in sie. */
void arch_trap_init_hart(void)
{
	csr_write(stvec, (unsigned long)trap_vector);
	csr_write(sscratch, 0);
	csr_write(sie, SIE_SSIE | SIE_STIE | SIE_SEIE);
}
