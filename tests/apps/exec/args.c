/*
 * args: argv, the environment and the auxiliary vector as the program sees
 * them at entry. The harness gives both runs the same arguments and the same
 * environment (skiff's defaults plus FOO and EMPTY).
 */
/* ARGS: one "two words" '' --flag=x 'tab	in' */
/* ENV: FOO=bar EMPTY= */
#include <sys/auxv.h>
#include "check.h"

extern char **environ;

int main(int argc, char **argv, char **envp)
{
	int i, n;

	say("argc = %d", argc);
	yes("argv[0] non-empty", argv[0] && argv[0][0]);
	for (i = 1; i < argc; i++)
		say("argv[%d] = \"%s\" (%zu bytes)", i, argv[i], strlen(argv[i]));
	yes("argv[argc] is NULL", argv[argc] == NULL);
	yes("envp follows argv", envp == argv + argc + 1);
	yes("environ == envp", environ == envp);
	for (n = 0; envp[n]; n++)
		say("env[%d] = %s", n, envp[n]);
	say("getenv(FOO) = %s", getenv("FOO") ? getenv("FOO") : "(null)");
	say("getenv(EMPTY) = \"%s\"", getenv("EMPTY") ? getenv("EMPTY") : "(null)");
	say("getenv(NOPE) = %s", getenv("NOPE") ? "set" : "(null)");
	say("AT_PAGESZ = %lu", getauxval(AT_PAGESZ));
	yes("AT_PHDR set", getauxval(AT_PHDR) != 0);
	say("AT_PHENT = %lu", getauxval(AT_PHENT));
	yes("AT_PHNUM > 0", getauxval(AT_PHNUM) > 0);
	yes("AT_ENTRY set", getauxval(AT_ENTRY) != 0);
	yes("AT_RANDOM set", getauxval(AT_RANDOM) != 0);
	say("AT_SECURE = %lu", getauxval(AT_SECURE));
	say("AT_CLKTCK = %lu", getauxval(AT_CLKTCK));
	yes("AT_EXECFN set", getauxval(AT_EXECFN) != 0);
	say("AT_PLATFORM = %s", getauxval(AT_PLATFORM) ?
	    (const char *)getauxval(AT_PLATFORM) : "(none)");
	say("sysconf(_SC_PAGESIZE) = %ld", sysconf(_SC_PAGESIZE));
	return 0;
}
