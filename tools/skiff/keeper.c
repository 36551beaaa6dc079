/*
 * skiff run -d: a detached instance (instance.c has its state). After
 * run_command's checks (so a wrong program or a taken port fails as in the
 * foreground), skiff claims the name (mkdir), writes the config, and forks
 * the keeper: a skiff process in a session of its own, stdin /dev/null,
 * stdout and stderr the instance's log. The keeper starts QEMU (with a QMP
 * socket in the instance's directory) and runs the same relay as a
 * foreground run, so the log gets the program's stdout and stderr in
 * order; it takes requests as queued signals (instance.h) and, when the
 * program is over, writes the status (and with --rm removes it all).
 * skiff itself waits until the guest's first console byte (it booted),
 * prints the name and exits 0; if the keeper ends first, one line says
 * why and skiff exits with the instance's status.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "skiff.h"
#include "instance.h"

static void on_forward(int sig, siginfo_t *si, void *uc)
{
	int s = si->si_value.sival_int;

	if (s >= 1 && s <= 64)
		__atomic_or_fetch(&relay_pending_signals, 1ull << (s - 1),
				  __ATOMIC_SEQ_CST);
}

static void on_poweroff(int sig)
{
	relay_end_now = 1;
}

/* After relay_catch_signals: handled only while the relay waits. */
static void keeper_signals(void)
{
	struct sigaction sa = { .sa_sigaction = on_forward,
				.sa_flags = SA_SIGINFO };
	sigset_t block;

	sigaction(INST_SIG_FORWARD, &sa, NULL);
	sa = (struct sigaction){ .sa_handler = on_poweroff };
	sigaction(INST_SIG_POWEROFF, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, INST_SIG_FORWARD);
	sigaddset(&block, INST_SIG_POWEROFF);
	sigprocmask(SIG_BLOCK, &block, NULL);
}

/* The last non-empty line of s, in place (the status is one line). */
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

/* The status file's line for the relay's outcome. */
static char *status_text(struct relay_result *r, int qemu_status)
{
	if (r->rec.kind == REC_EXIT)
		return xasprintf("exited %d\n", r->rec.status);
	if (r->rec.kind == REC_SIGNAL)
		return xasprintf("killed %d\n", r->rec.status);
	if (r->rec.kind == REC_ERROR)
		return xasprintf("error %s\n", r->rec.msg);
	if (relay_end_now)
		return xstrdup("killed 9\n"); /* powered off by stop */
	if (r->rec.kind == REC_PANIC)
		return xasprintf("failed kernel panic %s\n", r->rec.msg);
	if (WIFSIGNALED(qemu_status))
		return xasprintf("failed QEMU killed by signal %d\n",
				 WTERMSIG(qemu_status));
	return xasprintf("failed QEMU ended without a status: %.200s\n",
			 last_line(r->qemu_err));
}

/*
 * After -incoming: waits for the state to be in, resumes the VM, has the
 * relay send the guest the host's time, and tells skiff it is up. On
 * failure QEMU is left to end (its messages make the status).
 */
static void resume(const char *name)
{
	char *sock = inst_path(name, "qmp.sock"), reply[4096];
	int qmp = qmp_connect(sock, 10000);
	s64 end = relay_now_ns() + INST_BOOT_MS * 1000000ll;

	free(sock);
	while (qmp >= 0 && relay_now_ns() < end) {
		if (qmp_command(qmp, "{\"execute\": \"query-status\"}", reply,
				sizeof(reply)))
			break;
		if (strstr(reply, "\"status\": \"inmigrate\"")) {
			usleep(10000);
			continue;
		}
		if (strstr(reply, "\"status\": \"running\"") ||
		    !qmp_command(qmp, "{\"execute\": \"cont\"}", reply,
				 sizeof(reply))) {
			relay_send_time = 1;
			ssize_t ignored = write(relay_boot_fd, "r", 1);

			(void)ignored;
			close(relay_boot_fd);
			relay_boot_fd = -1;
		}
		break;
	}
	if (qmp >= 0)
		close(qmp);
}

static __noreturn void keeper(const struct skiff_opts *o,
			      struct vm_config *vm, const char *name,
			      int logfd, int boot_fd)
{
	struct relay_result *r = xmalloc(sizeof(*r));
	int null = open("/dev/null", O_RDONLY), status;
	struct timespec now;
	struct qemu q;
	char *text, *old = NULL;

	text = xasprintf("%d\n", (int)getpid());
	inst_write(name, "keeper.pid", text); /* before anyone can look */
	free(text);
	setsid();
	if (null < 0 || dup2(null, 0) < 0 || dup2(logfd, 1) < 0 ||
	    dup2(logfd, 2) < 0)
		_exit(SKIFF_EXIT_FAILED);
	close(null);
	close(logfd);
	relay_catch_signals();
	keeper_signals();
	relay_boot_fd = boot_fd;
	clock_gettime(CLOCK_REALTIME, &now);
	vm->realtime_ns = (u64)now.tv_sec * 1000000000 + now.tv_nsec;
	if (qemu_start(vm, &q)) {
		inst_write(name, "status", "failed QEMU did not start\n");
		_exit(SKIFF_EXIT_FAILED);
	}
	text = xasprintf("%d\n", (int)q.pid);
	inst_write(name, "qemu.pid", text);
	free(text);
	if (vm->incoming)
		resume(name);
	relay_run(&q, o->verbose, relay_now_ns(), r);
	status = qemu_reap(&q, r->qemu_closed ? 3000 : 0);
	text = status_text(r, status);
	if (o->rm)
		inst_remove(name);
	else if (!(old = inst_read(name, "status"))) /* snapshot --stop's */
		inst_write(name, "status", text);
	free(old);
	_exit(0);
}

/* A name from the program's, with 4 random hex digits: "sleep-3fa2". */
static char *generate_name(const struct skiff_opts *o)
{
	const char *base = strrchr(o->argv[0], '/');
	char stem[24];
	size_t n = 0;
	u16 rnd = 0;

	base = base ? base + 1 : o->argv[0];
	for (; *base && n < sizeof(stem) - 1; base++)
		if (inst_valid_name((char[]){ 'a', *base, 0 }))
			stem[n++] = *base;
	stem[n] = '\0';
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (u16)(getpid() ^ time(NULL));
	return xasprintf("%s-%04x", n && inst_valid_name(stem) ? stem : "skiff",
			 rnd);
}

/* The instance's directory, made: 0, or an exit status after a line. */
static int claim_name(const struct skiff_opts *o, char **name)
{
	char *base = inst_base(true), *dir;
	int tries = 0;

	for (;;) {
		*name = o->name ? xstrdup(o->name) : generate_name(o);
		dir = xasprintf("%s/%s", base, *name);
		if (mkdir(dir, 0700) == 0)
			break;
		if (errno != EEXIST || o->name || ++tries == 100) {
			if (errno == EEXIST)
				skiff_err("the name '%s' is taken (skiff rm %s frees it)",
					  *name, *name);
			else
				skiff_err("%s: %s", dir, strerror(errno));
			free(dir);
			free(base);
			return SKIFF_EXIT_FAILED;
		}
		free(dir);
		free(*name);
	}
	free(dir);
	free(base);
	return 0;
}

/* The command line, each word in single quotes where it needs them. */
static char *quoted_cmdline(const struct skiff_opts *o)
{
	size_t cap = 16, len;
	char *s;

	for (int i = 0; i < o->cmd_argc; i++)
		cap += 4 * strlen(o->cmd_argv[i]) + 3;
	s = xmalloc(cap);
	len = (size_t)sprintf(s, "skiff");
	for (int i = 0; i < o->cmd_argc; i++) {
		const char *w = o->cmd_argv[i];

		if (*w && !strpbrk(w, " \t\n'\"$\\`*?[]{}()<>|&;#~")) {
			len += sprintf(s + len, " %s", w);
			continue;
		}
		len += sprintf(s + len, " '");
		for (; *w; w++)
			len += *w == '\'' ? sprintf(s + len, "'\\''")
					  : sprintf(s + len, "%c", *w);
		len += sprintf(s + len, "'");
	}
	s[len++] = '\n';
	s[len] = '\0';
	return s;
}

/* argv (each argument ending in a NUL) and cwd, for skiff snapshot. */
static int write_argv(const struct skiff_opts *o, const char *name)
{
	size_t len = 1;
	char *buf, *p, *cwd = path_absolute(".");
	int err;

	for (int i = 0; i < o->cmd_argc; i++)
		len += strlen(o->cmd_argv[i]) + 1;
	p = buf = xmalloc(len);
	for (int i = 0; i < o->cmd_argc; i++)
		p = stpcpy(p, o->cmd_argv[i]) + 1;
	*p = '\0';
	err = inst_write_bytes(name, "argv", buf, len);
	if (!err)
		err = inst_write(name, "cwd", cwd);
	free(buf);
	free(cwd);
	return err;
}

static int write_config(const struct skiff_opts *o, const struct vm_config *vm,
			const char *name)
{
	char ports[512] = "", one[80], *text, *cmd = quoted_cmdline(o);
	int err;

	for (size_t i = 0; vm->net && i < vm->net->nports; i++) {
		net_format_publish(&vm->net->ports[i], one, sizeof(one));
		snprintf(ports + strlen(ports), sizeof(ports) - strlen(ports),
			 "%s%s", i ? "," : "", one);
	}
	text = xasprintf("program %s\nmemory %lluM\nstarted %lld\nports %s\n",
			 o->argv[0], (unsigned long long)vm->memory_mib,
			 (long long)time(NULL), ports);
	err = inst_write(name, "config", text);
	if (!err)
		err = inst_write(name, "cmdline", cmd);
	if (!err)
		err = write_argv(o, name);
	if (!err)
		err = api_write_state(name, vm); /* api.c: the API's token */
	free(text);
	free(cmd);
	if (err)
		skiff_err("writing the state of '%s': %s", name, strerror(-err));
	return err ? SKIFF_EXIT_FAILED : 0;
}

/* In skiff: waits for the boot byte; prints the name, or why not. */
static int wait_boot(const char *name, int fd, pid_t keeper_pid)
{
	struct pollfd p = { fd, POLLIN, 0 };
	struct inst_state s;
	char b, state[64];
	int r;

	while ((r = poll(&p, 1, INST_BOOT_MS)) < 0 && errno == EINTR)
		;
	if (r > 0 && read(fd, &b, 1) == 1) {
		printf("%s\n", name);
		return 0;
	}
	if (r == 0) {
		skiff_err("instance '%s' did not boot within %d s; powered off",
			  name, INST_BOOT_MS / 1000);
		kill(keeper_pid, INST_SIG_POWEROFF);
		return SKIFF_EXIT_FAILED;
	}
	waitpid(keeper_pid, NULL, 0);
	if (!inst_load(name, &s)) {
		skiff_err("instance '%s' ended before it booted", name);
		return SKIFF_EXIT_FAILED;
	}
	inst_describe(&s, state, sizeof(state));
	skiff_err("instance '%s' ended before it booted (%s%s%s); see skiff logs %s",
		  name, state, s.status[0] == 'f' ? ": " : "",
		  s.status[0] == 'f' ? s.status + 7 : "", name);
	return inst_exit_code(&s);
}

int inst_start(const struct skiff_opts *o, struct vm_config *vm)
{
	char *name, *log;
	int logfd, boot[2], err;
	pid_t child;

	if ((err = claim_name(o, &name)))
		return err;
	vm->tty_mask = o->tty ? 7 : 0; /* skiff's terminal is not the guest's */
	vm->cols = vm->rows = 0;
	vm->qmp = inst_path(name, "qmp.sock");
	vm->metrics = inst_path(name, "metrics.sock"); /* skiff stats */
	/* One log: stderr over stdout's port keeps the two in order. */
	vm->one_stream = true;
	vm->incoming = o->incoming;
	log = inst_path(name, "log");
	logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	free(log);
	err = logfd < 0 ? SKIFF_EXIT_FAILED : write_config(o, vm, name);
	if (!err && pipe2(boot, O_CLOEXEC) < 0)
		err = SKIFF_EXIT_FAILED;
	if (err) {
		skiff_err("cannot set up instance '%s': %s", name, strerror(errno));
		inst_remove(name);
		return err;
	}
	fflush(NULL);
	child = fork();
	if (child == 0) {
		close(boot[0]);
		keeper(o, vm, name, logfd, boot[1]);
	}
	close(boot[1]);
	close(logfd);
	if (child < 0) {
		skiff_err("fork: %s", strerror(errno));
		inst_remove(name);
		return SKIFF_EXIT_FAILED;
	}
	return wait_boot(name, boot[0], child);
}

static char *fg_name; /* the named foreground run's, NULL if none */

int inst_fg_begin(const struct skiff_opts *o, struct vm_config *vm)
{
	char *log, *pid;
	int err;

	if ((err = claim_name(o, &fg_name)))
		return err;
	vm->qmp = inst_path(fg_name, "qmp.sock");
	log = inst_path(fg_name, "log");
	relay_log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			    0600);
	free(log);
	pid = xasprintf("%d\n", (int)getpid());
	err = relay_log_fd < 0 ? SKIFF_EXIT_FAILED : write_config(o, vm, fg_name);
	if (!err && inst_write(fg_name, "keeper.pid", pid))
		err = SKIFF_EXIT_FAILED;
	free(pid);
	if (err) {
		skiff_err("cannot set up instance '%s': %s", fg_name,
			  strerror(errno));
		inst_remove(fg_name);
		return err;
	}
	keeper_signals();
	return 0;
}

void inst_fg_qemu(pid_t qemu)
{
	char *text = xasprintf("%d\n", (int)qemu);

	if (fg_name)
		inst_write(fg_name, "qemu.pid", text);
	free(text);
}

void inst_fg_end(const struct skiff_opts *o, struct relay_result *r,
		 int qemu_status)
{
	char *text, *old;

	if (!fg_name)
		return;
	text = r ? status_text(r, qemu_status) : xstrdup("failed QEMU did not start\n");
	if (o->rm)
		inst_remove(fg_name);
	else if (!(old = inst_read(fg_name, "status")))
		inst_write(fg_name, "status", text);
	else
		free(old);
	free(text);
	free(fg_name);
	fg_name = NULL;
}
