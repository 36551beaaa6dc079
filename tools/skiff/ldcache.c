/*
 * A reader of glibc's /etc/ld.so.cache, the soname -> path table ldconfig
 * writes and ld.so searches (interface in skiff.h). skiff parses the file
 * instead of running `ldconfig -p`, so it depends on no host program.
 *
 * The format, as ldconfig writes it (little-endian, all offsets in bytes):
 *   header (48 bytes): "glibc-ld.so.cache" "1.1" (20 bytes), u32 nlibs,
 *     u32 length of the string table, u8 flags (byte order: 0 unknown,
 *     2 little-endian), 3 padding, u32 extension offset, 3 x u32 unused;
 *   nlibs entries of 24 bytes: s32 flags (type, machine), u32 key and u32
 *     value (offsets of NUL-terminated strings from the header's start),
 *     u32 OS version, u64 hwcap;
 *   the strings.
 * Before glibc 2.32 ldconfig wrote "compat" caches: an old table
 * ("ld.so-1.7.0", u32 nlibs at offset 12, entries of 12 bytes from offset
 * 16) followed, 8-byte aligned, by the new format, which this reader uses.
 */
#include <errno.h>
#include <string.h>
#include "skiff.h"

#define NEW_MAGIC "glibc-ld.so.cache1.1"
#define NEW_HEADER 48
#define NEW_ENTRY 24
#define OLD_MAGIC "ld.so-1.7.0"
#define OLD_HEADER 16
#define OLD_ENTRY 12
#define ENDIAN_MASK 3
#define ENDIAN_LITTLE 2

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static u64 get64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return v;
}

/* Skips the old table of a compat cache: 0, or -ENOEXEC. */
static int skip_old(const u8 **data, size_t *len)
{
	u64 nold, off;

	if (*len < OLD_HEADER)
		return -ENOEXEC;
	nold = get32(*data + 12);
	off = ALIGN_UP(OLD_HEADER + nold * OLD_ENTRY, 8);
	if (off > *len)
		return -ENOEXEC;
	*data += off;
	*len -= off;
	return 0;
}

int ldcache_parse(struct ldcache *c, const void *data, size_t len)
{
	const u8 *p = data;
	u32 nlibs;

	memset(c, 0, sizeof(*c));
	if (len >= sizeof(OLD_MAGIC) && !memcmp(p, OLD_MAGIC, sizeof(OLD_MAGIC)) &&
	    skip_old(&p, &len))
		return -ENOEXEC;
	if (len < NEW_HEADER || memcmp(p, NEW_MAGIC, strlen(NEW_MAGIC)))
		return -ENOEXEC;
	if ((p[28] & ENDIAN_MASK) != 0 && (p[28] & ENDIAN_MASK) != ENDIAN_LITTLE)
		return -ENOEXEC;
	nlibs = get32(p + 20);
	if (nlibs > (len - NEW_HEADER) / NEW_ENTRY)
		return -ENOEXEC;
	c->base = p;
	c->len = len;
	c->nlibs = nlibs;
	return 0;
}

/* The string at offset off, NULL unless NUL-terminated inside the file. */
static const char *string_at(const struct ldcache *c, u32 off)
{
	const u8 *nul;

	if (off >= c->len)
		return NULL;
	nul = memchr(c->base + off, 0, c->len - off);
	return nul ? (const char *)c->base + off : NULL;
}

int ldcache_entry(const struct ldcache *c, u32 i, struct ldcache_entry *e)
{
	const u8 *p = c->base + NEW_HEADER + (size_t)i * NEW_ENTRY;

	if (i >= c->nlibs)
		return -EINVAL;
	e->flags = get32(p);
	e->key = string_at(c, get32(p + 4));
	e->value = string_at(c, get32(p + 8));
	e->hwcap = get64(p + 16);
	return e->key && e->value ? 0 : -EINVAL;
}

const char *ldcache_find(const struct ldcache *c, const char *name)
{
	struct ldcache_entry e;

	for (u32 i = 0; i < c->nlibs; i++) {
		if (ldcache_entry(c, i, &e) || strcmp(e.key, name))
			continue;
		if ((e.flags & LDCACHE_TYPE_MASK) != LDCACHE_LIBC6 ||
		    (e.flags & LDCACHE_ARCH_MASK) != LDCACHE_X86_64)
			continue;
		/* Nonzero: a copy in a hwcaps subdirectory, which ld.so
		 * takes only on some CPUs; the plain one is always there. */
		if (!e.hwcap)
			return e.value;
	}
	return NULL;
}
