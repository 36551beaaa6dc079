/*
 * dlopen: a library added to the image with --file, loaded at run time by
 * its absolute path (the same path in both runs, given as argv[1]): its
 * constructor ran, dlsym finds a function and a data symbol, its __thread
 * variable starts fresh in a new thread, a second dlopen returns the same
 * handle, RTLD_DEFAULT finds a symbol of an RTLD_GLOBAL library, missing
 * symbols and files give NULL and a dlerror message; dlclose works.
 * Only the dynamic build: a static program cannot load libraries.
 */
/* BUILDS: dyn */
/* ARGS: @APPS@/libdl_calc.so */
/* SKIFF: --file @APPS@/libdl_calc.so */
#include <dlfcn.h>
#include <pthread.h>
#include "check.h"

static int (*tls_next)(void);

static void *in_thread(void *arg)
{
	*(int *)arg = tls_next();
	return NULL;
}

int main(int argc, char **argv)
{
	void *h, *h2;
	int (*add)(int, int), (*ctor)(void), *counter, fresh = -1;
	pthread_t t;

	if (argc < 2)
		return 2;
	h = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
	yes("dlopen by absolute path", h != NULL);
	if (!h) {
		say("  dlerror set: %s", dlerror() ? "yes" : "no");
		return 1;
	}
	add = (int (*)(int, int))dlsym(h, "dl_calc_add");
	ctor = (int (*)(void))dlsym(h, "dl_calc_ctor_ran");
	counter = dlsym(h, "dl_calc_counter");
	tls_next = (int (*)(void))dlsym(h, "dl_calc_tls_next");
	yes("dlsym finds the symbols", add && ctor && counter && tls_next);
	if (!add || !ctor || !counter || !tls_next)
		return 1;
	say("dl_calc_add(2, 3) = %d", add(2, 3));
	say("constructor ran: %d, counter %d", ctor(), *counter);
	fresh = tls_next();
	say("TLS in the library: %d, then %d", fresh, tls_next());
	pthread_create(&t, NULL, in_thread, &fresh);
	pthread_join(t, NULL);
	say("  in a new thread: %d", fresh);
	h2 = dlopen(argv[1], RTLD_NOW);
	yes("second dlopen returns the same handle", h2 == h);
	yes("RTLD_DEFAULT finds dl_calc_add", dlsym(RTLD_DEFAULT, "dl_calc_add") == (void *)add);
	yes("missing symbol: NULL", dlsym(h, "no_such_symbol") == NULL);
	yes("  dlerror set", dlerror() != NULL);
	yes("missing file: NULL", dlopen("/no/such/libfile.so", RTLD_NOW) == NULL);
	yes("  dlerror set", dlerror() != NULL);
	SHOW(dlclose(h2));
	SHOW(dlclose(h));
	return 0;
}
