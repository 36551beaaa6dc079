#!/bin/sh
# Writes the kernel symbol table (assembly for the .ksyms section) from the
# function symbols of a first link of the kernel, or an empty table when no
# ELF is given. kernel/ksyms.c reads it to symbolize backtraces.
set -e
echo '	.section .ksyms, "a"'
echo '	.p2align 3'
echo '	.globl ksym_count, ksym_table, ksym_names'
if [ -z "$1" ]; then
	echo 'ksym_count: .quad 0'
	echo 'ksym_table:'
	echo 'ksym_names: .byte 0'
	exit 0
fi
nm -n --defined-only "$1" | awk '
	NF == 3 && $2 ~ /^[tTwW]$/ { addr[n] = $1; name[n] = $3; n++ }
	END {
		printf "ksym_count: .quad %d\nksym_table:\n", n
		off = 0
		for (i = 0; i < n; i++) {
			printf "\t.quad 0x%s\n\t.long %d, 0\n", addr[i], off
			off += length(name[i]) + 1
		}
		printf "ksym_names:\n"
		for (i = 0; i < n; i++)
			printf "\t.asciz \"%s\"\n", name[i]
	}'
