/*
 * The host tool `skiff`: private interfaces between its files.
 *
 *   main.c     commands (run, build), usage, messages
 *   options.c  the command line into struct skiff_opts
 *   flags.c    docker's flags: --env-file, --cpus, -d, ...; did you mean
 *   program.c  find the program, check that Skiff can run it
 *   image.c    collect the image's files, write them as a cpio newc archive
 *   entries.c  the image's entries: host paths with their symlinks, clashes
 *   tree.c     a host directory tree into entries (--dir, runtimes)
 *   deps.c     what a dynamic program loads: PT_INTERP, DT_NEEDED, as ld.so
 *   ldcache.c  the reader of glibc's /etc/ld.so.cache
 *   pack.c     what the image holds for the program: the packing rules
 *   runtimes.c the files interpreters report they need (sys.path, @INC)
 *   datafiles.c host data programs read: terminfo, zoneinfo, certificates
 *   config.c   skiff.json, as options before the command line's
 *   json.c     the strict JSON reader config.c reads it with
 *   cpio.c     the cpio newc writer
 *   unlz4.c    the LZ4 decoder of compressed images
 *   inflate.c  the gzip decoder of compressed images
 *   prebuilt.c skiff run IMAGE: decompressed (cached), overrides appended
 *   disk.c     skiff build --format raw|qcow2: a disk GRUB boots
 *   host.c     host facts: accelerator, TSC rate, kernel and QEMU paths
 *   net.c      networking: -p, --net, --ip, the NIC's QEMU arguments, the
 *              kernel's ip= words, the image's /etc/hosts and resolv.conf
 *   qemu.c     the QEMU command line, spawning and stopping QEMU
 *   relay.c    the poll loop between skiff's stdio and QEMU's console
 *   proto.c    demultiplexing the console stream (skiff/proto.h)
 *   run.c      `skiff run`: all of the above, and the final exit status
 *   instance.c detached instances' state (instance.h); instcmd.c their
 *              commands (ps, logs, stop, kill, wait, rm, ...); keeper.c
 *              skiff run -d and the keeper process; snapshot.c snapshot
 *              and restore; migrate.c migrate and receive; qmp.c the QMP
 *              client; libvirt.c skiff libvirt-xml
 *
 * Functions print their own error message (one line, "skiff: ...") and
 * return an exit status for skiff (SKIFF_EXIT_*), 0 on success.
 */
#ifndef SKIFF_TOOL_H
#define SKIFF_TOOL_H

#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <skiff/proto.h>
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

enum net_mode { NET_USER, NET_NONE, NET_TAP };

/* One -p [HOSTIP:]HOSTPORT:GUESTPORT[/tcp|/udp]. */
struct port_spec {
	int family;		/* of host_ip: AF_INET or AF_INET6 */
	char host_ip[46];	/* as inet_ntop writes it (INET6_ADDRSTRLEN) */
	u16 host_port, guest_port; /* 1..65535 */
	bool udp;		/* else tcp */
};

/* The guest's network, from --net, --ip, --gateway, --dns and -p. */
struct net_config {
	enum net_mode mode;	/* --net (default NET_USER) */
	const char *tap;	/* NET_TAP: the host's tap interface */
	const char *ip;		/* --ip ADDR/PREFIX, or NULL (tap: DHCP) */
	const char *gateway;	/* --gateway ADDR, or NULL */
	char **dns;		/* --dns ADDR values */
	size_t ndns;
	struct port_spec *ports; /* -p values, or an image's */
	size_t nports;
	bool ports_given;	/* -p was on the command line */
};

/* -v SRC:GUEST[:ro]: a disk image attached and mounted at GUEST, or a
 * host directory shared live (virtio-9p). */
struct disk_spec {
	char *path;	/* the image file, or the host directory (absolute) */
	char *guest;	/* absolute guest directory */
	bool ro;
	bool dir;	/* path is a host directory, shared over 9p */
	bool soft;	/* the shared current directory: a mount that fails
			   is a line in the kernel log, not the end */
};
#define SKIFF_MAX_DISKS 8 /* the kernel's mount= words, all kinds */

/* skiff build --format: what -o IMAGE is. */
enum image_format {
	FORMAT_LZ4,	/* an LZ4-compressed cpio newc image (the default) */
	FORMAT_GZIP,	/* a gzip-compressed one */
	FORMAT_CPIO,	/* the cpio newc image, uncompressed */
	FORMAT_RAW,	/* a bootable disk: MBR, GRUB, kernel, image */
	FORMAT_QCOW2,	/* the same disk as qcow2 */
};

struct skiff_opts {
	bool build;		/* skiff build (else skiff run) */
	const char *output;	/* build: -o IMAGE */
	enum image_format format; /* build: --format */
	const char *workdir;	/* -w, --workdir: the guest's cwd, or NULL */
	u64 memory_mib;		/* -m */
	bool q35;		/* --machine q35 (else microvm) */
	enum accel accel;	/* --accel */
	bool verbose;		/* --verbose */
	struct disk_spec disks[SKIFF_MAX_DISKS]; /* -v, --volume */
	size_t ndisks;
	bool tty;		/* -t: the program's stdio is a terminal */
	bool no_cwd;		/* --no-cwd: do not share the current directory */
	const char *kernel;	/* --kernel, or NULL */
	char **env;		/* -e values, KEY=VAL */
	size_t nenv;
	struct file_spec *files; /* --file values */
	size_t nfiles;
	struct file_spec *dirs;	/* --dir values */
	size_t ndirs;
	struct net_config net;	/* -p, --net, --ip, --gateway, --dns */
	int argc;		/* PROGRAM [ARGS...] */
	char **argv;
	bool detach;		/* -d: a detached instance (instance.c) */
	const char *name;	/* --name, or NULL: generated */
	bool rm;		/* --rm: removed when it ends */
	int cmd_argc;		/* the command line from "run" on */
	char **cmd_argv;
	const char *incoming;	/* skiff restore: QEMU's -incoming URI */
	u16 api_port;		/* --api[=PORT]: the management API, 0: off */
	int cpus;		/* --cpus rounded up (1..SKIFF_MAX_CPUS), 0 if
				   not given */
};

/* volume.c: `skiff volume ...` (argv after "volume"), and -v's value. */
int volume_command(int argc, char **argv);
/* -v's value into *out: 0, or -EINVAL with why (one sentence) in a buffer
 * of whylen bytes. */
int volume_parse(const char *spec, struct disk_spec *out, char *why,
		 size_t whylen);
/* A guest path for the kernel command line: %XX for a space, ':', '%' and
 * any byte that is not printable ASCII (kernel/cmdline.c undoes it). */
char *volume_escape(const char *path);
const char *volume_dir(void);

/* main.c */
void usage(FILE *f);
void skiff_err(const char *fmt, ...) __printf(1, 2);
void *xmalloc(size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __printf(1, 2);

/* The page of `skiff COMMAND --help` (run, build, volume). */
void usage_command(FILE *f, const char *command);

/* flags.c: docker's flags beside options.c's own; each exits skiff on an
 * error, after one line. */
#define SKIFF_VERSION "0.1"
enum { OPT_ENV_FILE = 300, OPT_VERSION, OPT_CPUS, OPT_NAME, OPT_RM };
struct option;
/* --env-file, --version, --cpus (option value c). */
void flags_parse(struct skiff_opts *o, int c, const char *arg);
#define SKIFF_MAX_CPUS 16	/* the kernel's CPU_MAX */
#define SKIFF_CPUS_FILE PROTO_DIR "/cpus" /* skiff build's --cpus */
/* The VM's vCPUs into *cpus: --cpus (refused above the host's online CPUs
 * unless $SKIFF_CPUS_ANY is set), else the count an image records (capped
 * at the host's, with a warning), else 1. 0 or an exit status. */
int flags_vm_cpus(const struct skiff_opts *o, bool is_image,
		  const char *image, int *cpus);
/* -e's KEY (keylen bytes of arg): a variable name, else exits. */
void flags_check_env_key(const char *arg, size_t keylen);
/* After the options: the env files' variables before -e's. */
void flags_finish(struct skiff_opts *o);
/* True if typed is name with a typo or two (edit distance). */
bool flags_close(const char *typed, const char *name);
/* An unknown long option arg: one line, the close spelling if any. */
__noreturn void flags_unknown(const char *arg, const struct option *opts,
			      const char *command);

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
	bool searched;	 /* typed was a bare name: found in cwd or $PATH */
	char *shim;	 /* the version manager's shim found for it (pyenv,
			    rbenv): abs is what the manager picks; or NULL */
	/* Set by program_check: */
	bool dynamic;	 /* exe has PT_INTERP */
	bool script;	 /* a #! script: exe is its (last) interpreter */
	char *exe;	 /* the ELF file the kernel runs (real path) */
	char **lead;	 /* argv before ARGS[1..]: typed, or as Linux
			    rewrites a script's: interpreter, its argument,
			    the script's path */
	int nlead;
};
int program_find(const char *typed, struct program *p);
/* Checks p (an executable ELF, or a script whose interpreters lead to
 * one) and sets exe, lead, script, dynamic. 0 or an exit status. */
int program_check(struct program *p);
/* The #! line of the file path: the interpreter's name and its argument
 * (NULL if none), malloc'd. 0; -ENOEXEC if no #! line; -ENAMETOOLONG if
 * the name does not end in the 256 bytes Linux reads. */
int program_shebang(const char *path, char **name, char **arg);

/* image.c: writes the image of o and p to fd; *size gets its length. */
int image_write(int fd, const char *fd_name, const struct skiff_opts *o,
		const struct program *p, u64 *size);
/* The file guest (a regular file) of the image at path, malloc'd with a NUL
 * after its *len bytes; NULL if the image has none before any damage (the
 * kernel judges a corrupt image). Exit status in *err (0 if absent or
 * found) after a line if the file cannot be read at all. */
char *image_read_file(const char *path, const char *guest, size_t *len,
		      int *err);

/* skiff run IMAGE ARGS, -e, -w: appends to fd (after a copy of the
 * uncompressed image) a cpio archive whose /.skiff/argv (the image's
 * argv[0], then ARGS), env (the image's, with -e's values) and cwd (with
 * that directory) replace the image's. 0 or an exit status. */
int image_write_overrides(int fd, const char *image,
			  const struct skiff_opts *o);

/* inflate.c: the gzip stream (one or more members) of in_fd, decoded into
 * out_fd; name is in_fd's, for messages. 0, SKIFF_EXIT_CANNOT_RUN after a
 * line saying how the data is corrupt, or SKIFF_EXIT_FAILED (I/O). */
int gz_decompress(int in_fd, int out_fd, const char *name);
/* unlz4.c: the same for an LZ4 frame stream (lz4(1)'s format). */
int lz4_decompress(int in_fd, int out_fd, const char *name);
/* prebuilt.c: true if the file starts with LZ4's or gzip's magic (a
 * compressed image; program.c counts such a file as an image). */
bool prebuilt_is_compressed(const char *path);

/* prebuilt.c: the prebuilt image p as QEMU boots it, with o's overrides:
 * *initrd a path (or /dev/fd/N, inherited by QEMU), *size its length. A
 * compressed image is decompressed once into $XDG_CACHE_HOME/skiff/images
 * (or a temporary file). 0 or an exit status. */
int prebuilt_prepare(const struct skiff_opts *o, const struct program *p,
		     char **initrd, u64 *size);

/* disk.c: skiff build --format raw|qcow2: the disk at the path out holding
 * GRUB (i386-pc, in the MBR and the gap after it), the kernel and the image
 * (the cpio of image_fd, gzip-compressed) on an ext2 partition. 0 or an
 * exit status. */
int disk_write(const struct skiff_opts *o, const char *out, int image_fd);

/* entries.c: the image's contents, collected, then sorted and checked. */
enum entry_kind { ENT_DIR, ENT_FILE, ENT_LINK, ENT_DATA };

struct entry {
	char *guest;		/* absolute, normalized path in the image */
	enum entry_kind kind;
	char *src;		/* FILE: host path; LINK: target; DATA: bytes */
	size_t len;		/* DATA: length of src */
	unsigned mode;		/* permission bits */
	bool weak;		/* skiff's own choice: gives way to the user's */
	const char *origin;	/* what asked for it, for messages */
	s64 mtime;		/* DIR, LINK: the host's; 0: the packing time
				   (a FILE's is its file's, read when written) */
};

struct entries {
	struct entry *v;
	size_t n, cap;
	bool weak;		/* entries added from now on are weak */
};

/* Takes src (malloc'd or NULL); origin must outlive es. Returns the entry
 * (valid until the next ent_add), to set its mtime. */
struct entry *ent_add(struct entries *es, const char *guest,
		      enum entry_kind kind, char *src, size_t len,
		      unsigned mode, const char *origin);
/* The same, and every parent directory of guest (but "/"), mode 0755. */
void ent_add_with_parents(struct entries *es, const char *guest,
			  enum entry_kind kind, char *src, size_t len,
			  unsigned mode, const char *origin);
/*
 * The host path (absolute, or relative to the current directory) at the
 * same path in the image, resolved the way the kernel resolves it: each
 * symlink met on the way is stored as that symlink, each directory as a
 * directory, the regular file at the end as a file (a directory at the
 * end: only the directory). *real, if real is not NULL, gets the resolved
 * path (malloc'd). 0, or an exit status (message printed).
 */
int ent_add_host(struct entries *es, const char *path, char **real,
		 const char *origin);
/* --file HOST[:GUEST]: the file at guest (NULL: at HOST's path). */
int ent_add_file(struct entries *es, const char *host, const char *guest,
		 const char *origin);
/*
 * guest resolved through the symlinks already in es (the parent only if
 * !last), so that what the user puts at /lib/x lands in /usr/lib/x when
 * /lib is a symlink to usr/lib in the image. Returns a malloc'd path.
 */
char *ent_resolve(const struct entries *es, const char *guest, bool last);
/*
 * The kernel's own file system guest lies in ("/proc", "/sys", "/dev"), or
 * NULL: the guest kernel mounts procfs and sysfs over those directories and
 * makes its device nodes in /dev, so a file an image put there would be
 * hidden or would shadow a device.
 */
const char *ent_reserved(const char *guest);
/* Sorts (a directory before its contents), drops duplicates, lets a weak
 * entry give way to a strong one, refuses a clash. 0 or an exit status. */
int ent_finish(struct entries *es);
void ent_free(struct entries *es);
/* Entries from index from on: regular files (FILE, DATA) and their bytes. */
void ent_count(const struct entries *es, size_t from, size_t *files,
	       u64 *bytes);
/* True if an entry other than a directory is at name (a path), or, for a
 * name without '/', has it as its last component. */
bool ent_has_name(const struct entries *es, const char *name);
/* The archive's size if es were written now, in bytes; *files its files. */
u64 ent_estimate(const struct entries *es, size_t *files);

/* tree.c */
struct tree_opts {
	const char *const *exclude; /* fnmatch(3) patterns (FNM_PATHNAME) on
				       paths relative to the root; NULL-ended */
	void (*elf)(void *ctx, const char *host); /* each ELF file, or NULL */
	void *ctx;
};
/*
 * The host directory tree host (files, directories, symlinks as symlinks,
 * permission bits; sockets, FIFOs and devices skipped) at guest, or at its
 * own path with ent_add_host's symlinks if guest is NULL. A symlink in the
 * tree to a file outside it also brings that file. 0 or an exit status.
 */
int tree_add(struct entries *es, const char *host, const char *guest,
	     const struct tree_opts *t, const char *origin);
/* True if the host file path starts with the ELF magic. */
bool tree_is_elf(const char *path);

/* deps.c: the ELF dynamic section, and ld.so's search on the host. */
#define DEPS_MAX_NEEDED 256
struct elf_dyn {
	u16 type;		/* ELF_ET_EXEC or ELF_ET_DYN */
	const char *interp;	/* PT_INTERP; NULL: none */
	const char *soname;	/* DT_SONAME; NULL: none */
	const char *rpath;	/* DT_RPATH; NULL: none */
	const char *runpath;	/* DT_RUNPATH; NULL: none */
	const char *needed[DEPS_MAX_NEEDED]; /* DT_NEEDED, in order */
	unsigned nneeded;
};
/*
 * Parses the ELF file (len bytes in memory): PT_INTERP, and PT_DYNAMIC's
 * strings found through DT_STRTAB's PT_LOAD. The strings point into file.
 * 0, or -ENOEXEC with *why (not x86_64 ELF, corrupt, > DEPS_MAX_NEEDED).
 */
int deps_parse_elf(const void *file, size_t len, struct elf_dyn *out,
		   const char **why);

/* name: the DT_NEEDED name (the interpreter: its path); path: where it was
 * found, NULL if nowhere; needed_by: the object that needs it. */
typedef void (*deps_found_fn)(void *ctx, const char *name, const char *path,
			      const char *needed_by);
struct deps;
/* cache: the ld.so.cache to search (NULL or unreadable: none). */
struct deps *deps_new(const char *cache, deps_found_fn found, void *ctx);
/*
 * The program at path (its real path): its interpreter, then what it needs,
 * breadth first, as ld.so loads them. Each object is reported once. 0, or
 * -ENOEXEC (message printed) if path itself cannot be parsed.
 */
int deps_program(struct deps *d, const char *path);
/* An object the program may dlopen: what it needs, searched as if the
 * program dlopened it, reusing what the program loaded. */
int deps_object(struct deps *d, const char *path);
/* dlopen(name) by the program: searched as ld.so would, and reported with
 * what it needs if found; -ENOENT (not reported) if not. */
int deps_dlopen(struct deps *d, const char *name);
/* An object the program opens by path before the rest (java's libjvm.so):
 * later objects find it by its soname. Once per file. */
int deps_preload(struct deps *d, const char *path);
/* After deps_program: true if the program's interpreter is musl's. */
bool deps_musl(const struct deps *d);
/* After deps_program: its PT_INTERP, NULL if static. */
const char *deps_interp(const struct deps *d);
/* The guest's LD_LIBRARY_PATH (NULL: none), searched after DT_RPATH and
 * before DT_RUNPATH (musl: first). Call before deps_program. */
void deps_set_library_path(struct deps *d, const char *path);
void deps_free(struct deps *d);

/* ldcache.c: /etc/ld.so.cache, format "glibc-ld.so.cache1.1" (also when
 * behind the old "ld.so-1.7.0" table, as ldconfig -c compat writes). */
struct ldcache {
	const u8 *base;		/* the new-format header */
	size_t len;		/* bytes from base to the end of the file */
	u32 nlibs;
};
struct ldcache_entry {
	const char *key;	/* the soname */
	const char *value;	/* the path */
	u32 flags;		/* LDCACHE_* type and machine */
	u64 hwcap;
};
#define LDCACHE_TYPE_MASK 0x00ff
#define LDCACHE_LIBC6 0x0003
#define LDCACHE_ARCH_MASK 0xff00
#define LDCACHE_X86_64 0x0300
/* 0, or -ENOEXEC if data (len bytes) is not a cache this reader knows. */
int ldcache_parse(struct ldcache *c, const void *data, size_t len);
/* Entry i < c->nlibs: 0, or -EINVAL if its strings lie outside the file. */
int ldcache_entry(const struct ldcache *c, u32 i, struct ldcache_entry *e);
/* The path of the first x86_64 libc6 entry for name without hwcap
 * subdirectory, as ld.so would take it; NULL if none. */
const char *ldcache_find(const struct ldcache *c, const char *name);

/* runtimes.c */
struct runtime_ctx {
	struct entries *es;
	const struct skiff_opts *o;
	void (*elf)(void *ctx, const char *host);	/* each ELF file */
	void (*preload)(void *ctx, const char *host);	/* java's libjvm */
	void *ctx;
};
/*
 * If the program (path: as exec names it; real: its real path) is an
 * interpreter of runtimes.c's table, or in a Java home's bin/, adds the
 * files it reports it needs, weak, and calls elf() on each ELF file among
 * them; *matched tells whether it was one. 0 or an exit status.
 */
int runtime_add(const struct runtime_ctx *rc, const char *path,
		const char *real, bool *matched);
/* Runs path with args (and input on its stdin) in the guest's environment;
 * its output (stdout and stderr), malloc'd, or NULL if it failed. */
char *runtime_ask(const struct skiff_opts *o, const char *path,
		  const char *const *args, const char *input);

/* datafiles.c: host data the program reads (terminfo, zoneinfo, CA
 * certificates, locale), weak, by the rules in its header. */
int datafiles_add(struct entries *es, const struct skiff_opts *o,
		  bool interpreter);

/* json.c: a strict JSON reader. */
enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY,
		 JSON_OBJECT };
struct json {
	enum json_type type;
	size_t pos;		/* byte offset of the value in the text */
	double num;		/* NUMBER; BOOL: 1 or 0 */
	char *str;		/* STRING (UTF-8, no NUL inside) */
	char *key;		/* a member of an OBJECT: its name */
	size_t keypos;		/* ... and the byte offset of the name */
	struct json *kids;	/* ARRAY elements, OBJECT members, in order */
	size_t n;
};
/* text (len bytes) into *out: 0, or -EINVAL with why (one sentence) and
 * *errpos, the byte offset of the error. */
int json_parse(const char *text, size_t len, struct json *out, char *why,
	       size_t whylen, size_t *errpos);
/* The line and column (from 1; the column in bytes) of offset pos. */
void json_where(const char *text, size_t pos, int *line, int *col);
void json_free(struct json *j);

/* config.c: skiff.json. After the command line is parsed (o, argv from the
 * command on, optind: where PROGRAM is): if a skiff.json applies, parses
 * the command line again with its members as options before the user's,
 * into o. Exits with a message on a bad file. */
void config_apply(int argc, char **argv, int first, struct skiff_opts *o);

/* pack.c */
/* The program p and all it needs into es (see pack.c's rules); 0 or an
 * exit status. */
int pack_program(struct entries *es, const struct skiff_opts *o,
		 const struct program *p);
/* The guest's value of an environment variable (the -e values, else
 * skiff's defaults: PATH, HOME, TERM, LD_LIBRARY_PATH), or NULL. */
const char *pack_env(const struct skiff_opts *o, const char *key);
/* --verbose: one line "skiff: ..." on stderr; else nothing. */
void pack_note(const char *fmt, ...) __printf(1, 2);
/* --verbose: what entries from index from on hold, for what. */
void pack_note_range(const struct entries *es, size_t from, const char *what);

/* host.c */
bool host_use_kvm(enum accel want);
/* --accel kvm: 0 if KVM can run a guest here, else an exit status after
 * one line saying why (QEMU would abort with a signal). */
int host_check_kvm(void);
/* An unlinked temporary file in TMPDIR: its fd, or -1 after a message
 * (run.c). */
int temp_fd(void);
/* The host TSC's rate in kHz (0 if unknown), over a baseline of 2 ms that
 * starts at host_tsc_start, if called before, so that the work between
 * the two takes the place of a wait. */
void host_tsc_start(void);
u64 host_tsc_khz(void);
char *host_kernel_path(const char *opt);
char *host_find_qemu(void);

/* net.c */
#define NET_USER_GUEST "10.0.2.15"  /* QEMU user networking's defaults */
#define NET_USER_PREFIX 24
#define NET_USER_GATEWAY "10.0.2.2"
#define NET_USER_DNS "10.0.2.3"
#define NET_HOSTNAME "skiff"	    /* the kernel's uname nodename */
#define NET_PORTS_FILE PROTO_DIR "/ports" /* skiff/proto.h */
/*
 * -p SPEC into *p: [HOSTIP:]HOSTPORT:GUESTPORT[/tcp|/udp], HOSTIP an IPv4
 * address or an IPv6 one in brackets, default 127.0.0.1. 0, or -EINVAL
 * with why (one sentence, no "skiff:") in a buffer of whylen bytes.
 */
int net_parse_publish(const char *spec, struct port_spec *p, char *why,
		      size_t whylen);
/* p as -p takes it back: "127.0.0.1:8080:80/tcp", "[::1]:53:53/udp". */
void net_format_publish(const struct port_spec *p, char *buf, size_t len);
/* --net none|user|tap=IFNAME into n: 0, or -EINVAL with why. */
int net_parse_mode(const char *arg, struct net_config *n, char *why,
		   size_t whylen);
/* --ip ADDR/PREFIX (IPv4), --gateway ADDR, --dns ADDR: true if valid. */
bool net_valid_cidr4(const char *s);
bool net_valid_ip4(const char *s);
bool net_valid_ip(const char *s);
/* The combination of options, once all are parsed: 0, or -EINVAL with why
 * (-p or --ip with the wrong --net, --gateway without --ip, a port twice). */
int net_check_config(const struct net_config *n, char *why, size_t whylen);
/*
 * Before QEMU starts: each published host address and port bound (and for
 * TCP listened on) as QEMU's user networking will, then closed. 0, or
 * SKIFF_EXIT_FAILED after one line ("port 127.0.0.1:8080 is already in
 * use"). An IPv6 host address is refused here: QEMU's hostfwd takes IPv4
 * host addresses only.
 */
int net_check_ports(const struct net_config *n);
/* The QEMU arguments of the NIC (none for NET_NONE), malloc'd, into v (room
 * for 6); returns how many. */
int net_qemu_args(const struct net_config *n, bool q35, char **v);
/* The kernel command line words (" ip=... gw=..."), appended to buf. */
void net_cmdline(const struct net_config *n, char *buf, size_t len);
/* The image's /etc/hosts, /etc/resolv.conf (NULL: none) and /etc/hostname,
 * malloc'd. */
char *net_etc_hosts(const struct net_config *n);
char *net_etc_resolv(const struct net_config *n);
char *net_etc_hostname(void);
/* The -p lines of NET_PORTS_FILE (text) into n->ports. 0, or
 * SKIFF_EXIT_FAILED after a line naming image for a bad line. */
int net_ports_from_text(struct net_config *n, const char *text, size_t len,
			const char *image);
/* n->ports as NET_PORTS_FILE's text (malloc'd, *len its length). */
char *net_ports_text(const struct net_config *n, size_t *len);

/* qemu.c */
struct vm_config {
	const char *qemu;	/* the qemu-system-x86_64 binary */
	const char *kernel;	/* kernel.elf */
	const char *initrd;	/* the image, a path QEMU opens */
	u64 memory_mib;
	int cpus;		/* vCPUs: QEMU's -smp */
	bool q35, kvm, verbose;
	const struct net_config *net; /* the NIC, its ports */
	const struct disk_spec *disks;	/* virtio-blk disks (vda first) and
					   9p shares, in mount order */
	size_t ndisks;
	const char *cwd;	/* the program's working directory, or NULL:
				   the image's own */
	u64 tsc_khz;
	u64 realtime_ns;	/* the host's Unix time at launch */
	u32 tty_mask;		/* bits 0/1/2: stdin/stdout/stderr is a tty */
	u16 cols, rows;		/* the terminal's size, 0 if unknown */
	const char *qmp;	/* a QMP unix socket to serve, or NULL */
	const char *metrics;	/* a unix socket to serve the metrics port
				   (skiff/proto.h) on, or NULL */
	const char *incoming;	/* -incoming URI (a restore), or NULL */
	bool one_stream;	/* stderr over stdout's port (one log, in
				   order: detached instances) */
	u16 api_port;		/* the management API's guest port, 0: off */
	const char *api_token;	/* its bearer token (hex) */
};

/* api.c: the management API's host side (docs/api.md). */
#define HOST_TOKEN_MAX 128
/* --api's value (NULL: the default port 8000) into *port: 0 or -1. */
int api_parse_option(const char *arg, u16 *port);
/* Sets vm->api_port and a new token from --api or the image's
 * /.skiff/api (image NULL: none): 0 or an exit status after a line. */
int api_prepare(const struct skiff_opts *o, const char *image,
		struct vm_config *vm);
/* skiff build --api: the text of /.skiff/api (malloc'd), else NULL. */
char *api_image_text(const struct skiff_opts *o, size_t *len);
/* A detached instance's "api" file: "HOSTPORT TOKEN". 0 or -errno. */
int api_write_state(const char *name, const struct vm_config *vm);
/* skiff api NAME METHOD PATH [BODY] (argv[0] is "api"). */
int api_command(int argc, char **argv);
struct qemu {
	pid_t pid;
	int in;		/* write end: QEMU's stdin (the guest's COM1 input) */
	int out;	/* read end: QEMU's stdout (COM1 output) */
	int err;	/* read end: QEMU's own messages */
	/* skiff's ends of the virtio console's ports (skiff/proto.h), by
	 * port number, non-blocking; -1 without the device */
	int port[PROTO_VPORT_MAX + 1];
	int qport[PROTO_VPORT_MAX + 1]; /* QEMU's ends (qemu.c only) */
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
/*
 * Set by a detached instance's keeper (keeper.c), from its signal handlers
 * or before relay_run: relay_end_now ends the loop at once (skiff stop's
 * power-off); relay_pending_signals (atomic, bit n-1: signal n) are
 * forwarded to the program with no grace (skiff kill); relay_boot_fd, if
 * >= 0, gets one byte and is closed at the guest's first console byte.
 */
extern volatile sig_atomic_t relay_end_now;
extern u64 relay_pending_signals;
extern int relay_boot_fd;
/* If >= 0 (a named foreground run, keeper.c): a copy of what the relay
 * writes to skiff's stdout and stderr goes there too, in the same order. */
extern int relay_log_fd;
/* Set by the keeper after a restore: the relay sends the guest the host's
 * time ("time NS" on the control port) and clears it. */
extern volatile sig_atomic_t relay_send_time;

/* term.c: the host terminal (stdin) in raw mode while a VM has it. */
/* Raw mode if stdin is a terminal; false when it is not (nothing done). */
bool term_raw(void);
/* Its mode as before term_raw (no-op without it). */
void term_restore(void);
/* Input the terminal completed before raw mode (lines, an end of file as
 * its VEOF byte), for the guest ahead of what stdin gives from now on:
 * up to cap bytes into buf, how many (0: none left). */
size_t term_typeahead(u8 *buf, size_t cap);

/*
 * instance.c: detached instances' state, one directory a name under
 * inst_base() (docs/instances.md), and the commands that manage them;
 * keeper.c: skiff run -d, the keeper process that owns QEMU.
 */
bool inst_valid_name(const char *name);
bool inst_is_command(const char *cmd);
/* argv from the command's name on ("ps", "-a"). */
int inst_command(int argc, char **argv);
/* The state directory ($SKIFF_RUN_DIR, /run/skiff for root, else
 * $XDG_RUNTIME_DIR/skiff, else /tmp/skiff-UID), made if create. */
char *inst_base(bool create);
char *inst_path(const char *name, const char *file);
/* file of the instance name written whole (a rename): 0 or -errno. */
int inst_write(const char *name, const char *file, const char *text);
/* Its text (malloc'd, without a last newline) or NULL. */
char *inst_read(const char *name, const char *file);
/* Removes the instance's directory and what is in it. */
void inst_remove(const char *name);
/* Starts vm as a detached instance (after run_command's preparation). */
int inst_start(const struct skiff_opts *o, struct vm_config *vm);
/* stats.c: skiff stats (argv from "stats" on). */
int stats_command(int argc, char **argv);
/*
 * A named foreground run (skiff run --name N without -d), as docker's: the
 * skiff process is the instance's keeper, listed by ps while it runs, its
 * output copied to the log, its status kept until rm (--rm: removed at
 * the end). inst_fg_begin claims the name (after relay_catch_signals and
 * before qemu_start): 0 or an exit status after a line; inst_fg_qemu
 * records QEMU's pid; inst_fg_end records how the run ended.
 */
int inst_fg_begin(const struct skiff_opts *o, struct vm_config *vm);
void inst_fg_qemu(pid_t qemu);
void inst_fg_end(const struct skiff_opts *o, struct relay_result *r,
		 int qemu_status);
/* libvirt.c: skiff libvirt-xml (argv from "libvirt-xml" on). */
int libvirt_command(int argc, char **argv);
/* snapshot.c: skiff snapshot NAME FILE [--stop], skiff restore FILE
 * [--name NAME]; exit statuses. */
int snap_save(const char *name, const char *file, bool stop);
int snap_restore(const char *file, const char *name);
/* qmp.c: a QMP connection to the socket path (retried for wait_ms): its
 * fd after capabilities negotiation, or -1. */
int qmp_connect(const char *path, int wait_ms);
/* One command (JSON text) and its reply line into reply: 0 if it
 * returned, -1 on an error reply, EOF or timeout. */
int qmp_command(int fd, const char *json, char *reply, size_t len);

/* run.c */
int run_command(const struct skiff_opts *o);
int build_command(const struct skiff_opts *o);

#endif
