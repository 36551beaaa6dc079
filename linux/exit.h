/*
 * The end of threads and processes (linux/exit.c), and what fork and wait
 * share with it. Layer: Linux ABI, private to linux/.
 */
#ifndef LINUX_EXIT_H
#define LINUX_EXIT_H

#include <skiff/process.h>
#include "lproc.h"

/*
 * The calling thread ends with status (exit(2)); the last thread of a
 * process ends the process (pid 1's: the VM). Sleeps; never returns.
 */
void exit_thread(int status) __noreturn;
/* exit_group(2): every thread of the calling process ends. */
void exit_group(int status) __noreturn;
/*
 * sig's default action ends the calling process: pid 1's ends the VM
 * (kernel_fatal_signal, addr and rip reported), another's is killed with
 * every thread (wait status sig).
 */
void exit_fatal_signal(int sig, u64 addr, u64 rip) __noreturn;
/* The smallest tid > after among the program threads of p; 0: none. */
int exit_next_thread(struct process *p, int after);
/* A SIGCHLD siginfo about child pid: code CLD_*, status (exit code or
 * signal), its real uid and CPU time. */
void exit_fill_chld(struct linux_siginfo *i, int pid, u32 uid, u64 cpu_ns,
		    int code, int status);

#endif
