/*
 * init: create a knowledge base, or mark an existing git repository as one.
 */
#include "cmd.h"

static int run(struct ctx *ctx, struct args *a)
{
	struct bp_kb *kb = NULL;
	struct bp_error err;
	char *dir = NULL;
	int created = 0, rc;

	if (a->noperands > 1) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	rc = bp_kb_locate(&dir, NULL, a->noperands ? a->operands[0] : ctx->kb_option, &err);
	if (!rc)
		rc = bp_kb_init(&kb, &created, dir, &err);
	if (rc) {
		rc = fail(&err);
		goto out;
	}
	if (created) {
		printf("initialized knowledge base in ");
		put_escaped(stdout, bp_kb_workdir(kb), 0);
	} else {
		printf("already a knowledge base: ");
		put_escaped(stdout, bp_kb_workdir(kb), 0);
	}
	putchar('\n');
out:
	bp_kb_free(kb);
	bp_free(dir);
	return rc;
}

const struct cmd cmd_init = {
	.name = "init",
	.summary = "create a knowledge base, or make a git repository one",
	.operands = "[DIR]",
	.complete = COMPLETE_DIR,
	.run = run,
};
