/*
 * The compression level of the pack a local fetch writes into the KB.
 *
 * libgit2's packbuilder compresses every object at zlib's default level (6) and has no
 * setting for it. A sync from a local peer repacks what it fetched that way, and deflate was
 * a fifth of the time of a change-set sync (1 750 articles of 100 000, 1.76 s; at level 1,
 * 1.51 s, with a pack 10% larger). So, as tls.c does for mbedTLS, this file defines the one
 * zlib function a deflate stream starts with, deflateInit_ (what zlib's deflateInit macro
 * calls). The program's definition comes first in the dynamic linker's search, so libgit2's
 * call lands here; it goes on to zlib's own (dlsym RTLD_NEXT) with level 1 while
 * bp_deflate_fastest() is on, with the level asked for otherwise. A libgit2 with a zlib of
 * its own never calls it, and nothing changes. Single-threaded use, like the program: the
 * packbuilder opens its stream when it is created, before its threads start.
 */
#include <dlfcn.h>
#include <string.h>

#include "deflate.h"

/* zlib's stream, only ever handled through the pointer. */
struct z_stream_s;

int deflateInit_(struct z_stream_s *strm, int level, const char *version, int stream_size);

typedef int (*init_fn)(struct z_stream_s *, int, const char *, int);

#define Z_BEST_SPEED 1
#define Z_STREAM_ERROR (-2)

static int fastest;

int bp_deflate_fastest(int on)
{
	int was = fastest;

	fastest = on;
	return was;
}

int deflateInit_(struct z_stream_s *strm, int level, const char *version, int stream_size)
{
	void *sym = dlsym(RTLD_NEXT, "deflateInit_");
	init_fn real;

	if (!sym)
		return Z_STREAM_ERROR;
	/* POSIX's way from the object pointer dlsym returns to a function pointer. */
	memcpy(&real, &sym, sizeof(real));
	return real(strm, fastest ? Z_BEST_SPEED : level, version, stream_size);
}
