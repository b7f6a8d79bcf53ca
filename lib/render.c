/*
 * Markdown through cmark: the plain text of a body for the full-text index, its first heading,
 * and a terminal renderer of our own over cmark's tree (cmark's man and commonmark renderers
 * are not meant for a terminal).
 *
 * Every walk goes through cmark_iter, never recursion, as cmark's own renderers do: a body of
 * 50 000 nested block quotes or emphases costs heap, not stack. Output stays proportional to
 * the input: container nesting deeper than MAX_NEST levels is drawn at MAX_NEST levels, so a
 * line's prefix has a bounded size however deep the quote it belongs to.
 *
 * cmark allocates with its own allocator, which aborts when memory runs out; only our own
 * buffers go through bp_malloc and its fault injection.
 */
#include <stdio.h>
#include <string.h>

#include <cmark.h>

#include "bp/article.h"
#include "bp/render.h"
#include "render-fields.h"
#include "icu.h"
#include "util.h"

/* Safe rendering is cmark's default: never CMARK_OPT_UNSAFE. Invalid UTF-8 becomes U+FFFD. */
#define MD_OPTIONS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8)

/* Container levels (block quotes, list items) that indent a line; deeper ones do not. */
#define MAX_NEST 8
/* The narrowest text column wrapping leaves beside a deep prefix (unless `width` is less). */
#define MIN_TEXT_WIDTH 20
/* The length of a thematic break, at most. */
#define RULE_WIDTH 40

static const char *literal(cmark_node *n)
{
	const char *s = cmark_node_get_literal(n);

	return s ? s : "";
}

static cmark_node *parse_markdown(const char *md, size_t len)
{
	return cmark_parse_document(md ? md : "", md ? len : 0, MD_OPTIONS);
}

/* End the block of plain text being written with a newline, once. */
static void end_block(struct bp_buf *b)
{
	if (b->len && b->ptr[b->len - 1] != '\n')
		bp_buf_addch(b, '\n');
}

/* Append the plain text of the tree under `root` (see bp_markdown_text). */
static int add_plain_text(struct bp_buf *b, cmark_node *root)
{
	cmark_iter *it = cmark_iter_new(root);
	cmark_event_type ev;

	if (!it)
		return BP_ENOMEM;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);

		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			bp_buf_addstr(b, literal(n));
			break;
		case CMARK_NODE_CODE_BLOCK:
			bp_buf_addstr(b, literal(n));
			end_block(b);
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			bp_buf_addch(b, ' ');
			break;
		case CMARK_NODE_PARAGRAPH:
		case CMARK_NODE_HEADING:
		case CMARK_NODE_ITEM:
		case CMARK_NODE_BLOCK_QUOTE:
			if (ev == CMARK_EVENT_EXIT)
				end_block(b);
			break;
		default:
			/* Raw HTML is dropped; links and images give their text through children. */
			break;
		}
	}
	cmark_iter_free(it);
	return bp_buf_oom(b) ? BP_ENOMEM : 0;
}

size_t bp_markdown_piece(const char *md, size_t len, size_t max)
{
	size_t i;

	if (len <= max)
		return len;
	for (i = max; i > 1; i--)
		if (md[i - 1] == '\n' && md[i - 2] == '\n')
			return i;
	for (i = max; i > 0; i--)
		if (md[i - 1] == '\n')
			return i;
	/* One line longer than `max`: cut it between two characters. */
	for (i = max; i > 0 && ((unsigned char)md[i] & 0xC0) == 0x80; i--)
		;
	return i ? i : max;
}

int bp_markdown_text(char **out, size_t *out_len, const char *md, size_t len,
		     struct bp_error *err)
{
	struct bp_buf b = BP_BUF_INIT;
	cmark_node *doc = NULL;
	size_t off = 0, n;
	int ret = BP_ENOMEM;

	*out = NULL;
	if (!md)
		len = 0;
	/*
	 * cmark's tree costs up to a few hundred bytes per byte of input ("<!--" repeated: 650 MB
	 * for 4 MB), so a long document is parsed a piece at a time, cut at blank lines. Only
	 * a construct that spans a cut (a code block with blank lines, a list) can come out
	 * otherwise than in one parse: this text is for the search index.
	 */
	do {
		n = len ? bp_markdown_piece(md + off, len - off, BP_MARKDOWN_PIECE) : 0;
		if (!(doc = parse_markdown(len ? md + off : NULL, n)) || add_plain_text(&b, doc))
			goto out;
		cmark_node_free(doc);
		doc = NULL;
		off += n;
	} while (off < len);
	if (!(*out = bp_buf_detach(&b, out_len)))
		goto out;
	ret = 0;
out:
	if (ret)
		bp_error_nomem(err);
	if (doc)
		cmark_node_free(doc); /* not NULL-safe */
	bp_buf_release(&b);
	return ret;
}

/* Trim `b` and turn line breaks into spaces: a heading on one line. */
static void one_line(struct bp_buf *b)
{
	size_t i, start = 0, end = b->len;

	for (i = 0; i < b->len; i++)
		if (b->ptr[i] == '\n' || b->ptr[i] == '\r' || b->ptr[i] == '\t')
			b->ptr[i] = ' ';
	while (start < end && b->ptr[start] == ' ')
		start++;
	while (end > start && b->ptr[end - 1] == ' ')
		end--;
	if (start)
		memmove(b->ptr, b->ptr + start, end - start);
	bp_buf_truncate(b, end - start);
}

int bp_markdown_first_heading(char **out, const char *md, size_t len, struct bp_error *err)
{
	struct bp_buf b = BP_BUF_INIT;
	cmark_node *doc = NULL;
	cmark_iter *it = NULL;
	cmark_event_type ev;
	int ret = BP_ENOMEM;

	*out = NULL;
	if (!(doc = parse_markdown(md, len)) || !(it = cmark_iter_new(doc)))
		goto out;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);

		if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_HEADING)
			continue;
		bp_buf_truncate(&b, 0);
		if (add_plain_text(&b, n))
			goto out;
		one_line(&b);
		if (b.len)
			break;
	}
	if (b.len && !(*out = bp_buf_detach(&b, NULL)))
		goto out;
	ret = 0;
out:
	if (ret)
		bp_error_nomem(err);
	cmark_iter_free(it);
	cmark_node_free(doc);
	bp_buf_release(&b);
	return ret;
}

/*
 * The terminal renderer.
 */

enum style {
	ST_BOLD = 1u << 0,
	ST_DIM = 1u << 1,
	ST_ITALIC = 1u << 2,
	ST_CODE = 1u << 3,
};

/* A container block open around the lines being written: each gives them a prefix. */
struct frame {
	cmark_node_type type; /* CMARK_NODE_BLOCK_QUOTE, _LIST or _ITEM */
	/* A list: */
	int ordered, tight;
	long next; /* the number of its next item */
	char delim;
	unsigned level; /* how many lists enclose it, for the bullet */
	/* An item: */
	char marker[24]; /* "• " or "12. " */
	unsigned marker_width;
	int marker_pending; /* its first line is still to be written */
};

/* A paragraph or heading is collected as pieces, then laid out in lines. */
enum piece_kind { P_WORD, P_SPACE, P_BREAK };

struct piece {
	enum piece_kind kind;
	unsigned style;
	size_t off, len; /* escaped text in renderer.words */
	unsigned width;  /* display columns */
};

struct renderer {
	struct bp_buf out;
	unsigned flags;
	unsigned width; /* 0: no wrapping */
	unsigned pen;   /* the SGR attributes the terminal is in */
	size_t line_start;
	int started;    /* a line was written */
	int need_blank; /* a blank line goes before the next block */
	int oom;

	struct frame *frames;
	size_t depth, frames_cap;
	unsigned lists;

	struct bp_buf words;
	struct piece *pieces;
	size_t npieces, pieces_cap;
	unsigned long strong, emph; /* open emphasis, counted: nesting depth is the input's */
	int heading;                /* level of the heading being collected */
};

/* Put the terminal in the attributes `want`, with the fewest SGR codes worth the bother. */
static void pen(struct renderer *r, unsigned want)
{
	static const struct {
		unsigned bit;
		const char *sgr;
	} attrs[] = {{ST_BOLD, "1"}, {ST_DIM, "2"}, {ST_ITALIC, "3"}, {ST_CODE, "36"}};
	unsigned add = want & ~r->pen;
	const char *sep = "";
	size_t i;

	if (!(r->flags & BP_RENDER_COLOR) || want == r->pen)
		return;
	bp_buf_addstr(&r->out, "\x1b[");
	if (r->pen & ~want) {
		/* Turning one attribute off can clear another (22 ends bold and dim): reset. */
		bp_buf_addch(&r->out, '0');
		sep = ";";
		add = want;
	}
	for (i = 0; i < BP_ARRAY_SIZE(attrs); i++) {
		if (add & attrs[i].bit) {
			bp_buf_addstr(&r->out, sep);
			bp_buf_addstr(&r->out, attrs[i].sgr);
			sep = ";";
		}
	}
	bp_buf_addch(&r->out, 'm');
	r->pen = want;
}

static unsigned cp_width(unsigned cp)
{
	const struct bp_icu *icu;
	int8_t type;
	int ea;

	if (cp < 0x300 || !(icu = bp_icu()))
		return 1;
	type = icu->charType((UChar32)cp);
	if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_FORMAT_CHAR)
		return 0;
	ea = icu->getIntPropertyValue((UChar32)cp, UCHAR_EAST_ASIAN_WIDTH);
	return ea == U_EA_WIDE || ea == U_EA_FULLWIDTH ? 2 : 1;
}

/* Display columns of escaped text (valid UTF-8 without controls). */
static unsigned text_width(const char *s, size_t len)
{
	unsigned w = 0, cp;
	size_t i = 0, n;

	while (i < len) {
		n = bp_utf8_decode(s + i, len - i, &cp);
		if (!n) {
			n = 1;
			cp = '?';
		}
		w += cp_width(cp);
		i += n;
	}
	return w;
}

enum prefix_mode { PREFIX_MEASURE, PREFIX_WRITE, PREFIX_BLANK };

/*
 * The prefix of a line: "│ " for each block quote, each list item's marker on its first line
 * and as many spaces on the others. A blank line keeps the quote bars and leaves markers for
 * the line they belong to. Returns its width.
 */
static unsigned prefix(struct renderer *r, enum prefix_mode mode)
{
	unsigned w = 0, shown = 0;
	size_t i;

	for (i = 0; i < r->depth && shown < MAX_NEST; i++) {
		struct frame *f = &r->frames[i];

		if (f->type == CMARK_NODE_BLOCK_QUOTE) {
			if (mode != PREFIX_MEASURE) {
				pen(r, ST_DIM);
				bp_buf_addstr(&r->out, "│");
				pen(r, 0);
				bp_buf_addch(&r->out, ' ');
			}
			w += 2;
		} else if (f->type == CMARK_NODE_ITEM) {
			if (mode == PREFIX_WRITE && f->marker_pending) {
				bp_buf_addstr(&r->out, f->marker);
				f->marker_pending = 0;
			} else if (mode != PREFIX_MEASURE) {
				bp_buf_addf(&r->out, "%*s", (int)f->marker_width, "");
			}
			w += f->marker_width;
		} else {
			continue;
		}
		shown++;
	}
	return w;
}

/* Columns left for text after the prefix and `extra` columns of indent. */
static unsigned text_columns(struct renderer *r, unsigned extra)
{
	unsigned used = prefix(r, PREFIX_MEASURE) + extra;
	unsigned floor = r->width < MIN_TEXT_WIDTH ? r->width : MIN_TEXT_WIDTH;

	return r->width > used && r->width - used > floor ? r->width - used : floor;
}

static void begin_line(struct renderer *r, enum prefix_mode mode)
{
	r->line_start = r->out.len;
	r->started = 1;
	prefix(r, mode);
}

/* End a line: no trailing blanks, attributes reset so that a pager's line stands alone. */
static void end_line(struct renderer *r)
{
	size_t len = r->out.len;

	while (len > r->line_start && r->out.ptr[len - 1] == ' ')
		len--;
	bp_buf_truncate(&r->out, len);
	pen(r, 0);
	bp_buf_addch(&r->out, '\n');
}

/* Start a block: the blank line that separates it from the previous one, if due. */
static void open_block(struct renderer *r)
{
	if (r->need_blank && r->started) {
		begin_line(r, PREFIX_BLANK);
		end_line(r);
	}
	r->need_blank = 0;
}

static struct frame *push(struct renderer *r, cmark_node_type type)
{
	struct frame *f;

	if (r->depth == r->frames_cap) {
		size_t cap = r->frames_cap ? 2 * r->frames_cap : 16;

		if (!(f = bp_realloc(r->frames, cap * sizeof(*f)))) {
			r->oom = 1;
			return NULL;
		}
		r->frames = f;
		r->frames_cap = cap;
	}
	f = &r->frames[r->depth++];
	memset(f, 0, sizeof(*f));
	f->type = type;
	return f;
}

static void add_piece(struct renderer *r, enum piece_kind kind, size_t off, unsigned style)
{
	struct piece *p;

	if (bp_buf_oom(&r->words)) {
		r->oom = 1;
		return;
	}
	if (r->npieces == r->pieces_cap) {
		size_t cap = r->pieces_cap ? 2 * r->pieces_cap : 64;

		if (!(p = bp_realloc(r->pieces, cap * sizeof(*p)))) {
			r->oom = 1;
			return;
		}
		r->pieces = p;
		r->pieces_cap = cap;
	}
	p = &r->pieces[r->npieces++];
	p->kind = kind;
	p->style = style;
	p->off = off;
	p->len = r->words.len - off;
	p->width = kind == P_WORD ? text_width(r->words.ptr + off, p->len) : 0;
}

static void add_space(struct renderer *r)
{
	if (r->npieces && r->pieces[r->npieces - 1].kind == P_SPACE)
		return;
	add_piece(r, P_SPACE, r->words.len, 0);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Collect text: words escaped, runs of blanks as one place to break. */
static void add_words(struct renderer *r, const char *s, size_t len, unsigned style)
{
	size_t i = 0, j, off;

	while (i < len) {
		if (is_blank(s[i])) {
			add_space(r);
			i++;
			continue;
		}
		for (j = i; j < len && !is_blank(s[j]); j++)
			;
		off = r->words.len;
		bp_buf_add_escaped(&r->words, s + i, j - i, 0);
		add_piece(r, P_WORD, off, style);
		i = j;
	}
}

/* Collect text of our own, already safe. */
static void add_literal(struct renderer *r, const char *s, unsigned style)
{
	size_t off = r->words.len;

	bp_buf_addstr(&r->words, s);
	add_piece(r, P_WORD, off, style);
}

/*
 * Lay the collected pieces out in lines of at most `width` columns, breaking at spaces only
 * (never inside a word, so never inside an escape); a longer word gets a line of its own.
 * Returns the width of the widest line.
 */
static unsigned flush_pieces(struct renderer *r)
{
	unsigned avail = text_columns(r, 0), col = 0, maxcol = 0, w;
	int open = 0, space = 0;
	size_t i = 0, j;

	while (!r->oom && i < r->npieces) {
		if (r->pieces[i].kind == P_SPACE) {
			space = open;
			i++;
			continue;
		}
		if (r->pieces[i].kind == P_BREAK) {
			if (!open)
				begin_line(r, PREFIX_WRITE);
			end_line(r);
			open = space = 0;
			col = 0;
			i++;
			continue;
		}
		for (w = 0, j = i; j < r->npieces && r->pieces[j].kind == P_WORD; j++)
			w += r->pieces[j].width;
		if (open && r->width && col + (unsigned)space + w > avail) {
			end_line(r);
			open = 0;
		}
		if (!open) {
			begin_line(r, PREFIX_WRITE);
			open = 1;
			space = 0;
			col = 0;
		}
		if (space) {
			/* Between two styles, a space takes only what both share. */
			pen(r, r->pen & r->pieces[i].style);
			bp_buf_addch(&r->out, ' ');
			col++;
			space = 0;
		}
		for (; i < j; i++) {
			pen(r, r->pieces[i].style);
			bp_buf_add(&r->out, r->words.ptr + r->pieces[i].off, r->pieces[i].len);
		}
		col += w;
		if (col > maxcol)
			maxcol = col;
	}
	if (open)
		end_line(r);
	r->npieces = 0;
	bp_buf_truncate(&r->words, 0);
	return maxcol;
}

static void rule(struct renderer *r, const char *s, unsigned n, unsigned style)
{
	begin_line(r, PREFIX_WRITE);
	pen(r, style);
	while (n--)
		bp_buf_addstr(&r->out, s);
	end_line(r);
}

/* A line of a code block, tabs expanded to stops of 4 from the start of the code. */
static void code_line(struct renderer *r, const char *s, size_t len)
{
	unsigned col = 0, n;
	size_t i = 0, j, off;

	while (i < len) {
		for (j = i; j < len && s[j] != '\t'; j++)
			;
		off = r->out.len;
		bp_buf_add_escaped(&r->out, s + i, j - i, 0);
		if (!bp_buf_oom(&r->out))
			col += text_width(r->out.ptr + off, r->out.len - off);
		if (j < len) {
			n = 4 - col % 4;
			col += n;
			bp_buf_addf(&r->out, "%*s", (int)n, "");
			j++;
		}
		i = j;
	}
}

static void code_block(struct renderer *r, const char *s)
{
	const char *end = s + strlen(s), *nl;

	while (s < end) {
		if (!(nl = memchr(s, '\n', (size_t)(end - s))))
			nl = end;
		begin_line(r, PREFIX_WRITE);
		/*
		 * A line of blanks is written as an empty line: end_line cannot trim blanks that
		 * an SGR code follows, so the indent and the colour are for lines with text.
		 */
		if (strspn(s, " \t") < (size_t)(nl - s)) {
			bp_buf_addstr(&r->out, "    ");
			pen(r, ST_CODE);
			code_line(r, s, (size_t)(nl - s));
		}
		end_line(r);
		s = nl < end ? nl + 1 : end;
	}
}

static unsigned inline_style(const struct renderer *r)
{
	return (r->strong || r->heading ? ST_BOLD : 0) | (r->emph ? ST_ITALIC : 0);
}

/* An autolink (<https://x>, <a@b.org>) shows its text, which is its URL: once is enough. */
static int is_autolink(cmark_node *link, const char *url)
{
	cmark_node *child = cmark_node_first_child(link);
	const char *text;

	if (!child || cmark_node_next(child) || cmark_node_get_type(child) != CMARK_NODE_TEXT)
		return 0;
	text = literal(child);
	return !strcmp(text, url) || (!strncmp(url, "mailto:", 7) && !strcmp(url + 7, text));
}

/* After a link's or an image's text: " <url>". */
static void end_link(struct renderer *r, cmark_node *n)
{
	const char *url = cmark_node_get_url(n);
	size_t off;

	if (!url || !*url || is_autolink(n, url))
		return;
	if (cmark_node_first_child(n))
		add_space(r);
	off = r->words.len;
	bp_buf_addch(&r->words, '<');
	bp_buf_add_escaped(&r->words, url, strlen(url), 0);
	bp_buf_addch(&r->words, '>');
	add_piece(r, P_WORD, off, ST_DIM);
}

static void enter_list(struct renderer *r, cmark_node *n)
{
	struct frame *f;

	open_block(r);
	if (!(f = push(r, CMARK_NODE_LIST)))
		return;
	f->ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
	f->tight = cmark_node_get_list_tight(n);
	f->next = cmark_node_get_list_start(n);
	f->delim = cmark_node_get_list_delim(n) == CMARK_PAREN_DELIM ? ')' : '.';
	f->level = r->lists++;
}

static void enter_item(struct renderer *r, cmark_node *n)
{
	static const char *const bullets[] = {"•", "◦", "▪"};
	struct frame *list, *f;

	if (!r->depth || r->frames[r->depth - 1].type != CMARK_NODE_LIST)
		return; /* cmark puts items in lists only */
	if (r->frames[r->depth - 1].tight && cmark_node_previous(n))
		r->need_blank = 0;
	open_block(r);
	if (!(f = push(r, CMARK_NODE_ITEM)))
		return;
	list = &r->frames[r->depth - 2];
	if (list->ordered)
		snprintf(f->marker, sizeof(f->marker), "%ld%c ", list->next++, list->delim);
	else
		snprintf(f->marker, sizeof(f->marker), "%s ", bullets[list->level % 3]);
	f->marker_width = list->ordered ? (unsigned)strlen(f->marker) : 2;
	f->marker_pending = 1;
}

static void exit_item(struct renderer *r)
{
	if (r->frames[r->depth - 1].marker_pending) {
		/* An empty item still shows its marker. */
		begin_line(r, PREFIX_WRITE);
		end_line(r);
	}
	r->depth--;
}

/* A paragraph directly in an item of a tight list is not followed by a blank line. */
static int in_tight_item(cmark_node *n)
{
	cmark_node *item = cmark_node_parent(n);

	return item && cmark_node_get_type(item) == CMARK_NODE_ITEM &&
	       cmark_node_get_list_tight(cmark_node_parent(item));
}

static void render_node(struct renderer *r, cmark_node *n, int enter)
{
	cmark_node_type type = cmark_node_get_type(n);
	unsigned maxcol;

	switch (type) {
	case CMARK_NODE_BLOCK_QUOTE:
		if (enter) {
			open_block(r);
			push(r, type);
		} else {
			r->depth--;
			r->need_blank = 1;
		}
		break;
	case CMARK_NODE_LIST:
		if (enter) {
			enter_list(r, n);
		} else {
			r->depth--;
			r->lists--;
			r->need_blank = 1;
		}
		break;
	case CMARK_NODE_ITEM:
		if (enter)
			enter_item(r, n);
		else
			exit_item(r);
		break;
	case CMARK_NODE_PARAGRAPH:
	case CMARK_NODE_HEADING:
		if (enter) {
			open_block(r);
			r->heading = type == CMARK_NODE_HEADING ? cmark_node_get_heading_level(n) : 0;
			break;
		}
		maxcol = flush_pieces(r);
		if (r->heading && r->heading <= 2 && maxcol)
			rule(r, r->heading == 1 ? "═" : "─", maxcol, ST_BOLD);
		r->heading = 0;
		r->need_blank = type == CMARK_NODE_HEADING || !in_tight_item(n);
		break;
	case CMARK_NODE_CODE_BLOCK:
		open_block(r);
		code_block(r, literal(n));
		r->need_blank = 1;
		break;
	case CMARK_NODE_THEMATIC_BREAK:
		open_block(r);
		maxcol = text_columns(r, 0);
		rule(r, "─", r->width && maxcol < RULE_WIDTH ? maxcol : RULE_WIDTH, ST_DIM);
		r->need_blank = 1;
		break;
	case CMARK_NODE_TEXT:
		add_words(r, literal(n), strlen(literal(n)), inline_style(r));
		break;
	case CMARK_NODE_CODE:
		add_words(r, literal(n), strlen(literal(n)), inline_style(r) | ST_CODE);
		break;
	case CMARK_NODE_SOFTBREAK:
		add_space(r);
		break;
	case CMARK_NODE_LINEBREAK:
		add_piece(r, P_BREAK, r->words.len, 0);
		break;
	case CMARK_NODE_EMPH:
		if (enter)
			r->emph++;
		else
			r->emph--;
		break;
	case CMARK_NODE_STRONG:
		if (enter)
			r->strong++;
		else
			r->strong--;
		break;
	case CMARK_NODE_LINK:
	case CMARK_NODE_IMAGE:
		if (!enter)
			end_link(r, n);
		break;
	default:
		/* Raw HTML is dropped, as cmark's safe HTML renderer drops it. */
		break;
	}
}

static int render_body(struct renderer *r, const char *md, size_t len)
{
	cmark_node *doc = NULL;
	cmark_iter *it = NULL;
	cmark_event_type ev;
	int ret = BP_ENOMEM;

	if (!(doc = parse_markdown(md, len)) || !(it = cmark_iter_new(doc)))
		goto out;
	while (!r->oom && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
		render_node(r, cmark_iter_get_node(it), ev == CMARK_EVENT_ENTER);
	ret = r->oom ? BP_ENOMEM : 0;
out:
	cmark_iter_free(it);
	cmark_node_free(doc);
	return ret;
}

/* The title in bold, then "sector · tag, tag · author · created" dim. */
static void render_header(struct renderer *r, const struct bp_render_fields *f)
{
	const char *parts[] = {f->sector, NULL, f->author, f->created};
	int any = 0;
	size_t i, t;

	if (f->title && *f->title) {
		add_words(r, f->title, strlen(f->title), ST_BOLD);
		flush_pieces(r);
	}
	for (i = 0; i < BP_ARRAY_SIZE(parts); i++) {
		if (i == 1 ? !f->ntags : !parts[i] || !*parts[i])
			continue;
		if (any) {
			add_space(r);
			add_literal(r, "·", ST_DIM);
			add_space(r);
		}
		any = 1;
		if (i != 1) {
			add_words(r, parts[i], strlen(parts[i]), ST_DIM);
			continue;
		}
		for (t = 0; t < f->ntags; t++) {
			add_words(r, f->tags[t] ? f->tags[t] : "", f->tags[t] ? strlen(f->tags[t]) : 0,
				  ST_DIM);
			if (t + 1 < f->ntags) {
				add_literal(r, ",", ST_DIM);
				add_space(r);
			}
		}
	}
	flush_pieces(r);
	r->need_blank = 1;
}

int bp_render_fields(char **out, size_t *out_len, const struct bp_render_fields *f, int width,
		     unsigned flags, struct bp_error *err)
{
	struct renderer r = {BP_BUF_INIT};
	int ret = BP_ENOMEM;

	*out = NULL;
	r.flags = flags;
	r.width = width > 0 ? (unsigned)width : 0;
	render_header(&r, f);
	if (r.oom || render_body(&r, f->body, f->body_len))
		goto out;
	if (bp_buf_oom(&r.out) || bp_buf_oom(&r.words))
		goto out;
	if (!(*out = bp_buf_detach(&r.out, out_len)))
		goto out;
	ret = 0;
out:
	if (ret)
		bp_error_nomem(err);
	bp_buf_release(&r.out);
	bp_buf_release(&r.words);
	bp_free(r.frames);
	bp_free(r.pieces);
	return ret;
}

int bp_render_article(char **out, size_t *out_len, const struct bp_article *a, int width,
		      unsigned flags, struct bp_error *err)
{
	struct bp_render_fields f = {NULL};
	const char **tags = NULL;
	size_t i;
	int ret;

	*out = NULL;
	f.ntags = bp_article_tag_count(a);
	if (f.ntags && !(tags = bp_calloc(f.ntags, sizeof(*tags))))
		return bp_error_nomem(err);
	for (i = 0; i < f.ntags; i++)
		tags[i] = bp_article_tag(a, i);
	f.tags = tags;
	f.title = bp_article_title(a);
	f.sector = bp_article_sector(a);
	f.author = bp_article_author(a);
	f.created = bp_article_created(a);
	f.body = bp_article_body(a, &f.body_len);
	ret = bp_render_fields(out, out_len, &f, width, flags, err);
	bp_free(tags);
	return ret;
}
