#!/bin/sh
# tests/run.sh: the whole test suite, what `make test` runs (after building
# build/skiff and build/kernel.elf). Runs, in order:
#   tests/unit/run.sh       host unit tests of kernel modules (ASan, UBSan)
#   tests/compat/run.sh     docs/linux-compat.md agrees with the kernel
#   tests/apps/run.sh       test programs natively and in Skiff, compared
#   tests/bad-input/run.sh  skiff run on things that are not programs
#   tests/skiff/deps.sh     what skiff packs for dynamic programs
#   tests/skiff/kernel_wx.sh  the kernel image is W^X against program stores
#   tests/real/run.sh       unmodified Debian programs, if present
# Each part ends with "PART: N passed, N failed"; this script adds them up
# and ends with the line "N passed, N failed". A part that stops without
# its summary line counts as one failure. Exit status 0 only if nothing
# failed. The parts' own output is shown as it comes.
cd "$(dirname "$0")/.." || exit 1
pass=0
fail=0
log=build/test-logs
mkdir -p "$log"

part() {
	name=$1 script=$2
	echo "== $name"
	# The part's status comes through a file: a pipe would hide it.
	{ "$script"; echo $? >"$log/$name.rc"; } 2>&1 | tee "$log/$name.log"
	sum=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed\$" "$log/$name.log" | tail -n 1)
	if [ -z "$sum" ]; then
		echo "$name: no summary line (exit $(cat "$log/$name.rc")): counted as 1 failure"
		fail=$((fail + 1))
		return
	fi
	p=$(echo "$sum" | sed 's/^[^:]*: \([0-9]*\) passed.*/\1/')
	f=$(echo "$sum" | sed 's/.* \([0-9]*\) failed$/\1/')
	# A nonzero exit with no failure counted is still a failure.
	if [ "$(cat "$log/$name.rc")" != 0 ] && [ "$f" = 0 ]; then
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
}

part unit tests/unit/run.sh
part compat tests/compat/run.sh
part apps tests/apps/run.sh
part bad-input tests/bad-input/run.sh
part fuzz tests/fuzz/run.sh
part deps tests/skiff/deps.sh
part kernel-wx tests/skiff/kernel_wx.sh
if [ -x tests/real/run.sh ]; then
	part real tests/real/run.sh
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
