/*
 * check: validate every article of the working tree and compare the search index with git;
 * reindex: rebuild the index from scratch.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

struct check_state {
	struct ctx *ctx;
	size_t articles, invalid, conflicts;
};

/*
 * Whether the article a conflict copy at `self` names still exists beside it: until one of the
 * two is gone a decision awaits. A copy moved into the original's place names itself.
 */
static int other_exists(struct check_state *cs, const char *self, const struct bp_article *a)
{
	char *path = NULL;
	int yes = bp_kb_resolve(&path, cs->ctx->kb, bp_article_field(a, "conflict-of"), NULL) == 0 &&
		  strcmp(path, self);

	bp_free(path);
	return yes;
}

static int check_one(const char *path, void *payload)
{
	struct check_state *cs = payload;
	struct bp_article *a = NULL;
	struct bp_error err;
	char *text = NULL;
	size_t len = 0;

	cs->articles++;
	if (bp_kb_read(&text, &len, cs->ctx->kb, path, &err) ||
	    bp_article_parse(&a, path, text, len, NULL, &err)) {
		cs->invalid++;
		errorf("%s", err.msg);
	} else if (bp_article_field(a, "conflict-of") && other_exists(cs, path, a)) {
		/* The other side's version of an article both sides changed, kept by sync. */
		cs->conflicts++;
		fputs("conflict: ", stdout);
		put_escaped(stdout, path, 0);
		fputs(" is another version of ", stdout);
		put_escaped(stdout, bp_article_field(a, "conflict-of"), 0);
		fputs(".md: keep one (or merge them by hand) and remove the other\n", stdout);
	}
	bp_article_free(a);
	bp_free(text);
	return 0;
}

static void index_problem(void *payload, const char *msg)
{
	struct check_state *cs = payload;

	warnf(cs->ctx, "%s", msg);
}

static int run_check(struct ctx *ctx, struct args *a)
{
	struct check_state cs = {ctx, 0, 0, 0};
	struct bp_error err;
	size_t problems = 0;
	const char *index_state;
	int rc, vocab_bad = 0;

	if (a->noperands) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	rc = bp_kb_each_article(ctx->kb, check_one, &cs, &err);
	if (!rc) {
		struct bp_vocab *v = NULL;
		struct bp_error verr;

		if (bp_kb_vocabulary(&v, ctx->kb, &verr)) {
			vocab_bad = 1;
			errorf("%s", verr.msg);
		}
		bp_vocab_free(v);
	}
	if (!rc)
		rc = bp_index_verify(ctx->index, index_problem, &cs, &problems, &err);
	if (rc)
		return fail(&err);
	if (problems) {
		/* The index is a cache: say so, and mend it. */
		warnf(ctx, "the search index did not match git (%zu difference%s); rebuilding it",
		      problems, problems == 1 ? "" : "s");
		if (bp_index_rebuild(ctx->index, NULL, &err))
			return fail(&err);
	}
	index_state = problems ? "the index was rebuilt" : "the index matches git";
	if (cs.invalid)
		errorf("%zu of %zu articles are invalid", cs.invalid, cs.articles);
	if (cs.invalid || vocab_bad)
		return EXIT_USAGE;
	if (cs.conflicts) {
		printf("%zu conflict%s await%s a decision\n", cs.conflicts,
		       cs.conflicts == 1 ? "" : "s", cs.conflicts == 1 ? "s" : "");
		return EXIT_NOTHING;
	}
	printf("%zu article%s checked, all valid; %s\n", cs.articles, cs.articles == 1 ? "" : "s",
	       index_state);
	return 0;
}

const struct cmd cmd_check = {
	.name = "check",
	.summary = "validate every article and compare the index with git",
	.flags = CMD_KB | CMD_INDEX,
	.run = run_check,
};

static int count_one(const struct bp_hit *h, void *payload)
{
	(void)h;
	(*(size_t *)payload)++;
	return 0;
}

static int run_reindex(struct ctx *ctx, struct args *a)
{
	struct bp_progress p = {index_progress, NULL};
	struct bp_error err;
	size_t n = 0;
	int rc;

	if (a->noperands) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	rc = bp_index_open(&ctx->index, ctx->kb, &err);
	if (!rc)
		rc = bp_index_rebuild(ctx->index, ctx->err_tty ? &p : NULL, &err);
	if (!rc)
		rc = bp_index_list(ctx->index, NULL, count_one, &n, NULL, &err);
	if (rc)
		return fail(&err);
	printf("indexed %zu article%s\n", n, n == 1 ? "" : "s");
	return 0;
}

const struct cmd cmd_reindex = {
	.name = "reindex",
	.summary = "rebuild the search index from git",
	.flags = CMD_KB,
	.run = run_reindex,
};
