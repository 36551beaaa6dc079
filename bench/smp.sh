#!/bin/bash
# bench/smp.sh: the SMP part of `make bench` (bench/run.sh calls it after
# its report; it also runs alone). Skiff beside the Linux guest (Debian's
# kernel, bench/linux/fetch.sh; /init is the benchmark program itself,
# bench/linux/mkinitramfs.sh) on the same QEMU, microvm, accelerator and
# memory, with 1 and then 2 CPUs (skiff run --cpus N; QEMU's -smp N and
# -accel tcg,thread=multi for the Linux guest), in the same run, rounds
# interleaved so drift hits every guest alike. The program is
# bench/prog/smpbench.c, `all`: the speed-up of a CPU-bound loop split
# across 2 threads, futex ping-pong between threads pinned to CPUs 0 and 1
# (every wake-up crosses CPUs; on 1 CPU, both share it), thread create +
# join. Each figure is the median of the rounds' medians.
#
# Writes build/bench/results/smp-* (each boot's output, the commands),
# build/bench/smp.md (the section), and splices into docs/performance.md
# its section (between <!-- smp-begin --> and <!-- smp-end -->, at the end
# the first time) and its two goal rows (the rows starting "| SMP:", kept
# after the goals table's other rows):
#   parallel speed-up with 2 CPUs at least the Linux guest's
#   cross-CPU futex wake-up cheaper than the Linux guest's
# Nothing here asserts a timing: a figure that cannot be measured shows as
# missing, with the reason.
#
# Environment: SMP_ROUNDS (3; 1 with QUICK=1), BENCH_ACCEL (tcg),
# SMP_REPORT_ONLY=1 (no runs: the report of the results already there),
# BENCH_LINUX_DIR (build/bench/linux: where fetch.sh leaves the kernel).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
B=build/bench
R=$B/results
S=$B/smp
ROUNDS=${SMP_ROUNDS:-3}
[ -n "${QUICK:-}" ] && [ "${QUICK:-}" != 0 ] && ROUNDS=${SMP_ROUNDS:-1}
ACCEL=${BENCH_ACCEL:-tcg}
LINUX=${BENCH_LINUX_DIR:-$B/linux}
MEM=256
FIGS="cpu_1thread_ms cpu_2threads_ms futex_pingpong_ns thread_create_join_us"
START=$(date +%s)
log() { echo "bench/smp: $*" >&2; }

mkdir -p "$S" "$R"
[ -z "${SMP_REPORT_ONLY:-}" ] && rm -f "$R"/smp-*
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -pthread \
	-o "$S/smpbench" bench/prog/smpbench.c || exit 1
KHZ=$("$S/smpbench" calibrate | awk '{ print $2 }')
LINUX_OK=
if { [ -s "$LINUX/vmlinuz" ] || bench/linux/fetch.sh "$LINUX"; } &&
   bench/linux/mkinitramfs.sh "$S/smpbench" "$S/initramfs.cpio"; then
	LINUX_OK=1
else
	log "no Linux guest (bench/linux/fetch.sh $LINUX failed)"
fi

# Sets CMD for guest $1 with $2 CPUs.
smp_cmd() {
	local g=$1 n=$2 accel=$ACCEL
	if [ "$g" = skiff ]; then
		CMD=(build/skiff run --no-cwd --net none --accel "$ACCEL"
			--machine microvm -m "$MEM" --cpus "$n"
			"$S/smpbench" --tsc-khz="$KHZ" all)
		return
	fi
	[ "$ACCEL" = tcg ] && [ "$n" -gt 1 ] && accel=tcg,thread=multi
	CMD=(qemu-system-x86_64 -M microvm,x-option-roms=off -nodefaults
		-no-user-config -display none -no-reboot -m "${MEM}M" -cpu max
		-accel "$accel" -smp "$n" -serial stdio
		-device isa-debug-exit,iobase=0xf4,iosize=4
		-kernel "$LINUX/vmlinuz" -initrd "$S/initramfs.cpio"
		-append "$(bench/linux/cmdline.sh microvm "$KHZ") -- --tsc-khz=$KHZ --poweroff all")
}

# One boot: guest $1, $2 CPUs, round $3: its figures to smp-GUEST-N-FIG.
smp_boot() {
	local g=$1 n=$2 i=$3 out rc want=0 f v
	out=$R/smp-$g-$n-$i.out
	smp_cmd "$g" "$n"
	[ -e "$R/smp-cmd-$g-$n" ] || printf '%q ' "${CMD[@]}" >"$R/smp-cmd-$g-$n"
	[ "$g" = linux ] && want=1
	rc=0
	timeout -k 5 600 "${CMD[@]}" </dev/null >"$out" 2>&1 || rc=$?
	tr -d '\r' <"$out" >"$out.tmp" && mv "$out.tmp" "$out"
	for f in cpus $FIGS; do
		v=$(awk -v k="$f" '$1 == k { print $2; exit }' "$out")
		if [ "$rc" = "$want" ] && [ -n "$v" ]; then
			echo "$v" >>"$R/smp-$g-$n-$f"
		else
			echo "fail exit status $rc" >>"$R/smp-$g-$n-$f"
		fi
	done
	[ "$rc" = "$want" ] || log "$g, $n CPUs, round $i: exit status $rc"
}

[ -n "${SMP_REPORT_ONLY:-}" ] && ROUNDS=$(wc -l <"$R/smp-skiff-1-cpus")
for i in $(seq "$ROUNDS"); do
	[ -n "${SMP_REPORT_ONLY:-}" ] && break
	for n in 1 2; do
		for g in skiff linux; do
			[ "$g" = linux ] && [ -z "$LINUX_OK" ] && continue
			log "$g, $n CPUs, round $i of $ROUNDS"
			smp_boot "$g" "$n" "$i"
		done
	done
done

# med GUEST N FIG: the median of the rounds' figures, or empty.
med() {
	[ -f "$R/smp-$1-$2-$3" ] || return 0
	grep -v '^fail' "$R/smp-$1-$2-$3" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}
ratio() { # A B: A/B to 2 places, or empty
	[ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" \
		'BEGIN { if (b > 0) printf "%.2f", a / b }'
}
show() { echo "${1:-missing}"; }

if [ -z "${SMP_REPORT_ONLY:-}" ]; then
	echo "$(date -u '+%Y-%m-%d %H:%M UTC')|$(git rev-parse --short HEAD)|$(($(date +%s) - START))|$(cut -d' ' -f1-3 /proc/loadavg)" >"$R/smp-facts"
fi
IFS='|' read -r when commit secs load <"$R/smp-facts"
{
	echo "<!-- smp-begin -->"
	echo "## Several CPUs"
	echo
	echo "bench/smp.sh ($when, commit $commit, $ROUNDS rounds, $secs s; load average $load at the end): bench/prog/smpbench.c in Skiff (\`skiff run --cpus N\`) and in the Linux guest (\`-smp N\`, multi-threaded TCG), microvm, $ACCEL, $MEM MiB. Medians of the rounds; \"CPUs seen\" is what the program's sysconf(_SC_NPROCESSORS_ONLN) said."
	echo
	echo "| Guest | CPUs given | CPUs seen | 1 thread, ms | 2 threads, ms | Speed-up | Futex ping-pong, ns | Thread create+join, us |"
	echo "|---|---|---|---|---|---|---|---|"
	for n in 1 2; do
		for g in skiff linux; do
			one=$(med $g $n cpu_1thread_ms) two=$(med $g $n cpu_2threads_ms)
			echo "| $g | $n | $(show "$(med $g $n cpus)") | $(show "$one") | $(show "$two") | $(show "$(ratio "$one" "$two")")x | $(show "$(med $g $n futex_pingpong_ns)") | $(show "$(med $g $n thread_create_join_us)") |"
		done
	done
	echo
	echo "The speed-up is the same work done by 1 thread, then split across 2: about 2x when the two threads run at once. With 2 CPUs the ping-pong's threads are pinned to CPUs 0 and 1 (sched_setaffinity), so each hand-over is a wake-up of a thread on the other CPU."
	noisy=""
	for g in skiff linux; do
		r=$(ratio "$(med $g 1 cpu_1thread_ms)" "$(med $g 1 cpu_2threads_ms)")
		[ -n "$r" ] && awk -v r="$r" 'BEGIN { exit !(r > 1.15 || r < 0.85) }' &&
			noisy="$noisy $g (${r}x)"
	done
	[ -n "$noisy" ] && echo && echo "Caution: with 1 CPU the speed-up must be about 1x, and here it is not for$noisy: the host was loaded (the load average above, on $(nproc) cores), so these timings are disturbed and the speed-up verdict is not to be trusted; run bench/smp.sh again on a quiet host."
	echo "<!-- smp-end -->"
} >"$B/smp.md"

sk=$(ratio "$(med skiff 2 cpu_1thread_ms)" "$(med skiff 2 cpu_2threads_ms)")
lx=$(ratio "$(med linux 2 cpu_1thread_ms)" "$(med linux 2 cpu_2threads_ms)")
met=$(awk -v a="$sk" -v b="$lx" 'BEGIN { print (a != "" && b != "" && a + 0 >= b + 0) ? "met" : "not met" }')
g1="| SMP: speed-up of a CPU-bound program with 2 threads on 2 CPUs at least the Linux guest's | Skiff $(show "$sk")x, Linux $(show "$lx")x: $met |"
sp=$(med skiff 2 futex_pingpong_ns) lp=$(med linux 2 futex_pingpong_ns)
met=$(awk -v a="$sp" -v b="$lp" 'BEGIN { print (a != "" && b != "" && a + 0 < b + 0) ? "met" : "not met" }')
g2="| SMP: cross-CPU wake-up (futex ping-pong, threads on CPUs 0 and 1) cheaper than the Linux guest's | Skiff $(show "$sp") ns, Linux $(show "$lp") ns: $met |"
printf '%s\n%s\n' "$g1" "$g2" >"$B/smp-goals.md"

# The section and the goal rows into docs/performance.md.
python3 - "$B/smp.md" "$B/smp-goals.md" docs/performance.md <<'EOF'
import re, sys
sec = open(sys.argv[1]).read().rstrip("\n")
goals = open(sys.argv[2]).read().rstrip("\n").split("\n")
doc = open(sys.argv[3]).read()
doc = re.sub(r"\n*<!-- smp-begin -->.*?<!-- smp-end -->\n?", "\n", doc, flags=re.S)
lines = [l for l in doc.rstrip("\n").split("\n") if not l.startswith("| SMP:")]
start = next(i for i, l in enumerate(lines) if l.startswith("## Skiff's goals"))
end = start + 1
while end < len(lines) and not lines[end].startswith("|"):
    end += 1
while end < len(lines) and lines[end].startswith("|"):
    end += 1
lines[end:end] = goals
open(sys.argv[3], "w").write("\n".join(lines) + "\n\n" + sec + "\n")
EOF
log "done in $(($(date +%s) - START)) s: $B/smp.md, docs/performance.md"
