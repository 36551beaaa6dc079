#!/bin/bash
# tests/real/proc_script.sh: a bash script that makes processes, run by
# tests/real/run.sh (case bash-script) natively and in Skiff: command
# substitution, a loop of pipelines, external programs (wc, tr, seq,
# sort, head, sed, cat), a subshell's status, PIPESTATUS, a nested bash,
# a here-document through a pipe, a background job and wait. Exits 4.
n=$(printf 'a\nb\nc\n' | wc -l)
echo "lines: $n"
for w in one two three; do
	echo "$w" | tr a-z A-Z
done
total=0
for i in $(seq 1 5); do total=$((total + i)); done
echo "total: $total"
words=$(echo "the quick brown fox" | tr ' ' '\n' | sort | head -n 2 | tr '\n' ' ')
echo "first sorted: $words"
echo "subshell: $(cd / && pwd)"
(exit 3)
echo "subshell status: $?"
false | true
echo "pipe status: ${PIPESTATUS[*]}"
x=$(bash -c 'echo nested $((6 * 7))')
echo "$x"
cat <<END | sed 's/^/> /'
heredoc line
END
sleep 0.1 &
wait $!
echo "background job status: $?"
exit 4
