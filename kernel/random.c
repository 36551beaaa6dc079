/*
 * kernel/random.c: random bytes for getrandom, /dev/urandom and AT_RANDOM.
 * RDSEED/RDRAND where the CPU has them (QEMU's -cpu max does); otherwise a
 * xorshift generator reseeded from the TSC. DIVERGENCE: without RDRAND the
 * bytes are not cryptographically strong (documented).
 */
#include <skiff/arch.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/sched.h>

static struct spinlock lock = SPINLOCK_INIT;
static u64 state;

static bool hw_random(u64 *v)
{
	u8 ok;

	for (int tries = 0; tries < 10; tries++) {
		asm volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

static u64 next(void)
{
	u64 v;

	if (cpu_feat.rdrand && hw_random(&v))
		return v;
	spin_lock(&lock);
	if (!state)
		state = rdtsc() | 1;
	state ^= rdtsc();
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	v = state * 0x2545f4914f6cdd1dull;
	spin_unlock(&lock);
	return v;
}

void random_fill(void *buf, size_t len)
{
	u8 *p = buf;

	while (len) {
		u64 v = next();
		size_t n = MIN(len, sizeof(v));
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
}
