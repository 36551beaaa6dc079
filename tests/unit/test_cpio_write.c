/* SOURCES: tools/skiff/cpio.c */
/*
 * The cpio newc writer of skiff images (tools/skiff/cpio.c), read back by
 * the host's GNU cpio: what cpio extracts (contents, modes, symlinks,
 * directories, order) must be what was written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../tools/skiff/cpio.h"
#include "shim.h"

static char dir[] = "/tmp/skiff-test-cpio-XXXXXX";
static char path[512];

static const char *at(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int sh(const char *fmt, const char *arg)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, dir, arg);
	return system(cmd);
}

static void write_source(const char *name, const u8 *data, size_t len)
{
	int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), len);
	close(fd);
}

static void assert_file(const char *name, const void *data, size_t len,
			unsigned mode)
{
	struct stat st;
	u8 *buf = malloc(len + 1);
	int fd = open(at(name), O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, len);
	assert_int_equal(st.st_mode & 07777, mode);
	assert_int_equal(read(fd, buf, len + 1), len);
	assert_memory_equal(buf, data, len);
	close(fd);
	free(buf);
}

static void test_round_trip(void **state)
{
	static u8 big[200000];
	struct cpio *c = malloc(sizeof(*c));
	char target[64];
	struct stat st;
	int fd, src;
	ssize_t n;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (i * 7919) >> 3;
	write_source("big.src", big, sizeof(big));
	fd = open(at("a.cpio"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	src = open(at("big.src"), O_RDONLY);
	assert_true(fd >= 0 && src >= 0);
	cpio_init(c, fd);
	assert_int_equal(cpio_add_dir(c, "/x", 0755, 1000), 0);
	assert_int_equal(cpio_add_dir(c, "x/y", 0700, 1000), 0);
	/* Sizes 0..4 exercise every padding. */
	assert_int_equal(cpio_add_data(c, "/x/e", 0644, 1000, "", 0), 0);
	assert_int_equal(cpio_add_data(c, "/x/a", 0640, 1000, "1", 1), 0);
	assert_int_equal(cpio_add_data(c, "/x/bb", 0600, 1000, "12", 2), 0);
	assert_int_equal(cpio_add_data(c, "/x/y/ccc", 04755, 1000, "\xff\0\xff", 3), 0);
	assert_int_equal(cpio_add_data(c, "/x/y/dddd", 0444, 1000, "1234", 4), 0);
	assert_int_equal(cpio_add_fd(c, "/x/y/big", 0755, 1000, src, sizeof(big)), 0);
	assert_int_equal(cpio_add_symlink(c, "/x/link", "/x/y/big", 1000), 0);
	assert_int_equal(cpio_finish(c), 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, c->size);
	close(fd);
	close(src);
	free(c);

	assert_int_equal(sh("mkdir %s/out && cd %s/out && cpio -idm --quiet < ../a.cpio", dir), 0);
	assert_file("out/x/e", "", 0, 0644);
	assert_file("out/x/a", "1", 1, 0640);
	assert_file("out/x/bb", "12", 2, 0600);
	assert_file("out/x/y/ccc", "\xff\0\xff", 3, 04755);
	assert_file("out/x/y/dddd", "1234", 4, 0444);
	assert_file("out/x/y/big", big, sizeof(big), 0755);
	assert_int_equal(stat(at("out/x/y"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	n = readlink(at("out/x/link"), target, sizeof(target) - 1);
	assert_int_equal(n, strlen("/x/y/big"));
	target[n] = '\0';
	assert_string_equal(target, "/x/y/big");

	/* Names are stored relative, in the order given. */
	assert_int_equal(sh("cd %s && cpio -it --quiet < a.cpio > list", dir), 0);
	assert_int_equal(sh("cd %s && printf 'x\\nx/y\\nx/e\\nx/a\\nx/bb\\nx/y/ccc\\n"
			    "x/y/dddd\\nx/y/big\\nx/link\\n' | cmp -s - list", dir), 0);
}

/* A file that shrinks between fstat and the copy is an error, not padding. */
static void test_short_source(void **state)
{
	struct cpio *c = malloc(sizeof(*c));
	int fd = open("/dev/null", O_WRONLY), src;

	write_source("short.src", (const u8 *)"abc", 3);
	src = open(at("short.src"), O_RDONLY);
	cpio_init(c, fd);
	assert_int_equal(cpio_add_fd(c, "f", 0644, 0, src, 10), -ESTALE);
	assert_int_equal(cpio_add_fd(c, "g", 0644, 0, src, 1ull << 32), -EFBIG);
	close(src);
	close(fd);
	free(c);
}

/* A full disk surfaces as -ENOSPC from the writer. */
static void test_write_error(void **state)
{
	static u8 zeros[100000];
	struct cpio *c = malloc(sizeof(*c));
	int fd = open("/dev/full", O_WRONLY);
	int err;

	if (fd < 0) {
		free(c);
		skip();
	}
	cpio_init(c, fd);
	err = cpio_add_data(c, "f", 0644, 0, zeros, sizeof(zeros));
	if (!err)
		err = cpio_finish(c);
	assert_int_equal(err, -ENOSPC);
	close(fd);
	free(c);
}

/*
 * cpio_align_next: the data of each file written after it starts at a
 * 4096-byte offset of the archive (found by its unique first bytes), GNU
 * cpio extracts every file intact, and apart from the padding entries
 * (all named .skiff/pad) the archive lists what was added, in order.
 */
static void test_align(void **state)
{
	struct cpio *c = malloc(sizeof(*c));
	char name[64], marker[32], list[4096] = "";
	u8 *data = malloc(10000), *arch;
	size_t len;
	struct stat st;
	int fd;

	fd = open(at("p.cpio"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	cpio_init(c, fd);
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "/d/%.*s", 1 + i, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP");
		snprintf(marker, sizeof(marker), "<file %02d>", i);
		memset(data, i, 10000);
		memcpy(data, marker, strlen(marker));
		len = 100 + i * 211;
		if (i % 3)
			assert_int_equal(cpio_align_next(c, name, 4096), 0);
		assert_int_equal(cpio_add_data(c, name, 0644, 0, data, len), 0);
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s\n", name + 1);
	}
	assert_int_equal(cpio_finish(c), 0);
	assert_int_equal(fstat(fd, &st), 0);
	arch = malloc(st.st_size);
	assert_int_equal(pread(fd, arch, st.st_size, 0), st.st_size);
	for (int i = 1; i < 40; i++) {
		u8 *hit;

		if (!(i % 3))
			continue;
		snprintf(marker, sizeof(marker), "<file %02d>", i);
		hit = memmem(arch, st.st_size, marker, strlen(marker));
		assert_non_null(hit);
		assert_int_equal((hit - arch) % 4096, 0);
	}
	close(fd);
	free(arch);
	free(c);

	assert_int_equal(sh("mkdir %s/pout && cd %s/pout && cpio -idmu --quiet < ../p.cpio", dir), 0);
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "pout/d/%.*s", 1 + i, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP");
		snprintf(marker, sizeof(marker), "<file %02d>", i);
		memset(data, i, 10000);
		memcpy(data, marker, strlen(marker));
		assert_file(name, data, 100 + i * 211, 0644);
	}
	write_source("want", (const u8 *)list, strlen(list));
	assert_int_equal(sh("cd %s && cpio -it --quiet < p.cpio | grep -vx '.skiff/pad' | cmp -s - want", dir), 0);
	assert_int_equal(sh("cd %s && test $(cpio -it --quiet < p.cpio | grep -cx '.skiff/pad') -le 26", dir), 0);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_short_source),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_align),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
