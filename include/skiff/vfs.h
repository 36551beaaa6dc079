/*
 * The virtual filesystem (fs/vfs/): one namespace of dentries over mounted
 * filesystems (ramfs at /, procfs at /proc), inodes with an ops table, open
 * files with an ops table, and the program's fd table. Layer: fs/, below the
 * Linux ABI handlers of linux/.
 *
 * Objects and their lifetimes:
 *   struct inode   a file of some filesystem; counted (inode_get/put), freed
 *                  by its filesystem's evict when the last reference goes.
 *   struct dentry  a name in the tree: parent, name, inode, children. A
 *                  dentry stays while linked in its parent; an unlinked one
 *                  lives on while referenced (open files, cwd), so an
 *                  unlinked open file stays readable until closed.
 *   struct file    an open file description: offset, flags, ops; counted,
 *                  shared by dup'ed fds.
 * Locks: vfs_ns_lock (a mutex) serializes every change and walk of the
 * namespace; inode->lock guards a file's data and size; the fd table has a
 * spinlock. Order: vfs_ns_lock, then inode->lock.
 *
 * Functions return 0, a count, or -Exxx. Functions named vfs_* that take a
 * path take kernel strings; the Linux ABI layer copies program strings in.
 */
#ifndef SKIFF_VFS_H
#define SKIFF_VFS_H

#include <skiff/sched.h>

/* Linux x86_64 ABI constants (the host's headers give the same values). */
#ifndef O_CREAT
#define O_ACCMODE 03
#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_DSYNC 010000
#define O_ASYNC 020000
#define O_DIRECT 040000
#define O_LARGEFILE 0100000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#define O_NOATIME 01000000
#define O_CLOEXEC 02000000
#define O_SYNC 04010000
#define O_PATH 010000000
#define O_TMPFILE 020200000
#endif
#ifndef S_IFMT
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISUID 04000
#define S_ISGID 02000
#define S_ISVTX 01000
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m) (((m) & S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m) & S_IFMT) == S_IFSOCK)
#endif
#ifndef AT_FDCWD
#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EACCESS 0x200
#define AT_REMOVEDIR 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_NO_AUTOMOUNT 0x800
#define AT_EMPTY_PATH 0x1000
#define AT_STATX_SYNC_TYPE 0x6000
#endif
#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif
#ifndef SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif
#ifndef F_OK
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4
#endif
#ifndef DT_UNKNOWN
#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12
#endif

#define PATH_MAX 4096
#define NAME_MAX 255
#define VFS_MAX_LINKS 40	/* symlinks followed in one walk, as Linux */
#define PIPE_BUF 4096	/* writes up to this size are atomic */
#define MAX_RW_COUNT 0x7ffff000ul /* Linux caps one read/write at this */

#define MKDEV(ma, mi) (((u64)(ma) << 8) | (mi)) /* st_rdev of x86_64 glibc */
#define DEV_MAJOR(d) ((u32)((d) >> 8) & 0xfff)
#define DEV_MINOR(d) ((u32)((d) & 0xff))

struct inode;
struct dentry;
struct file;
struct super;
struct dir_ctx;

struct vfs_time {
	s64 sec;
	s64 nsec;
};

/*
 * A buffer that a read or write fills or drains. When user is set the bytes
 * live in program memory: iobuf_copy_* check each range before touching it,
 * so a bad pointer gives -EFAULT (or a short count), never a kernel fault.
 */
struct iobuf {
	char *base;
	size_t len;
	bool user;
};
/* Whether a program buffer lies below USER_END without wrapping (Linux's
 * access_ok); a kernel buffer always does. */
bool iobuf_range_ok(const struct iobuf *io);
/* Each returns 0 or -EFAULT. iobuf_check gives the address of [at, at+n)
 * after checking that it is mapped with the access asked for. */
int iobuf_check(struct iobuf *io, size_t at, size_t n, bool write, void **p);
int iobuf_copy_out(struct iobuf *io, size_t at, const void *src, size_t n);
int iobuf_copy_in(struct iobuf *io, size_t at, void *dst, size_t n);
int iobuf_zero(struct iobuf *io, size_t at, size_t n);

/* What statfs reports of a disk filesystem (units of bsize). */
struct vfs_statfs {
	u64 bsize, blocks, bfree, bavail, files, ffree;
	bool ro;
};

/* Ops of a filesystem instance. */
struct super_ops {
	/* The last reference to an inode is gone: free its data and memory. */
	void (*evict)(struct inode *ino);
	/* Writes everything to stable storage (at_exit: the program is gone,
	 * files unlinked while open are freed too). May be NULL. Sleeps. */
	int (*sync)(struct super *sb, bool at_exit);
	/* Fills st; NULL for memory filesystems (statfs counts memory). */
	int (*statfs)(struct super *sb, struct vfs_statfs *st);
};

/*
 * The space of the memory filesystems (super.memory: the ramfs), in pages:
 * their cap (half of RAM, as tmpfs) and what is left of it.
 */
void vfs_memory_space(u64 *total, u64 *free);

struct super {
	const struct super_ops *ops;
	u64 dev;	/* st_dev */
	u64 next_ino;	/* inode numbers handed out by super_next_ino */
	u64 magic;	/* statfs f_type */
	bool memory;	/* statfs counts free memory as its space (ramfs) */
	struct dentry *root;
	void *priv;
};

/*
 * An attribute change the VFS is about to make (chmod, chown, utimes):
 * the VFS_ATTR_* bits in valid say which fields hold new values.
 */
struct vfs_setattr {
	unsigned valid;
	u32 mode, uid, gid;	/* mode: permission bits only */
	struct vfs_time atime, mtime;
};
#define VFS_ATTR_MODE 1
#define VFS_ATTR_UID 2
#define VFS_ATTR_GID 4
#define VFS_ATTR_ATIME 8
#define VFS_ATTR_MTIME 16

/*
 * Directory and link ops, called with vfs_ns_lock held. A directory whose
 * iops->lookup is NULL is "dcache-complete": its dentries are its entries
 * (ramfs), so a name missing from the dcache does not exist, and readdir
 * lists the dentries. Names are NUL-terminated, at most NAME_MAX bytes.
 * create makes a regular file, directory, device node or fifo by mode's type
 * (rdev for devices) and returns it with one reference in *out; the VFS
 * links the dentry. unlink/rmdir/rename update the filesystem's own records
 * and link counts; the VFS moves the dentries.
 */
struct inode_ops {
	int (*lookup)(struct inode *dir, const char *name, struct inode **out);
	int (*create)(struct inode *dir, const char *name, u32 mode, u64 rdev,
		      struct inode **out);
	int (*symlink)(struct inode *dir, const char *name, const char *target,
		       struct inode **out);
	int (*link)(struct inode *dir, const char *name, struct inode *target);
	int (*unlink)(struct inode *dir, const char *name,
		      struct inode *victim);
	int (*rmdir)(struct inode *dir, const char *name, struct inode *victim);
	/*
	 * victim: the inode at the new name, replaced (or, with
	 * RENAME_EXCHANGE in flags, swapped with moved), or NULL.
	 */
	int (*rename)(struct inode *odir, const char *oname, struct inode *ndir,
		      const char *nname, struct inode *moved,
		      struct inode *victim, unsigned flags);
	/* Copies the target (no NUL) into buf; returns its full length. */
	long (*readlink)(struct inode *ino, char *buf, size_t size);
	/* Changes the size of a regular file (truncate), inode->lock held. */
	int (*setsize)(struct inode *ino, u64 size);
	/*
	 * For directories whose entries come and go by themselves
	 * (/proc/self/fd): false when the cached child d is stale; the walk
	 * then unlinks it and asks lookup again.
	 */
	bool (*revalidate)(struct dentry *d);
	/*
	 * A "magic" symlink (/proc/self/fd/N): the open file it stands for,
	 * with a new reference. A walk that follows it lands on that file's
	 * dentry (or, for an anonymous file, on a dentry of its inode made for
	 * the walk), so open() reopens the very file, as on Linux.
	 */
	int (*get_file)(struct inode *ino, struct file **out);
	/*
	 * May be NULL. For filesystems that keep attributes elsewhere (9p:
	 * on the host): asked before the VFS changes the inode's fields,
	 * with inode->lock held; an error leaves the inode as it was.
	 */
	int (*setattr)(struct inode *ino, const struct vfs_setattr *a);
};

/*
 * Ops of an open file. read/write move bytes between the file at *pos and
 * io, advance *pos, and return the count or -Exxx; they may sleep. A NULL
 * llseek makes the file a stream (lseek, pread, pwrite give -ESPIPE).
 */
struct file_ops {
	int (*open)(struct inode *ino, struct file *f);
	void (*release)(struct file *f);
	long (*read)(struct file *f, struct iobuf *io, u64 *pos);
	long (*write)(struct file *f, struct iobuf *io, u64 *pos);
	s64 (*llseek)(struct file *f, s64 off, int whence);
	/* Emits entries from ctx->pos on (see struct dir_ctx). */
	int (*iterate)(struct file *f, struct dir_ctx *ctx);
	long (*ioctl)(struct file *f, unsigned long req, unsigned long arg);
	int (*fsync)(struct file *f);
	/* Current readiness, POLLIN/POLLOUT/POLLHUP/POLLERR bits. */
	u32 (*poll)(struct file *f);
	/*
	 * For mmap: the kernel address of the page at index of the file's
	 * data in *page (a hole gets a zeroed page). The page belongs to the
	 * file: stores to it are the file's data (MAP_SHARED); it stays valid
	 * while the inode lives, until a truncate below it. -ENXIO at or past
	 * the end of the file, -ENOMEM. May sleep.
	 */
	int (*get_page)(struct file *f, u64 index, void **page);
	/*
	 * fallocate(2) on a regular file open for writing, after the ABI
	 * layer checked the arguments (off, len > 0, no overflow): the modes
	 * it implements, else -EOPNOTSUPP; -ENOSPC, -EFBIG, -EIO. Takes
	 * inode->lock. NULL: the ABI layer's default (extend the size).
	 */
	int (*fallocate)(struct file *f, int mode, u64 off, u64 len);
	/*
	 * For MAP_PRIVATE (optional; without it each page is read into a
	 * copy): the kernel address of a page holding the file's data at
	 * index, zeros past the end, with one share of it taken (page_share,
	 * skiff/alloc.h) under the lock truncate takes; the mapping maps it
	 * read-only and copy-on-write and drops the share when it lets go.
	 * It may be a page a later write no longer uses (then the mapping
	 * keeps the old data). -ENXIO at or past the end of the file;
	 * -EAGAIN when no page is at hand (a hole, an unaligned page, no
	 * memory for the count): the caller reads a copy. May sleep.
	 */
	int (*share_page)(struct file *f, u64 index, void **page);
};

#ifndef POLLIN
#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200
#endif

struct inode {
	u64 ino;
	u32 mode;		/* S_IFMT type and permission bits */
	u32 nlink;
	u32 uid, gid;
	u64 size;
	u64 blocks;		/* 512-byte units allocated */
	u64 rdev;		/* a device node's device */
	struct vfs_time atime, mtime, ctime;
	u32 ref;		/* inode_get/inode_put */
	u32 blksize;		/* st_blksize */
	u32 flags;		/* I_* */
	struct super *sb;
	const struct inode_ops *iops;
	const struct file_ops *fops;	/* for files opened on this inode */
	struct mutex lock;	/* data and size */
	struct spinlock poll_lock; /* guards watchers */
	struct list watchers;	/* struct poll_watch.link: its wait queue */
	struct pipe *pipe;	/* a FIFO's pipe while open (fs/pipe.c) */
	void *priv;		/* the filesystem's */
};

#define I_LINKABLE 1	/* nlink 0 but linkat may name it (O_TMPFILE) */

struct dentry {
	struct dentry *parent;	/* itself for a filesystem's root */
	struct inode *inode;
	struct list children;	/* struct dentry.sibling, creation order */
	struct list sibling;
	u64 seq;		/* readdir position among the parent's entries */
	u64 next_seq;		/* seq for the next child */
	u32 ref;
	bool linked;		/* in its parent's children list */
	struct dentry *mounted;	/* root of the filesystem mounted here */
	struct dentry *covered;	/* a mounted root: the dentry it hides */
	char *name;		/* NUL-terminated; iname or kmalloc'd */
	char iname[32];
};

/* Open file description. */
struct file {
	u32 ref;
	u32 flags;		/* F_GETFL: O_ACCMODE, O_APPEND, ... */
	u32 fmode;		/* FMODE_* */
	u64 pos;
	struct dentry *dentry;	/* NULL: anonymous (pipes, console) */
	struct inode *inode;
	const struct file_ops *ops;
	struct mutex pos_lock;	/* serializes read/write/lseek on pos */
	struct list epitems;	/* epoll items watching it (fs/eventpoll.c;
				   inode->poll_lock) */
	void *priv;		/* the file's owner (device, pipe, procfs) */
};
#define FMODE_READ 1
#define FMODE_WRITE 2
#define FMODE_PATH 4	/* O_PATH: only fstat, fchdir, *at() bases */
#define FMODE_STREAM 8	/* no offset: pread/pwrite -ESPIPE, no pos_lock */

/*
 * readdir: iterate calls emit for each entry from ctx->pos on. emit returns
 * false when the buffer is full; the iterator then stops without advancing
 * past that entry. next_pos is the position after the entry (d_off).
 */
struct dir_ctx {
	bool (*emit)(struct dir_ctx *ctx, const char *name, size_t len, u64 ino,
		     unsigned type, u64 next_pos);
	u64 pos;
};
/* Iterate op for dcache-complete directories: ".", "..", then dentries. */
int dcache_iterate(struct file *f, struct dir_ctx *ctx);
unsigned vfs_dtype(u32 mode);

/* ---- fs/init.c: boot ---- */

/*
 * Mounts the root ramfs, unpacks the cpio newc initrd (len 0: none) into it,
 * creates /tmp, /dev (null, zero, full, random, urandom, console, tty,
 * pts/0, shm/, and the fd, stdin, stdout, stderr links), mounts /proc and
 * /sys, and opens the console as fds 0, 1, 2. A corrupt initrd gives
 * -EINVAL. Called once at boot; may sleep.
 */
int fs_init(const void *initrd, size_t len);
/*
 * fs/mounts.c: mounts the disks and host directories the command line
 * names (boot_opts.mounts, "mount=vda:/data[:ro]", "mount=9p:TAG:/data"),
 * after the devices were probed and fs_init ran. One that cannot be
 * mounted is -Exxx with why filled, one line (the caller stops the boot:
 * the program must not run without its data), unless it was given with
 * :try (logged, and the boot goes on).
 */
int fs_mount_disks(char *why, size_t size);
/* Every mounted disk filesystem to stable storage (sync(2), and at exit
 * with at_exit). The first error. Sleeps. */
int vfs_sync_all(bool at_exit);
/* The filesystem of sb to stable storage (syncfs(2)): 0 when it has no
 * sync (memory filesystems), or its error. Sleeps. */
int vfs_sync_super(struct super *sb);
/* fs/ext2/super.c: the ext2 filesystem of block device dev ("vda"), read-
 * only when ro, as a super to vfs_mount. -ENODEV, -EINVAL (not ext2, or
 * features it cannot handle), -EROFS, -EUCLEAN, -EIO, -ENOMEM; why gets
 * the reason in words (the features it refuses, by name). */
int ext2_mount(const char *dev, bool ro, struct super **out, char *why,
	       size_t wsize);
/* Bytes in the block caches of every ext2 filesystem (fs/ext2/writeback.c):
 * the page cache of /metrics and /proc/meminfo. Any context. */
u64 ext2_cache_bytes(void);
/* fs/9p/super.c: the host directory shared through the virtio-9p device
 * whose mount tag is tag, read-only when ro (every change -EROFS), as a
 * super to vfs_mount. -ENODEV (no such tag), -EIO, -ENOMEM; why gets the
 * reason in words. */
int p9_mount(const char *tag, bool ro, struct super **out, char *why,
	     size_t wsize);
/* Changes the working directory (kernel path). */
int vfs_chdir(const char *path);
/* mkdir -p with mode (after umask); existing directories are fine. */
int vfs_mkdir_p(const char *path, int mode);
/* Sets the target of /proc/self/exe (the path is copied). */
void proc_set_exe(const char *path);
/* Sets /proc/self/cmdline: len bytes of NUL-terminated arguments (copied). */
void proc_set_cmdline(const char *args, size_t len);
/* Sets /proc/self/environ: len bytes of NUL-terminated strings (copied). */
void proc_set_environ(const char *env, size_t len);
/* Sets /proc/self/auxv: the auxiliary vector, AT_NULL pair included. */
void proc_set_auxv(const void *auxv, size_t len);

/* ---- fs/vfs/inode.c, dentry.c ---- */

extern struct mutex vfs_ns_lock;

void vfs_time_now(struct vfs_time *t);
/* A new inode of sb with one reference, mode, times now; NULL on -ENOMEM. */
struct inode *inode_new(struct super *sb, u32 mode);
struct inode *inode_get(struct inode *ino);
void inode_put(struct inode *ino);
/* A change: ctime, and with mtime also mtime, become now. */
void inode_touch(struct inode *ino, bool mtime);
u64 super_next_ino(struct super *sb);
/* The filesystem of anonymous inodes (pipes, the console's std streams). */
struct super *vfs_anon_super(void);
/* A new super with its root dentry over root (takes its reference). */
struct super *super_new(const struct super_ops *ops, u64 magic);
void super_set_root(struct super *sb, struct inode *root);

struct dentry *dentry_get(struct dentry *d);
void dentry_put(struct dentry *d);
/* A child by name in the dcache (no mount crossing), or NULL. */
struct dentry *dentry_child(struct dentry *dir, const char *name, size_t len);
/*
 * For a filesystem building its own tree at mount (procfs): links a new
 * dentry for ino (taking its reference) under dir; NULL on -ENOMEM.
 */
struct dentry *dentry_add(struct dentry *dir, const char *name,
			  struct inode *ino);
/* Removes d from the tree (a stale entry of /proc); vfs_ns_lock held. */
void dentry_unlink(struct dentry *d);
/* Mounts sb's root on the directory at path (kernel path): 0 or -Exxx. */
int vfs_mount(const char *path, struct super *sb);
/* The root of the namespace. */
struct dentry *vfs_root(void);
/* The path of d from the root into buf (NUL-terminated); returns the
 * length or -ENAMETOOLONG / -ERANGE (buf too small) / -ENOENT (unlinked). */
long dentry_path(struct dentry *d, char *buf, size_t size);
/* The same with vfs_ns_lock already held (e.g. inside a readlink op). */
long dentry_path_locked(struct dentry *d, char *buf, size_t size);

/* ---- fs/vfs/namei.c: path walk ---- */

#define WALK_FOLLOW 1		/* follow a final symlink */
#define WALK_DIRECTORY 2	/* the result must be a directory */
#define WALK_EMPTY 4		/* "" names base itself (AT_EMPTY_PATH) */

/*
 * Resolves path relative to base (NULL: the working directory) and returns
 * its dentry with a reference. Takes vfs_ns_lock. -ENOENT, -ENOTDIR,
 * -ELOOP, -ENAMETOOLONG.
 */
int vfs_lookup(struct dentry *base, const char *path, unsigned flags,
	       struct dentry **out);

/* ---- fs/vfs/ops.c: namespace changes (each takes vfs_ns_lock) ---- */

int vfs_mkdir(struct dentry *base, const char *path, u32 mode);
int vfs_mknod(struct dentry *base, const char *path, u32 mode, u64 rdev);
int vfs_rmdir(struct dentry *base, const char *path);
int vfs_unlink(struct dentry *base, const char *path);
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define RENAME_WHITEOUT 4
#endif
int vfs_rename(struct dentry *obase, const char *opath, struct dentry *nbase,
	       const char *npath, unsigned flags);
int vfs_symlink(const char *target, struct dentry *base, const char *path);
int vfs_link(struct dentry *obase, const char *opath, struct dentry *nbase,
	     const char *npath, unsigned walk_flags);
/* readlink: copies at most size bytes of the target; returns the count. */
long vfs_readlink(struct dentry *base, const char *path, char *buf,
		  size_t size, bool empty_path);
/* Permission check as root: X needs an x bit (or a directory). */
int vfs_access(struct inode *ino, int mode);
int vfs_chmod(struct inode *ino, u32 mode);
/* chown: uid or gid (u32)-1 is left as it is. */
int vfs_chown(struct inode *ino, u32 uid, u32 gid);
/* Sets atime/mtime; NULL sets both to now. ctime becomes now. */
int vfs_utimes(struct inode *ino, const struct vfs_time *atime,
	       const struct vfs_time *mtime);
int vfs_truncate(struct inode *ino, s64 len);

/* ---- fs/vfs/open.c: open files ---- */

/*
 * Opens path relative to base (NULL: cwd) with Linux open flags and the
 * creation mode (umask applied here). The new file has one reference.
 */
int vfs_openat(struct dentry *base, const char *path, int flags, int mode,
	       struct file **out);
int vfs_open(const char *path, int flags, int mode, struct file **out);
/* Opens an inode (no dentry), e.g. a pipe end or the console. */
int file_open_inode(struct inode *ino, struct dentry *d, int flags,
		    struct file **out);
struct file *file_get(struct file *f);
void file_put(struct file *f);
/* Reads or writes at the file offset (pos_lock held) or at off. */
long file_read(struct file *f, struct iobuf *io);
long file_write(struct file *f, struct iobuf *io);
long file_pread_io(struct file *f, struct iobuf *io, u64 off);
long file_pwrite_io(struct file *f, struct iobuf *io, u64 off);
/* Kernel-buffer read at off (the ELF loader). */
long file_pread(struct file *f, void *buf, size_t len, u64 off);
u64 file_size(struct file *f);
s64 file_lseek(struct file *f, s64 off, int whence);
/* Reads a whole small file into a kmalloc'd buffer (NUL-terminated too). */
/*
 * A memory file (fs/memfd.c): a regular file of size bytes (zeros) in no
 * directory, open O_RDWR (| O_CLOEXEC from flags), shown as "/NAME".
 * For memfd_create(2) and MAP_SHARED anonymous memory. 0 or -ENOMEM.
 */
int vfs_memfd(const char *name, u64 size, int flags, struct file **out);
int vfs_read_all(const char *path, char **buf, size_t *len, size_t max);
/* lseek for files with a size: SET, CUR, END, DATA, HOLE. */
s64 generic_llseek(struct file *f, s64 off, int whence);
/* lseek of /dev/null and friends: always 0. */
s64 noop_llseek(struct file *f, s64 off, int whence);

#include <skiff/fdtable.h> /* fs/vfs/fd.c: the fd table, the fs context */

/* ---- fs/vfs/poll.c: readiness and waiting for it ---- */

#ifndef POLLRDHUP
#define POLLRDHUP 0x2000
#endif
/* The readiness bits that "in" and "out" notifications concern. */
#define POLL_IN_BITS (POLLIN | POLLPRI | POLLRDNORM | POLLRDBAND | POLLRDHUP)
#define POLL_OUT_BITS (POLLOUT | POLLWRNORM | POLLWRBAND)

/*
 * A watch on an inode's readiness: an entry of the inode's wait queue (a
 * poll/select call or an epoll item). fn runs on every notification of
 * the inode whose events meet w->events (a notification with events 0
 * meets every watch), with ino->poll_lock held, in any context: it must
 * not sleep. events is read atomically (0: disabled).
 */
struct poll_watch {
	struct list link;	/* ino->watchers */
	struct inode *ino;	/* set by poll_watch_add */
	u32 events;		/* POLL* bits of interest; 0: disabled */
	void (*fn)(struct poll_watch *w, u32 events);
};
/* Adds or removes a watch; each takes ino->poll_lock. */
void poll_watch_add(struct inode *ino, struct poll_watch *w);
void poll_watch_del(struct poll_watch *w);

/* A file's readiness (POLL* bits); files without a poll op are ready. */
u32 file_poll(struct file *f);
/* Whether the file reports readiness changes (epoll may watch it). */
bool file_can_poll(struct file *f);

/*
 * The wait of one poll/select call (fields private to fs/vfs/poll.c):
 * watches on the files it polls, and the flag they set when they fire.
 */
struct poll_chunk;
struct poll_table {
	struct spinlock lock;	/* guards woken, wq */
	struct waitq wq;	/* the polling thread */
	bool woken;		/* a watch fired since the last scan began */
	bool registering;	/* first scan: watch each file polled */
	int err;		/* -ENOMEM: a watch could not be made */
	struct poll_chunk *chunks; /* the watches */
};
/*
 * The readiness of f; on the first scan of pt (NULL: none) also watches f
 * for events (plus POLLERR and POLLHUP) until vfs_poll_until returns.
 */
u32 poll_table_file(struct poll_table *pt, struct file *f, u32 events);
/*
 * Calls scan(arg, pt) until it returns nonzero (ready count or error),
 * sleeping in between until one of the files the first scan watched
 * changes: one scan per wake-up. 0 when the deadline (0: none) passes,
 * -EINTR on a signal, -ENOMEM. May sleep. poll and select are built on it.
 */
long vfs_poll_until(long (*scan)(void *arg, struct poll_table *pt),
		    void *arg, u64 deadline);
/*
 * The state of ino changed so that events (POLL* bits; 0: any) may now be
 * reported: new data or end of file (POLL_IN_BITS), room to write
 * (POLL_OUT_BITS), an error or hang-up. Runs the inode's watches only,
 * waking poll/select/epoll waiters of this file. Every file kind with a
 * poll op calls it after each such change, with none of its own spinlocks
 * held. Any context; takes ino->poll_lock.
 */
void vfs_poll_notify(struct inode *ino, u32 events);

/* ---- fs/pipe.c ---- */

/* A pipe: r reads, w writes; flags O_NONBLOCK and O_DIRECT only here. */
int pipe_create(int flags, struct file **r, struct file **w);
/* The ops of a FIFO (a named pipe; S_IFIFO inodes of ramfs). */
extern const struct file_ops fifo_ops;
/* F_GETPIPE_SZ (set false) and F_SETPIPE_SZ: the size in bytes or -Exxx
 * (-EBADF for a file that is no pipe, -EBUSY, -EINVAL, -ENOMEM). */
long pipe_fcntl_size(struct file *f, bool set, u64 size);

/*
 * splice, tee (linux/splice.c). Bytes are copied between the pipe's ring
 * and the other file, but laid out in slots as Linux's moved pages are,
 * so capacities and counts match. The callbacks run with the pipe's mutex
 * held and may sleep.
 */
/* Whether f is an end of a pipe or FIFO (not an O_PATH file of one). */
bool pipe_file(struct file *f);
/*
 * Into a pipe: waits for a free slot (-EAGAIN instead when nonblock,
 * -EINTR on a signal, -EPIPE without readers), then calls get(arg, io)
 * once with io a kernel buffer of at most len bytes in the free slots,
 * starting at offset off (< PAGE_SIZE) of the first free page (a file's
 * page offset, as Linux's page cache lays it out). What get fills (its
 * positive result) becomes data, in slots no write merges into; readers
 * are woken. Returns get's result or the error.
 */
long pipe_splice_in(struct file *f, size_t len, u32 off, bool nonblock,
		    long (*get)(void *arg, struct iobuf *io), void *arg);
/*
 * Out of a pipe: waits for data (0 when empty without writers; -EAGAIN
 * when nonblock, -EINTR), then calls put(arg, iov, n) with the oldest
 * bytes, at most len, as n kernel pieces, without consuming them; the
 * count put returns is consumed, and it goes on while bytes are wanted
 * and buffered and put took all. Returns the count, or put's error when
 * nothing moved. Writers are woken.
 */
long pipe_splice_out(struct file *f, size_t len, bool nonblock,
		     long (*put)(void *arg, struct iobuf *iov, u32 n),
		     void *arg);
/*
 * splice (tee false: the bytes leave in) or tee (they stay) from the
 * pipe of in to the different pipe of out, at most len bytes, as Linux:
 * 0 at end of file, -EPIPE without readers of out, -EAGAIN, -EINTR.
 */
long pipe_splice_pipe(struct file *in, struct file *out, size_t len,
		      bool nonblock, bool tee);

/* ---- fs/eventpoll.c, eventfd.c, timerfd.c: event files ---- */

/* An epoll instance (epoll_create1's flags: O_CLOEXEC only, not here). */
int epoll_create_file(struct file **out);
/* struct epoll_event of the Linux ABI (packed on x86_64). */
struct linux_epoll_event {
	u32 events;
	u64 data;
} __attribute__((packed));
#ifndef EPOLL_CTL_ADD
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP (1u << 29)
#define EPOLLONESHOT (1u << 30)
#define EPOLLET (1u << 31)
#endif
/* epoll_ctl on ep (an epoll file) for fd, which is f; ev NULL for DEL. */
int epoll_ctl_file(struct file *ep, int op, int fd, struct file *f,
		   const struct linux_epoll_event *ev);
/*
 * epoll_wait: up to max events into the program's array uev; waits until
 * one is ready, the monotonic deadline (0: none; "now" polls once) or a
 * signal. Returns the count, -EINTR, -EFAULT, -EINVAL (not an epoll file).
 */
int epoll_wait_file(struct file *ep, struct linux_epoll_event *uev, int max,
		    u64 deadline);
/* The file is going away: drops the epoll items watching it. */
void eventpoll_release(struct file *f);
bool file_is_epoll(struct file *f);

#define EFD_SEMAPHORE 1
/* An eventfd with its counter at initval; flags EFD_SEMAPHORE, O_NONBLOCK. */
int eventfd_create(u64 initval, int flags, struct file **out);

/* A timerfd on CLOCK_MONOTONIC/BOOTTIME (realtime false) or REALTIME. */
int timerfd_create_file(bool realtime, int flags, struct file **out);
/*
 * Arms (value 0: disarms) a timerfd: value and interval in ns, value
 * absolute (on the timer's clock) when abs. *old_value and *old_interval get
 * the previous setting (time left). -EINVAL if f is not a timerfd.
 */
int timerfd_set(struct file *f, bool abs, u64 value, u64 interval,
		u64 *old_value, u64 *old_interval);
int timerfd_get(struct file *f, u64 *value, u64 *interval);

/* A new anonymous inode file ("anon_inode:[name]") with ops and priv. */
int anon_file_open(const char *name, const struct file_ops *ops, void *priv,
		   int flags, struct file **out);
/* The name of an anonymous inode file ("eventfd"), or NULL. */
const char *anon_file_name(struct inode *ino);

/* ---- fs/devfs/: character devices ---- */

/* The ops for a char device number, or NULL (open gives -ENXIO). */
const struct file_ops *chrdev_ops(u64 rdev);
/* fds 0, 1, 2: the console files (st_mode shows a tty or a pipe). */
int console_open_std(struct file *std[3]);


#endif
