/*
 * Provenance: adopting a peer's tip into the own KB, and finding adopted tips whose origin
 * changed since. An adopted article carries, in its front matter,
 *
 *     adopted-from:
 *       peer: hospital-lib
 *       url: https://git.example.org/hospital-lib.git
 *       path: medical/triaging-reference-questions.md
 *       commit: 4f3a...
 *
 * so that the change upstream can be shown as a diff of the peer's file between that commit
 * and the peer's current one.
 */
#include <string.h>

#include "bp/article.h"
#include "bp/path.h"
#include "bp/sync.h"
#include "index_internal.h"
#include "kb_internal.h"

/* The remote-tracking commit of a subscribed or shared peer, as hex; BP_ENOTFOUND. */
static int peer_tip(git_oid *out, struct bp_kb *kb, const char *peer, struct bp_error *err)
{
	struct bp_source *src = NULL;
	size_t n = 0, i;
	int rc;

	rc = bp_peer_sources(&src, &n, kb, err);
	if (rc)
		return rc;
	for (i = 0; i < n && strcmp(src[i].name, peer); i++)
		;
	if (i == n || !src[i].has_commit)
		rc = bp_error_set(err, BP_ENOTFOUND,
				  "no subscribed peer '%s' with fetched tips (run 'bestpractice "
				  "sync' first)",
				  peer);
	else
		git_oid_cpy(out, &src[i].commit);
	bp_sources_free(src, n);
	return rc;
}

/*
 * The entry at `path` under `tree`, found as the index finds it: in each folder the first
 * entry of that name, in the order the tree holds them. git_tree_entry_bypath bisects, so
 * in a peer's tree with a name held twice it can find the other entry than the one the index
 * holds and show shows, and in a tree out of order none at all. GIT_ENOTFOUND when absent.
 */
static int entry_at(git_oid *id, git_filemode_t *mode, git_repository *repo, git_tree *tree,
		    const char *path)
{
	git_tree *t = tree, *sub = NULL;
	const char *slash;
	size_t i, n, len;
	int rc = GIT_ENOTFOUND;

	for (;;) {
		const git_tree_entry *e = NULL;

		slash = strchr(path, '/');
		len = slash ? (size_t)(slash - path) : strlen(path);
		n = git_tree_entrycount(t);
		for (i = 0; i < n && !e; i++) {
			const git_tree_entry *x = git_tree_entry_byindex(t, i);

			if (strlen(git_tree_entry_name(x)) == len &&
			    !memcmp(git_tree_entry_name(x), path, len))
				e = x;
		}
		if (!e) {
			rc = GIT_ENOTFOUND;
			break;
		}
		if (!slash) {
			git_oid_cpy(id, git_tree_entry_id(e));
			*mode = git_tree_entry_filemode_raw(e);
			rc = 0;
			break;
		}
		if (git_tree_entry_filemode_raw(e) != GIT_FILEMODE_TREE) {
			rc = GIT_ENOTFOUND;
			break;
		}
		rc = git_tree_lookup(&sub, repo, git_tree_entry_id(e));
		if (t != tree)
			git_tree_free(t);
		t = sub;
		sub = NULL;
		if (rc < 0)
			break;
		path = slash + 1;
	}
	if (t != tree)
		git_tree_free(t);
	return rc;
}

/* The blob at `path` in `commit`'s tree, size-checked before it is read; BP_ENOTFOUND. */
static int blob_at(git_blob **out, struct bp_kb *kb, const git_oid *commit, const char *path,
		   struct bp_error *err)
{
	git_commit *c = NULL;
	git_tree *t = NULL;
	git_odb *odb = NULL;
	git_filemode_t mode = 0;
	git_object_t type;
	git_oid id;
	size_t size = 0;
	int rc;

	*out = NULL;
	rc = git_commit_lookup(&c, kb->repo, commit);
	if (rc == 0)
		rc = git_commit_tree(&t, c);
	if (rc == 0)
		rc = entry_at(&id, &mode, kb->repo, t, path);
	if (rc == GIT_ENOTFOUND ||
	    (rc == 0 && mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE)) {
		rc = bp_error_set(err, BP_ENOTFOUND, "'%s' is not in commit", path);
		goto out;
	}
	if (rc == 0)
		rc = git_repository_odb(&odb, kb->repo);
	if (rc == 0)
		rc = git_odb_read_header(&size, &type, odb, &id);
	if (rc == 0 && (type != GIT_OBJECT_BLOB || size > BP_ARTICLE_MAX_SIZE)) {
		rc = bp_error_set(err, BP_EINVALID, "'%s' is not a file of at most %u MiB", path,
				  BP_ARTICLE_MAX_SIZE >> 20);
		goto out;
	}
	if (rc == 0)
		rc = git_blob_lookup(out, kb->repo, &id);
	if (rc < 0)
		rc = bp_git_error(err, rc, "cannot read '%s'", path);
out:
	git_odb_free(odb);
	git_tree_free(t);
	git_commit_free(c);
	return rc;
}

int bp_adopt(char **out_id, struct bp_kb *kb, const char *peer_id, const char *sector,
	     struct bp_error *err)
{
	static const char *const keys[] = {"peer", "url", "path", "commit"};
	const char *values[4];
	struct bp_article *a = NULL;
	struct bp_article_opts lenient = {0};
	git_remote *remote = NULL;
	git_blob *blob = NULL;
	git_oid tip;
	char *peer = NULL, *path = NULL, *default_sector = NULL, hex[GIT_OID_HEXSZ + 1];
	const char *colon = strchr(peer_id, ':'), *why = NULL;
	size_t n;
	int rc;

	*out_id = NULL;
	if (!colon || colon == peer_id)
		return bp_error_set(err, BP_EINVALID,
				    "'%s' is not a peer's article (write it PEER:ID)", peer_id);
	peer = bp_strndup(peer_id, (size_t)(colon - peer_id));
	n = strlen(colon + 1);
	if (n > 3 && !strcmp(colon + 1 + n - 3, ".md"))
		n -= 3;
	path = bp_malloc(n + 4);
	if (!peer || !path) {
		rc = bp_error_nomem(err);
		goto out;
	}
	memcpy(path, colon + 1, n);
	memcpy(path + n, ".md", 4);
	if (!bp_path_ok(path, &why) || !bp_kb_is_peer_article_path(path)) {
		rc = bp_error_set(err, BP_EINVALID, "invalid article id '%s'", peer_id);
		goto out;
	}
	rc = peer_tip(&tip, kb, peer, err);
	if (!rc)
		rc = blob_at(&blob, kb, &tip, path, err);
	if (rc == BP_ENOTFOUND && !strstr(err->msg, "sync"))
		rc = bp_error_set(err, BP_ENOTFOUND, "no article '%s'", peer_id);
	if (rc)
		goto out;
	rc = git_remote_lookup(&remote, kb->repo, peer);
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot read peer '%s'", peer);
		goto out;
	}
	default_sector = bp_kb_remote_config(kb, peer, "bestpracticesector");
	lenient.default_sector = default_sector;
	rc = bp_article_parse(&a, path, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
			      &lenient, err);
	if (!rc && sector)
		rc = bp_article_set_sector(a, sector, err);
	/* Whoever wrote it upstream, not the user who adopts it, is its author. */
	if (!rc && !bp_article_author(a)) {
		char *who = NULL;

		if (bp_last_author(&who, NULL, kb->repo, &tip, path, NULL) == 0)
			rc = bp_article_set_author(a, who, err);
		bp_free(who);
	}
	git_oid_tostr(hex, sizeof(hex), &tip);
	values[0] = peer;
	values[1] = git_remote_url(remote);
	values[2] = path;
	values[3] = hex;
	if (!rc)
		rc = bp_article_set_field_map(a, "adopted-from", keys, values, 4, err);
	if (!rc)
		rc = bp_kb_add(out_id, kb, a, err);
out:
	bp_article_free(a);
	git_blob_free(blob);
	git_remote_free(remote);
	bp_free(default_sector);
	bp_free(peer);
	bp_free(path);
	return rc;
}

struct outdated_walk {
	struct bp_kb *kb;
	int (*fn)(const struct bp_outdated *o, void *payload);
	void *payload;
	size_t count;
	struct bp_error *err;
};

/* The recorded origin of an own article, or 0 when it was not adopted. */
static int origin_of(struct bp_article **out, struct bp_kb *kb, const char *path,
		     struct bp_error *err)
{
	struct bp_article_opts lenient = {0};
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = bp_kb_read(&text, &len, kb, path, err);
	if (!rc)
		rc = bp_article_parse(out, path, text, len, &lenient, err);
	bp_free(text);
	if (!rc && !(bp_article_field(*out, "adopted-from.peer") &&
		     bp_article_field(*out, "adopted-from.path") &&
		     bp_article_field(*out, "adopted-from.commit"))) {
		bp_article_free(*out);
		*out = NULL;
	}
	return rc;
}

static int outdated_one(const char *path, void *payload)
{
	struct outdated_walk *w = payload;
	struct bp_article *a = NULL;
	struct bp_outdated o;
	struct bp_error ignored;
	git_blob *old = NULL, *now = NULL;
	git_oid was, tip;
	char tip_hex[GIT_OID_HEXSZ + 1];
	int rc = 0;

	if (origin_of(&a, w->kb, path, &ignored) || !a)
		return 0;
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.peer = bp_article_field(a, "adopted-from.peer");
	o.peer_path = bp_article_field(a, "adopted-from.path");
	o.adopted_at = bp_article_field(a, "adopted-from.commit");
	if (peer_tip(&tip, w->kb, o.peer, &ignored) == 0) {
		git_oid_tostr(tip_hex, sizeof(tip_hex), &tip);
		o.now_at = tip_hex;
		if (blob_at(&now, w->kb, &tip, o.peer_path, &ignored) == BP_ENOTFOUND)
			o.removed = 1;
	}
	/* The same blob at both commits: nothing changed upstream. */
	if (o.now_at && !o.removed && git_oid_fromstr(&was, o.adopted_at) == 0 &&
	    blob_at(&old, w->kb, &was, o.peer_path, &ignored) == 0 && now &&
	    git_oid_equal(git_blob_id(old), git_blob_id(now)))
		goto out;
	w->count++;
	rc = w->fn(&o, w->payload);
out:
	git_blob_free(old);
	git_blob_free(now);
	bp_article_free(a);
	return rc;
}

int bp_outdated(struct bp_kb *kb, int (*fn)(const struct bp_outdated *o, void *payload),
		void *payload, size_t *count, struct bp_error *err)
{
	struct outdated_walk w = {kb, fn, payload, 0, err};
	int rc = bp_kb_each_article(kb, outdated_one, &w, err);

	if (count)
		*count = w.count;
	return rc;
}

static int diff_line(const git_diff_delta *d, const git_diff_hunk *h, const git_diff_line *l,
		     void *payload)
{
	struct bp_buf *b = payload;

	(void)d;
	(void)h;
	if (l->origin == GIT_DIFF_LINE_CONTEXT || l->origin == GIT_DIFF_LINE_ADDITION ||
	    l->origin == GIT_DIFF_LINE_DELETION)
		bp_buf_addch(b, l->origin);
	bp_buf_add(b, l->content, l->content_len);
	return bp_buf_oom(b) ? -1 : 0;
}

int bp_upstream_diff(char **out, struct bp_kb *kb, const char *path, struct bp_error *err)
{
	struct bp_article *a = NULL;
	struct bp_buf b = BP_BUF_INIT;
	git_blob *old = NULL, *now = NULL;
	git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
	git_oid was, tip;
	const char *peer, *peer_path;
	int rc;

	*out = NULL;
	rc = origin_of(&a, kb, path, err);
	if (rc)
		return rc;
	if (!a)
		return bp_error_set(err, BP_EINVALID, "'%.*s' was not adopted from a peer",
				    (int)(strlen(path) - 3), path);
	peer = bp_article_field(a, "adopted-from.peer");
	peer_path = bp_article_field(a, "adopted-from.path");
	if (git_oid_fromstr(&was, bp_article_field(a, "adopted-from.commit")) < 0) {
		rc = bp_error_set(err, BP_EINVALID, "%s: invalid 'adopted-from' commit", path);
		goto out;
	}
	rc = peer_tip(&tip, kb, peer, err);
	if (!rc)
		rc = blob_at(&old, kb, &was, peer_path, err);
	if (rc == BP_ENOTFOUND && !strstr(err->msg, "sync"))
		bp_error_prefix(err, "the adopted version of '%s' is no longer in peer '%s'",
				peer_path, peer);
	if (rc)
		goto out;
	rc = blob_at(&now, kb, &tip, peer_path, err);
	if (rc == BP_ENOTFOUND) {
		/* Removed upstream: the whole file as deleted. */
		bp_error_clear(err);
		rc = 0;
	} else if (rc) {
		goto out;
	}
	opts.context_lines = 3;
	rc = git_diff_blobs(old, peer_path, now, peer_path, &opts, NULL, NULL, NULL, diff_line,
			    &b);
	if (rc < 0) {
		rc = bp_buf_oom(&b) ? bp_error_nomem(err) : bp_git_error(err, rc, "cannot diff");
		goto out;
	}
	*out = bp_buf_detach(&b, NULL);
	rc = *out ? 0 : bp_error_nomem(err);
out:
	bp_buf_release(&b);
	git_blob_free(old);
	git_blob_free(now);
	bp_article_free(a);
	return rc;
}
