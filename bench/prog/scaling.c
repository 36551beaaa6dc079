/*
 * scaling.c: the scaling measurements of microbench: how the cost of one
 * operation grows with what the program holds. Each is measured with a
 * small and a large count in the same boot; the report gives the ratio.
 *
 * Layer: bench/, an ordinary Linux x86_64 program (glibc, static), not part
 * of Skiff. Interface: microbench.h (scaling_areas, scaling_epoll,
 * scaling_sleepers), the modes areas, epoll and sleepers of microbench.
 *
 *   areas     fault_areas_N_ns: the first touch of a page of an anonymous
 *             mapping (a page fault), with N more memory areas mapped;
 *             read_areas_N_ns: read(2) of 16 bytes from a file into a
 *             buffer in a mapping, with N more areas mapped (N = 10, 10000)
 *   epoll     epoll_wait_fds_N_ns: epoll_wait with a zero timeout finding
 *             the one ready eventfd among N registered (N = 10, 10000)
 *   sleepers  futex_pingpong_sleepers_N_ns: one round trip between two
 *             threads through FUTEX_WAIT/FUTEX_WAKE on one word, while N
 *             other threads sleep with 10 s timeouts (N = 0, 1000);
 *             futex_timed_pingpong_sleepers_N_ns: the same with a 10 s
 *             timeout on each FUTEX_WAIT of the ping-pong (as in
 *             pthread_cond_timedwait), so each wait also arms a timer
 *
 * The areas are one-page anonymous mappings with a one-page hole between
 * each two, alternately PROT_READ and PROT_READ|PROT_WRITE, so none can
 * merge. Half lie below the mapping the measurement uses and half above
 * it: a kernel that walks them in address order, from either end, passes
 * half on the way. The sleepers have 64 KiB stacks; the even ones sleep in
 * nanosleep, the odd ones in FUTEX_WAIT on a word of their own, each with a
 * 10 s timeout, again when it expires; all are asleep before the timing.
 *
 * A figure is the median over REPS repetitions, after a warm-up, of the
 * time per operation in a repetition that runs for about TARGET_NS. A
 * figure that cannot be measured prints "missing NAME what failed: error".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "microbench.h"

#define PAGE 4096UL
#define TARGET_NS (5000000ULL * scale)	/* a repetition: 20 ms, 5 quick */
#define FAULT_PAGES (1024 * scale)	/* at most this many faults in one */
#define READ_LEN 16
#define READ_BATCH 256			/* reads from offset 0, then lseek */
#define SLEEPERS 1000
#define SLEEPER_STACK (64UL << 10)
#define SLEEP_S 10

enum { TURN_MAIN, TURN_PEER, TURN_QUIT };

static const unsigned area_counts[] = { 10, 10000 };
static const unsigned fd_counts[] = { 10, 10000 };
static char what_buf[96];	/* a "what failed" with a number in it */

static void missing(const char *name, const char *what, int err)
{
	out("missing %s %s: %s\n", name, what, strerror(err));
}

/* Runs rep once to warm up, then REPS times; prints name and the median
 * of the ns per operation rep returns, or why a repetition failed. */
static void run_reps(const char *name,
		     int (*rep)(void *ctx, double *ns, const char **what),
		     void *ctx)
{
	double v[REPS];
	const char *what = "?";
	int i, err;

	for (i = -1; i < REPS; i++) {
		err = rep(ctx, &v[i < 0 ? 0 : i], &what);
		if (err) {
			missing(name, what, err);
			return;
		}
	}
	out("%s %.1f\n", name, median(v, REPS));
}

/* Memory areas: the n areas and the hole between their halves, where the
 * measurement maps its region of mid_len bytes. */
struct areas {
	char *base;	/* the span: the areas, the holes and the region */
	size_t len;
	char *mid;	/* the region, a page of hole on each side */
	size_t mid_len;
};

/* Finds a free span, then maps the n areas into it. 0 or an errno (with
 * *what); on failure nothing stays mapped. */
static int areas_make(struct areas *a, unsigned n, size_t mid_len,
		      const char **what)
{
	unsigned lo = n / 2, k;
	char *p, *at;
	int err;

	a->mid_len = mid_len;
	a->len = 2 * (size_t)n * PAGE + mid_len;
	p = mmap(NULL, a->len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		*what = "mmap of the span";
		return errno;
	}
	if (munmap(p, a->len)) {
		*what = "munmap of the span";
		return errno;
	}
	a->base = p;
	a->mid = p + 2 * (size_t)lo * PAGE;
	for (k = 0; k < n; k++) {
		at = k < lo ? p + 2 * (size_t)k * PAGE :
			a->mid + mid_len + PAGE + 2 * (size_t)(k - lo) * PAGE;
		if (mmap(at, PAGE, k & 1 ? PROT_READ | PROT_WRITE : PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		    MAP_FAILED) {
			err = errno;
			snprintf(what_buf, sizeof(what_buf),
				 "mmap of area %u of %u", k + 1, n);
			*what = what_buf;
			munmap(p, a->len);
			return err;
		}
	}
	return 0;
}

/* One repetition of the fault figure: maps the region, touches its pages
 * in order until the time is up, unmaps it. */
static int fault_rep(void *ctx, double *ns, const char **what)
{
	struct areas *a = ctx;
	size_t i, pages = a->mid_len / PAGE;
	volatile char *p;
	uint64_t t0;

	p = mmap(a->mid, a->mid_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED) {
		*what = "mmap of the region";
		return errno;
	}
	/* One fault per page, no huge page (Skiff may not know the advice). */
	madvise((void *)p, a->mid_len, MADV_NOHUGEPAGE);
	t0 = now_ns();
	for (i = 0; i < pages; i++) {
		p[i * PAGE] = 1;
		if (i % 16 == 15 && now_ns() - t0 >= TARGET_NS) {
			i++;
			break;
		}
	}
	*ns = (double)(now_ns() - t0) / (double)i;
	if (munmap((void *)p, a->mid_len)) {
		*what = "munmap of the region";
		return errno;
	}
	return 0;
}

struct read_ctx {
	struct areas a;
	int fd;		/* a file of READ_LEN * READ_BATCH bytes */
};

/* One repetition of the read figure: batches of reads into the region,
 * each batch from offset 0 (the lseek is not timed). */
static int read_rep(void *ctx, double *ns, const char **what)
{
	struct read_ctx *r = ctx;
	uint64_t t0, spent = 0;
	unsigned long ops = 0;
	ssize_t got;
	int i;

	while (spent < TARGET_NS) {
		if (lseek(r->fd, 0, SEEK_SET) != 0) {
			*what = "lseek";
			return errno;
		}
		t0 = now_ns();
		for (i = 0; i < READ_BATCH; i++) {
			got = read(r->fd, r->a.mid + 64, READ_LEN);
			if (got != READ_LEN) {
				*what = got < 0 ? "read" : "read (short)";
				return got < 0 ? errno : EIO;
			}
		}
		spent += now_ns() - t0;
		ops += READ_BATCH;
	}
	*ns = (double)spent / (double)ops;
	return 0;
}

/* Maps the region (its first page touched) and creates the file. */
static int read_setup(struct read_ctx *r, const char **what)
{
	static const char path[] = "/microbench-read.tmp";
	char buf[READ_LEN * READ_BATCH];
	char *p;

	p = mmap(r->a.mid, r->a.mid_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED) {
		*what = "mmap of the region";
		return errno;
	}
	p[0] = 1;
	memset(buf, 0x5a, sizeof(buf));
	r->fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (r->fd < 0) {
		*what = "open";
		return errno;
	}
	if (write(r->fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		*what = "write of the file";
		return errno ? errno : EIO;
	}
	unlink(path);
	return 0;
}

void scaling_areas(void)
{
	char fname[64], rname[64];
	struct read_ctx r;
	const char *what;
	size_t c;
	int err;

	for (c = 0; c < sizeof(area_counts) / sizeof(area_counts[0]); c++) {
		snprintf(fname, sizeof(fname), "fault_areas_%u_ns",
			 area_counts[c]);
		snprintf(rname, sizeof(rname), "read_areas_%u_ns",
			 area_counts[c]);
		err = areas_make(&r.a, area_counts[c], FAULT_PAGES * PAGE,
				 &what);
		if (err) {
			missing(fname, what, err);
			missing(rname, what, err);
			continue;
		}
		run_reps(fname, fault_rep, &r.a);
		r.fd = -1;
		err = read_setup(&r, &what);
		if (err)
			missing(rname, what, err);
		else
			run_reps(rname, read_rep, &r);
		if (r.fd >= 0)
			close(r.fd);
		munmap(r.a.base, r.a.len);
	}
}

/* epoll: n eventfds registered for EPOLLIN, the middle one readable. */
struct epoll_ctx {
	int ep;
	int *fds;
	unsigned opened;	/* how many of fds are open */
	int ready;		/* the readable one */
};

static int nofile_at_least(rlim_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return errno;
	if (rl.rlim_cur >= n)
		return 0;
	rl.rlim_cur = n;
	if (rl.rlim_max < n)
		rl.rlim_max = n;
	return setrlimit(RLIMIT_NOFILE, &rl) ? errno : 0;
}

static int epoll_setup(struct epoll_ctx *e, unsigned n, const char **what)
{
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t one = 1;
	int err;

	*what = "setrlimit(RLIMIT_NOFILE)";
	if ((err = nofile_at_least(n + 64)))
		return err;
	*what = "epoll_create1";
	if ((e->ep = epoll_create1(0)) < 0)
		return errno;
	*what = "malloc";
	if (!(e->fds = malloc(n * sizeof(int))))
		return ENOMEM;
	for (; e->opened < n; e->opened++) {
		snprintf(what_buf, sizeof(what_buf), "eventfd %u of %u",
			 e->opened + 1, n);
		*what = what_buf;
		if ((e->fds[e->opened] = eventfd(0, EFD_NONBLOCK)) < 0)
			return errno;
		ev.data.fd = e->fds[e->opened];
		if (epoll_ctl(e->ep, EPOLL_CTL_ADD, ev.data.fd, &ev)) {
			close(ev.data.fd);
			return errno;
		}
	}
	e->ready = e->fds[n / 2];
	*what = "write to the eventfd";
	if (write(e->ready, &one, sizeof(one)) != (ssize_t)sizeof(one))
		return errno ? errno : EIO;
	return 0;
}

static void epoll_teardown(struct epoll_ctx *e)
{
	while (e->opened)
		close(e->fds[--e->opened]);
	free(e->fds);
	if (e->ep >= 0)
		close(e->ep);
}

static int epoll_rep(void *ctx, double *ns, const char **what)
{
	struct epoll_ctx *e = ctx;
	struct epoll_event ev[8];
	unsigned long ops = 0;
	uint64_t t0 = now_ns(), t;
	int i, got;

	do {
		for (i = 0; i < 64; i++) {
			got = epoll_wait(e->ep, ev, 8, 0);
			if (got != 1 || ev[0].data.fd != e->ready) {
				*what = got < 0 ? "epoll_wait" :
					"epoll_wait (not the one ready fd)";
				return got < 0 ? errno : EPROTO;
			}
		}
		ops += 64;
	} while ((t = now_ns()) - t0 < TARGET_NS);
	*ns = (double)(t - t0) / (double)ops;
	return 0;
}

void scaling_epoll(void)
{
	struct epoll_ctx e;
	const char *what;
	char name[64];
	size_t c;
	int err;

	for (c = 0; c < sizeof(fd_counts) / sizeof(fd_counts[0]); c++) {
		snprintf(name, sizeof(name), "epoll_wait_fds_%u_ns",
			 fd_counts[c]);
		memset(&e, 0, sizeof(e));
		e.ep = -1;
		err = epoll_setup(&e, fd_counts[c], &what);
		if (err)
			missing(name, what, err);
		else
			run_reps(name, epoll_rep, &e);
		epoll_teardown(&e);
	}
}

/* Sleepers and the futex ping-pong. */
static atomic_int turn;		/* TURN_MAIN, TURN_PEER or TURN_QUIT */
static const struct timespec sleep_ts = { SLEEP_S, 0 };
static const struct timespec *_Atomic pp_timeout; /* of the ping-pong */
static atomic_int sleepers_ready;
static atomic_int sleepers_stop;
static atomic_int sleeper_words[SLEEPERS];

static long futex(atomic_int *word, int op, int val,
		  const struct timespec *timeout)
{
	return syscall(SYS_futex, word, op, val, timeout, NULL, 0);
}

static void *pingpong_peer(void *arg)
{
	int t;

	for (;;) {
		while ((t = atomic_load(&turn)) == TURN_MAIN)
			futex(&turn, FUTEX_WAIT_PRIVATE, TURN_MAIN,
			      atomic_load(&pp_timeout));
		if (t == TURN_QUIT)
			return arg;
		atomic_store(&turn, TURN_MAIN);
		futex(&turn, FUTEX_WAKE_PRIVATE, 1, NULL);
	}
}

static void round_trip(void)
{
	atomic_store(&turn, TURN_PEER);
	futex(&turn, FUTEX_WAKE_PRIVATE, 1, NULL);
	while (atomic_load(&turn) == TURN_PEER)
		futex(&turn, FUTEX_WAIT_PRIVATE, TURN_PEER,
		      atomic_load(&pp_timeout));
}

/* ctx: the timeout of the ping-pong's waits, NULL for none. */
static int pingpong_rep(void *ctx, double *ns, const char **what)
{
	unsigned long ops = 0;
	uint64_t t0, t;
	int i;

	(void)what;
	atomic_store(&pp_timeout, ctx);
	t0 = now_ns();
	do {
		for (i = 0; i < 32; i++)
			round_trip();
		ops += 32;
	} while ((t = now_ns()) - t0 < TARGET_NS);
	*ns = (double)(t - t0) / (double)ops;
	return 0;
}

static void *sleeper(void *arg)
{
	uintptr_t i = (uintptr_t)arg;

	atomic_fetch_add(&sleepers_ready, 1);
	while (!atomic_load(&sleepers_stop)) {
		if (i & 1)
			futex(&sleeper_words[i], FUTEX_WAIT_PRIVATE, 0,
			      &sleep_ts);
		else
			nanosleep(&sleep_ts, NULL);
	}
	return NULL;
}

/* Starts n sleepers (detached, small stacks) and waits until they have
 * all gone to sleep. 0 or an errno, with *what. */
static int sleepers_start(unsigned n, const char **what)
{
	struct timespec settle = { 0, 50000000 };
	pthread_attr_t attr;
	pthread_t t;
	uint64_t t0;
	unsigned i;
	int err;

	*what = "pthread_attr";
	if ((err = pthread_attr_init(&attr)))
		return err;
	if ((err = pthread_attr_setstacksize(&attr, SLEEPER_STACK)) ||
	    (err = pthread_attr_setdetachstate(&attr,
					       PTHREAD_CREATE_DETACHED)))
		return err;
	for (i = 0; i < n && !err; i++) {
		err = pthread_create(&t, &attr, sleeper, (void *)(uintptr_t)i);
		snprintf(what_buf, sizeof(what_buf),
			 "pthread_create of sleeper %u of %u", i + 1, n);
	}
	pthread_attr_destroy(&attr);
	*what = what_buf;
	if (err)
		return err;
	t0 = now_ns();
	while ((unsigned)atomic_load(&sleepers_ready) < n) {
		if (now_ns() - t0 > 30000000000ULL) {
			*what = "waiting 30 s for the sleepers to start";
			return ETIMEDOUT;
		}
		sched_yield();
	}
	/* Each counted itself just before its sleep: let the last ones in. */
	nanosleep(&settle, NULL);
	return 0;
}

static void sleepers_end(void)
{
	unsigned i;

	atomic_store(&sleepers_stop, 1);
	for (i = 1; i < SLEEPERS; i += 2) {
		atomic_store(&sleeper_words[i], 1);
		futex(&sleeper_words[i], FUTEX_WAKE_PRIVATE, 1, NULL);
	}
	/* The nanosleep ones end with the process. */
}

/* The two ping-pong figures with n sleepers: untimed and timed waits. */
static void pingpong_pair(unsigned n, int err, const char *what)
{
	char name[64];

	snprintf(name, sizeof(name), "futex_pingpong_sleepers_%u_ns", n);
	if (err)
		missing(name, what, err);
	else
		run_reps(name, pingpong_rep, NULL);
	snprintf(name, sizeof(name), "futex_timed_pingpong_sleepers_%u_ns",
		 n);
	if (err)
		missing(name, what, err);
	else
		run_reps(name, pingpong_rep, (void *)&sleep_ts);
}

void scaling_sleepers(void)
{
	const char *what;
	pthread_t peer;
	int err;

	atomic_store(&turn, TURN_MAIN);
	err = pthread_create(&peer, NULL, pingpong_peer, NULL);
	if (err) {
		pingpong_pair(0, err, "pthread_create");
		pingpong_pair(SLEEPERS, err, "pthread_create");
		return;
	}
	pingpong_pair(0, 0, NULL);
	err = sleepers_start(SLEEPERS, &what);
	pingpong_pair(SLEEPERS, err, what);
	sleepers_end();
	atomic_store(&turn, TURN_QUIT);
	futex(&turn, FUTEX_WAKE_PRIVATE, 1, NULL);
	pthread_join(peer, NULL);
}
