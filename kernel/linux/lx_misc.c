/*
 * Small system calls: uname, getcpu, sched_yield, getrandom, reboot (power
 * off), prlimit64 (reports the limits Weft enforces), set_robust_list.
 */
#include <linux/lx.h>
#include <lib/string.h>
#include <fs/devfs.h>
#include <hal/irq.h>
#include <core/klog.h>

#define LINUX_REBOOT_MAGIC1 0xfee1dead
#define LINUX_REBOOT_MAGIC2 672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321FEDC
#define LINUX_REBOOT_CMD_RESTART 0x01234567
#define LINUX_REBOOT_CMD_HALT 0xCDEF0123

struct lx_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

long lx_sys_uname(struct thread *t, const unsigned long *a)
{
	struct lx_utsname u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, "Linux", sizeof(u.sysname));
	strlcpy(u.nodename, "weft", sizeof(u.nodename));
	strlcpy(u.release, "6.1.0-weft", sizeof(u.release));
	strlcpy(u.version, "#1 SMP Weft", sizeof(u.version));
	strlcpy(u.machine, "riscv64", sizeof(u.machine));
	strlcpy(u.domainname, "(none)", sizeof(u.domainname));
	return copy_to_user(a[0], &u, sizeof(u));
}

long lx_sys_getcpu(struct thread *t, const unsigned long *a)
{
	unsigned cpu = this_cpu()->id, node = 0;

	if (a[0] && copy_to_user(a[0], &cpu, sizeof(cpu)))
		return -EFAULT;
	if (a[1] && copy_to_user(a[1], &node, sizeof(node)))
		return -EFAULT;
	return 0;
}

long lx_sys_sched_yield(struct thread *t, const unsigned long *a)
{
	/* Return 0, and let the trap path switch if someone else is waiting. */
	if (this_cpu()->rq.nr)
		this_cpu()->need_resched = true;
	return 0;
}

long lx_sys_getrandom(struct thread *t, const unsigned long *a)
{
	char buf[256];
	size_t len = a[1], done = 0;

	if (a[2] & ~7UL)
		return -EINVAL;
	if (len > 33554431)
		len = 33554431;
	while (done < len) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		devfs_random_bytes(buf, n);
		if (copy_to_user(a[0] + done, buf, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}



long lx_sys_reboot(struct thread *t, const unsigned long *a)
{
	if ((unsigned)a[0] != LINUX_REBOOT_MAGIC1 || (unsigned)a[1] != LINUX_REBOOT_MAGIC2)
		return -EINVAL;
	switch ((unsigned)a[2]) {
	case LINUX_REBOOT_CMD_POWER_OFF:
	case LINUX_REBOOT_CMD_HALT:
	case LINUX_REBOOT_CMD_RESTART:
		weft_shutdown(0);
		return 0;
	default:
		return -EINVAL;
	}
}

struct lx_rlimit {
	uint64_t cur, max;
};

long lx_sys_prlimit64(struct thread *t, const unsigned long *a)
{
	struct lx_rlimit r = { ~0ull, ~0ull };
	unsigned res = (unsigned)a[1];

	if (a[0] && (int)a[0] != t->proc->pid)
		return -ESRCH;
	if (res >= 16)
		return -EINVAL;
	if (res == 7)		/* RLIMIT_NOFILE */
		r.cur = r.max = LX_NFD;
	else if (res == 3)	/* RLIMIT_STACK */
		r.cur = 8ull << 20;
	if (a[3] && copy_to_user(a[3], &r, sizeof(r)))
		return -EFAULT;
	if (a[2])
		return -EPERM;	/* limits are fixed for now */
	return 0;
}
