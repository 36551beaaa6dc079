#!/bin/sh
# tests/real/run.sh: unmodified programs from Debian packages, each run
# natively and in Skiff (`skiff run PROGRAM ARGS`) with the same arguments,
# stdin and environment; a case passes when stdout and the exit status are
# the same. The programs: python3 running tests/real/py_mix.py (threading,
# asyncio, json, re, hashlib, tempfile, time.sleep), perl running
# tests/real/perl_mix.pl, and busybox-static applets that never fork:
# `sh -c` with builtins only, sort, sha256sum, awk and sed, fed on stdin;
# and dash's `exec /usr/bin/env` (execve of another program).
#
#   tests/real/run.sh [NAME...]   all cases, or only those named
#   REAL_ACCEL=tcg                skiff --accel (default tcg)
#   REAL_MACHINE=microvm          skiff --machine (default microvm)
#
# Missing packages (python3, perl, busybox-static, git) are installed first by
# scripts/deps.sh. Scripts are put in the image at their host path with
# --file, so both runs name the same path. Both runs start in a fresh empty
# directory under /tmp, with umask 022 and the environment skiff gives by
# default (env -i natively, PATH and HOME=/) plus PYTHONDONTWRITEBYTECODE=1.
# The cases that make processes (fork, vfork, exec: bash pipelines and
# scripts, tar with gzip, find -exec, xargs, timeout, git,
# python's subprocess and multiprocessing, make) run through
# run_fork_case: they are skipped (never passed) while the fork probe
# says this Skiff has no fork (tests/lib/probe.sh; SKIFF_FORK_TESTS=run
# runs them anyway). The programs they exec are packed with --file
# (TOOLS), so the guest finds them on PATH as the host does.
# Output: one line per case ("ok" or "FAIL" with the first differences and
# skiff's stderr), then "real: N passed, N failed" (tests/lib/verdict.sh;
# a failure list before it, one case a line). Everything of the last
# run stays in build/real/: NAME.{native,skiff}.{out,err,rc}.
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
OUT=$ROOT/build/real
SKIFF=$ROOT/build/skiff
VM_TIMEOUT=180
DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
: "${REAL_ACCEL:=tcg}"
: "${REAL_MACHINE:=microvm}"
umask 022
mkdir -p "$OUT"
. tests/lib/verdict.sh
. tests/lib/probe.sh

if ! scripts/deps.sh >"$OUT/deps.log" 2>&1; then
	echo "real: scripts/deps.sh failed (see build/real/deps.log); cases with a missing program fail"
fi

PY=$ROOT/tests/real/py_mix.py
PL=$ROOT/tests/real/perl_mix.pl
BB=/bin/busybox
# A shell program using only ash builtins: no fork, no exec.
SH_PROG='i=0; s=0
while [ $i -lt 100 ]; do s=$((s + i * i)); i=$((i + 1)); done
echo "sum of squares: $s"
for w in alpha beta gamma; do printf "%s has %d letters\n" "$w" "${#w}"; done
case "skiff.img" in *.img) echo "case: image";; *) echo "case: other";; esac
set -- one "two words" three; echo "$# args, second: $2"
read first rest; echo "read: [$first] [$rest]"
v=${UNSET:-default}; echo "default: $v"
test -d / && echo "test -d /: yes"
exit 3'
SORT_IN='pear\napple\nfig\n10\n9\nbanana\napple\n'
AWK_IN='alice 30 paris\nbob 25 rome\ncarol 35 paris\ndave 40 oslo\n'

# run_case NAME STDIN-COMMAND SKIFF-OPTIONS -- PROGRAM ARGS...: one comparison.
# STDIN-COMMAND is a shell command whose output is the stdin ('' for none).
run_case() {
	name=$1 input=$2 opts=$3
	shift 4
	if [ -n "$ONLY" ] && ! echo " $ONLY " | grep -q " $name "; then
		return
	fi
	if [ ! -x "$1" ]; then
		fail "$name" "$1 is not installed"
		return
	fi
	for side in native skiff; do
		cwd=$(mktemp -d /tmp/skiff-real.XXXXXX)
		# a subshell: the prepended words stay out of the next side's "$@"
		(
			if [ $side = native ]; then
				set -- env -i PATH=$DEFAULT_PATH HOME=/ PYTHONDONTWRITEBYTECODE=1 "$@"
			else
				# shellcheck disable=SC2086
				set -- "$SKIFF" run --machine "$REAL_MACHINE" --accel "$REAL_ACCEL" \
					-e PYTHONDONTWRITEBYTECODE=1 $opts "$@"
			fi
			cd "$cwd" || exit 99
			if [ -n "$input" ]; then
				sh -c "$input" | timeout -k 5 $VM_TIMEOUT "$@" \
					>"$OUT/$name.$side.out" 2>"$OUT/$name.$side.err"
			else
				timeout -k 5 $VM_TIMEOUT "$@" </dev/null \
					>"$OUT/$name.$side.out" 2>"$OUT/$name.$side.err"
			fi
			echo $? >"$OUT/$name.$side.rc"
		) 2>/dev/null
		rm -rf "$cwd"
	done
	report "$name"
}

# report NAME: compares the two runs of NAME and prints its line.
report() {
	base=$OUT/$1
	nrc=$(cat "$base.native.rc") src=$(cat "$base.skiff.rc")
	why=""
	if [ "$src" = 124 ] || [ "$src" = 137 ]; then
		why="timed out after ${VM_TIMEOUT}s"
	elif ! cmp -s "$base.native.out" "$base.skiff.out"; then
		why="stdout differs (exit $nrc native, $src skiff)"
	elif [ "$nrc" != "$src" ]; then
		why="exit status $src, native $nrc"
	fi
	if [ -z "$why" ]; then
		pass "$1 (exit $nrc)"
		return
	fi
	fail "$1" "$why"
	if ! cmp -s "$base.native.out" "$base.skiff.out"; then
		echo "  --- native  +++ skiff (first differences)"
		diff -u --label native --label skiff "$base.native.out" "$base.skiff.out" |
			sed -n '3,$p' | head -n 20 | cut -c 1-200 | sed 's/^/  /'
	fi
	if [ -s "$base.skiff.err" ]; then
		echo "  skiff stderr:"
		head -n 12 "$base.skiff.err" | cut -c 1-200 | sed 's/^/  | /'
	fi
}

# run_fork_case NAME STDIN-COMMAND SKIFF-OPTIONS -- PROGRAM ARGS...: a
# run_case that needs processes in Skiff: skipped without them.
run_fork_case() {
	if [ -n "$ONLY" ] && ! echo " $ONLY " | grep -q " $1 "; then
		return
	fi
	[ -n "$FORK_OK" ] || fork_probe "$SKIFF"
	if [ "$FORK_OK" != 1 ]; then
		skip "$1" "$FORK_WHY"
		return
	fi
	run_case "$@"
}

ONLY="$*"
run_case python '' "--file $PY" -- /usr/bin/python3 "$PY"
run_case perl "printf 'from stdin\n'" "--file $PL" -- /usr/bin/perl "$PL"
run_case busybox-sh "printf 'hello big world\n'" '' -- $BB sh -c "$SH_PROG"
# dash replacing itself with another program (execve), as an entrypoint does
run_case sh-exec-env '' "--file /usr/bin/env" -- /bin/sh -c 'exec /usr/bin/env -u PWD'
run_case busybox-sort "printf '$SORT_IN'" '' -- $BB sort
run_case busybox-sort-nr "printf '$SORT_IN'" '' -- $BB sort -n -r
run_case busybox-sha256sum "printf 'skiff\n%.0s' 1 2 3 4 5 6 7 8" '' -- $BB sha256sum
AWK_PROG='{ age[$3] += $2; n++ }
END { for (c in age) s = s + age[c]; printf "%d people, %d years, paris %d\n", n, s, age["paris"] }'
run_case busybox-awk "printf '$AWK_IN'" '' -- $BB awk "$AWK_PROG"
run_case busybox-sed "printf '$AWK_IN'" '' -- $BB sed -e 's/a/A/g' -e '2d' -e '/oslo/s/^/> /'

# Processes. The programs the cases exec, packed at their host paths.
TOOLS=""
for t in /usr/bin/tr /usr/bin/wc /usr/bin/seq /usr/bin/sort /usr/bin/head \
	/usr/bin/sed /usr/bin/cat /usr/bin/env /usr/bin/sleep /usr/bin/echo \
	/usr/bin/gzip /usr/bin/mkdir /usr/bin/rm /usr/bin/bash /usr/bin/dash \
	/bin/sh /usr/bin/make /usr/lib/git-core/git; do
	[ -e "$t" ] && TOOLS="$TOOLS --file $t"
done
BASH=/usr/bin/bash
run_fork_case bash-pipe '' "$TOOLS" -- $BASH -c 'echo hi | tr a-z A-Z'
PS=$ROOT/tests/real/proc_script.sh
run_fork_case bash-script '' "$TOOLS --file $PS" -- $BASH "$PS"
TAR_PROG='mkdir -p d/sub && echo one >d/a.txt && echo two >d/sub/b.txt &&
seq 1 1000 >d/sub/n.txt && tar czf a.tgz d && rm -r d && gzip -t a.tgz &&
tar xzf a.tgz && tar tzf a.tgz | sort && cat d/a.txt d/sub/b.txt && wc -l d/sub/n.txt'
run_fork_case tar-gzip '' "$TOOLS --file /usr/bin/tar" -- $BASH -c "$TAR_PROG"
FIND_PROG='mkdir -p t/x t/y && echo 1 >t/x/f1 && echo 22 >t/y/f2 && echo 333 >t/g &&
find t -type f -exec wc -c {} \; | sort && find t -name "f*" -exec echo found {} + | tr " " "\n" | sort'
run_fork_case find-exec '' "$TOOLS --file /usr/bin/find" -- $BASH -c "$FIND_PROG"
run_fork_case xargs "printf 'a b c\nd e\n'" "$TOOLS" -- /usr/bin/xargs -n 2 echo
run_fork_case timeout "" "$TOOLS" -- /usr/bin/timeout 5 sleep 1
run_fork_case timeout-expires "" "$TOOLS" -- /usr/bin/timeout 1 sleep 30
GIT_PROG='export GIT_AUTHOR_DATE=2020-01-01T00:00:00Z GIT_COMMITTER_DATE=2020-01-01T00:00:00Z
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.org
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
git init -q -b main r && cd r && seq 1 100 >n.txt && echo hi >a.txt && git add . &&
git commit -q -m first && echo more >>a.txt && git commit -q -am second &&
git log --format="%H %s" && git gc -q && git count-objects -v | grep -E "^(count|in-pack|packs):" &&
git fsck && echo fsck ok && git cat-file -p HEAD:a.txt'
run_fork_case git '' "$TOOLS --file /usr/bin/git" -- $BASH -c "$GIT_PROG"
PP=$ROOT/tests/real/py_proc.py
run_fork_case python-subprocess '' "$TOOLS --file $PP" -- /usr/bin/python3 "$PP" subprocess
run_fork_case python-pool '' "$TOOLS --file $PP" -- /usr/bin/python3 "$PP" pool
MK=$ROOT/tests/real/proc.mk
run_fork_case make '' "$TOOLS --file $MK" -- /usr/bin/make -f "$MK"

summary real
