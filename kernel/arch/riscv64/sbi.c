/*
 * SBI calls: a0..a5 arguments, a6 function id, a7 extension id, ecall into
 * OpenSBI; the result comes back in a0 (error) and a1 (value).
 */
#include <arch/sbi.h>

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_IPI  0x735049
#define SBI_EXT_HSM  0x48534D
#define SBI_EXT_SRST 0x53525354

struct sbiret sbi_call(long ext, long fid, unsigned long a0, unsigned long a1, unsigned long a2)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = a1;
	register unsigned long r2 __asm__("a2") = a2;
	register long r6 __asm__("a6") = fid;
	register long r7 __asm__("a7") = ext;
	struct sbiret ret;

	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	ret.error = (long)r0;
	ret.value = (long)r1;
	return ret;
}

void sbi_set_timer(uint64_t stime)
{
	sbi_call(SBI_EXT_TIME, 0, stime, 0, 0);
}

void sbi_send_ipi(unsigned long hart_mask, unsigned long base)
{
	sbi_call(SBI_EXT_IPI, 0, hart_mask, base, 0);
}

long sbi_hart_start(unsigned long hartid, unsigned long start_pa, unsigned long opaque)
{
	return sbi_call(SBI_EXT_HSM, 0, hartid, start_pa, opaque).error;
}

void sbi_shutdown(int failure)
{
	sbi_call(SBI_EXT_SRST, 0, 0, failure ? 1 : 0, 0);
	sbi_call(0x08, 0, 0, 0, 0);	/* legacy shutdown */
	for (;;)
		__asm__ volatile("wfi");
}

void sbi_console_putchar(int c)
{
	sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned long)c, 0, 0);
}
