/*
 * The index's own structure, shared by index.c (schema, update) and search.c (queries).
 */
#ifndef BP_INDEX_PRIV_H
#define BP_INDEX_PRIV_H

#include <sqlite3.h>

#include "bp/index.h"

/*
 * The id users type, as SQL over articles a joined to sources s: "law/x" for the own KB,
 * "PEER:law/x" for a peer's article.
 */
#define BP_SQL_ID                                                                            \
	"((CASE s.name WHEN '' THEN '' ELSE s.name || ':' END) || "                          \
	"substr(a.path, 1, length(a.path) - 3))"

/* Prepared statements kept for the life of the index, one slot each. */
enum ix_stmt {
	ST_SOURCE_GET,
	ST_SOURCE_ADD,
	ST_SOURCE_SET,
	ST_SOURCE_DEL,
	ST_SOURCES_ALL,
	ST_SOURCES_NAMES,
	ST_DEL_FTS,
	ST_DEL_TAGS,
	ST_DEL_ARTICLE,
	ST_INS_ARTICLE,
	ST_INS_TAG,
	ST_INS_FTS,
	ST_ROW_GET,
	ST_ROW_OVERLAY,
	ST_OVERLAID,
	ST_WT_CLEAR,
	ST_WT_ADD,
	ST_CLEAR_1,
	ST_CLEAR_2,
	ST_CLEAR_3,
	ST_CLEAR_4,
	ST_CLEAR_5,
	ST_SKIP_SET,
	ST_SKIP_DEL,
	ST_SKIP_GET,
	ST_DF,
	ST_SECTOR_KEY,
	ST_SECTOR_ADD,
	ST_MAX_ID,
	ST_COUNT
};

/*
 * The low bits of an article's id (the FTS5 rowid) are the key of its sector in the sectors
 * table, 1 to BP_SECTOR_KEYS; 0 for a sector beyond those. Counting a search's matches per
 * sector then reads only FTS5's list of matching rowids, not the article of each match.
 */
#define BP_SECTOR_BITS 8
#define BP_SECTOR_KEYS ((1 << BP_SECTOR_BITS) - 1)

struct bp_index {
	struct bp_kb *kb; /* borrowed */
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[ST_COUNT];
	int rebuilt;     /* the file was (re)created by this process */
	int building;    /* a rebuild into a new file, without a journal */
	int readonly;    /* the KB cannot be written here: the index is used as it is */
	int busy_ms;     /* how long a statement waits for another writer (lockTimeout) */
	size_t changed;  /* articles (re)indexed by this process */
	size_t failed;   /* peers the last update left as they were */
	int recovered;   /* a read found the file damaged and rebuilt it (once a process) */
	/* What the last update did to each peer it brought to a new commit. */
	struct peer_changes {
		char *name;
		struct bp_peer_changes c;
	} *changes;
	size_t nchanges;
	/* Rows whose FTS5 entry is still to be deleted in this transaction (see delete_row). */
	sqlite3_int64 *gone;
	size_t ngone, capgone;
	sqlite3_int64 gone_max;
};

/* Register the SQL functions the queries use (bp_snippet) on a connection. In search.c. */
int bp_index_add_functions(sqlite3 *db, struct bp_error *err);

/* Prepare (once) and reset a kept statement. */
int bp_index_prepare(sqlite3_stmt **out, struct bp_index *ix, enum ix_stmt which,
		     const char *sql, struct bp_error *err);

/* Remove every article of a source and forget its commit; or the source itself. */
int bp_index_clear_source(struct bp_index *ix, sqlite3_int64 source_id, struct bp_error *err);
int bp_index_drop_source(struct bp_index *ix, const char *name, struct bp_error *err);

/*
 * Whether a path of a source may be indexed: an article path (bp_kb_is_article_path; for a
 * peer bp_kb_is_peer_article_path). A peer's rejected path in a folder is reported once, as
 * a warning.
 */
int bp_index_path_ok(struct bp_index *ix, const char *source, const char *path);

/*
 * After a read of the index failed with `rc`: when the cause is a damaged file (which shows
 * only when a read reaches the damaged page, long after the index was opened), say so as a
 * warning and rebuild the index from git, once a process. Returns 1 when the caller should
 * run its read again (it had handed `delivered` = 0 rows to its caller), else the failure to
 * return: `rc` itself, or a request to run the command again when rows were already handed
 * over.
 */
int bp_index_recover(struct bp_index *ix, int rc, size_t delivered, struct bp_error *err);

/* bp_index_search with an FTS5 expression made by the library itself. */
int bp_index_search_expr(struct bp_index *ix, const char *expr, const struct bp_search *s,
			 bp_hit_fn fn, void *payload, size_t *total, struct bp_error *err);

#endif
