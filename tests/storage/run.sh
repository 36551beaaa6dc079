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
#   redis      redis-server (Debian's) with appendonly yes, appendfsync
#              always and its dir on a volume, driven from the host with
#              redis-cli through -p: keys set, QEMU killed (SIGKILL), a
#              second run answers them all from its append-only file;
#              e2fsck -fn clean
#   tar        GNU tar (Debian's) extracts this repository's tree and
#              make_tree's (links, symlinks, a sparse file) onto a
#              volume: e2fsck -fn clean, the tree debugfs rdump extracts
#              equals the host's extraction, and walk.c in a second run
#              prints what it prints natively (modes, mtimes, links)
#   crash      $STORAGE_CRASH (default 5) rounds of crash.sh: QEMU killed
#              while records.c appends fsynced records, none printed lost
#   apps       the programs of tests/apps/fs/ (built static) with their
#              working directory on an ext2 volume mounted there, compared
#              with the native run in an empty directory; e2fsck -fn clean
#              after each
#   mmap-eof   tests/regress/mmap_shared_past_eof.c with /tmp on a volume:
#              SIGBUS past the end of a truncated shared mapping, as natively
#   damaged    $STORAGE_DAMAGED (default 28, 4 of each kind) damaged
#              images: mounted or refused, never a hang or crash, never a
#              write outside metadata, free blocks and the files changed
#              (damaged.sh runs 500)
# Ends with "storage: N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
. tests/storage/lib.sh
SKIFF=$(pwd)/build/skiff
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
storage_tools storage
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

# A free TCP port on 127.0.0.1 in PORT.
free_port() {
	PORT=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
}

# redis_up IMG: redis-server in Skiff on IMG at /data, published on $PORT;
# sets RPID (skiff run's pid) and returns once it answers PING (0) or
# after 120 s or its exit (1).
redis_up() {
	free_port
	"$SKIFF" run --accel "$APPS_ACCEL" -p "127.0.0.1:$PORT:6379" \
		-v "$1:/data" /usr/bin/redis-server --port 6379 --dir /data \
		--appendonly yes --appendfsync always --save '' \
		--protected-mode no </dev/null >"$T/r.out" 2>"$T/r.err" &
	RPID=$!
	i=0
	while [ $i -lt 240 ]; do
		[ "$(cli PING 2>/dev/null)" = PONG ] && return 0
		kill -0 $RPID 2>/dev/null || return 1
		sleep 0.5
		i=$((i + 1))
	done
	return 1
}

cli() {
	timeout -k 2 30 redis-cli -h 127.0.0.1 -p "$PORT" "$@"
}

# Keys set one by one (each fsynced to the append-only file before the
# reply), QEMU killed, the keys read back by a second run.
redis() {
	if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
		skip redis "redis-server or redis-cli is not installed"
		return
	fi
	rm -f "$T/rd.img"
	mke2fs -q -F -t ext2 "$T/rd.img" 64M >/dev/null
	if ! redis_up "$T/rd.img"; then
		fail redis "the first run does not answer: $(tail -n 2 "$T/r.err" | tr '\n' ' ')"
		kill $RPID 2>/dev/null; wait $RPID
		return
	fi
	for i in $(seq 50); do
		cli SET "key$i" "value-$i-$(printf 'x%.0s' $(seq $i))" >/dev/null
	done
	cli RPUSH list a b c >/dev/null
	cli INCRBY counter 42 >/dev/null
	cli DEL key7 >/dev/null
	head -c 300000 /dev/urandom | base64 -w0 >"$T/big.val"
	cli -x SET big <"$T/big.val" >/dev/null
	want=$(cli DBSIZE)
	q=$(_qemu_of $RPID)
	[ -n "$q" ] && kill -KILL "$q"
	wait $RPID
	if ! redis_up "$T/rd.img"; then
		fail redis "the second run does not answer: $(tail -n 2 "$T/r.err" | tr '\n' ' ')"
		kill $RPID 2>/dev/null; wait $RPID
		return
	fi
	bad=""
	for i in $(seq 50); do
		v=$(cli GET "key$i")
		w="value-$i-$(printf 'x%.0s' $(seq $i))"
		[ $i = 7 ] && w=""
		[ "$v" = "$w" ] || bad="$bad key$i='$v'"
	done
	[ "$(cli LRANGE list 0 -1 | tr '\n' ' ')" = "a b c " ] || bad="$bad list"
	[ "$(cli GET counter)" = 42 ] || bad="$bad counter"
	cli --raw GET big | head -c -1 >"$T/big.got"
	cmp -s "$T/big.val" "$T/big.got" || bad="$bad big"
	got=$(cli DBSIZE)
	cli SHUTDOWN NOSAVE >/dev/null 2>&1
	i=0
	while kill -0 $RPID 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill $RPID 2>/dev/null
	wait $RPID
	if [ -z "$bad" ] && [ "$got" = "$want" ] && [ -n "$want" ]; then
		pass "redis: appendfsync always on a volume: $got keys back after QEMU was killed"
	else
		fail redis "after the restart: DBSIZE $got (was $want);$bad"
	fi
	clean redis "$T/rd.img"
}

# GNU tar extracts a tree onto a volume.
tarx() {
	rm -rf "$T/src" "$T/tnat" "$T/tdump" "$T/tin" "$T/t.img"
	mkdir -p "$T/src" "$T/tnat" "$T/tdump" "$T/tin"
	git archive HEAD | tar -x -C "$T/src"
	make_tree "$T/src/made"
	tar -cf "$T/tin/src.tar" -C "$T/src" .
	tar -x --no-same-owner -f "$T/tin/src.tar" -C "$T/tnat"
	mke2fs -q -F -t ext2 -d "$T/tin" "$T/t.img" 128M >/dev/null
	if ! sk -v "$T/t.img:/data" /usr/bin/tar -x --no-same-owner \
		-f /data/src.tar -C /data >"$T/t.out" 2>"$T/sk.err"; then
		fail tar "exit: $(tail -n 2 "$T/sk.err" | tr '\n' ' ')"
		return
	fi
	clean tar "$T/t.img"
	debugfs -R "rdump / $T/tdump" "$T/t.img" >/dev/null 2>&1
	rm -rf "$T/tdump/lost+found" "$T/tdump/src.tar"
	if diff -r --no-dereference "$T/tnat" "$T/tdump" >"$T/diff" 2>&1; then
		pass "tar: $(find "$T/tnat" | wc -l) entries extracted; debugfs rdump equals the host's extraction"
	else
		fail tar "debugfs rdump differs: $(head -n 3 "$T/diff" | tr '\n' ' ')"
	fi
	"$T/walk" "$T/tnat" >"$T/w.nat"
	sk -v "$T/t.img:/data:ro" "$T/walk" /data >"$T/w.sk" 2>"$T/sk.err"
	sed -i '/^\/src.tar /d' "$T/w.sk"
	if cmp -s "$T/w.nat" "$T/w.sk"; then
		pass "tar: modes, mtimes, links and contents read back as natively"
	else
		fail tar "walk differs: $(diff "$T/w.nat" "$T/w.sk" | head -n 4 | tr '\n' ' ')"
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

# The file-system programs with /tmp, where they make their scratch
# directories (scratch_enter), and their working directory on a fresh
# ext2 volume (no lost+found, so it starts empty as the native one).
ext2_attach() {
	rm -f "$T/a.img"
	mke2fs -q -F -t ext2 "$T/a.img" 64M >/dev/null
	debugfs -w -R "rmdir lost+found" "$T/a.img" >/dev/null 2>&1
	echo "--no-cwd -v $T/a.img:/tmp -w /tmp"
}

ext2_after() {
	e2fsck -fn "$T/a.img" >/dev/null 2>&1 || { echo "e2fsck -fn finds errors"; return 1; }
	echo "e2fsck -fn clean"
}

apps() {
	fs_apps ext2 ext2_attach ext2_after
}

# mmap-eof: tests/regress/mmap_shared_past_eof.c with /tmp on an ext2
# volume, as natively: a MAP_SHARED page wholly past the end of a
# truncated file gives SIGBUS, the rest of the last page reads zeros.
mmap_eof() {
	bin=$(mktemp -d /var/tmp/skiff-mmap-eof.XXXXXX)
	gcc -static -D_GNU_SOURCE -O1 -I tests/apps -o "$bin/app" \
		tests/regress/mmap_shared_past_eof.c || { fail mmap-eof "does not build"; return; }
	"$bin/app" >"$T/m.nat" 2>&1
	mke2fs -q -F -t ext2 -b 4096 "$T/m.img" 16M >/dev/null 2>&1
	sk --no-cwd -v "$T/m.img:/tmp" "$bin/app" >"$T/m.sk" 2>"$T/m.err"
	if cmp -s "$T/m.nat" "$T/m.sk"; then
		pass "mmap-eof: MAP_SHARED past the end of a truncated ext2 file as natively"
	else
		fail mmap-eof "$(diff "$T/m.nat" "$T/m.sk" | head -n 3 | tr '\n' ' ') $(head -n 1 "$T/m.err")"
	fi
	clean mmap-eof "$T/m.img"
	rm -rf "$bin"
}

# tests/storage/run.sh [CASE...]: only those cases (fsops big reverse
# features volume redis tar crash apps mmap-eof damaged; reverse before
# features).
all() {
	fsops "fsops microvm 1k" microvm 1024
	fsops "fsops q35 4k" q35 4096
	big
	reverse
	features
	volume
	redis
	tarx
	crash_loop "${STORAGE_CRASH:-5}"
	apps
	mmap_eof
	damaged_loop "${STORAGE_DAMAGED:-28}"
}
[ $# = 0 ] && all
for c in "$@"; do
	case $c in
	fsops)
		fsops "fsops microvm 1k" microvm 1024
		fsops "fsops q35 4k" q35 4096 ;;
	tar) tarx ;;
	mmap-eof) mmap_eof ;;
	crash) crash_loop "${STORAGE_CRASH:-5}" ;;
	damaged) damaged_loop "${STORAGE_DAMAGED:-28}" ;;
	*) $c ;;
	esac
done
summary storage
