/*
 * fs/vfs/fd.c: the program's file descriptor table and working directory.
 * Layer: VFS core. Skiff runs one program, so there is one table, shared
 * by all its threads. fds are handed out lowest-free-first below the
 * RLIMIT_NOFILE soft limit (1024 by default, as on Linux). A spinlock
 * guards the table; files are put after it is released.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "internal.h"

static struct {
	struct spinlock lock;
	struct file **files;	/* cap entries, NULL when free */
	u8 *cloexec;		/* FD_CLOEXEC per fd */
	unsigned cap;
	struct dentry *cwd;
} fdt = { .lock = SPINLOCK_INIT };

/* Makes room for fd n; lock held (kmalloc never sleeps). */
static int grow(unsigned n)
{
	unsigned cap = fdt.cap ? fdt.cap : 64;
	struct file **files;
	u8 *cloexec;

	if (n < fdt.cap)
		return 0;
	while (cap <= n)
		cap *= 2;
	files = kzalloc(cap * sizeof(*files));
	cloexec = kzalloc(cap);
	if (!files || !cloexec) {
		kfree(files);
		kfree(cloexec);
		return -ENOMEM;
	}
	if (fdt.cap) {
		memcpy(files, fdt.files, fdt.cap * sizeof(*files));
		memcpy(cloexec, fdt.cloexec, fdt.cap);
	}
	kfree(fdt.files);
	kfree(fdt.cloexec);
	fdt.files = files;
	fdt.cloexec = cloexec;
	fdt.cap = cap;
	return 0;
}

int fd_install(struct file *f, int min, bool cloexec)
{
	u64 fd, limit = fd_limit();
	int r;

	if (min < 0)
		return -EINVAL;
	spin_lock(&fdt.lock);
	for (fd = min; fd < fdt.cap && fdt.files[fd]; fd++)
		;
	r = fd >= limit ? -EMFILE : grow(fd);
	if (r == 0) {
		fdt.files[fd] = f;
		fdt.cloexec[fd] = cloexec;
		r = fd;
	}
	spin_unlock(&fdt.lock);
	return r;
}

struct file *fd_get(int fd)
{
	struct file *f = NULL;

	spin_lock(&fdt.lock);
	if (fd >= 0 && (unsigned)fd < fdt.cap && fdt.files[fd])
		f = file_get(fdt.files[fd]);
	spin_unlock(&fdt.lock);
	return f;
}

int fd_close(int fd)
{
	struct file *f = NULL;

	spin_lock(&fdt.lock);
	if (fd >= 0 && (unsigned)fd < fdt.cap) {
		f = fdt.files[fd];
		fdt.files[fd] = NULL;
	}
	spin_unlock(&fdt.lock);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

/* Puts f (a new reference) at fd, closing what was there; lock held. */
static struct file *install_at(int fd, struct file *f, bool cloexec, int *r)
{
	struct file *prev;

	*r = grow(fd);
	if (*r < 0)
		return NULL;
	prev = fdt.files[fd];
	fdt.files[fd] = file_get(f);
	fdt.cloexec[fd] = cloexec;
	*r = fd;
	return prev;
}

int fd_install_at(int fd, struct file *f, bool cloexec)
{
	struct file *prev;
	int r;

	if (fd < 0 || (u64)fd >= fd_limit())
		return -EBADF;
	spin_lock(&fdt.lock);
	prev = install_at(fd, f, cloexec, &r);
	spin_unlock(&fdt.lock);
	if (prev)
		file_put(prev);
	return r;
}

int fd_dup_to(int oldfd, int newfd, bool cloexec)
{
	struct file *f, *prev = NULL;
	int r = -EBADF;

	if (newfd < 0 || (u64)newfd >= fd_limit())
		return -EBADF;
	spin_lock(&fdt.lock);
	f = oldfd >= 0 && (unsigned)oldfd < fdt.cap ? fdt.files[oldfd] : NULL;
	if (f)
		prev = install_at(newfd, f, cloexec, &r);
	spin_unlock(&fdt.lock);
	if (prev)
		file_put(prev);
	return r;
}

int fd_get_flags(int fd)
{
	int r = -EBADF;

	spin_lock(&fdt.lock);
	if (fd >= 0 && (unsigned)fd < fdt.cap && fdt.files[fd])
		r = fdt.cloexec[fd] ? FD_CLOEXEC : 0;
	spin_unlock(&fdt.lock);
	return r;
}

int fd_set_flags(int fd, int flags)
{
	int r = -EBADF;

	spin_lock(&fdt.lock);
	if (fd >= 0 && (unsigned)fd < fdt.cap && fdt.files[fd]) {
		fdt.cloexec[fd] = flags & FD_CLOEXEC;
		r = 0;
	}
	spin_unlock(&fdt.lock);
	return r;
}

u64 fd_limit(void)
{
	return MIN(rlimit_nofile(), (u64)NR_OPEN_MAX);
}

/* fn runs without the lock, on a referenced file. */
void fd_for_each(void (*fn)(int fd, struct file *f, void *arg), void *arg)
{
	for (unsigned fd = 0;; fd++) {
		struct file *f = NULL;
		bool end;

		spin_lock(&fdt.lock);
		end = fd >= fdt.cap;
		if (!end && fdt.files[fd])
			f = file_get(fdt.files[fd]);
		spin_unlock(&fdt.lock);
		if (end)
			return;
		if (f) {
			fn(fd, f, arg);
			file_put(f);
		}
	}
}

struct dentry *vfs_cwd(void)
{
	struct dentry *d;

	spin_lock(&fdt.lock);
	d = fdt.cwd ? fdt.cwd : vfs_root();
	if (d)
		dentry_get(d);
	spin_unlock(&fdt.lock);
	return d;
}

/* Takes a new reference on d. */
void vfs_set_cwd(struct dentry *d)
{
	struct dentry *old;

	dentry_get(d);
	spin_lock(&fdt.lock);
	old = fdt.cwd;
	fdt.cwd = d;
	spin_unlock(&fdt.lock);
	if (old)
		dentry_put(old);
}

int vfs_chdir(const char *path)
{
	struct dentry *d;
	int r = vfs_lookup(NULL, path, WALK_FOLLOW | WALK_DIRECTORY, &d);

	if (r < 0)
		return r;
	vfs_set_cwd(d);
	dentry_put(d);
	return 0;
}
