/*
 * What a dynamically linked program loads, found on the host the way
 * glibc's ld.so finds it (interface in skiff.h), so `skiff run` can put
 * those files in the image at the same paths. No host program is run:
 * the ELF files and /etc/ld.so.cache are parsed here.
 *
 * The program's PT_INTERP is its interpreter. Then, breadth first from the
 * program, each DT_NEEDED name of each object loaded is searched as ld.so
 * does (man 8 ld.so):
 *   - a name with a '/' is a path ($ORIGIN expanded);
 *   - if the object needing it has no DT_RUNPATH: the DT_RPATH of that
 *     object, of the object that loaded it, and so on up to the program,
 *     then the program's own DT_RPATH (an object with DT_RUNPATH has no
 *     DT_RPATH for this purpose);
 *   - LD_LIBRARY_PATH: the guest's (deps_set_library_path), not skiff's
 *   - the DT_RUNPATH of the object needing it;
 *   - /etc/ld.so.cache;
 *   - /lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib, /usr/lib.
 * In search paths $ORIGIN is the directory of the object (for the program,
 * of its real path, as /proc/self/exe gives it), $LIB is
 * lib/x86_64-linux-gnu and $PLATFORM x86_64 (Debian's values); an empty
 * entry is the current directory. A candidate counts only if it is an
 * x86_64 ELF file, like ld.so skipping the 32-bit libraries of /usr/lib.
 * A name is not searched again when an object loaded already has it as
 * its name or DT_SONAME, and a file already loaded is not loaded twice.
 * Not done: glibc-hwcaps subdirectories, DF_1_NODEFLIB, $PLATFORM values
 * other than x86_64.
 *
 * A program whose interpreter is musl's (ld-musl-x86_64.so.1) is searched
 * as musl's ld.so does: libc, libm, libpthread, librt, libdl, libutil and
 * libxnet are the interpreter itself; then LD_LIBRARY_PATH; then the
 * DT_RUNPATH (else DT_RPATH)
 * of the object and of each object that loaded it; then the lines of
 * /etc/ld-musl-x86_64.path, or /lib:/usr/local/lib:/usr/lib. No cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <skiff/elf.h>
#include "skiff.h"

#define DT_NULL 0
#define DT_NEEDED 1
#define DT_STRTAB 5
#define DT_STRSZ 10
#define DT_SONAME 14
#define DT_RPATH 15
#define DT_RUNPATH 29
#define DYN_ENTRY 16
#define NONE ((u64)-1)

static const char *const default_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib",
};

static int corrupt(const char **why, const char *msg)
{
	*why = msg;
	return -ENOEXEC;
}

static bool in_file(u64 off, u64 len, u64 size)
{
	return off <= size && len <= size - off;
}

/* The raw values of the dynamic section's tags of interest. */
struct dyn_raw {
	u64 strtab, strsz, soname, rpath, runpath;
	u64 needed[DEPS_MAX_NEEDED];
	unsigned nneeded;
};

static int scan_dynamic(const u8 *f, const struct elf64_phdr *dyn,
			struct dyn_raw *r, const char **why)
{
	u64 n = dyn->p_filesz / DYN_ENTRY;

	*r = (struct dyn_raw){ NONE, NONE, NONE, NONE, NONE, { 0 }, 0 };
	for (u64 i = 0; i < n; i++) {
		u64 tag, val;

		memcpy(&tag, f + dyn->p_offset + i * DYN_ENTRY, 8);
		memcpy(&val, f + dyn->p_offset + i * DYN_ENTRY + 8, 8);
		if (tag == DT_NULL)
			break;
		if (tag == DT_NEEDED && r->nneeded == DEPS_MAX_NEEDED)
			return corrupt(why, "more than 256 DT_NEEDED entries");
		if (tag == DT_NEEDED)
			r->needed[r->nneeded++] = val;
		else if (tag == DT_STRTAB)
			r->strtab = val;
		else if (tag == DT_STRSZ)
			r->strsz = val;
		else if (tag == DT_SONAME)
			r->soname = val;
		else if (tag == DT_RPATH)
			r->rpath = val;
		else if (tag == DT_RUNPATH)
			r->runpath = val;
	}
	return 0;
}

/* The file offset of DT_STRTAB's address, through the PT_LOAD holding it
 * with all of its strsz bytes; NONE if none does. */
static u64 strtab_offset(const u8 *f, const struct elf_info *info, u64 addr,
			 u64 strsz)
{
	struct elf64_phdr ph;

	for (unsigned i = 0; i < info->phnum; i++) {
		elf_phdr_get(f + info->phoff, i, &ph);
		if (ph.p_type != ELF_PT_LOAD || addr < ph.p_vaddr ||
		    addr - ph.p_vaddr >= ph.p_filesz)
			continue;
		if (strsz > ph.p_filesz - (addr - ph.p_vaddr))
			return NONE;
		return ph.p_offset + (addr - ph.p_vaddr);
	}
	return NONE;
}

/* The string at off in the table, NULL if absent; *bad if out of it. */
static const char *string(const char *tab, u64 size, u64 off, bool *bad)
{
	if (off == NONE)
		return NULL;
	if (off >= size || !memchr(tab + off, 0, size - off)) {
		*bad = true;
		return NULL;
	}
	return tab + off;
}

static int parse_dynamic(const u8 *f, size_t len, const struct elf_info *info,
			 const struct elf64_phdr *dyn, struct elf_dyn *out,
			 const char **why)
{
	struct dyn_raw *r = malloc(sizeof(*r));
	const char *tab;
	bool bad = false;
	u64 off;
	int err;

	if (!r)
		return -ENOMEM;
	err = scan_dynamic(f, dyn, r, why);
	if (err || (!r->nneeded && r->soname == NONE && r->rpath == NONE &&
		    r->runpath == NONE))
		goto out;
	off = r->strtab == NONE || r->strsz == NONE ? NONE :
	      strtab_offset(f, info, r->strtab, r->strsz);
	if (off == NONE || !in_file(off, r->strsz, len)) {
		err = corrupt(why, "corrupt ELF: DT_STRTAB missing or outside the file");
		goto out;
	}
	tab = (const char *)f + off;
	for (unsigned i = 0; i < r->nneeded; i++)
		out->needed[i] = string(tab, r->strsz, r->needed[i], &bad);
	out->nneeded = r->nneeded;
	out->soname = string(tab, r->strsz, r->soname, &bad);
	out->rpath = string(tab, r->strsz, r->rpath, &bad);
	out->runpath = string(tab, r->strsz, r->runpath, &bad);
	if (bad)
		err = corrupt(why, "corrupt ELF: a dynamic string outside DT_STRTAB");
out:
	free(r);
	return err;
}

int deps_parse_elf(const void *file, size_t len, struct elf_dyn *out,
		   const char **why)
{
	const u8 *f = file;
	struct elf_info info;
	struct elf64_phdr ph, dyn;
	bool has_dyn = false;

	memset(out, 0, sizeof(*out));
	if (elf_check_ehdr(file, len, len, &info, why))
		return -ENOEXEC;
	out->type = info.type;
	for (unsigned i = 0; i < info.phnum; i++) {
		elf_phdr_get(f + info.phoff, i, &ph);
		if (ph.p_type == ELF_PT_INTERP) {
			if (!ph.p_filesz || !in_file(ph.p_offset, ph.p_filesz, len) ||
			    !memchr(f + ph.p_offset, 0, ph.p_filesz))
				return corrupt(why, "corrupt ELF: bad PT_INTERP");
			out->interp = (const char *)f + ph.p_offset;
		} else if (ph.p_type == ELF_PT_DYNAMIC) {
			if (!in_file(ph.p_offset, ph.p_filesz, len))
				return corrupt(why, "corrupt ELF: PT_DYNAMIC outside the file");
			dyn = ph;
			has_dyn = true;
		}
	}
	return has_dyn ? parse_dynamic(f, len, &info, &dyn, out, why) : 0;
}

/* One object loaded (or, with path NULL, a name not found). */
struct obj {
	char *name;		/* what it was loaded as: a DT_NEEDED name */
	char *path;		/* where it was found */
	char *origin;		/* $ORIGIN: path's directory */
	char *soname;		/* DT_SONAME, or NULL */
	char *rpath;		/* DT_RPATH if no DT_RUNPATH, or NULL */
	char *runpath;		/* DT_RUNPATH, or NULL */
	char *interp;		/* PT_INTERP, or NULL */
	char **needed;
	unsigned nneeded;
	struct obj *loader;	/* the object that needed it first */
	dev_t dev;
	ino_t ino;
};

struct deps {
	bool musl;		/* the program's interpreter is musl's */
	char *musl_path;	/* musl's search path, ':'-separated */
	struct obj **objs;	/* in load order */
	size_t n, cap;
	struct obj *exe;	/* the program, once loaded */
	char *library_path;	/* LD_LIBRARY_PATH, or NULL */
	void *cache_map;
	size_t cache_len;
	struct ldcache cache;	/* valid if cache_map */
	deps_found_fn found;
	void *ctx;
};

struct deps *deps_new(const char *cache, deps_found_fn found, void *ctx)
{
	struct deps *d = xmalloc(sizeof(*d));
	int fd = cache ? open(cache, O_RDONLY | O_CLOEXEC) : -1;
	struct stat st;

	memset(d, 0, sizeof(*d));
	d->found = found;
	d->ctx = ctx;
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0) {
		d->cache_len = st.st_size;
		d->cache_map = mmap(NULL, d->cache_len, PROT_READ, MAP_PRIVATE,
				    fd, 0);
		if (d->cache_map == MAP_FAILED ||
		    ldcache_parse(&d->cache, d->cache_map, d->cache_len)) {
			if (d->cache_map != MAP_FAILED)
				munmap(d->cache_map, d->cache_len);
			d->cache_map = NULL;
		}
	}
	if (fd >= 0)
		close(fd);
	return d;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	return slash == path ? xstrdup("/") : strndup(path, slash - path);
}

static struct obj *new_obj(struct deps *d, const char *name, const char *path,
			   struct obj *loader)
{
	struct obj *o = xmalloc(sizeof(*o));

	memset(o, 0, sizeof(*o));
	o->name = xstrdup(name);
	o->path = dup_or_null(path);
	o->origin = path ? dir_of(path) : NULL;
	o->loader = loader;
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 32;
		d->objs = realloc(d->objs, d->cap * sizeof(*d->objs));
		if (!d->objs) {
			skiff_err("out of memory");
			exit(SKIFF_EXIT_FAILED);
		}
	}
	d->objs[d->n++] = o;
	return o;
}

/* Reads o->path's dynamic section into o. 0, or -ENOEXEC with *why. */
static int read_obj(struct obj *o, const char **why)
{
	int fd = open(o->path, O_RDONLY | O_CLOEXEC);
	struct elf_dyn *dyn = xmalloc(sizeof(*dyn));
	struct stat st;
	void *map = MAP_FAILED;
	int err = -ENOEXEC;

	*why = "cannot read it";
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0)
		map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map != MAP_FAILED) {
		o->dev = st.st_dev;
		o->ino = st.st_ino;
		err = deps_parse_elf(map, st.st_size, dyn, why);
	}
	if (!err) {
		o->soname = dup_or_null(dyn->soname);
		o->runpath = dup_or_null(dyn->runpath);
		o->rpath = dyn->runpath ? NULL : dup_or_null(dyn->rpath);
		o->interp = dup_or_null(dyn->interp);
		o->needed = xmalloc(dyn->nneeded * sizeof(*o->needed));
		for (unsigned i = 0; i < dyn->nneeded; i++)
			o->needed[i] = xstrdup(dyn->needed[i]);
		o->nneeded = dyn->nneeded;
	}
	if (map != MAP_FAILED)
		munmap(map, st.st_size);
	if (fd >= 0)
		close(fd);
	free(dyn);
	return err;
}

/* A candidate ld.so would take: a regular x86_64 ELF file. */
static bool acceptable(const char *path, struct stat *st)
{
	u8 hdr[64];
	struct elf_info info;
	const char *why;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = fstat(fd, st) == 0 && S_ISREG(st->st_mode) &&
	     read(fd, hdr, sizeof(hdr)) == sizeof(hdr) &&
	     elf_check_ehdr(hdr, sizeof(hdr), st->st_size, &info, &why) == 0;
	close(fd);
	return ok;
}

/* The dynamic string token at p (before end) as a value; *n its length. */
static const char *token(const char *p, const char *end, const char *origin,
			 size_t *n)
{
	static const struct { const char *tok, *val; } dst[] = {
		{ "ORIGIN", NULL }, { "LIB", "lib/x86_64-linux-gnu" },
		{ "PLATFORM", "x86_64" },
	};
	bool brace = p + 1 < end && p[1] == '{';

	for (size_t i = 0; i < ARRAY_SIZE(dst); i++) {
		size_t t = strlen(dst[i].tok);
		const char *after = p + 1 + brace + t;

		if (after > end || strncmp(p + 1 + brace, dst[i].tok, t))
			continue;
		/* ${TOKEN}, or $TOKEN ending the entry or before a '/'. */
		if (brace ? after < end && *after == '}'
			  : after == end || *after == '/') {
			*n = after - p + brace;
			return dst[i].val ? dst[i].val : origin;
		}
	}
	return NULL;
}

/* A search path entry (or a name) with its dynamic string tokens
 * expanded; an empty entry is the current directory. */
static char *expand(const char *dir, size_t len, const char *origin)
{
	const char *p = dir, *end = dir + len, *val;
	size_t dollars = 0, n;
	char *out, *o;

	if (!len)
		return xstrdup(".");
	for (size_t i = 0; i < len; i++)
		dollars += dir[i] == '$';
	out = o = xmalloc(len + 1 + dollars * (strlen(origin) + 32));
	while (p < end) {
		val = *p == '$' ? token(p, end, origin, &n) : NULL;
		if (!val) {
			*o++ = *p++;
			continue;
		}
		o = stpcpy(o, val);
		p += n;
	}
	*o = '\0';
	return out;
}

/* The first acceptable dir/name of a ':'-separated list, or NULL. */
static char *search_list(const char *list, const char *origin,
			 const char *name, struct stat *st)
{
	const char *p = list;

	for (;;) {
		const char *colon = strchrnul(p, ':');
		char *dir = expand(p, colon - p, origin);
		char *cand = xasprintf("%s/%s", dir, name);

		free(dir);
		if (acceptable(cand, st))
			return cand;
		free(cand);
		if (!*colon)
			return NULL;
		p = colon + 1;
	}
}

/* The DT_RPATHs ld.so tries for o's needs, then o's DT_RUNPATH. */
static char *search_paths(struct deps *d, struct obj *o, const char *name,
			  struct stat *st)
{
	bool did_exe = false;
	char *found = NULL;

	if (!o->runpath) {
		for (struct obj *l = o; l && !found; l = l->loader) {
			if (l->rpath)
				found = search_list(l->rpath, l->origin, name, st);
			did_exe |= l == d->exe;
		}
		if (!found && !did_exe && d->exe && d->exe->rpath)
			found = search_list(d->exe->rpath, d->exe->origin, name, st);
	}
	if (!found && d->library_path)
		found = search_list(d->library_path, d->exe ? d->exe->origin : "",
				    name, st);
	if (!found && o->runpath)
		found = search_list(o->runpath, o->origin, name, st);
	return found;
}

/* musl's system path: its .path file (entries on lines or split by ':'),
 * or its default. */
static char *musl_path(void)
{
	FILE *f = fopen("/etc/ld-musl-x86_64.path", "re");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return xstrdup("/lib:/usr/local/lib:/usr/lib");
	n = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (n <= 0) {
		free(buf);
		return xstrdup("");
	}
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ':';
	while (n > 0 && buf[n - 1] == ':')
		buf[--n] = '\0';
	return buf;
}

/* libc.so, libm.so.6, ...: names musl's ld.so answers with itself. */
static bool musl_self(const char *name)
{
	static const char *const self[] = {
		"c", "pthread", "rt", "m", "dl", "util", "xnet",
	};

	if (strncmp(name, "lib", 3))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(self); i++) {
		size_t n = strlen(self[i]);

		if (!strncmp(name + 3, self[i], n) && name[3 + n] == '.')
			return true;
	}
	return false;
}

static char *musl_search(struct deps *d, struct obj *o, const char *name,
			 struct stat *st)
{
	char *found = NULL;

	if (d->library_path)
		found = search_list(d->library_path, "", name, st);
	for (struct obj *l = o; l && !found; l = l->loader) {
		const char *list = l->runpath ? l->runpath : l->rpath;

		if (list)
			found = search_list(list, l->origin, name, st);
	}
	if (!found && d->musl_path[0])
		found = search_list(d->musl_path, "", name, st);
	return found;
}

/* Where ld.so finds name needed by o; NULL if nowhere. */
static char *search(struct deps *d, struct obj *o, const char *name,
		    struct stat *st)
{
	const char *cached;
	char *found;

	if (strchr(name, '/')) {
		found = expand(name, strlen(name), o->origin);
		if (acceptable(found, st))
			return found;
		free(found);
		return NULL;
	}
	if (d->musl)
		return musl_search(d, o, name, st);
	found = search_paths(d, o, name, st);
	if (found)
		return found;
	cached = d->cache_map ? ldcache_find(&d->cache, name) : NULL;
	if (cached && acceptable(cached, st))
		return xstrdup(cached);
	for (size_t i = 0; i < ARRAY_SIZE(default_dirs); i++) {
		found = xasprintf("%s/%s", default_dirs[i], name);
		if (acceptable(found, st))
			return found;
		free(found);
	}
	return NULL;
}

static bool known(struct deps *d, const char *name, const struct stat *st)
{
	if (!st && d->musl && musl_self(name))
		return true;
	for (size_t i = 0; i < d->n; i++) {
		struct obj *o = d->objs[i];

		if (st ? o->path && o->dev == st->st_dev && o->ino == st->st_ino
		       : !strcmp(o->name, name) ||
				 (o->soname && !strcmp(o->soname, name)))
			return true;
	}
	return false;
}

/* Loads name needed by o, unless loaded already; reports what it finds. */
static void need(struct deps *d, struct obj *o, const char *name,
		 bool report_missing)
{
	struct stat st;
	const char *why;
	char *path;

	if (known(d, name, NULL))
		return;
	path = search(d, o, name, &st);
	if (!path && !report_missing)
		return;
	if (!path || !known(d, name, &st)) {
		struct obj *n = new_obj(d, name, path, o);

		d->found(d->ctx, name, path, o->path);
		if (path && read_obj(n, &why))
			skiff_err("warning: %s: %s; what it needs is not packed",
				  path, why);
	}
	free(path);
}

/* Breadth first from object start on, as ld.so loads. */
static void load_from(struct deps *d, size_t start)
{
	for (size_t i = start; i < d->n; i++) {
		struct obj *o = d->objs[i];

		for (unsigned k = 0; k < o->nneeded; k++)
			need(d, o, o->needed[k], true);
	}
}

int deps_program(struct deps *d, const char *path)
{
	struct obj *exe = new_obj(d, "", path, NULL), *o;
	const char *why;
	struct stat st;

	d->exe = exe;
	if (read_obj(exe, &why)) {
		skiff_err("%s: %s", path, why);
		return -ENOEXEC;
	}
	if (exe->interp) {
		const char *base = strrchr(exe->interp, '/');

		d->musl = !strncmp(base ? base + 1 : exe->interp, "ld-musl-", 8);
		if (d->musl)
			d->musl_path = musl_path();
		o = new_obj(d, exe->interp, acceptable(exe->interp, &st) ?
			    exe->interp : NULL, exe);
		d->found(d->ctx, exe->interp, o->path, path);
		if (o->path && read_obj(o, &why))
			skiff_err("warning: %s: %s", exe->interp, why);
	}
	load_from(d, 0);
	return 0;
}

bool deps_musl(const struct deps *d)
{
	return d->musl;
}

const char *deps_interp(const struct deps *d)
{
	return d->exe ? d->exe->interp : NULL;
}

void deps_set_library_path(struct deps *d, const char *path)
{
	free(d->library_path);
	d->library_path = path && *path ? xstrdup(path) : NULL;
}

int deps_dlopen(struct deps *d, const char *name)
{
	size_t start = d->n;

	if (!d->exe)
		return -ENOENT;
	need(d, d->exe, name, false);
	load_from(d, start);
	return known(d, name, NULL) ? 0 : -ENOENT;
}

/* An object opened by path; keep_soname: others find it by its soname. */
static int open_object(struct deps *d, const char *path, bool keep_soname)
{
	struct obj *o = new_obj(d, path, path, d->exe);
	const char *why;
	size_t start = d->n - 1;

	if (read_obj(o, &why)) {
		skiff_err("warning: %s: %s; what it needs is not packed", path, why);
		return -ENOEXEC;
	}
	if (!keep_soname) {
		free(o->soname);
		o->soname = NULL;
	}
	load_from(d, start);
	return 0;
}

int deps_object(struct deps *d, const char *path)
{
	/* A dlopened object is not found by its soname before it is opened. */
	return open_object(d, path, false);
}

int deps_preload(struct deps *d, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && known(d, path, &st))
		return 0;
	return open_object(d, path, true);
}

void deps_free(struct deps *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct obj *o = d->objs[i];

		for (unsigned k = 0; k < o->nneeded; k++)
			free(o->needed[k]);
		free(o->needed);
		free(o->name);
		free(o->path);
		free(o->origin);
		free(o->soname);
		free(o->rpath);
		free(o->runpath);
		free(o->interp);
		free(o);
	}
	free(d->objs);
	free(d->musl_path);
	free(d->library_path);
	if (d->cache_map)
		munmap(d->cache_map, d->cache_len);
	free(d);
}
