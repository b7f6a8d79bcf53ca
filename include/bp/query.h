/*
 * Queries: what a user types becomes a valid SQLite FTS5 expression, through our own parser.
 *
 * The language: words are ANDed; "a phrase"; prefix*; -word excludes; OR between two operands;
 * parentheses; AND may be written between operands; field prefixes title:, tag:, sector: and
 * author: restrict a word, phrase, prefix or parenthesised group to that field. Every word
 * reaches FTS5 quoted as a string ("tok", inner quotes doubled; a prefix keeps its '*' outside
 * the quotes), so no input can be read by FTS5 as an operator or a column name, and the result
 * is bound as a parameter, never pasted into SQL.
 *
 * A vocabulary (the sector crosswalk) lists groups of terms that name one thing in different
 * sectors (patron / client / patient); a query word in a group is expanded to the group.
 */
#ifndef BP_QUERY_H
#define BP_QUERY_H

#include <stddef.h>
#include "common.h"

/* Bounds on a query, checked before any work. */
#define BP_QUERY_MAX_BYTES 1024
#define BP_QUERY_MAX_TERMS 64
#define BP_QUERY_MAX_DEPTH 16

/* The FTS5 columns a query addresses, in the order of the index's FTS5 table. */
#define BP_FTS_COLUMNS "title, tags, body, sector, author"

struct bp_vocab;

/*
 * Parse a vocabulary file: a YAML mapping of group names to lists of terms,
 *
 *     library users: [patron, client, patient, student, member]
 *     interlibrary loan: [interlibrary loan, ILL, document delivery]
 *
 * A term is one or more words; matching is case-insensitive. Group names and terms are one
 * line of text, without control characters. `name` is used in messages
 * ("vocabulary.yaml:4: 'library users' must be a list of terms"). Bounded: at most 1000
 * groups, 100 terms a group, 100 bytes a term. *out is released with bp_vocab_free().
 */
int bp_vocab_parse(struct bp_vocab **out, const char *name, const char *text, size_t len,
		   struct bp_error *err);
void bp_vocab_free(struct bp_vocab *v);

/* The number of groups, and group i's name and terms (borrowed, live as long as `v`). */
size_t bp_vocab_group_count(const struct bp_vocab *v);
const char *bp_vocab_group_name(const struct bp_vocab *v, size_t i);
size_t bp_vocab_term_count(const struct bp_vocab *v, size_t group);
const char *bp_vocab_term(const struct bp_vocab *v, size_t group, size_t i);

struct bp_query;

enum bp_query_flags {
	BP_QUERY_EXACT = 1u << 0, /* no vocabulary expansion */
};

/*
 * Translate `text` into an FTS5 expression. `vocab` may be NULL. A word (not a prefix, not
 * inside a phrase; a quoted phrase that equals a term as a whole also counts) that is a term
 * of a vocabulary group, compared case-insensitively and also without a plural "s"/"es", is
 * replaced by ( "word" OR "other term" OR ... ) over the whole group, under the same field
 * prefix if any.
 *
 * Malformed input fails with BP_EINVALID and a message in the user's terms, never FTS5's:
 * "empty query", "unbalanced '('", "unterminated quote", "'OR' needs a word on each side",
 * "'-' must be followed by a word", "'title:' must be followed by a word", "a query must
 * contain a word that is not excluded", "query is too long" and so on. A word with a colon
 * that is not a known field ("e-mail:", "http://x") is searched as a word, not refused.
 * *out is released with bp_query_free().
 */
int bp_query_parse(struct bp_query **out, const char *text, const struct bp_vocab *vocab,
		   unsigned flags, struct bp_error *err);
void bp_query_free(struct bp_query *q);

/* The FTS5 expression, to bind to `MATCH ?`. Borrowed, lives as long as `q`. */
const char *bp_query_fts(const struct bp_query *q);

/*
 * The vocabulary expansions the query made, for telling the user: expansion i turned the
 * query's word *word into the terms of group *group. Borrowed.
 */
size_t bp_query_expansion_count(const struct bp_query *q);
void bp_query_expansion(const struct bp_query *q, size_t i, const char **word,
			const char **group);

#endif
