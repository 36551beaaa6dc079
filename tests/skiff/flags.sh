#!/bin/sh
# tests/skiff/flags.sh: docker's flags of skiff run and skiff's command
# line errors, one line each: what skiff prints (one line on stderr, the
# words that say why) and its exit status (2 bad command line, 125 a flag
# whose feature is not in Skiff yet), without booting; then the few that
# need a VM, compared with the same command run natively:
#   -it           -i and -t combined, as docker takes them
#   -e KEY        skiff's own value of KEY, as docker
#   --env-file    docker's format: KEY=VAL, KEY alone (the host's value,
#                 left out if unset), # comments, blank lines, -e winning
#   --cpus 1, --rm  accepted (--cpus N: tests/skiff/cpus.sh)
#   per-command help: skiff run/build/volume --help, skiff help build
#   tests/skiff/flags.sh   one line a case, then "flags: N passed, N failed"
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
. tests/lib/skiffcli.sh
: "${APPS_ACCEL:=tcg}"
S=build/skiff
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT


err "unknown option, close" 2 'unknown option --memroy \(did you mean --memory\?\)' \
	run --memroy 1G /bin/true
err "unknown option=value, close" 2 'did you mean --env-file\?' \
	run --envfile=x /bin/true
err "unknown option, close (transposed)" 2 'did you mean --verbose\?' \
	run --vebrose /bin/true
err "unknown option, nothing close" 2 'unknown option --xyzzy \(see skiff run --help\)' \
	run --xyzzy /bin/true
err "unknown short option" 2 'unknown option -x' run -x /bin/true
err "unknown option of build" 2 'see skiff build --help' \
	build -o "$tmp/img" --xyzzy /bin/true
err "unknown command, close" 2 "unknown command 'rnu' \(did you mean skiff run\?\)" rnu /bin/true
err "docker command Skiff has not" 125 'skiff exec: not in Skiff' exec web ls
err "--cpus garbage" 2 'expected a number of CPUs' run --cpus two /bin/true
err "-e PROGRAM by mistake" 2 "'/bin/true' is not a variable name" run -e /bin/true
err "-e =VAL" 2 'expected KEY=VALUE' run -e =x /bin/true
err "option without its value" 2 'option -e needs a value' run -e
err "--file relative guest path" 2 "guest path 'b' must be absolute" \
	run --file /etc/hostname:b /bin/true
err "--dir relative guest path" 2 "guest path 'etc' must be absolute" \
	run --dir /etc:etc /bin/true
err "--env-file missing" 2 'env-file .*/none: No such file or directory' \
	run --env-file "$tmp/none" /bin/true
printf 'GOOD=1\nBAD KEY=2\n' >"$tmp/bad.env"
err "--env-file bad line" 2 "line 2: 'BAD KEY' is not a variable name" \
	run --env-file "$tmp/bad.env" /bin/true
if grep -Eqw 'vmx|svm' /proc/cpuinfo; then
	skip "--accel kvm without hardware virtualization" "this CPU has vmx or svm"
else
	err "--accel kvm without hardware virtualization" 125 \
		'no vmx or svm flag in /proc/cpuinfo.*use --accel tcg' \
		run --accel kvm /bin/true
fi

# out NAME WANT ARGS...: skiff ARGS prints WANT's first line, status 0.
out() {
	name=$1 want=$2
	shift 2
	got=$(timeout 60 $S "$@" </dev/null 2>&1 | head -n 1)
	if [ "$got" = "$want" ]; then
		pass "$name: $got"
	else
		fail "$name" "got '$got', want '$want'"
	fi
}
out "--version" "skiff version $(sed -n 's/^#define SKIFF_VERSION "\(.*\)"/\1/p' tools/skiff/skiff.h)" --version
out "run --help" "Usage: skiff run [OPTIONS] PROGRAM [ARGS...]" run --help
out "build --help" "Usage: skiff build -o IMAGE [IMAGE OPTIONS] PROGRAM [ARGS...]" build --help
out "help build" "Usage: skiff build -o IMAGE [IMAGE OPTIONS] PROGRAM [ARGS...]" help build
out "volume --help" "Usage: skiff volume create NAME [--size SIZE]" volume --help
out "--help" "Usage: skiff run [OPTIONS] PROGRAM [ARGS...]" --help
# The pages differ: build's has no VM options, run's has its limits.
if $S build --help | grep -q -- '--memory' || ! $S run --help | grep -q 'Not yet:'; then
	fail "per-command pages" "build's page shows VM options, or run's lacks its limits"
else
	pass "per-command pages: build without VM options, run with its limits"
fi

# same NAME NATIVE SKIFF
same() {
	if [ "$2" = "$3" ]; then
		pass "$1: $(printf %s "$2" | tr '\n' ' ' | head -c 80)"
	else
		fail "$1" "native '$2', skiff '$3'"
	fi
}
run="$S run --accel $APPS_ACCEL"
ENVS='for k in A B C D FOO HOME UNSET_XYZ; do eval "v=\${$k-unset}"; printf "%s=%s\n" "$k" "$v"; done'
printf '# a comment\nA=1\n  B=two words\n\nC="quoted" stays\nHOME\nUNSET_XYZ\nD=from-file\n' >"$tmp/env"
# docker's meaning, natively: the file's variables, then -e's over them.
want=$(env -i HOME="$HOME" A=1 B='two words' C='"quoted" stays' D=from-e FOO=bar \
	/bin/sh -c "$ENVS")
got=$(env -u UNSET_XYZ FOO=bar $run --env-file "$tmp/env" -e FOO -e D=from-e \
	/bin/sh -c "$ENVS")
same "--env-file and -e KEY" "$want" "$got"
same "-e KEY unset is left out" "unset" \
	"$(env -u UNSET_XYZ $run -e UNSET_XYZ /bin/sh -c 'echo ${UNSET_XYZ-unset}')"
# -t's meaning (docker's): the program's stdin is a terminal, skiff's not.
same "-it: stdin a terminal" "0" \
	"$($run -it /bin/sh -c 'test -t 0; echo $?' </dev/null | tr -d '\r')"
same "--cpus 1 --rm" "ok" "$($run --cpus 1 --rm /bin/echo ok)"
summary flags
