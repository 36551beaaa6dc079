/*
 * etc_files: the files in /etc that libcs read for users, groups and
 * names (Skiff writes them into its image): getpwuid(0) and
 * getpwnam("root") give root with uid, gid and home /root; an unknown
 * user is not found; getgrgid(0) is root; /etc/hosts maps 127.0.0.1 to
 * localhost and getaddrinfo("localhost") finds 127.0.0.1;
 * /etc/resolv.conf has a nameserver line. Not built static with glibc:
 * its NSS then loads modules the host's nsswitch.conf names, which a
 * static program cannot, so the native run itself crashes.
 */
/* BUILDS: musl dyn */
#include <arpa/inet.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include "check.h"

static int file_has(const char *path, const char *a, const char *b)
{
	char line[512];
	int found = 0;
	FILE *f = fopen(path, "r");

	while (f && !found && fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');

		if (hash)
			*hash = 0;
		found = strstr(line, a) && (!b || strstr(line, b));
	}
	if (f)
		fclose(f);
	return found;
}

int main(void)
{
	struct passwd *pw;
	struct group *gr;
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res = NULL;
	char addr[64] = "";
	int r;

	pw = getpwuid(0);
	if (pw)
		say("getpwuid(0): %s uid %d gid %d home %s", pw->pw_name, (int)pw->pw_uid,
		    (int)pw->pw_gid, pw->pw_dir);
	else
		say("getpwuid(0): not found");
	pw = getpwnam("root");
	say("getpwnam(\"root\"): %s", pw ? pw->pw_name : "not found");
	pw = getpwnam("no-such-user-here");
	say("getpwnam(\"no-such-user-here\"): %s", pw ? pw->pw_name : "not found");
	gr = getgrgid(0);
	say("getgrgid(0): %s", gr ? gr->gr_name : "not found");
	yes("/etc/hosts maps 127.0.0.1 to localhost", file_has("/etc/hosts", "127.0.0.1",
								"localhost"));
	r = getaddrinfo("localhost", NULL, &hints, &res);
	if (r == 0 && res)
		inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, addr,
			  sizeof(addr));
	say("getaddrinfo(\"localhost\", AF_INET) = %d, %s", r, addr);
	if (res)
		freeaddrinfo(res);
	yes("/etc/resolv.conf has a nameserver line", file_has("/etc/resolv.conf", "nameserver",
								NULL));
	return 0;
}
