/*
 * What the query parser needs of a vocabulary beyond bp/query.h: the comparison key of a
 * term and the lookup of a key. Private to the library.
 */
#ifndef BP_VOCAB_H
#define BP_VOCAB_H

#include <stddef.h>
#include "bp/query.h"
#include "util.h"

/*
 * Append the comparison key of `len` bytes of UTF-8 text: Unicode simple case folding, runs of
 * blanks as one space, no blank at either end. Returns 0 or BP_ENOMEM.
 */
int bp_vocab_fold(struct bp_buf *b, const char *s, size_t len);

/*
 * The group holding a term whose key is `key` (the first such group in the file), with the
 * index of that term in *term; -1 when there is none.
 */
long bp_vocab_lookup(const struct bp_vocab *v, const char *key, size_t *term);

/* The key of term i of `group`, as bp_vocab_fold() made it. Borrowed. */
const char *bp_vocab_term_key(const struct bp_vocab *v, size_t group, size_t i);

#endif
