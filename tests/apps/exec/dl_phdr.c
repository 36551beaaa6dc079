/*
 * dl_phdr: dl_iterate_phdr lists the loaded objects: the program itself
 * and, in the dynamic builds, libc.so.6 and glibc's dynamic loader, or
 * musl's (by file name; the kernel's vDSO is left out, Skiff has none); each object's
 * PT_LOAD segments are readable where the list says; AT_BASE is the
 * dynamic loader's load address.
 */
/* BUILDS: static pie musl dyn musldyn */
#include <libgen.h>
#include <link.h>
#include <sys/auxv.h>
#include "check.h"

static char names[16][64];
static int count, readable = 1;
static ElfW(Addr) loader_addr;

static int each(struct dl_phdr_info *info, size_t size, void *data)
{
	const char *n = info->dlpi_name;

	(void)size;
	(void)data;
	/* the vDSO (glibc names it, musl does not): Skiff has none */
	if ((n && strstr(n, "vdso")) ||
	    (getauxval(AT_SYSINFO_EHDR) && info->dlpi_addr == getauxval(AT_SYSINFO_EHDR)))
		return 0;
	if (count < 16)
		snprintf(names[count++], sizeof(names[0]), "%s",
			 n && *n ? basename(strdup(n)) : "(program)");
	if (n && (strstr(n, "ld-linux") || strstr(n, "ld-musl")))
		loader_addr = info->dlpi_addr;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && ph->p_memsz)
			readable &= *(volatile char *)(info->dlpi_addr + ph->p_vaddr) ==
				    *(volatile char *)(info->dlpi_addr + ph->p_vaddr);
	}
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int main(void)
{
	dl_iterate_phdr(each, NULL);
	qsort(names, count, sizeof(names[0]), cmp);
	printf("objects:");
	for (int i = 0; i < count; i++)
		printf(" %s", names[i]);
	printf("\n");
	yes("every PT_LOAD segment readable", readable);
	say("AT_BASE is the loader's address: %s",
	    getauxval(AT_BASE) == 0 ? "no loader" :
	    getauxval(AT_BASE) == loader_addr ? "yes" : "no");
	return 0;
}
