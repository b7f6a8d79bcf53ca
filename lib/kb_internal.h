/*
 * What the parts of the library that work on a KB share: the KB structure, the conversion of
 * libgit2 errors, and the lock. Not part of the public API.
 */
#ifndef BP_KB_INTERNAL_H
#define BP_KB_INTERNAL_H

#include <stdint.h>

#include "libgit2.h"

#include "bp/kb.h"
#include "util.h"

struct bp_kb {
	git_repository *repo; /* NULL until bp_kb_need_repo() for a KB bp_kb_open_quick() opened */
	char *workdir; /* absolute, ends with '/' */
	char *gitdir;  /* absolute, ends with '/' */
	struct bp_warn warn;
	int lock_fd;   /* -1 when not held */
	int lock_depth;
};

/*
 * Fill `err` from libgit2's last error for a call that returned `rc` (< 0), prefixed with a
 * printf-style description of what was being done, and return the matching BP_E* code
 * (BP_ENOTFOUND for GIT_ENOTFOUND, BP_ELOCKED for GIT_ELOCKED, BP_EAUTH for GIT_EAUTH, ...).
 */
int bp_git_error(struct bp_error *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Take or release the KB's lock. Nested calls by one holder are counted, so a function that
 * locks may call another that locks. Waits as kb.h says, then BP_ELOCKED.
 */
int bp_kb_lock(struct bp_kb *kb, struct bp_error *err);
void bp_kb_unlock(struct bp_kb *kb);

/*
 * The stamp of the KB whose working tree and git directory are these (absolute, each ending
 * with '/'): a hash of the metadata of every file git reads to tell its state (stamp.c). 0
 * and the stamp in *out, or 1 when it cannot be trusted (a file changed in the last two
 * seconds, a tree too large).
 */
int bp_kb_stamp(uint64_t *out, const char *workdir, const char *gitdir);

/*
 * Open the KB bp_kb_locate() and bp_kb_open() would open, without git, when its location
 * does not depend on git's configuration (--kb, $BESTPRACTICE_KB, or the current directory
 * at the top of a working tree) and its stamp can be trusted. Returns 1 with *out (whose
 * repository bp_kb_need_repo() opens) and its stamp, or 0 when the caller must open the KB
 * as usual. What git would refuse (another user's repository, a .git that is not a folder)
 * is left to the usual way.
 */
int bp_kb_open_quick(struct bp_kb **out, uint64_t *stamp, const char *option);

/* Open the repository of a KB bp_kb_open_quick() opened, checking it as bp_kb_open does. */
int bp_kb_need_repo(struct bp_kb *kb, struct bp_error *err);

/* Seconds to wait for a busy lock (git config bestpractice.lockTimeout, default 30). */
double bp_kb_lock_timeout(struct bp_kb *kb);

/* Sleep for a retry number `attempt` of a bounded wait (a growing delay, at most 200 ms). */
void bp_backoff(unsigned attempt);

/* Monotonic time in seconds. */
double bp_now(void);

/*
 * Write a working-tree file atomically (a temporary file in the same folder, fsync, rename),
 * creating its folders; or delete one and the folders it leaves empty. `rel` must be a path
 * already checked (bp_path_ok).
 */
int bp_kb_write_file(struct bp_kb *kb, const char *rel, const char *data, size_t len,
		     struct bp_error *err);
int bp_kb_delete_file(struct bp_kb *kb, const char *rel, struct bp_error *err);

/*
 * The author ("Name <email>" in *out, bp_free) of the newest commit, along the first-parent
 * history from `commit` (at most 200 commits back), that changed `path`; the author of
 * `commit` itself when none is found. *name_out (may be NULL) gets the name alone.
 */
int bp_last_author(char **out, char **name_out, git_repository *repo, const git_oid *commit,
		   const char *path, struct bp_error *err);

/* The user's identity (bp_kb_identity) as a signature dated now. */
int bp_kb_signature(git_signature **out, struct bp_kb *kb, struct bp_error *err);


#endif
