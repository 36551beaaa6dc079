/*
 * Kernel core: log, panic and backtraces, boot trace, command line,
 * power-off. Implemented in kernel/ but callable from every layer (arch's
 * trap handler logs and panics too): the layer check counts this header
 * as lib's, the one upward call DESIGN.md allows for every layer.
 */
#ifndef SKIFF_KERNEL_H
#define SKIFF_KERNEL_H

#include <skiff/types.h>

/* Kernel log on the console's log channel (seen with skiff --verbose). */
void klog(const char *fmt, ...) __printf(1, 2);

/* A broken invariant or a boot failure: log, backtrace, power off. */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

/* Logs even without verbose: for panics and crash reports (kernel/log.c). */
void klog_always(const char *fmt, ...) __printf(1, 2);
/* The last lines of the kernel log (kept only while the management API
 * is on, verbose or not: its /os/dmesg), oldest first, into buf; the
 * length. Never sleeps. */
size_t klog_ring_read(char *buf, size_t cap);
/* Logs a frame-pointer backtrace starting at rip with frame rbp. */
void backtrace_from(u64 rbp, u64 rip);
/* The name of the kernel function containing addr, and addr's offset in it
 * ("?" when unknown; kernel/ksyms.c, filled by the kernel's second link). */
const char *ksym_lookup(u64 addr, u64 *off);

#define BUG_ON(cond)                                                    \
	do {                                                            \
		if (cond)                                               \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

/* Options from the kernel command line (kernel/cmdline.c). */
struct boot_options {
	u64 tsc_khz;  /* tsc_khz=N: TSC rate given by the host, 0 if absent */
	bool verbose; /* verbose: log boot steps and unknown syscalls */
	u32 tty_mask; /* tty=N: bit 0/1/2 set when the host's stdin/out/err is a terminal */
	u16 win_cols, win_rows; /* winsize=COLSxROWS of that terminal */
	u64 realtime_ns; /* realtime=NS: the host's Unix time in ns at launch */
	/* console=ttyS0, or a boot through multiboot2: no skiff on the other
	 * end of COM1; the program's output goes there unframed, and the
	 * exit powers off through ACPI (kernel/console.c, kernel/power.c). */
	bool plain_console;
	/* outerr=1: stderr's bytes go over stdout's port too, so that one
	 * log (a detached instance's) has both streams in the order the
	 * program wrote them (kernel/console.c). */
	bool one_stream;
	char ip[48];	/* ip=ADDR/PREFIX or ip=dhcp: eth0's IPv4 address */
	char gw[48];	/* gw=ADDR: the IPv4 default gateway */
	/* virtio_mmio.device=SIZE@BASE:IRQ, one per device (QEMU's microvm
	 * lists its virtio-mmio transports so). */
	struct boot_mmio {
		u64 base, size;
		u32 irq;
	} mmio[32];
	u32 nmmio;
	/* mount=DEV:PATH[:ro|:rw|:try], one per disk to mount at boot, or
	 * mount=9p:TAG:PATH[:ro|:rw|:try], a host directory (virtio-9p).
	 * PATH may carry %XX escapes (a space, ':' or '%' in it). try: read-
	 * write, and a failure is a log line instead of the end of the boot
	 * (skiff's shared current directory). */
	struct boot_mount {
		char dev[16];	/* "vda"; "9p" for a host directory */
		char tag[32];	/* 9p: the device's mount tag */
		char path[256];	/* absolute */
		bool ro;
		bool soft;	/* :try */
	} mounts[8];
	u32 nmounts;
	/* cwd=PATH (%XX escapes too): the program's working directory,
	 * over the image's own (skiff run -w, the shared directory). */
	char cwd[256];
	/* api=PORT: the management API on TCP PORT (skiff run --api);
	 * api_token=HEX its bearer token. cmdline_parse wipes the token
	 * from the command line's memory once copied (skiff/api.h). */
	u16 api_port;
	char api_token[129];
};
extern struct boot_options boot_opts;

/*
 * Boot trace (kernel/boottrace.c): boot_mark records that the boot reached
 * step what (a string constant) with its time; boot_report logs every step
 * with its time since the PVH entry (--verbose). Callable from every layer
 * (the ELF loader marks "program loaded"); never sleeps.
 */
void boot_mark(const char *what);
void boot_report(void);

/* Fills buf with random bytes (RDRAND/RDSEED where present, else a TSC-seeded
 * ChaCha-style generator). Any context; never sleeps. kernel/random.c. */
void random_fill(void *buf, size_t len);

/*
 * Ends the VM: sends a control record (see skiff/proto.h) then powers off.
 * kernel_exit(status) after the program's exit_group; kernel_fatal_signal()
 * after a fatal signal; kernel_error() when the program could not be run.
 */
void kernel_exit(int status) __noreturn;
void kernel_fatal_signal(int signo, u64 addr, u64 rip) __noreturn;
void kernel_error(const char *fmt, ...) __printf(1, 2) __noreturn;

/* What uname(2) and /proc/sys/kernel show. glibc checks the release
 * against its minimum kernel version. */
#define UTS_SYSNAME "Linux"
#define UTS_NODENAME "skiff"
#define UTS_RELEASE "6.1.0-skiff"
#define UTS_VERSION "#1 SMP Skiff unikernel"

#endif
