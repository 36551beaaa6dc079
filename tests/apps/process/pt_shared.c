/*
 * pt_shared: memory shared across fork. MAP_SHARED | MAP_ANONYMOUS pages
 * written by the child are seen by the parent and the other way round;
 * 2 x 20000 atomic increments from both processes add up; a memfd
 * (memfd_create, ftruncate, mmap MAP_SHARED) written through the mapping
 * by one is read through read() and the mapping by the other, and
 * write() by one is seen in the other's mapping; a MAP_SHARED file
 * mapping across fork reaches the file; a MAP_PRIVATE anonymous page
 * beside them stays private.
 */
/* NEEDS: fork */
#include "check.h"
#include "pt.h"
#include <sys/mman.h>

#define PG 4096

struct maps {
	char *sh;	/* MAP_SHARED | MAP_ANONYMOUS, 3 pages: the last has the counter */
	char *priv;	/* MAP_PRIVATE | MAP_ANONYMOUS */
	char *mf;	/* the memfd, MAP_SHARED, 2 pages */
	char *ff;	/* a file, MAP_SHARED */
	int mfd, ffd;
	long *counter;
};

static void setup(struct maps *m)
{
	m->sh = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	m->priv = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m->mfd = memfd_create("pt_shared", 0);
	m->ffd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (m->sh == MAP_FAILED || m->priv == MAP_FAILED || m->mfd < 0 || m->ffd < 0 ||
	    ftruncate(m->mfd, 2 * PG) || ftruncate(m->ffd, PG)) {
		say("setup: %s", errname(errno));
		exit(1);
	}
	m->mf = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, m->mfd, 0);
	m->ff = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, m->ffd, 0);
	if (m->mf == MAP_FAILED || m->ff == MAP_FAILED)
		exit(1);
	m->counter = (long *)(m->sh + 2 * PG);
	m->sh[0] = 'a';	/* one page touched before fork, two not */
	m->priv[0] = 'p';
}

/* The child: writes, counts, then reports what the parent wrote. */
static void child(struct maps *m, int go, int back)
{
	char c, buf[3];

	m->sh[0] = 'A';
	m->sh[PG] = 'B';
	m->priv[0] = 'q';
	m->mf[0] = 'M';
	pwrite(m->mfd, "W", 1, PG);
	m->ff[0] = 'F';
	for (int i = 0; i < 20000; i++)
		__atomic_fetch_add(m->counter, 1, __ATOMIC_SEQ_CST);
	write(back, "1", 1);
	read(go, &c, 1);	/* the parent has written */
	buf[0] = m->sh[PG + 1];
	buf[1] = m->mf[1];
	buf[2] = m->priv[0];
	write(back, buf, 3);
	_exit(0);
}

/* The parent, once the child has written. */
static void parent_sees(struct maps *m)
{
	char r = 0;

	say("parent sees the child's writes: anon touched %s, anon untouched %s, memfd map %s",
	    m->sh[0] == 'A' ? "yes" : "no", m->sh[PG] == 'B' ? "yes" : "no",
	    m->mf[0] == 'M' ? "yes" : "no");
	say("  memfd pwrite in the parent's map: %s", m->mf[PG] == 'W' ? "yes" : "no");
	pread(m->mfd, &r, 1, 0);
	say("  memfd map write in the parent's read(): %s", r == 'M' ? "yes" : "no");
	say("  private page stays the parent's: %s", m->priv[0] == 'p' ? "yes" : "no");
}

int main(void)
{
	int go[2], back[2];
	char c, buf[16] = "", r = 0;
	struct maps m;
	pid_t pid;

	scratch_enter("pt_shared");
	setup(&m);
	if (pipe(go) || pipe(back))
		return 1;
	pid = pt_fork();
	if (pid == 0)
		child(&m, go[0], back[1]);
	for (int i = 0; i < 20000; i++)
		__atomic_fetch_add(m.counter, 1, __ATOMIC_SEQ_CST);
	read(back[0], &c, 1);	/* the child has written */
	parent_sees(&m);
	m.sh[PG + 1] = 'b';
	m.mf[1] = 'm';
	write(go[1], "g", 1);
	pt_read_all(back[0], buf, 3);
	say("child sees the parent's writes: anon %s, memfd %s; its private page its own: %s",
	    buf[0] == 'b' ? "yes" : "no", buf[1] == 'm' ? "yes" : "no", buf[2] == 'q' ? "yes" : "no");
	say("child: %s", pt_reap(pid));
	say("atomic counter: %ld", __atomic_load_n(m.counter, __ATOMIC_SEQ_CST));
	pread(m.ffd, &r, 1, 0);
	say("shared file mapping reached the file: %s", r == 'F' ? "yes" : "no");
	munmap(m.sh, 3 * PG);
	munmap(m.mf, 2 * PG);
	munmap(m.ff, PG);
	close(m.mfd);
	close(m.ffd);
	scratch_leave();
	return 0;
}
