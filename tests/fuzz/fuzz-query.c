/*
 * Fuzz target: the query translator. Every query it accepts must run, as the search command
 * runs it (MATCH bound as a parameter, with snippet() and bm25()), against a real in-memory
 * FTS5 table of the index's columns and tokenizer without any SQLite error; an error there is
 * what a user would see as "fts5: syntax error" and is the finding. A refused query must fail
 * with BP_EINVALID and a message of our own.
 *
 * The query is translated without a vocabulary, with one, and with one but BP_QUERY_EXACT; a
 * vocabulary cannot change whether a query is valid, and with BP_QUERY_EXACT it cannot change
 * the expression either. The vocabulary is the sample KB's crosswalk, or, when the input holds
 * a NUL byte, the YAML before it (the query being what follows it).
 */
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "bp/query.h"
#include "fuzz.h"

/* A crosswalk in the shape of kb-sample/vocabulary.yaml: plurals, phrases, shared terms. */
static const char vocab_yaml[] =
	"people served: [patron, patrons, client, patient, student, pupil, \"fee earner\"]\n"
	"removing stock: [weeding, deselection, withdrawal, deaccession]\n"
	"getting items from elsewhere: [\"interlibrary loan\", ILL, \"document delivery\"]\n"
	"gifts: [donation, gift, bequest, accession, \"offer of gift\"]\n"
	"learners: [student, pupil]\n"
	"collections: [library, archive, repository]\n"
	"odd: [\"a \\\"quoted\\\" term\", \"c++\", \"e-mail\", \"x:y\", \"caf\xc3\xa9\"]\n";

static const char *const rows[][5] = {
	/* title, tags, body, sector, author */
	{"Cataloguing serials at the caf\xc3\xa9", "cataloguing serials",
	 "How we catalogued the serials backlog in a week.", "law", "Ada Smith"},
	{"Patron privacy", "privacy circulation",
	 "Keep circulation records of patrons private; answer e-mail with care.", "public",
	 "Bob Jones"},
	{"Triaging reference questions", "reference time-management",
	 "A three-minute rule for the reference desk: clients and patients alike.", "medical",
	 "Ada Smith"},
	{"Document delivery without tears", "ill",
	 "Interlibrary loan in a one-person library. No C++ needed. OR AND NOT NEAR", "corporate",
	 "Cy Young"},
};

static sqlite3 *db;
static sqlite3_stmt *search;
static struct bp_vocab *sample_vocab;

static void setup(void)
{
	struct bp_error err = {0};
	sqlite3_stmt *st = NULL;
	size_t i, c;

	if (db)
		return;
	FUZZ_CHECK(!bp_vocab_parse(&sample_vocab, "vocabulary.yaml", vocab_yaml,
				   sizeof(vocab_yaml) - 1, &err),
		   "the sample vocabulary: %s", err.msg);
	FUZZ_CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK, "sqlite3_open failed");
	FUZZ_CHECK(sqlite3_exec(db,
				"CREATE VIRTUAL TABLE fts USING fts5(" BP_FTS_COLUMNS
				", tokenize = 'porter unicode61 remove_diacritics 2')",
				NULL, NULL, NULL) == SQLITE_OK,
		   "%s", sqlite3_errmsg(db));
	FUZZ_CHECK(sqlite3_prepare_v2(db,
				      "INSERT INTO fts(rowid, title, tags, body, sector, author) "
				      "VALUES (?, ?, ?, ?, ?, ?)",
				      -1, &st, NULL) == SQLITE_OK,
		   "%s", sqlite3_errmsg(db));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sqlite3_bind_int(st, 1, (int)i + 1);
		for (c = 0; c < 5; c++)
			sqlite3_bind_text(st, (int)c + 2, rows[i][c], -1, SQLITE_STATIC);
		FUZZ_CHECK(sqlite3_step(st) == SQLITE_DONE, "%s", sqlite3_errmsg(db));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	/* What lib/search.c asks of a MATCH: a snippet of the body and a weighted bm25. */
	FUZZ_CHECK(sqlite3_prepare_v2(db,
				      "SELECT rowid, snippet(fts, 2, '[', ']', '...', 16), "
				      "round(-bm25(fts, 10.0, 5.0, 1.0, 0.5, 0.5), 4) FROM fts "
				      "WHERE fts MATCH ?1 "
				      "ORDER BY bm25(fts, 10.0, 5.0, 1.0, 0.5, 0.5) LIMIT 20",
				      -1, &search, NULL) == SQLITE_OK,
		   "%s", sqlite3_errmsg(db));
}

/* Words of SQLite and FTS5 that must never reach a user in our messages. */
static int leaks_engine_words(const char *msg)
{
	static const char *const words[] = {"fts5", "syntax error", "no such column", "sqlite",
					    "malformed", "unterminated string", "parser stack"};
	size_t i, j, n;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		for (j = 0, n = strlen(words[i]); msg[j]; j++)
			if (!strncasecmp(msg + j, words[i], n))
				return 1;
	return 0;
}

static void run_match(const char *text, const char *fts)
{
	int rc;

	sqlite3_reset(search);
	sqlite3_bind_text(search, 1, fts, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(search)) == SQLITE_ROW)
		;
	FUZZ_CHECK(rc == SQLITE_DONE, "query '%s' became '%s': SQLite says: %s", text, fts,
		   sqlite3_errmsg(db));
	sqlite3_reset(search);
	sqlite3_clear_bindings(search);
}

/* Translate and run one query; returns the translation (the caller frees it) or NULL. */
static struct bp_query *translate(const char *text, const struct bp_vocab *v, unsigned flags)
{
	struct bp_error err = {0};
	struct bp_query *q = (struct bp_query *)&err; /* must be reset to NULL on failure */
	const char *word, *group;
	size_t i, n;
	int rc;

	rc = bp_query_parse(&q, text, v, flags, &err);
	if (rc) {
		FUZZ_CHECK(rc == BP_EINVALID, "query '%s' failed with %d: %s", text, rc, err.msg);
		FUZZ_CHECK(!q, "query '%s' failed but left *out set", text);
		FUZZ_CHECK(err.msg[0] && !leaks_engine_words(err.msg),
			   "query '%s' refused with '%s'", text, err.msg);
		return NULL;
	}
	FUZZ_CHECK(q && bp_query_fts(q) && *bp_query_fts(q), "query '%s': no expression", text);
	run_match(text, bp_query_fts(q));
	n = bp_query_expansion_count(q);
	FUZZ_CHECK(!n || (v && !(flags & BP_QUERY_EXACT)), "query '%s': %zu expansions", text, n);
	for (i = 0; i < n; i++) {
		bp_query_expansion(q, i, &word, &group);
		FUZZ_CHECK(word && *word && group, "query '%s': expansion %zu is empty", text, i);
	}
	return q;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	struct bp_vocab *own = NULL;
	const struct bp_vocab *v;
	struct bp_query *plain, *expanded, *exact;
	struct bp_error err;
	char *text;

	setup();
	v = sample_vocab;
	if (nul) {
		/* The vocabulary is the input's, if it is one. */
		if (bp_vocab_parse(&own, "fuzz.yaml", (const char *)data, (size_t)(nul - data),
				   &err))
			own = NULL;
		v = own;
		text = fuzz_strndup(nul + 1, size - (size_t)(nul - data) - 1);
	} else {
		text = fuzz_strndup(data, size);
	}
	plain = translate(text, NULL, 0);
	expanded = translate(text, v, 0);
	exact = translate(text, v, BP_QUERY_EXACT);
	FUZZ_CHECK(!plain == !expanded && !plain == !exact,
		   "query '%s': accepted %s vocabulary, %s, %s BP_QUERY_EXACT", text,
		   plain ? "without" : "not without", expanded ? "with" : "not with",
		   exact ? "with" : "not with");
	if (plain)
		FUZZ_CHECK(!strcmp(bp_query_fts(plain), bp_query_fts(exact)),
			   "query '%s': '%s' without vocabulary, '%s' with BP_QUERY_EXACT", text,
			   bp_query_fts(plain), bp_query_fts(exact));
	bp_query_free(plain);
	bp_query_free(expanded);
	bp_query_free(exact);
	bp_vocab_free(own);
	free(text);
	return 0;
}
