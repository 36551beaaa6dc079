/*
 * fs/procfs/net.c: /proc/self/net (and /proc/net, a link to it, as on
 * Linux): dev, tcp, tcp6, udp, udp6 and unix, whose text the network
 * makes (net_proc_text, skiff/net.h). Layer: filesystem.
 */
#include <skiff/alloc.h>
#include <skiff/net.h>
#include "procfs.h"

static int show_net(struct pbuf *b, const char *name)
{
	char *text;
	long n = net_proc_text(name, &text);

	if (n < 0)
		return (int)n;
	pb_write(b, text, (size_t)n);
	kfree(text);
	return 0;
}

static int show_dev(struct pbuf *b, long arg) { return show_net(b, "dev"); }
static int show_tcp(struct pbuf *b, long arg) { return show_net(b, "tcp"); }
static int show_tcp6(struct pbuf *b, long arg) { return show_net(b, "tcp6"); }
static int show_udp(struct pbuf *b, long arg) { return show_net(b, "udp"); }
static int show_udp6(struct pbuf *b, long arg) { return show_net(b, "udp6"); }
static int show_unix(struct pbuf *b, long arg) { return show_net(b, "unix"); }

const struct proc_node proc_net_entries[] = {
	{ "dev", S_IFREG | 0444, .show = show_dev },
	{ "tcp", S_IFREG | 0444, .show = show_tcp },
	{ "tcp6", S_IFREG | 0444, .show = show_tcp6 },
	{ "udp", S_IFREG | 0444, .show = show_udp },
	{ "udp6", S_IFREG | 0444, .show = show_udp6 },
	{ "unix", S_IFREG | 0444, .show = show_unix },
	{ .name = NULL },
};

long proc_link_net(long arg, char *buf, size_t size)
{
	memcpy(buf, "self/net", MIN(size, (size_t)8));
	return 8;
}
