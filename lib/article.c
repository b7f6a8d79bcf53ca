/*
 * Articles: a Markdown body under a YAML front matter, read with libyaml's event parser and
 * written back with its emitter.
 *
 * The front matter is cut into entries by line: each top-level key owns the text from the
 * start of its line to the start of the next key's line, that is its value and then the
 * comments and blank lines that follow it. Serialising copies every entry nobody changed as it
 * was read and lets libyaml write the changed ones, so the comments, spacing, line endings and
 * unknown keys of a file survive a rewrite.
 */
#include <string.h>
#include <strings.h>
#include <cmark.h>
#include <yaml.h>

#include "bp/article.h"
#include "slug.h"
#include "icu.h"
#include "util.h"

/* Bounds on the YAML of one front matter, beyond its size. */
#define MAX_DEPTH  32	 /* nested collections, the top-level mapping included */
#define MAX_EVENTS 20000 /* parser events: a dense 64 KiB block has fewer */
#define MAX_KEYS   1000	 /* top-level keys */

/* The front matter starts on the file's second line; libyaml counts lines from 0. */
#define FM_LINE(mark) ((unsigned)(mark).line + 2)

enum field { F_TITLE, F_SECTOR, F_TAGS, F_AUTHOR, F_CREATED, F_UPDATED, F_OTHER };

/* By enum field; also the order in which new entries are written. */
static const char *const field_names[F_OTHER] = {"title",  "sector",  "tags",
						 "author", "created", "updated"};

struct pair {
	char *key, *value;
};

/* One top-level entry of the front matter. */
struct entry {
	char *key;
	enum field field;
	/*
	 * An entry read from the text (`orig`) is fm[start, end) of the parsed front matter: its
	 * key and value up to value_end, then the comments and blank lines after them.
	 */
	size_t start, value_end, end;
	unsigned orig : 1;
	unsigned dirty : 1;   /* to be written anew by the emitter */
	unsigned removed : 1; /* to be left out: a removed or invalid field */
	unsigned dup : 1;     /* a repeated key (lenient mode), never looked up */
	/* F_OTHER: the value when it is a scalar, else the scalar pairs of a mapping. */
	char *value;
	struct pair *map;
	size_t map_n;
	int is_map; /* set with bp_article_set_field_map: written as a mapping */
};

struct bp_article {
	char *text; /* the parsed text, valid UTF-8 (NULL for a new article) */
	size_t text_len;
	int has_fm;
	int crlf;	    /* the opening delimiter ends in CRLF: written lines do too */
	size_t fm_start;    /* the front matter is text[fm_start, fm_start + fm_len) */
	size_t fm_len;	    /* 0 once lenient mode gave it up, or writes it anew */
	size_t close_start; /* the closing delimiter line is text[close_start, body_start) */
	size_t body_start;
	const char *body;
	size_t body_len;
	char *own_body; /* bp_article_set_body's copy */
	unsigned body_line;
	char *values[F_OTHER]; /* the known scalar fields by enum field (F_TAGS unused) */
	char **tags;
	size_t ntags;
	struct entry *entries;
	size_t n, alloc;
};

/* The state of one bp_article_parse. */
struct ctx {
	struct bp_article *a;
	const char *name;
	int strict;
	const struct bp_warn *warn;
	struct bp_error *err; /* lenient mode: a local error that becomes a warning */
	yaml_parser_t parser;
	const char *fm;
	size_t fm_len;
	size_t mark_index, mark_byte; /* libyaml counts characters: a cursor to bytes */
	unsigned long events;
	const char *uncut; /* lenient: why entries cannot be cut by line ({...}, indented) */
};

/* What read_node() keeps of one YAML node. */
struct item {
	char *value;
	unsigned line;
};

struct node {
	yaml_event_type_t type; /* SCALAR, ALIAS, SEQUENCE_START or MAPPING_START */
	int plain;		/* no anchor or tag on it (a sequence: nor on its items) */
	int style;		/* a scalar's yaml_scalar_style_t */
	unsigned line;
	yaml_mark_t end; /* just past its last scalar, alias or flow bracket */
	char *value;	 /* a scalar's value */
	size_t len;
	struct item *items; /* a sequence's scalar items */
	size_t n_items;
	struct pair *pairs; /* a mapping's scalar pairs */
	size_t n_pairs;
};

static void pairs_free(struct pair *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		bp_free(p[i].key);
		bp_free(p[i].value);
	}
	bp_free(p);
}

static void entry_clear_value(struct entry *e)
{
	bp_free(e->value);
	pairs_free(e->map, e->map_n);
	e->value = NULL;
	e->map = NULL;
	e->map_n = 0;
	e->is_map = 0;
}

static void tags_free(char **tags, size_t n)
{
	size_t i;

	for (i = 0; tags && i < n; i++)
		bp_free(tags[i]);
	bp_free(tags);
}

static void node_release(struct node *n)
{
	size_t i;

	bp_free(n->value);
	for (i = 0; i < n->n_items; i++)
		bp_free(n->items[i].value);
	bp_free(n->items);
	pairs_free(n->pairs, n->n_pairs);
	memset(n, 0, sizeof(*n));
}

/* Validation shared by the parser and the setters. */

static int valid_name(const char *s, size_t len, size_t max)
{
	size_t i;

	if (!len || len > max || s[0] == '-' || s[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int bp_is_valid_sector(const char *s)
{
	return s && valid_name(s, strlen(s), BP_ARTICLE_MAX_SECTOR);
}

int bp_is_valid_tag(const char *s)
{
	return s && valid_name(s, strlen(s), BP_ARTICLE_MAX_TAG);
}

static int is_date(const char *s, size_t len)
{
	static const unsigned char days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y, m, d;
	size_t i;
	int leap;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < len; i++)
		if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9'))
			return 0;
	y = (unsigned)((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + s[3] - '0');
	m = (unsigned)((s[5] - '0') * 10 + s[6] - '0');
	d = (unsigned)((s[8] - '0') * 10 + s[9] - '0');
	if (y < 1000 || m < 1 || m > 12 || d < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= days[m - 1] + (m == 2 && leap);
}

int bp_is_valid_date(const char *s)
{
	return s && is_date(s, strlen(s));
}

/* How much of a value to quote in a message: a long one is cut on a character boundary. */
static int shown(const char *s, size_t len)
{
	size_t n = len < 60 ? len : 60;

	while (n < len && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

/*
 * Whether `len` bytes of `s` are a valid value of field `f` (not F_TAGS): 0 if so, else 1 with
 * the reason in `msg` ("'title' must be one line").
 */
static int invalid_value(enum field f, const char *s, size_t len, char *msg, size_t size)
{
	const char *name = field_names[f];
	size_t i, max;

	if (!len) {
		snprintf(msg, size, "'%s' is empty", name);
		return 1;
	}
	if (!bp_utf8_valid(s, len, NULL)) {
		snprintf(msg, size, "'%s' is not valid UTF-8", name);
		return 1;
	}
	switch (f) {
	case F_TITLE:
	case F_AUTHOR:
		for (i = 0; i < len; i++) {
			unsigned char u = (unsigned char)s[i];

			if (u == '\n' || u == '\r') {
				snprintf(msg, size, "'%s' must be one line", name);
				return 1;
			}
			if (u < 0x20 || u == 0x7F) {
				snprintf(msg, size, "'%s' contains a control character", name);
				return 1;
			}
		}
		max = f == F_TITLE ? BP_ARTICLE_MAX_TITLE : BP_ARTICLE_MAX_AUTHOR;
		if (len > max) {
			snprintf(msg, size, "'%s' is longer than %zu bytes", name, max);
			return 1;
		}
		return 0;
	case F_SECTOR:
		if (valid_name(s, len, BP_ARTICLE_MAX_SECTOR))
			return 0;
		if (len > BP_ARTICLE_MAX_SECTOR)
			snprintf(msg, size, "'sector' is longer than %u bytes",
				 BP_ARTICLE_MAX_SECTOR);
		else
			snprintf(
			    msg, size,
			    "invalid sector '%.*s' (use lowercase letters, digits and hyphens)",
			    shown(s, len), s);
		return 1;
	case F_CREATED:
	case F_UPDATED:
		if (is_date(s, len))
			return 0;
		snprintf(msg, size, "'%s' must be a real date written YYYY-MM-DD, not '%.*s'", name,
			 shown(s, len), s);
		return 1;
	default:
		return 0;
	}
}

static int invalid_tag(const char *s, size_t len, char *msg, size_t size)
{
	if (valid_name(s, len, BP_ARTICLE_MAX_TAG))
		return 0;
	if (len > BP_ARTICLE_MAX_TAG)
		snprintf(msg, size, "tag '%.*s' is longer than %u bytes", shown(s, len), s,
			 BP_ARTICLE_MAX_TAG);
	else
		snprintf(msg, size,
			 "invalid tag '%.*s' (use lowercase letters, digits and hyphens)",
			 shown(s, len), s);
	return 1;
}

static enum field field_of(const char *key)
{
	int f;

	for (f = 0; f < F_OTHER; f++)
		if (!strcmp(key, field_names[f]))
			return (enum field)f;
	return F_OTHER;
}

/* Entries. */

/* The entry for `key`, repeated keys aside, or NULL. */
static struct entry *find_entry(const struct bp_article *a, const char *key)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (!a->entries[i].dup && !strcmp(a->entries[i].key, key))
			return &a->entries[i];
	return NULL;
}

/* A new entry at the end, to be written; NULL when out of memory. */
static struct entry *add_entry(struct bp_article *a, const char *key, size_t len)
{
	struct entry *e;

	if (a->n == a->alloc) {
		size_t alloc = a->alloc ? 2 * a->alloc : 8;

		e = bp_realloc(a->entries, alloc * sizeof(*e));
		if (!e)
			return NULL;
		a->entries = e;
		a->alloc = alloc;
	}
	e = &a->entries[a->n];
	memset(e, 0, sizeof(*e));
	e->key = bp_strndup(key, len);
	if (!e->key)
		return NULL;
	e->field = field_of(e->key);
	e->dirty = 1;
	a->n++;
	return e;
}

static void entries_free(struct bp_article *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		entry_clear_value(&a->entries[i]);
		bp_free(a->entries[i].key);
	}
	bp_free(a->entries);
	a->entries = NULL;
	a->n = a->alloc = 0;
}

/* Set known scalar field `f` to `v` (taken; NULL removes it) and mark its entry for writing. */
static int put_value(struct bp_article *a, enum field f, char *v, struct bp_error *err)
{
	struct entry *e = find_entry(a, field_names[f]);

	if (!e && !v)
		return 0;
	if (!e && !(e = add_entry(a, field_names[f], strlen(field_names[f])))) {
		bp_free(v);
		return bp_error_nomem(err);
	}
	bp_free(a->values[f]);
	a->values[f] = v;
	e->dirty = 1;
	e->removed = !v;
	return 0;
}

/* Reading. */

static int vreport(struct ctx *c, int stops, unsigned line, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static int problem(struct ctx *c, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fatal(struct ctx *c, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A problem with the input at `line` of the file (0: none) as "law/x.md:3: ...": the error,
 * or in lenient mode a warning unless it `stops` the reading of the front matter.
 */
static int vreport(struct ctx *c, int stops, unsigned line, const char *fmt, va_list ap)
{
	struct bp_error e;

	bp_error_vset(&e, BP_EINVALID, fmt, ap);
	if (line)
		bp_error_prefix(&e, "%s:%u", c->name, line);
	else
		bp_error_prefix(&e, "%s", c->name);
	if (!stops && !c->strict) {
		bp_warn(c->warn, "%s", e.msg);
		return 0;
	}
	if (c->err)
		*c->err = e;
	return BP_EINVALID;
}

/* A problem with a field: an error in strict mode, else a warning and 0. */
static int problem(struct ctx *c, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vreport(c, 0, line, fmt, ap);
	va_end(ap);
	return rc;
}

/* A problem that stops the reading of the front matter, in either mode. */
static int fatal(struct ctx *c, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vreport(c, 1, line, fmt, ap);
	va_end(ap);
	return rc;
}

static unsigned line_of(const char *s, size_t off)
{
	unsigned line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		line += s[i] == '\n';
	return line;
}

/* The byte offset in the front matter of libyaml's character index `index`. */
static size_t byte_at(struct ctx *c, size_t index)
{
	if (index < c->mark_index)
		c->mark_index = c->mark_byte = 0;
	while (c->mark_index < index && c->mark_byte < c->fm_len) {
		unsigned char u = (unsigned char)c->fm[c->mark_byte];

		c->mark_byte += u < 0x80 ? 1 : u >= 0xF0 ? 4 : u >= 0xE0 ? 3 : 2;
		c->mark_index++;
	}
	return c->mark_byte < c->fm_len ? c->mark_byte : c->fm_len;
}

/* The length of the line break at `off`, as YAML breaks lines, or 0. */
static size_t break_at(const char *s, size_t len, size_t off)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[off] == '\n')
		return 1;
	if (u[off] == '\r')
		return 1 + (off + 1 < len && u[off + 1] == '\n');
	if (u[off] == 0xC2 && off + 1 < len && u[off + 1] == 0x85) /* NEL */
		return 2;
	if (u[off] == 0xE2 && off + 2 < len && u[off + 1] == 0x80 &&
	    (u[off + 2] == 0xA8 || u[off + 2] == 0xA9)) /* LS, PS */
		return 3;
	return 0;
}

/* The offset just past the line break that ends the line holding `off`. */
static size_t line_after(const char *s, size_t len, size_t off)
{
	size_t n;

	for (; off < len; off++)
		if ((n = break_at(s, len, off)))
			return off + n;
	return len;
}

static int next_event(struct ctx *c, yaml_event_t *ev)
{
	if (++c->events > MAX_EVENTS)
		return fatal(c, FM_LINE(c->parser.mark),
			     "front matter is too complex (more than %d YAML events)", MAX_EVENTS);
	if (yaml_parser_parse(&c->parser, ev))
		return 0;
	if (c->parser.error == YAML_MEMORY_ERROR)
		return bp_error_nomem(c->err);
	if (c->parser.error == YAML_READER_ERROR)
		return fatal(c, line_of(c->fm, c->parser.problem_offset) + 1,
			     "invalid front matter: %s", c->parser.problem);
	return fatal(c, FM_LINE(c->parser.problem_mark), "invalid front matter: %s",
		     c->parser.problem ? c->parser.problem : "syntax error");
}

/*
 * Note where an event ends if that is where its text ends: the end events of block collections
 * carry the position of whatever comes next, perhaps lines later.
 */
static void note_end(struct node *n, const yaml_event_t *ev, int precise)
{
	if (precise && ev->end_mark.index > n->end.index)
		n->end = ev->end_mark;
}

/* A direct child of a collection is complete: keep it if it is a scalar. */
static int child_done(struct node *n, const yaml_event_t *ev, size_t *children, char **key)
{
	const yaml_char_t *v = ev && ev->type == YAML_SCALAR_EVENT ? ev->data.scalar.value : NULL;
	size_t len = v ? ev->data.scalar.length : 0;
	int plain = v && !ev->data.scalar.anchor && !ev->data.scalar.tag;
	void *p;

	if (n->type == YAML_SEQUENCE_START_EVENT) {
		n->plain &= plain;
		if (!v)
			return 0;
		p = bp_realloc(n->items, (n->n_items + 1) * sizeof(*n->items));
		if (!p)
			return BP_ENOMEM;
		n->items = p;
		n->items[n->n_items].line = FM_LINE(ev->start_mark);
		n->items[n->n_items].value = bp_strndup((const char *)v, len);
		if (!n->items[n->n_items].value)
			return BP_ENOMEM;
		n->n_items++;
	} else if ((*children)++ % 2 == 0) {
		if (v && !(*key = bp_strndup((const char *)v, len)))
			return BP_ENOMEM;
	} else if (*key && v) {
		p = bp_realloc(n->pairs, (n->n_pairs + 1) * sizeof(*n->pairs));
		if (!p)
			return BP_ENOMEM;
		n->pairs = p;
		n->pairs[n->n_pairs].value = bp_strndup((const char *)v, len);
		if (!n->pairs[n->n_pairs].value)
			return BP_ENOMEM;
		n->pairs[n->n_pairs++].key = *key;
		*key = NULL;
	} else {
		bp_free(*key);
		*key = NULL;
	}
	return 0;
}

/*
 * Read the node that starts with event `first` (not consumed) to its end, keeping what the
 * fields need: a scalar's value, a sequence's scalar items, a mapping's scalar pairs. Nothing
 * is expanded: an alias is just an alias.
 */
static int read_node(struct ctx *c, const yaml_event_t *first, struct node *n)
{
	yaml_event_t ev;
	unsigned long long flow = 0; /* bit d: the collection d levels down is a flow one */
	size_t children = 0;
	char *key = NULL;
	int depth = 1, rc = 0;

	memset(&ev, 0, sizeof(ev));
	n->type = first->type;
	n->line = FM_LINE(first->start_mark);
	note_end(n, first, 1);
	switch (first->type) {
	case YAML_SCALAR_EVENT:
		n->plain = !first->data.scalar.anchor && !first->data.scalar.tag;
		n->style = first->data.scalar.style;
		n->len = first->data.scalar.length;
		n->value = bp_strndup((const char *)first->data.scalar.value, n->len);
		return n->value ? 0 : bp_error_nomem(c->err);
	case YAML_SEQUENCE_START_EVENT:
		n->plain = !first->data.sequence_start.anchor && !first->data.sequence_start.tag;
		flow = first->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
		break;
	case YAML_MAPPING_START_EVENT:
		n->plain = !first->data.mapping_start.anchor && !first->data.mapping_start.tag;
		flow = first->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
		break;
	default: /* an alias */
		return 0;
	}
	while (depth > 0) {
		if ((rc = next_event(c, &ev)))
			goto out;
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			/* The top-level mapping holds this node: one level more. */
			if (depth + 2 > MAX_DEPTH) {
				rc = fatal(c, FM_LINE(ev.start_mark),
					   "front matter is nested more than %d levels deep",
					   MAX_DEPTH);
				goto out;
			}
			if (ev.type == YAML_SEQUENCE_START_EVENT
				? ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
				: ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE)
				flow |= 1ull << depth;
			else
				flow &= ~(1ull << depth);
			note_end(n, &ev, 1);
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			note_end(n, &ev, (flow >> depth) & 1);
			if (depth == 1 && (rc = child_done(n, NULL, &children, &key)))
				goto nomem;
			break;
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT:
			note_end(n, &ev, 1);
			if (depth == 1 && (rc = child_done(n, &ev, &children, &key)))
				goto nomem;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	goto out;
nomem:
	rc = bp_error_nomem(c->err);
out:
	yaml_event_delete(&ev);
	bp_free(key);
	return rc;
}

/* Leave a known field out: an error in strict mode, a warning and a rewritten entry else. */
static int drop_field(struct ctx *c, struct entry *e, unsigned line, const char *msg)
{
	e->dirty = 1;
	e->removed = 1;
	return problem(c, line, "%s", msg);
}

/*
 * `len` bytes of `s` made fit for a one-line field: control characters and runs of spaces
 * become one space, none at either end, invalid UTF-8 becomes U+FFFD, cut on a character
 * boundary to at most `max` bytes. *out may be "".
 */
static int tidy_line(char **out, const char *s, size_t len, size_t max)
{
	struct bp_buf b = BP_BUF_INIT;
	size_t i = 0, n;
	unsigned cp;
	int space = 0;

	*out = NULL;
	bp_buf_add(&b, "", 0);
	while (i < len) {
		n = bp_utf8_decode(s + i, len - i, &cp);
		if (!n) {
			n = 1;
			cp = 0xFFFD;
		}
		if (cp <= ' ' || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
			space = 1;
			i += n;
			continue;
		}
		if (space && b.len)
			bp_buf_addch(&b, ' ');
		space = 0;
		if (cp == 0xFFFD && n == 1)
			bp_buf_add(&b, "\xEF\xBF\xBD", 3);
		else
			bp_buf_add(&b, s + i, n);
		i += n;
		if (b.len > max)
			break;
	}
	if (bp_buf_oom(&b))
		return BP_ENOMEM;
	/* Cut at the last character that fits, then drop a space left at the end. */
	while (b.len > max) {
		n = b.len - 1;
		while (n > 0 && ((unsigned char)b.ptr[n] & 0xC0) == 0x80)
			n--;
		bp_buf_truncate(&b, n);
	}
	while (b.len && b.ptr[b.len - 1] == ' ')
		bp_buf_truncate(&b, b.len - 1);
	*out = bp_buf_detach(&b, NULL);
	return 0;
}

static int read_scalar_field(struct ctx *c, struct entry *e, struct node *v)
{
	struct bp_article *a = c->a;
	char msg[BP_ERROR_MAX];
	char *tidy = NULL;
	int rc;

	if (v->type != YAML_SCALAR_EVENT || !v->plain) {
		snprintf(msg, sizeof(msg), "'%s' must be a plain value", e->key);
		return drop_field(c, e, v->line, msg);
	}
	/* `author:` with nothing after it: no author, and the line stays as it is. */
	if (!v->len && v->style == YAML_PLAIN_SCALAR_STYLE && e->field != F_TITLE &&
	    e->field != F_SECTOR)
		return 0;
	if (!invalid_value(e->field, v->value, v->len, msg, sizeof(msg))) {
		a->values[e->field] = v->value;
		v->value = NULL;
		return 0;
	}
	if (c->strict || (e->field != F_TITLE && e->field != F_AUTHOR))
		return drop_field(c, e, v->line, msg);
	/* Lenient: a title or author on several lines, or too long, is made one line. */
	if (tidy_line(&tidy, v->value, v->len,
		      e->field == F_TITLE ? BP_ARTICLE_MAX_TITLE : BP_ARTICLE_MAX_AUTHOR))
		return bp_error_nomem(c->err);
	if (!*tidy) {
		bp_free(tidy);
		return drop_field(c, e, v->line, msg);
	}
	rc = problem(c, v->line, "%s", msg);
	a->values[e->field] = tidy;
	e->dirty = 1;
	return rc;
}

/* Lenient mode: a tag as people write them ("Time Management") as we write them. */
static int normalise_tag(char **out, const char *s, size_t len)
{
	char *p;

	if (tidy_line(out, s, len, (size_t)-1 / 2))
		return BP_ENOMEM;
	for (p = *out; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if (*p == ' ')
			*p = '-';
	}
	return 0;
}

static int has_tag(char *const *tags, size_t n, const char *tag)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(tags[i], tag))
			return 1;
	return 0;
}

static int read_tags(struct ctx *c, struct entry *e, struct node *v)
{
	struct bp_article *a = c->a;
	char msg[BP_ERROR_MAX];
	struct item *items = v->items, *split = NULL;
	size_t n = v->n_items, i;
	char *tag = NULL, *words = NULL;
	int rc = 0, changed = 0;

	if (v->type == YAML_SCALAR_EVENT && v->plain && !v->len &&
	    v->style == YAML_PLAIN_SCALAR_STYLE)
		return 0; /* `tags:` with nothing after it: no tags */
	if (v->type == YAML_SCALAR_EVENT && v->plain && !c->strict) {
		/*
		 * Lenient: a scalar is a list, cut at commas, or at spaces when it has no comma
		 * (Jekyll's `tags: weeding crew`); `tags: reference` is a list of one.
		 */
		const char *seps = strchr(v->value, ',') ? "," : " \t";
		char *w, *save = NULL;

		words = bp_strdup(v->value);
		split = bp_calloc(strlen(v->value) / 2 + 1, sizeof(*split));
		if (!words || !split) {
			rc = bp_error_nomem(c->err);
			goto out;
		}
		n = 0;
		for (w = strtok_r(words, seps, &save); w; w = strtok_r(NULL, seps, &save)) {
			while (*w == ' ' || *w == '\t')
				w++;
			if (*w) {
				split[n].value = w;
				split[n++].line = v->line;
			}
		}
		items = split;
		changed = 1;
	} else if (v->type != YAML_SEQUENCE_START_EVENT) {
		return drop_field(c, e, v->line, "'tags' must be a list");
	} else if (!v->plain) {
		/* Lenient: the scalar items are kept. */
		if ((rc = problem(c, v->line, "'tags' must be a list of plain values")))
			return rc;
		changed = 1;
	}
	if (c->strict && n > BP_ARTICLE_MAX_TAGS)
		return problem(c, v->line, "'tags' has more than %u tags", BP_ARTICLE_MAX_TAGS);
	if (!n)
		goto out;
	a->tags = bp_calloc(n, sizeof(*a->tags));
	if (!a->tags) {
		rc = bp_error_nomem(c->err);
		goto out;
	}
	for (i = 0; i < n && !rc; i++) {
		if (c->strict ? !(tag = bp_strdup(items[i].value))
			      : normalise_tag(&tag, items[i].value, strlen(items[i].value))) {
			rc = bp_error_nomem(c->err);
			break;
		}
		changed |= strcmp(tag, items[i].value) != 0;
		if (invalid_tag(tag, strlen(tag), msg, sizeof(msg))) {
			rc = problem(c, items[i].line, "%s", msg);
			changed = 1;
		} else if (has_tag(a->tags, a->ntags, tag)) {
			/* Lenient: "Law" and "law" are one tag, said once. */
			if (c->strict)
				rc = problem(c, items[i].line, "duplicate tag '%s'", tag);
			changed = 1;
		} else if (a->ntags == BP_ARTICLE_MAX_TAGS) {
			problem(c, v->line, "'tags' has more than %u tags", BP_ARTICLE_MAX_TAGS);
			changed = 1;
			n = i;
		} else {
			a->tags[a->ntags++] = tag;
			tag = NULL;
		}
		bp_free(tag);
		tag = NULL;
	}
out:
	if (changed)
		e->dirty = 1;
	bp_free(split);
	bp_free(words);
	return rc;
}

/* An unknown key: keep its value for bp_article_field(). */
static void keep_other(struct entry *e, struct node *v)
{
	if (v->type == YAML_SCALAR_EVENT) {
		e->value = v->value;
		v->value = NULL;
	} else if (v->type == YAML_MAPPING_START_EVENT) {
		e->map = v->pairs;
		e->map_n = v->n_pairs;
		v->pairs = NULL;
		v->n_pairs = 0;
	}
}

/* Read one top-level entry whose key event is `kev`. */
static int read_entry(struct ctx *c, const yaml_event_t *kev)
{
	struct bp_article *a = c->a;
	unsigned line = FM_LINE(kev->start_mark);
	yaml_event_t ev;
	yaml_mark_t end;
	struct entry *e;
	struct node v;
	size_t start;
	int rc;

	memset(&ev, 0, sizeof(ev));
	memset(&v, 0, sizeof(v));
	if (kev->type != YAML_SCALAR_EVENT || kev->data.scalar.anchor || kev->data.scalar.tag) {
		rc = fatal(c, line, "a key must be a plain value");
		goto out;
	}
	if (a->n == MAX_KEYS) {
		rc = fatal(c, line, "front matter has more than %d keys", MAX_KEYS);
		goto out;
	}
	start = byte_at(c, kev->start_mark.index - kev->start_mark.column);
	if (!c->uncut && a->n && start <= a->entries[a->n - 1].start) {
		rc = fatal(c, line, "each key must start a line of its own");
		goto out;
	}
	if ((rc = next_event(c, &ev)) || (rc = read_node(c, &ev, &v)))
		goto out;
	end = v.end.index > kev->end_mark.index ? v.end : kev->end_mark;
	e = add_entry(a, (const char *)kev->data.scalar.value, kev->data.scalar.length);
	if (!e) {
		rc = bp_error_nomem(c->err);
		goto out;
	}
	e->orig = 1;
	e->dirty = 0;
	e->start = start;
	/* The rest of the line where the value ends (a comment, say) goes with it. */
	e->value_end = byte_at(c, end.index);
	if (end.column)
		e->value_end = line_after(c->fm, c->fm_len, e->value_end);
	if (find_entry(a, e->key) != e) {
		e->dup = e->removed = e->dirty = 1;
		rc = problem(c, line, "duplicate key '%s'", e->key);
	} else if (e->field == F_TAGS) {
		rc = read_tags(c, e, &v);
	} else if (e->field != F_OTHER) {
		rc = read_scalar_field(c, e, &v);
	} else {
		keep_other(e, &v);
	}
out:
	node_release(&v);
	yaml_event_delete(&ev);
	return rc;
}

/* Read the front matter: one block mapping (or nothing at all: an empty one). */
static int read_front_matter(struct ctx *c)
{
	struct bp_article *a = c->a;
	yaml_event_t ev;
	size_t i;
	int rc;

	memset(&ev, 0, sizeof(ev));
	if (!yaml_parser_initialize(&c->parser))
		return bp_error_nomem(c->err);
	yaml_parser_set_input_string(&c->parser, (const unsigned char *)c->fm, c->fm_len);
	yaml_parser_set_encoding(&c->parser, YAML_UTF8_ENCODING);
	if ((rc = next_event(c, &ev))) /* stream start */
		goto out;
	yaml_event_delete(&ev);
	if ((rc = next_event(c, &ev)) || ev.type == YAML_STREAM_END_EVENT)
		goto out;
	yaml_event_delete(&ev); /* document start */
	if ((rc = next_event(c, &ev)))
		goto out;
	if (ev.type != YAML_MAPPING_START_EVENT) {
		rc = fatal(c, FM_LINE(ev.start_mark),
			   "front matter must be a mapping of 'key: value' lines");
		goto out;
	}
	/*
	 * Entries are cut by line, and new ones start at the beginning of a line: a {flow}
	 * mapping has no lines to cut, an indented one no room for new keys.
	 */
	if (ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE)
		c->uncut = "front matter must have one 'key: value' a line, not '{...}'";
	else if (ev.start_mark.column)
		c->uncut = "front matter must not be indented";
	if (c->uncut && c->strict) {
		rc = fatal(c, FM_LINE(ev.start_mark), "%s", c->uncut);
		goto out;
	}
	for (;;) {
		yaml_event_delete(&ev);
		if ((rc = next_event(c, &ev)))
			goto out;
		if (ev.type == YAML_MAPPING_END_EVENT)
			break;
		/*
		 * The mapping's mark is that of its tag or anchor when it has one, which may
		 * stand at the start of a line above indented keys: the first key shows them
		 * (read_entry refuses a key that is not a scalar).
		 */
		if (!a->n && !c->uncut && ev.type == YAML_SCALAR_EVENT && ev.start_mark.column) {
			c->uncut = "front matter must not be indented";
			if (c->strict) {
				rc = fatal(c, FM_LINE(ev.start_mark), "%s", c->uncut);
				goto out;
			}
		}
		if ((rc = read_entry(c, &ev)))
			goto out;
	}
	yaml_event_delete(&ev);
	if ((rc = next_event(c, &ev))) /* document end */
		goto out;
	yaml_event_delete(&ev);
	if ((rc = next_event(c, &ev)))
		goto out;
	if (ev.type != YAML_STREAM_END_EVENT)
		rc = fatal(c, FM_LINE(ev.start_mark), "front matter must be one YAML document");
out:
	yaml_event_delete(&ev);
	yaml_parser_delete(&c->parser);
	for (i = 0; i < a->n; i++) {
		a->entries[i].end = i + 1 < a->n ? a->entries[i + 1].start : c->fm_len;
		if (a->entries[i].value_end > a->entries[i].end)
			a->entries[i].value_end = a->entries[i].end;
	}
	return rc;
}

/* Lenient mode: forget what was read of a front matter that is given up. */
static void forget_front_matter(struct bp_article *a)
{
	int f;

	entries_free(a);
	for (f = 0; f < F_OTHER; f++) {
		bp_free(a->values[f]);
		a->values[f] = NULL;
	}
	tags_free(a->tags, a->ntags);
	a->tags = NULL;
	a->ntags = 0;
	a->fm_len = 0;
}

/*
 * Lenient mode, a front matter that cannot be cut into lines: keep the known fields as new
 * entries (the whole front matter is written anew) and drop the rest.
 */
static void keep_known_fields(struct ctx *c)
{
	struct bp_article *a = c->a;
	size_t i, n = 0;
	int dropped = 0;

	for (i = 0; i < a->n; i++) {
		struct entry *e = &a->entries[i];

		if (e->field == F_OTHER || e->removed ||
		    (e->field != F_TAGS && !a->values[e->field])) {
			dropped |= e->field == F_OTHER;
			entry_clear_value(e);
			bp_free(e->key);
			continue;
		}
		e->orig = 0;
		e->dirty = 1;
		a->entries[n++] = *e;
	}
	a->n = n;
	a->fm_len = 0;
	if (dropped)
		problem(c, 2, "%s: its unknown keys are dropped", c->uncut);
}

/* The text, as UTF-8. */

/*
 * Whether `s` looks like UTF-16: a UTF-16 byte order mark, or NUL bytes in every other byte
 * of its start, as ASCII text in UTF-16 has.
 */
static int is_utf16(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = (len < 64 ? len : 64) & ~(size_t)1, zero[2] = {0, 0}, i;

	if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
		return 1;
	if (n < 4)
		return 0;
	for (i = 0; i < n; i++)
		zero[i & 1] += !u[i];
	return (!zero[0] && zero[1] >= n / 4) || (!zero[1] && zero[0] >= n / 4);
}

/*
 * Copy the text into the article: as it is when it is valid UTF-8 without NUL bytes, else an
 * error (strict) or a copy with U+FFFD for each bad byte (lenient).
 */
static int take_text(struct ctx *c, const char *text, size_t len)
{
	struct bp_article *a = c->a;
	struct bp_buf b = BP_BUF_INIT;
	const char *nul = memchr(text, 0, len);
	size_t bad = len, i, n;
	unsigned cp;

	if (bp_utf8_valid(text, len, &bad) && !nul) {
		a->text = bp_strndup(text, len);
		a->text_len = len;
		return a->text ? 0 : bp_error_nomem(c->err);
	}
	if (nul && (size_t)(nul - text) < bad)
		bad = (size_t)(nul - text);
	if (c->strict)
		return bp_error_set(c->err, BP_EINVALID, "%s:%u: %s", c->name, line_of(text, bad),
				    text[bad] ? "text is not valid UTF-8"
					      : "text contains a NUL byte");
	bp_warn(c->warn, "%s:%u: invalid UTF-8 or NUL bytes replaced with U+FFFD", c->name,
		line_of(text, bad));
	for (i = 0; i < len; i += n) {
		n = text[i] ? bp_utf8_decode(text + i, len - i, &cp) : 0;
		if (n) {
			bp_buf_add(&b, text + i, n);
		} else {
			bp_buf_add(&b, "\xEF\xBF\xBD", 3);
			n = 1;
		}
	}
	a->text = bp_buf_detach(&b, &a->text_len);
	return a->text ? 0 : bp_error_nomem(c->err);
}

/*
 * The length of the delimiter line at `off` ("---", or "..." to close; spaces may follow, and
 * a line break or the end of the text), or 0.
 */
static size_t delimiter_at(const char *s, size_t len, size_t off, int closing)
{
	size_t i = off + 3;

	if (len - off < 3 ||
	    (memcmp(s + off, "---", 3) && !(closing && !memcmp(s + off, "...", 3))))
		return 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < len && s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
		i++;
	if (i < len && s[i] != '\n')
		return 0;
	return (i < len ? i + 1 : i) - off;
}

/*
 * YAML 1.1, which libyaml reads, also breaks lines at NEL (U+0085), LS (U+2028) and PS
 * (U+2029); this file's lines end at '\n' only. In a front matter the two would disagree on
 * where a line starts: "note: x" LS "..." ends the YAML document after "note: x", and a field
 * written after that line would be lost to the next reading. The length of such a break at
 * `s` (2 or 3 bytes, its code point in *cp), or 0.
 */
static size_t unicode_break_at(const char *s, size_t len, unsigned *cp)
{
	const unsigned char *u = (const unsigned char *)s;

	if (len >= 2 && u[0] == 0xC2 && u[1] == 0x85) {
		*cp = 0x85;
		return 2;
	}
	if (len >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9)) {
		*cp = u[2] == 0xA8 ? 0x2028 : 0x2029;
		return 3;
	}
	return 0;
}

/*
 * Strict mode refuses those breaks in a front matter; lenient mode replaces each with spaces,
 * as YAML would fold a break inside a value into one.
 */
static int unicode_breaks(struct ctx *c)
{
	struct bp_article *a = c->a;
	char *fm = a->text + a->fm_start;
	size_t i, n;
	unsigned cp;
	int warned = 0;

	for (i = 0; i < a->fm_len; i++) {
		if (!(n = unicode_break_at(fm + i, a->fm_len - i, &cp)))
			continue;
		if (c->strict)
			return problem(c, line_of(a->text, a->fm_start + i),
				       "the front matter holds a Unicode line break (U+%04X), which "
				       "YAML reads as the end of a line: use a newline or a space",
				       cp);
		if (!warned++)
			problem(c, line_of(a->text, a->fm_start + i),
				"Unicode line breaks in the front matter replaced with spaces");
		memset(fm + i, ' ', n);
		i += n - 1;
	}
	return 0;
}

/* Find the front matter's delimiter lines; without them the whole text is the body. */
static int find_front_matter(struct ctx *c)
{
	struct bp_article *a = c->a;
	const char *s = a->text, *eol = NULL;
	size_t len = a->text_len, off = 0, open, p, n = 0;

	if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		off = 3;
	a->body_start = off;
	open = delimiter_at(s, len, off, 0);
	if (!open) {
		if (c->strict)
			return bp_error_set(
			    c->err, BP_EINVALID,
			    "%s: no front matter (an article starts with a '---' line)", c->name);
		return 0;
	}
	for (p = off + open; p < len; p = (size_t)(eol - s) + 1) {
		if ((n = delimiter_at(s, len, p, 1)))
			break;
		if (!(eol = memchr(s + p, '\n', len - p)))
			break;
	}
	if (!n)
		return problem(c, 1, "front matter has no closing '---'");
	if (p - (off + open) > BP_ARTICLE_MAX_FRONT_MATTER) {
		/* Lenient: not read, but not body either (its text would become the title). */
		if (!c->strict)
			a->body_start = p + n;
		return problem(c, 1, "front matter is larger than %u KiB",
			       BP_ARTICLE_MAX_FRONT_MATTER >> 10);
	}
	a->has_fm = 1;
	a->crlf = open >= 2 && s[off + open - 2] == '\r';
	a->fm_start = off + open;
	a->fm_len = p - a->fm_start;
	a->close_start = p;
	a->body_start = p + n;
	return unicode_breaks(c);
}

/* Lenient mode: what to use for what the front matter lacks. */

/*
 * The text of the first heading of a Markdown body, or NULL. A stand-in for
 * bp_markdown_first_heading() (render.c), which should replace it once it exists.
 */
static int first_heading_in_piece(char **out, const char *md, size_t len);

static int first_heading_via_cmark(char **out, const char *md, size_t len)
{
	size_t off = 0, n;
	int rc = 0;

	/* A piece at a time, as for the search index (bp_markdown_piece): bounded memory. */
	*out = NULL;
	do {
		n = bp_markdown_piece(md + off, len - off, BP_MARKDOWN_PIECE);
		rc = first_heading_in_piece(out, md + off, n);
		off += n;
	} while (!rc && !*out && off < len);
	return rc;
}

static int first_heading_in_piece(char **out, const char *md, size_t len)
{
	struct bp_buf b = BP_BUF_INIT;
	cmark_node *doc, *node;
	cmark_iter *it = NULL;
	cmark_event_type ev;
	int in = 0, rc = 0;

	*out = NULL;
	doc = cmark_parse_document(md, len, CMARK_OPT_DEFAULT);
	if (!doc || !(it = cmark_iter_new(doc))) {
		rc = BP_ENOMEM;
		goto out;
	}
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_HEADING:
			in = ev == CMARK_EVENT_ENTER;
			if (in) {
				bp_buf_truncate(&b, 0);
				break;
			}
			if (bp_buf_oom(&b) ||
			    tidy_line(out, bp_buf_cstr(&b), b.len, BP_ARTICLE_MAX_TITLE)) {
				rc = BP_ENOMEM;
				goto out;
			}
			if (**out)
				goto out;
			bp_free(*out); /* a heading with no text: try the next one */
			*out = NULL;
			break;
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			if (in)
				bp_buf_addstr(&b, cmark_node_get_literal(node));
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			if (in)
				bp_buf_addch(&b, ' ');
			break;
		default:
			break;
		}
	}
out:
	if (rc) {
		bp_free(*out);
		*out = NULL;
	}
	bp_buf_release(&b);
	cmark_iter_free(it);
	if (doc)
		cmark_node_free(doc);
	return rc;
}

/* "law/triaging-reference_questions.md" -> "Triaging reference questions". */
static int title_from_name(char **out, const char *name)
{
	const char *base = strrchr(name, '/'), *dot;
	char *stem = NULL, *p, *t = NULL;
	struct bp_buf b = BP_BUF_INIT;
	size_t len, n;
	unsigned cp;
	int rc = 0;

	*out = NULL;
	base = base ? base + 1 : name;
	dot = strrchr(base, '.');
	len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	if (!(stem = bp_strndup(base, len)))
		return BP_ENOMEM;
	for (p = stem; *p; p++)
		if (*p == '-' || *p == '_')
			*p = ' ';
	if ((rc = tidy_line(&t, stem, len, BP_ARTICLE_MAX_TITLE)))
		goto out;
	if (!*t) {
		*out = bp_strdup("Untitled");
		rc = *out ? 0 : BP_ENOMEM;
		goto out;
	}
	/* Capitalise the first letter, in any script. */
	n = bp_utf8_decode(t, strlen(t), &cp);
	cp = bp_icu_upper(cp);
	if (cp < 0x80) {
		bp_buf_addch(&b, (char)cp);
	} else if (cp < 0x800) {
		bp_buf_addch(&b, (char)(0xC0 | cp >> 6));
		bp_buf_addch(&b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		bp_buf_addch(&b, (char)(0xE0 | cp >> 12));
		bp_buf_addch(&b, (char)(0x80 | (cp >> 6 & 0x3F)));
		bp_buf_addch(&b, (char)(0x80 | (cp & 0x3F)));
	} else {
		bp_buf_addch(&b, (char)(0xF0 | cp >> 18));
		bp_buf_addch(&b, (char)(0x80 | (cp >> 12 & 0x3F)));
		bp_buf_addch(&b, (char)(0x80 | (cp >> 6 & 0x3F)));
		bp_buf_addch(&b, (char)(0x80 | (cp & 0x3F)));
	}
	bp_buf_addstr(&b, t + n);
	if (!(*out = bp_buf_detach(&b, NULL)))
		rc = BP_ENOMEM;
out:
	bp_buf_release(&b);
	bp_free(t);
	bp_free(stem);
	return rc;
}

/* The default sector, else the first folder of the name as a sector, else "general". */
static int derive_sector(char **out, const char *name, const char *default_sector)
{
	const char *slash = strchr(name, '/');
	int rc;

	*out = NULL;
	if (bp_is_valid_sector(default_sector))
		return (*out = bp_strdup(default_sector)) ? 0 : BP_ENOMEM;
	if (slash && slash != name) {
		rc = bp_slug_make(out, name, (size_t)(slash - name), BP_ARTICLE_MAX_SECTOR, NULL);
		if (rc == BP_ENOMEM)
			return rc;
		if (!rc && **out)
			return 0;
		/* Nothing left of the folder's name, or no ICU: not worth failing over. */
		bp_free(*out);
	}
	return (*out = bp_strdup("general")) ? 0 : BP_ENOMEM;
}

static int derive_fields(struct ctx *c, const char *default_sector)
{
	struct bp_article *a = c->a;
	char *v = NULL;
	int rc;

	if (!a->values[F_TITLE]) {
		if ((rc = first_heading_via_cmark(&v, a->body, a->body_len)) ||
		    (!v && (rc = title_from_name(&v, c->name))))
			return bp_error_nomem(c->err);
		if ((rc = put_value(a, F_TITLE, v, c->err)))
			return rc;
	}
	if (!a->values[F_SECTOR]) {
		if (derive_sector(&v, c->name, default_sector))
			return bp_error_nomem(c->err);
		if ((rc = put_value(a, F_SECTOR, v, c->err)))
			return rc;
	}
	return 0;
}

int bp_article_parse(struct bp_article **out, const char *name, const char *text, size_t len,
		     const struct bp_article_opts *opts, struct bp_error *err)
{
	struct bp_article *a = NULL;
	struct bp_error yaml_err;
	struct ctx c;
	int rc;

	*out = NULL;
	if (!text)
		text = "";
	memset(&c, 0, sizeof(c));
	c.name = name;
	c.strict = !opts || (opts->flags & BP_ARTICLE_STRICT);
	c.warn = opts ? opts->warn : NULL;
	c.err = err;
	if (len > BP_ARTICLE_MAX_SIZE)
		return bp_error_set(err, BP_EINVALID, "%s: is larger than %u MiB", name,
				    BP_ARTICLE_MAX_SIZE >> 20);
	if (is_utf16(text, len))
		return bp_error_set(err, BP_EINVALID, "%s: is UTF-16 text; convert it to UTF-8",
				    name);
	if (!(a = bp_calloc(1, sizeof(*a))))
		return bp_error_nomem(err);
	c.a = a;
	if ((rc = take_text(&c, text, len)) || (rc = find_front_matter(&c)))
		goto out;
	a->body = a->text + a->body_start;
	a->body_len = a->text_len - a->body_start;
	a->body_line = line_of(a->text, a->body_start);
	if (a->has_fm) {
		c.fm = a->text + a->fm_start;
		c.fm_len = a->fm_len;
		/* Lenient: a front matter that cannot be read is given up, with a warning. */
		if (!c.strict)
			c.err = &yaml_err;
		rc = read_front_matter(&c);
		c.err = err;
		if (rc == BP_ENOMEM) {
			bp_error_nomem(err);
			goto out;
		}
		if (rc && c.strict)
			goto out;
		if (rc) {
			bp_warn(c.warn, "%s (front matter ignored)", yaml_err.msg);
			forget_front_matter(a);
			rc = 0;
		} else {
			if (c.uncut)
				keep_known_fields(&c);
		}
	}
	if (!c.strict)
		rc = derive_fields(&c, opts->default_sector);
	else if (opts && (opts->flags & BP_ARTICLE_ALLOW_MISSING))
		rc = 0;
	else if (!a->values[F_TITLE])
		rc = problem(&c, 1, "missing 'title'");
	else if (!a->values[F_SECTOR])
		rc = problem(&c, 1, "missing 'sector'");
	if (rc)
		goto out;
	*out = a;
	a = NULL;
out:
	bp_article_free(a);
	return rc;
}

int bp_article_new(struct bp_article **out, struct bp_error *err)
{
	*out = bp_calloc(1, sizeof(**out));
	if (!*out)
		return bp_error_nomem(err);
	(*out)->body = "";
	(*out)->body_line = 1;
	return 0;
}

void bp_article_free(struct bp_article *a)
{
	int f;

	if (!a)
		return;
	entries_free(a);
	for (f = 0; f < F_OTHER; f++)
		bp_free(a->values[f]);
	tags_free(a->tags, a->ntags);
	bp_free(a->own_body);
	bp_free(a->text);
	bp_free(a);
}

/* Getters. */

const char *bp_article_title(const struct bp_article *a)
{
	return a->values[F_TITLE];
}

const char *bp_article_sector(const struct bp_article *a)
{
	return a->values[F_SECTOR];
}

const char *bp_article_author(const struct bp_article *a)
{
	return a->values[F_AUTHOR];
}

const char *bp_article_created(const struct bp_article *a)
{
	return a->values[F_CREATED];
}

const char *bp_article_updated(const struct bp_article *a)
{
	return a->values[F_UPDATED];
}

size_t bp_article_tag_count(const struct bp_article *a)
{
	return a->ntags;
}

const char *bp_article_tag(const struct bp_article *a, size_t i)
{
	return i < a->ntags ? a->tags[i] : NULL;
}

const char *bp_article_body(const struct bp_article *a, size_t *len)
{
	if (len)
		*len = a->body_len;
	return a->body;
}

unsigned bp_article_body_line(const struct bp_article *a)
{
	return a->body_line;
}

int bp_article_has_front_matter(const struct bp_article *a)
{
	return a->has_fm;
}

const char *bp_article_field(const struct bp_article *a, const char *key)
{
	const struct entry *e;
	size_t i, j, klen;

	/* "adopted-from.peer": key "peer" of the mapping under "adopted-from", before a
	 * top-level key written "adopted-from.peer", which cannot stand in for it. */
	for (i = 0; i < a->n; i++) {
		e = &a->entries[i];
		klen = strlen(e->key);
		if (e->dup || e->removed || e->field != F_OTHER || strncmp(key, e->key, klen) ||
		    key[klen] != '.')
			continue;
		for (j = 0; j < e->map_n; j++)
			if (!strcmp(e->map[j].key, key + klen + 1))
				return e->map[j].value;
	}
	e = find_entry(a, key);
	if (e && e->field == F_OTHER && !e->removed)
		return e->is_map ? NULL : e->value;
	return NULL;
}

/* Setters. */

static int set_scalar(struct bp_article *a, enum field f, const char *value, struct bp_error *err)
{
	char msg[BP_ERROR_MAX];
	char *v = NULL;

	if (!value && (f == F_TITLE || f == F_SECTOR))
		return bp_error_set(err, BP_EINVALID, "'%s' is required", field_names[f]);
	if (value) {
		if (invalid_value(f, value, strlen(value), msg, sizeof(msg)))
			return bp_error_set(err, BP_EINVALID, "%s", msg);
		/* The same value again: keep its line as it was written. */
		if (a->values[f] && !strcmp(a->values[f], value))
			return 0;
		if (!(v = bp_strdup(value)))
			return bp_error_nomem(err);
	}
	return put_value(a, f, v, err);
}

int bp_article_set_title(struct bp_article *a, const char *title, struct bp_error *err)
{
	return set_scalar(a, F_TITLE, title, err);
}

int bp_article_set_sector(struct bp_article *a, const char *sector, struct bp_error *err)
{
	return set_scalar(a, F_SECTOR, sector, err);
}

int bp_article_set_author(struct bp_article *a, const char *author, struct bp_error *err)
{
	return set_scalar(a, F_AUTHOR, author, err);
}

int bp_article_set_created(struct bp_article *a, const char *date, struct bp_error *err)
{
	return set_scalar(a, F_CREATED, date, err);
}

int bp_article_set_updated(struct bp_article *a, const char *date, struct bp_error *err)
{
	return set_scalar(a, F_UPDATED, date, err);
}

int bp_article_set_tags(struct bp_article *a, const char *const *tags, size_t n,
			struct bp_error *err)
{
	struct entry *e = find_entry(a, "tags");
	char msg[BP_ERROR_MAX];
	char **copy = NULL;
	size_t i;

	if (!tags && n)
		return bp_error_set(err, BP_EINVALID, "no tags given");
	if (n > BP_ARTICLE_MAX_TAGS)
		return bp_error_set(err, BP_EINVALID, "'tags' has more than %u tags",
				    BP_ARTICLE_MAX_TAGS);
	for (i = 0; i < n; i++) {
		if (invalid_tag(tags[i], strlen(tags[i]), msg, sizeof(msg)))
			return bp_error_set(err, BP_EINVALID, "%s", msg);
		if (has_tag((char *const *)tags, i, tags[i]))
			return bp_error_set(err, BP_EINVALID, "duplicate tag '%s'", tags[i]);
	}
	if (!tags && (!e || e->removed))
		return 0;
	if (tags && e && !e->removed && n == a->ntags) {
		for (i = 0; i < n && !strcmp(tags[i], a->tags[i]); i++)
			;
		if (i == n)
			return 0; /* the same tags: keep the line as it was written */
	}
	if (tags) {
		if (!(copy = bp_calloc(n, sizeof(*copy))))
			goto nomem;
		for (i = 0; i < n; i++)
			if (!(copy[i] = bp_strdup(tags[i])))
				goto nomem;
	}
	if (!e && !(e = add_entry(a, "tags", 4)))
		goto nomem;
	tags_free(a->tags, a->ntags);
	a->tags = copy;
	a->ntags = n;
	e->dirty = 1;
	e->removed = !tags;
	return 0;
nomem:
	tags_free(copy, n);
	return bp_error_nomem(err);
}

int bp_article_set_body(struct bp_article *a, const char *body, size_t len, struct bp_error *err)
{
	char *copy;

	if (len > BP_ARTICLE_MAX_SIZE)
		return bp_error_set(err, BP_EINVALID, "the body is larger than %u MiB",
				    BP_ARTICLE_MAX_SIZE >> 20);
	if (!bp_utf8_valid(body, len, NULL))
		return bp_error_set(err, BP_EINVALID, "the body is not valid UTF-8");
	if (memchr(body, 0, len))
		return bp_error_set(err, BP_EINVALID, "the body contains a NUL byte");
	if (!(copy = bp_strndup(body, len)))
		return bp_error_nomem(err);
	bp_free(a->own_body);
	a->own_body = copy;
	a->body = copy;
	a->body_len = len;
	return 0;
}

static int check_other_key(const char *key, struct bp_error *err)
{
	size_t i, len = strlen(key);

	if (!len || !bp_utf8_valid(key, len, NULL))
		return bp_error_set(err, BP_EINVALID, "invalid key '%s'", key);
	for (i = 0; i < len; i++)
		if ((unsigned char)key[i] < 0x20 || key[i] == 0x7F)
			return bp_error_set(err, BP_EINVALID, "invalid key '%s'", key);
	if (field_of(key) != F_OTHER)
		return bp_error_set(err, BP_EINVALID, "'%s' has a setter of its own", key);
	return 0;
}

/* Give the unknown key `key` a scalar `value` or `map` (both taken; neither: remove it). */
static int put_other(struct bp_article *a, const char *key, char *value, struct pair *map, size_t n,
		     int is_map, struct bp_error *err)
{
	struct entry *e = find_entry(a, key);

	if (!e && !value && !is_map)
		return 0;
	if (!e && !(e = add_entry(a, key, strlen(key)))) {
		bp_free(value);
		pairs_free(map, n);
		return bp_error_nomem(err);
	}
	entry_clear_value(e);
	e->value = value;
	e->map = map;
	e->map_n = n;
	e->is_map = is_map;
	e->dirty = 1;
	e->removed = !value && !is_map;
	return 0;
}

int bp_article_set_field(struct bp_article *a, const char *key, const char *value,
			 struct bp_error *err)
{
	char *v = NULL;
	int rc;

	if ((rc = check_other_key(key, err)))
		return rc;
	if (value && !bp_utf8_valid(value, strlen(value), NULL))
		return bp_error_set(err, BP_EINVALID, "the value of '%s' is not valid UTF-8", key);
	if (value && !(v = bp_strdup(value)))
		return bp_error_nomem(err);
	return put_other(a, key, v, NULL, 0, 0, err);
}

int bp_article_set_field_map(struct bp_article *a, const char *key, const char *const *keys,
			     const char *const *values, size_t n, struct bp_error *err)
{
	struct pair *map = NULL;
	size_t i;
	int rc;

	if (n && (!keys || !values))
		return bp_error_set(err, BP_EINVALID, "no pairs given for '%s'", key);
	if ((rc = check_other_key(key, err)))
		return rc;
	for (i = 0; i < n; i++)
		if (!*keys[i] || !bp_utf8_valid(keys[i], strlen(keys[i]), NULL) ||
		    !bp_utf8_valid(values[i], strlen(values[i]), NULL))
			return bp_error_set(err, BP_EINVALID, "invalid pair '%s' under '%s'",
					    keys[i], key);
	if (!(map = bp_calloc(n, sizeof(*map))))
		return bp_error_nomem(err);
	for (i = 0; i < n; i++) {
		map[i].key = bp_strdup(keys[i]);
		map[i].value = bp_strdup(values[i]);
		if (!map[i].key || !map[i].value) {
			pairs_free(map, n);
			return bp_error_nomem(err);
		}
	}
	return put_other(a, key, NULL, map, n, 1, err);
}

int bp_article_validate(const struct bp_article *a, const char *name, struct bp_error *err)
{
	char msg[BP_ERROR_MAX];
	size_t i;
	int f;

	for (f = 0; f < F_OTHER; f++) {
		const char *v = a->values[f];

		if (!v && (f == F_TITLE || f == F_SECTOR))
			return bp_error_set(err, BP_EINVALID, "%s: missing '%s'", name,
					    field_names[f]);
		if (v && invalid_value((enum field)f, v, strlen(v), msg, sizeof(msg)))
			return bp_error_set(err, BP_EINVALID, "%s: %s", name, msg);
	}
	for (i = 0; i < a->ntags; i++)
		if (invalid_tag(a->tags[i], strlen(a->tags[i]), msg, sizeof(msg)))
			return bp_error_set(err, BP_EINVALID, "%s: %s", name, msg);
	return 0;
}

/* Writing. */

/*
 * Whether a YAML reader that resolves types (not ours, but other tools reading the same file)
 * would take plain `s` for a null, a boolean or a number rather than a string: such values
 * are quoted. Dates are left plain on purpose.
 */
static int looks_typed(const char *s)
{
	static const char *const words[] = {"",	   "~",	   "null",  "true",  "false",
					    "yes", "no",   "on",    "off",   "y",
					    "n",   ".inf", "-.inf", "+.inf", ".nan"};
	const char *p = s;
	size_t i, n, digits;

	for (i = 0; i < BP_ARRAY_SIZE(words); i++)
		if (!strcasecmp(s, words[i]))
			return 1;
	if (*p == '-' || *p == '+')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'o' || p[1] == 'b') && p[2])
		return strspn(p + 2, "0123456789abcdefABCDEF_") == strlen(p + 2);
	digits = strspn(p, "0123456789_");
	p += digits;
	if (*p == '.') {
		n = strspn(++p, "0123456789_");
		digits += n;
		p += n;
	}
	if (!digits)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p += p[1] == '-' || p[1] == '+' ? 2 : 1;
		if (!(n = strspn(p, "0123456789")))
			return 0;
		p += n;
	}
	return !*p;
}

static int write_out(void *data, unsigned char *buffer, size_t size)
{
	return bp_buf_add(data, buffer, size) == 0;
}

static int emit_event(yaml_emitter_t *em, yaml_event_type_t type)
{
	yaml_event_t ev;
	int ok = 0;

	switch (type) {
	case YAML_STREAM_START_EVENT:
		ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
		break;
	case YAML_STREAM_END_EVENT:
		ok = yaml_stream_end_event_initialize(&ev);
		break;
	case YAML_DOCUMENT_START_EVENT:
		ok = yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
		break;
	case YAML_DOCUMENT_END_EVENT:
		ok = yaml_document_end_event_initialize(&ev, 1);
		break;
	case YAML_MAPPING_START_EVENT:
		ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
							 YAML_BLOCK_MAPPING_STYLE);
		break;
	case YAML_MAPPING_END_EVENT:
		ok = yaml_mapping_end_event_initialize(&ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
		ok = yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							  YAML_FLOW_SEQUENCE_STYLE);
		break;
	case YAML_SEQUENCE_END_EVENT:
		ok = yaml_sequence_end_event_initialize(&ev);
		break;
	default:
		break;
	}
	return ok && yaml_emitter_emit(em, &ev);
}

/* Whether `s` holds one of the line breaks of YAML 1.1 beyond '\n' (unicode_break_at). */
static int has_unicode_break(const char *s)
{
	size_t len = strlen(s), i;
	unsigned cp;

	for (i = 0; i < len; i++)
		if (unicode_break_at(s + i, len - i, &cp))
			return 1;
	return 0;
}

/*
 * A scalar in the style libyaml picks (plain where YAML allows), but quoted when it looks like
 * a number, boolean or null, unless it is a date, which stays plain on purpose; and
 * double-quoted when it holds NEL, LS or PS, which libyaml then writes as the escapes \N, \L
 * and \P rather than as line breaks.
 */
static int emit_scalar(yaml_emitter_t *em, const char *s, int date)
{
	yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
	yaml_event_t ev;

	if (!date && looks_typed(s))
		style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
	if (has_unicode_break(s))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	return yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
					    style) &&
	       yaml_emitter_emit(em, &ev);
}

/* Append the lines of entry `e`, "key: value", written by libyaml. */
static int emit_entry(struct bp_buf *out, const struct bp_article *a, const struct entry *e,
		      struct bp_error *err)
{
	yaml_emitter_t em;
	size_t i;
	int ok, rc = 0;

	if (!yaml_emitter_initialize(&em))
		return bp_error_nomem(err);
	yaml_emitter_set_output(&em, write_out, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	yaml_emitter_set_break(&em, a->crlf ? YAML_CRLN_BREAK : YAML_LN_BREAK);
	ok = emit_event(&em, YAML_STREAM_START_EVENT) &&
	     emit_event(&em, YAML_DOCUMENT_START_EVENT) &&
	     emit_event(&em, YAML_MAPPING_START_EVENT) && emit_scalar(&em, e->key, 0);
	if (ok && e->field == F_TAGS) {
		ok = emit_event(&em, YAML_SEQUENCE_START_EVENT);
		for (i = 0; ok && i < a->ntags; i++)
			ok = emit_scalar(&em, a->tags[i], 0);
		ok = ok && emit_event(&em, YAML_SEQUENCE_END_EVENT);
	} else if (ok && e->field == F_OTHER && e->is_map) {
		ok = emit_event(&em, YAML_MAPPING_START_EVENT);
		for (i = 0; ok && i < e->map_n; i++)
			ok = emit_scalar(&em, e->map[i].key, 0) &&
			     emit_scalar(&em, e->map[i].value, 0);
		ok = ok && emit_event(&em, YAML_MAPPING_END_EVENT);
	} else if (ok) {
		ok = emit_scalar(&em, e->field == F_OTHER ? e->value : a->values[e->field],
				 e->field == F_CREATED || e->field == F_UPDATED);
	}
	ok = ok && emit_event(&em, YAML_MAPPING_END_EVENT) &&
	     emit_event(&em, YAML_DOCUMENT_END_EVENT) && emit_event(&em, YAML_STREAM_END_EVENT);
	if (!ok && em.error == YAML_EMITTER_ERROR)
		rc = bp_error_set(err, BP_EINVALID, "cannot write '%s': %s", e->key, em.problem);
	else if (!ok)
		rc = bp_error_nomem(err); /* the emitter's allocation, or our buffer's */
	yaml_emitter_delete(&em);
	return rc;
}

/*
 * Append the comments and blank lines that follow a rewritten or removed entry. They were read
 * after that entry's value, and libyaml reads a tab in a line's leading blanks as blank after a
 * plain scalar but as an error after anything else (a quoted scalar, a ']'), so written after
 * another value they could make the front matter unreadable: those tabs become spaces.
 */
static void add_trailing(struct bp_buf *b, const char *s, size_t len)
{
	size_t i = 0, n;
	int lead = 1;

	while (i < len) {
		if ((n = break_at(s, len, i))) {
			bp_buf_add(b, s + i, n);
			lead = 1;
			i += n;
			continue;
		}
		lead &= s[i] == ' ' || s[i] == '\t';
		bp_buf_addch(b, lead && s[i] == '\t' ? ' ' : s[i]);
		i++;
	}
}

int bp_article_serialize(char **out, size_t *out_len, const struct bp_article *a,
			 struct bp_error *err)
{
	struct bp_buf b = BP_BUF_INIT;
	const char *fm = a->text ? a->text + a->fm_start : "", *eol = a->crlf ? "\r\n" : "\n";
	const struct entry *e;
	size_t i, pos = 0, close_len;
	int f, rc = 0;

	*out = NULL;
	if (a->has_fm)
		bp_buf_add(&b, a->text, a->fm_start); /* BOM and opening line, as they were */
	else
		bp_buf_addstr(&b, "---\n");
	/* The entries that were read, in their order, each as it was unless it changed. */
	for (i = 0; i < a->n; i++) {
		e = &a->entries[i];
		if (!e->orig)
			continue;
		bp_buf_add(&b, fm + pos, e->start - pos);
		if (!e->dirty) {
			bp_buf_add(&b, fm + e->start, e->end - e->start);
		} else {
			if (!e->removed && (rc = emit_entry(&b, a, e, err)))
				goto out;
			add_trailing(&b, fm + e->value_end, e->end - e->value_end);
		}
		pos = e->end;
	}
	bp_buf_add(&b, fm + pos, a->fm_len - pos);
	/* New entries: the known fields in their order, then the others as they came. */
	for (f = 0; f <= F_OTHER; f++) {
		for (i = 0; i < a->n; i++) {
			e = &a->entries[i];
			if (e->field != (enum field)f || e->removed || e->orig)
				continue;
			if ((rc = emit_entry(&b, a, e, err)))
				goto out;
		}
	}
	if (a->has_fm) {
		close_len = a->body_start - a->close_start;
		bp_buf_add(&b, a->text + a->close_start, close_len);
		/* "---" at the very end of a file that now has a body. */
		if (a->body_len && a->text[a->close_start + close_len - 1] != '\n')
			bp_buf_addstr(&b, eol);
	} else {
		bp_buf_addstr(&b, "---\n");
	}
	bp_buf_add(&b, a->body, a->body_len);
	if (bp_buf_oom(&b)) {
		rc = bp_error_nomem(err);
		goto out;
	}
	*out = bp_buf_detach(&b, out_len);
out:
	bp_buf_release(&b);
	return rc;
}
