/*
 * Facts about the host that shape the VM: whether KVM can be used, the TSC
 * rate the guest will see under TCG, where the kernel and QEMU are.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "skiff.h"

#define QEMU_BINARY "qemu-system-x86_64"
#define TSC_SPAN_NS 2000000 /* host_tsc_khz's shortest baseline */

/* True if the "flags" line of /proc/cpuinfo lists vmx or svm. */
static bool cpu_has_virt(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char *line = NULL, *tok, *save;
	size_t cap = 0;
	bool found = false;

	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) > 0) {
		if (strncmp(line, "flags", 5))
			continue;
		for (tok = strtok_r(line, " \t\n", &save); tok && !found;
		     tok = strtok_r(NULL, " \t\n", &save))
			found = !strcmp(tok, "vmx") || !strcmp(tok, "svm");
		break;
	}
	free(line);
	fclose(f);
	return found;
}

/*
 * auto: KVM only with hardware virtualization in the CPU flags and a
 * /dev/kvm we can open read-write. (Some hosts have a /dev/kvm backed by
 * something else that cannot run ordinary guests; they lack vmx/svm.)
 */
bool host_use_kvm(enum accel want)
{
	int fd;

	if (want != ACCEL_AUTO)
		return want == ACCEL_KVM;
	if (!cpu_has_virt())
		return false;
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int host_check_kvm(void)
{
	int fd;

	if (!cpu_has_virt()) {
		skiff_err("--accel kvm: this CPU has no hardware virtualization (no vmx or svm flag in /proc/cpuinfo); use --accel tcg or auto");
		return SKIFF_EXIT_FAILED;
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		skiff_err("--accel kvm: /dev/kvm: %s; use --accel tcg or auto",
			  strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	close(fd);
	return 0;
}

#if defined(__x86_64__)
static u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static s64 mono_raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (s64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A (TSC, clock) pair: the clock read between two TSC reads, keeping the
 * tightest of a few tries so a preemption does not skew it. */
static void tsc_sample(u64 *tsc, s64 *ns)
{
	u64 best = UINT64_MAX;

	for (int i = 0; i < 5; i++) {
		u64 t0 = rdtsc();
		s64 c = mono_raw_ns();
		u64 t1 = rdtsc();

		if (t1 - t0 < best) {
			best = t1 - t0;
			*tsc = t0 + (t1 - t0) / 2;
			*ns = c;
		}
	}
}

static struct {
	u64 tsc;
	s64 ns;
	bool taken;
} tsc_start;

void host_tsc_start(void)
{
	tsc_sample(&tsc_start.tsc, &tsc_start.ns);
	tsc_start.taken = true;
}

/*
 * The rate is the same until the host reboots, so it is kept, with the
 * boot's id, in $XDG_CACHE_HOME/skiff/tsc (~/.cache/skiff/tsc): one line,
 * "BOOT_ID KHZ". The path, or NULL (no home: no cache).
 */
static char *tsc_cache_path(char **dir_out)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (xdg && *xdg == '/')
		*dir_out = xasprintf("%s/skiff", xdg);
	else if (home && *home == '/')
		*dir_out = xasprintf("%s/.cache/skiff", home);
	else
		return NULL;
	return xasprintf("%s/tsc", *dir_out);
}

static bool boot_id(char id[40])
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, id, 39);

	if (fd >= 0)
		close(fd);
	if (n < 32)
		return false;
	id[n] = '\0';
	id[strcspn(id, "\n")] = '\0';
	return true;
}

static u64 tsc_cache_get(const char *path, const char *id)
{
	char line[96], *end;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, line, sizeof(line) - 1);
	size_t idlen = strlen(id);

	if (fd >= 0)
		close(fd);
	if (n <= (ssize_t)idlen)
		return 0;
	line[n] = '\0';
	if (strncmp(line, id, idlen) || line[idlen] != ' ')
		return 0;
	u64 khz = strtoull(line + idlen + 1, &end, 10);
	return *end == '\n' ? khz : 0;
}

/* Best effort: written aside, then renamed over, so readers never see half. */
static void tsc_cache_put(const char *dir, const char *path, const char *id,
			  u64 khz)
{
	char *tmp = xasprintf("%s.%d", path, (int)getpid());
	char *parent = xstrdup(dir);
	int fd;

	mkdir(dirname(parent), 0700);
	mkdir(dir, 0700);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dprintf(fd, "%s %llu\n", id, (unsigned long long)khz);
		if (close(fd) == 0 && rename(tmp, path) == 0)
			goto out;
	}
	unlink(tmp);
out:
	free(parent);
	free(tmp);
}

/* Whether the rate over the span since host_tsc_start agrees with khz to
 * 1% (a span too short to tell agrees). */
static bool tsc_agrees(u64 khz, u64 t1, s64 c1)
{
	s64 ns = c1 - tsc_start.ns;

	if (ns < 100000)
		return true;
	if (t1 <= tsc_start.tsc)
		return false;
	u64 seen = (t1 - tsc_start.tsc) * 1000000 / (u64)ns;
	return seen > khz - khz / 100 && seen < khz + khz / 100;
}

/*
 * The host's TSC rate in kHz, measured against CLOCK_MONOTONIC_RAW over
 * at least TSC_SPAN_NS since host_tsc_start (called now if it was not):
 * only what of that span the work since has not used is slept; or, with
 * no wait at all, the rate kept for this boot of the host, when the span
 * so far agrees with it. Under TCG the guest's RDTSC reads the host's TSC,
 * so the kernel gets this on its command line instead of calibrating
 * against a timer that TCG emulates unevenly. 0 if the measurement makes
 * no sense.
 */
u64 host_tsc_khz(void)
{
	char *dir = NULL;
	char *path = tsc_cache_path(&dir), id[40];
	bool have_id = path && boot_id(id);
	u64 t1, khz = 0;
	s64 c1;

	if (!tsc_start.taken)
		host_tsc_start();
	tsc_sample(&t1, &c1);
	if (have_id && (khz = tsc_cache_get(path, id)) &&
	    tsc_agrees(khz, t1, c1))
		goto out;
	s64 left = tsc_start.ns + TSC_SPAN_NS - c1;
	if (left > 0) {
		struct timespec pause = { 0, left };

		nanosleep(&pause, NULL);
		tsc_sample(&t1, &c1);
	}
	khz = 0;
	if (c1 > tsc_start.ns && t1 > tsc_start.tsc)
		khz = (t1 - tsc_start.tsc) * 1000000 / (u64)(c1 - tsc_start.ns);
	if (khz && have_id)
		tsc_cache_put(dir, path, id, khz);
out:
	free(path);
	free(dir);
	return khz;
}
#else
void host_tsc_start(void)
{
}

u64 host_tsc_khz(void)
{
	return 0;
}
#endif

/* --kernel, else $SKIFF_KERNEL, else kernel.elf next to the skiff binary. */
char *host_kernel_path(const char *opt)
{
	const char *env = getenv("SKIFF_KERNEL");
	char self[PATH_MAX], *path;
	ssize_t n;

	if (opt)
		path = xstrdup(opt);
	else if (env && *env)
		path = xstrdup(env);
	else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0) {
			skiff_err("cannot find the skiff binary: %s", strerror(errno));
			return NULL;
		}
		self[n] = '\0';
		path = xasprintf("%s/kernel.elf", dirname(self));
	}
	if (access(path, R_OK) < 0) {
		skiff_err("the Skiff kernel %s: %s (build it with make, or set SKIFF_KERNEL)",
			  path, strerror(errno));
		free(path);
		return NULL;
	}
	return path;
}

/* $SKIFF_QEMU, else qemu-system-x86_64 in $PATH; NULL if neither. */
char *host_find_qemu(void)
{
	const char *env = getenv("SKIFF_QEMU");
	const char *path = getenv("PATH");
	char *dirs, *dir, *save, *found = NULL;

	if (env && *env)
		return xstrdup(env);
	dirs = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", dir, QEMU_BINARY);

		if (access(cand, X_OK) == 0)
			found = cand;
		else
			free(cand);
	}
	free(dirs);
	if (!found)
		skiff_err(QEMU_BINARY " not found; install it with: apt-get install qemu-system-x86");
	return found;
}
