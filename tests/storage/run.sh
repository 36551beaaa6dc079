#!/bin/sh
# tests/storage/run.sh: virtio-blk and ext2, with e2fsprogs as the oracle
# (the "storage" part of tests/run.sh). Each case makes images with
# mke2fs, runs test programs in Skiff on them (skiff run -v IMAGE:/data),
# and checks the image on the host: `e2fsck -fn` must find it clean and
# debugfs must read back what the program wrote.
#   fsops      tests/storage/fsops.c in /data (1 KiB blocks on microvm,
#              4 KiB blocks on q35): its output equals the native run's in
#              a host directory, and the tree debugfs rdump extracts equals
#              the one the native run left
#   big        a sparse file past 4 GiB (triple-indirect blocks) written
#              in one run, read in a second; debugfs finds its last record
#   reverse    a tree put in by mke2fs -d and debugfs -w, read in Skiff
#              (:ro) by tests/storage/walk.c: same as natively; the image
#              is unchanged
#   read-only  :ro refuses a create (EROFS)
#   features   ext4 refused naming its features; ext3 refused read-write,
#              mounted read-only
#   volume     skiff volume create/ls/rm; sqlite3 (Debian's) creates a
#              database on a volume, a second run reads it back
#   apps       the programs of tests/apps/fs/ (built static) with their
#              working directory on an ext2 volume mounted there, compared
#              with the native run in an empty directory; e2fsck -fn clean
#              after each
#   damaged    $STORAGE_DAMAGED (default 50) damaged images: mounted or
#              refused, never a hang or crash (damaged.sh runs 500)
# Ends with "storage: N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
. tests/storage/lib.sh
SKIFF=$(pwd)/build/skiff
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for tool in mke2fs e2fsck debugfs; do
	command -v $tool >/dev/null 2>&1 || PATH=$PATH:/sbin:/usr/sbin
done
if ! command -v mke2fs >/dev/null || ! command -v debugfs >/dev/null; then
	skip storage "e2fsprogs is not installed (scripts/deps.sh)"
	summary storage
	exit 0
fi
storage_build || { fail build "gcc"; summary storage; exit 1; }

# clean NAME IMAGE: e2fsck -fn finds nothing.
clean() {
	if e2fsck -fn "$2" >"$T/fsck.out" 2>&1; then
		pass "$1: e2fsck -fn clean"
	else
		fail "$1" "e2fsck -fn: $(grep -v '^Pass\|^e2fsck' "$T/fsck.out" | head -n 3 | tr '\n' ' ')"
	fi
}

# fsops NAME MACHINE BLOCKSIZE
fsops() {
	rm -rf "$T/nat" "$T/dump" "$T/f.img"
	mkdir "$T/nat" "$T/dump"
	"$T/fsops" "$T/nat" >"$T/nat.out"
	mke2fs -q -F -t ext2 -b "$3" "$T/f.img" 64M >/dev/null
	sk --machine "$2" -v "$T/f.img:/data" "$T/fsops" /data >"$T/sk.out" 2>"$T/sk.err"
	rc=$?
	if [ $rc != 0 ]; then
		fail "$1" "exit $rc: $(tail -n 2 "$T/sk.err")"
		return
	fi
	if diff "$T/nat.out" "$T/sk.out" >"$T/diff"; then
		pass "$1: output as native ($(wc -l <"$T/sk.out") lines)"
	else
		fail "$1" "output differs: $(head -n 4 "$T/diff" | tr '\n' ' ')"
	fi
	clean "$1" "$T/f.img"
	debugfs -R "rdump / $T/dump" "$T/f.img" >/dev/null 2>&1
	rm -rf "$T/dump/lost+found" "$T/nat/fifo"
	if diff -r --no-dereference "$T/nat" "$T/dump" >"$T/diff" 2>&1; then
		pass "$1: debugfs rdump equals the native tree"
	else
		fail "$1" "debugfs rdump differs: $(head -n 3 "$T/diff" | tr '\n' ' ')"
	fi
	if debugfs -R "stat /fifo" "$T/f.img" 2>/dev/null | grep -q "Type: FIFO"; then
		pass "$1: debugfs sees the fifo"
	else
		fail "$1" "no fifo in the image"
	fi
}

big() {
	rm -f "$T/b.img" "$T/nat/big"
	mkdir -p "$T/nat"
	mke2fs -q -F -t ext2 "$T/b.img" 64M >/dev/null
	"$T/big" "$T/nat" write >"$T/nat.w" && "$T/big" "$T/nat" read >"$T/nat.r"
	rm -f "$T/nat/big"
	sk -v "$T/b.img:/data" "$T/big" /data write >"$T/sk.w" 2>"$T/sk.err" &&
		sk -v "$T/b.img:/data" "$T/big" /data read >"$T/sk.r" 2>>"$T/sk.err"
	if cmp -s "$T/nat.w" "$T/sk.w" && cmp -s "$T/nat.r" "$T/sk.r"; then
		pass "big: written and read back past 4 GiB as natively"
	else
		fail big "outputs differ: $(diff "$T/nat.r" "$T/sk.r" | head -n 3 | tr '\n' ' ') $(tail -n 1 "$T/sk.err")"
	fi
	clean big "$T/b.img"
	off=$(((5 << 30) + 4096 * 3 + 9))
	blk=$(debugfs -R "bmap /big $((off / 1024))" "$T/b.img" 2>/dev/null)
	got=$(dd if="$T/b.img" bs=1024 skip="$blk" count=1 2>/dev/null |
		tail -c +$((off % 1024 + 1)) | head -c 19)
	if [ "$got" = "record-4@$off" ]; then
		pass "big: debugfs finds the record at $off in block $blk"
	else
		fail big "block $blk at $off holds '$got'"
	fi
}

reverse() {
	make_tree "$T/tree"
	rm -f "$T/r.img"
	mke2fs -q -F -t ext2 -d "$T/tree" "$T/r.img" 64M >/dev/null
	echo "added by debugfs" >"$T/added.txt"
	(cd "$T" && debugfs -w -R "write added.txt added.txt" r.img >/dev/null 2>&1 &&
		debugfs -w -R "sif added.txt mtime 20210304050607" r.img >/dev/null 2>&1)
	cp "$T/added.txt" "$T/tree/added.txt"
	TZ=UTC touch -d "2021-03-04 05:06:07" "$T/tree/added.txt"
	"$T/walk" "$T/tree" >"$T/w.nat"
	sum=$(md5sum <"$T/r.img")
	sk -v "$T/r.img:/data:ro" "$T/walk" /data >"$T/w.sk" 2>"$T/sk.err"
	if cmp -s "$T/w.nat" "$T/w.sk"; then
		pass "reverse: mke2fs -d and debugfs -w files read as natively ($(wc -l <"$T/w.sk") entries)"
	else
		fail reverse "$(diff "$T/w.nat" "$T/w.sk" | head -n 4 | tr '\n' ' ') $(tail -n 1 "$T/sk.err")"
	fi
	if [ "$sum" = "$(md5sum <"$T/r.img")" ]; then
		pass "reverse: a :ro image is unchanged"
	else
		fail reverse "the :ro image changed"
	fi
	sk -v "$T/r.img:/data:ro" "$T/walk" /data damaged >"$T/w.sk" 2>"$T/sk.err"
	if grep -q "^create: -30$" "$T/w.sk"; then
		pass "read-only: create gives EROFS"
	else
		fail read-only "$(grep create "$T/w.sk")"
	fi
}

features() {
	rm -f "$T/e.img"
	mke2fs -q -F -t ext4 "$T/e.img" 32M >/dev/null
	if ! sk -v "$T/e.img:/data" "$T/walk" /data >/dev/null 2>"$T/sk.err" &&
		grep -q "unsupported features:.*extent" "$T/sk.err"; then
		pass "features: ext4 refused: $(grep -o 'unsupported.*' "$T/sk.err" | head -c 60)..."
	else
		fail features "ext4: $(tail -n 1 "$T/sk.err")"
	fi
	rm -f "$T/e.img"
	mke2fs -q -F -t ext3 -d "$T/tree" "$T/e.img" 32M >/dev/null
	if ! sk -v "$T/e.img:/data" "$T/walk" /data >/dev/null 2>"$T/sk.err" &&
		grep -q "has_journal" "$T/sk.err"; then
		pass "features: ext3 refused read-write"
	else
		fail features "ext3 rw: $(tail -n 1 "$T/sk.err")"
	fi
	if sk -v "$T/e.img:/data:ro" "$T/walk" /data >"$T/w.sk" 2>"$T/sk.err" &&
		cmp -s "$T/w.nat" "$T/w.sk"; then
		pass "features: ext3 read-only reads as natively"
	else
		fail features "ext3 ro: $(tail -n 1 "$T/sk.err")"
	fi
}

volume() {
	export SKIFF_STATE_DIR="$T/state"
	if ! "$SKIFF" volume create vol1 --size 64M >/dev/null 2>"$T/sk.err"; then
		fail volume "create: $(tail -n 1 "$T/sk.err")"
		return
	fi
	if "$SKIFF" volume ls | grep -q "^vol1 "; then
		pass "volume: create, ls"
	else
		fail volume "ls does not list vol1"
	fi
	sqlite=$(command -v sqlite3)
	if [ -z "$sqlite" ]; then
		skip "volume: sqlite3" "not installed"
	else
		sk -v vol1:/data "$sqlite" /data/t.db \
			"create table t(a, b); insert into t values (1, 'one'), (2, 'two');" \
			>"$T/s1" 2>"$T/sk.err"
		sk -v vol1:/data "$sqlite" /data/t.db "select * from t;" >"$T/s2" 2>>"$T/sk.err"
		if [ "$(cat "$T/s2")" = "$(printf '1|one\n2|two')" ]; then
			pass "volume: sqlite3's database kept across two runs"
		else
			fail volume "sqlite3 read back '$(cat "$T/s2")' $(tail -n 1 "$T/sk.err")"
		fi
		clean volume "$T/state/volumes/vol1.img"
	fi
	"$SKIFF" volume rm vol1
	if [ ! -e "$T/state/volumes/vol1.img" ]; then
		pass "volume: rm"
	else
		fail volume "rm left the image"
	fi
	unset SKIFF_STATE_DIR
}

# The file-system programs of the differential suite, their working
# directory on a fresh volume (no lost+found, so it starts empty as the
# native one); fs_apps_each (lib.sh) builds and runs them natively.
apps_on_ext2() {
	d=$(mktemp -d /tmp/skiff-storage.XXXXXX)
	rm -f "$T/a.img"
	mke2fs -q -F -t ext2 "$T/a.img" 64M >/dev/null
	debugfs -w -R "rmdir lost+found" "$T/a.img" >/dev/null 2>&1
	(cd "$d" && sk -v "$T/a.img:$d" "$T/app" >"$T/a.sk" 2>"$T/a.err"
		echo $? >"$T/a.src")
	rm -rf "$d"
	if ! cmp -s "$T/a.nat" "$T/a.sk" || ! cmp -s "$T/a.nrc" "$T/a.src"; then
		fail "apps $1 on ext2" "exit $(cat "$T/a.src") (native $(cat "$T/a.nrc")): $(diff "$T/a.nat" "$T/a.sk" | head -n 3 | tr '\n' ' ')"
	elif ! e2fsck -fn "$T/a.img" >/dev/null 2>&1; then
		fail "apps $1 on ext2" "e2fsck -fn finds errors"
	else
		pass "apps $1: in a directory on ext2 as natively, e2fsck -fn clean"
	fi
}
apps() {
	fs_apps_each apps_on_ext2
}

fsops "fsops microvm 1k" microvm 1024
fsops "fsops q35 4k" q35 4096
big
reverse
features
volume
apps
damaged_loop "${STORAGE_DAMAGED:-50}"
summary storage
