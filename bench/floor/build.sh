#!/bin/sh
# Builds the floor guest (bench/floor/floor.S) into $1, default
# build/bench/floor.elf. Needs only gcc's assembler and ld (no multilib).
set -e
here=$(dirname "$0")
out=${1:-build/bench/floor.elf}
mkdir -p "$(dirname "$out")"
[ "$out" -nt "$here/floor.S" ] && [ "$out" -nt "$here/floor.ld" ] && exit 0
gcc -m32 -c -o "$out.o" "$here/floor.S"
ld -m elf_i386 -nostdlib -T "$here/floor.ld" -o "$out" "$out.o"
rm -f "$out.o"
