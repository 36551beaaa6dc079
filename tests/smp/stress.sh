#!/bin/sh
# tests/smp/stress.sh: the SMP stress programs, each run many times in a
# Skiff VM of several CPUs, every run under a timeout (a deadlock or a lost
# wake-up is a hang, and a hang is a failure).
#
#   tests/smp/stress.sh [N]     each program N times (default 20); `make
#                               test` runs N=2 (tests/run.sh's part smp)
#   SMP_CPUS=2                  the VM's CPUs (skiff run --cpus; default 2)
#   SMP_TIMEOUT=180             seconds a run may take (default 180)
#   SMP_ONLY="unmap_race ..."   only these programs
#
# The programs (tests/smp/NAME.c, built static; each checks itself and
# prints what it checked, the same on Linux, so a run passes when its
# output and exit status are the native run's):
#   futex_hammer    a futex lock around plain counters, futex ping-pong
#   malloc_hammer   malloc/free, blocks freed by other threads, patterns
#   mmap_hammer     mmap/mprotect/munmap per thread, the same fresh pages
#                   faulted at once, MADV_DONTNEED between rounds
#   signal_threads  tgkill to a thread spinning on another CPU and to one
#                   asleep in a futex
#   unmap_race      munmap under a reader on another CPU: SIGSEGV, never
#                   the freed frames' new contents
#   fault_race      tests/regress/fault_race.c, the page-fault reproducer
# First, the VM must see SMP_CPUS CPUs (tests/smp/cpucount.c): with fewer,
# the programs would not run on several CPUs, and every one fails.
# Ends with "smp: N passed, N failed" (tests/lib/verdict.sh).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
N=${1:-20}
: "${SMP_CPUS:=2}" "${SMP_TIMEOUT:=180}" "${APPS_ACCEL:=tcg}"
S=build/skiff
OUT=build/smp
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# NAME and its arguments: rounds sized for TCG.
PROGRAMS="futex_hammer:5000 malloc_hammer:3000 mmap_hammer:100
signal_threads:100 unmap_race:50 fault_race:"

build() {
	src=tests/smp/$1.c
	[ -f "$src" ] || src=tests/regress/$1.c
	gcc -O2 -static -pthread -Wall -Werror -I tests/apps -o "$OUT/$1" "$src"
}

if ! build cpucount; then
	fail "cannot build tests/smp/cpucount.c"
	summary smp
	exit 1
fi
timeout "$SMP_TIMEOUT" $S run --accel "$APPS_ACCEL" --cpus "$SMP_CPUS" \
	--no-cwd "$OUT/cpucount" >"$tmp/count" 2>"$tmp/err" </dev/null
got=$(sed -n 's/^onln //p' "$tmp/count")
if [ "$got" = "$SMP_CPUS" ]; then
	pass "the VM runs $SMP_CPUS CPUs (sysconf _SC_NPROCESSORS_ONLN)"
	cpus_ok=1
else
	fail "the VM runs ${got:-no} CPUs, not $SMP_CPUS" "$(tail -c 300 "$tmp/err")"
	cpus_ok=
fi

for p in $PROGRAMS; do
	name=${p%%:*} args=${p#*:}
	if [ -n "$SMP_ONLY" ] && ! echo " $SMP_ONLY " | grep -q " $name "; then
		continue
	fi
	if ! build "$name" 2>"$tmp/err"; then
		fail "$name (build)" "$(head -c 300 "$tmp/err")"
		continue
	fi
	# shellcheck disable=SC2086
	timeout "$SMP_TIMEOUT" "$OUT/$name" $args >"$tmp/native" 2>&1
	nrc=$?
	if [ $nrc != 0 ]; then
		fail "$name natively" "exit $nrc: $(head -c 300 "$tmp/native")"
		continue
	fi
	if [ -z "$cpus_ok" ]; then
		fail "$name" "not run: the VM has not $SMP_CPUS CPUs"
		continue
	fi
	bad=""
	i=1
	start=$(date +%s)
	while [ $i -le "$N" ]; do
		# shellcheck disable=SC2086
		timeout -k 5 "$SMP_TIMEOUT" $S run --accel "$APPS_ACCEL" \
			--cpus "$SMP_CPUS" --no-cwd "$OUT/$name" $args \
			>"$tmp/out" 2>"$tmp/err" </dev/null
		rc=$?
		if [ $rc = 124 ] || [ $rc = 137 ]; then
			bad="run $i of $N: hung (no end after ${SMP_TIMEOUT}s)"
		elif [ $rc != 0 ] || ! cmp -s "$tmp/native" "$tmp/out"; then
			bad="run $i of $N: exit $rc: $(head -c 300 "$tmp/out" | tr '\n' '|') $(tail -c 300 "$tmp/err" | tr '\n' '|')"
		fi
		[ -n "$bad" ] && break
		i=$((i + 1))
	done
	if [ -z "$bad" ]; then
		pass "$name: $N runs on $SMP_CPUS CPUs ($(($(date +%s) - start)) s): $(head -n 1 "$tmp/native")"
	else
		fail "$name" "$bad"
	fi
done
summary smp
