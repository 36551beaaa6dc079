#!/bin/sh
# tests/skiff/console.sh: the program's stdio through skiff run, over the
# virtio console (skiff/proto.h's ports) on microvm and q35, and over COM1
# alone ($SKIFF_NO_VCONSOLE: the fallback when the VM has no such device).
# Each case compares with the same command run natively:
#   bulk      100 MB of random bytes through cat, both ways at once:
#             sha256sum of what comes out (microvm and q35; the fallback
#             gets 200 KB, COM1 being slow)
#   streams   stdout and stderr kept apart, and the exit status
#   eof       stdin's end: empty stdin, and a read loop until EOF
#   lines     seq 1 1000000 | wc -l
#   tests/skiff/console.sh   one line a case, then "console: N passed, N failed"
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
: "${APPS_ACCEL:=tcg}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 100000000 /dev/urandom >"$tmp/big"
head -c 200000 "$tmp/big" >"$tmp/small"
want_big=$(sha256sum <"$tmp/big")
want_small=$(sha256sum <"$tmp/small")

# same NAME NATIVE SKIFF: passes when both strings are equal
same() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "native: $2, skiff: $3"
	fi
}

# streams MODE CMD...: stdout, stderr and status of `sh -c SCRIPT`
SCRIPT='echo out1; echo err1 >&2; printf "out2\n"; printf "err2\n" >&2; exit 7'
streams() {
	"$@" /bin/sh -c "$SCRIPT" >"$tmp/o" 2>"$tmp/e" </dev/null
	echo "status $? out $(tr '\n' ' ' <"$tmp/o") err $(tr '\n' ' ' <"$tmp/e")"
}
EOFREAD='n=0; while read l; do n=$((n + 1)); done; echo "$n lines"'

for mode in microvm q35 serial; do
	env=
	run="build/skiff run --accel $APPS_ACCEL"
	case $mode in
	serial) run="env SKIFF_NO_VCONSOLE=1 $run" in=$tmp/small want=$want_small ;;
	*) run="$run --machine $mode" in=$tmp/big want=$want_big ;;
	esac
	got=$($run /bin/cat <"$in" | sha256sum)
	same "$mode bulk ($(wc -c <"$in") bytes) both ways" "$want" "$got"
	same "$mode stdout, stderr, status" "$(streams env)" "$(streams $run)"
	same "$mode empty stdin" "$(wc -c </dev/null)" \
		"$($run /usr/bin/wc -c </dev/null)"
	same "$mode read until EOF" "$(seq 1 500 | sh -c "$EOFREAD")" \
		"$(seq 1 500 | $run /bin/sh -c "$EOFREAD")"
	[ $mode = serial ] && continue
	same "$mode seq 1 1000000 | wc -l" "$(seq 1 1000000 | wc -l)" \
		"$(seq 1 1000000 | $run /usr/bin/wc -l)"
done
summary console
