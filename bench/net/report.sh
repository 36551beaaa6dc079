# bench/net/report.sh: the network part of docs/performance.md. Sourced by
# bench/report.sh (uses its R, ratio, times); entry points net_goals (rows
# of the goals table), net_section and net_only_doc (the whole document of
# `bench/run.sh net` when there is no full run to join).
# Reads what bench/net/net.sh wrote: net-facts, net-MACHINE-GUEST-MEASURE
# (per round: a figure or "fail REASON"), netcmd-*, net-notes.

NET_MEASURES="small_c1 small_c64 big_c1 connclose get_p1 set_p1 get_p16 set_p16"

net_fact() {
	awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }' \
		"$R/net-facts" 2>/dev/null
}

net_measure_label() {
	case $1 in
	small_c1) echo "nginx, 13-byte file, \`wrk -t1 -c1\`, requests/s" ;;
	small_c64) echo "nginx, 13-byte file, \`wrk -t1 -c64\`, requests/s" ;;
	big_c1) echo "nginx, 1 MiB file, \`wrk -t1 -c1\`, MiB/s" ;;
	connclose) echo "TCP connect + close (nginx's port), per second" ;;
	get_p1) echo "redis GET, \`-P 1\`, requests/s" ;;
	set_p1) echo "redis SET, \`-P 1\`, requests/s" ;;
	get_p16) echo "redis GET, \`-P 16\`, requests/s" ;;
	set_p16) echo "redis SET, \`-P 16\`, requests/s" ;;
	esac
}

net_file() { # guest machine measure
	[ "$1" = native ] && set -- native host "$3"
	echo "$R/net-$2-$1-$3"
}

# "median min max ok failed" of the figures in file $1.
net_stats() {
	[ -s "$1" ] || { echo "- - - 0 0"; return; }
	awk '$1 == "fail" { f++; next } $1 ~ /^[0-9.]+$/ { print $1 }
		END { print "F", f + 0 }' "$1" | sort -g | awk '
		$1 == "F" { f = $2; next } { v[++n] = $1 }
		END {
			if (!n) { print "- - - 0", f; exit }
			m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			print m, v[1], v[n], n, f }'
}

net_median() { net_stats "$(net_file "$@")" | cut -d' ' -f1; }

# A figure as the table shows it: no decimals from 100 up.
net_num() {
	awk -v v="$1" 'BEGIN { printf(v >= 100 ? "%.0f" : "%.1f", v) }'
}

# The first reason a figure failed, shortened for a table cell.
net_why() {
	awk '$1 == "fail" { $1 = ""; sub(/^ /, ""); print; exit }' "$1" |
		cut -c1-220
}

# The number of guest $1's reason $2 in the notes under the table (NRF).
net_note() {
	grep -nxF -- "$(net_label "$1"): $2" "$NRF" | cut -d: -f1
}

net_cell() { # guest machine measure
	local f s g=$1
	f=$(net_file "$@")
	set -- $(net_stats "$f")
	if [ "$4" = 0 ]; then
		[ -s "$f" ] && echo "failed [$(net_note "$g" "$(net_why "$f")")]" ||
			echo "n/a"
		return
	fi
	s=$(net_num "$1")
	[ "$2" != "$3" ] && s="$s ($(net_num "$2")–$(net_num "$3"))"
	[ "$5" != 0 ] && s="$s, $5 of $(($4 + $5)) rounds failed [$(net_note "$g" "$(net_why "$f")")]"
	echo "$s"
}

net_label() {
	case $1 in
	skiff) echo Skiff ;;
	linux) echo "Linux guest" ;;
	native) echo Native ;;
	esac
}

net_table() { # machine
	local m=$1 k g f
	NRF=$(mktemp)
	for g in skiff linux native; do
		for k in $NET_MEASURES; do
			f=$(net_file "$g" "$m" "$k")
			grep -q '^fail' "$f" 2>/dev/null &&
				echo "$(net_label "$g"): $(net_why "$f")"
		done
	done | awk '!seen[$0]++' >"$NRF"
	echo "| Measure | Skiff | Linux guest | Native | Skiff / Linux | Skiff / native |"
	echo "|---|---|---|---|---|---|"
	for k in $NET_MEASURES; do
		echo "| $(net_measure_label "$k") | $(net_cell skiff "$m" "$k") |" \
			"$(net_cell linux "$m" "$k") | $(net_cell native host "$k") |" \
			"$(times "$(ratio "$(net_median skiff "$m" "$k")" \
				"$(net_median linux "$m" "$k")")") |" \
			"$(times "$(ratio "$(net_median skiff "$m" "$k")" \
				"$(net_median native host "$k")")") |"
	done
	if [ -s "$NRF" ]; then
		echo
		awk '{ print "[" NR "] " $0 }' "$NRF" | sed 's/$/  /'
	fi
	rm -f "$NRF"
}

# Skiff / Linux on the first machine for the measures $2..., "label
# ratio" words joined, and a verdict against at least $1.
net_goal_ratios() {
	local min=$1 m k r out="" ok=1 why=""
	shift
	m=$(net_fact machines | awk '{ print $1 }')
	for k in "$@"; do
		r=$(ratio "$(net_median skiff "$m" "$k")" "$(net_median linux "$m" "$k")")
		[ "$r" = n/a ] && { ok=; why=$(net_why "$(net_file skiff "$m" "$k")"); }
		[ "$r" != n/a ] && awk -v r="$r" -v m="$min" 'BEGIN { exit !(r < m) }' && ok=0
		out="$out${out:+, }$(net_short "$k") $(times "$r")"
	done
	if [ -z "$ok" ] && [ -n "$why" ] && [ -z "$(echo "$out" |
		grep -v ' n/a$' | grep -v ' n/a,')" ]; then
		echo "n/a: Skiff failed: $why"
	elif [ -z "$ok" ]; then
		echo "$out: n/a${why:+, Skiff failed: $why}"
	elif [ "$ok" = 1 ]; then
		echo "$out: met"
	else
		echo "$out: not met"
	fi
}

net_short() {
	case $1 in
	small_c1) echo "-c1" ;;
	small_c64) echo "-c64" ;;
	big_c1) echo "1 MiB" ;;
	get_p1) echo "GET -P1" ;;
	set_p1) echo "SET -P1" ;;
	get_p16) echo "GET -P16" ;;
	set_p16) echo "SET -P16" ;;
	esac
}

# The lowest Skiff / Linux ratio of the request rates.
net_lowest() {
	local m k r
	m=$(net_fact machines | awk '{ print $1 }')
	for k in small_c1 small_c64 get_p1 set_p1 get_p16 set_p16; do
		ratio "$(net_median skiff "$m" "$k")" "$(net_median linux "$m" "$k")"
	done | sort -g | head -1
}

# The boot with a NIC next to the one without (bench/run.sh's boot part).
net_boot_goal() {
	local a b
	a=$(median_exit microvm skiff)
	b=$(median_exit microvm skiff-nonet)
	if [ ! -e "$R/boot-microvm-skiff-nonet" ]; then
		echo "| hello's boot with a network device next to without (\`skiff run\` / \`skiff run --net none\`, microvm, to exit) | n/a: \`skiff run --net none\` did not run ($(net_tail_of "$R/skiff-nonet-probe.err")) |"
		return
	fi
	echo "| hello's boot with a network device next to without (\`skiff run\` / \`skiff run --net none\`, microvm, to exit) | $(times "$(ratio "$a" "$b")") ($a ms / $b ms) |"
}

net_tail_of() {
	[ -s "$1" ] || { echo "not run"; return; }
	tr -d '\r' <"$1" | grep -v '^ *$' | tail -1 | cut -c1-120 |
		sed 's/|/\\|/g'
}

net_goals() {
	local low v
	[ -s "$R/net-facts" ] || return 0
	echo "| nginx requests/s at least 1.5x the Linux guest (13-byte file, $(net_fact machines | awk '{ print $1 }')) | $(net_goal_ratios 1.5 small_c1 small_c64) |"
	echo "| redis requests/s at least 1.5x the Linux guest | $(net_goal_ratios 1.5 get_p1 set_p1 get_p16 set_p16) |"
	low=$(net_lowest)
	if [ "$low" = n/a ]; then
		v="n/a"
	else
		v="lowest Skiff / Linux ratio ${low}x: $(awk -v r="$low" 'BEGIN {
			print (r > 1.4 ? "met" : "not met") }')"
	fi
	echo "| Requests/s ahead of Nanos and OSv (issue 9 measured them at 1.2–1.4x and about 1x the Linux guest; not run here) | $v |"
	echo "| Bulk MiB/s (1 MiB file) at least the Linux guest's | $(net_goal_ratios 1 big_c1) |"
	[ -s "$R/facts" ] && net_boot_goal
	return 0
}

net_section() {
	local m f
	[ -s "$R/net-facts" ] || return 0
	echo "## Network servers"
	echo
	echo "Measured $(net_fact date) ($([ "$(net_fact quick)" = 1 ] && echo quick || echo full) mode, $(net_fact rounds) rounds, load average $(net_fact load) at the end)."
	echo "Debian's nginx $(net_fact nginx) and redis-server $(net_fact redis), the same binaries"
	echo "and files, served in Skiff (\`skiff run -p\`), in the Linux guest (Debian's"
	echo "kernel, its virtio-net driver loaded, the binaries and their shared"
	echo "libraries in its initramfs) and natively on the host, one at a time,"
	echo "$(net_fact mem) MiB of guest RAM, one vCPU under $(net_fact accel)."
	echo "The load comes from the host over loopback (wrk $(net_fact wrk), redis-benchmark,"
	echo "bench/net/connclose.c); each load runs about $(net_fact secs) s. A cell is the median"
	echo "(min–max) over the rounds; guests alternate round by round (Skiff,"
	echo "Linux, native, again), since the load tools share the host's CPUs with"
	echo "QEMU. Higher is better."
	echo
	for m in $(net_fact machines); do
		echo "### $m"
		echo
		net_table "$m"
		echo
	done
	net_paths
	cat <<EOF
- **Network backend**: both guests use QEMU's user networking (libslirp
  $(net_fact slirp)) with the port published on 127.0.0.1
  (\`-netdev user,hostfwd=tcp:127.0.0.1:HOSTPORT-:GUESTPORT\`), a virtio-net
  device (\`virtio-net-device\` with \`-global
  virtio-mmio.force-legacy=false\` on microvm, \`virtio-net-pci\` on q35),
  the guest at 10.0.2.15/24 behind 10.0.2.2. Every packet crosses libslirp's
  own TCP/IP stack in QEMU's main thread, a host socket and the guest's
  stack: these figures are a guest's and this backend's together, the same
  backend for both guests. Native is the same server on 127.0.0.1, no VM.
- **wrk -c64**: libslirp listens on a published port with a backlog of 1,
  so of 64 connections opened at once only a few are accepted at first;
  the others wait for the host's SYN-ACK retransmissions (after 1, 3, 7 s),
  and a 2-5 s run is served by the few that got in (the notes below say how
  many were established, on the server's side, near each run's end). It is
  the same for both guests, and is what a user of \`-p\` gets, but it is
  not 64 busy connections.
- **redis-benchmark** runs with one client (\`-c 1\`, for the same reason:
  its default 50 clients connect at once and the run would time the
  retransmission backoff), \`-t get,set\`, \`-P 1\` and \`-P 16\`, and as
  many requests as a short calibration run says take about $(net_fact secs) s.
- **QEMU's software TLB**: under TCG a guest's memory accesses go through
  QEMU's TLB, which starts with 256 entries and is resized only when the
  guest flushes it. Linux flushes at its context switches; Skiff, one
  address space that never reloads CR3, kept 256 entries for good, and
  redis's working set missed them ~440 times per batch of 16 pipelined
  GETs (a page-table walk in QEMU each), ~30 in the Linux guest. Skiff's
  idle CPU now reloads CR3 at most every 20 ms (sched/thread.c), which
  lets QEMU size the TLB to the working set: ~55 misses per batch. With
  the area lookup that now looks first at the last area found (mm/vm.c:
  the tree search behind every copy to or from the program was a tenth
  of its instructions), QEMU's CPU time per \`-P 16\` GET fell by ~30%
  (misses counted with \`perf probe\` on QEMU's tlb_set_page_full,
  instructions with a TCG plugin: docs/boot-time.md, "Looking again").
- **1 MiB file**: requests/s of \`wrk -t1 -c1\` on it; one MiB of body
  each (headers not counted). nginx's defaults: \`sendfile off\`.
- **Connect + close**: bench/net/connclose.c connects, shuts its side down
  and waits for the server's close, one connection after another, up to
  $(net_fact conn_n) connections or $((2 * $(net_fact secs))) s: through user networking the host's \`connect\`
  completes against QEMU before the guest sees anything, so only the
  server's close proves the guest accepted it.
- **Readiness**: a server counts as up once GET /small returns its 13
  bytes and GET /big 1048576 bytes (redis: PING answers PONG), polled for up
  to $(net_fact ready_s) s from launch; one that does not answer, or exits, gives
  "failed: ..." with its last line of output, and is not started again in
  later rounds. Each load tool is bounded by a timeout.
- **For scale**, from issue 9 (not measured in this run): a small static
  epoll HTTP server with a 13-byte body (wrk -t1 -c8, user networking,
  TCG, this machine, one VM at a time) served about 3,100 requests/s in the
  Linux guest on microvm and 5,000 on q35, against 46,000 natively; Nanos
  served about 1.2–1.4x the Linux guest and OSv about the same as Linux.
EOF
	echo
	if [ -s "$R/net-notes" ]; then
		echo "Load tools' warnings (file: what it said):"
		echo
		sed 's/^/- /; s/|/\\|/g' "$R/net-notes" | head -40
		echo
	fi
	echo "The servers' exact commands (the first round's; host ports are"
	echo "the first free ones from 28080):"
	echo
	echo '```'
	for f in "$R"/netcmd-*; do
		[ -e "$f" ] && { cat "$f"; echo; }
	done
	for f in "$R"/net-skiff-qemu-*; do
		[ -s "$f" ] && { echo "# the QEMU command skiff ran for nginx (skiff run --verbose), ${f##*-}"
			cat "$f"; echo; }
	done
	echo "# the load, from the host (PORT: the server's host port)"
	echo "wrk -t1 -c1 -d$(net_fact secs)s http://127.0.0.1:PORT/small"
	echo "wrk -t1 -c64 -d$(net_fact secs)s http://127.0.0.1:PORT/small"
	echo "wrk -t1 -c1 -d$(net_fact secs)s http://127.0.0.1:PORT/big"
	echo "build/bench/connclose 127.0.0.1 PORT $(net_fact conn_n) $((2 * $(net_fact secs)))"
	echo "redis-benchmark -h 127.0.0.1 -p PORT -t get,set -c 1 -n $(net_fact redis_cal) -P 1 --csv     # calibration"
	echo "redis-benchmark -h 127.0.0.1 -p PORT -t get,set -c 1 -n N -P 1 --csv"
	echo "redis-benchmark -h 127.0.0.1 -p PORT -t get,set -c 1 -n $(($(net_fact redis_cal) * 16)) -P 16 --csv    # calibration"
	echo "redis-benchmark -h 127.0.0.1 -p PORT -t get,set -c 1 -n N -P 16 --csv"
	echo '```'
	echo
	echo "\`bench/run.sh net\` (\`QUICK=1\` for the quick mode) runs this part alone."
	echo
}

# Bit $2 of the virtio feature string $1 (sysfs: character N is bit N).
net_bit() {
	[ "${1:$2:1}" = 1 ] && echo on || echo off
}

# How each guest's network path is set up: the virtio-net features Linux
# negotiated, and what Skiff's kernel log says.
net_paths() {
	local m f bits
	for m in $(net_fact machines); do
		f=$R/net-features-linux-$m
		[ -s "$f" ] || continue
		bits=$(awk '$1 == "features" { print $2 }' "$f")
		echo "The Linux guest's virtio-net on $m negotiated (virtio 1.2, 5.1.3):"
		echo "checksum offload to the device (\`CSUM\`) $(net_bit "$bits" 0),"
		echo "from it (\`GUEST_CSUM\`) $(net_bit "$bits" 1); TSO to the device"
		echo "(\`HOST_TSO4\`) $(net_bit "$bits" 11), large receives"
		echo "(\`GUEST_TSO4\`) $(net_bit "$bits" 7); mergeable receive buffers"
		echo "$(net_bit "$bits" 15); \`EVENT_IDX\` $(net_bit "$bits" 29); indirect"
		echo "descriptors $(net_bit "$bits" 28). TCP's buffer limits (min,"
		echo "default, max bytes; the window scales within them): receive"
		echo "$(awk '$1 == "tcp_rmem" { $1 = ""; print }' "$f" | sed 's/^ //'), send"
		echo "$(awk '$1 == "tcp_wmem" { $1 = ""; print }' "$f" | sed 's/^ //')."
		if [ "$(net_bit "$bits" 0)" = off ] && [ "$(net_bit "$bits" 11)" = off ]; then
			echo "QEMU offers neither checksum offload nor TSO to a virtio-net"
			echo "device on user networking (they need a backend that takes the"
			echo "virtio-net header, such as tap with vnet_hdr), so no guest can"
			echo "use them in this benchmark: each computes its own checksums and"
			echo "sends MTU-sized frames."
		fi
		echo
	done
	for m in $(net_fact machines); do
		f=$R/net-skiff-netlog-$m
		[ -s "$f" ] || continue
		echo "What Skiff's kernel log (\`skiff run --verbose\`, nginx on $m) says about"
		echo "its network path:"
		echo
		echo '```'
		cat "$f"
		echo '```'
		echo
	done
}

# The document `bench/run.sh net` writes when no full run's results are
# there to join: the network goals and section only.
net_only_doc() {
	echo "# Performance: the network part"
	echo
	echo "Generated by \`bench/run.sh net\` on $(net_fact date); do not edit."
	echo "\`make bench\` writes this part into docs/performance.md with the rest."
	echo
	echo "| Goal | Measured |"
	echo "|---|---|"
	net_goals
	echo
	net_section
}
