/*
 * skiff/metrics.h: the kernel's counters in Prometheus' text exposition
 * format (version 0.0.4), served by the management API's /metrics, by
 * /proc/skiff/metrics and read by `skiff stats`. Layer: kernel services;
 * implemented by kernel/metrics.c, which reads the counters the other
 * subsystems keep (their calls are declared with each subsystem, but for
 * the syscall table's, below). docs/metrics.md lists every metric.
 */
#ifndef SKIFF_METRICS_H
#define SKIFF_METRICS_H

#include <skiff/types.h>

/*
 * Writes every metric, with its # HELP and # TYPE lines, into buf (at most
 * cap bytes, NUL-terminated when cap > 0). Returns the length the whole
 * text has, which may exceed cap: call again with a larger buffer then.
 * Takes short locks (the thread list, the process tree, the network lock,
 * a mutex, and each fd table's): call it from a thread, not an interrupt
 * handler, and NOT with the network lock held (from inside an lwIP
 * callback): build the text before or after, outside net_lock.
 */
size_t metrics_prometheus(char *buf, size_t cap);
/*
 * The same text in a kmalloc'd buffer (NUL-terminated) the caller frees,
 * its length in *len; NULL without memory. Same context.
 */
char *metrics_text(size_t *len);

/*
 * linux/table.c: calls of syscall number nr since boot (0 past the table;
 * a plain increment per call, so concurrent calls of one number on
 * several CPUs may rarely lose one), the end of the numbers, their names.
 */
u64 syscall_count(unsigned long nr);
unsigned long syscall_nr_end(void);
const char *syscall_name(unsigned long nr);

#endif
