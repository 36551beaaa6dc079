/*
 * proc_self: /proc/self as glibc, Python and runtimes read it:
 * /proc/self is a link to the pid; exe links to the program (an ELF file
 * whose name is argv[0]'s); cmdline and environ hold argv and the
 * environment, NUL-separated; fd lists the open descriptors and fd/N
 * links to an opened file's path, "pipe:[" for a pipe; cwd links to the
 * working directory; comm is the program name.
 */
/* ARGS: one "two words" '' */
/* ENV: PROC_SELF_TEST=yes */
#include <dirent.h>
#include <libgen.h>
#include "check.h"

extern char **environ;

static long slurp(const char *path, char *buf, long size)
{
	int fd = open(path, O_RDONLY);
	long n = 0, r;

	if (fd < 0)
		return -errno;
	while (n < size && (r = read(fd, buf + n, size - n)) > 0)
		n += r;
	close(fd);
	return n;
}

static long joined(char **v, char *buf)
{
	long n = 0;

	for (; *v; v++) {
		strcpy(buf + n, *v);
		n += strlen(*v) + 1;
	}
	return n;
}

int main(int argc, char **argv)
{
	static char buf[65536], want[65536], link[4096];
	char num[32], *a0;
	long n, w;
	int fd, p[2], seen[4] = { 0 }, others = 0;
	ssize_t l;
	struct dirent *de;
	DIR *d;

	(void)argc;
	l = readlink("/proc/self", link, sizeof(link) - 1);
	link[l > 0 ? l : 0] = 0;
	snprintf(num, sizeof(num), "%d", getpid());
	yes("/proc/self links to the pid", strcmp(link, num) == 0);

	l = readlink("/proc/self/exe", link, sizeof(link) - 1);
	link[l > 0 ? l : 0] = 0;
	a0 = strdup(argv[0]);
	yes("/proc/self/exe is an absolute path", link[0] == '/');
	yes("  its name is argv[0]'s", strcmp(basename(link), basename(a0)) == 0);
	n = slurp("/proc/self/exe", buf, 4);
	yes("  it opens and starts with \\177ELF", n == 4 && memcmp(buf, "\177ELF", 4) == 0);

	n = slurp("/proc/self/cmdline", buf, sizeof(buf));
	w = joined(argv, want);
	yes("cmdline is argv, NUL-separated", n == w && memcmp(buf, want, n) == 0);
	say("  argc %d, cmdline %ld bytes after argv[0]", argc, n - (long)strlen(argv[0]) - 1);
	n = slurp("/proc/self/environ", buf, sizeof(buf));
	w = joined(environ, want);
	yes("environ is the environment, NUL-separated", n == w && memcmp(buf, want, n) == 0);

	scratch_enter("proc_self");
	fd = open("file", O_RDWR | O_CREAT, 0644);
	if (pipe(p))
		return 1;
	snprintf(num, sizeof(num), "/proc/self/fd/%d", fd);
	l = readlink(num, link, sizeof(link) - 1);
	link[l > 0 ? l : 0] = 0;
	say("fd/N of an opened file: %s", link);
	snprintf(num, sizeof(num), "/proc/self/fd/%d", p[0]);
	l = readlink(num, link, sizeof(link) - 1);
	link[l > 0 ? l : 0] = 0;
	yes("fd/N of a pipe starts with pipe:[", strncmp(link, "pipe:[", 6) == 0);
	d = opendir("/proc/self/fd");
	while (d && (de = readdir(d))) {
		int v;

		if (de->d_name[0] == '.')
			continue;
		v = atoi(de->d_name);
		if (v == fd)
			seen[0] = 1;
		else if (v == p[0])
			seen[1] = 1;
		else if (v == p[1])
			seen[2] = 1;
		else if (v <= 2)
			seen[3]++;
		else
			others++;
	}
	/* others: the directory's own descriptor, and whatever the host inherited */
	say("fd directory: the file %d, pipe ends %d %d, stdio %d, others >= 1: %s", seen[0],
	    seen[1], seen[2], seen[3], others >= 1 ? "yes" : "no");
	if (d)
		closedir(d);
	l = readlink("/proc/self/cwd", link, sizeof(link) - 1);
	link[l > 0 ? l : 0] = 0;
	say("cwd: %s", link);
	scratch_leave();
	n = slurp("/proc/self/comm", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	strncpy(want, basename(a0), 15);
	want[15] = 0;
	strcat(want, "\n");
	yes("comm is the first 15 bytes of the program's name", strcmp(buf, want) == 0);
	return 0;
}
