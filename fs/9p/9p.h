/*
 * fs/9p/9p.h: the 9P2000.L client's private header: the messages
 * (proto.c), the client that sends them over a channel (client.c), and
 * the filesystem on top (super.c, namei.c, file.c). Layer: fs.
 *
 * 9P2000.L as its protocol description gives it: every message is
 * size[4] type[1] tag[2] and its fields, little-endian; a string is
 * len[2] and its bytes; a qid is type[1] version[4] path[8]. A reply is
 * the request's type + 1, or Rlerror with a Linux errno. Replies are
 * input from the host: every length and count is checked against the
 * bytes the device wrote; a bad reply is -EIO, never a fault.
 */
#ifndef FS_9P_H
#define FS_9P_H

#include <skiff/errno.h>
#include <skiff/p9chan.h>
#include <skiff/sched.h>
#include <skiff/vfs.h>

/* Message types (T; the reply is T + 1). */
enum {
	P9_RLERROR = 7,
	P9_TSTATFS = 8,
	P9_TLOPEN = 12,
	P9_TLCREATE = 14,
	P9_TSYMLINK = 16,
	P9_TMKNOD = 18,
	P9_TREADLINK = 22,
	P9_TGETATTR = 24,
	P9_TSETATTR = 26,
	P9_TREADDIR = 40,
	P9_TFSYNC = 50,
	P9_TLINK = 70,
	P9_TMKDIR = 72,
	P9_TRENAMEAT = 74,
	P9_TUNLINKAT = 76,
	P9_TVERSION = 100,
	P9_TATTACH = 104,
	P9_TWALK = 110,
	P9_TREAD = 116,
	P9_TWRITE = 118,
	P9_TCLUNK = 120,
};

#define P9_NOTAG 0xffff
#define P9_NOFID 0xffffffffu
#define P9_HDR 7		/* size[4] type[1] tag[2] */
#define P9_IOHDR 24		/* room Tread/Twrite headers need in msize */
#define P9_QID 13
#define P9_MAXWELEM 16
#define P9_MIN_MSIZE 4096
#define P9_MSIZE (512u << 10)	/* what we ask for */
#define P9_VERSION "9P2000.L"
#define P9_MAGIC 0x01021997	/* statfs f_type, as Linux's v9fs */

/* Tgetattr request mask, Rgetattr valid bits. */
#define P9_GETATTR_BASIC 0x7ffull
/* Tsetattr valid bits. */
#define P9_SETATTR_MODE 0x1
#define P9_SETATTR_UID 0x2
#define P9_SETATTR_GID 0x4
#define P9_SETATTR_SIZE 0x8
#define P9_SETATTR_ATIME 0x10
#define P9_SETATTR_MTIME 0x20
#define P9_SETATTR_ATIME_SET 0x80
#define P9_SETATTR_MTIME_SET 0x100
#define P9_AT_REMOVEDIR 0x200

struct p9_qid {
	u8 type;
	u32 version;
	u64 path;
};

/* What Rgetattr gives (the fields this client uses). */
struct p9_attr {
	struct p9_qid qid;
	u32 mode, uid, gid;
	u64 nlink, rdev, size, blksize, blocks;
	struct vfs_time atime, mtime, ctime;
};

struct p9_setattr {
	u32 valid;		/* P9_SETATTR_* */
	u32 mode, uid, gid;
	u64 size;
	struct vfs_time atime, mtime;
};

struct p9_statfs {
	u32 type, bsize;
	u64 blocks, bfree, bavail, files, ffree, fsid;
	u32 namelen;
};

/* ---- proto.c: a message being built or read, bounds checked ---- */

struct p9_buf {
	u8 *p;
	u32 len;		/* capacity (build) or message length (read) */
	u32 at;			/* next byte */
	bool bad;		/* a field lay past the end */
};

/* Starts a message of type in p (capacity cap): size and tag filled later. */
void p9_begin(struct p9_buf *b, void *p, u32 cap, u8 type);
/* Writes the size field; 0, or -EINVAL if a field did not fit. */
int p9_end(struct p9_buf *b);
void p9_put8(struct p9_buf *b, u8 v);
void p9_put16(struct p9_buf *b, u16 v);
void p9_put32(struct p9_buf *b, u32 v);
void p9_put64(struct p9_buf *b, u64 v);
void p9_putstr(struct p9_buf *b, const char *s);
/* n bytes, the caller fills them: their address, NULL if they do not fit. */
void *p9_putspace(struct p9_buf *b, u32 n);
/* Readers give 0 (and set bad) past the end. */
u8 p9_get8(struct p9_buf *b);
u16 p9_get16(struct p9_buf *b);
u32 p9_get32(struct p9_buf *b);
u64 p9_get64(struct p9_buf *b);
void p9_getqid(struct p9_buf *b, struct p9_qid *q);
/* A string's bytes (not NUL-terminated) in the message, and its length. */
const char *p9_getstr(struct p9_buf *b, u16 *len);
/* n bytes in the message, NULL if they are not all there. */
const void *p9_getspace(struct p9_buf *b, u32 n);
/*
 * Checks the reply in rx (len bytes the device wrote) to a request of
 * ttype with tag: its size field within len, its tag, its type ttype + 1;
 * b then reads its fields. 0, the errno of an Rlerror (negative), or
 * -EIO for anything malformed.
 */
int p9_check_reply(struct p9_buf *b, void *rx, u32 len, u8 ttype, u16 tag);
/* Decoders of replies (b after p9_check_reply): 0 or -EIO. */
int p9_parse_getattr(struct p9_buf *b, struct p9_attr *a);
int p9_parse_statfs(struct p9_buf *b, struct p9_statfs *s);
/* Rwalk: the qids, at most nwname (fewer: the walk stopped early). */
int p9_parse_walk(struct p9_buf *b, u16 nwname, struct p9_qid *qids,
		  u16 *nwqid);
/* A name as 9P may carry it: 1..NAME_MAX bytes, no '/' and no NUL. */
bool p9_name_ok(const char *s, u16 len);
/*
 * One Rreaddir entry from b (whose data is the entries): 0 with *name
 * (NUL-terminated copy in name[NAME_MAX + 1]), 1 at the end of the data,
 * -EIO for a malformed entry.
 */
int p9_parse_dirent(struct p9_buf *b, struct p9_qid *qid, u64 *off,
		    u8 *type, char *name);

/* ---- client.c: requests over a channel ---- */

struct p9_client {
	struct p9_chan *chan;
	struct spinlock lock;	/* chan's calls, tags */
	struct waitq wq;	/* threads waiting for a reply or a tag */
	u64 tags[4];		/* busy tags: 256 in flight at most */
	u32 msize;		/* negotiated */
	u32 next_fid;		/* atomic */
	bool dead;		/* a transport error: every call -EIO */
};

/* A client on chan, Tversion done: 0, -ENOMEM, -EIO, -EPROTONOSUPPORT. */
int p9_client_init(struct p9_client *c, struct p9_chan *chan);
/* A fid number never in use. */
u32 p9_fid_new(struct p9_client *c);
/* The largest data count of one Tread/Twrite/Treaddir. */
u32 p9_iosize(struct p9_client *c);

/* Each sleeps (uninterruptibly) for the reply; 0 or -Exxx. */
int p9_attach(struct p9_client *c, u32 fid, struct p9_qid *qid);
/* Walks n names (n <= P9_MAXWELEM; 0 clones) from fid to newfid: the last
 * qid in *qid; -ENOENT if a name is missing (newfid then unused). */
int p9_walk(struct p9_client *c, u32 fid, u32 newfid, unsigned n,
	    const char *const *names, struct p9_qid *qid);
int p9_clunk(struct p9_client *c, u32 fid);
int p9_getattr(struct p9_client *c, u32 fid, struct p9_attr *a);
int p9_setattr(struct p9_client *c, u32 fid, const struct p9_setattr *s);
int p9_lopen(struct p9_client *c, u32 fid, u32 flags, u32 *iounit);
int p9_lcreate(struct p9_client *c, u32 fid, const char *name, u32 flags,
	       u32 mode, struct p9_qid *qid, u32 *iounit);
int p9_mkdir(struct p9_client *c, u32 dfid, const char *name, u32 mode);
int p9_mknod(struct p9_client *c, u32 dfid, const char *name, u32 mode,
	     u64 rdev);
int p9_symlink(struct p9_client *c, u32 dfid, const char *name,
	       const char *target);
long p9_readlink(struct p9_client *c, u32 fid, char *buf, size_t size);
int p9_link(struct p9_client *c, u32 dfid, u32 fid, const char *name);
int p9_unlinkat(struct p9_client *c, u32 dfid, const char *name, u32 flags);
int p9_renameat(struct p9_client *c, u32 odfid, const char *oname, u32 ndfid,
		const char *nname);
int p9_statfs(struct p9_client *c, u32 fid, struct p9_statfs *s);
int p9_fsync(struct p9_client *c, u32 fid);
/* Reads or writes at most p9_iosize bytes between the file at off and io
 * at io offset at: the count (0 at the end of the file), -Exxx; *asked
 * gets the count asked of the host (less than count without memory for
 * one buffer of count bytes): a count below it is the end of the file. */
long p9_read(struct p9_client *c, u32 fid, u64 off, struct iobuf *io,
	     size_t at, u32 count, u32 *asked);
long p9_write(struct p9_client *c, u32 fid, u64 off, struct iobuf *io,
	      size_t at, u32 count, u32 *asked);
/* Treaddir: calls fn for each entry until it returns false; the count of
 * entries read (0: the end), -Exxx. */
int p9_readdir(struct p9_client *c, u32 fid, u64 off, u32 count,
	       bool (*fn)(void *arg, const struct p9_qid *qid, u64 next,
			  u8 type, const char *name),
	       void *arg);

/* ---- super.c, namei.c, file.c: the filesystem ---- */

struct p9_fs {
	struct p9_client c;
	struct super *sb;
	bool ro;
	struct mutex lock;	/* the inode hash */
	struct list ihash[64];	/* live inodes by qid.path */
};

struct p9_inode {		/* ino->priv */
	struct list hash;	/* fs->ihash */
	struct inode *self;
	u32 fid;		/* walked to the file, never opened */
	u64 qpath;		/* qid.path: the file's identity */
	u32 create_fid;		/* opened O_RDWR by Tlcreate, for the
				   first open; P9_NOFID when none */
};

struct p9_file {		/* file->priv */
	u32 fid;		/* opened */
};

static inline struct p9_fs *P9FS(struct super *sb) { return sb->priv; }
static inline struct p9_inode *P9I(struct inode *ino) { return ino->priv; }

/* super.c */
/* The inode of a file walked to fid (taken over: clunked on failure or
 * when the inode is already live) with attributes a. */
int p9_iget(struct p9_fs *fs, u32 fid, const struct p9_attr *a,
	    struct inode **out);
/* Copies host attributes into ino. */
void p9_fill(struct inode *ino, const struct p9_attr *a);
/* Walks from dir to name into a new fid, reads its attributes, gets its
 * inode. */
int p9_lookup_inode(struct inode *dir, const char *name, struct inode **out);

/* namei.c, file.c */
extern const struct inode_ops p9_dir_iops, p9_file_iops, p9_link_iops,
	p9_other_iops;
extern const struct file_ops p9_file_ops, p9_dir_ops, p9_fifo_ops;

#endif
