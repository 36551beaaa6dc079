/*
 * devices: the character devices in /dev: their types and numbers (what
 * programs check before trusting them), /dev/null (EOF, swallows
 * writes), /dev/zero (zeros, mappable), /dev/full (ENOSPC on write,
 * zeros on read), /dev/random and /dev/urandom (full reads, two reads
 * differ), /dev/tty without a controlling terminal (ENXIO), and
 * /dev/console opening.
 */
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include "check.h"

static void node(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		say("%s: %s", path, errname(errno));
		return;
	}
	say("%s: char %d, %u:%u", path, S_ISCHR(st.st_mode), major(st.st_rdev),
	    minor(st.st_rdev));
}

static int all_zero(const char *b, int n)
{
	for (int i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

int main(void)
{
	const char *const nodes[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
				      "/dev/urandom", "/dev/tty", "/dev/console" };
	char a[64], b[64];
	int fd;
	char *m;

	for (unsigned i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		node(nodes[i]);
	fd = open("/dev/null", O_RDWR);
	SHOW(read(fd, a, sizeof(a)));
	SHOW(write(fd, a, sizeof(a)));
	SHOW(lseek(fd, 100, SEEK_SET));
	close(fd);
	fd = open("/dev/zero", O_RDWR);
	memset(a, 1, sizeof(a));
	SHOW(read(fd, a, sizeof(a)));
	yes("  /dev/zero reads zeros", all_zero(a, sizeof(a)));
	SHOW(write(fd, a, sizeof(a)));
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	yes("  shared map of /dev/zero: zeros, writable", m != MAP_FAILED && m[8191] == 0 &&
							     (m[0] = 1) == 1);
	close(fd);
	fd = open("/dev/full", O_RDWR);
	SHOW(write(fd, a, sizeof(a)));
	memset(a, 1, sizeof(a));
	SHOW(read(fd, a, sizeof(a)));
	yes("  /dev/full reads zeros", all_zero(a, sizeof(a)));
	close(fd);
	for (int i = 0; i < 2; i++) {
		const char *path = i ? "/dev/urandom" : "/dev/random";

		fd = open(path, O_RDONLY | O_NONBLOCK);
		say("%s: read %ld, read %ld", path, (long)read(fd, a, sizeof(a)),
		    (long)read(fd, b, sizeof(b)));
		yes("  the two reads differ", memcmp(a, b, sizeof(a)) != 0);
		close(fd);
	}
	fd = open("/dev/tty", O_RDWR);
	say("open /dev/tty without a controlling terminal: %s", fd < 0 ? errname(errno) : "ok");
	fd = open("/dev/console", O_WRONLY | O_NOCTTY);
	say("open /dev/console: %s", fd < 0 ? errname(errno) : "ok");
	return 0;
}
