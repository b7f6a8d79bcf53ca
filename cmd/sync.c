/*
 * sync: bring every peer up to date (or those named): fetch subscribed peers and index their
 * tips; merge with shared remotes and push. One line per peer says what happened; a peer that
 * fails does not stop the others, and sync then exits 3 naming it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const struct opt opts[] = {
	{0, "force", NULL, 0, "allow a merge that deletes more than half of your articles",
	 COMPLETE_NONE},
	{0},
};

/*
 * A peer's line, kept until the index has taken in what was fetched: a subscribed peer's
 * counts are the index's (bp_index_peer_changes), and the lines keep the peers' order.
 */
struct line {
	char *text;   /* what is said, or its start when `counted` */
	char *peer;   /* `counted`: the peer whose counts end the line */
	int counted;
};

/*
 * What the report callback keeps: the lines, and the exit status of a sync where peers failed,
 * 3 when any failed for a reason of the environment (unreachable, authentication, I/O), else
 * 2 (refused: an unsafe URL or content, the deletion guard, a file changed by hand in the way).
 */
struct sync_run {
	struct ctx *ctx;
	int worst_exit;
	struct line *lines;
	size_t nlines;
	int oom;
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

static void counts(FILE *out, size_t added, size_t changed, size_t removed)
{
	fprintf(out, "%zu new, %zu changed, %zu removed", added, changed, removed);
}

/* Say what happened to a shared peer. */
static void shared_line(FILE *out, const struct bp_sync_report *r)
{
	size_t i;

	if (r->unchanged) {
		fputs("up to date\n", out);
		return;
	}
	if (r->adopted_history) {
		fputs("took the team's history: ", out);
		counts(out, r->added, r->changed, r->removed);
	} else if (r->fast_forward) {
		fputs("fast-forward: ", out);
		counts(out, r->added, r->changed, r->removed);
	} else if (r->merged) {
		fputs("merged: ", out);
		counts(out, r->added, r->changed, r->removed);
	}
	if (r->pushed)
		fputs(r->merged || r->fast_forward || r->adopted_history ? "; pushed" : "pushed",
		      out);
	fputc('\n', out);
	for (i = 0; i < r->conflicts; i++) {
		const char *copy = r->conflict_paths[i];
		const char *mark = strstr(copy, ".conflict-");

		fputs("  conflict: both sides changed ", out);
		if (mark) {
			char *orig = strndup(copy, (size_t)(mark - copy));

			put_escaped(out, orig, 0);
			fputs(".md", out);
			free(orig);
		}
		fputs("; the other version is kept beside it as ", out);
		put_escaped(out, copy, 0);
		fputc('\n', out);
	}
	if (r->conflicts)
		fputs("  nothing was lost: keep one version, or merge them by hand, then remove the "
		      "other ('bestpractice check' lists what awaits a decision)\n",
		      out);
}

static void report(void *payload, const struct bp_sync_report *r)
{
	struct sync_run *run = payload;
	struct line *l;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	if (r->failed) {
		int x = exit_status(r->code) == EXIT_USAGE ? EXIT_USAGE : EXIT_ENV;

		errorf("%s", r->error);
		if (run->worst_exit != EXIT_ENV)
			run->worst_exit = x;
		return;
	}
	l = realloc(run->lines, (run->nlines + 1) * sizeof(*l));
	if (l)
		run->lines = l;
	out = l ? open_memstream(&text, &len) : NULL;
	if (!out) {
		run->oom = 1;
		return;
	}
	l += run->nlines++;
	memset(l, 0, sizeof(*l));
	put_escaped(out, r->peer, 0);
	fputs(": ", out);
	if (r->role == BP_PEER_SUBSCRIBED) {
		if (r->unchanged) {
			fputs("up to date\n", out);
		} else {
			if (r->rewritten)
				fputs("history rewritten, re-indexed: ", out);
			l->counted = 1;
			l->peer = strdup(r->peer);
			if (!l->peer)
				run->oom = 1;
		}
	} else {
		shared_line(out, r);
	}
	if (fclose(out) != 0)
		run->oom = 1;
	l->text = text;
}

/* Print the lines, a subscribed peer's with what the index took in of it. */
static void print_lines(struct sync_run *run)
{
	struct bp_peer_changes c;
	size_t i;

	for (i = 0; i < run->nlines; i++) {
		struct line *l = &run->lines[i];

		if (l->text)
			fputs(l->text, stdout);
		if (l->counted) {
			if (run->ctx->index && l->peer &&
			    bp_index_peer_changes(run->ctx->index, l->peer, &c) == 0) {
				counts(stdout, c.added, c.changed, c.removed);
				putchar('\n');
				if (c.mass_delete)
					warnf(run->ctx,
					      "peer '%s' removed %zu of its tips at once; they are no "
					      "longer searchable (your own tips are not affected)",
					      l->peer, c.removed);
			} else {
				puts("fetched, not indexed");
			}
		}
		free(l->text);
		free(l->peer);
	}
	free(run->lines);
	run->lines = NULL;
	run->nlines = 0;
}

static int run(struct ctx *ctx, struct args *a)
{
	struct bp_sync_opts so = {0};
	struct sync_run sr = {ctx, 0, NULL, 0, 0};
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
	print_lines(&sr);
	if (sr.oom) {
		errorf("out of memory");
		return EXIT_ENV;
	}
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
