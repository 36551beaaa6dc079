/*
 * net/family.h: what the socket core (net/socket.c) knows of the built-in
 * families and of its own other files. Private to net/.
 */
#ifndef NET_FAMILY_H
#define NET_FAMILY_H

#include <skiff/net.h>

/* net/unix.c, net/netlink.c: families in the table from the start. */
extern const struct net_family unix_family;
extern const struct net_family netlink_family;
/* Called by net_init (net/init.c); registering again changes nothing. */
void unix_init(void);
void netlink_init(void);

/* net/sockioctl.c: the socket file's ioctl (FIONBIO is done by linux/). */
long sock_ioctl(struct file *f, unsigned long req, unsigned long arg);

#endif
