/*
 * tests/skiff/stats_prog.c: the program of tests/skiff/stats.sh, run as a
 * detached instance: `stats_prog DIR` starts two threads that sleep (3
 * threads in all), prints "ready", and on each SIGUSR1 does the next
 * step, printing its name when done:
 *   1 "worked"   touches 16 MiB, writes 2 MiB to DIR/stats.tmp and
 *                fsyncs it, sends 100 UDP datagrams of 1000 bytes to the
 *                host (10.0.2.2, QEMU's user network)
 *   2 "spinning" spins the CPU until the next SIGUSR1
 *   3 "done"     stops spinning and sleeps until stopped
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t steps;

static void on_usr1(int sig)
{
	steps++;
}

static void say(const char *s)
{
	printf("%s\n", s);
	fflush(stdout);
}

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static void work(const char *dir)
{
	static char buf[65536];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	char path[256];
	char *m = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd, s;

	if (m != MAP_FAILED)
		memset(m, 1, 16 << 20); /* kept: the memory stays used */
	snprintf(path, sizeof(path), "%s/stats.tmp", dir);
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < 32; i++)
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			say("write failed");
	if (fsync(fd))
		say("fsync failed");
	close(fd);
	inet_pton(AF_INET, "10.0.2.2", &a.sin_addr);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	for (int i = 0; i < 100; i++) {
		sendto(s, buf, 1000, 0, (struct sockaddr *)&a, sizeof(a));
		usleep(1000); /* not all queued behind the first ARP request */
	}
	close(s);
}

int main(int argc, char **argv)
{
	pthread_t t;
	int done = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: stats_prog DIR\n");
		return 2;
	}
	signal(SIGUSR1, on_usr1);
	pthread_create(&t, NULL, sleeper, NULL);
	pthread_create(&t, NULL, sleeper, NULL);
	say("ready");
	for (;;) {
		if (steps == done) {
			if (done != 2)
				pause();
			continue; /* step 2: spin */
		}
		done++;
		if (done == 1) {
			work(argv[1]);
			say("worked");
		} else if (done == 2) {
			say("spinning");
		} else {
			say("done");
			for (;;)
				pause();
		}
	}
}
