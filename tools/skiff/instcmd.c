/*
 * The commands that manage detached instances (instance.c has their
 * state): skiff ps [-a], logs [-f] [--tail N], stop [-t SECS], kill
 * [-s SIG], wait, rm [-f]. Each takes --help. A wrong name, a stop of an
 * instance that is not running and the like print one line and exit
 * nonzero (1, or 2 for a bad command line).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>
#include "skiff.h"
#include "instance.h"

#define STOP_POWEROFF_MS 10000 /* the keeper's time to power off */

struct inst_cmd {
	const char *name;
	const char *opts;	/* getopt's short options */
	const char *longonly;	/* the long-only options it takes (their
				   getopt codes: n --tail, S --stop, N --name) */
	const char *usage;	/* the --help text */
	int (*run)(int argc, char **argv, const char *opt_value, bool flag);
};

static int usage_error(const struct inst_cmd *c, const char *msg)
{
	skiff_err("%s: %s (see skiff %s --help)", c->name, msg, c->name);
	return SKIFF_EXIT_USAGE;
}

static int cmd_ps(int argc, char **argv, const char *unused, bool all)
{
	char *base = inst_base(false);
	DIR *d = opendir(base);
	struct dirent *e;
	time_t now = time(NULL);

	printf("%-20s %-24s %-26s %-9s %-7s %s\n", "NAME", "PROGRAM", "STATE",
	       "UPTIME", "MEMORY", "PORTS");
	while (d && (e = readdir(d))) {
		struct inst_state s;
		char state[64], up[32] = "-";

		if (!inst_valid_name(e->d_name) || !inst_load(e->d_name, &s))
			continue;
		if (!s.running && !all)
			continue;
		inst_describe(&s, state, sizeof(state));
		if (s.running && s.started[0]) {
			long t = (long)(now - atoll(s.started));

			if (t < 3600)
				snprintf(up, sizeof(up), "%ldm%02lds", t / 60, t % 60);
			else
				snprintf(up, sizeof(up), "%ldh%02ldm", t / 3600,
					 t / 60 % 60);
		}
		printf("%-20s %-24s %-26s %-9s %-7s %s\n", s.name, s.program,
		       state, up, s.memory, s.ports[0] ? s.ports : "-");
	}
	if (d)
		closedir(d);
	free(base);
	return 0;
}

/* Where the last n lines of the file start (0: all). */
static off_t tail_offset(int fd, long n)
{
	off_t end = lseek(fd, 0, SEEK_END), pos = end;
	char buf[4096];
	long lines = 0;

	while (pos > 0) {
		size_t k = pos >= (off_t)sizeof(buf) ? sizeof(buf) : (size_t)pos;

		pos -= k;
		if (pread(fd, buf, k, pos) != (ssize_t)k)
			return 0;
		for (size_t i = k; i-- > 0;) {
			/* A newline that ends the file ends its last line. */
			if (buf[i] == '\n' && pos + (off_t)i != end - 1 &&
			    ++lines == n)
				return pos + i + 1;
		}
	}
	return 0;
}

static bool copy_out(int fd)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, n, stdout) != (size_t)n)
			return false;
	return fflush(stdout) == 0;
}

/* logs -f: the log as it grows, until the keeper ends (or stdout does). */
static void follow(int fd, const struct inst_state *s, const char *path)
{
	int in = inotify_init1(IN_CLOEXEC);

	if (in >= 0)
		inotify_add_watch(in, path, IN_MODIFY);
	while (copy_out(fd)) {
		struct pollfd p = { in, POLLIN, 0 };
		char ev[4096];

		if (!inst_wait_keeper(s->keeper, 0)) {
			/* Woken by a write, or every 200 ms in any case. */
			if (poll(&p, in >= 0, 200) > 0 && read(in, ev, sizeof(ev)) < 0)
				break;
			continue;
		}
		copy_out(fd); /* what the keeper wrote before it ended */
		break;
	}
	if (in >= 0)
		close(in);
}

static int cmd_logs(int argc, char **argv, const char *tail, bool f)
{
	struct inst_state s;
	char *path, *end = NULL;
	long n = 0;
	int fd, err;

	if (tail && ((n = strtol(tail, &end, 10)) < 0 || *end || !*tail)) {
		skiff_err("logs: --tail %s: expected a number of lines", tail);
		return SKIFF_EXIT_USAGE;
	}
	if ((err = inst_find(argv[0], &s)))
		return err;
	path = inst_path(s.name, "log");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		skiff_err("%s: %s", path, strerror(errno));
		free(path);
		return 1;
	}
	lseek(fd, tail ? (n ? tail_offset(fd, n) : lseek(fd, 0, SEEK_END)) : 0,
	      SEEK_SET);
	if (f && s.running)
		follow(fd, &s, path);
	else
		copy_out(fd);
	close(fd);
	free(path);
	return 0;
}

static int not_running(const struct inst_state *s)
{
	char state[64];

	inst_describe(s, state, sizeof(state));
	skiff_err("instance '%s' is not running (%s)", s->name, state);
	return 1;
}

static int cmd_stop(int argc, char **argv, const char *secs, bool unused)
{
	struct inst_state s;
	char *end = NULL;
	long t = 10;
	int err;

	if (secs && ((t = strtol(secs, &end, 10)) < 0 || *end || !*secs ||
		     t > 86400)) {
		skiff_err("stop: -t %s: expected seconds (0 to 86400)", secs);
		return SKIFF_EXIT_USAGE;
	}
	if ((err = inst_find(argv[0], &s)))
		return err;
	if (!s.running)
		return not_running(&s);
	if ((err = inst_signal_keeper(&s, INST_SIG_FORWARD, SIGTERM)))
		return err;
	if (!inst_wait_keeper(s.keeper, (int)t * 1000)) {
		inst_signal_keeper(&s, INST_SIG_POWEROFF, 0);
		if (!inst_wait_keeper(s.keeper, STOP_POWEROFF_MS)) {
			/* QEMU dies with its keeper (PR_SET_PDEATHSIG). */
			kill(s.keeper, SIGKILL);
			inst_wait_keeper(s.keeper, STOP_POWEROFF_MS);
			inst_write(s.name, "status", "killed 9\n");
		}
	}
	puts(s.name);
	return 0;
}

/* "TERM", "SIGTERM", "term" or "15" into a signal number; 0 if none. */
static int parse_signal(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s && !*end)
		return n >= 1 && n <= 64 ? (int)n : 0;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (int i = 1; i < 32; i++) {
		const char *a = sigabbrev_np(i);

		if (a && !strcasecmp(a, s))
			return i;
	}
	return 0;
}

static int cmd_kill(int argc, char **argv, const char *sig, bool unused)
{
	int signo = sig ? parse_signal(sig) : SIGKILL;
	struct inst_state s;
	int err;

	if (!signo) {
		skiff_err("kill: -s %s: expected a signal name or number", sig);
		return SKIFF_EXIT_USAGE;
	}
	if ((err = inst_find(argv[0], &s)))
		return err;
	if (!s.running)
		return not_running(&s);
	if ((err = inst_signal_keeper(&s, INST_SIG_FORWARD, signo)))
		return err;
	puts(s.name);
	return 0;
}

static int cmd_wait(int argc, char **argv, const char *unused, bool f)
{
	struct inst_state s;
	int err;

	if ((err = inst_find(argv[0], &s)))
		return err;
	if (s.running)
		inst_wait_keeper(s.keeper, -1);
	if (!inst_load(argv[0], &s)) {
		skiff_err("instance '%s' was removed (--rm) as it ended", argv[0]);
		return 1;
	}
	printf("%d\n", inst_exit_code(&s));
	return inst_exit_code(&s);
}

static int cmd_rm(int argc, char **argv, const char *unused, bool force)
{
	int status = 0;

	for (int i = 0; i < argc; i++) {
		struct inst_state s;
		int err = inst_find(argv[i], &s);

		if (!err && s.running && !force) {
			skiff_err("instance '%s' is running: stop it first (or rm -f)",
				  s.name);
			err = 1;
		}
		if (!err && s.running) {
			inst_signal_keeper(&s, INST_SIG_POWEROFF, 0);
			if (!inst_wait_keeper(s.keeper, STOP_POWEROFF_MS))
				kill(s.keeper, SIGKILL);
			inst_wait_keeper(s.keeper, STOP_POWEROFF_MS);
		}
		if (!err) {
			inst_remove(s.name);
			puts(s.name);
		}
		status = status ? status : err;
	}
	return status;
}

static int cmd_snapshot(int argc, char **argv, const char *unused, bool stop)
{
	return snap_save(argv[0], argv[1], stop);
}

static int cmd_restore(int argc, char **argv, const char *name, bool unused)
{
	if (name && !inst_valid_name(name)) {
		skiff_err("restore: --name %s: expected letters, digits, '_', '.' or '-'",
			  name);
		return SKIFF_EXIT_USAGE;
	}
	return snap_restore(argv[0], name);
}

static const char *port_arg; /* receive --port */

static int cmd_migrate(int argc, char **argv, const char *unused, bool f)
{
	return mig_send(argv[0], argv[1]);
}

static int cmd_receive(int argc, char **argv, const char *name, bool f)
{
	char *end = NULL;
	long port = port_arg ? strtol(port_arg, &end, 10) : 7700;

	if ((end && *end) || port < 1 || port > 65534) {
		skiff_err("receive: --port %s: expected a port (1 to 65534)",
			  port_arg);
		return SKIFF_EXIT_USAGE;
	}
	if (name && !inst_valid_name(name)) {
		skiff_err("receive: --name %s: not an instance name", name);
		return SKIFF_EXIT_USAGE;
	}
	return mig_receive((int)port, name);
}

static const struct inst_cmd cmds[] = {
	{ "ps", "a", "", "Usage: skiff ps [-a]\n"
	  "Lists the running instances (with -a, all: ended and stale ones\n"
	  "too): name, program, state (running, exited N, killed by SIGX,\n"
	  "exited (stale: QEMU gone)), uptime, guest memory, published ports.\n",
	  cmd_ps },
	{ "logs", "f", "n", "Usage: skiff logs [-f] [--tail N] NAME\n"
	  "Prints the program's stdout and stderr as it wrote them (kept after\n"
	  "it ends, until skiff rm). -f, --follow: goes on printing until the\n"
	  "instance ends. --tail N: only the last N lines.\n", cmd_logs },
	{ "stop", "t:", "", "Usage: skiff stop [-t SECS] NAME\n"
	  "Sends SIGTERM to the program; powers the VM off if it has not\n"
	  "ended after SECS seconds (default 10; the status is then killed by\n"
	  "SIGKILL). Prints NAME.\n", cmd_stop },
	{ "kill", "s:", "", "Usage: skiff kill [-s SIGNAL] NAME\n"
	  "Delivers SIGNAL (a name such as TERM or SIGUSR1, or a number;\n"
	  "default KILL) to the program inside the VM. Prints NAME.\n",
	  cmd_kill },
	{ "wait", "", "", "Usage: skiff wait NAME\n"
	  "Waits until the program ends, prints its status as skiff run would\n"
	  "exit with it (0-255, 128+N for signal N, 125 if the VM failed) and\n"
	  "exits with that status.\n", cmd_wait },
	{ "rm", "f", "", "Usage: skiff rm [-f] NAME...\n"
	  "Removes ended instances: their state and log. -f, --force: powers\n"
	  "off a running one first.\n", cmd_rm },
	{ "snapshot", "", "S", "Usage: skiff snapshot NAME FILE [--stop]\n"
	  "Saves the running instance's whole state (memory, devices: QEMU's\n"
	  "migration stream, gzip'ed) to FILE, and lets it run on, or with\n"
	  "--stop powers it off.\n", cmd_snapshot },
	{ "restore", "", "N", "Usage: skiff restore FILE [--name NAME]\n"
	  "Starts a detached instance from a snapshot, where it was saved;\n"
	  "its clocks jump to the host's time. The command line it ran with\n"
	  "runs again: its program, kernel, disks and free ports must be\n"
	  "there. Prints the name (default: generated).\n", cmd_restore },
	{ "migrate", "", "", "Usage: skiff migrate NAME HOST:PORT\n"
	  "Moves the running instance live to the host where skiff receive\n"
	  "listens on PORT: it goes on there (its published ports too) and\n"
	  "ends here as migrated. The target needs the same program, kernel\n"
	  "and -v paths (docs/instances.md).\n", cmd_migrate },
	{ "receive", "", "PN", "Usage: skiff receive [--port PORT] [--name NAME]\n"
	  "Waits for one skiff migrate on PORT (default 7700; QEMU's stream\n"
	  "comes on PORT+1), runs the instance here, prints its name (default:\n"
	  "the source's).\n", cmd_receive },
};

bool inst_is_command(const char *cmd)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i].name, cmd))
			return true;
	return false;
}

/* The operands each command takes: ps none, rm one or more, snapshot
 * two, others one. */
static int check_operands(const struct inst_cmd *c, int n)
{
	if (!strcmp(c->name, "ps") || !strcmp(c->name, "receive"))
		return n ? usage_error(c, "takes no operands") : 0;
	if (!strcmp(c->name, "snapshot"))
		return n != 2 ? usage_error(c, "expected NAME FILE") : 0;
	if (!strcmp(c->name, "migrate"))
		return n != 2 ? usage_error(c, "expected NAME HOST:PORT") : 0;
	if (n == 0)
		return usage_error(c, "missing NAME");
	if (n > 1 && strcmp(c->name, "rm"))
		return usage_error(c, "takes one NAME");
	return 0;
}

int inst_command(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "all", no_argument, NULL, 'a' },
		{ "follow", no_argument, NULL, 'f' },
		{ "force", no_argument, NULL, 'f' },
		{ "tail", required_argument, NULL, 'n' },
		{ "time", required_argument, NULL, 't' },
		{ "signal", required_argument, NULL, 's' },
		{ "stop", no_argument, NULL, 'S' },
		{ "name", required_argument, NULL, 'N' },
		{ "port", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	const struct inst_cmd *c = NULL;
	const char *value = NULL;
	char shorts[16];
	bool flag = false;
	int ch, err;

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i].name, argv[0]))
			c = &cmds[i];
	snprintf(shorts, sizeof(shorts), ":h%s", c->opts);
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (ch == 'h') {
			fputs(c->usage, stdout);
			return 0;
		}
		if (ch == ':')
			return usage_error(c, "an option needs a value");
		if (ch == '?' || (!strchr(c->opts, ch) &&
				  !strchr(c->longonly, ch)))
			return usage_error(c, "unknown option");
		if (ch == 'a' || ch == 'f' || ch == 'S')
			flag = true;
		else if (ch == 'P')
			port_arg = optarg;
		else
			value = optarg;
	}
	if ((err = check_operands(c, argc - optind)))
		return err;
	return c->run(argc - optind, argv + optind, value, flag);
}
