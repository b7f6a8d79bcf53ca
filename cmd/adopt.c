/*
 * adopt: copy a peer's tip into your own KB, attributed to its origin; outdated: the adopted
 * tips whose origin changed since (see the change with show --diff).
 */
#include <string.h>

#include "cmd.h"

static const struct opt adopt_opts[] = {
	{'s', "sector", "SECTOR", 0, "file it under SECTOR instead of the peer's", COMPLETE_SECTOR},
	{0},
};

static int run_adopt(struct ctx *ctx, struct args *a)
{
	struct bp_error err;
	char *id = NULL, *canon = NULL;
	int rc;

	if (a->noperands != 1) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	/* A bare slug may name a peer's article: the index knows. */
	rc = open_index(ctx);
	if (rc)
		return rc;
	rc = bp_index_resolve(&canon, ctx->index, a->operands[0], &err);
	if (!rc && !strchr(canon, ':'))
		rc = bp_error_set(&err, BP_EINVALID, "'%s' is already yours", canon);
	if (!rc)
		rc = bp_adopt(&id, ctx->kb, canon, arg_str(a, "sector"), &err);
	if (rc) {
		rc = fail(&err);
		goto out;
	}
	put_escaped(stdout, id, 0);
	putchar('\n');
out:
	bp_free(id);
	bp_free(canon);
	return rc;
}

const struct cmd cmd_adopt = {
	.name = "adopt",
	.summary = "copy a peer's tip into your knowledge base, keeping its origin",
	.operands = "PEER:ID",
	.opts = adopt_opts,
	.flags = CMD_KB,
	.complete = COMPLETE_ID,
	.run = run_adopt,
};

static const struct opt outdated_opts[] = {
	{0, "json", NULL, 0, "print JSON Lines", COMPLETE_NONE},
	{0},
};

struct outdated_state {
	struct ctx *ctx;
	int json;
	struct bp_error *err;
};

static int print_outdated(const struct bp_outdated *o, void *payload)
{
	struct outdated_state *os = payload;
	char id[1100];

	snprintf(id, sizeof(id), "%.*s", (int)(strlen(o->path) - 3), o->path);
	if (os->json) {
		static const char *const keys[] = {"id", "peer", "peer_path", "adopted_at",
						   "now_at", "state"};
		const char *values[] = {id, o->peer, o->peer_path, o->adopted_at, o->now_at,
					!o->now_at  ? "peer gone"
					: o->removed ? "removed upstream"
						     : "changed upstream"};
		char *json = NULL;
		int rc = bp_json_object(&json, os->ctx->index, keys, values, 6, os->err);

		if (rc)
			return rc;
		put_json_line(json);
		bp_free(json);
		return 0;
	}
	put_escaped(stdout, id, 0);
	fputs("  ", stdout);
	fputs(!o->now_at ? "peer gone: " : o->removed ? "removed upstream: " : "changed upstream: ",
	      stdout);
	put_escaped(stdout, o->peer, 0);
	putchar(':');
	put_escaped(stdout, o->peer_path, 0);
	putchar('\n');
	return 0;
}

static int run_outdated(struct ctx *ctx, struct args *a)
{
	struct bp_error err;
	struct outdated_state os = {ctx, arg_flag(a, "json"), &err};
	size_t n = 0;
	int rc;

	if (a->noperands) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	if (os.json && (rc = open_index(ctx)))
		return rc;
	if (bp_outdated(ctx->kb, print_outdated, &os, &n, &err))
		return fail(&err);
	return n ? 0 : EXIT_NOTHING;
}

const struct cmd cmd_outdated = {
	.name = "outdated",
	.summary = "list adopted tips whose origin changed since",
	.opts = outdated_opts,
	.flags = CMD_KB,
	.run = run_outdated,
};
