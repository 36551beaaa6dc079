/* SOURCES: tools/skiff/net.c */
/*
 * skiff's network options (tools/skiff/net.c): the -p parser on valid and
 * malformed specs (docker's syntax, what skiff takes and what it refuses,
 * each with its reason), --net, the checks across options, the QEMU
 * arguments and kernel command line words of each mode on both machines,
 * the image's /etc files, the text of an image's published ports read
 * back, and the check of host ports against sockets this test binds on
 * 127.0.0.1 (the host kernel says what is in use; nothing leaves
 * loopback).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "../../tools/skiff/skiff.h"
#include "shim.h"

static char last_err[1024];

/* What net.c needs from skiff's main.c; skiff_err keeps the last line. */
void skiff_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_err, sizeof(last_err), fmt, ap);
	va_end(ap);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	assert_non_null(p);
	return p;
}

char *xstrdup(const char *s)
{
	return strcpy(xmalloc(strlen(s) + 1), s);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	assert_true(vasprintf(&s, fmt, ap) >= 0);
	va_end(ap);
	return s;
}

static void test_publish_valid(void **state)
{
	static const char *const cases[][2] = {
		{ "8080:80", "127.0.0.1:8080:80/tcp" },
		{ "8080:80/tcp", "127.0.0.1:8080:80/tcp" },
		{ "5353:53/udp", "127.0.0.1:5353:53/udp" },
		{ "0.0.0.0:80:8080", "0.0.0.0:80:8080/tcp" },
		{ "192.168.1.7:1:65535/udp", "192.168.1.7:1:65535/udp" },
		{ ":8080:80", "127.0.0.1:8080:80/tcp" },
		{ "[::1]:8080:80", "[::1]:8080:80/tcp" },
		{ "[::]:53:53/udp", "[::]:53:53/udp" },
		{ "[0:0::1]:8080:80", "[::1]:8080:80/tcp" },
		{ "65535:65535", "127.0.0.1:65535:65535/tcp" },
	};
	struct port_spec p;
	char why[256], out[80];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		why[0] = '\0';
		if (net_parse_publish(cases[i][0], &p, why, sizeof(why)))
			fail_msg("-p %s refused: %s", cases[i][0], why);
		net_format_publish(&p, out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
		/* What skiff build records parses back to the same. */
		struct port_spec q;
		assert_int_equal(net_parse_publish(out, &q, why, sizeof(why)), 0);
		assert_memory_equal(&p, &q, sizeof(p));
	}
}

static void test_publish_invalid(void **state)
{
	/* The spec, and a part of the one-line reason. */
	static const char *const cases[][2] = {
		{ "8080", "skiff does not choose a host port" },
		{ "", "skiff does not choose a host port" },
		{ "127.0.0.1::80", "no host port" },
		{ "8080:", "no guest port" },
		{ "0:80", "host port '0': expected a number from 1 to 65535" },
		{ "8080:65536", "guest port '65536': expected a number" },
		{ "8080:99999999999", "guest port" },
		{ "-1:80", "host port '-1'" },
		{ "+80:80", "host port '+80'" },
		{ "8000-8010:80", "port ranges are not supported" },
		{ "8080:80/sctp", "protocol 'sctp': expected tcp or udp" },
		{ "8080:80/", "protocol '': expected tcp or udp" },
		{ "8080:80/tcp/udp", "protocol 'tcp/udp'" },
		{ "localhost:8080:80", "'localhost' is not an IPv4 address" },
		{ "1.2.3:8080:80", "'1.2.3' is not an IPv4 address" },
		{ "::1:8080:80", "an IPv6 host address goes in brackets" },
		{ "1:2:3:4", "too many ':'" },
		{ "[::1:8080:80", "[ADDR]:HOSTPORT:GUESTPORT" },
		{ "[::1]8080:80", "[ADDR]:HOSTPORT:GUESTPORT" },
		{ "[::1]:8080", "expected [ADDR]:HOSTPORT:GUESTPORT" },
		{ "[::1]:8080:80:1", "expected [ADDR]:HOSTPORT:GUESTPORT" },
		{ "[127.0.0.1]:8080:80", "'[127.0.0.1]' is not an IPv6 address" },
		{ "[]:8080:80", "'[]' is not an IPv6 address" },
		{ "a:b", "host port 'a'" },
	};
	struct port_spec p;
	char why[256];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		why[0] = '\0';
		if (net_parse_publish(cases[i][0], &p, why, sizeof(why)) != -EINVAL)
			fail_msg("-p '%s' accepted", cases[i][0]);
		if (!strstr(why, cases[i][1]))
			fail_msg("-p '%s': '%s' lacks '%s'", cases[i][0], why,
				 cases[i][1]);
		assert_null(strchr(why, '\n'));
	}
}

static void test_mode(void **state)
{
	struct net_config n = { 0 };
	char why[256];

	assert_int_equal(net_parse_mode("none", &n, why, sizeof(why)), 0);
	assert_int_equal(n.mode, NET_NONE);
	assert_int_equal(net_parse_mode("tap=tap0", &n, why, sizeof(why)), 0);
	assert_int_equal(n.mode, NET_TAP);
	assert_string_equal(n.tap, "tap0");
	assert_int_equal(net_parse_mode("user", &n, why, sizeof(why)), 0);
	assert_int_equal(n.mode, NET_USER);
	assert_null(n.tap);
	static const char *const bad[] = {
		"", "tap", "tap=", "bridge", "tap=a,script=/bin/evil",
		"tap=0123456789abcdef", "tap=a b", "tap=..", "tap=x/y",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (!net_parse_mode(bad[i], &n, why, sizeof(why)))
			fail_msg("--net '%s' accepted", bad[i]);
	assert_true(net_valid_cidr4("192.168.100.2/24"));
	assert_true(net_valid_cidr4("10.0.0.1/32"));
	assert_false(net_valid_cidr4("10.0.0.1"));
	assert_false(net_valid_cidr4("10.0.0.1/33"));
	assert_false(net_valid_cidr4("10.0.0.1/0"));
	assert_false(net_valid_cidr4("10.0.0.1/"));
	assert_false(net_valid_cidr4("::1/64"));
	assert_true(net_valid_ip4("10.0.2.2"));
	assert_false(net_valid_ip4("10.0.2"));
	assert_true(net_valid_ip("::1"));
	assert_false(net_valid_ip("dns.example"));
}

static struct port_spec port(const char *spec)
{
	struct port_spec p;
	char why[256];

	assert_int_equal(net_parse_publish(spec, &p, why, sizeof(why)), 0);
	return p;
}

static void expect_config(const struct net_config *n, const char *part)
{
	char why[256] = "";

	if (!part) {
		assert_int_equal(net_check_config(n, why, sizeof(why)), 0);
		return;
	}
	assert_int_equal(net_check_config(n, why, sizeof(why)), -EINVAL);
	if (!strstr(why, part))
		fail_msg("'%s' lacks '%s'", why, part);
}

static void test_config(void **state)
{
	struct port_spec ps[3] = { port("8080:80"), port("0.0.0.0:8081:80"),
				   port("8080:80/udp") };
	struct net_config n = { .ports = ps, .nports = 3, .ports_given = true };

	expect_config(&n, NULL);
	n.mode = NET_TAP;
	n.tap = "tap0";
	expect_config(&n, "with --net tap=tap0 the guest has its own address");
	n.mode = NET_NONE;
	expect_config(&n, "--net none gives the guest none");
	/* An image's ports are dropped with a warning, not refused. */
	n.ports_given = false;
	expect_config(&n, NULL);
	n.nports = 0;
	n.mode = NET_USER;
	n.ip = "10.0.2.16/24";
	expect_config(&n, "--ip and --gateway are for --net tap");
	n.mode = NET_TAP;
	expect_config(&n, NULL);
	n.ip = NULL;
	n.gateway = "10.0.0.1";
	expect_config(&n, "--gateway needs --ip");
	n.gateway = NULL;
	ps[1] = port("8080:81");
	n.nports = 2;
	n.mode = NET_USER;
	n.ports_given = true;
	expect_config(&n, "-p 127.0.0.1:8080:81/tcp: that host port is published twice");
	ps[1] = port("0.0.0.0:8080:81");
	expect_config(&n, "-p 0.0.0.0:8080:81/tcp: that host port is published twice");
	ps[1] = port("127.0.0.2:8080:81");
	expect_config(&n, NULL);
	ps[1] = port("0.0.0.0:8080:81/udp");
	expect_config(&n, NULL);
	ps[0] = port("[::1]:8080:80");
	expect_config(&n, "IPv4 host addresses only");
}

/* The arguments net_qemu_args gives, joined by spaces. */
static void expect_args(const struct net_config *n, bool q35, const char *want)
{
	char *v[6], buf[512] = "";
	int k = net_qemu_args(n, q35, v);

	for (int i = 0; i < k; i++) {
		strcat(buf, i ? " " : "");
		strcat(buf, v[i]);
		free(v[i]);
	}
	assert_string_equal(buf, want);
}

static void test_qemu_args(void **state)
{
	struct port_spec ps[2] = { port("8080:80"), port("0.0.0.0:5353:53/udp") };
	struct net_config n = { 0 };

	expect_args(&n, false,
		    "-netdev user,id=net0 -device virtio-net-device,netdev=net0 "
		    "-global virtio-mmio.force-legacy=false");
	expect_args(&n, true,
		    "-netdev user,id=net0 -device "
		    "virtio-net-pci,netdev=net0,disable-legacy=on,romfile=");
	n.ports = ps;
	n.nports = 2;
	expect_args(&n, false,
		    "-netdev user,id=net0,hostfwd=tcp:127.0.0.1:8080-:80,"
		    "hostfwd=udp:0.0.0.0:5353-:53 -device virtio-net-device,"
		    "netdev=net0 -global virtio-mmio.force-legacy=false");
	n.nports = 0;
	n.mode = NET_TAP;
	n.tap = "tap0";
	expect_args(&n, true,
		    "-netdev tap,id=net0,ifname=tap0,script=no,downscript=no "
		    "-device virtio-net-pci,netdev=net0,disable-legacy=on,romfile=");
	n.mode = NET_NONE;
	expect_args(&n, false, "");
	expect_args(&n, true, "");
}

static void expect_cmdline(const struct net_config *n, const char *want)
{
	char buf[128] = " verbose";

	net_cmdline(n, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_cmdline(void **state)
{
	struct net_config n = { 0 };

	expect_cmdline(&n, " verbose ip=10.0.2.15/24 gw=10.0.2.2");
	n.mode = NET_NONE;
	expect_cmdline(&n, " verbose");
	n.mode = NET_TAP;
	n.tap = "tap0";
	expect_cmdline(&n, " verbose ip=dhcp");
	n.ip = "192.168.100.2/24";
	expect_cmdline(&n, " verbose ip=192.168.100.2/24");
	n.gateway = "192.168.100.1";
	expect_cmdline(&n, " verbose ip=192.168.100.2/24 gw=192.168.100.1");
}

static void expect_text(char *got, const char *want)
{
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_etc(void **state)
{
	struct net_config n = { 0 };
	char *dns[] = { "192.168.1.1", "2001:db8::53" };

	expect_text(net_etc_hosts(&n),
		    "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
		    "10.0.2.15\tskiff\n");
	expect_text(net_etc_resolv(&n), "nameserver 10.0.2.3\n");
	expect_text(net_etc_hostname(), "skiff\n");
	n.mode = NET_NONE;
	expect_text(net_etc_hosts(&n),
		    "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
		    "127.0.1.1\tskiff\n");
	expect_text(net_etc_resolv(&n), NULL);
	n.mode = NET_TAP;
	n.tap = "tap0";
	n.ip = "192.168.100.2/24";
	n.dns = dns;
	n.ndns = 2;
	expect_text(net_etc_hosts(&n),
		    "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
		    "192.168.100.2\tskiff\n");
	expect_text(net_etc_resolv(&n),
		    "nameserver 192.168.1.1\nnameserver 2001:db8::53\n");
	/* Without --dns, tap takes the host's: never a loopback one. */
	n.ndns = 0;
	char *r = net_etc_resolv(&n);
	assert_true(!r || (!strstr(r, " 127.") && !strstr(r, " ::1\n")));
	free(r);
}

static void test_ports_text(void **state)
{
	struct port_spec ps[2] = { port("8080:80"), port("0.0.0.0:5353:53/udp") };
	struct net_config n = { .ports = ps, .nports = 2 }, back = { 0 };
	size_t len;
	char *text = net_ports_text(&n, &len);

	assert_string_equal(text, "127.0.0.1:8080:80/tcp\n0.0.0.0:5353:53/udp\n");
	assert_int_equal(net_ports_from_text(&back, text, len, "img"), 0);
	assert_int_equal(back.nports, 2);
	assert_memory_equal(back.ports, ps, sizeof(ps));
	free(back.ports);
	free(text);
	back = (struct net_config){ 0 };
	last_err[0] = '\0';
	assert_int_equal(net_ports_from_text(&back, "8080:80\nbad\n", 12, "img"),
			 SKIFF_EXIT_FAILED);
	assert_non_null(strstr(last_err, "img: its published port 'bad'"));
	free(back.ports);
}

/* A socket of type on 127.0.0.1, any port; *portp gets the port. */
static int bound(int type, u16 *portp, bool do_listen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, type, 0);

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (do_listen)
		assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*portp = ntohs(sa.sin_port);
	return fd;
}

static int check_one(const char *fmt, u16 portno)
{
	char spec[64];
	struct port_spec p;
	struct net_config n = { .ports = &p, .nports = 1 };

	snprintf(spec, sizeof(spec), fmt, portno);
	p = port(spec);
	last_err[0] = '\0';
	return net_check_ports(&n);
}

static void test_port_in_use(void **state)
{
	char want[128];
	u16 tp, up;
	int t = bound(SOCK_STREAM, &tp, true), u = bound(SOCK_DGRAM, &up, false);

	assert_int_equal(check_one("%u:80", tp), SKIFF_EXIT_FAILED);
	snprintf(want, sizeof(want), "port 127.0.0.1:%u is already in use", tp);
	assert_string_equal(last_err, want);
	/* 0.0.0.0 takes 127.0.0.1's port too. */
	assert_int_equal(check_one("0.0.0.0:%u:80", tp), SKIFF_EXIT_FAILED);
	assert_int_equal(check_one("%u:53/udp", up), SKIFF_EXIT_FAILED);
	snprintf(want, sizeof(want), "port 127.0.0.1:%u/udp is already in use", up);
	assert_string_equal(last_err, want);
	/* Another protocol on the same number is free (the host says so). */
	int probe = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(tp),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	bool udp_free = bind(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(probe);
	if (udp_free)
		assert_int_equal(check_one("%u:80/udp", tp), 0);
	close(t);
	close(u);
	/* Closed: free again (the check leaves nothing bound behind). */
	assert_int_equal(check_one("%u:80", tp), 0);
	assert_int_equal(check_one("%u:80", tp), 0);
	assert_int_equal(check_one("%u:53/udp", up), 0);
}

/* A port whose last connection is in TIME_WAIT (from a listener with
 * SO_REUSEADDR, as an earlier QEMU's) is free for QEMU, which binds with
 * SO_REUSEADDR too: not reported in use. */
static void test_port_time_wait(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	u16 p;
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
	socklen_t len = sizeof(sa);
	int a, one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 4), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &len), 0);
	p = ntohs(sa.sin_port);
	sa.sin_port = htons(p);
	assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	close(l);
	close(a);	/* the server's side closes first: TIME_WAIT on p */
	close(c);
	if (check_one("%u:80", p))
		fail_msg("%s", last_err);
}

static void test_port_not_here(void **state)
{
	/* 192.0.2.1 (TEST-NET-1) is no address of this host; binding to it
	 * sends nothing. */
	assert_int_equal(check_one("192.0.2.1:%u:80", 8080), SKIFF_EXIT_FAILED);
	assert_non_null(strstr(last_err, "192.0.2.1 is not an address of this host"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_publish_valid),
		cmocka_unit_test(test_publish_invalid),
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_qemu_args),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_etc),
		cmocka_unit_test(test_ports_text),
		cmocka_unit_test(test_port_in_use),
		cmocka_unit_test(test_port_time_wait),
		cmocka_unit_test(test_port_not_here),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
