/*
 * skiff run IMAGE: the image file QEMU boots as the initrd (interface in
 * skiff.h, prebuilt_prepare).
 *
 * A compressed image (LZ4, what skiff build writes by default, or gzip) is
 * decoded on the host (unlz4.c, inflate.c), once: the result is kept in
 * $XDG_CACHE_HOME/skiff/images (~/.cache/skiff/images), one file per image
 * path, named after a hash of that path and of the image's device, inode,
 * size and mtime, so a rebuilt image is decoded again and replaces the old
 * copy. Why on the host: the kernel serves the image's files from where
 * they lie in memory (fs/initrd.c maps page-aligned data), which an
 * in-guest decoder would lose, and a decoder in the guest runs under TCG
 * many times slower than on the host, while QEMU reads an uncompressed
 * image from the page cache in milliseconds (docs/performance.md has the
 * figures). Without a cache directory the image is decoded into an
 * unlinked temporary file each run.
 *
 * ARGS, -e and -w (image_write_overrides) go into a small cpio archive
 * appended to a temporary copy of the uncompressed image: the kernel reads
 * concatenated archives, a later entry replacing an earlier one, as Linux
 * reads its initramfs. The copy is made with copy_file_range (a reflink or
 * an in-kernel copy).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "skiff.h"

enum codec { CODEC_NONE, CODEC_LZ4, CODEC_GZIP };

static enum codec codec_of(const char *path)
{
	u8 m[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t n;

	if (fd < 0)
		return CODEC_NONE;
	n = read(fd, m, 4);
	close(fd);
	if (n == 4 && !memcmp(m, "\x04\x22\x4d\x18", 4))
		return CODEC_LZ4;
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return CODEC_GZIP;
	return CODEC_NONE;
}

bool prebuilt_is_compressed(const char *path)
{
	return codec_of(path) != CODEC_NONE;
}

static u64 fnv(u64 h, const void *data, size_t n)
{
	const u8 *p = data;

	while (n--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}

/* The cache directory (made if missing), or NULL. */
static char *cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *base, *dir;

	if (xdg && *xdg == '/')
		base = xasprintf("%s/skiff", xdg);
	else if (home && *home == '/')
		base = xasprintf("%s/.cache/skiff", home);
	else
		return NULL;
	dir = xasprintf("%s/images", base);
	if (home && (!xdg || *xdg != '/')) {
		char *dot = xasprintf("%s/.cache", home);

		mkdir(dot, 0755);
		free(dot);
	}
	mkdir(base, 0755);
	free(base);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* Removes the other cached copies of the image whose copy is final
 * (DIR/PATHHASH-STATHASH.cpio): those with the same PATHHASH. */
static void cache_drop_old(const char *dir, const char *final)
{
	const char *base = strrchr(final, '/') + 1;
	size_t plen = strchr(base, '-') - base + 1;
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		/* not another's temporary file, being written */
		if (strncmp(e->d_name, base, plen) || !strcmp(e->d_name, base) ||
		    n < 5 || strcmp(e->d_name + n - 5, ".cpio"))
			continue;
		char *old = xasprintf("%s/%s", dir, e->d_name);

		unlink(old);
		free(old);
	}
	closedir(d);
}

/* Decodes the compressed image p into fd; 0 or an exit status. */
static int decode_into(const struct program *p, int fd)
{
	int in = open(p->real, O_RDONLY | O_CLOEXEC), err;

	if (in < 0) {
		skiff_err("%s: %s", p->typed, strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	err = codec_of(p->real) == CODEC_LZ4 ? lz4_decompress(in, fd, p->typed)
					     : gz_decompress(in, fd, p->typed);
	close(in);
	return err;
}

/* The uncompressed image of the compressed image p: a cached path, or an
 * fd. */
static int decompressed(const struct program *p, char **path, int *fd_out)
{
	struct stat st;
	char *dir = cache_dir(), *final, *tmp;
	u64 key[5], ph;
	int fd, err;

	*fd_out = -1;
	if (stat(p->real, &st) < 0) {
		skiff_err("%s: %s", p->typed, strerror(errno));
		free(dir);
		return SKIFF_EXIT_FAILED;
	}
	if (!dir) {
		fd = temp_fd();
		if (fd < 0)
			return SKIFF_EXIT_FAILED;
		err = decode_into(p, fd);
		if (err)
			close(fd);
		else
			*fd_out = fd;
		return err;
	}
	ph = fnv(0xcbf29ce484222325ull, p->real, strlen(p->real));
	key[0] = st.st_dev;
	key[1] = st.st_ino;
	key[2] = st.st_size;
	key[3] = st.st_mtim.tv_sec;
	key[4] = st.st_mtim.tv_nsec;
	final = xasprintf("%s/%016llx-%016llx.cpio", dir, (unsigned long long)ph,
			  (unsigned long long)fnv(ph, key, sizeof(key)));
	if (access(final, R_OK) == 0) {
		*path = final;
		free(dir);
		return 0;
	}
	tmp = xasprintf("%s.XXXXXX", final);
	fd = mkstemp(tmp);
	if (fd < 0) {
		skiff_err("%s: %s", tmp, strerror(errno));
		err = SKIFF_EXIT_FAILED;
	} else {
		err = decode_into(p, fd);
		if (close(fd) < 0 && !err)
			err = SKIFF_EXIT_FAILED;
		if (!err && rename(tmp, final) < 0) {
			skiff_err("%s: %s", final, strerror(errno));
			err = SKIFF_EXIT_FAILED;
		}
		if (!err)
			cache_drop_old(dir, final);
		if (err)
			unlink(tmp);
	}
	free(tmp);
	free(dir);
	if (err)
		free(final);
	else
		*path = final;
	return err;
}

/* All of src into dst (at their offsets); 0 or -errno. */
static int copy_all(int src, int dst)
{
	char buf[65536];
	ssize_t n;

	while ((n = copy_file_range(src, NULL, dst, NULL, 1 << 30, 0)) > 0)
		;
	if (n == 0)
		return 0;
	if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
	    errno != EOPNOTSUPP)
		return -errno;
	while ((n = read(src, buf, sizeof(buf))) > 0)
		if (write(dst, buf, n) != n)
			return -EIO;
	return n < 0 ? -errno : 0;
}

/* A copy of the image (path, or fd if path is NULL) with the overrides. */
static int with_overrides(const struct skiff_opts *o, const char *path,
			  int src_fd, int *fd_out)
{
	int src = path ? open(path, O_RDONLY | O_CLOEXEC) : src_fd;
	int fd = temp_fd(), err;
	char *name = path ? xstrdup(path) : xasprintf("/dev/fd/%d", src_fd);

	if (src < 0 || fd < 0) {
		if (src < 0)
			skiff_err("%s: %s", path, strerror(errno));
		err = SKIFF_EXIT_FAILED;
		goto out;
	}
	lseek(src, 0, SEEK_SET);
	err = copy_all(src, fd);
	if (err) {
		skiff_err("copying %s: %s", name, strerror(-err));
		err = SKIFF_EXIT_FAILED;
	}
	if (!err)
		err = image_write_overrides(fd, name, o);
out:
	if (path && src >= 0)
		close(src);
	if (err && fd >= 0)
		close(fd);
	else
		*fd_out = fd;
	free(name);
	return err;
}

int prebuilt_prepare(const struct skiff_opts *o, const struct program *p,
		     char **initrd, u64 *size)
{
	char *path = NULL;
	int fd = -1, ofd = -1, err = 0;
	struct stat st;

	if (prebuilt_is_compressed(p->real))
		err = decompressed(p, &path, &fd);
	else
		path = xstrdup(p->real);
	if (err)
		return err;
	if (o->argc > 1 || o->nenv || o->workdir) {
		err = with_overrides(o, path, fd, &ofd);
		if (fd >= 0)
			close(fd);
		free(path);
		path = NULL;
		fd = err ? -1 : ofd;
	}
	if (err)
		return err;
	if (path)
		*initrd = path;
	else
		*initrd = xasprintf("/dev/fd/%d", fd);
	*size = stat(*initrd, &st) == 0 ? (u64)st.st_size : 0;
	return 0;
}
