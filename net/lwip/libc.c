/*
 * net/lwip/libc.c: the few C library functions lwIP calls that the
 * kernel's lib/ has no use for (calloc, atoi, rand), named lwip_port_*
 * and mapped by lwipopts.h, arch/cc.h and net/lwip/libc/stdlib.h. Layer:
 * net (lwIP's port).
 */
#include <skiff/alloc.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include "lwip/opt.h"
#include "libc/stdlib.h"

/* mem_clib_calloc: zeroed memory for n elements, NULL on overflow. */
void *lwip_port_calloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return kzalloc(n * size);
}

int lwip_port_atoi(const char *s)
{
	int v = 0;

	while (*s >= '0' && *s <= '9' && v < 100000000)
		v = v * 10 + (*s++ - '0');
	return v;
}

u32 lwip_port_rand(void)
{
	u32 v;

	random_fill(&v, sizeof(v));
	return v;
}
