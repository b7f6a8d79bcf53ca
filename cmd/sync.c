/*
 * sync: bring every peer up to date (or those named): fetch subscribed peers and index their
 * tips; merge with shared remotes and push. One line per peer says what happened; a peer that
 * fails does not stop the others, and sync then exits 3 naming it.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const struct opt opts[] = {
	{0, "force", NULL, 0, "allow a merge that deletes more than half of your articles",
	 COMPLETE_NONE},
	{0},
};

/*
 * What the report callback keeps: the exit status of a sync where peers failed is 3 when any
 * failed for a reason of the environment (unreachable, authentication, I/O), else 2 (refused:
 * an unsafe URL or content, the deletion guard, a file changed by hand in the way).
 */
struct sync_run {
	struct ctx *ctx;
	int worst_exit;
};

static void progress(void *payload, const char *peer, const char *what, size_t done,
		     size_t total)
{
	/* What the line shows: libgit2 reports every object, and the last one many times. */
	static size_t shown, shown_total;
	struct sync_run *run = payload;

	if (!run->ctx->err_tty || !total)
		return;
	if (total == shown_total && done >= shown &&
	    (done == total ? shown == total : done - shown < total / 100 + 1))
		return;
	shown = done;
	shown_total = total;
	fputs("\r", stderr);
	put_escaped(stderr, peer, 0);
	fprintf(stderr, ": %s %zu/%zu", what, done, total);
	if (done >= total)
		fputs("\033[K\r", stderr);
}

static void counts(const struct bp_sync_report *r)
{
	printf("%zu new, %zu changed, %zu removed", r->added, r->changed, r->removed);
}

static void report(void *payload, const struct bp_sync_report *r)
{
	struct sync_run *run = payload;
	struct ctx *ctx = run->ctx;
	size_t i;

	if (r->failed) {
		int x = exit_status(r->code) == EXIT_USAGE ? EXIT_USAGE : EXIT_ENV;

		errorf("%s", r->error);
		if (run->worst_exit != EXIT_ENV)
			run->worst_exit = x;
		return;
	}
	put_escaped(stdout, r->peer, 0);
	fputs(": ", stdout);
	if (r->role == BP_PEER_SUBSCRIBED) {
		if (r->unchanged) {
			puts("up to date");
			return;
		}
		if (r->rewritten)
			fputs("history rewritten, re-indexed: ", stdout);
		counts(r);
		putchar('\n');
		if (r->mass_delete)
			warnf(ctx,
			      "peer '%s' removed %zu of its tips at once; they are no longer "
			      "searchable (your own tips are not affected)",
			      r->peer, r->removed);
		return;
	}
	if (r->unchanged) {
		puts("up to date");
		return;
	}
	if (r->adopted_history) {
		fputs("took the team's history: ", stdout);
		counts(r);
	} else if (r->fast_forward) {
		fputs("fast-forward: ", stdout);
		counts(r);
	} else if (r->merged) {
		fputs("merged: ", stdout);
		counts(r);
	}
	if (r->pushed)
		fputs(r->merged || r->fast_forward || r->adopted_history ? "; pushed" : "pushed",
		      stdout);
	putchar('\n');
	for (i = 0; i < r->conflicts; i++) {
		const char *copy = r->conflict_paths[i];
		const char *mark = strstr(copy, ".conflict-");

		fputs("  conflict: both sides changed ", stdout);
		if (mark) {
			char *orig = strndup(copy, (size_t)(mark - copy));

			put_escaped(stdout, orig, 0);
			fputs(".md", stdout);
			free(orig);
		}
		fputs("; the other version is kept beside it as ", stdout);
		put_escaped(stdout, copy, 0);
		putchar('\n');
	}
	if (r->conflicts)
		puts("  nothing was lost: keep one version, or merge them by hand, then remove the "
		     "other ('bestpractice check' lists what awaits a decision)");
}

static int run(struct ctx *ctx, struct args *a)
{
	struct bp_sync_opts so = {0};
	struct sync_run sr = {ctx, 0};
	struct bp_error err;
	size_t failed = 0;
	int rc, irc;

	so.peers = (const char *const *)a->operands;
	so.npeers = (size_t)a->noperands;
	so.force = arg_flag(a, "force");
	so.progress = progress;
	so.report = report;
	so.payload = &sr;
	rc = bp_sync(ctx->kb, &so, &failed, &err);
	/* Whatever was fetched is indexed, even when a peer failed. */
	irc = open_index(ctx);
	if (rc && !failed)
		return fail(&err);
	if (failed) {
		errorf("%zu peer%s could not be synced", failed, failed == 1 ? "" : "s");
		return sr.worst_exit ? sr.worst_exit : EXIT_ENV;
	}
	/* Fetched, but not readable: the index said which, and kept their tips as they were. */
	if (!irc && bp_index_peers_failed(ctx->index)) {
		errorf("%zu peer%s could not be indexed", bp_index_peers_failed(ctx->index),
		       bp_index_peers_failed(ctx->index) == 1 ? "" : "s");
		return EXIT_ENV;
	}
	return irc;
}

const struct cmd cmd_sync = {
	.name = "sync",
	.summary = "fetch peers, merge with shared remotes and push",
	.operands = "[NAME...]",
	.opts = opts,
	.flags = CMD_KB,
	.complete = COMPLETE_PEER,
	.run = run,
};
