/*
 * pt_orphan: orphans. The program makes itself a child subreaper
 * (natively, so orphans come back to it as they do in Skiff, where the
 * program is pid 1 and adopts every orphan; prctl's answer is not
 * printed). A middle child forks a grandchild and exits: the grandchild's
 * getppid changes from the middle child to the reaper (this program),
 * which can then wait for it and gets its exit status. A grandchild with
 * PR_SET_PDEATHSIG SIGUSR1 dies of it when the middle child exits.
 * getppid in a plain child is the parent.
 */
/* NEEDS: fork */
#include "check.h"
#include "pt.h"
#include <sys/prctl.h>

static int p[2], go[2], rd[2];	/* reports up, the go, the grandchild ready */

/* The grandchild: waits until the middle child is gone, then reports. */
static void grandchild(pid_t reaper, pid_t midpid)
{
	char msg[128], c;
	int before = getppid() == midpid;

	close(go[1]);
	write(rd[1], "r", 1);	/* the middle child waits for this */
	read(go[0], &c, 1);	/* the middle child is gone (reaped) */
	int moved = WAIT_FOR(getppid() != midpid);

	snprintf(msg, sizeof(msg), "parent was the middle child: %s; reparented: %s; new parent is the reaper: %s",
		 before ? "yes" : "no", moved ? "yes" : "no",
		 getppid() == reaper ? "yes" : "no");
	write(p[1], msg, strlen(msg));
	_exit(9);
}

/* A middle child forks the grandchild, sends its pid up and exits. */
static void reparent(void)
{
	pid_t me = getpid(), mid, grand = 0;
	char r[128] = "", c;

	mid = pt_fork();
	if (mid == 0) {
		pid_t g = pt_fork();

		if (g == 0)
			grandchild(me, getppid());
		read(rd[0], &c, 1);
		write(p[1], &g, sizeof(g));
		_exit(0);
	}
	read(p[0], &grand, sizeof(grand));
	say("middle child: %s", pt_reap(mid));
	write(go[1], "g", 1);
	ssize_t n = read(p[0], r, sizeof(r) - 1);

	r[n > 0 ? n : 0] = 0;
	say("grandchild: %s", r);
	say("reaper waits for the grandchild: %s", pt_reap(grand));
}

/* A grandchild with PR_SET_PDEATHSIG dies when the middle child exits. */
static void pdeathsig(void)
{
	pid_t mid, grand = 0;
	char c;

	mid = pt_fork();
	if (mid == 0) {
		pid_t g = pt_fork();

		if (g == 0) {
			prctl(PR_SET_PDEATHSIG, SIGUSR1);
			write(p[1], "r", 1);
			for (;;)
				pause();
		}
		read(p[0], &c, 1);	/* the grandchild is ready */
		write(p[1], &g, sizeof(g));
		_exit(0);
	}
	say("middle child: %s", pt_reap(mid));
	read(p[0], &grand, sizeof(grand));
	say("grandchild with PR_SET_PDEATHSIG SIGUSR1: %s", pt_reap(grand));
}

int main(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (pipe(p) || pipe(go) || pipe(rd))
		return 1;
	reparent();
	pdeathsig();
	SHOW(wait(NULL));
	return 0;
}
