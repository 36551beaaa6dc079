/*
 * pt_cow: copy-on-write across fork. Before fork the parent fills a stack
 * array, a global (.data), a .bss array, a small malloc, a 8 MiB malloc
 * (an mmap of its own) and a MAP_PRIVATE mapping of a file, one page of
 * which it has already written; after fork parent and child both write
 * every page of each, then each checks it still sees its own values
 * everywhere (the child reports through a pipe), the child saw the
 * parent's values from before fork, and the file still holds its
 * original bytes. A second round: a child of the child (two levels of
 * sharing), and a page written by neither stays shared and readable.
 */
/* NEEDS: fork */
#include "check.h"
#include "pt.h"
#include <sys/mman.h>

#define PG 4096
#define BIG (8 << 20)
#define FPAGES 4

static char data_arr[3 * PG] = { 1 };
static char bss_arr[3 * PG];

struct area {
	const char *name;
	char *p;
	size_t len;
};

static void fill(struct area *a, int n, char v)
{
	for (int i = 0; i < n; i++)
		for (size_t off = 0; off < a[i].len; off += 512)
			a[i].p[off] = v;
}

/* The first area not holding v everywhere, or NULL. */
static const char *check(struct area *a, int n, char v)
{
	for (int i = 0; i < n; i++)
		for (size_t off = 0; off < a[i].len; off += 512)
			if (a[i].p[off] != v)
				return a[i].name;
	return NULL;
}

static void run(struct area *a, int n, const char *who)
{
	int pfd[2], go[2];
	char msg[128] = "", c = 0;
	const char *bad;
	pid_t pid;

	if (pipe(pfd) || pipe(go))
		exit(1);
	fill(a, n, 'P');
	pid = pt_fork();
	if (pid == 0) {
		bad = check(a, n, 'P');
		fill(a, n, 'c');
		/* the parent has written its own values by now */
		read(go[0], &c, 1);
		const char *bad2 = check(a, n, 'c');

		snprintf(msg, sizeof(msg), "child saw the parent's values: %s; sees its own after both wrote: %s",
			 bad ? bad : "yes", bad2 ? bad2 : "yes");
		pt_write_all(pfd[1], msg, strlen(msg));
		_exit(0);
	}
	close(pfd[1]);
	fill(a, n, 'Q');
	write(go[1], "g", 1);
	pt_read_all(pfd[0], msg, sizeof(msg) - 1);
	say("%s: %s", who, msg);
	say("%s: child %s", who, pt_reap(pid));
	bad = check(a, n, 'Q');
	say("%s: parent sees its own: %s", who, bad ? bad : "yes");
	close(pfd[0]);
	close(go[0]);
	close(go[1]);
}

int main(void)
{
	char stack_arr[3 * PG];
	char *small = malloc(64), *big = malloc(BIG), *map, buf[PG];
	int fd;

	scratch_enter("pt_cow");
	fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	memset(buf, 'f', sizeof(buf));
	for (int i = 0; i < FPAGES; i++)
		write(fd, buf, sizeof(buf));
	map = mmap(NULL, FPAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (!small || !big || map == MAP_FAILED)
		return 1;
	map[PG] = 'w';	/* a private copy before fork */
	struct area all[] = {
		{ "stack", stack_arr, sizeof(stack_arr) },
		{ "data", data_arr, sizeof(data_arr) },
		{ "bss", bss_arr, sizeof(bss_arr) },
		{ "small malloc", small, 64 },
		{ "big malloc", big, BIG },
		{ "private file map", map, (FPAGES - 1) * PG },
	};
	int n = sizeof(all) / sizeof(all[0]);

	run(all, n, "round 1");
	/* the last page of the file mapping: read by both, written by none */
	yes("unwritten private page reads the file", map[(FPAGES - 1) * PG] == 'f');

	/* a grandchild: pages shared by three */
	pid_t pid = pt_fork();

	if (pid == 0) {
		run(all, n, "grandchild round");
		fflush(stdout);
		_exit(check(all, n, 'Q') ? 1 : 0);
	}
	say("middle child: %s", pt_reap(pid));
	yes("parent's values after the grandchild round", !check(all, n, 'Q'));

	char back[PG];
	ssize_t got = pread(fd, back, PG, PG);

	yes("file unchanged by private writes", got == PG && back[0] == 'f' && back[PG - 1] == 'f');
	munmap(map, FPAGES * PG);
	close(fd);
	free(big);
	free(small);
	scratch_leave();
	return 0;
}
