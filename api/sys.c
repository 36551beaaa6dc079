/*
 * api/sys.c: /network/ifconfig[/{intf}], /network/route, /hardware/...,
 * /metrics. Layer: api/, over net/ (net_iface_*) and arch's CPUID.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/metrics.h>
#include <skiff/alloc.h>
#include <skiff/net.h>
#include <skiff/time.h>
#include "api.h"

static void ipv4(struct api_out *o, const char *key, const u8 a[4])
{
	out_printf(o, "\"%s\": \"%u.%u.%u.%u\"", key, a[0], a[1], a[2], a[3]);
}

/* OSv's Interface: config (as SIOCGIF* show it) and data (counters). */
static void iface(struct api_out *o, const struct net_iface *f)
{
	static const u8 none[4];

	out_str(o, "{\"config\": {\"name\": ");
	out_json_str(o, f->name);
	out_str(o, ", ");
	ipv4(o, "addr", f->has_ipv4 ? f->ipv4 : none);
	out_str(o, ", ");
	ipv4(o, "mask", f->has_ipv4 ? f->ipv4_mask : none);
	out_str(o, ", ");
	ipv4(o, "broadcast", f->has_ipv4 ? f->ipv4_bcast : none);
	out_printf(o, ", \"flags\": %u, \"mtu\": %u, \"phys_addr\": "
		   "\"%02x:%02x:%02x:%02x:%02x:%02x\"}, ", f->flags, f->mtu,
		   f->mac[0], f->mac[1], f->mac[2], f->mac[3], f->mac[4],
		   f->mac[5]);
	out_printf(o, "\"data\": {\"ifi_ipackets\": %lu, \"ifi_ibytes\": %lu, "
		   "\"ifi_iqdrops\": %lu, \"ifi_opackets\": %lu, "
		   "\"ifi_obytes\": %lu, \"ifi_oqdrops\": %lu, \"ifi_mtu\": %u}, "
		   "\"time\": %lu}",
		   (unsigned long)f->rx_packets, (unsigned long)f->rx_bytes,
		   (unsigned long)f->rx_dropped, (unsigned long)f->tx_packets,
		   (unsigned long)f->tx_bytes, (unsigned long)f->tx_dropped,
		   f->mtu, (unsigned long)(time_realtime_ns() / 1000000));
}

void net_ifconfig(struct api_call *c)
{
	struct net_iface f;
	int r;

	if (!api_method(c, "GET"))
		return;
	if (c->path[17] == '/') { /* /network/ifconfig/NAME */
		if ((r = net_iface_by_name(c->path + 18, &f)))
			api_error(c, 404, "no such interface");
		else
			iface(&c->out, &f);
		return;
	}
	out_str(&c->out, "[");
	for (unsigned i = 0; net_iface_get(i, &f) == 0; i++) {
		out_str(&c->out, i ? ", " : "");
		iface(&c->out, &f);
	}
	out_str(&c->out, "]");
}

/* The routes the kernel has: each interface's subnet, and the default. */
void net_route(struct api_call *c)
{
	struct net_iface f;
	bool first = true;

	if (!api_method(c, "GET"))
		return;
	out_str(&c->out, "[");
	for (unsigned i = 0; net_iface_get(i, &f) == 0; i++) {
		u8 net[4];

		if (!f.has_ipv4)
			continue;
		for (int k = 0; k < 4; k++)
			net[k] = f.ipv4[k] & f.ipv4_mask[k];
		out_str(&c->out, first ? "{" : ", {");
		first = false;
		ipv4(&c->out, "destination", net);
		out_str(&c->out, ", \"gateway\": \"0.0.0.0\", ");
		ipv4(&c->out, "netmask", f.ipv4_mask);
		out_str(&c->out, ", \"flags\": \"U\", \"interface\": ");
		out_json_str(&c->out, f.name);
		out_str(&c->out, "}");
	}
	if (boot_opts.gw[0]) {
		out_str(&c->out, first ? "{" : ", {");
		out_str(&c->out, "\"destination\": \"0.0.0.0\", \"gateway\": ");
		out_json_str(&c->out, boot_opts.gw);
		out_str(&c->out, ", \"netmask\": \"0.0.0.0\", \"flags\": \"UG\", "
			"\"interface\": \"eth0\"}");
	}
	out_str(&c->out, "]");
}

void hw_processor_count(struct api_call *c)
{
	if (api_method(c, "GET"))
		out_printf(&c->out, "%d", cpu_count());
}

/* The CPUID leaf 1 and 7 feature names most tools look for. */
void hw_processor_flags(struct api_call *c)
{
	static const struct {
		u8 leaf, reg, bit;
		const char *name;
	} f[] = {
		{ 1, 3, 0, "fpu" }, { 1, 3, 4, "tsc" }, { 1, 3, 5, "msr" },
		{ 1, 3, 6, "pae" }, { 1, 3, 8, "cx8" }, { 1, 3, 9, "apic" },
		{ 1, 3, 15, "cmov" }, { 1, 3, 19, "clflush" },
		{ 1, 3, 23, "mmx" }, { 1, 3, 24, "fxsr" }, { 1, 3, 25, "sse" },
		{ 1, 3, 26, "sse2" }, { 1, 2, 0, "pni" },
		{ 1, 2, 1, "pclmulqdq" }, { 1, 2, 9, "ssse3" },
		{ 1, 2, 12, "fma" }, { 1, 2, 13, "cx16" }, { 1, 2, 19, "sse4_1" },
		{ 1, 2, 20, "sse4_2" }, { 1, 2, 21, "x2apic" },
		{ 1, 2, 22, "movbe" }, { 1, 2, 23, "popcnt" },
		{ 1, 2, 24, "tsc_deadline_timer" }, { 1, 2, 25, "aes" },
		{ 1, 2, 26, "xsave" }, { 1, 2, 28, "avx" }, { 1, 2, 29, "f16c" },
		{ 1, 2, 30, "rdrand" }, { 1, 2, 31, "hypervisor" },
		{ 7, 1, 0, "fsgsbase" }, { 7, 1, 3, "bmi1" }, { 7, 1, 5, "avx2" },
		{ 7, 1, 8, "bmi2" }, { 7, 1, 9, "erms" }, { 7, 1, 18, "rdseed" },
		{ 7, 1, 19, "adx" }, { 7, 1, 16, "avx512f" },
	};
	u32 r1[4], r7[4], max[4];
	bool first = true;

	if (!api_method(c, "GET"))
		return;
	cpuid(0, 0, max);
	cpuid(1, 0, r1);
	if (max[0] >= 7)
		cpuid(7, 0, r7);
	else
		memset(r7, 0, sizeof(r7));
	out_str(&c->out, "\"");
	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		u32 *r = f[i].leaf == 1 ? r1 : r7;
		if (r[f[i].reg] & (1u << f[i].bit)) {
			out_str(&c->out, first ? "" : " ");
			out_str(&c->out, f[i].name);
			first = false;
		}
	}
	out_str(&c->out, "\"");
}

/* CPUID 0x40000000's signature: "KVMKVMKVM", "TCGTCGTCGTCG", ... */
void hw_hypervisor(struct api_call *c)
{
	u32 r[4], r1[4];
	char sig[13];

	if (!api_method(c, "GET"))
		return;
	cpuid(1, 0, r1);
	if (!(r1[2] & (1u << 31))) {
		out_str(&c->out, "\"none\"");
		return;
	}
	cpuid(0x40000000, 0, r);
	memcpy(sig, &r[1], 4);
	memcpy(sig + 4, &r[2], 4);
	memcpy(sig + 8, &r[3], 4);
	sig[12] = 0;
	if (!strncmp(sig, "KVMKVMKVM", 9))
		out_str(&c->out, "\"kvm\"");
	else if (!strcmp(sig, "TCGTCGTCGTCG"))
		out_str(&c->out, "\"qemu-tcg\"");
	else
		out_json_str(&c->out, sig);
}

/* Skiff boots through PVH from QEMU's -kernel: no BIOS runs before it. */
void hw_firmware_vendor(struct api_call *c)
{
	if (api_method(c, "GET"))
		out_str(&c->out, boot_opts.plain_console ? "\"a boot loader\""
						 : "\"none (PVH boot)\"");
}

void metrics_call(struct api_call *c)
{
	size_t cap = 16384, n;
	char *buf;

	if (!api_method(c, "GET"))
		return;
	for (;;) {
		if (!(buf = kmalloc(cap))) {
			api_errno(c, -ENOMEM);
			return;
		}
		n = metrics_prometheus(buf, cap);
		if (n < cap || cap >= (8u << 20))
			break;
		kfree(buf);
		cap = n + 1;
	}
	c->ctype = "text/plain; version=0.0.4";
	out_bytes(&c->out, buf, n < cap ? n : cap - 1);
	kfree(buf);
}
