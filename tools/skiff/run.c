/*
 * `skiff run` and `skiff build`: check the program, write the image, boot
 * it, relay the console, and turn the guest's final record into skiff's
 * exit status (see the exit statuses in main.c's usage text).
 *
 * The throw-away image of `skiff run` is a temporary file that is unlinked
 * as soon as it is created; QEMU reads it through the inherited descriptor
 * (/dev/fd/N), so nothing is left behind whichever way skiff ends.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "skiff.h"

#define QEMU_GRACE_MS 3000 /* QEMU's time to exit after the relay ends */

/* fds 0-2 open, so files skiff opens never take their numbers. */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			exit(SKIFF_EXIT_FAILED);
}

int temp_fd(void)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/skiff-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);

	if (fd < 0)
		skiff_err("cannot create a temporary file in %s: %s (set TMPDIR?)",
			  dir && *dir ? dir : "/tmp", strerror(errno));
	else
		unlink(path);
	free(path);
	return fd;
}

static int temp_image(const struct skiff_opts *o, const struct program *p,
		      int *fd_out, u64 *size)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/skiff-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path), err;

	if (fd < 0) {
		skiff_err("cannot create a temporary file in %s: %s (set TMPDIR?)",
			  dir && *dir ? dir : "/tmp", strerror(errno));
		free(path);
		return SKIFF_EXIT_FAILED;
	}
	unlink(path);
	err = image_write(fd, path, o, p, size);
	free(path);
	if (err) {
		close(fd);
		return err;
	}
	*fd_out = fd;
	return 0;
}

/*
 * The kernel keeps the image in memory and serves its files from it (see
 * fs/initrd.c), and itself boots in a few MiB: refuse what cannot fit.
 */
static int check_fits(u64 image, u64 memory_mib)
{
	u64 need_mib = ((image + (1 << 20) - 1) >> 20) + 8;

	if (need_mib <= memory_mib)
		return 0;
	skiff_err("the image (%.1f MiB) does not fit in %llu MiB of guest memory; use --memory %lluM or more",
		  image / 1048576.0, (unsigned long long)memory_mib,
		  (unsigned long long)ALIGN_UP(need_mib + 32, 64));
	return SKIFF_EXIT_FAILED;
}

static void terminal_info(struct vm_config *vm)
{
	struct winsize ws;

	vm->tty_mask = 0;
	for (int fd = 0; fd < 3; fd++)
		if (isatty(fd))
			vm->tty_mask |= 1u << fd;
	for (int fd = 0; fd < 3; fd++) {
		if ((vm->tty_mask & (1u << fd)) &&
		    ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row) {
			vm->cols = ws.ws_col;
			vm->rows = ws.ws_row;
			break;
		}
	}
}

/* The image to boot: a prebuilt one, or a throw-away one of PROGRAM. */
static int prepare_image(const struct skiff_opts *o, struct program *p,
			 struct vm_config *vm)
{
	u64 size;
	int fd, err;

	if (p->is_image) {
		char *initrd;

		if (o->nfiles || o->ndirs || o->net.ndns) {
			skiff_err("%s is a Skiff image, whose files are fixed when it is built; give --file, --dir and --dns to skiff build",
				  p->typed);
			return SKIFF_EXIT_USAGE;
		}
		err = prebuilt_prepare(o, p, &initrd, &size);
		if (!err)
			vm->initrd = initrd;
		return err ? err : check_fits(size, o->memory_mib);
	}
	err = program_check(p);
	if (!err)
		err = temp_image(o, p, &fd, &size);
	if (!err)
		err = check_fits(size, o->memory_mib);
	if (!err)
		vm->initrd = xasprintf("/dev/fd/%d", fd);
	return err;
}

static bool is_fault(int signo)
{
	return signo == SIGSEGV || signo == SIGBUS || signo == SIGILL ||
	       signo == SIGFPE || signo == SIGTRAP;
}

/* Like a shell reporting a native crash; silent for SIGINT and SIGPIPE. */
static int report_signal(const struct proto_record *rec)
{
	int signo = rec->status;
	const char *abbrev = sigabbrev_np(signo);
	char name[32];

	if (abbrev)
		snprintf(name, sizeof(name), "SIG%s", abbrev);
	else
		snprintf(name, sizeof(name), "signal %d", signo);
	if (is_fault(signo))
		skiff_err("program killed by %s (%s) at address 0x%llx, rip 0x%llx",
			  name, strsignal(signo), (unsigned long long)rec->addr,
			  (unsigned long long)rec->rip);
	else if (signo != SIGINT && signo != SIGPIPE)
		skiff_err("program killed by %s (%s)", name, strsignal(signo));
	return 128 + signo;
}

/* The last non-empty line of s, in place. */
static const char *last_line(char *s)
{
	char *end = s + strlen(s), *start;

	while (end > s && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	start = end;
	while (start > s && start[-1] != '\n')
		start--;
	return start;
}

static int outcome(struct relay_result *r, int qemu_status, bool kvm)
{
	switch (r->rec.kind) {
	case REC_EXIT:
		return r->rec.status;
	case REC_SIGNAL:
		return report_signal(&r->rec);
	case REC_ERROR:
		skiff_err("%s", r->rec.msg);
		return SKIFF_EXIT_CANNOT_RUN;
	case REC_PANIC:
		skiff_err("the guest crashed (kernel panic%s%s); rerun with --verbose",
			  r->rec.msg[0] ? ": " : "", r->rec.msg);
		return SKIFF_EXIT_FAILED;
	case REC_NONE:
		break;
	}
	/* QEMU aborts when KVM refuses the guest's CPU state (a /dev/kvm
	 * that is not hardware virtualization does so at the first entry). */
	if (kvm && WIFSIGNALED(qemu_status) && WTERMSIG(qemu_status) == SIGABRT) {
		const char *why = last_line(r->qemu_err);

		skiff_err("QEMU aborted under KVM: this host's KVM cannot run the guest%s%s%s; use --accel tcg",
			  *why ? " (QEMU: " : "", why, *why ? ")" : "");
	} else if (WIFSIGNALED(qemu_status))
		skiff_err("QEMU was killed by signal %d (%s); rerun with --verbose",
			  WTERMSIG(qemu_status), strsignal(WTERMSIG(qemu_status)));
	else if (WEXITSTATUS(qemu_status) && *last_line(r->qemu_err))
		skiff_err("QEMU failed: %s", last_line(r->qemu_err));
	else
		skiff_err("the guest crashed (it stopped without an exit status); rerun with --verbose");
	return SKIFF_EXIT_FAILED;
}

static __noreturn void die_by_signal(int signo)
{
	sigset_t set;

	signal(signo, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, signo);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(signo);
	exit(128 + signo);
}

static void print_ms(const char *what, s64 ns)
{
	if (ns >= 0)
		fprintf(stderr, ", %s %.1f ms", what, ns / 1e6);
	else
		fprintf(stderr, ", %s never", what);
}

static void print_times(const struct relay_result *r, s64 exit_ns)
{
	fputs("skiff: from launch", stderr);
	print_ms("to the first console byte", r->first_byte_ns);
	print_ms("to the program's first output", r->first_output_ns);
	print_ms("to QEMU's exit", exit_ns);
	fputc('\n', stderr);
}

/* Boots vm and relays until it ends; returns skiff's exit status. */
static int boot(const struct skiff_opts *o, struct vm_config *vm)
{
	struct relay_result *r = xmalloc(sizeof(*r));
	struct timespec now;
	struct qemu q;
	s64 launch;
	int status, err;

	relay_catch_signals();
	if (o->name && (err = inst_fg_begin(o, vm)))
		return err;
	clock_gettime(CLOCK_REALTIME, &now);
	vm->realtime_ns = (u64)now.tv_sec * 1000000000 + now.tv_nsec;
	launch = relay_now_ns();
	/* The guest's line discipline serves a terminal on stdin. */
	if (vm->tty_mask & 1)
		term_raw();
	err = qemu_start(vm, &q);
	if (err) {
		term_restore();
		inst_fg_end(o, NULL, 0);
		return err;
	}
	inst_fg_qemu(q.pid);
	relay_run(&q, o->verbose, launch, r);
	term_restore();
	status = qemu_reap(&q, r->qemu_closed ? QEMU_GRACE_MS : 0);
	inst_fg_end(o, r, status);
	if (o->verbose)
		print_times(r, relay_now_ns() - launch);
	if (r->signo)
		die_by_signal(r->signo);
	if (r->broken_pipe)
		die_by_signal(SIGPIPE);
	/* Powered off by skiff stop -t or rm -f (a named run): as docker run
	 * exits when its container is killed. */
	if (relay_end_now && r->rec.kind == REC_NONE)
		err = 128 + SIGKILL;
	else
		err = outcome(r, status, vm->kvm);
	free(r);
	return err;
}

/*
 * The network of the VM: o's, with an image's published ports unless -p
 * was given (they are published with user networking only), checked free.
 */
static int prepare_net(const struct skiff_opts *o, const struct program *p,
		       const char *image, struct net_config *net)
{
	size_t len;
	char *text;
	int err;

	*net = o->net;
	if (!p->is_image || net->ports_given)
		return net_check_ports(net);
	text = image_read_file(image, NET_PORTS_FILE, &len, &err);
	if (text) {
		err = net_ports_from_text(net, text, len, p->typed);
		free(text);
	}
	if (!err && net->nports && net->mode != NET_USER) {
		skiff_err("warning: %s publishes ports (-p), which --net %s leaves unpublished",
			  p->typed, net->mode == NET_NONE ? "none" : "tap");
		net->nports = 0;
	}
	return err ? err : net_check_ports(net);
}

/* Whether the guest path p is dir or lies under it. */
static bool under(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return true;
	return !strncmp(p, dir, n) && (p[n] == '/' || !p[n]);
}

/*
 * Why the current directory cwd is not shared, or NULL to share it: it
 * would hide files the image packs (the root, the system's directories:
 * the program's libraries, skiff's /etc and /.skiff files), the kernel's
 * own (/proc, /sys, /dev), or lies in a -v mount of the user's, which
 * then gives the program its working directory.
 */
static const char *no_share_reason(const char *cwd, const struct disk_spec *d,
				   size_t n)
{
	static const char *const sys[] = {
		"/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin",
		"/etc", "/opt", "/proc", "/sys", "/dev", "/boot", PROTO_DIR,
	};

	if (!strcmp(cwd, "/"))
		return "it is the root, which holds the image";
	for (size_t i = 0; i < ARRAY_SIZE(sys); i++)
		if (under(cwd, sys[i]))
			return "it would hide the system files the image packs";
	for (size_t i = 0; i < n; i++)
		if (under(cwd, d[i].guest))
			return "it lies in a -v mount";
	return NULL;
}

/*
 * A -v mount over the program's packed path hides it, unless the host
 * directory holds it at the same place (the current directory, shared
 * at its own path): one line, before QEMU starts.
 */
static int check_hidden(const struct program *p, const struct disk_spec *d,
			size_t n)
{
	for (size_t i = 0; i < n && !p->is_image; i++) {
		const char *rest = p->real + strlen(d[i].guest);
		struct stat a, b;
		char *there;
		bool same;

		if (!under(p->real, d[i].guest))
			continue;
		there = xasprintf("%s%s", d[i].path, rest);
		same = d[i].dir && stat(there, &a) == 0 &&
		       stat(p->real, &b) == 0 && a.st_dev == b.st_dev &&
		       a.st_ino == b.st_ino;
		free(there);
		if (same)
			continue;
		skiff_err("-v ...:%s hides the program %s, packed at that path: "
			  "mount elsewhere or move the program", d[i].guest,
			  p->real);
		return SKIFF_EXIT_USAGE;
	}
	return 0;
}

/*
 * The program's working directory and the shares of vm: -w's directory,
 * else the current one, shared live at the same path (before the -v
 * mounts, which may lie inside it) unless --no-cwd or no_share_reason.
 * A prebuilt image starts where it was built to, sharing nothing but -v.
 * A detached instance (-d) shares nothing but -v either, as docker's:
 * QEMU cannot snapshot or migrate a VM with a 9p share mounted.
 */
static int plan_cwd(const struct skiff_opts *o, const struct program *p,
		    struct vm_config *vm, struct disk_spec *disks)
{
	char cwd[PATH_MAX];
	const char *why;
	size_t n = 0;

	bool share = !p->is_image && !o->no_cwd && !o->detach;

	vm->cwd = o->workdir;
	if (share && !getcwd(cwd, sizeof(cwd))) {
		skiff_err("not sharing the current directory: %s", strerror(errno));
	} else if (share) {
		why = no_share_reason(cwd, o->disks, o->ndisks);
		if (!why && o->ndisks >= SKIFF_MAX_DISKS)
			why = "-v took every mount";
		if (why && o->verbose)
			skiff_err("not sharing the current directory %s: %s", cwd, why);
		if (!why)
			disks[n++] = (struct disk_spec){ .path = xstrdup(cwd),
							  .guest = xstrdup(cwd),
							  .dir = true, .soft = true };
		if (!vm->cwd)
			vm->cwd = xstrdup(cwd);
	}
	memcpy(disks + n, o->disks, o->ndisks * sizeof(*disks));
	vm->disks = disks;
	vm->ndisks = n + o->ndisks;
	return check_hidden(p, disks, vm->ndisks);
}

int run_command(const struct skiff_opts *o)
{
	struct disk_spec disks[SKIFF_MAX_DISKS + 1];
	struct vm_config vm = { .memory_mib = o->memory_mib, .q35 = o->q35,
				.verbose = o->verbose, .disks = o->disks,
				.ndisks = o->ndisks };
	struct net_config net;
	struct program p;
	int err;

	host_tsc_start();
	ensure_std_fds();
	if (o->accel == ACCEL_KVM && (err = host_check_kvm()))
		return err;
	err = program_find(o->argv[0], &p);
	vm.net = &net;
	/* the image first: a compressed one's ports are read decompressed */
	if (!err && p.is_image)
		err = prepare_image(o, &p, &vm);
	if (!err)
		err = prepare_net(o, &p, vm.initrd, &net);
	if (!err)
		err = plan_cwd(o, &p, &vm, disks);
	if (!err && !p.is_image)
		err = prepare_image(o, &p, &vm);
	if (!err)
		err = flags_vm_cpus(o, p.is_image, vm.initrd, &vm.cpus);
	if (err)
		return err;
	vm.kernel = host_kernel_path(o->kernel);
	vm.qemu = vm.kernel ? host_find_qemu() : NULL;
	if (!vm.kernel || !vm.qemu)
		return SKIFF_EXIT_FAILED;
	vm.kvm = host_use_kvm(o->accel);
	vm.tsc_khz = host_tsc_khz();
	terminal_info(&vm);
	if (o->tty)
		vm.tty_mask = 7; /* -t */
	if ((err = api_prepare(o, p.is_image ? vm.initrd : NULL, &vm)))
		return err;
	if (o->detach)
		return inst_start(o, &vm);
	return boot(o, &vm);
}

/*
 * skiff build's output into fd: the image, through the host's lz4 -9 by
 * default (unlz4.c decodes it) or gzip -n (inflate.c), uncompressed, or a
 * bootable disk (disk.c) holding it.
 */
static int build_write(const struct skiff_opts *o, struct program *p, int fd,
		       const char *path, u64 *size)
{
	const char *tool = o->format == FORMAT_LZ4 ? "lz4" : "gzip";
	int pfd[2], status, err, tfd;
	pid_t pid;

	if (o->format == FORMAT_CPIO)
		return image_write(fd, o->output, o, p, size);
	if (o->format == FORMAT_RAW || o->format == FORMAT_QCOW2) {
		tfd = temp_fd();
		if (tfd < 0)
			return SKIFF_EXIT_FAILED;
		err = image_write(tfd, o->output, o, p, size);
		if (!err)
			err = disk_write(o, path, tfd);
		close(tfd);
		return err;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		skiff_err("cannot start %s: %s", tool, strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	if (pid == 0) {
		dup2(pfd[0], 0);
		dup2(fd, 1);
		if (o->format == FORMAT_LZ4)
			execlp(tool, tool, "-9", "-q", "-c", (char *)NULL);
		else
			execlp(tool, tool, "-6", "-n", "-c", (char *)NULL);
		skiff_err("cannot run %s: %s (install Debian's %s)", tool,
			  strerror(errno), tool);
		_exit(SKIFF_EXIT_FAILED);
	}
	close(pfd[0]);
	signal(SIGPIPE, SIG_IGN);
	err = image_write(pfd[1], o->output, o, p, size);
	close(pfd[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!err && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		skiff_err("%s failed writing %s", tool, o->output);
		err = SKIFF_EXIT_FAILED;
	}
	return err;
}

int build_command(const struct skiff_opts *o)
{
	char *tmp = xasprintf("%s.XXXXXX", o->output);
	struct program p;
	mode_t mask;
	u64 size;
	int fd, err;

	err = program_find(o->argv[0], &p);
	if (!err && p.is_image) {
		skiff_err("%s is already a Skiff image", p.typed);
		err = SKIFF_EXIT_USAGE;
	}
	if (!err)
		err = program_check(&p);
	if (err)
		return err;
	fd = mkstemp(tmp);
	if (fd < 0) {
		skiff_err("%s: %s", o->output, strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0644 & ~mask);
	err = build_write(o, &p, fd, tmp, &size);
	if (close(fd) < 0 && !err) {
		skiff_err("writing the image %s: %s", o->output, strerror(errno));
		err = SKIFF_EXIT_FAILED;
	}
	if (!err && rename(tmp, o->output) < 0) {
		skiff_err("%s: %s", o->output, strerror(errno));
		err = SKIFF_EXIT_FAILED;
	}
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}
