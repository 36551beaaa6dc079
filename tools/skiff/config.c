/*
 * skiff.json: a program's configuration, as ops' config.json or a
 * Kraftfile give one (interface in skiff.h), read with json.c.
 *
 * Where: skiff.json beside the program (in the directory of its real
 * path), else in the current directory. Without PROGRAM on the command
 * line, the current directory's is used and must name one. With PROGRAM,
 * a file whose "program" names another file is not used. A Skiff image
 * (skiff run IMAGE) takes none.
 *
 * What: an object with these members, all optional:
 *   "program": "PATH"            PROGRAM (relative: to the file's directory)
 *   "args": ["ARG", ...]         its ARGS
 *   "env": {"KEY": "VAL", ...}   or ["KEY=VAL", ...]: as -e
 *   "files": ["HOST[:GUEST]"]    as --file (HOST relative: to the file's
 *   "dirs": ["HOST[:GUEST]"]     as --dir   directory)
 *   "volumes": ["SRC:DIR[:ro]"]  as -v (skiff run; an image file's path
 *                                relative to the file's directory)
 *   "ports": ["8080:80", ...]    as -p
 *   "memory": "1G" or 1024 (MiB) as --memory (skiff run)
 *   "cpus": 2                    as --cpus (a whole number)
 * Any other member is an error. The members become options placed before
 * the command line's, so a flag overrides them: a later -e KEY and
 * --memory win, lists add up, and PROGRAM [ARGS...] replace "program" and
 * "args". A bad file is one line, FILE:LINE:COLUMN: what is wrong, and
 * exit status 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "skiff.h"

#define CONFIG_NAME "skiff.json"
#define CONFIG_MAX (1 << 20)

struct cfg {
	const char *path;	/* the file, for messages */
	char *text;
	char *dir;		/* its directory, for relative paths */
	struct json root;
	bool build;
	char **v;		/* the options it gives */
	int n;
};

static __noreturn void bad(const struct cfg *c, size_t pos, const char *why)
{
	int line, col;

	json_where(c->text, pos, &line, &col);
	skiff_err("%s:%d:%d: %s", c->path, line, col, why);
	exit(SKIFF_EXIT_USAGE);
}

static void add(struct cfg *c, const char *opt, char *val)
{
	c->v = realloc(c->v, (c->n + 2) * sizeof(*c->v));
	if (!c->v)
		exit(SKIFF_EXIT_FAILED);
	c->v[c->n++] = (char *)opt;
	c->v[c->n++] = val;
}

/* A host path of the file, relative to its directory. */
static char *rel(const struct cfg *c, const char *path)
{
	return path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", c->dir, path);
}

/* HOST[:GUEST] with HOST relative to the file's directory. */
static char *rel_spec(const struct cfg *c, const char *spec)
{
	const char *colon = strrchr(spec, ':');
	char *host, *out;

	if (!colon || colon[1] != '/')
		return rel(c, spec);
	host = strndup(spec, colon - spec);
	out = host[0] == '/' || !host[0] ? xstrdup(spec) :
	      xasprintf("%s/%s", c->dir, spec);
	free(host);
	return out;
}

static const struct json *strings(const struct cfg *c, const struct json *m)
{
	char why[96];

	snprintf(why, sizeof(why), "\"%s\" must be an array of strings", m->key);
	if (m->type != JSON_ARRAY)
		bad(c, m->pos, why);
	for (size_t i = 0; i < m->n; i++)
		if (m->kids[i].type != JSON_STRING)
			bad(c, m->kids[i].pos, why);
	return m;
}

static void env_member(struct cfg *c, const struct json *m)
{
	if (m->type == JSON_ARRAY) {
		strings(c, m);
		for (size_t i = 0; i < m->n; i++) {
			if (!strchr(m->kids[i].str, '=') || m->kids[i].str[0] == '=')
				bad(c, m->kids[i].pos, "\"env\": KEY=VALUE expected");
			add(c, "-e", xstrdup(m->kids[i].str));
		}
		return;
	}
	if (m->type != JSON_OBJECT)
		bad(c, m->pos, "\"env\" must be an object of strings or an array of KEY=VALUE");
	for (size_t i = 0; i < m->n; i++) {
		const struct json *k = &m->kids[i];

		if (k->type != JSON_STRING)
			bad(c, k->pos, "\"env\": a value must be a string");
		if (!k->key[0] || strchr(k->key, '='))
			bad(c, k->pos, "\"env\": a name must be non-empty, without '='");
		add(c, "-e", xasprintf("%s=%s", k->key, k->str));
	}
}

static void memory_member(struct cfg *c, const struct json *m)
{
	if (m->type == JSON_NUMBER && m->num >= 1 && m->num <= (1 << 20) &&
	    m->num == (double)(long long)m->num) {
		if (!c->build)
			add(c, "--memory", xasprintf("%lldM", (long long)m->num));
		return;
	}
	if (m->type != JSON_STRING)
		bad(c, m->pos, "\"memory\" must be a size such as \"512M\" or a number of MiB");
	if (!c->build)
		add(c, "--memory", xstrdup(m->str));
}

static void cpus_member(struct cfg *c, const struct json *m)
{
	if (m->type != JSON_NUMBER || m->num < 1 || m->num > SKIFF_MAX_CPUS ||
	    m->num != (double)(int)m->num)
		bad(c, m->pos, "\"cpus\" must be a whole number from 1 to 16");
	add(c, "--cpus", xasprintf("%d", (int)m->num));
}

/* One member of the object, as options; program and args are read later. */
static void member(struct cfg *c, const struct json *m)
{
	const char *k = m->key;

	if (!strcmp(k, "program")) {
		if (m->type != JSON_STRING || !m->str[0])
			bad(c, m->pos, "\"program\" must be a non-empty string");
	} else if (!strcmp(k, "args")) {
		strings(c, m);
	} else if (!strcmp(k, "env")) {
		env_member(c, m);
	} else if (!strcmp(k, "files") || !strcmp(k, "dirs")) {
		strings(c, m);
		for (size_t i = 0; i < m->n; i++)
			add(c, k[0] == 'f' ? "--file" : "--dir",
			    rel_spec(c, m->kids[i].str));
	} else if (!strcmp(k, "volumes")) {
		strings(c, m);
		for (size_t i = 0; i < m->n && !c->build; i++) {
			const char *s = m->kids[i].str, *colon = strchr(s, ':');
			bool file = colon && memchr(s, '/', colon - s) && s[0] != '/';

			add(c, "-v", file ? rel(c, s) : xstrdup(s));
		}
	} else if (!strcmp(k, "ports")) {
		strings(c, m);
		for (size_t i = 0; i < m->n; i++)
			add(c, "-p", xstrdup(m->kids[i].str));
	} else if (!strcmp(k, "memory")) {
		memory_member(c, m);
	} else if (!strcmp(k, "cpus")) {
		cpus_member(c, m);
	} else {
		bad(c, m->keypos, "unknown member (program, args, env, files, dirs, volumes, ports, memory, cpus)");
	}
}

static const struct json *get(const struct cfg *c, const char *key)
{
	for (size_t i = 0; i < c->root.n; i++)
		if (!strcmp(c->root.kids[i].key, key))
			return &c->root.kids[i];
	return NULL;
}

/* The real path of a program as skiff finds it, NULL if none (quietly). */
static char *which(const char *typed, const char *dir)
{
	const char *path = getenv("PATH");
	char *dirs, *d, *save, *found = NULL;

	if (strchr(typed, '/')) {
		char *p = dir && typed[0] != '/' ? xasprintf("%s/%s", dir, typed)
						 : xstrdup(typed);
		found = realpath(p, NULL);
		free(p);
		return found;
	}
	if (access(typed, F_OK) == 0)
		return realpath(typed, NULL);
	dirs = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (d = strtok_r(dirs, ":", &save); d && !found;
	     d = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", *d ? d : ".", typed);

		if (access(cand, X_OK) == 0)
			found = realpath(cand, NULL);
		free(cand);
	}
	free(dirs);
	return found;
}

static bool is_image(const char *real)
{
	char magic[6];
	int fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	bool yes = fd >= 0 && read(fd, magic, 6) == 6 &&
		   !memcmp(magic, "070701", 6);

	if (fd >= 0)
		close(fd);
	return yes;
}

/* Reads and parses path into c: false if there is no such file. */
static bool load(struct cfg *c, const char *path)
{
	char why[160];
	size_t errpos, len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	c->path = path;
	c->text = xmalloc(CONFIG_MAX + 1);
	while (len < CONFIG_MAX && (n = read(fd, c->text + len, CONFIG_MAX - len)) > 0)
		len += n;
	close(fd);
	c->text[len] = '\0';
	if (len == CONFIG_MAX)
		bad(c, 0, "larger than 1 MiB");
	if (json_parse(c->text, len, &c->root, why, sizeof(why), &errpos))
		bad(c, errpos, why);
	if (c->root.type != JSON_OBJECT)
		bad(c, c->root.pos, "an object ({...}) expected");
	{
		char *abs = path_absolute(path), *slash = strrchr(abs, '/');

		*slash = '\0';
		c->dir = *abs ? abs : xstrdup("/");
	}
	return true;
}

/* Does the file at path apply to the program real (NULL: none given)? */
static bool applies(struct cfg *c, const char *path, const char *real)
{
	const struct json *p;
	char *mine;
	bool same;

	if (!load(c, path))
		return false;
	p = get(c, "program");
	if (!real || !p || p->type != JSON_STRING)
		return true;
	mine = which(p->str, c->dir);
	same = mine && !strcmp(mine, real);
	free(mine);
	return same;
}

static bool find(struct cfg *c, const char *typed)
{
	char *real = typed ? which(typed, NULL) : NULL;
	char *beside = NULL, *here = realpath(CONFIG_NAME, NULL);
	bool found = false;

	if (typed && (!real || is_image(real))) {
		free(real);
		free(here);
		return false; /* skiff reports a missing program */
	}
	if (real) {
		beside = xasprintf("%.*s/%s", (int)(strrchr(real, '/') - real),
				   real, CONFIG_NAME);
		found = applies(c, beside, real);
	}
	/* The current directory's, unless it was the one beside. */
	if (!found && here && (!beside || strcmp(here, beside))) {
		free(c->text);
		json_free(&c->root);
		found = applies(c, CONFIG_NAME, real);
	}
	free(real);
	free(here);
	return found;
}

void config_apply(int argc, char **argv, int first, struct skiff_opts *o)
{
	static bool done;
	struct cfg c = { .build = o->build };
	const struct json *prog, *args;
	char **v;
	int n = 0;

	if (done)
		return;
	done = true;
	if (!find(&c, o->argc ? argv[first] : NULL))
		return;
	for (size_t i = 0; i < c.root.n; i++)
		member(&c, &c.root.kids[i]);
	prog = get(&c, "program");
	args = get(&c, "args");
	if (!o->argc && !prog)
		bad(&c, c.root.pos, "no \"program\", and none on the command line");
	v = xmalloc((c.n + argc + (args ? args->n : 0) + 2) * sizeof(*v));
	v[n++] = argv[0];
	for (int i = 0; i < c.n; i++)
		v[n++] = c.v[i];
	for (int i = 1; i < first; i++)
		v[n++] = argv[i];
	if (o->argc) {
		/* PROGRAM alone takes the file's ARGS; ARGS replace them. */
		for (int i = first; i < argc; i++)
			v[n++] = argv[i];
		for (size_t i = 0; o->argc == 1 && args && i < args->n; i++)
			v[n++] = args->kids[i].str;
	} else {
		v[n++] = strchr(prog->str, '/') ? rel(&c, prog->str)
						: xstrdup(prog->str);
		for (size_t i = 0; args && i < args->n; i++)
			v[n++] = args->kids[i].str;
	}
	v[n] = NULL;
	/* v and what it points to live as long as skiff: o points into it. */
	optind = 0; /* getopt_long starts afresh */
	opts_parse(n, v, o);
}
