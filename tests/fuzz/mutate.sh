#!/bin/sh
# tests/fuzz/mutate.sh KIND COUNT: feeds COUNT mutated files to skiff run.
#   elf    copies of a static and a dynamic program with bytes changed,
#          mostly in the ELF and program headers (tests/fuzz/mutate.c)
#   image  copies of a Skiff image (skiff build) with bytes changed,
#          mostly in the first cpio headers
# Mutant i is made from seed i, so a run is the same every time and a
# failure names the seed to rerun (the mutant stays in build/fuzz/mutants).
# Every run must end within 20 s with a normal run (any exit status of the
# program, or its death by a signal, which skiff reports in one line) or a
# clear error (exit 126 or 127 and a message on stderr); never a timeout,
# a kernel panic, a dead VM or QEMU (exit 125), skiff itself killed by a
# crash signal (a status of 128 + SIGSEGV etc. without skiff's line saying
# the program was), or a sanitizer report. Prints one line per failure and
# "mutate KIND: N ok, N failed".
cd "$(dirname "$0")/../.." || exit 1
kind=$1 count=${2:-50}
D=build/fuzz/mutants
SKIFF=build/skiff
: "${APPS_ACCEL:=tcg}"
mkdir -p "$D"
gcc -O1 -o build/fuzz/mutate tests/fuzz/mutate.c || exit 1
cat >"$D/prog.c" <<'EOC'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
	char *p = malloc(100);
	snprintf(p, 100, "%d %s", argc, argv[0]);
	puts(p);
	return 0;
}
EOC
gcc -static -O1 -o "$D/static" "$D/prog.c" && gcc -O1 -o "$D/dynamic" "$D/prog.c" || exit 1
case $kind in
elf) bases="static dynamic" hot=1024 ;;
image)
	"$SKIFF" build --format cpio -o "$D/base.img" "$D/static" || exit 1
	bases="base.img" hot=4096 ;;
*) echo "usage: $0 elf|image COUNT"; exit 2 ;;
esac
ok=0
failed=0
i=1
while [ "$i" -le "$count" ]; do
	for b in $bases; do
		m=$D/$kind.$b.$i
		build/fuzz/mutate "$D/$b" "$m" "$i" "$hot" && chmod 755 "$m" || exit 1
		timeout -k 5 20 "$SKIFF" run --no-cwd --accel "$APPS_ACCEL" "$m" </dev/null >"$m.out" 2>"$m.err"
		rc=$?
		why=""
		if [ $rc = 124 ] || [ $rc = 137 ]; then
			why="timed out (a hang)"
		elif grep -q -i "sanitizer" "$m.err"; then
			why="sanitizer report"
		elif [ $rc = 125 ]; then
			why="skiff, QEMU or the kernel failed: $(tail -n 1 "$m.err")"
		elif { [ $rc = 132 ] || [ $rc = 134 ] || [ $rc = 135 ] || [ $rc = 136 ] || [ $rc = 139 ]; } &&
			! grep -q "program killed by" "$m.err"; then
			# A crash signal without skiff's report of the program's
			# death: skiff itself crashed.
			why="skiff died of signal $((rc - 128))"
		elif { [ $rc = 126 ] || [ $rc = 127 ]; } && [ ! -s "$m.err" ]; then
			why="refused without a message"
		fi
		if [ -n "$why" ]; then
			echo "FAIL $kind seed $i ($b): exit $rc: $why"
			failed=$((failed + 1))
		else
			echo "ok   $kind seed $i ($b): exit $rc"
			ok=$((ok + 1))
			rm -f "$m" "$m.out" "$m.err"
		fi
	done
	i=$((i + 1))
done
echo "mutate $kind: $ok ok, $failed failed"
[ "$failed" = 0 ]
