/*
 * arch/x86_64/smp.c and apboot.S: the application processors' start.
 * The trampoline's page and its parameter block's layout, shared with
 * assembly (smp.c checks the layout).
 */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#define AP_TRAMPOLINE 0x8000	/* the STARTUP IPI's page: vector 0x08 */
#define AP_PML4 0x9000		/* the page table the trampoline loads, and
				 * its PDPT and PD in the next two pages */
#define AP_PARAM_CR3 0
#define AP_PARAM_STACK 8
#define AP_PARAM_ARG 16
#define AP_PARAM_ENTRY 24
#define AP_PARAM_SIZE 32

#ifndef __ASSEMBLY__
#include <skiff/types.h>

/* arch/x86_64/acpi.c: the enabled processors' APIC ids from the ACPI
 * MADT, at most max; 0 without one. */
int acpi_cpus(u32 *ids, int max);

struct ap_param {
	u64 cr3;
	u64 stack;
	u64 arg;
	u64 entry;
};
#endif

#endif
