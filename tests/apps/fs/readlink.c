/*
 * readlink: readlink and readlinkat through the raw system calls, on
 * /proc/self/exe (an absolute path naming this very file) and on symlinks
 * in the ramfs: truncation to the buffer (no NUL), and the errors.
 * The program's own path differs between the host and the VM: only its
 * properties are printed.
 */
#include <libgen.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static void exe(const char *argv0)
{
	char buf[4096], b2[4096], a0[4096], small[4];
	struct stat st1, st2;
	long n, m;
	int fd;

	memset(buf, 0, sizeof(buf));
	n = SYS(SYS_readlink, "/proc/self/exe", buf, sizeof(buf) - 1);
	yes("readlink(/proc/self/exe) > 0", n > 0);
	yes("  absolute", buf[0] == '/');
	yes("  length is strlen", n == (long)strlen(buf));
	snprintf(a0, sizeof(a0), "%s", argv0);
	yes("  same basename as argv[0]", !strcmp(basename(buf), basename(a0)));
	yes("  names a regular file", stat(buf, &st1) == 0 && S_ISREG(st1.st_mode));
	fd = open("/proc/self/exe", O_RDONLY);
	yes("  open(/proc/self/exe) is the same file", fd >= 0 && fstat(fd, &st2) == 0 &&
	    st1.st_ino == st2.st_ino && st1.st_dev == st2.st_dev);
	if (fd >= 0) {
		char elf[4] = { 0 };

		yes("  starts with \\177ELF", read(fd, elf, 4) == 4 && !memcmp(elf, "\177ELF", 4));
		close(fd);
	}
	memset(b2, 0, sizeof(b2));
	m = SYS(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", b2, sizeof(b2));
	yes("readlinkat(AT_FDCWD, /proc/self/exe) the same", m == n && !strcmp(buf, b2));
	memset(small, 'z', sizeof(small));
	SHOW(SYS(SYS_readlink, "/proc/self/exe", small, sizeof(small)));
	yes("  truncated, no NUL", !memcmp(small, buf, sizeof(small)));
	SHOW(SYS(SYS_readlink, "/proc/self/exe", buf, 0));
	SHOW(SYS(SYS_readlink, "/proc/self/exe", NULL, 100));
}

static void links(void)
{
	char buf[64];
	int dfd;

	SHOW(symlink("target/of/link", "l1"));
	SHOW(symlink("/absolute", "l2"));
	SHOW(symlink("l1", "l3"));
	SHOW(symlink("x", "l1"));
	SHOW(close(open("file", O_CREAT | O_WRONLY, 0644)));
	memset(buf, 0, sizeof(buf));
	SHOW(SYS(SYS_readlink, "l1", buf, sizeof(buf)));
	say("  \"%s\"", buf);
	memset(buf, 0, sizeof(buf));
	SHOW(SYS(SYS_readlink, "l2", buf, sizeof(buf)));
	say("  \"%s\"", buf);
	memset(buf, 0, sizeof(buf));
	SHOW(SYS(SYS_readlink, "l3", buf, sizeof(buf)));
	say("  \"%s\" (one level only)", buf);
	SHOW(SYS(SYS_readlink, "file", buf, sizeof(buf)));
	SHOW(SYS(SYS_readlink, ".", buf, sizeof(buf)));
	SHOW(SYS(SYS_readlink, "missing", buf, sizeof(buf)));
	SHOW(SYS(SYS_readlink, "l1/x", buf, sizeof(buf)));
	SHOW(SYS(SYS_readlink, "", buf, sizeof(buf)));
	SHOW(mkdir("d", 0755));
	SHOW(symlink("../file", "d/up"));
	dfd = open("d", O_RDONLY | O_DIRECTORY);
	memset(buf, 0, sizeof(buf));
	SHOW(SYS(SYS_readlinkat, dfd, "up", buf, sizeof(buf)));
	say("  \"%s\"", buf);
	SHOW(SYS(SYS_readlinkat, dfd, "missing", buf, sizeof(buf)));
	SHOW(SYS(SYS_readlinkat, 99, "up", buf, sizeof(buf)));
	SHOW(access("d/up", F_OK));
	SHOW(SYS(SYS_readlinkat, dfd, "", buf, sizeof(buf)));
	close(dfd);
	SHOW(symlink("loop2", "loop1"));
	SHOW(symlink("loop1", "loop2"));
	SHOW(open("loop1", O_RDONLY));
	SHOW(open("l2", O_RDONLY));
	SHOW(open("l3", O_RDONLY | O_NOFOLLOW));
}

int main(int argc, char **argv)
{
	(void)argc;
	exe(argv[0]);
	scratch_enter("readlink");
	links();
	scratch_leave();
	return 0;
}
