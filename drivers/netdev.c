/*
 * drivers/netdev.c: the list of network devices, the meeting point of
 * NIC drivers (drivers/virtio/net.c registers) and the network stack
 * (net/ finds them with netdev_get and starts them with netdev_up).
 * Layer: drivers. Interface: skiff/netdev.h. Filled at boot, in one
 * thread, and never shrinks: no lock.
 */
#include <skiff/errno.h>
#include <skiff/lib.h>
#include <skiff/netdev.h>

#define NETDEV_MAX 8

static struct netdev *devices[NETDEV_MAX];
static char names[NETDEV_MAX][8];
static unsigned ndevices;

int netdev_register(struct netdev *d)
{
	if (ndevices >= NETDEV_MAX)
		return -ENOSPC;
	if (!d->name) {
		/* "eth%u" without printf: lib/strconv.c says why. */
		char num[STR_U64_LEN];
		str_lcpy(names[ndevices], "eth", sizeof(names[0]));
		str_lcat(names[ndevices], str_u64(num, ndevices, 10),
			 sizeof(names[0]));
		d->name = names[ndevices];
	}
	devices[ndevices++] = d;
	return 0;
}

struct netdev *netdev_get(unsigned i)
{
	return i < ndevices ? devices[i] : NULL;
}

int netdev_up(struct netdev *d)
{
	if (!d->rx)
		return -EINVAL; /* nobody to hand frames to */
	return d->up ? d->up(d) : 0;
}
