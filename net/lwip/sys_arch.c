/*
 * net/lwip/sys_arch.c: lwIP's port to Skiff: the network lock, its clock
 * (sys_now) and the thread that runs its timers. Layer: net. Interface: net_lock, net_unlock,
 * net_sleep, net_wake (skiff/net.h); net/lwip/port.h for net/.
 *
 * The network lock. lwIP (NO_SYS) has no locking of its own: every call
 * into it, and every callback out of it, runs holding net_lock, a mutex.
 * It protects all of lwIP's state (PCBs, netifs, pbuf queues, timeouts)
 * and whatever the socket layer keeps beside its PCBs. It is never held
 * across a sleep:
 *  - a socket call that must wait calls net_sleep(wq, deadline), which
 *    releases the lock and sleeps on wq in one step;
 *  - whoever makes the awaited thing happen (an lwIP callback, under the
 *    lock) calls net_wake(wq).
 * The step is atomic through net_wait_lock, a spinlock: the sleeper takes
 * it before dropping the mutex and waitq_sleep releases it only once the
 * sleeper is on wq; net_wake takes it around the wake-up. So a waker that
 * got the mutex after the sleeper checked its condition finds the sleeper
 * on wq, on any number of CPUs.
 *
 * Work done on the way out. Before the mutex is released (net_unlock,
 * net_sleep), two things that lwIP leaves to its caller in NO_SYS mode
 * (net_sleep returns at once, as a spurious wake-up, when step 1 found
 * packets: one of them may be what its caller waits for):
 *  1. Packets the stack sent to itself (127.0.0.1, ::1, or eth0's own
 *     address) wait in their netif's loopback queue; they are delivered
 *     now (net_netif_loop_flush, net/netif.c), so a server talking to
 *     itself never waits for a timer. Their checksums are not verified:
 *     they never left memory.
 *  2. If lwIP's next timeout is now earlier than what the timer thread
 *     sleeps for (a connection just started the TCP timer), the thread
 *     is woken to sleep again for the new deadline.
 *
 * The timer thread ("net") runs sys_check_timeouts under the lock and
 * sleeps until lwIP's next deadline (sys_timeouts_sleeptime): no tick of
 * its own. It is made at boot but started only at lwIP's first deadline
 * after the network's first use (see timer_start). From then on lwIP's
 * cyclic timers fire even while idle (ARP, ND and reassembly aging every
 * second, DHCP's every 500 ms); TCP's 100 ms timer runs only while some
 * connection is open.
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/net.h>
#include <skiff/sched.h>
#include <skiff/time.h>
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "port.h"
#include "../netif.h"

static struct mutex net_mutex;
static struct spinlock net_wait_lock = SPINLOCK_INIT;

static struct waitq timer_wq;
static struct thread *timer_thr;	/* "net": made at boot, */
static bool timer_started;		/*   started at the first deadline */
static struct ktimer start_timer;
static bool timer_sleeping;	/* the thread sleeps until timer_due (ms) */
static bool timer_infinite;	/*   or until woken */
static u32 timer_due;

u32_t sys_now(void)
{
	return (u32_t)(time_monotonic_ns() / 1000000);
}

bool net_lock_held(void)
{
	return net_mutex.owner == thread_current();
}

void net_lock(void)
{
	mutex_lock(&net_mutex);
}

/* Wakes the timer thread if lwIP's next timeout comes before its own. */
static void timer_check(void)
{
	u32 left = sys_timeouts_sleeptime();

	if (left == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
		return;
	if (!__atomic_load_n(&timer_started, __ATOMIC_ACQUIRE)) {
		u64 at = time_monotonic_ns() + (u64)left * 1000000 + 1;
		u64 armed = ktimer_deadline(&start_timer);
		if (timer_thr && (!armed || at < armed))
			ktimer_set(&start_timer, at);
		return;
	}
	if (!timer_sleeping)
		return;
	u32 due = sys_now() + left;
	if (timer_infinite || (s32)(due - timer_due) < 0) {
		timer_sleeping = false;
		net_wake(&timer_wq);
	}
}

void net_unlock(void)
{
	net_netif_loop_flush();
	timer_check();
	mutex_unlock(&net_mutex);
}

int net_sleep(struct waitq *wq, u64 deadline_ns)
{
	int r;

	if (!net_lock_held())
		panic("net_sleep: the network lock is not held");
	/*
	 * Looped-back packets may be what the caller waits for (the peer,
	 * given window by our tcp_recved, sends more): their callbacks'
	 * net_wake would find nobody on wq yet. So when there were any, the
	 * caller checks its condition again instead of sleeping.
	 */
	if (net_netif_loop_flush())
		return 0;
	timer_check();
	spin_lock(&net_wait_lock);
	/* mutex_unlock never sleeps, and nothing can preempt us here. */
	mutex_unlock(&net_mutex);
	r = waitq_sleep(wq, &net_wait_lock, deadline_ns);
	spin_unlock(&net_wait_lock);
	mutex_lock(&net_mutex);
	return r;
}

void net_wake(struct waitq *wq)
{
	spin_lock(&net_wait_lock);
	waitq_wake_all(wq);
	spin_unlock(&net_wait_lock);
}

static void timer_thread(void *arg)
{
	net_lock();
	for (;;) {
		sys_check_timeouts();
		u32 left = sys_timeouts_sleeptime();
		u64 deadline = 0;
		timer_infinite = left == SYS_TIMEOUTS_SLEEPTIME_INFINITE;
		if (!timer_infinite) {
			timer_due = sys_now() + left;
			deadline = time_monotonic_ns() + (u64)left * 1000000 + 1;
		}
		timer_sleeping = true;
		net_sleep(&timer_wq, deadline);
		timer_sleeping = false;
	}
}

void net_port_init(void)
{
	mutex_init(&net_mutex);
	waitq_init(&timer_wq);
	net_lock();
	lwip_init();
	net_unlock();
}

/*
 * The thread starts at lwIP's first deadline after the first use of the
 * network past boot (a socket call, a received packet): from the timer
 * interrupt, through start_timer. So booting arms no timer and switches
 * to no thread that a short program never needs; a network nobody uses
 * needs no aging of its caches.
 */
static void timer_start(struct ktimer *k)
{
	if (!__atomic_exchange_n(&timer_started, true, __ATOMIC_ACQ_REL))
		thread_start(timer_thr, timer_thread, NULL);
}

void net_port_start_timers(void)
{
	struct thread *t;

	if (timer_thr)
		return;
	t = thread_create("net", NULL, NULL, false);
	if (!t)
		panic("out of memory for the network's timer thread");
	start_timer.fn = timer_start;
	__atomic_store_n(&timer_thr, t, __ATOMIC_RELEASE);
}
