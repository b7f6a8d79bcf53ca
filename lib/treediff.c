/*
 * A tree-to-tree comparison that trusts nothing in the trees. libgit2's diff and tree walks
 * pass entry names through raw ("..", ".git", names with '/', control characters), so the
 * index compares sources with this walk instead: it descends only into subtrees whose ids
 * differ (the cost follows what changed), checks every name of the new side with
 * bp_path_component_ok, keeps only blobs (no symbolic link is followed, no submodule is
 * entered), and drops entries that are out of order or duplicated, each with a reason.
 */
#include <string.h>

#include "bp/path.h"
#include "kb_internal.h"
#include "treediff.h"

#define MAX_DEPTH 32
#define MAX_PATH 1024

struct walk {
	git_repository *repo;
	const struct bp_tree_diff_cb *cb;
	char path[MAX_PATH + 256];
	struct bp_error *err;
};

/* git's order of tree entries: names compared as if trees ended with '/'. */
static int entry_cmp(const git_tree_entry *a, const git_tree_entry *b)
{
	const char *na = git_tree_entry_name(a), *nb = git_tree_entry_name(b);
	size_t la = strlen(na), lb = strlen(nb), n = la < lb ? la : lb;
	int c = memcmp(na, nb, n);
	unsigned char ca, cb;

	if (c)
		return c;
	ca = la > n ? (unsigned char)na[n] : git_tree_entry_type(a) == GIT_OBJECT_TREE ? '/' : 0;
	cb = lb > n ? (unsigned char)nb[n] : git_tree_entry_type(b) == GIT_OBJECT_TREE ? '/' : 0;
	return (int)ca - (int)cb;
}

static void reject(struct walk *w, size_t base, const char *name, const char *why)
{
	size_t n = strlen(name);

	if (base + n >= sizeof(w->path))
		n = sizeof(w->path) - base - 1;
	memcpy(w->path + base, name, n);
	w->path[base + n] = '\0';
	if (w->cb->reject)
		w->cb->reject(w->path, why, w->cb->payload);
}

/*
 * The usable entries of a tree, in order: the caller's array gets pointers into the tree.
 * Entries that are unsafe, out of order or duplicated are reported (new side only) and left
 * out.
 */
static size_t usable(const git_tree_entry **out, git_tree *t, struct walk *w, size_t base,
		     int report)
{
	size_t i, n = t ? git_tree_entrycount(t) : 0, k = 0;
	const char *why;

	for (i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		const char *name = git_tree_entry_name(e);
		git_filemode_t mode = git_tree_entry_filemode(e);
		size_t len = strlen(name);

		if (!bp_path_component_ok(name, len, &why)) {
			/* Dot-files (.gitignore, .github) are never content; say nothing. */
			if (report && why != bp_path_hidden)
				reject(w, base, name, why);
			continue;
		}
		if (mode != GIT_FILEMODE_TREE && mode != GIT_FILEMODE_BLOB &&
		    mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
			if (report && len > 3 && !strcmp(name + len - 3, ".md"))
				reject(w, base, name,
				       mode == GIT_FILEMODE_LINK	? "a symbolic link (not followed)"
				       : mode == GIT_FILEMODE_COMMIT ? "a submodule (not entered)"
								    : "an unusual file mode");
			continue;
		}
		if (k && entry_cmp(out[k - 1], e) >= 0) {
			if (report)
				reject(w, base, name,
				       entry_cmp(out[k - 1], e) ? "an entry out of order"
								: "a duplicate entry");
			continue;
		}
		out[k++] = e;
	}
	return k;
}

static int compare(struct walk *w, git_tree *a, git_tree *b, size_t base, int depth);

/* Open the subtree of entry `e`, or NULL when `e` is not a tree. */
static int subtree(git_tree **out, struct walk *w, const git_tree_entry *e)
{
	int rc;

	*out = NULL;
	if (!e || git_tree_entry_type(e) != GIT_OBJECT_TREE)
		return 0;
	rc = git_tree_lookup(out, w->repo, git_tree_entry_id(e));
	return rc < 0 ? bp_git_error(w->err, rc, "cannot read tree") : 0;
}

/* One name present on either side (or both). */
static int pair(struct walk *w, const git_tree_entry *ea, const git_tree_entry *eb, size_t base,
		int depth)
{
	const git_tree_entry *e = eb ? eb : ea;
	const char *name = git_tree_entry_name(e);
	size_t len = strlen(name);
	git_tree *ta = NULL, *tb = NULL;
	int a_tree = ea && git_tree_entry_type(ea) == GIT_OBJECT_TREE;
	int b_tree = eb && git_tree_entry_type(eb) == GIT_OBJECT_TREE;
	int rc = 0;

	if (ea && eb && git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) &&
	    git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb))
		return 0; /* unchanged, whatever it holds */
	if (base + len + 1 > MAX_PATH) {
		if (eb)
			reject(w, base, name, "a path longer than 1024 bytes");
		return 0;
	}
	memcpy(w->path + base, name, len);
	w->path[base + len] = '\0';
	if (!a_tree && !b_tree) {
		return w->cb->change(w->path, ea ? git_tree_entry_id(ea) : NULL,
				     eb ? git_tree_entry_id(eb) : NULL, w->cb->payload);
	}
	/* A blob on one side and a tree on the other: the blob side first. */
	if (ea && !a_tree)
		rc = w->cb->change(w->path, git_tree_entry_id(ea), NULL, w->cb->payload);
	if (!rc && eb && !b_tree)
		rc = w->cb->change(w->path, NULL, git_tree_entry_id(eb), w->cb->payload);
	if (rc)
		return rc;
	if (depth + 1 > MAX_DEPTH) {
		if (b_tree)
			reject(w, base, name, "a folder more than 32 levels deep");
		return 0;
	}
	rc = subtree(&ta, w, a_tree ? ea : NULL);
	if (!rc)
		rc = subtree(&tb, w, b_tree ? eb : NULL);
	if (!rc) {
		w->path[base + len] = '/';
		rc = compare(w, ta, tb, base + len + 1, depth + 1);
	}
	git_tree_free(ta);
	git_tree_free(tb);
	return rc;
}

static int compare(struct walk *w, git_tree *a, git_tree *b, size_t base, int depth)
{
	const git_tree_entry **la = NULL, **lb = NULL;
	size_t na, nb, i = 0, j = 0;
	int rc = 0, c;

	la = bp_calloc((a ? git_tree_entrycount(a) : 0) + 1, sizeof(*la));
	lb = bp_calloc((b ? git_tree_entrycount(b) : 0) + 1, sizeof(*lb));
	if (!la || !lb) {
		rc = bp_error_nomem(w->err);
		goto out;
	}
	na = usable(la, a, w, base, 0);
	nb = usable(lb, b, w, base, 1);
	while (!rc && (i < na || j < nb)) {
		if (i == na)
			c = 1;
		else if (j == nb)
			c = -1;
		else
			c = entry_cmp(la[i], lb[j]);
		if (c < 0)
			rc = pair(w, la[i++], NULL, base, depth);
		else if (c > 0)
			rc = pair(w, NULL, lb[j++], base, depth);
		else
			rc = pair(w, la[i++], lb[j++], base, depth);
	}
out:
	bp_free(la);
	bp_free(lb);
	return rc;
}

int bp_tree_diff(git_repository *repo, git_tree *old_tree, git_tree *new_tree,
		 const struct bp_tree_diff_cb *cb, struct bp_error *err)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	w.repo = repo;
	w.cb = cb;
	w.err = err;
	return compare(&w, old_tree, new_tree, 0, 0);
}
