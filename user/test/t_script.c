/*
 * t_script: execve of "#!" scripts. The interpreter gets its optional argument
 * as one word, then the script's path, then the caller's arguments; a script
 * may name another script as its interpreter (up to the nesting limit); a
 * missing interpreter is ENOENT and a "#!" line with no interpreter ENOEXEC.
 * The interpreter here is t_script itself in "echo" mode (its first argument
 * starts with "echo"), which prints its arguments. qemu-user runs scripts with
 * its own loader (other splitting, no nesting), so the exact checks are Weft's,
 * which follow the Linux kernel's rules (execve(2)).
 */
#include "t.h"
#include <fcntl.h>
#include <sys/wait.h>

static void put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	T_CHECK(fd >= 0);
	T_EQ(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Run path with argv through a pipe; its output in out. */
static int run(const char *path, char *const argv[], char *out, size_t max)
{
	int p[2], st;
	T_EQ(pipe(p), 0);
	pid_t c = fork();
	if (c == 0) {
		dup2(p[1], 1);
		execv(path, argv);
		_exit(100 + errno);
	}
	close(p[1]);
	size_t n = 0;
	ssize_t r;
	while (n < max - 1 && (r = read(p[0], out + n, max - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = 0;
	close(p[0]);
	waitpid(c, &st, 0);
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	char out[512], self[64];

	if (argc > 1 && !strncmp(argv[1], "echo", 4)) {
		for (int i = 1; i < argc; i++)
			printf("[%s]", argv[i]);
		printf("\n");
		return 0;
	}
	/* Our own path: the interpreter of the scripts below. */
	strcpy(self, argv[0][0] == '/' ? argv[0] : "/test/t_script");
	char text[256];
	snprintf(text, sizeof(text), "#!%s echo   one arg  \nignored\n", self);
	put_file("s1.sh", text);
	char *a1[] = { "s1.sh", "x", "y", NULL };
	T_EQ(run("./s1.sh", a1, out, sizeof(out)), 0);
	if (t_is_weft())
		T_EQ(strcmp(out, "[echo   one arg][./s1.sh][x][y]\n"), 0);
	else
		T_CHECK(strstr(out, "[./s1.sh][x][y]\n") != NULL);

	put_file("s2.sh", "#!./s1.sh\n");
	char *a2[] = { "s2.sh", "z", NULL };
	if (t_is_weft()) {
		T_EQ(run("./s2.sh", a2, out, sizeof(out)), 0);
		T_EQ(strcmp(out, "[echo   one arg][./s1.sh][./s2.sh][z]\n"), 0);
	} else {
		T_SKIP("qemu-user's loader does not nest interpreters");
	}

	put_file("s3.sh", "#!/no/such/interpreter\n");
	char *a3[] = { "s3.sh", NULL };
	T_EQ(run("./s3.sh", a3, out, sizeof(out)), 100 + ENOENT);

	put_file("s4.sh", "#!   \n");
	T_EQ(run("./s4.sh", a3, out, sizeof(out)), 100 + ENOEXEC);

	unlink("s1.sh");
	unlink("s2.sh");
	unlink("s3.sh");
	unlink("s4.sh");
	T_DONE();
}
