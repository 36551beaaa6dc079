#!/bin/sh
# tests/skiff/stop.sh: a signal to skiff reaches the program, as `docker
# stop` sends SIGTERM to a container's process (skiff/proto.h
# PROTO_IN_SIGNAL). Differential: tests/skiff/stop_prog.c runs natively and
# in Skiff; each gets the same signal once it printed "ready", and its
# output and exit status must match:
#   catch   SIGTERM, SIGINT: the handler runs, the program exits 3
#   default SIGTERM: killed, status 143 (skiff reports 128+15 like a shell)
#   ignore  the program ignores SIGTERM; a second SIGTERM to skiff ends
#           the VM (skiff alone: natively nothing would end it), status 143
#   tests/skiff/stop.sh   one line a case, then "stop: N passed, N failed"
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
BIN=build/tests/stop_prog
: "${APPS_ACCEL:=tcg}"
mkdir -p build/tests
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! gcc -static -O1 -Wall -Werror -o "$BIN" tests/skiff/stop_prog.c; then
	fail "tests/skiff/stop_prog.c" "does not build"
	summary stop
	exit 1
fi

# run OUT SIG1 SIG2 CMD...: starts CMD, waits (at most 120 s) for "ready"
# in OUT, sends SIG1 (and SIG2 if not "-"), and prints the exit status.
run() {
	out=$1 s1=$2 s2=$3
	shift 3
	"$@" >"$out" 2>/dev/null &
	pid=$!
	i=0
	while ! grep -q ready "$out" 2>/dev/null && [ $i -lt 600 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	kill -"$s1" $pid
	[ "$s2" != - ] && sleep 1 && kill -"$s2" $pid
	# Bounded: the program exits at once or after the 10 s grace.
	i=0
	while kill -0 $pid 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 $pid 2>/dev/null
	wait $pid
	echo "status $?" >>"$out"
}

check() {
	name=$1 s1=$2 s2n=$3 s2s=$4 mode=$5
	run "$tmp/n" "$s1" "$s2n" "$BIN" $mode
	run "$tmp/s" "$s1" "$s2s" build/skiff run --accel "$APPS_ACCEL" "$BIN" $mode
	if cmp -s "$tmp/n" "$tmp/s"; then
		pass "$name: $(tr '\n' ' ' <"$tmp/s")"
	else
		fail "$name" "native: $(tr '\n' ' ' <"$tmp/n"), skiff: $(tr '\n' ' ' <"$tmp/s")"
	fi
}

check "SIGTERM caught" TERM - - catch
check "SIGINT caught" INT - - catch
check "SIGTERM default" TERM - - default
run "$tmp/s" TERM TERM build/skiff run --accel "$APPS_ACCEL" "$BIN" ignore
if [ "$(tr '\n' ' ' <"$tmp/s")" = "ready status 143 " ]; then
	pass "SIGTERM ignored, a second one ends the VM"
else
	fail "SIGTERM ignored, a second one ends the VM" "$(tr '\n' ' ' <"$tmp/s")"
fi
summary stop
