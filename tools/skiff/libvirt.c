/*
 * skiff libvirt-xml [--name NAME] [-m SIZE] IMAGE: a libvirt domain
 * definition (https://libvirt.org/formatdomain.html) for a Skiff image
 * made by skiff build --format cpio (QEMU boots the initrd as it is, and
 * the kernel unpacks only cpio: skiff run decodes a compressed image on
 * the host, libvirt would not), so that virsh define, start, console and migrate
 * manage it. Domain type qemu (TCG; kvm where the host has it), machine
 * q35, direct kernel boot (the Skiff kernel, the image as the initrd, the
 * kernel's options), one virtio NIC on user networking, and QEMU's
 * isa-debug-exit device (through libvirt's qemu:commandline) by which the
 * kernel powers off with the program's status. There is no virtio console:
 * the kernel then puts everything on COM1, the domain's serial console,
 * which virsh console shows (with the protocol's channel switches,
 * skiff/proto.h). Published ports (-p) are not written: libvirt's user
 * networking forwards ports only with its passt backend.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "skiff.h"

/* s with XML's five special characters escaped. */
static char *xml_escape(const char *s)
{
	char *out = xmalloc(6 * strlen(s) + 1), *o = out;

	for (; *s; s++) {
		const char *e = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" :
				*s == '&' ? "&amp;" : *s == '\'' ? "&apos;" :
				*s == '"' ? "&quot;" : NULL;
		if (e)
			o = stpcpy(o, e);
		else
			*o++ = *s;
	}
	*o = '\0';
	return out;
}

static void print_domain(const char *name, u64 mib, const char *kernel,
			 const char *image, const char *qemu, u64 tsc_khz,
			 bool kvm)
{
	struct net_config net = { .mode = NET_USER };
	char cmdline[512] = "";

	if (tsc_khz)
		snprintf(cmdline, sizeof(cmdline), "tsc_khz=%llu",
			 (unsigned long long)tsc_khz);
	net_cmdline(&net, cmdline, sizeof(cmdline));
	printf("<domain type='%s' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
	       "  <name>%s</name>\n"
	       "  <memory unit='MiB'>%llu</memory>\n"
	       "  <vcpu>1</vcpu>\n"
	       "  <os>\n"
	       "    <type arch='x86_64' machine='q35'>hvm</type>\n"
	       "    <kernel>%s</kernel>\n"
	       "    <initrd>%s</initrd>\n"
	       "    <cmdline>%s</cmdline>\n"
	       "  </os>\n"
	       "  <cpu mode='%s'/>\n"
	       "  <clock offset='utc'/>\n"
	       "  <on_poweroff>destroy</on_poweroff>\n"
	       "  <on_reboot>destroy</on_reboot>\n"
	       "  <on_crash>destroy</on_crash>\n"
	       "  <devices>\n"
	       "    <emulator>%s</emulator>\n"
	       "    <serial type='pty'><target port='0'/></serial>\n"
	       "    <console type='pty'><target type='serial' port='0'/></console>\n"
	       "    <interface type='user'><model type='virtio'/></interface>\n"
	       "    <memballoon model='none'/>\n"
	       "  </devices>\n"
	       "  <qemu:commandline>\n"
	       "    <qemu:arg value='-device'/>\n"
	       "    <qemu:arg value='isa-debug-exit,iobase=%#x,iosize=4'/>\n"
	       "  </qemu:commandline>\n"
	       "</domain>\n",
	       kvm ? "kvm" : "qemu", name, (unsigned long long)mib, kernel,
	       image, cmdline + (cmdline[0] == ' '), kvm ? "host-passthrough" :
	       "maximum", qemu, PROTO_EXIT_PORT);
}

int libvirt_command(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "memory", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL;
	char real[PATH_MAX], *kernel, *qemu;
	struct program p;
	u64 mib = SKIFF_DEFAULT_MEMORY_MIB;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:m:h", longs, NULL)) != -1) {
		if (c == 'h') {
			puts("Usage: skiff libvirt-xml [--name NAME] [-m SIZE] IMAGE\n"
			     "Prints a libvirt domain definition for the Skiff image IMAGE\n"
			     "(skiff build --format cpio -o IMAGE): virsh define FILE, virsh start NAME,\n"
			     "virsh console NAME. See docs/instances.md.");
			return 0;
		}
		if (c == 'm' && (opts_parse_memory(optarg, &mib) ||
				 mib < SKIFF_MIN_MEMORY_MIB))
			c = '?';
		if (c == 'n' && !inst_valid_name(optarg))
			c = '?';
		if (c == '?' || c == ':') {
			skiff_err("libvirt-xml: bad option or value (see skiff libvirt-xml --help)");
			return SKIFF_EXIT_USAGE;
		}
		if (c == 'n')
			name = optarg;
	}
	if (argc - optind != 1) {
		skiff_err("libvirt-xml: expected one IMAGE (see skiff libvirt-xml --help)");
		return SKIFF_EXIT_USAGE;
	}
	if (program_find(argv[optind], &p))
		return SKIFF_EXIT_NOT_FOUND;
	if (!p.is_image || !realpath(p.real, real)) {
		skiff_err("libvirt-xml: %s is not a Skiff image (skiff build -o IMAGE)",
			  argv[optind]);
		return 1;
	}
	if (prebuilt_is_compressed(real)) {
		skiff_err("libvirt-xml: %s is compressed, and libvirt boots the initrd as it is: build it with skiff build --format cpio",
			  argv[optind]);
		return 1;
	}
	kernel = host_kernel_path(NULL);
	qemu = kernel ? host_find_qemu() : NULL;
	if (!kernel || !qemu)
		return SKIFF_EXIT_FAILED;
	if (!name) {
		const char *b = strrchr(real, '/') + 1;

		name = inst_valid_name(b) ? b : "skiff";
	}
	host_tsc_start();
	print_domain(name, mib, xml_escape(path_absolute(kernel)),
		     xml_escape(real), xml_escape(qemu), host_tsc_khz(),
		     host_use_kvm(ACCEL_AUTO));
	return 0;
}
