/*
 * log: the history of the KB, or of one article.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

static const struct opt opts[] = {
	{'n', "max-count", "N", OPT_INT, "show at most N commits", COMPLETE_NONE},
	{0, "json", NULL, 0, "print JSON Lines", COMPLETE_NONE},
	{0},
};

struct log_state {
	struct ctx *ctx;
	int json;
	size_t shown;
	struct bp_error *err;
};

static int show_commit(const struct bp_commit_info *c, void *payload)
{
	struct log_state *ls = payload;
	time_t t = (time_t)c->time + (time_t)c->offset * 60;
	struct tm tm;
	char date[32];

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm);
	ls->shown++;
	if (ls->json) {
		static const char *const keys[] = {"commit", "date", "author", "email", "summary"};
		char iso[80], *json = NULL;
		const char *values[5];
		int rc;

		snprintf(iso, sizeof(iso), "%.10sT%s:00%+03d:%02d", date, date + 11,
			 c->offset / 60, abs(c->offset) % 60);
		values[0] = c->id;
		values[1] = iso;
		values[2] = c->author;
		values[3] = c->email;
		values[4] = c->summary;
		rc = bp_json_object(&json, ls->ctx->index, keys, values, 5, ls->err);
		if (rc)
			return rc;
		put_json_line(json);
		bp_free(json);
		return 0;
	}
	if (ls->ctx->color)
		printf("\033[33m%.7s\033[m %s  ", c->id, date);
	else
		printf("%.7s %s  ", c->id, date);
	put_escaped(stdout, c->author, 0);
	fputs("  ", stdout);
	put_escaped(stdout, c->summary, 0);
	putchar('\n');
	return 0;
}

static int run(struct ctx *ctx, struct args *a)
{
	struct log_state ls = {ctx, arg_flag(a, "json"), 0, NULL};
	struct bp_error err;
	char *path = NULL;
	int rc;

	ls.err = &err;
	if (arg_str(a, "max-count") && arg_int(a, "max-count", 0) == 0) {
		errorf("--max-count must be at least 1");
		return EXIT_USAGE;
	}
	if (a->noperands > 1) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	if (a->noperands) {
		const char *id = a->operands[0];
		size_t n = strlen(id);

		/* A removed article has a history too: a full id need not exist now. */
		if (strchr(id, '/')) {
			if (asprintf(&path, "%.*s.md", (int)(n > 3 && !strcmp(id + n - 3, ".md")
								 ? n - 3
								 : n),
				     id) < 0)
				return EXIT_ENV;
			if (!bp_kb_is_article_path(path)) {
				errorf("invalid article id '%s'", id);
				free(path);
				return EXIT_USAGE;
			}
		} else {
			char *p = NULL;
			rc = bp_kb_resolve(&p, ctx->kb, id, &err);
			if (rc)
				return fail(&err);
			path = strdup(p);
			bp_free(p);
		}
	}
	if (ls.json && (rc = open_index(ctx)))
		goto out;
	rc = bp_kb_log(ctx->kb, path, (size_t)arg_int(a, "max-count", 0), show_commit, &ls, &err);
	if (rc) {
		rc = fail(&err);
		goto out;
	}
	rc = ls.shown ? 0 : EXIT_NOTHING;
out:
	free(path);
	return rc;
}

const struct cmd cmd_log = {
	.name = "log",
	.summary = "show the history of the knowledge base or of one article",
	.operands = "[ID]",
	.opts = opts,
	.flags = CMD_KB | CMD_PAGER,
	.complete = COMPLETE_OWN_ID,
	.run = run,
};
