#!/bin/bash
# bench/report.sh: turns the raw results of bench/run.sh into
# docs/performance.md and, when gnuplot is installed, docs/performance.png.
#
# Usage: bench/report.sh [--net|--storage] RESULTS_DIR OUT.md
#        bench/report.sh --splice STORAGE.md OUT.md
# --net: only the network part (bench/run.sh net without a full run).
# --storage: only the storage part's goal row and section (bench/run.sh
# storage without a full run); --splice puts those into OUT.md in place of
# its own (bench/storage-report.sh).
# RESULTS_DIR holds what bench/run.sh wrote: facts, boot-MACHINE-GUEST
# ("first_ms exit_ms status" per run, "fail ..." for a failed run),
# python-WAY (as boot-*, for python3 -c 'print(1)' run WAY), mem-GUEST
# (MiB or "none"), micro-GUEST-N (the program's output), scaling-GUEST-MODE-N
# (the output of a scaling mode) and scaling-GUEST-status ("MODE N first_ms
# exit_ms status" per boot), sizes, cmd-* (the exact commands) and elapsed;
# and the network part's net-* files (bench/net/report.sh reads them), and
# the storage part's stor-* files (bench/storage-report.sh reads them).
# Missing files give "n/a" cells; a missing scaling figure gets its reason.
set -eu
NET_DOC= STOR_DOC=
[ "$1" = --net ] && { NET_DOC=1; shift; }
[ "$1" = --storage ] && { STOR_DOC=1; shift; }
R=$1
OUT=$2
PNG=${OUT%.md}.png
GUESTS="floor skiff skiff-nonet skiff-qemu linux linux-pvh"
. "$(dirname "$0")/net/report.sh"
. "$(dirname "$0")/storage-report.sh"
. "$(dirname "$0")/restore-report.sh"
if [ "$R" = --splice ]; then
	storage_splice "$2" "$3"
	exit 0
fi

fact() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$R/facts"; }

label() {
	case $1 in
	floor) echo "floor (empty PVH guest)" ;;
	skiff)
		if grep -q -- '-netdev' "$R"/skiff-qemu-*.argv 2>/dev/null; then
			echo "Skiff, \`skiff run\` (with a NIC: user networking)"
		else
			echo "Skiff, \`skiff run\`"
		fi ;;
	skiff-nonet) echo "Skiff, \`skiff run --net none\`" ;;
	skiff-qemu) echo "Skiff, QEMU alone" ;;
	linux) echo "Linux, bzImage" ;;
	linux-pvh) echo "Linux, vmlinux via PVH" ;;
	esac
}

# "median min max count" of column $2 of the successful runs in file $1.
stats() {
	[ -s "$1" ] || { echo "- - - 0"; return; }
	grep -v '^fail' "$1" | awk -v c="$2" '{ print $c }' | sort -g |
		awk '{ v[NR] = $1 } END {
			if (!NR) { print "- - - 0"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.0f %.0f %.0f %d\n", m, v[1], v[NR], NR }'
}

fails() { grep -c '^fail' "$1" 2>/dev/null || true; }

cell() { # median min max count
	[ "$4" = 0 ] && { echo "n/a"; return; }
	echo "$1 ($2–$3)"
}

ratio() { # a b: a/b with 2 digits, n/a if either is missing
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0)
			print "n/a"
		else printf "%.2f\n", a / b }'
}

times() { [ "$1" = n/a ] && echo n/a || echo "${1}x"; }

median_exit() { stats "$R/boot-$1-$2" 2 | cut -d' ' -f1; }

boot_section() {
	local m g s1 s2 f
	echo "## Boot"
	echo
	echo "From QEMU's launch (or \`skiff run\`'s) to the program's first line"
	echo "on the console, and to QEMU's exit; milliseconds, median (min–max)"
	echo "of $(fact runs) runs of each guest, with $(fact boot_mem) MiB of guest RAM. The"
	echo "program is \`microbench hello\` (static glibc); the floor prints"
	echo "\"floor\" and exits."
	echo
	echo "| Machine | Guest | First line, ms | Exit, ms | Failed runs |"
	echo "|---|---|---|---|---|"
	for m in microvm q35; do
		for g in $GUESTS; do
			f=$R/boot-$m-$g
			[ -e "$f" ] || continue
			s1=$(stats "$f" 1)
			s2=$(stats "$f" 2)
			echo "| $m | $(label "$g") | $(cell $s1) | $(cell $s2) | $(fails "$f") |"
		done
	done
	echo
	echo "Ratios of the medians of the time to exit:"
	echo
	echo "| Ratio | microvm | q35 |"
	echo "|---|---|---|"
	for pair in "skiff-qemu floor" "skiff floor" "skiff-qemu linux" \
		"skiff linux" "skiff-qemu linux-pvh" "skiff skiff-nonet"; do
		set -- $pair
		echo "| $(label "$1") / $(label "$2") | $(ratio \
			"$(median_exit microvm "$1")" "$(median_exit microvm "$2")") | $(ratio \
			"$(median_exit q35 "$1")" "$(median_exit q35 "$2")") |"
	done
	echo
}

py_label() {
	case $1 in
	native) echo "Native, on the host" ;;
	skiff) echo "Skiff, \`skiff run\`" ;;
	skiff-qemu) echo "Skiff, QEMU alone" ;;
	linux) echo "Linux guest, bzImage" ;;
	esac
}

py_median() { stats "$R/python-$1" "$2" | cut -d' ' -f1; }

python_section() {
	local g f s1 s2 pair mib
	ls "$R"/python-* >/dev/null 2>&1 || return 0
	mib=$(awk '$1 == "python_image" { printf "%.0f", $2 / 1048576 }' \
		"$R/sizes" 2>/dev/null)
	echo "## A dynamic program: python3"
	echo
	echo "\`python3 -c 'print(1)'\`, Debian's /usr/bin/python3 ($(fact py_version),"
	echo "dynamically linked, its stdlib from /usr/lib/python3.*), from launch to"
	echo "the line \"1\" and to exit; milliseconds, median (min–max) of $(fact runs)"
	echo "runs of each, interleaved, on microvm with $(fact py_mem) MiB of guest RAM."
	echo
	echo "| Way | First output, ms | Exit, ms | Failed runs |"
	echo "|---|---|---|---|"
	for g in native skiff skiff-qemu linux; do
		f=$R/python-$g
		[ -e "$f" ] || continue
		s1=$(stats "$f" 1)
		s2=$(stats "$f" 2)
		echo "| $(py_label "$g") | $(cell $s1) | $(cell $s2) | $(fails "$f") |"
	done
	echo
	echo "Ratios of the medians:"
	echo
	echo "| Ratio | First output | Exit |"
	echo "|---|---|---|"
	for pair in "skiff native" "skiff linux" "skiff-qemu linux"; do
		set -- $pair
		echo "| $(py_label "$1") / $(py_label "$2") | $(ratio \
			"$(py_median "$1" 1)" "$(py_median "$2" 1)") | $(ratio \
			"$(py_median "$1" 2)" "$(py_median "$2" 2)") |"
	done
	echo
	echo "- **Skiff, \`skiff run\`** packs python3, the dynamic loader and"
	echo "  shared libraries, the stdlib and the locale into an image on every"
	echo "  run (${mib:-?} MiB, $(size_of python_image_files) files), then boots it."
	echo "- **Skiff, QEMU alone** boots that image made beforehand by"
	echo "  \`skiff build\`, with the QEMU command line \`skiff run\` uses."
	echo "- **The Linux guest** (the same Debian kernel and command line as"
	echo "  above) boots with that very image as its initramfs, followed by a"
	echo "  second cpio archive holding /init (bench/linux/skiffinit.c): it"
	echo "  reads the program, arguments, environment and working directory"
	echo "  from the image's /.skiff/ files as Skiff's kernel does, forks and"
	echo "  execs python3, waits for it and powers off through"
	echo "  isa-debug-exit. Linux unpacks the whole archive into its root"
	echo "  filesystem in RAM before /init starts."
	echo "- **Native** runs \`python3 -c 'print(1)'\` on the host with the"
	echo "  image's environment (\`env -i\`), no VM."
	echo "- Python's stdout is a pipe natively and in Skiff (\"1\" comes out"
	echo "  when python3 flushes at exit), but the serial console, a terminal,"
	echo "  in the Linux guest (\"1\" comes out when printed)."
	echo
}

mem_of() { [ -s "$R/mem-$1" ] && cat "$R/mem-$1" || echo "-"; }

memory_section() {
	local g v
	echo "## Memory"
	echo
	echo "The smallest \`-m\` (MiB) at which \`microbench hello\` still prints its"
	echo "line and exits 0, on microvm, found by bisection (a run that fails or"
	echo "takes over 20 s counts as too small). Skiff is booted by QEMU alone"
	echo "here: \`skiff run\` itself refuses less than 16 MiB."
	echo
	echo "| Guest | Smallest -m, MiB | Skiff / this |"
	echo "|---|---|---|"
	for g in skiff-qemu linux linux-pvh; do
		v=$(mem_of "$g")
		[ "$v" = - ] && continue
		echo "| $(label "$g") | $v | $(ratio "$(mem_of skiff-qemu)" "$v") |"
	done
	echo
}

# "median min max" over the runs of guest $1 of the figure named $2, from
# the files results/PART-GUEST-*N (PART $3: micro, the default, or scaling).
micro_stats() {
	cat "$R/${3:-micro}-$1"-*[0-9] 2>/dev/null | tr -d '\r' |
		awk -v k="$2" '$1 == k && $2 ~ /^[0-9.]+$/ { print $2 }' |
		sort -g |
		awk '{ v[NR] = $1 } END {
			if (!NR) { print "- - -"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			print m, v[1], v[NR] }'
}

micro_value() { micro_stats "$1" "$2" "${3:-micro}" | cut -d' ' -f1; }

micro_cell() { # median min max
	[ "$1" = - ] && { echo "n/a"; return; }
	[ "$2" = "$3" ] && { echo "$1"; return; }
	echo "$1 ($2–$3)"
}

micro_section() {
	local k s l
	echo "## Inside the guest"
	echo
	echo "The same static binary, \`microbench all\`, in Skiff and as /init of"
	echo "the Linux guest (bzImage), on microvm with $(fact micro_mem) MiB. Each figure is the"
	echo "median of 5 repetitions after a warm-up inside one boot; the table"
	echo "gives the median (min–max) of that over $(fact micro_runs) boot(s) of each guest,"
	echo "alternating. Lower is better. The spread comes mostly from the other"
	echo "work on the host taking the CPU from QEMU's vCPU thread."
	echo
	echo "| Measure | Skiff | Linux | Skiff / Linux (medians) |"
	echo "|---|---|---|---|"
	for k in null_syscall_ns thread_create_join_us ctx_switch_ns \
		mmap_touch_munmap_64m_ms file_write_64m_ms file_read_64m_ms \
		fork_exit_wait_us vfork_exec_wait_us pipe_proc_mb_s ctx_switch_proc_ns; do
		echo "| \`$k\` | $(micro_cell $(micro_stats skiff "$k")) |" \
			"$(micro_cell $(micro_stats linux "$k")) |" \
			"$(ratio "$(micro_value skiff "$k")" "$(micro_value linux "$k")") |"
	done
	echo
	echo "- \`null_syscall_ns\`: getppid() in a loop, ns per call"
	echo "- \`thread_create_join_us\`: pthread_create + pthread_join, µs per pair"
	echo "- \`ctx_switch_ns\`: two threads ping-pong a byte over two pipes; ns"
	echo "  per switch (half a round trip; one vCPU)"
	echo "- \`mmap_touch_munmap_64m_ms\`: mmap 64 MiB anonymous, write one byte"
	echo "  per 4 KiB page, munmap; ms"
	echo "- \`file_write_64m_ms\`, \`file_read_64m_ms\`: write 64 MiB to"
	echo "  /microbench.tmp in the root filesystem in 1 MiB writes, then read it"
	echo "  back; ms"
	echo "- \`fork_exit_wait_us\`: fork, the child _exits, the parent waits; µs"
	echo "- \`vfork_exec_wait_us\`: vfork, the child execs microbench itself"
	echo "  (static) in mode \`true\`, which exits at once; the parent waits; µs"
	echo "- \`pipe_proc_mb_s\`: 64 MiB from a child to its parent through a pipe"
	echo "  in 64 KiB writes; MB/s, higher is better"
	echo "- \`ctx_switch_proc_ns\`: as \`ctx_switch_ns\` between two processes"
	echo "  instead of two threads; ns per switch"
	echo "- n/a: the guest could not measure it (Skiff before processes:"
	echo "  fork is ENOSYS, and microbench prints \`missing NAME reason\`)"
	echo
	null_floor_section
}

# The scaling figures: "base small large label" per line; a figure is
# named base_COUNT_ns.
SCALING_ROWS="fault_areas 10 10000 Page fault (first touch of an anonymous page), 10 / 10,000 areas
read_areas 10 10000 \`read\` of 16 bytes from a file into a buffer, 10 / 10,000 areas
epoll_wait_fds 10 10000 \`epoll_wait\`, 1 ready fd among 10 / 10,000 registered
futex_pingpong_sleepers 0 1000 Futex ping-pong round trip, 0 / 1,000 threads asleep on timers
futex_timed_pingpong_sleepers 0 1000 The same with a 10 s timeout on each wait, 0 / 1,000 asleep"

scaling_mode() { # figure name: the microbench mode that measures it
	case $1 in
	fault_* | read_*) echo areas ;;
	epoll_*) echo epoll ;;
	*) echo sleepers ;;
	esac
}

scaling_value() { micro_value "$1" "$2" scaling; }

# large / small for guest $1 and figure base $2 (counts $3, $4).
scaling_ratio() {
	ratio "$(scaling_value "$1" "${2}_${4}_ns")" \
		"$(scaling_value "$1" "${2}_${3}_ns")"
}

# Why guest $1 has no figure $2: what the program said ("missing NAME
# reason"), else how the boots of its mode ended. Empty if it has one.
scaling_why() {
	local g=$1 k=$2 mode why f
	[ "$(scaling_value "$g" "$k")" = - ] || return 0
	why=$(cat "$R/scaling-$g"-*[0-9] 2>/dev/null | tr -d '\r' | awk -v k="$k" '
		$1 == "missing" && $2 == k { $1 = $2 = ""; sub(/^ +/, ""); print; exit }')
	if [ -n "$why" ]; then
		echo "$why"
		return
	fi
	mode=$(scaling_mode "$k")
	f=$(ls "$R/scaling-$g-$mode"-*[0-9] 2>/dev/null | head -1)
	if [ -z "$f" ]; then
		echo "not run (the guest was not available)"
		return
	fi
	why=$(awk -v m="$mode" '$1 == m { s = s sep $5 ($5 == 124 ? \
		" (timed out)" : ""); sep = ", " } END { print s }' \
		"$R/scaling-$g-status" 2>/dev/null)
	echo "no figure; its boots ended with status ${why:-?}; last output" \
		"line: \"$(tr -d '\r' <"$f" | grep -v '^ *$' | tail -1 |
			cut -c1-120 | sed 's/|/\\|/g')\" ($(basename "$f"))"
}

scaling_section() {
	local base small large label g k v why missing=""
	ls "$R"/scaling-*-status >/dev/null 2>&1 || return 0
	echo "## Scaling"
	echo
	echo "How the cost of one operation grows with what the program holds:"
	echo "\`microbench areas\`, \`epoll\` and \`sleepers\` (bench/prog/scaling.c),"
	echo "each in a boot of its own, in Skiff and as /init of the Linux guest,"
	echo "on microvm with $(fact micro_mem) MiB. Inside one boot the counts alternate"
	echo "in three phases, small, large, small again, so that a drift in the"
	echo "host's load weighs on both; a figure is the time per operation in the"
	echo "fastest of $([ "$(fact quick)" = 1 ] && echo 8 || echo 16) repetitions of about 2 ms at its count, after a"
	echo "warm-up (the host's other work only ever adds time, and short"
	echo "repetitions often run undisturbed). The table gives the median"
	echo "(min–max) of that over $(fact micro_runs) boot(s) of each guest, in ns per"
	echo "operation. Large / small is the ratio of the medians: 1.00 is flat."
	echo
	echo "| Measure | Skiff, small | Skiff, large | Skiff large / small |" \
		"Linux, small | Linux, large | Linux large / small |"
	echo "|---|---|---|---|---|---|---|"
	while read -r base small large label; do
		echo "| $label | $(micro_cell $(micro_stats skiff "${base}_${small}_ns" scaling)) |" \
			"$(micro_cell $(micro_stats skiff "${base}_${large}_ns" scaling)) |" \
			"$(scaling_ratio skiff "$base" "$small" "$large") |" \
			"$(micro_cell $(micro_stats linux "${base}_${small}_ns" scaling)) |" \
			"$(micro_cell $(micro_stats linux "${base}_${large}_ns" scaling)) |" \
			"$(scaling_ratio linux "$base" "$small" "$large") |"
		for g in skiff linux; do
			for k in "${base}_${small}_ns" "${base}_${large}_ns"; do
				why=$(scaling_why "$g" "$k")
				[ -n "$why" ] && missing="$missing
- $(label "$g" | sed 's/,.*//'), \`$k\`: $why"
			done
		done
	done <<<"$SCALING_ROWS"
	echo
	if [ -n "$missing" ]; then
		echo "Figures that could not be measured (n/a above):"
		echo "$missing"
		echo
	fi
	echo "- **Areas**: one-page anonymous mappings with a one-page hole"
	echo "  between each two, alternately \`PROT_READ\` and"
	echo "  \`PROT_READ|PROT_WRITE\`, so none can merge; half lie below the"
	echo "  mapping measured and half above, so a walk in address order from"
	echo "  either end passes half of them. They come on top of the program's"
	echo "  own few areas (text, data, heap, stack). The far ones are unmapped"
	echo "  for the small count, mapped again for the large. The page fault: a"
	echo "  write to each page of a fresh 4 MiB anonymous mapping, in order,"
	echo "  until the time is up (\`MADV_NOHUGEPAGE\`: one fault per page). The"
	echo "  read: \`read(fd, buf, 16)\` from a 4 KiB file in /, the buffer in"
	echo "  that mapping (already touched), 256 reads per \`lseek\` back to 0"
	echo "  (not timed)."
	echo "- **epoll**: that many eventfds registered for \`EPOLLIN\` in one"
	echo "  epoll instance (RLIMIT_NOFILE raised with setrlimit), the sixth one"
	echo "  readable; \`epoll_wait(ep, ev, 8, 0)\` returns it, and only it. For"
	echo "  the small count the others are removed (\`EPOLL_CTL_DEL\`)."
	echo "- **Futex ping-pong**: two threads hand a turn back and forth through"
	echo "  one word, \`FUTEX_WAIT_PRIVATE\` / \`FUTEX_WAKE_PRIVATE\`, one round"
	echo "  trip per operation (two switches on the one vCPU). The sleepers:"
	echo "  1,000 threads with 64 KiB stacks, half in \`nanosleep\`, half in"
	echo "  \`FUTEX_WAIT\` on a word of their own, each with a 10 s timeout,"
	echo "  all counted in and given 50 ms to fall asleep before the timing,"
	echo "  and woken (futex wake, SIGUSR1) and joined for the last phase."
	echo "  The timed row puts a 10 s timeout on the ping-pong's own waits (as"
	echo "  \`pthread_cond_timedwait\` does), so each wait also sets a timer"
	echo "  among the sleepers' timers."
	echo
}

size_of() { awk -v k="$1" '$1 == k { print $2 }' "$R/sizes"; }
kib() { [ -n "$1" ] && awk -v b="$1" 'BEGIN { printf "%.0f", b / 1024 }' || echo "n/a"; }

size_section() {
	local sk sh lz li lx both
	sk=$(kib "$(size_of skiff_kernel_stripped)")
	sh=$(kib "$(size_of skiff_hello_image)")
	lz=$(kib "$(size_of linux_vmlinuz)")
	li=$(kib "$(size_of linux_initramfs)")
	lx=$(kib "$(size_of linux_vmlinux)")
	echo "## Size"
	echo
	echo "KiB. Skiff's kernel is build/kernel.elf stripped ($(kib "$(size_of skiff_kernel)") KiB as"
	echo "built, with debug information, which QEMU does not load). Linux's is"
	echo "the packaged bzImage (${lx} KiB once decompressed, the ELF booted"
	echo "through PVH). The hello image is what carries \`microbench\` ($(kib "$(size_of microbench)") KiB)"
	echo "into the guest: Skiff's image, the Linux guest's initramfs."
	echo
	echo "| | Skiff | Linux | Skiff / Linux |"
	echo "|---|---|---|---|"
	echo "| Kernel image | $sk | $lz | $(ratio "$sk" "$lz") |"
	echo "| Hello image | $sh | $li | $(ratio "$sh" "$li") |"
	both=$(awk -v a="$sk" -v b="$sh" 'BEGIN { print (a == "n/a" ? "n/a" : a + b) }')
	echo "| Both | $both | $((lz + li)) | $(ratio "$both" $((lz + li))) |"
	echo
}

# A goal row: Skiff's large / small ratio for figure base $2 (counts $3,
# $4) at most 1.2, with Linux's ratio for reference.
goal_scaling() {
	local s l v
	s=$(scaling_ratio skiff "$2" "$3" "$4")
	l=$(scaling_ratio linux "$2" "$3" "$4")
	if [ "$s" = n/a ]; then
		v="n/a, see Scaling"
	else
		v="${s}x, $(awk -v r="$s" 'BEGIN {
			print (r <= 1.2 ? "met" : "not met") }')"
	fi
	echo "| $1 | $v (Linux: $(times "$l")) |"
}

# The null syscall's floor under TCG: bench/prog/tcgfloor.c, run by hand
# (not by make bench), 2026-12-02; static text.
null_floor_section() {
	cat <<'FLOOR'
### The null syscall's floor

What the instructions of the round trip cost by themselves under TCG,
from bench/prog/tcgfloor.c (an experiment run by hand in Skiff, whose
ring 0 lets it point LSTAR at a stub of its own with interrupts off:
`gcc -O2 -static -mno-red-zone -o build/tcgfloor bench/prog/tcgfloor.c;
build/skiff run build/tcgfloor`). ns per operation, best of 5 runs of
200,000, five boots on 2026-12-02 09:10-09:15 UTC under a load average
of 9-12 (so every figure is 2-3x its value on a quiet host: getppid was
124 ns in the last quiet `make bench`; read the ratios within one boot):

| Operation | ns (range over 5 boots) | Share of Skiff's getppid in the same boot |
|---|---|---|
| `call` + `ret` of an empty function | 5.3-5.8 | ~2% |
| `pushfq` + `popfq` | 13-43 | ~4-10% |
| `rdtsc` | 31-98 | |
| `syscall` into a stub (`push %r11; popfq; jmp *%rcx`) | 49-120 | 13-35% |
| same-ring `iretq` | 144-375 | more than all of getppid |
| getppid() through glibc and Skiff (the null syscall) | 235-420 | 100% |

- Under TCG the SYSCALL instruction is an exception in QEMU: it leaves
  the translated code (a longjmp to the CPU loop), emulates the entry and
  looks the next block up; the return's `popfq` ends a translation block
  (it may change IF) and `jmp *%rcx` is an indirect jump, looked up at
  run time. SYSCALL with the least possible return is a quarter to a
  third of Skiff's whole null syscall; a same-ring IRETQ costs more than
  the whole call, which is why Skiff returns with `popfq; jmp` (SYSRETQ
  drops to ring 3: no option for a ring-0 program).
- 5x cheaper than the Linux guest's null syscall (428 ns) is 86 ns. With
  the SYSCALL part at ~30-40 ns on a quiet host, the rest of Skiff's
  path (15 pushes and pops, the C handler and its table, getppid) would
  have to shrink from ~85 ns to ~45 ns: within reach only by saving less
  (the six callee-saved registers the C handler preserves anyway) and
  skipping the `popfq` when RFLAGS did not change, not by anything in
  the program (whose code Skiff does not patch). The instruction's own
  floor is about 10x below Linux's figure, so 5x is not ruled out by
  QEMU, but it leaves Skiff's part little more than the SYSCALL's own.
FLOOR
	echo
}

goals_section() {
	local r m s l c
	r=$(ratio "$(median_exit microvm skiff-qemu)" "$(median_exit microvm floor)")
	m=$(mem_of skiff-qemu)
	s=$(micro_value skiff null_syscall_ns)
	l=$(micro_value linux null_syscall_ns)
	echo "## Skiff's goals"
	echo
	echo "| Goal | Measured |"
	echo "|---|---|"
	echo "| Boot within 1.5x of the floor (microvm, QEMU alone, to exit) | $(times "$r") |"
	echo "| hello in 4 MiB of guest RAM or less | $([ "$m" = - ] && echo n/a || echo "$m MiB") |"
	c=$(times "$(ratio "$l" "$s")")
	[ "$c" = n/a ] || c="$c cheaper"
	echo "| A null syscall at least 5x cheaper than in the Linux guest | $c |"
	goal_scaling "Page fault with 10,000 areas within 1.2x of 10 areas" \
		fault_areas 10 10000
	goal_scaling "\`read\` with 10,000 areas within 1.2x of 10 areas" \
		read_areas 10 10000
	goal_scaling "\`epoll_wait\` with 1 ready fd among 10,000 within 1.2x of among 10" \
		epoll_wait_fds 10 10000
	goal_scaling "Futex ping-pong with 1,000 sleepers within 1.2x of none" \
		futex_pingpong_sleepers 0 1000
	goal_scaling "Futex ping-pong with timeouts, 1,000 sleepers, within 1.2x of none" \
		futex_timed_pingpong_sleepers 0 1000
	net_goals
	ninep_goal
	storage_goals
	echo
	if [ ! -s "$R/skiff-probe-microvm.out" ] ||
	   ! grep -q . "$R"/boot-*-skiff 2>/dev/null; then
		echo "Skiff did not run in this benchmark: \`skiff run\` failed (see"
		echo "build/bench/results/skiff-probe-*.err), so its cells are n/a."
		echo
	fi
}

commands_section() {
	local f
	echo "## Exact commands"
	echo
	echo "All of this is \`make bench\` (\`make bench QUICK=1\` for the quick"
	echo "mode), that is bench/run.sh; these are the commands it timed, one per"
	echo "guest, machine and program arguments (\`timeit\` is bench/timeit.c,"
	echo "which starts the command and notes when the first line and the exit"
	echo "come; build/bench/skiff and build/bench/kernel.elf are copies of"
	echo "build/skiff and build/kernel.elf taken at the start of the run):"
	echo
	echo '```'
	for f in "$R"/cmd-*; do
		[ -e "$f" ] || continue
		cat "$f"
		echo
	done
	echo '```'
	echo
}

header() {
	local mode
	echo "# Performance"
	echo
	echo "Generated by \`make bench\` (bench/run.sh) on $(fact date); do not edit."
	echo "Absolute times on a shared machine drift; the ratios of guests"
	echo "measured side by side, interleaved in one run, are what holds."
	echo
	echo "| Machine | |"
	echo "|---|---|"
	echo "| CPUs (nproc) | $(fact nproc) |"
	echo "| CPU | $(fact cpu) |"
	echo "| QEMU | $(fact qemu) |"
	echo "| Accelerator | $(fact accel) |"
	echo "| Host kernel | $(fact host_kernel) |"
	echo "| Host TSC | $(fact tsc_khz) kHz |"
	echo "| Linux guest | Debian $(fact linux) |"
	echo "| Skiff | commit $(fact commit) |"
	echo "| Load average (1, 5, 15 min) | $(fact load_start) at the start, $(fact load_end) at the end |"
	mode=full
	[ "$(fact quick)" = 1 ] && mode=quick
	echo "| Mode | $mode, $(awk '{ print $2 }' "$R/elapsed") s |"
	[ -s "$R/net-facts" ] && echo "| Network part | $(net_fact date), $([ "$(net_fact quick)" = 1 ] && echo quick || echo full), $(awk '{ print $2 }' "$R/net-elapsed" 2>/dev/null) s |"
	echo
}

method_section() {
	cat <<'EOF'
## How it is measured

- **Same QEMU for all.** Every guest runs on the same QEMU binary, machine
  type, accelerator and `-cpu` as `skiff run` uses (read from `skiff run --verbose`),
  one vCPU, `-nodefaults`, the console on COM1, and ends through
  isa-debug-exit. Runs are sequential and interleaved round-robin (floor,
  Skiff, Linux, ... then again), so a change in the host's load hits every
  guest alike.
- **The floor** (bench/floor/floor.S) is an ELF with only a PVH entry that
  prints "floor" on COM1 and writes isa-debug-exit: what QEMU, its firmware
  and the machine cost before any kernel runs.
- **Skiff, `skiff run`** is what a user types: the host tool packs the
  program into an image, starts QEMU and relays the console.
  **Skiff, QEMU alone** boots an image made beforehand by `skiff build` with
  the QEMU command line `skiff run` uses: the kernel's share, comparable to
  the floor and Linux rows.
- **The Linux guest** is Debian's cloud kernel (bench/linux/fetch.sh, with
  `apt-get download`) with an initramfs whose /init is the benchmark program
  itself, which powers off through isa-debug-exit. The command line is in
  bench/linux/cmdline.sh with the reason for each option (`quiet`,
  `tsc_early_khz=`, `cryptomgr.notests`, `pci=off` on microvm, ...). Linux
  keeps microvm's RTC (`rtc=off`, which Skiff uses, costs Linux about 2 s of
  waiting for a clock that is not there). "bzImage" is the kernel as
  packaged; "vmlinux via PVH" is the same kernel decompressed beforehand,
  which QEMU loads like Skiff, skipping decompression in the guest.
- **Inside the guest**, times come from RDTSC converted with the host's TSC
  rate (under TCG the guest reads the host's TSC), the same clock in every
  guest whatever its own clocksource.
- **TCG is not hardware.** Under TCG a figure is the cost of emulating the
  guest's instructions: for instance `rep movsb`, which Linux uses to copy
  to and from user memory when the CPU model has ERMS (`-cpu max` has), is
  emulated one byte per iteration, which likely accounts for much of the
  file figures of the Linux guest. Ratios under KVM will differ.
EOF
	echo
}

short_label() {
	case $1 in
	floor) echo "floor" ;;
	skiff) echo "Skiff\\n(skiff run)" ;;
	skiff-nonet) echo "Skiff\\n(--net none)" ;;
	skiff-qemu) echo "Skiff\\n(QEMU alone)" ;;
	linux) echo "Linux\\n(bzImage)" ;;
	linux-pvh) echo "Linux\\n(PVH)" ;;
	esac
}

nan() { case $1 in - | n/a) echo NaN ;; *) echo "$1" ;; esac; }

# docs/performance.png: boot medians, and Linux's time over Skiff's for
# each microbenchmark.
chart() {
	command -v gnuplot >/dev/null || return 0
	local d=$R/chart-boot.dat u=$R/chart-micro.dat g k
	for g in $GUESTS; do
		[ -e "$R/boot-microvm-$g" ] || continue
		echo "\"$(short_label "$g")\" $(nan "$(median_exit microvm "$g")")" \
			"$(nan "$(median_exit q35 "$g")")"
	done >"$d"
	for k in null_syscall_ns thread_create_join_us ctx_switch_ns \
		mmap_touch_munmap_64m_ms file_write_64m_ms file_read_64m_ms \
		fork_exit_wait_us vfork_exec_wait_us pipe_proc_mb_s ctx_switch_proc_ns; do
		echo "\"$(echo "${k%_*}" | sed "s/_touch_munmap//; s/_64m$//")\"" \
			"$(nan "$(ratio "$(micro_value linux "$k")" \
				"$(micro_value skiff "$k")")")"
	done >"$u"
	gnuplot <<EOF 2>"$R/gnuplot.log" || true
set terminal png size 1200,520 font ",10" noenhanced
set bmargin 6
set output "$PNG"
set multiplot layout 1,2 title "Skiff vs Linux guest vs floor, QEMU $(fact accel), $(fact date)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set grid ytics
set xtics nomirror
set logscale y
set title "Boot: launch to exit, ms (median of $(fact runs), log scale)"
set yrange [10:*]
set key top left
plot "$d" using 2:xtic(1) title "microvm", "" using 3 title "q35"
set title "Inside the guest: Linux time / Skiff time (above 1: Skiff faster)"
set yrange [0.1:*]
set xtics rotate by -30
plot "$u" using 2:xtic(1) notitle lc rgb "#4070a0"
unset multiplot
EOF
}

# The 9p goal row: Skiff's figures against the Linux guest's, or why not.
ninep_goal() {
	local w r lw lr
	[ -s "$R/ninep.md" ] || { echo "| 9p read and write MB/s at least the Linux guest's | n/a (bench/ninep.sh did not run) |"; return; }
	w=$(awk -F'|' '/sequential write/ { print $4 }' "$R/ninep.md" | xargs)
	r=$(awk -F'|' '/sequential read/ { print $4 }' "$R/ninep.md" | xargs)
	lw=$(awk -F'|' '/sequential write/ { print $6 }' "$R/ninep.md" | xargs)
	lr=$(awk -F'|' '/sequential read/ { print $6 }' "$R/ninep.md" | xargs)
	if [[ $w$r$lw$lr =~ ^[0-9.]+$ ]]; then
		echo "| 9p read and write MB/s at least the Linux guest's | Skiff (microvm) write $w, read $r MB/s; Linux guest (linux-image-amd64) write $lw, read $lr: write $(awk -v a="$w" -v b="$lw" 'BEGIN { print (a >= b ? "met" : "not met") }'), read $(awk -v a="$r" -v b="$lr" 'BEGIN { print (a >= b ? "met" : "not met") }') |"
	else
		echo "| 9p read and write MB/s at least the Linux guest's | Skiff (microvm) write $w, read $r MB/s; Linux guest: $lw |"
	fi
}

# The 9p table (bench/ninep.sh), when it ran.
ninep_section() {
	[ -s "$R/ninep.md" ] || return 0
	echo "## A host directory over virtio-9p"
	echo
	echo "bench/ninep.sh: \`skiff run -v DIR:/share\` (QEMU's local fsdev,"
	echo "security_model=none), a 64 MiB file written (with its fsync) and"
	echo "read back in 1 MiB requests by bench/prog/filebench.c, timed inside"
	echo "the guest; natively on the host's file system beside it. Skiff's"
	echo "client has no page cache: each request is a Twrite or Tread of up"
	echo "to msize (512 KiB) to QEMU, so the figures are QEMU's 9p server's"
	echo "and the copies through the ring. The Linux guest: Debian's generic"
	echo "kernel (linux-image-amd64; the cloud kernel has no 9p), its 9p,"
	echo "9pnet_virtio and virtio_mmio modules loaded by bench/linux/blkinit.c"
	echo "--9p, the share mounted with trans=virtio, 9P2000.L, msize 512 KiB"
	echo "(cache=none, the default), on microvm with the same fsdev. Every"
	echo "side times by RDTSC at the host's TSC rate (the Linux guest's"
	echo "clock ticks every 4 ms under TCG)."
	echo
	cat "$R/ninep.md"
	echo
}

# The console's table (bench/console.sh), when it ran.
console_section() {
	[ -s "$R/console.md" ] || return 0
	echo "## The console: stdio through skiff run"
	echo
	echo "bench/console.sh: 100 MB of random bytes through the program's"
	echo "stdin and stdout over the virtio console (skiff/proto.h), from"
	echo "skiff's launch to its exit (the boot included), checksummed;"
	echo "beside a native pipe, COM1 alone (the fallback) and the Linux"
	echo "guest's serial console (ttyS0: Debian's kernel on microvm, its"
	echo "/init bench/linux/consinit.c copying 200 KB back as cat does,"
	echo "driven by bench/linux/consdrive.py once the guest says it is"
	echo "ready; its boot included too). Goal: stdin and stdout each at"
	echo "least 50 MB/s."
	echo
	cat "$R/console.md"
	echo
}

if [ -n "$NET_DOC" ]; then
	net_only_doc >"$OUT.tmp"
	mv "$OUT.tmp" "$OUT"
	exit 0
fi
if [ -n "$STOR_DOC" ]; then
	{ storage_goals; echo; storage_section; } >"$OUT.tmp"
	mv "$OUT.tmp" "$OUT"
	exit 0
fi
{
	header
	goals_section
	boot_section
	python_section
	memory_section
	micro_section
	scaling_section
	net_section
	console_section
	ninep_section
	storage_section
	restore_section
	size_section
	method_section
	commands_section
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
chart
[ -s "$PNG" ] && sed -i "s|^## Skiff's goals|![Boot times]($(basename "$PNG"))\n\n## Skiff's goals|" "$OUT"
exit 0
