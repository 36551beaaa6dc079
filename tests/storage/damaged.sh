#!/bin/sh
# tests/storage/damaged.sh [N]: the long version of the damaged-disk test
# of tests/storage/run.sh: N (default 500) damaged ext2 images, each
# mounted, walked and changed in Skiff; none may hang (120 s each), crash
# or panic. About 1 s an image under TCG. Ends with
# "damaged: N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
. tests/storage/lib.sh
SKIFF=$(pwd)/build/skiff
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
storage_build || { fail build "gcc"; summary damaged; exit 1; }
damaged_loop "${1:-500}"
summary damaged
