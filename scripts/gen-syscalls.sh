#!/bin/sh
# Writes the x86_64 syscall list as X-macro lines "SYSCALL(nr, name)" from
# the host's kernel headers (Debian's linux-libc-dev, installed with gcc).
# linux/table.c expands it into the syscall table and the table of names.
set -e
hdr=/usr/include/x86_64-linux-gnu/asm/unistd_64.h
[ -f "$hdr" ] || hdr=/usr/include/asm/unistd_64.h
sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$/SYSCALL(\2, \1)/p' "$hdr"
