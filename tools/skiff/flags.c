/*
 * docker's flags that `skiff run` takes beside its own (options.c parses
 * the command line and hands these here): --env-file, --version, --cpus;
 * the check of -e's KEY; and the line for an unknown option, with the
 * spelling meant when one is close. (-d, --name and --rm are the
 * instances' options: options.c, keeper.c.)
 *
 * --cpus N: the VM's vCPUs (QEMU's -smp N), 1 to SKIFF_MAX_CPUS (the
 * kernel's CPU_MAX). docker's --cpus takes a fraction (a CFS quota);
 * a VM has whole vCPUs, so a fraction is rounded up (0.5 -> 1, 1.5 -> 2):
 * the program gets at least the CPU time asked, never a quota. As docker
 * does, skiff run refuses more than the host's online CPUs; skiff build
 * records N in the image (SKIFF_CPUS_FILE) for skiff run IMAGE, which
 * takes at most the host's CPUs from it (with a warning). Default 1.
 *
 * --env-file FILE, docker's format: one variable a line, KEY=VALUE (the
 * value as written, up to the line's end: no quotes, no expansion) or
 * KEY alone for skiff's own value of KEY (left out if unset); lines
 * starting with '#' and blank lines are skipped; leading blanks dropped.
 * Variables of env files come first and -e ones after, so -e wins.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "skiff.h"

static char **file_env;		/* --env-file variables, in order */
static size_t nfile_env;

static __noreturn void usage_error(const char *msg)
{
	skiff_err("%s", msg);
	exit(SKIFF_EXIT_USAGE);
}

void flags_check_env_key(const char *arg, size_t keylen)
{
	char msg[700];
	bool ok = keylen > 0 && !isdigit((unsigned char)arg[0]) &&
		  arg[0] != '-';

	for (size_t i = 0; ok && i < keylen; i++)
		ok = isalnum((unsigned char)arg[i]) || arg[i] == '_' ||
		     arg[i] == '.' || arg[i] == '-';
	if (ok)
		return;
	snprintf(msg, sizeof(msg),
		 "-e %s: '%.*s' is not a variable name (-e takes KEY=VALUE or KEY; PROGRAM comes after the options; see skiff run --help)",
		 arg, (int)keylen, arg);
	usage_error(msg);
}

static void push_file_env(char *kv)
{
	file_env = realloc(file_env, (nfile_env + 1) * sizeof(*file_env));
	if (!file_env)
		usage_error("out of memory");
	file_env[nfile_env++] = kv;
}

/* One line of an env file (no newline), line number no, for messages. */
static void env_file_line(const char *path, unsigned no, char *line)
{
	char msg[700], *eq, *end;
	const char *v;

	while (*line == ' ' || *line == '\t')
		line++;
	end = line + strlen(line);
	if (end > line && end[-1] == '\r')
		*--end = '\0';
	if (!*line || *line == '#')
		return;
	eq = strchr(line, '=');
	size_t keylen = eq ? (size_t)(eq - line) : strlen(line);
	if (!keylen || strcspn(line, " \t") < keylen) {
		snprintf(msg, sizeof(msg),
			 "--env-file %s, line %u: '%.*s' is not a variable name (expected KEY=VALUE or KEY)",
			 path, no, (int)(keylen ? keylen : strlen(line)), line);
		usage_error(msg);
	}
	if (eq) {
		push_file_env(xstrdup(line));
		return;
	}
	v = getenv(line);
	if (v)
		push_file_env(xasprintf("%s=%s", line, v));
}

static void read_env_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, msg[700];
	size_t cap = 0;
	ssize_t n;
	unsigned no = 0;

	if (!f) {
		snprintf(msg, sizeof(msg), "--env-file %s: %s", path,
			 strerror(errno));
		usage_error(msg);
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		no++;
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (memchr(line, '\0', n > 0 && line[n - 1] == '\0' ? n - 1 : n)) {
			snprintf(msg, sizeof(msg),
				 "--env-file %s, line %u: a NUL byte (not a text file?)",
				 path, no);
			usage_error(msg);
		}
		env_file_line(path, no, line);
	}
	free(line);
	fclose(f);
}

/* --cpus N: a number above 0, at most SKIFF_MAX_CPUS once rounded up;
 * returns it rounded up to whole vCPUs. */
static int check_cpus(const char *arg)
{
	char msg[300], *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (!isdigit((unsigned char)arg[0]) || *end || errno || v <= 0) {
		snprintf(msg, sizeof(msg),
			 "--cpus %s: expected a number of CPUs above 0, such as 2",
			 arg);
		usage_error(msg);
	}
	if (v > SKIFF_MAX_CPUS) {
		snprintf(msg, sizeof(msg),
			 "--cpus %s: a Skiff VM has at most %d CPUs", arg,
			 SKIFF_MAX_CPUS);
		usage_error(msg);
	}
	return (int)ceil(v);
}

/* The host's online CPUs, as docker counts them (at least 1). */
static int host_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > SKIFF_MAX_CPUS ? SKIFF_MAX_CPUS : (int)n;
}

int flags_vm_cpus(const struct skiff_opts *o, bool is_image,
		  const char *image, int *cpus)
{
	size_t len;
	char *text, *end;
	long v;
	int err = 0, host = host_cpus();

	*cpus = 1;
	if (o->cpus) {
		if (o->cpus > host && !getenv("SKIFF_CPUS_ANY")) {
			skiff_err("--cpus %d: the host has %d CPU%s online (as docker, skiff gives a VM at most the host's CPUs)",
				  o->cpus, host, host == 1 ? "" : "s");
			return SKIFF_EXIT_USAGE;
		}
		*cpus = o->cpus;
		return 0;
	}
	if (!is_image)
		return 0;
	text = image_read_file(image, SKIFF_CPUS_FILE, &len, &err);
	if (!text)
		return err;
	v = strtol(text, &end, 10);
	if (end == text || v < 1 || v > SKIFF_MAX_CPUS)
		skiff_err("warning: %s: the image's CPU count '%.16s' is not 1 to %d; running on 1 CPU",
			  image, text, SKIFF_MAX_CPUS);
	else if (v > host && !getenv("SKIFF_CPUS_ANY")) {
		skiff_err("warning: %s was built for %ld CPUs; the host has %d: running on %d",
			  image, v, host, host);
		*cpus = host;
	} else {
		*cpus = (int)v;
	}
	free(text);
	return 0;
}

void flags_parse(struct skiff_opts *o, int c, const char *arg)
{
	switch (c) {
	case OPT_ENV_FILE:
		read_env_file(arg);
		break;
	case OPT_VERSION:
		printf("skiff version %s\n", SKIFF_VERSION);
		exit(0);
	case OPT_CPUS:
		o->cpus = check_cpus(arg);
		break;
	}
}

void flags_finish(struct skiff_opts *o)
{
	char **v;

	if (!nfile_env)
		return;
	v = xmalloc((nfile_env + o->nenv) * sizeof(*v));
	memcpy(v, file_env, nfile_env * sizeof(*v));
	if (o->nenv)
		memcpy(v + nfile_env, o->env, o->nenv * sizeof(*v));
	free(o->env);
	free(file_env);
	o->env = v;
	o->nenv += nfile_env;
	file_env = NULL;
	nfile_env = 0;
}

/* The edit distance of a and b, a transposition counting as one edit
 * (optimal string alignment); large for long strings. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	u8 d[33][33];

	if (la > 32 || lb > 32)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		for (size_t j = 0; j <= lb; j++) {
			if (!i || !j) {
				d[i][j] = (u8)(i + j);
				continue;
			}
			size_t v = MIN(d[i - 1][j] + 1, d[i][j - 1] + 1);
			v = MIN(v, d[i - 1][j - 1] + (size_t)(a[i - 1] != b[j - 1]));
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1])
				v = MIN(v, d[i - 2][j - 2] + 1u);
			d[i][j] = (u8)v;
		}
	return d[la][lb];
}

bool flags_close(const char *typed, const char *name)
{
	size_t d = distance(typed, name);

	/* A typo or two, not a different word. */
	return d <= 2 && d < strlen(name) / 2 + 1;
}

void flags_unknown(const char *arg, const struct option *opts,
		   const char *command)
{
	char name[64], msg[300];
	const char *best = NULL;
	size_t best_d = (size_t)-1, len;

	/* "--memroy=1G": the name alone. */
	len = strcspn(arg + 2, "=");
	snprintf(name, sizeof(name), "%.*s", (int)MIN(len, sizeof(name) - 1),
		 arg + 2);
	for (const struct option *p = opts; p->name; p++) {
		size_t d = distance(name, p->name);

		if (d < best_d) {
			best_d = d;
			best = p->name;
		}
	}
	if (best && strncmp(arg, "--", 2) == 0 && flags_close(name, best))
		snprintf(msg, sizeof(msg),
			 "unknown option %.*s (did you mean --%s?)",
			 (int)strcspn(arg, "="), arg, best);
	else
		snprintf(msg, sizeof(msg), "unknown option %.*s (see skiff %s --help)",
			 (int)strcspn(arg, "="), arg, command);
	usage_error(msg);
}
