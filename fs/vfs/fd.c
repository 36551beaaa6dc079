/*
 * fs/vfs/fd.c: the file descriptor table (struct fd_table) and the
 * per-process filesystem context (struct fs_context: cwd, umask).
 * Layer: VFS core. Interface in skiff/vfs.h.
 *
 * A table is an array of file pointers with two bitmaps beside it: which
 * fds are open and which are close-on-exec. fds are handed out
 * lowest-free-first below the table's RLIMIT_NOFILE soft limit (1024 by
 * default, as on Linux), which fs owns: linux/'s getrlimit/setrlimit read
 * and set it through fd_table_get_limit/fd_table_set_limit.
 *
 * Invariants (t->lock held):
 *   1. files[fd] != NULL  <=>  bit fd of open is set; both only for fd < cap.
 *   2. every fd below first_free is open (a hint: the lowest free fd is
 *      >= first_free), so filling a table in order costs O(1) per open and
 *      a search costs at most O(cap / 64) word tests.
 *   3. cap is 0 or a power of two >= 64, a multiple of the bitmap word.
 * A spinlock guards the table; files are put after it is released.
 *
 * Each process has its own table and context (struct process's files
 * and fs), shared by reference count only with clone(CLONE_FILES/CLONE_FS);
 * fork copies them (fd_table_clone, fs_context_clone).
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/process.h>
#include <skiff/vfs.h>
#include "internal.h"

#define NOFILE_DEFAULT 1024	/* Linux's default soft limit */
#define FDT_INIT(t) { .lock = SPINLOCK_INIT, .limit_cur = NOFILE_DEFAULT, \
		      .limit_max = NR_OPEN_MAX, .refs = 1 }

struct fd_table *fd_table_current(void)
{
	return process_current()->files;
}

struct fs_context *fs_context_current(void)
{
	return process_current()->fs;
}

struct fd_table *fd_table_create(void)
{
	struct fd_table *t = kzalloc(sizeof(*t));

	if (t)
		*t = (struct fd_table)FDT_INIT(*t);
	return t;
}

void fd_table_destroy(struct fd_table *t)
{
	for (unsigned fd = 0; fd < t->cap; fd++)
		if (t->files[fd])
			file_put(t->files[fd]);
	kfree(t->files);
	kfree(t->open);
	kfree(t->cloexec);
	kfree(t);
}

void fd_table_get(struct fd_table *t)
{
	__atomic_fetch_add(&t->refs, 1, __ATOMIC_RELAXED);
}

void fd_table_put(struct fd_table *t)
{
	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0)
		fd_table_destroy(t);
}

/* The arrays of a copy of src's cap entries; src->lock held (kzalloc
 * never sleeps). */
static int clone_arrays(struct fd_table *n, struct fd_table *src)
{
	unsigned words = src->cap / 64;

	n->files = kzalloc(src->cap * sizeof(*n->files));
	n->open = kzalloc(words * 8);
	n->cloexec = kzalloc(words * 8);
	if (!n->files || !n->open || !n->cloexec)
		return -ENOMEM;
	n->cap = src->cap;
	for (unsigned fd = 0; fd < src->cap; fd++)
		if (src->files[fd])
			n->files[fd] = file_get(src->files[fd]);
	memcpy(n->open, src->open, words * 8);
	memcpy(n->cloexec, src->cloexec, words * 8);
	return 0;
}

struct fd_table *fd_table_clone(struct fd_table *src)
{
	struct fd_table *n = fd_table_create();
	int r = -ENOMEM;

	if (!n)
		return NULL;
	spin_lock(&src->lock);
	if (src->cap)
		r = clone_arrays(n, src);
	else
		r = 0;
	n->first_free = src->first_free;
	n->limit_cur = src->limit_cur;
	n->limit_max = src->limit_max;
	spin_unlock(&src->lock);
	if (r) {
		fd_table_destroy(n); /* files were not referenced yet */
		return NULL;
	}
	return n;
}

static bool test_bit(const u64 *map, unsigned n)
{
	return (map[n / 64] >> (n % 64)) & 1;
}

static void put_bit(u64 *map, unsigned n, bool on)
{
	if (on)
		map[n / 64] |= 1ull << (n % 64);
	else
		map[n / 64] &= ~(1ull << (n % 64));
}

/* Makes room for fd n, doubling; lock held (kmalloc never sleeps). */
static int grow(struct fd_table *t, unsigned n)
{
	unsigned cap = t->cap ? t->cap : 64, words, old = t->cap / 64;
	struct file **files;
	u64 *open, *cloexec;

	if (n < t->cap)
		return 0;
	while (cap <= n)
		cap *= 2;
	words = cap / 64;
	files = kzalloc(cap * sizeof(*files));
	open = kzalloc(words * 8);
	cloexec = kzalloc(words * 8);
	if (!files || !open || !cloexec) {
		kfree(files);
		kfree(open);
		kfree(cloexec);
		return -ENOMEM;
	}
	if (t->cap) {
		memcpy(files, t->files, t->cap * sizeof(*files));
		memcpy(open, t->open, old * 8);
		memcpy(cloexec, t->cloexec, old * 8);
	}
	kfree(t->files);
	kfree(t->open);
	kfree(t->cloexec);
	t->files = files;
	t->open = open;
	t->cloexec = cloexec;
	t->cap = cap;
	return 0;
}

/* The lowest fd >= from that is not open (may be >= cap); lock held. */
static u64 lowest_free(struct fd_table *t, u64 from)
{
	u64 w = from / 64, words = t->cap / 64;

	if (w >= words)
		return from;
	/* The first word: ignore the bits below from. */
	u64 bits = ~t->open[w] & (~0ull << (from % 64));
	while (!bits) {
		if (++w == words)
			return w * 64;
		bits = ~t->open[w];
	}
	return w * 64 + __builtin_ctzll(bits);
}

/* The lowest open fd >= from (>= cap: none); lock held. */
static u64 lowest_open(struct fd_table *t, u64 from)
{
	u64 w = from / 64, words = t->cap / 64;

	if (w >= words)
		return t->cap;
	u64 bits = t->open[w] & (~0ull << (from % 64));
	while (!bits) {
		if (++w == words)
			return t->cap;
		bits = t->open[w];
	}
	return w * 64 + __builtin_ctzll(bits);
}

/* Sets fd to f (NULL: free); keeps the invariants; lock held, fd < cap. */
static void set_slot(struct fd_table *t, unsigned fd, struct file *f,
		     bool cloexec)
{
	t->files[fd] = f;
	put_bit(t->open, fd, f != NULL);
	put_bit(t->cloexec, fd, f && cloexec);
	if (!f && fd < t->first_free)
		t->first_free = fd;
}

int fd_install(struct file *f, int min, bool cloexec)
{
	struct fd_table *t = fd_table_current();
	u64 fd;
	int r;

	if (min < 0)
		return -EINVAL;
	spin_lock(&t->lock);
	fd = lowest_free(t, MAX((u64)min, t->first_free));
	r = fd >= fd_limit() ? -EMFILE : grow(t, fd);
	if (r == 0) {
		set_slot(t, fd, f, cloexec);
		if ((u64)min <= t->first_free)
			t->first_free = fd + 1;
		r = fd;
	}
	spin_unlock(&t->lock);
	return r;
}

/* The file at fd or NULL; lock held. */
static struct file *slot(struct fd_table *t, int fd)
{
	return fd >= 0 && (unsigned)fd < t->cap ? t->files[fd] : NULL;
}

struct file *fd_table_file(struct fd_table *t, int fd, int *flags)
{
	struct file *f;

	spin_lock(&t->lock);
	f = slot(t, fd);
	if (f)
		file_get(f);
	if (f && flags)
		*flags = test_bit(t->cloexec, fd) ? FD_CLOEXEC : 0;
	spin_unlock(&t->lock);
	return f;
}

long fd_table_next(struct fd_table *t, long from)
{
	u64 fd;

	if (from < 0)
		from = 0;
	spin_lock(&t->lock);
	fd = lowest_open(t, from);
	spin_unlock(&t->lock);
	return fd < t->cap ? (long)fd : -1;
}

struct file *fd_get(int fd)
{
	return fd_table_file(fd_table_current(), fd, NULL);
}

int fd_close(int fd)
{
	struct fd_table *t = fd_table_current();
	struct file *f;

	spin_lock(&t->lock);
	f = slot(t, fd);
	if (f)
		set_slot(t, fd, NULL, false);
	spin_unlock(&t->lock);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

/*
 * exec: closes every close-on-exec fd of t. The files are taken out under
 * the lock, a word of the bitmap at a time, and put after it (a release
 * may sleep).
 */
void fd_table_close_on_exec(struct fd_table *t)
{
	for (unsigned w = 0;; w++) {
		struct file *batch[64];
		int n = 0;

		spin_lock(&t->lock);
		if (w * 64 >= t->cap) {
			spin_unlock(&t->lock);
			return;
		}
		u64 bits = t->cloexec[w] & t->open[w];
		while (bits) {
			unsigned fd = w * 64 + __builtin_ctzll(bits);
			bits &= bits - 1;
			batch[n++] = t->files[fd];
			set_slot(t, fd, NULL, false);
		}
		spin_unlock(&t->lock);
		for (int i = 0; i < n; i++)
			file_put(batch[i]);
	}
}

/* Puts f (a new reference) at fd, closing what was there; lock held. */
static struct file *install_at(struct fd_table *t, int fd, struct file *f,
			       bool cloexec, int *r)
{
	struct file *prev;

	*r = grow(t, fd);
	if (*r < 0)
		return NULL;
	prev = t->files[fd];
	set_slot(t, fd, file_get(f), cloexec);
	*r = fd;
	return prev;
}

int fd_install_at(int fd, struct file *f, bool cloexec)
{
	struct fd_table *t = fd_table_current();
	struct file *prev;
	int r;

	if (fd < 0 || (u64)fd >= fd_limit())
		return -EBADF;
	spin_lock(&t->lock);
	prev = install_at(t, fd, f, cloexec, &r);
	spin_unlock(&t->lock);
	if (prev)
		file_put(prev);
	return r;
}

int fd_dup_to(int oldfd, int newfd, bool cloexec)
{
	struct fd_table *t = fd_table_current();
	struct file *f, *prev = NULL;
	int r = -EBADF;

	if (newfd < 0 || (u64)newfd >= fd_limit())
		return -EBADF;
	spin_lock(&t->lock);
	f = slot(t, oldfd);
	if (f)
		prev = install_at(t, newfd, f, cloexec, &r);
	spin_unlock(&t->lock);
	if (prev)
		file_put(prev);
	return r;
}

int fd_get_flags(int fd)
{
	struct fd_table *t = fd_table_current();
	int r = -EBADF;

	spin_lock(&t->lock);
	if (slot(t, fd))
		r = test_bit(t->cloexec, fd) ? FD_CLOEXEC : 0;
	spin_unlock(&t->lock);
	return r;
}

int fd_set_flags(int fd, int flags)
{
	struct fd_table *t = fd_table_current();
	int r = -EBADF;

	spin_lock(&t->lock);
	if (slot(t, fd)) {
		put_bit(t->cloexec, fd, flags & FD_CLOEXEC);
		r = 0;
	}
	spin_unlock(&t->lock);
	return r;
}

u64 fd_limit(void)
{
	return __atomic_load_n(&fd_table_current()->limit_cur,
			       __ATOMIC_RELAXED);
}

void fd_table_get_limit(struct fd_table *t, u64 *cur, u64 *max)
{
	spin_lock(&t->lock);
	*cur = t->limit_cur;
	*max = t->limit_max;
	spin_unlock(&t->lock);
}

int fd_table_set_limit(struct fd_table *t, u64 cur, u64 max)
{
	int r = 0;

	if (cur > max)
		return -EINVAL;
	spin_lock(&t->lock);
	/* Raising the hard limit needs privilege on Linux: refused here. */
	if (max > t->limit_max || max > NR_OPEN_MAX)
		r = -EPERM;
	if (r == 0) {
		t->limit_cur = cur;
		t->limit_max = max;
	}
	spin_unlock(&t->lock);
	return r;
}

/* fn runs without the lock, on a referenced file. */
void fd_for_each(void (*fn)(int fd, struct file *f, void *arg), void *arg)
{
	struct fd_table *t = fd_table_current();

	for (u64 fd = 0;; fd++) {
		struct file *f = NULL;
		bool end;

		spin_lock(&t->lock);
		fd = lowest_open(t, fd);
		end = fd >= t->cap;
		if (!end)
			f = file_get(t->files[fd]);
		spin_unlock(&t->lock);
		if (end)
			return;
		fn(fd, f, arg);
		file_put(f);
	}
}

struct fs_context *fs_context_create(void)
{
	struct fs_context *c = kzalloc(sizeof(*c));

	if (c) {
		c->lock = (struct spinlock)SPINLOCK_INIT;
		c->umask = 022;
		c->refs = 1;
	}
	return c;
}

struct fs_context *fs_context_clone(struct fs_context *src)
{
	struct fs_context *c = fs_context_create();

	if (!c)
		return NULL;
	spin_lock(&src->lock);
	c->cwd = src->cwd ? dentry_get(src->cwd) : NULL;
	c->umask = __atomic_load_n(&src->umask, __ATOMIC_RELAXED);
	spin_unlock(&src->lock);
	return c;
}

void fs_context_get(struct fs_context *c)
{
	__atomic_fetch_add(&c->refs, 1, __ATOMIC_RELAXED);
}

void fs_context_put(struct fs_context *c)
{
	if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (c->cwd)
		dentry_put(c->cwd);
	kfree(c);
}

u32 vfs_get_umask(void)
{
	return __atomic_load_n(&fs_context_current()->umask, __ATOMIC_RELAXED);
}

u32 vfs_set_umask(u32 mask)
{
	return __atomic_exchange_n(&fs_context_current()->umask, mask & 0777,
				   __ATOMIC_RELAXED);
}

struct dentry *vfs_cwd(void)
{
	return fs_context_cwd(fs_context_current());
}

struct dentry *fs_context_cwd(struct fs_context *c)
{
	struct dentry *d;

	spin_lock(&c->lock);
	d = c->cwd ? c->cwd : vfs_root();
	if (d)
		dentry_get(d);
	spin_unlock(&c->lock);
	return d;
}

/* Takes a new reference on d. */
void vfs_set_cwd(struct dentry *d)
{
	struct fs_context *c = fs_context_current();
	struct dentry *old;

	dentry_get(d);
	spin_lock(&c->lock);
	old = c->cwd;
	c->cwd = d;
	spin_unlock(&c->lock);
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
