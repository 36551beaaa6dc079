/*
 * proc_status: /proc/self/status and /proc/self/stat: the name, state,
 * pid and parent pid (as getppid says), the ids (root in both runs), the
 * thread count before and during a second thread, the blocked and caught
 * signal masks, VmRSS present; in stat the pid, "(comm)", state R, ppid
 * and thread count fields.
 */
#include <pthread.h>
#include <signal.h>
#include "check.h"

static volatile int quit;

static void handler(int sig)
{
	(void)sig;
}

static void *idle(void *arg)
{
	while (!quit)
		sleep_ms(1);
	return arg;
}

/* The value of "Key:" in /proc/self/status, whitespace squeezed. */
static const char *field(const char *key)
{
	static char val[256];
	char line[512];
	size_t k = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	strcpy(val, "(missing)");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, k) == 0 && line[k] == ':') {
			char *s = line + k + 1, *o = val;

			while (*s == ' ' || *s == '\t')
				s++;
			for (; *s && *s != '\n'; s++)
				if (!((*s == ' ' || *s == '\t') && (o > val && o[-1] == ' ')))
					*o++ = (*s == '\t') ? ' ' : *s;
			*o = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	return val;
}

static void stat_fields(const char *when)
{
	char buf[1024], comm[64], state;
	int pid, ppid;
	long threads = -1;
	FILE *f = fopen("/proc/self/stat", "r");
	char *rp;

	if (!f || !fgets(buf, sizeof(buf), f)) {
		say("%s: /proc/self/stat unreadable", when);
		return;
	}
	fclose(f);
	rp = strrchr(buf, ')');
	if (sscanf(buf, "%d (%63[^)]", &pid, comm) != 2 || !rp ||
	    sscanf(rp + 2, "%c %d", &state, &ppid) != 2) {
		say("%s: /proc/self/stat malformed", when);
		return;
	}
	/* field 20 is num_threads; rp + 2 starts at field 3 */
	char *s = rp + 2;
	for (int i = 3; i < 20 && s; i++)
		s = strchr(s + 1, ' ');
	if (s)
		threads = atol(s + 1);
	say("%s: stat pid is ours %d, comm is status's Name %d, state %c, ppid is getppid's %d, "
	    "threads %ld",
	    when, pid == getpid(), strcmp(comm, field("Name")) == 0, state, ppid == getppid(),
	    threads);
}

int main(void)
{
	pthread_t t;
	sigset_t s;
	char pid[32];

	snprintf(pid, sizeof(pid), "%d", getpid());
	yes("Name: present", strcmp(field("Name"), "(missing)") != 0);
	say("State: %.1s", field("State"));
	yes("Pid: is ours", strcmp(field("Pid"), pid) == 0);
	yes("Tgid: is ours", strcmp(field("Tgid"), pid) == 0);
	snprintf(pid, sizeof(pid), "%d", getppid());
	yes("PPid: is getppid's", strcmp(field("PPid"), pid) == 0);
	say("Uid: %s", field("Uid"));
	say("Gid: %s", field("Gid"));
	say("Threads: %s", field("Threads"));
	yes("VmRSS: present", strcmp(field("VmRSS"), "(missing)") != 0);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGTERM);
	sigprocmask(SIG_SETMASK, &s, NULL);
	signal(SIGUSR2, handler);
	say("SigBlk: %s", field("SigBlk"));
	yes("SigCgt: has SIGUSR2", strtoull(field("SigCgt"), NULL, 16) & (1ULL << (SIGUSR2 - 1)));
	stat_fields("one thread");
	pthread_create(&t, NULL, idle, NULL);
	say("with a second thread, Threads: %s", field("Threads"));
	stat_fields("two threads");
	quit = 1;
	pthread_join(t, NULL);
	return 0;
}
