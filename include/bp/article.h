/*
 * Articles: a Markdown file with a YAML front-matter block.
 *
 *     ---
 *     title: Triaging reference questions with a three-minute rule
 *     sector: medical
 *     tags: [reference, time-management]
 *     author: Ada Smith <ada@example.org>
 *     created: 2017-06-15
 *     ---
 *     Body in CommonMark...
 *
 * The front matter is parsed with libyaml. Keys the tool does not know are kept byte for byte
 * when an article is rewritten: serialising copies every top-level entry that was not changed
 * exactly as it was read, in its original order, and writes only the changed or new entries.
 * An entry is the text from the start of its key's line to the start of the next key's line:
 * its value, then the comments and blank lines that follow it. This is why the front matter
 * must be a block mapping that starts at the beginning of its lines.
 */
#ifndef BP_ARTICLE_H
#define BP_ARTICLE_H

#include <stddef.h>
#include "common.h"

struct bp_article;

/* Limits that bound the work done on any input, trusted or not. */
#define BP_ARTICLE_MAX_SIZE (4u << 20)         /* a whole article file */
#define BP_ARTICLE_MAX_FRONT_MATTER (64u << 10) /* the YAML block */
#define BP_ARTICLE_MAX_TITLE 200                /* bytes */
#define BP_ARTICLE_MAX_TAGS 50
#define BP_ARTICLE_MAX_TAG 50 /* bytes */
#define BP_ARTICLE_MAX_SECTOR 40
#define BP_ARTICLE_MAX_AUTHOR 200

enum bp_article_flags {
	/*
	 * An article of the user's own KB or one the tool writes: front matter required, `title`
	 * and `sector` required, every known field validated, any problem an error (BP_EINVALID).
	 */
	BP_ARTICLE_STRICT = 1u << 0,
	/*
	 * With BP_ARTICLE_STRICT: `title` and `sector` may be absent (the caller supplies them
	 * and validates afterwards with bp_article_validate); everything else stays strict.
	 */
	BP_ARTICLE_ALLOW_MISSING = 1u << 1,
};

struct bp_article_opts {
	unsigned flags; /* enum bp_article_flags */
	/*
	 * Without BP_ARTICLE_STRICT (a peer's file, or a file being imported): the sector for a
	 * file whose front matter names none. NULL: the first folder of the name, else "general".
	 */
	const char *default_sector;
	/* Without BP_ARTICLE_STRICT: where problems that do not stop the parse are reported. */
	const struct bp_warn *warn;
};

/*
 * Parse `len` bytes of `text` as an article.
 *
 * `name` is the article's path relative to its KB ("law/x.md"), used in every message
 * ("law/x.md:3: 'tags' must be a list", the line being that of the offending key or value in
 * the file) and, in lenient mode, to derive what the front matter lacks. It may be a display
 * name such as "<stdin>". `opts` may be NULL (strict).
 *
 * Strict mode: the front matter must be present; `title` (one line, at most
 * BP_ARTICLE_MAX_TITLE bytes) and `sector` (lowercase letters, digits and inner hyphens) are
 * required; `tags` must be a list of distinct tags (lowercase letters, digits, inner hyphens);
 * `author` a single-line string; `created` and `updated` real dates written YYYY-MM-DD. An
 * optional field with nothing after its colon (`author:`) is absent. Known fields must be
 * plain values: no anchor, alias or tag. The text must be valid UTF-8 without NUL bytes. A
 * YAML syntax error, a key that is not a scalar, a duplicate top-level key, a front matter
 * that is not one block mapping starting at column 0 ({...} or indented), or an unterminated
 * front matter are errors with FILE:LINE. The first problem in the file is the one reported; a
 * missing `title` or `sector` is reported on line 1, the opening '---'.
 *
 * Lenient mode: never fails on content (only BP_ENOMEM, or BP_EINVALID for text that is not
 * text at all: UTF-16, or larger than BP_ARTICLE_MAX_SIZE). Invalid fields are derived or
 * dropped, with one warning each through opts->warn. A missing title or sector is normal for a
 * peer (a plain Markdown file, a Jekyll or Hugo page) and is derived without a warning: the
 * title from the first heading, else from the file name ("triaging-reference_questions.md"
 * gives "Triaging reference questions"); the sector as bp_article_opts.default_sector says. A
 * title or author on several lines is joined into one; a scalar `tags` is a list cut at commas,
 * or at spaces when it has none (Jekyll's `tags: weeding crew`); tags are lowercased, inner
 * spaces become hyphens, and invalid ones are dropped. A front matter that cannot be read (YAML error, unterminated,
 * larger than BP_ARTICLE_MAX_FRONT_MATTER) is ignored with a warning; one that cannot be cut
 * into lines ({...}, indented) keeps only the known fields. Invalid UTF-8 and NUL bytes are
 * replaced by U+FFFD (one warning), in the getters and in what bp_article_serialize() writes.
 * Derived and fixed fields count as changed, so serialising a lenient article gives one that
 * strict mode accepts (what `import` and `adopt` need).
 *
 * A UTF-8 byte order mark is skipped; "---" delimiters may end in CRLF and have trailing
 * spaces, and "..." also closes the front matter. YAML anchors, aliases and tags are never
 * expanded or resolved: the parser only reads events, so a "billion laughs" block costs its
 * size and no more. Nesting deeper than 32 collections, more than 1000 top-level keys or more
 * than 20000 YAML events are errors (lenient: the front matter is ignored).
 *
 * On success *out is a new article the caller releases with bp_article_free().
 */
int bp_article_parse(struct bp_article **out, const char *name, const char *text, size_t len,
		     const struct bp_article_opts *opts, struct bp_error *err);

/* A new article with no front matter and an empty body, to be filled with the setters. */
int bp_article_new(struct bp_article **out, struct bp_error *err);

void bp_article_free(struct bp_article *a);

/*
 * Getters. Strings are NUL-terminated UTF-8 borrowed from the article: they live until the
 * same field is set again or the article is freed. NULL means the field is absent.
 */
const char *bp_article_title(const struct bp_article *a);
const char *bp_article_sector(const struct bp_article *a);
const char *bp_article_author(const struct bp_article *a);
const char *bp_article_created(const struct bp_article *a); /* "YYYY-MM-DD" */
const char *bp_article_updated(const struct bp_article *a);
size_t bp_article_tag_count(const struct bp_article *a);
const char *bp_article_tag(const struct bp_article *a, size_t i);

/* The body (everything after the closing delimiter), not NUL-terminated; *len its size. */
const char *bp_article_body(const struct bp_article *a, size_t *len);

/* 1-based line number, in the parsed file, of the body's first line. */
unsigned bp_article_body_line(const struct bp_article *a);

/* Whether the parsed text had a front-matter block. */
int bp_article_has_front_matter(const struct bp_article *a);

/*
 * The value of any other top-level key when it is a scalar ("adopted-from.peer" reads key
 * "peer" of the mapping under "adopted-from", which a top-level key written
 * "adopted-from.peer" does not hide); NULL when absent, not a scalar, or one of the known
 * fields (use their getters). Borrowed, until that key is set again or the article is
 * freed.
 */
const char *bp_article_field(const struct bp_article *a, const char *key);

/*
 * Setters. Each validates its value as strict mode would (BP_EINVALID with a message naming
 * the field, the article unchanged) and marks the entry for rewriting; setting the value a
 * field already has leaves its line as it was written. NULL removes an optional field. The
 * body must be valid UTF-8 without NUL bytes.
 */
int bp_article_set_title(struct bp_article *a, const char *title, struct bp_error *err);
int bp_article_set_sector(struct bp_article *a, const char *sector, struct bp_error *err);
int bp_article_set_author(struct bp_article *a, const char *author, struct bp_error *err);
int bp_article_set_created(struct bp_article *a, const char *date, struct bp_error *err);
int bp_article_set_updated(struct bp_article *a, const char *date, struct bp_error *err);
int bp_article_set_tags(struct bp_article *a, const char *const *tags, size_t n,
			struct bp_error *err);
int bp_article_set_body(struct bp_article *a, const char *body, size_t len, struct bp_error *err);

/*
 * Set a top-level key that the tool does not model to a scalar (`value`; NULL removes the key)
 * or to a block mapping of `n` scalar pairs keys[i]: values[i] (used for `adopted-from`).
 * `key` must not be one of the known fields.
 */
int bp_article_set_field(struct bp_article *a, const char *key, const char *value,
			 struct bp_error *err);
int bp_article_set_field_map(struct bp_article *a, const char *key, const char *const *keys,
			     const char *const *values, size_t n, struct bp_error *err);

/*
 * Check what strict parsing checks, on an article built or changed with the setters: title
 * and sector present, and so on. `name` is used in messages.
 */
int bp_article_validate(const struct bp_article *a, const char *name, struct bp_error *err);

/*
 * Write the article out: the opening delimiter line, the front matter (unchanged entries byte
 * for byte in their original order, changed ones in place, new ones after them in the order
 * title, sector, tags, author, created, updated, others), the closing delimiter line, the
 * body. The delimiter lines (and a byte order mark) are those that were read, "---\n" for an
 * article that had none, so a parsed article that was not changed comes out byte for byte as
 * it came in. Values are emitted with libyaml, plain where YAML allows, quoted where it needs
 * it or where another YAML reader would take the text for a number, boolean or null ('2024',
 * 'yes'); tags as a flow list, a field map as a block mapping, in the file's line ending. A
 * changed entry loses a comment on its own lines but keeps the comments after them.
 * *out is NUL-terminated and released with bp_free().
 */
int bp_article_serialize(char **out, size_t *out_len, const struct bp_article *a,
			 struct bp_error *err);

/*
 * Make a slug from a title: transliterated to ASCII (ICU "Any-Latin; Latin-ASCII": café ->
 * cafe, Straße -> strasse, Zürich -> zurich), lowercased, runs of anything but [a-z0-9] turned
 * into one hyphen, no hyphen at either end, cut at a hyphen to at most `max` bytes (0: 60).
 * A title with nothing left gives "untitled". Only the first 4 KiB of the title count. Fails
 * with BP_ECONFIG if ICU cannot open the transliterator. *out is released with bp_free().
 */
int bp_slugify(char **out, const char *title, size_t max, struct bp_error *err);

/* Whether `s` is a valid sector name, or a valid tag (same rule: [a-z0-9] with inner '-'). */
int bp_is_valid_sector(const char *s);
int bp_is_valid_tag(const char *s);

/* Whether `s` is a real calendar date written YYYY-MM-DD (years 1000 to 9999). */
int bp_is_valid_date(const char *s);

#endif
