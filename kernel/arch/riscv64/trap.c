/*
 * Trap dispatch in C. trap_user runs on the per-CPU stack for every trap taken
 * in U-mode: interrupts, syscalls (handed to the personality through
 * upcall_syscall), and faults (resolved by vm_fault, or turned into a signal).
 * trap_kernel handles interrupts that arrive in the kernel (idle loop, kernel
 * threads) and faults in kernel code: a fault in the user-copy routines
 * returns -EFAULT to their caller; anything else is an oops.
 */
#include <hal/context.h>
#include <hal/irq.h>
#include <arch/csr.h>
#include <core/sched.h>
#include <core/vm.h>
#include <core/klog.h>
#include <core/upcall.h>
#include <weft/errno.h>

#define SIGILL  4
#define SIGTRAP 5
#define SIGBUS  7
#define SIGSEGV 11

struct kframe {
	unsigned long x[31];	/* x1..x31 */
	unsigned long sepc, sstatus, stval, scause;
};

void arch_plic_handle(unsigned hartid);

static void handle_irq(unsigned long irq)
{
	struct cpu *c = this_cpu();

	c->nr_irqs++;
	switch (irq) {
	case IRQ_S_TIMER:
		sched_timer_irq();
		break;
	case IRQ_S_SOFT:
		csr_clear(sip, 1UL << IRQ_S_SOFT);
		sched_ipi();
		break;
	case IRQ_S_EXT:
		arch_plic_handle(c->arch.hartid);
		break;
	default:
		pr_warn("trap: unexpected interrupt %lu", irq);
	}
}

static int fault_signal(unsigned long cause, unsigned *access)
{
	switch (cause) {
	case EXC_INST_PAGE_FAULT:
		*access = VM_X;
		return SIGSEGV;
	case EXC_LOAD_PAGE_FAULT:
		*access = VM_R;
		return SIGSEGV;
	case EXC_STORE_PAGE_FAULT:
		*access = VM_W;
		return SIGSEGV;
	case EXC_ILLEGAL_INST:
		return SIGILL;
	case EXC_BREAKPOINT:
		return SIGTRAP;
	case EXC_INST_MISALIGNED:
	case EXC_LOAD_MISALIGNED:
	case EXC_STORE_MISALIGNED:
		return SIGBUS;
	default:
		return SIGSEGV;
	}
}

void trap_user(struct hal_trapframe *tf)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->cur;
	unsigned long cause = tf->scause;
	unsigned long ret_pc = t->acct_ret_pc;
	unsigned access = 0;
	int sig;

	t->acct_ret_pc = 0;
	if (hal_fp_dirty(tf))
		hal_fp_save(&t->fp, tf);
	if (cause & SCAUSE_INTR) {
		/* Syscalls and faults run with interrupts off: a tick that fell due
		 * in one is taken at the pc it returned to, before any other trap,
		 * and is system time (core/cputime.c). */
		c->tick_user = ret_pc != tf->x[0];
		handle_irq(cause & ~SCAUSE_INTR);
		c->tick_user = false;
		if (c->need_resched)
			sched_preempt_user();
		sched_return_to_user(t);
	}
	if (cause == EXC_ECALL_U) {
		tf->x[0] += 4;
		c->nr_syscalls++;
		if (upcall_syscall(t) == -EPARKED)
			sched_leave_user();
		t->acct_ret_pc = tf->x[0];
		if (c->need_resched)	/* sched_yield, sched_setaffinity */
			sched_preempt_user();
		sched_return_to_user(t);
	}
	sig = fault_signal(cause, &access);
	if (access) {
		int err = vm_fault(t->vm, tf->stval, access);
		t->acct_ret_pc = tf->x[0];
		if (!err)
			sched_return_to_user(t);
		/* The page must be read from a disk: the fs service does it. */
		if (err == -ESVC && upcall_fault_svc(t, tf->stval, access) == -EPARKED)
			sched_leave_user();
	}
	if (upcall_user_fault(t, sig, tf->stval) == -EPARKED)
		sched_leave_user();
	sched_return_to_user(t);
}

static const char *const reg_names[31] = {
	"ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1",
	"a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6",
	"s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

const char *arch_symbolise(unsigned long pc, unsigned long *off);

static void oops(struct kframe *f, const char *why)
{
	unsigned long off = 0;
	const char *name;

	kprintf("\n*** KERNEL OOPS on cpu %u: %s\n", hal_cpu_id(), why);
	kprintf("scause %016lx stval %016lx sepc %016lx sstatus %016lx\n", f->scause, f->stval,
		f->sepc, f->sstatus);
	for (int i = 0; i < 31; i++)
		kprintf("%-3s %016lx%s", reg_names[i], f->x[i], (i % 4 == 3) ? "\n" : "  ");
	kprintf("\n");
	/* The faulting function and its caller (ra), then the frame-pointer walk. */
	name = arch_symbolise(f->sepc, &off);
	kprintf("  [<%016lx>] %s+0x%lx (faulting pc)\n", f->sepc, name, off);
	name = arch_symbolise(f->x[0], &off);
	kprintf("  [<%016lx>] %s+0x%lx (ra)\n", f->x[0], name, off);
	hal_backtrace(f->x[7]);
	panic("oops: %s", why);
}

/* A kernel thread that contains its faults (a service thread) is told about
 * an exception in its own code; one inside an interrupt handler is the
 * kernel's. on_fault does not return. */
static void contain_fault(struct cpu *c, struct kframe *f, const char *why)
{
	struct thread *t = c->cur;
	unsigned long off = 0;

	if (!t || !t->on_fault || c->irq_depth)
		return;
	const char *name = arch_symbolise(f->sepc, &off);
	pr_warn("%s: %s at %s+0x%lx (stval %lx)", t->name, why, name, off, f->stval);
	t->on_fault(t, why);
}

static const char *exception_name(unsigned long cause)
{
	switch (cause) {
	case EXC_ILLEGAL_INST:
		return "illegal instruction";
	case EXC_BREAKPOINT:
		return "breakpoint";
	case EXC_LOAD_PAGE_FAULT:
	case EXC_STORE_PAGE_FAULT:
	case EXC_INST_PAGE_FAULT:
		return "page fault";
	default:
		return "exception";
	}
}

/* Where SIE will be after the sret to the trapped kernel code. */
static void irq_state_on_return(const struct kframe *f)
{
	this_cpu()->arch.irq_on = (f->sstatus & SSTATUS_SPIE) != 0;
}

void trap_kernel(struct kframe *f)
{
	struct cpu *c = this_cpu();

	c->arch.irq_on = false;	/* the trap cleared SIE */
	if (f->scause & SCAUSE_INTR) {
		c->irq_depth++;
		handle_irq(f->scause & ~SCAUSE_INTR);
		c->irq_depth--;
		if (!c->cur || c->cur->kind != THREAD_KERNEL || !(f->sstatus & SSTATUS_SPIE) ||
		    (__atomic_load_n(&c->cur->park, __ATOMIC_ACQUIRE) & 0xff) != PARK_NONE) {
			irq_state_on_return(f);
			return;
		}
		if (__atomic_load_n(&c->cur->abort_pending, __ATOMIC_ACQUIRE))
			contain_fault(c, f, "watchdog: request ran past its deadline");
		if (c->need_resched)
			sched_yield_kthread();	/* may come back on another CPU */
		irq_state_on_return(f);
		return;
	}
	contain_fault(c, f, exception_name(f->scause));
	oops(f, "unexpected exception in kernel mode");
}

void trap_stack_overflow(unsigned long sepc, unsigned long sp, unsigned long stval)
{
	kprintf("\n*** KERNEL STACK OVERFLOW on cpu %u: sepc %016lx sp %016lx stval %016lx\n",
		hal_cpu_id(), sepc, sp, stval);
	panic("kernel stack overflow");
}
