/*
 * exec_fd: execveat of this program by descriptor and relative to one:
 * AT_EMPTY_PATH on an O_PATH fd, then on an O_RDONLY fd (fexecve), then a
 * path relative to a directory fd. Each new image shows its argv,
 * AT_EXECFN (the path execveat made: /dev/fd/N or /dev/fd/N/NAME) and
 * comm. The steps chain through argv[1].
 */
#include <libgen.h>
#include <sys/auxv.h>
#include "check.h"

static void show(const char *step)
{
	char comm[32] = "";
	int fd = open("/proc/self/comm", O_RDONLY);
	ssize_t n = read(fd, comm, sizeof(comm) - 1);
	const char *fn = (const char *)getauxval(AT_EXECFN);
	int dfd = -1;

	close(fd);
	comm[n > 0 ? n - 1 : 0] = '\0';
	say("step %s: comm = %s", step, comm);
	if (fn && sscanf(fn, "/dev/fd/%d", &dfd) == 1)
		say("AT_EXECFN = /dev/fd/N%s", strchr(fn + 8, '/') ? strchr(fn + 8, '/') : "");
	else
		say("AT_EXECFN = %s", fn ? "a path" : "none");
}

int main(int argc, char **argv)
{
	char self[4096], dir[4096];
	const char *step = argc > 1 ? argv[1] : "0";
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return 1;
	self[n] = '\0';
	show(step);
	fflush(stdout);
	if (!strcmp(step, "0")) {
		int fd = open(self, O_PATH);
		syscall(SYS_execveat, fd, "", (char *[]){ "a", "1", NULL },
			(char *[]){ NULL }, AT_EMPTY_PATH);
		say("O_PATH: %s", errname(errno));
	} else if (!strcmp(step, "1")) {
		int fd = open(self, O_RDONLY);
		fexecve(fd, (char *[]){ "b", "2", NULL }, (char *[]){ NULL });
		say("fexecve: %s", errname(errno));
	} else if (!strcmp(step, "2")) {
		strcpy(dir, self);
		int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY);
		strcpy(dir, self);
		syscall(SYS_execveat, dfd, basename(dir), (char *[]){ "c", "3", NULL },
			(char *[]){ NULL }, 0);
		say("dirfd: %s", errname(errno));
	}
	return 0;
}
