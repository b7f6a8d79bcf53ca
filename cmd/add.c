/*
 * add: write a new tip. The text comes from --file, from standard input when it is not a
 * terminal, or from the user's editor opened on a template; the new id is printed.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "article_input.h"

static const struct opt opts[] = {
	{'t', "title", "TITLE", 0, "the tip's title", COMPLETE_NONE},
	{'s', "sector", "SECTOR", 0, "its sector (law, medical, museum, ...)", COMPLETE_SECTOR},
	{'g', "tag", "TAG", OPT_REPEAT, "a tag (may be repeated)", COMPLETE_TAG},
	{'f', "file", "FILE", 0, "read the article or its body from FILE ('-': stdin)",
	 COMPLETE_FILE},
	{'e', "edit", NULL, 0, "open the editor even when standard input is not a terminal",
	 COMPLETE_NONE},
	{0},
};

/* Open the editor on a template; the result, cut at the scissors line, in *out. */
static int from_editor(struct ctx *ctx, char **out, size_t *len, const char *title,
		       const char *sector, const char *const *tags, size_t ntags,
		       struct bp_error *err)
{
	char *tmpl = NULL, *dir = NULL, *path = NULL, *text = NULL;
	size_t tlen = 0, n = 0;
	FILE *f = NULL;
	int fd, rc;

	*out = NULL;
	rc = make_template(&tmpl, &tlen, title, sector, tags, ntags, err);
	if (!rc)
		rc = bp_kb_private_dir(&dir, ctx->kb, err);
	if (rc)
		goto out;
	if (asprintf(&path, "%s/new-tip-XXXXXX.md", dir) < 0) {
		path = NULL;
		rc = bp_error_set(err, BP_ENOMEM, "out of memory");
		goto out;
	}
	fd = mkstemps(path, 3);
	if (fd < 0 || !(f = fdopen(fd, "w")) || fwrite(tmpl, 1, tlen, f) != tlen ||
	    fclose(f) != 0) {
		rc = bp_error_set(err, BP_EIO, "cannot write '%s'", path);
		goto out;
	}
	rc = run_editor(ctx, path, err);
	if (!rc)
		rc = read_input(&text, &n, path, err);
	if (rc)
		goto out;
	if (n == tlen && !memcmp(text, tmpl, n)) {
		rc = bp_error_set(err, BP_EABORTED, "aborted: the template was left unchanged; "
				  "nothing was added");
		goto out;
	}
	n = cut_at_scissors(text, n);
	*out = text;
	*len = n;
	text = NULL;
out:
	if (path)
		unlink(path);
	free(text);
	free(path);
	bp_free(dir);
	free(tmpl);
	return rc;
}

static int run(struct ctx *ctx, struct args *a)
{
	struct bp_article *art = NULL;
	struct bp_error err;
	const char *file = arg_str(a, "file"), *name;
	const char *const *tags;
	char *text = NULL, *id = NULL, *saved = NULL;
	size_t len = 0, ntags;
	int rc, typed = 0;

	if (a->noperands) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	tags = arg_list(a, "tag", &ntags);
	if (file) {
		name = strcmp(file, "-") ? file : "<stdin>";
		typed = !strcmp(file, "-");
		rc = read_input(&text, &len, file, &err);
	} else if (!isatty(STDIN_FILENO) && !arg_flag(a, "edit")) {
		name = "<stdin>";
		typed = 1;
		rc = read_input(&text, &len, "-", &err);
	} else {
		name = "<editor>";
		typed = 1;
		rc = from_editor(ctx, &text, &len, arg_str(a, "title"), arg_str(a, "sector"),
				 tags, ntags, &err);
	}
	if (rc)
		goto fail;
	if (is_blank(text, len)) {
		rc = bp_error_set(&err, BP_EABORTED, "aborted: the article is empty; nothing "
				  "was added");
		goto fail;
	}
	rc = article_from_text(&art, name, text, len, arg_str(a, "title"), arg_str(a, "sector"),
			       tags, ntags, &err);
	if (!rc)
		rc = bp_kb_add(&id, ctx->kb, art, &err);
	if (rc)
		goto fail;
	put_escaped(stdout, id, 0);
	putchar('\n');
	goto out;
fail:
	/* Whatever the user typed survives a refusal. */
	if (typed && text && !is_blank(text, len) && rc != BP_EABORTED &&
	    save_text(&saved, ctx, "tip", text, len, NULL) == 0) {
		char msg[BP_ERROR_MAX];

		snprintf(msg, sizeof(msg), "%s", err.msg);
		bp_error_set(&err, rc, "%s (your text is saved in %s)", msg, saved);
	}
	rc = fail(&err);
out:
	free(saved);
	bp_free(id);
	bp_article_free(art);
	free(text);
	return rc;
}

const struct cmd cmd_add = {
	.name = "add",
	.summary = "add a tip",
	.opts = opts,
	.flags = CMD_KB,
	.run = run,
};
