/*
 * Boot entry. OpenSBI jumps here in S-mode with the MMU off, a0 = hart id and
 * a1 = device tree (physical). We turn on a boot page table that maps the
 * kernel image both where it runs now (identity) and at its link address in the
 * upper half, plus the direct map, jump high, clear BSS and call kmain.
 * Secondary harts arrive at secondary_entry (started through SBI HSM) with
 * a1 = the kernel virtual address of their per-CPU block.
 */
#include <arch/csr.h>
#include <arch/context.h>

#define PTE_GIGA_RWX 0xef	/* V R W X G A D */
#define PTE_GIGA_RW  0xe7	/* V R W G A D */

	.section .text.boot, "ax"
	.global _start
_start:
	csrw	sie, zero
	csrw	sip, zero
	/* One hart only. Under a loaded host, OpenSBI 1.1's boot-hart lottery
	 * has been seen to send a second hart here too (two kmains, a panic);
	 * that one goes back to SBI's stopped state with HSM hart_stop, and is
	 * started later through HSM like every other secondary. The claim is
	 * in .data: the winner clears BSS. */
	la	t0, boot_claim
	li	t1, 1
	amoswap.w t1, t1, (t0)
	bnez	t1, extra_boot_hart
	la	t0, boot_pgtable
	srli	t0, t0, 12
	li	t1, SATP_MODE_SV39
	or	t0, t0, t1
	sfence.vma
	csrw	satp, t0
	sfence.vma
	ld	t0, .Lboot_high
	jr	t0
.Lboot_high:
	.quad	boot_high

extra_boot_hart:
	li	a7, 0x48534D		/* SBI HSM extension */
	li	a6, 1			/* hart_stop: does not return */
	ecall
5:	wfi
	j	5b

	.global secondary_entry
secondary_entry:
	csrw	sie, zero
	csrw	sip, zero
	la	t0, boot_pgtable
	srli	t0, t0, 12
	li	t1, SATP_MODE_SV39
	or	t0, t0, t1
	sfence.vma
	csrw	satp, t0
	sfence.vma
	ld	t0, .Lsecondary_high
	jr	t0
.Lsecondary_high:
	.quad	secondary_high

	.text
boot_high:
	/* Clear BSS (the boot stack lives there too; nothing is on it yet). */
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	la	sp, boot_stack_top
	mv	tp, zero
	mv	s0, zero
	call	kmain
3:	wfi
	j	3b

secondary_high:
	/* Switch to the real kernel page table, then run on this CPU's stack. */
	ld	t0, kernel_satp
	sfence.vma
	csrw	satp, t0
	sfence.vma
	mv	tp, a1
	ld	sp, CPU_KSTACK_TOP(tp)
	mv	s0, zero
	call	secondary_main
4:	wfi
	j	4b

	.section .data
boot_claim:
	.word	0

	.balign 4096
	.global boot_pgtable
boot_pgtable:
	/* Root entries: index = VA bits 38..30. */
	.quad	0, 0
	.quad	(0x80000000 >> 12 << 10) | PTE_GIGA_RWX	/* [2]: identity of RAM's first GiB */
	.fill	253, 8, 0
	.quad	PTE_GIGA_RW				/* [256]: direct map of PA 0..1G (devices) */
	.quad	(0x40000000 >> 12 << 10) | PTE_GIGA_RW	/* [257] */
	.quad	(0x80000000 >> 12 << 10) | PTE_GIGA_RW	/* [258]: direct map of RAM */
	.fill	251, 8, 0
	.quad	(0x80000000 >> 12 << 10) | PTE_GIGA_RWX	/* [510]: kernel image */
	.quad	0

	.section .bss
	.balign 16
boot_stack:
	.space	16384
	.global boot_stack_top
boot_stack_top:
