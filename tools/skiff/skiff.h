/*
 * The host tool `skiff`: private interfaces between its files.
 *
 *   main.c     commands (run, build), usage, messages
 *   options.c  the command line into struct skiff_opts
 *   program.c  find the program, check that Skiff can run it
 *   image.c    collect the image's files, write them as a cpio newc archive
 *   cpio.c     the cpio newc writer
 *   host.c     host facts: accelerator, TSC rate, kernel and QEMU paths
 *   qemu.c     the QEMU command line, spawning and stopping QEMU
 *   relay.c    the poll loop between skiff's stdio and QEMU's console
 *   proto.c    demultiplexing the console stream (skiff/proto.h)
 *   run.c      `skiff run`: all of the above, and the final exit status
 *
 * Functions print their own error message (one line, "skiff: ...") and
 * return an exit status for skiff (SKIFF_EXIT_*), 0 on success.
 */
#ifndef SKIFF_TOOL_H
#define SKIFF_TOOL_H

#include <stdio.h>
#include <sys/types.h>
#include <skiff/types.h>

/* Exit statuses of skiff itself; any other status is the program's. */
#define SKIFF_EXIT_USAGE 2	 /* bad command line */
#define SKIFF_EXIT_FAILED 125	 /* skiff, QEMU or the guest kernel failed */
#define SKIFF_EXIT_CANNOT_RUN 126 /* the program exists but cannot run */
#define SKIFF_EXIT_NOT_FOUND 127 /* the program does not exist */

#define SKIFF_DEFAULT_MEMORY_MIB 512
#define SKIFF_MIN_MEMORY_MIB 16

enum accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };

/* One --file HOST[:GUEST]. */
struct file_spec {
	char *host;  /* as given */
	char *guest; /* absolute guest path; NULL: the host's absolute path */
};

struct skiff_opts {
	bool build;		/* skiff build (else skiff run) */
	const char *output;	/* build: -o IMAGE */
	u64 memory_mib;		/* -m */
	bool q35;		/* --machine q35 (else microvm) */
	enum accel accel;	/* --accel */
	bool verbose;		/* -v */
	const char *kernel;	/* --kernel, or NULL */
	char **env;		/* -e values, KEY=VAL */
	size_t nenv;
	struct file_spec *files; /* --file values */
	size_t nfiles;
	int argc;		/* PROGRAM [ARGS...] */
	char **argv;
};

/* main.c */
void usage(FILE *f);
void skiff_err(const char *fmt, ...) __printf(1, 2);
void *xmalloc(size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __printf(1, 2);

/* options.c: parses argv (from the command name on); exits on bad usage. */
void opts_parse(int argc, char **argv, struct skiff_opts *o);
/* "512M", "1G", "1024K", "300" (MiB) into MiB, rounded up: 0, -EINVAL if
 * garbage, -ERANGE above 1 TiB. */
int opts_parse_memory(const char *s, u64 *mib);
/* Lexically normalizes an absolute path ("." "..", "//", trailing "/"). */
char *path_normalize(const char *abs);
/* The absolute form of a host path, relative to the current directory. */
char *path_absolute(const char *path);

/* program.c */
struct program {
	char *typed;	 /* PROGRAM as the user typed it (argv[0]) */
	char *abs;	 /* its absolute path, symlinks kept */
	char *real;	 /* its real path, where the image stores it */
	bool is_image;	 /* a Skiff image (cpio newc), not an ELF */
};
int program_find(const char *typed, struct program *p);
int program_check(const struct program *p);

/* image.c: writes the image of o and p to fd; *size gets its length. */
int image_write(int fd, const char *fd_name, const struct skiff_opts *o,
		const struct program *p, u64 *size);

/* host.c */
bool host_use_kvm(enum accel want);
u64 host_tsc_khz(void);
char *host_kernel_path(const char *opt);
char *host_find_qemu(void);

/* qemu.c */
struct vm_config {
	const char *qemu;	/* the qemu-system-x86_64 binary */
	const char *kernel;	/* kernel.elf */
	const char *initrd;	/* the image, a path QEMU opens */
	u64 memory_mib;
	bool q35, kvm, verbose;
	u64 tsc_khz;
	u64 realtime_ns;	/* the host's Unix time at launch */
	u32 tty_mask;		/* bits 0/1/2: stdin/stdout/stderr is a tty */
	u16 cols, rows;		/* the terminal's size, 0 if unknown */
};
struct qemu {
	pid_t pid;
	int in;		/* write end: QEMU's stdin (the guest's COM1 input) */
	int out;	/* read end: QEMU's stdout (COM1 output) */
	int err;	/* read end: QEMU's own messages */
};
int qemu_start(const struct vm_config *vm, struct qemu *q);
/* Waits up to grace_ms for QEMU to end, then kills it; returns its wait status. */
int qemu_reap(struct qemu *q, int grace_ms);

/* proto.c: the console stream, see skiff/proto.h. */
enum proto_kind { REC_NONE, REC_EXIT, REC_SIGNAL, REC_ERROR, REC_PANIC };
struct proto_record {
	enum proto_kind kind;
	int status;	/* REC_EXIT: 0..255; REC_SIGNAL: the signal number */
	u64 addr, rip;	/* REC_SIGNAL */
	char msg[256];	/* REC_ERROR, REC_PANIC (may be empty) */
};
typedef void (*proto_sink)(void *ctx, int channel, const u8 *buf, size_t n);
struct proto_demux {
	int channel;		/* current channel */
	bool esc;		/* the previous byte was PROTO_ESC */
	char line[300];		/* the control record being read */
	size_t line_len;
	struct proto_record rec; /* the first complete record */
	proto_sink sink;	/* gets channels other than PROTO_CH_CTL */
	void *ctx;
};
void proto_init(struct proto_demux *d, proto_sink sink, void *ctx);
void proto_feed(struct proto_demux *d, const u8 *buf, size_t n);
bool proto_parse_record(const char *line, struct proto_record *r);
/* Escapes n bytes of stdin into out (room for 2n); returns the new length. */
size_t proto_escape_input(const u8 *in, size_t n, u8 *out);

/* relay.c */
struct relay_result {
	struct proto_record rec;	/* the guest's record, REC_NONE if none */
	char qemu_err[4096];		/* QEMU's last messages (NUL-terminated) */
	char log_tail[1024];		/* the end of the kernel log */
	int signo;			/* skiff got this signal (then stop) */
	bool broken_pipe;		/* skiff's stdout/stderr reader is gone */
	bool qemu_closed;		/* QEMU closed its output: it is exiting */
	s64 first_byte_ns, first_output_ns; /* from launch; -1: never */
};
/* Blocks SIGINT, SIGTERM, SIGHUP, SIGQUIT except while relay_run waits;
 * ignores SIGPIPE. Call before qemu_start (the child restores them). */
void relay_catch_signals(void);
int relay_run(struct qemu *q, bool verbose, s64 launch_ns,
	      struct relay_result *r);
s64 relay_now_ns(void);

/* run.c */
int run_command(const struct skiff_opts *o);
int build_command(const struct skiff_opts *o);

#endif
