/*
 * fs/mounts.c: the disks mounted at boot from the command line's mount=
 * words (boot_opts.mounts: mount=vda:/data for an ext2 disk,
 * mount=9p:TAG:/data for a host directory over virtio-9p, either with
 * :ro, or :try when a failure is not fatal), and sync of every mounted
 * disk filesystem. Layer: fs. Interface: fs_mount_disks, vfs_sync_all,
 * vfs_sync_super (skiff/vfs.h).
 * The list is filled at boot only; sync walks it.
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/vfs.h>

#define MAX_DISK_MOUNTS 8

static struct super *disks[MAX_DISK_MOUNTS];
static unsigned ndisks;

static int mount_one(const struct boot_mount *m, char *why, size_t size)
{
	bool ninep = !strcmp(m->dev, "9p");
	struct super *sb;
	char reason[160];
	int r = ninep ? p9_mount(m->tag, m->ro, &sb, reason, sizeof(reason))
		      : ext2_mount(m->dev, m->ro, &sb, reason, sizeof(reason));

	if (r) {
		fmt_snprintf(why, size, "cannot mount %s on %s: %s", m->dev,
			     m->path, r == -ENODEV && !ninep ? "no such disk"
							     : reason);
		return r;
	}
	if ((r = vfs_mkdir_p(m->path, 0755)) || (r = vfs_mount(m->path, sb))) {
		fmt_snprintf(why, size, "cannot mount %s on %s: error %d",
			     m->dev, m->path, -r);
		return r;
	}
	disks[ndisks++] = sb;
	klog("mount: %s%s%s on %s%s", m->dev, ninep ? ":" : "", m->tag, m->path,
	     m->ro ? " (read-only)" : "");
	return 0;
}

int fs_mount_disks(char *why, size_t size)
{
	for (u32 i = 0; i < boot_opts.nmounts && i < MAX_DISK_MOUNTS; i++) {
		int r = mount_one(&boot_opts.mounts[i], why, size);

		if (r && boot_opts.mounts[i].soft) /* :try */
			klog("mount: %s: going on without it", why);
		else if (r)
			return r;
	}
	return 0;
}

int vfs_sync_all(bool at_exit)
{
	int err = 0;

	for (unsigned i = 0; i < ndisks; i++) {
		int r = disks[i]->ops->sync ? disks[i]->ops->sync(disks[i],
								   at_exit)
					    : 0;
		if (r && !err)
			err = r;
	}
	return err;
}

int vfs_sync_super(struct super *sb)
{
	return sb->ops && sb->ops->sync ? sb->ops->sync(sb, false) : 0;
}
