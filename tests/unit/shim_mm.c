/*
 * Host fakes for mm/ under unit test (see shim_mm.h): the paging API of
 * include/skiff/paging.h over a red-black tree keyed by address, pages from
 * aligned heap blocks (counted, so a leak or a double free shows), files
 * with fixed contents (kernel_error aborts: tests/unit/shim.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/process.h>
#include <skiff/vfs.h>
#include "shim.h"
#include "shim_mm.h"

/* Pages. */

static long pages_in_use;
static int urgent;
int shim_pages_short; /* 1: only the reserve is left, 2: nothing is */

static void *alloc_pages(size_t n, bool may_reserve)
{
	if (shim_pages_short == 2 ||
	    (shim_pages_short == 1 && !may_reserve && !urgent))
		return NULL;
	void *p = aligned_alloc(PAGE_SIZE, n * PAGE_SIZE);

	if (p)
		pages_in_use += n;
	return p;
}

void *page_alloc_dirty(size_t n)
{
	return alloc_pages(n, false);
}

void *page_alloc(size_t n)
{
	void *p = page_alloc_dirty(n);

	if (p)
		memset(p, 0, n * PAGE_SIZE);
	return p;
}

void *page_alloc_reserved(size_t n, bool zero)
{
	void *p = alloc_pages(n, true);

	if (p && zero)
		memset(p, 0, n * PAGE_SIZE);
	return p;
}

void page_urgent_enter(void) { urgent++; }
void page_urgent_leave(void) { urgent--; }

bool page_unshare(paddr_t pa);

void page_free(void *p, size_t n)
{
	if (n == 1 && !page_unshare(virt_to_phys(p)))
		return; /* as mm/page.c: a private mapping still has it */
	pages_in_use -= n;
	free(p);
}

size_t page_total_count(void) { return 1u << 20; }
size_t page_free_count(void) { return (1u << 20) - pages_in_use; }
long shim_pages_in_use(void) { return pages_in_use; }


/* The fake page tables: one tree of entries per root. */

struct pte {
	u64 va;
	paddr_t pa;
	unsigned flags;
	struct rb_node node;
};

struct pgtable {
	struct rb_tree table;
	size_t entries;
};

static size_t entries; /* in every root */
static struct pgtable kernel_root = { RB_TREE_INIT, 0 };
static struct pgtable *loaded = &kernel_root;

struct pgtable *pt_kernel(void) { return &kernel_root; }

struct pgtable *pt_create(void)
{
	if (shim_pages_short == 2 || (shim_pages_short == 1 && !urgent))
		return NULL;
	return calloc(1, sizeof(struct pgtable));
}

void pt_activate(struct pgtable *pt) { loaded = pt; }

static int cmp_va(const void *key, const struct rb_node *n)
{
	u64 va = *(const u64 *)key, x = rb_entry(n, struct pte, node)->va;

	return va < x ? -1 : va > x;
}

static struct pte *pte_find(struct pgtable *pt, u64 va)
{
	struct rb_node *n = rb_find_le(&pt->table, &va, cmp_va);
	struct pte *e = n ? rb_entry(n, struct pte, node) : NULL;

	return e && e->va == va ? e : NULL;
}

static bool pte_less(const struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct pte, node)->va < rb_entry(b, struct pte, node)->va;
}

int pt_map(struct pgtable *pt, u64 va, paddr_t pa, unsigned flags)
{
	struct pte *e = pte_find(pt, va);

	if ((va & (PAGE_SIZE - 1)) || va >= USER_END)
		panic("pt_map: bad address %#lx", va);
	if (!e) {
		/* A new entry may need a page table page. */
		if (shim_pages_short == 2 || (shim_pages_short == 1 && !urgent))
			return -ENOMEM;
		e = calloc(1, sizeof(*e));
		e->va = va;
		rb_insert(&pt->table, &e->node, pte_less);
		pt->entries++;
		entries++;
	}
	e->pa = pa;
	e->flags = flags;
	return 0;
}

paddr_t pt_unmap(struct pgtable *pt, u64 va, unsigned *flags)
{
	struct pte *e = pte_find(pt, va);
	paddr_t pa = e ? e->pa : 0;

	if (flags)
		*flags = e ? e->flags : 0;
	if (e) {
		rb_remove(&pt->table, &e->node);
		pt->entries--;
		entries--;
		free(e);
	}
	return pa;
}

void pt_destroy(struct pgtable *pt)
{
	if (pt->entries)
		panic("pt_destroy: %zu entries left", pt->entries);
	if (pt == loaded)
		loaded = &kernel_root;
	if (pt != &kernel_root)
		free(pt);
}

paddr_t pt_lookup(struct pgtable *pt, u64 va, unsigned *flags)
{
	struct pte *e = pte_find(pt, va);

	if (flags)
		*flags = e ? e->flags : 0;
	return e ? e->pa : 0;
}

void pt_protect(struct pgtable *pt, u64 va, int prot)
{
	struct pte *e = pte_find(pt, va);

	if (e)
		e->flags = (unsigned)prot | (e->flags & (PT_FILE | PT_COW));
}

/* One CPU on the host: the lazy forms are the same, nothing to shoot. */
paddr_t pt_unmap_lazy(struct pgtable *pt, u64 va, unsigned *flags)
{
	return pt_unmap(pt, va, flags);
}

void pt_protect_lazy(struct pgtable *pt, u64 va, int prot)
{
	pt_protect(pt, va, prot);
}

void pt_shootdown(struct pgtable *pt)
{
	(void)pt;
}

u64 pt_next_mapped(struct pgtable *pt, u64 va, u64 end)
{
	struct rb_node *n = rb_find_le(&pt->table, &va, cmp_va);

	if (!n || rb_entry(n, struct pte, node)->va < va)
		n = n ? rb_next(n) : rb_first(&pt->table);
	u64 at = n ? rb_entry(n, struct pte, node)->va : end;
	return at < end ? at : end;
}

/* Share counts (mm/page.h), in a small open list: few pages are shared. */
struct share {
	paddr_t pa;
	unsigned n;
	struct share *next;
};
static struct share *shares;
int shim_share_limit = 0xffff; /* page_share's -EOVERFLOW above this */

static struct share **share_find(paddr_t pa)
{
	struct share **s = &shares;

	while (*s && (*s)->pa != pa)
		s = &(*s)->next;
	return s;
}

int page_share(paddr_t pa)
{
	struct share **s = share_find(pa);

	if ((*s ? (*s)->n : 0) >= (unsigned)shim_share_limit)
		return -EOVERFLOW;
	if (!*s) {
		*s = calloc(1, sizeof(**s));
		(*s)->pa = pa;
	}
	(*s)->n++;
	return 0;
}

bool page_unshare(paddr_t pa)
{
	struct share **s = share_find(pa), *d;

	if (!*s)
		return true;
	if (--(*s)->n == 0) {
		d = *s;
		*s = d->next;
		free(d);
	}
	return false;
}

bool page_is_shared(paddr_t pa)
{
	return *share_find(pa) != NULL;
}

size_t shim_pt_count(void) { return entries; }

u8 *shim_page_at(u64 va)
{
	struct pte *e = pte_find(vm_current()->pt, va & ~(PAGE_SIZE - 1));

	return e ? phys_to_virt(e->pa) : NULL;
}

/* Files. */

struct shim_file {
	struct file f;
	u64 size;
	void *pages[64]; /* the file's own pages, for MAP_SHARED */
};

static struct shim_file *sf(struct file *f)
{
	return container_of(f, struct shim_file, f);
}

static int get_page(struct file *f, u64 index, void **page)
{
	struct shim_file *s = sf(f);

	if (index * PAGE_SIZE >= s->size || index >= 64)
		return -ENXIO;
	if (!s->pages[index]) {
		s->pages[index] = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
		memset(s->pages[index], 'A' + (int)index, PAGE_SIZE);
	}
	*page = s->pages[index];
	return 0;
}

/* As ramfs's: the file's page (counted, from page_alloc), one share taken. */
static int share_page(struct file *f, u64 index, void **page)
{
	struct shim_file *s = sf(f);

	if (index * PAGE_SIZE >= s->size || index >= 64)
		return -ENXIO;
	if (!s->pages[index]) {
		s->pages[index] = page_alloc(1);
		memset(s->pages[index], 'a' + (int)index, PAGE_SIZE);
	}
	if (page_share(virt_to_phys(s->pages[index])))
		return -EAGAIN;
	*page = s->pages[index];
	return 0;
}

static const struct file_ops shim_file_ops = { .get_page = get_page };
static const struct file_ops shim_cow_file_ops = { .share_page = share_page };

struct file *shim_file_new(u64 size)
{
	struct shim_file *s = calloc(1, sizeof(*s));

	s->f.ref = 1;
	s->f.ops = &shim_file_ops;
	s->size = size;
	return &s->f;
}

struct file *shim_cow_file_new(u64 size)
{
	struct file *f = shim_file_new(size);

	f->ops = &shim_cow_file_ops;
	return f;
}

void shim_file_drop_page(struct file *f, u64 index)
{
	struct shim_file *s = sf(f);

	page_free(s->pages[index], 1);
	s->pages[index] = NULL;
}

void shim_file_free(struct file *f)
{
	struct shim_file *s = sf(f);

	if (f->ref != 1)
		panic("shim_file_free: %u references left", f->ref);
	for (int i = 0; i < 64; i++)
		if (f->ops == &shim_cow_file_ops && s->pages[i])
			page_free(s->pages[i], 1);
		else
			free(s->pages[i]);
	free(s);
}

struct file *file_get(struct file *f)
{
	f->ref++;
	return f;
}

void file_put(struct file *f)
{
	if (!f->ref)
		panic("file_put: no reference");
	f->ref--;
}

u64 file_size(struct file *f)
{
	return sf(f)->size;
}

long file_pread(struct file *f, void *buf, size_t len, u64 off)
{
	u64 size = sf(f)->size;
	u8 *b = buf;

	if (off >= size)
		return 0;
	if (len > size - off)
		len = size - off;
	for (size_t i = 0; i < len; i++)
		b[i] = 'A' + (int)((off + i) / PAGE_SIZE);
	return (long)len;
}

/* The test's one process: its address space made on first use. */
static struct process shim_process = { .pid = 1 };

struct process *process_current(void)
{
	if (!shim_process.vm)
		shim_process.vm = vm_space_create();
	return &shim_process;
}

void shim_set_vm(struct vm_space *vs)
{
	shim_process.vm = vs;
	vm_activate(vs);
}
