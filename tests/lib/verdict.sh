# tests/lib/verdict.sh: the verdict of a test part, shared by every harness
# (tests/run.sh, tests/*/run.sh, tests/skiff/deps.sh). Sourced, not run:
#
#   . tests/lib/verdict.sh
#   pass TEXT...            prints "ok   TEXT", counts one check passed
#   fail NAME [REASON...]   prints "FAIL NAME" or "FAIL NAME: REASON",
#                           counts one check failed
#   skip NAME [REASON...]   prints "skip NAME" or "skip NAME: REASON",
#                           counts one check skipped: a skip is never a
#                           pass, it only says what this host could not try
#   passed [N]              counts N (default 1) passes without a line, for
#                           a harness that prints its own report
#   failed [N] [NAME]       counts N (default 1) failures without a line;
#                           NAME goes into the list of failures
#   skipped [N]             counts N (default 1) skips without a line
#   summary [PART]          prints the failures (if any) as
#                           "PART: failed:" and one indented NAME a line,
#                           then "PART: N passed, N failed" (without
#                           "PART: " when PART is empty), followed by
#                           ", N skipped" when something was skipped.
#                           Returns 0 if nothing failed, 1 otherwise: a
#                           harness ends with `summary PART`.
#
# tests/run.sh reads each part's last "PART: N passed, N failed[, N
# skipped]" line; a part that ends without one counts as one failure.
# The counters are shell variables: a pass, fail or skip inside a
# subshell (the body of "cmd | while read") is lost; count after the
# pipeline, from a file, instead.

verdict_pass=0
verdict_fail=0
verdict_skip=0
verdict_failed=""

pass() {
	echo "ok   $*"
	verdict_pass=$((verdict_pass + 1))
}

# _verdict_line WORD NAME [REASON...]: "WORD NAME" or "WORD NAME: REASON".
_verdict_line() {
	_vw=$1 _vn=$2
	shift 2
	if [ $# -gt 0 ]; then
		echo "$_vw $_vn: $*"
	else
		echo "$_vw $_vn"
	fi
}

fail() {
	_verdict_line FAIL "$@"
	failed 1 "$1"
}

skip() {
	_verdict_line skip "$@"
	verdict_skip=$((verdict_skip + 1))
}

passed() {
	verdict_pass=$((verdict_pass + ${1:-1}))
}

failed() {
	verdict_fail=$((verdict_fail + ${1:-1}))
	if [ -n "$2" ] && [ "${1:-1}" -gt 0 ]; then
		verdict_failed="$verdict_failed
  $2"
	fi
}

skipped() {
	verdict_skip=$((verdict_skip + ${1:-1}))
}

summary() {
	_vp=""
	[ -n "$1" ] && _vp="$1: "
	if [ -n "$verdict_failed" ]; then
		echo "${_vp}failed:$verdict_failed"
	fi
	_vs=""
	[ "$verdict_skip" -gt 0 ] && _vs=", $verdict_skip skipped"
	echo "$_vp$verdict_pass passed, $verdict_fail failed$_vs"
	[ "$verdict_fail" -eq 0 ]
}
