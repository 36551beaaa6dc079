/*
 * A host directory tree into the image's entries (interface in skiff.h):
 * `--dir HOST[:GUEST]` and the directories of runtimes.c. Files keep their
 * permission bits, symlinks stay symlinks with their own targets, sockets,
 * FIFOs and devices are left out. Hard links are stored as separate files
 * (the cpio writer is hard-link free). The walk never follows a symlink to
 * a directory, so it ends on any tree; a symlink to a file outside the tree
 * brings that file at its own path (python3.11's sitecustomize.py points
 * into /etc/python3.11).
 *
 * A tree at / (`--dir rootfs:/`) merges into the image's root. What it
 * holds under /proc, /sys and /dev (ent_reserved) is left out with one
 * warning: the guest kernel's own file systems would hide or shadow it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "skiff.h"

struct tree {
	struct entries *es;
	const struct tree_opts *t;
	const char *root;	/* the tree's real host path */
	const char *origin;
};

bool tree_is_elf(const char *path)
{
	char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	bool yes;

	if (fd < 0)
		return false;
	yes = read(fd, magic, 4) == 4 && !memcmp(magic, "\177ELF", 4);
	close(fd);
	return yes;
}

static bool excluded(const struct tree *tr, const char *rel)
{
	for (const char *const *p = tr->t->exclude; p && *p; p++)
		if (!fnmatch(*p, rel, FNM_PATHNAME | FNM_PERIOD))
			return true;
	return false;
}

/* Shared objects and executables: the files worth opening for the magic. */
static bool maybe_elf(const char *name, const struct stat *st)
{
	const char *so = strstr(name, ".so");

	return st->st_size >= 64 &&
	       ((st->st_mode & 0111) || (so && (!so[3] || so[3] == '.')));
}

static bool inside(const char *path, const char *root)
{
	size_t n = strlen(root);

	return !strncmp(path, root, n) && (path[n] == '/' || !path[n]);
}

/* A symlink of the tree; a file it points to outside the tree comes too. */
static int add_link(struct tree *tr, const char *host, const char *guest)
{
	char target[PATH_MAX], real[PATH_MAX];
	ssize_t n = readlink(host, target, sizeof(target) - 1);
	struct stat st;

	if (n < 0) {
		skiff_err("%s: %s: %s", tr->origin, host, strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	target[n] = '\0';
	if (lstat(host, &st) == 0)
		ent_add(tr->es, guest, ENT_LINK, xstrdup(target), 0, 0777,
			tr->origin)->mtime = st.st_mtime;
	if (!realpath(host, real) || stat(real, &st) < 0 ||
	    !S_ISREG(st.st_mode) || inside(real, tr->root))
		return 0; /* dangling, a directory, or in the tree anyway */
	return ent_add_host(tr->es, real, NULL, tr->origin);
}

static int walk(struct tree *tr, const char *host, const char *guest,
		const char *rel);

/* Is the host directory empty (or unreadable: then nothing is lost)? */
static bool dir_empty(const char *host)
{
	DIR *d = opendir(host);
	struct dirent *de;
	bool empty = true;

	while (d && empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	if (d)
		closedir(d);
	return empty;
}

static int add_one(struct tree *tr, const char *host, const char *guest,
		   const char *rel, const char *name)
{
	struct stat st;

	if (excluded(tr, rel))
		return 0;
	if (ent_reserved(guest)) {
		if (lstat(host, &st) == 0 && (!S_ISDIR(st.st_mode) || !dir_empty(host)))
			skiff_err("warning: %s: %s is left out: %s belongs to the guest kernel",
				  tr->origin, host, ent_reserved(guest));
		return 0;
	}
	if (lstat(host, &st) < 0) {
		skiff_err("%s: %s: %s", tr->origin, host, strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	if (S_ISLNK(st.st_mode))
		return add_link(tr, host, guest);
	if (S_ISDIR(st.st_mode)) {
		ent_add(tr->es, guest, ENT_DIR, NULL, 0, st.st_mode & 07777,
			tr->origin)->mtime = st.st_mtime;
		return walk(tr, host, guest, rel);
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	ent_add(tr->es, guest, ENT_FILE, xstrdup(host), 0, st.st_mode & 07777,
		tr->origin);
	if (tr->t->elf && maybe_elf(name, &st) && tree_is_elf(host))
		tr->t->elf(tr->t->ctx, host);
	return 0;
}

/* The contents of the directory host (rel in the tree) at guest. */
static int walk(struct tree *tr, const char *host, const char *guest,
		const char *rel)
{
	DIR *d = opendir(host);
	struct dirent *de;
	int err = 0;

	if (!d) {
		skiff_err("%s: %s: %s", tr->origin, host, strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	while (!err && (errno = 0, de = readdir(d))) {
		char *h, *g, *r;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		h = xasprintf("%s/%s", host, de->d_name);
		g = xasprintf("%s/%s", strcmp(guest, "/") ? guest : "",
			      de->d_name);
		r = *rel ? xasprintf("%s/%s", rel, de->d_name)
			 : xstrdup(de->d_name);
		err = add_one(tr, h, g, r, de->d_name);
		free(h);
		free(g);
		free(r);
	}
	if (!err && errno) {
		skiff_err("%s: %s: %s", tr->origin, host, strerror(errno));
		err = SKIFF_EXIT_FAILED;
	}
	closedir(d);
	return err;
}

int tree_add(struct entries *es, const char *host, const char *guest,
	     const struct tree_opts *t, const char *origin)
{
	char *abs = path_absolute(host), *real = NULL, *at = NULL;
	struct tree tr = { es, t, NULL, origin };
	struct stat st;
	int err = 0;

	if (stat(abs, &st) < 0) {
		skiff_err("%s: %s", origin, strerror(errno));
		err = SKIFF_EXIT_FAILED;
	} else if (!S_ISDIR(st.st_mode)) {
		skiff_err("%s: not a directory; use --file for a file", origin);
		err = SKIFF_EXIT_FAILED;
	} else if (ent_reserved(guest ? guest : abs)) {
		skiff_err("%s: %s belongs to the guest kernel (%s), a directory cannot go there",
			  origin, guest ? guest : abs, ent_reserved(guest ? guest : abs));
		err = SKIFF_EXIT_USAGE;
	} else if (!guest) {
		err = ent_add_host(es, abs, &real, origin);
		at = real ? xstrdup(real) : NULL;
	} else {
		real = realpath(abs, NULL);
		if (!real) {
			skiff_err("%s: %s", origin, strerror(errno));
			err = SKIFF_EXIT_FAILED;
		} else {
			/* Through the image's symlinks: --dir x:/lib fills
			 * /usr/lib when /lib is a symlink to usr/lib. */
			at = ent_resolve(es, guest, true);
			/* At /: merged into the root, which always exists. */
			if (strcmp(at, "/")) {
				ent_add_with_parents(es, at, ENT_DIR, NULL, 0,
						     st.st_mode & 07777, origin);
				es->v[es->n - 1].mtime = st.st_mtime;
			}
		}
	}
	tr.root = real;
	if (!err)
		err = walk(&tr, real, at, "");
	free(at);
	free(real);
	free(abs);
	return err;
}
