/*
 * drivers/p9chan.c: the registry of 9P channels (skiff/p9chan.h): the
 * virtio-9p devices as their driver found them, by mount tag. Layer:
 * drivers. Filled at boot by the probes, read-only after.
 */
#include <skiff/errno.h>
#include <skiff/lib.h>
#include <skiff/p9chan.h>

#define MAX_CHANS 16

static struct p9_chan *chans[MAX_CHANS];
static unsigned nchans;

int p9_chan_register(struct p9_chan *c)
{
	if (nchans >= MAX_CHANS)
		return -ENOSPC;
	chans[nchans++] = c;
	return 0;
}

struct p9_chan *p9_chan_find(const char *tag)
{
	for (unsigned i = 0; i < nchans; i++)
		if (!strcmp(chans[i]->tag, tag))
			return chans[i];
	return NULL;
}
