/*
 * net/flush.c: what the program sent still reaches its peers after it
 * exits. Layer: net; kernel/power.c calls net_flush before powering off.
 *
 * On Linux a process's exit closes its sockets and the kernel goes on
 * sending what they hold, then a FIN. Here the program's exit ends the
 * VM, so a server that writes a reply and exits (or is stopped by a
 * SIGTERM right after answering) would lose the reply's tail still in
 * lwIP's queues. net_flush waits, boundedly, until no TCP connection has
 * unsent or unacknowledged data, then closes the connections still open
 * (a FIN, as Linux's close at exit) and gives those FINs the rest of the
 * time to be acknowledged.
 */
#include <skiff/net.h>
#include <skiff/time.h>
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"

#define FLUSH_POLL_NS 2000000ull /* 2 ms between looks */

/* Whether some connection still has data or a FIN on its way. */
static bool busy(void)
{
	for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
		if (p->unsent || p->unacked)
			return true;
	return false;
}

/* Closes the connections the program left open; lwIP then sends FINs. */
static void close_open(void)
{
	for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
		if (p->state == ESTABLISHED || p->state == CLOSE_WAIT)
			tcp_shutdown(p, 0, 1);
}

static bool wait_idle(u64 end)
{
	for (;;) {
		net_lock();
		bool b = busy();
		net_unlock();
		if (!b)
			return true;
		u64 now = time_monotonic_ns();
		if (now >= end)
			return false;
		sched_sleep_until(MIN(end, now + FLUSH_POLL_NS));
	}
}

void net_flush(u64 timeout_ns)
{
	u64 end = time_monotonic_ns() + timeout_ns;

	/*
	 * No connection at all (most programs): done, without the lock,
	 * whose release runs and arms lwIP's timers, code that would run
	 * (and under TCG be translated) for nothing at every exit. A
	 * connection made after this look comes from a peer to a program
	 * already gone: nothing of the program's to flush.
	 */
	if (!*(struct tcp_pcb *volatile *)&tcp_active_pcbs)
		return;
	if (!wait_idle(end))
		return;
	net_lock();
	close_open();
	net_unlock();
	wait_idle(end);
}
