#!/bin/sh
# tests/skiff/tsc_cache.sh: skiff run keeps the host TSC's rate for the
# host's boot in $XDG_CACHE_HOME/skiff/tsc ("BOOT_ID KHZ") instead of
# measuring it for 2 ms every run (tools/skiff/host.c), and never passes
# the guest a kept rate that is wrong. The rate a run gives the kernel is
# read from `skiff run -v` (tsc_khz= on QEMU's -append). Cases:
#   fresh     no cache: the run measures, and keeps what it passed
#   wrong     a kept rate half the real one: measured anew (within 1% of
#             the fresh run's), and the cache corrected
#   other     a kept rate of another boot: not used
#   garbage   an unreadable cache: measured anew, the run is fine
#   tests/skiff/tsc_cache.sh   one line a case, then "tsc-cache: N passed, ..."
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
: "${APPS_ACCEL:=tcg}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
XDG_CACHE_HOME=$tmp
export XDG_CACHE_HOME
cache=$tmp/skiff/tsc
boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)

# The rate one run passed to the kernel (empty if the run failed).
run_khz() {
	build/skiff run --verbose --net none --accel "$APPS_ACCEL" /bin/true \
		2>"$tmp/err" >/dev/null || return 0
	sed -n 's/.*tsc_khz=\([0-9]*\).*/\1/p' "$tmp/err" | head -n 1
}

# near A B: B within 1% of A.
near() {
	[ -n "$1" ] && [ -n "$2" ] &&
		[ $(($2 * 100)) -gt $(($1 * 99)) ] &&
		[ $(($2 * 100)) -lt $(($1 * 101)) ]
}

if [ "$(uname -m)" != x86_64 ] || [ -z "$boot" ]; then
	skip "tsc-cache" "no TSC or no boot id on this host"
	summary tsc-cache
	exit 0
fi

real=$(run_khz)
if [ -n "$real" ] && [ "$(cat "$cache" 2>/dev/null)" = "$boot $real" ]; then
	pass "fresh: measured $real kHz and kept it"
else
	fail "fresh" "passed '$real', cache '$(cat "$cache" 2>/dev/null)'"
fi

echo "$boot $((real / 2))" >"$cache"
k=$(run_khz)
if near "$real" "$k" && near "$real" "$(cut -d' ' -f2 "$cache")"; then
	pass "wrong: measured anew ($k kHz), cache corrected"
else
	fail "wrong" "passed '$k' (real $real), cache '$(cat "$cache")'"
fi

echo "00000000-0000-0000-0000-000000000000 $((real * 2))" >"$cache"
k=$(run_khz)
if near "$real" "$k"; then
	pass "other: another boot's rate not used ($k kHz)"
else
	fail "other" "passed '$k' (real $real)"
fi

printf 'garbage\0\377' >"$cache"
k=$(run_khz)
if near "$real" "$k"; then
	pass "garbage: measured anew ($k kHz)"
else
	fail "garbage" "passed '$k' (real $real)"
fi

summary tsc-cache
