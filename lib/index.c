/*
 * The search index: schema, opening (defensively, rebuilding what is missing, old or damaged),
 * and the incremental update that follows git. Queries over it are in search.c.
 *
 * Each source (the own KB, each peer) records the commit it was indexed at. Bringing a source
 * up to date diffs that commit's tree against the current one and recomputes only the paths
 * that changed; for the own KB, the paths git's status reports as changed in the working tree
 * (and those that were overlaid last time) are recomputed too, from the working tree. A path
 * whose blob id is unchanged costs one lookup.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bp/article.h"
#include "bp/query.h"
#include "bp/render.h"
#include "index_internal.h"
#include "kb_internal.h"
#include "index_priv.h"
#include "treediff.h"

int bp_db_error(struct bp_error *err, sqlite3 *db, int rc, const char *what)
{
	int ext = db ? sqlite3_extended_errcode(db) : rc;

	(void)ext;
	return bp_error_set(err, BP_EDB, "index: %s: %s", what,
			    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

static const char schema_sql[] =
	"CREATE TABLE sources("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE," /* '' for the own KB */
	"  commit_id TEXT"             /* the commit indexed, NULL for none */
	");"
	/* Sectors by key: the low bits of the ids of their articles (BP_SECTOR_BITS). */
	"CREATE TABLE sectors(key INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
	"CREATE TABLE articles("
	"  id INTEGER PRIMARY KEY," /* = the FTS5 rowid; its low bits: the sector's key */
	"  source INTEGER NOT NULL REFERENCES sources(id),"
	"  path TEXT NOT NULL,"
	"  blob TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  sector TEXT NOT NULL,"
	"  author TEXT,"
	"  created TEXT,"
	"  updated TEXT,"
	"  overlay INTEGER NOT NULL DEFAULT 0," /* the row shows the working tree, not HEAD */
	"  UNIQUE(source, path)"
	");"
	"CREATE INDEX articles_sector ON articles(sector);"
	"CREATE TABLE tags("
	"  article INTEGER NOT NULL,"
	"  pos INTEGER NOT NULL,"
	"  tag TEXT NOT NULL,"
	"  PRIMARY KEY(article, pos)"
	") WITHOUT ROWID;"
	"CREATE INDEX tags_tag ON tags(tag, article);"
	/* Files that were seen and not indexed (too large, not text): not tried again, and not
	 * reported as missing by a check, until their blob changes. */
	"CREATE TABLE skipped("
	"  source INTEGER NOT NULL,"
	"  path TEXT NOT NULL,"
	"  blob TEXT NOT NULL,"
	"  PRIMARY KEY(source, path)"
	") WITHOUT ROWID;"
	/* The own KB's paths that the last update read from the working tree (git's status),
	 * whether they gave a row or not (a file deleted by hand gives none), with the size and
	 * modification time (ns) the file had then (NULL when it was gone): the next update
	 * reads a path again only when these changed, and from HEAD once the working tree no
	 * longer changes it. */
	"CREATE TABLE worktree(path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER) WITHOUT ROWID;"
	/* The KB's stamp (stamp.c) taken before the last update: while the KB's stamp is the
	 * same, the index is up to date (bp_index_open_unchanged). */
	"CREATE TABLE stamp(id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);"
	"CREATE VIRTUAL TABLE fts USING fts5(" BP_FTS_COLUMNS ","
	"  tokenize = 'porter unicode61 remove_diacritics 2');"
	"CREATE VIRTUAL TABLE fts_vocab USING fts5vocab(fts, 'row');"
	"INSERT INTO fts(fts, rank) VALUES('hashsize', 4194304);"
	"INSERT INTO sources(name) VALUES('');";

/* Remove the journal files of a database. */
static void unlink_journals(const char *path)
{
	char extra[4096];

	snprintf(extra, sizeof(extra), "%s-wal", path);
	unlink(extra);
	snprintf(extra, sizeof(extra), "%s-shm", path);
	unlink(extra);
	snprintf(extra, sizeof(extra), "%s-journal", path);
	unlink(extra);
}

/* Remove a database and its journal files. */
static void unlink_db(const char *path)
{
	unlink(path);
	unlink_journals(path);
}

static int exec(struct bp_index *ix, const char *sql, struct bp_error *err)
{
	int rc = sqlite3_exec(ix->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : bp_db_error(err, ix->db, rc, "cannot update");
}

/* Whether an SQLite result means the file is not a usable database. */
static int damaged(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

/* Forget what the last update did to each peer. */
static void changes_clear(struct bp_index *ix)
{
	size_t i;

	for (i = 0; i < ix->nchanges; i++)
		bp_free(ix->changes[i].name);
	bp_free(ix->changes);
	ix->changes = NULL;
	ix->nchanges = 0;
}

static void finalize_all(struct bp_index *ix)
{
	size_t i;

	for (i = 0; i < BP_ARRAY_SIZE(ix->stmt); i++) {
		sqlite3_finalize(ix->stmt[i]);
		ix->stmt[i] = NULL;
	}
}

/*
 * Open the file, set it up defensively, and check its schema. Returns 0, BP_EDB, 1 when the
 * file is damaged and 3 when it has another schema version (either must be recreated), or 2
 * when another process was creating it.
 */
/*
 * Whether the index cannot be written here (a KB on read-only media, or another user's):
 * then it is opened read-only and used as it is.
 */
static int cannot_write(const char *path)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	return access(dir, W_OK) != 0 || (access(path, F_OK) == 0 && access(path, W_OK) != 0);
}

/* Open the index read-only and immutable (no journal, no -shm to create). */
static int open_readonly(struct bp_index *ix)
{
	struct bp_buf uri = BP_BUF_INIT;
	const char *p;
	int rc;

	bp_buf_addstr(&uri, "file:");
	for (p = ix->path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			bp_buf_addf(&uri, "%%%02X", (unsigned char)*p);
		else
			bp_buf_addch(&uri, *p);
	}
	bp_buf_addstr(&uri, "?mode=ro&immutable=1");
	if (bp_buf_oom(&uri))
		return SQLITE_NOMEM;
	rc = sqlite3_open_v2(uri.ptr, &ix->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	bp_buf_release(&uri);
	return rc;
}

static int db_open(struct bp_index *ix, struct bp_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, version = -1, tables = 0;

	ix->readonly = !ix->building && cannot_write(ix->path);
	if (ix->readonly && access(ix->path, R_OK) != 0)
		return bp_error_set(err, BP_EIO,
				    "the knowledge base cannot be written here and has no search "
				    "index yet ('%s')",
				    ix->path);
	rc = ix->readonly ? open_readonly(ix)
			  : sqlite3_open_v2(ix->path, &ix->db,
					    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK)
		return damaged(rc) && !ix->readonly ? 1 : bp_db_error(err, ix->db, rc, "cannot open");
	/* Defensive: the file is a cache anyone could have written. */
	sqlite3_db_config(ix->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(ix->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(ix->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(ix->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	sqlite3_limit(ix->db, SQLITE_LIMIT_LENGTH, 64 << 20);
	sqlite3_limit(ix->db, SQLITE_LIMIT_SQL_LENGTH, 1 << 20);
	sqlite3_limit(ix->db, SQLITE_LIMIT_EXPR_DEPTH, 200);
	sqlite3_limit(ix->db, SQLITE_LIMIT_ATTACHED, 0);
	ix->busy_ms = (int)(bp_kb_lock_timeout(ix->kb) * 1000);
	sqlite3_busy_timeout(ix->db, ix->busy_ms);
	if (bp_index_add_functions(ix->db, err))
		return BP_EDB;
	/* A file being built from scratch, renamed into place only when whole, needs no
	 * journal: a crash leaves the old index as it was. */
	rc = ix->readonly ? SQLITE_OK
			  : sqlite3_exec(ix->db,
					 ix->building ? "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
						      : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
					 NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(ix->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		version = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(ix->db, "SELECT count(*) FROM sqlite_schema", -1, &st,
					NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		tables = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return damaged(rc) ? 1 : bp_db_error(err, ix->db, rc, "cannot open");
	if (version == BP_INDEX_SCHEMA)
		return 0;
	if (ix->readonly)
		return bp_error_set(err, BP_EIO,
				    "the knowledge base cannot be written here and its search index "
				    "is of another version ('%s')",
				    ix->path);
	if (version != 0 || tables != 0)
		return 3; /* another version: rebuilt, as the index is only a cache */
	rc = sqlite3_exec(ix->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(ix->db, schema_sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		char pragma[64];

		snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d; COMMIT",
			 BP_INDEX_SCHEMA);
		rc = sqlite3_exec(ix->db, pragma, NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		int r = bp_db_error(err, ix->db, rc, "cannot create");
		sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
		/* Another process may have created it meanwhile: look again. */
		if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_ERROR)
			return 2;
		return r;
	}
	return 0;
}

static void db_close(struct bp_index *ix)
{
	finalize_all(ix);
	sqlite3_close(ix->db);
	ix->db = NULL;
}

/* Open, recreating the file once when it is damaged or of another schema. */
static int open_or_recreate(struct bp_index *ix, struct bp_error *err)
{
	int tries, rc = 0;

	for (tries = 0; tries < 3; tries++) {
		rc = db_open(ix, err);
		if (rc == 0)
			return 0;
		db_close(ix);
		if (rc < 0)
			return rc;
		if (rc == 1 && !ix->rebuilt)
			bp_warn(bp_kb_warn(ix->kb), "the search index was damaged; rebuilding it");
		if (rc == 1 || rc == 3) {
			ix->rebuilt = 1;
			unlink_db(ix->path);
		}
	}
	return bp_error_set(err, BP_EDB, "index: cannot create '%s'", ix->path);
}

/* The index file of `kb` in *out (bp_free), its folder created if need be. */
static int index_path(char **out, struct bp_kb *kb, struct bp_error *err)
{
	char *dir = NULL;
	int rc;

	*out = NULL;
	rc = bp_kb_private_dir(&dir, kb, err);
	if (rc)
		return rc;
	*out = bp_malloc(strlen(dir) + 32);
	if (*out)
		snprintf(*out, strlen(dir) + 32, "%s/index.sqlite", dir);
	bp_free(dir);
	return *out ? 0 : bp_error_nomem(err);
}

int bp_index_open(struct bp_index **out, struct bp_kb *kb, struct bp_error *err)
{
	struct bp_index *ix;
	int rc;

	*out = NULL;
	ix = bp_calloc(1, sizeof(*ix));
	if (!ix)
		return bp_error_nomem(err);
	ix->kb = kb;
	rc = index_path(&ix->path, kb, err);
	if (!rc)
		rc = open_or_recreate(ix, err);
	if (rc) {
		bp_index_free(ix);
		return rc;
	}
	*out = ix;
	return 0;
}

void bp_index_free(struct bp_index *ix)
{
	if (!ix)
		return;
	db_close(ix);
	changes_clear(ix);
	bp_free(ix->gone);
	bp_free(ix->path);
	bp_free(ix);
}

int bp_index_prepare(sqlite3_stmt **out, struct bp_index *ix, enum ix_stmt which,
		     const char *sql, struct bp_error *err)
{
	int rc;

	if (!ix->stmt[which]) {
		rc = sqlite3_prepare_v3(ix->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
					&ix->stmt[which], NULL);
		if (rc != SQLITE_OK)
			return bp_db_error(err, ix->db, rc, "cannot prepare a statement");
	}
	*out = ix->stmt[which];
	sqlite3_reset(*out);
	sqlite3_clear_bindings(*out);
	return 0;
}

/* --- sources --------------------------------------------------------------------------- */

/* The row id of source `name` (created when missing) and its indexed commit. */
static int source_row(sqlite3_int64 *id, git_oid *commit, int *has_commit, struct bp_index *ix,
		      const char *name, struct bp_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*has_commit = 0;
	rc = bp_index_prepare(&st, ix, ST_SOURCE_GET,
			      "SELECT id, commit_id FROM sources WHERE name = ?", err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *hex = (const char *)sqlite3_column_text(st, 1);

		*id = sqlite3_column_int64(st, 0);
		if (hex && git_oid_fromstr(commit, hex) == 0)
			*has_commit = 1;
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return bp_db_error(err, ix->db, rc, "cannot read sources");
	rc = bp_index_prepare(&st, ix, ST_SOURCE_ADD, "INSERT INTO sources(name) VALUES(?)", err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return bp_db_error(err, ix->db, rc, "cannot add a source");
	*id = sqlite3_last_insert_rowid(ix->db);
	return 0;
}

static int source_set_commit(struct bp_index *ix, sqlite3_int64 id, const git_oid *commit,
			     struct bp_error *err)
{
	char hex[GIT_OID_HEXSZ + 1];
	sqlite3_stmt *st;
	int rc;

	rc = bp_index_prepare(&st, ix, ST_SOURCE_SET,
			      "UPDATE sources SET commit_id = ? WHERE id = ?", err);
	if (rc)
		return rc;
	if (commit) {
		git_oid_tostr(hex, sizeof(hex), commit);
		sqlite3_bind_text(st, 1, hex, -1, SQLITE_TRANSIENT);
	}
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : bp_db_error(err, ix->db, rc, "cannot update a source");
}

/* --- rows ------------------------------------------------------------------------------ */

/*
 * Remove an article's rows. Its FTS5 entry goes later, with the others of the transaction in
 * ascending order (delete_fts_gone): FTS5 writes out all it holds in memory as a new segment
 * whenever it is handed a rowid below the last one, and the rows a change set deletes come in
 * path order, between inserts of higher ids. Deleted one by one, 1 400 articles of a change
 * set made 1 400 segments for FTS5 to merge, a third of the sync.
 */
static int delete_row(struct bp_index *ix, sqlite3_int64 id, struct bp_error *err)
{
	sqlite3_stmt *st;
	int rc, k;
	static const char *const sql[] = {
		"DELETE FROM tags WHERE article = ?",
		"DELETE FROM articles WHERE id = ?",
	};

	if (ix->ngone == ix->capgone) {
		size_t cap = ix->capgone ? ix->capgone * 2 : 256;
		sqlite3_int64 *gone = bp_realloc(ix->gone, cap * sizeof(*gone));

		if (!gone)
			return bp_error_nomem(err);
		ix->gone = gone;
		ix->capgone = cap;
	}
	for (k = 0; k < 2; k++) {
		rc = bp_index_prepare(&st, ix, ST_DEL_TAGS + k, sql[k], err);
		if (rc)
			return rc;
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return bp_db_error(err, ix->db, rc, "cannot delete an article");
	}
	ix->gone[ix->ngone++] = id;
	if (id > ix->gone_max)
		ix->gone_max = id;
	return 0;
}

static int by_rowid(const void *x, const void *y)
{
	sqlite3_int64 a = *(const sqlite3_int64 *)x, b = *(const sqlite3_int64 *)y;

	return a < b ? -1 : a > b;
}

/* Delete the FTS5 entries of the rows delete_row removed, in ascending order. */
static int delete_fts_gone(struct bp_index *ix, struct bp_error *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc = 0;

	if (ix->ngone == 0)
		return 0;
	qsort(ix->gone, ix->ngone, sizeof(*ix->gone), by_rowid);
	for (i = 0; i < ix->ngone && !rc; i++) {
		rc = bp_index_prepare(&st, ix, ST_DEL_FTS, "DELETE FROM fts WHERE rowid = ?", err);
		if (rc)
			break;
		sqlite3_bind_int64(st, 1, ix->gone[i]);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		rc = rc == SQLITE_DONE ? 0 : bp_db_error(err, ix->db, rc, "cannot delete an article");
	}
	ix->ngone = 0;
	ix->gone_max = 0;
	return rc;
}

/* Warnings about one source's files, prefixed with the peer's name and commit. */
struct warn_ctx {
	const struct bp_warn *to;
	const struct bp_source *src;
};

static void source_warn(void *payload, const char *msg)
{
	struct warn_ctx *w = payload;
	char hex[GIT_OID_HEXSZ + 1] = "";

	if (w->src->has_commit)
		git_oid_tostr(hex, sizeof(hex), &w->src->commit);
	if (*w->src->name)
		bp_warn(w->to, "peer '%s' (commit %.7s): %s", w->src->name, hex, msg);
	else
		bp_warn(w->to, "%s", msg);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/*
 * What reading one file gives: its article and plain text, made without touching the
 * database, so that it can be made on another thread while the database is written. The
 * warnings are kept, to be said in order by whoever stores the result.
 */
struct parsed {
	struct bp_article *a;
	char *text;
	size_t tlen;
	int skip;               /* not text at all: skipped */
	struct bp_buf warnings; /* one message per line */
	int rc;
	struct bp_error err;
};

static void keep_warning(void *payload, const char *msg)
{
	struct bp_buf *b = payload;

	bp_buf_addstr(b, msg);
	bp_buf_addch(b, '\n');
}

static void parse_file(struct parsed *p, const struct bp_source *src, const char *path,
		       const char *data, size_t len)
{
	struct bp_article_opts opts = {0};
	struct bp_warn w = {keep_warning, &p->warnings};
	const char *body;
	size_t blen;

	memset(p, 0, sizeof(*p));
	opts.default_sector = src->default_sector;
	/* A peer's problems are said when its files are indexed; the user's own articles are
	 * indexed as they are (a hand edit is searchable at once) and judged by check. */
	opts.warn = *src->name ? &w : NULL;
	p->rc = bp_article_parse(&p->a, path, data, len, &opts, &p->err);
	if (p->rc == BP_EINVALID) {
		/* Not text at all (UTF-16, too large): skipped, said once. */
		keep_warning(&p->warnings, p->err.msg);
		bp_error_clear(&p->err);
		p->rc = 0;
		p->skip = 1;
		return;
	}
	if (p->rc)
		return;
	body = bp_article_body(p->a, &blen);
	p->rc = bp_markdown_text(&p->text, &p->tlen, body, blen, &p->err);
}

static void parsed_release(struct parsed *p)
{
	bp_article_free(p->a);
	bp_free(p->text);
	bp_buf_release(&p->warnings);
}

/*
 * The key of `sector` (BP_SECTOR_BITS), given it the first time; 0 once every key is taken.
 */
static int sector_key(sqlite3_int64 *key, struct bp_index *ix, const char *sector,
		      struct bp_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*key = 0;
	rc = bp_index_prepare(&st, ix, ST_SECTOR_KEY, "SELECT key FROM sectors WHERE name = ?",
			      err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, sector, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*key = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return bp_db_error(err, ix->db, rc, "cannot read the sectors");
	rc = bp_index_prepare(&st, ix, ST_SECTOR_ADD,
			      "INSERT INTO sectors(name) SELECT ?1 "
			      "WHERE (SELECT count(*) FROM sectors) < ?2",
			      err);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, sector, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, BP_SECTOR_KEYS);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return bp_db_error(err, ix->db, rc, "cannot add a sector");
	if (sqlite3_changes(ix->db) == 1)
		*key = sqlite3_last_insert_rowid(ix->db);
	if (*key < 0 || *key > BP_SECTOR_KEYS)
		*key = 0;
	return 0;
}

/*
 * An id for a new article of `sector`: above every id in use, so that FTS5 receives rowids
 * in ascending order (a lower one makes it write out what it holds in memory), with the
 * sector's key in its low bits.
 */
static int new_article_id(sqlite3_int64 *id, struct bp_index *ix, const char *sector,
			  struct bp_error *err)
{
	sqlite3_stmt *st;
	sqlite3_int64 key, max = 0;
	int rc;

	rc = sector_key(&key, ix, sector, err);
	if (rc)
		return rc;
	rc = bp_index_prepare(&st, ix, ST_MAX_ID, "SELECT max(id) FROM articles", err);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		max = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return bp_db_error(err, ix->db, rc, "cannot read the articles");
	/* Above the rows whose FTS5 entry is yet to go, too. */
	if (ix->ngone && ix->gone_max > max)
		max = ix->gone_max;
	if (max < 0 || max >= (INT64_MAX >> 1))
		return bp_error_set(err, BP_EDB, "index: article ids exhausted; run reindex");
	*id = (((max >> BP_SECTOR_BITS) + 1) << BP_SECTOR_BITS) | key;
	return 0;
}

/* Insert the rows of a parsed file; 1 when it was skipped (not text). */
static int store_parsed(struct bp_index *ix, const struct bp_source *src,
			sqlite3_int64 source_id, const char *path, const char *blob, int overlay,
			struct parsed *p, struct bp_error *err)
{
	struct warn_ctx wc = {bp_kb_warn(ix->kb), src};
	struct bp_buf tags = BP_BUF_INIT;
	const struct bp_article *a = p->a;
	sqlite3_stmt *st;
	sqlite3_int64 id = 0;
	const char *line = bp_buf_cstr(&p->warnings), *nl;
	size_t i;
	int rc;

	for (; (nl = strchr(line, '\n')); line = nl + 1) {
		char msg[BP_ERROR_MAX];

		snprintf(msg, sizeof(msg), "%.*s", (int)(nl - line), line);
		source_warn(&wc, msg);
	}
	if (bp_buf_oom(&p->warnings))
		return bp_error_nomem(err);
	if (p->rc) {
		*err = p->err;
		return p->rc;
	}
	if (p->skip)
		return 1;
	rc = new_article_id(&id, ix, bp_article_sector(a), err);
	if (rc)
		goto out;
	rc = bp_index_prepare(&st, ix, ST_INS_ARTICLE,
			      "INSERT INTO articles(id, source, path, blob, title, sector, author, "
			      "created, updated, overlay) VALUES(?,?,?,?,?,?,?,?,?,?)",
			      err);
	if (rc)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, source_id);
	sqlite3_bind_text(st, 3, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, blob, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, bp_article_title(a), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, bp_article_sector(a), -1, SQLITE_STATIC);
	bind_opt(st, 7, bp_article_author(a));
	bind_opt(st, 8, bp_article_created(a));
	bind_opt(st, 9, bp_article_updated(a));
	sqlite3_bind_int(st, 10, overlay);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = bp_db_error(err, ix->db, rc, "cannot add an article");
		goto out;
	}
	for (i = 0; i < bp_article_tag_count(a); i++) {
		rc = bp_index_prepare(&st, ix, ST_INS_TAG,
				      "INSERT OR IGNORE INTO tags(article, pos, tag) VALUES(?,?,?)",
				      err);
		if (rc)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, bp_article_tag(a, i), -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			rc = bp_db_error(err, ix->db, rc, "cannot add a tag");
			goto out;
		}
		bp_buf_addf(&tags, "%s%s", i ? " " : "", bp_article_tag(a, i));
	}
	if (bp_buf_oom(&tags)) {
		rc = bp_error_nomem(err);
		goto out;
	}
	rc = bp_index_prepare(&st, ix, ST_INS_FTS,
			      "INSERT INTO fts(rowid, " BP_FTS_COLUMNS ") VALUES(?,?,?,?,?,?)",
			      err);
	if (rc)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, bp_article_title(a), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, bp_buf_cstr(&tags), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->text, (int)p->tlen, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, bp_article_sector(a), -1, SQLITE_STATIC);
	bind_opt(st, 6, bp_article_author(a));
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	rc = rc == SQLITE_DONE ? 0 : bp_db_error(err, ix->db, rc, "cannot index an article");
out:
	bp_buf_release(&tags);
	return rc;
}

/* Parse an article's text and insert its rows; 1 when it was skipped (not text). */
static int insert_row(struct bp_index *ix, const struct bp_source *src, sqlite3_int64 source_id,
		      const char *path, const char *blob, int overlay, const char *data,
		      size_t len, struct bp_error *err)
{
	struct parsed p;
	int rc;

	parse_file(&p, src, path, data, len);
	rc = store_parsed(ix, src, source_id, path, blob, overlay, &p, err);
	parsed_release(&p);
	return rc;
}

/* What a path should hold in the index: nothing, or a blob with its text. */
struct target {
	int present;
	int overlay;
	git_oid blob;
	char *data; /* loaded lazily */
	size_t len;
};

/* Load a blob of a peer or of HEAD, checking its size before reading it. */
/*
 * Read a blob of at most BP_PEER_MAX_BLOB bytes into a new string. 1 when it is not one, with
 * the warning to give in `why`. Safe on any thread: git_odb locks for itself, and libgit2's
 * last error, which bp_git_error reads, is the calling thread's.
 */
static int read_blob(char **out, size_t *len, git_odb *odb, const git_oid *id,
		     const char *path, char *why, size_t whysz, struct bp_error *err)
{
	git_odb_object *obj = NULL;
	git_object_t type;
	size_t size = 0;
	int rc;

	*out = NULL;
	rc = git_odb_read_header(&size, &type, odb, id);
	if (rc < 0)
		return bp_git_error(err, rc, "cannot read '%s'", path);
	if (type != GIT_OBJECT_BLOB || size > BP_PEER_MAX_BLOB) {
		/* Said as the tree comparison says what it leaves out. */
		snprintf(why, whysz, "skipped '%s': %s", path,
			 type != GIT_OBJECT_BLOB ? "a file entry that names a folder or a commit"
						 : "larger than 4 MiB");
		return 1;
	}
	rc = git_odb_read(&obj, odb, id);
	if (rc < 0)
		return bp_git_error(err, rc, "cannot read '%s'", path);
	*out = bp_strndup(git_odb_object_data(obj), git_odb_object_size(obj));
	*len = git_odb_object_size(obj);
	git_odb_object_free(obj);
	return *out ? 0 : bp_error_nomem(err);
}

static int load_blob(char **out, size_t *len, struct bp_index *ix, const git_oid *id,
		     const struct bp_source *src, const char *path, struct bp_error *err)
{
	struct warn_ctx wc = {bp_kb_warn(ix->kb), src};
	char why[600];
	git_odb *odb = NULL;
	int rc;

	*out = NULL;
	rc = git_repository_odb(&odb, ix->kb->repo);
	if (rc < 0)
		return bp_git_error(err, rc, "cannot read '%s'", path);
	rc = read_blob(out, len, odb, id, path, why, sizeof(why), err);
	if (rc == 1)
		source_warn(&wc, why);
	git_odb_free(odb);
	return rc;
}

/*
 * Indexing many files at once (a first sync, a reindex): a second thread reads the blobs and
 * parses them (YAML front matter, Markdown to text) while this one compares the trees and
 * writes the database (FTS5 is the larger half). Files are stored in the order they were
 * submitted, so the result is the one a single thread would give; at most PIPE_WINDOW are in
 * flight, which bounds memory.
 */
#define PIPE_WINDOW 64

struct job {
	char *path;
	char hex[GIT_OID_HEXSZ + 1];
	int overlay;
	git_oid id; /* the blob to read, when `data` is NULL */
	char *data; /* freed by the parser once parsed */
	size_t len;
	struct parsed p;
	int done;
};

struct pipeline {
	struct bp_index *ix;
	const struct bp_source *src;
	sqlite3_int64 source_id;
	git_odb *odb; /* the worker reads blobs through it */
	pthread_t thread;
	int started, quit;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *ring[PIPE_WINDOW];
	size_t submitted, parsed, finished;
};

/* Read the job's blob if it has none yet, and parse it: the worker's part. */
static void job_run(struct pipeline *pl, struct job *job)
{
	char why[600];
	int rc = 0;

	if (!job->data)
		rc = read_blob(&job->data, &job->len, pl->odb, &job->id, job->path, why,
			       sizeof(why), &job->p.err);
	if (rc == 1) {
		/* Said and recorded when the job is stored, as for a file that is not text. */
		keep_warning(&job->p.warnings, why);
		job->p.skip = 1;
	} else if (rc) {
		job->p.rc = rc;
	} else {
		parse_file(&job->p, pl->src, job->path, job->data, job->len);
	}
}

static void *pipe_worker(void *arg)
{
	struct pipeline *pl = arg;
	struct job *job;

	pthread_mutex_lock(&pl->mu);
	for (;;) {
		while (pl->parsed == pl->submitted && !pl->quit)
			pthread_cond_wait(&pl->cv, &pl->mu);
		if (pl->parsed == pl->submitted)
			break;
		job = pl->ring[pl->parsed % PIPE_WINDOW];
		pthread_mutex_unlock(&pl->mu);
		job_run(pl, job);
		bp_free(job->data);
		job->data = NULL;
		pthread_mutex_lock(&pl->mu);
		job->done = 1;
		pl->parsed++;
		pthread_cond_broadcast(&pl->cv);
	}
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

static void pipe_init(struct pipeline *pl, struct bp_index *ix, const struct bp_source *src,
		      sqlite3_int64 source_id)
{
	memset(pl, 0, sizeof(*pl));
	pl->ix = ix;
	pl->src = src;
	pl->source_id = source_id;
}

static void job_free(struct job *job)
{
	if (!job)
		return;
	parsed_release(&job->p);
	bp_free(job->data);
	bp_free(job->path);
	bp_free(job);
}

static int set_skipped(struct bp_index *ix, sqlite3_int64 source_id, const char *path,
		       const char *blob, struct bp_error *err);

/* Store a parsed job, and record whether it was skipped. */
static int store_job(struct pipeline *pl, struct job *job, struct bp_error *err)
{
	int rc = store_parsed(pl->ix, pl->src, pl->source_id, job->path, job->hex, job->overlay,
			      &job->p, err);

	if (rc == 1)
		return set_skipped(pl->ix, pl->source_id, job->path, job->hex, err);
	return rc ? rc : set_skipped(pl->ix, pl->source_id, job->path, NULL, err);
}

/* Wait for the oldest job, and store it (unless `discard`, after an error). */
static int pipe_finish_one(struct pipeline *pl, int discard, struct bp_error *err)
{
	struct job *job = pl->ring[pl->finished % PIPE_WINDOW];
	int rc = 0;

	pthread_mutex_lock(&pl->mu);
	while (!job->done)
		pthread_cond_wait(&pl->cv, &pl->mu);
	pthread_mutex_unlock(&pl->mu);
	if (!discard)
		rc = store_job(pl, job, err);
	job_free(job);
	pl->ring[pl->finished % PIPE_WINDOW] = NULL;
	pl->finished++;
	return rc;
}

/*
 * Hand one file to the worker: its text `data` (which becomes the pipeline's), or NULL for
 * the worker to read blob `id`.
 */
static int pipe_submit(struct pipeline *pl, const char *path, const char *hex, int overlay,
		       const git_oid *id, char *data, size_t len, struct bp_error *err)
{
	struct job *job = bp_calloc(1, sizeof(*job));
	int rc;

	if (!job || !(job->path = bp_strdup(path))) {
		bp_free(job);
		bp_free(data);
		return bp_error_nomem(err);
	}
	snprintf(job->hex, sizeof(job->hex), "%s", hex);
	job->overlay = overlay;
	git_oid_cpy(&job->id, id);
	job->data = data;
	job->len = len;
	if (!pl->odb && git_repository_odb(&pl->odb, pl->ix->kb->repo) < 0) {
		rc = bp_git_error(err, -1, "cannot read '%s'", path);
		job_free(job);
		return rc;
	}
	if (!pl->started) {
		pthread_mutex_init(&pl->mu, NULL);
		pthread_cond_init(&pl->cv, NULL);
		if (pthread_create(&pl->thread, NULL, pipe_worker, pl) != 0) {
			pthread_cond_destroy(&pl->cv);
			pthread_mutex_destroy(&pl->mu);
			/* No thread to be had: the work is done here. */
			job_run(pl, job);
			rc = store_job(pl, job, err);
			job_free(job);
			return rc;
		}
		pl->started = 1;
	}
	while (pl->submitted - pl->finished >= PIPE_WINDOW) {
		rc = pipe_finish_one(pl, 0, err);
		if (rc) {
			job_free(job);
			return rc;
		}
	}
	pthread_mutex_lock(&pl->mu);
	pl->ring[pl->submitted % PIPE_WINDOW] = job;
	pl->submitted++;
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
	return 0;
}

/*
 * Store what is still in flight (only release it when `rc`, an earlier failure, says the
 * work is abandoned), and stop the parser. Returns rc, or the first failure of storing.
 */
static int pipe_end(struct pipeline *pl, int rc, struct bp_error *err)
{
	while (pl->finished < pl->submitted) {
		int r = pipe_finish_one(pl, rc != 0, err);

		if (!rc)
			rc = r;
	}
	if (pl->started) {
		pthread_mutex_lock(&pl->mu);
		pl->quit = 1;
		pthread_cond_broadcast(&pl->cv);
		pthread_mutex_unlock(&pl->mu);
		pthread_join(pl->thread, NULL);
		pthread_cond_destroy(&pl->cv);
		pthread_mutex_destroy(&pl->mu);
		pl->started = 0;
	}
	git_odb_free(pl->odb);
	pl->odb = NULL;
	return rc;
}

/* Record that `path` at `blob` was not indexed, or (blob NULL) forget that it was. */
static int set_skipped(struct bp_index *ix, sqlite3_int64 source_id, const char *path,
		       const char *blob, struct bp_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (blob)
		rc = bp_index_prepare(&st, ix, ST_SKIP_SET,
				      "INSERT OR REPLACE INTO skipped(source, path, blob) "
				      "VALUES(?,?,?)",
				      err);
	else
		rc = bp_index_prepare(&st, ix, ST_SKIP_DEL,
				      "DELETE FROM skipped WHERE source = ? AND path = ?", err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	if (blob)
		sqlite3_bind_text(st, 3, blob, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : bp_db_error(err, ix->db, rc, "cannot update");
}

/* Whether `path` at `blob` was already seen and skipped. */
static int was_skipped(struct bp_index *ix, sqlite3_int64 source_id, const char *path,
		       const char *blob)
{
	sqlite3_stmt *st;
	int yes;

	if (bp_index_prepare(&st, ix, ST_SKIP_GET,
			     "SELECT 1 FROM skipped WHERE source = ? AND path = ? AND blob = ?",
			     NULL))
		return 0;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, blob, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return yes;
}

/*
 * Bring the row of one path in line with its target. `overlaid` says where the content
 * comes from: the working tree (1), the blob `blob` named by a tree comparison (NULL: the
 * path is gone), or, when `tree` is given, the entry of `tree` at `path`.
 */
static int sync_path(struct bp_index *ix, const struct bp_source *src, sqlite3_int64 source_id,
		     git_tree *tree, const git_oid *blob, const char *path, int overlaid,
		     struct pipeline *pl, struct bp_error *err)
{
	struct target t = {0};
	git_tree_entry *entry = NULL;
	sqlite3_stmt *st;
	sqlite3_int64 row = 0;
	char hex[GIT_OID_HEXSZ + 1], old_hex[GIT_OID_HEXSZ + 1] = "";
	int rc, have_row = 0, old_overlay = 0;

	if (!bp_index_path_ok(ix, src->name, path))
		return 0;
	if (overlaid) {
		rc = bp_kb_read(&t.data, &t.len, ix->kb, path, err);
		if (rc == BP_ENOTFOUND) {
			bp_error_clear(err);
		} else if (rc == BP_EIO || rc == BP_EINVALID) {
			bp_warn(bp_kb_warn(ix->kb), "%s (not indexed)", err->msg);
			bp_error_clear(err);
		} else if (rc) {
			return rc;
		} else {
			git_odb_hash(&t.blob, t.data, t.len, GIT_OBJECT_BLOB);
			t.present = 1;
			t.overlay = 1;
		}
	} else if (!tree && blob) {
		git_oid_cpy(&t.blob, blob);
		t.present = 1;
	} else if (tree && git_tree_entry_bypath(&entry, tree, path) == 0) {
		git_filemode_t mode = git_tree_entry_filemode(entry);

		/* Symlinks, submodules and folders are not articles, whatever their name. */
		if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
			git_oid_cpy(&t.blob, git_tree_entry_id(entry));
			t.present = 1;
		}
		git_tree_entry_free(entry);
	}

	rc = bp_index_prepare(&st, ix, ST_ROW_GET,
			      "SELECT id, blob, overlay FROM articles WHERE source = ? AND path = ?",
			      err);
	if (rc)
		goto out;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		have_row = 1;
		row = sqlite3_column_int64(st, 0);
		snprintf(old_hex, sizeof(old_hex), "%s", sqlite3_column_text(st, 1));
		old_overlay = sqlite3_column_int(st, 2);
	} else if (rc != SQLITE_DONE) {
		sqlite3_reset(st);
		rc = bp_db_error(err, ix->db, rc, "cannot read an article");
		goto out;
	}
	sqlite3_reset(st);
	rc = 0;
	if (!t.present) {
		if (have_row)
			rc = delete_row(ix, row, err);
		if (!rc)
			rc = set_skipped(ix, source_id, path, NULL, err);
		goto out;
	}
	git_oid_tostr(hex, sizeof(hex), &t.blob);
	if (have_row && !strcmp(hex, old_hex)) {
		if (old_overlay != t.overlay) {
			rc = bp_index_prepare(&st, ix, ST_ROW_OVERLAY,
					      "UPDATE articles SET overlay = ? WHERE id = ?", err);
			if (rc)
				goto out;
			sqlite3_bind_int(st, 1, t.overlay);
			sqlite3_bind_int64(st, 2, row);
			rc = sqlite3_step(st);
			sqlite3_reset(st);
			rc = rc == SQLITE_DONE ? 0 : bp_db_error(err, ix->db, rc, "cannot update");
		}
		goto out;
	}
	if (!have_row && was_skipped(ix, source_id, path, hex))
		goto out;
	if (have_row) {
		rc = delete_row(ix, row, err);
		if (rc)
			goto out;
	}
	if (pl) {
		/* The worker takes it from here (reading the blob, unless the working tree gave
		 * the text); storing follows in order. */
		rc = pipe_submit(pl, path, hex, t.overlay, &t.blob, t.data, t.len, err);
		t.data = NULL;
		ix->changed++;
		goto out;
	}
	if (!t.data)
		rc = load_blob(&t.data, &t.len, ix, &t.blob, src, path, err);
	if (!rc)
		rc = insert_row(ix, src, source_id, path, hex, t.overlay, t.data, t.len, err);
	if (rc == 1)
		rc = set_skipped(ix, source_id, path, hex, err);
	else if (!rc)
		rc = set_skipped(ix, source_id, path, NULL, err);
	ix->changed++;
out:
	bp_free(t.data);
	return rc;
}

/* --- the update ------------------------------------------------------------------------ */

/* Paths the own KB's working tree changed, sorted, for the overlay. */
struct pathset {
	char **path;
	/* With pathset_stat: each path's size and modification time in ns, -1 when absent. */
	long long *size, *mtime;
	size_t n, cap;
};

static void pathset_release(struct pathset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		bp_free(s->path[i]);
	bp_free(s->path);
	bp_free(s->size);
	bp_free(s->mtime);
	memset(s, 0, sizeof(*s));
}

static int pathset_add(struct pathset *s, const char *path)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **p = bp_realloc(s->path, cap * sizeof(*p));
		if (!p)
			return BP_ENOMEM;
		s->path = p;
		s->cap = cap;
	}
	s->path[s->n] = bp_strdup(path);
	if (!s->path[s->n])
		return BP_ENOMEM;
	s->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the paths and drop repeated ones, for pathset_has. */
static void pathset_sort(struct pathset *s)
{
	size_t i, k = 0;

	if (!s->n)
		return;
	qsort(s->path, s->n, sizeof(char *), cmp_str);
	for (i = 1; i < s->n; i++) {
		if (!strcmp(s->path[k], s->path[i]))
			bp_free(s->path[i]);
		else
			s->path[++k] = s->path[i];
	}
	s->n = k + 1;
}

static int pathset_has(const struct pathset *s, const char *path)
{
	return s->n && bsearch(&path, s->path, s->n, sizeof(char *), cmp_str) != NULL;
}

/* The position of `path` in a sorted set, or -1. */
static long pathset_find(const struct pathset *s, const char *path)
{
	char **p = s->n ? bsearch(&path, s->path, s->n, sizeof(char *), cmp_str) : NULL;

	return p ? (long)(p - s->path) : -1;
}

/* Make the stat arrays as long as the path array's capacity. */
static int pathset_stats_room(struct pathset *s)
{
	long long *sz = bp_realloc(s->size, s->cap * sizeof(*sz)), *mt;

	if (!sz)
		return BP_ENOMEM;
	s->size = sz;
	mt = bp_realloc(s->mtime, s->cap * sizeof(*mt));
	if (!mt)
		return BP_ENOMEM;
	s->mtime = mt;
	return 0;
}

/* Record each working-tree file's size and modification time (-1 when there is none). */
static int pathset_stat(struct pathset *s, struct bp_index *ix)
{
	struct bp_buf full = BP_BUF_INIT;
	struct stat st;
	size_t i;

	s->size = bp_calloc(s->n + 1, sizeof(*s->size));
	s->mtime = bp_calloc(s->n + 1, sizeof(*s->mtime));
	if (!s->size || !s->mtime)
		return BP_ENOMEM;
	for (i = 0; i < s->n; i++) {
		bp_buf_truncate(&full, 0);
		bp_buf_addf(&full, "%s%s", bp_kb_workdir(ix->kb), s->path[i]);
		if (bp_buf_oom(&full))
			return BP_ENOMEM;
		if (lstat(full.ptr, &st) == 0) {
			s->size[i] = (long long)st.st_size;
			s->mtime[i] = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		} else {
			s->size[i] = s->mtime[i] = -1;
		}
	}
	bp_buf_release(&full);
	return 0;
}

/*
 * Whether path i of a stat'ed set is as recorded (size and mtime of the worktree table): then
 * its content is what was indexed. A file modified in the last two seconds is never trusted
 * by its stat alone, as git treats a "racily clean" entry: it could have changed again within
 * the same tick of the clock.
 */
static int stat_unchanged(const struct pathset *s, size_t i, long long size, long long mtime)
{
	struct timespec now;
	long long now_ns;

	if (s->size[i] != size || s->mtime[i] != mtime)
		return 0;
	if (mtime < 0)
		return 1;
	clock_gettime(CLOCK_REALTIME, &now);
	now_ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
	return mtime < now_ns - 2000000000LL;
}

/* The articles of the own working tree that differ from HEAD (git status). */
static int working_changes(struct pathset *out, struct bp_index *ix, struct bp_error *err)
{
	git_status_options opts = GIT_STATUS_OPTIONS_INIT;
	git_status_list *list = NULL;
	size_t i, n;
	int rc;

	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		     GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	rc = git_status_list_new(&list, ix->kb->repo, &opts);
	if (rc < 0)
		return bp_git_error(err, rc, "cannot read the working tree's status");
	n = git_status_list_entrycount(list);
	for (i = 0; i < n; i++) {
		const git_status_entry *e = git_status_byindex(list, i);
		const git_diff_delta *d[2] = {e->head_to_index, e->index_to_workdir};
		int k;

		for (k = 0; k < 2; k++) {
			const char *p;

			if (!d[k])
				continue;
			p = d[k]->new_file.path ? d[k]->new_file.path : d[k]->old_file.path;
			if (bp_kb_is_article_path(p) && pathset_add(out, p)) {
				rc = bp_error_nomem(err);
				goto out;
			}
		}
	}
	pathset_sort(out);
	if (pathset_stat(out, ix))
		rc = bp_error_nomem(err);
out:
	git_status_list_free(list);
	return rc;
}

/*
 * Paths of the own source that the last update read from the working tree, sorted, with the
 * size and modification time they had then.
 */
static int overlaid_paths(struct pathset *out, struct bp_index *ix, struct bp_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = bp_index_prepare(&st, ix, ST_OVERLAID,
			      "SELECT path, coalesce(size, -1), coalesce(mtime, -1) FROM worktree "
			      "ORDER BY path",
			      err);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t i = out->n;

		if (pathset_add(out, (const char *)sqlite3_column_text(st, 0)) ||
		    pathset_stats_room(out))
			goto oom;
		out->size[i] = sqlite3_column_int64(st, 1);
		out->mtime[i] = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : bp_db_error(err, ix->db, rc, "cannot read the overlay");
oom:
	sqlite3_reset(st);
	return bp_error_nomem(err);
}

/* Remember `dirty` as the paths read from the working tree, for the next update. */
static int set_overlaid_paths(struct bp_index *ix, const struct pathset *dirty,
			      struct bp_error *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	rc = bp_index_prepare(&st, ix, ST_WT_CLEAR, "DELETE FROM worktree", err);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return bp_db_error(err, ix->db, rc, "cannot update the overlay");
	for (i = 0; i < dirty->n; i++) {
		rc = bp_index_prepare(&st, ix, ST_WT_ADD,
				      "INSERT INTO worktree(path, size, mtime) VALUES(?, ?, ?)", err);
		if (rc)
			return rc;
		sqlite3_bind_text(st, 1, dirty->path[i], -1, SQLITE_STATIC);
		if (dirty->size && dirty->size[i] >= 0) {
			sqlite3_bind_int64(st, 2, dirty->size[i]);
			sqlite3_bind_int64(st, 3, dirty->mtime[i]);
		}
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return bp_db_error(err, ix->db, rc, "cannot update the overlay");
	}
	return 0;
}

static int commit_tree(git_tree **out, struct bp_index *ix, const git_oid *commit,
		       struct bp_error *err)
{
	git_commit *c = NULL;
	int rc;

	*out = NULL;
	rc = git_commit_lookup(&c, ix->kb->repo, commit);
	if (rc == 0)
		rc = git_commit_tree(out, c);
	git_commit_free(c);
	return rc < 0 ? bp_git_error(err, rc, "cannot read commit") : 0;
}

struct progress_state {
	const struct bp_progress *p;
	const char *what;
	size_t done, total;
};

static void tick(struct progress_state *ps)
{
	ps->done++;
	if (ps->p && ps->p->fn && (ps->done % 500 == 0 || ps->done == ps->total))
		ps->p->fn(ps->p->payload, ps->what, ps->done, ps->total);
}

/* What the tree comparison of one source needs. */
struct change_ctx {
	struct bp_index *ix;
	const struct bp_source *src;
	sqlite3_int64 source_id;
	const struct pathset *dirty;
	struct progress_state *ps;
	struct bp_error *err;
	char commit[GIT_OID_HEXSZ + 1];
	struct pipeline *pl;
	struct bp_change_counts *counts; /* a peer's: what its report says */
};

static int on_change(const char *path, const git_oid *old_id, const git_oid *new_id,
		     void *payload)
{
	struct change_ctx *cc = payload;
	int rc;

	if (cc->dirty && pathset_has(cc->dirty, path))
		return 0; /* the overlay decides */
	if (cc->counts)
		bp_count_change(path, old_id, new_id, cc->counts);
	rc = sync_path(cc->ix, cc->src, cc->source_id, NULL, new_id, path, 0, cc->pl, cc->err);
	tick(cc->ps);
	return rc;
}

/* An entry a source's tree holds that is never used: said once, with where it is. */
static void on_reject(const char *path, const char *why, void *payload)
{
	struct change_ctx *cc = payload;

	if (*cc->src->name)
		bp_warn(bp_kb_warn(cc->ix->kb), "peer '%s' (commit %.7s): skipped '%s': %s",
			cc->src->name, cc->commit, path, why);
	else
		bp_warn(bp_kb_warn(cc->ix->kb), "skipped '%s' (commit %.7s): %s", path,
			cc->commit, why);
}

/*
 * Bring one source up to date. `dirty` (own KB only, else NULL) lists the paths that the
 * working tree changed; they are read from the working tree, and the paths read from it last
 * time that it no longer changes are read again from the commit. `counts` (peers, else NULL)
 * gets the articles the update added, changed and removed.
 */
static int update_source(struct bp_index *ix, const struct bp_source *src,
			 const struct pathset *dirty, const struct bp_progress *progress,
			 struct bp_change_counts *counts, struct bp_error *err)
{
	git_tree *old_tree = NULL, *new_tree = NULL;
	struct pathset was = {0};
	struct progress_state ps = {progress, src->name[0] ? src->name : "indexing", 0, 0};
	sqlite3_int64 source_id;
	git_oid old;
	int has_old, rc;
	size_t i;

	rc = source_row(&source_id, &old, &has_old, ix, src->name, err);
	if (rc)
		return rc;
	if (src->has_commit && (rc = commit_tree(&new_tree, ix, &src->commit, err)))
		goto out;
	if (has_old != src->has_commit || (has_old && !git_oid_equal(&old, &src->commit))) {
		struct pipeline pl;
		struct change_ctx cc = {ix, src, source_id, dirty, &ps, err, "", &pl, counts};
		struct bp_tree_diff_cb cb = {on_change, on_reject, &cc};

		/* The commit indexed may be gone (a peer rewrote its history): start over. */
		if (has_old && commit_tree(&old_tree, ix, &old, err)) {
			bp_error_clear(err);
			old_tree = NULL;
			rc = bp_index_clear_source(ix, source_id, err);
			if (rc)
				goto out;
		}
		if (src->has_commit)
			git_oid_tostr(cc.commit, sizeof(cc.commit), &src->commit);
		pipe_init(&pl, ix, src, source_id);
		rc = bp_tree_diff(ix->kb->repo, old_tree, new_tree, &cb, err);
		rc = pipe_end(&pl, rc, err);
		/* Progress was shown for long work: end its line. */
		if (ps.done >= 500 && progress && progress->fn)
			progress->fn(progress->payload, ps.what, ps.done, ps.done);
		if (rc)
			goto out;
		rc = source_set_commit(ix, source_id, src->has_commit ? &src->commit : NULL, err);
		if (rc)
			goto out;
	}
	if (dirty) {
		rc = overlaid_paths(&was, ix, err);
		if (rc)
			goto out;
		for (i = 0; i < was.n; i++)
			if (!pathset_has(dirty, was.path[i]) &&
			    (rc = sync_path(ix, src, source_id, new_tree, NULL, was.path[i], 0, NULL, err)))
				goto out;
		for (i = 0; i < dirty->n; i++) {
			long j = pathset_find(&was, dirty->path[i]);

			/* Read again only what changed since it was read (size, mtime). */
			if (j >= 0 && stat_unchanged(dirty, i, was.size[j], was.mtime[j]))
				continue;
			if ((rc = sync_path(ix, src, source_id, new_tree, NULL, dirty->path[i], 1, NULL, err)))
				goto out;
		}
		rc = set_overlaid_paths(ix, dirty, err);
	}
out:
	pathset_release(&was);
	git_tree_free(old_tree);
	git_tree_free(new_tree);
	return rc;
}

/*
 * Bring one peer up to date, or leave it as it was: a peer whose commit cannot be read (a
 * tree git cannot parse at its root, an object missing) must not stop the update of the
 * other sources, nor take its tips as they were out of the index. Its rows are rolled back to
 * where they were and it is said once; as its commit stays the one indexed, the next update
 * tries it again.
 */
/* Keep what the update did to a peer, for bp_index_peer_changes. */
static int keep_changes(struct bp_index *ix, const char *name, const struct bp_change_counts *c,
			struct bp_error *err)
{
	struct peer_changes *pc;
	sqlite3_stmt *st;
	size_t before = 0;
	int rc;

	pc = bp_realloc(ix->changes, (ix->nchanges + 1) * sizeof(*pc));
	if (!pc)
		return bp_error_nomem(err);
	ix->changes = pc;
	pc += ix->nchanges;
	memset(pc, 0, sizeof(*pc));
	pc->name = bp_strdup(name);
	if (!pc->name)
		return bp_error_nomem(err);
	ix->nchanges++;
	pc->c.added = c->added;
	pc->c.changed = c->changed;
	pc->c.removed = c->removed;
	/* Most of a peer's tips gone at once is worth saying loudly. Every article changed or
	 * removed was there before: no more removed than changed cannot be most of them. */
	if (c->removed <= c->changed)
		return 0;
	rc = sqlite3_prepare_v2(ix->db,
				"SELECT count(*) FROM articles a JOIN sources s ON s.id = a.source "
				"WHERE s.name = ?",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			before = (size_t)sqlite3_column_int64(st, 0) + c->removed - c->added;
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return bp_db_error(err, ix->db, rc, "cannot count a peer's articles");
	pc->c.mass_delete = before >= 4 && c->removed * 2 > before;
	return 0;
}

static int update_peer(struct bp_index *ix, const struct bp_source *src,
		       const struct bp_progress *progress, struct bp_error *err)
{
	struct bp_change_counts counts = {NULL, 1, 0, 0, 0};
	char hex[GIT_OID_HEXSZ + 1] = "";
	int rc;

	rc = exec(ix, "SAVEPOINT peer", err);
	if (rc)
		return rc;
	if (git_repository_odb(&counts.odb, ix->kb->repo) < 0)
		counts.odb = NULL;
	rc = update_source(ix, src, NULL, progress, &counts, err);
	git_odb_free(counts.odb);
	if (rc == 0)
		rc = keep_changes(ix, src->name, &counts, err);
	if (rc == BP_ENOMEM || rc == BP_EDB) {
		sqlite3_exec(ix->db, "ROLLBACK TO peer; RELEASE peer", NULL, NULL, NULL);
		return rc;
	}
	if (rc) {
		if (src->has_commit)
			git_oid_tostr(hex, sizeof(hex), &src->commit);
		bp_warn(bp_kb_warn(ix->kb),
			"peer '%s' (commit %.7s): not indexed, its tips as they were stay "
			"searchable: %s",
			src->name, hex, err->msg);
		bp_error_clear(err);
		ix->failed++;
		rc = exec(ix, "ROLLBACK TO peer", err);
	}
	return rc ? rc : exec(ix, "RELEASE peer", err);
}

/* Whether anything is to be done: a source's commit moved, or the working tree changed. */
static int needs_update(int *yes, struct bp_index *ix, const struct bp_source *src, size_t n,
			const struct pathset *dirty, struct bp_error *err)
{
	sqlite3_stmt *st;
	struct pathset was = {0};
	size_t i, known = 0;
	int rc;

	/* The working tree: the same changed files as last time, none touched since? */
	*yes = 0;
	rc = overlaid_paths(&was, ix, err);
	if (rc)
		return rc;
	if (was.n != dirty->n)
		*yes = 1;
	for (i = 0; i < dirty->n && !*yes; i++)
		*yes = strcmp(was.path[i], dirty->path[i]) ||
		       !stat_unchanged(dirty, i, was.size[i], was.mtime[i]);
	pathset_release(&was);
	if (*yes)
		return 0;
	rc = bp_index_prepare(&st, ix, ST_SOURCES_ALL,
			      "SELECT name, commit_id FROM sources",
			      err);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *hex = (const char *)sqlite3_column_text(st, 1);
		char want[GIT_OID_HEXSZ + 1] = "";

		for (i = 0; i < n && strcmp(src[i].name, name); i++)
			;
		if (i == n) {
			*yes = 1; /* a peer was removed */
			break;
		}
		known++;
		if (src[i].has_commit)
			git_oid_tostr(want, sizeof(want), &src[i].commit);
		if (strcmp(want, hex ? hex : "")) {
			*yes = 1;
			break;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return bp_db_error(err, ix->db, rc, "cannot read sources");
	if (known < n)
		*yes = 1;
	return 0;
}

/* Remove the sources that are no longer peers, with their articles. */
static int drop_gone_sources(struct bp_index *ix, const struct bp_source *src, size_t n,
			     struct bp_error *err)
{
	sqlite3_stmt *st;
	struct pathset gone = {0};
	size_t i, k;
	int rc;

	rc = bp_index_prepare(&st, ix, ST_SOURCES_NAMES, "SELECT name FROM sources", err);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		for (i = 0; i < n && strcmp(src[i].name, name); i++)
			;
		if (i == n && pathset_add(&gone, name)) {
			sqlite3_reset(st);
			rc = bp_error_nomem(err);
			goto out;
		}
	}
	sqlite3_reset(st);
	rc = 0;
	for (k = 0; k < gone.n && !rc; k++)
		rc = bp_index_drop_source(ix, gone.path[k], err);
out:
	pathset_release(&gone);
	return rc;
}

/* The own KB as a source: HEAD's commit, if the branch has one. */
static int own_source(struct bp_source *s, struct bp_index *ix, struct bp_error *err)
{
	git_reference *head = NULL;
	git_object *obj = NULL;
	int rc;

	static char own_name[] = "";

	memset(s, 0, sizeof(*s));
	s->name = own_name;
	rc = git_repository_head(&head, ix->kb->repo);
	if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND)
		return 0;
	if (rc == 0)
		rc = git_reference_peel(&obj, head, GIT_OBJECT_COMMIT);
	if (rc < 0) {
		git_reference_free(head);
		return bp_git_error(err, rc, "cannot read HEAD");
	}
	git_oid_cpy(&s->commit, git_object_id(obj));
	s->has_commit = 1;
	git_object_free(obj);
	git_reference_free(head);
	return 0;
}

/* Bring every source up to date; *was_damaged (may be NULL) says whether a failure was a
 * damaged file, which the ROLLBACK after it would no longer show. */
/* The stamp the index keeps: 1 and *out when it has one, else 0. */
static int stamp_get(struct bp_index *ix, uint64_t *out)
{
	sqlite3_stmt *st;
	int has = 0;

	if (sqlite3_prepare_v2(ix->db, "SELECT value FROM stamp WHERE id = 1", -1, &st, NULL) !=
	    SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*out = (uint64_t)sqlite3_column_int64(st, 0);
		has = 1;
	}
	sqlite3_finalize(st);
	return has;
}

/* Keep `stamp` (or none, when NULL) with the index, in the transaction under way if any. */
static int stamp_set(struct bp_index *ix, const uint64_t *stamp, struct bp_error *err)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(ix->db,
				stamp ? "INSERT OR REPLACE INTO stamp(id, value) VALUES(1, ?)"
				      : "DELETE FROM stamp",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		if (stamp)
			sqlite3_bind_int64(st, 1, (sqlite3_int64)*stamp);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	return rc == SQLITE_DONE ? 0 : bp_db_error(err, ix->db, rc, "cannot keep the stamp");
}

static int update(struct bp_index *ix, const struct bp_progress *progress, int *was_damaged,
		  struct bp_error *err)
{
	struct bp_source own, *peers = NULL, *all = NULL;
	struct pathset dirty = {0};
	size_t npeers = 0, i;
	uint64_t stamp, kept;
	int rc, yes = 0, code = 0, stamped;

	/* Taken before git is asked anything: whatever changes from now on changes the stamp,
	 * so a stamp equal to this one means nothing changed since this update. */
	stamped = !bp_kb_stamp(&stamp, bp_kb_workdir(ix->kb), bp_kb_gitdir(ix->kb));
	rc = bp_kb_need_repo(ix->kb, err);
	if (!rc)
		rc = own_source(&own, ix, err);
	if (!rc)
		rc = bp_peer_sources(&peers, &npeers, ix->kb, err);
	if (!rc)
		rc = working_changes(&dirty, ix, err);
	if (rc)
		goto out;
	all = bp_calloc(npeers + 1, sizeof(*all));
	if (!all) {
		rc = bp_error_nomem(err);
		goto out;
	}
	all[0] = own;
	for (i = 0; i < npeers; i++)
		all[i + 1] = peers[i];
	rc = needs_update(&yes, ix, all, npeers + 1, &dirty, err);
	if (rc)
		goto out;
	if (!yes) {
		/* Up to date: keep a new stamp if it can be written at once. While another
		 * process writes (a long sync), this one does not wait for it: the index keeps
		 * the old stamp, and the next search asks git again. */
		if (stamped && !ix->readonly && (!stamp_get(ix, &kept) || kept != stamp)) {
			sqlite3_busy_timeout(ix->db, 0);
			stamp_set(ix, &stamp, NULL);
			sqlite3_busy_timeout(ix->db, ix->busy_ms);
		}
		goto out;
	}
	if (ix->readonly) {
		/* Nothing can be written: the index serves as it is, and the user is told. */
		bp_warn(bp_kb_warn(ix->kb), "the knowledge base cannot be written here: the search "
			"index is not up to date with its latest changes");
		goto out;
	}
	rc = exec(ix, "BEGIN IMMEDIATE", err);
	if (rc)
		goto out;
	ix->failed = 0;
	changes_clear(ix);
	ix->ngone = 0;
	ix->gone_max = 0;
	rc = update_source(ix, &all[0], &dirty, progress, NULL, err);
	for (i = 1; i <= npeers && !rc; i++)
		rc = update_peer(ix, &all[i], progress, err);
	if (!rc)
		rc = delete_fts_gone(ix, err);
	if (!rc)
		rc = drop_gone_sources(ix, all, npeers + 1, err);
	if (!rc)
		rc = stamp_set(ix, stamped ? &stamp : NULL, err);
	if (!rc)
		rc = exec(ix, "COMMIT", err);
	if (rc) {
		code = sqlite3_extended_errcode(ix->db);
		sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
	}
out:
	if (rc && !code)
		code = sqlite3_extended_errcode(ix->db);
	if (was_damaged)
		*was_damaged = rc == BP_EDB && damaged(code);
	bp_free(all);
	bp_sources_free(peers, npeers);
	pathset_release(&dirty);
	return rc;
}

int bp_index_open_unchanged(struct bp_index **out, struct bp_kb **kb, const char *option)
{
	struct bp_index *ix = NULL;
	struct bp_error err;
	uint64_t now, then;

	*out = NULL;
	if (!bp_kb_open_quick(kb, &now, option))
		return 0;
	ix = bp_calloc(1, sizeof(*ix));
	if (ix) {
		ix->kb = *kb;
		index_path(&ix->path, *kb, &err);
	}
	/* Only an index as it is: one to create, recreate or bring up to date needs git. */
	if (ix && ix->path && access(ix->path, F_OK) == 0 && db_open(ix, &err) == 0 &&
	    !ix->readonly && stamp_get(ix, &then) && then == now) {
		*out = ix;
		return 1;
	}
	bp_index_free(ix);
	bp_kb_free(*kb);
	*kb = NULL;
	return 0;
}

int bp_index_update(struct bp_index *ix, const struct bp_progress *progress,
		    struct bp_error *err)
{
	int was_damaged = 0, rc = update(ix, progress, &was_damaged, err);

	/* A file damaged under us: start again from an empty one, once. */
	if (was_damaged) {
		bp_warn(bp_kb_warn(ix->kb), "the search index was damaged; rebuilding it");
		bp_error_clear(err);
		db_close(ix);
		unlink_db(ix->path);
		ix->rebuilt = 1;
		rc = open_or_recreate(ix, err);
		if (!rc)
			rc = update(ix, progress, NULL, err);
	}
	return rc;
}

/*
 * Rebuild into a new file, written without a journal (half the writes of WAL), made durable
 * with one fsync and renamed over the old one: until then the old index stays usable, and a
 * crash leaves it as it was.
 */
int bp_index_rebuild(struct bp_index *ix, const struct bp_progress *progress,
		     struct bp_error *err)
{
	char *path = ix->path, *tmp = NULL;
	size_t n = strlen(path) + 8;
	int fd, rc;

	if (ix->readonly)
		return bp_error_set(err, BP_EIO, "the knowledge base cannot be written here: "
				    "its index cannot be rebuilt");
	tmp = bp_malloc(n);
	if (!tmp)
		return bp_error_nomem(err);
	snprintf(tmp, n, "%s.new", path);
	db_close(ix);
	unlink_db(tmp);
	ix->path = tmp;
	ix->building = 1;
	ix->rebuilt = 1;
	rc = open_or_recreate(ix, err);
	if (!rc)
		rc = update(ix, progress, NULL, err);
	db_close(ix);
	ix->building = 0;
	ix->path = path;
	if (!rc) {
		fd = open(tmp, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fsync(fd) < 0)
			rc = bp_error_set(err, BP_EIO, "index: cannot write '%s': %s", tmp,
					  strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	if (!rc) {
		/* The old file's journal must not be read as the new file's; the file itself
		 * is replaced at once by the rename, so no one finds the index missing. */
		unlink_journals(path);
		if (rename(tmp, path) < 0)
			rc = bp_error_set(err, BP_EIO, "index: cannot replace '%s': %s", path,
					  strerror(errno));
	}
	if (rc)
		unlink_db(tmp);
	bp_free(tmp);
	/* Open the new index (or the old one, if the rebuild failed) as usual. */
	if (!rc)
		rc = open_or_recreate(ix, err);
	else
		open_or_recreate(ix, NULL);
	return rc;
}

int bp_index_clear_source(struct bp_index *ix, sqlite3_int64 source_id, struct bp_error *err)
{
	sqlite3_stmt *st;
	int rc, k;
	static const char *const sql[] = {
		"DELETE FROM fts WHERE rowid IN (SELECT id FROM articles WHERE source = ?1)",
		"DELETE FROM tags WHERE article IN (SELECT id FROM articles WHERE source = ?1)",
		"DELETE FROM articles WHERE source = ?1",
		"DELETE FROM skipped WHERE source = ?1",
		"UPDATE sources SET commit_id = NULL WHERE id = ?1",
	};

	for (k = 0; k < 5; k++) {
		rc = bp_index_prepare(&st, ix, ST_CLEAR_1 + k, sql[k], err);
		if (rc)
			return rc;
		sqlite3_bind_int64(st, 1, source_id);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return bp_db_error(err, ix->db, rc, "cannot clear a source");
	}
	return 0;
}

int bp_index_drop_source(struct bp_index *ix, const char *name, struct bp_error *err)
{
	sqlite3_int64 id;
	git_oid dummy;
	sqlite3_stmt *st;
	int has, rc;

	rc = source_row(&id, &dummy, &has, ix, name, err);
	if (!rc)
		rc = bp_index_clear_source(ix, id, err);
	if (rc)
		return rc;
	rc = bp_index_prepare(&st, ix, ST_SOURCE_DEL, "DELETE FROM sources WHERE id = ?", err);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : bp_db_error(err, ix->db, rc, "cannot drop a source");
}

int bp_index_was_rebuilt(const struct bp_index *ix)
{
	return ix->rebuilt;
}

size_t bp_index_peers_failed(const struct bp_index *ix)
{
	return ix->failed;
}

int bp_index_peer_changes(const struct bp_index *ix, const char *name,
			  struct bp_peer_changes *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < ix->nchanges; i++) {
		if (!strcmp(ix->changes[i].name, name)) {
			*out = ix->changes[i].c;
			return 0;
		}
	}
	return BP_ENOTFOUND;
}
