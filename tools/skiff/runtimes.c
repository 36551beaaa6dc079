/*
 * The files interpreters read at run time, which no ELF header names, as
 * each interpreter itself reports them (interface in skiff.h). When the
 * program's real file name matches a row of the table, skiff runs the
 * interpreter on the host, at the path the guest runs it (a venv's
 * bin/python finds its pyvenv.cfg there), with the guest's environment
 * (PATH, HOME=/, the -e values: PYTHONPATH, NODE_PATH, PERL5LIB ... count),
 * and packs every absolute path it prints that exists: a directory as a
 * tree, a file with its symlinks. Every ELF file among them (python's
 * lib-dynload, perl's XS modules, php's extensions) has its libraries
 * resolved as if the program dlopened it.
 *
 *   python  sys.path (the stdlib, lib-dynload, site-packages of a venv, of
 *           a prefix outside /usr, /usr/lib/python3/dist-packages), and a
 *           venv's pyvenv.cfg
 *   perl    @INC
 *   ruby    $LOAD_PATH and Gem.path (rubygems loads at start)
 *   php     extension_dir, the php.ini loaded and the files scanned, the
 *           include_path
 *   node    require('module').globalPaths (NODE_PATH's entries, ~/.node_*)
 *   tclsh   [info library]
 *   java    the JDK/JRE home (java.home, as `java -XshowSettings` gives
 *           it) of any program in its bin/ (java, javac, jshell), libjvm.so
 *           first: the launcher loads it by path, then the rest by soname
 *
 * Exclusions are fnmatch(3) patterns on paths relative to each directory:
 * test suites, GUI toolkits and build-time files, to keep the image (which
 * the guest reads whole at boot) small. What an exclusion drops can come
 * back with --dir. An interpreter that cannot be run on the host (or says
 * nothing) packs nothing more, with a warning.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "skiff.h"

#define QUERY_MAX (1 << 20)	/* bytes of the interpreter's answer */
#define QUERY_TIMEOUT_MS 20000

struct runtime {
	const char *program;		/* fnmatch pattern on the file name */
	const char *const *query;	/* its arguments, NULL-ended */
	const char *input;		/* its stdin, or NULL */
	const char *const *exclude;	/* patterns, NULL-ended */
};

static const char *const python_query[] = { "-c",
	"import os, sys\n"
	"for p in sys.path[1:]: print(p)\n"
	"c = os.path.join(sys.prefix, 'pyvenv.cfg')\n"
	"if os.path.exists(c): print(c)\n", NULL };
static const char *const python_exclude[] = {
	"test", "idlelib", "tkinter", "turtledemo", "turtle.py", "ensurepip",
	"lib2to3", "config-*", "__pycache__/turtle.*",
	/* In the stdlib's directory, but a sys.path entry of its own when
	 * the interpreter uses it (a venv does not use its base's). */
	"site-packages", "dist-packages", NULL,
};

static const char *const perl_query[] = { "-e", "print \"$_\\n\" for @INC",
					   NULL };
static const char *const perl_exclude[] = {
	"CORE", "pod", "*.pod", "CPAN", "CPAN.pm", "ExtUtils", NULL,
};

static const char *const ruby_query[] = { "-e",
	"puts $LOAD_PATH; puts Gem.path if defined?(Gem)", NULL };

static const char *const php_query[] = { "-r",
	"echo ini_get('extension_dir'), \"\\n\", php_ini_loaded_file(), \"\\n\";"
	"foreach (explode(',', (string)php_ini_scanned_files()) as $f)"
	" echo trim($f), \"\\n\";"
	"foreach (explode(PATH_SEPARATOR, get_include_path()) as $d)"
	" echo $d, \"\\n\";", NULL };

static const char *const node_query[] = { "-e",
	"for (const p of require('module').globalPaths) console.log(p)", NULL };

static const char *const no_args[] = { NULL };

static const struct runtime runtimes[] = {
	{ "python[0-9].[0-9]*", python_query, NULL, python_exclude },
	{ "perl", perl_query, NULL, perl_exclude },
	{ "perl5.[0-9]*", perl_query, NULL, perl_exclude },
	{ "ruby*", ruby_query, NULL, NULL },
	{ "php*", php_query, NULL, NULL },
	{ "node", node_query, NULL, NULL },
	{ "nodejs", node_query, NULL, NULL },
	{ "tclsh*", no_args, "puts [info library]\n", NULL },
};

static const char *const java_exclude[] = {
	"jmods", "include", "man", "docs", "demo", "sample", "lib/src.zip",
	"lib/ct.sym", "lib/server/classes_nocoops.jsa", "lib/libawt_xawt.so", "lib/libsplashscreen.so",
	"lib/libatk-wrapper.so", "lib/libjawt.so", "lib/libjsound.so", NULL,
};

/* The guest's environment, for the interpreter asked on the host. */
static char **guest_env(const struct skiff_opts *o)
{
	static const char *const keys[] = { "PATH", "HOME", "LD_LIBRARY_PATH" };
	char **v = xmalloc((o->nenv + ARRAY_SIZE(keys) + 1) * sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (pack_env(o, keys[i]))
			v[n++] = xasprintf("%s=%s", keys[i],
					   pack_env(o, keys[i]));
	for (size_t i = 0; i < o->nenv; i++)
		v[n++] = o->env[i]; /* later ones win, as in the guest */
	v[n] = NULL;
	return v;
}

static s64 now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (s64)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Reads fd to its end (or the timeout) into a NUL-terminated buffer. */
static char *read_all(int fd, pid_t pid)
{
	char *buf = xmalloc(QUERY_MAX + 1);
	size_t len = 0;
	s64 end = now_ms() + QUERY_TIMEOUT_MS;
	struct pollfd pfd = { fd, POLLIN, 0 };

	while (len < QUERY_MAX) {
		s64 left = end - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, left) <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		n = read(fd, buf + len, QUERY_MAX - len);
		if (n <= 0 && !(n < 0 && errno == EINTR))
			break;
		if (n > 0)
			len += n;
	}
	buf[len] = '\0';
	return buf;
}

/*
 * Runs path (argv[0] = path) with args, input on its stdin, in the guest's
 * environment; its stdout and stderr, or NULL if it could not run.
 */
char *runtime_ask(const struct skiff_opts *o, const char *path,
		  const char *const *args, const char *input)
{
	int out[2], in[2];
	size_t nargs = 0;
	char **argv, **envp, *text;
	pid_t pid;
	int status;

	while (args[nargs])
		nargs++;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(in, O_CLOEXEC) < 0)
		return NULL;
	argv = xmalloc((nargs + 2) * sizeof(*argv));
	argv[0] = (char *)path;
	memcpy(argv + 1, args, (nargs + 1) * sizeof(*argv));
	envp = guest_env(o);
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		execve(path, argv, envp);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	/* Small: the pipe's buffer holds it. */
	if (pid > 0 && input && write(in[1], input, strlen(input)) < 0)
		input = NULL;
	close(in[1]);
	text = pid > 0 ? read_all(out[0], pid) : NULL;
	close(out[0]);
	if (pid > 0 && (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
			WEXITSTATUS(status))) {
		free(text);
		text = NULL;
	}
	free(argv);
	free(envp);
	return text;
}

/* One path the interpreter reported: a directory's tree, or a file. */
static int add_path(const struct runtime_ctx *rc, const char *path,
		    const char *const *exclude, const char *who)
{
	struct tree_opts t = { exclude, rc->elf, rc->ctx };
	size_t from = rc->es->n;
	struct stat st;
	char *origin;
	int err;

	if (path[0] != '/' || stat(path, &st) < 0 ||
	    (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)))
		return 0;
	origin = xasprintf("%s's %s", who, path);
	err = S_ISDIR(st.st_mode) ? tree_add(rc->es, path, NULL, &t, origin)
				  : ent_add_host(rc->es, path, NULL, origin);
	pack_note_range(rc->es, from, origin);
	return err;
}

/* Each line of text that is an existing absolute path. */
static int add_lines(const struct runtime_ctx *rc, char *text,
		     const char *const *exclude, const char *who)
{
	char *save, *line;
	int err = 0;

	for (line = strtok_r(text, "\n", &save); line && !err;
	     line = strtok_r(NULL, "\n", &save))
		err = add_path(rc, line, exclude, who);
	return err;
}

/* A program in a Java home's bin/: that home (else NULL). */
static char *java_home_of(const char *real)
{
	char *home = xstrdup(real), *slash;
	char *jvm;
	struct stat st;

	for (int i = 0; i < 2; i++) {
		slash = strrchr(home, '/');
		if (!slash || slash == home) {
			free(home);
			return NULL;
		}
		if (i == 1 && strcmp(slash, "/bin"))
			break;
		*slash = '\0';
	}
	jvm = xasprintf("%s/lib/server/libjvm.so", home);
	if (stat(jvm, &st) < 0) {
		free(home);
		home = NULL;
	}
	free(jvm);
	return home;
}

/* java.home as the home's own java reports it (else the directory). */
static char *java_home_reported(const struct runtime_ctx *rc, char *home)
{
	static const char *const args[] = { "-XshowSettings:properties",
					    "-version", NULL };
	char *java = xasprintf("%s/bin/java", home);
	char *text = access(java, X_OK) ? NULL :
		     runtime_ask(rc->o, java, args, NULL);
	char *p = text ? strstr(text, "java.home = ") : NULL;

	if (p) {
		p += strlen("java.home = ");
		p[strcspn(p, "\n")] = '\0';
		if (p[0] == '/') {
			free(home);
			home = xstrdup(p);
		}
	}
	free(text);
	free(java);
	return home;
}

static int add_java(const struct runtime_ctx *rc, const char *real)
{
	char *home = java_home_of(real), *jvm;
	int err;

	if (!home)
		return 0;
	home = java_home_reported(rc, home);
	jvm = xasprintf("%s/lib/server/libjvm.so", home);
	pack_note("%s belongs to the Java home %s (java.home)", real, home);
	if (rc->preload && access(jvm, R_OK) == 0)
		rc->preload(rc->ctx, jvm);
	err = add_path(rc, home, java_exclude, "java.home");
	free(jvm);
	free(home);
	return err;
}

static const struct runtime *find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(runtimes); i++)
		if (!fnmatch(runtimes[i].program, name, 0))
			return &runtimes[i];
	return NULL;
}

int runtime_add(const struct runtime_ctx *rc, const char *path,
		const char *real, bool *matched)
{
	const char *name = strrchr(real, '/') + 1;
	const struct runtime *r = find(name);
	bool weak = rc->es->weak;
	char *text, *abs;
	int err = 0;

	*matched = false;
	rc->es->weak = true;
	if (!r) {
		char *home = java_home_of(real);

		*matched = home != NULL;
		free(home);
		err = add_java(rc, real);
		rc->es->weak = weak;
		return err;
	}
	*matched = true;
	abs = path_absolute(path);
	text = runtime_ask(rc->o, abs, r->query, r->input);
	if (!text)
		skiff_err("warning: %s did not answer what it loads (%s ...); only its libraries are packed",
			  abs, r->query[0] ? r->query[0] : "stdin");
	else
		err = add_lines(rc, text, r->exclude, name);
	free(text);
	free(abs);
	rc->es->weak = weak;
	return err;
}
