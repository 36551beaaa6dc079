/* SKIFF: --file /etc/hosts:/etc/hosts */
/*
 * resolve_localhost: name resolution a server does at start, from
 * /etc/hosts (the host's, given to Skiff too so both runs read the same
 * file; the one skiff writes by itself is checked by tests/skiff/net.sh):
 * getaddrinfo("localhost") (addresses printed sorted, since the order
 * follows the host's gai.conf), numeric names, a passive
 * wildcard, getnameinfo of 127.0.0.1, and the errors of bad flags and
 * families. Only names /etc/hosts answers (Debian's always has 127.0.0.1
 * localhost) and numeric ones: no lookup may fall through to DNS, which
 * would send a query off this machine.
 */
#include <netdb.h>
#include <arpa/inet.h>
#include "check.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lookup(const char *name, const char *serv, int family, int flags)
{
	struct addrinfo hints = { .ai_family = family, .ai_socktype = SOCK_STREAM,
				  .ai_flags = flags }, *res, *ai;
	char *lines[16];
	int n = 0;
	int r = getaddrinfo(name, serv, &hints, &res);

	if (r) {
		say("getaddrinfo(%s, %s, family %d, flags %#x) = %s", name ? name : "NULL",
		    serv ? serv : "NULL", family, flags,
		    r == EAI_NONAME ? "EAI_NONAME" : r == EAI_BADFLAGS ? "EAI_BADFLAGS" :
		    r == EAI_FAMILY ? "EAI_FAMILY" : r == EAI_SERVICE ? "EAI_SERVICE" : "other error");
		return;
	}
	for (ai = res; ai && n < 16; ai = ai->ai_next) {
		char addr[INET6_ADDRSTRLEN] = "?";
		int port = 0;

		if (ai->ai_family == AF_INET) {
			struct sockaddr_in *s = (void *)ai->ai_addr;
			inet_ntop(AF_INET, &s->sin_addr, addr, sizeof(addr));
			port = ntohs(s->sin_port);
		} else if (ai->ai_family == AF_INET6) {
			struct sockaddr_in6 *s = (void *)ai->ai_addr;
			inet_ntop(AF_INET6, &s->sin6_addr, addr, sizeof(addr));
			port = ntohs(s->sin6_port);
		}
		if (asprintf(&lines[n], "%s port %d proto %d", addr, port,
			     ai->ai_protocol) > 0)
			n++;
	}
	freeaddrinfo(res);
	qsort(lines, n, sizeof(lines[0]), cmp);
	say("getaddrinfo(%s, %s, family %d, flags %#x): %d", name ? name : "NULL",
	    serv ? serv : "NULL", family, flags, n);
	for (int i = 0; i < n; i++) {
		say("  %s", lines[i]);
		free(lines[i]);
	}
}

static void reverse(int family, const char *text)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	char host[256], serv[32];

	if (family == AF_INET) {
		struct sockaddr_in *s = (void *)&ss;
		s->sin_family = AF_INET;
		s->sin_port = htons(80);
		inet_pton(AF_INET, text, &s->sin_addr);
		len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (void *)&ss;
		s->sin6_family = AF_INET6;
		s->sin6_port = htons(80);
		inet_pton(AF_INET6, text, &s->sin6_addr);
		len = sizeof(*s);
	}
	int r = getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host),
			    serv, sizeof(serv), NI_NAMEREQD | NI_NUMERICSERV);
	say("getnameinfo(%s) = %d %s", text, r, r ? "" : host);
}

int main(void)
{
	lookup("localhost", "80", AF_UNSPEC, 0);
	lookup("localhost", "80", AF_INET, 0);
	lookup("127.0.0.1", "8080", AF_UNSPEC, AI_NUMERICHOST);
	lookup("::1", "8080", AF_UNSPEC, AI_NUMERICHOST);
	lookup(NULL, "443", AF_INET, AI_PASSIVE);
	lookup(NULL, "443", AF_INET6, AI_PASSIVE);
	lookup(NULL, "443", AF_INET, 0);
	lookup("localhost", "http", AF_INET, AI_NUMERICSERV);
	lookup("no-such-host.invalid", "80", AF_INET, AI_NUMERICHOST);
	lookup("localhost", "80", 12345, 0);
	lookup("localhost", "80", AF_INET, 0x10000);
	reverse(AF_INET, "127.0.0.1");
	return 0;
}
