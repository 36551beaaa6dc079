/*
 * The entries of a Skiff image while they are collected (interface in
 * skiff.h): directories, host files, symlinks and generated data, each at
 * its absolute guest path. Host paths are stored the way the kernel will
 * resolve them: a symlink on the way (/lib -> usr/lib on a merged-/usr
 * Debian) stays a symlink in the image and the walk continues at its
 * target, so no entry ever lies below a symlink of the image.
 *
 * Entries added by skiff itself (libraries, runtime files, /etc files) are
 * weak: where the user put something else at the same path (--file,
 * --dir), the user's wins. Two strong entries, or two weak ones, that put
 * different things at one path are refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "skiff.h"

#define MAX_LINKS 40 /* symlinks followed in one path, like Linux */

struct entry *ent_add(struct entries *es, const char *guest,
		      enum entry_kind kind, char *src, size_t len,
		      unsigned mode, const char *origin)
{
	if (es->n == es->cap) {
		es->cap = es->cap ? 2 * es->cap : 64;
		es->v = realloc(es->v, es->cap * sizeof(*es->v));
		if (!es->v) {
			skiff_err("out of memory");
			exit(SKIFF_EXIT_FAILED);
		}
	}
	es->v[es->n++] = (struct entry){ xstrdup(guest), kind, src, len, mode,
					 es->weak, origin, 0 };
	return &es->v[es->n - 1];
}

void ent_add_with_parents(struct entries *es, const char *guest,
			  enum entry_kind kind, char *src, size_t len,
			  unsigned mode, const char *origin)
{
	char *dir = xstrdup(guest);

	for (char *s = strchr(dir + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		ent_add(es, dir, ENT_DIR, NULL, 0, 0755, origin);
		*s = '/';
	}
	free(dir);
	ent_add(es, guest, kind, src, len, mode, origin);
}

/* The path being resolved: done is resolved (no symlink in it), todo not. */
struct walk {
	char done[PATH_MAX];
	char *todo;		/* malloc'd */
	int links;
};

/* Cuts the next component of w->todo into comp; false at the end. */
static bool next_comp(struct walk *w, char *comp, size_t size, bool *last)
{
	char *p = w->todo, *end;

	while (*p == '/')
		p++;
	if (!*p)
		return false;
	end = strchrnul(p, '/');
	snprintf(comp, size, "%.*s", (int)(end - p), p);
	while (*end == '/')
		end++;
	*last = !*end;
	memmove(w->todo, end, strlen(end) + 1);
	return true;
}

/* done + "/" + comp into out; false if too long. */
static bool child(const char *done, const char *comp, char *out)
{
	return snprintf(out, PATH_MAX, "%s/%s", strcmp(done, "/") ? done : "",
			comp) < PATH_MAX;
}

/* Continues the walk at a symlink's target, then what was left. */
static int follow(struct walk *w, const char *target)
{
	char *todo;

	if (++w->links > MAX_LINKS)
		return -ELOOP;
	todo = xasprintf("%s/%s", target, w->todo);
	free(w->todo);
	w->todo = todo;
	if (target[0] == '/')
		strcpy(w->done, "/");
	return 0;
}

static void up(char *done)
{
	char *slash = strrchr(done, '/');

	if (slash == done)
		done[1] = '\0';
	else if (slash)
		*slash = '\0';
}

/* One step of ent_add_host at the component comp. */
static int host_step(struct entries *es, struct walk *w, const char *comp,
		     bool last, const char *origin)
{
	char next[PATH_MAX], target[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (!child(w->done, comp, next))
		return -ENAMETOOLONG;
	if (lstat(next, &st) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode)) {
		n = readlink(next, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		ent_add(es, next, ENT_LINK, xstrdup(target), 0, 0777,
			origin)->mtime = st.st_mtime;
		return follow(w, target);
	}
	if (S_ISDIR(st.st_mode))
		ent_add(es, next, ENT_DIR, NULL, 0, st.st_mode & 07777,
			origin)->mtime = st.st_mtime;
	else if (!last)
		return -ENOTDIR;
	else if (S_ISREG(st.st_mode))
		ent_add(es, next, ENT_FILE, xstrdup(next), 0, st.st_mode & 07777,
			origin);
	else
		return -EPERM; /* a device, FIFO or socket */
	strcpy(w->done, next);
	return 0;
}

int ent_add_host(struct entries *es, const char *path, char **real,
		 const char *origin)
{
	struct walk w = { "/", NULL, 0 };
	char comp[NAME_MAX + 1];
	bool last;
	int err = 0;

	/* Relative (a library found through a relative RPATH): from the
	 * current directory, which is the guest's too. */
	if (path[0] != '/' && !getcwd(w.done, sizeof(w.done)))
		err = -errno;
	w.todo = xstrdup(path);

	while (!err && next_comp(&w, comp, sizeof(comp), &last)) {
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, ".."))
			up(w.done);
		else
			err = host_step(es, &w, comp, last, origin);
	}
	free(w.todo);
	if (err == -EPERM)
		skiff_err("%s: %s is not a regular file, directory or symlink",
			  origin, path);
	else if (err)
		skiff_err("%s: %s: %s", origin, path, strerror(-err));
	if (err)
		return SKIFF_EXIT_FAILED;
	if (real)
		*real = xstrdup(w.done);
	return 0;
}

/*
 * A file whose size stat cannot tell (/proc and /sys say 0): its content,
 * read to the end, as data. NULL with *len 0 when it is empty after all,
 * or cannot be read (errno set).
 */
static char *slurp(const char *path, size_t *len)
{
	size_t cap = 0;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t n = 0;

	*len = 0;
	if (fd < 0)
		return NULL;
	do {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			char *b = realloc(buf, cap);
			if (!b) {
				n = -1;
				errno = ENOMEM;
				break;
			}
			buf = b;
		}
		n = read(fd, buf + *len, cap - *len);
		if (n > 0)
			*len += n;
	} while (n > 0);
	int e = errno;
	close(fd);
	if (n < 0) {
		free(buf);
		*len = 0;
		errno = e;
		return NULL;
	}
	return buf;
}

const char *ent_reserved(const char *guest)
{
	static const char *const dirs[] = { "/proc", "/sys", "/dev" };

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		size_t n = strlen(dirs[i]);
		if (!strncmp(guest, dirs[i], n) && (!guest[n] || guest[n] == '/'))
			return dirs[i];
	}
	return NULL;
}

int ent_add_file(struct entries *es, const char *host, const char *guest,
		 const char *origin)
{
	char *abs = path_absolute(host), *at, real[PATH_MAX];
	struct stat st, lst;
	int err = 0;

	if (stat(abs, &st) < 0 || lstat(abs, &lst) < 0 || !realpath(abs, real)) {
		skiff_err("%s: %s", origin, strerror(errno));
		err = SKIFF_EXIT_FAILED;
	} else if (S_ISDIR(st.st_mode)) {
		skiff_err("%s: is a directory; use --dir for a directory tree",
			  origin);
		err = SKIFF_EXIT_FAILED;
	} else if (!S_ISREG(st.st_mode)) {
		skiff_err("%s: not a regular file", origin);
		err = SKIFF_EXIT_FAILED;
	} else if (ent_reserved(guest ? guest : abs)) {
		skiff_err("%s: %s belongs to the guest kernel (%s), a file cannot go there",
			  origin, guest ? guest : abs, ent_reserved(guest ? guest : abs));
		err = SKIFF_EXIT_USAGE;
	}
	if (err || !guest || !strcmp(guest, abs)) {
		if (!err)
			err = ent_add_host(es, abs, NULL, origin);
		free(abs);
		return err;
	}
	free(abs);
	/* At another path: a symlink stays a symlink to its file's real path,
	 * where the file goes; a file goes at guest. */
	at = ent_resolve(es, guest, false);
	if (S_ISLNK(lst.st_mode)) {
		err = ent_add_host(es, real, NULL, origin);
		ent_add_with_parents(es, at, ENT_LINK, xstrdup(real), 0, 0777,
				     origin);
	} else if (st.st_size == 0) {
		/* Maybe /proc/cpuinfo: stat says 0 bytes, reading gives more. */
		size_t len;
		char *data = slurp(real, &len);
		if (!data) {
			skiff_err("%s: %s", origin, strerror(errno));
			err = SKIFF_EXIT_FAILED;
		} else {
			ent_add_with_parents(es, at, ENT_DATA, data,
					     len, st.st_mode & 07777, origin);
		}
	} else {
		ent_add_with_parents(es, at, ENT_FILE, xstrdup(real), 0,
				     st.st_mode & 07777, origin);
	}
	free(at);
	return err;
}

static const struct entry *find(const struct entries *es, const char *guest)
{
	for (size_t i = es->n; i-- > 0;)
		if (!strcmp(es->v[i].guest, guest))
			return &es->v[i];
	return NULL;
}

char *ent_resolve(const struct entries *es, const char *guest, bool last)
{
	struct walk w = { "/", xstrdup(guest), 0 };
	char comp[NAME_MAX + 1], next[PATH_MAX], *out;
	const struct entry *e;
	bool at_end;

	while (next_comp(&w, comp, sizeof(comp), &at_end)) {
		if (!strcmp(comp, ".."))
			up(w.done);
		if (!strcmp(comp, ".") || !strcmp(comp, ".."))
			continue;
		if (!child(w.done, comp, next))
			break;
		e = at_end && !last ? NULL : find(es, next);
		if (e && e->kind == ENT_LINK && follow(&w, e->src) == 0)
			continue;
		strcpy(w.done, next);
	}
	out = path_normalize(*w.todo ? guest : w.done);
	free(w.todo);
	return out;
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
	if (a->kind == ENT_DATA)
		return a->len == b->len && !memcmp(a->src, b->src, a->len);
	return a->kind == ENT_DIR || !strcmp(a->src, b->src);
}

static void drop(struct entry *e)
{
	free(e->guest);
	free(e->src);
}

/*
 * Which of two entries at one path stays: 0 the first, 1 the second, -1
 * a clash. A weak entry gives way, but a directory only to a directory
 * (what the weak one put below it would have nowhere to go).
 */
static int winner(const struct entry *a, const struct entry *b)
{
	if (same_entry(a, b))
		return a->weak && !b->weak;
	if (a->weak == b->weak || (a->kind == ENT_DIR) != (b->kind == ENT_DIR))
		return -1;
	return a->weak ? 1 : 0;
}

int ent_finish(struct entries *es)
{
	size_t out = 0;

	/* Not stable, but winner() does not depend on the order. */
	qsort(es->v, es->n, sizeof(*es->v), path_cmp);
	for (size_t i = 0; i < es->n; i++) {
		struct entry *prev = out ? &es->v[out - 1] : NULL;
		struct entry *e = &es->v[i];
		int w;

		if (!prev || strcmp(prev->guest, e->guest)) {
			es->v[out++] = *e;
			continue;
		}
		w = winner(prev, e);
		if (w < 0) {
			skiff_err("%s would hold two different things in the image (from %s and %s)",
				  e->guest, prev->origin, e->origin);
			/* Keep every live entry for ent_free(). */
			memmove(&es->v[out], e, (es->n - i) * sizeof(*e));
			es->n = out + es->n - i;
			return SKIFF_EXIT_FAILED;
		}
		if (w == 1) {
			drop(prev);
			*prev = *e;
		} else {
			drop(e);
		}
	}
	es->n = out;
	return 0;
}

void ent_free(struct entries *es)
{
	for (size_t i = 0; i < es->n; i++)
		drop(&es->v[i]);
	free(es->v);
	es->v = NULL;
	es->n = es->cap = 0;
}

void ent_count(const struct entries *es, size_t from, size_t *files,
	       u64 *bytes)
{
	struct stat st;

	*files = 0;
	*bytes = 0;
	for (size_t i = from; i < es->n; i++) {
		const struct entry *e = &es->v[i];

		if (e->kind == ENT_DATA) {
			*bytes += e->len;
			++*files;
		} else if (e->kind == ENT_FILE && stat(e->src, &st) == 0) {
			*bytes += st.st_size;
			++*files;
		}
	}
}

bool ent_has_name(const struct entries *es, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < es->n; i++) {
		const char *g = es->v[i].guest;
		size_t gl = strlen(g);

		if (es->v[i].kind == ENT_DIR)
			continue;
		if (strchr(name, '/') ? !strcmp(g, name)
				      : gl > n && g[gl - n - 1] == '/' &&
					!strcmp(g + gl - n, name))
			return true;
	}
	return false;
}

u64 ent_estimate(const struct entries *es, size_t *files)
{
	/* cpio newc: a 110-byte header, the name, each padded to 4 bytes;
	 * a large file's data page-aligned behind a padding entry. */
	u64 total = 512, size;
	struct stat st;

	*files = 0;
	for (size_t i = 0; i < es->n; i++) {
		const struct entry *e = &es->v[i];

		size = e->kind == ENT_DATA ? e->len :
		       e->kind == ENT_LINK ? strlen(e->src) : 0;
		if (e->kind == ENT_FILE && stat(e->src, &st) == 0)
			size = st.st_size;
		total += ALIGN_UP(110 + strlen(e->guest) + 1, 4) +
			 ALIGN_UP(size, 4);
		if (size >= 65536)
			total += 4096 + 128;
		*files += e->kind == ENT_FILE || e->kind == ENT_DATA;
	}
	return total;
}
