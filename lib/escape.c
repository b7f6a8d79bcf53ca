/*
 * Escaping of text that came from anyone else (titles, bodies, URLs, peer names) before it
 * reaches a human-readable output. A terminal obeys control characters: ESC and C1 CSI start
 * sequences that can retitle the window, write to the clipboard (OSC 52) or hide text, and
 * bidirectional overrides reorder what the reader sees. They are written as visible escapes.
 */
#include <stdio.h>

#include "bp/render.h"
#include "util.h"

enum esc_kind {
	ESC_NONE, /* copy */
	ESC_BYTE, /* a control byte or a byte that is not UTF-8: "\x1b", "\xff" */
	ESC_CP,   /* a C1 control or a bidi control: "\u009b", "\u202e" */
};

static int is_bidi_control(unsigned cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* What to do with the character at s; *n gets its length in bytes. */
static enum esc_kind classify(const char *s, size_t len, unsigned flags, size_t *n)
{
	unsigned char c = (unsigned char)*s;
	unsigned cp;

	*n = 1;
	if (c >= 0x20 && c < 0x7f)
		return ESC_NONE;
	if (c == '\n' && (flags & BP_ESCAPE_KEEP_NEWLINE))
		return ESC_NONE;
	if (c == '\t' && (flags & BP_ESCAPE_KEEP_TAB))
		return ESC_NONE;
	if (c < 0x80)
		return ESC_BYTE;
	*n = bp_utf8_decode(s, len, &cp);
	if (!*n) {
		*n = 1;
		return ESC_BYTE;
	}
	if (cp <= 0x9F || is_bidi_control(cp))
		return ESC_CP;
	return ESC_NONE;
}

int bp_buf_add_escaped(struct bp_buf *b, const char *s, size_t len, unsigned flags)
{
	size_t i = 0, run = 0, n;
	unsigned cp = 0;

	while (i < len) {
		enum esc_kind k = classify(s + i, len - i, flags, &n);

		if (k == ESC_NONE) {
			i += n;
			continue;
		}
		bp_buf_add(b, s + run, i - run);
		if (k == ESC_BYTE) {
			bp_buf_addf(b, "\\x%02x", (unsigned char)s[i]);
		} else {
			bp_utf8_decode(s + i, len - i, &cp);
			bp_buf_addf(b, "\\u%04x", cp);
		}
		i += n;
		run = i;
	}
	bp_buf_add(b, s + run, i - run);
	return bp_buf_oom(b) ? BP_ENOMEM : 0;
}

int bp_escape(char **out, const char *s, size_t len, unsigned flags, struct bp_error *err)
{
	struct bp_buf b = BP_BUF_INIT;

	*out = NULL;
	if (bp_buf_add_escaped(&b, s, len, flags) || !(*out = bp_buf_detach(&b, NULL))) {
		bp_buf_release(&b);
		return bp_error_nomem(err);
	}
	return 0;
}

int bp_needs_escape(const char *s, size_t len, unsigned flags)
{
	size_t i = 0, n;

	while (i < len) {
		if (classify(s + i, len - i, flags, &n) != ESC_NONE)
			return 1;
		i += n;
	}
	return 0;
}

int bp_json_escape(char **out, const char *json, size_t len, struct bp_error *err)
{
	struct bp_buf b = BP_BUF_INIT;
	size_t i = 0, run = 0, n;
	unsigned cp;

	*out = NULL;
	while (i < len) {
		unsigned char c = (unsigned char)json[i];

		if (c < 0x7f) {
			i++;
			continue;
		}
		n = c == 0x7f ? 1 : bp_utf8_decode(json + i, len - i, &cp);
		if (n && c != 0x7f && cp > 0x9F && !is_bidi_control(cp)) {
			i += n;
			continue;
		}
		bp_buf_add(&b, json + run, i - run);
		if (c == 0x7f)
			cp = 0x7f;
		else if (!n)
			cp = 0xFFFD, n = 1;
		bp_buf_addf(&b, "\\u%04x", cp);
		i += n;
		run = i;
	}
	bp_buf_add(&b, json + run, i - run);
	if (bp_buf_oom(&b) || !(*out = bp_buf_detach(&b, NULL))) {
		bp_buf_release(&b);
		return bp_error_nomem(err);
	}
	return 0;
}
