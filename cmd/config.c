/*
 * config: read or set the KB's settings, kept in the repository's git config under
 * bestpractice.*.
 */
#include "cmd.h"

/* The settings the program reads (bestpractice.KEY), offered by completion. */
const char *const config_keys[] = {"editor", "lockTimeout", NULL};

static const struct opt opts[] = {
	{0, "unset", NULL, 0, "remove the setting", COMPLETE_NONE},
	{0},
};

static int run(struct ctx *ctx, struct args *a)
{
	struct bp_error err;
	char *val = NULL;
	int rc;

	if (a->noperands < 1 || a->noperands > 2 || (arg_flag(a, "unset") && a->noperands != 1)) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	if (arg_flag(a, "unset") || a->noperands == 2) {
		rc = bp_kb_config_set(ctx->kb, a->operands[0],
				      a->noperands == 2 ? a->operands[1] : NULL, &err);
		return rc ? fail(&err) : 0;
	}
	rc = bp_kb_config_get(&val, ctx->kb, a->operands[0], &err);
	if (rc == BP_ENOTFOUND)
		return EXIT_NOTHING; /* like git config: an unset key prints nothing */
	if (rc)
		return fail(&err);
	put_escaped(stdout, val, 0);
	putchar('\n');
	bp_free(val);
	return 0;
}

const struct cmd cmd_config = {
	.name = "config",
	.summary = "read or set a setting of the knowledge base",
	.operands = "KEY [VALUE]",
	.opts = opts,
	.flags = CMD_KB,
	.complete = COMPLETE_CONFIG,
	.run = run,
};
