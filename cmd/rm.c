/*
 * rm: remove an article, as a commit.
 */
#include <string.h>

#include "cmd.h"

static int run(struct ctx *ctx, struct args *a)
{
	struct bp_error err;
	char *path = NULL;
	int i, rc = 0;

	if (a->noperands < 1) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	for (i = 0; i < a->noperands && !rc; i++) {
		rc = bp_kb_resolve(&path, ctx->kb, a->operands[i], &err);
		if (!rc)
			rc = bp_kb_remove(ctx->kb, path, &err);
		if (rc) {
			rc = fail(&err);
			break;
		}
		printf("removed %.*s\n", (int)(strlen(path) - 3), path);
		bp_free(path);
		path = NULL;
	}
	bp_free(path);
	return rc;
}

const struct cmd cmd_rm = {
	.name = "rm",
	.summary = "remove articles",
	.operands = "ID...",
	.flags = CMD_KB,
	.complete = COMPLETE_OWN_ID,
	.run = run,
};
