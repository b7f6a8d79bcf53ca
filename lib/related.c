/*
 * related: the same problem in other articles, usually of other sectors. The article's own
 * text is run through the index's tokenizer (FTS5's porter/unicode61, exactly as it was
 * indexed); each distinct term is weighed by tf-idf, with document frequencies read from the
 * FTS5 vocabulary; the most distinctive terms it shares with other articles become an OR
 * query ranked by bm25.
 *
 * And verify: the comparison of the index with what git holds, for `check`.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp/article.h"
#include "index_internal.h"
#include "index_priv.h"
#include "kb_internal.h"
#include "treediff.h"

/* How many terms make the query, and how much a title or tag occurrence counts. */
#define RELATED_TERMS 12
#define TITLE_WEIGHT 3.0
#define TAGS_WEIGHT 2.0

struct term {
	char *stem;  /* as indexed */
	char *word;  /* one original spelling, to query with */
	double tf;   /* weighted occurrences */
	double score;
};

struct terms {
	struct term *t;
	size_t n, cap;
	double weight; /* of the column being tokenized */
	const char *text; /* the column's text, for the original spelling */
	int oom;
};

static int cmp_score(const void *a, const void *b)
{
	double x = ((const struct term *)a)->score, y = ((const struct term *)b)->score;

	return x < y ? 1 : x > y ? -1 : strcmp(((const struct term *)a)->stem,
					       ((const struct term *)b)->stem);
}

static void terms_release(struct terms *ts)
{
	size_t i;

	for (i = 0; i < ts->n; i++) {
		bp_free(ts->t[i].stem);
		bp_free(ts->t[i].word);
	}
	bp_free(ts->t);
}

/* The tokenizer's callback: count a stem, remember its first spelling. */
static int on_token(void *ctx, int flags, const char *token, int ntoken, int start, int end)
{
	struct terms *ts = ctx;
	struct term *t;
	size_t i;

	(void)flags;
	/* Very short stems and numbers say little about the problem a tip addresses. */
	if (ntoken < 3 || strspn(token, "0123456789") == (size_t)ntoken)
		return SQLITE_OK;
	for (i = 0; i < ts->n; i++) {
		if ((int)strlen(ts->t[i].stem) == ntoken && !memcmp(ts->t[i].stem, token, ntoken)) {
			ts->t[i].tf += ts->weight;
			return SQLITE_OK;
		}
	}
	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? ts->cap * 2 : 64;
		struct term *p = bp_realloc(ts->t, cap * sizeof(*p));
		if (!p) {
			ts->oom = 1;
			return SQLITE_NOMEM;
		}
		ts->t = p;
		ts->cap = cap;
	}
	t = &ts->t[ts->n];
	t->stem = bp_strndup(token, (size_t)ntoken);
	t->word = bp_strndup(ts->text + start, (size_t)(end - start));
	t->tf = ts->weight;
	t->score = 0;
	if (!t->stem || !t->word) {
		bp_free(t->stem);
		bp_free(t->word);
		ts->oom = 1;
		return SQLITE_NOMEM;
	}
	ts->n++;
	return SQLITE_OK;
}

/* The FTS5 API of the connection, through the documented pointer-passing interface. */
static fts5_api *get_fts5(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

/* Tokenize the title, tags and body of row `rowid` into `ts`. */
static int tokenize_row(struct terms *ts, struct bp_index *ix, sqlite3_int64 rowid,
			struct bp_error *err)
{
	static const char *const args[] = {"unicode61", "remove_diacritics", "2"};
	static const double weights[] = {TITLE_WEIGHT, TAGS_WEIGHT, 1.0};
	fts5_api *api = get_fts5(ix->db);
	fts5_tokenizer tok;
	Fts5Tokenizer *t = NULL;
	void *ud = NULL;
	sqlite3_stmt *st = NULL;
	int rc, k;

	if (!api || api->xFindTokenizer(api, "porter", &ud, &tok) != SQLITE_OK ||
	    tok.xCreate(ud, (const char **)args, 3, &t) != SQLITE_OK)
		return bp_error_set(err, BP_EDB, "index: cannot load the FTS5 tokenizer");
	rc = sqlite3_prepare_v2(ix->db, "SELECT title, tags, body FROM fts WHERE rowid = ?", -1,
				&st, NULL);
	if (rc != SQLITE_OK) {
		rc = bp_db_error(err, ix->db, rc, "cannot read an article");
		goto out;
	}
	sqlite3_bind_int64(st, 1, rowid);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = bp_db_error(err, ix->db, rc, "cannot read an article");
		goto out;
	}
	for (k = 0; k < 3; k++) {
		const char *text = (const char *)sqlite3_column_text(st, k);
		int len = sqlite3_column_bytes(st, k);

		if (!text)
			continue;
		ts->weight = weights[k];
		ts->text = text;
		tok.xTokenize(t, ts, FTS5_TOKENIZE_DOCUMENT, text, len, on_token);
		if (ts->oom) {
			rc = bp_error_nomem(err);
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	tok.xDelete(t);
	return rc;
}

/* Score each term by tf-idf; terms no other article has score nothing. */
static int score_terms(struct terms *ts, struct bp_index *ix, struct bp_error *err)
{
	sqlite3_stmt *st = NULL, *cnt = NULL;
	double n = 1;
	size_t i;
	int rc;

	rc = sqlite3_prepare_v2(ix->db, "SELECT count(*) FROM articles", -1, &cnt, NULL);
	if (rc == SQLITE_OK && sqlite3_step(cnt) == SQLITE_ROW)
		n = (double)sqlite3_column_int64(cnt, 0);
	sqlite3_finalize(cnt);
	rc = bp_index_prepare(&st, ix, ST_DF, "SELECT doc FROM fts_vocab WHERE term = ?", err);
	if (rc)
		return rc;
	for (i = 0; i < ts->n; i++) {
		double df = 0;

		sqlite3_bind_text(st, 1, ts->t[i].stem, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			df = (double)sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		/* df counts this article too: a term only it has cannot find another. */
		ts->t[i].score = df >= 2 ? (1 + log(ts->t[i].tf)) * log(n / df) : 0;
	}
	return 0;
}

/* The row id and sector of an article by canonical id. */
static int row_of(sqlite3_int64 *rowid, char **sector, struct bp_index *ix, const char *id,
		  struct bp_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*sector = NULL;
	rc = sqlite3_prepare_v2(ix->db,
				"SELECT a.id, a.sector FROM articles a JOIN sources s "
				"ON s.id = a.source WHERE " BP_SQL_ID " = ?",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return bp_db_error(err, ix->db, rc, "cannot look up an article");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*rowid = sqlite3_column_int64(st, 0);
		*sector = bp_strdup((const char *)sqlite3_column_text(st, 1));
		rc = *sector ? 0 : bp_error_nomem(err);
	} else {
		rc = bp_error_set(err, BP_ENOTFOUND, "no article '%s'", id);
	}
	sqlite3_finalize(st);
	return rc;
}

static int related_once(struct bp_index *ix, const char *id, int same_sector,
			const struct bp_search *s, bp_hit_fn fn, void *payload,
			struct bp_error *err)
{
	struct terms ts = {0};
	struct bp_buf expr = BP_BUF_INIT;
	struct bp_filter f = {0};
	struct bp_search search = *s;
	sqlite3_int64 rowid = 0;
	char *canon = NULL, *sector = NULL;
	size_t i, used = 0;
	int rc;

	rc = bp_index_resolve(&canon, ix, id, err);
	if (!rc)
		rc = row_of(&rowid, &sector, ix, canon, err);
	if (!rc)
		rc = tokenize_row(&ts, ix, rowid, err);
	if (!rc)
		rc = score_terms(&ts, ix, err);
	if (rc)
		goto out;
	if (ts.n) /* qsort(NULL, 0, ...) is undefined */
		qsort(ts.t, ts.n, sizeof(*ts.t), cmp_score);
	for (i = 0; i < ts.n && used < RELATED_TERMS; i++) {
		const char *w = ts.t[i].word;

		if (ts.t[i].score <= 0)
			break;
		bp_buf_addstr(&expr, used++ ? " OR \"" : "\"");
		/* An FTS5 string: inner quotes doubled. */
		for (; *w; w++) {
			if (*w == '"')
				bp_buf_addch(&expr, '"');
			bp_buf_addch(&expr, *w);
		}
		bp_buf_addch(&expr, '"');
	}
	if (bp_buf_oom(&expr)) {
		rc = bp_error_nomem(err);
		goto out;
	}
	if (!used) {
		rc = bp_error_set(err, BP_ENOTFOUND, "'%s' shares no distinctive word with any "
				  "other article", canon);
		goto out;
	}
	f.not_id = canon;
	f.not_sector = same_sector ? NULL : sector;
	if (same_sector) {
		f.sectors = (const char *const *)&sector;
		f.nsectors = 1;
	}
	search.filter = &f;
	rc = bp_index_search_expr(ix, expr.ptr, &search, fn, payload, NULL, err);
out:
	terms_release(&ts);
	bp_buf_release(&expr);
	bp_free(canon);
	bp_free(sector);
	return rc;
}

int bp_index_related(struct bp_index *ix, const char *id, int same_sector,
		     const struct bp_search *s, bp_hit_fn fn, void *payload,
		     struct bp_error *err)
{
	int rc = related_once(ix, id, same_sector, s, fn, payload, err);

	/* The search itself recovers on its own: this is for the reads before it. */
	if (rc && (rc = bp_index_recover(ix, rc, 0, err)) == 1)
		rc = related_once(ix, id, same_sector, s, fn, payload, err);
	return rc;
}

/* --- verify ---------------------------------------------------------------------------- */

struct expect {
	char *path;
	char hex[GIT_OID_HEXSZ + 1];
};

struct expects {
	struct expect *e;
	size_t n, cap;
	int oom;
	int peer; /* the source is a peer's: its root files count too */
};

static int cmp_expect(const void *a, const void *b)
{
	return strcmp(((const struct expect *)a)->path, ((const struct expect *)b)->path);
}

static void expect_add(struct expects *x, const char *path, const git_oid *id)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		struct expect *p = bp_realloc(x->e, cap * sizeof(*p));
		if (!p) {
			x->oom = 1;
			return;
		}
		x->e = p;
		x->cap = cap;
	}
	x->e[x->n].path = bp_strdup(path);
	if (!x->e[x->n].path) {
		x->oom = 1;
		return;
	}
	if (id)
		git_oid_tostr(x->e[x->n].hex, sizeof(x->e[x->n].hex), id);
	else
		x->e[x->n].hex[0] = '\0';
	x->n++;
}

static void expects_release(struct expects *x)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		bp_free(x->e[i].path);
	bp_free(x->e);
	memset(x, 0, sizeof(*x));
}

/* Collect what a source's tree holds, as the index's own tree comparison sees it. */
static int expect_cb(const char *path, const git_oid *old_id, const git_oid *new_id,
		     void *payload)
{
	struct expects *x = payload;

	(void)old_id;
	if (new_id && (x->peer ? bp_kb_is_peer_article_path(path) : bp_kb_is_article_path(path)))
		expect_add(x, path, new_id);
	return x->oom ? -1 : 0;
}

/* What one source should hold in the index, sorted by path. */
static int expected(struct expects *x, struct bp_index *ix, const struct bp_source *src,
		    struct bp_error *err)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	struct bp_tree_diff_cb cb = {expect_cb, NULL, x};
	int rc = 0;

	if (src->has_commit) {
		rc = git_commit_lookup(&c, ix->kb->repo, &src->commit);
		if (rc == 0)
			rc = git_commit_tree(&tree, c);
		if (rc < 0)
			rc = bp_git_error(err, rc, "cannot read the tree of '%s'",
					  *src->name ? src->name : "HEAD");
		else
			rc = bp_tree_diff(ix->kb->repo, NULL, tree, &cb, err);
	}
	git_tree_free(tree);
	git_commit_free(c);
	if (x->oom)
		return bp_error_nomem(err);
	if (rc)
		return rc;
	if (!*src->name) {
		/* The working tree's changes, as git's status reports them. */
		git_status_options opts = GIT_STATUS_OPTIONS_INIT;
		git_status_list *list = NULL;
		size_t i, n, k;

		opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
		opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
			     GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
			     GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
		rc = git_status_list_new(&list, ix->kb->repo, &opts);
		if (rc < 0)
			return bp_git_error(err, rc, "cannot read the working tree's status");
		n = git_status_list_entrycount(list);
		for (i = 0; i < n; i++) {
			const git_status_entry *e = git_status_byindex(list, i);
			const git_diff_delta *d = e->index_to_workdir ? e->index_to_workdir
								      : e->head_to_index;
			const char *p = d->new_file.path ? d->new_file.path : d->old_file.path;
			char *data = NULL;
			size_t len = 0;
			git_oid id;

			if (!bp_kb_is_article_path(p))
				continue;
			for (k = 0; k < x->n && strcmp(x->e[k].path, p); k++)
				;
			if (k < x->n) {
				bp_free(x->e[k].path);
				x->e[k] = x->e[--x->n];
			}
			if (bp_kb_read(&data, &len, ix->kb, p, NULL) == 0) {
				git_odb_hash(&id, data, len, GIT_OBJECT_BLOB);
				expect_add(x, p, &id);
			}
			bp_free(data);
		}
		git_status_list_free(list);
		if (x->oom)
			return bp_error_nomem(err);
	}
	if (x->n) /* qsort(NULL, 0, ...) is undefined */
		qsort(x->e, x->n, sizeof(*x->e), cmp_expect);
	return 0;
}

static void report(void (*fn)(void *, const char *), void *payload, size_t *problems,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void report(void (*fn)(void *, const char *), void *payload, size_t *problems,
		   const char *fmt, ...)
{
	char msg[BP_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(*problems)++;
	if (fn)
		fn(payload, msg);
}

/* Compare one source's rows (and skipped files) with what git holds. */
static int verify_source(struct bp_index *ix, const struct bp_source *src,
			 void (*fn)(void *, const char *), void *payload, size_t *problems,
			 struct bp_error *err)
{
	struct expects x = {0};
	sqlite3_stmt *st = NULL;
	const char *label = *src->name ? src->name : "own";
	size_t i = 0;
	int rc, c;

	x.peer = *src->name != '\0';
	rc = expected(&x, ix, src, err);
	if (rc)
		goto out;
	rc = sqlite3_prepare_v2(ix->db,
				"SELECT a.path, a.blob FROM articles a JOIN sources s "
				"ON s.id = a.source WHERE s.name = ?1 UNION ALL "
				"SELECT k.path, k.blob FROM skipped k JOIN sources s "
				"ON s.id = k.source WHERE s.name = ?1 ORDER BY 1",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = bp_db_error(err, ix->db, rc, "cannot read");
		goto out;
	}
	sqlite3_bind_text(st, 1, src->name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(st, 0);
		const char *blob = (const char *)sqlite3_column_text(st, 1);

		while (i < x.n && (c = strcmp(x.e[i].path, path)) < 0) {
			report(fn, payload, problems, "index (%s): '%s' is missing", label,
			       x.e[i].path);
			i++;
		}
		if (i < x.n && !strcmp(x.e[i].path, path)) {
			if (strcmp(x.e[i].hex, blob))
				report(fn, payload, problems, "index (%s): '%s' is out of date",
				       label, path);
			i++;
		} else {
			report(fn, payload, problems, "index (%s): '%s' is not in git", label,
			       path);
		}
	}
	if (rc != SQLITE_DONE) {
		rc = bp_db_error(err, ix->db, rc, "cannot read");
		goto out;
	}
	for (; i < x.n; i++)
		report(fn, payload, problems, "index (%s): '%s' is missing", label, x.e[i].path);
	rc = 0;
out:
	sqlite3_finalize(st);
	expects_release(&x);
	return rc;
}

int bp_index_verify(struct bp_index *ix, void (*fn)(void *payload, const char *msg),
		    void *payload, size_t *problems, struct bp_error *err)
{
	static char own_name[] = "";
	struct bp_source own = {0}, *peers = NULL;
	git_reference *head = NULL;
	git_object *obj = NULL;
	size_t npeers = 0, i;
	int rc;

	*problems = 0;
	own.name = own_name;
	rc = git_repository_head(&head, ix->kb->repo);
	if (rc == 0 && git_reference_peel(&obj, head, GIT_OBJECT_COMMIT) == 0) {
		git_oid_cpy(&own.commit, git_object_id(obj));
		own.has_commit = 1;
	}
	git_object_free(obj);
	git_reference_free(head);
	rc = verify_source(ix, &own, fn, payload, problems, err);
	if (!rc)
		rc = bp_peer_sources(&peers, &npeers, ix->kb, err);
	for (i = 0; !rc && i < npeers; i++)
		rc = verify_source(ix, &peers[i], fn, payload, problems, err);
	bp_sources_free(peers, npeers);
	if (rc == BP_EDB && ((sqlite3_extended_errcode(ix->db) & 0xff) == SQLITE_CORRUPT ||
			     (sqlite3_extended_errcode(ix->db) & 0xff) == SQLITE_NOTADB)) {
		/* A damaged file is one more difference, for the caller to mend by a rebuild. */
		report(fn, payload, problems, "index: the file is damaged");
		bp_error_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	rc = sqlite3_exec(ix->db, "INSERT INTO fts(fts, rank) VALUES('integrity-check', 1)", NULL,
			  NULL, NULL);
	if (rc != SQLITE_OK)
		report(fn, payload, problems, "index: the full-text index is damaged (%s)",
		       sqlite3_errmsg(ix->db));
	return 0;
}
