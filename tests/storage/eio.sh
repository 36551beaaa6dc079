#!/bin/sh
# tests/storage/eio.sh: a failing disk gives the program EIO, never a
# panic (the "storage-eio" part of tests/run.sh). QEMU's blkdebug driver
# sits under the volume's raw image (skiff's hidden SKIFF_QEMU_EXTRA sets
# drive.disk0.file to blkdebug:CONFIG:IMAGE) and fails the requests its
# [inject-error] rule names, errno 5; tests/storage/eio.c is the program.
#   read    the data block of one file fails to read (microvm, then q35):
#           read gives EIO each time, the file beside it reads, a new file
#           is written and fsynced
#   write   every write fails: fsync gives EIO, twice (the blocks stay
#           dirty), sync and exit return; the kernel logs the loss
#   flush   only the device's cache flush fails: fsync gives EIO (fsync
#           waits for the flush and reports it)
#   none    without blkdebug the same program's fsyncs succeed and
#           e2fsck -fn finds the image clean
# Each case also checks that the kernel did not panic and skiff exited 0.
# Ends with "storage-eio: N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
. tests/storage/lib.sh
SKIFF=$(pwd)/build/skiff
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
storage_tools storage-eio
gcc -O -Wall -static -o "$T/eio" tests/storage/eio.c ||
	{ fail build "gcc"; summary storage-eio; exit 1; }

mkdir "$T/tree"
echo hello >"$T/tree/good"
head -c 8192 /dev/zero | tr '\0' v >"$T/tree/victim"

# image: a fresh 4 KiB-block image of the tree in $T/d.img.
image() {
	rm -f "$T/d.img"
	mke2fs -q -F -t ext2 -b 4096 -d "$T/tree" "$T/d.img" 16M >/dev/null
}

# rule NAME EVENT IOTYPE [SECTOR]: an [inject-error] rule in $T/NAME.cfg.
rule() {
	{
		echo "[inject-error]"
		echo "event = \"$2\""
		echo "iotype = \"$3\""
		echo 'errno = "5"'
		[ -n "$4" ] && echo "sector = \"$4\""
		echo 'once = "off"'
	} >"$T/$1.cfg"
}

# run NAME CFG MACHINE MODE: the program on $T/d.img, through blkdebug
# with CFG ("" for none); output in $T/NAME.out, log in $T/NAME.err.
run() {
	extra=""
	[ -n "$2" ] && extra="-set drive.disk0.file=blkdebug:$T/$2.cfg:$T/d.img"
	SKIFF_QEMU_EXTRA="$extra" sk --verbose --machine "$3" -v "$T/d.img:/data" \
		"$T/eio" "$4" /data >"$T/$1.out" 2>"$T/$1.err"
	rc=$?
	if [ $rc != 0 ] || grep -q "panic" "$T/$1.err"; then
		fail "$1" "exit $rc: $(grep -m1 panic "$T/$1.err" || tail -n 1 "$T/$1.err")"
		return 1
	fi
	return 0
}

# expect NAME TEXT...: each TEXT is a line of $T/NAME.out.
expect() {
	name=$1
	shift
	for want; do
		if ! grep -qx "$want" "$T/$name.out"; then
			fail "$name" "no line '$want': $(tr '\n' '|' <"$T/$name.out")"
			return
		fi
	done
	pass "$name: $*"
}

image
blk=$(debugfs -R "bmap /victim 0" "$T/d.img" 2>/dev/null)
case "$blk" in
''|*[!0-9]*) fail "read" "debugfs bmap: '$blk'" ;;
*)
	rule read read_aio read $((blk * 8))
	for m in microvm q35; do
		image
		run "read-$m" read $m read && expect "read-$m" \
			"read good: 6" "read victim: -1 EIO" "fsync: 0" "fsync again: 0"
	done
	if [ "$(grep -c 'read victim: -1 EIO' "$T/read-microvm.out")" = 2 ]; then
		pass "read: the failed block is not cached as good (EIO twice)"
	else
		fail "read" "the second read did not fail"
	fi
	;;
esac

image
rule write write_aio write
run write write microvm write && expect write \
	"write: 65536" "fsync: -1 EIO" "fsync again: -1 EIO" "sync returned"
if grep -q "sync at exit: error" "$T/write.err"; then
	pass "write: the kernel log says the data at exit were lost"
else
	fail "write" "no 'sync at exit: error' line in the log"
fi

image
rule flush flush_to_disk flush
run flush flush microvm flush && expect flush "write: 65536" "fsync: -1 EIO"

image
run none "" microvm write && expect none "fsync: 0" "fsync again: 0" "sync returned"
if e2fsck -fn "$T/d.img" >/dev/null 2>&1; then
	pass "none: e2fsck -fn clean"
else
	fail "none" "e2fsck -fn finds errors"
fi
summary storage-eio
