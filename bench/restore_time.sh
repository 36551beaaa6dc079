#!/bin/bash
# bench/restore_time.sh: issue 14's figure, restore-to-first-output against
# a cold start, for a python3 program that imports its modules (json,
# decimal, asyncio, email, http.client, xml.etree, sqlite3) and then prints
# a line every 20 ms:
#   cold     skiff run -d, to the program's first line in its log
#   restore  skiff restore of a snapshot taken after the imports (--stop),
#            to the first line the restored program adds to its log
# With PROG=jvm, the same for a Java program (OpenJDK 17 from
# /usr/lib/jvm/java-17-openjdk-amd64) that warms up (20 million
# Integer.toString, a HashMap of 100,000 entries) before its first line.
# Times are wall-clock on this host (TCG), the median of RUNS (default 5)
# tries, the log polled every 5 ms. Not part of make test.
#   bench/restore_time.sh   prints "cold MS", "restore MS", snapshot size,
#                           keeps them in build/bench/results/restore-PROG
#                           and puts docs/performance.md's "Snapshot and
#                           restore" section in (bench/restore-report.sh)
cd "$(dirname "$0")/.." || exit 1
RUNS=${RUNS:-5}
SKIFF=build/skiff
tmp=$(mktemp -d)
export SKIFF_RUN_DIR=$tmp/run
trap 'for d in "$SKIFF_RUN_DIR"/*/; do [ -d "$d" ] && $SKIFF rm -f "$(basename "$d")" >/dev/null 2>&1; done; rm -rf "$tmp"' EXIT
cat >"$tmp/warm.py" <<'PY'
import json, decimal, asyncio, email.parser, http.client, xml.etree.ElementTree, sqlite3, time, sys
n = 0
while True:
    n += 1
    print("tick", n, flush=True)
    time.sleep(0.02)
PY
if [ "$PROG" = jvm ]; then
	jdk=$(readlink -f /usr/lib/jvm/java-17-openjdk-amd64)
	cat >"$tmp/Warm.java" <<'JAVA'
public class Warm {
    public static void main(String[] a) throws Exception {
        long s = 0;
        for (int i = 0; i < 20_000_000; i++) s += Integer.toString(i).hashCode();
        java.util.HashMap<String, Integer> m = new java.util.HashMap<>();
        for (int i = 0; i < 100000; i++) m.put("k" + i, i);
        for (int n = 1; ; n++) {
            System.out.println("tick " + n + " " + (s & 7) + " " + m.size());
            Thread.sleep(20);
        }
    }
}
JAVA
	# Its own directory: --dir copies it into the image, and $tmp gets
	# the snapshots and the instances' logs.
	javac -d "$tmp/cls" "$tmp/Warm.java" || exit 1
	MEM=1G
	set -- --dir "$jdk" --dir "$tmp/cls" "$jdk/bin/java" -cp "$tmp/cls" Warm
else
	MEM=256M
	set -- --file "$tmp/warm.py" /usr/bin/python3 "$tmp/warm.py"
fi
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
now_ms() { date +%s%3N; }
# first_line NAME SKIP: waits until the log has more than SKIP lines.
first_line() {
	while [ "$(wc -l <"$SKIFF_RUN_DIR/$1/log" 2>/dev/null || echo 0)" -le "$2" ]; do
		sleep 0.005
	done
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for i in $(seq 1 "$RUNS"); do
	t0=$(now_ms)
	$SKIFF run -d -m $MEM --name "cold$i" "$@" >/dev/null 2>&1
	first_line "cold$i" 0
	echo $(($(now_ms) - t0)) >>"$tmp/cold"
	$SKIFF snapshot "cold$i" "$tmp/s$i" --stop
	size=$(du -k "$tmp/s$i" | cut -f1)
	t0=$(now_ms)
	$SKIFF restore "$tmp/s$i" --name "warm$i" >/dev/null
	first_line "warm$i" 0
	echo $(($(now_ms) - t0)) >>"$tmp/restore"
	$SKIFF rm -f "cold$i" "warm$i" >/dev/null
	rm -f "$tmp/s$i"
done
echo "cold $(median <"$tmp/cold") ms (runs: $(tr '\n' ' ' <"$tmp/cold"))"
echo "restore $(median <"$tmp/restore") ms (runs: $(tr '\n' ' ' <"$tmp/restore"))"
echo "snapshot ${size} KiB (gzip -1, -m $MEM)"
R=build/bench/results
mkdir -p "$R"
{
	echo "cold $(median <"$tmp/cold")"
	echo "restore $(median <"$tmp/restore")"
	echo "snapshot $size"
	echo "memory $MEM"
	echo "runs $RUNS runs, cold $(tr '\n' ' ' <"$tmp/cold" | sed 's/ $//') ms, restored $(tr '\n' ' ' <"$tmp/restore" | sed 's/ $//') ms"
	echo "date $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "load $LOAD0"
} >"$R/restore-${PROG:-python}"
. bench/restore-report.sh
restore_splice docs/performance.md
