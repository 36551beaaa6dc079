/*
 * pt_zombie: a child in /proc. While it runs (blocked in read) its
 * /proc/PID/stat says state S, its parent field is this program and its
 * comm is ours; /proc/PID/status agrees (State, PPid); after it exits
 * and before it is reaped it is a zombie: stat state Z, status
 * "Z (zombie)", kill(pid, 0) still succeeds, its /proc/PID directory
 * still exists; once reaped, /proc/PID is gone (ENOENT) and kill is
 * ESRCH. The child appears in a listing of /proc while it exists.
 */
/* NEEDS: fork */
#include "check.h"
#include "pt.h"
#include <dirent.h>

static pid_t child;

/* The state letter of /proc/PID/stat, and its ppid; '?' if unreadable. */
static char stat_state(pid_t pid, int *ppid, char *comm, size_t commlen)
{
	char path[64], buf[512], *close_paren;
	int fd, n;
	char st = '?';

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	close_paren = strrchr(buf, ')');
	if (!close_paren || sscanf(close_paren + 2, "%c %d", &st, ppid) != 2)
		return '?';
	char *open_paren = strchr(buf, '(');

	if (comm && open_paren) {
		size_t l = close_paren - open_paren - 1;

		snprintf(comm, commlen, "%.*s", (int)(l < commlen ? l : commlen - 1), open_paren + 1);
	}
	return st;
}

static void status_line(pid_t pid, const char *key)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f) {
		say("%s: %s", path[0] ? "status" : "", errname(errno));
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key))) {
			line[strcspn(line, "\n")] = 0;
			if (!strcmp(key, "PPid:"))
				say("  status PPid is the parent: %s", atoi(line + 5) == getpid() ? "yes" : "no");
			else
				say("  status %s", line);
		}
	fclose(f);
}

static int listed(pid_t pid)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int found = 0;

	while (d && (de = readdir(d)))
		if (atoi(de->d_name) == pid)
			found = 1;
	if (d)
		closedir(d);
	return found;
}

int main(void)
{
	char mycomm[64] = "", comm[64] = "", path[64];
	int p[2], ppid = 0;

	if (pipe(p))
		return 1;
	stat_state(getpid(), &ppid, mycomm, sizeof(mycomm));
	child = pt_fork();
	if (child == 0) {
		char c;

		close(p[1]);
		read(p[0], &c, 1);
		_exit(3);
	}
	close(p[0]);
	yes("running child reaches state S", WAIT_FOR(stat_state(child, &ppid, comm, sizeof(comm)) == 'S'));
	say("  stat ppid is the parent: %s", ppid == getpid() ? "yes" : "no");
	say("  comm is the parent's: %s", !strcmp(comm, mycomm) ? "yes" : "no");
	status_line(child, "State:");
	status_line(child, "PPid:");
	yes("  listed in /proc", listed(child));

	close(p[1]);	/* the child exits */
	yes("exited child reaches state Z", WAIT_FOR(stat_state(child, &ppid, NULL, 0) == 'Z'));
	status_line(child, "State:");
	SHOW(kill(child, 0));
	snprintf(path, sizeof(path), "/proc/%d", child);
	SHOW(access(path, F_OK));
	yes("  listed in /proc", listed(child));

	say("reaped: %s", pt_reap(child));
	SHOW(access(path, F_OK));
	SHOW(kill(child, 0));
	yes("listed in /proc", listed(child));
	return 0;
}
