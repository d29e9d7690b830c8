/*
 * t_badelf: execve must reject malformed ELF files with the right errno and
 * leave the caller untouched. tools/mkbadelf.py writes the files and a list
 * ("name EXPECTATION") into badelf/ beside this program. Each file is first
 * exec'd in a child, which reports execve's errno as its exit status (100 +
 * errno) after checking its own memory is intact; ok_* files must run and exit
 * 42. On Weft the errno must match exactly, and each bad file is then exec'd
 * by this process itself, which must survive it. Elsewhere (Linux under
 * qemu-user, whose ELF loader is QEMU's) only the ok_* files and ENOENT are
 * checked and the rest are reported.
 */
#include "t.h"

#include <fcntl.h>
#include <sys/wait.h>

static volatile unsigned long canary = 0x5eedf00dcafe1234UL;

struct expect {
	const char *word;
	int code; /* wanted exit status of the child */
};

/* clang-format off */
static const struct expect expects[] = {
	{"EXIT42", 42},
	{"ENOEXEC", 100 + ENOEXEC},
	{"EINVAL", 100 + EINVAL},
	{"ENOMEM", 100 + ENOMEM},
	{"ENOENT", 100 + ENOENT},
};
/* clang-format on */

static int code_of(const char *word)
{
	for (unsigned i = 0; i < sizeof(expects) / sizeof(expects[0]); i++)
		if (strcmp(expects[i].word, word) == 0)
			return expects[i].code;
	return -1;
}

static int intact(const char *heap)
{
	volatile unsigned long local = 0x1122334455667788UL;

	return canary == 0x5eedf00dcafe1234UL && local == 0x1122334455667788UL && heap &&
	       strcmp(heap, "heap survives") == 0;
}

/* Exec path in a child; return its exit status, or 1000 + signal. */
static int exec_in_child(const char *path, const char *heap)
{
	char *argv[] = {(char *)path, NULL};
	char *envp[] = {NULL};
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		execve(path, argv, envp);
		int e = errno;
		_exit(intact(heap) ? 100 + e : 99);
	}
	if (wait4(pid, &st, 0, NULL) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
}

static size_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return 0;
	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	return n;
}

static void check_one(const char *dir, const char *name, const char *word, int weft,
		      const char *heap)
{
	char path[512];
	int want = code_of(word), got;

	snprintf(path, sizeof(path), "%s%s", dir, name);
	T_CHECK(want >= 0);
	got = exec_in_child(path, heap);
	if (got != want)
		out_say("  %s: got %s %d, want %d (%s)%s\n", name, got >= 1000 ? "signal" : "exit",
		      got >= 1000 ? got - 1000 : got, want, word,
		      weft || want == 42 ? "" : " [not checked off Weft]");
	if (weft || want == 42) {
		T_EQ(got, want);
	}
	/* On Weft, a failing execve must not harm its caller: try it right here. */
	if (weft && want != 42 && got == want) {
		char *argv[] = {path, NULL};
		char *envp[] = {NULL};
		T_EQ(execve(path, argv, envp), -1);
		T_EQ(errno, want - 100);
		T_CHECK(intact(heap));
	}
}

int main(int argc, char **argv)
{
	static char list[8192];
	char dir[256], listpath[300];
	char *heap = malloc(64);
	int weft = t_is_weft(), n = 0;

	(void)argc;
	strcpy(heap, "heap survives");
	t_dirname(argv[0], dir, sizeof(dir));
	strncat(dir, "badelf/", sizeof(dir) - strlen(dir) - 1);
	snprintf(listpath, sizeof(listpath), "%slist", dir);
	T_CHECK(read_file(listpath, list, sizeof(list)) > 0);
	for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = 0;
		check_one(dir, line, sp + 1, weft, heap);
		n++;
	}
	T_CHECK(n >= 20);
	out_say("  %d ELF files checked%s\n", n, weft ? "" : " (errnos reported only)");
	check_one(dir, "does_not_exist", "ENOENT", 1, heap);
	T_CHECK(intact(heap));
	T_DONE();
}
