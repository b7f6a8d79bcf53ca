/*
 * Fuzz target: the article parser and writer. Every input is read strictly (an article of our
 * own) and leniently (a peer's file). What is accepted must survive being written out:
 *
 *   strict:  bp_article_serialize gives the input back byte for byte, and lenient reading
 *            of the same input gives the same fields;
 *   lenient: what bp_article_serialize writes is read back by strict mode with the same
 *            fields, and writes itself out unchanged (bp/article.h promises both);
 *   either:  after setting fields (a title, an unknown key and a field map taken from the
 *            input, reordered tags, a date, a removed author) the article written out is
 *            read back strictly with exactly those values, and the others unchanged.
 */
#include <string.h>

#include "bp/article.h"
#include "fuzz.h"

#define NAME "law/fuzz-input.md"

/* Warnings are whole messages, valid UTF-8. */
static void check_warning(void *payload, const char *msg)
{
	int *count = payload;

	++*count;
	FUZZ_CHECK(*msg && fuzz_utf8_valid(msg, strlen(msg), NULL), "warning '%s'", msg);
}

static int same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

#define SHOW(s) ((s) ? (s) : "(null)")

/* Check that b has a's fields: title, sector, tags, author, dates and body. */
static void check_same_fields(const struct bp_article *a, const struct bp_article *b,
			      const char *what)
{
	const char *ba, *bb;
	size_t la, lb, i;

	FUZZ_CHECK(same(bp_article_title(a), bp_article_title(b)), "%s: title '%s', then '%s'",
		   what, SHOW(bp_article_title(a)), SHOW(bp_article_title(b)));
	FUZZ_CHECK(same(bp_article_sector(a), bp_article_sector(b)), "%s: sector '%s', then '%s'",
		   what, SHOW(bp_article_sector(a)), SHOW(bp_article_sector(b)));
	FUZZ_CHECK(same(bp_article_author(a), bp_article_author(b)), "%s: author '%s', then '%s'",
		   what, SHOW(bp_article_author(a)), SHOW(bp_article_author(b)));
	FUZZ_CHECK(same(bp_article_created(a), bp_article_created(b)),
		   "%s: created '%s', then '%s'", what, SHOW(bp_article_created(a)),
		   SHOW(bp_article_created(b)));
	FUZZ_CHECK(same(bp_article_updated(a), bp_article_updated(b)),
		   "%s: updated '%s', then '%s'", what, SHOW(bp_article_updated(a)),
		   SHOW(bp_article_updated(b)));
	FUZZ_CHECK(bp_article_tag_count(a) == bp_article_tag_count(b), "%s: %zu tags, then %zu",
		   what, bp_article_tag_count(a), bp_article_tag_count(b));
	for (i = 0; i < bp_article_tag_count(a); i++)
		FUZZ_CHECK(same(bp_article_tag(a, i), bp_article_tag(b, i)),
			   "%s: tag %zu '%s', then '%s'", what, i, SHOW(bp_article_tag(a, i)),
			   SHOW(bp_article_tag(b, i)));
	ba = bp_article_body(a, &la);
	bb = bp_article_body(b, &lb);
	FUZZ_CHECK(la == lb && !memcmp(ba, bb, la), "%s: a body of %zu bytes, then %zu", what,
		   la, lb);
}

/* Check what any parsed article promises of its getters. */
static void check_getters(const struct bp_article *a, const char *what)
{
	const char *s;
	size_t i, len;

	FUZZ_CHECK(bp_article_title(a) && bp_article_sector(a), "%s: no title or sector", what);
	FUZZ_CHECK(bp_article_validate(a, NAME, NULL) == 0, "%s: does not validate", what);
	FUZZ_CHECK(bp_is_valid_sector(bp_article_sector(a)), "%s: sector '%s'", what,
		   bp_article_sector(a));
	FUZZ_CHECK(!bp_article_created(a) || bp_is_valid_date(bp_article_created(a)),
		   "%s: created '%s'", what, bp_article_created(a));
	FUZZ_CHECK(!bp_article_updated(a) || bp_is_valid_date(bp_article_updated(a)),
		   "%s: updated '%s'", what, bp_article_updated(a));
	FUZZ_CHECK(bp_article_tag_count(a) <= BP_ARTICLE_MAX_TAGS, "%s: %zu tags", what,
		   bp_article_tag_count(a));
	for (i = 0; i < bp_article_tag_count(a); i++)
		FUZZ_CHECK(bp_is_valid_tag(bp_article_tag(a, i)), "%s: tag '%s'", what,
			   bp_article_tag(a, i));
	s = bp_article_body(a, &len);
	FUZZ_CHECK(s && fuzz_utf8_valid(s, len, NULL) && !memchr(s, 0, len),
		   "%s: the body is not text", what);
}

/* The error of the last parse that failed, for messages. */
static struct bp_error parse_err;

static struct bp_article *parse(const char *text, size_t len, const struct bp_article_opts *opts,
				const char *what)
{
	struct bp_article *a = (struct bp_article *)&a; /* must be reset to NULL on failure */
	int rc;

	bp_error_clear(&parse_err);
	rc = bp_article_parse(&a, NAME, text, len, opts, &parse_err);
	if (rc) {
		FUZZ_CHECK(rc == BP_EINVALID, "%s: failed with %d: %s", what, rc, parse_err.msg);
		FUZZ_CHECK(!a, "%s: failed but left *out set", what);
		FUZZ_CHECK(parse_err.msg[0] &&
				   fuzz_utf8_valid(parse_err.msg, strlen(parse_err.msg), NULL),
			   "%s: error '%s'", what, parse_err.msg);
		return NULL;
	}
	FUZZ_CHECK(a, "%s: succeeded without an article", what);
	return a;
}

static char *serialize(const struct bp_article *a, size_t *len, const char *what)
{
	struct bp_error err = {0};
	char *out = NULL;
	int rc;

	rc = bp_article_serialize(&out, len, a, &err);
	FUZZ_CHECK(!rc && out, "%s: cannot serialize: %s", what, err.msg);
	FUZZ_CHECK(strlen(out) == *len, "%s: %zu bytes written, %zu before a NUL", what, *len,
		   strlen(out));
	return out;
}

/*
 * Up to `max` bytes of the input from `off` as a C string: cut at a NUL byte (and, for
 * `one_line`, at a control character), then after the last whole UTF-8 character before any
 * invalid byte. NULL when nothing is left.
 */
static char *slice(const uint8_t *data, size_t size, size_t off, size_t max, int one_line)
{
	size_t n = 0, good = 0, k;
	unsigned cp;

	if (off >= size)
		return NULL;
	data += off;
	size -= off;
	while (n < size && n < max && data[n] && !(one_line && (data[n] < 0x20 || data[n] == 0x7F)))
		n++;
	while (good < n && (k = fuzz_utf8_decode((const char *)data + good, n - good, &cp)))
		good += k;
	if (!good)
		return NULL;
	return fuzz_strndup(data, good);
}

/* Set fields from the input, write, read back strictly, and find exactly what was set. */
static void edit_and_reread(struct bp_article *a, const uint8_t *data, size_t size)
{
	static const char *const map_keys[] = {"peer", "id", "commit"};
	struct bp_error err = {0};
	struct bp_article *b;
	char *title, *note, *out, *map_values[3];
	char *tags[BP_ARTICLE_MAX_TAGS];
	const char *created;
	size_t i, n = bp_article_tag_count(a), len;

	/* What is set: a title from the input's start, a note and a map from its end. */
	title = slice(data, size, 0, 120, 1);
	note = slice(data, size, size > 80 ? size - 80 : 0, 80, 0);
	map_values[0] = slice(data, size, size / 2, 40, 0);
	map_values[1] = slice(data, size, size / 3, 40, 0);
	map_values[2] = slice(data, size, size / 4, 40, 0);
	for (i = 0; i < 3; i++)
		if (!map_values[i])
			map_values[i] = fuzz_strndup((const uint8_t *)"", 0);
	if (title)
		FUZZ_CHECK(!bp_article_set_title(a, title, &err), "set_title('%s'): %s", title,
			   err.msg);
	if (note)
		FUZZ_CHECK(!bp_article_set_field(a, "fuzz-note", note, &err),
			   "set_field('%s'): %s", note, err.msg);
	FUZZ_CHECK(!bp_article_set_field_map(a, "fuzz-from", map_keys,
					     (const char *const *)map_values, 3, &err),
		   "set_field_map: %s", err.msg);
	/* Copies: a getter's string lives only until its field is set again. */
	for (i = 0; i < n; i++)
		tags[i] = fuzz_strndup((const uint8_t *)bp_article_tag(a, n - 1 - i),
				       strlen(bp_article_tag(a, n - 1 - i)));
	FUZZ_CHECK(!bp_article_set_tags(a, (const char *const *)tags, n, &err), "set_tags: %s",
		   err.msg);
	FUZZ_CHECK(!bp_article_set_updated(a, "2024-02-29", &err), "set_updated: %s", err.msg);
	FUZZ_CHECK(!bp_article_set_author(a, NULL, &err), "set_author(NULL): %s", err.msg);
	created = bp_article_created(a);

	out = serialize(a, &len, "edited");
	b = parse(out, len, NULL, "the edited article read back strictly");
	if (!b)
		fuzz_fail(__FILE__, __LINE__, "b", "%s; it was:\n%s", parse_err.msg, out);
	check_getters(b, "the edited article read back");
	if (title)
		FUZZ_CHECK(same(bp_article_title(b), title), "title '%s' set, '%s' read", title,
			   SHOW(bp_article_title(b)));
	FUZZ_CHECK(same(bp_article_sector(b), bp_article_sector(a)), "sector changed");
	FUZZ_CHECK(same(bp_article_created(b), created), "created changed");
	FUZZ_CHECK(same(bp_article_updated(b), "2024-02-29"), "updated '%s' read",
		   SHOW(bp_article_updated(b)));
	FUZZ_CHECK(!bp_article_author(b), "author '%s' read after removal",
		   bp_article_author(b));
	FUZZ_CHECK(bp_article_tag_count(b) == n, "%zu tags set, %zu read", n,
		   bp_article_tag_count(b));
	for (i = 0; i < n; i++)
		FUZZ_CHECK(same(bp_article_tag(b, i), tags[i]), "tag %zu", i);
	if (note)
		FUZZ_CHECK(same(bp_article_field(b, "fuzz-note"), note),
			   "note '%s' set, '%s' read from:\n%s", note,
			   SHOW(bp_article_field(b, "fuzz-note")), out);
	for (i = 0; i < 3; i++) {
		char key[32];

		snprintf(key, sizeof(key), "fuzz-from.%s", map_keys[i]);
		FUZZ_CHECK(same(bp_article_field(b, key), map_values[i]),
			   "%s '%s' set, '%s' read from:\n%s", key, map_values[i],
			   SHOW(bp_article_field(b, key)), out);
	}
	{
		size_t la, lb;
		const char *ba = bp_article_body(a, &la), *bb = bp_article_body(b, &lb);

		FUZZ_CHECK(la == lb && !memcmp(ba, bb, la), "body changed by editing fields");
	}
	bp_article_free(b);
	free(out);
	free(title);
	free(note);
	for (i = 0; i < 3; i++)
		free(map_values[i]);
	for (i = 0; i < n; i++)
		free(tags[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	int warnings = 0;
	struct bp_warn warn = {check_warning, &warnings};
	struct bp_article_opts lenient_opts = {0, NULL, &warn};
	struct bp_article *strict, *lenient, *again;
	char *out, *out2;
	size_t len, len2;

	strict = parse(text, size, NULL, "strict");
	lenient = parse(text, size, &lenient_opts, "lenient");
	if (!lenient) {
		/* Lenient mode refuses only what is not text at all. */
		FUZZ_CHECK(!strict, "strict accepted what lenient refused");
		return 0;
	}
	check_getters(lenient, "lenient");

	if (strict) {
		check_getters(strict, "strict");
		out = serialize(strict, &len, "strict");
		FUZZ_CHECK(len == size && !memcmp(out, data, size),
			   "an unchanged article was written differently:\n%s", out);
		free(out);
		check_same_fields(strict, lenient, "read strictly, then leniently");
		FUZZ_CHECK(!warnings, "%d warnings reading leniently what strict mode accepts",
			   warnings);
		edit_and_reread(strict, data, size);
		bp_article_free(strict);
	}

	out = serialize(lenient, &len, "lenient");
	again = parse(out, len, NULL, "the lenient article written out, read strictly");
	if (!again)
		fuzz_fail(__FILE__, __LINE__, "again", "%s; it was:\n%s", parse_err.msg, out);
	check_same_fields(lenient, again, "read leniently, written, read strictly");
	out2 = serialize(again, &len2, "lenient, written and read strictly");
	FUZZ_CHECK(len == len2 && !memcmp(out, out2, len),
		   "written again differently:\n%s\n-- then --\n%s", out, out2);
	free(out2);
	free(out);
	edit_and_reread(lenient, data, size);
	bp_article_free(again);
	bp_article_free(lenient);
	return 0;
}
