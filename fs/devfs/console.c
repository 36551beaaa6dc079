/*
 * fs/devfs/console.c: the console as files: the program's fds 0, 1, 2 and
 * the devices /dev/tty (5:0) and /dev/console (5:1). Layer: devices as
 * files, over skiff/console.h.
 *
 * Writes go to a console channel chosen per open file: fd 2 writes to the
 * stderr channel, everything else to stdout, so dup2(1, 2) sends fd 2 to
 * stdout as on Linux. Reads take the program's stdin. Each std stream
 * looks like what the host gave skiff: when boot_opts.tty_mask says the
 * host stream is a terminal, the device /dev/pts/0 (136:0, answering
 * TCGETS and TIOCGWINSZ, so ttyname() finds it); otherwise a pipe
 * (S_IFIFO, -ENOTTY), so isatty() and stdio buffering match the native
 * run.
 *
 * Input readiness: kernel/console.c calls console_input_ready() from the
 * serial receive interrupt; it notifies every inode that console files
 * were opened on (the std streams, /dev/tty, /dev/console), which wakes
 * poll, select and epoll.
 */
#include <skiff/console.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/process.h>
#include <skiff/proto.h>
#include <skiff/vfs.h>
#include "devfs.h"

#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TIOCGPGRP 0x540f
#define TIOCSPGRP 0x5410
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define TIOCSCTTY 0x540e
#define TIOCNOTTY 0x5422
#define TIOCGSID 0x5429
#define SIGTTIN_NR 21
#define SIGTTOU_NR 22

/*
 * Job control: the terminal is the controlling terminal of session tty_sid
 * (pid 1's at boot; 0: none), whose foreground process group is fg_pgrp.
 * Both under the process tree lock (skiff/process.h). A background
 * process of that session reading it, changing its settings or group, or
 * writing it under TOSTOP, goes through the ABI's job hook (SIGTTIN,
 * SIGTTOU: linux/jobctl.c); its session leader's end hangs it up
 * (console_session_end).
 */
static int tty_sid = 1, fg_pgrp = 1;
static long (*job_hook)(int sig);

#define TOSTOP 0x100 /* c_lflag */

int console_fg_pgrp(void)
{
	return __atomic_load_n(&fg_pgrp, __ATOMIC_RELAXED);
}

void console_set_job_hook(long (*fn)(int sig))
{
	job_hook = fn;
}

int console_session_end(int sid)
{
	int pgrp = 0;

	process_tree_lock();
	if (sid && tty_sid == sid) {
		pgrp = fg_pgrp;
		tty_sid = 0;
		fg_pgrp = 0;
	}
	process_tree_unlock();
	return pgrp;
}

/* 0, or what the job hook says of a background process's access raising
 * sig (-EINTR after sending it, -EIO). */
static long job_check(int sig)
{
	struct process *self = process_current();

	process_tree_lock();
	bool bg = tty_sid && self->sid == tty_sid && self->pgid != fg_pgrp;
	process_tree_unlock();
	return bg && job_hook ? job_hook(sig) : 0;
}

/* TIOCSPGRP's check of group pgid for session sid: -ESRCH when no
 * process has the number as its pid or group, -EPERM when the group is
 * not one of the session's; tree lock held. */
static long group_check(int pgid, int sid)
{
	long r = -ESRCH;

	list_for_each(l, process_table()) {
		struct process *p = list_entry(l, struct process, table_link);
		if (p->pid == pgid || p->pgid == pgid)
			r = -EPERM;
		if (p->pgid == pgid && p->sid == sid && p->state == PROCESS_LIVE)
			return 0;
	}
	return r;
}

/* The job-control ioctls of the terminal, for the calling process. */
static long job_ioctl(unsigned long req, unsigned long arg)
{
	struct process *self = process_current();
	int v = 0;
	long r = 0;

	if (req == TIOCSPGRP && copy_from_user(&v, (void *)arg, sizeof(v)))
		return -EFAULT;
	process_tree_lock();
	bool ours = self->sid == tty_sid;
	if (req == TIOCGPGRP || req == TIOCGSID) {
		v = req == TIOCGPGRP ? fg_pgrp : tty_sid;
		r = ours ? 0 : -ENOTTY;
	} else if (req == TIOCSPGRP) {
		r = !ours ? -ENOTTY : v < 0 ? -EINVAL : group_check(v, self->sid);
		if (!r)
			fg_pgrp = v;
	} else if (req == TIOCSCTTY) {
		r = ours ? 0 : self->sid != self->pid ? -EPERM : 0;
		if (!r && !ours) {
			tty_sid = self->sid;
			fg_pgrp = self->pgid;
		}
	} else { /* TIOCNOTTY */
		r = ours ? 0 : -ENOTTY;
		if (!r && self->sid == self->pid)
			tty_sid = 0;
	}
	process_tree_unlock();
	if (!r && (req == TIOCGPGRP || req == TIOCGSID))
		r = copy_to_user((void *)arg, &v, sizeof(v));
	return r;
}

/* The console file of an open: its write channel and whether it is a tty. */
struct con {
	int channel;
	bool tty;
};

static const struct con con_out = { PROTO_CH_STDOUT, false };
static const struct con con_err = { PROTO_CH_STDERR, false };
static const struct con tty_out = { PROTO_CH_STDOUT, true };
static const struct con tty_err = { PROTO_CH_STDERR, true };

/* A terminal in its default "sane" mode, shared by all tty files. */
struct ktermios tty_termios = {
	.c_iflag = 0x4500,	/* ICRNL IXON IUTF8 */
	.c_oflag = 0x5,		/* OPOST ONLCR */
	.c_cflag = 0xbf,	/* B38400 CS8 CREAD */
	.c_lflag = 0x8a3b,	/* ISIG ICANON ECHO ECHOE ECHOK IEXTEN ECHOCTL
				   ECHOKE */
	.c_cc = { 3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0,
		  0x12, 0x0f, 0x17, 0x16, 0 },
};

static const struct con *con(struct file *f)
{
	return f->priv;
}

/* The inodes console files are open on, referenced for good. */
static struct spinlock inodes_lock = SPINLOCK_INIT;
static struct inode *inodes[8];

static void remember(struct inode *ino)
{
	spin_lock(&inodes_lock);
	for (size_t i = 0; i < ARRAY_SIZE(inodes); i++) {
		if (inodes[i] == ino)
			break;
		if (!inodes[i]) {
			inodes[i] = inode_get(ino);
			break;
		}
	}
	spin_unlock(&inodes_lock);
}

void console_input_ready(void)
{
	struct inode *list[ARRAY_SIZE(inodes)];

	tty_input_ready();
	spin_lock(&inodes_lock);
	memcpy(list, inodes, sizeof(list));
	spin_unlock(&inodes_lock);
	for (size_t i = 0; i < ARRAY_SIZE(list) && list[i]; i++)
		vfs_poll_notify(list[i], POLL_IN_BITS);
}

static long con_read(struct file *f, struct iobuf *io, u64 *pos)
{
	void *p;
	int r = iobuf_check(io, 0, io->len, true, &p);

	if (r < 0)
		return r;
	if (con(f)->tty && (r = job_check(SIGTTIN_NR)))
		return r;
	if (con(f)->tty && tty_active())
		return tty_read(p, io->len, f->flags & O_NONBLOCK);
	if ((f->flags & O_NONBLOCK) && !console_readable())
		return -EAGAIN;
	return console_read(p, io->len);
}

static long con_write(struct file *f, struct iobuf *io, u64 *pos)
{
	void *p;
	int r = iobuf_check(io, 0, io->len, false, &p);

	if (r < 0)
		return r;
	if (con(f)->tty && (tty_termios.c_lflag & TOSTOP) &&
	    (r = job_check(SIGTTOU_NR)))
		return r;
	if (con(f)->tty && tty_active())
		return tty_output(con(f)->channel, p, io->len, true);
	return console_write_out(con(f)->channel, p, io->len);
}

static long tty_ioctl(unsigned long req, unsigned long arg)
{
	struct { u16 rows, cols, xpixel, ypixel; } ws = {
		boot_opts.win_rows, boot_opts.win_cols, 0, 0
	};
	switch (req) {
	case TCGETS:
		return copy_to_user((void *)arg, &tty_termios, sizeof(tty_termios));
	case TCSETS:
	case TCSETSW:
	case TCSETSF: {
		struct ktermios t;
		int r = copy_from_user(&t, (void *)arg, sizeof(t));

		if (r)
			return r;
		tty_set_termios(&t, req == TCSETSF);
		return 0;
	}
	case TIOCGWINSZ:
		return copy_to_user((void *)arg, &ws, sizeof(ws));
	case TIOCSWINSZ:
		return 0;
	case TIOCGPGRP:
	case TIOCSPGRP:
	case TIOCSCTTY:
	case TIOCNOTTY:
	case TIOCGSID:
		return job_ioctl(req, arg);
	default:
		return -ENOTTY;
	}
}

static long con_ioctl(struct file *f, unsigned long req, unsigned long arg)
{
	long r;

	if (!con(f)->tty)
		return -ENOTTY;
	if ((req == TCSETS || req == TCSETSW || req == TCSETSF ||
	     req == TIOCSPGRP) && (r = job_check(SIGTTOU_NR)))
		return r; /* as Linux's tty_check_change */
	return tty_ioctl(req, arg);
}

static u32 con_poll(struct file *f)
{
	u32 ev = 0;

	bool in = con(f)->tty && tty_active() ? tty_readable() :
		  console_readable();

	if (f->fmode & FMODE_READ)
		ev |= in ? POLLIN | POLLRDNORM : 0;
	if (f->fmode & FMODE_WRITE)
		ev |= POLLOUT | POLLWRNORM;
	return ev;
}

/* A std stream opened again (/dev/stdin, /proc/self/fd/N). */
static int con_std_open(struct inode *ino, struct file *f)
{
	f->priv = ino->priv;
	remember(ino);
	return 0;
}

static const struct file_ops con_std_ops = {
	.open = con_std_open,
	.read = con_read,
	.write = con_write,
	.ioctl = con_ioctl,
	.poll = con_poll,
};

/* /dev/tty: the controlling terminal; without one, -ENXIO as on Linux. */
static int tty_dev_open(struct inode *ino, struct file *f)
{
	if (!(boot_opts.tty_mask & 7))
		return -ENXIO;
	f->priv = (void *)&tty_out;
	remember(ino);
	return 0;
}

/* /dev/console and /dev/pts/0 (the terminal of fds 0-2, if they are one). */
static int console_dev_open(struct inode *ino, struct file *f)
{
	f->priv = (void *)&tty_out;
	remember(ino);
	return 0;
}

const struct file_ops tty_dev_ops = {
	.open = tty_dev_open,
	.read = con_read,
	.write = con_write,
	.ioctl = con_ioctl,
	.poll = con_poll,
};

const struct file_ops console_dev_ops = {
	.open = console_dev_open,
	.read = con_read,
	.write = con_write,
	.ioctl = con_ioctl,
	.poll = con_poll,
};

/* The inode of a std stream that is no terminal: a pipe-like one each. */
static struct inode *std_inode(const struct con *c)
{
	struct inode *ino = inode_new(vfs_anon_super(), S_IFIFO | 0600);

	if (!ino)
		return NULL;
	ino->fops = &con_std_ops;
	ino->priv = (void *)c;
	return ino;
}

/* A terminal std stream is /dev/pts/0 opened, as on Linux (ttyname). */
static int open_tty(int i, struct file **out)
{
	struct dentry *d;
	int r = vfs_lookup(vfs_root(), "/dev/pts/0", 0, &d);

	if (r < 0)
		return r;
	d->inode->blksize = 1024;
	r = file_open_inode(d->inode, d, O_RDWR | O_LARGEFILE, out);
	dentry_put(d);
	return r;
}

int console_open_std(struct file *std[3])
{
	static const struct con *const cons[2][3] = {
		{ &con_out, &con_out, &con_err },
		{ &tty_out, &tty_out, &tty_err },
	};

	for (int i = 0; i < 3; i++) {
		bool tty = boot_opts.tty_mask & (1u << i);
		struct inode *ino = tty ? NULL : std_inode(cons[0][i]);
		int r = -ENOMEM;

		if (tty)
			r = open_tty(i, &std[i]);
		else if (ino)
			r = file_open_inode(ino, NULL, i ? O_WRONLY : O_RDONLY,
					    &std[i]);
		inode_put(ino);
		if (r < 0)
			return r;
		std[i]->priv = (void *)cons[tty][i];
	}
	return 0;
}
