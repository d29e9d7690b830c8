/*
 * hello: the first program a new kernel runs. Built three ways from this one
 * source (musl ET_EXEC, musl static-PIE, glibc ET_EXEC), it checks what the ELF
 * loader and the initial stack must provide: argc/argv/envp as passed by the
 * runner, the auxiliary vector (page size, AT_RANDOM, program headers, entry),
 * and that write(2) to the console reports every byte written.
 */
#include "t.h"

#include <elf.h>
#include <link.h>
#include <sys/auxv.h>

extern char **environ;

static void check_args(int argc, char **argv, char **envp)
{
	T_CHECK(argc >= 1);
	T_CHECK(argv[0] != NULL && argv[0][0] != 0);
	T_CHECK(argv[argc] == NULL);
	T_CHECK(envp == environ);
	/* envp sits right after argv's terminating NULL on the initial stack. */
	T_CHECK(envp == argv + argc + 1);
	/* The runner (and the qemu-user check script) pass PATH=/bin. */
	int saw_path = 0;
	for (char **e = envp; *e; e++)
		saw_path |= strcmp(*e, "PATH=/bin") == 0;
	T_CHECK(saw_path);
	/* The manifest runs "hello_* alpha beta": argument passing end to end. */
	T_EQ(argc, 3);
	if (argc == 3) {
		T_CHECK(strcmp(argv[1], "alpha") == 0);
		T_CHECK(strcmp(argv[2], "beta") == 0);
	}
}

static void check_auxv(void)
{
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
	unsigned long phnum = getauxval(AT_PHNUM);
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	int loads = 0;

	T_EQ(getauxval(AT_PAGESZ), 4096);
	T_CHECK(rnd != NULL);
	T_CHECK(getauxval(AT_ENTRY) != 0);
	T_EQ(getauxval(AT_PHENT), sizeof(ElfW(Phdr)));
	T_CHECK(ph != NULL);
	T_CHECK(phnum > 0 && phnum < 64);
	if (!ph || phnum == 0 || phnum >= 64)
		return;
	for (unsigned long i = 0; i < phnum; i++) {
		if (ph[i].p_type == PT_LOAD)
			loads++;
	}
	T_CHECK(loads >= 1);
	if (rnd) {
		/* 16 random bytes: all-zero would mean nobody filled them. */
		int nz = 0;
		for (int i = 0; i < 16; i++)
			nz |= rnd[i];
		T_CHECK(nz != 0);
	}
}

int main(int argc, char **argv, char **envp)
{
	static const char msg[] = "hello from " T_NAME "\n";

	T_EQ(write(1, msg, sizeof(msg) - 1), sizeof(msg) - 1);
	check_args(argc, argv, envp);
	check_auxv();
	T_DONE();
}
