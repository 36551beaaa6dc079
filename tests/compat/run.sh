#!/bin/sh
# tests/compat/run.sh: docs/linux-compat.md tells the truth about the
# kernel. Needs build/kernel.elf and build/gen/syscalls.h (make).
#
# One check per x86_64 syscall: its row is in the doc's table exactly
# once, with a status that fits the kernel (a syscall the kernel defines
# must be "implemented", "partial" or "-ENOSYS by design"; one it does not
# define "not implemented" or "-ENOSYS by design"), and the row is the one
# scripts/gen-compat.sh makes from docs/compat-notes.txt (else: run
# scripts/gen-compat.sh -w). Then one check per notes line (a real
# syscall, a known status) and per test a note or the doc names (the file
# exists). Prints a line per failure and "compat: N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
DOC=docs/linux-compat.md
. tests/lib/verdict.sh

for f in build/kernel.elf build/gen/syscalls.h docs/compat-notes.txt "$DOC"; do
	if [ ! -f "$f" ]; then
		fail "$f" "missing (run make)"
		summary compat
		exit 1
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm build/kernel.elf | awk '$2 ~ /^[TtW]$/ && $3 ~ /^sys_/ { print substr($3, 5) }' |
	sort -u >"$tmp/defined"
scripts/gen-compat.sh >"$tmp/expected" || exit 1
grep '^| [0-9]' "$DOC" >"$tmp/doc"

# The syscalls, one check each.
sed -n 's/^SYSCALL(\([0-9]*\), \([a-z0-9_]*\))$/\1 \2/p' build/gen/syscalls.h >"$tmp/all"
while read -r nr name; do
	rows=$(awk -F' [|] ' -v n="$name" '$2 == n' "$tmp/doc")
	count=$(printf '%s' "$rows" | grep -c '^|')
	status=$(printf '%s\n' "$rows" | awk -F' [|] ' '{ print $3 }')
	if grep -qx "$name" "$tmp/defined"; then
		case $status in
		implemented | partial | "-ENOSYS by design") good=1 ;;
		*) good=0 ;;
		esac
		what="defined in the kernel"
	else
		case $status in
		"not implemented" | "-ENOSYS by design") good=1 ;;
		*) good=0 ;;
		esac
		what="not defined in the kernel"
	fi
	if [ "$count" != 1 ]; then
		fail "$name ($nr): $count rows in $DOC"
	elif [ "$good" != 1 ]; then
		fail "$name ($nr): $what but marked \"$status\" in $DOC"
	elif ! grep -qxF "$rows" "$tmp/expected"; then
		fail "$name ($nr): row out of date (run scripts/gen-compat.sh -w)"
	else
		passed
	fi
done <"$tmp/all"

# The notes: real syscalls, known kinds.
grep -v '^[[:space:]]*\(#\|$\)' docs/compat-notes.txt |
	while read -r name kind _; do
		if ! awk -v n="$name" '$2 == n { f = 1 } END { exit !f }' "$tmp/all"; then
			echo "FAIL compat-notes.txt: $name is no x86_64 syscall"
		elif [ "$kind" != partial ] && [ "$kind" != enosys ] && [ "$kind" != note ]; then
			echo "FAIL compat-notes.txt: $name: unknown kind \"$kind\""
		else
			echo ok
		fi
	done >"$tmp/notes"
# (counted here: the loop ran in a subshell)
passed "$(grep -c '^ok$' "$tmp/notes")"
grep '^FAIL' "$tmp/notes"
failed "$(grep -c '^FAIL' "$tmp/notes")" "docs/compat-notes.txt"

# The tests the doc and the notes cite exist.
grep -ohE 'tests/[a-z-]+/([a-z]+/)?[a-z0-9_]+\.c' "$DOC" docs/compat-notes.txt | sort -u >"$tmp/tests"
while read -r t; do
	if [ -f "$t" ]; then passed; else fail "$t is cited but does not exist"; fi
done <"$tmp/tests"

summary compat
