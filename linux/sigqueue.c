/*
 * linux/sigqueue.c: queues of pending signals (interface and rules:
 * linux/sigqueue.h). Layer: Linux ABI; no locks here: the caller holds
 * the one that guards the queue.
 */
#include <skiff/lib.h>
#include <skiff/mm.h>
#include "sigqueue.h"

#define SYNC_SIGNALS (sigbit(SIGSEGV) | sigbit(SIGBUS) | sigbit(SIGILL) | \
		      sigbit(SIGFPE) | sigbit(SIGTRAP))

void sigq_init(struct sigqueue *q)
{
	q->set = 0;
	list_init(&q->entries);
}

static void drop(struct pending_sig *p, struct sigq_budget *b)
{
	list_remove(&p->link);
	kfree(p);
	b->queued--;
}

/* A timer's pending signal takes the new expiry instead of queueing. */
static bool update_timer(struct sigqueue *q, int sig,
			 const struct linux_siginfo *info)
{
	if (!info || info->code != SI_TIMER || !(q->set & sigbit(sig)))
		return false;
	list_for_each(it, &q->entries) {
		struct pending_sig *p = list_entry(it, struct pending_sig, link);
		if (p->sig == sig && p->info.code == SI_TIMER &&
		    p->info.timer.tid == info->timer.tid) {
			p->info = *info;
			p->info.signo = sig;
			return true;
		}
	}
	return false;
}

void sigq_add(struct sigqueue *q, struct sigq_budget *b, int sig,
	      const struct linux_siginfo *info)
{
	if (update_timer(q, sig, info))
		return;
	if ((q->set & sigbit(sig)) && sig < SIGRT_FIRST)
		return; /* a standard signal does not queue */
	struct pending_sig *p = b->queued < b->max ? kmalloc(sizeof(*p)) : NULL;
	if (p) {
		p->sig = sig;
		if (info) {
			p->info = *info;
		} else {
			memset(&p->info, 0, sizeof(p->info));
			p->info.code = SI_KERNEL;
		}
		p->info.signo = sig;
		list_push_back(&q->entries, &p->link);
		b->queued++;
	}
	q->set |= sigbit(sig);
}

void sigq_take(struct sigqueue *q, struct sigq_budget *b, int sig,
	       struct linux_siginfo *info)
{
	bool found = false, more = false;

	list_for_each_safe(it, tmp, &q->entries) {
		struct pending_sig *p = list_entry(it, struct pending_sig, link);
		if (p->sig != sig)
			continue;
		if (found) {
			more = true;
			break;
		}
		*info = p->info;
		drop(p, b);
		found = true;
	}
	if (!found) {
		memset(info, 0, sizeof(*info));
		info->code = SI_KERNEL;
	}
	info->signo = sig;
	if (!more)
		q->set &= ~sigbit(sig);
}

void sigq_discard(struct sigqueue *q, struct sigq_budget *b, u64 sigs)
{
	list_for_each_safe(it, tmp, &q->entries) {
		struct pending_sig *p = list_entry(it, struct pending_sig, link);
		if (sigs & sigbit(p->sig))
			drop(p, b);
	}
	q->set &= ~sigs;
}

void sigq_move(struct sigqueue *from, struct sigqueue *to,
	       struct sigq_budget *b, u64 sigs)
{
	u64 moving = from->set & sigs;

	if (!moving)
		return;
	list_for_each_safe(it, tmp, &from->entries) {
		struct pending_sig *p = list_entry(it, struct pending_sig, link);
		if (!(moving & sigbit(p->sig)))
			continue;
		if (p->sig < SIGRT_FIRST && (to->set & sigbit(p->sig))) {
			drop(p, b);
			continue;
		}
		list_remove(&p->link);
		list_push_back(&to->entries, &p->link);
	}
	from->set &= ~moving;
	to->set |= moving;
}

static int lowest(u64 avail)
{
	u64 pick = (avail & SYNC_SIGNALS) ? (avail & SYNC_SIGNALS) : avail;

	return __builtin_ctzll(pick) + 1;
}

int sigq_next(struct sigqueue *own, struct sigqueue *shared, u64 allowed,
	      struct sigqueue **from)
{
	if (own && (own->set & allowed)) {
		*from = own;
		return lowest(own->set & allowed);
	}
	if (shared && (shared->set & allowed)) {
		*from = shared;
		return lowest(shared->set & allowed);
	}
	return 0;
}
