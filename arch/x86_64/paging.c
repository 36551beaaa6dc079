/*
 * arch/x86_64/paging.c: page tables. The high half, the same in every
 * root, holds the kernel image, mapped W^X (kimage_protect, at the end of
 * this file), and the direct map of physical memory (2 MiB pages, built at
 * boot, never executable). The low half is a process's: each address space
 * has a root of its own (struct pgtable, pt_create) whose entries 256-511
 * are copies of the boot root's, which never change after boot (io_map adds
 * tables below them, not beside them), so every root sees the same kernel.
 * A program that never forks has one root, loaded once at boot.
 * The low half holds the program's 4 KiB pages, managed by mm/ through the
 * paging API of include/skiff/paging.h (pt_map / pt_unmap / pt_protect, in
 * PROT_* terms). Callers serialize (mm/vm.c's lock). Device memory is
 * made uncached in the direct map by io_map.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/alloc.h>
#include "paging.h"

#define ADDR_MASK 0x000ffffffffff000ull

extern u64 early_pml4[512];

static void kimage_protect(void); /* below: the image W^X */

/*
 * A root: its PML4 page and, where the CPU has PCIDs (cpu_feat.pcid), the
 * PCID its TLB entries are tagged with, so that switching to another
 * process and back keeps them. PCIDs 1-255 are handed out in turn and may
 * be shared by several roots: owner[] says which root last loaded each one
 * on this CPU, and only that root, unchanged since (stale), is loaded
 * without flushing its PCID's entries. The boot root has PCID 0.
 * owner and loaded are per CPU, and stale a bit per CPU. A change to a
 * root loaded on other CPUs drops their TLBs at once (shootdown, below).
 */
struct pgtable {
	u64 *e;		/* the PML4 (direct map) */
	u32 pcid;
	u32 stale;	/* bit c: changed while not loaded on CPU c: flush
			 * when CPU c loads it */
	bool dying;	/* pt_destroy: CPUs that have it loaded leave it */
};

#define KERNEL_HALF 256 /* the first PML4 entry of the kernel half */
#define NPCID 256
#define CR3_NOFLUSH (1ull << 63)

static struct pgtable kernel_pt = { early_pml4, 0, 0, false };
static struct pgtable *loaded_on[CPU_MAX] = { &kernel_pt };
static struct pgtable *owner_on[CPU_MAX][NPCID] = { { &kernel_pt } };
#define loaded loaded_on[this_cpu()->cpu_id]
#define owner owner_on[this_cpu()->cpu_id]
_Static_assert(CPU_MAX <= 32, "struct pgtable.stale has a bit per CPU");
static u32 next_pcid;

static u64 *table_of(u64 entry)
{
	return phys_to_virt(entry & ADDR_MASK);
}

void paging_init(paddr_t max_phys)
{
	/* Drop the identity map: the low half is the program's. */
	early_pml4[0] = 0;

	/* The early direct map covers 4 GiB; extend it over all RAM. */
	u64 *pdpt = table_of(early_pml4[256]);
	for (paddr_t gb = 4; gb < ALIGN_UP(max_phys, 1ull << 30) >> 30; gb++) {
		u64 *pd = page_alloc(1);
		if (!pd)
			panic("out of memory for the direct map");
		for (int i = 0; i < 512; i++)
			pd[i] = (gb << 30) + ((u64)i << 21) + PTE_P + PTE_W + PTE_PS;
		pdpt[gb] = virt_to_phys(pd) + PTE_P + PTE_W;
	}
	write_cr3(read_cr3());
	kimage_protect();
}

struct pgtable *pt_kernel(void)
{
	return &kernel_pt;
}

struct pgtable *pt_create(void)
{
	struct pgtable *pt = kmalloc(sizeof(*pt));

	if (!pt)
		return NULL;
	pt->e = page_alloc(1);
	if (!pt->e) {
		kfree(pt);
		return NULL;
	}
	memcpy(&pt->e[KERNEL_HALF], &early_pml4[KERNEL_HALF],
	       (512 - KERNEL_HALF) * sizeof(u64));
	pt->pcid = __atomic_fetch_add(&next_pcid, 1, __ATOMIC_RELAXED) %
		   (NPCID - 1) + 1;
	pt->stale = ~0u;
	pt->dying = false; /* kmalloc's memory is not zeroed */
	return pt;
}

/* Frees the tables below entry e of a table at level shift (39: a PDPT). */
static void free_tables(u64 e, int shift)
{
	u64 *t = table_of(e);

	if (shift > 21)
		for (int i = 0; i < 512; i++)
			if (t[i] & PTE_P)
				free_tables(t[i], shift - 9);
	page_free(t, 1);
}

/* The CPUs other than this one that have pt loaded, in others; any? */
static bool loaded_elsewhere(struct pgtable *pt, bool *others)
{
	int me = this_cpu()->cpu_id;
	bool any = false;

	for (int c = 0; c < cpu_count(); c++) {
		others[c] = c != me &&
			    __atomic_load_n(&loaded_on[c], __ATOMIC_SEQ_CST) == pt;
		any |= others[c];
	}
	return any;
}

void pt_flush_ipi(void)
{
	if (loaded->dying)
		pt_activate(pt_kernel());
	else
		write_cr3(read_cr3());
}

void pt_destroy(struct pgtable *pt)
{
	bool others[CPU_MAX];

	/* The caller runs on its kernel stack, which every root maps. A CPU
	 * that ran a thread of pt's last and a kernel thread since still has
	 * it loaded: it loads the boot root (pt_flush_ipi). Interrupts off
	 * while this CPU is looked at. */
	u64 irqs = irq_save();
	if (pt == loaded)
		pt_activate(pt_kernel());
	pt->dying = true;
	if (cpu_count() > 1 && loaded_elsewhere(pt, others))
		cpu_flush_tlb_others(others);
	irq_restore(irqs);
	for (int i = 0; i < KERNEL_HALF; i++)
		if (pt->e[i] & PTE_P)
			free_tables(pt->e[i], 39);
	if (pt == pt_kernel()) {
		memset(pt->e, 0, KERNEL_HALF * sizeof(u64));
		pt->stale = ~0u;
		return;
	}
	for (int c = 0; c < CPU_MAX; c++)
		if (owner_on[c][pt->pcid] == pt)
			owner_on[c][pt->pcid] = NULL;
	page_free(pt->e, 1);
	kfree(pt);
}

/* Interrupts off throughout: a thread moved to another CPU half-way
 * would leave this CPU's loaded[] naming a root its CR3 does not hold,
 * and the next thread of that root here would run on the wrong one. */
void pt_activate(struct pgtable *pt)
{
	u64 flags = irq_save();
	u64 cr3 = virt_to_phys(pt->e);
	u32 bit = 1u << this_cpu()->cpu_id;

	if (pt == loaded) {
		irq_restore(flags);
		return;
	}
	if (cpu_feat.pcid) {
		cr3 |= pt->pcid;
		if (owner[pt->pcid] == pt && !(pt->stale & bit))
			cr3 |= CR3_NOFLUSH;
		owner[pt->pcid] = pt;
	}
	__atomic_fetch_and(&pt->stale, ~bit, __ATOMIC_SEQ_CST);
	__atomic_store_n(&loaded, pt, __ATOMIC_SEQ_CST);
	write_cr3(cr3);
	irq_restore(flags);
}

/* Every root's TLB entries are suspect (the kernel half changed). */
static void pcid_forget_all(void)
{
	memset(owner, 0, sizeof(owner));
	owner[loaded->pcid] = loaded; /* flushed by the caller */
}

/* The level-1 entry for va in pt, creating tables on the way when create. */
static u64 *walk(struct pgtable *pt, u64 va, bool create)
{
	u64 *t = pt->e;

	for (int shift = 39; shift > 12; shift -= 9) {
		u64 *e = &t[(va >> shift) & 511];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			u64 *n = page_alloc(1);
			if (!n)
				return NULL;
			*e = virt_to_phys(n) + PTE_P + PTE_W + PTE_U;
		}
		t = table_of(*e);
	}
	return &t[(va >> 12) & 511];
}

/*
 * The entry for flags (PROT_* | PT_FILE). x86 cannot refuse reads of a
 * present page, so PROT_NONE is a non-present entry that keeps its page
 * (PTE_KEPT); the PROT_* asked for is kept in ignored bits 52-54 so that
 * pt_lookup reports exactly it.
 */
static u64 pte_of(paddr_t pa, unsigned flags)
{
	unsigned prot = flags & (PROT_READ | PROT_WRITE | PROT_EXEC);
	u64 e = pa | ((u64)prot << PTE_PROT_SHIFT);

	if (flags & PT_FILE)
		e |= PTE_FILE;
	if (flags & PT_COW)
		e |= PTE_COW;
	if (!prot)
		return e | PTE_KEPT;
	e |= PTE_P | PTE_U;
	if ((prot & PROT_WRITE) && !(flags & PT_COW))
		e |= PTE_W;
	if (!(prot & PROT_EXEC))
		e |= PTE_NX;
	return e;
}

static bool mapped(u64 e)
{
	return e & (PTE_P | PTE_KEPT);
}

static unsigned flags_of(u64 e)
{
	return ((e >> PTE_PROT_SHIFT) & 7) | (e & PTE_FILE ? PT_FILE : 0) |
	       (e & PTE_COW ? PT_COW : 0);
}

/* Drops va's translation on this CPU if pt is loaded here, and on the
 * CPUs that do not have it loaded when they next load it; the CPUs that
 * have it loaded need pt_shootdown. Interrupts are off (the caller's
 * spinlock): this CPU stays the same throughout. */
static void flush_here(struct pgtable *pt, u64 va)
{
	int me = this_cpu()->cpu_id;

	/* Stale first (a locked op: a fence), then who has it loaded: a CPU
	 * that loads it in between sees the bit and flushes. */
	__atomic_fetch_or(&pt->stale, ~(1u << me), __ATOMIC_SEQ_CST);
	if (pt == loaded)
		invlpg(va);
	else
		__atomic_fetch_or(&pt->stale, 1u << me, __ATOMIC_SEQ_CST);
}

void pt_shootdown(struct pgtable *pt)
{
	bool others[CPU_MAX];

	if (cpu_count() > 1 && loaded_elsewhere(pt, others))
		cpu_flush_tlb_others(others);
}

static void flush(struct pgtable *pt, u64 va)
{
	flush_here(pt, va);
	pt_shootdown(pt);
}

int pt_map(struct pgtable *pt, u64 va, paddr_t pa, unsigned flags)
{
	u64 *e = walk(pt, va, true);

	if (!e)
		return -ENOMEM;
	u64 old = *e;
	*e = pte_of(pa, flags);
	/* No TLB holds a non-present entry: a new mapping needs no flush. */
	if (old & PTE_P)
		flush(pt, va);
	return 0;
}

paddr_t pt_unmap_lazy(struct pgtable *pt, u64 va, unsigned *flags)
{
	u64 *e = walk(pt, va, false);

	if (flags)
		*flags = 0;
	if (!e || !mapped(*e))
		return 0;
	paddr_t pa = *e & ADDR_MASK;
	if (flags)
		*flags = flags_of(*e);
	*e = 0;
	flush_here(pt, va);
	return pa;
}

paddr_t pt_unmap(struct pgtable *pt, u64 va, unsigned *flags)
{
	paddr_t pa = pt_unmap_lazy(pt, va, flags);

	if (pa)
		pt_shootdown(pt);
	return pa;
}

paddr_t pt_lookup(struct pgtable *pt, u64 va, unsigned *flags)
{
	u64 *e = walk(pt, va, false);

	if (flags)
		*flags = e && mapped(*e) ? flags_of(*e) : 0;
	return e && mapped(*e) ? (*e & ADDR_MASK) : 0;
}

void pt_protect_lazy(struct pgtable *pt, u64 va, int prot)
{
	u64 *e = walk(pt, va, false);

	if (e && mapped(*e)) {
		*e = pte_of(*e & ADDR_MASK,
			    (unsigned)prot | (flags_of(*e) & (PT_FILE | PT_COW)));
		flush_here(pt, va);
	}
}

void pt_protect(struct pgtable *pt, u64 va, int prot)
{
	pt_protect_lazy(pt, va, prot);
	pt_shootdown(pt);
}

/* The next page-table boundary above va at which nothing is mapped, or 0. */
u64 pt_next_mapped(struct pgtable *pt, u64 va, u64 end)
{
	while (va < end) {
		u64 *t = pt->e;
		int shift;
		for (shift = 39; shift >= 12; shift -= 9) {
			u64 e = t[(va >> shift) & 511];
			if (shift == 12 && mapped(e))
				return va;
			if (!(e & PTE_P))
				break;
			t = table_of(e);
		}
		/* Skip the whole empty table range at this level. */
		va = ALIGN_DOWN(va, 1ull << shift) + (1ull << shift);
	}
	return end;
}

/*
 * Device memory (io_map). The direct map's 2 MiB page over a device is
 * split into 4 KiB pages, so that RAM sharing those 2 MiB stays
 * write-back, and the device's pages get PCD|PWT: uncached, since the PAT
 * keeps its power-on value (entry 3, UC). A range past RAM gets tables of
 * its own in the direct map.
 */
#define SLOT_2M (2ull << 20)

/* The direct map's page directory entry for pa; its PD made if missing. */
static u64 *io_pd_entry(paddr_t pa)
{
	u64 *pdpt = table_of(early_pml4[(DIRECT_MAP >> 39) & 511]);
	u64 *e = &pdpt[(pa >> 30) & 511];

	if (!(*e & PTE_P)) {
		u64 *pd = page_alloc(1);
		if (!pd)
			return NULL;
		*e = virt_to_phys(pd) | PTE_P | PTE_W;
	}
	return &table_of(*e)[(pa >> 21) & 511];
}

/* The direct map's 4 KiB entry for pa, splitting a 2 MiB page. */
static u64 *io_pt_entry(paddr_t pa)
{
	u64 *e = io_pd_entry(pa);

	if (!e)
		return NULL;
	if (!(*e & PTE_P) || (*e & PTE_PS)) {
		u64 *pt = page_alloc(1);
		if (!pt)
			return NULL;
		u64 base = *e & ADDR_MASK & ~(SLOT_2M - 1);
		u64 keep = *e & (PTE_P | PTE_W | PTE_NX | PTE_PCD | PTE_PWT);
		for (int i = 0; i < 512 && (*e & PTE_P); i++)
			pt[i] = (base + (u64)i * PAGE_SIZE) | keep;
		*e = virt_to_phys(pt) | PTE_P | PTE_W;
	}
	return &table_of(*e)[(pa >> 12) & 511];
}

void *io_map(paddr_t pa, size_t len)
{
	if (!len || pa + len < pa || pa + len > (1ull << 39))
		return NULL;
	for (paddr_t p = ALIGN_DOWN(pa, PAGE_SIZE); p < pa + len; p += PAGE_SIZE) {
		u64 *e = io_pt_entry(p);
		u64 want = p | PTE_P | PTE_W | PTE_NX | PTE_PCD | PTE_PWT;
		if (!e)
			return NULL;
		if (*e != want) {
			*e = want;
			/* Drops the page's entry, or the 2 MiB one it was in. */
			invlpg((u64)phys_to_virt(p));
			pcid_forget_all(); /* and in other PCIDs, when next loaded */
		}
	}
	return phys_to_virt(pa);
}

/*
 * The kernel image W^X (kimage_protect, called by paging_init once the
 * direct map covers all RAM and page_alloc works).
 *
 * boot.S maps the first GiB at KERNEL_BASE and 4 GiB at DIRECT_MAP with
 * 2 MiB pages, all writable and executable, through one shared page
 * directory. Here the KERNEL_BASE half gets a page directory of its own
 * that maps only the image, with 4 KiB pages where sections change
 * permissions (kernel.ld page-aligns them):
 *   text RX, rodata and ksyms R, data and bss RW, all but text NX;
 * and the direct map becomes NX everywhere, its alias of the image as
 * read-only as the image itself (only data and bss stay writable there).
 * CR0.WP (set in boot.S) makes ring 0 honour the read-only bit, so a stray
 * store into kernel code or constant tables faults (a program's becomes its
 * SIGSEGV, see trap.c) instead of corrupting silently. The program runs in
 * ring 0 and could undo all this on purpose: the VM is the boundary.
 *
 * Each change builds the new table completely, then swaps one entry and
 * reloads CR3 (no global pages are used), so no CPU ever sees a half-built
 * mapping: this must also hold on real KVM, where the TLB is not QEMU's.
 */
#define SLOT (2ull << 20) /* one 2 MiB page directory entry */

extern u8 __kernel_start[], __text_end[], __rodata_end[], __data_end[],
	__kernel_end[];

static u64 image_phys(const u8 *sym)
{
	return (u64)sym - KERNEL_BASE;
}

/* The flags of the image page at physical pa (0: not part of the image). */
static u64 image_flags(u64 pa)
{
	if (pa < image_phys(__kernel_start) || pa >= image_phys(__kernel_end))
		return 0;
	if (pa < image_phys(__text_end))
		return PTE_P;
	if (pa < image_phys(__rodata_end))
		return PTE_P | PTE_NX;
	if (pa < image_phys(__data_end))
		return PTE_P | PTE_W | PTE_NX;
	return PTE_P | PTE_NX; /* ksyms */
}

/* In the direct map: as the image, never executable; other RAM is RW. */
static u64 alias_flags(u64 pa)
{
	u64 f = image_flags(pa);

	return f ? f | PTE_NX : PTE_P | PTE_W | PTE_NX;
}

/* A page table for the 2 MiB at physical slot_pa, flags by flags_of. */
static u64 table_for(u64 slot_pa, u64 (*flags_of)(u64))
{
	u64 *pt = page_alloc(1);

	if (!pt)
		panic("out of memory for the kernel image's page tables");
	for (int i = 0; i < 512; i++) {
		u64 pa = slot_pa + (u64)i * PAGE_SIZE;
		u64 f = flags_of(pa);
		pt[i] = f ? pa | f : 0;
	}
	return virt_to_phys(pt) | PTE_P | PTE_W;
}

/* KERNEL_BASE: a page directory that maps the image and nothing else. */
static void protect_image(void)
{
	u64 *pd = page_alloc(1);

	if (!pd)
		panic("out of memory for the kernel image's page tables");
	u64 end = image_phys(__kernel_end);
	for (u64 slot = 0; slot * SLOT < end; slot++)
		pd[slot] = table_for(slot * SLOT, image_flags);
	u64 *pdpt = table_of(early_pml4[511]);
	pdpt[(KERNEL_BASE >> 30) & 511] = virt_to_phys(pd) | PTE_P | PTE_W;
	write_cr3(read_cr3());
}

/* DIRECT_MAP: NX everywhere; the image's alias split and read-only. */
static void protect_direct_map(void)
{
	u64 *pdpt = table_of(early_pml4[(DIRECT_MAP >> 39) & 511]);
	u64 end = image_phys(__kernel_end);

	for (int gb = 0; gb < 512; gb++) {
		if (!(pdpt[gb] & PTE_P))
			continue;
		u64 *pd = table_of(pdpt[gb]);
		for (int i = 0; i < 512; i++) {
			u64 slot_pa = ((u64)gb << 30) + (u64)i * SLOT;
			if (slot_pa < end)
				pd[i] = table_for(slot_pa, alias_flags);
			else if (pd[i] & PTE_P)
				pd[i] |= PTE_NX;
		}
	}
	write_cr3(read_cr3());
}

static void kimage_protect(void)
{
	protect_image();
	protect_direct_map();
}
