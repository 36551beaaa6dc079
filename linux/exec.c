/*
 * linux/exec.c: loads the program and starts its main thread, as Linux's
 * execve would: the ELF's PT_LOAD segments at their addresses (a PIE at
 * Linux's base without randomization), the break after them, an 8 MiB stack
 * with argv, envp and the auxiliary vector (System V x86-64 ABI, 3.4.1).
 * Layer: Linux ABI. Called once, at the end of boot, on the main thread.
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

struct image {
	struct elf_info info;
	u64 bias;     /* added to every p_vaddr */
	u64 phdr;     /* address of the loaded program headers */
};

static int prot_of(u32 flags)
{
	return ((flags & ELF_PF_R) ? PROT_READ : 0) |
	       ((flags & ELF_PF_W) ? PROT_WRITE : 0) |
	       ((flags & ELF_PF_X) ? PROT_EXEC : 0);
}

/* Reads and checks the ELF and program headers into a kmalloc'd buffer. */
static int read_headers(struct file *f, struct image *img, u8 **phdrs,
			const char **why)
{
	u8 ehdr[64];
	u64 size = file_size(f);
	long n = file_pread(f, ehdr, sizeof(ehdr), 0);

	if (n < 0)
		return n;
	int r = elf_check_ehdr(ehdr, n, size, &img->info, why);
	if (r)
		return r;
	size_t len = (size_t)img->info.phnum * sizeof(struct elf64_phdr);
	*phdrs = kmalloc(len ? len : 1);
	if (!*phdrs)
		return -ENOMEM;
	n = file_pread(f, *phdrs, len, img->info.phoff);
	if (n != (long)len) {
		*why = "cannot read the program headers";
		return -ENOEXEC;
	}
	return elf_check_phdrs(*phdrs, &img->info, size, why);
}

/*
 * Maps each PT_LOAD segment as ld.so would: its file pages as a private
 * file mapping (copied on first touch, so untouched pages cost nothing),
 * the rest of its memory as anonymous zeros, and zeros over the tail of
 * the last file page when a .bss follows.
 */
static int load_segments(struct file *f, struct image *img, const u8 *phdrs)
{
	struct elf_info *in = &img->info;

	for (unsigned i = 0; i < in->phnum; i++) {
		struct elf64_phdr ph;
		elf_phdr_get(phdrs, i, &ph);
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
					false, f, ALIGN_DOWN(ph.p_offset, PAGE_SIZE) /
						  PAGE_SIZE, false, false);
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
			memset((void *)file_end, 0, zero_end - file_end);
			if (!(prot & PROT_WRITE))
				vm_protect(start, file_pages_end - start, prot);
		}
	}
	return 0;
}

/* Pushes len bytes below *sp and returns where they went. */
static u64 push_bytes(u64 *sp, const void *data, size_t len)
{
	*sp -= len;
	memcpy((void *)*sp, data, len);
	return *sp;
}

/* Splits a buffer of NUL-terminated strings into a pointer array. */
static size_t count_strings(const char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\0';
	return n;
}

static u64 build_stack(struct image *img, u64 base, const char *args,
		       size_t args_len,
		       const char *env, size_t env_len, const char *execfn)
{
	long top = vm_map(VM_STACK_TOP - STACK_SIZE, STACK_SIZE,
			  PROT_READ | PROT_WRITE, true, false);
	if (top < 0)
		return 0;
	u64 sp = VM_STACK_TOP;
	size_t argc = count_strings(args, args_len);
	size_t envc = count_strings(env, env_len);

	/* Strings at the top: execfn, platform, random bytes, env, args. */
	u64 fn = push_bytes(&sp, execfn, strlen(execfn) + 1);
	u64 platform = push_bytes(&sp, "x86_64", 7);
	u8 rnd[16];
	random_fill(rnd, sizeof(rnd));
	u64 random = push_bytes(&sp, rnd, sizeof(rnd));
	u64 env_at = push_bytes(&sp, env, env_len);
	u64 args_at = push_bytes(&sp, args, args_len);

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
		{ AT_PLATFORM, platform },
		{ AT_HWCAP, r[3] },
		{ AT_CLKTCK, 100 },
		{ AT_SECURE, 0 },
		{ AT_RANDOM, random },
		{ AT_HWCAP2, cpu_feat.fsgsbase ? 2 : 0 },
		{ AT_EXECFN, fn },
		/* a signal frame: registers, siginfo, XSAVE area, alignment */
		{ AT_MINSIGSTKSZ, ALIGN_UP(1024 + cpu_feat.xsave_size, 16) },
		{ AT_NULL, 0 },
	};

	/* argc, argv[], NULL, envp[], NULL, auxv: 16-byte aligned at argc. */
	size_t words = 1 + argc + 1 + envc + 1 + 2 * ARRAY_SIZE(auxv);
	sp = ALIGN_DOWN(sp - words * 8, 16);
	u64 *w = (u64 *)sp;
	*w++ = argc;
	for (size_t i = 0; i < argc; i++) {
		*w++ = args_at;
		args_at += strlen((char *)args_at) + 1;
	}
	*w++ = 0;
	for (size_t i = 0; i < envc; i++) {
		*w++ = env_at;
		env_at += strlen((char *)env_at) + 1;
	}
	*w++ = 0;
	memcpy(w, auxv, sizeof(auxv));
	proc_set_auxv(auxv, sizeof(auxv));
	return sp;
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

/*
 * Opens, checks and loads one ELF. main: the program (a PIE at PIE_BASE);
 * else the interpreter, placed where the mmap area has room. On success
 * *interp is the kmalloc'd PT_INTERP path (main only), or NULL.
 */
static int load_elf(const char *path, bool main, struct image *img,
		    char **interp, const char **why)
{
	struct file *f;
	u8 *phdrs = NULL;
	int r = vfs_open(path, 0, 0, &f);

	*why = NULL;
	if (interp)
		*interp = NULL;
	if (r)
		return r;
	r = read_headers(f, img, &phdrs, why);
	if (r)
		goto out;
	if (img->info.has_interp && !main) {
		*why = "the interpreter has an interpreter";
		r = -ENOEXEC;
		goto out;
	}
	if (img->info.has_interp) {
		*interp = kmalloc(img->info.interp_len);
		if (!*interp) {
			r = -ENOMEM;
			goto out;
		}
		if (file_pread(f, *interp, img->info.interp_len,
			       img->info.interp_off) != (long)img->info.interp_len) {
			r = -EIO;
			goto out;
		}
		(*interp)[img->info.interp_len - 1] = '\0';
	}
	u64 lo = ALIGN_DOWN(img->info.load_lo, PAGE_SIZE);
	u64 span = ALIGN_UP(img->info.load_hi, PAGE_SIZE) - lo;
	if (img->info.type == ELF_ET_DYN && main) {
		img->bias = PIE_BASE - lo;
	} else if (img->info.type == ELF_ET_DYN) {
		long at = vm_map(0, span, 0, false, false); /* find room */
		if (at < 0) {
			r = at;
			goto out;
		}
		img->bias = at - lo;
	}
	img->phdr = img->info.phdr_vaddr + img->bias; /* Linux's AT_PHDR */
	r = load_segments(f, img, phdrs);
out:
	file_put(f);
	kfree(phdrs);
	return r;
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

void exec_program(void)
{
	linux_init();
	size_t args_len, env_len, exe_len, cwd_len;
	char *args = read_config("argv", &args_len);
	char *env = read_config("env", &env_len);
	char *exe = read_config("exe", &exe_len);
	char *cwd = read_config("cwd", &cwd_len);
	const char *why = NULL;
	struct image img = { 0 }, interp_img = { 0 };
	char *interp = NULL;

	if (!args || !env || !exe || !cwd)
		kernel_error("out of memory reading the program's arguments");
	terminate(&args, &args_len);
	terminate(&env, &env_len);
	terminate(&exe, &exe_len);
	terminate(&cwd, &cwd_len);
	if (!args || !env || !exe || !cwd)
		kernel_error("out of memory reading the program's arguments");
	if (!exe_len)
		kernel_error("the image names no program (%s/exe)", PROTO_DIR);
	check_arg_limits(args, args_len, env, env_len);
	if (!args_len) { /* no argv: argv[0] is the program's path */
		args = exe;
		args_len = exe_len;
	}
	if (cwd_len > 1 && (vfs_mkdir_p(cwd, 0755) || vfs_chdir(cwd)))
		kernel_error("cannot enter the working directory %s", cwd);

	int r = load_elf(exe, true, &img, &interp, &why);
	if (r)
		load_failed(exe, r, why);
	vm_set_brk_start(img.info.load_hi + img.bias);
	u64 entry = img.info.entry + img.bias, base = 0;
	if (interp) {
		r = load_elf(interp, false, &interp_img, NULL, &why);
		if (r)
			load_failed(interp, r, why);
		base = interp_img.bias + ALIGN_DOWN(interp_img.info.load_lo, PAGE_SIZE);
		entry = interp_img.info.entry + interp_img.bias;
		kfree(interp);
	}

	const char *execfn = strchr(args, '/') ? args : exe;
	u64 sp = build_stack(&img, base, args, args_len, env, env_len, execfn);
	if (!sp)
		kernel_error("out of memory for the program's stack");
	proc_set_exe(exe);
	proc_set_cmdline(args, args_len);
	proc_set_environ(env, env_len);
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
