/*
 * Queries over the index: listings, full-text search with filters and facets, lookups by id,
 * related articles, and the comparison of the index with git. Every value from a user or a
 * peer is bound as a parameter; the only SQL text built at run time is a fixed shape with a
 * number of placeholders.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp/article.h"
#include "bp/query.h"
#include "index_internal.h"
#include "index_priv.h"
#include "kb_internal.h"

/* The columns every listing selects, over articles a joined to sources s. */
#define ROW_COLUMNS                                                                          \
	"CASE s.name WHEN '' THEN NULL ELSE s.name END AS src, a.path AS path, "              \
	BP_SQL_ID " AS aid, a.title AS title, a.sector AS sector, "                           \
	"(SELECT json_group_array(tag) FROM (SELECT tag FROM tags WHERE article = a.id "       \
	"ORDER BY pos)) AS tj, a.author AS author, a.created AS created, a.updated AS updated"

/* The JSON object of a row, over the columns above (wrapped in an outer SELECT). */
#define ROW_JSON                                                                             \
	"json_object('id', aid, 'title', title, 'sector', sector, 'tags', json(tj), "        \
	"'author', author, 'source', src, 'path', path, 'created', created, "                 \
	"'updated', updated"

/*
 * The SQL being built, and the values its placeholders take. Placeholders are numbered
 * explicitly from `first` (?6, ?7, ...), so that they never collide with the fixed numbered
 * parameters of the statement around them.
 */
struct sql {
	struct bp_buf text;
	const char *bind[256];
	size_t n;
	int first;
	int oom;
};

static void sql_add(struct sql *q, const char *s)
{
	bp_buf_addstr(&q->text, s);
}

/* Add a placeholder for `v`. */
static void sql_bind(struct sql *q, const char *v)
{
	if (q->n >= BP_ARRAY_SIZE(q->bind)) {
		q->oom = 1;
		return;
	}
	bp_buf_addf(&q->text, "?%d", q->first + (int)q->n);
	q->bind[q->n++] = v;
}

/* "?6, ?7, ?8" for n values. */
static void sql_list(struct sql *q, const char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			sql_add(q, ", ");
		sql_bind(q, v[i]);
	}
}

/* The WHERE conditions of a filter, each starting with " AND ". */
static void sql_filter(struct sql *q, const struct bp_filter *f)
{
	size_t i;

	if (!f)
		return;
	if (f->nsectors) {
		sql_add(q, " AND a.sector IN (");
		sql_list(q, f->sectors, f->nsectors);
		sql_add(q, ")");
	}
	for (i = 0; i < f->ntags; i++) {
		sql_add(q, " AND EXISTS (SELECT 1 FROM tags t WHERE t.article = a.id AND t.tag = ");
		sql_bind(q, f->tags[i]);
		sql_add(q, ")");
	}
	if (f->author) {
		sql_add(q, " AND instr(lower(coalesce(a.author, '')), lower(");
		sql_bind(q, f->author);
		sql_add(q, ")) > 0");
	}
	if (f->since) {
		sql_add(q, " AND max(coalesce(a.created, ''), coalesce(a.updated, '')) >= ");
		sql_bind(q, f->since);
	}
	if (f->npeers) {
		sql_add(q, " AND s.name IN (");
		sql_list(q, f->peers, f->npeers);
		sql_add(q, ")");
	}
	if (f->mine)
		sql_add(q, " AND s.name = ''");
	if (f->not_sector) {
		sql_add(q, " AND a.sector <> ");
		sql_bind(q, f->not_sector);
	}
	if (f->not_id) {
		sql_add(q, " AND " BP_SQL_ID " <> ");
		sql_bind(q, f->not_id);
	}
}

/* Whether a filter asks for anything (a condition on the articles' rows). */
static int filtered(const struct bp_filter *f)
{
	return f && (f->nsectors || f->ntags || f->author || f->since || f->npeers || f->mine ||
		     f->not_sector || f->not_id);
}

/* Prepare the built SQL and bind its values. */
static int sql_prepare(sqlite3_stmt **out, struct bp_index *ix, struct sql *q,
		       struct bp_error *err)
{
	size_t i;
	int rc;

	*out = NULL;
	if (q->oom || bp_buf_oom(&q->text))
		return q->oom ? bp_error_set(err, BP_EINVALID, "too many filters")
			      : bp_error_nomem(err);
	rc = sqlite3_prepare_v2(ix->db, q->text.ptr, -1, out, NULL);
	if (rc != SQLITE_OK)
		return bp_db_error(err, ix->db, rc, "cannot prepare a query");
	for (i = 0; i < q->n; i++)
		sqlite3_bind_text(*out, q->first + (int)i, q->bind[i], -1, SQLITE_STATIC);
	return 0;
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Each public read below runs once, and again after bp_index_recover says so. */
int bp_index_recover(struct bp_index *ix, int rc, size_t delivered, struct bp_error *err)
{
	int code = ix->db ? sqlite3_extended_errcode(ix->db) & 0xff : 0;

	if (rc != BP_EDB || (code != SQLITE_CORRUPT && code != SQLITE_NOTADB) || ix->recovered)
		return rc;
	ix->recovered = 1;
	bp_warn(bp_kb_warn(ix->kb), "the search index was damaged; rebuilding it");
	bp_error_clear(err);
	rc = bp_index_rebuild(ix, NULL, err);
	if (rc)
		return rc;
	if (delivered)
		return bp_error_set(err, BP_EDB, "the search index was damaged and has been "
				    "rebuilt: run the command again");
	return 1;
}

/* A caller's callback, counted, to know whether a read handed anything over. */
struct counted {
	bp_hit_fn hit;
	bp_count_fn count;
	void *payload;
	size_t n;
};

static int counted_hit(const struct bp_hit *h, void *payload)
{
	struct counted *c = payload;

	c->n++;
	return c->hit(h, c->payload);
}

static int counted_count(const char *name, size_t count, const char *json, void *payload)
{
	struct counted *c = payload;

	c->n++;
	return c->count(name, count, json, c->payload);
}

/* Call `fn` for each row of a listing statement whose columns are ROW_COLUMNS + extras. */
static int each_hit(sqlite3_stmt *st, struct bp_index *ix, int has_search, bp_hit_fn fn,
		    void *payload, size_t *count, struct bp_error *err)
{
	struct bp_hit h;
	size_t n = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&h, 0, sizeof(h));
		h.source = col(st, 0);
		h.path = col(st, 1);
		h.id = col(st, 2);
		h.title = col(st, 3);
		h.sector = col(st, 4);
		h.tags_json = col(st, 5);
		h.author = col(st, 6);
		h.created = col(st, 7);
		h.updated = col(st, 8);
		if (has_search) {
			h.snippet = col(st, 9);
			h.score = sqlite3_column_double(st, 10);
			h.json = col(st, 12); /* after the "direct" flag */
		} else {
			h.json = col(st, 9);
		}
		n++;
		rc = fn(&h, payload);
		if (rc) {
			if (count)
				*count = n;
			return rc;
		}
	}
	if (count)
		*count = n;
	if (rc != SQLITE_DONE) {
		/* A malformed MATCH shows here, at step; the query translator should have
		 * prevented it, so say it in our words. */
		const char *msg = sqlite3_errmsg(ix->db);
		if (strstr(msg, "fts5") || strstr(msg, "syntax"))
			return bp_error_set(err, BP_EINVALID, "the query could not be run");
		return bp_db_error(err, ix->db, rc, "cannot read results");
	}
	return 0;
}

static int list_once(struct bp_index *ix, const struct bp_filter *f, bp_hit_fn fn,
		     void *payload, size_t *count, struct bp_error *err)
{
	struct sql q = {BP_BUF_INIT, {0}, 0, 1, 0};
	sqlite3_stmt *st = NULL;
	int rc;

	if (count)
		*count = 0;
	/* MATERIALIZED: the tags once a row, not again for the JSON (see search_once). */
	sql_add(&q, "WITH rows AS MATERIALIZED (SELECT " ROW_COLUMNS
		    " FROM articles a JOIN sources s ON s.id = a.source WHERE 1");
	sql_filter(&q, f);
	sql_add(&q, ") SELECT *, " ROW_JSON ") FROM rows ORDER BY src IS NOT NULL, src, aid");
	rc = sql_prepare(&st, ix, &q, err);
	if (!rc)
		rc = each_hit(st, ix, 0, fn, payload, count, err);
	sqlite3_finalize(st);
	bp_buf_release(&q.text);
	return rc;
}

int bp_index_list(struct bp_index *ix, const struct bp_filter *f, bp_hit_fn fn, void *payload,
		  size_t *count, struct bp_error *err)
{
	struct counted c = {fn, NULL, payload, 0};
	int rc = list_once(ix, f, counted_hit, &c, count, err);

	if (rc && (rc = bp_index_recover(ix, rc, c.n, err)) == 1)
		rc = list_once(ix, f, counted_hit, &c, count, err);
	return rc;
}

/* The bm25 weights of the FTS5 columns: title above tags above body. */
#define WEIGHTS "10.0, 5.0, 1.0, 0.5, 0.5"

/*
 * bp_rank(fts, k, weights...): FTS5's bm25() for the rows that can still be among the best k,
 * a value that sorts after all of them (RANK_NONE) for the others.
 *
 * bm25 costs most in the length of each row, which FTS5 looks up in a table of its own for
 * every match: for a word in half of 100 000 articles, 50 000 lookups. Yet the score only
 * falls as the length grows, and a row is at least as long as the matches it holds. So the
 * score with that length in place of the real one bounds the row's score from above; once k
 * rows have been scored, a row whose bound is below the k-th best score so far cannot make
 * the top k, and its length is never looked up. The k best rows get exactly the score bm25()
 * gives them (the same formula, in the same order of operations), so the results are the
 * same; for that word, five rows in six are passed over.
 */
#define RANK_NONE 1e300

struct rank {
	int nphrase;
	size_t k, n;
	double avgdl;
	double *idf, *freq; /* by phrase */
	int *count;         /* matches of each phrase in the row */
	double *best;       /* min-heap of the n (<= k) best scores so far */
};

static void rank_free(void *p)
{
	struct rank *r = p;

	if (r) {
		bp_free(r->idf);
		bp_free(r->count);
		bp_free(r->best);
		bp_free(r);
	}
}

/* Offer a score to the heap of the k best. */
static void rank_keep(struct rank *r, double v)
{
	size_t i, c;

	if (r->n < r->k) {
		for (i = r->n++; i > 0 && r->best[(i - 1) / 2] > v; i = (i - 1) / 2)
			r->best[i] = r->best[(i - 1) / 2];
		r->best[i] = v;
		return;
	}
	if (v <= r->best[0])
		return;
	for (i = 0; (c = 2 * i + 1) < r->n; i = c) {
		if (c + 1 < r->n && r->best[c + 1] < r->best[c])
			c++;
		if (r->best[c] >= v)
			break;
		r->best[i] = r->best[c];
	}
	r->best[i] = v;
}

static int rank_count_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *payload)
{
	(void)api;
	(void)fts;
	++*(sqlite3_int64 *)payload;
	return SQLITE_OK;
}

/* What bm25() computes once a query: the idf of each phrase, the average length. */
static int rank_start(struct rank **out, const Fts5ExtensionApi *api, Fts5Context *fts,
		      sqlite3_int64 k)
{
	struct rank *r = bp_calloc(1, sizeof(*r));
	sqlite3_int64 rows = 0, tokens = 0;
	int i, rc;

	*out = NULL;
	if (!r)
		return SQLITE_NOMEM;
	r->nphrase = api->xPhraseCount(fts);
	r->k = k > 0 && k < 100000 ? (size_t)k : 100000;
	r->idf = bp_calloc((size_t)r->nphrase * 2 + 1, sizeof(double));
	r->count = bp_calloc((size_t)r->nphrase + 1, sizeof(int));
	r->best = bp_calloc(r->k, sizeof(double));
	if (!r->idf || !r->count || !r->best) {
		rank_free(r);
		return SQLITE_NOMEM;
	}
	r->freq = r->idf + r->nphrase;
	rc = api->xRowCount(fts, &rows);
	if (rc == SQLITE_OK)
		rc = api->xColumnTotalSize(fts, -1, &tokens);
	r->avgdl = rows > 0 ? (double)tokens / (double)rows : 1.0;
	for (i = 0; rc == SQLITE_OK && i < r->nphrase; i++) {
		sqlite3_int64 hit = 0;

		rc = api->xQueryPhrase(fts, i, &hit, rank_count_row);
		r->idf[i] = log(((double)rows - (double)hit + 0.5) / ((double)hit + 0.5));
		if (r->idf[i] <= 0.0)
			r->idf[i] = 1e-6;
	}
	if (rc == SQLITE_OK)
		rc = api->xSetAuxdata(fts, r, rank_free);
	if (rc != SQLITE_OK) {
		rank_free(r);
		return rc;
	}
	*out = r;
	return SQLITE_OK;
}

/* bm25's score of the row, as if it were `length` tokens long. */
static double rank_score(const struct rank *r, double length)
{
	const double k1 = 1.2, b = 0.75;
	double score = 0.0;
	int i;

	for (i = 0; i < r->nphrase; i++)
		score += r->idf[i] * ((r->freq[i] * (k1 + 1.0)) /
				      (r->freq[i] + k1 * (1 - b + b * length / r->avgdl)));
	return score;
}

static void rank_row(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
		     int nval, sqlite3_value **val)
{
	struct rank *r = api->xGetAuxdata(fts, 0);
	int rc = SQLITE_OK, ninst = 0, i, phrase, col, off, most = 0, length = 0;
	double score;

	if (nval < 1) {
		sqlite3_result_error(ctx, "bp_rank: no limit", -1);
		return;
	}
	if (!r)
		rc = rank_start(&r, api, fts, sqlite3_value_int64(val[0]));
	if (rc == SQLITE_OK)
		rc = api->xInstCount(fts, &ninst);
	if (rc == SQLITE_OK) {
		memset(r->freq, 0, sizeof(double) * (size_t)r->nphrase);
		memset(r->count, 0, sizeof(int) * (size_t)r->nphrase);
	}
	for (i = 0; rc == SQLITE_OK && i < ninst; i++) {
		rc = api->xInst(fts, i, &phrase, &col, &off);
		if (rc == SQLITE_OK && phrase >= 0 && phrase < r->nphrase) {
			r->freq[phrase] += nval - 1 > col ? sqlite3_value_double(val[col + 1]) : 1.0;
			/* The matches of one phrase are at distinct places: as many tokens. */
			if (++r->count[phrase] > most)
				most = r->count[phrase];
		}
	}
	if (rc == SQLITE_OK && r->n == r->k && rank_score(r, most) < r->best[0]) {
		sqlite3_result_double(ctx, RANK_NONE);
		return;
	}
	if (rc == SQLITE_OK)
		rc = api->xColumnSize(fts, -1, &length);
	if (rc != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	score = rank_score(r, length);
	rank_keep(r, score);
	sqlite3_result_double(ctx, -1.0 * score);
}

/*
 * FTS5's snippet() scores a window at each match of the row against every other match: its
 * cost is the square of the matches. A peer's article of "word " 800 000 times made a search
 * for "word" take many minutes. Rows with more matches than this get bp_snippet() instead.
 */
#define LONG_SNIPPET_MIN 100

/* The snippet of a row with many matches, bp_snippet(): see long_snippet(). */
#define SNIPPET(col)                                                                         \
	"coalesce(bp_snippet(fts, " col ", ?1, ?2, '…', ?3), snippet(fts, " col                \
	", ?1, ?2, '…', ?3))"

struct window {
	int first, last; /* the tokens shown */
	const unsigned char *hit; /* by token - first: a match */
	const char *text;
	struct bp_buf *out;
	const char *open, *close;
	int token;       /* tokens seen */
	int end;         /* byte after the last token written */
	int more;        /* there is text after the window */
};

static int window_token(void *payload, int tflags, const char *tok, int ntok, int start, int end)
{
	struct window *w = payload;
	int i;

	(void)tok;
	(void)ntok;
	if (tflags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;
	i = w->token++;
	if (i < w->first)
		return SQLITE_OK;
	if (i > w->last) {
		w->more = 1;
		return SQLITE_DONE; /* the rest of the text is not needed */
	}
	if (w->end >= 0)
		bp_buf_add(w->out, w->text + w->end, (size_t)(start - w->end));
	if (w->hit[i - w->first])
		bp_buf_addstr(w->out, w->open);
	bp_buf_add(w->out, w->text + start, (size_t)(end - start));
	if (w->hit[i - w->first])
		bp_buf_addstr(w->out, w->close);
	w->end = end;
	return SQLITE_OK;
}

/*
 * bp_snippet(fts, column, open, close, ellipsis, tokens): for a row with more than
 * LONG_SNIPPET_MIN matches, `tokens` tokens of `column` around its first match there, the
 * matches in them between `open` and `close`; NULL for other rows (snippet() does better).
 * The cost is linear in the matches and in the text before the window.
 */
static void long_snippet(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
			 int nval, sqlite3_value **val)
{
	struct bp_buf out = BP_BUF_INIT;
	struct window w;
	unsigned char hit[64];
	int ninst = 0, i, phrase, col, off, ntok, column, first = -1, n = 0, rc;

	if (nval != 5 || api->xInstCount(fts, &ninst) != SQLITE_OK || ninst <= LONG_SNIPPET_MIN) {
		sqlite3_result_null(ctx);
		return;
	}
	column = sqlite3_value_int(val[0]);
	ntok = sqlite3_value_int(val[4]);
	if (ntok < 1 || ntok > (int)sizeof(hit))
		ntok = (int)sizeof(hit);
	for (i = 0; i < ninst; i++)
		if (api->xInst(fts, i, &phrase, &col, &off) == SQLITE_OK && col == column &&
		    (first < 0 || off < first))
			first = off;
	memset(&w, 0, sizeof(w));
	w.first = first > ntok / 4 ? first - ntok / 4 : 0;
	w.last = w.first + ntok - 1;
	memset(hit, 0, sizeof(hit));
	for (i = 0; i < ninst; i++)
		if (api->xInst(fts, i, &phrase, &col, &off) == SQLITE_OK && col == column &&
		    off >= w.first && off <= w.last)
			hit[off - w.first] = 1;
	w.hit = hit;
	w.out = &out;
	w.open = (const char *)sqlite3_value_text(val[1]);
	w.close = (const char *)sqlite3_value_text(val[2]);
	w.end = -1;
	if (!w.open || !w.close || api->xColumnText(fts, column, &w.text, &n) != SQLITE_OK) {
		sqlite3_result_null(ctx);
		return;
	}
	if (w.first > 0 && sqlite3_value_text(val[3]))
		bp_buf_addstr(&out, (const char *)sqlite3_value_text(val[3]));
	rc = api->xTokenize(fts, w.text, n, &w, window_token);
	if (w.more && sqlite3_value_text(val[3]))
		bp_buf_addstr(&out, (const char *)sqlite3_value_text(val[3]));
	if (bp_buf_oom(&out))
		sqlite3_result_error_nomem(ctx);
	else if (rc != SQLITE_OK && rc != SQLITE_DONE)
		sqlite3_result_error_code(ctx, rc);
	else
		sqlite3_result_text(ctx, bp_buf_cstr(&out), -1, SQLITE_TRANSIENT);
	bp_buf_release(&out);
}

int bp_index_add_functions(sqlite3 *db, struct bp_error *err)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
		sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (!api || api->xCreateFunction(api, "bp_snippet", NULL, long_snippet, NULL) != SQLITE_OK ||
	    api->xCreateFunction(api, "bp_rank", NULL, rank_row, NULL) != SQLITE_OK)
		return bp_db_error(err, db, rc, "cannot add the search functions");
	return 0;
}

static int search_once(struct bp_index *ix, const char *expr, const struct bp_search *s,
		       bp_hit_fn fn, void *payload, size_t *total, struct bp_error *err)
{
	struct sql q = {BP_BUF_INIT, {0}, 0, 7, 0};
	sqlite3_stmt *st = NULL;
	int rc;

	if (total)
		*total = 0;
	/*
	 * Two steps. `top` ranks every match and keeps the best: it reads only the FTS5 index
	 * (and the articles table when a filter needs it). Then only those few are joined to
	 * their rows and given snippets: a common word matches thousands of articles, and
	 * building a row (its tags as JSON) or a snippet for each would cost more than ranking.
	 *
	 * The CROSS JOINs keep that order: with the limit a bound parameter, the planner cannot
	 * tell that `top` is small, and it otherwise ran the MATCH again as the outer loop,
	 * looking up the article of every match (for a common word, as long as the ranking).
	 *
	 * With a boost (the query as typed, before the vocabulary widened it), articles that
	 * match it come first, ranked by how well they match it: the librarian's own word before
	 * the other sectors' words.
	 */
	sql_add(&q, "WITH ");
	if (s->boost)
		sql_add(&q, "direct(rid, b) AS (SELECT rowid, bp_rank(fts, ?5, " WEIGHTS ") "
			    "FROM fts WHERE fts MATCH ?6), ");
	/* coalesce() evaluates its second argument only for the rows that do not match the
	 * boost: that bp_rank keeps the best of those alone, the only ones that can fill the
	 * places the boosted rows leave. */
	sql_add(&q, "top(rid, b, direct) AS (SELECT fts.rowid, ");
	sql_add(&q, s->boost ? "coalesce(d.b, bp_rank(fts, ?5, " WEIGHTS ")), "
			       "d.rid IS NOT NULL FROM fts LEFT JOIN direct d ON d.rid = fts.rowid "
			     : "bp_rank(fts, ?5, " WEIGHTS "), 0 FROM fts ");
	if (filtered(s->filter))
		sql_add(&q, "JOIN articles a ON a.id = fts.rowid JOIN sources s ON s.id = a.source ");
	sql_add(&q, "WHERE fts MATCH ?4");
	sql_filter(&q, s->filter);
	sql_add(&q, " ORDER BY 3 DESC, 2 LIMIT ?5), ");
	/* MATERIALIZED: a subquery in FROM is flattened into the outer query, which then
	 * computes the snippet and the tags twice a row, for their columns and again inside
	 * the JSON object (a search for a rare word at 20 000 tips: 5.2 ms, 4.3 ms without). */
	sql_add(&q, "hits AS MATERIALIZED (SELECT "
		    ROW_COLUMNS ", " SNIPPET("2") " AS snip, round(-top.b, 4) "
		    "AS score, top.direct AS direct FROM top "
		    "CROSS JOIN fts ON fts.rowid = top.rid CROSS JOIN articles a ON a.id = top.rid "
		    "CROSS JOIN sources s ON s.id = a.source "
		    "WHERE fts MATCH ?4) ");
	sql_add(&q, "SELECT *, " ROW_JSON ", 'score', score, 'snippet', snip) FROM hits "
		    "ORDER BY direct DESC, score DESC, aid");
	rc = sql_prepare(&st, ix, &q, err);
	if (rc)
		goto out;
	sqlite3_bind_text(st, 1, s->mark_open ? s->mark_open : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->mark_close ? s->mark_close : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, s->snippet_tokens ? (int)s->snippet_tokens : 16);
	sqlite3_bind_text(st, 4, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, s->limit ? (sqlite3_int64)s->limit : 20);
	if (s->boost)
		sqlite3_bind_text(st, 6, s->boost, -1, SQLITE_STATIC);
	rc = each_hit(st, ix, 1, fn, payload, NULL, err);
	if (rc || !total)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	bp_buf_release(&q.text);
	memset(&q, 0, sizeof(q));
	q.first = 2;
	sql_add(&q, "SELECT count(*) FROM fts JOIN articles a ON a.id = fts.rowid "
		    "JOIN sources s ON s.id = a.source WHERE fts MATCH ?1");
	sql_filter(&q, s->filter);
	rc = sql_prepare(&st, ix, &q, err);
	if (rc)
		goto out;
	sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*total = (size_t)sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = bp_db_error(err, ix->db, rc, "cannot count results");
	}
out:
	sqlite3_finalize(st);
	bp_buf_release(&q.text);
	return rc;
}

int bp_index_search_expr(struct bp_index *ix, const char *expr, const struct bp_search *s,
			 bp_hit_fn fn, void *payload, size_t *total, struct bp_error *err)
{
	struct counted c = {fn, NULL, payload, 0};
	int rc = search_once(ix, expr, s, counted_hit, &c, total, err);

	if (rc && (rc = bp_index_recover(ix, rc, c.n, err)) == 1)
		rc = search_once(ix, expr, s, counted_hit, &c, total, err);
	return rc;
}

int bp_index_search(struct bp_index *ix, const struct bp_query *query,
		    const struct bp_search *s, bp_hit_fn fn, void *payload, size_t *total,
		    struct bp_error *err)
{
	return bp_index_search_expr(ix, bp_query_fts(query), s, fn, payload, total, err);
}

/* Run a "name, count" statement and hand each row to `fn`. */
static int each_count(sqlite3_stmt *st, struct bp_index *ix, bp_count_fn fn, void *payload,
		      struct bp_error *err)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = fn(col(st, 0), (size_t)sqlite3_column_int64(st, 1), col(st, 2), payload);
		if (rc)
			return rc;
	}
	return rc == SQLITE_DONE ? 0 : bp_db_error(err, ix->db, rc, "cannot count");
}

struct sector_count {
	char *name;
	size_t n;
};

static int by_count(const void *x, const void *y)
{
	const struct sector_count *a = x, *b = y;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->name, b->name);
}

/*
 * Count the matches per sector from their rowids alone (BP_SECTOR_BITS): FTS5 lists them
 * without reading the articles, where a join would look up the article of every match. 1
 * when some match has no sector key (more sectors than keys): the caller joins instead.
 */
static int sector_counts_by_key(struct bp_index *ix, const char *expr, bp_count_fn fn,
				void *payload, struct bp_error *err)
{
	size_t count[BP_SECTOR_KEYS + 1] = {0};
	struct sector_count out[BP_SECTOR_KEYS];
	sqlite3_stmt *st = NULL, *json = NULL;
	size_t n = 0, i;
	int rc;

	rc = sqlite3_prepare_v2(ix->db, "SELECT rowid FROM fts WHERE fts MATCH ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		count[sqlite3_column_int64(st, 0) & BP_SECTOR_KEYS]++;
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	if (count[0])
		return 1;
	rc = sqlite3_prepare_v2(ix->db, "SELECT key, name FROM sectors", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 key = sqlite3_column_int64(st, 0);

		if (key > 0 && key <= BP_SECTOR_KEYS && count[key] && sqlite3_column_text(st, 1)) {
			out[n].name = bp_strdup((const char *)sqlite3_column_text(st, 1));
			if (!out[n].name) {
				rc = SQLITE_NOMEM;
				goto fail;
			}
			out[n++].n = count[key];
			count[key] = 0;
		}
	}
	if (rc != SQLITE_DONE)
		goto fail;
	/* A match whose key names no sector: the table does not say, the join will. */
	for (i = 1; i <= BP_SECTOR_KEYS; i++)
		if (count[i]) {
			rc = 1;
			goto out;
		}
	qsort(out, n, sizeof(out[0]), by_count);
	rc = sqlite3_prepare_v2(ix->db, "SELECT json_object('sector', ?1, 'count', ?2)", -1, &json,
				NULL);
	if (rc != SQLITE_OK)
		goto fail;
	for (i = 0, rc = 0; i < n && !rc; i++) {
		sqlite3_bind_text(json, 1, out[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(json, 2, (sqlite3_int64)out[i].n);
		if (sqlite3_step(json) != SQLITE_ROW) {
			rc = sqlite3_errcode(ix->db);
			goto fail;
		}
		rc = fn(out[i].name, out[i].n, (const char *)sqlite3_column_text(json, 0), payload);
		sqlite3_reset(json);
	}
	goto out;
fail:
	rc = rc == SQLITE_NOMEM ? bp_error_nomem(err) : bp_db_error(err, ix->db, rc, "cannot count");
out:
	for (i = 0; i < n; i++)
		bp_free(out[i].name);
	sqlite3_finalize(json);
	sqlite3_finalize(st);
	return rc;
}

static int sector_counts_once(struct bp_index *ix, const struct bp_query *query,
			      const struct bp_filter *f, bp_count_fn fn, void *payload,
			      struct bp_error *err)
{
	struct sql q = {BP_BUF_INIT, {0}, 0, 2, 0};
	sqlite3_stmt *st = NULL;
	int rc;

	if (!filtered(f)) {
		rc = sector_counts_by_key(ix, bp_query_fts(query), fn, payload, err);
		if (rc != 1)
			return rc;
	}

	sql_add(&q, "SELECT a.sector, count(*) AS n, json_object('sector', a.sector, 'count', "
		    "count(*)) FROM fts JOIN articles a ON a.id = fts.rowid "
		    "JOIN sources s ON s.id = a.source WHERE fts MATCH ?1");
	sql_filter(&q, f);
	sql_add(&q, " GROUP BY a.sector ORDER BY n DESC, a.sector");
	rc = sql_prepare(&st, ix, &q, err);
	if (!rc) {
		sqlite3_bind_text(st, 1, bp_query_fts(query), -1, SQLITE_STATIC);
		rc = each_count(st, ix, fn, payload, err);
	}
	sqlite3_finalize(st);
	bp_buf_release(&q.text);
	return rc;
}

int bp_index_sector_counts(struct bp_index *ix, const struct bp_query *query,
			   const struct bp_filter *f, bp_count_fn fn, void *payload,
			   struct bp_error *err)
{
	struct counted c = {NULL, fn, payload, 0};
	int rc = sector_counts_once(ix, query, f, counted_count, &c, err);

	if (rc && (rc = bp_index_recover(ix, rc, c.n, err)) == 1)
		rc = sector_counts_once(ix, query, f, counted_count, &c, err);
	return rc;
}

static int facet_once(struct bp_index *ix, const char *what, const struct bp_filter *f,
		      bp_count_fn fn, void *payload, struct bp_error *err)
{
	struct sql q = {BP_BUF_INIT, {0}, 0, 1, 0};
	sqlite3_stmt *st = NULL;
	int rc;

	if (!strcmp(what, "sector"))
		sql_add(&q, "SELECT a.sector AS v, count(*) AS n, json_object('sector', a.sector, "
			    "'count', count(*)) FROM articles a "
			    "JOIN sources s ON s.id = a.source WHERE 1");
	else
		sql_add(&q, "SELECT t2.tag AS v, count(*) AS n, json_object('tag', t2.tag, "
			    "'count', count(*)) FROM tags t2 "
			    "JOIN articles a ON a.id = t2.article "
			    "JOIN sources s ON s.id = a.source WHERE 1");
	sql_filter(&q, f);
	sql_add(&q, " GROUP BY v ORDER BY n DESC, v");
	rc = sql_prepare(&st, ix, &q, err);
	if (!rc)
		rc = each_count(st, ix, fn, payload, err);
	sqlite3_finalize(st);
	bp_buf_release(&q.text);
	return rc;
}

static int facet(struct bp_index *ix, const char *what, const struct bp_filter *f,
		 bp_count_fn fn, void *payload, struct bp_error *err)
{
	struct counted c = {NULL, fn, payload, 0};
	int rc = facet_once(ix, what, f, counted_count, &c, err);

	if (rc && (rc = bp_index_recover(ix, rc, c.n, err)) == 1)
		rc = facet_once(ix, what, f, counted_count, &c, err);
	return rc;
}

int bp_index_sectors(struct bp_index *ix, const struct bp_filter *f, bp_count_fn fn,
		     void *payload, struct bp_error *err)
{
	return facet(ix, "sector", f, fn, payload, err);
}

int bp_index_tags(struct bp_index *ix, const struct bp_filter *f, bp_count_fn fn,
		  void *payload, struct bp_error *err)
{
	return facet(ix, "tag", f, fn, payload, err);
}

/* Split "PEER:law/x" into a source name and a path "law/x.md" (both bp_free). */
static int split_id(char **source, char **path, const char *id, struct bp_error *err)
{
	const char *colon = strchr(id, ':'), *slash = strchr(id, '/'), *p;
	struct bp_buf b = BP_BUF_INIT;
	size_t n;

	*source = *path = NULL;
	if (colon && (!slash || colon < slash)) {
		*source = bp_strndup(id, (size_t)(colon - id));
		p = colon + 1;
	} else {
		*source = bp_strdup("");
		p = id;
	}
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	n = strlen(p);
	if (n > 3 && !strcmp(p + n - 3, ".md"))
		n -= 3;
	bp_buf_add(&b, p, n);
	bp_buf_addstr(&b, ".md");
	*path = bp_buf_detach(&b, NULL);
	if (!*source || !*path) {
		bp_free(*source);
		bp_free(*path);
		*source = *path = NULL;
		return bp_error_nomem(err);
	}
	if (!n || n > 1000)
		return bp_error_set(err, BP_EINVALID, "invalid article id '%s'", id);
	return 0;
}

static int resolve_once(char **out, struct bp_index *ix, const char *id, struct bp_error *err)
{
	char *source = NULL, *path = NULL;
	struct bp_buf names = BP_BUF_INIT, suffix = BP_BUF_INIT;
	sqlite3_stmt *st = NULL;
	size_t matches = 0, own = 0;
	int rc;

	*out = NULL;
	rc = split_id(&source, &path, id, err);
	if (rc)
		goto out;
	if (strchr(path, '/')) {
		rc = sqlite3_prepare_v2(ix->db,
					"SELECT " BP_SQL_ID " FROM articles a "
					"JOIN sources s ON s.id = a.source "
					"WHERE s.name = ? AND a.path = ?",
					-1, &st, NULL);
		if (rc != SQLITE_OK) {
			rc = bp_db_error(err, ix->db, rc, "cannot look up an article");
			goto out;
		}
		sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	} else {
		/* A bare slug: any sector, any source when none was named; or a peer's page at
		 * the root of its tree. */
		bp_buf_addf(&suffix, "/%s", path);
		if (bp_buf_oom(&suffix)) {
			rc = bp_error_nomem(err);
			goto out;
		}
		rc = sqlite3_prepare_v2(ix->db,
					"SELECT " BP_SQL_ID " FROM articles a "
					"JOIN sources s ON s.id = a.source "
					"WHERE (?1 = '' OR s.name = ?1) "
					"AND (substr(a.path, -length(?2)) = ?2 "
					"OR (s.name <> '' AND a.path = ?3)) "
					"ORDER BY s.name <> '', 1 LIMIT 10",
					-1, &st, NULL);
		if (rc != SQLITE_OK) {
			rc = bp_db_error(err, ix->db, rc, "cannot look up an article");
			goto out;
		}
		sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, suffix.ptr, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, path, -1, SQLITE_STATIC);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!strchr(col(st, 0), ':'))
			own++;
		if (matches++ == 0) {
			*out = bp_strdup(col(st, 0));
			if (!*out) {
				rc = bp_error_nomem(err);
				goto out;
			}
		}
		bp_buf_addf(&names, "%s'%s'", matches > 1 ? ", " : "", col(st, 0));
	}
	if (rc != SQLITE_DONE) {
		rc = bp_db_error(err, ix->db, rc, "cannot look up an article");
		goto out;
	}
	rc = 0;
	/* Own articles come first: a slug that names exactly one of them means it. */
	if (!matches)
		rc = bp_error_set(err, BP_ENOTFOUND, "no article '%s'", id);
	else if (matches > 1 && own != 1)
		rc = bp_error_set(err, BP_EINVALID, "'%s' is ambiguous: %s", id,
				  bp_buf_cstr(&names));
out:
	if (rc) {
		bp_free(*out);
		*out = NULL;
	}
	sqlite3_finalize(st);
	bp_buf_release(&names);
	bp_buf_release(&suffix);
	bp_free(source);
	bp_free(path);
	return rc;
}

int bp_index_resolve(char **out, struct bp_index *ix, const char *id, struct bp_error *err)
{
	int rc = resolve_once(out, ix, id, err);

	if (rc && (rc = bp_index_recover(ix, rc, 0, err)) == 1)
		rc = resolve_once(out, ix, id, err);
	return rc;
}

static int get_once(struct bp_index *ix, const char *id, bp_hit_fn fn, void *payload,
		    struct bp_error *err)
{
	struct sql q = {BP_BUF_INIT, {0}, 0, 1, 0};
	char *source = NULL, *path = NULL;
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	int rc;

	rc = split_id(&source, &path, id, err);
	if (rc)
		goto out;
	sql_add(&q, "SELECT *, " ROW_JSON ") FROM (SELECT " ROW_COLUMNS
		    " FROM articles a JOIN sources s ON s.id = a.source WHERE s.name = ");
	sql_bind(&q, source);
	sql_add(&q, " AND a.path = ");
	sql_bind(&q, path);
	sql_add(&q, ")");
	rc = sql_prepare(&st, ix, &q, err);
	if (!rc)
		rc = each_hit(st, ix, 0, fn, payload, &n, err);
	if (!rc && !n)
		rc = bp_error_set(err, BP_ENOTFOUND, "no article '%s'", id);
out:
	sqlite3_finalize(st);
	bp_buf_release(&q.text);
	bp_free(source);
	bp_free(path);
	return rc;
}

int bp_index_get(struct bp_index *ix, const char *id, bp_hit_fn fn, void *payload,
		 struct bp_error *err)
{
	struct counted c = {fn, NULL, payload, 0};
	int rc = get_once(ix, id, counted_hit, &c, err);

	if (rc && (rc = bp_index_recover(ix, rc, c.n, err)) == 1)
		rc = get_once(ix, id, counted_hit, &c, err);
	return rc;
}

int bp_index_read(char **out, size_t *len, struct bp_index *ix, const char *id,
		  struct bp_error *err)
{
	char *source = NULL, *path = NULL;
	sqlite3_stmt *st = NULL;
	git_odb *odb = NULL;
	git_odb_object *obj = NULL;
	git_object_t type;
	git_oid blob;
	size_t size = 0;
	int rc;

	*out = NULL;
	rc = split_id(&source, &path, id, err);
	if (rc)
		goto out;
	if (!*source) {
		rc = bp_kb_read(out, len, ix->kb, path, err);
		goto out;
	}
	/*
	 * A peer's tip is read by the blob id the index recorded: the very file that was indexed,
	 * whatever the peer's tree holds beside it (a duplicate entry of the same name, entries
	 * out of order that a lookup by path would miss), and even while a newer commit of the
	 * peer could not be indexed.
	 */
	rc = sqlite3_prepare_v2(ix->db,
				"SELECT a.blob FROM articles a JOIN sources s ON s.id = a.source "
				"WHERE s.name = ? AND a.path = ?",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = bp_db_error(err, ix->db, rc, "cannot look up an article");
		goto out;
	}
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW || git_oid_fromstr(&blob, col(st, 0)) < 0) {
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE
			     ? bp_error_set(err, BP_ENOTFOUND, "no article '%s'", id)
			     : bp_db_error(err, ix->db, rc, "cannot look up an article");
		goto out;
	}
	rc = git_repository_odb(&odb, ix->kb->repo);
	if (rc == 0)
		rc = git_odb_read_header(&size, &type, odb, &blob);
	if (rc == 0 && (type != GIT_OBJECT_BLOB || size > BP_PEER_MAX_BLOB)) {
		rc = bp_error_set(err, BP_EINVALID, "'%s' is not a file of at most %u MiB", id,
				  BP_PEER_MAX_BLOB >> 20);
		goto out;
	}
	if (rc == 0)
		rc = git_odb_read(&obj, odb, &blob);
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot read '%s'", id);
		goto out;
	}
	*len = git_odb_object_size(obj);
	*out = bp_strndup(git_odb_object_data(obj), *len);
	rc = *out ? 0 : bp_error_nomem(err);
out:
	sqlite3_finalize(st);
	git_odb_object_free(obj);
	git_odb_free(odb);
	bp_free(source);
	bp_free(path);
	return rc;
}

int bp_index_path_ok(struct bp_index *ix, const char *source, const char *path)
{
	size_t n = strlen(path);

	if (n < 3 || strcmp(path + n - 3, ".md"))
		return 0;
	if (*source ? bp_kb_is_peer_article_path(path) : bp_kb_is_article_path(path))
		return 1;
	/* Markdown files at the root (a README; any, in the own KB) are not articles; other odd
	 * names are worth a word when a peer sent them. */
	if (*source && strchr(path, '/'))
		bp_warn(bp_kb_warn(ix->kb), "peer '%s': skipped '%s': not a valid article path",
			source, path);
	return 0;
}

int bp_json_object(char **out, struct bp_index *ix, const char *const *keys,
		   const char *const *values, size_t n, struct bp_error *err)
{
	struct bp_buf sql = BP_BUF_INIT;
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	*out = NULL;
	bp_buf_addstr(&sql, "SELECT json_object(");
	for (i = 0; i < n; i++)
		bp_buf_addstr(&sql, i ? ", ?, ?" : "?, ?");
	bp_buf_addstr(&sql, ")");
	if (bp_buf_oom(&sql))
		return bp_error_nomem(err);
	rc = sqlite3_prepare_v2(ix->db, sql.ptr, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = bp_db_error(err, ix->db, rc, "cannot make JSON");
		goto out;
	}
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(st, (int)(2 * i + 1), keys[i], -1, SQLITE_STATIC);
		if (values[i])
			sqlite3_bind_text(st, (int)(2 * i + 2), values[i], -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = bp_db_error(err, ix->db, rc, "cannot make JSON");
		goto out;
	}
	*out = bp_strdup(col(st, 0));
	rc = *out ? 0 : bp_error_nomem(err);
out:
	sqlite3_finalize(st);
	bp_buf_release(&sql);
	return rc;
}

int bp_json_set(char **out, struct bp_index *ix, const char *json, const char *key,
		const char *value, struct bp_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	rc = sqlite3_prepare_v2(ix->db, "SELECT json_set(?1, '$.' || json_quote(?2), ?3)", -1,
				&st, NULL);
	if (rc != SQLITE_OK)
		return bp_db_error(err, ix->db, rc, "cannot make JSON");
	sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		*out = bp_strdup(col(st, 0));
		rc = *out ? 0 : bp_error_nomem(err);
	} else {
		rc = bp_db_error(err, ix->db, rc, "cannot make JSON");
	}
	sqlite3_finalize(st);
	return rc;
}
