/*
 * dump-index: a hidden command for tests. It prints the search index's content canonically
 * (bp_index_dump), after bringing it up to date as every command does, so that a test can
 * compare an index updated step by step with one rebuilt by `reindex` in a copy of the KB.
 */
#include "cmd.h"

static int put_line(const char *line, void *payload)
{
	(void)payload;
	put_json_line(line);
	return 0;
}

static int run(struct ctx *ctx, struct args *a)
{
	struct bp_error err;

	if (a->noperands) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	if (bp_index_dump(ctx->index, put_line, NULL, &err))
		return fail(&err);
	return 0;
}

const struct cmd cmd_dump_index = {
	.name = "dump-index",
	.summary = "print the search index's content canonically (for tests)",
	.flags = CMD_KB | CMD_INDEX | CMD_HIDDEN,
	.run = run,
};
