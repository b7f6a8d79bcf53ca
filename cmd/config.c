/*
 * config: read or set the KB's settings, kept in the repository's git config under
 * bestpractice.*.
 */
#include <strings.h>

#include "cmd.h"

/* The settings the program reads (bestpractice.KEY), offered by completion. */
const char *const config_keys[] = {"lockTimeout", NULL};

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
		/* The mark of a KB is init's to set; bestpractice.kb is read from the user's
		 * global config only, so setting it here would do nothing. */
		if (!strcasecmp(a->operands[0], "format")) {
			errorf("'format' marks the repository as a knowledge base; it is not a "
			       "setting");
			return EXIT_USAGE;
		}
		if (!strcasecmp(a->operands[0], "kb")) {
			errorf("bestpractice.kb is read from your global git config: run "
			       "'git config --global bestpractice.kb DIR'");
			return EXIT_USAGE;
		}
		rc = bp_kb_config_set(ctx->kb, a->operands[0],
				      a->noperands == 2 ? a->operands[1] : NULL, &err);
		if (rc == BP_ENOTFOUND)
			return EXIT_NOTHING; /* nothing to unset */
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
