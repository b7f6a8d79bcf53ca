/*
 * What the fuzz targets share: the entry point that libFuzzer (or tests/fuzz/replay.c) calls,
 * a check that stops the run with a message when a property fails, and plain re-checks of
 * UTF-8 and of what may reach a terminal, written here independently of lib/ so that a target
 * does not grade the library with the library's own helpers.
 *
 * A target returns 0 for every input; a broken property aborts, which libFuzzer reports as a
 * crash with the input saved, and the replay runner as a failed test.
 */
#ifndef BP_FUZZ_H
#define BP_FUZZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * For the checking code of the targets: its branches are no coverage of the library worth
 * steering by, and instrumenting them slows every run down.
 */
#if defined(__clang__)
#define FUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define FUZZ_NO_COVERAGE
#endif

static inline void fuzz_fail(const char *file, int line, const char *cond, const char *fmt,
			     ...) __attribute__((format(printf, 4, 5), noreturn));

static inline void fuzz_fail(const char *file, int line, const char *cond, const char *fmt,
			     ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: property failed: %s\n", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* FUZZ_CHECK(cond, "printf format", ...): abort with the message when cond is false. */
#define FUZZ_CHECK(cond, ...)                                                               \
	do {                                                                                \
		if (!(cond))                                                                \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                  \
	} while (0)

/*
 * Decode one UTF-8 sequence at s (len bytes available): its length, with the code point in
 * *cp, or 0 when it is not a shortest-form sequence of a Unicode scalar value.
 */
FUZZ_NO_COVERAGE
static inline size_t fuzz_utf8_decode(const char *s, size_t len, unsigned *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, i;
	unsigned c, min;

	if (!len)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xC0 && u[0] < 0xE0) {
		n = 2, c = u[0] & 0x1Fu, min = 0x80;
	} else if (u[0] >= 0xE0 && u[0] < 0xF0) {
		n = 3, c = u[0] & 0x0Fu, min = 0x800;
	} else if (u[0] >= 0xF0 && u[0] < 0xF8) {
		n = 4, c = u[0] & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (u[i] & 0x3Fu);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* Whether len bytes of s are valid UTF-8; *bad (may be NULL) gets the first bad offset. */
FUZZ_NO_COVERAGE
static inline int fuzz_utf8_valid(const char *s, size_t len, size_t *bad)
{
	size_t i = 0, n;
	unsigned cp = 0;

	while (i < len) {
		if (!(n = fuzz_utf8_decode(s + i, len - i, &cp))) {
			if (bad)
				*bad = i;
			return 0;
		}
		i += n;
	}
	return 1;
}

FUZZ_NO_COVERAGE
static inline int fuzz_is_bidi_control(unsigned cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * Check that text is safe to show in a terminal, as bp_escape promises: valid UTF-8, no C0
 * control (but '\n' and '\t' when allowed), no DEL, no C1 control, no bidi control.
 * `what` names the text in the message.
 */
FUZZ_NO_COVERAGE
static inline void fuzz_check_shown(const char *what, const char *s, size_t len, int newline,
				    int tab)
{
	size_t i = 0, n, bad = 0;
	unsigned cp = 0;

	FUZZ_CHECK(fuzz_utf8_valid(s, len, &bad), "%s: invalid UTF-8 at byte %zu of %zu", what,
		   bad, len);
	while (i < len) {
		n = fuzz_utf8_decode(s + i, len - i, &cp);
		FUZZ_CHECK(cp >= 0x20 || (cp == '\n' && newline) || (cp == '\t' && tab),
			   "%s: control character 0x%02x at byte %zu", what, cp, i);
		FUZZ_CHECK(cp < 0x7F || cp > 0x9F, "%s: DEL or C1 control U+%04X at byte %zu",
			   what, cp, i);
		FUZZ_CHECK(!fuzz_is_bidi_control(cp), "%s: bidi control U+%04X at byte %zu", what,
			   cp, i);
		i += n;
	}
}

/* A NUL-terminated copy of the input (the library's string APIs stop at the first NUL). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
