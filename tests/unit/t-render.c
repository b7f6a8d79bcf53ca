/*
 * Unit tests of lib/render.c and lib/escape.c: plain text for the index, the first heading,
 * the terminal renderer, and the escaping of text from anyone else.
 */
#include <stdlib.h>

#include "bp/article.h"
#include "bp/render.h"
#include "harness.h"
#include "render-fields.h"
#include "util.h"

/*
 * TEST-ONLY FAKE of the article getters that bp_render_article() calls, so that this test
 * links before lib/article.c exists. A struct of fields stands for the article. When a test
 * here needs the real parser (bp_article_parse), delete this block: the real getters then
 * come from libbestpractice.a. Including bp/article.h checks the fake against the contract.
 */
struct bp_article {
	struct bp_render_fields f;
};

const char *bp_article_title(const struct bp_article *a)
{
	return a->f.title;
}

const char *bp_article_sector(const struct bp_article *a)
{
	return a->f.sector;
}

const char *bp_article_author(const struct bp_article *a)
{
	return a->f.author;
}

const char *bp_article_created(const struct bp_article *a)
{
	return a->f.created;
}

size_t bp_article_tag_count(const struct bp_article *a)
{
	return a->f.ntags;
}

const char *bp_article_tag(const struct bp_article *a, size_t i)
{
	return a->f.tags[i];
}

const char *bp_article_body(const struct bp_article *a, size_t *len)
{
	*len = a->f.body_len;
	return a->f.body;
}
/* End of the fake. */

static char *text_of(const char *md)
{
	char *out = NULL;
	size_t len = 0;

	CHECK_INT(bp_markdown_text(&out, &len, md, strlen(md), NULL), 0);
	CHECK(out && len == strlen(out));
	return out;
}

static char *render(const char *title, const char *body, int width, unsigned flags)
{
	struct bp_render_fields f = {NULL};
	char *out = NULL;
	size_t len = 0;

	f.title = title;
	f.body = body;
	f.body_len = body ? strlen(body) : 0;
	CHECK_INT(bp_render_fields(&out, &len, &f, width, flags, NULL), 0);
	CHECK(out && len == strlen(out));
	return out;
}

/* Remove SGR sequences (ESC [ digits and ';' m); anything else is left as it is. */
static void strip_sgr(char *s)
{
	char *w = s, *r = s;

	while (*r) {
		if (r[0] == '\x1b' && r[1] == '[') {
			char *e = r + 2;

			while ((*e >= '0' && *e <= '9') || *e == ';')
				e++;
			if (*e == 'm') {
				r = e + 1;
				continue;
			}
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* Whether every ESC in `s` starts an SGR sequence (what the renderer itself writes). */
static int only_sgr(const char *s)
{
	const char *p = s;

	while ((p = strchr(p, '\x1b'))) {
		p++;
		if (*p++ != '[')
			return 0;
		while ((*p >= '0' && *p <= '9') || *p == ';')
			p++;
		if (*p != 'm')
			return 0;
	}
	return 1;
}

/* Display columns of a line without SGR (code points; the CJK here counts 2). */
static unsigned columns(const char *s, size_t len)
{
	unsigned w = 0, cp;
	size_t i = 0, n;

	while (i < len) {
		n = bp_utf8_decode(s + i, len - i, &cp);
		if (!n)
			n = 1;
		w += cp >= 0x4E00 && cp <= 0x9FFF ? 2 : 1;
		i += n;
	}
	return w;
}

static unsigned widest_line(const char *s)
{
	unsigned max = 0, w;
	const char *nl;

	for (; *s; s = *nl ? nl + 1 : nl) {
		nl = strchr(s, '\n');
		if (!nl)
			nl = s + strlen(s);
		w = columns(s, (size_t)(nl - s));
		max = w > max ? w : max;
	}
	return max;
}

static void test_escape(void)
{
	static const struct {
		const char *in, *out;
		unsigned flags;
	} cases[] = {
		{"plain caf\xc3\xa9 \xe6\xbc\xa2", "plain caf\xc3\xa9 \xe6\xbc\xa2", 0},
		{"\x1b]52;c;aGk=\x07", "\\x1b]52;c;aGk=\\x07", 0},
		{"\x1b[31mred", "\\x1b[31mred", 0},
		{"a\tb\nc", "a\\x09b\\x0ac", 0},
		{"a\tb\nc", "a\tb\\x0ac", BP_ESCAPE_KEEP_TAB},
		{"a\tb\nc", "a\\x09b\nc", BP_ESCAPE_KEEP_NEWLINE},
		{"del\x7f", "del\\x7f", 0},
		{"csi\xc2\x9b" "31m", "csi\\u009b31m", 0},        /* C1 CSI, U+009B */
		{"\xc2\x85", "\\u0085", 0},                       /* C1 NEL */
		{"abc\xe2\x80\xae" "fdp.exe", "abc\\u202efdp.exe", 0}, /* RLO */
		{"\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069", 0},
		{"\xd8\x9c\xe2\x80\x8e\xe2\x80\x8f", "\\u061c\\u200e\\u200f", 0},
		{"bad \xff byte", "bad \\xff byte", 0},
		{"\xc0\xaf", "\\xc0\\xaf", 0},                    /* overlong '/' */
		{"cut \xe2\x82", "cut \\xe2\\x82", 0},            /* truncated sequence */
		{"\xed\xa0\x80", "\\xed\\xa0\\x80", 0},           /* surrogate */
		{"back\\slash \\x1b", "back\\slash \\x1b", 0},   /* a backslash stays */
		{"\xe2\x80\x8b zero width", "\xe2\x80\x8b zero width", 0},
	};
	size_t i;
	char *out;

	for (i = 0; i < BP_ARRAY_SIZE(cases); i++) {
		size_t len = strlen(cases[i].in);

		CHECK_INT(bp_escape(&out, cases[i].in, len, cases[i].flags, NULL), 0);
		CHECK_STR(out, cases[i].out);
		CHECK_INT(bp_needs_escape(cases[i].in, len, cases[i].flags),
			  strcmp(cases[i].in, cases[i].out) != 0);
		bp_free(out);
	}
	/* Lengths, not NUL: an embedded NUL is escaped too. */
	CHECK_INT(bp_escape(&out, "a\0b", 3, 0, NULL), 0);
	CHECK_STR(out, "a\\x00b");
	bp_free(out);
	CHECK_INT(bp_escape(&out, "", 0, 0, NULL), 0);
	CHECK_STR(out, "");
	bp_free(out);
}

static void test_text_of_markdown(void)
{
	static const char md[] =
		"# Cataloguing *serials*\n"
		"\n"
		"Some *emph* and **strong** with `code` and [a link](http://example.org/x \"t\").\n"
		"A soft\nbreak and a hard  \nbreak.\n"
		"\n"
		"- one\n"
		"- two\n"
		"  1. nested\n"
		"\n"
		"> quoted\n"
		"> > deeper\n"
		"\n"
		"```c\n"
		"int main(void);\n"
		"```\n"
		"<div>raw <b>html</b></div>\n"
		"\n"
		"Inline <span>html</span> dropped, ![alt text](http://example.org/i.png) kept.\n"
		"\n"
		"    indented code\n";
	char *out = text_of(md);

	CHECK_STR(out, "Cataloguing serials\n"
		       "Some emph and strong with code and a link. A soft break and a hard break.\n"
		       "one\n"
		       "two\n"
		       "nested\n"
		       "quoted\n"
		       "deeper\n"
		       "int main(void);\n"
		       "Inline html dropped, alt text kept.\n"
		       "indented code\n");
	CHECK(!strchr(out, '#') && !strchr(out, '*') && !strchr(out, '['));
	CHECK(!strstr(out, "](") && !strstr(out, "http") && !strchr(out, '<'));
	bp_free(out);

	out = text_of("");
	CHECK_STR(out, "");
	bp_free(out);
	/* NUL bytes and invalid UTF-8 become U+FFFD; entities are text. */
	CHECK_INT(bp_markdown_text(&out, NULL, "abc\0de\0", 7, NULL), 0);
	CHECK_STR(out, "abc\xef\xbf\xbd" "de\xef\xbf\xbd\n");
	bp_free(out);
	out = text_of("&amp; &copy; caf\xe9");
	CHECK_STR(out, "& \xc2\xa9 caf\xef\xbf\xbd\n");
	bp_free(out);
}

/* JSON keeps its value; what a terminal would obey, and JSON allows raw, is escaped. */
static void test_json_escape(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"{\"t\":\"plain caf\xc3\xa9\"}", "{\"t\":\"plain caf\xc3\xa9\"}"},
		{"{\"t\":\"csi\xc2\x9b" "31m\"}", "{\"t\":\"csi\\u009b31m\"}"},
		{"{\"t\":\"abc\xe2\x80\xae" "fdp\"}", "{\"t\":\"abc\\u202efdp\"}"},
		{"[\"\xe2\x81\xa6x\xe2\x81\xa9\",\"\xd8\x9c\"]", "[\"\\u2066x\\u2069\",\"\\u061c\"]"},
		{"[\"del\x7f\"]", "[\"del\\u007f\"]"},
		{"[\"bad \xff\"]", "[\"bad \\ufffd\"]"},
		{"[\"esc \\u001b stays\"]", "[\"esc \\u001b stays\"]"},
		{"[\"\xe2\x80\x8b zero width\"]", "[\"\xe2\x80\x8b zero width\"]"},
	};
	size_t i;
	char *out;

	for (i = 0; i < BP_ARRAY_SIZE(cases); i++) {
		CHECK_INT(bp_json_escape(&out, cases[i].in, strlen(cases[i].in), NULL), 0);
		CHECK_STR(out, cases[i].out);
		bp_free(out);
	}
}

/* A long document is parsed a piece at a time, cut at blank lines: the text is the same. */
static void test_text_of_a_long_document(void)
{
	struct bp_buf md = BP_BUF_INIT, want = BP_BUF_INIT;
	char *out = NULL;
	size_t len = 0, i;

	for (i = 0; md.len < 3 * BP_MARKDOWN_PIECE; i++) {
		bp_buf_addf(&md, "Paragraph *number* %zu\nof two lines.\n\n", i);
		bp_buf_addf(&want, "Paragraph number %zu of two lines.\n", i);
	}
	CHECK_INT(bp_markdown_text(&out, &len, md.ptr, md.len, NULL), 0);
	CHECK(out && len == want.len && !memcmp(out, want.ptr, len));
	bp_free(out);
	/* One line longer than a piece is cut between two characters, never inside one. */
	bp_buf_truncate(&md, 0);
	while (md.len < 2 * BP_MARKDOWN_PIECE)
		bp_buf_addstr(&md, "caf\xc3\xa9 ");
	CHECK(bp_markdown_piece(md.ptr, md.len, BP_MARKDOWN_PIECE) < BP_MARKDOWN_PIECE + 1);
	CHECK_INT(bp_markdown_text(&out, &len, md.ptr, md.len, NULL), 0);
	CHECK(out && !strstr(out, "\xef\xbf\xbd"));
	bp_free(out);
	bp_buf_release(&md);
	bp_buf_release(&want);
}

static void test_first_heading(void)
{
	static const struct {
		const char *md, *heading;
	} cases[] = {
		{"para\n\nSetext *one*\n===\n\n# ATX", "Setext one"},
		{"#\n\n## \n\n### Real `one`  ###\n", "Real one"},
		{"#   spaced   out   \n", "spaced   out"},
		{"> # In a quote\n", "In a quote"},
		{"Title with\\\nhard break\n---\n", "Title with hard break"},
		{"no heading\n\n- at all\n", NULL},
		{"", NULL},
	};
	size_t i;
	char *out;

	for (i = 0; i < BP_ARRAY_SIZE(cases); i++) {
		CHECK_INT(bp_markdown_first_heading(&out, cases[i].md, strlen(cases[i].md), NULL), 0);
		if (cases[i].heading)
			CHECK_STR(out, cases[i].heading);
		else
			CHECK(out == NULL);
		bp_free(out);
	}
}

static const char article_md[] =
	"# The three-minute rule\n"
	"\n"
	"Give a question *three minutes* of **undivided attention** before deciding. Log it in "
	"`triage.txt` and see [the guide](https://example.org/triage) or <https://example.org/x>.\n"
	"\n"
	"## Steps\n"
	"\n"
	"3. Listen.\n"
	"4. Decide:\n"
	"   - quick answer\n"
	"   - referral\n"
	"\n"
	"> Most are quick.\n"
	"> > Some are not.\n"
	"\n"
	"- loose\n"
	"\n"
	"- list\n"
	"-\n"
	"\n"
	"```\n"
	"a\tb\n"
	"```\n"
	"\n"
	"***\n"
	"after the break\n";

static void test_render_layout(void)
{
	const char *tags[] = {"reference", "time-management"};
	struct bp_render_fields f = {"Triaging reference questions", "medical", tags, 2,
				     "Ada Smith", "2017-06-15", article_md, sizeof(article_md) - 1};
	char *out = NULL;

	CHECK_INT(bp_render_fields(&out, NULL, &f, 40, 0, NULL), 0);
	CHECK_STR(out, "Triaging reference questions\n"
		       "medical · reference, time-management ·\n"
		       "Ada Smith · 2017-06-15\n"
		       "\n"
		       "The three-minute rule\n"
		       "═════════════════════\n"
		       "\n"
		       "Give a question three minutes of\n"
		       "undivided attention before deciding. Log\n"
		       "it in triage.txt and see the guide\n"
		       "<https://example.org/triage> or\n"
		       "https://example.org/x.\n"
		       "\n"
		       "Steps\n"
		       "─────\n"
		       "\n"
		       "3. Listen.\n"
		       "4. Decide:\n"
		       "   ◦ quick answer\n"
		       "   ◦ referral\n"
		       "\n"
		       "│ Most are quick.\n"
		       "│\n"
		       "│ │ Some are not.\n"
		       "\n"
		       "• loose\n"
		       "\n"
		       "• list\n"
		       "\n"
		       "•\n"
		       "\n"
		       "    a   b\n"
		       "\n"
		       "────────────────────────────────────────\n"
		       "\n"
		       "after the break\n");
	CHECK(!strchr(out, '\x1b'));
	bp_free(out);

	/* No wrapping at width 0; a header without fields is the title alone. */
	out = render("Title", "one two three four five six seven eight nine ten eleven twelve", 0, 0);
	CHECK_STR(out, "Title\n\none two three four five six seven eight nine ten eleven twelve\n");
	bp_free(out);
	out = render(NULL, NULL, 80, 0);
	CHECK_STR(out, "");
	bp_free(out);
}

static void test_render_color(void)
{
	const char *tags[] = {"reference"};
	struct bp_render_fields f = {"Triaging", "medical", tags, 1, "Ada", "2017-06-15",
				     article_md, sizeof(article_md) - 1};
	char *plain = NULL, *color = NULL;

	CHECK_INT(bp_render_fields(&plain, NULL, &f, 40, 0, NULL), 0);
	CHECK_INT(bp_render_fields(&color, NULL, &f, 40, BP_RENDER_COLOR, NULL), 0);
	CHECK(strstr(color, "\x1b[1mTriaging\x1b[0m\n"));
	CHECK(strstr(color, "\x1b[2mmedical · reference · Ada · 2017-06-15\x1b[0m\n"));
	CHECK(strstr(color, "\x1b[3mthree minutes\x1b[0m of\n"));
	CHECK(strstr(color, "\x1b[1mundivided attention\x1b[0m "));
	CHECK(strstr(color, "\x1b[36mtriage.txt\x1b[0m"));
	CHECK(strstr(color, "\x1b[2m<https://example.org/triage>\x1b[0m"));
	CHECK(strstr(color, "\x1b[2m│\x1b[0m Most"));
	CHECK(strstr(color, "    \x1b[36ma   b\x1b[0m\n"));
	CHECK(only_sgr(color));
	/* The same layout: colour only adds SGR sequences. */
	strip_sgr(color);
	CHECK_STR(color, plain);
	bp_free(plain);
	bp_free(color);
}

static void test_render_wraps_to_width(void)
{
	static const char md[] =
		"A paragraph of words that goes on for a while, long enough to wrap several times "
		"at any width that a terminal might have, with **bold words** and `code spans` and "
		"[links](https://example.org/a/b) mixed in.\n"
		"\n"
		"> - a quoted list item that is itself long enough to need wrapping at least once\n"
		">   - and a nested one that also goes on and on for some words more\n"
		"\n"
		"\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97 \xe6\xbc\xa2\xe5\xad\x97\xe6\xbc"
		"\xa2\xe5\xad\x97 \xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97 \xe6\xbc\xa2\xe5"
		"\xad\x97\xe6\xbc\xa2\xe5\xad\x97 \xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97\n";
	int widths[] = {34, 45, 80}; /* wider than the longest word and its prefix */
	size_t i;

	for (i = 0; i < BP_ARRAY_SIZE(widths); i++) {
		char *plain = render("A title that is long enough to wrap too", md, widths[i], 0);
		char *color = render("A title that is long enough to wrap too", md, widths[i],
				     BP_RENDER_COLOR);

		CHECK(widest_line(plain) <= (unsigned)widths[i]);
		/* Never broken inside a word, so never inside an escape sequence. */
		CHECK(strstr(plain, "<https://example.org/a/b>"));
		CHECK(only_sgr(color));
		strip_sgr(color);
		CHECK_STR(color, plain);
		bp_free(plain);
		bp_free(color);
	}
}

/* Nothing from the article reaches the terminal as a control: title, body, link URL. */
static void test_render_hostile_text(void)
{
	static const char md[] =
		"# Head \x1b]0;pwned\x07\n"
		"\n"
		"Body \x1b[31mred\x1b[0m and &#27;[2J via an entity, \xc2\x9b" "31m C1, "
		"\xe2\x80\xae" "reversed, [link](http://x/&#27;]52;c;aGk=&#7;) and "
		"![img](http://x/&#155;1m) and `code \x1b[5m` and\n"
		"\n"
		"    code block \x1b]52;c;aGk=\x07\n";
	const char *tags[] = {"ta\x1b[8mg"};
	struct bp_render_fields f = {"\x1b]52;c;aGk=\x07 title", "sec\xc2\x9btor", tags, 1,
				     "au\xe2\x80\xaethor", "2017\x1b[2J", md, sizeof(md) - 1};
	unsigned flags[] = {0, BP_RENDER_COLOR};
	size_t i;
	char *out;

	for (i = 0; i < BP_ARRAY_SIZE(flags); i++) {
		CHECK_INT(bp_render_fields(&out, NULL, &f, 60, flags[i], NULL), 0);
		if (!flags[i])
			CHECK(!strchr(out, '\x1b'));
		CHECK(only_sgr(out));
		CHECK(!strstr(out, "\xc2\x9b"));     /* C1 CSI */
		CHECK(!strstr(out, "\xe2\x80\xae")); /* RLO */
		CHECK(!strchr(out, '\x07'));
		CHECK(strstr(out, "\\x1b]52;c;aGk=\\x07 title"));
		CHECK(strstr(out, "\\x1b[2J via"));
		CHECK(strstr(out, "<http://x/\\x1b]52;c;aGk=\\x07>"));
		CHECK(strstr(out, "<http://x/\\u009b1m>"));
		CHECK(strstr(out, "\\u202ereversed"));
		CHECK(strstr(out, "sec\\u009btor"));
		bp_free(out);
	}
}

static void test_render_article_uses_getters(void)
{
	const char *tags[] = {"a", "b"};
	struct bp_article a = {{"T", "law", tags, 2, "Ann", "2020-01-02", "*x*", 3}};
	char *out = NULL;
	size_t len = 0;

	CHECK_INT(bp_render_article(&out, &len, &a, 80, 0, NULL), 0);
	CHECK_STR(out, "T\nlaw · a, b · Ann · 2020-01-02\n\nx\n");
	CHECK_INT(len, strlen(out));
	bp_free(out);
}

/*
 * cmark's pathological inputs (its test/pathological_tests.py), and a few of our own:
 * prefix, `repeat` n times (each after 2*i spaces when `indent`), middle, `repeat2` n times.
 */
struct pathological {
	const char *name;
	const char *prefix, *repeat, *middle, *repeat2;
	size_t n;
	int indent;
};

static const struct pathological patho[] = {
	{"nested strong emph", "", "*a **a ", "b", " a** a*", 65000, 0},
	{"many emph closers with no openers", "", "a_ ", "", "", 65000, 0},
	{"many emph openers with no closers", "", "_a ", "", "", 65000, 0},
	{"many link closers with no openers", "", "a]", "", "", 65000, 0},
	{"many link openers with no closers", "", "[a", "", "", 65000, 0},
	{"mismatched openers and closers", "", "*a_ ", "", "", 50000, 0},
	{"openers and closers multiple of 3", "a**b", "c* ", "", "", 50000, 0},
	{"link openers and emph closers", "", "[ a_", "", "", 50000, 0},
	{"pattern [ (]( repeated", "", "[ (](", "", "", 80000, 0},
	{"hard link/emph case", "**x [a*b**c*](d)", "", "", "", 0, 0},
	{"nested brackets", "", "[", "a", "]", 50000, 0},
	{"nested block quotes", "", ">", "a", "", 50000, 0},
	{"deeply nested lists", "", "* a\n", "", "", 1000, 1},
	{"backticks", "", "e`", "", "", 50000, 0},
	{"unclosed links A", "", "[a](<b", "", "", 30000, 0},
	{"unclosed links B", "", "[a](b", "", "", 30000, 0},
	{"reference collisions", "", "[x]: /u\n", "", "[x] ", 20000, 0},
	{"nested inlines", "", "*", "a", "*", 20000, 0},
	{"a**b repeated", "", "a**b", "", "", 100000, 0},
	{"many nested list items on a line", "", "- ", "a", "", 20000, 0},
	/* Thousands of lines inside a deep quote: each line's prefix must stay bounded. */
	{"deep quote with many lines", "", ">", " a\\\n", "b\\\n", 5000, 0},
	{"deep list with many lines", "", "- ", "a\\\n", "b\\\n", 5000, 0},
};

static char *make_patho(const struct pathological *p, size_t *len)
{
	struct bp_buf b = BP_BUF_INIT;
	size_t i;

	bp_buf_addstr(&b, p->prefix);
	for (i = 0; i < p->n; i++) {
		if (p->indent)
			bp_buf_addf(&b, "%*s", (int)(2 * i), "");
		bp_buf_addstr(&b, p->repeat);
	}
	bp_buf_addstr(&b, p->middle);
	for (i = 0; i < p->n; i++)
		bp_buf_addstr(&b, p->repeat2);
	return bp_buf_detach(&b, len);
}

static void test_pathological_inputs_finish(void)
{
	struct bp_render_fields f = {"t"};
	size_t i, len, out_len;
	char *md, *out;

	for (i = 0; i < BP_ARRAY_SIZE(patho); i++) {
		md = make_patho(&patho[i], &len);
		CHECK_INT(bp_markdown_text(&out, &out_len, md, len, NULL), 0);
		bp_free(out);
		f.body = md;
		f.body_len = len;
		CHECK_INT(bp_render_fields(&out, &out_len, &f, 80, BP_RENDER_COLOR, NULL), 0);
		/* Deep nesting is drawn at a bounded depth: the output stays near the input. */
		if (out_len > 64 * len + 1024)
			printf("#   %s: %zu bytes out of %zu\n", patho[i].name, out_len, len);
		CHECK(out_len <= 64 * len + 1024);
		bp_free(out);
		bp_free(md);
	}
}

/* Fail each allocation in turn: every call fails cleanly with BP_ENOMEM or succeeds. */
static void test_allocation_failures(void)
{
	struct bp_render_fields f = {"T", "law", NULL, 0, "Ann", NULL, article_md,
				     sizeof(article_md) - 1};
	unsigned long n, i;
	struct bp_error err;
	char *out, *want_text = NULL, *want_render = NULL;
	int ret;

	bp_alloc_fail_at(0, 0);
	CHECK_INT(bp_markdown_text(&want_text, NULL, article_md, sizeof(article_md) - 1, NULL), 0);
	n = bp_alloc_fail_at(0, 0);
	CHECK(n > 0);
	for (i = 1; i <= n + 1; i++) {
		bp_alloc_fail_at(i, 0);
		ret = bp_markdown_text(&out, NULL, article_md, sizeof(article_md) - 1, &err);
		bp_alloc_fail_at(0, 0);
		CHECK(ret == 0 || (ret == BP_ENOMEM && err.code == BP_ENOMEM && !out));
		if (!ret)
			CHECK_STR(out, want_text);
		bp_free(out);
	}

	CHECK_INT(bp_render_fields(&want_render, NULL, &f, 40, BP_RENDER_COLOR, NULL), 0);
	n = bp_alloc_fail_at(0, 0);
	CHECK(n > 0);
	for (i = 1; i <= n + 1; i++) {
		bp_alloc_fail_at(i, 0);
		ret = bp_render_fields(&out, NULL, &f, 40, BP_RENDER_COLOR, &err);
		bp_alloc_fail_at(0, 0);
		CHECK(ret == 0 || (ret == BP_ENOMEM && err.code == BP_ENOMEM && !out));
		if (!ret)
			CHECK_STR(out, want_render);
		bp_free(out);
	}
	/* Sticky: every allocation from the Nth on fails. */
	for (i = 1; i <= n; i++) {
		bp_alloc_fail_at(i, 1);
		ret = bp_markdown_first_heading(&out, article_md, sizeof(article_md) - 1, &err);
		bp_alloc_fail_at(0, 0);
		CHECK(ret == 0 || (ret == BP_ENOMEM && !out));
		bp_free(out);
	}
	bp_free(want_text);
	bp_free(want_render);
}

int main(void)
{
	RUN(test_escape);
	RUN(test_text_of_markdown);
	RUN(test_json_escape);
	RUN(test_text_of_a_long_document);
	RUN(test_first_heading);
	RUN(test_render_layout);
	RUN(test_render_color);
	RUN(test_render_wraps_to_width);
	RUN(test_render_hostile_text);
	RUN(test_render_article_uses_getters);
	RUN(test_pathological_inputs_finish);
	RUN(test_allocation_failures);
	return done_testing();
}
