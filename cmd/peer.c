/*
 * peer add, peer rm, peer list: the git remotes a KB shares through. A peer is stored without
 * contacting it (a server may be down today); sync reports what cannot be reached.
 */
#include <string.h>

#include "cmd.h"

static const struct opt add_opts[] = {
	{0, "shared", NULL, 0, "publish to this peer and merge from it (a team's remote)",
	 COMPLETE_NONE},
	{'s', "sector", "SECTOR", 0, "the sector of its files that name none", COMPLETE_SECTOR},
	{0},
};

static int run_add(struct ctx *ctx, struct args *a)
{
	struct bp_error err;
	int shared;

	if (a->noperands != 2) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	/* origin is where a KB is published, as git has it: shared unless said otherwise. */
	shared = arg_flag(a, "shared") || !strcmp(a->operands[0], "origin");
	if (bp_peer_add(ctx->kb, a->operands[0], a->operands[1],
			shared ? BP_PEER_SHARED : BP_PEER_SUBSCRIBED, arg_str(a, "sector"), &err))
		return fail(&err);
	printf("added %s peer ", shared ? "shared" : "subscribed");
	put_escaped(stdout, a->operands[0], 0);
	fputs(shared ? " (sync merges with it and pushes to it)\n"
		     : " (sync fetches it and indexes its tips)\n",
	      stdout);
	return 0;
}

const struct cmd cmd_peer_add = {
	.name = "peer add",
	.summary = "add a peer: a git remote to subscribe to or share with",
	.operands = "NAME URL",
	.opts = add_opts,
	.flags = CMD_KB,
	.run = run_add,
};

static int run_rm(struct ctx *ctx, struct args *a)
{
	struct bp_error err;

	if (a->noperands != 1) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	if (bp_peer_remove(ctx->kb, a->operands[0], &err))
		return fail(&err);
	printf("removed peer ");
	put_escaped(stdout, a->operands[0], 0);
	putchar('\n');
	return 0;
}

const struct cmd cmd_peer_rm = {
	.name = "peer rm",
	.summary = "remove a peer and its tips from the index",
	.operands = "NAME",
	.flags = CMD_KB,
	.complete = COMPLETE_PEER,
	.run = run_rm,
};

static const struct opt list_opts[] = {
	{0, "json", NULL, 0, "print JSON Lines", COMPLETE_NONE},
	{0},
};

struct list_state {
	struct ctx *ctx;
	int json;
	size_t n;
	struct bp_error *err;
};

static int print_peer(const struct bp_peer_info *p, void *payload)
{
	struct list_state *ls = payload;
	const char *role = p->role == BP_PEER_SHARED ? "shared" : "subscribed";

	ls->n++;
	if (ls->json) {
		static const char *const keys[] = {"name", "url", "role", "sector", "branch",
						   "commit"};
		const char *values[] = {p->name, p->url, role, p->sector, p->branch, p->commit};
		char *json = NULL;
		int rc = bp_json_object(&json, ls->ctx->index, keys, values, 6, ls->err);

		if (rc)
			return rc;
		put_json_line(json);
		bp_free(json);
		return 0;
	}
	put_escaped(stdout, p->name, 0);
	printf("\t%s\t", role);
	put_escaped(stdout, p->url ? p->url : "", 0);
	if (p->sector) {
		fputs("\t(sector ", stdout);
		put_escaped(stdout, p->sector, 0);
		fputs(")", stdout);
	}
	putchar('\n');
	return 0;
}

static int run_list(struct ctx *ctx, struct args *a)
{
	struct bp_error err;
	struct list_state ls = {ctx, arg_flag(a, "json"), 0, &err};
	int rc;

	if (a->noperands) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	if (ls.json && (rc = open_index(ctx)))
		return rc;
	if (bp_peer_list(ctx->kb, print_peer, &ls, &err))
		return fail(&err);
	return ls.n ? 0 : EXIT_NOTHING;
}

const struct cmd cmd_peer_list = {
	.name = "peer list",
	.summary = "list the peers",
	.opts = list_opts,
	.flags = CMD_KB,
	.run = run_list,
};
