#!/bin/sh
# tests/skiff/kernel_wx.sh: the kernel image is mapped W^X (issue 8, item 9):
# a program's stray store into kernel text, the syscall table or their
# direct-map aliases, or a jump into kernel data or the direct map, kills
# the program with SIGSEGV (exit 139) and skiff's one-line report, instead
# of corrupting the kernel silently (before: getpid returned 4242).
#
# Skiff-only, not differential: a Linux program cannot reach kernel memory
# at all, and here it runs in ring 0 and may read it by design (docs/
# linux-compat.md): so the addresses come from build/kernel.elf's symbols.
#   tests/skiff/kernel_wx.sh   one line per case, then "kernel-wx: N passed, N failed"
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
SKIFF=build/skiff
ELF=build/kernel.elf
BIN=build/tests/kernel_poke
: "${APPS_ACCEL:=tcg}"
mkdir -p build/tests
if ! gcc -static -O1 -Wall -Werror -o "$BIN" tests/skiff/kernel_poke.c; then
	fail "tests/skiff/kernel_poke.c" "does not build"
	summary kernel-wx
	exit 1
fi

sym() { nm "$ELF" | awk -v n="$1" -v t="$2" '$3 == n && $2 == t { print $1; exit }'; }
# The shell's arithmetic is signed 64-bit: compute on the low 32 bits of
# the image's addresses (KERNEL_BASE = 0xffffffff80000000, 1 GiB at most).
low() { echo $((0x$(echo "$1" | sed 's/^ffffffff//'))); }
# The direct-map alias of a kernel image address (DIRECT_MAP + physical).
alias_of() { printf 'ffff8000%08x' $(($(low "$1") - 0x80000000)); }

TABLE=$(sym table r)   # linux/table.c's syscall table (rodata)
TEXT=$(sym sys_getpid T)
DATA=$(sym boot_tables d) # arch/x86_64/cpu.c's boot CPU's GDT and TSS (data)
if [ -z "$TABLE" ] || [ -z "$TEXT" ] || [ -z "$DATA" ]; then
	fail "kernel symbols" "not found in $ELF"
	summary kernel-wx
	exit 1
fi
GETPID_SLOT=$(printf 'ffffffff%08x' $(($(low "$TABLE") + 39 * 8)))

# check NAME WANT_RC WANT_OUT MODE ADDR
check() {
	out=$(timeout -k 5 60 "$SKIFF" run --accel "$APPS_ACCEL" "$BIN" "$4" "$5" 2>build/tests/kernel_wx.err)
	rc=$?
	if [ "$rc" = "$2" ] && [ "$out" = "$3" ]; then
		if [ "$2" = 139 ] && ! grep -q "SIGSEGV.*$5" build/tests/kernel_wx.err; then
			fail "$1" "no one-line report naming the address"
			sed 's/^/  | /' build/tests/kernel_wx.err
			return
		fi
		pass "$1"
	else
		fail "$1" "exit $rc (want $2), output '$out' (want '$3')"
		sed 's/^/  | /' build/tests/kernel_wx.err | head -n 5
	fi
}

check "reading kernel rodata works (ring 0, by design)" 0 "read ok" read "$TABLE"
check "store into kernel text" 139 "" write "$TEXT"
check "store into the syscall table" 139 "" write "$TABLE"
check "getpid slot of the syscall table overwritten" 139 "" getpid "$GETPID_SLOT"
check "store into text through the direct map" 139 "" write "$(alias_of "$TEXT")"
check "store into the syscall table through the direct map" 139 "" write "$(alias_of "$TABLE")"
check "call into kernel data" 139 "" exec "$DATA"
check "call into the direct map" 139 "" exec "$(alias_of "$TEXT")"
summary kernel-wx
