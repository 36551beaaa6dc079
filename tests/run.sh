#!/bin/sh
# tests/run.sh: the whole test suite, what `make test` runs (after building
# build/skiff and build/kernel.elf). Runs these parts, in order:
#   unit       tests/unit/run.sh       host unit tests of kernel modules
#                                      (cmocka, ASan, UBSan): test_NAME.c
#   layers     tests/layers/run.sh     the include rule of DESIGN.md
#                                      (scripts/check-layers.sh), and a
#                                      self-test of that check
#   compat     tests/compat/run.sh     docs/linux-compat.md agrees with the
#                                      kernel
#   apps       tests/apps/run.sh       test programs, tests/apps/AREA/NAME.c
#                                      and the bug reproducers
#                                      tests/regress/NAME.c, natively and in
#                                      Skiff, compared
#   bad-input  tests/bad-input/run.sh  skiff run on things that are not
#                                      programs
#   fuzz       tests/fuzz/run.sh       random syscalls with garbage arguments,
#                                      mutated ELF files and images
#   deps       tests/skiff/deps.sh     what skiff packs for dynamic programs
#   pack       tests/skiff/pack.sh     skiff's packing rules: scripts, java,
#                                      python (venv, prefix), ruby, php, perl,
#                                      tclsh, node, LD_LIBRARY_PATH, TZ,
#                                      mtimes, skiff.json, against native runs
#   kernel-wx  tests/skiff/kernel_wx.sh the kernel image is W^X against a
#                                      program's stores and jumps
#   itimer-overdue tests/skiff/itimer_overdue.sh an overdue itimer reads
#                                      at least 1 us
#   tsc-cache  tests/skiff/tsc_cache.sh skiff run's kept TSC rate is used
#                                      only when right for this boot
#   console    tests/skiff/console.sh  stdio over the virtio console
#                                      (microvm, q35) and COM1 alone: 100 MB
#                                      both ways checksummed, stdout/stderr
#                                      apart, exit status, stdin's EOF
#   terminal   tests/skiff/terminal.sh a terminal through tmux: REPL
#                                      history, less, Ctrl-C, restored
#                                      Ctrl-Z, Ctrl-\, bash's jobs; keys
#                                      typed before skiff starts
#   flags      tests/skiff/flags.sh    docker's flags of skiff run and the
#                                      command line's errors, one line each
#   cpus       tests/skiff/cpus.sh     skiff run --cpus N: errors, QEMU's
#                                      -smp, skiff build's record, and what
#                                      the program counts (nproc, sysconf,
#                                      /proc, /sys) with 1, 2 and 4 CPUs
#   smp        tests/smp/run.sh        the SMP stress programs, twice each
#                                      on 2 CPUs (stress.sh N: N times)
#   apps-smp   tests/smp/apps.sh       tests/apps, static build, microvm,
#                                      on 2 CPUs (skiff run --cpus 2)
#   virtio     tests/virtio/run.sh     virtio-net probed on microvm
#                                      (virtio-mmio) and q35 (virtio-pci);
#                                      legacy devices refused, boot goes on
#   image      tests/skiff/image.sh    compressed images, skiff run IMAGE ARGS,
#                                      -e, -w; corrupt images; raw and qcow2
#                                      disks booted by plain QEMU (q35, pc)
#   netopts    tests/skiff/net.sh      skiff's -p, --net, --ip, --dns: errors,
#                                      ports in use, QEMU's arguments, the
#                                      image's /etc and published ports
#   instances  tests/skiff/instances.sh skiff run -d and ps, logs, stop,
#                                      kill, wait, rm: errors, a -p server,
#                                      SIGTERM at stop, a stale entry, 50
#                                      instances at once
#   storage    tests/storage/run.sh    virtio-blk and ext2 against e2fsprogs
#                                      (e2fsck -fn, debugfs), volumes,
#                                      sqlite3 and redis across runs, tar,
#                                      QEMU killed between fsyncs (5
#                                      rounds; crash.sh: 100), damaged
#                                      images (28; damaged.sh: 500)
#   9p         tests/skiff/ninep.sh    host directories over virtio-9p:
#                                      tests/apps/fs on a share, the shared
#                                      current directory, :ro, -w, --no-cwd,
#                                      files changed on the host
#   storage-eio tests/storage/eio.sh   a failing disk (QEMU blkdebug): EIO
#                                      from read and fsync, never a panic
#   storage-cache tests/storage/cache.sh  ext2's cache to the disk: the
#                                      background writer, MAP_SHARED pages,
#                                      discards, punched holes
#   api        tests/api/run.sh        the management API through skiff api
#                                      and raw HTTP: every path, the token,
#                                      hostile requests, shutdown, 1000
#                                      connections and a slow client, the
#                                      parser's fuzzer for 30 s
#   stats      tests/skiff/stats.sh    skiff stats on detached instances:
#                                      docker's table, each column moving
#                                      with what the program does
#   metrics    tests/metrics/run.sh    /proc/skiff/metrics: each counter
#                                      moves with what a program does;
#                                      the text is Prometheus' format
#   real       tests/real/run.sh       unmodified Debian programs
#   net        tests/net/run.sh        unmodified Debian servers through
#                                      skiff run -p, natively and in Skiff,
#                                      compared; hostile traffic
# Each part works alone and ends with "PART: N passed, N failed" (", N
# skipped" after it when it skipped something: a skip is never a pass);
# tests/lib/verdict.sh prints it, for every part alike. This script adds
# them up and ends with the line "N passed, N failed" (", N skipped"
# after it when something was skipped). A part that stops without its
# summary line counts as one failure, and so does a part that exits
# nonzero without counting a failure. Exit status 0 only if nothing
# failed. The parts' output is shown as it comes; each part's log, exit
# status and duration in seconds of the last run are in
# build/test-logs/PART.{log,rc,secs}.
#
# Adding a test: a program to tests/apps/AREA/ (tests/apps/README.md), a
# bug's reproducer to tests/regress/NAME.c, a unit test to
# tests/unit/test_NAME.c; the harnesses find them. A new part: a script
# that sources tests/lib/verdict.sh and ends with `summary PART`, and a
# `part PART SCRIPT` line below. docs/testing.md has the details.
cd "$(dirname "$0")/.." || exit 1
. tests/lib/verdict.sh
log=build/test-logs
mkdir -p "$log"

# part NAME SCRIPT: runs one part, adds its summary line to the counts.
part() {
	name=$1 script=$2
	echo "== $name"
	t0=$(date +%s)
	# The part's status comes through a file: a pipe would hide it.
	{ "$script"; echo $? >"$log/$name.rc"; } 2>&1 | tee "$log/$name.log"
	echo $(($(date +%s) - t0)) >"$log/$name.secs"
	sum=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?\$" \
		"$log/$name.log" | tail -n 1)
	if [ -z "$sum" ]; then
		echo "$name: no summary line (exit $(cat "$log/$name.rc")): counted as 1 failure"
		failed 1 "$name (no summary line)"
		return
	fi
	p=$(echo "$sum" | sed 's/^[^:]*: \([0-9]*\) passed.*/\1/')
	f=$(echo "$sum" | sed 's/.* \([0-9]*\) failed.*/\1/')
	s=$(echo "$sum" | sed -n 's/.* \([0-9]*\) skipped$/\1/p')
	# A nonzero exit with no failure counted is still a failure.
	if [ "$(cat "$log/$name.rc")" != 0 ] && [ "$f" = 0 ]; then
		f=1
	fi
	passed "$p"
	failed "$f" "$name"
	skipped "${s:-0}"
}

part unit tests/unit/run.sh
part layers tests/layers/run.sh
part compat tests/compat/run.sh
part apps tests/apps/run.sh
part bad-input tests/bad-input/run.sh
part fuzz tests/fuzz/run.sh
part deps tests/skiff/deps.sh
part pack tests/skiff/pack.sh
part kernel-wx tests/skiff/kernel_wx.sh
part itimer-overdue tests/skiff/itimer_overdue.sh
part stop tests/skiff/stop.sh
part tsc-cache tests/skiff/tsc_cache.sh
part console tests/skiff/console.sh
part terminal tests/skiff/terminal.sh
part flags tests/skiff/flags.sh
part cpus tests/skiff/cpus.sh
part smp tests/smp/run.sh
part apps-smp tests/smp/apps.sh
part virtio tests/virtio/run.sh
part image tests/skiff/image.sh
part netopts tests/skiff/net.sh
part instances tests/skiff/instances.sh
part storage tests/storage/run.sh
part 9p tests/skiff/ninep.sh
part storage-eio tests/storage/eio.sh
part storage-cache tests/storage/cache.sh
part api tests/api/run.sh
part metrics tests/metrics/run.sh
part stats tests/skiff/stats.sh
if [ -x tests/real/run.sh ]; then
	part real tests/real/run.sh
fi
part net tests/net/run.sh

summary
