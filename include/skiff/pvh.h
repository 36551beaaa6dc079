/*
 * The PVH boot ABI's start-of-day structures (Xen's hvm_start_info, as
 * QEMU's -kernel fills it for an ELF with a PHYS32_ENTRY note). Layer:
 * arch (arch/x86_64/boot.S enters with its address); the init sequence
 * (kernel/main.c) reads the memory map, command line and initrd from it.
 */
#ifndef SKIFF_PVH_H
#define SKIFF_PVH_H

#include <skiff/types.h>

#define PVH_MAGIC 0x336ec578
#define PVH_MEMMAP_RAM 1

struct pvh_start_info {
	u32 magic;
	u32 version;
	u32 flags;
	u32 nr_modules;
	u64 modlist_paddr;
	u64 cmdline_paddr;
	u64 rsdp_paddr;
	u64 memmap_paddr; /* version >= 1 */
	u32 memmap_entries;
	u32 reserved;
};

struct pvh_module {
	u64 paddr;
	u64 size;
	u64 cmdline_paddr;
	u64 reserved;
};

struct pvh_memmap_entry {
	u64 addr;
	u64 size;
	u32 type;
	u32 reserved;
};

/* Layouts fixed by the PVH ABI (what QEMU writes). */
_Static_assert(sizeof(struct pvh_start_info) == 56 &&
		       offsetof(struct pvh_start_info, modlist_paddr) == 16 &&
		       offsetof(struct pvh_start_info, memmap_paddr) == 40,
	       "struct pvh_start_info must match the PVH ABI");
_Static_assert(sizeof(struct pvh_module) == 32,
	       "struct pvh_module must match the PVH ABI");
_Static_assert(sizeof(struct pvh_memmap_entry) == 24,
	       "struct pvh_memmap_entry must match the PVH ABI");

/* A boot through multiboot2 (arch/x86_64/multiboot.c): the start info
 * made from the loader's information, or NULL if the boot was PVH's. */
const struct pvh_start_info *mb2_start_info(void);

#endif
