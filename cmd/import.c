/*
 * import: Markdown files or folders of them into the KB, in one commit. A file without front
 * matter takes its title from its first heading or its file name, and its sector from
 * --sector or its folder.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cmd.h"

static const struct opt opts[] = {
	{'s', "sector", "SECTOR", 0, "the sector of files that name none", COMPLETE_SECTOR},
	{0},
};

#define IMPORT_MAX_FILES 100000
#define IMPORT_MAX_DEPTH 32

struct found {
	char **file;  /* path on disk */
	char **name;  /* "<folder>/<file>" for messages and the sector */
	size_t n, cap;
};

static int is_markdown(const char *name)
{
	size_t n = strlen(name);

	return (n > 3 && !strcasecmp(name + n - 3, ".md")) ||
	       (n > 9 && !strcasecmp(name + n - 9, ".markdown"));
}

static int add_found(struct found *f, const char *file, const char *name)
{
	if (f->n >= IMPORT_MAX_FILES) {
		errorf("more than %d files to import", IMPORT_MAX_FILES);
		return EXIT_USAGE;
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		char **a = realloc(f->file, cap * sizeof(*a)), **b;
		if (!a)
			return EXIT_ENV;
		f->file = a;
		b = realloc(f->name, cap * sizeof(*b));
		if (!b)
			return EXIT_ENV;
		f->name = b;
		f->cap = cap;
	}
	f->file[f->n] = strdup(file);
	f->name[f->n] = strdup(name);
	if (!f->file[f->n] || !f->name[f->n])
		return EXIT_ENV;
	f->n++;
	return 0;
}

/* The last component of a path, without trailing slashes, into buf. */
static const char *base_name(char *buf, size_t size, const char *path)
{
	size_t n = strlen(path);
	const char *slash;

	while (n > 1 && path[n - 1] == '/')
		n--;
	snprintf(buf, size, "%.*s", (int)n, path);
	slash = strrchr(buf, '/');
	return slash ? slash + 1 : buf;
}

/*
 * Collect the Markdown files under `dir`; `rel` is their name so far ("" at the top, whose
 * files are named after the folder given). Hidden entries and symbolic links are skipped.
 */
static int walk(struct found *f, const char *dir, const char *rel, const char *top, int depth)
{
	struct dirent **ents = NULL;
	int i, n, rc = 0;

	if (depth > IMPORT_MAX_DEPTH)
		return 0;
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		errorf("cannot read '%s': %s", dir, strerror(errno));
		return EXIT_USAGE;
	}
	for (i = 0; i < n; i++) {
		char *path = NULL, *name = NULL;
		struct stat st;

		if (rc || ents[i]->d_name[0] == '.')
			goto next;
		if (asprintf(&path, "%s/%s", dir, ents[i]->d_name) < 0) {
			path = NULL;
			rc = EXIT_ENV;
			goto next;
		}
		if (asprintf(&name, "%s/%s", *rel ? rel : top, ents[i]->d_name) < 0) {
			name = NULL;
			rc = EXIT_ENV;
			goto next;
		}
		if (lstat(path, &st) < 0)
			goto next;
		if (S_ISDIR(st.st_mode))
			rc = walk(f, path, *rel ? name : ents[i]->d_name, top, depth + 1);
		else if (S_ISREG(st.st_mode) && is_markdown(ents[i]->d_name))
			rc = add_found(f, path, name);
next:
		free(path);
		free(name);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

static int run(struct ctx *ctx, struct args *a)
{
	struct bp_article_opts lopts = {0};
	struct bp_warn w = {warn_cb, ctx};
	struct bp_article **arts = NULL;
	struct found f = {0};
	struct bp_error err;
	char **ids = NULL, buf[4096];
	size_t i, done = 0;
	int k, rc = 0;

	if (a->noperands < 1) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	if (arg_str(a, "sector") && !bp_is_valid_sector(arg_str(a, "sector"))) {
		errorf("invalid sector '%s': use lowercase letters, digits and hyphens",
		       arg_str(a, "sector"));
		return EXIT_USAGE;
	}
	for (k = 0; k < a->noperands && !rc; k++) {
		const char *p = a->operands[k];
		struct stat st;

		if (stat(p, &st) < 0) {
			errorf("cannot import '%s': %s", p, strerror(errno));
			rc = EXIT_USAGE;
		} else if (S_ISDIR(st.st_mode)) {
			rc = walk(&f, p, "", base_name(buf, sizeof(buf), p), 0);
		} else {
			/* A single file is named after its folder, which may be its sector. */
			char dirbuf[4096], *name = NULL;
			const char *slash = strrchr(p, '/');
			const char *folder = "";

			if (slash) {
				snprintf(dirbuf, sizeof(dirbuf), "%.*s", (int)(slash - p), p);
				folder = base_name(buf, sizeof(buf), dirbuf);
			}
			if (asprintf(&name, "%s%s%s", folder, *folder ? "/" : "",
				     slash ? slash + 1 : p) < 0)
				return EXIT_ENV;
			rc = add_found(&f, p, name);
			free(name);
		}
	}
	if (rc)
		goto out;
	if (!f.n) {
		errorf("no Markdown files to import");
		rc = EXIT_NOTHING;
		goto out;
	}
	arts = calloc(f.n, sizeof(*arts));
	ids = calloc(f.n, sizeof(*ids));
	if (!arts || !ids) {
		rc = EXIT_ENV;
		goto out;
	}
	lopts.default_sector = arg_str(a, "sector");
	lopts.warn = &w;
	for (i = 0; i < f.n; i++) {
		char *text = NULL;
		size_t len = 0;

		rc = read_input(&text, &len, f.file[i], &err);
		/* What the front matter says must be right; only what it lacks is derived. */
		if (!rc && len >= 3 && !strncmp(text, "---", 3)) {
			struct bp_article_opts sopts = {BP_ARTICLE_STRICT |
							BP_ARTICLE_ALLOW_MISSING};
			struct bp_article *check = NULL;

			rc = bp_article_parse(&check, f.file[i], text, len, &sopts, &err);
			bp_article_free(check);
		}
		if (!rc)
			rc = bp_article_parse(&arts[i], f.name[i], text, len, &lopts, &err);
		if (!rc)
			rc = bp_article_validate(arts[i], f.file[i], &err);
		free(text);
		if (rc) {
			rc = fail(&err);
			errorf("nothing was imported");
			goto out;
		}
	}
	rc = bp_kb_import(ids, ctx->kb, arts, f.n, &err);
	if (rc) {
		rc = fail(&err);
		goto out;
	}
	for (i = 0; i < f.n; i++) {
		put_escaped(stdout, ids[i], 0);
		putchar('\n');
		done++;
	}
	fprintf(stderr, "imported %zu article%s\n", done, done == 1 ? "" : "s");
out:
	for (i = 0; i < f.n; i++) {
		free(f.file[i]);
		free(f.name[i]);
		if (arts)
			bp_article_free(arts[i]);
		if (ids)
			bp_free(ids[i]);
	}
	free(f.file);
	free(f.name);
	free(arts);
	free(ids);
	return rc;
}

const struct cmd cmd_import = {
	.name = "import",
	.summary = "import Markdown files or folders in one commit",
	.operands = "PATH...",
	.opts = opts,
	.flags = CMD_KB,
	.complete = COMPLETE_FILE,
	.run = run,
};
