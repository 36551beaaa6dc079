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
# The Linux guest: Debian's linux-image-cloud-amd64 (make bench's guest
# kernel) is built without CONFIG_NET_9P, so this part fetches the generic
# linux-image-amd64 (bench/linux/fetch.sh, apt-get download, into
# build/bench/linux-generic; its 9p, 9pnet_virtio and virtio_mmio modules
# go into the guest's initramfs) and runs the same filebench as its
# program (bench/linux/blkinit.c --9p: the share mounted on /share with
# trans=virtio, 9P2000.L, msize 512 KiB) on microvm, the same fsdev
# (local, security_model=none). When that cannot be had, the table says
# why.
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
# Every side times by RDTSC at the host's TSC rate (the Linux guest's
# CLOCK_MONOTONIC ticks every 4 ms under TCG), when make bench's
# calibration is at hand.
KHZ=${KHZ:-$("$B/microbench" calibrate 2>/dev/null | awk '{ print $2 }')}
TSC=()
[ -n "$KHZ" ] && TSC=(--tsc-khz="$KHZ")

# best WHAT CMD...: the best "WHAT MB/s X" of RUNS runs of CMD.
best() {
	local what=$1 best="" i v
	shift
	for ((i = 0; i < RUNS; i++)); do
		v=$(timeout 600 "$@" 2>"$tmp/err" | tr -d '\r' | sed -n "s/^$what MB\/s //p")
		if [ -z "$v" ]; then
			echo "failed: $(tail -n 1 "$tmp/err")"
			return
		fi
		best=$(awk -v a="${best:-0}" -v b="$v" 'BEGIN { print (b + 0 > a + 0 ? b + 0 : a + 0) }')
	done
	echo "$best"
}

# The Linux guest (generic Debian kernel with 9p modules): LINUX_CMD set
# when it can run, else LINUX_WHY says why not.
G=$B/linux-generic
LINUX_CMD=() LINUX_WHY=""
linux_setup() {
	local khz
	if ! bench/linux/fetch.sh "$G" linux-image-amd64 >"$tmp/fetch.log" 2>&1; then
		LINUX_WHY="not measured: fetching linux-image-amd64 failed: $(tail -n 1 "$tmp/fetch.log")"
		return
	fi
	if [ ! -s "$G/modules-9p/order" ]; then
		LINUX_WHY="not measured: $(cut -d' ' -f1 "$G/version") has no 9p modules"
		return
	fi
	mkdir -p "$tmp/ltree"
	cp "$tmp/filebench" "$tmp/ltree/filebench"
	gcc -std=gnu11 -O2 -Wall -Wextra -static -o "$tmp/blkinit" \
		bench/linux/blkinit.c || { LINUX_WHY="not measured: blkinit.c does not build"; return; }
	bench/linux/mknetinitramfs.sh "$tmp/9p.cpio" "$tmp/blkinit" \
		"$G/modules-9p" "$tmp/ltree" >/dev/null 2>"$tmp/mkinit.err" ||
		{ LINUX_WHY="not measured: initramfs: $(tail -n 1 "$tmp/mkinit.err")"; return; }
	khz=${KHZ:-$(awk '/cpu MHz/ { printf "%d", $4 * 1000; exit }' /proc/cpuinfo)}
	LINUX_CMD=(qemu-system-x86_64 -M microvm,x-option-roms=off -nodefaults
		-no-user-config -display none -no-reboot -m 512M -cpu max
		-accel "$ACCEL" -serial stdio
		-device isa-debug-exit,iobase=0xf4,iosize=4
		-kernel "$G/vmlinuz" -initrd "$tmp/9p.cpio"
		-fsdev "local,id=fs0,path=$tmp/share,security_model=none"
		-device virtio-9p-device,fsdev=fs0,mount_tag=share
		-global virtio-mmio.force-legacy=false
		-append "$(bench/linux/cmdline.sh microvm "$khz") -- --9p ${TSC[*]} /share/f $MIB")
	{ echo "# ninep: the Linux guest (linux-image-amd64) on microvm, 512 MiB: filebench on the 9p share"
		printf '%q ' "${LINUX_CMD[@]}"; echo; } >"$R/cmd-ninep-linux"
}

linux_reason() {
	[ -n "$LINUX_WHY" ] && { echo "$LINUX_WHY"; return; }
	local cfg=$B/linux/config
	if [ ! -s "$cfg" ]; then
		echo "not measured: no Linux guest kernel fetched (make bench fetches it)"
	elif grep -q '^# CONFIG_NET_9P is not set' "$cfg"; then
		echo "not measured: its kernel ($(cut -d' ' -f1 "$B/linux/version")) is built without CONFIG_NET_9P"
	else
		echo "not measured: not wired up for 9p yet"
	fi
}

linux_setup
skiff="build/skiff run --net none --no-cwd --accel $ACCEL -v $tmp/share:/share"
{
	echo "| 9p, MB/s (best of $RUNS, $MIB MiB in 1 MiB requests) | native (host fs) | Skiff microvm | Skiff q35 | Linux guest |"
	echo "|---|---|---|---|---|"
	for w in write read; do
		n=$(best $w "$tmp/filebench" "${TSC[@]}" "$tmp/share/f" $MIB)
		m=$(best $w $skiff --machine microvm "$tmp/filebench" "${TSC[@]}" /share/f $MIB)
		q=$(best $w $skiff --machine q35 "$tmp/filebench" "${TSC[@]}" /share/f $MIB)
		if [ ${#LINUX_CMD[@]} -gt 0 ]; then
			l=$(best $w "${LINUX_CMD[@]}")
		else
			l=$(linux_reason)
		fi
		echo "| sequential $w | $n | $m | $q | $l |"
	done
} >"$R/ninep.md"
cat "$R/ninep.md"
