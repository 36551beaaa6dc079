/*
 * Process groups and kill's targets (linux/pgrp.c). Layer: Linux ABI,
 * private to linux/.
 */
#ifndef LINUX_PGRP_H
#define LINUX_PGRP_H

#include <skiff/process.h>
#include "abi.h"

/* Processes signalled per pass of pgrp_kill (a batch of references). */
#define PGRP_BATCH 32

/*
 * kill(2)'s targets: pid > 0 that process (a zombie is found but not
 * signalled), 0 the caller's process group, -1 every process but pid 1
 * and the caller, < -1 the group -pid. Sends sig (0: only the check) with
 * info to each live one. 0, or -ESRCH when none is found. May be called
 * with no lock held; never sleeps.
 */
long pgrp_kill(int pid, int sig, const struct linux_siginfo *info);

/*
 * linux/jobctl.c: the kernel's own job-control signals.
 * jobctl_tty_check: the console's job hook (skiff/console.h) for the
 * calling background process touching the terminal with sig (SIGTTIN,
 * SIGTTOU): 0, -EINTR (sig sent to its group) or -EIO.
 * jobctl_exit_groups: before process p ends (its children still its), the
 * groups its end may orphan, into groups[JOBCTL_MAX_GROUPS]; their count.
 * jobctl_exited: after (p a zombie, its children adopted): SIGHUP and
 * SIGCONT to each of those orphaned with a stopped member; SIGHUP to the
 * terminal's foreground group when p led the terminal's session.
 * jobctl_orphaned: whether the caller's group is orphaned (its SIGTSTP,
 * SIGTTIN and SIGTTOU are discarded). Tree lock not held.
 * jobctl_init: registers the hook at boot.
 */
#define JOBCTL_MAX_GROUPS 16
long jobctl_tty_check(int sig);
int jobctl_exit_groups(struct process *p, int *groups);
void jobctl_exited(struct process *p, const int *groups, int n);
bool jobctl_orphaned(void);
void jobctl_init(void);

#endif
