/*
 * execve for static ELF64 executables (ET_EXEC, and static-PIE ET_DYN placed at
 * LX_PIE_BASE). The new image is built in a fresh address space while the old
 * one stays intact: any failure (a malformed file, no memory) returns an error
 * to the unchanged caller. Only when the image and its initial stack are
 * complete does the process switch spaces.
 *
 * The file being executed (and a script's, while its interpreter loads) may
 * not be open for writing (-ETXTBSY); the running image keeps writes to its
 * file denied until the process execs again or exits (lx_exe_set).
 *
 * The initial stack follows the Linux ABI: argc, argv[], NULL, envp[], NULL,
 * auxv pairs ending in AT_NULL, then the strings and the 16 AT_RANDOM bytes
 * above them; sp is 16-byte aligned.
 */
#include <linux/lx.h>
#include <lib/elf.h>
#include <core/elf_load.h>
#include <lib/string.h>
#include <fs/devfs.h>
#include <core/slab.h>
#include <core/klog.h>

#define LX_STACK_SIZE (8UL << 20)
#define LX_STACK_TOP  HAL_USER_TOP
#define LX_PIE_BASE   0x2000000000UL
#define HDR_MAX       4096
BUILD_ASSERT(HDR_MAX >= PAGE_SIZE); /* elf_load_segments' bounce buffer */

#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_BASE 7
#define AT_FLAGS 8
#define AT_ENTRY 9
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_HWCAP 16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define AT_EXECFN 31
/* Letters of the ISA the user programs may use: rv64imafdc. */
#define HWCAP_RV64GC ((1UL << ('i' - 'a')) | (1UL << ('m' - 'a')) | (1UL << ('a' - 'a')) | \
		      (1UL << ('f' - 'a')) | (1UL << ('d' - 'a')) | (1UL << ('c' - 'a')))

static long vnode_src_read(void *ctx, uint64_t off, void *buf, size_t n)
{
	return vfs_read_kernel(ctx, off, buf, n);
}

/*
 * elf_source.map for a file: where the segment's pages line up with the
 * file's (vaddr and offset agree modulo the page size) and the file system
 * lends its pages, they are mapped from the file, privately: read-only ones
 * stay the file's pages, written ones are copied on write. The page where the
 * file bytes end is left to the loader (copied) when zeros (bss) must follow
 * them, as is everything after it.
 */
static int vnode_src_map(void *ctx, struct vm_space *vm, const struct elf_seg *s, uint64_t bias,
			 uaddr_t start, uaddr_t end, unsigned prot, uaddr_t *filled)
{
	struct vnode *vn = ctx;
	uaddr_t va = bias + s->vaddr, file_end = va + s->filesz, fend = start, at = start;

	if (vn->ops->getpage && (va & (PAGE_SIZE - 1)) == (s->offset & (PAGE_SIZE - 1))) {
		fend = s->memsz > s->filesz ? PAGE_ROUND_DOWN(file_end) : PAGE_ROUND_UP(file_end);
		fend = fend > end ? end : fend < start ? start : fend;
	}
	*filled = fend;
	if (fend == start)
		return 0;
	return vm_map_pager(vm, &at, fend - start, prot, VM_FIXED, &lx_vnode_pager, vn,
			    s->offset + start - va);
}

/* Map and fill every PT_LOAD (core/elf_load.c); Linux allows W+X segments. */
static int load_segments(struct vm_space *vm, struct vnode *vn, const struct elf_info *ei,
			 uint64_t bias, char *buf)
{
	const struct elf_source src = {.ctx = vn, .read = vnode_src_read, .map = vnode_src_map};

	return elf_load_segments(vm, ei, bias, &src, 0, buf);
}

struct stack_img {
	char *buf;		/* kernel copy of the top of the new stack */
	size_t size;
	uaddr_t base;		/* user address of buf[0] */
	size_t strpos;		/* strings are packed downward from the end */
};

static uaddr_t push_bytes(struct stack_img *si, const void *p, size_t n)
{
	si->strpos -= n;
	memcpy(si->buf + si->strpos, p, n);
	return si->base + si->strpos;
}

/* Lay out argc/argv/envp/auxv and the strings; returns the initial sp. */
static int build_stack(struct vm_space *vm, const char *path, char *const *argv, int argc,
		       char *const *envp, int envc, const uint64_t *aux, int naux, uaddr_t *sp)
{
	size_t strs = strlen(path) + 1 + 16, nptr, total;
	struct stack_img si;
	uint64_t *v;
	int err, k = 0;

	for (int i = 0; i < argc; i++)
		strs += strlen(argv[i]) + 1;
	for (int i = 0; i < envc; i++)
		strs += strlen(envp[i]) + 1;
	nptr = 1 + (size_t)argc + 1 + (size_t)envc + 1 + (size_t)naux + 4;
	total = PAGE_ROUND_UP(strs + nptr * 8 + 64);
	if (total > LX_STACK_SIZE / 2)
		return -E2BIG;
	si.buf = kzalloc(total);
	if (!si.buf)
		return -ENOMEM;
	si.size = total;
	si.base = LX_STACK_TOP - total;
	si.strpos = total;

	uint64_t rnd[2];
	devfs_random_bytes(rnd, sizeof(rnd));
	uaddr_t u_random = push_bytes(&si, rnd, 16);
	uaddr_t u_execfn = push_bytes(&si, path, strlen(path) + 1);
	/* Not on the stack: argv may hold thousands of strings. */
	uaddr_t *u_argv = kmalloc((size_t)(argc + envc + 2) * sizeof(uaddr_t));
	uaddr_t *u_envp = u_argv + argc + 1;
	if (!u_argv) {
		kfree(si.buf);
		return -ENOMEM;
	}
	for (int i = argc - 1; i >= 0; i--)
		u_argv[i] = push_bytes(&si, argv[i], strlen(argv[i]) + 1);
	for (int i = envc - 1; i >= 0; i--)
		u_envp[i] = push_bytes(&si, envp[i], strlen(envp[i]) + 1);

	size_t vpos = (si.strpos - (nptr + 2) * 8) & ~15UL;
	v = (uint64_t *)(si.buf + vpos);
	v[k++] = (uint64_t)argc;
	for (int i = 0; i < argc; i++)
		v[k++] = u_argv[i];
	v[k++] = 0;
	for (int i = 0; i < envc; i++)
		v[k++] = u_envp[i];
	v[k++] = 0;
	for (int i = 0; i < naux; i += 2) {
		v[k++] = aux[i];
		v[k++] = aux[i] == AT_RANDOM ? u_random : aux[i] == AT_EXECFN ? u_execfn : aux[i + 1];
	}
	*sp = si.base + vpos;
	err = vm_write(vm, si.base + vpos, si.buf + vpos, total - vpos);
	kfree(u_argv);
	kfree(si.buf);
	return err;
}

#define SCRIPT 1	/* read_header: the file starts with #! */
#define SCRIPT_DEPTH 4	/* interpreters of interpreters, as Linux allows */

static long exec_depth(struct thread *t, const char *path, char *const *argv, int argc,
		       char *const *envp, int envc, int depth);

/* May vn be executed? Then deny writes to it while it is (Linux checks the
 * permission first): 0, -EACCES, or -ETXTBSY if it is open for writing. */
static int open_image(struct vnode *vn)
{
	if (vn->type != VREG || !(vn->mode & 0111))
		return -EACCES;	/* not a file, or no one may execute it */
	return vnode_deny_write(vn);
}

static int read_header(struct vnode *vn, char *buf, struct elf_info *ei)
{
	long n = vfs_read_kernel(vn, 0, buf, HDR_MAX - 1);

	if (n < 0)
		return (int)n;
	if (n >= 2 && buf[0] == '#' && buf[1] == '!') {
		buf[n] = 0;
		return SCRIPT;
	}
	return elf_check(buf, (size_t)n, vn->size, HAL_USER_TOP, ei);
}

/*
 * Run a #! script: the interpreter gets [interp, optional argument, script
 * path, argv[1..]]; the text after the interpreter's name is one argument.
 */
static long exec_script(struct thread *t, char *line, const char *path, char *const *argv,
			int argc, char *const *envp, int envc, int depth)
{
	char *interp, *arg = NULL, *end = strchr(line + 2, '\n');
	char **nargv;
	int n = 0;
	long err;

	if (!end)
		return -ENOEXEC;	/* the first line must end within the header */
	*end = 0;
	for (interp = line + 2; *interp == ' ' || *interp == '\t'; interp++)
		;
	if (!*interp)
		return -ENOEXEC;
	for (char *p = interp; *p; p++)
		if (*p == ' ' || *p == '\t') {
			*p++ = 0;
			while (*p == ' ' || *p == '\t')
				p++;
			arg = *p ? p : NULL;
			break;
		}
	if (arg)	/* trailing blanks are not part of the argument */
		for (char *q = arg + strlen(arg); q > arg && (q[-1] == ' ' || q[-1] == '\t');)
			*--q = 0;
	nargv = kmalloc((size_t)(argc + 3) * sizeof(char *));
	if (!nargv)
		return -ENOMEM;
	nargv[n++] = interp;
	if (arg)
		nargv[n++] = arg;
	nargv[n++] = (char *)path;
	for (int i = 1; i < argc; i++)
		nargv[n++] = argv[i];
	err = exec_depth(t, interp, nargv, n, envp, envc, depth + 1);
	kfree(nargv);
	return err;
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

static void commit(struct thread *t, struct vm_space *vm, const char *path, uaddr_t entry,
		   uaddr_t sp, char *const *argv, int argc)
{
	struct proc *p = t->proc;
	struct vm_space *old;

	spin_lock(&p->lock); /* /proc readers take p->vm's reference under it */
	old = p->vm;
	p->vm = vm;
	spin_unlock(&p->lock);
	t->vm = vm;
	/* Load the new table only on t's own CPU. An execve run by the fs
	 * service (its file is on a disk fs) runs on a worker, which holds a
	 * reference to the table it has loaded, the old one: loading the new
	 * one there without a reference left the worker's CPU on a table that
	 * t's exit could free (a hang at -smp 4, the CPU fetching kernel code
	 * through a reused page). The worker switches at its next request. */
	if (current() == t)
		vm_activate(vm);
	vm_put(old);
	strlcpy(p->name, base_name(path), sizeof(p->name));
	proc_set_image(p, path, argv, argc);
	lx_files_close_on_exec(p);
	hal_tf_init_user(&t->tf, entry, sp);
	proc_vfork_release(p);
	lx_signals_exec(p);
	t->lx->ss_sp = t->lx->ss_size = 0;
	memset(&t->fp, 0, sizeof(t->fp));
	t->fp_cpu = -1;
}

static long exec_depth(struct thread *t, const char *path, char *const *argv, int argc,
		       char *const *envp, int envc, int depth)
{
	struct lx_proc *lp = lx_of(t->proc);
	struct vm_space *vm = NULL;
	struct vnode *vn = NULL;
	struct elf_info ei = { 0 };
	uaddr_t sp, heap = 0;
	uint64_t bias;
	struct vnode *cwd;
	bool denied = false;	/* vnode_deny_write(vn) done */
	char *buf;
	int err;

	buf = kmalloc(HDR_MAX);
	if (!buf)
		return -ENOMEM;
	cwd = lx_cwd_get(lp);
	err = depth > SCRIPT_DEPTH ? -ELOOP : vfs_lookup(lp->fs->root, cwd, path, VFS_LOOKUP_FOLLOW, &vn);
	vnode_put(cwd);
	if (!err)
		err = open_image(vn);
	if (err)
		goto out;
	denied = true;
	err = read_header(vn, buf, &ei);
	if (err == SCRIPT) {	/* the script stays unwritable while its interpreter loads */
		err = (int)exec_script(t, buf, path, argv, argc, envp, envc, depth);
		goto out;
	}
	if (err)
		goto out;
	bias = ei.type == ET_DYN ? LX_PIE_BASE - ei.lo : 0;
	err = -ENOMEM;
	vm = vm_create();
	if (!vm)
		goto out;
	err = load_segments(vm, vn, &ei, bias, buf);
	if (err)
		goto out;
	uaddr_t stack = LX_STACK_TOP - LX_STACK_SIZE;
	err = vm_map(vm, &stack, LX_STACK_SIZE, VM_R | VM_W, VM_FIXED | VM_STACK);
	if (err)
		goto out;
	uint64_t aux[] = {
		AT_PHDR, ei.phdr_vaddr ? bias + ei.phdr_vaddr : 0, AT_PHENT, sizeof(struct elf64_phdr),
		AT_PHNUM, ei.phnum, AT_PAGESZ, PAGE_SIZE, AT_BASE, 0, AT_FLAGS, 0,
		AT_ENTRY, bias + ei.entry, AT_UID, 0, AT_EUID, 0, AT_GID, 0, AT_EGID, 0,
		AT_HWCAP, HWCAP_RV64GC, AT_CLKTCK, 100, AT_SECURE, 0, AT_RANDOM, 0,
		AT_EXECFN, 0, AT_NULL, 0,
	};
	err = build_stack(vm, path, argv, argc, envp, envc, aux,
			  (int)(sizeof(aux) / sizeof(aux[0])), &sp);
	if (err)
		goto out;
	err = lx_map_sigtramp(vm);
	if (err)
		goto out;
	heap = PAGE_ROUND_UP(bias + ei.hi);
	vm_set_brk_base(vm, heap);
	commit(t, vm, path, bias + ei.entry, sp, argv, argc);
	lx_exe_set(t->proc, vn);	/* takes over the deny and the reference */
	vm = NULL;
	vn = NULL;
out:
	if (vm)
		vm_put(vm);
	if (denied && vn)
		vnode_allow_write(vn);
	vnode_put(vn);
	kfree(buf);
	return err;
}

long lx_execve(struct thread *t, const char *path, char *const *argv, int argc,
	       char *const *envp, int envc)
{
	/* A table shared with another process (CLONE_FILES) stops being
	 * shared: close-on-exec must not close the other's descriptors. */
	int err = lx_files_unshare(t->proc);

	return err ? err : exec_depth(t, path, argv, argc, envp, envc, 0);
}
