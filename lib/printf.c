/*
 * lib/printf.c: fmt_vsnprintf, the one formatter of the kernel (log, panic,
 * procfs text). Built for the kernel and for host unit tests. No floating
 * point: the kernel is compiled with -mgeneral-regs-only.
 */
#include <skiff/lib.h>

struct out {
	char *buf;
	size_t size;
	size_t len; /* bytes the full output would take */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, zero, plus, space, alt;
	int width, prec; /* prec < 0: none */
};

static void put_str(struct out *o, const char *s, const struct spec *sp)
{
	size_t n = sp->prec >= 0 ? strnlen(s, sp->prec) : strlen(s);
	int pad = sp->width > (int)n ? sp->width - (int)n : 0;

	if (!sp->left)
		put_pad(o, ' ', pad);
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		put_pad(o, ' ', pad);
}

static void put_num(struct out *o, u64 v, bool neg, unsigned base, bool upper,
		    const struct spec *sp, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (sp->prec == 0 && n == 1 && tmp[0] == '0')
		n = 0;

	char sign = neg ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
	int zeros = sp->prec > n ? sp->prec - n : 0;
	int body = n + zeros + (sign ? 1 : 0) + (int)strlen(prefix);
	int pad = sp->width > body ? sp->width - body : 0;

	if (sp->zero && !sp->left && sp->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!sp->left)
		put_pad(o, ' ', pad);
	if (sign)
		put(o, sign);
	while (*prefix)
		put(o, *prefix++);
	put_pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		put_pad(o, ' ', pad);
}

/* Reads the length modifier; returns the size in bytes of the argument. */
static int parse_length(const char **fmt)
{
	const char *f = *fmt;
	int size = sizeof(int);

	if (f[0] == 'h' && f[1] == 'h')
		size = 1, f += 2;
	else if (f[0] == 'h')
		size = 2, f++;
	else if (f[0] == 'l' && f[1] == 'l')
		size = 8, f += 2;
	else if (f[0] == 'l' || f[0] == 'z' || f[0] == 'j' || f[0] == 't')
		size = 8, f++;
	*fmt = f;
	return size;
}

static u64 arg_unsigned(va_list *ap, int size)
{
	u64 v = size == 8 ? va_arg(*ap, u64) : va_arg(*ap, unsigned int);

	if (size == 1)
		v = (u8)v;
	else if (size == 2)
		v = (u16)v;
	return v;
}

static s64 arg_signed(va_list *ap, int size)
{
	s64 v = size == 8 ? va_arg(*ap, s64) : va_arg(*ap, int);

	if (size == 1)
		v = (s8)v;
	else if (size == 2)
		v = (s16)v;
	return v;
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .prec = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		sp->width = sp->width * 10 + (*f - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		for (; *f >= '0' && *f <= '9'; f++)
			sp->prec = sp->prec * 10 + (*f - '0');
	}
	return f;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap0)
{
	struct out o = { buf, size, 0 };
	va_list ap;

	va_copy(ap, ap0);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		struct spec sp;
		fmt = parse_spec(fmt + 1, &sp, &ap);
		int len = parse_length(&fmt);
		char c = *fmt ? *fmt++ : 0;

		switch (c) {
		case 'd':
		case 'i': {
			s64 v = arg_signed(&ap, len);
			put_num(&o, v < 0 ? -(u64)v : (u64)v, v < 0, 10, false,
				&sp, "");
			break;
		}
		case 'u':
			put_num(&o, arg_unsigned(&ap, len), false, 10, false, &sp, "");
			break;
		case 'x':
		case 'X': {
			u64 v = arg_unsigned(&ap, len);
			put_num(&o, v, false, 16, c == 'X', &sp,
				sp.alt && v ? (c == 'X' ? "0X" : "0x") : "");
			break;
		}
		case 'o': {
			u64 v = arg_unsigned(&ap, len);
			put_num(&o, v, false, 8, false, &sp, sp.alt && v ? "0" : "");
			break;
		}
		case 'p':
			put_num(&o, (u64)(uintptr_t)va_arg(ap, void *), false, 16,
				false, &sp, "0x");
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			put_str(&o, s ? s : "(null)", &sp);
			break;
		}
		case 'c': {
			char s[2] = { (char)va_arg(ap, int), 0 };
			sp.prec = 1;
			put_str(&o, s, &sp);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default: /* unknown or truncated conversion: print it as is */
			put(&o, '%');
			if (c)
				put(&o, c);
			break;
		}
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
