/*
 * fs/procfs/pid.c: /proc/PID for every process (/proc/self: the caller's)
 * and /proc/PID/task/TID: the links (exe, cwd, root, fd/N), the strings
 * the program started with (cmdline, environ, auxv), comm, and the fd/,
 * fdinfo/ and task/ directories. Layer: filesystem. The text files describing
 * the process (status, stat, statm, maps, mounts) are in pidstat.c.
 *
 * An entry's arg is the pid under /proc/PID, a thread id under task/
 * (proc_process finds the process of either; a pid is its first thread's
 * tid). cwd, maps, fd/ and fdinfo/ are any process's, through references
 * taken under the process tree lock (exit and exec change the parts under
 * it). exec (linux/exec.c at boot,
 * linux/execve.c) hands over the strings with proc_set_*.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/process.h>
#include <skiff/sched.h>
#include <skiff/vfs.h>
#include "pid.h"
#include "procfs.h"

/* Copies len bytes (and a NUL) into a new buffer of *slot. */
static void set_copy(struct process_blob *slot, const void *p, size_t len)
{
	char *c = kmalloc(len + 1);

	if (!c)
		return;
	memcpy(c, p, len);
	c[len] = 0;
	kfree(slot->buf);
	slot->buf = c;
	slot->len = len;
}

/* Names the calling (main) thread after path's last component (comm). */
static void set_comm(const char *path)
{
	const char *base = strrchr(path, '/');
	struct thread *t = thread_current();
	char name[THREAD_NAME_LEN] = { 0 };

	str_lcpy(name, base ? base + 1 : path, sizeof(name));
	if (t)
		thread_set_name(t, name);
}

/* The path changes under the tree lock: /proc/PID/exe of another reads it. */
void proc_set_exe(const char *path)
{
	struct process *p = process_current();
	size_t len = strlen(path);
	char *c = kmalloc(len + 1), *old;

	if (c) {
		memcpy(c, path, len + 1);
		process_tree_lock();
		old = p->exe;
		p->exe = c;
		process_tree_unlock();
		kfree(old);
	}
	set_comm(path);
}

/*
 * Linux's comm is the last component of the path given to execve, which
 * exec takes from argv[0] when it holds a '/' (as AT_EXECFN), else the
 * program's path.
 */
void proc_set_cmdline(const char *args, size_t len)
{
	set_copy(&process_current()->cmdline, args, len);
	if (len && memchr(args, 0, len) && strchr(args, '/'))
		set_comm(args);
}

void proc_set_environ(const char *env, size_t len)
{
	set_copy(&process_current()->environ, env, len);
}

void proc_set_auxv(const void *auxv, size_t len)
{
	set_copy(&process_current()->auxv, auxv, len);
}

long proc_exe_path(long arg, char *buf, size_t size)
{
	struct process *p = proc_process(arg);
	size_t len = 0;

	if (!p)
		return -ENOENT;
	process_tree_lock();
	if (p->state == PROCESS_LIVE && p->exe) {
		len = strlen(p->exe);
		memcpy(buf, p->exe, MIN(len, size));
	}
	process_tree_unlock();
	process_put(p);
	return len ? (long)len : -ENOENT;
}

/* ---- processes and threads ---- */

struct process *proc_process(long arg)
{
	struct process *p;
	struct thread *t;

	if (!arg) {
		p = process_current();
		process_get(p);
		return p;
	}
	p = process_lookup(arg);
	if (p)
		return p;
	t = thread_find(arg); /* a task/TID entry */
	p = t ? thread_process(t) : NULL;
	if (p)
		process_get(p);
	return p;
}

struct pick {
	long tid;		/* wanted: that thread, else p's first */
	struct process *p;
	struct proc_thread *out;
	long next_from;		/* for task_next: the smallest tid >= this */
	long next;
};

static void pick_one(struct thread *t, void *arg)
{
	struct pick *p = arg;
	struct proc_thread *o = p->out;
	struct thread_summary s;

	thread_summary(t, &s);
	o->all_threads++;
	o->max_tid = MAX(o->max_tid, s.tid);
	if (s.process != p->p)
		return;
	o->threads++;
	if (o->found && (s.tid != p->tid || o->tid == p->tid))
		return;
	o->found = true;
	o->tid = s.tid;
	o->running = s.running;
	process_sig_summary(s.process, t, &o->sig);
	str_lcpy(o->name, s.name, sizeof(o->name));
}

bool proc_thread_info(long tid, struct proc_thread *out)
{
	struct pick p = { tid, proc_process(tid), out, 0, 0 };

	memset(out, 0, sizeof(*out));
	if (!p.p)
		return false;
	thread_for_each(pick_one, &p);
	process_put(p.p);
	return out->found;
}

static void next_tid(struct thread *t, void *arg)
{
	struct pick *p = arg;
	int tid = thread_id(t);

	if (thread_process(t) == p->p && tid >= p->next_from &&
	    (p->next < 0 || tid < p->next))
		p->next = tid;
}

static long task_next(long pid, long from)
{
	struct pick p = { 0, proc_process(pid), NULL, from, -1 };

	if (!p.p)
		return -1;
	thread_for_each(next_tid, &p);
	process_put(p.p);
	return p.next;
}

static bool task_exists(long pid, long tid)
{
	return tid > 0 && task_next(pid, tid) == tid;
}

/* The /proc/PID directories: every process in the table, zombies too. */
struct pid_scan {
	long from, next;
};

static bool pid_min(struct process *p, void *arg)
{
	struct pid_scan *s = arg;

	if (p->pid >= s->from) {
		s->next = p->pid;
		return true; /* the table is in pid order */
	}
	return false;
}

static long pid_next(long parent, long from)
{
	struct pid_scan s = { from, -1 };

	process_for_each(pid_min, &s);
	return s.next;
}

static bool pid_exists(long parent, long pid)
{
	return pid > 0 && pid_next(0, pid) == pid;
}

static const struct proc_node pid_dir_node = {
	"pid", S_IFDIR | 0555, .dir = proc_pid_entries, .keep_arg = true,
};

const struct proc_dyn proc_pid_dyn = {
	pid_next, pid_exists, &pid_dir_node, NULL, false, NULL,
};

/* ---- links ---- */

long proc_link_self(long arg, char *buf, size_t size)
{
	char t[16];
	int n = fmt_snprintf(t, sizeof(t), "%d", process_current()->pid);

	memcpy(buf, t, MIN(size, (size_t)n));
	return n;
}

long proc_link_thread_self(long arg, char *buf, size_t size)
{
	char t[32];
	int n = fmt_snprintf(t, sizeof(t), "%d/task/%d",
			     process_current()->pid, thread_tid());

	memcpy(buf, t, MIN(size, (size_t)n));
	return n;
}

/* Whether the entry's process is the caller's (fd/ shows its only). */
bool proc_is_self(long arg)
{
	struct process *p = proc_process(arg);
	bool self = p == process_current();

	process_put(p);
	return self;
}

static long link_exe(long arg, char *buf, size_t size)
{
	return proc_exe_path(arg, buf, size);
}

struct vm_space *proc_vm_get(long arg)
{
	struct process *p = proc_process(arg);
	struct vm_space *vm = NULL;

	if (!p)
		return NULL;
	process_tree_lock(); /* exit and exec change p->vm under it */
	if (p->vm) {
		vm = p->vm;
		vm_space_get(vm);
	}
	process_tree_unlock();
	process_put(p);
	return vm;
}

static long link_cwd(long arg, char *buf, size_t size)
{
	struct process *p = proc_process(arg);
	struct fs_context *fs = NULL;
	struct dentry *d = NULL;
	long n;

	if (!p)
		return -ENOENT;
	process_tree_lock(); /* exit changes p->fs under it */
	if ((fs = p->fs))
		fs_context_get(fs);
	process_tree_unlock();
	process_put(p);
	if (!fs)
		return -ENOENT; /* a zombie */
	d = fs_context_cwd(fs);
	fs_context_put(fs);
	if (!d)
		return -ENOENT;
	n = dentry_path_locked(d, buf, size);
	dentry_put(d);
	return n == -ERANGE ? -ENAMETOOLONG : n;
}

static long link_root(long arg, char *buf, size_t size)
{
	memcpy(buf, "/", MIN(size, (size_t)1));
	return 1;
}

/* ---- fd/ and fdinfo/ ---- */

/*
 * The open file at fd of the process a pid or tid names, with a reference,
 * and its FD_CLOEXEC flag; NULL if none (a zombie has no table). The
 * table is another process's too: it is read under the process tree lock,
 * under which exit takes it away.
 */
static struct file *pid_fd_file(long pid, long fd, int *flags)
{
	struct process *p = proc_process(pid);
	struct file *f = NULL;

	if (!p)
		return NULL;
	process_tree_lock();
	if (p->files && fd >= 0 && fd <= 0x7fffffff)
		f = fd_table_file(p->files, (int)fd, flags);
	process_tree_unlock();
	process_put(p);
	return f;
}

/* The same for the arg of an fd/ or fdinfo/ entry (PROC_PAIR). */
static struct file *pair_file(long arg, int *flags)
{
	return pid_fd_file(PROC_PAIR_PARENT(arg), PROC_PAIR_N(arg), flags);
}

static long fd_next(long pid, long from)
{
	struct process *p = proc_process(pid);
	long next = -1;

	if (!p)
		return -1;
	process_tree_lock();
	if (p->files)
		next = fd_table_next(p->files, from);
	process_tree_unlock();
	process_put(p);
	return next;
}

static bool fd_exists(long pid, long fd)
{
	struct file *f = pid_fd_file(pid, fd, NULL);

	file_put(f);
	return f != NULL;
}

/* lr-x, l-wx or lrwx: the fd's access mode, as Linux shows it. */
static u32 fd_mode(long arg)
{
	struct file *f = pair_file(arg, NULL);
	u32 mode = S_IFLNK;

	if (f && (f->fmode & FMODE_READ))
		mode |= 0500;
	if (f && (f->fmode & FMODE_WRITE))
		mode |= 0300;
	file_put(f);
	return mode;
}

/* What a link to an open file reads as, as on Linux. */
static long describe(struct file *f, char *buf, size_t size)
{
	const char *anon = anon_file_name(f->inode);
	struct dentry *d = f->dentry;
	long n;

	if (anon)
		return fmt_snprintf(buf, size, "anon_inode:%s", anon);
	if (!d || f->inode->sb == vfs_anon_super())
		return fmt_snprintf(buf, size, "%s:[%lu]",
				    S_ISSOCK(f->inode->mode) ? "socket" : "pipe",
				    (unsigned long)f->inode->ino);
	n = dentry_path_locked(d, buf, size);
	if (n != -ENOENT)
		return n;
	if (d->parent == d) /* in no directory: a memory file (fs/memfd.c) */
		return fmt_snprintf(buf, size, "/%s (deleted)", d->name);
	/* Unlinked: the path it had, then " (deleted)". */
	n = dentry_path_locked(d->parent, buf, size);
	if (n < 0)
		return n;
	return n + fmt_snprintf(buf + n, size - n, "%s%s (deleted)",
				n > 1 ? "/" : "", d->name);
}

static long link_fd(long arg, char *buf, size_t size)
{
	struct file *f = pair_file(arg, NULL);
	char tmp[PATH_MAX];
	long n;

	if (!f)
		return -ENOENT;
	n = describe(f, tmp, sizeof(tmp));
	file_put(f);
	if (n < 0)
		return n;
	n = MIN((size_t)n, sizeof(tmp) - 1);
	memcpy(buf, tmp, MIN((size_t)n, size));
	return n;
}

static int get_fd(long arg, struct file **out)
{
	*out = pair_file(arg, NULL);
	return *out ? 0 : -ENOENT;
}

/*
 * fdinfo/N: the offset, the open flags (O_CLOEXEC from the fd's flag, as
 * Linux adds it), the mount and the inode number.
 * DIVERGENCE: mnt_id is 1 (the root's id in mountinfo) for every file;
 * no per-kind lines (eventfd-count, tfd, inotify, ...).
 */
static int show_fdinfo(struct pbuf *b, long arg)
{
	int fdflags = 0;
	struct file *f = pair_file(arg, &fdflags);

	if (!f)
		return -ENOENT;
	u32 flags = (f->flags & ~O_CLOEXEC) |
		    (fdflags & FD_CLOEXEC ? O_CLOEXEC : 0);
	pb_printf(b, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t1\nino:\t%lu\n",
		  (long long)f->pos, flags, (unsigned long)f->inode->ino);
	file_put(f);
	return 0;
}

static const struct proc_node fd_node = {
	"fd", S_IFLNK | 0700, .readlink = link_fd, .get_file = get_fd,
};

static const struct proc_dyn fd_dyn = {
	fd_next, fd_exists, &fd_node, fd_mode, .pair = true,
};

static const struct proc_node fdinfo_node = {
	"fdinfo", S_IFREG | 0444, .show = show_fdinfo,
};

static const struct proc_dyn fdinfo_dyn = {
	fd_next, fd_exists, &fdinfo_node, NULL, .pair = true,
};

/* ---- strings ---- */

static int show_str(struct pbuf *b, const struct process_blob *s)
{
	pb_write(b, s->buf ? s->buf : "", s->len);
	return 0;
}

/* One of p's strings; a zombie's are empty, as on Linux. */
static int show_blob(struct pbuf *b, long arg, size_t off)
{
	struct process *p = proc_process(arg);

	if (!p)
		return -ESRCH;
	if (p->state == PROCESS_LIVE)
		show_str(b, (const struct process_blob *)((char *)p + off));
	process_put(p);
	return 0;
}

static int show_cmdline(struct pbuf *b, long arg)
{
	return show_blob(b, arg, offsetof(struct process, cmdline));
}

static int show_environ(struct pbuf *b, long arg)
{
	return show_blob(b, arg, offsetof(struct process, environ));
}

static int show_auxv(struct pbuf *b, long arg)
{
	return show_blob(b, arg, offsetof(struct process, auxv));
}

static int show_comm(struct pbuf *b, long arg)
{
	struct proc_thread t;
	struct process *p;

	if (proc_thread_info(arg, &t)) {
		pb_printf(b, "%s\n", t.name);
		return 0;
	}
	p = proc_process(arg); /* a zombie: the name it had */
	if (!p)
		return -ESRCH;
	pb_printf(b, "%s\n", p->comm);
	process_put(p);
	return 0;
}

struct rename {
	int tid;
	char name[THREAD_NAME_LEN];
};

static void rename_one(struct thread *t, void *arg)
{
	struct rename *r = arg;

	if (thread_id(t) == r->tid)
		thread_set_name(t, r->name);
}

/* Writing comm renames the thread (the main one for the process). */
static long write_comm(long arg, const char *buf, size_t len)
{
	struct rename r = { arg ? (int)arg : process_current()->pid, { 0 } };
	size_t n = MIN(len, sizeof(r.name) - 1);

	memcpy(r.name, buf, n);
	if (n && r.name[n - 1] == '\n')
		r.name[n - 1] = 0;
	thread_for_each(rename_one, &r);
	return len;
}

/* ---- the tables ---- */

static const struct proc_node task_dir_node;

static const struct proc_dyn task_dyn = {
	task_next, task_exists, &task_dir_node, NULL, false, NULL,
};

/* The entries of /proc/1 and of /proc/1/task/TID (which has no task/). */
#define PID_ENTRIES							\
	{ "auxv", S_IFREG | 0400, .show = show_auxv },			\
	{ "cmdline", S_IFREG | 0444, .show = show_cmdline },		\
	{ "comm", S_IFREG | 0644, .show = show_comm, .write = write_comm }, \
	{ "cwd", S_IFLNK | 0777, .readlink = link_cwd },		\
	{ "environ", S_IFREG | 0400, .show = show_environ },		\
	{ "exe", S_IFLNK | 0777, .readlink = link_exe },		\
	{ "fd", S_IFDIR | 0500, .dyn = &fd_dyn },			\
	{ "fdinfo", S_IFDIR | 0500, .dyn = &fdinfo_dyn },		\
	{ "maps", S_IFREG | 0444, .show = proc_show_maps },		\
	{ "mountinfo", S_IFREG | 0444, .show = proc_show_mountinfo },	\
	{ "mounts", S_IFREG | 0444, .show = proc_show_mounts },		\
	{ "net", S_IFDIR | 0555, .dir = proc_net_entries },		\
	{ "root", S_IFLNK | 0777, .readlink = link_root },		\
	{ "stat", S_IFREG | 0444, .show = proc_show_stat },		\
	{ "statm", S_IFREG | 0444, .show = proc_show_statm },		\
	{ "status", S_IFREG | 0444, .show = proc_show_status }

static const struct proc_node task_entries[] = {
	PID_ENTRIES,
	{ .name = NULL },
};

const struct proc_node proc_pid_entries[] = {
	PID_ENTRIES,
	{ "task", S_IFDIR | 0555, .dyn = &task_dyn },
	{ .name = NULL },
};

static const struct proc_node task_dir_node = {
	"task", S_IFDIR | 0555, .dir = task_entries, .keep_arg = true,
};
