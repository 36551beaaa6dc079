/*
 * pt_nproc: a small fork bomb bounded by RLIMIT_NPROC. A child (an
 * unprivileged uid of its own natively (root is exempt from the limit;
 * a uid no other process has, so concurrent runs do not share a count); in
 * Skiff the limit is the point) sets RLIMIT_NPROC to 20 and forks
 * children that each fork once more and then wait on a pipe, until fork
 * fails: it fails with EAGAIN, after at least one success and before
 * more processes than the limit exist; after the bomb is released and
 * reaped, fork works again. Nothing printed depends on the exact count
 * (other processes of the user count against the limit natively).
 */
/* NEEDS: fork */
#include "check.h"
#include "pt.h"
#include <sys/resource.h>

#define LIMIT 20
#define TRIES 200

static int bomb(void)
{
	struct rlimit rl = { LIMIT, LIMIT };
	static pid_t kids[TRIES];
	int hold[2], made = 0, err = 0, grand_ok = 0, p[2];

	if (getuid() == 0 && (setgid(65534) || setuid(100000 + getpid() % 100000))) {
		/* a kernel without users: stay root, the limit still applies */
	}
	if (setrlimit(RLIMIT_NPROC, &rl) || pipe(hold) || pipe(p))
		return 1;
	for (int i = 0; i < TRIES; i++) {
		fflush(stdout);
		pid_t pid = fork();

		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			char c;

			close(hold[1]);
			pid_t g = fork();	/* a second level, while it can */

			if (g == 0) {
				read(hold[0], &c, 1);
				_exit(0);
			}
			write(p[1], g > 0 ? "g" : "-", 1);
			read(hold[0], &c, 1);
			if (g > 0)
				waitpid(g, NULL, 0);
			_exit(0);
		}
		kids[made++] = pid;
		char c;

		read(p[0], &c, 1);
		grand_ok += c == 'g';
	}
	printf("fork failed with: %s\n", err ? errname(err) : "nothing");
	printf("some forks succeeded: %s\n", made > 0 ? "yes" : "no");
	printf("no more processes than the limit: %s\n", made + grand_ok < LIMIT ? "yes" : "no");
	close(hold[1]);	/* release the bomb */
	int reaped = 0;

	for (int i = 0; i < made; i++)
		if (waitpid(kids[i], NULL, 0) == kids[i])
			reaped++;
	printf("all reaped: %s\n", reaped == made ? "yes" : "no");
	fflush(stdout);
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	printf("fork after the bomb: %s\n", pid > 0 ? "works" : errname(errno));
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return 0;
}

int main(void)
{
	pid_t pid = pt_fork();

	if (pid == 0) {
		int r = bomb();

		fflush(stdout);
		_exit(r);
	}
	say("bomb: %s", pt_reap(pid));
	return 0;
}
