/*
 * show: one article, rendered for reading (through cmark, with colour and a pager on a
 * terminal), as the file it is (--raw), or as JSON.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cmd.h"

static const struct opt opts[] = {
	{0, "raw", NULL, 0, "print the file as it is", COMPLETE_NONE},
	{0, "json", NULL, 0, "print the article as one JSON object", COMPLETE_NONE},
	{0, "diff", NULL, 0, "for an adopted tip, what changed at its origin since", COMPLETE_NONE},
	{0},
};

static int keep_json(const struct bp_hit *h, void *payload)
{
	char **json = payload;

	*json = strdup(h->json);
	return 0;
}

static int keep_sector(const struct bp_hit *h, void *payload)
{
	char **sector = payload;

	*sector = strdup(h->sector);
	return 0;
}

/* "law/x" -> "law/x.md" into buf. */
static void strcat_md(char *buf, size_t size, const char *id)
{
	snprintf(buf, size, "%s.md", id);
}

static int terminal_width(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col > 100 ? 100 : ws.ws_col;
	return 80;
}

static int run(struct ctx *ctx, struct args *a)
{
	struct bp_article *art = NULL;
	struct bp_article_opts lenient = {0};
	struct bp_error err;
	char *id = NULL, *text = NULL, *out = NULL, *json = NULL, *full = NULL, *sector = NULL;
	size_t len = 0, outlen = 0;
	char path_buf[1100];
	int rc;

	if (a->noperands != 1) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	rc = bp_index_resolve(&id, ctx->index, a->operands[0], &err);
	if (!rc)
		rc = bp_index_read(&text, &len, ctx->index, id, &err);
	if (rc)
		goto fail;
	if (arg_flag(a, "diff")) {
		char *diff = NULL;

		if (strchr(id, ':')) {
			rc = bp_error_set(&err, BP_EINVALID, "--diff is for tips you adopted; "
					  "'%s' is a peer's", id);
			goto fail;
		}
		strcat_md(path_buf, sizeof(path_buf), id);
		rc = bp_upstream_diff(&diff, ctx->kb, path_buf, &err);
		if (rc)
			goto fail;
		if (!*diff)
			puts("no change at its origin since it was adopted");
		else
			put_escaped(stdout, diff, BP_ESCAPE_KEEP_NEWLINE | BP_ESCAPE_KEEP_TAB);
		bp_free(diff);
		goto out;
	}
	if (arg_flag(a, "raw")) {
		/* The one output that is not escaped: the bytes the user asked for. */
		fwrite(text, 1, len, stdout);
		goto out;
	}
	if (arg_flag(a, "json")) {
		rc = bp_index_get(ctx->index, id, keep_json, &json, &err);
		if (!rc && !json)
			rc = bp_error_set(&err, BP_ENOMEM, "out of memory");
		if (!rc)
			rc = bp_json_set(&full, ctx->index, json, "text", text, &err);
		if (rc)
			goto fail;
		put_json_line(full);
		goto out;
	}
	/* Read as the index read it: a peer's file under its path, in the sector the index
	 * derived (the peer's default sector for a file that names none). */
	rc = bp_article_parse(&art, strchr(id, ':') ? strchr(id, ':') + 1 : id, text, len, &lenient,
			      &err);
	if (!rc && strchr(id, ':') && bp_index_get(ctx->index, id, keep_sector, &sector, NULL) == 0 &&
	    sector)
		bp_article_set_sector(art, sector, NULL);
	if (!rc)
		rc = bp_render_article(&out, &outlen, art, ctx->out_tty ? terminal_width() : 0,
				       ctx->color ? BP_RENDER_COLOR : 0, &err);
	if (rc)
		goto fail;
	if (strchr(id, ':')) {
		*strchr(id, ':') = '\0';
		fputs("from peer ", stdout);
		put_escaped(stdout, id, 0);
		fputs("\n\n", stdout);
	}
	fwrite(out, 1, outlen, stdout);
	goto out;
fail:
	rc = fail(&err);
out:
	free(sector);
	free(full);
	free(json);
	bp_free(out);
	bp_article_free(art);
	bp_free(text);
	bp_free(id);
	return rc;
}

const struct cmd cmd_show = {
	.name = "show",
	.summary = "show an article",
	.operands = "ID",
	.opts = opts,
	.flags = CMD_KB | CMD_INDEX | CMD_PAGER,
	.complete = COMPLETE_ID,
	.run = run,
};
