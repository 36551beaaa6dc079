/*
 * access: umask, access, faccessat and faccessat2 through the raw system
 * calls: the mask applied to new files and directories, permission checks
 * as root (read and write always granted, execute needs some x bit), and
 * the errors.
 */
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif

static void mode_of(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		say("  %s: %s", path, errname(errno));
	else
		say("  %s: %04o", path, st.st_mode & 07777);
}

/* The first umask returns the harness's (and Skiff's) default, 022. */
static void masks(void)
{
	say("umask(022) = %04lo", SYS(SYS_umask, 022));
	say("umask(077) = %04lo", SYS(SYS_umask, 077));
	SHOW(close(open("m077", O_CREAT | O_WRONLY, 0666)));
	SHOW(mkdir("d077", 0777));
	mode_of("m077");
	mode_of("d077");
	say("umask(0) = %04lo", SYS(SYS_umask, 0));
	SHOW(close(open("m000", O_CREAT | O_WRONLY, 0666)));
	mode_of("m000");
	say("umask(0777 | 01000) = %04lo", SYS(SYS_umask, 0777 | 01000));
	say("umask(022) = %04lo", SYS(SYS_umask, 022));
	SHOW(close(open("m022", O_CREAT | O_WRONLY, 0777)));
	mode_of("m022");
	SHOW(chmod("m022", 0604));
	mode_of("m022");
}

static void checks(void)
{
	int dfd;

	SHOW(close(open("rw", O_CREAT | O_WRONLY, 0644)));
	SHOW(close(open("ro", O_CREAT | O_WRONLY, 0444)));
	SHOW(close(open("none", O_CREAT | O_WRONLY, 0000)));
	SHOW(close(open("x", O_CREAT | O_WRONLY, 0700)));
	SHOW(close(open("ox", O_CREAT | O_WRONLY, 0601)));
	SHOW(SYS(SYS_access, "rw", F_OK));
	SHOW(SYS(SYS_access, "rw", R_OK | W_OK));
	SHOW(SYS(SYS_access, "rw", X_OK));
	SHOW(SYS(SYS_access, "ro", W_OK));
	SHOW(SYS(SYS_access, "none", R_OK | W_OK));
	SHOW(SYS(SYS_access, "x", X_OK));
	SHOW(SYS(SYS_access, "ox", X_OK));
	SHOW(SYS(SYS_access, ".", X_OK));
	SHOW(SYS(SYS_access, "missing", F_OK));
	SHOW(SYS(SYS_access, "rw/x", F_OK));
	SHOW(SYS(SYS_access, "rw", 8));
	SHOW(SYS(SYS_access, NULL, F_OK));
	SHOW(SYS(SYS_access, "", F_OK));
	dfd = open("d077", O_RDONLY | O_DIRECTORY);
	SHOW(close(open("d077/in", O_CREAT | O_WRONLY, 0644)));
	SHOW(SYS(SYS_faccessat, dfd, "in", R_OK));
	SHOW(SYS(SYS_faccessat, dfd, "in", X_OK));
	SHOW(SYS(SYS_faccessat, AT_FDCWD, "d077/in", F_OK));
	SHOW(SYS(SYS_faccessat, 99, "in", F_OK));
	SHOW(SYS(SYS_faccessat, dfd, "missing", F_OK));
	SHOW(SYS(SYS_faccessat2, dfd, "in", R_OK, 0));
	SHOW(SYS(SYS_faccessat2, dfd, "in", R_OK, AT_EACCESS));
	SHOW(SYS(SYS_faccessat2, dfd, "in", R_OK, 0x1));
	SHOW(SYS(SYS_faccessat2, dfd, "", R_OK, AT_EMPTY_PATH));
	SHOW(SYS(SYS_faccessat2, dfd, "in", 0x10, 0));
	SHOW(symlink("missing", "dangling"));
	SHOW(SYS(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, 0));
	SHOW(SYS(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
	close(dfd);
}

int main(void)
{
	scratch_enter("access");
	masks();
	checks();
	scratch_leave();
	return 0;
}
