#!/bin/sh
# Runs tests/fuzz/syscalls.c in Skiff with a few seeds, on microvm and q35.
# A run passes when the program prints "survived" and exits 0 within the
# timeout. Prints "fuzz: N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
mkdir -p build/fuzz
gcc -static -O1 -o build/fuzz/syscalls tests/fuzz/syscalls.c || exit 1
pass=0
fail=0
for m in microvm q35; do
	for seed in 1 2 3; do
		out=$(timeout -k 5 300 build/skiff run --machine "$m" build/fuzz/syscalls 20000 "$seed" 2>&1)
		rc=$?
		if [ $rc -eq 0 ] && echo "$out" | grep -q survived; then
			echo "ok   fuzz seed $seed $m: $(echo "$out" | grep survived)"
			pass=$((pass + 1))
		else
			echo "FAIL fuzz seed $seed $m (exit $rc)"
			echo "$out" | tail -20 | sed 's/^/  /'
			fail=$((fail + 1))
		fi
	done
done
echo "fuzz: $pass passed, $fail failed"
[ $fail -eq 0 ]
