#!/bin/sh
# tests/bad-input/run.sh: `skiff run` on things that are not programs it can
# run. Each case must end, within the timeout, with a nonzero status (not
# the timeout's), nothing on stdout, and at most 3 lines on stderr, one of
# which names the problem (a case-insensitive pattern per case; the file's
# name must appear too, except for the directory case where it may not).
#
#   tests/bad-input/run.sh     prints one line per case, then
#                              "bad-input: N passed, N failed"
# The inputs are made in build/bad-input/ from a static test program.
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
DIR=$ROOT/build/bad-input
SKIFF=$ROOT/build/skiff
: "${APPS_ACCEL:=tcg}"
mkdir -p "$DIR"
. tests/lib/verdict.sh

# A small static program to cut up; also a valid control case.
SRC=$DIR/ok.c
printf '#include <stdio.h>\nint main(void) { puts("ok"); return 0; }\n' >"$SRC"
gcc -static -O1 -o "$DIR/ok" "$SRC" || { fail "cannot build a test program"; summary bad-input; exit 1; }

# 32-bit: gcc -m32 if gcc-multilib is there, else a hand-made ELF32 header
# (e_ident ELFCLASS32, ELFDATA2LSB, EV_CURRENT; ET_EXEC, EM_386).
if ! gcc -m32 -static -O1 -o "$DIR/elf32" "$SRC" 2>/dev/null; then
	{
		printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000'
		printf '\002\000\003\000\001\000\000\000\124\200\004\010\064\000\000\000'
		printf '\000\000\000\000\000\000\000\000\064\000\040\000\001\000\000\000'
		printf '\000\000'
		head -c 200 /dev/zero
	} >"$DIR/elf32"
fi
head -c 64 "$DIR/ok" >"$DIR/truncated-header"
head -c 5000 "$DIR/ok" >"$DIR/truncated-body"
head -c 10 "$DIR/ok" >"$DIR/truncated-ident"
cp "$DIR/ok" "$DIR/aarch64"
# e_machine (offset 18, little endian) = 183, EM_AARCH64
printf '\267\000' | dd of="$DIR/aarch64" bs=1 seek=18 conv=notrunc 2>/dev/null
# The first program header (at e_phoff 64 in gcc's output) is a PT_LOAD;
# its p_vaddr (at +16) moved into the kernel's half, 0xffffffff80000000.
cp "$DIR/ok" "$DIR/kernel-address"
printf '\000\000\000\200\377\377\377\377' |
	dd of="$DIR/kernel-address" bs=1 seek=80 conv=notrunc 2>/dev/null
printf 'this is a text file\nnot a program\n' >"$DIR/text"
printf '#!/bin/sh\necho hello\n' >"$DIR/script"
: >"$DIR/empty"
cp "$DIR/ok" "$DIR/not-executable"
chmod 755 "$DIR/elf32" "$DIR/truncated-header" "$DIR/truncated-body" \
	"$DIR/truncated-ident" "$DIR/aarch64" "$DIR/kernel-address" "$DIR/text" "$DIR/script" "$DIR/empty"
chmod 644 "$DIR/not-executable"
mkdir -p "$DIR/a-directory"
rm -f "$DIR/missing"

# check NAME FILE PATTERN: one case.
check() {
	name=$1 file=$2 pattern=$3
	out=$DIR/$name.out err=$DIR/$name.err
	timeout -k 5 120 "$SKIFF" run --accel "$APPS_ACCEL" "$file" </dev/null >"$out" 2>"$err"
	rc=$?
	lines=$(wc -l <"$err")
	why=""
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		why="timed out"
	elif [ "$rc" = 0 ]; then
		why="exit status 0"
	elif [ -s "$out" ]; then
		why="printed on stdout"
	elif [ "$lines" -lt 1 ] || [ "$lines" -gt 3 ]; then
		why="$lines lines on stderr, expected 1 to 3"
	elif ! grep -qiE "$pattern" "$err"; then
		why="no line matches /$pattern/"
	elif [ "$name" != directory ] && ! grep -qF "$(basename "$file")" "$err"; then
		why="the message does not name the file"
	fi
	if [ -z "$why" ]; then
		pass "$name (exit $rc): $(head -n 1 "$err" | cut -c 1-150)"
	else
		fail "$name" "$why (exit $rc)"
		head -n 5 "$err" | cut -c 1-200 | sed 's/^/  | /'
	fi
}

check missing "$DIR/missing" 'not found|no such file|does not exist'
check directory "$DIR/a-directory" 'directory'
check empty "$DIR/empty" 'empty|too (short|small)|truncated|not an? .*(elf|executable|program)'
check text "$DIR/text" 'not an? .*(elf|executable|program)|format'
check script "$DIR/script" 'script|interpreter|not an? .*(elf|executable|program)'
check truncated-ident "$DIR/truncated-ident" 'truncated|too (short|small)|incomplete|end of file'
check truncated-header "$DIR/truncated-header" 'truncated|too (short|small)|incomplete|end of file|past the end|beyond'
check truncated-body "$DIR/truncated-body" 'truncated|too (short|small)|incomplete|end of file|past the end|beyond'
check elf32 "$DIR/elf32" '32-bit|elfclass32|not (a )?64|x86[-_]64'
check aarch64 "$DIR/aarch64" 'machine|architecture|aarch64|arm|x86[-_]64'
if [ "$(od -An -tu4 -j64 -N4 "$DIR/ok" | tr -d ' ')" = 1 ]; then
	check kernel-address "$DIR/kernel-address" 'address|outside|range'
else
	fail kernel-address "gcc's first program header is not PT_LOAD; fix the test"
fi
check not-executable "$DIR/not-executable" 'permission|not executable|execute'

# The control: the intact program runs and prints "ok".
timeout -k 5 120 "$SKIFF" run --accel "$APPS_ACCEL" "$DIR/ok" </dev/null >"$DIR/ok.out" 2>"$DIR/ok.err"
rc=$?
if [ "$rc" = 0 ] && [ "$(cat "$DIR/ok.out")" = ok ]; then
	pass "control: the intact program runs"
else
	fail control "the intact program: exit $rc, stdout \"$(head -c 100 "$DIR/ok.out")\""
	head -n 5 "$DIR/ok.err" | sed 's/^/  | /'
fi

summary bad-input
