/* kernel/boottrace.c: boot step timestamps, reported with --verbose. */
#ifndef KERNEL_BOOTTRACE_H
#define KERNEL_BOOTTRACE_H

/* Records that the boot reached step what (a string constant). */
void boot_mark(const char *what);
/* Logs every step with its time since the PVH entry. */
void boot_report(void);

#endif
