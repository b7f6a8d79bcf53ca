/*
 * The KB's history, for log: a revision walk from HEAD, limited to the commits that changed
 * one article when asked (its blob differs from the first parent's).
 */
#include <string.h>

#include "kb_internal.h"

/* The blob id at `path` in `commit`'s tree; 0 if found, else GIT_ENOTFOUND. */
static int blob_at(git_oid *out, git_commit *commit, const char *path)
{
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	int rc;

	rc = git_commit_tree(&tree, commit);
	if (rc == 0)
		rc = git_tree_entry_bypath(&e, tree, path);
	if (rc == 0)
		git_oid_cpy(out, git_tree_entry_id(e));
	git_tree_entry_free(e);
	git_tree_free(tree);
	return rc;
}

/* Whether `commit` changed `path` relative to its first parent. */
static int touches(git_commit *commit, const char *path)
{
	git_commit *parent = NULL;
	git_oid a, b;
	int ha, hb, yes;

	ha = blob_at(&a, commit, path) == 0;
	if (git_commit_parentcount(commit) == 0)
		return ha;
	if (git_commit_parent(&parent, commit, 0) < 0)
		return ha;
	hb = blob_at(&b, parent, path) == 0;
	git_commit_free(parent);
	yes = ha != hb || (ha && !git_oid_equal(&a, &b));
	return yes;
}

int bp_kb_log(struct bp_kb *kb, const char *path, size_t max,
	      int (*fn)(const struct bp_commit_info *c, void *payload), void *payload,
	      struct bp_error *err)
{
	git_revwalk *walk = NULL;
	git_commit *c = NULL;
	git_oid id;
	size_t shown = 0;
	int rc;

	rc = git_revwalk_new(&walk, kb->repo);
	if (rc == 0)
		rc = git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	if (rc == 0)
		rc = git_revwalk_push_head(walk);
	if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) {
		rc = 0;
		goto out;
	}
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot read the history");
		goto out;
	}
	while ((rc = git_revwalk_next(&id, walk)) == 0) {
		struct bp_commit_info info;
		const git_signature *sig;
		char hex[GIT_OID_HEXSZ + 1];

		rc = git_commit_lookup(&c, kb->repo, &id);
		if (rc < 0) {
			rc = bp_git_error(err, rc, "cannot read commit");
			goto out;
		}
		if (path && !touches(c, path)) {
			git_commit_free(c);
			c = NULL;
			continue;
		}
		sig = git_commit_author(c);
		git_oid_tostr(hex, sizeof(hex), &id);
		info.id = hex;
		info.author = sig->name;
		info.email = sig->email;
		info.time = (long long)sig->when.time;
		info.offset = sig->when.offset;
		info.summary = git_commit_summary(c);
		if (!info.summary)
			info.summary = "";
		rc = fn(&info, payload);
		git_commit_free(c);
		c = NULL;
		if (rc)
			goto out;
		if (max && ++shown >= max)
			break;
	}
	if (rc == GIT_ITEROVER)
		rc = 0;
	else if (rc < 0)
		rc = bp_git_error(err, rc, "cannot read the history");
out:
	git_commit_free(c);
	git_revwalk_free(walk);
	return rc;
}

int bp_last_author(char **out, char **name_out, git_repository *repo, const git_oid *commit,
		   const char *path, struct bp_error *err)
{
	git_commit *c = NULL, *parent = NULL, *found = NULL;
	struct bp_buf b = BP_BUF_INIT;
	const git_signature *sig;
	int rc, steps;

	*out = NULL;
	if (name_out)
		*name_out = NULL;
	rc = git_commit_lookup(&c, repo, commit);
	if (rc < 0)
		return bp_git_error(err, rc, "cannot read commit");
	for (steps = 0; steps < 200 && !found; steps++) {
		if (touches(c, path)) {
			found = c;
			c = NULL;
			break;
		}
		if (git_commit_parentcount(c) == 0 || git_commit_parent(&parent, c, 0) < 0)
			break;
		git_commit_free(c);
		c = parent;
		parent = NULL;
	}
	if (!found) {
		git_commit_free(c);
		c = NULL;
		rc = git_commit_lookup(&found, repo, commit);
		if (rc < 0)
			return bp_git_error(err, rc, "cannot read commit");
	}
	sig = git_commit_author(found);
	bp_buf_addf(&b, "%s <%s>", sig->name, sig->email);
	if (name_out)
		*name_out = bp_strdup(sig->name);
	*out = bp_buf_detach(&b, NULL);
	rc = *out && (!name_out || *name_out) ? 0 : bp_error_nomem(err);
	git_commit_free(found);
	git_commit_free(c);
	return rc;
}
