/*
 * fs/init.c: the filesystems at boot (fs_init) and vfs_mkdir_p.
 * Layer: fs. Order: the root ramfs, the initrd into it, /tmp (1777), /dev
 * with its device nodes, /dev/pts, /dev/shm and the /dev/fd & co. links,
 * /proc, /sys, then the console as fds 0, 1 and 2.
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "devfs/devfs.h"
#include "boot.h"
#include "procfs/procfs.h"
#include "ramfs/ramfs.h"

int vfs_mkdir_p(const char *path, int mode)
{
	char *buf;
	size_t len = strlen(path);
	int r = 0;

	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	buf = kmalloc(len + 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, path, len + 1);
	for (size_t i = 1; i <= len && r == 0; i++) {
		struct dentry *d;

		if (buf[i] != '/' && buf[i] != 0)
			continue;
		buf[i] = 0;
		r = vfs_mkdir(vfs_root(), buf, mode);
		if (r == -EEXIST) {
			r = vfs_lookup(vfs_root(), buf, WALK_FOLLOW, &d);
			if (r == 0 && !S_ISDIR(d->inode->mode))
				r = -ENOTDIR;
			if (r == 0)
				dentry_put(d);
		}
		buf[i] = i < len ? '/' : 0;
	}
	kfree(buf);
	return r;
}

int fs_make_dir(const char *path, u32 mode)
{
	struct dentry *d;
	int r = vfs_mkdir_p(path, mode);

	if (r == 0)
		r = vfs_lookup(vfs_root(), path, WALK_FOLLOW, &d);
	if (r < 0)
		return r;
	vfs_chmod(d->inode, mode);
	dentry_put(d);
	return 0;
}

/* The symlinks of /dev into /proc, as udev makes them. */
static const char *const dev_links[][2] = {
	{ "/dev/fd", "/proc/self/fd" },
	{ "/dev/stdin", "/proc/self/fd/0" },
	{ "/dev/stdout", "/proc/self/fd/1" },
	{ "/dev/stderr", "/proc/self/fd/2" },
};

static int make_dev(void)
{
	char path[32];
	int r = fs_make_dir("/dev", 0755);

	if (r == 0)
		r = fs_make_dir("/dev/pts", 0755);
	if (r == 0)
		r = fs_make_dir("/dev/shm", 01777); /* shm_open's tmpfs */
	for (const struct devfs_node *n = devfs_nodes; n->name && r == 0; n++) {
		str_lcpy(path, "/dev/", sizeof(path)); /* no printf at boot */
		str_lcat(path, n->name, sizeof(path));
		r = vfs_mknod(vfs_root(), path, S_IFCHR | n->mode, n->rdev);
		if (r == -EEXIST)
			r = 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(dev_links) && r == 0; i++) {
		r = vfs_symlink(dev_links[i][1], vfs_root(), dev_links[i][0]);
		if (r == -EEXIST)
			r = 0;
	}
	return r;
}

static int open_console(void)
{
	struct file *std[3];
	int r = console_open_std(std);

	for (int i = 0; i < 3 && r == 0; i++) {
		r = fd_install_at(i, std[i], false);
		r = r < 0 ? r : 0;
		file_put(std[i]);
	}
	return r;
}

static int fs_init_steps(const void *initrd, size_t len)
{
	struct super *root = ramfs_new();
	int r;

	if (!root)
		return -ENOMEM;
	vfs_anon_super();
	r = vfs_mount("/", root);
	if (r == 0 && len)
		r = initrd_unpack(initrd, len);
	if (r < 0) {
		klog("fs: initrd: error %d", r);
		return r;
	}
	r = fs_make_dir("/tmp", 01777);
	if (r == 0)
		r = make_dev();
	if (r == 0)
		r = fs_make_dir("/proc", 0555);
	if (r == 0)
		r = procfs_mount("/proc", proc_root, &proc_pid_dyn,
				 PROC_SUPER_MAGIC);
	if (r == 0)
		r = fs_make_dir("/sys", 0555);
	if (r == 0)
		r = procfs_mount("/sys", sys_root, NULL, SYSFS_MAGIC);
	if (r == 0)
		r = open_console();
	return r;
}

int fs_init(const void *initrd, size_t len)
{
	u32 umask = vfs_set_umask(0);
	int r;

	mutex_init(&vfs_ns_lock);
	r = fs_init_steps(initrd, len);
	vfs_set_umask(umask);
	return r;
}
