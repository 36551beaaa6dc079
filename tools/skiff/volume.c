/*
 * Volumes: `skiff volume create|ls|rm` and the disks of `skiff run -v`.
 *
 * A volume is a raw disk image holding an ext2 filesystem (made by
 * mke2fs -t ext2 from e2fsprogs), NAME.img in the volume directory:
 * $SKIFF_STATE_DIR/volumes, else $XDG_STATE_HOME/skiff/volumes, else
 * ~/.local/state/skiff/volumes. `-v SRC:GUEST[:ro|:rw]` attaches SRC at the
 * guest directory GUEST: SRC with a '/' (./disk.img, /abs/x.img, ./dir) is
 * an image file or a host directory, otherwise a volume's name. Each disk
 * is a virtio-blk device (the guest's vda, vdb, ... in the order given)
 * and a mount=vdX:GUEST word on the kernel command line; each directory a
 * virtio-9p device (qemu.c) and a mount=9p:TAG:GUEST word.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "skiff.h"

#define DEFAULT_VOLUME_MIB 1024

static int mkdir_p(const char *path)
{
	char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			break;
		*s = '/';
	}
	free(p);
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

const char *volume_dir(void)
{
	const char *s = getenv("SKIFF_STATE_DIR"), *x = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	if (s && *s)
		return xasprintf("%s/volumes", s);
	if (x && *x == '/')
		return xasprintf("%s/skiff/volumes", x);
	return xasprintf("%s/.local/state/skiff/volumes", home ? home : "/tmp");
}

static bool name_ok(const char *n)
{
	if (!*n || *n == '.' || *n == '-' || strlen(n) > 64)
		return false;
	for (; *n; n++)
		if (!(isalnum((unsigned char)*n) || *n == '_' || *n == '-' || *n == '.'))
			return false;
	return true;
}

static char *volume_path(const char *name)
{
	return xasprintf("%s/%s.img", volume_dir(), name);
}

/* Runs argv, its output to stderr; 0 when it exits 0. */
static int run_tool(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		dup2(2, 1);
		execvp(argv[0], argv);
		skiff_err("cannot run %s: %s (install e2fsprogs)", argv[0],
			  strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int volume_create(int argc, char **argv)
{
	u64 mib = DEFAULT_VOLUME_MIB;
	const char *name = NULL;
	char *path;
	int fd;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--size") && i + 1 < argc) {
			if (opts_parse_memory(argv[++i], &mib) || mib < 1) {
				skiff_err("--size %s: expected a size such as 1G",
					  argv[i]);
				return SKIFF_EXIT_USAGE;
			}
		} else if (!name && argv[i][0] != '-') {
			name = argv[i];
		} else {
			skiff_err("usage: skiff volume create NAME [--size SIZE]");
			return SKIFF_EXIT_USAGE;
		}
	}
	if (!name || !name_ok(name)) {
		skiff_err("volume name: expected letters, digits, '_', '-', '.'");
		return SKIFF_EXIT_USAGE;
	}
	if (mkdir_p(volume_dir()) < 0) {
		skiff_err("%s: %s", volume_dir(), strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	path = volume_path(name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0) {
		skiff_err("volume %s: %s", name, errno == EEXIST ?
			  "already exists" : strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	if (ftruncate(fd, (off_t)(mib << 20)) < 0) {
		skiff_err("%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return SKIFF_EXIT_FAILED;
	}
	close(fd);
	char *mk[] = { "mke2fs", "-q", "-F", "-t", "ext2", "-L", (char *)name,
		       path, NULL };
	if (run_tool(mk)) {
		skiff_err("mke2fs failed on %s", path);
		unlink(path);
		return SKIFF_EXIT_FAILED;
	}
	printf("%s\n", name);
	return 0;
}

static int volume_ls(void)
{
	DIR *d = opendir(volume_dir());
	struct dirent *e;

	printf("%-24s %10s\n", "NAME", "SIZE");
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		struct stat st;
		char *p;

		if (n < 5 || strcmp(e->d_name + n - 4, ".img"))
			continue;
		p = xasprintf("%s/%s", volume_dir(), e->d_name);
		if (stat(p, &st) == 0)
			printf("%-24.*s %9lluM\n", (int)(n - 4), e->d_name,
			       (unsigned long long)(st.st_size >> 20));
		free(p);
	}
	closedir(d);
	return 0;
}

static int volume_rm(int argc, char **argv)
{
	int err = 0;

	if (argc < 1) {
		skiff_err("usage: skiff volume rm NAME...");
		return SKIFF_EXIT_USAGE;
	}
	for (int i = 0; i < argc; i++) {
		char *p = volume_path(argv[i]);

		if (!name_ok(argv[i]) || unlink(p) < 0) {
			skiff_err("volume %s: %s", argv[i], name_ok(argv[i]) ?
				  strerror(errno) : "bad name");
			err = SKIFF_EXIT_FAILED;
		}
		free(p);
	}
	return err;
}

int volume_command(int argc, char **argv)
{
	if (argc >= 1 && !strcmp(argv[0], "create"))
		return volume_create(argc - 1, argv + 1);
	if (argc == 1 && !strcmp(argv[0], "ls"))
		return volume_ls();
	if (argc >= 1 && !strcmp(argv[0], "rm"))
		return volume_rm(argc - 1, argv + 1);
	skiff_err("usage: skiff volume create NAME [--size SIZE] | ls | rm NAME");
	return SKIFF_EXIT_USAGE;
}

/* A -v error: why, and -EINVAL. */
static int refuse(char *why, size_t whylen, const char *fmt, const char *arg)
{
	snprintf(why, whylen, fmt, arg);
	return -EINVAL;
}

int volume_parse(const char *spec, struct disk_spec *out, char *why,
		 size_t whylen)
{
	char *s = xstrdup(spec), *c1 = strchr(s, ':'), *c2;
	struct stat st;

	if (!c1 || c1 == s)
		return refuse(why, whylen, "expected SRC:/DIR[:ro] (a volume, "
			      "an image file or a host directory)%s", "");
	*c1 = 0;
	c2 = strchr(c1 + 1, ':');
	out->ro = false;
	out->dir = false;
	if (c2) {
		*c2 = 0;
		if (!strcmp(c2 + 1, "ro"))
			out->ro = true;
		else if (strcmp(c2 + 1, "rw"))
			return refuse(why, whylen, "unknown mode :%s (ro or rw)",
				      c2 + 1);
	}
	if (c1[1] != '/')
		return refuse(why, whylen, "the guest path %s must be absolute",
			      c1 + 1);
	out->guest = path_normalize(c1 + 1);
	if (!strchr(s, '/')) {
		if (!name_ok(s))
			return refuse(why, whylen, "%s is no volume name (letters, "
				      "digits, '_', '-', '.') and no path "
				      "(./DIR, /DIR)", s);
		out->path = volume_path(s);
		if (access(out->path, out->ro ? R_OK : R_OK | W_OK) < 0)
			return refuse(why, whylen, "no volume %s (skiff volume "
				      "create it)", s);
		return 0;
	}
	if (stat(s, &st) < 0)
		return refuse(why, whylen, "%s: no such file or directory", s);
	out->dir = S_ISDIR(st.st_mode);
	out->path = out->dir ? path_absolute(s) : s;
	if (out->dir && !strcmp(out->guest, "/"))
		return refuse(why, whylen, "a host directory cannot cover the "
			      "guest's root (%s)", "/");
	if (access(out->path, out->ro || out->dir ? R_OK : R_OK | W_OK) < 0)
		return refuse(why, whylen, "%s: permission denied", s);
	return 0;
}

char *volume_escape(const char *path)
{
	char *out = xmalloc(3 * strlen(path) + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p <= ' ' || *p >= 0x7f || *p == ':' || *p == '%')
			o += sprintf(o, "%%%02X", *p);
		else
			*o++ = (char)*p;
	}
	*o = 0;
	return out;
}
