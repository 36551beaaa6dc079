/*
 * auxv: the auxiliary vector, through getauxval and /proc/self/auxv:
 * AT_PAGESZ, AT_CLKTCK, AT_SECURE, the ids; AT_PHDR/AT_PHENT/AT_PHNUM
 * describe this program's headers (a PT_LOAD among them, AT_PHNUM as in
 * the file); AT_ENTRY is _start; AT_BASE is zero without an interpreter
 * and set with one; AT_RANDOM, AT_HWCAP, AT_PLATFORM "x86_64", AT_EXECFN
 * naming the program, AT_MINSIGSTKSZ; /proc/self/auxv says the same.
 */
/* BUILDS: static pie musl dyn musldyn */
#include <elf.h>
#include <libgen.h>
#include <link.h>
#include <sys/auxv.h>
#include "check.h"

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

extern char _start[];

static unsigned long from_proc(unsigned long type, int *found)
{
	static Elf64_auxv_t v[64];
	int fd = open("/proc/self/auxv", O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, v, sizeof(v));

	if (fd >= 0)
		close(fd);
	*found = 0;
	for (long i = 0; n > 0 && i < n / (long)sizeof(v[0]) && v[i].a_type != AT_NULL; i++) {
		if (v[i].a_type == type) {
			*found = 1;
			return v[i].a_un.a_val;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const ElfW(Phdr) *ph = (const void *)getauxval(AT_PHDR);
	unsigned long phnum = getauxval(AT_PHNUM), base = getauxval(AT_BASE);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	const char *plat = (const char *)getauxval(AT_PLATFORM);
	char *a0 = strdup(argv[0]);
	int loads = 0, phdr_self = 0, found, same = 1;
	unsigned long types[] = { AT_PAGESZ, AT_PHDR, AT_PHNUM, AT_ENTRY, AT_BASE, AT_CLKTCK };

	(void)argc;
	say("AT_PAGESZ %lu, AT_CLKTCK %lu, AT_SECURE %lu", getauxval(AT_PAGESZ),
	    getauxval(AT_CLKTCK), getauxval(AT_SECURE));
	say("AT_UID %lu AT_EUID %lu AT_GID %lu AT_EGID %lu", getauxval(AT_UID), getauxval(AT_EUID),
	    getauxval(AT_GID), getauxval(AT_EGID));
	say("AT_PHENT %lu, AT_PHNUM %lu", getauxval(AT_PHENT), phnum);
	for (unsigned long i = 0; ph && i < phnum; i++) {
		loads += ph[i].p_type == PT_LOAD;
		phdr_self |= ph[i].p_type == PT_PHDR;
	}
	yes("AT_PHDR: headers with a PT_LOAD", loads > 0);
	say("  PT_PHDR among them: %d", phdr_self);
	yes("AT_ENTRY is _start", getauxval(AT_ENTRY) == (unsigned long)_start);
	say("AT_BASE set: %s", base ? "yes" : "no");
	yes("AT_RANDOM points somewhere", getauxval(AT_RANDOM) != 0);
	yes("AT_HWCAP is not 0", getauxval(AT_HWCAP) != 0);
	say("AT_PLATFORM %s", plat ? plat : "(none)");
	yes("AT_EXECFN names the program", execfn && strcmp(basename((char *)strdup(execfn)),
							   basename(a0)) == 0);
	yes("AT_MINSIGSTKSZ given", getauxval(AT_MINSIGSTKSZ) != 0);
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		same &= from_proc(types[i], &found) == getauxval(types[i]);
	yes("/proc/self/auxv agrees with getauxval", same);
	return 0;
}
