/*
 * lib/elf.c: the checks an ELF file passes before Skiff runs it. Shared by
 * the kernel's loader and the host tool (see skiff/elf.h for the interface),
 * so it uses only the helpers of skiff/lib.h and no floating point.
 * Every field read from the file is untrusted: all arithmetic on offsets and
 * sizes is checked for overflow before it is compared.
 */
#include <skiff/elf.h>
#include <skiff/errno.h>
#include <skiff/lib.h>

#define ELF_EHDR_SIZE 64
#define ELF_PHDR_SIZE 56
#define ELF_PAGE 4096
/* Segments end below the top of the lower canonical half. */
#define ELF_USER_TOP 0x0000800000000000ull

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -ENOEXEC;
}

/* A reason that carries a segment number, formatted into info->why_buf. */
static int fail_seg(struct elf_info *info, const char **why, unsigned i,
		    const char *fmt)
{
	fmt_snprintf(info->why_buf, sizeof(info->why_buf), fmt, i);
	return fail(why, info->why_buf);
}

/* True when [off, off + len) lies inside a file of file_size bytes. */
static bool in_file(u64 off, u64 len, u64 file_size)
{
	return off <= file_size && len <= file_size - off;
}

static const char *machine_name(u16 machine)
{
	switch (machine) {
	case 3: return "i386";
	case 8: return "MIPS";
	case 20: return "PowerPC";
	case 21: return "PowerPC 64";
	case 22: return "s390";
	case 40: return "ARM";
	case 183: return "aarch64";
	case 243: return "RISC-V";
	case 258: return "LoongArch";
	default: return NULL;
	}
}

static int check_ident(const u8 *id, u64 file_size, const char **why)
{
	if (memcmp(id, ELF_MAG, 4) != 0)
		return fail(why, "not an ELF file");
	if (file_size < ELF_EHDR_SIZE)
		return fail(why, "truncated ELF: incomplete header");
	if (id[ELF_EI_CLASS] == ELF_CLASS32)
		return fail(why, "32-bit ELF, Skiff runs x86_64 programs");
	if (id[ELF_EI_CLASS] != ELF_CLASS64)
		return fail(why, "corrupt ELF: unknown class");
	if (id[ELF_EI_DATA] == ELF_DATA2MSB)
		return fail(why, "big-endian ELF, Skiff runs x86_64 programs");
	if (id[ELF_EI_DATA] != ELF_DATA2LSB)
		return fail(why, "corrupt ELF: unknown byte order");
	if (id[ELF_EI_VERSION] != 1)
		return fail(why, "corrupt ELF: unknown version");
	return 0;
}

static int check_machine_type(const struct elf64_ehdr *eh,
			      struct elf_info *out, const char **why)
{
	if (eh->e_machine != ELF_EM_X86_64) {
		const char *name = machine_name(eh->e_machine);

		if (name)
			fmt_snprintf(out->why_buf, sizeof(out->why_buf),
				     "ELF for %s, Skiff runs x86_64 programs",
				     name);
		else
			fmt_snprintf(out->why_buf, sizeof(out->why_buf),
				     "ELF for another machine (%u), Skiff runs x86_64 programs",
				     eh->e_machine);
		return fail(why, out->why_buf);
	}
	switch (eh->e_type) {
	case ELF_ET_EXEC:
	case ELF_ET_DYN:
		return 0;
	case ELF_ET_REL:
		return fail(why, "an object file (.o), not a program");
	case ELF_ET_CORE:
		return fail(why, "a core dump, not a program");
	default:
		return fail(why, "corrupt ELF: unknown file type");
	}
}

int elf_check_ehdr(const void *hdr, size_t len, u64 file_size,
		   struct elf_info *out, const char **why)
{
	struct elf64_ehdr eh;
	int err;

	memset(out, 0, sizeof(*out));
	if (len > file_size)
		return -EINVAL;
	if (len < 4 || memcmp(hdr, ELF_MAG, 4) != 0)
		return fail(why, "not an ELF file");
	if (len < ELF_EHDR_SIZE && file_size > len)
		return -EINVAL;
	if (len < ELF_EHDR_SIZE)
		return fail(why, "truncated ELF: incomplete header");
	memcpy(&eh, hdr, sizeof(eh));
	err = check_ident(eh.e_ident, file_size, why);
	if (!err)
		err = check_machine_type(&eh, out, why);
	if (err)
		return err;

	if (eh.e_phentsize != ELF_PHDR_SIZE)
		return fail(why, "corrupt ELF: wrong program header size");
	if (eh.e_phnum == 0)
		return fail(why, "corrupt ELF: no program headers");
	if ((u64)eh.e_phnum * ELF_PHDR_SIZE > ELF_MAX_PHDR_BYTES)
		return fail(why, "corrupt ELF: too many program headers");
	if (!in_file(eh.e_phoff, (u64)eh.e_phnum * ELF_PHDR_SIZE, file_size))
		return fail(why, "truncated ELF: program headers extend past end of file");

	out->type = eh.e_type;
	out->entry = eh.e_entry;
	out->phoff = eh.e_phoff;
	out->phnum = eh.e_phnum;
	return 0;
}

void elf_phdr_get(const void *phdrs, unsigned i, struct elf64_phdr *ph)
{
	memcpy(ph, (const u8 *)phdrs + (size_t)i * ELF_PHDR_SIZE, sizeof(*ph));
}

static bool is_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

/* One PT_LOAD on its own; prev_end is the end of the previous one. */
static int check_load(const struct elf64_phdr *ph, unsigned i, u64 prev_end,
		      u64 file_size, struct elf_info *info, const char **why)
{
	if (!in_file(ph->p_offset, ph->p_filesz, file_size))
		return fail_seg(info, why, i,
				"truncated ELF: segment %u extends past end of file");
	if (ph->p_filesz > ph->p_memsz)
		return fail_seg(info, why, i,
				"corrupt ELF: segment %u is larger in the file than in memory");
	if (ph->p_vaddr >= ELF_USER_TOP ||
	    ph->p_memsz > ELF_USER_TOP - ph->p_vaddr)
		return fail_seg(info, why, i,
				"corrupt ELF: segment %u lies outside the program's address range");
	if (ph->p_align > 1 && (!is_pow2(ph->p_align) ||
				(ph->p_vaddr - ph->p_offset) % ph->p_align))
		return fail_seg(info, why, i,
				"corrupt ELF: segment %u has a bad alignment");
	if (ph->p_filesz && (ph->p_vaddr - ph->p_offset) % ELF_PAGE)
		return fail_seg(info, why, i,
				"corrupt ELF: segment %u is not page-aligned with its file offset");
	if (ph->p_vaddr < prev_end)
		return fail_seg(info, why, i,
				"corrupt ELF: segment %u overlaps or precedes the one before");
	return 0;
}

static int check_interp(const struct elf64_phdr *ph, u64 file_size,
			struct elf_info *info, const char **why)
{
	if (info->has_interp)
		return fail(why, "corrupt ELF: more than one interpreter");
	if (!in_file(ph->p_offset, ph->p_filesz, file_size))
		return fail(why, "truncated ELF: interpreter path extends past end of file");
	if (ph->p_filesz < 2 || ph->p_filesz > ELF_MAX_INTERP)
		return fail(why, "corrupt ELF: bad interpreter path length");
	info->has_interp = true;
	info->interp_off = ph->p_offset;
	info->interp_len = ph->p_filesz;
	return 0;
}

/*
 * Where the loaded image holds the header table, as Linux computes AT_PHDR
 * (fs/binfmt_elf.c since 5.18): from the last PT_LOAD whose file bytes
 * hold the table's first byte; PT_PHDR is not consulted (a PT_PHDR that
 * disagrees is ignored). 0 when no segment holds it (then AT_PHDR is the
 * load bias alone, as there).
 */
static u64 find_phdr_vaddr(const void *phdrs, const struct elf_info *info)
{
	struct elf64_phdr ph;
	u64 found = 0;

	for (unsigned i = 0; i < info->phnum; i++) {
		elf_phdr_get(phdrs, i, &ph);
		if (ph.p_type == ELF_PT_LOAD && ph.p_offset <= info->phoff &&
		    info->phoff - ph.p_offset < ph.p_filesz)
			found = ph.p_vaddr + (info->phoff - ph.p_offset);
	}
	return found;
}

int elf_check_phdrs(const void *phdrs, struct elf_info *info, u64 file_size,
		    const char **why)
{
	struct elf64_phdr ph;
	bool any_load = false, entry_ok = false;
	u64 prev_end = 0;
	int err = 0;

	for (unsigned i = 0; i < info->phnum && !err; i++) {
		elf_phdr_get(phdrs, i, &ph);
		if (ph.p_type == ELF_PT_INTERP)
			err = check_interp(&ph, file_size, info, why);
		if (ph.p_type != ELF_PT_LOAD)
			continue;
		err = check_load(&ph, i, prev_end, file_size, info, why);
		if (!any_load)
			info->load_lo = ph.p_vaddr;
		any_load = true;
		prev_end = ph.p_vaddr + ph.p_memsz;
		info->load_hi = prev_end;
		if (info->entry >= ph.p_vaddr && info->entry < prev_end)
			entry_ok = true;
	}
	if (err)
		return err;
	if (!any_load)
		return fail(why, "corrupt ELF: no loadable segment");
	if (!entry_ok)
		return fail(why, "corrupt ELF: entry point outside the loadable segments");
	info->phdr_vaddr = find_phdr_vaddr(phdrs, info);
	return 0;
}

int elf_check(const void *file, size_t len, u64 file_size,
	      struct elf_info *out, const char **why)
{
	int err = elf_check_ehdr(file, len, file_size, out, why);

	if (err)
		return err;
	if (!in_file(out->phoff, (u64)out->phnum * ELF_PHDR_SIZE, len))
		return -EINVAL;
	return elf_check_phdrs((const u8 *)file + out->phoff, out, file_size,
			       why);
}
