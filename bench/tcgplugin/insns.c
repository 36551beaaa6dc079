/*
 * bench/tcgplugin/insns.c: a QEMU TCG plugin counting the guest
 * instructions executed, per translation block start address: a profile
 * of the guest (kernel and program) under TCG, where host tools see only
 * QEMU. Not part of make bench; a tool for docs/boot-time.md
 * ("Looking again").
 *
 *   gcc -shared -fPIC -O2 -o build/insns.so bench/tcgplugin/insns.c
 *   PROF_OUT=/tmp/p qemu-system-x86_64 ... -plugin build/insns.so
 *
 * Writes PROF_OUT.N (default /tmp/prof.out.N), one line per block,
 * "vaddr instructions executions", at exit, and at each SIGUSR2, which
 * then zeroes the counts (so `kill -USR2` brackets a load: the file
 * written by the second signal covers what ran between the two).
 * Attribute the addresses with `nm -n build/kernel.elf` (kernel) or the
 * program's symbols. The plugin ABI (QEMU 7.2, API version 1) is
 * declared here from QEMU's plugin documentation, since Debian ships no
 * qemu-plugin.h; only the calls used are declared.
 */
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
#define QEMU_PLUGIN_INLINE_ADD_U64 0

__attribute__((visibility("default"))) int qemu_plugin_version = 1;
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
	void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
	int op, void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
	void (*cb)(qemu_plugin_id_t, void *), void *userdata);

struct block {
	uint64_t va, insns, runs;
	struct block *next;
};
static struct block *blocks;
static int dumps;

static void dump(void)
{
	const char *base = getenv("PROF_OUT");
	char name[512];
	FILE *f;

	snprintf(name, sizeof(name), "%s.%d", base ? base : "/tmp/prof.out",
		 dumps++);
	f = fopen(name, "w");
	if (!f)
		return;
	for (struct block *b = blocks; b; b = b->next)
		if (b->runs)
			fprintf(f, "%llx %llu %llu\n", (unsigned long long)b->va,
				(unsigned long long)b->insns,
				(unsigned long long)b->runs);
	fclose(f);
}

static void at_exit(qemu_plugin_id_t id, void *arg)
{
	dump();
}

/* Not async-signal-safe: a measuring tool, run by hand. */
static void on_usr2(int sig)
{
	dump();
	for (struct block *b = blocks; b; b = b->next)
		b->runs = 0;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	struct block *b = calloc(1, sizeof(*b));

	if (!b)
		return;
	b->va = qemu_plugin_tb_vaddr(tb);
	b->insns = qemu_plugin_tb_n_insns(tb);
	b->next = blocks;
	blocks = b;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->runs, 1);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const void *info, int argc,
			char **argv)
{
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	signal(SIGUSR2, on_usr2);
	return 0;
}
