/*
 * The image skiff boots: a cpio newc archive (cpio.c) the kernel unpacks
 * into its root filesystem. It holds:
 *   - the program, a script's interpreters, libraries, an interpreter's
 *     own files, --dir and --file, host data (pack.c's rules), at their
 *     host paths with the symlinks on the way (a merged-/usr Debian's
 *     /lib -> usr/lib), directories and symlinks with their host mtimes;
 *   - skiff run: the current directory (empty), so relative paths work
 *     in the guest (run.c shares it live unless --no-cwd); skiff build
 *     records -w's directory or / instead, never the current one;
 *   - the files of skiff/proto.h: /.skiff/argv, env, exe, cwd;
 *   - /etc/passwd, group, nsswitch.conf, and hosts, hostname and
 *     resolv.conf for the guest's network (net.c; an image written by
 *     skiff build: for QEMU's user networking), unless --file or --dir put
 *     others there;
 *   - skiff build: the ports published with -p, in NET_PORTS_FILE, which
 *     skiff run IMAGE reads back (image_read_file) and the kernel ignores;
 *     --cpus N the same way, in SKIFF_CPUS_FILE (flags.c).
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
#define IMAGE_LARGE_MIB 256	/* an image this large is announced */

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

/* KEY=VAL into v (n strings, room for one more): replaces KEY's string. */
static void env_set(char **v, size_t *n, char *kv)
{
	size_t key = strchr(kv, '=') - kv + 1, j;

	for (j = 0; j < *n && strncmp(v[j], kv, key); j++)
		;
	v[j] = kv;
	if (j == *n)
		(*n)++;
}

/* The defaults of proto.h (and skiff run's TERM when its output is a
 * terminal, skiff's LD_LIBRARY_PATH, which the libraries were found
 * with: pack_env), then -e values, a later KEY replacing an earlier. */
static char *env_block(const struct skiff_opts *o, size_t *len)
{
	char **v = xmalloc((o->nenv + 4) * sizeof(*v));
	const char *term = getenv("TERM"), *llp = getenv("LD_LIBRARY_PATH");
	size_t n = 0;
	char *buf, *term_kv = NULL, *llp_kv = NULL;

	v[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	v[n++] = "HOME=/";
	if (!o->build && term && *term && isatty(STDOUT_FILENO))
		v[n++] = term_kv = xasprintf("TERM=%s", term);
	if (llp && *llp)
		v[n++] = llp_kv = xasprintf("LD_LIBRARY_PATH=%s", llp);
	for (size_t i = 0; i < o->nenv; i++)
		env_set(v, &n, o->env[i]);
	buf = join0(v, n, len);
	free(v);
	free(term_kv);
	free(llp_kv);
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
	size_t len, env_len, argc = p->nlead + o->argc - 1;
	char **argv = xmalloc(argc * sizeof(*argv));
	char *buf, *env;

	/* The program's name, or a script's interpreters (program.c). */
	for (int i = 0; i < p->nlead; i++)
		argv[i] = p->lead[i];
	for (int i = 1; i < o->argc; i++)
		argv[p->nlead + i - 1] = o->argv[i];
	buf = join0(argv, argc, &len);
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
	ent_add(es, PROTO_DIR "/exe", ENT_DATA, xstrdup(p->exe),
		strlen(p->exe), 0444, "exe");
	ent_add(es, PROTO_DIR "/cwd", ENT_DATA, xstrdup(cwd), strlen(cwd), 0444,
		"cwd");
	return 0;
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

/* skiff build --api: the API's port, for skiff run IMAGE (api.c). */
static void add_api(struct entries *es, const struct skiff_opts *o)
{
	size_t len;
	char *text = api_image_text(o, &len);

	if (text)
		ent_add(es, PROTO_DIR "/api", ENT_DATA, text, len, 0444, "--api");
}

/* skiff build --cpus N: the vCPUs, for skiff run IMAGE (flags.c). */
static void add_cpus(struct entries *es, const struct skiff_opts *o)
{
	char *text;

	if (!o->build || !o->cpus)
		return;
	text = xasprintf("%d\n", o->cpus);
	ent_add(es, SKIFF_CPUS_FILE, ENT_DATA, text, strlen(text), 0444,
		"--cpus");
}

static int collect(struct entries *es, const struct skiff_opts *o,
		   const struct program *p)
{
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
	if (o->workdir) {
		if (o->workdir[0] != '/') {
			skiff_err("-w %s: the working directory must be an absolute guest path",
				  o->workdir);
			return SKIFF_EXIT_USAGE;
		}
		char *w = path_normalize(o->workdir);

		snprintf(cwd, sizeof(cwd), "%s", w);
		free(w);
	}
	if (strcmp(cwd, "/"))
		ent_add_with_parents(es, cwd, ENT_DIR, NULL, 0, 0755,
				     o->workdir ? "-w" : "the current directory");
	/* The program and all it needs, --dir and --file (pack.c). */
	err = pack_program(es, o, p);
	if (!err)
		err = add_control_files(es, o, p, cwd);
	if (!err) {
		add_etc_files(es, &o->net);
		add_ports(es, o);
		add_api(es, o);
		add_cpus(es, o);
	}
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
		return cpio_add_dir(c, e->guest, e->mode, e->mtime ? (u64)e->mtime : now);
	case ENT_LINK:
		return cpio_add_symlink(c, e->guest, e->src,
					e->mtime ? (u64)e->mtime : now);
	case ENT_DATA:
		return cpio_add_data(c, e->guest, e->mode, now, e->src, e->len);
	case ENT_FILE:
		return write_file(c, e, now);
	}
	return 0;
}

/*
 * Before anything is written: the image's estimated size, said when large,
 * and refused when skiff run's guest memory cannot hold it (the kernel
 * keeps the image in memory and needs a few MiB of its own).
 */
static int check_size(const struct entries *es, const struct skiff_opts *o)
{
	size_t files;
	u64 size = ent_estimate(es, &files);
	u64 mib = (size + (1 << 20) - 1) >> 20, need = mib + 8;

	pack_note("the image: about %llu MiB, %zu files",
		  (unsigned long long)mib, files);
	if (!o->build && need > o->memory_mib) {
		skiff_err("the image (about %llu MiB, %zu files) does not fit in %llu MiB of guest memory; use --memory %lluM or more",
			  (unsigned long long)mib, files,
			  (unsigned long long)o->memory_mib,
			  (unsigned long long)ALIGN_UP(need + 32, 64));
		return SKIFF_EXIT_FAILED;
	}
	if (mib >= IMAGE_LARGE_MIB && !o->verbose)
		skiff_err("writing an image of about %llu MiB (%zu files)%s",
			  (unsigned long long)mib, files, o->build ?
			  "; skiff run needs --memory above its size" : "");
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
	if (!err)
		err = check_size(&es, o);
	for (size_t i = 0; i < es.n && !err; i++)
		err = write_entry(c, &es.v[i], now);
	/* Once more at the end: the guest's unpacking of what a directory
	 * holds changes its mtime; this sets the host's back. */
	for (size_t i = 0; i < es.n && !err; i++)
		if (es.v[i].kind == ENT_DIR && es.v[i].mtime)
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

/* The NUL-separated strings of buf (len bytes) into v (malloc'd, room for
 * extra more); the strings stay in buf. */
static char **split0(char *buf, size_t len, size_t extra, size_t *n)
{
	char **v;
	size_t count = 0;

	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		count++;
	v = xmalloc((count + extra + 1) * sizeof(*v));
	*n = 0;
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		v[(*n)++] = buf + i;
	return v;
}

/* What skiff run IMAGE ARGS gives: the image's argv[0], then ARGS. */
static char *override_argv(const char *image, const struct skiff_opts *o,
			   size_t *len, int *err)
{
	size_t ilen;
	char *old = image_read_file(image, PROTO_DIR "/argv", &ilen, err);
	char **v = xmalloc((o->argc + 1) * sizeof(*v)), *buf;

	if (!old) {
		if (!*err)
			skiff_err("%s: not a Skiff image (it has no %s/argv)",
				  image, PROTO_DIR);
		*err = SKIFF_EXIT_CANNOT_RUN;
		free(v);
		return NULL;
	}
	v[0] = old;
	for (int i = 1; i < o->argc; i++)
		v[i] = o->argv[i];
	buf = join0(v, o->argc, len);
	free(v);
	free(old);
	return buf;
}

/* The image's environment with -e's values, a later KEY replacing. */
static char *override_env(const char *image, const struct skiff_opts *o,
			  size_t *len, int *err)
{
	size_t ilen = 0, n;
	char *old = image_read_file(image, PROTO_DIR "/env", &ilen, err), *buf;
	char **v;

	if (*err)
		return NULL;
	v = split0(old ? old : "", old ? ilen : 0, o->nenv, &n);
	for (size_t i = 0; i < o->nenv; i++)
		env_set(v, &n, o->env[i]);
	buf = join0(v, n, len);
	free(v);
	free(old);
	return buf;
}

int image_write_overrides(int fd, const char *image, const struct skiff_opts *o)
{
	struct cpio *c = xmalloc(sizeof(*c));
	char *args = NULL, *env = NULL, *cwd = NULL;
	size_t args_len = 0, env_len = 0;
	u64 now = time(NULL);
	int err = 0;

	if (o->argc > 1)
		args = override_argv(image, o, &args_len, &err);
	if (!err && o->nenv)
		env = override_env(image, o, &env_len, &err);
	if (!err && (args || env))
		err = check_arg_limits(args ? args : "", args_len,
				       env ? env : "", env_len);
	if (!err && o->workdir && o->workdir[0] != '/') {
		skiff_err("-w %s: the working directory must be an absolute guest path",
			  o->workdir);
		err = SKIFF_EXIT_USAGE;
	}
	cpio_init(c, fd);
	if (!err && o->workdir) {
		cwd = path_normalize(o->workdir);
		/* made with its parents by the kernel, as docker's -w does */
		if (strcmp(cwd, "/"))
			err = cpio_add_dir(c, cwd, 0755, now);
		if (!err)
			err = cpio_add_data(c, PROTO_DIR "/cwd", 0444, now, cwd,
					    strlen(cwd));
	}
	if (!err && args)
		err = cpio_add_data(c, PROTO_DIR "/argv", 0444, now, args,
				    args_len);
	if (!err && env)
		err = cpio_add_data(c, PROTO_DIR "/env", 0444, now, env,
				    env_len);
	if (!err)
		err = cpio_finish(c);
	if (err < 0) {
		skiff_err("writing the image's overrides: %s", strerror(-err));
		err = SKIFF_EXIT_FAILED;
	}
	free(args);
	free(env);
	free(cwd);
	free(c);
	return err;
}
