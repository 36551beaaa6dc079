/* Private to fs/devfs/ and fs/init.c: the device nodes of /dev. */
#ifndef FS_DEVFS_DEVFS_H
#define FS_DEVFS_DEVFS_H

#include <skiff/vfs.h>

struct devfs_node {
	const char *name;
	u32 mode;	/* permissions */
	u64 rdev;	/* a char device */
};
/* Ends with a NULL name. */
extern const struct devfs_node devfs_nodes[];

/* console.c: /dev/tty (5:0) and /dev/console (5:1). */
extern const struct file_ops tty_dev_ops;
extern const struct file_ops console_dev_ops;

/* console.c: struct termios of the kernel ABI (TCGETS), of the one tty. */
struct ktermios {
	u32 c_iflag, c_oflag, c_cflag, c_lflag;
	u8 c_line;
	u8 c_cc[19];
};
extern struct ktermios tty_termios;

/* tty.c: the line discipline (see there), when tty_active(). */
bool tty_active(void);
/* From the console's receive interrupt: takes its input. Never sleeps. */
void tty_input_ready(void);
bool tty_readable(void);
/* TCSETS*: new settings; flush drops the input not read (TCSETSF). */
void tty_set_termios(const struct ktermios *t, bool flush);
/* A read of the terminal: bytes, 0 at end of file, -EAGAIN, -EINTR. */
long tty_read(u8 *buf, size_t len, bool nonblock);
/* A write to the terminal on channel ch (PROTO_CH_STDOUT/ERR), with
 * output processing; sleeps only if may_sleep. Bytes of p written. */
long tty_output(int ch, const u8 *p, size_t len, bool may_sleep);

#endif
