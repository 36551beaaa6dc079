#!/bin/sh
# tests/skiff/ninep.sh: host directories shared live over virtio-9p (the
# "9p" part of tests/run.sh): skiff run -v HOSTDIR:GUESTDIR[:ro], the
# current directory shared by default, -w and --no-cwd. Cases:
#   apps      the programs of tests/apps/fs/ (static; fs_apps of
#             tests/storage/lib.sh) with /tmp, where they work, on a 9p
#             share: output and exit status as the native run's
#   cwd       a host file read by relative path from the default working
#             directory (microvm and q35); a file written there is on the
#             host after exit with the same bytes as a native run writes
#   ro        -v DIR:/data:ro: a write is refused with EROFS, the host
#             directory is unchanged
#   workdir   -w sets the working directory; --no-cwd shares nothing (the
#             file is not there, a write stays in the VM); cwd / and
#             /usr/bin are not shared (one line with --verbose)
#   errors    -v with a missing host directory, a relative guest path,
#             a -v over the program's own directory: one line each, exit 2
#   threads   8 threads write and read back files at once (tags)
#   hostile   a file removed and one replaced on the host while the
#             program has them open: as natively (tests/skiff/ninep_prog.c)
#   mmap      MAP_PRIVATE of a shared file reads its bytes
# Ends with "9p: N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
. tests/storage/lib.sh
SKIFF=$(pwd)/build/skiff
# Not under /tmp: the apps case mounts a share there, over the program.
T=$(mktemp -d "$(pwd)/build/ninep-test.XXXXXX")
H=$(mktemp -d /tmp/skiff-9p.XXXXXX)
trap 'rm -rf "$T" "$H"' EXIT
gcc -O -Wall -static -pthread -o "$T/prog" tests/skiff/ninep_prog.c || {
	fail build "gcc"; summary 9p; exit 1; }

# The tests/apps/fs programs (fs_apps, tests/storage/lib.sh) with /tmp,
# where they make their scratch directories, on a share.
p9_attach() {
	rm -rf "$H/tmp" && mkdir "$H/tmp"
	echo "--no-cwd -v $H/tmp:/tmp -w /tmp"
}
p9_after() {
	echo "in /tmp on a 9p share"
}

# writer: a shell loop that writes 2000 lines to out.txt.
writer='i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done >out.txt; echo done'

cwd_case() {
	rm -rf "$H/c" && mkdir "$H/c" && echo "read by relative path" >"$H/c/in.txt"
	for m in microvm q35; do
		got=$(cd "$H/c" && sk --machine $m /bin/cat in.txt 2>&1)
		if [ "$got" = "read by relative path" ]; then
			pass "cwd: relative read from the shared current directory ($m)"
		else
			fail "cwd $m" "$got"
		fi
	done
	(cd "$H/c" && sh -c "$writer" >/dev/null && mv out.txt native.txt)
	got=$(cd "$H/c" && sk /bin/sh -c "$writer" 2>&1)
	if [ "$got" = done ] && cmp -s "$H/c/native.txt" "$H/c/out.txt"; then
		pass "cwd: a file written in the guest is on the host after exit ($(wc -c <"$H/c/out.txt") bytes)"
	else
		fail cwd "write: '$got' $(ls -l "$H/c")"
	fi
}

ro_case() {
	rm -rf "$H/r" && mkdir "$H/r" && echo keep >"$H/r/f"
	got=$(sk -v "$H/r:/data:ro" /bin/sh -c 'echo x >/data/new; echo y >>/data/f' 2>&1)
	if echo "$got" | grep -q "Read-only file system" &&
		[ "$(ls "$H/r")" = f ] && [ "$(cat "$H/r/f")" = keep ]; then
		pass "ro: writes refused with EROFS, the host directory unchanged"
	else
		fail ro "$got; $(ls "$H/r")"
	fi
}

workdir_case() {
	rm -rf "$H/w" && mkdir -p "$H/w/sub" && echo sub-file >"$H/w/sub/f"
	got=$(cd "$H/w" && sk -w "$H/w/sub" /bin/sh -c 'pwd -P; read l <f && echo "$l"' 2>&1)
	if [ "$got" = "$(printf '%s\nsub-file' "$H/w/sub")" ]; then
		pass "workdir: -w sets the working directory"
	else
		fail workdir "-w: $got"
	fi
	got=$(cd "$H/w/sub" && sk --no-cwd /bin/sh -c 'read l <f; echo x >new; pwd -P' 2>&1)
	if echo "$got" | grep -q "nonexistent\\|No such file" && [ ! -e "$H/w/sub/new" ] &&
		echo "$got" | grep -qx "$H/w/sub"; then
		pass "workdir: --no-cwd shares nothing, starts in an empty directory there"
	else
		fail workdir "--no-cwd: $got"
	fi
	for d in / /usr/bin; do
		got=$(cd $d && sk --verbose /bin/sh -c 'pwd -P' 2>"$T/v.err")
		if [ "$got" = "$d" ] &&
			grep -q "not sharing the current directory $d:" "$T/v.err"; then
			pass "workdir: cwd $d is not shared (it would hide packed files)"
		else
			fail workdir "cwd $d: $got $(grep 'not sharing' "$T/v.err")"
		fi
	done
}

errors_case() {
	"$SKIFF" run -v "$H/none:/data" /bin/true 2>"$T/e1"
	rc1=$?
	"$SKIFF" run -v "$H:data" /bin/true 2>"$T/e2"
	rc2=$?
	if [ $rc1 = 2 ] && [ "$(wc -l <"$T/e1")" = 1 ] &&
		grep -q "no such file or directory" "$T/e1"; then
		pass "errors: a missing host directory: $(cat "$T/e1")"
	else
		fail errors "missing: exit $rc1 $(cat "$T/e1")"
	fi
	if [ $rc2 = 2 ] && [ "$(wc -l <"$T/e2")" = 1 ] &&
		grep -q "must be absolute" "$T/e2"; then
		pass "errors: a relative guest path: $(cat "$T/e2")"
	else
		fail errors "relative: exit $rc2 $(cat "$T/e2")"
	fi
	"$SKIFF" run -v "$H:$T" "$T/prog" mmap >/dev/null 2>"$T/e3"
	rc3=$?
	if [ $rc3 = 2 ] && [ "$(wc -l <"$T/e3")" = 1 ] &&
		grep -q "hides the program" "$T/e3"; then
		pass "errors: a -v over the program's directory: $(cat "$T/e3")"
	else
		fail errors "hidden: exit $rc3 $(cat "$T/e3")"
	fi
}

# prog_case NAME MODE [SCRIPT]: ninep_prog MODE in a fresh directory,
# natively and in Skiff, the same host SCRIPT (a function) beside it.
prog_case() {
	for side in nat sk; do
		rm -rf "$H/p" && mkdir "$H/p"
		echo "old contents" >"$H/p/victim"
		echo "swap before" >"$H/p/swap"
		if [ $side = nat ]; then
			(cd "$H/p" && timeout 120 "$T/prog" "$2") >"$T/p.$side" 2>&1 &
		else
			(cd "$H/p" && sk "$T/prog" "$2") >"$T/p.$side" 2>&1 &
		fi
		pid=$!
		[ -n "$3" ] && "$3"
		wait $pid
		echo "exit $?" >>"$T/p.$side"
	done
	if cmp -s "$T/p.nat" "$T/p.sk"; then
		pass "$1: as natively ($(head -n 1 "$T/p.sk"))"
	else
		fail "$1" "$(diff "$T/p.nat" "$T/p.sk" | head -n 4 | tr '\n' ' ')"
	fi
}

# The host side of hostile: once the program is ready, remove victim and
# replace swap by a new file.
host_meddles() {
	i=0
	while [ ! -e "$H/p/ready" ] && [ $i -lt 1200 ]; do
		sleep 0.1; i=$((i + 1))
	done
	rm -f "$H/p/victim"
	rm -f "$H/p/swap" && echo "swap after, longer" >"$H/p/swap"
	touch "$H/p/go"
}

# MAP_SHARED of a 9p file is ENODEV (docs/linux-compat.md)
FS_APPS_SKIP=file_shared_map FS_APPS_WHY="mmap(MAP_SHARED) of a 9p file is ENODEV, a documented difference" \
	fs_apps 9p p9_attach p9_after
cwd_case
ro_case
workdir_case
errors_case
prog_case threads threads
prog_case hostile hostile host_meddles
prog_case mmap mmap
summary 9p
