/*
 * The index's content in a canonical form, for tests that compare an index brought up to date
 * step by step with one built from scratch: nothing in it depends on the order in which rows
 * were written (no row ids), and every line is made by SQLite's JSON functions.
 */
#include "index_internal.h"
#include "index_priv.h"

/*
 * One JSON array per line, sorted as text:
 *   ["source", NAME, COMMIT]
 *   ["article", SOURCE, PATH, BLOB, TITLE, SECTOR, [TAGS...], AUTHOR, CREATED, UPDATED,
 *    OVERLAY, FTS-TITLE, FTS-TAGS, FTS-BODY, FTS-SECTOR, FTS-AUTHOR]
 *   ["skipped", SOURCE, PATH, BLOB]
 *   ["worktree", PATH]: a path of the own KB read from the working tree
 *   ["orphan-fts", TITLE] and ["orphan-tag", TAG]: rows that belong to no article
 */
static const char dump_sql[] =
	"SELECT line FROM ("
	" SELECT json_array('source', name, commit_id) AS line FROM sources"
	" UNION ALL"
	" SELECT json_array('article', s.name, a.path, a.blob, a.title, a.sector,"
	"  json((SELECT json_group_array(tag) FROM (SELECT tag FROM tags WHERE article = a.id"
	"   ORDER BY pos))), a.author, a.created, a.updated, a.overlay,"
	"  f.title, f.tags, f.body, f.sector, f.author)"
	" FROM articles a JOIN sources s ON s.id = a.source"
	" LEFT JOIN fts f ON f.rowid = a.id"
	" UNION ALL"
	" SELECT json_array('skipped', s.name, k.path, k.blob)"
	" FROM skipped k LEFT JOIN sources s ON s.id = k.source"
	" UNION ALL"
	" SELECT json_array('worktree', path) FROM worktree"
	" UNION ALL"
	" SELECT json_array('orphan-fts', title) FROM fts"
	" WHERE rowid NOT IN (SELECT id FROM articles)"
	" UNION ALL"
	" SELECT json_array('orphan-tag', tag) FROM tags"
	" WHERE article NOT IN (SELECT id FROM articles)"
	") ORDER BY line";

int bp_index_dump(struct bp_index *ix, int (*fn)(const char *line, void *payload),
		  void *payload, struct bp_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(ix->db, dump_sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return bp_db_error(err, ix->db, rc, "cannot read the index");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = fn((const char *)sqlite3_column_text(st, 0), payload);
		if (rc) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : bp_db_error(err, ix->db, rc, "cannot read the index");
	sqlite3_finalize(st);
	return rc;
}
