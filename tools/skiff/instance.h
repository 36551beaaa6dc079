/*
 * Private to instance.c, instcmd.c and keeper.c: an instance's state as
 * read from its directory (instance.c's header lists the files), and the
 * signals that carry requests to its keeper.
 */
#ifndef SKIFF_INSTANCE_H
#define SKIFF_INSTANCE_H

#include <signal.h>
#include <sys/types.h>
#include "skiff.h"

#define INST_SIG_FORWARD (SIGRTMIN + 1) /* value: a signal for the program */
#define INST_SIG_POWEROFF (SIGRTMIN + 2) /* power the VM off now */
#define INST_BOOT_MS 300000	/* the longest run -d waits for a boot */

struct inst_state {
	char name[64];
	pid_t keeper, qemu;	/* 0 if not written */
	bool running;		/* no status yet, and the keeper lives */
	char status[300];	/* the status file, or "failed ..." if stale */
	char program[256], memory[32], ports[512], started[32]; /* config */
	char api[200];		/* the "api" file: "HOSTPORT TOKEN" (api.c) */
};

/* inst_write of len bytes (NULs allowed). */
int inst_write_bytes(const char *name, const char *file, const char *text,
		     size_t len);
/* false if there is no instance name (not checked for validity). */
bool inst_load(const char *name, struct inst_state *s);
/* inst_load of a name typed by the user: 0, or an exit status after a
 * line (a bad name, no such instance). */
int inst_find(const char *name, struct inst_state *s);
/* "running", "exited 3", "killed by SIGTERM", "exited (stale: QEMU gone)". */
void inst_describe(const struct inst_state *s, char *out, size_t len);
/* An ended instance's status as skiff run would exit with it. */
int inst_exit_code(const struct inst_state *s);
/* sigqueue to the keeper: 0, or an exit status after a line. */
int inst_signal_keeper(const struct inst_state *s, int sig, int value);
/* Waits up to ms (< 0: for ever) for the keeper pid to end; true if it did. */
bool inst_wait_keeper(pid_t pid, int ms);

/* snapshot.c, for migrate.c: the header of a snapshot or a migration
 * (state "gzip" or "tcp"; a migration's carries the name) written to f,
 * and parsed from buf (*off: where the state starts; argv has room for
 * SNAP_MAX_ARGS + 1): 0 or -1. */
#define SNAP_MAX_ARGS 4096
int snap_header(FILE *f, const char *name, const char *state);
/* snap_parse also sets $SKIFF_API_TOKEN to the header's API token, if
 * any: the restored kernel keeps the one it booted with, so the new
 * instance's state must name the same. */
int snap_parse(const char *buf, size_t len, size_t *off, char **cwd,
	       char **argv, int *argc, char **name, const char *state);
/* The instance's command line again, detached, QEMU taking -incoming. */
int snap_start(const char *cwd, int argc, char **argv, const char *name,
	       const char *incoming);
/* QMP migrate to uri, waited for: 0 or an exit status after a line. */
int snap_migrate(int qmp, const char *what, const char *name, const char *uri);

/* migrate.c: skiff migrate NAME HOST:PORT, skiff receive. */
int mig_send(const char *name, const char *hostport);
int mig_receive(int port, const char *name);

#endif
