/*
 * net/nlbuild.h: building NETLINK_ROUTE answers (net/nlbuild.c) for
 * net/netlink.c. Private to net/.
 */
#ifndef NET_NLBUILD_H
#define NET_NLBUILD_H

#include <skiff/types.h>

#define NLMSG_ALIGN(n) (((n) + 3u) & ~3u)

/* A growing buffer of netlink messages; err: memory ran out. */
struct nlbuf {
	char *buf;
	u32 len, cap;
	bool err;
};
struct nlmsghdr;

/* Appends n bytes (padded to 4). */
void nlb_put(struct nlbuf *b, const void *data, u32 n);
/* Starts a message; its offset, for nlb_end (which sets its length). */
u32 nlb_begin(struct nlbuf *b, u16 type, u16 flags, u32 seq, u32 pid);
void nlb_end(struct nlbuf *b, u32 at);

/* The answers: 1 (a dump, ended with NLMSG_DONE), 0, or -Exxx. */
int nlb_dump_links(struct nlbuf *b, u32 seq, u32 pid);
int nlb_get_link(struct nlbuf *b, const struct nlmsghdr *req, u32 pid);
int nlb_dump_addrs(struct nlbuf *b, u32 seq, u32 pid, int family);
int nlb_dump_routes(struct nlbuf *b, u32 seq, u32 pid, int family);

#endif
