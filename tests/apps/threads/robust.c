/*
 * robust: robust futexes. Raw: a thread made with clone (no libc)
 * registers a robust list holding two futex words, one owned by its tid
 * and one by another tid, plus a pending entry, and exits: the kernel
 * marks its own words FUTEX_OWNER_DIED and leaves the other. Libc:
 * a robust mutex whose owner thread ended gives EOWNERDEAD, then works
 * after pthread_mutex_consistent, or gives ENOTRECOVERABLE without it.
 */
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include "check.h"
#include "kabi.h"

#define SYS(...) syscall(__VA_ARGS__)

struct lock_entry {
	struct k_robust_list list;
	unsigned word;
};

static struct k_robust_head head;
static struct lock_entry mine, other, pending;
static pthread_mutex_t rm;

static char stack[64 * 1024] __attribute__((aligned(16)));
static long set_result = -1;

/* A thread without libc: only the kernel can walk its robust list. */
static int raw_owner(void *arg)
{
	unsigned tid = (unsigned)k_sys(SYS_gettid, 0, 0, 0);

	mine.word = tid;
	other.word = 12345;
	pending.word = tid;
	head.list.next = &mine.list;
	mine.list.next = &other.list;
	other.list.next = &head.list;
	head.futex_offset = offsetof(struct lock_entry, word) - offsetof(struct lock_entry, list);
	head.pending = &pending.list;
	(void)arg;
	set_result = k_sys(SYS_set_robust_list, (long)&head, sizeof(head), 0);
	return 0;
}

static void *locker(void *arg)
{
	*(int *)arg = pthread_mutex_lock(&rm);
	return NULL;	/* ends holding the mutex */
}

static void libc_robust(void)
{
	pthread_mutexattr_t a;
	pthread_t t;
	int r = -1;

	pthread_mutexattr_init(&a);
	say("setrobust = %s", rcname(pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST)));
	pthread_mutex_init(&rm, &a);
	pthread_create(&t, NULL, locker, &r);
	pthread_join(t, NULL);
	say("owner thread locked = %s and ended", rcname(r));
	say("lock = %s", rcname(pthread_mutex_lock(&rm)));
	say("consistent = %s", rcname(pthread_mutex_consistent(&rm)));
	say("unlock = %s", rcname(pthread_mutex_unlock(&rm)));
	say("lock again = %s", rcname(pthread_mutex_lock(&rm)));
	say("unlock = %s", rcname(pthread_mutex_unlock(&rm)));

	pthread_create(&t, NULL, locker, &r);
	pthread_join(t, NULL);
	say("second owner ended; lock = %s", rcname(pthread_mutex_lock(&rm)));
	say("unlock without consistent = %s", rcname(pthread_mutex_unlock(&rm)));
	say("lock = %s", rcname(pthread_mutex_lock(&rm)));
}

int main(void)
{
	static int ctid;
	void *got;
	size_t len;
	long tid;

	ctid = 1;
	tid = k_clone(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			      CLONE_SYSVSEM | CLONE_CHILD_CLEARTID,
		      stack + sizeof(stack), NULL, &ctid, NULL, raw_owner, NULL);
	yes("raw thread created", tid > 0);
	k_clone_wait(&ctid);
	say("set_robust_list in the thread = %ld", set_result);
	yes("own word: OWNER_DIED set, tid cleared",
	    mine.word == K_FUTEX_OWNER_DIED);
	yes("pending word (owned): OWNER_DIED set", pending.word == K_FUTEX_OWNER_DIED);
	say("other tid's word left alone: %u", other.word);
	say("get_robust_list of self = %ld", SYS(SYS_get_robust_list, 0, &got, &len));
	say("  length %zu", len);
	libc_robust();
	return 0;
}
