/*
 * list: the articles of the KB and of subscribed peers, filtered by sector, tag, author,
 * peer; as a table or as JSON Lines.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const struct opt opts[] = {
	{'s', "sector", "SECTOR", OPT_REPEAT, "only this sector (may be repeated)",
	 COMPLETE_SECTOR},
	{'g', "tag", "TAG", OPT_REPEAT, "only articles with this tag (may be repeated)",
	 COMPLETE_TAG},
	{'a', "author", "AUTHOR", 0, "only articles whose author contains AUTHOR", COMPLETE_NONE},
	{0, "peer", "NAME", OPT_REPEAT, "only this peer's articles (may be repeated)",
	 COMPLETE_PEER},
	{0, "mine", NULL, 0, "only your own articles", COMPLETE_NONE},
	{0, "json", NULL, 0, "print JSON Lines", COMPLETE_NONE},
	{0},
};

struct row {
	char *id, *title;
};

struct rows {
	struct row *r;
	size_t n, cap;
	int json;
};

static int collect(const struct bp_hit *h, void *payload)
{
	struct rows *rs = payload;

	if (rs->json) {
		put_json_line(h->json);
		return 0;
	}
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct row *p = realloc(rs->r, cap * sizeof(*p));
		if (!p)
			return BP_ENOMEM;
		rs->r = p;
		rs->cap = cap;
	}
	rs->r[rs->n].id = strdup(h->id);
	rs->r[rs->n].title = strdup(h->title);
	rs->n++;
	return 0;
}

void filter_from_args(struct bp_filter *f, const struct args *a)
{
	memset(f, 0, sizeof(*f));
	f->sectors = arg_list(a, "sector", &f->nsectors);
	f->tags = arg_list(a, "tag", &f->ntags);
	f->author = arg_str(a, "author");
	f->peers = arg_list(a, "peer", &f->npeers);
	f->mine = arg_flag(a, "mine");
}

static int run(struct ctx *ctx, struct args *a)
{
	struct bp_filter f;
	struct bp_error err;
	struct rows rs = {0};
	size_t i, width = 0, count = 0;
	int rc;

	if (a->noperands) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	filter_from_args(&f, a);
	rs.json = arg_flag(a, "json");
	rc = bp_index_list(ctx->index, &f, collect, &rs, &count, &err);
	if (rc == BP_ENOMEM)
		bp_error_set(&err, rc, "out of memory");
	if (rc) {
		rc = fail(&err);
		goto out;
	}
	for (i = 0; i < rs.n; i++)
		if (strlen(rs.r[i].id) > width)
			width = strlen(rs.r[i].id);
	if (width > 60)
		width = 60;
	for (i = 0; i < rs.n; i++) {
		size_t pad = strlen(rs.r[i].id) < width ? width - strlen(rs.r[i].id) : 0;

		if (ctx->color)
			fputs("\033[33m", stdout);
		put_escaped(stdout, rs.r[i].id, 0);
		if (ctx->color)
			fputs("\033[m", stdout);
		printf("%*s  ", (int)pad, "");
		put_escaped(stdout, rs.r[i].title, 0);
		putchar('\n');
	}
	rc = count ? 0 : EXIT_NOTHING;
out:
	for (i = 0; i < rs.n; i++) {
		free(rs.r[i].id);
		free(rs.r[i].title);
	}
	free(rs.r);
	return rc;
}

const struct cmd cmd_list = {
	.name = "list",
	.summary = "list articles",
	.opts = opts,
	.flags = CMD_KB | CMD_INDEX | CMD_PAGER | CMD_QUICK,
	.run = run,
};
