/*
 * t_helper: the program t_proc execs. It checks that execve delivered exactly
 * the argv and envp t_proc passed (including an argument with a space and an
 * empty one) and exits 42 when all is well, or 1 after printing what differed.
 */
#include "t.h"

extern char **environ;

int main(int argc, char **argv)
{
	T_EQ(argc, 4);
	if (argc == 4) {
		T_CHECK(strcmp(argv[0], "t_helper") == 0);
		T_CHECK(strcmp(argv[1], "first") == 0);
		T_CHECK(strcmp(argv[2], "two words") == 0);
		T_CHECK(strcmp(argv[3], "") == 0);
	}
	T_CHECK(environ != NULL && environ[0] && environ[1] && !environ[2]);
	/* both strings, in either order (qemu-user reverses them; Linux does not) */
	if (environ && environ[0] && environ[1]) {
		int a = !strcmp(environ[0], "WEFT_A=1") || !strcmp(environ[1], "WEFT_A=1");
		int b = !strcmp(environ[0], "WEFT_B=two words") ||
			!strcmp(environ[1], "WEFT_B=two words");
		T_CHECK(a && b);
		if (t_is_weft())
			T_CHECK(strcmp(environ[0], "WEFT_A=1") == 0);
	}
	T_CHECK(getenv("WEFT_B") && strcmp(getenv("WEFT_B"), "two words") == 0);
	T_CHECK(getenv("PATH") == NULL);
	exit(t_failures ? 1 : 42);
}
