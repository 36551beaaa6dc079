/*
 * The guest's network as skiff sets it up (interface in skiff.h): the
 * options -p/--publish, --net, --ip, --gateway and --dns, the QEMU
 * arguments of the NIC, the kernel command line words that configure it
 * (ip=, gw=, see kernel/cmdline.c), and the image's /etc/hosts,
 * /etc/resolv.conf and /etc/hostname.
 *
 *   --net user (default)  QEMU user networking, no root needed: the guest is
 *                         10.0.2.15/24, the host 10.0.2.2, DNS 10.0.2.3
 *                         (QEMU's defaults, kept); -p becomes hostfwd=.
 *   --net tap=IFNAME      the host's tap interface IFNAME, as it is (no
 *                         scripts); the guest asks DHCP unless --ip.
 *   --net none            no NIC at all: the fastest boot.
 *
 * The NIC is virtio-net: virtio-net-device on a modern virtio-mmio
 * transport on microvm (QEMU's transports default to legacy, the kernel
 * drives modern only), virtio-net-pci without its legacy interface and
 * without an option ROM on q35.
 *
 * A published port is checked before QEMU starts by binding it the way
 * QEMU's user networking (libslirp) will: TCP with SO_REUSEADDR, then
 * listen; UDP a plain bind. Otherwise QEMU would fail after the image is
 * written, with "Could not set up host forwarding rule".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <skiff/proto.h>
#include "skiff.h"

#define TAP_NAME_MAX 15 /* IFNAMSIZ - 1 */

static int why_fail(char *why, size_t len, const char *fmt, const char *arg)
{
	snprintf(why, len, fmt, arg);
	return -EINVAL;
}

/* A port number, 1..65535, in s[0..n). 0 if not one. */
static unsigned parse_port(const char *s, size_t n)
{
	unsigned v = 0;

	if (n == 0 || n > 5)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 65535 ? v : 0;
}

/* One port field of -p, named what, into *out. */
static int port_field(const char *s, size_t n, const char *what, u16 *out,
		      char *why, size_t whylen)
{
	char field[32];

	*out = parse_port(s, n);
	if (*out)
		return 0;
	snprintf(field, sizeof(field), "%.*s", (int)MIN(n, 20), s);
	if (n == 0 && !strcmp(what, "host"))
		return why_fail(why, whylen, "%s",
				"no host port: skiff does not choose one, give HOSTPORT");
	if (n == 0)
		return why_fail(why, whylen, "no %s port", what);
	if (memchr(s, '-', n))
		snprintf(why, whylen, "%s port '%s': port ranges are not supported",
			 what, field);
	else
		snprintf(why, whylen, "%s port '%s': expected a number from 1 to 65535",
			 what, field);
	return -EINVAL;
}

/* HOSTIP of -p (without brackets) into p. */
static int host_ip(const char *s, size_t n, bool bracketed,
		   struct port_spec *p, char *why, size_t whylen)
{
	char ip[64];
	union { struct in_addr a4; struct in6_addr a6; } bin;

	snprintf(ip, sizeof(ip), "%.*s", (int)MIN(n, 60), s);
	if (n >= 60)
		return why_fail(why, whylen, "host address '%s...' is too long", ip);
	p->family = bracketed ? AF_INET6 : AF_INET;
	if (inet_pton(p->family, ip, &bin) != 1) {
		if (!bracketed && strchr(ip, ':'))
			return why_fail(why, whylen,
					"host address '%s': write an IPv6 address in brackets, [%s]:HOSTPORT:GUESTPORT", ip);
		return why_fail(why, whylen, bracketed ?
				"host address '[%s]' is not an IPv6 address" :
				"host address '%s' is not an IPv4 address", ip);
	}
	inet_ntop(p->family, &bin, p->host_ip, sizeof(p->host_ip));
	return 0;
}

/* The protocol suffix ("", "/tcp", "/udp") at *slash (or NULL). */
static int proto_suffix(const char *slash, struct port_spec *p, char *why,
			size_t whylen)
{
	p->udp = false;
	if (!slash || !strcmp(slash, "/tcp"))
		return 0;
	if (!strcmp(slash, "/udp")) {
		p->udp = true;
		return 0;
	}
	return why_fail(why, whylen, "protocol '%s': expected tcp or udp",
			slash + 1);
}

static size_t count_char(const char *s, const char *end, char c)
{
	size_t n = 0;

	for (; s < end; s++)
		n += *s == c;
	return n;
}

int net_parse_publish(const char *spec, struct port_spec *p, char *why,
		      size_t whylen)
{
	const char *slash = strchr(spec, '/'), *end, *s = spec, *colon;
	int err;

	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	strcpy(p->host_ip, "127.0.0.1");
	end = slash ? slash : spec + strlen(spec);
	if ((err = proto_suffix(slash, p, why, whylen)))
		return err;
	if (*s == '[') {
		/* [IPV6]: the address ends at the bracket, not at a colon. */
		const char *close = memchr(s, ']', end - s);

		if (!close || close[1] != ':')
			return why_fail(why, whylen, "%s",
					"an IPv6 host address is written [ADDR]:HOSTPORT:GUESTPORT");
		if ((err = host_ip(s + 1, close - s - 1, true, p, why, whylen)))
			return err;
		s = close + 2;
		if (count_char(s, end, ':') != 1)
			return why_fail(why, whylen, "%s",
					"expected [ADDR]:HOSTPORT:GUESTPORT after the IPv6 host address");
	} else if (count_char(s, end, ':') > 2) {
		return why_fail(why, whylen, "%s",
				"too many ':' (an IPv6 host address goes in brackets: [ADDR]:HOSTPORT:GUESTPORT)");
	} else if (count_char(s, end, ':') == 2) {
		/* HOSTIP:HOSTPORT:GUESTPORT; an empty HOSTIP is the default. */
		colon = memchr(s, ':', end - s);
		if (colon > s &&
		    (err = host_ip(s, colon - s, false, p, why, whylen)))
			return err;
		s = colon + 1;
	}
	colon = memchr(s, ':', end - s);
	if (!colon)
		return why_fail(why, whylen, "%s",
				"expected [HOSTIP:]HOSTPORT:GUESTPORT; skiff does not choose a host port: -p 8080:80 publishes the guest's port 80 on the host's port 8080");
	if ((err = port_field(s, colon - s, "host", &p->host_port, why, whylen)))
		return err;
	return port_field(colon + 1, end - colon - 1, "guest", &p->guest_port,
			  why, whylen);
}

void net_format_publish(const struct port_spec *p, char *buf, size_t len)
{
	snprintf(buf, len, p->family == AF_INET6 ? "[%s]:%u:%u/%s" : "%s:%u:%u/%s",
		 p->host_ip, p->host_port, p->guest_port, p->udp ? "udp" : "tcp");
}

/* An interface name QEMU's option syntax and Linux both take as is. */
static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > TAP_NAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_.-") == n;
}

int net_parse_mode(const char *arg, struct net_config *n, char *why,
		   size_t whylen)
{
	if (!strcmp(arg, "user") || !strcmp(arg, "none")) {
		n->mode = arg[0] == 'u' ? NET_USER : NET_NONE;
		n->tap = NULL;
		return 0;
	}
	if (strncmp(arg, "tap=", 4))
		return why_fail(why, whylen, "%s",
				"expected none, user or tap=IFNAME");
	if (!valid_ifname(arg + 4))
		return why_fail(why, whylen,
				"'%s' is not an interface name (1 to 15 letters, digits, '_', '.', '-')",
				arg + 4);
	n->mode = NET_TAP;
	n->tap = arg + 4;
	return 0;
}

bool net_valid_ip4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

bool net_valid_ip(const char *s)
{
	struct in6_addr a;

	return net_valid_ip4(s) || inet_pton(AF_INET6, s, &a) == 1;
}

bool net_valid_cidr4(const char *s)
{
	const char *slash = strchr(s, '/');
	char addr[INET_ADDRSTRLEN];
	unsigned prefix;

	if (!slash || slash - s >= (long)sizeof(addr))
		return false;
	snprintf(addr, sizeof(addr), "%.*s", (int)(slash - s), s);
	prefix = parse_port(slash + 1, strlen(slash + 1));
	return net_valid_ip4(addr) && prefix >= 1 && prefix <= 32;
}

#define NO_IPV6_HOSTFWD "QEMU's user networking forwards ports from IPv4 host addresses only (hostfwd); publish on 127.0.0.1 or 0.0.0.0"

/* Would QEMU fail to bind both? (0.0.0.0 takes the port on every address.) */
static bool same_binding(const struct port_spec *a, const struct port_spec *b)
{
	return a->udp == b->udp && a->host_port == b->host_port &&
	       a->family == b->family &&
	       (!strcmp(a->host_ip, b->host_ip) || !strcmp(a->host_ip, "0.0.0.0") ||
		!strcmp(b->host_ip, "0.0.0.0"));
}

int net_check_config(const struct net_config *n, char *why, size_t whylen)
{
	if (n->ports_given && n->nports && n->mode == NET_TAP)
		return why_fail(why, whylen,
				"-p publishes ports through QEMU's user networking; with --net tap=%s the guest has its own address on that interface, reach its ports there",
				n->tap);
	if (n->ports_given && n->nports && n->mode == NET_NONE)
		return why_fail(why, whylen, "%s",
				"-p needs a network; --net none gives the guest none");
	if ((n->ip || n->gateway) && n->mode != NET_TAP)
		return why_fail(why, whylen, "%s",
				"--ip and --gateway are for --net tap (user networking gives the guest " NET_USER_GUEST "/24, gateway " NET_USER_GATEWAY ")");
	if (n->gateway && !n->ip)
		return why_fail(why, whylen, "%s",
				"--gateway needs --ip (without --ip, DHCP gives the address and the gateway)");
	if (n->ndns && n->mode == NET_NONE)
		return why_fail(why, whylen, "%s",
				"--dns needs a network; --net none gives the guest none");
	for (size_t i = 0; i < n->nports; i++) {
		char spec[80];

		net_format_publish(&n->ports[i], spec, sizeof(spec));
		if (n->ports[i].family == AF_INET6)
			return why_fail(why, whylen, "-p %s: " NO_IPV6_HOSTFWD,
					spec);
		for (size_t j = 0; j < i; j++)
			if (same_binding(&n->ports[i], &n->ports[j]))
				return why_fail(why, whylen,
						"-p %s: that host port is published twice", spec);
	}
	return 0;
}

/* Binds p as libslirp would; returns 0 or an errno. */
static int try_bind(const struct port_spec *p)
{
	union { struct sockaddr_in s4; struct sockaddr_in6 s6; } sa;
	int fd = socket(p->family, (p->udp ? SOCK_DGRAM : SOCK_STREAM) |
				   SOCK_CLOEXEC, 0);
	int one = 1, e = 0;

	if (fd < 0)
		return errno;
	memset(&sa, 0, sizeof(sa));
	if (p->family == AF_INET) {
		sa.s4.sin_family = AF_INET;
		sa.s4.sin_port = htons(p->host_port);
		inet_pton(AF_INET, p->host_ip, &sa.s4.sin_addr);
	} else {
		sa.s6.sin6_family = AF_INET6;
		sa.s6.sin6_port = htons(p->host_port);
		inet_pton(AF_INET6, p->host_ip, &sa.s6.sin6_addr);
	}
	if (!p->udp)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, p->family == AF_INET ?
		 sizeof(sa.s4) : sizeof(sa.s6)) < 0 ||
	    (!p->udp && listen(fd, 1) < 0))
		e = errno;
	close(fd);
	return e;
}

int net_check_ports(const struct net_config *n)
{
	for (size_t i = 0; i < n->nports; i++) {
		const struct port_spec *p = &n->ports[i];
		char spec[80], at[64];
		int e;

		net_format_publish(p, spec, sizeof(spec));
		snprintf(at, sizeof(at), p->family == AF_INET6 ? "[%s]:%u" : "%s:%u",
			 p->host_ip, p->host_port);
		if (p->family == AF_INET6) {
			skiff_err("-p %s: " NO_IPV6_HOSTFWD, spec);
			return SKIFF_EXIT_FAILED;
		}
		e = try_bind(p);
		if (e == EADDRINUSE)
			skiff_err("port %s%s is already in use", at,
				  p->udp ? "/udp" : "");
		else if (e == EADDRNOTAVAIL)
			skiff_err("-p %s: %s is not an address of this host",
				  spec, p->host_ip);
		else if (e == EACCES && p->host_port < 1024)
			skiff_err("-p %s: host ports below 1024 need root (or CAP_NET_BIND_SERVICE); publish on a higher one",
				  spec);
		else if (e)
			skiff_err("-p %s: cannot bind %s: %s", spec, at, strerror(e));
		if (e)
			return SKIFF_EXIT_FAILED;
	}
	return 0;
}

/* -netdev user,id=net0[,hostfwd=PROTO:HOSTIP:HOSTPORT-:GUESTPORT...] */
static char *netdev_user(const struct net_config *n)
{
	char *s = xstrdup("user,id=net0"), *t;

	for (size_t i = 0; i < n->nports; i++) {
		const struct port_spec *p = &n->ports[i];

		t = xasprintf("%s,hostfwd=%s:%s:%u-:%u", s, p->udp ? "udp" : "tcp",
			      p->host_ip, p->host_port, p->guest_port);
		free(s);
		s = t;
	}
	return s;
}

int net_qemu_args(const struct net_config *n, bool q35, char **v)
{
	int k = 0;

	if (n->mode == NET_NONE)
		return 0;
	v[k++] = xstrdup("-netdev");
	if (n->mode == NET_TAP)
		v[k++] = xasprintf("tap,id=net0,ifname=%s,script=no,downscript=no",
				   n->tap);
	else
		v[k++] = netdev_user(n);
	v[k++] = xstrdup("-device");
	if (q35) {
		/* romfile=: no iPXE ROM for SeaBIOS to run at boot. */
		v[k++] = xstrdup("virtio-net-pci,netdev=net0,disable-legacy=on,romfile=");
	} else {
		v[k++] = xstrdup("virtio-net-device,netdev=net0");
		v[k++] = xstrdup("-global");
		v[k++] = xstrdup("virtio-mmio.force-legacy=false");
	}
	return k;
}

void net_cmdline(const struct net_config *n, char *buf, size_t len)
{
	size_t used = strlen(buf);

	if (used >= len)
		return;
	if (n->mode == NET_USER)
		snprintf(buf + used, len - used, " ip=%s/%u gw=%s",
			 NET_USER_GUEST, NET_USER_PREFIX, NET_USER_GATEWAY);
	else if (n->mode == NET_TAP && !n->ip)
		snprintf(buf + used, len - used, " ip=dhcp");
	else if (n->mode == NET_TAP)
		snprintf(buf + used, len - used, " ip=%s%s%s", n->ip,
			 n->gateway ? " gw=" : "", n->gateway ? n->gateway : "");
}

/* The guest's own address for /etc/hosts: a fixed one, else Debian's
 * 127.0.1.1 for a name with no fixed address. */
static char *own_address(const struct net_config *n)
{
	if (n->mode == NET_USER)
		return xstrdup(NET_USER_GUEST);
	if (n->mode == NET_TAP && n->ip)
		return xasprintf("%.*s", (int)strcspn(n->ip, "/"), n->ip);
	return xstrdup("127.0.1.1");
}

char *net_etc_hosts(const struct net_config *n)
{
	char *own = own_address(n);
	char *s = xasprintf("127.0.0.1\tlocalhost\n"
			    "::1\tlocalhost ip6-localhost ip6-loopback\n"
			    "%s\t" NET_HOSTNAME "\n", own);

	free(own);
	return s;
}

char *net_etc_hostname(void)
{
	return xstrdup(NET_HOSTNAME "\n");
}

/* s with "nameserver ADDR\n" appended (s freed). */
static char *add_ns(char *s, const char *addr)
{
	char *t = xasprintf("%snameserver %s\n", s, addr);

	free(s);
	return t;
}

static bool loopback(const char *addr)
{
	return !strncmp(addr, "127.", 4) || !strcmp(addr, "::1");
}

/* The host's nameservers but loopback ones (which are the host's own, not
 * reachable from a tap), as docker does; "" if none. */
static char *host_nameservers(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[256], addr[64], *s = xstrdup("");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " nameserver %63s", addr) == 1 &&
		    net_valid_ip(addr) && !loopback(addr))
			s = add_ns(s, addr);
	if (f)
		fclose(f);
	return s;
}

char *net_etc_resolv(const struct net_config *n)
{
	char *s;

	if (n->mode == NET_NONE)
		return NULL;
	s = xstrdup("");
	for (size_t i = 0; i < n->ndns; i++)
		s = add_ns(s, n->dns[i]);
	if (n->ndns)
		return s;
	free(s);
	if (n->mode == NET_USER)
		return xstrdup("nameserver " NET_USER_DNS "\n");
	s = host_nameservers("/etc/resolv.conf");
	if (!*s) {
		free(s);
		/* systemd-resolved's stub is 127.0.0.53; its upstreams: */
		s = host_nameservers("/run/systemd/resolve/resolv.conf");
	}
	if (!*s) {
		free(s);
		return NULL;
	}
	return s;
}

int net_ports_from_text(struct net_config *n, const char *text, size_t len,
			const char *image)
{
	const char *p = text, *end = text + len;
	char line[128], why[256];

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t l = (nl ? nl : end) - p;

		if (l >= sizeof(line))
			l = sizeof(line) - 1;
		memcpy(line, p, l);
		line[l] = '\0';
		p = nl ? nl + 1 : end;
		if (!line[0])
			continue;
		n->ports = realloc(n->ports, (n->nports + 1) * sizeof(*n->ports));
		if (!n->ports) {
			skiff_err("out of memory");
			return SKIFF_EXIT_FAILED;
		}
		if (net_parse_publish(line, &n->ports[n->nports], why, sizeof(why))) {
			skiff_err("%s: its published port '%s': %s", image, line, why);
			return SKIFF_EXIT_FAILED;
		}
		n->nports++;
	}
	return 0;
}

char *net_ports_text(const struct net_config *n, size_t *len)
{
	char *s = xstrdup(""), *t, spec[80];

	for (size_t i = 0; i < n->nports; i++) {
		net_format_publish(&n->ports[i], spec, sizeof(spec));
		t = xasprintf("%s%s\n", s, spec);
		free(s);
		s = t;
	}
	*len = strlen(s);
	return s;
}
