/*
 * random: getrandom through the raw system call and /dev/urandom: bytes
 * arrive (not all zero, two draws differ), sizes, flags, and the errors.
 * The bytes themselves are never printed.
 */
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)
#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#endif
#define GRND_INSECURE 4

static int all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

int main(void)
{
	static unsigned char a[32], b[32], big[1 << 20];
	unsigned hist[256] = { 0 };
	long n;
	int fd, i, seen = 0;

	SHOW(SYS(SYS_getrandom, a, sizeof(a), 0));
	SHOW(SYS(SYS_getrandom, b, sizeof(b), 0));
	yes("getrandom 32 bytes, not all zero", !all_zero(a, sizeof(a)));
	yes("two draws differ", memcmp(a, b, sizeof(a)) != 0);
	SHOW(SYS(SYS_getrandom, a, sizeof(a), GRND_NONBLOCK));
	SHOW(SYS(SYS_getrandom, a, sizeof(a), GRND_RANDOM));
	SHOW(SYS(SYS_getrandom, a, sizeof(a), GRND_INSECURE));
	SHOW(SYS(SYS_getrandom, a, 0, 0));
	n = SHOW(SYS(SYS_getrandom, big, sizeof(big), 0));
	for (i = 0; i < n; i++)
		hist[big[i]]++;
	for (i = 0; i < 256; i++)
		seen += hist[i] > 0;
	say("1 MB draw: %d of 256 byte values seen", seen);
	SHOW(SYS(SYS_getrandom, a, sizeof(a), 0x40));
	SHOW(SYS(SYS_getrandom, a, sizeof(a), GRND_RANDOM | GRND_INSECURE));
	SHOW(SYS(SYS_getrandom, NULL, 16, 0));
	SHOW(SYS(SYS_getrandom, (void *)16, 16, 0));

	fd = SHOW(open("/dev/urandom", O_RDONLY));
	memset(a, 0, sizeof(a));
	SHOW(read(fd, a, sizeof(a)));
	yes("/dev/urandom 32 bytes, not all zero", !all_zero(a, sizeof(a)));
	SHOW(close(fd));
	fd = SHOW(open("/dev/random", O_RDONLY));
	SHOW(read(fd, b, sizeof(b)));
	yes("/dev/random 32 bytes differ from urandom's", memcmp(a, b, sizeof(a)) != 0);
	SHOW(close(fd));
	return 0;
}
