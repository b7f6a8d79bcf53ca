/*
 * The terminal renderer behind bp_render_article(), taking an article's fields directly, so
 * that it can be tested (and used) without a parsed struct bp_article. Private to the library.
 */
#ifndef BP_RENDER_FIELDS_H
#define BP_RENDER_FIELDS_H

#include <stddef.h>
#include "bp/common.h"

/* What the renderer shows of an article; any pointer may be NULL (the field is left out). */
struct bp_render_fields {
	const char *title;
	const char *sector;
	const char *const *tags;
	size_t ntags;
	const char *author;
	const char *created;
	const char *body; /* CommonMark, not NUL-terminated */
	size_t body_len;
};

/* As bp_render_article() (bp/render.h), from the fields. */
int bp_render_fields(char **out, size_t *out_len, const struct bp_render_fields *f, int width,
		     unsigned flags, struct bp_error *err);

#endif
