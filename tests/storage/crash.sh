#!/bin/sh
# tests/storage/crash.sh [N]: the long version of the crash test of
# tests/storage/run.sh: N (default 100) rounds in which
# tests/storage/records.c appends numbered records to an ext2 volume,
# printing each number only after its fsync (fdatasync) returned, and the
# host kills QEMU with SIGKILL at a random moment; after each kill
# `e2fsck -fy` on the image, and the next boot reads the log back: every
# record printed before the kill must be there, whole and in order. A
# fresh image every 10 rounds, each checked by a boot that only reads.
# About 1-3 s a round under TCG; a progress line on stderr every 10. Ends with "crash: N passed, N failed"; on a
# loss it keeps the image in /tmp/skiff-crash.img (CRASH_KEEP=DIR: there).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
. tests/storage/lib.sh
SKIFF=$(pwd)/build/skiff
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PATH=$PATH:/sbin:/usr/sbin
storage_build || { fail build "gcc"; summary crash; exit 1; }
CRASH_PROGRESS=1 crash_loop "${1:-100}"
summary crash
