/*
 * Private helpers of libbestpractice: the allocator with its fault-injection hook, a growable
 * byte buffer, and small string utilities. Not part of the public API.
 */
#ifndef BP_UTIL_H
#define BP_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include "bp/common.h"
#include "banned.h"

/*
 * Every allocation of the library goes through these. They return NULL on failure like the
 * C library's, and also when a test asked for the Nth allocation to fail.
 */
void *bp_malloc(size_t n);
void *bp_calloc(size_t nmemb, size_t size);
void *bp_realloc(void *p, size_t n);
char *bp_strdup(const char *s);
char *bp_strndup(const char *s, size_t n);
/* bp_free() is public: see bp/common.h. */

/*
 * Fault injection for tests: make the allocation `n` calls from now fail (1 = the next one),
 * and every one after it when `sticky` is set; 0 turns it off. Returns the number of
 * allocations made since the last call, so a test can count a run and then fail each one.
 */
unsigned long bp_alloc_fail_at(unsigned long n, int sticky);

/* Set err to BP_ENOMEM ("out of memory") and return BP_ENOMEM. */
int bp_error_nomem(struct bp_error *err);

/*
 * A growable byte buffer, always NUL-terminated once anything was added. After a failed
 * allocation it stays in an error state: further additions do nothing and return BP_ENOMEM,
 * so a sequence of additions can be checked once at the end (bp_buf_oom).
 */
struct bp_buf {
	char *ptr;
	size_t len;
	size_t cap;
	int oom;
};

#define BP_BUF_INIT {NULL, 0, 0, 0}

int bp_buf_grow(struct bp_buf *b, size_t extra);
int bp_buf_add(struct bp_buf *b, const void *data, size_t len);
int bp_buf_addstr(struct bp_buf *b, const char *s);
int bp_buf_addch(struct bp_buf *b, char c);
int bp_buf_addf(struct bp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int bp_buf_vaddf(struct bp_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void bp_buf_truncate(struct bp_buf *b, size_t len);
static inline int bp_buf_oom(const struct bp_buf *b)
{
	return b->oom;
}
/* The contents as a NUL-terminated string ("" when empty); borrowed. */
const char *bp_buf_cstr(const struct bp_buf *b);
/* Hand the contents to the caller (NUL-terminated; "" allocated when empty) and reset. */
char *bp_buf_detach(struct bp_buf *b, size_t *len);
void bp_buf_release(struct bp_buf *b);

/*
 * Append `len` bytes of `s`, writing what bp_escape() escapes (see bp/render.h; `flags` are
 * its BP_ESCAPE_* flags) as visible escapes. Returns 0 or BP_ENOMEM. In lib/escape.c.
 */
int bp_buf_add_escaped(struct bp_buf *b, const char *s, size_t len, unsigned flags);

/*
 * Markdown is parsed at most this much at a time where only its text matters (the search
 * index, a title from a heading): cmark's tree costs up to a few hundred bytes per byte.
 */
#define BP_MARKDOWN_PIECE (256u << 10)

/*
 * The length of the first piece of `len` bytes of Markdown to parse on its own: all of it
 * when at most `max` bytes, else up to its last blank line within `max` bytes, else its last
 * line end, else `max` (at a character boundary). In lib/render.c.
 */
size_t bp_markdown_piece(const char *md, size_t len, size_t max);

/* Whether `s` (len bytes) is valid UTF-8; *bad gets the offset of the first bad byte. */
int bp_utf8_valid(const char *s, size_t len, size_t *bad);

/*
 * Decode one UTF-8 sequence at s (at most len bytes). Returns its length and stores the code
 * point, or returns 0 for an invalid or truncated sequence (overlongs and surrogates are
 * invalid).
 */
size_t bp_utf8_decode(const char *s, size_t len, unsigned *cp);

#define BP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
