/*
 * The management API (api/): an HTTP/1.1 server inside the kernel that
 * speaks OSv's REST paths and /metrics (docs/api.md). Layer: beside
 * linux/, above net/, fs/, mm/, sched/. Off unless the kernel command line
 * says api=PORT (skiff run --api[=PORT]); api_token=HEX is the bearer
 * token every request must carry.
 */
#ifndef SKIFF_API_H
#define SKIFF_API_H

#include <skiff/types.h>

/*
 * Starts the server's kernel thread on TCP port (all of the guest's
 * addresses) with the given token (copied; "" refuses every request).
 * After net_init, before the program starts. Logs and returns -Exxx if
 * the port cannot be bound; the boot goes on without the API.
 */
int api_start(u16 port, const char *token);

/*
 * Records a kernel log line for /os/dmesg (kernel/log.c calls it for
 * every line, verbose or not, once api_log_enable ran). Any context but
 * an interrupt handler's; never sleeps.
 */
void api_log_line(const char *line, size_t len);
bool api_log_enabled(void);

#endif
