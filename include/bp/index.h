/*
 * The search index: SQLite with FTS5 at .git/bestpractice/index.sqlite, a cache of what git
 * holds. One row per article of every source (the own KB, and each peer), an FTS5 table over
 * title, tags, body (plain text from cmark), sector and author.
 *
 * It follows git incrementally: for each source the index stores the commit it indexed, and
 * bringing it up to date is a tree-to-tree diff from that commit to the current one, so the
 * work is proportional to what changed. The own KB's uncommitted working-tree changes are
 * overlaid from git's status. Blob ids make unchanged files free. Deleting the file loses
 * nothing: the next command rebuilds it; a schema of another version or a damaged file is
 * rebuilt too.
 */
#ifndef BP_INDEX_H
#define BP_INDEX_H

#include <stddef.h>
#include "common.h"

struct bp_kb;
struct bp_index;
struct bp_query;

/* The schema version, stored in PRAGMA user_version. */
#define BP_INDEX_SCHEMA 5

/* Progress of long work (a rebuild, a large change): `done` of `total` articles. */
struct bp_progress {
	void (*fn)(void *payload, const char *what, size_t done, size_t total);
	void *payload;
};

/*
 * Open the index of `kb`, creating it when missing and recreating it when its schema version
 * differs or the file is not a database. It is not brought up to date: see bp_index_update.
 * The index keeps a borrowed pointer to `kb`, which must outlive it.
 */
int bp_index_open(struct bp_index **out, struct bp_kb *kb, struct bp_error *err);

/*
 * Open the KB bp_kb_locate() finds for `option` (--kb, may be NULL) and its index, without
 * git, when nothing git would see has changed since the index was last brought up to date:
 * then the index needs no update, and neither it nor the KB loads libgit2 until a function
 * needs the repository. Returns 1 with *out and *kb (free the index first), or 0 when the
 * KB must be opened as usual (it changed, or cannot be told so cheaply: its location comes
 * from git's configuration, a file changed in the last two seconds, ...).
 */
int bp_index_open_unchanged(struct bp_index **out, struct bp_kb **kb, const char *option);
void bp_index_free(struct bp_index *ix);

/*
 * Bring every source up to date with git: the own KB (HEAD, then the working tree's changes)
 * and every peer's remote-tracking commit. Articles that cannot be read are skipped with a
 * warning through the KB's warning callback; a peer whose commit cannot be read is left as it
 * was, with a warning (see bp_index_peers_failed). `progress` may be NULL.
 */
int bp_index_update(struct bp_index *ix, const struct bp_progress *progress,
		    struct bp_error *err);

/* Whether this process created the index file anew (missing, damaged or of another schema). */
int bp_index_was_rebuilt(const struct bp_index *ix);

/*
 * The number of peers the last bp_index_update could not bring up to date (a commit it cannot
 * read): each was said through the KB's warnings, and its tips as they were stay indexed.
 */
size_t bp_index_peers_failed(const struct bp_index *ix);

/* What an update did to a peer's articles. */
struct bp_peer_changes {
	size_t added, changed, removed;
	int mass_delete; /* most of the peer's articles disappeared at once */
};

/*
 * What the last bp_index_update did to the peer `name`: 0 and *out when it brought the peer
 * to a new commit (sync's report), BP_ENOTFOUND when it did not (unchanged, or failed).
 */
int bp_index_peer_changes(const struct bp_index *ix, const char *name,
			  struct bp_peer_changes *out);

/* Throw the index away and build it again from git. */
int bp_index_rebuild(struct bp_index *ix, const struct bp_progress *progress,
		     struct bp_error *err);

/* Filters of list and search; every member may be NULL or 0. */
struct bp_filter {
	const char *const *sectors; /* any of these sectors */
	size_t nsectors;
	const char *const *tags; /* all of these tags */
	size_t ntags;
	const char *author; /* a substring of the author, case-insensitive */
	const char *since;  /* created or updated on or after YYYY-MM-DD */
	const char *const *peers; /* only these peers' articles */
	size_t npeers;
	int mine;              /* only the own KB's articles */
	const char *not_sector; /* exclude this sector (related) */
	const char *not_id;     /* exclude this article (related) */
};

/*
 * One article of a listing or a search, handed to the caller's callback. Strings are borrowed
 * for the duration of the callback. `id` is "law/x" for the own KB and "PEER:law/x" for a
 * peer's article; `source` is NULL for the own KB, else the peer's name. `json` is the whole
 * row as one JSON object (made by SQLite's JSON functions). `snippet` and `score` are set by
 * searches only; the snippet marks matched words with the markers the search was given.
 */
struct bp_hit {
	const char *id;
	const char *source;
	const char *path;
	const char *title;
	const char *sector;
	const char *tags_json; /* a JSON array */
	const char *author;
	const char *created;
	const char *updated;
	const char *snippet;
	double score;
	const char *json;
};

typedef int (*bp_hit_fn)(const struct bp_hit *hit, void *payload);

/*
 * List articles matching `f`, ordered by id. The callback returns 0 to go on, anything else
 * to stop (that value is returned). *count (may be NULL) gets the number listed.
 */
int bp_index_list(struct bp_index *ix, const struct bp_filter *f, bp_hit_fn fn, void *payload,
		  size_t *count, struct bp_error *err);

/* Options of a search. */
struct bp_search {
	const struct bp_filter *filter;
	size_t limit;          /* 0: 20 */
	const char *mark_open; /* around matched words in snippets; NULL: "" */
	const char *mark_close;
	size_t snippet_tokens; /* 0: 16 */
	/*
	 * An FTS5 expression (may be NULL): articles it matches rank before those it does not.
	 * search passes the query as typed when the vocabulary widened it.
	 */
	const char *boost;
};

/*
 * Run a query: bm25 with title weighted above tags above body, best first. *total (may be
 * NULL) gets the number of matches regardless of the limit.
 */
int bp_index_search(struct bp_index *ix, const struct bp_query *q, const struct bp_search *s,
		    bp_hit_fn fn, void *payload, size_t *total, struct bp_error *err);

/*
 * A count per value: sectors or tags, most used first, for a facet or a listing. `json` is
 * {"<what>": name, "count": count} with <what> "sector" or "tag".
 */
typedef int (*bp_count_fn)(const char *name, size_t count, const char *json, void *payload);

/* Matches of `q` (with `f`) per sector, most first. */
int bp_index_sector_counts(struct bp_index *ix, const struct bp_query *q,
			   const struct bp_filter *f, bp_count_fn fn, void *payload,
			   struct bp_error *err);

/* Articles per sector, or per tag, of the whole index filtered by `f`, most first. */
int bp_index_sectors(struct bp_index *ix, const struct bp_filter *f, bp_count_fn fn,
		     void *payload, struct bp_error *err);
int bp_index_tags(struct bp_index *ix, const struct bp_filter *f, bp_count_fn fn,
		  void *payload, struct bp_error *err);

/*
 * Find one article by id ("law/x", a unique bare slug, or "PEER:law/x"). *out (bp_free) gets
 * its canonical id; BP_ENOTFOUND, or BP_EINVALID for an ambiguous slug.
 */
int bp_index_resolve(char **out, struct bp_index *ix, const char *id, struct bp_error *err);

/*
 * The text of an article as git or the working tree holds it: for the own KB the working-tree
 * file, for a peer the blob of its remote-tracking commit. *out is NUL-terminated (bp_free).
 */
int bp_index_read(char **out, size_t *len, struct bp_index *ix, const char *id,
		  struct bp_error *err);

/* The row of one article as a bp_hit (callback called once), or BP_ENOTFOUND. */
int bp_index_get(struct bp_index *ix, const char *id, bp_hit_fn fn, void *payload,
		 struct bp_error *err);

/*
 * Articles about the same problem as `id`: its most distinctive terms (tf-idf over the FTS5
 * vocabulary, among terms it shares with other articles) run as a ranked query, excluding the
 * article itself and, unless `same_sector`, its own sector. `s->filter` is ignored.
 */
int bp_index_related(struct bp_index *ix, const char *id, int same_sector,
		     const struct bp_search *s, bp_hit_fn fn, void *payload,
		     struct bp_error *err);

/*
 * Compare the index with git: every article git holds is indexed with the same blob, and
 * nothing else is. Differences are reported through `fn` (a message each); *problems gets
 * their number.
 */
int bp_index_verify(struct bp_index *ix, void (*fn)(void *payload, const char *msg),
		    void *payload, size_t *problems, struct bp_error *err);

/*
 * The whole content of the index in a canonical form, one line per row (sources, articles with
 * their tags and full-text columns, skipped files, and rows that belong to no article), sorted,
 * with no row ids: two indexes of the same KB give the same lines whatever the order of the
 * updates that built them. For tests. `fn` returns 0 to go on.
 */
int bp_index_dump(struct bp_index *ix, int (*fn)(const char *line, void *payload),
		  void *payload, struct bp_error *err);

/*
 * An arbitrary JSON object from key/value pairs, made by SQLite's JSON functions: values[i]
 * NULL gives null. Used for output that does not come from the index (log, peers).
 */
int bp_json_object(char **out, struct bp_index *ix, const char *const *keys,
		   const char *const *values, size_t n, struct bp_error *err);

/* `json` (an object) with `key` set to the string `value`, made by SQLite's json_set. */
int bp_json_set(char **out, struct bp_index *ix, const char *json, const char *key,
		const char *value, struct bp_error *err);

#endif
