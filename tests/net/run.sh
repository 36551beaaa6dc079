#!/bin/sh
# tests/net/run.sh: unmodified Debian servers, driven from the host, each
# run natively and in Skiff (`skiff run -p 127.0.0.1:HOSTPORT:GUESTPORT`)
# and checked on what it serves; the two runs must serve the same. One
# check per line:
#   redis      redis-server: PING, SET/GET/INCR/LPUSH/LRANGE, a 200 KB value,
#              redis-benchmark -n 2000 -t set,get (completes with a rate
#              above zero: no speed asserted), SHUTDOWN NOSAVE ends the run
#   nginx      a static file, a 200 KB binary file and a 404 (daemon off;
#              master_process off;), with a config written here
#   nginx-bulk 3 x 60 GETs of a 1 MiB file on a keep-alive connection (a
#              curl), each bounded by --max-time 10, bodies compared: the
#              transmit path once stalled for 40 s or for good here
#   nginx-q35  the same with the VM on q35 (virtio-pci) instead of microvm
#              (virtio-mmio); not when NET_MACHINE is q35 already
#   memcached  set/get/add/incr/append/delete and a 200 KB value
#              (tests/net/mc.py)
#   http-server  python3 -m http.server: a file, a binary file, a
#              folder's listing and a 404
#   node       tests/net/hello.js: "hello from node", a path, a 404
#   go         tests/net/hello.go built static: "hello", 1 MiB, a 404
#              (skipped when Debian's golang-go is not installed)
#   go-splice  tests/net/splice.go built static: an echo server, a proxy
#              and a client in one program over the guest's 127.0.0.1,
#              io.Copy between TCP connections (splice), 3 MiB checked
#   udp        tests/net/udp.py, a python3 UDP echo server published with
#              -p ...:5353/udp: datagrams of 1 to 8000 bytes come back
#   port-reuse tests/net/reuse.py: a server that closes first, and 20
#              connections to it from one host port (its TIME-WAIT takes
#              the next SYN, as Linux's does)
#   fetch      curl inside the guest fetching from a python3 http.server on
#              the host's 127.0.0.1, which the guest reaches as 10.0.2.2
#              (QEMU user networking); natively it fetches 127.0.0.1
#   asyncio    python3's asyncio.run (starts with socketpair)
#   asyncio-loopback  an asyncio echo server and its client in one program,
#              over the guest's own 127.0.0.1 and ::1
#   java       Java's Hello (skipped without java and javac)
#   hostile    tests/net/hostile.sh: connection floods, half-open
#              connections and random bytes against nginx
#   nginx-workers  nginx with `master_process on; worker_processes 2;`:
#              the master forks its workers, which serve the files and 40
#              GETs on new connections; a SIGTERM to the master ends all
#   redis-bgsave  redis-server with its default save points: BGSAVE
#              (a forked child writes dump.rdb) answered and serving SETs
#              and GETs meanwhile, the save's status, redis-cli --rdb (a
#              fork writing to a socket) read back by redis-check-rdb on
#              the host, SHUTDOWN SAVE
# The last two need processes in Skiff: they are skipped (never passed)
# while the fork probe says it has none (tests/lib/probe.sh;
# SKIFF_FORK_TESTS=run runs them anyway).
# Natively a server listens on 127.0.0.1 and a free port; in Skiff on its
# usual port (6379, 80, ...) on every address, published on a free host
# port of 127.0.0.1. All traffic stays on the host's loopback. Every wait
# is bounded; every server is killed at the end.
#
#   tests/net/run.sh [NAME...]   all checks, or only those named
#   NET_NATIVE_ONLY=1            the native runs only (proves the checks)
#   NET_ACCEL, NET_MACHINE, NET_MEMORY   skiff run's --accel (default
#                                tcg), --machine (microvm), -m (512M)
#   NET_HOSTILE_LONG=1           the long hostile-traffic run
#
# Output: one line per check, then "net: N passed, N failed[, N skipped]"
# (tests/lib/verdict.sh). A check is skipped only when this host lacks
# what it needs (Go, Java). Everything of the last run stays in
# build/net/: NAME.SIDE.{res,out,err} (res is what is compared) and
# NAME.SIDE.why (why a side failed).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
. tests/net/lib.sh
. tests/lib/probe.sh
umask 022
ONLY="$*"

if ! scripts/deps.sh >"$OUT/deps.log" 2>&1; then
	echo "net: scripts/deps.sh failed (see build/net/deps.log)"
fi
if [ "${NET_NATIVE_ONLY:-0}" != 1 ] && [ ! -x "$SKIFF" ]; then
	echo "net: $SKIFF is missing: run make all first"
fi

c_redis() {
	net_port
	TAG=redis.$1
	if [ "$1" = native ]; then
		srv_start redis native 0 "" /usr/bin/redis-server --port "$NET_PORT" \
			--bind 127.0.0.1 --save '' --appendonly no --protected-mode no
	else
		srv_start redis skiff 6379 "" /usr/bin/redis-server --port 6379 \
			--save '' --appendonly no --protected-mode no
	fi
	cli="timeout -k 2 30 redis-cli -h 127.0.0.1 -p $NET_PORT"
	srv_ready "$NET_READY_SECS" sh -c "$cli PING | grep -qx PONG" || return 1
	res "PING: $($cli PING)"
	res "SET: $($cli SET greeting hello)"
	v=$($cli GET greeting)
	res "GET: $v"
	res "INCR: $($cli INCR counter) $($cli INCR counter) $($cli INCRBY counter 40)"
	res "LPUSH: $($cli LPUSH list a b c)"
	l=$($cli LRANGE list 0 -1 | tr '\n' ' ')
	res "LRANGE: $l"
	res "SET big: $($cli -x SET big <"$OUT/big.txt")"
	$cli --raw GET big >"$OUT/$TAG.big" 2>&1
	res "GET big: $(wc -c <"$OUT/$TAG.big") bytes"
	if [ "$v" != hello ] || [ "$l" != "c b a " ] ||
		! cmp -s "$OUT/$TAG.big" "$OUT/big.want"; then
		WHY="GET, LRANGE or the big value answered wrong"
		return 1
	fi
	timeout -k 2 120 redis-benchmark -h 127.0.0.1 -p "$NET_PORT" -q -n 2000 \
		-t set,get -P 1 </dev/null 2>&1 | tr '\r' '\n' >"$OUT/$TAG.bench"
	for t in SET GET; do
		rate=$(sed -n "s/^$t: \([0-9.]*\) requests per second.*/\1/p" \
			"$OUT/$TAG.bench" | tail -n 1)
		if [ -z "$rate" ] || ! echo "$rate" | grep -q '[1-9]'; then
			WHY="redis-benchmark gave no $t rate (see $OUT/$TAG.bench)"
			return 1
		fi
		res "benchmark $t: a rate above zero"
	done
	res "DBSIZE: $($cli DBSIZE)"
	$cli SHUTDOWN NOSAVE >/dev/null 2>&1
	if ! srv_exit "$NET_STOP_SECS"; then
		WHY="still running ${NET_STOP_SECS}s after SHUTDOWN NOSAVE"
		return 1
	fi
	res "exit status after SHUTDOWN: $SRV_RC"
	if srv_panicked; then
		WHY="the kernel panicked"
		return 1
	fi
}

c_nginx() {
	TAG=${NGINX_NAME:-nginx}.$1
	nginx_start "$1" "${NGINX_NAME:-nginx}"
	ready_http || return 1
	get index.html; want_file 200 "$WWW/index.html" || return 1
	get data.bin; want_file 200 "$WWW/data.bin" || return 1
	get sub/note.txt; want_file 200 "$WWW/sub/note.txt" || return 1
	get missing.html
	if [ "$CODE" != 404 ]; then
		WHY="GET /missing.html: status $CODE, want 404"
		return 1
	fi
	res "404 body: $(tr '\n' ' ' <"$BODY")"
	finish
}

# 3 rounds of 60 keep-alive GETs of 1 MiB, a curl (one connection) each.
# --max-time 10 is a bound, not a speed: a transfer takes milliseconds; a
# stalled one (frames the device never sent, waiting on a backed-off
# retransmission) takes tens of seconds or never ends. --fail-early ends
# a round at its first failure. Without the fix about one round in two
# stalled.
c_nginx_bulk() {
	TAG=nginx-bulk.$1
	nginx_start "$1" nginx-bulk
	ready_http || return 1
	_o="" _u="" _n=0 _ok=0
	for _i in $(seq 60); do
		_o="$_o -o $OUT/$TAG.$_i.body"
		_u="$_u http://$NET_HOST:$NET_PORT/bulk.bin"
	done
	: >"$OUT/$TAG.codes"
	for _r in 1 2 3; do
		# shellcheck disable=SC2086 # the lists split on purpose
		$NET_NSX curl -s --fail-early --max-time 10 \
			-w '%{http_code} %{num_connects}\n' $_o $_u \
			>>"$OUT/$TAG.codes" 2>/dev/null
		for _i in $(seq 60); do
			cmp -s "$OUT/$TAG.$_i.body" "$WWW/bulk.bin" && _ok=$((_ok + 1))
			rm -f "$OUT/$TAG.$_i.body"
		done
		[ "$_ok" = $((_r * 60)) ] || break
	done
	_n=$(grep -c '^200 ' "$OUT/$TAG.codes")
	res "180 GETs of 1 MiB: $_n answered 200, $_ok bodies equal," \
		"$(awk '{ c += $2 } END { print c + 0 }' "$OUT/$TAG.codes") connection(s)"
	if [ "$_n" != 180 ] || [ "$_ok" != 180 ]; then
		WHY="$_n of 180 GETs answered 200, $_ok bodies equal (10 s each at most)"
		return 1
	fi
	finish
}

# nginx again with the VM on q35 (virtio-pci) instead of microvm
# (virtio-mmio): the other transport of the same driver.
c_nginx_q35() {
	_m=$NET_MACHINE
	NET_MACHINE=q35 NGINX_NAME=nginx-q35
	c_nginx "$1"
	_r=$?
	NET_MACHINE=$_m NGINX_NAME=""
	return $_r
}

c_memcached() {
	TAG=memcached.$1
	net_port
	if [ "$1" = native ]; then
		srv_start memcached native 0 "" /usr/bin/memcached -u root \
			-l 127.0.0.1 -p "$NET_PORT" -U 0
	else
		srv_start memcached skiff 11211 "" /usr/bin/memcached -u root \
			-p 11211 -U 0
	fi
	srv_ready "$NET_READY_SECS" "$PY" tests/net/mc.py "$NET_PORT" probe || return 1
	if ! timeout -k 2 60 "$PY" tests/net/mc.py "$NET_PORT" run >>"$RES" 2>&1; then
		WHY="the client failed (see $RES)"
		return 1
	fi
	if ! grep -q '^get big -> .* same bytes END$' "$RES" ||
		! grep -q '^incr counter 2 -> 42$' "$RES"; then
		WHY="wrong answers (see $RES)"
		return 1
	fi
	finish
}

c_http_server() {
	TAG=http-server.$1
	net_port
	if [ "$1" = native ]; then
		srv_start http-server native 0 "" "$PY" -m http.server "$NET_PORT" \
			--bind 127.0.0.1 --directory "$WWW"
	else
		srv_start http-server skiff 8000 "--dir $WWW" "$PY" -m http.server 8000 \
			--directory "$WWW"
	fi
	ready_http || return 1
	get hello.txt; want_file 200 "$WWW/hello.txt" || return 1
	get data.bin; want_file 200 "$WWW/data.bin" || return 1
	get sub/ listing
	if [ "$CODE" != 200 ] || ! grep -q 'href="note.txt"' "$BODY"; then
		WHY="the listing of /sub/ has no note.txt (status $CODE)"
		return 1
	fi
	get missing.txt
	if [ "$CODE" != 404 ]; then
		WHY="GET /missing.txt: status $CODE, want 404"
		return 1
	fi
	finish
}

c_node() {
	TAG=node.$1
	net_port
	if [ "$1" = native ]; then
		srv_start node native 0 "" /usr/bin/node "$ROOT/tests/net/hello.js" \
			"$NET_PORT" 127.0.0.1
	else
		srv_start node skiff 3000 "--file $ROOT/tests/net/hello.js" \
			/usr/bin/node "$ROOT/tests/net/hello.js" 3000
	fi
	ready_http || return 1
	get ""
	printf 'hello from node\n' >"$OUT/$TAG.want"
	want_file 200 "$OUT/$TAG.want" || return 1
	get "echo/a?b=1" echo
	res "body: $(cat "$BODY")"
	get nothere
	[ "$CODE" = 404 ] || { WHY="GET /nothere: $CODE, want 404"; return 1; }
	finish
}

# go_build [SRC OUT]: builds tests/net/hello.go (or SRC) into $OUT/gohello
# (or OUT) (Go's cache in $OUT/gocache makes a rebuild quick); 0 or 1 (WHY
# set).
go_build() {
	if ! env CGO_ENABLED=0 GOCACHE="$OUT/gocache" GOPATH="$OUT/gopath" \
		GO111MODULE=off HOME="$OUT" timeout 600 go build \
		-o "${2:-$OUT/gohello}" "${1:-tests/net/hello.go}" \
		>"$OUT/go-build.log" 2>&1; then
		WHY="go build failed (see $OUT/go-build.log)"
		return 1
	fi
}

c_go() {
	TAG=go.$1
	go_build || return 1
	net_port
	if [ "$1" = native ]; then
		srv_start go native 0 "" "$OUT/gohello" "127.0.0.1:$NET_PORT"
	else
		srv_start go skiff 8080 "" "$OUT/gohello" :8080
	fi
	ready_http || return 1
	get ""
	printf 'hello from go\n' >"$OUT/$TAG.want"
	want_file 200 "$OUT/$TAG.want" || return 1
	get big
	if [ "$CODE" != 200 ] || [ "$(wc -c <"$BODY")" != 1048576 ]; then
		WHY="GET /big: $CODE, not 1 MiB"
		return 1
	fi
	get nothere
	[ "$CODE" = 404 ] || { WHY="GET /nothere: $CODE, want 404"; return 1; }
	finish
}

# send-exit: the server's last answer reaches the client although the
# server exits right after writing it (no close): Linux sends it after the
# process is gone; Skiff must deliver it before the VM powers off.
c_send_exit() {
	net_port
	if [ "$1" = native ]; then
		srv_start send-exit native 0 "" "$PY" "$ROOT/tests/net/sendexit.py" \
			serve "$NET_PORT" 127.0.0.1
	else
		srv_start send-exit skiff 7000 "--file $ROOT/tests/net/sendexit.py" \
			"$PY" "$ROOT/tests/net/sendexit.py" serve 7000
	fi
	srv_ready "$NET_READY_SECS" "$PY" tests/net/sendexit.py probe "$NET_PORT" ||
		return 1
	timeout -k 2 60 "$PY" tests/net/sendexit.py fetch "$NET_PORT" >>"$RES" 2>&1
	if ! srv_exit "$NET_STOP_SECS"; then
		WHY="the server did not exit after its answer"
		return 1
	fi
	res "exit status: $SRV_RC"
	if srv_panicked; then
		WHY="the kernel panicked"
		return 1
	fi
}

c_udp() {
	net_port udp
	if [ "$1" = native ]; then
		srv_start udp native 0 "" "$PY" "$ROOT/tests/net/udp.py" serve "$NET_PORT" \
			127.0.0.1
	else
		srv_start udp skiff 5353/udp "--file $ROOT/tests/net/udp.py" "$PY" \
			"$ROOT/tests/net/udp.py" serve 5353
	fi
	srv_ready "$NET_READY_SECS" "$PY" tests/net/udp.py probe "$NET_PORT" ||
		return 1
	timeout -k 2 60 "$PY" tests/net/udp.py run "$NET_PORT" >>"$RES" 2>&1
	if [ "$(grep -c ': echoed$' "$RES")" != 4 ]; then
		WHY="not every datagram came back (see $RES)"
		return 1
	fi
	finish
}

# The server closes each connection first; the client connects again from
# the same port (tests/net/reuse.py): the server's TIME-WAIT must take the
# new SYN as Linux does (the connect+close benchmark's 5 s stalls).
c_port_reuse() {
	net_port
	if [ "$1" = native ]; then
		srv_start port-reuse native 0 "" "$PY" "$ROOT/tests/net/reuse.py" \
			serve "$NET_PORT" 127.0.0.1
	else
		srv_start port-reuse skiff 7000 "--file $ROOT/tests/net/reuse.py" \
			"$PY" "$ROOT/tests/net/reuse.py" serve 7000
	fi
	srv_ready "$NET_READY_SECS" "$PY" tests/net/reuse.py probe "$NET_PORT" ||
		return 1
	timeout -k 2 300 "$PY" tests/net/reuse.py run "$NET_PORT" >>"$RES" 2>&1
	if ! grep -q ': 20 of 20 said bye$' "$RES"; then
		WHY="a connection from the reused port failed (see $RES)"
		return 1
	fi
	finish
}

# client_run NAME SIDE OPTS PROGRAM ARGS...: runs a program to its end,
# natively or in Skiff (skiff run --verbose OPTS): $OUT/NAME.SIDE.{out,err}; sets
# RC.
client_run() {
	_n=$1 _side=$2 _opts=$3
	shift 3
	if [ "$_side" = native ]; then
		set -- env -i PATH="$DEFAULT_PATH" HOME=/ PYTHONDONTWRITEBYTECODE=1 "$@"
	else
		# shellcheck disable=SC2086
		set -- "$SKIFF" run --machine "$NET_MACHINE" --accel "$NET_ACCEL" \
			--verbose $_opts "$@"
	fi
	timeout --foreground -k 5 "$NET_VM_TIMEOUT" "$@" </dev/null >"$OUT/$_n.$_side.out" \
		2>"$OUT/$_n.$_side.err"
	RC=$?
	if [ "$_side" = skiff ] && grep -qi panic "$OUT/$_n.$_side.err"; then
		WHY="the kernel panicked"
		return 1
	fi
	[ $RC = 124 ] && { WHY="still running after ${NET_VM_TIMEOUT}s"; return 1; }
	return 0
}

c_fetch() {
	# The host's server, natively in both runs, on the host's loopback.
	net_port
	srv_start "fetch-host-for-$1" native 0 "" "$PY" -m http.server "$NET_PORT" \
		--bind 127.0.0.1 --directory "$WWW"
	ready_http || return 1
	host=127.0.0.1
	[ "$1" = skiff ] && host=10.0.2.2
	client_run fetch "$1" "" /usr/bin/curl -sS --max-time 60 \
		"http://$host:$NET_PORT/index.html" "http://$host:$NET_PORT/data.bin" ||
		return 1
	cat "$WWW/index.html" "$WWW/data.bin" >"$OUT/fetch.want"
	res "curl exit status $RC, $(wc -c <"$OUT/fetch.$1.out") bytes"
	if [ $RC != 0 ] || ! cmp -s "$OUT/fetch.$1.out" "$OUT/fetch.want"; then
		WHY="curl exit status $RC or a different body"
		return 1
	fi
	srv_stop
}

c_asyncio() {
	client_run asyncio "$1" "" "$PY" -c 'import asyncio

async def work(n):
    await asyncio.sleep(0.01 * n)
    return n * n

async def main():
    q = asyncio.Queue()
    await q.put("queued")
    got = await asyncio.gather(work(1), work(2), work(3))
    return got, await q.get()

print("asyncio.run:", asyncio.run(main()))' || return 1
	res "exit status $RC"
	res "stdout: $(cat "$OUT/asyncio.$1.out")"
	[ $RC = 0 ] || { WHY="exit status $RC"; return 1; }
}

# tests/net/splice.go inside the guest: io.Copy between TCP connections
# over its own 127.0.0.1, which Go does with splice(2).
c_go_splice() {
	go_build tests/net/splice.go "$OUT/gosplice" || return 1
	client_run go-splice "$1" "" "$OUT/gosplice" || return 1
	res "exit status $RC"
	res "stdout: $(cat "$OUT/go-splice.$1.out")"
	[ $RC = 0 ] || { WHY="exit status $RC"; return 1; }
}

# Loopback inside the guest: an asyncio echo server on 127.0.0.1 and ::1
# (where the host has ::1) and a client of its own, in one program.
c_asyncio_loopback() {
	client_run asyncio-loopback "$1" "" "$PY" -c 'import asyncio, socket

async def echo(reader, writer):
    while data := await reader.read(65536):
        writer.write(data.upper())
        await writer.drain()
    writer.close()

async def talk(host):
    server = await asyncio.start_server(echo, host, 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"hello " * 20000)
    writer.write_eof()
    got = await reader.read()
    writer.close()
    server.close()
    await server.wait_closed()
    return "%s: %d bytes back, %s" % (host, len(got), got[:12])

async def main():
    print(await talk("127.0.0.1"))
    if '"$V6"':
        print(await talk("::1"))

asyncio.run(main())' || return 1
	res "exit status $RC"
	res "stdout: $(cat "$OUT/asyncio-loopback.$1.out")"
	[ $RC = 0 ] || { WHY="exit status $RC"; return 1; }
}

# The JDK's home (lib/server/libjvm.so is dlopened: skiff packs it only
# with --dir) and Hello compiled into $OUT/java.
java_setup() {
	JH=$(dirname "$(dirname "$(readlink -f /usr/bin/java)")")
	mkdir -p "$OUT/java"
	cat >"$OUT/java/Hello.java" <<'EOF'
public class Hello {
	public static void main(String[] args) {
		System.out.println("Hello from Java " + Runtime.version().feature());
	}
}
EOF
	javac -d "$OUT/java" "$OUT/java/Hello.java" >"$OUT/java/javac.log" 2>&1
}

c_java() {
	# conf/ links into /etc/java-N-openjdk
	_etc=$(dirname "$(readlink -f "$JH/conf/net.properties")")
	_opts="-m 1G --dir $JH/lib --dir $OUT/java"
	[ -d "$_etc" ] && _opts="$_opts --dir $_etc"
	client_run java "$1" "$_opts" "$JH/bin/java" -cp "$OUT/java" Hello ||
		return 1
	res "exit status $RC"
	res "stdout: $(cat "$OUT/java.$1.out")"
	[ $RC = 0 ] || { WHY="exit status $RC"; return 1; }
}

# nginx as a master and two workers (forked).
c_nginx_workers() {
	TAG=nginx-workers.$1
	nginx_start "$1" nginx-workers \
		's/^master_process off;/master_process on;/; s/^worker_processes 1;/worker_processes 2;/'
	ready_http || return 1
	get index.html; want_file 200 "$WWW/index.html" || return 1
	get data.bin; want_file 200 "$WWW/data.bin" || return 1
	get missing.html
	[ "$CODE" = 404 ] || { WHY="GET /missing.html: $CODE, want 404"; return 1; }
	_ok=0
	for _i in $(seq 40); do
		[ "$(http_get "http://$NET_HOST:$NET_PORT/hello.txt" "$OUT/$TAG.h")" = 200 ] &&
			cmp -s "$OUT/$TAG.h" "$WWW/hello.txt" && _ok=$((_ok + 1))
	done
	res "40 GETs on new connections: $_ok right"
	[ "$_ok" = 40 ] || { WHY="$_ok of 40 GETs right"; return 1; }
	finish
}

# redis-server with its default save points: BGSAVE forks the dump.
c_redis_bgsave() {
	net_port
	TAG=redis-bgsave.$1
	_d=$OUT/$TAG.data	# not .d: the Makefile includes every build/**/*.d
	rm -rf "$_d" "$OUT/$TAG.rdb"
	mkdir -p "$_d"
	if [ "$1" = native ]; then
		srv_start redis-bgsave native 0 "" /usr/bin/redis-server --port "$NET_PORT" \
			--bind 127.0.0.1 --dir "$_d" --protected-mode no
	else
		srv_start redis-bgsave skiff 6379 "--dir $_d" /usr/bin/redis-server \
			--port 6379 --dir "$_d" --protected-mode no
	fi
	cli="timeout -k 2 30 redis-cli -h $NET_HOST -p $NET_PORT"
	srv_ready "$NET_READY_SECS" sh -c "$cli PING | grep -qx PONG" || return 1
	# 3000 keys of 1 KB: fewer changes than the 60 s save point (10000),
	# so no save starts by itself
	_v=$(head -c 1000 /dev/zero | tr '\0' v)
	seq 3000 | sed "s/.*/SET key:& $_v/" | $cli >/dev/null
	res "DBSIZE: $($cli DBSIZE)"
	res "BGSAVE: $($cli BGSAVE)"
	res "SET while saving: $($cli SET during yes)"
	res "GET while saving: $($cli GET key:1234 | cut -c 1-8)"
	res "INCR while saving: $($cli INCR n)"
	_i=0
	while [ $_i -lt 300 ] &&
		! $cli INFO persistence | tr -d '\r' | grep -qx 'rdb_bgsave_in_progress:0'; do
		sleep 0.2
		_i=$((_i + 1))
	done
	_st=$($cli INFO persistence | tr -d '\r' | sed -n 's/^rdb_last_bgsave_status://p')
	res "last bgsave status: $_st"
	[ "$_st" = ok ] || { WHY="BGSAVE status $_st"; return 1; }
	# a replica's sync: the server forks and streams an RDB to the socket
	timeout -k 2 120 redis-cli -h "$NET_HOST" -p "$NET_PORT" --rdb "$OUT/$TAG.rdb" \
		>/dev/null 2>&1
	res "redis-cli --rdb: exit status $?"
	_k=$(redis-check-rdb "$OUT/$TAG.rdb" 2>&1 | sed -n 's/.*\] \([0-9]*\) keys read.*/\1/p')
	res "keys in the streamed RDB: ${_k:-none}"
	[ "$_k" = 3002 ] || { WHY="the streamed RDB holds ${_k:-no} keys, want 3002"; return 1; }
	$cli SHUTDOWN SAVE >/dev/null 2>&1
	if ! srv_exit "$NET_STOP_SECS"; then
		WHY="still running ${NET_STOP_SECS}s after SHUTDOWN SAVE"
		return 1
	fi
	res "exit status after SHUTDOWN SAVE: $SRV_RC"
	! srv_panicked || { WHY="the kernel panicked"; return 1; }
}

# fork_skip: nothing when Skiff has processes (or only native runs are
# made), else why the checks that need them are skipped.
fork_skip() {
	[ "${NET_NATIVE_ONLY:-0}" = 1 ] && return
	fork_probe "$SKIFF"
	[ "$FORK_OK" = 1 ] || echo "$FORK_WHY"
}

make_www
head -c 150000 /dev/urandom | base64 -w 0 >"$OUT/big.txt"
{ cat "$OUT/big.txt"; echo; } >"$OUT/big.want"

run_check redis c_redis "$(need /usr/bin/redis-server redis-cli redis-benchmark curl)"
run_check nginx c_nginx "$(need /usr/sbin/nginx curl)"
run_check nginx-bulk c_nginx_bulk "$(need /usr/sbin/nginx curl)"
[ "$NET_MACHINE" = q35 ] ||
	run_check nginx-q35 c_nginx_q35 "$(need /usr/sbin/nginx curl)"
run_check memcached c_memcached "$(need /usr/bin/memcached)"
run_check http-server c_http_server "$(need /usr/bin/curl)"
run_check node c_node "$(need /usr/bin/node curl)"
run_check go c_go "$(need go curl)"
run_check go-splice c_go_splice "$(need go)"
run_check udp c_udp ""
run_check port-reuse c_port_reuse ""
run_check send-exit c_send_exit ""
run_check fetch c_fetch "$(need /usr/bin/curl)"
run_check asyncio c_asyncio ""
# ::1 too if the host has it (a container without IPv6 has not)
V6=0
$PY -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' \
	2>/dev/null && V6=1
run_check asyncio-loopback c_asyncio_loopback ""
jskip=$(need /usr/bin/java javac)
[ -z "$jskip" ] && { java_setup || jskip="javac failed (see $OUT/java/javac.log)"; }
run_check java c_java "$jskip"
. tests/net/hostile.sh
run_check hostile c_hostile "$(need /usr/sbin/nginx curl)$(tap_available)"
run_check nginx-workers c_nginx_workers "$(need /usr/sbin/nginx curl)$(fork_skip)"
run_check redis-bgsave c_redis_bgsave \
	"$(need /usr/bin/redis-server redis-cli redis-check-rdb)$(fork_skip)"

summary net
