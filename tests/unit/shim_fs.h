/* What tests/unit/shim_fs.c exposes to the fs unit tests. */
#ifndef SKIFF_TEST_SHIM_FS_H
#define SKIFF_TEST_SHIM_FS_H

#include <stddef.h>
#include <stdint.h>

extern char shim_console_out[3][4096];	/* bytes written per channel */
extern size_t shim_console_len[3];
size_t shim_pages_used(void);		/* pages allocated, not freed */
extern int shim_signals_sent[64];	/* signal_send_thread calls per signal */
void shim_run_timers(void);		/* runs the ktimers that are due */

#endif
