/*
 * Sv39 page tables. Three levels of 512 entries; a leaf maps a 4 KiB page (or a
 * 2 MiB / 1 GiB one in the kernel's own table). The kernel table is built once
 * at boot: the direct map of all RAM (RW, no X), the kernel image with its
 * sections' rights (W^X), and the kernel stack region's second-level table.
 * After that the kernel half of the root never changes, so a user root is made
 * by copying the 256 kernel-half entries of the kernel root.
 */
#include <hal/mmu.h>
#include <arch/csr.h>
#include <arch/memlayout.h>
#include <core/pmm.h>
#include <core/klog.h>
#include <core/sched.h>
#include <weft/errno.h>

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_LEAF (PTE_R | PTE_W | PTE_X)
/* Software bit: a page that is mapped with no access (PROT_NONE). V is clear so
 * the hardware faults, but the entry still owns its page. */
#define PTE_SW_NONE (1UL << 8)
#define PTE_PA(p) (((p) >> 10) << 12)
#define PA_PTE(pa) (((pa) >> 12) << 10)
#define VPN(va, lvl) (((va) >> (12 + 9 * (lvl))) & 511)

extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

paddr_t kernel_root;
unsigned long kernel_satp;	/* read by secondary_entry */
static paddr_t direct_map_end;

void *hal_pa_to_kva(paddr_t pa)
{
	return (void *)(pa + DIRECT_MAP_BASE);
}

paddr_t hal_kva_to_pa(const void *kva)
{
	unsigned long va = (unsigned long)kva;

	if (va >= KERNEL_VBASE)
		return va - KERNEL_OFFSET;
	return va - DIRECT_MAP_BASE;
}

static pte_t *table(paddr_t pa)
{
	return hal_pa_to_kva(pa);
}

/* Walk to the entry for va at level `leaf_lvl`, allocating tables if asked. */
static pte_t *walk(paddr_t root, vaddr_t va, int leaf_lvl, bool alloc, pte_t extra)
{
	pte_t *pt = table(root);

	for (int lvl = 2; lvl > leaf_lvl; lvl--) {
		pte_t *e = &pt[VPN(va, lvl)];
		if (!(*e & PTE_V)) {
			paddr_t n;
			if (!alloc || !(n = pmm_alloc_zeroed(0)))
				return NULL;
			*e = PA_PTE(n) | PTE_V | extra;
		} else if (*e & PTE_LEAF) {
			return NULL;	/* a huge page covers it */
		}
		pt = table(PTE_PA(*e));
	}
	return &pt[VPN(va, leaf_lvl)];
}

static void kmap_range(vaddr_t va, paddr_t pa, unsigned long len, pte_t flags)
{
	for (unsigned long off = 0; off < len;) {
		bool giga = !((va + off) & ((1UL << 30) - 1)) && !((pa + off) & ((1UL << 30) - 1)) &&
			    len - off >= (1UL << 30);
		pte_t *e = walk(kernel_root, va + off, giga ? 2 : 0, true, 0);
		if (!e)
			panic("mmu: out of memory building the kernel page table");
		*e = PA_PTE(pa + off) | flags | PTE_V | PTE_A | PTE_D | PTE_G;
		off += giga ? (1UL << 30) : PAGE_SIZE;
	}
}

/* Build the kernel page table and switch to it (boot hart). */
void arch_mmu_init(paddr_t ram_end)
{
	vaddr_t ks = (vaddr_t)__kernel_start;

	kernel_root = pmm_alloc_zeroed(0);
	if (!kernel_root)
		panic("mmu: no memory for the kernel root");
	direct_map_end = (ram_end + (1UL << 30) - 1) & ~((1UL << 30) - 1);
	kmap_range(DIRECT_MAP_BASE, 0, direct_map_end, PTE_R | PTE_W);
	kmap_range(ks, ks - KERNEL_OFFSET, (vaddr_t)__text_end - ks, PTE_R | PTE_X);
	kmap_range((vaddr_t)__text_end, (vaddr_t)__text_end - KERNEL_OFFSET,
		   (vaddr_t)__rodata_end - (vaddr_t)__text_end, PTE_R);
	kmap_range((vaddr_t)__rodata_end, (vaddr_t)__rodata_end - KERNEL_OFFSET,
		   PAGE_ROUND_UP((vaddr_t)__kernel_end) - (vaddr_t)__rodata_end, PTE_R | PTE_W);
	/* The stack region's level-1 table exists from now on, shared by every root. */
	if (!walk(kernel_root, KSTACK_BASE, 1, true, 0))
		panic("mmu: no memory for the stack region");
	kernel_satp = SATP_MODE_SV39 | (kernel_root >> 12);
	arch_sfence_all();
	csr_write(satp, kernel_satp);
	arch_sfence_all();
}

vaddr_t hal_kstack_region(unsigned long *len)
{
	*len = KSTACK_SPAN;
	return KSTACK_BASE;
}

int hal_kmap_page(vaddr_t va, paddr_t pa)
{
	pte_t *e = walk(kernel_root, va, 0, true, 0);

	if (!e)
		return -ENOMEM;
	*e = PA_PTE(pa) | PTE_R | PTE_W | PTE_V | PTE_A | PTE_D | PTE_G;
	return 0;
}

void hal_kunmap_page(vaddr_t va)
{
	pte_t *e = walk(kernel_root, va, 0, false, 0);

	if (e)
		*e = 0;
	/* Stacks are freed rarely; every CPU flushes on its next address-space switch
	 * or TLB flush, and nothing uses the freed range until it is mapped again. */
	arch_sfence_page(va);
}

paddr_t hal_kmap_lookup(vaddr_t va)
{
	pte_t *e = walk(kernel_root, va, 0, false, 0);

	return (e && (*e & PTE_V)) ? PTE_PA(*e) : 0;
}

paddr_t hal_pt_new(void)
{
	paddr_t root = pmm_alloc(0);

	/* The user half empty, the kernel half the kernel's (zeroing it first
	 * would only be overwritten). */
	if (root) {
		__builtin_memset(table(root), 0, 256 * sizeof(pte_t));
		__builtin_memcpy(&table(root)[256], &table(kernel_root)[256], 256 * sizeof(pte_t));
	}
	return root;
}

/* Whether any of the 8 entries from p (8-aligned) has a bit of mask: tables
 * of small processes are mostly empty, and one test per 8 entries is one
 * translated block under QEMU instead of 8 (fork and exit scan them). */
static inline bool any8(const pte_t *p, pte_t mask)
{
	return ((p[0] | p[1] | p[2] | p[3] | p[4] | p[5] | p[6] | p[7]) & mask) != 0;
}

static void free_level(paddr_t pt, int lvl)
{
	pte_t *t = table(pt);

	for (int i = 0; i < 512; i++)
		if (!(i & 7) && !any8(&t[i], PTE_V))
			i += 7;
		else if ((t[i] & PTE_V) && !(t[i] & PTE_LEAF) && lvl > 1)
			free_level(PTE_PA(t[i]), lvl - 1);
		else if ((t[i] & PTE_V) && !(t[i] & PTE_LEAF))
			pmm_free(PTE_PA(t[i]), 0);
}

void hal_pt_free(paddr_t root)
{
	pte_t *t = table(root);

	for (int i = 0; i < 256; i++)
		if (!(i & 7) && !any8(&t[i], PTE_V))
			i += 7;
		else if (t[i] & PTE_V)
			free_level(PTE_PA(t[i]), 1), pmm_free(PTE_PA(t[i]), 0);
	pmm_free(root, 0);
}

pte_t *hal_pt_lookup(paddr_t root, vaddr_t va, bool alloc)
{
	if (va >= USER_TOP)
		return NULL;
	return walk(root, va, 0, alloc, 0);
}

void hal_pt_walk(paddr_t root, vaddr_t start, vaddr_t end,
		 void (*fn)(pte_t *pte, vaddr_t va, void *arg), void *arg)
{
	vaddr_t va = start;

	if (end > USER_TOP)
		end = USER_TOP;
	while (va < end) {
		pte_t *l2 = &table(root)[VPN(va, 2)], *l1, *l0;
		vaddr_t stop;
		if (!(*l2 & PTE_V)) {
			va = (va | ((1UL << 30) - 1)) + 1;
			continue;
		}
		l1 = &table(PTE_PA(*l2))[VPN(va, 1)];
		if (!(*l1 & PTE_V)) {
			va = (va | ((1UL << 21) - 1)) + 1;
			continue;
		}
		/* The rest of this leaf table in one pass: most of a sparse region's
		 * entries are empty (fork and exit walk every region; make prof
		 * showed the per-page walk from the root as 40% of fork+exit). fn
		 * changes leaf entries only, never the tables above them. */
		l0 = table(PTE_PA(*l1));
		stop = (va | ((1UL << 21) - 1)) + 1;
		if (stop > end)
			stop = end;
		for (pte_t *pte = &l0[VPN(va, 0)]; va < stop; va += PAGE_SIZE, pte++) {
			if (!((uintptr_t)pte & 63) && stop - va >= 8 * PAGE_SIZE &&
			    !any8(pte, PTE_V | PTE_SW_NONE)) {
				va += 7 * PAGE_SIZE;
				pte += 7;
			} else if (*pte & (PTE_V | PTE_SW_NONE)) {
				fn(pte, va, arg);
			}
		}
	}
}

bool hal_pte_present(pte_t pte)
{
	return pte & (PTE_V | PTE_SW_NONE);
}

paddr_t hal_pte_pa(pte_t pte)
{
	return PTE_PA(pte);
}

unsigned hal_pte_prot(pte_t pte)
{
	return ((pte & PTE_R) ? HAL_PROT_R : 0) | ((pte & PTE_W) ? HAL_PROT_W : 0) |
	       ((pte & PTE_X) ? HAL_PROT_X : 0);
}

pte_t hal_pte_make(paddr_t pa, unsigned prot)
{
	pte_t p = PA_PTE(pa) | PTE_V | PTE_U | PTE_A | PTE_D;

	if (!(prot & (HAL_PROT_R | HAL_PROT_W | HAL_PROT_X)))
		return PA_PTE(pa) | PTE_SW_NONE;

	/* W without R is reserved in Sv39: writable pages are readable. */
	if (prot & (HAL_PROT_R | HAL_PROT_W))
		p |= PTE_R;
	if (prot & HAL_PROT_W)
		p |= PTE_W;
	if (prot & HAL_PROT_X)
		p |= PTE_X;
	return p;
}

void hal_pt_switch(paddr_t root)
{
	csr_write(satp, root ? SATP_MODE_SV39 | (root >> 12) : kernel_satp);
	arch_sfence_all();
}

void hal_tlb_flush_page(vaddr_t va)
{
	arch_sfence_page(va);
}

void hal_tlb_flush_all(void)
{
	arch_sfence_all();
}
