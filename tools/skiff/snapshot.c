/*
 * skiff snapshot NAME FILE [--stop] and skiff restore FILE [--name NAME]:
 * a running instance's whole state saved through QMP as QEMU's migration
 * stream, compressed (gzip -1), and started again from it (-incoming).
 *
 * A snapshot file is a header, then the compressed stream:
 *   "SKIFF-SNAPSHOT 1\n"
 *   "cwd LEN\n" LEN bytes "\n"         the directory skiff run ran in
 *   "arg LEN\n" LEN bytes "\n" ...     its command line, from "run" on
 *   ["token LEN\n" LEN bytes "\n"]     its management API's token (--api)
 *   "state gzip\n"                     then the gzip stream to the end
 * Restore runs the same command line again (the same program, kernel,
 * disks and ports must be there: QEMU needs the same machine) with
 * -incoming reading the stream; the keeper then resumes the VM (cont) and
 * sends the guest the host's time ("time NS" on the control port), which
 * steps the guest's clocks forward (arch/x86_64/tsc.c time_step).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "skiff.h"
#include "instance.h"

#define SNAP_MAGIC "SKIFF-SNAPSHOT 1\n"
#define SNAP_MIGRATE_MS 600000 /* the longest a save may take */


/* s in single quotes for sh. */
static char *sh_quote(const char *s)
{
	char *out = xmalloc(4 * strlen(s) + 3), *o = out;

	*o++ = '\'';
	for (; *s; s++) {
		if (*s == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *s;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

/* s as the body of a JSON string. */
static char *json_escape(const char *s)
{
	char *out = xmalloc(2 * strlen(s) + 1), *o = out;

	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			*o++ = '\\';
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

static bool write_field(FILE *f, const char *key, const char *v)
{
	return fprintf(f, "%s %zu\n%s\n", key, strlen(v), v) > 0;
}

int snap_header(FILE *f, const char *name, const char *state)
{
	char *cmd = inst_read(name, "argv"), *cwd = inst_read(name, "cwd");
	char *api = inst_read(name, "api"), *tok;
	bool ok = cmd && cwd && fputs(SNAP_MAGIC, f) >= 0 &&
		  write_field(f, "cwd", cwd);

	/* argv: the arguments, each ending in a NUL. */
	for (char *a = cmd; ok && *a; a += strlen(a) + 1)
		ok = write_field(f, "arg", a);
	if (strcmp(state, "gzip")) /* a migration keeps the name */
		ok = ok && write_field(f, "name", name);
	if (ok && api && (tok = strchr(api, ' '))) {
		/* The guest's kernel keeps the token it booted with. */
		tok[1 + strcspn(tok + 1, "\n")] = '\0';
		ok = write_field(f, "token", tok + 1);
	}
	ok = ok && fprintf(f, "state %s\n", state) > 0;
	free(cmd);
	free(cwd);
	free(api);
	return ok ? 0 : -1;
}

/* FILE's header: 0 or -1. */
static int write_header(const char *path, const char *name)
{
	FILE *f = fopen(path, "we");
	int err = f ? snap_header(f, name, "gzip") : -1;

	if (f && fclose(f))
		err = -1;
	return err;
}

static int qmp_fail(const char *cmd, const char *name, const char *what,
		    const char *reply)
{
	skiff_err("%s of '%s': %s%s%s", cmd, name, what, reply ? ": " : "",
		  reply ? reply : "");
	return SKIFF_EXIT_FAILED;
}

static int snap_wait_migration(int qmp, const char *what, const char *name)
{
	s64 end = relay_now_ns() + SNAP_MIGRATE_MS * 1000000ll;
	char reply[4096];

	while (relay_now_ns() < end) {
		if (qmp_command(qmp, "{\"execute\": \"query-migrate\"}", reply,
				sizeof(reply)))
			return qmp_fail(what, name, "query-migrate", reply);
		if (strstr(reply, "\"status\": \"completed\""))
			return 0;
		if (strstr(reply, "\"failed\"") || strstr(reply, "\"cancelled\""))
			return qmp_fail(what, name, "QEMU's migration failed", reply);
		usleep(10000);
	}
	return qmp_fail(what, name, "the migration took too long", NULL);
}

int snap_migrate(int qmp, const char *what, const char *name, const char *uri)
{
	char reply[4096], *q = json_escape(uri), *cmd;
	int err;

	/* QEMU 7's default of 32 MiB/s would make a save of 512M slow. */
	qmp_command(qmp, "{\"execute\": \"migrate-set-parameters\", "
		    "\"arguments\": {\"max-bandwidth\": 68719476736}}",
		    reply, sizeof(reply));
	cmd = xasprintf("{\"execute\": \"migrate\", \"arguments\": "
			"{\"uri\": \"%s\"}}", q);
	err = qmp_command(qmp, cmd, reply, sizeof(reply));
	free(cmd);
	free(q);
	if (err)
		return qmp_fail(what, name, "QEMU refused to migrate", reply);
	return snap_wait_migration(qmp, what, name);
}

/* Saves the paused VM's state after the header of tmp. */
static int migrate_to(int qmp, const char *name, const char *tmp)
{
	char *q = sh_quote(tmp), *uri = xasprintf("exec:gzip -1 >> %s", q);
	int err = snap_migrate(qmp, "snapshot", name, uri);

	free(q);
	free(uri);
	return err;
}

int snap_save(const char *name, const char *file, bool stop)
{
	struct inst_state s;
	char reply[4096], *sock, *tmp;
	int err, qmp;

	if ((err = inst_find(name, &s)))
		return err;
	if (!s.running) {
		char state[64];

		inst_describe(&s, state, sizeof(state));
		skiff_err("instance '%s' is not running (%s)", name, state);
		return 1;
	}
	sock = inst_path(name, "qmp.sock");
	qmp = qmp_connect(sock, 5000);
	free(sock);
	if (qmp < 0)
		return qmp_fail("snapshot", name, "cannot reach QEMU's QMP socket",
				NULL);
	tmp = xasprintf("%s.tmp", file);
	if (write_header(tmp, name)) {
		skiff_err("%s: %s", tmp, strerror(errno));
		close(qmp);
		free(tmp);
		return SKIFF_EXIT_FAILED;
	}
	err = qmp_command(qmp, "{\"execute\": \"stop\"}", reply, sizeof(reply))
		      ? qmp_fail("snapshot", name, "stop", reply)
		      : migrate_to(qmp, name, tmp);
	if (!err && rename(tmp, file) < 0) {
		skiff_err("%s: %s", file, strerror(errno));
		err = SKIFF_EXIT_FAILED;
	}
	if (err)
		unlink(tmp);
	if (!err && stop) {
		inst_write(name, "status", "snapshotted\n");
		inst_signal_keeper(&s, INST_SIG_POWEROFF, 0);
		inst_wait_keeper(s.keeper, 10000);
	} else {
		qmp_command(qmp, "{\"execute\": \"cont\"}", reply, sizeof(reply));
	}
	close(qmp);
	free(tmp);
	return err;
}

/* "KEY LEN\n" then LEN bytes and "\n", at *off in buf: the bytes or NULL. */
static char *read_field(const char *buf, size_t len, size_t *off,
			const char *key)
{
	size_t k = strlen(key), n;
	char *end, *v;

	if (*off + k + 1 > len || strncmp(buf + *off, key, k) ||
	    buf[*off + k] != ' ')
		return NULL;
	n = strtoul(buf + *off + k + 1, &end, 10);
	if (*end != '\n' || (size_t)(end + 1 - buf) + n + 1 > len ||
	    end[1 + n] != '\n')
		return NULL;
	v = strndup(end + 1, n);
	*off = (size_t)(end + 1 - buf) + n + 1;
	return v;
}

int snap_parse(const char *buf, size_t len, size_t *off, char **cwd,
	       char **argv, int *argc, char **name, const char *state)
{
	size_t k = strlen(state);
	char *token;

	*off = sizeof(SNAP_MAGIC) - 1;
	*argc = 0;
	*cwd = len > *off && !memcmp(buf, SNAP_MAGIC, *off)
		       ? read_field(buf, len, off, "cwd") : NULL;
	while (*cwd && *argc < SNAP_MAX_ARGS &&
	       (argv[*argc] = read_field(buf, len, off, "arg")))
		++*argc;
	argv[*argc] = NULL;
	*name = read_field(buf, len, off, "name");
	token = read_field(buf, len, off, "token");
	if (token) /* what api_prepare (api.c) takes for the new state */
		setenv("SKIFF_API_TOKEN", token, 1);
	free(token);
	if (!*cwd || *argc < 2 || *off + k + 7 > len ||
	    memcmp(buf + *off, "state ", 6) || memcmp(buf + *off + 6, state, k) ||
	    buf[*off + 6 + k] != '\n')
		return -1;
	*off += k + 7;
	return 0;
}

int snap_start(const char *cwd, int argc, char **argv, const char *name,
	       const char *incoming)
{
	struct skiff_opts o;

	if (chdir(cwd) < 0) {
		skiff_err("the instance ran in %s: %s", cwd, strerror(errno));
		return 1;
	}
	optind = 0; /* getopt's full reset: inst_command parsed before */
	opts_parse(argc, argv, &o);
	o.name = name;
	o.detach = true;
	o.incoming = incoming;
	return run_command(&o);
}

int snap_restore(const char *file, const char *name)
{
	static char *argv[SNAP_MAX_ARGS + 1];
	char *buf = xmalloc(1 << 20), *cwd, *q, *abs, *ignored;
	int argc, fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, buf, 1 << 20) : -1;
	size_t off;

	if (fd < 0) {
		skiff_err("%s: %s", file, strerror(errno));
		return 1;
	}
	close(fd);
	if (snap_parse(buf, got > 0 ? (size_t)got : 0, &off, &cwd, argv, &argc,
		       &ignored, "gzip")) {
		skiff_err("%s is not a skiff snapshot", file);
		return 1;
	}
	free(buf);
	abs = path_absolute(file);
	q = sh_quote(abs);
	/* QEMU runs it through sh. */
	abs = xasprintf("exec:tail -c +%zu %s | gzip -dc", off + 1, q);
	return snap_start(cwd, argc, argv, name, abs);
}
