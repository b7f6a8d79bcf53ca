/*
 * Unit tests of lib/query.c and lib/vocab.c. Every expression the parser writes is run by a
 * real SQLite FTS5 table with the index's tokenizer: a query either parses to an expression
 * that SQLite accepts, or fails in bp_query_parse with a message in the user's terms.
 */
#include <stdlib.h>
#include <strings.h>

#include <sqlite3.h>

#include "bp/query.h"
#include "harness.h"
#include "util.h"

static sqlite3 *db;
static struct bp_vocab *vocab;

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
	 "Interlibrary loan in a one-person library. No C++ needed.", "corporate", "Cy Young"},
	{"Cafe culture in the reading room", "events",
	 "Coffee, cakes and catalogue talks for students in the archives.", "school", "Dee Lee"},
};

static const char vocab_yaml[] = "# The sector crosswalk\n"
				 "library users: [patron, client, patient, student, member]\n"
				 "interlibrary loan:\n"
				 "  - interlibrary loan\n"
				 "  - ILL\n"
				 "  - document delivery\n"
				 "learners: [student, pupil]\n"
				 "collections: [library, archive, repository]\n";

static void open_db(void)
{
	sqlite3_stmt *st = NULL;
	size_t i, c;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db,
			 "CREATE VIRTUAL TABLE t USING fts5(" BP_FTS_COLUMNS
			 ", tokenize='porter unicode61 remove_diacritics 2')",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t(rowid, title, tags, body, sector, author) "
				   "VALUES (?, ?, ?, ?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK) {
		printf("Bail out! %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	for (i = 0; i < BP_ARRAY_SIZE(rows); i++) {
		sqlite3_bind_int(st, 1, (int)i + 1);
		for (c = 0; c < 5; c++)
			sqlite3_bind_text(st, (int)c + 2, rows[i][c], -1, SQLITE_STATIC);
		CHECK_INT(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
}

/*
 * Run `fts` with MATCH ? bound as a parameter; the ids of the matching rows, "1,3", in *ids
 * (static). Returns the SQLite result of the last step: SQLITE_DONE when all went well.
 */
static int run_match(const char *fts, const char **ids)
{
	static char buf[256];
	sqlite3_stmt *st = NULL;
	size_t len = 0;
	int rc;

	buf[0] = '\0';
	*ids = buf;
	rc = sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid", -1, &st,
				NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, fts, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%d", len ? "," : "",
					sqlite3_column_int(st, 0));
	sqlite3_finalize(st);
	return rc;
}

/* FTS5's and SQLite's words, which a user must never see. */
static int leaks_engine_words(const char *msg)
{
	static const char *const words[] = {"fts5", "syntax error", "no such column", "sqlite",
					    "malformed", "unterminated string", "parser stack"};
	size_t i, j, n;

	for (i = 0; i < BP_ARRAY_SIZE(words); i++)
		for (j = 0, n = strlen(words[i]); msg[j]; j++)
			if (!strncasecmp(msg + j, words[i], n))
				return 1;
	return 0;
}

/*
 * The core guarantee, for one input: it parses to an expression SQLite runs without error,
 * or it fails with BP_EINVALID and a message of our own. Returns 1 when it parsed.
 */
static int check_safe(const char *text, const struct bp_vocab *v)
{
	struct bp_error err = {0};
	struct bp_query *q = NULL;
	const char *ids;
	int ret, rc;

	ret = bp_query_parse(&q, text, v, 0, &err);
	if (ret) {
		CHECK_INT(ret, BP_EINVALID);
		CHECK(q == NULL);
		CHECK(err.msg[0] && !leaks_engine_words(err.msg));
		if (ret != BP_EINVALID || !err.msg[0] || leaks_engine_words(err.msg))
			printf("#   input \"%s\": %d %s\n", text, ret, err.msg);
		return 0;
	}
	rc = run_match(bp_query_fts(q), &ids);
	CHECK_INT(rc, SQLITE_DONE);
	if (rc != SQLITE_DONE)
		printf("#   input \"%s\" gave %s: %s\n", text, bp_query_fts(q), sqlite3_errmsg(db));
	bp_query_free(q);
	return 1;
}

static char *fts_of(const char *text, const struct bp_vocab *v, unsigned flags)
{
	struct bp_error err = {0};
	struct bp_query *q = NULL;
	char *s;

	if (bp_query_parse(&q, text, v, flags, &err)) {
		printf("#   \"%s\" failed: %s\n", text, err.msg);
		return NULL;
	}
	s = bp_strdup(bp_query_fts(q));
	bp_query_free(q);
	return s;
}

static void test_expressions(void)
{
	static const struct {
		const char *in, *fts;
	} cases[] = {
		{"catalogue", "\"catalogue\""},
		{"a b", "(\"a\" AND \"b\")"},
		{"a AND b", "(\"a\" AND \"b\")"},
		{"a OR b", "(\"a\" OR \"b\")"},
		{"a b OR c", "((\"a\" AND \"b\") OR \"c\")"},
		{"a -b", "(\"a\" NOT \"b\")"},
		{"a NOT b", "(\"a\" NOT \"b\")"},
		{"a -b -c", "(\"a\" NOT (\"b\" OR \"c\"))"},
		{"a b -c", "((\"a\" AND \"b\") NOT \"c\")"},
		{"-(a b) c", "(\"c\" NOT (\"a\" AND \"b\"))"},
		{"pre*", "\"pre\"*"},
		{"pre**", "\"pre\"*"},
		{"\"a phrase\"", "\"a phrase\""},
		{"\"a\"\"b\"", "(\"a\" AND \"b\")"},
		{"title:a", "title : \"a\""},
		{"TITLE:a", "title : \"a\""},
		{"title: a", "title : \"a\""},
		{"tag:a*", "tags : \"a\"*"},
		{"tags:a", "tags : \"a\""},
		{"sector:law", "sector : \"law\""},
		{"Author:\"ada smith\"", "author : \"ada smith\""},
		{"title:(a OR b)", "(title : \"a\" OR title : \"b\")"},
		{"title:(a -b)", "(title : \"a\" NOT title : \"b\")"},
		{"title:(a tag:b)", "(title : \"a\" AND tags : \"b\")"},
		{"a -title:b", "(\"a\" NOT title : \"b\")"},
		{"e-mail", "\"e-mail\""},
		{"c++", "\"c++\""},
		{"don't", "\"don't\""},
		{"x:y:z", "\"x:y:z\""},
		{"col:x", "\"col:x\""},
		{"http://example.org/x", "\"http://example.org/x\""},
		{"{title}:x", "\"{title}:x\""},
		{"or", "\"or\""},
		{"a or b", "(\"a\" AND \"or\" AND \"b\")"},
		{"Not and", "(\"Not\" AND \"and\")"},
		{"NEAR(a b)", "((\"a\" AND \"b\") AND \"NEAR\")"},
		{"a NEAR/3 b", "(\"a\" AND \"NEAR/3\" AND \"b\")"},
		{"^a", "\"^a\""},
		{"a !!! b", "(\"a\" AND \"b\")"},
		{"a + b", "(\"a\" AND \"b\")"},
		{"a OR !!!", "\"a\""},
		{"\"OR\" \"AND\"", "(\"OR\" AND \"AND\")"},
		{"a\tOR\nb", "(\"a\" OR \"b\")"},
		/* The deepest operand first: FTS5's parser stack holds one '(' per level. */
		{"a OR b c", "((\"b\" AND \"c\") OR \"a\")"},
		{"a (b OR c)", "((\"b\" OR \"c\") AND \"a\")"},
	};
	size_t i;
	char *s;

	for (i = 0; i < BP_ARRAY_SIZE(cases); i++) {
		s = fts_of(cases[i].in, NULL, 0);
		CHECK_STR(s, cases[i].fts);
		bp_free(s);
	}
}

static void test_matches(void)
{
	static const struct {
		const char *in;
		int use_vocab;
		unsigned flags;
		const char *ids, *fts; /* fts: NULL when not checked */
	} cases[] = {
		/* porter stemming and remove_diacritics */
		{"catalogued", 0, 0, "1,5", NULL},
		{"cataloguing", 0, 0, "1,5", NULL},
		{"caf\xc3\xa9", 0, 0, "1,5", NULL},
		{"CAFE", 0, 0, "1,5", NULL},
		/* phrases and prefixes */
		{"\"reference desk\"", 0, 0, "3", NULL},
		{"\"desk reference\"", 0, 0, "", NULL},
		{"catal*", 0, 0, "1,5", NULL},
		{"ref*", 0, 0, "3", NULL},
		/* exclusion, OR, AND, parentheses */
		{"privacy -records", 0, 0, "", NULL},
		{"privacy -desk", 0, 0, "2", NULL},
		{"ada -triaging", 0, 0, "1", NULL},
		{"ada NOT triaging", 0, 0, "1", NULL},
		{"privacy OR triaging", 0, 0, "2,3", NULL},
		{"(privacy OR triaging) ada", 0, 0, "3", NULL},
		{"ada AND (serials OR reference)", 0, 0, "1,3", NULL},
		{"-(serials OR tears) ada", 0, 0, "3", NULL},
		{"ada -(serials desk)", 0, 0, "1,3", NULL},
		{"ada -(serials OR desk)", 0, 0, "", NULL},
		/* fields */
		{"title:cafe", 0, 0, "1,5", NULL},
		{"title:catalogued", 0, 0, "1", NULL},
		{"tag:privacy", 0, 0, "2", NULL},
		{"tags:reference", 0, 0, "3", NULL},
		{"tag:circulation -title:privacy", 0, 0, "", NULL},
		{"sector:medical", 0, 0, "3", NULL},
		{"author:smith", 0, 0, "1,3", NULL},
		{"author:smith -sector:law", 0, 0, "3", NULL},
		{"title:(serials OR tears)", 0, 0, "1,4", NULL},
		{"title:\"patron privacy\"", 0, 0, "2", NULL},
		{"title:patron*", 0, 0, "2", NULL},
		/* words FTS5 splits: one quoted string, a phrase to FTS5 */
		{"e-mail", 0, 0, "2", NULL},
		{"c++", 0, 0, "4", NULL},
		{"one-person", 0, 0, "4", NULL},
		{"\"e-mail\" OR tears", 0, 0, "2,4", NULL},
		/* vocabulary expansion */
		{"patron", 1, 0, "2,3,5",
		 "(\"patron\" OR \"client\" OR \"patient\" OR \"student\" OR \"member\")"},
		{"Patrons", 1, 0, "2,3,5",
		 "(\"Patrons\" OR \"patron\" OR \"client\" OR \"patient\" OR \"student\" OR "
		 "\"member\")"},
		{"patron", 1, BP_QUERY_EXACT, "2", "\"patron\""},
		{"patr*", 1, 0, "2", "\"patr\"*"},
		{"title:patron", 1, 0, "2", NULL},
		{"patron -sector:public", 1, 0, "3,5", NULL},
		{"ILL", 1, 0, "4", "(\"ILL\" OR \"interlibrary loan\" OR \"document delivery\")"},
		{"\"Document  Delivery\"", 1, 0, "4", NULL},
		{"tag:ill", 1, 0, "4",
		 "(tags : \"ill\" OR tags : \"interlibrary loan\" OR tags : \"document delivery\")"},
		{"libraries", 1, 0, "4,5", NULL},
		{"archives", 1, 0, "4,5", NULL},
		{"students", 1, 0, "2,3,5", NULL},
	};
	size_t i;
	char *s;
	const char *ids;

	for (i = 0; i < BP_ARRAY_SIZE(cases); i++) {
		s = fts_of(cases[i].in, cases[i].use_vocab ? vocab : NULL, cases[i].flags);
		CHECK(s != NULL);
		if (!s)
			continue;
		if (cases[i].fts)
			CHECK_STR(s, cases[i].fts);
		CHECK_INT(run_match(s, &ids), SQLITE_DONE);
		CHECK_STR(ids, cases[i].ids);
		if (strcmp(ids, cases[i].ids))
			printf("#   for \"%s\" (%s)\n", cases[i].in, s);
		bp_free(s);
	}
}

static void test_hostile_inputs(void)
{
	static const struct {
		const char *in;
		const char *msg; /* the expected error, NULL: success, "": any error */
	} cases[] = {
		{"", "empty query"},
		{"  \t\n ", "empty query"},
		{"AND OR", "'AND' needs a word on each side"},
		{"AND", "'AND' needs a word on each side"},
		{"OR", "'OR' needs a word on each side"},
		{"(((", "unbalanced '('"},
		{"((a)", "unbalanced '('"},
		{"a)", "unbalanced ')'"},
		{")", "unbalanced ')'"},
		{"a ) (", "unbalanced ')'"},
		{"()", "empty parentheses"},
		{"(a OR)", "'OR' needs a word on each side"},
		{"( -)", "'-' must be followed by a word"},
		{"-", "'-' must be followed by a word"},
		{"a - b", "'-' must be followed by a word"},
		{"- -a", "'-' must be followed by a word"},
		{"--a", "'-' must be followed by a word"},
		{"title:", "'title:' must be followed by a word"},
		{"title: x", NULL}, /* blanks may follow the colon */
		{"title:-", "'-' must be followed by a word"},
		{"title:-x", "'title:' must be followed by a word"},
		{"title:tag:x", "'title:' must be followed by a word"},
		{"\"unterminated", "unterminated quote"},
		{"title:\"x", "unterminated quote"},
		{"OR a", "'OR' needs a word on each side"},
		{"a OR", "'OR' needs a word on each side"},
		{"a OR OR b", "'OR' needs a word on each side"},
		{"a OR b OR", "'OR' needs a word on each side"},
		{"a AND", "'AND' needs a word on each side"},
		{"a AND AND b", "'AND' needs a word on each side"},
		{"a AND OR b", "'AND' needs a word on each side"},
		{"NOT", "'NOT' must be followed by a word"},
		{"a NOT", "'NOT' must be followed by a word"},
		{"* ", "query has no words to search for"},
		{"**", "query has no words to search for"},
		{"!!! ???", "query has no words to search for"},
		{"\"\"", "query has no words to search for"},
		{"-a", "a query must contain a word that is not excluded"},
		{"NOT a", "a query must contain a word that is not excluded"},
		{"a OR -b", "a query must contain a word that is not excluded"},
		{"-a -b", "a query must contain a word that is not excluded"},
		{"!!! -b", "a query must contain a word that is not excluded"},
		{"caf\xe9", "query is not valid UTF-8"},
		{"\xff\xfe", "query is not valid UTF-8"},
		{"'; DROP TABLE t; --", "'-' must be followed by a word"},
		{"\"; DROP TABLE t; --", ""},
		{"x'); DROP TABLE t; SELECT ('", "unbalanced ')'"},
		{"x' OR 1=1; --", "'-' must be followed by a word"},
		{"x' OR '1'='1", NULL},
		{"a NEAR/3 b", NULL},
		{"NEAR(a b)", NULL},
		{"NEAR", NULL},
		{"col:x", NULL},
		{"mail:x", NULL},
		{"{title}:x", NULL},
		{"{title body}:x", NULL},
		{"^a", NULL},
		{"a + b", NULL},
		{"\"a\"\"b\"", NULL},
		{"x:y:z", NULL},
		{"title::x", NULL},
		{"title :x", NULL},
		{"e-mail:", NULL},
		{"http://example.org/?q=a&b=\"c\"", NULL},
		{"title:(a OR b)", NULL},
		{"tag:(a -b)", NULL},
		{"-(a b) c", NULL},
		{"a -(-b c)", NULL},
		{"a -b -c", NULL},
		{"a*b*", NULL},
		{"*a", NULL},
		{"-*a", ""},
		{"c++ AND c#", NULL},
		{"a\x01" "b \x1b[31mred\x7f", NULL},
		{"\xe2\x80\xae" "reversed", NULL},
		{"\xef\xbb\xbf" "bom", NULL},
		{"\xcc\x81", "query has no words to search for"},
		{"\"OR\" \"AND\" \"NOT\"", NULL},
		{"\"a NOT b\"", NULL},
		{"\"title:x\"", NULL},
		{"\"*\"", "query has no words to search for"},
		{"\"a\"*", NULL},
		{"a AND -b", NULL},
		{"(a) (b) (c)", NULL},
		{"((((a))))", NULL},
		{"a:(b)", NULL},
		{"rank:1", NULL},
		{"t MATCH 'x'", NULL},
	};
	size_t i;

	for (i = 0; i < BP_ARRAY_SIZE(cases); i++) {
		struct bp_error err = {0};
		struct bp_query *q = NULL;
		int ret;

		CHECK_INT(check_safe(cases[i].in, vocab), cases[i].msg == NULL);
		ret = bp_query_parse(&q, cases[i].in, vocab, 0, &err);
		if (cases[i].msg && *cases[i].msg) {
			CHECK_INT(ret, BP_EINVALID);
			CHECK_STR(err.msg, cases[i].msg);
		}
		if (!ret != !cases[i].msg)
			printf("#   input \"%s\": %s\n", cases[i].in, ret ? err.msg : "parsed");
		bp_query_free(q);
	}
	CHECK(BP_ARRAY_SIZE(cases) >= 40);
}

static char *repeat(const char *head, const char *s, size_t n, const char *tail)
{
	struct bp_buf b = BP_BUF_INIT;

	bp_buf_addstr(&b, head);
	while (n--)
		bp_buf_addstr(&b, s);
	bp_buf_addstr(&b, tail);
	return bp_buf_detach(&b, NULL);
}

static void check_error(char *text, const char *msg)
{
	struct bp_error err = {0};
	struct bp_query *q = NULL;

	CHECK_INT(bp_query_parse(&q, text, vocab, 0, &err), BP_EINVALID);
	CHECK_STR(err.msg, msg);
	CHECK(q == NULL);
	bp_free(text);
}

static void check_accepted(char *text)
{
	CHECK_INT(check_safe(text, vocab), 1);
	bp_free(text);
}

static void test_bounds(void)
{
	char *s;

	/* Bytes: 1024 is fine, 1025 and 2000 are not. */
	s = repeat("", "a", BP_QUERY_MAX_BYTES, "");
	check_accepted(s);
	check_error(repeat("", "a", BP_QUERY_MAX_BYTES + 1, ""),
		    "query is too long (at most 1024 bytes)");
	check_error(repeat("", "ab ", 667, ""), "query is too long (at most 1024 bytes)");
	/* Words. */
	check_accepted(repeat("", "w ", BP_QUERY_MAX_TERMS, ""));
	check_error(repeat("", "w ", BP_QUERY_MAX_TERMS + 1, ""),
		    "query has too many words (at most 64)");
	check_error(repeat("", "w ", 100, ""), "query has too many words (at most 64)");
	check_error(repeat("", "\"a b\" ", 100, ""), "query has too many words (at most 64)");
	/* Nesting: 16 levels is fine, 17 and 50 are not. */
	check_accepted(repeat("", "(a ", BP_QUERY_MAX_DEPTH, "z))))))))))))))))"));
	check_error(repeat("", "(a ", BP_QUERY_MAX_DEPTH + 1, "z)))))))))))))))))"),
		    "query nests parentheses too deeply (at most 16)");
	s = repeat("", "(", 50, "a");
	check_error(s, "unbalanced '('");
	{
		char *open = repeat("", "(", 50, "a"), *both = repeat(open, ")", 50, "");

		check_error(both, "query nests parentheses too deeply (at most 16)");
		bp_free(open);
	}
	/* The shapes that load FTS5's parser stack most, at the bounds. */
	check_accepted(repeat("", "x -(y OR ", 16, "z))))))))))))))))"));
	check_accepted(repeat("", "a -b -(c OR ", 16, "z))))))))))))))))"));
	check_accepted(repeat("", "b OR (a -c ", 16, "z))))))))))))))))"));
	check_accepted(repeat("", "title:(c OR a -b -(", 8, "patron))))))))))))))))"));
	check_accepted(repeat("", "-b -c -d a ", 16, ""));
}

/* A small deterministic generator (an LCG), so that a failure can be replayed. */
static unsigned long rnd_state = 12345;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005ul + 1442695040888963407ul;
	return (unsigned)((rnd_state >> 33) % n);
}

/* Random token soup: the pieces users and attackers type, glued with or without spaces. */
static void test_random_soup(void)
{
	static const char *const pieces[] = {
		"a", "b*", "patron", "ILL", "\"c d\"", "\"", "(", ")", "-", "NOT", "AND", "OR",
		"or", "title:", "tag:", "x:", ":", "*", "**", "!!!", "e-mail", "c++", "NEAR",
		"NEAR/2", "^", "{", "}", "'", ";", "\\", "caf\xc3\xa9", "\xe2\x80\xae", "\x01",
		"\"\"", "+", ",", ".",
	};
	char text[512];
	size_t i, k, n, len;
	unsigned parsed = 0;

	for (i = 0; i < 20000; i++) {
		n = 1 + rnd(12);
		len = 0;
		for (k = 0; k < n; k++) {
			const char *p = pieces[rnd(BP_ARRAY_SIZE(pieces))];

			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s", p,
						rnd(3) ? " " : "");
		}
		parsed += (unsigned)check_safe(text, vocab);
	}
	/* Not all errors: the soup must also exercise the writer. */
	CHECK(parsed > 2000);
}

/* Random well-formed nesting near the bounds: the FTS5 parser's stack must hold. */
static void gen_nested(struct bp_buf *b, int depth, int *budget)
{
	static const char *const ops[] = {"", "", "-", "NOT ", "title:", "tag:"};
	static const char *const joins[] = {" ", " ", " OR ", " AND "};
	static const char *const words[] = {"a", "b*", "\"c d\"", "patron", "!!!"};
	unsigned n = 1 + rnd(4), k;

	for (k = 0; k < n && *budget > 0; k++) {
		if (k)
			bp_buf_addstr(b, joins[rnd(BP_ARRAY_SIZE(joins))]);
		bp_buf_addstr(b, ops[rnd(BP_ARRAY_SIZE(ops))]);
		if (depth > 0 && rnd(3)) {
			bp_buf_addch(b, '(');
			gen_nested(b, depth - 1, budget);
			bp_buf_addch(b, ')');
		} else {
			bp_buf_addstr(b, words[rnd(BP_ARRAY_SIZE(words))]);
			--*budget;
		}
	}
	if (!k) {
		bp_buf_addstr(b, "a");
		--*budget;
	}
}

static void test_random_nesting(void)
{
	struct bp_buf b = BP_BUF_INIT;
	unsigned parsed = 0;
	int i, budget;

	for (i = 0; i < 5000; i++) {
		bp_buf_truncate(&b, 0);
		budget = BP_QUERY_MAX_TERMS;
		gen_nested(&b, BP_QUERY_MAX_DEPTH, &budget);
		parsed += (unsigned)check_safe(bp_buf_cstr(&b), vocab);
	}
	CHECK(parsed > 500);
	bp_buf_release(&b);
}

static void test_expansions_reported(void)
{
	struct bp_query *q = NULL;
	const char *word, *group;

	CHECK_INT(bp_query_parse(&q, "Patrons OR students -\"document delivery\" patr* Patrons",
				 vocab, 0, NULL),
		  0);
	CHECK_INT(bp_query_expansion_count(q), 3);
	bp_query_expansion(q, 0, &word, &group);
	CHECK_STR(word, "Patrons");
	CHECK_STR(group, "library users");
	bp_query_expansion(q, 1, &word, &group);
	CHECK_STR(word, "students");
	CHECK_STR(group, "library users"); /* the first group that has the term */
	bp_query_expansion(q, 2, &word, &group);
	CHECK_STR(word, "document delivery");
	CHECK_STR(group, "interlibrary loan");
	bp_query_free(q);

	CHECK_INT(bp_query_parse(&q, "patron", vocab, BP_QUERY_EXACT, NULL), 0);
	CHECK_INT(bp_query_expansion_count(q), 0);
	bp_query_free(q);
	CHECK_INT(bp_query_parse(&q, NULL, vocab, 0, NULL), BP_EINVALID);
	CHECK(q == NULL);
	CHECK_INT(bp_query_parse(&q, "patron", NULL, 0, NULL), 0);
	CHECK_INT(bp_query_expansion_count(q), 0);
	CHECK_STR(bp_query_fts(q), "\"patron\"");
	bp_query_free(q);
}

static void test_vocab_parse(void)
{
	static const struct {
		const char *yaml, *msg;
	} bad[] = {
		{"- a\n- b\n", "v.yaml:1: a vocabulary must map group names to lists of terms"},
		{"just text\n", "v.yaml:1: a vocabulary must map group names to lists of terms"},
		{"users: [a]\nloans: b\n", "v.yaml:2: 'loans' must be a list of terms"},
		{"users: [a]\nloans: {a: b}\n", "v.yaml:2: 'loans' must be a list of terms"},
		{"users:\n  - a\n  - [b, c]\n", "v.yaml:3: a term of 'users' must be a string"},
		{"? [a]\n: [b]\n", "v.yaml:1: a group name must be a string"},
		{"users: [a]\nusers: [b]\n", "v.yaml:2: group 'users' appears twice"},
		{"users: []\n", "v.yaml:1: 'users' has no terms"},
		{"users: [a, '  ']\n", "v.yaml:1: 'users' has an empty term"},
		{"users: [\"a\\nb\"]\n", "v.yaml:1: a term of 'users' must be one line of text"},
		{"'': [a]\n", "v.yaml:1: a group needs a name"},
		{"a: &x [b]\nc: *x\n", "v.yaml:2: YAML aliases are not allowed here"},
		{"users: [a]\n---\nmore: [b]\n", "v.yaml:2: a vocabulary must be a single YAML document"},
		{"users: [a\nloans: [b]\n", ""},
		{"users: [a]\n  bad indent: [b]\n", ""},
		{"\tusers: [a]\n", ""},
	};
	struct bp_vocab *v = NULL;
	struct bp_error err;
	char *s;
	size_t i;

	CHECK_INT(bp_vocab_group_count(vocab), 4);
	CHECK_STR(bp_vocab_group_name(vocab, 1), "interlibrary loan");
	CHECK_INT(bp_vocab_term_count(vocab, 1), 3);
	CHECK_STR(bp_vocab_term(vocab, 1, 1), "ILL");

	for (i = 0; i < BP_ARRAY_SIZE(bad); i++) {
		memset(&err, 0, sizeof(err));
		CHECK_INT(bp_vocab_parse(&v, "v.yaml", bad[i].yaml, strlen(bad[i].yaml), &err),
			  BP_EINVALID);
		CHECK(v == NULL);
		if (*bad[i].msg)
			CHECK_STR(err.msg, bad[i].msg);
		else
			CHECK(!strncmp(err.msg, "v.yaml:", 7) && strlen(err.msg) > 9);
	}

	/* Empty files are empty vocabularies; anchors (without aliases) are fine. */
	CHECK_INT(bp_vocab_parse(&v, "v.yaml", "", 0, NULL), 0);
	CHECK_INT(bp_vocab_group_count(v), 0);
	bp_vocab_free(v);
	CHECK_INT(bp_vocab_parse(&v, "v.yaml", "# nothing\n---\n", 14, NULL), 0);
	CHECK_INT(bp_vocab_group_count(v), 0);
	bp_vocab_free(v);
	CHECK_INT(bp_vocab_parse(&v, "v.yaml", "g: &x [A, 'B c']\n", 17, NULL), 0);
	CHECK_INT(bp_vocab_term_count(v, 0), 2);
	bp_vocab_free(v);
	bp_vocab_free(NULL);

	/* Limits: 100 terms a group, 100 bytes a term, 1000 groups. */
	s = repeat("g: [", "t, ", 100, "t]\n");
	CHECK_INT(bp_vocab_parse(&v, "v.yaml", s, strlen(s), &err), BP_EINVALID);
	CHECK_STR(err.msg, "v.yaml:1: 'g' has more than 100 terms");
	bp_free(s);
	s = repeat("g: [", "x", 101, "]\n");
	CHECK_INT(bp_vocab_parse(&v, "v.yaml", s, strlen(s), &err), BP_EINVALID);
	CHECK_STR(err.msg, "v.yaml:1: a term of 'g' is longer than 100 bytes");
	bp_free(s);
	{
		struct bp_buf b = BP_BUF_INIT;

		for (i = 0; i <= 1000; i++)
			bp_buf_addf(&b, "g%zu: [t%zu]\n", i, i);
		CHECK_INT(bp_vocab_parse(&v, "v.yaml", b.ptr, b.len, &err), BP_EINVALID);
		CHECK_STR(err.msg, "v.yaml:1001: more than 1000 groups");
		bp_buf_truncate(&b, 0);
		for (i = 0; i < 1000; i++)
			bp_buf_addf(&b, "g%zu: [t%zu, \xc3\x89tudiant%zu]\n", i, i, i);
		CHECK_INT(bp_vocab_parse(&v, "v.yaml", b.ptr, b.len, &err), 0);
		CHECK_INT(bp_vocab_group_count(v), 1000);
		bp_buf_release(&b);
	}
	/* Case-insensitive beyond ASCII: \xc3\xa9 folds \xc3\x89. */
	{
		struct bp_query *q = NULL;
		const char *word, *group;

		CHECK_INT(bp_query_parse(&q, "\xc3\xa9tudiant999s", v, 0, NULL), 0);
		CHECK_INT(bp_query_expansion_count(q), 1);
		bp_query_expansion(q, 0, &word, &group);
		CHECK_STR(group, "g999");
		CHECK_STR(bp_query_fts(q), "(\"\xc3\xa9tudiant999s\" OR \"t999\" OR "
					   "\"\xc3\x89tudiant999\")");
		bp_query_free(q);
	}
	bp_vocab_free(v);
}

/* Fail each allocation in turn: every call fails cleanly with BP_ENOMEM or succeeds. */
static void test_allocation_failures(void)
{
	static const char text[] = "Patrons (title:ILL OR -\"e-mail\" cat*) OR tag:students x -y";
	struct bp_vocab *v = NULL;
	struct bp_query *q = NULL;
	struct bp_error err;
	unsigned long n, i;
	char *want;
	int ret;

	bp_alloc_fail_at(0, 0);
	CHECK_INT(bp_query_parse(&q, text, vocab, 0, NULL), 0);
	n = bp_alloc_fail_at(0, 0);
	want = bp_strdup(bp_query_fts(q));
	CHECK(bp_query_expansion_count(q) == 3);
	bp_query_free(q);
	CHECK(n > 5);
	for (i = 1; i <= n + 1; i++) {
		bp_alloc_fail_at(i, 0);
		ret = bp_query_parse(&q, text, vocab, 0, &err);
		bp_alloc_fail_at(0, 0);
		CHECK(ret == 0 || (ret == BP_ENOMEM && err.code == BP_ENOMEM && !q));
		if (!ret)
			CHECK_STR(bp_query_fts(q), want);
		bp_query_free(q);
	}
	bp_free(want);

	bp_alloc_fail_at(0, 0);
	CHECK_INT(bp_vocab_parse(&v, "v.yaml", vocab_yaml, sizeof(vocab_yaml) - 1, NULL), 0);
	n = bp_alloc_fail_at(0, 0);
	bp_vocab_free(v);
	for (i = 1; i <= n + 1; i++) {
		bp_alloc_fail_at(i, 0);
		ret = bp_vocab_parse(&v, "v.yaml", vocab_yaml, sizeof(vocab_yaml) - 1, &err);
		bp_alloc_fail_at(0, 0);
		CHECK(ret == 0 || (ret == BP_ENOMEM && err.code == BP_ENOMEM && !v));
		if (!ret)
			CHECK_INT(bp_vocab_group_count(v), 4);
		bp_vocab_free(v);
	}
}

int main(void)
{
	struct bp_error err;

	open_db();
	if (bp_vocab_parse(&vocab, "vocabulary.yaml", vocab_yaml, sizeof(vocab_yaml) - 1, &err)) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}
	RUN(test_expressions);
	RUN(test_matches);
	RUN(test_hostile_inputs);
	RUN(test_bounds);
	RUN(test_random_soup);
	RUN(test_random_nesting);
	RUN(test_expansions_reported);
	RUN(test_vocab_parse);
	RUN(test_allocation_failures);
	bp_vocab_free(vocab);
	sqlite3_close(db);
	return done_testing();
}
