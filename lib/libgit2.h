/*
 * libgit2, loaded the first time one of its functions is called (see libgit2.c).
 *
 * Include this instead of <git2.h>. After it, a call such as git_commit_lookup(...) goes
 * through a table of function pointers, each with the type libgit2's own header gives the
 * function: the names are macros (generated from libgit2.def into libgit2-names.h), so the
 * code reads as if it called libgit2 directly.
 */
#ifndef BP_LIBGIT2_H
#define BP_LIBGIT2_H

#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

struct bp_libgit2 {
#define X(name) __typeof__(name) *name;
#include "libgit2.def"
#undef X
};

/* The table once loaded, for the inline check below; use bp_libgit2(). */
extern const struct bp_libgit2 *bp_libgit2_loaded;

/*
 * Load libgit2 and initialise it once for the process (thread-safe). The program cannot
 * work without it: when it cannot be loaded, the reason is printed and the process exits
 * with status 127, as the dynamic linker does for a missing library.
 */
const struct bp_libgit2 *bp_libgit2_load(void);

static inline const struct bp_libgit2 *bp_libgit2(void)
{
	const struct bp_libgit2 *t = __atomic_load_n(&bp_libgit2_loaded, __ATOMIC_ACQUIRE);

	return t ? t : bp_libgit2_load();
}

/* Whether libgit2 has been loaded in this process (tests, and the end of a run). */
int bp_libgit2_is_loaded(void);

/* Undo the initialisation bp_libgit2_load() did, if it was loaded: at the end of a run. */
void bp_libgit2_release(void);

/* libgit2.c fills the table by the real names. */
#ifndef BP_LIBGIT2_TABLE
#include "libgit2-names.h"
#endif

#endif
