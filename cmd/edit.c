/*
 * edit: open an article in the user's editor and commit the result. Text that is not a
 * valid article is not committed but kept in a file the error names.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "article_input.h"

static int run(struct ctx *ctx, struct args *a)
{
	struct bp_article *art = NULL;
	struct bp_error err;
	char *path = NULL, *old = NULL, *text = NULL, *dir = NULL, *tmp = NULL, *saved = NULL;
	size_t oldlen = 0, len = 0;
	FILE *f = NULL;
	int fd, changed = 0, rc;

	if (a->noperands != 1) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	rc = bp_kb_resolve(&path, ctx->kb, a->operands[0], &err);
	if (!rc)
		rc = bp_kb_read(&old, &oldlen, ctx->kb, path, &err);
	if (!rc)
		rc = bp_kb_private_dir(&dir, ctx->kb, &err);
	if (rc)
		goto fail;
	if (asprintf(&tmp, "%s/edit-XXXXXX.md", dir) < 0) {
		tmp = NULL;
		rc = bp_error_set(&err, BP_ENOMEM, "out of memory");
		goto fail;
	}
	fd = mkstemps(tmp, 3);
	if (fd < 0 || !(f = fdopen(fd, "w")) || fwrite(old, 1, oldlen, f) != oldlen ||
	    fclose(f) != 0) {
		rc = bp_error_set(&err, BP_EIO, "cannot write '%s'", tmp);
		goto fail;
	}
	rc = run_editor(ctx, tmp, &err);
	if (!rc)
		rc = read_input(&text, &len, tmp, &err);
	if (rc)
		goto fail;
	if (len == oldlen && !memcmp(text, old, len)) {
		printf("no changes to %.*s\n", (int)(strlen(path) - 3), path);
		goto out;
	}
	if (is_blank(text, len)) {
		rc = bp_error_set(&err, BP_EABORTED, "aborted: the article was emptied; nothing "
				  "changed (use 'bestpractice rm' to remove it)");
		goto fail;
	}
	rc = bp_article_parse(&art, path, text, len, NULL, &err);
	if (!rc)
		rc = bp_kb_update(&changed, ctx->kb, path, art, &err);
	if (rc)
		goto fail;
	printf("%s %.*s\n", changed ? "edited" : "no changes to", (int)(strlen(path) - 3), path);
	goto out;
fail:
	if (text && !is_blank(text, len) && rc != BP_EABORTED &&
	    save_text(&saved, ctx, "edit", text, len, NULL) == 0) {
		char msg[BP_ERROR_MAX];

		snprintf(msg, sizeof(msg), "%s", err.msg);
		bp_error_set(&err, rc, "%s (nothing committed; your text is saved in %s)", msg,
			     saved);
	}
	rc = fail(&err);
out:
	if (tmp)
		unlink(tmp);
	free(saved);
	free(tmp);
	bp_free(dir);
	free(text);
	bp_free(old);
	bp_free(path);
	bp_article_free(art);
	return rc;
}

const struct cmd cmd_edit = {
	.name = "edit",
	.summary = "edit an article in your editor",
	.operands = "ID",
	.flags = CMD_KB,
	.complete = COMPLETE_OWN_ID,
	.run = run,
};
