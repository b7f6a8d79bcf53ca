/*
 * Slugs, private side: the slug maker behind bp_slugify(), also used to turn a folder name into
 * a sector. Not part of the public API.
 */
#ifndef BP_SLUG_H
#define BP_SLUG_H

#include <stddef.h>
#include "bp/common.h"

/*
 * As bp_slugify() (`len` bytes of `s`, cut at a hyphen to at most `max` bytes, max > 0), but
 * *out is "" rather than "untitled" when nothing is left, so each caller picks its fallback.
 */
int bp_slug_make(char **out, const char *s, size_t len, size_t max, struct bp_error *err);

#endif
