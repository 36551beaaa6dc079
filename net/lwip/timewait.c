/*
 * net/lwip/timewait.c: segments that arrive for a connection in TIME-WAIT,
 * handled as Linux handles them rather than as lwIP 2.1.3 does. Layer:
 * net (lwIP's port: the LWIP_HOOK_TCP_INPACKET_PCB hook of lwipopts.h,
 * which tcp_input calls with the network lock held, for every segment
 * once it has found the segment's pcb, after the checksum was verified
 * and with the header's fields already in host byte order).
 *
 * lwIP answers a SYN for the addresses and ports of a pcb in TIME-WAIT
 * with an ACK (or with a RST when the SYN is inside the old window) and
 * ignores every RST there (RFC 1337). A client that opens a connection
 * again from the port of one the server closed first in the last 60 s
 * gets that ACK, answers it with a RST, which lwIP ignores, and only
 * its SYN retransmissions ever try again, until the 60 s have passed:
 * the connection hangs. Under QEMU's user networking this is common: the
 * guest sees every connection come from the host client's own port, and
 * the host's kernel hands out a port again at once when the guest closed
 * first (nginx ending a keep-alive connection, then the next client).
 *
 * Linux instead (RFC 1122 4.2.2.13; RFC 6191 without timestamps):
 * - a SYN without ACK, RST or FIN whose sequence number is beyond the last
 *   one the old connection received ends TIME-WAIT, and is then handled
 *   as a new connection's SYN: here the pcb is freed and the segment
 *   goes through tcp_input again, where the listening pcb finds it;
 * - a RST exactly at the next expected sequence number ends TIME-WAIT
 *   (Linux's default, net.ipv4.tcp_rfc1337 = 0): the SYN that the peer
 *   sends again after it then finds the listener.
 * Any other segment goes on to lwIP's own TIME-WAIT handling.
 */
#include <skiff/kernel.h>
#include "lwip/opt.h"
#include "lwip/ip.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/tcp.h"
#include "lwip_hooks.h"

/* Puts the segment's header back as it came (p->payload at the TCP header,
 * fields in network byte order) for a second tcp_input. False when the
 * options were split over two pbufs, which the receive path never makes. */
static bool tw_unparse(struct tcp_hdr *hdr, u16_t optlen, u8_t *opt2,
		       struct pbuf *p)
{
	if (opt2 || pbuf_add_header(p, TCP_HLEN + optlen) ||
	    p->payload != (void *)hdr)
		return false;
	hdr->src = lwip_htons(hdr->src);
	hdr->dest = lwip_htons(hdr->dest);
	hdr->seqno = lwip_htonl(hdr->seqno);
	hdr->ackno = lwip_htonl(hdr->ackno);
	hdr->wnd = lwip_htons(hdr->wnd);
	return true;
}

/*
 * The hook (module comment). Returns ERR_OK to let lwIP go on with the
 * segment as usual, or ERR_ABRT when it was dealt with here: then
 * tcp_input only frees p and returns (lwIP 2.1.3 touches neither the pcb
 * nor its globals after a TIME-WAIT pcb's hook says so, which is what
 * makes freeing the pcb here safe).
 */
err_t lwip_port_tcp_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr,
			     u16_t optlen, u8_t *opt2, struct pbuf *p)
{
	u8_t fl;

	if (pcb->state != TIME_WAIT)
		return ERR_OK;
	fl = TCPH_FLAGS(hdr);
	if ((fl & TCP_RST) && hdr->seqno == pcb->rcv_nxt) {
		tcp_abort(pcb);		/* TIME-WAIT: freed, nothing sent */
		return ERR_ABRT;
	}
	if ((fl & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) != TCP_SYN ||
	    !TCP_SEQ_GT(hdr->seqno, pcb->rcv_nxt))
		return ERR_OK;
	tcp_abort(pcb);
	if (!tw_unparse(hdr, optlen, opt2, p))
		return ERR_ABRT;	/* the peer's next SYN gets through */
	pbuf_ref(p);			/* the second tcp_input frees it once */
	tcp_input(p, ip_current_input_netif());
	return ERR_ABRT;
}
