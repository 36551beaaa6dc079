/*
 * tests/metrics/metrics_prog.c: reads Skiff's /proc/skiff/metrics before
 * and after doing something, and checks that the counter of what it did
 * moved as it must. One line per check ("ok NAME" or "FAIL NAME: why");
 * exits 1 if any failed. Run by tests/metrics/run.sh inside Skiff:
 *   metrics_prog DIR    DIR on a volume (ext2 on virtio-blk)
 *   metrics_prog dump   prints the text once (for the format checks)
 * Only Skiff has the file: not a differential test.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static char text[1 << 20];
static int failures;

static void snap(void)
{
	int fd = open("/proc/skiff/metrics", O_RDONLY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0) {
		perror("open /proc/skiff/metrics");
		exit(1);
	}
	while ((n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += n;
	text[len] = '\0';
	close(fd);
}

/* The value of the sample whose name with labels is exactly key (0 if
 * absent); a float's integer part. */
static double value(const char *key)
{
	size_t k = strlen(key);

	for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
		if (!strncmp(p, key, k) && p[k] == ' ')
			return strtod(p + k + 1, NULL);
		if (!strchr(p, '\n'))
			break;
	}
	return 0;
}

/* The sum over samples of family name (any labels). */
static double sum(const char *name)
{
	size_t k = strlen(name);
	double s = 0;

	for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
		if (!strncmp(p, name, k) && (p[k] == '{' || p[k] == ' '))
			s += strtod(strchr(p + k, ' ') + 1, NULL);
		if (!strchr(p, '\n'))
			break;
	}
	return s;
}

static void check(const char *name, int ok, const char *fmt, double a,
		  double b)
{
	if (ok) {
		printf("ok %s\n", name);
		return;
	}
	printf("FAIL %s: ", name);
	printf(fmt, a, b);
	printf("\n");
	failures++;
}

static void syscalls(void)
{
	double before, after;

	snap();
	before = value("skiff_syscalls_total{name=\"getppid\"}");
	for (int i = 0; i < 1000; i++)
		syscall(SYS_getppid);
	snap();
	after = value("skiff_syscalls_total{name=\"getppid\"}");
	check("syscalls: getppid grew by exactly 1000", after - before == 1000,
	      "before %.0f after %.0f", before, after);
}

static void memory(void)
{
	size_t len = 16 << 20;
	double f0, f1, p0, p1;
	char *m;

	snap();
	f0 = value("skiff_memory_free_bytes");
	p0 = value("skiff_page_faults_total");
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (m == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	for (size_t i = 0; i < len; i += 4096)
		m[i] = 1;
	snap();
	f1 = value("skiff_memory_free_bytes");
	p1 = value("skiff_page_faults_total");
	check("memory: free dropped by 16 MiB or more after touching 16 MiB",
	      f0 - f1 >= len, "before %.0f after %.0f", f0, f1);
	check("faults: grew by 4096 or more after touching 4096 new pages",
	      p1 - p0 >= len / 4096, "before %.0f after %.0f", p0, p1);
	munmap(m, len);
}

static void net(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	char buf[1000] = { 0 };
	int r = socket(AF_INET, SOCK_DGRAM, 0), s = socket(AF_INET, SOCK_DGRAM, 0);
	double b0, b1, p0, p1;

	bind(r, (struct sockaddr *)&a, sizeof(a));
	getsockname(r, (struct sockaddr *)&a, &al);
	snap();
	b0 = value("skiff_network_transmit_bytes_total{interface=\"lo\"}");
	p0 = value("skiff_network_receive_packets_total{interface=\"lo\"}");
	for (int i = 0; i < 10; i++) {
		sendto(s, buf, sizeof(buf), 0, (struct sockaddr *)&a, sizeof(a));
		recv(r, buf, sizeof(buf), 0);
	}
	snap();
	b1 = value("skiff_network_transmit_bytes_total{interface=\"lo\"}");
	p1 = value("skiff_network_receive_packets_total{interface=\"lo\"}");
	check("net: lo sent 10000 bytes or more after 10 datagrams of 1000",
	      b1 - b0 >= 10000, "before %.0f after %.0f", b0, b1);
	check("net: lo received 10 packets or more", p1 - p0 >= 10,
	      "before %.0f after %.0f", p0, p1);
	close(r);
	close(s);
}

static void disk(const char *dir)
{
	char path[256], buf[65536];
	double w0, w1, o0, o1;
	int fd;

	memset(buf, 'x', sizeof(buf));
	snprintf(path, sizeof(path), "%s/metrics.tmp", dir);
	snap();
	w0 = sum("skiff_disk_written_bytes_total");
	o0 = sum("skiff_disk_writes_completed_total");
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	for (int i = 0; i < 16; i++)
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			perror("write");
	if (fsync(fd))
		perror("fsync");
	close(fd);
	snap();
	w1 = sum("skiff_disk_written_bytes_total");
	o1 = sum("skiff_disk_writes_completed_total");
	check("disk: 1 MiB or more written after 1 MiB and fsync",
	      w1 - w0 >= 1 << 20, "before %.0f after %.0f", w0, w1);
	check("disk: write requests grew", o1 > o0, "before %.0f after %.0f",
	      o0, o1);
	unlink(path);
}

static void *sleeper(void *arg)
{
	pthread_setname_np(pthread_self(), "metrics-worker");
	while (!*(volatile int *)arg)
		usleep(1000);
	return NULL;
}

static void threads_fds(void)
{
	double t0, t1, f0, f1, v0, v1;
	int stop = 0, fds[5];
	pthread_t t;

	snap();
	t0 = value("skiff_threads");
	f0 = value("skiff_open_fds");
	v0 = value("skiff_context_switches_total{type=\"voluntary\"}");
	pthread_create(&t, NULL, sleeper, &stop);
	usleep(20000);
	for (int i = 0; i < 5; i++)
		fds[i] = open("/", O_RDONLY);
	snap();
	t1 = value("skiff_threads");
	f1 = value("skiff_open_fds");
	v1 = value("skiff_context_switches_total{type=\"voluntary\"}");
	check("threads: grew by 1 with a thread", t1 - t0 == 1,
	      "before %.0f after %.0f", t0, t1);
	check("threads: the new thread's CPU time is listed by its name",
	      strstr(text, ",comm=\"metrics-worker\"} ") != NULL, "%.0f%.0f",
	      0, 0);
	check("fds: grew by exactly 5 after 5 opens", f1 - f0 == 5,
	      "before %.0f after %.0f", f0, f1);
	check("context switches: voluntary ones grew after sleeping", v1 > v0,
	      "before %.0f after %.0f", v0, v1);
	stop = 1;
	pthread_join(t, NULL);
	for (int i = 0; i < 5; i++)
		close(fds[i]);
}

static void cpu(void)
{
	double c0, c1;
	struct timespec a, b;

	snap();
	c0 = value("skiff_cpu_seconds_total");
	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec) < 2e8);
	snap();
	c1 = value("skiff_cpu_seconds_total");
	check("cpu: total grew by 0.2 s or more after 0.2 s of spinning",
	      c1 - c0 >= 0.2, "before %.3f after %.3f", c0, c1);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "dump")) {
		snap();
		fputs(text, stdout);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: metrics_prog DIR | dump\n");
		return 2;
	}
	syscalls();
	memory();
	net();
	disk(argv[1]);
	threads_fds();
	cpu();
	return failures != 0;
}
