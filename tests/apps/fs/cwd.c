/*
 * cwd: getcwd, chdir and fchdir through the raw system calls: relative
 * paths follow the working directory, "..", symlinked directories, buffer
 * sizes (ERANGE), a removed working directory, and the errors.
 */
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static void pwd(void)
{
	char buf[256];
	long r = SYS(SYS_getcwd, buf, sizeof(buf));

	if (r < 0)
		say("getcwd = -1 %s", errname(errno));
	else
		say("getcwd = %ld \"%s\"", r, buf);
}

int main(void)
{
	char small[8];
	int fd;

	scratch_enter("cwd");
	pwd();
	SHOW(mkdir("a", 0755));
	SHOW(mkdir("a/b", 0755));
	SHOW(SYS(SYS_chdir, "a/b"));
	pwd();
	SHOW(close(open("here", O_CREAT | O_WRONLY, 0644)));
	SHOW(access("/tmp/skiff-test-cwd/a/b/here", F_OK));
	SHOW(SYS(SYS_chdir, ".."));
	pwd();
	SHOW(access("b/here", F_OK));
	SHOW(SYS(SYS_chdir, "/"));
	pwd();
	SHOW(SYS(SYS_chdir, ".."));
	pwd();
	SHOW(SYS(SYS_chdir, "/tmp/skiff-test-cwd/a/./b/../b"));
	pwd();
	SHOW(SYS(SYS_chdir, "missing"));
	SHOW(SYS(SYS_chdir, "here"));
	SHOW(SYS(SYS_chdir, ""));
	SHOW(SYS(SYS_chdir, NULL));
	pwd();
	SHOW(SYS(SYS_getcwd, small, sizeof(small)));
	SHOW(SYS(SYS_getcwd, small, 0));
	SHOW(SYS(SYS_getcwd, NULL, 256));
	SHOW(SYS(SYS_getcwd, (void *)16, 256));

	fd = open("/tmp/skiff-test-cwd/a", O_RDONLY | O_DIRECTORY);
	SHOW(SYS(SYS_chdir, "/"));
	SHOW(SYS(SYS_fchdir, fd));
	pwd();
	close(fd);
	fd = open("b/here", O_RDONLY);
	SHOW(SYS(SYS_fchdir, fd));
	close(fd);
	SHOW(SYS(SYS_fchdir, 99));

	SHOW(symlink("a/b", "/tmp/skiff-test-cwd/ln"));
	SHOW(SYS(SYS_chdir, "/tmp/skiff-test-cwd/ln"));
	pwd();
	SHOW(access("here", F_OK));

	SHOW(mkdir("/tmp/skiff-test-cwd/gone", 0755));
	SHOW(SYS(SYS_chdir, "/tmp/skiff-test-cwd/gone"));
	SHOW(SYS(SYS_rmdir, "/tmp/skiff-test-cwd/gone"));
	pwd();
	SHOW(SYS(SYS_open, "new", O_CREAT | O_WRONLY, 0644));
	SHOW(SYS(SYS_chdir, ".."));
	pwd();
	scratch_leave();
	return 0;
}
