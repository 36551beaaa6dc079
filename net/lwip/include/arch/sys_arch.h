/*
 * lwIP's operating-system types for Skiff (lwIP's arch/sys_arch.h).
 * Layer: net (lwIP's port, net/lwip/).
 *
 * lwIP runs with NO_SYS=1: no semaphores, mailboxes or threads of its
 * own. Everything that calls it holds the network lock (net_lock, a
 * mutex: net/lwip/sys_arch.c), so lwIP needs no SYS_ARCH_PROTECT
 * critical sections either. What is left is sys_now() (lwip/sys.h).
 */
#ifndef SKIFF_LWIP_ARCH_SYS_ARCH_H
#define SKIFF_LWIP_ARCH_SYS_ARCH_H

#endif
