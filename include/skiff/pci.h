/*
 * PCI (drivers/pci.c): the devices on bus 0, found at boot through
 * configuration mechanism #1 (ports 0xcf8/0xcfc), with their memory BARs
 * sized (and assigned, if the firmware left one unassigned), their
 * capability lists, and MSI-X. Layer: drivers. Used by the drivers of PCI
 * devices (drivers/virtio/pci.c). No PCI Express extended configuration
 * space: the first 256 bytes are enough for what the drivers read.
 *
 * Configuration accesses are atomic (interrupts off around the address and
 * data ports); everything else runs at boot, in one thread.
 */
#ifndef SKIFF_PCI_H
#define SKIFF_PCI_H

#include <skiff/types.h>

/* Configuration space offsets (PCI Local Bus 3.0, 6.1). */
#define PCI_VENDOR 0x00
#define PCI_DEVICE 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_CLASS_REV 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SUBSYS_VENDOR 0x2c
#define PCI_SUBSYS_ID 0x2e
#define PCI_CAP_PTR 0x34

#define PCI_COMMAND_MEMORY 0x2	/* decode memory BARs */
#define PCI_COMMAND_MASTER 0x4	/* the device may do DMA */
#define PCI_COMMAND_INTX_OFF 0x400
#define PCI_STATUS_CAPS 0x10	/* has a capability list */

#define PCI_CAP_MSIX 0x11
#define PCI_CAP_VENDOR 0x09

struct pci_bar {
	paddr_t base;		/* 0: none (or an I/O BAR) */
	u64 size;
	bool mem64;		/* a 64-bit BAR (it takes two slots) */
};

struct pci_dev {
	u8 bus, slot, fn;
	u16 vendor, device;
	u16 subsys_vendor, subsys_id;
	u32 class_rev;		/* class, subclass, prog-if, revision */
	struct pci_bar bar[6];	/* memory BARs only */
	char name[8];		/* "00:03.0" */
};

/*
 * Boot, once, after interrupts work (kernel/main.c): scans bus 0 (all it
 * needs on q35, where -device lands on bus 0; on microvm there is none and
 * it finds nothing), sizes the memory BARs, assigns those the firmware left
 * at 0, and logs one line a device. Never panics.
 */
void pci_init(void);
/* The i-th device found (0, 1, ...), NULL past the last. */
struct pci_dev *pci_get(unsigned i);

/* Configuration reads and writes at off (aligned to the width). */
u8 pci_read8(const struct pci_dev *d, u8 off);
u16 pci_read16(const struct pci_dev *d, u8 off);
u32 pci_read32(const struct pci_dev *d, u8 off);
void pci_write16(const struct pci_dev *d, u8 off, u16 v);
void pci_write32(const struct pci_dev *d, u8 off, u32 v);

/*
 * The offset of the first capability with this id after the one at from
 * (0: from the start of the list), or 0 when there is none. A looping or
 * malformed list ends the walk.
 */
u8 pci_find_cap(const struct pci_dev *d, u8 id, u8 from);
/* Turns on memory decoding and bus mastering (DMA). */
void pci_enable(const struct pci_dev *d);
/*
 * Bytes [off, off+len) of memory BAR i, mapped uncached (io_map); NULL
 * when the BAR is absent or too small, or without memory.
 */
void *pci_map_bar(const struct pci_dev *d, unsigned i, u64 off, u64 len);

/* MSI-X (PCI 3.0, 6.8.2): the table, in one of the device's BARs. */
struct pci_msix {
	volatile u32 *table;	/* 16 bytes an entry */
	u16 size;		/* entries */
	u8 cap;			/* the capability's offset */
};
/*
 * Finds the MSI-X capability, maps its table, masks every entry and
 * enables MSI-X (INTx off). 0, -ENODEV (no MSI-X), -ENOMEM.
 */
int pci_msix_init(const struct pci_dev *d, struct pci_msix *m);
/*
 * Points entry at a new CPU vector running fn(arg) (irq_alloc_vector, in
 * interrupt context) and unmasks it: 0, -EINVAL (no such entry), -ENOSPC.
 */
int pci_msix_route(struct pci_msix *m, u16 entry, void (*fn)(void *),
		   void *arg);

#endif
