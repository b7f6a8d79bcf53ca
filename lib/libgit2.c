/*
 * libgit2 on demand. Linking libgit2 brings in seventeen libraries (mbedTLS, OpenSSL through
 * libssh2, Kerberos through GSSAPI, PCRE, http-parser, ...): about 2.5 ms of dynamic
 * linking and initialisation on every run, as much as the query of a search, whether the
 * run needs git or not; and a search of an index that is up to date needs none
 * (bp_index_open_unchanged). So, as icu.c does for ICU, the program does not link libgit2: it
 * opens it with dlopen(3) the first time a git function is called, by the soname of the
 * version it was built against, and initialises it once for the whole run.
 *
 * RTLD_GLOBAL: tls.c and deflate.c define functions of mbedTLS and zlib that libgit2 must
 * find before the real ones, and then call the real ones through dlsym(RTLD_NEXT); both
 * need libgit2's libraries in the global scope. The program exports those definitions
 * (Makefile: --export-dynamic-symbol).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BP_LIBGIT2_TABLE
#include "libgit2.h"

#define STR_(x) #x
#define STR(x) STR_(x)
/* libgit2's soname carries its major and minor version: libgit2.so.1.5. */
#define SONAME "libgit2.so." STR(LIBGIT2_VER_MAJOR) "." STR(LIBGIT2_VER_MINOR)

const struct bp_libgit2 *bp_libgit2_loaded;
static struct bp_libgit2 table;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void die(const char *what, const char *why)
{
	fprintf(stderr, "bestpractice: cannot load %s: %s (is the libgit2 %d.%d package "
		"installed?)\n", what, why ? why : "unknown error", LIBGIT2_VER_MAJOR,
		LIBGIT2_VER_MINOR);
	exit(127);
}

static void load(void)
{
	void *lib = dlopen(SONAME, RTLD_NOW | RTLD_GLOBAL), *sym;

	if (!lib)
		die(SONAME, dlerror());
	/* POSIX's way from the object pointer dlsym returns to a function pointer. */
#define X(name)                                                                                \
	sym = dlsym(lib, #name);                                                               \
	if (!sym)                                                                              \
		die(SONAME, dlerror());                                                        \
	memcpy(&table.name, &sym, sizeof(sym));
#include "libgit2.def"
#undef X
	/* One initialisation for the whole run: each call the library makes pairs its own
	 * init and shutdown, which without an outer one would set libgit2 up again. */
	table.git_libgit2_init();
	__atomic_store_n(&bp_libgit2_loaded, &table, __ATOMIC_RELEASE);
}

const struct bp_libgit2 *bp_libgit2_load(void)
{
	pthread_once(&once, load);
	return &table;
}

int bp_libgit2_is_loaded(void)
{
	return __atomic_load_n(&bp_libgit2_loaded, __ATOMIC_ACQUIRE) != NULL;
}

void bp_libgit2_release(void)
{
	if (bp_libgit2_is_loaded())
		table.git_libgit2_shutdown();
}
