/*
 * The fd table and the filesystem context (fs/vfs/fd.c): a part of
 * skiff/vfs.h, which includes it where its types are declared; include
 * skiff/vfs.h, not this file.
 */
#ifndef SKIFF_FDTABLE_H
#define SKIFF_FDTABLE_H

/* ---- fs/vfs/fd.c: the fd table and the filesystem context ---- */

#define FD_CLOEXEC 1
#define NR_OPEN_MAX (1u << 20) /* the hard limit of RLIMIT_NOFILE */

/*
 * A process's descriptors: files indexed by fd, bitmaps of the open and
 * close-on-exec fds, and the RLIMIT_NOFILE limits, which fs owns. Fields
 * are private to fs/vfs/fd.c; the lock is a spinlock.
 */
struct fd_table {
	struct spinlock lock;
	struct file **files;	/* cap entries, NULL when free */
	u64 *open;		/* bitmap: files[fd] != NULL */
	u64 *cloexec;		/* bitmap: FD_CLOEXEC */
	unsigned cap;		/* 0, or a power of two >= 64 */
	u64 first_free;		/* every fd below it is open */
	u64 limit_cur, limit_max; /* RLIMIT_NOFILE soft and hard */
	int refs;		/* processes sharing it (CLONE_FILES); atomic */
};
/* A new empty table with Linux's default limits (1024, NR_OPEN_MAX). */
struct fd_table *fd_table_create(void);
/* Closes every fd of t and frees it. May sleep (file release). */
void fd_table_destroy(struct fd_table *t);
/* exec: closes every FD_CLOEXEC fd of t (O_CLOEXEC, F_SETFD). May sleep. */
void fd_table_close_on_exec(struct fd_table *t);
/* The calling thread's process's table (process_current()->files). */
struct fd_table *fd_table_current(void);
/*
 * fork: a new table (one reference) with the fds, flags and limits of src,
 * each file referenced once more. NULL without memory. Never sleeps.
 */
struct fd_table *fd_table_clone(struct fd_table *src);
/* One more process shares t (clone with CLONE_FILES). */
void fd_table_get(struct fd_table *t);
/* Drops one reference; the last closes every fd (fd_table_destroy). May
 * sleep. */
void fd_table_put(struct fd_table *t);
/*
 * For /proc/PID/fd of any process, whose table the caller keeps alive
 * (under the process tree lock): the file at fd of t with a new reference
 * and, when flags, its FD_CLOEXEC flag, or NULL; the lowest open fd >= from,
 * or -1. Take t's lock; never sleep.
 */
struct file *fd_table_file(struct fd_table *t, int fd, int *flags);
long fd_table_next(struct fd_table *t, long from);
/* RLIMIT_NOFILE of t: getrlimit and setrlimit. set: -EINVAL when cur >
 * max, -EPERM when max rises (no privilege) or passes NR_OPEN_MAX. */
void fd_table_get_limit(struct fd_table *t, u64 *cur, u64 *max);
int fd_table_set_limit(struct fd_table *t, u64 cur, u64 max);

/*
 * The calls below act on fd_table_current(). Each takes the table lock
 * and never sleeps, except that closing a file may run its release.
 */
/* Installs f (taking over its reference) at the lowest free fd >= min:
 * the fd, -EMFILE at the limit, -ENOMEM. O(1) when filling in order. */
int fd_install(struct file *f, int min, bool cloexec);
/* Puts f at fd (a new reference), closing what was there; returns fd. */
int fd_install_at(int fd, struct file *f, bool cloexec);
/* The file at fd with a new reference, or NULL. */
struct file *fd_get(int fd);
int fd_close(int fd);
/* dup2/dup3: closes newfd first when in use; returns newfd. */
int fd_dup_to(int oldfd, int newfd, bool cloexec);
int fd_get_flags(int fd);	/* FD_CLOEXEC or -EBADF */
int fd_set_flags(int fd, int flags);
/* fds are below this: the RLIMIT_NOFILE soft limit. */
u64 fd_limit(void);
/* Calls fn for each open fd in order (for /proc/self/fd). */
void fd_for_each(void (*fn)(int fd, struct file *f, void *arg), void *arg);

/* A process's working directory and umask. */
struct fs_context {
	struct spinlock lock;	/* guards cwd */
	struct dentry *cwd;	/* NULL: the root */
	u32 umask;
	int refs;		/* processes sharing it (CLONE_FS); atomic */
};
struct fs_context *fs_context_create(void);
/* fork: a copy of src (cwd referenced, umask); NULL without memory. */
struct fs_context *fs_context_clone(struct fs_context *src);
/* One more process shares c (CLONE_FS); put drops one, the last frees it
 * and its cwd reference (may sleep). */
void fs_context_get(struct fs_context *c);
void fs_context_put(struct fs_context *c);
/* The calling thread's process's context (process_current()->fs). */
struct fs_context *fs_context_current(void);
/* The working directory, with a new reference. */
/* The working directory of c (a reference), which the caller holds. */
struct dentry *fs_context_cwd(struct fs_context *c);
struct dentry *vfs_cwd(void);
void vfs_set_cwd(struct dentry *d);
/* The umask; set returns the previous one (umask(2)). */
u32 vfs_get_umask(void);
u32 vfs_set_umask(u32 mask);

#endif
