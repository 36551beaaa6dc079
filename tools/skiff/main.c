/*
 * skiff: the host tool of Skiff. Entry point, command dispatch, usage text,
 * and the small helpers every file uses to report errors and allocate.
 * See skiff.h for the map of the other files.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "skiff.h"

static const char usage_text[] =
"Usage: skiff run [OPTIONS] PROGRAM [ARGS...]\n"
"       skiff run [VM OPTIONS] IMAGE\n"
"       skiff build -o IMAGE [IMAGE OPTIONS] PROGRAM [ARGS...]\n"
"\n"
"skiff run packs PROGRAM (an x86_64 Linux program, static or dynamically\n"
"linked), its interpreter and shared libraries, its arguments, environment\n"
"and the files named by --file and --dir into an image, boots it in a QEMU\n"
"virtual machine with the Skiff kernel, and exits with the program's\n"
"status. For python3.X, perl and tclsh the interpreter's own library comes\n"
"too (python3's stdlib without its tests, idlelib, tkinter, lib2to3 and\n"
"ensurepip; not dist-packages: add it with --dir). The program's stdout\n"
"and stderr are skiff's; skiff's stdin is the program's. skiff build writes\n"
"the image to a file instead; skiff run IMAGE boots such an image as it was\n"
"built (its arguments, environment and files are fixed when it is built).\n"
"PROGRAM is a path, or a name looked up in the current directory, then in\n"
"$PATH.\n"
"\n"
"Image options:\n"
"  -e, --env KEY=VAL       set an environment variable (repeatable); -e KEY\n"
"                          passes skiff's own value of KEY, if set\n"
"      --file HOST[:GUEST] put the host file HOST in the image at GUEST\n"
"                          (default: HOST's absolute path; GUEST ending in /\n"
"                          is a directory); a symlink is kept, with its target\n"
"      --dir HOST[:GUEST]  put the host directory tree HOST in the image at\n"
"                          GUEST (default: HOST's absolute path)\n"
"  -o, --output IMAGE      skiff build: where to write the image\n"
"VM options:\n"
"  -m, --memory SIZE       guest memory: 512M, 1G, 1024K; a plain number is\n"
"                          MiB (default 512M)\n"
"      --machine microvm|q35  QEMU machine type (default microvm)\n"
"      --accel auto|kvm|tcg   auto uses KVM where the CPU has vmx or svm and\n"
"                          /dev/kvm is usable, else TCG (default auto)\n"
"      --kernel FILE       the Skiff kernel (default: $SKIFF_KERNEL, else\n"
"                          kernel.elf next to the skiff binary)\n"
"  -v, --verbose           show the QEMU command line, the kernel log and boot\n"
"                          times on stderr\n"
"  -h, --help              show this help\n"
"\n"
"Environment: SKIFF_KERNEL (the kernel), SKIFF_QEMU (the QEMU binary),\n"
"TMPDIR (where the throw-away image is written).\n"
"\n"
"Exit status:\n"
"  0-255   the program's exit status\n"
"  128+N   the program was killed by signal N (reported on stderr)\n"
"  2       bad command line\n"
"  125     skiff, QEMU or the guest kernel failed (a --file that cannot be\n"
"          packed, an image too big for --memory, QEMU error, kernel panic)\n"
"  126     PROGRAM cannot run (not an x86_64 ELF program, truncated, not\n"
"          executable) or the kernel stopped it with an error (such as\n"
"          running out of guest memory)\n"
"  127     PROGRAM was not found\n";

void skiff_err(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One write, so concurrent output cannot split the line. */
	fprintf(stderr, "skiff: %s\n", msg);
	fflush(stderr);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		skiff_err("out of memory");
		exit(SKIFF_EXIT_FAILED);
	}
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		skiff_err("out of memory");
		exit(SKIFF_EXIT_FAILED);
	}
	return s;
}

void usage(FILE *f)
{
	fputs(usage_text, f);
}

int main(int argc, char **argv)
{
	struct skiff_opts o;

	if (argc < 2) {
		usage(stderr);
		return SKIFF_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "run") && strcmp(argv[1], "build")) {
		skiff_err("unknown command '%s' (try skiff --help)", argv[1]);
		return SKIFF_EXIT_USAGE;
	}
	opts_parse(argc - 1, argv + 1, &o);
	return o.build ? build_command(&o) : run_command(&o);
}
