/*
 * tests/skiff/stop_prog.c: the program of tests/skiff/stop.sh. With no
 * argument it catches SIGTERM and SIGINT, says which arrived and exits 3
 * (a server cleaning up on `docker stop`); with "default" it keeps their
 * default action (killed); with "ignore" it ignores SIGTERM. It prints
 * "ready" once the handlers are set, then waits.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_signal(int s)
{
	got = s;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "catch";

	if (!strcmp(mode, "catch")) {
		signal(SIGTERM, on_signal);
		signal(SIGINT, on_signal);
	} else if (!strcmp(mode, "ignore")) {
		signal(SIGTERM, SIG_IGN);
	}
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < 600 && !got; i++)
		sleep(1);
	printf("got signal %d\n", got);
	return 3;
}
