/*
 * skiff build --format raw|qcow2: a disk any x86 PC firmware boots (BIOS,
 * as QEMU's SeaBIOS), with no Skiff option on QEMU's command line. Built
 * without root and without loop devices; interface in skiff.h (disk_write).
 *
 * The disk (MBR partitioning, 512-byte sectors):
 *   sector 0        GRUB's boot.img (its code, 440 bytes), then the
 *                   partition table: one bootable Linux partition
 *   sectors 1..     GRUB's core.img (grub-mkimage -O i386-pc: diskboot.img,
 *                   which loads the rest, the decompressor and the
 *                   modules), in the gap before the partition. boot.img
 *                   loads sector 1 and diskboot.img reads on from sector 2
 *                   by default, so neither needs patching
 *                   (grub-bios-setup's job when it installs elsewhere)
 *   1 MiB ..        an ext2 filesystem (mke2fs -d, written at that offset
 *                   of the file) holding /boot/kernel.elf and
 *                   /boot/initrd.img (the image, a cpio newc archive,
 *                   gzip-compressed: GRUB's module2 decompresses it)
 * core.img's embedded configuration loads the kernel with multiboot2
 * (arch/x86_64/boot.S carries its header), the image as its module, and
 * boots: the kernel then writes the program's output to COM1 unframed and
 * powers the VM off through ACPI when the program ends (console=ttyS0).
 * qcow2: the raw disk through qemu-img convert.
 *
 * Why the module is compressed: GRUB reads the disk through the BIOS
 * (int 13h), a few MB/s under TCG, so reading 17 MB and decompressing in
 * the guest boots python3's image in about 13 s where reading its 48 MB
 * takes 17 s (docs/performance.md).
 *
 * Tools: grub-mkimage and /usr/lib/grub/i386-pc (Debian's grub-pc-bin and
 * grub-common), mke2fs (e2fsprogs), qemu-img (qemu-utils).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "skiff.h"

#define GRUB_DIR "/usr/lib/grub/i386-pc"
#define SECTOR 512
#define PART_START (1u << 20) /* the partition: at 1 MiB, as fdisk puts it */
#define MIB (1ull << 20)

static const char grub_cfg[] =
	"set root=(hd0,msdos1)\n"
	"multiboot2 /boot/kernel.elf console=ttyS0\n"
	"module2 /boot/initrd.img\n"
	"boot\n";

/* The modules core.img needs for grub_cfg (their dependencies come too). */
static const char *const grub_modules[] = {
	"biosdisk", "part_msdos", "ext2", "multiboot2", "boot", "gzio",
};

/* Runs argv (argv[0] looked up in PATH) with stdout and stderr into a pipe
 * kept for the message; 0, or an exit status after one line. */
static int run_tool(char *const argv[], const char *package)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		skiff_err("cannot start %s: %s", argv[0], strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		skiff_err("%s is missing: install Debian's %s (scripts/deps.sh)",
			  argv[0], package);
		return SKIFF_EXIT_FAILED;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		skiff_err("%s failed while writing the disk", argv[0]);
		return SKIFF_EXIT_FAILED;
	}
	return 0;
}

/* n bytes of src from offset 0 into the file path (made, mode 0644). */
static int copy_to(int src, u64 n, const char *path)
{
	int dst = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	char buf[65536];
	off_t off = 0;
	int err = 0;

	if (dst < 0)
		return -errno;
	while ((u64)off < n) {
		ssize_t r = pread(src, buf, MIN(sizeof(buf), n - off), off);

		if (r <= 0) {
			err = r < 0 ? -errno : -EIO;
			break;
		}
		if (write(dst, buf, r) != r) {
			err = -errno;
			break;
		}
		off += r;
	}
	if (close(dst) < 0 && !err)
		err = -errno;
	return err;
}

/* The image (fd, from offset 0) through gzip -n into path: 0 or -errno. */
static int gzip_to(int fd, const char *path)
{
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int status = 0;
	pid_t pid;

	if (out < 0)
		return -errno;
	pid = fork();
	if (pid == 0) {
		lseek(fd, 0, SEEK_SET);
		dup2(fd, 0);
		dup2(out, 1);
		execlp("gzip", "gzip", "-c", "-n", "-6", (char *)NULL);
		_exit(127);
	}
	close(out);
	if (pid < 0)
		return -errno;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

static int copy_path(const char *from, const char *to)
{
	int src = open(from, O_RDONLY | O_CLOEXEC);
	struct stat st;
	int err;

	if (src < 0 || fstat(src, &st) < 0)
		return -errno;
	err = copy_to(src, st.st_size, to);
	close(src);
	return err;
}

/* The tree mke2fs -d copies: boot/kernel.elf, boot/initrd.img. */
static int stage(const char *dir, int image_fd, u64 *bytes)
{
	char *kernel = host_kernel_path(NULL), *boot, *k, *i;
	struct stat st;
	int err;

	if (!kernel)
		return SKIFF_EXIT_FAILED;
	boot = xasprintf("%s/root/boot", dir);
	k = xasprintf("%s/kernel.elf", boot);
	i = xasprintf("%s/initrd.img", boot);
	*bytes = 0;
	err = mkdir(boot, 0755) < 0 ? -errno : 0;
	if (!err)
		err = copy_path(kernel, k);
	if (!err && stat(k, &st) == 0)
		*bytes += st.st_size;
	if (!err)
		err = gzip_to(image_fd, i);
	if (!err && stat(i, &st) == 0)
		*bytes += st.st_size;
	if (err) {
		skiff_err("staging the disk's files in %s: %s", dir,
			  strerror(-err));
		err = SKIFF_EXIT_FAILED;
	}
	free(kernel);
	free(boot);
	free(k);
	free(i);
	return err;
}

/* core.img, with grub_cfg embedded, at dir/core.img. */
static int make_core(const char *dir)
{
	char *cfg = xasprintf("%s/grub.cfg", dir);
	char *core = xasprintf("%s/core.img", dir);
	char *argv[32];
	int n = 0, err, fd;

	fd = open(cfg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	err = fd < 0 || write(fd, grub_cfg, sizeof(grub_cfg) - 1) !=
				(ssize_t)sizeof(grub_cfg) - 1;
	if (fd >= 0)
		close(fd);
	if (err) {
		skiff_err("%s: %s", cfg, strerror(errno));
		err = SKIFF_EXIT_FAILED;
		goto out;
	}
	argv[n++] = "grub-mkimage";
	argv[n++] = "-O";
	argv[n++] = "i386-pc";
	argv[n++] = "-d";
	argv[n++] = GRUB_DIR;
	argv[n++] = "-o";
	argv[n++] = core;
	argv[n++] = "-p";
	argv[n++] = "(hd0,msdos1)/boot/grub";
	argv[n++] = "-c";
	argv[n++] = cfg;
	for (size_t i = 0; i < ARRAY_SIZE(grub_modules); i++)
		argv[n++] = (char *)grub_modules[i];
	argv[n] = NULL;
	if (access(GRUB_DIR "/boot.img", R_OK) < 0) {
		skiff_err("%s/boot.img is missing: install Debian's grub-pc-bin (scripts/deps.sh)",
			  GRUB_DIR);
		err = SKIFF_EXIT_FAILED;
	} else {
		err = run_tool(argv, "grub-common");
	}
out:
	free(cfg);
	free(core);
	return err;
}

static void put32(u8 *p, u32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

/* Sector 0: boot.img's code, one bootable partition of sectors sectors at
 * PART_START (CHS fields saying "use LBA"), the signature. */
static void make_mbr(u8 mbr[SECTOR], const u8 boot[SECTOR], u64 sectors)
{
	u8 *e = mbr + 446;

	memset(mbr, 0, SECTOR);
	memcpy(mbr, boot, 440);
	e[0] = 0x80;			/* active */
	e[1] = 0xfe, e[2] = 0xff, e[3] = 0xff;
	e[4] = 0x83;			/* Linux */
	e[5] = 0xfe, e[6] = 0xff, e[7] = 0xff;
	put32(e + 8, PART_START / SECTOR);
	put32(e + 12, sectors);
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
}

/* boot.img and core.img into the first MiB of fd. */
static int write_boot(const char *dir, int fd, u64 part_bytes)
{
	char *core = xasprintf("%s/core.img", dir), *buf = NULL;
	u8 boot[SECTOR], mbr[SECTOR];
	int bfd = open(GRUB_DIR "/boot.img", O_RDONLY | O_CLOEXEC);
	int cfd = open(core, O_RDONLY | O_CLOEXEC), err = 0;
	struct stat st;

	if (bfd < 0 || cfd < 0 || read(bfd, boot, SECTOR) != SECTOR ||
	    fstat(cfd, &st) < 0) {
		skiff_err("reading GRUB's boot.img and core.img: %s",
			  strerror(errno));
		err = SKIFF_EXIT_FAILED;
		goto out;
	}
	if ((u64)st.st_size > PART_START - SECTOR) {
		skiff_err("GRUB's core.img (%lld bytes) does not fit before the partition",
			  (long long)st.st_size);
		err = SKIFF_EXIT_FAILED;
		goto out;
	}
	buf = xmalloc(st.st_size);
	make_mbr(mbr, boot, part_bytes / SECTOR);
	if (read(cfd, buf, st.st_size) != st.st_size ||
	    pwrite(fd, mbr, SECTOR, 0) != SECTOR ||
	    pwrite(fd, buf, st.st_size, SECTOR) != st.st_size) {
		skiff_err("writing the disk's boot sectors: %s", strerror(errno));
		err = SKIFF_EXIT_FAILED;
	}
out:
	if (bfd >= 0)
		close(bfd);
	if (cfd >= 0)
		close(cfd);
	free(buf);
	free(core);
	return err;
}

/* The ext2 filesystem of dir/root at PART_START of path. */
static int make_fs(const char *dir, const char *path, u64 part_bytes)
{
	char *root = xasprintf("%s/root", dir);
	char *size = xasprintf("%lluk", (unsigned long long)(part_bytes >> 10));
	char *offset = xasprintf("offset=%u", PART_START);
	char *argv[] = { "mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096",
			 "-m", "0", "-N", "64", "-L", "skiff", "-E", offset,
			 "-d", root, (char *)path, size, NULL };
	int err = run_tool(argv, "e2fsprogs");

	free(root);
	free(size);
	free(offset);
	return err;
}

/* Removes the staging directory (its known files). */
static void unstage(const char *dir)
{
	static const char *const files[] = { "root/boot/kernel.elf",
		"root/boot/initrd.img", "root/boot", "root", "grub.cfg",
		"core.img", "disk.raw" };

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *p = xasprintf("%s/%s", dir, files[i]);

		if (remove(p) < 0 && errno != ENOENT)
			skiff_err("warning: cannot remove %s: %s", p,
				  strerror(errno));
		free(p);
	}
	rmdir(dir);
}

/* The raw disk at path: boot sectors, then the filesystem. */
static int make_raw(const char *dir, const char *path, u64 bytes)
{
	/* room for ext2's metadata, and a little to spare */
	u64 part = ALIGN_UP(bytes + bytes / 16 + 4 * MIB, MIB);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644), err;

	if (fd < 0 || ftruncate(fd, PART_START + part) < 0) {
		skiff_err("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return SKIFF_EXIT_FAILED;
	}
	err = write_boot(dir, fd, part);
	close(fd);
	return err ? err : make_fs(dir, path, part);
}

int disk_write(const struct skiff_opts *o, const char *out, int image_fd)
{
	const char *tmpdir = getenv("TMPDIR");
	char *dir = xasprintf("%s/skiff-disk-XXXXXX",
			      tmpdir && *tmpdir ? tmpdir : "/tmp");
	char *raw = NULL, *root;
	u64 bytes;
	int err;

	if (!mkdtemp(dir)) {
		skiff_err("cannot create a directory in %s: %s (set TMPDIR?)",
			  tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
		free(dir);
		return SKIFF_EXIT_FAILED;
	}
	root = xasprintf("%s/root", dir);
	err = mkdir(root, 0755) < 0 ? SKIFF_EXIT_FAILED : 0;
	if (!err)
		err = stage(dir, image_fd, &bytes);
	if (!err)
		err = make_core(dir);
	raw = o->format == FORMAT_QCOW2 ? xasprintf("%s/disk.raw", dir)
					: xstrdup(out);
	if (!err)
		err = make_raw(dir, raw, bytes);
	if (!err && o->format == FORMAT_QCOW2) {
		char *argv[] = { "qemu-img", "convert", "-q", "-f", "raw",
				 "-O", "qcow2", raw, (char *)out, NULL };

		err = run_tool(argv, "qemu-utils");
	}
	unstage(dir);
	free(root);
	free(raw);
	free(dir);
	return err;
}
