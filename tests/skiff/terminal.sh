#!/bin/sh
# tests/skiff/terminal.sh: skiff run with a terminal as stdin, driven
# through tmux (send-keys, capture-pane): the host terminal in raw mode and
# the guest's line discipline (fs/devfs/tty.c). Each case runs natively and
# then in Skiff in a fresh 80x24 pane, and the pane's text (or the line
# the case looks at) must match:
#   history   the Python REPL: two lines, then Up and Enter repeats the
#             last one (readline's history through the arrow key)
#   less      `less` of a 200-line file, one page further with space (the
#             pane then, and after q)
#   sigint    Ctrl-C while python3 sleeps: its SIGINT handler runs (and
#             exits 3)
#   sigint-default  Ctrl-C with no handler: python3 ends, status 130
#   sigtstp   Ctrl-Z while python3 sleeps: its SIGTSTP handler runs
#   sigquit   Ctrl-\ while python3 sleeps: its SIGQUIT handler runs
#   ctrl-z-alone  Ctrl-Z with no handler, then Ctrl-C: the program's group
#             has no shell to continue it (the pane's sh runs it without
#             job control, as Skiff runs pid 1), so the stop is dropped
#             and Ctrl-C ends it, status 130
#   sigwinch  the pane resized to 100x30 while python3 sleeps: its
#             SIGWINCH handler runs and reads the new size
#   jobs      an interactive bash: a job stopped by Ctrl-Z ("Stopped"),
#             continued with fg, ended with Ctrl-C
#   restored  the terminal's settings (stty -g) after skiff as before
#   typeahead-eof  an end of file (^D) typed before skiff starts, as
#             script(1) types it when its stdin ends (tests/lib/ptyrun.py
#             --typed, no tmux): the program's read sees the end of file
#             (it saw a NUL, echoed ^@, when raw mode turned the host's
#             EOF marker into a byte; or the input lay unread when it came
#             before the guest's console was ready), 3 runs
#   typeahead-line  a line typed before skiff starts is the program's
#             first line
# Waits are bounded (120 s per screen) and assert nothing about time.
#   tests/skiff/terminal.sh   one line a case, then "terminal: N passed, N failed"
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
: "${APPS_ACCEL:=tcg}"
tmp=$(mktemp -d)
n=0
T="tmux -L skiff-terminal-$$-$n -f /dev/null"
trap '$T kill-server 2>/dev/null; rm -rf "$tmp"
      rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/skiff-terminal-$$-"*' EXIT
# typeahead TEXT: a shell's read on a terminal typed TEXT before it ran
# (stdin never ends: a FIFO held open), natively then in Skiff.
READ='read x; echo "read $? [$x]"'
typeahead() {
	mkfifo "$tmp/fifo" && exec 7<>"$tmp/fifo"
	timeout -k 5 120 python3 tests/lib/ptyrun.py --typed "$1" $2 \
		/bin/sh -c "$READ" <"$tmp/fifo" 7>&- | tr -d '\r'
	exec 7>&-
	rm -f "$tmp/fifo"
}
want=$(typeahead '\x04' "")
for i in 1 2 3; do
	got=$(typeahead '\x04' "build/skiff run --accel $APPS_ACCEL")
	if [ "$got" = "$want" ]; then
		pass "typeahead-eof $i: $got"
	else
		fail "typeahead-eof $i" "native '$want', skiff '$(printf %s "$got" | od -An -c | tr -s ' ' | tr -d '\n')'"
	fi
done
# The line's echo by the host's terminal, then the guest's again.
want=$(typeahead 'hello\n' "" | grep read)
got=$(typeahead 'hello\n' "build/skiff run --accel $APPS_ACCEL" | grep read)
if [ "$got" = "$want" ]; then
	pass "typeahead-line: $got"
else
	fail "typeahead-line" "native '$want', skiff '$got'"
fi

if ! command -v tmux >/dev/null; then
	skip "terminal" "no tmux (scripts/deps.sh installs it)"
	summary terminal
	exit 0
fi
seq 1 200 >"$tmp/lines"
PY_HANDLER='import signal, sys, time
def h(s, f): print("handler ran", s); sys.exit(3)
signal.signal(signal.SIGINT, h)
print("ready", flush=True)
time.sleep(60)
print("after")'
printf '%s\n' "$PY_HANDLER" >"$tmp/h.py"
# Ctrl-Z and Ctrl-\ to handlers.
printf '%s\n' 'import signal, sys, time
def h(s, f): print("handler ran", s); sys.exit(4)
signal.signal(signal.SIGTSTP, h)
signal.signal(signal.SIGQUIT, h)
print("ready", flush=True)
time.sleep(60)' >"$tmp/hq.py"
printf '%s\n' 'import os, signal, sys, time
def h(s, f): print("winch", os.get_terminal_size()); sys.exit(5)
signal.signal(signal.SIGWINCH, h)
print("ready", os.get_terminal_size(), flush=True)
time.sleep(60)' >"$tmp/w.py"
SKIFF="$PWD/build/skiff run --accel $APPS_ACCEL --file $tmp/lines --file $tmp/h.py --file $tmp/hq.py --file $tmp/w.py --file /usr/bin/sleep"

# start CMD: a fresh pane running CMD, then "status N" and the terminal's
# settings (stty -g) before and after, each on a line of its own.
start() {
	# A server of its own each time: a new session right after
	# kill-server may reach the server that is going away.
	$T kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/skiff-terminal-$$-$n"
	n=$((n + 1))
	T="tmux -L skiff-terminal-$$-$n -f /dev/null"
	# The shell outlives a ^C the terminal turns into SIGINT (natively);
	# the program gets the default action (a caught signal is reset).
	printf '%s\n' "trap : INT; stty -g >$tmp/stty.before; $1; echo \"status \$?\"; stty -g >$tmp/stty.after; sleep 600" >"$tmp/cmd"
	$T new-session -d -s t -x 80 -y 24 "sh $tmp/cmd"
}

screen() {
	$T capture-pane -p -t t 2>/dev/null
}

# wait_for PATTERN [N]: until N (default 1) of the pane's lines match
# PATTERN (grep -E), at most 120 s.
wait_for() {
	i=0
	while [ "$(screen | grep -Ec "$1")" -lt "${2:-1}" ] &&
	      [ $i -lt ${WAIT_TICKS:-600} ] && $T has-session 2>/dev/null; do
		sleep 0.2
		i=$((i + 1))
	done
}

keys() {
	$T send-keys -t t "$@"
}

# The cases: each prints the pane's text at its end.
case_history() {
	start "$1 /usr/bin/python3 -q"
	wait_for '^>>> *$'
	keys 'x = 6 * 7' Enter
	# The next prompt (the first empty one matched already); capture-pane
	# drops the blanks at a line's end.
	wait_for '^>>>( |$)' 2
	keys 'print(x + 1)' Enter
	wait_for '^43'
	# and the prompt after it: readline shows it once the terminal is in
	# its mode; an Up typed before would be the line discipline's (^[[A)
	wait_for '^>>>( |$)' 3
	keys Up Enter
	wait_for '^43$' 2
	keys C-d
	wait_for 'status [0-9]+$'
	screen
}

case_less() {
	start "$1 /usr/bin/less $tmp/lines"
	wait_for '^23$'
	keys Space
	wait_for '^46$'
	screen
	keys q
	wait_for 'status [0-9]+$'
	screen
}

case_sigint() {
	start "$1 /usr/bin/python3 $tmp/h.py"
	wait_for '^ready'
	keys C-c
	wait_for 'status [0-9]+$'
	screen
}

case_sigint_default() {
	start "$1 /usr/bin/python3 -c 'import signal, time; signal.signal(signal.SIGINT, signal.SIG_DFL); print(\"ready\", flush=True); time.sleep(60)'"
	wait_for '^ready'
	keys C-c
	wait_for 'status [0-9]+$'
	screen
}

case_sigtstp() {
	start "$1 /usr/bin/python3 $tmp/hq.py"
	wait_for '^ready'
	keys C-z
	wait_for 'status [0-9]+$'
	screen
}

case_sigquit() {
	start "$1 /usr/bin/python3 $tmp/hq.py"
	wait_for '^ready'
	keys 'C-\\'
	wait_for 'status [0-9]+$'
	screen
}

case_ctrl_z_alone() {
	start "$1 /usr/bin/python3 -c 'import time; print(\"ready\", flush=True); time.sleep(60)'"
	wait_for '^ready'
	keys C-z
	wait_for '\^Z'
	keys C-c
	wait_for 'status [0-9]+$'
	screen
}

case_sigwinch() {
	start "$1 /usr/bin/python3 $tmp/w.py"
	wait_for '^ready'
	$T resize-window -t t -x 100 -y 30
	wait_for 'status [0-9]+$'
	screen
}

case_jobs() {
	start "$1 /bin/bash --norc --noprofile -i"
	wait_for '^bash-[0-9.]+# *$'
	keys "bash -c 'echo running; exec sleep 60'" Enter
	wait_for '^running'
	keys C-z
	wait_for 'Stopped'
	wait_for '^bash-[0-9.]+# *$' # its prompt again: keys before it would
				      # reach a terminal in canonical mode
	keys fg Enter
	wait_for '^bash -c'
	keys C-c
	wait_for '^bash-[0-9.]+# *$'
	keys exit Enter
	wait_for 'status [0-9]+$'
	screen
}

# check NAME: the case natively and in Skiff, panes compared.
check() {
	name=$1
	"case_$(echo "$name" | tr - _)" "" >"$tmp/native"
	cp "$tmp/stty.before" "$tmp/stty.nb" 2>/dev/null
	"case_$(echo "$name" | tr - _)" "$SKIFF" >"$tmp/skiff"
	if cmp -s "$tmp/native" "$tmp/skiff"; then
		pass "$name: $(grep -c . "$tmp/skiff") lines alike"
	else
		fail "$name" "panes differ: $(diff "$tmp/native" "$tmp/skiff" | grep '^[<>]' | head -6 | tr '\n' '|')"
	fi
	if cmp -s "$tmp/stty.before" "$tmp/stty.after"; then
		pass "$name: terminal restored"
	else
		fail "$name: terminal restored" "stty -g before $(cat "$tmp/stty.before"), after $(cat "$tmp/stty.after")"
	fi
}

check history
check less
check sigint
check sigint-default
check sigtstp
check sigquit
check ctrl-z-alone
check sigwinch
check jobs
summary terminal
