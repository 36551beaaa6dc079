#!/bin/sh
# tests/smp/run.sh: the short SMP stress of `make test` (tests/run.sh's
# part smp): tests/smp/stress.sh with each program run SMP_RUNS times
# (default 2) on SMP_CPUS CPUs (default 2). The long one: stress.sh N.
cd "$(dirname "$0")/../.." || exit 1
exec tests/smp/stress.sh "${SMP_RUNS:-2}"
