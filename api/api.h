/*
 * api/api.h: private to api/. The pieces of the management API:
 *   api/http.c    the request parser (pure, host-built for tests and fuzz)
 *   api/out.c     growing output buffers and JSON text
 *   api/server.c  the kernel thread: listening, connections, limits
 *   api/route.c   the token check and the table of paths
 *   api/os.c      /os/...           api/files.c  /file/, /fs/df, /env/
 *   api/sys.c     /network/, /hardware/, /metrics, /os/dmesg's ring
 */
#ifndef API_API_H
#define API_API_H

#include <skiff/types.h>
#include "http.h"

/* A growing buffer; on out of memory, oom is set and appends stop. */
struct api_out {
	char *buf;
	size_t len, cap;
	bool oom;
};
void out_bytes(struct api_out *o, const void *p, size_t n);
void out_str(struct api_out *o, const char *s);
void out_printf(struct api_out *o, const char *fmt, ...) __printf(2, 3);
/* s[0..n) as a JSON string, quoted and escaped. */
void out_json_strn(struct api_out *o, const char *s, size_t n);
void out_json_str(struct api_out *o, const char *s);
void out_free(struct api_out *o);

/* What the server does once a response is sent. */
enum api_after { AFTER_NONE, AFTER_SHUTDOWN, AFTER_POWEROFF };

/* One request, decoded, and its response. */
struct api_call {
	const char *method;
	const char *path;	/* decoded, NUL-ended */
	const char *query;	/* raw */
	const char *body;
	size_t body_len;
	int status;		/* 200 unless a handler says otherwise */
	const char *ctype;	/* NULL: application/json */
	struct api_out out;	/* the response body */
	enum api_after after;
};

/* A handler: fills c->out (and c->status on an error). */
typedef void (*api_handler)(struct api_call *c);

/* Answers c (an error's body is {"message": ..., "code": ...}). */
void api_route(struct api_call *c);
void api_error(struct api_call *c, int status, const char *msg);
/* An -Exxx into an HTTP status and an error body. */
void api_errno(struct api_call *c, int err);
bool api_method(struct api_call *c, const char *m);

/* The handlers, by file. */
void os_name(struct api_call *c);
void os_version(struct api_call *c);
void os_vendor(struct api_call *c);
void os_uptime(struct api_call *c);
void os_date(struct api_call *c);
void os_memory_total(struct api_call *c);
void os_memory_free(struct api_call *c);
void os_hostname(struct api_call *c);
void os_threads(struct api_call *c);
void os_cmdline(struct api_call *c);
void os_shutdown(struct api_call *c);
void os_poweroff(struct api_call *c);
void os_reboot(struct api_call *c);
void os_dmesg(struct api_call *c);
void env_all(struct api_call *c);
void env_var(struct api_call *c);
void file_call(struct api_call *c);
void fs_df(struct api_call *c);
void net_ifconfig(struct api_call *c);
void net_route(struct api_call *c);
void hw_processor_count(struct api_call *c);
void hw_processor_flags(struct api_call *c);
void hw_hypervisor(struct api_call *c);
void hw_firmware_vendor(struct api_call *c);
void metrics_call(struct api_call *c);

/* api/files.c: loads the environment the API shows (from /.skiff/env). */
void env_init(void);
/* api/os.c: the kernel command line without the token, for /os/cmdline. */
extern char api_cmdline[512];

#endif
