#!/bin/sh
# Runs tests/fuzz/syscalls.c in Skiff with a few seeds, on microvm and q35.
# A run passes when the program prints "survived" and exits 0 within the
# timeout. Prints "fuzz: N passed, N failed" (tests/lib/verdict.sh).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
mkdir -p build/fuzz
if ! gcc -static -O1 -o build/fuzz/syscalls tests/fuzz/syscalls.c; then
	fail "tests/fuzz/syscalls.c" "does not build"
	summary fuzz
	exit 1
fi
for m in microvm q35; do
	for seed in 1 2 3; do
		out=$(timeout -k 5 300 build/skiff run --machine "$m" build/fuzz/syscalls 20000 "$seed" 2>&1)
		rc=$?
		if [ $rc -eq 0 ] && echo "$out" | grep -q survived; then
			pass "fuzz seed $seed $m: $(echo "$out" | grep survived)"
		else
			fail "fuzz seed $seed $m (exit $rc)"
			echo "$out" | tail -20 | sed 's/^/  /'
		fi
	done
done
summary fuzz
