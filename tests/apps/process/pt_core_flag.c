/*
 * pt_core_flag: the core flag of wait statuses (WCOREDUMP, waitid's
 * CLD_DUMPED) as Linux reports it with its default core_pattern ("core"):
 * children die of core-dumping signals (SIGSEGV by a fault, SIGABRT by
 * abort, SIGQUIT, SIGFPE, SIGBUS, SIGSYS from kill) and of SIGTERM (no
 * core) with RLIMIT_CORE 0, 1024 (less than a page: no core), and
 * unlimited, and unlimited but not dumpable (PR_SET_DUMPABLE 0). Linux
 * writes ./core where the flag shows (the scratch directory); Skiff sets
 * the flag without writing a file (docs/linux-compat.md).
 */
/* NEEDS: fork */
#include <sys/prctl.h>
#include <sys/resource.h>
#include "check.h"
#include "pt.h"

enum { KILL_SELF, FAULT, ABORT };

static void die(int how, int sig)
{
	if (how == FAULT)
		*(volatile int *)8 = 1;
	else if (how == ABORT)
		abort();
	else
		kill(getpid(), sig);
	_exit(99);
}

/* A child with RLIMIT_CORE lim (and dumpable or not) dies; its status. */
static void one(const char *what, rlim_t lim, int dumpable, int how, int sig)
{
	pid_t pid = pt_fork();

	if (pid == 0) {
		struct rlimit rl = { lim, RLIM_INFINITY };
		setrlimit(RLIMIT_CORE, &rl);
		if (!dumpable)
			prctl(PR_SET_DUMPABLE, 0);
		die(how, sig);
	}
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	const char *code = si.si_code == CLD_DUMPED ? "CLD_DUMPED" :
			   si.si_code == CLD_KILLED ? "CLD_KILLED" : "other";
	say("%s: %s, waitid %s", what, pt_reap(pid), code);
}

int main(void)
{
	static const struct {
		const char *name;
		rlim_t lim;
		int dumpable;
	} limits[] = {
		{ "core 0", 0, 1 },
		{ "core 1024", 1024, 1 },
		{ "core unlimited", RLIM_INFINITY, 1 },
		{ "core unlimited, not dumpable", RLIM_INFINITY, 0 },
	};
	char what[128];

	scratch_enter("pt_core_flag");
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		const char *n = limits[i].name;
		rlim_t l = limits[i].lim;
		int d = limits[i].dumpable;

		snprintf(what, sizeof(what), "%s, fault", n);
		one(what, l, d, FAULT, 0);
		snprintf(what, sizeof(what), "%s, abort", n);
		one(what, l, d, ABORT, 0);
		static const int sigs[] = { SIGQUIT, SIGFPE, SIGBUS, SIGSYS, SIGTERM };
		for (size_t j = 0; j < sizeof(sigs) / sizeof(sigs[0]); j++) {
			snprintf(what, sizeof(what), "%s, kill %s", n,
				 pt_signame(sigs[j]));
			one(what, l, d, KILL_SELF, sigs[j]);
		}
	}
	scratch_leave();
	return 0;
}
