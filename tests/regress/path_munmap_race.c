/*
 * path_munmap_race: a syscall taking a path (here open) whose string
 * another thread unmaps meanwhile fails with EFAULT (or ENOENT for what
 * it found), as on Linux; the program is never killed. Reproducer: Skiff
 * (mm/uaccess.c's user_strdup) checked how far the string's memory was
 * mapped and then read the string directly, so an munmap in between (the
 * caller preempted there) was a kernel fault outside the uaccess routines,
 * and the program died of it. Depends on preemption landing in that
 * window: two seconds with a 4000-byte path catch it in most runs under
 * TCG.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include "check.h"

static char *page;
static volatile int stop;

/* "a/a/a/.../a": no such file, long enough to take a while to copy. */
static void fill(char *p)
{
	for (int i = 0; i < 4000; i += 2) {
		p[i] = 'a';
		p[i + 1] = '/';
	}
	p[3999] = 0;
}

static void *unmapper(void *arg)
{
	(void)arg;
	while (!stop) {
		munmap(page, 4096);
		mmap(page, 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		fill(page);
	}
	return NULL;
}

int main(void)
{
	pthread_t t;
	long calls = 0, other = 0;
	long long end = mono_ns() + 2000000000LL;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(page);
	pthread_create(&t, NULL, unmapper, NULL);
	while (mono_ns() < end) {
		for (int i = 0; i < 100; i++, calls++) {
			int fd = open(page, O_RDONLY);
			if (fd >= 0 || (errno != ENOENT && errno != EFAULT))
				other++;
		}
	}
	stop = 1;
	pthread_join(t, NULL);
	yes("every open ENOENT or EFAULT", calls > 0 && other == 0);
	return 0;
}
