#!/bin/sh
# tests/apps/run.sh: the differential test of Skiff against Linux.
#
# Every program, tests/apps/AREA/NAME.c (AREA is a folder by topic: see
# tests/apps/README.md) or tests/regress/NAME.c (a reproducer of a fixed
# bug), is built four ways (build/apps/NAME.static with gcc -static,
# NAME.pie with gcc -static-pie, NAME.musl with musl-gcc -static,
# NAME.dyn with plain gcc: dynamic, glibc's ld.so), run natively on this
# host, then in Skiff. A few programs also ask (BUILDS below) for
# NAME.musldyn, plain musl-gcc: dynamic with musl's loader. NAME alone
# identifies a program (its binaries, differences.txt, the report lines),
# so it is unique across all the folders; two programs of one name fail.
# Programs include check.h and kabi.h of tests/apps/ (-I tests/apps).
# A check is one (program, build, machine) triple: it passes when stdout
# and the exit status match the native run of the same binary. Every
# build runs on microvm; the static build also on q35 (the machine
# changes the devices and the boot path, not how a program is loaded, so
# one build there is enough).
#
#   tests/apps/run.sh [WHAT...]     all programs, or only those WHAT names:
#                                   NAME (a program, in whichever folder),
#                                   AREA/ (every program of tests/apps/AREA,
#                                   regress/ for tests/regress) or the path
#                                   of a program's .c file
#   APPS_BUILDS="static dyn"       builds to test (default: all, that is
#                                   static pie musl dyn musldyn)
#   APPS_MACHINES="microvm q35"     machines for every build (default:
#                                   microvm, and q35 for APPS_Q35_BUILDS)
#   APPS_Q35_BUILDS="static"        builds also run on q35 by default
#   APPS_JOBS=2                     VMs run at once (default 2)
#   APPS_ACCEL=tcg                  skiff --accel (default tcg; auto uses
#                                   KVM where the host really has it)
#   APPS_CPUS=2                     skiff --cpus (default: left out, 1 CPU)
#
# Each tests/apps/lib/NAME.c is built into build/apps/libNAME.so (gcc
# -shared -fPIC) before the programs, for the programs that dlopen it.
#
# Lines near the top of a program set how it runs (both runs alike):
#   /* ARGS: a "b c" */     arguments (shell words)
#   /* ENV: K=V K2=V2 */    environment beyond skiff's defaults, PATH and
#                           HOME (words without spaces or quotes)
#   /* STDIN: printf 'x' */ a shell command whose output is the stdin
#                           (default: /dev/null)
#   /* SKIFF: -m 1G */      extra options for skiff run only
#   /* TTY */               run under tests/lib/ptyrun.py: stdio is a terminal
#   /* BUILDS: musl dyn */  the builds of the program, instead of the usual
#                           four (static pie musl dyn): fewer when some make
#                           no sense (say why), or more (musldyn)
#   /* NEEDS: fork */       the program makes processes (fork, vfork,
#                           execve): built and run natively always, its
#                           Skiff checks skipped (never passed) unless the
#                           fork probe says Skiff has them
#                           (tests/lib/probe.sh; SKIFF_FORK_TESTS=run
#                           runs them anyway)
# In ARGS, ENV and SKIFF, @APPS@ stands for the absolute path of
# build/apps: "/* SKIFF: --file @APPS@/libdl_calc.so */" puts the library
# in the guest at the same path the native run finds it at.
# Both runs start in the same fresh, empty directory under /tmp, with
# umask 022 and the environment skiff gives by default (env -i natively).
# A native exit by signal N shows as 128+N, as skiff reports it.
#
# Accepted differences: tests/apps/differences.txt, one per line,
# "NAME BUILD MACHINE reason" (BUILD, MACHINE may be *); each NAME must be
# explained in docs/linux-compat.md. A mismatch listed there still passes.
#
# Output: one line per check ("ok" or "FAIL" with a diff and skiff's
# stderr), then the failures one a line and "apps: N passed, N failed"
# (tests/lib/verdict.sh). Exit status 0 if none failed.
# Internal: run.sh --one NAME BUILD MACHINE runs one VM check (for xargs).

cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
OUT=build/apps
# Results of this run; moved to build/apps/res at the end. Concurrent runs
# (two `make test`) each have their own.
own_res=""
if [ -z "$APPS_RES" ]; then
	APPS_RES=$ROOT/$OUT/res.$$
	own_res=1
fi
RES=$APPS_RES
export APPS_RES
SKIFF=$ROOT/build/skiff
VM_TIMEOUT=120
DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CFLAGS="-D_GNU_SOURCE -O1 -Wall -Wextra -Werror -I$ROOT/tests/apps"
: "${APPS_BUILDS:=static pie musl dyn musldyn}"
USUAL_BUILDS="static pie musl dyn"
: "${APPS_Q35_BUILDS:=static}"
: "${APPS_JOBS:=2}"
: "${APPS_ACCEL:=tcg}"
umask 022
# no core files from the crash tests; the hard limit stays (limits.c)
ulimit -S -c 0

# directive FILE NAME: the text of "/* NAME: text */" in FILE's first
# lines, with @APPS@ replaced by the absolute path of build/apps.
directive() {
	head -n 20 "$1" | sed -n "s,^/\* $2: \(.*\) \*/\$,\1,p" | head -n 1 |
		sed "s,@APPS@,$ROOT/$OUT,g"
}

has_flag() {
	head -n 20 "$1" | grep -q "^/\* $2 \*/\$"
}

# areas: the folders that hold programs, tests/apps/AREA (every folder but
# lib/, which holds libraries) and tests/regress.
areas() {
	for d in tests/apps/*/ tests/regress/; do
		[ -d "$d" ] && [ "$d" != tests/apps/lib/ ] && echo "${d%/}"
	done
}

# src_of NAME: the program's source, tests/apps/AREA/NAME.c or, for a
# bug's reproducer, tests/regress/NAME.c; nothing if there is none.
src_of() {
	for d in $(areas); do
		if [ -f "$d/$1.c" ]; then
			echo "$d/$1.c"
			return
		fi
	done
}

# names_in DIR...: the names of the programs in the folders DIR.
names_in() {
	for d in "$@"; do
		ls "$d"/*.c 2>/dev/null
	done | sed 's,.*/,,; s,\.c$,,'
}

# expand WHAT: the program names WHAT stands for (see the usage above).
expand() {
	case $1 in
	*.c) basename "$1" .c ;;
	tests/apps/*/ | tests/regress/) names_in "${1%/}" ;;
	regress/ | regress) names_in tests/regress ;;
	*/)
		# an unknown folder stays as it is: the loop below reports it
		if [ -d "tests/apps/${1%/}" ]; then names_in "tests/apps/${1%/}"; else echo "$1"; fi
		;;
	*) echo "$1" ;;
	esac
}

# build_one NAME BUILD: compiles build/apps/NAME.BUILD if out of date.
build_one() {
	src=$(src_of "$1")
	bin=$OUT/$1.$2
	if [ -x "$bin" ] && [ "$bin" -nt "$src" ] && [ "$bin" -nt tests/apps/check.h ] &&
		[ "$bin" -nt tests/apps/kabi.h ]; then
		return 0
	fi
	case $2 in
	static) cmd="gcc -static $CFLAGS" ;;
	pie) cmd="gcc -static-pie -fPIE $CFLAGS" ;;
	musl) cmd="musl-gcc -static $CFLAGS" ;;
	dyn) cmd="gcc $CFLAGS" ;;
	musldyn) cmd="musl-gcc $CFLAGS" ;;
	*) echo "unknown build $2" >"$OUT/log/$1.$2.log"; return 1 ;;
	esac
	# build beside, then rename: a concurrent run never sees half a binary
	$cmd -pthread -o "$bin.tmp.$$" "$src" -lm >"$OUT/log/$1.$2.log" 2>&1 &&
		mv -f "$bin.tmp.$$" "$bin"
}

# build_libs: compiles tests/apps/lib/NAME.c into build/apps/libNAME.so
# when out of date; prints a FAIL line for each that does not build.
build_libs() {
	for src in tests/apps/lib/*.c; do
		[ -f "$src" ] || continue
		n=$(basename "$src" .c)
		so=$OUT/lib$n.so
		[ -f "$so" ] && [ "$so" -nt "$src" ] && continue
		if ! gcc -shared -fPIC $CFLAGS -o "$so.tmp.$$" "$src" \
			>"$OUT/log/lib$n.log" 2>&1 || ! mv -f "$so.tmp.$$" "$so"; then
			echo "FAIL lib$n.so: does not build"
			sed 's/^/  /' "$OUT/log/lib$n.log" | head -n 20
		fi
	done
}

# machines BUILD: the machines BUILD runs on.
machines() {
	if [ -n "$APPS_MACHINES" ]; then
		echo "$APPS_MACHINES"
	elif echo " $APPS_Q35_BUILDS " | grep -q " $1 "; then
		echo microvm q35
	else
		echo microvm
	fi
}

# run_prog SRC CWD OUTFILE ERRFILE CMD...: runs CMD in CWD as SRC says
# (stdin, TTY), under the timeout; prints the exit status. (Callers send
# its stderr to /dev/null: that is where the shell reports a crash.)
run_prog() {
	src=$1 cwd=$2 out=$3 err=$4
	shift 4
	input=$(directive "$src" STDIN)
	if has_flag "$src" TTY; then
		set -- python3 "$ROOT/tests/lib/ptyrun.py" "$@"
	fi
	(
		cd "$cwd" || exit 99
		if [ -n "$input" ]; then
			sh -c "$input" 9>&- |
				timeout -k 5 $VM_TIMEOUT "$@" >"$out" 2>"$err" 9>&-
		elif has_flag "$src" TTY; then
			# The terminal's input: a FIFO kept open here, with
			# nothing ever written, until the program is done.
			fifo=$(mktemp -u /tmp/skiff-tty.XXXXXX)
			mkfifo "$fifo" && exec 7<>"$fifo"
			timeout -k 5 $VM_TIMEOUT "$@" <"$fifo" >"$out" 2>"$err" 7>&- 9>&-
			r=$?
			exec 7>&-
			rm -f "$fifo"
			exit $r
		else
			timeout -k 5 $VM_TIMEOUT "$@" </dev/null >"$out" 2>"$err" 9>&-
		fi
	)
	echo $?
}

# native NAME BUILD: runs the binary on the host, twice (the output must
# not change between runs), into $RES/NAME.BUILD.native.{out,err,rc}.
native() {
	src=$(src_of "$1")
	base=$RES/$1.$2.native
	bin=$ROOT/$OUT/$1.$2
	for i in 1 2; do
		eval "set -- $(directive "$src" ARGS)"
		# shellcheck disable=SC2046
		set -- env -i PATH=$DEFAULT_PATH HOME=/ $(directive "$src" ENV) "$bin" "$@"
		cwd=$(mktemp -d /tmp/skiff-apps.XXXXXX)
		run_prog "$src" "$cwd" "$base.out$i" "$base.err" "$@" >"$base.rc$i" 2>/dev/null
		rm -rf "$cwd"
	done
	mv "$base.out1" "$base.out"
	mv "$base.rc1" "$base.rc"
	if ! cmp -s "$base.out" "$base.out2" || ! cmp -s "$base.rc" "$base.rc2"; then
		echo "native output changes between runs" >"$base.unstable"
		diff "$base.out" "$base.out2" | head -n 10 >>"$base.unstable"
	else
		rm -f "$base.unstable"
	fi
	rm -f "$base.out2" "$base.rc2"
}

# accepted NAME BUILD MACHINE: prints the reason if the difference is listed.
accepted() {
	[ -f tests/apps/differences.txt ] || return 1
	awk -v n="$1" -v b="$2" -v m="$3" '
		/^[ \t]*(#|$)/ { next }
		$1 == n && ($2 == b || $2 == "*") && ($3 == m || $3 == "*") {
			$1 = $2 = $3 = ""; sub(/^ +/, ""); print; found = 1; exit }
		END { exit !found }' tests/apps/differences.txt
}

# one NAME BUILD MACHINE: the VM run of one check; writes $RES/..status
# ("pass" or "fail") and prints the check's report in one piece.
one() {
	NAME=$1 BUILD=$2 MACHINE=$3
	src=$(src_of "$NAME")
	base=$RES/$NAME.$BUILD.$MACHINE
	nat=$RES/$NAME.$BUILD.native
	report=$base.report
	envopts=""
	for kv in $(directive "$src" ENV); do
		envopts="$envopts -e $kv"
	done
	eval "set -- $(directive "$src" ARGS)"
	# --no-cwd: the program works in its own file systems (the ramfs), as
	# the programs were written for; tests/skiff/ninep.sh and
	# tests/storage/run.sh run tests/apps/fs on a share and on ext2.
	# shellcheck disable=SC2046
	set -- "$SKIFF" run --no-cwd --machine "$MACHINE" --accel "$APPS_ACCEL" \
		${APPS_CPUS:+--cpus "$APPS_CPUS"} $envopts \
		$(directive "$src" SKIFF) "$ROOT/$OUT/$NAME.$BUILD" "$@"
	cwd=$(mktemp -d /tmp/skiff-apps.XXXXXX)
	start=$(date +%s%N)
	run_prog "$src" "$cwd" "$base.out" "$base.err" "$@" >"$base.rc" 2>/dev/null
	t=$((($(date +%s%N) - start) / 100000000))
	secs=$((t / 10)).$((t % 10))
	rm -rf "$cwd"
	rc=$(cat "$base.rc") nrc=$(cat "$nat.rc")
	what="$NAME $BUILD $MACHINE"
	why=""
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		why="timed out after ${VM_TIMEOUT}s"
	elif ! cmp -s "$nat.out" "$base.out"; then
		why="stdout differs (exit $nrc native, $rc skiff)"
	elif [ "$rc" != "$nrc" ]; then
		why="exit status $rc, native $nrc"
	fi
	if [ -z "$why" ]; then
		printf 'ok   %s (%ss)\n' "$what" "$secs" >"$report"
		echo pass >"$base.status"
	elif reason=$(accepted "$NAME" "$BUILD" "$MACHINE"); then
		printf 'ok   %s: accepted difference: %s\n' "$what" "$reason" >"$report"
		echo pass >"$base.status"
	else
		{
			printf 'FAIL %s: %s (%ss)\n' "$what" "$why" "$secs"
			if ! cmp -s "$nat.out" "$base.out"; then
				echo "  --- native  +++ skiff (first differences)"
				diff -u --label native --label skiff "$nat.out" "$base.out" |
					sed -n '3,$p' | head -n 20 | cut -c 1-200 | sed 's/^/  /'
			fi
			if [ -s "$base.err" ]; then
				echo "  skiff stderr:"
				head -n 12 "$base.err" | cut -c 1-200 | sed 's/^/  | /'
			fi
		} >"$report"
		echo fail >"$base.status"
	fi
	cat "$report"
}

if [ "$1" = --one ]; then
	one "$2" "$3" "$4"
	exit 0
fi

mkdir -p "$OUT/log" "$RES"
[ -n "$own_res" ] && trap 'rm -rf "$RES"; exit 130' INT TERM
. tests/lib/verdict.sh
. tests/lib/probe.sh
# A name is the program's identity (build/apps/NAME.BUILD, differences.txt,
# the report lines): two programs of one name would be one.
for n in $(names_in $(areas) | sort | uniq -d); do
	fail "$n" "more than one program of this name: $(echo $(ls tests/apps/*/"$n".c tests/regress/"$n".c 2>/dev/null))"
done
# A program must be in a folder: one at the top would never run.
for f in tests/apps/*.c; do
	[ -f "$f" ] && fail "$f" "not in an area folder: move it to tests/apps/AREA/ (tests/apps/README.md)"
done
if [ $# -gt 0 ]; then
	names=$(for w in "$@"; do expand "$w"; done)
else
	names=$(names_in $(areas))
fi

# 1. Build the libraries, then every program each way, and run it natively.
build_libs
todo=""
for NAME in $names; do
	case $NAME in
	*/)
		fail "$NAME" "no folder tests/apps/$NAME"
		continue
		;;
	esac
	if [ ! -f "$(src_of "$NAME")" ]; then
		echo "FAIL $NAME: no tests/apps/*/$NAME.c or tests/regress/$NAME.c"
		failed 1 "$NAME (missing)"
		continue
	fi
	only=$(directive "$(src_of "$NAME")" BUILDS)
	: "${only:=$USUAL_BUILDS}"
	for BUILD in $APPS_BUILDS; do
		if ! echo " $only " | grep -q " $BUILD "; then
			continue
		fi
		nm=$(machines "$BUILD" | wc -w)
		rm -f "$RES/$NAME.$BUILD".*
		if ! build_one "$NAME" "$BUILD"; then
			echo "FAIL $NAME $BUILD: does not build"
			sed 's/^/  /' "$OUT/log/$NAME.$BUILD.log" | head -n 20
			failed "$nm" "$NAME $BUILD (build)"
			continue
		fi
		# /tmp/skiff-test-* are shared by every native run on this host
		( flock 9 && native "$NAME" "$BUILD" ) 9>"$OUT/.native.lock"
		if [ -f "$RES/$NAME.$BUILD.native.unstable" ]; then
			echo "FAIL $NAME $BUILD: native run not deterministic"
			sed 's/^/  /' "$RES/$NAME.$BUILD.native.unstable"
			failed "$nm" "$NAME $BUILD (unstable natively)"
			continue
		fi
		if [ "$(directive "$(src_of "$NAME")" NEEDS)" = fork ]; then
			[ -n "$FORK_OK" ] || fork_probe "$SKIFF"
			if [ "$FORK_OK" != 1 ]; then
				skip "$NAME $BUILD ($nm checks)" "$FORK_WHY"
				skipped $((nm - 1))
				continue
			fi
		fi
		for MACHINE in $(machines "$BUILD"); do
			todo="$todo $NAME $BUILD $MACHINE"
		done
	done
done

# 2. Run the VMs, at most APPS_JOBS at once.
if [ ! -x build/skiff ] || [ ! -f build/kernel.elf ]; then
	echo "apps: build/skiff or build/kernel.elf missing: run make first"
fi
if [ -n "$todo" ]; then
	echo $todo | xargs -n 3 -P "$APPS_JOBS" "$ROOT/tests/apps/run.sh" --one
fi

# 3. Count.
set -- $todo
while [ $# -ge 3 ]; do
	if [ "$(cat "$RES/$1.$2.$3.status" 2>/dev/null)" = pass ]; then
		passed 1
	else
		failed 1 "$1 $2 $3"
	fi
	shift 3
done

# 4. Every accepted difference must be explained in docs/linux-compat.md.
if [ -s tests/apps/differences.txt ]; then
	for n in $(grep -v '^[[:space:]]*\(#\|$\)' tests/apps/differences.txt | awk '{print $1}' | sort -u); do
		if ! grep -qw "$n" docs/linux-compat.md 2>/dev/null; then
			echo "FAIL differences.txt: $n is not explained in docs/linux-compat.md"
			failed 1 "differences.txt: $n"
		fi
	done
fi

if [ -n "$own_res" ]; then
	rm -rf "${ROOT:?}/$OUT/res"
	mv "$RES" "$ROOT/$OUT/res"
fi
summary apps
