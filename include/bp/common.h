/*
 * Errors, warnings and the allocator shared by every part of libbestpractice.
 *
 * Every function of the library that can fail returns 0 or a negative BP_E* code and, when the
 * caller passes a struct bp_error, fills it with the same code and a message that names the
 * subject ("law/x.md:3: 'tags' must be a list"). The library never prints and never exits:
 * the caller decides what the user sees.
 */
#ifndef BP_COMMON_H
#define BP_COMMON_H

#include <stdarg.h>
#include <stddef.h>

enum bp_code {
	BP_OK = 0,
	BP_ENOTFOUND = -1, /* no such article, peer, key or file */
	BP_EINVALID = -2,  /* invalid input: an article, a query, an id, a value */
	BP_EEXISTS = -3,   /* the thing to create is already there */
	BP_EABORTED = -4,  /* the user left the operation (empty or unchanged template) */
	BP_ELOCKED = -5,   /* a lock stayed busy past the bounded wait */
	BP_EGIT = -6,      /* libgit2 failed */
	BP_EDB = -7,       /* SQLite failed */
	BP_EIO = -8,       /* the file system failed */
	BP_ENOMEM = -9,    /* out of memory */
	BP_ENETWORK = -10, /* a peer could not be reached */
	BP_EAUTH = -11,    /* a peer refused our credentials */
	BP_ECONFIG = -12,  /* the environment lacks a setting (user.name, ...) */
	BP_EREFUSED = -13, /* refused for safety (a sync that would delete most tips, ...) */
};

#define BP_ERROR_MAX 1024

/*
 * The error a failing call reports. `code` is the BP_E* value the call returned; `msg` says what
 * failed and why, lowercase, no full stop, without the program's name.
 */
struct bp_error {
	int code;
	char msg[BP_ERROR_MAX];
};

/*
 * Fill `err` (which may be NULL) with `code` and a printf-style message, and return `code`, so
 * that a failure reads `return bp_error_set(err, BP_EINVALID, "...")`. A message longer than
 * BP_ERROR_MAX is cut on a UTF-8 boundary.
 */
int bp_error_set(struct bp_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int bp_error_vset(struct bp_error *err, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Put "what: " in front of the message already in `err` and return its code. */
int bp_error_prefix(struct bp_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void bp_error_clear(struct bp_error *err);

/*
 * Warnings about one input that do not stop the operation (a peer's file skipped, an invalid
 * hand edit left uncommitted). The library calls `fn` with a complete message; the caller
 * decides whether and how to show it. `fn` may be NULL: warnings are then dropped.
 */
struct bp_warn {
	void (*fn)(void *payload, const char *msg);
	void *payload;
};

void bp_warn(const struct bp_warn *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Release memory the library handed to the caller (strings returned through `char **out`). */
void bp_free(void *ptr);

#endif
