/*
 * api/files.c: /file/{path}, /fs/df[/{mount}] and /env/[{var}]. Layer:
 * api/, over fs/ (vfs_*; paths are the program's, from the root).
 *
 * /file/: GET ?op=GET (the bytes), ?op=GETFILESTATUS, ?op=LISTSTATUS
 * (OSv's FileStatus objects); PUT and POST write the request's body as
 * the whole file (created 0644, or truncated), PUT ?op=MKDIRS makes the
 * directory and its parents; DELETE removes a file or an empty directory.
 *
 * /env/: the environment the program was started with (/.skiff/env, the
 * image's and -e's), as the API keeps it. POST and DELETE change the
 * API's copy only: a running program's environment is in its own memory,
 * and as on Linux nothing outside a process changes it (docs/api.md).
 */
#include <skiff/alloc.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/proto.h>
#include <skiff/vfs.h>
#include "api.h"

#define ENV_MAX 4096

static struct {
	char *vars[ENV_MAX];	/* "KEY=VAL", kmalloc'd */
	size_t n;
} env;

void env_init(void)
{
	char *buf;
	size_t len;

	if (vfs_read_all(PROTO_DIR "/env", &buf, &len, PROTO_ARG_MAX))
		return;
	for (size_t i = 0; i < len && env.n < ENV_MAX;) {
		size_t n = strnlen(buf + i, len - i);
		char *v = kmalloc(n + 1);
		if (v && n) {
			memcpy(v, buf + i, n);
			v[n] = 0;
			env.vars[env.n++] = v;
		} else {
			kfree(v);
		}
		i += n + 1;
	}
	kfree(buf);
}

/* The index of name's entry, or -1. */
static long env_find(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < env.n; i++)
		if (!strncmp(env.vars[i], name, n) && env.vars[i][n] == '=')
			return (long)i;
	return -1;
}

void env_all(struct api_call *c)
{
	if (!api_method(c, "GET"))
		return;
	out_str(&c->out, "[");
	for (size_t i = 0; i < env.n; i++) {
		out_str(&c->out, i ? ", " : "");
		out_json_str(&c->out, env.vars[i]);
	}
	out_str(&c->out, "]");
}

static void env_set(struct api_call *c, const char *name, long at)
{
	char val[HTTP_LINE_MAX];
	long vlen = http_query_get(c->query, "val", val, sizeof(val));
	size_t n = strlen(name);
	char *v;

	if (vlen < 0) {
		api_error(c, 400, "POST /env/NAME needs ?val=VALUE");
		return;
	}
	if ((at < 0 && env.n == ENV_MAX) || !(v = kmalloc(n + (size_t)vlen + 2))) {
		api_errno(c, -ENOMEM);
		return;
	}
	memcpy(v, name, n);
	v[n] = '=';
	memcpy(v + n + 1, val, (size_t)vlen + 1);
	if (at >= 0) {
		kfree(env.vars[at]);
		env.vars[at] = v;
	} else {
		env.vars[env.n++] = v;
	}
	out_str(&c->out, "\"\"");
}

void env_var(struct api_call *c)
{
	const char *name = c->path + 5;
	long at = env_find(name);

	if (strchr(name, '=') || strchr(name, '/')) {
		api_error(c, 400, "not a variable name");
	} else if (!strcmp(c->method, "GET")) {
		if (at < 0)
			api_error(c, 404, "no such variable");
		else
			out_json_str(&c->out, env.vars[at] + strlen(name) + 1);
	} else if (!strcmp(c->method, "POST")) {
		env_set(c, name, at);
	} else if (!strcmp(c->method, "DELETE")) {
		if (at < 0) {
			api_error(c, 404, "no such variable");
			return;
		}
		kfree(env.vars[at]);
		env.vars[at] = env.vars[--env.n];
		out_str(&c->out, "\"\"");
	} else {
		api_error(c, 405, "method not allowed on this path");
	}
}

/* ---- /file/ ---- */

static u64 ms(const struct vfs_time *t)
{
	return (u64)t->sec * 1000 + (u64)t->nsec / 1000000;
}

static void file_status(struct api_out *o, struct inode *ino,
			const char *suffix)
{
	u32 fmt = ino->mode & S_IFMT;

	out_printf(o, "{\"accessTime\": %lu, \"blockSize\": %u, "
		   "\"group\": \"root\", \"length\": %lu, "
		   "\"modificationTime\": %lu, \"owner\": \"root\", "
		   "\"pathSuffix\": ", (unsigned long)ms(&ino->atime),
		   ino->blksize ? ino->blksize : 4096, (unsigned long)ino->size,
		   (unsigned long)ms(&ino->mtime));
	out_json_str(o, suffix);
	out_printf(o, ", \"permission\": \"%o\", \"replication\": 1, "
		   "\"type\": \"%s\"}", ino->mode & 07777,
		   fmt == S_IFDIR ? "DIRECTORY" : fmt == S_IFLNK ? "SYMLINK"
		   : "FILE");
}

/* LISTSTATUS: the names first (the directory's iterate may hold the
 * namespace lock while it emits), then a lookup of each. */
struct list_ctx {
	struct dir_ctx ctx;
	struct api_out names;	/* NUL-ended names */
};

static bool list_one(struct dir_ctx *ctx, const char *name, size_t len,
		     u64 ino, unsigned type, u64 next_pos)
{
	struct list_ctx *l = (struct list_ctx *)ctx;

	ctx->pos = next_pos;
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	out_bytes(&l->names, name, len);
	out_bytes(&l->names, "", 1);
	return !l->names.oom;
}

static void list_status(struct api_call *c, const char *path)
{
	struct list_ctx l = { { list_one, 0 }, { NULL, 0, 0, false } };
	struct file *f;
	struct dentry *d;
	size_t n = 0;
	int r = vfs_open(path, O_RDONLY | O_DIRECTORY, 0, &f);

	if (r) {
		api_errno(c, r);
		return;
	}
	if (f->ops && f->ops->iterate) {
		mutex_lock(&f->pos_lock);
		r = f->ops->iterate(f, &l.ctx);
		mutex_unlock(&f->pos_lock);
	}
	out_str(&c->out, "[");
	for (size_t at = 0; !r && at < l.names.len;
	     at += strlen(l.names.buf + at) + 1) {
		if (vfs_lookup(f->dentry, l.names.buf + at, 0, &d) < 0)
			continue; /* gone meanwhile */
		out_str(&c->out, n++ ? ", " : "");
		file_status(&c->out, d->inode, l.names.buf + at);
		dentry_put(d);
	}
	out_str(&c->out, "]");
	if (l.names.oom)
		r = -ENOMEM;
	out_free(&l.names);
	file_put(f);
	if (r)
		api_errno(c, r);
}

static void read_whole(struct api_call *c, const char *path)
{
	char *buf;
	size_t len;
	int r = vfs_read_all(path, &buf, &len, 64ul << 20);

	if (r) {
		api_errno(c, r);
		return;
	}
	c->ctype = "application/octet-stream";
	out_bytes(&c->out, buf, len);
	kfree(buf);
}

static void api_file_get(struct api_call *c, const char *path)
{
	char op[32];
	struct dentry *d;
	int r;

	if (http_query_get(c->query, "op", op, sizeof(op)) < 0) {
		api_error(c, 400, "GET /file/PATH needs ?op=GET, GETFILESTATUS "
			  "or LISTSTATUS");
	} else if (!strcmp(op, "GET")) {
		read_whole(c, path);
	} else if (!strcmp(op, "LISTSTATUS")) {
		list_status(c, path);
	} else if (!strcmp(op, "GETFILESTATUS")) {
		if ((r = vfs_lookup(NULL, path, 0, &d))) {
			api_errno(c, r);
			return;
		}
		file_status(&c->out, d->inode, strrchr(path, '/') + 1);
		dentry_put(d);
	} else {
		api_error(c, 400, "unknown op");
	}
}

static void file_put_body(struct api_call *c, const char *path)
{
	char op[32];
	struct file *f;
	size_t done = 0;
	int r;

	if (http_query_get(c->query, "op", op, sizeof(op)) >= 0 &&
	    !strcmp(op, "MKDIRS")) {
		if ((r = vfs_mkdir_p(path, 0755)))
			api_errno(c, r);
		else
			out_str(&c->out, "\"\"");
		return;
	}
	if ((r = vfs_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644, &f))) {
		api_errno(c, r);
		return;
	}
	while (done < c->body_len) {
		struct iobuf io = { (char *)c->body + done,
				    c->body_len - done, false };
		long n = file_write(f, &io);
		if (n <= 0) {
			r = n ? (int)n : -EIO;
			break;
		}
		done += (size_t)n;
	}
	file_put(f);
	if (r)
		api_errno(c, r);
	else
		out_str(&c->out, "\"\"");
}

void file_call(struct api_call *c)
{
	const char *path = c->path + 5; /* "/file/x" is "/x" */
	int r;

	if (!strcmp(c->method, "GET")) {
		api_file_get(c, path);
	} else if (!strcmp(c->method, "PUT") || !strcmp(c->method, "POST")) {
		file_put_body(c, path);
	} else if (!strcmp(c->method, "DELETE")) {
		r = vfs_unlink(NULL, path);
		if (r == -EISDIR)
			r = vfs_rmdir(NULL, path);
		if (r)
			api_errno(c, r);
		else
			out_str(&c->out, "\"\"");
	} else {
		api_error(c, 405, "method not allowed on this path");
	}
}

/* ---- /fs/df ---- */

static void df_one(struct api_out *o, const char *fs, const char *mount,
		   bool *first)
{
	struct vfs_statfs st = { 4096, 0, 0, 0, 0, 0, false };
	struct dentry *d;
	struct super *sb;

	if (vfs_lookup(NULL, mount, WALK_FOLLOW, &d) < 0)
		return;
	sb = d->inode->sb;
	if (sb && sb->ops && sb->ops->statfs) {
		sb->ops->statfs(sb, &st);
	} else if (sb && sb->memory) {
		vfs_memory_space(&st.blocks, &st.bfree);
		st.bsize = 4096;
		st.files = st.blocks;
		st.ffree = st.bfree;
	}
	dentry_put(d);
	out_str(o, *first ? "" : ", ");
	*first = false;
	out_str(o, "{\"filesystem\": ");
	out_json_str(o, fs);
	out_str(o, ", \"mount\": ");
	out_json_str(o, mount);
	out_printf(o, ", \"btotal\": %lu, \"bfree\": %lu, \"ftotal\": %lu, "
		   "\"ffree\": %lu, \"blocksize\": %lu}",
		   (unsigned long)st.blocks, (unsigned long)st.bfree,
		   (unsigned long)st.files, (unsigned long)st.ffree,
		   (unsigned long)st.bsize);
}

void fs_df(struct api_call *c)
{
	/* "/fs/df/data" is /data; "/fs/df//" the root */
	const char *want = c->path[6] && c->path[7] ? c->path + 7 : NULL;
	bool first = true;
	size_t mark;

	if (!api_method(c, "GET"))
		return;
	out_str(&c->out, "[");
	mark = c->out.len;
	if (!want || !strcmp(want, "/"))
		df_one(&c->out, "ramfs", "/", &first);
	for (u32 i = 0; i < boot_opts.nmounts; i++) {
		const struct boot_mount *m = &boot_opts.mounts[i];
		if (!want || !strcmp(want, m->path + 1))
			df_one(&c->out, !strcmp(m->dev, "9p") ? m->tag : m->dev,
			       m->path, &first);
	}
	out_str(&c->out, "]");
	if (want && c->out.len == mark + 1)
		api_error(c, 404, "file system not found");
}
