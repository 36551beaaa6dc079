#!/bin/sh
# tests/metrics/run.sh: the kernel's metrics (the "metrics" part of
# tests/run.sh), read inside Skiff from /proc/skiff/metrics by
# tests/metrics/metrics_prog.c, which checks that each counter moves with
# what the program does: getppid's count by exactly its 1000 calls, free
# memory and page faults after touching 16 MiB, lo's bytes and packets
# after UDP datagrams, disk writes after writing 1 MiB to a volume and
# fsync, threads, open fds, voluntary context switches, CPU time. Then
# the whole text is checked against Prometheus' exposition format 0.0.4:
# by tests/metrics/expfmt.py, and by promtool (Debian's prometheus
# package) when installed (skipped, not passed, otherwise). Ends with
# "metrics: N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
SKIFF=$(pwd)/build/skiff
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PATH=$PATH:/sbin:/usr/sbin

sk() {
	timeout 120 "$SKIFF" run --net none --accel "${APPS_ACCEL:-tcg}" "$@"
}

gcc -O -Wall -static -pthread -o "$T/prog" tests/metrics/metrics_prog.c ||
	{ fail build gcc; summary metrics; exit 1; }
if ! command -v mke2fs >/dev/null; then
	skip counters "no mke2fs (e2fsprogs) for the volume"
else
	mke2fs -q -F -t ext2 "$T/vol.img" 32M >/dev/null
	sk -v "$T/vol.img:/data" "$T/prog" /data >"$T/out" 2>"$T/err"
	rc=$?
	grep '^ok ' "$T/out" | sed 's/^ok //' >"$T/ok"
	while read -r line; do pass "$line"; done <"$T/ok"
	grep '^FAIL ' "$T/out" | sed 's/^FAIL //' >"$T/bad"
	while read -r line; do fail "$line"; done <"$T/bad"
	[ $rc = 0 ] || [ -s "$T/bad" ] ||
		fail counters "exit $rc: $(tail -n 3 "$T/err" | tr '\n' ' ')"
fi

# The format: with a volume (disk samples) and a network device.
mke2fs -q -F -t ext2 "$T/vol2.img" 8M >/dev/null 2>&1
timeout 120 "$SKIFF" run --accel "${APPS_ACCEL:-tcg}" -v "$T/vol2.img:/data" \
	"$T/prog" dump >"$T/dump" 2>"$T/err"
if ! grep -q '^skiff_syscalls_total{name="openat"} ' "$T/dump"; then
	fail format "no metrics read: $(tail -n 3 "$T/err" | tr '\n' ' ')"
elif python3 tests/metrics/expfmt.py "$T/dump" >"$T/fmt"; then
	pass "format: expfmt.py finds the text well formed"
else
	fail format "expfmt.py: $(head -n 3 "$T/fmt" | tr '\n' ' ')"
fi
for m in skiff_cpu_seconds_total skiff_thread_cpu_seconds_total \
	skiff_memory_page_cache_bytes skiff_memory_heap_bytes \
	skiff_network_receive_bytes_total skiff_disk_written_bytes_total; do
	grep -q "^$m[{ ]" "$T/dump" || fail "format: $m" "no sample"
done
grep -q '^skiff_network_receive_bytes_total{interface="eth0"} ' "$T/dump" &&
	grep -q '^skiff_disk_written_bytes_total{device="vda"} ' "$T/dump" &&
	pass "format: eth0 and vda have their samples"
# The checker itself: a bad label quote, a sample before its TYPE, a
# counter not named *_total, a series twice: each must be reported.
printf 'x_total 1\n# TYPE x_total counter\n# TYPE y counter\ny 1\nz{a="1} 2\n# TYPE w gauge\nw 1\nw 2\n' |
	python3 tests/metrics/expfmt.py >"$T/neg"
if [ "$(wc -l <"$T/neg")" -ge 5 ]; then
	pass "format: expfmt.py rejects broken texts"
else
	fail expfmt "missed problems: $(tr '\n' ' ' <"$T/neg")"
fi
if command -v promtool >/dev/null; then
	if promtool check metrics <"$T/dump" >"$T/prom" 2>&1; then
		pass "format: promtool check metrics finds nothing"
	else
		fail promtool "$(head -n 3 "$T/prom" | tr '\n' ' ')"
	fi
else
	skip promtool "not installed (Debian: apt-get install prometheus)"
fi
summary metrics
