/*
 * arch/x86_64/acpi.c: power-off through ACPI's S5 sleep state, the way a
 * PC (and QEMU's pc and q35 machines, and the clouds' VMs) is switched off
 * without a Skiff device. Layer: arch. Interface in skiff/arch.h
 * (acpi_power_off).
 *
 * ACPI 6.x: the RSDP (given by the boot loader, else found in the EBDA's
 * first KiB or in 0xe0000-0xfffff on a 16-byte boundary, checksummed)
 * points at the RSDT (32-bit entries) or XSDT (64-bit); the FADT ("FACP")
 * among them gives the PM1a/PM1b control ports, SMI_CMD and ACPI_ENABLE,
 * and the DSDT. The \_S5 object of the DSDT's AML is a package whose first
 * two elements are SLP_TYPa and SLP_TYPb: writing SLP_TYP << 10 | SLP_EN
 * to PM1x_CNT enters S5. The AML is not interpreted: the bytes NameOp
 * "_S5_" PackageOp are looked for, as small kernels do (AML 20.2.5.4,
 * 20.2.3: a constant is ZeroOp, OneOp, or BytePrefix and a byte).
 *
 * acpi_cpus reads the MADT's processors for arch/x86_64/smp.c.
 *
 * Every table is checked against its length; what is missing or malformed
 * makes acpi_power_off return, and the caller falls back.
 */
#include <skiff/arch.h>
#include <skiff/lib.h>
#include <skiff/paging.h>
#include "smp.h"

#define SLP_EN (1u << 13)
#define SCI_EN 1u
#define MAX_TABLE (16u << 20)

struct __packed sdt {
	char sig[4];
	u32 length;
	u8 revision, checksum;
	char oem[6], oem_table[8];
	u32 oem_rev, creator, creator_rev;
};
_Static_assert(sizeof(struct sdt) == 36, "ACPI table header");

static u64 rsdp_hint;

void acpi_set_rsdp(u64 paddr)
{
	rsdp_hint = paddr;
}

static bool sum_ok(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s += *p++;
	return s == 0;
}

static const u8 *rsdp_at(u64 pa)
{
	const u8 *p = phys_to_virt(pa);

	return !memcmp(p, "RSD PTR ", 8) && sum_ok(p, 20) ? p : NULL;
}

static const u8 *find_rsdp(void)
{
	u64 ebda = (u64)*(const u16 *)phys_to_virt(0x40e) << 4;
	const u8 *r;

	if (rsdp_hint && (r = rsdp_at(rsdp_hint)))
		return r;
	if (ebda >= 0x80000 && ebda < 0xa0000)
		for (u64 pa = ebda; pa < ebda + 1024; pa += 16)
			if ((r = rsdp_at(pa)))
				return r;
	for (u64 pa = 0xe0000; pa < 0x100000; pa += 16)
		if ((r = rsdp_at(pa)))
			return r;
	return NULL;
}

/* The table at pa if its length and checksum hold (and sig, if given). */
static const struct sdt *table(u64 pa, const char *sig)
{
	const struct sdt *t;

	if (!pa || pa >= (4ull << 30) - sizeof(*t))
		return NULL; /* the direct map's first 4 GiB only, this early */
	t = phys_to_virt(pa);
	if (t->length < sizeof(*t) || t->length > MAX_TABLE ||
	    pa + t->length > (4ull << 30) || !sum_ok((const u8 *)t, t->length))
		return NULL;
	return !sig || !memcmp(t->sig, sig, 4) ? t : NULL;
}

/* The root table's entry with signature sig, or NULL. */
static const struct sdt *find_table(const u8 *rsdp, const char *sig)
{
	u64 xsdt = rsdp[15] >= 2 ? *(const u64 *)(rsdp + 24) : 0;
	const struct sdt *root = xsdt ? table(xsdt, "XSDT") : NULL;
	size_t width = 8;

	if (!root) {
		root = table(*(const u32 *)(rsdp + 16), "RSDT");
		width = 4;
	}
	if (!root)
		return NULL;
	const u8 *e = (const u8 *)(root + 1), *end = (const u8 *)root + root->length;
	for (; e + width <= end; e += width) {
		u64 pa = width == 8 ? *(const u64 *)e : *(const u32 *)e;
		const struct sdt *t = table(pa, sig);

		if (t)
			return t;
	}
	return NULL;
}

static const struct sdt *find_fadt(const u8 *rsdp)
{
	return find_table(rsdp, "FACP");
}

/*
 * The processors of the MADT ("APIC", ACPI 6.x 5.2.12): after the header,
 * the local APIC address and flags (8 bytes), entries of type, length:
 * type 0 (8 bytes: ACPI id, APIC id, flags) and type 9 (16 bytes: x2APIC
 * id at 4, flags at 8); flags bit 0 enabled. Only ids below 255 count
 * (xAPIC IPIs name 8-bit ids).
 */
int acpi_cpus(u32 *ids, int max)
{
	const u8 *rsdp = find_rsdp();
	const struct sdt *madt = rsdp ? find_table(rsdp, "APIC") : NULL;
	int n = 0;

	if (!madt || madt->length < sizeof(*madt) + 8)
		return 0;
	const u8 *e = (const u8 *)(madt + 1) + 8;
	const u8 *end = (const u8 *)madt + madt->length;
	for (; e + 2 <= end && e[1] >= 2 && e + e[1] <= end; e += e[1]) {
		u32 id, flags;
		if (e[0] == 0 && e[1] >= 8) {
			id = e[3];
			flags = *(const u32 *)(e + 4);
		} else if (e[0] == 9 && e[1] >= 16) {
			id = *(const u32 *)(e + 4);
			flags = *(const u32 *)(e + 8);
		} else {
			continue;
		}
		if ((flags & 1) && id < 255 && n < max)
			ids[n++] = id;
	}
	return n;
}

/* One AML integer constant at *p (below end): its value, or -1. */
static int aml_const(const u8 **p, const u8 *end)
{
	if (*p >= end)
		return -1;
	switch (*(*p)++) {
	case 0x00: return 0;		/* ZeroOp */
	case 0x01: return 1;		/* OneOp */
	case 0x0a:			/* BytePrefix */
		return *p < end ? *(*p)++ : -1;
	}
	return -1;
}

/* \_S5's SLP_TYPa and SLP_TYPb from the DSDT's AML: 0, or -1. */
static int s5_types(const struct sdt *dsdt, int *a, int *b)
{
	const u8 *p = (const u8 *)(dsdt + 1), *end = (const u8 *)dsdt + dsdt->length;

	for (; p + 7 < end; p++) {
		if (memcmp(p, "_S5_", 4) || p[4] != 0x12 ||
		    (p[-1] != 0x08 && !(p[-1] == '\\' && p[-2] == 0x08)))
			continue;
		const u8 *q = p + 5;
		q += 1 + (*q >> 6);	/* PkgLength: 1 to 4 bytes */
		q++;			/* NumElements */
		*a = aml_const(&q, end);
		*b = aml_const(&q, end);
		return *a < 0 || *b < 0 ? -1 : 0;
	}
	return -1;
}

/* ACPI mode (SCI_EN): through SMI_CMD if the firmware left it off. */
static void acpi_enable(const u8 *fadt, u16 pm1a)
{
	u32 smi_cmd = *(const u32 *)(fadt + 48);
	u8 enable = fadt[52];

	if ((inw(pm1a) & SCI_EN) || !smi_cmd || !enable || smi_cmd > 0xffff)
		return;
	outb(smi_cmd, enable);
	for (int i = 0; i < 1000000 && !(inw(pm1a) & SCI_EN); i++)
		cpu_relax();
}

void acpi_power_off(void)
{
	const u8 *rsdp = find_rsdp(), *f;
	const struct sdt *fadt, *dsdt;
	u32 pm1a, pm1b;
	u64 dsdt_pa;
	int a, b;

	fadt = rsdp ? find_fadt(rsdp) : NULL;
	if (!fadt || fadt->length < 72)
		return;
	f = (const u8 *)fadt;
	pm1a = *(const u32 *)(f + 64);
	pm1b = *(const u32 *)(f + 68);
	dsdt_pa = fadt->length >= 148 ? *(const u64 *)(f + 140) : 0;
	if (!dsdt_pa)
		dsdt_pa = *(const u32 *)(f + 40);
	dsdt = table(dsdt_pa, "DSDT");
	if (!dsdt || !pm1a || pm1a > 0xffff || pm1b > 0xffff ||
	    s5_types(dsdt, &a, &b))
		return;
	acpi_enable(f, pm1a);
	outw(pm1a, (inw(pm1a) & ~(7u << 10)) | (a & 7) << 10 | SLP_EN);
	if (pm1b)
		outw(pm1b, (inw(pm1b) & ~(7u << 10)) | (b & 7) << 10 | SLP_EN);
	for (int i = 0; i < 1000000; i++)
		cpu_relax(); /* the machine goes off here */
}
