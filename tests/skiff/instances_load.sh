#!/bin/sh
# tests/skiff/instances_load.sh: issue 14's load case alone: 50 detached
# instances (-m 16M, the smallest size skiff takes) started at once, all
# listed by skiff ps, each stopped cleanly (SIGTERM reaches it), no QEMU
# and no state left behind. INST_LOAD=N changes the count; make test runs
# the same check at the end of tests/skiff/instances.sh.
#   tests/skiff/instances_load.sh   "instances-load: N passed, N failed"
cd "$(dirname "$0")/../.." || exit 1
INST_LOAD=${INST_LOAD:-50} INST_LOAD_ONLY=1 INST_PART=instances-load \
	exec tests/skiff/instances.sh
