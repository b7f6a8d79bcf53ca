/*
 * Unit tests of articles: what a user would check of a tip file. Every getter on a full
 * article, every strict error with its exact message and line, byte-identical round trips of
 * hand-written files, setters that change only their own line, lenient reading of peers' plain
 * Markdown, hostile YAML, and a fault-injection loop over a realistic edit.
 */
#include <stdlib.h>
#include <time.h>

#include <unicode/uclean.h>

#include "harness.h"
#include "bp/article.h"
#include "util.h"

#define NAME "law/x.md"

struct warnings {
	int n;
	char all[8192];
};

static void collect(void *payload, const char *msg)
{
	struct warnings *w = payload;
	size_t len = strlen(w->all);

	w->n++;
	snprintf(w->all + len, sizeof(w->all) - len, "%s\n", msg);
}

static struct bp_error err;

static struct bp_article *strict(const char *text)
{
	struct bp_article *a = NULL;

	bp_error_clear(&err);
	if (bp_article_parse(&a, NAME, text, strlen(text), NULL, &err))
		return NULL;
	return a;
}

/* The message of a strict parse of `text` that must fail ("" if it did not). */
static const char *strict_error(const char *text, size_t len)
{
	struct bp_article *a = NULL;

	bp_error_clear(&err);
	if (!bp_article_parse(&a, NAME, text, len, NULL, &err)) {
		bp_article_free(a);
		return "";
	}
	CHECK_INT(err.code, BP_EINVALID);
	return err.msg;
}

static struct bp_article *lenient(const char *name, const char *text, size_t len,
				  const char *default_sector, struct warnings *w)
{
	struct bp_warn warn = {collect, w};
	struct bp_article_opts opts = {0, default_sector, &warn};
	struct bp_article *a = NULL;

	memset(w, 0, sizeof(*w));
	bp_error_clear(&err);
	if (bp_article_parse(&a, name, text, len, &opts, &err))
		return NULL;
	return a;
}

/* The article written out; a static copy, so that checks read as one line. */
static const char *written(const struct bp_article *a)
{
	static char copy[1 << 17];
	char *out = NULL;
	size_t len = 0;

	if (bp_article_serialize(&out, &len, a, &err))
		return "(serialize failed)";
	CHECK_INT(len, strlen(out));
	snprintf(copy, sizeof(copy), "%s", out);
	bp_free(out);
	return copy;
}

/* `text` with its line that starts with `prefix` replaced by `line`. */
static const char *replace_line(const char *text, const char *prefix, const char *line)
{
	static char out[1 << 16];
	const char *p = text, *eol;

	while (strncmp(p, prefix, strlen(prefix))) {
		p = strchr(p, '\n');
		if (!p)
			return "(no such line)";
		p++;
	}
	eol = strchr(p, '\n');
	snprintf(out, sizeof(out), "%.*s%s%s", (int)(p - text), text, line, eol + 1);
	return out;
}

static const char full[] = "---\n"
			   "title: Triaging reference questions with a three-minute rule\n"
			   "sector: medical\n"
			   "tags: [reference, time-management]\n"
			   "author: Ada Smith <ada@example.org>\n"
			   "created: 2017-06-15\n"
			   "updated: '2020-02-29'\n"
			   "adopted-from:\n"
			   "  peer: hospital-lib\n"
			   "  id: medical/triage\n"
			   "reviewed: \"yes\"\n"
			   "---\n"
			   "Body in *CommonMark*.\n";

static void test_parse_full_article(void)
{
	struct bp_article *a = strict(full);
	const char *body;
	size_t len;

	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_STR(bp_article_title(a), "Triaging reference questions with a three-minute rule");
	CHECK_STR(bp_article_sector(a), "medical");
	CHECK_INT(bp_article_tag_count(a), 2);
	CHECK_STR(bp_article_tag(a, 0), "reference");
	CHECK_STR(bp_article_tag(a, 1), "time-management");
	CHECK(bp_article_tag(a, 2) == NULL);
	CHECK_STR(bp_article_author(a), "Ada Smith <ada@example.org>");
	CHECK_STR(bp_article_created(a), "2017-06-15");
	CHECK_STR(bp_article_updated(a), "2020-02-29");
	CHECK_STR(bp_article_field(a, "adopted-from.peer"), "hospital-lib");
	CHECK_STR(bp_article_field(a, "adopted-from.id"), "medical/triage");
	CHECK(bp_article_field(a, "adopted-from") == NULL); /* a mapping, not a scalar */
	CHECK(bp_article_field(a, "adopted-from.nothing") == NULL);
	CHECK_STR(bp_article_field(a, "reviewed"), "yes");
	CHECK(bp_article_field(a, "missing") == NULL);
	CHECK(bp_article_field(a, "title") == NULL); /* known fields have their getters */
	body = bp_article_body(a, &len);
	CHECK_INT(len, strlen("Body in *CommonMark*.\n"));
	CHECK(!memcmp(body, "Body in *CommonMark*.\n", len));
	CHECK_INT(bp_article_body_line(a), 13);
	CHECK(bp_article_has_front_matter(a));
	CHECK_INT(bp_article_validate(a, NAME, &err), 0);
	bp_article_free(a);

	/* A top-level key written with a dot does not hide the mapping's key; alone, it is
	 * read as it is. */
	a = strict("---\ntitle: T\nsector: law\nadopted-from.peer: fake\n"
		   "adopted-from:\n  peer: real\nx.y: z\n---\n");
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_STR(bp_article_field(a, "adopted-from.peer"), "real");
	CHECK_STR(bp_article_field(a, "x.y"), "z");
	bp_article_free(a);
}

static void test_optional_fields_absent(void)
{
	struct bp_article *a = strict("---\ntitle: T\nsector: law\nauthor:\ntags:\n---\n");

	CHECK(a != NULL);
	if (!a)
		return;
	CHECK(bp_article_author(a) == NULL);
	CHECK(bp_article_created(a) == NULL);
	CHECK(bp_article_updated(a) == NULL);
	CHECK_INT(bp_article_tag_count(a), 0);
	CHECK_INT(bp_article_body_line(a), 7);
	bp_article_free(a);
}

struct bad {
	const char *text, *msg;
};

static void test_strict_errors_name_file_and_line(void)
{
	/* clang-format off */
	static const struct bad cases[] = {
		{"Just Markdown\n", "law/x.md: no front matter (an article starts with a '---' line)"},
		{"---\ntitle: x\nsector: law\n", "law/x.md:1: front matter has no closing '---'"},
		{"---\nsector: law\n---\n", "law/x.md:1: missing 'title'"},
		{"---\ntitle: x\n---\n", "law/x.md:1: missing 'sector'"},
		{"---\n---\n", "law/x.md:1: missing 'title'"},
		{"---\ntitle: x\ntags: law\nsector: law\n---\n", "law/x.md:3: 'tags' must be a list"},
		{"---\ntitle: x\nsector: law\ntags:\n  - reference\n  - Time Management\n---\n",
		 "law/x.md:6: invalid tag 'Time Management' (use lowercase letters, digits and hyphens)"},
		{"---\ntitle: x\ntags: [a, [b]]\nsector: law\n---\n",
		 "law/x.md:3: 'tags' must be a list of plain values"},
		{"---\ntitle: x\ntags: [a, b, a]\nsector: law\n---\n", "law/x.md:3: duplicate tag 'a'"},
		{"---\ntitle: x\ntitle: y\nsector: law\n---\n", "law/x.md:3: duplicate key 'title'"},
		{"---\ntitle: x\nsector: law\nnote: Law: a primer\n---\n",
		 "law/x.md:4: invalid front matter: mapping values are not allowed in this context"},
		{"---\ntitle: x\nsector: law\nnote: [unclosed\n---\nbody\n",
		 "law/x.md:5: invalid front matter: did not find expected ',' or ']'"},
		{"---\ntitle: [a]\nsector: law\n---\n", "law/x.md:2: 'title' must be a plain value"},
		{"---\nbase: &t Hello\ntitle: *t\nsector: law\n---\n",
		 "law/x.md:3: 'title' must be a plain value"},
		{"---\ntitle: &t Hello\nsector: law\n---\n", "law/x.md:2: 'title' must be a plain value"},
		{"---\ntitle: !!str Hello\nsector: law\n---\n",
		 "law/x.md:2: 'title' must be a plain value"},
		{"---\ntitle: \"a\\nb\"\nsector: law\n---\n", "law/x.md:2: 'title' must be one line"},
		{"---\ntitle: \"a\\tb\"\nsector: law\n---\n",
		 "law/x.md:2: 'title' contains a control character"},
		{"---\ntitle: ''\nsector: law\n---\n", "law/x.md:2: 'title' is empty"},
		{"---\ntitle:\nsector: law\n---\n", "law/x.md:2: 'title' is empty"},
		{"---\ntitle: x\nsector: Law Firm\n---\n",
		 "law/x.md:3: invalid sector 'Law Firm' (use lowercase letters, digits and hyphens)"},
		{"---\ntitle: x\nsector: -law\n---\n",
		 "law/x.md:3: invalid sector '-law' (use lowercase letters, digits and hyphens)"},
		{"---\ntitle: x\nsector: law\nauthor: |\n  Ada\n  Smith\n---\n",
		 "law/x.md:4: 'author' must be one line"},
		{"---\ntitle: x\nsector: law\ncreated: 2023-02-29\n---\n",
		 "law/x.md:4: 'created' must be a real date written YYYY-MM-DD, not '2023-02-29'"},
		{"---\ntitle: x\nsector: law\nupdated: 15/06/2017\n---\n",
		 "law/x.md:4: 'updated' must be a real date written YYYY-MM-DD, not '15/06/2017'"},
		{"---\ntitle: x\nsector: law\ncreated: 0999-01-01\n---\n",
		 "law/x.md:4: 'created' must be a real date written YYYY-MM-DD, not '0999-01-01'"},
		{"---\n? [a, b]\n: c\n---\n", "law/x.md:2: a key must be a plain value"},
		{"---\n- a\n- b\n---\n",
		 "law/x.md:2: front matter must be a mapping of 'key: value' lines"},
		{"---\njust a sentence\n---\n",
		 "law/x.md:2: front matter must be a mapping of 'key: value' lines"},
		{"---\n{title: x, sector: law}\n---\n",
		 "law/x.md:2: front matter must have one 'key: value' a line, not '{...}'"},
		{"---\n# comment\n  title: x\n  sector: law\n---\n",
		 "law/x.md:3: front matter must not be indented"},
		/* The first problem is the one reported. */
		{"---\ntitle: [a]\nsector: Bad\n---\n", "law/x.md:2: 'title' must be a plain value"},
		{"---\ntitle: x\nsector: Bad\nx: [\n---\n",
		 "law/x.md:3: invalid sector 'Bad' (use lowercase letters, digits and hyphens)"},
		/* Lines count the same with CRLF, after a byte order mark, and in the body. */
		{"---\r\ntitle: x\r\ntags: law\r\nsector: law\r\n---\r\n",
		 "law/x.md:3: 'tags' must be a list"},
		{"\xEF\xBB\xBF---\ntitle: x\ntags: law\nsector: law\n---\n",
		 "law/x.md:3: 'tags' must be a list"},
		{"---\ntitle: x\nsector: law\n---\n\nCaf\xE9\n", "law/x.md:6: text is not valid UTF-8"},
		{"---\ntitle: \xC0\xAF\nsector: law\n---\n", "law/x.md:2: text is not valid UTF-8"},
		{"---\ntitle: x\x01y\nsector: law\n---\n",
		 "law/x.md:2: invalid front matter: control characters are not allowed"},
		{"---\ntitle: Caf\xC3\xA9 \x01\nsector: law\n---\n",
		 "law/x.md:2: invalid front matter: control characters are not allowed"},
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < BP_ARRAY_SIZE(cases); i++) {
		const char *got = strict_error(cases[i].text, strlen(cases[i].text));

		if (strcmp(got, cases[i].msg))
			printf("#   case %zu: %s\n", i, cases[i].text);
		CHECK_STR(got, cases[i].msg);
	}
	/* A NUL byte is not text. */
	CHECK_STR(strict_error("---\ntitle: a\0b\nsector: law\n---\n", 28),
		  "law/x.md:2: text contains a NUL byte");
}

static void test_strict_limits(void)
{
	struct bp_buf b = BP_BUF_INIT;
	char big[210];
	int i;

	memset(big, 'x', sizeof(big));
	bp_buf_addf(&b, "---\ntitle: %.*s\nsector: law\n---\n", 201, big);
	CHECK_STR(strict_error(b.ptr, b.len), "law/x.md:2: 'title' is longer than 200 bytes");
	bp_buf_truncate(&b, 0);
	bp_buf_addf(&b, "---\ntitle: %.*s\nsector: law\n---\n", 200, big);
	CHECK_STR(strict_error(b.ptr, b.len), "");

	bp_buf_truncate(&b, 0);
	bp_buf_addstr(&b, "---\ntitle: x\nsector: law\ntags: [");
	for (i = 0; i < 51; i++)
		bp_buf_addf(&b, "%st%d", i ? ", " : "", i);
	bp_buf_addstr(&b, "]\n---\n");
	CHECK_STR(strict_error(b.ptr, b.len), "law/x.md:4: 'tags' has more than 50 tags");

	bp_buf_truncate(&b, 0);
	bp_buf_addstr(&b, "---\ntitle: x\nsector: law\n");
	for (i = 0; i < 1001; i++)
		bp_buf_addf(&b, "k%d: v\n", i);
	bp_buf_addstr(&b, "---\n");
	CHECK_STR(strict_error(b.ptr, b.len),
		  "law/x.md:1002: front matter has more than 1000 keys");
	bp_buf_release(&b);
}

/* Inputs a person might well write, each to come back byte for byte. */
/* clang-format off */
static const char *const tricky[] = {
	full,
	/* Comments everywhere, odd spacing, a nested unknown key. */
	"---\n"
	"# What this tip is about\n"
	"\n"
	"title:    Citing unpublished opinions   # as the court says\n"
	"# the sector comes next\n"
	"sector: law\n"
	"\n"
	"extra:\n"
	"  nested: {a: 1, b: [x, y]}\n"
	"  list:\n"
	"    - one\n"
	"    - two   # two\n"
	"  deeper:\n"
	"    key: value\n"
	"# the end\n"
	"---\n"
	"Body.\n",
	/* CRLF, quoted title, a block-style tag list, a literal block. */
	"---\r\n"
	"title: \"Quoted: a title\"\r\n"
	"sector:   law   # spaced\r\n"
	"tags:\r\n"
	"  - reference\r\n"
	"  - time-management\r\n"
	"notes: |\r\n"
	"  literal\r\n"
	"  block\r\n"
	"\r\n"
	"---\r\n"
	"Body\r\n",
	/* A byte order mark, single quotes, "..." to close, no newline at the end. */
	"\xEF\xBB\xBF---\n"
	"title: 'single ''quoted'' title'\n"
	"sector: law\n"
	"...\n"
	"Body without a newline",
	/* Anchors, aliases and merge keys in unknown keys; a tag list not indented. */
	"---\n"
	"title: Anchors\n"
	"sector: archives\n"
	"tags:\n"
	"- a\n"
	"- b\n"
	"defaults: &d {a: 1, b: [2, 3]}\n"
	"uses: *d\n"
	"merged:\n"
	"  <<: *d\n"
	"  c: !!str 4\n"
	"summary: >\n"
	"  folded\n"
	"  text\n"
	"---\n",
	/* The closing delimiter at the very end; a multi-line plain scalar; Unicode. */
	"---\n"
	"title: Zürich — über Straße 日本語\n"
	"sector: museum\n"
	"long: this plain\n"
	"  scalar goes on\n"
	"  over lines\n"
	"author: Åsa Öberg\n"
	"---",
	/* A key with no value, a quoted key, an explicit key, an empty flow list. */
	"---\n"
	"title: Odd keys\n"
	"sector: school\n"
	"empty:\n"
	"\"quoted key\": v\n"
	"? explicit\n"
	": value\n"
	"tags: []\n"
	"---\n"
	"\n"
	"Body after a blank line.\n",
};
/* clang-format on */

static void test_round_trip_is_byte_identical(void)
{
	size_t i;

	for (i = 0; i < BP_ARRAY_SIZE(tricky); i++) {
		struct bp_article *a = strict(tricky[i]);

		if (!a)
			printf("#   case %zu: %s\n", i, err.msg);
		CHECK(a != NULL);
		if (!a)
			continue;
		CHECK_STR(written(a), tricky[i]);
		bp_article_free(a);
	}
}

static void test_set_title_changes_only_its_line(void)
{
	char expected[1 << 16];
	size_t i;

	for (i = 0; i < BP_ARRAY_SIZE(tricky); i++) {
		struct bp_article *a = strict(tricky[i]);
		const char *eol = strstr(tricky[i], "\r\n") ? "\r\n" : "\n";

		CHECK(a != NULL);
		if (!a)
			continue;
		CHECK_INT(bp_article_set_title(a, "Changed: yes", &err), 0);
		/* The one with a byte order mark does not start a line with "title:". */
		if (tricky[i][0] == '\xEF')
			snprintf(expected, sizeof(expected), "%s",
				 "\xEF\xBB\xBF---\n"
				 "title: 'Changed: yes'\n"
				 "sector: law\n"
				 "...\n"
				 "Body without a newline");
		else
			snprintf(expected, sizeof(expected), "%s",
				 replace_line(tricky[i], "title:",
					      !strcmp(eol, "\n") ? "title: 'Changed: yes'\n"
								 : "title: 'Changed: yes'\r\n"));
		CHECK_STR(written(a), expected);
		bp_article_free(a);
	}
}

static void test_setters_rewrite_their_entry_and_keep_comments(void)
{
	const char *text = "---\n"
			   "title: T\n"
			   "tags:\n"
			   "  - old\n"
			   "  - older   # why\n"
			   "# about the author\n"
			   "author: Ada\n"
			   "\n"
			   "sector: law\n"
			   "---\n"
			   "Body\n";
	const char *tags[] = {"new", "newer"};
	struct bp_article *a = strict(text);

	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_INT(bp_article_set_tags(a, tags, 2, &err), 0);
	CHECK_INT(bp_article_set_author(a, NULL, &err), 0);
	CHECK_STR(written(a), "---\n"
			      "title: T\n"
			      "tags: [new, newer]\n"
			      "# about the author\n"
			      "\n"
			      "sector: law\n"
			      "---\n"
			      "Body\n");
	/* Setting a value a field already has leaves its line alone. */
	CHECK_INT(bp_article_set_sector(a, "law", &err), 0);
	CHECK_INT(bp_article_set_author(a, "Ada", &err), 0);
	CHECK_STR(written(a), "---\n"
			      "title: T\n"
			      "tags: [new, newer]\n"
			      "# about the author\n"
			      "author: Ada\n"
			      "\n"
			      "sector: law\n"
			      "---\n"
			      "Body\n");
	bp_article_free(a);

	/* An empty value followed by a comment: the comment stays where it was. */
	a = strict("---\ntitle: T\ncreated:\n# filled in later\nsector: law\n---\n");
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_INT(bp_article_set_created(a, "2017-06-15", &err), 0);
	CHECK_STR(written(a),
		  "---\ntitle: T\ncreated: 2017-06-15\n# filled in later\nsector: law\n---\n");
	bp_article_free(a);
}

static void test_new_fields_are_appended_in_order(void)
{
	const char *tags[] = {"reference"};
	struct bp_article *a = strict("---\n# mine\nsector: law\ntitle: T\nx-own: 1\n---\nBody\n");

	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_INT(bp_article_set_field(a, "reviewed-by", "Bob", &err), 0);
	CHECK_INT(bp_article_set_updated(a, "2024-02-29", &err), 0);
	CHECK_INT(bp_article_set_author(a, "Ada Smith <ada@example.org>", &err), 0);
	CHECK_INT(bp_article_set_tags(a, tags, 1, &err), 0);
	CHECK_INT(bp_article_set_created(a, "2017-06-15", &err), 0);
	CHECK_INT(bp_article_set_field(a, "x-own", "2", &err), 0);
	CHECK_INT(bp_article_set_field(a, "gone", NULL, &err), 0);
	CHECK_STR(written(a), "---\n"
			      "# mine\n"
			      "sector: law\n"
			      "title: T\n"
			      "x-own: '2'\n"
			      "tags: [reference]\n"
			      "author: Ada Smith <ada@example.org>\n"
			      "created: 2017-06-15\n"
			      "updated: 2024-02-29\n"
			      "reviewed-by: Bob\n"
			      "---\n"
			      "Body\n");
	bp_article_free(a);
}

static void test_new_article_and_field_map(void)
{
	const char *keys[] = {"peer", "id", "note"};
	const char *values[] = {"hospital-lib", "medical/triage", "copied: with care"};
	const char *tags[] = {"reference", "2024"};
	struct bp_article *a = NULL, *b;
	const char *out;

	CHECK_INT(bp_article_new(&a, &err), 0);
	CHECK_INT(bp_article_validate(a, "new.md", &err), BP_EINVALID);
	CHECK_STR(err.msg, "new.md: missing 'title'");
	CHECK_INT(bp_article_set_title(a, "Triage", &err), 0);
	CHECK_INT(bp_article_validate(a, "new.md", &err), BP_EINVALID);
	CHECK_STR(err.msg, "new.md: missing 'sector'");
	CHECK_INT(bp_article_set_sector(a, "medical", &err), 0);
	CHECK_INT(bp_article_set_tags(a, tags, 2, &err), 0);
	CHECK_INT(bp_article_set_field_map(a, "adopted-from", keys, values, 3, &err), 0);
	CHECK_INT(bp_article_set_body(a, "# Triage\n", 9, &err), 0);
	CHECK_INT(bp_article_validate(a, "new.md", &err), 0);
	out = written(a);
	CHECK_STR(out, "---\n"
		       "title: Triage\n"
		       "sector: medical\n"
		       "tags: [reference, '2024']\n"
		       "adopted-from:\n"
		       "  peer: hospital-lib\n"
		       "  id: medical/triage\n"
		       "  note: 'copied: with care'\n"
		       "---\n"
		       "# Triage\n");
	b = strict(out);
	CHECK(b != NULL);
	if (b) {
		CHECK_STR(bp_article_field(b, "adopted-from.peer"), "hospital-lib");
		CHECK_STR(bp_article_field(b, "adopted-from.id"), "medical/triage");
		CHECK_STR(bp_article_field(b, "adopted-from.note"), "copied: with care");
		CHECK_STR(bp_article_tag(b, 1), "2024");
		CHECK_STR(written(b), out);
		bp_article_free(b);
	}
	/* Replaced by a scalar, then removed. */
	CHECK_INT(bp_article_set_field(a, "adopted-from", "nobody", &err), 0);
	CHECK_STR(bp_article_field(a, "adopted-from"), "nobody");
	CHECK_INT(bp_article_set_field(a, "adopted-from", NULL, &err), 0);
	CHECK(bp_article_field(a, "adopted-from") == NULL);
	CHECK(strstr(written(a), "adopted") == NULL);
	bp_article_free(a);
}

static void test_tricky_titles_survive_a_round_trip(void)
{
	/* clang-format off */
	static const char *const titles[] = {
		"Law: a primer",  "'quoted' start",   "\"double\" start", "# not a comment",
		"a #b",           "- not a list",     "[not, a, list]",   "{not: a map}",
		"yes",            "2024",             "1e3",              "null",
		"@handle",        "%percent",         "`backtick`",       "ends with colon:",
		"Zürich — über Straße", "日本語のタイトル", "Москва",        "tab-free, comma, ok",
		" leading space", "trailing space ",  "*star",            "! bang",
		"& amp",          "| pipe",           "> gt",             "? question",
		"2017-06-15",     "~",
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < BP_ARRAY_SIZE(titles); i++) {
		struct bp_article *a = NULL, *b;
		char *out = NULL;
		size_t len;

		CHECK_INT(bp_article_new(&a, &err), 0);
		CHECK_INT(bp_article_set_title(a, titles[i], &err), 0);
		CHECK_INT(bp_article_set_sector(a, "law", &err), 0);
		CHECK_INT(bp_article_set_author(a, titles[i], &err), 0);
		CHECK_INT(bp_article_serialize(&out, &len, a, &err), 0);
		b = strict(out);
		if (!b)
			printf("#   title '%s': %s\n%s", titles[i], err.msg, out);
		CHECK(b != NULL);
		if (b) {
			CHECK_STR(bp_article_title(b), titles[i]);
			CHECK_STR(bp_article_author(b), titles[i]);
		}
		bp_article_free(b);
		bp_article_free(a);
		bp_free(out);
	}
}

static void test_setters_validate_and_leave_the_article_alone(void)
{
	const char *bad_tags[] = {"ok", "Not OK"};
	const char *dup_tags[] = {"a", "a"};
	struct bp_article *a = strict(full);
	char *before;

	CHECK(a != NULL);
	if (!a)
		return;
	before = strdup(written(a));
	CHECK_INT(bp_article_set_title(a, "two\nlines", &err), BP_EINVALID);
	CHECK_STR(err.msg, "'title' must be one line");
	CHECK_INT(bp_article_set_title(a, "", &err), BP_EINVALID);
	CHECK_STR(err.msg, "'title' is empty");
	CHECK_INT(bp_article_set_title(a, NULL, &err), BP_EINVALID);
	CHECK_STR(err.msg, "'title' is required");
	CHECK_INT(bp_article_set_title(a, "caf\xE9", &err), BP_EINVALID);
	CHECK_STR(err.msg, "'title' is not valid UTF-8");
	CHECK_INT(bp_article_set_sector(a, "Law", &err), BP_EINVALID);
	CHECK_STR(err.msg, "invalid sector 'Law' (use lowercase letters, digits and hyphens)");
	CHECK_INT(bp_article_set_sector(a, NULL, &err), BP_EINVALID);
	CHECK_INT(bp_article_set_created(a, "2023-02-29", &err), BP_EINVALID);
	CHECK_STR(err.msg, "'created' must be a real date written YYYY-MM-DD, not '2023-02-29'");
	CHECK_INT(bp_article_set_updated(a, "2024-13-01", &err), BP_EINVALID);
	CHECK_INT(bp_article_set_author(a, "a\tb", &err), BP_EINVALID);
	CHECK_STR(err.msg, "'author' contains a control character");
	CHECK_INT(bp_article_set_tags(a, bad_tags, 2, &err), BP_EINVALID);
	CHECK_STR(err.msg, "invalid tag 'Not OK' (use lowercase letters, digits and hyphens)");
	CHECK_INT(bp_article_set_tags(a, dup_tags, 2, &err), BP_EINVALID);
	CHECK_STR(err.msg, "duplicate tag 'a'");
	CHECK_INT(bp_article_set_field(a, "title", "x", &err), BP_EINVALID);
	CHECK_STR(err.msg, "'title' has a setter of its own");
	CHECK_INT(bp_article_set_field(a, "", "x", &err), BP_EINVALID);
	CHECK_INT(bp_article_set_field(a, "two\nlines", "x", &err), BP_EINVALID);
	CHECK_INT(bp_article_set_body(a, "a\0b", 3, &err), BP_EINVALID);
	CHECK_STR(err.msg, "the body contains a NUL byte");
	CHECK_INT(bp_article_set_body(a, "\xff", 1, &err), BP_EINVALID);
	CHECK_STR(written(a), before);
	CHECK_STR(bp_article_title(a), "Triaging reference questions with a three-minute rule");
	free(before);
	bp_article_free(a);
}

static void test_body_and_delimiters(void)
{
	struct bp_article *a = strict("---\ntitle: T\nsector: law\n---");
	const char *body;
	size_t len;

	CHECK(a != NULL);
	if (!a)
		return;
	body = bp_article_body(a, &len);
	CHECK_INT(len, 0);
	CHECK(body != NULL);
	CHECK_INT(bp_article_body_line(a), 4);
	/* A body added after a closing line without a newline starts on a line of its own. */
	CHECK_INT(bp_article_set_body(a, "New body\n", 9, &err), 0);
	CHECK_STR(written(a), "---\ntitle: T\nsector: law\n---\nNew body\n");
	bp_article_free(a);

	/* A CRLF file gets CRLF in the lines written for it. */
	a = strict("---\r\ntitle: T\r\nsector: law\r\n---\r\nBody\r\n");
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_INT(bp_article_body_line(a), 5);
	CHECK_INT(bp_article_set_created(a, "2017-06-15", &err), 0);
	CHECK_INT(bp_article_set_title(a, "New", &err), 0);
	CHECK_STR(written(a),
		  "---\r\ntitle: New\r\nsector: law\r\ncreated: 2017-06-15\r\n---\r\nBody\r\n");
	bp_article_free(a);

	/* A "---" inside the body is the body's business. */
	a = strict("---\ntitle: T\nsector: law\n---\nText\n---\nMore\n");
	CHECK(a != NULL);
	if (a) {
		body = bp_article_body(a, &len);
		CHECK_INT(len, strlen("Text\n---\nMore\n"));
	}
	bp_article_free(a);
}

static void test_validity_helpers(void)
{
	CHECK(bp_is_valid_date("2017-06-15"));
	CHECK(bp_is_valid_date("2024-02-29"));
	CHECK(bp_is_valid_date("2000-02-29"));
	CHECK(!bp_is_valid_date("1900-02-29"));
	CHECK(!bp_is_valid_date("2023-02-29"));
	CHECK(!bp_is_valid_date("2023-04-31"));
	CHECK(bp_is_valid_date("2023-12-31"));
	CHECK(!bp_is_valid_date("2023-00-10"));
	CHECK(!bp_is_valid_date("2023-01-00"));
	CHECK(!bp_is_valid_date("0999-01-01"));
	CHECK(bp_is_valid_date("1000-01-01"));
	CHECK(bp_is_valid_date("9999-12-31"));
	CHECK(!bp_is_valid_date("2017-6-15"));
	CHECK(!bp_is_valid_date("2017-06-15 "));
	CHECK(!bp_is_valid_date("2017/06/15"));
	CHECK(!bp_is_valid_date(""));
	CHECK(!bp_is_valid_date(NULL));
	CHECK(bp_is_valid_sector("law"));
	CHECK(bp_is_valid_sector("special-libraries"));
	CHECK(bp_is_valid_sector("k12"));
	CHECK(!bp_is_valid_sector("Law"));
	CHECK(!bp_is_valid_sector("-law"));
	CHECK(!bp_is_valid_sector("law-"));
	CHECK(!bp_is_valid_sector("law firm"));
	CHECK(!bp_is_valid_sector(""));
	CHECK(!bp_is_valid_sector("abcdefghijklmnopqrstuvwxyzabcdefghijklmno")); /* 41 */
	CHECK(bp_is_valid_tag("time-management"));
	CHECK(!bp_is_valid_tag("time management"));
	CHECK(!bp_is_valid_tag("café"));
}

/* Lenient mode. */

static void test_lenient_title_from_first_heading(void)
{
	const char *md =
	    "Some intro.\n\n##   \n\nHeading with *emphasis*, `code`\nand a [link](x)\n"
	    "===\n\n# Second\n";
	struct warnings w;
	struct bp_article *a = lenient("law/notes.md", md, strlen(md), NULL, &w);

	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_STR(bp_article_title(a), "Heading with emphasis, code and a link");
	CHECK_STR(bp_article_sector(a), "law");
	CHECK(!bp_article_has_front_matter(a));
	CHECK_INT(w.n, 0); /* plain Markdown is normal for a peer: nothing to warn about */
	CHECK_INT(bp_article_body_line(a), 1);
	/* Written out, it has what strict mode wants. */
	CHECK_STR(written(a),
		  "---\ntitle: Heading with emphasis, code and a link\nsector: law\n---\n"
		  "Some intro.\n\n##   \n\nHeading with *emphasis*, `code`\n"
		  "and a [link](x)\n===\n\n# Second\n");
	bp_article_free(a);
}

static void test_lenient_title_from_file_name(void)
{
	struct warnings w;
	struct bp_article *a;

	a = lenient("medical/triaging-reference-questions.md", "No heading here.\n", 17, NULL, &w);
	CHECK(a != NULL);
	if (a)
		CHECK_STR(bp_article_title(a), "Triaging reference questions");
	bp_article_free(a);
	a = lenient("éducation_civique.markdown", "", 0, NULL, &w);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(bp_article_title(a), "Éducation civique");
		CHECK_STR(bp_article_sector(a), "general");
	}
	bp_article_free(a);
	a = lenient("<stdin>", "text", 4, NULL, &w);
	CHECK(a != NULL);
	if (a)
		CHECK_STR(bp_article_title(a), "<stdin>");
	bp_article_free(a);
}

static void test_lenient_sector(void)
{
	const char *with = "---\ntitle: T\nsector: archives\n---\n";
	const char *bad = "---\ntitle: T\nsector: Rare Books\n---\n";
	struct warnings w;
	struct bp_article *a;

	a = lenient("Medical Library/x.md", "# T\n", 4, NULL, &w);
	CHECK(a && !strcmp(bp_article_sector(a), "medical-library"));
	bp_article_free(a);
	a = lenient("Bibliothèque/x.md", "# T\n", 4, NULL, &w);
	CHECK(a && !strcmp(bp_article_sector(a), "bibliotheque"));
	bp_article_free(a);
	a = lenient("Medical Library/x.md", "# T\n", 4, "corporate", &w);
	CHECK(a && !strcmp(bp_article_sector(a), "corporate"));
	bp_article_free(a);
	a = lenient("!!!/x.md", "# T\n", 4, NULL, &w);
	CHECK(a && !strcmp(bp_article_sector(a), "general"));
	bp_article_free(a);
	a = lenient("x.md", "# T\n", 4, "Not Valid", &w);
	CHECK(a && !strcmp(bp_article_sector(a), "general"));
	bp_article_free(a);
	a = lenient("law/x.md", with, strlen(with), "corporate", &w);
	CHECK(a && !strcmp(bp_article_sector(a), "archives"));
	CHECK_INT(w.n, 0);
	bp_article_free(a);
	a = lenient("law/x.md", bad, strlen(bad), "corporate", &w);
	CHECK(a && !strcmp(bp_article_sector(a), "corporate"));
	CHECK_STR(w.all,
		  "law/x.md:3: invalid sector 'Rare Books' (use lowercase letters, digits and "
		  "hyphens)\n");
	if (a)
		CHECK_STR(written(a), "---\ntitle: T\nsector: corporate\n---\n");
	bp_article_free(a);
}

static void test_lenient_tags_and_fields(void)
{
	const char *md = "---\n"
			 "title: |\n  Two\n  lines\n"
			 "tags: Time Management, Reading\n"
			 "author: [not, a, name]\n"
			 "created: 15/06/2017\n"
			 "unknown: kept\n"
			 "---\n"
			 "Body\n";
	const char *list = "---\ntitle: T\ntags: [Law, law, C++, Open  Access, ok]\n---\n";
	const char *empty_tags = "---\ntitle: T\ntags: ' , ,'\n---\n";
	const char *jekyll = "---\nlayout: post\ntitle: \"Weeding with CREW\"\n"
			     "date: 2019-03-04 10:00:00 +0100\ntags: weeding crew public\n---\nBody\n";
	struct warnings w;
	struct bp_article *a = lenient("law/x.md", md, strlen(md), NULL, &w);

	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_STR(bp_article_title(a), "Two lines");
	CHECK_INT(bp_article_tag_count(a), 2);
	CHECK_STR(bp_article_tag(a, 0), "time-management");
	CHECK_STR(bp_article_tag(a, 1), "reading");
	CHECK(bp_article_author(a) == NULL);
	CHECK(bp_article_created(a) == NULL);
	CHECK_STR(bp_article_sector(a), "law");
	CHECK_STR(w.all, "law/x.md:2: 'title' must be one line\n"
			 "law/x.md:6: 'author' must be a plain value\n"
			 "law/x.md:7: 'created' must be a real date written YYYY-MM-DD, not "
			 "'15/06/2017'\n");
	/* Written out, the fixed fields pass strict mode and the unknown key is kept. */
	CHECK_STR(written(a), "---\n"
			      "title: Two lines\n"
			      "tags: [time-management, reading]\n"
			      "unknown: kept\n"
			      "sector: law\n"
			      "---\n"
			      "Body\n");
	bp_article_free(a);

	a = lenient("law/x.md", list, strlen(list), NULL, &w);
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_INT(bp_article_tag_count(a), 3);
	CHECK_STR(bp_article_tag(a, 0), "law");
	CHECK_STR(bp_article_tag(a, 1), "open-access");
	CHECK_STR(bp_article_tag(a, 2), "ok");
	CHECK_STR(w.all, "law/x.md:3: invalid tag 'c++' (use lowercase letters, digits and "
			 "hyphens)\n");
	bp_article_free(a);

	/* A Jekyll page: tags cut at spaces, no sector and no warning for it. */
	a = lenient("_posts/2019-03-04-weeding.md", jekyll, strlen(jekyll), NULL, &w);
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_INT(bp_article_tag_count(a), 3);
	CHECK_STR(bp_article_tag(a, 0), "weeding");
	CHECK_STR(bp_article_tag(a, 2), "public");
	CHECK_STR(bp_article_sector(a), "posts");
	CHECK_STR(w.all, "");
	bp_article_free(a);

	a = lenient("law/x.md", empty_tags, strlen(empty_tags), NULL, &w);
	CHECK(a != NULL);
	if (a)
		CHECK_INT(bp_article_tag_count(a), 0);
	bp_article_free(a);
}

static void test_lenient_gives_up_bad_front_matter(void)
{
	const char *broken = "---\ntitle: a: b\nsector: law\n---\n# Heading\n";
	const char *unclosed = "---\n\nA thematic break, then text.\n";
	const char *flow = "---\n{title: Flow, sector: law, other: 1}\n---\nBody\n";
	const char *dup = "---\ntitle: A\ntitle: B\nsector: law\n---\n";
	const char *indented = "---\n  title: In\n  x: 1\n---\n";
	struct warnings w;
	struct bp_article *a;

	a = lenient("law/x.md", broken, strlen(broken), NULL, &w);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(bp_article_title(a), "Heading");
		CHECK_STR(w.all, "law/x.md:2: invalid front matter: mapping values are not allowed "
				 "in this context (front matter ignored)\n");
		CHECK_STR(written(a), "---\ntitle: Heading\nsector: law\n---\n# Heading\n");
	}
	bp_article_free(a);

	a = lenient("law/x.md", unclosed, strlen(unclosed), NULL, &w);
	CHECK(a != NULL);
	if (a) {
		size_t len;

		CHECK(!bp_article_has_front_matter(a));
		CHECK(bp_article_body(a, &len) != NULL);
		CHECK_INT(len, strlen(unclosed));
		CHECK_STR(w.all, "law/x.md:1: front matter has no closing '---'\n");
	}
	bp_article_free(a);

	a = lenient("law/x.md", flow, strlen(flow), NULL, &w);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(bp_article_title(a), "Flow");
		CHECK_STR(written(a), "---\ntitle: Flow\nsector: law\n---\nBody\n");
		CHECK_STR(w.all, "law/x.md:2: front matter must have one 'key: value' a line, not "
				 "'{...}': its unknown keys are dropped\n");
	}
	bp_article_free(a);

	a = lenient("law/x.md", indented, strlen(indented), NULL, &w);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(written(a), "---\ntitle: In\nsector: law\n---\n");
		CHECK_STR(w.all, "law/x.md:2: front matter must not be indented: its unknown keys "
				 "are dropped\n");
	}
	bp_article_free(a);

	a = lenient("law/x.md", dup, strlen(dup), NULL, &w);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(bp_article_title(a), "A");
		CHECK_STR(written(a), "---\ntitle: A\nsector: law\n---\n");
		CHECK_STR(w.all, "law/x.md:3: duplicate key 'title'\n");
	}
	bp_article_free(a);
}

static void test_invalid_utf8(void)
{
	const char text[] = "---\ntitle: Caf\xE9 culture\nsector: law\n---\nBody \xFF\0 here\n";
	struct warnings w;
	struct bp_article *a;
	const char *body;
	size_t len;

	a = lenient(NAME, text, sizeof(text) - 1, NULL, &w);
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_STR(bp_article_title(a), "Caf\xEF\xBF\xBD culture");
	body = bp_article_body(a, &len);
	CHECK_INT(len, strlen("Body \xEF\xBF\xBD\xEF\xBF\xBD here\n"));
	CHECK(!memcmp(body, "Body \xEF\xBF\xBD\xEF\xBF\xBD here\n", len));
	CHECK_INT(w.n, 1);
	CHECK_STR(w.all, "law/x.md:2: invalid UTF-8 or NUL bytes replaced with U+FFFD\n");
	bp_article_free(a);
	CHECK_STR(strict_error(text, sizeof(text) - 1), "law/x.md:2: text is not valid UTF-8");
}

/*
 * YAML 1.1 also ends lines at NEL, LS and PS. An LS before "..." ended the front matter's
 * YAML document there, and a field written after that line was lost to the next reading.
 */
static void test_unicode_line_breaks_in_front_matter(void)
{
	const char text[] = "---\ntitle: Weeding\nnote: x\xE2\x80\xA8...\n---\nBody\xE2\x80\xA8stays\n";
	const char value[] = "one\xE2\x80\xA8two\xC2\x85three";
	struct warnings w;
	struct bp_article *a, *b;

	CHECK_STR(strict_error(text, sizeof(text) - 1),
		  "law/x.md:3: the front matter holds a Unicode line break (U+2028), which YAML "
		  "reads as the end of a line: use a newline or a space");
	a = lenient(NAME, text, sizeof(text) - 1, NULL, &w);
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_INT(w.n, 1);
	CHECK_STR(w.all, "law/x.md:3: Unicode line breaks in the front matter replaced with "
			 "spaces\n");
	/* The sector lenient mode adds lands after the note, and is read back. */
	CHECK_STR(written(a), "---\ntitle: Weeding\nnote: x   ...\nsector: law\n---\n"
			      "Body\xE2\x80\xA8stays\n");
	/* A value holding them is written with escapes, and read back as it was set. */
	CHECK_INT(bp_article_set_field(a, "note", value, &err), 0);
	CHECK_STR(written(a), "---\ntitle: Weeding\nnote: \"one\\Ltwo\\Nthree\"\nsector: law\n"
			      "---\nBody\xE2\x80\xA8stays\n");
	b = strict(written(a));
	CHECK(b != NULL);
	if (b)
		CHECK_STR(bp_article_field(b, "note"), value);
	bp_article_free(b);
	bp_article_free(a);
}

static void test_utf16_is_refused(void)
{
	static const char le_bom[] = "\xFF\xFE-\0-\0-\0\n\0";
	static const char be_bom[] = "\xFE\xFF\0-\0-\0-\0\n";
	static const char le[] = "-\0-\0-\0\n\0t\0i\0t\0l\0e\0:\0 \0x\0\n\0";
	static const char *const texts[] = {le_bom, be_bom, le};
	static const size_t lens[] = {sizeof(le_bom) - 1, sizeof(be_bom) - 1, sizeof(le) - 1};
	struct warnings w;
	size_t i;

	for (i = 0; i < BP_ARRAY_SIZE(texts); i++) {
		CHECK_STR(strict_error(texts[i], lens[i]),
			  "law/x.md: is UTF-16 text; convert it to UTF-8");
		CHECK(lenient(NAME, texts[i], lens[i], NULL, &w) == NULL);
		CHECK_INT(err.code, BP_EINVALID);
		CHECK_STR(err.msg, "law/x.md: is UTF-16 text; convert it to UTF-8");
	}
}

/* Hostile YAML. */

static void test_alias_bomb_costs_its_size(void)
{
	struct bp_buf b = BP_BUF_INIT;
	struct bp_article *a;
	clock_t start;
	int i, j;

	bp_buf_addstr(&b, "---\ntitle: Laughs\nsector: law\nlol0: &l0 lol\n");
	for (i = 1; i < 10; i++) {
		bp_buf_addf(&b, "lol%d: &l%d [", i, i);
		for (j = 0; j < 10; j++)
			bp_buf_addf(&b, "%s*l%d", j ? ", " : "", i - 1);
		bp_buf_addstr(&b, "]\n");
	}
	bp_buf_addstr(&b, "---\n");
	start = clock();
	a = strict(b.ptr);
	CHECK(a != NULL);
	if (a) {
		CHECK_STR(written(a), b.ptr);
		CHECK(bp_article_field(a, "lol9") == NULL);
		CHECK_STR(bp_article_field(a, "lol0"), "lol");
	}
	CHECK((double)(clock() - start) / CLOCKS_PER_SEC < 0.5);
	bp_article_free(a);
	bp_buf_release(&b);
}

static void test_deep_nesting_is_refused(void)
{
	struct bp_buf b = BP_BUF_INIT;
	struct bp_article *a;
	int i;

	/* The top-level mapping and 31 lists: 32 levels, the most there may be. */
	bp_buf_addstr(&b, "---\ntitle: Deep\nsector: law\nx: ");
	for (i = 0; i < 31; i++)
		bp_buf_addch(&b, '[');
	for (i = 0; i < 31; i++)
		bp_buf_addch(&b, ']');
	bp_buf_addstr(&b, "\n---\n");
	a = strict(b.ptr);
	CHECK(a != NULL);
	if (a)
		CHECK_STR(written(a), b.ptr);
	bp_article_free(a);

	bp_buf_truncate(&b, 0);
	bp_buf_addstr(&b, "---\ntitle: Deep\nsector: law\nx: ");
	for (i = 0; i < 10000; i++)
		bp_buf_addch(&b, '[');
	bp_buf_addstr(&b, "\n---\n");
	CHECK_STR(strict_error(b.ptr, b.len), "law/x.md:4: front matter is nested more than 32 "
					      "levels deep");

	/* In block style too. */
	bp_buf_truncate(&b, 0);
	bp_buf_addstr(&b, "---\ntitle: Deep\nsector: law\n");
	for (i = 0; i < 40; i++)
		bp_buf_addf(&b, "%*sk%d:\n", i, "", i);
	bp_buf_addstr(&b, "---\n");
	CHECK_STR(strict_error(b.ptr, b.len), "law/x.md:36: front matter is nested more than 32 "
					      "levels deep");
	bp_buf_release(&b);
}

static void test_huge_inputs_are_refused(void)
{
	struct bp_buf b = BP_BUF_INIT;
	struct warnings w;
	struct bp_article *a;
	char *huge;
	int i;

	bp_buf_addstr(&b, "---\ntitle: Big\nsector: law\n");
	while (b.len <= BP_ARTICLE_MAX_FRONT_MATTER)
		bp_buf_addf(&b, "k%zu: some value\n", b.len);
	bp_buf_addstr(&b, "---\n# Heading\n");
	CHECK_STR(strict_error(b.ptr, b.len), "law/x.md:1: front matter is larger than 64 KiB");
	a = lenient(NAME, b.ptr, b.len, NULL, &w);
	CHECK(a != NULL);
	if (a) {
		size_t len;
		const char *body = bp_article_body(a, &len);

		CHECK(!bp_article_has_front_matter(a));
		/* Ignored, and not taken for the body: the title comes from the heading after it. */
		CHECK(len == 10 && !memcmp(body, "# Heading\n", 10));
		CHECK_STR(bp_article_title(a), "Heading");
	}
	CHECK_STR(w.all, "law/x.md:1: front matter is larger than 64 KiB\n");
	bp_article_free(a);

	/* Within the size, too many events. */
	bp_buf_truncate(&b, 0);
	bp_buf_addstr(&b, "---\ntitle: Many\nsector: law\nx: [");
	for (i = 0; i < 25000; i++)
		bp_buf_addstr(&b, "a,");
	bp_buf_addstr(&b, "a]\n---\n");
	CHECK_STR(strict_error(b.ptr, b.len),
		  "law/x.md:4: front matter is too complex (more than 20000 YAML events)");
	bp_buf_release(&b);

	huge = malloc(BP_ARTICLE_MAX_SIZE + 1);
	memset(huge, 'a', BP_ARTICLE_MAX_SIZE + 1);
	CHECK_STR(strict_error(huge, BP_ARTICLE_MAX_SIZE + 1), "law/x.md: is larger than 4 MiB");
	CHECK(lenient(NAME, huge, BP_ARTICLE_MAX_SIZE + 1, NULL, &w) == NULL);
	CHECK_INT(err.code, BP_EINVALID);
	free(huge);
}

/* Out of memory. */

/* A realistic edit: read a hand-written tip, change it, write it out. */
static int edit_own_tip(void)
{
	const char *tags[] = {"reference", "triage"};
	const char *keys[] = {"peer", "id"};
	const char *values[] = {"hospital-lib", "medical/triage"};
	struct bp_article *a = NULL;
	struct bp_error e;
	char *out = NULL;
	size_t len;
	int rc;

	if ((rc = bp_article_parse(&a, NAME, tricky[1], strlen(tricky[1]), NULL, &e)) ||
	    (rc = bp_article_set_title(a, "New: title", &e)) ||
	    (rc = bp_article_set_tags(a, tags, 2, &e)) ||
	    (rc = bp_article_set_field_map(a, "adopted-from", keys, values, 2, &e)) ||
	    (rc = bp_article_set_field(a, "extra", "flat", &e)) ||
	    (rc = bp_article_set_updated(a, "2024-01-31", &e)) ||
	    (rc = bp_article_set_body(a, "New body\n", 9, &e)) ||
	    (rc = bp_article_serialize(&out, &len, a, &e)))
		CHECK_STR(e.msg, "out of memory");
	bp_free(out);
	bp_article_free(a);
	return rc;
}

/* A peer's plain file: everything derived. */
static int read_peer_file(void)
{
	const char *md = "---\ntitle: [bad]\ntags: Some Tag\n---\nIntro\n\n## Triage *fast*\n";
	struct warnings w;
	struct bp_warn warn = {collect, &w};
	struct bp_article_opts opts = {0, NULL, &warn};
	struct bp_article *a = NULL;
	struct bp_error e;
	char *out = NULL;
	size_t len;
	int rc;

	memset(&w, 0, sizeof(w));
	if ((rc = bp_article_parse(&a, "Medical Library/triage.md", md, strlen(md), &opts, &e)) ||
	    (rc = bp_article_serialize(&out, &len, a, &e)))
		CHECK_STR(e.msg, "out of memory");
	bp_free(out);
	bp_article_free(a);
	return rc;
}

static void fail_each_allocation(int (*run)(void))
{
	unsigned long n, i;
	int rc, sticky;

	bp_alloc_fail_at(0, 0);
	CHECK_INT(run(), 0);
	n = bp_alloc_fail_at(0, 0);
	printf("# %lu allocations\n", n);
	CHECK(n > 10);
	for (sticky = 0; sticky <= 1; sticky++) {
		for (i = 1; i <= n; i++) {
			bp_alloc_fail_at(i, sticky);
			rc = run();
			bp_alloc_fail_at(0, 0);
			if (rc != 0 && rc != BP_ENOMEM)
				printf("#   allocation %lu of %lu: %d\n", i, n, rc);
			CHECK(rc == 0 || rc == BP_ENOMEM);
		}
	}
}

static void test_out_of_memory_editing(void)
{
	fail_each_allocation(edit_own_tip);
}

static void test_out_of_memory_reading_a_peer(void)
{
	fail_each_allocation(read_peer_file);
}

int main(void)
{
	RUN(test_parse_full_article);
	RUN(test_optional_fields_absent);
	RUN(test_strict_errors_name_file_and_line);
	RUN(test_strict_limits);
	RUN(test_round_trip_is_byte_identical);
	RUN(test_set_title_changes_only_its_line);
	RUN(test_setters_rewrite_their_entry_and_keep_comments);
	RUN(test_new_fields_are_appended_in_order);
	RUN(test_new_article_and_field_map);
	RUN(test_tricky_titles_survive_a_round_trip);
	RUN(test_setters_validate_and_leave_the_article_alone);
	RUN(test_body_and_delimiters);
	RUN(test_validity_helpers);
	RUN(test_lenient_title_from_first_heading);
	RUN(test_lenient_title_from_file_name);
	RUN(test_lenient_sector);
	RUN(test_lenient_tags_and_fields);
	RUN(test_lenient_gives_up_bad_front_matter);
	RUN(test_invalid_utf8);
	RUN(test_unicode_line_breaks_in_front_matter);
	RUN(test_utf16_is_refused);
	RUN(test_alias_bomb_costs_its_size);
	RUN(test_deep_nesting_is_refused);
	RUN(test_huge_inputs_are_refused);
	RUN(test_out_of_memory_editing);
	RUN(test_out_of_memory_reading_a_peer);
	u_cleanup(); /* ICU's caches, so that valgrind shows only what is ours */
	return done_testing();
}
