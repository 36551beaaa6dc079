/*
 * lwIP's compiler and platform definitions for Skiff (lwIP's arch/cc.h,
 * included by lwip/arch.h). Layer: net (lwIP's port, net/lwip/).
 *
 * lwIP is built freestanding with the kernel's flags: the types come from
 * the compiler's <stdint.h> and <stddef.h> (through skiff/types.h), the
 * string functions from lib/ (skiff/lib.h, and the tiny <string.h> and
 * <stdlib.h> of net/lwip/libc/ that lwIP's own .c files include), its
 * printf formats are spelled here (there is no <inttypes.h>), and an
 * assertion is a kernel panic naming lwIP's file and line.
 */
#ifndef SKIFF_LWIP_ARCH_CC_H
#define SKIFF_LWIP_ARCH_CC_H

#include <skiff/types.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>

/* (Host unit tests get these from the C library's <endian.h>.) */
#ifndef BYTE_ORDER
#define LITTLE_ENDIAN 1234
#define BIG_ENDIAN 4321
#define BYTE_ORDER LITTLE_ENDIAN
#endif

/* No <inttypes.h>, <ctype.h>, <unistd.h> or <limits.h> (gcc's wants the
 * C library's) in a freestanding build. */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_LIMITS_H 1
#define LWIP_NO_CTYPE_H 1
#define LWIP_NO_UNISTD_H 1
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

/* lwIP's ssize_t (only its socket layer uses it, which Skiff leaves out). */
typedef long ssize_t;
#ifndef SSIZE_MAX
#define SSIZE_MAX __LONG_MAX__
#endif
#ifndef INT_MAX
#define INT_MAX __INT_MAX__
#endif

/* Byte swaps: the compiler's builtins, one instruction each. */
#define lwip_htons(x) __builtin_bswap16((u16)(x))
#define lwip_htonl(x) __builtin_bswap32((u32)(x))

/* The kernel has no stdio: diagnostics go to the kernel log. */
#define LWIP_PLATFORM_DIAG(x) \
	do {                  \
		klog x;       \
	} while (0)
#define LWIP_PLATFORM_ASSERT(msg) \
	panic("lwIP assertion \"%s\" failed at %s:%d", msg, __FILE__, __LINE__)

/* A random 32-bit number (ports, DHCP and MLD timers). kernel/random.c. */
u32 lwip_port_rand(void);
#define LWIP_RAND() lwip_port_rand()

#endif
