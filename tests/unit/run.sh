#!/bin/sh
# Builds and runs every tests/unit/test_*.c on the host under ASan and UBSan.
# A test's first line names the kernel sources it needs:
#   /* SOURCES: lib/printf.c lib/strconv.c */
# Prints one line per test program and ends with "unit: N passed, N failed"
# counting the cmocka test cases (tests/lib/verdict.sh).
#   tests/unit/run.sh [NAME...]   all tests, or only test_NAME.c (NAME with
#                                 or without its test_ prefix)
cd "$(dirname "$0")/../.." || exit 1
out=build/unit
mkdir -p "$out"
cflags="-std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -Iinclude -Itests/unit -D_GNU_SOURCE -DSKIFF_HOST_TEST"
. tests/lib/verdict.sh
list=$(if [ $# -gt 0 ]; then
	for n in "$@"; do
		n=$(basename "$n" .c)
		echo "tests/unit/test_${n#test_}.c"
	done
else
	ls tests/unit/test_*.c
fi)
for t in $list; do
	name=$(basename "$t" .c)
	if [ ! -f "$t" ]; then
		fail "$name" "no $t"
		continue
	fi
	srcs=$(head -n 1 "$t" | sed -n 's,^/\* SOURCES:\(.*\)\*/.*$,\1,p')
	if ! gcc $cflags -o "$out/$name" "$t" tests/unit/shim.c $srcs -lcmocka \
		>"$out/$name.build.log" 2>&1; then
		fail "$name (build)"; sed 's/^/  /' "$out/$name.build.log" | head -30
		continue
	fi
	log="$out/$name.log"
	CMOCKA_MESSAGE_OUTPUT=stdout timeout 120 "$out/$name" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^\[       OK \]' "$log")
	# cmocka lists each failed case twice (inline and in the summary).
	f=$(grep -E '^\[  FAILED  \] [a-z_0-9]+$' "$log" | sort -u | wc -l)
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	passed "$p"
	failed "$f" "$name"
	if [ "$rc" -eq 0 ]; then echo "ok   $name ($p cases)"; else
		echo "FAIL $name"; grep -v '^\[ \(RUN\|       OK\) ' "$log" | head -40 | sed 's/^/  /'; fi
done
summary unit
