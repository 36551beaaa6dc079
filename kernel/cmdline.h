/* kernel/cmdline.c: fills boot_opts (skiff/kernel.h) from the command line. */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

void cmdline_parse(const char *s);
/* Overwrites the api_token= value in s with 'x's once parsed: the token
 * lives on in boot_opts only. */
void cmdline_scrub(char *s);

#endif
