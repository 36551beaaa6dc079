/* SOURCES: tools/skiff/deps.c tools/skiff/ldcache.c lib/elf.c lib/printf.c lib/strconv.c */
/*
 * skiff's reading of what a dynamic program loads (tools/skiff/deps.c,
 * ldcache.c), against the host's own tools, which write the expectations:
 *   - the dynamic section of real programs and libraries against
 *     `readelf -dlW` (NEEDED, SONAME, RPATH, RUNPATH, the interpreter);
 *   - /etc/ld.so.cache, and a cache in the older "compat" format, against
 *     `ldconfig -p` (every entry, in order, and the lookups);
 *   - the search, against `ldd` (that is, glibc's ld.so itself): real
 *     programs and Python's extension modules, and programs built here
 *     (also with LD_LIBRARY_PATH)
 *     with DT_RUNPATH, DT_RPATH inherited along the loader chain, $ORIGIN,
 *     a 32-bit library to skip and a library that is missing;
 *   - corrupted copies of real files and caches: errors, never a read out
 *     of bounds (ASan) or a crash.
 */
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <skiff/errno.h>
#include "../../tools/skiff/skiff.h"
#include "shim.h"

/* What deps.c needs from skiff's main.c. */
void skiff_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("skiff: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	assert_non_null(p);
	return p;
}

char *xstrdup(const char *s)
{
	return strcpy(xmalloc(strlen(s) + 1), s);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	assert_true(vasprintf(&s, fmt, ap) >= 0);
	va_end(ap);
	return s;
}

static char tmpdir[] = "/tmp/skiff-test-deps-XXXXXX";

struct blob {
	u8 *data;
	size_t len;
};

static struct blob load(const char *path)
{
	struct blob b = { NULL, 0 };
	FILE *f = fopen(path, "rb");

	if (!f)
		return b;
	fseek(f, 0, SEEK_END);
	b.len = ftell(f);
	rewind(f);
	b.data = malloc(b.len ? b.len : 1);
	if (fread(b.data, 1, b.len, f) != b.len) {
		free(b.data);
		b.data = NULL;
	}
	fclose(f);
	return b;
}

static int sh(const char *fmt, ...)
{
	char *cmd;
	va_list ap;
	int r;

	va_start(ap, fmt);
	assert_true(vasprintf(&cmd, fmt, ap) >= 0);
	va_end(ap);
	r = system(cmd);
	free(cmd);
	return r;
}

static char *at(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/*
 * The programs of the search cases, in tmpdir:
 *   lib/libb.so                    no dependency
 *   lib/liba.so                    needs libb.so, RUNPATH $ORIGIN
 *   bin/runpath                    needs liba.so, RUNPATH $ORIGIN/../lib
 *   lib2/libb.so, lib2/liba.so     liba needs libb, no path of its own
 *   bin/rpath                      needs liba, RPATH $ORIGIN/../lib2: the
 *                                  loader chain finds libb too
 *   bin/runpath2                   the same with RUNPATH: libb not found
 *   lib32/libb.so                  a 32-bit ELF header: ld.so skips it
 *   lib3/liba.so                   needs libb, RUNPATH $ORIGIN/../lib32:
 *                                  $ORIGIN/../lib (skips the 32-bit one)
 *   bin/skip32                     needs liba, RUNPATH ${ORIGIN}/../lib3
 *   bin/chain -> lib4/libp.so -> lib5/libq.so -> lib5/libr.so
 *                                  RPATHs: bin/chain's $ORIGIN/../lib4,
 *                                  libp's $ORIGIN/../lib5, libq none: libr
 *                                  is found through libp's, two loaders up
 */
static const char build_script[] =
	"set -e; cd %s; mkdir -p bin lib lib2 lib3 lib32\n"
	"echo 'int b(void){return 2;}' > b.c\n"
	"echo 'int b(void); int a(void){return b()+1;}' > a.c\n"
	"echo 'int a(void); int main(void){return a();}' > m.c\n"
	"gcc -shared -fPIC -o lib/libb.so b.c\n"
	"gcc -shared -fPIC -o lib/liba.so a.c -Llib -lb -Wl,--enable-new-dtags,-rpath,'$ORIGIN'\n"
	"gcc -o bin/runpath m.c -Llib -la -Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib'\n"
	"cp lib/libb.so lib2/libb.so\n"
	"gcc -shared -fPIC -o lib2/liba.so a.c -Llib2 -lb\n"
	"gcc -o bin/rpath m.c -Llib2 -la -Wl,--disable-new-dtags,-rpath,'$ORIGIN/../lib2'\n"
	"gcc -o bin/runpath2 m.c -Llib2 -la -Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib2'\n"
	"printf '\\177ELF\\001\\001\\001' > lib32/libb.so; head -c 200 /dev/zero >> lib32/libb.so\n"
	"gcc -shared -fPIC -o lib3/liba.so a.c -Llib -lb -Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib32:$ORIGIN/../lib'\n"
	"gcc -o bin/skip32 m.c -Llib3 -la -Wl,--enable-new-dtags,-rpath,'${ORIGIN}/../lib3'\n"
	"mkdir -p lib4 lib5\n"
	"gcc -shared -fPIC -o lib5/libr.so b.c\n"
	"gcc -shared -fPIC -o lib5/libq.so a.c -Llib5 -lr\n"
	"echo 'int a(void); int p(void){return a();}' > p.c\n"
	"gcc -shared -fPIC -o lib4/libp.so p.c -Llib5 -lq -Wl,--disable-new-dtags,-rpath,'$ORIGIN/../lib5'\n"
	"echo 'int p(void); int main(void){return p();}' > mp.c\n"
	"gcc -o bin/chain mp.c -Llib4 -lp -Wl,-rpath-link,lib5 -Wl,--disable-new-dtags,-rpath,'$ORIGIN/../lib4'\n";

static int setup(void **state)
{
	if (!mkdtemp(tmpdir))
		return -1;
	return sh(build_script, tmpdir) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return sh("rm -rf %s", tmpdir) == 0 ? 0 : -1;
}

/* What readelf says about one file's dynamic section and interpreter. */
struct readelf_dyn {
	char interp[256], soname[256], rpath[1024], runpath[1024];
	char needed[64][256];
	unsigned nneeded;
};

/* The text between "[" and "]" after key in line, into out. */
static bool bracket(const char *line, const char *key, char *out, size_t size)
{
	const char *p = strstr(line, key), *end;

	if (!p || !(p = strchr(p, '[')) || !(end = strrchr(p, ']')))
		return false;
	snprintf(out, size, "%.*s", (int)(end - p - 1), p + 1);
	return true;
}

static void run_readelf(const char *path, struct readelf_dyn *re)
{
	char cmd[600], line[2048];
	FILE *p;

	memset(re, 0, sizeof(*re));
	snprintf(cmd, sizeof(cmd), "readelf -dlW '%s'", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		const char *interp = strstr(line, "[Requesting program interpreter: ");

		if (interp)
			snprintf(re->interp, sizeof(re->interp), "%.*s",
				 (int)strcspn(interp + 33, "]"), interp + 33);
		bracket(line, "(SONAME)", re->soname, sizeof(re->soname));
		bracket(line, "(RPATH)", re->rpath, sizeof(re->rpath));
		bracket(line, "(RUNPATH)", re->runpath, sizeof(re->runpath));
		if (re->nneeded < 64 &&
		    bracket(line, "(NEEDED)", re->needed[re->nneeded], 256))
			re->nneeded++;
	}
	assert_int_equal(pclose(p), 0);
}

static void assert_str_or_empty(const char *got, const char *want)
{
	assert_string_equal(got ? got : "", want);
}

static void check_parse(const char *path)
{
	struct blob b = load(path);
	struct elf_dyn dyn;
	struct readelf_dyn re;
	const char *why = NULL;
	int r;

	if (!b.data)
		fail_msg("cannot read %s", path);
	r = deps_parse_elf(b.data, b.len, &dyn, &why);
	if (r)
		fail_msg("%s: %d %s", path, r, why);
	run_readelf(path, &re);
	assert_str_or_empty(dyn.interp, re.interp);
	assert_str_or_empty(dyn.soname, re.soname);
	assert_str_or_empty(dyn.rpath, re.rpath);
	assert_str_or_empty(dyn.runpath, re.runpath);
	assert_int_equal(dyn.nneeded, re.nneeded);
	for (unsigned i = 0; i < dyn.nneeded; i++)
		assert_string_equal(dyn.needed[i], re.needed[i]);
	free(b.data);
}

/* The first path a glob pattern matches, or the pattern itself. */
static char *first(const char *pattern)
{
	glob_t g;
	char *p;

	if (glob(pattern, 0, NULL, &g) || !g.gl_pathc)
		return xstrdup(pattern);
	p = xstrdup(g.gl_pathv[0]);
	globfree(&g);
	return p;
}

static const char *const real_files[] = {
	"/usr/bin/python3", "/usr/bin/perl", "/bin/true", "/bin/ls",
	"/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2",
	"/usr/lib/python3.*/lib-dynload/_ssl.*.so",
	"/usr/lib/python3.*/lib-dynload/_ctypes.*.so",
};

static void parse_real_files(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(real_files); i++) {
		char *path = first(real_files[i]);

		check_parse(path);
		free(path);
	}
}

static void parse_built_files(void **state)
{
	static const char *const names[] = {
		"bin/runpath", "bin/rpath", "bin/runpath2", "bin/skip32",
		"bin/chain", "lib/liba.so", "lib/libb.so", "lib3/liba.so",
		"lib4/libp.so", "lib5/libq.so",
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *path = at(names[i]);

		check_parse(path);
		free(path);
	}
}

/* A static program: no interpreter, nothing needed. */
static void parse_static(void **state)
{
	char *src = at("s.c"), *exe = at("s");
	struct elf_dyn dyn;
	const char *why;
	struct blob b;

	assert_int_equal(sh("echo 'int main(void){return 0;}' > %s && gcc -static -o %s %s",
			    src, exe, src), 0);
	b = load(exe);
	assert_non_null(b.data);
	assert_int_equal(deps_parse_elf(b.data, b.len, &dyn, &why), 0);
	assert_null(dyn.interp);
	assert_int_equal(dyn.nneeded, 0);
	free(b.data);
	free(src);
	free(exe);
}

/* Every string deps_parse_elf returns lies inside the buffer (ASan). */
static void touch(const struct elf_dyn *dyn)
{
	volatile size_t sum = 0;

	sum += dyn->interp ? strlen(dyn->interp) : 0;
	sum += dyn->soname ? strlen(dyn->soname) : 0;
	sum += dyn->rpath ? strlen(dyn->rpath) : 0;
	sum += dyn->runpath ? strlen(dyn->runpath) : 0;
	for (unsigned i = 0; i < dyn->nneeded; i++)
		sum += strlen(dyn->needed[i]);
	(void)sum;
}

/* Random bytes changed in the first pages (headers, dynamic section of a
 * small library), and truncations. */
static void parse_corrupt(void **state)
{
	char *path = first("/usr/lib/python3.*/lib-dynload/_json.*.so");
	struct blob orig = load(path);
	struct elf_dyn dyn;
	const char *why;

	assert_non_null(orig.data);
	srand(1);
	for (int i = 0; i < 3000; i++) {
		size_t len = i % 10 == 0 ? (size_t)rand() % orig.len : orig.len;
		u8 *copy = malloc(len ? len : 1);
		size_t span = MIN(orig.len, (size_t)65536);

		memcpy(copy, orig.data, len);
		for (int k = 0; k < 1 + rand() % 8 && len; k++)
			copy[rand() % MIN(len, span)] = rand();
		if (deps_parse_elf(copy, len, &dyn, &why) == 0)
			touch(&dyn);
		else
			assert_non_null(why);
		free(copy);
	}
	free(orig.data);
	free(path);
}

/* One line of `ldconfig -p`: "\tKEY (TYPE[, hwcap: ...]) => VALUE". */
struct ldconfig_line {
	char key[256], type[64], value[1024];
};

static unsigned run_ldconfig(const char *cache, struct ldconfig_line **out,
			     unsigned *count_line)
{
	char cmd[600], line[2048];
	unsigned n = 0, cap = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ldconfig -p -C '%s'", cache);
	p = popen(cmd, "r");
	assert_non_null(p);
	*out = NULL;
	while (fgets(line, sizeof(line), p)) {
		char *paren = strstr(line, " ("), *arrow = strstr(line, ") => ");
		struct ldconfig_line *l;

		if (sscanf(line, "%u libs found", count_line) == 1 || !paren ||
		    !arrow || line[0] != '\t')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			*out = realloc(*out, cap * sizeof(**out));
			assert_non_null(*out);
		}
		l = &(*out)[n++];
		snprintf(l->key, sizeof(l->key), "%.*s", (int)(paren - line - 1),
			 line + 1);
		snprintf(l->type, sizeof(l->type), "%.*s",
			 (int)(strcspn(paren + 2, ")")), paren + 2);
		snprintf(l->value, sizeof(l->value), "%s", arrow + 5);
		l->value[strcspn(l->value, "\n")] = '\0';
	}
	assert_int_equal(pclose(p), 0);
	return n;
}

/* Every entry in order as ldconfig -p prints it, and each x86-64 key
 * looked up gives the first plain x86-64 entry ldconfig lists for it. */
static void check_cache(const char *path)
{
	struct blob b = load(path);
	struct ldconfig_line *lines;
	struct ldcache c;
	struct ldcache_entry e;
	unsigned n, count = ~0u;

	assert_non_null(b.data);
	assert_int_equal(ldcache_parse(&c, b.data, b.len), 0);
	n = run_ldconfig(path, &lines, &count);
	assert_int_equal(c.nlibs, count);
	assert_int_equal(c.nlibs, n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(ldcache_entry(&c, i, &e), 0);
		assert_string_equal(e.key, lines[i].key);
		assert_string_equal(e.value, lines[i].value);
		assert_int_equal((e.flags & LDCACHE_ARCH_MASK) == LDCACHE_X86_64,
				 strstr(lines[i].type, "x86-64") != NULL);
	}
	for (unsigned i = 0; i < n; i++) {
		const char *want = NULL;

		if (strcmp(lines[i].type, "libc6,x86-64"))
			continue;
		for (unsigned j = 0; j < n && !want; j++)
			if (!strcmp(lines[j].key, lines[i].key) &&
			    !strcmp(lines[j].type, "libc6,x86-64"))
				want = lines[j].value;
		assert_string_equal(ldcache_find(&c, lines[i].key), want);
	}
	assert_null(ldcache_find(&c, "libnot-a-library-skiff.so.9"));
	free(lines);
	free(b.data);
}

static void cache_host(void **state)
{
	check_cache("/etc/ld.so.cache");
}

/* ldconfig -c compat writes the pre-2.32 layout; in a private mount
 * namespace so that its auxiliary cache stays untouched. */
static void cache_compat(void **state)
{
	char *cache = at("compat.cache");

	if (sh("unshare -m sh -c 'mount -t tmpfs none /var/cache/ldconfig && "
	       "ldconfig -c compat -C %s -X -f /dev/null' 2>/dev/null", cache)) {
		free(cache);
		skip();
	}
	check_cache(cache);
	free(cache);
}

static void cache_corrupt(void **state)
{
	struct blob orig = load("/etc/ld.so.cache");
	struct ldcache c;
	struct ldcache_entry e;

	assert_non_null(orig.data);
	srand(2);
	for (int i = 0; i < 2000; i++) {
		size_t len = i % 8 == 0 ? (size_t)rand() % orig.len : orig.len;
		u8 *copy = malloc(len ? len : 1);

		memcpy(copy, orig.data, len);
		for (int k = 0; k < 1 + rand() % 6 && len; k++)
			copy[rand() % MIN(len, (size_t)4096)] = rand();
		if (ldcache_parse(&c, copy, len) == 0) {
			for (u32 j = 0; j < c.nlibs; j++)
				if (ldcache_entry(&c, j, &e) == 0)
					assert_true(strlen(e.key) + strlen(e.value) < len);
			ldcache_find(&c, "libc.so.6");
		}
		free(copy);
	}
	assert_int_equal(ldcache_parse(&c, orig.data, 47), -ENOEXEC);
	free(orig.data);
}

/* name => path (NULL: not found), as ldd or deps.c reports them. */
struct found {
	char name[256];
	char *path;
};
struct found_set {
	struct found v[256];
	unsigned n;
};

static void on_found(void *ctx, const char *name, const char *path,
		     const char *needed_by)
{
	struct found_set *s = ctx;

	assert_true(s->n < ARRAY_SIZE(s->v));
	snprintf(s->v[s->n].name, sizeof(s->v[0].name), "%s", name);
	s->v[s->n++].path = path ? xstrdup(path) : NULL;
}

static void run_ldd(const char *path, const char *llp, struct found_set *s)
{
	char cmd[1200], line[2048];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s%s%sldd '%s' 2>/dev/null",
		 llp ? "LD_LIBRARY_PATH='" : "env -u LD_LIBRARY_PATH ",
		 llp ? llp : "", llp ? "' " : "", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *arrow = strstr(line, " => "), *end;
		char name[256];

		if (!arrow)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(arrow - line - 1),
			 line + 1);
		arrow += 4;
		if (!strncmp(arrow, "not found", 9)) {
			on_found(s, name, NULL, NULL);
			continue;
		}
		end = strstr(arrow, " (0x");
		assert_non_null(end);
		*end = '\0';
		on_found(s, name, arrow, NULL);
	}
	pclose(p); /* ldd fails when a library is missing */
}

static const struct found *lookup(const struct found_set *s, const char *name)
{
	for (unsigned i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return &s->v[i];
	return NULL;
}

static void free_set(struct found_set *s)
{
	for (unsigned i = 0; i < s->n; i++)
		free(s->v[i].path);
	s->n = 0;
}

/* The libraries deps.c finds for path are exactly ldd's, with the
 * LD_LIBRARY_PATH llp (NULL: none). */
static void check_ldd(const char *path, const char *llp)
{
	struct found_set *ours = calloc(1, sizeof(*ours));
	struct found_set *ldd = calloc(1, sizeof(*ldd));
	struct blob b = load(path);
	struct elf_dyn dyn;
	struct deps *d = deps_new("/etc/ld.so.cache", on_found, ours);
	const char *why, *interp = NULL;

	assert_non_null(b.data);
	if (deps_parse_elf(b.data, b.len, &dyn, &why) == 0)
		interp = dyn.interp;
	deps_set_library_path(d, llp);
	assert_int_equal(deps_program(d, path), 0);
	run_ldd(path, llp, ldd);
	for (unsigned i = 0; i < ours->n; i++) {
		const struct found *f = &ours->v[i], *l;

		if (interp && !strcmp(f->name, interp))
			continue;
		l = lookup(ldd, f->name);
		if (!l)
			fail_msg("%s: skiff finds %s, ldd does not", path, f->name);
		if (!l->path != !f->path || (l->path && strcmp(l->path, f->path)))
			fail_msg("%s: %s: skiff %s, ldd %s", path, f->name,
				 f->path ? f->path : "not found",
				 l->path ? l->path : "not found");
	}
	for (unsigned i = 0; i < ldd->n; i++)
		if (!lookup(ours, ldd->v[i].name))
			fail_msg("%s: ldd finds %s, skiff does not", path,
				 ldd->v[i].name);
	deps_free(d);
	free_set(ours);
	free_set(ldd);
	free(ours);
	free(ldd);
	free(b.data);
}

static void search_real_programs(void **state)
{
	static const char *const progs[] = {
		"/usr/bin/python3", "/usr/bin/perl", "/bin/ls", "/usr/bin/node",
		"/usr/bin/qemu-system-x86_64",
	};

	for (size_t i = 0; i < ARRAY_SIZE(progs); i++) {
		char real[4096];

		if (realpath(progs[i], real))
			check_ldd(real, NULL);
	}
}

/*
 * Python's extension modules, as deps_object() sees them: dlopened by
 * python3 after its own libraries. Each library ldd lists for a module is
 * found, at ldd's path, by python3's closure or the modules' so far; each
 * library found for a module alone is one ldd lists for it.
 */
static void search_python_modules(void **state)
{
	struct found_set *ours = calloc(1, sizeof(*ours));
	struct found_set *ldd = calloc(1, sizeof(*ldd));
	struct deps *d = deps_new("/etc/ld.so.cache", on_found, ours);
	char real[4096];
	glob_t g;

	if (!realpath("/usr/bin/python3", real) ||
	    glob("/usr/lib/python3.*/lib-dynload/*.so", 0, NULL, &g))
		skip();
	assert_int_equal(deps_program(d, real), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		unsigned before = ours->n;
		const struct found *f;

		assert_int_equal(deps_object(d, g.gl_pathv[i]), 0);
		run_ldd(g.gl_pathv[i], NULL, ldd);
		for (unsigned k = 0; k < ldd->n; k++) {
			f = lookup(ours, ldd->v[k].name);
			if (!f || !f->path || !ldd->v[k].path ||
			    strcmp(f->path, ldd->v[k].path))
				fail_msg("%s: %s: ldd %s, skiff %s", g.gl_pathv[i],
					 ldd->v[k].name, ldd->v[k].path,
					 f ? f->path : "nothing");
		}
		for (unsigned k = before; k < ours->n; k++)
			if (!lookup(ldd, ours->v[k].name))
				fail_msg("%s: skiff finds %s, ldd does not",
					 g.gl_pathv[i], ours->v[k].name);
		free_set(ldd);
	}
	globfree(&g);
	deps_free(d);
	free_set(ours);
	free(ours);
	free(ldd);
}

static void search_built(void **state)
{
	static const char *const progs[] = {
		"bin/runpath", "bin/rpath", "bin/runpath2", "bin/skip32",
		"bin/chain",
	};

	for (size_t i = 0; i < ARRAY_SIZE(progs); i++) {
		char *path = at(progs[i]);

		check_ldd(path, NULL);
		free(path);
	}
}

/*
 * LD_LIBRARY_PATH, against ldd run with it: a program with no path of its
 * own finds its library there; a RUNPATH program's missing libb is found
 * there; an RPATH still comes first (bin/rpath's libb from lib2, not lib);
 * a relative entry, an empty one, $ORIGIN (the program's directory).
 */
static void search_library_path(void **state)
{
	char *plain = at("bin/plain"), *runpath2 = at("bin/runpath2");
	char *rpath = at("bin/rpath"), *lib = at("lib"), *lib2 = at("lib2");
	char *both = xasprintf("%s:%s", lib, lib2);

	assert_int_equal(sh("cd %s && gcc -o bin/plain m.c -Llib2 -la -Wl,-rpath-link,lib2", tmpdir), 0);
	check_ldd(plain, lib2);
	check_ldd(plain, both);
	check_ldd(runpath2, lib);
	check_ldd(rpath, both);
	check_ldd(plain, "$ORIGIN/../lib2");
	check_ldd(plain, ":/nonexistent");
	free(plain);
	free(runpath2);
	free(rpath);
	free(lib);
	free(lib2);
	free(both);
}

/*
 * A library found only through ld.so.cache: one of the host's cache whose
 * directory is not a default one (libfakeroot's, CUDA's, ...), linked into
 * a program here. Skipped on a host without such a library.
 */
static void search_cache_only(void **state)
{
	static const char *const defaults[] = {
		"/lib/x86_64-linux-gnu/", "/usr/lib/x86_64-linux-gnu/", "/lib/",
		"/usr/lib/",
	};
	struct ldconfig_line *lines;
	const char *lib = NULL;
	unsigned n, count;
	char *exe = at("cached"), *src = at("m.c");

	n = run_ldconfig("/etc/ld.so.cache", &lines, &count);
	for (unsigned i = 0; i < n && !lib; i++) {
		const char *v = lines[i].value, *slash = strrchr(v, '/');
		bool is_default = false;

		if (strcmp(lines[i].type, "libc6,x86-64") || !slash)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(defaults); k++)
			is_default |= strlen(defaults[k]) == (size_t)(slash - v + 1) &&
				      !strncmp(v, defaults[k], slash - v + 1);
		if (!is_default && !sh("echo 'int main(void){return 0;}' > %s && "
				       "gcc -o %s %s -Wl,--no-as-needed,--allow-shlib-undefined '%s' 2>/dev/null",
				       src, exe, src, v))
			lib = v;
	}
	if (!lib) {
		free(lines);
		free(exe);
		free(src);
		skip();
	}
	check_ldd(exe, NULL);
	free(lines);
	free(exe);
	free(src);
}

/* The cases of the built programs are what they claim to be. */
static void search_built_cases(void **state)
{
	struct found_set *s = calloc(1, sizeof(*s));
	char *path = at("bin/runpath2"), *libb = at("lib/libb.so");
	struct deps *d = deps_new("/etc/ld.so.cache", on_found, s);
	const struct found *f;

	assert_int_equal(deps_program(d, path), 0);
	f = lookup(s, "libb.so");
	assert_non_null(f);
	assert_null(f->path);
	deps_free(d);
	free_set(s);
	free(path);
	path = at("bin/skip32");
	d = deps_new("/etc/ld.so.cache", on_found, s);
	assert_int_equal(deps_program(d, path), 0);
	f = lookup(s, "libb.so");
	assert_non_null(f);
	assert_non_null(strstr(f->path, "/lib3/../lib/libb.so"));
	deps_free(d);
	free_set(s);
	free(s);
	free(path);
	free(libb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_real_files),
		cmocka_unit_test(search_library_path),
		cmocka_unit_test(parse_built_files),
		cmocka_unit_test(parse_static),
		cmocka_unit_test(parse_corrupt),
		cmocka_unit_test(cache_host),
		cmocka_unit_test(cache_compat),
		cmocka_unit_test(cache_corrupt),
		cmocka_unit_test(search_real_programs),
		cmocka_unit_test(search_python_modules),
		cmocka_unit_test(search_built),
		cmocka_unit_test(search_cache_only),
		cmocka_unit_test(search_built_cases),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
