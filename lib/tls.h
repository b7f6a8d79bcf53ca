/* Deferred loading of the system's CA certificates: see tls.c. */
#ifndef BP_TLS_H
#define BP_TLS_H

#include <stddef.h>

/* Load the certificates libgit2 asked for at init; call before any network transfer. */
void bp_tls_load(void);

/*
 * Trust the certificates of `file` (PEM) for https instead of the system's, as git's
 * http.sslCAInfo and GIT_SSL_CAINFO do. Returns libgit2's result.
 */
int bp_tls_set_ca(const char *file);

/* How many loads are waiting (for tests). */
size_t bp_tls_pending(void);

#endif
