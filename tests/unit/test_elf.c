/* SOURCES: lib/elf.c lib/printf.c lib/strconv.c */
/*
 * lib/elf.c on real programs and on corrupted copies of them.
 *
 * The real ELFs are built here with the host's gcc (static, static-PIE, an
 * object file) or taken from the host (/bin/true, dynamically linked); what
 * elf_check() learns about them is compared with what binutils' readelf
 * says, so readelf writes the expectations. Each corruption patches one
 * field and checks the kind of reason given. Random corruption then checks
 * that no input makes the checker read out of bounds (ASan) or crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skiff/elf.h>
#include <skiff/errno.h>
#include "shim.h"

struct blob {
	u8 *data;
	size_t len;
};

/* What readelf -hlW says about a file. */
struct readelf {
	u16 type;
	u64 entry, phoff;
	unsigned phnum;
	bool has_interp;
	char interp[256];
	unsigned nload;
	u64 load_off[32], load_vaddr[32], load_filesz[32], load_memsz[32];
	bool has_phdr;
	u64 phdr_vaddr;
};

static char tmpdir[] = "/tmp/skiff-test-elf-XXXXXX";
static struct blob prog_static, prog_pie, prog_dyn, obj;
static struct blob scratch; /* the corrupted copy of the moment */

static struct blob load(const char *path)
{
	struct blob b = { NULL, 0 };
	FILE *f = fopen(path, "rb");

	if (!f)
		return b;
	fseek(f, 0, SEEK_END);
	b.len = ftell(f);
	rewind(f);
	b.data = malloc(b.len);
	if (fread(b.data, 1, b.len, f) != b.len) {
		free(b.data);
		b.data = NULL;
	}
	fclose(f);
	return b;
}

static struct blob copy(struct blob b)
{
	struct blob c = { malloc(b.len), b.len };

	memcpy(c.data, b.data, b.len);
	return c;
}

static bool build(const char *flags, const char *out)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "cd %s && printf 'int main(void){return 0;}\\n' > t.c && "
		 "gcc %s -o %s t.c 2>/dev/null", tmpdir, flags, out);
	return system(cmd) == 0;
}

static int setup(void **state)
{
	char path[256];

	if (!mkdtemp(tmpdir))
		return -1;
	if (build("-static -O1", "static"))
		prog_static = load(strcat(strcpy(path, tmpdir), "/static"));
	if (build("-static-pie -O1", "pie"))
		prog_pie = load(strcat(strcpy(path, tmpdir), "/pie"));
	if (build("-c", "t.o"))
		obj = load(strcat(strcpy(path, tmpdir), "/t.o"));
	prog_dyn = load("/bin/true");
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return -1;
	free(prog_static.data);
	free(prog_pie.data);
	free(prog_dyn.data);
	free(obj.data);
	free(scratch.data);
	return 0;
}

static void parse_readelf_line(const char *l, struct readelf *re)
{
	unsigned long long off, va, pa, fsz, msz;
	char type[32];
	const char *p;

	if ((p = strstr(l, "Type:")) && strstr(l, "EXEC"))
		re->type = ELF_ET_EXEC;
	else if (p && strstr(l, "DYN"))
		re->type = ELF_ET_DYN;
	else if ((p = strstr(l, "Entry point address:")))
		re->entry = strtoull(p + 20, NULL, 16);
	else if ((p = strstr(l, "Start of program headers:")))
		re->phoff = strtoull(p + 25, NULL, 10);
	else if ((p = strstr(l, "Number of program headers:")))
		re->phnum = strtoul(p + 26, NULL, 10);
	else if ((p = strstr(l, "[Requesting program interpreter: "))) {
		re->has_interp = true;
		snprintf(re->interp, sizeof(re->interp), "%s", p + 33);
		*strchr(re->interp, ']') = '\0';
	} else if (sscanf(l, " %31s %llx %llx %llx %llx %llx", type, &off, &va,
			  &pa, &fsz, &msz) == 6) {
		if (!strcmp(type, "PHDR")) {
			re->has_phdr = true;
			re->phdr_vaddr = va;
		}
		if (!strcmp(type, "LOAD") && re->nload < 32) {
			re->load_off[re->nload] = off;
			re->load_vaddr[re->nload] = va;
			re->load_filesz[re->nload] = fsz;
			re->load_memsz[re->nload++] = msz;
		}
	}
}

static void run_readelf(struct blob b, struct readelf *re)
{
	char path[256], cmd[300], line[512];
	FILE *f, *p;

	memset(re, 0, sizeof(*re));
	snprintf(path, sizeof(path), "%s/readelf-input", tmpdir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "readelf -hlW %s", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p))
		parse_readelf_line(line, re);
	assert_int_equal(pclose(p), 0);
}

/* Where readelf's data puts the loaded header table, by Linux's rule:
 * the last PT_LOAD whose file bytes hold its first byte (PT_PHDR unused). */
static u64 expected_phdr_vaddr(const struct readelf *re)
{
	u64 found = 0;

	for (unsigned i = 0; i < re->nload; i++)
		if (re->load_off[i] <= re->phoff &&
		    re->phoff < re->load_off[i] + re->load_filesz[i])
			found = re->load_vaddr[i] + re->phoff - re->load_off[i];
	return found;
}

static void check_against_readelf(struct blob b)
{
	struct elf_info info;
	struct readelf re;
	const char *why = NULL;
	int r;

	if (!b.data)
		skip();
	r = elf_check(b.data, b.len, b.len, &info, &why);
	if (r)
		fail_msg("elf_check: %d %s", r, why);
	run_readelf(b, &re);
	assert_int_equal(info.type, re.type);
	assert_int_equal(info.entry, re.entry);
	assert_int_equal(info.phoff, re.phoff);
	assert_int_equal(info.phnum, re.phnum);
	assert_true(re.nload > 0);
	assert_int_equal(info.load_lo, re.load_vaddr[0]);
	assert_int_equal(info.load_hi, re.load_vaddr[re.nload - 1] +
				       re.load_memsz[re.nload - 1]);
	assert_int_equal(info.phdr_vaddr, expected_phdr_vaddr(&re));
	assert_int_equal(info.has_interp, re.has_interp);
	if (re.has_interp) {
		assert_int_equal(info.interp_len, strlen(re.interp) + 1);
		assert_memory_equal(b.data + info.interp_off, re.interp,
				    info.interp_len);
	}
}

static void test_static(void **state) { check_against_readelf(prog_static); }
static void test_static_pie(void **state) { check_against_readelf(prog_pie); }
static void test_dynamic(void **state) { check_against_readelf(prog_dyn); }

/* Field offsets in the file, from the gABI. */
#define EH_TYPE 16
#define EH_MACHINE 18
#define EH_ENTRY 24
#define EH_PHOFF 32
#define EH_PHENTSIZE 54
#define EH_PHNUM 56
#define PH_TYPE 0
#define PH_OFFSET 8
#define PH_VADDR 16
#define PH_FILESZ 32
#define PH_MEMSZ 40

static u64 get(const u8 *p, size_t size)
{
	u64 v = 0;

	memcpy(&v, p, size);
	return v;
}

static void put(u8 *p, size_t size, u64 v)
{
	memcpy(p, &v, size);
}

static u8 *phdr(struct blob b, unsigned i)
{
	return b.data + get(b.data + EH_PHOFF, 8) + 56 * i;
}

static unsigned phnum(struct blob b)
{
	return get(b.data + EH_PHNUM, 2);
}

/* Index of the n-th PT_LOAD (from 0), or -1. */
static int nth_load(struct blob b, int n)
{
	for (unsigned i = 0; i < phnum(b); i++)
		if (get(phdr(b, i) + PH_TYPE, 4) == ELF_PT_LOAD && n-- == 0)
			return i;
	return -1;
}

static int last_load(struct blob b)
{
	int last = -1;

	for (int i = 0; nth_load(b, i) >= 0; i++)
		last = nth_load(b, i);
	return last;
}

static void expect_reason(struct blob b, size_t len, const char *reason)
{
	struct elf_info info;
	const char *why = NULL;
	int r = elf_check(b.data, len, len, &info, &why);

	if (r != -ENOEXEC)
		fail_msg("expected -ENOEXEC (%s), got %d", reason, r);
	if (!why || !strstr(why, reason))
		fail_msg("expected a reason with \"%s\", got \"%s\"", reason,
			 why ? why : "(null)");
}

/*
 * Runs stmt on c, a copy of src, and expects reason. The copy lives in
 * scratch so that a failing check (which longjmps) does not leak it.
 */
static struct blob fresh_copy(struct blob src)
{
	free(scratch.data);
	scratch = copy(src);
	return scratch;
}

#define CORRUPT(src, reason, stmt)                                      \
	do {                                                            \
		struct blob c;                                          \
		if (!(src).data)                                        \
			skip();                                         \
		c = fresh_copy(src);                                    \
		stmt;                                                   \
		expect_reason(c, c.len, reason);                        \
	} while (0)

static void test_header_errors(void **state)
{
	struct blob text = { (u8 *)"hello, world: not a program\n", 28 };
	struct blob empty = { (u8 *)"", 0 };

	expect_reason(text, text.len, "not an ELF file");
	expect_reason(empty, 0, "not an ELF file");
	CORRUPT(prog_static, "truncated ELF: incomplete header", c.len = 40);
	CORRUPT(prog_static, "32-bit ELF", c.data[4] = 1);
	CORRUPT(prog_static, "big-endian ELF", c.data[5] = 2);
	CORRUPT(prog_static, "ELF for aarch64", put(c.data + EH_MACHINE, 2, 183));
	CORRUPT(prog_static, "another machine (9999)",
		put(c.data + EH_MACHINE, 2, 9999));
	CORRUPT(prog_static, "core dump", put(c.data + EH_TYPE, 2, ELF_ET_CORE));
	CORRUPT(prog_static, "wrong program header size",
		put(c.data + EH_PHENTSIZE, 2, 32));
	CORRUPT(prog_static, "no program headers", put(c.data + EH_PHNUM, 2, 0));
	CORRUPT(prog_static, "too many program headers",
		put(c.data + EH_PHNUM, 2, 2000));
	CORRUPT(prog_static, "truncated ELF: program headers", c.len = 100);
	CORRUPT(prog_static, "truncated ELF: program headers",
		put(c.data + EH_PHOFF, 8, ~0ull - 8));
	CORRUPT(obj, "object file", (void)0);
}

static void test_truncated_segment(void **state)
{
	char reason[64];
	int i;

	if (!prog_static.data)
		skip();
	i = last_load(prog_static);
	assert_true(i >= 0);
	snprintf(reason, sizeof(reason),
		 "truncated ELF: segment %d extends past end of file", i);
	CORRUPT(prog_static, reason,
		c.len = get(phdr(c, i) + PH_OFFSET, 8) +
			get(phdr(c, i) + PH_FILESZ, 8) / 2);
	CORRUPT(prog_static, reason,
		put(phdr(c, i) + PH_OFFSET, 8, ~0ull - 10));
}

static void test_segment_errors(void **state)
{
	int a = nth_load(prog_static, 0), b = nth_load(prog_static, 1);

	if (!prog_static.data)
		skip();
	assert_true(a >= 0 && b >= 0);
	CORRUPT(prog_static, "larger in the file than in memory",
		put(phdr(c, a) + PH_MEMSZ, 8, get(phdr(c, a) + PH_FILESZ, 8) - 1));
	CORRUPT(prog_static, "align",
		put(phdr(c, b) + PH_VADDR, 8, get(phdr(c, b) + PH_VADDR, 8) + 1));
	CORRUPT(prog_static, "overlaps",
		put(phdr(c, b) + PH_VADDR, 8, get(phdr(c, a) + PH_VADDR, 8)));
	CORRUPT(prog_static, "outside the program's address range",
		put(phdr(c, b) + PH_VADDR, 8, 0xffff800000000000ull));
	CORRUPT(prog_static, "entry point outside",
		put(c.data + EH_ENTRY, 8, 0x10));
	CORRUPT(prog_static, "no loadable segment",
		for (int i = 0; i < (int)phnum(c); i++)
			if (get(phdr(c, i) + PH_TYPE, 4) == ELF_PT_LOAD)
				put(phdr(c, i) + PH_TYPE, 4, 4));
}

static void test_interp_errors(void **state)
{
	int i = -1;

	if (!prog_dyn.data)
		skip();
	for (unsigned j = 0; j < phnum(prog_dyn); j++)
		if (get(phdr(prog_dyn, j) + PH_TYPE, 4) == ELF_PT_INTERP)
			i = j;
	assert_true(i >= 0);
	CORRUPT(prog_dyn, "interpreter path extends past end of file",
		put(phdr(c, i) + PH_OFFSET, 8, c.len));
	CORRUPT(prog_dyn, "bad interpreter path length",
		put(phdr(c, i) + PH_FILESZ, 8, 1));
}

/* The caller must pass the header and the table: -EINVAL, not a guess. */
static void test_short_buffer(void **state)
{
	struct elf_info info;
	const char *why;

	if (!prog_static.data)
		skip();
	assert_int_equal(elf_check(prog_static.data, 80, prog_static.len,
				   &info, &why), -EINVAL);
	assert_int_equal(elf_check_ehdr(prog_static.data, 40, prog_static.len,
					&info, &why), -EINVAL);
	assert_int_equal(elf_check_ehdr(prog_static.data, 64, prog_static.len,
					&info, &why), 0);
}

/* Random bytes in the headers: a verdict every time, never a bad access. */
static void test_random_corruption(void **state)
{
	struct blob b;
	size_t span;

	if (!prog_static.data)
		skip();
	b = fresh_copy(prog_static);
	span = 64 + 56 * phnum(b);
	srand(1);
	for (int iter = 0; iter < 50000; iter++) {
		struct elf_info info;
		const char *why = NULL;
		size_t len = b.len;
		int r;

		for (int k = rand() % 4; k >= 0; k--)
			b.data[rand() % span] = rand();
		if (iter % 8 == 0)
			len = rand() % b.len;
		r = elf_check(b.data, len, len, &info, &why);
		assert_true(r == 0 || r == -ENOEXEC);
		if (r == -ENOEXEC)
			assert_true(why && *why);
		memcpy(b.data, prog_static.data, span);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_static_pie),
		cmocka_unit_test(test_dynamic),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_truncated_segment),
		cmocka_unit_test(test_segment_errors),
		cmocka_unit_test(test_interp_errors),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_random_corruption),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
