/* Deferred loading of the system's CA certificates: see tls.c. */
#ifndef BP_TLS_H
#define BP_TLS_H

#include <stddef.h>

/* Load the certificates libgit2 asked for at init; call before any network transfer. */
void bp_tls_load(void);

/* How many loads are waiting (for tests). */
size_t bp_tls_pending(void);

#endif
