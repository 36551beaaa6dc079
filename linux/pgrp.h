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
 * Whether p's process group is orphaned (POSIX): no live member has a
 * parent in another group of the same session, so no shell could
 * continue it once stopped. Takes the tree lock.
 */
bool pgrp_orphaned(struct process *p);

#endif
