/*
 * tests/apps/lib/dl_calc.c: the library tests/apps/dlopen.c loads at run
 * time (built into build/apps/libdl_calc.so by tests/apps/run.sh). It has
 * a function, a data symbol a constructor changes, and a __thread
 * variable (dynamic TLS: each thread gets a fresh copy).
 */
int dl_calc_counter = 5;
static int ctor_ran;
static __thread int tls_value = 7;

__attribute__((constructor)) static void dl_calc_init(void)
{
	ctor_ran = 1;
	dl_calc_counter += 10;
}

int dl_calc_add(int a, int b)
{
	return a + b;
}

int dl_calc_ctor_ran(void)
{
	return ctor_ran;
}

int dl_calc_tls_next(void)
{
	return tls_value++;
}
