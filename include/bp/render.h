/*
 * Markdown through cmark: plain text for the index, text for a terminal, and the escaping of
 * text that came from anyone else before it reaches a human-readable output.
 *
 * cmark 0.30 renders safely by default (raw HTML omitted, unsafe link schemes emptied); these
 * functions never pass CMARK_OPT_UNSAFE.
 */
#ifndef BP_RENDER_H
#define BP_RENDER_H

#include <stddef.h>
#include "common.h"

struct bp_article;

/*
 * Plain text of a CommonMark document, for the full-text index: the literals of text, code
 * spans and code blocks, and the text of links and images (alt text), but no URL, no raw HTML
 * and no Markdown syntax. Soft and hard line breaks become spaces; blocks (paragraphs,
 * headings, list items, code blocks) end with a newline. *out is NUL-terminated, released with
 * bp_free(); it may contain invalid UTF-8 only if the input did.
 */
int bp_markdown_text(char **out, size_t *out_len, const char *md, size_t len,
		     struct bp_error *err);

/*
 * The text of the first heading (ATX or setext) of a CommonMark document, as bp_markdown_text
 * would give it, trimmed, on one line. *out is NULL when the document has no heading with
 * text. Released with bp_free().
 */
int bp_markdown_first_heading(char **out, const char *md, size_t len, struct bp_error *err);

enum bp_render_flags {
	BP_RENDER_COLOR = 1u << 0, /* SGR escape sequences for headings, emphasis, code, links */
};

/*
 * An article for reading in a terminal or a pipe: a header (title, then "sector · tags ·
 * author · created" on one line), a blank line, then the body with headings, emphasis, strong
 * emphasis, code, block quotes, lists (bullets and numbers, nested) and links ("text <url>"),
 * wrapped at `width` columns (0: no wrapping). Without BP_RENDER_COLOR the output carries no
 * escape sequence at all. Every piece of text from the article passes through bp_escape(), so
 * control characters in it cannot reach the terminal. *out is released with bp_free().
 */
int bp_render_article(char **out, size_t *out_len, const struct bp_article *a, int width,
		      unsigned flags, struct bp_error *err);

enum bp_escape_flags {
	BP_ESCAPE_KEEP_NEWLINE = 1u << 0, /* pass '\n' through (multi-line text) */
	BP_ESCAPE_KEEP_TAB = 1u << 1,     /* pass '\t' through */
};

/*
 * Text that came from anyone else, made safe to show: C0 controls (but '\n' and '\t' when the
 * flags keep them), DEL, C1 controls (U+0080..U+009F), Unicode bidirectional controls
 * (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) and bytes that are not valid UTF-8
 * are written as visible escapes: "\x1b", "\u202e", "\xff". A backslash stays a backslash.
 * Everything else is copied. *out is NUL-terminated, released with bp_free().
 */
int bp_escape(char **out, const char *s, size_t len, unsigned flags, struct bp_error *err);

/* Whether bp_escape() would change `s`. */
int bp_needs_escape(const char *s, size_t len, unsigned flags);

/*
 * The same JSON text with what a terminal would obey, and JSON allows raw, written as \uXXXX
 * escapes: DEL, the C1 controls (U+0080-U+009F) and the bidirectional controls. Control
 * characters below U+0020 are escaped by any JSON writer already; bytes that are not UTF-8
 * become \ufffd. `json` must be JSON text (these characters can only be inside its strings),
 * and the result is the same JSON value. *out is released with bp_free().
 */
int bp_json_escape(char **out, const char *json, size_t len, struct bp_error *err);

#endif
