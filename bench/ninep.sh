#!/bin/bash
# bench/ninep.sh: a host directory shared over virtio-9p (skiff run -v
# DIR:/share), sequential write (with its fsync) and read of a 64 MiB
# file in 1 MiB requests, timed inside the guest by bench/prog/
# filebench.c, on microvm and q35; natively on the host beside it (the
# same file system, no VM: the ceiling). Part of `make bench` (bench/
# run.sh calls it, bench/report.sh puts its table in docs/performance.md);
# runs alone too:
#   bench/ninep.sh [RESULTS_DIR]    writes RESULTS_DIR/ninep.md
#                                   (default build/bench/results)
# The Linux guest is not measured when its kernel has no 9p (Debian's
# linux-image-cloud-amd64 is built without CONFIG_NET_9P): the table says
# so, with the reason read from the kernel's config.
set -uo pipefail
cd "$(dirname "$0")/.."
R=${1:-build/bench/results}
B=$(dirname "$R")
ACCEL=${BENCH_ACCEL:-tcg}
RUNS=3
[ "${QUICK:-0}" != 0 ] && RUNS=1
MIB=64
mkdir -p "$R"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/skiff-9pbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
gcc -std=gnu11 -O2 -Wall -Wextra -static -o "$tmp/filebench" \
	bench/prog/filebench.c || exit 1
mkdir "$tmp/share"

# best WHAT CMD...: the best "WHAT MB/s X" of RUNS runs of CMD.
best() {
	local what=$1 best="" i v
	shift
	for ((i = 0; i < RUNS; i++)); do
		v=$(timeout 600 "$@" 2>"$tmp/err" | sed -n "s/^$what MB\/s //p")
		if [ -z "$v" ]; then
			echo "failed: $(tail -n 1 "$tmp/err")"
			return
		fi
		best=$(awk -v a="${best:-0}" -v b="$v" 'BEGIN { print (b > a ? b : a) }')
	done
	echo "$best"
}

linux_reason() {
	local cfg=$B/linux/config
	if [ ! -s "$cfg" ]; then
		echo "not measured: no Linux guest kernel fetched (make bench fetches it)"
	elif grep -q '^# CONFIG_NET_9P is not set' "$cfg"; then
		echo "not measured: its kernel ($(cut -d' ' -f1 "$B/linux/version")) is built without CONFIG_NET_9P"
	else
		echo "not measured: not wired up for 9p yet"
	fi
}

skiff="build/skiff run --net none --no-cwd --accel $ACCEL -v $tmp/share:/share"
{
	echo "| 9p, MB/s (best of $RUNS, $MIB MiB in 1 MiB requests) | native (host fs) | Skiff microvm | Skiff q35 | Linux guest |"
	echo "|---|---|---|---|---|"
	for w in write read; do
		n=$(best $w "$tmp/filebench" "$tmp/share/f" $MIB)
		m=$(best $w $skiff --machine microvm "$tmp/filebench" /share/f $MIB)
		q=$(best $w $skiff --machine q35 "$tmp/filebench" /share/f $MIB)
		echo "| sequential $w | $n | $m | $q | $(linux_reason) |"
	done
} >"$R/ninep.md"
cat "$R/ninep.md"
