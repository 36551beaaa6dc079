#!/bin/sh
# scripts/gen-compat.sh: the syscall table of docs/linux-compat.md.
#
#   scripts/gen-compat.sh            print the table (markdown) on stdout
#   scripts/gen-compat.sh -w         rewrite the table inside the doc, between
#                                    its BEGIN/END SYSCALLS markers
#
# Every x86_64 syscall of build/gen/syscalls.h (scripts/gen-syscalls.sh)
# gets one row: number, name, status, notes. A syscall is "implemented"
# when the kernel defines sys_<name> (nm build/kernel.elf); the
# hand-written docs/compat-notes.txt refines that with lines
#   NAME partial TEXT      implemented, with the difference in TEXT
#   NAME enosys TEXT       -ENOSYS by design (defined or not), why in TEXT
#   NAME note TEXT         only a note (for any status)
# Everything else the kernel does not define is "not implemented"
# (-ENOSYS, and its name is logged once with skiff --verbose).
# Environment: KERNEL, SYSCALLS, NOTES, DOC override the four paths.
set -e
cd "$(dirname "$0")/.."
KERNEL=${KERNEL:-build/kernel.elf}
SYSCALLS=${SYSCALLS:-build/gen/syscalls.h}
NOTES=${NOTES:-docs/compat-notes.txt}
DOC=${DOC:-docs/linux-compat.md}

for f in "$KERNEL" "$SYSCALLS" "$NOTES"; do
	if [ ! -f "$f" ]; then
		echo "gen-compat: $f is missing (run make first)" >&2
		exit 1
	fi
done

defined=$(mktemp)
trap 'rm -f "$defined" "$defined.table"' EXIT
nm "$KERNEL" | awk '$2 ~ /^[TtW]$/ && $3 ~ /^sys_/ { print substr($3, 5) }' |
	sort -u >"$defined"

table() {
	echo "| nr | syscall | status | notes |"
	echo "|---:|---|---|---|"
	awk -v notes="$NOTES" -v defined="$defined" '
		BEGIN {
			while ((getline l < defined) > 0) def[l] = 1
			while ((getline l < notes) > 0) {
				if (l ~ /^[ \t]*(#|$)/) continue
				n = split(l, w, /[ \t]+/)
				text = l
				sub(/^[^ \t]+[ \t]+[^ \t]+[ \t]*/, "", text)
				kind[w[1]] = w[2]; note[w[1]] = text
			}
		}
		/^SYSCALL\(/ {
			line = $0
			gsub(/[(),]/, " ", line)
			split(line, f, " ")
			nr = f[2]; name = f[3]
			if (kind[name] == "enosys") st = "-ENOSYS by design"
			else if (!(name in def)) st = "not implemented"
			else if (kind[name] == "partial") st = "partial"
			else st = "implemented"
			printf "| %s | %s | %s | %s |\n", nr, name, st, note[name]
		}' "$SYSCALLS"
}

if [ "$1" != "-w" ]; then
	table
	exit 0
fi
table >"$defined.table"
awk -v table="$defined.table" '
	/^<!-- BEGIN SYSCALLS/ { print; while ((getline l < table) > 0) print l; skip = 1; next }
	/^<!-- END SYSCALLS/ { skip = 0 }
	!skip' "$DOC" >"$DOC.tmp"
mv "$DOC.tmp" "$DOC"
