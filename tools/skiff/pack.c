/*
 * What the image holds for the program (interface in skiff.h): the rules
 * that pack a program from what it says it needs, applied in this order:
 *   1. the program at the path typed, with its symlinks (strong);
 *   2. a `#!` script's interpreter, as the kernel's execve finds it (the
 *      path on the #! line, from the current directory), and an
 *      interpreter that is itself a script; for `#!/usr/bin/env NAME`,
 *      NAME as env finds it in the guest's PATH; for a shell script (sh,
 *      dash, bash) of at most 64 KiB, the commands it runs: each word in
 *      a command's place (first on a line, after ; | & ( ` if then do
 *      exec ..., not in quotes, comments or here-documents) that is an
 *      ELF program in the guest's PATH, with its libraries (at most 32;
 *      /usr/bin/gunzip runs gzip), without their runtime files (python3
 *      named in a script brings the binary, not its stdlib);
 *   3. each ELF program's interpreter and libraries (deps.c), searched as
 *      ld.so does with the guest's LD_LIBRARY_PATH, /etc/ld.so.cache, and
 *      libgcc_s.so.1, which glibc dlopens in pthread_exit;
 *   4. an interpreter's own files, as it reports them (runtimes.c);
 *   5. --dir trees and --file files (strong), with the libraries of the
 *      ELF files among them;
 *   6. the host data programs read (datafiles.c): terminfo, zoneinfo, CA
 *      certificates, the locale.
 * Everything but 1 and 5 is weak: the user's --file and --dir win.
 * A library no rule found is reported only when the image holds no file
 * of its name at the end (a --file may have supplied it). With --verbose,
 * each rule says what it packed on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <skiff/elf.h>
#include "skiff.h"

#define LD_SO_CACHE "/etc/ld.so.cache"
#define SCRIPT_DEPTH 5
#define SCRIPT_TEXT_MAX 65536	/* a shell script scanned for commands */
#define SCRIPT_COMMANDS_MAX 32
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static bool verbose;

void pack_note(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "skiff: %s\n", msg);
}

void pack_note_range(const struct entries *es, size_t from, const char *what)
{
	u64 bytes = 0;
	size_t files = 0;

	if (!verbose)
		return;
	ent_count(es, from, &files, &bytes);
	pack_note("packed %s: %zu entries, %zu files, %.1f MiB", what,
		  es->n - from, files, bytes / 1048576.0);
}

const char *pack_env(const struct skiff_opts *o, const char *key)
{
	size_t n = strlen(key);
	const char *v;

	for (size_t i = o->nenv; i-- > 0;)
		if (!strncmp(o->env[i], key, n) && o->env[i][n] == '=')
			return o->env[i] + n + 1;
	if (!strcmp(key, "PATH"))
		return DEFAULT_PATH;
	if (!strcmp(key, "HOME"))
		return "/";
	if (!strcmp(key, "TERM")) {
		v = getenv("TERM");
		return !o->build && v && *v && isatty(STDOUT_FILENO) ? v : NULL;
	}
	if (!strcmp(key, "LD_LIBRARY_PATH")) {
		v = getenv(key);
		return v && *v ? v : NULL;
	}
	return NULL;
}

struct missing {
	char *name, *needed_by;
};

struct pack {
	struct entries *es;
	const struct skiff_opts *o;
	struct deps *deps;	/* the ELF program's being packed */
	/* every one, to free: interpreters, env's NAME, a script's commands */
	struct deps *all[2 * SCRIPT_DEPTH + 2 + SCRIPT_COMMANDS_MAX];
	size_t ndeps;
	bool quiet;		/* no warning for a library not found */
	bool interpreter;	/* runtimes.c packed an interpreter's files */
	int ncommands;		/* a shell script's commands packed */
	struct missing *miss;	/* libraries not found, judged at the end */
	size_t nmiss;
	int err;		/* the first error of a callback */
};

/* deps.c found name (needed by needed_by) at path: into the image. */
static void on_found(void *ctx, const char *name, const char *path,
		     const char *needed_by)
{
	struct pack *pk = ctx;
	bool weak = pk->es->weak;
	int err;

	if (!path) {
		if (pk->quiet)
			return;
		pk->miss = realloc(pk->miss, (pk->nmiss + 1) * sizeof(*pk->miss));
		if (!pk->miss)
			exit(SKIFF_EXIT_FAILED);
		pk->miss[pk->nmiss++] = (struct missing){ xstrdup(name),
							  xstrdup(needed_by) };
		return;
	}
	pack_note("packed %s (needed by %s): %s", name, needed_by, path);
	pk->es->weak = true;
	err = ent_add_host(pk->es, path, NULL,
			   xasprintf("%s (needed by %s)", name, needed_by));
	pk->es->weak = weak;
	if (err && !pk->err)
		pk->err = err;
}

/* An x86_64 ELF header: what the program could load at all. */
static bool loadable(const char *host)
{
	u8 hdr[64];
	struct elf_info info;
	struct stat st;
	const char *why;
	int fd = open(host, O_RDONLY | O_CLOEXEC);
	bool ok = fd >= 0 && fstat(fd, &st) == 0 &&
		  read(fd, hdr, sizeof(hdr)) == sizeof(hdr) &&
		  elf_check_ehdr(hdr, sizeof(hdr), st.st_size, &info, &why) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

/* An ELF file the program may dlopen: its libraries too. (Another
 * machine's, test data in a --dir tree, is only a file.) */
static void on_elf(void *ctx, const char *host)
{
	struct pack *pk = ctx;

	if (pk->deps && loadable(host))
		deps_object(pk->deps, host);
}

/* A library loaded by path before the others (java's libjvm.so), so that
 * what names it by its soname finds it, as at run time. */
static void on_preload(void *ctx, const char *host)
{
	struct pack *pk = ctx;

	if (pk->deps)
		deps_preload(pk->deps, host);
}

/*
 * An ELF program at path (real: its real path): its interpreter and
 * libraries, ld.so's cache and libgcc_s.so.1 (glibc), and, for an
 * interpreter of runtimes.c, its files.
 */
static int pack_elf(struct pack *pk, const char *path, const char *real,
		    bool runtime)
{
	struct deps *d = deps_new(LD_SO_CACHE, on_found, pk);
	struct runtime_ctx rc = { pk->es, pk->o, on_elf, on_preload, pk };
	struct deps *prev = pk->deps;
	bool interp = false;
	int err = 0;

	if (pk->ndeps == ARRAY_SIZE(pk->all)) {
		deps_free(d);
		return 0;
	}
	pk->all[pk->ndeps++] = d;
	deps_set_library_path(d, pack_env(pk->o, "LD_LIBRARY_PATH"));
	pk->deps = d;
	if (deps_program(d, real))
		err = SKIFF_EXIT_CANNOT_RUN;
	if (!err && deps_interp(d) && !deps_musl(d)) {
		deps_dlopen(d, "libgcc_s.so.1");
		if (access(LD_SO_CACHE, R_OK) == 0)
			err = ent_add_host(pk->es, LD_SO_CACHE, NULL,
					   "ld.so's cache");
	}
	/* A module the interpreter may never load needs no warning. */
	pk->quiet = true;
	if (!err && runtime)
		err = runtime_add(&rc, path, real, &interp);
	pk->quiet = false;
	pk->interpreter |= interp;
	/* The program's own deps serve --dir and --file's ELF files. */
	if (prev)
		pk->deps = prev;
	return err ? err : pk->err;
}

static int pack_exec(struct pack *pk, const char *path, int depth);

/* NAME in the guest's PATH, as a regular executable file; NULL if none. */
static char *guest_which(const struct pack *pk, const char *name)
{
	char *dirs = xstrdup(pack_env(pk->o, "PATH")), *save, *dir, *found = NULL;
	struct stat st;

	for (dir = strtok_r(dirs, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", *dir ? dir : ".", name);

		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(cand, X_OK) == 0)
			found = cand;
		else
			free(cand);
	}
	free(dirs);
	return found;
}

/* `#!/usr/bin/env NAME`: NAME as env finds it, in the guest's PATH. */
static int pack_env_target(struct pack *pk, const char *name, int depth)
{
	char *found = strchr(name, '/') ? xstrdup(name) : guest_which(pk, name);
	int err;

	if (!found) {
		skiff_err("warning: %s (run by /usr/bin/env) is not in the guest's PATH (%s) on this host",
			  name, pack_env(pk->o, "PATH"));
		return 0;
	}
	pack_note("%s (for env, in the guest's PATH) is %s", name, found);
	err = pack_exec(pk, found, depth + 1);
	free(found);
	return err;
}

static const char *base_name(const char *path)
{
	const char *base = strrchr(path, '/');

	return base ? base + 1 : path;
}

static bool is_shell(const char *interp)
{
	const char *b = base_name(interp);

	return !strcmp(b, "sh") || !strcmp(b, "dash") || !strcmp(b, "bash");
}

/* Reads up to max bytes of path; NULL if larger or unreadable. */
static char *small_file(const char *path, size_t max)
{
	FILE *f = fopen(path, "re");
	char *buf = xmalloc(max + 2);
	size_t n = f ? fread(buf, 1, max + 1, f) : max + 1;

	if (f)
		fclose(f);
	if (n > max) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* Shell words after which the next word is a command again. */
static bool keeps_command_position(const char *w)
{
	static const char *const kw[] = {
		"if", "then", "else", "elif", "do", "while", "until", "!",
		"exec", "command", "time", "nohup", "{",
	};

	for (size_t i = 0; i < ARRAY_SIZE(kw); i++)
		if (!strcmp(w, kw[i]))
			return true;
	/* An assignment before the command: VAR=value cmd. */
	return strchr(w, '=') && w[0] != '=';
}

/* Past a here-document's body: the lines up to its delimiter word at p. */
static const char *skip_heredoc(const char *p)
{
	char delim[64];
	size_t n = 0;
	const char *line;

	p += *p == '-';
	while (*p == ' ' || *p == '\t')
		p++;
	for (; *p && !strchr(" \t\n;|&<>", *p) && n < sizeof(delim) - 1; p++)
		if (*p != '\'' && *p != '"' && *p != '\\')
			delim[n++] = *p;
	delim[n] = '\0';
	line = strchr(p, '\n');
	while (line && n) {
		const char *s = line + 1;

		while (*s == '\t')
			s++;
		if (!strncmp(s, delim, n) && (s[n] == '\n' || !s[n]))
			return s + n;
		line = strchr(s, '\n');
	}
	return p + strlen(p);
}

/*
 * The words of a shell script in command position (the first of a line,
 * after ; | & ( ` and after if, then, do, exec...), skipping comments,
 * quoted strings and here-documents: calls fn on each.
 */
static int script_commands(const char *p, int (*fn)(struct pack *, char *,
			   const char *), struct pack *pk, const char *script)
{
	bool cmd = true;
	int err = 0;

	while (*p && !err) {
		char word[256];
		size_t n = 0;

		if (*p == '\'' || *p == '"') {
			const char *end = strchr(p + 1, *p);

			while (end && *p == '"' && end[-1] == '\\')
				end = strchr(end + 1, '"');
			p = end ? end + 1 : p + strlen(p);
			cmd = false;
		} else if (*p == '#') {
			p = strchrnul(p, '\n');
		} else if (p[0] == '<' && p[1] == '<') {
			p = skip_heredoc(p + 2);
		} else if (strchr("\n;|&(`", *p)) {
			cmd = true;
			p++;
		} else if (*p == '$') {
			/* $# $? ...: not a comment, not a word */
			p += 1 + (p[1] && strchr("#?@*!$-0123456789", p[1]));
		} else if (strchr(" \t\r)<>", *p)) {
			p++;
		} else {
			while (*p && !strchr(" \t\r\n;|&()<>`\"'$", *p) &&
			       n < sizeof(word) - 1)
				word[n++] = *p++;
			word[n] = '\0';
			if (cmd && !keeps_command_position(word)) {
				cmd = false;
				err = fn(pk, word, script);
			}
			while (*p && !strchr(" \t\r\n;|&()<>`\"'$", *p))
				p++;
		}
	}
	return err;
}

/* A command a shell script names: an ELF program of the guest's PATH. */
static int pack_command(struct pack *pk, char *w, const char *script)
{
	char *found = strchr(w, '/') || !*w ? NULL : guest_which(pk, w);
	char *real = found ? realpath(found, NULL) : NULL;
	int err = 0;

	if (real && tree_is_elf(real) && !ent_has_name(pk->es, found) &&
	    pk->ncommands < SCRIPT_COMMANDS_MAX) {
		size_t from = pk->es->n;
		bool weak = pk->es->weak;

		pk->ncommands++;
		pk->es->weak = true;
		err = ent_add_host(pk->es, found, NULL,
				   xasprintf("a command of %s", script));
		pk->es->weak = weak;
		/* One that is no x86_64 ELF program is left at that. */
		if (!err && pack_elf(pk, found, real, false) ==
			    SKIFF_EXIT_CANNOT_RUN)
			err = 0;
		else if (!err)
			err = pk->err;
		pack_note_range(pk->es, from, xasprintf(
			"%s, a command the shell script %s runs", found, script));
	}
	free(real);
	free(found);
	return err;
}

static int pack_script_commands(struct pack *pk, const char *script)
{
	char *text = small_file(script, SCRIPT_TEXT_MAX);
	int err = text ? script_commands(text, pack_command, pk, script) : 0;

	free(text);
	return err;
}

static int pack_exec(struct pack *pk, const char *path, int depth)
{
	char *real = NULL, *name, *arg;
	bool weak = pk->es->weak;
	int err;

	if (depth > SCRIPT_DEPTH)
		return 0; /* program_check refused the main program's loop */
	pk->es->weak = depth > 0;
	err = ent_add_host(pk->es, path, &real,
			   depth ? xasprintf("the interpreter %s", path) : path);
	pk->es->weak = weak;
	if (err)
		return err;
	if (program_shebang(real, &name, &arg) == 0) {
		pack_note("%s is a script: its interpreter is %s (#!)", path, name);
		err = pack_exec(pk, name, depth + 1);
		if (!err && !strcmp(base_name(name), "env") && arg &&
		    arg[0] != '-')
			err = pack_env_target(pk, arg, depth + 1);
		if (!err && is_shell(name))
			err = pack_script_commands(pk, real);
		free(name);
		free(arg);
	} else if (tree_is_elf(real)) {
		err = pack_elf(pk, path, real, true);
	}
	free(real);
	return err;
}

/* --dir and --file, each ELF file among them with its libraries. */
static int pack_user(struct pack *pk)
{
	const struct skiff_opts *o = pk->o;
	struct tree_opts t = { NULL, on_elf, pk };
	int err = 0;

	for (size_t i = 0; i < o->ndirs && !err; i++) {
		const struct file_spec *f = &o->dirs[i];
		size_t from = pk->es->n;
		char *what = xasprintf("--dir %s", f->host);

		err = tree_add(pk->es, f->host, f->guest, &t, what);
		pack_note_range(pk->es, from, what);
	}
	for (size_t i = 0; i < o->nfiles && !err; i++) {
		const struct file_spec *f = &o->files[i];
		char *real = realpath(f->host, NULL);

		err = ent_add_file(pk->es, f->host, f->guest,
				   xasprintf("--file %s", f->host));
		pack_note("packed --file %s at %s", f->host,
			  f->guest ? f->guest : f->host);
		if (!err && real && tree_is_elf(real))
			on_elf(pk, real);
		free(real);
	}
	return err ? err : pk->err;
}

/* Libraries nothing supplied: one warning each. */
static void warn_missing(struct pack *pk)
{
	for (size_t i = 0; i < pk->nmiss; i++) {
		struct missing *m = &pk->miss[i];

		if (!ent_has_name(pk->es, m->name))
			skiff_err("warning: %s (needed by %s) is not on this host; the program may not start",
				  m->name, m->needed_by);
		free(m->name);
		free(m->needed_by);
	}
	free(pk->miss);
}

int pack_program(struct entries *es, const struct skiff_opts *o,
		 const struct program *p)
{
	struct pack pk = { .es = es, .o = o };
	int err;

	verbose = o->verbose;
	if (p->shim)
		pack_note("%s is %s (found in $PATH), a version manager's shim: its choice, %s, is packed",
			  p->typed, p->shim, p->abs);
	else if (p->searched)
		pack_note("%s is %s (found in the current directory or $PATH)",
			  p->typed, p->abs);
	err = pack_exec(&pk, p->abs, 0);
	if (!err)
		err = pack_user(&pk);
	if (!err)
		err = datafiles_add(es, o, pk.interpreter);
	if (!err)
		warn_missing(&pk);
	for (size_t i = 0; i < pk.ndeps; i++)
		deps_free(pk.all[i]);
	return err;
}
