/*
 * The files interpreters read at run time, which no ELF header names:
 * python3.X's standard library, perl's modules, tclsh's init.tcl. When the
 * program's real file name matches an entry of the table, its directories
 * go into the image (weak entries, at their host paths), and every ELF
 * file among them (python's lib-dynload modules, perl's XS modules) has its
 * libraries resolved as if the program dlopened it.
 *
 * The table is the whole policy; to add a runtime, add a row. In a
 * directory, "%s" stands for the program's file name (python3.11), and
 * glob(3) patterns pick versions (perl/5.*). Exclusions are fnmatch(3)
 * patterns on paths relative to the directory: test suites, GUI toolkits
 * and build-time files, to keep the image (which the guest reads whole at
 * boot) small. What an exclusion drops can come back with --dir.
 */
#include <fnmatch.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include "skiff.h"

struct runtime {
	const char *program;		/* fnmatch pattern on the file name */
	const char *const *dirs;	/* host directories, NULL-ended */
	const char *const *exclude;	/* patterns, NULL-ended */
};

static const char *const python_dirs[] = {
	"/usr/lib/%s",
	/* Lets Python's locale coercion find C.UTF-8, as on the host. */
	"/usr/lib/locale/C.utf8",
	NULL,
};
static const char *const python_exclude[] = {
	"test", "idlelib", "tkinter", "turtledemo", "turtle.py", "ensurepip",
	"lib2to3", "config-*", "__pycache__/turtle.*", NULL,
};

static const char *const perl_dirs[] = {
	"/etc/perl",
	"/usr/lib/x86_64-linux-gnu/perl-base",
	"/usr/lib/x86_64-linux-gnu/perl/5.*",
	"/usr/lib/x86_64-linux-gnu/perl5/5.*",
	"/usr/share/perl/5.*",
	"/usr/share/perl5",
	NULL,
};
static const char *const perl_exclude[] = {
	"CORE", "pod", "*.pod", "CPAN", "CPAN.pm", "ExtUtils", NULL,
};

static const char *const tcl_dirs[] = { "/usr/share/tcltk/tcl8.*", NULL };

static const struct runtime runtimes[] = {
	{ "python3.[0-9]*", python_dirs, python_exclude },
	{ "perl", perl_dirs, perl_exclude },
	{ "perl5.[0-9]*", perl_dirs, perl_exclude },
	{ "tclsh8.[0-9]*", tcl_dirs, NULL },
};

static const struct runtime *find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(runtimes); i++)
		if (!fnmatch(runtimes[i].program, name, 0))
			return &runtimes[i];
	return NULL;
}

/* One directory pattern of r; directories that do not exist are skipped. */
static int add_dirs(struct entries *es, const char *pattern,
		    const char *name, const struct tree_opts *t)
{
	char *path = strstr(pattern, "%s") ? xasprintf(pattern, name)
					   : xstrdup(pattern);
	glob_t g;
	int err = 0;

	if (glob(path, GLOB_ONLYDIR | GLOB_NOSORT, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && !err; i++) {
			char *origin = xasprintf("%s's files (%s)", name,
						 g.gl_pathv[i]);

			err = tree_add(es, g.gl_pathv[i], NULL, t, origin);
		}
		globfree(&g);
	}
	free(path);
	return err;
}

int runtime_add(struct entries *es, const struct program *p,
		void (*elf)(void *ctx, const char *host), void *ctx)
{
	const char *name = strrchr(p->real, '/') + 1;
	const struct runtime *r = find(name);
	struct tree_opts t;
	bool weak = es->weak;
	int err = 0;

	if (!r)
		return 0;
	t = (struct tree_opts){ r->exclude, elf, ctx };
	es->weak = true;
	for (const char *const *d = r->dirs; *d && !err; d++)
		err = add_dirs(es, *d, name, &t);
	es->weak = weak;
	return err;
}
