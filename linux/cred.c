/*
 * linux/cred.c: user and group ids (credentials(7)): the real, effective,
 * saved and filesystem uid and gid, and the supplementary groups. Layer:
 * Linux ABI. The program starts as root (uid 0, gid 0, no groups).
 *
 * The rules are Linux's, with "privileged" meaning the effective uid is 0
 * (Linux: CAP_SETUID / CAP_SETGID, which a root process has and loses
 * when it gives up uid 0). A server that drops to "nobody" sees the ids
 * it set and is refused the way back, as on Linux.
 *
 * DIVERGENCE: the ids are the process's, not each thread's; glibc and musl
 * set them on every thread anyway (POSIX semantics), so a program sees no
 * difference. File access is not checked against them: Skiff's files
 * belong to the one program of the VM.
 *
 * Locking: cred_lock guards the ids and the groups array.
 */
#include <skiff/errno.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include <skiff/uaccess.h>
#include "lproc.h"
#include "sys.h"

#define NGROUPS_MAX 65536

static struct spinlock cred_lock = SPINLOCK_INIT;

int cred_clone(struct linux_cred *dst, const struct linux_cred *src)
{
	u32 n, *g = NULL;

	for (;;) {
		spin_lock(&cred_lock);
		n = src->ngroups;
		spin_unlock(&cred_lock);
		kfree(g);
		g = n ? kmalloc(n * sizeof(u32)) : NULL;
		if (n && !g)
			return -ENOMEM;
		spin_lock(&cred_lock);
		if (src->ngroups == n)
			break;
		spin_unlock(&cred_lock); /* changed meanwhile: again */
	}
	*dst = *src;
	if (n)
		memcpy(g, src->groups, n * sizeof(u32));
	dst->groups = g;
	spin_unlock(&cred_lock);
	return 0;
}

void cred_free(struct linux_cred *c)
{
	kfree(c->groups);
	c->groups = NULL;
}

static struct linux_cred *cred(void)
{
	return &lproc_current()->cred;
}

/* Whether id (a uid or gid, -1 meaning "keep") may be taken by an
 * unprivileged process: one of its current real, effective, saved ids. */
static bool allowed(u32 id, u32 r, u32 e, u32 s)
{
	return id == (u32)-1 || id == r || id == e || id == s;
}

/*
 * setresuid/setresgid (and every other set*id, expressed through it):
 * ids[0..2] the new real, effective, saved (-1: keep), fs follows the
 * effective. Unprivileged, each new id must be one of the current three.
 */
static long set_res(bool user, u32 r, u32 e, u32 s)
{
	struct linux_cred *c = cred();
	u32 *ids = user ? c->uid : c->gid;

	spin_lock(&cred_lock);
	if (c->uid[1] != 0 && (!allowed(r, ids[0], ids[1], ids[2]) ||
			       !allowed(e, ids[0], ids[1], ids[2]) ||
			       !allowed(s, ids[0], ids[1], ids[2]))) {
		spin_unlock(&cred_lock);
		return -EPERM;
	}
	if (r != (u32)-1)
		ids[0] = r;
	if (e != (u32)-1)
		ids[1] = e;
	if (s != (u32)-1)
		ids[2] = s;
	ids[3] = ids[1];
	spin_unlock(&cred_lock);
	return 0;
}

long sys_setresuid(u32 r, u32 e, u32 s)
{
	return set_res(true, r, e, s);
}

long sys_setresgid(u32 r, u32 e, u32 s)
{
	return set_res(false, r, e, s);
}

/* setreuid: a new real id (or an effective one different from the old
 * real id) also sets the saved id to the new effective one. */
static long set_re(bool user, u32 r, u32 e)
{
	struct linux_cred *c = cred();
	u32 *ids = user ? c->uid : c->gid;
	u32 s = (u32)-1;

	if (c->uid[1] != 0 && ((r != (u32)-1 && r != ids[0] && r != ids[1]) ||
			       !allowed(e, ids[0], ids[1], ids[2])))
		return -EPERM;
	if (r != (u32)-1 || (e != (u32)-1 && e != ids[0]))
		s = e != (u32)-1 ? e : ids[1];
	return set_res(user, r, e, s);
}

long sys_setreuid(u32 r, u32 e)
{
	return set_re(true, r, e);
}

long sys_setregid(u32 r, u32 e)
{
	return set_re(false, r, e);
}

/* setuid: privileged, all three ids; otherwise the effective one only. */
static long set_one(bool user, u32 id)
{
	struct linux_cred *c = cred();
	u32 *ids = user ? c->uid : c->gid;

	if (id == (u32)-1)
		return -EINVAL;
	if (c->uid[1] == 0)
		return set_res(user, id, id, id);
	if (id != ids[0] && id != ids[2])
		return -EPERM;
	return set_res(user, -1, id, -1);
}

long sys_setuid(u32 id)
{
	return set_one(true, id);
}

long sys_setgid(u32 id)
{
	return set_one(false, id);
}

/* setfsuid/setfsgid return the old fs id whether or not they changed it. */
static long set_fs(bool user, u32 id)
{
	struct linux_cred *c = cred();
	u32 *ids = user ? c->uid : c->gid;
	u32 old = ids[3];

	spin_lock(&cred_lock);
	if (id != (u32)-1 && (c->uid[1] == 0 || id == ids[0] ||
			      id == ids[1] || id == ids[2] || id == ids[3]))
		ids[3] = id;
	spin_unlock(&cred_lock);
	return old;
}

long sys_setfsuid(u32 id)
{
	return set_fs(true, id);
}

long sys_setfsgid(u32 id)
{
	return set_fs(false, id);
}

static long get_res(const u32 *ids, u32 *r, u32 *e, u32 *s)
{
	u32 v[3];

	spin_lock(&cred_lock);
	memcpy(v, ids, sizeof(v));
	spin_unlock(&cred_lock);
	if (copy_to_user(r, &v[0], 4) || copy_to_user(e, &v[1], 4) ||
	    copy_to_user(s, &v[2], 4))
		return -EFAULT;
	return 0;
}

long sys_getresuid(u32 *r, u32 *e, u32 *s)
{
	return get_res(cred()->uid, r, e, s);
}

long sys_getresgid(u32 *r, u32 *e, u32 *s)
{
	return get_res(cred()->gid, r, e, s);
}

long sys_getuid(void)
{
	return cred()->uid[0];
}

long sys_geteuid(void)
{
	return cred()->uid[1];
}

long sys_getgid(void)
{
	return cred()->gid[0];
}

long sys_getegid(void)
{
	return cred()->gid[1];
}

long sys_getgroups(int size, u32 *list)
{
	struct linux_cred *c = cred();
	u32 n;
	long err = 0;

	if (size < 0)
		return -EINVAL;
	spin_lock(&cred_lock);
	n = c->ngroups;
	spin_unlock(&cred_lock);
	if (!size)
		return n;
	if ((u32)size < n)
		return -EINVAL;
	/* Copied from a snapshot: the array may change once unlocked. */
	u32 *snap = n ? kmalloc(n * sizeof(u32)) : NULL;
	if (n && !snap)
		return -ENOMEM;
	spin_lock(&cred_lock);
	n = MIN(n, c->ngroups);
	if (n)
		memcpy(snap, c->groups, n * sizeof(u32));
	spin_unlock(&cred_lock);
	if (n && copy_to_user(list, snap, n * sizeof(u32)))
		err = -EFAULT;
	kfree(snap);
	return err ? err : n;
}

long sys_setgroups(int size, const u32 *list)
{
	struct linux_cred *c = cred();
	u32 *groups = NULL, *old;

	if (size < 0 || size > NGROUPS_MAX)
		return -EINVAL;
	if (c->uid[1] != 0)
		return -EPERM;
	if (size) {
		groups = kmalloc(size * sizeof(u32));
		if (!groups)
			return -ENOMEM;
		if (copy_from_user(groups, list, size * sizeof(u32))) {
			kfree(groups);
			return -EFAULT;
		}
	}
	spin_lock(&cred_lock);
	old = c->groups;
	c->groups = groups;
	c->ngroups = size;
	spin_unlock(&cred_lock);
	kfree(old);
	return 0;
}
