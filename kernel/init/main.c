/*
 * Boot: from the firmware's hand-off to the first user instruction.
 *
 * The boot hart parses the device tree, gives the free RAM to the page
 * allocator, builds the kernel page table, sets up its per-CPU block, traps,
 * interrupts and the console, starts the other harts, unpacks the initrd into
 * the root tmpfs, creates init (pid 1) from the `init=` path on the command line
 * and enters its scheduler loop. Secondary harts set up their traps and join the
 * scheduler.
 */
#include <lib/fdt.h>
#include <lib/string.h>
#include <native/native.h>
#include <core/klog.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <core/kstack.h>
#include <core/sched.h>
#include <hal/irq.h>
#include <arch/memlayout.h>
#include <dev/console.h>
#include <dev/rtc.h>
#include <dev/virtio_blk.h>
#include <dev/virtio_mmio.h>
#include <fs/bcache.h>
#include <core/clock.h>
#include <fs/vfs.h>
#include <fs/devfs.h>
#include <fs/initrd.h>
#include <fs/procfs.h>
#include <linux/lx.h>
#include <svc/services.h>
#include "boot.h"
#include "ktest.h"

#define MAX_INIT_ARGS 16

extern char __kernel_start[], __kernel_end[];
extern uint64_t arch_timebase_hz;
extern const struct file_ops lx_console_fops;
void arch_mmu_init(paddr_t ram_end);
int arch_cpu_setup(struct cpu *c, unsigned index, unsigned hartid);
int arch_start_hart(struct cpu *c);
void arch_trap_init_hart(void);
void arch_plic_init(paddr_t base);
void arch_plic_init_hart(unsigned hartid);
void lx_enosys_report(void);
extern char lx_strace_name[16];

static struct fdt_machine machine;
static uint64_t boot_ns;

/* Free RAM = memory minus everything below the kernel's end and the reserved
 * ranges (device tree, initrd, firmware's reservations). */
static int free_ranges(struct pmm_range *out, int max, paddr_t fdt_pa)
{
	struct fdt_range resv[FDT_MAX_RESV + 2];
	int nresv = 0, n = 0;
	paddr_t lo = machine.mem[0].base, hi = lo + machine.mem[0].size;
	paddr_t kend = PAGE_ROUND_UP((paddr_t)__kernel_end - KERNEL_OFFSET);

	for (int i = 0; i < machine.nresv; i++)
		resv[nresv++] = machine.resv[i];
	resv[nresv++] = (struct fdt_range){ fdt_pa, machine.totalsize };
	if (machine.initrd_end > machine.initrd_start)
		resv[nresv++] = (struct fdt_range){ machine.initrd_start,
						    machine.initrd_end - machine.initrd_start };
	for (paddr_t at = kend > lo ? kend : lo; at < hi && n < max;) {
		paddr_t end = hi;
		for (int i = 0; i < nresv; i++) {
			paddr_t rs = PAGE_ROUND_DOWN(resv[i].base);
			paddr_t re = PAGE_ROUND_UP(resv[i].base + resv[i].size);
			if (rs <= at && re > at) {
				at = re;
				end = 0;
				break;
			}
			if (rs > at && rs < end)
				end = rs;
		}
		if (end > at) {
			out[n++] = (struct pmm_range){ at, end };
			at = end;
		}
	}
	return n;
}

static void start_secondaries(unsigned boot_hart)
{
	unsigned idx = 1;

	for (int i = 0; i < machine.nharts && idx < NCPU_MAX; i++) {
		struct cpu *c = &cpus[idx];
		if (machine.harts[i] == boot_hart)
			continue;
		if (arch_cpu_setup(c, idx, machine.harts[i])) {
			pr_err("smp: no memory for cpu %u", idx);
			break;
		}
		sched_init_cpu(c, idx);
		ncpu_online = idx + 1;
		if (arch_start_hart(c)) {
			pr_warn("smp: hart %u did not start", machine.harts[i]);
			ncpu_online = idx;
			continue;
		}
		idx++;
	}
}

void secondary_main(void)
{
	struct cpu *c = this_cpu();

	arch_trap_init_hart();
	arch_plic_init_hart(c->arch.hartid);
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	pr_debug("cpu %u (hart %u) online", c->id, c->arch.hartid);
	sched_start();
}

/* Set the wall clock from QEMU virt's Goldfish RTC, if the device tree has one. */
static void read_rtc(paddr_t fdt_pa)
{
	struct fdt fdt;
	struct fdt_prop reg;
	uint32_t soc, node, ac, sc, pos = 0;
	uint64_t base;

	if (fdt_init(&fdt, hal_pa_to_kva(fdt_pa), machine.totalsize) ||
	    fdt_find_path(&fdt, "/soc", &soc) || fdt_find_path(&fdt, "/soc/rtc", &node) ||
	    fdt_get_prop(&fdt, node, "compatible", &reg) ||
	    !fdt_prop_has_string(&reg, "google,goldfish-rtc") ||
	    fdt_get_prop(&fdt, node, "reg", &reg) || fdt_child_cells(&fdt, soc, &ac, &sc) ||
	    fdt_cell_read(&reg, &pos, ac, &base))
		return;
	clock_set_realtime(goldfish_rtc_read_ns(base));
}

/* Start a driver on every virtio-mmio slot of the device tree, in its order;
 * disks become vda, vdb, ... Empty slots are silent. */
static void probe_virtio(void)
{
	for (int i = 0; i < machine.nvirtio; i++) {
		struct bdev *bd = NULL;
		int err = virtio_mmio_attach(machine.virtio[i].base, machine.virtio[i].size,
					     machine.virtio[i].irq, &bd);

		if (!err && bd && (err = bdev_register(bd)))
			pr_err("%s: cannot register: error %d", bd->name, err);
	}
}

static void unpack_initrd(void)
{
	const char *why = NULL;
	int err;

	if (machine.initrd_end <= machine.initrd_start) {
		pr_warn("initrd: none given");
		return;
	}
	/* A malformed archive is reported by initrd_unpack; boot goes on with the
	 * entries before the damage. */
	err = initrd_unpack(hal_pa_to_kva(machine.initrd_start),
			    machine.initrd_end - machine.initrd_start, &why);
	if (err == -ENOMEM)
		pr_err("initrd: out of memory while unpacking");
}

static bool crash_requested;
static void (*ktest_requested)(void); /* ktest=<name>: run that test instead of init */

static void ktest_blk_test(void)
{
	ktest_blk(false);
}

static void ktest_blk_bench(void)
{
	ktest_blk(true);
}

/* crashtest=oops: fault in kernel code on purpose, so the tests can check what an
 * oops reports (cause, registers, a symbolised backtrace). */
static void __attribute__((noinline)) crashtest_fault(void)
{
	*(volatile unsigned long *)0x10 = 0xbad;
}

/* Split bootargs: `loglevel=N` (0 errors .. 3 debug), `init=PATH args...`; the
 * words after the init path are init's arguments. */
static int parse_cmdline(char *cmd, char **path, char **argv)
{
	int argc = 0;
	bool in_init = false;

	*path = "/bin/sh";
	for (char *tok = cmd; *tok;) {
		char *end = tok;
		while (*end && *end != ' ')
			end++;
		if (*end)
			*end++ = 0;
		if (in_init && argc < MAX_INIT_ARGS - 1)
			argv[argc++] = tok;
		else if (!strncmp(tok, "root=", 5) || !strncmp(tok, "rootfstype=", 11))
			rootfs_option(tok);
		else if (!strcmp(tok, "ktest=kthread"))
			ktest_requested = ktest_kthreads;
		else if (!strcmp(tok, "ktest=svc"))
			ktest_requested = ktest_svc;
		else if (!strcmp(tok, "ktest=blk"))
			ktest_requested = ktest_blk_test;
		else if (!strcmp(tok, "ktest=blkbench"))
			ktest_requested = ktest_blk_bench;
		else if (!strcmp(tok, "ktest=fsfuzz"))
			ktest_requested = ktest_fsfuzz;
		else if (!strncmp(tok, "vblk.qsize=", 11))
			vblk_queue_limit = (unsigned)lib_strtoul(tok + 11, NULL, 10);
		else if (!strcmp(tok, "crashtest=oops"))
			crash_requested = true;
		else if (!strncmp(tok, "strace=", 7)) {
			strlcpy(lx_strace_name, tok + 7, sizeof(lx_strace_name));
			strlcpy(nat_strace_name, tok + 7, sizeof(nat_strace_name));
		}
		else if (!strncmp(tok, "svc.inject=", 11))
			svc_inject_boot(tok + 11);
		else if (!strncmp(tok, "loglevel=", 9))
			klog_level = (int)lib_strtoul(tok + 9, NULL, 10);
		else if (!strncmp(tok, "init=", 5)) {
			*path = tok + 5;
			in_init = true;
		}
		while (*end == ' ')
			end++;
		tok = end;
	}
	argv[argc] = NULL;
	return argc;
}

void weft_shutdown(int failure)
{
	if (!failure)
		klog_level = KL_INFO;
	lx_enosys_report();
	pr_info("shutdown: %lu free pages, %lu stacks in use", pmm_free_pages(), kstack_in_use());
	hal_poweroff(failure);
}

/* The command line, split once at boot: init's path and arguments. */
static char cmdline[sizeof(machine.bootargs)];
static char *init_args[MAX_INIT_ARGS + 1];
static int init_argc;

static void parse_options(void)
{
	memcpy(cmdline, machine.bootargs, sizeof(cmdline));
	init_argc = parse_cmdline(cmdline, &init_args[0], init_args + 1) + 1;
}

void boot_start_init(void)
{
	char *path = init_args[0], *envp[] = { "HOME=/", "PATH=/bin:/sbin:/usr/bin", "TERM=vt100",
					       NULL };
	struct proc *p = proc_create(NULL, "init");
	struct thread *t;
	long err;

	if (!p || !(p->vm = vm_create()) || lx_setup_init(p) || !(t = lx_new_thread(p)))
		panic("init: out of memory");
	err = lx_execve(t, path, init_args, init_argc, envp, 3);
	if (err) {
		pr_err("init: cannot run %s: error %ld", path, err);
		weft_shutdown(1);
	}
	pr_info("boot: init %s started %lu us after kernel entry",
		path, (unsigned long)((hal_time_ns() - boot_ns) / 1000));
	sched_add_new(t);
}

static void report_memory(void)
{
	unsigned long image = (unsigned long)(__kernel_end - __kernel_start);

	pr_info("mem: kernel image %lu KiB, %lu of %lu pages free, slab %lu bytes, %lu stacks",
		image / 1024, pmm_free_pages(), pmm_total_pages(),
		(unsigned long)kmem_stats(NULL, NULL), kstack_in_use());
}

void kmain(unsigned long hartid, paddr_t fdt_pa)
{
	struct pmm_range ranges[FDT_MAX_RESV + 4];
	struct cpu *c = &cpus[0];
	int n;

	c->arch.index = 0;
	c->arch.hartid = (unsigned)hartid;
	__asm__ volatile("mv tp, %0" ::"r"(c));
	boot_ns = hal_time_ns();
	if (fdt_parse_machine(hal_pa_to_kva(fdt_pa), 1 << 20, &machine) || !machine.nmem)
		panic("boot: unusable device tree at %lx", fdt_pa);
	arch_timebase_hz = machine.timebase_hz ? machine.timebase_hz : 10000000;
	parse_options();
	n = free_ranges(ranges, (int)(sizeof(ranges) / sizeof(ranges[0])), fdt_pa);
	pmm_init(machine.mem[0].base, machine.mem[0].base + machine.mem[0].size, ranges, n);
	arch_mmu_init(machine.mem[0].base + machine.mem[0].size);
	if (arch_cpu_setup(c, 0, (unsigned)hartid))
		panic("boot: no memory for the boot cpu");
	sched_init_cpu(c, 0);
	ncpu_online = 1;
	c->online = true;
	arch_trap_init_hart();
	if (machine.plic_base)
		arch_plic_init(machine.plic_base);
	console_init(machine.uart_base, machine.uart_irq);
	arch_plic_init_hart((unsigned)hartid);
	pr_info("Weft booting on hart %lu: %d harts, %lu MiB RAM, timebase %lu Hz, cmdline \"%s\"",
		hartid, machine.nharts, (unsigned long)(machine.mem[0].size >> 20),
		(unsigned long)arch_timebase_hz, machine.bootargs);
	read_rtc(fdt_pa);
	start_secondaries((unsigned)hartid);
	if (vfs_init())
		panic("boot: vfs_init failed");
	probe_virtio();
	lx_tty_init();
	lx_procfd_init();
	devfs_register("console", 0620, &lx_console_fops, NULL);
	devfs_register("tty", 0666, &lx_console_fops, NULL);
	unpack_initrd();
	native_init();
	procfs_init();
	svc_boot();
	report_memory();
	if (crash_requested)
		crashtest_fault();
	if (ktest_requested)
		ktest_requested();
	else if (rootfs_requested())
		rootfs_boot();
	else
		boot_start_init();
	sched_start();
}
