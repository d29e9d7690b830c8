/*
 * procfs: the files busybox ps/top/free/uptime/mount/df read, in Linux's
 * formats. Checks /proc/self (stat, status, maps, the link itself), the system
 * files, the pid listing, and that a child's directory shows it as a zombie
 * and disappears once it is reaped. Runs the same on Linux.
 */
#include "t.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

static char buf[16384];

/* Whole file into buf, read in chunks of step bytes: its length or -1. */
static long slurp(const char *path, size_t step)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (len + step < sizeof(buf) && (n = read(fd, buf + len, step)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = 0;
	return (long)len;
}

static void check_self_stat(void)
{
	char comm[64], state = 0;
	int pid = 0, ppid = 0;

	T_CHECK(slurp("/proc/self/stat", 4096) > 0);
	T_EQ(sscanf(buf, "%d (%63[^)]) %c %d", &pid, comm, &state, &ppid), 4);
	T_EQ(pid, getpid());
	T_EQ(ppid, getppid());
	T_EQ(state, 'R');
	/* 52 fields: count the spaces after the closing parenthesis. */
	int fields = 2;
	for (char *p = strrchr(buf, ')') + 1; *p; p++)
		fields += *p == ' ';
	T_EQ(fields, 52);
}

static void check_self_status(void)
{
	char line[64];

	/* Read in odd-sized pieces: the offset must carry across reads. */
	T_CHECK(slurp("/proc/self/status", 7) > 0);
	T_CHECK(!strncmp(buf, "Name:\t", 6));
	snprintf(line, sizeof(line), "\nPid:\t%d\n", getpid());
	T_CHECK(strstr(buf, line) != NULL);
	snprintf(line, sizeof(line), "\nPPid:\t%d\n", getppid());
	T_CHECK(strstr(buf, line) != NULL);
	T_CHECK(strstr(buf, "\nState:\tR (running)\n") != NULL);
}

static void check_self_link(void)
{
	char link[32], want[32];
	ssize_t n = readlink("/proc/self", link, sizeof(link) - 1);

	T_CHECK(n > 0);
	link[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof(want), "%d", getpid());
	T_CHECK(!strcmp(link, want));
	T_CHECK(slurp("/proc/self/maps", 4096) > 0);
	T_CHECK(strstr(buf, "[stack]\n") != NULL);
	T_CHECK(slurp("/proc/self/cmdline", 4096) > 0);
	if (t_is_weft()) /* Linux lets root open it, then refuses the write */
		T_ERR(t_sys(SYS_openat, AT_FDCWD, (long)"/proc/self/stat", O_WRONLY), EACCES);
}

static void check_system_files(void)
{
	unsigned long a, b, c, d, kib = 0;
	char *p;

	T_CHECK(slurp("/proc/meminfo", 4096) > 0);
	T_CHECK((p = strstr(buf, "MemTotal:")) != NULL);
	T_CHECK(p && sscanf(p, "MemTotal: %lu kB", &kib) == 1 && kib > 1024);
	T_CHECK(strstr(buf, "\nMemFree:") && strstr(buf, "\nSwapTotal:"));
	T_CHECK(slurp("/proc/uptime", 4096) > 0);
	T_EQ(sscanf(buf, "%lu.%lu %lu.%lu", &a, &b, &c, &d), 4);
	T_CHECK(slurp("/proc/loadavg", 4096) > 0);
	T_EQ(sscanf(buf, "%lu.%lu %*u.%*u %*u.%*u %lu/%lu", &a, &b, &c, &d), 4);
	T_CHECK(c >= 1 && d >= 1);
	T_CHECK(slurp("/proc/stat", 4096) > 0);
	T_CHECK(!strncmp(buf, "cpu  ", 5) && strstr(buf, "\nctxt "));
	T_CHECK(strstr(buf, "\nprocs_running "));
	T_CHECK(slurp("/proc/cpuinfo", 4096) > 0);
	T_CHECK(!strncmp(buf, "processor\t: 0\n", 14));
	T_CHECK(slurp("/proc/version", 4096) > 0);
	T_CHECK(!strncmp(buf, "Linux version ", 14));
	T_CHECK(slurp("/proc/mounts", 4096) > 0);
	T_CHECK(strstr(buf, " / ") && strstr(buf, " /proc proc "));
	T_CHECK(slurp("/proc/filesystems", 4096) > 0);
	T_CHECK(strstr(buf, "\tproc\n") != NULL);
}

/* Is pid among the entries of /proc? */
static int listed(int pid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char want[16];
	int found = 0;

	if (!d)
		return -1;
	snprintf(want, sizeof(want), "%d", pid);
	while ((e = readdir(d)) != NULL)
		found |= !strcmp(e->d_name, want) && e->d_type == DT_DIR;
	closedir(d);
	return found;
}

static void check_child_goes(void)
{
	struct timespec ts = {0, 100 * 1000 * 1000};
	char path[64], comm[64], state = 0;
	struct stat st;
	int status, pid;

	T_EQ(listed(getpid()), 1);
	pid = fork();
	if (pid == 0)
		_exit(7);
	T_CHECK(pid > 0);
	nanosleep(&ts, NULL); /* the child is a zombie now */
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	T_CHECK(slurp(path, 4096) > 0);
	T_EQ(sscanf(buf, "%*d (%63[^)]) %c", comm, &state), 2);
	T_EQ(state, 'Z');
	T_EQ(listed(pid), 1);
	snprintf(path, sizeof(path), "/proc/%d", pid);
	T_EQ(stat(path, &st), 0);
	T_CHECK(S_ISDIR(st.st_mode));
	T_EQ(waitpid(pid, &status, 0), pid);
	T_EQ(listed(pid), 0);
	T_EQ(stat(path, &st), -1);
	T_EQ(errno, ENOENT);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	T_EQ(open(path, O_RDONLY), -1);
	T_EQ(errno, ENOENT);
}

/* On Linux booted straight into this test: a console and /proc, as Weft gives. */
static void linux_setup(void)
{
	struct stat st;
	int fd;

	if (fstat(1, &st) != 0) {
		mkdir("/dev", 0755);
		mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
		fd = open("/dev/console", O_RDWR);
		for (int i = 0; fd >= 0 && i < 3; i++)
			if (fd != i)
				dup2(fd, i);
	}
	if (access("/proc/self/stat", R_OK) != 0) {
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
	}
}

int main(void)
{
	linux_setup();
	check_self_stat();
	check_self_status();
	check_self_link();
	check_system_files();
	check_child_goes();
	T_DONE();
}
