/* kernel/cmdline.c: fills boot_opts (skiff/kernel.h) from the command line. */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

void cmdline_parse(const char *s);

#endif
