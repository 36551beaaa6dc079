#!/bin/bash
# bench/console.sh: the program's stdio through `skiff run` (the virtio
# console of skiff/proto.h; and COM1 alone, its fallback), beside a native
# pipe. Part of `make bench` (bench/run.sh calls it, bench/report.sh puts
# its table in docs/performance.md); runs alone too:
#   bench/console.sh [RESULTS_DIR]    writes RESULTS_DIR/console.md
#                                     (default build/bench/results)
# Each figure is the best of RUNS (3; QUICK=1: 1) of 100 MB of random bytes
# (the fallback: 2 MB), MB/s = 10^6 bytes/s, from skiff's launch to its
# exit (the boot, ~0.3 s, included); every output is checksummed
# (sha256sum; wc -c's count) and a mismatch is reported instead of a figure.
# The Linux guest's console: Debian's kernel on microvm with its serial
# console (ttyS0, the console a Linux guest has without extra drivers),
# 200 KB through bench/linux/consinit.c (cat on the raw tty) by
# bench/linux/consdrive.py, from QEMU's launch to its exit (its boot, ~1.5
# s, included, as Skiff's rows include theirs). Goal: stdin and stdout
# each at least 50 MB/s.
set -uo pipefail
cd "$(dirname "$0")/.."
R=${1:-build/bench/results}
ACCEL=${BENCH_ACCEL:-tcg}
RUNS=3
[ "${QUICK:-0}" != 0 ] && RUNS=1
SIZE=100000000
mkdir -p "$R"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c $SIZE /dev/urandom >"$tmp/big"
head -c 2000000 "$tmp/big" >"$tmp/small"
want_big=$(sha256sum <"$tmp/big" | cut -d' ' -f1)
want_small=$(sha256sum <"$tmp/small" | cut -d' ' -f1)
zeros=$(head -c $SIZE /dev/zero | sha256sum | cut -d' ' -f1)

now() { date +%s%N; }

# best BYTES WANT CMD: runs the shell command CMD (its stdout is a
# checksum) RUNS times; prints the best MB/s, or why there is none.
best() {
	local bytes=$1 want=$2 cmd=$3 best=0 i t0 t1 got ns
	for ((i = 0; i < RUNS; i++)); do
		t0=$(now)
		got=$(timeout 600 bash -c "$cmd" 2>/dev/null | cut -d' ' -f1)
		t1=$(now)
		if [ "$got" != "$want" ]; then
			echo "failed: checksum ${got:-none}"
			return
		fi
		ns=$((t1 - t0))
		[ $best = 0 ] || [ $ns -lt $best ] && best=$ns
	done
	awk -v b="$bytes" -v ns="$best" 'BEGIN { printf "%.1f", b / ns * 1000 }'
}

# linux_console: the Linux guest's MB/s for 200 KB through its ttyS0 (best
# of RUNS), or why there is none.
linux_console() {
	local k=build/bench/linux/vmlinuz best=0 i out
	[ -r $k ] || { echo "not measured: no Linux guest kernel (bench/linux/fetch.sh)"; return; }
	mkdir -p "$tmp/lroot/dev"
	gcc -O2 -static -o "$tmp/lroot/init" bench/linux/consinit.c 2>/dev/null &&
		(cd "$tmp/lroot" && find . | cpio -o -H newc 2>/dev/null) >"$tmp/cons.cpio" ||
		{ echo "not measured: consinit does not build"; return; }
	head -c 200000 "$tmp/big" >"$tmp/tiny"
	for ((i = 0; i < RUNS; i++)); do
		out=$(bench/linux/consdrive.py "$tmp/tiny" qemu-system-x86_64 \
			-M microvm,x-option-roms=off -nodefaults -no-user-config \
			-display none -no-reboot -m 256M -cpu max -accel "$ACCEL" \
			-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 \
			-kernel $k -initrd "$tmp/cons.cpio" -append \
			'quiet loglevel=0 panic=-1 no_timer_check cryptomgr.notests pci=off -- 200000') ||
			{ echo "failed: the guest did not echo 200 KB"; return; }
		[ "${out%% *}" = "$(sha256sum <"$tmp/tiny" | cut -d' ' -f1)" ] ||
			{ echo "failed: checksum"; return; }
		best=$(awk -v a="$best" -v b="${out##* }" 'BEGIN { print (a == 0 || b < a) ? b : a }')
	done
	awk -v s="$best" 'BEGIN { printf "%.2f (200 KB)", 0.2 / s }'
}

run="build/skiff run --no-cwd --accel $ACCEL"
{
	echo "| stdio, MB/s (best of $RUNS) | native pipe | microvm | q35 | microvm, COM1 only | Linux guest, ttyS0 (microvm) |"
	echo "|---|---|---|---|---|---|"
	n=$(best $SIZE "$want_big" "cat $tmp/big | cat | sha256sum")
	m=$(best $SIZE "$want_big" "$run --machine microvm /bin/cat <$tmp/big | sha256sum")
	q=$(best $SIZE "$want_big" "$run --machine q35 /bin/cat <$tmp/big | sha256sum")
	s=$(best 2000000 "$want_small" "SKIFF_NO_VCONSOLE=1 $run /bin/cat <$tmp/small | sha256sum")
	l=$(linux_console)
	echo "| 100 MB in and out through \`cat\` | $n | $m | $q | $s (2 MB) | $l |"
	n=$(best $SIZE $SIZE "cat $tmp/big | wc -c")
	m=$(best $SIZE $SIZE "$run --machine microvm /usr/bin/wc -c <$tmp/big")
	q=$(best $SIZE $SIZE "$run --machine q35 /usr/bin/wc -c <$tmp/big")
	echo "| stdin: 100 MB into \`wc -c\` (its count checked) | $n | $m | $q | | |"
	n=$(best $SIZE "$zeros" "head -c $SIZE /dev/zero | sha256sum")
	m=$(best $SIZE "$zeros" "$run --machine microvm /usr/bin/head -c $SIZE /dev/zero | sha256sum")
	q=$(best $SIZE "$zeros" "$run --machine q35 /usr/bin/head -c $SIZE /dev/zero | sha256sum")
	echo "| stdout: 100 MB from \`head -c\` | $n | $m | $q | | |"
} >"$R/console.md.tmp"
mv "$R/console.md.tmp" "$R/console.md"
cat "$R/console.md"
