/*
 * QEMU: the command line for a Skiff VM, starting it with its stdin, stdout
 * and stderr on pipes to skiff, and reaping it.
 *
 * The guest's COM1 is QEMU's stdio (-chardev stdio -serial chardev:con), so
 * the console protocol of skiff/proto.h runs over QEMU's stdin and stdout.
 * The virtio console's ports (skiff/proto.h, the fast path) are sockets
 * of socketpairs whose other ends QEMU inherits (-chardev socket,fd=N): no
 * file is left behind. $SKIFF_NO_VCONSOLE (hidden, for tests) leaves the
 * device out, so that COM1 carries everything.
 * QEMU's own messages (stderr) are shown only when something fails or with
 * --verbose. The NIC's arguments and the kernel's ip= words come from net.c. QEMU gets its own process group, so a ^C reaches skiff only,
 * and dies with skiff (PR_SET_PDEATHSIG) if skiff is killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <skiff/proto.h>
#include "skiff.h"

#define MAX_ARGS 128
#define SOCK_BUF (1 << 20) /* a port socket's buffers (capped by the host) */

struct argv_builder {
	char *v[MAX_ARGS + 1];
	int n;
};

static void arg(struct argv_builder *a, char *s)
{
	if (a->n < MAX_ARGS)
		a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

/* The kernel command line: options only (skiff/proto.h). */
static char *kernel_cmdline(const struct vm_config *vm)
{
	char buf[8192];
	int n = 0;
	size_t blk = 0, ninep = 0;

	buf[0] = '\0';
	if (vm->tsc_khz)
		n += snprintf(buf + n, sizeof(buf) - n, " tsc_khz=%llu",
			      (unsigned long long)vm->tsc_khz);
	if (vm->realtime_ns)
		n += snprintf(buf + n, sizeof(buf) - n, " realtime=%llu",
			      (unsigned long long)vm->realtime_ns);
	if (vm->tty_mask)
		n += snprintf(buf + n, sizeof(buf) - n, " tty=%u", vm->tty_mask);
	if (vm->cols && vm->rows)
		n += snprintf(buf + n, sizeof(buf) - n, " winsize=%ux%u",
			      vm->cols, vm->rows);
	if (vm->verbose)
		n += snprintf(buf + n, sizeof(buf) - n, " verbose");
	if (vm->one_stream)
		n += snprintf(buf + n, sizeof(buf) - n, " outerr=1");
	for (size_t i = 0; i < vm->ndisks; i++) {
		const struct disk_spec *d = &vm->disks[i];
		char *g = volume_escape(d->guest), dev[32];

		if (d->dir)
			snprintf(dev, sizeof(dev), "9p:skiff%zu", ninep++);
		else
			snprintf(dev, sizeof(dev), "vd%c", (char)('a' + blk++));
		n = strlen(buf);
		snprintf(buf + n, sizeof(buf) - n, " mount=%s:%s%s", dev, g,
			 d->ro ? ":ro" : d->soft ? ":try" : "");
		free(g);
	}
	if (vm->cwd) {
		char *g = volume_escape(vm->cwd);

		n = strlen(buf);
		snprintf(buf + n, sizeof(buf) - n, " cwd=%s", g);
		free(g);
	}
	if (vm->api_port)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			 " api=%u api_token=%s", vm->api_port, vm->api_token);
	/* The network's words last (tests/skiff/net.sh reads them there). */
	if (vm->net)
		net_cmdline(vm->net, buf, sizeof(buf));
	return xstrdup(buf[0] ? buf + 1 : "");
}

/*
 * Hidden, for kernel developers' tests (tests/virtio/run.sh): the words
 * of $SKIFF_QEMU_EXTRA, split at blanks (no quoting), end the command line.
 */
static void extra_args(struct argv_builder *a)
{
	const char *env = getenv("SKIFF_QEMU_EXTRA");
	char *save = NULL;

	if (!env)
		return;
	for (char *w = strtok_r(xstrdup(env), " \t\n", &save); w;
	     w = strtok_r(NULL, " \t\n", &save))
		arg(a, w);
}

/* QEMU's option syntax: a comma in a value is written twice. */
static char *qemu_escape(const char *s)
{
	char *out = xmalloc(2 * strlen(s) + 1), *o = out;

	for (; *s; s++) {
		if (*s == ',')
			*o++ = ',';
		*o++ = *s;
	}
	*o = 0;
	return out;
}

/*
 * A host directory: QEMU's local fsdev with security_model=none (files
 * keep the host's modes and owners, and QEMU, not root, ignores the
 * owner changes it cannot make; mapped-xattr would hide the guest's modes
 * in xattrs, so a script made executable in the guest would not be on
 * the host), and a virtio-9p device whose mount tag the kernel's
 * mount=9p:TAG word names.
 */
static void share_args(const struct vm_config *vm, const struct disk_spec *d,
		       size_t i, struct argv_builder *a)
{
	arg(a, "-fsdev");
	arg(a, xasprintf("local,id=fs%zu,path=%s,security_model=none%s", i,
			 qemu_escape(d->path), d->ro ? ",readonly=on" : ""));
	arg(a, "-device");
	arg(a, xasprintf("%s,fsdev=fs%zu,mount_tag=skiff%zu", vm->q35 ?
			 "virtio-9p-pci,disable-legacy=on" : "virtio-9p-device",
			 i, i));
}

/* virtio-blk disks, in order: the guest's vda, vdb, ...; 9p shares. A
 * writable disk passes the guest's discards on (discard=unmap): blocks the
 * file system frees become holes in the image file again. */
static void disk_args(const struct vm_config *vm, struct argv_builder *a)
{
	size_t ninep = 0, blk = 0;

	/* Drives are disk0, disk1, ... in the guest's order (vda, vdb, ...),
	 * whatever shares come between them. */
	for (size_t i = 0; i < vm->ndisks; i++) {
		const struct disk_spec *d = &vm->disks[i];

		if (d->dir) {
			share_args(vm, d, ninep++, a);
			continue;
		}
		arg(a, "-drive");
		arg(a, xasprintf("file=%s,format=raw,if=none,id=disk%zu%s",
				 qemu_escape(d->path), blk,
				 d->ro ? ",readonly=on" : ",discard=unmap"));
		arg(a, "-device");
		arg(a, xasprintf("%s,drive=disk%zu", vm->q35 ?
				 "virtio-blk-pci,disable-legacy=on" :
				 "virtio-blk-device", blk));
		blk++;
	}
	if (vm->ndisks && !vm->q35) {
		arg(a, "-global");
		arg(a, "virtio-mmio.force-legacy=false");
	}
}

static const char *const port_names[PROTO_VPORT_MAX + 1] = {
	NULL, "skiff.stdin", "skiff.stdout", "skiff.stderr", "skiff.ctl",
};

/* The virtio console (skiff/proto.h) on the ports' sockets. */
static void console_args(const struct vm_config *vm, const struct qemu *q,
			 struct argv_builder *a)
{
	if (q->qport[1] < 0)
		return;
	arg(a, "-device");
	arg(a, xasprintf("%s,max_ports=%d", vm->q35 ? "virtio-serial-pci,"
			 "disable-legacy=on" : "virtio-serial-device",
			 vm->metrics ? PROTO_VPORT_METRICS + 1 : PROTO_VPORT_MAX + 1));
	if (!vm->q35) {
		arg(a, "-global");
		arg(a, "virtio-mmio.force-legacy=false");
	}
	for (int i = 1; i <= PROTO_VPORT_MAX; i++) {
		arg(a, "-chardev");
		arg(a, xasprintf("socket,id=vp%d,fd=%d", i, q->qport[i]));
		arg(a, "-device");
		arg(a, xasprintf("virtserialport,chardev=vp%d,nr=%d,name=%s", i,
				 i, port_names[i]));
	}
	if (vm->metrics) { /* skiff stats connects to it when it likes */
		arg(a, "-chardev");
		arg(a, xasprintf("socket,id=vpm,path=%s,server=on,wait=off",
				 qemu_escape(vm->metrics)));
		arg(a, "-device");
		arg(a, xasprintf("virtserialport,chardev=vpm,nr=%d,"
				 "name=skiff.metrics", PROTO_VPORT_METRICS));
	}
}

/* The ports' socketpairs, unless $SKIFF_NO_VCONSOLE; false on error. */
static bool open_ports(struct qemu *q)
{
	for (int i = 0; i <= PROTO_VPORT_MAX; i++)
		q->port[i] = q->qport[i] = -1;
	if (getenv("SKIFF_NO_VCONSOLE"))
		return true;
	for (int i = 1; i <= PROTO_VPORT_MAX; i++) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			return false;
		q->port[i] = sv[0];
		q->qport[i] = sv[1];
		/* Room for a burst: fewer wake-ups of QEMU and skiff. */
		for (int k = 0; k < 2; k++) {
			setsockopt(sv[k], SOL_SOCKET, SO_SNDBUF, &(int){ SOCK_BUF },
				   sizeof(int));
			setsockopt(sv[k], SOL_SOCKET, SO_RCVBUF, &(int){ SOCK_BUF },
				   sizeof(int));
		}
		fcntl(sv[0], F_SETFL, O_NONBLOCK);
	}
	return true;
}

static void close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

static void build_argv(const struct vm_config *vm, const struct qemu *q,
		       struct argv_builder *a)
{
	a->n = 0;
	arg(a, (char *)vm->qemu);
	arg(a, "-M");
	arg(a, vm->q35 ? "q35" : "microvm,x-option-roms=off,rtc=off,acpi=off");
	arg(a, "-nodefaults");
	arg(a, "-no-user-config");
	arg(a, "-display");
	arg(a, "none");
	arg(a, "-no-reboot");
	arg(a, "-m");
	arg(a, xasprintf("%lluM", (unsigned long long)vm->memory_mib));
	arg(a, "-cpu");
	arg(a, vm->kvm ? "host" : "max");
	arg(a, "-accel");
	/* several vCPUs: a host thread each (MTTCG, QEMU's default for an
	 * x86 guest on an x86 host; asked for so it never falls back) */
	arg(a, vm->kvm ? "kvm" : vm->cpus > 1 ? "tcg,thread=multi" : "tcg");
	if (vm->cpus > 1) {
		arg(a, "-smp");
		arg(a, xasprintf("%d", vm->cpus));
	}
	arg(a, "-kernel");
	arg(a, (char *)vm->kernel);
	arg(a, "-initrd");
	arg(a, (char *)vm->initrd);
	arg(a, "-append");
	arg(a, kernel_cmdline(vm));
	arg(a, "-chardev");
	arg(a, "stdio,id=con,signal=off");
	arg(a, "-serial");
	arg(a, "chardev:con");
	console_args(vm, q, a); /* before the exit device: the NIC's stay last */
	disk_args(vm, a);
	arg(a, "-device");
	arg(a, xasprintf("isa-debug-exit,iobase=%#x,iosize=4", PROTO_EXIT_PORT));
	if (vm->net) {
		char *nic[6];
		int k = net_qemu_args(vm->net, vm->q35, nic);

		for (int i = 0; i < k; i++)
			arg(a, nic[i]);
	}
	if (vm->qmp) {
		arg(a, "-qmp");
		arg(a, xasprintf("unix:%s,server=on,wait=off", vm->qmp));
	}
	if (vm->incoming) {
		arg(a, "-incoming");
		arg(a, (char *)vm->incoming);
	}
	extra_args(a);
}

static void print_argv(const struct argv_builder *a)
{
	fputs("skiff:", stderr);
	for (int i = 0; i < a->n; i++) {
		const char *s = a->v[i];

		if (!*s || strpbrk(s, " \t'\"$\\"))
			fprintf(stderr, " '%s'", s);
		else
			fprintf(stderr, " %s", s);
	}
	fputc('\n', stderr);
}

/* In the child: plumbing, then exec; an exec error goes back on errfd. */
static __noreturn void child(const struct argv_builder *a, int in, int out,
			     int err, int errfd, pid_t parent, const int *qport)
{
	sigset_t none;
	int e;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		goto fail;
	for (int i = 1; i <= PROTO_VPORT_MAX; i++)
		if (qport[i] >= 0 && fcntl(qport[i], F_SETFD, 0) < 0)
			goto fail;
	execvp(a->v[0], a->v);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

int qemu_start(const struct vm_config *vm, struct qemu *q)
{
	struct argv_builder a;
	int in[2], out[2], err[2], ep[2], e = 0;
	pid_t self = getpid();

	if (!open_ports(q)) {
		skiff_err("socketpair: %s", strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	build_argv(vm, q, &a);
	if (vm->verbose)
		print_argv(&a);
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) ||
	    pipe2(err, O_CLOEXEC) || pipe2(ep, O_CLOEXEC)) {
		skiff_err("pipe: %s", strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	fflush(NULL);
	q->pid = fork();
	if (q->pid < 0) {
		skiff_err("fork: %s", strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	if (q->pid == 0)
		child(&a, in[0], out[1], err[1], ep[1], self, q->qport);
	close_fds(q->qport + 1, PROTO_VPORT_MAX);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	close(ep[1]);
	if (read(ep[0], &e, sizeof(e)) == sizeof(e)) {
		skiff_err("cannot run %s: %s", vm->qemu, strerror(e));
		waitpid(q->pid, NULL, 0);
		close(ep[0]);
		close(in[1]);
		close(out[0]);
		close(err[0]);
		close_fds(q->port + 1, PROTO_VPORT_MAX);
		return SKIFF_EXIT_FAILED;
	}
	close(ep[0]);
	q->in = in[1];
	q->out = out[0];
	q->err = err[0];
	fcntl(q->in, F_SETFL, O_NONBLOCK);
	return 0;
}

/*
 * Waits up to ms for pid to end (it is then a zombie, reaped by the
 * caller). Through a pidfd, which wakes at the exit itself: QEMU has
 * closed its output a moment before it becomes a zombie, and a poll of
 * waitpid in 10 ms naps used to add a nap to most runs. Without pidfds
 * (Linux before 5.3), naps of 1 ms.
 */
static void wait_for_exit(pid_t pid, int ms)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct timespec tick = { 0, 1000000 };
	siginfo_t si;

	if (fd >= 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		while (poll(&p, 1, ms) < 0 && errno == EINTR)
			;
		close(fd);
		return;
	}
	for (int waited = 0; waited < ms; waited++) {
		si.si_pid = 0;
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) ||
		    si.si_pid == pid)
			return;
		nanosleep(&tick, NULL);
	}
}

int qemu_reap(struct qemu *q, int grace_ms)
{
	int status = 0;
	bool reaped = waitpid(q->pid, &status, WNOHANG) == q->pid;

	if (!reaped && grace_ms > 0) {
		wait_for_exit(q->pid, grace_ms);
		reaped = waitpid(q->pid, &status, WNOHANG) == q->pid;
	}
	if (!reaped) {
		kill(q->pid, SIGKILL);
		while (waitpid(q->pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	close(q->in);
	close(q->out);
	close(q->err);
	close_fds(q->port + 1, PROTO_VPORT_MAX);
	return status;
}
