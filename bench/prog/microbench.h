/*
 * microbench.h: what the two source files of the benchmark program share
 * (bench/prog/microbench.c, the driver and the plain microbenchmarks;
 * bench/prog/scaling.c, the scaling measurements).
 *
 * Layer: bench/, an ordinary Linux x86_64 program, not part of Skiff.
 */
#ifndef MICROBENCH_H
#define MICROBENCH_H

#include <stdint.h>

/* 4, or 1 with --quick: iterations and repetitions grow with it. */
extern unsigned long scale;

/* Writes one formatted line with a single write(2). */
void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Nanoseconds from RDTSC (--tsc-khz) or CLOCK_MONOTONIC. */
uint64_t now_ns(void);

/* Runs fn(iters) once to warm up, then 5 times; prints "name median",
 * the median of elapsed / per in ns, divided by div (microbench.c). */
void measure(const char *name, void (*fn)(unsigned long), unsigned long iters,
	     double per, double div);

/* The process modes (procbench.c): `proc` and `true`, the program
 * vfork_exec_wait_us execs; proc_self is argv[0], set by main. */
extern const char *proc_self;
void bench_proc(void);
void proc_true(void);

/* The scaling modes (scaling.c). Each prints "name value" lines, and
 * "missing name reason..." for a figure it could not measure. */
void scaling_areas(void);
void scaling_epoll(void);
void scaling_sleepers(void);

#endif
