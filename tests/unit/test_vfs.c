/* SOURCES: fs/init.c fs/initrd.c fs/pipe.c fs/vfs/dentry.c fs/vfs/fd.c fs/vfs/inode.c fs/vfs/namei.c fs/vfs/open.c fs/vfs/ops.c fs/vfs/rename.c fs/vfs/rw.c fs/vfs/poll.c fs/ramfs/ramfs.c fs/ramfs/file.c fs/ramfs/pagestore.c fs/devfs/mem.c fs/devfs/console.c fs/devfs/tty.c fs/procfs/procfs.c fs/procfs/pid.c fs/procfs/pidstat.c fs/procfs/info.c fs/procfs/sysfs.c fs/procfs/net.c fs/eventpoll.c lib/rbtree.c fs/eventfd.c fs/timerfd.c linux/file.c linux/fd.c linux/stat.c linux/dir.c linux/poll.c linux/sendfile.c lib/cpio.c lib/printf.c lib/strconv.c tests/unit/shim_fs.c */
/*
 * The VFS, ramfs and boot pieces that the differential test
 * (test_fs_linux.c) cannot reach: the initrd unpacked zero-copy and copied
 * on write, corrupt initrds, the sparse page store and its memory, the
 * symlink limit, the console fds and their channels, /dev and /proc, fd
 * numbering and the RLIMIT_NOFILE limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/proto.h>
#include <skiff/vfs.h>
#include "../../fs/boot.h"
#include "../../fs/ramfs/pagestore.h"
#include "../../linux/fsabi.h"
#include "../../linux/sys.h"
#include "shim.h"
#include "shim_fs.h"

static char initrd[4096];
static size_t initrd_len;

static void cpio_add(const char *name, unsigned mode, const char *data)
{
	size_t size = strlen(data);

	initrd_len += snprintf(initrd + initrd_len, sizeof(initrd) - initrd_len,
			       "070701%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x"
			       "%08x%08zx%08x%s", 1u, mode, 0u, 0u, 1u, 1000u,
			       size, 0u, 0u, 0u, 0u, strlen(name) + 1, 0u, name);
	initrd_len = (initrd_len + 1 + 3) & ~3ul; /* the NUL, then padding */
	memcpy(initrd + initrd_len, data, size);
	initrd_len = (initrd_len + size + 3) & ~3ul;
}

static int setup(void **state)
{
	boot_opts.tty_mask = 2; /* stdout is a terminal, stdin and stderr not */
	cpio_add(".", 040755, "");
	cpio_add("./etc", 040700, "");
	cpio_add("etc/motd", 0100644, "hello from the initrd\n");
	cpio_add("/bin/deep/tool", 0100755, "#!x"); /* parents made on the fly */
	cpio_add("etc/link", 0120777, "motd");
	cpio_add("TRAILER!!!", 0, "");
	return fs_init(initrd, initrd_len);
}

static long read_path(const char *path, char *buf, size_t len)
{
	long fd = sys_open(path, O_RDONLY, 0), n;

	if (fd < 0)
		return fd;
	n = sys_read(fd, buf, len);
	sys_close(fd);
	return n;
}

static void test_initrd(void **state)
{
	struct linux_stat st;
	char buf[64] = { 0 };
	long fd;

	assert_int_equal(read_path("/etc/link", buf, sizeof(buf)), 22);
	assert_string_equal(buf, "hello from the initrd\n");
	assert_int_equal(sys_stat("/etc", &st), 0);
	assert_int_equal(st.st_mode, 040700);
	assert_int_equal(sys_stat("/bin/deep/tool", &st), 0);
	assert_int_equal(st.st_mode, 0100755);
	assert_int_equal(st.st_mtim.tv_sec, 1000);
	assert_int_equal(sys_stat("/bin/deep", &st), 0);
	assert_int_equal(st.st_mode, 040755);
	/* A write changes the file, not the initrd. */
	fd = sys_open("/etc/motd", O_WRONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(sys_write(fd, "HELLO", 5), 5);
	sys_close(fd);
	assert_int_equal(read_path("/etc/motd", buf, sizeof(buf)), 22);
	assert_string_equal(buf, "HELLO from the initrd\n");
	assert_non_null(memmem(initrd, initrd_len, "hello from", 10));
	/* /tmp and /dev exist with Linux's modes. */
	assert_int_equal(sys_stat("/tmp", &st), 0);
	assert_int_equal(st.st_mode, 041777);
	assert_int_equal(sys_stat("/dev/null", &st), 0);
	assert_int_equal(st.st_mode, 020666);
	assert_int_equal(st.st_rdev, 0x103);
}

/*
 * A corrupt initrd is an error, never a crash (ASan watches): the archive
 * cut anywhere, and cut then followed by garbage. A cut inside file data
 * with garbage of the right length is undetectable (it is data), so only
 * "0 or -EINVAL" holds in general; a cut header is always -EINVAL.
 */
static void test_initrd_corrupt(void **state)
{
	static char bad[sizeof(initrd) + 8];
	char buf[64] = { 0 };
	int r, einval = 0;

	for (size_t cut = 0; cut < initrd_len; cut++) {
		memcpy(bad, initrd, cut);
		memcpy(bad + cut, "zzzzzzzz", 8);
		r = initrd_unpack(bad, cut + 8);
		assert_true(r == 0 || r == -EINVAL);
		einval += r == -EINVAL;
		r = initrd_unpack(bad, cut);
		assert_true(r == 0 || r == -EINVAL);
	}
	assert_true(einval > (int)initrd_len / 2);
	assert_int_equal(initrd_unpack(initrd, 50), -EINVAL);
	assert_int_equal(initrd_unpack(initrd, initrd_len), 0);
	assert_int_equal(read_path("/etc/motd", buf, sizeof(buf)), 22);
	assert_string_equal(buf, "hello from the initrd\n");
}

static void test_devices(void **state)
{
	char buf[8] = "abc";
	long fd;

	assert_int_equal(read_path("/dev/null", buf, sizeof(buf)), 0);
	assert_int_equal(read_path("/dev/zero", buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "\0\0\0\0\0\0\0\0", 8);
	fd = sys_open("/dev/full", O_WRONLY, 0);
	assert_int_equal(sys_write(fd, "x", 1), -ENOSPC);
	assert_int_equal(sys_lseek(fd, 100, SEEK_SET), 0);
	sys_close(fd);
	fd = sys_open("/dev/null", O_WRONLY, 0);
	assert_int_equal(sys_write(fd, "x", 1), 1);
	sys_close(fd);
	assert_int_equal(read_path("/dev/urandom", buf, sizeof(buf)), 8);
	boot_opts.tty_mask = 0;
	assert_int_equal(sys_open("/dev/tty", O_RDWR, 0), -ENXIO);
	boot_opts.tty_mask = 2;
}

/* fd 1 writes to stdout, fd 2 to stderr, and dup2(1, 2) moves fd 2. */
static void test_console(void **state)
{
	struct linux_stat st;
	char termios[64];
	long flags;

	memset(shim_console_len, 0, sizeof(shim_console_len));
	assert_int_equal(sys_write(1, "out", 3), 3);
	assert_int_equal(sys_write(2, "err", 3), 3);
	assert_int_equal(sys_write(1, NULL, 3), -EFAULT);
	assert_int_equal(shim_console_len[PROTO_CH_STDOUT], 3);
	assert_int_equal(shim_console_len[PROTO_CH_STDERR], 3);
	/* stdout is a tty here, stderr a pipe: isatty() agrees. */
	assert_int_equal(sys_ioctl(1, 0x5401, (unsigned long)termios), 0);
	assert_int_equal(sys_ioctl(2, 0x5401, (unsigned long)termios), -ENOTTY);
	assert_int_equal(sys_fstat(2, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(sys_fstat(1, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(sys_lseek(1, 0, SEEK_CUR), -ESPIPE);
	flags = sys_fcntl(0, 3 /* F_GETFL */, 0);
	assert_int_equal(flags, O_RDONLY);
	assert_int_equal(sys_write(0, "x", 1), -EBADF);
	assert_int_equal(sys_dup(2), 3);
	assert_int_equal(sys_dup2(1, 2), 2);
	assert_int_equal(sys_write(2, "moved", 5), 5);
	assert_int_equal(shim_console_len[PROTO_CH_STDOUT], 8);
	assert_int_equal(sys_dup2(3, 2), 2);
	assert_int_equal(sys_close(3), 0);
	assert_int_equal(sys_write(2, "e", 1), 1);
	assert_int_equal(shim_console_len[PROTO_CH_STDERR], 4);
}

static void test_proc(void **state)
{
	char buf[64] = { 0 };

	assert_int_equal(sys_readlink("/proc/self/exe", buf, sizeof(buf)), -ENOENT);
	proc_set_exe("/bin/deep/tool");
	assert_int_equal(sys_readlink("/proc/self/exe", buf, sizeof(buf)), 14);
	assert_string_equal(buf, "/bin/deep/tool");
	proc_set_cmdline("a\0bc\0", 5);
	assert_int_equal(read_path("/proc/self/cmdline", buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "a\0bc\0", 5);
	assert_int_equal(sys_mkdir("/proc/x", 0755), -EPERM);
	assert_int_equal(sys_rmdir("/proc"), -EBUSY);
	/* /proc/self is a link to the pid, as on Linux. */
	assert_int_equal(sys_chdir("/proc/self"), 0);
	assert_int_equal(sys_getcwd(buf, sizeof(buf)), 8);
	assert_string_equal(buf, "/proc/1");
	assert_int_equal(sys_chdir("../.."), 0);
	assert_int_equal(sys_getcwd(buf, sizeof(buf)), 2);
}

/* Linux follows 40 symlinks in one walk and gives ELOOP on the 41st. */
static void test_symlink_limit(void **state)
{
	char name[32], target[32];

	assert_int_equal(sys_mkdir("/loops", 0755), 0);
	assert_int_equal(sys_open("/loops/l0", O_CREAT | O_RDONLY, 0644), 3);
	sys_close(3);
	for (int i = 1; i <= 41; i++) {
		snprintf(name, sizeof(name), "/loops/l%d", i);
		snprintf(target, sizeof(target), "l%d", i - 1);
		assert_int_equal(sys_symlink(target, name), 0);
	}
	assert_int_equal(sys_access("/loops/l40", F_OK), 0);
	assert_int_equal(sys_access("/loops/l41", F_OK), -ELOOP);
}

/* Holes read as zeros and take no pages; truncation frees pages. */
static void test_sparse(void **state)
{
	size_t before = shim_pages_used();
	struct linux_stat st;
	char buf[16];
	long fd = sys_open("/tmp/sparse", O_CREAT | O_RDWR, 0644);

	assert_true(fd >= 0);
	assert_int_equal(sys_pwrite64(fd, "end", 3, (1ll << 40) - 3), 3);
	assert_int_equal(sys_fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 1ll << 40);
	assert_int_equal(st.st_blocks, 8);
	assert_int_equal(sys_pread64(fd, buf, 4, 1ll << 39), 4);
	assert_memory_equal(buf, "\0\0\0\0", 4);
	assert_true(shim_pages_used() - before <= 6);
	assert_int_equal(sys_ftruncate(fd, 0), 0);
	assert_int_equal(shim_pages_used(), before);
	assert_int_equal(sys_pwrite64(fd, "x", 1, 0x7fffffffffffffffll), -EFBIG);
	sys_close(fd);
	assert_int_equal(sys_unlink("/tmp/sparse"), 0);
}

static void test_pagestore(void **state)
{
	struct pagestore ps = { 0 };
	size_t before = shim_pages_used();
	u64 idx[] = { 0, 1, 511, 512, 262144, 1ull << 40, (1ull << 51) + 7 };

	for (size_t i = 0; i < ARRAY_SIZE(idx); i++) {
		char *p = ps_get(&ps, idx[i]);

		assert_non_null(p);
		p[0] = (char)i + 1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(idx); i++)
		assert_int_equal(((char *)ps_lookup(&ps, idx[i]))[0], i + 1);
	assert_null(ps_lookup(&ps, 2));
	assert_null(ps_lookup(&ps, ~0ull));
	assert_int_equal(ps.npages, ARRAY_SIZE(idx));
	ps_truncate(&ps, 512);
	assert_int_equal(ps.npages, 3);
	assert_non_null(ps_lookup(&ps, 511));
	assert_null(ps_lookup(&ps, 512));
	ps_truncate(&ps, 0);
	assert_int_equal(ps.npages, 0);
	assert_int_equal(shim_pages_used(), before);
}

/* Lowest free fd first, EMFILE at RLIMIT_NOFILE. */
static void test_fd_limit(void **state)
{
	long fds[8];

	struct fd_table *t = fd_table_current();

	assert_int_equal(fd_table_set_limit(t, 8, NR_OPEN_MAX), 0);
	for (int i = 0; i < 5; i++)
		fds[i] = sys_open("/", O_RDONLY, 0);
	assert_int_equal(fds[0], 3);
	assert_int_equal(fds[4], 7);
	assert_int_equal(sys_open("/", O_RDONLY, 0), -EMFILE);
	assert_int_equal(sys_dup2(0, 8), -EBADF);
	assert_int_equal(sys_fcntl(0, 0 /* F_DUPFD */, 8), -EINVAL);
	assert_int_equal(sys_close(5), 0);
	assert_int_equal(sys_dup(0), 5);
	for (int i = 3; i < 8; i++)
		assert_int_equal(sys_close(i), 0);
	assert_int_equal(fd_table_set_limit(t, 1024, NR_OPEN_MAX), 0);
}

/* exec closes exactly the close-on-exec fds, past the first bitmap word
 * too, whichever way the flag was set (O_CLOEXEC, F_SETFD, dup3). */
static void test_close_on_exec(void **state)
{
	long fds[100];

	for (int i = 0; i < 100; i++)
		fds[i] = sys_open("/", O_RDONLY | (i % 3 ? 0 : O_CLOEXEC), 0);
	assert_int_equal(fds[99], 102);
	assert_int_equal(sys_fcntl(fds[1], 2 /* F_SETFD */, FD_CLOEXEC), 0);
	assert_int_equal(sys_fcntl(fds[3], 2 /* F_SETFD */, 0), 0);
	assert_int_equal(sys_dup3(fds[2], 200, O_CLOEXEC), 200);
	fd_table_close_on_exec(fd_table_current());
	for (int i = 0; i < 100; i++) {
		bool gone = i == 1 || (i % 3 == 0 && i != 3);
		assert_int_equal(sys_fcntl(fds[i], 1 /* F_GETFD */, 0),
				 gone ? -EBADF : 0);
		if (!gone)
			assert_int_equal(sys_close(fds[i]), 0);
	}
	assert_int_equal(sys_close(200), -EBADF);
}

/* A write with no reader left: -EPIPE and SIGPIPE; no writer: EOF. */
static void test_pipe_ends(void **state)
{
	int fds[2];
	char buf[8];

	assert_int_equal(sys_pipe2(fds, O_NONBLOCK), 0);
	assert_int_equal(sys_read(fds[0], buf, 8), -EAGAIN);
	assert_int_equal(sys_write(fds[1], "ab", 2), 2);
	assert_int_equal(sys_close(fds[0]), 0);
	assert_int_equal(shim_signals_sent[13], 0);
	assert_int_equal(sys_write(fds[1], "c", 1), -EPIPE);
	assert_int_equal(shim_signals_sent[13], 1);
	assert_int_equal(sys_close(fds[1]), 0);
	assert_int_equal(sys_pipe(fds), 0);
	assert_int_equal(sys_write(fds[1], "xyz", 3), 3);
	assert_int_equal(sys_close(fds[1]), 0);
	assert_int_equal(sys_read(fds[0], buf, 8), 3);
	assert_int_equal(sys_read(fds[0], buf, 8), 0);
	assert_int_equal(sys_close(fds[0]), 0);
}

/* mmap's view: the file's own pages, zero-copy data copied on first use. */
static void test_get_page(void **state)
{
	struct file *f;
	char buf[8] = { 0 };
	void *page;

	assert_int_equal(vfs_open("/etc/link", O_RDWR, 0, &f), 0);
	assert_int_equal(f->ops->get_page(f, 0, &page), 0);
	assert_memory_equal(page, "hello from", 10);
	memcpy(page, "J", 1);
	assert_int_equal(file_pread(f, buf, 5, 0), 5);
	assert_memory_equal(buf, "Jello", 5);
	assert_int_equal(f->ops->get_page(f, 1, &page), -ENXIO);
	file_put(f);
	assert_non_null(memmem(initrd, initrd_len, "hello from", 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initrd),
		cmocka_unit_test(test_initrd_corrupt),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_proc),
		cmocka_unit_test(test_symlink_limit),
		cmocka_unit_test(test_sparse),
		cmocka_unit_test(test_pagestore),
		cmocka_unit_test(test_fd_limit),
		cmocka_unit_test(test_close_on_exec),
		cmocka_unit_test(test_pipe_ends),
		cmocka_unit_test(test_get_page),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
