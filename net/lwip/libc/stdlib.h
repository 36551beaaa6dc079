/*
 * <stdlib.h> for lwIP's own .c files (built freestanding; only they have
 * net/lwip/libc on their include path). lwIP's core uses atoi (netif_find
 * reads an interface number) and, through lwipopts.h's mem_clib_*, the
 * kernel heap instead of malloc. Layer: net (lwIP's port).
 */
#ifndef SKIFF_LWIP_LIBC_STDLIB_H
#define SKIFF_LWIP_LIBC_STDLIB_H

/* The decimal number at the start of s (digits only; 0 if none). */
int lwip_port_atoi(const char *s);
#define atoi lwip_port_atoi

#endif
