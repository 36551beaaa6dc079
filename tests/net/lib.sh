# tests/net/lib.sh: helpers shared by tests/net/run.sh and
# tests/net/hostile.sh: start a server natively or in Skiff with a port
# published, wait until it answers, stop it, compare the two runs. Sourced
# after tests/lib/verdict.sh, from the repository's root, not run.
#
#   net_port [udp]             sets NET_PORT to a free TCP (UDP) port on
#                              127.0.0.1
#   srv_start NAME SIDE GPORT OPTS PROGRAM ARGS...
#                              starts PROGRAM in the background: natively
#                              (SIDE native, env -i, listening where ARGS say)
#                              or in Skiff (SIDE skiff: skiff run --verbose
#                              -p 127.0.0.1:$NET_PORT:GPORT OPTS PROGRAM
#                              (GPORT may end in /udp)
#                              ARGS); stdout, stderr in $OUT/NAME.SIDE.{out,
#                              err}; sets SRV_PID
#   srv_ready SECS PROBE...    runs PROBE (each try under `timeout 10`)
#                              until it succeeds: 0; 1 when SECS pass or
#                              the server exits first (sets WHY)
#   srv_exit SECS              waits SECS at most for the server to exit by
#                              itself; 0 and SRV_RC set, or 1
#   srv_stop                   SIGTERM, then SIGKILL after $NET_STOP_SECS;
#                              sets SRV_RC; 0 if it ended on the SIGTERM
#   run_check NAME FN [SKIP]   runs FN SIDE for each side, then verdict
#   verdict NAME               compares $OUT/NAME.{native,skiff}.res and
#                              prints the check's line
#
#   tap_available              nothing when a Skiff run can use a tap device
#                              in a network namespace of its own, else the
#                              reason it cannot (not root, no /dev/net/tun)
#   NET_TAP=1                  srv_start runs Skiff in such a namespace
#                              (tap_up) with --net tap instead of -p: the
#                              host side reaches it at $NET_HOST:GPORT
#                              through $NET_NSX (ip netns exec NS) -- no
#                              QEMU user networking in between, whose
#                              listen backlog of 1 serializes connections
#
# and, for the web servers: make_www (the files in $WWW), get PATH (a GET,
# its result line), want_file CODE FILE, ready_http, nginx_start SIDE NAME,
# finish (SIGTERM, skiff must exit, its status, no panic), need PROGRAM... (a reason to
# skip).
#
# Each check function sets WHY and returns 1 when its run is wrong: the
# same assertions hold natively (the proof that the test is right) and in
# Skiff, and then the two .res files must be equal.
#
# Environment: NET_NATIVE_ONLY=1 runs the native side only (each check
# then says "native only"); NET_ACCEL (default tcg), NET_MACHINE (default
# microvm), NET_MEMORY (default 512M) go to skiff run.

ROOT=$(pwd)
OUT=$ROOT/build/net
SKIFF=${NET_SKIFF:-$ROOT/build/skiff}
DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
PY=/usr/bin/python3
: "${NET_ACCEL:=tcg}"
: "${NET_MACHINE:=microvm}"
: "${NET_MEMORY:=512M}"
: "${NET_VM_TIMEOUT:=300}"	# a whole server run, at most
: "${NET_READY_SECS:=60}"	# boot and start-up under TCG, at most
: "${NET_STOP_SECS:=30}"	# SIGTERM to exit, at most
NET_PIDS=""
NET_HOST=127.0.0.1	# where the host side reaches the server
NET_NSX=""		# the prefix that runs a host-side client there
NET_NS=""		# the network namespace tap_up made, if any
WWW=$OUT/www		# what the web servers serve
NET_SIDES="native skiff"
[ "${NET_NATIVE_ONLY:-0}" = 1 ] && NET_SIDES=native
mkdir -p "$OUT"

# _kill9 PID: SIGKILL to a `timeout` we started and to its child (skiff,
# whose QEMU dies with it, or the native server): a SIGKILL to timeout
# alone would leave its child running.
_kill9() {
	pkill -KILL -P "$1" 2>/dev/null
	kill -KILL "$1" 2>/dev/null
}

# Every server still running is killed on exit; only our own pids.
net_cleanup() {
	if [ -n "$NET_PIDS" ]; then
		for p in $NET_PIDS; do
			kill -TERM "$p" 2>/dev/null
		done
		sleep 1
		for p in $NET_PIDS; do
			_kill9 "$p"
		done
		NET_PIDS=""
	fi
	tap_down
}
trap 'net_cleanup' EXIT
trap 'net_cleanup; exit 130' INT TERM HUP

# shellcheck disable=SC2120
net_port() {
	NET_PORT=$($PY -c 'import socket, sys
s = socket.socket(type=socket.SOCK_DGRAM if sys.argv[1:] else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "$@")
}

tap_available() {
	if [ "$(id -u)" != 0 ]; then
		echo "a tap device needs root"
	elif [ ! -c /dev/net/tun ]; then
		echo "no /dev/net/tun"
	elif ! command -v ip >/dev/null; then
		echo "no ip (iproute2)"
	fi
}

# tap_up: a network namespace of this test with a tap device sktap0,
# 10.99.0.1/24 on the host side; the guest is 10.99.0.2. Nothing else is
# in the namespace, so no traffic can leave it.
tap_up() {
	NET_NS=sknet$$
	ip netns add "$NET_NS" &&
		ip netns exec "$NET_NS" ip link set lo up &&
		ip netns exec "$NET_NS" ip tuntap add dev sktap0 mode tap &&
		ip netns exec "$NET_NS" ip addr add 10.99.0.1/24 dev sktap0 &&
		ip netns exec "$NET_NS" ip link set sktap0 up || {
		WHY="cannot make a network namespace with a tap device"
		tap_down
		return 1
	}
	NET_NSX="ip netns exec $NET_NS" NET_HOST=10.99.0.2
}

tap_down() {
	[ -n "$NET_NS" ] && ip netns del "$NET_NS" 2>/dev/null
	NET_NS="" NET_NSX="" NET_HOST=127.0.0.1
}

srv_start() {
	_n=$1 _side=$2 _gport=$3 _opts=$4
	shift 4
	SRV_SIDE=$_side SRV_RC=""
	SRV_ERR=$OUT/$_n.$_side.err
	if [ "$_side" = native ]; then
		set -- env -i PATH="$DEFAULT_PATH" HOME=/ PYTHONDONTWRITEBYTECODE=1 "$@"
	elif [ "${NET_TAP:-0}" = 1 ]; then
		tap_up || return 1
		NET_PORT=$_gport
		# shellcheck disable=SC2086
		set -- ip netns exec "$NET_NS" "$SKIFF" run --machine "$NET_MACHINE" \
			--accel "$NET_ACCEL" -m "$NET_MEMORY" --verbose --net tap=sktap0 \
			--ip 10.99.0.2/24 --gateway 10.99.0.1 \
			-e PYTHONDONTWRITEBYTECODE=1 $_opts "$@"
	else
		# shellcheck disable=SC2086
		set -- "$SKIFF" run --machine "$NET_MACHINE" --accel "$NET_ACCEL" \
			-m "$NET_MEMORY" --verbose -p "127.0.0.1:$NET_PORT:$_gport" \
			-e PYTHONDONTWRITEBYTECODE=1 $_opts "$@"
	fi
	# --foreground: else timeout signals its process group as well as the
	# command, skiff gets a SIGTERM twice, and a second one ends the VM
	# before the program could exit by itself.
	timeout --foreground -k 5 "$NET_VM_TIMEOUT" "$@" </dev/null \
		>"$OUT/$_n.$_side.out" 2>"$SRV_ERR" &
	SRV_PID=$!
	NET_PIDS="$NET_PIDS $SRV_PID"
}

srv_alive() {
	kill -0 "$SRV_PID" 2>/dev/null
}

# _srv_reap: collects the server's exit status, forgets its pid.
_srv_reap() {
	wait "$SRV_PID"
	SRV_RC=$?
	NET_PIDS=$(echo "$NET_PIDS" | sed "s/ $SRV_PID\b//")
}

srv_ready() {
	_secs=$1
	_end=$(($(date +%s) + _secs))
	shift
	while [ "$(date +%s)" -lt "$_end" ]; do
		if timeout -k 2 10 "$@" >/dev/null 2>&1; then
			return 0
		fi
		if ! srv_alive; then
			_srv_reap
			WHY="the server exited (status $SRV_RC) before answering"
			return 1
		fi
		sleep 0.5
	done
	WHY="no answer within ${_secs}s"
	return 1
}

srv_exit() {
	_i=0
	while srv_alive && [ $_i -lt $(($1 * 5)) ]; do
		sleep 0.2
		_i=$((_i + 1))
	done
	srv_alive && return 1
	_srv_reap
	return 0
}

srv_stop() {
	srv_alive && kill -TERM "$SRV_PID" 2>/dev/null
	srv_exit "$NET_STOP_SECS" && return 0
	_kill9 "$SRV_PID"
	_srv_reap
	return 1
}

# srv_panicked: the Skiff run's log shows a kernel panic.
srv_panicked() {
	[ "$SRV_SIDE" = skiff ] && grep -qi 'panic' "$SRV_ERR"
}

# http_get URL FILE: the body into FILE; prints the HTTP status code.
http_get() {
	$NET_NSX curl -sS --max-time 30 -o "$2" -w '%{http_code}' "$1" 2>/dev/null
}

# res LINE...: appends a line to the check's result file (what is compared).
res() {
	echo "$*" >>"$RES"
}

# run_check NAME FUNCTION [SKIP-REASON]: runs FUNCTION SIDE for each side,
# then prints the check's verdict. A nonempty SKIP-REASON skips it.
run_check() {
	_name=$1 _fn=$2
	if [ -n "$ONLY" ] && ! echo " $ONLY " | grep -q " $_name "; then
		return
	fi
	if [ -n "$3" ]; then
		skip "$_name" "$3"
		return
	fi
	for side in $NET_SIDES; do
		RES=$OUT/$_name.$side.res
		: >"$RES"
		WHY=""
		if ! "$_fn" "$side"; then
			[ -n "$WHY" ] || WHY="failed"
			echo "$WHY" >"$OUT/$_name.$side.why"
		else
			rm -f "$OUT/$_name.$side.why"
		fi
		net_cleanup
	done
	verdict "$_name"
}

verdict() {
	_b=$OUT/$1
	if [ -f "$_b.native.why" ]; then
		fail "$1" "native run: $(cat "$_b.native.why") (a test or host problem)"
		_tail "$_b.native.err"
		return
	fi
	if [ "${NET_NATIVE_ONLY:-0}" = 1 ]; then
		pass "$1 (native only: $(wc -l <"$_b.native.res") result lines)"
		return
	fi
	if [ -f "$_b.skiff.why" ]; then
		fail "$1" "skiff: $(cat "$_b.skiff.why")"
	elif ! cmp -s "$_b.native.res" "$_b.skiff.res"; then
		fail "$1" "served differently from the native run"
	else
		pass "$1"
		return
	fi
	if ! cmp -s "$_b.native.res" "$_b.skiff.res"; then
		echo "  --- native  +++ skiff (first differences)"
		diff -u --label native --label skiff "$_b.native.res" "$_b.skiff.res" |
			sed -n '3,$p' | head -n 20 | cut -c 1-200 | sed 's/^/  /'
	fi
	_tail "$_b.skiff.err"
}

# _tail FILE: the last lines of a run's stderr, indented.
_tail() {
	[ -s "$1" ] || return
	echo "  stderr (last lines of $1):"
	tail -n 12 "$1" | cut -c 1-200 | sed 's/^/  | /'
}

# The files the web servers serve, the same for both runs.
make_www() {
	rm -rf "$WWW"
	mkdir -p "$WWW/sub"
	printf '<html><body>Skiff static file</body></html>\n' >"$WWW/index.html"
	printf 'plain text, line 1\nline 2\n' >"$WWW/hello.txt"
	head -c 200000 /dev/urandom >"$WWW/data.bin"
	head -c 1048576 /dev/urandom >"$WWW/bulk.bin"	# run.sh's nginx-bulk
	printf 'in a folder\n' >"$WWW/sub/note.txt"
}

# get PATH [NAME]: fetches http://127.0.0.1:$NET_PORT/PATH; the result
# line gives the status, the size and the sha256 of the body. The body is
# kept in $OUT/$TAG.NAME.body.
get() {
	_b=$(echo "${1:-root}" | tr -c 'a-zA-Z0-9.\n' _)
	_b=$OUT/$TAG.${2:-$_b}.body
	_code=$(http_get "http://$NET_HOST:$NET_PORT/$1" "$_b")
	res "GET /$1: $_code, $(wc -c <"$_b" 2>/dev/null || echo no) bytes," \
		"sha256 $(sha256sum <"$_b" 2>/dev/null | cut -c 1-16)"
	CODE=$_code BODY=$_b
}

# want_file CODE FILE: the last get answered CODE with FILE's bytes.
want_file() {
	if [ "$CODE" != "$1" ] || ! cmp -s "$BODY" "$2"; then
		WHY="GET of $2: status $CODE (want $1) or a different body"
		return 1
	fi
}

# finish: stops the server with a SIGTERM (skiff passes it to the program,
# as docker stop does) and records its exit status; the verdict of a run
# that served well so far.
finish() {
	if ! srv_stop; then
		WHY="did not exit within ${NET_STOP_SECS}s of a SIGTERM"
		return 1
	fi
	res "exit status after a SIGTERM: $SRV_RC"
	if srv_panicked; then
		WHY="the kernel panicked"
		return 1
	fi
}

# ready_http: waits until GET / answers at all.
ready_http() {
	srv_ready "$NET_READY_SECS" sh -c \
		"$NET_NSX curl -s -o /dev/null --max-time 5 http://$NET_HOST:$NET_PORT/ -w '%{http_code}' | grep -q '^[1-5]'"
}

# nginx_conf DIR LISTEN: writes DIR/nginx.conf serving $WWW on LISTEN.
nginx_conf() {
	mkdir -p "$1"
	cat >"$1/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
user root root;
error_log stderr;
pid $1/nginx.pid;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $1/body;
	proxy_temp_path $1/proxy;
	fastcgi_temp_path $1/fastcgi;
	uwsgi_temp_path $1/uwsgi;
	scgi_temp_path $1/scgi;
	types { text/html html; text/plain txt; application/octet-stream bin; }
	server {
		listen $2;
		root $WWW;
	}
}
EOF
}

# nginx_start SIDE NAME [SED]: nginx serving $WWW, natively or in Skiff;
# SED, a sed script, edits its nginx.conf first.
nginx_start() {
	_d=$OUT/$2.$1.conf
	rm -rf "$_d"
	net_port
	if [ "$1" = native ]; then
		nginx_conf "$_d" "127.0.0.1:$NET_PORT"
	else
		nginx_conf "$_d" 80
	fi
	[ -z "${3:-}" ] || sed -i "$3" "$_d/nginx.conf"
	srv_start "$2" "$1" 80 "--dir $_d --dir $WWW" /usr/sbin/nginx \
		-p "$_d/" -e stderr -c "$_d/nginx.conf"
}

# need PROGRAM...: nothing if every PROGRAM (a path, or a name in $PATH)
# is installed, else the reason to skip the check.
need() {
	_m=""
	for _p in "$@"; do
		case $_p in
		/*) [ -x "$_p" ] || _m="$_m $_p" ;;
		*) command -v "$_p" >/dev/null 2>&1 || _m="$_m $_p" ;;
		esac
	done
	[ -z "$_m" ] || echo "not installed:$_m (scripts/deps.sh could not install it)"
}
