/*
 * ELF64 file structures and the checks every program passes before it runs.
 * lib/elf.c, built for the kernel (linux/exec.c) and for the host tool
 * (tools/skiff), so both reject the same files with the same words.
 *
 * Interface: read the first bytes of the file and call elf_check_ehdr(); read
 * info.phnum program headers at info.phoff and call elf_check_phdrs(). With
 * the whole file in memory, elf_check() does both. Read a header of the table
 * with elf_phdr_get() (the table may be misaligned in the buffer).
 * Field names and constants follow the System V ABI (gABI) and its x86-64
 * supplement; the structures are ours, <elf.h> is not used.
 */
#ifndef SKIFF_ELF_H
#define SKIFF_ELF_H

#include <skiff/types.h>

#define ELF_MAG "\177ELF"
#define ELF_EI_CLASS 4
#define ELF_EI_DATA 5
#define ELF_EI_VERSION 6
#define ELF_CLASS32 1
#define ELF_CLASS64 2
#define ELF_DATA2LSB 1
#define ELF_DATA2MSB 2

#define ELF_ET_REL 1
#define ELF_ET_EXEC 2
#define ELF_ET_DYN 3
#define ELF_ET_CORE 4
#define ELF_EM_X86_64 62

#define ELF_PT_LOAD 1
#define ELF_PT_DYNAMIC 2
#define ELF_PT_INTERP 3
#define ELF_PT_PHDR 6
#define ELF_PT_TLS 7
#define ELF_PT_GNU_STACK 0x6474e551

#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_PF_R 4

/* Largest program header table accepted, in bytes (Linux has the same cap). */
#define ELF_MAX_PHDR_BYTES 65536
/* Longest PT_INTERP accepted, including its NUL. */
#define ELF_MAX_INTERP 4096

struct elf64_ehdr {
	u8 e_ident[16];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u64 e_entry;
	u64 e_phoff;
	u64 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
};

struct elf64_phdr {
	u32 p_type;
	u32 p_flags;
	u64 p_offset;
	u64 p_vaddr;
	u64 p_paddr;
	u64 p_filesz;
	u64 p_memsz;
	u64 p_align;
};

/* What the checks learned; valid only after they return 0. */
struct elf_info {
	u16 type;	     /* ELF_ET_EXEC, or ELF_ET_DYN (PIE, static-PIE) */
	u64 entry;	     /* e_entry, unrelocated */
	u64 phoff;	     /* file offset of the program header table */
	u16 phnum;	     /* number of program headers */
	u64 load_lo;	     /* lowest p_vaddr of the PT_LOAD segments */
	u64 load_hi;	     /* highest p_vaddr + p_memsz of them */
	u64 phdr_vaddr;	     /* address of the header table once loaded, 0: none */
	bool has_interp;     /* PT_INTERP present: a dynamically linked program */
	u64 interp_off;	     /* file offset of the interpreter path */
	u64 interp_len;	     /* its length in bytes, including the NUL */
	char why_buf[96];    /* backing store for a formatted *why */
};

/*
 * Checks the ELF header. hdr holds the file's first len bytes, file_size is
 * the whole file's size. Fills out->type, entry, phoff, phnum.
 * Returns 0; -ENOEXEC with *why a short English reason ("not an ELF file",
 * "32-bit ELF, Skiff runs x86_64 programs", "truncated ELF: ..."); or
 * -EINVAL if len < 64 while the file is longer (the caller must pass more).
 * Pure function, any context.
 */
int elf_check_ehdr(const void *hdr, size_t len, u64 file_size,
		   struct elf_info *out, const char **why);

/*
 * Checks the program header table (info->phnum entries of 56 bytes, read from
 * info->phoff) after a successful elf_check_ehdr(): every PT_LOAD's file range
 * inside the file, file size <= memory size, alignment a power of two with
 * p_vaddr and p_offset congruent, ascending and non-overlapping, the entry
 * point inside one, at most one PT_INTERP inside the file. Fills the rest of
 * *info. Returns 0 or -ENOEXEC with *why (e.g. "truncated ELF: segment 2
 * extends past end of file"; segments count from 0).
 */
int elf_check_phdrs(const void *phdrs, struct elf_info *info, u64 file_size,
		    const char **why);

/*
 * Both checks on a buffer holding the file's first len bytes, which must
 * include the program header table: -EINVAL if it does not (a truncated file
 * is -ENOEXEC, not -EINVAL). Same returns as above.
 */
int elf_check(const void *file, size_t len, u64 file_size,
	      struct elf_info *out, const char **why);

/* Copies program header i of a table checked above into *ph. */
void elf_phdr_get(const void *phdrs, unsigned i, struct elf64_phdr *ph);

#endif
