/*
 * The differential script runner of the Linux-vs-Skiff unit tests: the two
 * sides, argument parsing, the commands every suite has, and running a
 * script line by line. Interface and script syntax in difftest.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <skiff/vfs.h>
#include "../../linux/fsabi.h"
#include "shim.h"
#include "difftest.h"

static const struct dt_suite *suite;
static struct dt_side host, skiff;

long dt_num(struct dt_side *s, const char *a)
{
	long v = 0;
	char buf[256], *save, *tok;

	if (a[0] == '$')
		return s->fds[a[1] - '0'];
	if (a[0] == '>')
		return 0; /* an fd slot to fill, not an argument */
	if ((a[0] >= '0' && a[0] <= '9') || a[0] == '-')
		return strtol(a, NULL, 0);
	snprintf(buf, sizeof(buf), "%s", a);
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		size_t i;

		for (i = 0; i < suite->nr_names && strcmp(suite->names[i].name, tok);
		     i++)
			;
		if (i == suite->nr_names)
			fail_msg("unknown name %s", tok);
		v |= suite->names[i].val;
	}
	return v;
}

void dt_keep_fd(struct dt_side *s, long r, char **av, int ac, char *out,
		size_t n)
{
	if (ac > 0 && av[ac - 1][0] == '>' && r >= 0)
		s->fds[av[ac - 1][1] - '0'] = r;
	snprintf(out, n, r >= 0 ? "= fd" : "= %ld", r);
}

bool dt_common_cmd(struct dt_side *s, const char *cmd, char **a, int ac,
		   char *out, size_t n)
{
	int fds[2];
	long r;

	if (!strcmp(cmd, "pipe")) { /* FLAGS >N: fds in N and N+1 */
		r = DT_CALL(s, pipe2, fds, dt_num(s, a[0]));
		if (r == 0) {
			s->fds[a[1][1] - '0'] = fds[0];
			s->fds[a[1][1] - '0' + 1] = fds[1];
		}
		snprintf(out, n, "= %ld", r);
	} else if (!strcmp(cmd, "poll")) { /* FD EVENTS, timeout 0 */
		struct { int fd; short events, revents; } p = {
			dt_num(s, a[0]), dt_num(s, a[1]), 0
		};

		r = DT_CALL(s, poll, (void *)&p, 1, 0);
		snprintf(out, n, "= %ld: %#x", r, p.revents);
	} else if (!strcmp(cmd, "close")) {
		snprintf(out, n, "= %ld", DT_CALL(s, close, dt_num(s, a[0])));
	} else if (!strcmp(cmd, "write")) {
		r = DT_CALL(s, write, dt_num(s, a[0]), a[1], strlen(a[1]));
		snprintf(out, n, "= %ld", r);
	} else {
		return false;
	}
	return true;
}

/* Runs one script line on one side; out gets what it printed. */
static void run_line(struct dt_side *s, const char *line, char *out, size_t n)
{
	char copy[512], *av[10], *save;
	int ac = 0, i;

	snprintf(copy, sizeof(copy), "%s", line);
	for (char *t = strtok_r(copy, " ", &save); t && ac < 10;
	     t = strtok_r(NULL, " ", &save))
		av[ac++] = t;
	for (i = 0; suite->cmds[i]; i++)
		if (suite->cmds[i](s, av[0], av + 1, ac - 1, out, n))
			return;
	fail_msg("unknown command: %s", line);
}

static void close_slots(void)
{
	for (int i = 0; i < DT_SLOTS; i++) {
		if (host.fds[i] > 2)
			close(host.fds[i]);
		if (skiff.fds[i] > 2)
			sys_close(skiff.fds[i]);
		host.fds[i] = skiff.fds[i] = -1;
	}
}

void dt_run_script(const char *name, const char *const *lines)
{
	char h[1024], k[1024];
	int bad = 0;

	snprintf(h, sizeof(h), "%s/%s", host.root, name);
	assert_int_equal(mkdir(h, 0755), 0);
	assert_int_equal(chdir(h), 0);
	snprintf(k, sizeof(k), "%s/%s", skiff.root, name);
	assert_int_equal(sys_mkdir(k, 0755), 0);
	assert_int_equal(sys_chdir(k), 0);
	for (int i = 0; lines[i]; i++) {
		run_line(&host, lines[i], h, sizeof(h));
		run_line(&skiff, lines[i], k, sizeof(k));
		if (getenv(suite->trace_env))
			fprintf(stderr, "%s: %-40s %s\n", name, lines[i], k);
		if (strcmp(h, k) != 0) {
			print_error("%s: %s\n  linux: %s\n  skiff: %s\n", name,
				    lines[i], h, k);
			bad++;
		}
	}
	close_slots();
	assert_int_equal(bad, 0);
}

int dt_setup(const struct dt_suite *s)
{
	char tmpl[256];
	struct linux_sigaction ign = { .handler = 1 /* SIG_IGN */ };

	suite = s;
	/* The host side writes to dead pipes too: EPIPE, no SIGPIPE.
	 * (<signal.h> would clash with linux/abi.h, hence the raw call.) */
	assert_int_equal(syscall(SYS_rt_sigaction, 13, &ign, NULL, 8), 0);
	host.host = true;
	snprintf(tmpl, sizeof(tmpl), "%s", s->tmp_template);
	assert_non_null(mkdtemp(tmpl));
	snprintf(host.root, sizeof(host.root), "%s", tmpl);
	assert_int_equal(fs_init(NULL, 0), 0);
	assert_int_equal(sys_mkdir("/work", 0755), 0);
	snprintf(skiff.root, sizeof(skiff.root), "/work");
	for (int i = 0; i < DT_SLOTS; i++)
		host.fds[i] = skiff.fds[i] = -1;
	return 0;
}

int dt_teardown(void **state)
{
	char cmd[512];

	assert_int_equal(chdir("/"), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", host.root);
	return system(cmd) == 0 ? 0 : -1;
}
