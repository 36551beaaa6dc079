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
 * The host's TSC rate in kHz, measured against CLOCK_MONOTONIC_RAW over
 * at least TSC_SPAN_NS since host_tsc_start (called now if it was not):
 * only what of that span the work since has not used is slept. Under TCG
 * the guest's RDTSC reads the host's TSC, so the kernel gets this on its
 * command line instead of calibrating against a timer that TCG emulates
 * unevenly. 0 if the measurement makes no sense.
 */
u64 host_tsc_khz(void)
{
	u64 t1;
	s64 c1;

	if (!tsc_start.taken)
		host_tsc_start();
	s64 left = tsc_start.ns + TSC_SPAN_NS - mono_raw_ns();
	if (left > 0) {
		struct timespec pause = { 0, left };

		nanosleep(&pause, NULL);
	}
	tsc_sample(&t1, &c1);
	if (c1 <= tsc_start.ns || t1 <= tsc_start.tsc)
		return 0;
	return (t1 - tsc_start.tsc) * 1000000 / (u64)(c1 - tsc_start.ns);
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
