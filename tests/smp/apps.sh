#!/bin/sh
# tests/smp/apps.sh: the whole differential suite (tests/apps/run.sh) again
# on VMs of two CPUs: the static build on microvm, skiff run --cpus 2
# (APPS_CPUS; SMP_CPUS to change it). The programs' threads now run on two
# CPUs at once: every check must still match Linux. Ends with
# "apps-smp: N passed, N failed".
#   tests/smp/apps.sh [WHAT...]     as tests/apps/run.sh's arguments
cd "$(dirname "$0")/../.." || exit 1
: "${SMP_CPUS:=2}"
st=$(mktemp)
trap 'rm -f "$st"' EXIT
{ APPS_BUILDS=static APPS_MACHINES=microvm APPS_CPUS=$SMP_CPUS \
	tests/apps/run.sh "$@"; echo $? >"$st"; } 2>&1 |
	sed -u 's/^apps: /apps-smp: /'
exit "$(cat "$st")"
