/*
 * The command line of `skiff run` and `skiff build` into struct skiff_opts,
 * plus the path and size helpers the options need. A bad command line ends
 * skiff here with one line on stderr and SKIFF_EXIT_USAGE.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "skiff.h"

enum { OPT_FILE = 256, OPT_DIR, OPT_MACHINE, OPT_ACCEL, OPT_KERNEL, OPT_NET,
       OPT_IP, OPT_GATEWAY, OPT_DNS, OPT_VERBOSE, OPT_FORMAT, OPT_NO_CWD,
       OPT_API };

static const struct option long_opts[] = {
	{ "memory", required_argument, NULL, 'm' },
	{ "env", required_argument, NULL, 'e' },
	{ "output", required_argument, NULL, 'o' },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "volume", required_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "file", required_argument, NULL, OPT_FILE },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "machine", required_argument, NULL, OPT_MACHINE },
	{ "accel", required_argument, NULL, OPT_ACCEL },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "publish", required_argument, NULL, 'p' },
	{ "net", required_argument, NULL, OPT_NET },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "gateway", required_argument, NULL, OPT_GATEWAY },
	{ "dns", required_argument, NULL, OPT_DNS },
	{ "interactive", no_argument, NULL, 'i' },
	{ "tty", no_argument, NULL, 't' },
	{ "workdir", required_argument, NULL, 'w' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "no-cwd", no_argument, NULL, OPT_NO_CWD },
	{ "env-file", required_argument, NULL, OPT_ENV_FILE },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "detach", no_argument, NULL, 'd' },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "rm", no_argument, NULL, OPT_RM },
	{ "api", optional_argument, NULL, OPT_API },
	{ NULL, 0, NULL, 0 },
};

static const char *command = "run"; /* for bad_usage's hint */

static __noreturn void bad_usage(const char *fmt, const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg);
	skiff_err("%s (see skiff %s --help)", msg, command);
	exit(SKIFF_EXIT_USAGE);
}

int opts_parse_memory(const char *s, u64 *mib)
{
	static const char *const units = "KMGT";
	unsigned long long v;
	const char *u;
	char *end;
	u64 bytes, shift = 20;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u)
			return -EINVAL;
		shift = 10 * (u - units + 1);
		end++;
		if (!strcasecmp(end, "iB") || !strcasecmp(end, "B"))
			end += strlen(end);
	}
	if (*end)
		return -EINVAL;
	if (v > ((1ull << 40) >> shift))
		return -ERANGE;
	bytes = (u64)v << shift;
	*mib = (bytes + (1ull << 20) - 1) >> 20;
	return 0;
}

char *path_normalize(const char *abs)
{
	size_t len = strlen(abs), n = 0;
	char *out = xmalloc(len + 2);
	const char *p = abs, *c;

	while (*p) {
		while (*p == '/')
			p++;
		c = p;
		while (*p && *p != '/')
			p++;
		if (p - c == 0 || (p - c == 1 && c[0] == '.'))
			continue;
		if (p - c == 2 && c[0] == '.' && c[1] == '.') {
			while (n > 0 && out[--n] != '/')
				;
			continue;
		}
		out[n++] = '/';
		memcpy(out + n, c, p - c);
		n += p - c;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return out;
}

char *path_absolute(const char *path)
{
	char cwd[PATH_MAX], *joined, *abs;

	if (path[0] == '/')
		return path_normalize(path);
	if (!getcwd(cwd, sizeof(cwd))) {
		skiff_err("cannot get the current directory: %s", strerror(errno));
		exit(SKIFF_EXIT_FAILED);
	}
	joined = xasprintf("%s/%s", cwd, path);
	abs = path_normalize(joined);
	free(joined);
	return abs;
}

/*
 * HOST[:GUEST]: the last ':' followed by '/' starts GUEST. A ':' followed
 * by anything else, in a path that is no host file, is a relative GUEST.
 */
static struct file_spec split_spec(const char *opt, const char *arg)
{
	const char *colon = strrchr(arg, ':');
	struct file_spec f;

	if (colon && colon != arg && colon[1] != '/' && access(arg, F_OK)) {
		char msg[600];

		snprintf(msg, sizeof(msg), "%s %s: the guest path '%s' must be absolute",
			 opt, arg, colon + 1);
		bad_usage("%s", msg);
	}
	if (colon && colon[1] != '/')
		colon = NULL;
	if (colon == arg || !arg[0]) {
		char msg[64];

		snprintf(msg, sizeof(msg), "%s %%s: no host path", opt);
		bad_usage(msg, arg);
	}
	f.host = colon ? strndup(arg, colon - arg) : xstrdup(arg);
	f.guest = colon ? xstrdup(colon + 1) : NULL;
	return f;
}

static void push_spec(struct file_spec **v, size_t *n, struct file_spec f)
{
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	if (!*v)
		bad_usage("%s", "out of memory");
	(*v)[(*n)++] = f;
}

/* --file HOST[:GUEST]; GUEST ending in '/' is a directory for HOST. */
static void add_file(struct skiff_opts *o, const char *arg)
{
	struct file_spec f = split_spec("--file", arg);
	char *g;

	if (f.guest && f.guest[strlen(f.guest) - 1] == '/') {
		const char *base = strrchr(f.host, '/');

		g = xasprintf("%s%s", f.guest, base ? base + 1 : f.host);
		free(f.guest);
		f.guest = g;
	}
	if (f.guest) {
		g = path_normalize(f.guest);
		free(f.guest);
		f.guest = g;
	}
	push_spec(&o->files, &o->nfiles, f);
}

/* --dir HOST[:GUEST]: the tree HOST at GUEST (default: at HOST). */
static void add_dir(struct skiff_opts *o, const char *arg)
{
	struct file_spec f = split_spec("--dir", arg);
	char *g;

	if (f.guest) {
		g = path_normalize(f.guest);
		free(f.guest);
		f.guest = g;
	}
	push_spec(&o->dirs, &o->ndirs, f);
}

/* -e KEY=VAL, or -e KEY for skiff's own value of KEY (skipped if unset). */
static void add_env(struct skiff_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *kv;

	if (eq == arg || !arg[0])
		bad_usage("-e %s: expected KEY=VALUE", arg);
	flags_check_env_key(arg, eq ? (size_t)(eq - arg) : strlen(arg));
	if (eq) {
		kv = xstrdup(arg);
	} else {
		const char *v = getenv(arg);

		if (!v)
			return;
		kv = xasprintf("%s=%s", arg, v);
	}
	o->env = realloc(o->env, (o->nenv + 1) * sizeof(*o->env));
	if (!o->env)
		bad_usage("%s", "out of memory");
	o->env[o->nenv++] = kv;
}

/* -p [HOSTIP:]HOSTPORT:GUESTPORT[/tcp|/udp], repeatable. */
static void add_port(struct skiff_opts *o, const char *arg)
{
	struct net_config *n = &o->net;
	char why[256], msg[512];

	n->ports = realloc(n->ports, (n->nports + 1) * sizeof(*n->ports));
	if (!n->ports)
		bad_usage("%s", "out of memory");
	if (net_parse_publish(arg, &n->ports[n->nports], why, sizeof(why))) {
		snprintf(msg, sizeof(msg), "-p %s: %s", arg, why);
		bad_usage("%s", msg);
	}
	n->nports++;
	n->ports_given = true;
}

static void add_dns(struct skiff_opts *o, const char *arg)
{
	struct net_config *n = &o->net;

	if (!net_valid_ip(arg))
		bad_usage("--dns %s: expected an IPv4 or IPv6 address", arg);
	n->dns = realloc(n->dns, (n->ndns + 1) * sizeof(*n->dns));
	if (!n->dns)
		bad_usage("%s", "out of memory");
	n->dns[n->ndns++] = (char *)arg;
}

static void vm_option(struct skiff_opts *o, const char *name)
{
	if (o->build)
		bad_usage("%s is an option of skiff run, not skiff build", name);
}

static void parse_net(struct skiff_opts *o, int c, const char *arg)
{
	char why[256], msg[512];

	switch (c) {
	case 'p':
		add_port(o, arg);
		break;
	case OPT_DNS:
		add_dns(o, arg);
		break;
	case OPT_NET:
		vm_option(o, "--net");
		if (net_parse_mode(arg, &o->net, why, sizeof(why))) {
			snprintf(msg, sizeof(msg), "--net %s: %s", arg, why);
			bad_usage("%s", msg);
		}
		break;
	case OPT_IP:
		vm_option(o, "--ip");
		if (!net_valid_cidr4(arg))
			bad_usage("--ip %s: expected an IPv4 address with its prefix length, such as 192.168.100.2/24", arg);
		o->net.ip = arg;
		break;
	case OPT_GATEWAY:
		vm_option(o, "--gateway");
		if (!net_valid_ip4(arg))
			bad_usage("--gateway %s: expected an IPv4 address", arg);
		o->net.gateway = arg;
		break;
	}
}

/* --format lz4|gzip|cpio|raw|qcow2, skiff build's only. */
static void parse_format(struct skiff_opts *o, const char *arg)
{
	static const char *const names[] = { "lz4", "gzip", "cpio", "raw",
					     "qcow2" };

	if (!o->build)
		bad_usage("%s", "--format is an option of skiff build");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(arg, names[i])) {
			o->format = (enum image_format)i;
			return;
		}
	bad_usage("--format %s: expected lz4, gzip, cpio, raw or qcow2", arg);
}

static void parse_one(struct skiff_opts *o, int c, const char *arg)
{
	char why[256], msg[600];
	int err;

	switch (c) {
	case 'm':
		vm_option(o, "--memory");
		err = opts_parse_memory(arg, &o->memory_mib);
		if (err == -EINVAL)
			bad_usage("--memory %s: expected a size such as 512M or 2G", arg);
		if (err)
			bad_usage("--memory %s: too large, the maximum is 1T", arg);
		if (o->memory_mib < SKIFF_MIN_MEMORY_MIB)
			bad_usage("--memory %s: too small, the minimum is 16M", arg);
		break;
	case 'e':
		add_env(o, arg);
		break;
	case 'o':
		if (!o->build)
			bad_usage("%s", "-o is an option of skiff build");
		o->output = arg;
		break;
	case OPT_VERBOSE:
		o->verbose = true;
		break;
	case 'v':
		vm_option(o, "-v");
		if (o->ndisks >= SKIFF_MAX_DISKS)
			bad_usage("%s", "-v: at most 8 disks");
		if (volume_parse(arg, &o->disks[o->ndisks], why, sizeof(why))) {
			snprintf(msg, sizeof(msg), "-v %s: %s", arg, why);
			bad_usage("%s", msg);
		}
		o->ndisks++;
		break;
	case 'w': /* as docker: the guest directory, made if missing */
		if (arg[0] != '/')
			bad_usage("-w %s: the working directory must be absolute", arg);
		o->workdir = path_normalize(arg);
		break;
	case OPT_NO_CWD:
		vm_option(o, "--no-cwd");
		o->no_cwd = true;
		break;
	case 'i': /* docker's -i: skiff always passes its stdin */
		vm_option(o, "-i");
		break;
	case 't':
		vm_option(o, "-t");
		o->tty = true;
		break;
	case OPT_FORMAT:
		parse_format(o, arg);
		break;
	case OPT_FILE:
		add_file(o, arg);
		break;
	case OPT_DIR:
		add_dir(o, arg);
		break;
	case OPT_MACHINE:
		vm_option(o, "--machine");
		if (strcmp(arg, "microvm") && strcmp(arg, "q35"))
			bad_usage("--machine %s: expected microvm or q35", arg);
		o->q35 = !strcmp(arg, "q35");
		break;
	case OPT_ACCEL:
		vm_option(o, "--accel");
		if (!strcmp(arg, "auto"))
			o->accel = ACCEL_AUTO;
		else if (!strcmp(arg, "kvm"))
			o->accel = ACCEL_KVM;
		else if (!strcmp(arg, "tcg"))
			o->accel = ACCEL_TCG;
		else
			bad_usage("--accel %s: expected auto, kvm or tcg", arg);
		break;
	case OPT_KERNEL:
		vm_option(o, "--kernel");
		o->kernel = arg;
		break;
	case 'd':
		vm_option(o, "-d");
		o->detach = true;
		break;
	case OPT_NAME:
		vm_option(o, "--name");
		if (!inst_valid_name(arg))
			bad_usage("--name %s: expected letters, digits, '_', '.' or '-' (at most 63, a letter or digit first)", arg);
		o->name = arg;
		break;
	case OPT_RM:
		vm_option(o, "--rm");
		o->rm = true;
		break;
	case OPT_API:
		if (api_parse_option(arg, &o->api_port))
			bad_usage("--api=%s: expected a port, 1 to 65535", arg);
		break;
	case OPT_ENV_FILE:
	case OPT_VERSION:
	case OPT_CPUS:
		flags_parse(o, c, arg);
		break;
	default:
		parse_net(o, c, arg);
		break;
	}
}

void opts_parse(int argc, char **argv, struct skiff_opts *o)
{
	char why[256];
	int c;

	memset(o, 0, sizeof(*o));
	o->build = !strcmp(argv[0], "build");
	command = o->build ? "build" : "run";
	o->memory_mib = SKIFF_DEFAULT_MEMORY_MIB;
	opterr = 0;
	/* '+': stop at PROGRAM, its own options are its ARGS. */
	while ((c = getopt_long(argc, argv, "+:m:e:o:p:v:w:hitd", long_opts, NULL)) != -1) {
		if (c == 'h') {
			usage_command(stdout, command);
			exit(0);
		}
		if (c == ':')
			bad_usage("option %s needs a value", argv[optind - 1]);
		if (c == '?' && optopt) {
			char opt[3] = { '-', (char)optopt, 0 };

			bad_usage("unknown option %s", opt);
		}
		if (c == '?')
			flags_unknown(argv[optind - 1], long_opts, command);
		parse_one(o, c, optarg);
	}
	flags_finish(o);
	o->argc = argc - optind;
	o->argv = argv + optind;
	config_apply(argc, argv, optind, o); /* skiff.json, if any */
	if (o->argc == 0)
		bad_usage("%s", "missing PROGRAM");
	if (o->build && !o->output)
		bad_usage("%s", "skiff build needs -o IMAGE");
	if (net_check_config(&o->net, why, sizeof(why)))
		bad_usage("%s", why);
	o->cmd_argc = argc;
	o->cmd_argv = argv;
}
