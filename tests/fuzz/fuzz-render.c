/*
 * Fuzz target: what turns an article into text for the index and for a terminal.
 *
 *   bp_markdown_text: valid UTF-8 without NUL bytes, *out_len its length;
 *   bp_markdown_first_heading: absent, or one trimmed line of valid UTF-8;
 *   bp_render_article, over the input read as a peer's article: without colour, valid UTF-8
 *       with no ESC byte and nothing a terminal obeys (no control but '\n', no C1 control, no
 *       bidi control), no line ending in a space; with colour, the same text once its SGR
 *       sequences ("ESC [ digits;... m", the only escapes allowed) are taken out;
 *   bp_escape, with each combination of flags: nothing left that a terminal obeys, and the
 *       text unchanged exactly when bp_needs_escape says so.
 */
#include <string.h>

#include "bp/article.h"
#include "bp/render.h"
#include "fuzz.h"

static void check_markdown_text(const char *md, size_t len)
{
	struct bp_error err = {0};
	char *out = NULL;
	size_t n = 0, bad = 0;

	FUZZ_CHECK(!bp_markdown_text(&out, &n, md, len, &err) && out, "bp_markdown_text: %s",
		   err.msg);
	FUZZ_CHECK(strlen(out) == n, "bp_markdown_text: %zu bytes, a NUL at %zu", n, strlen(out));
	FUZZ_CHECK(fuzz_utf8_valid(out, n, &bad), "bp_markdown_text: invalid UTF-8 at byte %zu",
		   bad);
	bp_free(out);
}

static void check_first_heading(const char *md, size_t len)
{
	struct bp_error err = {0};
	char *out = NULL;
	size_t n;

	FUZZ_CHECK(!bp_markdown_first_heading(&out, md, len, &err), "first heading: %s",
		   err.msg);
	if (!out)
		return;
	n = strlen(out);
	FUZZ_CHECK(n && out[0] != ' ' && out[n - 1] != ' ', "first heading '%s' is not trimmed",
		   out);
	FUZZ_CHECK(!strpbrk(out, "\n\r\t"), "first heading '%s' is not one line", out);
	FUZZ_CHECK(fuzz_utf8_valid(out, n, NULL), "first heading: invalid UTF-8");
	bp_free(out);
}

/*
 * Remove the SGR sequences of coloured output in place, checking that every ESC starts one;
 * returns the length left.
 */
FUZZ_NO_COVERAGE
static size_t strip_sgr(char *s, size_t len)
{
	size_t i = 0, j = 0, k;

	while (i < len) {
		if (s[i] != '\x1b') {
			s[j++] = s[i++];
			continue;
		}
		FUZZ_CHECK(i + 1 < len && s[i + 1] == '[', "an ESC that starts no SGR at byte %zu",
			   i);
		for (k = i + 2; k < len && ((s[k] >= '0' && s[k] <= '9') || s[k] == ';'); k++)
			;
		FUZZ_CHECK(k < len && s[k] == 'm', "an escape sequence that is not SGR at byte %zu",
			   i);
		i = k + 1;
	}
	return j;
}

static void check_render(const struct bp_article *a, int width)
{
	struct bp_error err = {0};
	char *plain = NULL, *color = NULL;
	size_t plain_len = 0, color_len = 0, n;

	FUZZ_CHECK(!bp_render_article(&plain, &plain_len, a, width, 0, &err) && plain,
		   "bp_render_article: %s", err.msg);
	FUZZ_CHECK(!memchr(plain, '\x1b', plain_len), "an ESC in output without colour");
	fuzz_check_shown("rendered article", plain, plain_len, 1, 0);
	for (n = 1; n < plain_len; n++)
		FUZZ_CHECK(plain[n] != '\n' || plain[n - 1] != ' ', "a line ends in a space:\n%s",
			   plain);

	FUZZ_CHECK(!bp_render_article(&color, &color_len, a, width, BP_RENDER_COLOR, &err) &&
			   color,
		   "bp_render_article in colour: %s", err.msg);
	n = strip_sgr(color, color_len);
	fuzz_check_shown("article rendered in colour", color, n, 1, 0);
	FUZZ_CHECK(n == plain_len && !memcmp(color, plain, n),
		   "colour changes more than SGR sequences:\n%s\n-- in colour, SGR taken out --\n"
		   "%.*s",
		   plain, (int)n, color);
	bp_free(plain);
	bp_free(color);
}

static void check_escape(const char *s, size_t len, unsigned flags)
{
	struct bp_error err = {0};
	char *out = NULL;
	size_t n;
	int changed;

	FUZZ_CHECK(!bp_escape(&out, s, len, flags, &err) && out, "bp_escape: %s", err.msg);
	n = strlen(out);
	fuzz_check_shown("escaped text", out, n, !!(flags & BP_ESCAPE_KEEP_NEWLINE),
			 !!(flags & BP_ESCAPE_KEEP_TAB));
	changed = n != len || memcmp(out, s, len);
	FUZZ_CHECK(changed == !!bp_needs_escape(s, len, flags),
		   "flags %u: bp_needs_escape says %d, bp_escape %s the text", flags,
		   bp_needs_escape(s, len, flags), changed ? "changed" : "kept");
	bp_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int widths[] = {0, 1, 8, 20, 40, 80};
	struct bp_article_opts opts = {0, NULL, NULL};
	const char *s = (const char *)data;
	struct bp_article *a = NULL;
	unsigned flags;

	check_markdown_text(s, size);
	check_first_heading(s, size);
	if (!bp_article_parse(&a, "law/fuzz-input.md", s, size, &opts, NULL)) {
		check_render(a, widths[size ? data[size - 1] % 6 : 0]);
		bp_article_free(a);
	}
	for (flags = 0; flags < 4; flags++)
		check_escape(s, size, flags);
	return 0;
}
