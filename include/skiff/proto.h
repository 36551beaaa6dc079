/*
 * The console protocol between the guest kernel and the host tool.
 *
 * Both directions use the first 16550 serial port (COM1, port 0x3f8), which
 * QEMU connects to the skiff process through a pipe. The stream carries
 * several channels, multiplexed with an escape byte so any binary data passes.
 *
 * Guest -> host:
 *   PROTO_ESC PROTO_ESC          one literal 0xff byte on the current channel
 *   PROTO_ESC n  (n < 16)        switch the current channel to n
 *   any other byte               data on the current channel
 * The stream starts on PROTO_CH_LOG, so firmware noise counts as kernel log.
 * Channel PROTO_CH_CTL carries text records, one per line:
 *   "exit STATUS"                the program exited with STATUS (0..255)
 *   "signal SIGNO ADDR RIP"      a fatal signal killed it (ADDR, RIP in hex)
 *   "error MESSAGE"              the kernel could not run the program
 *   "panic"                      the kernel panicked (details on the log)
 * After a record the kernel powers off (isa-debug-exit at PROTO_EXIT_PORT).
 *
 * Host -> guest (the program's stdin):
 *   PROTO_ESC PROTO_ESC          one literal 0xff byte
 *   PROTO_ESC PROTO_IN_EOF       end of file
 *   PROTO_ESC PROTO_IN_SIGNAL n  deliver signal n (1..64) to the program, as
 *                                `docker stop` and `docker kill -s` do: skiff
 *                                forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT
 *   any other byte               data
 * The host sends nothing before its first byte from the guest: input that
 * reaches the UART before the kernel sets it up is lost (enabling the FIFOs
 * clears them). So the kernel sends PROTO_ESC PROTO_CH_LOG as soon as COM1
 * is set up.
 */
#ifndef SKIFF_PROTO_H
#define SKIFF_PROTO_H

#define PROTO_ESC 0xff
#define PROTO_CH_LOG 0	/* kernel log: shown by skiff --verbose only */
#define PROTO_CH_STDOUT 1
#define PROTO_CH_STDERR 2
#define PROTO_CH_CTL 3	/* control records, see above */
#define PROTO_IN_EOF 0x00
#define PROTO_IN_SIGNAL 0x01

/*
 * The fast path, when skiff gives the VM a virtio console (virtio-serial)
 * with max_ports=PROTO_VPORT_MAX+1 or more: the program's streams and the control
 * records on ports of their own (virtserialport nr=N), nothing escaped.
 *   PROTO_VPORT_STDIN   host -> guest: stdin's bytes
 *   PROTO_VPORT_STDOUT  guest -> host: stdout's bytes
 *   PROTO_VPORT_STDERR  guest -> host: stderr's bytes
 *   PROTO_VPORT_CTL     guest -> host: the records above ("exit 0\n"...),
 *                       each sent once the host has all output before it;
 *                       host -> guest: lines "eof N" (stdin ends after N
 *                       bytes in all), "signal N" (a forwarded signal),
 *                       "winsize COLS ROWS" (the host terminal resized:
 *                       the guest's TIOCGWINSZ, and SIGWINCH), "time NS"
 *                       (after a restore: the host's Unix time in ns; the
 *                       guest's clocks step to it, see skiff/time.h)
 * COM1 then carries the kernel log and a panic record only. A kernel
 * without the device (or whose handshake failed) uses COM1 for everything;
 * skiff reads records from both.
 */
#define PROTO_VPORT_STDIN 1
#define PROTO_VPORT_STDOUT 2
#define PROTO_VPORT_STDERR 3
#define PROTO_VPORT_CTL 4
#define PROTO_VPORT_MAX 4

/*
 * One more port, optional: PROTO_VPORT_METRICS (skiff gives it to
 * detached instances, on the unix socket metrics.sock in the instance's
 * directory, and max_ports=PROTO_VPORT_METRICS+1; a foreground run's
 * device keeps max_ports=PROTO_VPORT_MAX+1). Each line the host sends asks for the metrics; the kernel
 * answers with the text of skiff/metrics.h followed by the line
 * PROTO_METRICS_END (several lines queued get one answer). skiff stats
 * reads it; the guest sends nothing unasked.
 */
#define PROTO_VPORT_METRICS 5
#define PROTO_METRICS_END "# EOF\n"

#define PROTO_EXIT_PORT 0xf4 /* -device isa-debug-exit,iobase=0xf4,iosize=4 */

/*
 * Files skiff puts in every image, read by the kernel at boot:
 *   /.skiff/argv  argv strings, each ending in NUL (argv[0] first)
 *   /.skiff/env   environment strings KEY=VAL, each ending in NUL
 *   /.skiff/exe   the guest path of the program to run (no NUL)
 *   /.skiff/cwd   the program's working directory (no NUL)
 * and, in an image written by skiff build with -p (read back by skiff run
 * IMAGE, ignored by the kernel):
 *   /.skiff/ports the published ports, one -p value a line
 * The kernel command line carries options only:
 *   tsc_khz=N       the host's TSC rate in kHz
 *   verbose         log boot steps and unknown syscalls
 *   tty=N           bit 0/1/2 set: skiff's stdin/stdout/stderr is a terminal
 *                   (the guest console then answers TCGETS like a tty)
 *   winsize=CxR     that terminal's columns and rows (TIOCGWINSZ)
 *   realtime=NS     the host's Unix time in nanoseconds when it launched
 *                   QEMU (the wall clock; microvm has no RTC)
 *   mount=vdX:PATH[:ro]       an ext2 disk mounted at PATH (-v)
 *   mount=9p:TAG:PATH[:ro|:try]  a host directory over virtio-9p (-v, and
 *                   the shared current directory with :try: a failure
 *                   is a log line); PATH with %XX escapes (kernel/cmdline.c)
 *   cwd=PATH        the working directory, over /.skiff/cwd (-w, the
 *                   shared current directory), %XX escapes too
 *   ip=, gw=        the network (last on the line)
 */
#define PROTO_DIR "/.skiff"
/*
 * Linux's execve limits (E2BIG), for the program's 8 MiB stack limit:
 * argv and env strings with their NULs, plus one pointer per string, fit in
 * a quarter of RLIMIT_STACK (2 MiB; Linux's cap of 6 MiB does not bite),
 * and no single string is longer than 32 pages with its NUL. skiff refuses
 * larger ones before building an image; the kernel checks again.
 */
#define PROTO_ARG_MAX (2ul << 20)
#define PROTO_ARG_STRLEN_MAX (32ul * 4096)
/* Padding entries skiff puts before large files so that their data starts
 * on a page boundary of the image; the kernel skips them. */
#define PROTO_PAD_NAME ".skiff/pad"

#endif
