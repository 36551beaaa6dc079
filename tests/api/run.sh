#!/bin/bash
# tests/api/run.sh: the management API (docs/api.md) from outside, as its
# users reach it: a detached instance with --api and -p, asked through
# `skiff api` and raw HTTP on 127.0.0.1. Checks each path against what it
# must say (uptime grows, free memory drops after the program allocates,
# -e variables in /env/, a file PUT through the API read back by the
# program, /os/shutdown ends the VM with the program's own status after
# its SIGTERM handler, poweroff), the token (401 without it or with a
# wrong one), hostile requests (400, 413, 414, 431), keep-alive, an image
# built with --api, and the load case: API_LOAD (default 1000) concurrent
# connections and a client sending a byte a second while the API and the
# program's own server keep answering, free memory back to its baseline.
# Then the parser's fuzzer for API_FUZZ_SECS (default 30; tests/api/fuzz.sh).
#   tests/api/run.sh      one line a check, then "api: N passed, N failed"
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
. tests/lib/skiffcli.sh
: "${APPS_ACCEL:=tcg}"
: "${API_LOAD:=1000}"
: "${API_FUZZ_SECS:=30}"
SKIFF=build/skiff
CLIENT=tests/api/client.py
BIN=build/tests/api_prog
tmp=$(mktemp -d)
export SKIFF_RUN_DIR=$tmp/run
ulimit -n 4096 2>/dev/null # the load's sockets, in the client and QEMU
cleanup() {
	for d in "$SKIFF_RUN_DIR"/*/; do
		[ -d "$d" ] && $SKIFF rm -f "$(basename "$d")" >/dev/null 2>&1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p build/tests
if ! gcc -static -O1 -Wall -Werror -o "$BIN" tests/api/prog.c; then
	fail "tests/api/prog.c" "does not build"
	summary api
	exit 1
fi

# check NAME EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then pass "$1: $3"; else fail "$1" "expected '$2', got '$3'"; fi
}
# check_re NAME REGEX ACTUAL
check_re() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then pass "$1"; else
		fail "$1" "'$(printf '%s' "$3" | head -c 300)' does not match $2"; fi
}
api() { $SKIFF api "$NAME" "$@"; }

# start NAME EXTRA...: an instance of the test program, API and its own
# server (8080) published; sets PORT, APP, TOKEN.
start() {
	NAME=$1
	shift
	PORT=$((20000 + RANDOM % 20000))
	APP=$((PORT + 1))
	if ! $SKIFF run -d --name "$NAME" --accel "$APPS_ACCEL" -m 128M --no-cwd \
		--api -p "$PORT:8000" -p "$APP:8080" "$@" "$BIN" >/dev/null; then
		fail "$NAME: skiff run -d --api"
		return 1
	fi
	TOKEN=$(cut -d' ' -f2 "$SKIFF_RUN_DIR/$NAME/api")
	until_ok 60 in_log "$NAME" ready && until_ok 30 api GET /os/name
}

paths_os() {
	check "/os/name" '"Skiff"' "$(api GET /os/name)"
	check_re "/os/version" '^"[0-9.]+"$' "$(api GET /os/version)"
	check "/os/vendor" '"Skiff"' "$(api GET /os/vendor)"
	local u1 u2
	u1=$(api GET /os/uptime)
	sleep 2
	u2=$(api GET /os/uptime)
	if [ "$u2" -gt "$u1" ] 2>/dev/null; then pass "/os/uptime grows: $u1 then $u2"
	else fail "/os/uptime grows" "$u1 then $u2"; fi
	check_re "/os/date is this year's" "^\"$(date -u +%Y)-[0-9]{2}-[0-9]{2}T" "$(api GET /os/date)"
	local total
	total=$(api GET /os/memory/total)
	if [ "$total" -gt $((64 << 20)) ] && [ "$total" -le $((128 << 20)) ]; then
		pass "/os/memory/total within -m 128M: $total"
	else fail "/os/memory/total" "$total for -m 128M"; fi
	check "/os/hostname" '"skiff"' "$(api GET /os/hostname)"
	check "/os/cmdline" "\"$BIN\"" "$(api GET /os/cmdline)"
	check_re "/os/threads lists the program" '"name": "api_prog"' "$(api GET /os/threads)"
	check_re "/os/dmesg has the kernel log" 'api: listening on port 8000' "$(api GET /os/dmesg)"
	check "GET /os/shutdown is 405" "405" "$($CLIENT status "$PORT" "$TOKEN" "GET /os/shutdown HTTP/1.1\r\nAuthorization: Bearer $TOKEN\r\n\r\n")"
	check "an unknown path is 404" "404" "$($CLIENT status "$PORT" "$TOKEN" "GET /nothing HTTP/1.1\r\nAuthorization: Bearer $TOKEN\r\n\r\n")"
}

paths_memory() {
	local f1 f2
	f1=$(api GET /os/memory/free)
	api PUT /file/tmp/alloc x >/dev/null
	if ! until_ok 30 api GET "/file/tmp/allocated?op=GETFILESTATUS"; then
		fail "/os/memory/free drops" "the program did not allocate"
		return
	fi
	f2=$(api GET /os/memory/free)
	if [ $((f1 - f2)) -ge $((30 << 20)) ]; then
		pass "/os/memory/free drops by $(((f1 - f2) >> 20)) MiB after the program touched 32 MiB"
	else fail "/os/memory/free drops" "$f1 then $f2"; fi
}

paths_env_file() {
	check_re "/env/ shows -e" '"APITEST=hello 42"' "$(api GET /env/)"
	check "/env/APITEST" '"hello 42"' "$(api GET /env/APITEST)"
	api POST "/env/NEWVAR?val=a%20b" >/dev/null
	check "POST /env/NEWVAR then GET" '"a b"' "$(api GET /env/NEWVAR)"
	api DELETE /env/NEWVAR >/dev/null
	check "DELETE /env/NEWVAR then GET" "404" "$($CLIENT status "$PORT" "$TOKEN" "GET /env/NEWVAR HTTP/1.1\r\nAuthorization: Bearer $TOKEN\r\n\r\n")"
	api PUT /file/tmp/in.txt "through the api" >/dev/null
	if until_ok 30 in_log "$NAME" "read back: through the api"; then
		pass "a file PUT through the API is read back by the program"
	else fail "a file PUT through the API is read back by the program"; fi
	echo "kept" >"$tmp/keep"
	api POST /file/tmp/keep.txt "@$tmp/keep" >/dev/null
	check "GET /file/tmp/keep.txt?op=GET" "kept" "$(api GET "/file/tmp/keep.txt?op=GET")"
	check_re "op=GETFILESTATUS" '"length": 5, .*"pathSuffix": "keep.txt".*"type": "FILE"' "$(api GET "/file/tmp/keep.txt?op=GETFILESTATUS")"
	api PUT "/file/tmp/d1/d2?op=MKDIRS" >/dev/null
	check_re "op=LISTSTATUS" '"pathSuffix": "d1".*"type": "DIRECTORY"|"pathSuffix": "keep.txt"' "$(api GET "/file/tmp?op=LISTSTATUS")"
	api DELETE /file/tmp/keep.txt >/dev/null
	check "DELETE /file/tmp/keep.txt then GET" "404" "$($CLIENT status "$PORT" "$TOKEN" "GET /file/tmp/keep.txt?op=GET HTTP/1.1\r\nAuthorization: Bearer $TOKEN\r\n\r\n")"
}

paths_system() {
	check_re "/fs/df" '"mount": "/"' "$(api GET /fs/df)"
	check "/fs/df/nosuch is 404" "404" "$($CLIENT status "$PORT" "$TOKEN" "GET /fs/df/nosuch HTTP/1.1\r\nAuthorization: Bearer $TOKEN\r\n\r\n")"
	check_re "/network/ifconfig" '"name": "eth0", "addr": "10.0.2.15"' "$(api GET /network/ifconfig)"
	check_re "/network/ifconfig/lo" '^\{"config": \{"name": "lo", "addr": "127.0.0.1"' "$(api GET /network/ifconfig/lo)"
	check_re "/network/route" '"gateway": "10.0.2.2"' "$(api GET /network/route)"
	check_re "/hardware/processor/count" '^[1-9][0-9]*$' "$(api GET /hardware/processor/count)"
	check_re "/hardware/processor/flags" '"(.* )?sse2( .*)?"' "$(api GET /hardware/processor/flags)"
	check_re "/hardware/hypervisor" '^".+"$' "$(api GET /hardware/hypervisor)"
	check_re "/hardware/firmware/vendor" '^".+"$' "$(api GET /hardware/firmware/vendor)"
	local m
	m=$(curl -s -D - -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/metrics")
	check_re "/metrics is Prometheus text" 'Content-Type: text/plain; version=0.0.4' "$m"
	check_re "/metrics has the uptime" '^skiff_uptime_seconds [0-9]+' "$(printf '%s' "$m" | grep '^skiff_uptime')"
}

token_and_hostile() {
	local h
	h=$(curl -s -D - -o /dev/null "http://127.0.0.1:$PORT/os/name")
	check_re "no token: 401 with WWW-Authenticate" '^HTTP/1.1 401.*WWW-Authenticate: Bearer' "$(printf '%s' "$h" | tr -d '\r' | tr '\n' ' ')"
	check "a wrong token: 401" "401" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${TOKEN%?}0" "http://127.0.0.1:$PORT/os/name")"
	check "a token's prefix: 401" "401" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${TOKEN:0:10}" "http://127.0.0.1:$PORT/os/name")"
	check "the token, curl: 200" "200" "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/os/name")"
	check "garbage: 400" "400" "$($CLIENT status "$PORT" "$TOKEN" "HELLO\r\n\r\n")"
	check "a folded header: 400" "400" "$($CLIENT status "$PORT" "$TOKEN" "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n")"
	check "a 3000-byte request line: 414" "414" "$($CLIENT status "$PORT" "$TOKEN" "GET /$(head -c 3000 /dev/zero | tr '\0' a) HTTP/1.1\r\n\r\n")"
	check "10 KB of headers: 431" "431" "$($CLIENT status "$PORT" "$TOKEN" "GET / HTTP/1.1\r\nX: $(head -c 10000 /dev/zero | tr '\0' b)\r\n\r\n")"
	check "40 headers: 431" "431" "$($CLIENT status "$PORT" "$TOKEN" "GET / HTTP/1.1\r\n$(for i in $(seq 40); do printf 'H%d: v\\r\\n' "$i"; done)\r\n")"
	check "a 2 MB body: 413" "413" "$($CLIENT status "$PORT" "$TOKEN" "PUT /file/tmp/x HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n")"
	check "HTTP/2.0: 505" "505" "$($CLIENT status "$PORT" "$TOKEN" "GET / HTTP/2.0\r\n\r\n")"
	check "keep-alive: two requests, one connection" "200 200" "$($CLIENT keepalive "$PORT" "$TOKEN")"
}

load() {
	local f1 f2 out
	f1=$(api GET /os/memory/free)
	out=$($CLIENT load "$PORT" "$TOKEN" "$API_LOAD" "$APP")
	if printf '%s' "$out" | grep -Eq "^opened $API_LOAD other 0 api 200 app hello "; then
		pass "$API_LOAD connections at once: the API and the program answer: $out"
	else fail "$API_LOAD connections at once: the API and the program answer" "$out"; fi
	out=$($CLIENT slow "$PORT" "$TOKEN" "$APP")
	if printf '%s' "$out" | grep -Eq '^api 200 app hello slow (408|closed)$'; then
		pass "a client sending a byte a second: others answered, it gets 408 or is closed: $out"
	else fail "a client sending a byte a second" "$out"; fi
	# Back to the baseline: within 1 MiB once the closed connections are
	# gone (TIME_WAIT included), waited for at most 120 s.
	back() {
		f2=$(api GET /os/memory/free)
		[ $((f1 - f2)) -le $((1 << 20)) ]
	}
	if until_ok 120 back; then pass "free memory back to its baseline: $f1 then $f2"
	else fail "free memory back to its baseline" "$f1 then $f2"; fi
}

ends() {
	api POST /os/shutdown >/dev/null
	$SKIFF wait "$NAME" >/dev/null 2>&1
	check "/os/shutdown: the program's own status after SIGTERM" 42 $?
	if in_log "$NAME" "got SIGTERM"; then pass "/os/shutdown: SIGTERM reached the program"
	else fail "/os/shutdown: SIGTERM reached the program"; fi
	start apioff || return
	api POST /os/poweroff >/dev/null
	$SKIFF wait "$NAME" >/dev/null 2>&1
	check "/os/poweroff: killed as by SIGKILL" 137 $?
}

# A restored instance keeps its kernel's token: skiff api reaches it.
restored() {
	local f=$tmp/api.snap
	start apisnap || return
	if ! $SKIFF snapshot apisnap "$f" --stop >/dev/null; then
		fail "snapshot --stop of an instance with --api"
		return
	fi
	NAME=apisnap2
	$SKIFF restore "$f" --name apisnap2 >/dev/null && until_ok 60 api GET /os/name
	check "after restore: skiff api with the instance's token" '"Skiff"' "$(api GET /os/name)"
	check "after restore: the same token" "$TOKEN" "$(cut -d' ' -f2 "$SKIFF_RUN_DIR/apisnap2/api")"
	$SKIFF rm -f apisnap apisnap2 >/dev/null 2>&1
}

image() {
	local img=$tmp/api.img
	if ! $SKIFF build --api -o "$img" "$BIN" >/dev/null; then
		fail "skiff build --api"
		return
	fi
	NAME=apiimg
	PORT=$((20000 + RANDOM % 20000))
	$SKIFF run -d --name apiimg --accel "$APPS_ACCEL" -m 64M -p "$PORT:8000" "$img" >/dev/null &&
		until_ok 60 api GET /os/name
	check "an image built with --api serves it" '"Skiff"' "$(api GET /os/name)"
	$SKIFF rm -f apiimg >/dev/null 2>&1
	start apioff2 --api=8001 2>/dev/null # the port of --api=PORT
	NAME=apinone
	$SKIFF run -d --name apinone --accel "$APPS_ACCEL" -m 64M "$BIN" >/dev/null
	$SKIFF api apinone GET /os/name >/dev/null 2>"$tmp/err"
	check_re "skiff api on an instance without --api: one line" 'runs without the API' "$(cat "$tmp/err")"
	$SKIFF rm -f apinone apioff2 >/dev/null 2>&1
}

if start apitest -e "APITEST=hello 42"; then
	paths_os
	paths_memory
	paths_env_file
	paths_system
	token_and_hostile
	load
	ends
else
	fail "apitest: the API answers" "$($SKIFF logs apitest 2>&1 | tail -3)"
fi
restored
image
tests/api/fuzz.sh "$API_FUZZ_SECS" >"$tmp/fuzz" 2>&1
grep -v '^api-fuzz:' "$tmp/fuzz"
if tail -1 "$tmp/fuzz" | grep -q ' 0 failed'; then passed; else failed 1 api-fuzz; fi
summary api
