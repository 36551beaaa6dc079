/*
 * net/lwip/isn.c: initial sequence numbers of TCP connections, as RFC 6528
 * section 3 says: ISN = M + F(local address and port, remote address and
 * port, secret key), M a clock ticking every 4 microseconds, F a keyed
 * hash (SipHash-2-4 here, with a key drawn at the first connection).
 * lwIP's own ISN is a global counter anyone can predict. Layer: net
 * (lwIP's port: the LWIP_HOOK_TCP_ISN hook of lwipopts.h).
 */
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/time.h>
#include "lwip/opt.h"
#include "lwip_hooks.h"

static u64 key[2];
static bool keyed;

static inline u64 rotl(u64 x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static void sip_round(u64 v[4])
{
	v[0] += v[1]; v[1] = rotl(v[1], 13); v[1] ^= v[0]; v[0] = rotl(v[0], 32);
	v[2] += v[3]; v[3] = rotl(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = rotl(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = rotl(v[1], 17); v[1] ^= v[2]; v[2] = rotl(v[2], 32);
}

/* SipHash-2-4 of n 64-bit words (the message length is n * 8 bytes). */
static u64 siphash(const u64 *m, size_t n)
{
	u64 v[4] = { key[0] ^ 0x736f6d6570736575ull, key[1] ^ 0x646f72616e646f6dull,
		     key[0] ^ 0x6c7967656e657261ull, key[1] ^ 0x7465646279746573ull };
	u64 last = (u64)(n * 8) << 56;

	for (size_t i = 0; i < n; i++) {
		v[3] ^= m[i];
		sip_round(v);
		sip_round(v);
		v[0] ^= m[i];
	}
	v[3] ^= last;
	sip_round(v);
	sip_round(v);
	v[0] ^= last;
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* Copies the bytes of a (IPv4 or IPv6) address to two words at m. */
static void put_addr(u64 *m, const ip_addr_t *a)
{
	if (IP_IS_V6(a))
		memcpy(m, ip_2_ip6(a)->addr, 16);
	else
		memcpy(m, &ip_2_ip4(a)->addr, 4);
}

/* Called by lwIP under the network lock. */
u32_t lwip_port_tcp_isn(const ip_addr_t *local_ip, u16_t local_port,
			const ip_addr_t *remote_ip, u16_t remote_port)
{
	u64 m[5] = { 0 };

	if (!keyed) {
		random_fill(key, sizeof(key));
		keyed = true;
	}
	put_addr(&m[0], local_ip);
	put_addr(&m[2], remote_ip);
	m[4] = (u64)local_port << 16 | remote_port;
	return (u32_t)(time_monotonic_ns() / 4000) + (u32_t)siphash(m, 5);
}
