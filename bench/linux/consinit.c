/*
 * consinit: /init of the Linux guest in the console part of `make bench`
 * (bench/console.sh). Static Linux program, not part of Skiff.
 *
 * Kernel command line: "... -- N": mounts devtmpfs on /dev, puts the
 * serial console /dev/ttyS0 in raw mode (cfmakeraw: no echo, no line
 * editing, no CR/NL translation), writes one 'R' (ready: the host sends
 * nothing before it, or the line discipline of the boot would see it),
 * copies N bytes from it back to it, as `cat` would, waits for the
 * output to leave (tcdrain) and powers off
 * through isa-debug-exit (port 0xf4) with status 0, or 1 on an error:
 * QEMU then exits with (status << 1) | 1. PID 1 must not exit (Linux
 * panics). It prints nothing else: the bytes on the line are the data.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <termios.h>
#include <unistd.h>

#define DEBUG_EXIT_PORT 0xf4

static void __attribute__((noreturn)) power_off(int status)
{
	if (ioperm(DEBUG_EXIT_PORT, 4, 1) == 0)
		outl((unsigned)status, DEBUG_EXIT_PORT);
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	static char buf[65536];
	long long left = argc > 1 ? atoll(argv[argc - 1]) : 0;
	struct termios t;
	int fd;

	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	fd = open("/dev/ttyS0", O_RDWR | O_NOCTTY);
	if (fd < 0 || tcgetattr(fd, &t))
		power_off(1);
	cfmakeraw(&t);
	cfsetspeed(&t, B115200);
	if (tcsetattr(fd, TCSANOW, &t) || tcflush(fd, TCIFLUSH) ||
	    write(fd, "R", 1) != 1)
		power_off(1);
	while (left > 0) {
		ssize_t n = read(fd, buf, left < (long long)sizeof(buf) ?
					  (size_t)left : sizeof(buf));
		if (n <= 0)
			power_off(1);
		left -= n;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w <= 0)
				power_off(1);
			off += w;
		}
	}
	tcdrain(fd);
	power_off(0);
}
