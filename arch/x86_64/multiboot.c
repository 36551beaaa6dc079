/*
 * arch/x86_64/multiboot.c: a boot through GRUB's multiboot2 command (the
 * disks of skiff build --format raw|qcow2). Layer: arch. boot.S's
 * mb2_entry keeps the address of the multiboot2 information (Multiboot2
 * specification, 3.6) in boot_mb2_info; mb2_start_info turns it into the
 * PVH start info the rest of the boot reads (skiff/pvh.h), copying what it
 * needs into the kernel image, since the loader's memory is free RAM once
 * the kernel runs. Only the tags Skiff uses are read: the command line,
 * the first module (the image), the memory map, and the ACPI RSDP copy.
 */
#include <skiff/lib.h>
#include <skiff/paging.h>
#include <skiff/pvh.h>

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_MAX_INFO (1u << 20) /* a larger total size is not believed */

extern u32 boot_mb2_info;

struct mb2_tag {
	u32 type;
	u32 size;
};

struct mb2_module {
	u32 type, size;
	u32 mod_start, mod_end;
	/* the module's command line follows */
};

struct mb2_mmap {
	u32 type, size;
	u32 entry_size, entry_version;
	/* entries of entry_size bytes: base, length, type, reserved */
};
_Static_assert(sizeof(struct mb2_mmap) == 16, "multiboot2 mmap tag header");

static struct pvh_start_info info;
static struct pvh_module module;
static struct pvh_memmap_entry memmap[128];
static char cmdline[1024];
static u8 rsdp[36];

static void read_mmap(const struct mb2_mmap *m)
{
	const u8 *e = (const u8 *)(m + 1), *end = (const u8 *)m + m->size;

	if (m->entry_size < sizeof(struct pvh_memmap_entry))
		return;
	while (e + m->entry_size <= end &&
	       info.memmap_entries < ARRAY_SIZE(memmap)) {
		/* the same layout as PVH's: base, length, type, reserved */
		memcpy(&memmap[info.memmap_entries++], e, sizeof(memmap[0]));
		e += m->entry_size;
	}
	info.memmap_paddr = virt_to_phys(memmap);
}

static void read_tag(const struct mb2_tag *t)
{
	switch (t->type) {
	case MB2_TAG_CMDLINE:
		str_lcpy(cmdline, (const char *)(t + 1),
			 MIN(sizeof(cmdline), t->size - sizeof(*t)));
		info.cmdline_paddr = virt_to_phys(cmdline);
		break;
	case MB2_TAG_MODULE: {
		const struct mb2_module *m = (const void *)t;

		if (info.nr_modules || t->size < sizeof(*m) ||
		    m->mod_end < m->mod_start)
			break;
		module.paddr = m->mod_start;
		module.size = m->mod_end - m->mod_start;
		info.nr_modules = 1;
		info.modlist_paddr = virt_to_phys(&module);
		break;
	}
	case MB2_TAG_MMAP:
		if (t->size >= sizeof(struct mb2_mmap))
			read_mmap((const void *)t);
		break;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		if (!info.rsdp_paddr || t->type == MB2_TAG_ACPI_NEW) {
			memcpy(rsdp, t + 1,
			       MIN(sizeof(rsdp), t->size - sizeof(*t)));
			info.rsdp_paddr = virt_to_phys(rsdp);
		}
		break;
	}
}

/*
 * The start info of a multiboot2 boot, or NULL if boot_mb2_info is not
 * one. Called first thing in kmain, with the early page tables (the first
 * 4 GiB at DIRECT_MAP), before anything allocates memory.
 */
const struct pvh_start_info *mb2_start_info(void)
{
	const u8 *base, *p, *end;
	u32 total;

	if (!boot_mb2_info)
		return NULL;
	base = phys_to_virt(boot_mb2_info);
	total = *(const u32 *)base;
	if (total < 16 || total > MB2_MAX_INFO)
		return NULL;
	info.magic = PVH_MAGIC;
	info.version = 1;
	end = base + total;
	for (p = base + 8; p + sizeof(struct mb2_tag) <= end;) {
		const struct mb2_tag *t = (const void *)p;

		if (t->type == MB2_TAG_END || t->size < sizeof(*t) ||
		    p + t->size > end)
			break;
		read_tag(t);
		p += ALIGN_UP(t->size, 8);
	}
	return &info;
}
