/*
 * The image skiff boots: a cpio newc archive (cpio.c) the kernel unpacks
 * into its root filesystem. It holds:
 *   - the program at its real host path (and, if the path the user typed
 *     differs, a symlink there to the real path);
 *   - each --file HOST[:GUEST] at GUEST, default HOST's absolute path; a
 *     symlink is stored as a symlink to the real path of its target, and the
 *     target is stored at that path;
 *   - the current directory, so relative paths work in the guest;
 *   - the files of skiff/proto.h: /.skiff/argv, env, exe, cwd;
 *   - every parent directory of the above, mode 0755.
 * Entries are collected first, sorted so that a directory precedes its
 * contents, checked for clashes (one path given two different contents),
 * then written. File data is streamed, never held in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <skiff/proto.h>
#include "cpio.h"
#include "skiff.h"

enum entry_kind { ENT_DIR, ENT_FILE, ENT_LINK, ENT_DATA };

struct entry {
	char *guest;		/* absolute, normalized path in the image */
	enum entry_kind kind;
	char *src;		/* FILE: host path; LINK: target; DATA: bytes */
	size_t len;		/* DATA: length of src */
	unsigned mode;		/* permission bits */
	const char *origin;	/* what asked for it, for messages */
};

struct entries {
	struct entry *v;
	size_t n, cap;
};

static void add(struct entries *es, const char *guest, enum entry_kind kind,
		char *src, size_t len, unsigned mode, const char *origin)
{
	if (es->n == es->cap) {
		es->cap = es->cap ? 2 * es->cap : 32;
		es->v = realloc(es->v, es->cap * sizeof(*es->v));
		if (!es->v) {
			skiff_err("out of memory");
			exit(SKIFF_EXIT_FAILED);
		}
	}
	es->v[es->n++] = (struct entry){ xstrdup(guest), kind, src, len, mode,
					 origin };
}

/* guest and all its parent directories (but "/"). */
static void add_with_parents(struct entries *es, const char *guest,
			     enum entry_kind kind, char *src, size_t len,
			     unsigned mode, const char *origin)
{
	char *dir = xstrdup(guest);

	for (char *s = strchr(dir + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		add(es, dir, ENT_DIR, NULL, 0, 0755, origin);
		*s = '/';
	}
	free(dir);
	add(es, guest, kind, src, len, mode, origin);
}

/*
 * The host file host at guest. A symlink becomes a symlink to its target's
 * real path, and the target is stored there too.
 */
static int add_host(struct entries *es, const char *host, const char *guest,
		    const char *origin)
{
	char real[PATH_MAX];
	struct stat st;
	bool link;

	if (lstat(host, &st) < 0 || ((link = S_ISLNK(st.st_mode)) &&
				     stat(host, &st) < 0)) {
		skiff_err("%s: %s", origin, strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	if (S_ISDIR(st.st_mode)) {
		skiff_err("%s: is a directory; only files can be put in an image for now",
			  origin);
		return SKIFF_EXIT_FAILED;
	}
	if (!S_ISREG(st.st_mode)) {
		skiff_err("%s: not a regular file", origin);
		return SKIFF_EXIT_FAILED;
	}
	if (!realpath(host, real)) {
		skiff_err("%s: %s", origin, strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	if (link && strcmp(real, guest)) {
		add_with_parents(es, guest, ENT_LINK, xstrdup(real), 0, 0777,
				 origin);
		guest = real;
	}
	add_with_parents(es, guest, ENT_FILE, xstrdup(real), 0,
			 st.st_mode & 07777, origin);
	return 0;
}

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

/* The defaults of proto.h, then -e values, a later KEY replacing an earlier. */
static char *env_block(const struct skiff_opts *o, size_t *len)
{
	char **v = xmalloc((o->nenv + 2) * sizeof(*v));
	size_t n = 0;
	char *buf;

	v[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	v[n++] = "HOME=/";
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
	return buf;
}

static void add_control_files(struct entries *es, const struct skiff_opts *o,
			      const struct program *p, const char *cwd)
{
	size_t len;
	char **argv = xmalloc(o->argc * sizeof(*argv));
	char *buf;

	argv[0] = p->typed;
	for (int i = 1; i < o->argc; i++)
		argv[i] = o->argv[i];
	buf = join0(argv, o->argc, &len);
	free(argv);
	add_with_parents(es, PROTO_DIR "/argv", ENT_DATA, buf, len, 0444, "argv");
	buf = env_block(o, &len);
	add(es, PROTO_DIR "/env", ENT_DATA, buf, len, 0444, "env");
	add(es, PROTO_DIR "/exe", ENT_DATA, xstrdup(p->real), strlen(p->real),
	    0444, "exe");
	add(es, PROTO_DIR "/cwd", ENT_DATA, xstrdup(cwd), strlen(cwd), 0444,
	    "cwd");
}

static int collect(struct entries *es, const struct skiff_opts *o,
		   const struct program *p)
{
	char cwd[PATH_MAX];
	int err;

	if (!getcwd(cwd, sizeof(cwd))) {
		skiff_err("cannot get the current directory: %s", strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	if (strcmp(cwd, "/"))
		add_with_parents(es, cwd, ENT_DIR, NULL, 0, 0755,
				 "the current directory");
	/* The program at its real path, and at the path typed if different. */
	err = add_host(es, p->real, p->real, p->typed);
	if (!err && strcmp(p->abs, p->real))
		add_with_parents(es, p->abs, ENT_LINK, xstrdup(p->real), 0,
				 0777, p->typed);
	for (size_t i = 0; i < o->nfiles && !err; i++) {
		const struct file_spec *f = &o->files[i];
		char *guest = f->guest ? xstrdup(f->guest) : path_absolute(f->host);
		char *origin = xasprintf("--file %s", f->host);

		err = add_host(es, f->host, guest, origin);
		free(guest);
	}
	if (!err)
		add_control_files(es, o, p, cwd);
	return err;
}

/* Path order with '/' below every other byte: a directory's contents come
 * right after it, so parents are written before their children. */
static int path_cmp(const void *a, const void *b)
{
	const u8 *x = (const u8 *)((const struct entry *)a)->guest;
	const u8 *y = (const u8 *)((const struct entry *)b)->guest;

	for (;; x++, y++) {
		int kx = *x == '/' ? 1 : *x ? *x + 1 : 0;
		int ky = *y == '/' ? 1 : *y ? *y + 1 : 0;

		if (kx != ky || !kx)
			return kx - ky;
	}
}

static bool same_entry(const struct entry *a, const struct entry *b)
{
	if (a->kind != b->kind)
		return false;
	return a->kind == ENT_DIR ||
	       ((a->kind == ENT_FILE || a->kind == ENT_LINK) &&
		!strcmp(a->src, b->src));
}

/* Sorts, drops duplicates, refuses one path with two contents. */
static int check_clashes(struct entries *es)
{
	size_t out = 0;

	qsort(es->v, es->n, sizeof(*es->v), path_cmp);
	for (size_t i = 0; i < es->n; i++) {
		struct entry *prev = out ? &es->v[out - 1] : NULL;
		struct entry *e = &es->v[i];

		if (prev && !strcmp(prev->guest, e->guest)) {
			if (same_entry(prev, e)) {
				free(e->guest);
				free(e->src);
				continue;
			}
			skiff_err("%s would hold two different things in the image (from %s and %s)",
				  e->guest, prev->origin, e->origin);
			/* Keep every live entry for free_entries(). */
			memmove(&es->v[out], e, (es->n - i) * sizeof(*e));
			es->n = out + es->n - i;
			return SKIFF_EXIT_FAILED;
		}
		es->v[out++] = *e;
	}
	es->n = out;
	return 0;
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
	err = cpio_add_fd(c, e->guest, e->mode, st.st_mtime, fd, st.st_size);
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

static void free_entries(struct entries *es)
{
	for (size_t i = 0; i < es->n; i++) {
		free(es->v[i].guest);
		free(es->v[i].src);
	}
	free(es->v);
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
		err = check_clashes(&es);
	for (size_t i = 0; i < es.n && !err; i++)
		err = write_entry(c, &es.v[i], now);
	if (!err)
		err = cpio_finish(c);
	if (err < 0) {
		skiff_err("writing the image %s: %s", fd_name, strerror(-err));
		err = SKIFF_EXIT_FAILED;
	}
	*size = c->size;
	free_entries(&es);
	free(c);
	return err;
}
