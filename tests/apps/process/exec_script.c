/*
 * exec_script: `#!` scripts as Linux runs them. The interpreter (this
 * program) gets its own name, the one optional argument (inner spaces
 * kept, outer ones dropped), the script's path as it was given, then
 * argv[1..]; argv[0] is gone. Scripts may run scripts: five deep works,
 * six are ELOOP. Run through execveat with a dirfd, the script's path is
 * /dev/fd/N/NAME; through a close-on-exec fd and AT_EMPTY_PATH, ENOENT.
 * The steps chain through the STEP variable: each is a fresh exec.
 */
#include "check.h"

extern char **environ;

static char self[4096];

static void write_script(const char *name, const char *line)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0755);

	dprintf(fd, "%s\necho not run\n", line);
	close(fd);
}

static void setup(void)
{
	char line[4200];

	/* a chain: s0 runs this program, s1 runs s0, ..., s6 runs s5 */
	snprintf(line, sizeof(line), "#!%s --deep", self);
	write_script("s0", line);
	for (int i = 1; i <= 6; i++) {
		char name[8], prev[16];
		snprintf(name, sizeof(name), "s%d", i);
		snprintf(prev, sizeof(prev), "#!./s%d", i - 1);
		write_script(name, prev);
	}
	snprintf(line, sizeof(line), "#! \t%s   --arg  with  spaces \t ", self);
	write_script("spaced", line);
}

static void show_args(int argc, char **argv)
{
	say("argc = %d", argc);
	for (int i = 0; i < argc; i++)
		say("argv[%d] = [%s]", i, !strcmp(argv[i], self) ? "SELF" :
		    environ[1] && !strcmp(argv[i], environ[1]) ? "/dev/fd/DIR/spaced" :
		    argv[i]);
}

int main(int argc, char **argv)
{
	const char *step = getenv("STEP");
	char *a[] = { "argv0", "one", "two words", NULL };

	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return 1;
	self[n] = '\0';
	if (!step) {
		setup();
		SHOW(execve("s6", a, (char *[]){ NULL }));
		SHOW(execve("s5", a, (char *[]){ NULL }));
		int fd = open("s0", O_RDONLY | O_CLOEXEC);
		SHOW(syscall(SYS_execveat, fd, "", a, (char *[]){ NULL }, AT_EMPTY_PATH));
		close(fd);
		fflush(stdout);
		execve("s4", a, (char *[]){ "STEP=1", NULL });
		say("s4: %s", errname(errno));
		return 3;
	}
	say("step %s", step);
	show_args(argc, argv);
	char exe[4096] = "", comm[32] = "";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	yes("/proc/self/exe is the interpreter (argv[0])", n > 0 && !strcmp(exe, argv[0]));
	int cfd = open("/proc/self/comm", O_RDONLY);
	n = read(cfd, comm, sizeof(comm) - 1);
	close(cfd);
	say("comm = %.*s", (int)(n > 0 ? n - 1 : 0), comm);
	fflush(stdout);
	if (!strcmp(step, "1")) {
		int dir = open(".", O_RDONLY | O_DIRECTORY);
		char path[32];
		snprintf(path, sizeof(path), "/dev/fd/%d/spaced", dir);
		syscall(SYS_execveat, dir, "spaced", a, (char *[]){ "STEP=2", path, NULL }, 0);
		say("spaced: %s", errname(errno));
		return 4;
	}
	return 0;
}
