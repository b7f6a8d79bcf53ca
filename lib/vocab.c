/*
 * The vocabulary: groups of terms that name one thing in different sectors (patron, client,
 * patient), read from YAML with libyaml's event parser, and looked up by the query parser
 * through a sorted index of case-folded keys.
 */
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>
#include <yaml.h>

#include "vocab.h"

#define MAX_GROUPS 1000
#define MAX_TERMS 100
#define MAX_TERM_BYTES 100

struct term {
	char *text; /* as written */
	char *key;  /* bp_vocab_fold() of it */
};

struct group {
	char *name;
	struct term *terms;
	size_t nterms, cap;
};

struct entry {
	const char *key;
	size_t group, term;
};

struct bp_vocab {
	struct group *groups;
	size_t ngroups, cap;
	struct entry *index; /* every term, by key, then by group and term */
	size_t nindex;
};

/* libyaml's parser, its current event, and what messages need. */
struct reader {
	yaml_parser_t parser;
	yaml_event_t ev;
	int have_event;
	const char *name;
	struct bp_error *err;
};

static int is_blank(unsigned cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r';
}

int bp_vocab_fold(struct bp_buf *b, const char *s, size_t len)
{
	size_t i = 0, n, start = b->len;
	int space = 0;
	unsigned cp;

	while (i < len) {
		uint8_t enc[U8_MAX_LENGTH];
		int32_t k = 0;

		n = bp_utf8_decode(s + i, len - i, &cp);
		if (!n) {
			/* Not UTF-8: compared byte for byte. */
			bp_buf_add(b, s + i, 1);
			i++;
			continue;
		}
		i += n;
		if (is_blank(cp)) {
			space = b->len > start;
			continue;
		}
		if (space)
			bp_buf_addch(b, ' ');
		space = 0;
		U8_APPEND_UNSAFE(enc, k, u_foldCase((UChar32)cp, U_FOLD_CASE_DEFAULT));
		bp_buf_add(b, enc, (size_t)k);
	}
	if (!b->ptr)
		bp_buf_add(b, "", 0);
	return bp_buf_oom(b) ? BP_ENOMEM : 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->term < y->term ? -1 : x->term > y->term;
}

long bp_vocab_lookup(const struct bp_vocab *v, const char *key, size_t *term)
{
	size_t lo = 0, hi = v ? v->nindex : 0;

	/* The first entry not below `key`. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(v->index[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!v || lo == v->nindex || strcmp(v->index[lo].key, key))
		return -1;
	*term = v->index[lo].term;
	return (long)v->index[lo].group;
}

size_t bp_vocab_group_count(const struct bp_vocab *v)
{
	return v ? v->ngroups : 0;
}

const char *bp_vocab_group_name(const struct bp_vocab *v, size_t i)
{
	return v->groups[i].name;
}

size_t bp_vocab_term_count(const struct bp_vocab *v, size_t group)
{
	return v->groups[group].nterms;
}

const char *bp_vocab_term(const struct bp_vocab *v, size_t group, size_t i)
{
	return v->groups[group].terms[i].text;
}

const char *bp_vocab_term_key(const struct bp_vocab *v, size_t group, size_t i)
{
	return v->groups[group].terms[i].key;
}

void bp_vocab_free(struct bp_vocab *v)
{
	size_t g, t;

	if (!v)
		return;
	for (g = 0; g < v->ngroups; g++) {
		for (t = 0; t < v->groups[g].nterms; t++) {
			bp_free(v->groups[g].terms[t].text);
			bp_free(v->groups[g].terms[t].key);
		}
		bp_free(v->groups[g].terms);
		bp_free(v->groups[g].name);
	}
	bp_free(v->groups);
	bp_free(v->index);
	bp_free(v);
}

/* Make room in *arr (n items of `size` bytes, room for *cap) for one more. */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? 2 * *cap : 8;
	void *p;

	if (n < *cap)
		return 0;
	if (!(p = bp_realloc(*arr, c * size)))
		return BP_ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

static unsigned long line_of(const struct reader *r)
{
	return (unsigned long)r->ev.start_mark.line + 1;
}

/* Read the next event; a YAML error becomes "name:line: problem". */
static int next_event(struct reader *r)
{
	if (r->have_event)
		yaml_event_delete(&r->ev);
	r->have_event = 0;
	if (!yaml_parser_parse(&r->parser, &r->ev)) {
		if (r->parser.error == YAML_MEMORY_ERROR)
			return bp_error_nomem(r->err);
		return bp_error_set(r->err, BP_EINVALID, "%s:%lu: %s", r->name,
				    (unsigned long)r->parser.problem_mark.line + 1,
				    r->parser.problem ? r->parser.problem : "invalid YAML");
	}
	r->have_event = 1;
	if (r->ev.type == YAML_ALIAS_EVENT)
		return bp_error_set(r->err, BP_EINVALID, "%s:%lu: YAML aliases are not allowed here",
				    r->name, line_of(r));
	return 0;
}

static const char *scalar(const struct reader *r, size_t *len)
{
	*len = r->ev.data.scalar.length;
	return (const char *)r->ev.data.scalar.value;
}

/* Add the term in the current (scalar) event to group g. */
static int add_term(struct reader *r, struct group *g)
{
	struct bp_buf key = BP_BUF_INIT;
	size_t len, i;
	const char *s = scalar(r, &len);
	char *term = NULL;

	if (g->nterms == MAX_TERMS)
		return bp_error_set(r->err, BP_EINVALID, "%s:%lu: '%s' has more than %d terms",
				    r->name, line_of(r), g->name, MAX_TERMS);
	if (len > MAX_TERM_BYTES)
		return bp_error_set(r->err, BP_EINVALID,
				    "%s:%lu: a term of '%s' is longer than %d bytes", r->name,
				    line_of(r), g->name, MAX_TERM_BYTES);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return bp_error_set(r->err, BP_EINVALID,
					    "%s:%lu: a term of '%s' must be one line of text",
					    r->name, line_of(r), g->name);
	if (bp_vocab_fold(&key, s, len))
		goto nomem;
	if (!key.len) {
		bp_buf_release(&key);
		return bp_error_set(r->err, BP_EINVALID, "%s:%lu: '%s' has an empty term", r->name,
				    line_of(r), g->name);
	}
	if (grow((void **)&g->terms, &g->cap, g->nterms, sizeof(*g->terms)) ||
	    !(term = bp_strndup(s, len)))
		goto nomem;
	g->terms[g->nterms].text = term;
	g->terms[g->nterms].key = bp_buf_detach(&key, NULL);
	g->nterms++;
	return 0;
nomem:
	bp_buf_release(&key);
	return bp_error_nomem(r->err);
}

/* A group: its name in the current (scalar) event, then a sequence of terms. */
static int add_group(struct reader *r, struct bp_vocab *v)
{
	struct group *g;
	size_t len, i;
	const char *s = scalar(r, &len);
	unsigned long line = line_of(r);
	int ret;

	if (!len)
		return bp_error_set(r->err, BP_EINVALID, "%s:%lu: a group needs a name", r->name,
				    line);
	/* As for terms: a NUL would also cut the name short, making it empty or a duplicate. */
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return bp_error_set(r->err, BP_EINVALID,
					    "%s:%lu: a group name must be one line of text", r->name,
					    line);
	if (v->ngroups == MAX_GROUPS)
		return bp_error_set(r->err, BP_EINVALID, "%s:%lu: more than %d groups", r->name,
				    line, MAX_GROUPS);
	for (i = 0; i < v->ngroups; i++)
		if (strlen(v->groups[i].name) == len && !memcmp(v->groups[i].name, s, len))
			return bp_error_set(r->err, BP_EINVALID, "%s:%lu: group '%s' appears twice",
					    r->name, line, v->groups[i].name);
	if (grow((void **)&v->groups, &v->cap, v->ngroups, sizeof(*v->groups)))
		return bp_error_nomem(r->err);
	g = &v->groups[v->ngroups];
	memset(g, 0, sizeof(*g));
	if (!(g->name = bp_strndup(s, len)))
		return bp_error_nomem(r->err);
	v->ngroups++;
	if ((ret = next_event(r)))
		return ret;
	if (r->ev.type != YAML_SEQUENCE_START_EVENT)
		return bp_error_set(r->err, BP_EINVALID, "%s:%lu: '%s' must be a list of terms",
				    r->name, line_of(r), g->name);
	for (;;) {
		if ((ret = next_event(r)))
			return ret;
		if (r->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (r->ev.type != YAML_SCALAR_EVENT)
			return bp_error_set(r->err, BP_EINVALID,
					    "%s:%lu: a term of '%s' must be a string", r->name,
					    line_of(r), g->name);
		if ((ret = add_term(r, g)))
			return ret;
	}
	if (!g->nterms)
		return bp_error_set(r->err, BP_EINVALID, "%s:%lu: '%s' has no terms", r->name, line,
				    g->name);
	return 0;
}

/* The stream: nothing at all, or one document holding a mapping of groups. */
static int read_vocab(struct reader *r, struct bp_vocab *v)
{
	int ret;

	if ((ret = next_event(r)) || (ret = next_event(r))) /* the stream's start, then... */
		return ret;
	if (r->ev.type == YAML_STREAM_END_EVENT)
		return 0;
	if ((ret = next_event(r))) /* ...the document's start, then its node */
		return ret;
	if (r->ev.type == YAML_SCALAR_EVENT && !r->ev.data.scalar.length)
		goto end; /* "---" and nothing else */
	if (r->ev.type != YAML_MAPPING_START_EVENT)
		return bp_error_set(r->err, BP_EINVALID,
				    "%s:%lu: a vocabulary must map group names to lists of terms",
				    r->name, line_of(r));
	for (;;) {
		if ((ret = next_event(r)))
			return ret;
		if (r->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (r->ev.type != YAML_SCALAR_EVENT)
			return bp_error_set(r->err, BP_EINVALID,
					    "%s:%lu: a group name must be a string", r->name,
					    line_of(r));
		if ((ret = add_group(r, v)))
			return ret;
	}
end:
	if ((ret = next_event(r)) || (ret = next_event(r))) /* the document's end, then... */
		return ret;
	if (r->ev.type != YAML_STREAM_END_EVENT)
		return bp_error_set(r->err, BP_EINVALID,
				    "%s:%lu: a vocabulary must be a single YAML document", r->name,
				    line_of(r));
	return 0;
}

static int build_index(struct bp_vocab *v)
{
	size_t g, t, n = 0;

	for (g = 0; g < v->ngroups; g++)
		n += v->groups[g].nterms;
	if (n && !(v->index = bp_calloc(n, sizeof(*v->index))))
		return BP_ENOMEM;
	for (g = 0; g < v->ngroups; g++) {
		for (t = 0; t < v->groups[g].nterms; t++) {
			v->index[v->nindex].key = v->groups[g].terms[t].key;
			v->index[v->nindex].group = g;
			v->index[v->nindex].term = t;
			v->nindex++;
		}
	}
	if (n)
		qsort(v->index, n, sizeof(*v->index), entry_cmp);
	return 0;
}

int bp_vocab_parse(struct bp_vocab **out, const char *name, const char *text, size_t len,
		   struct bp_error *err)
{
	struct reader r;
	struct bp_vocab *v = NULL;
	int ret = BP_ENOMEM;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.name = name;
	r.err = err;
	if (!yaml_parser_initialize(&r.parser))
		return bp_error_nomem(err);
	yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
	if (!(v = bp_calloc(1, sizeof(*v)))) {
		bp_error_nomem(err);
		goto out;
	}
	if ((ret = read_vocab(&r, v)))
		goto out;
	if ((ret = build_index(v))) {
		bp_error_nomem(err);
		goto out;
	}
	*out = v;
	v = NULL;
out:
	if (r.have_event)
		yaml_event_delete(&r.ev);
	yaml_parser_delete(&r.parser);
	bp_vocab_free(v);
	return ret;
}
