/*
 * proc_maps: /proc/self/maps: every line parses and the lines are sorted
 * and disjoint; the line holding main's code is r-x and names the
 * program (as /proc/self/exe does); a static variable sits in an rw-p
 * line; a local variable in [stack]; a 3-page anonymous mapping with its
 * middle page made PROT_NONE shows as r--p / ---p / r--p; a file mapping
 * names the file and its offset; the dynamic build also shows libc and
 * the dynamic loader mapped from their files.
 */
/* BUILDS: static pie musl dyn musldyn */
#include <stdint.h>
#include <sys/mman.h>
#include "check.h"

#define PG 4096UL
#define MAXL 512

struct line {
	uintptr_t lo, hi;
	char perms[5];
	unsigned long off;
	char path[256];
};

static struct line maps[MAXL];
static int n, wellformed = 1, sorted = 1;
static int data_var = 1;

static void load(void)
{
	char buf[512];
	FILE *f = fopen("/proc/self/maps", "r");

	n = 0;
	while (f && n < MAXL && fgets(buf, sizeof(buf), f)) {
		struct line *l = &maps[n];
		int pos = 0;

		l->path[0] = 0;
		if (sscanf(buf, "%lx-%lx %4s %lx %*x:%*x %*u %n", &l->lo, &l->hi, l->perms, &l->off,
			   &pos) < 4 || l->lo >= l->hi) {
			wellformed = 0;
			continue;
		}
		if (pos)
			sscanf(buf + pos, "%255[^\n]", l->path);
		if (n > 0 && l->lo < maps[n - 1].hi)
			sorted = 0;
		n++;
	}
	if (f)
		fclose(f);
}

static struct line *find(const void *p)
{
	for (int i = 0; i < n; i++)
		if ((uintptr_t)p >= maps[i].lo && (uintptr_t)p < maps[i].hi)
			return &maps[i];
	return NULL;
}

static int named(const char *part)
{
	for (int i = 0; i < n; i++)
		if (strstr(maps[i].path, part))
			return 1;
	return 0;
}

int main(void)
{
	char exe[4096] = "", *a, *f;
	int local = 0, fd;
	ssize_t l = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct line *m;

	exe[l > 0 ? l : 0] = 0;
	a = mmap(NULL, 3 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(a + PG, PG, PROT_NONE);
	scratch_enter("proc_maps");
	fd = open("mapped-file", O_RDWR | O_CREAT, 0644);
	if (ftruncate(fd, 4 * PG))
		return 1;
	f = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 2 * PG);
	load();
	yes("every line parses", wellformed && n > 5);
	yes("lines sorted and disjoint", sorted);
	m = find((void *)main);
	say("main's code: perms %s, names the program: %s", m ? m->perms : "none",
	    m && strcmp(m->path, exe) == 0 ? "yes" : "no");
	m = find(&data_var);
	say("a static variable: perms %s", m ? m->perms : "none");
	m = find(&local);
	say("a local variable: perms %s, %s", m ? m->perms : "none", m ? m->path : "");
	for (int i = 0; i < 3; i++) {
		m = find(a + i * PG);
		say("anonymous page %d: perms %s, path \"%s\"", i, m ? m->perms : "none",
		    m ? m->path : "");
	}
	m = find(a + PG);
	yes("  the PROT_NONE line is exactly one page", m && m->lo == (uintptr_t)a + PG &&
							    m->hi == (uintptr_t)a + 2 * PG);
	m = find(f);
	say("file mapping: perms %s, offset %#lx, path %s", m ? m->perms : "none", m ? m->off : 0,
	    m ? m->path : "");
	say("libc.so.6 mapped: %s", named("/libc.so.6") ? "yes" : "no");
	say("ld-linux-x86-64.so.2 mapped: %s", named("/ld-linux-x86-64.so.2") ? "yes" : "no");
	close(fd);
	scratch_leave();
	return 0;
}
