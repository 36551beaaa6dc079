/* SOURCES: fs/ext2/alloc.c fs/ext2/bmap.c fs/ext2/cache.c fs/ext2/dir.c fs/ext2/file.c fs/ext2/inode.c fs/ext2/namei.c fs/ext2/super.c fs/ext2/mmap.c fs/ext2/falloc.c fs/ext2/writeback.c fs/blkio.c fs/mounts.c drivers/blkdev.c fs/init.c fs/initrd.c fs/pipe.c fs/vfs/dentry.c fs/vfs/fd.c fs/vfs/inode.c fs/vfs/namei.c fs/vfs/open.c fs/vfs/ops.c fs/vfs/rename.c fs/vfs/rw.c fs/vfs/poll.c fs/ramfs/ramfs.c fs/ramfs/file.c fs/ramfs/pagestore.c fs/devfs/mem.c fs/devfs/console.c fs/devfs/tty.c fs/procfs/procfs.c fs/procfs/pid.c fs/procfs/pidstat.c fs/procfs/info.c fs/procfs/sysfs.c fs/procfs/net.c fs/eventpoll.c lib/rbtree.c fs/eventfd.c fs/timerfd.c linux/file.c linux/fd.c linux/stat.c linux/dir.c linux/poll.c linux/sendfile.c lib/cpio.c lib/printf.c lib/strconv.c tests/unit/shim_fs.c */
/*
 * fs/ext2 on the host, under ASan and UBSan, over a block device in memory
 * (fs/blkio.c's calls over a driver that finishes each request at once):
 * an image made by mke2fs -d is mounted through the command line's
 * mount= word, read, changed through the file syscalls, synced, and then
 * judged by e2fsck -fn; and 300 damaged copies (random bytes in the first
 * blocks: superblock, descriptors, bitmaps, inode table, root directory)
 * are mounted, walked and changed: any error is fine, a memory error
 * (ASan) or a crash is not; fallocate (a punched hole is discarded) and a
 * shared mapping's page (get_page) against read, write and the disk.
 * Skipped without e2fsprogs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/blkdev.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/sched.h>
#include <skiff/vfs.h>
#include "../../linux/fsabi.h"
#include "../../linux/sys.h"
#include "shim.h"
#include "shim_fs.h"

#define IMG "/tmp/skiff-test-ext2.img"
#define IMG_BYTES (4u << 20)

static u8 *disk;		/* the device's bytes */
static u8 *pristine;		/* the image as mke2fs made it */
static bool fail_io;		/* every request fails as a disk error */
static unsigned discards;	/* BLK_DISCARD requests seen */

bool thread_set_uninterruptible(struct thread *t, bool on)
{
	(void)t;
	(void)on;
	return false;
}

static int mem_submit(struct blkdev *bd, struct blk_req *r)
{
	u64 at = r->sector * 512;

	if (fail_io) {
		r->status = -EIO;
		r->done = true;
		return 0;
	}
	if (r->op == BLK_FLUSH || r->op == BLK_DISCARD) {
		discards += r->op == BLK_DISCARD;
		r->status = 0;
	} else if (at + r->len > bd->sectors * 512) {
		return -EINVAL;
	} else if (r->op == BLK_READ) {
		memcpy(r->buf, disk + at, r->len);
	} else {
		memcpy(disk + at, r->buf, r->len);
	}
	r->status = 0;
	r->done = true;
	return 0;
}

static void mem_kick(struct blkdev *bd) { (void)bd; }
static unsigned mem_reap(struct blkdev *bd) { (void)bd; return 0; }

static struct blkdev memdisk = {
	.name = "vda", .sectors = IMG_BYTES / 512, .can_flush = true,
	.can_discard = true,
	.submit = mem_submit, .kick = mem_kick, .reap = mem_reap,
};

static bool have_e2fsprogs(void)
{
	return system("command -v mke2fs >/dev/null 2>&1 && "
		      "command -v e2fsck >/dev/null 2>&1") == 0;
}

static int setup(void **state)
{
	FILE *f;

	(void)state;
	if (fs_init(NULL, 0))
		return -1;
	if (!have_e2fsprogs())
		return 0;
	if (system("rm -rf " IMG ".d && mkdir -p " IMG ".d/sub && "
		   "echo hello >" IMG ".d/hello && ln -s hello " IMG ".d/link && "
		   "head -c 300000 /dev/zero | tr '\\0' x >" IMG ".d/sub/big && "
		   "mke2fs -q -F -t ext2 -d " IMG ".d " IMG " 4M >/dev/null"))
		return -1;
	disk = malloc(IMG_BYTES);
	pristine = malloc(IMG_BYTES);
	f = fopen(IMG, "rb");
	if (!f || fread(pristine, 1, IMG_BYTES, f) != IMG_BYTES)
		return -1;
	fclose(f);
	memcpy(disk, pristine, IMG_BYTES);
	return blkdev_register(&memdisk);
}

static long read_path(const char *path, char *buf, size_t len)
{
	long fd = sys_open(path, O_RDONLY, 0), n;

	if (fd < 0)
		return fd;
	n = sys_read(fd, buf, len);
	sys_close(fd);
	return n;
}

static void write_path(const char *path, const char *s)
{
	long fd = sys_open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(sys_write(fd, s, strlen(s)), strlen(s));
	sys_close(fd);
}

static void save_and_fsck(void)
{
	FILE *f = fopen(IMG, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(disk, 1, IMG_BYTES, f), IMG_BYTES);
	fclose(f);
	assert_int_equal(system("e2fsck -fn " IMG " >/dev/null 2>&1"), 0);
}

static void test_mount_rw(void **state)
{
	char buf[64] = { 0 }, why[200];

	(void)state;
	if (!disk)
		skip();
	boot_opts.nmounts = 1;
	strcpy(boot_opts.mounts[0].dev, "vda");
	strcpy(boot_opts.mounts[0].path, "/data");
	assert_int_equal(fs_mount_disks(why, sizeof(why)), 0);
	assert_int_equal(read_path("/data/hello", buf, sizeof(buf)), 6);
	assert_string_equal(buf, "hello\n");
	assert_int_equal(read_path("/data/link", buf, sizeof(buf)), 6);
	assert_int_equal(read_path("/data/sub/big", NULL, 0), 0);
	assert_int_equal(sys_mkdir("/data/d", 0755), 0);
	write_path("/data/d/f", "in d\n");
	assert_int_equal(sys_rename("/data/d/f", "/data/g"), 0);
	assert_int_equal(sys_symlink("g", "/data/s"), 0);
	assert_int_equal(sys_link("/data/g", "/data/h"), 0);
	assert_int_equal(sys_unlink("/data/hello"), 0);
	assert_int_equal(sys_truncate("/data/sub/big", 7000), 0);
	assert_int_equal(sys_rmdir("/data/d"), 0);
	assert_int_equal(sys_rmdir("/data/sub"), -ENOTEMPTY);
	assert_int_equal(sys_unlink("/data/sub/big"), 0);
	assert_int_equal(sys_rmdir("/data/sub"), 0);
	assert_int_equal(read_path("/data/h", buf, sizeof(buf)), 5);
	/* A device node keeps its number on the disk (e2fsck checks it). */
	assert_int_equal(sys_mknod("/data/null", S_IFCHR | 0666, MKDEV(1, 3)), 0);
	assert_int_equal(vfs_sync_all(true), 0);
	save_and_fsck();
	assert_int_equal(system("debugfs -R 'stat /null' " IMG " 2>/dev/null | "
				"grep -q 'number: 01:03'"), 0);
}

/* Lists and reads everything under path, then changes it; errors fine. */
static void walk(const char *path, int depth)
{
	char buf[4096], child[4400];
	long fd = sys_open(path, O_RDONLY | O_DIRECTORY, 0), n;

	if (fd < 0 || depth > 4)
		return;
	while ((n = sys_getdents64(fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			/* linux_dirent64: ino 8, off 8, reclen 2, type 1, name */
			unsigned short reclen;
			const char *name = buf + off + 19;

			memcpy(&reclen, buf + off + 16, 2);
			off += reclen;
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue;
			snprintf(child, sizeof(child), "%s/%s", path, name);
			char data[512];
			read_path(child, data, sizeof(data));
			walk(child, depth + 1);
		}
	}
	sys_close(fd);
}

static void change(const char *root)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/new", root);
	long fd = sys_open(p, O_CREAT | O_WRONLY, 0644);
	for (int i = 0; fd >= 0 && i < 20; i++)
		if (sys_write(fd, p, sizeof(p)) < 0)
			break;
	sys_close(fd);
	snprintf(p, sizeof(p), "%s/dir", root);
	sys_mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/sub/big", root);
	sys_truncate(p, 10);
	snprintf(p, sizeof(p), "%s/hello", root);
	sys_unlink(p);
}

static void test_damaged(void **state)
{
	(void)state;
	if (!disk)
		skip();
	int mounted = 0;

	srand(12345);
	for (int i = 0; i < 300; i++) {
		struct super *sb;
		char why[160], path[32];
		int n = 1 + rand() % 64, span = 1024 * (2 + rand() % 40);

		memcpy(disk, pristine, IMG_BYTES);
		for (int k = 0; k < n; k++)
			disk[1024 + rand() % span] = rand();
		if (ext2_mount("vda", false, &sb, why, sizeof(why)))
			continue;
		mounted++;
		snprintf(path, sizeof(path), "/dmg%d", i);
		assert_int_equal(vfs_mkdir_p(path, 0755), 0);
		assert_int_equal(vfs_mount(path, sb), 0);
		walk(path, 0);
		change(path);
		walk(path, 0);
		sb->ops->sync(sb, false);
	}
	/* Most damage leaves a mountable filesystem: the walk ran on those. */
	assert_true(mounted > 100);
}

/* A file whose size is past what its block map can reach (a damaged
 * size_high: reading its holes would take hours) is corrupt: EUCLEAN,
 * as is every damage found; a sane one beside it still opens. */
static void test_huge_size(void **state)
{
	struct super *sb;
	char why[160];
	FILE *f;

	(void)state;
	if (!disk)
		skip();
	f = fopen(IMG, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(pristine, 1, IMG_BYTES, f), IMG_BYTES);
	fclose(f);
	assert_int_equal(system("debugfs -w -R 'sif /hello size 373683126276' " IMG
				" >/dev/null 2>&1"), 0);
	f = fopen(IMG, "rb");
	assert_non_null(f);
	assert_int_equal(fread(disk, 1, IMG_BYTES, f), IMG_BYTES);
	fclose(f);
	assert_int_equal(ext2_mount("vda", false, &sb, why, sizeof(why)), 0);
	assert_int_equal(vfs_mkdir_p("/huge", 0755), 0);
	assert_int_equal(vfs_mount("/huge", sb), 0);
	assert_int_equal(sys_open("/huge/hello", O_RDONLY, 0), -EUCLEAN);
	long fd = sys_open("/huge/link", O_RDONLY | O_NOFOLLOW | O_PATH, 0);
	assert_true(fd >= 0);
	sys_close(fd);
}

/* A disk that fails every request: EIO to the caller, never a crash. */
static void test_io_error(void **state)
{
	struct super *sb;
	char why[160], buf[64];
	long fd;

	(void)state;
	if (!disk)
		skip();
	memcpy(disk, pristine, IMG_BYTES);
	assert_int_equal(ext2_mount("vda", false, &sb, why, sizeof(why)), 0);
	assert_int_equal(vfs_mkdir_p("/ioerr", 0755), 0);
	assert_int_equal(vfs_mount("/ioerr", sb), 0);
	fd = sys_open("/ioerr/hello", O_RDWR, 0);
	assert_true(fd >= 0);
	fail_io = true;
	assert_int_equal(sys_read(fd, buf, sizeof(buf)), -EIO);
	assert_int_equal(sys_open("/ioerr/sub/big", O_RDONLY, 0), -EIO);
	assert_int_equal(sys_fsync(fd), -EIO); /* the flush fails */
	assert_int_equal(sys_pwrite64(fd, "x", 1, 70000), -EIO);
	assert_int_equal(sys_mkdir("/ioerr/newdir", 0755), -EIO);
	fail_io = false;
	sys_close(fd);
}

/* The mounted pristine image at path. */
static void mount_fresh(const char *path)
{
	struct super *sb;
	char why[160];

	memcpy(disk, pristine, IMG_BYTES);
	assert_int_equal(ext2_mount("vda", false, &sb, why, sizeof(why)), 0);
	assert_int_equal(vfs_mkdir_p(path, 0755), 0);
	assert_int_equal(vfs_mount(path, sb), 0);
}

/* fallocate: allocation, a punched hole (discarded), e2fsck clean. */
static void test_fallocate(void **state)
{
	static char buf[200000];
	long fd;

	(void)state;
	if (!disk)
		skip();
	mount_fresh("/fa");
	fd = sys_open("/fa/f", O_CREAT | O_RDWR, 0644);
	assert_true(fd >= 0);
	memset(buf, 'p', sizeof(buf));
	assert_int_equal(sys_write(fd, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(sys_fsync(fd), 0);
	discards = 0;
	assert_int_equal(sys_fallocate(fd, 3, 5000, 100000), 0);
	assert_int_equal(sys_fallocate(fd, 2, 0, 10), -EOPNOTSUPP);
	assert_int_equal(sys_fallocate(fd, 0x10, 0, 10), -EOPNOTSUPP);
	assert_int_equal(sys_pread64(fd, buf, 6, 4998), 6);
	assert_memory_equal(buf, "pp\0\0\0\0", 6);
	assert_int_equal(sys_pread64(fd, buf, 4, 104998), 4);
	assert_memory_equal(buf, "\0\0pp", 4);
	assert_int_equal(sys_fsync(fd), 0);
	assert_true(discards > 0);
	/* Mode 0 past the end grows the file; KEEP_SIZE past it does not. */
	assert_int_equal(sys_fallocate(fd, 1, 190000, 50000), 0);
	assert_int_equal(sys_lseek(fd, 0, SEEK_END), 200000);
	assert_int_equal(sys_fallocate(fd, 0, 250000, 10000), 0);
	assert_int_equal(sys_lseek(fd, 0, SEEK_END), 260000);
	assert_int_equal(sys_pread64(fd, buf, 4, 255000), 4);
	assert_memory_equal(buf, "\0\0\0\0", 4);
	assert_int_equal(sys_fsync(fd), 0);
	sys_close(fd);
	save_and_fsck();
}

/* A shared mapping's page (get_page) is the file's data: read and write
 * agree with it, and fsync puts it on the disk. */
static void test_get_page(void **state)
{
	struct file *f;
	char buf[16] = { 0 };
	u8 *page;
	long fd;

	(void)state;
	if (!disk)
		skip();
	mount_fresh("/gp");
	fd = sys_open("/gp/m", O_CREAT | O_RDWR, 0644);
	assert_true(fd >= 0);
	assert_int_equal(sys_pwrite64(fd, "0123456789", 10, 5000), 10);
	f = fd_get(fd);
	assert_non_null(f);
	assert_int_equal(f->ops->get_page(f, 1, (void **)&page), 0);
	assert_memory_equal(page + 5000 - 4096, "0123456789", 10);
	assert_int_equal(f->ops->get_page(f, 2, (void **)&page), -ENXIO);
	assert_int_equal(f->ops->get_page(f, 0, (void **)&page), 0);
	memcpy(page + 100, "mapped", 6);
	assert_int_equal(sys_pread64(fd, buf, 6, 100), 6);
	assert_memory_equal(buf, "mapped", 6);
	assert_int_equal(sys_pwrite64(fd, "W", 1, 101), 1);
	assert_int_equal(page[101], 'W');
	/* Stored past the end, then the file grows over it: zeros. */
	assert_int_equal(f->ops->get_page(f, 1, (void **)&page), 0);
	page[5010 - 4096 + 100] = 'z';
	assert_int_equal(sys_ftruncate(fd, 6000), 0);
	assert_int_equal(sys_pread64(fd, buf, 1, 5110), 1);
	assert_int_equal(buf[0], 0);
	assert_int_equal(sys_fsync(fd), 0);
	file_put(f);
	sys_close(fd);
	save_and_fsck();
	assert_int_equal(system("debugfs -R 'cat /m' " IMG " 2>/dev/null | "
				"head -c 106 | tail -c 6 | grep -q mWpped"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_rw),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_io_error),
		cmocka_unit_test(test_fallocate),
		cmocka_unit_test(test_get_page),
		cmocka_unit_test(test_huge_size),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
