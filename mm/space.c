/*
 * mm/space.c: address spaces as objects (include/skiff/mm.h): making one
 * with its page table and futex id, the references processes hold
 * (vm_space_get/put), loading one (vm_activate), and the release of a
 * program page that copy-on-write may share (vm_page_release). What is
 * inside a space (areas, pages) is mm/vm.c's, mm/fault.c's and
 * mm/fork.c's.
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include "page.h"
#include "vm.h"

/* Whether a fork ever happened (mm/fork.c sets it): vm_futex_key. */
bool vm_forked;
/*
 * Address-space ids (vm_futex_key): 17 bits, unique among live spaces.
 * The first space gets 0 without the bitmap, which is allocated when a
 * second one is made (a program that never forks or execs never has one).
 */
static struct spinlock id_lock = SPINLOCK_INIT;
static u64 *id_used;
static u32 id_next = 1, id_first_taken;

static int id_alloc(u32 *id)
{
	int r = -ENOMEM;

	spin_lock(&id_lock);
	if (!id_first_taken) {
		id_first_taken = 1;
		*id = 0;
		r = 0;
	} else if (!id_used) {
		spin_unlock(&id_lock);
		u64 *map = kzalloc((VM_ID_MASK + 1) / 8);
		spin_lock(&id_lock);
		if (!id_used)
			id_used = map;
		else
			kfree(map);
	}
	for (u32 n = 0; r && id_used && n < VM_ID_MASK; n++) {
		u32 i = id_next;
		id_next = id_next % VM_ID_MASK + 1; /* 1..VM_ID_MASK */
		if (!(id_used[i / 64] & 1ull << (i % 64))) {
			id_used[i / 64] |= 1ull << (i % 64);
			*id = i;
			r = 0;
		}
	}
	spin_unlock(&id_lock);
	return r;
}

static void id_free(u32 id)
{
	spin_lock(&id_lock);
	if (id)
		id_used[id / 64] &= ~(1ull << (id % 64));
	else
		id_first_taken = 0;
	spin_unlock(&id_lock);
}

struct vm_space *vm_space_create(void)
{
	struct vm_space *vs = kzalloc(sizeof(*vs));

	if (!vs)
		return NULL;
	if (id_alloc(&vs->id)) {
		kfree(vs);
		return NULL;
	}
	vs->pt = pt_create();
	if (!vs->pt) {
		id_free(vs->id);
		kfree(vs);
		return NULL;
	}
	rb_init(&vs->areas);
	list_init(&vs->deferred);
	vs->refs = 1;
	return vs;
}

void vm_space_get(struct vm_space *vs)
{
	__atomic_fetch_add(&vs->refs, 1, __ATOMIC_RELAXED);
}

void vm_activate(struct vm_space *vs)
{
	pt_activate(vs->pt);
}

void vm_page_release(paddr_t pa, unsigned flags)
{
	if (pa && !(flags & PT_FILE) && page_unshare(pa))
		page_free(phys_to_virt(pa), 1);
}

void vm_space_put(struct vm_space *vs)
{
	if (__atomic_sub_fetch(&vs->refs, 1, __ATOMIC_ACQ_REL))
		return;
	vm_space_clear(vs);
	pt_destroy(vs->pt);
	id_free(vs->id);
	kfree(vs);
}
