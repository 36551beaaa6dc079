#!/bin/sh
# tests/skiff/cpus.sh: skiff run --cpus N, from the command line to what
# the program sees.
#   the option's errors       0, -1, above 16, above the host's CPUs: one
#                             line each (fractions round up: 0.5 -> 1)
#   QEMU's arguments          -smp N with -accel tcg,thread=multi for N > 1
#                             (--verbose shows the command line); none for 1
#   recorded                  skiff build --cpus 2, then skiff run IMAGE;
#                             --cpus 1 on the image wins; skiff.json "cpus"
#   what the program sees     for N = 1, 2 (and 4 with $SKIFF_CPUS_ANY on a
#                             2-CPU host), microvm and q35: nproc, getconf,
#                             tests/smp/cpucount.c's sysconf ONLN and CONF,
#                             get_nprocs, the affinity mask, one
#                             /proc/cpuinfo block a CPU, /proc/stat's cpuN
#                             lines, /sys/devices/system/cpu/{online,
#                             possible,present} and cpuN directories: all N;
#                             with N the host's CPUs, the same as natively
#   tests/skiff/cpus.sh       one line a case, then "cpus: N passed, N failed"
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
. tests/lib/skiffcli.sh
: "${APPS_ACCEL:=tcg}"
S=build/skiff
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
HOST=$(getconf _NPROCESSORS_ONLN)


# smp NAME WANT ARGS...: skiff run --verbose ARGS runs QEMU with -smp WANT
# and the multi-threaded TCG (WANT 1: neither -smp nor thread=multi).
smp() {
	name=$1 want=$2
	shift 2
	timeout 120 $S run --accel "$APPS_ACCEL" --verbose "$@" \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
	line=$(grep -m1 'qemu-system' "$tmp/err")
	got=$(echo "$line" | sed -n 's/.* -smp \([0-9]*\) .*/\1/p')
	mt=$(echo "$line" | grep -c 'tcg,thread=multi')
	if [ "$want" = 1 ]; then
		ok=$([ -z "$got" ] && [ "$mt" = 0 ] && echo y)
	else
		ok=$([ "$got" = "$want" ] && { [ "$APPS_ACCEL" != tcg ] ||
			[ "$mt" = 1 ]; } && echo y)
	fi
	if [ $st = 0 ] && [ "$ok" = y ]; then
		pass "$name: -smp ${got:-none}"
	else
		fail "$name" "status $st, -smp '${got}' (want $want), thread=multi $mt: $(tail -c 300 "$tmp/err" | tr '\n' '|')"
	fi
}

err "--cpus 0" 2 'expected a number of CPUs above 0' run --cpus 0 /bin/true
err "--cpus -1" 2 'expected a number of CPUs above 0' run --cpus -1 /bin/true
err "--cpus 17" 2 'at most 16 CPUs' run --cpus 17 /bin/true
err "skiff build --cpus 17" 2 'at most 16 CPUs' \
	build -o "$tmp/img" --cpus 17 /bin/true
if [ "$HOST" -lt 16 ]; then
	err "--cpus above the host's" 2 "the host has $HOST CPU" \
		run --cpus $((HOST + 1)) /bin/true
fi
mkdir -p "$tmp/cfg"
printf '{ "program": "/bin/true", "cpus": 1.5 }\n' >"$tmp/cfg/skiff.json"
(cd "$tmp/cfg" && timeout 60 "$OLDPWD/$S" run >"$tmp/out" 2>"$tmp/err" </dev/null)
st=$?
if [ $st = 2 ] && grep -q '"cpus" must be a whole number' "$tmp/err"; then
	pass "skiff.json \"cpus\": 1.5 refused: $(cat "$tmp/err")"
else
	fail "skiff.json \"cpus\": 1.5" "status $st: $(cat "$tmp/err")"
fi

smp "--cpus left out" 1 /bin/true
smp "--cpus 1" 1 --cpus 1 /bin/true
smp "--cpus 0.5 rounds up to 1" 1 --cpus 0.5 /bin/true
if [ "$HOST" -ge 2 ]; then
	smp "--cpus 2" 2 --cpus 2 /bin/true
	smp "--cpus 1.5 rounds up to 2" 2 --cpus 1.5 /bin/true
	smp "--cpus 2 on q35" 2 --machine q35 --cpus 2 /bin/true
	if timeout 60 $S build -o "$tmp/img2" --cpus 2 /bin/true 2>"$tmp/err"; then
		smp "skiff build --cpus 2, skiff run IMAGE" 2 "$tmp/img2"
		smp "skiff run --cpus 1 IMAGE (built with 2)" 1 --cpus 1 "$tmp/img2"
	else
		fail "skiff build --cpus 2" "$(cat "$tmp/err")"
	fi
	printf '{ "program": "/bin/true", "cpus": 2 }\n' >"$tmp/cfg/skiff.json"
	# In the directory of skiff.json, in this shell (a subshell's verdict
	# would not be counted).
	top=$PWD
	cd "$tmp/cfg" && S=$top/build/skiff smp "skiff.json \"cpus\": 2" 2
	cd "$top" || exit 1
fi

# What the program sees with N CPUs: every count N (tests/smp/cpucount.c
# prints them); with N the host's CPUs, the same as natively.
if ! gcc -O2 -static -Wall -Werror -o "$tmp/cpucount" tests/smp/cpucount.c; then
	fail "cannot build tests/smp/cpucount.c"
	summary cpus
	exit 1
fi
expect() {
	n=$1 last=$(($1 - 1)) ids=""
	for i in $(seq 0 $last); do
		ids="$ids $i"
	done
	range=$([ "$n" = 1 ] && echo 0 || echo "0-$last")
	printf 'affinity %s\nonln %s\nconf %s\nget_nprocs %s\ncpuinfo %s\ncpuinfo-ids%s\nstat %s\nstat-total 1\nonline %s\npossible %s\npresent %s\ndirs %s\n' \
		"$n" "$n" "$n" "$n" "$n" "$ids" "$n" "$range" "$range" "$range" "$n"
}
# sees NAME N WANTFILE ARGS...: skiff run --cpus N ARGS... PROGRAM prints
# WANTFILE (PROGRAM and its arguments last in ARGS).
sees() {
	name=$1 n=$2 want=$3
	shift 3
	timeout 300 $S run --accel "$APPS_ACCEL" --cpus "$n" "$@" \
		>"$tmp/got" 2>"$tmp/err" </dev/null
	st=$?
	if [ $st = 0 ] && cmp -s "$want" "$tmp/got"; then
		pass "$name: $(tr '\n' ' ' <"$tmp/got" | head -c 100)"
	else
		fail "$name" "status $st: $(diff "$want" "$tmp/got" | grep '^[<>]' | tr '\n' '|') $(tail -c 200 "$tmp/err")"
	fi
}
"$tmp/cpucount" >"$tmp/native"
expect "$HOST" >"$tmp/want$HOST"
if cmp -s "$tmp/native" "$tmp/want$HOST"; then
	pass "natively, every count is the host's $HOST"
else
	fail "natively, the counts differ from the host's $HOST" "$(tr '\n' '|' <"$tmp/native")"
fi
for n in 1 2 4; do
	expect $n >"$tmp/want$n"
	echo $n >"$tmp/n$n"
done
sees "what the program sees, --cpus 1" 1 "$tmp/want1" "$tmp/cpucount"
sees "nproc, --cpus 1" 1 "$tmp/n1" nproc
if [ "$HOST" -ge 2 ]; then
	sees "what the program sees, --cpus 2" 2 "$tmp/want2" "$tmp/cpucount"
	sees "what the program sees, --cpus 2 on q35" 2 "$tmp/want2" \
		--machine q35 "$tmp/cpucount"
	sees "nproc, --cpus 2" 2 "$tmp/n2" nproc
	sees "getconf _NPROCESSORS_ONLN, --cpus 2" 2 "$tmp/n2" \
		getconf _NPROCESSORS_ONLN
	sees "--cpus $HOST: the counts are the host's" "$HOST" "$tmp/native" \
		"$tmp/cpucount"
fi
export SKIFF_CPUS_ANY=1
sees "what the program sees, --cpus 4 (SKIFF_CPUS_ANY)" 4 "$tmp/want4" \
	"$tmp/cpucount"
unset SKIFF_CPUS_ANY
summary cpus
