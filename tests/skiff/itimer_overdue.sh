#!/bin/sh
# tests/skiff/itimer_overdue.sh: getitimer on an armed but overdue
# ITIMER_REAL reads at least 1 us, never 0 (before: 1 ns left truncated to
# 0 us, and tests/apps/time/itimer failed under load). Skiff-only: see the
# header of tests/skiff/itimer_overdue.c for why it is not differential.
#   tests/skiff/itimer_overdue.sh   one line, then "itimer-overdue: N passed, N failed"
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
BIN=build/tests/itimer_overdue
: "${APPS_ACCEL:=tcg}"
mkdir -p build/tests
if ! gcc -static -O1 -Wall -Werror -Itests/apps -o "$BIN" tests/skiff/itimer_overdue.c; then
	fail "tests/skiff/itimer_overdue.c" "does not build"
	summary itimer-overdue
	exit 1
fi
out=$(timeout 120 build/skiff run --accel "$APPS_ACCEL" "$BIN" 2>&1)
if [ "$out" = "value 0 only after SIGALRM was sent: yes" ]; then
	pass "itimer overdue reads >= 1 us"
else
	fail "itimer overdue reads >= 1 us" "$out"
fi
summary itimer-overdue
