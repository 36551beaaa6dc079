/*
 * proc_other: what /proc shows of another process. A child moves to a
 * directory of its own and maps a 5-page anonymous area and a file;
 * its parent reads /proc/CHILD/cwd (the child's directory, not its own),
 * finds the file's line and a 20 KiB area in /proc/CHILD/maps, and sees
 * VmRSS in /proc/CHILD/status. Once the child is a zombie, its maps are
 * empty and its cwd cannot be read (ENOENT), as on Linux.
 */
/* NEEDS: fork */
#include <sys/mman.h>
#include <sys/wait.h>
#include "check.h"

static int count_lines(const char *path, const char *needle, const char *size)
{
	char line[512];
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		if (needle && strstr(line, needle))
			n++;
		if (size && sscanf(line, "%lx-%lx", &a, &b) == 2 &&
		    b - a == strtoul(size, NULL, 0))
			n++;
	}
	fclose(f);
	return n;
}

int main(void)
{
	int go[2], ready[2];
	char path[64], link[512] = "", dir[300], c;

	scratch_enter("proc_other");
	snprintf(dir, sizeof(dir), "%s/child", scratch_path);
	mkdir(dir, 0755);
	int fd = open("mapped-file", O_RDWR | O_CREAT, 0644);
	ftruncate(fd, 8192);
	pipe(go);
	pipe(ready);
	pid_t pid = fork();
	if (pid == 0) {
		chdir(dir);
		void *a = mmap(NULL, 5 * 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		memset(a, 1, 5 * 4096);
		mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
		write(ready[1], "r", 1);
		read(go[0], &c, 1);
		_exit(0);
	}
	read(ready[0], &c, 1);
	snprintf(path, sizeof(path), "/proc/%d/cwd", pid);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	yes("child's cwd is its own directory", n > 0 && !strcmp(link, dir));
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	say("maps lines naming the file: %d", count_lines(path, "mapped-file", NULL));
	yes("a 20 KiB area in the child's maps", count_lines(path, NULL, "20480") >= 1);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	yes("VmRSS in the child's status", count_lines(path, "VmRSS:", NULL) == 1);
	write(go[1], "g", 1);
	siginfo_t si;
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	say("zombie's maps lines: %d", count_lines(path, "", NULL));
	snprintf(path, sizeof(path), "/proc/%d/cwd", pid);
	SHOW(readlink(path, link, sizeof(link) - 1));
	waitpid(pid, NULL, 0);
	return 0;
}
