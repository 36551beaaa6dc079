#!/bin/bash
# bench/run.sh: `make bench`. Measures Skiff side by side with a Linux guest
# (Debian's kernel, the same program as its /init) and with the floor (an
# empty PVH guest), on the same QEMU, machine types and accelerator, in one
# run, and writes docs/performance.md (and docs/performance.png if gnuplot
# is there). Expects build/skiff and build/kernel.elf (make all).
#
# Usage: bench/run.sh [net|storage]
#   net (or NET_ONLY=1): only the network part (bench/net/net.sh); it
#   replaces the network results of the last full run in
#   build/bench/results/ and rewrites docs/performance.md with them, or,
#   when there is no full run's results, writes build/bench/network.md.
#   storage: only the storage part (bench/storage.sh), the same way: with
#   no full run's results it writes build/bench/storage.md and puts its
#   section and goal row into docs/performance.md in place of theirs.
#
# Environment:
#   QUICK=1       fewer repetitions: finishes in under 3 minutes (the
#                 network part: 2 rounds of 2 s loads)
#   BENCH_LINUX   the Debian kernel meta-package (linux-image-cloud-amd64)
#   BENCH_ACCEL   tcg (default) or kvm, for every guest alike
#
# Parts, in order: build (build/bench/), boot times (QEMU launch to the
# program's first line and to QEMU's exit, interleaved round-robin so drift
# hits every guest alike), python3 -c 'print(1)' natively, in Skiff and in
# the Linux guest (its initramfs made from Skiff's image), smallest memory
# (bisection), microbenchmarks inside the guests (bench/prog/microbench.c),
# then the scaling measurements inside the guests (bench/prog/scaling.c: page
# fault and read with 10 and 10,000 memory areas, epoll_wait among 10 and
# 10,000 fds, futex ping-pong beside 0 and 1,000 sleeping threads; each
# mode in a boot of its own, so that one that fails costs only its figures),
# the console (bench/console.sh: stdio through skiff run beside a native
# pipe), a host directory over 9p (bench/ninep.sh: sequential write and
# read MB/s), the network servers (bench/net/net.sh: nginx and redis-server in Skiff,
# in the Linux guest and natively, loaded from the host), storage
# (bench/storage.sh: an ext2 image on virtio-blk, Skiff beside the Linux
# guest: sequential and random I/O, fsync latency, tar x), sizes; then
# bench/report.sh writes the results. Raw results stay in build/bench/results/. Nothing
# here asserts a timing: a figure that cannot be measured is reported as
# missing, with the reason, and the run goes on.
set -euo pipefail
cd "$(dirname "$0")/.."

B=build/bench
R=$B/results
[ "${QUICK:-0}" = 0 ] && QUICK=
RUNS=10 MICRO_RUNS=5
[ -n "$QUICK" ] && RUNS=3 MICRO_RUNS=1
BOOT_MEM=128		# MiB for the boot runs of every guest
MICRO_MEM=512		# MiB for the microbenchmarks (a 64 MiB file + mmap;
			# 1,000 threads with 64 KiB stacks for scaling)
SCALING_MODES="areas epoll sleepers"
PY_MEM=512		# MiB for python3 (skiff run's default; Linux unpacks
			# the whole image into its RAM before /init starts)
PY_ARGV=(/usr/bin/python3 -c 'print(1)')
ACCEL=${BENCH_ACCEL:-tcg}
LINUX_PKG=${BENCH_LINUX:-linux-image-cloud-amd64}
MACHINES="microvm q35"
HELLO="hello from microbench"
START=$(date +%s)
NET_ONLY=${NET_ONLY:-0}
[ "${1:-}" = net ] && NET_ONLY=1
[ "$NET_ONLY" = 0 ] && NET_ONLY=
STORAGE_ONLY=
[ "${1:-}" = storage ] && STORAGE_ONLY=1

log() { echo "bench: $*" >&2; }

# Debian packages only the benchmark needs; a failure costs one part.
install_missing() {
	local need="" p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'ok installed' || need="$need $p"
	done
	[ -z "$need" ] && return 0
	log "installing$need"
	local sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need \
		>/dev/null 2>&1 ||
		{ $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			$sudo apt-get install -y -qq $need >/dev/null; } ||
		log "could not install$need"
}

build() {
	mkdir -p "$B" "$R"
	if [ -n "$NET_ONLY" ]; then
		rm -f "$R"/net-* "$R"/netcmd-*
	elif [ -n "$STORAGE_ONLY" ]; then
		rm -f "$R"/stor-* "$R"/cmd-storage-*
	else
		rm -f "$R"/*
	fi
	install_missing gnuplot-nox lz4 cpio
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -pthread \
		-o "$B/microbench" bench/prog/microbench.c bench/prog/procbench.c \
		bench/prog/scaling.c
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
		-o "$B/timeit" bench/timeit.c
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static \
		-o "$B/skiffinit" bench/linux/skiffinit.c
	bench/floor/build.sh "$B/floor.elf"
	# Others may relink build/ while this runs: time one copy throughout.
	if [ -x build/skiff ] && [ -s build/kernel.elf ]; then
		cp build/skiff "$B/skiff"
		cp build/kernel.elf "$B/kernel.elf"
	else
		rm -f "$B/skiff" "$B/kernel.elf"
	fi
	bench/linux/fetch.sh "$B/linux" "$LINUX_PKG"
	bench/linux/mkinitramfs.sh "$B/microbench" "$B/linux/initramfs.cpio"
	KHZ=$("$B/microbench" calibrate | awk '{ print $2 }')
	log "host TSC $KHZ kHz"
	[ -n "$STORAGE_ONLY" ] || net_build
}

# Skiff's own QEMU command line for MACHINE (from skiff run --verbose), which
# fixes the -M options and -cpu that every guest shares. Sets SKIFF_OK.
skiff_probe() {
	local m line
	SKIFF_OK=1
	for m in $MACHINES; do
		if ! timeout 120 "$B/skiff" run --no-cwd --verbose --accel "$ACCEL" \
			--machine "$m" -m "$BOOT_MEM" "$B/microbench" hello \
			>"$R/skiff-probe-$m.out" 2>"$R/skiff-probe-$m.err" ||
		   ! grep -q "$HELLO" "$R/skiff-probe-$m.out"; then
			log "skiff run fails on $m: Skiff columns left empty"
			SKIFF_OK=
		fi
		line=$(grep -m1 '^skiff: .*qemu' "$R/skiff-probe-$m.err" || true)
		echo "${line#skiff: }" >"$R/skiff-qemu-$m.argv"
	done
	if [ -n "$SKIFF_OK" ]; then
		"$B/skiff" build --format cpio -o "$B/hello.img" "$B/microbench" \
			--tsc-khz="$KHZ" hello
	fi
	# hello without a network device, next to `skiff run`'s default.
	SKIFF_NONET_OK=
	if [ -n "$SKIFF_OK" ] && timeout 120 "$B/skiff" run --no-cwd --net none \
		--accel "$ACCEL" -m "$BOOT_MEM" "$B/microbench" hello \
		>"$R/skiff-nonet-probe.out" 2>"$R/skiff-nonet-probe.err" &&
	   grep -q "$HELLO" "$R/skiff-nonet-probe.out"; then
		SKIFF_NONET_OK=1
	else
		log "skiff run --net none fails: no boot row without a NIC"
	fi
}

# The value after option $1 in the QEMU command saved by skiff_probe.
skiff_qemu_opt() {
	local words w prev=""
	eval "words=($(cat "$R/skiff-qemu-$2.argv"))"
	for w in "${words[@]}"; do
		[ "$prev" = "$1" ] && { echo "$w"; return; }
		prev=$w
	done
}

machine_opt() { # MACHINE: skiff's -M (microvm,x-option-roms=off,rtc=off)
	local v
	v=$(skiff_qemu_opt -M "$1" 2>/dev/null || true)
	echo "${v:-$1}"
}

cpu_opt() {
	local v
	v=$(skiff_qemu_opt -cpu microvm 2>/dev/null || true)
	echo "${v:-max}"
}

# QEMU options every guest shares; $1 machine option, $2 MiB.
qemu_base() {
	QEMU=(qemu-system-x86_64 -M "$1" -nodefaults -no-user-config
		-display none -no-reboot -m "${2}M" -cpu "$(cpu_opt)"
		-accel "$ACCEL" -serial stdio
		-device isa-debug-exit,iobase=0xf4,iosize=4)
}

# Sets CMD to the command running guest $1 on machine $2 with $3 MiB and
# the program arguments that follow; EXPECT to its exit status when the
# program exits 0 (isa-debug-exit makes QEMU exit with 1).
guest_cmd() {
	local g=$1 m=$2 mem=$3 kernel
	shift 3
	EXPECT=1
	case $g in
	floor)
		qemu_base "$(machine_opt "$m")" "$mem"
		CMD=("${QEMU[@]}" -kernel "$B/floor.elf") ;;
	skiff)
		EXPECT=0
		CMD=("$B/skiff" run --no-cwd --accel "$ACCEL" --machine "$m" -m "$mem"
			"$B/microbench" "$@") ;;
	skiff-nonet)
		EXPECT=0
		CMD=("$B/skiff" run --no-cwd --net none --accel "$ACCEL" --machine "$m"
			-m "$mem" "$B/microbench" "$@") ;;
	skiff-qemu)
		qemu_base "$(machine_opt "$m")" "$mem"
		CMD=("${QEMU[@]}" -kernel "$B/kernel.elf"
			-initrd "$B/hello.img" -append "tsc_khz=$KHZ") ;;
	linux | linux-pvh)
		kernel=$B/linux/vmlinuz
		[ "$g" = linux-pvh ] && kernel=$B/linux/vmlinux
		# Linux keeps the RTC: without one it waits about 2 s for it.
		local mo=$m
		[ "$m" = microvm ] && mo=microvm,x-option-roms=off
		qemu_base "$mo" "$mem"
		CMD=("${QEMU[@]}" -kernel "$kernel"
			-initrd "$B/linux/initramfs.cpio" -append
			"$(bench/linux/cmdline.sh "$m" "$KHZ") -- --poweroff $*") ;;
	esac
	# The first use of each command line is kept for the report.
	local f="$R/cmd-$g-$m-$*"
	f=${f// /_}
	[ -e "$f" ] || { echo "# $g on $m, $mem MiB: microbench $*"
		shell_words "${CMD[@]}"; } >"$f"
}

# Prints its arguments as one shell command line, quoting where needed.
shell_words() {
	local w sep=""
	for w in "$@"; do
		case $w in
		*[!A-Za-z0-9_./=,:+-]* | "") w="'${w//\'/\'\\\'\'}'" ;;
		esac
		printf '%s%s' "$sep" "$w"
		sep=" "
	done
	echo
}

guest_available() {
	case $1 in
	skiff | skiff-qemu) [ -n "$SKIFF_OK" ] ;;
	skiff-nonet) [ -n "$SKIFF_NONET_OK" ] ;;
	linux-pvh) [ -s "$B/linux/vmlinux" ] ;;
	*) true ;;
	esac
}

# One boot of guest $1 on machine $2: appends "first_ms exit_ms status" to
# results/boot-MACHINE-GUEST ("fail ..." when it did not run as expected).
boot_once() {
	local g=$1 m=$2 match=$HELLO r
	[ "$g" = floor ] && match=floor
	guest_cmd "$g" "$m" "$BOOT_MEM" --tsc-khz="$KHZ" hello
	r=$("$B/timeit" -t 60 -m "$match" -o "$R/last.log" -- "${CMD[@]}")
	set -- $r
	if [ "$3" != "$EXPECT" ] || [ "$1" = -1.0 ]; then
		log "$g on $m: status $3, output: $(head -c 200 "$R/last.log")"
		echo "fail $r" >>"$R/boot-$m-$g"
	else
		echo "$r" >>"$R/boot-$m-$g"
	fi
}

boot_all() {
	local i m g
	log "boot: $RUNS runs of each guest on $MACHINES"
	for i in $(seq "$RUNS"); do
		for m in $MACHINES; do
			for g in floor skiff skiff-nonet skiff-qemu linux \
				linux-pvh; do
				guest_available "$g" && boot_once "$g" "$m"
			done
		done
	done
}

# The python3 benchmark's images: Skiff's image of PY_ARGV (skiff build),
# and the Linux guest's initramfs, that very image with a second cpio
# archive appended whose /init (bench/linux/skiffinit.c) runs the image's
# program. PY_ENV: the environment the image gives the program, which the
# native run gets too. Sets PY_IMG_OK when both images are there.
py_build() {
	local init=$B/linux/skiffinit.cpio
	PY_IMG_OK=
	rm -f "$B/python.img" "$B/linux/python-initramfs.cpio"
	if ! "$B/skiff" build --format cpio -o "$B/python.img" "${PY_ARGV[@]}" \
		2>"$R/python-build.err"; then
		log "skiff build ${PY_ARGV[*]} fails: python3 guests left empty"
		PY_ENV=(PATH=/usr/local/bin:/usr/bin:/bin HOME=/)
		return 0
	fi
	mapfile -t PY_ENV < <(cpio -i --quiet --to-stdout .skiff/env \
		<"$B/python.img" | tr '\0' '\n')
	bench/linux/mkinitramfs.sh "$B/skiffinit" "$init"
	cat "$B/python.img" "$init" >"$B/linux/python-initramfs.cpio"
	PY_IMG_OK=1
}

# Sets CMD to the command running PY_ARGV the way $1 says (native, skiff,
# skiff-qemu, linux; on microvm with PY_MEM MiB), EXPECT to its exit status
# when python3 exits 0, and MATCH to timeit's options that find the "1"
# python3 prints: at the start of a line, or for Skiff booted by QEMU alone,
# right after the console protocol's switch to stdout (0xff 0x01).
py_cmd() {
	local what="on microvm, $PY_MEM MiB:"
	EXPECT=1
	MATCH=(-l -m 1)
	case $1 in
	native)
		EXPECT=0
		what="natively on the host, with the image's environment"
		CMD=(env -i "${PY_ENV[@]}" "${PY_ARGV[@]}") ;;
	skiff)
		EXPECT=0
		what="$what Skiff, skiff run"
		CMD=("$B/skiff" run --no-cwd --accel "$ACCEL" --machine microvm
			-m "$PY_MEM" "${PY_ARGV[@]}") ;;
	skiff-qemu)
		what="$what Skiff, QEMU alone"
		MATCH=(-m $'\xff\x011')
		qemu_base "$(machine_opt microvm)" "$PY_MEM"
		CMD=("${QEMU[@]}" -kernel "$B/kernel.elf"
			-initrd "$B/python.img" -append "tsc_khz=$KHZ") ;;
	linux)
		what="$what Linux guest, bzImage"
		qemu_base microvm,x-option-roms=off "$PY_MEM"
		CMD=("${QEMU[@]}" -kernel "$B/linux/vmlinuz"
			-initrd "$B/linux/python-initramfs.cpio"
			-append "$(bench/linux/cmdline.sh microvm "$KHZ")") ;;
	esac
	local f="$R/cmd-python-$1"
	[ -e "$f" ] || { echo "# python3 $what"
		shell_words "${CMD[@]}"; } >"$f"
}

py_available() {
	case $1 in
	native) true ;;
	skiff | skiff-qemu) [ -n "$SKIFF_OK" ] && [ -n "$PY_IMG_OK" ] ;;
	linux) [ -n "$PY_IMG_OK" ] ;;
	esac
}

# RUNS runs of python3 each way, round-robin: "first_ms exit_ms status"
# lines in results/python-WAY, as boot_once does.
py_all() {
	local i g r
	if [ ! -x "${PY_ARGV[0]}" ]; then
		log "no ${PY_ARGV[0]}: python3 part skipped"
		return 0
	fi
	py_build
	log "python3: $RUNS runs of each way"
	for i in $(seq "$RUNS"); do
		for g in native skiff skiff-qemu linux; do
			py_available "$g" || continue
			py_cmd "$g"
			r=$("$B/timeit" -t 120 "${MATCH[@]}" -o "$R/last.log" \
				-- "${CMD[@]}")
			set -- $r
			if [ "$3" != "$EXPECT" ] || [ "$1" = -1.0 ]; then
				log "python3, $g: status $3, output:" \
					"$(head -c 200 "$R/last.log")"
				r="fail $r"
			fi
			echo "$r" >>"$R/python-$g"
		done
	done
}

# Does guest $1 print the hello line and exit 0 with $2 MiB on microvm?
mem_ok() {
	local mib=$2 r
	guest_cmd "$1" microvm "$mib" --tsc-khz="$KHZ" hello
	r=$("$B/timeit" -t 20 -m "$HELLO" -o "$R/last.log" -- "${CMD[@]}")
	echo "$1 $mib $r" >>"$R/mem-probes"
	set -- $r
	[ "$3" = "$EXPECT" ] && [ "$1" != -1.0 ]
}

# Smallest MiB at which guest $1 runs hello, by bisection: first doubling
# from BOOT_MEM until it runs (up to 1024), then halving the gap from 0.
# Assumes more memory never hurts. Writes results/mem-GUEST.
mem_bisect() {
	local g=$1 lo=0 hi=$BOOT_MEM mid
	while ! mem_ok "$g" "$hi"; do
		lo=$hi
		hi=$((hi * 2))
		if [ "$hi" -gt 1024 ]; then
			echo "none" >"$R/mem-$g"
			return
		fi
	done
	while [ $((hi - lo)) -gt 1 ]; do
		mid=$(((lo + hi) / 2))
		if mem_ok "$g" "$mid"; then hi=$mid; else lo=$mid; fi
	done
	echo "$hi" >"$R/mem-$g"
}

# Skiff through QEMU alone: `skiff run` itself refuses less than 16 MiB.
mem_all() {
	local g
	for g in skiff-qemu linux linux-pvh; do
		[ -n "$QUICK" ] && [ "$g" = linux-pvh ] && continue
		guest_available "$g" || continue
		log "memory: bisecting $g"
		mem_bisect "$g"
	done
}

micro_all() {
	local i g r q=""
	[ -n "$QUICK" ] && q=--quick
	for i in $(seq "$MICRO_RUNS"); do
		for g in skiff linux; do
			guest_available "$g" || continue
			log "microbenchmarks: $g, run $i of $MICRO_RUNS"
			guest_cmd "$g" microvm "$MICRO_MEM" --tsc-khz="$KHZ" $q all
			r=$("$B/timeit" -t 600 -o "$R/micro-$g-$i" -- "${CMD[@]}")
			echo "$r" >>"$R/micro-$g-status"
		done
	done
}

# The scaling modes, each in a boot of its own, guests alternating:
# results/scaling-GUEST-MODE-N (the output) and results/scaling-GUEST-status
# ("MODE N first_ms exit_ms status" per boot).
scaling_all() {
	local i g mode r q=""
	[ -n "$QUICK" ] && q=--quick
	for i in $(seq "$MICRO_RUNS"); do
		for mode in $SCALING_MODES; do
			for g in skiff linux; do
				guest_available "$g" || continue
				log "scaling: $mode in $g, run $i of $MICRO_RUNS"
				guest_cmd "$g" microvm "$MICRO_MEM" \
					--tsc-khz="$KHZ" $q "$mode"
				r=$("$B/timeit" -t 300 \
					-o "$R/scaling-$g-$mode-$i" -- "${CMD[@]}")
				echo "$mode $i $r" >>"$R/scaling-$g-status"
				set -- $r
				[ "$3" = "$EXPECT" ] ||
					log "scaling: $mode in $g: status $3"
			done
		done
	done
}

sizes() {
	local f=$R/sizes
	: >"$f"
	if [ -n "$SKIFF_OK" ]; then
		strip -o "$B/kernel.stripped" "$B/kernel.elf"
		echo "skiff_kernel $(stat -c %s "$B/kernel.elf")" >>"$f"
		echo "skiff_kernel_stripped $(stat -c %s "$B/kernel.stripped")" >>"$f"
		echo "skiff_hello_image $(stat -c %s "$B/hello.img")" >>"$f"
	fi
	echo "linux_vmlinuz $(stat -c %s "$B/linux/vmlinuz")" >>"$f"
	[ -s "$B/linux/vmlinux" ] &&
		echo "linux_vmlinux $(stat -c %s "$B/linux/vmlinux")" >>"$f"
	echo "linux_initramfs $(stat -c %s "$B/linux/initramfs.cpio")" >>"$f"
	echo "microbench $(stat -c %s "$B/microbench")" >>"$f"
	if [ -s "$B/python.img" ]; then
		echo "python_image $(stat -c %s "$B/python.img")" >>"$f"
		echo "python_image_files $(cpio -it --quiet <"$B/python.img" |
			grep -vc '^\.skiff')" >>"$f"
		echo "python_initramfs $(stat -c %s \
			"$B/linux/python-initramfs.cpio")" >>"$f"
	fi
}

facts() {
	local f=$R/facts
	{
		echo "date $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "nproc $(nproc)"
		echo "cpu $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
		echo "qemu $(qemu-system-x86_64 --version | head -1)"
		echo "accel $ACCEL"
		echo "host_kernel $(uname -r)"
		echo "tsc_khz $KHZ"
		echo "linux $(cat "$B/linux/version")"
		echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo none)$(
			git status --porcelain 2>/dev/null | grep -q . &&
			echo ' (with uncommitted changes)')"
		echo "quick ${QUICK:-0}"
		echo "runs $RUNS"
		echo "micro_runs $MICRO_RUNS"
		echo "boot_mem $BOOT_MEM"
		echo "micro_mem $MICRO_MEM"
		echo "py_mem $PY_MEM"
		echo "py_version $("${PY_ARGV[0]}" --version 2>&1 || echo none)"
		echo "load_start $LOAD_START"
		echo "load_end $(cut -d' ' -f1-3 /proc/loadavg)"
	} >"$f"
}

# The network part alone: its results replace those of the last full run.
net_only() {
	local out=docs/performance.md
	build
	skiff_probe
	net_all
	echo "seconds $(($(date +%s) - START))" >"$R/net-elapsed"
	net_facts
	if [ -s "$R/facts" ]; then
		bench/report.sh "$R" "$out"
	else
		out=$B/network.md
		log "no full run's results in $R: docs/performance.md left alone"
		bench/report.sh --net "$R" "$out"
	fi
	log "network part done in $(($(date +%s) - START)) s: $out"
}

# The storage part alone: its results replace those of the last full run,
# or, with none, its section and goal row replace theirs in
# docs/performance.md (bench/report.sh --storage).
storage_only() {
	local out=docs/performance.md
	build
	skiff_probe
	storage_all
	echo "seconds $(($(date +%s) - START))" >>"$R/stor-facts"
	if [ -s "$R/facts" ]; then
		bench/report.sh "$R" "$out"
	else
		bench/report.sh --storage "$R" "$B/storage.md"
		bench/report.sh --splice "$B/storage.md" "$out"
		log "no full run's results in $R: the storage section of $out replaced"
	fi
	log "storage part done in $(($(date +%s) - START)) s: $out"
}

. bench/net/net.sh
. bench/storage.sh
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -n "$NET_ONLY" ]; then
	net_only
	exit 0
fi
if [ -n "$STORAGE_ONLY" ]; then
	storage_only
	exit 0
fi
build
skiff_probe
boot_all
py_all
mem_all
micro_all
scaling_all
NET_START=$(date +%s)
net_all
echo "seconds $(($(date +%s) - NET_START))" >"$R/net-elapsed"
net_facts
bench/console.sh "$R" >/dev/null || log "the console part failed"
bench/ninep.sh "$R" >/dev/null || log "the 9p part failed"
storage_all
sizes
echo "seconds $(($(date +%s) - START))" >"$R/elapsed"
facts
bench/report.sh "$R" docs/performance.md
bench/smp.sh || log "the SMP part (bench/smp.sh) failed"
log "done in $(($(date +%s) - START)) s: docs/performance.md"
