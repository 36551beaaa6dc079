/*
 * netinit: /init of the Linux guest in the network benchmark of `make bench`
 * (bench/net.sh). Static Linux program, not part of Skiff. Built by
 * bench/net.sh as build/bench/netinit; its initramfs is made by
 * bench/linux/mknetinitramfs.sh.
 *
 * Kernel command line: "... -- NAME": /init runs the server whose argument
 * vector is in /bench/NAME.argv (strings each ending in NUL). Before that it
 * does what a distribution's initramfs and network setup would do for QEMU
 * user networking, and nothing more:
 *   - mounts /proc, /sys and /dev (devtmpfs);
 *   - loads the modules named in /modules/order, in that order
 *     (finit_module), giving virtio_mmio the `virtio_mmio.device=` words of
 *     the kernel command line as module parameters, as modprobe does;
 *   - brings lo up (Linux gives it 127.0.0.1), waits up to 5 s for eth0,
 *     gives it 10.0.2.15/24, brings it up and adds a default route through
 *     10.0.2.2 (SIOCSIFADDR, SIOCSIFNETMASK, SIOCSIFFLAGS, SIOCADDRT);
 *   - prints the virtio feature bits the driver negotiated (sysfs
 *     /sys/class/net/eth0/device/features: bit N is character N) and TCP's
 *     buffer limits (tcp_rmem, tcp_wmem), for the report's account of
 *     checksum offload, TSO, mergeable buffers and windows;
 *   - forks and execs the server with PATH and HOME set, waits for it, and
 *     powers off through isa-debug-exit (port 0xf4) with its status: QEMU
 *     then exits with (status << 1) | 1. PID 1 must not exit (Linux panics).
 * Messages go to the console, prefixed "netinit:".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define DEBUG_EXIT_PORT 0xf4
#define MAX_ARGS 64
#define GUEST_ADDR "10.0.2.15"
#define GUEST_MASK "255.255.255.0"
#define GATEWAY "10.0.2.2"
#define ETH_WAIT_MS 5000

/* isa-debug-exit turns the value v into QEMU's exit status (v << 1) | 1. */
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
	dprintf(2, "netinit: %s failed: %s\n", what, strerror(errno));
	power_off(127);
}

/* Reads up to size - 1 bytes of path into buf, NUL-terminated; returns the
 * length read, or -1. */
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

/* The "virtio_mmio.device=" words of the kernel command line, as the
 * parameter string "device=A device=B" (empty if there are none). */
static void mmio_params(char *out, size_t size)
{
	static char cmdline[4096];
	const char *key = "virtio_mmio.";
	char *w, *save = NULL;
	size_t len = 0;

	out[0] = 0;
	if (read_file("/proc/cmdline", cmdline, sizeof(cmdline)) < 0)
		return;
	for (w = strtok_r(cmdline, " \n", &save); w;
	     w = strtok_r(NULL, " \n", &save)) {
		if (strncmp(w, key, strlen(key)) != 0)
			continue;
		w += strlen(key);
		if (len + strlen(w) + 2 > size)
			break;
		len += (size_t)snprintf(out + len, size - len, "%s%s",
					len ? " " : "", w);
	}
}

/* Loads each module named in /modules/order; one already built in or
 * loaded (EEXIST) is fine. */
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

static void set_addr(struct sockaddr *sa, const char *addr)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)sa;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
}

static void if_up(int s, const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		fail("SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		fail("SIOCSIFFLAGS");
}

/* Polls for eth0 (the driver may register it after module init returns). */
static void wait_eth0(int s)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct ifreq ifr;
	int ms;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "eth0");
	for (ms = 0; ioctl(s, SIOCGIFINDEX, &ifr) < 0; ms += 10) {
		if (ms >= ETH_WAIT_MS)
			fail("waiting for eth0");
		nanosleep(&tick, NULL);
	}
}

static void net_up(void)
{
	struct rtentry rt;
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		fail("socket");
	if_up(s, "lo");
	wait_eth0(s);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "eth0");
	set_addr(&ifr.ifr_addr, GUEST_ADDR);
	if (ioctl(s, SIOCSIFADDR, &ifr) < 0)
		fail("SIOCSIFADDR");
	set_addr(&ifr.ifr_netmask, GUEST_MASK);
	if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
		fail("SIOCSIFNETMASK");
	if_up(s, "eth0");
	memset(&rt, 0, sizeof(rt));
	set_addr(&rt.rt_dst, "0.0.0.0");
	set_addr(&rt.rt_genmask, "0.0.0.0");
	set_addr(&rt.rt_gateway, GATEWAY);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	if (ioctl(s, SIOCADDRT, &rt) < 0)
		fail("SIOCADDRT");
	close(s);
	dprintf(1, "netinit: eth0 %s/24 up, gateway %s\n", GUEST_ADDR, GATEWAY);
}

static void print_features(void)
{
	static const char *const files[][2] = {
		{ "/sys/class/net/eth0/device/features", "eth0 virtio features" },
		{ "/proc/sys/net/ipv4/tcp_rmem", "tcp_rmem" },
		{ "/proc/sys/net/ipv4/tcp_wmem", "tcp_wmem" },
	};
	static char text[256];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (read_file(files[i][0], text, sizeof(text)) > 0)
			dprintf(1, "netinit: %s %s", files[i][1], text);
}

/* The server's argument vector from /bench/NAME.argv. */
static char **server_argv(const char *name)
{
	static char buf[4096], path[256];
	static char *argv[MAX_ARGS + 1];
	ssize_t len;
	char *p;
	int i = 0;

	snprintf(path, sizeof(path), "/bench/%s.argv", name);
	len = read_file(path, buf, sizeof(buf));
	if (len <= 0)
		fail(path);
	for (p = buf; p < buf + len && i < MAX_ARGS; p += strlen(p) + 1)
		argv[i++] = p;
	argv[i] = NULL;
	return argv;
}

int main(int argc, char **argv)
{
	static char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				"HOME=/", NULL };
	char **sargv;
	pid_t pid;
	int st;

	if (argc < 2) {
		dprintf(2, "netinit: no server named after -- on the kernel "
			   "command line\n");
		power_off(127);
	}
	sargv = server_argv(argv[1]);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	load_modules();
	net_up();
	print_features();
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		chdir("/");
		execve(sargv[0], sargv, envp);
		dprintf(2, "netinit: cannot run %s: %s\n", sargv[0],
			strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			fail("waitpid");
	power_off(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}
