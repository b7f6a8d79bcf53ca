/*
 * Deferred loading of the system's CA certificates.
 *
 * Debian's libgit2 is built with mbedTLS, and its git_libgit2_init() parses the whole system
 * CA bundle (/etc/ssl/certs/ca-certificates.crt, some 140 certificates in base64) on every
 * start: about 50 million instructions, more than everything else a search does together,
 * although only an https fetch or push ever needs a certificate. So this file defines the two
 * mbedTLS functions libgit2 loads certificates with. A program's own definitions come first
 * in the dynamic linker's search, so libgit2's calls land here: each request is recorded, and
 * carried out through the real functions (dlsym RTLD_NEXT) by bp_tls_load(), which sync calls
 * before any transfer. A libgit2 built with OpenSSL never calls them, and nothing changes.
 *
 * The certificate chain libgit2 passes stays allocated and attached to its TLS configuration
 * from init to shutdown, so parsing into it later is what parsing into it at once would have
 * been. Single-threaded by design, like the program.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "libgit2.h"

#include "tls.h"

/* mbedTLS's certificate chain, only ever handled through the pointer. */
struct mbedtls_x509_crt;

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path);
int mbedtls_x509_crt_parse_path(struct mbedtls_x509_crt *chain, const char *path);

struct deferred {
	int is_path; /* parse_path (a folder) rather than parse_file */
	struct mbedtls_x509_crt *chain;
	char path[4096];
};

static struct deferred pending[8];
static size_t npending;
static int immediate; /* load at once (bp_tls_set_ca) */

typedef int (*parse_fn)(struct mbedtls_x509_crt *, const char *);

/* The real mbedTLS function, next in the search order after our own definition. */
static parse_fn lookup(int is_path)
{
	parse_fn fn;
	void *sym = dlsym(RTLD_NEXT, is_path ? "mbedtls_x509_crt_parse_path"
					     : "mbedtls_x509_crt_parse_file");

	/* POSIX's way from the object pointer dlsym returns to a function pointer. */
	memcpy(&fn, &sym, sizeof(fn));
	return fn;
}

static int defer(int is_path, struct mbedtls_x509_crt *chain, const char *path)
{
	parse_fn real;

	if (!immediate && npending < sizeof(pending) / sizeof(pending[0]) && path &&
	    strlen(path) < sizeof(pending[0].path)) {
		pending[npending].is_path = is_path;
		pending[npending].chain = chain;
		snprintf(pending[npending].path, sizeof(pending[npending].path), "%s", path);
		npending++;
		return 0;
	}
	/* Nowhere to keep it: do it now. */
	real = lookup(is_path);
	return real ? real(chain, path) : -1;
}

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path)
{
	return defer(0, chain, path);
}

int mbedtls_x509_crt_parse_path(struct mbedtls_x509_crt *chain, const char *path)
{
	return defer(1, chain, path);
}

void bp_tls_load(void)
{
	parse_fn file = lookup(0), path = lookup(1);
	size_t i;

	for (i = 0; i < npending; i++) {
		parse_fn fn = pending[i].is_path ? path : file;

		/* A bundle with one bad certificate still loads the others; mbedTLS says how
		 * many failed, which libgit2 would have ignored too. */
		if (fn)
			fn(pending[i].chain, pending[i].path);
	}
	npending = 0;
}

size_t bp_tls_pending(void)
{
	return npending;
}

int bp_tls_set_ca(const char *file)
{
	int rc;

	/*
	 * libgit2 frees the chain the default bundle was to be loaded into and parses `file`
	 * into a new one: the pending load must happen first (into the chain while it lives),
	 * and the new one at once, not deferred.
	 */
	bp_tls_load();
	immediate = 1;
	rc = git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, NULL);
	immediate = 0;
	return rc;
}
