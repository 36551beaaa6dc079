/*
 * kernel/ksyms.c: address -> function name, for panic backtraces. The table
 * (.ksyms, placed after everything else so it does not move any code) comes
 * from a first link of the kernel; see scripts/gen-ksyms.sh and the Makefile.
 */
#include <skiff/types.h>
#include "ksyms.h"

struct ksym {
	u64 addr;
	u32 name_off;
	u32 pad;
};

extern const u64 ksym_count;
extern const struct ksym ksym_table[];
extern const char ksym_names[];

const char *ksym_lookup(u64 addr, u64 *off)
{
	size_t lo = 0, hi = ksym_count;

	/* The last symbol whose address is <= addr. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ksym_table[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0) {
		*off = addr;
		return "?";
	}
	*off = addr - ksym_table[lo - 1].addr;
	return ksym_names + ksym_table[lo - 1].name_off;
}
