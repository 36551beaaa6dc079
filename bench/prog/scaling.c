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
 * The counts alternate in three phases, small, large, small again (the
 * large one set up once, then taken down), so that a slow drift of the
 * host's load weighs on both alike. A repetition runs for about TARGET_NS;
 * each phase starts with a warm-up repetition of each figure. A figure is
 * the time per operation in the fastest of reps() repetitions at its
 * count: on a shared host, other work only ever adds time to a
 * repetition, and short ones often run undisturbed. One that cannot be
 * measured prints "missing NAME what failed: error".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
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
#define TARGET_NS 2000000ULL		/* a repetition: about 2 ms */
#define MAX_REPS 16			/* at each count */
#define FAULT_PAGES 1024		/* at most this many faults in one */
#define READ_LEN 16
#define READ_BATCH 256			/* reads from offset 0, then lseek */
#define FEW 10				/* the small count of areas, fds */
#define MANY 10000			/* the large count */
#define SLEEPERS 1000
#define SLEEPER_STACK (64UL << 10)
#define SLEEP_S 10
#define MEASURES 2			/* at most, in one mode */

enum { TURN_MAIN, TURN_PEER, TURN_QUIT };

static char what_buf[96];	/* a "what failed" with a number in it */

/* One figure of a mode: rep(arg, ...) times one repetition and gives the
 * ns per operation; 0 or an errno, with *what. */
struct measure {
	const char *fmt;	/* the figure's name, %u for the count */
	int (*rep)(void *arg, double *ns, const char **what);
	void *arg;
};

/* A mode: its figures, and set(ctx, large, ...), which brings about the
 * small (large = 0) or the large count, 0 or an errno with *what. */
struct scaling {
	const struct measure *m;
	int nm;
	unsigned count[2];
	int (*set)(void *ctx, int large, const char **what);
	void *ctx;
};

/* Repetitions at each count: 16, 8 with --quick. */
static int reps(void)
{
	return scale > 1 ? MAX_REPS : MAX_REPS / 2;
}

struct results {
	double v[MEASURES][2][MAX_REPS];
	int got[MEASURES][2];
	int err[MEASURES][2];
	char why[MEASURES][2][128];
};

static void fail(struct results *r, int k, int c, const char *what, int err)
{
	r->err[k][c] = err;
	snprintf(r->why[k][c], sizeof(r->why[k][c]), "%s", what);
}

static double minimum(const double *v, int n)
{
	double min = v[0];
	int i;

	for (i = 1; i < n; i++)
		if (v[i] < min)
			min = v[i];
	return min;
}

/* n repetitions of figure k at count c, after a warm-up. */
static void run_phase(const struct scaling *s, struct results *r, int k,
		      int c, int n)
{
	const struct measure *m = &s->m[k];
	const char *what = "?";
	double warm;
	int i, err;

	for (i = -1; i < n; i++) {
		err = m->rep(m->arg, i < 0 ? &warm : &r->v[k][c][r->got[k][c]],
			     &what);
		if (err) {
			fail(r, k, c, what, err);
			return;
		}
		if (i >= 0)
			r->got[k][c]++;
	}
}

/* Prints every figure of s as missing, for want of what. */
static void missing_all(const struct scaling *s, const char *what, int err)
{
	char name[64];
	int k, c;

	for (k = 0; k < s->nm; k++) {
		for (c = 0; c < 2; c++) {
			snprintf(name, sizeof(name), s->m[k].fmt, s->count[c]);
			out("missing %s %s: %s\n", name, what, strerror(err));
		}
	}
}

/* Runs the phases and prints each figure at the small then the large
 * count: "name value" or "missing name reason". Ends at the small count. */
static void run_scaling(const struct scaling *s)
{
	static const int phase_count[] = { 0, 1, 0 };	/* small, large, small */
	int phase_reps[] = { reps() / 2, reps(), reps() - reps() / 2 };
	static struct results r;
	const char *what = "?";
	char name[64];
	int p, k, c, err;

	memset(&r, 0, sizeof(r));
	for (p = 0; p < 3; p++) {
		c = phase_count[p];
		err = s->set(s->ctx, c, &what);
		for (k = 0; k < s->nm; k++) {
			if (r.err[k][c])
				continue;
			if (err)
				fail(&r, k, c, what, err);
			else
				run_phase(s, &r, k, c, phase_reps[p]);
		}
	}
	for (k = 0; k < s->nm; k++) {
		for (c = 0; c < 2; c++) {
			snprintf(name, sizeof(name), s->m[k].fmt, s->count[c]);
			if (r.err[k][c])
				out("missing %s %s: %s\n", name, r.why[k][c],
				    strerror(r.err[k][c]));
			else
				out("%s %.1f\n", name,
				    minimum(r.v[k][c], r.got[k][c]));
		}
	}
}

/* Memory areas: MANY of them, FEW always there (the nearest to the
 * region measured), the rest mapped for the large count only. Area j of
 * side 0 lies j + 1 pairs of pages below the region; area j of side 1,
 * past a page of hole, j pairs of pages above it. */
struct areas {
	char *base;	/* the span: the areas, the holes and the region */
	size_t len;
	char *mid;	/* the region */
	size_t mid_len;
	int fd;		/* a file of READ_LEN * READ_BATCH bytes, for read */
};

static char *area_at(const struct areas *a, int side, unsigned j)
{
	return side ? a->mid + a->mid_len + PAGE + 2 * (size_t)j * PAGE :
		      a->mid - 2 * ((size_t)j + 1) * PAGE;
}

/* Maps areas j0 <= j < j1 of each side: 0 or an errno, with *what. */
static int areas_map(struct areas *a, unsigned j0, unsigned j1,
		     const char **what)
{
	unsigned j;
	int side;
	char *at;

	for (j = j0; j < j1; j++) {
		for (side = 0; side < 2; side++) {
			at = area_at(a, side, j);
			if (mmap(at, PAGE, (j + side) & 1 ? PROT_READ | PROT_WRITE :
				 PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
				 MAP_FIXED_NOREPLACE, -1, 0) != at) {
				snprintf(what_buf, sizeof(what_buf),
					 "mmap of area %u of %u",
					 2 * j + side + 1, MANY);
				*what = what_buf;
				return errno ? errno : EEXIST;
			}
		}
	}
	return 0;
}

/* Finds a free span for all the areas and maps the FEW; 0 or an errno. */
static int areas_init(struct areas *a, const char **what)
{
	char *p;

	a->fd = -1;
	a->mid_len = FAULT_PAGES * PAGE;
	a->len = 2 * (size_t)MANY * PAGE + a->mid_len;
	*what = "mmap of the span";
	p = mmap(NULL, a->len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return errno;
	*what = "munmap of the span";
	if (munmap(p, a->len))
		return errno;
	a->base = p;
	a->mid = p + MANY * PAGE;
	return areas_map(a, 0, FEW / 2, what);
}

/* The small count: the far areas unmapped; the large: mapped. */
static int areas_set(void *ctx, int large, const char **what)
{
	struct areas *a = ctx;
	char *lo_end = area_at(a, 0, FEW / 2 - 1);
	char *hi_start = area_at(a, 1, FEW / 2);

	if (large)
		return areas_map(a, FEW / 2, MANY / 2, what);
	*what = "munmap of the far areas";
	if (munmap(a->base, (size_t)(lo_end - a->base)) ||
	    munmap(hi_start, (size_t)(a->base + a->len - hi_start)))
		return errno;
	return 0;
}

/* One repetition of the fault figure: maps the region, touches its pages
 * in order until the time is up, unmaps it. */
static int fault_rep(void *arg, double *ns, const char **what)
{
	struct areas *a = arg;
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
		if (i % 4 == 3 && now_ns() - t0 >= TARGET_NS) {
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

/* One repetition of the read figure: maps the region (its first page
 * touched), then batches of reads into it, each batch from offset 0 (the
 * lseek is not timed); unmaps it. */
static int read_rep(void *arg, double *ns, const char **what)
{
	struct areas *a = arg;
	uint64_t t0, spent = 0;
	unsigned long ops = 0;
	ssize_t got;
	char *p;
	int i;

	p = mmap(a->mid, a->mid_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED) {
		*what = "mmap of the region";
		return errno;
	}
	p[0] = 1;
	while (spent < TARGET_NS) {
		*what = "lseek";
		if (lseek(a->fd, 0, SEEK_SET) != 0)
			return errno;
		t0 = now_ns();
		for (i = 0; i < READ_BATCH; i++) {
			got = read(a->fd, p + 64, READ_LEN);
			if (got != READ_LEN) {
				*what = got < 0 ? "read" : "read (short)";
				return got < 0 ? errno : EIO;
			}
		}
		spent += now_ns() - t0;
		ops += READ_BATCH;
	}
	*ns = (double)spent / (double)ops;
	*what = "munmap of the region";
	return munmap(p, a->mid_len) ? errno : 0;
}

/* The file the read figure reads, already unlinked. */
static int read_file(struct areas *a, const char **what)
{
	static const char path[] = "/microbench-read.tmp";
	char buf[READ_LEN * READ_BATCH];

	memset(buf, 0x5a, sizeof(buf));
	*what = "open";
	a->fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (a->fd < 0)
		return errno;
	unlink(path);
	*what = "write of the file";
	if (write(a->fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		return errno ? errno : EIO;
	return 0;
}

void scaling_areas(void)
{
	static struct areas a;
	const struct measure m[] = {
		{ "fault_areas_%u_ns", fault_rep, &a },
		{ "read_areas_%u_ns", read_rep, &a },
	};
	const struct scaling s = { m, 2, { FEW, MANY }, areas_set, &a };
	const char *what;
	int err;

	err = areas_init(&a, &what);
	if (!err)
		err = read_file(&a, &what);
	if (err) {
		missing_all(&s, what, err);
		return;
	}
	run_scaling(&s);
	close(a.fd);
	munmap(a.base, a.len);
}

/* epoll: eventfds registered for EPOLLIN in one instance, FEW always,
 * the rest for the large count only; fds[FEW / 2] is readable. */
struct epoll_ctx {
	int ep;
	int fds[MANY];
	unsigned opened;	/* how many of fds are open */
	unsigned added;		/* how many are registered */
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

/* Opens and registers fds up to n. */
static int epoll_grow(struct epoll_ctx *e, unsigned n, const char **what)
{
	struct epoll_event ev = { .events = EPOLLIN };

	for (; e->added < n; e->added++) {
		snprintf(what_buf, sizeof(what_buf), "eventfd %u of %u",
			 e->added + 1, n);
		*what = what_buf;
		if (e->added == e->opened) {
			if ((e->fds[e->added] = eventfd(0, EFD_NONBLOCK)) < 0)
				return errno;
			e->opened++;
		}
		ev.data.fd = e->fds[e->added];
		if (epoll_ctl(e->ep, EPOLL_CTL_ADD, ev.data.fd, &ev))
			return errno;
	}
	return 0;
}

static int epoll_set(void *ctx, int large, const char **what)
{
	struct epoll_ctx *e = ctx;

	if (large)
		return epoll_grow(e, MANY, what);
	*what = "epoll_ctl(EPOLL_CTL_DEL)";
	for (; e->added > FEW; e->added--)
		if (epoll_ctl(e->ep, EPOLL_CTL_DEL, e->fds[e->added - 1], NULL))
			return errno;
	return 0;
}

static int epoll_init(struct epoll_ctx *e, const char **what)
{
	uint64_t one = 1;
	int err;

	*what = "setrlimit(RLIMIT_NOFILE)";
	if ((err = nofile_at_least(MANY + 64)))
		return err;
	*what = "epoll_create1";
	if ((e->ep = epoll_create1(0)) < 0)
		return errno;
	if ((err = epoll_grow(e, FEW, what)))
		return err;
	*what = "write to the eventfd";
	if (write(e->fds[FEW / 2], &one, sizeof(one)) != (ssize_t)sizeof(one))
		return errno ? errno : EIO;
	return 0;
}

static int epoll_rep(void *arg, double *ns, const char **what)
{
	struct epoll_ctx *e = arg;
	struct epoll_event ev[8];
	unsigned long ops = 0;
	uint64_t t0 = now_ns(), t;
	int i, got;

	do {
		for (i = 0; i < 64; i++) {
			got = epoll_wait(e->ep, ev, 8, 0);
			if (got != 1 || ev[0].data.fd != e->fds[FEW / 2]) {
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
	static struct epoll_ctx e;
	const struct measure m[] = {
		{ "epoll_wait_fds_%u_ns", epoll_rep, &e },
	};
	const struct scaling s = { m, 1, { FEW, MANY }, epoll_set, &e };
	const char *what;
	int err;

	err = epoll_init(&e, &what);
	if (err)
		missing_all(&s, what, err);
	else
		run_scaling(&s);
	while (e.opened)
		close(e.fds[--e.opened]);
	if (e.ep >= 0)
		close(e.ep);
}

/* Sleepers and the futex ping-pong. */
static atomic_int turn;		/* TURN_MAIN, TURN_PEER or TURN_QUIT */
static const struct timespec sleep_ts = { SLEEP_S, 0 };
static const struct timespec *_Atomic pp_timeout; /* of the ping-pong */
static atomic_int sleepers_ready;
static atomic_int sleepers_stop;
static atomic_int sleeper_words[SLEEPERS];
static pthread_t sleeper_ids[SLEEPERS];
static unsigned sleepers_started;

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

/* arg: the timeout of the ping-pong's waits, NULL for none. */
static int pingpong_rep(void *arg, double *ns, const char **what)
{
	unsigned long ops = 0;
	uint64_t t0, t;
	int i;

	(void)what;
	atomic_store(&pp_timeout, arg);
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

static void on_sigusr1(int sig)
{
	(void)sig;	/* only to end a nanosleep with EINTR */
}

/* Wakes every sleeper (a futex wake, or SIGUSR1 for nanosleep) and joins
 * it; SIGUSR1 again while one has not ended (it may have been between its
 * check and its nanosleep). */
static void sleepers_end(void)
{
	struct timespec ms = { 0, 1000000 };
	unsigned i;

	atomic_store(&sleepers_stop, 1);
	for (i = 1; i < sleepers_started; i += 2) {
		atomic_store(&sleeper_words[i], 1);
		futex(&sleeper_words[i], FUTEX_WAKE_PRIVATE, 1, NULL);
	}
	for (i = 0; i < sleepers_started; i += 2)
		pthread_kill(sleeper_ids[i], SIGUSR1);
	for (i = 0; i < sleepers_started; i++) {
		while (!(i & 1) &&
		       pthread_tryjoin_np(sleeper_ids[i], NULL) == EBUSY) {
			pthread_kill(sleeper_ids[i], SIGUSR1);
			nanosleep(&ms, NULL);
		}
		if (i & 1)
			pthread_join(sleeper_ids[i], NULL);
	}
	sleepers_started = 0;
	atomic_store(&sleepers_ready, 0);
	atomic_store(&sleepers_stop, 0);
	for (i = 0; i < SLEEPERS; i++)
		atomic_store(&sleeper_words[i], 0);
}

/* Starts the sleepers and waits until they have all gone to sleep. */
static int sleepers_start(const char **what)
{
	struct timespec settle = { 0, 50000000 };
	pthread_attr_t attr;
	uint64_t t0;
	int err;

	*what = "pthread_attr";
	if ((err = pthread_attr_init(&attr)))
		return err;
	if ((err = pthread_attr_setstacksize(&attr, SLEEPER_STACK))) {
		pthread_attr_destroy(&attr);
		return err;
	}
	while (sleepers_started < SLEEPERS && !err) {
		snprintf(what_buf, sizeof(what_buf),
			 "pthread_create of sleeper %u of %u",
			 sleepers_started + 1, SLEEPERS);
		err = pthread_create(&sleeper_ids[sleepers_started], &attr,
				     sleeper, (void *)(uintptr_t)sleepers_started);
		sleepers_started += !err;
	}
	pthread_attr_destroy(&attr);
	*what = what_buf;
	if (err)
		return err;
	t0 = now_ns();
	while (atomic_load(&sleepers_ready) < SLEEPERS) {
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

static int sleepers_set(void *ctx, int large, const char **what)
{
	(void)ctx;
	if (large)
		return sleepers_start(what);
	sleepers_end();
	return 0;
}

void scaling_sleepers(void)
{
	const struct measure m[] = {
		{ "futex_pingpong_sleepers_%u_ns", pingpong_rep, NULL },
		{ "futex_timed_pingpong_sleepers_%u_ns", pingpong_rep,
		  (void *)&sleep_ts },
	};
	const struct scaling s = { m, 2, { 0, SLEEPERS }, sleepers_set, NULL };
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	pthread_t peer;
	int err;

	atomic_store(&turn, TURN_MAIN);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL)) {
		missing_all(&s, "sigaction", errno);
		return;
	}
	if ((err = pthread_create(&peer, NULL, pingpong_peer, NULL))) {
		missing_all(&s, "pthread_create of the peer", err);
		return;
	}
	run_scaling(&s);
	atomic_store(&turn, TURN_QUIT);
	futex(&turn, FUTEX_WAKE_PRIVATE, 1, NULL);
	pthread_join(peer, NULL);
}
