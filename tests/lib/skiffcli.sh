# tests/lib/skiffcli.sh: shell helpers the host tool's tests share (sourced
# after tests/lib/verdict.sh). The caller sets S or SKIFF (the skiff
# binary) and tmp (a scratch directory).

# err NAME STATUS PATTERN ARGS...: skiff ($S) ARGS exits STATUS with one
# line on stderr matching PATTERN (grep -E) and nothing on stdout.
err() {
	name=$1 want=$2 pat=$3
	shift 3
	timeout 60 $S "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
	lines=$(grep -c . "$tmp/err")
	if [ $st = "$want" ] && [ "$lines" = 1 ] && [ ! -s "$tmp/out" ] &&
	   grep -Eq -- "$pat" "$tmp/err"; then
		pass "$name: $(cat "$tmp/err")"
	else
		fail "$name" "status $st (want $want), $lines lines: $(head -c 300 "$tmp/err" | tr '\n' '|')"
	fi
}

# until_ok SECS CMD...: retries CMD every 0.2 s for at most SECS seconds.
until_ok() {
	local n=$(($1 * 5))
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -le 0 ] && return 1
		sleep 0.2
	done
}

# in_log NAME LINE: instance NAME's log ($SKIFF logs) has the line LINE.
in_log() { $SKIFF logs "$1" | grep -qx "$2"; }
