/*
 * tools/skiff/api.c: the host side of the management API (docs/api.md):
 * --api[=PORT] of skiff run and build, the per-instance bearer token, and
 * `skiff api NAME METHOD PATH [BODY]`, an HTTP/1.1 client of 127.0.0.1.
 *
 * The token: 32 bytes of /dev/urandom as 64 hex digits, made by each skiff
 * run that turns the API on (or $SKIFF_API_TOKEN when set, so a foreground
 * run's caller knows it). It reaches the kernel as api_token= on the
 * command line (the kernel wipes it from that memory once read; Skiff has
 * no /proc/cmdline). A detached instance keeps it in its directory's
 * "api" file (mode 0600): "HOSTPORT TOKEN", HOSTPORT the -p port that
 * publishes the API's guest port, 0 when none does.
 * An image built with --api keeps the port in /.skiff/api; skiff run IMAGE
 * turns the API on from it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "skiff.h"
#include "instance.h"

#define API_DEFAULT_PORT 8000	/* OSv's */
#define API_IMAGE_FILE PROTO_DIR "/api"

int api_parse_option(const char *arg, u16 *port)
{
	char *end;
	long v;

	if (!arg) {
		*port = API_DEFAULT_PORT;
		return 0;
	}
	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > 65535)
		return -1;
	*port = (u16)v;
	return 0;
}

/* 64 hex digits of /dev/urandom into out (65 bytes). */
static int make_token(char *out)
{
	unsigned char raw[32];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, raw, sizeof(raw));

	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof(raw))
		return -1;
	for (size_t i = 0; i < sizeof(raw); i++)
		sprintf(out + 2 * i, "%02x", raw[i]);
	return 0;
}

int api_prepare(const struct skiff_opts *o, const char *image,
		struct vm_config *vm)
{
	static char token[HOST_TOKEN_MAX + 1];
	const char *env = getenv("SKIFF_API_TOKEN");
	u16 port = o->api_port;

	if (!port && image) {
		size_t len;
		int err;
		char *text = image_read_file(image, API_IMAGE_FILE, &len, &err);

		if (text && api_parse_option(text, &port))
			port = 0;
		free(text);
	}
	if (!port)
		return 0;
	if (env && *env) {
		if (strlen(env) > HOST_TOKEN_MAX ||
		    env[strspn(env, "0123456789abcdefABCDEF")]) {
			skiff_err("SKIFF_API_TOKEN: expected at most %d hex digits",
				  HOST_TOKEN_MAX);
			return SKIFF_EXIT_USAGE;
		}
		snprintf(token, sizeof(token), "%s", env);
	} else if (make_token(token)) {
		skiff_err("cannot read /dev/urandom for the API's token");
		return SKIFF_EXIT_FAILED;
	}
	vm->api_port = port;
	vm->api_token = token;
	return 0;
}

char *api_image_text(const struct skiff_opts *o, size_t *len)
{
	char *s;

	if (!o->build || !o->api_port)
		return NULL;
	s = xasprintf("%u", o->api_port);
	*len = strlen(s);
	return s;
}

int api_write_state(const char *name, const struct vm_config *vm)
{
	unsigned host = 0;
	char *text;
	int err;

	if (!vm->api_port)
		return 0;
	for (size_t i = 0; vm->net && i < vm->net->nports; i++) {
		const struct port_spec *p = &vm->net->ports[i];
		if (!p->udp && p->guest_port == vm->api_port)
			host = p->host_port;
	}
	text = xasprintf("%u %s\n", host, vm->api_token);
	err = inst_write(name, "api", text);
	free(text);
	return err;
}

/* ---- skiff api ---- */

static int api_usage(void)
{
	skiff_err("usage: skiff api NAME|:PORT METHOD PATH [BODY|@FILE]");
	return SKIFF_EXIT_USAGE;
}

/* The host port and token of NAME ("NAME" or ":PORT" with the token in
 * $SKIFF_API_TOKEN): 0, or an exit status after a line. */
static int find_target(const char *name, unsigned *port, char *token,
		       size_t toklen)
{
	struct inst_state s;
	int err;

	if (name[0] == ':') {
		const char *env = getenv("SKIFF_API_TOKEN");
		u16 p;

		if (api_parse_option(name + 1, &p))
			return api_usage();
		*port = p;
		snprintf(token, toklen, "%s", env ? env : "");
		return 0;
	}
	if ((err = inst_find(name, &s)))
		return err;
	if (!s.running) {
		skiff_err("instance '%s' is not running", name);
		return SKIFF_EXIT_FAILED;
	}
	if (!s.api[0] || sscanf(s.api, "%u %128s", port, token) != 2) {
		skiff_err("instance '%s' runs without the API (skiff run --api)",
			  name);
		return SKIFF_EXIT_FAILED;
	}
	if (!*port) {
		skiff_err("instance '%s': its API port is not published (-p HOSTPORT:%s)",
			  name, "8000");
		return SKIFF_EXIT_FAILED;
	}
	return 0;
}

/* BODY, or @FILE's bytes, into *body (malloc'd), *len. */
static int read_body(const char *arg, char **body, size_t *len)
{
	FILE *f;
	size_t cap = 65536, n = 0, r;
	char *b;

	if (!arg || arg[0] != '@') {
		*body = xstrdup(arg ? arg : "");
		*len = strlen(*body);
		return 0;
	}
	if (!(f = fopen(arg + 1, "rb"))) {
		skiff_err("%s: %s", arg + 1, strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	b = xmalloc(cap);
	while ((r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(b, cap *= 2);
			if (!nb)
				abort();
			b = nb;
		}
	}
	fclose(f);
	*body = b;
	*len = n;
	return 0;
}

static int connect_local(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((u16)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
		return fd;
	skiff_err("cannot connect to the API at 127.0.0.1:%u: %s", port,
		  strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* Reads the whole response (the server closes: Connection: close). */
static char *read_all(int fd, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *b = xmalloc(cap + 1);
	ssize_t r;

	while ((r = read(fd, b + n, cap - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
		if (n == cap) {
			char *nb = realloc(b, (cap *= 2) + 1);
			if (!nb)
				abort();
			b = nb;
		}
	}
	b[n] = 0;
	*len = n;
	return b;
}

/* Prints the body; the exit status: 0 for 2xx, 1 otherwise. */
static int show_response(const char *resp, size_t len)
{
	const char *body = strstr(resp, "\r\n\r\n");
	int status = 0;

	if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1 || !body) {
		skiff_err("the API gave no HTTP response");
		return SKIFF_EXIT_FAILED;
	}
	body += 4;
	fwrite(body, 1, len - (size_t)(body - resp), stdout);
	if (len > (size_t)(body - resp) && resp[len - 1] != '\n')
		putchar('\n');
	if (status >= 200 && status < 300)
		return 0;
	skiff_err("HTTP %d", status);
	return 1;
}

int api_command(int argc, char **argv)
{
	char token[HOST_TOKEN_MAX + 1] = "", *body, *req, *resp;
	unsigned port = 0;
	size_t blen, rlen;
	int err, fd;

	if (argc < 4 || argc > 5)
		return api_usage();
	if ((err = find_target(argv[1], &port, token, sizeof(token))) ||
	    (err = read_body(argc == 5 ? argv[4] : NULL, &body, &blen)))
		return err;
	if (argv[3][0] != '/' || strpbrk(argv[3], " \r\n") ||
	    strpbrk(argv[2], " \r\n/")) {
		free(body);
		return api_usage();
	}
	if ((fd = connect_local(port)) < 0) {
		free(body);
		return SKIFF_EXIT_FAILED;
	}
	req = xasprintf("%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
			"Authorization: Bearer %s\r\nConnection: close\r\n"
			"Content-Length: %zu\r\n\r\n", argv[2], argv[3], port,
			token, blen);
	if (!write_all(fd, req, strlen(req)) || !write_all(fd, body, blen)) {
		skiff_err("sending the request: %s", strerror(errno));
		err = SKIFF_EXIT_FAILED;
	} else {
		resp = read_all(fd, &rlen);
		err = show_response(resp, rlen);
		free(resp);
	}
	close(fd);
	free(req);
	free(body);
	return err;
}
