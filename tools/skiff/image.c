/*
 * The image skiff boots: a cpio newc archive (cpio.c) the kernel unpacks
 * into its root filesystem. It holds:
 *   - the program at the path typed (made absolute), with the host's
 *     symlinks on the way, and its file at its real path;
 *   - a dynamically linked program's interpreter and libraries (deps.c),
 *     at the paths ld.so finds them on the host, with their symlinks (a
 *     merged-/usr Debian's /lib -> usr/lib), and /etc/ld.so.cache, so the
 *     guest's ld.so finds them, and what is dlopened later, the same way;
 *   - an interpreter's own files (runtimes.c: python3's stdlib, ...);
 *   - each --dir HOST[:GUEST] tree and --file HOST[:GUEST] file, with the
 *     libraries of the ELF files among them;
 *   - skiff run: the current directory (empty), so relative paths work
 *     in the guest (run.c shares it live unless --no-cwd); skiff build
 *     records -w's directory or / instead, never the current one;
 *   - the files of skiff/proto.h: /.skiff/argv, env, exe, cwd;
 *   - /etc/passwd, group, nsswitch.conf, and hosts, hostname and
 *     resolv.conf for the guest's network (net.c; an image written by
 *     skiff build: for QEMU's user networking), unless --file or --dir put
 *     others there;
 *   - skiff build: the ports published with -p, in NET_PORTS_FILE, which
 *     skiff run IMAGE reads back (image_read_file) and the kernel ignores.
 * Entries are collected (entries.c), sorted so that a directory precedes
 * its contents, checked for clashes, then written. File data is streamed,
 * never held in memory. A file of IMAGE_ALIGN_MIN bytes or more has its
 * data at a page boundary of the archive (a padding entry before it, see
 * cpio.h), so the kernel can map it where it lies.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <skiff/cpio.h>
#include <skiff/proto.h>
#include "cpio.h"
#include "skiff.h"

#define IMAGE_ALIGN_MIN 65536
#define LD_SO_CACHE "/etc/ld.so.cache"

/*
 * Written by skiff; what programs read through glibc's NSS and resolver.
 * nsswitch.conf: without it glibc asks DNS before /etc/hosts for a name.
 */
static const struct {
	const char *path, *text;
} etc_files[] = {
	{ "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n" },
	{ "/etc/group", "root:x:0:\n" },
	{ "/etc/nsswitch.conf",
	  "passwd: files\ngroup: files\nhosts: files dns\n" },
};

struct collect {
	struct entries *es;
	struct deps *deps;	/* NULL for a static program */
	bool quiet;		/* no warning for a library not found */
	int err;		/* the first error of a callback */
};

/* NUL-terminated strings, concatenated. */
static char *join0(char **v, size_t n, size_t *len)
{
	size_t total = 0, off = 0;
	char *buf;

	for (size_t i = 0; i < n; i++)
		total += strlen(v[i]) + 1;
	buf = xmalloc(total);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]) + 1;

		memcpy(buf + off, v[i], l);
		off += l;
	}
	*len = total;
	return buf;
}

/* The defaults of proto.h (and skiff run's TERM when its output is a
 * terminal), then -e values, a later KEY replacing an earlier. */
static char *env_block(const struct skiff_opts *o, size_t *len)
{
	char **v = xmalloc((o->nenv + 3) * sizeof(*v));
	const char *term = getenv("TERM");
	size_t n = 0;
	char *buf, *term_kv = NULL;

	v[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	v[n++] = "HOME=/";
	if (!o->build && term && *term && isatty(STDOUT_FILENO))
		v[n++] = term_kv = xasprintf("TERM=%s", term);
	for (size_t i = 0; i < o->nenv; i++) {
		size_t key = strchr(o->env[i], '=') - o->env[i] + 1, j;

		for (j = 0; j < n && strncmp(v[j], o->env[i], key); j++)
			;
		v[j] = o->env[i];
		if (j == n)
			n++;
	}
	buf = join0(v, n, len);
	free(v);
	free(term_kv);
	return buf;
}

/*
 * Linux's E2BIG limits (skiff/proto.h): strings and their pointers within
 * PROTO_ARG_MAX, no string longer than PROTO_ARG_STRLEN_MAX. 0 or a skiff
 * exit status, after one line saying what is too large.
 */
static int check_arg_limits(const char *args, size_t args_len, const char *env,
			    size_t env_len)
{
	size_t n = 0, total = args_len + env_len;
	const char *bufs[2] = { args, env };
	size_t lens[2] = { args_len, env_len };

	for (int b = 0; b < 2; b++) {
		for (size_t i = 0; i < lens[b];) {
			size_t l = strlen(bufs[b] + i) + 1;

			if (l > PROTO_ARG_STRLEN_MAX) {
				skiff_err("an %s string is %zu bytes, more than the %lu Linux passes to a program (E2BIG)",
					  b ? "environment" : "argument", l,
					  PROTO_ARG_STRLEN_MAX);
				return SKIFF_EXIT_CANNOT_RUN;
			}
			i += l;
			n++;
		}
	}
	total += n * sizeof(char *);
	if (total > PROTO_ARG_MAX) {
		skiff_err("the arguments and environment take %zu bytes, more than the %lu Linux passes to a program with an 8 MiB stack limit (E2BIG)",
			  total, PROTO_ARG_MAX);
		return SKIFF_EXIT_CANNOT_RUN;
	}
	return 0;
}

static int add_control_files(struct entries *es, const struct skiff_opts *o,
			     const struct program *p, const char *cwd)
{
	size_t len, env_len;
	char **argv = xmalloc(o->argc * sizeof(*argv));
	char *buf, *env;

	argv[0] = p->typed;
	for (int i = 1; i < o->argc; i++)
		argv[i] = o->argv[i];
	buf = join0(argv, o->argc, &len);
	free(argv);
	env = env_block(o, &env_len);
	int err = check_arg_limits(buf, len, env, env_len);
	if (err) {
		free(buf);
		free(env);
		return err;
	}
	ent_add_with_parents(es, PROTO_DIR "/argv", ENT_DATA, buf, len, 0444,
			     "argv");
	ent_add(es, PROTO_DIR "/env", ENT_DATA, env, env_len, 0444, "env");
	ent_add(es, PROTO_DIR "/exe", ENT_DATA, xstrdup(p->real),
		strlen(p->real), 0444, "exe");
	ent_add(es, PROTO_DIR "/cwd", ENT_DATA, xstrdup(cwd), strlen(cwd), 0444,
		"cwd");
	return 0;
}

/* deps.c found name (needed by needed_by) at path: into the image. */
static void on_found(void *ctx, const char *name, const char *path,
		     const char *needed_by)
{
	struct collect *cl = ctx;
	bool weak = cl->es->weak;
	int err;

	if (!path) {
		if (!cl->quiet)
			skiff_err("warning: %s (needed by %s) is not on this host; the program may not start",
				  name, needed_by);
		return;
	}
	cl->es->weak = true;
	err = ent_add_host(cl->es, path, NULL,
			   xasprintf("%s (needed by %s)", name, needed_by));
	cl->es->weak = weak;
	if (err && !cl->err)
		cl->err = err;
}

/* An ELF file the program may dlopen: its libraries too. */
static void on_elf(void *ctx, const char *host)
{
	struct collect *cl = ctx;

	if (cl->deps)
		deps_object(cl->deps, host);
}

/*
 * What glibc's ld.so reads besides the libraries: its cache (so that what
 * is dlopened later is found as on the host), and libgcc_s.so.1, which
 * glibc dlopens to unwind the stack in pthread_exit and pthread_cancel.
 */
static int add_glibc_files(struct collect *cl)
{
	deps_dlopen(cl->deps, "libgcc_s.so.1");
	if (access(LD_SO_CACHE, R_OK) < 0)
		return 0;
	return ent_add_host(cl->es, LD_SO_CACHE, NULL, "ld.so's cache");
}

/* The interpreter, libraries, ld.so.cache and runtime files: all weak. */
static int collect_auto(struct collect *cl, const struct program *p)
{
	int err = 0;

	cl->es->weak = true;
	if (p->dynamic) {
		cl->deps = deps_new(LD_SO_CACHE, on_found, cl);
		if (deps_program(cl->deps, p->real))
			err = SKIFF_EXIT_CANNOT_RUN;
		if (!err && !deps_musl(cl->deps))
			err = add_glibc_files(cl);
	}
	/* A module the interpreter may never load needs no warning. */
	cl->quiet = true;
	if (!err)
		err = runtime_add(cl->es, p, on_elf, cl);
	cl->quiet = false;
	cl->es->weak = false;
	return err ? err : cl->err;
}

/* --dir and --file, each ELF file among them with its libraries. */
static int collect_user(struct collect *cl, const struct skiff_opts *o)
{
	struct tree_opts t = { NULL, on_elf, cl };
	int err = 0;

	for (size_t i = 0; i < o->ndirs && !err; i++) {
		const struct file_spec *f = &o->dirs[i];

		err = tree_add(cl->es, f->host, f->guest, &t,
			       xasprintf("--dir %s", f->host));
	}
	for (size_t i = 0; i < o->nfiles && !err; i++) {
		const struct file_spec *f = &o->files[i];
		char *real = realpath(f->host, NULL);

		err = ent_add_file(cl->es, f->host, f->guest,
				   xasprintf("--file %s", f->host));
		if (!err && real && tree_is_elf(real))
			on_elf(cl, real);
		free(real);
	}
	return err ? err : cl->err;
}

static void add_etc(struct entries *es, const char *path, char *text)
{
	if (text)
		ent_add_with_parents(es, path, ENT_DATA, text, strlen(text),
				     0644, "skiff's /etc files");
}

/* Weak: a --dir or --file /etc of the user's keeps its own. */
static void add_etc_files(struct entries *es, const struct net_config *n)
{
	es->weak = true;
	for (size_t i = 0; i < ARRAY_SIZE(etc_files); i++)
		add_etc(es, etc_files[i].path, xstrdup(etc_files[i].text));
	add_etc(es, "/etc/hosts", net_etc_hosts(n));
	add_etc(es, "/etc/hostname", net_etc_hostname());
	add_etc(es, "/etc/resolv.conf", net_etc_resolv(n));
	es->weak = false;
}

/* skiff build: the published ports, for skiff run IMAGE. */
static void add_ports(struct entries *es, const struct skiff_opts *o)
{
	size_t len;
	char *text;

	if (!o->build || !o->net.nports)
		return;
	text = net_ports_text(&o->net, &len);
	ent_add(es, NET_PORTS_FILE, ENT_DATA, text, len, 0444, "-p");
}

/*
 * The terminfo entry of the TERM env_block passes (the first of ncurses'
 * directories holding it), so that a curses program in the guest knows the
 * host terminal. Nothing when TERM is not passed or has no entry here.
 */
static int add_terminfo(struct entries *es, const struct skiff_opts *o)
{
	static const char *const dirs[] = { "/etc/terminfo", "/lib/terminfo",
					    "/usr/share/terminfo" };
	const char *term = getenv("TERM");

	if (o->build || !term || !*term || strchr(term, '/') ||
	    !isatty(STDOUT_FILENO))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char *path = xasprintf("%s/%c/%s", dirs[i], term[0], term);
		int err = access(path, R_OK) ? -1 :
			  ent_add_host(es, path, NULL, "the terminal's terminfo");

		free(path);
		if (err >= 0)
			return err;
	}
	return 0;
}

static int collect(struct entries *es, const struct skiff_opts *o,
		   const struct program *p)
{
	struct collect cl = { es, NULL, false, 0 };
	char cwd[PATH_MAX];
	int err;

	/* skiff build never captures the current directory: its image
	 * starts in -w's directory or /. */
	if (o->build)
		snprintf(cwd, sizeof(cwd), "%s", o->workdir ? o->workdir : "/");
	else if (!getcwd(cwd, sizeof(cwd))) {
		skiff_err("cannot get the current directory: %s", strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	if (strcmp(cwd, "/") && !o->build)
		ent_add_with_parents(es, cwd, ENT_DIR, NULL, 0, 0755,
				     "the current directory");
	/* The program at the path typed: its symlinks, its real file. */
	err = ent_add_host(es, p->abs, NULL, p->typed);
	if (!err)
		err = collect_auto(&cl, p);
	if (!err)
		err = collect_user(&cl, o);
	if (!err)
		err = add_terminfo(es, o);
	if (!err)
		err = add_control_files(es, o, p, cwd);
	if (!err) {
		add_etc_files(es, &o->net);
		add_ports(es, o);
	}
	if (cl.deps)
		deps_free(cl.deps);
	return err;
}

static int write_file(struct cpio *c, const struct entry *e, u64 now)
{
	struct stat st;
	int fd = open(e->src, O_RDONLY | O_CLOEXEC);
	int err;

	if (fd < 0 || fstat(fd, &st) < 0) {
		skiff_err("%s: %s: %s", e->origin, e->src, strerror(errno));
		if (fd >= 0)
			close(fd);
		return SKIFF_EXIT_FAILED;
	}
	err = 0;
	if (st.st_size >= IMAGE_ALIGN_MIN)
		err = cpio_align_next(c, e->guest, CPIO_PAGE);
	if (!err)
		err = cpio_add_fd(c, e->guest, e->mode, st.st_mtime, fd,
				  st.st_size);
	close(fd);
	if (err == -EFBIG)
		skiff_err("%s: %s is larger than 4 GiB, the most an image file can hold",
			  e->origin, e->src);
	else if (err == -ESTALE)
		skiff_err("%s: %s changed while being packed", e->origin, e->src);
	return err == -EFBIG || err == -ESTALE ? SKIFF_EXIT_FAILED : err;
}

static int write_entry(struct cpio *c, const struct entry *e, u64 now)
{
	switch (e->kind) {
	case ENT_DIR:
		return cpio_add_dir(c, e->guest, e->mode, now);
	case ENT_LINK:
		return cpio_add_symlink(c, e->guest, e->src, now);
	case ENT_DATA:
		return cpio_add_data(c, e->guest, e->mode, now, e->src, e->len);
	case ENT_FILE:
		return write_file(c, e, now);
	}
	return 0;
}

int image_write(int fd, const char *fd_name, const struct skiff_opts *o,
		const struct program *p, u64 *size)
{
	struct entries es = { 0 };
	struct cpio *c = xmalloc(sizeof(*c));
	u64 now = time(NULL);
	int err;

	cpio_init(c, fd);
	err = collect(&es, o, p);
	if (!err)
		err = ent_finish(&es);
	for (size_t i = 0; i < es.n && !err; i++)
		err = write_entry(c, &es.v[i], now);
	if (!err)
		err = cpio_finish(c);
	if (err < 0) {
		skiff_err("writing the image %s: %s", fd_name, strerror(-err));
		err = SKIFF_EXIT_FAILED;
	}
	*size = c->size;
	ent_free(&es);
	free(c);
	return err;
}

/* The regular file guest of the archive (len bytes at base), or NULL. A
 * corrupt archive is read up to the damage: the kernel checks it all, and
 * says what is wrong, when it boots. */
static bool find_entry(const void *base, size_t len, const char *guest,
		       struct cpio_entry *e)
{
	struct cpio_iter it;

	cpio_iter_init(&it, base, len);
	while (cpio_next(&it, e) > 0)
		if (!strcmp(e->name, guest + 1) && (e->mode & S_IFMT) == S_IFREG)
			return true;
	return false;
}

char *image_read_file(const char *path, const char *guest, size_t *len,
		      int *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct cpio_entry e;
	struct stat st;
	char *out = NULL;
	void *base;

	*err = 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		skiff_err("%s: %s", path, strerror(errno));
		goto fail;
	}
	if (st.st_size == 0) {
		close(fd);
		return NULL;
	}
	base = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (base == MAP_FAILED) {
		skiff_err("%s: %s", path, strerror(errno));
		goto fail;
	}
	if (find_entry(base, st.st_size, guest, &e)) {
		out = xmalloc(e.size + 1);
		memcpy(out, e.data, e.size);
		out[e.size] = '\0';
		*len = e.size;
	}
	munmap(base, st.st_size);
	close(fd);
	return out;
fail:
	if (fd >= 0)
		close(fd);
	*err = SKIFF_EXIT_FAILED;
	return NULL;
}
