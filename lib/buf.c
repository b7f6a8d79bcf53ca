/*
 * A growable byte buffer with a sticky out-of-memory state, and UTF-8 helpers.
 */
#include <stdio.h>
#include <string.h>

#include "util.h"

int bp_buf_grow(struct bp_buf *b, size_t extra)
{
	size_t want, cap;
	char *p;

	if (b->oom)
		return BP_ENOMEM;
	if (extra > ((size_t)-1) / 2 - b->len - 1)
		goto fail;
	want = b->len + extra + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap *= 2;
	p = bp_realloc(b->ptr, cap);
	if (!p)
		goto fail;
	b->ptr = p;
	b->cap = cap;
	return 0;
fail:
	b->oom = 1;
	return BP_ENOMEM;
}

int bp_buf_add(struct bp_buf *b, const void *data, size_t len)
{
	if (bp_buf_grow(b, len))
		return BP_ENOMEM;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int bp_buf_addstr(struct bp_buf *b, const char *s)
{
	return bp_buf_add(b, s, strlen(s));
}

int bp_buf_addch(struct bp_buf *b, char c)
{
	return bp_buf_add(b, &c, 1);
}

int bp_buf_vaddf(struct bp_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (bp_buf_grow(b, 64))
		return BP_ENOMEM;
	va_copy(cp, ap);
	n = vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->ptr[b->len] = '\0';
		return 0;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (bp_buf_grow(b, (size_t)n))
			return BP_ENOMEM;
		vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
	return 0;
}

int bp_buf_addf(struct bp_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = bp_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

void bp_buf_truncate(struct bp_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->ptr[len] = '\0';
	}
}

const char *bp_buf_cstr(const struct bp_buf *b)
{
	return b->ptr ? b->ptr : "";
}

char *bp_buf_detach(struct bp_buf *b, size_t *len)
{
	char *p;

	if (b->oom) {
		bp_buf_release(b);
		return NULL;
	}
	if (!b->ptr && bp_buf_add(b, "", 0))
		return NULL;
	p = b->ptr;
	if (len)
		*len = b->len;
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void bp_buf_release(struct bp_buf *b)
{
	bp_free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

size_t bp_utf8_decode(const char *s, size_t len, unsigned *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned c, min;
	size_t n, i;

	if (!len)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xE0) == 0xC0) {
		n = 2, c = u[0] & 0x1F, min = 0x80;
	} else if ((u[0] & 0xF0) == 0xE0) {
		n = 3, c = u[0] & 0x0F, min = 0x800;
	} else if ((u[0] & 0xF8) == 0xF0) {
		n = 4, c = u[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

int bp_utf8_valid(const char *s, size_t len, size_t *bad)
{
	size_t i = 0, n;
	unsigned cp;

	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = bp_utf8_decode(s + i, len - i, &cp);
		if (!n) {
			if (bad)
				*bad = i;
			return 0;
		}
		i += n;
	}
	return 1;
}
