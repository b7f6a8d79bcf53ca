/*
 * search: find tips across sectors, the user's own and their peers', ranked by bm25 with
 * snippets; the last line counts the matches per sector. And related, which shares the
 * output: the same problem in other sectors.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"

/* Markers the snippets carry until they are escaped: private-use characters, never escapes. */
#define MARK_OPEN "\xee\x80\x80"  /* U+E000 */
#define MARK_CLOSE "\xee\x80\x81" /* U+E001 */

static const struct opt search_opts[] = {
	{'n', "limit", "N", OPT_INT, "show at most N results (default 20)", COMPLETE_NONE},
	{'s', "sector", "SECTOR", OPT_REPEAT, "only this sector (may be repeated)",
	 COMPLETE_SECTOR},
	{'g', "tag", "TAG", OPT_REPEAT, "only articles with this tag (may be repeated)",
	 COMPLETE_TAG},
	{'a', "author", "AUTHOR", 0, "only articles whose author contains AUTHOR", COMPLETE_NONE},
	{0, "since", "DATE", 0, "only articles created or updated on or after DATE",
	 COMPLETE_NONE},
	{0, "peer", "NAME", OPT_REPEAT, "only this peer's articles (may be repeated)",
	 COMPLETE_PEER},
	{0, "mine", NULL, 0, "only your own articles", COMPLETE_NONE},
	{0, "exact", NULL, 0, "do not expand words through the vocabulary", COMPLETE_NONE},
	{0, "json", NULL, 0, "print JSON Lines", COMPLETE_NONE},
	{0},
};

struct printer {
	struct ctx *ctx;
	int json;
	size_t shown;
};

/*
 * Print a snippet: newlines as spaces, without the blank that ends the body's last line,
 * escaped, matches highlighted on a terminal.
 */
static void put_snippet(struct ctx *ctx, const char *snip)
{
	char *flat = strdup(snip ? snip : ""), *esc = NULL, *p;

	if (!flat)
		return;
	for (p = flat; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	while (p > flat && p[-1] == ' ')
		*--p = '\0';
	if (bp_escape(&esc, flat, strlen(flat), 0, NULL)) {
		free(flat);
		return;
	}
	for (p = esc; *p;) {
		if (!strncmp(p, MARK_OPEN, 3)) {
			if (ctx->color)
				fputs("\033[1;31m", stdout);
			p += 3;
		} else if (!strncmp(p, MARK_CLOSE, 3)) {
			if (ctx->color)
				fputs("\033[m", stdout);
			p += 3;
		} else {
			putchar(*p++);
		}
	}
	bp_free(esc);
	free(flat);
}

static int print_hit(const struct bp_hit *h, void *payload)
{
	struct printer *pr = payload;
	struct ctx *ctx = pr->ctx;

	pr->shown++;
	if (pr->json) {
		put_json_line(h->json);
		return 0;
	}
	if (pr->shown > 1)
		putchar('\n');
	fputs(ctx->color ? "\033[1m" : "", stdout);
	put_escaped(stdout, h->title, 0);
	fputs(ctx->color ? "\033[m\n  \033[33m" : "\n  ", stdout);
	put_escaped(stdout, h->id, 0);
	fputs(ctx->color ? "\033[m · " : " · ", stdout);
	put_escaped(stdout, h->sector, 0);
	if (h->source) {
		fputs(" · from ", stdout);
		put_escaped(stdout, h->source, 0);
	}
	putchar('\n');
	if (h->snippet && *h->snippet) {
		fputs("  ", stdout);
		put_snippet(ctx, h->snippet);
		putchar('\n');
	}
	return 0;
}

/* The matches per sector, kept to print after the results, with their sum. */
struct counts {
	char **name;
	size_t *count;
	size_t n, cap, total;
};

static int keep_count(const char *name, size_t count, const char *json, void *payload)
{
	struct counts *c = payload;

	(void)json;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		char **nm = realloc(c->name, cap * sizeof(*nm));
		size_t *ct;

		if (!nm)
			return BP_ENOMEM;
		c->name = nm;
		ct = realloc(c->count, cap * sizeof(*ct));
		if (!ct)
			return BP_ENOMEM;
		c->count = ct;
		c->cap = cap;
	}
	c->name[c->n] = strdup(name);
	if (!c->name[c->n])
		return BP_ENOMEM;
	c->count[c->n++] = count;
	c->total += count;
	return 0;
}

static void counts_release(struct counts *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->name[i]);
	free(c->name);
	free(c->count);
}

/* Tell the user which words the vocabulary widened. */
static void print_expansions(const struct bp_query *q, const struct bp_vocab *v)
{
	size_t i, g, k, shown;

	for (i = 0; i < bp_query_expansion_count(q); i++) {
		const char *word, *group;

		bp_query_expansion(q, i, &word, &group);
		fputs("(searching '", stdout);
		put_escaped(stdout, word, 0);
		fputs("' also as", stdout);
		for (g = 0; g < bp_vocab_group_count(v); g++) {
			if (strcmp(bp_vocab_group_name(v, g), group))
				continue;
			for (k = 0, shown = 0; k < bp_vocab_term_count(v, g); k++) {
				const char *t = bp_vocab_term(v, g, k);
				if (!strcasecmp(t, word))
					continue;
				fputs(shown++ ? ", " : " ", stdout);
				put_escaped(stdout, t, 0);
			}
			break;
		}
		fputs("; --exact turns this off)\n", stdout);
	}
}

static int run_search(struct ctx *ctx, struct args *a)
{
	struct bp_filter f;
	struct bp_search s = {0};
	struct bp_error err;
	struct bp_vocab *vocab = NULL;
	struct bp_query *q = NULL, *typed = NULL;
	struct printer pr = {ctx, arg_flag(a, "json"), 0};
	struct counts c = {0};
	char *text = NULL;
	size_t len = 0;
	int i, rc;

	if (a->noperands < 1) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	for (i = 0; i < a->noperands; i++)
		len += strlen(a->operands[i]) + 1;
	text = calloc(1, len + 1);
	if (!text)
		return EXIT_ENV;
	for (i = 0, len = 0; i < a->noperands; i++) {
		size_t n = strlen(a->operands[i]);

		if (i)
			text[len++] = ' ';
		memcpy(text + len, a->operands[i], n);
		len += n;
	}
	filter_from_args(&f, a);
	f.since = arg_str(a, "since");
	if (f.since && !bp_is_valid_date(f.since)) {
		errorf("--since needs a date written YYYY-MM-DD, not '%s'", f.since);
		rc = EXIT_USAGE;
		goto out;
	}
	if (!arg_flag(a, "exact") && bp_kb_vocabulary(&vocab, ctx->kb, &err)) {
		warnf(ctx, "%s (searching without the vocabulary)", err.msg);
		vocab = NULL;
	}
	rc = bp_query_parse(&q, text, vocab, arg_flag(a, "exact") ? BP_QUERY_EXACT : 0, &err);
	if (rc) {
		rc = fail(&err);
		goto out;
	}
	s.filter = &f;
	s.limit = (size_t)arg_int(a, "limit", 20);
	if (!s.limit) {
		errorf("--limit must be at least 1");
		rc = EXIT_USAGE;
		goto out;
	}
	/* The words as typed rank before their synonyms from other sectors. */
	if (bp_query_expansion_count(q) &&
	    bp_query_parse(&typed, text, NULL, BP_QUERY_EXACT, &err) == 0)
		s.boost = bp_query_fts(typed);
	if (!pr.json) {
		s.mark_open = MARK_OPEN;
		s.mark_close = MARK_CLOSE;
		if (vocab)
			print_expansions(q, vocab);
	}
	rc = bp_index_search(ctx->index, q, &s, print_hit, &pr, NULL, &err);
	/* The count per sector also gives the number of matches: one pass over them. */
	if (!rc && !pr.json && pr.shown) {
		rc = bp_index_sector_counts(ctx->index, q, &f, keep_count, &c, &err);
		if (rc == BP_ENOMEM)
			bp_error_set(&err, rc, "out of memory");
	}
	if (!rc && !pr.json && pr.shown) {
		putchar('\n');
		if (c.total > pr.shown)
			printf("%zu of %zu matches: ", pr.shown, c.total);
		for (i = 0; i < (int)c.n; i++) {
			fputs(i ? " · " : "", stdout);
			put_escaped(stdout, c.name[i], 0);
			printf(" %zu", c.count[i]);
		}
		putchar('\n');
	}
	if (rc) {
		rc = fail(&err);
		goto out;
	}
	rc = pr.shown ? 0 : EXIT_NOTHING;
out:
	counts_release(&c);
	bp_query_free(typed);
	bp_query_free(q);
	bp_vocab_free(vocab);
	free(text);
	return rc;
}

const struct cmd cmd_search = {
	.name = "search",
	.summary = "find tips across sectors",
	.operands = "QUERY...",
	.opts = search_opts,
	.flags = CMD_KB | CMD_INDEX | CMD_PAGER | CMD_DASH_WORDS | CMD_QUICK,
	.run = run_search,
};

static const struct opt related_opts[] = {
	{0, "same-sector", NULL, 0, "look in the article's own sector instead of the others",
	 COMPLETE_NONE},
	{'n', "limit", "N", OPT_INT, "show at most N results (default 10)", COMPLETE_NONE},
	{0, "json", NULL, 0, "print JSON Lines", COMPLETE_NONE},
	{0},
};

static int run_related(struct ctx *ctx, struct args *a)
{
	struct bp_search s = {0};
	struct bp_error err;
	struct printer pr = {ctx, arg_flag(a, "json"), 0};
	int rc;

	if (a->noperands != 1) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	s.limit = (size_t)arg_int(a, "limit", 10);
	if (!s.limit) {
		errorf("--limit must be at least 1");
		return EXIT_USAGE;
	}
	if (!pr.json) {
		s.mark_open = MARK_OPEN;
		s.mark_close = MARK_CLOSE;
	}
	rc = bp_index_related(ctx->index, a->operands[0], arg_flag(a, "same-sector"), &s,
			      print_hit, &pr, &err);
	if (rc == BP_ENOTFOUND && strstr(err.msg, "shares no"))
		rc = EXIT_NOTHING, errorf("%s", err.msg);
	else if (rc)
		return fail(&err);
	return pr.shown ? 0 : EXIT_NOTHING;
}

const struct cmd cmd_related = {
	.name = "related",
	.summary = "find tips about the same problem in other sectors",
	.operands = "ID",
	.opts = related_opts,
	.flags = CMD_KB | CMD_INDEX | CMD_PAGER,
	.complete = COMPLETE_ID,
	.run = run_related,
};
