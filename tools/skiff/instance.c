/*
 * Detached instances (skiff run -d): where their state lives, and the
 * commands that manage them: ps, logs, stop, kill, wait, rm. keeper.c
 * starts them; docs/instances.md is the user's view.
 *
 * Each instance is one directory, named after it, under inst_base():
 *   keeper.pid  the keeper (a skiff process that owns QEMU and the relay)
 *   qemu.pid    its QEMU
 *   qmp.sock    QEMU's QMP socket
 *   metrics.sock  the kernel's metrics port (skiff/proto.h; stats.c)
 *   log         the program's stdout and stderr, in order
 *   config      "program P", "memory M", "started UNIXTIME", "ports ..."
 *   cmdline     the skiff command line, shell-quoted
 *   status      written once, when the program is over: "exited N",
 *               "killed N" (a signal), "error MSG" or "failed MSG"
 * The directory is made with mkdir(2), which is what makes a name unique.
 * An instance without a status runs while its keeper lives; a keeper gone
 * without a status (killed, the host crashed) is a stale entry, shown as
 * exited. Requests reach the keeper as queued signals (sigqueue(3)):
 * INST_SIG_FORWARD with a signal number to forward to the program,
 * INST_SIG_POWEROFF to power the VM off now.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "skiff.h"
#include "instance.h"

char *inst_base(bool create)
{
	const char *env = getenv("SKIFF_RUN_DIR"), *xdg;
	char *base, *parent = NULL;

	if (env && *env)
		base = xstrdup(env);
	else if (geteuid() == 0)
		base = xstrdup("/run/skiff");
	else if ((xdg = getenv("XDG_RUNTIME_DIR")) && *xdg)
		base = xasprintf("%s/skiff", xdg);
	else
		base = xasprintf("/tmp/skiff-%u", (unsigned)geteuid());
	if (create && mkdir(base, 0700) < 0 && errno == ENOENT) {
		parent = xstrdup(base);
		*strrchr(parent, '/') = '\0';
		mkdir(parent, 0700);
		mkdir(base, 0700);
	}
	free(parent);
	return base;
}

bool inst_valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 63 || !isalnum((unsigned char)name[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

char *inst_path(const char *name, const char *file)
{
	char *base = inst_base(false), *p;

	p = file ? xasprintf("%s/%s/%s", base, name, file)
		 : xasprintf("%s/%s", base, name);
	free(base);
	return p;
}

int inst_write(const char *name, const char *file, const char *text)
{
	return inst_write_bytes(name, file, text, strlen(text));
}

int inst_write_bytes(const char *name, const char *file, const char *text,
		     size_t len)
{
	char *path = inst_path(name, file), *tmp = xasprintf("%s.new", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int err = 0;

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		err = -errno;
	if (fd >= 0 && close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	free(tmp);
	free(path);
	return err;
}

char *inst_read(const char *name, const char *file)
{
	char *path = inst_path(name, file), *buf;
	FILE *f = fopen(path, "re");
	size_t n;

	free(path);
	if (!f)
		return NULL;
	buf = xmalloc(65536);
	n = fread(buf, 1, 65535, f);
	fclose(f);
	while (n && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return buf;
}

void inst_remove(const char *name)
{
	char *dir = inst_path(name, NULL);
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		unlinkat(dirfd(d), e->d_name, 0);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	free(dir);
}

/* The value of "KEY VALUE" in the instance's config ("" if none). */
static void config_value(const char *config, const char *key, char *out,
			 size_t len)
{
	size_t k = strlen(key);

	out[0] = '\0';
	for (const char *l = config; l && *l;) {
		const char *end = strchr(l, '\n');
		size_t n = end ? (size_t)(end - l) : strlen(l);

		if (n > k && !strncmp(l, key, k) && l[k] == ' ') {
			snprintf(out, len, "%.*s", (int)(n - k - 1), l + k + 1);
			return;
		}
		l = end ? end + 1 : NULL;
	}
}

/* True if pid is a live skiff process (the keeper), not a zombie. */
static bool keeper_alive(pid_t pid)
{
	char path[64], stat[128] = "", *close_paren;
	FILE *f;

	if (pid <= 0 || (kill(pid, 0) < 0 && errno != EPERM))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(stat, sizeof(stat), f))
		stat[0] = '\0';
	fclose(f);
	close_paren = strrchr(stat, ')');
	return strstr(stat, "(skiff)") && close_paren && close_paren[1] == ' ' &&
	       close_paren[2] != 'Z' && close_paren[2] != 'X';
}

bool inst_load(const char *name, struct inst_state *s)
{
	char *dir = inst_path(name, NULL), *text, *config;
	struct stat st;
	bool ok = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);

	free(dir);
	memset(s, 0, sizeof(*s));
	if (!ok)
		return false;
	snprintf(s->name, sizeof(s->name), "%s", name);
	text = inst_read(name, "keeper.pid");
	s->keeper = text ? atoi(text) : 0;
	free(text);
	text = inst_read(name, "qemu.pid");
	s->qemu = text ? atoi(text) : 0;
	free(text);
	text = inst_read(name, "status");
	snprintf(s->status, sizeof(s->status), "%s", text ? text : "");
	free(text);
	config = inst_read(name, "config");
	config_value(config, "program", s->program, sizeof(s->program));
	config_value(config, "memory", s->memory, sizeof(s->memory));
	config_value(config, "ports", s->ports, sizeof(s->ports));
	config_value(config, "started", s->started, sizeof(s->started));
	free(config);
	text = inst_read(name, "api");
	snprintf(s->api, sizeof(s->api), "%s", text ? text : "");
	free(text);
	s->running = !s->status[0] && keeper_alive(s->keeper);
	if (!s->running && !s->status[0])
		snprintf(s->status, sizeof(s->status),
			 "failed its keeper is gone (stale entry)");
	return true;
}

int inst_exit_code(const struct inst_state *s)
{
	int n = atoi(s->status + strcspn(s->status, "0123456789"));

	if (!strncmp(s->status, "exited ", 7))
		return n;
	if (!strncmp(s->status, "killed ", 7))
		return 128 + n;
	if (!strncmp(s->status, "error ", 6))
		return SKIFF_EXIT_CANNOT_RUN;
	if (!strncmp(s->status, "snapshotted", 11) ||
	    !strncmp(s->status, "migrated ", 9))
		return 0;
	return SKIFF_EXIT_FAILED;
}

void inst_describe(const struct inst_state *s, char *out, size_t len)
{
	int n = atoi(s->status + strcspn(s->status, "0123456789"));
	const char *abbrev;

	if (s->running)
		snprintf(out, len, "running");
	else if (!strncmp(s->status, "exited ", 7))
		snprintf(out, len, "exited %d", n);
	else if (!strncmp(s->status, "killed ", 7) &&
		 (abbrev = sigabbrev_np(n)))
		snprintf(out, len, "killed by SIG%s", abbrev);
	else if (!strncmp(s->status, "killed ", 7))
		snprintf(out, len, "killed by signal %d", n);
	else if (!strncmp(s->status, "migrated ", 9))
		snprintf(out, len, "migrated to %s", s->status + 9);
	else if (!strncmp(s->status, "snapshotted", 11))
		snprintf(out, len, "stopped by snapshot --stop");
	else if (!strncmp(s->status, "failed its keeper", 17))
		snprintf(out, len, "exited (stale: QEMU gone)");
	else
		snprintf(out, len, "failed");
}

int inst_find(const char *name, struct inst_state *s)
{
	if (!inst_valid_name(name)) {
		skiff_err("'%s' is not an instance name", name);
		return SKIFF_EXIT_USAGE;
	}
	if (!inst_load(name, s)) {
		skiff_err("no instance named '%s' (skiff ps -a lists them)", name);
		return 1;
	}
	return 0;
}

int inst_signal_keeper(const struct inst_state *s, int sig, int value)
{
	if (sigqueue(s->keeper, sig, (union sigval){ .sival_int = value }) < 0) {
		skiff_err("cannot reach the keeper of '%s' (pid %d): %s", s->name,
			  (int)s->keeper, strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	return 0;
}

bool inst_wait_keeper(pid_t pid, int ms)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	s64 end = relay_now_ns() + (s64)ms * 1000000;

	if (fd >= 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r;

		do {
			s64 left = (end - relay_now_ns()) / 1000000;
			r = poll(&p, 1, ms < 0 ? -1 : (int)MAX(left, 0));
		} while (r < 0 && errno == EINTR);
		close(fd);
		return !keeper_alive(pid);
	}
	while (keeper_alive(pid) && (ms < 0 || relay_now_ns() < end))
		usleep(20000);
	return !keeper_alive(pid);
}
