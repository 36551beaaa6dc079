/*
 * Private to fs/procfs/ and fs/init.c: a filesystem of generated files,
 * the engine of /proc and /sys (procfs.c), and the tables it serves
 * (pid.c: /proc/PID and its threads; info.c: the system files; sysfs.c).
 *
 * A tree is described by tables of struct proc_node. Every inode stands
 * for a node and an argument (arg: the pid of a /proc/PID entry, the
 * thread id of a /proc/PID/task/TID entry; the pid and fd of a
 * /proc/PID/fd entry, PROC_PAIR). A directory
 * is static (dir: a table) or dynamic (dyn: numbered entries that come and
 * go, such as fds and threads). A file's text is made by show when it is
 * opened and read from that snapshot; a symlink's target by readlink when
 * read; a magic link (get_file) leads to an open file itself.
 */
#ifndef FS_PROCFS_PROCFS_H
#define FS_PROCFS_PROCFS_H

#include <skiff/vfs.h>

/* A growing text buffer; on -ENOMEM it stops growing and remembers. */
struct pbuf {
	char *buf;
	size_t len, cap;
	bool oom;
};
void pb_printf(struct pbuf *b, const char *fmt, ...) __printf(2, 3);
void pb_write(struct pbuf *b, const void *p, size_t n);

struct proc_dyn;

struct proc_node {
	const char *name;	/* NULL ends a table */
	u32 mode;		/* S_IFDIR, S_IFLNK or S_IFREG and permissions */
	int (*show)(struct pbuf *b, long arg);		/* a file's text */
	long (*write)(long arg, const char *buf, size_t len); /* writable */
	long (*readlink)(long arg, char *buf, size_t size); /* vfs_ns_lock */
	int (*get_file)(long arg, struct file **out);	/* a magic link */
	const struct proc_node *dir;	/* a static directory's entries */
	const struct proc_dyn *dyn;	/* a dynamic directory's */
	bool keep_arg;		/* a static dir's entries take its arg */
};

/*
 * The numbered entries of a dynamic directory (named by arg in decimal,
 * after prefix if any: "cpu" names /sys/devices/system/cpu/cpu0).
 * parent is the directory's own arg (the pid of /proc/PID/fd). A node may
 * have both dir and dyn: its static entries, then the numbered ones (the
 * /proc root: its files, then a directory per pid).
 */
struct proc_dyn {
	/* The smallest existing arg >= from, or -1. */
	long (*next)(long parent, long from);
	bool (*exists)(long parent, long arg);
	const struct proc_node *node;	/* what each entry is */
	/* The entry's mode when it is made (NULL: node->mode). */
	u32 (*mode)(long arg);
	/*
	 * The entry's arg is PROC_PAIR(parent, number), not the number
	 * alone, for the node's callbacks and mode (the fds of the process
	 * /proc/PID/fd names); next and exists still take the number.
	 */
	bool pair;
	const char *prefix;	/* before the number in the name, or NULL */
};

/* Two args in one: a directory's (a pid, a tid) and an entry's (an fd). */
#define PROC_PAIR(parent, n) ((long)((u64)(parent) << 32 | (u32)(n)))
#define PROC_PAIR_PARENT(arg) ((long)((u64)(arg) >> 32))
#define PROC_PAIR_N(arg) ((long)((u64)(arg) & 0xffffffffu))

#define PROC_SUPER_MAGIC 0x9fa0
#define SYSFS_MAGIC 0x62656572

/* procfs.c: mounts a tree with the root directory's table (and numbered
 * entries: dyn, may be NULL) at path. */
int procfs_mount(const char *path, const struct proc_node *root,
		 const struct proc_dyn *dyn, u64 magic);

/* The tables. */
extern const struct proc_node proc_root[];	/* info.c */
extern const struct proc_node sys_root[];	/* sysfs.c */
extern const struct proc_node proc_pid_entries[]; /* pid.c: /proc/PID */
extern const struct proc_dyn proc_pid_dyn;	/* pid.c: the /proc/PID dirs */
extern const struct proc_node proc_net_entries[]; /* net.c: /proc/1/net */
long proc_link_net(long arg, char *buf, size_t size); /* /proc/net */

/* pid.c, for info.c: the process-wide lines of /proc/PID/mounts. */
int proc_show_mounts(struct pbuf *b, long arg);
long proc_link_self(long arg, char *buf, size_t size);
long proc_link_thread_self(long arg, char *buf, size_t size);

#endif
