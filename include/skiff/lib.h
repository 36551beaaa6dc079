/*
 * Freestanding helpers: strings, formatted printing, intrusive lists.
 * Built for the guest kernel and for the host unit tests (lib/).
 */
#ifndef SKIFF_LIB_H
#define SKIFF_LIB_H

#include <skiff/types.h>

#if __STDC_HOSTED__
#include <string.h>
#else
/* lib/string.c; in host builds the host libc provides these. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
#endif

/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t str_lcpy(char *dst, const char *src, size_t size);
/* Appends src to the string in dst (size bytes in all), truncating and
 * terminating as str_lcpy; returns the length the whole would have. */
size_t str_lcat(char *dst, const char *src, size_t size);
/* The digits of v in base (2 to 16, else 10; lower case, no prefix),
 * written at the end of buf; returns where they start. */
#define STR_U64_LEN 65
char *str_u64(char buf[STR_U64_LEN], u64 v, unsigned base);
/* Parses an unsigned decimal or 0x-hex number; returns chars consumed, 0 on error. */
size_t str_to_u64(const char *s, u64 *out);
/* A hex digit's value (0-15, either case), 99 for any other character. */
int str_digit_value(char c);

/*
 * lib/printf.c: snprintf with %d %i %u %x %X %o %p %s %c %%, flags '-', '0',
 * width, precision, '*', and the length modifiers hh h l ll z j t.
 * Returns the length the full output would have had, like C's snprintf.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Intrusive circular doubly linked list. */
struct list {
	struct list *next, *prev;
};

static inline void list_init(struct list *l)
{
	l->next = l->prev = l;
}

static inline bool list_empty(const struct list *l)
{
	return l->next == l;
}

static inline void list_insert_after(struct list *pos, struct list *n)
{
	n->next = pos->next;
	n->prev = pos;
	pos->next->prev = n;
	pos->next = n;
}

static inline void list_push_back(struct list *head, struct list *n)
{
	list_insert_after(head->prev, n);
}

static inline void list_push_front(struct list *head, struct list *n)
{
	list_insert_after(head, n);
}

static inline void list_remove(struct list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

#define list_entry(p, type, member) container_of(p, type, member)
#define list_for_each(it, head) \
	for (struct list *it = (head)->next; it != (head); it = it->next)
#define list_for_each_safe(it, tmp, head)                           \
	for (struct list *it = (head)->next, *tmp = it->next; it != (head); \
	     it = tmp, tmp = it->next)

#endif
