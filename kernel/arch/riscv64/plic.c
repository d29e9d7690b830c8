/*
 * The platform-level interrupt controller (SiFive PLIC as on QEMU virt). Every
 * registered source gets priority 1 and is enabled for the S-mode context of
 * every hart, so any hart may claim it; the claim/complete pair hands each
 * interrupt to exactly one hart.
 */
#include <hal/irq.h>
#include <hal/mmu.h>
#include <core/sched.h>
#include <core/klog.h>
#include <weft/errno.h>

#define PLIC_MAX_IRQ 128
#define PRIORITY(irq)     (4 * (irq))
#define ENABLE(ctx)       (0x2000 + 0x80 * (ctx))
#define THRESHOLD(ctx)    (0x200000 + 0x1000 * (ctx))
#define CLAIM(ctx)        (0x200004 + 0x1000 * (ctx))

static volatile uint8_t *plic;
static struct {
	void (*fn)(void *);
	void *arg;
} handlers[PLIC_MAX_IRQ];

static inline volatile uint32_t *reg(unsigned long off)
{
	return (volatile uint32_t *)(plic + off);
}

/* QEMU virt numbers contexts 2*hart (M-mode) and 2*hart+1 (S-mode). */
static unsigned s_context(unsigned hartid)
{
	return 2 * hartid + 1;
}

void arch_plic_init(paddr_t base)
{
	plic = hal_pa_to_kva(base);
}

/* Per hart: accept every priority above 0, and enable the registered sources. */
void arch_plic_init_hart(unsigned hartid)
{
	unsigned ctx = s_context(hartid);

	if (!plic)
		return;
	*reg(THRESHOLD(ctx)) = 0;
	for (unsigned irq = 1; irq < PLIC_MAX_IRQ; irq++)
		if (handlers[irq].fn)
			reg(ENABLE(ctx))[irq / 32] |= 1u << (irq % 32);
}

int hal_irq_register(unsigned irq, void (*fn)(void *arg), void *arg)
{
	if (!plic || irq == 0 || irq >= PLIC_MAX_IRQ)
		return -EINVAL;
	handlers[irq].fn = fn;
	handlers[irq].arg = arg;
	*reg(PRIORITY(irq)) = 1;
	for (unsigned i = 0; i < ncpu_online; i++)
		reg(ENABLE(s_context(cpus[i].arch.hartid)))[irq / 32] |= 1u << (irq % 32);
	return 0;
}

void arch_plic_handle(unsigned hartid)
{
	unsigned ctx = s_context(hartid);
	uint32_t irq;

	while ((irq = *reg(CLAIM(ctx))) != 0) {
		if (irq < PLIC_MAX_IRQ && handlers[irq].fn)
			handlers[irq].fn(handlers[irq].arg);
		else
			pr_warn("plic: spurious irq %u", irq);
		*reg(CLAIM(ctx)) = irq;
	}
}
