/*
 * HAL: physical/virtual address contract.
 *
 * The kernel sees all of RAM through a direct map; hal_pa_to_kva/hal_kva_to_pa
 * convert between a physical address and its direct-map address. On the host
 * build physical addresses are just host pointers (identity).
 */
#ifndef HAL_MMU_H
#define HAL_MMU_H

#include <stdint.h>
#include <stdbool.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)
#define PAGE_MASK  (~(PAGE_SIZE - 1))

typedef uint64_t paddr_t;
typedef uint64_t vaddr_t;

#define PAGE_ROUND_UP(x)   (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PAGE_ROUND_DOWN(x) ((x) & PAGE_MASK)

void *hal_pa_to_kva(paddr_t pa);
paddr_t hal_kva_to_pa(const void *kva);

/* Top of user space (exclusive) and where mmap starts looking down from. */
#define HAL_USER_TOP 0x4000000000UL

/* Page protections, as the portable VM layer speaks them. */
#define HAL_PROT_R 1u
#define HAL_PROT_W 2u
#define HAL_PROT_X 4u

typedef uint64_t pte_t;

/* Kernel stack region: [base, base + *len), its upper tables exist from boot. */
vaddr_t hal_kstack_region(unsigned long *len);
int hal_kmap_page(vaddr_t va, paddr_t pa);	/* RW kernel page; -ENOMEM */
void hal_kunmap_page(vaddr_t va);
paddr_t hal_kmap_lookup(vaddr_t va);		/* 0 if va is not mapped */

/* User page tables. A root shares the kernel half of the kernel's own root. */
paddr_t hal_pt_new(void);			/* 0 when out of memory */
void hal_pt_free(paddr_t root);			/* table pages only, not the mapped pages */
/* The leaf entry for va, allocating tables if alloc; NULL if absent or out of memory. */
pte_t *hal_pt_lookup(paddr_t root, vaddr_t va, bool alloc);
/* Call fn for every present leaf in [start, end), skipping absent tables. */
void hal_pt_walk(paddr_t root, vaddr_t start, vaddr_t end,
		 void (*fn)(pte_t *pte, vaddr_t va, void *arg), void *arg);
bool hal_pte_present(pte_t pte);
paddr_t hal_pte_pa(pte_t pte);
unsigned hal_pte_prot(pte_t pte);
pte_t hal_pte_make(paddr_t pa, unsigned prot);	/* a present user leaf */
/* Switch this CPU to root (0: the kernel's own table) and flush its TLB. */
void hal_pt_switch(paddr_t root);
void hal_tlb_flush_page(vaddr_t va);
void hal_tlb_flush_all(void);

#endif
