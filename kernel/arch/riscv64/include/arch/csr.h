/*
 * RISC-V supervisor CSRs and their bits (privileged spec v1.12), and inline
 * accessors. Only arch/ includes this.
 */
#ifndef ARCH_CSR_H
#define ARCH_CSR_H

#define SSTATUS_SIE  (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP  (1UL << 8)
#define SSTATUS_FS   (3UL << 13)
#define SSTATUS_FS_OFF     (0UL << 13)
#define SSTATUS_FS_INITIAL (1UL << 13)
#define SSTATUS_FS_CLEAN   (2UL << 13)
#define SSTATUS_FS_DIRTY   (3UL << 13)
#define SSTATUS_SUM  (1UL << 18)
#define SSTATUS_MXR  (1UL << 19)

#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)

#define SCAUSE_INTR (1UL << 63)
#define IRQ_S_SOFT  1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT   9

#define EXC_INST_MISALIGNED  0
#define EXC_INST_ACCESS      1
#define EXC_ILLEGAL_INST     2
#define EXC_BREAKPOINT       3
#define EXC_LOAD_MISALIGNED  4
#define EXC_LOAD_ACCESS      5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS     7
#define EXC_ECALL_U          8
#define EXC_INST_PAGE_FAULT  12
#define EXC_LOAD_PAGE_FAULT  13
#define EXC_STORE_PAGE_FAULT 15

#define SATP_MODE_SV39 (8UL << 60)

#ifndef __ASSEMBLY__
#define csr_read(csr)                                                                              \
	({                                                                                         \
		unsigned long __v;                                                                 \
		__asm__ volatile("csrr %0, " #csr : "=r"(__v)::"memory");                        \
		__v;                                                                               \
	})
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"rK"(val) : "memory")
#define csr_set(csr, val)   __asm__ volatile("csrs " #csr ", %0" ::"rK"(val) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " #csr ", %0" ::"rK"(val) : "memory")
#define csr_read_clear(csr, val)                                                                   \
	({                                                                                         \
		unsigned long __v;                                                                 \
		__asm__ volatile("csrrc %0, " #csr ", %1" : "=r"(__v) : "rK"(val) : "memory");   \
		__v;                                                                               \
	})

static inline void arch_sfence_all(void)
{
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
}

static inline void arch_sfence_page(unsigned long va)
{
	__asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}
#endif
#endif
