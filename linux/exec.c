/*
 * linux/exec.c: loads the program and starts its main thread, as Linux's
 * execve would: the ELF's PT_LOAD segments at their addresses (a PIE at
 * Linux's base without randomization), the break after them, an 8 MiB stack
 * with argv, envp and the auxiliary vector (System V x86-64 ABI, 3.4.1).
 * Layer: Linux ABI. The loader (exec_prepare, exec_map: linux/exec.h)
 * serves execve (linux/execve.c) and the boot: exec_program, called once
 * at the end of boot on the main thread, loads the program the image
 * names (/.skiff: argv, env, exe, cwd) and jumps to it.
 */
#include <skiff/arch.h>
#include <skiff/elf.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/proto.h>
#include <skiff/time.h>
#include <skiff/vfs.h>
#include <skiff/frame.h>
#include <skiff/linux.h>
#include "exec.h"
#include "lproc.h"

#define PIE_BASE 0x555555554000ul /* ELF_ET_DYN_BASE on x86_64 */
#define STACK_SIZE (8ul << 20)    /* RLIMIT_STACK's default */
_Static_assert(PROTO_ARG_MAX == STACK_SIZE / 4, "Linux: a quarter of RLIMIT_STACK");

enum {
	AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6,
	AT_BASE = 7, AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12,
	AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16,
	AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26,
	AT_EXECFN = 31, AT_MINSIGSTKSZ = 51,
};

static int prot_of(u32 flags)
{
	return ((flags & ELF_PF_R) ? PROT_READ : 0) |
	       ((flags & ELF_PF_W) ? PROT_WRITE : 0) |
	       ((flags & ELF_PF_X) ? PROT_EXEC : 0);
}

/* Reads and checks the ELF and program headers into a kmalloc'd buffer. */
static int read_headers(struct exec_elf *e, const char **why)
{
	u8 ehdr[64];
	u64 size = file_size(e->file);
	long n = file_pread(e->file, ehdr, sizeof(ehdr), 0);

	if (n < 0)
		return n;
	int r = elf_check_ehdr(ehdr, n, size, &e->info, why);
	if (r == -EINVAL) { /* a short read of a longer file */
		*why = "cannot read the ELF header";
		r = -ENOEXEC;
	}
	if (r)
		return r;
	size_t len = (size_t)e->info.phnum * sizeof(struct elf64_phdr);
	e->phdrs = kmalloc(len ? len : 1);
	if (!e->phdrs)
		return -ENOMEM;
	n = file_pread(e->file, e->phdrs, len, e->info.phoff);
	if (n != (long)len) {
		*why = "cannot read the program headers";
		return -ENOEXEC;
	}
	return elf_check_phdrs(e->phdrs, &e->info, size, why);
}

/*
 * Maps each PT_LOAD segment as ld.so would: its file pages as a private
 * file mapping (the file's pages shared until written, so untouched pages
 * cost nothing and read ones no copy),
 * the rest of its memory as anonymous zeros, and zeros over the tail of
 * the last file page when a .bss follows.
 */
static int load_segments(struct exec_elf *img)
{
	struct elf_info *in = &img->info;

	for (unsigned i = 0; i < in->phnum; i++) {
		struct elf64_phdr ph;
		elf_phdr_get(img->phdrs, i, &ph);
		if (ph.p_type != ELF_PT_LOAD || !ph.p_memsz)
			continue;
		u64 va = ph.p_vaddr + img->bias;
		u64 start = ALIGN_DOWN(va, PAGE_SIZE);
		u64 file_end = va + ph.p_filesz, mem_end = va + ph.p_memsz;
		u64 file_pages_end = ALIGN_UP(file_end, PAGE_SIZE);
		int prot = prot_of(ph.p_flags);
		long r;

		if (ph.p_filesz) {
			r = vm_map_file(start, file_pages_end - start, prot, true,
					false, img->file,
					ALIGN_DOWN(ph.p_offset, PAGE_SIZE) / PAGE_SIZE,
					false, false);
			if (r < 0)
				return r;
		} else {
			file_pages_end = start;
		}
		if (ALIGN_UP(mem_end, PAGE_SIZE) > file_pages_end) {
			r = vm_map(file_pages_end, ALIGN_UP(mem_end, PAGE_SIZE) -
				   file_pages_end, prot, true, false);
			if (r < 0)
				return r;
		}
		/* As Linux: zeros from the end of the file data to the end of
		 * its page (ld.so's early malloc relies on it). */
		u64 zero_end = file_pages_end;
		if (ph.p_memsz > ph.p_filesz && zero_end > file_end) {
			if (!(prot & PROT_WRITE))
				vm_protect(start, file_pages_end - start,
					   prot | PROT_WRITE);
			if (uaccess_zero((void *)file_end, zero_end - file_end))
				return -EFAULT;
			if (!(prot & PROT_WRITE))
				vm_protect(start, file_pages_end - start, prot);
		}
	}
	return 0;
}

/* Pushes len bytes below *sp (fault-safe: -EFAULT if a page cannot be
 * had) and stores where they went in *at. */
static int push_bytes(u64 *sp, const void *data, size_t len, u64 *at)
{
	*sp -= len;
	*at = *sp;
	return uaccess_copy((void *)*sp, data, len);
}

/* Stores the addresses of the n strings of buf (copied to at) from *w on. */
static int push_pointers(u64 **w, const char *buf, size_t n, u64 at)
{
	for (size_t i = 0, off = 0; i < n; i++) {
		u64 p = at + off;
		if (uaccess_copy((*w)++, &p, sizeof(p)))
			return -EFAULT;
		off += strlen(buf + off) + 1;
	}
	u64 zero = 0;
	return uaccess_copy((*w)++, &zero, sizeof(zero));
}

size_t exec_count_strings(const char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\0';
	return n;
}

/* Where the strings went on the stack. */
struct stack_strings {
	u64 execfn, platform, random, env, args;
};

/* Strings at the top of the stack: execfn, platform, random bytes, env,
 * args (as today's layout; Linux's has the same pieces). */
static int push_strings(u64 *sp, const struct exec_strings *s,
			const char *execfn, struct stack_strings *at)
{
	u8 rnd[16];

	random_fill(rnd, sizeof(rnd));
	if (push_bytes(sp, execfn, strlen(execfn) + 1, &at->execfn) ||
	    push_bytes(sp, "x86_64", 7, &at->platform) ||
	    push_bytes(sp, rnd, sizeof(rnd), &at->random) ||
	    push_bytes(sp, s->env, s->env_len, &at->env) ||
	    push_bytes(sp, s->args, s->args_len, &at->args))
		return -EFAULT;
	return 0;
}

/* The initial stack: strings at the top, then argc, argv, envp, auxv.
 * The stack pointer in *out; 0 or -ENOMEM/-EFAULT. */
static int build_stack(struct exec_elf *img, u64 base,
		       const struct exec_strings *s, const char *execfn,
		       u64 *out)
{
	long top = vm_map(VM_STACK_TOP - STACK_SIZE, STACK_SIZE,
			  PROT_READ | PROT_WRITE, true, false);
	if (top < 0)
		return top;
	u64 sp = VM_STACK_TOP;
	size_t argc = exec_count_strings(s->args, s->args_len);
	size_t envc = exec_count_strings(s->env, s->env_len);
	struct stack_strings at;
	if (push_strings(&sp, s, execfn, &at))
		return -EFAULT;

	u32 r[4];
	cpuid(1, 0, r);
	u64 auxv[][2] = {
		{ AT_PHDR, img->phdr },
		{ AT_PHENT, sizeof(struct elf64_phdr) },
		{ AT_PHNUM, img->info.phnum },
		{ AT_PAGESZ, PAGE_SIZE },
		{ AT_BASE, base },
		{ AT_FLAGS, 0 },
		{ AT_ENTRY, img->info.entry + img->bias },
		{ AT_UID, 0 }, { AT_EUID, 0 }, { AT_GID, 0 }, { AT_EGID, 0 },
		{ AT_PLATFORM, at.platform },
		{ AT_HWCAP, r[3] },
		{ AT_CLKTCK, 100 },
		{ AT_SECURE, 0 },
		{ AT_RANDOM, at.random },
		{ AT_HWCAP2, cpu_feat.fsgsbase ? 2 : 0 },
		{ AT_EXECFN, at.execfn },
		/* a signal frame: registers, siginfo, XSAVE area, alignment */
		{ AT_MINSIGSTKSZ, ALIGN_UP(1024 + cpu_feat.xsave_size, 16) },
		{ AT_NULL, 0 },
	};

	/* argc, argv[], NULL, envp[], NULL, auxv: 16-byte aligned at argc. */
	size_t words = 1 + argc + 1 + envc + 1 + 2 * ARRAY_SIZE(auxv);
	sp = ALIGN_DOWN(sp - words * 8, 16);
	u64 *w = (u64 *)sp, n = argc;
	if (uaccess_copy(w++, &n, sizeof(n)) ||
	    push_pointers(&w, s->args, argc, at.args) ||
	    push_pointers(&w, s->env, envc, at.env) ||
	    uaccess_copy(w, auxv, sizeof(auxv)))
		return -EFAULT;
	proc_set_auxv(auxv, sizeof(auxv));
	*out = sp;
	return 0;
}

/* Reads f's PT_INTERP path into a new kmalloc'd string. */
static int read_interp_path(struct exec_elf *e, char **path)
{
	*path = kmalloc(e->info.interp_len);
	if (!*path)
		return -ENOMEM;
	if (file_pread(e->file, *path, e->info.interp_len,
		       e->info.interp_off) != (long)e->info.interp_len) {
		kfree(*path);
		return -EIO;
	}
	(*path)[e->info.interp_len - 1] = '\0';
	return 0;
}

int exec_permission(struct file *f)
{
	u32 mode = f->inode->mode;

	if (!S_ISREG(mode))
		return -EACCES;
	return vfs_access(f->inode, X_OK);
}

/* Opens and checks the interpreter named by p->main's PT_INTERP. */
static int prepare_interp(struct exec_prog *p, bool exec_perm, const char **why)
{
	char *path;
	int r = read_interp_path(&p->main, &path);

	if (r)
		return r;
	p->in_interp = true;
	r = vfs_open(path, O_RDONLY, 0, &p->interp.file);
	kfree(path);
	if (r)
		return r;
	if (exec_perm && (r = exec_permission(p->interp.file)))
		return r;
	r = read_headers(&p->interp, why);
	if (!r && p->interp.info.has_interp) {
		*why = "the interpreter has an interpreter";
		r = -ENOEXEC;
	}
	/* execve's errors for a bad interpreter, as Linux's: its header
	 * cannot be read whole, or it is not one. */
	if (r == -ENOEXEC && exec_perm)
		r = file_size(p->interp.file) < sizeof(struct elf64_ehdr) ? -EIO
									   : -ELIBBAD;
	return r;
}

int exec_prepare(struct exec_prog *p, struct file *f, bool exec_perm,
		 const char **why)
{
	memset(p, 0, sizeof(*p));
	p->main.file = f;
	*why = NULL;
	int r = read_headers(&p->main, why);
	if (!r && p->main.info.has_interp)
		r = prepare_interp(p, exec_perm, why);
	return r;
}

void exec_release(struct exec_prog *p)
{
	struct exec_elf *e[] = { &p->main, &p->interp };

	for (unsigned i = 0; i < ARRAY_SIZE(e); i++) {
		if (e[i]->file)
			file_put(e[i]->file);
		kfree(e[i]->phdrs);
		e[i]->file = NULL;
		e[i]->phdrs = NULL;
	}
}

/* Maps one checked ELF: the program (a PIE at PIE_BASE), or the
 * interpreter, placed where the mmap area has room. */
static int map_elf(struct exec_elf *e, bool main)
{
	u64 lo = ALIGN_DOWN(e->info.load_lo, PAGE_SIZE);
	u64 span = ALIGN_UP(e->info.load_hi, PAGE_SIZE) - lo;

	e->bias = 0;
	if (e->info.type == ELF_ET_DYN && main) {
		e->bias = PIE_BASE - lo;
	} else if (e->info.type == ELF_ET_DYN) {
		long at = vm_map(0, span, 0, false, false); /* find room */
		if (at < 0)
			return at;
		e->bias = at - lo;
	}
	e->phdr = e->info.phdr_vaddr + e->bias; /* Linux's AT_PHDR */
	return load_segments(e);
}

int exec_map(struct exec_prog *p, const struct exec_strings *s,
	     const char *execfn, u64 *entry, u64 *sp)
{
	int r = map_elf(&p->main, true);

	if (r)
		return r;
	vm_set_brk_start(p->main.info.load_hi + p->main.bias);
	*entry = p->main.info.entry + p->main.bias;
	u64 base = 0;
	if (p->interp.file) {
		r = map_elf(&p->interp, false);
		if (r)
			return r;
		base = p->interp.bias + ALIGN_DOWN(p->interp.info.load_lo, PAGE_SIZE);
		*entry = p->interp.info.entry + p->interp.bias;
	}
	return build_stack(&p->main, base, s, execfn, sp);
}

/*
 * Reads one of the /.skiff files skiff wrote; empty if absent. One too
 * large to be passed (an image not made by this skiff) stops the boot:
 * never start the program without its arguments.
 */
static char *read_config(const char *name, size_t *len)
{
	char path[64];
	char *buf = NULL;

	str_lcpy(path, PROTO_DIR "/", sizeof(path)); /* no printf at boot */
	str_lcat(path, name, sizeof(path));
	int r = vfs_read_all(path, &buf, len, PROTO_ARG_MAX);
	if (r == -ENOENT) {
		*len = 0;
		return kzalloc(1);
	}
	if (r == -EFBIG)
		kernel_error("%s is larger than %lu bytes, all Linux passes to a "
			     "program with an 8 MiB stack limit (E2BIG)", path,
			     PROTO_ARG_MAX);
	if (r < 0)
		kernel_error("cannot read %s (error %d)", path, -r);
	return buf;
}

/* Linux's E2BIG checks (see PROTO_ARG_MAX) on the strings in buf. */
static size_t check_strings(const char *what, const char *buf, size_t len)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\0')
			continue;
		if (i + 1 - start > PROTO_ARG_STRLEN_MAX)
			kernel_error("%s string %zu is %zu bytes, more than the "
				     "%lu Linux allows (E2BIG)", what, n,
				     i + 1 - start, PROTO_ARG_STRLEN_MAX);
		start = i + 1;
		n++;
	}
	return n;
}

static void check_arg_limits(const char *args, size_t args_len,
			     const char *env, size_t env_len)
{
	size_t argc = check_strings("argument", args, args_len);
	size_t envc = check_strings("environment", env, env_len);
	size_t total = args_len + env_len + (argc + envc) * sizeof(u64);

	if (total > PROTO_ARG_MAX)
		kernel_error("the arguments and environment take %zu bytes, more "
			     "than the %lu Linux passes to a program with an "
			     "8 MiB stack limit (E2BIG)", total, PROTO_ARG_MAX);
}

/* Ensures a buffer of strings ends in NUL. */
static void terminate(char **buf, size_t *len)
{
	if (*len && (*buf)[*len - 1] != '\0') {
		*buf = krealloc(*buf, *len + 1);
		if (*buf)
			(*buf)[(*len)++] = '\0';
	}
}

static void __noreturn load_failed(const char *path, int r, const char *why)
{
	if (why)
		kernel_error("%s: %s", path, why);
	if (r == -ENOENT)
		kernel_error("%s: no such file in the image", path);
	if (r == -ENOMEM)
		kernel_error("%s: out of memory loading it; give the VM more "
			     "memory (-m)", path);
	kernel_error("%s: cannot load it (error %d)", path, -r);
}

/* The program named in the image, with its interpreter, checked. */
static void prepare_boot(const char *exe, struct exec_prog *p)
{
	struct file *f;
	const char *why = NULL;
	char *interp = NULL;
	int r = vfs_open(exe, O_RDONLY, 0, &f);

	if (r)
		load_failed(exe, r, NULL);
	r = exec_prepare(p, f, false, &why);
	if (r && p->in_interp && !read_interp_path(&p->main, &interp))
		load_failed(interp, r, why);
	if (r)
		load_failed(exe, r, why);
}

void exec_program(void)
{
	linux_init();
	size_t exe_len, cwd_len;
	struct exec_strings s;
	char *exe = read_config("exe", &exe_len);
	char *cwd = read_config("cwd", &cwd_len);
	struct exec_prog prog;
	u64 entry, sp;

	s.args = read_config("argv", &s.args_len);
	s.env = read_config("env", &s.env_len);
	if (!s.args || !s.env || !exe || !cwd)
		kernel_error("out of memory reading the program's arguments");
	terminate(&s.args, &s.args_len);
	terminate(&s.env, &s.env_len);
	terminate(&exe, &exe_len);
	terminate(&cwd, &cwd_len);
	if (!s.args || !s.env || !exe || !cwd)
		kernel_error("out of memory reading the program's arguments");
	if (!exe_len)
		kernel_error("the image names no program (%s/exe)", PROTO_DIR);
	check_arg_limits(s.args, s.args_len, s.env, s.env_len);
	if (!s.args_len) { /* no argv: argv[0] is the program's path */
		s.args = exe;
		s.args_len = exe_len;
	}
	if (boot_opts.cwd[0]) { /* cwd=: skiff run -w, a shared directory */
		kfree(cwd);
		cwd = boot_opts.cwd;
		cwd_len = strlen(cwd);
	}
	if (cwd_len > 1 && (vfs_mkdir_p(cwd, 0755) || vfs_chdir(cwd)))
		kernel_error("cannot enter the working directory %s", cwd);

	prepare_boot(exe, &prog);
	const char *execfn = strchr(s.args, '/') ? s.args : exe;
	int r = exec_map(&prog, &s, execfn, &entry, &sp);
	if (r == -ENOMEM)
		kernel_error("out of memory loading the program");
	if (r)
		load_failed(exe, r, NULL);
	exec_release(&prog);
	proc_set_exe(exe);
	proc_set_cmdline(s.args, s.args_len);
	proc_set_environ(s.env, s.env_len);
	boot_mark("program loaded");
	if (boot_opts.verbose) {
		boot_report();
		klog("kernel free memory at start: %lu KiB",
		     (unsigned long)(page_free_count() * (PAGE_SIZE / 1024)));
		klog("boot: %lu us from entry to the program's first instruction "
		     "(TSC %lu kHz)", (unsigned long)(time_monotonic_ns() / 1000),
		     (unsigned long)tsc_rate_khz());
	}
	enter_program(entry, sp, 0x202);
}
