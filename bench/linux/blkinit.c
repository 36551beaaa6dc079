/*
 * blkinit: /init of the Linux guest in the storage benchmark of `make
 * bench` (bench/storage.sh). Static Linux program, not part of Skiff.
 * Its initramfs: /init, /storagebench (bench/prog/storagebench.c) and
 * /modules/ (bench/linux/fetch.sh's modules-blk: virtio_blk and the
 * virtio transports, each after its dependencies in /modules/order).
 *
 * Kernel command line: "... -- ARGS...": what a distribution's initramfs
 * would do before the program, and nothing more:
 *   - mounts /proc, /sys and /dev (devtmpfs);
 *   - loads the modules of /modules/order in that order (finit_module),
 *     giving virtio_mmio the `virtio_mmio.device=` words of the kernel
 *     command line as module parameters, as modprobe does;
 *   - waits up to 5 s for /dev/vda and mounts it on /data as ext2 (the
 *     ext4 driver, CONFIG_EXT4_USE_FOR_EXT2; default options: relatime);
 *   - runs /storagebench ARGS, waits for it, unmounts /data (which writes
 *     back what the program left dirty) and powers off through
 *     isa-debug-exit (port 0xf4) with its status: QEMU then exits with
 *     (status << 1) | 1. PID 1 must not exit (Linux panics).
 * With "-- --9p ARGS..." (bench/ninep.sh, modules-9p: 9p, 9pnet_virtio,
 * virtio_mmio) it mounts the virtio-9p share of tag "share" on /share
 * instead (9P2000.L, msize 512 KiB, cache=none: the defaults but msize)
 * and runs /filebench ARGS (bench/prog/filebench.c).
 * Messages go to the console, prefixed "blkinit:".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define DEBUG_EXIT_PORT 0xf4
#define MAX_ARGS 16
#define DISK_WAIT_MS 5000

static void power_off(int status)
{
	tcdrain(1);
	if (ioperm(DEBUG_EXIT_PORT, 4, 1) == 0)
		outl((unsigned)status, DEBUG_EXIT_PORT);
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void fail(const char *what)
{
	dprintf(2, "blkinit: %s failed: %s\n", what, strerror(errno));
	power_off(127);
}

static ssize_t read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((size_t)len < size - 1 &&
	       (n = read(fd, buf + len, size - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	return len;
}

/* "device=A device=B" from the virtio_mmio.device= words of the command line. */
static void mmio_params(char *out, size_t size)
{
	static char cmdline[4096];
	char *w, *save = NULL;
	size_t len = 0;

	out[0] = 0;
	if (read_file("/proc/cmdline", cmdline, sizeof(cmdline)) < 0)
		return;
	for (w = strtok_r(cmdline, " \n", &save); w;
	     w = strtok_r(NULL, " \n", &save))
		if (!strncmp(w, "virtio_mmio.", 12) && len + strlen(w) + 2 < size)
			len += (size_t)snprintf(out + len, size - len, "%s%s",
						len ? " " : "", w + 12);
}

static void load_modules(void)
{
	static char order[4096], params[1024], path[256];
	char *name, *save = NULL;
	int fd;

	if (read_file("/modules/order", order, sizeof(order)) < 0)
		fail("reading /modules/order");
	mmio_params(params, sizeof(params));
	for (name = strtok_r(order, "\n", &save); name;
	     name = strtok_r(NULL, "\n", &save)) {
		snprintf(path, sizeof(path), "/modules/%s", name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fail(path);
		if (syscall(SYS_finit_module, fd,
			    strcmp(name, "virtio_mmio.ko") ? "" : params, 0) &&
		    errno != EEXIST)
			fail(path);
		close(fd);
	}
}

static void mount_disk(void)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct stat st;

	for (int ms = 0; stat("/dev/vda", &st) < 0; ms += 10) {
		if (ms >= DISK_WAIT_MS)
			fail("waiting for /dev/vda");
		nanosleep(&tick, NULL);
	}
	mkdir("/data", 0755);
	if (mount("/dev/vda", "/data", "ext2", 0, NULL) < 0)
		fail("mounting /dev/vda on /data (ext2)");
}

static void mount_share(void)
{
	mkdir("/share", 0755);
	if (mount("share", "/share", "9p", 0,
		  "trans=virtio,version=9p2000.L,msize=524288") < 0)
		fail("mounting the 9p share on /share");
}

int main(int argc, char **argv)
{
	static char *envp[] = { "PATH=/bin", "HOME=/", NULL };
	char *args[MAX_ARGS + 2] = { "/storagebench" };
	bool ninep = argc > 1 && !strcmp(argv[1], "--9p");
	const char *dir = ninep ? "/share" : "/data";
	pid_t pid;
	int st, n = 1;

	if (ninep)
		args[0] = "/filebench";
	for (int i = ninep ? 2 : 1; i < argc && n <= MAX_ARGS; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	load_modules();
	if (ninep)
		mount_share();
	else
		mount_disk();
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		execve(args[0], args, envp);
		dprintf(2, "blkinit: cannot run %s: %s\n", args[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			fail("waitpid");
	if (umount(dir) < 0)
		fail("unmounting the file system");
	power_off(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}
