/*
 * drivers/blkdev.c: the registry of block devices (skiff/blkdev.h): disks
 * as their drivers found them, by name. Layer: drivers. Filled at boot by
 * the probes, read-only after.
 */
#include <skiff/blkdev.h>
#include <skiff/errno.h>
#include <skiff/lib.h>

#define MAX_BLKDEVS 16

static struct blkdev *devs[MAX_BLKDEVS];
static unsigned ndevs;

int blkdev_register(struct blkdev *bd)
{
	if (ndevs >= MAX_BLKDEVS)
		return -ENOSPC;
	devs[ndevs++] = bd;
	return 0;
}

struct blkdev *blkdev_find(const char *name)
{
	if (!strncmp(name, "/dev/", 5))
		name += 5;
	for (unsigned i = 0; i < ndevs; i++)
		if (!strcmp(devs[i]->name, name))
			return devs[i];
	return NULL;
}

struct blkdev *blkdev_nth(unsigned i)
{
	return i < ndevs ? devs[i] : NULL;
}
