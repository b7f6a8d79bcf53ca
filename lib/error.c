/*
 * Errors and warnings: how the library tells its caller what failed, without printing.
 */
#include <stdio.h>
#include <string.h>

#include "util.h"

/* Cut `s` at a UTF-8 boundary so that a truncated message stays valid text. */
static void trim_partial_utf8(char *s)
{
	size_t len = strlen(s), i = len;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i > 0 && ((unsigned char)s[i - 1] & 0x80)) {
		unsigned char lead = (unsigned char)s[i - 1];
		size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
		if (len - (i - 1) < need)
			s[i - 1] = '\0';
	}
}

int bp_error_vset(struct bp_error *err, int code, const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	if (vsnprintf(err->msg, sizeof(err->msg), fmt, ap) >= (int)sizeof(err->msg))
		trim_partial_utf8(err->msg);
	return code;
}

int bp_error_set(struct bp_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bp_error_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int bp_error_prefix(struct bp_error *err, const char *fmt, ...)
{
	char prefix[BP_ERROR_MAX], old[BP_ERROR_MAX];
	va_list ap;

	if (!err)
		return 0;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	if (snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old) >= (int)sizeof(err->msg))
		trim_partial_utf8(err->msg);
	return err->code;
}

void bp_error_clear(struct bp_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

int bp_error_nomem(struct bp_error *err)
{
	return bp_error_set(err, BP_ENOMEM, "out of memory");
}

void bp_warn(const struct bp_warn *w, const char *fmt, ...)
{
	char msg[BP_ERROR_MAX];
	va_list ap;

	if (!w || !w->fn)
		return;
	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) >= (int)sizeof(msg))
		trim_partial_utf8(msg);
	va_end(ap);
	w->fn(w->payload, msg);
}
