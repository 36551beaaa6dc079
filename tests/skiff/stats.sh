#!/bin/bash
# tests/skiff/stats.sh: skiff stats (the "stats" part of tests/run.sh), on
# detached instances of tests/skiff/stats_prog.c with a volume: the table
# of docker stats (NAME, CPU %, MEM USAGE / LIMIT, MEM %, NET I/O, BLOCK
# I/O, PIDS); PIDs is the program's 3 threads; after the program touched
# 16 MiB, wrote 2 MiB with fsync and sent 100 datagrams, memory usage
# grew by 16 MiB or more, block output by 2 MB or more and network output
# by 50 kB or more; CPU % is 50% or more while it spins and under 50%
# while it sleeps; without NAME every running instance is listed; without
# --no-stream a new table comes each second until SIGINT (bounded by
# timeout); errors: an unknown name, an ended instance, a bad option, one
# line each. State in a directory of its own (SKIFF_RUN_DIR); every wait
# is bounded. Ends with "stats: N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
. tests/lib/skiffcli.sh
: "${APPS_ACCEL:=tcg}"
SKIFF=$(pwd)/build/skiff
tmp=$(mktemp -d)
export SKIFF_RUN_DIR=$tmp/run
PATH=$PATH:/sbin:/usr/sbin
cleanup() {
	for d in "$SKIFF_RUN_DIR"/*/; do
		[ -d "$d" ] && $SKIFF rm -f "$(basename "$d")" >/dev/null 2>&1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
if ! gcc -static -O1 -Wall -Werror -pthread -o "$tmp/prog" tests/skiff/stats_prog.c; then
	fail build "tests/skiff/stats_prog.c does not build"
	summary stats
	exit 1
fi
if ! command -v mke2fs >/dev/null; then
	skip stats "no mke2fs (e2fsprogs) for the volume"
	summary stats
	exit 0
fi


# row NAME: the instance's row of skiff stats --no-stream NAME, as
# "CPU MEMUSED MEMLIMIT MEMPCT RX TX RD WR PIDS" in plain numbers (bytes).
row() {
	timeout 60 $SKIFF stats --no-stream "$1" | awk -v n="$1" '
	function bytes(s,   v, u) {
		v = s + 0; u = s; sub(/^[0-9.]+/, "", u)
		if (u == "kB") v *= 1e3; else if (u == "MB") v *= 1e6
		else if (u == "GB") v *= 1e9; else if (u == "KiB") v *= 1024
		else if (u == "MiB") v *= 1048576; else if (u == "GiB") v *= 1073741824
		return v
	}
	$1 == n { sub(/%/, "", $2); sub(/%/, "", $6)
		print $2 + 0, bytes($3), bytes($5), $6 + 0, bytes($7), bytes($9),
		      bytes($10), bytes($12), $13 }'
}

mke2fs -q -F -t ext2 "$tmp/vol.img" 32M >/dev/null
mke2fs -q -F -t ext2 "$tmp/vol2.img" 8M >/dev/null
start() {
	$SKIFF run -d --accel "$APPS_ACCEL" -m 64M --name "$1" \
		-v "$2:/data" "$tmp/prog" /data >/dev/null 2>"$tmp/start.err" &&
		until_ok 60 in_log "$1" ready
}
if ! start st1 "$tmp/vol.img" || ! start st2 "$tmp/vol2.img"; then
	fail start "$(head -n 2 "$tmp/start.err" | tr '\n' ' ')"
	summary stats
	exit 1
fi

# The table.
timeout 60 $SKIFF stats --no-stream >"$tmp/all"
if head -n 1 "$tmp/all" | grep -q '^NAME  *CPU %  *MEM USAGE / LIMIT  *MEM %  *NET I/O  *BLOCK I/O  *PIDS$'; then
	pass "header: NAME CPU % MEM USAGE / LIMIT MEM % NET I/O BLOCK I/O PIDS"
else
	fail header "$(head -n 1 "$tmp/all")"
fi
if [ "$(awk 'NR > 1 { print $1 }' "$tmp/all" | tr '\n' ' ')" = "st1 st2 " ]; then
	pass "without NAME: both running instances listed"
else
	fail "all" "$(tr '\n' '|' <"$tmp/all")"
fi
read -r cpu0 used0 limit0 pct0 rx0 tx0 rd0 wr0 pids0 < <(row st1)
if [ "$pids0" = 3 ]; then pass "PIDS: the program's 3 threads"
else fail pids "got '$pids0'"; fi
if awk -v l="$limit0" 'BEGIN { exit !(l > 48 * 1048576 && l <= 64 * 1048576) }'; then
	pass "memory limit: the guest's memory (-m 64M, less the kernel's own)"
else
	fail limit "got $limit0"
fi
if awk -v c="$cpu0" 'BEGIN { exit !(c < 50) }'; then
	pass "CPU % under 50 while the program sleeps"
else
	fail "cpu idle" "got $cpu0"
fi

$SKIFF kill -s USR1 st1 >/dev/null
if until_ok 60 in_log st1 worked; then
	read -r cpu1 used1 limit1 pct1 rx1 tx1 rd1 wr1 pids1 < <(row st1)
	awk -v a="$used0" -v b="$used1" 'BEGIN { exit !(b - a >= 16 * 1048576) }' &&
		pass "memory usage grew by 16 MiB or more after touching 16 MiB" ||
		fail memory "$used0 -> $used1"
	awk -v a="$wr0" -v b="$wr1" 'BEGIN { exit !(b - a >= 2 * 1048576 * 0.99) }' &&
		pass "block output grew by 2 MiB or more after writing 2 MiB and fsync" ||
		fail block "$wr0 -> $wr1"
	awk -v a="$tx0" -v b="$tx1" 'BEGIN { exit !(b - a >= 50000) }' &&
		pass "network output grew by 50 kB or more after 100 datagrams of 1000 bytes" ||
		fail net "$tx0 -> $tx1"
else
	fail worked "the program did not say worked"
fi

$SKIFF kill -s USR1 st1 >/dev/null
if until_ok 60 in_log st1 spinning; then
	read -r cpu2 _ < <(row st1)
	awk -v c="$cpu2" 'BEGIN { exit !(c >= 50) }' &&
		pass "CPU % 50 or more while the program spins" ||
		fail "cpu busy" "got $cpu2"
else
	fail spinning "the program did not say spinning"
fi
$SKIFF kill -s USR1 st1 >/dev/null

# Streaming: tables until SIGINT.
timeout -s INT 4 $SKIFF stats st2 >"$tmp/stream"
n=$(grep -c '^NAME ' "$tmp/stream")
if [ "$n" -ge 2 ] && [ "$(grep -c '^st2 ' "$tmp/stream")" = "$n" ]; then
	pass "streaming: a table each second until SIGINT ($n seen in 4 s)"
else
	fail stream "$n tables: $(head -n 4 "$tmp/stream" | tr '\n' '|')"
fi

# Errors: one line on stderr, nothing on stdout.
expect_err() {
	local name=$1 want=$2
	shift 2
	timeout 60 "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ $rc = "$want" ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" = 1 ]; then
		pass "$name: exit $rc, $(cat "$tmp/err")"
	else
		fail "$name" "exit $rc, out '$(head -c 200 "$tmp/out")', err '$(head -n 2 "$tmp/err")'"
	fi
}
expect_err "unknown name" 1 $SKIFF stats --no-stream nosuch
expect_err "bad option" 2 $SKIFF stats --bogus
timeout 60 $SKIFF stop -t 5 st2 >/dev/null 2>&1
expect_err "ended instance" 1 $SKIFF stats --no-stream st2
summary stats
