/*
 * The library's allocator: the C library's, behind a counter that tests use to fail the Nth
 * allocation and so prove every cleanup path (as SQLite's fault-injection tests do).
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * Fault-injection state. It is process-wide on purpose: the hook must reach allocations deep
 * inside any call without threading a context through, and only tests ever set it. The count
 * is atomic because the indexer parses on a second thread; tests that fail allocations run
 * single-threaded code.
 */
static unsigned long alloc_count;
static unsigned long fail_at;
static int fail_sticky;

static int should_fail(void)
{
	unsigned long n = __atomic_add_fetch(&alloc_count, 1, __ATOMIC_RELAXED);

	if (!fail_at)
		return 0;
	if (n == fail_at)
		return 1;
	return fail_sticky && n > fail_at;
}

unsigned long bp_alloc_fail_at(unsigned long n, int sticky)
{
	unsigned long made = __atomic_exchange_n(&alloc_count, 0, __ATOMIC_RELAXED);

	fail_at = n;
	fail_sticky = sticky;
	return made;
}

void *bp_malloc(size_t n)
{
	if (should_fail())
		return NULL;
	return malloc(n ? n : 1);
}

void *bp_calloc(size_t nmemb, size_t size)
{
	if (should_fail())
		return NULL;
	return calloc(nmemb ? nmemb : 1, size ? size : 1);
}

void *bp_realloc(void *p, size_t n)
{
	if (should_fail())
		return NULL;
	return realloc(p, n ? n : 1);
}

char *bp_strndup(const char *s, size_t n)
{
	char *d = bp_malloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *bp_strdup(const char *s)
{
	return bp_strndup(s, strlen(s));
}

void bp_free(void *ptr)
{
	free(ptr);
}
