/*
 * What the index shares with the parts of the library that feed it (sync: the peers and their
 * commits). Not part of the public API.
 */
#ifndef BP_INDEX_INTERNAL_H
#define BP_INDEX_INTERNAL_H

#include "libgit2.h"
#include <sqlite3.h>

#include "bp/index.h"

/* A source of articles: the own KB (name "") or a peer. */
struct bp_source {
	char *name;            /* "" for the own KB */
	char *default_sector;  /* peers: for files without one; may be NULL */
	git_oid commit;        /* the commit to index */
	int has_commit;        /* 0: the source is empty (unborn branch, never fetched) */
};

/*
 * The peers of `kb` with the commit each should be indexed at (its remote-tracking branch).
 * Defined in sync.c. *out is an array of *n sources, released with bp_sources_free().
 */
int bp_peer_sources(struct bp_source **out, size_t *n, struct bp_kb *kb, struct bp_error *err);
void bp_sources_free(struct bp_source *s, size_t n);

/*
 * The names of the KB's git remotes, sorted, read from a snapshot of its configuration that
 * is left in *cfg for further reading (git_config_free it, even on failure). The same list as
 * git_remote_list() gives, without its regular expression: libgit2 1.5 leaks PCRE2 match data
 * in git_config_foreach_match(). Free with git_strarray_dispose().
 */
int bp_remote_names(git_strarray *out, git_config **cfg, struct bp_kb *kb,
		    struct bp_error *err);

/*
 * remote.NAME.KEY as a new string (bp_free), or NULL when unset: from `cfg`, or from a
 * snapshot of the KB's config.
 */
char *bp_remote_config(git_config *cfg, const char *name, const char *key);
char *bp_kb_remote_config(struct bp_kb *kb, const char *name, const char *key);

/* Whether the remote `name` is shared (merged and pushed) rather than subscribed. */
int bp_peer_is_shared(git_config *cfg, const char *name);

/* Whether a checked peer URL is a local path that does not exist. */
int bp_peer_local_missing(const char *url);

/*
 * Articles added, changed and removed between two trees, as the index sees them: a path
 * that is an article's (a subscribed peer's rules when `peer`), of a blob it would read. Fed
 * change by change (bp_count_change, a bp_tree_diff callback); `odb` may be NULL (then every
 * id counts as readable). Defined in sync.c.
 */
struct bp_change_counts {
	git_odb *odb;
	int peer;
	size_t added, changed, removed;
};

int bp_count_change(const char *path, const git_oid *old_id, const git_oid *new_id,
		    void *payload);

/* Limits on a peer's content, checked before anything is read. */
#define BP_PEER_MAX_BLOB BP_ARTICLE_MAX_SIZE

/* Convert an SQLite failure into a BP_EDB error naming what was being done. */
int bp_db_error(struct bp_error *err, sqlite3 *db, int rc, const char *what);

#endif
