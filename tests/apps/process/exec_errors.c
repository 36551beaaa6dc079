/*
 * exec_errors: every way execve and execveat fail before the point of no
 * return, each returning its errno with the caller still running: ENOENT,
 * EACCES (no x bit, a directory), ENOEXEC (garbage, empty, a broken ELF,
 * a #! line naming nothing), ENOTDIR, ELOOP, ENAMETOOLONG, EFAULT (path,
 * argv, argv[i], envp), E2BIG (one string too long, all of them too
 * long), EINVAL and EBADF of execveat; for a dynamic build, a copy of
 * itself whose interpreter is missing (ENOENT), not executable (EACCES),
 * a directory (EACCES), too short (EIO) or not an ELF (ELIBBAD). Then an
 * exec that succeeds with a string of the largest length allowed.
 */
/* BUILDS: static pie musl dyn musldyn */
#include <elf.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include "check.h"

#define MAX_ARG_STRLEN (32 * 4096)

static char self[4096];
static char *args[] = { "x", "child", NULL };
static char *env[] = { "A=1", NULL };

static void write_file(const char *name, const char *data, size_t len, int mode)
{
	unlink(name);
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		say("cannot write %s", name);
	close(fd);
}

static void e2big(void)
{
	struct rlimit rl = { 8 << 20, RLIM_INFINITY };
	char *big = malloc(MAX_ARG_STRLEN + 1);
	char *many[40];

	getrlimit(RLIMIT_STACK, &rl);
	rl.rlim_cur = 8 << 20;
	setrlimit(RLIMIT_STACK, &rl);
	memset(big, 'a', MAX_ARG_STRLEN);
	big[MAX_ARG_STRLEN] = '\0';
	char *one[] = { "x", big, NULL };
	SHOW(execve(self, one, env));
	char *oneenv[] = { big, NULL };
	SHOW(execve(self, args, oneenv));
	big[MAX_ARG_STRLEN - 1000] = '\0';
	many[0] = "x";
	for (int i = 1; i < 39; i++)
		many[i] = big; /* 38 x 130 KiB > 2 MiB */
	many[39] = NULL;
	SHOW(execve(self, many, env));
	free(big);
}

static void efault(void)
{
	char *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *badargs[] = { "x", bad, NULL };

	SHOW(execve(bad, args, env));
	SHOW(execve(self, (char **)bad, env));
	SHOW(execve(self, badargs, env));
	SHOW(execve(self, args, (char **)bad));
	SHOW(execve(self, badargs, (char **)bad));
	/* the file is looked at before the arguments */
	SHOW(execve("missing", (char **)bad, env));
}

static void files(void)
{
	static char longname[300], longpath[5000];

	write_file("plain", "#!/bin/sh\n", 10, 0644);
	write_file("garbage", "hello world\n", 12, 0755);
	write_file("empty", "", 0, 0755);
	write_file("badelf", "\177ELF\2\1\1\0garbage", 16, 0755);
	write_file("noname", "#!\n", 3, 0755);
	write_file("spaces", "#!   \t \nxx", 10, 0755);
	write_file("nointerp", "#!/no/such/interpreter -x\n", 26, 0755);
	write_file("script_noexec", "#!plain\n", 8, 0755);
	mkdir("dir", 0755);
	symlink("loop1", "loop2");
	symlink("loop2", "loop1");
	symlink(self, "link");
	SHOW(execve("missing", args, env));
	SHOW(execve("", args, env));
	SHOW(execve("plain", args, env));
	SHOW(execve("dir", args, env));
	SHOW(execve(".", args, env));
	SHOW(execve("garbage", args, env));
	SHOW(execve("empty", args, env));
	SHOW(execve("badelf", args, env));
	SHOW(execve("noname", args, env));
	SHOW(execve("spaces", args, env));
	SHOW(execve("nointerp", args, env));
	SHOW(execve("script_noexec", args, env));
	SHOW(execve("plain/x", args, env));
	SHOW(execve("loop1", args, env));
	memset(longname, 'n', 299);
	SHOW(execve(longname, args, env));
	memset(longpath, 'p', sizeof(longpath) - 1);
	SHOW(execve(longpath, args, env));
	SHOW(syscall(SYS_execveat, AT_FDCWD, "link", args, env, 0x1));
	SHOW(syscall(SYS_execveat, AT_FDCWD, "link", args, env,
		     AT_SYMLINK_NOFOLLOW));
	SHOW(syscall(SYS_execveat, 99, "link", args, env, 0));
	SHOW(syscall(SYS_execveat, 99, "", args, env, AT_EMPTY_PATH));
	SHOW(syscall(SYS_execveat, AT_FDCWD, "", args, env, AT_EMPTY_PATH));
	SHOW(syscall(SYS_execveat, AT_FDCWD, "", args, env, 0));
	int fd = open("plain", O_RDONLY);
	SHOW(syscall(SYS_execveat, fd, "", args, env, AT_EMPTY_PATH));
	SHOW(syscall(SYS_execveat, fd, "x", args, env, 0));
	close(fd);
}

/* A copy of this program, "dynbad", whose PT_INTERP names ./ldbad. */
static int copy_with_bad_interp(void)
{
	int fd = open(self, O_RDONLY);
	off_t size = lseek(fd, 0, SEEK_END);
	char *img = malloc(size);

	pread(fd, img, size, 0);
	close(fd);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + eh->e_phoff);
	int found = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_INTERP)
			continue;
		memset(img + ph[i].p_offset, 0, ph[i].p_filesz);
		strcpy(img + ph[i].p_offset, "./ldbad");
		found = 1;
	}
	if (found)
		write_file("dynbad", img, size, 0755);
	free(img);
	return found;
}

static void interp_errors(void)
{
	static char garbage[200];

	if (!copy_with_bad_interp()) {
		say("no interpreter: nothing to check");
		return;
	}
	memset(garbage, 'g', sizeof(garbage));
	SHOW(execve("dynbad", args, env));
	write_file("ldbad", garbage, sizeof(garbage), 0644);
	SHOW(execve("dynbad", args, env));
	write_file("ldbad", garbage, 23, 0755);
	SHOW(execve("dynbad", args, env));
	write_file("ldbad", garbage, sizeof(garbage), 0755);
	SHOW(execve("dynbad", args, env));
	unlink("ldbad");
	mkdir("ldbad", 0755);
	SHOW(execve("dynbad", args, env));
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "child")) {
		say("child: argc = %d", argc);
		for (int i = 2; i < argc; i++)
			say("argv[%d]: %zu bytes", i, strlen(argv[i]));
		return 0;
	}
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return 1;
	self[n] = '\0';
	files();
	interp_errors();
	efault();
	e2big();
	say("still running");
	/* the longest string allowed: MAX_ARG_STRLEN with its NUL */
	char *big = malloc(MAX_ARG_STRLEN);
	memset(big, 'b', MAX_ARG_STRLEN - 1);
	big[MAX_ARG_STRLEN - 1] = '\0';
	char *ok[] = { "x", "child", big, NULL };
	fflush(stdout);
	execve(self, ok, env);
	say("execve failed: %s", errname(errno));
	return 3;
}
