/*
 * procfs on the host: the system files, the mount list and the snapshot
 * buffer against the real VFS, allocators and formatter, and the per-process
 * files against two fake processes (this file defines the obj/proc_iter.h
 * calls procfs references weakly), including one that dies.
 */
#include "ht.h"
#include <fs/vfs.h>
#include <fs/procfs.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <core/vm.h>
#include <weft/errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "../../kernel/fs/procfs_impl.h"

void fs_test_setup(void);

/* ---- fake processes ---- */

struct fake {
	int pid, ppid;
	const char *name;
	bool alive;
};

static struct fake fakes[] = {{1, 0, "init", true}, {42, 1, "fake", true}};
#define NFAKES (int)(sizeof(fakes) / sizeof(fakes[0]))

static struct fake *fake_find(int pid)
{
	for (int i = 0; i < NFAKES; i++)
		if (fakes[i].pid == pid && fakes[i].alive)
			return &fakes[i];
	return NULL;
}

int proc_with_pid(int pid, int (*fn)(struct proc *p, void *arg), void *arg)
{
	struct fake *f = fake_find(pid);

	return f ? fn((struct proc *)f, arg) : -ESRCH;
}

int proc_info_get(int pid, struct proc_info *out)
{
	struct fake *f = fake_find(pid);

	if (!f)
		return -ESRCH;
	*out = (struct proc_info){.pid = pid, .ppid = f->ppid, .state = 'S', .nthreads = 1};
	snprintf(out->name, sizeof(out->name), "%s", f->name);
	out->vsize = 3 * PAGE_SIZE;
	out->rss = 2;
	out->stack_start = 0x3fff000;
	out->stack_end = 0x4000000;
	return 0;
}

int proc_self_pid(void)
{
	return 42;
}

int proc_pid_list(int from, int *out, int max)
{
	int n = 0;

	for (int i = 0; i < NFAKES && n < max; i++)
		if (fakes[i].alive && fakes[i].pid >= from)
			out[n++] = fakes[i].pid;
	return n;
}

int proc_regions(int pid, uint64_t addr, struct proc_region *out, int max)
{
	static const struct proc_region r[] = {
	    {0x10000, 0x11000, VM_R | VM_X, 0, false},
	    {0x20000, 0x21000, VM_R | VM_W, 0, true},
	    {0x3fff000, 0x4000000, VM_R | VM_W, VM_STACK, false},
	};
	int n = 0;

	if (!fake_find(pid))
		return -ESRCH;
	for (int i = 0; i < 3 && n < max; i++)
		if (r[i].end > addr)
			out[n++] = r[i];
	return n;
}

int proc_cpu_info(struct proc_cpu_info *out, int max)
{
	for (int i = 0; i < 2 && i < max; i++)
		out[i] = (struct proc_cpu_info){.id = (unsigned)i,
						.hartid = (unsigned)i + 10,
						.online = true,
						.idle_ns = 1000000000ull};
	return max < 2 ? max : 2;
}

void proc_sys_info(struct proc_sys_info *out)
{
	*out = (struct proc_sys_info){.nr_procs = 2, .nr_running = 1, .last_pid = 42};
}

static int fake_fds(struct proc *p, int from, struct procfs_fd *out, int max)
{
	int n = 0;

	for (int fd = from < 0 ? 0 : from; fd < 3 && n < max; fd++) {
		out[n].fd = fd;
		out[n].file = NULL;
		snprintf(out[n].target, sizeof(out[n].target), "/dev/console");
		n++;
	}
	return n;
}

/* ---- helpers ---- */

static struct vnode *R(void)
{
	static bool mounted;

	fs_test_setup();
	if (!mounted) {
		HT_CHECK_EQ(procfs_init(), 0);
		mounted = true;
	}
	return vfs_root();
}

static char text[65536];

/* The whole file at path, read step bytes at a time: its length or -errno. */
static long cat(const char *path, size_t step)
{
	struct file *f;
	size_t len = 0;
	long n;
	int err = vfs_open(R(), R(), path, VFS_O_RDONLY, 0, &f);

	if (err)
		return err;
	do {
		struct uio u;
		uio_init_kernel(&u, text + len, step, 0);
		n = vfs_read(f, &u);
		len += n > 0 ? (size_t)n : 0;
	} while (n > 0 && len + step < sizeof(text));
	file_put(f);
	text[len] = 0;
	return n < 0 ? n : (long)len;
}

/* Names of directory path, space-separated, into text. */
static long ls(const char *path)
{
	char buf[4096];
	struct file *f;
	size_t len = 0;
	long n;
	int err = vfs_open(R(), R(), path, VFS_O_RDONLY | VFS_O_DIRECTORY, 0, &f);

	if (err)
		return err;
	text[0] = 0;
	while (1) {
		struct uio u;
		uio_init_kernel(&u, buf, 64, 0); /* small: one or two entries a call */
		if ((n = vfs_getdents(f, &u)) <= 0)
			break;
		for (long off = 0; off < n;) {
			struct vfs_dirent64 *d = (struct vfs_dirent64 *)(buf + off);
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s ", d->d_name);
			off += d->d_reclen;
		}
	}
	file_put(f);
	return n;
}

static long link_of(const char *path)
{
	struct uio u;
	long n;

	uio_init_kernel(&u, text, sizeof(text) - 1, 0);
	n = vfs_readlink(R(), R(), path, &u);
	text[n > 0 ? n : 0] = 0;
	return n;
}

/* ---- tests ---- */

HT_TEST(test_meminfo)
{
	unsigned long kib = 0;

	HT_CHECK(cat("/proc/meminfo", 5) > 0);
	HT_CHECK(sscanf(text, "MemTotal: %lu kB", &kib) == 1);
	HT_CHECK_EQ(kib, pmm_total_pages() * (PAGE_SIZE / 1024));
	HT_CHECK(strstr(text, "\nMemFree: ") && strstr(text, "\nSwapFree: "));
}

HT_TEST(test_system_files)
{
	HT_CHECK(cat("/proc/cpuinfo", 4096) > 0);
	HT_CHECK(!strcmp(text,
			 "processor\t: 0\nhart\t\t: 10\nisa\t\t: rv64imafdc\nmmu\t\t: sv39\n\n"
			 "processor\t: 1\nhart\t\t: 11\nisa\t\t: rv64imafdc\nmmu\t\t: sv39\n\n"));
	HT_CHECK(cat("/proc/uptime", 4096) > 0);
	HT_CHECK(strstr(text, " 2.00\n") != NULL);
	HT_CHECK(cat("/proc/loadavg", 4096) > 0);
	HT_CHECK(strstr(text, " 1/2 42\n") != NULL);
	HT_CHECK(cat("/proc/stat", 4096) > 0);
	HT_CHECK(!strncmp(text, "cpu  0 0 ", 9) && strstr(text, "\ncpu1 0 0 "));
	HT_CHECK(strstr(text, "\nprocs_running 1\nprocs_blocked 0\n") != NULL);
	HT_CHECK(cat("/proc/version", 4096) > 0);
	HT_CHECK(!strncmp(text, "Linux version " PROCFS_RELEASE " ", 25));
}

HT_TEST(test_mounts)
{
	HT_CHECK(cat("/proc/mounts", 4096) > 0);
	HT_CHECK(!strcmp(text, "tmpfs / tmpfs rw 0 0\ndevfs /dev devfs rw 0 0\n"
			       "proc /proc proc rw 0 0\n"));
	HT_CHECK(cat("/proc/filesystems", 4096) > 0);
	HT_CHECK(!strcmp(text, "nodev\ttmpfs\nnodev\tdevfs\nnodev\tproc\n"));
}

HT_TEST(test_listing)
{
	HT_CHECK_EQ(ls("/proc"), 0);
	HT_CHECK(!strcmp(text, ". .. self cpuinfo filesystems loadavg meminfo slabinfo mounts stat "
			       "uptime version 1 42 "));
	HT_CHECK_EQ(ls("/proc/42"), 0);
	HT_CHECK(!strcmp(text, ". .. cmdline comm maps stat statm status exe fd "));
	HT_CHECK_EQ(ls("/proc/42/fd"), 0);
	HT_CHECK(!strcmp(text, ". .. ")); /* no hook: no descriptors */
	HT_CHECK_EQ(cat("/proc/7/stat", 4096), -ENOENT);
	HT_CHECK_EQ(cat("/proc/nosuch", 4096), -ENOENT);
	HT_CHECK_EQ(cat("/proc/042/stat", 4096), -ENOENT);
}

HT_TEST(test_pid_files)
{
	int fields = 0;

	HT_CHECK(cat("/proc/self/stat", 3) > 0);
	HT_CHECK(!strncmp(text, "42 (fake) S 1 42 42 0 -1 ", 25));
	for (char *p = text; *p; p++)
		fields += *p == ' ';
	HT_CHECK_EQ(fields + 1, 52);
	HT_CHECK(cat("/proc/42/status", 4096) > 0);
	HT_CHECK(!strncmp(text, "Name:\tfake\n", 11) && strstr(text, "\nPPid:\t1\n"));
	HT_CHECK_EQ(cat("/proc/42/cmdline", 4096), 5);
	HT_CHECK(!memcmp(text, "fake", 5));
	HT_CHECK(cat("/proc/42/maps", 4096) > 0);
	HT_CHECK(!strncmp(text, "00010000-00011000 r-xp 00000000 00:00 0 \n", 41));
	HT_CHECK(strstr(text, "00020000-00021000 rw-p 00000000 00:00 0") != NULL);
	HT_CHECK(strstr(text, "                  [heap]\n") != NULL);
	HT_CHECK(strstr(text, "[stack]\n") != NULL);
	HT_CHECK_EQ(link_of("/proc/self"), 2);
	HT_CHECK(!strcmp(text, "42"));
	HT_CHECK_EQ(link_of("/proc/42/exe"), 4);
}

HT_TEST(test_fd_hook)
{
	procfs_fd_hook = fake_fds;
	HT_CHECK_EQ(ls("/proc/42/fd"), 0);
	HT_CHECK(!strcmp(text, ". .. 0 1 2 "));
	HT_CHECK_EQ(link_of("/proc/42/fd/1"), 12);
	HT_CHECK(!strcmp(text, "/dev/console"));
	HT_CHECK_EQ(link_of("/proc/42/fd/5"), -ENOENT);
	procfs_fd_hook = NULL;
}

HT_TEST(test_process_goes)
{
	struct vnode *vn;
	struct vfs_stat st;

	HT_CHECK(cat("/proc/42/stat", 4096) > 0);
	HT_CHECK_EQ(vfs_lookup(R(), R(), "/proc/42", VFS_LOOKUP_FOLLOW, &vn), 0);
	fakes[1].alive = false;
	HT_CHECK_EQ(vfs_stat(vn, &st), -ENOENT); /* a reference held across the exit */
	vnode_put(vn);
	HT_CHECK_EQ(cat("/proc/42/stat", 4096), -ENOENT);
	HT_CHECK_EQ(vfs_lookup(R(), R(), "/proc/42", VFS_LOOKUP_FOLLOW, &vn), -ENOENT);
	HT_CHECK_EQ(ls("/proc"), 0);
	HT_CHECK(strstr(text, " 42 ") == NULL);
	fakes[1].alive = true;
	HT_CHECK(cat("/proc/42/status", 4096) > 0);
}

static int gen_big(struct procfs_buf *b, int pid)
{
	for (int i = 0; i < 3000; i++)
		procfs_printf(b, "%04d\n", i);
	return 0;
}

HT_TEST(test_snapshot_buffer)
{
	struct procfs_snap *s;
	char small[7];
	struct procfs_buf b = {small, 0, sizeof(small), false};

	fs_test_setup();
	HT_CHECK_EQ(procfs_generate(gen_big, 0, &s), 0);
	HT_CHECK_EQ(s->len, 15000);
	HT_CHECK(!memcmp(s->data + 14995, "2999\n", 5));
	kfree(s);
	procfs_put_escaped(&b, "a b");
	HT_CHECK(!b.overflow && b.len == 6 && !memcmp(small, "a\\040b", 6));
	procfs_putc(&b, 'x');
	HT_CHECK(b.overflow);
}

HT_MAIN(HT_CASE(test_meminfo), HT_CASE(test_system_files), HT_CASE(test_mounts),
	HT_CASE(test_listing), HT_CASE(test_pid_files), HT_CASE(test_fd_hook),
	HT_CASE(test_process_goes), HT_CASE(test_snapshot_buffer))
