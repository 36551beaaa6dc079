/*
 * Private interface between the files of fs/vfs/. Everything here is called
 * with vfs_ns_lock held unless said otherwise; walks take no references
 * (nothing in the tree can go away while the lock is held) except where a
 * function says it returns one.
 */
#ifndef FS_VFS_INTERNAL_H
#define FS_VFS_INTERNAL_H

#include <skiff/vfs.h>

/* The kind of a path's last component. */
enum { LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT };

struct walk {
	int links;		/* symlinks followed so far (ELOOP past 40) */
	char *bufs[VFS_MAX_LINKS + 1]; /* symlink targets kept for names */
	int nbufs;
	/* Dentries magic links led to, referenced until walk_done. */
	struct dentry *pins[VFS_MAX_LINKS + 1];
	int npins;
};

/* The parent directory of a path and its last component. */
struct last {
	struct dentry *dir;
	const char *name;	/* not NUL-terminated: len bytes */
	size_t len;
	int type;		/* LAST_* */
	bool slash;		/* the path ends with '/' */
	char cname[NAME_MAX + 1]; /* name, NUL-terminated */
};

void walk_init(struct walk *w);
void walk_done(struct walk *w);
/* Full walk; *out has no reference. */
int walk_path(struct walk *w, struct dentry *base, const char *path,
	      unsigned flags, struct dentry **out);
/* Walks all but the last component. */
int walk_parent(struct walk *w, struct dentry *base, const char *path,
		struct last *l);
/*
 * The entry l names in l->dir (LAST_NORM only), crossing mounts; NULL with
 * *err = 0 when it does not exist.
 */
struct dentry *walk_last(struct last *l, int *err);
/* Reads the target of a symlink for the walk (kept until walk_done). */
int walk_readlink(struct walk *w, struct dentry *link, const char **target);
/*
 * For a magic link (iops->get_file): the dentry of the file it stands for,
 * kept referenced until walk_done. Returns 1 with *out set, 0 when link is
 * an ordinary symlink, or -Exxx.
 */
int walk_magic(struct walk *w, struct dentry *link, struct dentry **out);

/* dentry.c */
struct dentry *dentry_alloc(struct dentry *parent, const char *name,
			    struct inode *ino);
/* Adds d to its parent's children (the tree's reference is d's first). */
void dentry_link(struct dentry *d);
/* Removes d from the tree and drops the tree's reference. */
void dentry_unlink(struct dentry *d);
/* Moves d under parent with name (already unlinked from the old one). */
int dentry_move(struct dentry *d, struct dentry *parent, const char *name);
/* True when a is d or one of d's ancestors (same filesystem or not). */
bool dentry_is_ancestor(struct dentry *a, struct dentry *d);
/* Whether a directory has entries (dcache-complete dirs: children). */
bool dentry_has_children(struct dentry *d);
/* The dentry ".." leads to from d (crossing mount roots up). */
struct dentry *dentry_dotdot(struct dentry *d);


/* ops.c: creates l's last component (after the create checks). */
int vfs_create_last(struct last *l, u32 mode, u64 rdev, struct dentry **out);

/* open.c */
int open_dentry(struct dentry *d, int flags, bool created, struct file **out);

#endif
