/*
 * Queries: what a user types, tokenized, parsed by recursive descent into a small tree, and
 * written out as an FTS5 expression that is valid whatever the input was.
 *
 *     or_expr  := and_expr ('OR' and_expr)*
 *     and_expr := unary (['AND'] unary)*
 *     unary    := ('-' | 'NOT') primary | primary
 *     primary  := '(' or_expr ')' | FIELD ':' (term | '(' or_expr ')') | term
 *     term     := WORD | WORD '*' | '"' phrase '"'
 *
 * Only upper-case OR, AND and NOT are operators ("or" is a word); NOT is a synonym of a
 * leading '-', which must touch its operand ("- a" is an error). A FIELD is title, tag, tags,
 * sector or author in any case, then ':' (blanks may follow the colon); any other word with
 * a colon ("e-mail:", "http://x") is a word. A field inside a field's group applies to its
 * own operand: title:(a tag:b) is title a, tag b. A word that has no letter or digit at all
 * ("!!!", "*", "&") is left out, as FTS5 would make an empty phrase of it that matches
 * nothing and so empties an AND.
 *
 * What FTS5 gets does not lean on its precedence rules: every AND, OR and NOT group has its
 * own parentheses, a word or phrase is always a quoted string ("tok", quotes doubled; a
 * prefix keeps its '*' outside), and a field filter is written on each string it covers
 * (`title : "a"`), the oldest form FTS5 knows. FTS5's NOT is binary, so a group with
 * exclusions becomes `(P NOT N)` with P the AND of its words and N the OR of the excluded
 * ones. FTS5's parser has a fixed stack (about 100 entries: 17 levels of `("b" OR ("a" AND
 * ...))` overflow it), so each AND and OR lists its most deeply nested operand first, which
 * leaves fewer tokens per level waiting on that stack; t-query runs the heaviest shapes at
 * the bounds of bp/query.h, and random ones, through SQLite.
 */
#include <string.h>
#include <strings.h>


#include "bp/query.h"
#include "icu.h"
#include "util.h"
#include "vocab.h"

enum tok_type { T_END, T_WORD, T_PHRASE, T_LPAREN, T_RPAREN, T_MINUS, T_NOT, T_AND, T_OR, T_FIELD };

struct token {
	enum tok_type type;
	const char *s; /* a word (without its '*'s), a phrase's content, a field's name */
	size_t len;
	int prefix;         /* a word that ended in '*' */
	const char *column; /* a field's FTS5 column */
};

#define NONE (-1) /* no node: the operand had no word to search for */

enum node_type { N_TERM, N_AND, N_OR };

struct node {
	enum node_type type;
	int neg;         /* an excluded operand of its AND */
	int first, next; /* children (prepended: last operand first); next sibling */
	unsigned npos, nneg; /* children kept and excluded */
	unsigned depth;      /* parentheses around the deepest string, once written */
	/* A term: */
	const struct token *tok;
	const char *column; /* NULL: every column */
	long group;         /* the vocabulary group it expands to, or -1 */
	long same;          /* the term of that group that is the word itself, or -1 */
};

struct expansion {
	char *word;
	char *group;
};

struct bp_query {
	char *fts;
	struct expansion *exp;
	size_t nexp, exp_cap;
};

struct parser {
	struct token *toks;
	size_t ntoks, pos;
	struct node *nodes;
	size_t nnodes, nodes_cap;
	const struct bp_vocab *vocab;
	unsigned flags;
	struct bp_query *q;
	struct bp_buf key, candidate; /* scratch for vocabulary lookups */
	struct bp_error *err;
};

static const struct {
	const char *name;
	const char *column;
} fields[] = {
	{"title", "title"},   {"tag", "tags"},       {"tags", "tags"},
	{"sector", "sector"}, {"author", "author"},
};

static int invalid(struct parser *p, const char *msg)
{
	return bp_error_set(p->err, BP_EINVALID, "%s", msg);
}

/* Blanks and control characters separate words. */
static int is_sep(char c)
{
	return (unsigned char)c <= ' ' || c == 0x7f;
}

static int ends_word(char c)
{
	return is_sep(c) || c == '(' || c == ')' || c == '"';
}

static const char *field_column(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < BP_ARRAY_SIZE(fields); i++)
		if (strlen(fields[i].name) == len && !strncasecmp(s, fields[i].name, len))
			return fields[i].column;
	return NULL;
}

static int tokenize(struct parser *p, const char *text, size_t len)
{
	size_t i = 0, j;
	const char *end, *colon;
	struct token *t;

	while (i < len) {
		if (is_sep(text[i])) {
			i++;
			continue;
		}
		t = &p->toks[p->ntoks++];
		memset(t, 0, sizeof(*t));
		switch (text[i]) {
		case '(':
			t->type = T_LPAREN;
			i++;
			continue;
		case ')':
			t->type = T_RPAREN;
			i++;
			continue;
		case '"':
			if (!(end = memchr(text + i + 1, '"', len - i - 1)))
				return invalid(p, "unterminated quote");
			t->type = T_PHRASE;
			t->s = text + i + 1;
			t->len = (size_t)(end - t->s);
			i = (size_t)(end - text) + 1;
			continue;
		case '-':
			if (i + 1 == len || is_sep(text[i + 1]))
				return invalid(p, "'-' must be followed by a word");
			t->type = T_MINUS;
			i++;
			continue;
		}
		for (j = i; j < len && !ends_word(text[j]); j++)
			;
		t->s = text + i;
		t->len = j - i;
		colon = memchr(t->s, ':', t->len);
		if (colon && (t->column = field_column(t->s, (size_t)(colon - t->s)))) {
			/* What follows the colon is read afresh: a word, "phrase" or (group). */
			t->type = T_FIELD;
			t->len = (size_t)(colon - t->s);
			i += t->len + 1;
			continue;
		}
		i = j;
		if (t->len == 2 && !memcmp(t->s, "OR", 2))
			t->type = T_OR;
		else if (t->len == 3 && !memcmp(t->s, "AND", 3))
			t->type = T_AND;
		else if (t->len == 3 && !memcmp(t->s, "NOT", 3))
			t->type = T_NOT;
		else
			t->type = T_WORD;
		while (t->type == T_WORD && t->len && t->s[t->len - 1] == '*') {
			t->len--;
			t->prefix = 1;
		}
	}
	p->toks[p->ntoks].type = T_END;
	return 0;
}

/* The bounds of bp/query.h, and balanced parentheses, before any parsing. */
static int check_bounds(struct parser *p)
{
	size_t i, terms = 0;
	int depth = 0, max = 0;

	for (i = 0; i < p->ntoks; i++) {
		switch (p->toks[i].type) {
		case T_WORD:
		case T_PHRASE:
			terms++;
			break;
		case T_LPAREN:
			if (++depth > max)
				max = depth;
			break;
		case T_RPAREN:
			if (--depth < 0)
				return invalid(p, "unbalanced ')'");
			break;
		default:
			break;
		}
	}
	if (depth)
		return invalid(p, "unbalanced '('");
	if (terms > BP_QUERY_MAX_TERMS)
		return bp_error_set(p->err, BP_EINVALID, "query has too many words (at most %d)",
				    BP_QUERY_MAX_TERMS);
	if (max > BP_QUERY_MAX_DEPTH)
		return bp_error_set(p->err, BP_EINVALID,
				    "query nests parentheses too deeply (at most %d)",
				    BP_QUERY_MAX_DEPTH);
	return 0;
}

static enum tok_type peek(const struct parser *p)
{
	return p->toks[p->pos].type;
}

static int starts_primary(enum tok_type t)
{
	return t == T_WORD || t == T_PHRASE || t == T_LPAREN || t == T_FIELD;
}

static int new_node(struct parser *p, enum node_type type, int *out)
{
	struct node *n;

	if (p->nnodes == p->nodes_cap) {
		size_t cap = p->nodes_cap ? 2 * p->nodes_cap : 16;

		if (!(n = bp_realloc(p->nodes, cap * sizeof(*n))))
			return bp_error_nomem(p->err);
		p->nodes = n;
		p->nodes_cap = cap;
	}
	n = &p->nodes[p->nnodes];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->first = n->next = NONE;
	n->group = n->same = -1;
	*out = (int)p->nnodes++;
	return 0;
}

/* Prepend `child` to the children of `parent` (order is decided when writing). */
static void adopt(struct parser *p, int parent, int child, int neg)
{
	if (neg)
		p->nodes[parent].nneg++;
	else
		p->nodes[parent].npos++;
	p->nodes[child].neg = neg;
	p->nodes[child].next = p->nodes[parent].first;
	p->nodes[parent].first = child;
}

/* Whether FTS5's unicode61 tokenizer finds a token in the text: a letter or a digit. */
static int has_token_char(const char *s, size_t len)
{
	size_t i = 0, n;
	unsigned cp;

	while (i < len) {
		if (!(n = bp_utf8_decode(s + i, len - i, &cp)))
			return 0; /* text was checked as UTF-8 */
		if (bp_icu_is_token_char(cp))
			return 1;
		i += n;
	}
	return 0;
}

static int add_expansion(struct parser *p, const struct token *t, long group)
{
	const char *name = bp_vocab_group_name(p->vocab, (size_t)group);
	struct bp_query *q = p->q;
	struct expansion *e;
	size_t i;

	for (i = 0; i < q->nexp; i++)
		if (strlen(q->exp[i].word) == t->len && !memcmp(q->exp[i].word, t->s, t->len) &&
		    !strcmp(q->exp[i].group, name))
			return 0;
	if (q->nexp == q->exp_cap) {
		size_t cap = q->exp_cap ? 2 * q->exp_cap : 4;

		if (!(e = bp_realloc(q->exp, cap * sizeof(*e))))
			return bp_error_nomem(p->err);
		q->exp = e;
		q->exp_cap = cap;
	}
	e = &q->exp[q->nexp];
	e->word = bp_strndup(t->s, t->len);
	e->group = bp_strdup(name);
	if (!e->word || !e->group) {
		bp_free(e->word);
		bp_free(e->group);
		return bp_error_nomem(p->err);
	}
	q->nexp++;
	return 0;
}

/*
 * The vocabulary group of a word or phrase: by its key as it is, else without a plural
 * ending ("patrons" -> "patron", "classes" -> "class", "libraries" -> "library"). *same is
 * the group's term that is the word itself (so that it is not written twice), or -1.
 */
static int find_group(struct parser *p, const struct token *t, long *group, long *same)
{
	static const struct {
		const char *end, *repl;
	} plurals[] = {{"", ""}, {"s", ""}, {"es", ""}, {"ies", "y"}};
	struct bp_buf *k = &p->key, *c = &p->candidate;
	size_t i, e, term;

	*group = *same = -1;
	bp_buf_truncate(k, 0);
	if (bp_vocab_fold(k, t->s, t->len))
		return bp_error_nomem(p->err);
	for (i = 0; i < BP_ARRAY_SIZE(plurals) && *group < 0; i++) {
		e = strlen(plurals[i].end);
		/* An ending leaves two characters at least: "is" is no plural of "i". */
		if (k->len < e + (e ? 2 : 1) || memcmp(k->ptr + k->len - e, plurals[i].end, e))
			continue;
		bp_buf_truncate(c, 0);
		bp_buf_add(c, k->ptr, k->len - e);
		if (bp_buf_addstr(c, plurals[i].repl))
			return bp_error_nomem(p->err);
		*group = bp_vocab_lookup(p->vocab, c->ptr, &term);
		if (*group >= 0 && i == 0)
			*same = (long)term;
	}
	return 0;
}

static int parse_term(struct parser *p, const char *column, int *out)
{
	const struct token *t = &p->toks[p->pos++];
	long group = -1, same = -1;
	int ret;

	*out = NONE;
	if (!has_token_char(t->s, t->len))
		return 0;
	if (p->vocab && !t->prefix && !(p->flags & BP_QUERY_EXACT)) {
		if ((ret = find_group(p, t, &group, &same)))
			return ret;
		if (group >= 0 && (ret = add_expansion(p, t, group)))
			return ret;
	}
	if ((ret = new_node(p, N_TERM, out)))
		return ret;
	p->nodes[*out].tok = t;
	p->nodes[*out].column = column;
	p->nodes[*out].group = group;
	p->nodes[*out].same = same;
	return 0;
}

static int parse_or(struct parser *p, const char *column, int *out);

static int parse_primary(struct parser *p, const char *column, int *out)
{
	const struct token *t = &p->toks[p->pos];
	int ret;

	*out = NONE;
	switch (t->type) {
	case T_WORD:
	case T_PHRASE:
		return parse_term(p, column, out);
	case T_LPAREN:
		p->pos++;
		if (peek(p) == T_RPAREN)
			return invalid(p, "empty parentheses");
		if ((ret = parse_or(p, column, out)))
			return ret;
		if (peek(p) != T_RPAREN)
			return invalid(p, "unbalanced '('");
		p->pos++;
		return 0;
	case T_FIELD:
		/* A field inside a field's group applies to its own operand instead. */
		p->pos++;
		if (!starts_primary(peek(p)) || peek(p) == T_FIELD)
			return bp_error_set(p->err, BP_EINVALID, "'%.*s:' must be followed by a word",
					    (int)t->len, t->s);
		return parse_primary(p, t->column, out);
	default:
		return invalid(p, "a word is missing");
	}
}

/* An AND group: its operands, some excluded. *seen counts the operands, even empty ones. */
static int parse_and(struct parser *p, const char *column, int *out, int *seen)
{
	int group = NONE, child = NONE, last = NONE, npos = 0, nneg = 0, neg, ret;
	enum tok_type t;

	*out = NONE;
	*seen = 0;
	for (;;) {
		t = peek(p);
		if (t == T_AND) {
			p->pos++;
			if (!*seen || !(starts_primary(peek(p)) || peek(p) == T_MINUS ||
					peek(p) == T_NOT))
				return invalid(p, "'AND' needs a word on each side");
			continue;
		}
		if (!starts_primary(t) && t != T_MINUS && t != T_NOT)
			break;
		neg = t == T_MINUS || t == T_NOT;
		if (neg) {
			p->pos++;
			if (!starts_primary(peek(p)))
				return invalid(p, t == T_NOT ? "'NOT' must be followed by a word"
							     : "'-' must be followed by a word");
		}
		if ((ret = parse_primary(p, column, &child)))
			return ret;
		++*seen;
		if (child == NONE)
			continue;
		if (neg)
			nneg++;
		else
			npos++;
		if (last != NONE && group == NONE) {
			if ((ret = new_node(p, N_AND, &group)))
				return ret;
			adopt(p, group, last, p->nodes[last].neg);
		}
		if (group != NONE)
			adopt(p, group, child, neg);
		else
			p->nodes[child].neg = neg;
		last = child;
	}
	if (nneg && !npos)
		return invalid(p, "a query must contain a word that is not excluded");
	if (npos)
		*out = group != NONE ? group : last;
	return 0;
}

static int parse_or(struct parser *p, const char *column, int *out)
{
	int group = NONE, child, seen, ret;

	if ((ret = parse_and(p, column, out, &seen)))
		return ret;
	if (peek(p) != T_OR)
		return 0;
	if (!seen)
		return invalid(p, "'OR' needs a word on each side");
	if ((ret = new_node(p, N_OR, &group)))
		return ret;
	if (*out != NONE)
		adopt(p, group, *out, 0);
	while (peek(p) == T_OR) {
		p->pos++;
		if ((ret = parse_and(p, column, &child, &seen)))
			return ret;
		if (!seen)
			return invalid(p, "'OR' needs a word on each side");
		if (child != NONE)
			adopt(p, group, child, 0);
	}
	/* An OR of one operand (the others had no word) is that operand. */
	*out = p->nodes[group].first;
	if (*out != NONE && p->nodes[*out].next != NONE)
		*out = group;
	return 0;
}

/* The nesting each node will be written with, so that groups can list their deepest first. */
static unsigned measure(struct parser *p, int i)
{
	struct node *n = &p->nodes[i];
	unsigned pos = 0, neg = 0, d;
	int c;

	if (n->type == N_TERM)
		return n->depth = n->group >= 0;
	for (c = n->first; c != NONE; c = p->nodes[c].next) {
		d = measure(p, c);
		if (p->nodes[c].neg)
			neg = d > neg ? d : neg;
		else
			pos = d > pos ? d : pos;
	}
	pos += n->npos > 1;
	neg += n->nneg > 1;
	return n->depth = n->nneg ? 1 + (pos > neg ? pos : neg) : pos;
}

static void add_string(struct bp_buf *b, const char *column, const char *s, size_t len,
		       int prefix)
{
	size_t i;

	if (column) {
		bp_buf_addstr(b, column);
		bp_buf_addstr(b, " : ");
	}
	bp_buf_addch(b, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			bp_buf_addch(b, '"');
		bp_buf_addch(b, s[i]);
	}
	bp_buf_addch(b, '"');
	if (prefix)
		bp_buf_addch(b, '*');
}

/* A term: its string, or the strings of its vocabulary group (the word as typed first). */
static void write_term(struct parser *p, struct bp_buf *b, const struct node *n)
{
	const struct token *t = n->tok;
	size_t i, count;

	if (n->group < 0) {
		add_string(b, n->column, t->s, t->len, t->prefix);
		return;
	}
	bp_buf_addch(b, '(');
	add_string(b, n->column, t->s, t->len, 0);
	count = bp_vocab_term_count(p->vocab, (size_t)n->group);
	for (i = 0; i < count; i++) {
		const char *term = bp_vocab_term(p->vocab, (size_t)n->group, i);

		if ((long)i == n->same)
			continue;
		bp_buf_addstr(b, " OR ");
		add_string(b, n->column, term, strlen(term), 0);
	}
	bp_buf_addch(b, ')');
}

static void write_node(struct parser *p, struct bp_buf *b, int i);

/*
 * Write the children of `i` that are (or are not) excluded, deepest first, joined by `op`,
 * in parentheses when there are several.
 */
static void write_children(struct parser *p, struct bp_buf *b, int i, int neg, const char *op)
{
	int kids[BP_QUERY_MAX_TERMS], c;
	size_t n = 0, j, k;

	for (c = p->nodes[i].first; c != NONE && n < BP_ARRAY_SIZE(kids); c = p->nodes[c].next) {
		if (p->nodes[c].neg != neg)
			continue;
		/* Insertion sort, stable: the user's order among equals. Children were prepended. */
		for (j = n; j > 0 && p->nodes[kids[j - 1]].depth <= p->nodes[c].depth; j--)
			kids[j] = kids[j - 1];
		kids[j] = c;
		n++;
	}
	if (n > 1)
		bp_buf_addch(b, '(');
	for (k = 0; k < n; k++) {
		if (k)
			bp_buf_addstr(b, op);
		write_node(p, b, kids[k]);
	}
	if (n > 1)
		bp_buf_addch(b, ')');
}

static void write_node(struct parser *p, struct bp_buf *b, int i)
{
	const struct node *n = &p->nodes[i];

	switch (n->type) {
	case N_TERM:
		write_term(p, b, n);
		break;
	case N_OR:
		write_children(p, b, i, 0, " OR ");
		break;
	case N_AND:
		if (!n->nneg) {
			write_children(p, b, i, 0, " AND ");
			break;
		}
		bp_buf_addch(b, '(');
		write_children(p, b, i, 0, " AND ");
		bp_buf_addstr(b, " NOT ");
		write_children(p, b, i, 1, " OR ");
		bp_buf_addch(b, ')');
		break;
	}
}

static int parse(struct parser *p, const char *text)
{
	struct bp_buf b = BP_BUF_INIT;
	size_t len = strnlen(text, BP_QUERY_MAX_BYTES + 1); /* a huge text is not even read */
	int root, ret;

	if (len > BP_QUERY_MAX_BYTES)
		return bp_error_set(p->err, BP_EINVALID, "query is too long (at most %d bytes)",
				    BP_QUERY_MAX_BYTES);
	if (!bp_utf8_valid(text, len, NULL))
		return invalid(p, "query is not valid UTF-8");
	if (!(p->toks = bp_calloc(len + 1, sizeof(*p->toks))))
		return bp_error_nomem(p->err);
	if ((ret = tokenize(p, text, len)) || (ret = check_bounds(p)))
		return ret;
	if (peek(p) == T_END)
		return invalid(p, "empty query");
	if ((ret = parse_or(p, NULL, &root)))
		return ret;
	if (peek(p) != T_END) /* parse_or stops at ')' or the end: check_bounds saw a ')' */
		return invalid(p, "unbalanced ')'");
	if (root == NONE)
		return invalid(p, "query has no words to search for");
	measure(p, root);
	write_node(p, &b, root);
	if (!(p->q->fts = bp_buf_detach(&b, NULL)))
		return bp_error_nomem(p->err);
	return 0;
}

int bp_query_parse(struct bp_query **out, const char *text, const struct bp_vocab *vocab,
		   unsigned flags, struct bp_error *err)
{
	struct parser p;
	int ret;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.vocab = vocab;
	p.flags = flags;
	p.err = err;
	if (!text)
		return bp_error_set(err, BP_EINVALID, "empty query");
	if (!(p.q = bp_calloc(1, sizeof(*p.q))))
		return bp_error_nomem(err);
	if (!(ret = parse(&p, text))) {
		*out = p.q;
		p.q = NULL;
	}
	bp_query_free(p.q);
	bp_free(p.toks);
	bp_free(p.nodes);
	bp_buf_release(&p.key);
	bp_buf_release(&p.candidate);
	return ret;
}

void bp_query_free(struct bp_query *q)
{
	size_t i;

	if (!q)
		return;
	for (i = 0; i < q->nexp; i++) {
		bp_free(q->exp[i].word);
		bp_free(q->exp[i].group);
	}
	bp_free(q->exp);
	bp_free(q->fts);
	bp_free(q);
}

const char *bp_query_fts(const struct bp_query *q)
{
	return q->fts;
}

size_t bp_query_expansion_count(const struct bp_query *q)
{
	return q->nexp;
}

void bp_query_expansion(const struct bp_query *q, size_t i, const char **word,
			const char **group)
{
	*word = q->exp[i].word;
	*group = q->exp[i].group;
}
