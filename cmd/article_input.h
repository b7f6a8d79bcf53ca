/* What add and edit share: see article_input.c. */
#ifndef BP_CMD_ARTICLE_INPUT_H
#define BP_CMD_ARTICLE_INPUT_H

#include <stddef.h>
#include "bestpractice.h"

/* The line below which the editor's text is removed (git's "scissors"). */
extern const char scissors[];

/* The length of `text` up to the scissors line, if any. */
size_t cut_at_scissors(const char *text, size_t len);

/* Whether the text is nothing but white space. */
int is_blank(const char *s, size_t len);

/* The text the editor opens for a new article (malloc'd). */
int make_template(char **out, size_t *len, const char *title, const char *sector,
		  const char *const *tags, size_t ntags, struct bp_error *err);

/*
 * An article from what the user gave: a whole article (front matter first) or a body; the
 * options' title and sector replace the text's, their tags are added. Validated strictly;
 * messages name `name`.
 */
int article_from_text(struct bp_article **out, const char *name, const char *text,
		      size_t len, const char *title, const char *sector,
		      const char *const *tags, size_t ntags, struct bp_error *err);

#endif
