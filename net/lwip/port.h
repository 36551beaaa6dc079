/*
 * net/lwip/port.h: what the rest of net/ uses of lwIP's port (private to
 * net/; included as "lwip/port.h" from net/ files). Layer: net.
 *
 * How net/ calls lwIP (net/inet*.c, net/netif.c, net/procnet.c):
 *  - Include lwIP's raw API headers ("lwip/tcp.h", "lwip/udp.h", ...)
 *    and skiff/net.h; call lwIP only between net_lock() and net_unlock().
 *    lwIP's callbacks (recv, sent, accept, err, connected, udp recv) run
 *    with the lock already held, from whichever thread called into lwIP
 *    (a socket call, the driver's receive thread, the timer thread,
 *    net_unlock's loopback delivery): they must not take it again, nor
 *    sleep.
 *  - To wait (data, room, a connection): with the lock held, check the
 *    condition, then net_sleep(&wq, deadline) in a loop; it drops the lock
 *    while asleep and takes it back. The callback that changes the
 *    condition calls net_wake(&wq) (and vfs_poll_notify for poll/epoll).
 *  - net_unlock delivers looped-back packets before it returns, so after
 *    a send to 127.0.0.1 the peer's callbacks have run.
 */
#ifndef SKIFF_NET_LWIP_PORT_H
#define SKIFF_NET_LWIP_PORT_H

#include <skiff/types.h>

/* Whether the calling thread holds the network lock. */
bool net_lock_held(void);

/*
 * Boot (net/init.c): the lock and lwip_init; then the timer thread, made
 * once the interfaces exist (again: nothing). Lock not held.
 */
void net_port_init(void);
void net_port_start_timers(void);

#endif
