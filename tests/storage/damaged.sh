#!/bin/sh
# tests/storage/damaged.sh [N]: the long version of the damaged-disk test
# of tests/storage/run.sh: N (default 500) damaged ext2 images (seven
# kinds in turn: superblock, group descriptors, bitmaps, inode tables,
# directory blocks, indirect blocks, truncated), each mounted and walked in
# one boot, changed in a second; none may hang (120 s each), crash or
# panic, and none may be written outside what tests/storage/written.py
# allows (see damaged_loop in lib.sh). About 1.5 s an image under TCG.
# Ends with "damaged: N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
. tests/storage/lib.sh
SKIFF=$(pwd)/build/skiff
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
storage_build || { fail build "gcc"; summary damaged; exit 1; }
damaged_loop "${1:-500}"
summary damaged
