/*
 * sectors and tags: how many articles each has, most used first.
 */
#include "cmd.h"

static const struct opt opts[] = {
	{0, "peer", "NAME", OPT_REPEAT, "only this peer's articles (may be repeated)",
	 COMPLETE_PEER},
	{0, "mine", NULL, 0, "only your own articles", COMPLETE_NONE},
	{0, "json", NULL, 0, "print JSON Lines", COMPLETE_NONE},
	{0},
};

struct facet_state {
	int json;
	size_t n;
};

static int print_facet(const char *name, size_t count, const char *json, void *payload)
{
	struct facet_state *fs = payload;

	fs->n++;
	if (fs->json) {
		put_json_line(json);
		return 0;
	}
	printf("%6zu  ", count);
	put_escaped(stdout, name, 0);
	putchar('\n');
	return 0;
}

static int run_facet(struct ctx *ctx, struct args *a, int tags)
{
	struct bp_filter f = {0};
	struct facet_state fs = {arg_flag(a, "json"), 0};
	struct bp_error err;
	int rc;

	if (a->noperands) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	f.peers = arg_list(a, "peer", &f.npeers);
	f.mine = arg_flag(a, "mine");
	rc = tags ? bp_index_tags(ctx->index, &f, print_facet, &fs, &err)
		  : bp_index_sectors(ctx->index, &f, print_facet, &fs, &err);
	if (rc)
		return fail(&err);
	return fs.n ? 0 : EXIT_NOTHING;
}

static int run_sectors(struct ctx *ctx, struct args *a)
{
	return run_facet(ctx, a, 0);
}

static int run_tags(struct ctx *ctx, struct args *a)
{
	return run_facet(ctx, a, 1);
}

const struct cmd cmd_sectors = {
	.name = "sectors",
	.summary = "count the articles of each sector",
	.opts = opts,
	.flags = CMD_KB | CMD_INDEX | CMD_PAGER | CMD_QUICK,
	.run = run_sectors,
};

const struct cmd cmd_tags = {
	.name = "tags",
	.summary = "count the articles of each tag",
	.opts = opts,
	.flags = CMD_KB | CMD_INDEX | CMD_PAGER | CMD_QUICK,
	.run = run_tags,
};
