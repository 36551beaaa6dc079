/*
 * The program skiff is asked to run: finding it (a path, or a name looked up
 * in the current directory, then in $PATH), telling a Skiff image from a
 * program, and the checks that it can run at all (lib/elf.c, the same checks
 * the kernel's loader makes), so the common mistakes fail on the host with a
 * clear message instead of inside the VM. A dynamically linked program is
 * fine: pack.c packs its interpreter and libraries (deps.c).
 *
 * A `#!` script runs as Linux's execve runs it (man 2 execve): the
 * interpreter named on its first line (up to 255 bytes), with at most one
 * argument, gets the script's path and the arguments; an interpreter that
 * is itself a script is followed the same way, up to 5 levels. skiff does
 * that rewrite on the host: the image names the final ELF interpreter as
 * the program (/.skiff/exe) with the rewritten arguments, which is what the
 * guest's /proc/self/exe and cmdline would show on Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <skiff/elf.h>
#include "skiff.h"

#define CPIO_NEWC_MAGIC "070701"
#define SHEBANG_MAX 256	 /* Linux's BINPRM_BUF_SIZE */
#define SCRIPT_DEPTH 5	 /* interpreters that are scripts, as Linux */
#define GUEST_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A name without '/': the current directory, then $PATH, like valgrind. */
static char *search(const char *name)
{
	const char *path = getenv("PATH");
	char *dirs, *dir, *save, *found = NULL;

	if (is_file(name))
		return xstrdup(name);
	dirs = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", *dir ? dir : ".", name);

		if (is_file(cand) && access(cand, X_OK) == 0)
			found = cand;
		else
			free(cand);
	}
	free(dirs);
	return found;
}

/*
 * A version manager's shim (pyenv, rbenv, nodenv: a script in a shims/
 * directory whose last line execs "MANAGER" exec NAME): the program the
 * manager picks here, as `MANAGER which NAME` says (malloc'd), or NULL.
 * Packing the shim would pack the manager's shell scripts, and its
 * choice (PYENV_VERSION, .python-version) is the host's anyway.
 */
static char *unshim(const char *path, const char *name)
{
	char text[4096], *manager, *end, *out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), pfd[2];
	ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
	pid_t pid;

	if (fd >= 0)
		close(fd);
	if (n < 2 || memcmp(text, "#!", 2) || !strstr(path, "/shims/"))
		return NULL;
	text[n] = '\0';
	manager = strstr(text, "\nexec \"");
	end = manager ? strchr(manager + 7, '"') : NULL;
	if (!end || strncmp(end, "\" exec ", 7))
		return NULL;
	manager = strndup(manager + 7, end - manager - 7);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		free(manager);
		return NULL;
	}
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		execl(manager, manager, "which", name, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	n = pid > 0 ? read(pfd[0], text, sizeof(text) - 1) : -1;
	close(pfd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (n > 1 && text[0] == '/') {
		text[n] = '\0';
		text[strcspn(text, "\n")] = '\0';
		if (access(text, X_OK) == 0)
			out = xstrdup(text);
	}
	free(manager);
	return out;
}

/* What a file that is neither a regular file nor a directory is. */
static const char *kind_of(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	return "a special file";
}

/* Only ever called on a regular file (O_NONBLOCK: never wait anyway). */
static bool has_image_magic(const char *path)
{
	char magic[6];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	bool yes;

	if (fd < 0)
		return false;
	yes = read(fd, magic, 6) == 6 && !memcmp(magic, CPIO_NEWC_MAGIC, 6);
	close(fd);
	return yes;
}

int program_find(const char *typed, struct program *p)
{
	char *path = strchr(typed, '/') ? xstrdup(typed) : search(typed);
	char real[PATH_MAX];

	memset(p, 0, sizeof(*p));
	p->typed = xstrdup(typed);
	p->searched = !strchr(typed, '/');
	if (path && p->searched) {
		char *picked = unshim(path, typed);

		if (picked) {
			p->shim = path;
			path = picked;
		}
	}
	if (!path || !realpath(path, real)) {
		skiff_err("%s: %s", typed, path ? strerror(errno) :
			  "not found (in the current directory or $PATH)");
		free(path);
		return SKIFF_EXIT_NOT_FOUND;
	}
	/*
	 * Opening a FIFO with no writer blocks forever, a device may do
	 * anything: refuse what is not a regular file or a directory (which
	 * program_check refuses with its own message) before any open.
	 */
	struct stat st;
	if (stat(real, &st) < 0) {
		skiff_err("%s: %s", typed, strerror(errno));
		free(path);
		return SKIFF_EXIT_NOT_FOUND;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		skiff_err("%s: not a regular file (%s); Skiff runs x86_64 ELF programs and Skiff images",
			  typed, kind_of(st.st_mode));
		free(path);
		return SKIFF_EXIT_CANNOT_RUN;
	}
	p->abs = path_absolute(path);
	p->real = xstrdup(real);
	p->exe = xstrdup(real);
	p->is_image = S_ISREG(st.st_mode) &&
		      (has_image_magic(real) || prebuilt_is_compressed(real));
	free(path);
	return 0;
}

static int cannot_run(const struct program *p, const char *why)
{
	skiff_err("%s: %s", p->typed, why);
	return SKIFF_EXIT_CANNOT_RUN;
}

static int check_file(const struct program *p, int fd, struct stat *st)
{
	if (fstat(fd, st) < 0)
		return cannot_run(p, strerror(errno));
	if (S_ISDIR(st->st_mode))
		return cannot_run(p, "is a directory");
	if (!S_ISREG(st->st_mode))
		return cannot_run(p, "not a regular file");
	if (!(st->st_mode & 0111))
		return cannot_run(p, "Permission denied (not executable)");
	return 0;
}

/* The checks of lib/elf.c on the file's headers, read with pread. */
static int check_elf(const struct program *p, int fd, u64 size,
		     struct elf_info *info)
{
	u8 hdr[64], *phdrs;
	const char *why;
	ssize_t n = pread(fd, hdr, sizeof(hdr), 0);
	size_t table;
	int err;

	if (n < 0)
		return cannot_run(p, strerror(errno));
	if (elf_check_ehdr(hdr, n, size, info, &why))
		return cannot_run(p, why);
	table = (size_t)info->phnum * sizeof(struct elf64_phdr);
	phdrs = xmalloc(table);
	if (pread(fd, phdrs, table, info->phoff) != (ssize_t)table)
		err = cannot_run(p, "truncated ELF: cannot read the program headers");
	else if (elf_check_phdrs(phdrs, info, size, &why))
		err = cannot_run(p, why);
	else
		err = 0;
	free(phdrs);
	return err;
}

int program_shebang(const char *path, char **name, char **arg)
{
	char buf[SHEBANG_MAX + 1], *end, *p, *q;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, SHEBANG_MAX);

	if (fd >= 0)
		close(fd);
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return -ENOEXEC;
	buf[n] = '\0';
	end = memchr(buf, '\n', n);
	if (!end && n == SHEBANG_MAX)
		return -ENAMETOOLONG; /* Linux: the name must end in the buffer */
	if (end)
		*end = '\0';
	for (p = buf + 2; *p == ' ' || *p == '\t'; p++)
		;
	for (q = p; *q && *q != ' ' && *q != '\t'; q++)
		;
	if (q == p)
		return -ENOEXEC;
	*name = strndup(p, q - p);
	while (*q == ' ' || *q == '\t')
		q++;
	/* The rest of the line, trailing blanks cut, is one argument. */
	end = q + strlen(q);
	while (end > q && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*arg = end > q ? strndup(q, end - q) : NULL;
	return 0;
}

/* lead = [name, arg?, file] + lead[1..]: Linux's rewrite of a script's argv. */
static void rewrite_args(struct program *p, char *name, char *arg,
			 const char *file)
{
	char **v = xmalloc((p->nlead + 3) * sizeof(*v));
	int n = 0;

	v[n++] = name;
	if (arg)
		v[n++] = arg;
	v[n++] = xstrdup(file);
	for (int i = 1; i < p->nlead; i++)
		v[n++] = p->lead[i];
	free(p->lead[0]);
	free(p->lead);
	p->lead = v;
	p->nlead = n;
}

/*
 * Is a bare name found in the guest's default PATH as this program? If
 * not (found in the host's $PATH or the current directory only), argv[0]
 * is the absolute path, so that a program finding itself from argv[0]
 * (python's sys.executable) finds the file the guest has.
 */
static bool guest_finds(const struct program *p)
{
	char *dirs = xstrdup(GUEST_PATH), *save, *dir;
	char real[PATH_MAX];
	bool same = false, found = false;

	for (dir = strtok_r(dirs, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", dir, p->typed);

		found = is_file(cand) && access(cand, X_OK) == 0;
		same = found && realpath(cand, real) && !strcmp(real, p->real);
		free(cand);
	}
	free(dirs);
	return same;
}

/*
 * Follows #! lines from the program to an ELF file: p->exe, p->lead.
 * *fd is the ELF's, open. 0 or an exit status after a message.
 */
static int follow_scripts(struct program *p, int *fd, struct stat *st)
{
	const char *file = p->searched ? p->abs : p->typed;
	char *name, *arg, real[PATH_MAX];
	int err;

	p->lead = xmalloc(sizeof(*p->lead));
	p->lead[0] = xstrdup(p->searched && !guest_finds(p) ? p->abs : p->typed);
	p->nlead = 1;
	for (int depth = 0; (err = program_shebang(p->exe, &name, &arg)) == 0;
	     depth++) {
		if (depth == SCRIPT_DEPTH)
			return cannot_run(p, "scripts run by scripts more than 5 deep (ELOOP)");
		p->script = true;
		rewrite_args(p, name, arg, file);
		file = name;
		if (!realpath(name, real)) {
			skiff_err("%s: bad interpreter %s (#!): %s", p->typed,
				  name, strerror(errno));
			return SKIFF_EXIT_CANNOT_RUN;
		}
		free(p->exe);
		p->exe = xstrdup(real);
		close(*fd);
		*fd = open(p->exe, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (*fd < 0 || fstat(*fd, st) < 0 || !S_ISREG(st->st_mode) ||
		    !(st->st_mode & 0111)) {
			skiff_err("%s: bad interpreter %s (#!): %s", p->typed,
				  name, *fd < 0 ? strerror(errno) :
				  "not an executable file");
			return SKIFF_EXIT_CANNOT_RUN;
		}
	}
	if (err == -ENAMETOOLONG)
		return cannot_run(p, "its #! line is longer than the 255 bytes Linux reads");
	return 0;
}

int program_check(struct program *p)
{
	struct elf_info info;
	struct stat st;
	int fd, err;

	fd = open(p->real, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return cannot_run(p, strerror(errno));
	err = check_file(p, fd, &st);
	if (!err)
		err = follow_scripts(p, &fd, &st);
	if (!err)
		err = check_elf(p, fd, st.st_size, &info);
	close(fd);
	if (!err)
		p->dynamic = info.has_interp;
	return err;
}
