/*
 * stdin_sort: reads its standard input to the end (the harness pipes text
 * in), counts lines, words and bytes, and prints the lines sorted.
 */
/* STDIN: printf 'pear\napple  banana\n\ncherry\nApple\nbanana\nlast line without newline' */
#include "check.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	static char data[65536];
	char *lines[1024];
	size_t len = 0;
	ssize_t n;
	int nlines = 0, words = 0, inword = 0, i, reads = 0;

	while ((n = read(0, data + len, sizeof(data) - 1 - len)) > 0) {
		len += n;
		reads++;
	}
	say("last read = %zd", n);
	say("bytes = %zu", len);
	yes("at least one read", reads > 0);
	data[len] = 0;
	for (i = 0; i < (int)len; i++) {
		int sp = data[i] == ' ' || data[i] == '\n';

		if (!sp && !inword)
			words++;
		inword = !sp;
	}
	say("words = %d", words);
	for (char *p = data; *p && nlines < 1024;) {
		char *nl = strchr(p, '\n');

		lines[nlines++] = p;
		if (!nl)
			break;
		*nl = 0;
		p = nl + 1;
	}
	say("lines = %d", nlines);
	qsort(lines, nlines, sizeof(lines[0]), cmp);
	for (i = 0; i < nlines; i++)
		say("[%s]", lines[i]);
	say("read after EOF = %zd", read(0, data, 10));
	return 0;
}
