/*
 * skiff/metrics.h: the kernel's counters in Prometheus' text exposition
 * format (version 0.0.4), served by the management API's /metrics and read
 * by `skiff stats`. Layer: kernel services; implemented by kernel/metrics.c,
 * which reads the counters the other subsystems keep.
 */
#ifndef SKIFF_METRICS_H
#define SKIFF_METRICS_H

#include <skiff/types.h>

/*
 * Writes every metric, with its # HELP and # TYPE lines, into buf (at most
 * cap bytes, NUL-terminated when cap > 0). Returns the length the whole
 * text has, which may exceed cap: call again with a larger buffer then.
 * Never sleeps for long; safe from any kernel thread.
 */
size_t metrics_prometheus(char *buf, size_t cap);

#endif
