/*
 * net/msg.c: a socket message's data (struct sock_msg, skiff/net.h) as a
 * cursor over the program's (or the kernel's) buffers. Layer: net.
 * Families move bytes with msg_copy_from (send: out of the message) and
 * msg_copy_to (receive: into it), front to back; iobuf_copy_* check each
 * program range, so a bad buffer gives -EFAULT or a short count.
 */
#include <skiff/errno.h>
#include <skiff/net.h>

void msg_init(struct sock_msg *m, struct iobuf *iov, u32 iovcnt, int flags)
{
	*m = (struct sock_msg){ .iov = iov, .iovcnt = iovcnt, .flags = flags };
	for (u32 i = 0; i < iovcnt; i++)
		m->len += iov[i].len;
}

size_t msg_left(const struct sock_msg *m)
{
	size_t n = 0;

	for (u32 i = m->iov_at; i < m->iovcnt; i++)
		n += m->iov[i].len - (i == m->iov_at ? m->iov_off : 0);
	return n;
}

/* Moves up to n bytes between buf and the message; to: into it. */
static long copy(struct sock_msg *m, void *buf, size_t n, bool to)
{
	size_t done = 0;

	while (done < n && m->iov_at < m->iovcnt) {
		struct iobuf *io = &m->iov[m->iov_at];
		size_t k = MIN(n - done, io->len - m->iov_off);
		int r = to ? iobuf_copy_out(io, m->iov_off, (char *)buf + done, k)
			   : iobuf_copy_in(io, m->iov_off, (char *)buf + done, k);

		if (r < 0)
			return done ? (long)done : r;
		done += k;
		m->iov_off += k;
		if (m->iov_off == io->len) {
			m->iov_at++;
			m->iov_off = 0;
		}
	}
	return done;
}

long msg_copy_from(struct sock_msg *m, void *dst, size_t n)
{
	return copy(m, dst, n, false);
}

long msg_copy_to(struct sock_msg *m, const void *src, size_t n)
{
	return copy(m, (void *)src, n, true);
}
