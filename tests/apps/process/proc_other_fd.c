/*
 * proc_other_fd: /proc/PID/fd, fdinfo, stat and status of ANOTHER
 * process. A child holds a file at fd 17 (written, offset 3), the same
 * file close-on-exec at fd 18 and a pipe at fds 19 and 20, then waits; its
 * parent lists /proc/CHILD/fd and fdinfo, reads each link (the file by
 * the end of its path, a pipe by its kind), the links' modes, the pos and
 * flags lines of fdinfo, reads the file through /proc/CHILD/fd/17, and the
 * same through /proc/CHILD/task/CHILD/fd. Then the child's minor faults
 * (stat field 10) and VmExe (status), which the child shares with its
 * parent's program: both non-zero, VmExe the parent's own.
 */
/* NEEDS: fork */
#include <dirent.h>
#include "check.h"
#include "pt.h"

/* The numbered entries of dir, in order, on one line. */
static void list(const char *dir)
{
	char line[256] = "";
	int fds[64], n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		say("%s: %s", strrchr(dir, '/') + 1, errname(errno));
		return;
	}
	while ((e = readdir(d)) && n < 64)
		if (e->d_name[0] != '.' && atoi(e->d_name) < 100)
			fds[n++] = atoi(e->d_name); /* not the harness's own */
	closedir(d);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (fds[j] < fds[i]) {
				int t = fds[i];
				fds[i] = fds[j];
				fds[j] = t;
			}
	for (int i = 0; i < n; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), " %d",
			 fds[i]);
	say("%s:%s", strrchr(dir, '/') + 1, line);
}

/* The link of fd as a kind: the file's name, "pipe", or what it is. */
static void link_of(const char *base, int fd)
{
	char path[128], to[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%d", base, fd);
	ssize_t n = readlink(path, to, sizeof(to) - 1);
	if (n < 0) {
		say("fd %d: readlink %s", fd, errname(errno));
		return;
	}
	to[n] = 0;
	const char *slash = strrchr(to, '/');
	lstat(path, &st);
	say("fd %d: %s mode %o", fd, !strncmp(to, "pipe:[", 6) ? "pipe" :
	    slash ? slash + 1 : to, (unsigned)(st.st_mode & 0777));
}

/* The pos and flags lines of fdinfo/fd. */
static void fdinfo(const char *base, int fd)
{
	char path[128], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d", base, fd);
	if (!(f = fopen(path, "r"))) {
		say("fdinfo %d: %s", fd, errname(errno));
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "pos:", 4) || !strncmp(line, "flags:", 6))
			printf("fdinfo %d: %s", fd, line);
	fclose(f);
}

/* Field 10 of /proc/PID/stat (minflt). */
static unsigned long minflt(int pid)
{
	char path[64], buf[1024];
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!(f = fopen(path, "r")) || !fgets(buf, sizeof(buf), f))
		return 0;
	fclose(f);
	char *p = strrchr(buf, ')');
	if (p)
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %lu", &v);
	return v;
}

/* The number after "key:" in /proc/PID/status. */
static long status_kb(const char *pid, const char *key)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = atol(line + strlen(key) + 1);
	fclose(f);
	return v;
}

int main(void)
{
	int go[2], ready[2], p[2];
	char base[64], pid_s[16], c, buf[16] = "";

	scratch_enter("proc_other_fd");
	pipe(go);
	pipe(ready);
	pid_t pid = pt_fork();
	if (pid == 0) {
		int fd = open("held-file", O_RDWR | O_CREAT, 0644);
		write(fd, "hello", 5);
		lseek(fd, 3, SEEK_SET);
		dup2(fd, 17);
		dup3(fd, 18, O_CLOEXEC);
		pipe(p);
		dup2(p[0], 19);
		dup2(p[1], 20);
		dup2(go[0], 15);
		dup2(ready[1], 16);
		for (int i = 3; i < 15; i++)
			close(i);
		write(16, "r", 1);
		read(15, &c, 1);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	read(ready[0], &c, 1);
	snprintf(base, sizeof(base), "/proc/%d/fd", pid);
	list(base);
	for (int fd = 15; fd <= 20; fd++)
		link_of(base, fd);
	snprintf(base, sizeof(base), "/proc/%d/fdinfo", pid);
	list(base);
	fdinfo(base, 17);
	fdinfo(base, 18);
	fdinfo(base, 20);
	snprintf(base, sizeof(base), "/proc/%d/fd/17", pid);
	int fd = open(base, O_RDONLY);
	SHOW(fd >= 0);
	SHOW(pread(fd, buf, sizeof(buf) - 1, 0));
	say("through the link: %s", buf);
	close(fd);
	snprintf(base, sizeof(base), "/proc/%d/task/%d/fd", pid, pid);
	list(base);
	link_of(base, 17);
	snprintf(base, sizeof(base), "/proc/%d/fd/4", pid);
	SHOW(access(base, F_OK));
	yes("child's minflt > 0", minflt(pid) > 0);
	snprintf(pid_s, sizeof(pid_s), "%d", pid);
	long exe = status_kb(pid_s, "VmExe");
	yes("child's VmExe > 0", exe > 0);
	yes("child's VmExe is the parent's", exe == status_kb("self", "VmExe"));
	write(go[1], "g", 1);
	say("child %s", pt_reap(pid));
	scratch_leave();
	return 0;
}
