/* mm/init.c: memory at boot, from the PVH memory map. */
#ifndef MM_INIT_H
#define MM_INIT_H

#include <skiff/types.h>

struct pvh_start_info;

/* Sets up the page allocator and the final page table; the initrd's
 * pages stay reserved. Once, on the boot CPU. */
void mm_init(const struct pvh_start_info *si, paddr_t initrd, u64 initrd_len);

#endif
