/*
 * fs/procfs/procfs.c: /proc. Layer: filesystem. A fixed tree of nodes made
 * at mount: directories, symlinks whose target is computed when read
 * (/proc/self/exe, /proc/self/cwd, /proc/mounts), and files whose text is
 * generated when opened and read from that snapshot (/proc/self/cmdline,
 * /proc/self/mounts). Files show
 * st_size 0 as on Linux. Read-only: the directories have no create op.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "procfs.h"

#define PROC_SUPER_MAGIC 0x9fa0

static char *exe_path;
static char *cmdline;
static size_t cmdline_len;

void proc_set_exe(const char *path)
{
	size_t len = strlen(path);
	char *p = kmalloc(len + 1);

	if (!p)
		return;
	memcpy(p, path, len + 1);
	kfree(exe_path);
	exe_path = p;
}

void proc_set_cmdline(const char *args, size_t len)
{
	char *p = kmalloc(len ? len : 1);

	if (!p)
		return;
	memcpy(p, args, len);
	kfree(cmdline);
	cmdline = p;
	cmdline_len = len;
}

static long link_exe(char *buf, size_t size)
{
	size_t len = exe_path ? strlen(exe_path) : 0;

	if (!len)
		return -ENOENT;
	memcpy(buf, exe_path, MIN(len, size));
	return len;
}

static long link_cwd(char *buf, size_t size)
{
	struct dentry *d = vfs_cwd();
	long n = dentry_path_locked(d, buf, size);

	dentry_put(d);
	return n == -ERANGE ? -ENAMETOOLONG : n;
}

static int gen_cmdline(char **buf, size_t *len)
{
	*buf = kmalloc(cmdline_len ? cmdline_len : 1);
	if (!*buf)
		return -ENOMEM;
	memcpy(*buf, cmdline, cmdline_len);
	*len = cmdline_len;
	return 0;
}

/* What is mounted where (getmntent, df). */
static int gen_mounts(char **buf, size_t *len)
{
	static const char text[] = "ramfs / ramfs rw 0 0\n"
				   "proc /proc proc rw,nosuid,nodev,noexec 0 0\n";

	*buf = kmalloc(sizeof(text));
	if (!*buf)
		return -ENOMEM;
	memcpy(*buf, text, sizeof(text) - 1);
	*len = sizeof(text) - 1;
	return 0;
}

static long link_mounts(char *buf, size_t size)
{
	memcpy(buf, "self/mounts", MIN(size, (size_t)11));
	return 11;
}

static const struct proc_node nodes[] = {
	{ "self", S_IFDIR | 0555, NULL, NULL, NULL },
	{ "self/exe", S_IFLNK | 0777, link_exe, NULL, NULL },
	{ "self/cwd", S_IFLNK | 0777, link_cwd, NULL, NULL },
	{ "self/cmdline", S_IFREG | 0444, NULL, gen_cmdline, NULL },
	{ "self/mounts", S_IFREG | 0444, NULL, gen_mounts, NULL },
	{ "mounts", S_IFLNK | 0777, link_mounts, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL },
};

/* ---- files: a snapshot made at open ---- */

struct snapshot {
	char *buf;
	size_t len;
};

static int proc_open(struct inode *ino, struct file *f)
{
	const struct proc_node *n = ino->priv;
	struct snapshot *s = kzalloc(sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	r = n->gen(&s->buf, &s->len);
	if (r < 0) {
		kfree(s);
		return r;
	}
	f->priv = s;
	return 0;
}

static void proc_release(struct file *f)
{
	struct snapshot *s = f->priv;

	kfree(s->buf);
	kfree(s);
}

static long proc_read(struct file *f, struct iobuf *io, u64 *pos)
{
	struct snapshot *s = f->priv;
	size_t n;
	int r;

	if (*pos >= s->len)
		return 0;
	n = MIN(io->len, s->len - *pos);
	r = iobuf_copy_out(io, 0, s->buf + *pos, n);
	if (r < 0)
		return r;
	*pos += n;
	return n;
}

/* Seeks within the snapshot (SEEK_END is relative to its length). */
static s64 proc_llseek(struct file *f, s64 off, int whence)
{
	struct snapshot *s = f->priv;
	s64 base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (s64)f->pos :
		   whence == SEEK_END ? (s64)s->len : -1;

	if (base < 0 || __builtin_add_overflow(base, off, &base) || base < 0)
		return -EINVAL;
	return f->pos = base;
}

static const struct file_ops proc_file_ops = {
	.open = proc_open,
	.release = proc_release,
	.read = proc_read,
	.llseek = proc_llseek,
};

static long proc_readlink(struct inode *ino, char *buf, size_t size)
{
	const struct proc_node *n = ino->priv;

	return n->readlink(buf, size);
}

static const struct inode_ops proc_link_iops = {
	.readlink = proc_readlink,
};

static const struct inode_ops proc_dir_iops;

static const struct file_ops proc_dir_ops = {
	.iterate = dcache_iterate,
	.llseek = generic_llseek,
};

static const struct super_ops proc_sops;

/* ---- the tree ---- */

static struct inode *proc_inode(struct super *sb, const struct proc_node *n)
{
	struct inode *ino = inode_new(sb, n->mode);

	if (!ino)
		return NULL;
	ino->priv = (void *)n;
	ino->blksize = 1024;
	if (S_ISDIR(n->mode)) {
		ino->nlink = 2;
		ino->iops = &proc_dir_iops;
		ino->fops = &proc_dir_ops;
	} else if (S_ISLNK(n->mode)) {
		ino->iops = &proc_link_iops;
	} else {
		ino->fops = n->fops ? n->fops : &proc_file_ops;
	}
	return ino;
}

int procfs_add(struct super *sb, const struct proc_node *n, struct inode *ino)
{
	struct dentry *dir = sb->root;
	const char *name = n->name, *slash;

	if (!ino)
		return -ENOMEM;
	while ((slash = strchr(name, '/'))) {
		dir = dentry_child(dir, name, slash - name);
		if (!dir) {
			inode_put(ino);
			return -ENOENT;
		}
		name = slash + 1;
	}
	if (S_ISDIR(n->mode))
		dir->inode->nlink++;
	return dentry_add(dir, name, ino) ? 0 : -ENOMEM;
}

int procfs_mount(const char *path)
{
	struct super *sb = super_new(&proc_sops, PROC_SUPER_MAGIC);
	static const struct proc_node root = {
		"", S_IFDIR | 0555, NULL, NULL, NULL
	};
	struct inode *ino;
	int r;

	if (!sb)
		return -ENOMEM;
	ino = proc_inode(sb, &root);
	if (!ino)
		return -ENOMEM;
	super_set_root(sb, ino);
	for (const struct proc_node *n = nodes; n->name; n++) {
		r = procfs_add(sb, n, proc_inode(sb, n));
		if (r < 0)
			return r;
	}
	return vfs_mount(path, sb);
}
