#!/bin/sh
# tests/storage/cache.sh: the ext2 cache's ways to the disk (the
# "storage-cache" part of tests/run.sh), judged on the host by debugfs,
# e2fsck -fn and the image file's allocated size. tests/storage/cache.c
# is the program.
#   writeback  a file written and never synced is on the image while the
#              program still sleeps (read by debugfs before the host kills
#              QEMU with SIGKILL): the background writer wrote it. The
#              program sleeps 20 s against the writer's 5 s: the one
#              timed expectation here, the feature being "after a while".
#   map        3 pages stored through MAP_SHARED: with msync(MS_SYNC), and
#              without (the exit's sync), debugfs reads them back
#   discard    a 32 MiB file written, then removed: the image file gives
#              back at least 24 MiB (skiff passes discard=unmap to QEMU)
#   punch      fallocate PUNCH_HOLE of 2 MiB inside a 4 MiB file: fewer
#              blocks, zeros inside, the bytes around kept, debugfs agrees
#              and the image file shrinks
#   pressure   in a 128 MiB VM, the MiB of anonymous memory a program gets
#              after reading a 60 MiB file from ext2 is within 4 MiB of
#              what it gets without reading it: the cache's blocks went
#              back (without the allocator's shrinkers about 12 MiB stay)
# e2fsck -fn must find each image clean. Ends with "storage-cache: N
# passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
. tests/storage/lib.sh
SKIFF=$(pwd)/build/skiff
T=$(mktemp -d)
QPID=""
trap '[ -n "$QPID" ] && kill -9 $QPID 2>/dev/null; rm -rf "$T"' EXIT
storage_tools storage-cache
gcc -O -Wall -static -o "$T/cache" tests/storage/cache.c ||
	{ fail build "gcc"; summary storage-cache; exit 1; }

clean() {
	if e2fsck -fn "$2" >"$T/fsck.out" 2>&1; then
		pass "$1: e2fsck -fn clean"
	else
		fail "$1" "e2fsck -fn: $(grep -v '^Pass\|^e2fsck' "$T/fsck.out" | head -n 3 | tr '\n' ' ')"
	fi
}

# run NAME IMAGE ARGS...: the program on IMAGE at /data, with skiff's
# options $OPTS.
OPTS=""
run() {
	name=$1 img=$2
	shift 2
	sk $OPTS -v "$img:/data" "$T/cache" "$@" \
		>"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	[ $rc = 0 ] && return 0
	fail "$name" "exit $rc: $(tail -n 2 "$T/$name.err" | tr '\n' ' ')"
	return 1
}

kib() { du -k "$1" | cut -f1; }

# The QEMU under process $1 (timeout, then skiff, then QEMU).
qemu_below() {
	p=$1
	for _ in 1 2 3; do
		c=$(pgrep -P "$p" | head -n 1)
		[ -z "$c" ] && break
		p=$c
	done
	[ "$p" != "$1" ] && echo "$p"
}

writeback() {
	mke2fs -q -F -t ext2 "$T/wb.img" 32M >/dev/null
	sk -v "$T/wb.img:/data" "$T/cache" wb /data >"$T/wb.out" 2>"$T/wb.err" &
	spid=$!
	for _ in $(seq 200); do
		grep -q slept "$T/wb.out" && break
		kill -0 $spid 2>/dev/null || break
		sleep 0.5
	done
	got=$(debugfs -R "cat /wb" "$T/wb.img" 2>/dev/null)
	QPID=$(qemu_below $spid)
	[ -n "$QPID" ] && kill -9 "$QPID"
	QPID=""
	wait $spid 2>/dev/null
	if ! grep -q slept "$T/wb.out"; then
		fail writeback "the program did not get to sleep: $(tail -n 1 "$T/wb.err")"
	elif [ "$got" = background ]; then
		pass "writeback: the unsynced file is on the image before the VM is killed"
	else
		fail writeback "debugfs cat /wb: '$got'"
	fi
	clean writeback "$T/wb.img"
}

map() {
	mke2fs -q -F -t ext2 "$T/m.img" 32M >/dev/null
	run map "$T/m.img" map /data || return
	python3 -c "import sys; sys.stdout.buffer.write(bytes(97 + i % 26 for i in range(3 * 4096)))" >"$T/want"
	for f in mapped mapped2; do
		debugfs -R "cat /$f" "$T/m.img" >"$T/got" 2>/dev/null
		if cmp -s "$T/want" "$T/got"; then
			pass "map: /$f reads back as stored through the mapping"
		else
			fail "map" "/$f differs: $(cmp "$T/want" "$T/got" 2>&1 | head -n 1)"
		fi
	done
	grep -qx "msync: 0" "$T/map.out" || fail map "msync: $(cat "$T/map.out")"
	clean map "$T/m.img"
}

discard() {
	rm -f "$T/d.img"
	truncate -s 128M "$T/d.img"
	mke2fs -q -F -t ext2 "$T/d.img" >/dev/null
	run fill "$T/d.img" fill /data 32 || return
	full=$(kib "$T/d.img")
	run rm "$T/d.img" rm /data || return
	empty=$(kib "$T/d.img")
	if [ $((full - empty)) -ge 24576 ]; then
		pass "discard: removing 32 MiB gave back $(((full - empty) / 1024)) MiB of the image file"
	else
		fail discard "image file ${full} KiB full, ${empty} KiB after rm"
	fi
	clean discard "$T/d.img"
	before=$(kib "$T/d.img")
	run punch "$T/d.img" punch /data || return
	for want in "fallocate punch: 0" "size kept: yes" "fewer blocks: yes" \
		"before the hole: pp" "hole starts: 00" "hole ends: 00" \
		"after the hole: pp"; do
		grep -qx "$want" "$T/punch.out" ||
			{ fail punch "no line '$want': $(tr '\n' '|' <"$T/punch.out")"; return; }
	done
	pass "punch: fewer blocks, zeros inside the hole, bytes around it kept"
	debugfs -R "cat /punch" "$T/d.img" 2>/dev/null >"$T/p.got"
	python3 -c "import sys; M=1<<20; sys.stdout.buffer.write(b'p'*(M+100) + bytes(2*M) + b'p'*(M-100))" >"$T/p.want"
	if cmp -s "$T/p.want" "$T/p.got"; then
		pass "punch: debugfs reads the hole as zeros"
	else
		fail punch "debugfs: $(cmp "$T/p.want" "$T/p.got" 2>&1 | head -n 1)"
	fi
	after=$(kib "$T/d.img")
	if [ $((after - before)) -le 3072 ]; then
		pass "punch: the image file grew by $((after - before)) KiB for a 4 MiB file with a 2 MiB hole"
	else
		fail punch "the image grew by $((after - before)) KiB"
	fi
	clean punch "$T/d.img"
}

pressure() {
	mkdir "$T/ptree"
	head -c 60M /dev/zero | tr '\0' x >"$T/ptree/big"
	mke2fs -q -F -t ext2 -b 4096 -d "$T/ptree" "$T/p.img" 100M >/dev/null
	rm -rf "$T/ptree"
	OPTS="-m 128M"
	run pressure0 "$T/p.img" pressure - &&
		run pressure1 "$T/p.img" pressure /data/big
	rc=$?
	OPTS=""
	[ $rc = 0 ] || return
	base=$(sed -n 's/^got \([0-9]*\) MiB$/\1/p' "$T/pressure0.out")
	got=$(sed -n 's/^got \([0-9]*\) MiB$/\1/p' "$T/pressure1.out")
	if [ -z "$base" ] || [ -z "$got" ]; then
		fail pressure "no count: $(cat "$T/pressure0.out" "$T/pressure1.out" | tr '\n' '|')"
	elif [ $((got + 4)) -ge "$base" ]; then
		pass "pressure: $got MiB after reading 60 MiB through the cache, $base MiB without"
	else
		fail pressure "$got MiB after reading 60 MiB through the cache, $base MiB without"
	fi
}

writeback
map
discard
pressure
summary storage-cache
