/*
 * The knowledge base: a git repository with a working tree, marked by `init` as a KB, whose
 * articles are <sector>/<slug>.md files. Every change is one commit made through libgit2 with
 * the user's identity, while the working tree, git's index and HEAD stay in step, so that git
 * and any editor work on a KB as on any repository.
 *
 * Changes are serialised by a lock (.git/bestpractice/lock, flock(2), so a killed process
 * never leaves it taken) held for the whole of each change; a busy lock, or a busy git lock
 * from a git command running beside us, is waited for with a bounded retry
 * (git config bestpractice.lockTimeout, seconds, default 30), then BP_ELOCKED.
 */
#ifndef BP_KB_H
#define BP_KB_H

#include <stddef.h>
#include "common.h"

struct bp_kb;
struct bp_article;

/* The repository-local config key that marks a repository as a KB, and its format number. */
#define BP_KB_MARK_KEY "bestpractice.format"
#define BP_KB_FORMAT 1

/* The vocabulary (sector crosswalk) file at the root of a KB. */
#define BP_VOCAB_PATH "vocabulary.yaml"

enum bp_kb_origin {
	BP_KB_FROM_OPTION,  /* --kb DIR */
	BP_KB_FROM_ENV,     /* $BESTPRACTICE_KB */
	BP_KB_FROM_CWD,     /* the enclosing KB of the current directory */
	BP_KB_FROM_CONFIG,  /* git config bestpractice.kb */
	BP_KB_FROM_DEFAULT, /* $XDG_DATA_HOME/bestpractice/kb */
};

/*
 * Find where the KB is: `option` (--kb) when not NULL, else $BESTPRACTICE_KB, else the
 * enclosing KB of the current directory (a repository that `init` marked, not any
 * repository), else git config bestpractice.kb (global), else $XDG_DATA_HOME/bestpractice/kb
 * (~/.local/share/bestpractice/kb). The path need not exist. *out (bp_free) is absolute;
 * *origin, if not NULL, says which rule gave it.
 */
int bp_kb_locate(char **out, enum bp_kb_origin *origin, const char *option,
		 struct bp_error *err);

/*
 * Open the KB whose working tree is `dir`. BP_ENOTFOUND when `dir` is not a git repository,
 * BP_EINVALID when it is bare or not marked as a KB (the message says to run init).
 */
int bp_kb_open(struct bp_kb **out, const char *dir, struct bp_error *err);

/*
 * Make `dir` a KB: a new repository (created with its parents) whose branch is the one git
 * config init.defaultBranch names (main by default), with a first commit; or an existing
 * repository with a working tree, marked, and given a first commit if it has none.
 * *created is set to 1 when something was done, 0 when `dir` was already a KB.
 */
int bp_kb_init(struct bp_kb **out, int *created, const char *dir, struct bp_error *err);

void bp_kb_free(struct bp_kb *kb);

/* Where warnings about single files go (invalid hand edits left uncommitted, ...). */
void bp_kb_set_warn(struct bp_kb *kb, const struct bp_warn *warn);
const struct bp_warn *bp_kb_warn(const struct bp_kb *kb);

/* The working tree, with a trailing '/'; and the git directory. Borrowed. */
const char *bp_kb_workdir(const struct bp_kb *kb);
const char *bp_kb_gitdir(const struct bp_kb *kb);

/*
 * Repository-local git config under "bestpractice.": `key` is the part after the dot
 * ("lockTimeout"). Get gives BP_ENOTFOUND when unset; set with value NULL
 * unsets. Keys are letters, digits, '-' and '.', not starting or ending with '.'.
 */
int bp_kb_config_get(char **out, struct bp_kb *kb, const char *key, struct bp_error *err);
int bp_kb_config_set(struct bp_kb *kb, const char *key, const char *value,
		     struct bp_error *err);

/*
 * Any git setting as the KB's repository sees it (its own config over the user's and the
 * system's), e.g. "core.editor". BP_ENOTFOUND when unset.
 */
int bp_kb_git_config(char **out, struct bp_kb *kb, const char *key, struct bp_error *err);

/*
 * Whether `path` (relative to the KB) names an article: a ".md" file inside at least one
 * folder, no component starting with '.', every component a sane name (no "..", no
 * backslash, no control character, no empty component).
 */
int bp_kb_is_article_path(const char *path);

/*
 * Whether `path` names an article of a peer: an article path, or a ".md" file at the root of
 * the peer's tree (a repository of lesson pages kept side by side), except the files every
 * repository has about itself (README, LICENSE, CONTRIBUTING, CHANGELOG and the like), a
 * site's home page (index) and names starting with '_' (a site generator's).
 */
int bp_kb_is_peer_article_path(const char *path);

/*
 * Turn what a user typed into an own article's path: "law/x", "law/x.md" and "./law/x.md"
 * name law/x.md; a bare slug "x" names the one article of that slug in any sector.
 * BP_ENOTFOUND when nothing matches, BP_EINVALID when a bare slug is ambiguous (the message
 * lists the candidates) or the text is not a possible id. *out is released with bp_free().
 */
int bp_kb_resolve(char **out, struct bp_kb *kb, const char *id, struct bp_error *err);

/*
 * Read an own article's file from the working tree, at most BP_ARTICLE_MAX_SIZE bytes.
 * *out is NUL-terminated (bp_free).
 */
int bp_kb_read(char **out, size_t *len, struct bp_kb *kb, const char *path,
	       struct bp_error *err);

/*
 * Add an article: commit pending hand edits first (their own commit), then choose the path
 * <sector>/<slug>.md (the slug from the title, made unique with -2, -3, ...), validate,
 * write and commit "add <id>". Fills `created` (today) and `author` (git identity) when
 * absent. *out_id (bp_free) is the new id. Invalid: BP_EINVALID, nothing written.
 */
int bp_kb_add(char **out_id, struct bp_kb *kb, struct bp_article *a, struct bp_error *err);

/*
 * Replace the article at `path` with `a` (validated) and commit "edit <id>", after pending
 * hand edits. The `updated` date is set to today. When the text is byte-identical to what is
 * committed, nothing is committed and *changed is 0.
 */
int bp_kb_update(int *changed, struct bp_kb *kb, const char *path, struct bp_article *a,
		 struct bp_error *err);

/* Remove the article at `path` and commit "rm <id>", after pending hand edits. */
int bp_kb_remove(struct bp_kb *kb, const char *path, struct bp_error *err);

/*
 * Add several articles in one commit ("import N articles"): each gets a unique path as in
 * bp_kb_add. All are validated first; any invalid one fails the whole import with nothing
 * written. out_ids (may be NULL) receives n ids (each bp_free).
 */
int bp_kb_import(char **out_ids, struct bp_kb *kb, struct bp_article **articles, size_t n,
		 struct bp_error *err);

/*
 * Commit what was changed in the working tree by hand (article files and the vocabulary
 * file; new, changed or deleted) as one commit "commit hand edits" that lists them. A hand
 * edit that is not a valid article is left uncommitted with a warning. *count (may be NULL)
 * gets the number of files committed. Takes the lock itself.
 */
int bp_kb_commit_pending(size_t *count, struct bp_kb *kb, struct bp_error *err);

/*
 * The user's identity for commits (git config user.name and user.email, or GIT_AUTHOR_NAME
 * and GIT_AUTHOR_EMAIL) as "Name <email>". BP_ECONFIG naming the missing key.
 */
int bp_kb_identity(char **out, struct bp_kb *kb, struct bp_error *err);

/* One commit of the KB's history, for log. Strings borrowed for the callback's duration. */
struct bp_commit_info {
	const char *id;      /* full hex id */
	const char *author;  /* name */
	const char *email;
	long long time;      /* seconds since the epoch */
	int offset;          /* minutes east of UTC */
	const char *summary; /* first line of the message */
};

/*
 * The history of the KB's branch, newest first (at most `max` commits, 0: all); with `path`
 * (an article path, which need not exist any more) only the commits that changed it. The
 * callback returns 0 to go on, anything else to stop.
 */
int bp_kb_log(struct bp_kb *kb, const char *path, size_t max,
	      int (*fn)(const struct bp_commit_info *c, void *payload), void *payload,
	      struct bp_error *err);

/*
 * The KB's private folder, .git/bestpractice (the lock, the index, texts kept after a
 * refusal), created when missing. *out (bp_free) has no trailing '/'.
 */
int bp_kb_private_dir(char **out, struct bp_kb *kb, struct bp_error *err);

struct bp_vocab;

/*
 * The KB's vocabulary (the sector crosswalk, BP_VOCAB_PATH in the working tree), parsed; *out
 * is NULL when the KB has none. Released with bp_vocab_free().
 */
int bp_kb_vocabulary(struct bp_vocab **out, struct bp_kb *kb, struct bp_error *err);

/*
 * Call `fn` with the path of every article file in the working tree (bp_kb_is_article_path;
 * hidden folders skipped, symbolic links not followed), in sorted order. `fn` returns 0 to go
 * on.
 */
int bp_kb_each_article(struct bp_kb *kb, int (*fn)(const char *path, void *payload),
		       void *payload, struct bp_error *err);

/*
 * Call `fn` with the name of every peer of the KB, that is every git remote (shared or
 * subscribed), in sorted order. `fn` returns 0 to go on, anything else to stop (that value is
 * returned). Names are borrowed for the duration of the callback.
 */
int bp_kb_each_peer(struct bp_kb *kb, int (*fn)(const char *name, void *payload),
		    void *payload, struct bp_error *err);

/* Today's date as YYYY-MM-DD in local time, into buf (at least 11 bytes). */
void bp_today(char *buf);

#endif
