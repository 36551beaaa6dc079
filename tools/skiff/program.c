/*
 * The program skiff is asked to run: finding it (a path, or a name looked up
 * in the current directory, then in $PATH), telling a Skiff image from a
 * program, and the checks that it can run at all (lib/elf.c, the same checks
 * the kernel's loader makes), so the common mistakes fail on the host with a
 * clear message instead of inside the VM. A dynamically linked program is
 * fine: image.c packs its interpreter and libraries (deps.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <skiff/elf.h>
#include "skiff.h"

#define CPIO_NEWC_MAGIC "070701"

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
	if (n >= 2 && hdr[0] == '#' && hdr[1] == '!')
		return cannot_run(p, "a script, not an ELF program; Skiff runs x86_64 ELF programs");
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
		err = check_elf(p, fd, st.st_size, &info);
	close(fd);
	if (!err)
		p->dynamic = info.has_interp;
	return err;
}
