/*
 * unix_path: AF_UNIX names. A stream server bound to a path and a client
 * in another thread; abstract names; autobind; the lengths getsockname,
 * getpeername and accept report; the socket file bind leaves; connect's
 * errors (ENOENT, ECONNREFUSED, EPROTOTYPE, EISCONN) and bind's
 * (EADDRINUSE, EINVAL); listen's backlog with nonblocking connects
 * (EAGAIN); accept4's flags; SO_ACCEPTCONN, SO_TYPE, SO_PEERCRED.
 */
#include <pthread.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "check.h"

static socklen_t mkaddr(struct sockaddr_un *a, const char *path, int abs)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (abs) {
		memcpy(a->sun_path + 1, path, strlen(path));
		return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path);
	}
	strcpy(a->sun_path, path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static void show_name(const char *what, int fd, int peer)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	int r;

	memset(&a, 0x55, sizeof(a));
	r = peer ? getpeername(fd, (void *)&a, &len) :
		   getsockname(fd, (void *)&a, &len);
	if (r < 0) {
		say("  %s: -1 %s", what, errname(errno));
		return;
	}
	if (len > 2 && a.sun_path[0] == 0)
		say("  %s: len %u abstract %.*s", what, len, (int)len - 3,
		    len == 8 ? "(autobind)" : a.sun_path + 1);
	else
		say("  %s: len %u family %d path \"%s\"", what, len,
		    a.sun_family, len > 2 ? a.sun_path : "");
}

static void *client(void *arg)
{
	struct sockaddr_un a;
	socklen_t len = mkaddr(&a, arg, 0);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	char buf[16];

	if (connect(fd, (void *)&a, len) < 0)
		return (void *)(long)errno;
	write(fd, "ping", 4);
	read(fd, buf, sizeof(buf));
	close(fd);
	return NULL;
}

static void server(void)
{
	struct sockaddr_un a, peer;
	socklen_t len = mkaddr(&a, "srv.sock", 0), plen = sizeof(peer);
	int s = socket(AF_UNIX, SOCK_STREAM, 0), c, v;
	struct stat st;
	pthread_t t;
	char buf[16] = { 0 };
	void *res;

	say("server by path:");
	SHOW(bind(s, (void *)&a, len));
	SHOW(stat("srv.sock", &st));
	say("  S_ISSOCK %d", S_ISSOCK(st.st_mode));
	SHOW(bind(s, (void *)&a, len));
	show_name("name", s, 0);
	show_name("peer", s, 1);
	len = sizeof(v);
	SHOW(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &len));
	say("  SO_ACCEPTCONN %d", v);
	SHOW(listen(s, 5));
	SHOW(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &len));
	say("  SO_ACCEPTCONN %d", v);
	pthread_create(&t, NULL, client, "srv.sock");
	c = accept(s, (void *)&peer, &plen);
	say("  accept: %s", c >= 0 ? "ok" : errname(errno));
	say("  accept's address length %u", plen);
	show_name("accepted name", c, 0);
	show_name("accepted peer", c, 1);
	SHOW(read(c, buf, sizeof(buf)));
	say("  got %s", buf);
	SHOW(write(c, "pong", 4));
	SHOW(read(c, buf, sizeof(buf)));
	pthread_join(t, &res);
	say("  client: %s", res ? errname((long)res) : "ok");
	SHOW(close(c));
	SHOW(close(s));
	SHOW(stat("srv.sock", &st));
	SHOW(unlink("srv.sock"));
}

static void errors(void)
{
	struct sockaddr_un a;
	socklen_t len;
	int s = socket(AF_UNIX, SOCK_STREAM, 0), d, f;

	say("errors:");
	len = mkaddr(&a, "nosuch.sock", 0);
	SHOW(connect(s, (void *)&a, len));
	f = open("plain", O_CREAT | O_WRONLY, 0644);
	close(f);
	len = mkaddr(&a, "plain", 0);
	SHOW(connect(s, (void *)&a, len));
	SHOW(bind(s, (void *)&a, len));
	len = mkaddr(&a, "nodir/x.sock", 0);
	SHOW(bind(s, (void *)&a, len));
	len = mkaddr(&a, "abs-none", 1);
	SHOW(connect(s, (void *)&a, len));
	d = socket(AF_UNIX, SOCK_DGRAM, 0);
	len = mkaddr(&a, "dgram.sock", 0);
	SHOW(bind(d, (void *)&a, len));
	SHOW(connect(s, (void *)&a, len));
	SHOW(listen(d, 1));
	SHOW(accept(d, NULL, NULL));
	/* A bound socket that does not listen refuses. */
	len = mkaddr(&a, "quiet.sock", 0);
	f = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW(bind(f, (void *)&a, len));
	SHOW(connect(s, (void *)&a, len));
	SHOW(listen(s, 1));
	SHOW(accept(f, NULL, NULL));
	a.sun_family = AF_INET;
	SHOW(bind(s, (void *)&a, len));
	SHOW(connect(s, (void *)&a, len));
	a.sun_family = AF_UNIX;
	SHOW(bind(s, (void *)&a, 1));
	SHOW(bind(s, (void *)&a, sizeof(a) + 1));
	close(s);
	close(d);
	close(f);
}

static void abstract_names(void)
{
	struct sockaddr_un a;
	socklen_t len = mkaddr(&a, "skiff-abs", 1);
	int s = socket(AF_UNIX, SOCK_STREAM, 0), c, c2, v;
	int d = socket(AF_UNIX, SOCK_DGRAM, 0), e, f;
	int pid[3];

	say("abstract:");
	SHOW(bind(s, (void *)&a, len));
	show_name("name", s, 0);
	SHOW(bind(d, (void *)&a, len));
	e = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW(bind(e, (void *)&a, len));
	SHOW(listen(s, 0));
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	SHOW(connect(c, (void *)&a, len));
	SHOW(connect(c, (void *)&a, len));
	show_name("client name", c, 0);
	show_name("client peer", c, 1);
	c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	SHOW(connect(c2, (void *)&a, len));
	close(c2);
	c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	SHOW(connect(c2, (void *)&a, len));
	SHOW(write(c, "early", 5));
	f = SHOW(accept4(s, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
	say("  accepted F_GETFL %#o F_GETFD %d", fcntl(f, F_GETFL),
	    fcntl(f, F_GETFD));
	len = sizeof(pid);
	SHOW(getsockopt(f, SOL_SOCKET, SO_PEERCRED, pid, &len));
	say("  peercred len %u pid is mine %d uid is mine %d gid is mine %d",
	    len, pid[0] == getpid(), pid[1] == (int)getuid(),
	    pid[2] == (int)getgid());
	len = sizeof(pid);
	SHOW(getsockopt(c, SOL_SOCKET, SO_PEERCRED, pid, &len));
	say("  client's peercred pid is mine %d", pid[0] == getpid());
	len = sizeof(pid);
	SHOW(getsockopt(s, SOL_SOCKET, SO_PEERCRED, pid, &len));
	say("  listener's peercred pid is mine %d", pid[0] == getpid());
	len = sizeof(v);
	SHOW(getsockopt(f, SOL_SOCKET, SO_TYPE, &v, &len));
	say("  SO_TYPE %d", v);
	SHOW(syscall(SYS_accept4, s, NULL, NULL, 0x1234));
	SHOW(close(f));
	SHOW(close(s));
	SHOW(close(c));
	SHOW(close(c2));
	SHOW(close(d));
	SHOW(close(e));
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW(bind(s, (void *)&a, len = mkaddr(&a, "skiff-abs", 1)));
	close(s);
}

static void autobind(void)
{
	struct sockaddr_un a = { AF_UNIX, "" };
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);

	say("autobind:");
	SHOW(bind(s, (void *)&a, offsetof(struct sockaddr_un, sun_path)));
	show_name("name", s, 0);
	SHOW(bind(s, (void *)&a, offsetof(struct sockaddr_un, sun_path)));
	close(s);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	show_name("unbound name", s, 0);
	close(s);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	scratch_enter("unix_path");
	server();
	errors();
	abstract_names();
	autobind();
	scratch_leave();
	return 0;
}
