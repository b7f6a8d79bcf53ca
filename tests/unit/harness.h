/*
 * A tiny test harness for the unit tests of lib/: each test is a function, each check prints
 * nothing unless it fails, and the program prints one TAP line per test ("ok 3 - name") and
 * exits non-zero when any failed. tests/run adds the lines of every program up.
 *
 *     static void test_slug(void) { CHECK_STR(slug("Café"), "cafe"); }
 *     int main(void) { RUN(test_slug); return done_testing(); }
 */
#ifndef BP_TEST_HARNESS_H
#define BP_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

static int th_failed_checks, th_tests, th_failed_tests;

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			th_failed_checks++;                                                \
			printf("#   %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
		}                                                                          \
	} while (0)

#define CHECK_INT(a, b)                                                                    \
	do {                                                                               \
		long long th_a = (long long)(a), th_b = (long long)(b);                    \
		if (th_a != th_b) {                                                        \
			th_failed_checks++;                                                \
			printf("#   %s:%d: %s is %lld, expected %lld\n", __FILE__, __LINE__,  \
			       #a, th_a, th_b);                                            \
		}                                                                          \
	} while (0)

#define CHECK_STR(a, b)                                                                    \
	do {                                                                               \
		const char *th_a = (a), *th_b = (b);                                       \
		if (!th_a || !th_b || strcmp(th_a, th_b)) {                                \
			th_failed_checks++;                                                \
			printf("#   %s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__,       \
			       __LINE__, #a, th_a ? th_a : "(null)", th_b ? th_b : "(null)"); \
		}                                                                          \
	} while (0)

#define RUN(fn)                                                                            \
	do {                                                                               \
		int th_before = th_failed_checks;                                          \
		fn();                                                                      \
		th_tests++;                                                                \
		if (th_failed_checks != th_before) {                                       \
			th_failed_tests++;                                                 \
			printf("not ok %d - %s\n", th_tests, #fn);                         \
		} else {                                                                   \
			printf("ok %d - %s\n", th_tests, #fn);                             \
		}                                                                          \
		fflush(stdout);                                                            \
	} while (0)

static inline int done_testing(void)
{
	printf("1..%d\n", th_tests);
	return th_failed_tests ? 1 : 0;
}

#endif
