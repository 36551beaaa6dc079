/*
 * drivers/pci.c: PCI bus 0 through configuration mechanism #1 (PCI Local
 * Bus 3.0, 3.2.2.3.2: address to port 0xcf8, data at 0xcfc), BAR sizing and
 * assignment, capabilities and MSI-X (6.8.2). Layer: drivers. Interface:
 * skiff/pci.h. QEMU: `-M q35`, whose `-device` lands on bus 0 (pcie.0)
 * unless given a bus; microvm has no PCI, and the scan finds nothing.
 *
 * BARs: on q35 booted with -kernel, SeaBIOS has enumerated the bus and
 * assigned every memory BAR before the PVH entry; what it left at 0 gets an
 * address here, above the highest BAR in the 32-bit hole (from 0xc0000000,
 * past q35's MMCONFIG window, when there is none), below the I/O APIC.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/paging.h>
#include <skiff/pci.h>

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc
#define MAX_DEVICES 32

/* Where unassigned BARs go (see the top). */
#define HOLE_START 0xc0000000ull
#define HOLE_END 0xfec00000ull

static struct pci_dev devices[MAX_DEVICES];
static unsigned ndevices;

static void select_reg(const struct pci_dev *d, u8 off)
{
	outl(CONFIG_ADDRESS, 0x80000000u | (u32)d->bus << 16 |
				     (u32)d->slot << 11 | (u32)d->fn << 8 |
				     (off & 0xfc));
}

u32 pci_read32(const struct pci_dev *d, u8 off)
{
	u64 flags = irq_save();
	select_reg(d, off);
	u32 v = inl(CONFIG_DATA);
	irq_restore(flags);
	return v;
}

u16 pci_read16(const struct pci_dev *d, u8 off)
{
	u64 flags = irq_save();
	select_reg(d, off);
	u16 v = inw(CONFIG_DATA + (off & 2));
	irq_restore(flags);
	return v;
}

u8 pci_read8(const struct pci_dev *d, u8 off)
{
	u64 flags = irq_save();
	select_reg(d, off);
	u8 v = inb(CONFIG_DATA + (off & 3));
	irq_restore(flags);
	return v;
}

void pci_write32(const struct pci_dev *d, u8 off, u32 v)
{
	u64 flags = irq_save();
	select_reg(d, off);
	outl(CONFIG_DATA, v);
	irq_restore(flags);
}

void pci_write16(const struct pci_dev *d, u8 off, u16 v)
{
	u64 flags = irq_save();
	select_reg(d, off);
	outw(CONFIG_DATA + (off & 2), v);
	irq_restore(flags);
}

u8 pci_find_cap(const struct pci_dev *d, u8 id, u8 from)
{
	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAPS))
		return 0;
	u8 off = from ? pci_read8(d, from + 1) : pci_read8(d, PCI_CAP_PTR);
	/* At most 48 capabilities fit in 192 bytes: more is a loop. */
	for (int n = 0; n < 48 && off >= 0x40; n++) {
		off &= 0xfc;
		if (pci_read8(d, off) == id)
			return off;
		off = pci_read8(d, off + 1);
	}
	return 0;
}

void pci_enable(const struct pci_dev *d)
{
	u16 cmd = pci_read16(d, PCI_COMMAND);

	pci_write16(d, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

void *pci_map_bar(const struct pci_dev *d, unsigned i, u64 off, u64 len)
{
	if (i >= 6 || !d->bar[i].base || off + len < off ||
	    off + len > d->bar[i].size)
		return NULL;
	return io_map(d->bar[i].base + off, len);
}

/*
 * Sizes memory BAR i (3.2.5.1: write all ones, read back the mask), with
 * decoding off meanwhile. Returns the slots it took (2 for a 64-bit one).
 */
static unsigned size_bar(struct pci_dev *d, unsigned i)
{
	u8 off = PCI_BAR0 + 4 * i;
	u32 lo = pci_read32(d, off), hi = 0, mlo, mhi = 0xffffffff;

	if (lo & 1)
		return 1; /* I/O space: not used by Skiff's drivers */
	bool is64 = ((lo >> 1) & 3) == 2 && i < 5;
	pci_write32(d, off, 0xffffffff);
	mlo = pci_read32(d, off);
	pci_write32(d, off, lo);
	if (is64) {
		hi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, 0xffffffff);
		mhi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, hi);
	}
	u64 mask = ((u64)mhi << 32) | (mlo & ~0xfu);
	if (!is64)
		mask |= 0xffffffff00000000ull;
	d->bar[i].mem64 = is64;
	d->bar[i].size = (mlo & ~0xfu) ? ~mask + 1 : 0;
	d->bar[i].base = d->bar[i].size ? (((u64)hi << 32) | (lo & ~0xfu)) : 0;
	return is64 ? 2 : 1;
}

/* Gives BAR i of d an address at *next (naturally aligned). */
static void assign_bar(struct pci_dev *d, unsigned i, u64 *next)
{
	u64 size = d->bar[i].size, base = ALIGN_UP(*next, size);
	u8 off = PCI_BAR0 + 4 * i;

	if (base + size > HOLE_END) {
		klog("pci %s: no room for BAR %u (%#lx bytes)", d->name, i,
		     (unsigned long)size);
		return;
	}
	pci_write32(d, off, (u32)base | (pci_read32(d, off) & 0xf));
	if (d->bar[i].mem64)
		pci_write32(d, off + 4, 0);
	d->bar[i].base = base;
	*next = base + size;
}

static void read_bars(struct pci_dev *d)
{
	u16 cmd = pci_read16(d, PCI_COMMAND);

	pci_write16(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_MEMORY | 1));
	for (unsigned i = 0; i < 6; i += size_bar(d, i))
		;
	pci_write16(d, PCI_COMMAND, cmd);
}

/* Records slot/fn if a device answers there; whether one did. */
static bool probe_fn(u8 slot, u8 fn)
{
	struct pci_dev *d = &devices[ndevices];

	*d = (struct pci_dev){ .bus = 0, .slot = slot, .fn = fn };
	d->vendor = pci_read16(d, PCI_VENDOR);
	if (d->vendor == 0xffff || d->vendor == 0)
		return false;
	d->device = pci_read16(d, PCI_DEVICE);
	d->class_rev = pci_read32(d, PCI_CLASS_REV);
	fmt_snprintf(d->name, sizeof(d->name), "00:%02x.%x", slot, fn);
	/* Only ordinary devices (header type 0) have these and six BARs. */
	if ((pci_read8(d, PCI_HEADER_TYPE) & 0x7f) == 0) {
		d->subsys_vendor = pci_read16(d, PCI_SUBSYS_VENDOR);
		d->subsys_id = pci_read16(d, PCI_SUBSYS_ID);
		read_bars(d);
	}
	ndevices++;
	return true;
}

/* Assigns the BARs the firmware left at 0, above those it assigned. */
static void assign_missing(void)
{
	u64 next = HOLE_START;

	for (unsigned k = 0; k < ndevices; k++)
		for (unsigned i = 0; i < 6; i++) {
			struct pci_bar *b = &devices[k].bar[i];
			if (b->base >= HOLE_START && b->base < HOLE_END)
				next = MAX(next, b->base + b->size);
		}
	for (unsigned k = 0; k < ndevices; k++)
		for (unsigned i = 0; i < 6; i++)
			if (devices[k].bar[i].size && !devices[k].bar[i].base)
				assign_bar(&devices[k], i, &next);
}

/* One line a device: ids, class and its memory BARs. */
static void log_device(const struct pci_dev *d)
{
	char bars[96];
	int n = 0;

	bars[0] = 0;
	for (unsigned i = 0; i < 6; i++)
		if (d->bar[i].base && n < (int)sizeof(bars))
			n += fmt_snprintf(bars + n, sizeof(bars) - n,
					  " bar%u %#lx+%#lx", i,
					  (unsigned long)d->bar[i].base,
					  (unsigned long)d->bar[i].size);
	klog("pci %s: %04x:%04x class %06x%s", d->name, d->vendor, d->device,
	     d->class_rev >> 8, bars);
}

void pci_init(void)
{
	/* No host bridge at 00:00.0: no PCI at all (microvm). */
	if (!probe_fn(0, 0))
		return;
	ndevices = 0;
	for (u8 slot = 0; slot < 32 && ndevices < MAX_DEVICES; slot++) {
		if (!probe_fn(slot, 0))
			continue;
		bool multi = pci_read8(&devices[ndevices - 1], PCI_HEADER_TYPE) & 0x80;
		for (u8 fn = 1; multi && fn < 8 && ndevices < MAX_DEVICES; fn++)
			probe_fn(slot, fn);
	}
	assign_missing();
	for (unsigned k = 0; k < ndevices; k++)
		log_device(&devices[k]);
}

struct pci_dev *pci_get(unsigned i)
{
	return i < ndevices ? &devices[i] : NULL;
}

/* ---- MSI-X (6.8.2) ---- */

#define MSIX_CONTROL 2		/* in the capability */
#define MSIX_TABLE 4
#define MSIX_ENABLE 0x8000
#define MSIX_FUNCTION_MASK 0x4000
#define ENTRY_MASKED 1		/* vector control bit 0 */

int pci_msix_init(const struct pci_dev *d, struct pci_msix *m)
{
	u8 cap = pci_find_cap(d, PCI_CAP_MSIX, 0);

	if (!cap)
		return -ENODEV;
	u16 ctl = pci_read16(d, cap + MSIX_CONTROL);
	u32 where = pci_read32(d, cap + MSIX_TABLE);
	m->cap = cap;
	m->size = (ctl & 0x7ff) + 1;
	m->table = pci_map_bar(d, where & 7, where & ~7u, m->size * 16ull);
	if (!m->table)
		return -ENOMEM;
	/* Enabled with the whole function masked while entries change. */
	pci_write16(d, cap + MSIX_CONTROL, ctl | MSIX_ENABLE | MSIX_FUNCTION_MASK);
	for (u16 i = 0; i < m->size; i++)
		m->table[i * 4 + 3] = ENTRY_MASKED;
	pci_write16(d, PCI_COMMAND,
		    pci_read16(d, PCI_COMMAND) | PCI_COMMAND_INTX_OFF);
	pci_write16(d, cap + MSIX_CONTROL, (ctl | MSIX_ENABLE) & ~MSIX_FUNCTION_MASK);
	return 0;
}

int pci_msix_route(struct pci_msix *m, u16 entry, void (*fn)(void *),
		   void *arg)
{
	u64 addr;
	u32 data;

	if (entry >= m->size)
		return -EINVAL;
	int v = irq_alloc_vector(fn, arg);
	if (v < 0)
		return v;
	irq_msi_message(v, &addr, &data);
	volatile u32 *e = &m->table[entry * 4];
	e[0] = (u32)addr;
	e[1] = (u32)(addr >> 32);
	e[2] = data;
	e[3] = 0; /* unmasked */
	return 0;
}
