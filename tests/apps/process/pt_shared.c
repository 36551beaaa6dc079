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

int main(void)
{
	char *sh, *priv, *mf, *ff, c, buf[16];
	int mfd, ffd, go[2], back[2];
	long *counter;
	pid_t pid;

	scratch_enter("pt_shared");
	sh = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	priv = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mfd = memfd_create("pt_shared", 0);
	ffd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (sh == MAP_FAILED || priv == MAP_FAILED || mfd < 0 || ffd < 0 ||
	    ftruncate(mfd, 2 * PG) || ftruncate(ffd, PG) || pipe(go) || pipe(back))
		return 1;
	mf = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ff = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ffd, 0);
	if (mf == MAP_FAILED || ff == MAP_FAILED)
		return 1;
	counter = (long *)(sh + 2 * PG);
	sh[0] = 'a';	/* one page touched before fork, two not */
	priv[0] = 'p';
	pid = pt_fork();
	if (pid == 0) {
		char *late = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		sh[0] = 'A';
		sh[PG] = 'B';
		priv[0] = 'q';
		mf[0] = 'M';
		pwrite(mfd, "W", 1, PG);
		ff[0] = 'F';
		late[0] = 'L';
		for (int i = 0; i < 20000; i++)
			__atomic_fetch_add(counter, 1, __ATOMIC_SEQ_CST);
		write(back[1], "1", 1);
		read(go[0], &c, 1);	/* the parent has written */
		buf[0] = sh[PG + 1];
		buf[1] = mf[1];
		buf[2] = priv[0];
		write(back[1], buf, 3);
		_exit(0);
	}
	for (int i = 0; i < 20000; i++)
		__atomic_fetch_add(counter, 1, __ATOMIC_SEQ_CST);
	read(back[0], &c, 1);	/* the child has written */
	say("parent sees the child's writes: anon touched %s, anon untouched %s, memfd map %s",
	    sh[0] == 'A' ? "yes" : "no", sh[PG] == 'B' ? "yes" : "no", mf[0] == 'M' ? "yes" : "no");
	say("  memfd pwrite in the parent's map: %s", mf[PG] == 'W' ? "yes" : "no");
	char r = 0;

	pread(mfd, &r, 1, 0);
	say("  memfd map write in the parent's read(): %s", r == 'M' ? "yes" : "no");
	say("  private page stays the parent's: %s", priv[0] == 'p' ? "yes" : "no");
	sh[PG + 1] = 'b';
	mf[1] = 'm';
	write(go[1], "g", 1);
	memset(buf, 0, sizeof(buf));
	pt_read_all(back[0], buf, 3);
	say("child sees the parent's writes: anon %s, memfd %s; its private page its own: %s",
	    buf[0] == 'b' ? "yes" : "no", buf[1] == 'm' ? "yes" : "no", buf[2] == 'q' ? "yes" : "no");
	say("child: %s", pt_reap(pid));
	say("atomic counter: %ld", __atomic_load_n(counter, __ATOMIC_SEQ_CST));
	r = 0;
	pread(ffd, &r, 1, 0);
	say("shared file mapping reached the file: %s", r == 'F' ? "yes" : "no");
	munmap(sh, 3 * PG);
	munmap(mf, 2 * PG);
	munmap(ff, PG);
	close(mfd);
	close(ffd);
	scratch_leave();
	return 0;
}
