# bench/net/net.sh: the network part of `make bench` (and all of
# `bench/run.sh net`). Sourced by bench/run.sh, whose globals and helpers it
# uses (B, R, QUICK, ACCEL, KHZ, log, install_missing, qemu_base, cpu_opt,
# shell_words); its entry points are net_build, net_all and net_facts.
#
# The same two Debian servers, nginx (a 13-byte and a 1 MiB file) and
# redis-server, run in Skiff (`skiff run -p`), in the Linux guest (Debian's
# kernel, virtio-net loaded, the host's very server binaries and libraries
# in its initramfs: bench/linux/mknetinitramfs.sh, netinit.c) and natively
# on the host, one at a time, and are loaded from the host over loopback:
#   nginx: wrk -t1 -c1 and -t1 -c64 on the small file (requests/s), wrk
#          -t1 -c1 on the 1 MiB file (MiB/s of body), connect+close per
#          second (bench/net/connclose.c)
#   redis: redis-benchmark -t get,set -c 1 at -P 1 and -P 16 (requests/s)
# Both guests get the same QEMU machine, memory, accelerator, -cpu and
# network backend: user networking with the published port forwarded from
# 127.0.0.1 (skiff's own -netdev/-device for `-p`). wrk shares the host's
# CPUs with QEMU, so the guests are interleaved round by round (Skiff,
# Linux, native, again) and the report gives medians and min-max.
#
# Every wait is bounded: a server that does not answer within NET_READY_S
# seconds, or exits, or a load tool that times out, gives its figures as
# "fail REASON" and the run goes on; a guest whose server never came up is
# not started again in later rounds.
#
# Results (in R, all named net-*): net-MACHINE-GUEST-MEASURE, one line per
# round, the figure or "fail REASON" (native: MACHINE is "host");
# net-out-* the servers' and tools' output; netcmd-* the exact commands;
# net-notes the load tools' warnings (socket errors); net-facts;
# net-features-linux-MACHINE (the virtio-net feature bits Linux negotiated)
# and net-skiff-netlog-MACHINE (what Skiff's kernel log, `skiff run --verbose`,
# says about its network device and stack): how each guest's path is set
# up (checksum offload, TSO, mergeable buffers, windows).

NET_ROUNDS=3 NET_SECS=5 CONN_N=2000
[ -n "$QUICK" ] && NET_ROUNDS=2 NET_SECS=2 CONN_N=500
REDIS_CAL=1000		# requests (times the pipeline depth) of the calibration
REDIS_CLIENTS=1		# see net_redis
NET_MACHINES=${BENCH_NET_MACHINES:-microvm}
NET_MEM=256		# MiB of guest RAM for the servers, in both guests
NET_READY_S=60		# seconds a server gets to answer after launch
NET_LIFE_S=600		# a server process is killed after this, whatever
GUEST_PORT_nginx=8080
GUEST_PORT_redis=6379
NET_GUESTS="skiff linux native"
MEASURES_nginx="small_c1 small_c64 big_c1 connclose"
MEASURES_redis="get_p1 set_p1 get_p16 set_p16"
SMALL_BODY="Hello, world"	# + newline: the 13-byte file
NET=$B/net
SRV_PID=

# Host ports: PORT_GUEST_SERVER, six consecutive free ones from
# BENCH_NET_PORT (28080), stepping by 10 past ports in use.
net_ports() {
	local base=${BENCH_NET_PORT:-28080} try p i busy
	for try in $(seq 0 50); do
		p=$((base + 10 * try))
		busy=
		for i in 0 1 2 3 4 5; do
			ss -Htln "( sport = :$((p + i)) )" | grep -q . && busy=1
		done
		[ -z "$busy" ] && break
	done
	PORT_skiff_nginx=$p PORT_skiff_redis=$((p + 1))
	PORT_linux_nginx=$((p + 2)) PORT_linux_redis=$((p + 3))
	PORT_native_nginx=$((p + 4)) PORT_native_redis=$((p + 5))
}

# The servers' files, shared by every way of running them (NET/root), the
# Linux guest's tree (NET/linux: the same plus /bench/NAME.argv) and its
# initramfs, the native prefix, and the host tools.
net_build() {
	local root=$NET/root
	install_missing nginx redis-server redis-tools wrk curl
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$B/connclose" \
		bench/net/connclose.c
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static \
		-o "$B/netinit" bench/linux/netinit.c
	rm -rf "$NET"
	mkdir -p "$root/etc/nginx" "$root/srv/www" "$root/tmp/nginx" \
		"$NET/native" "$NET/linux/bench"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' \
		>"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	echo "$SMALL_BODY" >"$root/srv/www/small"
	head -c 1048576 /dev/zero | tr '\0' x >"$root/srv/www/big"
	sed "s|@LISTEN@|$GUEST_PORT_nginx|; s|@ROOT@|/srv/www|" \
		bench/net/nginx.conf >"$root/etc/nginx/bench.conf"
	net_ports
	sed "s|@LISTEN@|127.0.0.1:$PORT_native_nginx|; s|@ROOT@|$PWD/$root/srv/www|" \
		bench/net/nginx.conf >"$NET/native/nginx.conf"
	cp -a "$root/." "$NET/linux/"
	net_guest_argv nginx | tr '\n' '\0' >"$NET/linux/bench/nginx.argv"
	net_guest_argv redis | tr '\n' '\0' >"$NET/linux/bench/redis.argv"
	NET_LINUX_OK=1
	if ! command -v nginx redis-server >/dev/null ||
	   ! bench/linux/mknetinitramfs.sh "$B/linux/net-initramfs.cpio" \
		"$B/netinit" "$B/linux/modules" "$NET/linux" \
		"$(command -v nginx)" "$(command -v redis-server)" \
		2>"$R/net-out-mkinitramfs.err"; then
		log "network: no Linux guest initramfs (see $R/net-out-mkinitramfs.err)"
		NET_LINUX_OK=
	fi
}

# The server's argument vector in the guests, one word a line (redis's
# --save takes an empty word).
net_guest_argv() {
	case $1 in
	nginx) printf '%s\n' "$(command -v nginx)" -p /tmp/nginx/ \
		-c /etc/nginx/bench.conf -e stderr ;;
	redis) printf '%s\n' "$(command -v redis-server)" \
		--port "$GUEST_PORT_redis" --save '' --appendonly no \
		--protected-mode no ;;
	esac
}

# Sets CMD to the command serving $3 (nginx, redis) as guest $1 on machine
# $2; the host port is PORT_GUEST_SERVER.
net_cmd() {
	local g=$1 m=$2 s=$3 port gp nic mo argv
	eval "port=\$PORT_${g}_$s gp=\$GUEST_PORT_$s"
	mapfile -t argv < <(net_guest_argv "$s")
	case $g in
	skiff)
		local files=()
		[ "$s" = nginx ] && files=(
			--file "$NET/root/etc/passwd:/etc/passwd"
			--file "$NET/root/etc/group:/etc/group"
			--file "$NET/root/etc/nginx/bench.conf:/etc/nginx/bench.conf"
			--dir "$NET/root/srv:/srv" --dir "$NET/root/tmp:/tmp")
		CMD=("$B/skiff" run --no-cwd --accel "$ACCEL" --machine "$m"
			-m "$NET_MEM" -p "127.0.0.1:$port:$gp" "${files[@]}"
			"${argv[@]}") ;;
	linux)
		nic=virtio-net-device mo=microvm,x-option-roms=off
		[ "$m" = q35 ] && nic=virtio-net-pci mo=q35
		qemu_base "$mo" "$NET_MEM"
		CMD=("${QEMU[@]}" -kernel "$B/linux/vmlinuz"
			-initrd "$B/linux/net-initramfs.cpio"
			-append "$(bench/linux/cmdline.sh "$m" "$KHZ") -- $s"
			-netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$port-:$gp"
			-device "$nic,netdev=net0")
		[ "$m" = microvm ] &&
			CMD+=(-global virtio-mmio.force-legacy=false) ;;
	native)
		case $s in
		nginx) CMD=(nginx -p "$PWD/$NET/native/"
			-c "$PWD/$NET/native/nginx.conf" -e stderr) ;;
		redis) CMD=(redis-server --port "$port" --bind 127.0.0.1
			--save '' --appendonly no --protected-mode no) ;;
		esac ;;
	esac
	local f=$R/netcmd-$g-$m-$s
	[ -e "$f" ] || { echo "# $s, $(net_label "$g")$([ "$g" = native ] ||
		echo " on $m, $NET_MEM MiB"), host port $port"
		shell_words "${CMD[@]}"; } >"$f"
}

net_label() {
	case $1 in
	skiff) echo Skiff ;;
	linux) echo "Linux guest" ;;
	native) echo "native, on the host" ;;
	esac
}

# Starts CMD in a process group of its own (GNU timeout makes one), output
# to $1, killed after NET_LIFE_S whatever happens. Sets SRV_PID.
net_start() {
	timeout -k 5 "$NET_LIFE_S" "${CMD[@]}" </dev/null >"$1" 2>&1 &
	SRV_PID=$!
}

# Stops the server started last: SIGTERM to its group, SIGKILL after 10 s.
net_stop() {
	local i
	[ -n "$SRV_PID" ] || return 0
	kill -TERM -- "-$SRV_PID" 2>/dev/null || true
	for i in $(seq 100); do
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$SRV_PID" 2>/dev/null || true
	wait "$SRV_PID" 2>/dev/null || true
	SRV_PID=
}

# The last line of output file $1 worth quoting, on one line, safe in a
# Markdown table.
net_tail() {
	# Never fails: an empty file (a load tool that printed nothing) is
	# an empty reason, not the end of the run under set -e.
	{ tr -d '\r' <"$1" 2>/dev/null | grep -v '^ *$' | tail -1 |
		cut -c1-160 | sed 's/|/\\|/g; s/`/'"'"'/g'; } || true
}

# Does server $1 answer correctly on 127.0.0.1:$2? Prints why not.
net_probe() {
	local got
	case $1 in
	nginx)
		got=$(curl -s -m 2 "http://127.0.0.1:$2/small" 2>/dev/null) ||
			{ echo "no HTTP answer"; return 1; }
		[ "$got" = "$SMALL_BODY" ] ||
			{ echo "GET /small returned \"$(echo "$got" | head -c 40)\""; return 1; }
		got=$(curl -s -m 30 -o /dev/null -w '%{size_download}' \
			"http://127.0.0.1:$2/big" 2>/dev/null) || true
		[ "$got" = 1048576 ] ||
			{ echo "GET /big returned ${got:-no} bytes, not 1048576"; return 1; }
		;;
	redis)
		got=$(timeout 5 redis-cli -h 127.0.0.1 -p "$2" ping 2>/dev/null) || true
		[ "$got" = PONG ] || { echo "no PONG"; return 1; }
		;;
	esac
}

# Waits up to NET_READY_S for the server started last to answer on port
# $2 (its output in $3); on failure sets WHY and returns 1.
net_wait_ready() {
	local s=$1 port=$2 out=$3 start st=0
	start=$(date +%s)
	while :; do
		WHY=$(net_probe "$s" "$port") && return 0
		if ! kill -0 "$SRV_PID" 2>/dev/null; then
			wait "$SRV_PID" 2>/dev/null || st=$?
			SRV_PID=
			WHY="exited (status $st) without answering; last output: $(net_tail "$out")"
			return 1
		fi
		if [ $(($(date +%s) - start)) -ge "$NET_READY_S" ]; then
			WHY="no correct answer on 127.0.0.1:$port within ${NET_READY_S} s ($WHY); last output: $(net_tail "$out")"
			return 1
		fi
		sleep 0.25
	done
}

# Appends figure or "fail REASON" $4 for guest $1, machine $2, measure $3.
net_put() { echo "$4" >>"$R/net-$2-$1-$3"; }

# wrk -t1 -c$3 on URL path $4 of port $2 for NET_SECS; prints requests/s
# ($5 = big: MiB/s of body) or "fail REASON". $1: output file prefix.
net_wrk() {
	local out=$1.wrk-$3-$4 n rps bad spid=
	# How many connections the server side holds near the end (see the
	# report on QEMU's listen backlog).
	if [ "$3" -gt 1 ]; then
		(sleep "$(awk -v s="$NET_SECS" 'BEGIN { print s - 0.3 }')"
		 ss -Htn state established "( sport = :$2 )" | wc -l \
			>"$out.established") &
		spid=$!
	fi
	timeout $((NET_SECS + 30)) wrk -t1 -c"$3" -d"${NET_SECS}s" \
		"http://127.0.0.1:$2/$4" >"$out" 2>&1 || true
	if [ -n "$spid" ]; then
		wait "$spid" || true
		echo "$(basename "$out"): $(cat "$out.established") of $3" \
			"connections established near the end" >>"$R/net-notes"
	fi
	n=$(awk '/requests in/ { print $1; exit }' "$out")
	rps=$(awk '/^Requests\/sec:/ { print $2; exit }' "$out")
	bad=$(awk '/Non-2xx or 3xx/ { print $NF; exit }' "$out")
	if [ -z "$n" ] || [ "$n" = 0 ] || [ -z "$rps" ]; then
		echo "fail wrk -c$3 /$4: no response in ${NET_SECS} s ($(net_tail "$out"))"
	elif [ -n "$bad" ]; then
		echo "fail wrk -c$3 /$4: $bad responses not 2xx"
	else
		grep -q 'Socket errors' "$out" && echo "$(basename "$out"):" \
			"$(grep 'Socket errors' "$out" | sed 's/^ *//')" >>"$R/net-notes"
		if [ "$4" = big ]; then
			awk -v r="$rps" 'BEGIN { printf "%.2f\n", r }'
		else
			echo "$rps"
		fi
	fi
}

net_connclose() {
	local out=$1.connclose r
	timeout $((2 * NET_SECS + 30)) "$B/connclose" 127.0.0.1 "$2" \
		"$CONN_N" "$((2 * NET_SECS))" >"$out" 2>&1 || true
	r=$(awk '$1 == "connections" && $2 > 0 { print $6 }' "$out")
	if [ -z "$r" ]; then
		echo "fail connect+close: $(net_tail "$out")"
		return
	fi
	awk '$1 == "connections" && $8 > 0' "$out" | sed "s|^|$(basename "$out"): |" \
		>>"$R/net-notes"
	echo "$r"
}

# redis-benchmark -t get,set -c REDIS_CLIENTS -P $3 on port $2: sets GET
# and SET to requests/s or "fail REASON". -n is chosen for a run of about
# NET_SECS per test from a short calibration run, so that the slowest
# guest and the native server are measured for alike durations. One client:
# QEMU's user networking listens for a published port with a backlog of 1
# (libslirp), so a burst of connections (redis-benchmark's default 50)
# overflows the host's accept queue and most of them wait for SYN-ACK
# retransmissions (1, 3, 7, 15 s...): the run would time the backoff.
net_redis() {
	local out=$1.redis-P$3 limit=$((NET_SECS * 4 + 30)) st=0 n rps why
	GET='' SET=''
	timeout 60 redis-benchmark -h 127.0.0.1 -p "$2" -t get,set \
		-c "$REDIS_CLIENTS" -n $((REDIS_CAL * $3)) -P "$3" --csv \
		>"$out.cal" 2>&1 || true
	rps=$(awk -F'"' '$2 == "GET" || $2 == "SET" { print $4 }' "$out.cal" |
		sort -g | head -1)
	if [ -z "$rps" ]; then
		GET="fail redis-benchmark -P $3 calibration: no result within 60 s ($(net_tail "$out.cal"))"
		SET=$GET
		return
	fi
	n=$(awk -v r="$rps" -v s="$NET_SECS" -v m=$((REDIS_CAL * $3)) 'BEGIN {
		n = int(r * s); if (n < m) n = m; if (n > 5000000) n = 5000000
		print n }')
	timeout "$limit" redis-benchmark -h 127.0.0.1 -p "$2" -t get,set \
		-c "$REDIS_CLIENTS" -n "$n" -P "$3" --csv >"$out" 2>&1 || st=$?
	GET=$(awk -F'"' '$2 == "GET" { print $4 }' "$out")
	SET=$(awk -F'"' '$2 == "SET" { print $4 }' "$out")
	why="redis-benchmark -P $3 -n $n: $(net_tail "$out")"
	[ "$st" = 124 ] && why="redis-benchmark -P $3 -n $n did not finish within $limit s"
	GET=${GET:-fail $why}
	SET=${SET:-fail $why}
}

# One server $3 as guest $1 on machine $2 in round $4, and its load.
net_serve() {
	local g=$1 m=$2 s=$3 i=$4 port out why k base
	eval "port=\$PORT_${g}_$s"
	base=$R/net-out-$g-$m-$s-$i
	out=$base.console
	if [ -e "$R/net-skip-$g-$m-$s" ]; then
		why="fail not started again: $(cat "$R/net-skip-$g-$m-$s")"
		for k in $(eval echo "\$MEASURES_$s"); do net_put "$g" "$m" "$k" "$why"; done
		return
	fi
	net_cmd "$g" "$m" "$s"
	log "network: $s in $(net_label "$g") ($m), round $i of $NET_ROUNDS"
	net_start "$out"
	if ! net_wait_ready "$s" "$port" "$out"; then
		log "network: $s in $(net_label "$g") ($m): $WHY"
		echo "round $i: $WHY" >"$R/net-skip-$g-$m-$s"
		for k in $(eval echo "\$MEASURES_$s"); do net_put "$g" "$m" "$k" "fail $WHY"; done
		net_stop
		return
	fi
	case $s in
	nginx)
		net_put "$g" "$m" small_c1 "$(net_wrk "$base" "$port" 1 small)"
		net_put "$g" "$m" small_c64 "$(net_wrk "$base" "$port" 64 small)"
		net_put "$g" "$m" big_c1 "$(net_wrk "$base" "$port" 1 big)"
		net_put "$g" "$m" connclose "$(net_connclose "$base" "$port")" ;;
	redis)
		net_redis "$base" "$port" 1
		net_put "$g" "$m" get_p1 "$GET"
		net_put "$g" "$m" set_p1 "$SET"
		net_redis "$base" "$port" 16
		net_put "$g" "$m" get_p16 "$GET"
		net_put "$g" "$m" set_p16 "$SET" ;;
	esac
	net_stop
}

net_available() {
	case $1 in
	skiff) [ -x "$B/skiff" ] && [ -s "$B/kernel.elf" ] ;;
	linux) [ -n "$NET_LINUX_OK" ] ;;
	native) true ;;
	esac
}

net_all() {
	local i m g s
	trap 'net_stop' EXIT
	rm -f "$R"/net-skip-*
	log "network: $NET_ROUNDS rounds on $NET_MACHINES, ${NET_SECS} s loads"
	for i in $(seq "$NET_ROUNDS"); do
		for g in $NET_GUESTS; do
			for m in $NET_MACHINES; do
				[ "$g" = native ] && m=host
				for s in nginx redis; do
					if net_available "$g"; then
						net_serve "$g" "$m" "$s" "$i"
					else
						net_unavailable "$g" "$m" "$s"
					fi
				done
				[ "$g" = native ] && break
			done
		done
	done
	for m in $NET_MACHINES; do
		tr -d '\r' <"$R/net-out-linux-$m-nginx-1.console" 2>/dev/null |
			sed -n 's/^netinit: eth0 virtio features \([01]*\).*/features \1/p
				s/^netinit: \(tcp_[rw]mem\)/\1/p' \
			>"$R/net-features-linux-$m"
		net_skiff_log "$m"
	done
	rm -f "$R"/net-skip-*
	trap - EXIT
}

# Skiff's kernel log about its network, from one more boot of nginx with
# `skiff run --verbose` (serving /big once), if nginx came up in Skiff at all.
net_skiff_log() {
	local m=$1 out=$R/net-out-skiff-$1-verbose.console
	[ -e "$R/net-skip-skiff-$m-nginx" ] && return 0
	net_available skiff || return 0
	net_cmd skiff "$m" nginx
	CMD=("${CMD[0]}" run --verbose "${CMD[@]:2}")
	net_start "$out"
	net_wait_ready nginx "$PORT_skiff_nginx" "$out" || true
	net_stop
	grep -a -i -E 'virtio|net|eth0|lwip|csum|checksum|tso|gso|mss|wnd|window|mrg' \
		"$out" | grep -v -E '^skiff: .*qemu' | tr -d '\r' | head -30 \
		>"$R/net-skiff-netlog-$m" || true
	# skiff's own QEMU command line, to set beside the Linux guest's.
	grep -a -m1 '^skiff: .*qemu' "$out" | sed 's/^skiff: //' \
		>"$R/net-skiff-qemu-$m" || true
}

net_unavailable() {
	local k why="fail not run: no build/skiff and build/kernel.elf"
	[ "$1" = linux ] && why="fail not run: no initramfs (see net-out-mkinitramfs.err)"
	for k in $(eval echo "\$MEASURES_$3"); do net_put "$1" "$2" "$k" "$why"; done
}

net_facts() {
	{
		echo "date $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "quick ${QUICK:-0}"
		echo "rounds $NET_ROUNDS"
		echo "secs $NET_SECS"
		echo "mem $NET_MEM"
		echo "accel $ACCEL"
		echo "machines $NET_MACHINES"
		echo "redis_cal $REDIS_CAL"
		echo "redis_clients $REDIS_CLIENTS"
		echo "slirp $(dpkg-query -W -f='${Version}' libslirp0 2>/dev/null)"
		echo "conn_n $CONN_N"
		echo "ready_s $NET_READY_S"
		echo "nginx $(nginx -v 2>&1 | sed 's/.*: //')"
		echo "redis $(redis-server --version | awk '{ print $3 }' | sed 's/v=//')"
		echo "wrk $(wrk --version 2>&1 | awk 'NR == 1 { print $2 }')"
		echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
	} >"$R/net-facts"
}
