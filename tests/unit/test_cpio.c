/* SOURCES: lib/cpio.c */
/*
 * The cpio newc parser (lib/cpio.c): archives written by GNU cpio on this
 * host are parsed back and compared with lstat of the files (GNU cpio and
 * the host kernel write the expectations); every truncation and a set of
 * corruptions of a valid archive give -EINVAL, never a read outside the
 * buffer (ASan watches).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <skiff/cpio.h>
#include <skiff/errno.h>
#include "shim.h"

struct arch {
	unsigned char *buf;
	size_t len, cap;
};

static void put(struct arch *a, const void *p, size_t n)
{
	if (a->len + n > a->cap) {
		a->cap = (a->len + n) * 2;
		a->buf = realloc(a->buf, a->cap);
		assert_non_null(a->buf);
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void pad4(struct arch *a)
{
	while (a->len % 4)
		put(a, "", 1);
}

/* One newc entry as cpio(5) describes it; returns where its data ends. */
static size_t entry(struct arch *a, const char *name, unsigned mode,
		    const void *data, size_t size)
{
	size_t end;

	char h[CPIO_HDR_SIZE + 16];

	snprintf(h, sizeof(h),
		 "070701%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x%08x%08zx%08x",
		 1u, mode, 0u, 0u, 1u, 0u, size, 0u, 0u, 0u, 0u,
		 strlen(name) + 1, 0u);
	put(a, h, CPIO_HDR_SIZE);
	put(a, name, strlen(name) + 1);
	pad4(a);
	put(a, data, size);
	end = a->len;
	pad4(a);
	return end;
}

static void sample(struct arch *a)
{
	entry(a, "dir", 040755, "", 0);
	entry(a, "dir/file", 0100644, "hello\n", 6);
	entry(a, "dir/link", 0120777, "file", 4);
	entry(a, "TRAILER!!!", 0, "", 0);
}

static int count(const void *buf, size_t len, int *n)
{
	struct cpio_iter it;
	struct cpio_entry e;
	int r;

	*n = 0;
	cpio_iter_init(&it, buf, len);
	while ((r = cpio_next(&it, &e)) > 0)
		(*n)++;
	return r;
}

static void test_sample(void **state)
{
	struct arch a = { 0 };
	struct cpio_iter it;
	struct cpio_entry e;

	sample(&a);
	cpio_iter_init(&it, a.buf, a.len);
	assert_int_equal(cpio_next(&it, &e), 1);
	assert_string_equal(e.name, "dir");
	assert_int_equal(e.mode, 040755);
	assert_int_equal(cpio_next(&it, &e), 1);
	assert_string_equal(e.name, "dir/file");
	assert_int_equal(e.size, 6);
	assert_memory_equal(e.data, "hello\n", 6);
	assert_int_equal(cpio_next(&it, &e), 1);
	assert_int_equal(e.namelen, 8);
	assert_memory_equal(e.data, "file", 4);
	assert_int_equal(cpio_next(&it, &e), 0);
	assert_int_equal(cpio_next(&it, &e), 0);
	free(a.buf);
}

/*
 * Every cut inside an entry is corrupt; cuts between entries are an end,
 * and so are cuts in the padding after an entry's data (nothing is lost:
 * that entry is then the last).
 */
static void test_truncated(void **state)
{
	struct arch a = { 0 };
	size_t bounds[8], nb = 0; /* lengths that parse as complete */
	int n;

	for (int i = 0; i < 2; i++) {
		size_t end = entry(&a, i ? "bb" : "a", 0100644, "0123456789",
				   i ? 10 : 3);

		while (end <= a.len)
			bounds[nb++] = end++;
	}
	for (size_t cut = 0; cut < a.len; cut++) {
		unsigned char *copy = malloc(cut ? cut : 1);
		bool boundary = cut == 0;
		int r;

		memcpy(copy, a.buf, cut);
		for (size_t i = 0; i < nb; i++)
			boundary = boundary || cut == bounds[i];
		r = count(copy, cut, &n);
		if (boundary)
			assert_int_equal(r, 0);
		else
			assert_int_equal(r, -EINVAL);
		free(copy);
	}
	free(a.buf);
}

/* Corrupts one byte range of a valid archive; the parse must fail. */
static void corrupt(size_t off, const char *bytes)
{
	struct arch a = { 0 };
	int n;

	entry(&a, "name", 0100644, "data", 4);
	memcpy(a.buf + off, bytes, strlen(bytes) ? strlen(bytes) : 1);
	assert_int_equal(count(a.buf, a.len, &n), -EINVAL);
	free(a.buf);
}

static void test_corrupt(void **state)
{
	corrupt(0, "070707");		/* odc magic, not newc */
	corrupt(0, "x");		/* bad magic */
	corrupt(6 + 8, "0000z644");	/* mode not hex */
	corrupt(6 + 8 * 11, "00000000");/* namesize 0 */
	corrupt(6 + 8 * 11, "00000001");/* namesize 1: empty name */
	corrupt(6 + 8 * 11, "00000004");/* name not NUL-terminated */
	corrupt(6 + 8 * 11, "7fffffff");/* name past the end */
	corrupt(6 + 8 * 11, "ffffffff");/* name size overflow */
	corrupt(6 + 8 * 6, "00000100");	/* file size past the end */
	corrupt(6 + 8 * 6, "ffffffff");	/* file size overflow */
	corrupt(CPIO_HDR_SIZE + 1, "\0");/* NUL inside the name */
}

/* NUL padding after a trailer, then a second archive (Linux accepts it). */
static void test_concatenated(void **state)
{
	struct arch a = { 0 };
	int n;

	sample(&a);
	put(&a, "\0\0\0\0\0\0\0\0", 8);
	sample(&a);
	assert_int_equal(count(a.buf, a.len, &n), 0);
	assert_int_equal(n, 6);
	assert_int_equal(count(a.buf, 0, &n), 0);
	free(a.buf);
}

/* GNU cpio writes an archive of real files; the parse matches lstat. */
static void test_gnu_cpio(void **state)
{
	char dir[] = "/tmp/skiff-cpio-XXXXXX", cmd[512];
	static char buf[1 << 16];
	struct cpio_iter it;
	struct cpio_entry e;
	size_t len;
	FILE *p;
	int n = 0;

	if (system("command -v cpio >/dev/null") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir d && printf 'abcdefg' > d/f && ln -s f d/l && "
		 "head -c 5000 /dev/zero > big && chmod 751 big && "
		 "find . | LC_ALL=C sort | cpio -o -H newc 2>/dev/null", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	len = fread(buf, 1, sizeof(buf), p);
	assert_int_equal(pclose(p), 0);
	assert_int_equal(chdir(dir), 0);
	cpio_iter_init(&it, buf, len);
	while (cpio_next(&it, &e) > 0) {
		struct stat st;

		assert_int_equal(lstat(e.name, &st), 0);
		assert_int_equal(e.mode, st.st_mode);
		if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
			assert_int_equal(e.size, st.st_size);
		n++;
	}
	assert_int_equal(n, 5); /* . d d/f d/l big */
	assert_int_equal(chdir("/"), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_concatenated),
		cmocka_unit_test(test_gnu_cpio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
