/*
 * skiff: the host tool of Skiff. Entry point, command dispatch, usage text
 * (skiff --help; each command's own page, cut from it: skiff run --help,
 * build --help, volume --help), and the small helpers every file uses to
 * report errors and allocate.
 * See skiff.h for the map of the other files.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "skiff.h"

static const char usage_text[] =
"Usage: skiff run [OPTIONS] PROGRAM [ARGS...]\n"
"       skiff run [VM OPTIONS] [-e KEY=VAL]... [-w DIR] IMAGE [ARGS...]\n"
"       skiff build -o IMAGE [IMAGE OPTIONS] PROGRAM [ARGS...]\n"
"       skiff volume create NAME [--size SIZE] | ls | rm NAME...\n"
"       skiff ps|logs|stop|kill|wait|rm|snapshot|restore|migrate|receive\n"
"       ... (detached instances: run -d; each command has --help; see\n"
"       docs/instances.md)\n"
"       skiff libvirt-xml [--name NAME] [-m SIZE] IMAGE\n"
"       skiff api NAME METHOD PATH [BODY|@FILE]  (the management API of a\n"
"       run --api instance; docs/api.md)\n"
"       skiff stats [--no-stream] [NAME...] (CPU, memory, I/O of instances)\n"
"\n"
"skiff run packs PROGRAM (an x86_64 Linux program, static or dynamically\n"
"linked), its interpreter and shared libraries, its arguments, environment\n"
"and the files named by --file and --dir into an image, boots it in a QEMU\n"
"virtual machine with the Skiff kernel, and exits with the program's\n"
"status. A #! script runs with its interpreter; an interpreter (python,\n"
"perl, ruby, php, node, tclsh, java) brings the files it reports it loads\n"
"(sys.path, @INC, java.home; README.md). A skiff.json beside PROGRAM or\n"
"in the current directory gives defaults for options. The program's stdout\n"
"and stderr are skiff's; skiff's stdin is the program's. skiff build writes\n"
"the image to a file instead (compressed; --format raw or qcow2: a disk\n"
"that QEMU, libvirt or a cloud boots without skiff); skiff run IMAGE boots\n"
"such an image, ARGS replacing its arguments, -e adding to its environment,\n"
"-w replacing its working directory, as docker run does (its files are fixed\n"
"when it is built; its /etc/hosts and resolv.conf are written for --net user).\n"
"PROGRAM is a path, or a name looked up in the current directory, then in\n"
"$PATH.\n"
"\n"
"What a Skiff VM runs: one x86_64 Linux program (it may fork and exec, as\n"
"shell scripts and servers with workers do) on --cpus CPUs (1 by default),\n"
"in the foreground of skiff or detached.\n"
"Not yet: inside, no ptrace, mount,\n"
"namespaces or modules; processes share ring 0, the VM being the\n"
"boundary (docs/linux-compat.md has the details).\n"
"\n"
"The guest has a network by default (--net user): a server in it is reached\n"
"from the host through -p, as with docker run -p; for example\n"
"  skiff run -p 8080:8000 /usr/bin/python3 -m http.server 8000 --bind 0.0.0.0\n"
"serves on http://127.0.0.1:8080/ what python3 serves on the guest's port\n"
"8000. (A server that would fork into the background must not: nginx takes\n"
"-g 'daemon off; master_process off;'.)\n"
"\n"
"Image options:\n"
"  -e, --env KEY=VAL       set an environment variable (repeatable); -e KEY\n"
"                          passes skiff's own value of KEY, if set\n"
"      --env-file FILE     variables from FILE, docker's format: KEY=VAL or\n"
"                          KEY a line, # comments (repeatable; -e wins)\n"
"      --file HOST[:GUEST] put the host file HOST in the image at GUEST\n"
"                          (default: HOST's absolute path; GUEST ending in /\n"
"                          is a directory); a symlink is kept, with its target\n"
"      --dir HOST[:GUEST]  put the host directory tree HOST in the image at\n"
"                          GUEST (default: HOST's absolute path)\n"
"  -o, --output IMAGE      skiff build: where to write the image\n"
"      --format lz4|gzip|cpio|raw|qcow2  skiff build: an LZ4-compressed\n"
"                          image (default), gzip-compressed, uncompressed,\n"
"                          or a bootable disk (GRUB, the kernel and the\n"
"                          image; output on the serial port, powered off\n"
"                          at the program's exit)\n"
"  -w, --workdir DIR       the program's working directory in the guest\n"
"                          (made if missing; default: the current directory,\n"
"                          or the image's)\n"
"  -p, --publish [HOSTIP:]HOSTPORT:GUESTPORT[/tcp|/udp]\n"
"                          publish the guest's port GUESTPORT on the host's\n"
"                          HOSTIP:HOSTPORT (repeatable; tcp by default).\n"
"                          HOSTIP defaults to 127.0.0.1, this host only\n"
"                          (docker's default is 0.0.0.0: give 0.0.0.0 to\n"
"                          publish on every address); IPv4 only. skiff build\n"
"                          records the ports in the image, skiff run IMAGE\n"
"                          publishes them unless -p is given again\n"
"      --api[=PORT]        the management API (OSv's REST paths, /metrics;\n"
"                          docs/api.md) on the guest's PORT (default 8000):\n"
"                          publish it with -p to reach it; skiff build\n"
"                          records it in the image\n"
"      --dns ADDR          the guest's nameserver (repeatable; default: QEMU's\n"
"                          10.0.2.3 with --net user; with tap, the host's own\n"
"                          nameservers but loopback ones)\n"
"VM options:\n"
"  -m, --memory SIZE       guest memory: 512M, 1G, 1024K; a plain number is\n"
"                          MiB (default 512M)\n"
"      --machine microvm|q35  QEMU machine type (default microvm)\n"
"      --accel auto|kvm|tcg   auto uses KVM where the CPU has vmx or svm and\n"
"                          /dev/kvm is usable, else TCG (default auto)\n"
"      --net user|none|tap=IFNAME  the guest's network (default user):\n"
"                          user: QEMU's user networking, no root needed; the\n"
"                          guest is 10.0.2.15/24 and reaches the host at\n"
"                          10.0.2.2 and DNS at 10.0.2.3, outgoing connections\n"
"                          go through the host; the host reaches the guest\n"
"                          through -p only\n"
"                          none: no network device (the fastest boot)\n"
"                          tap=IFNAME: the host's tap interface IFNAME, opened\n"
"                          by QEMU (no ifup scripts run; set it up first);\n"
"                          the guest asks DHCP for its address unless --ip is\n"
"                          given, and is reached at that address (no -p)\n"
"      --ip ADDR/PREFIX    with --net tap: the guest's static IPv4 address\n"
"      --gateway ADDR      with --net tap and --ip: its default gateway\n"
"      --kernel FILE       the Skiff kernel (default: $SKIFF_KERNEL, else\n"
"                          kernel.elf next to the skiff binary)\n"
"  -v, --volume SRC:DIR[:ro]  attach a disk with an ext2 filesystem and\n"
"                          mount it at the guest directory DIR (repeatable):\n"
"                          SRC is a volume's name (skiff volume create) or\n"
"                          an image file (a path with a '/': ./disk.img);\n"
"                          :ro mounts it read-only. Writes reach the disk at\n"
"                          fsync, sync and the program's exit. A host\n"
"                          directory (/abs/dir, ./dir) is shared live over\n"
"                          virtio-9p: writes are on the host at once\n"
"  -w, --workdir DIR       the program's working directory (made if missing;\n"
"                          default: the current directory)\n"
"      --no-cwd            do not share the current directory (skiff run\n"
"                          shares it live at the same path by default)\n"
"      --verbose           show the QEMU command line, the kernel log and boot\n"
"                          times on stderr\n"
"  -t, --tty               the program's stdin, stdout and stderr are a\n"
"                          terminal even when skiff's are not (as docker's\n"
"                          -t); a terminal on skiff's stdin always gives\n"
"                          the program a real one (raw mode on the host,\n"
"                          echo, line editing and Ctrl-C as SIGINT in the\n"
"                          guest); stdout and stderr both a terminal are\n"
"                          one stream, in order (-t: as docker's -t, stderr\n"
"                          comes on skiff's stdout)\n"
"  -i, --interactive       accepted for docker's -i/-it: skiff always passes\n"
"                          its stdin to the program\n"
"                          times on stderr\n"
"  -d, --detach            start a detached instance: skiff prints its name\n"
"                          and exits 0 once the guest has booted; the\n"
"                          program's output goes to its log (skiff logs)\n"
"      --name NAME         the instance's name (with -d, default: generated;\n"
"                          without: a named foreground run, listed by skiff\n"
"                          ps and kept after it ends until skiff rm)\n"
"      --rm                remove the instance's state when it ends\n"
"      --cpus N            the VM's CPUs, 1 to 16 and at most the host's\n"
"                          (default 1; a fraction is rounded up: a VM has\n"
"                          whole vCPUs); skiff build --cpus N records it\n"
"                          for skiff run IMAGE\n"
"  -h, --help              show this help (skiff build --help, skiff\n"
"                          volume --help: their own pages)\n"
"      --version           show skiff's version\n"
"\n"
"Environment: SKIFF_KERNEL (the kernel), SKIFF_QEMU (the QEMU binary),\n"
"TMPDIR (where the throw-away image is written), XDG_CACHE_HOME (skiff\n"
"keeps the host TSC's rate for the host's boot in its skiff/tsc, default\n"
"~/.cache/skiff/tsc), SKIFF_STATE_DIR (volumes live in its volumes/;\n"
"default $XDG_STATE_HOME/skiff, ~/.local/state/skiff).\n"
"\n"
"Exit status:\n"
"  0-255   the program's exit status\n"
"  128+N   the program was killed by signal N (reported on stderr)\n"
"  2       bad command line\n"
"  125     skiff, QEMU or the guest kernel failed (a --file that cannot be\n"
"          packed, an image too big for --memory, a -p host port already in\n"
"          use, QEMU error, kernel panic)\n"
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

static const char build_intro[] =
"Usage: skiff build -o IMAGE [IMAGE OPTIONS] PROGRAM [ARGS...]\n"
"\n"
"skiff build writes to IMAGE the image skiff run would boot: PROGRAM (an\n"
"x86_64 Linux program), its interpreter and shared libraries, its\n"
"arguments and environment, the files of --file and --dir, the ports of\n"
"-p. skiff run IMAGE then boots it as it was built, taking VM options\n"
"only (skiff run --help). Exit status: 0 when IMAGE is written, 2 bad\n"
"command line, 125 a file that cannot be packed, 126 PROGRAM cannot run,\n"
"127 PROGRAM was not found.\n"
"\n";

static const char volume_text[] =
"Usage: skiff volume create NAME [--size SIZE]\n"
"       skiff volume ls\n"
"       skiff volume rm NAME...\n"
"\n"
"A volume is a disk with an ext2 filesystem that outlives the VMs using\n"
"it: skiff run -v NAME:/DIR[:ro] mounts it at the guest directory DIR.\n"
"create makes one of SIZE (default 1G; 512M, 2G, ...; made by mke2fs\n"
"from e2fsprogs), ls lists them with their sizes, rm deletes them.\n"
"Volumes are files NAME.img in $SKIFF_STATE_DIR/volumes (default\n"
"$XDG_STATE_HOME/skiff/volumes, ~/.local/state/skiff/volumes). NAME:\n"
"letters, digits, '_', '-' and '.'.\n";

/* usage_text from the text from up to the text to (or the end); all of
 * it if from is not there (a rewording must not empty a page). */
static void put_section(FILE *f, const char *from, const char *to)
{
	const char *a = strstr(usage_text, from), *b;

	if (!a)
		a = usage_text;
	b = to ? strstr(a, to) : NULL;
	fwrite(a, 1, b ? (size_t)(b - a) : strlen(a), f);
}

void usage_command(FILE *f, const char *command)
{
	if (!strcmp(command, "build")) {
		fputs(build_intro, f);
		put_section(f, "Image options:", "VM options:");
	} else if (!strcmp(command, "volume")) {
		fputs(volume_text, f);
	} else {
		/* run: the whole page but the other commands' usage lines */
		fputs("Usage: skiff run [OPTIONS] PROGRAM [ARGS...]\n"
		      "       skiff run [VM OPTIONS] IMAGE\n", f);
		put_section(f, "\nskiff run packs", NULL);
	}
}

void usage(FILE *f)
{
	fputs(usage_text, f);
}

static const char *const commands[] = {
	"run", "build", "volume", "help", "ps", "logs", "stop", "kill", "wait",
	"rm", "snapshot", "restore", "migrate", "receive", "libvirt-xml",
	"api",
	"stats",
};
/* docker's commands that manage instances and Skiff has not. */
static const char *const instance_commands[] = {
	"start", "restart", "exec", "attach", "pause", "unpause", "inspect",
	"top",
};

static bool is_help(const char *s)
{
	return !strcmp(s, "-h") || !strcmp(s, "--help") || !strcmp(s, "help");
}

/* An unknown command: one line, the command meant when one is close. */
static int unknown_command(const char *cmd)
{
	for (size_t i = 0; i < ARRAY_SIZE(instance_commands); i++)
		if (!strcmp(cmd, instance_commands[i])) {
			skiff_err("skiff %s: not in Skiff (its instance commands: ps, logs, stop, kill, wait, rm, snapshot, restore, migrate)",
				  cmd);
			return SKIFF_EXIT_FAILED;
		}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (flags_close(cmd, commands[i])) {
			skiff_err("unknown command '%s' (did you mean skiff %s?)",
				  cmd, commands[i]);
			return SKIFF_EXIT_USAGE;
		}
	skiff_err("unknown command '%s' (try skiff --help)", cmd);
	return SKIFF_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct skiff_opts o;

	if (argc < 2) {
		usage(stderr);
		return SKIFF_EXIT_USAGE;
	}
	if (is_help(argv[1]) && argc > 2 && !is_help(argv[2])) {
		if (strcmp(argv[2], "run") && strcmp(argv[2], "build") &&
		    strcmp(argv[2], "volume"))
			return unknown_command(argv[2]);
		usage_command(stdout, argv[2]);
		return 0;
	}
	if (is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("skiff version %s\n", SKIFF_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "volume")) {
		if (argc > 2 && is_help(argv[2])) {
			usage_command(stdout, "volume");
			return 0;
		}
		return volume_command(argc - 2, argv + 2);
	}
	if (inst_is_command(argv[1]))
		return inst_command(argc - 1, argv + 1);
	if (!strcmp(argv[1], "api"))
		return api_command(argc - 1, argv + 1);
	if (!strcmp(argv[1], "libvirt-xml"))
		return libvirt_command(argc - 1, argv + 1);
	if (!strcmp(argv[1], "stats"))
		return stats_command(argc - 1, argv + 1);
	if (strcmp(argv[1], "run") && strcmp(argv[1], "build"))
		return unknown_command(argv[1]);
	opts_parse(argc - 1, argv + 1, &o);
	return o.build ? build_command(&o) : run_command(&o);
}
