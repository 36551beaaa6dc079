/*
 * stdio_float: printf and strtod of floating point (SSE state must survive
 * system calls), integers of every width, and padding. A libc prints these
 * by itself; the kernel only carries the bytes and keeps the FPU state.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include "check.h"

static double harmonic(int n)
{
	double s = 0;
	int i;

	for (i = 1; i <= n; i++)
		s += 1.0 / i;
	return s;
}

int main(void)
{
	volatile double third = 1.0 / 3.0;
	double sum = 0;
	long double ld = 1.0L / 3.0L;
	char buf[64];
	int i;

	say("%.17g", third);
	say("%f %e %g", 3.14159265358979, 6.02214076e23, 1e-10);
	say("%a", 1.0);
	say("%10.3f|%-10.3f|%+.2e", 2.5, -2.5, 12345.678);
	say("%g %g %g", 0.0, -0.0, 100000.0);
	say("%f %f %f", INFINITY, -INFINITY, NAN);
	say("%.3Lf", ld);
	say("DBL_MAX %g DBL_MIN %g DBL_EPSILON %g", DBL_MAX, DBL_MIN, DBL_EPSILON);
	for (i = 0; i < 5; i++) {
		/* a write in the middle must not disturb the xmm registers */
		sum += third * i;
		fflush(stdout);
		write(1, "", 0);
	}
	say("sum = %.15f", sum);
	say("harmonic(1000) = %.12f", harmonic(1000));
	say("strtod(\"2.5e-3\") = %g", strtod("2.5e-3", NULL));
	say("strtod(\"0x1p-2\") = %g", strtod("0x1p-2", NULL));
	snprintf(buf, sizeof(buf), "%.6f", 1.0 / 7.0);
	say("snprintf 1/7 = %s", buf);
	say("%d %u %ld %lld", INT32_MIN, UINT32_MAX, (long)INT64_MAX,
	    (long long)INT64_MIN);
	say("%x %X %o %#x %05d %-5d|", 0xdeadbeef, 0xcafe, 8, 255, 42, 7);
	say("%c%c%c %s %.3s %10s|", 'a', 'b', 'c', "str", "truncate", "right");
	say("%zu %jd %%", sizeof(long double), (intmax_t)-1);
	return 0;
}
