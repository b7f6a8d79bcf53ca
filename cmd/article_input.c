/*
 * What add and edit share: the template the editor opens, the scissors line that ends what
 * the user wrote, and turning text into an article with the options applied.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "article_input.h"

const char scissors[] = "# ------------------------ >8 ------------------------\n";

static const char help_text[] =
	"# Write your tip above this line, in Markdown; everything from the line above\n"
	"# down is removed. Fill in the title and the sector (law, medical, corporate,\n"
	"# archives, academic, public, school, museum, or your own, in lowercase).\n"
	"# Leave the file empty or unchanged to abort.\n";

size_t cut_at_scissors(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		if (n >= sizeof(scissors) - 2 && !strncmp(p, scissors, sizeof(scissors) - 2))
			return (size_t)(p - text);
		p += n;
	}
	return len;
}

int is_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

/* The line of `fm` that starts with `key` (a top-level field), or NULL. */
static const char *field_line(const char *fm, const char *key)
{
	const char *p = fm;

	while (p && *p) {
		if (!strncmp(p, key, strlen(key)))
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

int make_template(char **out, size_t *len, const char *title, const char *sector,
		  const char *const *tags, size_t ntags, struct bp_error *err)
{
	struct bp_article *a = NULL;
	char *fm = NULL;
	size_t fmlen = 0, n;
	int rc;

	*out = NULL;
	rc = bp_article_new(&a, err);
	if (!rc && title)
		rc = bp_article_set_title(a, title, err);
	if (!rc && sector)
		rc = bp_article_set_sector(a, sector, err);
	if (!rc && ntags)
		rc = bp_article_set_tags(a, tags, ntags, err);
	if (!rc)
		rc = bp_article_serialize(&fm, &fmlen, a, err);
	if (rc)
		goto out;
	/*
	 * fm is "---\n<one line per field>---\n". Lay the template out as title, sector, tags,
	 * with an empty field where the options gave nothing, so the user sees what to fill.
	 */
	n = fmlen + 64 + sizeof(scissors) + sizeof(help_text);
	*out = malloc(n);
	if (!*out) {
		rc = bp_error_set(err, BP_ENOMEM, "out of memory");
		goto out;
	}
	*len = (size_t)snprintf(*out, n, "---\n");
	{
		static const char *const keys[] = {"title:", "sector:", "tags:"};
		static const char *const empty[] = {"title: \n", "sector: \n", "tags: []\n"};
		size_t k;

		for (k = 0; k < 3; k++) {
			const char *line = field_line(fm, keys[k]);
			size_t ll = line ? strcspn(line, "\n") + 1 : 0;

			if (line) {
				memcpy(*out + *len, line, ll);
				*len += ll;
			} else {
				*len += (size_t)snprintf(*out + *len, n - *len, "%s", empty[k]);
			}
		}
	}
	*len += (size_t)snprintf(*out + *len, n - *len, "---\n\n\n%s%s", scissors, help_text);
out:
	bp_free(fm);
	bp_article_free(a);
	return rc;
}

int article_from_text(struct bp_article **out, const char *name, const char *text,
		      size_t len, const char *title, const char *sector,
		      const char *const *tags, size_t ntags, struct bp_error *err)
{
	struct bp_article *a = NULL;
	const char **all = NULL;
	size_t i, j, n = 0;
	int rc;

	*out = NULL;
	if (len >= 3 && !strncmp(text, "---", 3) && (len == 3 || text[3] == '\n' || text[3] == '\r')) {
		/* Title and sector may come from the options: checked after applying them. */
		struct bp_article_opts o = {BP_ARTICLE_STRICT | BP_ARTICLE_ALLOW_MISSING};

		rc = bp_article_parse(&a, name, text, len, &o, err);
	} else {
		rc = bp_article_new(&a, err);
		if (!rc)
			rc = bp_article_set_body(a, text, len, err);
	}
	if (rc)
		goto out;
	if (title && (rc = bp_article_set_title(a, title, err)))
		goto out;
	if (sector && (rc = bp_article_set_sector(a, sector, err)))
		goto out;
	if (ntags) {
		/* -g adds to the tags the text already has. */
		all = calloc(bp_article_tag_count(a) + ntags + 1, sizeof(*all));
		if (!all) {
			rc = bp_error_set(err, BP_ENOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < bp_article_tag_count(a); i++)
			all[n++] = bp_article_tag(a, i);
		for (i = 0; i < ntags; i++) {
			for (j = 0; j < n && strcmp(all[j], tags[i]); j++)
				;
			if (j == n)
				all[n++] = tags[i];
		}
		rc = bp_article_set_tags(a, all, n, err);
		if (rc)
			goto out;
	}
	rc = bp_article_validate(a, name, err);
	if (rc)
		goto out;
	*out = a;
	a = NULL;
out:
	free(all);
	bp_article_free(a);
	return rc;
}
