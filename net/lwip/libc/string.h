/*
 * <string.h> for lwIP's own .c files (built freestanding; only they have
 * net/lwip/libc on their include path): the kernel's string functions.
 * Layer: net (lwIP's port).
 */
#ifndef SKIFF_LWIP_LIBC_STRING_H
#define SKIFF_LWIP_LIBC_STRING_H

#include <skiff/lib.h>

#endif
