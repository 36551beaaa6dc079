#!/bin/sh
# tests/bad-input/run.sh: `skiff run` on things that are not programs it can
# run, and on options and arguments it must refuse. Each case must end,
# within the timeout, with a nonzero status (not the timeout's), nothing on
# stdout, and at most 3 lines on stderr, one of which names the problem (a
# case-insensitive pattern per case; the file's name must appear too,
# except where a case says otherwise). A few cases of odd but valid input
# (1.5 MB of arguments, --dir HOST:/, a /proc file packed elsewhere, a
# PT_PHDR that disagrees with its PT_LOAD) must instead run and print what
# Linux prints.
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
cat >"$SRC" <<'EOF'
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
	size_t n = 0;
	for (int i = 1; i < argc; i++)
		n += strlen(argv[i]);
	if (argc > 1)
		printf("%d arguments, %zu bytes\n", argc, n);
	else
		puts("ok");
	return 0;
}
EOF
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
# A script runs (tests/skiff/pack.sh); one whose interpreter is missing
# cannot, as on Linux ("bad interpreter").
printf '#!/nonexistent/sh\necho hello\n' >"$DIR/script"
: >"$DIR/empty"
cp "$DIR/ok" "$DIR/not-executable"
chmod 755 "$DIR/elf32" "$DIR/truncated-header" "$DIR/truncated-body" \
	"$DIR/truncated-ident" "$DIR/aarch64" "$DIR/kernel-address" "$DIR/text" "$DIR/script" "$DIR/empty"
chmod 644 "$DIR/not-executable"
mkdir -p "$DIR/a-directory"
rm -f "$DIR/a-fifo"
mkfifo "$DIR/a-fifo"
rm -f "$DIR/missing"

# judge NAME PATTERN MUSTNAME CMD...: one case: CMD must end as above;
# MUSTNAME (if not empty) must appear in its stderr.
judge() {
	name=$1 pattern=$2 mustname=$3
	shift 3
	out=$DIR/$name.out err=$DIR/$name.err
	timeout -k 5 120 "$@" </dev/null >"$out" 2>"$err"
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
	elif [ -n "$mustname" ] && ! grep -qF "$mustname" "$err"; then
		why="the message does not name $mustname"
	fi
	if [ -z "$why" ]; then
		pass "$name (exit $rc): $(head -n 1 "$err" | cut -c 1-150)"
	else
		fail "$name" "$why (exit $rc)"
		head -n 5 "$err" | cut -c 1-200 | sed 's/^/  | /'
	fi
}

# check NAME FILE PATTERN: `skiff run FILE`, which must name the file.
check() {
	mustname=$(basename "$2")
	[ "$1" = directory ] && mustname=""
	judge "$1" "$3" "$mustname" "$SKIFF" run --accel "$APPS_ACCEL" "$2"
}

check missing "$DIR/missing" 'not found|no such file|does not exist'
check directory "$DIR/a-directory" 'directory'
check empty "$DIR/empty" 'empty|too (short|small)|truncated|not an? .*(elf|executable|program)'
check text "$DIR/text" 'not an? .*(elf|executable|program)|format'
check script "$DIR/script" 'bad interpreter'
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
# A FIFO with no writer: opening it blocked skiff forever (run and build).
check fifo "$DIR/a-fifo" 'not a regular file'
judge fifo-build 'not a regular file' a-fifo "$SKIFF" build -o "$DIR/fifo.img" "$DIR/a-fifo"
check char-device /dev/null 'not a regular file'

# Arguments beyond Linux's execve limit for an 8 MiB stack (2 MiB with
# their pointers): the kernel dropped them and ran the program without.
# skiff itself gets them under a raised stack limit (a quarter of it is the
# host's own limit), then must refuse with E2BIG; 1.5 MB still pass whole.
# args_of N: N arguments of 100000 bytes each, in "$@" of the caller.
arg=$(head -c 100000 /dev/zero | tr '\0' a)
if ulimit -s unlimited 2>/dev/null || ulimit -s 65536 2>/dev/null; then
	set --
	for i in $(seq 30); do set -- "$@" "$arg"; done
	judge args-e2big 'E2BIG' "" "$SKIFF" run --accel "$APPS_ACCEL" "$DIR/ok" "$@"
	set --
	for i in $(seq 15); do set -- "$@" "$arg"; done
	timeout -k 5 120 "$SKIFF" run --accel "$APPS_ACCEL" "$DIR/ok" "$@" </dev/null >"$DIR/args.out" 2>"$DIR/args.err"
	rc=$?
	want="16 arguments, 1500000 bytes"
	if [ "$rc" = 0 ] && [ "$(cat "$DIR/args.out")" = "$want" ]; then
		pass "args-1.5MB: the program gets them all"
	else
		fail args-1.5MB "exit $rc, stdout \"$(head -c 100 "$DIR/args.out")\", want \"$want\""
		head -n 5 "$DIR/args.err" | sed 's/^/  | /'
	fi
	set --
else
	fail args-e2big "cannot raise the stack limit to pass 3 MB to skiff"
fi

# show PATH...: prints "PATH: its first line" or "PATH: missing" for each.
cat >"$DIR/show.c" <<'EOF'
#include <stdio.h>
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char line[200] = "";
		FILE *f = fopen(argv[i], "r");
		if (!f) {
			printf("%s: missing\n", argv[i]);
			continue;
		}
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		printf("%s: %s", argv[i], line);
		fclose(f);
	}
	return 0;
}
EOF
gcc -static -O1 -o "$DIR/show" "$DIR/show.c" || { echo "bad-input: cannot build show"; exit 1; }

# expect NAME WANT SKIFF-ARGS...: skiff run must exit 0 printing WANT.
expect() {
	name=$1 want=$2
	shift 2
	timeout -k 5 120 "$SKIFF" run --accel "$APPS_ACCEL" "$@" </dev/null >"$DIR/$name.out" 2>"$DIR/$name.err"
	rc=$?
	if [ "$rc" = 0 ] && [ "$(cat "$DIR/$name.out")" = "$want" ]; then
		pass "$name"
	else
		fail $name "exit $rc, stdout \"$(head -c 200 "$DIR/$name.out")\", want \"$want\""
		head -n 5 "$DIR/$name.err" | sed 's/^/  | /'
	fi
}

# --dir HOST:/ made an image the kernel could not unpack: it merges into
# the root, except what would land in the kernel's /proc (left out, warned).
rm -rf "$DIR/rootdir"
mkdir -p "$DIR/rootdir/sub" "$DIR/rootdir/proc"
echo top >"$DIR/rootdir/top"
echo sub >"$DIR/rootdir/sub/f"
echo hidden >"$DIR/rootdir/proc/x"
expect dir-at-root "$(printf '/top: top\n/sub/f: sub\n/proc/x: missing')" \
	--dir "$DIR/rootdir:/" "$DIR/show" /top /sub/f /proc/x
# A file in /proc is hidden by the kernel's procfs: refused in one line.
judge file-in-proc 'guest kernel' /proc/x "$SKIFF" run --file "$DIR/rootdir/top:/proc/x" "$DIR/ok"
judge dir-at-proc 'guest kernel' /proc "$SKIFF" run --dir "$DIR/rootdir:/proc" "$DIR/ok"
# /proc/cpuinfo says 0 bytes on stat: packed as read, not empty.
expect proc-file-content "/cpuinfo: $(head -n 1 /proc/cpuinfo)" \
	--file /proc/cpuinfo:/cpuinfo "$DIR/show" /cpuinfo

# --accel kvm on a CPU without vmx/svm: one line, not "QEMU was killed by
# signal 6" (only where the host lacks them: elsewhere KVM may just work).
if ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
	judge kvm-without-virt 'hardware virtualization' "" "$SKIFF" run --accel kvm "$DIR/ok"
fi

# A PT_PHDR that disagrees with the PT_LOAD holding the header table:
# Linux ignores it (AT_PHDR comes from that PT_LOAD); Skiff used it, and
# glibc's static start-up then read its headers from a wrong address.
# A static program's PT_NOTE is turned into such a PT_PHDR (at 0x1000).
cat >"$DIR/phdr.c" <<'EOF'
#include <elf.h>
#include <stdio.h>
#include <sys/auxv.h>
int main(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	printf("AT_PHDR %#lx, AT_PHNUM %lu, types", getauxval(AT_PHDR), getauxval(AT_PHNUM));
	for (unsigned long i = 0; i < getauxval(AT_PHNUM); i++)
		printf(" %u", ph[i].p_type);
	printf("\n");
	return 0;
}
EOF
if gcc -static -O1 -o "$DIR/phdr" "$DIR/phdr.c"; then
	phoff=$(od -An -tu8 -j32 -N8 "$DIR/phdr" | tr -d ' ')
	phnum=$(od -An -tu2 -j56 -N2 "$DIR/phdr" | tr -d ' ')
	i=0 note=""
	while [ "$i" -lt "$phnum" ]; do
		t=$(od -An -tu4 -j$((phoff + 56 * i)) -N4 "$DIR/phdr" | tr -d ' ')
		if [ "$t" = 4 ] && [ -z "$note" ]; then note=$i; fi
		i=$((i + 1))
	done
	if [ -n "$note" ]; then
		at=$((phoff + 56 * note))
		printf '\006\000\000\000' | dd of="$DIR/phdr" bs=1 seek=$at conv=notrunc 2>/dev/null
		printf '\000\020\000\000\000\000\000\000' |
			dd of="$DIR/phdr" bs=1 seek=$((at + 16)) conv=notrunc 2>/dev/null
		want=$("$DIR/phdr")
		expect phdr-disagrees "$want" "$DIR/phdr"
	else
		fail phdr-disagrees "the static program has no PT_NOTE to turn into PT_PHDR"
	fi
else
	fail phdr-disagrees "cannot build the program"
fi

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
