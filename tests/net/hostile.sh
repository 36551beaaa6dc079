#!/bin/sh
# tests/net/hostile.sh: hostile traffic against nginx through -p, natively
# and in Skiff: connections opened concurrently (in batches) and dropped,
# some with an RST; half-open connections left hanging on a partial request
# while curl still gets 200; random bytes to the open port
# (tests/net/hostile.py). Afterwards nginx still serves the same file, it
# exits on a SIGTERM, and in Skiff the kernel did not panic and its free
# memory at exit is at least 95% of what it was at start, read from the two
# lines of the `skiff run --verbose` log
#     ... kernel free memory at start: N KiB
#     ... kernel free memory at exit: N KiB
# The short version (make test): 1,000 connections in batches of 100, 50
# half-open, 8 connections of 64 KiB of random bytes. NET_HOSTILE_LONG=1:
# 10 rounds of 1,000 connections in batches of 250, 200 half-open,
# 64 connections of 1 MiB.
#
#   tests/net/hostile.sh   alone: "net-hostile: N passed, N failed"
# tests/net/run.sh sources it and runs it as its check "hostile".
# Environment as tests/net/run.sh (NET_NATIVE_ONLY, NET_ACCEL, ...).

if [ "${NET_HOSTILE_LONG:-0}" = 1 ]; then
	HOSTILE_ARGS="1000 250 200 64 1048576 1200" HOSTILE_ROUNDS=10
else
	HOSTILE_ARGS="1000 100 50 8 65536 240" HOSTILE_ROUNDS=1
fi

# hostile_mem: the Skiff run's free memory at exit is within 5% of start.
hostile_mem() {
	_s=$(sed -n 's/.*kernel free memory at start: \([0-9]*\) KiB.*/\1/p' "$SRV_ERR" | tail -n 1)
	_e=$(sed -n 's/.*kernel free memory at exit: \([0-9]*\) KiB.*/\1/p' "$SRV_ERR" | tail -n 1)
	if [ -z "$_s" ] || [ -z "$_e" ]; then
		WHY="no 'kernel free memory at start/exit: N KiB' lines in the --verbose log (start: ${_s:-none}, exit: ${_e:-none})"
		return 1
	fi
	echo "hostile: kernel free memory at start $_s KiB, at exit $_e KiB"
	if [ $((_e * 100)) -lt $((_s * 95)) ]; then
		WHY="kernel free memory at exit $_e KiB, under 95% of $_s KiB at start"
		return 1
	fi
}

# In Skiff over a tap device in a namespace of the test's own (NET_TAP):
# QEMU's user networking accepts forwarded connections one at a time
# (slirp listens with a backlog of 1), which would measure SYN retries,
# not the guest. The native server is on 127.0.0.1.
c_hostile() {
	TAG=hostile.$1
	[ "$1" = skiff ] && NET_TAP=1
	nginx_start "$1" hostile
	NET_TAP=0
	ready_http || return 1
	get index.html; want_file 200 "$WWW/index.html" || return 1
	_r=1
	while [ $_r -le $HOSTILE_ROUNDS ]; do
		# shellcheck disable=SC2086
		if ! HOSTILE_HOST=$NET_HOST $NET_NSX "$PY" tests/net/hostile.py \
			"$NET_PORT" $HOSTILE_ARGS \
			>"$OUT/$TAG.traffic" 2>&1; then
			WHY="round $_r: $(grep -m 1 error "$OUT/$TAG.traffic")"
			return 1
		fi
		[ $_r = 1 ] && cat "$OUT/$TAG.traffic" >>"$RES"
		_r=$((_r + 1))
	done
	if ! srv_alive; then
		WHY="the server died under the traffic"
		return 1
	fi
	# It may take a moment to drop what it was sent: wait for a 200.
	srv_ready 60 sh -c "$NET_NSX curl -s -o /dev/null --max-time 5 -w '%{http_code}' \
		http://$NET_HOST:$NET_PORT/index.html | grep -qx 200" || return 1
	get index.html after
	want_file 200 "$WWW/index.html" || return 1
	finish || return 1
	[ "$1" = skiff ] || return 0
	hostile_mem
}

if [ "$(basename "$0")" = hostile.sh ]; then
	cd "$(dirname "$0")/../.." || exit 1
	. tests/lib/verdict.sh
	. tests/net/lib.sh
	make_www
	run_check hostile c_hostile "$(need /usr/sbin/nginx curl)$(tap_available)"
	summary net-hostile
fi
