/*
 * Fuzz target: the vocabulary parser. A vocabulary travels with a shared KB, so a peer writes
 * it. What is refused fails with BP_EINVALID and a message; what is accepted keeps the bounds
 * of bp/query.h (at most 1000 groups, 1 to 100 terms a group, terms of one line and at most
 * 100 bytes, valid UTF-8), every term is found by its own key, and a query that quotes a term
 * whole is expanded to a group, as bp_query_parse promises.
 */
#include <string.h>

#include "bp/query.h"
#include "fuzz.h"
#include "vocab.h"

/* Quote `term` whole as a query phrase, if it holds no quote; expect it to be expanded. */
static void check_term_query(const struct bp_vocab *v, const char *term)
{
	struct bp_error err = {0};
	struct bp_query *q = NULL;
	char text[256];

	if (strchr(term, '"'))
		return;
	snprintf(text, sizeof(text), "\"%s\"", term);
	if (bp_query_parse(&q, text, v, 0, &err)) {
		/* A term of no letter or digit ("!!!") is no word to search for. */
		FUZZ_CHECK(err.code == BP_EINVALID, "query %s: %s", text, err.msg);
		return;
	}
	FUZZ_CHECK(bp_query_expansion_count(q) >= 1, "query %s: no expansion, gave %s", text,
		   bp_query_fts(q));
	bp_query_free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bp_vocab *v = (struct bp_vocab *)&v; /* must be reset to NULL on failure */
	struct bp_error err = {0};
	size_t g, h, i, j, ng, nt, len, term, queries = 0;
	const char *name, *t, *key;
	long found;
	int rc;

	rc = bp_vocab_parse(&v, "fuzz.yaml", (const char *)data, size, &err);
	if (rc) {
		FUZZ_CHECK(rc == BP_EINVALID, "failed with %d: %s", rc, err.msg);
		FUZZ_CHECK(!v, "failed but left *out set");
		FUZZ_CHECK(err.msg[0] && fuzz_utf8_valid(err.msg, strlen(err.msg), NULL),
			   "error '%s'", err.msg);
		return 0;
	}
	ng = bp_vocab_group_count(v);
	FUZZ_CHECK(ng <= 1000, "%zu groups", ng);
	for (g = 0; g < ng; g++) {
		name = bp_vocab_group_name(v, g);
		FUZZ_CHECK(name && *name && fuzz_utf8_valid(name, strlen(name), NULL),
			   "group %zu has no name", g);
		for (h = 0; h < g; h++)
			FUZZ_CHECK(strcmp(name, bp_vocab_group_name(v, h)),
				   "group '%s' appears twice", name);
		nt = bp_vocab_term_count(v, g);
		FUZZ_CHECK(nt >= 1 && nt <= 100, "group '%s' has %zu terms", name, nt);
		for (i = 0; i < nt; i++) {
			t = bp_vocab_term(v, g, i);
			len = strlen(t);
			FUZZ_CHECK(len && len <= 100, "term '%s' of %zu bytes", t, len);
			FUZZ_CHECK(fuzz_utf8_valid(t, len, NULL), "term '%s': invalid UTF-8", t);
			for (j = 0; j < len; j++)
				FUZZ_CHECK((unsigned char)t[j] >= 0x20 && t[j] != 0x7F,
					   "term '%s': a control character", t);
			/* The lookup finds the first group holding a term of the same key. */
			key = bp_vocab_term_key(v, g, i);
			found = bp_vocab_lookup(v, key, &term);
			FUZZ_CHECK(found >= 0 && (size_t)found <= g,
				   "term '%s' (key '%s') found in %ld", t, key, found);
			FUZZ_CHECK(!strcmp(bp_vocab_term_key(v, (size_t)found, term), key),
				   "term '%s' found as another key", t);
			if (queries++ < 20)
				check_term_query(v, t);
		}
	}
	bp_vocab_free(v);
	return 0;
}
