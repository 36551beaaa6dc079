/*
 * The host data programs read besides their own files (interface in
 * skiff.h), packed weak, at their host paths, by these rules:
 *   terminfo  the entry of the guest's TERM (skiff run passes the host's
 *             when its output is a terminal; or -e TERM=...), from the
 *             first of /etc/terminfo, /lib/terminfo, /usr/share/terminfo
 *             holding it;
 *   zoneinfo  /etc/localtime always (it is small, and every program that
 *             calls localtime(3) reads it); the zone TZ names (TZ=Area/City
 *             or :Area/City, under $TZDIR or /usr/share/zoneinfo, or an
 *             absolute path); the whole /usr/share/zoneinfo (but right/)
 *             for an interpreter, whose scripts may name any zone (PHP's
 *             date functions abort without it);
 *   CA certificates  /etc/ssl/certs, /etc/ssl/openssl.cnf and /usr/lib/ssl
 *             when the image holds a TLS library (OpenSSL's libssl or
 *             libcrypto, GnuTLS, NSS): a client verifying a server needs
 *             them, and OpenSSL reads openssl.cnf when it starts;
 *   locale    /usr/lib/locale/C.utf8 for an interpreter (Python's locale
 *             coercion, Perl's warnings), all of /usr/lib/locale when the
 *             guest's LANG, LC_ALL or an LC_* variable names a locale.
 * Nothing is packed for what the host lacks. --dir and --file win over all.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "skiff.h"

#define ZONEINFO "/usr/share/zoneinfo"

static const char *const zone_exclude[] = { "right", NULL };

/* A host path, if it exists: a tree for a directory, else with symlinks. */
static int add(struct entries *es, const char *path, const char *rule,
	       const char *const *exclude)
{
	struct tree_opts t = { exclude, NULL, NULL };
	size_t from = es->n;
	struct stat st;
	int err;

	if (stat(path, &st) < 0)
		return 0;
	err = S_ISDIR(st.st_mode) ? tree_add(es, path, NULL, &t, rule)
				  : ent_add_host(es, path, NULL, rule);
	pack_note_range(es, from, rule);
	return err;
}

static int add_terminfo(struct entries *es, const struct skiff_opts *o)
{
	static const char *const dirs[] = { "/etc/terminfo", "/lib/terminfo",
					    "/usr/share/terminfo" };
	const char *term = pack_env(o, "TERM");

	if (!term || !*term || strchr(term, '/') || term[0] == '.')
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char *path = xasprintf("%s/%c/%s", dirs[i], term[0], term);
		int err = access(path, R_OK) ? -1 :
			  add(es, path, "the terminfo of TERM", NULL);

		free(path);
		if (err >= 0)
			return err;
	}
	return 0;
}

static int add_zoneinfo(struct entries *es, const struct skiff_opts *o,
			bool interpreter)
{
	const char *tz = pack_env(o, "TZ"), *dir = pack_env(o, "TZDIR");
	int err = add(es, "/etc/localtime", "/etc/localtime", NULL);

	if (!dir || dir[0] != '/')
		dir = ZONEINFO;
	if (!err && tz && *tz == ':')
		tz++;
	if (!err && tz && *tz && !strstr(tz, "..")) {
		char *path = tz[0] == '/' ? xstrdup(tz) :
			     xasprintf("%s/%s", dir, tz);
		struct stat st;

		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			err = add(es, path, "the zone of TZ", NULL);
		free(path);
	}
	if (!err && interpreter)
		err = add(es, dir, "zoneinfo, for an interpreter", zone_exclude);
	return err;
}

static bool has_tls(const struct entries *es)
{
	static const char *const libs[] = {
		"libssl.so.3", "libcrypto.so.3", "libssl.so.1.1",
		"libcrypto.so.1.1", "libgnutls.so.30", "libnss3.so",
	};

	for (size_t i = 0; i < ARRAY_SIZE(libs); i++)
		if (ent_has_name(es, libs[i]))
			return true;
	return false;
}

static int add_certificates(struct entries *es)
{
	static const char *const paths[] = {
		"/etc/ssl/certs", "/etc/ssl/openssl.cnf", "/usr/lib/ssl",
	};
	int err = 0;

	if (!has_tls(es))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(paths) && !err; i++)
		err = add(es, paths[i], "CA certificates, for a TLS library",
			  NULL);
	return err;
}

static bool locale_named(const struct skiff_opts *o)
{
	static const char *const keys[] = {
		"LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "LC_NUMERIC",
		"LC_TIME", "LC_COLLATE", "LC_MONETARY",
	};

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *v = pack_env(o, keys[i]);

		if (v && *v && strcmp(v, "C") && strcmp(v, "POSIX"))
			return true;
	}
	return false;
}

int datafiles_add(struct entries *es, const struct skiff_opts *o,
		  bool interpreter)
{
	bool weak = es->weak;
	int err;

	es->weak = true;
	err = add_terminfo(es, o);
	if (!err)
		err = add_zoneinfo(es, o, interpreter);
	if (!err)
		err = add_certificates(es);
	if (!err && locale_named(o))
		err = add(es, "/usr/lib/locale", "the locale of LANG/LC_*", NULL);
	else if (!err && interpreter)
		err = add(es, "/usr/lib/locale/C.utf8",
			  "the C.UTF-8 locale, for an interpreter", NULL);
	es->weak = weak;
	return err;
}
