/*
 * tests/apps/check.h: helpers shared by the differential test programs.
 * Layer: tests (built for Linux with glibc and musl, never for the kernel).
 *
 * Each program prints one line per check; the harness (tests/apps/run.sh)
 * runs it natively and inside Skiff and compares the two outputs, so every
 * line must be the same on every run of the same binary: no addresses, pids,
 * times or random bytes, only properties of them.
 *
 * Interface:
 *   SHOW(expr)          evaluate a libc-style call (-1 and errno on error),
 *                       print "expr = value" or "expr = -1 ENAME"; returns
 *                       the value
 *   SHOW_PTR(expr, bad) the same for a pointer result: "expr = ok" unless it
 *                       equals bad ("expr = bad ENAME")
 *   yes(label, cond)    print "label: yes" or "label: no"
 *   say(fmt, ...)       printf and a newline
 *   errname(e)          "EINVAL" for EINVAL (strerrorname_np is glibc-only)
 *   scratch_enter(name) make an empty /tmp/skiff-test-NAME and chdir to it
 *   scratch_leave()     chdir to / and remove it, so reruns start the same
 *   rm_rf(path)         remove a file or a directory tree, quietly
 *   die_flush()         flush stdout before a program kills itself
 *   rcname(r)           "0" or the errno name of a pthread-style result
 *                       (an error number returned, not set in errno)
 *   mono_ns()           CLOCK_MONOTONIC in nanoseconds (for relations only)
 *   sleep_ms(ms)        sleep at least ms milliseconds, across signals
 *   WAIT_FOR(cond)      poll cond every millisecond for up to 10 seconds;
 *                       true if it became true (a bound, never a timing
 *                       check: used so a stuck kernel ends the program)
 */
#ifndef TESTS_APPS_CHECK_H
#define TESTS_APPS_CHECK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define E(x) [x] = #x
static const char *const errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
	E(EFAULT), E(ENOTBLK), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV),
	E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK),
	E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK),
	E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(EIDRM), E(ENOSTR),
	E(ENODATA), E(ETIME), E(ENOSR), E(EOVERFLOW), E(EBADFD), E(EILSEQ),
	E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE),
	E(ENOPROTOOPT), E(EPROTONOSUPPORT), E(EOPNOTSUPP), E(EAFNOSUPPORT),
	E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH),
	E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN),
	E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTUNREACH), E(EALREADY),
	E(EINPROGRESS), E(ESTALE), E(EDQUOT), E(ECANCELED), E(EOWNERDEAD),
	E(ENOTRECOVERABLE),
};
#undef E

static inline const char *errname(int e)
{
	static char buf[24];

	if (e > 0 && e < (int)(sizeof(errno_names) / sizeof(errno_names[0])) &&
	    errno_names[e])
		return errno_names[e];
	snprintf(buf, sizeof(buf), "E#%d", e);
	return buf;
}

static inline void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline void yes(const char *label, int cond)
{
	printf("%s: %s\n", label, cond ? "yes" : "no");
}

/* err is errno sampled right after the call, before anything can change it. */
static inline long show_(const char *what, long r, int err)
{
	if (r == -1)
		printf("%s = -1 %s\n", what, errname(err));
	else
		printf("%s = %ld\n", what, r);
	return r;
}

static inline void *show_ptr_(const char *what, void *p, void *bad,
			      const char *badname, int err)
{
	if (p == bad)
		printf("%s = %s %s\n", what, badname, errname(err));
	else
		printf("%s = ok\n", what);
	return p;
}

#define SHOW(expr) ({ errno = 0; long r_ = (long)(expr); show_(#expr, r_, errno); })
#define SHOW_PTR(expr, bad) ({ errno = 0; void *p_ = (void *)(expr); \
	show_ptr_(#expr, p_, (void *)(bad), #bad, errno); })

/* Removes NAME (relative to directory fd DFD) and everything below it. */
static inline void rm_rf_at(int dfd, const char *name)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int fd, again = 1;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlinkat(dfd, name, 0);
		return;
	}
	fchmodat(dfd, name, 0700, 0);
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY);
	d = fd < 0 ? NULL : fdopendir(fd);
	/* removing entries while reading may skip some: read until none left */
	while (d && again) {
		again = 0;
		rewinddir(d);
		while ((de = readdir(d))) {
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
				rm_rf_at(fd, de->d_name);
				again = 1;
			}
		}
	}
	if (d)
		closedir(d);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

static inline void rm_rf(const char *path)
{
	rm_rf_at(AT_FDCWD, path);
}

static char scratch_path[256];

static inline void scratch_enter(const char *name)
{
	snprintf(scratch_path, sizeof(scratch_path), "/tmp/skiff-test-%s", name);
	rm_rf(scratch_path);
	if (mkdir(scratch_path, 0755) != 0 || chdir(scratch_path) != 0) {
		printf("scratch dir %s: %s\n", scratch_path, errname(errno));
		exit(1);
	}
}

static inline void scratch_leave(void)
{
	if (chdir("/") != 0)
		printf("chdir / failed: %s\n", errname(errno));
	rm_rf(scratch_path);
}

static inline void die_flush(void)
{
	fflush(stdout);
	fflush(stderr);
}

static inline const char *rcname(int r)
{
	return r == 0 ? "0" : errname(r);
}

static inline long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

#define WAIT_FOR(cond) ({ int ok_ = 0; \
	for (int i_ = 0; i_ < 10000 && !(ok_ = !!(cond)); i_++) { \
		sleep_ms(1); \
	} \
	ok_; })

#endif
