/*
 * tests/skiff/ninep_prog.c: what tests/skiff/ninep.sh runs on a 9p share,
 * natively and in Skiff, outputs compared. In the current directory:
 *   hostile  opens "victim" and "swap" (the script made them), writes
 *            "ready", waits for the script's "go" (it has removed victim
 *            and replaced swap on the host meanwhile), then reads the
 *            open victim, stats and reopens both names
 *   threads  8 threads at once each write a file of 300 KB of their own
 *            pattern and read it back: several requests in flight
 *   mmap     MAP_PRIVATE of a file reads its bytes; MAP_SHARED writable
 *            (the result only: Skiff refuses it, see docs/linux-compat.md)
 * One line per check, no addresses or times.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void show(const char *what, long r)
{
	printf("%s: %s\n", what, r < 0 ? strerror(errno) : "ok");
}

static int wait_for(const char *name)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct stat st;

	for (int i = 0; i < 12000; i++) { /* a bound, not a timing check */
		if (stat(name, &st) == 0)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static void read_fd(const char *what, int fd)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0) {
		show(what, -1);
		return;
	}
	buf[n] = 0;
	printf("%s: %s", what, buf);
}

static int hostile(void)
{
	int v = open("victim", O_RDONLY), s = open("swap", O_RDONLY), fd;
	struct stat st;

	show("open victim", v);
	show("open swap", s);
	close(open("ready", O_CREAT | O_WRONLY, 0644));
	if (wait_for("go")) {
		printf("no go\n");
		return 1;
	}
	read_fd("read removed victim", v);
	show("stat victim", stat("victim", &st));
	show("open victim again", open("victim", O_RDONLY));
	read_fd("read old swap", s);
	fd = open("swap", O_RDONLY);
	show("open swap again", fd);
	read_fd("read new swap", fd);
	show("stat swap", stat("swap", &st));
	printf("swap size %lld\n", (long long)st.st_size);
	return 0;
}

#define NT 8
#define LEN (300 * 1024)

static void *worker(void *arg)
{
	long id = (long)arg;
	char name[32], *buf = malloc(LEN), *back = malloc(LEN);
	long bad = 1;
	int fd;

	snprintf(name, sizeof(name), "t%ld.dat", id);
	for (int i = 0; i < LEN; i++)
		buf[i] = (char)(i * 7 + id);
	fd = open(name, O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (fd >= 0 && write(fd, buf, LEN) == LEN &&
	    pread(fd, back, LEN, 0) == LEN && !memcmp(buf, back, LEN))
		bad = 0;
	close(fd);
	free(buf);
	free(back);
	return (void *)bad;
}

static int threads(void)
{
	pthread_t t[NT];
	int bad = 0;

	for (long i = 0; i < NT; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < NT; i++) {
		void *r;

		pthread_join(t[i], &r);
		bad += r != NULL;
	}
	printf("threads: %d of %d files written and read back\n", NT - bad, NT);
	return 0;
}

static int maps(void)
{
	int fd = open("m.dat", O_CREAT | O_TRUNC | O_RDWR, 0644);
	char *p;

	if (fd < 0 || write(fd, "mapped bytes\n", 13) != 13)
		return 1;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		show("MAP_PRIVATE", -1);
		return 1;
	}
	printf("MAP_PRIVATE reads: %.13s", p);
	p[0] = 'M';
	read_fd("the file after a private store", fd);
	munmap(p, 4096);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "hostile"))
		return hostile();
	if (argc > 1 && !strcmp(argv[1], "threads"))
		return threads();
	if (argc > 1 && !strcmp(argv[1], "mmap"))
		return maps();
	printf("usage: ninep_prog hostile|threads|mmap\n");
	return 2;
}
