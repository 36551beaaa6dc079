# tests/lib/probe.sh: does the Skiff under test have processes? Sourced by
# the harnesses whose tests need fork, vfork and execve (tests/apps/run.sh
# for programs marked /* NEEDS: fork */, tests/real/run.sh,
# tests/net/run.sh), so that those tests say "skip" instead of failing
# while the feature is not in the kernel, and run by themselves once it is.
#
#   . tests/lib/probe.sh
#   fork_probe [SKIFF]   sets FORK_OK to 1 when the tests that need fork
#                        should run, else 0 and FORK_WHY to the reason
#                        (for the skip lines). SKIFF defaults to
#                        build/skiff.
#
# The probe is tests/lib/probe_fork.c, built static into
# build/probe/probe_fork and run once in Skiff (microvm, TCG, no network):
# it forks a child that exits 7, reaps it, and prints "fork: works" or
# "fork: ENOSYS". Its answer is kept in build/probe/ for the kernel it
# ran on (the kernel's size and time), so a harness asks once per kernel.
#
# SKIFF_FORK_TESTS overrides the probe:
#   auto (default)  run the tests if the probe says "fork: works"
#   run             run them whatever the probe says (to see them fail on
#                   a kernel without fork: the sanity check of the tests)
#   skip            skip them
# A skip is never counted as a pass (tests/lib/verdict.sh).
# shellcheck shell=sh disable=SC2034 # FORK_OK, FORK_WHY: for the caller

fork_probe() {
	_pskiff=${1:-build/skiff}
	FORK_OK=0
	FORK_WHY=""
	case ${SKIFF_FORK_TESTS:-auto} in
	run) FORK_OK=1; return ;;
	skip) FORK_WHY="SKIFF_FORK_TESTS=skip"; return ;;
	esac
	_pdir=build/probe
	mkdir -p "$_pdir"
	_pkern=${SKIFF_KERNEL:-$(dirname "$_pskiff")/kernel.elf}
	if [ ! -f "$_pkern" ]; then
		FORK_WHY="no kernel $_pkern to probe"
		return
	fi
	_pkey=$(stat -c '%s.%Y' "$_pkern")
	_pres=$_pdir/fork.$_pkey
	if [ ! -s "$_pres" ]; then
		if [ ! -x "$_pdir/probe_fork" ] || [ tests/lib/probe_fork.c -nt "$_pdir/probe_fork" ]; then
			gcc -static -O1 -o "$_pdir/probe_fork.tmp.$$" tests/lib/probe_fork.c &&
				mv -f "$_pdir/probe_fork.tmp.$$" "$_pdir/probe_fork"
		fi
		timeout -k 5 120 "$_pskiff" run --accel tcg --net none \
			"$_pdir/probe_fork" </dev/null 2>/dev/null | head -n 1 >"$_pres.tmp.$$"
		# an empty answer (the VM did not run) is not kept
		if [ -s "$_pres.tmp.$$" ]; then
			mv -f "$_pres.tmp.$$" "$_pres"
		else
			rm -f "$_pres.tmp.$$"
		fi
	fi
	_pans=$(cat "$_pres" 2>/dev/null)
	if [ "$_pans" = "fork: works" ]; then
		FORK_OK=1
	else
		FORK_WHY="fork not implemented in this Skiff (probe tests/lib/probe_fork.c: ${_pans:-no answer})"
	fi
}
