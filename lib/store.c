/*
 * Changes to a KB as git commits: write the files into the working tree (atomically: a
 * temporary file renamed into place, so a killed process never leaves half an article), stage
 * them in git's index, write the tree, commit on HEAD. The working tree, the index and HEAD
 * stay in step, so `git status` is clean after every command.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bp/article.h"
#include "kb_internal.h"

struct change {
	char *path;  /* relative to the working tree */
	char *data;  /* NULL: delete */
	size_t len;
};

static void changes_free(struct change *ch, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		bp_free(ch[i].path);
		bp_free(ch[i].data);
	}
	bp_free(ch);
}

/* mkdir -p of the folders of `rel` (a file path) under the working tree. */
static int make_parents(struct bp_kb *kb, const char *rel, struct bp_error *err)
{
	struct bp_buf b = BP_BUF_INIT;
	const char *p = rel, *slash;
	int rc = 0;

	bp_buf_addstr(&b, kb->workdir);
	while ((slash = strchr(p, '/'))) {
		bp_buf_add(&b, p, (size_t)(slash - p));
		if (bp_buf_oom(&b)) {
			rc = bp_error_nomem(err);
			break;
		}
		if (mkdir(b.ptr, 0777) < 0 && errno != EEXIST) {
			rc = bp_error_set(err, BP_EIO, "cannot create folder '%s': %s", b.ptr,
					  strerror(errno));
			break;
		}
		bp_buf_addch(&b, '/');
		p = slash + 1;
	}
	bp_buf_release(&b);
	return rc;
}

int bp_kb_write_file(struct bp_kb *kb, const char *rel, const char *data, size_t len,
		     struct bp_error *err)
{
	struct bp_buf path = BP_BUF_INIT, tmp = BP_BUF_INIT;
	size_t done = 0;
	ssize_t n;
	int fd = -1, rc;

	rc = make_parents(kb, rel, err);
	if (rc)
		return rc;
	bp_buf_addf(&path, "%s%s", kb->workdir, rel);
	bp_buf_addf(&tmp, "%s.bp-tmp-%ld", path.ptr ? path.ptr : "", (long)getpid());
	if (bp_buf_oom(&path) || bp_buf_oom(&tmp)) {
		rc = bp_error_nomem(err);
		goto out;
	}
	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0) {
		rc = bp_error_set(err, BP_EIO, "cannot write '%s': %s", rel, strerror(errno));
		goto out;
	}
	while (done < len) {
		n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = bp_error_set(err, BP_EIO, "cannot write '%s': %s", rel,
					  strerror(errno));
			goto out;
		}
		done += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		rc = bp_error_set(err, BP_EIO, "cannot write '%s': %s", rel, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp.ptr, path.ptr) < 0) {
		rc = bp_error_set(err, BP_EIO, "cannot write '%s': %s", rel, strerror(errno));
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	if (rc && tmp.ptr)
		unlink(tmp.ptr);
	bp_buf_release(&path);
	bp_buf_release(&tmp);
	return rc;
}

int bp_kb_delete_file(struct bp_kb *kb, const char *rel, struct bp_error *err)
{
	struct bp_buf path = BP_BUF_INIT;
	char *slash;
	int rc = 0;

	bp_buf_addf(&path, "%s%s", kb->workdir, rel);
	if (bp_buf_oom(&path))
		return bp_error_nomem(err);
	if (unlink(path.ptr) < 0 && errno != ENOENT) {
		rc = bp_error_set(err, BP_EIO, "cannot remove '%s': %s", rel, strerror(errno));
		goto out;
	}
	while ((slash = strrchr(path.ptr, '/')) && (size_t)(slash - path.ptr) >= strlen(kb->workdir)) {
		*slash = '\0';
		if (rmdir(path.ptr) < 0)
			break;
	}
out:
	bp_buf_release(&path);
	return rc;
}

int bp_kb_signature(git_signature **out, struct bp_kb *kb, struct bp_error *err)
{
	char *who = NULL, *lt, *gt;
	int rc;

	rc = bp_kb_identity(&who, kb, err);
	if (rc)
		return rc;
	lt = strrchr(who, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	if (!lt || !gt || lt == who) {
		rc = bp_error_set(err, BP_ECONFIG, "cannot commit: invalid identity '%s'", who);
		goto out;
	}
	lt[-1] = '\0';
	*gt = '\0';
	rc = git_signature_now(out, who, lt + 1);
	if (rc < 0)
		rc = bp_git_error(err, rc, "cannot commit: invalid identity");
out:
	bp_free(who);
	return rc;
}

/*
 * Stage and commit `n` changes already written to the working tree. *made is 1 when a commit
 * was made, 0 when the tree did not change. The lock must be held.
 */
static int commit_staged(int *made, struct bp_kb *kb, const struct change *ch, size_t n,
			 const char *message, struct bp_error *err)
{
	git_index *idx = NULL;
	git_signature *sig = NULL;
	git_reference *head = NULL;
	git_commit *parent = NULL;
	git_tree *tree = NULL;
	git_oid tree_id, commit_id;
	size_t i;
	int rc;

	*made = 0;
	rc = git_repository_index(&idx, kb->repo);
	if (rc == 0)
		rc = git_index_read(idx, 1);
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot read git's index");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (ch[i].data)
			rc = git_index_add_bypath(idx, ch[i].path);
		else
			rc = git_index_remove_bypath(idx, ch[i].path);
		if (rc < 0) {
			rc = bp_git_error(err, rc, "cannot stage '%s'", ch[i].path);
			goto out;
		}
	}
	rc = git_index_write_tree(&tree_id, idx);
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot write the tree");
		goto out;
	}
	rc = git_repository_head(&head, kb->repo);
	if (rc == 0) {
		rc = git_commit_lookup(&parent, kb->repo, git_reference_target(head));
		if (rc < 0) {
			rc = bp_git_error(err, rc, "cannot read HEAD");
			goto out;
		}
		if (git_oid_equal(&tree_id, git_commit_tree_id(parent))) {
			rc = git_index_write(idx);
			if (rc < 0)
				rc = bp_git_error(err, rc, "cannot write git's index");
			goto out; /* nothing changed */
		}
	} else if (rc != GIT_EUNBORNBRANCH && rc != GIT_ENOTFOUND) {
		rc = bp_git_error(err, rc, "cannot read HEAD");
		goto out;
	}
	rc = git_tree_lookup(&tree, kb->repo, &tree_id);
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot read the new tree");
		goto out;
	}
	rc = bp_kb_signature(&sig, kb, err);
	if (rc)
		goto out;
	/* The index first: a crash between the two leaves staged changes, never lost ones. */
	rc = git_index_write(idx);
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot write git's index");
		goto out;
	}
	rc = git_commit_create(&commit_id, kb->repo, "HEAD", sig, sig, NULL, message, tree,
			       parent ? 1 : 0, (const git_commit **)&parent);
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot commit");
		goto out;
	}
	*made = 1;
out:
	git_tree_free(tree);
	git_commit_free(parent);
	git_reference_free(head);
	git_signature_free(sig);
	git_index_free(idx);
	return rc;
}

/*
 * commit_staged(), retried while a git lock (the index's or a ref's, held by a git command
 * running beside us) is busy. The KB's lock must be held.
 */
static int commit_with_retry(int *made, struct bp_kb *kb, const struct change *ch, size_t n,
			     const char *message, struct bp_error *err)
{
	double deadline = bp_now() + bp_kb_lock_timeout(kb);
	unsigned attempt = 0;
	int rc;

	for (;;) {
		rc = commit_staged(made, kb, ch, n, message, err);
		if (rc != BP_ELOCKED || bp_now() > deadline)
			break;
		bp_backoff(attempt++);
	}
	if (rc == BP_ELOCKED)
		bp_error_prefix(err, "git is busy (is another git command running? if not, "
				     "remove the stale .lock file it names)");
	return rc;
}

/* Write `n` changes into the working tree and commit them. The KB's lock must be held. */
static int apply_changes(int *made, struct bp_kb *kb, const struct change *ch, size_t n,
			 const char *message, struct bp_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = ch[i].data ? bp_kb_write_file(kb, ch[i].path, ch[i].data, ch[i].len, err)
				: bp_kb_delete_file(kb, ch[i].path, err);
		if (rc)
			return rc;
	}
	return commit_with_retry(made, kb, ch, n, message, err);
}

/* Whether a working-tree path is one the tool commits: an article or the vocabulary. */
static int is_kb_file(const char *path)
{
	return bp_kb_is_article_path(path) || !strcmp(path, BP_VOCAB_PATH);
}

/* Collect the changed KB files of the working tree (relative to HEAD) into *out. */
static int pending_changes(struct change **out, size_t *count, struct bp_kb *kb,
			   struct bp_error *err)
{
	git_status_options opts = GIT_STATUS_OPTIONS_INIT;
	git_status_list *list = NULL;
	struct change *ch = NULL;
	size_t i, n, k = 0;
	int rc;

	*out = NULL;
	*count = 0;
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		     GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	rc = git_status_list_new(&list, kb->repo, &opts);
	if (rc < 0)
		return bp_git_error(err, rc, "cannot read the working tree's status");
	n = git_status_list_entrycount(list);
	ch = bp_calloc(n ? n : 1, sizeof(*ch));
	if (!ch) {
		rc = bp_error_nomem(err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		const git_status_entry *e = git_status_byindex(list, i);
		const git_diff_delta *d = e->index_to_workdir ? e->index_to_workdir
							      : e->head_to_index;
		const char *path;
		int gone;

		if (!d)
			continue;
		path = d->new_file.path ? d->new_file.path : d->old_file.path;
		if (!is_kb_file(path))
			continue;
		gone = (e->status & GIT_STATUS_WT_DELETED) ||
		       (!e->index_to_workdir && (e->status & GIT_STATUS_INDEX_DELETED));
		ch[k].path = bp_strdup(path);
		if (!ch[k].path) {
			rc = bp_error_nomem(err);
			goto out;
		}
		if (!gone) {
			rc = bp_kb_read(&ch[k].data, &ch[k].len, kb, path, err);
			if (rc == BP_ENOTFOUND) {
				bp_error_clear(err);
				rc = 0;
			} else if (rc) {
				k++;
				goto out;
			}
		}
		k++;
	}
out:
	git_status_list_free(list);
	if (rc) {
		changes_free(ch, k);
		return rc;
	}
	*out = ch;
	*count = k;
	return 0;
}

/* Check a hand-edited file before it is committed; invalid ones are reported and skipped. */
static int valid_hand_edit(struct bp_kb *kb, const struct change *c)
{
	struct bp_article *a = NULL;
	struct bp_error e;

	if (!c->data || strcmp(c->path + strlen(c->path) - 3, ".md"))
		return 1;
	if (bp_article_parse(&a, c->path, c->data, c->len, NULL, &e) == 0) {
		bp_article_free(a);
		return 1;
	}
	bp_warn(&kb->warn, "%s (hand edit left uncommitted)", e.msg);
	return 0;
}

/* The body of bp_kb_commit_pending; the lock must be held. */
static int commit_pending_locked(size_t *count, struct bp_kb *kb, struct bp_error *err)
{
	struct change *ch = NULL;
	struct bp_buf msg = BP_BUF_INIT;
	size_t n = 0, i, k = 0;
	int made = 0, rc;

	if (count)
		*count = 0;
	rc = pending_changes(&ch, &n, kb, err);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		if (!valid_hand_edit(kb, &ch[i])) {
			bp_free(ch[i].path);
			bp_free(ch[i].data);
			continue;
		}
		ch[k++] = ch[i];
	}
	if (!k)
		goto out;
	bp_buf_addstr(&msg, "commit hand edits\n\n");
	for (i = 0; i < k; i++)
		bp_buf_addf(&msg, "%s %s\n", ch[i].data ? "edit" : "delete", ch[i].path);
	if (bp_buf_oom(&msg)) {
		rc = bp_error_nomem(err);
		goto out;
	}
	/* The files are already in the working tree: only stage and commit them. */
	rc = commit_with_retry(&made, kb, ch, k, msg.ptr, err);
	if (!rc && count && made)
		*count = k;
out:
	changes_free(ch, k);
	bp_buf_release(&msg);
	return rc;
}

int bp_kb_commit_pending(size_t *count, struct bp_kb *kb, struct bp_error *err)
{
	int rc = bp_kb_lock(kb, err);

	if (rc)
		return rc;
	rc = commit_pending_locked(count, kb, err);
	bp_kb_unlock(kb);
	return rc;
}

/* Whether the working tree or git's index already has `path`. */
static int path_taken(struct bp_kb *kb, const char *path)
{
	struct bp_buf full = BP_BUF_INIT;
	struct stat st;
	int taken;

	bp_buf_addf(&full, "%s%s", kb->workdir, path);
	if (bp_buf_oom(&full))
		return 1;
	taken = lstat(full.ptr, &st) == 0;
	bp_buf_release(&full);
	return taken;
}

/*
 * Choose a free path <sector>/<slug>.md for `a`, also avoiding the first `nused` paths of
 * `used` (articles of the same import). *out is released with bp_free().
 */
static int choose_path(char **out, struct bp_kb *kb, const struct bp_article *a,
		       const struct change *used, size_t nused, struct bp_error *err)
{
	struct bp_buf path = BP_BUF_INIT;
	char *slug = NULL;
	unsigned k;
	size_t i;
	int rc, clash;

	*out = NULL;
	rc = bp_slugify(&slug, bp_article_title(a), 0, err);
	if (rc)
		return rc;
	for (k = 1; k < 10000; k++) {
		bp_buf_truncate(&path, 0);
		if (k == 1)
			bp_buf_addf(&path, "%s/%s.md", bp_article_sector(a), slug);
		else
			bp_buf_addf(&path, "%s/%s-%u.md", bp_article_sector(a), slug, k);
		if (bp_buf_oom(&path)) {
			rc = bp_error_nomem(err);
			goto out;
		}
		clash = path_taken(kb, path.ptr);
		for (i = 0; !clash && i < nused; i++)
			clash = !strcmp(used[i].path, path.ptr);
		if (!clash)
			break;
	}
	*out = bp_buf_detach(&path, NULL);
	rc = *out ? 0 : bp_error_nomem(err);
out:
	bp_free(slug);
	bp_buf_release(&path);
	return rc;
}

/* The id of an article path: the path without ".md". */
static char *path_to_id(const char *path)
{
	return bp_strndup(path, strlen(path) - 3);
}

/* Fill `created` and `author` of a new article when the user gave none. */
static int fill_new(struct bp_kb *kb, struct bp_article *a, struct bp_error *err)
{
	char today[16], *who = NULL;
	int rc = 0;

	if (!bp_article_created(a)) {
		bp_today(today);
		rc = bp_article_set_created(a, today, err);
	}
	if (!rc && !bp_article_author(a) && bp_kb_identity(&who, kb, NULL) == 0)
		rc = bp_article_set_author(a, who, err);
	bp_free(who);
	return rc;
}

int bp_kb_import(char **out_ids, struct bp_kb *kb, struct bp_article **articles, size_t n,
		 struct bp_error *err)
{
	struct change *ch = NULL;
	struct bp_buf msg = BP_BUF_INIT;
	size_t i, k = 0;
	int made, rc;

	if (!n)
		return bp_error_set(err, BP_EINVALID, "nothing to import");
	for (i = 0; i < n; i++) {
		rc = fill_new(kb, articles[i], err);
		if (!rc)
			rc = bp_article_validate(articles[i], "article", err);
		if (rc)
			return rc;
	}
	rc = bp_kb_lock(kb, err);
	if (rc)
		return rc;
	rc = commit_pending_locked(NULL, kb, err);
	if (rc)
		goto out;
	ch = bp_calloc(n, sizeof(*ch));
	if (!ch) {
		rc = bp_error_nomem(err);
		goto out;
	}
	for (k = 0; k < n; k++) {
		rc = choose_path(&ch[k].path, kb, articles[k], ch, k, err);
		if (!rc)
			rc = bp_article_serialize(&ch[k].data, &ch[k].len, articles[k], err);
		if (rc) {
			k++;
			goto out;
		}
	}
	if (n == 1)
		bp_buf_addf(&msg, "add %.*s\n", (int)(strlen(ch[0].path) - 3), ch[0].path);
	else
		bp_buf_addf(&msg, "import %zu articles\n\n", n);
	for (i = 0; n > 1 && i < n; i++)
		bp_buf_addf(&msg, "%.*s\n", (int)(strlen(ch[i].path) - 3), ch[i].path);
	if (bp_buf_oom(&msg)) {
		rc = bp_error_nomem(err);
		goto out;
	}
	rc = apply_changes(&made, kb, ch, n, msg.ptr, err);
	if (rc)
		goto out;
	for (i = 0; out_ids && i < n; i++) {
		out_ids[i] = path_to_id(ch[i].path);
		if (!out_ids[i]) {
			while (i--)
				bp_free(out_ids[i]);
			rc = bp_error_nomem(err);
			goto out;
		}
	}
out:
	bp_kb_unlock(kb);
	changes_free(ch, k);
	bp_buf_release(&msg);
	return rc;
}

int bp_kb_add(char **out_id, struct bp_kb *kb, struct bp_article *a, struct bp_error *err)
{
	*out_id = NULL;
	return bp_kb_import(out_id, kb, &a, 1, err);
}

/* Commit one change to an existing article, after pending hand edits. */
static int change_one(int *made, struct bp_kb *kb, struct change *c, const char *verb,
		      struct bp_error *err)
{
	struct bp_buf msg = BP_BUF_INIT;
	int rc;

	*made = 0;
	bp_buf_addf(&msg, "%s %.*s\n", verb, (int)(strlen(c->path) - 3), c->path);
	if (bp_buf_oom(&msg))
		return bp_error_nomem(err);
	rc = bp_kb_lock(kb, err);
	if (rc)
		goto out;
	rc = commit_pending_locked(NULL, kb, err);
	if (!rc)
		rc = apply_changes(made, kb, c, 1, msg.ptr, err);
	bp_kb_unlock(kb);
out:
	bp_buf_release(&msg);
	return rc;
}

int bp_kb_update(int *changed, struct bp_kb *kb, const char *path, struct bp_article *a,
		 struct bp_error *err)
{
	struct change c = {0};
	char *old = NULL, today[16];
	size_t oldlen = 0;
	int rc;

	*changed = 0;
	rc = bp_article_validate(a, path, err);
	if (rc)
		return rc;
	c.path = (char *)path;
	rc = bp_article_serialize(&c.data, &c.len, a, err);
	if (rc)
		return rc;
	if (bp_kb_read(&old, &oldlen, kb, path, NULL) == 0 && oldlen == c.len &&
	    !memcmp(old, c.data, c.len))
		goto out; /* unchanged: no commit, and `updated` stays as it was */
	bp_today(today);
	rc = bp_article_set_updated(a, today, err);
	if (!rc) {
		bp_free(c.data);
		c.data = NULL;
		rc = bp_article_serialize(&c.data, &c.len, a, err);
	}
	if (!rc)
		rc = change_one(changed, kb, &c, "edit", err);
out:
	bp_free(old);
	bp_free(c.data);
	return rc;
}

int bp_kb_remove(struct bp_kb *kb, const char *path, struct bp_error *err)
{
	struct change c = {(char *)path, NULL, 0};
	int made;

	return change_one(&made, kb, &c, "rm", err);
}
