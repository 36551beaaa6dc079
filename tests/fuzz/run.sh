#!/bin/sh
# tests/fuzz/run.sh: garbage in, never a panic or a hang. Three parts:
#   1. tests/fuzz/syscalls.c in Skiff with a few seeds, on microvm and q35
#      (mode "safe": the fuzzer never blocks its own timer signal); a run
#      passes when the program prints "survived" and exits 0 in time;
#   2. tests/fuzz/mutate.sh elf: mutated copies of static and dynamic
#      programs fed to skiff run;
#   3. tests/fuzz/mutate.sh image: corrupted Skiff images fed to skiff run.
# FUZZ_LONG=1 runs the long version (docs/testing.md): more seeds, 500 ELF
# files, 200 images. Prints "fuzz: N passed, N failed" (tests/lib/verdict.sh).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
mkdir -p build/fuzz
if ! gcc -static -O1 -o build/fuzz/syscalls tests/fuzz/syscalls.c; then
	fail "tests/fuzz/syscalls.c" "does not build"
	summary fuzz
	exit 1
fi
: "${APPS_ACCEL:=tcg}"
if [ -n "$FUZZ_LONG" ]; then
	seeds=$(seq 1 40) elf=500 images=200
else
	seeds="1 2 3" elf=40 images=30
fi
for m in microvm q35; do
	for seed in $seeds; do
		# --no-cwd: random syscalls must not reach this directory on
		# the host through the shared current directory.
		out=$(timeout -k 5 300 build/skiff run --no-cwd --accel "$APPS_ACCEL" --machine "$m" \
			build/fuzz/syscalls 20000 "$seed" safe </dev/null 2>&1)
		rc=$?
		if [ $rc -eq 0 ] && echo "$out" | grep -q survived; then
			pass "fuzz seed $seed $m: $(echo "$out" | grep survived)"
		else
			fail "fuzz seed $seed $m (exit $rc)"
			echo "$out" | tail -20 | sed 's/^/  /'
		fi
	done
done
for kind in elf image; do
	count=$elf
	[ $kind = image ] && count=$images
	out=$(tests/fuzz/mutate.sh "$kind" "$count" 2>&1)
	echo "$out" | grep -v '^ok ' | grep -v '^mutate' | sed 's/^/  /'
	sum=$(echo "$out" | grep -E "^mutate $kind: [0-9]+ ok, [0-9]+ failed$" | tail -n 1)
	if [ -n "$sum" ] && echo "$sum" | grep -q ' 0 failed$'; then
		pass "$sum"
	else
		fail "mutate $kind" "${sum:-no summary}"
	fi
done
summary fuzz
