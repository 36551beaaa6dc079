# bench/restore-report.sh: sourced by bench/report.sh and
# bench/restore_time.sh: docs/performance.md's "Snapshot and restore"
# section (issue 14's figure) from $R/restore-python and $R/restore-jvm,
# which bench/restore_time.sh writes (lines "KEY VALUE": cold, restore
# and snapshot medians, the runs, memory, date, load average). A missing
# file gives a row that says how to measure it. make bench does not run
# bench/restore_time.sh (minutes under TCG); its last results stay in
# build/bench/results and every full report keeps them.
#   restore_section          prints the section
#   restore_splice DOC       puts it into DOC in place of its own, else
#                            before "## Size"

restore_value() { awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$R/restore-$1" 2>/dev/null; }

restore_row() { # PROG LABEL
	if [ ! -s "$R/restore-$1" ]; then
		echo "| $2 | not measured yet (PROG=$1 bench/restore_time.sh) | | | |"
		return
	fi
	local c r
	c=$(restore_value "$1" cold)
	r=$(restore_value "$1" restore)
	echo "| $2 | $(awk -v c="$c" 'BEGIN { printf "%.1f s", c / 1000 }') | $(awk -v r="$r" 'BEGIN { printf "%.1f s", r / 1000 }') | $(awk -v c="$c" -v r="$r" 'BEGIN { printf "%.1fx", c / r }') | $(restore_value "$1" snapshot) KiB, -m $(restore_value "$1" memory) |"
}

restore_section() {
	echo "## Snapshot and restore"
	echo
	echo "bench/restore_time.sh (not run by \`make bench\`: minutes under TCG)."
	echo "Time to the program's first line of output: **cold**, from \`skiff"
	echo "run -d\` to the first line in its log; **restored**, from \`skiff"
	echo "restore\` of a snapshot taken after the program's warm-up (\`skiff"
	echo "snapshot --stop\`) to the first line the restored program adds. The"
	echo "python3 program imports json, decimal, asyncio, email, http.client,"
	echo "xml.etree and sqlite3 before its first line; the JVM (OpenJDK 17) runs"
	echo "20 million Integer.toString and fills a HashMap of 100,000 entries."
	echo "Medians of the runs; wall-clock, TCG, on this shared host."
	echo
	echo "| Program | Cold | Restored | Cold / restored | Snapshot (gzip -1) |"
	echo "|---|---|---|---|---|"
	restore_row python "python3 after its imports"
	restore_row jvm "JVM after warm-up"
	echo
	for p in python jvm; do
		[ -s "$R/restore-$p" ] || continue
		echo "- $p: measured $(restore_value $p date), $(restore_value $p runs);" \
			"load average at the start $(restore_value $p load)."
	done
	echo
}

restore_splice() {
	restore_section >"$1.restore"
	awk -v sec="$1.restore" '
	BEGIN { while ((getline l < sec) > 0) text = text l "\n" }
	/^## / { skip = 0 }
	/^## Snapshot and restore/ { skip = 1; printf "%s", text; done = 1; next }
	/^## Size/ && !done { printf "%s", text; done = 1 }
	skip { next }
	{ print }
	' "$1" >"$1.tmp" && mv "$1.tmp" "$1"
	rm -f "$1.restore"
}
