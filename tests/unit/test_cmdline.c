/* SOURCES: kernel/cmdline.c lib/strconv.c */
/*
 * kernel/cmdline.c: the words skiff and QEMU put on the kernel command
 * line, well-formed and malformed (a malformed word is ignored, never
 * half-applied).
 */
#include <string.h>
#include <skiff/kernel.h>
#include "../../kernel/cmdline.h"
#include "shim.h"

static void reset(void)
{
	memset(&boot_opts, 0, sizeof(boot_opts));
}

static void options(void **state)
{
	reset();
	cmdline_parse("tsc_khz=2600000  verbose tty=5 winsize=80x24 "
		      "ip=10.0.2.15/24 gw=10.0.2.2 unknown=1");
	assert_int_equal(boot_opts.tsc_khz, 2600000);
	assert_true(boot_opts.verbose);
	assert_int_equal(boot_opts.tty_mask, 5);
	assert_int_equal(boot_opts.win_cols, 80);
	assert_int_equal(boot_opts.win_rows, 24);
	assert_string_equal(boot_opts.ip, "10.0.2.15/24");
	assert_string_equal(boot_opts.gw, "10.0.2.2");
}

static void mmio_devices(void **state)
{
	reset();
	cmdline_parse("virtio_mmio.device=512@0xfeb00e00:12 "
		      "virtio_mmio.device=4K@0xfeb01000:13");
	assert_int_equal(boot_opts.nmmio, 2);
	assert_int_equal(boot_opts.mmio[0].size, 512);
	assert_int_equal(boot_opts.mmio[0].base, 0xfeb00e00);
	assert_int_equal(boot_opts.mmio[0].irq, 12);
	assert_int_equal(boot_opts.mmio[1].size, 4096);
	assert_int_equal(boot_opts.mmio[1].irq, 13);
}

static void malformed(void **state)
{
	static const char *const bad[] = {
		"virtio_mmio.device=512@0xfeb00e00",	/* no irq */
		"virtio_mmio.device=512@0xfeb00e00:",
		"virtio_mmio.device=@0xfeb00e00:5",
		"virtio_mmio.device=512@:5",
		"virtio_mmio.device=0@0x1000:5",
		"virtio_mmio.device=512@0x1000:5x",
		"virtio_mmio.device=512@0x1000:300",
		"virtio_mmio.device=512x0x1000:5",
		"virtio_mmio.device=",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reset();
		cmdline_parse(bad[i]);
		assert_int_equal(boot_opts.nmmio, 0);
	}
	reset();
	cmdline_parse("ip=0123456789012345678901234567890123456789012345678901234");
	assert_string_equal(boot_opts.ip, "");
}

static void mmio_limit(void **state)
{
	reset();
	for (int i = 0; i < 40; i++)
		cmdline_parse("virtio_mmio.device=512@0xfeb00000:5");
	assert_int_equal(boot_opts.nmmio, 32);
}

static void mounts(void **state)
{
	reset();
	cmdline_parse("mount=vda:/data mount=/dev/vdb:/srv/db:ro "
		      "mount=vdc:/x:rw");
	assert_int_equal(boot_opts.nmounts, 3);
	assert_string_equal(boot_opts.mounts[0].dev, "vda");
	assert_string_equal(boot_opts.mounts[0].path, "/data");
	assert_false(boot_opts.mounts[0].ro);
	assert_string_equal(boot_opts.mounts[1].dev, "/dev/vdb");
	assert_string_equal(boot_opts.mounts[1].path, "/srv/db");
	assert_true(boot_opts.mounts[1].ro);
	assert_string_equal(boot_opts.mounts[2].path, "/x");
	assert_false(boot_opts.mounts[2].ro);
}

static void mounts_9p(void **state)
{
	reset();
	cmdline_parse("mount=9p:skiff0:/home/a%20b%3Ac:ro mount=9p:t:/x:try "
		      "mount=9p::/bad mount=9p:t mount=9p:t:/%zz "
		      "cwd=/w%25d");
	assert_int_equal(boot_opts.nmounts, 2);
	assert_string_equal(boot_opts.mounts[0].dev, "9p");
	assert_string_equal(boot_opts.mounts[0].tag, "skiff0");
	assert_string_equal(boot_opts.mounts[0].path, "/home/a b:c");
	assert_true(boot_opts.mounts[0].ro);
	assert_string_equal(boot_opts.mounts[1].tag, "t");
	assert_false(boot_opts.mounts[1].ro);
	assert_true(boot_opts.mounts[1].soft);
	assert_false(boot_opts.mounts[0].soft);
	assert_string_equal(boot_opts.cwd, "/w%d");
	reset();
	cmdline_parse("cwd=/a%00b");
	assert_string_equal(boot_opts.cwd, "");
}

static void mounts_malformed(void **state)
{
	static const char *const bad[] = {
		"mount=", "mount=vda", "mount=vda:", "mount=:/data",
		"mount=vda:data", "mount=vda:/data:rx", "mount=vda:/data:",
		"mount=averyveryverylongdevicename:/data",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reset();
		cmdline_parse(bad[i]);
		assert_int_equal(boot_opts.nmounts, 0);
	}
	reset();
	for (int i = 0; i < 20; i++)
		cmdline_parse("mount=vda:/d");
	assert_int_equal(boot_opts.nmounts, 8);
}

/* api= and api_token=; the token is wiped from the line once parsed. */
static void api_token_scrubbed(void **state)
{
	char line[] = "verbose api=8000 api_token=00ff ip=10.0.2.15/24";

	reset();
	cmdline_parse(line);
	cmdline_scrub(line);
	assert_int_equal(boot_opts.api_port, 8000);
	assert_string_equal(boot_opts.api_token, "00ff");
	assert_string_equal(line, "verbose api=8000 api_token=xxxx "
			    "ip=10.0.2.15/24");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options),
		cmocka_unit_test(mmio_devices),
		cmocka_unit_test(malformed),
		cmocka_unit_test(mmio_limit),
		cmocka_unit_test(mounts),
		cmocka_unit_test(mounts_9p),
		cmocka_unit_test(mounts_malformed),
		cmocka_unit_test(api_token_scrubbed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
