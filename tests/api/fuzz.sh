#!/bin/sh
# tests/api/fuzz.sh [SECONDS]: fuzzes the management API's request parser
# (api/http.c, built for the host) with libFuzzer under ASan and UBSan for
# SECONDS (default 30; docs/testing.md: 600 for the long run). Seeds are
# good and hostile requests written below. Prints "api-fuzz: N passed, N
# failed": failed when libFuzzer found a crash, a hang (-timeout 5 s per
# input) or a leak; the input is left in build/api-fuzz/.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
secs=${1:-30}
out=build/api-fuzz
mkdir -p "$out/corpus"
if ! command -v clang >/dev/null 2>&1; then
	skip "api-fuzz" "no clang (scripts/deps.sh installs it)"
	summary api-fuzz
	exit 0
fi
if ! clang -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -Iinclude -o "$out/fuzz_http" \
	tests/api/fuzz_http.c api/http.c >"$out/build.log" 2>&1; then
	fail "api-fuzz (build)"; sed 's/^/  /' "$out/build.log" | head -20
	summary api-fuzz
	exit 1
fi
seed() { printf "$2" > "$out/corpus/seed-$1"; }
seed get 'GET /os/uptime HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer abc\r\n\r\n'
seed put 'PUT /file/tmp/a?op=GET HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc'
seed env 'POST /env/A?val=%%20x+y HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'
seed lf 'GET / HTTP/1.1\nConnection: close\n\n'
seed bad 'GET / HTTP/1.1\r\n folded\r\nTransfer-Encoding: chunked\r\n\r\n'
"$out/fuzz_http" -max_total_time="$secs" -timeout=5 -max_len=12000 \
	-artifact_prefix="$out/" "$out/corpus" >"$out/fuzz.log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
	pass "api-fuzz ($secs s, $(grep -o 'Done [0-9]* runs' "$out/fuzz.log" | tail -1))"
else
	fail "api-fuzz" "libFuzzer exited $rc"; tail -30 "$out/fuzz.log" | sed 's/^/  /'
fi
summary api-fuzz
